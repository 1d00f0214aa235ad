/* result.h — what a simulation produced: one record per job, a time series
 * of the machine's state, and the summary metrics. Filled by sim.c
 * (records, samples) and metrics.c (metrics); read by the reports.
 */
#ifndef SW_SIM_RESULT_H
#define SW_SIM_RESULT_H

#include <stddef.h>
#include <stdint.h>

#include "trace/trace.h"

struct sw_sim_jobrec {
    uint64_t id;
    int64_t submit, start, end; /* s; end = start + runtime */
    int64_t runtime, estimate;  /* s */
    int64_t procs;
    uint32_t user;
};

/* The machine's state right after all events at time t were handled. */
struct sw_sim_sample {
    int64_t t;
    uint32_t queued;     /* pending jobs */
    uint32_t running;    /* running jobs */
    int64_t used_procs;  /* processors held by running jobs */
};

struct sw_sim_metrics {
    size_t jobs;
    int64_t procs;                 /* machine size */
    double mean_wait_s;
    int64_t max_wait_s;
    double median_wait_s;
    double p95_wait_s;
    double mean_bounded_slowdown;  /* tau = 10 s */
    double max_bounded_slowdown;
    double mean_response_s;        /* wait + runtime */
    double utilization;            /* sum procs*runtime / (procs * makespan) */
    int64_t makespan_s;            /* last end - first submit */
    int64_t first_submit, last_end;
    size_t max_queued;
};

struct sw_sim_result {
    char trace[256];    /* trace file name, for titles */
    char policy[32];    /* "easy", … */
    char order[32];     /* "submit", … */
    struct sw_sim_metrics metrics;
    struct sw_sim_jobrec *jobs;   /* in trace order (submit, id) */
    size_t njobs;
    struct sw_sim_sample *samples; /* increasing t */
    size_t nsamples;
    struct sw_trace_skips skipped;
    size_t lines_read;
    const char *machine_source;    /* static string, see trace.h */
};

/* Free jobs and samples; accepts NULL. */
void sw_sim_result_free(struct sw_sim_result *r);

#endif
