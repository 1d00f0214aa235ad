#!/usr/bin/env bash
# server_pg.sh — `suanwang server --store postgresql://…` end to end, on a
# throw-away PostgreSQL server (scripts/pg-up.sh): clients submit while the
# server is killed with SIGKILL and restarted; every job that got a 201 is
# there afterwards, none twice, and nothing went to DIR/suanwang.db; a
# second server on the same database is refused with a message naming the
# session that holds it. Skipped (77) without PostgreSQL or without the
# PostgreSQL backend in the build.
exec python3 "$(dirname "$0")/py/server_pg.py"
