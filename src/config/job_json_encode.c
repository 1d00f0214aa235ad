/* job_json_encode.c — a struct sw_jobspec as JSON in the job format
 * (docs/jobs.md), for the API and for writing JSON lines.
 *
 * The output is canonical — durations in seconds, sizes in MB, memory in
 * GiB when whole and MiB otherwise, a latency circle as an object, site
 * kinds as an allow list — and leaves out what equals the default, except
 * the fields a reader always wants to see (name, tasks, gang, walltime,
 * qos, preemptible, objective, retries). sw_jobspec_from_json() reads it
 * back to an equal spec.
 */
#include "config/job_json.h"

#include <string.h>

#include "config/job_json_int.h"

/* Add `v` under `key` (taking the reference; NULL fails). Returns 0 or -1. */
static int put(json_t *o, const char *key, json_t *v)
{
    return json_object_set_new(o, key, v);
}

static int put_str(json_t *o, const char *key, const char *s)
{
    return s[0] ? put(o, key, json_string(s)) : 0;
}

static int put_int(json_t *o, const char *key, int64_t x)
{
    return put(o, key, json_integer(x));
}

static json_t *strv_array(char *const *v)
{
    json_t *a = json_array();
    for (size_t i = 0; a && v[i]; i++)
        if (json_array_append_new(a, json_string(v[i])) != 0) {
            json_decref(a);
            return NULL;
        }
    return a;
}

static json_t *env_object(char *const *env)
{
    json_t *o = json_object();
    for (size_t i = 0; o && env[i]; i++) {
        const char *eq = strchr(env[i], '=');
        size_t klen = eq ? (size_t)(eq - env[i]) : strlen(env[i]);
        if (json_object_setn_new(o, env[i], klen, json_string(eq ? eq + 1 : "")) != 0) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}

static json_t *names_array(const struct sw_namelist *l)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < l->n; i++)
        if (json_array_append_new(a, json_string(l->names[i])) != 0) {
            json_decref(a);
            return NULL;
        }
    return a;
}

/* "count" as an integer when whole, else a fraction. */
static json_t *gpu_count(int64_t milli)
{
    if (milli % SW_MILLI == 0)
        return json_integer(milli / SW_MILLI);
    return json_real((double)milli / SW_MILLI);
}

static json_t *gpus_object(const struct sw_accel_req *a)
{
    json_t *g = json_object();
    int rc = g ? 0 : -1;
    if (rc == 0 && a->compute_tflops > 0)
        rc = put(g, "compute_tflops", json_real(a->compute_tflops));
    else if (rc == 0)
        rc = put(g, "count", gpu_count(a->count_milli));
    if (rc == 0 && a->models.n == 1)
        rc = put(g, "model", json_string(a->models.names[0]));
    else if (rc == 0 && a->models.n > 1)
        rc = put(g, "model", names_array(&a->models));
    if (rc == 0 && a->min_mem_gib > 0)
        rc = put_int(g, "min_mem_gib", a->min_mem_gib);
    if (rc == 0 && a->equivalent)
        rc = put(g, "equivalent", json_true());
    if (rc == 0)
        rc = put_str(g, "ref_model", a->ref_model);
    if (rc == 0)
        rc = put_str(g, "workload_class", a->workload_class);
    if (rc != 0) {
        json_decref(g);
        return NULL;
    }
    return g;
}

static json_t *resources_object(const struct sw_jobspec *js)
{
    json_t *r = json_object();
    int rc = r ? put_int(r, "cores", js->cores) : -1;
    if (rc == 0 && js->mem_mib > 0 && js->mem_mib % 1024 == 0)
        rc = put_int(r, "mem_gib", js->mem_mib / 1024);
    else if (rc == 0 && js->mem_mib > 0)
        rc = put_int(r, "mem_mib", js->mem_mib);
    if (rc == 0 && (js->accel.count_milli > 0 || js->accel.compute_tflops > 0))
        rc = put(r, "gpus", gpus_object(&js->accel));
    if (rc != 0) {
        json_decref(r);
        return NULL;
    }
    return r;
}

static json_t *near_object(const struct sw_jobspec *js)
{
    json_t *n = json_object();
    if (!n || put(n, "region", json_string(js->near_region)) != 0 ||
        put(n, "max_ms", json_real(js->max_latency_ms)) != 0) {
        json_decref(n);
        return NULL;
    }
    return n;
}

static json_t *input_object(const struct sw_data_input *in)
{
    json_t *o = json_object();
    if (!o || put(o, "name", json_string(in->name)) != 0 ||
        put_int(o, "size_mb", in->size_mb) != 0 || put(o, "region", json_string(in->region)) != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *data_object(const struct sw_jobspec *js)
{
    json_t *d = json_object();
    json_t *inputs = json_array();
    int rc = d && inputs ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < js->ninputs; i++)
        rc = json_array_append_new(inputs, input_object(&js->inputs[i]));
    if (rc == 0 && js->ninputs > 0) {
        rc = put(d, "inputs", inputs);
        inputs = NULL;
    }
    if (rc == 0)
        rc = put_str(d, "output_region", js->output_region);
    json_decref(inputs);
    if (rc != 0) {
        json_decref(d);
        return NULL;
    }
    return d;
}

/* {"allow": [...], "forbid": [...]}, or NULL in *out when both are empty. */
static int lists_object(const struct sw_namelist *allow, const struct sw_namelist *forbid,
                        json_t **out)
{
    *out = NULL;
    if (allow->n == 0 && forbid->n == 0)
        return 0;
    json_t *o = json_object();
    int rc = o ? 0 : -1;
    if (rc == 0 && allow->n > 0)
        rc = put(o, "allow", names_array(allow));
    if (rc == 0 && forbid->n > 0)
        rc = put(o, "forbid", names_array(forbid));
    if (rc != 0) {
        json_decref(o);
        return -1;
    }
    *out = o;
    return 0;
}

static json_t *kinds_object(uint32_t mask)
{
    json_t *o = json_object();
    json_t *a = json_array();
    int rc = o && a ? 0 : -1;
    for (size_t k = 0; rc == 0 && k < SW__SITE_KINDS; k++)
        if (mask & (1u << k))
            rc = json_array_append_new(a, json_string(sw__site_kind_names[k]));
    if (rc == 0) {
        rc = put(o, "allow", a);
        a = NULL;
    }
    json_decref(a);
    if (rc != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *placement_object(const struct sw_jobspec *js)
{
    json_t *p = json_object(), *l;
    int rc = p ? 0 : -1;
    if (rc == 0 && (rc = lists_object(&js->allow_regions, &js->forbid_regions, &l)) == 0 && l)
        rc = put(p, "regions", l);
    if (rc == 0 && (rc = lists_object(&js->allow_sites, &js->forbid_sites, &l)) == 0 && l)
        rc = put(p, "sites", l);
    if (rc == 0 && (rc = lists_object(&js->allow_providers, &js->forbid_providers, &l)) == 0 && l)
        rc = put(p, "providers", l);
    if (rc == 0 && js->site_kinds != 0)
        rc = put(p, "kinds", kinds_object(js->site_kinds));
    if (rc != 0) {
        json_decref(p);
        return NULL;
    }
    return p;
}

static int put_identity(json_t *o, const struct sw_jobspec *js)
{
    int rc = 0;
    if (js->id > 0)
        rc = put_int(o, "id", (int64_t)js->id);
    if (rc == 0)
        rc = put(o, "name", json_string(js->name));
    if (rc == 0)
        rc = put_str(o, "tenant", js->tenant);
    if (rc == 0 && js->user > 0)
        rc = put_int(o, "user", js->user);
    if (rc == 0)
        rc = put_str(o, "idempotency_key", js->idempotency_key);
    return rc;
}

static int put_program(json_t *o, const struct sw_jobspec *js)
{
    int rc = 0;
    if (js->argv)
        rc = put(o, "command", strv_array(js->argv));
    if (rc == 0 && js->script)
        rc = put(o, "script", json_string(js->script));
    if (rc == 0 && js->env && js->env[0])
        rc = put(o, "env", env_object(js->env));
    if (rc == 0)
        rc = put_str(o, "workdir", js->workdir);
    return rc;
}

static int put_shape_and_time(json_t *o, const struct sw_jobspec *js)
{
    int rc = put_int(o, "tasks", js->tasks);
    if (rc == 0)
        rc = put(o, "gang", json_boolean(js->gang));
    if (rc == 0)
        rc = put(o, "resources", resources_object(js));
    if (rc == 0)
        rc = put_int(o, "walltime", js->walltime_s);
    if (rc == 0 && js->runtime_estimate_s > 0)
        rc = put_int(o, "runtime_estimate", js->runtime_estimate_s);
    if (rc == 0 && js->runtime_s > 0)
        rc = put_int(o, "runtime", js->runtime_s);
    if (rc == 0 && js->submit != 0)
        rc = put_int(o, "submit", js->submit);
    if (rc == 0 && js->deadline >= 0)
        rc = put_int(o, "deadline", js->deadline);
    return rc;
}

static int put_policy(json_t *o, const struct sw_jobspec *js)
{
    int rc = put(o, "qos", json_string(sw_qos_name(js->qos)));
    if (rc == 0)
        rc = put(o, "preemptible", json_boolean(js->preemptible));
    if (rc == 0 && js->near_region[0])
        rc = put(o, "near", near_object(js));
    if (rc == 0 && (js->ninputs > 0 || js->output_region[0]))
        rc = put(o, "data", data_object(js));
    if (rc == 0) {
        json_t *p = placement_object(js);
        if (!p)
            rc = -1;
        else if (json_object_size(p) == 0)
            json_decref(p);
        else
            rc = put(o, "placement", p);
    }
    if (rc == 0)
        rc = put(o, "objective", json_string(sw_objective_name(js->objective)));
    if (rc == 0 && js->budget_fen >= 0)
        rc = put_int(o, "budget_fen", js->budget_fen);
    if (rc == 0 && js->max_price_fen >= 0)
        rc = put_int(o, "max_price_fen", js->max_price_fen);
    if (rc == 0)
        rc = put_int(o, "retries", js->retries);
    return rc;
}

json_t *sw_jobspec_to_json(const struct sw_jobspec *js)
{
    json_t *o = json_object();
    if (!o || put_identity(o, js) != 0 || put_program(o, js) != 0 ||
        put_shape_and_time(o, js) != 0 || put_policy(o, js) != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}
