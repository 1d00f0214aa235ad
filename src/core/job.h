/* job.h — a job as the scheduling core sees it.
 *
 * The caller (simulator, controller) owns every struct sw_job: it allocates
 * it, fills the "request" fields, hands a pointer to sw_sched_submit(), and
 * must keep it alive and unmoved until sw_sched_complete() or
 * sw_sched_cancel() has returned for it. The core writes only the "state"
 * fields. The core never knows how long a job will really run: only its
 * estimate (the walltime limit), which bounds backfilling.
 */
#ifndef SW_CORE_JOB_H
#define SW_CORE_JOB_H

#include <stdint.h>

#include "core/res.h"

/* The largest time or duration the core accepts, s (about 31,700 years):
 * far beyond any real trace, and sums of two stay far from overflow. */
#define SW_TIME_MAX INT64_C(1000000000000)
/* Largest scaled duration (a slow model can stretch a runtime). */
#define SW_TIME_MAX_SCALED (SW_TIME_MAX * 1000)

enum sw_job_state {
    SW_JOB_NEW = 0,   /* not yet submitted */
    SW_JOB_PENDING,   /* in the queue */
    SW_JOB_RUNNING,   /* started, holds its resources */
    SW_JOB_DONE,      /* completed or cancelled; the core has let go of it */
};

struct sw_job {
    /* request: set by the caller before submit, read-only afterwards */
    uint64_t id;        /* caller's identifier; ties are broken by it */
    int64_t submit;     /* submit time, s */
    int64_t estimate;   /* walltime limit, s; > 0 */
    struct sw_res need; /* total resources for the whole job */
    uint32_t user;      /* for fair share */
    uint8_t qos;        /* priority class, 0 = most urgent (realtime); orders
                           the queue before any other key */

    /* state: written by the core only */
    enum sw_job_state state;
    uint64_t seq;           /* submission order, last tie-breaker */
    int64_t start;          /* start time, or -1 */
    int64_t reserved;       /* current reservation (planned start), or -1 */
    int64_t first_reserved; /* the first reservation it was given, or -1 */
    double priority;        /* multifactor priority (priority order only) */
};

/* Estimated end: start + estimate (only meaningful while running). */
static inline int64_t sw_job_est_end(const struct sw_job *j)
{
    return j->start + j->estimate;
}

#endif
