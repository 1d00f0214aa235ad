#!/usr/bin/env bash
# sim_pyss.sh — `suanwang sim --format pyss` on the pyss reference cases
# (../shared/traces/swf/pyss-fixtures, from $SUANWANG_TRACES or the default;
# skipped with a reason when absent). Each job's id there encodes its
# expected finish time (the integer part of "XX.YY"); for every file and
# every policy the file applies to (as its comments and the traces README
# say: FCFS — basic_input.*, extreme_input.0-1, fcfs_input.*; EASY —
# basic_input.*, extreme_input.0-2, bf_input.*, easy_bf_input.*;
# conservative — basic_input.*, extreme_input.0-1, bf_input.*,
# cons_bf_input.*), the run exits 0 with checks.ok true, and every job in
# jobs.csv ends exactly at its expected finish time.
. "$(dirname "$0")/lib.sh"

FIX=$SW_TRACES/swf/pyss-fixtures
[ -d "$FIX" ] || skip "pyss fixtures not found: $FIX (set SUANWANG_TRACES to the traces directory)"

declare -A applies=(
    [fcfs]="basic_input.* extreme_input.0 extreme_input.1 fcfs_input.*"
    [easy]="basic_input.* extreme_input.0 extreme_input.1 extreme_input.2 bf_input.* easy_bf_input.*"
    [conservative]="basic_input.* extreme_input.0 extreme_input.1 bf_input.* cons_bf_input.*"
)

# Run every case; the comparison is one Python run over the list in $TMP/cases
# (lines: policy fixture-path report-dir).
: >"$TMP/cases"
n=0
for policy in fcfs easy conservative; do
    for pattern in ${applies[$policy]}; do
        for f in "$FIX"/$pattern; do
            [ -f "$f" ] || fail "fixture missing: $f"
            n=$((n + 1))
            dir=$TMP/r$n
            run_sw sim --format pyss --trace "$f" --policy "$policy" --json --report "$dir"
            assert_rc 0 "pyss $(basename "$f") --policy $policy"
            cp "$TMP/out" "$dir/stdout.json"
            printf '%s %s %s\n' "$policy" "$f" "$dir" >>"$TMP/cases"
        done
    done
done
[ "$n" -ge 100 ] || fail "only $n fixture runs; expected well over 100"

python3 - "$TMP/cases" <<'PY' || fail "pyss fixtures: wrong schedules (above)"
import csv, json, re, sys

bad = []
for line in open(sys.argv[1]):
    policy, fixture, rdir = line.split()
    name = fixture.rsplit("/", 1)[-1]
    # job lines, numbered from 1 as suanwang's ids (dropped jobs count too)
    expected, n = {}, 0
    for text in open(fixture):
        fields = text.split("#", 1)[0].split()
        if not fields:
            continue
        n += 1
        m = re.match(r"\d+", fields[1])
        expected[n] = int(m.group(0)) if m else None
    o = json.load(open(f"{rdir}/stdout.json"))
    if not o["checks"]["ok"]:
        bad.append(f"{name} ({policy}): checks failed: {o['checks']}")
    rows = list(csv.DictReader(open(f"{rdir}/jobs.csv")))
    if len(rows) != o["jobs"] or len(rows) + o["skipped"]["total"] != n:
        bad.append(f"{name} ({policy}): {len(rows)} rows, {o['jobs']} jobs, "
                   f"{o['skipped']['total']} skipped, {n} job lines")
    for r in rows:
        want = expected.get(int(r["id"]))
        if want is not None and int(r["end"]) != want:
            bad.append(f"{name} ({policy}): job {r['id']} (line label {want}) "
                       f"ends at {r['end']}")
for b in bad[:30]:
    print("  " + b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY

echo "ok: sim_pyss ($n runs)"
