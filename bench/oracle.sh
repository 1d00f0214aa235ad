#!/usr/bin/env bash
# bench/oracle.sh — suanwang's schedules against an independent oracle.
#
# For each trace and policy, runs `suanwang sim --report DIR` and the simple
# Python reference bench/ref_easy.py (same SWF loading rules, same FCFS /
# SJF / EASY rules, written separately from the C code), and compares the
# start time of every job (bench/oracle_compare.py). Expected: 0 differ.
#
# usage: bash bench/oracle.sh [options] [TRACE...]
#   --bin PATH       suanwang binary (default: $SUANWANG_BIN, else
#                    build-bench/suanwang, else build/suanwang)
#   --policy LIST    comma-separated: easy, fcfs, sjf (default: easy)
#   --first N        only the first N jobs of each trace
#   --timeout S      time limit of each run, suanwang or reference (default 300);
#                    a run over it is reported as "timeout", not as a failure
#   --jsonl FILE     append one JSON line per comparison to FILE
#   TRACE...         trace files (default: every *.swf / *.swf.gz in
#                    $SUANWANG_TRACES/swf or ../shared/traces/swf)
#
# Exit status: 0 when every comparison that ran agreed (or when there are no
# traces: it says so and skips), 1 when some job differs or a run failed,
# 2 on a usage error.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${SUANWANG_BIN:-}
POLICIES=easy
FIRST=0
TIMEOUT=300
JSONL=
TRACES=()

usage() { sed -n '2,/^set -uo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
    case $1 in
    --bin) BIN=$2; shift 2 ;;
    --policy) POLICIES=$2; shift 2 ;;
    --first) FIRST=$2; shift 2 ;;
    --timeout) TIMEOUT=$2; shift 2 ;;
    --jsonl) JSONL=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "oracle.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    *) TRACES+=("$1"); shift ;;
    esac
done

if [ -z "$BIN" ]; then
    for b in "$ROOT/build-bench/suanwang" "$ROOT/build/suanwang"; do
        if [ -x "$b" ]; then BIN=$b; break; fi
    done
fi
if [ -z "$BIN" ] || [ ! -x "$BIN" ]; then
    echo "oracle.sh: no suanwang binary (build it, or pass --bin PATH)" >&2
    exit 2
fi
if ! command -v python3 >/dev/null; then
    echo "oracle.sh: SKIP: python3 is not installed" >&2
    exit 0
fi

if [ ${#TRACES[@]} -eq 0 ]; then
    TDIR=${SUANWANG_TRACES:-$ROOT/../shared/traces}
    [ -d "$TDIR/swf" ] && TDIR=$TDIR/swf
    if [ ! -d "$TDIR" ]; then
        echo "oracle.sh: SKIP: no traces at $TDIR (set SUANWANG_TRACES)" >&2
        exit 0
    fi
    shopt -s nullglob
    TRACES=("$TDIR"/*.swf "$TDIR"/*.swf.gz)
    shopt -u nullglob
    if [ ${#TRACES[@]} -eq 0 ]; then
        echo "oracle.sh: SKIP: no *.swf or *.swf.gz in $TDIR" >&2
        exit 0
    fi
fi

TIME=
if /usr/bin/time -f %M true >/dev/null 2>&1; then TIME=/usr/bin/time; fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/sw-oracle.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

firstarg=()
[ "$FIRST" -gt 0 ] && firstarg=(--first "$FIRST")

# note LOG POLICY STATUS: a JSON line for a comparison that did not run.
note() {
    [ -n "$JSONL" ] && printf '{"kind":"oracle","log":"%s","policy":"%s","first":%d,"status":"%s"}\n' \
        "$1" "$2" "$FIRST" "$3" >>"$JSONL"
    echo "oracle  $1  $2  $3"
    skipped=$((skipped + 1))
}

fail=0 agreed=0 differed=0 skipped=0
IFS=, read -r -a POL <<<"$POLICIES"
for tr in "${TRACES[@]}"; do
    log=$(basename "$tr")
    if [ ! -f "$tr" ]; then note "$log" - "missing"; continue; fi
    for p in "${POL[@]}"; do
        case $p in easy|fcfs|sjf) ;; *) echo "oracle.sh: policy $p: the reference has easy, fcfs, sjf" >&2; exit 2 ;; esac
        rm -rf "$TMP/sw" "$TMP"/ref.*
        timeout "$TIMEOUT" "$BIN" sim --trace "$tr" --policy "$p" "${firstarg[@]}" \
            --json --quiet --report "$TMP/sw" >"$TMP/sw.json" 2>"$TMP/sw.err"
        rc=$?
        if [ $rc -eq 124 ]; then note "$log" "$p" "timeout (suanwang, ${TIMEOUT}s)"; continue; fi
        if [ ! -f "$TMP/sw/jobs.csv" ]; then
            cat "$TMP/sw.err" >&2
            note "$log" "$p" "error (suanwang exit $rc)"; fail=1; continue
        fi
        reftime=()
        [ -n "$TIME" ] && reftime=("$TIME" -f "%M %e" -o "$TMP/ref.time")
        "${reftime[@]}" timeout "$TIMEOUT" python3 "$ROOT/bench/ref_easy.py" --trace "$tr" \
            --policy "$p" "${firstarg[@]}" --starts "$TMP/ref.csv" >"$TMP/ref.json" 2>"$TMP/ref.err"
        rc=$?
        if [ $rc -eq 124 ]; then note "$log" "$p" "timeout (reference, ${TIMEOUT}s)"; continue; fi
        if [ $rc -ne 0 ]; then
            cat "$TMP/ref.err" >&2
            note "$log" "$p" "error (reference exit $rc)"; fail=1; continue
        fi
        extra=()
        if [ -n "$TIME" ]; then
            read -r rss wall < <(tail -n 1 "$TMP/ref.time")
            extra=(--ref-rss-kib "$rss" --ref-wall-s "$wall")
        fi
        # the JSON line goes to --jsonl, the verdict line (stderr) to stdout
        # shellcheck disable=SC2069
        if python3 "$ROOT/bench/oracle_compare.py" --sw-csv "$TMP/sw/jobs.csv" \
            --ref-csv "$TMP/ref.csv" --sw-json "$TMP/sw.json" --ref-json "$TMP/ref.json" \
            --log "$log" --policy "$p" --first "$FIRST" "${extra[@]}" \
            2>&1 >>"${JSONL:-/dev/null}"; then
            agreed=$((agreed + 1))
        else
            differed=$((differed + 1)); fail=1
        fi
    done
done
echo "oracle: $agreed agreed, $differed differed or failed to compare, $skipped not run"
exit $fail
