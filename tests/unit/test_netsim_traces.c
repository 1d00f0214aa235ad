/* test_netsim_traces.c — invariants of the network simulator on the real
 * GPU traces: no node class is ever over-committed in any dimension (from
 * the units' intervals, independently of the simulator), no latency circle,
 * sovereignty list or accelerator constraint is violated, every unit starts
 * once and not before it was submitted, and the run is deterministic.
 * Skipped, with a reason, when the traces are absent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/network_json.h"
#include "sim/netsim.h"
#include "testutil.h"
#include "trace/gputrace.h"

struct edge {
    int64_t t;
    int64_t cores, accel; /* + at start, - at end */
};

static int edge_cmp(const void *a, const void *b)
{
    const struct edge *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return (x->cores > y->cores) - (x->cores < y->cores); /* ends (negative) first */
}

/* Peak use of one node class, checked against its capacity. */
static void check_pool(const struct sw_network *net, const struct sw_netsim_result *r, int site,
                       int nclass)
{
    size_t n = 0;
    struct edge *e = calloc(2 * r->nunits + 1, sizeof(*e));
    assert_non_null(e);
    for (size_t i = 0; i < r->nunits; i++) {
        const struct sw_netsim_unit *u = &r->units[i];
        if (u->start < 0 || u->site != site || u->nclass != nclass)
            continue;
        e[n++] = (struct edge){u->start, u->cores, u->accel_milli};
        e[n++] = (struct edge){u->end, -u->cores, -u->accel_milli};
    }
    qsort(e, n, sizeof(*e), edge_cmp);
    struct sw_res cap = sw_node_class_capacity(&net->sites[site].classes[nclass]);
    int64_t cores = 0, accel = 0;
    for (size_t i = 0; i < n; i++) {
        cores += e[i].cores;
        accel += e[i].accel;
        if (cores > cap.v[SW_RES_CORES] || accel > cap.v[SW_RES_ACCEL])
            fail_msg("%s/%s over-committed at t=%lld: %lld cores, %lld milli-accel",
                     net->sites[site].name, net->sites[site].classes[nclass].name,
                     (long long)e[i].t, (long long)cores, (long long)accel);
    }
    free(e);
}

static void check_result(const struct sw_network *net, const struct sw_workload *w,
                         const struct sw_netsim_result *r)
{
    assert_int_equal(r->m.latency_violations, 0);
    for (size_t i = 0; i < r->nunits; i++) {
        const struct sw_netsim_unit *u = &r->units[i];
        if (u->rejected)
            continue;
        assert_true(u->start >= u->submit);
        assert_true(u->end > u->start);
        assert_true(u->site >= 0);
        if (u->max_latency_ms > 0)
            assert_true(u->latency_ms <= u->max_latency_ms);
    }
    (void)w;
    for (size_t s = 0; s < net->nsites; s++)
        for (size_t c = 0; c < net->sites[s].nclasses; c++)
            check_pool(net, r, (int)s, (int)c);
}

/* Every unit's model is one its job accepts. */
static void check_models(const struct sw_network *net, const struct sw_workload *w,
                         const struct sw_netsim_result *r)
{
    size_t k = 0;
    for (size_t j = 0; j < w->n; j++) {
        const struct sw_jobspec *js = &w->jobs[j];
        size_t units = js->gang ? 1 : (size_t)js->tasks;
        for (size_t u = 0; u < units; u++, k++) {
            const struct sw_netsim_unit *x = &r->units[k];
            if (x->rejected || js->accel.models.n == 0 || x->model < 0)
                continue;
            bool ok = false;
            for (size_t m = 0; m < js->accel.models.n; m++)
                ok |= !strcmp(js->accel.models.names[m], net->catalog.models[x->model].name);
            if (!ok && !js->accel.equivalent)
                fail_msg("job %llu placed on %s, not among its models",
                         (unsigned long long)js->id, net->catalog.models[x->model].name);
        }
    }
}

static void run_twice_and_check(const struct sw_network *net, const struct sw_workload *w)
{
    struct sw_netsim_options o = {.policy = SW_POLICY_EASY, .order = SW_ORDER_SUBMIT};
    struct sw_netsim_result r1, r2;
    sw_error_t err = {{0}};
    if (sw_netsim_run(net, w, &o, &r1, &err) != 0)
        fail_msg("%s", err.text);
    printf("# %zu jobs, %zu units, %zu rejected, mean wait %.1f s, %.1f P-hours, %.0f GB moved\n",
           r1.m.jobs, r1.m.units, r1.m.rejected, r1.m.mean_wait_s, r1.m.p_hours,
           r1.m.data_moved_gb);
    check_result(net, w, &r1);
    check_models(net, w, &r1);
    if (sw_netsim_run(net, w, &o, &r2, &err) != 0)
        fail_msg("%s", err.text);
    assert_int_equal(r1.nunits, r2.nunits);
    assert_memory_equal(r1.units, r2.units, r1.nunits * sizeof(*r1.units));
    sw_netsim_result_free(&r1, net->nsites);
    sw_netsim_result_free(&r2, net->nsites);
}

static const char *example(const char *name)
{
    static char path[4096];
    snprintf(path, sizeof(path), "%s/../../examples/%s", SW_TEST_DATA_DIR, name);
    return path;
}

/* The ten Microsoft ITP clusters, users in five Guangdong cities, each job
 * reading 50 GB from its city, on the Greater Bay Area network. */
static void itp_on_guangdong(void **state)
{
    (void)state;
    const char *dir = sw_test_trace_path("gpu/microsoft-itp");
    if (!dir)
        skip();
    static const char *origins[] = {"guangzhou", "shenzhen", "foshan",   "dongguan", "guangzhou",
                                    "shenzhen",  "zhuhai",   "huizhou", "guangzhou", "shenzhen"};
    char paths[10][4200];
    struct sw_itp_source src[10];
    for (int i = 0; i < 10; i++) {
        snprintf(paths[i], sizeof(paths[i]), "%s/cluster%02d.csv", dir, i + 1);
        src[i].path = paths[i];
        src[i].origin = origins[i];
    }
    struct sw_network net = {0};
    sw_error_t err = {{0}};
    if (sw_network_load(example("guangdong.json"), &net, &err) != 0)
        fail_msg("%s", err.text);
    struct sw_itp_options o = sw_itp_defaults();
    o.data_gb = 50;
    o.max_latency_ms = 5; /* users want their jobs within the 5 ms province circle */
    struct sw_workload w = {0};
    if (sw_itp_read_many(src, 10, &o, &w, &err) != 0)
        fail_msg("%s", err.text);
    run_twice_and_check(&net, &w);
    sw_workload_free(&w);
    sw_network_free(&net);
}

/* Alibaba 2023: its real heterogeneous nodes, pods with model constraints
 * and fractional GPUs. */
static void alibaba_on_its_nodes(void **state)
{
    (void)state;
    const char *nodes = sw_test_trace_path("gpu/alibaba-2023/openb_node_list_gpu_node.csv");
    if (!nodes)
        skip();
    char nodes_path[4200];
    snprintf(nodes_path, sizeof(nodes_path), "%s", nodes);
    const char *pods = sw_test_trace_path("gpu/alibaba-2023/openb_pod_list_gpuspec33.csv");
    if (!pods)
        skip();
    struct sw_network net = {0};
    sw_error_t err = {{0}};
    if (sw_alibaba_network(nodes_path, &net, &err) != 0)
        fail_msg("%s", err.text);
    struct sw_workload w = {0};
    if (sw_alibaba_read(pods, NULL, &w, &err) != 0)
        fail_msg("%s", err.text);
    run_twice_and_check(&net, &w);
    sw_workload_free(&w);
    sw_network_free(&net);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(itp_on_guangdong),
        cmocka_unit_test(alibaba_on_its_nodes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
