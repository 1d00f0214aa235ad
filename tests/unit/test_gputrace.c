/* test_gputrace.c — the GPU trace readers (src/trace/itp.c, alibaba.c,
 * alibaba_network.c): every mapping rule against hand-worked expectations
 * on the small files tests/data/gpu-*.csv, the options, the strict errors
 * (each naming file, line and column), random bytes, and the real traces
 * in ../shared/traces/gpu (skipped when absent) with counts cross-checked
 * by awk.
 */
#include "testutil.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trace/gputrace.h"

/* ---- helpers ------------------------------------------------------------ */

struct tmpfile {
    char path[64];
};

static void write_tmp(struct tmpfile *f, const char *data, size_t n)
{
    snprintf(f->path, sizeof(f->path), "/tmp/sw_gputrace_XXXXXX");
    int fd = mkstemp(f->path);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, n, fp), n);
    assert_int_equal(fclose(fp), 0);
}

static void check_empty(const struct sw_workload *w)
{
    assert_null(w->jobs);
    assert_int_equal(w->n, 0);
    assert_int_equal(w->skipped, 0);
}

static void itp_ok(const char *path, const struct sw_itp_options *o, struct sw_workload *w)
{
    sw_error_t err = {{0}};
    if (sw_itp_read(path, o, w, &err) != 0)
        fail_msg("reading %s: %s", path, err.text);
}

static void alibaba_ok(const char *path, const struct sw_alibaba_options *o,
                       struct sw_workload *w)
{
    sw_error_t err = {{0}};
    if (sw_alibaba_read(path, o, w, &err) != 0)
        fail_msg("reading %s: %s", path, err.text);
}

/* The error of reading `text` as ITP (or Alibaba pods, or nodes) must
 * contain `want` after the temporary file's path. */
enum which { ITP, PODS, NODES };

static void expect_error(enum which kind, const char *text, const char *want)
{
    struct tmpfile f;
    write_tmp(&f, text, strlen(text));
    sw_error_t err = {{0}};
    struct sw_workload w;
    struct sw_network net;
    int rc;
    if (kind == ITP)
        rc = sw_itp_read(f.path, NULL, &w, &err);
    else if (kind == PODS)
        rc = sw_alibaba_read(f.path, NULL, &w, &err);
    else
        rc = sw_alibaba_network(f.path, &net, &err);
    unlink(f.path);
    assert_int_equal(rc, -1);
    if (kind != NODES)
        check_empty(&w);
    else
        assert_int_equal(net.nsites, 0);
    char full[600];
    snprintf(full, sizeof(full), "%s%s", f.path, want);
    if (strstr(err.text, full) == NULL)
        fail_msg("error \"%s\" does not contain \"%s\"", err.text, full);
}

/* ---- ITP: hand-made file --------------------------------------------- */

/* tests/data/gpu-itp.csv, worked out by hand (walltime = duration + 10%
 * rounded up to a second, then up to whole minutes):
 *
 *   line id          submit dur  gpus -> tasks x gpus  cores  mem MiB  walltime
 *    2   a-1gpu        10     1    1     1 x 1 solo     4     32768     60 (1+1=2)
 *    3   b-4gpu        20   600    4     1 x 4 solo    16    131072    660 (600+60)
 *    4   c-8gpu        30   601    8     1 x 8 solo    32    262144    720 (601+61=662)
 *    5   d-zero-dur    40     0    2     skipped (duration <= 0)
 *    6   e-zero-gpu    50   100    0     skipped (num_gpu <= 0)
 *    7   f-16gpu       60  3600   16     2 x 8 gang    32    262144   3960 (3600+360)
 *    8   g-neg         70    -5    1     skipped
 *    9   (blank)
 *   10   h-12gpu       80    59   12     2 x 6 gang    24    196608    120 (59+6=65)
 *   11   i-spaces      90   100   64     8 x 8 gang    32    262144    120 (100+10)
 *        (fields padded with spaces, CRLF line ending)
 */
struct itp_want {
    uint64_t id;
    const char *name;
    int64_t submit, runtime, tasks, gpus, cores, mem, walltime;
    bool gang;
};

static const struct itp_want itp_jobs[] = {
    {2, "a-1gpu", 10, 1, 1, 1, 4, 32768, 60, false},
    {3, "b-4gpu", 20, 600, 1, 4, 16, 131072, 660, false},
    {4, "c-8gpu", 30, 601, 1, 8, 32, 262144, 720, false},
    {7, "f-16gpu", 60, 3600, 2, 8, 32, 262144, 3960, true},
    {10, "h-12gpu", 80, 59, 2, 6, 24, 196608, 120, true},
    {11, "i-spaces", 90, 100, 8, 8, 32, 262144, 120, true},
};

static void check_itp_job(const struct sw_jobspec *js, const struct itp_want *w)
{
    if (js->id != w->id || strcmp(js->name, w->name) != 0 || js->submit != w->submit ||
        js->runtime_s != w->runtime || js->tasks != w->tasks ||
        js->accel.count_milli != w->gpus * 1000 || js->cores != w->cores ||
        js->mem_mib != w->mem || js->walltime_s != w->walltime || js->gang != w->gang)
        fail_msg("job %s: got id %llu submit %lld run %lld tasks %lld milli %lld cores %lld "
                 "mem %lld wall %lld gang %d", w->name, (unsigned long long)js->id,
                 (long long)js->submit, (long long)js->runtime_s, (long long)js->tasks,
                 (long long)js->accel.count_milli, (long long)js->cores,
                 (long long)js->mem_mib, (long long)js->walltime_s, js->gang);
}

static void test_itp_rules(void **state)
{
    (void)state;
    struct sw_workload w;
    struct sw_gputrace_stats st;
    struct sw_itp_options o = sw_itp_defaults();
    o.stats = &st;
    itp_ok(sw_test_data_path("gpu-itp.csv"), &o, &w);
    size_t n = sizeof(itp_jobs) / sizeof(itp_jobs[0]);
    assert_int_equal(w.n, n);
    assert_int_equal(w.skipped, 3);
    for (size_t i = 0; i < n; i++) {
        const struct sw_jobspec *js = &w.jobs[i];
        check_itp_job(js, &itp_jobs[i]);
        assert_string_equal(js->tenant, "gpu-itp");
        assert_int_equal(js->user, 0);
        assert_int_equal(js->qos, SW_QOS_BATCH);
        assert_false(js->preemptible);
        assert_int_equal(js->accel.models.n, 0);
        assert_true(js->accel.equivalent);
        assert_string_equal(js->accel.ref_model, "V100");
        assert_string_equal(js->near_region, "");
        assert_int_equal(js->ninputs, 0);
        assert_int_equal(js->runtime_estimate_s, 0);
        assert_int_equal(js->deadline, -1);
    }
    assert_int_equal(st.rows, 9);
    assert_int_equal(st.kept, 6);
    assert_int_equal(st.skipped_invalid, 3);
    assert_int_equal(st.gangs, 3);
    assert_int_equal(st.qos[SW_QOS_BATCH], 6);
    sw_workload_free(&w);
}

static void test_itp_origin_data_latency(void **state)
{
    (void)state;
    struct sw_workload w;
    struct sw_itp_options o = sw_itp_defaults();
    snprintf(o.origin, sizeof(o.origin), "shenzhen");
    o.data_gb = 2.5;
    itp_ok(sw_test_data_path("gpu-itp.csv"), &o, &w);
    assert_int_equal(w.n, 6);
    /* default: data in the origin, no latency circle */
    assert_string_equal(w.jobs[0].near_region, "");
    assert_int_equal(w.jobs[0].ninputs, 1);
    assert_string_equal(w.jobs[0].inputs[0].name, "gpu-itp/2");
    assert_int_equal(w.jobs[0].inputs[0].size_mb, 2500);
    assert_string_equal(w.jobs[0].inputs[0].region, "shenzhen");
    assert_string_equal(w.jobs[5].inputs[0].name, "gpu-itp/11");
    sw_workload_free(&w);

    o.data_gb = 0;
    o.max_latency_ms = 5;
    snprintf(o.tenant, sizeof(o.tenant), "itp-east");
    itp_ok(sw_test_data_path("gpu-itp.csv"), &o, &w);
    for (size_t i = 0; i < w.n; i++) {
        assert_string_equal(w.jobs[i].near_region, "shenzhen");
        assert_true(w.jobs[i].max_latency_ms == 5.0);
        assert_int_equal(w.jobs[i].ninputs, 0);
        assert_string_equal(w.jobs[i].tenant, "itp-east");
    }
    sw_workload_free(&w);
}

static void test_itp_model_shape_options(void **state)
{
    (void)state;
    struct sw_workload w;
    struct sw_itp_options o = sw_itp_defaults();
    o.exact_model = true;
    snprintf(o.gpu_model, sizeof(o.gpu_model), "A100");
    o.gpus_per_node = 4;
    o.cores_per_gpu = 2;
    o.mem_mib_per_gpu = 1000;
    o.qos = SW_QOS_SPOT;
    itp_ok(sw_test_data_path("gpu-itp.csv"), &o, &w);
    assert_int_equal(w.n, 6);
    const struct sw_jobspec *c8 = &w.jobs[2]; /* 8 GPUs: 2 x 4 now */
    assert_int_equal(c8->tasks, 2);
    assert_true(c8->gang);
    assert_int_equal(c8->accel.count_milli, 4000);
    assert_int_equal(c8->cores, 8);
    assert_int_equal(c8->mem_mib, 4000);
    const struct sw_jobspec *h12 = &w.jobs[4]; /* 12 GPUs: 3 x 4 */
    assert_int_equal(h12->tasks, 3);
    assert_int_equal(h12->accel.count_milli, 4000);
    assert_int_equal(w.jobs[1].tasks, 1); /* 4 GPUs: one node */
    assert_false(w.jobs[1].gang);
    for (size_t i = 0; i < w.n; i++) {
        assert_int_equal(w.jobs[i].accel.models.n, 1);
        assert_string_equal(w.jobs[i].accel.models.names[0], "A100");
        assert_false(w.jobs[i].accel.equivalent);
        assert_string_equal(w.jobs[i].accel.ref_model, "A100");
        assert_int_equal(w.jobs[i].qos, SW_QOS_SPOT);
        assert_true(w.jobs[i].preemptible);
    }
    sw_workload_free(&w);
}

static void test_itp_first(void **state)
{
    (void)state;
    struct sw_workload w;
    struct sw_gputrace_stats st;
    struct sw_itp_options o = sw_itp_defaults();
    o.stats = &st;
    o.first = 2;
    itp_ok(sw_test_data_path("gpu-itp.csv"), &o, &w);
    assert_int_equal(w.n, 2);
    assert_int_equal(w.skipped, 0);
    assert_string_equal(w.jobs[1].name, "b-4gpu");
    sw_workload_free(&w);
    o.first = 4; /* a b c, (d e skipped), f: stops there */
    itp_ok(sw_test_data_path("gpu-itp.csv"), &o, &w);
    assert_int_equal(w.n, 4);
    assert_int_equal(w.skipped, 2);
    assert_string_equal(w.jobs[3].name, "f-16gpu");
    assert_int_equal(st.rows, 6);
    sw_workload_free(&w);
    o.first = 100;
    itp_ok(sw_test_data_path("gpu-itp.csv"), &o, &w);
    assert_int_equal(w.n, 6);
    sw_workload_free(&w);
}

/* Two copies of the small file (one gzip'd would need zlib; the same file
 * twice is enough): merged by submit, ties in file order, ids 1..n. */
static void test_itp_many_and_append(void **state)
{
    (void)state;
    const char *p = sw_test_data_path("gpu-itp.csv");
    char path[4096];
    snprintf(path, sizeof(path), "%s", p);
    struct sw_itp_source src[2] = {{path, "guangzhou"}, {path, NULL}};
    struct sw_itp_options o = sw_itp_defaults();
    struct sw_gputrace_stats st;
    snprintf(o.origin, sizeof(o.origin), "shaoguan");
    o.data_gb = 1;
    o.stats = &st;
    struct sw_workload w;
    sw_error_t err = {{0}};
    if (sw_itp_read_many(src, 2, &o, &w, &err) != 0)
        fail_msg("%s", err.text);
    assert_int_equal(w.n, 12);
    assert_int_equal(w.skipped, 6);
    assert_int_equal(st.rows, 18);
    assert_int_equal(st.kept, 12);
    assert_int_equal(st.gangs, 6);
    for (size_t i = 0; i < w.n; i++) {
        assert_int_equal(w.jobs[i].id, i + 1);
        assert_string_equal(w.jobs[i].name, itp_jobs[i / 2].name);
        assert_string_equal(w.jobs[i].inputs[0].region, i % 2 ? "shaoguan" : "guangzhou");
    }
    sw_workload_free(&w);

    o.first = 3;
    assert_int_equal(sw_itp_read_many(src, 2, &o, &w, &err), 0);
    assert_int_equal(w.n, 3);
    assert_string_equal(w.jobs[2].name, "b-4gpu");
    assert_int_equal(st.kept, 3);
    sw_workload_free(&w);

    /* append: ids offset by dst's largest id, src emptied */
    struct sw_workload a, b;
    itp_ok(path, NULL, &a);
    itp_ok(path, NULL, &b);
    assert_int_equal(sw_workload_append(&a, &b), 0);
    assert_int_equal(a.n, 12);
    assert_int_equal(a.skipped, 6);
    check_empty(&b);
    assert_int_equal(a.jobs[5].id, 11);
    assert_int_equal(a.jobs[6].id, 13);  /* 2 + 11 */
    assert_int_equal(a.jobs[11].id, 22); /* 11 + 11 */
    struct sw_workload none = {0};
    assert_int_equal(sw_workload_append(&none, &a), 0);
    assert_int_equal(none.n, 12);
    assert_int_equal(none.jobs[0].id, 2);
    sw_workload_free(&none);

    /* a missing file fails the whole read, naming it */
    struct sw_itp_source bad[2] = {{path, NULL}, {"/nonexistent/cluster99.csv", NULL}};
    assert_int_equal(sw_itp_read_many(bad, 2, NULL, &w, &err), -1);
    check_empty(&w);
    assert_non_null(strstr(err.text, "cluster99.csv"));
}

static void test_itp_errors(void **state)
{
    (void)state;
    const char *h = "job_id,submission_time,duration,num_gpu\n";
    char text[512];
    snprintf(text, sizeof(text), "%sx,1,2,abc\n", h);
    expect_error(ITP, text, ":2: num_gpu: \"abc\" is not an integer");
    snprintf(text, sizeof(text), "%sx,1,2,1\ny,1,2\n", h);
    expect_error(ITP, text, ":3: expected 4 fields (as in the header), found 3");
    snprintf(text, sizeof(text), "%sx,1,2,1,9\n", h);
    expect_error(ITP, text, ":2: expected 4 fields (as in the header), found 5");
    snprintf(text, sizeof(text), "%sx,-1,2,1\n", h);
    expect_error(ITP, text, ":2: submission_time: -1 is below 0");
    snprintf(text, sizeof(text), "%sx,1,99999999999999999999,1\n", h);
    expect_error(ITP, text, ":2: duration: \"99999999999999999999\" is out of range");
    snprintf(text, sizeof(text), "%sx,1,2,1.5\n", h);
    expect_error(ITP, text, ":2: num_gpu: \"1.5\" is not an integer");
    snprintf(text, sizeof(text), "%sx,,2,1\n", h);
    expect_error(ITP, text, ":2: submission_time: \"\" is not an integer");
    snprintf(text, sizeof(text), "%s,1,2,1\n", h);
    expect_error(ITP, text, ":2: job_id: empty");
    snprintf(text, sizeof(text), "%sa\tb,1,2,1\n", h);
    expect_error(ITP, text, ":2: job_id: \"a\\x09b\" holds a control byte");
    expect_error(ITP, "job_id,submit,duration,num_gpu\nx,1,2,3\n",
                 ":1: header: no column \"submission_time\"");
    expect_error(ITP, "job_id,duration,duration,num_gpu\n", ":1: header: column \"duration\" "
                 "appears twice");
    expect_error(ITP, "", ": empty file: no header line");
    expect_error(ITP, "\n  \n", ": empty file: no header line");

    /* a header alone, a BOM, blank lines and columns in another order */
    struct tmpfile f;
    const char *ok = "\xEF\xBB\xBFnum_gpu,duration,job_id,submission_time,extra\n\n2,30,j,5,z\n";
    write_tmp(&f, ok, strlen(ok));
    struct sw_workload w;
    itp_ok(f.path, NULL, &w);
    unlink(f.path);
    assert_int_equal(w.n, 1);
    assert_int_equal(w.jobs[0].id, 3);
    assert_int_equal(w.jobs[0].accel.count_milli, 2000);
    assert_int_equal(w.jobs[0].runtime_s, 30);
    assert_int_equal(w.jobs[0].submit, 5);
    sw_workload_free(&w);
    write_tmp(&f, h, strlen(h));
    itp_ok(f.path, NULL, &w);
    unlink(f.path);
    assert_int_equal(w.n, 0);
    sw_workload_free(&w);

    sw_error_t err = {{0}};
    assert_int_equal(sw_itp_read("/nonexistent/x.csv", NULL, &w, &err), -1);
    assert_non_null(strstr(err.text, "/nonexistent/x.csv"));
}

static void test_itp_option_errors(void **state)
{
    (void)state;
    const char *p = sw_test_data_path("gpu-itp.csv");
    struct sw_workload w;
    sw_error_t err = {{0}};
    struct sw_itp_options o = sw_itp_defaults();
    o.data_gb = 1;
    assert_int_equal(sw_itp_read(p, &o, &w, &err), -1);
    assert_non_null(strstr(err.text, "needs an origin region"));
    o = sw_itp_defaults();
    o.max_latency_ms = 3;
    assert_int_equal(sw_itp_read(p, &o, &w, &err), -1);
    assert_non_null(strstr(err.text, "needs an origin region"));
    o = sw_itp_defaults();
    o.data_gb = -1;
    assert_int_equal(sw_itp_read(p, &o, &w, &err), -1);
    o = sw_itp_defaults();
    o.gpus_per_node = 0;
    assert_int_equal(sw_itp_read(p, &o, &w, &err), -1);
    assert_non_null(strstr(err.text, "GPUs per node"));
    check_empty(&w);
}

/* ---- Alibaba pods: hand-made file -------------------------------------- */

/* tests/data/gpu-alibaba-pods.csv, by hand:
 *
 *  line pod          cores  mem    milli  models             qos          runtime   walltime
 *   2   pod-whole      12   16384  1000   any                LS realtime  12537496  13791300
 *   3   pod-frac        6   12288   460   any                BE spot      12475899  13723500
 *   4   pod-cpu         3    4096     0   any                Burstable     250 (400-150)  300
 *   5   pod-multi      32   65536  4000   V100M16,V100M32    Guaranteed   4940 (5200-260) 5460
 *   6   pod-pending    skipped: no scheduled_time
 *   7   pod-zero       skipped: deletion == scheduled (runtime 0)
 *   8   pod-small       1       0    50   A10,T4             LS realtime   50 (560-510)   60
 *   9   pod-noqos       1    1024  8000   G2                 (none) batch  3600          3960
 *
 * walltimes: 12537496 + 1253750 = 13791246 -> 229855 min; 12475899 +
 * 1247590 = 13723489 -> 228725 min; 250+25 = 275 -> 300; 4940+494 = 5434
 * -> 5460; 50+5 = 55 -> 60; 3600+360 = 3960. submit = creation_time.
 */
struct pod_want {
    uint64_t id;
    const char *name;
    int64_t cores, mem, milli;
    const char *models[3];
    enum sw_qos qos;
    int64_t submit, runtime, walltime;
};

static const struct pod_want pods[] = {
    {2, "pod-whole", 12, 16384, 1000, {NULL}, SW_QOS_REALTIME, 0, 12537496, 13791300},
    {3, "pod-frac", 6, 12288, 460, {NULL}, SW_QOS_SPOT, 427061, 12475899, 13723500},
    {4, "pod-cpu", 3, 4096, 0, {NULL}, SW_QOS_BATCH, 100, 250, 300},
    {5, "pod-multi", 32, 65536, 4000, {"V100M16", "V100M32", NULL}, SW_QOS_INTERACTIVE, 200,
     4940, 5460},
    {8, "pod-small", 1, 0, 50, {"A10", "T4", NULL}, SW_QOS_REALTIME, 500, 50, 60},
    {9, "pod-noqos", 1, 1024, 8000, {"G2", NULL}, SW_QOS_BATCH, 600, 3600, 3960},
};

static void check_pod(const struct sw_jobspec *js, const struct pod_want *p)
{
    if (js->id != p->id || strcmp(js->name, p->name) != 0 || js->cores != p->cores ||
        js->mem_mib != p->mem || js->accel.count_milli != p->milli || js->qos != p->qos ||
        js->submit != p->submit || js->runtime_s != p->runtime ||
        js->walltime_s != p->walltime)
        fail_msg("pod %s: got id %llu cores %lld mem %lld milli %lld qos %d submit %lld "
                 "run %lld wall %lld", p->name, (unsigned long long)js->id,
                 (long long)js->cores, (long long)js->mem_mib,
                 (long long)js->accel.count_milli, js->qos, (long long)js->submit,
                 (long long)js->runtime_s, (long long)js->walltime_s);
    size_t nm = 0;
    while (p->models[nm])
        nm++;
    assert_int_equal(js->accel.models.n, nm);
    for (size_t i = 0; i < nm; i++)
        assert_string_equal(js->accel.models.names[i], p->models[i]);
    assert_int_equal(js->tasks, 1);
    assert_false(js->gang);
    assert_false(js->accel.equivalent);
    assert_string_equal(js->accel.ref_model, "");
    assert_int_equal(js->preemptible, p->qos == SW_QOS_SPOT);
}

static void test_alibaba_rules(void **state)
{
    (void)state;
    struct sw_workload w;
    struct sw_gputrace_stats st;
    struct sw_alibaba_options o = sw_alibaba_defaults();
    o.stats = &st;
    alibaba_ok(sw_test_data_path("gpu-alibaba-pods.csv"), &o, &w);
    size_t n = sizeof(pods) / sizeof(pods[0]);
    assert_int_equal(w.n, n);
    assert_int_equal(w.skipped, 2);
    for (size_t i = 0; i < n; i++) {
        check_pod(&w.jobs[i], &pods[i]);
        assert_string_equal(w.jobs[i].tenant, "gpu-alibaba-pods");
        assert_string_equal(w.jobs[i].near_region, ""); /* no origin */
        assert_int_equal(w.jobs[i].ninputs, 0);
    }
    assert_int_equal(st.rows, 8);
    assert_int_equal(st.kept, 6);
    assert_int_equal(st.skipped_unscheduled, 1);
    assert_int_equal(st.skipped_invalid, 1);
    assert_int_equal(st.fractional, 2);
    assert_int_equal(st.cpu_only, 1);
    assert_int_equal(st.with_models, 3);
    assert_int_equal(st.qos[SW_QOS_REALTIME], 2);
    assert_int_equal(st.qos[SW_QOS_INTERACTIVE], 1);
    assert_int_equal(st.qos[SW_QOS_BATCH], 2);
    assert_int_equal(st.qos[SW_QOS_SPOT], 1);
    assert_false(st.untimed);
    sw_workload_free(&w);
}

static void test_alibaba_origin_first(void **state)
{
    (void)state;
    struct sw_workload w;
    struct sw_alibaba_options o = sw_alibaba_defaults();
    snprintf(o.origin, sizeof(o.origin), "guangzhou");
    o.data_gb = 0.5;
    snprintf(o.tenant, sizeof(o.tenant), "ali");
    alibaba_ok(sw_test_data_path("gpu-alibaba-pods.csv"), &o, &w);
    for (size_t i = 0; i < w.n; i++) {
        bool ls = pods[i].qos == SW_QOS_REALTIME;
        assert_string_equal(w.jobs[i].near_region, ls ? "guangzhou" : "");
        assert_true(w.jobs[i].max_latency_ms == (ls ? 5.0 : 0.0));
        assert_int_equal(w.jobs[i].ninputs, 1);
        assert_int_equal(w.jobs[i].inputs[0].size_mb, 500);
        assert_string_equal(w.jobs[i].inputs[0].region, "guangzhou");
        assert_string_equal(w.jobs[i].tenant, "ali");
    }
    assert_string_equal(w.jobs[1].inputs[0].name, "ali/3");
    sw_workload_free(&w);

    o = sw_alibaba_defaults();
    o.first = 5; /* whole frac cpu multi (pending, zero skipped) small */
    alibaba_ok(sw_test_data_path("gpu-alibaba-pods.csv"), &o, &w);
    assert_int_equal(w.n, 5);
    assert_int_equal(w.skipped, 2);
    assert_string_equal(w.jobs[4].name, "pod-small");
    sw_workload_free(&w);
}

/* tests/data/gpu-alibaba-untimed.csv: 5 columns, no times: every pod runs
 * untimed_runtime_s (walltime +10% -> 3960 for 3600) and pod k arrives at
 * k x untimed_interval_s; no qos column -> batch. */
static void test_alibaba_untimed(void **state)
{
    (void)state;
    struct sw_workload w;
    struct sw_gputrace_stats st;
    struct sw_alibaba_options o = sw_alibaba_defaults();
    o.stats = &st;
    alibaba_ok(sw_test_data_path("gpu-alibaba-untimed.csv"), &o, &w);
    assert_int_equal(w.n, 4);
    assert_true(st.untimed);
    assert_int_equal(st.fractional, 1);
    assert_int_equal(st.cpu_only, 1);
    static const int64_t milli[] = {1000, 460, 0, 8000};
    static const int64_t cores[] = {12, 6, 17, 32};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(w.jobs[i].submit, 0);
        assert_int_equal(w.jobs[i].runtime_s, 3600);
        assert_int_equal(w.jobs[i].walltime_s, 3960);
        assert_int_equal(w.jobs[i].qos, SW_QOS_BATCH);
        assert_int_equal(w.jobs[i].accel.count_milli, milli[i]);
        assert_int_equal(w.jobs[i].cores, cores[i]);
    }
    sw_workload_free(&w);
    o.untimed_runtime_s = 100;
    o.untimed_interval_s = 10;
    alibaba_ok(sw_test_data_path("gpu-alibaba-untimed.csv"), &o, &w);
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(w.jobs[i].submit, (int64_t)i * 10);
        assert_int_equal(w.jobs[i].runtime_s, 100);
        assert_int_equal(w.jobs[i].walltime_s, 120);
    }
    sw_workload_free(&w);
}

static void test_alibaba_errors(void **state)
{
    (void)state;
    const char *h = "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,"
                    "creation_time,deletion_time,scheduled_time\n";
    char text[1024];
    snprintf(text, sizeof(text), "%sp,1000,10,1,1000,,XX,Running,0,10,0\n", h);
    expect_error(PODS, text, ":2: qos: unknown class \"XX\"");
    snprintf(text, sizeof(text), "%sp,1000,10,1,1000,V100M16||T4,LS,Running,0,10,0\n", h);
    expect_error(PODS, text, ":2: gpu_spec: empty model name");
    snprintf(text, sizeof(text), "%sp,1000,10,1,1000,V100 M16,LS,Running,0,10,0\n", h);
    expect_error(PODS, text, ":2: gpu_spec: \"V100 M16\" is not a model name");
    snprintf(text, sizeof(text), "%sp,1000,10,1,1001,,LS,Running,0,10,0\n", h);
    expect_error(PODS, text, ":2: gpu_milli: \"1001\" is out of range (at most 1000)");
    snprintf(text, sizeof(text), "%sp,1000,10,0,500,,LS,Running,0,10,0\n", h);
    expect_error(PODS, text, ":2: gpu_milli: 500 without GPUs");
    snprintf(text, sizeof(text), "%sp,1000,10,2,500,,LS,Running,0,10,0\n", h);
    expect_error(PODS, text, ":2: gpu_milli: 500 with num_gpu 2");
    snprintf(text, sizeof(text), "%sp,1000,10,1,0,,LS,Running,0,10,0\n", h);
    expect_error(PODS, text, ":2: gpu_milli: 0 with num_gpu 1");
    snprintf(text, sizeof(text), "%sp,1000,10,1,1000,,LS,Running,,10,0\n", h);
    expect_error(PODS, text, ":2: creation_time: \"\" is not an integer");
    snprintf(text, sizeof(text), "%sp,1000,10,1,1000,,LS,Running,0,x,0\n", h);
    expect_error(PODS, text, ":2: deletion_time: \"x\" is not an integer");
    snprintf(text, sizeof(text), "%sp,-1000,10,1,1000,,LS,Running,0,10,0\n", h);
    expect_error(PODS, text, ":2: cpu_milli: -1000 is below 0");
    snprintf(text, sizeof(text), "%sp,1000,10,2000,1000,,LS,Running,0,10,0\n", h);
    expect_error(PODS, text, ":2: num_gpu: \"2000\" is out of range (at most 1024)");
    expect_error(PODS, "name,cpu_milli,memory_mib,num_gpu,gpu_milli,creation_time\n",
                 ":1: header: creation_time, deletion_time and scheduled_time must all be");
    expect_error(PODS, "name,cpu_milli,memory_mib,num_gpu\n", ":1: header: no column "
                 "\"gpu_milli\"");

    /* a pod never deleted (scheduled, no deletion_time) has no runtime */
    struct tmpfile f;
    snprintf(text, sizeof(text), "%sp,1000,10,1,1000,,LS,Running,0,,0\n", h);
    write_tmp(&f, text, strlen(text));
    struct sw_workload w;
    alibaba_ok(f.path, NULL, &w);
    unlink(f.path);
    assert_int_equal(w.n, 0);
    assert_int_equal(w.skipped, 1);
    sw_workload_free(&w);

    sw_error_t err = {{0}};
    struct sw_alibaba_options o = sw_alibaba_defaults();
    o.data_gb = 3;
    assert_int_equal(sw_alibaba_read(sw_test_data_path("gpu-alibaba-pods.csv"), &o, &w, &err),
                     -1);
    assert_non_null(strstr(err.text, "needs an origin region"));
    o = sw_alibaba_defaults();
    o.untimed_runtime_s = 0;
    assert_int_equal(sw_alibaba_read(sw_test_data_path("gpu-alibaba-pods.csv"), &o, &w, &err),
                     -1);
    check_empty(&w);
}

/* ---- Alibaba nodes: hand-made file ------------------------------------- */

/* tests/data/gpu-alibaba-nodes.csv: n0 n2 = 64 cores, 256 GiB, 2 x P100;
 * n1 n3 n6 = 96 cores (n3's 96500 milli floors to 96), 384 GiB, 8 x G2;
 * n4 = 8 cores, 60 GiB, 1 x V100M16; n5 = no GPUs, 32 cores, 100000 MiB. */
static void test_alibaba_network_small(void **state)
{
    (void)state;
    struct sw_network net;
    sw_error_t err = {{0}};
    if (sw_alibaba_network(sw_test_data_path("gpu-alibaba-nodes.csv"), &net, &err) != 0)
        fail_msg("%s", err.text);
    assert_int_equal(net.nregions, 1);
    assert_string_equal(net.regions[0], "alibaba");
    assert_true(net.latency_ms[0] == 0.5);
    assert_true(net.bandwidth_gbps[0] == 400.0);
    assert_int_equal(net.nsites, 1);
    const struct sw_site *s = &net.sites[0];
    assert_string_equal(s->name, "alibaba-openb");
    assert_string_equal(s->provider, "alibaba");
    assert_int_equal(s->kind, SW_SITE_AI);
    assert_int_equal(s->region, 0);
    assert_true(s->pue == 1.3);
    assert_true(s->carbon_g_per_kwh[0] == 570.0 && s->carbon_g_per_kwh[23] == 570.0);
    assert_int_equal(s->nclasses, 4);
    static const struct {
        const char *name, *model;
        int64_t count, cores, mem, accels;
    } want[] = {
        {"P100x2-64c-256g", "P100", 2, 64, 262144, 2},
        {"G2x8-96c-384g", "G2", 3, 96, 393216, 8},
        {"V100M16x1-8c-60g", "V100M16", 1, 8, 61440, 1},
        {"cpu-32c-100000m", NULL, 1, 32, 100000, 0},
    };
    for (size_t i = 0; i < 4; i++) {
        const struct sw_node_class *nc = &s->classes[i];
        assert_string_equal(nc->name, want[i].name);
        assert_int_equal(nc->count, want[i].count);
        assert_int_equal(nc->cores, want[i].cores);
        assert_int_equal(nc->mem_mib, want[i].mem);
        assert_int_equal(nc->accels, want[i].accels);
        assert_int_equal(nc->price_accel_hour_fen, 0);
        assert_int_equal(nc->price_core_hour_fen, 0);
        if (want[i].model)
            assert_string_equal(net.catalog.models[nc->accel].name, want[i].model);
        else
            assert_int_equal(nc->accel, -1);
    }
    assert_int_equal(sw_network_site(&net, "alibaba-openb"), 0);
    sw_network_free(&net);
}

static void test_alibaba_network_errors(void **state)
{
    (void)state;
    const char *h = "sn,cpu_milli,memory_mib,gpu,model\n";
    char text[512];
    snprintf(text, sizeof(text), "%sn0,64000,262144,2,P100\nn1,64000,262144,2,V100M64\n", h);
    expect_error(NODES, text, ":3: model: \"V100M64\" is not in the accelerator catalog; "
                 "did you mean \"V100M16\"?");
    snprintf(text, sizeof(text), "%sn0,64000,262144,2,Quantum9000\n", h);
    expect_error(NODES, text, ":2: model: \"Quantum9000\" is not in the accelerator "
                 "catalog");
    snprintf(text, sizeof(text), "%sn0,64000,262144,2,\n", h);
    expect_error(NODES, text, ":2: model: empty");
    snprintf(text, sizeof(text), "%sn0,64000,262144,-2,T4\n", h);
    expect_error(NODES, text, ":2: gpu: -2 is below 0");
    expect_error(NODES, h, ": no nodes (only a header)");
    expect_error(NODES, "sn,cpu,memory_mib,gpu,model\n", ":1: header: no column \"cpu_milli\"");
    struct sw_network net;
    sw_error_t err = {{0}};
    assert_int_equal(sw_alibaba_network("/nonexistent/nodes.csv", &net, &err), -1);
    assert_int_equal(net.nsites, 0);
    assert_non_null(strstr(err.text, "/nonexistent/nodes.csv"));
}

/* ---- arbitrary bytes ---------------------------------------------------- */

static const char fuzz_alphabet[] = "0123456789,,,,\n\n-|.abLSBE \t\r\"\x00\xff";

/* Tokens a field may be made of: valid values of every column, edge cases. */
static const char *const fuzz_tokens[] = {
    "0", "1", "8", "460", "1000", "96000", "393216", "-1", "", "T4", "V100M16|V100M32",
    "G2|", "LS", "BE", "Guaranteed", "Burstable", "Running", "999999999999999999999",
    "3600", " 7 ", "x", "P100", "A10|T4|T4",
};

static size_t fuzz_put(char *buf, size_t len, size_t cap, const char *s, size_t n)
{
    if (n > cap - len)
        n = cap - len;
    memcpy(buf + len, s, n);
    return len + n;
}

/* One row: mostly `ncols` fields of known tokens, sometimes a wrong count
 * or random bytes. */
static size_t fuzz_row(char *buf, size_t len, size_t cap, size_t ncols, unsigned *seed)
{
    size_t nf = rand_r(seed) % 8 == 0 ? (size_t)(rand_r(seed) % 12) : ncols;
    for (size_t f = 0; f < nf; f++) {
        if (f > 0)
            len = fuzz_put(buf, len, cap, ",", 1);
        if (rand_r(seed) % 10 == 0) {
            char c = fuzz_alphabet[rand_r(seed) % (int)(sizeof(fuzz_alphabet) - 1)];
            len = fuzz_put(buf, len, cap, &c, 1);
        } else {
            const char *t = fuzz_tokens[rand_r(seed) % (int)(sizeof(fuzz_tokens) /
                                                             sizeof(fuzz_tokens[0]))];
            len = fuzz_put(buf, len, cap, t, strlen(t));
        }
    }
    return fuzz_put(buf, len, cap, "\n", 1);
}

/* A header of the given kind (or none), then rows biased toward CSV. */
static size_t fuzz_text(char *buf, size_t cap, const char *header, size_t ncols,
                        unsigned *seed)
{
    size_t len = fuzz_put(buf, 0, cap, header, strlen(header));
    size_t rows = (size_t)(rand_r(seed) % 6);
    for (size_t r = 0; r < rows; r++)
        len = fuzz_row(buf, len, cap, ncols, seed);
    return len;
}

static void fuzz_one(enum which kind, const char *text, size_t len)
{
    struct tmpfile f;
    write_tmp(&f, text, len);
    sw_error_t err = {{0}};
    struct sw_workload w;
    struct sw_network net;
    int rc;
    if (kind == ITP)
        rc = sw_itp_read(f.path, NULL, &w, &err);
    else if (kind == PODS)
        rc = sw_alibaba_read(f.path, NULL, &w, &err);
    else
        rc = sw_alibaba_network(f.path, &net, &err);
    unlink(f.path);
    if (rc != 0) {
        assert_int_equal(rc, -1);
        assert_true(err.text[0] != '\0');
        if (kind != NODES)
            check_empty(&w);
        return;
    }
    if (kind == NODES)
        sw_network_free(&net);
    else
        sw_workload_free(&w);
}

static void test_random_bytes(void **state)
{
    (void)state;
    static const char *const headers[] = {
        "job_id,submission_time,duration,num_gpu\n",
        ("name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,"
         "deletion_time,scheduled_time\n"),
        "sn,cpu_milli,memory_mib,gpu,model\n",
    };
    static const size_t ncols[] = {4, 11, 5};
    char buf[2048];
    unsigned seed = 12345;
    for (int round = 0; round < 1500; round++) {
        enum which kind = (enum which)(round % 3);
        const char *h = round % 17 == 0 ? "" : headers[kind];
        size_t len = fuzz_text(buf, sizeof(buf), h, ncols[kind], &seed);
        fuzz_one(kind, buf, len);
    }
}

/* ---- the real traces ---------------------------------------------------- */

/* Data rows per ITP cluster, from
 *   for f in cluster*.csv; do awk -F, 'NR>1{n++} END{print FILENAME, n}' $f; done
 * (no row has duration <= 0 or num_gpu <= 0; the files end without a
 * newline, so `wc -l` counts one less per file: 69,341 in all, the figure
 * in the traces' README, while the rows number 69,351). Gangs (num_gpu > 8,
 * all multiples of 8): awk -F, 'NR>1 && $4>8' per file. */
static const struct {
    const char *name;
    size_t rows, gangs;
} itp_clusters[] = {
    {"cluster01", 1595, 43},  {"cluster02", 5778, 86},   {"cluster03", 3011, 135},
    {"cluster04", 15802, 442}, {"cluster05", 3629, 0},   {"cluster06", 2396, 87},
    {"cluster07", 12699, 2},  {"cluster08", 13047, 9},   {"cluster09", 11134, 0},
    {"cluster10", 260, 2},
};
#define ITP_NCLUSTERS 10
#define ITP_TOTAL 69351

static void test_real_itp(void **state)
{
    (void)state;
    static char paths[ITP_NCLUSTERS][4096];
    static const char *const origins[ITP_NCLUSTERS] = {
        "guangzhou", "shenzhen", "shaoguan", "foshan", "dongguan",
        "zhuhai", "huizhou", "zhongshan", "jiangmen", "zhaoqing",
    };
    struct sw_itp_source src[ITP_NCLUSTERS];
    for (size_t i = 0; i < ITP_NCLUSTERS; i++) {
        char rel[64];
        snprintf(rel, sizeof(rel), "gpu/microsoft-itp/%s.csv", itp_clusters[i].name);
        const char *p = sw_test_trace_path(rel);
        if (!p)
            skip();
        snprintf(paths[i], sizeof(paths[i]), "%s", p);
        src[i] = (struct sw_itp_source){paths[i], origins[i]};
        struct sw_workload w;
        struct sw_gputrace_stats st;
        struct sw_itp_options o = sw_itp_defaults();
        o.stats = &st;
        itp_ok(paths[i], &o, &w);
        assert_int_equal(w.n, itp_clusters[i].rows);
        assert_int_equal(w.skipped, 0);
        assert_int_equal(st.gangs, itp_clusters[i].gangs);
        assert_string_equal(w.jobs[0].tenant, itp_clusters[i].name);
        for (size_t j = 1; j < w.n; j++)
            assert_true(w.jobs[j - 1].submit <= w.jobs[j].submit);
        sw_workload_free(&w);
    }
    struct sw_workload all;
    struct sw_gputrace_stats st;
    struct sw_itp_options o = sw_itp_defaults();
    o.data_gb = 10;
    o.stats = &st;
    sw_error_t err = {{0}};
    if (sw_itp_read_many(src, ITP_NCLUSTERS, &o, &all, &err) != 0)
        fail_msg("%s", err.text);
    assert_int_equal(all.n, ITP_TOTAL);
    assert_int_equal(st.kept, ITP_TOTAL);
    assert_int_equal(st.gangs, 806);
    /* cluster01's first job (submitted at 1932025) lies in guangzhou */
    size_t seen = 0;
    for (size_t j = 0; j < all.n; j++) {
        assert_int_equal(all.jobs[j].id, j + 1);
        if (j > 0)
            assert_true(all.jobs[j - 1].submit <= all.jobs[j].submit);
        if (strcmp(all.jobs[j].name, "965d744f-0445-c1a8-12af-97e4c536c66e") == 0) {
            assert_string_equal(all.jobs[j].tenant, "cluster01");
            assert_string_equal(all.jobs[j].inputs[0].region, "guangzhou");
            assert_int_equal(all.jobs[j].tasks, 8);
            assert_int_equal(all.jobs[j].submit, 1932025);
            assert_int_equal(all.jobs[j].runtime_s, 2429);
            seen++;
        }
    }
    assert_int_equal(seen, 1);
    sw_workload_free(&all);
}

/* Pod lists, cross-checked with
 *   awk -F, 'NR>1{ if($11==""){u++; next} k++; if($4==1&&$5<1000)f++;
 *            if($4==0)c++; if($6!="")s++; q[$7]++ } END{...}'
 * default and gpuspec33: 8,152 rows, 897 never scheduled (all Pending),
 * none with runtime <= 0, 7,255 kept; 2,573 fractional, 1,052 CPU-only;
 * LS 4,193, BE 2,957, Burstable 98, Guaranteed 7; gpuspec33 has 2,092
 * kept pods with a gpu_spec. multigpu50: 9,061 rows, 5 columns, no times;
 * 3,078 fractional, 1,088 CPU-only. */
static void test_real_alibaba_pods(void **state)
{
    (void)state;
    static const struct {
        const char *file;
        size_t rows, kept, unscheduled, fractional, cpu_only, with_models;
        bool untimed;
    } lists[] = {
        {"openb_pod_list_default.csv", 8152, 7255, 897, 2573, 1052, 0, false},
        {"openb_pod_list_gpuspec33.csv", 8152, 7255, 897, 2573, 1052, 2092, false},
        {"openb_pod_list_multigpu50.csv", 9061, 9061, 0, 3078, 1088, 0, true},
    };
    for (size_t i = 0; i < 3; i++) {
        char rel[128];
        snprintf(rel, sizeof(rel), "gpu/alibaba-2023/%s", lists[i].file);
        const char *p = sw_test_trace_path(rel);
        if (!p)
            skip();
        struct sw_workload w;
        struct sw_gputrace_stats st;
        struct sw_alibaba_options o = sw_alibaba_defaults();
        o.stats = &st;
        alibaba_ok(p, &o, &w);
        assert_int_equal(st.rows, lists[i].rows);
        assert_int_equal(w.n, lists[i].kept);
        assert_int_equal(w.skipped, lists[i].unscheduled);
        assert_int_equal(st.skipped_invalid, 0);
        assert_int_equal(st.fractional, lists[i].fractional);
        assert_int_equal(st.cpu_only, lists[i].cpu_only);
        assert_int_equal(st.with_models, lists[i].with_models);
        assert_int_equal(st.untimed, lists[i].untimed);
        if (!lists[i].untimed) {
            assert_int_equal(st.qos[SW_QOS_REALTIME], 4193);
            assert_int_equal(st.qos[SW_QOS_SPOT], 2957);
            assert_int_equal(st.qos[SW_QOS_BATCH], 98);
            assert_int_equal(st.qos[SW_QOS_INTERACTIVE], 7);
        }
        /* openb-pod-0001: 6000 milli, 12288 MiB, 460 milli-GPU, BE */
        assert_string_equal(w.jobs[1].name, "openb-pod-0001");
        assert_int_equal(w.jobs[1].accel.count_milli, 460);
        assert_int_equal(w.jobs[1].cores, 6);
        if (lists[i].with_models) {
            /* every list parsed: all names in the catalog's Alibaba models */
            size_t dup_free = 0;
            for (size_t j = 0; j < w.n; j++) {
                const struct sw_namelist *m = &w.jobs[j].accel.models;
                for (size_t a = 0; a < m->n; a++)
                    for (size_t b = 0; b < a; b++)
                        assert_string_not_equal(m->names[a], m->names[b]);
                dup_free += m->n > 0;
            }
            assert_int_equal(dup_free, lists[i].with_models);
        }
        sw_workload_free(&w);
    }
}

/* openb_node_list_gpu_node.csv: 1,213 nodes in 15 distinct shapes, 6,212
 * GPUs; awk -F, 'NR>1{print $2","$3","$4","$5}' | sort | uniq -c. The
 * biggest class: 549 nodes of 96 cores, 384 GiB, 8 x G2. */
static void test_real_alibaba_network(void **state)
{
    (void)state;
    const char *p = sw_test_trace_path("gpu/alibaba-2023/openb_node_list_gpu_node.csv");
    if (!p)
        skip();
    struct sw_network net;
    sw_error_t err = {{0}};
    if (sw_alibaba_network(p, &net, &err) != 0)
        fail_msg("%s", err.text);
    const struct sw_site *s = &net.sites[0];
    assert_int_equal(s->nclasses, 15);
    int64_t nodes = 0, gpus = 0;
    bool g2 = false;
    for (size_t i = 0; i < s->nclasses; i++) {
        nodes += s->classes[i].count;
        gpus += s->classes[i].count * s->classes[i].accels;
        if (strcmp(s->classes[i].name, "G2x8-96c-384g") == 0) {
            assert_int_equal(s->classes[i].count, 549);
            g2 = true;
        }
    }
    assert_true(g2);
    assert_int_equal(nodes, 1213);
    assert_int_equal(gpus, 6212);
    assert_string_equal(s->classes[0].name, "P100x2-64c-256g"); /* first row's shape */
    sw_network_free(&net);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_itp_rules),
        cmocka_unit_test(test_itp_origin_data_latency),
        cmocka_unit_test(test_itp_model_shape_options),
        cmocka_unit_test(test_itp_first),
        cmocka_unit_test(test_itp_many_and_append),
        cmocka_unit_test(test_itp_errors),
        cmocka_unit_test(test_itp_option_errors),
        cmocka_unit_test(test_alibaba_rules),
        cmocka_unit_test(test_alibaba_origin_first),
        cmocka_unit_test(test_alibaba_untimed),
        cmocka_unit_test(test_alibaba_errors),
        cmocka_unit_test(test_alibaba_network_small),
        cmocka_unit_test(test_alibaba_network_errors),
        cmocka_unit_test(test_random_bytes),
        cmocka_unit_test(test_real_itp),
        cmocka_unit_test(test_real_alibaba_pods),
        cmocka_unit_test(test_real_alibaba_network),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
