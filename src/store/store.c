/* store.c — the generic front of the durable store (see store.h): checks
 * the arguments of each call, queues it as a write request, and serves the
 * queue with group commit. The database itself sits behind struct
 * sw_store_ops (store_int.h).
 *
 * Group commit, leader and followers: a caller puts its request (on its own
 * stack) at the tail of the queue. When no commit is in progress and its
 * request is at the head, the caller becomes the leader: it takes every
 * queued request (at most SW_STORE_BATCH_MAX), runs them in one transaction
 * on its own thread, each inside its own savepoint, commits once, marks them
 * done and wakes their callers. Requests that arrived meanwhile wait
 * (followers); when the leader is done it makes the caller at the new head
 * the next leader. So a lone caller commits on its own thread with no
 * hand-off, and concurrent callers share commits as before. Exactly one
 * thread at a time uses the backend's write connection.
 *
 * A request reports success only when the commit did; one that failed was
 * rolled back to its savepoint and reports its own error while the others
 * commit. Results (ids, seqs, existed) are copied into the caller's records
 * only after success, so a failed call leaves them as they were.
 */
#include "store/store_int.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum req_kind { REQ_CREATE_JOBS, REQ_ADD_EVENTS, REQ_PUT_TENANT, REQ_PUT_TOKEN, REQ_REVOKE };

/* One write call, waiting in the queue. Lives on the caller's stack until
 * `done`; a leader touches it only between taking it and setting done. */
struct write_req {
    enum req_kind kind;
    const void *rec;    /* the caller's records (jobs, events, tenant, token) */
    size_t n;           /* how many records */
    uint64_t id;        /* revoke: the token; put_token: the id assigned */
    uint64_t *ids;      /* create_jobs, add_events: n results */
    bool *existed;      /* create_jobs: n results */
    int rc;             /* 0, or -1 with errnum and err */
    int errnum;
    sw_error_t err;
    bool done;
    bool lead;           /* its caller is to lead the next batch */
    pthread_cond_t cond; /* signalled when done or made leader, under the store's lock */
    struct write_req *next;
};

struct sw_store {
    const struct sw_store_ops *ops;
    void *be;
    pthread_mutex_t lock;     /* guards everything below */
    pthread_cond_t idle;      /* close waits here for the queue to drain */
    struct write_req *head, *tail;
    size_t queued;
    bool committing;          /* a leader is running a batch */
    bool stopping;
    bool hold;                /* test hook: leave the queue alone */
    struct sw_store_stats stats;
};

/* ---- roles ---- */

static const char *const role_names[] = {
    [SW_ROLE_ADMIN] = "admin",
    [SW_ROLE_PROVIDER] = "provider",
    [SW_ROLE_CONSUMER] = "consumer",
    [SW_ROLE_AGENT] = "agent",
};
#define ROLE_N (sizeof(role_names) / sizeof(role_names[0]))

const char *sw_role_name(enum sw_role r)
{
    return (unsigned)r < ROLE_N ? role_names[r] : "?";
}

int sw_role_parse(const char *s, enum sw_role *out)
{
    for (size_t i = 0; s && i < ROLE_N; i++) {
        if (strcmp(role_names[i], s) == 0) {
            *out = (enum sw_role)i;
            return 0;
        }
    }
    errno = EINVAL;
    return -1;
}

/* ---- one batch ---- */

/* Run one request inside the current transaction through the backend. */
static int req_run(struct sw_store *st, struct write_req *r)
{
    const struct sw_store_ops *o = st->ops;
    switch (r->kind) {
    case REQ_CREATE_JOBS:
        return o->create_jobs(st->be, r->rec, r->n, r->ids, r->existed, &r->err);
    case REQ_ADD_EVENTS:
        return o->add_events(st->be, r->rec, r->n, r->ids, &r->err);
    case REQ_PUT_TENANT:
        return o->put_tenant(st->be, r->rec, &r->err);
    case REQ_PUT_TOKEN:
        return o->put_token(st->be, r->rec, &r->id, &r->err);
    case REQ_REVOKE:
        return o->revoke_token(st->be, r->id, &r->err);
    }
    errno = EINVAL;
    return sw_errprintf(&r->err, "store: unknown request kind %d", (int)r->kind);
}

/* Record a failure of `r` (errno is its cause). */
static void req_fail(struct write_req *r)
{
    r->rc = -1;
    r->errnum = errno ? errno : EIO;
}

/* Run `r` in its own savepoint. A failure of the request itself is kept in
 * `r` and returns 0; -1 means the transaction is gone (message in `err`). */
static int batch_run_one(struct sw_store *st, struct write_req *r, sw_error_t *err)
{
    const struct sw_store_ops *o = st->ops;
    if (o->savepoint(st->be, err) < 0)
        return -1;
    if (req_run(st, r) == 0)
        return o->release(st->be, err);
    req_fail(r);
    int saved = errno;
    int rc = o->rollback_to(st->be, err);
    errno = saved;
    return rc;
}

/* Fail every request of the batch that has not failed on its own: the
 * transaction did not commit. */
static void batch_fail(struct write_req *batch, int errnum, const sw_error_t *err)
{
    for (struct write_req *r = batch; r; r = r->next) {
        if (r->rc != 0)
            continue;
        r->rc = -1;
        r->errnum = errnum ? errnum : EIO;
        sw_errprintf(&r->err, "not stored: %s", err->text);
    }
}

/* Run the batch in one transaction. Returns true when it committed. */
static bool batch_run(struct sw_store *st, struct write_req *batch)
{
    const struct sw_store_ops *o = st->ops;
    sw_error_t err;
    if (o->begin(st->be, &err) < 0) {
        batch_fail(batch, errno, &err);
        return false;
    }
    for (struct write_req *r = batch; r; r = r->next) {
        if (batch_run_one(st, r, &err) < 0)
            goto out_abort;
    }
    if (o->commit(st->be, &err) == 0)
        return true;
out_abort:;
    int errnum = errno;
    o->rollback(st->be);
    batch_fail(batch, errnum, &err);
    return false;
}

/* Detach up to SW_STORE_BATCH_MAX requests from the head of the queue.
 * Called with the lock held. */
static struct write_req *queue_take(struct sw_store *st, size_t *n)
{
    struct write_req *batch = st->head, *last = st->head;
    size_t k = 1;
    while (last->next && k < SW_STORE_BATCH_MAX) {
        last = last->next;
        k++;
    }
    st->head = last->next;
    if (!st->head)
        st->tail = NULL;
    last->next = NULL;
    st->queued -= k;
    *n = k;
    return batch;
}

/* Count the batch and wake its callers. Called with the lock held; after a
 * request is marked done its caller may free it, so `next` is read first. */
static void batch_finish(struct sw_store *st, struct write_req *batch, size_t n, bool committed)
{
    st->stats.writes += n;
    if (committed) {
        st->stats.commits++;
        if (n > st->stats.max_batch)
            st->stats.max_batch = n;
    }
    struct write_req *r = batch;
    while (r) {
        struct write_req *next = r->next;
        r->done = true;
        pthread_cond_signal(&r->cond);
        r = next;
    }
}

/* Make the caller at the head of the queue the next leader, unless a
 * commit is in progress or the queue is held; with nothing queued, tell
 * close that the store is idle. Called with the lock held. */
static void lead_next(struct sw_store *st)
{
    if (st->committing)
        return;
    if (!st->head) {
        pthread_cond_broadcast(&st->idle);
        return;
    }
    if (st->hold || st->head->lead)
        return;
    st->head->lead = true;
    pthread_cond_signal(&st->head->cond);
}

/* Lead one batch: the queue's head is the caller's own request `r`. Runs
 * the transaction without the lock. Called, and returns, with it held. */
static void lead_batch(struct sw_store *st, struct write_req *r)
{
    r->lead = false;
    st->committing = true;
    size_t n;
    struct write_req *batch = queue_take(st, &n);
    pthread_mutex_unlock(&st->lock);
    bool committed = batch_run(st, batch);
    pthread_mutex_lock(&st->lock);
    batch_finish(st, batch, n, committed);
    st->committing = false;
    lead_next(st);
}

/* ---- callers: queue a request, lead or wait ---- */

/* Queue `r`, serve it (as the leader of a batch, or as a follower waiting
 * for one), and report its result. */
static int store_submit(struct sw_store *st, struct write_req *r, sw_error_t *err)
{
    r->rc = 0;
    r->errnum = 0;
    r->err.text[0] = '\0';
    r->done = false;
    r->lead = false;
    r->next = NULL;
    int e = pthread_cond_init(&r->cond, NULL);
    if (e != 0) {
        errno = e;
        return sw_errprintf(err, "store: cannot queue a write: %s", strerror(e));
    }
    pthread_mutex_lock(&st->lock);
    if (st->stopping) {
        pthread_mutex_unlock(&st->lock);
        pthread_cond_destroy(&r->cond);
        errno = ECANCELED;
        return sw_errprintf(err, "store: closing, write refused");
    }
    if (st->tail)
        st->tail->next = r;
    else
        st->head = r;
    st->tail = r;
    st->queued++;
    lead_next(st);
    while (!r->done) {
        if (r->lead)
            lead_batch(st, r);
        else
            pthread_cond_wait(&r->cond, &st->lock);
    }
    pthread_mutex_unlock(&st->lock);
    pthread_cond_destroy(&r->cond);
    if (r->rc == 0)
        return 0;
    if (err)
        *err = r->err;
    errno = r->errnum;
    return -1;
}

/* ---- argument checks ---- */

/* True when `s` is a string that ends within `cap` bytes (and is non-empty
 * when `need` is set). */
static bool field_ok(const char *s, size_t cap, bool need)
{
    return memchr(s, '\0', cap) != NULL && (!need || s[0] != '\0');
}

static int check_job(const struct sw_store_job *j, size_t i, bool have_existed, sw_error_t *err)
{
    errno = EINVAL;
    if (!field_ok(j->tenant, sizeof(j->tenant), true))
        return sw_errprintf(err, "job %zu: tenant is empty or longer than %d bytes", i,
                            SW_STORE_NAME_MAX - 1);
    if (!field_ok(j->idempotency_key, sizeof(j->idempotency_key), false))
        return sw_errprintf(err, "job %zu: idempotency key longer than %d bytes", i,
                            SW_STORE_KEY_MAX - 1);
    if (!j->spec_json)
        return sw_errprintf(err, "job %zu: no spec_json", i);
    if (j->idempotency_key[0] && !have_existed)
        return sw_errprintf(err, "job %zu has an idempotency key but `existed` is NULL", i);
    return 0;
}

static int check_event(const struct sw_store_event *e, size_t i, sw_error_t *err)
{
    errno = EINVAL;
    if (e->job_id == 0 || e->job_id > INT64_MAX)
        return sw_errprintf(err, "event %zu: no job id", i);
    if (e->task < -1)
        return sw_errprintf(err, "event %zu: task %lld (must be >= -1)", i, (long long)e->task);
    if (e->attempt < 1)
        return sw_errprintf(err, "event %zu: attempt 0 (attempts count from 1)", i);
    if (e->state < 0)
        return sw_errprintf(err, "event %zu: state %d", i, e->state);
    return 0;
}

static int check_tenant(const struct sw_store_tenant *t, sw_error_t *err)
{
    errno = EINVAL;
    if (!field_ok(t->name, sizeof(t->name), true))
        return sw_errprintf(err, "tenant name is empty or longer than %d bytes",
                            SW_STORE_NAME_MAX - 1);
    if (t->kind != SW_ROLE_ADMIN && t->kind != SW_ROLE_PROVIDER && t->kind != SW_ROLE_CONSUMER)
        return sw_errprintf(err, "tenant '%s': kind must be admin, provider or consumer",
                            t->name);
    return 0;
}

static int check_token(const struct sw_store_token *t, sw_error_t *err)
{
    errno = EINVAL;
    if (!field_ok(t->tenant, sizeof(t->tenant), true))
        return sw_errprintf(err, "token: tenant is empty or longer than %d bytes",
                            SW_STORE_NAME_MAX - 1);
    if ((unsigned)t->role >= ROLE_N)
        return sw_errprintf(err, "token of '%s': unknown role %d", t->tenant, (int)t->role);
    if (!field_ok(t->site, sizeof(t->site), t->role == SW_ROLE_AGENT))
        return sw_errprintf(err, "token of '%s': %s", t->tenant,
                            t->role == SW_ROLE_AGENT ? "an agent token must name its site"
                                                     : "site name too long");
    if (!field_ok(t->label, sizeof(t->label), false))
        return sw_errprintf(err, "token of '%s': label longer than %zu bytes", t->tenant,
                            sizeof(t->label) - 1);
    return 0;
}

/* ---- the public calls ---- */

const struct sw_store_ops *sw_store__ops_for(const char *where)
{
    static const char *const schemes[] = {"postgresql://", "postgres://"};
    for (size_t i = 0; where && i < sizeof(schemes) / sizeof(schemes[0]); i++)
        if (strncmp(where, schemes[i], strlen(schemes[i])) == 0)
            return &sw_store__pg_ops;
    return &sw_store__sqlite_ops;
}

struct sw_store *sw_store_open(const char *where, sw_error_t *err)
{
    return sw_store__open_ops(sw_store__ops_for(where), where, err);
}

struct sw_store *sw_store__open_ops(const struct sw_store_ops *ops, const char *where,
                                    sw_error_t *err)
{
    if (!where || !*where) {
        errno = EINVAL;
        sw_errprintf(err, "store: no directory or URL given");
        return NULL;
    }
    struct sw_store *st = calloc(1, sizeof(*st));
    if (!st) {
        sw_errprintf(err, "store: out of memory");
        return NULL;
    }
    st->ops = ops;
    st->be = st->ops->open(where, err);
    if (!st->be)
        goto out_free;
    pthread_mutex_init(&st->lock, NULL);
    pthread_cond_init(&st->idle, NULL);
    return st;

out_free:;
    int saved = errno;
    free(st);
    errno = saved;
    return NULL;
}

const char *sw_store_location(const struct sw_store *st)
{
    return st->ops->location(st->be);
}

void sw_store_close(struct sw_store *st)
{
    if (!st)
        return;
    int saved = errno;
    pthread_mutex_lock(&st->lock);
    st->stopping = true;
    st->hold = false;
    lead_next(st);
    while (st->committing || st->head)
        pthread_cond_wait(&st->idle, &st->lock);
    pthread_mutex_unlock(&st->lock);
    st->ops->close(st->be);
    pthread_cond_destroy(&st->idle);
    pthread_mutex_destroy(&st->lock);
    free(st);
    errno = saved;
}

int sw_store_create_jobs(struct sw_store *st, struct sw_store_job *jobs, size_t n, bool *existed,
                         sw_error_t *err)
{
    if (n == 0)
        return 0;
    if (!jobs) {
        errno = EINVAL;
        return sw_errprintf(err, "create_jobs: jobs is NULL for n = %zu", n);
    }
    for (size_t i = 0; i < n; i++)
        if (check_job(&jobs[i], i, existed != NULL, err) < 0)
            return -1;
    uint64_t *ids = calloc(n, sizeof(*ids));
    bool *ex = calloc(n, sizeof(*ex));
    int rc = -1;
    if (!ids || !ex) {
        errno = ENOMEM;
        sw_errprintf(err, "store: out of memory for %zu jobs", n);
        goto out_free;
    }
    struct write_req r = {.kind = REQ_CREATE_JOBS, .rec = jobs, .n = n, .ids = ids, .existed = ex};
    rc = store_submit(st, &r, err);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        jobs[i].id = ids[i];
        if (existed)
            existed[i] = ex[i];
    }
out_free:;
    int saved = errno;
    free(ex);
    free(ids);
    errno = saved;
    return rc;
}

int sw_store_add_events(struct sw_store *st, struct sw_store_event *ev, size_t n, sw_error_t *err)
{
    if (n == 0)
        return 0;
    if (!ev) {
        errno = EINVAL;
        return sw_errprintf(err, "add_events: events is NULL for n = %zu", n);
    }
    for (size_t i = 0; i < n; i++)
        if (check_event(&ev[i], i, err) < 0)
            return -1;
    uint64_t *seqs = calloc(n, sizeof(*seqs));
    if (!seqs) {
        errno = ENOMEM;
        return sw_errprintf(err, "store: out of memory for %zu events", n);
    }
    struct write_req r = {.kind = REQ_ADD_EVENTS, .rec = ev, .n = n, .ids = seqs};
    int rc = store_submit(st, &r, err);
    for (size_t i = 0; rc == 0 && i < n; i++)
        ev[i].seq = seqs[i];
    int saved = errno;
    free(seqs);
    errno = saved;
    return rc;
}

int sw_store_put_tenant(struct sw_store *st, const struct sw_store_tenant *t, sw_error_t *err)
{
    if (!t) {
        errno = EINVAL;
        return sw_errprintf(err, "put_tenant: tenant is NULL");
    }
    if (check_tenant(t, err) < 0)
        return -1;
    struct write_req r = {.kind = REQ_PUT_TENANT, .rec = t, .n = 1};
    return store_submit(st, &r, err);
}

int sw_store_put_token(struct sw_store *st, struct sw_store_token *t, sw_error_t *err)
{
    if (!t) {
        errno = EINVAL;
        return sw_errprintf(err, "put_token: token is NULL");
    }
    if (check_token(t, err) < 0)
        return -1;
    struct write_req r = {.kind = REQ_PUT_TOKEN, .rec = t, .n = 1};
    if (store_submit(st, &r, err) < 0)
        return -1;
    t->id = r.id;
    return 0;
}

int sw_store_revoke_token(struct sw_store *st, uint64_t id, sw_error_t *err)
{
    if (id == 0 || id > INT64_MAX) {
        errno = ENOENT;
        return sw_errprintf(err, "no token with id %llu", (unsigned long long)id);
    }
    struct write_req r = {.kind = REQ_REVOKE, .id = id, .n = 1};
    return store_submit(st, &r, err);
}

int sw_store_load(struct sw_store *st, const struct sw_store_loader *l, void *arg,
                  sw_error_t *err)
{
    static const struct sw_store_loader none;
    return st->ops->load(st->be, l ? l : &none, arg, err);
}

void sw_store_get_stats(struct sw_store *st, struct sw_store_stats *out)
{
    memset(out, 0, sizeof(*out));
    if (!st)
        return;
    pthread_mutex_lock(&st->lock);
    *out = st->stats;
    pthread_mutex_unlock(&st->lock);
}

/* ---- test hooks (store_int.h) ---- */

void sw_store__hold(struct sw_store *st, bool hold)
{
    pthread_mutex_lock(&st->lock);
    st->hold = hold;
    lead_next(st);
    pthread_mutex_unlock(&st->lock);
}

size_t sw_store__queued(struct sw_store *st)
{
    pthread_mutex_lock(&st->lock);
    size_t n = st->queued;
    pthread_mutex_unlock(&st->lock);
    return n;
}
