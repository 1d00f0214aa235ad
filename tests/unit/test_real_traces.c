/* test_real_traces.c — invariants on real HPC logs, for every policy:
 * every job starts exactly once and not before it was submitted; never more
 * processors in use than exist (checked here from the job intervals, apart
 * from the simulator's own check); EASY never delays the head's
 * reservation and conservative never delays any reservation (the
 * simulator's checks); and the same input gives the same schedule twice.
 * Skipped, with a reason, when the traces are absent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim.h"
#include "testutil.h"
#include "trace/swf.h"

struct edge {
    int64_t t;
    int64_t delta; /* +procs at start, -procs at end */
};

static int edge_cmp(const void *a, const void *b)
{
    const struct edge *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return (x->delta > y->delta) - (x->delta < y->delta); /* ends first */
}

/* Peak processors in use over all [start, end) intervals. */
static int64_t peak_use(const struct sw_sim_result *r)
{
    struct edge *e = calloc(2 * r->njobs, sizeof(*e));
    assert_non_null(e);
    for (size_t i = 0; i < r->njobs; i++) {
        e[2 * i] = (struct edge){r->jobs[i].start, r->jobs[i].procs};
        e[2 * i + 1] = (struct edge){r->jobs[i].end, -r->jobs[i].procs};
    }
    qsort(e, 2 * r->njobs, sizeof(*e), edge_cmp);
    int64_t use = 0, peak = 0;
    for (size_t i = 0; i < 2 * r->njobs; i++) {
        use += e[i].delta;
        if (use > peak)
            peak = use;
    }
    free(e);
    return peak;
}

static void check_log(const char *relative, const char *policy, const char *order)
{
    const char *path = sw_test_trace_path(relative);
    if (!path)
        skip();
    struct sw_trace t = {0};
    struct sw_swf_options o = {.strict = true};
    sw_error_t err = {{0}};
    if (sw_swf_read(path, &o, &t, &err) != 0)
        fail_msg("%s", err.text);
    struct sw_sim_options opt = {.sched = sw_sched_config_defaults()};
    assert_int_equal(sw_sched_parse_policy(policy, &opt.sched.policy, &opt.sched.order, &err), 0);
    if (order)
        assert_int_equal(sw_sched_parse_order(order, &opt.sched.order, &err), 0);
    struct sw_sim_result r1, r2;
    struct sw_sim_checks c;
    if (sw_sim_run(&t, &opt, &r1, &c, &err) != 0)
        fail_msg("%s", err.text);
    printf("# %s %s/%s: %zu jobs, mean wait %.1f s, utilization %.4f\n", relative, policy,
           order ? order : "-", r1.njobs, r1.metrics.mean_wait_s, r1.metrics.utilization);
    assert_int_equal(c.overcommit, 0);
    assert_int_equal(c.started_twice, 0);
    assert_int_equal(c.never_started, 0);
    assert_int_equal(c.reservation_late, 0);
    assert_int_equal(c.reservation_moved_later, 0);
    for (size_t i = 0; i < r1.njobs; i++) {
        assert_true(r1.jobs[i].start >= r1.jobs[i].submit);
        assert_int_equal(r1.jobs[i].end, r1.jobs[i].start + r1.jobs[i].runtime);
    }
    assert_true(peak_use(&r1) <= t.machine_procs);
    /* deterministic: same input, same schedule */
    if (sw_sim_run(&t, &opt, &r2, &c, &err) != 0)
        fail_msg("%s", err.text);
    assert_int_equal(r1.njobs, r2.njobs);
    assert_memory_equal(r1.jobs, r2.jobs, r1.njobs * sizeof(*r1.jobs));
    sw_sim_result_free(&r1);
    sw_sim_result_free(&r2);
    sw_trace_free(&t);
}

#define KTH "swf/KTH-SP2-1996-2.1-cln.swf"
#define SDSC "swf/SDSC-SP2-filtered.swf.gz"

static void kth_fcfs(void **s) { (void)s; check_log(KTH, "fcfs", NULL); }
static void kth_sjf(void **s) { (void)s; check_log(KTH, "sjf", NULL); }
static void kth_easy(void **s) { (void)s; check_log(KTH, "easy", NULL); }
static void kth_conservative(void **s) { (void)s; check_log(KTH, "conservative", NULL); }
static void kth_easy_priority(void **s) { (void)s; check_log(KTH, "easy", "priority"); }
static void kth_cons_priority(void **s) { (void)s; check_log(KTH, "conservative", "priority"); }
static void kth_easy_sjbf(void **s) { (void)s; check_log(KTH, "easy", "estimate"); }
static void sdsc_easy(void **s) { (void)s; check_log(SDSC, "easy", NULL); }
static void sdsc_conservative(void **s) { (void)s; check_log(SDSC, "conservative", NULL); }

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(kth_fcfs),          cmocka_unit_test(kth_sjf),
        cmocka_unit_test(kth_easy),          cmocka_unit_test(kth_conservative),
        cmocka_unit_test(kth_easy_priority), cmocka_unit_test(kth_cons_priority),
        cmocka_unit_test(kth_easy_sjbf),     cmocka_unit_test(sdsc_easy),
        cmocka_unit_test(sdsc_conservative),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
