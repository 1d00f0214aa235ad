#!/usr/bin/env bash
# sim_report.sh — `suanwang sim --report DIR` on tests/data/e2e-small.swf:
# it creates DIR and writes metrics.json, jobs.csv and index.html; jobs.csv
# has its header first, one row per job in trace order, and the start times
# worked out by hand in sim_json.sh (with end = start + runtime and
# wait = start - submit); metrics.json holds the same values as the --json
# output of the same run; index.html is self-contained (inline <svg>, no
# http:// or https:// reference, no script, nothing to fetch) and HTML-escapes
# the trace name; a second run into the same DIR replaces the files.
. "$(dirname "$0")/lib.sh"

T=$SW_TEST_DATA_DIR/e2e-small.swf

# Start times of jobs 1..5 (see the hand computation in sim_json.sh).
declare -A starts=(
    [fcfs]="0 100 150 180 200"
    [sjf]="0 120 20 100 120"
    [easy]="0 100 20 250 50"
    [conservative]="0 100 20 150 170"
)

# check_csv FILE "START1 ... START5": the CSV's rows against the trace.
check_csv() {
    python3 - "$1" "$2" <<'PY' || fail "$1: wrong contents (above)"
import csv, sys
path, want_starts = sys.argv[1], [int(x) for x in sys.argv[2].split()]
text = open(path, newline='').read()
assert '\r' not in text, "lines must end in \\n only"
lines = text.split('\n')
assert lines[-1] == '', "the file must end with a newline"
header = lines[0].split(',')
need = ["id", "submit", "start", "end", "procs", "wait", "runtime", "estimate"]
missing = [c for c in need if c not in header]
assert not missing, f"header {lines[0]!r} lacks {missing}"
rows = list(csv.DictReader(lines[:-1]))
# the trace: id -> (submit, procs, runtime, estimate)
trace = {1: (0, 6, 100, 100), 2: (10, 8, 50, 50), 3: (20, 4, 30, 40),
         4: (30, 10, 20, 20), 5: (40, 2, 200, 200)}
ids = [int(r["id"]) for r in rows]
assert ids == [1, 2, 3, 4, 5], f"expected one row per job in trace order, got ids {ids}"
bad = []
for r, start in zip(rows, want_starts):
    i = int(r["id"])
    submit, procs, runtime, estimate = trace[i]
    got = {k: int(r[k]) for k in need}
    want = {"id": i, "submit": submit, "start": start, "end": start + runtime,
            "procs": procs, "wait": start - submit, "runtime": runtime,
            "estimate": estimate}
    if got != want:
        bad.append(f"job {i}: expected {want}, got {got}")
if bad:
    sys.exit("\n".join(bad))
PY
}

for policy in fcfs sjf easy conservative; do
    dir=$TMP/report-$policy # does not exist yet: sim creates it
    run_sw sim --trace "$T" --policy "$policy" --report "$dir"
    assert_rc 0 "sim --policy $policy --report"
    assert_contains "$OUT" "report       $dir/index.html" "summary of --report"
    for f in metrics.json jobs.csv index.html; do
        assert_file "$dir/$f"
    done
    check_csv "$dir/jobs.csv" "${starts[$policy]}"

    # metrics.json == --json output of the same run, less the keys only --json adds
    run_sw sim --trace "$T" --policy "$policy" --json
    assert_rc 0 "sim --policy $policy --json"
    printf '%s\n' "$OUT" >"$TMP/stdout.json"
    python3 - "$dir/metrics.json" "$TMP/stdout.json" <<'PY' || fail "$policy: metrics.json differs from --json (above)"
import json, sys
m = json.load(open(sys.argv[1]))
j = json.load(open(sys.argv[2]))
for k in ("checks", "sim_seconds"):  # added by `sim --json` only
    j.pop(k, None)
if m != j:
    keys = sorted(set(m) | set(j))
    sys.exit("\n".join(f"  {k}: metrics.json {m.get(k)!r}, --json {j.get(k)!r}"
                       for k in keys if m.get(k) != j.get(k)))
PY

    html=$(cat "$dir/index.html")
    assert_contains "$html" "<svg" "$policy index.html"
    assert_contains "$html" "e2e-small.swf" "$policy index.html"
    assert_contains "$html" "<b>$(json_get "$dir/metrics.json" policy)</b>" "$policy index.html"
    assert_contains "$html" "<b>$(json_get "$dir/metrics.json" order)</b>" "$policy index.html"
    for ref in "http://" "https://" "<script" "<link" "<img" "src=" "@import" "url("; do
        assert_not_contains "$html" "$ref" "$policy index.html (must be self-contained)"
    done
done

# --json and --report together: exactly one line on stdout, and the files.
dir=$TMP/both
run_sw sim --trace "$T" --policy easy --json --report "$dir"
assert_rc 0 "sim --json --report"
assert_eq 1 "$(wc -l <"$TMP/out")" "lines printed by --json --report"
json_expect "$TMP/out" 'policy="easy"' mean_wait_s=64.0
json_expect "$dir/metrics.json" 'policy="easy"' mean_wait_s=64.0 makespan_s=270

# A second run into the same directory replaces the files.
run_sw sim --trace "$T" --policy fcfs --report "$dir"
assert_rc 0 "sim --report into an existing directory"
json_expect "$dir/metrics.json" 'policy="fcfs"' mean_wait_s=106.0 makespan_s=400
check_csv "$dir/jobs.csv" "${starts[fcfs]}"

# Text from the input is HTML-escaped in index.html (the trace's file name).
odd='e2e <b>&"x".swf'
cp "$T" "$TMP/$odd"
run_sw sim --trace "$TMP/$odd" --report "$TMP/odd" --json
assert_rc 0 "sim on a trace named $odd"
json_expect "$TMP/out" "trace=\"e2e <b>&\\\"x\\\".swf\""
html=$(cat "$TMP/odd/index.html")
assert_contains "$html" "e2e &lt;b&gt;&amp;" "index.html for trace $odd"
assert_not_contains "$html" "$odd" "index.html for trace $odd"
assert_not_contains "$html" "e2e <b>" "index.html for trace $odd"

echo "ok: sim_report"
