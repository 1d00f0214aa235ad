/* test_swf.c — the SWF reader (src/trace/swf.c) against hand-worked
 * expectations on the small files in tests/data (each canonical loading rule,
 * machine-size sources, ordering, --first, strict and lenient errors, gzip,
 * CRLF), the line parser on edge cases and random bytes, and the real
 * Parallel Workloads Archive logs (skipped when absent), cross-checked with
 * awk.
 */
#include "testutil.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trace/swf.h"

/* One expected job: id submit runtime estimate procs user. */
struct want {
    uint64_t id;
    int64_t submit, runtime, estimate, procs;
    uint32_t user;
};

static void check_job(const struct sw_trace_job *j, const struct want *w, size_t i)
{
    if (j->id != w->id || j->submit != w->submit || j->runtime != w->runtime ||
        j->estimate != w->estimate || j->procs != w->procs || j->user != w->user)
        fail_msg("job %zu: got {%llu %lld %lld %lld %lld %u}, want {%llu %lld %lld %lld %lld %u}",
                 i, (unsigned long long)j->id, (long long)j->submit, (long long)j->runtime,
                 (long long)j->estimate, (long long)j->procs, j->user,
                 (unsigned long long)w->id, (long long)w->submit, (long long)w->runtime,
                 (long long)w->estimate, (long long)w->procs, w->user);
}

static void check_jobs(const struct sw_trace *t, const struct want *w, size_t n)
{
    assert_int_equal(t->njobs, n);
    for (size_t i = 0; i < n; i++)
        check_job(&t->jobs[i], &w[i], i);
}

static void check_empty(const struct sw_trace *t)
{
    static const struct sw_trace zero;
    assert_memory_equal(t, &zero, sizeof(zero));
}

static void read_ok(const char *name, const struct sw_swf_options *opt, struct sw_trace *t)
{
    sw_error_t err = {{0}};
    if (sw_swf_read(sw_test_data_path(name), opt, t, &err) != 0)
        fail_msg("reading %s: %s", name, err.text);
}

/* rules.swf, worked out by hand (MaxProcs 16 wins over MaxNodes 8):
 *
 *   id submit run   alloc req_p req_t user  ->  outcome
 *   13   400  40.9    1     1    60    5       kept: run 40 (decimal truncated)
 *    1   100  50      4     4    60    3       kept
 *    2    50  30      2    -1   100    7       kept: procs from field 5 = 2
 *   12   100  20     12    12    60    4       kept: 12 <= MaxProcs (> MaxNodes)
 *    3   100  80      1     1    -1   -1       kept: estimate = run = 80, user 0
 *    4   200  500     8     8   300    3       kept: run capped to 300
 *    5   210  0       1     1    60            skipped.runtime
 *    6   220  -1      1     1    60            skipped.runtime
 *    7   230  10     -1    -1    60            skipped.procs
 *    8    -5  10      1     1    60            skipped.submit
 *    9   240  10     32    32    60            skipped.too_big (32 > 16)
 *   10   250  0      32    32    60            skipped.runtime (first rule wins)
 *   11    -1  10      0     0    60            skipped.procs (before submit)
 *   20   300  11      1     1    60    8       kept (duplicate id, file order)
 *   20   300  22      1     1    60    9       kept
 *
 * sorted by (submit, id), ties in file order: */
static const struct want rules_sorted[] = {
    { 2, 50, 30, 100, 2, 7 },   { 1, 100, 50, 60, 4, 3 },  { 3, 100, 80, 80, 1, 0 },
    { 12, 100, 20, 60, 12, 4 }, { 4, 200, 300, 300, 8, 3 }, { 20, 300, 11, 60, 1, 8 },
    { 20, 300, 22, 60, 1, 9 },  { 13, 400, 40, 60, 1, 5 },
};

static void test_rules(void **state)
{
    (void)state;
    struct sw_trace t;
    struct sw_swf_options opt = { .strict = true };
    read_ok("rules.swf", &opt, &t);
    check_jobs(&t, rules_sorted, 8);
    assert_int_equal(t.lines, 23);
    assert_int_equal(t.records, 15);
    assert_int_equal(t.header_max_procs, 16);
    assert_int_equal(t.header_max_nodes, 8);
    assert_int_equal(t.machine_procs, 16);
    assert_string_equal(t.machine_source, "MaxProcs");
    assert_int_equal(t.skipped.runtime, 3);
    assert_int_equal(t.skipped.procs, 2);
    assert_int_equal(t.skipped.submit, 1);
    assert_int_equal(t.skipped.too_big, 1);
    assert_int_equal(t.skipped.estimate, 0);
    assert_int_equal(t.skipped.malformed, 0);
    assert_int_equal(sw_trace_skipped_total(&t), 7);
    assert_null(t.labels);
    sw_trace_free(&t);
    check_empty(&t);
}

/* --procs 4 overrides the header: jobs 12 (12 procs), 4 (8) and 9 (32) are
 * too big. */
static void test_procs_option(void **state)
{
    (void)state;
    static const struct want want[] = {
        { 2, 50, 30, 100, 2, 7 }, { 1, 100, 50, 60, 4, 3 }, { 3, 100, 80, 80, 1, 0 },
        { 20, 300, 11, 60, 1, 8 }, { 20, 300, 22, 60, 1, 9 }, { 13, 400, 40, 60, 1, 5 },
    };
    struct sw_trace t;
    struct sw_swf_options opt = { .procs = 4 };
    read_ok("rules.swf", &opt, &t);
    check_jobs(&t, want, 6);
    assert_int_equal(t.machine_procs, 4);
    assert_string_equal(t.machine_source, "--procs");
    assert_int_equal(t.skipped.too_big, 3);
    assert_int_equal(t.skipped.runtime, 3);
    sw_trace_free(&t);
}

/* --first 3 keeps the first three after filtering and sorting; a larger
 * --first keeps everything. */
static void test_first(void **state)
{
    (void)state;
    struct sw_trace t;
    struct sw_swf_options opt = { .first = 3 };
    read_ok("rules.swf", &opt, &t);
    check_jobs(&t, rules_sorted, 3);
    assert_int_equal(t.skipped.too_big, 1);
    sw_trace_free(&t);

    opt.first = 100;
    read_ok("rules.swf", &opt, &t);
    check_jobs(&t, rules_sorted, 8);
    sw_trace_free(&t);
}

/* maxnodes.swf: procs 4, 8, 12 and only "; MaxNodes: 8" -> machine 8, the
 * 12-processor job is too big. noheader.swf: same jobs, no header -> machine
 * 12 (the largest job), nothing too big. */
static void test_machine_sources(void **state)
{
    (void)state;
    static const struct want want[] = {
        { 1, 0, 10, 60, 4, 1 }, { 2, 1, 10, 60, 8, 1 }, { 3, 2, 10, 60, 12, 1 },
    };
    struct sw_trace t;
    read_ok("maxnodes.swf", NULL, &t);
    check_jobs(&t, want, 2);
    assert_int_equal(t.header_max_procs, 0);
    assert_int_equal(t.header_max_nodes, 8);
    assert_int_equal(t.machine_procs, 8);
    assert_string_equal(t.machine_source, "MaxNodes");
    assert_int_equal(t.skipped.too_big, 1);
    sw_trace_free(&t);

    read_ok("noheader.swf", NULL, &t);
    check_jobs(&t, want, 3);
    assert_int_equal(t.header_max_procs, 0);
    assert_int_equal(t.header_max_nodes, 0);
    assert_int_equal(t.machine_procs, 12);
    assert_string_equal(t.machine_source, "largest job");
    assert_int_equal(t.skipped.too_big, 0);
    sw_trace_free(&t);
}

/* crlf.swf: CRLF endings, tabs (also in "; MaxProcs:"), stray blanks, a
 * blank line of spaces, no final newline. Job 2: req_p -1 -> 1 from alloc,
 * run 50 capped at 40. */
static void test_crlf(void **state)
{
    (void)state;
    static const struct want want[] = {
        { 1, 10, 100, 200, 2, 6 }, { 2, 20, 40, 40, 1, 7 }, { 3, 30, 5, 5, 4, 8 },
    };
    struct sw_trace t;
    struct sw_swf_options opt = { .strict = true };
    read_ok("crlf.swf", &opt, &t);
    check_jobs(&t, want, 3);
    assert_int_equal(t.lines, 7);
    assert_int_equal(t.records, 3);
    assert_int_equal(t.header_max_procs, 4);
    assert_string_equal(t.machine_source, "MaxProcs");
    assert_int_equal(sw_trace_skipped_total(&t), 0);
    sw_trace_free(&t);
}

/* rules.swf.gz was made with `gzip -9 -n -c rules.swf`. */
static void test_gzip_same_as_plain(void **state)
{
    (void)state;
    struct sw_trace plain, gz;
    read_ok("rules.swf", NULL, &plain);
    read_ok("rules.swf.gz", NULL, &gz);
    assert_int_equal(gz.njobs, plain.njobs);
    assert_memory_equal(gz.jobs, plain.jobs, plain.njobs * sizeof(*plain.jobs));
    assert_memory_equal(&gz.skipped, &plain.skipped, sizeof(plain.skipped));
    assert_int_equal(gz.lines, plain.lines);
    assert_int_equal(gz.records, plain.records);
    assert_int_equal(gz.header_max_procs, plain.header_max_procs);
    sw_trace_free(&plain);
    sw_trace_free(&gz);
}

static void test_strict_error(void **state)
{
    (void)state;
    const char *path = sw_test_data_path("malformed.swf");
    char want[4200];
    snprintf(want, sizeof(want), "%s:3: field 4 (run time): \"abc\" is not an integer", path);
    struct sw_trace t;
    sw_error_t err = {{0}};
    struct sw_swf_options opt = { .strict = true };
    assert_int_equal(sw_swf_read(path, &opt, &t, &err), -1);
    assert_string_equal(err.text, want);
    check_empty(&t);
}

struct warnings {
    size_t n;
    char text[4][600];
};

static void on_warn(void *arg, const char *message)
{
    struct warnings *w = arg;
    if (w->n < 4)
        snprintf(w->text[w->n], sizeof(w->text[0]), "%s", message);
    w->n++;
}

/* Lenient: the three bad lines are counted and reported, the two good
 * lines load. */
static void test_lenient(void **state)
{
    (void)state;
    const char *path = sw_test_data_path("malformed.swf");
    char want[3][4200];
    snprintf(want[0], sizeof(want[0]), "%s:3: field 4 (run time): \"abc\" is not an integer",
             path);
    snprintf(want[1], sizeof(want[1]), "%s:4: expected 18 fields, found 12", path);
    snprintf(want[2], sizeof(want[2]),
             "%s:5: field 18 (think time): \"99999999999999999999\" is out of range", path);
    struct warnings w = { 0 };
    struct sw_swf_options opt = { .warn = on_warn, .warn_arg = &w };
    struct sw_trace t;
    read_ok("malformed.swf", &opt, &t);
    static const struct want jobs[] = { { 1, 0, 10, 60, 1, 1 }, { 5, 8, 10, 60, 1, 1 } };
    check_jobs(&t, jobs, 2);
    assert_int_equal(t.skipped.malformed, 3);
    assert_int_equal(t.records, 5);
    assert_int_equal(w.n, 3);
    for (size_t i = 0; i < 3; i++)
        assert_string_equal(w.text[i], want[i]);
    sw_trace_free(&t);

    /* no callback: still counted */
    read_ok("malformed.swf", NULL, &t);
    assert_int_equal(t.skipped.malformed, 3);
    sw_trace_free(&t);
}

static void test_missing_file(void **state)
{
    (void)state;
    struct sw_trace t;
    sw_error_t err = {{0}};
    errno = 0;
    assert_int_equal(sw_swf_read("no/such/x.swf", NULL, &t, &err), -1);
    assert_int_equal(errno, ENOENT);
    assert_string_equal(err.text, "cannot open trace \"no/such/x.swf\": No such file or directory");
    check_empty(&t);

    errno = 0;
    assert_int_equal(sw_swf_read(sw_test_data_path(""), NULL, &t, &err), -1);
    assert_int_equal(errno, EISDIR);
    assert_non_null(strstr(err.text, "Is a directory"));
    check_empty(&t);
}

/* A line of exactly `len` bytes in its own allocation, so that ASan sees
 * any read past the end. */
static int parse_exact(const char *text, size_t len, int64_t f[18], sw_error_t *err)
{
    char *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    memcpy(copy, text, len);
    int rc = sw_swf_parse_line(copy, len, f, err);
    free(copy);
    return rc;
}

static int parse_str(const char *text, int64_t f[18], sw_error_t *err)
{
    return parse_exact(text, strlen(text), f, err);
}

static void expect_error(const char *line, const char *want)
{
    int64_t f[18];
    sw_error_t err = {{0}};
    if (parse_str(line, f, &err) != -1)
        fail_msg("\"%s\" parsed", line);
    assert_string_equal(err.text, want);
}

static void test_parse_line(void **state)
{
    (void)state;
    int64_t f[18];
    sw_error_t err;
    assert_int_equal(parse_str("\t 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 -18 \t", f, &err), 0);
    for (int i = 0; i < 17; i++)
        assert_int_equal(f[i], i + 1);
    assert_int_equal(f[17], -18);

    /* decimals truncate toward zero; '+' is accepted */
    assert_int_equal(parse_str("1.9 -1.9 +3 0.0 -0 5 6 7 8 9 10 11 12 13 14 15 16 17", f, &err), 0);
    assert_int_equal(f[0], 1);
    assert_int_equal(f[1], -1);
    assert_int_equal(f[2], 3);
    assert_int_equal(f[3], 0);
    assert_int_equal(f[4], 0);

    /* the int64 range exactly */
    assert_int_equal(parse_str("9223372036854775807 -9223372036854775808 3 4 5 6 7 8 9 10 11 "
                               "12 13 14 15 16 17 18", f, &err), 0);
    assert_true(f[0] == INT64_MAX);
    assert_true(f[1] == INT64_MIN);
    expect_error("9223372036854775808 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18",
                 "field 1 (job id): \"9223372036854775808\" is out of range");
    expect_error("1 -9223372036854775809 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18",
                 "field 2 (submit time): \"-9223372036854775809\" is out of range");

    expect_error("", "expected 18 fields, found 0");
    expect_error("1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17", "expected 18 fields, found 17");
    expect_error("1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19",
                 "expected 18 fields, found 19");
    expect_error("1 2 3 abc 5 6 7 8 9 10 11 12 13 14 15 16 17 18",
                 "field 4 (run time): \"abc\" is not an integer");
    expect_error("1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 -",
                 "field 18 (think time): \"-\" is not an integer");
    expect_error("1 2 3 4 5 6 7 8 9. 10 11 12 13 14 15 16 17 18",
                 "field 9 (requested time): \"9.\" is not an integer");
    expect_error("1 2 3 4 5 6 7 .8 9 10 11 12 13 14 15 16 17 18",
                 "field 8 (requested processors): \".8\" is not an integer");
    expect_error("1 2 3 4 5 6 7 8 9 10 11 1e5 13 14 15 16 17 18",
                 "field 12 (user id): \"1e5\" is not an integer");
    expect_error("1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 1.2.3 18",
                 "field 17 (preceding job): \"1.2.3\" is not an integer");
    /* bytes that are not text are escaped in the message */
    expect_error("1 2 \"\x01\xff 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18",
                 "field 3 (wait time): \"\\\"\\x01\\xff\" is not an integer");
}

/* A NUL inside the given length is a byte like any other, not an end. */
static void test_parse_line_nul(void **state)
{
    (void)state;
    static const char line[] = "1 2 3 4\0 5 6 7 8 9 10 11 12 13 14 15 16 17 18";
    int64_t f[18];
    sw_error_t err;
    assert_int_equal(parse_exact(line, sizeof(line) - 1, f, &err), -1);
    assert_string_equal(err.text, "field 4 (run time): \"4\\x00\" is not an integer");
    /* and a length that stops mid-line sees only that much */
    static const char longer[] = "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19";
    assert_int_equal(parse_exact(longer, 44, f, &err), 0);
    assert_int_equal(f[17], 18);
}

/* Random bytes (biased toward digits and blanks) of random lengths must
 * never crash or read out of bounds (run under ASan), and a failure always
 * comes with a message. */
static void test_parse_line_random(void **state)
{
    (void)state;
    static const char alphabet[] = "0123456789 -.+\t\r;x\n\0\xff";
    unsigned seed = 12345;
    for (int iter = 0; iter < 20000; iter++) {
        seed = seed * 1103515245u + 12345u;
        size_t len = (seed >> 16) % 120;
        char *buf = malloc(len ? len : 1);
        assert_non_null(buf);
        for (size_t i = 0; i < len; i++) {
            seed = seed * 1103515245u + 12345u;
            unsigned r = seed >> 16;
            buf[i] = r % 8 == 0 ? (char)(r >> 3) : alphabet[(r >> 3) % (sizeof(alphabet) - 1)];
        }
        int64_t f[18];
        sw_error_t err = {{0}};
        int rc = sw_swf_parse_line(buf, len, f, &err);
        assert_true(rc == 0 || (rc == -1 && err.text[0] != '\0'));
        free(buf);
    }
}

/* A 1 MiB comment line still loads (the line reader grows its buffer). */
static void test_long_comment_line(void **state)
{
    (void)state;
    char path[] = "/tmp/sw_swf_longXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "w");
    assert_non_null(fp);
    fputs("; MaxProcs: 10\n;", fp);
    for (int i = 0; i < 1000000; i++)
        fputc('x', fp);
    fputs("\n7 1 0 10 1 -1 -1 1 60 -1 1 1 1 -1 -1 -1 -1 -1\n", fp);
    assert_int_equal(fclose(fp), 0);
    struct sw_trace t;
    sw_error_t err = {{0}};
    struct sw_swf_options opt = { .strict = true };
    int rc = sw_swf_read(path, &opt, &t, &err);
    unlink(path);
    if (rc != 0)
        fail_msg("%s", err.text);
    assert_int_equal(t.njobs, 1);
    assert_int_equal(t.jobs[0].id, 7);
    assert_int_equal(t.lines, 3);
    sw_trace_free(&t);
}

static bool jobs_in_order(const struct sw_trace *t)
{
    for (size_t i = 1; i < t->njobs; i++) {
        const struct sw_trace_job *a = &t->jobs[i - 1], *b = &t->jobs[i];
        if (b->submit < a->submit || (b->submit == a->submit && b->id < a->id))
            return false;
    }
    return true;
}

static bool jobs_valid(const struct sw_trace *t)
{
    for (size_t i = 0; i < t->njobs; i++) {
        const struct sw_trace_job *j = &t->jobs[i];
        if (j->runtime <= 0 || j->runtime > j->estimate || j->procs <= 0 ||
            j->procs > t->machine_procs || j->submit < 0)
            return false;
    }
    return true;
}

struct progress {
    size_t calls;
    uint64_t last_done, total;
    bool monotone;
};

static void on_progress(void *arg, uint64_t done, uint64_t total)
{
    struct progress *p = arg;
    if (done < p->last_done || done > total)
        p->monotone = false;
    p->calls++;
    p->last_done = done;
    p->total = total;
}

/* KTH-SP2-1996-2.1-cln.swf: 28,500 lines, 28,476 job records. Checked by hand
 * with the canonical rules in awk:
 *
 *   awk '/^[ \t]*;/ || NF==0 {next} {n++; rt=$4; est=($9>0)?$9:$4;
 *        if (rt>est) rt=est; p=($8>0)?$8:$5;
 *        if (rt<=0) r++; else if (p<=0) q++; else if ($2<0) s++;
 *        else {k++; w+=rt*p}}
 *        END {print n, k, r+0, q+0, s+0, w}' KTH-SP2-1996-2.1-cln.swf
 *   -> 28476 28467 8 1 0 2005181934
 *
 * (records, kept, runtime<=0, procs<=0, submit<0, sum of runtime*procs); the
 * largest job has 100 processors = MaxProcs, so none is too big. The job-by-
 * job list also equals that awk's output sorted with `sort -s -n -k2,2 -k1,1`.
 */
static void test_real_kth(void **state)
{
    (void)state;
    const char *path = sw_test_trace_path("swf/KTH-SP2-1996-2.1-cln.swf");
    if (!path)
        skip();
    struct progress p = { .monotone = true };
    struct sw_swf_options opt = { .strict = true, .progress = on_progress, .progress_arg = &p };
    struct sw_trace t;
    sw_error_t err = {{0}};
    if (sw_swf_read(path, &opt, &t, &err) != 0)
        fail_msg("%s", err.text);
    assert_int_equal(t.lines, 28500);
    assert_int_equal(t.records, 28476);
    assert_int_equal(t.njobs, 28467);
    assert_int_equal(t.skipped.runtime, 8);
    assert_int_equal(t.skipped.procs, 1);
    assert_int_equal(t.skipped.submit, 0);
    assert_int_equal(t.skipped.too_big, 0);
    assert_int_equal(t.skipped.malformed, 0);
    assert_int_equal(t.header_max_procs, 100);
    assert_int_equal(t.header_max_nodes, 100);
    assert_int_equal(t.machine_procs, 100);
    assert_string_equal(t.machine_source, "MaxProcs");
    int64_t work = 0;
    for (size_t i = 0; i < t.njobs; i++)
        work += t.jobs[i].runtime * t.jobs[i].procs;
    assert_int_equal(work, 2005181934);
    /* first and last after sorting: "15 599850 ... 53940 ... 12" and job 28490 */
    static const struct want first = { 15, 599850, 3477, 53940, 4, 12 };
    static const struct want last = { 28490, 29363618, 8, 30000, 1, 98 };
    check_job(&t.jobs[0], &first, 0);
    check_job(&t.jobs[t.njobs - 1], &last, t.njobs - 1);
    assert_true(jobs_in_order(&t));
    assert_true(p.calls >= 1 && p.calls <= 101);
    assert_true(p.monotone);
    assert_int_equal(p.last_done, p.total);
    sw_trace_free(&t);
}

/* RICC-2010-2.swf.gz through gzip: 447,814 lines, 447,794 records,
 *
 *   zcat RICC-2010-2.swf.gz | awk '<the same program as above>'
 *   -> 447794 447784 10 0 0 90166354102
 */
static void test_real_ricc_gzip(void **state)
{
    (void)state;
    const char *path = sw_test_trace_path("swf/RICC-2010-2.swf.gz");
    if (!path)
        skip();
    struct sw_swf_options opt = { .strict = true };
    struct sw_trace t;
    sw_error_t err = {{0}};
    if (sw_swf_read(path, &opt, &t, &err) != 0)
        fail_msg("%s", err.text);
    assert_int_equal(t.lines, 447814);
    assert_int_equal(t.records, 447794);
    assert_int_equal(t.njobs, 447784);
    assert_int_equal(t.skipped.runtime, 10);
    assert_int_equal(sw_trace_skipped_total(&t), 10);
    assert_int_equal(t.machine_procs, 8192);
    assert_int_equal(t.header_max_nodes, 1024);
    int64_t work = 0;
    for (size_t i = 0; i < t.njobs; i++)
        work += t.jobs[i].runtime * t.jobs[i].procs;
    assert_int_equal(work, 90166354102);
    assert_true(jobs_in_order(&t));
    sw_trace_free(&t);
}

/* Every real log loads strictly, sorted, with only valid jobs, and every
 * record is either kept or counted once. */
static void test_real_all(void **state)
{
    (void)state;
    static const char *const files[] = {
        "KTH-SP2-1996-2.1-cln.swf",     "LLNL-Atlas-2006-2.1-cln.swf",
        "NASA-iPSC-1993-3.1-cln.swf.gz", "RICC-2010-2.swf.gz",
        "lublin_256.swf",               "lublin_256_new2.swf",
        "KTH-SP2-filtered.swf.gz",      "SDSC-SP2-filtered.swf.gz",
        "CTC-SP2-filtered.swf.gz",      "SDSC-BLUE-filtered.swf.gz",
        "CEA-Curie-filtered.swf.gz",
    };
    if (!sw_test_traces_dir())
        skip();
    size_t found = 0;
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        char rel[256];
        snprintf(rel, sizeof(rel), "swf/%s", files[i]);
        const char *path = sw_test_trace_path(rel);
        if (!path)
            continue;
        found++;
        struct sw_swf_options opt = { .strict = true };
        struct sw_trace t;
        sw_error_t err = {{0}};
        if (sw_swf_read(path, &opt, &t, &err) != 0)
            fail_msg("%s", err.text);
        assert_int_equal(t.njobs + sw_trace_skipped_total(&t), t.records);
        assert_true(t.njobs > 0);
        assert_true(jobs_in_order(&t));
        assert_true(jobs_valid(&t));
        sw_trace_free(&t);
    }
    if (found == 0)
        skip();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rules),
        cmocka_unit_test(test_procs_option),
        cmocka_unit_test(test_first),
        cmocka_unit_test(test_machine_sources),
        cmocka_unit_test(test_crlf),
        cmocka_unit_test(test_gzip_same_as_plain),
        cmocka_unit_test(test_strict_error),
        cmocka_unit_test(test_lenient),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_parse_line),
        cmocka_unit_test(test_parse_line_nul),
        cmocka_unit_test(test_parse_line_random),
        cmocka_unit_test(test_long_comment_line),
        cmocka_unit_test(test_real_kth),
        cmocka_unit_test(test_real_ricc_gzip),
        cmocka_unit_test(test_real_all),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
