/* test_report.c — the simulator's report writers (src/sim/report_*.c):
 * exact JSON and CSV for a tiny hand-checked result, the empty result, an
 * offline and escaped HTML page that stays small for a million samples,
 * write errors, and sw_report_write_dir() on good and bad paths.
 */
#include "testutil.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/metrics.h"
#include "sim/report.h"

#define EVIL_TRACE "a<script>alert(1)</script>&b.swf"

/* Two jobs on a 4-processor machine:
 *   id submit start runtime est procs user  end wait  bsld
 *    7    100   100      50  60     2    3  150    0  max(1, 50/50) = 1
 *    8    110   150       5  10     4    0  155   40  (40 + 5)/10   = 4.5
 * mean wait 20, max 40, median (rank 1) 0, p95 (rank 2) 40,
 * mean bsld 2.75, mean response (50 + 45)/2 = 47.5, makespan 155 - 100 = 55,
 * utilization (2*50 + 4*5) / (4 * 55) = 120/220 = 0.5454..., max queued 1.
 * Skips 1..6 by reason, 21 in all. */
static struct sw_sim_jobrec tiny_jobs[] = {
    { .id = 7, .submit = 100, .start = 100, .end = 150, .runtime = 50, .estimate = 60,
      .procs = 2, .user = 3 },
    { .id = 8, .submit = 110, .start = 150, .end = 155, .runtime = 5, .estimate = 10,
      .procs = 4, .user = 0 },
};

static struct sw_sim_sample tiny_samples[] = {
    { .t = 100, .queued = 0, .running = 1, .used_procs = 2 },
    { .t = 110, .queued = 1, .running = 1, .used_procs = 2 },
    { .t = 150, .queued = 0, .running = 1, .used_procs = 4 },
    { .t = 155, .queued = 0, .running = 0, .used_procs = 0 },
};

static const char tiny_csv[] =
    "id,submit,start,end,procs,wait,runtime,estimate,user,bounded_slowdown\n"
    "7,100,100,150,2,0,50,60,3,1.0000\n"
    "8,110,150,155,4,40,5,10,0,4.5000\n";

static struct sw_sim_result tiny_result(void)
{
    struct sw_sim_result r = {
        .jobs = tiny_jobs, .njobs = 2, .samples = tiny_samples, .nsamples = 4,
        .skipped = { .runtime = 1, .procs = 2, .submit = 3, .too_big = 4, .estimate = 5,
                     .malformed = 6 },
        .lines_read = 27, .machine_source = "MaxProcs",
    };
    snprintf(r.trace, sizeof(r.trace), "%s", EVIL_TRACE);
    snprintf(r.policy, sizeof(r.policy), "easy");
    snprintf(r.order, sizeof(r.order), "submit");
    assert_int_equal(sw_metrics_compute(&r, 4), 0);
    return r;
}

/* The text a writer produces into memory, NUL-terminated; caller frees. */
typedef int (*writer_f)(const struct sw_sim_result *, FILE *, sw_error_t *);

static char *write_to_string(writer_f w, const struct sw_sim_result *r, size_t *len)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    assert_non_null(f);
    sw_error_t err = { { 0 } };
    int rc = w(r, f, &err);
    if (rc != 0)
        fail_msg("writer failed: %s", err.text);
    assert_int_equal(fclose(f), 0);
    if (len)
        *len = n;
    return buf;
}

/* ---- JSON ------------------------------------------------------------ */

static void json_has_int(json_t *o, const char *key, long long v)
{
    json_t *j = json_object_get(o, key);
    if (!json_is_integer(j))
        fail_msg("%s: missing or not an integer", key);
    assert_int_equal(json_integer_value(j), v);
}

static void json_has_real(json_t *o, const char *key, double v)
{
    json_t *j = json_object_get(o, key);
    if (!json_is_real(j))
        fail_msg("%s: missing or not a real", key);
    if (!(fabs(json_real_value(j) - v) <= 1e-12 * fmax(1, fabs(v))))
        fail_msg("%s = %.17g, expected %.17g", key, json_real_value(j), v);
}

static void json_has_string(json_t *o, const char *key, const char *v)
{
    json_t *j = json_object_get(o, key);
    if (!json_is_string(j))
        fail_msg("%s: missing or not a string", key);
    assert_string_equal(json_string_value(j), v);
}

static void test_json_tiny(void **state)
{
    (void)state;
    struct sw_sim_result r = tiny_result();
    json_t *o = sw_report_metrics_json(&r);
    assert_non_null(o);
    json_has_string(o, "trace", EVIL_TRACE);
    json_has_string(o, "policy", "easy");
    json_has_string(o, "order", "submit");
    json_has_string(o, "machine_source", "MaxProcs");
    json_has_int(o, "jobs", 2);
    json_has_int(o, "procs", 4);
    json_has_real(o, "mean_wait_s", 20);
    json_has_int(o, "max_wait_s", 40);
    json_has_real(o, "median_wait_s", 0);
    json_has_real(o, "p95_wait_s", 40);
    json_has_real(o, "mean_bounded_slowdown", 2.75);
    json_has_real(o, "max_bounded_slowdown", 4.5);
    json_has_int(o, "bounded_slowdown_tau_s", 10);
    json_has_real(o, "mean_response_s", 47.5);
    json_has_real(o, "utilization", 120.0 / 220.0);
    json_has_int(o, "makespan_s", 55);
    json_has_int(o, "first_submit", 100);
    json_has_int(o, "last_end", 155);
    json_has_int(o, "max_queued", 1);
    json_has_int(o, "lines_read", 27);
    json_t *sk = json_object_get(o, "skipped");
    assert_true(json_is_object(sk));
    json_has_int(sk, "runtime", 1);
    json_has_int(sk, "procs", 2);
    json_has_int(sk, "submit", 3);
    json_has_int(sk, "too_big", 4);
    json_has_int(sk, "estimate", 5);
    json_has_int(sk, "malformed", 6);
    json_has_int(sk, "total", 21);
    json_decref(o);
}

/* No jobs: every metric 0, reals still reals, and the dump is valid JSON. */
static void test_json_empty(void **state)
{
    (void)state;
    struct sw_sim_result r = { 0 };
    assert_int_equal(sw_metrics_compute(&r, 0), 0);
    json_t *o = sw_report_metrics_json(&r);
    assert_non_null(o);
    static const char *const reals[] = { "mean_wait_s", "median_wait_s", "p95_wait_s",
                                         "mean_bounded_slowdown", "max_bounded_slowdown",
                                         "mean_response_s", "utilization" };
    for (size_t i = 0; i < sizeof(reals) / sizeof(reals[0]); i++)
        json_has_real(o, reals[i], 0);
    json_has_int(o, "jobs", 0);
    json_has_int(o, "makespan_s", 0);
    json_has_int(json_object_get(o, "skipped"), "total", 0);
    assert_true(json_is_null(json_object_get(o, "machine_source")));
    char *text = json_dumps(o, JSON_INDENT(2));
    assert_non_null(text);
    assert_null(strstr(text, "nan"));
    assert_null(strstr(text, "inf"));
    json_error_t jerr;
    json_t *back = json_loads(text, 0, &jerr);
    if (!back)
        fail_msg("not valid JSON: %s", jerr.text);
    json_decref(back);
    free(text);
    json_decref(o);
}

/* A trace name that is not UTF-8 still gives a valid string. */
static void test_json_bad_utf8(void **state)
{
    (void)state;
    struct sw_sim_result r = { 0 };
    snprintf(r.trace, sizeof(r.trace), "x\xff\xfe.swf");
    json_t *o = sw_report_metrics_json(&r);
    assert_non_null(o);
    json_has_string(o, "trace", "x??.swf");
    json_decref(o);
}

/* ---- CSV ------------------------------------------------------------- */

static void test_csv_tiny(void **state)
{
    (void)state;
    struct sw_sim_result r = tiny_result();
    char *text = write_to_string(sw_report_write_csv, &r, NULL);
    assert_string_equal(text, tiny_csv);
    free(text);
}

static void test_csv_empty(void **state)
{
    (void)state;
    struct sw_sim_result r = { 0 };
    char *text = write_to_string(sw_report_write_csv, &r, NULL);
    assert_string_equal(text,
                        "id,submit,start,end,procs,wait,runtime,estimate,user,bounded_slowdown\n");
    free(text);
}

/* Extreme integers are printed in full; bsld agrees with "%.4f". */
static void test_csv_extremes(void **state)
{
    (void)state;
    struct sw_sim_jobrec jobs[] = {
        { .id = UINT64_MAX, .submit = 0, .start = INT64_MAX / 2, .end = INT64_MAX / 2 + 1,
          .runtime = 1, .estimate = INT64_MAX, .procs = INT64_MAX, .user = UINT32_MAX },
        /* negative times never come from a trace, but must not garble the row */
        { .id = 0, .submit = -7, .start = -3, .end = 9, .runtime = 12, .estimate = 12,
          .procs = 1, .user = 0 },
    };
    struct sw_sim_result r = { .jobs = jobs, .njobs = 2 };
    char expect[512];
    snprintf(expect, sizeof(expect),
             "id,submit,start,end,procs,wait,runtime,estimate,user,bounded_slowdown\n"
             "18446744073709551615,0,4611686018427387903,4611686018427387904,"
             "9223372036854775807,4611686018427387903,1,9223372036854775807,4294967295,%.4f\n"
             "0,-7,-3,9,1,4,12,12,0,1.3333\n",
             sw_bounded_slowdown(INT64_MAX / 2, 1));
    char *text = write_to_string(sw_report_write_csv, &r, NULL);
    assert_string_equal(text, expect);
    free(text);
}

/* Many rows (more than one internal chunk): every row is there, in order. */
static void test_csv_many(void **state)
{
    (void)state;
    enum { N = 50000 };
    struct sw_sim_jobrec *jobs = calloc(N, sizeof(*jobs));
    assert_non_null(jobs);
    for (int i = 0; i < N; i++)
        jobs[i] = (struct sw_sim_jobrec){ .id = (uint64_t)i + 1, .submit = i, .start = i + 30,
                                          .end = i + 130, .runtime = 100, .estimate = 200,
                                          .procs = 1, .user = 9 };
    struct sw_sim_result r = { .jobs = jobs, .njobs = N };
    size_t len;
    char *text = write_to_string(sw_report_write_csv, &r, &len);
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    assert_int_equal(lines, N + 1);
    /* bsld = (30 + 100) / 100 = 1.3 */
    assert_non_null(strstr(text, "\n1,0,30,130,1,30,100,200,9,1.3000\n"));
    assert_non_null(strstr(text, "\n50000,49999,50029,50129,1,30,100,200,9,1.3000\n"));
    assert_int_equal(text[len - 1], '\n');
    free(text);
    free(jobs);
}

/* A FILE whose writes fail (ENOSPC), or NULL when /dev/full is missing. */
static FILE *full_device(void)
{
    FILE *f = fopen("/dev/full", "w");
    if (!f)
        printf("# SKIP: /dev/full not available\n");
    return f;
}

static void test_csv_write_error(void **state)
{
    (void)state;
    FILE *f = full_device();
    if (!f)
        skip();
    struct sw_sim_result r = tiny_result();
    sw_error_t err = { { 0 } };
    assert_int_equal(sw_report_write_csv(&r, f, &err), -1);
    assert_non_null(strstr(err.text, "CSV"));
    assert_non_null(strstr(err.text, strerror(ENOSPC)));
    fclose(f);
}

/* ---- HTML ------------------------------------------------------------ */

static void assert_offline_and_clean(const char *html)
{
    assert_non_null(strstr(html, "<!DOCTYPE html>"));
    assert_non_null(strstr(html, "</html>"));
    assert_null(strstr(html, "http://"));
    assert_null(strstr(html, "https://"));
    assert_null(strstr(html, "<script"));
    assert_null(strstr(html, "<link"));
    assert_null(strstr(html, "src="));
    assert_null(strstr(html, "url("));
    assert_null(strstr(html, "@import"));
    assert_null(strstr(html, "nan"));
    assert_null(strstr(html, "inf"));
}

static size_t count(const char *s, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static void test_html_tiny(void **state)
{
    (void)state;
    struct sw_sim_result r = tiny_result();
    char *html = write_to_string(sw_report_write_html, &r, NULL);
    assert_offline_and_clean(html);
    assert_int_equal(count(html, "<svg"), 5); /* queue, utilization, 2 histograms, CDF */
    assert_non_null(strstr(html, "a&lt;script&gt;alert(1)&lt;/script&gt;&amp;b.swf"));
    assert_null(strstr(html, "alert(1)</script>"));
    assert_non_null(strstr(html, "easy"));
    assert_non_null(strstr(html, "MaxProcs"));
    /* the wait histogram's "< 1 min" label is escaped */
    assert_non_null(strstr(html, "&lt; 1 min"));
    free(html);
}

static void test_html_empty(void **state)
{
    (void)state;
    struct sw_sim_result r = { 0 };
    assert_int_equal(sw_metrics_compute(&r, 0), 0);
    char *html = write_to_string(sw_report_write_html, &r, NULL);
    assert_offline_and_clean(html);
    assert_non_null(strstr(html, "<svg"));
    assert_non_null(strstr(html, "no samples"));
    assert_non_null(strstr(html, "no jobs"));
    free(html);
}

/* A million samples: the charts are downsampled, the page stays small. */
static void test_html_many_samples(void **state)
{
    (void)state;
    enum { N = 1000000 };
    struct sw_sim_sample *s = calloc(N, sizeof(*s));
    assert_non_null(s);
    for (int i = 0; i < N; i++)
        s[i] = (struct sw_sim_sample){ .t = (int64_t)i * 30, .queued = (uint32_t)(i % 977),
                                       .running = 1, .used_procs = i % 64 };
    struct sw_sim_jobrec jobs[] = {
        { .id = 1, .submit = 0, .start = 0, .end = 30000000, .runtime = 30000000,
          .estimate = 30000000, .procs = 64 },
    };
    struct sw_sim_result r = { .jobs = jobs, .njobs = 1, .samples = s, .nsamples = N };
    assert_int_equal(sw_metrics_compute(&r, 64), 0);
    assert_int_equal(r.metrics.max_queued, 976);
    size_t len;
    char *html = write_to_string(sw_report_write_html, &r, &len);
    assert_offline_and_clean(html);
    assert_true(len < 300 * 1024);
    /* the longest queue of the whole run is the top of some bucket */
    assert_non_null(strstr(html, ">1000</text>")); /* y axis tops at 1000 */
    free(html);
    free(s);
}

static void test_html_write_error(void **state)
{
    (void)state;
    FILE *f = full_device();
    if (!f)
        skip();
    struct sw_sim_result r = tiny_result();
    sw_error_t err = { { 0 } };
    assert_int_equal(sw_report_write_html(&r, f, &err), -1);
    assert_non_null(strstr(err.text, "HTML"));
    assert_non_null(strstr(err.text, strerror(ENOSPC)));
    fclose(f);
}

/* ---- directory ------------------------------------------------------- */

struct tmpdir {
    char base[64];
    char path[256];
};

static void tmp_setup(struct tmpdir *t, const char *sub)
{
    snprintf(t->base, sizeof(t->base), "/tmp/sw_report_XXXXXX");
    assert_non_null(mkdtemp(t->base));
    snprintf(t->path, sizeof(t->path), "%s/%s", t->base, sub);
}

static char *slurp(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("%s: %s", path, strerror(errno));
    char *buf = NULL;
    size_t cap = 0;
    ssize_t n = getdelim(&buf, &cap, '\0', f);
    assert_true(n > 0);
    fclose(f);
    return buf;
}

static void remove_files(const char *dir)
{
    static const char *const names[] = { "metrics.json", "jobs.csv", "index.html" };
    char path[512];
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        unlink(path);
    }
}

static void test_dir_writes_three_files(void **state)
{
    (void)state;
    struct tmpdir t;
    tmp_setup(&t, "report");
    struct sw_sim_result r = tiny_result();
    sw_error_t err = { { 0 } };
    if (sw_report_write_dir(&r, t.path, &err) != 0)
        fail_msg("write_dir: %s", err.text);

    char *json = slurp(t.path, "metrics.json");
    size_t n = strlen(json);
    assert_true(n > 2 && json[n - 1] == '\n' && json[n - 2] == '}');
    assert_non_null(strstr(json, "\n  \"jobs\": 2,\n")); /* indented by 2 */
    json_error_t jerr;
    json_t *o = json_loads(json, 0, &jerr);
    if (!o)
        fail_msg("metrics.json: %s", jerr.text);
    json_has_real(o, "utilization", 120.0 / 220.0);
    json_decref(o);
    free(json);

    char *csv = slurp(t.path, "jobs.csv");
    assert_string_equal(csv, tiny_csv);
    free(csv);

    char *html = slurp(t.path, "index.html");
    assert_offline_and_clean(html);
    free(html);

    /* again into the existing directory: fine, files replaced */
    assert_int_equal(sw_report_write_dir(&r, t.path, &err), 0);
    remove_files(t.path);
    assert_int_equal(rmdir(t.path), 0);
    assert_int_equal(rmdir(t.base), 0);
}

static void test_dir_is_a_file(void **state)
{
    (void)state;
    struct tmpdir t;
    tmp_setup(&t, "plain");
    FILE *f = fopen(t.path, "w");
    assert_non_null(f);
    fclose(f);
    struct sw_sim_result r = tiny_result();
    sw_error_t err = { { 0 } };
    errno = 0;
    assert_int_equal(sw_report_write_dir(&r, t.path, &err), -1);
    assert_int_equal(errno, ENOTDIR);
    assert_non_null(strstr(err.text, t.path));
    assert_non_null(strstr(err.text, "not a directory"));
    assert_int_equal(unlink(t.path), 0);
    assert_int_equal(rmdir(t.base), 0);
}

/* Missing parents are created, like `mkdir -p`. */
static void test_dir_parent_missing(void **state)
{
    (void)state;
    struct tmpdir t;
    tmp_setup(&t, "no/such");
    struct sw_sim_result r = tiny_result();
    sw_error_t err = { { 0 } };
    assert_int_equal(sw_report_write_dir(&r, t.path, &err), 0);
    char f[600], parent[600];
    const char *names[] = {"metrics.json", "jobs.csv", "index.html"};
    for (int i = 0; i < 3; i++) {
        snprintf(f, sizeof(f), "%s/%s", t.path, names[i]);
        assert_int_equal(access(f, R_OK), 0);
        assert_int_equal(unlink(f), 0);
    }
    assert_int_equal(rmdir(t.path), 0);
    snprintf(parent, sizeof(parent), "%s/no", t.base);
    assert_int_equal(rmdir(parent), 0);
    assert_int_equal(rmdir(t.base), 0);
}

/* A report file that cannot be opened is named in the message. */
static void test_dir_file_unwritable(void **state)
{
    (void)state;
    struct tmpdir t;
    tmp_setup(&t, "r");
    char blocker[512];
    snprintf(blocker, sizeof(blocker), "%s/jobs.csv", t.path);
    assert_int_equal(mkdir(t.path, 0755), 0);
    assert_int_equal(mkdir(blocker, 0755), 0); /* a directory where jobs.csv goes */
    struct sw_sim_result r = tiny_result();
    sw_error_t err = { { 0 } };
    assert_int_equal(sw_report_write_dir(&r, t.path, &err), -1);
    assert_non_null(strstr(err.text, blocker));
    assert_non_null(strstr(err.text, strerror(EISDIR)));
    assert_int_equal(rmdir(blocker), 0);
    remove_files(t.path);
    assert_int_equal(rmdir(t.path), 0);
    assert_int_equal(rmdir(t.base), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_tiny),
        cmocka_unit_test(test_json_empty),
        cmocka_unit_test(test_json_bad_utf8),
        cmocka_unit_test(test_csv_tiny),
        cmocka_unit_test(test_csv_empty),
        cmocka_unit_test(test_csv_extremes),
        cmocka_unit_test(test_csv_many),
        cmocka_unit_test(test_csv_write_error),
        cmocka_unit_test(test_html_tiny),
        cmocka_unit_test(test_html_empty),
        cmocka_unit_test(test_html_many_samples),
        cmocka_unit_test(test_html_write_error),
        cmocka_unit_test(test_dir_writes_three_files),
        cmocka_unit_test(test_dir_is_a_file),
        cmocka_unit_test(test_dir_parent_missing),
        cmocka_unit_test(test_dir_file_unwritable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
