/* profile.h — the availability profile: free resources as a step function
 * of time, for planning reservations.
 *
 * Step i says "from t[i] until t[i+1] (the last step: forever), this much is
 * free". Reserving subtracts over [t0, t1); releasing adds back. The
 * conservative policy keeps one profile with every running job (until its
 * estimated end) and every reservation in it. All times are explicit.
 */
#ifndef SW_CORE_PROFILE_H
#define SW_CORE_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include "core/res.h"

struct sw_profile_step {
    int64_t t;
    struct sw_res free;
};

struct sw_profile {
    struct sw_profile_step *steps; /* sorted by t, strictly increasing */
    size_t len;
    size_t cap;
};

/* An empty-machine profile: `capacity` free from `now` on. Returns 0 or -1
 * (ENOMEM). */
int sw_profile_init(struct sw_profile *p, int64_t now, const struct sw_res *capacity);
void sw_profile_fini(struct sw_profile *p);

/* Subtract `need` over [t0, t1). t0 must be >= the first step's time and
 * t0 < t1. Returns 0, or -1 with ENOMEM (profile unchanged). */
int sw_profile_reserve(struct sw_profile *p, int64_t t0, int64_t t1, const struct sw_res *need);

/* Add `need` back over [t0, t1) (the inverse of reserve; the part before
 * the first step is ignored). Returns 0 or -1 (ENOMEM, unchanged). */
int sw_profile_release(struct sw_profile *p, int64_t t0, int64_t t1, const struct sw_res *need);

/* The earliest t >= `after` such that `need` fits over [t, t + duration).
 * Always exists when need fits the capacity the profile ends with. Returns
 * INT64_MAX if it never fits. */
int64_t sw_profile_earliest(const struct sw_profile *p, int64_t after, int64_t duration,
                            const struct sw_res *need);

/* Forget the past: merge all steps before `now` into one step starting at
 * `now`. */
void sw_profile_advance(struct sw_profile *p, int64_t now);

/* What is free at time t. */
struct sw_res sw_profile_free_at(const struct sw_profile *p, int64_t t);

#endif
