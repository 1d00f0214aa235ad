/* netsim.h — the simulator for the compute network: replays a workload of
 * jobs (JSON lines, GPU traces) over a network of sites.
 *
 * Each job becomes units: a gang is one unit of all its tasks, an array one
 * unit per task. When a job arrives, each unit is placed (core/placement.h)
 * on the best (site, node class) for its objective and queued in that
 * pool's scheduler (one sw_sched per pool, so backfilling and reservations
 * work per pool). A unit holds its resources while its input data is staged
 * and while it runs. Events are handled as in the single-machine simulator
 * (arrivals, then completions, then wake-ups; a pass on each pool an event
 * touched). A `realtime` unit that would wait preempts running `spot` units
 * of a pool where that lets it start at once; preempted units are placed
 * again as new attempts, never lost.
 */
#ifndef SW_SIM_NETSIM_H
#define SW_SIM_NETSIM_H

#include <stddef.h>
#include <stdint.h>

#include "core/jobspec.h"
#include "core/network.h"
#include "core/sched.h"
#include "util/error.h"

/* One unit's outcome (a row of jobs.csv). */
struct sw_netsim_unit {
    uint64_t job_id;
    int64_t task;              /* task index, -1 for a gang (all tasks) */
    int64_t tasks;             /* tasks in the unit */
    int64_t submit, start, end;/* start/end -1 if never ran */
    int site, nclass, model;   /* -1 when rejected */
    int attempts;              /* 1 + times preempted */
    int64_t accel_milli;       /* total milli-accelerators held */
    int64_t cores;             /* total cores held */
    int64_t cost_fen;
    double carbon_g, energy_kwh, data_moved_gb;
    double latency_ms;         /* to the job's circle centre; 0 if none */
    double max_latency_ms;     /* the job's circle, 0 if none */
    int objective;             /* enum sw_objective */
    int qos;                   /* enum sw_qos */
    int rejected;              /* 1 = refused at admission */
};

struct sw_netsim_metrics {
    size_t jobs, units, rejected, preemptions;
    double mean_wait_s, mean_jct_s, mean_bounded_slowdown;
    int64_t max_wait_s, makespan_s;
    double p_hours;            /* PFLOPS(FP16)-hours of accelerators used */
    size_t latency_violations; /* units placed outside their circle: must be 0 */
    double data_moved_gb;
    int64_t cost_fen;
    double carbon_kg, energy_kwh;
    double utilization_accel;  /* accel-seconds used / (accels x makespan) */
    double utilization_cores;
    /* by objective: units, cost and carbon */
    size_t obj_units[4];
    int64_t obj_cost_fen[4];
    double obj_carbon_kg[4];
};

/* Per-site time series: accelerator (or core) utilization sampled. */
struct sw_netsim_site_series {
    size_t n;
    int64_t *t;
    float *util;               /* 0..1 of the site's accelerators (cores if none) */
};

struct sw_netsim_result {
    struct sw_netsim_unit *units;
    size_t nunits;
    struct sw_netsim_metrics m;
    struct sw_netsim_site_series *sites; /* net->nsites entries */
    char (*reject_reasons)[160];         /* per rejected unit, in order */
    size_t nreasons;
};

struct sw_netsim_options {
    enum sw_policy policy;     /* per pool; default easy */
    enum sw_order order;
    /* called for each job refused at admission; may be NULL */
    void (*on_reject)(void *arg, const struct sw_jobspec *js, const char *why);
    void *arg;
};

/* Simulate `w` on `net`. Jobs are taken in (submit, file order). Returns 0,
 * or -1 with a message (a bad name in a job is an error naming the job and
 * field; a job nothing can satisfy is not an error: it is rejected, counted
 * and reported). */
int sw_netsim_run(const struct sw_network *net, const struct sw_workload *w,
                  const struct sw_netsim_options *opt, struct sw_netsim_result *out,
                  sw_error_t *err);

void sw_netsim_result_free(struct sw_netsim_result *r, size_t nsites);

#endif
