#!/usr/bin/env bash
# sim_json.sh — `suanwang sim --json` on tests/data/e2e-small.swf, a 5-job
# trace whose schedule under every policy is worked out by hand below: the
# command exits 0 and prints exactly one line, one JSON object, holding every
# documented key with its documented JSON type, the hand-computed values for
# fcfs, sjf, easy, conservative and fcfs with a size-only priority order, and
# checks.ok true. The human summary (without --json) shows the same numbers.
. "$(dirname "$0")/lib.sh"

T=$SW_TEST_DATA_DIR/e2e-small.swf

# The trace (10 processors from "; MaxProcs: 10"; times in s):
#
#   job  submit  procs  runtime  estimate
#    1      0      6      100      100
#    2     10      8       50       50
#    3     20      4       30       40     ends 10 s before its estimate
#    4     30     10       20       20     needs the whole machine
#    5     40      2      200      200
#
# Σ procs × runtime = 600 + 400 + 120 + 200 + 400 = 1720; Σ runtime = 400.
# bounded slowdown = max(1, (wait + runtime) / max(runtime, 10)).
#
# FCFS: 1 starts at 0. 2 (8) does not fit beside 1 (4 free), and 3, 4, 5 wait
# behind it. t=100: 1 ends, 2 starts (2 free); 3 (4) does not fit. t=150: 2
# ends, 3 starts (6 free); 4 (10) does not fit. t=180: 3 ends, 4 starts.
# t=200: 4 ends, 5 starts, ends at 400.
#   starts 0 100 150 180 200, waits 0 90 130 150 160: mean 530/5 = 106,
#   max 160, median (rank 3 of 5) 130, p95 (rank 5) 160.
#   slowdowns 1, 140/50 = 2.8, 160/30, 170/20 = 8.5, 360/200 = 1.8.
#   makespan 400, utilization 1720 / (10 × 400) = 0.43,
#   mean response (530 + 400) / 5 = 186. Max queue 4 (jobs 2-5 at t=40).
#
# SJF (fcfs, estimate order): t=20: 3 (estimate 40) goes ahead of 2 (50) and
# fits in the 4 free: starts at 20, ends at 50. Queue then 4 (20), 2 (50),
# 5 (200). t=100: 1 ends, 4 starts (all 10), ends 120. t=120: 2 starts (2 free),
# 5 starts (2), ends 320.
#   starts 0 120 20 100 120, waits 0 110 0 70 80: mean 52, max 110,
#   median 70, p95 110. slowdowns 1, 160/50 = 3.2, 1, 90/20 = 4.5, 280/200 = 1.4
#   (mean 11.1/5 = 2.22). makespan 320, utilization 1720/3200 = 0.5375,
#   mean response 660/5 = 132. Max queue 3.
#
# EASY: t=10: 2 is the head; the shadow time is 100 (1 ends), extra = 10 - 8
# = 2. t=20: 3 fits now (4 free) and ends by 20 + 40 = 60 <= 100: backfilled.
# t=30, 40: nothing free. t=50: 3 ends (early); 4 (10) does not fit; 5 fits
# (2 of 4 free), ends after the shadow time but needs 2 <= extra 2:
# backfilled, runs 50-250. t=100: 1 ends, 2 starts (8 free). 4 is the head,
# shadow 250 (5 ends). t=250: 4 starts, ends 270. (5 delayed 4, the second
# job in the queue, which EASY allows.)
#   starts 0 100 20 250 50, waits 0 90 0 220 10: mean 64, max 220, median 10,
#   p95 220. slowdowns 1, 2.8, 1, 240/20 = 12, 210/200 = 1.05 (mean 17.85/5
#   = 3.57). makespan 270, utilization 1720/2700, mean response 720/5 = 144.
#   Max queue 3.
#
# Conservative: reservations on arrival: 1 at 0; 2 at 100 (100-150); 3 at 20
# (20-60, 4 free then), starts; 4 at 150 (150-170); 5 (2 procs for 200 s) at
# 170: before that 150-170 is full. t=50: 3 ends early; compressing in queue
# order finds nothing earlier for 2 (100), 4 (150) or 5 (170: starting
# earlier would overlap 4's whole-machine slot). 2 starts at 100, 4 at 150,
# 5 at 170, ends 370.
#   starts 0 100 20 150 170, waits 0 90 0 120 130: mean 68, max 130,
#   median 90, p95 130. slowdowns 1, 2.8, 1, 140/20 = 7, 330/200 = 1.65 (mean
#   13.45/5 = 2.69). makespan 370, utilization 1720/3700, mean response
#   740/5 = 148. Max queue 3.
#
# FCFS with --order priority --priority-weights 0,0,1000 (size only, the
# largest first; static, so the order is procs descending): t=100: 4 (10)
# starts, ends 120; 2 starts at 120, ends 170; 3 and 5 start at 170.
#   starts 0 120 170 100 170, waits 0 110 150 70 130: mean 92, max 150,
#   median 110, p95 150. slowdowns 1, 3.2, 180/30 = 6, 4.5, 1.65 (mean
#   16.35/5 = 3.27). makespan 370, utilization 1720/3700, mean response
#   (460 + 400)/5 = 172.
# With --favor-small the order is procs ascending and the schedule is EASY's
# above: 3 starts at 20, 5 at 50, 2 at 100, 4 at 250.

# Run `suanwang sim --trace T ARGS --json`; check it prints one line that is
# one JSON object, with every documented key of the right type; leave it in
# $TMP/run.json.
sim_json() {
    run_sw sim --trace "$T" "$@" --json
    assert_rc 0 "sim $*"
    local lines
    lines=$(wc -l <"$TMP/out")
    assert_eq 1 "$lines" "number of lines printed by sim $* --json"
    cp "$TMP/out" "$TMP/run.json"
    python3 - "$TMP/run.json" <<'PY' || fail "sim $* --json: bad JSON object (above)"
import json, sys
text = open(sys.argv[1]).read()
assert text.endswith('\n') and text.count('\n') == 1, "not exactly one line"
o = json.loads(text)
assert isinstance(o, dict), "not an object"
ints = ["jobs", "procs", "max_wait_s", "bounded_slowdown_tau_s", "makespan_s",
        "first_submit", "last_end", "max_queued", "lines_read"]
reals = ["mean_wait_s", "median_wait_s", "p95_wait_s", "mean_bounded_slowdown",
         "max_bounded_slowdown", "mean_response_s", "utilization", "sim_seconds"]
strs = ["trace", "policy", "order", "machine_source"]
bad = [k for k in ints if type(o.get(k)) is not int]
bad += [k for k in reals if type(o.get(k)) is not float]
bad += [k for k in strs if type(o.get(k)) is not str]
skips = ["runtime", "procs", "submit", "too_big", "estimate", "malformed", "total"]
bad += ["skipped." + k for k in skips if type(o.get("skipped", {}).get(k)) is not int]
checks = ["overcommit", "started_twice", "never_started", "reservation_late",
          "reservation_moved_later"]
bad += ["checks." + k for k in checks if type(o.get("checks", {}).get(k)) is not int]
if type(o.get("checks", {}).get("ok")) is not bool:
    bad.append("checks.ok")
if bad:
    sys.exit("missing or of the wrong JSON type: " + ", ".join(bad))
PY
}

common=(
    'trace="e2e-small.swf"' jobs=5 procs=10 'machine_source="MaxProcs"'
    bounded_slowdown_tau_s=10 first_submit=0 lines_read=10
    skipped.total=0 skipped.malformed=0 checks.ok=true
    checks.overcommit=0 checks.started_twice=0 checks.never_started=0
    checks.reservation_late=0 checks.reservation_moved_later=0
)

sim_json --policy fcfs
json_expect "$TMP/run.json" "${common[@]}" 'policy="fcfs"' 'order="submit"' \
    mean_wait_s=106.0 max_wait_s=160 median_wait_s=130.0 p95_wait_s=160.0 \
    mean_bounded_slowdown='(1+2.8+160/30+8.5+1.8)/5' max_bounded_slowdown=8.5 \
    mean_response_s=186.0 utilization=1720/4000 makespan_s=400 last_end=400 max_queued=4

# The default policy is fcfs in submit order.
sim_json
json_expect "$TMP/run.json" 'policy="fcfs"' 'order="submit"' mean_wait_s=106.0 makespan_s=400

sim_json --policy sjf
json_expect "$TMP/run.json" "${common[@]}" 'policy="fcfs"' 'order="estimate"' \
    mean_wait_s=52.0 max_wait_s=110 median_wait_s=70.0 p95_wait_s=110.0 \
    mean_bounded_slowdown=11.1/5 max_bounded_slowdown=4.5 \
    mean_response_s=132.0 utilization=1720/3200 makespan_s=320 last_end=320 max_queued=3

sim_json --policy easy
json_expect "$TMP/run.json" "${common[@]}" 'policy="easy"' 'order="submit"' \
    mean_wait_s=64.0 max_wait_s=220 median_wait_s=10.0 p95_wait_s=220.0 \
    mean_bounded_slowdown=17.85/5 max_bounded_slowdown=12.0 \
    mean_response_s=144.0 utilization=1720/2700 makespan_s=270 last_end=270 max_queued=3

sim_json --policy conservative
json_expect "$TMP/run.json" "${common[@]}" 'policy="conservative"' 'order="submit"' \
    mean_wait_s=68.0 max_wait_s=130 median_wait_s=90.0 p95_wait_s=130.0 \
    mean_bounded_slowdown=13.45/5 max_bounded_slowdown=7.0 \
    mean_response_s=148.0 utilization=1720/3700 makespan_s=370 last_end=370 max_queued=3

sim_json --order priority --priority-weights 0,0,1000
json_expect "$TMP/run.json" "${common[@]}" 'policy="fcfs"' 'order="priority"' \
    mean_wait_s=92.0 max_wait_s=150 median_wait_s=110.0 p95_wait_s=150.0 \
    mean_bounded_slowdown=16.35/5 max_bounded_slowdown=6.0 \
    mean_response_s=860/5 utilization=1720/3700 makespan_s=370

sim_json --order priority --priority-weights 0,0,1000 --favor-small
json_expect "$TMP/run.json" "${common[@]}" 'order="priority"' \
    mean_wait_s=64.0 max_wait_s=220 makespan_s=270

# --policy sets the order; a later --order overrides it, and order "estimate"
# with fcfs is sjf.
sim_json --order estimate
json_expect "$TMP/run.json" 'policy="fcfs"' 'order="estimate"' mean_wait_s=52.0
sim_json --order estimate --policy easy
json_expect "$TMP/run.json" 'policy="easy"' 'order="estimate"'

# --- the human summary shows the same run --------------------------------
run_sw sim --trace "$T" --policy easy
assert_rc 0 "sim --policy easy (summary)"
assert_contains "$OUT" "e2e-small.swf" "summary"
assert_contains "$OUT" "10 processors (MaxProcs)" "summary"
assert_contains "$OUT" "policy       easy, queue order submit" "summary"
assert_contains "$OUT" "5 simulated, 0 skipped" "summary"
assert_contains "$OUT" "mean 64.0 s, median 10 s, p95 220 s, max 220 s" "summary"
assert_contains "$OUT" "mean bounded 3.570, max 12.0" "summary"
assert_contains "$OUT" "63.70%" "summary (utilization 1720/2700)"
assert_contains "$OUT" "makespan     270 s" "summary"
assert_contains "$OUT" "checks       ok" "summary"
assert_not_contains "$OUT" "{" "summary"

echo "ok: sim_json"
