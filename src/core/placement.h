/* placement.h — where in the compute network a job (or one task of an
 * array) should run.
 *
 * Every (site, node class) is a *pool*. A job is first resolved against the
 * network (names checked, with "did you mean"), then each pool is filtered
 * in a fixed order (sovereignty, accelerator, node fit, capacity, latency
 * circle, data link, price cap), each remaining pool is estimated
 *
 *   completion = now + queue wait + data staging + runtime scaled to the
 *                pool's accelerator
 *   cost       = price x units x scaled runtime          (integer fen)
 *   carbon     = energy x PUE x carbon intensity         (grams CO2)
 *
 * and the best pool for the job's objective wins (ties: lower pool index).
 * When no pool remains, the message names the filter that removed the last
 * candidates and the nearest alternative. Admission control: a deadline no
 * pool can meet, or a budget no pool fits in, is refused with the reason.
 * Pure: no I/O, no clock; the queue wait comes from a callback.
 */
#ifndef SW_CORE_PLACEMENT_H
#define SW_CORE_PLACEMENT_H

#include <stddef.h>
#include <stdint.h>

#include "core/job.h"
#include "core/jobspec.h"
#include "core/network.h"
#include "core/res.h"
#include "util/error.h"

/* Filters, in the order they are applied. */
enum sw_filter {
    SW_FILTER_SITE_DOWN = 0,   /* the site is out of service (its agent is down) */
    SW_FILTER_SOVEREIGNTY,     /* allowed / forbidden regions, sites, providers */
    SW_FILTER_ACCEL,           /* accelerator model, class or equivalent */
    SW_FILTER_CPU_ONLY,        /* a CPU-only job stays off accelerator nodes when the
                                  network has CPU nodes (as GPU nodes are tainted) */
    SW_FILTER_NODE,            /* one task does not fit on one node */
    SW_FILTER_CAPACITY,        /* the job is larger than the whole node class */
    SW_FILTER_LATENCY,         /* outside the latency circle */
    SW_FILTER_DATA,            /* input data cannot reach the site */
    SW_FILTER_PRICE,           /* above the job's max price */
    SW_FILTER_NFILTERS
};

const char *sw_filter_name(enum sw_filter f);

/* The estimate for one placement. */
struct sw_estimate {
    double energy_pue_kwh;     /* energy x PUE (private: carbon = this x intensity) */
    size_t pool;
    int site, nclass;
    int model;                 /* catalog index, -1 = no accelerator */
    int64_t devices_milli;     /* accelerators per task, milli */
    struct sw_res need;        /* total resources of the unit placed */
    int64_t wait_s, staging_s;
    int64_t runtime_s;         /* expected runtime, scaled */
    int64_t walltime_s;        /* walltime limit, scaled */
    int64_t start;             /* estimated start = now + wait + staging */
    int64_t completion;        /* estimated completion */
    int64_t cost_fen;
    double energy_kwh, carbon_g;
    double data_moved_gb;
    double latency_ms;         /* from the latency-circle centre, 0 if none */
};

/* A job request with every name resolved to an index. */
struct sw_resolved {
    const struct sw_jobspec *js;  /* borrowed: must outlive this */
    int near_region;              /* -1 = no latency circle */
    int output_region;            /* -1 = none */
    int *input_regions;           /* js->ninputs entries */
    int ref_model;                /* catalog index runtimes refer to, -1 = none */
    int wclass;                   /* workload class, -1 = FP16 ratio */
    unsigned char *site_ok;       /* per site: passes the sovereignty lists */
    unsigned char *model_ok;      /* per catalog model: acceptable */

    /* Filled by sw_place: the pools that pass every filter for a unit of
     * (cache_ntasks, cache_runtime, cache_walltime), with the parts of their
     * estimates that do not depend on load, so that the tasks of one array
     * are filtered once. Private to placement.c. */
    struct sw_estimate *cache;
    size_t ncache;
    bool cache_valid;
    uint64_t cache_generation;
    int64_t cache_ntasks, cache_runtime, cache_walltime;
    size_t cache_failed[SW_FILTER_NFILTERS];
    double cache_nearest_ms;
    int cache_nearest_site;
};

/* Check every name in `js` against `net` and fill `out`. An unknown name
 * fails with its field path and the closest known name:
 * "near.region: unknown region \"guangzou\"; did you mean \"guangzhou\"?" */
int sw_resolve(const struct sw_network *net, const struct sw_jobspec *js,
               struct sw_resolved *out, sw_error_t *err);
void sw_resolved_free(struct sw_resolved *r);

/* Estimated queue wait (s) in `pool` for a unit needing `need` if
 * submitted at `now`. */
typedef int64_t (*sw_wait_f)(void *arg, size_t pool, const struct sw_res *need, int64_t now);

struct sw_placer;

/* A placer for `net` (borrowed: must outlive it). NULL on ENOMEM. */
struct sw_placer *sw_placer_create(const struct sw_network *net);
void sw_placer_destroy(struct sw_placer *p);

size_t sw_placer_npools(const struct sw_placer *p);
/* Site and node class of a pool. */
void sw_placer_pool(const struct sw_placer *p, size_t pool, int *site, int *nclass);
/* Take a site out of service, or back (default: in service). Jobs already
 * resolved must be re-filtered: their caches are invalidated by the next
 * sw_place() through the placer's generation number. */
void sw_placer_site_enabled(struct sw_placer *p, int site, bool enabled);

/* Capacity vector of a pool (cores, memory, milli-accelerators), as the
 * network declares it. */
struct sw_res sw_placer_pool_capacity(const struct sw_placer *p, size_t pool);

/* Cap what the capacity filter lets into a pool at `limit` (each dimension
 * at most the declared capacity): e.g. only the nodes a Slurm site reports
 * in service. NULL lifts the cap. Jobs already resolved are filtered again
 * (the placer's generation moves) when the cap changes. */
void sw_placer_pool_limit(struct sw_placer *p, size_t pool, const struct sw_res *limit);

/* What the capacity filter lets into a pool: its capacity, or the cap. */
struct sw_res sw_placer_pool_usable(const struct sw_placer *p, size_t pool);

/* Choose the best pool for a unit of `ntasks` tasks of `r` (a gang: all of
 * them; an array: 1) at `now`, whose expected runtime on the reference
 * model is `runtime_s` and walltime `walltime_s`. Fills *best. Returns 0,
 * or -1 with EINVAL when nothing satisfies the job or admission fails
 * (deadline, budget), with the reason in `err`. `r` keeps the filtered
 * pools between calls, so placing the tasks of one array filters once. */
int sw_place(struct sw_placer *p, struct sw_resolved *r, int64_t ntasks, int64_t runtime_s,
             int64_t walltime_s, int64_t now, sw_wait_f wait, void *wait_arg,
             struct sw_estimate *best, sw_error_t *err);

/* Scale a duration from the reference model to `model` by relative
 * throughput (workload class row when both are known, else FP16 TFLOPS).
 * Unchanged when either model is -1. */
int64_t sw_scale_runtime(const struct sw_network *net, int wclass, int ref_model, int model,
                         int64_t seconds);

#endif
