#!/usr/bin/env bash
# prom_promtool.sh — the /metrics text (src/server/prom.c) checked by the
# real Prometheus parser and linter, `promtool check metrics` (Debian
# package "prometheus"); skipped (77) when promtool is not installed.
#  - `test_prom --render` (built beside the binary, in tests/) prints a
#    registry shaped like the controller's: every family of docs/metrics.md,
#    with label values that need escaping (quote, backslash, newline),
#    exponents, histograms with labels;
#  - promtool must parse it and report no problem at all (exit 0, no
#    output): naming conventions (_total on counters only, base units,
#    snake_case), help text, histogram suffixes;
#  - the families rendered are exactly those docs/metrics.md lists;
#  - promtool itself must reject a known-bad text (so a silent promtool
#    cannot make this test pass).
# Builds nothing; needs the build's tests/test_prom ($TEST_PROM overrides).
. "$(dirname "$0")/lib.sh"

command -v promtool >/dev/null 2>&1 ||
    skip "promtool not found (Debian: apt-get install prometheus; it ships /usr/bin/promtool)"

TEST_PROM=${TEST_PROM:-$(dirname "$SUANWANG")/tests/test_prom}
[ -x "$TEST_PROM" ] || fail "test program not found or not executable: $TEST_PROM (set TEST_PROM)"
DOC=$E2E_REPO/docs/metrics.md
[ -f "$DOC" ] || fail "missing $DOC"

# --- the sample registry ----------------------------------------------------
"$TEST_PROM" --render >"$TMP/metrics.txt" 2>"$TMP/render.err" ||
    fail "$TEST_PROM --render failed: $(cat "$TMP/render.err")"
assert_file "$TMP/metrics.txt"
TEXT=$(cat "$TMP/metrics.txt")
assert_contains "$TEXT" '# TYPE suanwang_http_request_duration_seconds histogram' "rendered text"
assert_contains "$TEXT" 'code="200",le="+Inf"} 1' "rendered text"
assert_contains "$TEXT" 'site="shao\"guan\""' "rendered text"
assert_contains "$TEXT" 'site="line\nbreak"' "rendered text"

# --- promtool: parse and lint -------------------------------------------------
promtool check metrics <"$TMP/metrics.txt" >"$TMP/promtool.out" 2>&1
RC=$?
PROMTOOL_SAID=$(cat "$TMP/promtool.out")
if [ "$RC" != 0 ] || [ -n "$PROMTOOL_SAID" ]; then
    fail "promtool check metrics exited $RC and said:
$PROMTOOL_SAID
--- input:
$TEXT"
fi

# --- the families are those documented ------------------------------------------
rendered=$(sed -n 's/^# TYPE \([^ ]*\) .*/\1/p' "$TMP/metrics.txt" | sort)
documented=$(sed -n 's/^| `\(suanwang_[a-z_]*\)`.*/\1/p' "$DOC" | sort)
[ -n "$documented" ] || fail "no metric table rows (| \`suanwang_...\` |) found in $DOC"
assert_eq "$documented" "$rendered" "families in docs/metrics.md vs test_prom --render"

# --- promtool is awake: it must reject a counter without _total ----------------
printf '# HELP bad_count x\n# TYPE bad_count counter\nbad_count 1\n' >"$TMP/bad.txt"
promtool check metrics <"$TMP/bad.txt" >"$TMP/bad.out" 2>&1 &&
    fail "promtool accepted a counter without _total: $(cat "$TMP/bad.out")"
assert_contains "$(cat "$TMP/bad.out")" "_total" "promtool's complaint"

echo "prom_promtool: promtool $(promtool --version 2>&1 | sed -n '1s/^promtool, version //p')" \
    "found no problem in $(wc -l <"$TMP/metrics.txt") lines"
