/* policy_easy.c — EASY backfilling (Lifka 1995; Mu'alem & Feitelson 2001),
 * exactly as docs/scheduling.md states it:
 *
 *  1. start jobs from the head of the queue while the head fits;
 *  2. the head gets a reservation at the shadow time: the earliest instant
 *     at which enough is free if running jobs end at start + estimate;
 *     extra = what is free at the shadow time (counting every running job
 *     whose estimated end is <= the shadow time) minus the head's need;
 *  3. every other queued job, in queue order, starts now if it fits now and
 *     either ends (now + estimate) no later than the shadow time, or needs
 *     no more than extra (then extra -= its need).
 *
 * A pass that follows only arrivals (nothing ended, expired, was cancelled
 * or re-prioritized, and the head is the same) sees the same free, shadow
 * and extra as the last pass left, and every job already in the queue was
 * refused under them — and time moving on only makes "ends before the
 * shadow" harder. So such a pass looks at the new jobs only, in queue order,
 * and makes exactly the decisions a full pass would.
 */
#include "core/sched_int.h"

/* The shadow time for `head` given `free` now; fills *extra. */
static int64_t easy_shadow(const struct sw_sched *s, const struct sw_job *head, int64_t now,
                           const struct sw_res *free, struct sw_res *extra)
{
    struct sw_res avail = *free;
    int64_t shadow = INT64_MAX;
    size_t n = sw_jobset_len(&s->running);
    for (size_t i = 0; i < n; i++) {
        const struct sw_job *j = sw_jobset_at(&s->running, i);
        int64_t end = sw_job_est_end(j);
        if (end <= now)
            continue; /* already counted in free */
        if (shadow != INT64_MAX && end > shadow)
            break;
        sw_res_add(&avail, &j->need);
        if (shadow == INT64_MAX && sw_res_fits(&head->need, &avail))
            shadow = end; /* keep adding jobs that end at the same instant */
    }
    *extra = avail;
    sw_res_sub(extra, &head->need);
    return shadow;
}

/* The backfill rule for one job: may `j` start now? Updates free/extra. */
static bool easy_may_backfill(const struct sw_job *j, int64_t now, int64_t shadow,
                              struct sw_res *free, struct sw_res *extra)
{
    if (!sw_res_fits(&j->need, free))
        return false;
    bool ends_before_shadow = now + j->estimate <= shadow;
    if (!ends_before_shadow && !sw_res_fits(&j->need, extra))
        return false;
    if (!ends_before_shadow)
        sw_res_sub(extra, &j->need);
    sw_res_sub(free, &j->need);
    return true;
}

/* Step 3: backfill behind the head. */
static int easy_backfill(struct sw_sched *s, int64_t now, int64_t shadow, struct sw_res *free,
                         struct sw_res *extra, sw_start_f on_start, void *arg)
{
    int started = 0;
    size_t i = 1;
    while (i < sw_jobset_len(&s->queue) && free->v[SW_RES_CORES] > 0) {
        struct sw_job *j = sw_jobset_at(&s->queue, i);
        if (!easy_may_backfill(j, now, shadow, free, extra)) {
            i++;
            continue;
        }
        sw__sched_start_at(s, i, now, on_start, arg); /* job i leaves the queue */
        started++;
    }
    return started;
}

/* Backfill only the jobs submitted since the last pass, in queue order. */
static int easy_backfill_fresh(struct sw_sched *s, int64_t now, sw_start_f on_start, void *arg)
{
    sw_job_cmp_f cmp = s->queue.cmp;
    for (size_t i = 1; i < s->nfresh; i++) { /* insertion sort of at most EASY_FRESH_MAX */
        struct sw_job *x = s->fresh[i];
        size_t k = i;
        while (k > 0 && cmp(x, s->fresh[k - 1]) < 0) {
            s->fresh[k] = s->fresh[k - 1];
            k--;
        }
        s->fresh[k] = x;
    }
    int started = 0;
    for (size_t i = 0; i < s->nfresh; i++) {
        struct sw_job *j = s->fresh[i];
        if (j->state != SW_JOB_PENDING || s->easy_free.v[SW_RES_CORES] <= 0)
            continue;
        if (!easy_may_backfill(j, now, s->easy_shadow, &s->easy_free, &s->easy_extra))
            continue;
        long qi = sw_jobset_find(&s->queue, j);
        sw__sched_start_at(s, (size_t)qi, now, on_start, arg);
        started++;
    }
    return started;
}

/* Above this many new jobs, a full pass (linear in the queue) is cheaper
 * than sorting the new ones into queue order. */
#define EASY_FRESH_MAX 32

/* True when the last pass's outcome still holds except for new arrivals. */
static bool easy_can_go_incremental(const struct sw_sched *s, const struct sw_res *free)
{
    if (!s->easy_valid || !s->easy_head || sw_jobset_len(&s->queue) == 0 ||
        s->nfresh > EASY_FRESH_MAX ||
        sw_jobset_at(&s->queue, 0) != s->easy_head)
        return false;
    for (int d = 0; d < SW_RES_NDIMS; d++)
        if (free->v[d] != s->easy_free.v[d])
            return false;
    return true;
}

/* Only the head holds a reservation. When another job has moved ahead of
 * it (a queue order other than submit), the old head loses it. */
static void easy_update_head(struct sw_sched *s)
{
    struct sw_job *head = sw_jobset_len(&s->queue) ? sw_jobset_at(&s->queue, 0) : NULL;
    if (s->easy_head == head)
        return;
    if (s->easy_head)
        s->easy_head->reserved = -1;
    s->easy_head = head;
}

static int easy_pass(struct sw_sched *s, int64_t now, sw_start_f on_start, void *arg)
{
    struct sw_res free = sw__sched_free_now(s, now);
    if (easy_can_go_incremental(s, &free))
        return easy_backfill_fresh(s, now, on_start, arg);
    s->easy_valid = false;
    easy_update_head(s);
    int started = sw__sched_start_head_jobs(s, now, &free, on_start, arg);
    if (sw_jobset_len(&s->queue) == 0)
        return started;

    easy_update_head(s);
    struct sw_job *head = s->easy_head;
    struct sw_res extra;
    int64_t shadow = easy_shadow(s, head, now, &free, &extra);
    sw__sched_reserve(s, head, shadow);
    started += easy_backfill(s, now, shadow, &free, &extra, on_start, arg);
    s->easy_valid = true;
    s->easy_free = free;
    s->easy_extra = extra;
    s->easy_shadow = shadow;
    return started;
}

const struct sw_policy_ops sw__policy_easy = {
    .name = "easy",
    .pass = easy_pass,
};
