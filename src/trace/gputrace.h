/* gputrace.h — readers that turn real GPU cluster traces into workloads of
 * job requests (struct sw_workload) for the network simulator, and the
 * Alibaba node list into a one-site network. The mapping rules and every
 * assumption behind them: docs/gpu-traces.md.
 *
 *  - Microsoft ITP (elasticflow-traces) `cluster*.csv`:
 *    job_id,submission_time,duration,num_gpu (seconds from trace start).
 *  - Alibaba 2023 ("Beware of Fragmentation") `openb_pod_list_*.csv`:
 *    name,cpu_milli,memory_mib,num_gpu,gpu_milli[,gpu_spec,qos,pod_phase,
 *    creation_time,deletion_time,scheduled_time] — columns are found by
 *    their header names, so the 5-column lists without times load too.
 *  - Alibaba `openb_node_list_gpu_node.csv`: sn,cpu_milli,memory_mib,gpu,model.
 *
 * All readers are strict: the first malformed row fails the whole read with
 * "FILE:LINE: COLUMN: why" and leaves the output empty. Rows that are
 * well-formed but cannot become a job (ITP: duration or num_gpu <= 0;
 * Alibaba: never scheduled, or no positive runtime) are left out and counted
 * in w->skipped (and in the optional stats). Files may be gzip-compressed.
 * Jobs keep file order (both traces are sorted by submission time); job ids
 * are the 1-based line numbers of their rows.
 */
#ifndef SW_TRACE_GPUTRACE_H
#define SW_TRACE_GPUTRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/jobspec.h"
#include "core/network.h"
#include "util/error.h"

/* What a read found; filled when options.stats is non-NULL (overwritten). */
struct sw_gputrace_stats {
    size_t rows;             /* data rows read (all of them, or up to `first`) */
    size_t kept;             /* jobs in the workload */
    size_t skipped_invalid;  /* ITP: duration <= 0 or num_gpu <= 0;
                                Alibaba: deletion_time <= scheduled_time */
    size_t skipped_unscheduled; /* Alibaba: no scheduled_time (never ran) */
    size_t gangs;            /* ITP: multi-node gangs (num_gpu > gpus_per_node) */
    size_t fractional;       /* Alibaba: fractional GPU shares (count_milli < 1000) */
    size_t cpu_only;         /* Alibaba: pods without GPUs */
    size_t with_models;      /* Alibaba: pods with a non-empty gpu_spec */
    size_t qos[4];           /* kept jobs per enum sw_qos */
    bool untimed;            /* Alibaba: no time columns, synthetic times used */
};

/* ---- Microsoft ITP ------------------------------------------------------ */

struct sw_itp_options {
    char origin[SW_NAME_MAX];    /* region of the cluster's users and data; "" = none */
    double max_latency_ms;       /* > 0 (with origin): latency circle around origin;
                                    default 0 = no latency constraint */
    double data_gb;              /* > 0 (needs origin): each job reads its own input
                                    dataset of this many GB (10^9 B) lying in origin */
    char tenant[SW_NAME_MAX];    /* "" = the file stem ("cluster01") */
    char gpu_model[SW_NAME_MAX]; /* the model runtimes refer to: "V100" */
    bool exact_model;            /* true: only gpu_model; default false: any model,
                                    runtime scaled by throughput (equivalent) */
    int64_t gpus_per_node;       /* 8: larger jobs become gangs of nodes */
    int64_t cores_per_gpu;       /* 4 */
    int64_t mem_mib_per_gpu;     /* 32768 (32 GiB) */
    enum sw_qos qos;             /* batch */
    size_t first;                /* keep the first N jobs; 0 = all */
    struct sw_gputrace_stats *stats; /* out; may be NULL */
};

/* The defaults above. */
struct sw_itp_options sw_itp_defaults(void);

/* Read one ITP cluster file into `w` (overwritten, not freed first). Per
 * row: submit = submission_time, runtime_s = duration, walltime = duration
 * + 10% rounded up to whole minutes (the trace has no requested time);
 * num_gpu <= gpus_per_node: 1 task with num_gpu GPUs, else a gang of
 * ceil(num_gpu / gpus_per_node) tasks with ceil(num_gpu / tasks) GPUs each;
 * cores_per_gpu cores and mem_mib_per_gpu MiB per GPU; user 0; tenant = the
 * cluster. `o` may be NULL (defaults). Returns 0, or -1 with a message;
 * on failure `w` is left empty. Free with sw_workload_free(). */
int sw_itp_read(const char *path, const struct sw_itp_options *o, struct sw_workload *w,
                sw_error_t *err);

/* One cluster file of a multi-cluster workload and where its users are. */
struct sw_itp_source {
    const char *path;
    const char *origin;          /* NULL = o->origin */
};

/* Read several clusters (e.g. the ten ITP clusters, each with its own
 * origin region: a natural ten-site workload) into one workload: each file
 * as sw_itp_read() with its origin and its own file-stem tenant (unless
 * o->tenant is set), then all jobs ordered stably by submit time (ties in
 * file order), `first` applied to the merged order, and ids renumbered
 * 1..n in that order. o->stats gets the sums. Returns 0 or -1 (the message
 * names the file); on failure `w` is left empty. */
int sw_itp_read_many(const struct sw_itp_source *src, size_t n, const struct sw_itp_options *o,
                     struct sw_workload *w, sw_error_t *err);

/* ---- Alibaba 2023 -------------------------------------------------------- */

struct sw_alibaba_options {
    char origin[SW_NAME_MAX];    /* region of the users and data; "" = none */
    double ls_latency_ms;        /* with origin: latency circle of the
                                    latency-sensitive (LS) pods; 5; 0 = none */
    double data_gb;              /* > 0 (needs origin): per-pod input dataset in origin */
    char tenant[SW_NAME_MAX];    /* "" = the file stem */
    int64_t untimed_runtime_s;   /* lists without time columns: runtime of
                                    every pod; 3600 */
    int64_t untimed_interval_s;  /* and pod k (0-based) is submitted at
                                    k x this; 0 = all at time 0 */
    size_t first;                /* keep the first N jobs; 0 = all */
    struct sw_gputrace_stats *stats; /* out; may be NULL */
};

struct sw_alibaba_options sw_alibaba_defaults(void);

/* Read a pod list into `w` (overwritten). Per pod: one task; cores =
 * ceil(cpu_milli / 1000) (at least 1), mem_mib = memory_mib; num_gpu == 1
 * with gpu_milli < 1000: a fractional share count_milli = gpu_milli, else
 * num_gpu whole GPUs; gpu_spec "A|B" = acceptable models (duplicates
 * dropped; empty = any); qos LS -> realtime, Guaranteed -> interactive,
 * Burstable -> batch, BE -> spot and preemptible (no qos column: batch);
 * submit = creation_time, runtime = deletion_time - scheduled_time,
 * walltime = runtime + 10% rounded up to whole minutes. Pods without a
 * scheduled_time are skipped (never ran), as are pods with runtime <= 0.
 * `o` may be NULL. Returns 0 or -1 with a message; on failure `w` is empty. */
int sw_alibaba_read(const char *path, const struct sw_alibaba_options *o,
                    struct sw_workload *w, sw_error_t *err);

/* Build a one-site network from the node list: region "alibaba", site
 * "alibaba-openb" (provider "alibaba", kind ai, PUE 1.3, 570 gCO2/kWh,
 * backend local), one node class per distinct (cores, memory, gpus, model)
 * in order of first appearance, named like "G2x8-96c-384g", with node
 * counts; cores = floor(cpu_milli / 1000); prices 0; the built-in catalog
 * (every model must be in it: an unknown model is an error naming it).
 * Latency 0.5 ms, bandwidth 400 Gbit/s inside the region. `net` is
 * overwritten; free it with sw_network_free(). Returns 0, or -1 with a
 * message (then `net` is left zeroed). */
int sw_alibaba_network(const char *node_csv_path, struct sw_network *net, sw_error_t *err);

/* ---- workloads ---------------------------------------------------------- */

/* Move every job of `src` to the end of `dst`, adding the largest id in
 * `dst` to each moved job's id (so ids stay unique when each side's are),
 * and add src->skipped to dst->skipped. `src` is left empty. Returns 0, or
 * -1 with errno ENOMEM leaving both unchanged. */
int sw_workload_append(struct sw_workload *dst, struct sw_workload *src);

#endif
