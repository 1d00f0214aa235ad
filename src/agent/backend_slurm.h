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

/* What every job is submitted with (--slurm-partition/-account/-qos). */
struct sw_slurm_options {
    const char *partition;  /* NULL: Slurm's default partition */
    const char *account;    /* NULL: the submitting user's default */
    const char *qos;        /* NULL: the association's default */
};

/* Set the options for backends created afterwards (copied; call before
 * sw_agent_start). */
int sw_slurm_configure(const struct sw_slurm_options *o, sw_error_t *err);

/* The site's capacity from `scontrol show node -o`: the sum of CPUTot,
 * RealMemory and Gres gpu:MODEL:N over the nodes (of the configured
 * partition), replacing what `cap` has (model names take the spelling of a
 * group already in `cap` that matches case-insensitively). -1 with a message
 * when scontrol cannot be run or lists no node. */
int sw_slurm_capacity(struct sw_capacity *cap, sw_error_t *err);

/* The backend (backend.c creates it by name). */
struct sw_agent_backend *sw_agent_backend_slurm_create(const struct sw_agent_backend_config *cfg,
                                                       sw_error_t *err);

#endif
