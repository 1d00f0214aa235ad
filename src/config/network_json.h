/* network_json.h — load a compute network from its JSON file format
 * (docs/network.md) into a struct sw_network, validating everything.
 *
 * Every error names the JSON path of the bad field and why, e.g.
 *   sites[3].node_classes[0].accelerators.model: unknown model "A1OO"; did you mean "A100"?
 * The accelerator catalog starts from the built-in one (sw_catalog_builtin)
 * and the file may add models or override figures; a `throughput` section
 * may add per-workload-class relative throughputs.
 */
#ifndef SW_CONFIG_NETWORK_JSON_H
#define SW_CONFIG_NETWORK_JSON_H

#include <stddef.h>

#include "core/network.h"
#include "util/error.h"

/* Parse a network from a JSON text of `len` bytes. `origin` names the
 * source in messages ("guangdong.json"). Returns 0, or -1 with a message
 * (then `net` is left empty). */
int sw_network_parse(const char *text, size_t len, const char *origin, struct sw_network *net,
                     sw_error_t *err);

/* Read and parse a network file. */
int sw_network_load(const char *path, struct sw_network *net, sw_error_t *err);

#endif
