/* eventq.c — binary min-heap of events by (t, seq) (see eventq.h). */
#include "sim/eventq.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

void sw_eventq_init(struct sw_eventq *q)
{
    memset(q, 0, sizeof(*q));
}

void sw_eventq_fini(struct sw_eventq *q)
{
    free(q->heap);
    memset(q, 0, sizeof(*q));
}

static bool event_less(const struct sw_event *a, const struct sw_event *b)
{
    return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

int sw_eventq_push(struct sw_eventq *q, int64_t t, size_t job)
{
    return sw_eventq_push_tagged(q, t, job, 0);
}

int sw_eventq_push_tagged(struct sw_eventq *q, int64_t t, size_t job, uint64_t tag)
{
    if (q->len == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 256;
        struct sw_event *h = realloc(q->heap, cap * sizeof(*h));
        if (!h)
            return -1;
        q->heap = h;
        q->cap = cap;
    }
    struct sw_event e = {.t = t, .seq = q->next_seq++, .job = job, .tag = tag};
    size_t i = q->len++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!event_less(&e, &q->heap[parent]))
            break;
        q->heap[i] = q->heap[parent];
        i = parent;
    }
    q->heap[i] = e;
    return 0;
}

const struct sw_event *sw_eventq_peek(const struct sw_eventq *q)
{
    return q->len ? &q->heap[0] : NULL;
}

int sw_eventq_pop(struct sw_eventq *q, struct sw_event *out)
{
    if (!q->len)
        return -1;
    *out = q->heap[0];
    struct sw_event last = q->heap[--q->len];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= q->len)
            break;
        if (c + 1 < q->len && event_less(&q->heap[c + 1], &q->heap[c]))
            c++;
        if (!event_less(&q->heap[c], &last))
            break;
        q->heap[i] = q->heap[c];
        i = c;
    }
    if (q->len)
        q->heap[i] = last;
    return 0;
}
