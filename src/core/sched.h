/* sched.h — the scheduling core: one machine (a pool of identical
 * resources), its pending queue, its running jobs, and a policy.
 *
 * Pure and deterministic: no I/O, no clock, no globals. The caller drives it
 * with explicit times:
 *
 *     sw_sched_submit(s, job, now)     a job arrives
 *     sw_sched_complete(s, job, now)   a running job ended
 *     sw_sched_pass(s, now, cb, arg)   one scheduling pass: cb is called
 *                                      for every job it starts, in order
 *
 * Same inputs, same calls, same decisions: the simulator and the controller
 * both stand on this. Policies (docs/scheduling.md gives their exact rules):
 *
 *   fcfs          start from the head of the queue while the head fits
 *   easy          fcfs, then EASY backfilling around the head's reservation
 *   conservative  every waiting job holds a reservation; backfilled jobs
 *                 never delay any of them
 *
 * and queue orders: submit (submit, id), estimate (estimate, submit, id;
 * "sjf" is fcfs with this order), priority (multifactor, see priority.h).
 */
#ifndef SW_CORE_SCHED_H
#define SW_CORE_SCHED_H

#include <stddef.h>
#include <stdint.h>

#include "core/job.h"
#include "core/priority.h"
#include "core/res.h"
#include "util/error.h"

enum sw_policy {
    SW_POLICY_FCFS = 0,
    SW_POLICY_EASY,
    SW_POLICY_CONSERVATIVE,
};

enum sw_order {
    SW_ORDER_SUBMIT = 0,
    SW_ORDER_ESTIMATE,
    SW_ORDER_PRIORITY,
};

struct sw_sched_config {
    enum sw_policy policy;
    enum sw_order order;
    struct sw_res capacity;          /* the whole machine */
    struct sw_priority_config prio;  /* used with SW_ORDER_PRIORITY */
};

struct sw_sched;

/* Counters kept by the core, for tests and metrics. */
struct sw_sched_stats {
    uint64_t passes;
    uint64_t starts;
    uint64_t reservations_moved_later; /* must stay 0: a reservation delayed */
    uint64_t priority_recalcs;
};

/* Called for each job a pass starts, after the job is marked running with
 * start = now. `job` stays owned by the caller. The callback must not call
 * back into the scheduler. */
typedef void (*sw_start_f)(struct sw_job *job, int64_t now, void *arg);

/* Defaults: fcfs, submit order, Slurm-like priority weights, no capacity. */
struct sw_sched_config sw_sched_config_defaults(void);

/* Parse a policy name: "fcfs", "sjf" (fcfs + estimate order), "easy",
 * "conservative". Sets policy and order. Returns 0, or -1 with a message. */
int sw_sched_parse_policy(const char *name, enum sw_policy *policy, enum sw_order *order,
                          sw_error_t *err);

/* Parse a queue order name: "submit", "estimate", "priority". */
int sw_sched_parse_order(const char *name, enum sw_order *order, sw_error_t *err);

const char *sw_policy_name(enum sw_policy p);
const char *sw_order_name(enum sw_order o);

/* Create a scheduler. Returns NULL with a message on a bad config or ENOMEM. */
struct sw_sched *sw_sched_create(const struct sw_sched_config *cfg, sw_error_t *err);

/* Destroy; accepts NULL. Jobs still inside are not touched (caller's). */
void sw_sched_destroy(struct sw_sched *s);

/* Queue a job (state NEW) at `now` >= every earlier call's now. Rejects a
 * job that could never run here (needs more than the machine has, estimate
 * <= 0) with EINVAL and a message. */
int sw_sched_submit(struct sw_sched *s, struct sw_job *job, int64_t now, sw_error_t *err);

/* Take in a job that is already running elsewhere's say-so (after a
 * controller restart, agents still run their tasks): it holds its
 * resources from `now` until now + estimate. Returns 0, or -1 with EINVAL
 * and a message (validation as for submit; or it does not fit now). */
int sw_sched_adopt(struct sw_sched *s, struct sw_job *job, int64_t now, sw_error_t *err);

/* A running job ended at `now` (at or before its estimated end). Returns 0,
 * or -1 with EINVAL if it is not running here. */
int sw_sched_complete(struct sw_sched *s, struct sw_job *job, int64_t now);

/* Withdraw a pending job. Returns 0, or -1 with EINVAL if not pending. */
int sw_sched_cancel(struct sw_sched *s, struct sw_job *job, int64_t now);

/* One scheduling pass at `now`. Returns the number of jobs started, or -1
 * with errno ENOMEM (nothing started then). */
int sw_sched_pass(struct sw_sched *s, int64_t now, sw_start_f on_start, void *arg);

/* The next time at which the scheduler wants a pass although no job
 * arrives or ends then (a reservation comes due), strictly after the last
 * pass's `now`; INT64_MAX when none. Drivers (the simulator's event loop,
 * the controller's timer) must run a pass at that time. */
int64_t sw_sched_next_wakeup(const struct sw_sched *s);

/* Estimated queue wait (s) of a job needing `need` if it were submitted
 * now: the later of (a) when running jobs, ending at their
 * estimates, leave enough free, and (b) the queued work ahead spread over
 * the machine (per dimension, the largest). A cheap heuristic for placement
 * across sites, not a promise. */
int64_t sw_sched_estimate_wait(const struct sw_sched *s, const struct sw_res *need, int64_t now);

/* The running job at position i in estimated-end order (i < running count). */
const struct sw_job *sw_sched_running_at(const struct sw_sched *s, size_t i);

/* Observers. */
size_t sw_sched_pending_count(const struct sw_sched *s);
size_t sw_sched_running_count(const struct sw_sched *s);
/* Resources held by running jobs (including those past their estimate). */
struct sw_res sw_sched_used(const struct sw_sched *s);
const struct sw_sched_config *sw_sched_config(const struct sw_sched *s);
const struct sw_sched_stats *sw_sched_stats(const struct sw_sched *s);
/* The pending job at position i of the queue order (i < pending count). */
const struct sw_job *sw_sched_pending_at(const struct sw_sched *s, size_t i);

#endif
