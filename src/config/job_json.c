/* job_json.c — decoding of the JSON job format (docs/jobs.md) into a
 * struct sw_jobspec.
 *
 * Each JSON object of the format has a table of its fields; walking an
 * object calls each field's handler, which checks type and range (with the
 * getters of json_read.h) and writes the spec, and refuses unknown fields
 * with a "did you mean". The checks
 * that involve several fields run at the end. Every message starts with the
 * path of the field it is about ("resources.gpus.count: ..."), and a failed
 * decode leaves the caller's spec zeroed: the work happens on a private copy.
 */
#include "config/job_json.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/job_json_int.h"
#include "config/json_read.h"

#define PATH_LEN SW__JR_PATH_LEN
#define TIME_MAX ((int64_t)100000000000) /* absolute times: well past any Unix time */
#define MEM_GIB_MAX 1048576              /* 1 PiB per task */
#define MEM_MIB_MAX ((int64_t)MEM_GIB_MAX * 1024)
#define MIN_MEM_GIB_MAX 100000
#define TFLOPS_MAX 10000000.0
#define BUDGET_MAX ((int64_t)1000000000000000) /* 10^13 yuan */
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

const char *const sw__site_kind_names[SW__SITE_KINDS] = {
    [SW_SITE_HPC] = "hpc",
    [SW_SITE_AI] = "ai",
    [SW_SITE_CLOUD] = "cloud",
};

/* The state of one decode: the spec being filled and what has been seen,
 * for the checks across fields. */
struct jdec {
    struct sw_jobspec *js;
    sw_error_t *err;
    bool has_name, has_command, has_script, has_preemptible, has_walltime;
    bool has_gpu_count, has_gpu_tflops;
    bool has_near_region, has_near_ms;
    struct sw_data_input *input; /* the data input being decoded */
    bool has_in_name, has_in_size, has_in_region;
    struct sw_namelist *allow, *forbid; /* the placement lists being decoded */
    uint32_t kinds_allow, kinds_forbid;
};

typedef int (*field_f)(struct jdec *d, const json_t *v, const char *path);

struct field {
    const char *name;
    field_f decode;
};

/* Top-level names that belong elsewhere, or that Slurm and Kubernetes
 * users reach for. */
static const struct {
    const char *name, *hint;
} misplaced[] = {
    {"cores", "resources.cores"},
    {"mem_gib", "resources.mem_gib"},
    {"mem_mib", "resources.mem_mib"},
    {"mem", "resources.mem_gib"},
    {"memory", "resources.mem_gib"},
    {"gpus", "resources.gpus"},
    {"gpu", "resources.gpus"},
    {"gres", "resources.gpus"},
    {"cpus_per_task", "resources.cores"},
    {"cpus-per-task", "resources.cores"},
    {"ntasks", "tasks"},
    {"time", "walltime"},
    {"time_limit", "walltime"},
    {"job_name", "name"},
    {"job-name", "name"},
    {"args", "command"},
    {"argv", "command"},
    {"cmd", "command"},
    {"environment", "env"},
    {"cwd", "workdir"},
    {"chdir", "workdir"},
    {"working_dir", "workdir"},
    {"workingDir", "workdir"},
    {"max_retries", "retries"},
    {"backoffLimit", "retries"},
    {"regions", "placement.regions"},
    {"sites", "placement.sites"},
    {"providers", "placement.providers"},
    {"kinds", "placement.kinds"},
    {"inputs", "data.inputs"},
    {"output_region", "data.output_region"},
    {"max_ms", "near.max_ms"},
    {"latency", "near"},
    {"region", "near.region"},
    {"begin", "submit"},
    {"priority", "qos"},
};

static int unknown_field(struct jdec *d, const char *path, const char *parent, const char *key,
                         const struct field *tab, size_t n)
{
    const char *names[40];
    size_t nn = n < NELEM(names) ? n : NELEM(names);
    for (size_t i = 0; i < nn; i++)
        names[i] = tab[i].name;
    const char *hint = NULL;
    for (size_t i = 0; !parent[0] && i < NELEM(misplaced) && !hint; i++)
        if (strcmp(key, misplaced[i].name) == 0)
            hint = misplaced[i].hint;
    if (!hint)
        hint = sw__jr_closest(key, names, nn);
    if (hint)
        return sw__jr_fail(d->err, path, "unknown field (did you mean \"%s\"?)", hint);
    if (n > 8)
        return sw__jr_fail(d->err, path, "unknown field (the fields are listed in docs/jobs.md)");
    char list[200] = "";
    size_t len = 0;
    for (size_t i = 0; i < n && len < sizeof(list); i++)
        len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s", i ? ", " : "", tab[i].name);
    return sw__jr_fail(d->err, path, "unknown field (known here: %s)", list);
}

/* ---- objects ---------------------------------------------------------- */

static int decode_object(struct jdec *d, const json_t *obj, const char *path,
                         const struct field *tab, size_t n)
{
    const char *key;
    size_t key_len;
    json_t *v;
    if (!json_is_object(obj))
        return sw__jr_type_error(d->err, path, "an object", obj);
    json_object_keylen_foreach((json_t *)obj, key, key_len, v) {
        char sub[PATH_LEN];
        sw__jr_path_join(sub, path, key);
        if (key_len != strlen(key))
            return sw__jr_fail(d->err, sub, "field name contains a NUL character");
        const struct field *f = NULL;
        for (size_t i = 0; i < n && !f; i++)
            if (strcmp(tab[i].name, key) == 0)
                f = &tab[i];
        if (!f)
            return unknown_field(d, sub, path, key, tab, n);
        if (f->decode(d, v, sub) != 0)
            return -1;
    }
    return 0;
}

/* ---- what to run ----------------------------------------------------- */

static int f_command(struct jdec *d, const json_t *v, const char *path)
{
    if (json_is_string(v))
        return sw__jr_fail(d->err, path,
                           "expected an array of strings such as [\"python\", \"train.py\"], "
                           "got a string (a command never goes through a shell: give each "
                           "argument its own string, or use \"script\")");
    if (!json_is_array(v))
        return sw__jr_type_error(d->err, path, "an array of strings", v);
    size_t n = json_array_size(v);
    if (n == 0)
        return sw__jr_fail(d->err, path, "must not be empty (give the program and its arguments)");
    if (n > SW_JOB_ARGV_MAX)
        return sw__jr_fail(d->err, path, "has %zu entries, at most %d", n, SW_JOB_ARGV_MAX);
    d->js->argv = calloc(n + 1, sizeof(char *));
    if (!d->js->argv)
        return sw__jr_nomem(d->err, path);
    d->has_command = true;
    for (size_t i = 0; i < n; i++) {
        char sub[PATH_LEN];
        const char *s;
        size_t len;
        sw__jr_path_index(sub, path, i);
        if (sw__jr_string(d->err, json_array_get(v, i), sub, SW_JOB_ARG_MAX, &s, &len) != 0)
            return -1;
        if (i == 0 && len == 0)
            return sw__jr_fail(d->err, sub, "must not be empty (the program to run)");
        d->js->argv[i] = strndup(s, len);
        if (!d->js->argv[i])
            return sw__jr_nomem(d->err, sub);
    }
    return 0;
}

static int f_script(struct jdec *d, const json_t *v, const char *path)
{
    const char *s;
    size_t n;
    if (sw__jr_string(d->err, v, path, SW_JOB_SCRIPT_MAX, &s, &n) != 0)
        return -1;
    if (n < 3 || memcmp(s, "#!", 2) != 0)
        return sw__jr_fail(d->err, path,
                           "must start with an interpreter line such as \"#!/bin/bash\"");
    d->js->script = strndup(s, n);
    if (!d->js->script)
        return sw__jr_nomem(d->err, path);
    d->has_script = true;
    return 0;
}

static bool env_name_ok(const char *s)
{
    if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
        return false;
    for (s++; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_' ||
              (*s >= '0' && *s <= '9')))
            return false;
    return true;
}

/* One "K=V" entry of env. */
static int env_entry(struct jdec *d, const char *key, const json_t *v, const char *path, char **out)
{
    const char *s;
    size_t n, klen = strlen(key);
    if (!env_name_ok(key))
        return sw__jr_fail(d->err, path,
                           "not a valid variable name (letters, digits and _, not starting "
                           "with a digit)");
    if (strncmp(key, "SUANWANG_", 9) == 0)
        return sw__jr_fail(d->err, path,
                           "names starting with SUANWANG_ are reserved (the agent sets them)");
    if (sw__jr_string(d->err, v, path, SW_JOB_ARG_MAX, &s, &n) != 0)
        return -1;
    if (klen + 1 + n > SW_JOB_ARG_MAX)
        return sw__jr_fail(d->err, path, "is too long (%zu bytes as NAME=VALUE, at most %zu)",
                           klen + 1 + n, SW_JOB_ARG_MAX);
    *out = malloc(klen + 1 + n + 1);
    if (!*out)
        return sw__jr_nomem(d->err, path);
    memcpy(*out, key, klen);
    (*out)[klen] = '=';
    memcpy(*out + klen + 1, s, n);
    (*out)[klen + 1 + n] = '\0';
    return 0;
}

static int f_env(struct jdec *d, const json_t *v, const char *path)
{
    const char *key;
    size_t key_len, i = 0;
    json_t *val;
    if (!json_is_object(v))
        return sw__jr_type_error(d->err, path,
                                 "an object of strings such as {\"OMP_NUM_THREADS\": \"8\"}", v);
    size_t n = json_object_size(v);
    if (n > SW_JOB_ENV_MAX)
        return sw__jr_fail(d->err, path, "has %zu variables, at most %d", n, SW_JOB_ENV_MAX);
    if (n == 0)
        return 0;
    d->js->env = calloc(n + 1, sizeof(char *));
    if (!d->js->env)
        return sw__jr_nomem(d->err, path);
    json_object_keylen_foreach((json_t *)v, key, key_len, val) {
        char sub[PATH_LEN];
        sw__jr_path_join(sub, path, key);
        if (key_len != strlen(key))
            return sw__jr_fail(d->err, sub, "variable name contains a NUL character");
        if (env_entry(d, key, val, sub, &d->js->env[i++]) != 0)
            return -1;
    }
    return 0;
}

static int f_workdir(struct jdec *d, const json_t *v, const char *path)
{
    if (sw__jr_name(d->err, v, path, d->js->workdir, sizeof(d->js->workdir)) != 0)
        return -1;
    if (d->js->workdir[0] != '/')
        return sw__jr_fail(d->err, path, "must be an absolute path (starting with /)");
    return 0;
}

/* ---- identity -------------------------------------------------------- */

static int f_id(struct jdec *d, const json_t *v, const char *path)
{
    int64_t x;
    if (sw__jr_int(d->err, v, path, 1, INT64_MAX, &x) != 0)
        return -1;
    d->js->id = (uint64_t)x;
    return 0;
}

static int f_name(struct jdec *d, const json_t *v, const char *path)
{
    d->has_name = true;
    return sw__jr_name(d->err, v, path, d->js->name, sizeof(d->js->name));
}

static int f_tenant(struct jdec *d, const json_t *v, const char *path)
{
    return sw__jr_name(d->err, v, path, d->js->tenant, sizeof(d->js->tenant));
}

static int f_user(struct jdec *d, const json_t *v, const char *path)
{
    int64_t x;
    if (sw__jr_int(d->err, v, path, 0, UINT32_MAX, &x) != 0)
        return -1;
    d->js->user = (uint32_t)x;
    return 0;
}

static int f_idempotency_key(struct jdec *d, const json_t *v, const char *path)
{
    return sw__jr_name(d->err, v, path, d->js->idempotency_key, sizeof(d->js->idempotency_key));
}

/* ---- shape and resources --------------------------------------------- */

static int f_tasks(struct jdec *d, const json_t *v, const char *path)
{
    return sw__jr_int(d->err, v, path, 1, SW_JOB_TASKS_MAX, &d->js->tasks);
}

static int f_gang(struct jdec *d, const json_t *v, const char *path)
{
    return sw__jr_bool(d->err, v, path, &d->js->gang);
}

static int f_cores(struct jdec *d, const json_t *v, const char *path)
{
    return sw__jr_int(d->err, v, path, 1, SW_JOB_CORES_MAX, &d->js->cores);
}

static int f_mem_gib(struct jdec *d, const json_t *v, const char *path)
{
    double x;
    if (d->js->mem_mib)
        return sw__jr_fail(d->err, path, "give mem_gib or mem_mib, not both");
    if (sw__jr_positive(d->err, v, path, MEM_GIB_MAX, &x) != 0)
        return -1;
    d->js->mem_mib = (int64_t)ceil(x * 1024);
    return 0;
}

static int f_mem_mib(struct jdec *d, const json_t *v, const char *path)
{
    if (d->js->mem_mib)
        return sw__jr_fail(d->err, path, "give mem_gib or mem_mib, not both");
    return sw__jr_int(d->err, v, path, 1, MEM_MIB_MAX, &d->js->mem_mib);
}

static int f_gpu_count(struct jdec *d, const json_t *v, const char *path)
{
    double x;
    if (json_is_number(v) && !(json_number_value(v) > 0))
        return sw__jr_fail(d->err, path,
                           "must be > 0, got %.15g (leave resources.gpus out for none)",
                           json_number_value(v));
    if (sw__jr_positive(d->err, v, path, SW_JOB_GPUS_MAX, &x) != 0)
        return -1;
    int64_t milli = (int64_t)llround(x * SW_MILLI);
    if (fabs(x * SW_MILLI - (double)milli) > 1e-6 || milli == 0)
        return sw__jr_fail(d->err, path, "must be a multiple of 0.001 devices, got %.15g", x);
    if (milli > SW_MILLI && milli % SW_MILLI != 0)
        return sw__jr_fail(d->err, path,
                           "a share of a device must be below 1; above that, count whole "
                           "devices (got %.15g)",
                           x);
    d->js->accel.count_milli = milli;
    d->has_gpu_count = true;
    return 0;
}

static int f_gpu_model(struct jdec *d, const json_t *v, const char *path)
{
    return sw__jr_namelist(d->err, v, path, true, &d->js->accel.models);
}

static int f_gpu_min_mem(struct jdec *d, const json_t *v, const char *path)
{
    return sw__jr_int(d->err, v, path, 1, MIN_MEM_GIB_MAX, &d->js->accel.min_mem_gib);
}

static int f_gpu_equivalent(struct jdec *d, const json_t *v, const char *path)
{
    return sw__jr_bool(d->err, v, path, &d->js->accel.equivalent);
}

static int f_gpu_tflops(struct jdec *d, const json_t *v, const char *path)
{
    d->has_gpu_tflops = true;
    return sw__jr_positive(d->err, v, path, TFLOPS_MAX, &d->js->accel.compute_tflops);
}

static int f_gpu_ref_model(struct jdec *d, const json_t *v, const char *path)
{
    return sw__jr_name(d->err, v, path, d->js->accel.ref_model, SW_NAME_MAX);
}

static int f_gpu_class(struct jdec *d, const json_t *v, const char *path)
{
    return sw__jr_name(d->err, v, path, d->js->accel.workload_class, SW_NAME_MAX);
}

static const struct field gpu_fields[] = {
    {"count", f_gpu_count},           {"model", f_gpu_model},
    {"min_mem_gib", f_gpu_min_mem},   {"equivalent", f_gpu_equivalent},
    {"compute_tflops", f_gpu_tflops}, {"ref_model", f_gpu_ref_model},
    {"workload_class", f_gpu_class},
};

static int f_gpus(struct jdec *d, const json_t *v, const char *path)
{
    if (json_is_number(v))
        return f_gpu_count(d, v, path);
    if (!json_is_object(v))
        return sw__jr_type_error(d->err, path,
                                 "a number of devices or an object such as {\"count\": 8}", v);
    if (decode_object(d, v, path, gpu_fields, NELEM(gpu_fields)) != 0)
        return -1;
    if (d->has_gpu_count && d->has_gpu_tflops)
        return sw__jr_fail(d->err, path, "give count or compute_tflops, not both");
    if (!d->has_gpu_count)
        d->js->accel.count_milli = SW_MILLI; /* one device; with compute_tflops, a placeholder */
    return 0;
}

static const struct field resource_fields[] = {
    {"cores", f_cores},
    {"mem_gib", f_mem_gib},
    {"mem_mib", f_mem_mib},
    {"gpus", f_gpus},
};

static int f_resources(struct jdec *d, const json_t *v, const char *path)
{
    return decode_object(d, v, path, resource_fields, NELEM(resource_fields));
}

/* ---- time ------------------------------------------------------------ */

static int f_walltime(struct jdec *d, const json_t *v, const char *path)
{
    d->has_walltime = true;
    return sw__jr_duration(d->err, v, path, 1, SW_JOB_WALLTIME_MAX, &d->js->walltime_s);
}

static int f_runtime_estimate(struct jdec *d, const json_t *v, const char *path)
{
    return sw__jr_duration(d->err, v, path, 1, SW_JOB_WALLTIME_MAX, &d->js->runtime_estimate_s);
}

static int f_runtime(struct jdec *d, const json_t *v, const char *path)
{
    return sw__jr_duration(d->err, v, path, 1, SW_JOB_WALLTIME_MAX, &d->js->runtime_s);
}

static int f_submit(struct jdec *d, const json_t *v, const char *path)
{
    return sw__jr_duration(d->err, v, path, 0, TIME_MAX, &d->js->submit);
}

static int f_deadline(struct jdec *d, const json_t *v, const char *path)
{
    if (json_is_string(v))
        return sw__jr_fail(d->err, path,
                           "expected an absolute time in seconds (the clock of submit), got a "
                           "string");
    return sw__jr_int(d->err, v, path, 0, TIME_MAX, &d->js->deadline);
}

/* ---- placement ------------------------------------------------------- */

static int f_qos(struct jdec *d, const json_t *v, const char *path)
{
    static const char *const names[] = {"realtime", "interactive", "batch", "spot"};
    const char *s;
    size_t n;
    if (sw__jr_string(d->err, v, path, 64, &s, &n) != 0)
        return -1;
    if (sw_qos_parse(s, &d->js->qos) != 0)
        return sw__jr_bad_choice(d->err, path, "QoS class", s, names, NELEM(names));
    return 0;
}

static int f_objective(struct jdec *d, const json_t *v, const char *path)
{
    static const char *const names[] = {"fastest", "cheapest", "greenest", "balanced"};
    const char *s;
    size_t n;
    if (sw__jr_string(d->err, v, path, 64, &s, &n) != 0)
        return -1;
    if (sw_objective_parse(s, &d->js->objective) != 0)
        return sw__jr_bad_choice(d->err, path, "objective", s, names, NELEM(names));
    return 0;
}

static int f_preemptible(struct jdec *d, const json_t *v, const char *path)
{
    d->has_preemptible = true;
    return sw__jr_bool(d->err, v, path, &d->js->preemptible);
}

static int f_near_region(struct jdec *d, const json_t *v, const char *path)
{
    d->has_near_region = true;
    return sw__jr_name(d->err, v, path, d->js->near_region, SW_NAME_MAX);
}

static int f_near_ms(struct jdec *d, const json_t *v, const char *path)
{
    d->has_near_ms = true;
    return sw__jr_positive(d->err, v, path, SW_LATENCY_MAX_MS, &d->js->max_latency_ms);
}

static const struct field near_fields[] = {
    {"region", f_near_region},
    {"max_ms", f_near_ms},
};

static int f_near(struct jdec *d, const json_t *v, const char *path)
{
    char sub[PATH_LEN];
    if (json_is_string(v)) {
        const char *s;
        size_t n;
        if (sw__jr_string(d->err, v, path, 128, &s, &n) != 0)
            return -1;
        if (sw_near_parse(s, d->js->near_region, &d->js->max_latency_ms, d->err) != 0) {
            errno = EINVAL;
            return sw_errprefix(d->err, "%s: ", path);
        }
        return 0;
    }
    if (!json_is_object(v))
        return sw__jr_type_error(d->err, path,
                                 "an object {\"region\": ..., \"max_ms\": ...} or a string "
                                 "such as \"guangzhou:3ms\"",
                                 v);
    if (decode_object(d, v, path, near_fields, NELEM(near_fields)) != 0)
        return -1;
    if (!d->has_near_region) {
        sw__jr_path_join(sub, path, "region");
        return sw__jr_fail(d->err, sub, "required (the region the latency is measured from)");
    }
    if (!d->has_near_ms) {
        sw__jr_path_join(sub, path, "max_ms");
        return sw__jr_fail(d->err, sub, "required (the radius of the latency circle, in ms)");
    }
    return 0;
}

/* ---- data ------------------------------------------------------------ */

static int f_in_name(struct jdec *d, const json_t *v, const char *path)
{
    d->has_in_name = true;
    return sw__jr_name(d->err, v, path, d->input->name, SW_NAME_MAX);
}

static int f_in_size(struct jdec *d, const json_t *v, const char *path)
{
    const char *s;
    size_t n;
    double x;
    if (d->has_in_size)
        return sw__jr_fail(d->err, path, "give size or size_mb, not both");
    d->has_in_size = true;
    if (json_is_number(v)) {
        if (sw__jr_positive(d->err, v, path, (double)SW_SIZE_MAX_MB, &x) != 0)
            return -1;
        d->input->size_mb = (int64_t)ceil(x);
        return 0;
    }
    if (!json_is_string(v))
        return sw__jr_type_error(d->err, path, "a size such as \"2TB\" or a number of MB", v);
    if (sw__jr_string(d->err, v, path, 64, &s, &n) != 0)
        return -1;
    if (sw_size_parse_mb(s, &d->input->size_mb, d->err) != 0) {
        errno = EINVAL;
        return sw_errprefix(d->err, "%s: ", path);
    }
    if (d->input->size_mb <= 0)
        return sw__jr_fail(d->err, path, "must be > 0, got \"%s\"", s);
    return 0;
}

static int f_in_size_mb(struct jdec *d, const json_t *v, const char *path)
{
    if (!json_is_number(v))
        return sw__jr_type_error(d->err, path, "a number of MB", v);
    return f_in_size(d, v, path);
}

static int f_in_region(struct jdec *d, const json_t *v, const char *path)
{
    d->has_in_region = true;
    return sw__jr_name(d->err, v, path, d->input->region, SW_NAME_MAX);
}

static const struct field input_fields[] = {
    {"name", f_in_name},
    {"size", f_in_size},
    {"size_mb", f_in_size_mb},
    {"region", f_in_region},
};

static int decode_input(struct jdec *d, const json_t *v, const char *path, size_t i)
{
    char sub[PATH_LEN], q[64];
    d->input = &d->js->inputs[i];
    d->has_in_name = d->has_in_size = d->has_in_region = false;
    if (decode_object(d, v, path, input_fields, NELEM(input_fields)) != 0)
        return -1;
    const char *missing = !d->has_in_name     ? "name"
                          : !d->has_in_size   ? "size"
                          : !d->has_in_region ? "region"
                                              : NULL;
    if (missing) {
        sw__jr_path_join(sub, path, missing);
        return sw__jr_fail(d->err, sub, "required");
    }
    for (size_t j = 0; j < i; j++)
        if (strcmp(d->js->inputs[j].name, d->input->name) == 0) {
            sw__jr_path_join(sub, path, "name");
            return sw__jr_fail(d->err, sub, "\"%s\" is already used by data.inputs[%zu]",
                               sw__jr_quote(d->input->name, q, sizeof(q)), j);
        }
    return 0;
}

static int f_inputs(struct jdec *d, const json_t *v, const char *path)
{
    if (!json_is_array(v))
        return sw__jr_type_error(d->err, path,
                                 "an array of inputs such as [{\"name\": \"corpus\", "
                                 "\"size\": \"2TB\", \"region\": \"shenzhen\"}]",
                                 v);
    size_t n = json_array_size(v);
    if (n > SW_JOB_INPUTS_MAX)
        return sw__jr_fail(d->err, path, "has %zu inputs, at most %d", n, SW_JOB_INPUTS_MAX);
    if (n == 0)
        return 0;
    d->js->inputs = calloc(n, sizeof(*d->js->inputs));
    if (!d->js->inputs)
        return sw__jr_nomem(d->err, path);
    d->js->ninputs = n;
    for (size_t i = 0; i < n; i++) {
        char sub[PATH_LEN];
        sw__jr_path_index(sub, path, i);
        if (decode_input(d, json_array_get(v, i), sub, i) != 0)
            return -1;
    }
    return 0;
}

static int f_output_region(struct jdec *d, const json_t *v, const char *path)
{
    return sw__jr_name(d->err, v, path, d->js->output_region, SW_NAME_MAX);
}

static const struct field data_fields[] = {
    {"inputs", f_inputs},
    {"output_region", f_output_region},
};

static int f_data(struct jdec *d, const json_t *v, const char *path)
{
    return decode_object(d, v, path, data_fields, NELEM(data_fields));
}

/* ---- placement lists ------------------------------------------------- */

static int f_allow(struct jdec *d, const json_t *v, const char *path)
{
    return sw__jr_namelist(d->err, v, path, false, d->allow);
}

static int f_forbid(struct jdec *d, const json_t *v, const char *path)
{
    return sw__jr_namelist(d->err, v, path, false, d->forbid);
}

static const struct field list_fields[] = {
    {"allow", f_allow},
    {"forbid", f_forbid},
};

static int decode_lists(struct jdec *d, const json_t *v, const char *path,
                        struct sw_namelist *allow, struct sw_namelist *forbid)
{
    char q[64];
    d->allow = allow;
    d->forbid = forbid;
    if (decode_object(d, v, path, list_fields, NELEM(list_fields)) != 0)
        return -1;
    for (size_t i = 0; i < allow->n; i++)
        for (size_t j = 0; j < forbid->n; j++)
            if (strcmp(allow->names[i], forbid->names[j]) == 0)
                return sw__jr_fail(d->err, path, "\"%s\" is both allowed and forbidden",
                                   sw__jr_quote(allow->names[i], q, sizeof(q)));
    return 0;
}

static int f_regions(struct jdec *d, const json_t *v, const char *path)
{
    return decode_lists(d, v, path, &d->js->allow_regions, &d->js->forbid_regions);
}

static int f_sites(struct jdec *d, const json_t *v, const char *path)
{
    return decode_lists(d, v, path, &d->js->allow_sites, &d->js->forbid_sites);
}

static int f_providers(struct jdec *d, const json_t *v, const char *path)
{
    return decode_lists(d, v, path, &d->js->allow_providers, &d->js->forbid_providers);
}

/* A list of site kinds as a bitmask. */
static int get_kinds(struct jdec *d, const json_t *v, const char *path, uint32_t *mask)
{
    struct sw_namelist list = {0};
    int rc = sw__jr_namelist(d->err, v, path, false, &list);
    for (size_t i = 0; rc == 0 && i < list.n; i++) {
        size_t k = 0;
        while (k < SW__SITE_KINDS && strcmp(list.names[i], sw__site_kind_names[k]) != 0)
            k++;
        if (k == SW__SITE_KINDS) {
            char sub[PATH_LEN];
            sw__jr_path_index(sub, path, i);
            rc = sw__jr_bad_choice(d->err, sub, "site kind", list.names[i], sw__site_kind_names,
                                   SW__SITE_KINDS);
        } else {
            *mask |= 1u << k;
        }
    }
    free(list.names);
    return rc;
}

static int f_kinds_allow(struct jdec *d, const json_t *v, const char *path)
{
    return get_kinds(d, v, path, &d->kinds_allow);
}

static int f_kinds_forbid(struct jdec *d, const json_t *v, const char *path)
{
    return get_kinds(d, v, path, &d->kinds_forbid);
}

static const struct field kinds_fields[] = {
    {"allow", f_kinds_allow},
    {"forbid", f_kinds_forbid},
};

static int f_kinds(struct jdec *d, const json_t *v, const char *path)
{
    if (decode_object(d, v, path, kinds_fields, NELEM(kinds_fields)) != 0)
        return -1;
    uint32_t both = d->kinds_allow & d->kinds_forbid;
    for (size_t k = 0; k < SW__SITE_KINDS; k++)
        if (both & (1u << k))
            return sw__jr_fail(d->err, path, "\"%s\" is both allowed and forbidden",
                               sw__site_kind_names[k]);
    uint32_t mask = (d->kinds_allow ? d->kinds_allow : SW__SITE_KINDS_ALL) & ~d->kinds_forbid;
    if (mask == 0)
        return sw__jr_fail(d->err, path, "forbids every kind of site");
    d->js->site_kinds = mask;
    return 0;
}

static const struct field placement_fields[] = {
    {"regions", f_regions},
    {"sites", f_sites},
    {"providers", f_providers},
    {"kinds", f_kinds},
};

static int f_placement(struct jdec *d, const json_t *v, const char *path)
{
    return decode_object(d, v, path, placement_fields, NELEM(placement_fields));
}

/* ---- money and policy ------------------------------------------------ */

static int f_budget(struct jdec *d, const json_t *v, const char *path)
{
    return sw__jr_money(d->err, v, path, BUDGET_MAX, &d->js->budget_fen);
}

static int f_max_price(struct jdec *d, const json_t *v, const char *path)
{
    return sw__jr_money(d->err, v, path, BUDGET_MAX, &d->js->max_price_fen);
}

static int f_retries(struct jdec *d, const json_t *v, const char *path)
{
    return sw__jr_int(d->err, v, path, 0, SW_JOB_RETRIES_MAX, &d->js->retries);
}

/* ---- the job --------------------------------------------------------- */

static const struct field job_fields[] = {
    {"id", f_id},
    {"name", f_name},
    {"tenant", f_tenant},
    {"user", f_user},
    {"idempotency_key", f_idempotency_key},
    {"command", f_command},
    {"script", f_script},
    {"env", f_env},
    {"workdir", f_workdir},
    {"tasks", f_tasks},
    {"gang", f_gang},
    {"resources", f_resources},
    {"walltime", f_walltime},
    {"runtime_estimate", f_runtime_estimate},
    {"runtime", f_runtime},
    {"submit", f_submit},
    {"deadline", f_deadline},
    {"qos", f_qos},
    {"preemptible", f_preemptible},
    {"near", f_near},
    {"data", f_data},
    {"placement", f_placement},
    {"objective", f_objective},
    {"budget_fen", f_budget},
    {"max_price_fen", f_max_price},
    {"retries", f_retries},
};

/* The rules that involve several fields. */
static int check_job(struct jdec *d)
{
    struct sw_jobspec *js = d->js;
    if (!d->has_name)
        return sw__jr_fail(d->err, "name", "required");
    if (d->has_command && d->has_script)
        return sw__jr_fail(d->err, "script", "give either command or script, not both");
    if (!d->has_command && !d->has_script)
        return sw__jr_fail(d->err, "command",
                           "required (an array such as [\"/bin/true\"]; or give "
                           "\"script\")");
    if (js->qos == SW_QOS_SPOT) {
        if (d->has_preemptible && !js->preemptible)
            return sw__jr_fail(d->err, "preemptible", "spot jobs are always preemptible");
        js->preemptible = true;
    }
    if (js->runtime_estimate_s > js->walltime_s)
        return sw__jr_fail(d->err, "runtime_estimate",
                           "must not exceed walltime (%lld s%s), got %lld s",
                           (long long)js->walltime_s, d->has_walltime ? "" : ", the default",
                           (long long)js->runtime_estimate_s);
    if (js->deadline >= 0 && js->deadline <= js->submit)
        return sw__jr_fail(d->err, "deadline", "must be after submit (%lld), got %lld",
                           (long long)js->submit, (long long)js->deadline);
    return 0;
}

int sw_jobspec_from_json(const json_t *obj, struct sw_jobspec *js, sw_error_t *err)
{
    struct sw_jobspec tmp;
    struct jdec d = {.js = &tmp, .err = err};
    char buf[80];
    sw_jobspec_init(&tmp);
    memset(js, 0, sizeof(*js));
    if (!obj || !json_is_object(obj)) {
        errno = EINVAL;
        return sw_errprintf(err, "expected a JSON object (one job), got %s",
                            obj ? sw__jr_describe(obj, buf, sizeof(buf)) : "nothing");
    }
    if (decode_object(&d, obj, "", job_fields, NELEM(job_fields)) != 0 || check_job(&d) != 0) {
        sw_jobspec_free(&tmp);
        return -1;
    }
    *js = tmp;
    return 0;
}

/* A message for text jansson refused. */
static int syntax_error(const json_error_t *je, sw_error_t *err)
{
    errno = EINVAL;
    if (json_error_code(je) == json_error_invalid_utf8)
        return sw_errprintf(err,
                            "invalid JSON at line %d, column %d: the text is not valid "
                            "UTF-8 (a job must be UTF-8 encoded)",
                            je->line, je->column);
    if (json_error_code(je) == json_error_duplicate_key)
        return sw_errprintf(err,
                            "invalid JSON at line %d, column %d: a field appears twice "
                            "(%s)",
                            je->line, je->column, je->text);
    return sw_errprintf(err, "invalid JSON at line %d, column %d: %s", je->line, je->column,
                        je->text);
}

int sw_jobspec_parse(const char *text, size_t len, struct sw_jobspec *js, sw_error_t *err)
{
    json_error_t je;
    memset(js, 0, sizeof(*js));
    if (len > SW_JOB_JSON_MAX) {
        errno = EFBIG;
        return sw_errprintf(err,
                            "the job is %zu bytes of JSON, more than the limit of %zu "
                            "(1 MiB)",
                            len, SW_JOB_JSON_MAX);
    }
    json_t *obj = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
    if (!obj)
        return syntax_error(&je, err);
    int rc = sw_jobspec_from_json(obj, js, err);
    json_decref(obj);
    return rc;
}
