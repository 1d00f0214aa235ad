/* test_lifecycle.c — the state table of task attempts (docs/lifecycle.md):
 * every allowed transition, that terminal states go nowhere, names, and
 * how a job's state follows from its tasks'. */
#include "core/lifecycle.h"
#include "testutil.h"

#define P SW_ST_PENDING
#define S SW_ST_SCHEDULED
#define D SW_ST_DISPATCHED
#define R SW_ST_RUNNING
#define C SW_ST_COMPLETED
#define F SW_ST_FAILED
#define X SW_ST_CANCELLED
#define E SW_ST_PREEMPTED
#define L SW_ST_LOST

/* The whole table, written out by hand from docs/lifecycle.md. */
static const char *const expected[SW_ST_N] = {
    /*            to: P S D R C F X E L */
    [P] = ".x...xx..",
    [S] = "x.x..xxxx",
    [D] = "...xxxxxx",
    [R] = "....xxxxx",
    [C] = ".........",
    [F] = ".........",
    [X] = ".........",
    [E] = ".........",
    [L] = ".........",
};

static void table_is_exactly_as_documented(void **state)
{
    (void)state;
    for (int from = 0; from < SW_ST_N; from++)
        for (int to = 0; to < SW_ST_N; to++) {
            bool want = expected[from][to] == 'x';
            if (sw_state_can((enum sw_state)from, (enum sw_state)to) != want)
                fail_msg("%s -> %s should be %s", sw_state_name((enum sw_state)from),
                         sw_state_name((enum sw_state)to), want ? "allowed" : "refused");
        }
    assert_false(sw_state_can(SW_ST_N, P));
    assert_false(sw_state_can(P, (enum sw_state)-1));
}

static void terminal_and_retryable(void **state)
{
    (void)state;
    for (int s = 0; s < SW_ST_N; s++) {
        bool terminal = s >= C;
        assert_int_equal(sw_state_terminal((enum sw_state)s), terminal);
        assert_int_equal(sw_state_retryable((enum sw_state)s), s == F || s == E || s == L);
    }
}

static void names_round_trip(void **state)
{
    (void)state;
    for (int s = 0; s < SW_ST_N; s++) {
        enum sw_state back;
        assert_int_equal(sw_state_parse(sw_state_name((enum sw_state)s), &back), 0);
        assert_int_equal(back, s);
    }
    enum sw_state x;
    assert_int_equal(sw_state_parse("done", &x), -1);
    assert_string_equal(sw_state_name(SW_ST_PREEMPTED), "preempted");
}

static void job_state_from_tasks(void **state)
{
    (void)state;
    enum sw_state a[] = {C, R, P};
    assert_int_equal(sw_state_aggregate(a, 3), R);
    enum sw_state b[] = {C, P, S};
    assert_int_equal(sw_state_aggregate(b, 3), S);
    enum sw_state c[] = {C, C, C};
    assert_int_equal(sw_state_aggregate(c, 3), C);
    enum sw_state d[] = {C, L, X};
    assert_int_equal(sw_state_aggregate(d, 3), F);
    enum sw_state e[] = {C, X};
    assert_int_equal(sw_state_aggregate(e, 2), X);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table_is_exactly_as_documented),
        cmocka_unit_test(terminal_and_retryable),
        cmocka_unit_test(names_round_trip),
        cmocka_unit_test(job_state_from_tasks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
