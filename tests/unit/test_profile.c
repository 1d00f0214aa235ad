/* test_profile.c — the availability profile: reserve, release, earliest
 * fit, advance; and a randomized cross-check against a per-second array. */
#include <stdlib.h>

#include "core/profile.h"
#include "testutil.h"

static struct sw_res cores(int64_t n)
{
    return sw_res_cores(n);
}

static void earliest_skips_busy_steps(void **state)
{
    (void)state;
    struct sw_profile p;
    struct sw_res cap = cores(10), six = cores(6), four = cores(4);
    assert_int_equal(sw_profile_init(&p, 0, &cap), 0);
    /* 6 busy on [0,10), then 4 busy on [10,30) */
    assert_int_equal(sw_profile_reserve(&p, 0, 10, &six), 0);
    assert_int_equal(sw_profile_reserve(&p, 10, 30, &four), 0);
    /* 7 cores for 5 s: not before 30 (3 free in [0,10)? no: 4 free; [10,30) 6 free) */
    struct sw_res seven = cores(7);
    assert_int_equal(sw_profile_earliest(&p, 0, 5, &seven), 30);
    /* 4 cores for 15 s: [0,15) has 4 then 6 free: fits at 0 */
    assert_int_equal(sw_profile_earliest(&p, 0, 15, &four), 0);
    /* 5 cores for 5 s: not in [0,10) (4 free), fits at 10 (6 free) */
    struct sw_res five = cores(5);
    assert_int_equal(sw_profile_earliest(&p, 0, 5, &five), 10);
    /* more than the machine: never */
    struct sw_res eleven = cores(11);
    assert_int_equal(sw_profile_earliest(&p, 0, 5, &eleven), INT64_MAX);
    /* release restores: [0,10) back to 10 free */
    assert_int_equal(sw_profile_release(&p, 0, 10, &six), 0);
    assert_int_equal(sw_profile_earliest(&p, 0, 10, &seven), 0);
    assert_int_equal(sw_profile_free_at(&p, 15).v[SW_RES_CORES], 6);
    sw_profile_fini(&p);
}

static void advance_forgets_the_past_and_merges(void **state)
{
    (void)state;
    struct sw_profile p;
    struct sw_res cap = cores(8), two = cores(2);
    assert_int_equal(sw_profile_init(&p, 0, &cap), 0);
    assert_int_equal(sw_profile_reserve(&p, 5, 10, &two), 0);
    assert_int_equal(p.len, 3); /* [0,5) 8, [5,10) 6, [10,..) 8 */
    sw_profile_advance(&p, 7);
    assert_int_equal(p.len, 2);
    assert_int_equal(p.steps[0].t, 7);
    assert_int_equal(p.steps[0].free.v[SW_RES_CORES], 6);
    assert_int_equal(sw_profile_release(&p, 7, 10, &two), 0);
    assert_int_equal(p.len, 1); /* merged back into one step */
    sw_profile_fini(&p);
}

/* Random reserves and releases checked against a plain array of free
 * cores per second; earliest() checked by brute force. */
static void random_matches_brute_force(void **state)
{
    (void)state;
    enum { H = 4000, CAP = 16 };
    int64_t ref[H + 100];
    struct sw_profile p;
    struct sw_res cap = cores(CAP);
    assert_int_equal(sw_profile_init(&p, 0, &cap), 0);
    for (int t = 0; t < H + 100; t++)
        ref[t] = CAP;
    srand(42);
    struct { int64_t t0, t1, n; } held[64];
    int nheld = 0;
    for (int it = 0; it < 1500; it++) {
        if (nheld < 64 && (nheld == 0 || rand() % 3)) {
            int64_t n = 1 + rand() % 8, d = 1 + rand() % 40;
            struct sw_res need = cores(n);
            int64_t t = sw_profile_earliest(&p, rand() % 50, d, &need);
            assert_true(t < H);
            /* brute force: earliest s >= after with ref >= n over [s, s+d) */
            for (int64_t k = t; k < t + d; k++)
                assert_true(ref[k] >= n);
            assert_int_equal(sw_profile_reserve(&p, t, t + d, &need), 0);
            for (int64_t k = t; k < t + d; k++)
                ref[k] -= n;
            held[nheld].t0 = t;
            held[nheld].t1 = t + d;
            held[nheld].n = n;
            nheld++;
        } else {
            int i = rand() % nheld;
            struct sw_res need = cores(held[i].n);
            assert_int_equal(sw_profile_release(&p, held[i].t0, held[i].t1, &need), 0);
            for (int64_t k = held[i].t0; k < held[i].t1; k++)
                ref[k] += held[i].n;
            held[i] = held[--nheld];
        }
        if (it % 10)
            continue;
        for (int64_t t = 0; t < H; t++)
            assert_int_equal(sw_profile_free_at(&p, t).v[SW_RES_CORES], ref[t]);
        for (size_t k = 1; k < p.len; k++)
            assert_true(p.steps[k - 1].t < p.steps[k].t);
    }
    sw_profile_fini(&p);
}

/* earliest() returns the first feasible start, not just a feasible one. */
static void earliest_is_minimal(void **state)
{
    (void)state;
    struct sw_profile p;
    struct sw_res cap = cores(4), three = cores(3), two = cores(2);
    assert_int_equal(sw_profile_init(&p, 0, &cap), 0);
    assert_int_equal(sw_profile_reserve(&p, 0, 4, &three), 0);  /* 1 free */
    assert_int_equal(sw_profile_reserve(&p, 6, 8, &three), 0);  /* 1 free */
    /* 2 cores for 2 s: [4,6) is the first gap */
    assert_int_equal(sw_profile_earliest(&p, 0, 2, &two), 4);
    /* 2 cores for 3 s: [4,7) hits the busy [6,8): next is 8 */
    assert_int_equal(sw_profile_earliest(&p, 0, 3, &two), 8);
    sw_profile_fini(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(earliest_skips_busy_steps),
        cmocka_unit_test(advance_forgets_the_past_and_merges),
        cmocka_unit_test(random_matches_brute_force),
        cmocka_unit_test(earliest_is_minimal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
