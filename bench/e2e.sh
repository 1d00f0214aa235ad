#!/usr/bin/env bash
# bench/e2e.sh — end to end, side by side in one run (issue 5 part 6): a real single-host
# Slurm (scripts/slurm-up.sh; jobs really run) and a real `suanwang server` with one local
# `suanwang agent` on this machine (site "bench" of bench/e2e-net.json: 16 × 128 cores, so
# that 1,000 one-core tasks fit at once; the controller places by the network file).
#
#   (a) submit -> done of one /bin/true job, N times sequentially, alternating the systems:
#       Slurm: sbatch --parsable -o /dev/null --wrap /bin/true, then `scontrol show job`
#       until COMPLETED (polled back to back, 1 ms apart); suanwang: POST /v1/jobs, then
#       GET /v1/jobs/ID (keep-alive, 1 ms apart) until completed. Client-side wall time.
#   (b) 1,000 trivial tasks, first submit to last completion: one array of 1,000
#       (sbatch --array=1-1000 / "tasks": 1000) and 1,000 single jobs (8 parallel sbatch
#       processes / 10 POSTs of a batch of 100). Slurm: until squeue is empty;
#       suanwang: until the job's units (array) or the suanwang_jobs{state="completed"}
#       gauge (singles) say all done, polled every 10 ms.
#   (c) suanwang only: 1,000 × `sleep S` as one array on the one agent: time until all
#       1,000 units are `running` (GET /v1/jobs listing), the agent's RSS, open fds,
#       threads and child processes at that moment, and all completed.
#
# usage: bash bench/e2e.sh [--quick] [--no-slurm]
#   --quick     N=10, 300 tasks, sleep 10 (about 1.5 minutes); default N=30, 1,000
#               tasks, sleep 30 (about 4 minutes)
#   --no-slurm  only suanwang
# Writes bench/results/e2e-DATE.md (the table) and bench/results/e2e-DATE.jsonl (raw).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
QUICK=0
SLURM=1
CMDLINE="bash bench/e2e.sh${*:+ $*}"
while [ $# -gt 0 ]; do
    case $1 in
    --quick) QUICK=1; shift ;;
    --no-slurm) SLURM=0; shift ;;
    -h | --help) sed -n '2,/^set -uo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "e2e.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
if [ $QUICK = 1 ]; then export E2E_N=10 E2E_TASKS=300 E2E_SLEEP=10; else export E2E_N=30 E2E_TASKS=1000 E2E_SLEEP=30; fi
say() { echo "e2e.sh: $*" >&2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/sw-bench-e2e.XXXXXX")
chmod 0755 "$WORK" # tasks run as nobody (agent as root); munged wants its folders searchable
SLURM_DIR=$WORK/slurm
SPID= APID=
cleanup() {
    [ -f "$SLURM_DIR/pids" ] && bash "$ROOT/scripts/slurm-down.sh" "$SLURM_DIR" >/dev/null 2>&1
    if [ -n "$APID" ]; then kill -TERM "$APID" 2>/dev/null; wait "$APID" 2>/dev/null; fi
    if [ -n "$SPID" ]; then kill -TERM "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null; fi
    [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

BUILD=$ROOT/build-e2ebench
say "building suanwang (Release) in $BUILD"
# The working tree as it is; when it does not build (others may be half-way through an
# edit), the last commit instead, and the report says which.
CODE="working tree"
build_sw() { # source dir, build dir
    cmake -S "$1" -B "$2" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSW_BUILD_TESTS=OFF >/dev/null &&
        cmake --build "$2" --target suanwang >"$WORK/build.log" 2>&1
}
if ! build_sw "$ROOT" "$BUILD"; then
    grep -m 3 -E 'error' "$WORK/build.log" >&2
    say "the working tree does not build: building the last commit instead"
    mkdir -p "$WORK/head"
    git -C "$ROOT" archive HEAD | tar -x -C "$WORK/head" || { say "git archive failed"; exit 1; }
    BUILD=$ROOT/build-e2ebench-head
    rm -rf "$BUILD"
    build_sw "$WORK/head" "$BUILD" || { tail -20 "$WORK/build.log" >&2; say "build failed"; exit 1; }
    CODE="last commit (the working tree did not build)"
fi
SW=$BUILD/suanwang

# ---- Slurm --------------------------------------------------------------------------
SLURM_UP=0
if [ $SLURM = 1 ]; then
    say "bringing up Slurm in $SLURM_DIR"
    if bash "$ROOT/scripts/slurm-up.sh" "$SLURM_DIR" >"$WORK/slurm-up.out" 2>"$WORK/slurm-up.err"; then
        SLURM_UP=1
        # shellcheck disable=SC1091
        . "$SLURM_DIR/slurm.env"
    else
        say "Slurm not available: $(tail -n 3 "$WORK/slurm-up.err" | tr '\n' ' ')"
    fi
fi

# ---- suanwang: server + one agent ---------------------------------------------------------
DATA=$WORK/sw-data
"$SW" server --listen 127.0.0.1:0 --data "$DATA" --network "$ROOT/bench/e2e-net.json" \
    >"$WORK/server.out" 2>"$WORK/server.err" &
SPID=$!
PORT=
for _ in $(seq 400); do
    PORT=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/server.out" 2>/dev/null)
    [ -n "$PORT" ] && break
    kill -0 "$SPID" 2>/dev/null || break
    sleep 0.025
done
[ -n "$PORT" ] || { cat "$WORK/server.err" >&2; say "the server did not start"; exit 1; }
URL=http://127.0.0.1:$PORT
ADMIN=$(cat "$DATA/admin.token")
api() { curl -sf -H "Authorization: Bearer $ADMIN" -d "$2" "$URL$1"; }
api /v1/tenants '{"name":"lab"}' >/dev/null && api /v1/tenants '{"name":"ops","kind":"provider"}' >/dev/null || { say "tenants failed"; exit 1; }
USER_TOKEN=$(api /v1/tokens '{"tenant":"lab","role":"consumer"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
AGENT_TOKEN=$(api /v1/tokens '{"tenant":"ops","role":"agent","site":"bench"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
[ -n "$USER_TOKEN" ] && [ -n "$AGENT_TOKEN" ] || { say "tokens failed"; exit 1; }
mkdir -p "$WORK/agent" && chmod 0755 "$WORK/agent"
SUANWANG_TOKEN=$AGENT_TOKEN "$SW" agent --server "$URL" --site bench --work "$WORK/agent" --quiet \
    >"$WORK/agent.log" 2>&1 &
APID=$!
for _ in $(seq 200); do
    curl -sf -H "Authorization: Bearer $ADMIN" "$URL/v1/sites" | grep -q '"up": *true' && break
    kill -0 "$APID" 2>/dev/null || { cat "$WORK/agent.log" >&2; say "the agent died"; exit 1; }
    sleep 0.05
done
curl -sf -H "Authorization: Bearer $ADMIN" "$URL/v1/sites" | grep -q '"up": *true' || { cat "$WORK/agent.log" >&2; say "the agent did not register"; exit 1; }
say "server pid $SPID at $URL, agent pid $APID; Slurm up: $SLURM_UP"

# ---- measure -------------------------------------------------------------------------------
DATE=$(date -u +%Y-%m-%d)
mkdir -p "$ROOT/bench/results"
JL=$ROOT/bench/results/e2e-$DATE.jsonl
MD=$ROOT/bench/results/e2e-$DATE.md
: >"$JL"
python3 - "$JL" <<PY
import json, sys
print(json.dumps({"case": "meta", "date": "$(date -u '+%Y-%m-%d %H:%M UTC')", "cmdline": "$CMDLINE",
  "cpus": $(nproc), "cpu_model": "$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)",
  "mem": "$(free -h | awk '/^Mem:/ {print $2}')", "os": "Debian $(cat /etc/debian_version 2>/dev/null), kernel $(uname -r)",
  "commit": "$(git -C "$ROOT" rev-parse --short HEAD)$( [ "$CODE" = "working tree" ] && { git -C "$ROOT" status --porcelain -- src | grep -q . && echo ' + the uncommitted edits in src/ at the time'; } || echo ", $CODE")",
  "slurm": "$( [ $SLURM_UP = 1 ] && sbatch --version)", "loadavg_start": "$(cut -d' ' -f1-3 /proc/loadavg)",
  "n": $E2E_N, "tasks": $E2E_TASKS, "sleep": $E2E_SLEEP}), file=open(sys.argv[1], "a"))
PY
SW_URL=$URL SW_TOKEN=$USER_TOKEN SW_ADMIN=$ADMIN SW_AGENT_PID=$APID SW_SERVER_PID=$SPID \
    E2E_SLURM=$SLURM_UP E2E_RAW=$JL SW_SLURM_DIR=$SLURM_DIR \
    python3 "$ROOT/bench/e2e.py" >"$WORK/e2e.out"
echo "{\"case\": \"end\", \"loadavg_end\": \"$(cut -d' ' -f1-3 /proc/loadavg)\", \"agent_alive\": $(kill -0 $APID 2>/dev/null && echo true || echo false), \"server_alive\": $(kill -0 $SPID 2>/dev/null && echo true || echo false)}" >>"$JL"
grep -iE 'error|warn|fail' "$WORK/agent.log" | head -5 >&2
python3 "$ROOT/bench/e2e_table.py" "$JL" >"$MD"
cat "$MD"
say "wrote $MD and $JL"
