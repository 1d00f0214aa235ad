#!/usr/bin/env bash
# pg-down.sh [--keep] [DIR] — stop the PostgreSQL server that scripts/pg-up.sh
# brought up in DIR (default: $SW_PG_DIR) and remove DIR (--keep: leave it,
# e.g. to read DIR/log/postgres.log).
#
# It stops only what pg-up.sh started, by the PID it recorded in DIR/pids
# (signalled only while that process is still a postgres whose data folder
# is DIR/data, so a recycled PID is never hit): SIGINT (PostgreSQL's "fast"
# shutdown: sessions are ended, the data is checkpointed), then SIGKILL if it
# is still there after 15 s. Nothing is matched by name. Safe to run twice,
# and on a half-started server.
set -uo pipefail

say() { printf 'pg-down: %s\n' "$*" >&2; }

keep=0
if [ "${1:-}" = --keep ]; then
    keep=1
    shift
fi
DIR=${1:-${SW_PG_DIR:-}}
[ -n "$DIR" ] || { say "usage: pg-down.sh [--keep] DIR (or set SW_PG_DIR)"; exit 2; }
if [ ! -d "$DIR" ]; then
    say "$DIR: no such folder (already down)"
    exit 0
fi
DIR=$(cd "$DIR" && pwd -P)
if [ ! -f "$DIR/.sw-pg" ] && [ ! -f "$DIR/pids" ]; then
    say "$DIR was not made by pg-up.sh (no .sw-pg marker): leaving it alone"
    exit 1
fi

# Is PID alive and still the postmaster we started (its arguments name DIR/data)?
ours() {
    { tr '\0' ' ' <"/proc/$1/cmdline"; } 2>/dev/null | grep -qF -- "$DIR/data"
}

stop_pid() { # pid
    local pid=$1
    ours "$pid" || return 0
    kill -INT "$pid" 2>/dev/null
    for _ in $(seq 150); do
        ours "$pid" || return 0
        sleep 0.1
    done
    say "postgres ($pid) still there 15 s after SIGINT: SIGKILL"
    kill -KILL "$pid" 2>/dev/null
    # its children (backends) go when they notice the postmaster is gone
}

if [ -f "$DIR/pids" ]; then
    while read -r name pid; do
        [ "${name:-}" = postgres ] && [ -n "${pid:-}" ] && stop_pid "$pid"
    done <"$DIR/pids"
fi
# a server started but not yet recorded (pg-up.sh failed in between)
if [ -f "$DIR/data/postmaster.pid" ]; then
    pid=$(head -n 1 "$DIR/data/postmaster.pid" 2>/dev/null)
    [ -n "$pid" ] && stop_pid "$pid"
fi

rm -f "$DIR/pids"
if [ "$keep" = 1 ]; then
    say "stopped; kept $DIR"
else
    rm -rf "$DIR"
    say "stopped; removed $DIR"
fi
exit 0
