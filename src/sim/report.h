/* report.h — writers of a simulation's results:
 *   metrics JSON  (one object: what `suanwang sim --json` prints and
 *                  metrics.json holds)
 *   jobs.csv      (header, then one row per job: id,submit,start,end,procs,
 *                  wait,runtime,estimate,user,bounded_slowdown)
 *   index.html    (self-contained offline page with SVG charts: queue
 *                  length and utilization over time, wait and slowdown
 *                  distributions; no external resources)
 * sw_report_write_dir() writes all three into a directory it creates.
 */
#ifndef SW_SIM_REPORT_H
#define SW_SIM_REPORT_H

#include <stdio.h>

#include <jansson.h>

#include "sim/result.h"
#include "util/error.h"

/* The metrics as a new JSON object (caller owns the reference), or NULL
 * (ENOMEM). Keys include jobs, procs, mean_wait_s, max_wait_s,
 * mean_bounded_slowdown, utilization, makespan_s, policy, order, trace,
 * skipped. */
json_t *sw_report_metrics_json(const struct sw_sim_result *r);

int sw_report_write_csv(const struct sw_sim_result *r, FILE *out, sw_error_t *err);
int sw_report_write_html(const struct sw_sim_result *r, FILE *out, sw_error_t *err);

/* Create `dir` if needed (one level, mode 0755) and write metrics.json,
 * jobs.csv and index.html into it. Returns 0, or -1 with a message naming
 * the file and the reason. */
int sw_report_write_dir(const struct sw_sim_result *r, const char *dir, sw_error_t *err);

#endif
