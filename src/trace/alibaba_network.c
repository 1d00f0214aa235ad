/* alibaba_network.c — the node list of Alibaba's 2023 GPU cluster trace
 * (openb_node_list_gpu_node.csv: sn,cpu_milli,memory_mib,gpu,model) as a
 * one-site compute network (see gputrace.h and docs/gpu-traces.md): nodes
 * of identical shape are grouped into node classes with counts. The
 * network's arrays are malloc'd exactly as sw_network_free() frees them.
 */
#include "trace/gputrace.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace/gpucsv.h"

enum { NODE_SN = 0, NODE_CPU, NODE_MEM, NODE_GPUS, NODE_MODEL, NODE_NCOLS };

#define NODE_CPU_MILLI_MAX ((int64_t)100000000) /* 100,000 cores */
#define NODE_MEM_MAX ((int64_t)1 << 40)         /* MiB */
#define NODE_GPUS_MAX 1024
#define NODE_CLASSES_MAX 4096

/* Documented defaults of the site (docs/gpu-traces.md). */
#define ALIBABA_REGION "alibaba"
#define ALIBABA_SITE "alibaba-openb"
#define ALIBABA_PROVIDER "alibaba"
#define ALIBABA_PUE 1.3
#define ALIBABA_CARBON 570.0       /* gCO2/kWh, China's national grid average */
#define ALIBABA_LATENCY_MS 0.5
#define ALIBABA_BANDWIDTH_GBPS 400.0

struct node_reader {
    struct sw__csv csv;
    struct sw__csv_col cols[NODE_NCOLS];
    struct sw_network *net;
    size_t cap;                    /* classes allocated in the site */
};

/* One node's shape. */
struct node_shape {
    int64_t cores, mem_mib, gpus;
    int accel;                     /* catalog index, -1 = none */
};

/* ---- the empty one-site network ---------------------------------------- */

static void init_site(struct sw_site *s)
{
    sw__gpu_copy_name(s->name, ALIBABA_SITE);
    sw__gpu_copy_name(s->provider, ALIBABA_PROVIDER);
    s->region = 0;
    s->kind = SW_SITE_AI;
    s->pue = ALIBABA_PUE;
    for (size_t h = 0; h < 24; h++)
        s->carbon_g_per_kwh[h] = ALIBABA_CARBON;
    s->backend = SW_BACKEND_LOCAL;
}

static int init_network(struct sw_network *net)
{
    memset(net, 0, sizeof(*net));
    net->regions = malloc(sizeof(net->regions[0]));
    net->latency_ms = malloc(sizeof(double));
    net->bandwidth_gbps = malloc(sizeof(double));
    net->sites = calloc(1, sizeof(net->sites[0]));
    if (!net->regions || !net->latency_ms || !net->bandwidth_gbps || !net->sites ||
        sw_catalog_builtin(&net->catalog) != 0) {
        sw_network_free(net);
        errno = ENOMEM;
        return -1;
    }
    net->nregions = 1;
    sw__gpu_copy_name(net->regions[0], ALIBABA_REGION);
    net->latency_ms[0] = ALIBABA_LATENCY_MS;
    net->bandwidth_gbps[0] = ALIBABA_BANDWIDTH_GBPS;
    net->nsites = 1;
    init_site(&net->sites[0]);
    return 0;
}

/* ---- rows -------------------------------------------------------------- */

/* The model column: a catalog model when the node has GPUs. */
static int parse_model(struct node_reader *rd, struct node_shape *n, sw_error_t *err)
{
    char name[SW_NAME_MAX];
    const struct sw__csv_col *col = &rd->cols[NODE_MODEL];
    const struct sw_catalog *cat = &rd->net->catalog;
    n->accel = -1;
    if (n->gpus == 0)
        return 0;
    if (sw__csv_name(&rd->csv, col, name, sizeof(name), err) != 0)
        return -1;
    n->accel = sw_catalog_model(cat, name);
    if (n->accel >= 0)
        return 0;
    char q[200];
    sw__trace_quote(name, strlen(name), q, sizeof(q));
    int near = sw_closest_name(name, cat->models, cat->n, sizeof(cat->models[0]));
    if (near >= 0)
        return sw__csv_fail(&rd->csv, col, err, "\"%s\" is not in the accelerator "
                            "catalog; did you mean \"%s\"?", q, cat->models[near].name);
    return sw__csv_fail(&rd->csv, col, err, "\"%s\" is not in the accelerator catalog "
                        "(the built-in catalog's models: docs/network.md)", q);
}

static int parse_node(struct node_reader *rd, struct node_shape *n, sw_error_t *err)
{
    struct sw__csv *c = &rd->csv;
    int64_t cpu_milli;
    if (sw__csv_int(c, &rd->cols[NODE_CPU], 0, NODE_CPU_MILLI_MAX, &cpu_milli, err) != 0 ||
        sw__csv_int(c, &rd->cols[NODE_MEM], 0, NODE_MEM_MAX, &n->mem_mib, err) != 0 ||
        sw__csv_int(c, &rd->cols[NODE_GPUS], 0, NODE_GPUS_MAX, &n->gpus, err) != 0)
        return -1;
    n->cores = cpu_milli / 1000;
    return parse_model(rd, n, err);
}

/* "G2x8-96c-384g" (memory in GiB when whole, else "...m" in MiB); nodes
 * without accelerators: "cpu-96c-384g". */
static void class_name(const struct sw_network *net, const struct node_shape *n,
                       char out[SW_NAME_MAX])
{
    char mem[24];
    if (n->mem_mib % 1024 == 0)
        snprintf(mem, sizeof(mem), "%lldg", (long long)(n->mem_mib / 1024));
    else
        snprintf(mem, sizeof(mem), "%lldm", (long long)n->mem_mib);
    if (n->accel >= 0)
        snprintf(out, SW_NAME_MAX, "%.16sx%lld-%lldc-%.15s",
                 net->catalog.models[n->accel].name, (long long)n->gpus, (long long)n->cores,
                 mem);
    else
        snprintf(out, SW_NAME_MAX, "cpu-%lldc-%.15s", (long long)n->cores, mem);
}

static bool same_shape(const struct sw_node_class *nc, const struct node_shape *n)
{
    return nc->cores == n->cores && nc->mem_mib == n->mem_mib && nc->accel == n->accel &&
           nc->accels == (n->accel >= 0 ? n->gpus : 0);
}

/* A new node class for shape `n` (count 0); NULL with a message. */
static struct sw_node_class *new_class(struct node_reader *rd, const struct node_shape *n,
                                       sw_error_t *err)
{
    struct sw_site *s = &rd->net->sites[0];
    if (s->nclasses == NODE_CLASSES_MAX) {
        errno = EINVAL;
        sw_errprintf(err, "%s:%zu: more than %d distinct node shapes", rd->csv.path,
                     sw__csv_lineno(&rd->csv), NODE_CLASSES_MAX);
        return NULL;
    }
    if (s->nclasses == rd->cap) {
        size_t cap = rd->cap ? rd->cap * 2 : 16;
        struct sw_node_class *p = realloc(s->classes, cap * sizeof(*p));
        if (!p) {
            errno = ENOMEM;
            sw_errprintf(err, "%s: out of memory", rd->csv.path);
            return NULL;
        }
        s->classes = p;
        rd->cap = cap;
    }
    struct sw_node_class *nc = &s->classes[s->nclasses++];
    memset(nc, 0, sizeof(*nc));
    class_name(rd->net, n, nc->name);
    nc->cores = n->cores;
    nc->mem_mib = n->mem_mib;
    nc->accel = n->accel;
    nc->accels = n->accel >= 0 ? n->gpus : 0;
    return nc;
}

static int handle_node(struct node_reader *rd, sw_error_t *err)
{
    struct node_shape n;
    if (parse_node(rd, &n, err) != 0)
        return -1;
    struct sw_site *s = &rd->net->sites[0];
    struct sw_node_class *nc = NULL;
    for (size_t i = 0; i < s->nclasses && !nc; i++)
        if (same_shape(&s->classes[i], &n))
            nc = &s->classes[i];
    if (!nc && !(nc = new_class(rd, &n, err)))
        return -1;
    nc->count++;
    return 0;
}

static int read_nodes(struct node_reader *rd, sw_error_t *err)
{
    int rc;
    while ((rc = sw__csv_next(&rd->csv, err)) == 1)
        if (handle_node(rd, err) != 0)
            return -1;
    if (rc < 0)
        return -1;
    if (rd->net->sites[0].nclasses == 0) {
        errno = EINVAL;
        return sw_errprintf(err, "%s: no nodes (only a header)", rd->csv.path);
    }
    return 0;
}

int sw_alibaba_network(const char *node_csv_path, struct sw_network *net, sw_error_t *err)
{
    struct node_reader rd = {
        .net = net,
        .cols = {
            [NODE_SN] = {"sn", false, -1},
            [NODE_CPU] = {"cpu_milli", true, -1},
            [NODE_MEM] = {"memory_mib", true, -1},
            [NODE_GPUS] = {"gpu", true, -1},
            [NODE_MODEL] = {"model", true, -1},
        },
    };
    if (init_network(net) != 0)
        return sw_errprintf(err, "%s: out of memory", node_csv_path);
    if (sw__csv_open(&rd.csv, node_csv_path, rd.cols, NODE_NCOLS, err) != 0) {
        sw_network_free(net);
        return -1;
    }
    int rc = read_nodes(&rd, err);
    sw__csv_close(&rd.csv);
    if (rc != 0) {
        sw_network_free(net);
        return -1;
    }
    return 0;
}
