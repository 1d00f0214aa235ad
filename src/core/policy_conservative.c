/* policy_conservative.c — conservative backfilling (Mu'alem & Feitelson
 * 2001): every waiting job holds a reservation in the availability profile,
 * and no job is ever started in a way that delays any of them.
 *
 *  - on submit, a job gets the earliest slot that fits in the profile after
 *    every running job (until its estimated end) and every reservation;
 *  - when capacity comes back early (a job ends before its estimate, or a
 *    waiting job is cancelled) the schedule is compressed: each waiting job,
 *    in queue order, gives up its slot and takes the earliest one that fits
 *    now. Every other job stays in the profile meanwhile, so the old slot is
 *    still free and a reservation can only move earlier, never later;
 *  - a pass starts every job whose reservation has come, and asks to be
 *    woken at the earliest reservation still to come: compressing in queue
 *    order can leave a job planned at an instant when no job arrives or
 *    ends, and that job must still start then.
 */
#include <errno.h>

#include "core/sched_int.h"

static int cons_init(struct sw_sched *s)
{
    return sw_profile_init(&s->profile, INT64_MIN, &s->cfg.capacity);
}

static void cons_fini(struct sw_sched *s)
{
    sw_profile_fini(&s->profile);
}

/* Find and hold the earliest slot for `j` from `now` on. */
static int cons_place(struct sw_sched *s, struct sw_job *j, int64_t now)
{
    int64_t t = sw_profile_earliest(&s->profile, now, j->estimate, &j->need);
    if (t == INT64_MAX) {
        errno = EINVAL; /* cannot happen: submit checked need <= capacity */
        return -1;
    }
    if (sw_profile_reserve(&s->profile, t, t + j->estimate, &j->need) < 0)
        return -1;
    sw__sched_reserve(s, j, t);
    return 0;
}

static int cons_on_submit(struct sw_sched *s, struct sw_job *j, int64_t now)
{
    sw_profile_advance(&s->profile, now);
    return cons_place(s, j, now);
}

static int cons_on_adopt(struct sw_sched *s, struct sw_job *j, int64_t now)
{
    sw_profile_advance(&s->profile, now);
    /* it may not fit the plan (it was running before we knew): the plan
     * is redone around it */
    if (sw_profile_reserve(&s->profile, now, now + j->estimate, &j->need) < 0)
        return -1;
    s->profile_dirty = true;
    return 0;
}

static void cons_on_complete(struct sw_sched *s, struct sw_job *j, int64_t now)
{
    sw_profile_advance(&s->profile, now);
    if (sw_job_est_end(j) > now) {
        (void)sw_profile_release(&s->profile, now, sw_job_est_end(j), &j->need);
        s->profile_dirty = true;
    }
}

static void cons_on_cancel(struct sw_sched *s, struct sw_job *j, int64_t now)
{
    sw_profile_advance(&s->profile, now);
    (void)sw_profile_release(&s->profile, j->reserved, j->reserved + j->estimate, &j->need);
    s->profile_dirty = true;
}

/* Move every reservation to its earliest slot, in queue order. */
static int cons_compress(struct sw_sched *s, int64_t now)
{
    for (size_t i = 0; i < sw_jobset_len(&s->queue); i++) {
        struct sw_job *j = sw_jobset_at(&s->queue, i);
        if (sw_profile_release(&s->profile, j->reserved, j->reserved + j->estimate, &j->need) <
                0 ||
            cons_place(s, j, now) < 0)
            return -1;
    }
    s->profile_dirty = false;
    return 0;
}

static int cons_pass(struct sw_sched *s, int64_t now, sw_start_f on_start, void *arg)
{
    sw_profile_advance(&s->profile, now);
    if (s->profile_dirty && cons_compress(s, now) < 0)
        return -1;
    int started = 0;
    size_t i = 0;
    while (i < sw_jobset_len(&s->queue)) {
        struct sw_job *j = sw_jobset_at(&s->queue, i);
        if (j->reserved < now) {
            /* a slot in the past (no pass ran then): plan again from now */
            s->profile_dirty = true;
            if (cons_compress(s, now) < 0)
                return -1;
            s->next_wakeup = INT64_MAX;
            i = 0;
            continue;
        }
        if (j->reserved == now) {
            sw__sched_start_at(s, i, now, on_start, arg); /* occupies its slot */
            started++;
            continue;
        }
        if (j->reserved < s->next_wakeup)
            s->next_wakeup = j->reserved;
        i++;
    }
    return started;
}

const struct sw_policy_ops sw__policy_conservative = {
    .name = "conservative",
    .init = cons_init,
    .fini = cons_fini,
    .on_submit = cons_on_submit,
    .on_adopt = cons_on_adopt,
    .on_complete = cons_on_complete,
    .on_cancel = cons_on_cancel,
    .pass = cons_pass,
};
