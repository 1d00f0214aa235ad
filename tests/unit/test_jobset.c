/* test_jobset.c — the ordered job set against a reference: random inserts
 * and removals, order, find, filter, resort. */
#include <stdlib.h>
#include <string.h>

#include "core/jobset.h"
#include "testutil.h"

static int cmp_submit(const struct sw_job *a, const struct sw_job *b)
{
    if (a->submit != b->submit)
        return a->submit < b->submit ? -1 : 1;
    return (a->seq > b->seq) - (a->seq < b->seq);
}

static void check_sorted(const struct sw_jobset *s)
{
    for (size_t i = 1; i < sw_jobset_len(s); i++)
        assert_true(cmp_submit(sw_jobset_at(s, i - 1), sw_jobset_at(s, i)) < 0);
}

static void random_inserts_and_removals(void **state)
{
    (void)state;
    enum { N = 3000 };
    static struct sw_job jobs[N];
    static bool in[N];
    struct sw_jobset s;
    sw_jobset_init(&s, cmp_submit);
    srand(7);
    size_t count = 0;
    for (int i = 0; i < N; i++) {
        jobs[i].submit = rand() % 500;
        jobs[i].seq = (uint64_t)i;
    }
    for (int it = 0; it < 20000; it++) {
        int i = rand() % N;
        if (!in[i]) {
            assert_int_equal(sw_jobset_insert(&s, &jobs[i]), 0);
            in[i] = true;
            count++;
        } else if (rand() % 2) {
            assert_int_equal(sw_jobset_remove(&s, &jobs[i]), 0);
            in[i] = false;
            count--;
        } else {
            long k = sw_jobset_find(&s, &jobs[i]);
            assert_true(k >= 0);
            assert_ptr_equal(sw_jobset_at(&s, (size_t)k), &jobs[i]);
        }
        assert_int_equal(sw_jobset_len(&s), count);
    }
    check_sorted(&s);
    for (int i = 0; i < N; i++)
        assert_int_equal(sw_jobset_find(&s, &jobs[i]) >= 0, in[i]);
    sw_jobset_fini(&s);
}

static bool keep_even(const struct sw_job *j)
{
    return j->seq % 2 == 0;
}

static void head_tail_patterns_filter_resort(void **state)
{
    (void)state;
    enum { N = 1000 };
    static struct sw_job jobs[N];
    struct sw_jobset s;
    sw_jobset_init(&s, cmp_submit);
    for (int i = 0; i < N; i++) {
        jobs[i].submit = i;
        jobs[i].seq = (uint64_t)i;
        assert_int_equal(sw_jobset_insert(&s, &jobs[i]), 0); /* append */
    }
    for (int i = 0; i < N / 2; i++) {
        assert_ptr_equal(sw_jobset_at(&s, 0), &jobs[i]);
        sw_jobset_remove_at(&s, 0); /* take from the head */
    }
    assert_int_equal(sw_jobset_len(&s), N / 2);
    sw_jobset_filter(&s, keep_even);
    assert_int_equal(sw_jobset_len(&s), N / 4);
    check_sorted(&s);
    /* reverse the keys, resort, and the order follows */
    for (size_t i = 0; i < sw_jobset_len(&s); i++)
        sw_jobset_at(&s, i)->submit = -(int64_t)sw_jobset_at(&s, i)->submit;
    sw_jobset_resort(&s);
    check_sorted(&s);
    assert_ptr_equal(sw_jobset_at(&s, 0), &jobs[N - 2]);
    assert_int_equal(sw_jobset_reserve(&s, 5000), 0);
    assert_true(s.cap >= 10002);
    sw_jobset_fini(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(random_inserts_and_removals),
        cmocka_unit_test(head_tail_patterns_filter_resort),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
