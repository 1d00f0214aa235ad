/* jobspec.h — what a customer asks for: a job of one or more tasks with its
 * resources, constraints and objective. Parsed from the JSON job format
 * (docs/jobs.md; src/config/job_json.c), the same one `suanwang sim`
 * replays as JSON lines and the controller will accept.
 *
 * Names (regions, sites, providers, models) are kept as text here and
 * resolved against a network when the job is admitted, so that a bad name
 * is reported with the field it came from.
 */
#ifndef SW_CORE_JOBSPEC_H
#define SW_CORE_JOBSPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/network.h"
#include "util/error.h"

enum sw_qos { SW_QOS_REALTIME = 0, SW_QOS_INTERACTIVE, SW_QOS_BATCH, SW_QOS_SPOT };
enum sw_objective { SW_OBJ_FASTEST = 0, SW_OBJ_CHEAPEST, SW_OBJ_GREENEST, SW_OBJ_BALANCED };

/* A list of names (allowed regions, gpu models, …). */
struct sw_namelist {
    char (*names)[SW_NAME_MAX];
    size_t n;
};

/* Accelerators per task. count_milli = 0: none. A node qualifies if its
 * model is in `models` (when non-empty), has at least min_mem_gib, and —
 * when `equivalent` is false and `models` is empty and min_mem_gib is 0 —
 * any model will do. With `equivalent`, any model qualifies and the
 * runtime scales by relative throughput against `ref_model`. */
struct sw_accel_req {
    int64_t count_milli;          /* per task; 1000 = one device, 500 = half */
    struct sw_namelist models;    /* acceptable models; empty = any */
    int64_t min_mem_gib;          /* class: "any with >= N GiB" */
    double compute_tflops;        /* amount of compute per task: on each model,
                                     count = ceil(compute / model FP16 TFLOPS)
                                     devices (count_milli is then ignored) */
    bool equivalent;              /* allow equivalents, scaling runtime */
    char ref_model[SW_NAME_MAX];  /* the model runtimes refer to; "" = the first of
                                     models, else none: no scaling */
    char workload_class[SW_NAME_MAX]; /* row of the throughput matrix; "" = FP16 ratio */
};

struct sw_data_input {
    char name[SW_NAME_MAX];
    int64_t size_mb;              /* MB (10^6 bytes) */
    char region[SW_NAME_MAX];     /* where it lies */
};

struct sw_jobspec {
    /* identity */
    uint64_t id;                  /* assigned by the loader / controller */
    char name[128];
    char tenant[SW_NAME_MAX];
    uint32_t user;
    char idempotency_key[128];

    /* what to run (the controller/agent use these; the simulator ignores them) */
    char **argv;                  /* NULL-terminated; NULL if none */
    char **env;                   /* "K=V", NULL-terminated; NULL if none */
    char *script;                 /* instead of argv: a batch script starting with
                                     "#!", which the agent writes to a file and
                                     execve()s (the kernel runs its interpreter);
                                     NULL if none. Never both argv and script. */
    char workdir[256];

    /* shape and resources, per task */
    int64_t tasks;                /* >= 1 */
    bool gang;                    /* all tasks at one site, starting together */
    int64_t cores;                /* per task, >= 1 */
    int64_t mem_mib;              /* per task */
    struct sw_accel_req accel;

    /* time */
    int64_t submit;               /* s (simulation time or Unix time) */
    int64_t walltime_s;           /* limit, > 0 */
    int64_t runtime_estimate_s;   /* expected runtime on ref_model; 0 = walltime */
    int64_t runtime_s;            /* simulation only: real runtime on ref_model; 0 = estimate */
    int64_t deadline;             /* absolute s, -1 = none */

    /* placement constraints */
    enum sw_qos qos;
    bool preemptible;
    char near_region[SW_NAME_MAX];/* latency circle centre, "" = none */
    double max_latency_ms;        /* with near_region */
    struct sw_data_input *inputs;
    size_t ninputs;
    char output_region[SW_NAME_MAX]; /* "" = none */
    struct sw_namelist allow_regions, forbid_regions;
    struct sw_namelist allow_sites, forbid_sites;
    struct sw_namelist allow_providers, forbid_providers;
    uint32_t site_kinds;          /* bitmask of 1u << enum sw_site_kind the job may
                                     run on ("hpc" for MPI jobs); 0 = any kind */
    enum sw_objective objective;
    int64_t budget_fen;           /* whole job, -1 = none */
    int64_t max_price_fen;        /* per accelerator-hour (or core-hour if no accel), -1 = none */

    int64_t retries;              /* attempts after the first, >= 0 */
};

/* A workload: jobs in submission order (JSON lines, GPU traces). */
struct sw_workload {
    struct sw_jobspec *jobs;
    size_t n;
    size_t skipped;               /* records left out by the reader (it says why) */
};

/* Free every job and the array; zeroes `w`. Accepts NULL. */
void sw_workload_free(struct sw_workload *w);

/* Free everything inside `js` (argv, env, lists, inputs); zeroes it. */
void sw_jobspec_free(struct sw_jobspec *js);

/* Defaults: 1 task, 1 core, walltime 3600 s, batch, fastest, no
 * constraints, no deadline/budget/price cap. */
void sw_jobspec_init(struct sw_jobspec *js);

const char *sw_qos_name(enum sw_qos q);
const char *sw_objective_name(enum sw_objective o);
int sw_qos_parse(const char *s, enum sw_qos *out);
int sw_objective_parse(const char *s, enum sw_objective *out);

/* String syntaxes shared by the JSON job format and command-line flags
 * (docs/jobs.md). Each returns 0, or -1 with errno EINVAL (ERANGE when too
 * large) and a message that quotes the input but names no field: callers
 * prefix it ("walltime: " or "--walltime: "). */

#define SW_DURATION_MAX ((int64_t)100 * 366 * 86400) /* 100 years, s */
#define SW_SIZE_MAX_MB ((int64_t)1000000000000)       /* 1 EB */
#define SW_LATENCY_MAX_MS 10000.0

/* A duration in whole seconds: "90s", "30m", "2h", "1d", "1h30m", "1.5h"
 * (units s m h d, largest first, each at most once), or Slurm's --time
 * forms "M", "M:S", "H:M:S", "D-H", "D-H:M", "D-H:M:S" (a bare "90" is 90
 * minutes, as in sbatch). At most SW_DURATION_MAX. */
int sw_duration_parse(const char *s, int64_t *out_s, sw_error_t *err);

/* A data size with a unit, in MB (10^6 bytes) rounded up: decimal B, KB,
 * MB, GB, TB, PB or binary KiB, MiB, GiB, TiB, PiB (case-insensitive),
 * e.g. "500MB", "2GB", "1.5TB", "100GiB". At most SW_SIZE_MAX_MB. */
int sw_size_parse_mb(const char *s, int64_t *out_mb, sw_error_t *err);

/* A latency circle "REGION:Nms" or "REGION:N" (ms), e.g. "guangzhou:3ms":
 * fills `region` (1 to SW_NAME_MAX-1 bytes) and *max_ms (> 0, at most
 * SW_LATENCY_MAX_MS). On error neither output is written. */
int sw_near_parse(const char *s, char region[SW_NAME_MAX], double *max_ms, sw_error_t *err);

#endif
