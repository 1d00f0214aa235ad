/* eventq.h — the simulator's queue of completion events: a binary min-heap
 * ordered by (time, creation order), so that events at the same instant
 * come out in the order they were created. Arrivals need no heap: they come
 * from the trace, already in order.
 */
#ifndef SW_SIM_EVENTQ_H
#define SW_SIM_EVENTQ_H

#include <stddef.h>
#include <stdint.h>

struct sw_event {
    int64_t t;
    uint64_t seq;  /* creation order */
    size_t job;    /* index of the job in the simulation */
    uint64_t tag;  /* caller's: e.g. the attempt, to recognise stale events */
};

struct sw_eventq {
    struct sw_event *heap;
    size_t len, cap;
    uint64_t next_seq;
};

void sw_eventq_init(struct sw_eventq *q);
void sw_eventq_fini(struct sw_eventq *q);

/* Add an event at time t for `job`. Returns 0 or -1 (ENOMEM). */
int sw_eventq_push(struct sw_eventq *q, int64_t t, size_t job);

/* The same, with a tag carried along. */
int sw_eventq_push_tagged(struct sw_eventq *q, int64_t t, size_t job, uint64_t tag);

/* The earliest event, or NULL when empty. Valid until the next push/pop. */
const struct sw_event *sw_eventq_peek(const struct sw_eventq *q);

/* Remove the earliest event into *out. Returns 0, or -1 when empty. */
int sw_eventq_pop(struct sw_eventq *q, struct sw_event *out);

#endif
