/* controller.c — start-up, recovery from the store, the admin token, token
 * authentication, and the scheduling thread of `suanwang server` (see
 * controller.h). The HTTP handlers are in api*.c, job operations in
 * ctl_jobs.c.
 */
#include "server/controller_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config/network_json.h"
#include "util/version.h"
#include "util/fs.h"

int64_t ctl_now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* ---- the network ---------------------------------------------------------- */

/* Without --network: this machine as one site of one node class. */
static int local_network(struct sw_network *net, sw_error_t *err)
{
    memset(net, 0, sizeof(*net));
    if (sw_catalog_builtin(&net->catalog) < 0)
        goto out_nomem;
    net->nregions = 1;
    net->regions = calloc(1, sizeof(*net->regions));
    net->latency_ms = calloc(1, sizeof(double));
    net->bandwidth_gbps = calloc(1, sizeof(double));
    net->sites = calloc(1, sizeof(*net->sites));
    if (!net->regions || !net->latency_ms || !net->bandwidth_gbps || !net->sites)
        goto out_nomem;
    snprintf(net->regions[0], SW_NAME_MAX, "local");
    net->latency_ms[0] = 0.5;
    net->bandwidth_gbps[0] = 10;
    struct sw_site *s = &net->sites[0];
    snprintf(s->name, SW_NAME_MAX, "local");
    snprintf(s->provider, SW_NAME_MAX, "local");
    s->kind = SW_SITE_CLOUD;
    s->backend = SW_BACKEND_LOCAL;
    s->pue = 1.2;
    for (int h = 0; h < 24; h++)
        s->carbon_g_per_kwh[h] = 500;
    s->classes = calloc(1, sizeof(*s->classes));
    if (!s->classes)
        goto out_nomem;
    s->nclasses = 1;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
    snprintf(s->classes[0].name, SW_NAME_MAX, "local");
    s->classes[0].count = 1;
    s->classes[0].cores = cores > 0 ? cores : 1;
    s->classes[0].mem_mib = pages > 0 && psize > 0 ? (int64_t)pages * psize / (1 << 20) : 1024;
    s->classes[0].accel = -1;
    net->nsites = 1;
    return 0;
out_nomem:
    sw_network_free(net);
    errno = ENOMEM;
    return sw_errprintf(err, "out of memory building the local network");
}

static int setup_pools(struct sw_controller *c, sw_error_t *err)
{
    c->placer = sw_placer_create(&c->net);
    if (!c->placer) {
        errno = ENOMEM;
        return sw_errprintf(err, "out of memory");
    }
    c->npools = sw_placer_npools(c->placer);
    c->pools = calloc(c->npools ? c->npools : 1, sizeof(*c->pools));
    if (!c->pools) {
        errno = ENOMEM;
        return sw_errprintf(err, "out of memory");
    }
    for (size_t p = 0; p < c->npools; p++) {
        struct sw_sched_config sc = sw_sched_config_defaults();
        sc.policy = c->cfg.policy;
        sc.capacity = sw_placer_pool_capacity(c->placer, p);
        c->pools[p] = sw_sched_create(&sc, err);
        if (!c->pools[p])
            return -1;
    }
    return 0;
}

/* ---- tenants and tokens --------------------------------------------------- */

const struct sw_store_tenant *ctl_tenant_find(struct sw_controller *c, const char *name)
{
    for (size_t i = 0; i < c->ntenants; i++)
        if (strcmp(c->tenants[i].name, name) == 0)
            return &c->tenants[i];
    return NULL;
}

static int add_tenant_mem(struct sw_controller *c, const struct sw_store_tenant *t)
{
    struct sw_store_tenant *n = realloc(c->tenants, (c->ntenants + 1) * sizeof(*n));
    if (!n)
        return -1;
    c->tenants = n;
    c->tenants[c->ntenants++] = *t;
    return 0;
}

static int add_token_mem(struct sw_controller *c, const struct sw_store_token *t)
{
    struct sw_store_token *n = realloc(c->tokens, (c->ntokens + 1) * sizeof(*n));
    if (!n)
        return -1;
    c->tokens = n;
    c->tokens[c->ntokens++] = *t;
    return 0;
}

int ctl_auth(void *ctx, const char *token, struct sw_principal *out)
{
    struct sw_controller *c = ctx;
    unsigned char h[SW_TOKEN_HASH_BYTES];
    sw_token_hash(token, h);
    int rc = -1;
    pthread_mutex_lock(&c->lock);
    for (size_t i = 0; i < c->ntokens; i++) {
        const struct sw_store_token *t = &c->tokens[i];
        if (!t->revoked && sw_token_hash_equal(t->hash, h)) {
            out->role = t->role;
            out->token_id = t->id;
            snprintf(out->tenant, sizeof(out->tenant), "%s", t->tenant);
            snprintf(out->site, sizeof(out->site), "%s", t->site);
            rc = 0;
            break;
        }
    }
    pthread_mutex_unlock(&c->lock);
    return rc;
}

int ctl_create_token(struct sw_controller *c, const char *tenant, enum sw_role role,
                     const char *site, const char *label, char token[SW_TOKEN_TEXT_MAX],
                     uint64_t *id, sw_error_t *err)
{
    struct sw_store_token t = {.role = role, .created_ms = ctl_now_ms()};
    sw_token_generate(token);
    sw_token_hash(token, t.hash);
    snprintf(t.tenant, sizeof(t.tenant), "%s", tenant);
    snprintf(t.site, sizeof(t.site), "%s", site ? site : "");
    snprintf(t.label, sizeof(t.label), "%s", label ? label : "");
    if (sw_store_put_token(c->store, &t, err) < 0)
        return -1;
    pthread_mutex_lock(&c->lock);
    int rc = add_token_mem(c, &t);
    pthread_mutex_unlock(&c->lock);
    if (rc < 0) {
        errno = ENOMEM;
        return sw_errprintf(err, "out of memory");
    }
    *id = t.id;
    return 0;
}

/* On first start: the admin tenant and a token in DIR/admin.token (0600). */
static int ensure_admin(struct sw_controller *c, sw_error_t *err)
{
    if (ctl_tenant_find(c, "admin"))
        return 0;
    struct sw_store_tenant t = {.kind = SW_ROLE_ADMIN, .created_ms = ctl_now_ms()};
    snprintf(t.name, sizeof(t.name), "admin");
    if (sw_store_put_tenant(c->store, &t, err) < 0 || add_tenant_mem(c, &t) < 0)
        return -1;
    char token[SW_TOKEN_TEXT_MAX];
    uint64_t id;
    if (ctl_create_token(c, "admin", SW_ROLE_ADMIN, NULL, "admin (first start)", token, &id,
                         err) < 0)
        return -1;
    char path[4200];
    snprintf(path, sizeof(path), "%s/admin.token", c->data_dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return sw_errprintf(err, "%s: cannot create: %s", path, strerror(errno));
    size_t len = strlen(token);
    token[len] = '\n';
    bool ok = write(fd, token, len + 1) == (ssize_t)(len + 1) && fsync(fd) == 0;
    close(fd);
    if (!ok)
        return sw_errprintf(err, "%s: cannot write: %s", path, strerror(errno));
    if (!c->cfg.quiet)
        printf("suanwang server: first start: created the admin token in %s (mode 0600)\n",
               path);
    return 0;
}

/* ---- recovery --------------------------------------------------------------- */

static int load_tenant(void *arg, const struct sw_store_tenant *t)
{
    return add_tenant_mem(arg, t);
}

static int load_token(void *arg, const struct sw_store_token *t)
{
    return add_token_mem(arg, t);
}

static int load_job(void *arg, const struct sw_store_job *sj)
{
    struct sw_controller *c = arg;
    sw_error_t err;
    struct ctl_job *j = ctl_job_new(sj, NULL, &err);
    if (!j) { /* keep starting: one bad record must not take the controller down */
        fprintf(stderr, "suanwang server: job %llu in the store is unreadable and is "
                        "skipped: %s\n", (unsigned long long)sj->id, err.text);
        return 0;
    }
    if (ctl_job_insert(c, j) < 0) {
        ctl_job_free(j);
        return -1;
    }
    return 0;
}

/* The pool of a site/node class by name, or CTL_NO_POOL. */
static size_t pool_of(struct sw_controller *c, const char *site, const char *nclass)
{
    for (size_t p = 0; p < c->npools; p++) {
        int s, n;
        sw_placer_pool(c->placer, p, &s, &n);
        if (!strcmp(c->net.sites[s].name, site) && !strcmp(c->net.sites[s].classes[n].name, nclass))
            return p;
    }
    return CTL_NO_POOL;
}

/* A scheduled event says where the unit went and what it holds. */
static void restore_placement(struct sw_controller *c, struct ctl_unit *u, const char *detail)
{
    json_t *d = detail ? json_loads(detail, 0, NULL) : NULL;
    const char *site = json_string_value(json_object_get(d, "site"));
    const char *nc = json_string_value(json_object_get(d, "node_class"));
    size_t pool = site && nc ? pool_of(c, site, nc) : CTL_NO_POOL;
    if (pool != CTL_NO_POOL) {
        u->pool = pool;
        sw_placer_pool(c->placer, pool, &u->site, &u->nclass);
        u->model = c->net.sites[u->site].classes[u->nclass].accel;
        u->core = (struct sw_job){
            .id = u->job->id,
            .estimate = json_integer_value(json_object_get(d, "estimate_s")),
            .user = u->job->spec.user,
            .qos = (uint8_t)u->job->spec.qos,
        };
        u->core.need.v[SW_RES_CORES] = json_integer_value(json_object_get(d, "cores"));
        u->core.need.v[SW_RES_MEM_MIB] = json_integer_value(json_object_get(d, "mem_mib"));
        u->core.need.v[SW_RES_ACCEL] = json_integer_value(json_object_get(d, "accel_milli"));
    }
    json_decref(d);
}

/* Replay a stored transition onto the unit(s) it names. */
static int load_event(void *arg, const struct sw_store_event *e)
{
    struct sw_controller *c = arg;
    struct ctl_job *j = ctl_job_find(c, e->job_id);
    if (!j)
        return 0; /* cannot happen with foreign keys; ignore */
    for (size_t i = 0; i < j->nunits; i++) {
        struct ctl_unit *u = &j->units[i];
        if (e->task >= 0 && u->task != e->task)
            continue;
        if (e->attempt != u->attempt) { /* a new attempt starts from scratch */
            u->pool = CTL_NO_POOL;
            u->site = u->nclass = u->model = -1;
            u->fence = 0;
        }
        u->attempt = e->attempt;
        u->state = (enum sw_state)e->state;
        u->state_ms = e->time_ms;
        if (e->state == SW_ST_SCHEDULED)
            restore_placement(c, u, e->detail_json);
        else if (e->state == SW_ST_DISPATCHED)
            u->fence = e->seq;
        else if (e->state == SW_ST_PENDING)
            u->pool = CTL_NO_POOL;
    }
    struct ctl_event ev = {
        .seq = e->seq, .task = e->task, .attempt = e->attempt,
        .state = (enum sw_state)e->state, .time_ms = e->time_ms,
        .detail = (char *)(uintptr_t)e->detail_json,
    };
    return ctl_job_add_event(j, &ev);
}

/* After loading: capacity reservations did not survive the restart, so
 * scheduled units go back to pending (durably) and are placed again. */
static int requeue_after_restart(struct sw_controller *c, sw_error_t *err)
{
    struct ctl_pending_events pe = {0};
    int64_t now = ctl_now_ms();
    pthread_mutex_lock(&c->lock);
    for (size_t k = 0; k < c->njobs; k++) {
        struct ctl_job *j = c->jobs[k];
        bool waits = false;
        for (size_t i = 0; i < j->nunits; i++) {
            struct ctl_unit *u = &j->units[i];
            if (u->state == SW_ST_SCHEDULED) {
                ctl_transition(c, u, SW_ST_PENDING, "{\"reason\":\"controller restarted\"}", now,
                               &pe);
                u->pool = CTL_NO_POOL;
                u->site = u->nclass = u->model = -1;
            } else if ((u->state == SW_ST_DISPATCHED || u->state == SW_ST_RUNNING) &&
                       u->pool != CTL_NO_POOL) {
                /* still at its agent: hold its capacity; the agent has one
                 * heartbeat timeout to come back before it is lost */
                sw_error_t aerr;
                if (sw_sched_adopt(c->pools[u->pool], &u->core, now / 1000, &aerr) < 0)
                    fprintf(stderr, "suanwang server: job %llu: %s\n",
                            (unsigned long long)j->id, aerr.text);
                c->sites[u->site].up = true;
                c->sites[u->site].last_seen_ms = now;
            }
            waits |= u->state == SW_ST_PENDING;
        }
        if (waits)
            ctl_queue_placement(c, j);
    }
    pthread_mutex_unlock(&c->lock);
    return ctl_flush_events(c, &pe, err);
}

static int recover(struct sw_controller *c, sw_error_t *err)
{
    struct sw_store_loader l = {
        .tenant = load_tenant, .token = load_token, .job = load_job, .event = load_event};
    if (sw_store_load(c->store, &l, c, err) < 0)
        return -1;
    return requeue_after_restart(c, err);
}

/* ---- the scheduling thread ------------------------------------------------- */

static int64_t pool_wait(void *arg, size_t pool, const struct sw_res *need, int64_t now)
{
    struct sw_controller *c = arg;
    return sw_sched_estimate_wait(c->pools[pool], need, now);
}

/* Place the waiting units of one job into pools, at most *budget of them
 * (counted down). */
static void place_job(struct sw_controller *c, struct ctl_job *j, int64_t now_s, size_t *budget)
{
    if (!j->resolved) {
        sw_error_t err;
        if (sw_resolve(&c->net, &j->spec, &j->res, &err) < 0) {
            snprintf(j->why, sizeof(j->why), "%s", err.text);
            return;
        }
        j->resolved = true;
    }
    for (size_t i = 0; i < j->nunits && *budget > 0; i++) {
        struct ctl_unit *u = &j->units[i];
        if (u->state != SW_ST_PENDING || u->pool != CTL_NO_POOL)
            continue;
        --*budget;
        struct sw_estimate e;
        sw_error_t why;
        int64_t run = j->spec.runtime_estimate_s > 0 ? j->spec.runtime_estimate_s
                                                     : j->spec.walltime_s;
        if (sw_place(c->placer, &j->res, u->ntasks, run, j->spec.walltime_s, now_s, pool_wait, c,
                     &e, &why) < 0) {
            snprintf(j->why, sizeof(j->why), "%s", why.text);
            continue;
        }
        u->core = (struct sw_job){.id = j->id, .submit = now_s,
                                  .estimate = e.staging_s + e.walltime_s, .need = e.need,
                                  .user = j->spec.user, .qos = (uint8_t)j->spec.qos};
        if (sw_sched_submit(c->pools[e.pool], &u->core, now_s, &why) < 0) {
            snprintf(j->why, sizeof(j->why), "%s", why.text);
            continue;
        }
        u->pool = e.pool;
        u->site = e.site;
        u->nclass = e.nclass;
        u->model = e.model;
        u->est_start = e.start;
        u->walltime_s = e.walltime_s;
        j->why[0] = '\0';
        sw_prom_add(c->m.placements, NULL, 1);
    }
}

struct start_ctx {
    struct sw_controller *c;
    struct ctl_pending_events *pe;
    int64_t now_ms;
};

static void on_start(struct sw_job *job, int64_t now, void *arg)
{
    (void)now;
    struct start_ctx *sc = arg;
    struct ctl_unit *u = (struct ctl_unit *)job;
    char detail[384];
    /* everything a restart needs to take the unit back if it then runs */
    snprintf(detail, sizeof(detail),
             "{\"site\":\"%s\",\"node_class\":\"%s\",\"cores\":%lld,\"mem_mib\":%lld,"
             "\"accel_milli\":%lld,\"estimate_s\":%lld}",
             sc->c->net.sites[u->site].name, sc->c->net.sites[u->site].classes[u->nclass].name,
             (long long)job->need.v[SW_RES_CORES], (long long)job->need.v[SW_RES_MEM_MIB],
             (long long)job->need.v[SW_RES_ACCEL], (long long)job->estimate);
    if (ctl_transition(sc->c, u, SW_ST_SCHEDULED, detail, sc->now_ms, sc->pe) == 0)
        ctl_site_push_ready(sc->c, u);
}

/* One round: place what waits (at most CTL_PLACE_SLICE units), run a pass
 * on every pool. Holds c->lock. Returns true when units are left to place. */
static bool schedule_round(struct sw_controller *c, struct ctl_pending_events *pe)
{
    int64_t now_ms = ctl_now_ms(), now_s = now_ms / 1000;
    size_t keep = 0, budget = CTL_PLACE_SLICE;
    for (size_t k = 0; k < c->ntoplace; k++) {
        struct ctl_job *j = c->toplace[k];
        if (budget > 0)
            place_job(c, j, now_s, &budget);
        bool left = false;
        for (size_t i = 0; i < j->nunits && !left; i++)
            left = j->units[i].state == SW_ST_PENDING && j->units[i].pool == CTL_NO_POOL;
        if (left)
            c->toplace[keep++] = j;
        else
            j->queued_for_placement = false;
    }
    c->ntoplace = keep;
    ctl_check_lost(c, now_ms, pe);
    struct start_ctx sc = {.c = c, .pe = pe, .now_ms = now_ms};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (size_t p = 0; p < c->npools; p++)
        sw_sched_pass(c->pools[p], now_s, on_start, &sc);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    sw_prom_observe(c->m.pass_seconds, NULL,
                    (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    return c->ntoplace > 0;
}

void ctl_lock_api(struct sw_controller *c)
{
    atomic_fetch_add(&c->lock_wanted, 1);
    pthread_mutex_lock(&c->lock);
    atomic_fetch_sub(&c->lock_wanted, 1);
}

/* Between two placement slices, with c->lock released: let the API
 * requests that wait for the lock have it first (a mutex is not fair: the
 * scheduler would otherwise take it back before a woken request runs).
 * Gives up after about 5 ms so that a stream of requests cannot stall
 * placement. */
static void step_aside(struct sw_controller *c)
{
    const struct timespec tick = {0, 50 * 1000};
    for (int i = 0; i < 100 && atomic_load(&c->lock_wanted) > 0; i++)
        nanosleep(&tick, NULL);
}

static void *sched_main(void *arg)
{
    struct sw_controller *c = arg;
    pthread_mutex_lock(&c->lock);
    while (!c->stopping) {
        struct ctl_pending_events pe = {0};
        bool more = schedule_round(c, &pe);
        pthread_mutex_unlock(&c->lock);
        sw_error_t err;
        if (ctl_flush_events(c, &pe, &err) < 0)
            fprintf(stderr, "suanwang server: %s\n", err.text);
        ctl_pending_free(&pe);
        if (more)
            step_aside(c);
        pthread_mutex_lock(&c->lock);
        if (c->stopping)
            break;
        if (more)
            continue;
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        int64_t ns = until.tv_nsec + c->cfg.tick_ms * 1000000;
        until.tv_sec += ns / 1000000000;
        until.tv_nsec = ns % 1000000000;
        pthread_cond_timedwait(&c->wake, &c->lock, &until);
    }
    pthread_mutex_unlock(&c->lock);
    return NULL;
}

/* ---- metrics ---------------------------------------------------------------- */

static int collect_jobs_by_state(struct sw_prom_emit *e, void *arg)
{
    struct sw_controller *c = arg;
    size_t count[SW_ST_N] = {0};
    pthread_mutex_lock(&c->lock);
    for (size_t k = 0; k < c->njobs; k++)
        count[ctl_job_state(c->jobs[k])]++;
    pthread_mutex_unlock(&c->lock);
    for (int s = 0; s < SW_ST_N; s++) {
        const char *lv[] = {sw_state_name((enum sw_state)s)};
        if (sw_prom_emit(e, lv, (double)count[s]) < 0)
            return -1;
    }
    return 0;
}

static int collect_queue_depth(struct sw_prom_emit *e, void *arg)
{
    struct sw_controller *c = arg;
    size_t n = 0;
    pthread_mutex_lock(&c->lock);
    for (size_t p = 0; p < c->npools; p++)
        n += sw_sched_pending_count(c->pools[p]);
    for (size_t k = 0; k < c->ntoplace; k++)
        for (size_t i = 0; i < c->toplace[k]->nunits; i++)
            n += c->toplace[k]->units[i].pool == CTL_NO_POOL &&
                 c->toplace[k]->units[i].state == SW_ST_PENDING;
    pthread_mutex_unlock(&c->lock);
    return sw_prom_emit(e, NULL, (double)n);
}

static int collect_pflops(struct sw_prom_emit *e, void *arg)
{
    struct sw_controller *c = arg;
    int rc = 0;
    pthread_mutex_lock(&c->lock);
    for (size_t s = 0; s < c->net.nsites && rc == 0; s++) {
        double used = 0;
        for (size_t p = 0; p < c->npools; p++) {
            int site, nc;
            sw_placer_pool(c->placer, p, &site, &nc);
            const struct sw_node_class *cl = &c->net.sites[site].classes[nc];
            if ((size_t)site == s && cl->accel >= 0)
                used += (double)sw_sched_used(c->pools[p]).v[SW_RES_ACCEL] / SW_MILLI *
                        c->net.catalog.models[cl->accel].fp16_tflops / 1000.0;
        }
        const char *lv[] = {c->net.sites[s].name};
        rc = sw_prom_emit(e, lv, used);
    }
    pthread_mutex_unlock(&c->lock);
    return rc;
}

static int collect_store_commits(struct sw_prom_emit *e, void *arg)
{
    struct sw_controller *c = arg;
    struct sw_store_stats st;
    sw_store_get_stats(c->store, &st);
    return sw_prom_emit(e, NULL, (double)st.commits);
}

static int collect_store_writes(struct sw_prom_emit *e, void *arg)
{
    struct sw_controller *c = arg;
    struct sw_store_stats st;
    sw_store_get_stats(c->store, &st);
    return sw_prom_emit(e, NULL, (double)st.writes);
}

static int collect_capacity(struct sw_prom_emit *e, void *arg)
{
    struct sw_controller *c = arg;
    int rc = 0;
    pthread_mutex_lock(&c->lock);
    for (size_t s = 0; s < c->net.nsites && rc == 0; s++) {
        const char *lv[] = {c->net.sites[s].name};
        rc = sw_prom_emit(e, lv, sw_site_pflops(&c->net, &c->net.sites[s]));
    }
    pthread_mutex_unlock(&c->lock);
    return rc;
}

static int setup_metrics(struct sw_controller *c, sw_error_t *err)
{
    static const double pass_bounds[] = {0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1};
    static const double http_bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01,
                                         0.025,  0.05,  0.1,    0.5,   1};
    static const char *const http_labels[] = {"method", "route", "code"};
    static const char *const state_label[] = {"state"};
    static const char *const site_label[] = {"site"};
    c->prom = sw_prom_create();
    if (!c->prom) {
        errno = ENOMEM;
        return sw_errprintf(err, "out of memory");
    }
    struct sw_prom *r = c->prom;
    c->m.submitted = sw_prom_counter(r, "suanwang_jobs_submitted_total",
                                     "Jobs accepted (HTTP 201).", 0, NULL, err);
    c->m.placements = sw_prom_counter(r, "suanwang_placements_total",
                                      "Units (gangs or array tasks) placed on a node class.", 0,
                                      NULL, err);
    c->m.pass_seconds = sw_prom_histogram(r, "suanwang_scheduling_pass_seconds",
                                          "Time of one scheduling pass over every pool.", 0, NULL,
                                          sizeof(pass_bounds) / sizeof(pass_bounds[0]),
                                          pass_bounds, err);
    c->m.http_seconds = sw_prom_histogram(r, "suanwang_http_request_duration_seconds",
                                          "HTTP request latency.", 3, http_labels,
                                          sizeof(http_bounds) / sizeof(http_bounds[0]),
                                          http_bounds, err);
    c->m.queue_depth = sw_prom_gauge_fn(r, "suanwang_queue_depth",
                                        "Units waiting for capacity.", 0, NULL,
                                        collect_queue_depth, c, err);
    c->m.jobs_by_state = sw_prom_gauge_fn(r, "suanwang_jobs", "Jobs by state.", 1, state_label,
                                          collect_jobs_by_state, c, err);
    c->m.pflops_in_use = sw_prom_gauge_fn(r, "suanwang_site_pflops_in_use",
                                          "Accelerator compute held at each site, PFLOPS FP16.",
                                          1, site_label, collect_pflops, c, err);
    c->m.pflops_cap = sw_prom_gauge_fn(r, "suanwang_site_pflops_capacity",
                                       "Accelerator compute each site offers, PFLOPS FP16.", 1,
                                       site_label, collect_capacity, c, err);
    c->m.store_commits = sw_prom_counter_fn(r, "suanwang_store_commits_total",
                                            "Transactions the store has committed (fsync'd).", 0,
                                            NULL, collect_store_commits, c, err);
    c->m.store_writes = sw_prom_counter_fn(r, "suanwang_store_writes_total",
                                           "Write calls the store has committed.", 0, NULL,
                                           collect_store_writes, c, err);
    static const char *const version_label[] = {"version"};
    struct sw_prom_metric *build = sw_prom_gauge(r, "suanwang_build_info",
                                                 "Always 1; the version label says which "
                                                 "controller is running.", 1, version_label, err);
    const char *version[] = {SW_VERSION_STRING};
    if (!build || sw_prom_set(build, version, 1) < 0)
        return -1;
    if (!c->m.pflops_cap || !c->m.store_writes || !c->m.submitted || !c->m.placements || !c->m.pass_seconds || !c->m.http_seconds ||
        !c->m.queue_depth || !c->m.jobs_by_state || !c->m.pflops_in_use || !c->m.store_commits)
        return -1;
    return 0;
}

void ctl_observe_request(void *ctx, const char *route, const char *method, int status,
                         double seconds)
{
    struct sw_controller *c = ctx;
    char code[8];
    snprintf(code, sizeof(code), "%d", status);
    const char *lv[] = {method, route, code};
    sw_prom_observe(c->m.http_seconds, lv, seconds);
}

/* ---- start / stop ----------------------------------------------------------- */

static int open_state(struct sw_controller *c, sw_error_t *err)
{
    if (sw_auth_init() < 0)
        return sw_errprintf(err, "cannot initialise libsodium");
    if (sw_mkdir_p(c->data_dir, err) < 0)
        return -1;
    c->store = sw_store_open(c->cfg.store ? c->cfg.store : c->data_dir, err);
    if (!c->store)
        return -1;
    int rc = c->cfg.network ? sw_network_load(c->cfg.network, &c->net, err)
                            : local_network(&c->net, err);
    if (rc < 0 || setup_pools(c, err) < 0 || setup_metrics(c, err) < 0)
        return -1;
    if (ctl_sites_init(c, err) < 0)
        return -1;
    c->lost_after_ms = (c->cfg.heartbeat_timeout_s > 0 ? c->cfg.heartbeat_timeout_s : 30) * 1000;
    c->heartbeat_s = c->lost_after_ms / 6000 > 0 ? c->lost_after_ms / 6000 : 1;
    if (recover(c, err) < 0)
        return -1;
    return ensure_admin(c, err);
}

struct sw_controller *sw_controller_start(const struct sw_controller_config *cfg,
                                          sw_error_t *err)
{
    struct sw_controller *c = calloc(1, sizeof(*c));
    if (!c) {
        sw_errprintf(err, "out of memory");
        return NULL;
    }
    c->cfg = *cfg;
    if (c->cfg.tick_ms <= 0)
        c->cfg.tick_ms = 200;
    snprintf(c->data_dir, sizeof(c->data_dir), "%s", cfg->data_dir);
    pthread_mutex_init(&c->lock, NULL);
    pthread_mutex_init(&c->flush_lock, NULL);
    pthread_cond_init(&c->wake, NULL);
    pthread_cond_init(&c->agent_wake, NULL);
    if (open_state(c, err) < 0)
        goto out_fail;
    if (pthread_create(&c->sched_thread, NULL, sched_main, c) != 0) {
        sw_errprintf(err, "cannot start the scheduling thread");
        goto out_fail;
    }
    c->sched_started = true;
    struct sw_http_config hc = {
        .listen = cfg->listen,
        .routes = sw__api_routes,
        .nroutes = sw__api_nroutes,
        .auth = ctl_auth,
        .observe = ctl_observe_request,
        .ctx = c,
    };
    c->http = sw_http_start(&hc, err);
    if (!c->http)
        goto out_fail;
    return c;
out_fail:
    sw_controller_stop(c);
    return NULL;
}

uint16_t sw_controller_port(const struct sw_controller *c)
{
    return sw_http_port(c->http);
}

const char *sw_controller_store(const struct sw_controller *c)
{
    return sw_store_location(c->store);
}

void sw_controller_stop(struct sw_controller *c)
{
    if (!c)
        return;
    if (c->http) { /* end long-polls first, so the HTTP threads can finish */
        pthread_mutex_lock(&c->lock);
        c->stopping = true;
        pthread_cond_broadcast(&c->agent_wake);
        pthread_mutex_unlock(&c->lock);
    }
    sw_http_stop(c->http); /* no new requests; those in flight finish */
    pthread_mutex_lock(&c->lock);
    c->stopping = true;
    pthread_cond_broadcast(&c->wake);
    pthread_cond_broadcast(&c->agent_wake);
    pthread_mutex_unlock(&c->lock);
    if (c->sched_started)
        pthread_join(c->sched_thread, NULL);
    sw_store_close(c->store); /* finishes queued writes */
    for (size_t k = 0; k < c->njobs; k++)
        ctl_job_free(c->jobs[k]);
    free(c->jobs);
    free(c->toplace);
    for (size_t p = 0; c->pools && p < c->npools; p++)
        sw_sched_destroy(c->pools[p]);
    free(c->pools);
    sw_placer_destroy(c->placer);
    ctl_sites_free(c); /* before the network: it needs the number of sites */
    sw_network_free(&c->net);
    sw_prom_destroy(c->prom);
    free(c->tenants);
    free(c->tokens);
    ctl_pending_free(&c->pending);
    pthread_mutex_destroy(&c->flush_lock);
    pthread_cond_destroy(&c->agent_wake);
    pthread_cond_destroy(&c->wake);
    pthread_mutex_destroy(&c->lock);
    free(c);
}
