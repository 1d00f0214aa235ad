/* store_pg.c — the PostgreSQL backend of the store (store_int.h; design
 * and schema in docs/store.md): sw_store_open("postgresql://…") lands here.
 *
 * Two connections: the writer's (used by one thread at a time — the
 * front's current batch leader — with synchronous_commit = on, every
 * statement prepared once) and the loader's (serialized by a mutex; each
 * load reads one REPEATABLE READ READ ONLY snapshot while the writer goes on
 * committing). The writer's session holds pg_try_advisory_lock(), so one
 * controller at a time works on a database.
 *
 * A lost connection (server restart, failover, network) fails the batch in
 * flight; the next write connects again, takes the lock again and checks
 * that no other controller wrote in between (the highest id of each table
 * is still one this writer has seen), else it refuses every later write.
 * Loads connect again the same way.
 */
#include "store/store_pg.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The writer's statements, prepared once per session as "w0", "w1", … */
enum wstmt {
    W_BEGIN, W_COMMIT, W_ROLLBACK, W_SAVEPOINT, W_RELEASE, W_ROLLBACK_TO,
    W_JOB_FIND, W_JOB_INSERT, W_EVENT_INSERT, W_TENANT_INSERT, W_TOKEN_INSERT, W_TOKEN_REVOKE,
    W_N
};
static const char *const wsql[W_N] = {
    [W_BEGIN] = "BEGIN",
    [W_COMMIT] = "COMMIT",
    [W_ROLLBACK] = "ROLLBACK",
    [W_SAVEPOINT] = "SAVEPOINT sw_req",
    [W_RELEASE] = "RELEASE SAVEPOINT sw_req",
    [W_ROLLBACK_TO] = "ROLLBACK TO SAVEPOINT sw_req",
    /* the <> '' term lets the planner use the partial unique index */
    [W_JOB_FIND] = "SELECT id, spec_json = $3 FROM jobs WHERE tenant = $1"
                   " AND idempotency_key = $2 AND idempotency_key <> ''",
    [W_JOB_INSERT] = "INSERT INTO jobs (tenant, idempotency_key, submit_ms, spec_json)"
                     " VALUES ($1, $2, $3, $4) RETURNING id",
    [W_EVENT_INSERT] = "INSERT INTO events (job_id, task, attempt, state, time_ms, detail_json)"
                       " VALUES ($1, $2, $3, $4, $5, $6) RETURNING seq",
    [W_TENANT_INSERT] = "INSERT INTO tenants (name, kind, created_ms) VALUES ($1, $2, $3)"
                        " RETURNING id",
    [W_TOKEN_INSERT] = "INSERT INTO tokens (hash, tenant, role, site, label, created_ms, revoked)"
                       " VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    [W_TOKEN_REVOKE] = "UPDATE tokens SET revoked = true WHERE id = $1",
};

/* The loader's statements, "r0", "r1", … */
enum rstmt { R_BEGIN, R_COMMIT, R_ROLLBACK, R_TENANTS, R_TOKENS, R_JOBS, R_EVENTS, R_N };
static const char *const rsql[R_N] = {
    [R_BEGIN] = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
    [R_COMMIT] = "COMMIT",
    [R_ROLLBACK] = "ROLLBACK",
    [R_TENANTS] = "SELECT name, kind, created_ms FROM tenants ORDER BY id",
    [R_TOKENS] = "SELECT id, hash, tenant, role, site, label, created_ms, revoked"
                 " FROM tokens ORDER BY id",
    [R_JOBS] = "SELECT id, tenant, idempotency_key, submit_ms, spec_json FROM jobs ORDER BY id",
    [R_EVENTS] = "SELECT seq, job_id, task, attempt, state, time_ms, detail_json"
                 " FROM events ORDER BY seq",
};

/* Statement names: "w0" … "w11", "r0" … "r6". */
static void stmt_name(char *out, size_t cap, char prefix, int i)
{
    snprintf(out, cap, "%c%d", prefix, i);
}

/* ---- running statements ---- */

/* Parameters of one statement, as text (binary for a token's hash). */
#define PARAMS_MAX 7
struct params {
    const char *v[PARAMS_MAX];
    int len[PARAMS_MAX];
    int fmt[PARAMS_MAX];
    int n;
    char num[PARAMS_MAX][24]; /* room for the numbers' text */
};

static void p_text(struct params *p, const char *s)
{
    p->v[p->n] = s;
    p->len[p->n] = 0;
    p->fmt[p->n++] = 0;
}

static void p_i64(struct params *p, int64_t x)
{
    snprintf(p->num[p->n], sizeof(p->num[p->n]), "%" PRId64, x);
    p_text(p, p->num[p->n]);
}

static void p_bytes(struct params *p, const void *b, int len)
{
    p->v[p->n] = b;
    p->len[p->n] = len;
    p->fmt[p->n++] = 1;
}

/* Execute the writer's statement `which`. Returns its result when its
 * status is `want`, else NULL after pg_fail(…, what, …); the caller
 * PQclear()s it. */
static PGresult *wrun(struct pg_store *s, enum wstmt which, const struct params *p,
                      ExecStatusType want, const char *what, sw_error_t *err)
{
    char name[8];
    stmt_name(name, sizeof(name), 'w', which);
    PGresult *res = PQexecPrepared(s->w, name, p ? p->n : 0, p ? p->v : NULL,
                                   p ? p->len : NULL, p ? p->fmt : NULL, 0);
    if (PQresultStatus(res) == want)
        return res;
    pg_fail(s, s->w, res, what, err);
    PQclear(res);
    return NULL;
}

/* Run a writer's statement that returns no rows. */
static int wcmd(struct pg_store *s, enum wstmt which, const char *what, sw_error_t *err)
{
    PGresult *res = wrun(s, which, NULL, PGRES_COMMAND_OK, what, err);
    int rc = res ? 0 : -1;
    PQclear(res);
    return rc;
}

/* Run an INSERT … RETURNING; the new id goes to *id and raises the
 * table's high-water mark. On failure the SQLSTATE goes to state[6]. */
static int winsert(struct pg_store *s, enum wstmt which, const struct params *p,
                   enum pg_table t, const char *what, int64_t *id, char *state,
                   sw_error_t *err)
{
    char name[8];
    stmt_name(name, sizeof(name), 'w', which);
    PGresult *res = PQexecPrepared(s->w, name, p->n, p->v, p->len, p->fmt, 0);
    int rc = -1;
    snprintf(state, 6, "%s", pg_sqlstate(res));
    if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
        pg_fail(s, s->w, res, what, err);
    else if (pg_parse_i64(PQgetvalue(res, 0, 0), id) < 0 || *id <= 0) {
        errno = EIO;
        sw_errprintf(err, "%s: %s: the server returned the id \"%s\"", s->name, what,
                     PQgetvalue(res, 0, 0));
    } else {
        rc = 0;
        if (*id > s->hwm[t])
            s->hwm[t] = *id;
    }
    PQclear(res);
    return rc;
}

/* ---- the writer's session ---- */

/* The settings and the lock a new writer session needs before it may
 * write (its statements are prepared after). */
static int writer_session(struct pg_store *s, sw_error_t *err)
{
    /* synchronous_commit = on: COMMIT returns once the commit is flushed to
     * the WAL on disk (and on synchronous standbys, where configured). The
     * keepalives let the server notice a vanished controller (and free its
     * lock) within about a minute; they are ignored on Unix sockets. */
    if (pg_cmd(s, s->w,
               "SET synchronous_commit = on; SET default_transaction_read_only = off;"
               " SET tcp_keepalives_idle = 30; SET tcp_keepalives_interval = 10;"
               " SET tcp_keepalives_count = 3",
               "setting up the writer's session", err) < 0 ||
        pg_lock(s, err) < 0)
        return -1;
    return 0;
}

static int prepare_all(struct pg_store *s, PGconn *c, char prefix, const char *const *sql,
                       int n, sw_error_t *err)
{
    for (int i = 0; i < n; i++) {
        char name[8];
        stmt_name(name, sizeof(name), prefix, i);
        PGresult *res = PQprepare(c, name, sql[i], 0, NULL);
        int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : pg_fail(s, c, res, sql[i], err);
        PQclear(res);
        if (rc < 0)
            return -1;
    }
    return 0;
}

static const char *const table_names[PG_T_N] = {"tenants", "tokens", "jobs", "events"};

/* Refuse every later write with the message in `why` (errno EBUSY): the
 * database has changed under this controller's memory. */
static int fence(struct pg_store *s, const sw_error_t *why, sw_error_t *err)
{
    s->fenced = true;
    s->fence_err = *why;
    if (err)
        *err = s->fence_err;
    errno = EBUSY;
    return -1;
}

/* After a reconnect: refuse to go on when another controller has written
 * since (a row above what this writer has seen). */
static int check_hwm(struct pg_store *s, sw_error_t *err)
{
    int64_t now[PG_T_N];
    if (pg_read_hwm(s, now, err) < 0)
        return -1;
    for (int t = 0; t < PG_T_N; t++) {
        if (now[t] <= s->hwm[t])
            continue;
        sw_error_t why;
        sw_errprintf(&why, "%s: another controller wrote to the database while this one was "
                     "disconnected (%s up to id %lld, this one knew %lld); restart this "
                     "controller so that it loads the state again", s->name, table_names[t],
                     (long long)now[t], (long long)s->hwm[t]);
        return fence(s, &why, err);
    }
    return 0;
}

/* The writer's connection was lost: connect again (the same parameters),
 * set the session up again, and check the high-water marks. When another
 * controller holds the lock now, it has taken the database over: fence. */
static int writer_reconnect(struct pg_store *s, sw_error_t *err)
{
    PQreset(s->w);
    if (PQstatus(s->w) != CONNECTION_OK) {
        errno = ECONNRESET;
        return pg_fail(s, s->w, NULL, "connecting again", err);
    }
    sw_error_t why;
    if (writer_session(s, &why) < 0) {
        if (errno != EBUSY) {
            if (err)
                *err = why;
            return -1;
        }
        sw_errprefix(&why, "taken over by another controller while disconnected: ");
        return fence(s, &why, err);
    }
    if (prepare_all(s, s->w, 'w', wsql, W_N, err) < 0)
        return -1;
    return check_hwm(s, err);
}

/* ---- the writer's transaction ---- */

static int pg_begin(void *be, sw_error_t *err)
{
    struct pg_store *s = be;
    if (s->fenced) {
        errno = EBUSY;
        if (err)
            *err = s->fence_err;
        return -1;
    }
    if (PQstatus(s->w) != CONNECTION_OK && writer_reconnect(s, err) < 0)
        return -1;
    if (wcmd(s, W_BEGIN, "BEGIN", err) == 0)
        return 0;
    if (PQstatus(s->w) != CONNECTION_BAD)
        return -1;
    /* the connection died while idle (server restart, failover): BEGIN did
     * nothing, so connect again and start over, once */
    if (writer_reconnect(s, err) < 0)
        return -1;
    return wcmd(s, W_BEGIN, "BEGIN", err);
}

static int pg_commit(void *be, sw_error_t *err)
{
    struct pg_store *s = be;
    PGresult *res = wrun(s, W_COMMIT, NULL, PGRES_COMMAND_OK, "COMMIT", err);
    if (!res)
        return -1;
    /* COMMIT of a transaction that had failed answers ROLLBACK */
    bool committed = strcmp(PQcmdStatus(res), "COMMIT") == 0;
    PQclear(res);
    if (committed)
        return 0;
    errno = EIO;
    return sw_errprintf(err, "%s: the transaction was aborted by a failed statement", s->name);
}

static void pg_rollback(void *be)
{
    struct pg_store *s = be;
    int saved = errno;
    PGTransactionStatusType ts = PQtransactionStatus(s->w);
    if (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR)
        wcmd(s, W_ROLLBACK, "ROLLBACK", NULL);
    errno = saved;
}

static int pg_savepoint(void *be, sw_error_t *err)
{
    return wcmd(be, W_SAVEPOINT, "SAVEPOINT", err);
}

static int pg_release(void *be, sw_error_t *err)
{
    return wcmd(be, W_RELEASE, "RELEASE SAVEPOINT", err);
}

static int pg_rollback_to(void *be, sw_error_t *err)
{
    struct pg_store *s = be;
    PGTransactionStatusType ts = PQtransactionStatus(s->w);
    if (ts != PQTRANS_INTRANS && ts != PQTRANS_INERROR) {
        if (PQstatus(s->w) == CONNECTION_BAD)
            return pg_fail(s, s->w, NULL, "rolling back a request", err);
        errno = EIO;
        return sw_errprintf(err, "%s: the transaction was aborted", s->name);
    }
    if (wcmd(s, W_ROLLBACK_TO, "ROLLBACK TO SAVEPOINT", err) < 0)
        return -1;
    return wcmd(s, W_RELEASE, "RELEASE SAVEPOINT", err);
}

/* ---- writes ---- */

/* Look up the job with j's (tenant, key). Returns 1 and sets *id when it
 * exists with the same spec, 0 when not, -1 on error — also when the key
 * was used for a job with another spec (EEXIST: a retry must send the same
 * body; a new job needs a new key). */
static int job_find(struct pg_store *s, const struct sw_store_job *j, size_t i, uint64_t *id,
                    sw_error_t *err)
{
    struct params p = {.n = 0};
    p_text(&p, j->tenant);
    p_text(&p, j->idempotency_key);
    p_text(&p, j->spec_json);
    PGresult *res = wrun(s, W_JOB_FIND, &p, PGRES_TUPLES_OK, "looking up an idempotency key",
                         err);
    if (!res)
        return -1;
    int found = PQntuples(res) > 0;
    int64_t v = 0;
    if (found && pg_parse_i64(PQgetvalue(res, 0, 0), &v) < 0) {
        errno = EIO;
        found = sw_errprintf(err, "%s: jobs: an id that is not a number", s->name);
    } else if (found) {
        *id = (uint64_t)v;
        if (strcmp(PQgetvalue(res, 0, 1), "t") != 0) {
            errno = EEXIST;
            found = sw_errprintf(err,
                                 "job %zu: the idempotency key \"%s\" was used for job %llu "
                                 "with a different body; a retry must send the same job, a "
                                 "new job needs a new key",
                                 i, j->idempotency_key, (unsigned long long)*id);
        }
    }
    PQclear(res);
    return found;
}

static int job_insert(struct pg_store *s, const struct sw_store_job *j, size_t i, uint64_t *id,
                      sw_error_t *err)
{
    struct params p = {.n = 0};
    p_text(&p, j->tenant);
    p_text(&p, j->idempotency_key);
    p_i64(&p, j->submit_ms);
    p_text(&p, j->spec_json);
    int64_t v;
    char state[6];
    if (winsert(s, W_JOB_INSERT, &p, PG_T_JOBS, "inserting a job", &v, state, err) == 0) {
        *id = (uint64_t)v;
        return 0;
    }
    if (strcmp(state, "23503") == 0)
        return sw_errprintf(err, "job %zu: tenant '%s' does not exist", i, j->tenant);
    return -1;
}

static int pg_create_jobs(void *be, const struct sw_store_job *jobs, size_t n, uint64_t *ids,
                          bool *existed, sw_error_t *err)
{
    struct pg_store *s = be;
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

static int pg_add_events(void *be, const struct sw_store_event *ev, size_t n, uint64_t *seqs,
                         sw_error_t *err)
{
    struct pg_store *s = be;
    for (size_t i = 0; i < n; i++) {
        const struct sw_store_event *e = &ev[i];
        struct params p = {.n = 0};
        p_i64(&p, (int64_t)e->job_id);
        p_i64(&p, e->task);
        p_i64(&p, e->attempt);
        p_i64(&p, e->state);
        p_i64(&p, e->time_ms);
        p_text(&p, e->detail_json); /* NULL is SQL NULL */
        int64_t v;
        char state[6];
        if (winsert(s, W_EVENT_INSERT, &p, PG_T_EVENTS, "inserting an event", &v, state,
                    err) < 0) {
            if (strcmp(state, "23503") == 0)
                return sw_errprintf(err, "event %zu: job %llu does not exist", i,
                                    (unsigned long long)e->job_id);
            return -1;
        }
        seqs[i] = (uint64_t)v;
    }
    return 0;
}

static int pg_put_tenant(void *be, const struct sw_store_tenant *t, sw_error_t *err)
{
    struct pg_store *s = be;
    struct params p = {.n = 0};
    p_text(&p, t->name);
    p_text(&p, sw_role_name(t->kind));
    p_i64(&p, t->created_ms);
    int64_t id;
    char state[6];
    if (winsert(s, W_TENANT_INSERT, &p, PG_T_TENANTS, "inserting a tenant", &id, state,
                err) == 0)
        return 0;
    if (strcmp(state, "23505") == 0)
        return sw_errprintf(err, "tenant '%s' already exists", t->name);
    return -1;
}

static int pg_put_token(void *be, const struct sw_store_token *t, uint64_t *id, sw_error_t *err)
{
    struct pg_store *s = be;
    struct params p = {.n = 0};
    p_bytes(&p, t->hash, SW_TOKEN_HASH_BYTES);
    p_text(&p, t->tenant);
    p_text(&p, sw_role_name(t->role));
    p_text(&p, t->site);
    p_text(&p, t->label);
    p_i64(&p, t->created_ms);
    p_text(&p, t->revoked ? "t" : "f");
    int64_t v;
    char state[6];
    if (winsert(s, W_TOKEN_INSERT, &p, PG_T_TOKENS, "inserting a token", &v, state, err) == 0) {
        *id = (uint64_t)v;
        return 0;
    }
    if (strcmp(state, "23503") == 0)
        return sw_errprintf(err, "token: tenant '%s' does not exist", t->tenant);
    if (strcmp(state, "23505") == 0)
        return sw_errprintf(err, "token: a token with the same hash already exists");
    return -1;
}

static int pg_revoke_token(void *be, uint64_t id, sw_error_t *err)
{
    struct pg_store *s = be;
    struct params p = {.n = 0};
    p_i64(&p, (int64_t)id);
    PGresult *res = wrun(s, W_TOKEN_REVOKE, &p, PGRES_COMMAND_OK, "revoking a token", err);
    if (!res)
        return -1;
    bool none = strcmp(PQcmdTuples(res), "0") == 0;
    PQclear(res);
    if (none) {
        errno = ENOENT;
        return sw_errprintf(err, "no token with id %llu", (unsigned long long)id);
    }
    return 0;
}

/* ---- loads ---- */

/* One row of a result being streamed. */
struct row {
    const struct pg_store *s;
    const PGresult *res;
    int i;
    const char *table;
};

static const char *col(const struct row *r, int c)
{
    return PQgetisnull(r->res, r->i, c) ? NULL : PQgetvalue(r->res, r->i, c);
}

/* Copy text column `c` into dst[cap]. Fails when it is NULL or too long. */
static int col_text(char *dst, size_t cap, const struct row *r, int c)
{
    const char *v = col(r, c);
    size_t len = v ? (size_t)PQgetlength(r->res, r->i, c) : 0;
    if (!v || len >= cap)
        return -1;
    memcpy(dst, v, len);
    dst[len] = '\0';
    return 0;
}

static int col_i64(int64_t *out, const struct row *r, int c)
{
    return pg_parse_i64(col(r, c), out);
}

static int row_bad(const struct row *r, const char *field, sw_error_t *err)
{
    errno = EIO;
    return sw_errprintf(err, "%s: %s row %s: field %s is not valid", r->s->name, r->table,
                        col(r, 0) ? col(r, 0) : "?", field);
}

static int stopped(const char *what, int rc, sw_error_t *err)
{
    errno = ECANCELED;
    return sw_errprintf(err, "load stopped by the %s callback (it returned %d)", what, rc);
}

static int row_tenant(const struct row *r, const struct sw_store_loader *l, void *arg,
                      sw_error_t *err)
{
    struct sw_store_tenant t = {.created_ms = 0};
    char kind[16];
    if (col_text(t.name, sizeof(t.name), r, 0) < 0)
        return row_bad(r, "name", err);
    if (col_text(kind, sizeof(kind), r, 1) < 0 || sw_role_parse(kind, &t.kind) < 0)
        return row_bad(r, "kind", err);
    if (col_i64(&t.created_ms, r, 2) < 0)
        return row_bad(r, "created_ms", err);
    int rc = l->tenant(arg, &t);
    return rc ? stopped("tenant", rc, err) : 0;
}

/* A bytea column (text format, hex or escape) of exactly n bytes. */
static int col_bytes(unsigned char *dst, size_t n, const struct row *r, int c)
{
    const char *v = col(r, c);
    size_t len = 0;
    unsigned char *b = v ? PQunescapeBytea((const unsigned char *)v, &len) : NULL;
    int rc = b && len == n ? 0 : -1;
    if (rc == 0)
        memcpy(dst, b, n);
    PQfreemem(b);
    return rc;
}

static int row_token(const struct row *r, const struct sw_store_loader *l, void *arg,
                     sw_error_t *err)
{
    struct sw_store_token t = {.id = 0};
    int64_t id;
    char role[16];
    const char *revoked = col(r, 7);
    if (col_i64(&id, r, 0) < 0 || id <= 0)
        return row_bad(r, "id", err);
    t.id = (uint64_t)id;
    if (col_bytes(t.hash, SW_TOKEN_HASH_BYTES, r, 1) < 0)
        return row_bad(r, "hash", err);
    if (col_text(t.tenant, sizeof(t.tenant), r, 2) < 0)
        return row_bad(r, "tenant", err);
    if (col_text(role, sizeof(role), r, 3) < 0 || sw_role_parse(role, &t.role) < 0)
        return row_bad(r, "role", err);
    if (col_text(t.site, sizeof(t.site), r, 4) < 0)
        return row_bad(r, "site", err);
    if (col_text(t.label, sizeof(t.label), r, 5) < 0)
        return row_bad(r, "label", err);
    if (col_i64(&t.created_ms, r, 6) < 0)
        return row_bad(r, "created_ms", err);
    if (!revoked)
        return row_bad(r, "revoked", err);
    t.revoked = revoked[0] == 't';
    int rc = l->token(arg, &t);
    return rc ? stopped("token", rc, err) : 0;
}

static int row_job(const struct row *r, const struct sw_store_loader *l, void *arg,
                   sw_error_t *err)
{
    struct sw_store_job j = {.id = 0};
    int64_t id;
    if (col_i64(&id, r, 0) < 0 || id <= 0)
        return row_bad(r, "id", err);
    j.id = (uint64_t)id;
    if (col_text(j.tenant, sizeof(j.tenant), r, 1) < 0)
        return row_bad(r, "tenant", err);
    if (col_text(j.idempotency_key, sizeof(j.idempotency_key), r, 2) < 0)
        return row_bad(r, "idempotency_key", err);
    if (col_i64(&j.submit_ms, r, 3) < 0)
        return row_bad(r, "submit_ms", err);
    j.spec_json = col(r, 4);
    if (!j.spec_json)
        return row_bad(r, "spec_json", err);
    int rc = l->job(arg, &j);
    return rc ? stopped("job", rc, err) : 0;
}

static int row_event(const struct row *r, const struct sw_store_loader *l, void *arg,
                     sw_error_t *err)
{
    int64_t seq, job, task, attempt, state, time_ms;
    if (col_i64(&seq, r, 0) < 0 || col_i64(&job, r, 1) < 0 || col_i64(&task, r, 2) < 0)
        return row_bad(r, "seq, job_id or task", err);
    if (col_i64(&attempt, r, 3) < 0 || attempt < 1 || attempt > UINT32_MAX)
        return row_bad(r, "attempt", err);
    if (col_i64(&state, r, 4) < 0 || state < 0 || state > INT32_MAX)
        return row_bad(r, "state", err);
    if (col_i64(&time_ms, r, 5) < 0)
        return row_bad(r, "time_ms", err);
    struct sw_store_event e = {
        .seq = (uint64_t)seq,
        .job_id = (uint64_t)job,
        .task = task,
        .attempt = (uint32_t)attempt,
        .state = (int)state,
        .time_ms = time_ms,
        .detail_json = col(r, 6),
    };
    int rc = l->event(arg, &e);
    return rc ? stopped("event", rc, err) : 0;
}

typedef int row_f(const struct row *r, const struct sw_store_loader *l, void *arg,
                  sw_error_t *err);

/* Hand every row of one result to `row` while `*out` is 0. */
static void rows_of(struct pg_store *s, const PGresult *res, const char *table, row_f *row,
                    const struct sw_store_loader *l, void *arg, int *out, sw_error_t *err)
{
    struct row r = {.s = s, .res = res, .table = table};
    for (r.i = 0; *out == 0 && r.i < PQntuples(res); r.i++)
        *out = row(&r, l, arg, err);
}

/* Stream every row of one table through `row`, in single-row mode (rows
 * are handed over as they arrive, never the whole table in memory). After
 * a failure or a stop the rest of the result is read and dropped: libpq
 * needs that before the connection takes another command. */
static int load_table(struct pg_store *s, enum rstmt which, const char *table, row_f *row,
                      const struct sw_store_loader *l, void *arg, sw_error_t *err)
{
    char name[8];
    stmt_name(name, sizeof(name), 'r', which);
    if (!PQsendQueryPrepared(s->r, name, 0, NULL, NULL, NULL, 0))
        return pg_fail(s, s->r, NULL, "loading", err);
    PQsetSingleRowMode(s->r); /* if refused, rows come in one result: fine too */
    int out = 0;
    PGresult *res;
    while ((res = PQgetResult(s->r)) != NULL) {
        ExecStatusType st = PQresultStatus(res);
        if (st == PGRES_SINGLE_TUPLE || st == PGRES_TUPLES_OK)
            rows_of(s, res, table, row, l, arg, &out, err);
        else if (out == 0)
            out = pg_fail(s, s->r, res, table, err);
        PQclear(res);
    }
    return out;
}

static int load_all(struct pg_store *s, const struct sw_store_loader *l, void *arg,
                    sw_error_t *err)
{
    if (l->tenant && load_table(s, R_TENANTS, "tenants", row_tenant, l, arg, err) < 0)
        return -1;
    if (l->token && load_table(s, R_TOKENS, "tokens", row_token, l, arg, err) < 0)
        return -1;
    if (l->job && load_table(s, R_JOBS, "jobs", row_job, l, arg, err) < 0)
        return -1;
    if (l->event && load_table(s, R_EVENTS, "events", row_event, l, arg, err) < 0)
        return -1;
    return 0;
}

/* Run one of the loader's statements that return no rows. */
static int rcmd(struct pg_store *s, enum rstmt which, sw_error_t *err)
{
    char name[8];
    stmt_name(name, sizeof(name), 'r', which);
    PGresult *res = PQexecPrepared(s->r, name, 0, NULL, NULL, NULL, 0);
    int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : pg_fail(s, s->r, res, rsql[which], err);
    PQclear(res);
    return rc;
}

/* The loader's connection was lost: connect again and prepare again. */
static int loader_reconnect(struct pg_store *s, sw_error_t *err)
{
    PQreset(s->r);
    if (PQstatus(s->r) != CONNECTION_OK) {
        errno = ECONNRESET;
        return pg_fail(s, s->r, NULL, "connecting the loader again", err);
    }
    return prepare_all(s, s->r, 'r', rsql, R_N, err);
}

/* Begin the load's transaction, connecting again first if the connection
 * was lost (also when that shows only now, at BEGIN). */
static int load_begin(struct pg_store *s, sw_error_t *err)
{
    if (PQstatus(s->r) != CONNECTION_OK && loader_reconnect(s, err) < 0)
        return -1;
    if (rcmd(s, R_BEGIN, err) == 0)
        return 0;
    if (PQstatus(s->r) != CONNECTION_BAD || loader_reconnect(s, err) < 0)
        return -1;
    return rcmd(s, R_BEGIN, err);
}

static int pg_load(void *be, const struct sw_store_loader *l, void *arg, sw_error_t *err)
{
    struct pg_store *s = be;
    pthread_mutex_lock(&s->rlock);
    /* one REPEATABLE READ transaction: all four tables from one snapshot */
    int rc = load_begin(s, err) == 0 ? load_all(s, l, arg, err) : -1;
    int saved = errno;
    PGTransactionStatusType ts = PQtransactionStatus(s->r);
    if ((ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR) &&
        rcmd(s, rc == 0 ? R_COMMIT : R_ROLLBACK, rc < 0 ? NULL : err) < 0 && rc == 0) {
        rc = -1;
        saved = errno;
    }
    errno = saved;
    pthread_mutex_unlock(&s->rlock);
    return rc;
}

/* ---- open and close ---- */

static void pg_close(void *be)
{
    struct pg_store *s = be;
    if (!s)
        return;
    int saved = errno;
    PQfinish(s->r);
    PQfinish(s->w); /* ends the session, and with it the lock */
    pthread_mutex_destroy(&s->rlock);
    free(s->conninfo);
    free(s);
    errno = saved;
}

static int open_writer(struct pg_store *s, sw_error_t *err)
{
    s->w = pg_connect(s, "writer", err);
    if (!s->w || writer_session(s, err) < 0 || pg_migrate(s, err) < 0 ||
        pg_read_hwm(s, s->hwm, err) < 0)
        return -1;
    return prepare_all(s, s->w, 'w', wsql, W_N, err);
}

static int open_loader(struct pg_store *s, sw_error_t *err)
{
    s->r = pg_connect(s, "loader", err);
    return s->r ? prepare_all(s, s->r, 'r', rsql, R_N, err) : -1;
}

static void *pg_open(const char *url, sw_error_t *err)
{
    if (!PQisthreadsafe()) {
        errno = ENOTSUP;
        sw_errprintf(err, "store: this libpq was built without thread support");
        return NULL;
    }
    struct pg_store *s = calloc(1, sizeof(*s));
    if (!s || !(s->conninfo = strdup(url))) {
        free(s);
        errno = ENOMEM;
        sw_errprintf(err, "store: out of memory");
        return NULL;
    }
    pthread_mutex_init(&s->rlock, NULL);
    if (pg_name_init(s, err) < 0 || open_writer(s, err) < 0 || open_loader(s, err) < 0) {
        pg_close(s);
        return NULL;
    }
    return s;
}

static const char *pg_location(void *be)
{
    return ((struct pg_store *)be)->name;
}

const struct sw_store_ops sw_store__pg_ops = {
    .name = "postgresql",
    .open = pg_open,
    .close = pg_close,
    .location = pg_location,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .savepoint = pg_savepoint,
    .release = pg_release,
    .rollback_to = pg_rollback_to,
    .create_jobs = pg_create_jobs,
    .add_events = pg_add_events,
    .put_tenant = pg_put_tenant,
    .put_token = pg_put_token,
    .revoke_token = pg_revoke_token,
    .load = pg_load,
};
