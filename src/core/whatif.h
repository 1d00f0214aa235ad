/* whatif.h — "what if" edits of a compute network, for capacity planning
 * with `suanwang sim --what-if`:
 *
 *   add SITE: N x MODEL          N more accelerators at an existing site, as a
 *                                new node class of 8 per node (fewer if N < 8)
 *   add SITE@REGION: N x MODEL   the same at a new AI site in REGION
 *   bandwidth A-B xF             multiply the bandwidth between regions A and B
 *                                (both directions) by F
 *   latency A-B MS               set the latency between A and B to MS
 *
 * e.g. "add shaoguan-ai: 2000 x Ascend910B", "bandwidth guangzhou-shaoguan x2".
 * Pure: edits the network in place; on failure it is unchanged.
 */
#ifndef SW_CORE_WHATIF_H
#define SW_CORE_WHATIF_H

#include "core/network.h"
#include "util/error.h"

/* Apply one edit. Returns 0, or -1 with a message naming what is wrong
 * (unknown site/region/model with "did you mean", bad syntax with the
 * accepted forms). */
int sw_whatif_apply(struct sw_network *net, const char *spec, sw_error_t *err);

#endif
