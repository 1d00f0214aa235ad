/* job_json.h — the JSON job format (docs/jobs.md) to struct sw_jobspec.
 *
 * One job is one JSON object; a workload for the simulator is JSON lines
 * (one object a line). A minimal job is {"name":"x","command":["/bin/true"]}.
 * Unknown fields, wrong types, negative sizes and out-of-range values are
 * errors naming the field's path ("tasks: must be >= 1, got 0",
 * "resources.gpus.model: expected a string or an array of strings").
 * Names of regions, sites and models are not checked here (that needs a
 * network: see sw_jobspec_resolve in core/placement.h).
 */
#ifndef SW_CONFIG_JOB_JSON_H
#define SW_CONFIG_JOB_JSON_H

#include <stddef.h>

#include <jansson.h>

#include "core/jobspec.h"
#include "util/error.h"

/* Fill `js` from a parsed JSON object. Returns 0, or -1 with a message
 * (then `js` is left freed). */
int sw_jobspec_from_json(const json_t *obj, struct sw_jobspec *js, sw_error_t *err);

/* Parse one job from JSON text (`len` bytes). */
int sw_jobspec_parse(const char *text, size_t len, struct sw_jobspec *js, sw_error_t *err);

/* The job as JSON (for the API and for writing JSON lines); NULL on ENOMEM. */
json_t *sw_jobspec_to_json(const struct sw_jobspec *js);

/* Read a JSON-lines file (blank lines and lines starting with '#' are
 * skipped). Job ids are the 1-based line numbers unless a job has "id".
 * Errors name file, line and field. */
int sw_workload_load_jsonl(const char *path, struct sw_workload *w, sw_error_t *err);


#endif
