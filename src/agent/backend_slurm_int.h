/* backend_slurm_int.h — internals of the slurm backend shared by
 * backend_slurm.c (units, the tracking thread, the ops table),
 * backend_slurm_cmd.c (running Slurm's tools, parsing their output, the
 * capacity), slurm_options.c (partition, account, QoS and their maps) and
 * slurm_nodes.c (node records). Not for other modules. */
#ifndef SW_AGENT_BACKEND_SLURM_INT_H
#define SW_AGENT_BACKEND_SLURM_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agent/backend_slurm.h"

/* The options of sw_slurm_configure (empty strings when unset). */
extern char sw__slurm_partition[128], sw__slurm_account[128], sw__slurm_qos[128];

/* Model spellings to keep (sw_slurm_known_models), copied. */
extern struct sw_accel_group sw__slurm_known[SW_DISCOVER_MAX_GROUPS];
extern size_t sw__slurm_nknown;

/* Read `scontrol show node -o` and group the nodes of the configured
 * partition (slurm_nodes.h); out->n is 0 when none is in service. -1 with
 * a message when scontrol fails or its output is not understood. */
int sw__slurm_read_nodes(struct sw_node_classes *out, struct sw_slurm_nodes_summary *sum,
                         sw_error_t *err);

/* Run a Slurm tool: argv[0] is looked up in $PATH; no shell; a clean
 * environment (PATH, HOME, LANG=C, SLURM_CONF when set); stdin /dev/null.
 * Waits up to `timeout_ms`. Fills *out (stdout, NUL-terminated, malloc'ed)
 * and err->text with the first line of stderr when it fails. Returns the
 * exit status (0..255), or -1 when it could not be run or timed out. */
int sw__slurm_run(char *const argv[], char **out, int timeout_ms, sw_error_t *err);

/* The value of KEY in a "K=V K=V …" line (scontrol -o), up to the next
 * space, into `val` (size n). False when absent. */
bool sw__slurm_field(const char *line, const char *key, char *val, size_t n);

/* Single-quote `s` for sh into `out` (malloc'ed); NULL when out of memory. */
char *sw__slurm_quote(const char *s);

#endif
