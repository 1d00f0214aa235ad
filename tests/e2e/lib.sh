# lib.sh — helpers for the end-to-end tests in tests/e2e/*.sh, which source it.
# ctest also runs it as e2e/lib (tests/CMakeLists.txt takes every *.sh): then
# it checks the helpers themselves (see the end of this file).
#
# Environment (set by tests/CMakeLists.txt; defaults let a script run by hand
# from the repository root after `cmake --build build`):
#   SUANWANG           the built binary            (default: build/suanwang)
#   SW_TEST_DATA_DIR   tests/data                  (default: beside this file)
#   SUANWANG_TRACES    the real traces, if set; else SW_TRACES_DEFAULT
#                      (default: ../shared/traces beside the repository)
#
# Helpers:
#   fail MSG...              print "FAIL: MSG" and exit 1
#   skip MSG...              print "SKIP: MSG" and exit 77 (ctest: skipped)
#   run_sw ARGS...           run the binary; stdout in $OUT (file $TMP/out),
#                            stderr in $ERR (file $TMP/err), exit status in $RC
#   assert_rc N [WHAT]       $RC == N, else fail showing stderr
#   assert_eq WANT GOT [WHAT]
#   assert_contains TEXT NEEDLE [WHAT]    / assert_not_contains
#   assert_file FILE         FILE exists, is a plain file and not empty
#   json_get FILE PATH       print one value of a JSON object (PATH: a.b.c);
#                            strings raw, everything else as JSON
#   json_expect FILE K=V...  every K (a dotted path) has the value V: a JSON
#                            literal (true, null, "text") or a number or an
#                            arithmetic expression such as 1720/4000, compared
#                            to 1e-12 relative; an integer V wants a JSON
#                            integer equal to it, a real V (106.0, 1/3) a
#                            JSON real. Reports every mismatch at once.
#   $TMP                     a fresh directory, removed when the script exits

set -u

E2E_NAME=$(basename "${0:-e2e}" .sh)
E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
E2E_REPO=$(cd "$E2E_DIR/../.." && pwd)

fail() {
    printf 'FAIL: %s: %s\n' "$E2E_NAME" "$*" >&2
    exit 1
}

skip() {
    printf 'SKIP: %s: %s\n' "$E2E_NAME" "$*"
    exit 77
}

SUANWANG=${SUANWANG:-$E2E_REPO/build/suanwang}
SW_TEST_DATA_DIR=${SW_TEST_DATA_DIR:-$E2E_REPO/tests/data}
SW_TRACES_DEFAULT=${SW_TRACES_DEFAULT:-$E2E_REPO/../shared/traces}
# shellcheck disable=SC2034 # used by the scripts that source this file
if [ -n "${SUANWANG_TRACES:-}" ]; then
    SW_TRACES=$SUANWANG_TRACES
else
    SW_TRACES=$SW_TRACES_DEFAULT
fi

[ -x "$SUANWANG" ] || fail "binary not found or not executable: $SUANWANG (set SUANWANG)"
[ -d "$SW_TEST_DATA_DIR" ] || fail "test data directory not found: $SW_TEST_DATA_DIR"
command -v python3 >/dev/null 2>&1 || skip "python3 is needed to read JSON and CSV output"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/sw-e2e-$E2E_NAME.XXXXXX") || fail "cannot create a temp dir"
trap 'rm -rf "$TMP"' EXIT

OUT=
ERR=
RC=0
LAST_CMD=

# Run suanwang with the given arguments; never exits the script.
run_sw() {
    LAST_CMD="suanwang $*"
    "$SUANWANG" "$@" >"$TMP/out" 2>"$TMP/err"
    RC=$?
    OUT=$(cat "$TMP/out")
    ERR=$(cat "$TMP/err")
    return 0
}

# The stderr of the last run_sw, for messages.
_sw_show_err() {
    if [ -n "$ERR" ]; then
        printf '%s\n' "--- stderr:" "$ERR" >&2
    fi
}

assert_rc() {
    local want=$1 what=${2:-exit status}
    if [ "$RC" != "$want" ]; then
        _sw_show_err
        fail "$what: expected exit $want, got $RC from: $LAST_CMD"
    fi
}

assert_eq() {
    local want=$1 got=$2 what=${3:-value}
    [ "$want" = "$got" ] || fail "$what: expected \"$want\", got \"$got\""
}

assert_contains() {
    local text=$1 needle=$2 what=${3:-output}
    case $text in
    *"$needle"*) ;;
    *)
        if [ ${#text} -gt 2000 ]; then
            text="${text:0:2000}
[... ${#text} characters in all]"
        fi
        fail "$what does not contain \"$needle\"; it is:
$text"
        ;;
    esac
}

assert_not_contains() {
    local text=$1 needle=$2 what=${3:-output}
    case $text in
    *"$needle"*) fail "$what contains \"$needle\" but should not" ;;
    esac
}

assert_file() {
    if [ ! -f "$1" ] || [ ! -s "$1" ]; then
        fail "expected a non-empty file $1"
    fi
}

json_get() {
    python3 - "$1" "$2" <<'PY' || fail "cannot read \"$2\" from JSON file $1"
import json, sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2].split('.'):
    v = v[k]
print(v if isinstance(v, str) else json.dumps(v))
PY
}

json_expect() {
    local file=$1
    shift
    python3 - "$file" "$@" <<'PY' || fail "unexpected values in $file (above)"
import json, re, sys

path, exps = sys.argv[1], sys.argv[2:]
try:
    doc = json.load(open(path))
except Exception as e:
    print(f"{path}: not JSON: {e}", file=sys.stderr)
    sys.exit(1)
bad = []
for exp in exps:
    key, _, text = exp.partition('=')
    v = doc
    try:
        for k in key.split('.'):
            v = v[k]
    except (KeyError, TypeError):
        bad.append(f"{key}: missing")
        continue
    if re.fullmatch(r'[-+*/(). 0-9eE]+', text) and not re.fullmatch(r'-?\d+', text):
        want = eval(text, {"__builtins__": {}})  # arithmetic only (checked above)
    else:
        want = json.loads(text)
    if isinstance(want, bool) or want is None or isinstance(want, str):
        ok = v == want and type(v) is type(want)
    elif isinstance(want, int):
        ok = type(v) is int and v == want
    else:
        ok = type(v) is float and abs(v - want) <= 1e-12 * max(1.0, abs(want))
    if not ok:
        bad.append(f"{key}: expected {text} ({want!r}), got {json.dumps(v)}")
for b in bad:
    print(f"  {b}", file=sys.stderr)
sys.exit(1 if bad else 0)
PY
}

# When ctest runs this file on its own (as e2e/lib), check the helpers
# themselves: a checker that never fails would make every test pass.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    run_sw version
    assert_rc 0 "suanwang version"
    assert_contains "$OUT" "suanwang" "suanwang version"
    printf '{"i": 3, "r": 0.43, "s": "x", "b": true, "o": {"n": null}}\n' >"$TMP/t.json"
    json_expect "$TMP/t.json" i=3 r=1720/4000 r=0.43 's="x"' b=true o.n=null
    assert_eq 0.43 "$(json_get "$TMP/t.json" r)" "json_get"
    assert_eq x "$(json_get "$TMP/t.json" s)" "json_get"
    for wrong in i=4 i=3.0 r=0.4300001 's="y"' b=false o.n=0 missing=1; do
        (json_expect "$TMP/t.json" "$wrong") 2>/dev/null &&
            fail "json_expect accepted $wrong"
    done
    (assert_eq a b) 2>/dev/null && fail "assert_eq accepted a != b"
    (assert_contains abc x) 2>/dev/null && fail "assert_contains accepted a missing needle"
    (assert_not_contains abc b) 2>/dev/null && fail "assert_not_contains accepted a needle"
    echo "lib.sh: helpers ok; binary $SUANWANG"
fi
