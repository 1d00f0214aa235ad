/* network.c — the compute network's data model (see network.h): freeing,
 * lookups by name, capacity as resource vectors and in P (PFLOPS FP16), the
 * built-in accelerator catalog, and the edit-distance matcher behind every
 * "did you mean" message. Pure: no I/O, no clock, no globals.
 *
 * The built-in figures are public spec-sheet numbers (dense FP16/BF16, no
 * sparsity); docs/network.md gives the source of each and says which ones
 * are reported or assumed rather than published by the vendor.
 */
#include "core/network.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* One built-in model. `vendor` and `name` fit SW_NAME_MAX. */
struct builtin_model {
    const char *name;
    const char *vendor;
    int64_t mem_gib;
    double fp16_tflops;
    double fp64_tflops;
    int64_t watts;
};

/* The starting catalog. Sources and caveats: docs/network.md. Order is
 * part of the contract only in that it is stable (catalog indexes). */
static const struct builtin_model builtin_models[] = {
    /* NVIDIA data-centre GPUs, datasheet figures (SXM where both exist) */
    {"V100", "NVIDIA", 32, 125.0, 7.8, 300},
    {"A100", "NVIDIA", 80, 312.0, 9.7, 400},
    {"A800", "NVIDIA", 80, 312.0, 9.7, 400},
    {"H100", "NVIDIA", 80, 989.0, 34.0, 700},
    {"H800", "NVIDIA", 80, 989.0, 1.0, 700},
    {"H20", "NVIDIA", 96, 148.0, 1.0, 400},     /* reported */
    {"L40S", "NVIDIA", 48, 362.0, 1.4, 350},    /* FP64 approximate */
    {"L20", "NVIDIA", 48, 119.5, 0.9, 275},     /* reported */
    /* NPUs and other accelerators */
    {"Ascend910", "Huawei", 32, 256.0, 0.0, 310},
    {"Ascend910B", "Huawei", 64, 313.0, 0.0, 400}, /* reported */
    {"MLU370-X8", "Cambricon", 48, 96.0, 0.0, 250},
    /* models of the public GPU traces (Gavel, Alibaba 2023) */
    {"K80", "NVIDIA", 12, 4.37, 1.46, 150},     /* one GK210 (half a board); FP32 rate */
    {"P100", "NVIDIA", 16, 18.7, 4.7, 250},     /* PCIe 16 GB */
    {"T4", "NVIDIA", 16, 65.0, 0.25, 70},       /* FP64 approximate */
    {"A10", "NVIDIA", 24, 125.0, 0.98, 150},    /* FP64 approximate */
    {"V100M16", "NVIDIA", 16, 125.0, 7.8, 300}, /* Alibaba's V100 16 GB */
    {"V100M32", "NVIDIA", 32, 125.0, 7.8, 300}, /* Alibaba's V100 32 GB */
    {"G2", "unknown (Alibaba trace)", 32, 125.0, 7.8, 300},  /* ASSUMED V100-class */
    {"G3", "unknown (Alibaba trace)", 80, 312.0, 9.7, 400},  /* ASSUMED A100-class */
};

enum { BUILTIN_N = sizeof(builtin_models) / sizeof(builtin_models[0]) };

/* Copy a NUL-terminated string into a SW_NAME_MAX field, truncating. */
static void copy_name(char dst[SW_NAME_MAX], const char *src)
{
    size_t n = strnlen(src, SW_NAME_MAX - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

void sw_catalog_free(struct sw_catalog *cat)
{
    if (!cat)
        return;
    int saved = errno;
    for (size_t i = 0; i < cat->nclasses; i++)
        free(cat->classes[i].rel);
    free(cat->classes);
    free(cat->models);
    memset(cat, 0, sizeof(*cat));
    errno = saved;
}

void sw_network_free(struct sw_network *net)
{
    if (!net)
        return;
    int saved = errno;
    for (size_t i = 0; i < net->nsites; i++)
        free(net->sites[i].classes);
    free(net->sites);
    free(net->regions);
    free(net->latency_ms);
    free(net->bandwidth_gbps);
    sw_catalog_free(&net->catalog);
    memset(net, 0, sizeof(*net));
    errno = saved;
}

/* Index of `name` among `n` inline names spaced `stride` bytes apart. */
static int find_name(const void *names, size_t n, size_t stride, const char *name)
{
    if (!names || !name)
        return -1;
    const char *p = names;
    for (size_t i = 0; i < n; i++, p += stride)
        if (strncmp(p, name, SW_NAME_MAX) == 0)
            return (int)i;
    return -1;
}

int sw_network_region(const struct sw_network *net, const char *name)
{
    if (!net)
        return -1;
    return find_name(net->regions, net->nregions, sizeof(net->regions[0]), name);
}

int sw_network_site(const struct sw_network *net, const char *name)
{
    if (!net)
        return -1;
    return find_name(net->sites, net->nsites, sizeof(net->sites[0]), name);
}

int sw_catalog_model(const struct sw_catalog *cat, const char *name)
{
    if (!cat)
        return -1;
    return find_name(cat->models, cat->n, sizeof(cat->models[0]), name);
}

int sw_catalog_class(const struct sw_catalog *cat, const char *name)
{
    if (!cat)
        return -1;
    return find_name(cat->classes, cat->nclasses, sizeof(cat->classes[0]), name);
}

struct sw_res sw_node_class_capacity(const struct sw_node_class *nc)
{
    struct sw_res r = {{0}};
    r.v[SW_RES_CORES] = nc->count * nc->cores;
    r.v[SW_RES_MEM_MIB] = nc->count * nc->mem_mib;
    if (nc->accel >= 0)
        r.v[SW_RES_ACCEL] = nc->count * nc->accels * SW_MILLI;
    return r;
}

double sw_node_class_pflops(const struct sw_network *net, const struct sw_node_class *nc)
{
    if (nc->accel < 0 || (size_t)nc->accel >= net->catalog.n)
        return 0.0;
    double devices = (double)nc->count * (double)nc->accels;
    return devices * net->catalog.models[nc->accel].fp16_tflops / 1000.0;
}

double sw_site_pflops(const struct sw_network *net, const struct sw_site *site)
{
    double p = 0.0;
    for (size_t i = 0; i < site->nclasses; i++)
        p += sw_node_class_pflops(net, &site->classes[i]);
    return p;
}

double sw_network_pflops(const struct sw_network *net)
{
    double p = 0.0;
    for (size_t i = 0; i < net->nsites; i++)
        p += sw_site_pflops(net, &net->sites[i]);
    return p;
}

int sw_catalog_builtin(struct sw_catalog *cat)
{
    memset(cat, 0, sizeof(*cat));
    cat->models = calloc(BUILTIN_N, sizeof(cat->models[0]));
    if (!cat->models) {
        errno = ENOMEM;
        return -1;
    }
    for (size_t i = 0; i < BUILTIN_N; i++) {
        const struct builtin_model *b = &builtin_models[i];
        struct sw_accel_model *m = &cat->models[i];
        copy_name(m->name, b->name);
        copy_name(m->vendor, b->vendor);
        m->mem_gib = b->mem_gib;
        m->fp16_tflops = b->fp16_tflops;
        m->fp64_tflops = b->fp64_tflops;
        m->watts = b->watts;
    }
    cat->n = BUILTIN_N;
    return 0;
}

const char *sw_site_kind_name(enum sw_site_kind k)
{
    switch (k) {
    case SW_SITE_HPC: return "hpc";
    case SW_SITE_AI: return "ai";
    case SW_SITE_CLOUD: return "cloud";
    }
    return "?";
}

const char *sw_backend_name(enum sw_backend b)
{
    switch (b) {
    case SW_BACKEND_LOCAL: return "local";
    case SW_BACKEND_SLURM: return "slurm";
    case SW_BACKEND_KUBERNETES: return "kubernetes";
    }
    return "?";
}

/* ---- "did you mean": Levenshtein distance, ASCII letters case-folded ---- */

enum { CLOSEST_MAX_LEN = 256 }; /* longer candidates are never suggested */

static unsigned char fold(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

static size_t min3(size_t a, size_t b, size_t c)
{
    size_t m = a < b ? a : b;
    return m < c ? m : c;
}

/* Edit distance between a (length la) and b (length lb <= CLOSEST_MAX_LEN),
 * or a value > limit as soon as the distance is known to exceed `limit`. */
static size_t edit_distance(const char *a, size_t la, const char *b, size_t lb, size_t limit)
{
    size_t row[CLOSEST_MAX_LEN + 1];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0]; /* row[i-1][j-1] */
        row[0] = i;
        size_t best = row[0];
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = fold((unsigned char)a[i - 1]) == fold((unsigned char)b[j - 1]) ? 0 : 1;
            row[j] = min3(up + 1, row[j - 1] + 1, diag + cost);
            diag = up;
            if (row[j] < best)
                best = row[j];
        }
        if (best > limit)
            return limit + 1;
    }
    return row[lb];
}

int sw_closest_name(const char *wanted, const void *names, size_t n, size_t stride)
{
    if (!wanted || !names || stride == 0)
        return -1;
    size_t lw = strlen(wanted);
    if (lw == 0)
        return -1;
    int best = -1;
    size_t best_d = lw / 3 > 2 ? lw / 3 : 2; /* accepted while <= best_d */
    size_t best_diff = SIZE_MAX;
    const char *p = names;
    for (size_t i = 0; i < n && i <= (size_t)INT32_MAX; i++, p += stride) {
        size_t lc = strnlen(p, stride);
        if (lc == 0 || lc > CLOSEST_MAX_LEN || lc == stride)
            continue; /* empty, too long, or not NUL-terminated in its slot */
        size_t diff = lc > lw ? lc - lw : lw - lc;
        if (diff > best_d)
            continue; /* the distance is at least the length difference */
        size_t d = edit_distance(wanted, lw, p, lc, best_d);
        if (d > best_d)
            continue;
        /* a smaller distance wins; at equal distance, the closer length */
        if (best < 0 || d < best_d || diff < best_diff) {
            best = (int)i;
            best_d = d;
            best_diff = diff;
        }
    }
    return best;
}
