/* test_network.c — the network model (src/core/network.c) and its JSON
 * loader (src/config/network_json.c): the reference networks in examples/
 * (Greater Bay Area latency circles, Pengcheng's ~1 EFLOPS, capacity in
 * milli-accelerators), the built-in catalog, "did you mean" matching, and
 * every validation error word for word.
 *
 * Error cases start from examples/small-gd.json (or guangdong.json), change
 * one value in the parsed tree, and parse the re-serialized text as "t.json".
 */
#include "testutil.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "config/network_json.h"
#include "core/network.h"

#define EXAMPLES_DIR SW_TEST_DATA_DIR "/../../examples"

static const char *example_path(const char *name)
{
    static char path[4096];
    snprintf(path, sizeof(path), "%s/%s", EXAMPLES_DIR, name);
    return path;
}

static void load_ok(const char *name, struct sw_network *net)
{
    sw_error_t err = {{0}};
    if (sw_network_load(example_path(name), net, &err) != 0)
        fail_msg("loading %s: %s", name, err.text);
}

static int region(const struct sw_network *net, const char *name)
{
    int r = sw_network_region(net, name);
    if (r < 0)
        fail_msg("no region %s", name);
    return r;
}

static const struct sw_site *site(const struct sw_network *net, const char *name)
{
    int s = sw_network_site(net, name);
    if (s < 0)
        fail_msg("no site %s", name);
    return &net->sites[s];
}

/* ---- mutating a parsed example ---- */

/* The JSON value at a path like "sites[0].node_classes[1].price", or NULL. */
static json_t *at(json_t *root, const char *path)
{
    json_t *v = root;
    const char *p = path;
    while (v && *p) {
        if (*p == '.')
            p++;
        if (*p == '[') {
            char *end;
            long i = strtol(p + 1, &end, 10);
            v = json_array_get(v, (size_t)i);
            p = end + 1;
            continue;
        }
        size_t n = strcspn(p, ".[");
        char key[64];
        assert_true(n < sizeof(key));
        memcpy(key, p, n);
        key[n] = '\0';
        v = json_object_get(v, key);
        p += n;
    }
    if (!v)
        fail_msg("no JSON value at %s", path);
    return v;
}

static json_t *example_json(const char *name)
{
    json_error_t jerr;
    json_t *root = json_load_file(example_path(name), 0, &jerr);
    if (!root)
        fail_msg("%s: %s", name, jerr.text);
    return root;
}

/* Set `key` of the object at `path` (steals `value`). */
static void set(json_t *root, const char *path, const char *key, json_t *value)
{
    assert_int_equal(json_object_set_new(path[0] ? at(root, path) : root, key, value), 0);
}

static void del(json_t *root, const char *path, const char *key)
{
    assert_int_equal(json_object_del(path[0] ? at(root, path) : root, key), 0);
}

/* Parse text as `origin`; returns 0 or -1 and leaves the message in err. */
static int parse_text(const char *text, const char *origin, struct sw_network *net,
                      sw_error_t *err)
{
    return sw_network_parse(text, strlen(text), origin, net, err);
}

/* Serialize `root` (consumed), parse it as "t.json" and expect `want`
 * exactly; the network must be left empty and errno be EINVAL. */
static void expect_error_errno(json_t *root, const char *origin, const char *want, int want_errno)
{
    char *text = json_dumps(root, JSON_INDENT(1));
    json_decref(root);
    assert_non_null(text);
    struct sw_network net;
    sw_error_t err = {{0}};
    errno = 0;
    int rc = parse_text(text, origin, &net, &err);
    free(text);
    if (rc == 0) {
        sw_network_free(&net);
        fail_msg("parse succeeded; expected: %s", want);
    }
    if (strcmp(err.text, want) != 0)
        fail_msg("\n got: %s\nwant: %s", err.text, want);
    assert_int_equal(errno, want_errno);
    assert_null(net.sites);
    assert_null(net.regions);
    assert_null(net.catalog.models);
    assert_int_equal(net.nsites, 0);
}

static void expect_error_as(json_t *root, const char *origin, const char *want)
{
    expect_error_errno(root, origin, want, EINVAL);
}

static void expect_error(json_t *root, const char *want)
{
    expect_error_as(root, "t.json", want);
}

/* Serialize and parse `root` (consumed); it must load. */
static void parse_ok(json_t *root, const char *origin, struct sw_network *net)
{
    char *text = json_dumps(root, 0);
    json_decref(root);
    assert_non_null(text);
    sw_error_t err = {{0}};
    int rc = parse_text(text, origin, net, &err);
    free(text);
    if (rc != 0)
        fail_msg("parse failed: %s", err.text);
}

/* ---- the reference networks ---- */

static void test_guangdong_shape(void **state)
{
    (void)state;
    struct sw_network net;
    load_ok("guangdong.json", &net);
    assert_int_equal(net.nregions, 8);
    assert_int_equal(net.nsites, 13);
    size_t in_sg = 0;
    for (size_t i = 0; i < net.nsites; i++) {
        const struct sw_site *s = &net.sites[i];
        assert_true(s->pue >= 1.0 && s->pue <= 1.5);
        assert_true(s->nclasses >= 1);
        for (int h = 0; h < 24; h++)
            assert_true(s->carbon_g_per_kwh[h] > 300 && s->carbon_g_per_kwh[h] <= 550);
        in_sg += s->region == region(&net, "shaoguan");
    }
    assert_int_equal(in_sg, 5);
    const struct sw_site *nscc = site(&net, "gz-nscc");
    assert_int_equal(nscc->kind, SW_SITE_HPC);
    assert_int_equal(nscc->backend, SW_BACKEND_SLURM);
    assert_int_equal(nscc->region, region(&net, "guangzhou"));
    assert_string_equal(sw_site_kind_name(nscc->kind), "hpc");
    assert_string_equal(sw_backend_name(nscc->backend), "slurm");
    /* Shaoguan is cheaper than Shenzhen for the same kind of work */
    const struct sw_site *sg = site(&net, "sg-unicom"), *sz = site(&net, "sz-cloud");
    assert_true(sg->classes[0].price_core_hour_fen < sz->classes[0].price_core_hour_fen);
    assert_true(sg->carbon_g_per_kwh[12] < sz->carbon_g_per_kwh[12]);
    sw_network_free(&net);
}

static void test_guangdong_latency_circles(void **state)
{
    (void)state;
    struct sw_network net;
    load_ok("guangdong.json", &net);
    int sg = region(&net, "shaoguan"), gz = region(&net, "guangzhou");
    int sz = region(&net, "shenzhen"), hk = region(&net, "hongkong");
    for (size_t a = 0; a < net.nregions; a++) {
        assert_true(sw_network_latency(&net, (int)a, (int)a) <= 1.0); /* inside a city */
        for (size_t b = 0; b < net.nregions; b++) {
            assert_true(sw_network_latency(&net, (int)a, (int)b) ==
                        sw_network_latency(&net, (int)b, (int)a));
            assert_true(sw_network_bandwidth(&net, (int)a, (int)b) ==
                        sw_network_bandwidth(&net, (int)b, (int)a));
            if (a != b)
                assert_true(sw_network_latency(&net, (int)a, (int)b) > 0.0);
        }
        if ((int)a != hk) /* anywhere in the province */
            assert_true(sw_network_latency(&net, sg, (int)a) <= 5.0);
    }
    assert_true(sw_network_latency(&net, sg, gz) <= 3.0);
    assert_true(sw_network_latency(&net, gz, sg) <= 3.0);
    assert_true(sw_network_latency(&net, sg, sz) <= 3.0);
    assert_true(sw_network_bandwidth(&net, sg, gz) >= 400.0);
    assert_true(sw_network_bandwidth(&net, sg, sz) >= 400.0);
    assert_true(sw_network_bandwidth(&net, sg, hk) == 0.0); /* no direct data link */
    assert_true(sw_network_bandwidth(&net, sz, hk) > 0.0);
    sw_network_free(&net);
}

static void test_guangdong_pflops(void **state)
{
    (void)state;
    struct sw_network net;
    load_ok("guangdong.json", &net);
    const struct sw_site *pc = site(&net, "sz-pengcheng");
    /* 4,096 Ascend 910 x 256 TFLOPS = 1,048.576 P: about 1 EFLOPS FP16 */
    assert_true(fabs(sw_site_pflops(&net, pc) - 1048.576) < 1e-6);
    struct sw_res cap = sw_node_class_capacity(&pc->classes[0]);
    assert_int_equal(cap.v[SW_RES_ACCEL], 4096 * SW_MILLI);
    assert_int_equal(cap.v[SW_RES_CORES], 512 * pc->classes[0].cores);
    assert_int_equal(cap.v[SW_RES_MEM_MIB], 512 * pc->classes[0].mem_mib);
    double sg_p = 0.0;
    for (size_t i = 0; i < net.nsites; i++)
        if (net.sites[i].region == region(&net, "shaoguan"))
            sg_p += sw_site_pflops(&net, &net.sites[i]);
    assert_true(sg_p > 3000.0 && sg_p < 10000.0); /* towards the 10,000 P target */
    double total = 0.0;
    for (size_t i = 0; i < net.nsites; i++)
        total += sw_site_pflops(&net, &net.sites[i]);
    assert_true(fabs(sw_network_pflops(&net) - total) < 1e-6);
    assert_true(sw_site_pflops(&net, site(&net, "hz-cloud")) == 0.0); /* CPU only */
    sw_network_free(&net);
}

static void test_guangdong_throughput_file(void **state)
{
    (void)state;
    struct sw_network net;
    load_ok("guangdong.json", &net);
    const struct sw_catalog *cat = &net.catalog;
    assert_true(cat->nclasses >= 26);
    int c = sw_catalog_class(cat, "ResNet-50 (batch size 32)");
    assert_true(c >= 0);
    int v100 = sw_catalog_model(cat, "V100"), k80 = sw_catalog_model(cat, "K80");
    int p100 = sw_catalog_model(cat, "P100"), a100 = sw_catalog_model(cat, "A100");
    assert_true(cat->classes[c].rel[v100] == 1.0);
    assert_true(cat->classes[c].rel[k80] > 0.1 && cat->classes[c].rel[k80] < 0.2);
    assert_true(cat->classes[c].rel[p100] > 0.5 && cat->classes[c].rel[p100] < 0.7);
    assert_true(cat->classes[c].rel[a100] == 0.0); /* not measured: unknown */
    assert_true(sw_catalog_class(cat, "ResNet-50") >= 0); /* family row */
    assert_int_equal(sw_catalog_class(cat, "no such class"), -1);
    sw_network_free(&net);
}

static void test_small_gd(void **state)
{
    (void)state;
    struct sw_network net;
    load_ok("small-gd.json", &net);
    assert_int_equal(net.nregions, 3);
    assert_int_equal(net.nsites, 3);
    const struct sw_site *sg = site(&net, "sg-ai");
    const struct sw_site *gz = site(&net, "gz-hpc");
    const struct sw_site *sz = site(&net, "sz-cloud");
    assert_int_equal(sg->kind, SW_SITE_AI);
    assert_int_equal(gz->kind, SW_SITE_HPC);
    assert_int_equal(sz->kind, SW_SITE_CLOUD);
    assert_int_equal(sg->region, region(&net, "shaoguan"));
    assert_int_equal(gz->region, region(&net, "guangzhou"));
    assert_int_equal(sz->region, region(&net, "shenzhen"));
    int r_sg = sg->region, r_gz = gz->region, r_sz = sz->region;
    assert_true(sw_network_latency(&net, r_sg, r_gz) <= 3.0);
    assert_true(sw_network_latency(&net, r_sg, r_sz) <= 3.0);
    assert_true(sw_network_latency(&net, r_gz, r_sz) <= 3.0);
    assert_true(sw_network_latency(&net, r_sz, r_sz) <= 1.0);
    /* the HPC centre is CPU-heavy, the AI centre has accelerators */
    assert_int_equal(gz->classes[0].accel, -1);
    assert_true(sg->classes[0].accel >= 0);
    assert_true(sw_site_pflops(&net, sg) > sw_site_pflops(&net, sz));
    assert_int_equal(sw_network_site(&net, "nope"), -1);
    assert_int_equal(sw_network_region(&net, "beijing"), -1);
    sw_network_free(&net);
}

static void test_capacity_milli(void **state)
{
    (void)state;
    struct sw_node_class gpu = {.count = 3, .cores = 64, .mem_mib = 512 * 1024, .accel = 0,
                                .accels = 8};
    struct sw_res r = sw_node_class_capacity(&gpu);
    assert_int_equal(r.v[SW_RES_CORES], 192);
    assert_int_equal(r.v[SW_RES_MEM_MIB], 3 * 512 * 1024);
    assert_int_equal(r.v[SW_RES_ACCEL], 24000); /* 24 devices in milli-accelerators */
    struct sw_node_class cpu = {.count = 10, .cores = 48, .mem_mib = 1024, .accel = -1,
                                .accels = 0};
    r = sw_node_class_capacity(&cpu);
    assert_int_equal(r.v[SW_RES_CORES], 480);
    assert_int_equal(r.v[SW_RES_ACCEL], 0);
    /* a half-GPU task fits into one device's worth */
    struct sw_res half = {{1, 1024, 500}};
    struct sw_node_class one = {.count = 1, .cores = 4, .mem_mib = 4096, .accel = 0,
                                .accels = 1};
    struct sw_res cap = sw_node_class_capacity(&one);
    assert_true(sw_res_fits(&half, &cap));
}

static void test_builtin_catalog(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        double fp16;
    } spec[] = {
        {"V100", 125},       {"A100", 312},      {"A800", 312},   {"H100", 989},
        {"H800", 989},       {"H20", 148},       {"L40S", 362},   {"L20", 119.5},
        {"Ascend910", 256},  {"Ascend910B", 313}, {"MLU370-X8", 96}, {"V100M16", 125},
        {"V100M32", 125},    {"P100", 18.7},     {"K80", 4.37},   {"T4", 65},
        {"A10", 125},        {"G2", 125},        {"G3", 312},
    };
    struct sw_catalog cat;
    assert_int_equal(sw_catalog_builtin(&cat), 0);
    assert_int_equal(cat.n, sizeof(spec) / sizeof(spec[0]));
    assert_int_equal(cat.nclasses, 0);
    for (size_t i = 0; i < sizeof(spec) / sizeof(spec[0]); i++) {
        int m = sw_catalog_model(&cat, spec[i].name);
        if (m < 0)
            fail_msg("model %s is not built in", spec[i].name);
        assert_true(cat.models[m].fp16_tflops == spec[i].fp16);
        assert_true(cat.models[m].mem_gib > 0 && cat.models[m].watts > 0);
        assert_true(cat.models[m].vendor[0] != '\0');
    }
    assert_int_equal(cat.models[sw_catalog_model(&cat, "V100M16")].mem_gib, 16);
    assert_int_equal(cat.models[sw_catalog_model(&cat, "H20")].mem_gib, 96);
    assert_string_equal(cat.models[sw_catalog_model(&cat, "Ascend910")].vendor, "Huawei");
    assert_int_equal(sw_catalog_model(&cat, "a100"), -1); /* lookups are exact */
    sw_catalog_free(&cat);
    assert_null(cat.models);
    sw_catalog_free(&cat); /* twice is harmless */
    sw_catalog_free(NULL);
}

static void test_closest_name(void **state)
{
    (void)state;
    struct sw_catalog cat;
    assert_int_equal(sw_catalog_builtin(&cat), 0);
    const size_t stride = sizeof(cat.models[0]);
    static const struct {
        const char *typo, *want;
    } cases[] = {
        {"A1OO", "A100"},           {"a100", "A100"},          {"H8OO", "H800"},
        {"Ascend901B", "Ascend910B"}, {"Ascend-910B", "Ascend910B"}, {"ascend910", "Ascend910"},
        {"MLU370X8", "MLU370-X8"},    {"L4OS", "L40S"},           {"V100-32", "V100M32"},
        {"K8", "K80"},              {"t4", "T4"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int k = sw_closest_name(cases[i].typo, cat.models, cat.n, stride);
        if (k < 0 || strcmp(cat.models[k].name, cases[i].want) != 0)
            fail_msg("%s: got %s, want %s", cases[i].typo, k < 0 ? "none" : cat.models[k].name,
                     cases[i].want);
    }
    assert_int_equal(sw_closest_name("Quadro-RTX-8000", cat.models, cat.n, stride), -1);
    assert_int_equal(sw_closest_name("", cat.models, cat.n, stride), -1);
    assert_int_equal(sw_closest_name("A100", cat.models, 0, stride), -1);
    sw_catalog_free(&cat);

    static const char regions[][SW_NAME_MAX] = {"shaoguan", "guangzhou", "shenzhen", "zhuhai"};
    const size_t rs = sizeof(regions[0]);
    assert_string_equal(regions[sw_closest_name("guangzou", regions, 4, rs)], "guangzhou");
    assert_string_equal(regions[sw_closest_name("shaogaun", regions, 4, rs)], "shaoguan");
    assert_string_equal(regions[sw_closest_name("Shenzen", regions, 4, rs)], "shenzhen");
    assert_string_equal(regions[sw_closest_name("zuhai", regions, 4, rs)], "zhuhai");
    assert_int_equal(sw_closest_name("beijing", regions, 4, rs), -1);
    assert_int_equal(sw_closest_name("hongkong", regions, 4, rs), -1);
}

/* ---- errors, word for word ---- */

static void test_error_unknown_model(void **state)
{
    (void)state;
    json_t *root = example_json("guangdong.json");
    set(root, "sites[3].node_classes[0]", "accelerators",
        json_pack("{s:s, s:i}", "model", "A1OO", "per_node", 8));
    expect_error(root, "t.json: sites[3].node_classes[0].accelerators.model: unknown model "
                       "\"A1OO\"; did you mean \"A100\"?");

    root = example_json("small-gd.json");
    set(root, "sites[0].node_classes[0].accelerators", "model", json_string("TPUv5"));
    expect_error(root, "t.json: sites[0].node_classes[0].accelerators.model: unknown model "
                       "\"TPUv5\" (not built in; add it to \"catalog\", see docs/network.md)");

    root = example_json("small-gd.json");
    set(root, "sites[0].node_classes[0].accelerators", "model", json_integer(910));
    expect_error(root, "t.json: sites[0].node_classes[0].accelerators.model: expected a model "
                       "name, got an integer");
}

static void test_error_unknown_field(void **state)
{
    (void)state;
    json_t *root = example_json("small-gd.json");
    set(root, "sites[0]", "provder", json_string("x"));
    expect_error(root, "t.json: sites[0]: unknown field \"provder\"; did you mean \"provider\"?");

    root = example_json("small-gd.json");
    set(root, "sites[1].node_classes[0]", "gpus", json_integer(8));
    expect_error(root, "t.json: sites[1].node_classes[0]: unknown field \"gpus\" (fields here: "
                       "name, count, cores, mem_gib, mem_mib, accelerators, price, "
                       "interconnect, note; comments start with '_')");

    root = example_json("small-gd.json");
    set(root, "", "site", json_array());
    expect_error(root, "t.json: unknown field \"site\"; did you mean \"sites\"?");

    root = example_json("small-gd.json");
    set(root, "sites[0].node_classes[0].price", "accel_hour_yuan", json_integer(6));
    expect_error(root, "t.json: sites[0].node_classes[0].price: unknown field "
                       "\"accel_hour_yuan\"; did you mean \"accel_hour_fen\"?");

    /* '_' keys are comments, anywhere */
    root = example_json("small-gd.json");
    set(root, "sites[0]", "_todo", json_pack("[i,i]", 1, 2));
    set(root, "links[0]", "_source", json_string("survey"));
    struct sw_network net;
    parse_ok(root, "t.json", &net);
    sw_network_free(&net);
}

static void test_error_types(void **state)
{
    (void)state;
    json_t *root = example_json("small-gd.json");
    set(root, "sites[0]", "pue", json_string("1.2"));
    expect_error(root, "t.json: sites[0].pue: expected a number, got a string");

    root = example_json("small-gd.json");
    set(root, "sites[2].node_classes[0]", "cores", json_real(64.5));
    expect_error(root, "t.json: sites[2].node_classes[0].cores: expected an integer, got the "
                       "real number 64.5");

    root = example_json("small-gd.json");
    set(root, "", "regions", json_string("shaoguan"));
    expect_error(root, "t.json: regions: expected an array of region names, got a string");

    root = example_json("small-gd.json");
    set(root, "sites[0]", "name", json_true());
    expect_error(root, "t.json: sites[0].name: expected a string, got a boolean");

    root = example_json("small-gd.json");
    set(root, "sites[0]", "note", json_integer(1));
    expect_error(root, "t.json: sites[0].note: expected a string, got an integer");

    expect_error(json_array(), "t.json: expected a JSON object at the top level, got an array");
}

static void test_error_counts(void **state)
{
    (void)state;
    json_t *root = example_json("small-gd.json");
    set(root, "sites[0].node_classes[0]", "count", json_integer(0));
    expect_error(root, "t.json: sites[0].node_classes[0].count: must be >= 1, got 0");

    root = example_json("small-gd.json");
    set(root, "sites[1].node_classes[0]", "cores", json_integer(-48));
    expect_error(root, "t.json: sites[1].node_classes[0].cores: must be >= 1, got -48");

    root = example_json("small-gd.json");
    set(root, "sites[0].node_classes[1].accelerators", "per_node", json_integer(0));
    expect_error(root, "t.json: sites[0].node_classes[1].accelerators.per_node: must be >= 1, "
                       "got 0");

    root = example_json("small-gd.json");
    set(root, "sites[0]", "node_classes", json_array());
    expect_error(root, "t.json: sites[0].node_classes: must list 1 to 1024 node classes, got 0");

    root = example_json("small-gd.json");
    set(root, "sites[2].node_classes[1]", "mem_mib", json_integer(4096));
    expect_error(root, "t.json: sites[2].node_classes[1]: give \"mem_gib\" or \"mem_mib\", not "
                       "both");

    root = example_json("small-gd.json");
    del(root, "sites[2].node_classes[1]", "mem_gib");
    expect_error(root, "t.json: sites[2].node_classes[1]: missing field \"mem_gib\" (or "
                       "\"mem_mib\")");

    root = example_json("small-gd.json");
    del(root, "sites[1]", "provider");
    expect_error(root, "t.json: sites[1]: missing field \"provider\"");
}

static void test_error_names(void **state)
{
    (void)state;
    json_t *root = example_json("small-gd.json");
    set(root, "sites[1]", "region", json_string("guangzou"));
    expect_error(root, "t.json: sites[1].region: unknown region \"guangzou\"; did you mean "
                       "\"guangzhou\"?");

    root = example_json("small-gd.json");
    set(root, "sites[1]", "region", json_string("beijing"));
    expect_error(root, "t.json: sites[1].region: unknown region \"beijing\" (declare it in "
                       "\"regions\")");

    root = example_json("small-gd.json");
    set(root, "sites[2]", "name", json_string("sg-ai"));
    expect_error(root, "t.json: sites[2].name: duplicate site \"sg-ai\" (also sites[0])");

    root = example_json("small-gd.json");
    json_array_append_new(at(root, "regions"), json_string("shenzhen"));
    expect_error(root, "t.json: regions[3]: duplicate region \"shenzhen\" (also regions[2])");

    root = example_json("small-gd.json");
    set(root, "sites[0].node_classes[1]", "name", json_string("ascend910b"));
    expect_error(root, "t.json: sites[0].node_classes[1].name: duplicate node class "
                       "\"ascend910b\" in site \"sg-ai\" (also node_classes[0])");

    root = example_json("small-gd.json");
    set(root, "sites[0]", "name", json_string("sg ai"));
    expect_error(root, "t.json: sites[0].name: \"sg ai\" is not a valid name: use letters, "
                       "digits, '-', '_' and '.', starting with a letter or digit");

    root = example_json("small-gd.json");
    set(root, "sites[0]", "name", json_string(""));
    expect_error(root, "t.json: sites[0].name: must not be empty");

    root = example_json("small-gd.json");
    set(root, "sites[0]", "provider",
        json_string("The Very Long Name Of A Provider That Goes On And On"));
    expect_error(root, "t.json: sites[0].provider: \"The Very Long Name Of A Provider That Goes "
                       "On And On\" is too long (at most 47 bytes)");

    /* long UTF-8 text is quoted whole characters at a time, then cut */
    char many[128] = "", want[256];
    for (int i = 0; i < 40; i++)
        memcpy(many + 2 * i, "\xc3\xa9", 3); /* é */
    root = example_json("small-gd.json");
    set(root, "sites[0]", "provider", json_string(many));
    snprintf(want, sizeof(want), "t.json: sites[0].provider: \"%.70s...\" is too long (at most 47 "
             "bytes)", many);
    expect_error(root, want);

    root = example_json("small-gd.json");
    set(root, "sites[2]", "kind", json_string("cluod"));
    expect_error(root, "t.json: sites[2].kind: unknown kind \"cluod\"; did you mean \"cloud\"?");

    root = example_json("small-gd.json");
    set(root, "sites[2]", "kind", json_string("grid"));
    expect_error(root, "t.json: sites[2].kind: unknown kind \"grid\" (one of hpc, ai, cloud)");

    root = example_json("small-gd.json");
    set(root, "sites[1]", "backend", json_string("slrum"));
    expect_error(root, "t.json: sites[1].backend: unknown backend \"slrum\"; did you mean "
                       "\"slurm\"?");
}

static void test_error_site_figures(void **state)
{
    (void)state;
    json_t *root = example_json("small-gd.json");
    set(root, "sites[0]", "pue", json_real(0.9));
    expect_error(root, "t.json: sites[0].pue: must be between 1.0 and 3.0 (facility power / IT "
                       "power), got 0.9");

    root = example_json("small-gd.json");
    set(root, "sites[0]", "pue", json_integer(11));
    expect_error(root, "t.json: sites[0].pue: must be between 1.0 and 3.0 (facility power / IT "
                       "power), got 11");

    root = example_json("small-gd.json");
    set(root, "sites[0]", "carbon_g_per_kwh", json_pack("[i,i,i]", 400, 410, 420));
    expect_error(root, "t.json: sites[0].carbon_g_per_kwh: expected 24 hourly values (00:00 to "
                       "23:00, UTC+8), got 3");

    root = example_json("small-gd.json");
    set(root, "sites[0]", "carbon_g_per_kwh", json_integer(-1));
    expect_error(root, "t.json: sites[0].carbon_g_per_kwh: must be >= 0, got -1");

    /* hourly carbon loads */
    root = example_json("small-gd.json");
    json_t *hours = json_array();
    for (int h = 0; h < 24; h++)
        json_array_append_new(hours, json_integer(400 + h));
    set(root, "sites[0]", "carbon_g_per_kwh", hours);
    struct sw_network net;
    parse_ok(root, "t.json", &net);
    assert_true(net.sites[0].carbon_g_per_kwh[0] == 400.0);
    assert_true(net.sites[0].carbon_g_per_kwh[23] == 423.0);
    assert_true(net.sites[1].carbon_g_per_kwh[7] == 500.0);
    sw_network_free(&net);
}

static void test_error_money(void **state)
{
    (void)state;
    json_t *root = example_json("small-gd.json");
    set(root, "sites[0].node_classes[0].price", "accel_hour_fen", json_real(6.5));
    expect_error(root, "t.json: sites[0].node_classes[0].price.accel_hour_fen: money must be an "
                       "integer number of fen (1 yuan = 100 fen), not a real number: got 6.5");

    root = example_json("small-gd.json");
    set(root, "sites[1].node_classes[0].price", "core_hour_fen", json_real(5.0));
    expect_error(root, "t.json: sites[1].node_classes[0].price.core_hour_fen: money must be an "
                       "integer number of fen (1 yuan = 100 fen), not a real number: got 5");

    root = example_json("small-gd.json");
    set(root, "sites[0].node_classes[0].price", "accel_hour_fen", json_integer(-5));
    expect_error(root, "t.json: sites[0].node_classes[0].price.accel_hour_fen: must be >= 0 fen, "
                       "got -5");

    root = example_json("small-gd.json");
    set(root, "sites[1].node_classes[0].price", "accel_hour_fen", json_integer(300));
    expect_error(root, "t.json: sites[1].node_classes[0].price.accel_hour_fen: this node class "
                       "has no accelerators (add \"accelerators\" or price it by "
                       "\"core_hour_fen\")");

    root = example_json("small-gd.json");
    set(root, "sites[0].node_classes[0]", "price", json_object());
    expect_error(root, "t.json: sites[0].node_classes[0].price: missing field "
                       "\"accel_hour_fen\"");

    root = example_json("small-gd.json");
    set(root, "sites[0].node_classes[0]", "price", json_string("6 yuan"));
    expect_error(root, "t.json: sites[0].node_classes[0].price: expected an object "
                       "{\"accel_hour_fen\": fen, \"core_hour_fen\": fen}, got a string");

    /* prices are kept exactly */
    struct sw_network net;
    load_ok("small-gd.json", &net);
    assert_int_equal(net.sites[0].classes[0].price_accel_hour_fen, 600);
    assert_int_equal(net.sites[0].classes[0].price_core_hour_fen, 0);
    assert_int_equal(net.sites[1].classes[0].price_core_hour_fen, 5);
    sw_network_free(&net);
}

static void test_error_links(void **state)
{
    (void)state;
    json_t *root = example_json("small-gd.json");
    json_array_remove(at(root, "links"), 2);
    expect_error(root, "t.json: links: no latency between \"guangzhou\" and \"shenzhen\"; add a "
                       "link {\"a\": \"guangzhou\", \"b\": \"shenzhen\", \"latency_ms\": ..., "
                       "\"bandwidth_gbps\": ...}");

    root = example_json("small-gd.json");
    del(root, "", "links");
    expect_error(root, "t.json: links: no latency between \"shaoguan\" and \"guangzhou\"; add a "
                       "link {\"a\": \"shaoguan\", \"b\": \"guangzhou\", \"latency_ms\": ..., "
                       "\"bandwidth_gbps\": ...} (3 pairs lack a link)");

    root = example_json("small-gd.json");
    json_array_append_new(at(root, "links"),
                          json_pack("{s:s, s:s, s:f, s:i}", "a", "guangzhou", "b", "shaoguan",
                                    "latency_ms", 9.0, "bandwidth_gbps", 100));
    expect_error(root, "t.json: links[3]: the pair guangzhou-shaoguan is already declared by "
                       "links[0] (links are symmetric: declare each pair once)");

    root = example_json("small-gd.json");
    del(root, "links[1]", "latency_ms");
    expect_error(root, "t.json: links[1]: missing field \"latency_ms\"");

    root = example_json("small-gd.json");
    set(root, "links[1]", "b", json_string("shenzen"));
    expect_error(root, "t.json: links[1].b: unknown region \"shenzen\"; did you mean "
                       "\"shenzhen\"?");

    root = example_json("small-gd.json");
    set(root, "links[0]", "latency_ms", json_integer(-1));
    expect_error(root, "t.json: links[0].latency_ms: must be >= 0, got -1");

    root = example_json("small-gd.json");
    set(root, "intra_region", "latency", json_real(0.2));
    expect_error(root, "t.json: intra_region: unknown field \"latency\" (fields here: "
                       "latency_ms, bandwidth_gbps, note; comments start with '_')");

    /* bandwidth 0 is allowed (no direct data link); a self link overrides
     * the intra-region default */
    root = example_json("small-gd.json");
    set(root, "links[2]", "bandwidth_gbps", json_integer(0));
    json_array_append_new(at(root, "links"),
                          json_pack("{s:s, s:s, s:f, s:i}", "a", "shenzhen", "b", "shenzhen",
                                    "latency_ms", 0.3, "bandwidth_gbps", 800));
    del(root, "", "intra_region");
    struct sw_network net;
    parse_ok(root, "t.json", &net);
    int gz = region(&net, "guangzhou"), sz = region(&net, "shenzhen");
    assert_true(sw_network_bandwidth(&net, gz, sz) == 0.0);
    assert_true(sw_network_bandwidth(&net, sz, gz) == 0.0);
    assert_true(sw_network_latency(&net, sz, gz) == 1.5);
    assert_true(sw_network_latency(&net, sz, sz) == 0.3);
    assert_true(sw_network_bandwidth(&net, sz, sz) == 800.0);
    assert_true(sw_network_latency(&net, gz, gz) == 0.5); /* default */
    assert_true(sw_network_bandwidth(&net, gz, gz) == 400.0);
    sw_network_free(&net);
}

static void test_catalog_section(void **state)
{
    (void)state;
    json_t *root = example_json("small-gd.json");
    set(root, "", "catalog",
        json_pack("[{s:s, s:i}, {s:s, s:s, s:i, s:f, s:i}]", "name", "A800", "watts", 350,
                  "name", "Ascend910C", "vendor", "Huawei", "mem_gib", 128, "fp16_tflops",
                  780.0, "watts", 600));
    set(root, "sites[0].node_classes[1].accelerators", "model", json_string("Ascend910C"));
    struct sw_network net;
    parse_ok(root, "t.json", &net);
    int a800 = sw_catalog_model(&net.catalog, "A800");
    int c = sw_catalog_model(&net.catalog, "Ascend910C");
    assert_true(a800 >= 0 && c >= 0);
    assert_int_equal(net.catalog.models[a800].watts, 350);         /* overridden */
    assert_true(net.catalog.models[a800].fp16_tflops == 312.0);    /* kept */
    assert_true(net.catalog.models[c].fp16_tflops == 780.0);
    assert_int_equal(net.sites[0].classes[1].accel, c);
    assert_true(fabs(sw_node_class_pflops(&net, &net.sites[0].classes[1]) - 4 * 8 * 0.78) < 1e-9);
    sw_network_free(&net);

    root = example_json("small-gd.json");
    set(root, "", "catalog", json_pack("[{s:s, s:f}]", "name", "A1OO", "fp16_tflops", 300.0));
    expect_error(root, "t.json: catalog[0]: \"A1OO\" is not a built-in model, so \"mem_gib\" is "
                       "required; did you mean \"A100\"?");

    root = example_json("small-gd.json");
    set(root, "", "catalog", json_pack("[{s:s, s:i}, {s:s, s:i}]", "name", "T4", "watts", 75,
                                       "name", "T4", "watts", 70));
    expect_error(root, "t.json: catalog[1].name: duplicate model \"T4\" (also catalog[0])");

    root = example_json("small-gd.json");
    set(root, "", "catalog", json_pack("[{s:s, s:i}]", "name", "T4", "fp16_tflops", 0));
    expect_error(root, "t.json: catalog[0].fp16_tflops: must be > 0 (relative speeds and P are "
                       "computed from it)");

    root = example_json("small-gd.json");
    set(root, "", "catalog", json_pack("[{s:s, s:i}]", "name", "T4", "tflops", 65));
    expect_error(root, "t.json: catalog[0]: unknown field \"tflops\" (fields here: name, vendor, "
                       "mem_gib, fp16_tflops, fp64_tflops, watts, note; comments start with "
                       "'_')");
}

static void test_throughput_section(void **state)
{
    (void)state;
    json_t *root = example_json("small-gd.json");
    set(root, "", "throughput",
        json_pack("{s:{s:f, s:f, s:s}}", "llm-train", "A800", 1.0, "Ascend910B", 0.8, "_note",
                  "illustrative"));
    struct sw_network net;
    parse_ok(root, "t.json", &net);
    assert_int_equal(net.catalog.nclasses, 1);
    int c = sw_catalog_class(&net.catalog, "llm-train");
    assert_int_equal(c, 0);
    assert_true(net.catalog.classes[c].rel[sw_catalog_model(&net.catalog, "A800")] == 1.0);
    assert_true(net.catalog.classes[c].rel[sw_catalog_model(&net.catalog, "Ascend910B")] == 0.8);
    assert_true(net.catalog.classes[c].rel[sw_catalog_model(&net.catalog, "V100")] == 0.0);
    sw_network_free(&net);

    root = example_json("small-gd.json");
    set(root, "", "throughput", json_pack("{s:{s:f}}", "llm-train", "H8OO", 2.0));
    expect_error(root, "t.json: throughput[\"llm-train\"].H8OO: unknown model \"H8OO\"; did you "
                       "mean \"H800\"?");

    root = example_json("small-gd.json");
    set(root, "", "throughput", json_pack("{s:{s:i}}", "llm-train", "A800", -1));
    expect_error(root, "t.json: throughput[\"llm-train\"].A800: must be >= 0, got -1");

    root = example_json("small-gd.json");
    set(root, "", "throughput", json_pack("{s:{}}", "llm-train"));
    expect_error(root, "t.json: throughput[\"llm-train\"]: must give the relative throughput of "
                       "at least one model");

    root = example_json("small-gd.json");
    set(root, "", "throughput", json_pack("{s:[f]}", "llm-train", 1.0));
    expect_error(root, "t.json: throughput[\"llm-train\"]: expected an object {\"model\": "
                       "relative throughput, ...}, got an array");
}

static void test_throughput_file(void **state)
{
    (void)state;
    char origin[4096], want[8192];
    snprintf(origin, sizeof(origin), "%s/t.json", EXAMPLES_DIR);

    /* relative to the network file; classes from both places */
    json_t *root = example_json("small-gd.json");
    set(root, "", "throughput_file", json_string("throughput-gavel.json"));
    set(root, "", "throughput", json_pack("{s:{s:f}}", "llm-train", "A800", 1.0));
    struct sw_network net;
    parse_ok(root, origin, &net);
    assert_true(net.catalog.nclasses > 26);
    assert_int_equal(sw_catalog_class(&net.catalog, "llm-train"), 0);
    assert_true(sw_catalog_class(&net.catalog, "LM (batch size 20)") > 0);
    sw_network_free(&net);

    root = example_json("small-gd.json");
    set(root, "", "throughput_file", json_string("no-such-file.json"));
    snprintf(want, sizeof(want),
             "%s: throughput_file: %s/no-such-file.json: cannot open: No such file or directory",
             origin, EXAMPLES_DIR);
    expect_error_errno(root, origin, want, ENOENT);

    /* a class in both places */
    root = example_json("small-gd.json");
    set(root, "", "throughput_file", json_string("throughput-gavel.json"));
    set(root, "", "throughput", json_pack("{s:{s:f}}", "A3C", "V100", 1.0));
    snprintf(want, sizeof(want),
             "%s/throughput-gavel.json: throughput[\"A3C\"]: workload class \"A3C\" is already "
             "defined in the \"throughput\" section of %s",
             EXAMPLES_DIR, origin);
    expect_error_as(root, origin, want);

    /* an include must be a throughput file */
    root = example_json("small-gd.json");
    set(root, "", "throughput_file", json_string("small-gd.json"));
    snprintf(want, sizeof(want), "%s/small-gd.json: unknown field \"regions\" (fields here: "
             "about, throughput; comments start with '_')", EXAMPLES_DIR);
    expect_error_as(root, origin, want);

    root = example_json("small-gd.json");
    set(root, "", "throughput_file", json_integer(1));
    expect_error(root, "t.json: throughput_file: expected a file name, got an integer");
}

static void test_error_json_syntax(void **state)
{
    (void)state;
    struct sw_network net;
    sw_error_t err = {{0}};
    assert_int_equal(parse_text("{\"regions\": [\"a\",\n  ]}", "t.json", &net, &err), -1);
    assert_int_equal(errno, EINVAL);
    assert_true(strncmp(err.text, "t.json:2:3: invalid JSON: ", 26) == 0);

    assert_int_equal(parse_text("{\"regions\": [\"a\"], \"regions\": [\"b\"]}", "t.json", &net,
                                &err),
                     -1);
    assert_true(strncmp(err.text, "t.json:1:", 9) == 0);
    assert_non_null(strstr(err.text, "duplicate object key"));

    assert_int_equal(sw_network_parse("", 0, "t.json", &net, &err), -1);
    assert_true(strncmp(err.text, "t.json:", 7) == 0);

    const char nul[] = "{\"regions\": [\"a\0b\"]}";
    assert_int_equal(sw_network_parse(nul, sizeof(nul) - 1, "t.json", &net, &err), -1);
    assert_null(net.regions);

    /* the minimal network: one region, one site */
    const char *minimal =
        "{\"regions\": [\"x\"], \"sites\": [{\"name\": \"s\", \"region\": \"x\", \"provider\": "
        "\"p\", \"kind\": \"hpc\", \"pue\": 1.2, \"carbon_g_per_kwh\": 500, \"node_classes\": "
        "[{\"name\": \"c\", \"count\": 1, \"cores\": 4, \"mem_mib\": 8192, \"price\": "
        "{\"core_hour_fen\": 10}}]}]}";
    assert_int_equal(parse_text(minimal, NULL, &net, &err), 0);
    assert_int_equal(net.nregions, 1);
    assert_int_equal(net.sites[0].backend, SW_BACKEND_LOCAL);
    assert_int_equal(net.sites[0].classes[0].mem_mib, 8192);
    assert_int_equal(net.sites[0].classes[0].accel, -1);
    assert_true(sw_network_latency(&net, 0, 0) == 0.5);
    sw_network_free(&net);
    assert_null(net.sites);
    sw_network_free(&net);
    sw_network_free(NULL);
}

static void test_load_errors(void **state)
{
    (void)state;
    struct sw_network net;
    sw_error_t err = {{0}};
    assert_int_equal(sw_network_load("/nonexistent/net.json", &net, &err), -1);
    assert_int_equal(errno, ENOENT);
    assert_string_equal(err.text, "/nonexistent/net.json: cannot open: No such file or directory");

    assert_int_equal(sw_network_load(EXAMPLES_DIR, &net, &err), -1);
    assert_int_equal(errno, EISDIR);

    char path[] = "/tmp/test_network_big_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    static char chunk[1 << 16];
    memset(chunk, ' ', sizeof(chunk));
    for (int i = 0; i < 16 * 16 + 1; i++)
        assert_int_equal(write(fd, chunk, sizeof(chunk)), (ssize_t)sizeof(chunk));
    close(fd);
    assert_int_equal(sw_network_load(path, &net, &err), -1);
    assert_int_equal(errno, EFBIG);
    char want[256];
    snprintf(want, sizeof(want), "%s: file is larger than the 16 MiB limit", path);
    assert_string_equal(err.text, want);
    assert_null(net.sites);
    unlink(path);
}

/* ---- robustness: the parser never crashes, leaks or half-fills ---- */

static void parse_any(const char *text, size_t len)
{
    struct sw_network net;
    sw_error_t err = {{0}};
    if (sw_network_parse(text, len, "t.json", &net, &err) == 0) {
        sw_network_free(&net);
    } else {
        assert_null(net.sites);
        assert_true(err.text[0] != '\0');
    }
}

static char *read_example(const char *name, size_t *len)
{
    FILE *f = fopen(example_path(name), "rb");
    assert_non_null(f);
    static char buf[1 << 16];
    *len = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    assert_true(*len < sizeof(buf));
    char *copy = malloc(*len + 1);
    assert_non_null(copy);
    memcpy(copy, buf, *len);
    copy[*len] = '\0';
    return copy;
}

static void test_parse_truncations_and_bytes(void **state)
{
    (void)state;
    size_t len;
    char *text = read_example("small-gd.json", &len);
    for (size_t n = 0; n < len; n++)
        parse_any(text, n);
    static const char bytes[] = {'"', '{', '}', '[', ']', ',', ':', '-', '0', '.', 'e', '\\',
                                 '\0', (char)0xff, ' '};
    uint32_t seed = 12345;
    for (int i = 0; i < 3000; i++) {
        seed = seed * 1103515245u + 12345u;
        size_t at_byte = (seed >> 8) % len;
        char saved = text[at_byte];
        text[at_byte] = bytes[(seed >> 4) % sizeof(bytes)];
        parse_any(text, len);
        text[at_byte] = saved;
    }
    free(text);
}

/* Replace every scalar leaf in turn with each odd value and parse. */
static void mutate_leaves(json_t *root, json_t *node)
{
    static const char *odd[] = {
        "null", "true", "-1", "0", "1e300", "-1e300", "2.5", "\"\"", "\"A1OO\"", "[]", "{}",
        "9223372036854775807", "\"\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9"
        "\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9"
        "\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\"",
    };
    if (json_is_object(node) || json_is_array(node)) {
        size_t n = json_is_object(node) ? json_object_size(node) : json_array_size(node);
        void *iter = json_is_object(node) ? json_object_iter(node) : NULL;
        for (size_t i = 0; i < n; i++) {
            json_t *child = iter ? json_object_iter_value(iter) : json_array_get(node, i);
            if (json_is_object(child) || json_is_array(child)) {
                mutate_leaves(root, child);
            } else {
                json_t *keep = json_incref(child);
                for (size_t k = 0; k < sizeof(odd) / sizeof(odd[0]); k++) {
                    json_t *v = json_loads(odd[k], JSON_DECODE_ANY, NULL);
                    assert_non_null(v);
                    if (iter)
                        json_object_iter_set_new(node, iter, v);
                    else
                        json_array_set_new(node, i, v);
                    char *text = json_dumps(root, JSON_COMPACT);
                    assert_non_null(text);
                    parse_any(text, strlen(text));
                    free(text);
                }
                if (iter)
                    json_object_iter_set_new(node, iter, keep);
                else
                    json_array_set_new(node, i, keep);
            }
            if (iter)
                iter = json_object_iter_next(node, iter);
        }
    }
}

static void test_parse_odd_values(void **state)
{
    (void)state;
    json_t *root = example_json("small-gd.json");
    mutate_leaves(root, root);
    json_decref(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_guangdong_shape),
        cmocka_unit_test(test_guangdong_latency_circles),
        cmocka_unit_test(test_guangdong_pflops),
        cmocka_unit_test(test_guangdong_throughput_file),
        cmocka_unit_test(test_small_gd),
        cmocka_unit_test(test_capacity_milli),
        cmocka_unit_test(test_builtin_catalog),
        cmocka_unit_test(test_closest_name),
        cmocka_unit_test(test_error_unknown_model),
        cmocka_unit_test(test_error_unknown_field),
        cmocka_unit_test(test_error_types),
        cmocka_unit_test(test_error_counts),
        cmocka_unit_test(test_error_names),
        cmocka_unit_test(test_error_site_figures),
        cmocka_unit_test(test_error_money),
        cmocka_unit_test(test_error_links),
        cmocka_unit_test(test_catalog_section),
        cmocka_unit_test(test_throughput_section),
        cmocka_unit_test(test_throughput_file),
        cmocka_unit_test(test_error_json_syntax),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_parse_truncations_and_bytes),
        cmocka_unit_test(test_parse_odd_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
