#!/usr/bin/env bash
# sim_options.sh — how `suanwang sim` loads a trace and sizes the machine,
# with values worked out by hand:
#  - --first N keeps the first N jobs (after the skips, in submit order);
#  - --procs N overrides the machine size (jobs wider than it are skipped as
#    too_big); without it the size comes from MaxProcs, else MaxNodes, else
#    the largest job, and machine_source says which;
#  - the skip rules of docs/swf.md (tests/data/e2e-skips.swf), the runtime
#    cap at the estimate, procs from field 5, estimate = runtime when unknown;
#  - jobs are simulated in submit order whatever the file order;
#  - a trace with no jobs gives all-zero metrics and exit 0.
. "$(dirname "$0")/lib.sh"

T=$SW_TEST_DATA_DIR/e2e-small.swf # schedules in sim_json.sh
S=$SW_TEST_DATA_DIR/e2e-skips.swf

sim_json() {
    run_sw sim "$@" --json
    assert_rc 0 "sim $*"
    cp "$TMP/out" "$TMP/run.json"
}

# --- --first -------------------------------------------------------------------
# FCFS, first 3 jobs of e2e-small: starts 0, 100, 150 as with all five
# (jobs 4 and 5 come later in the queue): waits 0, 90, 130.
sim_json --trace "$T" --first 3
json_expect "$TMP/run.json" jobs=3 mean_wait_s=220/3 max_wait_s=130 makespan_s=180 \
    utilization='(600+400+120)/(10*180)' skipped.total=0
# EASY, first 4: as in sim_json.sh without job 5, 4 starts at 150 (2 ends).
sim_json --trace "$T" --first 4 --policy easy
json_expect "$TMP/run.json" jobs=4 mean_wait_s='(0+90+0+120)/4' max_wait_s=120 makespan_s=170
# More than there are: all of them.
sim_json --trace "$T" --first 1000
json_expect "$TMP/run.json" jobs=5 mean_wait_s=106.0
# --first counts after the skips: the first job kept in e2e-skips.swf is 6.
sim_json --trace "$S" --first 1 --report "$TMP/first1"
json_expect "$TMP/run.json" jobs=1 first_submit=10 last_end=110 mean_wait_s=0.0
assert_eq "id,6" "$(cut -d, -f1 "$TMP/first1/jobs.csv" | paste -sd,)" "jobs.csv ids with --first 1"

# --- --procs and the machine size ----------------------------------------------
# 20 processors, FCFS: 1, 2, 3 start on arrival (18 in use); 4 (10) waits
# for 2 to end at 60, and 5 waits behind it; both start at 60.
# Waits 0 0 0 30 20; ends 100 60 50 80 260.
sim_json --trace "$T" --procs 20
json_expect "$TMP/run.json" procs=20 'machine_source="--procs"' jobs=5 \
    mean_wait_s=10.0 max_wait_s=30 makespan_s=260 utilization=1720/5200 skipped.too_big=0
# 5 processors: jobs 1 (6), 2 (8) and 4 (10) are too big. 3 runs 20-50;
# 5 (2) arrives at 40 with 1 free and starts at 50, ends 250.
sim_json --trace "$T" --procs 5
json_expect "$TMP/run.json" procs=5 'machine_source="--procs"' jobs=2 skipped.too_big=3 \
    skipped.total=3 mean_wait_s=5.0 first_submit=20 last_end=250 makespan_s=230 \
    utilization='(120+400)/(5*230)'
# 1 processor: every job is too big; nothing to simulate is not an error.
sim_json --trace "$T" --procs 1
json_expect "$TMP/run.json" procs=1 jobs=0 skipped.too_big=5 mean_wait_s=0.0 \
    utilization=0.0 makespan_s=0 checks.ok=true

# Header variants of e2e-small.swf (MaxProcs: 10 in the original).
grep -v '^;' "$T" >"$TMP/noheader.swf"
{ echo "; MaxNodes: 12"; cat "$TMP/noheader.swf"; } >"$TMP/maxnodes.swf"
{ echo "; MaxNodes: 12"; echo "; MaxProcs: 10"; cat "$TMP/noheader.swf"; } >"$TMP/both.swf"
sim_json --trace "$TMP/noheader.swf"
json_expect "$TMP/run.json" procs=10 'machine_source="largest job"' mean_wait_s=106.0
sim_json --trace "$TMP/maxnodes.swf"
json_expect "$TMP/run.json" procs=12 'machine_source="MaxNodes"' jobs=5
sim_json --trace "$TMP/both.swf"
json_expect "$TMP/run.json" procs=10 'machine_source="MaxProcs"' mean_wait_s=106.0
sim_json --trace "$TMP/both.swf" --procs 20
json_expect "$TMP/run.json" procs=20 'machine_source="--procs"' mean_wait_s=10.0
run_sw sim --trace "$TMP/maxnodes.swf"
assert_contains "$OUT" "12 processors (MaxNodes)" "summary"

# --- skip rules, runtime cap, field fallbacks (e2e-skips.swf) ------------------
# Kept: 6 (submit 10, 4 procs, ran 150 s > its 100 s limit: runtime 100) and
# 7 (submit 20, procs 6 from field 5, estimate = runtime = 30). FCFS on 8:
# 6 runs 10-110; 7 needs 6 with 4 free and starts at 110, ends 140.
sim_json --trace "$S" --report "$TMP/skips"
json_expect "$TMP/run.json" jobs=2 procs=8 lines_read=21 \
    skipped.runtime=3 skipped.procs=1 skipped.submit=1 skipped.too_big=1 \
    skipped.estimate=0 skipped.malformed=0 skipped.total=6 \
    mean_wait_s=45.0 max_wait_s=90 first_submit=10 last_end=140 makespan_s=130 \
    utilization='(4*100+6*30)/(8*130)' mean_bounded_slowdown=2.5 checks.ok=true
expected_csv="6,10,10,110,4,0,100,100
7,20,110,140,6,90,30,30"
assert_eq "$expected_csv" "$(tail -n +2 "$TMP/skips/jobs.csv" | cut -d, -f1-8)" \
    "jobs.csv of e2e-skips.swf (id,submit,start,end,procs,wait,runtime,estimate)"
run_sw sim --trace "$S"
assert_contains "$OUT" "2 simulated, 6 skipped" "summary of e2e-skips.swf"
assert_contains "$OUT" "runtime<=0 3, procs<=0 1, submit<0 1, too big 1" "summary of e2e-skips.swf"

# --- file order does not matter: jobs run in submit order ---------------------
{ grep '^;' "$T"; grep -v '^;' "$T" | tac; } >"$TMP/reversed.swf"
for pol in fcfs easy conservative; do
    sim_json --trace "$T" --policy "$pol"
    cp "$TMP/run.json" "$TMP/a.json"
    sim_json --trace "$TMP/reversed.swf" --policy "$pol"
    python3 - "$TMP/a.json" "$TMP/run.json" <<'PY' || fail "$pol: reversed file order changed the metrics"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
for o in (a, b):
    del o["trace"], o["sim_seconds"]
sys.exit(a != b)
PY
done

# --- no jobs at all ------------------------------------------------------------
printf '; MaxProcs: 10\n; no jobs\n' >"$TMP/empty.swf"
for pol in fcfs easy conservative; do
    sim_json --trace "$TMP/empty.swf" --policy "$pol" --report "$TMP/empty-$pol"
    json_expect "$TMP/run.json" jobs=0 procs=10 mean_wait_s=0.0 max_wait_s=0 \
        mean_bounded_slowdown=0.0 utilization=0.0 makespan_s=0 checks.ok=true
    assert_eq "1" "$(wc -l <"$TMP/empty-$pol/jobs.csv")" "jobs.csv lines with no jobs"
    assert_file "$TMP/empty-$pol/index.html"
done

echo "ok: sim_options"
