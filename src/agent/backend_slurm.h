/* backend_slurm.h — the `slurm` backend: each unit becomes one Slurm batch
 * job at the site's own Slurm (docs/slurm.md). It drives the command line
 * tools (sbatch, squeue, scontrol, scancel), run with fork + execve, never a
 * shell, under SLURM_CONF from the agent's environment.
 */
#ifndef SW_AGENT_BACKEND_SLURM_H
#define SW_AGENT_BACKEND_SLURM_H

#include <stdint.h>

#include "agent/backend.h"
#include "agent/discover.h"
#include "util/error.h"

#include "agent/slurm_nodes.h"

#define SW_SLURM_MAPS_MAX 16

/* What jobs are submitted with (--slurm-partition, --slurm-account,
 * --slurm-qos, --slurm-account-map, --slurm-qos-map; slurm_options.c). */
struct sw_slurm_options {
    const char *partition;  /* NULL: Slurm's default partition */
    const char *account;    /* NULL: the submitting user's default */
    const char *qos;        /* NULL: the association's default */
    /* "TENANT=ACCOUNT[,TENANT=ACCOUNT…]": the job's tenant -> --account
     * (the tenants not named get `account`) */
    const char *account_maps[SW_SLURM_MAPS_MAX];
    size_t naccount_maps;
    /* "CLASS=QOS[,CLASS=QOS…]", CLASS one of realtime, interactive, batch,
     * spot: the job's QoS class -> --qos (the others get `qos`) */
    const char *qos_maps[SW_SLURM_MAPS_MAX];
    size_t nqos_maps;
};

/* Set the options for backends created afterwards (copied; call before
 * sw_agent_start). -1 with a message naming the flag on a bad value. */
int sw_slurm_configure(const struct sw_slurm_options *o, sw_error_t *err);

/* Accelerator model spellings to keep when GRES types are named (the
 * network file's: "ascend910b" -> "Ascend910B"); copied. */
void sw_slurm_known_models(const struct sw_accel_group *known, size_t n);

/* The Slurm account and QoS a job of `tenant` and QoS class `qos_class`
 * is submitted with, by the configured maps and defaults; NULL: none
 * (Slurm's default). Either argument may be NULL. */
const char *sw_slurm_account_for(const char *tenant);
const char *sw_slurm_qos_for(const char *qos_class);

/* The site's capacity from `scontrol show node -o`: the nodes (of the
 * configured partition) grouped by shape into cap->classes (slurm_nodes.h)
 * and their totals (cores, mem_mib, accelerator groups of source "slurm"),
 * replacing what `cap` has. `sum` (may be NULL) tells which nodes were
 * left out. -1 with a message when scontrol cannot be run or no node is in
 * service. */
int sw_slurm_capacity(struct sw_capacity *cap, struct sw_slurm_nodes_summary *sum,
                      sw_error_t *err);

/* The backend (backend.c creates it by name). */
struct sw_agent_backend *sw_agent_backend_slurm_create(const struct sw_agent_backend_config *cfg,
                                                       sw_error_t *err);

#endif
