/* test_placement.c — hand-computed expectations for each placement rule:
 * latency circle, data gravity, equivalence and classes, price, carbon,
 * gang vs array, rejection reasons, deadline and budget admission, and
 * preemption of spot by realtime (through the network simulator).
 *
 * The test network (catalog figures: A100 312 TFLOPS 400 W, H100 989 TFLOPS
 * 700 W, V100 125 TFLOPS 300 W; 10 W per core):
 *   regions sg, gz, sz; inside a region 0.5 ms, 400 Gbit/s;
 *   sg-gz 3 ms 400 G, sg-sz 3.5 ms 100 G, gz-sz 1 ms 100 G
 *   sg-ai    (sg, PUE 1.1, 300 g/kWh): 10 nodes x 8 A100, 64 cores, 1000 fen/GPU-h
 *   gz-ai    (gz, PUE 1.5, 600 g/kWh): 10 nodes x 8 H100, 64 cores, 3000 fen/GPU-h
 *   sz-cloud (sz, PUE 1.3, 500 g/kWh): 100 CPU nodes x 32 cores at 10 fen/core-h,
 *                                       4 nodes x 8 V100, 32 cores at 500 fen/GPU-h
 * A job of 8 GPUs, 1 core, "A100" equivalent, 3600 s on an A100 runs
 *   on H100: ceil(3600 x 312 / 989) = 1136 s; on V100: ceil(3600 x 312 / 125) = 8986 s.
 */
#include <math.h>
#include <string.h>

#include "config/job_json.h"
#include "config/network_json.h"
#include "core/placement.h"
#include "sim/netsim.h"
#include "testutil.h"

static const char *NET =
    "{\"regions\":[\"sg\",\"gz\",\"sz\"],"
    "\"intra_region\":{\"latency_ms\":0.5,\"bandwidth_gbps\":400},"
    "\"links\":[{\"a\":\"sg\",\"b\":\"gz\",\"latency_ms\":3,\"bandwidth_gbps\":400},"
    "{\"a\":\"sg\",\"b\":\"sz\",\"latency_ms\":3.5,\"bandwidth_gbps\":100},"
    "{\"a\":\"gz\",\"b\":\"sz\",\"latency_ms\":1,\"bandwidth_gbps\":100}],"
    "\"sites\":["
    "{\"name\":\"sg-ai\",\"region\":\"sg\",\"provider\":\"p-sg\",\"kind\":\"ai\",\"pue\":1.1,"
    "\"carbon_g_per_kwh\":300,\"backend\":\"local\",\"node_classes\":[{\"name\":\"a100\","
    "\"count\":10,\"cores\":64,\"mem_gib\":512,\"accelerators\":{\"model\":\"A100\",\"per_node\":8},"
    "\"price\":{\"accel_hour_fen\":1000}}]},"
    "{\"name\":\"gz-ai\",\"region\":\"gz\",\"provider\":\"p-gz\",\"kind\":\"ai\",\"pue\":1.5,"
    "\"carbon_g_per_kwh\":600,\"backend\":\"local\",\"node_classes\":[{\"name\":\"h100\","
    "\"count\":10,\"cores\":64,\"mem_gib\":512,\"accelerators\":{\"model\":\"H100\",\"per_node\":8},"
    "\"price\":{\"accel_hour_fen\":3000}}]},"
    "{\"name\":\"sz-cloud\",\"region\":\"sz\",\"provider\":\"p-sz\",\"kind\":\"cloud\",\"pue\":1.3,"
    "\"carbon_g_per_kwh\":500,\"backend\":\"local\",\"node_classes\":["
    "{\"name\":\"cpu\",\"count\":100,\"cores\":32,\"mem_gib\":128,\"price\":{\"core_hour_fen\":10}},"
    "{\"name\":\"v100\",\"count\":4,\"cores\":32,\"mem_gib\":256,"
    "\"accelerators\":{\"model\":\"V100\",\"per_node\":8},\"price\":{\"accel_hour_fen\":500}}]}]}";

/* A job of 8 GPUs ("A100", equivalent), 3600 s, with extra fields. */
#define GPU8 "\"resources\":{\"gpus\":{\"count\":8,\"model\":\"A100\",\"equivalent\":true}}"

struct fixture {
    struct sw_network net;
    struct sw_placer *placer;
};

static int setup(void **state)
{
    static struct fixture f;
    sw_error_t err = {{0}};
    if (sw_network_parse(NET, strlen(NET), "test-net", &f.net, &err) != 0)
        fail_msg("%s", err.text);
    f.placer = sw_placer_create(&f.net);
    assert_non_null(f.placer);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    sw_placer_destroy(f->placer);
    sw_network_free(&f->net);
    return 0;
}

/* Place `json` at t=0 with no queue wait; returns 0 or -1 (message in err). */
static int place(struct fixture *f, const char *json, struct sw_estimate *e, sw_error_t *err)
{
    struct sw_jobspec js;
    if (sw_jobspec_parse(json, strlen(json), &js, err) != 0)
        fail_msg("job: %s", err->text);
    struct sw_resolved r;
    int rc = sw_resolve(&f->net, &js, &r, err);
    if (rc == 0) {
        int64_t ntasks = js.gang ? js.tasks : 1;
        int64_t run = js.runtime_estimate_s > 0 ? js.runtime_estimate_s : js.walltime_s;
        rc = sw_place(f->placer, &r, ntasks, run, js.walltime_s, 0, NULL, NULL, e, err);
        sw_resolved_free(&r);
    }
    sw_jobspec_free(&js);
    return rc;
}

static const char *site_of(struct fixture *f, const struct sw_estimate *e)
{
    return f->net.sites[e->site].name;
}

/* Latency circle: around gz within 1 ms only gz-ai (0.5) and sz (1.0) remain;
 * fastest is the H100 (1136 s). Within 0.4 ms nothing remains. */
static void latency_circle(void **state)
{
    struct fixture *f = *state;
    struct sw_estimate e;
    sw_error_t err = {{0}};
    assert_int_equal(place(f, "{\"name\":\"x\",\"command\":[\"/bin/true\"]," GPU8 ","
                              "\"walltime\":3600,\"near\":\"gz:1ms\"}", &e, &err), 0);
    assert_string_equal(site_of(f, &e), "gz-ai");
    assert_int_equal(e.runtime_s, 1136);
    assert_true(fabs(e.latency_ms - 0.5) < 1e-9);
    assert_int_equal(place(f, "{\"name\":\"x\",\"command\":[\"/bin/true\"]," GPU8 ","
                              "\"walltime\":3600,\"near\":{\"region\":\"gz\",\"max_ms\":0.4}}",
                           &e, &err), -1);
    assert_non_null(strstr(err.text, "latency circle of 0.4 ms around gz"));
    assert_non_null(strstr(err.text, "the nearest, gz-ai, is 0.5 ms away"));
}

/* Data gravity: 100 TB in sz takes 1e8 MB x 8 / 100,000 Mbit/s = 8000 s to
 * move to gz or sg; sz's V100s (8986 s) beat gz (8000 + 1136 = 9136) and sg
 * (8000 + 3600). With 10 TB (800 s) gz wins again: 1936 s. */
static void data_gravity(void **state)
{
    struct fixture *f = *state;
    struct sw_estimate e;
    sw_error_t err = {{0}};
    assert_int_equal(place(f, "{\"name\":\"x\",\"command\":[\"/bin/true\"]," GPU8 ","
                              "\"walltime\":3600,\"data\":{\"inputs\":[{\"name\":\"d\","
                              "\"size\":\"100TB\",\"region\":\"sz\"}]}}", &e, &err), 0);
    assert_string_equal(site_of(f, &e), "sz-cloud");
    assert_int_equal(e.completion, 8986);
    assert_true(e.data_moved_gb == 0);
    assert_int_equal(place(f, "{\"name\":\"x\",\"command\":[\"/bin/true\"]," GPU8 ","
                              "\"walltime\":3600,\"data\":{\"inputs\":[{\"name\":\"d\","
                              "\"size\":\"10TB\",\"region\":\"sz\"}]}}", &e, &err), 0);
    assert_string_equal(site_of(f, &e), "gz-ai");
    assert_int_equal(e.staging_s, 800);
    assert_int_equal(e.completion, 1936);
    assert_true(fabs(e.data_moved_gb - 10000) < 1e-6);
}

/* Equivalence: without it only the A100s qualify (3600 s, unscaled); the
 * class "any with >= 64 GiB" admits A100 and H100 (80 GiB) but not V100. */
static void equivalence_and_classes(void **state)
{
    struct fixture *f = *state;
    struct sw_estimate e;
    sw_error_t err = {{0}};
    assert_int_equal(place(f, "{\"name\":\"x\",\"command\":[\"/bin/true\"],\"resources\":"
                              "{\"gpus\":{\"count\":8,\"model\":\"A100\"}},\"walltime\":3600}",
                           &e, &err), 0);
    assert_string_equal(site_of(f, &e), "sg-ai");
    assert_int_equal(e.runtime_s, 3600);
    assert_int_equal(place(f, "{\"name\":\"x\",\"command\":[\"/bin/true\"],\"resources\":"
                              "{\"gpus\":{\"count\":8,\"min_mem_gib\":64,\"ref_model\":\"A100\"}},"
                              "\"walltime\":3600,\"objective\":\"cheapest\","
                              "\"placement\":{\"sites\":{\"forbid\":[\"gz-ai\"]}}}", &e, &err), 0);
    assert_string_equal(site_of(f, &e), "sg-ai");
    /* the V100s (32 GiB) do not qualify: restricted to sz nothing remains */
    assert_int_equal(place(f, "{\"name\":\"x\",\"command\":[\"/bin/true\"],\"resources\":"
                              "{\"gpus\":{\"count\":8,\"min_mem_gib\":64}},\"walltime\":3600,"
                              "\"placement\":{\"sites\":{\"allow\":[\"sz-cloud\"]}}}", &e, &err), -1);
    assert_non_null(strstr(err.text, "accelerator model"));
    /* …but with 32 GiB they do */
    assert_int_equal(place(f, "{\"name\":\"x\",\"command\":[\"/bin/true\"],\"resources\":"
                              "{\"gpus\":{\"count\":8,\"min_mem_gib\":32}},\"walltime\":3600,"
                              "\"placement\":{\"sites\":{\"allow\":[\"sz-cloud\"]}}}", &e, &err), 0);
    assert_string_equal(site_of(f, &e), "sz-cloud");
}

/* Price: cheapest. sg 1000 x 8 x 1 h = 8000 fen; gz 3000 x 8 x 1136/3600 =
 * 7573.3 -> 7574 fen; sz 500 x 8 x 8986/3600 = 9984.4 -> 9985 fen. With a
 * cap of 2000 fen per GPU-hour gz is out and sg wins. */
static void price_cheapest(void **state)
{
    struct fixture *f = *state;
    struct sw_estimate e;
    sw_error_t err = {{0}};
    assert_int_equal(place(f, "{\"name\":\"x\",\"command\":[\"/bin/true\"]," GPU8 ","
                              "\"walltime\":3600,\"objective\":\"cheapest\"}", &e, &err), 0);
    assert_string_equal(site_of(f, &e), "gz-ai");
    assert_int_equal(e.cost_fen, 7574);
    assert_int_equal(place(f, "{\"name\":\"x\",\"command\":[\"/bin/true\"]," GPU8 ","
                              "\"walltime\":3600,\"objective\":\"cheapest\","
                              "\"max_price_fen\":2000}", &e, &err), 0);
    assert_string_equal(site_of(f, &e), "sg-ai");
    assert_int_equal(e.cost_fen, 8000);
}

/* Carbon: greenest. sg (10 + 8 x 400 W) x 1 h = 3.21 kWh x 1.1 x 300 =
 * 1059.3 g; gz 5610 W x 1136 s = 1.7703 kWh x 1.5 x 600 = 1593.3 g;
 * sz 2410 W x 8986 s = 6.0157 kWh x 1.3 x 500 = 3910.2 g. */
static void carbon_greenest(void **state)
{
    struct fixture *f = *state;
    struct sw_estimate e;
    sw_error_t err = {{0}};
    assert_int_equal(place(f, "{\"name\":\"x\",\"command\":[\"/bin/true\"]," GPU8 ","
                              "\"walltime\":3600,\"objective\":\"greenest\"}", &e, &err), 0);
    assert_string_equal(site_of(f, &e), "sg-ai");
    assert_true(fabs(e.carbon_g - 1059.3) < 0.01);
    assert_true(fabs(e.energy_kwh - 3.21) < 1e-9);
}

/* A gang of 16 x 8 GPUs (128) fits no single node class (80, 80, 32): the
 * reason is the size of the node class. */
static void gang_too_big_is_rejected_with_reason(void **state)
{
    struct fixture *f = *state;
    struct sw_estimate e;
    sw_error_t err = {{0}};
    assert_int_equal(place(f, "{\"name\":\"x\",\"command\":[\"/bin/true\"]," GPU8 ","
                              "\"walltime\":3600,\"tasks\":16,\"gang\":true}", &e, &err), -1);
    assert_non_null(strstr(err.text, "size of the node class"));
}

/* Names are checked with "did you mean"; sovereignty + latency together. */
static void rejection_reasons(void **state)
{
    struct fixture *f = *state;
    struct sw_estimate e;
    sw_error_t err = {{0}};
    assert_int_equal(place(f, "{\"name\":\"x\",\"command\":[\"/bin/true\"]," GPU8 ","
                              "\"near\":\"gx:3ms\"}", &e, &err), -1);
    assert_string_equal(err.text, "near.region: unknown region \"gx\"; did you mean \"gz\"?");
    assert_int_equal(place(f, "{\"name\":\"x\",\"command\":[\"/bin/true\"]," GPU8 ","
                              "\"near\":\"gz:1ms\",\"placement\":{\"regions\":"
                              "{\"allow\":[\"sg\"]}}}", &e, &err), -1);
    assert_non_null(strstr(err.text, "the nearest, sg-ai, is 3.0 ms away"));
    assert_int_equal(place(f, "{\"name\":\"x\",\"command\":[\"/bin/true\"],\"resources\":"
                              "{\"gpus\":{\"count\":8,\"model\":\"A100\"}},\"placement\":"
                              "{\"providers\":{\"forbid\":[\"p-sg\"]}}}", &e, &err), -1);
    assert_non_null(strstr(err.text, "accelerator model"));
}

/* Admission: the earliest completion is 1136 s (gz); the cheapest cost 7574. */
static void deadline_and_budget_admission(void **state)
{
    struct fixture *f = *state;
    struct sw_estimate e;
    sw_error_t err = {{0}};
    assert_int_equal(place(f, "{\"name\":\"x\",\"command\":[\"/bin/true\"]," GPU8 ","
                              "\"walltime\":3600,\"deadline\":1000}", &e, &err), -1);
    assert_string_equal(err.text, "the deadline (t=1000) cannot be met: the earliest estimated "
                                  "completion is t=1136 at gz-ai");
    assert_int_equal(place(f, "{\"name\":\"x\",\"command\":[\"/bin/true\"]," GPU8 ","
                              "\"walltime\":3600,\"deadline\":1136}", &e, &err), 0);
    assert_int_equal(place(f, "{\"name\":\"x\",\"command\":[\"/bin/true\"]," GPU8 ","
                              "\"walltime\":3600,\"budget_fen\":100}", &e, &err), -1);
    assert_string_equal(err.text, "the budget (100 fen) is too small: the cheapest placement "
                                  "costs 7574 fen at gz-ai");
}

/* A workload class's measured throughputs replace the FP16 ratio: with
 * P100 at 0.5 of a V100 a 1000 s V100 job takes 2000 s on a P100; by FP16
 * TFLOPS (125 vs 18.7) it would take ceil(1000 x 125 / 18.7) = 6685 s. */
static void workload_class_throughput(void **state)
{
    (void)state;
    const char *net_json =
        "{\"regions\":[\"r\"],\"throughput\":{\"resnet\":{\"V100\":1.0,\"P100\":0.5}},"
        "\"sites\":[{\"name\":\"s\",\"region\":\"r\",\"provider\":\"p\",\"kind\":\"ai\","
        "\"pue\":1.2,\"carbon_g_per_kwh\":400,\"backend\":\"local\",\"node_classes\":[{\"name\":"
        "\"p100\",\"count\":1,\"cores\":16,\"mem_gib\":64,\"accelerators\":{\"model\":\"P100\","
        "\"per_node\":4},\"price\":{\"accel_hour_fen\":100}}]}]}";
    struct fixture f;
    sw_error_t err = {{0}};
    if (sw_network_parse(net_json, strlen(net_json), "t", &f.net, &err) != 0)
        fail_msg("%s", err.text);
    f.placer = sw_placer_create(&f.net);
    struct sw_estimate e;
    assert_int_equal(place(&f, "{\"name\":\"x\",\"command\":[\"/bin/true\"],\"resources\":{"
                               "\"gpus\":{\"count\":1,\"model\":\"V100\",\"equivalent\":true,"
                               "\"workload_class\":\"resnet\"}},\"walltime\":1000}", &e, &err), 0);
    assert_int_equal(e.runtime_s, 2000);
    assert_int_equal(place(&f, "{\"name\":\"x\",\"command\":[\"/bin/true\"],\"resources\":{"
                               "\"gpus\":{\"count\":1,\"model\":\"V100\",\"equivalent\":true}},"
                               "\"walltime\":1000}", &e, &err), 0);
    assert_int_equal(e.runtime_s, 6685);
    sw_placer_destroy(f.placer);
    sw_network_free(&f.net);
}

/* ---- through the network simulator --------------------------------------- */

static void run_net(struct fixture *f, const char *jsonl_lines[], size_t n,
                    struct sw_netsim_result *r)
{
    struct sw_workload w = {0};
    w.jobs = calloc(n, sizeof(*w.jobs));
    assert_non_null(w.jobs);
    sw_error_t err = {{0}};
    for (size_t i = 0; i < n; i++) {
        if (sw_jobspec_parse(jsonl_lines[i], strlen(jsonl_lines[i]), &w.jobs[i], &err) != 0)
            fail_msg("%s", err.text);
        w.jobs[i].id = i + 1;
        w.n++;
    }
    struct sw_netsim_options o = {.policy = SW_POLICY_EASY, .order = SW_ORDER_SUBMIT};
    if (sw_netsim_run(&f->net, &w, &o, r, &err) != 0)
        fail_msg("%s", err.text);
    sw_workload_free(&w);
}

/* An array of 40 tasks x 8 GPUs (320 GPUs) cannot fit one site (80, 80, 32)
 * at once: it spreads; a gang of 8 x 8 is one unit at one site. */
static void array_spreads_gang_stays_together(void **state)
{
    struct fixture *f = *state;
    const char *jobs[] = {
        "{\"name\":\"arr\",\"command\":[\"/bin/true\"]," GPU8 ",\"walltime\":3600,\"tasks\":40}",
        "{\"name\":\"gang\",\"command\":[\"/bin/true\"]," GPU8 ",\"walltime\":3600,"
        "\"tasks\":8,\"gang\":true,\"submit\":10}",
    };
    struct sw_netsim_result r;
    run_net(f, jobs, 2, &r);
    assert_int_equal(r.nunits, 41);
    int used[3] = {0};
    for (size_t i = 0; i < 40; i++) {
        assert_true(r.units[i].site >= 0);
        used[r.units[i].site] = 1;
    }
    assert_true(used[0] + used[1] + used[2] >= 2);
    assert_int_equal(r.units[40].tasks, 8);
    assert_int_equal(r.units[40].accel_milli, 64000);
    assert_int_equal(r.m.latency_violations, 0);
    sw_netsim_result_free(&r, f->net.nsites);
}

/* Preemption: a spot job holds all 80 A100s of sg-ai from t=0 (10,000 s);
 * a realtime job restricted to sg-ai arrives at t=100 needing 80 GPUs for
 * 500 s: the spot job is preempted and requeued, the realtime job starts at
 * 100 and ends at 600, and the spot job runs again from 600 to 10,600. */
static void realtime_preempts_spot(void **state)
{
    struct fixture *f = *state;
    const char *jobs[] = {
        "{\"name\":\"spot\",\"command\":[\"/bin/true\"],\"resources\":{\"gpus\":{\"count\":8,"
        "\"model\":\"A100\"}},\"tasks\":10,\"gang\":true,\"walltime\":10000,\"qos\":\"spot\"}",
        "{\"name\":\"rt\",\"command\":[\"/bin/true\"],\"resources\":{\"gpus\":{\"count\":8,"
        "\"model\":\"A100\"}},\"tasks\":10,\"gang\":true,\"walltime\":500,\"qos\":\"realtime\","
        "\"submit\":100}",
    };
    struct sw_netsim_result r;
    run_net(f, jobs, 2, &r);
    assert_int_equal(r.m.preemptions, 1);
    assert_int_equal(r.units[1].start, 100);
    assert_int_equal(r.units[1].end, 600);
    assert_int_equal(r.units[0].attempts, 2);
    assert_int_equal(r.units[0].start, 600);
    assert_int_equal(r.units[0].end, 10600);
    sw_netsim_result_free(&r, f->net.nsites);
}

/* Figures a network file may hold but no real one has (found with
 * tests/fuzz, network_json): a model of 1e-300 TFLOPS makes a compute_tflops
 * job need more devices than any node has (refused by the node filter,
 * where the count used to overflow), and a link of 1e-300 Gbit/s makes
 * staging as long as the longest time (where the seconds used to overflow
 * the conversion to an integer); a million nodes of 1024 such devices at
 * 10^10 yuan an hour cost more than int64 holds (the cost saturates, where
 * the 128-bit product used to overflow, and so does the budget message). */
static void absurd_figures_saturate(void **state)
{
    (void)state;
    static const char *net_json =
        "{\"regions\":[\"a\",\"b\"],"
        "\"links\":[{\"a\":\"a\",\"b\":\"b\",\"latency_ms\":1,\"bandwidth_gbps\":1e-300}],"
        "\"catalog\":[{\"name\":\"X1\",\"mem_gib\":1,\"fp16_tflops\":1e-300,\"watts\":1}],"
        "\"sites\":[{\"name\":\"s\",\"region\":\"a\",\"provider\":\"p\",\"kind\":\"ai\","
        "\"pue\":1,\"carbon_g_per_kwh\":1,\"node_classes\":["
        "{\"name\":\"x1\",\"count\":1000000,\"cores\":8,\"mem_gib\":8,"
        "\"accelerators\":{\"model\":\"X1\",\"per_node\":1024},"
        "\"price\":{\"accel_hour_fen\":1000000000000}},"
        "{\"name\":\"cpu\",\"count\":1,\"cores\":8,\"mem_gib\":8,"
        "\"price\":{\"core_hour_fen\":1}}]}]}";
    struct fixture f;
    sw_error_t err = {{0}};
    if (sw_network_parse(net_json, strlen(net_json), "absurd", &f.net, &err) != 0)
        fail_msg("%s", err.text);
    f.placer = sw_placer_create(&f.net);
    assert_non_null(f.placer);
    struct sw_estimate e;
    assert_int_equal(place(&f, "{\"name\":\"x\",\"command\":[\"x\"],\"resources\":{\"gpus\":"
                               "{\"compute_tflops\":1000,\"model\":\"X1\"}}}", &e, &err), -1);
    assert_non_null(strstr(err.text, "resources per node"));
    assert_int_equal(place(&f, "{\"name\":\"x\",\"command\":[\"x\"],\"data\":{\"inputs\":"
                               "[{\"name\":\"d\",\"size\":\"1TB\",\"region\":\"b\"}]}}", &e, &err), 0);
    assert_int_equal(e.staging_s, SW_TIME_MAX);
    assert_int_equal(e.start, SW_TIME_MAX);
    assert_int_equal(place(&f, "{\"name\":\"x\",\"command\":[\"x\"],\"tasks\":1000000,"
                               "\"gang\":true,\"resources\":{\"gpus\":{\"count\":1024,"
                               "\"equivalent\":true,\"ref_model\":\"H100\"}},\"walltime\":\"366d\"}",
                           &e, &err), 0);
    assert_int_equal(e.cost_fen, INT64_MAX);
    assert_int_equal(place(&f, "{\"name\":\"x\",\"command\":[\"x\"],\"tasks\":1000000,"
                               "\"resources\":{\"gpus\":{\"count\":1024,\"equivalent\":true,"
                               "\"ref_model\":\"H100\"}},\"walltime\":\"366d\",\"budget_fen\":1}",
                           &e, &err), -1);
    assert_non_null(strstr(err.text, "costs over 9223372036854775807 fen"));
    sw_placer_destroy(f.placer);
    sw_network_free(&f.net);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(latency_circle),
        cmocka_unit_test(data_gravity),
        cmocka_unit_test(equivalence_and_classes),
        cmocka_unit_test(price_cheapest),
        cmocka_unit_test(carbon_greenest),
        cmocka_unit_test(gang_too_big_is_rejected_with_reason),
        cmocka_unit_test(rejection_reasons),
        cmocka_unit_test(deadline_and_budget_admission),
        cmocka_unit_test(workload_class_throughput),
        cmocka_unit_test(array_spreads_gang_stays_together),
        cmocka_unit_test(realtime_preempts_spot),
        cmocka_unit_test(absurd_figures_saturate),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
