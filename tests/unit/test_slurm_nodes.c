/* test_slurm_nodes.c — a Slurm site's nodes grouped into node classes
 * (src/agent/slurm_nodes.c) from hand-written `scontrol show node -o`
 * text: several shapes, GRES with and without a type, socket suffixes
 * (with commas inside them), one type split over sockets, CPUs less
 * specialised cores, memory less MemSpecLimit, nodes down, drained,
 * draining, future or not responding left out, power-saving nodes kept, a
 * partition filter, and the errors. The expected classes are worked out by
 * hand in the comments.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/slurm_nodes.h"

/* Realistic 22.05 lines, trimmed of fields the grouping does not read. */
#define CN(name, state)                                                                        \
    "NodeName=" name " Arch=x86_64 CoresPerSocket=32 CPUAlloc=0 CPUEfctv=64 CPUTot=64 "       \
    "CPULoad=0.01 AvailableFeatures=(null) ActiveFeatures=(null) Gres=(null) NodeAddr=" name  \
    " NodeHostName=" name " RealMemory=257000 AllocMem=0 FreeMem=250000 Sockets=2 Boards=1 "  \
    "State=" state " ThreadsPerCore=1 TmpDisk=0 Weight=1 Owner=N/A MCS_label=N/A "            \
    "Partitions=cpu,all CfgTRES=cpu=64,mem=257000M,billing=64\n"

#define GPU(name, state, gres)                                                                 \
    "NodeName=" name " Arch=x86_64 CoresPerSocket=64 CPUAlloc=16 CPUEfctv=126 CPUTot=128 "    \
    "Gres=" gres " NodeAddr=" name " RealMemory=1031000 AllocMem=0 MemSpecLimit=4096 "        \
    "Sockets=2 State=" state " Partitions=gpu,all\n"

static const char *const NODES =
    /* c64-m257000: cn01, cn02, cn07 (powered down for power saving: Slurm
     * powers it up for a job) and cn09 (completing) = 4 */
    CN("cn01", "IDLE") CN("cn02", "MIXED")
    /* left out: down and not responding, drained, draining, future, unknown */
    CN("cn03", "DOWN+NOT_RESPONDING") CN("cn04", "IDLE+DRAIN") CN("cn05", "MIXED+DRAIN")
    CN("cn06", "FUTURE") CN("cn07", "IDLE+CLOUD+POWERED_DOWN") CN("cn08", "UNKNOWN")
    CN("cn09", "ALLOCATED+COMPLETING")
    "\n"
    /* c126-m1026904-a100x4: 128 CPUs less 2 specialised, 1031000 MB less
     * 4096; gpu03 has its 4 A100 as 2 per socket = 3 nodes */
    GPU("gpu01", "ALLOCATED", "gpu:a100:4(S:0-1)")
    GPU("gpu02", "MIXED", "gpu:a100:4(S:0-1)")
    GPU("gpu03", "IDLE", "gpu:a100:2(S:0),gpu:a100:2(S:1)")
    /* left out: not responding */
    GPU("gpu09", "IDLE+NOT_RESPONDING", "gpu:a100:4(S:0-1)")
    /* c64-m257000-gpux4: GPUs without a type, and MPS (not a GPU) */
    "NodeName=gpu04 CPUTot=64 Gres=gpu:4,mps:400 RealMemory=257000 State=IDLE "
    "Partitions=gpu\n"
    /* c96-m2063000-nvidia_h100_80gb_hbm3x8: an AutoDetect=nvml type name */
    "NodeName=gpu05 CPUTot=96 Gres=gpu:nvidia_h100_80gb_hbm3:8(S:0-1) RealMemory=2063000 "
    "State=MIXED Partitions=gpu\n"
    /* c48-m191000-t4x1-v100x2: two types, a socket list with a comma */
    "NodeName=gpu06 CPUTot=48 Gres=gpu:v100:2(S:0,2),gpu:t4:1 RealMemory=191000 "
    "State=IDLE Partitions=gpu\n";

static struct sw_catalog cat;

static int setup(void **state)
{
    (void)state;
    return sw_catalog_builtin(&cat);
}

static int teardown(void **state)
{
    (void)state;
    sw_catalog_free(&cat);
    return 0;
}

static const struct sw_node_class_report *find(const struct sw_node_classes *cl,
                                               const char *name)
{
    for (size_t i = 0; i < cl->n; i++)
        if (strcmp(cl->c[i].name, name) == 0)
            return &cl->c[i];
    return NULL;
}

static void expect(const struct sw_node_classes *cl, const char *name, int64_t count,
                   int64_t cores, int64_t mem, size_t naccel)
{
    const struct sw_node_class_report *r = find(cl, name);
    if (!r)
        fail_msg("no node class %s", name);
    assert_int_equal(r->count, count);
    assert_int_equal(r->cores, cores);
    assert_int_equal(r->mem_mib, mem);
    assert_int_equal(r->naccel, naccel);
}

static void expect_accel(const struct sw_node_classes *cl, const char *name, size_t k,
                         const char *model, const char *type, int64_t count)
{
    const struct sw_node_class_report *r = find(cl, name);
    assert_non_null(r);
    assert_string_equal(r->accel[k].model, model);
    assert_string_equal(r->accel[k].gres_type, type);
    assert_int_equal(r->accel[k].count, count);
}

static void test_group_all(void **state)
{
    (void)state;
    struct sw_node_classes *cl = calloc(1, sizeof(*cl));
    struct sw_slurm_nodes_summary sum;
    struct sw_slurm_nodes_opts o = {.cat = &cat};
    sw_error_t err;
    assert_int_equal(sw_slurm_nodes_group(NODES, &o, cl, &sum, &err), 0);
    assert_int_equal(cl->n, 5);
    /* in the order the shapes first appear */
    assert_string_equal(cl->c[0].name, "c64-m257000");
    assert_string_equal(cl->c[1].name, "c126-m1026904-a100x4");
    expect(cl, "c64-m257000", 4, 64, 257000, 0);
    expect(cl, "c126-m1026904-a100x4", 3, 126, 1026904, 1);
    expect_accel(cl, "c126-m1026904-a100x4", 0, "A100", "a100", 4);
    expect(cl, "c64-m257000-gpux4", 1, 64, 257000, 1);
    expect_accel(cl, "c64-m257000-gpux4", 0, "GPU", "", 4);
    expect(cl, "c96-m2063000-nvidia_h100_80gb_hbm3x8", 1, 96, 2063000, 1);
    expect_accel(cl, "c96-m2063000-nvidia_h100_80gb_hbm3x8", 0, "H100",
                 "nvidia_h100_80gb_hbm3", 8);
    expect(cl, "c48-m191000-t4x1-v100x2", 1, 48, 191000, 2);
    expect_accel(cl, "c48-m191000-t4x1-v100x2", 0, "T4", "t4", 1);
    expect_accel(cl, "c48-m191000-t4x1-v100x2", 1, "V100", "v100", 2);

    assert_int_equal(sum.counted, 10);
    assert_int_equal(sum.left_out, 6);
    assert_int_equal(sum.other_partition, 0);
    assert_int_equal(sum.nleft, 6);
    assert_string_equal(sum.left[0].node, "cn03");
    assert_string_equal(sum.left[0].state, "DOWN+NOT_RESPONDING");
    assert_string_equal(sum.left[4].node, "cn08");
    assert_string_equal(sum.left[5].node, "gpu09");

    /* totals: 4x64 + 3x126 + 64 + 96 + 48 cores; GPUs per model */
    struct sw_capacity *cap = calloc(1, sizeof(*cap));
    sw_slurm_nodes_totals(cl, cap);
    assert_int_equal(cap->cores, 4 * 64 + 3 * 126 + 64 + 96 + 48);
    assert_int_equal(cap->mem_mib, 4 * 257000LL + 3 * 1026904LL + 257000 + 2063000 + 191000);
    assert_int_equal(cap->ngroups, 5);
    static const struct {
        const char *model;
        int64_t count;
    } want[] = {{"A100", 12}, {"GPU", 4}, {"H100", 8}, {"T4", 1}, {"V100", 2}};
    for (size_t i = 0; i < 5; i++) {
        assert_string_equal(cap->groups[i].model, want[i].model);
        assert_int_equal(cap->groups[i].count, want[i].count);
        assert_string_equal(cap->groups[i].source, "slurm");
    }
    free(cap);
    free(cl);
}

static void test_partition(void **state)
{
    (void)state;
    struct sw_node_classes *cl = calloc(1, sizeof(*cl));
    struct sw_slurm_nodes_summary sum;
    struct sw_slurm_nodes_opts o = {.partition = "gpu", .cat = &cat};
    sw_error_t err;
    assert_int_equal(sw_slurm_nodes_group(NODES, &o, cl, &sum, &err), 0);
    assert_int_equal(cl->n, 4); /* the GPU shapes only */
    assert_null(find(cl, "c64-m257000"));
    expect(cl, "c126-m1026904-a100x4", 3, 126, 1026904, 1);
    assert_int_equal(sum.other_partition, 9); /* cn01..cn09 */
    assert_int_equal(sum.left_out, 1);        /* gpu09 */
    /* "all" has every node; a partition nobody is in has none */
    o.partition = "all";
    assert_int_equal(sw_slurm_nodes_group(NODES, &o, cl, &sum, &err), 0);
    assert_int_equal(cl->n, 2); /* gpu04..06 are in "gpu" only */
    o.partition = "nope";
    assert_int_equal(sw_slurm_nodes_group(NODES, &o, cl, &sum, &err), 0);
    assert_int_equal(cl->n, 0);
    assert_int_equal(sum.other_partition, 16);
    free(cl);
}

static void test_states(void **state)
{
    (void)state;
    static const char *const yes[] = {"IDLE", "MIXED", "ALLOCATED", "ALLOCATED+COMPLETING",
                                      "IDLE+CLOUD+POWERED_DOWN", "IDLE+POWERING_UP",
                                      "MIXED+MAINTENANCE", "IDLE+RESERVED", "IDLE+PLANNED",
                                      "MIXED+REBOOT_REQUESTED", "idle"};
    static const char *const no[] = {"DOWN", "DOWN+NOT_RESPONDING", "IDLE+DRAIN",
                                     "MIXED+DRAIN", "ALLOCATED+DRAIN+COMPLETING", "FUTURE",
                                     "UNKNOWN", "ERROR", "IDLE+FAIL", "IDLE+INVALID_REG",
                                     "IDLE+NOT_RESPONDING", "idle*", "drained", "", "END"};
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
        if (!sw_slurm_node_usable(yes[i]))
            fail_msg("state %s should count", yes[i]);
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
        if (sw_slurm_node_usable(no[i]))
            fail_msg("state %s should be left out", no[i]);
}

static void test_gres_models(void **state)
{
    (void)state;
    struct sw_accel_group known[] = {{.model = "Ascend910B", .count = 8}};
    struct sw_slurm_nodes_opts o = {.cat = &cat, .known = known, .nknown = 1};
    char out[SW_ACCEL_NAME_MAX];
    static const struct {
        const char *type, *model;
    } cases[] = {
        {"a100", "A100"},
        {"A100", "A100"},
        {"nvidia_a100-sxm4-80gb", "A100"},
        {"tesla_v100", "V100"},
        {"ascend910b", "Ascend910B"}, /* the network file's spelling */
        {"mi250x", "MI250X"},         /* unknown: capitals */
        {"", "GPU"},                  /* no type */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        sw_slurm_gres_model(cases[i].type, &o, out, sizeof(out));
        assert_string_equal(out, cases[i].model);
    }
    /* without a catalog: capitals */
    sw_slurm_gres_model("a100", NULL, out, sizeof(out));
    assert_string_equal(out, "A100");
}

static void test_gres_forms(void **state)
{
    (void)state;
    struct sw_node_classes *cl = calloc(1, sizeof(*cl));
    struct sw_slurm_nodes_opts o = {.cat = &cat};
    sw_error_t err;
    /* "gpu" alone is one GPU; "gpu:a10" a type and one of it; a count with
     * a K suffix; gres of other kinds ignored */
    const char *text = "NodeName=a CPUTot=8 Gres=gpu RealMemory=1000 State=IDLE\n"
                       "NodeName=b CPUTot=8 Gres=gpu:a10 RealMemory=1000 State=IDLE\n"
                       "NodeName=c CPUTot=8 Gres=shard:l40s:16,gpu:l40s:2(S:0-1) "
                       "RealMemory=1000 State=IDLE\n"
                       "NodeName=d CPUTot=8 Gres=(null) RealMemory=1000 State=IDLE\n";
    assert_int_equal(sw_slurm_nodes_group(text, &o, cl, NULL, &err), 0);
    assert_int_equal(cl->n, 4);
    expect(cl, "c8-m1000-gpux1", 1, 8, 1000, 1);
    expect_accel(cl, "c8-m1000-a10x1", 0, "A10", "a10", 1);
    expect_accel(cl, "c8-m1000-l40sx2", 0, "L40S", "l40s", 2);
    expect(cl, "c8-m1000", 1, 8, 1000, 0);
    free(cl);
}

static void test_errors(void **state)
{
    (void)state;
    struct sw_node_classes *cl = calloc(1, sizeof(*cl));
    struct sw_slurm_nodes_opts o = {.cat = &cat};
    sw_error_t err;
    assert_int_equal(sw_slurm_nodes_group("NodeName=x State=IDLE RealMemory=10\n", &o, cl,
                                          NULL, &err), -1);
    assert_non_null(strstr(err.text, "node x has no CPUTot"));
    /* a left-out node need not be readable */
    assert_int_equal(sw_slurm_nodes_group("NodeName=x State=DOWN\n", &o, cl, NULL, &err), 0);
    assert_int_equal(cl->n, 0);
    /* lines that are not node records are skipped */
    assert_int_equal(sw_slurm_nodes_group("No nodes in the system\n", &o, cl, NULL, &err), 0);
    assert_int_equal(cl->n, 0);
    /* more shapes than the agent reports */
    size_t cap = (SW_DISCOVER_MAX_CLASSES + 1) * 80, len = 0;
    char *text = malloc(cap);
    for (int i = 0; i <= SW_DISCOVER_MAX_CLASSES; i++)
        len += (size_t)snprintf(text + len, cap - len,
                                "NodeName=n%d CPUTot=%d RealMemory=100 State=IDLE\n", i, i + 1);
    assert_int_equal(sw_slurm_nodes_group(text, &o, cl, NULL, &err), -1);
    assert_non_null(strstr(err.text, "more than 64 shapes"));
    free(text);
    free(cl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_group_all),  cmocka_unit_test(test_partition),
        cmocka_unit_test(test_states),     cmocka_unit_test(test_gres_models),
        cmocka_unit_test(test_gres_forms), cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
