#!/usr/bin/env bash
# bench/submit.sh — job submissions per second: a real Slurm (`sbatch`) and
# `suanwang server` side by side, in one run on this machine (issue 4 part 6).
#
#   (a) Slurm: scripts/slurm-up.sh brings up a single-host cluster (Debian's
#       slurm-wlm; slurmctld + slurmd + munged on loopback). bench_submit runs
#       `sbatch --parsable --hold -o /dev/null --wrap /bin/true` N times,
#       sequentially (K = 1) and with K parallel submitters, and measures the
#       accepted submissions per second and the latency of each sbatch (process
#       start to exit, as a user or script sees it). Jobs are submitted held so
#       that the cluster does not run them: running thousands of /bin/true jobs
#       would put a slurmstepd per job on the same 2 CPUs and slow slurmctld and
#       sbatch down; held, Slurm gets the whole machine for accepting, which is
#       the kinder measure for Slurm, and the suanwang server has no agent here
#       either, so its jobs stay queued too. Also `sbatch --array=0-9999 --hold`
#       for tasks per second as job arrays.
#   (b) suanwang: `suanwang server` (Release build, in build-submit/) on a fresh
#       data folder; bench_submit (C threads, one keep-alive HTTP/1.1 connection
#       each, closed loop) posts single jobs with C = 1, 16, 64; batches of 100
#       jobs per request; job arrays ("tasks": 10000); and, like for like with
#       sbatch, one curl process per job; and GET /healthz, the HTTP layer
#       alone. Every 201 is durable (SQLite WAL, fsync, group commit); the
#       server's store counters give the jobs per fsync of each run; a probe
#       of the disk (512-byte appends + fdatasync) gives the floor of one
#       commit. Afterwards the server is killed with SIGKILL and
#       restarted, and every acknowledged id is looked up through
#       GET /v1/jobs?limit=1000&after=… paging: all present, none twice.
#   Both systems stay up for the whole run and their runs alternate,
#   repetition by repetition (singles, then arrays), so that the other load
#   of this shared machine falls on both alike; ratios are taken within a
#   repetition, and the median and range over the repetitions reported.
#   (c) A markdown table of both with the ratios and the targets, on stdout and
#       in bench/results/submit-DATE.md, with the raw numbers (one JSON object
#       per run) in bench/results/submit-DATE.jsonl.
#   Then, unless --no-perf, a CPU profile of the server (perf record,
#   cpu-clock, dwarf call graphs) under 1 and 64 clients of single jobs and 4
#   clients of job arrays, in separate runs that are not timed: the top
#   functions, self and inclusive, go into the report.
#
# usage: bash bench/submit.sh [--quick] [--reps N] [--no-slurm] [--no-perf]
#   --quick      fewer submissions per run, 1 repetition (about 1 minute;
#                the full run takes about 3)
#   --reps N     repetitions of each run (default 3); the table gives medians
#   --no-slurm   only the suanwang side (no ratios)
#   --no-perf    no profile
#
# Needs root for Slurm (slurm-up.sh installs slurm-wlm and munge if missing);
# without Slurm the suanwang side still runs and the report says why.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
QUICK=0
REPS=
SLURM=1
PERF=1
CMDLINE="bash bench/submit.sh${*:+ $*}"
usage() { sed -n '2,/^set -uo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
    case $1 in
    --quick) QUICK=1; shift ;;
    --reps) REPS=$2; shift 2 ;;
    --no-slurm) SLURM=0; shift ;;
    --no-perf) PERF=0; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "submit.sh: unknown argument $1" >&2; usage >&2; exit 2 ;;
    esac
done
[ -z "$REPS" ] && { [ $QUICK = 1 ] && REPS=1 || REPS=3; }
say() { echo "submit.sh: $*" >&2; }

# Submissions per run (full / --quick).
if [ $QUICK = 1 ]; then
    S_SEQ=300 S_PAR=600 S_ARR=2 W_C1=2000 W_CN=6000 W_B=60 W_ARR=10 W_CURL=300
else
    S_SEQ=1000 S_PAR=2000 S_ARR=5 W_C1=5000 W_CN=20000 W_B=200 W_ARR=20 W_CURL=1000
fi
SLURM_K=(4 16)
SW_C=(16 64)
ARRAY_TASKS=10000
BATCH=100

WORK=$(mktemp -d "${TMPDIR:-/tmp}/sw-bench-submit.XXXXXX")
chmod 0755 "$WORK" # munged wants every folder above its socket searchable
RAW=$WORK/raw.jsonl
META=$WORK/meta.json
: >"$RAW"
echo '{}' >"$META"
SLURM_DIR=$WORK/slurm
SPID=
cleanup() {
    [ -f "$SLURM_DIR/pids" ] && bash "$ROOT/scripts/slurm-down.sh" "$SLURM_DIR" >/dev/null 2>&1
    if [ -n "$SPID" ]; then kill -KILL "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- build ------------------------------------------------------------------------
# The working tree as it is; when it does not build (others may be half-way
# through an edit), the last commit instead, and the report says which.
BUILD=$ROOT/build-submit
CODE="working tree"
build_sw() { # source dir, build dir
    cmake -S "$1" -B "$2" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSW_BUILD_TESTS=OFF >/dev/null &&
        cmake --build "$2" --target suanwang >"$WORK/build.log" 2>&1
}
say "building suanwang (Release) in $BUILD"
if ! build_sw "$ROOT" "$BUILD"; then
    grep -m 3 -E 'error' "$WORK/build.log" >&2
    say "the working tree does not build: building the last commit instead"
    mkdir -p "$WORK/head"
    git -C "$ROOT" archive HEAD | tar -x -C "$WORK/head" || { say "git archive failed"; exit 1; }
    BUILD=$ROOT/build-submit-head
    rm -rf "$BUILD"
    build_sw "$WORK/head" "$BUILD" || { cat "$WORK/build.log" >&2; say "build failed"; exit 1; }
    CODE="last commit (the working tree did not build)"
fi
CC=${CC:-cc}
$CC -std=c17 -O2 -Wall -Wextra -Wshadow -Wformat=2 -Wvla -pthread \
    -o "$BUILD/bench_submit" "$ROOT/bench/bench_submit.c" || { say "bench_submit: build failed"; exit 1; }
SW=$BUILD/suanwang
B=$BUILD/bench_submit

meta() { # key json-value
    python3 - "$META" "$1" "$2" <<'PY'
import json, sys
p, k, v = sys.argv[1:]
d = json.load(open(p))
d[k] = json.loads(v)
json.dump(d, open(p, "w"))
PY
}
jstr() { python3 -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$1"; }

# The server's counters of durable writes (jobs) and commits (fsyncs), as
# JSON, or {} when no server runs: their change over a run shows the group
# commit at work.
PORT=
store_counters() {
    [ -n "$PORT" ] || { echo '{}'; return; }
    curl -sf "http://127.0.0.1:$PORT/metrics" 2>/dev/null | awk '
        /^suanwang_store_commits_total / {c = $2}
        /^suanwang_store_writes_total / {w = $2}
        END {if (c != "") printf "{\"commits\":%d,\"writes\":%d}\n", c, w; else print "{}"}'
}

# run SYSTEM CASE REP bench_submit-args...: one measured run, appended to RAW.
run() {
    local system=$1 case=$2 rep=$3 out rc before after load
    shift 3
    before=$(store_counters)
    load=$(cut -d' ' -f1 /proc/loadavg)
    out=$(timeout 600 "$B" "$@")
    rc=$?
    after=$(store_counters)
    [ -n "$out" ] || { say "$system $case: bench_submit gave nothing (exit $rc)"; return 1; }
    python3 - "$system" "$case" "$rep" "$out" "$before" "$after" "$load" >>"$RAW" <<'PY'
import json, sys
d = json.loads(sys.argv[4])
d.update(system=sys.argv[1], case=sys.argv[2], rep=int(sys.argv[3]), loadavg1=float(sys.argv[7]))
b, a = json.loads(sys.argv[5]), json.loads(sys.argv[6])
if "commits" in a and "commits" in b:
    d["store_commits"] = a["commits"] - b["commits"]
    d["store_writes"] = a["writes"] - b["writes"]
print(json.dumps(d))
PY
    python3 - "$system" "$case" "$out" >&2 <<'PY'
import json, sys
d = json.loads(sys.argv[3])
print(f"submit.sh: {sys.argv[1]:8} {sys.argv[2]:28} {d['jobs_per_s']:10.0f} jobs/s "
      f"{d['tasks_per_s']:11.0f} tasks/s  p50 {d['p50_ms']:7.2f} ms  p99 {d['p99_ms']:7.2f} ms"
      f"  errors {d['errors']}")
PY
    return $rc
}

# ---- machine ------------------------------------------------------------------------
meta date "$(jstr "$(date -u '+%Y-%m-%d %H:%M UTC')")"
meta cmdline "$(jstr "$CMDLINE")"
meta cpus "$(nproc)"
meta cpu_model "$(jstr "$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)")"
meta mem "$(jstr "$(free -h | awk '/^Mem:/ {print $2}')")"
meta os "$(jstr "Debian $(cat /etc/debian_version 2>/dev/null), kernel $(uname -r)")"
meta cc "$(jstr "$($CC --version | head -1)")"
if [ "$CODE" = "working tree" ]; then
    meta commit "$(jstr "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)$(git -C "$ROOT" status --porcelain -- src 2>/dev/null | grep -q . && echo ' + the uncommitted edits in src/ at the time')")"
else
    meta commit "$(jstr "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null), $CODE")"
fi
meta fs "$(jstr "$(df -hT "$WORK" | awk 'NR==2 {print $1" ("$2")"}')")"
meta quick "$QUICK"
meta reps "$REPS"
meta loadavg_start "$(jstr "$(cut -d' ' -f1-3 /proc/loadavg)")"

# The floor under any durable commit: write 512 bytes + fdatasync, here.
say "fsync probe in $WORK"
run disk "fdatasync 512 B" 1 fsync -n 2000 -d "$WORK" || true

# ---- bring-up: both systems, side by side ---------------------------------------------
# Both stay up for the whole run and their runs alternate, repetition by
# repetition (Slurm's singles, suanwang's singles, Slurm's singles, ...; then
# the arrays the same way), so that a change in what else loads this shared
# machine falls on both alike. The idle one costs next to nothing: slurmctld
# with only held jobs, the suanwang server with its 200 ms tick.
SLURM_UP=0
if [ $SLURM = 1 ]; then
    say "bringing up Slurm in $SLURM_DIR"
    t0=$(date +%s%N)
    bash "$ROOT/scripts/slurm-up.sh" "$SLURM_DIR" >"$WORK/slurm-up.out" 2>"$WORK/slurm-up.err"
    rc=$?
    t1=$(date +%s%N)
    if [ $rc = 0 ]; then
        SLURM_UP=1
        meta slurm_bringup_s "$(python3 -c "print(round(($t1 - $t0) / 1e9, 2))")"
        # shellcheck disable=SC1091
        . "$SLURM_DIR/slurm.env"
        meta slurm_version "$(jstr "$(sbatch --version)")"
    else
        reason=$(tail -n 3 "$WORK/slurm-up.err" | tr '\n' ' ')
        say "Slurm not available: $reason"
        meta slurm_missing "$(jstr "slurm-up.sh exit $rc: $reason")"
    fi
fi

DATA=$WORK/sw-data
NSTART=0
start_server() {
    NSTART=$((NSTART + 1))
    local so=$WORK/server.$NSTART.out
    "$SW" server --listen 127.0.0.1:0 --data "$DATA" >"$so" 2>"$WORK/server.err" &
    SPID=$!
    PORT=
    for _ in $(seq 400); do
        PORT=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$so" 2>/dev/null)
        [ -n "$PORT" ] && break
        kill -0 "$SPID" 2>/dev/null || break
        sleep 0.025
    done
    [ -n "$PORT" ] || { cat "$WORK/server.err" >&2; say "the server did not start"; exit 1; }
    H=(-p "$PORT" -t "$(cat "$DATA/admin.token")")
}
say "starting suanwang server on a fresh data folder"
start_server
TOKEN=$(cat "$DATA/admin.token")
CURL=(curl -sf -H "Authorization: Bearer $TOKEN" -d '{"name":"bench","command":["/bin/true"]}'
      "http://127.0.0.1:$PORT/v1/jobs")
SB=(sbatch --parsable --hold -o /dev/null --wrap /bin/true)
SBA=(sbatch --parsable --hold -o /dev/null --array=0-$((ARRAY_TASKS - 1)) --wrap /bin/true)

# warm-up, not timed (the suanwang ids are checked too)
[ $SLURM_UP = 1 ] && "$B" exec -c 4 -n 50 -- "${SB[@]}" >/dev/null
"$B" http "${H[@]}" -c 4 -n 200 -o "$WORK/sw-ids.warm" >/dev/null

slurm_singles() {
    [ $SLURM_UP = 1 ] || return 0
    run slurm "single, sequential (K=1)" "$1" exec -c 1 -n $S_SEQ -o "$WORK/slurm-ids.1.$1" -- "${SB[@]}"
    for k in "${SLURM_K[@]}"; do
        run slurm "single, K=$k parallel" "$1" exec -c "$k" -n $S_PAR -o "$WORK/slurm-ids.$k.$1" -- "${SB[@]}"
    done
}
sw_singles() {
    run suanwang "single, C=1" "$1" http "${H[@]}" -c 1 -n $W_C1 -o "$WORK/sw-ids.1.$1"
    for c in "${SW_C[@]}"; do
        run suanwang "single, C=$c" "$1" http "${H[@]}" -c "$c" -n $W_CN -o "$WORK/sw-ids.$c.$1"
    done
    run suanwang "batch of $BATCH, C=1" "$1" http "${H[@]}" -c 1 -n $W_B -b $BATCH -o "$WORK/sw-ids.b1.$1"
    run suanwang "batch of $BATCH, C=16" "$1" http "${H[@]}" -c 16 -n $W_B -b $BATCH -o "$WORK/sw-ids.b16.$1"
    run suanwang "curl process per job, K=1" "$1" exec -c 1 -n $W_CURL -o "$WORK/sw-ids.curl1.$1" -- "${CURL[@]}"
    run suanwang "curl process per job, K=16" "$1" exec -c 16 -n $W_CURL -o "$WORK/sw-ids.curl16.$1" -- "${CURL[@]}"
    # the HTTP layer alone, for comparison: no parsing, no store, no fsync
    run suanwang "GET /healthz (no store), C=1" "$1" http "${H[@]}" -G /healthz -c 1 -n $W_C1
    run suanwang "GET /healthz (no store), C=64" "$1" http "${H[@]}" -G /healthz -c 64 -n $W_CN
}
for rep in $(seq "$REPS"); do
    slurm_singles "$rep"
    sw_singles "$rep"
done
# Job arrays last: suanwang's tasks stay queued (no agent here), and every
# later scheduling pass has them to look at.
for rep in $(seq "$REPS"); do
    [ $SLURM_UP = 1 ] &&
        run slurm "array of $ARRAY_TASKS (K=1)" "$rep" exec -c 1 -n $S_ARR -a $ARRAY_TASKS \
            -o "$WORK/slurm-ids.a.$rep" -- "${SBA[@]}"
    run suanwang "array of $ARRAY_TASKS, C=1" "$rep" http "${H[@]}" -c 1 -n $W_ARR -a $ARRAY_TASKS -o "$WORK/sw-ids.a1.$rep"
    run suanwang "array of $ARRAY_TASKS, C=4" "$rep" http "${H[@]}" -c 4 -n $W_ARR -a $ARRAY_TASKS -o "$WORK/sw-ids.a4.$rep"
done

if [ $SLURM_UP = 1 ]; then
    # every accepted job is in Slurm's queue, once (arrays: one line each)
    n_slurm=$(cat "$WORK"/slurm-ids.* | wc -l)
    acked=$(cat "$WORK"/slurm-ids.* | sort -u | wc -l)
    queued=$(squeue -h -t PD -o %i | wc -l)
    meta slurm_check "$(jstr "$n_slurm ids acknowledged, $acked distinct; squeue holds $queued pending jobs (the 50 of the warm-up too)")"
    bash "$ROOT/scripts/slurm-down.sh" "$SLURM_DIR" 2>/dev/null
fi
meta server_rss_mib "$(awk '/^VmHWM:/ {printf "%.0f", $2 / 1024}' "/proc/$SPID/status")"
curl -sf "http://127.0.0.1:$PORT/metrics" >"$WORK/metrics.end" 2>/dev/null
meta sched_passes "$(awk '
    /^suanwang_scheduling_pass_seconds_count / {n = $2}
    /^suanwang_scheduling_pass_seconds_sum / {t = $2}
    /^suanwang_scheduling_pass_seconds_bucket\{le="0.01"\}/ {b10 = $2}
    /^suanwang_scheduling_pass_seconds_bucket\{le="0.1"\}/ {b100 = $2}
    END {printf "{\"count\":%d,\"sum_s\":%s,\"over_10ms\":%d,\"over_100ms\":%d}", n, t + 0, n - b10, n - b100}
' "$WORK/metrics.end")"
meta loadavg_end "$(jstr "$(cut -d' ' -f1-3 /proc/loadavg)")"

# Crash, restart, and look every acknowledged id up.
say "SIGKILL the server, restart it, check every acknowledged id"
kill -KILL "$SPID"
wait "$SPID" 2>/dev/null
t0=$(date +%s%N)
start_server
t1=$(date +%s%N)
meta restart_s "$(python3 -c "print(round(($t1 - $t0) / 1e9, 2))")"
python3 - "$PORT" "$TOKEN" "$WORK" "$ARRAY_TASKS" >"$WORK/check.json" <<'PY'
import glob, json, os, sys, urllib.request
port, token, work, array_tasks = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
acked, arrays = [], set()
for f in glob.glob(os.path.join(work, "sw-ids.*")):
    ids = [int(x) for x in open(f).read().split()]
    acked += ids
    if os.path.basename(f).startswith("sw-ids.a"):
        arrays.update(ids)
listed, after, pages = {}, 0, 0
twice = 0
while True:
    req = urllib.request.Request(f"http://127.0.0.1:{port}/v1/jobs?limit=1000&after={after}",
                                 headers={"Authorization": f"Bearer {token}"})
    page = json.load(urllib.request.urlopen(req, timeout=60))
    pages += 1
    for j in page["jobs"]:
        if j["id"] in listed:
            twice += 1
        listed[j["id"]] = j
    if "next" not in page:
        break
    after = page["next"]
acked_set = set(acked)
missing = [i for i in acked_set if i not in listed]
bad_arrays = [i for i in arrays if i in listed and listed[i]["tasks"] != array_tasks]
ok = not missing and twice == 0 and len(acked_set) == len(acked) and not bad_arrays
print(json.dumps({"acknowledged": len(acked), "acknowledged_distinct": len(acked_set),
                  "listed": len(listed), "pages": pages, "missing": len(missing),
                  "listed_twice": twice, "arrays": len(arrays),
                  "array_tasks_total": sum(listed[i]["tasks"] for i in arrays if i in listed),
                  "arrays_wrong_size": len(bad_arrays), "ok": ok}))
PY
meta sw_check "$(cat "$WORK/check.json")"
say "check: $(cat "$WORK/check.json")"

# ---- profile (not timed) -------------------------------------------------------------------
if [ $PERF = 1 ] && command -v perf >/dev/null 2>&1; then
    profile() { # name, bench_submit args...
        local name=$1 ppid
        shift
        perf record -q -e cpu-clock -F 999 --call-graph dwarf,16384 -p "$SPID" \
            -o "$WORK/perf.$name.data" >/dev/null 2>&1 &
        ppid=$!
        sleep 0.5
        timeout 120 "$B" "$@" >"$WORK/perf.$name.run" || true
        kill -INT "$ppid"
        wait "$ppid" 2>/dev/null
        perf report -q -i "$WORK/perf.$name.data" --no-children --sort dso,symbol -g none \
            --percent-limit 1 --stdio 2>/dev/null | sed -e '/^$/d' -e 's/[[:space:]]*-[[:space:]]*-[[:space:]]*$//' |
            head -25 >"$WORK/perf.$name.self"
        perf report -q -i "$WORK/perf.$name.data" --children --sort symbol -g none \
            --percent-limit 4 --stdio 2>/dev/null | sed -e '/^$/d' -e 's/[[:space:]]*-[[:space:]]*-[[:space:]]*$//' |
            head -30 >"$WORK/perf.$name.children"
    }
    say "profiling the server (perf record -e cpu-clock): 1 client, single jobs"
    profile single1 http "${H[@]}" -c 1 -n $W_C1
    say "profiling the server: 64 clients, single jobs"
    profile single64 http "${H[@]}" -c 64 -n $W_CN
    say "profiling the server: 4 clients, job arrays of $ARRAY_TASKS"
    profile array4 http "${H[@]}" -c 4 -n $W_ARR -a $ARRAY_TASKS
    for f in "$WORK"/perf.*.{self,children,run}; do
        [ -f "$f" ] && meta "$(basename "$f")" "$(python3 -c 'import json,sys; print(json.dumps(open(sys.argv[1]).read()))' "$f")"
    done
fi
kill -TERM "$SPID" 2>/dev/null
wait "$SPID" 2>/dev/null
SPID=

# ---- (c) report ------------------------------------------------------------------------------
DATE=$(date -u +%Y-%m-%d)
SUFFIX=$([ $QUICK = 1 ] && echo "-quick")
RES=$ROOT/bench/results
mkdir -p "$RES"
MD=$RES/submit-$DATE$SUFFIX.md
JL=$RES/submit-$DATE$SUFFIX.jsonl
python3 - "$RAW" "$META" "$(basename "$JL")" >"$MD" <<'PY'
import json, statistics, sys
raw = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
meta = json.load(open(sys.argv[2]))
jl = sys.argv[3]

cases = {}
for r in raw:
    cases.setdefault((r["system"], r["case"]), []).append(r)
def med(rs, k):
    return statistics.median(r[k] for r in rs)

out = []
p = out.append
p(f"# Submissions per second: Slurm `sbatch` and `suanwang server`, {meta['date']}")
p("")
p(f"Command: `{meta['cmdline']}` — {meta['reps']} run(s) of each case, medians shown; "
  f"raw numbers, one JSON object per run: `{jl}`.")
p("")
p("| machine | |")
p("|---|---|")
p(f"| CPU | {meta['cpus']} CPUs, {meta['cpu_model']} |")
p(f"| memory | {meta['mem']} |")
p(f"| OS | {meta['os']} |")
p(f"| disk of the data folders | {meta['fs']} |")
p(f"| compiler | {meta['cc']}, suanwang Release (`-O3 -DNDEBUG`) |")
p(f"| code | commit {meta['commit']} |")
if "slurm_version" in meta:
    p(f"| Slurm | {meta['slurm_version']} (Debian), single host via scripts/slurm-up.sh, "
      f"up in {meta['slurm_bringup_s']} s |")
p(f"| load average | {meta['loadavg_start']} at the start, {meta.get('loadavg_end', '?')} at the end |")
p("")
p("| system | case | runs | jobs/s | (range) | tasks/s | p50 ms | p90 ms | p99 ms | max ms | errors | jobs per fsync | client CPU | load |")
p("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
order = [k for k in cases if k[0] != "disk"]
for (system, case) in order:
    rs = cases[(system, case)]
    cpu = sum(r["client_cpu_s"] for r in rs) / max(sum(r["seconds"] for r in rs), 1e-9)
    com = sum(r.get("store_commits", 0) for r in rs)
    wr = sum(r.get("store_writes", 0) for r in rs)
    per = f"{wr / com:.1f}" if com else "–"
    lo, hi = min(r["jobs_per_s"] for r in rs), max(r["jobs_per_s"] for r in rs)
    p(f"| {system} | {case} | {len(rs)} | {med(rs, 'jobs_per_s'):,.0f} | {lo:,.0f}–{hi:,.0f} "
      f"| {med(rs, 'tasks_per_s'):,.0f} "
      f"| {med(rs, 'p50_ms'):.2f} | {med(rs, 'p90_ms'):.2f} | {med(rs, 'p99_ms'):.2f} "
      f"| {max(r['max_ms'] for r in rs):.1f} | {sum(r['errors'] for r in rs)} | {per} "
      f"| {100 * cpu:.0f} % | {med(rs, 'loadavg1'):.1f} |")
p("")
p("jobs/s: acknowledged jobs (201 from suanwang; an id from sbatch) per second of wall time, "
  "median of the runs, and the range over the runs. "
  "Latency: per request (suanwang: HTTP request sent to whole answer read; sbatch and curl: "
  "process start to exit), medians of the runs' percentiles; max: the largest of all runs. "
  "jobs per fsync: the server's durable job writes over its commits in the run "
  "(suanwang_store_writes_total / suanwang_store_commits_total): how many submissions share "
  "one fsync (group commit; a batch or an array is one write). client CPU: the load "
  "generator's own CPU time over wall time (200 % = both CPUs); for the exec cases the sbatch "
  "and curl processes are not counted in it. load: the 1-minute load average when the runs "
  "started (median): other work on this shared machine.")
p("")

def get(system, case, k="jobs_per_s"):
    rs = cases.get((system, case))
    return med(rs, k) if rs else None
def byrep(system, case, k="jobs_per_s"):
    return {r["rep"]: r[k] for r in cases.get((system, case), [])}
def ratio_text(pairs):
    rs = sorted(pairs)
    if not rs:
        return "–", None
    m = statistics.median(rs)
    rng = f" ({rs[0]:.1f}–{rs[-1]:.1f})" if len(rs) > 1 else ""
    return f"{m:.1f}×{rng}", m
sw_cases = [c for (s_, c) in cases if s_ == "suanwang"]
sl_cases = [c for (s_, c) in cases if s_ == "slurm"]
sw_single = [c for c in sw_cases if c.startswith("single")]
sl_single = [c for c in sl_cases if c.startswith("single")]
reps = sorted({r["rep"] for r in raw if r["system"] != "disk"})
p("## Ratios and targets")
p("")
if sl_single:
    p("Each ratio is taken within one repetition (the two systems' runs of a repetition follow "
      "each other), then the median over the repetitions is shown, with their range.")
    p("")
    p("| comparison | Slurm | suanwang | ratio | target |")
    p("|---|---:|---:|---:|---|")
    def row(label, sl_vals, sw_vals, target=None, unit="/s"):
        pairs = [sw_vals[k] / sl_vals[k] for k in sl_vals if k in sw_vals and sl_vals[k] > 0]
        txt, m = ratio_text(pairs)
        slm = statistics.median(sl_vals.values()) if sl_vals else 0
        swm = statistics.median(sw_vals.values()) if sw_vals else 0
        t = ""
        if target is not None and m is not None:
            t = f"≥ {target}× {'met' if m >= target else 'missed'}"
        p(f"| {label} | {slm:,.0f}{unit} | {swm:,.0f}{unit} | {txt} | {t} |")
    row("single submits, one at a time: sbatch K=1 vs HTTP C=1",
        byrep("slurm", "single, sequential (K=1)"), byrep("suanwang", "single, C=1"), 20)
    best_sl = {k: max(byrep("slurm", c).get(k, 0) for c in sl_single) for k in reps}
    best_sw = {k: max(byrep("suanwang", c).get(k, 0) for c in sw_single) for k in reps}
    row("single submits, best of each (any K vs any C)", best_sl, best_sw, 20)
    for c in sw_single:
        if c != "single, C=1":
            row(f"single submits, HTTP {c[8:]} vs Slurm's best K", best_sl, byrep("suanwang", c))
    row("a process per submit, K=1: curl vs sbatch", byrep("slurm", "single, sequential (K=1)"),
        byrep("suanwang", "curl process per job, K=1"))
    row("a process per submit, K=16: curl vs sbatch", byrep("slurm", "single, K=16 parallel"),
        byrep("suanwang", "curl process per job, K=16"))
    bt = [c for c in sw_cases if c.startswith("batch")]
    if bt:
        best_bt = {k: max(byrep("suanwang", c).get(k, 0) for c in bt) for k in reps}
        row("batches of 100 jobs (best C) vs Slurm's best single", best_sl, best_bt)
    sla = byrep("slurm", f"array of 10000 (K=1)", "tasks_per_s")
    for c in [c for c in sw_cases if c.startswith("array")]:
        row(f"job arrays of 10,000, tasks/s: suanwang {c[-3:]} vs sbatch --array K=1", sla,
            byrep("suanwang", c, "tasks_per_s"))
else:
    p(f"No Slurm here: {meta.get('slurm_missing', 'skipped (--no-slurm)')}; no ratios.")
p("")
p("Targets on suanwang alone (medians of the runs):")
p("")
for c in [c for c in sw_cases if c.startswith("array")]:
    v = get("suanwang", c, "tasks_per_s")
    p(f"- ≥ 100,000 tasks/s as job arrays, {c}: {v:,.0f} tasks/s — {'met' if v >= 1e5 else 'missed'}")
for c in sw_cases:
    if c.startswith("curl") or c.startswith("GET"):
        continue  # a process start is in the curl latencies; GET submits nothing
    v = get("suanwang", c, "p99_ms")
    p(f"- p99 submit latency < 10 ms, {c}: {v:.2f} ms — {'met' if v < 10 else 'missed'}")
p("")
chk = meta.get("sw_check", {})
p("## Checks")
p("")
p(f"- suanwang, after SIGKILL and a restart ({meta.get('restart_s', '?')} s to answer again): "
  f"{chk.get('acknowledged', '?')} ids acknowledged with 201 ({chk.get('acknowledged_distinct', '?')} "
  f"distinct), {chk.get('listed', '?')} jobs listed in {chk.get('pages', '?')} pages of "
  f"GET /v1/jobs?limit=1000&after=…; missing {chk.get('missing', '?')}, listed twice "
  f"{chk.get('listed_twice', '?')}; {chk.get('arrays', '?')} job arrays holding "
  f"{chk.get('array_tasks_total', 0):,} tasks, wrong size {chk.get('arrays_wrong_size', '?')}: "
  f"**{'pass' if chk.get('ok') else 'FAIL'}**. Peak server RSS {meta.get('server_rss_mib', '?')} MiB.")
if "slurm_check" in meta:
    p(f"- Slurm: {meta['slurm_check']}.")
sp = meta.get("sched_passes")
if sp:
    p(f"- suanwang's scheduling loop over the whole run: {sp['count']} passes, "
      f"{sp['sum_s']:.2f} s in all, {sp['over_10ms']} over 10 ms, {sp['over_100ms']} over 100 ms "
      "(suanwang_scheduling_pass_seconds; the placement of new jobs before each pass is not in it).")
d = get("disk", "fdatasync 512 B", "p50_ms")
if d is not None:
    p(f"- The disk: an append of 512 bytes + fdatasync takes {d:.3f} ms (p50), "
      f"{get('disk', 'fdatasync 512 B', 'p99_ms'):.3f} ms (p99), "
      f"{get('disk', 'fdatasync 512 B', 'mean_ms'):.3f} ms on average: "
      f"{get('disk', 'fdatasync 512 B'):,.0f} per second in a loop, the most that one client "
      "waiting for one fsync per job could get.")
p("")
if "perf.single64.self" in meta:
    p("## Profile of the server (perf record -e cpu-clock, separate untimed runs)")
    p("")
    p("This VM gives perf only the software cpu-clock event. A sample that falls while "
      "interrupts are off is charged to where they come back on (finish_task_switch, "
      "_raw_spin_unlock_irqrestore): read those as the cost of context switches and wake-ups. "
      "Frames shown as bare addresses are static functions of libmicrohttpd and libsqlite3, "
      "whose local symbols Debian strips.")
    p("")
    for name, what in (("single1", "1 client, single jobs"),
                       ("single64", "64 clients, single jobs"),
                       ("array4", "4 clients, job arrays of 10,000 tasks")):
        if f"perf.{name}.self" not in meta:
            continue
        run = json.loads(meta.get(f"perf.{name}.run") or "{}") if meta.get(f"perf.{name}.run") else {}
        p(f"### {what}" + (f" ({run.get('jobs_per_s', 0):,.0f} jobs/s, p99 {run.get('p99_ms', 0):.1f} ms under perf)" if run else ""))
        p("")
        p("Self time, by library and function (≥ 1 %):")
        p("")
        p("```")
        p(meta[f"perf.{name}.self"].rstrip())
        p("```")
        p("")
        p("Inclusive time (with callees, ≥ 4 %):")
        p("")
        p("```")
        p(meta[f"perf.{name}.children"].rstrip())
        p("```")
        p("")
print("\n".join(out))
PY
cp "$RAW" "$JL"
cat "$MD"
say "wrote $MD and $JL"
