#!/usr/bin/env bash
# sim_errors.sh — bad and compressed input to `suanwang sim`:
#  - a malformed line in lenient mode (the default) is skipped with a warning
#    on stderr naming file:line and the field, the run exits 0, the line is
#    counted in skipped.malformed and the schedule is that of the clean trace;
#  - with --strict the run exits 1 and the message names file, line and field;
#  - after 10 warnings the rest are counted only, with one line saying so;
#  - a gzip'd copy gives the same metrics as the plain file (only the trace
#    name differs), also when its name does not end in .gz; a truncated gzip
#    file exits 1 naming the file;
#  - a malformed pyss file fails naming file and line.
. "$(dirname "$0")/lib.sh"

T=$SW_TEST_DATA_DIR/e2e-small.swf
M=$SW_TEST_DATA_DIR/e2e-malformed.swf # e2e-small.swf plus line 8: field 4 is "abc"

# --- lenient mode ---------------------------------------------------------
run_sw sim --trace "$M" --json
assert_rc 0 "lenient run on $M"
assert_contains "$ERR" "warning" "stderr of the lenient run"
assert_contains "$ERR" "e2e-malformed.swf:8:" "stderr of the lenient run (file:line)"
assert_contains "$ERR" "field 4 (run time)" "stderr of the lenient run (field)"
assert_contains "$ERR" '"abc"' "stderr of the lenient run (the bad text)"
assert_eq 1 "$(printf '%s\n' "$ERR" | grep -c .)" "number of stderr lines of the lenient run"
assert_eq 1 "$(wc -l <"$TMP/out")" "lines on stdout of the lenient run"
cp "$TMP/out" "$TMP/lenient.json"
json_expect "$TMP/lenient.json" jobs=5 lines_read=9 skipped.malformed=1 skipped.total=1 \
    checks.ok=true mean_wait_s=106.0 makespan_s=400 max_wait_s=160

run_sw sim --trace "$M"
assert_rc 0 "lenient run on $M (summary)"
assert_contains "$OUT" "5 simulated, 1 skipped" "summary of the lenient run"
assert_contains "$OUT" "malformed 1" "summary of the lenient run"

# --- strict mode ------------------------------------------------------------
for pol in fcfs easy; do
    run_sw sim --trace "$M" --strict --policy "$pol" --json
    assert_rc 1 "--strict on $M"
    assert_contains "$ERR" "$M:8:" "stderr of --strict (file:line)"
    assert_contains "$ERR" "field 4 (run time)" "stderr of --strict (field)"
    assert_not_contains "$ERR" "warning" "stderr of --strict"
    assert_eq "" "$OUT" "stdout of --strict"
done
# --strict on a clean trace changes nothing.
run_sw sim --trace "$T" --strict --json
assert_rc 0 "--strict on a clean trace"
json_expect "$TMP/out" jobs=5 skipped.total=0 mean_wait_s=106.0

# --- many malformed lines: 10 warnings, then one line, then silence ----------
{
    echo "; MaxProcs: 4"
    for i in $(seq 1 15); do
        echo "$i $i -1 10 1 -1 -1 1 10 -1 1 1 1 -1 -1 -1 -1" # 17 fields
    done
    echo "16 20 -1 10 1 -1 -1 1 10 -1 1 1 1 -1 -1 -1 -1 -1"
} >"$TMP/many-bad.swf"
run_sw sim --trace "$TMP/many-bad.swf" --json
assert_rc 0 "lenient run with 15 malformed lines"
assert_eq 10 "$(printf '%s\n' "$ERR" | grep -c 'many-bad.swf:[0-9]*:')" \
    "warnings naming a line"
assert_contains "$ERR" "many-bad.swf:2:" "first warning"
assert_contains "$ERR" "many-bad.swf:11:" "tenth warning"
assert_not_contains "$ERR" "many-bad.swf:12:" "warnings after the tenth"
assert_contains "$ERR" "more malformed lines" "stderr after 10 warnings"
assert_eq 11 "$(printf '%s\n' "$ERR" | grep -c .)" "stderr lines with 15 malformed lines"
json_expect "$TMP/out" jobs=1 skipped.malformed=15 lines_read=17 checks.ok=true
run_sw sim --trace "$TMP/many-bad.swf" --strict
assert_rc 1 "--strict with 15 malformed lines"
assert_contains "$ERR" "many-bad.swf:2:" "--strict stops at the first bad line"
assert_contains "$ERR" "18" "--strict names the expected field count"

# --- gzip ---------------------------------------------------------------------
# compare FILE_A FILE_B: the same JSON but for trace and sim_seconds
same_metrics() {
    python3 - "$1" "$2" <<'PY' || fail "metrics of $1 and $2 differ (above)"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for o in (a, b):
    o.pop("trace"); o.pop("sim_seconds")
diff = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
if diff:
    sys.exit("\n".join(f"  {k}: {a.get(k)!r} vs {b.get(k)!r}" for k in diff))
PY
}

gzip -c "$T" >"$TMP/e2e-small.swf.gz" || fail "gzip failed"
cp "$TMP/e2e-small.swf.gz" "$TMP/gzip-without-suffix.swf"
for pol in fcfs sjf easy conservative; do
    run_sw sim --trace "$T" --policy "$pol" --json
    assert_rc 0 "plain $pol"
    cp "$TMP/out" "$TMP/plain.json"
    run_sw sim --trace "$TMP/e2e-small.swf.gz" --policy "$pol" --json
    assert_rc 0 "gzip $pol"
    cp "$TMP/out" "$TMP/gz.json"
    json_expect "$TMP/gz.json" 'trace="e2e-small.swf.gz"' jobs=5
    same_metrics "$TMP/plain.json" "$TMP/gz.json"
done
run_sw sim --trace "$TMP/gzip-without-suffix.swf" --json
assert_rc 0 "gzip content under a .swf name"
cp "$TMP/out" "$TMP/gz2.json"
run_sw sim --trace "$T" --json
cp "$TMP/out" "$TMP/plain.json"
same_metrics "$TMP/plain.json" "$TMP/gz2.json"

# The malformed trace, gzip'd: the same warning, naming the .gz file.
gzip -c "$M" >"$TMP/e2e-malformed.swf.gz"
run_sw sim --trace "$TMP/e2e-malformed.swf.gz" --json
assert_rc 0 "lenient gzip run"
assert_contains "$ERR" "e2e-malformed.swf.gz:8: field 4" "warning for the gzip'd trace"
json_expect "$TMP/out" skipped.malformed=1 jobs=5

# A truncated gzip file is an error in both modes.
size=$(wc -c <"$TMP/e2e-small.swf.gz")
head -c $((size / 2)) "$TMP/e2e-small.swf.gz" >"$TMP/truncated.swf.gz"
for mode in "" --strict; do
    run_sw sim --trace "$TMP/truncated.swf.gz" $mode --json
    assert_rc 1 "truncated gzip $mode"
    assert_contains "$ERR" "truncated.swf.gz" "stderr for a truncated gzip file"
    assert_contains "$ERR" "unexpected end of file" "stderr for a truncated gzip file"
    assert_eq "" "$OUT" "stdout for a truncated gzip file"
done

# --- pyss: any malformed line fails, naming file and line ---------------------
printf '# two jobs, the second malformed\n0 10 10 1 10 0 0 uid_1\n5 20 x 1 10 0 0 uid_1\n' \
    >"$TMP/bad.pyss"
run_sw sim --format pyss --trace "$TMP/bad.pyss" --json
assert_rc 1 "malformed pyss file"
assert_contains "$ERR" "bad.pyss:3" "stderr for a malformed pyss file"
assert_eq "" "$OUT" "stdout for a malformed pyss file"

echo "ok: sim_errors"
