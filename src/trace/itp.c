/* itp.c — the Microsoft ITP GPU cluster traces (elasticflow-traces,
 * cluster*.csv: job_id,submission_time,duration,num_gpu) as job requests
 * (see gputrace.h and docs/gpu-traces.md): one pass through the strict CSV
 * reader, one job per row, and the multi-cluster merge.
 */
#include "trace/gputrace.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "trace/gpucsv.h"

enum { ITP_ID = 0, ITP_SUBMIT, ITP_DURATION, ITP_GPUS, ITP_NCOLS };

/* Bounds of the per-GPU scaling options and of a job's GPU count. */
#define ITP_GPUS_MAX ((int64_t)1 << 20)
#define ITP_PER_NODE_MAX 1024
#define ITP_CORES_PER_GPU_MAX 1024
#define ITP_MEM_PER_GPU_MAX ((int64_t)1 << 30) /* MiB */

struct sw_itp_options sw_itp_defaults(void)
{
    struct sw_itp_options o;
    memset(&o, 0, sizeof(o));
    sw__gpu_copy_name(o.gpu_model, "V100");
    o.gpus_per_node = 8;
    o.cores_per_gpu = 4;
    o.mem_mib_per_gpu = 32768;
    o.qos = SW_QOS_BATCH;
    return o;
}

/* One read in progress. */
struct itp_reader {
    const struct sw_itp_options *o;
    struct sw__csv csv;
    struct sw__csv_col cols[ITP_NCOLS];
    struct sw__gpu_builder *b;   /* jobs are appended here */
    size_t base;                 /* jobs in b before this file */
    struct sw_gputrace_stats st;
    char tenant[SW_NAME_MAX];
};

static int check_options(const struct sw_itp_options *o, sw_error_t *err)
{
    if (sw__gpu_check_place(o->origin, o->max_latency_ms, o->data_gb, err) != 0)
        return -1;
    errno = EINVAL;
    if (o->max_latency_ms > 0 && !o->origin[0])
        return sw_errprintf(err, "a latency circle (%g ms) needs an origin region",
                            o->max_latency_ms);
    if (o->gpus_per_node < 1 || o->gpus_per_node > ITP_PER_NODE_MAX)
        return sw_errprintf(err, "GPUs per node: %lld is out of range (1 to %d)",
                            (long long)o->gpus_per_node, ITP_PER_NODE_MAX);
    if (o->cores_per_gpu < 1 || o->cores_per_gpu > ITP_CORES_PER_GPU_MAX)
        return sw_errprintf(err, "cores per GPU: %lld is out of range (1 to %d)",
                            (long long)o->cores_per_gpu, ITP_CORES_PER_GPU_MAX);
    if (o->mem_mib_per_gpu < 0 || o->mem_mib_per_gpu > ITP_MEM_PER_GPU_MAX)
        return sw_errprintf(err, "memory per GPU: %lld MiB is out of range",
                            (long long)o->mem_mib_per_gpu);
    if ((unsigned)o->qos > SW_QOS_SPOT)
        return sw_errprintf(err, "QoS class %d is not one of realtime, interactive, batch, spot",
                            (int)o->qos);
    if (o->exact_model && !o->gpu_model[0])
        return sw_errprintf(err, "an exact GPU model was asked for but none was named");
    return 0;
}

/* Shape: a gang of nodes when the job needs more GPUs than one node has. */
static void set_shape(struct sw_jobspec *js, const struct sw_itp_options *o, int64_t gpus)
{
    int64_t tasks = (gpus + o->gpus_per_node - 1) / o->gpus_per_node;
    int64_t per_task = (gpus + tasks - 1) / tasks;
    js->tasks = tasks;
    js->gang = tasks > 1;
    js->cores = per_task * o->cores_per_gpu;
    js->mem_mib = per_task * o->mem_mib_per_gpu;
    js->accel.count_milli = per_task * SW_MILLI;
}

static int set_model(struct sw_jobspec *js, const struct sw_itp_options *o)
{
    sw__gpu_copy_name(js->accel.ref_model, o->gpu_model);
    js->accel.equivalent = !o->exact_model;
    if (!o->exact_model)
        return 0;
    js->accel.models.names = calloc(1, sizeof(js->accel.models.names[0]));
    if (!js->accel.models.names) {
        errno = ENOMEM;
        return -1;
    }
    sw__gpu_copy_name(js->accel.models.names[0], o->gpu_model);
    js->accel.models.n = 1;
    return 0;
}

/* Fill a job from the row's parsed values. */
static int fill_job(struct itp_reader *rd, struct sw_jobspec *js, int64_t submit,
                    int64_t duration, int64_t gpus, sw_error_t *err)
{
    const struct sw_itp_options *o = rd->o;
    js->id = sw__csv_lineno(&rd->csv);
    if (sw__csv_name(&rd->csv, &rd->cols[ITP_ID], js->name, sizeof(js->name), err) != 0)
        return -1;
    sw__gpu_copy_name(js->tenant, rd->tenant);
    set_shape(js, o, gpus);
    js->submit = submit;
    js->runtime_s = duration;
    js->walltime_s = sw__gpu_walltime(duration);
    js->qos = o->qos;
    js->preemptible = o->qos == SW_QOS_SPOT;
    if (o->origin[0] && o->max_latency_ms > 0) {
        sw__gpu_copy_name(js->near_region, o->origin);
        js->max_latency_ms = o->max_latency_ms;
    }
    if (set_model(js, o) != 0 || (o->data_gb > 0 && sw__gpu_add_input(js, o->origin,
                                                                        o->data_gb) != 0))
        return sw_errprintf(err, "%s: out of memory", rd->csv.path);
    return 0;
}

static int handle_row(struct itp_reader *rd, sw_error_t *err)
{
    struct sw__csv *c = &rd->csv;
    int64_t submit, duration, gpus;
    rd->st.rows++;
    if (sw__csv_int(c, &rd->cols[ITP_SUBMIT], 0, SW__GPU_TIME_MAX, &submit, err) != 0 ||
        sw__csv_int(c, &rd->cols[ITP_DURATION], -SW__GPU_TIME_MAX, SW__GPU_TIME_MAX, &duration,
                    err) != 0 ||
        sw__csv_int(c, &rd->cols[ITP_GPUS], -ITP_GPUS_MAX, ITP_GPUS_MAX, &gpus, err) != 0)
        return -1;
    if (duration <= 0 || gpus <= 0) {
        rd->st.skipped_invalid++;
        return 0;
    }
    struct sw_jobspec *js = sw__gpu_push(rd->b);
    if (!js)
        return sw_errprintf(err, "%s: out of memory after %zu jobs", c->path, rd->b->w.n);
    if (fill_job(rd, js, submit, duration, gpus, err) != 0) {
        sw__gpu_pop(rd->b);
        return -1;
    }
    rd->st.gangs += js->gang;
    rd->st.qos[js->qos]++;
    return 0;
}

static int read_rows(struct itp_reader *rd, sw_error_t *err)
{
    int rc;
    while ((rd->o->first == 0 || rd->b->w.n - rd->base < rd->o->first) &&
           (rc = sw__csv_next(&rd->csv, err)) != 0) {
        if (rc < 0 || handle_row(rd, err) != 0)
            return -1;
    }
    return 0;
}

/* Read one file, appending its jobs to `b` and its counts to *st. On
 * failure the jobs appended so far stay in `b` (the caller frees it). */
static int itp_read_into(const char *path, const struct sw_itp_options *o,
                         struct sw__gpu_builder *b, struct sw_gputrace_stats *st,
                         sw_error_t *err)
{
    struct itp_reader rd = {
        .o = o,
        .b = b,
        .base = b->w.n,
        .cols = {
            [ITP_ID] = {"job_id", true, -1},
            [ITP_SUBMIT] = {"submission_time", true, -1},
            [ITP_DURATION] = {"duration", true, -1},
            [ITP_GPUS] = {"num_gpu", true, -1},
        },
    };
    if (check_options(o, err) != 0)
        return -1;
    sw__gpu_tenant(path, o->tenant, rd.tenant);
    if (sw__csv_open(&rd.csv, path, rd.cols, ITP_NCOLS, err) != 0)
        return -1;
    int rc = read_rows(&rd, err);
    sw__csv_close(&rd.csv);
    rd.st.kept = b->w.n - rd.base;
    b->w.skipped += rd.st.skipped_invalid;
    *st = rd.st;
    return rc;
}

int sw_itp_read(const char *path, const struct sw_itp_options *o, struct sw_workload *w,
                sw_error_t *err)
{
    struct sw_itp_options defaults = sw_itp_defaults();
    struct sw__gpu_builder b = {0};
    struct sw_gputrace_stats st;
    if (!o)
        o = &defaults;
    memset(w, 0, sizeof(*w));
    if (itp_read_into(path, o, &b, &st, err) != 0) {
        sw_workload_free(&b.w);
        return -1;
    }
    if (o->stats)
        *o->stats = st;
    *w = b.w;
    return 0;
}

/* ---- several clusters ------------------------------------------------- */

static void add_stats(struct sw_gputrace_stats *sum, const struct sw_gputrace_stats *s)
{
    sum->rows += s->rows;
    sum->skipped_invalid += s->skipped_invalid;
}

/* Keep the first n jobs (0 = all); ids become 1..n in order. */
static void keep_first(struct sw_workload *w, size_t first)
{
    if (first > 0 && first < w->n) {
        for (size_t i = first; i < w->n; i++)
            sw_jobspec_free(&w->jobs[i]);
        w->n = first;
    }
    for (size_t i = 0; i < w->n; i++)
        w->jobs[i].id = i + 1;
}

/* The per-QoS and gang counts of the jobs kept. */
static void count_kept(const struct sw_workload *w, struct sw_gputrace_stats *st)
{
    memset(st->qos, 0, sizeof(st->qos));
    st->gangs = 0;
    for (size_t i = 0; i < w->n; i++) {
        st->qos[w->jobs[i].qos]++;
        st->gangs += w->jobs[i].gang;
    }
    st->kept = w->n;
}

/* All sources into one builder (one array: no copies between files). */
static int read_sources(const struct sw_itp_source *src, size_t n,
                        const struct sw_itp_options *o, struct sw__gpu_builder *b,
                        struct sw_gputrace_stats *sum, sw_error_t *err)
{
    for (size_t i = 0; i < n; i++) {
        struct sw_itp_options one = *o;
        struct sw_gputrace_stats st;
        if (src[i].origin)
            sw__gpu_copy_name(one.origin, src[i].origin);
        one.first = 0;
        if (itp_read_into(src[i].path, &one, b, &st, err) != 0)
            return -1;
        add_stats(sum, &st);
    }
    return 0;
}

int sw_itp_read_many(const struct sw_itp_source *src, size_t n, const struct sw_itp_options *o,
                     struct sw_workload *w, sw_error_t *err)
{
    struct sw_itp_options defaults = sw_itp_defaults();
    struct sw__gpu_builder b = {0};
    struct sw_gputrace_stats sum = {0};
    if (!o)
        o = &defaults;
    memset(w, 0, sizeof(*w));
    if (read_sources(src, n, o, &b, &sum, err) != 0) {
        sw_workload_free(&b.w);
        return -1;
    }
    if (sw__gpu_sort_by_submit(&b.w) != 0) {
        sw_workload_free(&b.w);
        errno = ENOMEM;
        return sw_errprintf(err, "out of memory sorting %zu jobs", b.w.n);
    }
    keep_first(&b.w, o->first);
    count_kept(&b.w, &sum);
    if (o->stats)
        *o->stats = sum;
    *w = b.w;
    return 0;
}

/* ---- appending workloads ---------------------------------------------- */

int sw_workload_append(struct sw_workload *dst, struct sw_workload *src)
{
    if (src->n > SIZE_MAX / sizeof(*dst->jobs) - dst->n) {
        errno = ENOMEM;
        return -1;
    }
    uint64_t offset = 0;
    for (size_t i = 0; i < dst->n; i++)
        if (dst->jobs[i].id > offset)
            offset = dst->jobs[i].id;
    if (src->n > 0) {
        struct sw_jobspec *p = realloc(dst->jobs, (dst->n + src->n) * sizeof(*p));
        if (!p) {
            errno = ENOMEM;
            return -1;
        }
        dst->jobs = p;
        memcpy(dst->jobs + dst->n, src->jobs, src->n * sizeof(*p));
        for (size_t i = 0; i < src->n; i++)
            dst->jobs[dst->n + i].id += offset;
        dst->n += src->n;
    }
    dst->skipped += src->skipped;
    free(src->jobs);
    memset(src, 0, sizeof(*src));
    return 0;
}
