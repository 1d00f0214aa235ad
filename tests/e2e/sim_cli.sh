#!/usr/bin/env bash
# sim_cli.sh — the command line of `suanwang` and `suanwang sim`: help and
# version exit 0 and describe the options; --opt=value works; every usage
# error (unknown command, unknown option, missing --trace, bad --policy/
# --order/--format/--procs/--first/--priority-weights, a stray argument)
# exits 2 with a message naming the problem and prints nothing on stdout; a
# trace that cannot be opened, a report directory that cannot be made and a
# stdout that cannot be written exit 1 with a message naming the cause.
. "$(dirname "$0")/lib.sh"

T=$SW_TEST_DATA_DIR/e2e-small.swf

# --- help and version: exit 0, on stdout ---------------------------------
run_sw help
assert_rc 0 "suanwang help"
assert_contains "$OUT" "sim" "suanwang help"
assert_contains "$OUT" "usage: suanwang" "suanwang help"

for h in "sim --help" "sim -h" "help sim"; do
    # shellcheck disable=SC2086 # $h is a command and its arguments
    run_sw $h
    assert_rc 0 "suanwang $h"
    for opt in --trace --policy --order --format --procs --first --strict --json --report \
        fcfs sjf easy conservative; do
        assert_contains "$OUT" "$opt" "suanwang $h"
    done
done

run_sw version
assert_rc 0 "suanwang version"
assert_contains "$OUT" "suanwang " "suanwang version"

# --- option syntax: --opt=value, options in any order ------------------------
run_sw sim --policy=easy --json --trace="$T"
assert_rc 0 "sim --policy=easy --trace=FILE"
json_expect "$TMP/out" 'policy="easy"' jobs=5

# --- usage errors: exit 2, a message naming the problem, nothing on stdout -
usage_error() { # needle, args...
    local needle=$1
    shift
    run_sw "$@"
    assert_rc 2 "suanwang $*"
    assert_contains "$ERR" "$needle" "stderr of: suanwang $*"
    assert_eq "" "$OUT" "stdout of: suanwang $*"
}

usage_error "usage: suanwang"
usage_error 'unknown command "frobnicate"' frobnicate
usage_error 'no command "frobnicate"' help frobnicate
usage_error '"--frobnicate"' sim --trace "$T" --frobnicate
usage_error '"-x"' sim -x --trace "$T"
usage_error "--trace FILE is required" sim
usage_error "--trace FILE is required" sim --policy easy
usage_error '"--trace"' sim --trace # its argument is missing
usage_error 'unknown policy "lifo"' sim --trace "$T" --policy lifo
usage_error "fcfs, sjf, easy or conservative" sim --trace "$T" --policy lifo
usage_error 'unknown queue order "random"' sim --trace "$T" --order random
usage_error '--format must be swf or pyss, not "csv"' sim --trace "$T" --format csv
usage_error '--procs' sim --trace "$T" --procs 0
usage_error '"abc"' sim --trace "$T" --procs abc
usage_error '--first' sim --trace "$T" --first 0
usage_error '--first' sim --trace "$T" --first -3
usage_error '--priority-weights' sim --trace "$T" --priority-weights 1,2
usage_error '--priority-weights' sim --trace "$T" --priority-weights 1,2,3,4
usage_error '--priority-weights' sim --trace "$T" --priority-weights -1,0,0
usage_error 'unexpected argument "extra"' sim --trace "$T" extra

# --- a trace that cannot be read: exit 1 naming the path -------------------
missing=$TMP/no-such-dir/missing.swf
run_sw sim --trace "$missing"
assert_rc 1 "missing trace"
assert_contains "$ERR" "$missing" "stderr for a missing trace"
assert_contains "$ERR" "No such file or directory" "stderr for a missing trace"
assert_eq "" "$OUT" "stdout for a missing trace"

run_sw sim --trace "$TMP" --json
assert_rc 1 "a directory as the trace"
assert_contains "$ERR" "$TMP" "stderr for a directory as the trace"
assert_eq "" "$OUT" "stdout for a directory as the trace"

# --- a report directory that cannot be made: exit 1 naming it -------------
: >"$TMP/a-file"
run_sw sim --trace "$T" --report "$TMP/a-file"
assert_rc 1 "--report onto a file"
assert_contains "$ERR" "$TMP/a-file" "stderr for --report onto a file"

# --- stdout cannot be written: exit 1 ------------------------------------
if [ -w /dev/full ]; then
    for mode in --json ""; do
        "$SUANWANG" sim --trace "$T" $mode >/dev/full 2>"$TMP/err"
        RC=$?
        ERR=$(cat "$TMP/err")
        assert_rc 1 "sim $mode >/dev/full"
        assert_contains "$ERR" "No space left on device" "stderr of sim $mode >/dev/full"
    done
fi

echo "ok: sim_cli"
