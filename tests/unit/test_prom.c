/* test_prom.c — the Prometheus registry and text format (src/server/prom.c):
 * the exact text of a small registry (counter with labels, gauge, histogram
 * with observations on the bucket bounds), label and help escaping, number
 * formatting (also under a comma-decimal locale when one is installed),
 * metric and label name validation, registration clashes, update errors,
 * collector callbacks, a capped output buffer, and 4 threads updating at
 * once.
 *
 * `test_prom --render` prints a registry shaped like the controller's
 * (docs/metrics.md) instead of testing; tests/e2e/prom_promtool.sh pipes it
 * into `promtool check metrics`, the real Prometheus parser and linter.
 */
#include "testutil.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/prom.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static char *render(struct sw_prom *reg)
{
    struct sw_strbuf out = {0};
    assert_int_equal(sw_prom_render(reg, &out), 0);
    return out.data ? out.data : strdup("");
}

static void test_render_exact(void **state)
{
    (void)state;
    sw_error_t err = {{0}};
    struct sw_prom *reg = sw_prom_create();
    assert_non_null(reg);
    const char *tenant[] = {"tenant"};
    struct sw_prom_metric *sub = sw_prom_counter(reg, "suanwang_jobs_submitted_total",
                                                 "Jobs accepted.", 1, tenant, &err);
    struct sw_prom_metric *depth =
        sw_prom_gauge(reg, "suanwang_queue_depth", "Units waiting.", 0, NULL, &err);
    const double bounds[] = {0.25, 0.5, 1};
    struct sw_prom_metric *pass = sw_prom_histogram(reg, "suanwang_scheduling_pass_seconds",
                                                    "Pass time.", 0, NULL, 3, bounds, &err);
    assert_non_null(sub);
    assert_non_null(depth);
    assert_non_null(pass);

    /* series come out sorted by label values, whatever the order of use */
    assert_int_equal(sw_prom_add(sub, (const char *[]){"tenant-b"}, 2), 0);
    assert_int_equal(sw_prom_add(sub, (const char *[]){"tenant-a"}, 1), 0);
    assert_int_equal(sw_prom_add(sub, (const char *[]){"tenant-a"}, 0.5), 0);
    assert_int_equal(sw_prom_set(depth, NULL, 9), 0);
    assert_int_equal(sw_prom_add(depth, NULL, -2), 0);
    /* on each bound (le is inclusive), between two, and past the last */
    const double obs[] = {0.25, 0.5, 1, 0.375, 2};
    for (size_t i = 0; i < NELEM(obs); i++)
        assert_int_equal(sw_prom_observe(pass, NULL, obs[i]), 0);

    char *text = render(reg);
    assert_string_equal(text,
                        "# HELP suanwang_jobs_submitted_total Jobs accepted.\n"
                        "# TYPE suanwang_jobs_submitted_total counter\n"
                        "suanwang_jobs_submitted_total{tenant=\"tenant-a\"} 1.5\n"
                        "suanwang_jobs_submitted_total{tenant=\"tenant-b\"} 2\n"
                        "# HELP suanwang_queue_depth Units waiting.\n"
                        "# TYPE suanwang_queue_depth gauge\n"
                        "suanwang_queue_depth 7\n"
                        "# HELP suanwang_scheduling_pass_seconds Pass time.\n"
                        "# TYPE suanwang_scheduling_pass_seconds histogram\n"
                        "suanwang_scheduling_pass_seconds_bucket{le=\"0.25\"} 1\n"
                        "suanwang_scheduling_pass_seconds_bucket{le=\"0.5\"} 3\n"
                        "suanwang_scheduling_pass_seconds_bucket{le=\"1\"} 4\n"
                        "suanwang_scheduling_pass_seconds_bucket{le=\"+Inf\"} 5\n"
                        "suanwang_scheduling_pass_seconds_sum 4.125\n"
                        "suanwang_scheduling_pass_seconds_count 5\n");
    free(text);
    sw_prom_destroy(reg);
}

static void test_histogram_labels(void **state)
{
    (void)state;
    struct sw_prom *reg = sw_prom_create();
    const char *names[] = {"method", "route"};
    const double bounds[] = {0.1};
    struct sw_prom_metric *h = sw_prom_histogram(reg, "req_seconds", "Latency.", 2, names, 1,
                                                 bounds, NULL);
    assert_non_null(h);
    /* a labelled family shows no series until one is used */
    char *text = render(reg);
    assert_string_equal(text, "# HELP req_seconds Latency.\n# TYPE req_seconds histogram\n");
    free(text);

    struct sw_prom_series *s = sw_prom_series(h, (const char *[]){"GET", "/v1/jobs/{id}"});
    assert_non_null(s);
    assert_ptr_equal(sw_prom_series(h, (const char *[]){"GET", "/v1/jobs/{id}"}), s);
    assert_int_equal(sw_prom_series_observe(s, 0.1), 0);
    assert_int_equal(sw_prom_series_observe(s, -INFINITY), 0);
    assert_int_equal(sw_prom_series_observe(s, 0.5), 0);
    text = render(reg);
    assert_string_equal(text,
                        "# HELP req_seconds Latency.\n# TYPE req_seconds histogram\n"
                        "req_seconds_bucket{method=\"GET\",route=\"/v1/jobs/{id}\",le=\"0.1\"} 2\n"
                        "req_seconds_bucket{method=\"GET\",route=\"/v1/jobs/{id}\",le=\"+Inf\"} 3\n"
                        "req_seconds_sum{method=\"GET\",route=\"/v1/jobs/{id}\"} -Inf\n"
                        "req_seconds_count{method=\"GET\",route=\"/v1/jobs/{id}\"} 3\n");
    free(text);
    sw_prom_destroy(reg);
}

static void test_escaping(void **state)
{
    (void)state;
    struct sw_prom *reg = sw_prom_create();
    struct sw_prom_metric *g = sw_prom_gauge(reg, "g", "Help with \\ and \"quotes\"\nand a line.",
                                             2, (const char *[]){"a", "b"}, NULL);
    assert_non_null(g);
    assert_int_equal(sw_prom_set(g, (const char *[]){"back\\slash \"q\"\nnl", ""}, 1), 0);
    assert_int_equal(sw_prom_set(g, (const char *[]){"\xe7\xae\x97\xe7\xbd\x91", "x"}, 2), 0);
    char *text = render(reg);
    assert_string_equal(text,
                        "# HELP g Help with \\\\ and \"quotes\"\\nand a line.\n"
                        "# TYPE g gauge\n"
                        "g{a=\"back\\\\slash \\\"q\\\"\\nnl\",b=\"\"} 1\n"
                        "g{a=\"\xe7\xae\x97\xe7\xbd\x91\",b=\"x\"} 2\n");
    free(text);
    sw_prom_destroy(reg);
}

static void expect_format(double v, const char *want)
{
    char buf[SW_PROM_DOUBLE_BUFSIZE];
    assert_string_equal(sw_prom_format_double(v, buf), want);
    if (isfinite(v) && strcmp(localeconv()->decimal_point, ".") == 0)
        assert_true(strtod(buf, NULL) == v); /* strtod reads the locale's radix */
}

static void check_formats(void)
{
    expect_format(0, "0");
    expect_format(-0.0, "0");
    expect_format(1, "1");
    expect_format(-3, "-3");
    expect_format(40000, "40000");
    expect_format(9007199254740991.0, "9007199254740991");
    expect_format(0x1p53, "9007199254740992");
    expect_format(1e300, "1e+300");
    expect_format(0.1, "0.1");
    expect_format(-2.5, "-2.5");
    expect_format(0.0005, "0.0005");
    expect_format(1.5e-7, "1.5e-07");
    expect_format(1.0 / 3, "0.3333333333333333");
    expect_format(0.1 + 0.2, "0.30000000000000004");
    expect_format(123456.789, "123456.789");
    expect_format(5e-324, "5e-324");
    expect_format(-1.7976931348623157e308, "-1.7976931348623157e+308");
    expect_format(NAN, "NaN");
    expect_format(INFINITY, "+Inf");
    expect_format(-INFINITY, "-Inf");
}

static void test_format_double(void **state)
{
    (void)state;
    check_formats();
}

/* The text must not depend on LC_NUMERIC (a program may call setlocale). */
static void test_format_locale(void **state)
{
    (void)state;
    static const char *const comma_locales[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8",
                                                "fr_FR.utf8", "ru_RU.UTF-8", "de_DE"};
    const char *got = NULL;
    for (size_t i = 0; i < NELEM(comma_locales) && !got; i++)
        got = setlocale(LC_NUMERIC, comma_locales[i]);
    if (!got) {
        print_message("no comma-decimal locale installed; locale check skipped\n");
        skip();
    }
    char probe[16];
    snprintf(probe, sizeof(probe), "%.1f", 0.5);
    check_formats();
    setlocale(LC_NUMERIC, "C");
    assert_string_equal(probe, "0,5"); /* the locale really was in force */
}

static void expect_reg_error(struct sw_prom_metric *m, int want_errno, sw_error_t *err,
                             const char *want_text)
{
    assert_null(m);
    assert_int_equal(errno, want_errno);
    if (want_text)
        assert_string_equal(err->text, want_text);
}

static void test_names(void **state)
{
    (void)state;
    sw_error_t err = {{0}};
    struct sw_prom *reg = sw_prom_create();
    static const char *const good[] = {"a", "_a", "a:b", "abc_123", "A_Z:9", ":x"};
    for (size_t i = 0; i < NELEM(good); i++)
        assert_non_null(sw_prom_gauge(reg, good[i], "h", 0, NULL, &err));

    expect_reg_error(sw_prom_counter(reg, "1abc_total", "h", 0, NULL, &err), EINVAL, &err,
                     "invalid metric name \"1abc_total\": character 1 ('1') is not allowed; "
                     "names match [a-zA-Z_:][a-zA-Z0-9_:]*");
    expect_reg_error(sw_prom_counter(reg, "jobs-total", "h", 0, NULL, &err), EINVAL, &err,
                     "invalid metric name \"jobs-total\": character 5 ('-') is not allowed; "
                     "names match [a-zA-Z_:][a-zA-Z0-9_:]*");
    expect_reg_error(sw_prom_gauge(reg, "", "h", 0, NULL, &err), EINVAL, &err,
                     "metric name is empty");
    expect_reg_error(sw_prom_gauge(reg, NULL, "h", 0, NULL, &err), EINVAL, &err,
                     "metric name is empty");
    expect_reg_error(sw_prom_gauge(reg, "a b", "h", 0, NULL, &err), EINVAL, &err, NULL);
    expect_reg_error(sw_prom_gauge(reg, "x", NULL, 0, NULL, &err), EINVAL, &err,
                     "metric \"x\": help text is missing");

    expect_reg_error(sw_prom_gauge(reg, "x", "h", 1, (const char *[]){"1a"}, &err), EINVAL, &err,
                     "metric \"x\": invalid label name \"1a\": character 1 ('1') is not "
                     "allowed; label names match [a-zA-Z_][a-zA-Z0-9_]*");
    expect_reg_error(sw_prom_gauge(reg, "x", "h", 1, (const char *[]){"a:b"}, &err), EINVAL,
                     &err, NULL);
    expect_reg_error(sw_prom_gauge(reg, "x", "h", 1, (const char *[]){"__name__"}, &err), EINVAL,
                     &err,
                     "metric \"x\": label name \"__name__\" begins with \"__\", which is "
                     "reserved for Prometheus' own labels");
    expect_reg_error(sw_prom_gauge(reg, "x", "h", 2, (const char *[]){"site", "site"}, &err),
                     EINVAL, &err, "metric \"x\": label name \"site\" appears twice");
    expect_reg_error(sw_prom_gauge(reg, "x", "h", 1, (const char *[]){""}, &err), EINVAL, &err,
                     "metric \"x\": a label name is empty");
    expect_reg_error(sw_prom_gauge(reg, "x", "h", 1, NULL, &err), EINVAL, &err,
                     "metric \"x\": 1 label names declared but none given");
    expect_reg_error(sw_prom_gauge(reg, "x", "h", SW_PROM_MAX_LABELS + 1,
                                   (const char *[SW_PROM_MAX_LABELS + 1]){0}, &err),
                     EINVAL, &err, NULL);
    expect_reg_error(sw_prom_histogram(reg, "x", "h", 1, (const char *[]){"le"}, 0, NULL, &err),
                     EINVAL, &err,
                     "histogram \"x\": the label name \"le\" is reserved for bucket bounds");
    /* "le" is an ordinary label elsewhere */
    assert_non_null(sw_prom_gauge(reg, "x", "h", 1, (const char *[]){"le"}, &err));
    sw_prom_destroy(reg);
}

static void test_buckets(void **state)
{
    (void)state;
    sw_error_t err = {{0}};
    struct sw_prom *reg = sw_prom_create();
    expect_reg_error(sw_prom_histogram(reg, "h", "h", 0, NULL, 3, (const double[]){1, 2, 2},
                                       &err),
                     EINVAL, &err,
                     "histogram \"h\": bucket bounds must be strictly increasing, but bound 3 "
                     "(2) does not exceed the one before");
    expect_reg_error(sw_prom_histogram(reg, "h", "h", 0, NULL, 2, (const double[]){1, 0.5}, &err),
                     EINVAL, &err, NULL);
    expect_reg_error(sw_prom_histogram(reg, "h", "h", 0, NULL, 2, (const double[]){1, INFINITY},
                                       &err),
                     EINVAL, &err,
                     "histogram \"h\": bucket bound 2 is +Inf; bounds must be finite (the +Inf "
                     "bucket is implicit)");
    expect_reg_error(sw_prom_histogram(reg, "h", "h", 0, NULL, 1, (const double[]){NAN}, &err),
                     EINVAL, &err, NULL);
    expect_reg_error(sw_prom_histogram(reg, "h", "h", 0, NULL, 1, NULL, &err), EINVAL, &err,
                     NULL);
    /* no explicit bounds: only +Inf */
    struct sw_prom_metric *h = sw_prom_histogram(reg, "h", "h", 0, NULL, 0, NULL, &err);
    assert_non_null(h);
    assert_int_equal(sw_prom_observe(h, NULL, -1), 0);
    char *text = render(reg);
    assert_string_equal(text, "# HELP h h\n# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\n"
                              "h_sum -1\nh_count 1\n");
    free(text);
    sw_prom_destroy(reg);
}

static void test_clashes(void **state)
{
    (void)state;
    sw_error_t err = {{0}};
    struct sw_prom *reg = sw_prom_create();
    const char *site[] = {"site"};
    struct sw_prom_metric *c = sw_prom_counter(reg, "c_total", "C.", 1, site, &err);
    assert_non_null(c);
    /* the same definition again: the same family */
    assert_ptr_equal(sw_prom_counter(reg, "c_total", "C.", 1, (const char *[]){"site"}, &err), c);
    expect_reg_error(sw_prom_gauge(reg, "c_total", "C.", 1, site, &err), EEXIST, &err,
                     "metric \"c_total\" is already registered as a counter with other help, "
                     "labels or buckets");
    expect_reg_error(sw_prom_counter(reg, "c_total", "C.", 1, (const char *[]){"node"}, &err),
                     EEXIST, &err, NULL);
    expect_reg_error(sw_prom_counter(reg, "c_total", "Other.", 1, site, &err), EEXIST, &err,
                     NULL);
    expect_reg_error(sw_prom_counter(reg, "c_total", "C.", 0, NULL, &err), EEXIST, &err, NULL);

    const double b1[] = {1}, b2[] = {2};
    struct sw_prom_metric *h = sw_prom_histogram(reg, "lat", "L.", 0, NULL, 1, b1, &err);
    assert_non_null(h);
    assert_ptr_equal(sw_prom_histogram(reg, "lat", "L.", 0, NULL, 1, b1, &err), h);
    expect_reg_error(sw_prom_histogram(reg, "lat", "L.", 0, NULL, 1, b2, &err), EEXIST, &err,
                     NULL);
    expect_reg_error(sw_prom_counter(reg, "lat_count", "N.", 0, NULL, &err), EEXIST, &err,
                     "metric \"lat_count\" clashes with metric \"lat\": the histogram \"lat\" "
                     "also writes lat_bucket, lat_sum and lat_count");
    assert_non_null(sw_prom_gauge(reg, "other_sum", "S.", 0, NULL, &err));
    expect_reg_error(sw_prom_histogram(reg, "other", "O.", 0, NULL, 1, b1, &err), EEXIST, &err,
                     NULL);
    assert_non_null(sw_prom_gauge(reg, "lat_counts", "fine", 0, NULL, &err));
    sw_prom_destroy(reg);
}

static void test_update_errors(void **state)
{
    (void)state;
    struct sw_prom *reg = sw_prom_create();
    const char *site[] = {"site"};
    struct sw_prom_metric *c = sw_prom_counter(reg, "c_total", "C.", 1, site, NULL);
    struct sw_prom_metric *g = sw_prom_gauge(reg, "g", "G.", 0, NULL, NULL);
    struct sw_prom_metric *h =
        sw_prom_histogram(reg, "h", "H.", 0, NULL, 1, (const double[]){1}, NULL);
    const char *gz[] = {"gz"};

    errno = 0;
    assert_int_equal(sw_prom_add(c, gz, -1), -1);
    assert_int_equal(errno, EINVAL);
    errno = 0;
    assert_int_equal(sw_prom_add(c, gz, NAN), -1);
    assert_int_equal(errno, EINVAL);
    errno = 0;
    assert_int_equal(sw_prom_set(c, gz, 1), -1);
    assert_int_equal(errno, EINVAL);
    errno = 0;
    assert_int_equal(sw_prom_observe(c, gz, 1), -1);
    assert_int_equal(errno, EINVAL);
    errno = 0;
    assert_int_equal(sw_prom_add(c, NULL, 1), -1);
    assert_int_equal(errno, EINVAL);
    errno = 0;
    assert_int_equal(sw_prom_add(c, (const char *[]){NULL}, 1), -1);
    assert_int_equal(errno, EINVAL);
    errno = 0;
    assert_int_equal(sw_prom_add(h, NULL, 1), -1);
    assert_int_equal(errno, EINVAL);
    errno = 0;
    assert_int_equal(sw_prom_observe(h, NULL, NAN), -1);
    assert_int_equal(errno, EINVAL);
    errno = 0;
    assert_int_equal(sw_prom_observe(g, NULL, 1), -1);
    assert_int_equal(errno, EINVAL);
    errno = 0;
    assert_null(sw_prom_series(NULL, NULL));
    assert_int_equal(errno, EINVAL);
    /* gauges take anything */
    assert_int_equal(sw_prom_set(g, NULL, NAN), 0);
    assert_int_equal(sw_prom_add(c, gz, 0), 0);

    char *text = render(reg);
    assert_string_equal(text, "# HELP c_total C.\n# TYPE c_total counter\nc_total{site=\"gz\"} 0\n"
                              "# HELP g G.\n# TYPE g gauge\ng NaN\n"
                              "# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"1\"} 0\n"
                              "h_bucket{le=\"+Inf\"} 0\nh_sum 0\nh_count 0\n");
    free(text);
    sw_prom_destroy(reg);
}

static void test_series_cap(void **state)
{
    (void)state;
    struct sw_prom *reg = sw_prom_create();
    struct sw_prom_metric *c =
        sw_prom_counter(reg, "c_total", "C.", 1, (const char *[]){"id"}, NULL);
    char v[16];
    for (int i = 0; i < SW_PROM_MAX_SERIES; i++) {
        snprintf(v, sizeof(v), "%06d", i);
        assert_int_equal(sw_prom_add(c, (const char *[]){v}, 1), 0);
    }
    errno = 0;
    assert_int_equal(sw_prom_add(c, (const char *[]){"new"}, 1), -1);
    assert_int_equal(errno, ENOSPC);
    /* existing series still work */
    assert_int_equal(sw_prom_add(c, (const char *[]){"000042"}, 1), 0);
    sw_prom_destroy(reg);
}

struct sites {
    int calls;
    int fail;
};

static int collect_sites(struct sw_prom_emit *e, void *arg)
{
    struct sites *s = arg;
    s->calls++;
    if (s->fail) {
        errno = EIO;
        return -1;
    }
    errno = 0;
    assert_int_equal(sw_prom_emit(e, (const char *[]){NULL}, 1), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(sw_prom_emit(e, NULL, 1), -1);
    if (sw_prom_emit(e, (const char *[]){"guangzhou"}, 1.25) < 0)
        return -1;
    return sw_prom_emit(e, (const char *[]){"shaoguan"}, 0);
}

static int collect_commits(struct sw_prom_emit *e, void *arg)
{
    (void)arg;
    return sw_prom_emit(e, NULL, 12);
}

static void test_collectors(void **state)
{
    (void)state;
    sw_error_t err = {{0}};
    struct sw_prom *reg = sw_prom_create();
    struct sites sites = {0};
    struct sw_prom_metric *pf = sw_prom_gauge_fn(reg, "pflops", "P.", 1, (const char *[]){"site"},
                                                 collect_sites, &sites, &err);
    assert_non_null(pf);
    assert_non_null(sw_prom_counter_fn(reg, "commits_total", "N.", 0, NULL, collect_commits, NULL,
                                       &err));
    expect_reg_error(sw_prom_gauge_fn(reg, "pflops", "P.", 1, (const char *[]){"site"},
                                      collect_sites, &sites, &err),
                     EEXIST, &err, "metric \"pflops\" is already registered (with a callback)");
    expect_reg_error(sw_prom_gauge_fn(reg, "q", "Q.", 0, NULL, NULL, NULL, &err), EINVAL, &err,
                     "metric \"q\": no callback given");
    errno = 0;
    assert_int_equal(sw_prom_set(pf, (const char *[]){"x"}, 1), -1);
    assert_int_equal(errno, EINVAL);

    struct sw_strbuf out = {0};
    assert_int_equal(sw_strbuf_puts(&out, "before\n"), 0);
    assert_int_equal(sw_prom_render(reg, &out), 0);
    assert_string_equal(out.data, "before\n# HELP pflops P.\n# TYPE pflops gauge\n"
                                  "pflops{site=\"guangzhou\"} 1.25\npflops{site=\"shaoguan\"} 0\n"
                                  "# HELP commits_total N.\n# TYPE commits_total counter\n"
                                  "commits_total 12\n");
    assert_int_equal(sites.calls, 1);

    /* a failing collector fails the render and leaves the buffer as it was */
    sites.fail = 1;
    out.len = 7;
    out.data[7] = '\0';
    errno = 0;
    assert_int_equal(sw_prom_render(reg, &out), -1);
    assert_int_equal(errno, EIO);
    assert_int_equal(out.len, 7);
    assert_string_equal(out.data, "before\n");
    sw_strbuf_free(&out);
    sw_prom_destroy(reg);
}

static void test_render_cap(void **state)
{
    (void)state;
    struct sw_prom *reg = sw_prom_create();
    assert_non_null(sw_prom_gauge(reg, "a_gauge_with_a_long_name", "Help.", 0, NULL, NULL));
    struct sw_strbuf out = {.max = 40};
    assert_int_equal(sw_strbuf_puts(&out, "x"), 0);
    errno = 0;
    assert_int_equal(sw_prom_render(reg, &out), -1);
    assert_int_equal(errno, EFBIG);
    assert_string_equal(out.data, "x");
    errno = 0;
    assert_int_equal(sw_prom_render(NULL, &out), -1);
    assert_int_equal(errno, EINVAL);
    sw_strbuf_free(&out);
    /* destroy accepts NULL and keeps errno */
    errno = EPERM;
    sw_prom_destroy(NULL);
    sw_prom_destroy(reg);
    assert_int_equal(errno, EPERM);
}

/* ---- threads ----------------------------------------------------------- */

#define NTHREADS 4
#define NINCS 10000

struct worker {
    struct sw_prom_metric *counter;
    struct sw_prom_metric *hist;
    struct sw_prom_series *fast; /* a series handle, shared by all threads */
    int id;
};

static void *worker_run(void *arg)
{
    struct worker *w = arg;
    char tenant[16];
    snprintf(tenant, sizeof(tenant), "t%d", w->id);
    for (int i = 0; i < NINCS; i++) {
        /* every thread: one shared series, one of its own, one by handle */
        if (sw_prom_add(w->counter, (const char *[]){"shared"}, 1) < 0 ||
            sw_prom_add(w->counter, (const char *[]){tenant}, 1) < 0 ||
            sw_prom_series_add(w->fast, 1) < 0 ||
            sw_prom_observe(w->hist, (const char *[]){"GET"}, (i % 4) * 0.5) < 0)
            return (void *)1;
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    struct sw_prom *reg = sw_prom_create();
    struct sw_prom_metric *c =
        sw_prom_counter(reg, "ops_total", "Ops.", 1, (const char *[]){"tenant"}, NULL);
    struct sw_prom_metric *h = sw_prom_histogram(reg, "lat_seconds", "L.", 1,
                                                 (const char *[]){"method"}, 2,
                                                 (const double[]){0.5, 1}, NULL);
    struct sw_prom_series *fast = sw_prom_series(c, (const char *[]){"fast"});
    assert_non_null(fast);
    pthread_t th[NTHREADS];
    struct worker w[NTHREADS];
    for (int i = 0; i < NTHREADS; i++) {
        w[i] = (struct worker){.counter = c, .hist = h, .fast = fast, .id = i};
        assert_int_equal(pthread_create(&th[i], NULL, worker_run, &w[i]), 0);
    }
    for (int i = 0; i < 20; i++) /* render while they write */
        free(render(reg));
    for (int i = 0; i < NTHREADS; i++) {
        void *rc;
        assert_int_equal(pthread_join(th[i], &rc), 0);
        assert_null(rc);
    }
    char *text = render(reg);
    assert_string_equal(text,
                        "# HELP ops_total Ops.\n# TYPE ops_total counter\n"
                        "ops_total{tenant=\"fast\"} 40000\n"
                        "ops_total{tenant=\"shared\"} 40000\n"
                        "ops_total{tenant=\"t0\"} 10000\n"
                        "ops_total{tenant=\"t1\"} 10000\n"
                        "ops_total{tenant=\"t2\"} 10000\n"
                        "ops_total{tenant=\"t3\"} 10000\n"
                        "# HELP lat_seconds L.\n# TYPE lat_seconds histogram\n"
                        "lat_seconds_bucket{method=\"GET\",le=\"0.5\"} 20000\n"
                        "lat_seconds_bucket{method=\"GET\",le=\"1\"} 30000\n"
                        "lat_seconds_bucket{method=\"GET\",le=\"+Inf\"} 40000\n"
                        "lat_seconds_sum{method=\"GET\"} 30000\n"
                        "lat_seconds_count{method=\"GET\"} 40000\n");
    free(text);
    sw_prom_destroy(reg);
}

/* ---- --render: a registry shaped like the controller's ------------------ */

static int sample_queue(struct sw_prom_emit *e, void *arg)
{
    (void)arg;
    return sw_prom_emit(e, NULL, 17);
}

static int sample_jobs(struct sw_prom_emit *e, void *arg)
{
    (void)arg;
    static const char *const states[] = {"pending", "scheduled", "dispatched",
                                         "running", "completed", "failed",
                                         "cancelled", "preempted", "lost"};
    for (size_t i = 0; i < NELEM(states); i++)
        if (sw_prom_emit(e, (const char *[]){states[i]}, (double)(i * 3)) < 0)
            return -1;
    return 0;
}

static int sample_commits(struct sw_prom_emit *e, void *arg)
{
    (void)arg;
    return sw_prom_emit(e, NULL, 1234);
}

static int sample_writes(struct sw_prom_emit *e, void *arg)
{
    (void)arg;
    return sw_prom_emit(e, NULL, 5678);
}

static void must(const void *p, const sw_error_t *err)
{
    if (!p) {
        fprintf(stderr, "test_prom --render: %s\n", err->text);
        exit(1);
    }
}

static void sample_sched(struct sw_prom *r, sw_error_t *err)
{
    static const double pass[] = {0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1};
    struct sw_prom_metric *m;
    must(m = sw_prom_gauge(r, "suanwang_build_info",
                           "Always 1; the version of the running controller.", 1,
                           (const char *[]){"version"}, err), err);
    sw_prom_set(m, (const char *[]){"0.1.0"}, 1);
    must(m = sw_prom_gauge_fn(r, "suanwang_queue_depth", "Units waiting for capacity.", 0, NULL,
                              sample_queue, NULL, err), err);
    must(m = sw_prom_gauge_fn(r, "suanwang_jobs", "Jobs by state.", 1, (const char *[]){"state"},
                              sample_jobs, NULL, err), err);
    must(m = sw_prom_counter(r, "suanwang_jobs_submitted_total", "Jobs accepted (HTTP 201).",
                             0, NULL, err), err);
    sw_prom_add(m, NULL, 42);
    must(m = sw_prom_counter(r, "suanwang_placements_total",
                             "Units (gangs or array tasks) placed on a node class.", 0, NULL,
                             err), err);
    sw_prom_add(m, NULL, 40);
    must(m = sw_prom_histogram(r, "suanwang_scheduling_pass_seconds",
                               "Time of one scheduling pass over every pool.", 0, NULL,
                               NELEM(pass), pass, err), err);
    const double obs[] = {0.00004, 0.0001, 0.0003, 0.002, 0.02, 0.7, 3};
    for (size_t i = 0; i < NELEM(obs); i++)
        sw_prom_observe(m, NULL, obs[i]);
}

static void sample_sites_and_http(struct sw_prom *r, sw_error_t *err)
{
    static const double http[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1};
    const char *site[] = {"site"};
    struct sw_prom_metric *used, *cap, *h;
    must(used = sw_prom_gauge(r, "suanwang_site_pflops_in_use",
                              "Accelerator compute held at each site, PFLOPS FP16.", 1, site,
                              err), err);
    must(cap = sw_prom_gauge(r, "suanwang_site_pflops_capacity",
                             "Accelerator compute each site offers, PFLOPS FP16.", 1, site, err),
         err);
    /* odd site names, to have the real parser read escaped label values */
    const char *names[] = {"guangzhou", "shao\"guan\"", "back\\slash", "line\nbreak"};
    for (size_t i = 0; i < NELEM(names); i++) {
        sw_prom_set(used, (const char *[]){names[i]}, 1.5e-7 * (double)(i + 1));
        sw_prom_set(cap, (const char *[]){names[i]}, 12.25 * (double)(i + 1));
    }
    must(h = sw_prom_histogram(r, "suanwang_http_request_duration_seconds",
                               "HTTP request latency.", 3,
                               (const char *[]){"method", "route", "code"}, NELEM(http), http,
                               err), err);
    sw_prom_observe(h, (const char *[]){"GET", "/v1/jobs/{id}", "200"}, 0.0031);
    sw_prom_observe(h, (const char *[]){"POST", "/v1/jobs", "201"}, 0.012);
    sw_prom_observe(h, (const char *[]){"GET", "unmatched", "404"}, 0.0001);
}

static int render_sample(void)
{
    sw_error_t err = {{0}};
    struct sw_prom *r = sw_prom_create();
    if (!r)
        return 1;
    sample_sched(r, &err);
    sample_sites_and_http(r, &err);
    must(sw_prom_counter_fn(r, "suanwang_store_commits_total",
                            "Transactions the store has committed (each may carry many "
                            "writes).", 0, NULL, sample_commits, NULL, &err), &err);
    must(sw_prom_counter_fn(r, "suanwang_store_writes_total",
                            "Write calls the store has served and committed.", 0,
                            NULL, sample_writes, NULL, &err), &err);
    struct sw_strbuf out = {0};
    int rc = sw_prom_render(r, &out);
    if (rc == 0)
        fwrite(out.data, 1, out.len, stdout);
    sw_strbuf_free(&out);
    sw_prom_destroy(r);
    return rc == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--render") == 0)
        return render_sample();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render_exact),
        cmocka_unit_test(test_histogram_labels),
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_format_double),
        cmocka_unit_test(test_format_locale),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_buckets),
        cmocka_unit_test(test_clashes),
        cmocka_unit_test(test_update_errors),
        cmocka_unit_test(test_series_cap),
        cmocka_unit_test(test_collectors),
        cmocka_unit_test(test_render_cap),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
