/* metrics.h — summary metrics of a simulated schedule (docs/sim.md):
 *   wait = start - submit
 *   bounded slowdown = max(1, (wait + runtime) / max(runtime, 10))
 *   utilization = sum(procs * runtime) / (machine procs * makespan)
 *   makespan = last end - first submit
 * Pure computation over the job records.
 */
#ifndef SW_SIM_METRICS_H
#define SW_SIM_METRICS_H

#include "sim/result.h"

/* Bounded slowdown of one job (tau = 10 s). */
double sw_bounded_slowdown(int64_t wait, int64_t runtime);

/* Fill r->metrics from r->jobs, r->samples and `procs`. Returns 0, or -1
 * with ENOMEM. With no jobs, every metric is 0. */
int sw_metrics_compute(struct sw_sim_result *r, int64_t procs);

#endif
