/* network.h — the compute network as the core sees it: regions with a
 * latency and a bandwidth matrix, sites (one compute centre each, in one
 * region, run by one provider) with node classes (sets of identical nodes),
 * and the accelerator catalog. Pure data plus lookups; loaded from JSON by
 * src/config/network_json.c (format: docs/network.md).
 *
 * Units: latency ms, bandwidth Gbit/s, memory MiB (node) / GiB (catalog),
 * money integer fen, compute TFLOPS (catalog) and P = PFLOPS FP16 (reports).
 * Accelerators are counted in milli-accelerators inside resource vectors
 * (1000 = one device), so fractional GPU shares work.
 */
#ifndef SW_CORE_NETWORK_H
#define SW_CORE_NETWORK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/res.h"

#define SW_NAME_MAX 48
#define SW_MILLI 1000 /* milli-accelerators per accelerator */

struct sw_accel_model {
    char name[SW_NAME_MAX];   /* "A100" */
    char vendor[SW_NAME_MAX]; /* "NVIDIA" */
    int64_t mem_gib;
    double fp16_tflops;       /* dense FP16/BF16 */
    double fp64_tflops;
    int64_t watts;
};

/* Relative throughput of each catalog model for one workload class (e.g.
 * measured training throughputs); 0 where unknown. */
struct sw_workload_class {
    char name[SW_NAME_MAX];
    double *rel;              /* catalog.n entries */
};

struct sw_catalog {
    struct sw_accel_model *models;
    size_t n;
    struct sw_workload_class *classes;
    size_t nclasses;
};

enum sw_site_kind { SW_SITE_HPC = 0, SW_SITE_AI, SW_SITE_CLOUD };
enum sw_backend { SW_BACKEND_LOCAL = 0, SW_BACKEND_SLURM, SW_BACKEND_KUBERNETES };

struct sw_node_class {
    char name[SW_NAME_MAX];
    int64_t count;                /* nodes */
    int64_t cores;                /* per node */
    int64_t mem_mib;              /* per node */
    int accel;                    /* catalog index, -1 = no accelerators */
    int64_t accels;               /* per node (whole devices) */
    int64_t price_accel_hour_fen; /* per accelerator-hour */
    int64_t price_core_hour_fen;  /* per core-hour */
    char interconnect[SW_NAME_MAX];
};

struct sw_site {
    char name[SW_NAME_MAX];
    int region;                   /* index into network regions */
    char provider[SW_NAME_MAX];
    enum sw_site_kind kind;
    double pue;                   /* >= 1 */
    double carbon_g_per_kwh[24];  /* by hour of day (UTC+8); all equal if constant */
    enum sw_backend backend;
    struct sw_node_class *classes;
    size_t nclasses;
};

struct sw_network {
    char (*regions)[SW_NAME_MAX];
    size_t nregions;
    double *latency_ms;           /* nregions x nregions, row-major */
    double *bandwidth_gbps;       /* nregions x nregions; 0 = no direct link */
    struct sw_site *sites;
    size_t nsites;
    struct sw_catalog catalog;
};

/* Free everything inside `net` (not `net` itself); zeroes it. Accepts NULL. */
void sw_network_free(struct sw_network *net);

/* Index of a region / site / catalog model by exact name, or -1. */
int sw_network_region(const struct sw_network *net, const char *name);
int sw_network_site(const struct sw_network *net, const char *name);
int sw_catalog_model(const struct sw_catalog *cat, const char *name);

/* Index of a workload class (a row of the throughput matrix) by exact
 * name, or -1. */
int sw_catalog_class(const struct sw_catalog *cat, const char *name);

/* The file-format names of a site kind ("hpc", "ai", "cloud") and of a
 * backend ("local", "slurm", "kubernetes"); static strings. */
const char *sw_site_kind_name(enum sw_site_kind k);
const char *sw_backend_name(enum sw_backend b);

static inline double sw_network_latency(const struct sw_network *net, int a, int b)
{
    return net->latency_ms[(size_t)a * net->nregions + (size_t)b];
}

static inline double sw_network_bandwidth(const struct sw_network *net, int a, int b)
{
    return net->bandwidth_gbps[(size_t)a * net->nregions + (size_t)b];
}

/* The whole capacity of a node class as a resource vector (cores, memory,
 * milli-accelerators). */
struct sw_res sw_node_class_capacity(const struct sw_node_class *nc);

/* FP16 PFLOPS of a node class / a site / the network. */
double sw_node_class_pflops(const struct sw_network *net, const struct sw_node_class *nc);
double sw_site_pflops(const struct sw_network *net, const struct sw_site *site);
double sw_network_pflops(const struct sw_network *net);

/* The built-in accelerator catalog (public spec-sheet figures, see
 * docs/network.md): fills `cat` with newly allocated models. Returns 0 or
 * -1 (ENOMEM). */
int sw_catalog_builtin(struct sw_catalog *cat);

/* Release a catalog's memory; zeroes it. */
void sw_catalog_free(struct sw_catalog *cat);

/* The closest names in a list, for "did you mean" messages: returns the
 * index of the candidate with the smallest edit distance if it is at most
 * max(2, len/3), else -1. `names` is an array of `n` strings spaced
 * `stride` bytes apart (e.g. the `name` field of an array of structs).
 * ASCII letters compare case-insensitively ("a100" suggests "A100"); at equal
 * distance the candidate closest in length wins, then the earliest. An empty
 * `wanted` and empty candidates match nothing. */
int sw_closest_name(const char *wanted, const void *names, size_t n, size_t stride);

#endif
