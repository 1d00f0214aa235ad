#!/usr/bin/env bash
# pg-up.sh [DIR] — bring up a throw-away PostgreSQL server for tests and
# benchmarks, from Debian's packages, without systemd: initdb and pg_ctl by
# hand, every file (data, socket, log, PID) under DIR (default: a new folder
# from mktemp). scripts/pg-down.sh DIR stops it, by its PID, and removes DIR.
#
# On success it prints, on stdout, lines for the shell to take over:
#     export SW_PG_URL=postgresql://suanwang@127.0.0.1:PORT/suanwang
#     export SW_PG_ADMIN_URL=postgresql://postgres@127.0.0.1:PORT/postgres
#     export SW_PG_DIR=DIR
#     ...
# and writes the same lines to DIR/pg.env; so either of
#     eval "$(scripts/pg-up.sh)"
#     d=$(mktemp -d); scripts/pg-up.sh "$d" >/dev/null && . "$d/pg.env"
# gives a server to point `suanwang server --store "$SW_PG_URL"` at.
# Progress and errors go to stderr.
#
# The server:
#   - listens on 127.0.0.1 at a free port picked at start-up (several servers,
#     e.g. parallel ctest runs, can live on one machine) and on a Unix socket
#     in DIR/run;
#   - trust authentication for local and loopback connections only (a test
#     server: no passwords);
#   - the superuser "postgres", and a role "suanwang" (LOGIN CREATEDB, not a
#     superuser) owning the database "suanwang": what docs/store.md advises
#     for a real deployment, so the tests use no more rights than one has;
#   - UTF8, no locale; fsync and synchronous_commit as shipped (on): the
#     durability tests mean something;
#   - small: shared_buffers 32MB, max_connections 60.
#
# Users: PostgreSQL refuses to run as root. Run as root, it runs initdb and
# the server as the user "postgres" if there is one, else "nobody" (through
# runuser or setpriv), and DIR/data belongs to that user; run as another
# user, it runs them as that user. SW_PG_USER names another account.
#
# Binaries: $SW_PG_BIN, else the newest /usr/lib/postgresql/*/bin, else
# initdb on PATH. Missing ones are installed with apt-get (package
# postgresql) when root, unless SW_PG_NO_INSTALL=1.
#
# Exit status: 0 up; 77 PostgreSQL cannot be had here (no binaries and none
# installable, no user to run it as) — the tests treat that as "skip"; 1 the
# server failed to start (the end of its log is printed).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
T0=$(date +%s.%N)
say() { printf 'pg-up: %s\n' "$*" >&2; }
unavailable() { say "cannot run PostgreSQL here: $*"; exit 77; }

# ---- binaries --------------------------------------------------------------------
find_bin() {
    if [ -n "${SW_PG_BIN:-}" ]; then
        echo "$SW_PG_BIN"
        return
    fi
    local d best=
    for d in /usr/lib/postgresql/*/bin; do
        [ -x "$d/initdb" ] && best=$d
    done
    if [ -z "$best" ] && command -v initdb >/dev/null 2>&1; then
        best=$(dirname "$(command -v initdb)")
    fi
    echo "$best"
}
BIN=$(find_bin)
if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ]; then
    [ "${SW_PG_NO_INSTALL:-0}" = 1 ] && unavailable "no initdb found and SW_PG_NO_INSTALL=1"
    [ "$(id -u)" -eq 0 ] || unavailable "no initdb found (install the package postgresql)"
    command -v apt-get >/dev/null 2>&1 || unavailable "no initdb found and no apt-get"
    say "installing postgresql (apt-get)"
    {
        apt-get update -qq &&
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql
    } >&2 || unavailable "apt-get install postgresql failed"
    BIN=$(find_bin)
    [ -n "$BIN" ] && [ -x "$BIN/initdb" ] || unavailable "initdb still missing after install"
fi
for tool in initdb pg_ctl psql; do
    [ -x "$BIN/$tool" ] || unavailable "$BIN/$tool is missing"
done
command -v python3 >/dev/null 2>&1 || unavailable "python3 is needed (to pick a free port)"

# ---- who runs it ---------------------------------------------------------------------
RUN_AS=
if [ "$(id -u)" -eq 0 ]; then
    RUN_AS=${SW_PG_USER:-}
    if [ -z "$RUN_AS" ]; then
        if id postgres >/dev/null 2>&1; then RUN_AS=postgres; else RUN_AS=nobody; fi
    fi
    id "$RUN_AS" >/dev/null 2>&1 || unavailable "no user $RUN_AS to run the server as"
fi
# as_user CMD...: run CMD as the server's user
as_user() {
    if [ -z "$RUN_AS" ]; then
        "$@"
    elif command -v runuser >/dev/null 2>&1; then
        runuser -u "$RUN_AS" -- "$@"
    else
        setpriv --reuid="$RUN_AS" --regid="$(id -g "$RUN_AS")" --init-groups -- "$@"
    fi
}

# ---- the folder ----------------------------------------------------------------------
if [ $# -ge 1 ] && [ -n "$1" ]; then
    DIR=$1
    mkdir -p "$DIR"
else
    DIR=$(mktemp -d "${TMPDIR:-/tmp}/sw-pg.XXXXXX")
fi
DIR=$(cd "$DIR" && pwd -P)
case $DIR in
/ | /usr* | /etc* | /var | /home | /root | /tmp) say "refusing to use $DIR"; exit 1 ;;
esac
if [ -f "$DIR/pids" ] || [ -f "$DIR/.sw-pg" ]; then
    say "a previous instance in $DIR: stopping it"
    bash "$HERE/pg-down.sh" --keep "$DIR" >&2 || true
fi
if [ -n "$(ls -A "$DIR")" ]; then
    [ -f "$DIR/.sw-pg" ] || { say "$DIR is not empty and not a pg-up folder"; exit 1; }
    find "$DIR" -mindepth 1 -delete
fi
if [ -n "$RUN_AS" ]; then
    # the server's user must reach DIR: every folder above it searchable by others
    up=$DIR
    while [ "$up" != / ]; do
        up=$(dirname "$up")
        if [ "$(($(stat -c '%#a' "$up") & 1))" = 0 ]; then
            unavailable "folder $up (above $DIR) is not searchable by $RUN_AS:" \
                "chmod o+x $up, or use a folder elsewhere (TMPDIR)"
        fi
    done
fi
chmod 0755 "$DIR"
touch "$DIR/.sw-pg"
: >"$DIR/pids"
mkdir -p "$DIR/data" "$DIR/run" "$DIR/log"
[ -z "$RUN_AS" ] || chown "$RUN_AS" "$DIR/data" "$DIR/run" "$DIR/log"
chmod 0700 "$DIR/data"

fail_start() {
    say "$*"
    for f in "$DIR"/log/*.log; do
        [ -s "$f" ] || continue
        printf -- '--- %s (last 20 lines)\n' "$f" >&2
        tail -n 20 "$f" >&2
    done
    bash "$HERE/pg-down.sh" --keep "$DIR" >&2 || true
    exit 1
}

# ---- initdb --------------------------------------------------------------------------
as_user "$BIN/initdb" -D "$DIR/data" -U postgres -E UTF8 --no-locale \
    --auth-local=trust --auth-host=trust >"$DIR/log/initdb.log" 2>&1 ||
    fail_start "initdb failed"
# trust on loopback only
cat >"$DIR/data/pg_hba.conf" <<EOF
# Written by scripts/pg-up.sh: a throw-away test server, loopback and its socket only.
local all all              trust
host  all all 127.0.0.1/32 trust
host  all all ::1/128      trust
EOF

# ---- start, on a free port (another process may take it first: try again) -----------------
PORT=
for attempt in 1 2 3 4 5; do
    PORT=$(python3 -c '
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
    if as_user "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/log/postgres.log" -w -t 60 \
        -o "-p $PORT -c listen_addresses=127.0.0.1 -k $DIR/run -c shared_buffers=32MB -c max_connections=60" \
        start >"$DIR/log/pg_ctl.log" 2>&1; then
        break
    fi
    grep -q "could not bind\|already in use" "$DIR/log/postgres.log" 2>/dev/null ||
        fail_start "the server did not start"
    say "port $PORT was taken (attempt $attempt): another one"
    PORT=
done
[ -n "$PORT" ] || fail_start "no free port after 5 attempts"
PID=$(head -n 1 "$DIR/data/postmaster.pid")
echo "postgres $PID" >>"$DIR/pids"

# ---- the role and the database ------------------------------------------------------------
ADMIN_URL="postgresql://postgres@127.0.0.1:$PORT/postgres"
"$BIN/psql" -X -q -v ON_ERROR_STOP=1 "$ADMIN_URL" >/dev/null 2>"$DIR/log/psql.log" <<'EOF' ||
CREATE ROLE suanwang LOGIN CREATEDB;
CREATE DATABASE suanwang OWNER suanwang;
EOF
    fail_start "cannot create the role and the database: $(cat "$DIR/log/psql.log")"

# ---- hand over ---------------------------------------------------------------------------
cat >"$DIR/pg.env" <<EOF
export SW_PG_URL=postgresql://suanwang@127.0.0.1:$PORT/suanwang
export SW_PG_ADMIN_URL=$ADMIN_URL
export SW_PG_DIR=$DIR
export SW_PG_PORT=$PORT
export SW_PG_BIN=$BIN
EOF
chmod 0644 "$DIR/pg.env"
cat "$DIR/pg.env"
say "up in $(python3 -c "import time; print(f'{time.time() - $T0:.1f}')") s:" \
    "PostgreSQL $("$BIN/pg_ctl" --version | awk '{print $3}') on 127.0.0.1:$PORT" \
    "(pid $PID${RUN_AS:+, user $RUN_AS}), folder $DIR"
