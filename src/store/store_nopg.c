/* store_nopg.c — stands in for the PostgreSQL backend (store_pg.c) in
 * builds without libpq (CMake option SW_WITH_POSTGRES off): opening a
 * postgresql:// URL fails saying how to get a build that can. The URL is
 * not repeated: it may hold a password.
 */
#include "store/store_int.h"

#include <errno.h>
#include <stddef.h>

static void *nopg_open(const char *where, sw_error_t *err)
{
    (void)where;
    errno = ENOTSUP;
    sw_errprintf(err, "store: a postgresql:// URL was given, but this suanwang was built "
                 "without PostgreSQL support (no libpq at build time, or -DSW_WITH_POSTGRES="
                 "OFF): install libpq-dev and rebuild with cmake -DSW_WITH_POSTGRES=ON, or give "
                 "a directory to keep the state in SQLite");
    return NULL;
}

static void nopg_close(void *be)
{
    (void)be;
}

static const char *nopg_location(void *be)
{
    (void)be;
    return "postgresql (not built)";
}

long sw_store__pg_lock_wait_ms = 5000; /* (a test hook: nothing waits here) */

/* Only open is ever called: it never succeeds. */
const struct sw_store_ops sw_store__pg_ops = {
    .name = "postgresql (not built)",
    .open = nopg_open,
    .close = nopg_close,
    .location = nopg_location,
};
