#!/usr/bin/env bash
# store_pg.sh — the store's unit tests (tests/unit/test_store.c) on
# PostgreSQL: brings up a throw-away server (scripts/pg-up.sh) and runs the
# test_store binary ($SW_TEST_STORE, set by tests/CMakeLists.txt) with
# SUANWANG_TEST_PG pointing at it, PostgreSQL cases only: round trips,
# idempotency, errors, batches, 8 threads of group commit, kill -9 rounds,
# schema versions, bad URLs, lost connections, a second controller.
# Skipped (77) when no PostgreSQL can be run here or the build has no
# PostgreSQL backend.
. "$(dirname "$0")/lib.sh"

[ -n "${SW_TEST_STORE:-}" ] && [ -x "$SW_TEST_STORE" ] ||
    fail "the test_store binary is not there (SW_TEST_STORE=${SW_TEST_STORE:-unset})"
env_file=$TMP/pg-up.out
bash "$E2E_REPO/scripts/pg-up.sh" >"$env_file" 2>"$TMP/pg-up.err"
rc=$?
[ "$rc" = 77 ] && skip "$(tail -n 1 "$TMP/pg-up.err")"
[ "$rc" = 0 ] || fail "scripts/pg-up.sh failed ($rc): $(cat "$TMP/pg-up.err")"
. "$env_file"
trap 'bash "$E2E_REPO/scripts/pg-down.sh" "$SW_PG_DIR" 2>/dev/null; rm -rf "$TMP"' EXIT

SUANWANG_TEST_PG=$SW_PG_URL SW_TEST_STORE_ONLY=postgresql "$SW_TEST_STORE"
rc=$?
[ "$rc" = 77 ] && skip "test_store: no PostgreSQL backend in this build"
[ "$rc" = 0 ] || fail "test_store on PostgreSQL: $rc failed (above)"
echo "ok: the store's cases pass on PostgreSQL"
