/* test_nodefit.c — declared node classes against the nodes a Slurm site
 * reports (src/core/nodefit.c), and the placer's capacity cap that follows
 * from it (sw_placer_pool_limit). Expectations worked out by hand:
 *
 * The site declares
 *   cpu   4 nodes x 32 cores, 128 GiB (131072 MiB)
 *   fat   2 nodes x 64 cores, 1 TiB (1048576 MiB)
 *   a100  2 nodes x 32 cores, 256 GiB (262144 MiB), 4 A100
 * and Slurm reports
 *   S1  3 x (32 cores, 131072 MiB)            hosts cpu
 *   S2  1 x (64 cores, 1048576 MiB)           hosts cpu, fat
 *   S3  3 x (48 cores, 262144 MiB, 4 "a100")  hosts cpu, a100 (48 < 64: not fat)
 * reported (each class alone): cpu 3+1+3 = 7, fat 1, a100 3.
 * Hand-out, most demanding class first, least capable nodes first:
 *   a100 takes 2 of S3 (1 left); fat takes S2; cpu takes S1's 3, then S3's
 *   last one (S2 is gone): cpu 4, fat 1, a100 2.
 */
#include <stdlib.h>
#include <string.h>

#include "config/job_json.h"
#include "config/network_json.h"
#include "core/nodefit.h"
#include "core/placement.h"
#include "testutil.h"

static const char *NET =
    "{\"regions\":[\"gz\"],\"intra_region\":{\"latency_ms\":0.5,\"bandwidth_gbps\":100},"
    "\"links\":[],\"sites\":[{\"name\":\"hpc\",\"region\":\"gz\",\"provider\":\"p\","
    "\"kind\":\"hpc\",\"pue\":1.2,\"carbon_g_per_kwh\":500,\"backend\":\"slurm\","
    "\"node_classes\":["
    "{\"name\":\"cpu\",\"count\":4,\"cores\":32,\"mem_gib\":128,\"price\":{\"core_hour_fen\":5}},"
    "{\"name\":\"fat\",\"count\":2,\"cores\":64,\"mem_gib\":1024,\"price\":{\"core_hour_fen\":8}},"
    "{\"name\":\"a100\",\"count\":2,\"cores\":32,\"mem_gib\":256,"
    "\"accelerators\":{\"model\":\"A100\",\"per_node\":4},\"price\":{\"accel_hour_fen\":900}}]}]}";

static struct sw_network net;

static int setup(void **state)
{
    (void)state;
    sw_error_t err = {{0}};
    if (sw_network_parse(NET, strlen(NET), "t", &net, &err) != 0)
        fail_msg("%s", err.text);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sw_network_free(&net);
    return 0;
}

static struct sw_node_shape shape(int64_t count, int64_t cores, int64_t mem, const char *model,
                                  int64_t accels)
{
    struct sw_node_shape s = {.count = count, .cores = cores, .mem_mib = mem};
    if (model) {
        snprintf(s.accel[0].model, sizeof(s.accel[0].model), "%s", model);
        s.accel[0].count = accels;
        s.naccel = 1;
    }
    return s;
}

static void expect_fit(const struct sw_class_fit *f, int64_t declared, int64_t reported,
                       int64_t schedulable)
{
    assert_int_equal(f->declared, declared);
    assert_int_equal(f->reported, reported);
    assert_int_equal(f->schedulable, schedulable);
}

static void test_hand_out(void **state)
{
    (void)state;
    struct sw_node_shape sh[] = {shape(3, 32, 131072, NULL, 0),
                                 shape(1, 64, 1048576, NULL, 0),
                                 shape(3, 48, 262144, "a100", 4)};
    struct sw_class_fit fit[3];
    sw_error_t err;
    assert_int_equal(sw_nodefit(&net, &net.sites[0], sh, 3, fit, &err), 0);
    expect_fit(&fit[0], 4, 7, 4);
    expect_fit(&fit[1], 2, 1, 1);
    expect_fit(&fit[2], 2, 3, 2);
    /* the same nodes listed in another order: the same answer */
    struct sw_node_shape rev[] = {sh[2], sh[1], sh[0]};
    assert_int_equal(sw_nodefit(&net, &net.sites[0], rev, 3, fit, &err), 0);
    expect_fit(&fit[0], 4, 7, 4);
    expect_fit(&fit[1], 2, 1, 1);
    expect_fit(&fit[2], 2, 3, 2);
}

/* A GPU node is not used up by CPU classes while plain nodes are left. */
static void test_gpu_nodes_kept(void **state)
{
    (void)state;
    struct sw_node_shape sh[] = {shape(2, 48, 262144, "A100", 4), shape(4, 32, 131072, NULL, 0)};
    struct sw_class_fit fit[3];
    sw_error_t err;
    assert_int_equal(sw_nodefit(&net, &net.sites[0], sh, 2, fit, &err), 0);
    expect_fit(&fit[0], 4, 6, 4); /* the 4 plain nodes */
    expect_fit(&fit[1], 2, 0, 0);
    expect_fit(&fit[2], 2, 2, 2);
}

static void test_shapes_that_do_not_host(void **state)
{
    (void)state;
    struct sw_class_fit fit[3];
    sw_error_t err;
    /* one MiB short of the class's memory; another GPU model; too few GPUs */
    struct sw_node_shape sh[] = {shape(8, 32, 131071, NULL, 0), shape(8, 64, 262144, "H100", 8),
                                 shape(8, 64, 262144, "A100", 2)};
    assert_int_equal(sw_nodefit(&net, &net.sites[0], sh, 3, fit, &err), 0);
    expect_fit(&fit[0], 4, 16, 4); /* the H100 and 2-A100 nodes host a cpu node */
    expect_fit(&fit[1], 2, 0, 0);
    expect_fit(&fit[2], 2, 0, 0);
    /* nothing reported: nothing schedulable */
    assert_int_equal(sw_nodefit(&net, &net.sites[0], NULL, 0, fit, &err), 0);
    expect_fit(&fit[0], 4, 0, 0);
    expect_fit(&fit[2], 2, 0, 0);
    /* more than declared: capped at declared */
    struct sw_node_shape many = shape(100, 128, 4194304, "a100", 8);
    assert_int_equal(sw_nodefit(&net, &net.sites[0], &many, 1, fit, &err), 0);
    expect_fit(&fit[0], 4, 100, 4);
    expect_fit(&fit[1], 2, 100, 2);
    expect_fit(&fit[2], 2, 100, 2);
    assert_true(sw_shape_hosts(&many, &net.sites[0].classes[2], &net.catalog));
    assert_false(sw_shape_hosts(&sh[0], &net.sites[0].classes[0], &net.catalog));
}

static int place(struct sw_placer *p, const char *json, struct sw_estimate *e, sw_error_t *err)
{
    struct sw_jobspec js;
    if (sw_jobspec_parse(json, strlen(json), &js, err) != 0)
        fail_msg("job: %s", err->text);
    struct sw_resolved r;
    int rc = sw_resolve(&net, &js, &r, err);
    if (rc == 0) {
        rc = sw_place(p, &r, js.gang ? js.tasks : 1, js.walltime_s, js.walltime_s, 0, NULL,
                      NULL, e, err);
        sw_resolved_free(&r);
    }
    sw_jobspec_free(&js);
    return rc;
}

/* The cap: a gang of 3 x 32 cores (96) fits cpu (128 cores) and fat (128);
 * with each capped at one node (32 and 64 cores) it fits neither and is
 * refused for the size of the node class (the a100 class keeps CPU-only
 * work off); one task of 32 cores still fits; lifting the caps brings the
 * gang back. */
static void test_placer_limit(void **state)
{
    (void)state;
    struct sw_placer *p = sw_placer_create(&net);
    assert_non_null(p);
    struct sw_estimate e;
    sw_error_t err = {{0}};
    const char *gang = "{\"name\":\"g\",\"command\":[\"/bin/true\"],\"tasks\":3,\"gang\":true,"
                       "\"resources\":{\"cores\":32},\"walltime\":60}";
    assert_int_equal(place(p, gang, &e, &err), 0);
    struct sw_node_class one = net.sites[0].classes[0];
    one.count = 1;
    struct sw_res cpu1 = sw_node_class_capacity(&one);
    one = net.sites[0].classes[1];
    one.count = 1;
    struct sw_res fat1 = sw_node_class_capacity(&one);
    sw_placer_pool_limit(p, 0, &cpu1);
    sw_placer_pool_limit(p, 1, &fat1);
    assert_int_equal(sw_placer_pool_usable(p, 0).v[SW_RES_CORES], 32);
    assert_int_equal(sw_placer_pool_capacity(p, 0).v[SW_RES_CORES], 128);
    assert_int_equal(place(p, gang, &e, &err), -1);
    assert_non_null(strstr(err.text, "size of the node class"));
    assert_int_equal(place(p, "{\"name\":\"t\",\"command\":[\"/bin/true\"],"
                              "\"resources\":{\"cores\":32},\"walltime\":60}", &e, &err), 0);
    sw_placer_pool_limit(p, 0, NULL);
    sw_placer_pool_limit(p, 1, NULL);
    assert_int_equal(sw_placer_pool_usable(p, 0).v[SW_RES_CORES], 128);
    assert_int_equal(place(p, gang, &e, &err), 0);
    sw_placer_destroy(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_out),
        cmocka_unit_test(test_gpu_nodes_kept),
        cmocka_unit_test(test_shapes_that_do_not_host),
        cmocka_unit_test(test_placer_limit),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
