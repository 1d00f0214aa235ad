/* test_policies.c — hand-computed schedules for every policy, through the
 * simulator (arrivals before completions at one instant, a pass after each
 * event). Each case works the schedule out in its comment. */
#include "simtest.h"
#include "testutil.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void expect_starts(const int64_t *got, const int64_t *want, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (got[i] != want[i])
            fail_msg("job %zu started at %lld, expected %lld", i + 1, (long long)got[i],
                     (long long)want[i]);
    }
}

/* Machine of 10. J1 {0, 6 procs, est 10, run 10}, J2 {1, 6, 10, 10},
 * J3 {2, 4, 5, 5}, J4 {3, 4, 20, 20}. */
static const struct simtest_job mix[] = {
    {0, 6, 10, 10, 0}, {1, 6, 10, 10, 0}, {2, 4, 5, 5, 0}, {3, 4, 20, 20, 0}};

/* fcfs: J1 at 0 (4 free). J2 blocks the queue; J3, J4 wait behind it.
 * t=10 J1 ends: J2 (6) and J3 (4) start. t=15 J3 ends: J4 starts. */
static void fcfs_blocks_behind_head(void **state)
{
    (void)state;
    int64_t s[4], want[] = {0, 10, 10, 15};
    simtest_run(mix, N(mix), 10, "fcfs", NULL, s);
    expect_starts(s, want, 4);
}

/* sjf: J3 (est 5) jumps ahead of J2 (est 10) and fits at t=2.
 * t=7 J3 ends: head J2 (6) does not fit in 4. t=10: J2 and J4 start. */
static void sjf_orders_by_estimate(void **state)
{
    (void)state;
    int64_t s[4], want[] = {0, 10, 2, 10};
    simtest_run(mix, N(mix), 10, "sjf", NULL, s);
    expect_starts(s, want, 4);
}

/* easy: head J2 gets shadow 10 (J1's end), extra = 10 - 6 = 4.
 * t=2: J3 fits (4 free) and ends at 7 <= 10: backfilled.
 * t=7: J3 ends, J4 fits (4), ends at 27 > 10 but needs 4 <= extra 4:
 * backfilled. t=10: J2 starts. */
static void easy_backfills_around_head(void **state)
{
    (void)state;
    int64_t s[4], want[] = {0, 10, 2, 7};
    simtest_run(mix, N(mix), 10, "easy", NULL, s);
    expect_starts(s, want, 4);
}

/* conservative: J2 reserved at 10; J3 fits [2,7) now; J4 (4 procs, 20 s)
 * fits [7,27): free is 4 on [7,10), 4 on [10,20) beside J2, 10 after. */
static void conservative_same_as_easy_here(void **state)
{
    (void)state;
    int64_t s[4], want[] = {0, 10, 2, 7};
    simtest_run(mix, N(mix), 10, "conservative", NULL, s);
    expect_starts(s, want, 4);
}

/* EASY's extra. Machine 10. J1 {0, 8, 100, 100}; J2 {1, 10, 10, 10} head,
 * shadow 100, extra 0; J3 {2, 2, 200, 200} fits now but ends at 202 > 100
 * and 2 > extra 0: waits; J4 {3, 2, 50, 50} ends at 53 <= 100: backfilled.
 * t=100 J2 starts, t=110 J3. */
static void easy_respects_extra(void **state)
{
    (void)state;
    static const struct simtest_job jobs[] = {
        {0, 8, 100, 100, 0}, {1, 10, 10, 10, 0}, {2, 2, 200, 200, 0}, {3, 2, 50, 50, 0}};
    int64_t s[4], want[] = {0, 100, 110, 3};
    simtest_run(jobs, N(jobs), 10, "easy", NULL, s);
    expect_starts(s, want, 4);
}

/* The pyss case cons_bf_input.0 (machine 100): j1 {0,70,100}, j2 {1,80,100},
 * j3 {2,90,100}, j4 {50,20,250}. EASY backfills j4 at 50 (free 30, head j2
 * shadow 100, extra 100-80 = 20 >= 20); j4 runs until 300, so j3 (not the
 * head, hence unprotected) cannot start at 200 beside it and waits for 300.
 * Conservative protects j3 too: over [200,300) only 10 would be free beside
 * j3, so j4 waits for 300 instead. */
static const struct simtest_job cons[] = {
    {0, 70, 100, 100, 0}, {1, 80, 100, 100, 0}, {2, 90, 100, 100, 0}, {50, 20, 250, 250, 0}};

static void easy_backfills_j4(void **state)
{
    (void)state;
    int64_t s[4], want[] = {0, 100, 300, 50};
    simtest_run(cons, N(cons), 100, "easy", NULL, s);
    expect_starts(s, want, 4);
}

static void conservative_protects_every_reservation(void **state)
{
    (void)state;
    int64_t s[4], want[] = {0, 100, 200, 300};
    simtest_run(cons, N(cons), 100, "conservative", NULL, s);
    expect_starts(s, want, 4);
}

/* Compression. Machine 10. J1 {0, 10, est 100, run 20}; J2 {1, 10, 10}
 * reserved at 100; J3 {2, 5, 10} reserved at 110. J1 ends early at 20:
 * the schedule compresses to J2 at 20, J3 at 30. */
static void conservative_compresses_after_early_end(void **state)
{
    (void)state;
    static const struct simtest_job jobs[] = {
        {0, 10, 100, 20, 0}, {1, 10, 10, 10, 0}, {2, 5, 10, 10, 0}};
    int64_t s[3], want[] = {0, 20, 30};
    simtest_run(jobs, N(jobs), 10, "conservative", NULL, s);
    expect_starts(s, want, 3);
}

/* Arrivals come before completions at one instant, and a job past its
 * estimated end counts as finished: J1 {0, 10, 10, 10} ends at 10 just as
 * J2 {10, 5, 5, 5} arrives; J2 starts at 10 under every policy. */
static void arrival_sees_expired_job_as_free(void **state)
{
    (void)state;
    static const struct simtest_job jobs[] = {{0, 10, 10, 10, 0}, {10, 5, 5, 5, 0}};
    const char *policies[] = {"fcfs", "sjf", "easy", "conservative"};
    for (size_t p = 0; p < 4; p++) {
        int64_t s[2], want[] = {0, 10};
        simtest_run(jobs, N(jobs), 10, policies[p], NULL, s);
        expect_starts(s, want, 2);
    }
}

/* Fair share. Machine 10. User 1 runs J1 {0, 10, 1000, 1000}, then queues
 * J2 {1, 10, 10, 10}; user 2 queues J3 {2, 10, 10, 10}. At t=1000 user 1
 * has used 10000 core-s, user 2 nothing: with two users (share 1/2 each)
 * fair share is 2^(-1/0.5) = 0.25 for user 1 and 1 for user 2, so J3 runs
 * first under the priority order (ages and sizes are equal), but not under
 * the submit order. */
static void priority_order_applies_fair_share(void **state)
{
    (void)state;
    static const struct simtest_job jobs[] = {
        {0, 10, 1000, 1000, 1}, {1, 10, 10, 10, 1}, {2, 10, 10, 10, 2}};
    int64_t s[3];
    int64_t want_prio[] = {0, 1010, 1000};
    simtest_run(jobs, N(jobs), 10, "easy", "priority", s);
    expect_starts(s, want_prio, 3);
    int64_t want_fcfs[] = {0, 1000, 1010};
    simtest_run(jobs, N(jobs), 10, "easy", "submit", s);
    expect_starts(s, want_fcfs, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fcfs_blocks_behind_head),
        cmocka_unit_test(sjf_orders_by_estimate),
        cmocka_unit_test(easy_backfills_around_head),
        cmocka_unit_test(conservative_same_as_easy_here),
        cmocka_unit_test(easy_respects_extra),
        cmocka_unit_test(easy_backfills_j4),
        cmocka_unit_test(conservative_protects_every_reservation),
        cmocka_unit_test(conservative_compresses_after_early_end),
        cmocka_unit_test(arrival_sees_expired_job_as_free),
        cmocka_unit_test(priority_order_applies_fair_share),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
