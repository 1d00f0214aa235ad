/* test_whatif.c — what-if edits of a network, and their effect on a
 * simulation: adding accelerators where jobs queue cuts their wait. */
#include <string.h>

#include "config/job_json.h"
#include "config/network_json.h"
#include "core/whatif.h"
#include "sim/netsim.h"
#include "testutil.h"

/* Two regions; one site with 2 nodes x 8 A100. */
static const char *NET =
    "{\"regions\":[\"shaoguan\",\"guangzhou\"],"
    "\"links\":[{\"a\":\"shaoguan\",\"b\":\"guangzhou\",\"latency_ms\":3,\"bandwidth_gbps\":400}],"
    "\"sites\":[{\"name\":\"sg-ai\",\"region\":\"shaoguan\",\"provider\":\"p\",\"kind\":\"ai\","
    "\"pue\":1.2,\"carbon_g_per_kwh\":400,\"backend\":\"local\",\"node_classes\":[{\"name\":"
    "\"a100\",\"count\":2,\"cores\":64,\"mem_gib\":512,\"accelerators\":{\"model\":\"A100\","
    "\"per_node\":8},\"price\":{\"accel_hour_fen\":1000}}]}]}";

static void load(struct sw_network *net)
{
    sw_error_t err = {{0}};
    if (sw_network_parse(NET, strlen(NET), "t", net, &err) != 0)
        fail_msg("%s", err.text);
}

static void add_to_existing_site(void **state)
{
    (void)state;
    struct sw_network net;
    load(&net);
    sw_error_t err = {{0}};
    double before = sw_network_pflops(&net); /* 16 x 312 TFLOPS = 4.992 P */
    assert_int_equal(sw_whatif_apply(&net, "add sg-ai: 2000 x Ascend910B", &err), 0);
    assert_int_equal(net.sites[0].nclasses, 2);
    const struct sw_node_class *nc = &net.sites[0].classes[1];
    assert_int_equal(nc->count, 250); /* 2000 / 8 per node */
    assert_int_equal(nc->accels, 8);
    assert_int_equal(nc->price_accel_hour_fen, 1000); /* the site's price */
    /* + 2000 x 313 TFLOPS = 626 P */
    assert_true(sw_network_pflops(&net) - before > 625.9 && sw_network_pflops(&net) - before < 626.1);
    sw_network_free(&net);
}

static void add_new_site_and_links(void **state)
{
    (void)state;
    struct sw_network net;
    load(&net);
    sw_error_t err = {{0}};
    assert_int_equal(sw_whatif_apply(&net, "add gz-new@guangzhou: 4 x H100", &err), 0);
    assert_int_equal(net.nsites, 2);
    assert_string_equal(net.sites[1].name, "gz-new");
    assert_int_equal(net.sites[1].classes[0].count, 1);
    assert_int_equal(net.sites[1].classes[0].accels, 4);
    assert_int_equal(sw_whatif_apply(&net, "bandwidth guangzhou-shaoguan x2", &err), 0);
    assert_true(sw_network_bandwidth(&net, 0, 1) == 800 && sw_network_bandwidth(&net, 1, 0) == 800);
    assert_int_equal(sw_whatif_apply(&net, "latency shaoguan-guangzhou 2.5", &err), 0);
    assert_true(sw_network_latency(&net, 1, 0) == 2.5);
    sw_network_free(&net);
}

static void errors_name_the_problem(void **state)
{
    (void)state;
    struct sw_network net;
    load(&net);
    sw_error_t err = {{0}};
    assert_int_equal(sw_whatif_apply(&net, "add sg-ai: 10 x Ascend901B", &err), -1);
    assert_string_equal(err.text, "what-if: unknown model \"Ascend901B\"; did you mean \"Ascend910B\"?");
    assert_int_equal(sw_whatif_apply(&net, "add sg-aj: 10 x A100", &err), -1);
    assert_string_equal(err.text, "what-if: unknown site \"sg-aj\"; did you mean \"sg-ai\"?");
    assert_int_equal(sw_whatif_apply(&net, "bandwidth guangzou-shaoguan x2", &err), -1);
    assert_non_null(strstr(err.text, "did you mean \"guangzhou\""));
    assert_int_equal(sw_whatif_apply(&net, "double it", &err), -1);
    assert_non_null(strstr(err.text, "add SITE: N x MODEL"));
    assert_int_equal(net.sites[0].nclasses, 1); /* unchanged */
    sw_network_free(&net);
}

/* 6 jobs of 8 GPUs x 1 h at t=0 on 16 GPUs: two run at a time, waits 0, 0,
 * 3600, 3600, 7200, 7200 (mean 3600). With 32 more A100s all six start at
 * once: mean wait 0. */
static void more_capacity_cuts_waits(void **state)
{
    (void)state;
    struct sw_network net, more;
    load(&net);
    load(&more);
    sw_error_t err = {{0}};
    assert_int_equal(sw_whatif_apply(&more, "add sg-ai: 32 x A100", &err), 0);
    struct sw_workload w = {0};
    w.jobs = calloc(6, sizeof(*w.jobs));
    assert_non_null(w.jobs);
    const char *job = "{\"name\":\"j\",\"command\":[\"/bin/true\"],\"resources\":{\"gpus\":8},"
                      "\"walltime\":3600}";
    for (int i = 0; i < 6; i++) {
        assert_int_equal(sw_jobspec_parse(job, strlen(job), &w.jobs[i], &err), 0);
        w.jobs[i].id = (uint64_t)i + 1;
        w.n++;
    }
    struct sw_netsim_options o = {.policy = SW_POLICY_EASY};
    struct sw_netsim_result a, b;
    assert_int_equal(sw_netsim_run(&net, &w, &o, &a, &err), 0);
    assert_int_equal(sw_netsim_run(&more, &w, &o, &b, &err), 0);
    if (a.m.mean_wait_s != 3600.0)
        fail_msg("mean wait %.3f, expected 3600", a.m.mean_wait_s);
    assert_true(b.m.mean_wait_s == 0.0);
    sw_netsim_result_free(&a, net.nsites);
    sw_netsim_result_free(&b, more.nsites);
    sw_workload_free(&w);
    sw_network_free(&net);
    sw_network_free(&more);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(add_to_existing_site),
        cmocka_unit_test(add_new_site_and_links),
        cmocka_unit_test(errors_name_the_problem),
        cmocka_unit_test(more_capacity_cuts_waits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
