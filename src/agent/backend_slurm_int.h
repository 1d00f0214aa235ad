/* backend_slurm_int.h — internals of the slurm backend shared by
 * backend_slurm.c (units, the tracking thread, the ops table) and
 * backend_slurm_cmd.c (running Slurm's tools, parsing their output, the
 * capacity). Not for other modules. */
#ifndef SW_AGENT_BACKEND_SLURM_INT_H
#define SW_AGENT_BACKEND_SLURM_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agent/backend_slurm.h"

/* The options of sw_slurm_configure (empty strings when unset). */
extern char sw__slurm_partition[128], sw__slurm_account[128], sw__slurm_qos[128];

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
