/* test_sched.c — the core's API used directly: validation messages,
 * cancel, EASY reservation bookkeeping, and determinism. */
#include <string.h>

#include "core/sched.h"
#include "testutil.h"

static struct sw_sched *make(const char *policy, int64_t cores)
{
    struct sw_sched_config cfg = sw_sched_config_defaults();
    sw_error_t err = {{0}};
    assert_int_equal(sw_sched_parse_policy(policy, &cfg.policy, &cfg.order, &err), 0);
    cfg.capacity = sw_res_cores(cores);
    struct sw_sched *s = sw_sched_create(&cfg, &err);
    assert_non_null(s);
    return s;
}

static void rejects_impossible_jobs_with_reason(void **state)
{
    (void)state;
    struct sw_sched *s = make("easy", 10);
    sw_error_t err = {{0}};
    struct sw_job big = {.id = 7, .estimate = 10, .need = sw_res_cores(11)};
    assert_int_equal(sw_sched_submit(s, &big, 0, &err), -1);
    assert_non_null(strstr(err.text, "needs 11 cores, the machine has 10"));
    struct sw_job nowall = {.id = 8, .estimate = 0, .need = sw_res_cores(1)};
    assert_int_equal(sw_sched_submit(s, &nowall, 0, &err), -1);
    assert_non_null(strstr(err.text, "estimate"));
    assert_int_equal(sw_sched_pending_count(s), 0);
    sw_sched_destroy(s);
}

static void unknown_policy_names_the_choices(void **state)
{
    (void)state;
    enum sw_policy p;
    enum sw_order o;
    sw_error_t err = {{0}};
    assert_int_equal(sw_sched_parse_policy("backfill", &p, &o, &err), -1);
    assert_non_null(strstr(err.text, "fcfs, sjf, easy or conservative"));
    assert_int_equal(sw_sched_parse_order("random", &o, &err), -1);
}

static void count_start(struct sw_job *j, int64_t now, void *arg)
{
    (void)j;
    (void)now;
    (*(int *)arg)++;
}

static void cancel_frees_the_reservation(void **state)
{
    (void)state;
    const char *policies[] = {"easy", "conservative"};
    for (int p = 0; p < 2; p++) {
        struct sw_sched *s = make(policies[p], 10);
        sw_error_t err = {{0}};
        struct sw_job a = {.id = 1, .estimate = 100, .need = sw_res_cores(10)};
        struct sw_job b = {.id = 2, .submit = 1, .estimate = 100, .need = sw_res_cores(10)};
        struct sw_job c = {.id = 3, .submit = 2, .estimate = 100, .need = sw_res_cores(10)};
        int started = 0;
        assert_int_equal(sw_sched_submit(s, &a, 0, &err), 0);
        assert_int_equal(sw_sched_pass(s, 0, count_start, &started), 1);
        assert_int_equal(sw_sched_submit(s, &b, 1, &err), 0);
        assert_int_equal(sw_sched_submit(s, &c, 2, &err), 0);
        assert_int_equal(sw_sched_pass(s, 2, count_start, &started), 0);
        assert_int_equal(b.reserved, 100);
        assert_int_equal(sw_sched_cancel(s, &b, 3), 0);
        assert_int_equal(b.state, SW_JOB_DONE);
        assert_int_equal(sw_sched_cancel(s, &b, 3), -1); /* not pending any more */
        assert_int_equal(sw_sched_pass(s, 3, count_start, &started), 0);
        assert_int_equal(c.reserved, 100); /* c inherits the freed slot */
        assert_int_equal(sw_sched_complete(s, &a, 50), 0);
        assert_int_equal(sw_sched_pass(s, 50, count_start, &started), 1);
        assert_int_equal(c.state, SW_JOB_RUNNING);
        assert_int_equal(c.start, 50);
        assert_int_equal(sw_sched_complete(s, &b, 60), -1); /* never ran */
        assert_int_equal(sw_sched_stats(s)->reservations_moved_later, 0);
        sw_sched_destroy(s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rejects_impossible_jobs_with_reason),
        cmocka_unit_test(unknown_policy_names_the_choices),
        cmocka_unit_test(cancel_frees_the_reservation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
