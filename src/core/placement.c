/* placement.c — resolve a job against the network, filter the pools,
 * estimate and score the feasible ones (see placement.h).
 */
#include "core/placement.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h> /* snprintf only: no I/O */
#include <stdlib.h>
#include <string.h>

/* Power drawn per busy CPU core, for energy estimates (W). */
#define SW_WATTS_PER_CORE 10.0
/* Devices per task beyond any node: where a model of almost no TFLOPS would
 * need more, the count saturates here (and the node filter refuses it). */
#define SW_DEVICES_SATURATED INT64_C(1000000000)

struct sw_placer {
    const struct sw_network *net;
    size_t npools;
    int *site;               /* per pool */
    int *nclass;             /* per pool */
    struct sw_res *capacity; /* per pool */
    struct sw_res *usable;   /* per pool: capacity, or less (sw_placer_pool_limit) */
    struct sw_estimate *cand;/* scratch: feasible candidates (admission) */
    unsigned char *site_down;/* per site: out of service */
    bool has_cpu_classes;    /* some node class has no accelerators */
    uint64_t generation;     /* bumped when a site goes down or up, or a cap changes */
    int64_t *completion;     /* scratch, per cached candidate */
    double *carbon;          /* scratch, per cached candidate */
};

const char *sw_filter_name(enum sw_filter f)
{
    static const char *const names[SW_FILTER_NFILTERS] = {
        [SW_FILTER_SITE_DOWN] = "sites in service",
        [SW_FILTER_SOVEREIGNTY] = "allowed regions, sites and providers",
        [SW_FILTER_ACCEL] = "accelerator model",
        [SW_FILTER_CPU_ONLY] = ("CPU-only jobs on CPU nodes (accelerator nodes are kept for "
                                "accelerator jobs)"),
        [SW_FILTER_NODE] = "resources per node",
        [SW_FILTER_CAPACITY] = "size of the node class (the nodes in service)",
        [SW_FILTER_LATENCY] = "latency circle",
        [SW_FILTER_DATA] = "data links",
        [SW_FILTER_PRICE] = "maximum price",
    };
    return f < SW_FILTER_NFILTERS ? names[f] : "?";
}

/* ---- resolution --------------------------------------------------------- */

static bool in_list(const struct sw_namelist *l, const char *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->names[i], name) == 0)
            return true;
    return false;
}

/* Resolve a region name; "" gives -1. */
static int resolve_region(const struct sw_network *net, const char *name, const char *field,
                          int *out, sw_error_t *err)
{
    *out = -1;
    if (!name[0])
        return 0;
    int i = sw_network_region(net, name);
    if (i >= 0) {
        *out = i;
        return 0;
    }
    errno = EINVAL;
    int near = sw_closest_name(name, net->regions, net->nregions, sizeof(net->regions[0]));
    if (near >= 0)
        return sw_errprintf(err, "%s: unknown region \"%s\"; did you mean \"%s\"?", field, name,
                            net->regions[near]);
    return sw_errprintf(err, "%s: unknown region \"%s\"", field, name);
}

/* Every name of a list must exist: regions (kind 0), sites (1); providers
 * (2) are checked against the sites' providers. */
static int check_names(const struct sw_network *net, const struct sw_namelist *l, int kind,
                       const char *field, sw_error_t *err)
{
    for (size_t i = 0; i < l->n; i++) {
        const char *name = l->names[i];
        bool found = false;
        if (kind == 0)
            found = sw_network_region(net, name) >= 0;
        else if (kind == 1)
            found = sw_network_site(net, name) >= 0;
        else
            for (size_t s = 0; s < net->nsites && !found; s++)
                found = strcmp(net->sites[s].provider, name) == 0;
        if (found)
            continue;
        errno = EINVAL;
        static const char *const what[] = {"region", "site", "provider"};
        int near = -1;
        const char *near_name = NULL;
        if (kind == 0) {
            near = sw_closest_name(name, net->regions, net->nregions, sizeof(net->regions[0]));
            near_name = near >= 0 ? net->regions[near] : NULL;
        } else if (kind == 1) {
            near = sw_closest_name(name, net->sites[0].name, net->nsites, sizeof(net->sites[0]));
            near_name = near >= 0 ? net->sites[near].name : NULL;
        } else {
            near = sw_closest_name(name, net->sites[0].provider, net->nsites,
                                   sizeof(net->sites[0]));
            near_name = near >= 0 ? net->sites[near].provider : NULL;
        }
        if (near_name)
            return sw_errprintf(err, "%s[%zu]: unknown %s \"%s\"; did you mean \"%s\"?", field, i,
                                what[kind], name, near_name);
        return sw_errprintf(err, "%s[%zu]: unknown %s \"%s\"", field, i, what[kind], name);
    }
    return 0;
}

static int resolve_model(const struct sw_network *net, const char *name, const char *field,
                         int *out, sw_error_t *err)
{
    const struct sw_catalog *cat = &net->catalog;
    *out = sw_catalog_model(cat, name);
    if (*out >= 0)
        return 0;
    errno = EINVAL;
    int near = cat->n ? sw_closest_name(name, cat->models[0].name, cat->n, sizeof(cat->models[0]))
                      : -1;
    if (near >= 0)
        return sw_errprintf(err, "%s: unknown model \"%s\"; did you mean \"%s\"?", field, name,
                            cat->models[near].name);
    return sw_errprintf(err, "%s: unknown model \"%s\"", field, name);
}

/* Which catalog models the job accepts. */
static int resolve_models(const struct sw_network *net, const struct sw_jobspec *js,
                          struct sw_resolved *r, sw_error_t *err)
{
    const struct sw_accel_req *a = &js->accel;
    const struct sw_catalog *cat = &net->catalog;
    unsigned char *listed = calloc(cat->n ? cat->n : 1, 1);
    if (!listed)
        return -1;
    for (size_t i = 0; i < a->models.n; i++) {
        char field[64];
        snprintf(field, sizeof(field), "resources.gpus.model[%zu]", i);
        int m;
        if (resolve_model(net, a->models.names[i], field, &m, err) < 0) {
            free(listed);
            return -1;
        }
        listed[m] = 1;
    }
    for (size_t m = 0; m < cat->n; m++) {
        bool ok = a->models.n == 0 || listed[m] || a->equivalent;
        if (a->min_mem_gib > 0 && cat->models[m].mem_gib < a->min_mem_gib)
            ok = false;
        r->model_ok[m] = ok;
    }
    free(listed);
    r->ref_model = -1;
    if (a->ref_model[0]) {
        if (resolve_model(net, a->ref_model, "resources.gpus.ref_model", &r->ref_model, err) < 0)
            return -1;
    } else if (a->models.n > 0) {
        r->ref_model = sw_catalog_model(cat, a->models.names[0]);
    }
    /* no model named and no ref_model: runtimes are taken as they are on
     * whatever model the job lands (no scaling) */
    r->wclass = -1;
    if (a->workload_class[0]) {
        for (size_t c = 0; c < cat->nclasses; c++)
            if (strcmp(cat->classes[c].name, a->workload_class) == 0)
                r->wclass = (int)c;
        if (r->wclass < 0) {
            errno = EINVAL;
            return sw_errprintf(err, "resources.gpus.workload_class: unknown workload class \"%s\"",
                                a->workload_class);
        }
    }
    return 0;
}

static void resolve_sites(const struct sw_network *net, const struct sw_jobspec *js,
                          struct sw_resolved *r)
{
    for (size_t s = 0; s < net->nsites; s++) {
        const struct sw_site *site = &net->sites[s];
        const char *region = net->regions[site->region];
        bool ok = true;
        if (js->allow_regions.n && !in_list(&js->allow_regions, region))
            ok = false;
        if (in_list(&js->forbid_regions, region))
            ok = false;
        if (js->allow_sites.n && !in_list(&js->allow_sites, site->name))
            ok = false;
        if (in_list(&js->forbid_sites, site->name))
            ok = false;
        if (js->allow_providers.n && !in_list(&js->allow_providers, site->provider))
            ok = false;
        if (in_list(&js->forbid_providers, site->provider))
            ok = false;
        if (js->site_kinds && !(js->site_kinds & (1u << site->kind)))
            ok = false;
        r->site_ok[s] = ok;
    }
}

int sw_resolve(const struct sw_network *net, const struct sw_jobspec *js,
               struct sw_resolved *out, sw_error_t *err)
{
    memset(out, 0, sizeof(*out));
    out->js = js;
    out->input_regions = calloc(js->ninputs ? js->ninputs : 1, sizeof(int));
    out->site_ok = calloc(net->nsites ? net->nsites : 1, 1);
    out->model_ok = calloc(net->catalog.n ? net->catalog.n : 1, 1);
    if (!out->input_regions || !out->site_ok || !out->model_ok) {
        sw_resolved_free(out);
        errno = ENOMEM;
        return sw_errprintf(err, "out of memory resolving job %llu", (unsigned long long)js->id);
    }
    char field[64];
    int rc = resolve_region(net, js->near_region, "near.region", &out->near_region, err);
    if (!rc)
        rc = resolve_region(net, js->output_region, "data.output_region", &out->output_region,
                            err);
    for (size_t i = 0; !rc && i < js->ninputs; i++) {
        snprintf(field, sizeof(field), "data.inputs[%zu].region", i);
        rc = resolve_region(net, js->inputs[i].region, field, &out->input_regions[i], err);
    }
    if (!rc)
        rc = check_names(net, &js->allow_regions, 0, "placement.regions.allow", err);
    if (!rc)
        rc = check_names(net, &js->forbid_regions, 0, "placement.regions.forbid", err);
    if (!rc)
        rc = check_names(net, &js->allow_sites, 1, "placement.sites.allow", err);
    if (!rc)
        rc = check_names(net, &js->forbid_sites, 1, "placement.sites.forbid", err);
    if (!rc)
        rc = check_names(net, &js->allow_providers, 2, "placement.providers.allow", err);
    if (!rc)
        rc = check_names(net, &js->forbid_providers, 2, "placement.providers.forbid", err);
    if (!rc)
        rc = resolve_models(net, js, out, err);
    if (rc) {
        sw_resolved_free(out);
        return -1;
    }
    resolve_sites(net, js, out);
    return 0;
}

void sw_resolved_free(struct sw_resolved *r)
{
    if (!r)
        return;
    int saved = errno;
    free(r->input_regions);
    free(r->site_ok);
    free(r->model_ok);
    free(r->cache);
    memset(r, 0, sizeof(*r));
    errno = saved;
}

/* ---- the placer --------------------------------------------------------- */

struct sw_placer *sw_placer_create(const struct sw_network *net)
{
    struct sw_placer *p = calloc(1, sizeof(*p));
    if (!p)
        return NULL;
    p->net = net;
    for (size_t s = 0; s < net->nsites; s++)
        p->npools += net->sites[s].nclasses;
    size_t n = p->npools ? p->npools : 1;
    p->site = calloc(n, sizeof(*p->site));
    p->nclass = calloc(n, sizeof(*p->nclass));
    p->capacity = calloc(n, sizeof(*p->capacity));
    p->cand = calloc(n, sizeof(*p->cand));
    p->completion = calloc(n, sizeof(*p->completion));
    p->carbon = calloc(n, sizeof(*p->carbon));
    p->site_down = calloc(net->nsites ? net->nsites : 1, 1);
    p->usable = calloc(n, sizeof(*p->usable));
    if (!p->site || !p->nclass || !p->capacity || !p->usable || !p->cand || !p->completion ||
        !p->carbon || !p->site_down) {
        sw_placer_destroy(p);
        return NULL;
    }
    size_t k = 0;
    for (size_t s = 0; s < net->nsites; s++) {
        for (size_t c = 0; c < net->sites[s].nclasses; c++, k++) {
            p->site[k] = (int)s;
            p->nclass[k] = (int)c;
            p->capacity[k] = sw_node_class_capacity(&net->sites[s].classes[c]);
            p->usable[k] = p->capacity[k];
            if (net->sites[s].classes[c].accels <= 0)
                p->has_cpu_classes = true;
        }
    }
    return p;
}

void sw_placer_destroy(struct sw_placer *p)
{
    if (!p)
        return;
    int saved = errno;
    free(p->site);
    free(p->nclass);
    free(p->capacity);
    free(p->usable);
    free(p->cand);
    free(p->completion);
    free(p->carbon);
    free(p->site_down);
    free(p);
    errno = saved;
}

void sw_placer_site_enabled(struct sw_placer *p, int site, bool enabled)
{
    if (site < 0 || (size_t)site >= p->net->nsites || p->site_down[site] == !enabled)
        return;
    p->site_down[site] = !enabled;
    p->generation++;
}

size_t sw_placer_npools(const struct sw_placer *p)
{
    return p->npools;
}

void sw_placer_pool(const struct sw_placer *p, size_t pool, int *site, int *nclass)
{
    *site = p->site[pool];
    *nclass = p->nclass[pool];
}

struct sw_res sw_placer_pool_capacity(const struct sw_placer *p, size_t pool)
{
    return p->capacity[pool];
}

void sw_placer_pool_limit(struct sw_placer *p, size_t pool, const struct sw_res *limit)
{
    struct sw_res u = p->capacity[pool];
    if (limit)
        sw_res_min(&u, limit);
    for (int d = 0; d < SW_RES_NDIMS; d++)
        if (u.v[d] < 0)
            u.v[d] = 0;
    if (memcmp(&u, &p->usable[pool], sizeof(u)) == 0)
        return;
    p->usable[pool] = u;
    p->generation++;
}

struct sw_res sw_placer_pool_usable(const struct sw_placer *p, size_t pool)
{
    return p->usable[pool];
}

/* ---- estimates ---------------------------------------------------------- */

static double model_throughput(const struct sw_network *net, int wclass, int model)
{
    if (wclass >= 0) {
        double rel = net->catalog.classes[wclass].rel[model];
        if (rel > 0)
            return rel;
    }
    return net->catalog.models[model].fp16_tflops;
}

int64_t sw_scale_runtime(const struct sw_network *net, int wclass, int ref_model, int model,
                         int64_t seconds)
{
    if (ref_model < 0 || model < 0 || ref_model == model)
        return seconds;
    int wc = wclass;
    if (wc >= 0 && (net->catalog.classes[wc].rel[model] <= 0 ||
                    net->catalog.classes[wc].rel[ref_model] <= 0))
        wc = -1; /* both must be measured to use the class row */
    double ref = model_throughput(net, wc, ref_model);
    double here = model_throughput(net, wc, model);
    if (ref <= 0 || here <= 0)
        return seconds;
    double scaled = ceil((double)seconds * ref / here);
    return scaled > (double)SW_TIME_MAX_SCALED ? SW_TIME_MAX_SCALED : (int64_t)scaled;
}

/* Devices per task on `model` (milli), or -1 when the model is not acceptable. */
static int64_t devices_on(const struct sw_network *net, const struct sw_resolved *r, int model)
{
    const struct sw_accel_req *a = &r->js->accel;
    if (a->count_milli <= 0 && a->compute_tflops <= 0)
        return 0;
    if (model < 0 || !r->model_ok[model])
        return -1;
    if (a->compute_tflops > 0) {
        double tf = net->catalog.models[model].fp16_tflops;
        if (!(tf > 0))
            return -1;
        double n = ceil(a->compute_tflops / tf);
        return (n < (double)SW_DEVICES_SATURATED ? (int64_t)n : SW_DEVICES_SATURATED) * SW_MILLI;
    }
    return a->count_milli;
}

/* Seconds to move the job's inputs to `region`, and GB moved; -1 when an
 * input cannot get there. */
static int64_t staging(const struct sw_network *net, const struct sw_resolved *r, int region,
                       double *moved_gb)
{
    double secs = 0;
    *moved_gb = 0;
    for (size_t i = 0; i < r->js->ninputs; i++) {
        int from = r->input_regions[i];
        if (from < 0 || from == region)
            continue;
        double bw = sw_network_bandwidth(net, from, region);
        if (bw <= 0)
            return -1;
        double mb = (double)r->js->inputs[i].size_mb;
        secs += mb * 8.0 / (bw * 1000.0);
        *moved_gb += mb / 1000.0;
    }
    /* a link of almost no bandwidth: as long as the longest time there is */
    return secs < (double)SW_TIME_MAX ? (int64_t)ceil(secs) : SW_TIME_MAX;
}

/* Integer fen for `units` billed at `price` per hour for `seconds`, rounded
 * up; INT64_MAX when more (the product of the three can pass even 128 bits:
 * 10^12 fen an hour x 10^12 milli-devices x 10^15 s). */
static int64_t charge_fen(int64_t price, int64_t units_milli, int64_t seconds)
{
    if (price <= 0 || units_milli <= 0 || seconds <= 0)
        return 0;
    const __int128 d = (__int128)3600 * SW_MILLI;
    __int128 rate = (__int128)price * units_milli; /* < 2^126 */
    if (seconds > (__int128)INT64_MAX * d / rate)
        return INT64_MAX;
    __int128 q = (rate * seconds + d - 1) / d;
    return q > INT64_MAX ? INT64_MAX : (int64_t)q;
}

/* Which filter a pool fails first, or SW_FILTER_NFILTERS when it passes;
 * fills the parts of *e that filtering computes. */
static enum sw_filter pool_filter(const struct sw_placer *p, const struct sw_resolved *r,
                                  size_t pool, int64_t ntasks, struct sw_estimate *e)
{
    const struct sw_network *net = p->net;
    const struct sw_jobspec *js = r->js;
    const struct sw_site *site = &net->sites[p->site[pool]];
    const struct sw_node_class *nc = &site->classes[p->nclass[pool]];
    *e = (struct sw_estimate){0};
    e->pool = pool;
    e->site = p->site[pool];
    e->nclass = p->nclass[pool];
    e->model = nc->accel;
    if (p->site_down[e->site])
        return SW_FILTER_SITE_DOWN;
    if (!r->site_ok[e->site])
        return SW_FILTER_SOVEREIGNTY;
    e->devices_milli = devices_on(net, r, nc->accel);
    if (e->devices_milli < 0 || (e->devices_milli > 0 && nc->accels <= 0))
        return SW_FILTER_ACCEL;
    /* accelerator nodes are kept for accelerator work, as GPU nodes are
     * tainted in Kubernetes: a CPU-only job goes to CPU nodes when the
     * network has any */
    if (e->devices_milli == 0 && nc->accels > 0 && p->has_cpu_classes)
        return SW_FILTER_CPU_ONLY;
    if (js->cores > nc->cores || js->mem_mib > nc->mem_mib ||
        e->devices_milli > nc->accels * SW_MILLI)
        return SW_FILTER_NODE;
    e->need.v[SW_RES_CORES] = js->cores * ntasks;
    e->need.v[SW_RES_MEM_MIB] = js->mem_mib * ntasks;
    e->need.v[SW_RES_ACCEL] = e->devices_milli * ntasks;
    if (!sw_res_fits(&e->need, &p->usable[pool]))
        return SW_FILTER_CAPACITY;
    if (r->near_region >= 0) {
        e->latency_ms = sw_network_latency(net, r->near_region, site->region);
        if (e->latency_ms > js->max_latency_ms)
            return SW_FILTER_LATENCY;
    }
    e->staging_s = staging(net, r, site->region, &e->data_moved_gb);
    if (e->staging_s < 0)
        return SW_FILTER_DATA;
    if (js->max_price_fen >= 0) {
        int64_t price = e->devices_milli > 0 ? nc->price_accel_hour_fen : nc->price_core_hour_fen;
        if (price > js->max_price_fen)
            return SW_FILTER_PRICE;
    }
    return SW_FILTER_NFILTERS;
}

/* The parts of a feasible pool's estimate that do not depend on load. */
static void pool_estimate_static(const struct sw_placer *p, const struct sw_resolved *r,
                                 int64_t ntasks, int64_t runtime_s, int64_t walltime_s,
                                 struct sw_estimate *e)
{
    const struct sw_network *net = p->net;
    const struct sw_site *site = &net->sites[e->site];
    const struct sw_node_class *nc = &site->classes[e->nclass];
    e->runtime_s = sw_scale_runtime(net, r->wclass, r->ref_model, e->model, runtime_s);
    e->walltime_s = sw_scale_runtime(net, r->wclass, r->ref_model, e->model, walltime_s);
    if (e->devices_milli > 0)
        e->cost_fen = charge_fen(nc->price_accel_hour_fen, e->devices_milli * ntasks, e->runtime_s);
    else
        e->cost_fen = charge_fen(nc->price_core_hour_fen, r->js->cores * ntasks * SW_MILLI,
                                 e->runtime_s);
    double watts = (double)(r->js->cores * ntasks) * SW_WATTS_PER_CORE;
    if (e->model >= 0)
        watts += (double)net->catalog.models[e->model].watts * (double)(e->devices_milli * ntasks) /
                 SW_MILLI;
    e->energy_kwh = watts * (double)e->runtime_s / 3.6e6;
    e->energy_pue_kwh = e->energy_kwh * site->pue;
}

/* The load-dependent parts: queue wait, start, completion, carbon (by the
 * hour it starts). */
static void pool_estimate_dynamic(const struct sw_placer *p, int64_t now, sw_wait_f wait,
                                  void *arg, struct sw_estimate *e)
{
    e->wait_s = wait ? wait(arg, e->pool, &e->need, now) : 0;
    e->start = now + e->wait_s + e->staging_s;
    e->completion = e->start + e->runtime_s;
    int hour = (int)(((e->start / 3600) % 24 + 24) % 24);
    e->carbon_g = e->energy_pue_kwh * p->net->sites[e->site].carbon_g_per_kwh[hour];
}

/* ---- choosing ----------------------------------------------------------- */

static int cmp_i64(int64_t a, int64_t b)
{
    return (a > b) - (a < b);
}

static int cmp_dbl(double a, double b)
{
    return (a > b) - (a < b);
}

/* Balanced: each criterion relative to the best feasible value, summed. */
static double balanced_score(const struct sw_estimate *e, int64_t now, int64_t best_time,
                             int64_t best_cost, double best_carbon)
{
    double t = (double)(e->completion - now) / (double)(best_time > 0 ? best_time : 1);
    double c = (double)e->cost_fen / (double)(best_cost > 0 ? best_cost : 1);
    double g = e->carbon_g / (best_carbon > 0 ? best_carbon : 1.0);
    return t + c + g;
}

/* The message for a job nothing satisfies. */
static int explain_rejection(const struct sw_placer *p, const struct sw_resolved *r,
                             const size_t *failed, double nearest_ms, int nearest_site,
                             sw_error_t *err)
{
    /* the last filter that removed candidates is the one nothing passes */
    int last = -1;
    for (int f = 0; f < SW_FILTER_NFILTERS; f++)
        if (failed[f])
            last = f;
    errno = EINVAL;
    if (last < 0)
        return sw_errprintf(err, "the network has no node classes");
    const struct sw_jobspec *js = r->js;
    if (last == SW_FILTER_LATENCY && nearest_site >= 0)
        return sw_errprintf(err, "no site satisfies the job: the latency circle of %.1f ms around "
                                 "%s excludes the %zu node classes that otherwise fit; the "
                                 "nearest, %s, is %.1f ms away",
                            js->max_latency_ms, js->near_region, failed[last],
                            p->net->sites[nearest_site].name, nearest_ms);
    return sw_errprintf(err, "no site satisfies the job: the constraint on %s excludes the %zu "
                             "node classes left after the other constraints",
                        sw_filter_name((enum sw_filter)last), failed[last]);
}

/* Deadline and budget admission against the best achievable values. */
static int admit(const struct sw_resolved *r, size_t ncand, const struct sw_estimate *cand,
                 int64_t ntasks, const struct sw_network *net, sw_error_t *err)
{
    const struct sw_jobspec *js = r->js;
    /* the budget covers the whole job: an array's unit is one task of it */
    int64_t units_in_job = ntasks > 0 && js->tasks > ntasks ? js->tasks / ntasks : 1;
    size_t fastest = 0, cheapest = 0;
    for (size_t i = 1; i < ncand; i++) {
        if (cand[i].completion < cand[fastest].completion)
            fastest = i;
        if (cand[i].cost_fen < cand[cheapest].cost_fen)
            cheapest = i;
    }
    errno = EINVAL;
    if (js->deadline >= 0 && cand[fastest].completion > js->deadline)
        return sw_errprintf(err, "the deadline (t=%lld) cannot be met: the earliest estimated "
                                 "completion is t=%lld at %s",
                            (long long)js->deadline, (long long)cand[fastest].completion,
                            net->sites[cand[fastest].site].name);
    __int128 cheapest_total = (__int128)cand[cheapest].cost_fen * units_in_job;
    if (js->budget_fen >= 0 && cheapest_total > (__int128)js->budget_fen)
        return sw_errprintf(err, "the budget (%lld fen) is too small: the cheapest placement "
                                 "costs %s%lld fen at %s",
                            (long long)js->budget_fen, cheapest_total > INT64_MAX ? "over " : "",
                            (long long)(cheapest_total > INT64_MAX ? INT64_MAX : cheapest_total),
                            net->sites[cand[cheapest].site].name);
    errno = 0;
    return 0;
}

/* Filter every pool for a unit of this shape, keeping the feasible ones
 * with their static estimates in r->cache. */
static int fill_cache(struct sw_placer *p, struct sw_resolved *r, int64_t ntasks,
                      int64_t runtime_s, int64_t walltime_s)
{
    if (!r->cache) {
        r->cache = calloc(p->npools ? p->npools : 1, sizeof(*r->cache));
        if (!r->cache)
            return -1;
    }
    memset(r->cache_failed, 0, sizeof(r->cache_failed));
    r->ncache = 0;
    r->cache_nearest_ms = INFINITY;
    r->cache_nearest_site = -1;
    for (size_t pool = 0; pool < p->npools; pool++) {
        struct sw_estimate *e = &r->cache[r->ncache];
        enum sw_filter f = pool_filter(p, r, pool, ntasks, e);
        if (f != SW_FILTER_NFILTERS) {
            r->cache_failed[f]++;
            if (f == SW_FILTER_LATENCY && e->latency_ms < r->cache_nearest_ms) {
                r->cache_nearest_ms = e->latency_ms;
                r->cache_nearest_site = e->site;
            }
            continue;
        }
        pool_estimate_static(p, r, ntasks, runtime_s, walltime_s, e);
        r->ncache++;
    }
    r->cache_valid = true;
    r->cache_generation = p->generation;
    r->cache_ntasks = ntasks;
    r->cache_runtime = runtime_s;
    r->cache_walltime = walltime_s;
    return 0;
}

/* Fill the load-dependent parts of cached candidate i into the scratch
 * arrays (and into *e when e is not NULL). */
static void candidate_dynamic(struct sw_placer *p, const struct sw_resolved *r, size_t i,
                              int64_t now, sw_wait_f wait, void *arg)
{
    const struct sw_estimate *e = &r->cache[i];
    int64_t wait_s = wait ? wait(arg, e->pool, &e->need, now) : 0;
    int64_t start = now + wait_s + e->staging_s;
    p->completion[i] = start + e->runtime_s;
    if (r->js->objective == SW_OBJ_FASTEST || r->js->objective == SW_OBJ_CHEAPEST) {
        p->carbon[i] = 0; /* not needed to choose: the winner's is computed after */
        return;
    }
    int hour = (int)(((start / 3600) % 24 + 24) % 24);
    p->carbon[i] = e->energy_pue_kwh * p->net->sites[e->site].carbon_g_per_kwh[hour];
}

/* Is candidate i better than candidate b for the objective (ties: lower
 * pool, i.e. lower index)? */
static bool cand_better(const struct sw_placer *p, const struct sw_resolved *r,
                        enum sw_objective obj, size_t i, size_t b, const double *score)
{
    int c = 0;
    int64_t ci = r->cache[i].cost_fen, cb = r->cache[b].cost_fen;
    switch (obj) {
    case SW_OBJ_CHEAPEST:
        c = cmp_i64(ci, cb);
        if (!c)
            c = cmp_i64(p->completion[i], p->completion[b]);
        break;
    case SW_OBJ_GREENEST:
        c = cmp_dbl(p->carbon[i], p->carbon[b]);
        if (!c)
            c = cmp_i64(p->completion[i], p->completion[b]);
        break;
    case SW_OBJ_BALANCED:
        c = cmp_dbl(score[0], score[1]);
        if (!c)
            c = cmp_i64(p->completion[i], p->completion[b]);
        break;
    case SW_OBJ_FASTEST:
    default:
        c = cmp_i64(p->completion[i], p->completion[b]);
        if (!c)
            c = cmp_i64(ci, cb);
        break;
    }
    return c < 0 || (c == 0 && r->cache[i].pool < r->cache[b].pool);
}

static double cand_balanced(const struct sw_placer *p, const struct sw_resolved *r, size_t i,
                            int64_t now, int64_t best_time, int64_t best_cost, double best_carbon)
{
    struct sw_estimate e = {.completion = p->completion[i], .cost_fen = r->cache[i].cost_fen,
                            .carbon_g = p->carbon[i]};
    return balanced_score(&e, now, best_time, best_cost, best_carbon);
}

/* Deadline and budget admission over the cached candidates. */
static int cand_admit(struct sw_placer *p, const struct sw_resolved *r, int64_t ntasks,
                      sw_error_t *err)
{
    struct sw_estimate *cand = p->cand;
    for (size_t i = 0; i < r->ncache; i++) {
        cand[i] = r->cache[i];
        cand[i].completion = p->completion[i];
    }
    return admit(r, r->ncache, cand, ntasks, p->net, err);
}

int sw_place(struct sw_placer *p, struct sw_resolved *r, int64_t ntasks, int64_t runtime_s,
             int64_t walltime_s, int64_t now, sw_wait_f wait, void *wait_arg,
             struct sw_estimate *best, sw_error_t *err)
{
    if (!r->cache_valid || r->cache_generation != p->generation || r->cache_ntasks != ntasks ||
        r->cache_runtime != runtime_s || r->cache_walltime != walltime_s) {
        if (fill_cache(p, r, ntasks, runtime_s, walltime_s) < 0) {
            errno = ENOMEM;
            return sw_errprintf(err, "out of memory placing job %llu",
                                (unsigned long long)r->js->id);
        }
    }
    size_t ncand = r->ncache;
    if (ncand == 0)
        return explain_rejection(p, r, r->cache_failed, r->cache_nearest_ms,
                                 r->cache_nearest_site, err);
    for (size_t i = 0; i < ncand; i++)
        candidate_dynamic(p, r, i, now, wait, wait_arg);
    if ((r->js->deadline >= 0 || r->js->budget_fen >= 0) && cand_admit(p, r, ntasks, err) < 0)
        return -1;
    enum sw_objective obj = r->js->objective;
    int64_t best_time = INT64_MAX, best_cost = INT64_MAX;
    double best_carbon = INFINITY;
    if (obj == SW_OBJ_BALANCED) {
        for (size_t i = 0; i < ncand; i++) {
            if (p->completion[i] - now < best_time)
                best_time = p->completion[i] - now;
            if (r->cache[i].cost_fen < best_cost)
                best_cost = r->cache[i].cost_fen;
            if (p->carbon[i] < best_carbon)
                best_carbon = p->carbon[i];
        }
    }
    size_t bi = 0;
    double score[2] = {0, 0}; /* [candidate, best] */
    if (obj == SW_OBJ_BALANCED)
        score[1] = cand_balanced(p, r, 0, now, best_time, best_cost, best_carbon);
    for (size_t i = 1; i < ncand; i++) {
        if (obj == SW_OBJ_BALANCED)
            score[0] = cand_balanced(p, r, i, now, best_time, best_cost, best_carbon);
        if (cand_better(p, r, obj, i, bi, score)) {
            bi = i;
            score[1] = score[0];
        }
    }
    *best = r->cache[bi];
    pool_estimate_dynamic(p, now, wait, wait_arg, best);
    return 0;
}
