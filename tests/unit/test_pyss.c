/* test_pyss.c — the reader of the pyss simulator's test cases
 * (src/trace/pyss.c): a hand-made file with every rule (comments, tabs,
 * CRLF, ids by position, labels, users, dropped jobs, ordering), the error
 * messages, sw_pyss_expected_finish(), and the 55 real fixtures (skipped when
 * absent).
 */
#include "testutil.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trace/pyss.h"

/* One expected job and its label. */
struct want {
    uint64_t id;
    int64_t submit, runtime, estimate, procs;
    uint32_t user;
    const char *label;
};

static void check_jobs(const struct sw_trace *t, const struct want *w, size_t n)
{
    assert_int_equal(t->njobs, n);
    assert_non_null(t->labels);
    for (size_t i = 0; i < n; i++) {
        const struct sw_trace_job *j = &t->jobs[i];
        if (j->id != w[i].id || j->submit != w[i].submit || j->runtime != w[i].runtime ||
            j->estimate != w[i].estimate || j->procs != w[i].procs || j->user != w[i].user ||
            strcmp(t->labels[i], w[i].label) != 0)
            fail_msg("job %zu: got {%llu %lld %lld %lld %lld %u \"%s\"}, want {%llu %lld %lld "
                     "%lld %lld %u \"%s\"}",
                     i, (unsigned long long)j->id, (long long)j->submit, (long long)j->runtime,
                     (long long)j->estimate, (long long)j->procs, j->user, t->labels[i],
                     (unsigned long long)w[i].id, (long long)w[i].submit,
                     (long long)w[i].runtime, (long long)w[i].estimate, (long long)w[i].procs,
                     w[i].user, w[i].label);
    }
}

static void read_ok(const char *path, int64_t procs, struct sw_trace *t)
{
    sw_error_t err = {{0}};
    if (sw_pyss_read(path, procs, t, &err) != 0)
        fail_msg("reading %s: %s", path, err.text);
}

/* small.pyss, job lines in file order (id = position):
 *
 *   id submit label est procs run user      outcome
 *    1   10   30.1   20    5   20  uid_7    kept
 *    2    0   12     12    1   12  uid_42   kept (tab-separated)
 *    3   10   31     20    2   20  alice    kept, user 0
 *    4    5   99      5    1   10  uid_1    skipped.estimate (5 < 10)
 *    5    3   150    50  150   50  uid_3    skipped.too_big (150 > 100)
 *    6    0   11.5   11    2   11  u_x      kept, user 0 (CRLF line)
 *
 * ordered by (submit, position): 2, 6, 1, 3. */
static void test_small(void **state)
{
    (void)state;
    static const struct want want[] = {
        { 2, 0, 12, 12, 1, 42, "12" },
        { 6, 0, 11, 11, 2, 0, "11.5" },
        { 1, 10, 20, 20, 5, 7, "30.1" },
        { 3, 10, 20, 20, 2, 0, "31" },
    };
    struct sw_trace t;
    read_ok(sw_test_data_path("small.pyss"), 0, &t);
    check_jobs(&t, want, 4);
    assert_int_equal(t.lines, 11);
    assert_int_equal(t.records, 6);
    assert_int_equal(t.machine_procs, 100);
    assert_string_equal(t.machine_source, "pyss default (100)");
    assert_int_equal(t.skipped.estimate, 1);
    assert_int_equal(t.skipped.too_big, 1);
    assert_int_equal(sw_trace_skipped_total(&t), 2);
    assert_int_equal(t.header_max_procs, 0);
    sw_trace_free(&t);
    assert_null(t.labels);
    assert_null(t.jobs);
}

/* With 200 processors job 5 fits and sorts between submits 0 and 10. */
static void test_small_procs(void **state)
{
    (void)state;
    static const struct want want[] = {
        { 2, 0, 12, 12, 1, 42, "12" },    { 6, 0, 11, 11, 2, 0, "11.5" },
        { 5, 3, 50, 50, 150, 3, "150" },  { 1, 10, 20, 20, 5, 7, "30.1" },
        { 3, 10, 20, 20, 2, 0, "31" },
    };
    struct sw_trace t;
    read_ok(sw_test_data_path("small.pyss"), 200, &t);
    check_jobs(&t, want, 5);
    assert_int_equal(t.machine_procs, 200);
    assert_string_equal(t.machine_source, "--procs");
    assert_int_equal(t.skipped.too_big, 0);
    assert_int_equal(t.skipped.estimate, 1);
    sw_trace_free(&t);
}

/* Write `text` to a temporary file, read it, and expect failure with the
 * message "<path>:<suffix>". */
static void expect_error(const char *text, const char *suffix)
{
    char path[] = "/tmp/sw_pyss_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    struct sw_trace t;
    sw_error_t err = {{0}};
    int rc = sw_pyss_read(path, 0, &t, &err);
    unlink(path);
    assert_int_equal(rc, -1);
    char want[256];
    snprintf(want, sizeof(want), "%s:%s", path, suffix);
    assert_string_equal(err.text, want);
    static const struct sw_trace zero;
    assert_memory_equal(&t, &zero, sizeof(zero));
}

static void test_errors(void **state)
{
    (void)state;
    expect_error("# c\n0 1 5 1 5 0 0 uid_1\n0 2 5 1 5 0 0\n", "3: expected 8 fields, found 7");
    expect_error("0 1 5 1 5 0 0 uid_1 extra\n", "1: expected 8 fields, found 9");
    expect_error("x 1 5 1 5 0 0 uid_1\n",
                 "1: field 1 (submit_time): \"x\" is not an integer");
    expect_error("0 1 5.5 1 5 0 0 uid_1\n",
                 "1: field 3 (estimated_runtime): \"5.5\" is not an integer");
    expect_error("0 1 5 1 99999999999999999999 0 0 uid_1\n",
                 "1: field 5 (actual_runtime): \"99999999999999999999\" is out of range");

    struct sw_trace t;
    sw_error_t err = {{0}};
    assert_int_equal(sw_pyss_read("/nonexistent/in.0", 0, &t, &err), -1);
    assert_int_equal(errno, ENOENT);
    assert_string_equal(err.text,
                        "cannot open trace \"/nonexistent/in.0\": No such file or directory");
}

static void test_expected_finish(void **state)
{
    (void)state;
    assert_int_equal(sw_pyss_expected_finish("20.1"), 20);
    assert_int_equal(sw_pyss_expected_finish("2000001.09"), 2000001);
    assert_int_equal(sw_pyss_expected_finish("100"), 100);
    assert_int_equal(sw_pyss_expected_finish("0.5"), 0);
    assert_int_equal(sw_pyss_expected_finish("abc"), -1);
    assert_int_equal(sw_pyss_expected_finish(""), -1);
    assert_int_equal(sw_pyss_expected_finish(NULL), -1);
    assert_int_equal(sw_pyss_expected_finish("99999999999999999999.1"), -1);
}

/* fcfs_input.0: six 15-processor jobs at time 0 ("100.0".."100.5"), then
 * "200.0" (50 procs), "200.1" (10), "300.0" (99 procs, estimate 1000) and
 * "302.0" (2 s on 10) at 5, 6, 7, 8 — already in order. */
static void test_fixture_fcfs0(void **state)
{
    (void)state;
    const char *path = sw_test_trace_path("swf/pyss-fixtures/fcfs_input.0");
    if (!path)
        skip();
    static const struct want want[] = {
        { 1, 0, 100, 100, 15, 1, "100.0" }, { 2, 0, 100, 100, 15, 1, "100.1" },
        { 3, 0, 100, 100, 15, 1, "100.2" }, { 4, 0, 100, 100, 15, 1, "100.3" },
        { 5, 0, 100, 100, 15, 1, "100.4" }, { 6, 0, 100, 100, 15, 1, "100.5" },
        { 7, 5, 100, 100, 50, 1, "200.0" }, { 8, 6, 100, 100, 10, 1, "200.1" },
        { 9, 7, 100, 1000, 99, 1, "300.0" }, { 10, 8, 2, 2, 10, 1, "302.0" },
    };
    static const int64_t finish[] = { 100, 100, 100, 100, 100, 100, 200, 200, 300, 302 };
    struct sw_trace t;
    read_ok(path, 0, &t);
    check_jobs(&t, want, 10);
    for (size_t i = 0; i < 10; i++)
        assert_int_equal(sw_pyss_expected_finish(t.labels[i]), finish[i]);
    assert_int_equal(t.lines, 13);
    assert_int_equal(sw_trace_skipped_total(&t), 0);
    sw_trace_free(&t);
}

/* Each fixture in the directory parses; every label encodes a finish no
 * earlier than submit + runtime; no job is dropped (none has an estimate
 * below its runtime or more than 100 processors: awk over the files finds
 * none). 55 files, 703 job lines in all:
 *
 *   cd pyss-fixtures && sed -e 's,#.*,,' [a-z]* | awk 'NF>0' | wc -l   -> 703
 */
static void test_all_fixtures(void **state)
{
    (void)state;
    const char *dirpath = sw_test_trace_path("swf/pyss-fixtures");
    if (!dirpath)
        skip();
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s", dirpath);
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t files = 0, jobs = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[4400];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        struct sw_trace t;
        read_ok(path, 0, &t);
        assert_true(t.njobs > 0);
        assert_int_equal(t.records, t.njobs);
        for (size_t i = 0; i < t.njobs; i++) {
            const struct sw_trace_job *j = &t.jobs[i];
            int64_t fin = sw_pyss_expected_finish(t.labels[i]);
            if (fin < j->submit + j->runtime)
                fail_msg("%s: job \"%s\" finishes at %lld before submit + runtime", path,
                         t.labels[i], (long long)fin);
            assert_true(i == 0 || t.jobs[i - 1].submit < j->submit ||
                        (t.jobs[i - 1].submit == j->submit && t.jobs[i - 1].id < j->id));
        }
        files++;
        jobs += t.njobs;
        sw_trace_free(&t);
    }
    closedir(d);
    assert_int_equal(files, 55);
    assert_int_equal(jobs, 703);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small),
        cmocka_unit_test(test_small_procs),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_expected_finish),
        cmocka_unit_test(test_fixture_fcfs0),
        cmocka_unit_test(test_all_fixtures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
