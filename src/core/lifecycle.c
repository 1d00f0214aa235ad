/* lifecycle.c — the transition table of task attempts (see lifecycle.h and
 * docs/lifecycle.md). */
#include "core/lifecycle.h"

#include <string.h>

#define P SW_ST_PENDING
#define S SW_ST_SCHEDULED
#define D SW_ST_DISPATCHED
#define R SW_ST_RUNNING

/* allowed[from][to] */
static const bool allowed[SW_ST_N][SW_ST_N] = {
    /* pending: placed, or withdrawn */
    [P] = {[S] = 1, [SW_ST_CANCELLED] = 1, [SW_ST_FAILED] = 1},
    /* scheduled: handed to the agent, taken back (requeue), or ended */
    [S] = {[D] = 1, [P] = 1, [SW_ST_CANCELLED] = 1, [SW_ST_PREEMPTED] = 1, [SW_ST_LOST] = 1,
           [SW_ST_FAILED] = 1},
    /* dispatched: the agent started it, could not, or vanished */
    [D] = {[R] = 1, [SW_ST_FAILED] = 1, [SW_ST_CANCELLED] = 1, [SW_ST_PREEMPTED] = 1,
           [SW_ST_LOST] = 1, [SW_ST_COMPLETED] = 1},
    /* running: it ends one way or another */
    [R] = {[SW_ST_COMPLETED] = 1, [SW_ST_FAILED] = 1, [SW_ST_CANCELLED] = 1,
           [SW_ST_PREEMPTED] = 1, [SW_ST_LOST] = 1},
    /* terminal states go nowhere: a retry is a new attempt */
};

#undef P
#undef S
#undef D
#undef R

static const char *const names[SW_ST_N] = {
    [SW_ST_PENDING] = "pending",     [SW_ST_SCHEDULED] = "scheduled",
    [SW_ST_DISPATCHED] = "dispatched", [SW_ST_RUNNING] = "running",
    [SW_ST_COMPLETED] = "completed", [SW_ST_FAILED] = "failed",
    [SW_ST_CANCELLED] = "cancelled", [SW_ST_PREEMPTED] = "preempted",
    [SW_ST_LOST] = "lost",
};

bool sw_state_can(enum sw_state from, enum sw_state to)
{
    if (from < 0 || from >= SW_ST_N || to < 0 || to >= SW_ST_N)
        return false;
    return allowed[from][to];
}

bool sw_state_terminal(enum sw_state s)
{
    return s >= SW_ST_COMPLETED && s < SW_ST_N;
}

bool sw_state_retryable(enum sw_state s)
{
    return s == SW_ST_FAILED || s == SW_ST_PREEMPTED || s == SW_ST_LOST;
}

const char *sw_state_name(enum sw_state s)
{
    return s >= 0 && s < SW_ST_N ? names[s] : "?";
}

int sw_state_parse(const char *name, enum sw_state *out)
{
    for (int s = 0; s < SW_ST_N; s++) {
        if (strcmp(names[s], name) == 0) {
            *out = (enum sw_state)s;
            return 0;
        }
    }
    return -1;
}

enum sw_state sw_state_aggregate(const enum sw_state *tasks, size_t n)
{
    static const enum sw_state live[] = {SW_ST_RUNNING, SW_ST_DISPATCHED, SW_ST_SCHEDULED,
                                         SW_ST_PENDING};
    for (size_t k = 0; k < sizeof(live) / sizeof(live[0]); k++)
        for (size_t i = 0; i < n; i++)
            if (tasks[i] == live[k])
                return live[k];
    bool failed = false, cancelled = false;
    for (size_t i = 0; i < n; i++) {
        failed |= tasks[i] == SW_ST_FAILED || tasks[i] == SW_ST_LOST ||
                  tasks[i] == SW_ST_PREEMPTED;
        cancelled |= tasks[i] == SW_ST_CANCELLED;
    }
    return failed ? SW_ST_FAILED : cancelled ? SW_ST_CANCELLED : SW_ST_COMPLETED;
}
