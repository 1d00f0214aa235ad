/* test_agent_discover.c — what a site agent registers (src/agent/discover.c):
 * nvidia-smi's CSV parsed and GPU names mapped to catalog models (and kept
 * raw where none matches), a fake nvidia-smi run with fork + execve, a
 * failing one falling back to the accelerators the network file declares for
 * the site, --accelerators flags, an unknown site, cores and memory.
 */
#define _GNU_SOURCE /* mkdtemp */
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/discover.h"

static const char *network_path(void)
{
    static char path[1024];
    snprintf(path, sizeof(path), "%s/../../examples/small-gd.json", SW_TEST_DATA_DIR);
    return path;
}

static const struct sw_accel_group *group(const struct sw_capacity *c, const char *model)
{
    for (size_t i = 0; i < c->ngroups; i++)
        if (strcmp(c->groups[i].model, model) == 0)
            return &c->groups[i];
    return NULL;
}

static void test_gpu_names(void **state)
{
    (void)state;
    struct sw_catalog cat = {0};
    assert_int_equal(sw_catalog_builtin(&cat), 0);
    static const struct {
        const char *raw, *model;
    } cases[] = {
        {"NVIDIA A100-SXM4-80GB", "A100"},
        {"NVIDIA A100 80GB PCIe", "A100"},
        {"NVIDIA A800-SXM4-80GB", "A800"},
        {"NVIDIA H100 80GB HBM3", "H100"},
        {"NVIDIA H20", "H20"},          /* not H200, not H100 */
        {"NVIDIA H200", "NVIDIA H200"}, /* not in the catalog: kept raw */
        {"NVIDIA A10", "A10"},          /* not A100 */
        {"Tesla V100-SXM2-32GB", "V100"},
        {"Tesla T4", "T4"},
        {"NVIDIA L40S", "L40S"},
        {"NVIDIA GeForce RTX 4090", "NVIDIA GeForce RTX 4090"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char out[SW_ACCEL_NAME_MAX];
        sw_discover_gpu_model(cases[i].raw, &cat, out, sizeof(out));
        assert_string_equal(out, cases[i].model);
    }
    char out[SW_ACCEL_NAME_MAX];
    sw_discover_gpu_model("NVIDIA A100", NULL, out, sizeof(out));
    assert_string_equal(out, "NVIDIA A100");
    sw_catalog_free(&cat);
}

static void test_parse_nvidia_smi(void **state)
{
    (void)state;
    struct sw_catalog cat = {0};
    assert_int_equal(sw_catalog_builtin(&cat), 0);
    struct sw_capacity *c = calloc(1, sizeof(*c));
    sw_error_t err = {{0}};
    const char *text = "0, NVIDIA A100-SXM4-80GB, 81920, GPU-aaaa\n"
                       "1, NVIDIA A100-SXM4-80GB, 81920, GPU-bbbb\r\n"
                       "\n"
                       "2, NVIDIA H200, 143771, GPU-cccc\n"
                       "3, Tesla V100-SXM2-32GB, [N/A], GPU-dddd";
    assert_int_equal(sw_discover_parse_nvidia_smi(text, &cat, c, &err), 4);
    assert_int_equal(c->ndevices, 4);
    assert_int_equal(c->ngroups, 3);
    assert_int_equal(group(c, "A100")->count, 2);
    assert_string_equal(group(c, "A100")->source, "nvidia-smi");
    assert_int_equal(group(c, "NVIDIA H200")->count, 1);
    assert_int_equal(group(c, "V100")->count, 1);
    assert_int_equal(c->devices[2].index, 2);
    assert_string_equal(c->devices[2].uuid, "GPU-cccc");
    assert_int_equal(c->devices[2].mem_mib, 143771);
    assert_int_equal(c->devices[3].mem_mib, 0); /* [N/A] */

    memset(c, 0, sizeof(*c));
    assert_int_equal(sw_discover_parse_nvidia_smi("0, A100, 1, u\nx, A100, 1, u\n", &cat, c,
                                                  &err), -1);
    assert_non_null(strstr(err.text, "line 2"));
    assert_int_equal(sw_discover_parse_nvidia_smi("justonefield\n", &cat, c, &err), -1);
    assert_non_null(strstr(err.text, "line 1"));
    assert_int_equal(sw_discover_parse_nvidia_smi("", &cat, c, &err), 0);
    free(c);
    sw_catalog_free(&cat);
}

/* Write an executable fake nvidia-smi printing `body` (a shell snippet). */
static void fake_smi(char *dir, char *path, size_t n, const char *body)
{
    snprintf(path, n, "%s/nvidia-smi", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "#!/bin/sh\n%s\n", body);
    fclose(f);
    assert_int_equal(chmod(path, 0755), 0);
}

static void test_discover_sources(void **state)
{
    (void)state;
    char dir[] = "/tmp/sw-test-discover.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char smi[512];
    struct sw_capacity *c = calloc(1, sizeof(*c));
    sw_error_t err = {{0}}, note = {{0}};

    /* nvidia-smi lists GPUs: they are what the agent offers */
    fake_smi(dir, smi, sizeof(smi),
             "[ \"$1\" = --query-gpu=index,name,memory.total,uuid ] || exit 9\n"
             "echo '0, NVIDIA H100 80GB HBM3, 81559, GPU-1'\n"
             "echo '1, NVIDIA H100 80GB HBM3, 81559, GPU-2'");
    struct sw_discover_opts o = {.nvidia_smi = smi, .network_path = network_path(),
                                 .site = "sg-ai"};
    assert_int_equal(sw_discover(&o, c, &note, &err), 0);
    assert_true(c->cores >= 1);
    assert_true(c->mem_mib > 0);
    assert_int_equal(c->ngroups, 1);
    assert_string_equal(c->groups[0].model, "H100");
    assert_int_equal(c->groups[0].count, 2);
    assert_string_equal(c->groups[0].source, "nvidia-smi");

    /* a failing nvidia-smi: the network file's declaration for the site */
    fake_smi(dir, smi, sizeof(smi), "echo 'NVIDIA-SMI has failed' >&2; exit 9");
    assert_int_equal(sw_discover(&o, c, &note, &err), 0);
    assert_non_null(strstr(note.text, "failed (status 9)"));
    assert_int_equal(group(c, "Ascend910B")->count, 16 * 8);
    assert_int_equal(group(c, "A800")->count, 4 * 8);
    assert_string_equal(group(c, "A800")->source, "declared");
    assert_int_equal(c->ndevices, 160);
    assert_int_equal(c->devices[159].index, 159);

    /* --discover declared: nvidia-smi is never run */
    fake_smi(dir, smi, sizeof(smi), "echo ran > \"$(dirname \"$0\")/ran\"; exit 0");
    o.gpus = SW_DISCOVER_DECLARED;
    o.site = "gz-hpc";
    assert_int_equal(sw_discover(&o, c, &note, &err), 0);
    assert_int_equal(c->ngroups, 1);
    assert_int_equal(group(c, "V100")->count, 16);
    char ran[600];
    snprintf(ran, sizeof(ran), "%s/ran", dir);
    assert_int_equal(access(ran, F_OK), -1);

    /* --accelerators flags win over everything */
    struct sw_accel_group decl[2];
    assert_int_equal(sw_discover_parse_declared("Ascend910:4", &decl[0], &err), 0);
    assert_int_equal(sw_discover_parse_declared("MLU370-X8:2", &decl[1], &err), 0);
    assert_string_equal(decl[1].model, "MLU370-X8");
    o.declared = decl;
    o.ndeclared = 2;
    o.gpus = SW_DISCOVER_AUTO;
    assert_int_equal(sw_discover(&o, c, &note, &err), 0);
    assert_int_equal(c->ngroups, 2);
    assert_int_equal(group(c, "Ascend910")->count, 4);
    assert_int_equal(c->ndevices, 6);

    /* mistakes */
    o.declared = NULL;
    o.ndeclared = 0;
    o.site = "sg-aj";
    fake_smi(dir, smi, sizeof(smi), "exit 0");
    assert_int_equal(sw_discover(&o, c, &note, &err), -1);
    assert_non_null(strstr(err.text, "no site \"sg-aj\"; did you mean \"sg-ai\"?"));
    assert_int_equal(sw_discover_parse_declared("A100", &decl[0], &err), -1);
    assert_non_null(strstr(err.text, "MODEL:COUNT"));
    assert_int_equal(sw_discover_parse_declared("A100:0", &decl[0], &err), -1);
    assert_int_equal(sw_discover_parse_declared("A100:x", &decl[0], &err), -1);
    o.network_path = "/nonexistent/net.json";
    assert_int_equal(sw_discover(&o, c, &note, &err), -1);
    assert_non_null(strstr(err.text, "/nonexistent/net.json"));

    /* no nvidia-smi at all, no network: no accelerators, and a note */
    struct sw_discover_opts bare = {.nvidia_smi = "/nonexistent/nvidia-smi"};
    assert_int_equal(sw_discover(&bare, c, &note, &err), 0);
    assert_int_equal(c->ngroups, 0);
    assert_true(note.text[0] != '\0');

    unlink(smi);
    rmdir(dir);
    free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gpu_names),
        cmocka_unit_test(test_parse_nvidia_smi),
        cmocka_unit_test(test_discover_sources),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
