/* sim.c — the trace-driven simulator (see sim.h): a discrete-event loop
 * around the scheduling core. It owns the jobs, feeds arrivals and
 * completions to the core in canonical order, runs one pass after each
 * event, records what happened and checks the invariants as it goes.
 */
#include "sim/sim.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/eventq.h"
#include "sim/metrics.h"

struct sim_job {
    struct sw_job core;
    int64_t runtime;
};

struct sim {
    const struct sw_trace *trace;
    const struct sw_sim_options *opt;
    struct sw_sched *sched;
    struct sim_job *jobs;
    struct sw_eventq completions;
    struct sw_sim_result *out;
    struct sw_sim_checks *checks;
    size_t samples_cap;
    size_t started;
    size_t next_progress;
    int error; /* errno of a failure inside a callback */
};

static void sim_on_start(struct sw_job *job, int64_t now, void *arg)
{
    struct sim *sim = arg;
    struct sim_job *sj = (struct sim_job *)job;
    size_t idx = (size_t)(sj - sim->jobs);
    struct sw_sim_jobrec *rec = &sim->out->jobs[idx];
    if (rec->start >= 0)
        sim->checks->started_twice++;
    if (job->reserved >= 0 && now > job->reserved)
        sim->checks->reservation_late++;
    rec->start = now;
    rec->end = now + sj->runtime;
    if (sw_eventq_push(&sim->completions, rec->end, idx) < 0)
        sim->error = ENOMEM;
    sim->started++;
}

static int sim_record_sample(struct sim *sim, int64_t now)
{
    struct sw_sim_result *r = sim->out;
    if (r->nsamples == sim->samples_cap) {
        size_t cap = sim->samples_cap ? sim->samples_cap * 2 : 1024;
        struct sw_sim_sample *s = realloc(r->samples, cap * sizeof(*s));
        if (!s)
            return -1;
        r->samples = s;
        sim->samples_cap = cap;
    }
    struct sw_res used = sw_sched_used(sim->sched);
    if (used.v[SW_RES_CORES] > r->metrics.procs)
        sim->checks->overcommit++;
    r->samples[r->nsamples++] = (struct sw_sim_sample){
        .t = now,
        .queued = (uint32_t)sw_sched_pending_count(sim->sched),
        .running = (uint32_t)sw_sched_running_count(sim->sched),
        .used_procs = used.v[SW_RES_CORES],
    };
    return 0;
}

static void sim_progress(struct sim *sim)
{
    if (!sim->opt->progress || sim->started < sim->next_progress)
        return;
    sim->opt->progress(sim->opt->progress_arg, sim->started, sim->trace->njobs);
    sim->next_progress = sim->started + sim->trace->njobs / 100 + 1;
}

/* Handle the next event — at one instant arrivals first, then completions,
 * then the scheduler's own wake-up — and run one pass. Sets *now to the
 * event's time. */
static int sim_step(struct sim *sim, size_t *next_arrival, int64_t *now, sw_error_t *err)
{
    const struct sw_event *c = sw_eventq_peek(&sim->completions);
    size_t a = *next_arrival;
    int64_t wake = sw_sched_next_wakeup(sim->sched);
    int64_t ta = a < sim->trace->njobs ? sim->trace->jobs[a].submit : INT64_MAX;
    int64_t tc = c ? c->t : INT64_MAX;
    if (wake < ta && wake < tc) {
        *now = wake; /* a reservation comes due: just a pass */
    } else if (a < sim->trace->njobs && ta <= tc) {
        *now = sim->trace->jobs[a].submit;
        (*next_arrival)++;
        if (sw_sched_submit(sim->sched, &sim->jobs[a].core, *now, err) < 0)
            return -1;
    } else {
        struct sw_event ev;
        sw_eventq_pop(&sim->completions, &ev);
        *now = ev.t;
        if (sw_sched_complete(sim->sched, &sim->jobs[ev.job].core, *now) < 0)
            return sw_errprintf(err, "internal error: job %llu completed but was not running",
                                (unsigned long long)sim->jobs[ev.job].core.id);
    }
    if (sw_sched_pass(sim->sched, *now, sim_on_start, sim) < 0 || sim->error) {
        errno = ENOMEM;
        return sw_errprintf(err, "out of memory during the simulation at t=%lld",
                            (long long)*now);
    }
    return 0;
}

/* The time of the next event, or INT64_MAX when none is left. */
static int64_t sim_next_time(const struct sim *sim, size_t next_arrival)
{
    int64_t t = sw_sched_next_wakeup(sim->sched);
    const struct sw_event *c = sw_eventq_peek(&sim->completions);
    if (c && c->t < t)
        t = c->t;
    if (next_arrival < sim->trace->njobs && sim->trace->jobs[next_arrival].submit < t)
        t = sim->trace->jobs[next_arrival].submit;
    return t;
}

static int sim_loop(struct sim *sim, sw_error_t *err)
{
    size_t next_arrival = 0;
    int64_t now = 0;
    while (next_arrival < sim->trace->njobs || sw_eventq_peek(&sim->completions) ||
           sw_sched_next_wakeup(sim->sched) != INT64_MAX) {
        if (sim_step(sim, &next_arrival, &now, err) < 0)
            return -1;
        if (sim_next_time(sim, next_arrival) != now && sim_record_sample(sim, now) < 0) {
            errno = ENOMEM;
            return sw_errprintf(err, "out of memory recording the simulation");
        }
        sim_progress(sim);
    }
    return 0;
}

static int sim_setup(struct sim *sim, sw_error_t *err)
{
    const struct sw_trace *t = sim->trace;
    struct sw_sim_result *r = sim->out;
    sim->jobs = calloc(t->njobs ? t->njobs : 1, sizeof(*sim->jobs));
    r->jobs = calloc(t->njobs ? t->njobs : 1, sizeof(*r->jobs));
    if (!sim->jobs || !r->jobs) {
        errno = ENOMEM;
        return sw_errprintf(err, "out of memory for %zu jobs", t->njobs);
    }
    for (size_t i = 0; i < t->njobs; i++) {
        const struct sw_trace_job *tj = &t->jobs[i];
        sim->jobs[i].core = (struct sw_job){
            .id = tj->id,
            .submit = tj->submit,
            .estimate = tj->estimate,
            .need = sw_res_cores(tj->procs),
            .user = tj->user,
        };
        sim->jobs[i].runtime = tj->runtime;
        r->jobs[i] = (struct sw_sim_jobrec){
            .id = tj->id,
            .submit = tj->submit,
            .start = -1,
            .end = -1,
            .runtime = tj->runtime,
            .estimate = tj->estimate,
            .procs = tj->procs,
            .user = tj->user,
        };
    }
    r->njobs = t->njobs;
    r->metrics.procs = t->machine_procs;
    r->skipped = t->skipped;
    r->lines_read = t->lines;
    r->machine_source = t->machine_source;
    struct sw_sched_config cfg = sim->opt->sched;
    cfg.capacity = sw_res_cores(t->machine_procs);
    sim->sched = sw_sched_create(&cfg, err);
    if (!sim->sched)
        return -1;
    snprintf(r->policy, sizeof(r->policy), "%s", sw_policy_name(cfg.policy));
    snprintf(r->order, sizeof(r->order), "%s", sw_order_name(cfg.order));
    return 0;
}

static void sim_finish_checks(struct sim *sim)
{
    for (size_t i = 0; i < sim->out->njobs; i++)
        if (sim->out->jobs[i].start < 0)
            sim->checks->never_started++;
    sim->checks->reservation_moved_later =
        (size_t)sw_sched_stats(sim->sched)->reservations_moved_later;
}

int sw_sim_run(const struct sw_trace *trace, const struct sw_sim_options *opt,
               struct sw_sim_result *out, struct sw_sim_checks *checks, sw_error_t *err)
{
    struct sw_sim_checks local_checks;
    struct sim sim = {
        .trace = trace,
        .opt = opt,
        .out = out,
        .checks = checks ? checks : &local_checks,
    };
    memset(sim.checks, 0, sizeof(*sim.checks));
    memset(out, 0, sizeof(*out));
    sw_eventq_init(&sim.completions);
    int rc = -1;
    if (sim_setup(&sim, err) < 0 || sim_loop(&sim, err) < 0)
        goto out_free;
    sim_finish_checks(&sim);
    if (sw_metrics_compute(out, trace->machine_procs) < 0) {
        sw_errprintf(err, "out of memory computing metrics");
        goto out_free;
    }
    rc = 0;
out_free:
    sw_eventq_fini(&sim.completions);
    sw_sched_destroy(sim.sched);
    free(sim.jobs);
    if (rc < 0)
        sw_sim_result_free(out);
    return rc;
}
