/* priority.h — multifactor job priority, in the manner of Slurm's
 * priority/multifactor plugin.
 *
 *   priority = w_age  * min(age / max_age, 1)
 *            + w_fs   * 2^(-usage_share / fair_share)          (fair share)
 *            + w_size * need / capacity  (or 1 - that, favor_small)
 *
 * Usage is resources x seconds, per user, decaying with a half-life; every
 * user has the same share of the machine. Priorities are recomputed every
 * `calc_period` seconds of (explicit) time, as Slurm does every
 * PriorityCalcPeriod, and the queue is re-sorted then; between two
 * recomputations a new job gets its priority when it is submitted.
 */
#ifndef SW_CORE_PRIORITY_H
#define SW_CORE_PRIORITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/job.h"

struct sw_priority_config {
    double w_age;        /* default 1000 */
    double w_fairshare;  /* default 1000 */
    double w_size;       /* default 1000 */
    int64_t max_age;     /* s at which the age factor saturates; default 7 days */
    int64_t halflife;    /* s, usage decay half-life; default 7 days */
    int64_t calc_period; /* s between recomputations; default 300 */
    bool favor_small;    /* size factor favours small jobs; default false */
};

/* Slurm-like defaults. */
struct sw_priority_config sw_priority_defaults(void);

/* Per-user decayed usage. */
struct sw_fairshare;

struct sw_fairshare *sw_fairshare_create(int64_t halflife);
void sw_fairshare_destroy(struct sw_fairshare *fs);

/* Decay every user's usage to time `now` (idempotent for equal now). */
void sw_fairshare_decay_to(struct sw_fairshare *fs, int64_t now);

/* Charge `amount` (resource-seconds, cores) to `user` at the current decay
 * time. Returns 0 or -1 (ENOMEM). */
int sw_fairshare_charge(struct sw_fairshare *fs, uint32_t user, double amount);

/* The fair-share factor of `user` in (0, 1]: 1 for a user with no usage. */
double sw_fairshare_factor(const struct sw_fairshare *fs, uint32_t user);

/* The priority of `j` at `now` on a machine of `capacity` cores. */
double sw_priority_compute(const struct sw_priority_config *cfg, const struct sw_fairshare *fs,
                           const struct sw_job *j, int64_t now, int64_t capacity_cores);

#endif
