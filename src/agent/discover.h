/* discover.h — what a site agent offers: cores, memory and accelerators.
 *
 * Cores come from the CPU affinity mask (what this process may use, which
 * honours cpusets and containers), memory from /proc/meminfo capped by a
 * cgroup v2 memory.max where one is set. Accelerators come, in this order of
 * preference, from:
 *   1. models declared on the command line (`--accelerators A100:8`);
 *   2. NVIDIA GPUs listed by `nvidia-smi` (run with fork + execve, never a
 *      shell), unless the caller asks for declared accelerators only;
 *   3. the site's entry of the network file: the sum per model over its node
 *      classes, so that a laptop can play an Ascend centre.
 * Each accelerator group says where it came from: "declared" or "nvidia-smi".
 *
 * GPU names are mapped to catalog model names where a word of the name is
 * one ("NVIDIA A100-SXM4-80GB" -> "A100", "Tesla V100-SXM2-32GB" -> "V100");
 * otherwise the raw name is kept ("NVIDIA H200").
 */
#ifndef SW_AGENT_DISCOVER_H
#define SW_AGENT_DISCOVER_H

#include <stddef.h>
#include <stdint.h>

#include "core/network.h"
#include "util/error.h"

#define SW_DISCOVER_MAX_DEVICES 256
#define SW_DISCOVER_MAX_GROUPS 32
#define SW_ACCEL_NAME_MAX 64

/* One device the agent can hand to tasks (CUDA_VISIBLE_DEVICES index). */
struct sw_device {
    int index;                        /* nvidia-smi index, or 0.. for declared */
    char model[SW_ACCEL_NAME_MAX];    /* catalog name where known */
    char uuid[64];                    /* "GPU-…", empty for declared devices */
    int64_t mem_mib;                  /* 0 when unknown */
};

/* Devices of one model, as reported to the controller. */
struct sw_accel_group {
    char model[SW_ACCEL_NAME_MAX];
    int64_t count;
    const char *source;               /* static: "nvidia-smi" or "declared" */
};

/* A group of identical nodes, as the agent reports them ("node_classes" of
 * docs/agent-protocol.md): a Slurm site's nodes grouped by shape
 * (slurm_nodes.h), or this machine as one class of one node. */
#define SW_DISCOVER_MAX_CLASSES 64
#define SW_CLASS_MAX_ACCEL 4
#define SW_CLASS_NAME_MAX 96

struct sw_class_accel {
    char model[SW_ACCEL_NAME_MAX];     /* catalog name where known */
    char gres_type[SW_ACCEL_NAME_MAX]; /* as Slurm spells it ("" for none / not Slurm) */
    int64_t count;                     /* per node */
};

struct sw_node_class_report {
    char name[SW_CLASS_NAME_MAX];
    int64_t count;                     /* nodes */
    int64_t cores;                     /* per node */
    int64_t mem_mib;                   /* per node */
    struct sw_class_accel accel[SW_CLASS_MAX_ACCEL];
    size_t naccel;
};

struct sw_node_classes {
    struct sw_node_class_report c[SW_DISCOVER_MAX_CLASSES];
    size_t n;
};

struct sw_capacity {
    int64_t cores;
    int64_t mem_mib;
    struct sw_accel_group groups[SW_DISCOVER_MAX_GROUPS];
    size_t ngroups;
    struct sw_device devices[SW_DISCOVER_MAX_DEVICES];
    size_t ndevices;
    struct sw_node_classes classes;   /* sw_discover: this machine as one class */
};

enum sw_discover_gpus {
    SW_DISCOVER_AUTO = 0,  /* nvidia-smi if it lists GPUs, else the network file */
    SW_DISCOVER_DECLARED,  /* never run nvidia-smi */
};

struct sw_discover_opts {
    enum sw_discover_gpus gpus;
    const char *nvidia_smi;           /* path; NULL: look for "nvidia-smi" in $PATH */
    const char *network_path;         /* NULL: none */
    const char *site;                 /* the site to look up in the network file */
    const struct sw_accel_group *declared; /* from --accelerators; may be NULL */
    size_t ndeclared;
};

/* Fill `cap`. Fails (-1, message) only on a bad network file, an unknown
 * site in it, or too many devices; a missing or failing nvidia-smi just
 * means no NVIDIA GPUs (the reason is noted in `note`, which may be NULL). */
int sw_discover(const struct sw_discover_opts *opts, struct sw_capacity *cap,
                sw_error_t *note, sw_error_t *err);

/* Parse nvidia-smi's `--query-gpu=index,name,memory.total,uuid
 * --format=csv,noheader,nounits` output into devices and groups of `cap`
 * (appended), mapping names through `cat` (may be NULL). Returns the number
 * of GPUs parsed, or -1 with a message on a malformed line. */
int sw_discover_parse_nvidia_smi(const char *text, const struct sw_catalog *cat,
                                 struct sw_capacity *cap, sw_error_t *err);

/* The catalog model named by a GPU name, or the name itself: writes into
 * `out` (size `n`). */
void sw_discover_gpu_model(const char *gpu_name, const struct sw_catalog *cat, char *out,
                           size_t n);

/* This machine as one node class of one node ("local"), from the totals
 * and groups of `cap`, into cap->classes. */
void sw_discover_one_class(struct sw_capacity *cap);

/* Parse "MODEL:N" (an --accelerators flag). */
int sw_discover_parse_declared(const char *s, struct sw_accel_group *g, sw_error_t *err);

#endif
