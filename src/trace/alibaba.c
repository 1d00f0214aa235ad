/* alibaba.c — the pod lists of Alibaba's 2023 GPU cluster trace ("Beware of
 * Fragmentation", ATC'23; alibaba/clusterdata openb_pod_list_*.csv) as job
 * requests (see gputrace.h and docs/gpu-traces.md). Columns are found by
 * header name: the full lists have creation, deletion and scheduling times;
 * the 5-column lists (multigpu50) have none and get synthetic times.
 */
#include "trace/gputrace.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "trace/gpucsv.h"

enum {
    AB_NAME = 0, AB_CPU, AB_MEM, AB_GPUS, AB_GPU_MILLI, AB_SPEC, AB_QOS, AB_PHASE,
    AB_CREATE, AB_DELETE, AB_SCHED, AB_NCOLS
};

#define AB_CPU_MILLI_MAX ((int64_t)100000000)  /* 100,000 cores */
#define AB_MEM_MAX ((int64_t)1 << 40)          /* MiB */
#define AB_GPUS_MAX 1024
#define AB_SPEC_MAX 64                         /* models in one gpu_spec */
#define AB_INTERVAL_MAX ((int64_t)86400)

struct sw_alibaba_options sw_alibaba_defaults(void)
{
    struct sw_alibaba_options o;
    memset(&o, 0, sizeof(o));
    o.ls_latency_ms = 5.0;
    o.untimed_runtime_s = 3600;
    return o;
}

struct ab_reader {
    const struct sw_alibaba_options *o;
    struct sw__csv csv;
    struct sw__csv_col cols[AB_NCOLS];
    struct sw__gpu_builder b;
    struct sw_gputrace_stats st;
    char tenant[SW_NAME_MAX];
};

/* The parsed numeric fields of one row. */
struct ab_row {
    int64_t cpu_milli, mem_mib, gpus, gpu_milli;
    int64_t submit, runtime;
    enum sw_qos qos;
    bool ls;              /* latency-sensitive (qos LS) */
};

static int check_options(const struct sw_alibaba_options *o, sw_error_t *err)
{
    if (sw__gpu_check_place(o->origin, o->ls_latency_ms, o->data_gb, err) != 0)
        return -1;
    errno = EINVAL;
    if (o->untimed_runtime_s < 1 || o->untimed_runtime_s > SW__GPU_TIME_MAX)
        return sw_errprintf(err, "runtime of untimed pods: %lld s is out of range",
                            (long long)o->untimed_runtime_s);
    if (o->untimed_interval_s < 0 || o->untimed_interval_s > AB_INTERVAL_MAX)
        return sw_errprintf(err, "interval between untimed pods: %lld s is out of range "
                                 "(0 to %lld)", (long long)o->untimed_interval_s,
                            (long long)AB_INTERVAL_MAX);
    return 0;
}

/* With times, all three time columns; without, none. */
static int check_time_columns(const struct ab_reader *rd, sw_error_t *err)
{
    int present = (rd->cols[AB_CREATE].idx >= 0) + (rd->cols[AB_DELETE].idx >= 0) +
                  (rd->cols[AB_SCHED].idx >= 0);
    if (present == 0 || present == 3)
        return 0;
    errno = EINVAL;
    return sw_errprintf(err, "%s:%zu: header: creation_time, deletion_time and "
                             "scheduled_time must all be present or all be absent",
                        rd->csv.path, sw__csv_lineno(&rd->csv));
}

/* ---- fields ------------------------------------------------------------ */

static bool field_is(const char *s, size_t len, const char *word)
{
    return len == strlen(word) && memcmp(s, word, len) == 0;
}

/* qos: LS -> realtime, Guaranteed -> interactive, Burstable -> batch,
 * BE -> spot; empty or absent -> batch. */
static int parse_qos(const struct ab_reader *rd, struct ab_row *r, sw_error_t *err)
{
    char q[200];
    size_t len;
    const char *s = sw__csv_field(&rd->csv, &rd->cols[AB_QOS], &len);
    r->ls = false;
    if (len == 0 || field_is(s, len, "Burstable"))
        r->qos = SW_QOS_BATCH;
    else if (field_is(s, len, "LS")) {
        r->qos = SW_QOS_REALTIME;
        r->ls = true;
    } else if (field_is(s, len, "Guaranteed"))
        r->qos = SW_QOS_INTERACTIVE;
    else if (field_is(s, len, "BE"))
        r->qos = SW_QOS_SPOT;
    else
        return sw__csv_fail(&rd->csv, &rd->cols[AB_QOS], err,
                            "unknown class \"%s\" (expected LS, BE, Guaranteed or Burstable)",
                            sw__trace_quote(s, len, q, sizeof(q)));
    return 0;
}

/* GPUs: fractional shares only of one GPU; none without GPUs. */
static int check_gpus(const struct ab_reader *rd, const struct ab_row *r, sw_error_t *err)
{
    const struct sw__csv_col *col = &rd->cols[AB_GPU_MILLI];
    if (r->gpus == 0 && r->gpu_milli != 0)
        return sw__csv_fail(&rd->csv, col, err, "%lld without GPUs (num_gpu is 0)",
                            (long long)r->gpu_milli);
    if (r->gpus >= 1 && r->gpu_milli == 0)
        return sw__csv_fail(&rd->csv, col, err, "0 with num_gpu %lld (a share is 1 to 1000)",
                            (long long)r->gpus);
    if (r->gpus >= 2 && r->gpu_milli != SW_MILLI)
        return sw__csv_fail(&rd->csv, col, err, "%lld with num_gpu %lld (shares of several "
                            "GPUs are not supported: use 1000)", (long long)r->gpu_milli,
                            (long long)r->gpus);
    return 0;
}

/* Times: submit = creation_time; runtime = deletion_time - scheduled_time,
 * 0 when never scheduled (or never deleted), which the caller skips. */
static int parse_times(struct ab_reader *rd, struct ab_row *r, bool *scheduled, sw_error_t *err)
{
    struct sw__csv *c = &rd->csv;
    int64_t del = 0, sched = 0;
    *scheduled = true;
    if (rd->st.untimed) {
        r->submit = (int64_t)(rd->st.rows - 1) * rd->o->untimed_interval_s;
        r->runtime = rd->o->untimed_runtime_s;
        return 0;
    }
    if (sw__csv_int(c, &rd->cols[AB_CREATE], 0, SW__GPU_TIME_MAX, &r->submit, err) != 0)
        return -1;
    if (sw__csv_empty(c, &rd->cols[AB_SCHED])) {
        *scheduled = false;
        r->runtime = 0;
        return 0;
    }
    if (sw__csv_int(c, &rd->cols[AB_SCHED], 0, SW__GPU_TIME_MAX, &sched, err) != 0)
        return -1;
    if (sw__csv_empty(c, &rd->cols[AB_DELETE])) {
        r->runtime = 0;
        return 0;
    }
    if (sw__csv_int(c, &rd->cols[AB_DELETE], 0, SW__GPU_TIME_MAX, &del, err) != 0)
        return -1;
    r->runtime = del - sched;
    return 0;
}

static int parse_row(struct ab_reader *rd, struct ab_row *r, bool *scheduled, sw_error_t *err)
{
    struct sw__csv *c = &rd->csv;
    struct sw__csv_col *col = rd->cols;
    if (sw__csv_int(c, &col[AB_CPU], 0, AB_CPU_MILLI_MAX, &r->cpu_milli, err) != 0 ||
        sw__csv_int(c, &col[AB_MEM], 0, AB_MEM_MAX, &r->mem_mib, err) != 0 ||
        sw__csv_int(c, &col[AB_GPUS], 0, AB_GPUS_MAX, &r->gpus, err) != 0 ||
        sw__csv_int(c, &col[AB_GPU_MILLI], 0, SW_MILLI, &r->gpu_milli, err) != 0 ||
        check_gpus(rd, r, err) != 0 || parse_qos(rd, r, err) != 0)
        return -1;
    return parse_times(rd, r, scheduled, err);
}

/* ---- gpu_spec ---------------------------------------------------------- */

static bool model_char(char ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
           ch == '-' || ch == '_' || ch == '.';
}

/* Append model s[0..n) to the list unless already there. */
static void add_model(struct sw_namelist *l, const char *s, size_t n)
{
    for (size_t i = 0; i < l->n; i++)
        if (strlen(l->names[i]) == n && memcmp(l->names[i], s, n) == 0)
            return;
    memcpy(l->names[l->n], s, n);
    l->names[l->n][n] = '\0';
    l->n++;
}

/* Check one model name of a gpu_spec. */
static int check_model(const struct ab_reader *rd, const char *s, size_t n, sw_error_t *err)
{
    char q[200];
    const struct sw__csv_col *col = &rd->cols[AB_SPEC];
    if (n == 0)
        return sw__csv_fail(&rd->csv, col, err, "empty model name in the list");
    if (n >= SW_NAME_MAX)
        return sw__csv_fail(&rd->csv, col, err, "model \"%s\" is longer than %d bytes",
                            sw__trace_quote(s, n, q, sizeof(q)), SW_NAME_MAX - 1);
    for (size_t i = 0; i < n; i++)
        if (!model_char(s[i]))
            return sw__csv_fail(&rd->csv, col, err, "\"%s\" is not a model name (letters, "
                                "digits, '-', '_', '.')", sw__trace_quote(s, n, q, sizeof(q)));
    return 0;
}

/* "A|B|C" -> the job's acceptable models (duplicates dropped). */
static int parse_spec(struct ab_reader *rd, struct sw_jobspec *js, sw_error_t *err)
{
    size_t len;
    const char *s = sw__csv_field(&rd->csv, &rd->cols[AB_SPEC], &len);
    if (len == 0)
        return 0;
    size_t items = 1;
    for (size_t i = 0; i < len; i++)
        items += s[i] == '|';
    if (items > AB_SPEC_MAX)
        return sw__csv_fail(&rd->csv, &rd->cols[AB_SPEC], err, "%zu models (at most %d)", items,
                            AB_SPEC_MAX);
    struct sw_namelist *l = &js->accel.models;
    l->names = calloc(items, sizeof(l->names[0]));
    if (!l->names)
        return sw_errprintf(err, "%s: out of memory", rd->csv.path);
    for (size_t start = 0, i = 0; i <= len; i++) {
        if (i < len && s[i] != '|')
            continue;
        if (check_model(rd, s + start, i - start, err) != 0)
            return -1;
        add_model(l, s + start, i - start);
        start = i + 1;
    }
    return 0;
}

/* ---- jobs ------------------------------------------------------------- */

static void set_resources(struct sw_jobspec *js, const struct ab_row *r)
{
    js->tasks = 1;
    js->gang = false;
    js->cores = (r->cpu_milli + 999) / 1000;
    if (js->cores < 1)
        js->cores = 1;
    js->mem_mib = r->mem_mib;
    if (r->gpus == 1 && r->gpu_milli < SW_MILLI)
        js->accel.count_milli = r->gpu_milli;
    else
        js->accel.count_milli = r->gpus * SW_MILLI;
    js->accel.equivalent = false;
}

static int fill_job(struct ab_reader *rd, struct sw_jobspec *js, const struct ab_row *r,
                    sw_error_t *err)
{
    const struct sw_alibaba_options *o = rd->o;
    js->id = sw__csv_lineno(&rd->csv);
    if (sw__csv_name(&rd->csv, &rd->cols[AB_NAME], js->name, sizeof(js->name), err) != 0 ||
        parse_spec(rd, js, err) != 0)
        return -1;
    sw__gpu_copy_name(js->tenant, rd->tenant);
    set_resources(js, r);
    js->submit = r->submit;
    js->runtime_s = r->runtime;
    js->walltime_s = sw__gpu_walltime(r->runtime);
    js->qos = r->qos;
    js->preemptible = r->qos == SW_QOS_SPOT;
    if (r->ls && o->origin[0] && o->ls_latency_ms > 0) {
        sw__gpu_copy_name(js->near_region, o->origin);
        js->max_latency_ms = o->ls_latency_ms;
    }
    if (o->data_gb > 0 && sw__gpu_add_input(js, o->origin, o->data_gb) != 0)
        return sw_errprintf(err, "%s: out of memory", rd->csv.path);
    return 0;
}

static void count_job(struct sw_gputrace_stats *st, const struct sw_jobspec *js)
{
    st->fractional += js->accel.count_milli > 0 && js->accel.count_milli < SW_MILLI;
    st->cpu_only += js->accel.count_milli == 0;
    st->with_models += js->accel.models.n > 0;
    st->qos[js->qos]++;
}

static int handle_row(struct ab_reader *rd, sw_error_t *err)
{
    struct ab_row r;
    bool scheduled;
    rd->st.rows++;
    if (parse_row(rd, &r, &scheduled, err) != 0)
        return -1;
    if (!scheduled || r.runtime <= 0) {
        if (!scheduled)
            rd->st.skipped_unscheduled++;
        else
            rd->st.skipped_invalid++;
        return 0;
    }
    struct sw_jobspec *js = sw__gpu_push(&rd->b);
    if (!js)
        return sw_errprintf(err, "%s: out of memory after %zu jobs", rd->csv.path, rd->b.w.n);
    if (fill_job(rd, js, &r, err) != 0) {
        sw__gpu_pop(&rd->b);
        return -1;
    }
    count_job(&rd->st, js);
    return 0;
}

static int read_rows(struct ab_reader *rd, sw_error_t *err)
{
    int rc;
    while ((rd->o->first == 0 || rd->b.w.n < rd->o->first) &&
           (rc = sw__csv_next(&rd->csv, err)) != 0) {
        if (rc < 0 || handle_row(rd, err) != 0)
            return -1;
    }
    return 0;
}

static void init_columns(struct sw__csv_col *cols)
{
    static const struct sw__csv_col def[AB_NCOLS] = {
        [AB_NAME] = {"name", true, -1},
        [AB_CPU] = {"cpu_milli", true, -1},
        [AB_MEM] = {"memory_mib", true, -1},
        [AB_GPUS] = {"num_gpu", true, -1},
        [AB_GPU_MILLI] = {"gpu_milli", true, -1},
        [AB_SPEC] = {"gpu_spec", false, -1},
        [AB_QOS] = {"qos", false, -1},
        [AB_PHASE] = {"pod_phase", false, -1},
        [AB_CREATE] = {"creation_time", false, -1},
        [AB_DELETE] = {"deletion_time", false, -1},
        [AB_SCHED] = {"scheduled_time", false, -1},
    };
    memcpy(cols, def, sizeof(def));
}

int sw_alibaba_read(const char *path, const struct sw_alibaba_options *o,
                    struct sw_workload *w, sw_error_t *err)
{
    struct sw_alibaba_options defaults = sw_alibaba_defaults();
    struct ab_reader rd = { .o = o ? o : &defaults };
    memset(w, 0, sizeof(*w));
    init_columns(rd.cols);
    if (check_options(rd.o, err) != 0)
        return -1;
    sw__gpu_tenant(path, rd.o->tenant, rd.tenant);
    if (sw__csv_open(&rd.csv, path, rd.cols, AB_NCOLS, err) != 0)
        return -1;
    rd.st.untimed = rd.cols[AB_CREATE].idx < 0;
    int rc = check_time_columns(&rd, err);
    if (rc == 0)
        rc = read_rows(&rd, err);
    sw__csv_close(&rd.csv);
    if (rc != 0) {
        sw_workload_free(&rd.b.w);
        return -1;
    }
    rd.b.w.skipped = rd.st.skipped_invalid + rd.st.skipped_unscheduled;
    rd.st.kept = rd.b.w.n;
    if (rd.o->stats)
        *rd.o->stats = rd.st;
    *w = rd.b.w;
    return 0;
}
