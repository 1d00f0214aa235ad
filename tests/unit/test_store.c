/* test_store.c — the durable store (store.h) on each of its backends: round
 * trips of every record kind, idempotency keys, errors that name their
 * cause, one failing call in a batch not failing the others, group commit
 * under 8 writer threads with a loader reading consistent snapshots
 * alongside, recovery on reopen, and kill -9 of a writing process losing
 * nothing it acknowledged. The same cases run on SQLite (a directory under
 * /tmp for each test) and on PostgreSQL (a database for each test on the
 * server $SUANWANG_TEST_PG; skipped, saying so, when it is not set —
 * tests/e2e/store_pg.sh sets it), each place removed at the end (storetest.h).
 * Then the cases of one backend: directories and file versions for SQLite;
 * URLs, schema versions, lost connections and a second controller for
 * PostgreSQL. SW_TEST_STORE_ONLY=sqlite|postgresql runs one backend (77:
 * PostgreSQL asked for but not available). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"
#include "store/store_int.h"
#include "storetest.h"
#include "testutil.h"

/* ---- the backend under test, and each test's place ---- */

static const struct st_backend *backend; /* set before each group of tests runs */

struct place {
    char where[512]; /* a directory or a URL */
};

static int place_make(void **state)
{
    static struct place the_place;
    backend->make(the_place.where, sizeof(the_place.where));
    *state = &the_place;
    return 0;
}

static int place_drop(void **state)
{
    backend->drop(((struct place *)*state)->where);
    return 0;
}

static const char *where_of(void **state)
{
    return ((struct place *)*state)->where;
}

static struct sw_store *open_ok(const char *dir)
{
    sw_error_t err = {{0}};
    struct sw_store *st = sw_store_open(dir, &err);
    if (!st)
        fail_msg("sw_store_open(%s): %s", dir, err.text);
    return st;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* ---- helpers: records ---- */

static void put_tenant(struct sw_store *st, const char *name, enum sw_role kind)
{
    struct sw_store_tenant t = {.kind = kind, .created_ms = now_ms()};
    snprintf(t.name, sizeof(t.name), "%s", name);
    sw_error_t err;
    if (sw_store_put_tenant(st, &t, &err) != 0)
        fail_msg("put_tenant %s: %s", name, err.text);
}

static struct sw_store_job job_of(const char *tenant, const char *key, const char *spec)
{
    struct sw_store_job j = {.submit_ms = 1700000000000, .spec_json = spec};
    snprintf(j.tenant, sizeof(j.tenant), "%s", tenant);
    snprintf(j.idempotency_key, sizeof(j.idempotency_key), "%s", key);
    return j;
}

/* Create one job; returns its id and sets *existed. */
static uint64_t create_one(struct sw_store *st, const char *tenant, const char *key,
                           bool *existed)
{
    struct sw_store_job j = job_of(tenant, key, "{\"tasks\":1}");
    bool ex = false;
    sw_error_t err;
    if (sw_store_create_jobs(st, &j, 1, &ex, &err) != 0)
        fail_msg("create_jobs: %s", err.text);
    if (existed)
        *existed = ex;
    return j.id;
}

/* ---- helpers: loading everything into arrays ---- */

struct loaded {
    struct sw_store_tenant *tenants;
    struct sw_store_token *tokens;
    struct sw_store_job *jobs; /* spec_json strdup'ed, freed by loaded_free */
    struct sw_store_event *events; /* detail_json strdup'ed or NULL */
    size_t ntenants, ntokens, njobs, nevents;
    int phase;       /* 0 tenants, 1 tokens, 2 jobs, 3 events: never goes back */
    bool out_of_order;
    bool dangling;   /* an event of a job this load did not return */
};

/* Room for element n of an array that grows one at a time: the capacity
 * doubles at each power of two (loads of 10^4 jobs stay fast under ASan,
 * whose realloc always copies). */
static void *grow(void *p, size_t n, size_t size)
{
    if (n != 0 && (n & (n - 1)) != 0)
        return p;
    void *q = realloc(p, (n ? 2 * n : 1) * size);
    assert_non_null(q);
    return q;
}

static void phase(struct loaded *L, int p)
{
    if (p < L->phase)
        L->out_of_order = true;
    L->phase = p;
}

static int on_tenant(void *arg, const struct sw_store_tenant *t)
{
    struct loaded *L = arg;
    phase(L, 0);
    L->tenants = grow(L->tenants, L->ntenants, sizeof(*t));
    L->tenants[L->ntenants++] = *t;
    return 0;
}

static int on_token(void *arg, const struct sw_store_token *t)
{
    struct loaded *L = arg;
    phase(L, 1);
    if (L->ntokens && t->id <= L->tokens[L->ntokens - 1].id)
        L->out_of_order = true;
    L->tokens = grow(L->tokens, L->ntokens, sizeof(*t));
    L->tokens[L->ntokens++] = *t;
    return 0;
}

static int on_job(void *arg, const struct sw_store_job *j)
{
    struct loaded *L = arg;
    phase(L, 2);
    if (L->njobs && j->id <= L->jobs[L->njobs - 1].id)
        L->out_of_order = true;
    L->jobs = grow(L->jobs, L->njobs, sizeof(*j));
    L->jobs[L->njobs] = *j;
    L->jobs[L->njobs++].spec_json = strdup(j->spec_json);
    return 0;
}

static const struct sw_store_job *find_job(const struct loaded *L, uint64_t id)
{
    size_t lo = 0, hi = L->njobs; /* jobs come in id order */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (L->jobs[mid].id == id)
            return &L->jobs[mid];
        if (L->jobs[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static int on_event(void *arg, const struct sw_store_event *e)
{
    struct loaded *L = arg;
    phase(L, 3);
    if (L->nevents && e->seq <= L->events[L->nevents - 1].seq)
        L->out_of_order = true;
    if (!find_job(L, e->job_id))
        L->dangling = true;
    L->events = grow(L->events, L->nevents, sizeof(*e));
    L->events[L->nevents] = *e;
    L->events[L->nevents++].detail_json = e->detail_json ? strdup(e->detail_json) : NULL;
    return 0;
}

static const struct sw_store_loader loader_all = {on_tenant, on_token, on_job, on_event};

static void loaded_free(struct loaded *L)
{
    for (size_t i = 0; i < L->njobs; i++)
        free((char *)L->jobs[i].spec_json);
    for (size_t i = 0; i < L->nevents; i++)
        free((char *)L->events[i].detail_json);
    free(L->tenants);
    free(L->tokens);
    free(L->jobs);
    free(L->events);
    memset(L, 0, sizeof(*L));
}

static void load_ok(struct sw_store *st, struct loaded *L)
{
    memset(L, 0, sizeof(*L));
    sw_error_t err;
    if (sw_store_load(st, &loader_all, L, &err) != 0)
        fail_msg("load: %s", err.text);
    assert_false(L->out_of_order);
    assert_false(L->dangling);
}

/* ---- round trip, reopen ---- */

static void fill_hash(unsigned char *h, unsigned char seed)
{
    for (int i = 0; i < SW_TOKEN_HASH_BYTES; i++)
        h[i] = (unsigned char)(seed + i * 7);
}

static void round_trip_and_reopen(void **state)
{
    const char *dir = where_of(state);
    struct sw_store *st = open_ok(dir);
    sw_error_t err;

    put_tenant(st, "acme", SW_ROLE_CONSUMER);
    put_tenant(st, "gz-dc", SW_ROLE_PROVIDER);
    put_tenant(st, "root", SW_ROLE_ADMIN);

    struct sw_store_token tk[2] = {
        {.tenant = "acme", .role = SW_ROLE_CONSUMER, .label = "ci", .created_ms = 11},
        {.tenant = "gz-dc", .role = SW_ROLE_AGENT, .site = "gz-1", .label = "agent gz-1",
         .created_ms = 12},
    };
    fill_hash(tk[0].hash, 1);
    fill_hash(tk[1].hash, 2);
    for (int i = 0; i < 2; i++)
        assert_int_equal(sw_store_put_token(st, &tk[i], &err), 0);
    assert_true(tk[0].id > 0 && tk[1].id > tk[0].id);

    struct sw_store_job jobs[3] = {
        job_of("acme", "", "{\"name\":\"a\"}"),
        job_of("acme", "k1", "{\"name\":\"b\",\"note\":\"\\u4e2d\"}"),
        job_of("gz-dc", "", "{}"),
    };
    bool existed[3] = {true, true, true};
    assert_int_equal(sw_store_create_jobs(st, jobs, 3, existed, &err), 0);
    assert_true(jobs[0].id > 0 && jobs[1].id > jobs[0].id && jobs[2].id > jobs[1].id);
    assert_false(existed[0] || existed[1] || existed[2]);

    struct sw_store_event ev[3] = {
        {.job_id = jobs[0].id, .task = -1, .attempt = 1, .state = 0, .time_ms = 100},
        {.job_id = jobs[0].id, .task = 0, .attempt = 1, .state = 1, .time_ms = 101,
         .detail_json = "{\"site\":\"gz-1\"}"},
        {.job_id = jobs[2].id, .task = 3, .attempt = 2, .state = 8, .time_ms = 102},
    };
    assert_int_equal(sw_store_add_events(st, ev, 3, &err), 0);
    assert_true(ev[0].seq > 0 && ev[1].seq > ev[0].seq && ev[2].seq > ev[1].seq);
    assert_int_equal(sw_store_revoke_token(st, tk[0].id, &err), 0);

    for (int round = 0; round < 2; round++) {
        struct loaded L;
        load_ok(st, &L);
        assert_int_equal(L.ntenants, 3);
        assert_string_equal(L.tenants[0].name, "acme");
        assert_int_equal(L.tenants[1].kind, SW_ROLE_PROVIDER);
        assert_string_equal(L.tenants[2].name, "root");
        assert_int_equal(L.ntokens, 2);
        assert_int_equal(L.tokens[0].id, tk[0].id);
        assert_true(L.tokens[0].revoked);
        assert_false(L.tokens[1].revoked);
        assert_memory_equal(L.tokens[1].hash, tk[1].hash, SW_TOKEN_HASH_BYTES);
        assert_int_equal(L.tokens[1].role, SW_ROLE_AGENT);
        assert_string_equal(L.tokens[1].site, "gz-1");
        assert_string_equal(L.tokens[1].label, "agent gz-1");
        assert_int_equal(L.tokens[1].created_ms, 12);
        assert_int_equal(L.njobs, 3);
        for (int i = 0; i < 3; i++) {
            assert_int_equal(L.jobs[i].id, jobs[i].id);
            assert_string_equal(L.jobs[i].tenant, jobs[i].tenant);
            assert_string_equal(L.jobs[i].idempotency_key, jobs[i].idempotency_key);
            assert_string_equal(L.jobs[i].spec_json, jobs[i].spec_json);
            assert_int_equal(L.jobs[i].submit_ms, jobs[i].submit_ms);
        }
        assert_int_equal(L.nevents, 3);
        for (int i = 0; i < 3; i++) {
            assert_int_equal(L.events[i].seq, ev[i].seq);
            assert_int_equal(L.events[i].job_id, ev[i].job_id);
            assert_int_equal(L.events[i].task, ev[i].task);
            assert_int_equal(L.events[i].attempt, ev[i].attempt);
            assert_int_equal(L.events[i].state, ev[i].state);
            assert_int_equal(L.events[i].time_ms, ev[i].time_ms);
        }
        assert_null(L.events[0].detail_json);
        assert_string_equal(L.events[1].detail_json, "{\"site\":\"gz-1\"}");
        loaded_free(&L);
        /* the second round reads what the first close left on disk */
        sw_store_close(st);
        st = open_ok(dir);
    }
    /* new ids continue after the recovered ones; keys are still known */
    bool ex = false;
    struct sw_store_job again = job_of("acme", "k1", jobs[1].spec_json);
    assert_int_equal(sw_store_create_jobs(st, &again, 1, &ex, &err), 0);
    assert_int_equal(again.id, jobs[1].id);
    assert_true(ex);
    assert_true(create_one(st, "acme", "", &ex) > jobs[2].id);
    sw_store_close(st);
}

/* ---- idempotency ---- */

static void idempotency_keys(void **state)
{
    const char *dir = where_of(state);
    struct sw_store *st = open_ok(dir);
    put_tenant(st, "a", SW_ROLE_CONSUMER);
    put_tenant(st, "b", SW_ROLE_CONSUMER);
    bool ex;
    uint64_t first = create_one(st, "a", "key-1", &ex);
    assert_false(ex);
    assert_int_equal(create_one(st, "a", "key-1", &ex), first);
    assert_true(ex);
    uint64_t other = create_one(st, "b", "key-1", &ex); /* another tenant: another job */
    assert_false(ex);
    assert_true(other != first);

    /* two identical keys in one call: one job */
    struct sw_store_job two[3] = {job_of("a", "dup", "{}"), job_of("a", "dup", "{}"),
                                  job_of("a", "", "{}")};
    bool existed[3];
    sw_error_t err;
    assert_int_equal(sw_store_create_jobs(st, two, 3, existed, &err), 0);
    assert_int_equal(two[0].id, two[1].id);
    assert_false(existed[0]);
    assert_true(existed[1]);
    assert_false(existed[2]);

    /* a key used again with another spec: refused, naming the key and the
     * job, and nothing of the call is created (all or none) */
    struct sw_store_job other_spec[2] = {job_of("a", "", "{}"), job_of("a", "key-1", "{\"x\":1}")};
    bool ex2[2] = {true, true};
    assert_int_equal(sw_store_create_jobs(st, other_spec, 2, ex2, &err), -1);
    assert_int_equal(errno, EEXIST);
    char want[128];
    snprintf(want, sizeof(want), "job 1: the idempotency key \"key-1\" was used for job %llu",
             (unsigned long long)first);
    assert_non_null(strstr(err.text, want));
    assert_int_equal(other_spec[0].id, 0); /* untouched */
    assert_true(ex2[0] && ex2[1]);
    /* the same key twice in one call with two specs: refused too */
    struct sw_store_job clash[2] = {job_of("a", "k2", "{}"), job_of("a", "k2", "{\"x\":2}")};
    assert_int_equal(sw_store_create_jobs(st, clash, 2, existed, &err), -1);
    assert_int_equal(errno, EEXIST);

    /* a key with nowhere to report `existed` is refused */
    struct sw_store_job k = job_of("a", "new-key", "{}");
    assert_int_equal(sw_store_create_jobs(st, &k, 1, NULL, &err), -1);
    assert_int_equal(errno, EINVAL);
    assert_non_null(strstr(err.text, "existed"));

    struct loaded L;
    load_ok(st, &L);
    assert_int_equal(L.njobs, 4); /* first, other, dup, and the keyless one */
    loaded_free(&L);
    sw_store_close(st);
}

/* ---- errors ---- */

static void errors_name_their_cause(void **state)
{
    const char *dir = where_of(state);
    struct sw_store *st = open_ok(dir);
    sw_error_t err;
    put_tenant(st, "acme", SW_ROLE_CONSUMER);

    struct sw_store_tenant dup = {.name = "acme", .kind = SW_ROLE_PROVIDER};
    assert_int_equal(sw_store_put_tenant(st, &dup, &err), -1);
    assert_int_equal(errno, EEXIST);
    assert_non_null(strstr(err.text, "'acme' already exists"));
    struct sw_store_tenant agent = {.name = "x", .kind = SW_ROLE_AGENT};
    assert_int_equal(sw_store_put_tenant(st, &agent, &err), -1);
    assert_int_equal(errno, EINVAL);

    struct sw_store_token tk = {.tenant = "nobody", .role = SW_ROLE_CONSUMER};
    fill_hash(tk.hash, 9);
    assert_int_equal(sw_store_put_token(st, &tk, &err), -1);
    assert_int_equal(errno, ENOENT);
    assert_non_null(strstr(err.text, "'nobody' does not exist"));
    snprintf(tk.tenant, sizeof(tk.tenant), "acme");
    assert_int_equal(sw_store_put_token(st, &tk, &err), 0);
    uint64_t id = tk.id;
    assert_int_equal(sw_store_put_token(st, &tk, &err), -1); /* the same hash */
    assert_int_equal(errno, EEXIST);
    assert_int_equal(tk.id, id);
    tk.role = SW_ROLE_AGENT; /* an agent token without a site */
    fill_hash(tk.hash, 10);
    assert_int_equal(sw_store_put_token(st, &tk, &err), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(sw_store_revoke_token(st, id + 100, &err), -1);
    assert_int_equal(errno, ENOENT);
    assert_int_equal(sw_store_revoke_token(st, id, &err), 0);
    assert_int_equal(sw_store_revoke_token(st, id, &err), 0); /* again: still revoked */

    /* all or none: the third job's unknown tenant undoes the first two */
    struct sw_store_job jobs[3] = {job_of("acme", "", "{}"), job_of("acme", "", "{}"),
                                   job_of("ghost", "", "{}")};
    jobs[0].id = jobs[1].id = jobs[2].id = 777;
    assert_int_equal(sw_store_create_jobs(st, jobs, 3, NULL, &err), -1);
    assert_int_equal(errno, ENOENT);
    assert_non_null(strstr(err.text, "job 2: tenant 'ghost' does not exist"));
    assert_int_equal(jobs[0].id, 777); /* a failed call changes nothing */

    struct sw_store_event ev = {.job_id = 4242, .task = 0, .attempt = 1};
    assert_int_equal(sw_store_add_events(st, &ev, 1, &err), -1);
    assert_int_equal(errno, ENOENT);
    assert_non_null(strstr(err.text, "job 4242 does not exist"));
    ev.attempt = 0;
    assert_int_equal(sw_store_add_events(st, &ev, 1, &err), -1);
    assert_int_equal(errno, EINVAL);

    struct loaded L;
    load_ok(st, &L);
    assert_int_equal(L.njobs, 0);
    assert_int_equal(L.nevents, 0);
    assert_int_equal(L.ntokens, 1);
    assert_true(L.tokens[0].revoked);
    loaded_free(&L);
    sw_store_close(st);
}

static int stop_at_first(void *arg, const struct sw_store_tenant *t)
{
    (void)arg;
    (void)t;
    return 5;
}

static void load_stops_when_asked(void **state)
{
    const char *dir = where_of(state);
    struct sw_store *st = open_ok(dir);
    put_tenant(st, "a", SW_ROLE_CONSUMER);
    struct sw_store_loader l = {.tenant = stop_at_first};
    sw_error_t err;
    assert_int_equal(sw_store_load(st, &l, NULL, &err), -1);
    assert_int_equal(errno, ECANCELED);
    assert_non_null(strstr(err.text, "tenant callback"));
    assert_int_equal(sw_store_load(st, NULL, NULL, &err), 0); /* no callbacks: nothing */
    sw_store_close(st);
}

static void bad_directories(void **state)
{
    (void)state;
    char dir[64], path[128];
    st_tmpdir(dir, sizeof(dir));
    sw_error_t err;

    /* a directory below a plain file */
    snprintf(path, sizeof(path), "%s/file", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fclose(f);
    snprintf(path, sizeof(path), "%s/file/state", dir);
    assert_null(sw_store_open(path, &err));
    assert_non_null(strstr(err.text, path));

    /* a file that is not a database */
    snprintf(path, sizeof(path), "%s/junk", dir);
    assert_int_equal(mkdir(path, 0755), 0);
    snprintf(path, sizeof(path), "%s/junk/suanwang.db", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    for (int i = 0; i < 200; i++)
        fputs("this is not a database, but a text file. ", f);
    fclose(f);
    assert_null(sw_store_open(path, &err)); /* a file, not a directory */
    snprintf(path, sizeof(path), "%s/junk", dir);
    assert_null(sw_store_open(path, &err));
    assert_non_null(strstr(err.text, "junk/suanwang.db"));
    printf("# not a database: %s\n", err.text);

    /* an unwritable directory (root writes anywhere but into sysfs) */
    snprintf(path, sizeof(path), "%s/ro", dir);
    assert_int_equal(mkdir(path, 0500), 0);
    const char *ro = path;
    struct stat sb;
    if (geteuid() == 0)
        ro = stat("/sys/kernel", &sb) == 0 && S_ISDIR(sb.st_mode) ? "/sys/kernel" : NULL;
    if (!ro)
        printf("# SKIP: running as root and no /sys/kernel: no unwritable directory\n");
    if (ro) {
        struct sw_store *st = sw_store_open(ro, &err);
        assert_null(st);
        assert_non_null(strstr(err.text, ro));
        printf("# unwritable: %s\n", err.text);
    }
    st_rm_tree(dir);
}

static void schema_versions_sqlite(void **state)
{
    const char *dir = where_of(state);
    sw_error_t err;
    sw_store_close(open_ok(dir));
    backend->sql(dir, "PRAGMA user_version = 99");
    assert_null(sw_store_open(dir, &err));
    assert_non_null(strstr(err.text, "schema version 99 is newer"));
    backend->sql(dir, "PRAGMA user_version = 1");
    struct sw_store *st = open_ok(dir); /* current: opens as it is */
    put_tenant(st, "a", SW_ROLE_CONSUMER);
    sw_store_close(st);
    backend->sql(dir, "PRAGMA application_id = 7");
    assert_null(sw_store_open(dir, &err));
    assert_non_null(strstr(err.text, "not a suanwang database"));

    /* somebody else's database */
    char other[64];
    st_tmpdir(other, sizeof(other));
    backend->sql(other, "CREATE TABLE t (x)");
    assert_null(sw_store_open(other, &err));
    assert_int_equal(errno, ENOTSUP);
    assert_non_null(strstr(err.text, "suanwang.db: not a suanwang database"));
    st_rm_tree(other);
}

/* ---- one batch: a failure stays with its own call ---- */

struct call {
    struct sw_store *st;
    enum { CALL_TENANT, CALL_JOBS } kind;
    struct sw_store_job jobs[2];
    size_t n;
    bool existed[2];
    int rc, errnum;
    sw_error_t err;
    pthread_t th;
};

static void *call_main(void *arg)
{
    struct call *c = arg;
    if (c->kind == CALL_TENANT) {
        struct sw_store_tenant t = {.name = "acme", .kind = SW_ROLE_CONSUMER};
        c->rc = sw_store_put_tenant(c->st, &t, &c->err);
    } else {
        c->rc = sw_store_create_jobs(c->st, c->jobs, c->n, c->existed, &c->err);
    }
    c->errnum = errno;
    return NULL;
}

/* Start `c` and wait until it is queued behind `queued` others. */
static void call_start(struct call *c, size_t queued)
{
    assert_int_equal(pthread_create(&c->th, NULL, call_main, c), 0);
    for (int i = 0; i < 5000 && sw_store__queued(c->st) < queued + 1; i++)
        sleep_ms(1);
    assert_int_equal(sw_store__queued(c->st), queued + 1);
}

static void failure_in_batch_stays_local(void **state)
{
    const char *dir = where_of(state);
    struct sw_store *st = open_ok(dir);
    put_tenant(st, "acme", SW_ROLE_CONSUMER);
    struct sw_store_stats before, after;
    sw_store_get_stats(st, &before);

    struct call c[4] = {
        {.st = st, .kind = CALL_JOBS, .n = 2,
         .jobs = {job_of("acme", "x", "{\"n\":1}"), job_of("acme", "", "{\"n\":2}")}},
        {.st = st, .kind = CALL_TENANT},                               /* taken name */
        {.st = st, .kind = CALL_JOBS, .n = 1, .jobs = {job_of("acme", "x", "{\"n\":1}")}},
        {.st = st, .kind = CALL_JOBS, .n = 2,                          /* unknown tenant */
         .jobs = {job_of("acme", "", "{\"n\":3}"), job_of("ghost", "", "{}")}},
    };
    sw_store__hold(st, true);
    for (size_t i = 0; i < 4; i++)
        call_start(&c[i], i);
    sw_store__hold(st, false);
    for (size_t i = 0; i < 4; i++)
        pthread_join(c[i].th, NULL);
    sw_store_get_stats(st, &after);

    assert_int_equal(c[0].rc, 0);
    assert_false(c[0].existed[0]);
    assert_int_equal(c[1].rc, -1);
    assert_int_equal(c[1].errnum, EEXIST);
    assert_int_equal(c[2].rc, 0); /* the key "x" from the call before, same batch */
    assert_true(c[2].existed[0]);
    assert_int_equal(c[2].jobs[0].id, c[0].jobs[0].id);
    assert_int_equal(c[3].rc, -1);
    assert_int_equal(c[3].errnum, ENOENT);
    assert_int_equal(after.commits, before.commits + 1); /* all four in one transaction */
    assert_int_equal(after.writes, before.writes + 4);
    assert_true(after.max_batch >= 4);

    struct loaded L;
    load_ok(st, &L);
    assert_int_equal(L.njobs, 2); /* c[0]'s two; nothing of c[3] */
    assert_string_equal(L.jobs[1].spec_json, "{\"n\":2}");
    assert_int_equal(L.ntenants, 1);
    loaded_free(&L);
    sw_store_close(st);
}

/* ---- injected failures of the transaction itself ---- */

static struct sw_store_ops faulty_ops;
static int fail_begin, fail_commit; /* how many of the next begins/commits fail */

static int faulty_begin(void *be, sw_error_t *err)
{
    if (fail_begin > 0) {
        fail_begin--;
        errno = EBUSY;
        return sw_errprintf(err, "injected: database is locked");
    }
    return backend->ops->begin(be, err);
}

static int faulty_commit(void *be, sw_error_t *err)
{
    if (fail_commit > 0) {
        fail_commit--;
        errno = EIO;
        return sw_errprintf(err, "injected: disk I/O error");
    }
    return backend->ops->commit(be, err);
}

static void failed_transaction_fails_its_batch(void **state)
{
    const char *dir = where_of(state);
    faulty_ops = *backend->ops;
    faulty_ops.begin = faulty_begin;
    faulty_ops.commit = faulty_commit;
    sw_error_t err;
    struct sw_store *st = sw_store__open_ops(&faulty_ops, dir, &err);
    assert_non_null(st);
    put_tenant(st, "acme", SW_ROLE_CONSUMER);

    /* the commit fails: every call fails, the one with its own error keeps it */
    struct call c[3] = {
        {.st = st, .kind = CALL_JOBS, .n = 1, .jobs = {job_of("acme", "k", "{}")}},
        {.st = st, .kind = CALL_TENANT},
        {.st = st, .kind = CALL_JOBS, .n = 2,
         .jobs = {job_of("acme", "", "{}"), job_of("acme", "", "{}")}},
    };
    c[0].jobs[0].id = 777;
    struct sw_store_stats before, after;
    sw_store_get_stats(st, &before);
    fail_commit = 1;
    sw_store__hold(st, true);
    for (size_t i = 0; i < 3; i++)
        call_start(&c[i], i);
    sw_store__hold(st, false);
    for (size_t i = 0; i < 3; i++)
        pthread_join(c[i].th, NULL);
    sw_store_get_stats(st, &after);
    assert_int_equal(c[0].rc, -1);
    assert_int_equal(c[0].errnum, EIO);
    assert_string_equal(c[0].err.text, "not stored: injected: disk I/O error");
    assert_int_equal(c[0].jobs[0].id, 777); /* untouched */
    assert_int_equal(c[1].errnum, EEXIST);
    assert_non_null(strstr(c[1].err.text, "already exists"));
    assert_int_equal(c[2].rc, -1);
    assert_int_equal(c[2].errnum, EIO);
    assert_int_equal(after.commits, before.commits);
    assert_int_equal(after.writes, before.writes + 3);

    /* BEGIN fails: the call fails; the next one works, and the key is free */
    fail_begin = 1;
    struct sw_store_job j = job_of("acme", "k", "{}");
    bool ex;
    assert_int_equal(sw_store_create_jobs(st, &j, 1, &ex, &err), -1);
    assert_int_equal(errno, EBUSY);
    assert_non_null(strstr(err.text, "injected: database is locked"));
    assert_int_equal(sw_store_create_jobs(st, &j, 1, &ex, &err), 0);
    assert_false(ex);

    struct loaded L;
    load_ok(st, &L);
    assert_int_equal(L.njobs, 1);
    assert_int_equal(L.jobs[0].id, j.id);
    loaded_free(&L);
    sw_store_close(st);
}

/* ---- concurrency: group commit ---- */

enum { NTHREADS = 8, PER_THREAD = 500 };

struct writer {
    struct sw_store *st;
    int index;
    uint64_t ids[PER_THREAD];
    int failures;
    sw_error_t err;
    pthread_t th;
};

static void *writer_main(void *arg)
{
    struct writer *w = arg;
    for (int i = 0; i < PER_THREAD; i++) {
        char key[32] = "";
        if (i % 2) /* half with keys, half without */
            snprintf(key, sizeof(key), "w%d-%d", w->index, i);
        struct sw_store_job j = job_of(w->index % 2 ? "a" : "b", key, "{\"tasks\":4}");
        bool ex = true;
        if (sw_store_create_jobs(w->st, &j, 1, &ex, &w->err) != 0 || ex) {
            w->failures++;
            continue;
        }
        w->ids[i] = j.id;
        struct sw_store_event e = {.job_id = j.id, .task = -1, .attempt = 1, .time_ms = i};
        if (sw_store_add_events(w->st, &e, 1, &w->err) != 0)
            w->failures++;
    }
    return NULL;
}

struct reader {
    struct sw_store *st;
    int stop; /* set by the main thread after the writers are joined */
    pthread_mutex_t lock;
    int loads, bad;
    sw_error_t err;
    pthread_t th;
};

/* Load again and again while the writers run: every snapshot is consistent
 * (no event of a job the same load did not return) and ordered. */
static void *reader_main(void *arg)
{
    struct reader *r = arg;
    for (;;) {
        pthread_mutex_lock(&r->lock);
        int stop = r->stop;
        pthread_mutex_unlock(&r->lock);
        if (stop)
            break;
        struct loaded L = {0};
        if (sw_store_load(r->st, &loader_all, &L, &r->err) != 0 || L.dangling || L.out_of_order)
            r->bad++;
        r->loads++;
        loaded_free(&L);
        sleep_ms(2); /* a few hundred loads: enough to overlap many commits */
    }
    return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static void group_commit_under_threads(void **state)
{
    const char *dir = where_of(state);
    struct sw_store *st = open_ok(dir);
    put_tenant(st, "a", SW_ROLE_CONSUMER);
    put_tenant(st, "b", SW_ROLE_CONSUMER);
    struct sw_store_stats before, after;
    sw_store_get_stats(st, &before);

    static struct writer w[NTHREADS];
    struct reader r = {.st = st};
    pthread_mutex_init(&r.lock, NULL);
    double t0 = mono_s();
    assert_int_equal(pthread_create(&r.th, NULL, reader_main, &r), 0);
    for (int i = 0; i < NTHREADS; i++) {
        w[i] = (struct writer){.st = st, .index = i};
        assert_int_equal(pthread_create(&w[i].th, NULL, writer_main, &w[i]), 0);
    }
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(w[i].th, NULL);
    double secs = mono_s() - t0;
    pthread_mutex_lock(&r.lock);
    r.stop = 1;
    pthread_mutex_unlock(&r.lock);
    pthread_join(r.th, NULL);
    pthread_mutex_destroy(&r.lock);
    sw_store_get_stats(st, &after);

    for (int i = 0; i < NTHREADS; i++)
        if (w[i].failures)
            fail_msg("writer %d: %d failures, last: %s", i, w[i].failures, w[i].err.text);
    if (r.bad)
        fail_msg("reader: %d of %d loads bad: %s", r.bad, r.loads, r.err.text);

    /* every id distinct, and every one loads back exactly once */
    enum { N = NTHREADS * PER_THREAD };
    static uint64_t ids[N];
    for (int i = 0; i < NTHREADS; i++)
        memcpy(ids + i * PER_THREAD, w[i].ids, sizeof(w[i].ids));
    qsort(ids, N, sizeof(ids[0]), cmp_u64);
    for (int i = 1; i < N; i++)
        assert_true(ids[i - 1] < ids[i]);
    struct loaded L;
    load_ok(st, &L);
    assert_int_equal(L.njobs, N);
    assert_int_equal(L.nevents, N);
    for (int i = 0; i < N; i++)
        assert_int_equal(L.jobs[i].id, ids[i]);
    loaded_free(&L);

    uint64_t writes = after.writes - before.writes, commits = after.commits - before.commits;
    assert_int_equal(writes, 2 * N);
    assert_true(commits < writes);
    printf("# group commit: %d threads, %llu writes in %llu commits (%.1f writes/commit,"
           " max batch %llu), %.2f s, %.0f writes/s; %d concurrent loads\n",
           NTHREADS, (unsigned long long)writes, (unsigned long long)commits,
           (double)writes / (double)commits, (unsigned long long)after.max_batch, secs,
           (double)writes / secs, r.loads);
    sw_store_close(st);

    /* reopening recovers all of it */
    st = open_ok(dir);
    load_ok(st, &L);
    assert_int_equal(L.njobs, N);
    assert_int_equal(L.nevents, N);
    loaded_free(&L);
    sw_store_close(st);
}

/* ---- kill -9: nothing acknowledged is lost ---- */

struct killed_writer {
    struct sw_store *st;
    int fd;
    int round, index;
};

static void *killed_writer_main(void *arg)
{
    struct killed_writer *k = arg;
    for (unsigned i = 0;; i++) {
        char key[32];
        snprintf(key, sizeof(key), "r%d-w%d-%u", k->round, k->index, i);
        struct sw_store_job j = job_of("acme", key, "{\"tasks\":1}");
        bool ex;
        if (sw_store_create_jobs(k->st, &j, 1, &ex, NULL) != 0)
            _exit(3);
        if (write(k->fd, &j.id, sizeof(j.id)) != (ssize_t)sizeof(j.id))
            _exit(4);
    }
    return NULL;
}

/* The child: 4 threads create jobs and report each acknowledged id. */
static void child_write_forever(const char *dir, int round, int fd)
{
    struct sw_store *st = sw_store_open(dir, NULL);
    if (!st)
        _exit(2);
    static struct killed_writer k[4];
    pthread_t th[4];
    for (int i = 0; i < 4; i++) {
        k[i] = (struct killed_writer){.st = st, .fd = fd, .round = round, .index = i};
        if (pthread_create(&th[i], NULL, killed_writer_main, &k[i]) != 0)
            _exit(5);
    }
    for (;;)
        pause();
}

struct idbuf {
    uint64_t *ids;
    size_t n, cap;
    unsigned char part[sizeof(uint64_t)];
    size_t npart;
};

/* Read what is in the pipe now; returns false at EOF. */
static bool idbuf_read(struct idbuf *b, int fd)
{
    unsigned char buf[4096];
    ssize_t got = read(fd, buf, sizeof(buf));
    if (got <= 0)
        return got < 0 && errno == EINTR;
    for (ssize_t i = 0; i < got; i++) {
        b->part[b->npart++] = buf[i];
        if (b->npart < sizeof(uint64_t))
            continue;
        if (b->n == b->cap) {
            b->cap = b->cap ? 2 * b->cap : 1024;
            b->ids = realloc(b->ids, b->cap * sizeof(*b->ids));
            assert_non_null(b->ids);
        }
        memcpy(&b->ids[b->n++], b->part, sizeof(uint64_t));
        b->npart = 0;
    }
    return true;
}

/* Read acknowledged ids until `deadline` or until there are `want`.
 * Returns false when the child closed the pipe. */
static bool idbuf_read_until(struct idbuf *b, int fd, double deadline, size_t want)
{
    while (mono_s() < deadline && b->n < want) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 5) > 0 && !idbuf_read(b, fd))
            return false;
    }
    return true;
}

/* One round: a child writes with 4 threads, is killed at a random moment
 * after its first acknowledgement, and the parent checks that every id it
 * acknowledged is in the store. */
static void kill9_round(const char *dir, int round, struct idbuf *b)
{
    long after_ms = rand() % 400;
    size_t before = b->n;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        child_write_forever(dir, round, fds[1]);
    }
    close(fds[1]);
    bool open = idbuf_read_until(b, fds[0], mono_s() + 20.0, before + 1);
    if (open && b->n > before) {
        /* the store is in use: a second process is turned away (PostgreSQL:
         * without the usual wait for a killed holder's session to end) */
        sw_error_t err;
        long wait_ms = sw_store__pg_lock_wait_ms;
        sw_store__pg_lock_wait_ms = 100;
        assert_null(sw_store_open(dir, &err));
        sw_store__pg_lock_wait_ms = wait_ms;
        assert_int_equal(errno, EBUSY);
        assert_non_null(strstr(err.text, "in use by another process"));
        idbuf_read_until(b, fds[0], mono_s() + (double)after_ms / 1000.0, SIZE_MAX);
    }
    kill(pid, SIGKILL);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    while (idbuf_read(b, fds[0]))
        ;
    close(fds[0]);
    if (!WIFSIGNALED(status))
        fail_msg("the writer child exited with status %d", WEXITSTATUS(status));
    assert_true(b->n > before);

    struct sw_store *st = open_ok(dir);
    struct loaded L;
    load_ok(st, &L);
    size_t missing = 0;
    for (size_t i = 0; i < b->n; i++)
        missing += find_job(&L, b->ids[i]) == NULL;
    printf("# kill -9 round %d, %ld ms after the first ack: %zu jobs acknowledged in all,"
           " %zu recovered, %zu missing\n",
           round, after_ms, b->n, L.njobs, missing);
    assert_int_equal(missing, 0);
    assert_true(L.njobs >= b->n);
    loaded_free(&L);
    sw_store_close(st);
}

static void kill9_loses_nothing_acknowledged(void **state)
{
    const char *dir = where_of(state);
    struct sw_store *st = open_ok(dir);
    put_tenant(st, "acme", SW_ROLE_CONSUMER);
    sw_store_close(st); /* no thread of ours runs across the fork */
    unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
    printf("# kill -9 seed %u\n", seed);
    srand(seed);
    struct idbuf b = {0};
    for (int round = 1; round <= 3; round++)
        kill9_round(dir, round, &b);
    free(b.ids);
}

/* ---- PostgreSQL only ---- */

static void schema_versions_pg(void **state)
{
    const char *url = where_of(state);
    sw_error_t err;
    sw_store_close(open_ok(url));
    backend->sql(url, "UPDATE schema_version SET version = 99");
    assert_null(sw_store_open(url, &err));
    assert_int_equal(errno, ENOTSUP);
    assert_non_null(strstr(err.text, "schema version 99 is newer"));
    backend->sql(url, "UPDATE schema_version SET version = 1");
    struct sw_store *st = open_ok(url); /* current: opens as it is */
    put_tenant(st, "a", SW_ROLE_CONSUMER);
    sw_store_close(st);
    backend->sql(url, "UPDATE schema_version SET application = 'other'");
    assert_null(sw_store_open(url, &err));
    assert_int_equal(errno, ENOTSUP);
    assert_non_null(strstr(err.text, "not a suanwang database"));

    /* somebody else's tables */
    backend->sql(url, "DROP TABLE events, jobs, tokens, tenants, schema_version;"
                      " CREATE TABLE t (x int)");
    assert_null(sw_store_open(url, &err));
    assert_int_equal(errno, ENOTSUP);
    assert_non_null(strstr(err.text, "not a suanwang database"));
    printf("# somebody else's tables: %s\n", err.text);
    /* an empty database is fine: the tables are created */
    backend->sql(url, "DROP TABLE t");
    sw_store_close(open_ok(url));
}

static void bad_urls_and_servers(void **state)
{
    const char *url = where_of(state);
    sw_error_t err;
    char other[600];

    /* no server there; the message names it, without the password */
    assert_null(sw_store_open("postgresql://suanwang:s3cret@127.0.0.1:1/sw", &err));
    assert_int_equal(errno, EIO);
    assert_non_null(strstr(err.text, "postgresql://suanwang@127.0.0.1:1/sw: cannot connect"));
    assert_null(strstr(err.text, "s3cret"));
    printf("# no server: %s\n", err.text);

    /* no such database */
    st_pg_url(other, sizeof(other), "sw_no_such_database");
    assert_null(sw_store_open(other, &err));
    assert_non_null(strstr(err.text, "sw_no_such_database"));
    assert_non_null(strstr(err.text, "does not exist"));

    /* not a URL libpq takes */
    assert_null(sw_store_open("postgresql://127.0.0.1/x?no_such_parameter=1", &err));
    assert_int_equal(errno, EINVAL);
    assert_non_null(strstr(err.text, "not a valid PostgreSQL URL"));

    /* postgres:// is the same as postgresql:// */
    assert_true(strncmp(url, "postgresql://", 13) == 0);
    snprintf(other, sizeof(other), "postgres://%s", url + 13);
    struct sw_store *st = open_ok(other);
    assert_true(strncmp(sw_store_location(st), "postgresql://", 13) == 0);
    sw_store_close(st);
}

/* End the store's sessions on the server, as a restart or a failover
 * would (and wait until they are gone, so that their lock is free). */
static void end_sessions(const char *url, const char *which)
{
    char sql[256];
    snprintf(sql, sizeof(sql),
             "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity"
             " WHERE datname = current_database() AND application_name LIKE 'suanwang %s'",
             which);
    backend->sql(url, sql);
}

static void connects_again_after_losing_the_server(void **state)
{
    const char *url = where_of(state);
    struct sw_store *st = open_ok(url);
    put_tenant(st, "acme", SW_ROLE_CONSUMER);
    uint64_t a = create_one(st, "acme", "", NULL);
    end_sessions(url, "%");
    uint64_t b = create_one(st, "acme", "k", NULL); /* connects again, takes the lock again */
    assert_true(b > a);
    struct loaded L;
    load_ok(st, &L); /* so does the loader */
    assert_int_equal(L.njobs, 2);
    loaded_free(&L);
    /* and a second store on the database is still refused: the lock is held again */
    sw_error_t err;
    long wait_ms = sw_store__pg_lock_wait_ms;
    sw_store__pg_lock_wait_ms = 100;
    assert_null(sw_store_open(url, &err));
    sw_store__pg_lock_wait_ms = wait_ms;
    assert_int_equal(errno, EBUSY);
    assert_non_null(strstr(err.text, "in use by another process"));
    assert_non_null(strstr(err.text, "pg_terminate_backend("));
    printf("# second controller: %s\n", err.text);
    sw_store_close(st);
}

static void stops_writing_when_another_controller_wrote(void **state)
{
    const char *url = where_of(state);
    struct sw_store *a = open_ok(url);
    put_tenant(a, "acme", SW_ROLE_CONSUMER);
    create_one(a, "acme", "", NULL);
    /* a loses its session; b takes the database over and writes */
    end_sessions(url, "writer");
    struct sw_store *b = open_ok(url);
    create_one(b, "acme", "", NULL);
    sw_store_close(b);
    /* a connects again, finds b's job, and refuses from then on */
    for (int i = 0; i < 2; i++) {
        struct sw_store_job j = job_of("acme", "", "{}");
        sw_error_t err;
        assert_int_equal(sw_store_create_jobs(a, &j, 1, NULL, &err), -1);
        assert_int_equal(errno, EBUSY);
        assert_non_null(strstr(err.text, "another controller wrote to the database"));
        if (i == 0)
            printf("# fenced: %s\n", err.text);
    }
    sw_store_close(a);
}

static void stops_writing_when_another_controller_took_over(void **state)
{
    const char *url = where_of(state);
    struct sw_store *a = open_ok(url);
    put_tenant(a, "acme", SW_ROLE_CONSUMER);
    create_one(a, "acme", "", NULL);
    /* a loses its session; b takes the database over, and stays */
    end_sessions(url, "writer");
    struct sw_store *b = open_ok(url);
    long wait_ms = sw_store__pg_lock_wait_ms;
    sw_store__pg_lock_wait_ms = 100;
    for (int i = 0; i < 2; i++) {
        struct sw_store_job j = job_of("acme", "", "{}");
        sw_error_t err;
        assert_int_equal(sw_store_create_jobs(a, &j, 1, NULL, &err), -1);
        assert_int_equal(errno, EBUSY);
        assert_non_null(strstr(err.text, "taken over by another controller"));
        if (i == 0)
            printf("# taken over: %s\n", err.text);
        if (i == 0)
            sw_store_close(b); /* and a stays fenced after b is gone */
    }
    sw_store__pg_lock_wait_ms = wait_ms;
    sw_store_close(a);
}

/* ---- main: the common cases on each backend, then each one's own ---- */

#define PLACE_TEST(f) cmocka_unit_test_setup_teardown(f, place_make, place_drop)

static const struct CMUnitTest common_tests[] = {
    PLACE_TEST(round_trip_and_reopen),
    PLACE_TEST(idempotency_keys),
    PLACE_TEST(errors_name_their_cause),
    PLACE_TEST(load_stops_when_asked),
    PLACE_TEST(failure_in_batch_stays_local),
    PLACE_TEST(failed_transaction_fails_its_batch),
    PLACE_TEST(group_commit_under_threads),
    PLACE_TEST(kill9_loses_nothing_acknowledged),
};

static const struct CMUnitTest sqlite_tests[] = {
    cmocka_unit_test(bad_directories),
    PLACE_TEST(schema_versions_sqlite),
};

static const struct CMUnitTest pg_tests[] = {
    PLACE_TEST(schema_versions_pg),
    PLACE_TEST(bad_urls_and_servers),
    PLACE_TEST(connects_again_after_losing_the_server),
    PLACE_TEST(stops_writing_when_another_controller_wrote),
    PLACE_TEST(stops_writing_when_another_controller_took_over),
};

int main(void)
{
    const char *only = getenv("SW_TEST_STORE_ONLY");
    int failed = 0;
    if (!only || strcmp(only, "sqlite") == 0) {
        backend = &st_sqlite;
        failed += cmocka_run_group_tests_name("store on sqlite", common_tests, NULL, NULL);
        failed += cmocka_run_group_tests_name("sqlite only", sqlite_tests, NULL, NULL);
    }
    if (!only || strcmp(only, "postgresql") == 0) {
        const char *why = st_pg_unavailable();
        if (why) {
            printf("# SKIP: the PostgreSQL cases: %s\n", why);
            return only ? 77 : failed;
        }
        backend = &st_pg;
        failed += cmocka_run_group_tests_name("store on postgresql", common_tests, NULL, NULL);
        failed += cmocka_run_group_tests_name("postgresql only", pg_tests, NULL, NULL);
    }
    return failed;
}
