/* ctl_jobs.c — the controller's jobs in memory: creation from the stored
 * form, lookup, state transitions (through the lifecycle table, collected
 * for the store), admission, cancellation and the JSON views of the API.
 */
#include "server/controller_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/job_json.h"

/* ---- creation and lookup ---------------------------------------------------- */

struct ctl_job *ctl_job_new(const struct sw_store_job *sj, struct sw_jobspec *parsed,
                            sw_error_t *err)
{
    struct ctl_job *j = calloc(1, sizeof(*j));
    if (!j) {
        errno = ENOMEM;
        sw_errprintf(err, "out of memory");
        return NULL;
    }
    j->id = sj->id;
    j->submit_ms = sj->submit_ms;
    snprintf(j->tenant, sizeof(j->tenant), "%s", sj->tenant);
    snprintf(j->idem, sizeof(j->idem), "%s", sj->idempotency_key);
    j->spec_json = strdup(sj->spec_json);
    if (!j->spec_json) {
        free(j);
        errno = ENOMEM;
        sw_errprintf(err, "out of memory");
        return NULL;
    }
    if (parsed) { /* decoded once, at submit */
        j->spec = *parsed;
        memset(parsed, 0, sizeof(*parsed));
    } else if (sw_jobspec_parse(sj->spec_json, strlen(sj->spec_json), &j->spec, err) < 0) {
        free(j->spec_json);
        free(j);
        return NULL;
    }
    j->spec.id = sj->id;
    j->nunits = j->spec.gang ? 1 : (size_t)j->spec.tasks;
    j->units = calloc(j->nunits, sizeof(*j->units));
    if (!j->units) {
        size_t n = j->nunits;
        ctl_job_free(j);
        errno = ENOMEM;
        sw_errprintf(err, "out of memory for %zu tasks", n);
        return NULL;
    }
    for (size_t i = 0; i < j->nunits; i++) {
        struct ctl_unit *u = &j->units[i];
        u->job = j;
        u->task = j->spec.gang ? -1 : (int64_t)i;
        u->ntasks = j->spec.gang ? j->spec.tasks : 1;
        u->attempt = 1;
        u->state = SW_ST_PENDING;
        u->pool = CTL_NO_POOL;
        u->site = u->nclass = u->model = -1;
        u->state_ms = sj->submit_ms;
    }
    return j;
}

void ctl_job_free(struct ctl_job *j)
{
    if (!j)
        return;
    for (size_t i = 0; i < j->nevents; i++)
        free(j->events[i].detail);
    free(j->events);
    free(j->units);
    if (j->resolved)
        sw_resolved_free(&j->res);
    sw_jobspec_free(&j->spec);
    free(j->spec_json);
    free(j);
}

struct ctl_job *ctl_job_find(struct sw_controller *c, uint64_t id)
{
    size_t lo = 0, hi = c->njobs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->jobs[mid]->id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < c->njobs && c->jobs[lo]->id == id ? c->jobs[lo] : NULL;
}

int ctl_job_insert(struct sw_controller *c, struct ctl_job *j)
{
    if (c->njobs == c->jobs_cap) {
        size_t cap = c->jobs_cap ? c->jobs_cap * 2 : 1024;
        struct ctl_job **n = realloc(c->jobs, cap * sizeof(*n));
        if (!n)
            return -1;
        c->jobs = n;
        c->jobs_cap = cap;
    }
    size_t pos = c->njobs; /* ids come in increasing order, almost always */
    while (pos > 0 && c->jobs[pos - 1]->id > j->id)
        pos--;
    memmove(c->jobs + pos + 1, c->jobs + pos, (c->njobs - pos) * sizeof(*c->jobs));
    c->jobs[pos] = j;
    c->njobs++;
    return 0;
}

int ctl_queue_placement(struct sw_controller *c, struct ctl_job *j)
{
    if (j->queued_for_placement)
        return 0;
    if (c->ntoplace == c->toplace_cap) {
        size_t cap = c->toplace_cap ? c->toplace_cap * 2 : 256;
        struct ctl_job **n = realloc(c->toplace, cap * sizeof(*n));
        if (!n)
            return -1;
        c->toplace = n;
        c->toplace_cap = cap;
    }
    c->toplace[c->ntoplace++] = j;
    j->queued_for_placement = true;
    pthread_cond_signal(&c->wake);
    return 0;
}

/* ---- transitions -------------------------------------------------------------- */

int ctl_job_add_event(struct ctl_job *j, const struct ctl_event *e)
{
    if (j->nevents == j->events_cap) {
        size_t cap = j->events_cap ? j->events_cap * 2 : 8;
        struct ctl_event *n = realloc(j->events, cap * sizeof(*n));
        if (!n)
            return -1;
        j->events = n;
        j->events_cap = cap;
    }
    j->events[j->nevents] = *e;
    j->events[j->nevents].detail = e->detail ? strdup(e->detail) : NULL;
    j->nevents++;
    return 0;
}

int ctl_pending_push(struct ctl_pending_events *pe, const struct sw_store_event *ev,
                     const char *detail, struct ctl_unit *u)
{
    if (pe->n == pe->cap) {
        size_t cap = pe->cap ? pe->cap * 2 : 64;
        struct sw_store_event *e = realloc(pe->ev, cap * sizeof(*e));
        if (!e)
            return -1;
        pe->ev = e;
        char **d = realloc(pe->details, cap * sizeof(*d));
        if (!d)
            return -1;
        pe->details = d;
        struct ctl_unit **us = realloc(pe->units, cap * sizeof(*us));
        if (!us)
            return -1;
        pe->units = us;
        pe->cap = cap;
    }
    pe->details[pe->n] = detail ? strdup(detail) : NULL;
    pe->units[pe->n] = u;
    pe->ev[pe->n] = *ev;
    pe->ev[pe->n].detail_json = pe->details[pe->n];
    pe->n++;
    return 0;
}

int ctl_transition(struct sw_controller *c, struct ctl_unit *u, enum sw_state to,
                   const char *detail, int64_t now_ms, struct ctl_pending_events *out)
{
    (void)out;
    if (!sw_state_can(u->state, to)) {
        errno = EINVAL;
        return -1;
    }
    struct ctl_job *j = u->job;
    struct ctl_event mem = {.task = u->task, .attempt = u->attempt, .state = to,
                            .time_ms = now_ms, .detail = (char *)(uintptr_t)detail};
    if (ctl_job_add_event(j, &mem) < 0)
        return -1;
    struct sw_store_event ev = {.job_id = j->id, .task = u->task, .attempt = u->attempt,
                                .state = to, .time_ms = now_ms};
    if (ctl_pending_push(&c->pending, &ev, detail, u) < 0)
        return -1;
    u->state = to;
    u->state_ms = now_ms;
    return 0;
}

int ctl_flush_events(struct sw_controller *c, struct ctl_pending_events *pe, sw_error_t *err)
{
    ctl_pending_free(pe);
    pthread_mutex_lock(&c->flush_lock);
    pthread_mutex_lock(&c->lock);
    struct ctl_pending_events batch = c->pending;
    memset(&c->pending, 0, sizeof(c->pending));
    pthread_mutex_unlock(&c->lock);
    int rc = batch.n ? sw_store_add_events(c->store, batch.ev, batch.n, err) : 0;
    if (rc == 0 && batch.n) {
        pthread_mutex_lock(&c->lock);
        for (size_t i = 0; i < batch.n; i++)
            if (batch.ev[i].state == SW_ST_DISPATCHED && batch.units[i])
                batch.units[i]->fence = batch.ev[i].seq;
        pthread_mutex_unlock(&c->lock);
    }
    pthread_mutex_unlock(&c->flush_lock);
    ctl_pending_free(&batch);
    return rc;
}

void ctl_pending_free(struct ctl_pending_events *pe)
{
    for (size_t i = 0; i < pe->n; i++)
        free(pe->details[i]);
    free(pe->details);
    free(pe->units);
    free(pe->ev);
    memset(pe, 0, sizeof(*pe));
}

enum sw_state ctl_job_state(const struct ctl_job *j)
{
    enum sw_state small[64] = {0};
    enum sw_state *st = j->nunits <= 64 ? small : malloc(j->nunits * sizeof(*st));
    if (!st)
        return SW_ST_PENDING;
    for (size_t i = 0; i < j->nunits; i++)
        st[i] = j->units[i].state;
    enum sw_state s = sw_state_aggregate(st, j->nunits);
    if (st != small)
        free(st);
    return s;
}

/* ---- admission and cancellation ---------------------------------------------- */

static int64_t admit_wait(void *arg, size_t pool, const struct sw_res *need, int64_t now)
{
    struct sw_controller *c = arg;
    return sw_sched_estimate_wait(c->pools[pool], need, now);
}

int ctl_admit(struct sw_controller *c, const struct sw_jobspec *js, sw_error_t *err)
{
    struct sw_resolved r;
    if (sw_resolve(&c->net, js, &r, err) < 0)
        return -1;
    struct sw_estimate e;
    int64_t run = js->runtime_estimate_s > 0 ? js->runtime_estimate_s : js->walltime_s;
    int rc = sw_place(c->placer, &r, js->gang ? js->tasks : 1, run, js->walltime_s,
                      ctl_now_ms() / 1000, admit_wait, c, &e, err);
    sw_resolved_free(&r);
    return rc;
}

void ctl_cancel_job(struct sw_controller *c, struct ctl_job *j, int64_t now_ms,
                    struct ctl_pending_events *pe)
{
    for (size_t i = 0; i < j->nunits; i++) {
        struct ctl_unit *u = &j->units[i];
        if (sw_state_terminal(u->state))
            continue;
        if (u->state == SW_ST_DISPATCHED || u->state == SW_ST_RUNNING)
            ctl_site_push_cancel(c, u, "cancelled");
        ctl_release(c, u, now_ms);
        ctl_transition(c, u, SW_ST_CANCELLED, NULL, now_ms, pe);
    }
}

/* ---- JSON views ---------------------------------------------------------------- */

/* RFC 3339 UTC with milliseconds. */
static json_t *time_json(int64_t ms)
{
    char buf[40];
    time_t s = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&s, &tm);
    size_t n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, sizeof(buf) - n, ".%03dZ", (int)(ms % 1000));
    return json_string(buf);
}

/* One pass over a job's units: how many are in each state, and the sites
 * they are placed at in the order first seen (at most CTL_SUMMARY_SITES). */
struct unit_tally {
    size_t count[SW_ST_N];
    int sites[CTL_SUMMARY_SITES];
    size_t nsites;
};

static void tally_units(const struct ctl_job *j, struct unit_tally *t)
{
    memset(t, 0, sizeof(*t));
    for (size_t i = 0; i < j->nunits; i++) {
        const struct ctl_unit *u = &j->units[i];
        t->count[u->state]++;
        bool dup = u->site < 0 || t->nsites == CTL_SUMMARY_SITES;
        for (size_t k = 0; k < t->nsites && !dup; k++)
            dup = t->sites[k] == u->site;
        if (!dup)
            t->sites[t->nsites++] = u->site;
    }
}

json_t *ctl_job_summary_json(struct sw_controller *c, const struct ctl_job *j)
{
    struct unit_tally t;
    tally_units(j, &t);
    json_t *units = json_object();
    for (int s = 0; units && s < SW_ST_N; s++)
        if (t.count[s])
            json_object_set_new(units, sw_state_name((enum sw_state)s),
                                json_integer((json_int_t)t.count[s]));
    json_t *sites = json_array();
    for (size_t k = 0; sites && k < t.nsites; k++)
        json_array_append_new(sites, json_string(c->net.sites[t.sites[k]].name));
    return json_pack("{s:I,s:s,s:s,s:s,s:o,s:I,s:b,s:s,s:s,s:o,s:o}", "id", (json_int_t)j->id,
                     "name", j->spec.name, "tenant", j->tenant, "state",
                     sw_state_name(ctl_job_state(j)), "submitted_at", time_json(j->submit_ms),
                     "tasks", (json_int_t)j->spec.tasks, "gang", j->spec.gang, "qos",
                     sw_qos_name(j->spec.qos), "objective", sw_objective_name(j->spec.objective),
                     "units", units, "sites", sites);
}

static json_t *unit_json(struct sw_controller *c, const struct ctl_unit *u)
{
    json_t *o = json_pack("{s:I,s:I,s:I,s:s,s:o}", "task", (json_int_t)u->task, "tasks",
                          (json_int_t)u->ntasks, "attempt", (json_int_t)u->attempt, "state",
                          sw_state_name(u->state), "since", time_json(u->state_ms));
    if (o && u->site >= 0) {
        const struct sw_site *s = &c->net.sites[u->site];
        json_object_set_new(o, "site", json_string(s->name));
        json_object_set_new(o, "region", json_string(c->net.regions[s->region]));
        json_object_set_new(o, "node_class", json_string(s->classes[u->nclass].name));
        if (u->model >= 0)
            json_object_set_new(o, "accelerator",
                                json_string(c->net.catalog.models[u->model].name));
        if (u->state == SW_ST_PENDING)
            json_object_set_new(o, "estimated_start", time_json(u->est_start * 1000));
    }
    return o;
}

/* How many units the pool's queue order puts ahead of `job`. */
static size_t queue_position(const struct sw_sched *pool, const struct sw_job *job)
{
    size_t n = sw_sched_pending_count(pool);
    for (size_t i = 0; i < n; i++)
        if (sw_sched_pending_at(pool, i) == job)
            return i;
    return n;
}

/* Why a job is not running yet, in words; NULL when it is not waiting. */
static json_t *why_json(struct sw_controller *c, const struct ctl_job *j)
{
    if (j->why[0])
        return json_string(j->why);
    for (size_t i = 0; i < j->nunits; i++) {
        const struct ctl_unit *u = &j->units[i];
        if (u->state != SW_ST_PENDING)
            continue;
        if (u->pool == CTL_NO_POOL)
            return json_string("waiting to be placed by the next scheduling pass");
        const struct sw_sched *pool = c->pools[u->pool];
        int64_t wait = sw_sched_estimate_wait(pool, &u->core.need, ctl_now_ms() / 1000);
        const struct sw_site *s = &c->net.sites[u->site];
        char buf[320];
        snprintf(buf, sizeof(buf),
                 "queued at %s/%s behind %zu of its %zu pending units: not enough free "
                 "capacity there yet (estimated wait %lld s)",
                 s->name, s->classes[u->nclass].name, queue_position(pool, &u->core),
                 sw_sched_pending_count(pool), (long long)wait);
        return json_string(buf);
    }
    return NULL;
}

json_t *ctl_job_detail_json(struct sw_controller *c, const struct ctl_job *j)
{
    json_t *o = ctl_job_summary_json(c, j);
    if (!o)
        return NULL;
    json_t *spec = json_loads(j->spec_json, 0, NULL);
    json_object_set_new(o, "spec", spec ? spec : json_null());
    if (j->idem[0])
        json_object_set_new(o, "idempotency_key", json_string(j->idem));
    json_t *units = json_array();
    for (size_t i = 0; units && i < j->nunits && i < 10000; i++)
        json_array_append_new(units, unit_json(c, &j->units[i]));
    json_object_set_new(o, "task_units", units ? units : json_null());
    json_t *events = json_array();
    json_array_append_new(events, json_pack("{s:I,s:s,s:o}", "task", (json_int_t)-1, "state",
                                            "submitted", "time", time_json(j->submit_ms)));
    for (size_t i = 0; events && i < j->nevents; i++) {
        const struct ctl_event *e = &j->events[i];
        json_t *ev = json_pack("{s:I,s:I,s:s,s:o}", "task", (json_int_t)e->task, "attempt",
                               (json_int_t)e->attempt, "state", sw_state_name(e->state), "time",
                               time_json(e->time_ms));
        json_t *d = e->detail ? json_loads(e->detail, 0, NULL) : NULL;
        if (ev && d)
            json_object_set_new(ev, "detail", d);
        json_array_append_new(events, ev);
    }
    json_object_set_new(o, "events", events ? events : json_null());
    json_t *why = why_json(c, j);
    if (why)
        json_object_set_new(o, "why", why);
    return o;
}
