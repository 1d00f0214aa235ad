/* sbatch_job.c — the #SBATCH directives read by sbatch.c mapped to the job
 * format (docs/jobs.md) by the rules of docs/cli.md#slurm-batch-scripts,
 * and the expansion of --output patterns for agents.
 *
 * The mapping goes in two steps: shape() works out what one suanwang task
 * is (Slurm's task count, tasks per node, and per task: cores, memory,
 * GPUs; an array element folded into one task), naming in a warning what
 * it cannot keep; to_json() writes the job, and env_json() the Slurm
 * variables a script may read.
 */
#include "config/sbatch.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/job_json.h"
#include "config/sbatch_int.h"
#include "core/network.h"

/* One suanwang task as the directives describe it. */
struct shape {
    int64_t n;         /* Slurm's number of tasks (per array element) */
    int64_t nodes;     /* nodes asked for (the minimum of a range) */
    int64_t per_node;  /* tasks on one node, at most */
    int64_t tasks;     /* suanwang tasks: n, or the array's indices */
    bool gang;
    int64_t cores;     /* per task */
    int64_t mem_mib;   /* per task, 0 = no request */
    int64_t gpu_milli; /* per task, thousandths */
};

static int64_t ceil_div(int64_t a, int64_t b)
{
    return (a + b - 1) / b;
}

/* *out = a * b for non-negative sizes; false when the product does not fit
 * in int64 (far beyond anything a job may ask for). */
static bool mul_fits(int64_t a, int64_t b, int64_t *out)
{
    if (b != 0 && a > INT64_MAX / b)
        return false;
    *out = a * b;
    return true;
}

/* Refuse a size that overflows: the directives named ask for more than any
 * job can have. */
static int too_large(sw_error_t *err, const char *fname, const char *what)
{
    errno = EINVAL;
    return sw_errprintf(err, "%s: %s is more than any job may ask for", fname, what);
}

#define WARN(...)                                                                                \
    do {                                                                                         \
        if (sw__sbatch_warn(sb, __VA_ARGS__) < 0)                                                \
            return -1;                                                                           \
    } while (0)

/* Work out the shape; -1 only on ENOMEM (warnings) or a refused mix. */
static int shape(struct sw_sbatch *sb, const struct sw_sbatch_array *arr, const char *fname,
                 struct shape *s, sw_error_t *err)
{
    memset(s, 0, sizeof(*s));
    if (sb->gpu_kind == SW_SBATCH_GPUS_TASK && !sb->ntasks) {
        errno = EINVAL;
        return sw_errprintf(err, "%s: --gpus-per-task needs --ntasks (-n), as in sbatch", fname);
    }
    /* tasks and nodes, as Slurm counts them: -N alone is one task a node */
    int64_t tpn = sb->ntasks_per_node;
    s->n = sb->ntasks ? sb->ntasks : (sb->nodes_min ? sb->nodes_min : 1) * (tpn ? tpn : 1);
    s->nodes = sb->nodes_min ? sb->nodes_min : tpn ? ceil_div(s->n, tpn) : 1;
    s->per_node = ceil_div(s->n, s->nodes);
    if (sb->nodes_max > sb->nodes_min)
        WARN("%s: --nodes=%" PRId64 "-%" PRId64 ": a range of node counts; the minimum, %" PRId64
             ", is used", fname, sb->nodes_min, sb->nodes_max, sb->nodes_min);

    /* accelerators per task */
    switch (sb->gpu_kind) {
    case SW_SBATCH_GPUS_NONE: break;
    case SW_SBATCH_GPUS_TASK: s->gpu_milli = sb->gpus * 1000; break;
    case SW_SBATCH_GPUS_NODE: s->gpu_milli = ceil_div(sb->gpus * 1000, s->per_node); break;
    case SW_SBATCH_GPUS_JOB: s->gpu_milli = ceil_div(sb->gpus * 1000, s->n); break;
    }

    /* cores: -c, else --cpus-per-gpu times the GPUs */
    s->cores = sb->cpus_per_task ? sb->cpus_per_task : 1;
    if (!sb->cpus_per_task && sb->cpus_per_gpu && s->gpu_milli)
        s->cores = sb->cpus_per_gpu * ceil_div(s->gpu_milli, 1000);

    /* memory: --mem is per node, shared by the node's tasks */
    switch (sb->mem_kind) {
    case SW_SBATCH_MEM_NONE: break;
    case SW_SBATCH_MEM_NODE:
        if (sb->mem_mib)
            s->mem_mib = ceil_div(sb->mem_mib, s->per_node);
        else
            WARN("%s: --mem=0 (all of a node's memory) is not supported: the job asks for no "
                 "memory; give --mem SIZE per task", fname);
        break;
    case SW_SBATCH_MEM_CPU:
        if (!mul_fits(sb->mem_mib, s->cores, &s->mem_mib))
            return too_large(err, fname, "--mem-per-cpu times the CPUs of a task");
        break;
    case SW_SBATCH_MEM_GPU:
        if (s->gpu_milli) {
            int64_t milli_mib;
            if (!mul_fits(sb->mem_mib, s->gpu_milli, &milli_mib))
                return too_large(err, fname, "--mem-per-gpu times the GPUs of a task");
            s->mem_mib = ceil_div(milli_mib, 1000);
        } else
            WARN("%s: --mem-per-gpu without GPUs: no memory is asked for", fname);
        break;
    }

    /* an array: one task per index, each with one element's resources */
    s->tasks = s->n;
    s->gang = s->n > 1 || s->nodes > 1;
    if (sb->array) {
        if (s->n > 1) {
            if (!mul_fits(s->cores, s->n, &s->cores) || !mul_fits(s->mem_mib, s->n, &s->mem_mib) ||
                !mul_fits(s->gpu_milli, s->n, &s->gpu_milli))
                return too_large(err, fname, "--array with the resources of all the tasks of an "
                                             "element");
            WARN("%s: --array with %" PRId64 " tasks per element: suanwang runs each element as "
                 "one task with the resources of all %" PRId64 " (%" PRId64 " cores)", fname,
                 s->n, s->n, s->cores);
        }
        if (arr->limit)
            WARN("%s: --array=%s: the limit %%%" PRId64 " (at most %" PRId64 " elements at once) "
                 "is not supported; all may run at once", fname, sb->array, arr->limit,
                 arr->limit);
        s->tasks = (int64_t)arr->n;
        s->gang = false;
    }
    if (s->gpu_milli > 1000 && s->gpu_milli % 1000) {
        int64_t up = ceil_div(s->gpu_milli, 1000);
        WARN("%s: %.3f GPUs per task is not a whole number: %" PRId64 " are asked for", fname,
             (double)s->gpu_milli / 1000, up);
        s->gpu_milli = up * 1000;
    }
    return 0;
}

/* A Slurm gres type as a catalog model name: "a100" -> "A100" where the
 * built-in catalog has it under another case; else as written. */
static void model_name(const char *type, char *out, size_t n)
{
    struct sw_catalog cat;
    snprintf(out, n, "%s", type);
    if (sw_catalog_builtin(&cat) < 0)
        return;
    for (size_t i = 0; i < cat.n; i++)
        if (!strcasecmp(cat.models[i].name, type)) {
            snprintf(out, n, "%s", cat.models[i].name);
            break;
        }
    sw_catalog_free(&cat);
}

static void env_int(json_t *env, const char *k, int64_t v)
{
    char buf[32];
    snprintf(buf, sizeof(buf), "%" PRId64, v);
    json_object_set_new(env, k, json_string(buf));
}

/* Slurm's variables known at submit, and what the agent needs. */
static json_t *env_json(const struct sw_sbatch *sb, const struct shape *s,
                        const struct sw_sbatch_array *arr, const char *name)
{
    json_t *env = json_object();
    if (!env)
        return NULL;
    json_object_set_new(env, "SLURM_JOB_NAME", json_string(name));
    if (sb->ntasks || sb->nodes_min) {
        env_int(env, "SLURM_NTASKS", s->n);
        env_int(env, "SLURM_NPROCS", s->n);
    }
    if (sb->nodes_min) {
        env_int(env, "SLURM_JOB_NUM_NODES", s->nodes);
        env_int(env, "SLURM_NNODES", s->nodes);
    }
    if (sb->ntasks_per_node)
        env_int(env, "SLURM_NTASKS_PER_NODE", sb->ntasks_per_node);
    if (sb->cpus_per_task)
        env_int(env, "SLURM_CPUS_PER_TASK", sb->cpus_per_task);
    static const char *const mem_var[] = {
        [SW_SBATCH_MEM_NODE] = "SLURM_MEM_PER_NODE",
        [SW_SBATCH_MEM_CPU] = "SLURM_MEM_PER_CPU",
        [SW_SBATCH_MEM_GPU] = "SLURM_MEM_PER_GPU",
    };
    if (sb->mem_kind != SW_SBATCH_MEM_NONE)
        env_int(env, mem_var[sb->mem_kind], sb->mem_mib);
    if (sb->array) {
        json_object_set_new(env, "SBATCH_ARRAY_INX", json_string(sb->array));
        env_int(env, "SLURM_ARRAY_TASK_COUNT", (int64_t)arr->n);
        env_int(env, "SLURM_ARRAY_TASK_MIN", arr->idx[0]);
        env_int(env, "SLURM_ARRAY_TASK_MAX", arr->idx[arr->n - 1]);
    }
    if (sb->output)
        json_object_set_new(env, "SBATCH_OUTPUT", json_string(sb->output));
    if (sb->error)
        json_object_set_new(env, "SBATCH_ERROR", json_string(sb->error));
    return env;
}

/* The job object; -1 on ENOMEM (warnings, which name the file `fname`). */
static int to_json(struct sw_sbatch *sb, const struct shape *s, const char *name,
                   const char *fname, const char *script, json_t *job)
{
    json_object_set_new(job, "name", json_string(name));
    json_object_set_new(job, "script", json_string(script));
    json_object_set_new(job, "tasks", json_integer(s->tasks));
    json_object_set_new(job, "gang", json_boolean(s->gang));
    json_t *res = json_pack("{s:I}", "cores", (json_int_t)s->cores);
    if (res && s->mem_mib)
        json_object_set_new(res, "mem_mib", json_integer(s->mem_mib));
    if (res && s->gpu_milli) {
        json_t *count = s->gpu_milli % 1000 ? json_real((double)s->gpu_milli / 1000)
                                            : json_integer(s->gpu_milli / 1000);
        if (sb->gpu_type[0]) {
            char model[SW_NAME_MAX];
            model_name(sb->gpu_type, model, sizeof(model));
            json_object_set_new(res, "gpus", json_pack("{s:o,s:s}", "count", count, "model",
                                                       model));
        } else {
            json_object_set_new(res, "gpus", count);
        }
    }
    json_object_set_new(job, "resources", res);

    /* Slurm counts whole minutes, rounding seconds up */
    if (sb->time_set && sb->time_unlimited) {
        WARN("%s: --time: no time limit (0 or UNLIMITED) is not supported: suanwang jobs always "
             "have one; the longest, 366 days, is used", fname);
        json_object_set_new(job, "walltime", json_integer(SW_JOB_WALLTIME_MAX));
    } else if (sb->time_set) {
        json_object_set_new(job, "walltime", json_integer(ceil_div(sb->time_s, 60) * 60));
    }
    if (sb->qos) {
        enum sw_qos q;
        if (sw_qos_parse(sb->qos, &q) == 0)
            json_object_set_new(job, "qos", json_string(sb->qos));
        else
            WARN("%s: --qos=%s: not a suanwang QoS class (realtime, interactive, batch, spot); "
                 "batch is used", fname, sb->qos);
    }
    if (sb->chdir && sb->chdir[0] == '/')
        json_object_set_new(job, "workdir", json_string(sb->chdir));
    else if (sb->chdir)
        WARN("%s: --chdir=%s: a relative folder means nothing at the site; give an absolute "
             "path; ignored", fname, sb->chdir);
    return 0;
}

json_t *sw_sbatch_to_job(struct sw_sbatch *sb, const char *script, const char *fname,
                         sw_error_t *err)
{
    struct sw_sbatch_array arr = {0};
    struct shape s;
    json_t *job = NULL, *env = NULL;
    bool oom = false;
    if (sb->array && sw_sbatch_array_parse(sb->array, &arr, err) < 0)
        goto out_fail;
    errno = 0;
    if (shape(sb, &arr, fname, &s, err) < 0) {
        oom = errno != EINVAL;
        goto out_fail;
    }
    /* --job-name, else the script's file name (as sbatch) */
    const char *base = strrchr(fname, '/');
    const char *name = sb->job_name ? sb->job_name : base ? base + 1 : fname;
    json_t *utf8 = json_pack("[s,s]", name, script);
    json_decref(utf8);
    if (!utf8) { /* jansson takes only UTF-8 */
        errno = EINVAL;
        sw_errprintf(err, "%s: the script or its job name is not UTF-8 text", fname);
        goto out_fail;
    }
    job = json_object();
    env = job ? env_json(sb, &s, &arr, name) : NULL;
    if (!env || to_json(sb, &s, name, fname, script, job) < 0) {
        oom = true;
        goto out_fail;
    }
    json_object_set_new(job, "env", env);
    env = NULL;
    if (!sb->time_set &&
        sw__sbatch_warn(sb, "%s: no --time: the job gets suanwang's default time limit of 1 hour",
                        fname) < 0) {
        oom = true;
        goto out_fail;
    }
    sw_sbatch_array_free(&arr);
    return job;
out_fail:
    if (oom) {
        errno = ENOMEM;
        sw_errprintf(err, "out of memory");
    }
    sw_sbatch_array_free(&arr);
    json_decref(job);
    json_decref(env);
    return NULL;
}

/* ---- output patterns ----------------------------------------------------------------- */

int sw_sbatch_expand(const char *pattern, uint64_t job_id, int64_t array_index,
                     const char *name, const char *user, const char *site, char *out, size_t n)
{
    size_t o = 0;
    if (n == 0) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (const char *p = pattern; *p; p++) {
        char piece[600] = {*p, '\0'};
        if (*p == '%' && p[1]) {
            const char *q = p + 1;
            int width = 0;
            while (*q >= '0' && *q <= '9' && width < 10)
                width = width * 10 + (*q++ - '0');
            switch (*q) {
            case '%': snprintf(piece, sizeof(piece), "%%"); break;
            case 'j': case 'J': case 'A':
                snprintf(piece, sizeof(piece), "%0*" PRIu64, width, job_id);
                break;
            case 'a': /* 4294967294: Slurm's "no array index" */
                snprintf(piece, sizeof(piece), "%0*" PRId64, width,
                         array_index >= 0 ? array_index : (int64_t)4294967294);
                break;
            case 'n': case 't': case 's': snprintf(piece, sizeof(piece), "%0*d", width, 0); break;
            case 'x': snprintf(piece, sizeof(piece), "%s", name ? name : ""); break;
            case 'u': snprintf(piece, sizeof(piece), "%s", user ? user : ""); break;
            case 'N': snprintf(piece, sizeof(piece), "%s", site ? site : ""); break;
            default: q = p; /* not a pattern: the '%' stays as written */
            }
            p = q;
        }
        size_t len = strlen(piece);
        if (o + len >= n) {
            errno = ENAMETOOLONG;
            return -1;
        }
        memcpy(out + o, piece, len);
        o += len;
    }
    out[o] = '\0';
    return 0;
}
