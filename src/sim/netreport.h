/* netreport.h — the results of a network simulation (sim/netsim.h):
 *   metrics JSON  one object (`suanwang sim --network … --json`, metrics.json)
 *   jobs.csv      one row per unit (a gang, or one task of an array) with
 *                 id,task,tasks,submit,start,end,procs,wait,site,region,
 *                 accelerator,accelerators,data_moved_gb,cost_fen,carbon_g,
 *                 latency_ms,max_latency_ms,qos,objective,attempts,state
 *   index.html    self-contained page: the network (sites, regions, latency
 *                 circles, capacity in P) and utilization by site over time
 * The formats are in docs/report.md.
 */
#ifndef SW_SIM_NETREPORT_H
#define SW_SIM_NETREPORT_H

#include <stdio.h>

#include <jansson.h>

#include "core/network.h"
#include "sim/netsim.h"
#include "util/error.h"

/* The metrics as a new JSON object, or NULL (ENOMEM). */
json_t *sw_netreport_metrics_json(const struct sw_network *net, const struct sw_netsim_result *r,
                                  const char *trace, const char *policy);

int sw_netreport_write_csv(const struct sw_network *net, const struct sw_netsim_result *r,
                           FILE *out, sw_error_t *err);

int sw_netreport_write_html(const struct sw_network *net, const struct sw_netsim_result *r,
                            const char *trace, const char *policy, FILE *out, sw_error_t *err);

/* Create `dir` (and parents) and write metrics.json, jobs.csv, index.html. */
int sw_netreport_write_dir(const struct sw_network *net, const struct sw_netsim_result *r,
                           const char *trace, const char *policy, const char *dir,
                           sw_error_t *err);

#endif
