/* storetest.h — the backends the store's tests (test_store.c) run on. Each
 * test gets a fresh place for its store and loses it after: a directory
 * under /tmp for SQLite; for PostgreSQL a new database on the server named
 * by $SUANWANG_TEST_PG (a postgresql:// URL whose user may create
 * databases; tests/e2e/store_pg.sh brings one up), dropped at the end.
 * Failures here fail the test (cmocka).
 */
#ifndef SW_STORETEST_H
#define SW_STORETEST_H

#include <stddef.h>

#include "store/store_int.h"

struct st_backend {
    const char *name;                 /* "sqlite", "postgresql" */
    const struct sw_store_ops *ops;
    /* A fresh place for a store: a directory, or a URL. */
    void (*make)(char *where, size_t cap);
    void (*drop)(const char *where);
    /* Run `sql` on the place's database behind the store's back. */
    void (*sql)(const char *where, const char *sql);
};

extern const struct st_backend st_sqlite;
extern const struct st_backend st_pg;

/* Why the PostgreSQL cases cannot run here, or NULL when they can. */
const char *st_pg_unavailable(void);

/* The URL of database `db` on the test server (SUANWANG_TEST_PG with its
 * database replaced), in out[cap]. */
void st_pg_url(char *out, size_t cap, const char *db);

/* A new directory under /tmp; rm -r of one of ours. */
void st_tmpdir(char *dir, size_t cap);
void st_rm_tree(const char *path);

#endif
