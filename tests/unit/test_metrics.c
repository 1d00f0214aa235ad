/* test_metrics.c — the simulator's summary metrics (src/sim/metrics.c)
 * against values worked out by hand: bounded slowdown and its 10 s bound,
 * means, nearest-rank percentiles, utilization and makespan, the empty
 * result, and exact sums on very large values.
 */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/metrics.h"

/* cmocka's assert_float_equal compares floats; these values need doubles. */
#define assert_near(a, b, eps) near_or_fail((a), (b), (eps), #a, __FILE__, __LINE__)

static void near_or_fail(double a, double b, double eps, const char *expr, const char *file,
                         int line)
{
    if (!(fabs(a - b) <= eps))
        fail_msg("%s:%d: %s = %.17g, expected %.17g (within %g)", file, line, expr, a, b, eps);
}

static struct sw_sim_jobrec job(uint64_t id, int64_t submit, int64_t start, int64_t runtime,
                                int64_t procs)
{
    return (struct sw_sim_jobrec){ .id = id, .submit = submit, .start = start,
                                   .end = start + runtime, .runtime = runtime,
                                   .estimate = runtime, .procs = procs };
}

static void test_bounded_slowdown(void **state)
{
    (void)state;
    /* (wait + runtime) / runtime when runtime >= 10 s */
    assert_near(sw_bounded_slowdown(100, 100), 2.0, 1e-12);
    assert_near(sw_bounded_slowdown(90, 50), 2.8, 1e-12);
    /* runtime exactly at the bound: 30 / 10 */
    assert_near(sw_bounded_slowdown(20, 10), 3.0, 1e-12);
    /* runtime below the bound counts as 10 s: (20 + 5) / 10 = 2.5, not 5 */
    assert_near(sw_bounded_slowdown(20, 5), 2.5, 1e-12);
    /* never below 1: a 5 s job that did not wait gives 5/10, bounded to 1 */
    assert_near(sw_bounded_slowdown(0, 5), 1.0, 0);
    assert_near(sw_bounded_slowdown(0, 1), 1.0, 0);
    assert_near(sw_bounded_slowdown(3, 1), 1.0, 0);
    assert_near(sw_bounded_slowdown(0, 3600), 1.0, 0);
    /* a week's wait of a 1 s job: (604800 + 1) / 10 */
    assert_near(sw_bounded_slowdown(604800, 1), 60480.1, 1e-9);
}

/* Four jobs on a 10-processor machine, run one after the other:
 *
 *   id submit start runtime procs  end  wait  wait+run  bsld
 *    1     0     0     100     4   100     0     100    max(1, 100/100) = 1
 *    2    10   100      50     8   150    90     140    140/50          = 2.8
 *    3    20   150       5     2   155   130     135    135/max(5,10)   = 13.5
 *    4    30   155      40    10   195   125     165    165/40          = 4.125
 *
 *   mean wait      = (0 + 90 + 130 + 125) / 4 = 86.25, max 130
 *   sorted waits   = 0, 90, 125, 130
 *   median (p50)   = rank ceil(0.50 * 4) = 2 -> 90
 *   p95            = rank ceil(0.95 * 4) = 4 -> 130
 *   mean bsld      = (1 + 2.8 + 13.5 + 4.125) / 4 = 21.425 / 4 = 5.35625
 *   mean response  = (100 + 140 + 135 + 165) / 4 = 135
 *   makespan       = 195 - 0 = 195
 *   sum procs*run  = 400 + 400 + 10 + 400 = 1210
 *   utilization    = 1210 / (10 * 195) = 0.62051282051...
 */
static void test_four_jobs(void **state)
{
    (void)state;
    struct sw_sim_jobrec jobs[] = {
        job(1, 0, 0, 100, 4),
        job(2, 10, 100, 50, 8),
        job(3, 20, 150, 5, 2),
        job(4, 30, 155, 40, 10),
    };
    struct sw_sim_sample samples[] = {
        { .t = 0, .queued = 0, .running = 1, .used_procs = 4 },
        { .t = 10, .queued = 1, .running = 1, .used_procs = 4 },
        { .t = 20, .queued = 2, .running = 1, .used_procs = 4 },
        { .t = 30, .queued = 3, .running = 1, .used_procs = 4 },
        { .t = 100, .queued = 2, .running = 1, .used_procs = 8 },
        { .t = 150, .queued = 1, .running = 1, .used_procs = 2 },
        { .t = 155, .queued = 0, .running = 1, .used_procs = 10 },
        { .t = 195, .queued = 0, .running = 0, .used_procs = 0 },
    };
    struct sw_sim_result r = { .jobs = jobs, .njobs = 4, .samples = samples, .nsamples = 8 };
    assert_int_equal(sw_metrics_compute(&r, 10), 0);
    const struct sw_sim_metrics *m = &r.metrics;
    assert_int_equal(m->jobs, 4);
    assert_int_equal(m->procs, 10);
    assert_near(m->mean_wait_s, 86.25, 1e-12);
    assert_int_equal(m->max_wait_s, 130);
    assert_near(m->median_wait_s, 90, 0);
    assert_near(m->p95_wait_s, 130, 0);
    assert_near(m->mean_bounded_slowdown, 5.35625, 1e-12);
    assert_near(m->max_bounded_slowdown, 13.5, 1e-12);
    assert_near(m->mean_response_s, 135, 1e-12);
    assert_int_equal(m->makespan_s, 195);
    assert_int_equal(m->first_submit, 0);
    assert_int_equal(m->last_end, 195);
    assert_near(m->utilization, 1210.0 / 1950.0, 1e-15);
    assert_int_equal(m->max_queued, 3);
}

/* The first submit is not at 0 and the last job to end is not the last
 * one: makespan = max end - min submit.
 *   job 1: submit 1000, start 1000, run 500, 2 procs -> end 1500
 *   job 2: submit 1100, start 1100, run 100, 2 procs -> end 1200
 *   makespan = 1500 - 1000 = 500; sum = 1000 + 200 = 1200
 *   utilization on 4 procs = 1200 / (4 * 500) = 0.6
 */
static void test_makespan_offset(void **state)
{
    (void)state;
    struct sw_sim_jobrec jobs[] = { job(1, 1000, 1000, 500, 2), job(2, 1100, 1100, 100, 2) };
    struct sw_sim_result r = { .jobs = jobs, .njobs = 2 };
    assert_int_equal(sw_metrics_compute(&r, 4), 0);
    assert_int_equal(r.metrics.first_submit, 1000);
    assert_int_equal(r.metrics.last_end, 1500);
    assert_int_equal(r.metrics.makespan_s, 500);
    assert_near(r.metrics.utilization, 0.6, 1e-15);
    assert_near(r.metrics.mean_wait_s, 0, 0);
    assert_near(r.metrics.mean_bounded_slowdown, 1, 0);
    assert_int_equal(r.metrics.max_queued, 0); /* no samples */
}

static void assert_all_zero(const struct sw_sim_metrics *m)
{
    assert_int_equal(m->jobs, 0);
    assert_true(m->mean_wait_s == 0 && m->median_wait_s == 0 && m->p95_wait_s == 0);
    assert_true(m->mean_bounded_slowdown == 0 && m->max_bounded_slowdown == 0);
    assert_true(m->mean_response_s == 0 && m->utilization == 0);
    assert_int_equal(m->max_wait_s, 0);
    assert_int_equal(m->makespan_s, 0);
    assert_int_equal(m->first_submit, 0);
    assert_int_equal(m->last_end, 0);
    assert_int_equal(m->max_queued, 0);
}

static void test_empty(void **state)
{
    (void)state;
    struct sw_sim_result r = { 0 };
    memset(&r.metrics, 0xff, sizeof(r.metrics)); /* stale values must go */
    assert_int_equal(sw_metrics_compute(&r, 128), 0);
    assert_all_zero(&r.metrics);
    assert_int_equal(r.metrics.procs, 128); /* the machine size is kept */
    /* no machine either: still no division by zero */
    assert_int_equal(sw_metrics_compute(&r, 0), 0);
    assert_all_zero(&r.metrics);
}

/* Unknown machine size with jobs: utilization is 0, not inf or NaN. */
static void test_zero_procs(void **state)
{
    (void)state;
    struct sw_sim_jobrec jobs[] = { job(1, 0, 0, 100, 4) };
    struct sw_sim_result r = { .jobs = jobs, .njobs = 1 };
    assert_int_equal(sw_metrics_compute(&r, 0), 0);
    assert_true(r.metrics.utilization == 0);
    assert_int_equal(r.metrics.makespan_s, 100);
}

/* Run jobs whose waits are `waits` (in any order) and return the metrics. */
static struct sw_sim_metrics metrics_of_waits(const int64_t *waits, size_t n)
{
    struct sw_sim_jobrec *jobs = calloc(n, sizeof(*jobs));
    assert_non_null(jobs);
    for (size_t i = 0; i < n; i++)
        jobs[i] = job(i + 1, (int64_t)i, (int64_t)i + waits[i], 60, 1);
    struct sw_sim_result r = { .jobs = jobs, .njobs = n };
    assert_int_equal(sw_metrics_compute(&r, 1), 0);
    free(jobs);
    return r.metrics;
}

/* Nearest rank: the p-th percentile of n values is the ceil(p/100 * n)-th
 * smallest. */
static void test_percentiles(void **state)
{
    (void)state;
    /* 1..20 reversed: median rank ceil(10) = 10 -> 10; p95 rank ceil(19) = 19 -> 19 */
    int64_t twenty[20];
    for (int i = 0; i < 20; i++)
        twenty[i] = 20 - i;
    struct sw_sim_metrics m = metrics_of_waits(twenty, 20);
    assert_near(m.median_wait_s, 10, 0);
    assert_near(m.p95_wait_s, 19, 0);
    assert_near(m.mean_wait_s, 10.5, 1e-12);
    assert_int_equal(m.max_wait_s, 20);

    /* {5, 1, 3}: median rank ceil(1.5) = 2 -> 3; p95 rank ceil(2.85) = 3 -> 5 */
    int64_t three[] = { 5, 1, 3 };
    m = metrics_of_waits(three, 3);
    assert_near(m.median_wait_s, 3, 0);
    assert_near(m.p95_wait_s, 5, 0);

    /* one job: every percentile is its wait */
    int64_t one[] = { 42 };
    m = metrics_of_waits(one, 1);
    assert_near(m.median_wait_s, 42, 0);
    assert_near(m.p95_wait_s, 42, 0);

    /* 100 values 0..99 (shuffled by a stride): p50 rank 50 -> 49, p95 rank 95 -> 94 */
    int64_t hundred[100];
    for (int i = 0; i < 100; i++)
        hundred[i] = (i * 37) % 100;
    m = metrics_of_waits(hundred, 100);
    assert_near(m.median_wait_s, 49, 0);
    assert_near(m.p95_wait_s, 94, 0);

    /* 21 values: p95 rank ceil(19.95) = 20 -> the 20th smallest, not the max */
    int64_t twentyone[21];
    for (int i = 0; i < 21; i++)
        twentyone[i] = i * 10;
    m = metrics_of_waits(twentyone, 21);
    assert_near(m.median_wait_s, 100, 0); /* rank 11 -> 100 */
    assert_near(m.p95_wait_s, 190, 0);
}

/* 1000 jobs of 100,000 procs × 10^7 s, back to back on a 100,000-proc
 * machine: sum procs*runtime = 10^15, makespan = 10^10 s, utilization
 * exactly 1. Long waits: job i waits i * 10^7 s, so the sums of waits and
 * responses are far beyond double's exact-integer range per step. */
static void test_large_values(void **state)
{
    (void)state;
    enum { N = 1000 };
    const int64_t procs = 100000, run = 10000000;
    struct sw_sim_jobrec *jobs = calloc(N, sizeof(*jobs));
    assert_non_null(jobs);
    for (int64_t i = 0; i < N; i++)
        jobs[i] = job((uint64_t)i + 1, 0, i * run, run, procs);
    struct sw_sim_result r = { .jobs = jobs, .njobs = N };
    assert_int_equal(sw_metrics_compute(&r, procs), 0);
    assert_int_equal(r.metrics.makespan_s, N * run);
    assert_near(r.metrics.utilization, 1.0, 1e-15);
    /* mean wait = run * (0 + ... + 999) / 1000 = run * 499.5 */
    assert_near(r.metrics.mean_wait_s, 499.5 * run, 1e-3);
    assert_near(r.metrics.mean_response_s, 500.5 * run, 1e-3);
    /* bsld of job i = (i + 1) run / run = i + 1; mean 500.5, max 1000 */
    assert_near(r.metrics.mean_bounded_slowdown, 500.5, 1e-9);
    assert_near(r.metrics.max_bounded_slowdown, 1000, 1e-9);
    free(jobs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bounded_slowdown),
        cmocka_unit_test(test_four_jobs),
        cmocka_unit_test(test_makespan_offset),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_zero_procs),
        cmocka_unit_test(test_percentiles),
        cmocka_unit_test(test_large_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
