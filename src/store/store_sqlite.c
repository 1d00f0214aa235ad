/* store_sqlite.c — the SQLite backend of the store (store_int.h, and
 * docs/store.md for the schema and the design).
 *
 * The database is DIR/suanwang.db in WAL mode with synchronous=FULL: every
 * COMMIT appends to the write-ahead log and fsyncs it before it returns, so
 * a write acknowledged by the front survives kill -9 and power loss.
 * DIR/suanwang.lock carries a POSIX record lock, so that one process at a
 * time works on a directory. The schema is versioned with PRAGMA
 * user_version and migrated forward at open; PRAGMA application_id marks the
 * file as suanwang's.
 *
 * Two connections: the writer's (used by one thread at a time — the
 * front's current batch leader — with every statement prepared once at open) and the loader's (query_only,
 * serialized by a mutex; under WAL it reads a consistent snapshot while the
 * writer goes on committing).
 */
#include "store/store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/fs.h"

#define DB_NAME "suanwang.db"
#define LOCK_NAME "suanwang.lock"
#define BUSY_TIMEOUT_MS 5000
#define APPLICATION_ID 0x53574e47 /* "SWNG" */

/* migrations[v] takes the schema from version v to v + 1. Append new ones;
 * never change one that has shipped. */
static const char *const migrations[] = {
    /* 0 -> 1: the first schema */
    "CREATE TABLE tenants ("
    "  name TEXT PRIMARY KEY NOT NULL,"
    "  kind TEXT NOT NULL CHECK (kind IN ('admin', 'provider', 'consumer')),"
    "  created_ms INTEGER NOT NULL);"
    "CREATE TABLE tokens ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  hash BLOB NOT NULL UNIQUE CHECK (length(hash) = 32),"
    "  tenant TEXT NOT NULL REFERENCES tenants(name),"
    "  role TEXT NOT NULL CHECK (role IN ('admin', 'provider', 'consumer', 'agent')),"
    "  site TEXT NOT NULL DEFAULT '',"
    "  label TEXT NOT NULL DEFAULT '',"
    "  created_ms INTEGER NOT NULL,"
    "  revoked INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1)));"
    "CREATE TABLE jobs ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  tenant TEXT NOT NULL REFERENCES tenants(name),"
    "  idempotency_key TEXT NOT NULL DEFAULT '',"
    "  submit_ms INTEGER NOT NULL,"
    "  spec_json TEXT NOT NULL);"
    "CREATE UNIQUE INDEX jobs_idempotency ON jobs (tenant, idempotency_key)"
    "  WHERE idempotency_key != '';"
    "CREATE TABLE events ("
    "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  job_id INTEGER NOT NULL REFERENCES jobs(id),"
    "  task INTEGER NOT NULL CHECK (task >= -1),"
    "  attempt INTEGER NOT NULL CHECK (attempt >= 1),"
    "  state INTEGER NOT NULL CHECK (state >= 0),"
    "  time_ms INTEGER NOT NULL,"
    "  detail_json TEXT);",
};
#define SCHEMA_VERSION ((int)(sizeof(migrations) / sizeof(migrations[0])))

/* The writer's statements, prepared once. */
enum wstmt {
    W_BEGIN, W_COMMIT, W_ROLLBACK, W_SAVEPOINT, W_RELEASE, W_ROLLBACK_TO,
    W_JOB_FIND, W_JOB_INSERT, W_EVENT_INSERT, W_TENANT_INSERT, W_TOKEN_INSERT, W_TOKEN_REVOKE,
    W_N
};
static const char *const wsql[W_N] = {
    [W_BEGIN] = "BEGIN IMMEDIATE",
    [W_COMMIT] = "COMMIT",
    [W_ROLLBACK] = "ROLLBACK",
    [W_SAVEPOINT] = "SAVEPOINT sw_req",
    [W_RELEASE] = "RELEASE sw_req",
    [W_ROLLBACK_TO] = "ROLLBACK TO sw_req",
    /* the != '' term lets SQLite use the partial unique index */
    [W_JOB_FIND] = "SELECT id, spec_json = ?3 FROM jobs WHERE tenant = ?1 AND idempotency_key = ?2"
                   " AND idempotency_key != ''",
    [W_JOB_INSERT] = "INSERT INTO jobs (tenant, idempotency_key, submit_ms, spec_json)"
                     " VALUES (?1, ?2, ?3, ?4)",
    [W_EVENT_INSERT] = "INSERT INTO events (job_id, task, attempt, state, time_ms, detail_json)"
                       " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [W_TENANT_INSERT] = "INSERT INTO tenants (name, kind, created_ms) VALUES (?1, ?2, ?3)",
    [W_TOKEN_INSERT] = "INSERT INTO tokens (hash, tenant, role, site, label, created_ms, revoked)"
                       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [W_TOKEN_REVOKE] = "UPDATE tokens SET revoked = 1 WHERE id = ?1",
};

/* The loader's statements. */
enum rstmt { R_BEGIN, R_END, R_TENANTS, R_TOKENS, R_JOBS, R_EVENTS, R_N };
static const char *const rsql[R_N] = {
    [R_BEGIN] = "BEGIN",
    [R_END] = "COMMIT",
    [R_TENANTS] = "SELECT name, kind, created_ms FROM tenants ORDER BY rowid",
    [R_TOKENS] = "SELECT id, hash, tenant, role, site, label, created_ms, revoked"
                 " FROM tokens ORDER BY id",
    [R_JOBS] = "SELECT id, tenant, idempotency_key, submit_ms, spec_json FROM jobs ORDER BY id",
    [R_EVENTS] = "SELECT seq, job_id, task, attempt, state, time_ms, detail_json"
                 " FROM events ORDER BY seq",
};

struct sqlite_store {
    char path[4096];          /* DIR/suanwang.db, for messages */
    int lock_fd;
    sqlite3 *wdb;             /* the writer's: one batch leader at a time */
    sqlite3 *rdb;             /* loads', under rlock */
    sqlite3_stmt *w[W_N];
    sqlite3_stmt *r[R_N];
    pthread_mutex_t rlock;
};

/* ---- errors ---- */

/* errno for an SQLite result code. */
static int errno_of(sqlite3 *db, int rc)
{
    int sys = db ? sqlite3_system_errno(db) : 0;
    switch (rc) {
    case SQLITE_CONSTRAINT_FOREIGNKEY:
        return ENOENT;
    case SQLITE_CONSTRAINT_PRIMARYKEY:
    case SQLITE_CONSTRAINT_UNIQUE:
        return EEXIST;
    }
    switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_RANGE:
    case SQLITE_TOOBIG:
        return EINVAL;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return EBUSY;
    case SQLITE_NOMEM:
        return ENOMEM;
    case SQLITE_READONLY:
        return EROFS;
    case SQLITE_FULL:
        return ENOSPC;
    case SQLITE_PERM:
    case SQLITE_AUTH:
        return EACCES;
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
        return sys ? sys : EIO;
    default:
        return EIO;
    }
}

/* Fail with "DIR/suanwang.db: what: reason" for result `rc` on `db`. */
static int db_fail(const struct sqlite_store *s, sqlite3 *db, int rc, const char *what,
                   sw_error_t *err)
{
    errno = errno_of(db, rc);
    return sw_errprintf(err, "%s: %s: %s", s->path, what,
                        db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
}

/* ---- running statements ---- */

/* Step `q` (bound already, `bind_rc` the binding's result) expecting no
 * row, then reset it. Returns SQLITE_DONE, or the error code with errno and
 * a message in `err` set. */
static int stmt_exec(const struct sqlite_store *s, sqlite3 *db, sqlite3_stmt *q, int bind_rc,
                     const char *what, sw_error_t *err)
{
    int rc = bind_rc == SQLITE_OK ? sqlite3_step(q) : bind_rc;
    if (rc != SQLITE_DONE)
        db_fail(s, db, rc, what, err);
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    return rc;
}

/* Run one of the writer's statements that take no parameters. */
static int wexec(struct sqlite_store *s, enum wstmt which, sw_error_t *err)
{
    return stmt_exec(s, s->wdb, s->w[which], SQLITE_OK, wsql[which], err) == SQLITE_DONE ? 0
                                                                                          : -1;
}

/* ---- the writer's transaction ---- */

static int sq_begin(void *be, sw_error_t *err)
{
    return wexec(be, W_BEGIN, err);
}

static int sq_commit(void *be, sw_error_t *err)
{
    return wexec(be, W_COMMIT, err);
}

static void sq_rollback(void *be)
{
    struct sqlite_store *s = be;
    int saved = errno;
    if (!sqlite3_get_autocommit(s->wdb))
        wexec(s, W_ROLLBACK, NULL);
    errno = saved;
}

static int sq_savepoint(void *be, sw_error_t *err)
{
    return wexec(be, W_SAVEPOINT, err);
}

static int sq_release(void *be, sw_error_t *err)
{
    return wexec(be, W_RELEASE, err);
}

static int sq_rollback_to(void *be, sw_error_t *err)
{
    struct sqlite_store *s = be;
    if (sqlite3_get_autocommit(s->wdb)) {
        /* SQLite rolled the whole transaction back (disk full, I/O error) */
        errno = EIO;
        return sw_errprintf(err, "%s: the transaction was aborted by a failed write", s->path);
    }
    if (wexec(s, W_ROLLBACK_TO, err) < 0)
        return -1;
    return wexec(s, W_RELEASE, err);
}

/* ---- writes ---- */

/* Look up the job with j's (tenant, key). Returns 1 and sets *id when it
 * exists with the same spec, 0 when not, -1 on error — also when the key
 * was used for a job with another spec (EEXIST: a retry must send the same
 * body; a new job needs a new key). */
static int job_find(struct sqlite_store *s, const struct sw_store_job *j, size_t i, uint64_t *id,
                    sw_error_t *err)
{
    sqlite3_stmt *q = s->w[W_JOB_FIND];
    int rc = sqlite3_bind_text(q, 1, j->tenant, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(q, 2, j->idempotency_key, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(q, 3, j->spec_json, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(q);
    int found = rc == SQLITE_ROW;
    if (found) {
        *id = (uint64_t)sqlite3_column_int64(q, 0);
        if (sqlite3_column_int(q, 1) != 1) {
            errno = EEXIST;
            found = sw_errprintf(err,
                                 "job %zu: the idempotency key \"%s\" was used for job %llu "
                                 "with a different body; a retry must send the same job, a "
                                 "new job needs a new key",
                                 i, j->idempotency_key, (unsigned long long)*id);
        }
    } else if (rc != SQLITE_DONE) {
        found = db_fail(s, s->wdb, rc, "looking up an idempotency key", err);
    }
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    return found;
}

static int job_bind(sqlite3_stmt *q, const struct sw_store_job *j)
{
    int rc = sqlite3_bind_text(q, 1, j->tenant, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(q, 2, j->idempotency_key, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(q, 3, j->submit_ms);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(q, 4, j->spec_json, -1, SQLITE_STATIC);
    return rc;
}

static int job_insert(struct sqlite_store *s, const struct sw_store_job *j, size_t i,
                      uint64_t *id, sw_error_t *err)
{
    sqlite3_stmt *q = s->w[W_JOB_INSERT];
    int rc = stmt_exec(s, s->wdb, q, job_bind(q, j), "inserting a job", err);
    if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
        return sw_errprintf(err, "job %zu: tenant '%s' does not exist", i, j->tenant);
    if (rc != SQLITE_DONE)
        return -1;
    *id = (uint64_t)sqlite3_last_insert_rowid(s->wdb);
    return 0;
}

static int sq_create_jobs(void *be, const struct sw_store_job *jobs, size_t n, uint64_t *ids,
                          bool *existed, sw_error_t *err)
{
    struct sqlite_store *s = be;
    for (size_t i = 0; i < n; i++) {
        existed[i] = false;
        if (jobs[i].idempotency_key[0]) {
            int found = job_find(s, &jobs[i], i, &ids[i], err);
            if (found < 0)
                return -1;
            existed[i] = found;
            if (found)
                continue;
        }
        if (job_insert(s, &jobs[i], i, &ids[i], err) < 0)
            return -1;
    }
    return 0;
}

static int event_bind(sqlite3_stmt *q, const struct sw_store_event *e)
{
    int rc = sqlite3_bind_int64(q, 1, (sqlite3_int64)e->job_id);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(q, 2, e->task);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(q, 3, e->attempt);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int(q, 4, e->state);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(q, 5, e->time_ms);
    if (rc == SQLITE_OK && e->detail_json)
        rc = sqlite3_bind_text(q, 6, e->detail_json, -1, SQLITE_STATIC);
    return rc;
}

static int sq_add_events(void *be, const struct sw_store_event *ev, size_t n, uint64_t *seqs,
                         sw_error_t *err)
{
    struct sqlite_store *s = be;
    sqlite3_stmt *q = s->w[W_EVENT_INSERT];
    for (size_t i = 0; i < n; i++) {
        int rc = stmt_exec(s, s->wdb, q, event_bind(q, &ev[i]), "inserting an event", err);
        if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
            return sw_errprintf(err, "event %zu: job %llu does not exist", i,
                                (unsigned long long)ev[i].job_id);
        if (rc != SQLITE_DONE)
            return -1;
        seqs[i] = (uint64_t)sqlite3_last_insert_rowid(s->wdb);
    }
    return 0;
}

static int tenant_bind(sqlite3_stmt *q, const struct sw_store_tenant *t)
{
    int rc = sqlite3_bind_text(q, 1, t->name, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(q, 2, sw_role_name(t->kind), -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(q, 3, t->created_ms);
    return rc;
}

static int sq_put_tenant(void *be, const struct sw_store_tenant *t, sw_error_t *err)
{
    struct sqlite_store *s = be;
    sqlite3_stmt *q = s->w[W_TENANT_INSERT];
    int rc = stmt_exec(s, s->wdb, q, tenant_bind(q, t), "inserting a tenant", err);
    if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE)
        return sw_errprintf(err, "tenant '%s' already exists", t->name);
    return rc == SQLITE_DONE ? 0 : -1;
}

static int token_bind(sqlite3_stmt *q, const struct sw_store_token *t)
{
    int rc = sqlite3_bind_blob(q, 1, t->hash, SW_TOKEN_HASH_BYTES, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(q, 2, t->tenant, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(q, 3, sw_role_name(t->role), -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(q, 4, t->site, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(q, 5, t->label, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(q, 6, t->created_ms);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int(q, 7, t->revoked ? 1 : 0);
    return rc;
}

static int sq_put_token(void *be, const struct sw_store_token *t, uint64_t *id, sw_error_t *err)
{
    struct sqlite_store *s = be;
    sqlite3_stmt *q = s->w[W_TOKEN_INSERT];
    int rc = stmt_exec(s, s->wdb, q, token_bind(q, t), "inserting a token", err);
    if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
        return sw_errprintf(err, "token: tenant '%s' does not exist", t->tenant);
    if (rc == SQLITE_CONSTRAINT_UNIQUE)
        return sw_errprintf(err, "token: a token with the same hash already exists");
    if (rc != SQLITE_DONE)
        return -1;
    *id = (uint64_t)sqlite3_last_insert_rowid(s->wdb);
    return 0;
}

static int sq_revoke_token(void *be, uint64_t id, sw_error_t *err)
{
    struct sqlite_store *s = be;
    sqlite3_stmt *q = s->w[W_TOKEN_REVOKE];
    int rc = sqlite3_bind_int64(q, 1, (sqlite3_int64)id);
    if (stmt_exec(s, s->wdb, q, rc, "revoking a token", err) != SQLITE_DONE)
        return -1;
    if (sqlite3_changes(s->wdb) == 0) {
        errno = ENOENT;
        return sw_errprintf(err, "no token with id %llu", (unsigned long long)id);
    }
    return 0;
}

/* ---- loads ---- */

/* Copy text column `col` into dst[cap]. Fails when it is NULL or too long. */
static int col_text(char *dst, size_t cap, sqlite3_stmt *q, int col)
{
    const unsigned char *t = sqlite3_column_text(q, col);
    size_t len = (size_t)sqlite3_column_bytes(q, col);
    if (!t || len >= cap)
        return -1;
    memcpy(dst, t, len);
    dst[len] = '\0';
    return 0;
}

static int row_bad(const struct sqlite_store *s, const char *table, sqlite3_stmt *q,
                   const char *field, sw_error_t *err)
{
    errno = EIO;
    return sw_errprintf(err, "%s: %s row %lld: field %s is not valid", s->path, table,
                        (long long)sqlite3_column_int64(q, 0), field);
}

static int stopped(const char *what, int rc, sw_error_t *err)
{
    errno = ECANCELED;
    return sw_errprintf(err, "load stopped by the %s callback (it returned %d)", what, rc);
}

static int row_tenant(const struct sqlite_store *s, sqlite3_stmt *q,
                      const struct sw_store_loader *l, void *arg, sw_error_t *err)
{
    struct sw_store_tenant t = {.created_ms = sqlite3_column_int64(q, 2)};
    char kind[16];
    if (col_text(t.name, sizeof(t.name), q, 0) < 0)
        return row_bad(s, "tenants", q, "name", err);
    if (col_text(kind, sizeof(kind), q, 1) < 0 || sw_role_parse(kind, &t.kind) < 0)
        return row_bad(s, "tenants", q, "kind", err);
    int rc = l->tenant(arg, &t);
    return rc ? stopped("tenant", rc, err) : 0;
}

static int row_token(const struct sqlite_store *s, sqlite3_stmt *q,
                     const struct sw_store_loader *l, void *arg, sw_error_t *err)
{
    struct sw_store_token t = {
        .id = (uint64_t)sqlite3_column_int64(q, 0),
        .created_ms = sqlite3_column_int64(q, 6),
        .revoked = sqlite3_column_int(q, 7) != 0,
    };
    const void *hash = sqlite3_column_blob(q, 1);
    if (!hash || sqlite3_column_bytes(q, 1) != SW_TOKEN_HASH_BYTES)
        return row_bad(s, "tokens", q, "hash", err);
    memcpy(t.hash, hash, SW_TOKEN_HASH_BYTES);
    char role[16];
    if (col_text(t.tenant, sizeof(t.tenant), q, 2) < 0)
        return row_bad(s, "tokens", q, "tenant", err);
    if (col_text(role, sizeof(role), q, 3) < 0 || sw_role_parse(role, &t.role) < 0)
        return row_bad(s, "tokens", q, "role", err);
    if (col_text(t.site, sizeof(t.site), q, 4) < 0)
        return row_bad(s, "tokens", q, "site", err);
    if (col_text(t.label, sizeof(t.label), q, 5) < 0)
        return row_bad(s, "tokens", q, "label", err);
    int rc = l->token(arg, &t);
    return rc ? stopped("token", rc, err) : 0;
}

static int row_job(const struct sqlite_store *s, sqlite3_stmt *q,
                   const struct sw_store_loader *l, void *arg, sw_error_t *err)
{
    struct sw_store_job j = {
        .id = (uint64_t)sqlite3_column_int64(q, 0),
        .submit_ms = sqlite3_column_int64(q, 3),
    };
    if (col_text(j.tenant, sizeof(j.tenant), q, 1) < 0)
        return row_bad(s, "jobs", q, "tenant", err);
    if (col_text(j.idempotency_key, sizeof(j.idempotency_key), q, 2) < 0)
        return row_bad(s, "jobs", q, "idempotency_key", err);
    j.spec_json = (const char *)sqlite3_column_text(q, 4);
    if (!j.spec_json)
        return row_bad(s, "jobs", q, "spec_json", err);
    int rc = l->job(arg, &j);
    return rc ? stopped("job", rc, err) : 0;
}

static int row_event(const struct sqlite_store *s, sqlite3_stmt *q,
                     const struct sw_store_loader *l, void *arg, sw_error_t *err)
{
    sqlite3_int64 attempt = sqlite3_column_int64(q, 3);
    if (attempt < 1 || attempt > UINT32_MAX)
        return row_bad(s, "events", q, "attempt", err);
    struct sw_store_event e = {
        .seq = (uint64_t)sqlite3_column_int64(q, 0),
        .job_id = (uint64_t)sqlite3_column_int64(q, 1),
        .task = sqlite3_column_int64(q, 2),
        .attempt = (uint32_t)attempt,
        .state = sqlite3_column_int(q, 4),
        .time_ms = sqlite3_column_int64(q, 5),
        .detail_json = (const char *)sqlite3_column_text(q, 6),
    };
    int rc = l->event(arg, &e);
    return rc ? stopped("event", rc, err) : 0;
}

typedef int row_f(const struct sqlite_store *s, sqlite3_stmt *q, const struct sw_store_loader *l,
                  void *arg, sw_error_t *err);

/* Stream every row of one table through `row`. */
static int load_table(struct sqlite_store *s, enum rstmt which, row_f *row,
                      const struct sw_store_loader *l, void *arg, sw_error_t *err)
{
    sqlite3_stmt *q = s->r[which];
    int rc, out = 0;
    while (out == 0 && (rc = sqlite3_step(q)) == SQLITE_ROW)
        out = row(s, q, l, arg, err);
    if (out == 0 && rc != SQLITE_DONE)
        out = db_fail(s, s->rdb, rc, "loading", err);
    sqlite3_reset(q);
    return out;
}

static int load_all(struct sqlite_store *s, const struct sw_store_loader *l, void *arg,
                    sw_error_t *err)
{
    if (l->tenant && load_table(s, R_TENANTS, row_tenant, l, arg, err) < 0)
        return -1;
    if (l->token && load_table(s, R_TOKENS, row_token, l, arg, err) < 0)
        return -1;
    if (l->job && load_table(s, R_JOBS, row_job, l, arg, err) < 0)
        return -1;
    if (l->event && load_table(s, R_EVENTS, row_event, l, arg, err) < 0)
        return -1;
    return 0;
}

static int sq_load(void *be, const struct sw_store_loader *l, void *arg, sw_error_t *err)
{
    struct sqlite_store *s = be;
    pthread_mutex_lock(&s->rlock);
    /* one read transaction: all four tables from the same snapshot */
    int rc = stmt_exec(s, s->rdb, s->r[R_BEGIN], SQLITE_OK, "BEGIN", err) == SQLITE_DONE
                 ? load_all(s, l, arg, err)
                 : -1;
    int saved = errno;
    if (!sqlite3_get_autocommit(s->rdb))
        stmt_exec(s, s->rdb, s->r[R_END], SQLITE_OK, "COMMIT", rc < 0 ? NULL : err);
    errno = saved;
    pthread_mutex_unlock(&s->rlock);
    return rc;
}

/* ---- open and close ---- */

static int prepare_all(struct sqlite_store *s, sqlite3 *db, const char *const *sql,
                       sqlite3_stmt **out, size_t n, sw_error_t *err)
{
    for (size_t i = 0; i < n; i++) {
        int rc = sqlite3_prepare_v3(db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &out[i], NULL);
        if (rc != SQLITE_OK)
            return db_fail(s, db, rc, sql[i], err);
    }
    return 0;
}

/* Open a connection to the database file (creating it). */
static int conn_open(struct sqlite_store *s, sqlite3 **out, sw_error_t *err)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(s->path, &db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             NULL);
    if (rc != SQLITE_OK) {
        int sys = db ? sqlite3_system_errno(db) : 0;
        errno = errno_of(db, rc);
        sw_errprintf(err, "%s: cannot open: %s%s%s%s", s->path,
                     db ? sqlite3_errmsg(db) : sqlite3_errstr(rc), sys ? " (" : "",
                     sys ? strerror(sys) : "", sys ? ")" : "");
        int saved = errno;
        sqlite3_close(db);
        errno = saved;
        return -1;
    }
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
    *out = db;
    return 0;
}

/* Run `sql` (no results wanted) on `db`. */
static int conn_exec(struct sqlite_store *s, sqlite3 *db, const char *sql, sw_error_t *err)
{
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : db_fail(s, db, rc, sql, err);
}

/* The integer result of a one-row statement such as a PRAGMA. */
static int conn_int(struct sqlite_store *s, sqlite3 *db, const char *sql, int64_t *out,
                    sw_error_t *err)
{
    sqlite3_stmt *q;
    int rc = sqlite3_prepare_v2(db, sql, -1, &q, NULL);
    if (rc != SQLITE_OK)
        return db_fail(s, db, rc, sql, err);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(q, 0);
    else
        db_fail(s, db, rc == SQLITE_DONE ? SQLITE_ERROR : rc, sql, err);
    int saved = errno;
    sqlite3_finalize(q);
    errno = saved;
    return rc == SQLITE_ROW ? 0 : -1;
}

/* sqlite3_exec callback: keep the first column of the first row. */
static int first_column(void *arg, int ncol, char **vals, char **names)
{
    (void)names;
    char *out = arg;
    if (ncol > 0 && vals[0] && !out[0])
        snprintf(out, 16, "%s", vals[0]);
    return 0;
}

/* WAL with fsync at every commit, and foreign keys enforced. */
static int writer_pragmas(struct sqlite_store *s, sw_error_t *err)
{
    char mode[16] = "";
    int rc = sqlite3_exec(s->wdb, "PRAGMA journal_mode=WAL", first_column, mode, NULL);
    if (rc != SQLITE_OK)
        return db_fail(s, s->wdb, rc, "setting WAL mode", err);
    if (strcmp(mode, "wal") != 0) {
        errno = ENOTSUP;
        return sw_errprintf(err, "%s: cannot use WAL mode (the journal mode stays '%s')",
                            s->path, mode);
    }
    return conn_exec(s, s->wdb, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON", err);
}

/* Refuse files that are not ours or are newer than this program. */
static int check_version(struct sqlite_store *s, int64_t version, sw_error_t *err)
{
    int64_t app = 0, objects = 0;
    if (conn_int(s, s->wdb, "PRAGMA application_id", &app, err) < 0 ||
        conn_int(s, s->wdb, "SELECT count(*) FROM sqlite_master", &objects, err) < 0)
        return -1;
    errno = ENOTSUP;
    if ((version > 0 && app != APPLICATION_ID) || (version == 0 && objects > 0))
        return sw_errprintf(err, "%s: not a suanwang database", s->path);
    if (version > SCHEMA_VERSION)
        return sw_errprintf(err,
                            "%s: schema version %lld is newer than this suanwang knows (%d);"
                            " run a newer suanwang",
                            s->path, (long long)version, SCHEMA_VERSION);
    return 0;
}

/* Apply migrations[version .. SCHEMA_VERSION - 1] and record the new
 * version, inside the caller's transaction. */
static int apply_migrations(struct sqlite_store *s, int64_t version, sw_error_t *err)
{
    for (int64_t v = version; v < SCHEMA_VERSION; v++)
        if (conn_exec(s, s->wdb, migrations[v], err) < 0)
            return sw_errprefix(err, "migrating to schema version %lld: ", (long long)v + 1);
    char sql[96];
    snprintf(sql, sizeof(sql), "PRAGMA user_version = %d; PRAGMA application_id = %d",
             SCHEMA_VERSION, APPLICATION_ID);
    return conn_exec(s, s->wdb, sql, err);
}

/* Bring the schema to SCHEMA_VERSION, all in one transaction. */
static int migrate(struct sqlite_store *s, sw_error_t *err)
{
    int64_t version = 0;
    if (conn_exec(s, s->wdb, "BEGIN IMMEDIATE", err) < 0)
        return -1;
    int rc = conn_int(s, s->wdb, "PRAGMA user_version", &version, err);
    if (rc == 0)
        rc = check_version(s, version, err);
    if (rc == 0 && version < SCHEMA_VERSION)
        rc = apply_migrations(s, version, err);
    if (rc == 0)
        return conn_exec(s, s->wdb, "COMMIT", err);
    int saved = errno;
    sqlite3_exec(s->wdb, "ROLLBACK", NULL, NULL, NULL);
    errno = saved;
    return -1;
}

/* Take DIR/suanwang.lock, so that a second process on the same directory
 * fails at open instead of sharing the database. */
static int lock_dir(struct sqlite_store *s, const char *dir, sw_error_t *err)
{
    char lp[sizeof(s->path)];
    if ((size_t)snprintf(lp, sizeof(lp), "%s/%s", dir, LOCK_NAME) >= sizeof(lp)) {
        errno = ENAMETOOLONG;
        return sw_errprintf(err, "%s: directory name too long", dir);
    }
    int fd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return sw_errprintf(err, "%s: cannot create the lock file: %s", lp, strerror(errno));
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    if (fcntl(fd, F_SETLK, &fl) == 0) {
        s->lock_fd = fd;
        return 0;
    }
    int e = errno;
    struct flock who = fl;
    long pid = fcntl(fd, F_GETLK, &who) == 0 && who.l_type != F_UNLCK ? (long)who.l_pid : -1;
    close(fd);
    if (e != EACCES && e != EAGAIN) {
        errno = e;
        return sw_errprintf(err, "%s: cannot lock: %s", lp, strerror(e));
    }
    errno = EBUSY;
    return sw_errprintf(err, "%s: in use by another process (pid %ld holds %s)", s->path, pid,
                        lp);
}

/* fsync directory `dir`. */
static int sync_dir(const char *dir, sw_error_t *err)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return sw_errprintf(err, "%s: cannot open directory: %s", dir, strerror(errno));
    int rc = fsync(fd);
    int e = errno;
    close(fd);
    if (rc < 0 && e != EINVAL) { /* EINVAL: the file system cannot sync directories */
        errno = e;
        return sw_errprintf(err, "%s: cannot sync directory: %s", dir, strerror(e));
    }
    return 0;
}

/* fsync `dir` and its parent, so that the names of new files (and of `dir`
 * itself, when open created it) are as durable as their contents. */
static int sync_dirs(const char *dir, sw_error_t *err)
{
    char parent[4096];
    snprintf(parent, sizeof(parent), "%s", dir);
    char *slash = strrchr(parent, '/');
    while (slash && slash > parent && slash[1] == '\0') { /* "a/b/" */
        *slash = '\0';
        slash = strrchr(parent, '/');
    }
    if (!slash)
        snprintf(parent, sizeof(parent), ".");
    else
        slash[slash == parent] = '\0'; /* "/x" -> "/" */
    return sync_dir(dir, err) < 0 ? -1 : sync_dir(parent, err);
}

static int open_writer(struct sqlite_store *s, sw_error_t *err)
{
    if (conn_open(s, &s->wdb, err) < 0 || writer_pragmas(s, err) < 0 || migrate(s, err) < 0)
        return -1;
    return prepare_all(s, s->wdb, wsql, s->w, W_N, err);
}

static int open_reader(struct sqlite_store *s, sw_error_t *err)
{
    if (conn_open(s, &s->rdb, err) < 0 || conn_exec(s, s->rdb, "PRAGMA query_only=ON", err) < 0)
        return -1;
    return prepare_all(s, s->rdb, rsql, s->r, R_N, err);
}

static void sq_close(void *be)
{
    struct sqlite_store *s = be;
    if (!s)
        return;
    int saved = errno;
    for (size_t i = 0; i < W_N; i++)
        sqlite3_finalize(s->w[i]);
    for (size_t i = 0; i < R_N; i++)
        sqlite3_finalize(s->r[i]);
    sqlite3_close(s->rdb);
    sqlite3_close(s->wdb); /* the last one checkpoints and removes the WAL */
    if (s->lock_fd >= 0)
        close(s->lock_fd);
    pthread_mutex_destroy(&s->rlock);
    free(s);
    errno = saved;
}

static void *sq_open(const char *dir, sw_error_t *err)
{
    if (!sqlite3_threadsafe()) {
        errno = ENOTSUP;
        sw_errprintf(err, "store: this SQLite library was built without thread support");
        return NULL;
    }
    struct sqlite_store *s = calloc(1, sizeof(*s));
    if (!s) {
        sw_errprintf(err, "store: out of memory");
        return NULL;
    }
    s->lock_fd = -1;
    pthread_mutex_init(&s->rlock, NULL);
    if ((size_t)snprintf(s->path, sizeof(s->path), "%s/%s", dir, DB_NAME) >= sizeof(s->path)) {
        errno = ENAMETOOLONG;
        sw_errprintf(err, "%s: directory name too long", dir);
        goto out_close;
    }
    if (sw_mkdir_p(dir, err) < 0 || lock_dir(s, dir, err) < 0 || open_writer(s, err) < 0 ||
        sync_dirs(dir, err) < 0 || open_reader(s, err) < 0)
        goto out_close;
    return s;

out_close:
    sq_close(s);
    return NULL;
}

static const char *sq_location(void *be)
{
    return ((struct sqlite_store *)be)->path;
}

const struct sw_store_ops sw_store__sqlite_ops = {
    .name = "sqlite",
    .open = sq_open,
    .close = sq_close,
    .location = sq_location,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .savepoint = sq_savepoint,
    .release = sq_release,
    .rollback_to = sq_rollback_to,
    .create_jobs = sq_create_jobs,
    .add_events = sq_add_events,
    .put_tenant = sq_put_tenant,
    .put_token = sq_put_token,
    .revoke_token = sq_revoke_token,
    .load = sq_load,
};
