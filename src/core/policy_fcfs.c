/* policy_fcfs.c — no backfilling: start jobs from the head of the queue
 * while the head fits. With the submit order this is FCFS; with the
 * estimate order, SJF; with the priority order, strict priority.
 */
#include "core/sched_int.h"

static int fcfs_pass(struct sw_sched *s, int64_t now, sw_start_f on_start, void *arg)
{
    struct sw_res free = sw__sched_free_now(s, now);
    return sw__sched_start_head_jobs(s, now, &free, on_start, arg);
}

const struct sw_policy_ops sw__policy_fcfs = {
    .name = "fcfs",
    .pass = fcfs_pass,
};
