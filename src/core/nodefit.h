/* nodefit.h — how far the nodes a site's own scheduler reports stand for
 * the node classes the network file declares for that site.
 *
 * A Slurm site's agent reports its nodes grouped by shape (cores, memory,
 * GPUs); the network file declares node classes. For each declared class
 * this answers:
 *   declared     its count in the network file;
 *   reported     reported nodes whose shape can host one node of the class
 *                (at least its cores and memory, and, when it has
 *                accelerators, at least as many of its model);
 *   schedulable  the nodes of the class the controller may fill: each
 *                reported node stands for one declared node of one class
 *                only, never more than declared.
 * Reported nodes are handed out greedily: the most demanding class first
 * (accelerators, then cores, then memory per node, then declaration
 * order), each taking the least capable nodes that can host it first, so
 * CPU classes do not use up GPU nodes while plainer nodes are left.
 * Pure: no I/O, no clock.
 */
#ifndef SW_CORE_NODEFIT_H
#define SW_CORE_NODEFIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/network.h"
#include "util/error.h"

#define SW_SHAPE_MAX_ACCEL 4

struct sw_shape_accel {
    char model[SW_NAME_MAX];  /* compared with catalog names, ignoring case */
    int64_t count;            /* per node */
};

/* Nodes of one shape, as a site reports them. */
struct sw_node_shape {
    int64_t count;            /* nodes */
    int64_t cores;            /* per node */
    int64_t mem_mib;          /* per node */
    struct sw_shape_accel accel[SW_SHAPE_MAX_ACCEL];
    size_t naccel;
};

struct sw_class_fit {
    int64_t declared;
    int64_t reported;
    int64_t schedulable;
};

/* Can one node of shape `node` host one node of class `nc`? */
bool sw_shape_hosts(const struct sw_node_shape *node, const struct sw_node_class *nc,
                    const struct sw_catalog *cat);

/* Fill out[k] for each node class k of `site` (site->nclasses entries)
 * from the reported shapes. Returns 0, or -1 with ENOMEM. */
int sw_nodefit(const struct sw_network *net, const struct sw_site *site,
               const struct sw_node_shape *shapes, size_t nshapes, struct sw_class_fit *out,
               sw_error_t *err);

#endif
