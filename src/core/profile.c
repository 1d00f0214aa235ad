/* profile.c — availability profile as a sorted array of steps (see
 * profile.h). Reserve/release split steps at the interval's ends, apply the
 * change, and merge equal neighbours back so the profile stays small.
 */
#include "core/profile.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

int sw_profile_init(struct sw_profile *p, int64_t now, const struct sw_res *capacity)
{
    p->cap = 16;
    p->len = 1;
    p->steps = malloc(p->cap * sizeof(*p->steps));
    if (!p->steps)
        return -1;
    p->steps[0].t = now;
    p->steps[0].free = *capacity;
    return 0;
}

void sw_profile_fini(struct sw_profile *p)
{
    free(p->steps);
    p->steps = NULL;
    p->len = p->cap = 0;
}

/* Index of the step in force at time t: the last with steps[i].t <= t
 * (0 when t is before the first step). */
static size_t profile_index(const struct sw_profile *p, int64_t t)
{
    size_t lo = 0, hi = p->len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->steps[mid].t <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? lo - 1 : 0;
}

static int profile_reserve_room(struct sw_profile *p, size_t extra)
{
    if (p->len + extra <= p->cap)
        return 0;
    size_t cap = p->cap * 2;
    while (cap < p->len + extra)
        cap *= 2;
    struct sw_profile_step *s = realloc(p->steps, cap * sizeof(*s));
    if (!s)
        return -1;
    p->steps = s;
    p->cap = cap;
    return 0;
}

/* Ensure a step starts exactly at t (t >= first step's t); return its index.
 * Room must have been reserved. */
static size_t profile_split(struct sw_profile *p, int64_t t)
{
    size_t i = profile_index(p, t);
    if (p->steps[i].t == t)
        return i;
    memmove(p->steps + i + 2, p->steps + i + 1, (p->len - i - 1) * sizeof(*p->steps));
    p->steps[i + 1].t = t;
    p->steps[i + 1].free = p->steps[i].free;
    p->len++;
    return i + 1;
}

static bool res_equal(const struct sw_res *a, const struct sw_res *b)
{
    return memcmp(a, b, sizeof(*a)) == 0;
}

/* Merge step i into step i-1 when both offer the same. */
static void profile_merge_at(struct sw_profile *p, size_t i)
{
    if (i == 0 || i >= p->len || !res_equal(&p->steps[i - 1].free, &p->steps[i].free))
        return;
    memmove(p->steps + i, p->steps + i + 1, (p->len - i - 1) * sizeof(*p->steps));
    p->len--;
}

/* Add sign * need over [t0, t1). */
static int profile_apply(struct sw_profile *p, int64_t t0, int64_t t1, const struct sw_res *need,
                         int sign)
{
    if (t0 < p->steps[0].t)
        t0 = p->steps[0].t;
    if (t0 >= t1)
        return 0;
    if (profile_reserve_room(p, 2) < 0)
        return -1;
    size_t a = profile_split(p, t0);
    size_t b = profile_split(p, t1);
    for (size_t i = a; i < b; i++) {
        if (sign > 0)
            sw_res_add(&p->steps[i].free, need);
        else
            sw_res_sub(&p->steps[i].free, need);
    }
    profile_merge_at(p, b);
    profile_merge_at(p, a);
    return 0;
}

int sw_profile_reserve(struct sw_profile *p, int64_t t0, int64_t t1, const struct sw_res *need)
{
    return profile_apply(p, t0, t1, need, -1);
}

int sw_profile_release(struct sw_profile *p, int64_t t0, int64_t t1, const struct sw_res *need)
{
    return profile_apply(p, t0, t1, need, +1);
}

int64_t sw_profile_earliest(const struct sw_profile *p, int64_t after, int64_t duration,
                            const struct sw_res *need)
{
    size_t i = profile_index(p, after);
    int64_t cand = after > p->steps[i].t ? after : p->steps[i].t;
    for (;;) {
        int64_t end = cand + duration;
        size_t k = i;
        while (k < p->len && (k == i || p->steps[k].t < end)) {
            if (!sw_res_fits(need, &p->steps[k].free))
                break;
            k++;
        }
        if (k >= p->len || (k > i && p->steps[k].t >= end))
            return cand;
        /* step k does not fit: the window can start at the next step */
        if (k + 1 >= p->len)
            return INT64_MAX;
        i = k + 1;
        cand = p->steps[i].t;
    }
}

void sw_profile_advance(struct sw_profile *p, int64_t now)
{
    size_t i = profile_index(p, now);
    if (i > 0) {
        memmove(p->steps, p->steps + i, (p->len - i) * sizeof(*p->steps));
        p->len -= i;
    }
    if (p->steps[0].t < now)
        p->steps[0].t = now;
}

struct sw_res sw_profile_free_at(const struct sw_profile *p, int64_t t)
{
    return p->steps[profile_index(p, t)].free;
}
