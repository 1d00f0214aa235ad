/* jobset.h — an ordered set of job pointers.
 *
 * The pending queue (ordered by the queue policy) and the running set
 * (ordered by estimated end) are both jobsets. It is a sorted array with
 * slack at both ends: inserting or removing near either end is O(1), in the
 * middle one memmove of the shorter side. Lookups are binary searches, so
 * the comparator must be a total order (end with the job's seq) and a job's
 * key must not change while it is in the set (re-sort with
 * sw_jobset_resort() after changing keys). The set does not own the jobs.
 */
#ifndef SW_CORE_JOBSET_H
#define SW_CORE_JOBSET_H

#include <stdbool.h>
#include <stddef.h>

#include "core/job.h"

typedef int (*sw_job_cmp_f)(const struct sw_job *a, const struct sw_job *b);

struct sw_jobset {
    struct sw_job **buf;
    size_t off;  /* index of the first element in buf */
    size_t len;  /* number of elements */
    size_t cap;  /* slots in buf */
    sw_job_cmp_f cmp;
};

void sw_jobset_init(struct sw_jobset *s, sw_job_cmp_f cmp);
void sw_jobset_fini(struct sw_jobset *s);

static inline size_t sw_jobset_len(const struct sw_jobset *s)
{
    return s->len;
}

/* The i-th job in order (0 = first). i must be < len. */
static inline struct sw_job *sw_jobset_at(const struct sw_jobset *s, size_t i)
{
    return s->buf[s->off + i];
}

/* Make sure `n` elements fit without any further allocation, so that
 * inserts up to that size cannot fail. Returns 0 or -1 (ENOMEM). */
int sw_jobset_reserve(struct sw_jobset *s, size_t n);

/* Insert in order. Returns 0, or -1 with errno ENOMEM (set unchanged). */
int sw_jobset_insert(struct sw_jobset *s, struct sw_job *j);

/* Remove the element at index i. */
void sw_jobset_remove_at(struct sw_jobset *s, size_t i);

/* Index of `j`, or -1 if it is not in the set. O(log n). */
long sw_jobset_find(const struct sw_jobset *s, const struct sw_job *j);

/* Remove `j`. Returns 0, or -1 with errno ENOENT. */
int sw_jobset_remove(struct sw_jobset *s, const struct sw_job *j);

/* Remove every element for which keep() is false, in one O(n) sweep. */
void sw_jobset_filter(struct sw_jobset *s, bool (*keep)(const struct sw_job *));

/* Re-establish order after keys changed (stable, O(n log n)). */
void sw_jobset_resort(struct sw_jobset *s);

#endif
