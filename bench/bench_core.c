/* bench_core.c — speed of the scheduling core on a large compute network
 * (SPEC §5, issue "Compute-network placement"):
 *
 *   placements/s   placing array tasks on a generated 200-site network
 *                  (600 node classes) that already holds 10^5 pending tasks
 *                  (the tasks of one array share their filtering), and
 *                  placing distinct jobs (each filters all 600 pools)
 *   pass time      one EASY pass over 10^6 pending jobs (one pool), and over
 *                  10^6 pending jobs spread over the 600 pools
 *   bytes/job      memory held per pending job (heap growth / jobs)
 *
 * Usage: bench_core [--quick]. Prints one JSON object. A benchmark, not a
 * test: nothing here passes or fails on time.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/placement.h"
#include "core/sched.h"

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static size_t heap_in_use(void)
{
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
}

/* A deterministic pseudo-random generator (no global state). */
static uint64_t next_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* 20 regions, 200 sites, each with an A100 class, an H100 or Ascend class
 * and a CPU class. */
static int make_network(struct sw_network *net, size_t nsites, size_t nregions)
{
    memset(net, 0, sizeof(*net));
    if (sw_catalog_builtin(&net->catalog) < 0)
        return -1;
    net->nregions = nregions;
    net->regions = calloc(nregions, sizeof(*net->regions));
    net->latency_ms = calloc(nregions * nregions, sizeof(double));
    net->bandwidth_gbps = calloc(nregions * nregions, sizeof(double));
    net->sites = calloc(nsites, sizeof(*net->sites));
    if (!net->regions || !net->latency_ms || !net->bandwidth_gbps || !net->sites)
        return -1;
    for (size_t r = 0; r < nregions; r++) {
        snprintf(net->regions[r], SW_NAME_MAX, "region%02zu", r);
        for (size_t q = 0; q < nregions; q++) {
            size_t d = r > q ? r - q : q - r;
            net->latency_ms[r * nregions + q] = r == q ? 0.5 : 1.0 + (double)d * 0.4;
            net->bandwidth_gbps[r * nregions + q] = r == q ? 400 : 100;
        }
    }
    int a100 = sw_catalog_model(&net->catalog, "A100");
    int h100 = sw_catalog_model(&net->catalog, "H100");
    int asc = sw_catalog_model(&net->catalog, "Ascend910B");
    uint64_t seed = 42;
    for (size_t s = 0; s < nsites; s++) {
        struct sw_site *site = &net->sites[s];
        snprintf(site->name, SW_NAME_MAX, "site%03zu", s);
        snprintf(site->provider, SW_NAME_MAX, "provider%zu", s % 17);
        site->region = (int)(s % nregions);
        site->kind = SW_SITE_AI;
        site->pue = 1.1 + (double)(next_rand(&seed) % 40) / 100.0;
        for (int h = 0; h < 24; h++)
            site->carbon_g_per_kwh[h] = 300 + (double)(next_rand(&seed) % 300);
        site->nclasses = 3;
        site->classes = calloc(3, sizeof(*site->classes));
        if (!site->classes)
            return -1;
        int models[3] = {a100, s % 2 ? h100 : asc, -1};
        for (int c = 0; c < 3; c++) {
            struct sw_node_class *nc = &site->classes[c];
            snprintf(nc->name, SW_NAME_MAX, "class%d", c);
            nc->count = 16 + (int64_t)(next_rand(&seed) % 48);
            nc->cores = 64;
            nc->mem_mib = 512 * 1024;
            nc->accel = models[c];
            nc->accels = models[c] >= 0 ? 8 : 0;
            nc->price_accel_hour_fen = 500 + (int64_t)(next_rand(&seed) % 2000);
            nc->price_core_hour_fen = 5 + (int64_t)(next_rand(&seed) % 10);
        }
    }
    net->nsites = nsites;
    return 0;
}

struct pools {
    struct sw_sched **s;
    size_t n;
};

static int64_t wait_cb(void *arg, size_t pool, const struct sw_res *need, int64_t now)
{
    struct pools *p = arg;
    return sw_sched_estimate_wait(p->s[pool], need, now);
}

static void bench_placement(const struct sw_network *net, size_t pending, size_t placements,
                            FILE *out)
{
    struct sw_placer *pl = sw_placer_create(net);
    struct pools pools = {.n = sw_placer_npools(pl)};
    pools.s = calloc(pools.n, sizeof(*pools.s));
    sw_error_t err = {{0}};
    for (size_t p = 0; p < pools.n; p++) {
        struct sw_sched_config cfg = sw_sched_config_defaults();
        cfg.policy = SW_POLICY_EASY;
        cfg.capacity = sw_placer_pool_capacity(pl, p);
        pools.s[p] = sw_sched_create(&cfg, &err);
    }
    /* a job: 1 GPU, A100 or equivalent, near a region within 5 ms, some data */
    struct sw_jobspec js;
    sw_jobspec_init(&js);
    js.accel.count_milli = 1000;
    js.accel.equivalent = true;
    js.accel.models.n = 1;
    js.accel.models.names = calloc(1, SW_NAME_MAX);
    snprintf(js.accel.models.names[0], SW_NAME_MAX, "A100");
    snprintf(js.near_region, SW_NAME_MAX, "region03");
    js.max_latency_ms = 5;
    js.ninputs = 1;
    js.inputs = calloc(1, sizeof(*js.inputs));
    snprintf(js.inputs[0].name, SW_NAME_MAX, "data");
    snprintf(js.inputs[0].region, SW_NAME_MAX, "region05");
    js.inputs[0].size_mb = 10000;
    struct sw_resolved r;
    if (sw_resolve(net, &js, &r, &err) < 0) {
        fprintf(stderr, "%s\n", err.text);
        exit(1);
    }
    /* fill the pools with `pending` queued tasks, placed for real */
    size_t total = pending + placements;
    struct sw_job *jobs = calloc(total, sizeof(*jobs));
    size_t heap0 = heap_in_use();
    struct sw_estimate e;
    for (size_t i = 0; i < pending; i++) {
        sw_place(pl, &r, 1, 3600, 3600, 0, wait_cb, &pools, &e, &err);
        jobs[i] = (struct sw_job){.id = i + 1, .estimate = e.walltime_s, .need = e.need};
        sw_sched_submit(pools.s[e.pool], &jobs[i], 0, &err);
    }
    size_t heap1 = heap_in_use();
    /* now time placements (placing and queueing each) */
    double t0 = now_s();
    for (size_t i = pending; i < total; i++) {
        sw_place(pl, &r, 1, 3600, 3600, 0, wait_cb, &pools, &e, &err);
        jobs[i] = (struct sw_job){.id = i + 1, .estimate = e.walltime_s, .need = e.need};
        sw_sched_submit(pools.s[e.pool], &jobs[i], 0, &err);
    }
    double dt = now_s() - t0;
    /* distinct jobs: every placement filters all 600 pools again */
    size_t distinct = placements / 10;
    struct sw_job *more = calloc(distinct, sizeof(*more));
    double t1 = now_s();
    for (size_t i = 0; i < distinct; i++) {
        r.cache_valid = false;
        sw_place(pl, &r, 1, 3600, 3600, 0, wait_cb, &pools, &e, &err);
        more[i] = (struct sw_job){.id = total + i + 1, .estimate = e.walltime_s, .need = e.need};
        sw_sched_submit(pools.s[e.pool], &more[i], 0, &err);
    }
    double dt1 = now_s() - t1;
    fprintf(out,
            "  \"placement\": {\"sites\": %zu, \"pools\": %zu, \"pending_tasks\": %zu, "
            "\"placements\": %zu, \"seconds\": %.4f, \"placements_per_s\": %.0f, "
            "\"distinct_jobs_per_s\": %.0f, \"bytes_per_pending_task\": %.1f},\n",
            net->nsites, pools.n, pending, placements, dt, (double)placements / dt,
            (double)distinct / dt1,
            (double)(heap1 - heap0) / (double)pending + (double)sizeof(struct sw_job));
    free(more);
    for (size_t p = 0; p < pools.n; p++)
        sw_sched_destroy(pools.s[p]);
    free(pools.s);
    free(jobs);
    sw_resolved_free(&r);
    sw_jobspec_free(&js);
    sw_placer_destroy(pl);
}

/* One EASY pass over `n` pending jobs in one pool whose machine is full
 * (the worst case: the pass must look at every job). */
static void bench_pass(size_t n, FILE *out)
{
    struct sw_sched_config cfg = sw_sched_config_defaults();
    cfg.policy = SW_POLICY_EASY;
    cfg.capacity = sw_res_cores(100000);
    sw_error_t err = {{0}};
    struct sw_sched *s = sw_sched_create(&cfg, &err);
    size_t heap0 = heap_in_use();
    struct sw_job *jobs = calloc(n + 1, sizeof(*jobs));
    /* a running job holding all but 1 core, ending far away */
    jobs[n] = (struct sw_job){.id = n + 1, .estimate = 1000000, .need = sw_res_cores(99999)};
    sw_sched_submit(s, &jobs[n], 0, &err);
    sw_sched_pass(s, 0, NULL, NULL);
    uint64_t seed = 7;
    for (size_t i = 0; i < n; i++) {
        jobs[i] = (struct sw_job){
            .id = i + 1,
            .submit = 1,
            .estimate = 3600 + (int64_t)(next_rand(&seed) % 86400),
            .need = sw_res_cores(2 + (int64_t)(next_rand(&seed) % 64)),
        };
        sw_sched_submit(s, &jobs[i], 1, &err);
    }
    size_t heap1 = heap_in_use();
    /* a completion forces a full pass (not the arrivals-only shortcut) */
    struct sw_job filler = {.id = n + 2, .estimate = 10, .need = sw_res_cores(1)};
    sw_sched_submit(s, &filler, 1, &err);
    sw_sched_pass(s, 1, NULL, NULL); /* starts the 1-core filler: now full */
    sw_sched_complete(s, &filler, 2);
    double t0 = now_s();
    int started = sw_sched_pass(s, 2, NULL, NULL);
    double dt = now_s() - t0;
    fprintf(out,
            "  \"pass\": {\"pending_jobs\": %zu, \"seconds\": %.4f, \"started\": %d, "
            "\"bytes_per_pending_job\": %.1f},\n",
            n, dt, started, (double)(heap1 - heap0) / (double)n);
    sw_sched_destroy(s);
    free(jobs);
}

/* 10^6 pending jobs spread over 600 pools: one pass on each. */
static void bench_pass_pools(size_t n, size_t npools, FILE *out)
{
    struct sw_sched **s = calloc(npools, sizeof(*s));
    struct sw_job *jobs = calloc(n + npools, sizeof(*jobs));
    sw_error_t err = {{0}};
    uint64_t seed = 9;
    for (size_t p = 0; p < npools; p++) {
        struct sw_sched_config cfg = sw_sched_config_defaults();
        cfg.policy = SW_POLICY_EASY;
        cfg.capacity = sw_res_cores(512);
        s[p] = sw_sched_create(&cfg, &err);
        jobs[n + p] = (struct sw_job){.id = n + p + 1, .estimate = 1000000,
                                      .need = sw_res_cores(511)};
        sw_sched_submit(s[p], &jobs[n + p], 0, &err);
        sw_sched_pass(s[p], 0, NULL, NULL);
    }
    for (size_t i = 0; i < n; i++) {
        jobs[i] = (struct sw_job){.id = i + 1, .submit = 1,
                                  .estimate = 3600 + (int64_t)(next_rand(&seed) % 86400),
                                  .need = sw_res_cores(2 + (int64_t)(next_rand(&seed) % 64))};
        sw_sched_submit(s[i % npools], &jobs[i], 1, &err);
    }
    double t0 = now_s();
    int started = 0;
    for (size_t p = 0; p < npools; p++) {
        sw_sched_complete(s[p], &jobs[n + p], 2); /* force full passes */
        started += sw_sched_pass(s[p], 2, NULL, NULL);
    }
    double dt = now_s() - t0;
    fprintf(out, "  \"pass_pools\": {\"pending_jobs\": %zu, \"pools\": %zu, \"seconds\": %.4f, "
                 "\"started\": %d}\n",
            n, npools, dt, started);
    for (size_t p = 0; p < npools; p++)
        sw_sched_destroy(s[p]);
    free(s);
    free(jobs);
}

int main(int argc, char **argv)
{
    bool quick = argc > 1 && !strcmp(argv[1], "--quick");
    struct sw_network net;
    if (make_network(&net, 200, 20) < 0) {
        fprintf(stderr, "bench_core: out of memory\n");
        return 1;
    }
    printf("{\n");
    bench_placement(&net, quick ? 10000 : 100000, quick ? 10000 : 100000, stdout);
    bench_pass(quick ? 100000 : 1000000, stdout);
    bench_pass_pools(quick ? 100000 : 1000000, 600, stdout);
    printf("}\n");
    sw_network_free(&net);
    return 0;
}
