/* sbatch.h — Slurm batch scripts as suanwang jobs (docs/cli.md#slurm-batch-scripts).
 *
 * `suanwang submit job.sh` reads the script's #SBATCH directives the way
 * sbatch does — only before the first line that is not a comment, split
 * into arguments with sbatch's quoting, options spelt as sbatch's (long,
 * short, "--opt=value", "--opt value", "-n4", unique prefixes of long
 * names) — then applies the command line's sbatch-style options on top
 * (the command line wins, as in sbatch), and maps the result to the job
 * format of docs/jobs.md. The script itself becomes the job's "script".
 *
 * Usage:
 *     struct sw_sbatch sb;
 *     sw_sbatch_init(&sb);
 *     sw_sbatch_scan(&sb, text, len, "job.sh", &err);      // #SBATCH lines
 *     sw_sbatch_set(&sb, "ntasks", "8", "command line", &err); // overrides
 *     json_t *job = sw_sbatch_to_job(&sb, text, "job.sh", &err);
 *     ... print sb.warnings.data (one line each) ...
 *     sw_sbatch_free(&sb);
 *
 * Options suanwang cannot honour (--partition, --account, --exclusive, …)
 * and mappings that lose something (a %N array throttle, --mem=0, a
 * gres that does not divide among the tasks) are not errors: each adds one
 * line to `warnings` naming the directive, its place and what happens
 * instead. A value that sbatch itself would refuse (--ntasks=abc,
 * --time=1:2:3:4) is an error naming the place and the option.
 */
#ifndef SW_CONFIG_SBATCH_H
#define SW_CONFIG_SBATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "util/error.h"
#include "util/strbuf.h"

#define SW_SBATCH_ARRAY_MAX_INDEX 4000000 /* Slurm's largest MaxArraySize - 1 */

enum sw_sbatch_mem { SW_SBATCH_MEM_NONE = 0, SW_SBATCH_MEM_NODE, SW_SBATCH_MEM_CPU,
                     SW_SBATCH_MEM_GPU };
enum sw_sbatch_gpus { SW_SBATCH_GPUS_NONE = 0, SW_SBATCH_GPUS_NODE, SW_SBATCH_GPUS_TASK,
                      SW_SBATCH_GPUS_JOB };

/* The directives as sbatch understood them (0 / NULL: not given). */
struct sw_sbatch {
    char *job_name;               /* --job-name, -J */
    int64_t ntasks;               /* --ntasks, -n */
    int64_t nodes_min, nodes_max; /* --nodes, -N MIN[-MAX] */
    int64_t ntasks_per_node;      /* --ntasks-per-node */
    int64_t cpus_per_task;        /* --cpus-per-task, -c */
    int64_t cpus_per_gpu;         /* --cpus-per-gpu */
    enum sw_sbatch_mem mem_kind;  /* the last of --mem, --mem-per-cpu, --mem-per-gpu */
    int64_t mem_mib;              /* its value (MiB; Slurm's M is 2^20 bytes) */
    unsigned mem_given;           /* bit per kind given: sbatch refuses two kinds */
    enum sw_sbatch_gpus gpu_kind; /* the last of --gres=gpu, --gpus-per-node,
                                     --gpus-per-task, --gpus/-G */
    int64_t gpus;
    char gpu_type[48];            /* "a100" of gpu:a100:2; "" = any */
    bool time_set, time_unlimited;
    int64_t time_s;               /* --time, -t, in seconds as given */
    char *array;                  /* --array, -a: the spec as given */
    char *output, *error;         /* --output/-o, --error/-e: patterns as given */
    char *chdir;                  /* --chdir, -D */
    char *qos;                    /* --qos, -q */
    int ndirectives;              /* #SBATCH options read from the script */
    struct sw_strbuf warnings;    /* "job.sh:4: #SBATCH --partition=gpu: not
                                     supported (…); ignored\n" lines */
};

/* A parsed --array: indices sorted and unique; task k of the job runs
 * index idx[k] (SLURM_ARRAY_TASK_ID). */
struct sw_sbatch_array {
    int64_t *idx;
    size_t n;
    int64_t limit; /* the %N throttle; 0 = none */
};

/* Zero `sb`. */
void sw_sbatch_init(struct sw_sbatch *sb);

/* Free everything in `sb`; zeroes it. Accepts NULL. */
void sw_sbatch_free(struct sw_sbatch *sb);

/* Read the #SBATCH directives of a script of `len` bytes as sbatch does
 * (the first line must start with "#!"; directives after the first
 * non-comment line are ignored, with a warning when there are any).
 * `fname` names the script in messages. Returns 0, or -1 with EINVAL and
 * "job.sh:3: --ntasks: ..." (then `sb` may hold part of the directives). */
int sw_sbatch_scan(struct sw_sbatch *sb, const char *text, size_t len, const char *fname,
                   sw_error_t *err);

/* Apply one option by its long name without dashes ("ntasks", "time",
 * "gres"; unique prefixes work as in sbatch). `value` is NULL for an
 * option without an argument. `where` names the place in messages
 * ("job.sh:3", "command line"). An option suanwang does not support adds
 * a warning; an unknown one too. Returns 0, or -1 with a message for a
 * value sbatch would refuse. */
int sw_sbatch_set(struct sw_sbatch *sb, const char *name, const char *value, const char *where,
                  sw_error_t *err);

/* Whether `name` is an sbatch long option that takes an argument:
 * 1 required, 2 optional, 0 none, -1 not an sbatch option. */
int sw_sbatch_option_arg(const char *name);

/* The job: {"name", "script", "tasks", "gang", "resources", "walltime",
 * "env", ...} per docs/cli.md#slurm-batch-scripts. `script` is the script's text (NUL
 * terminated); `fname` gives the default name (its last path component,
 * as sbatch). The mapping's warnings go to sb->warnings. The caller owns
 * the result; NULL with a message on a contradiction (an array of more
 * than 1,000,000 indices) or ENOMEM. */
json_t *sw_sbatch_to_job(struct sw_sbatch *sb, const char *script, const char *fname,
                         sw_error_t *err);

/* Slurm's --time forms: "M", "M:S", "H:M:S", "D-H", "D-H:M", "D-H:M:S"
 * (fields are not range-checked, as in Slurm: "1:90" is 150 s), and
 * "UNLIMITED", "INFINITE", "-1" (*unlimited = true). "0" is unlimited too.
 * Returns 0, or -1 with EINVAL. */
int sw_slurm_time_parse(const char *s, int64_t *secs, bool *unlimited, sw_error_t *err);

/* Slurm's memory sizes: an integer and an optional unit K, M, G or T
 * (powers of 1024; M the default), optionally followed by "B" or "iB":
 * "4096", "4G", "512MB", "1T". Into MiB, K rounded up. */
int sw_slurm_mem_parse(const char *s, int64_t *mib, sw_error_t *err);

/* Parse an --array spec: "0-15", "1-10:2", "1,3,5", "0-7,10-15:2%4".
 * Indices 0 … SW_SBATCH_ARRAY_MAX_INDEX; at most 1,000,000 of them.
 * Returns 0 (free with sw_sbatch_array_free()), or -1 with EINVAL. */
int sw_sbatch_array_parse(const char *spec, struct sw_sbatch_array *a, sw_error_t *err);
void sw_sbatch_array_free(struct sw_sbatch_array *a);

/* Expand an --output/--error pattern for one task (for agents): %j and %J
 * the job id, %A the array's job id (the job id), %a the array index (or
 * 4294967294 as Slurm when the job is no array: pass a negative index), %x
 * the job name, %u the user, %N the site, %n %t %s 0, %% a '%'; digits
 * after '%' pad numbers with zeros ("%4a" -> 0007). Writes at most n-1
 * bytes into out; returns 0, or -1 with ENAMETOOLONG. */
int sw_sbatch_expand(const char *pattern, uint64_t job_id, int64_t array_index,
                     const char *name, const char *user, const char *site, char *out,
                     size_t n);

#endif
