/* netsim.c — the compute-network simulator (see netsim.h): jobs become
 * units, units are placed on pools, each pool runs the scheduling core,
 * and the event loop drives them all with simulated time.
 */
#include "sim/netsim.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/placement.h"
#include "sim/eventq.h"
#include "sim/metrics.h"

struct unit {
    struct sw_job core;      /* first: the scheduler hands back &core */
    size_t job;              /* index into the workload */
    int64_t task;            /* task index, -1 for a gang */
    int64_t ntasks;
    int64_t hold_s;          /* this attempt: staging + actual runtime */
    size_t pool;
    uint32_t attempt;
    struct sw_estimate est;  /* the placement of the current attempt */
};

struct netsim {
    const struct sw_network *net;
    const struct sw_workload *w;
    const struct sw_netsim_options *opt;
    struct sw_netsim_result *out;
    struct sw_placer *placer;
    size_t npools;
    struct sw_sched **pools;
    unsigned char *touched;
    size_t *order;           /* job indexes by (submit, file order) */
    size_t *first_unit;      /* per job: index of its first unit */
    struct unit *units;
    size_t nunits;
    struct sw_eventq completions;
    int64_t sample_every, last_sample;
    int error;
};

/* ---- set-up ------------------------------------------------------------- */

static int by_submit(const void *a, const void *b, const struct sw_workload *w)
{
    const struct sw_jobspec *x = &w->jobs[*(const size_t *)a];
    const struct sw_jobspec *y = &w->jobs[*(const size_t *)b];
    if (x->submit != y->submit)
        return x->submit < y->submit ? -1 : 1;
    return (*(const size_t *)a > *(const size_t *)b) - (*(const size_t *)a < *(const size_t *)b);
}

/* Stable order of jobs by submit time (insertion into runs + merge would be
 * faster; a simple merge sort keeps it O(n log n) without globals). */
static void sort_jobs(size_t *idx, size_t *tmp, size_t n, const struct sw_workload *w)
{
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, k = mid, o = lo;
            while (i < mid && k < hi)
                tmp[o++] = by_submit(&idx[k], &idx[i], w) < 0 ? idx[k++] : idx[i++];
            while (i < mid)
                tmp[o++] = idx[i++];
            while (k < hi)
                tmp[o++] = idx[k++];
        }
        memcpy(idx, tmp, n * sizeof(*idx));
    }
}

static int setup_units(struct netsim *ns, sw_error_t *err)
{
    const struct sw_workload *w = ns->w;
    size_t total = 0;
    ns->first_unit = calloc(w->n + 1, sizeof(size_t));
    if (!ns->first_unit)
        goto out_nomem;
    for (size_t j = 0; j < w->n; j++) {
        ns->first_unit[j] = total;
        total += w->jobs[j].gang ? 1 : (size_t)w->jobs[j].tasks;
    }
    ns->first_unit[w->n] = total;
    ns->units = calloc(total ? total : 1, sizeof(*ns->units));
    ns->out->units = calloc(total ? total : 1, sizeof(*ns->out->units));
    if (!ns->units || !ns->out->units)
        goto out_nomem;
    ns->nunits = ns->out->nunits = total;
    for (size_t j = 0; j < w->n; j++) {
        const struct sw_jobspec *js = &w->jobs[j];
        for (size_t u = ns->first_unit[j]; u < ns->first_unit[j + 1]; u++) {
            struct unit *un = &ns->units[u];
            un->job = j;
            un->task = js->gang ? -1 : (int64_t)(u - ns->first_unit[j]);
            un->ntasks = js->gang ? js->tasks : 1;
            struct sw_netsim_unit *r = &ns->out->units[u];
            r->job_id = js->id;
            r->task = un->task;
            r->tasks = un->ntasks;
            r->submit = js->submit;
            r->start = r->end = -1;
            r->site = r->nclass = r->model = -1;
            r->objective = js->objective;
            r->qos = js->qos;
            r->max_latency_ms = js->near_region[0] ? js->max_latency_ms : 0;
        }
    }
    return 0;
out_nomem:
    errno = ENOMEM;
    return sw_errprintf(err, "out of memory for the workload's units");
}

static int setup(struct netsim *ns, sw_error_t *err)
{
    const struct sw_workload *w = ns->w;
    ns->placer = sw_placer_create(ns->net);
    ns->order = calloc(w->n ? w->n : 1, sizeof(size_t));
    size_t *tmp = calloc(w->n ? w->n : 1, sizeof(size_t));
    if (!ns->placer || !ns->order || !tmp) {
        free(tmp);
        errno = ENOMEM;
        return sw_errprintf(err, "out of memory setting up the network simulation");
    }
    for (size_t i = 0; i < w->n; i++)
        ns->order[i] = i;
    sort_jobs(ns->order, tmp, w->n, w);
    free(tmp);
    ns->npools = sw_placer_npools(ns->placer);
    ns->pools = calloc(ns->npools ? ns->npools : 1, sizeof(*ns->pools));
    ns->touched = calloc(ns->npools ? ns->npools : 1, 1);
    if (!ns->pools || !ns->touched) {
        errno = ENOMEM;
        return sw_errprintf(err, "out of memory for %zu pools", ns->npools);
    }
    for (size_t p = 0; p < ns->npools; p++) {
        struct sw_sched_config cfg = sw_sched_config_defaults();
        cfg.policy = ns->opt->policy;
        cfg.order = ns->opt->order;
        cfg.capacity = sw_placer_pool_capacity(ns->placer, p);
        ns->pools[p] = sw_sched_create(&cfg, err);
        if (!ns->pools[p]) {
            int site, nc;
            sw_placer_pool(ns->placer, p, &site, &nc);
            return sw_errprefix(err, "site %s, node class %s: ", ns->net->sites[site].name,
                                ns->net->sites[site].classes[nc].name);
        }
    }
    ns->out->sites = calloc(ns->net->nsites ? ns->net->nsites : 1, sizeof(*ns->out->sites));
    if (!ns->out->sites) {
        errno = ENOMEM;
        return sw_errprintf(err, "out of memory");
    }
    if (w->n) {
        int64_t span = w->jobs[ns->order[w->n - 1]].submit - w->jobs[ns->order[0]].submit;
        ns->sample_every = span / 1000 > 60 ? span / 1000 : 60;
        ns->last_sample = INT64_MIN;
    }
    return setup_units(ns, err);
}

/* ---- placing ------------------------------------------------------------- */

static int64_t pool_wait(void *arg, size_t pool, const struct sw_res *need, int64_t now)
{
    struct netsim *ns = arg;
    return sw_sched_estimate_wait(ns->pools[pool], need, now);
}

static int64_t base_runtime(const struct sw_jobspec *js)
{
    if (js->runtime_s > 0)
        return js->runtime_s;
    return js->runtime_estimate_s > 0 ? js->runtime_estimate_s : js->walltime_s;
}

static uint8_t qos_rank(enum sw_qos q)
{
    return (uint8_t)q; /* realtime 0 … spot 3 */
}

/* Put a placed unit into its pool's queue. */
static int enqueue_unit(struct netsim *ns, struct unit *u, const struct sw_resolved *r,
                        int64_t now, sw_error_t *err)
{
    const struct sw_jobspec *js = &ns->w->jobs[u->job];
    int64_t actual = sw_scale_runtime(ns->net, r->wclass, r->ref_model, u->est.model,
                                      base_runtime(js));
    if (actual > u->est.walltime_s)
        actual = u->est.walltime_s; /* killed at its (scaled) walltime */
    u->hold_s = u->est.staging_s + actual;
    u->pool = u->est.pool;
    u->core = (struct sw_job){
        .id = js->id,
        .submit = now,
        .estimate = u->est.staging_s + u->est.walltime_s,
        .need = u->est.need,
        .user = js->user,
        .qos = qos_rank(js->qos),
    };
    if (sw_sched_submit(ns->pools[u->pool], &u->core, now, err) < 0)
        return -1;
    ns->touched[u->pool] = 1;
    return 0;
}

static void record_rejection(struct netsim *ns, size_t job, const char *why)
{
    struct sw_netsim_result *out = ns->out;
    for (size_t u = ns->first_unit[job]; u < ns->first_unit[job + 1]; u++)
        out->units[u].rejected = 1;
    char (*r)[160] = realloc(out->reject_reasons, (out->nreasons + 1) * sizeof(*r));
    if (r) {
        out->reject_reasons = r;
        snprintf(r[out->nreasons], sizeof(r[0]), "job %llu: %.140s",
                 (unsigned long long)ns->w->jobs[job].id, why);
        out->nreasons++;
    }
    if (ns->opt->on_reject)
        ns->opt->on_reject(ns->opt->arg, &ns->w->jobs[job], why);
}

/* Preempt running spot units of `pool`, youngest first, until `u` fits now.
 * Preempted units are placed again. Returns the number preempted. */
static int preempt_for(struct netsim *ns, struct unit *u, int64_t now, sw_error_t *err);

/* Place every unit of a job that has just arrived (or the one unit `only`
 * when >= 0, for a preempted unit's new attempt). */
static int place_job(struct netsim *ns, size_t job, long only, int64_t now, sw_error_t *err)
{
    const struct sw_jobspec *js = &ns->w->jobs[job];
    struct sw_resolved r;
    if (sw_resolve(ns->net, js, &r, err) < 0)
        return sw_errprefix(err, "job %llu (%s): ", (unsigned long long)js->id, js->name);
    int rc = 0;
    size_t first = only >= 0 ? (size_t)only : ns->first_unit[job];
    size_t last = only >= 0 ? (size_t)only + 1 : ns->first_unit[job + 1];
    for (size_t i = first; i < last; i++) {
        struct unit *u = &ns->units[i];
        sw_error_t why;
        if (sw_place(ns->placer, &r, u->ntasks, base_runtime(js), js->walltime_s, now, pool_wait,
                     ns, &u->est, &why) < 0) {
            if (only < 0 && i == first) { /* the whole job is refused */
                record_rejection(ns, job, why.text);
                break;
            }
            ns->out->units[i].rejected = 1; /* one task of an array, or a requeue */
            continue;
        }
        u->attempt++;
        if ((rc = enqueue_unit(ns, u, &r, now, err)) < 0)
            break;
        if (js->qos == SW_QOS_REALTIME && u->est.wait_s > 0 &&
            (rc = preempt_for(ns, u, now, err)) < 0)
            break;
        rc = 0;
    }
    sw_resolved_free(&r);
    return rc;
}

static int preempt_for(struct netsim *ns, struct unit *u, int64_t now, sw_error_t *err)
{
    struct sw_sched *s = ns->pools[u->pool];
    struct sw_res avail = sw_placer_pool_capacity(ns->placer, u->pool);
    struct sw_res used = sw_sched_used(s);
    sw_res_sub(&avail, &used);
    if (sw_res_fits(&u->core.need, &avail))
        return 0;
    /* youngest spot units first: the least work lost */
    size_t n = sw_sched_running_count(s);
    struct unit **victims = calloc(n ? n : 1, sizeof(*victims));
    if (!victims) {
        errno = ENOMEM;
        return sw_errprintf(err, "out of memory preempting");
    }
    size_t nv = 0;
    for (size_t i = 0; i < n; i++) {
        const struct sw_job *j = sw_sched_running_at(s, i);
        struct unit *v = (struct unit *)(uintptr_t)j;
        if (ns->w->jobs[v->job].qos == SW_QOS_SPOT && ns->w->jobs[v->job].preemptible)
            victims[nv++] = v;
    }
    for (size_t i = 1; i < nv; i++) { /* by start, latest first */
        struct unit *x = victims[i];
        size_t k = i;
        while (k > 0 && victims[k - 1]->core.start < x->core.start) {
            victims[k] = victims[k - 1];
            k--;
        }
        victims[k] = x;
    }
    size_t take = 0;
    struct sw_res gain = avail;
    while (take < nv && !sw_res_fits(&u->core.need, &gain))
        sw_res_add(&gain, &victims[take++]->core.need);
    int rc = 0;
    if (sw_res_fits(&u->core.need, &gain)) {
        for (size_t i = 0; i < take && rc == 0; i++) {
            struct unit *v = victims[i];
            size_t vi = (size_t)(v - ns->units);
            sw_sched_complete(s, &v->core, now);
            ns->out->m.preemptions++;
            ns->out->units[vi].start = -1;
            rc = place_job(ns, v->job, (long)vi, now, err);
        }
    }
    free(victims);
    return rc;
}

/* ---- running -------------------------------------------------------------- */

static void on_start(struct sw_job *job, int64_t now, void *arg)
{
    struct netsim *ns = arg;
    struct unit *u = (struct unit *)job;
    size_t i = (size_t)(u - ns->units);
    struct sw_netsim_unit *r = &ns->out->units[i];
    r->start = now;
    r->end = now + u->hold_s;
    r->site = u->est.site;
    r->nclass = u->est.nclass;
    r->model = u->est.model;
    r->attempts = (int)u->attempt;
    r->accel_milli = u->est.need.v[SW_RES_ACCEL];
    r->cores = u->est.need.v[SW_RES_CORES];
    r->cost_fen = u->est.cost_fen;
    r->carbon_g = u->est.carbon_g;
    r->energy_kwh = u->est.energy_kwh;
    r->data_moved_gb = u->est.data_moved_gb;
    const struct sw_jobspec *js = &ns->w->jobs[u->job];
    int near = js->near_region[0] ? sw_network_region(ns->net, js->near_region) : -1;
    r->latency_ms = near >= 0 ? sw_network_latency(ns->net, near,
                                                   ns->net->sites[u->est.site].region)
                              : 0;
    if (sw_eventq_push_tagged(&ns->completions, r->end, i, u->attempt) < 0)
        ns->error = ENOMEM;
}

static int pass_touched(struct netsim *ns, int64_t now, sw_error_t *err)
{
    for (size_t p = 0; p < ns->npools; p++) {
        if (!ns->touched[p])
            continue;
        ns->touched[p] = 0;
        if (sw_sched_pass(ns->pools[p], now, on_start, ns) < 0 || ns->error) {
            errno = ENOMEM;
            return sw_errprintf(err, "out of memory in a scheduling pass at t=%lld",
                                (long long)now);
        }
    }
    return 0;
}

static int64_t next_wakeup(const struct netsim *ns)
{
    int64_t t = INT64_MAX;
    for (size_t p = 0; p < ns->npools; p++) {
        int64_t w = sw_sched_next_wakeup(ns->pools[p]);
        if (w < t)
            t = w;
    }
    return t;
}

static int sample_sites(struct netsim *ns, int64_t now)
{
    if (now < ns->last_sample + ns->sample_every)
        return 0;
    ns->last_sample = now;
    for (size_t s = 0; s < ns->net->nsites; s++) {
        struct sw_netsim_site_series *ser = &ns->out->sites[s];
        double used = 0, cap = 0;
        bool accel = false;
        for (size_t p = 0; p < ns->npools; p++) {
            int site, nc;
            sw_placer_pool(ns->placer, p, &site, &nc);
            if ((size_t)site == s && sw_placer_pool_capacity(ns->placer, p).v[SW_RES_ACCEL] > 0)
                accel = true;
        }
        int dim = accel ? SW_RES_ACCEL : SW_RES_CORES;
        for (size_t p = 0; p < ns->npools; p++) {
            int site, nc;
            sw_placer_pool(ns->placer, p, &site, &nc);
            if ((size_t)site != s)
                continue;
            used += (double)sw_sched_used(ns->pools[p]).v[dim];
            cap += (double)sw_placer_pool_capacity(ns->placer, p).v[dim];
        }
        int64_t *t = realloc(ser->t, (ser->n + 1) * sizeof(*t));
        if (t)
            ser->t = t;
        float *u = realloc(ser->util, (ser->n + 1) * sizeof(*u));
        if (u)
            ser->util = u;
        if (!t || !u)
            return -1;
        ser->t[ser->n] = now;
        ser->util[ser->n] = cap > 0 ? (float)(used / cap) : 0.0f;
        ser->n++;
    }
    return 0;
}

static int loop(struct netsim *ns, sw_error_t *err)
{
    size_t next = 0;
    const struct sw_workload *w = ns->w;
    for (;;) {
        const struct sw_event *c = sw_eventq_peek(&ns->completions);
        int64_t ta = next < w->n ? w->jobs[ns->order[next]].submit : INT64_MAX;
        int64_t tc = c ? c->t : INT64_MAX;
        int64_t tw = next_wakeup(ns);
        int64_t now;
        if (ta == INT64_MAX && tc == INT64_MAX && tw == INT64_MAX)
            break;
        if (ta <= tc && ta <= tw) {
            now = ta;
            if (place_job(ns, ns->order[next++], -1, now, err) < 0)
                return -1;
        } else if (tc <= tw) {
            struct sw_event ev;
            sw_eventq_pop(&ns->completions, &ev);
            now = ev.t;
            struct unit *u = &ns->units[ev.job];
            if (ev.tag != u->attempt || u->core.state != SW_JOB_RUNNING)
                continue; /* a preempted attempt's stale completion */
            sw_sched_complete(ns->pools[u->pool], &u->core, now);
            ns->touched[u->pool] = 1;
        } else {
            now = tw;
            for (size_t p = 0; p < ns->npools; p++)
                if (sw_sched_next_wakeup(ns->pools[p]) == tw)
                    ns->touched[p] = 1;
        }
        if (pass_touched(ns, now, err) < 0)
            return -1;
        if (sample_sites(ns, now) < 0) {
            errno = ENOMEM;
            return sw_errprintf(err, "out of memory sampling sites");
        }
    }
    return 0;
}

/* ---- metrics -------------------------------------------------------------- */

static void compute_metrics(struct netsim *ns)
{
    struct sw_netsim_result *out = ns->out;
    struct sw_netsim_metrics *m = &out->m;
    const struct sw_network *net = ns->net;
    m->jobs = ns->w->n;
    m->units = out->nunits;
    int64_t first = INT64_MAX, last = INT64_MIN;
    double wait_sum = 0, bsld_sum = 0, accel_s = 0, core_s = 0;
    size_t ran = 0;
    for (size_t i = 0; i < out->nunits; i++) {
        struct sw_netsim_unit *u = &out->units[i];
        if (u->rejected) {
            m->rejected++;
            continue;
        }
        if (u->start < 0)
            continue;
        ran++;
        int64_t wait = u->start - u->submit, run = u->end - u->start;
        wait_sum += (double)wait;
        bsld_sum += sw_bounded_slowdown(wait, run);
        if (wait > m->max_wait_s)
            m->max_wait_s = wait;
        if (u->submit < first)
            first = u->submit;
        if (u->end > last)
            last = u->end;
        accel_s += (double)u->accel_milli / SW_MILLI * (double)run;
        core_s += (double)u->cores * (double)run;
        if (u->model >= 0)
            m->p_hours += (double)u->accel_milli / SW_MILLI *
                          net->catalog.models[u->model].fp16_tflops / 1000.0 * (double)run / 3600.0;
        if (u->max_latency_ms > 0 && u->latency_ms > u->max_latency_ms)
            m->latency_violations++;
        m->data_moved_gb += u->data_moved_gb;
        m->cost_fen += u->cost_fen;
        m->carbon_kg += u->carbon_g / 1000.0;
        m->energy_kwh += u->energy_kwh;
        if (u->objective >= 0 && u->objective < 4) {
            m->obj_units[u->objective]++;
            m->obj_cost_fen[u->objective] += u->cost_fen;
            m->obj_carbon_kg[u->objective] += u->carbon_g / 1000.0;
        }
    }
    if (!ran)
        return;
    m->mean_wait_s = wait_sum / (double)ran;
    m->mean_bounded_slowdown = bsld_sum / (double)ran;
    m->makespan_s = last - first;
    /* job completion time: last unit end - submit, over jobs that ran */
    double jct_sum = 0;
    size_t jobs_ran = 0;
    for (size_t j = 0; j < ns->w->n; j++) {
        int64_t end = -1;
        bool all = true;
        for (size_t u = ns->first_unit[j]; u < ns->first_unit[j + 1]; u++) {
            if (out->units[u].start < 0)
                all = false;
            else if (out->units[u].end > end)
                end = out->units[u].end;
        }
        if (all && end >= 0) {
            jct_sum += (double)(end - ns->w->jobs[j].submit);
            jobs_ran++;
        }
    }
    m->mean_jct_s = jobs_ran ? jct_sum / (double)jobs_ran : 0;
    double accels = 0, cores = 0;
    for (size_t p = 0; p < ns->npools; p++) {
        struct sw_res cap = sw_placer_pool_capacity(ns->placer, p);
        accels += (double)cap.v[SW_RES_ACCEL] / SW_MILLI;
        cores += (double)cap.v[SW_RES_CORES];
    }
    if (m->makespan_s > 0) {
        m->utilization_accel = accels > 0 ? accel_s / (accels * (double)m->makespan_s) : 0;
        m->utilization_cores = cores > 0 ? core_s / (cores * (double)m->makespan_s) : 0;
    }
}

/* ---- entry ---------------------------------------------------------------- */

static void teardown(struct netsim *ns)
{
    for (size_t p = 0; ns->pools && p < ns->npools; p++)
        sw_sched_destroy(ns->pools[p]);
    free(ns->pools);
    free(ns->touched);
    free(ns->order);
    free(ns->first_unit);
    free(ns->units);
    sw_eventq_fini(&ns->completions);
    sw_placer_destroy(ns->placer);
}

int sw_netsim_run(const struct sw_network *net, const struct sw_workload *w,
                  const struct sw_netsim_options *opt, struct sw_netsim_result *out,
                  sw_error_t *err)
{
    struct netsim ns = {.net = net, .w = w, .opt = opt, .out = out};
    memset(out, 0, sizeof(*out));
    sw_eventq_init(&ns.completions);
    int rc = setup(&ns, err);
    if (rc == 0)
        rc = loop(&ns, err);
    if (rc == 0)
        compute_metrics(&ns);
    teardown(&ns);
    if (rc < 0)
        sw_netsim_result_free(out, net->nsites);
    return rc;
}

void sw_netsim_result_free(struct sw_netsim_result *r, size_t nsites)
{
    if (!r)
        return;
    for (size_t s = 0; r->sites && s < nsites; s++) {
        free(r->sites[s].t);
        free(r->sites[s].util);
    }
    free(r->sites);
    free(r->units);
    free(r->reject_reasons);
    memset(r, 0, sizeof(*r));
}
