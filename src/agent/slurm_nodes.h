/* slurm_nodes.h — a Slurm site's nodes as node classes: the text of
 * `scontrol show node -o` (one `Key=Value …` line per node) grouped by
 * shape — CPUs, memory and GRES GPUs (type and count) per node — into the
 * node classes the agent reports (docs/slurm.md, "Capacity").
 *
 * A node counts when it is in the partition asked for (any, when none is)
 * and its state is IDLE, MIXED or ALLOCATED without a flag that keeps new
 * work off it (DRAIN, FAIL, NOT_RESPONDING, INVALID_REG); DOWN, FUTURE,
 * ERROR and UNKNOWN nodes are left out. Powered-down (power saving), cloud,
 * rebooting and reserved nodes count: Slurm brings them back by itself.
 * CPUs are CPUEfctv (CPUTot less specialised cores) where Slurm shows it,
 * else CPUTot; memory is RealMemory less MemSpecLimit.
 * Pure text processing: no I/O.
 */
#ifndef SW_AGENT_SLURM_NODES_H
#define SW_AGENT_SLURM_NODES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agent/discover.h"
#include "core/network.h"
#include "util/error.h"

#define SW_SLURM_LEFT_MAX 32

struct sw_slurm_nodes_opts {
    const char *partition;              /* NULL or "": nodes of every partition */
    const struct sw_catalog *cat;       /* GRES types -> catalog models; may be NULL */
    const struct sw_accel_group *known; /* model spellings to keep (network file); may be NULL */
    size_t nknown;
};

/* A node left out, and why (its State). */
struct sw_slurm_left {
    char node[64];
    char state[64];
};

struct sw_slurm_nodes_summary {
    int64_t counted;                    /* nodes in the classes */
    int64_t other_partition;            /* nodes not in the partition */
    int64_t left_out;                   /* nodes of the partition not in service */
    struct sw_slurm_left left[SW_SLURM_LEFT_MAX]; /* the first of them */
    size_t nleft;
};

/* Does a node whose State= is `state` (e.g. "MIXED+DRAIN") take new work? */
bool sw_slurm_node_usable(const char *state);

/* The catalog model a GRES type stands for ("a100" -> "A100",
 * "nvidia_a100-sxm4-80gb" -> "A100"; a spelling in `known` wins; an
 * unknown type in capitals; no type: "GPU"), into out (size n). */
void sw_slurm_gres_model(const char *type, const struct sw_slurm_nodes_opts *o, char *out,
                         size_t n);

/* Group the nodes of `text` into `out` (replaced), in the order their
 * shapes first appear. Returns 0; -1 with a message naming the node when
 * a line lacks CPUTot or RealMemory, or when there are more than
 * SW_DISCOVER_MAX_CLASSES shapes. `sum` may be NULL. */
int sw_slurm_nodes_group(const char *text, const struct sw_slurm_nodes_opts *o,
                         struct sw_node_classes *out, struct sw_slurm_nodes_summary *sum,
                         sw_error_t *err);

/* The totals of `cl` into cap: cores, mem_mib and accelerator groups per
 * model (source "slurm"); devices are cleared. */
void sw_slurm_nodes_totals(const struct sw_node_classes *cl, struct sw_capacity *cap);

#endif
