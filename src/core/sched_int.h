/* sched_int.h — the scheduler's internals, shared by sched.c and the policy
 * files (policy_*.c). Not for use outside src/core.
 */
#ifndef SW_CORE_SCHED_INT_H
#define SW_CORE_SCHED_INT_H

#include <stdbool.h>

#include "core/jobset.h"
#include "core/profile.h"
#include "core/sched.h"

/* A policy: what happens on each call into the scheduler. Hooks run after
 * sched.c has done the common bookkeeping (queue, running set, usage). */
struct sw_policy_ops {
    const char *name;
    int (*init)(struct sw_sched *s);
    void (*fini)(struct sw_sched *s);
    /* job was just inserted in the queue; on failure it is taken out again */
    int (*on_submit)(struct sw_sched *s, struct sw_job *j, int64_t now);
    /* job was just put straight into the running set (sw_sched_adopt) */
    int (*on_adopt)(struct sw_sched *s, struct sw_job *j, int64_t now);
    /* job was just taken out of the running set */
    void (*on_complete)(struct sw_sched *s, struct sw_job *j, int64_t now);
    /* job was just taken out of the queue */
    void (*on_cancel)(struct sw_sched *s, struct sw_job *j, int64_t now);
    int (*pass)(struct sw_sched *s, int64_t now, sw_start_f on_start, void *arg);
};

extern const struct sw_policy_ops sw__policy_fcfs;
extern const struct sw_policy_ops sw__policy_easy;
extern const struct sw_policy_ops sw__policy_conservative;

struct sw_sched {
    struct sw_sched_config cfg;
    const struct sw_policy_ops *ops;
    struct sw_jobset queue;    /* pending, in queue order */
    struct sw_jobset running;  /* running, by (estimated end, seq) */
    struct sw_res used;        /* held by running jobs */
    double queued_work[SW_RES_NDIMS]; /* sum of need x estimate over pending jobs */
    uint64_t next_seq;
    int64_t next_wakeup;       /* set by the policy's pass; INT64_MAX = none */
    struct sw_sched_stats stats;

    /* multifactor priority (SW_ORDER_PRIORITY only) */
    struct sw_fairshare *fs;
    int64_t prio_calc_at;      /* time of the last recomputation */
    bool prio_calc_done;

    /* jobs submitted since the last pass, in submission order */
    struct sw_job **fresh;
    size_t nfresh, fresh_cap;

    /* easy: the head's reservation, and what the last pass left, so that a
     * pass after mere arrivals need only look at the new jobs */
    struct sw_job *easy_head;  /* the job holding the EASY reservation */
    bool easy_valid;           /* the fields below describe the queue now */
    struct sw_res easy_free;   /* free after the last pass */
    struct sw_res easy_extra;  /* extra after the last pass */
    int64_t easy_shadow;

    /* conservative */
    struct sw_profile profile;
    bool profile_dirty;        /* capacity came back early: compress */
};

/* Free resources at `now`: capacity minus running jobs, where a job whose
 * estimated end is <= now counts as finished. */
struct sw_res sw__sched_free_now(const struct sw_sched *s, int64_t now);

/* Start the queued job at index `qi`: out of the queue, into the running
 * set, state and start time set, callback called. Cannot fail (room in the
 * running set is reserved at submit). */
void sw__sched_start_at(struct sw_sched *s, size_t qi, int64_t now, sw_start_f on_start,
                        void *arg);

/* Record a reservation for `j` (first_reserved too, and a counter when it
 * moved later than an earlier one). */
void sw__sched_reserve(struct sw_sched *s, struct sw_job *j, int64_t t);

/* Start from the head of the queue while the head fits in `*free`,
 * subtracting what each started job takes. Returns the number started. */
int sw__sched_start_head_jobs(struct sw_sched *s, int64_t now, struct sw_res *free,
                              sw_start_f on_start, void *arg);

#endif
