#!/usr/bin/env bash
# bench/run.sh — the simulator benchmark.
#
# Builds suanwang in Release mode into build-bench/, then for each of the
# largest SWF logs and each policy (fcfs, sjf, easy, conservative, easy with
# --order priority) runs `suanwang sim --json --quiet` several times under a
# time limit, takes the median sim_seconds (the simulation only, not the
# loading), and measures peak RSS with GNU time, plus the peak RSS of only
# loading each log (`--first 1`). It also runs EASY on the first 10^5 jobs of
# the big logs (the target of SPEC.md §5), and the oracle, bench/oracle.sh:
# the Python reference bench/ref_easy.py on the same logs, compared job by
# job and used as the speed anchor.
#
# usage: bash bench/run.sh [--quick] [--reps N] [--timeout S]
#                          [--oracle-timeout S] [--no-oracle]
#   --quick            two logs, 1 run per cell, oracle on EASY only
#   --reps N           runs per cell (default 3; --quick: 1)
#   --timeout S        time limit of one simulator run (default 120)
#   --oracle-timeout S time limit of one oracle run (default 300)
#   --no-oracle        skip the reference and the oracle
#
# Traces: $SUANWANG_TRACES (the traces/ folder or its swf/ folder), else
# ../shared/traces next to the repository. Without them it says so and
# exits 0.
#
# Output: the markdown report on stdout, saved as
# bench/results/sim-DATE[-quick].md with the raw JSON lines next to it in
# bench/results/sim-DATE[-quick].jsonl. Progress goes to stderr.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
QUICK=0
REPS=
TIMEOUT=120
ORACLE_TIMEOUT=300
ORACLE=1
CMDLINE="bash bench/run.sh${*:+ $*}"

usage() { sed -n '2,/^set -uo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
    case $1 in
    --quick) QUICK=1; shift ;;
    --reps) REPS=$2; shift 2 ;;
    --timeout) TIMEOUT=$2; shift 2 ;;
    --oracle-timeout) ORACLE_TIMEOUT=$2; shift 2 ;;
    --no-oracle) ORACLE=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; usage >&2; exit 2 ;;
    esac
done
[ -z "$REPS" ] && { [ $QUICK = 1 ] && REPS=1 || REPS=3; }

say() { echo "run.sh: $*" >&2; }

# ---- traces ---------------------------------------------------------------
TDIR=${SUANWANG_TRACES:-$ROOT/../shared/traces}
[ -d "$TDIR/swf" ] && TDIR=$TDIR/swf
if [ ! -d "$TDIR" ]; then
    echo "run.sh: no traces at $TDIR (set SUANWANG_TRACES to the traces folder): nothing to benchmark"
    exit 0
fi
TDIR=$(cd "$TDIR" && pwd)

if [ $QUICK = 1 ]; then
    LOGS=(SDSC-BLUE-filtered.swf.gz CTC-SP2-filtered.swf.gz)
    TARGET_LOGS=(SDSC-BLUE-filtered.swf.gz)
    ORACLE_POLICIES=easy
else
    LOGS=(RICC-2010-2.swf.gz CEA-Curie-filtered.swf.gz SDSC-BLUE-filtered.swf.gz
          CTC-SP2-filtered.swf.gz SDSC-SP2-filtered.swf.gz LLNL-Atlas-2006-2.1-cln.swf
          KTH-SP2-1996-2.1-cln.swf)
    TARGET_LOGS=(RICC-2010-2.swf.gz CEA-Curie-filtered.swf.gz SDSC-BLUE-filtered.swf.gz)
    ORACLE_POLICIES=easy,fcfs,sjf
fi
TARGET_JOBS=100000
# label|arguments
VARIANTS=("fcfs|--policy fcfs" "sjf|--policy sjf" "easy|--policy easy"
          "conservative|--policy conservative" "easy+priority|--policy easy --order priority")

present=()
for l in "${LOGS[@]}"; do
    if [ -f "$TDIR/$l" ]; then present+=("$l"); else say "not found, skipped: $TDIR/$l"; fi
done
if [ ${#present[@]} -eq 0 ]; then
    echo "run.sh: none of the benchmark logs is in $TDIR: nothing to benchmark"
    exit 0
fi
LOGS=("${present[@]}")

# ---- GNU time ---------------------------------------------------------------
TIME=/usr/bin/time
if ! $TIME -f %M true >/dev/null 2>&1; then
    say "GNU time is missing; installing the Debian package 'time'"
    SUDO=
    [ "$(id -u)" != 0 ] && command -v sudo >/dev/null && SUDO="sudo -n"
    { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq time; } >&2 || true
    if ! $TIME -f %M true >/dev/null 2>&1; then
        say "no GNU time: peak RSS will be shown as n/a"
        TIME=
    fi
fi

# ---- build ------------------------------------------------------------------
BUILD=$ROOT/build-bench
gen=()
if [ ! -f "$BUILD/CMakeCache.txt" ] && command -v ninja >/dev/null; then gen=(-G Ninja); fi
mkdir -p "$BUILD"
say "building suanwang (Release) in build-bench/"
if ! { cmake -S "$ROOT" -B "$BUILD" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release \
        -DSW_BUILD_TESTS=OFF >"$BUILD/build.log" 2>&1 &&
       cmake --build "$BUILD" --target suanwang >>"$BUILD/build.log" 2>&1; }; then
    echo "run.sh: the build failed; see build-bench/build.log" >&2
    tail -n 30 "$BUILD/build.log" >&2
    exit 1
fi
BIN=$BUILD/suanwang

# ---- output files -------------------------------------------------------------
DATE=$(date +%Y-%m-%d)
mkdir -p "$ROOT/bench/results"
STEM=$ROOT/bench/results/sim-$DATE
[ $QUICK = 1 ] && STEM=$STEM-quick
JSONL=$STEM.jsonl
MD=$STEM.md
: >"$JSONL"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/sw-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# meta: the machine and the build
cc=$(sed -n 's/^CMAKE_C_COMPILER:[A-Z]*=//p' "$BUILD/CMakeCache.txt")
commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
# uncommitted changes under src/ are built too: name them
modified=$(git -C "$ROOT" status --porcelain -- src 2>/dev/null | awk '{print $NF}' | tr '\n' ' ')
[ -n "$modified" ] && commit="$commit + uncommitted changes in ${modified% }"
python3 - "$JSONL" <<EOF
import json, sys
meta = {
    "kind": "meta",
    "date": "$(date '+%Y-%m-%d %H:%M %Z')",
    "nproc": "$(nproc)",
    "cpu": """$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)""",
    "mem": "$(free -h | awk '/^Mem:/ {print $2}')",
    "debian": "$(cat /etc/debian_version 2>/dev/null || echo ?)",
    "kernel": "$(uname -r)",
    "compiler": """$("${cc:-cc}" --version | head -n 1)""",
    "commit": "$commit",
    "reps": $REPS,
    "timeout": $TIMEOUT,
    "quick": $QUICK,
    "command": """$CMDLINE""",
}
open(sys.argv[1], "a").write(json.dumps(meta) + "\n")
EOF

# ---- runs -------------------------------------------------------------------------
# run_sim KIND LOG FIRST LABEL REPS ARGS...: REPS runs, one JSON line each.
run_sim() {
    local kind=$1 log=$2 first=$3 label=$4 reps=$5
    shift 5
    local fa=()
    [ "$first" -gt 0 ] && fa=(--first "$first")
    local tm=()
    [ -n "$TIME" ] && tm=("$TIME" -f "%M %e" -o "$TMP/time")
    for rep in $(seq 1 "$reps"); do
        rm -f "$TMP/time"
        "${tm[@]}" timeout "$TIMEOUT" "$BIN" sim --trace "$TDIR/$log" "$@" "${fa[@]}" \
            --json --quiet >"$TMP/out" 2>"$TMP/err"
        local rc=$? status=ok rss=null wall=null result=null
        if [ -s "$TMP/time" ]; then
            read -r rss wall < <(tail -n 1 "$TMP/time")
        fi
        if [ $rc = 124 ]; then
            status="timeout (>${TIMEOUT} s)"
        elif [ -s "$TMP/out" ] && python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$TMP/out" 2>/dev/null; then
            result=$(head -n 1 "$TMP/out")  # exit 1 with a result: checks failed, it says so
        else
            status="error (exit $rc)"
            sed 's/^/    /' "$TMP/err" >&2
        fi
        printf '{"kind":"%s","log":"%s","first":%d,"label":"%s","rep":%d,"status":"%s","rss_kib":%s,"wall_s":%s,"result":%s}\n' \
            "$kind" "$log" "$first" "$label" "$rep" "$status" "$rss" "$wall" "$result" >>"$JSONL"
        if [ "$result" != null ]; then
            local sims
            sims=$(python3 -c 'import json,sys; print("%.3f" % json.load(open(sys.argv[1]))["sim_seconds"])' "$TMP/out")
            say "$(printf '%-28s %-8s %-14s run %d: sim %s s, wall %s s, peak RSS %s KiB' \
                "$log" "${first/#0/all}" "$label" "$rep" "$sims" "$wall" "$rss")"
        else
            say "$(printf '%-28s %-8s %-14s run %d: %s' "$log" "${first/#0/all}" "$label" "$rep" "$status")"
            break  # a timeout or an error: no point repeating
        fi
    done
}

for log in "${LOGS[@]}"; do
    run_sim load "$log" 1 load 1 --policy fcfs
    for v in "${VARIANTS[@]}"; do
        # shellcheck disable=SC2086
        run_sim sim "$log" 0 "${v%%|*}" "$REPS" ${v#*|}
    done
done
for log in "${TARGET_LOGS[@]}"; do
    [ -f "$TDIR/$log" ] && run_sim sim "$log" $TARGET_JOBS easy "$REPS" --policy easy
done

if [ $ORACLE = 1 ]; then
    if command -v python3 >/dev/null; then
        say "oracle: bench/ref_easy.py against suanwang ($ORACLE_POLICIES), limit ${ORACLE_TIMEOUT} s per run"
        paths=()
        for log in "${LOGS[@]}"; do paths+=("$TDIR/$log"); done
        bash "$ROOT/bench/oracle.sh" --bin "$BIN" --policy "$ORACLE_POLICIES" \
            --timeout "$ORACLE_TIMEOUT" --jsonl "$JSONL" "${paths[@]}" >&2
    else
        say "python3 is missing: no oracle and no reference"
    fi
fi

python3 "$ROOT/bench/summarize.py" "$JSONL" >"$MD"
cat "$MD"
say "wrote ${MD#"$ROOT"/} and ${JSONL#"$ROOT"/}"
