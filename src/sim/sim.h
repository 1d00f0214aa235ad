/* sim.h — the trace-driven simulator: replays a trace through the
 * scheduling core with simulated time.
 *
 * Events are handled one at a time in (time, kind, creation order), with
 * arrivals before completions at the same instant; after each event the core
 * runs one scheduling pass. A job that starts at t ends at t + runtime (the
 * core only ever sees its estimate). The simulator also checks invariants
 * as it goes (no overcommit, every job starts once, no reservation delayed)
 * and reports any violation.
 */
#ifndef SW_SIM_SIM_H
#define SW_SIM_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "core/sched.h"
#include "sim/result.h"
#include "trace/trace.h"
#include "util/error.h"

struct sw_sim_options {
    struct sw_sched_config sched;  /* capacity is set from the trace */
    /* progress: called about every 1% of jobs; may be NULL */
    void (*progress)(void *arg, size_t done, size_t total);
    void *progress_arg;
};

/* Invariant violations found during a run; all zero in a correct run. */
struct sw_sim_checks {
    size_t overcommit;        /* more in use than the machine has */
    size_t started_twice;     /* a job started more than once */
    size_t never_started;     /* a job still waiting at the end */
    size_t reservation_late;  /* started after a reservation it held */
    size_t reservation_moved_later; /* a reservation moved to a later time */
};

/* Simulate `trace` and fill `out` (which the caller frees with
 * sw_sim_result_free()). Returns 0, or -1 with a message. */
int sw_sim_run(const struct sw_trace *trace, const struct sw_sim_options *opt,
               struct sw_sim_result *out, struct sw_sim_checks *checks, sw_error_t *err);

#endif
