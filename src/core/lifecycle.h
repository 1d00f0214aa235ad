/* lifecycle.h — the states of a task attempt and the only transitions
 * allowed between them (docs/lifecycle.md). Every state change anywhere in
 * suanwang goes through sw_state_can(): the table in lifecycle.c is the one
 * place the life cycle is defined.
 *
 *   pending -> scheduled -> dispatched -> running -> completed
 *                                                  | failed | cancelled
 *                                                  | preempted | lost
 *
 * A retry is a new attempt that starts again at pending; the old attempt
 * keeps its terminal state. A job's state is derived from its tasks'
 * latest attempts (sw_state_aggregate).
 */
#ifndef SW_CORE_LIFECYCLE_H
#define SW_CORE_LIFECYCLE_H

#include <stdbool.h>
#include <stddef.h>

enum sw_state {
    SW_ST_PENDING = 0, /* waiting for capacity */
    SW_ST_SCHEDULED,   /* capacity reserved at a site */
    SW_ST_DISPATCHED,  /* the site's agent accepted it */
    SW_ST_RUNNING,
    SW_ST_COMPLETED,   /* exit status 0 */
    SW_ST_FAILED,      /* non-zero exit, killed at its walltime, refused */
    SW_ST_CANCELLED,   /* by its owner or an admin */
    SW_ST_PREEMPTED,   /* made room for realtime work; requeued as a new attempt */
    SW_ST_LOST,        /* its agent went silent past the heartbeat timeout */
    SW_ST_N
};

/* True when `from` -> `to` is an allowed transition. */
bool sw_state_can(enum sw_state from, enum sw_state to);

/* Completed, failed, cancelled, preempted, lost. */
bool sw_state_terminal(enum sw_state s);

/* Terminal states after which the task may be retried as a new attempt
 * (failed, preempted, lost — never completed or cancelled). */
bool sw_state_retryable(enum sw_state s);

const char *sw_state_name(enum sw_state s);
/* Returns 0 and sets *out, or -1 for an unknown name. */
int sw_state_parse(const char *name, enum sw_state *out);

/* The state of a job from its tasks' current states: any running ->
 * running; else any dispatched -> dispatched; else any scheduled ->
 * scheduled; else any pending -> pending; else (all terminal) failed if any
 * failed or lost, else cancelled if any cancelled, else completed. */
enum sw_state sw_state_aggregate(const enum sw_state *tasks, size_t n);

#endif
