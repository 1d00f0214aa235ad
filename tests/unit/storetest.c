/* storetest.c — the backends the store's tests run on (storetest.h): fresh
 * places made and removed for each test, and SQL behind the store's back,
 * for SQLite and (when built with libpq) PostgreSQL. */
#include "storetest.h"

#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

#ifdef SW_WITH_POSTGRES
#include <libpq-fe.h>
#endif

/* ---- directories ---- */

void st_tmpdir(char *dir, size_t cap)
{
    snprintf(dir, cap, "/tmp/sw_store_XXXXXX");
    assert_non_null(mkdtemp(dir));
}

void st_rm_tree(const char *path)
{
    struct stat sb;
    if (lstat(path, &sb) != 0)
        return;
    if (S_ISDIR(sb.st_mode)) {
        chmod(path, 0700);
        DIR *d = opendir(path);
        struct dirent *e;
        while (d && (e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char sub[4096];
            snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
            st_rm_tree(sub);
        }
        if (d)
            closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

/* ---- SQLite: a directory ---- */

static void sqlite_sql(const char *dir, const char *sql)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/suanwang.db", dir);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    sqlite3_close(db);
}

const struct st_backend st_sqlite = {
    .name = "sqlite",
    .ops = &sw_store__sqlite_ops,
    .make = st_tmpdir,
    .drop = st_rm_tree,
    .sql = sqlite_sql,
};

/* ---- PostgreSQL: a database ---- */

#ifdef SW_WITH_POSTGRES

static const char *pg_base(void)
{
    const char *u = getenv("SUANWANG_TEST_PG");
    return u && *u ? u : NULL;
}

const char *st_pg_unavailable(void)
{
    return pg_base() ? NULL
                     : "SUANWANG_TEST_PG is not set (tests/e2e/store_pg.sh runs them against a "
                       "PostgreSQL server it starts)";
}

void st_pg_url(char *out, size_t cap, const char *db)
{
    const char *u = pg_base();
    assert_non_null(u);
    const char *auth = strstr(u, "://");
    assert_non_null(auth);
    auth += 3;
    size_t n = (size_t)(auth - u) + strcspn(auth, "/?");
    const char *query = strchr(u + n, '?');
    snprintf(out, cap, "%.*s/%s%s", (int)n, u, db, query ? query : "");
}

/* Run `sql` on the database at `url`. */
static void pg_sql(const char *url, const char *sql)
{
    PGconn *c = PQconnectdb(url);
    if (PQstatus(c) != CONNECTION_OK) {
        char msg[512];
        snprintf(msg, sizeof(msg), "%s", PQerrorMessage(c));
        PQfinish(c);
        fail_msg("connecting to %s: %s", url, msg);
    }
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        char msg[512];
        snprintf(msg, sizeof(msg), "%s", PQresultErrorMessage(r));
        PQclear(r);
        PQfinish(c);
        fail_msg("%s: %s", sql, msg);
    }
    PQclear(r);
    PQfinish(c);
}

static void pg_make(char *where, size_t cap)
{
    static unsigned n;
    char db[64], sql[128];
    snprintf(db, sizeof(db), "sw_test_%ld_%u", (long)getpid(), ++n);
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s", db);
    pg_sql(pg_base(), sql);
    st_pg_url(where, cap, db);
}

static void pg_drop(const char *where)
{
    const char *db = strrchr(where, '/');
    assert_non_null(db);
    char sql[160];
    snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %.*s WITH (FORCE)",
             (int)strcspn(db + 1, "?"), db + 1);
    pg_sql(pg_base(), sql);
}

const struct st_backend st_pg = {
    .name = "postgresql",
    .ops = &sw_store__pg_ops,
    .make = pg_make,
    .drop = pg_drop,
    .sql = pg_sql,
};

#else /* no libpq: the PostgreSQL cases do not run */

const char *st_pg_unavailable(void)
{
    return "this build has no PostgreSQL backend (libpq was not found; SW_WITH_POSTGRES=OFF)";
}

void st_pg_url(char *out, size_t cap, const char *db)
{
    (void)out;
    (void)cap;
    (void)db;
    fail_msg("no PostgreSQL in this build");
}

const struct st_backend st_pg = {.name = "postgresql", .ops = &sw_store__pg_ops};

#endif
