#!/usr/bin/env bash
# sim_real.sh — `suanwang sim` on the real KTH SP2 log (28,476 records,
# 100 processors; from $SUANWANG_TRACES or ../shared/traces, skipped with a
# reason when absent). For fcfs, sjf, easy, conservative and easy with the
# priority order: exit 0, checks.ok true, 28467 jobs on 100 processors
# (MaxProcs), 0 < utilization <= 1, the same total work (utilization ×
# makespan) under every policy, and a jobs.csv that is a valid schedule,
# checked independently: one row per job, wait = start - submit >= 0,
# end = start + runtime, runtime <= estimate, never more than 100 processors
# in use. FCFS is re-simulated here in a few lines of Python and must match
# job by job. Backfilling must help, as the literature establishes (Mu'alem &
# Feitelson 2001): EASY's and conservative's mean wait and mean bounded
# slowdown are lower than FCFS's.
. "$(dirname "$0")/lib.sh"

KTH=$SW_TRACES/swf/KTH-SP2-1996-2.1-cln.swf
[ -f "$KTH" ] || skip "real trace not found: $KTH (set SUANWANG_TRACES to the traces directory)"

runs=("fcfs" "sjf" "easy" "conservative" "easy --order priority")
names=()
for run in "${runs[@]}"; do
    name=${run// /}
    names+=("$name")
    # shellcheck disable=SC2086 # $run holds a policy and maybe more options
    run_sw sim --trace "$KTH" --policy $run --json --report "$TMP/$name"
    assert_rc 0 "KTH --policy $run"
    assert_eq 1 "$(wc -l <"$TMP/out")" "lines of --json output (KTH --policy $run)"
    cp "$TMP/out" "$TMP/$name.json"
    json_expect "$TMP/$name.json" checks.ok=true jobs=28467 procs=100 \
        'machine_source="MaxProcs"' lines_read=28500 skipped.runtime=8 skipped.procs=1 \
        skipped.total=9 skipped.malformed=0 first_submit=599850 checks.overcommit=0 \
        checks.never_started=0 checks.started_twice=0 checks.reservation_late=0 \
        checks.reservation_moved_later=0
done

# Everything else in one Python run (starting Python is the slow part).
python3 - "$TMP" "${names[@]}" <<'PY' || fail "KTH: see above"
import csv, heapq, json, sys
from collections import deque

tmp, names = sys.argv[1], sys.argv[2:]
P = 100
bad = []


def check_schedule(name, rows):
    """The rows of jobs.csv form a valid schedule (for fcfs: the FCFS one)."""
    if len(rows) != 28467:
        bad.append(f"{name}: {len(rows)} rows in jobs.csv, expected 28467")
    if len({r["id"] for r in rows}) != len(rows):
        bad.append(f"{name}: a job id appears twice in jobs.csv")
    if [(r["submit"], r["id"]) for r in rows] != sorted((r["submit"], r["id"]) for r in rows):
        bad.append(f"{name}: jobs.csv rows are not in trace order (submit, id)")
    for r in rows:
        if not (r["start"] >= r["submit"] and r["wait"] == r["start"] - r["submit"]
                and r["end"] == r["start"] + r["runtime"]
                and 0 < r["runtime"] <= r["estimate"] and 0 < r["procs"] <= P):
            bad.append(f"{name}: inconsistent row {r}")
            break
    # processors in use never exceed the machine (ends before starts at an instant)
    events = sorted([(r["start"], 1, r["procs"]) for r in rows] +
                    [(r["end"], 0, -r["procs"]) for r in rows])
    used = peak = 0
    for _, _, d in events:
        used += d
        peak = max(peak, used)
    if peak > P:
        bad.append(f"{name}: {peak} processors in use at once on a {P}-processor machine")
    if name != "fcfs":
        return
    # FCFS, independently: after all events at an instant, start from the
    # head of the queue (submit, id) while the head fits.
    start = {}
    queue, running, free, i, n = deque(), [], P, 0, len(rows)
    inf = float("inf")
    while i < n or queue:
        t = min(rows[i]["submit"] if i < n else inf, running[0][0] if running else inf)
        while i < n and rows[i]["submit"] <= t:
            queue.append(rows[i])
            i += 1
        while running and running[0][0] <= t:
            free += heapq.heappop(running)[1]
        while queue and queue[0]["procs"] <= free:
            j = queue.popleft()
            start[j["id"]] = t
            free -= j["procs"]
            heapq.heappush(running, (t + j["runtime"], j["procs"]))
    diff = [r for r in rows if start.get(r["id"]) != r["start"]]
    if diff:
        r = diff[0]
        bad.append(f"fcfs: {len(diff)} jobs start other than in an independent FCFS "
                   f"simulation; first, job {r['id']}: suanwang {r['start']}, "
                   f"expected {start.get(r['id'])}")


m, areas = {}, {}
for name in names:
    o = json.load(open(f"{tmp}/{name}.json"))
    m[name] = o
    if not 0 < o["utilization"] <= 1:
        bad.append(f"{name}: utilization {o['utilization']} not in (0, 1]")
    report = json.load(open(f"{tmp}/{name}/metrics.json"))
    plain = {k: v for k, v in o.items() if k not in ("checks", "sim_seconds")}
    if report != plain:
        bad.append(f"{name}: metrics.json differs from the --json output")
    rows = [{k: int(v) for k, v in r.items() if k != "bounded_slowdown"}
            for r in csv.DictReader(open(f"{tmp}/{name}/jobs.csv"))]
    check_schedule(name, rows)
    area = sum(r["procs"] * r["runtime"] for r in rows)
    got = o["utilization"] * o["makespan_s"] * o["procs"]
    if abs(got - area) > 1e-9 * area:
        bad.append(f"{name}: utilization × makespan × procs = {got}, but Σ procs × runtime "
                   f"in jobs.csv = {area}")
    areas[name] = area

# The total work Σ procs × runtime is the same whatever the policy.
if len(set(areas.values())) != 1:
    bad.append(f"total work differs between policies: {areas}")
# Backfilling helps (Mu'alem & Feitelson 2001; Lifka 1995).
for better in ("easy", "conservative"):
    for key in ("mean_wait_s", "mean_bounded_slowdown"):
        if not m[better][key] < m["fcfs"][key]:
            bad.append(f"{better}'s {key} ({m[better][key]}) is not below fcfs's "
                       f"({m['fcfs'][key]})")
for b in bad:
    print("  " + b, file=sys.stderr)
print("mean wait (s): " + ", ".join(f"{n} {m[n]['mean_wait_s']:.0f}" for n in names))
sys.exit(1 if bad else 0)
PY

# The gzip'd filtered KTH log (28,481 jobs, no skips) loads and simulates too.
KTHF=$SW_TRACES/swf/KTH-SP2-filtered.swf.gz
if [ -f "$KTHF" ]; then
    run_sw sim --trace "$KTHF" --policy easy --strict --json
    assert_rc 0 "filtered KTH, easy, --strict"
    json_expect "$TMP/out" jobs=28481 procs=100 skipped.total=0 checks.ok=true
fi

echo "ok: sim_real"
