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

/* Hard caps of the format (docs/jobs.md#limits): bigger input is refused
 * with a message, never truncated. */
#define SW_JOB_JSON_MAX ((size_t)1 << 20)     /* bytes of JSON text per job (EFBIG) */
#define SW_JOB_ARGV_MAX 1024                  /* command entries */
#define SW_JOB_ENV_MAX 1024                   /* env entries */
#define SW_JOB_ARG_MAX ((size_t)64 << 10)     /* bytes per argument or "K=V" */
#define SW_JOB_SCRIPT_MAX ((size_t)512 << 10) /* bytes of script */
#define SW_JOB_LIST_MAX 256                   /* names per allow/forbid/model list */
#define SW_JOB_INPUTS_MAX 64                  /* data inputs */
#define SW_JOB_TASKS_MAX 1000000
#define SW_JOB_CORES_MAX 100000               /* per task */
#define SW_JOB_GPUS_MAX 1024                  /* per task */
#define SW_JOB_WALLTIME_MAX ((int64_t)366 * 86400)
#define SW_JOB_RETRIES_MAX 100
#define SW_WORKLOAD_MAX_JOBS ((size_t)1 << 24)

/* Fill `js` from a parsed JSON object. `js` is overwritten (its previous
 * content is not freed); on success the caller owns it and releases it with
 * sw_jobspec_free(). Returns 0, or -1 with errno EINVAL and a message
 * "PATH: why" (then `js` is left freed, i.e. zeroed). `obj` is only read. */
int sw_jobspec_from_json(const json_t *obj, struct sw_jobspec *js, sw_error_t *err);

/* Parse one job from JSON text (`len` bytes, at most SW_JOB_JSON_MAX,
 * UTF-8, no duplicate keys), as sw_jobspec_from_json(). Errors: EFBIG for
 * a text over the cap, EINVAL otherwise ("invalid JSON at line 1, column
 * 9: ..."). */
int sw_jobspec_parse(const char *text, size_t len, struct sw_jobspec *js, sw_error_t *err);

/* The job as JSON (for the API and for writing JSON lines), in canonical
 * form: durations in seconds, sizes in MB, memory in GiB or MiB, only the
 * fields that differ from the defaults except the always-written shape,
 * walltime, qos, preemptible, objective and retries. For a spec that came
 * from sw_jobspec_from_json() the result parses back to an equal spec.
 * The caller owns the reference; NULL on ENOMEM. */
json_t *sw_jobspec_to_json(const struct sw_jobspec *js);

/* Read a JSON-lines file (blank lines and lines starting with '#' are
 * skipped). Job ids are the 1-based line numbers unless a job has "id";
 * two jobs with one id are an error. Jobs stay in file order (the
 * simulator sorts them stably by submit). The whole file loads or nothing
 * does: errors name file, line and field ("w.jsonl:12: tasks: must be >=
 * 1, got 0"), and leave `w` untouched. On success the caller frees `w`
 * with sw_workload_free(). */
int sw_workload_load_jsonl(const char *path, struct sw_workload *w, sw_error_t *err);


#endif
