/* sched.c — the scheduler's common part: configuration, the queue and the
 * running set, submit/complete/cancel bookkeeping, priority recomputation,
 * and dispatch to the policy (policy_*.c) through its ops table.
 */
#include "core/sched_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---- queue orders ---------------------------------------------------- */

static int cmp_i64(int64_t a, int64_t b)
{
    return (a > b) - (a < b);
}

static int cmp_u64(uint64_t a, uint64_t b)
{
    return (a > b) - (a < b);
}

static int cmp_by_submit(const struct sw_job *a, const struct sw_job *b)
{
    if (a->qos != b->qos)
        return a->qos < b->qos ? -1 : 1;
    int c = cmp_i64(a->submit, b->submit);
    if (!c)
        c = cmp_u64(a->id, b->id);
    return c ? c : cmp_u64(a->seq, b->seq);
}

static int cmp_by_estimate(const struct sw_job *a, const struct sw_job *b)
{
    if (a->qos != b->qos)
        return a->qos < b->qos ? -1 : 1;
    int c = cmp_i64(a->estimate, b->estimate);
    return c ? c : cmp_by_submit(a, b);
}

static int cmp_by_priority(const struct sw_job *a, const struct sw_job *b)
{
    if (a->qos != b->qos)
        return a->qos < b->qos ? -1 : 1;
    if (a->priority != b->priority)
        return a->priority > b->priority ? -1 : 1;
    return cmp_by_submit(a, b);
}

static int cmp_by_est_end(const struct sw_job *a, const struct sw_job *b)
{
    int c = cmp_i64(sw_job_est_end(a), sw_job_est_end(b));
    return c ? c : cmp_u64(a->seq, b->seq);
}

static sw_job_cmp_f order_cmp(enum sw_order o)
{
    switch (o) {
    case SW_ORDER_ESTIMATE:
        return cmp_by_estimate;
    case SW_ORDER_PRIORITY:
        return cmp_by_priority;
    case SW_ORDER_SUBMIT:
    default:
        return cmp_by_submit;
    }
}

static const struct sw_policy_ops *policy_ops(enum sw_policy p)
{
    switch (p) {
    case SW_POLICY_EASY:
        return &sw__policy_easy;
    case SW_POLICY_CONSERVATIVE:
        return &sw__policy_conservative;
    case SW_POLICY_FCFS:
    default:
        return &sw__policy_fcfs;
    }
}

/* ---- names ------------------------------------------------------------ */

const char *sw_policy_name(enum sw_policy p)
{
    return policy_ops(p)->name;
}

const char *sw_order_name(enum sw_order o)
{
    switch (o) {
    case SW_ORDER_ESTIMATE:
        return "estimate";
    case SW_ORDER_PRIORITY:
        return "priority";
    case SW_ORDER_SUBMIT:
    default:
        return "submit";
    }
}

int sw_sched_parse_policy(const char *name, enum sw_policy *policy, enum sw_order *order,
                          sw_error_t *err)
{
    static const struct {
        const char *name;
        enum sw_policy policy;
        enum sw_order order;
    } tab[] = {
        {"fcfs", SW_POLICY_FCFS, SW_ORDER_SUBMIT},
        {"sjf", SW_POLICY_FCFS, SW_ORDER_ESTIMATE},
        {"easy", SW_POLICY_EASY, SW_ORDER_SUBMIT},
        {"conservative", SW_POLICY_CONSERVATIVE, SW_ORDER_SUBMIT},
    };
    for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
        if (strcmp(name, tab[i].name) == 0) {
            *policy = tab[i].policy;
            *order = tab[i].order;
            return 0;
        }
    }
    errno = EINVAL;
    return sw_errprintf(err, "unknown policy \"%s\": use fcfs, sjf, easy or conservative", name);
}

int sw_sched_parse_order(const char *name, enum sw_order *order, sw_error_t *err)
{
    for (enum sw_order o = SW_ORDER_SUBMIT; o <= SW_ORDER_PRIORITY; o++) {
        if (strcmp(name, sw_order_name(o)) == 0) {
            *order = o;
            return 0;
        }
    }
    errno = EINVAL;
    return sw_errprintf(err, "unknown queue order \"%s\": use submit, estimate or priority",
                        name);
}

/* ---- life cycle ------------------------------------------------------- */

struct sw_sched_config sw_sched_config_defaults(void)
{
    return (struct sw_sched_config){
        .policy = SW_POLICY_FCFS,
        .order = SW_ORDER_SUBMIT,
        .prio = sw_priority_defaults(),
    };
}

struct sw_sched *sw_sched_create(const struct sw_sched_config *cfg, sw_error_t *err)
{
    if (!sw_res_nonneg(&cfg->capacity) || cfg->capacity.v[SW_RES_CORES] <= 0) {
        errno = EINVAL;
        sw_errprintf(err, "machine capacity must have at least one core and no negative amount");
        return NULL;
    }
    struct sw_sched *s = calloc(1, sizeof(*s));
    if (!s) {
        sw_errprintf(err, "out of memory creating the scheduler");
        return NULL;
    }
    s->cfg = *cfg;
    s->next_wakeup = INT64_MAX;
    s->ops = policy_ops(cfg->policy);
    sw_jobset_init(&s->queue, order_cmp(cfg->order));
    sw_jobset_init(&s->running, cmp_by_est_end);
    if (cfg->order == SW_ORDER_PRIORITY) {
        s->fs = sw_fairshare_create(cfg->prio.halflife);
        if (!s->fs)
            goto out_nomem;
    }
    if (s->ops->init && s->ops->init(s) < 0)
        goto out_nomem;
    return s;
out_nomem:
    sw_sched_destroy(s);
    errno = ENOMEM;
    sw_errprintf(err, "out of memory creating the scheduler");
    return NULL;
}

void sw_sched_destroy(struct sw_sched *s)
{
    if (!s)
        return;
    int saved = errno;
    if (s->ops && s->ops->fini)
        s->ops->fini(s);
    sw_fairshare_destroy(s->fs);
    free(s->fresh);
    sw_jobset_fini(&s->queue);
    sw_jobset_fini(&s->running);
    free(s);
    errno = saved;
}

/* ---- fair share and priorities ---------------------------------------- */

/* Charge running jobs' use since the last recomputation (cores x s). */
static int prio_charge_running(struct sw_sched *s, int64_t now)
{
    for (size_t i = 0; i < sw_jobset_len(&s->running); i++) {
        struct sw_job *j = sw_jobset_at(&s->running, i);
        int64_t from = j->start > s->prio_calc_at ? j->start : s->prio_calc_at;
        if (now > from &&
            sw_fairshare_charge(s->fs, j->user,
                                (double)j->need.v[SW_RES_CORES] * (double)(now - from)) < 0)
            return -1;
    }
    return 0;
}

/* Every calc_period: decay usage, charge running jobs, recompute every
 * pending job's priority and re-sort the queue. */
static int prio_maybe_recalc(struct sw_sched *s, int64_t now)
{
    if (!s->fs)
        return 0;
    if (s->prio_calc_done && now < s->prio_calc_at + s->cfg.prio.calc_period)
        return 0;
    sw_fairshare_decay_to(s->fs, now);
    if (s->prio_calc_done && prio_charge_running(s, now) < 0)
        return -1;
    s->prio_calc_at = now;
    s->prio_calc_done = true;
    int64_t cores = s->cfg.capacity.v[SW_RES_CORES];
    for (size_t i = 0; i < sw_jobset_len(&s->queue); i++) {
        struct sw_job *j = sw_jobset_at(&s->queue, i);
        j->priority = sw_priority_compute(&s->cfg.prio, s->fs, j, now, cores);
    }
    sw_jobset_resort(&s->queue);
    s->easy_valid = false;
    s->stats.priority_recalcs++;
    return 0;
}

/* ---- calls ------------------------------------------------------------ */

static int validate_job(const struct sw_sched *s, const struct sw_job *j, sw_error_t *err)
{
    errno = EINVAL;
    if (j->state != SW_JOB_NEW)
        return sw_errprintf(err, "job %llu was already submitted", (unsigned long long)j->id);
    if (j->estimate <= 0)
        return sw_errprintf(err, "job %llu: estimate (walltime) must be > 0 s, got %lld",
                            (unsigned long long)j->id, (long long)j->estimate);
    if (j->estimate > SW_TIME_MAX || j->submit > SW_TIME_MAX || j->submit < -SW_TIME_MAX)
        return sw_errprintf(err, "job %llu: submit time or estimate out of range (at most %lld s)",
                            (unsigned long long)j->id, (long long)SW_TIME_MAX);
    if (j->need.v[SW_RES_CORES] <= 0)
        return sw_errprintf(err, "job %llu: needs at least one core, got %lld",
                            (unsigned long long)j->id, (long long)j->need.v[SW_RES_CORES]);
    for (int d = 0; d < SW_RES_NDIMS; d++) {
        if (j->need.v[d] < 0 || j->need.v[d] > s->cfg.capacity.v[d])
            return sw_errprintf(err, "job %llu: needs %lld %s, the machine has %lld",
                                (unsigned long long)j->id, (long long)j->need.v[d],
                                sw_res_dim_name(d), (long long)s->cfg.capacity.v[d]);
    }
    errno = 0;
    return 0;
}

/* Add (sign +1) or remove (-1) a pending job's work from the backlog. */
static void sched_queued_work(struct sw_sched *s, const struct sw_job *j, int sign)
{
    for (int d = 0; d < SW_RES_NDIMS; d++)
        s->queued_work[d] += sign * (double)j->need.v[d] * (double)j->estimate;
}

int sw_sched_submit(struct sw_sched *s, struct sw_job *j, int64_t now, sw_error_t *err)
{
    if (now > SW_TIME_MAX || now < -SW_TIME_MAX) {
        errno = EINVAL;
        return sw_errprintf(err, "time %lld out of range (at most %lld s)", (long long)now,
                            (long long)SW_TIME_MAX);
    }
    if (validate_job(s, j, err) < 0)
        return -1;
    /* Reserve a running-set slot now so that starting a job never fails. */
    size_t total = sw_jobset_len(&s->queue) + sw_jobset_len(&s->running) + 1;
    j->seq = s->next_seq;
    j->state = SW_JOB_PENDING;
    j->start = j->reserved = j->first_reserved = -1;
    j->priority = 0;
    if (s->fs) {
        if (sw_fairshare_charge(s->fs, j->user, 0.0) < 0)
            goto out_nomem;
        j->priority = sw_priority_compute(&s->cfg.prio, s->fs, j, now,
                                          s->cfg.capacity.v[SW_RES_CORES]);
    }
    if (s->running.cap < 2 * total + 2 && sw_jobset_reserve(&s->running, total * 2) < 0)
        goto out_nomem;
    if (s->nfresh == s->fresh_cap) {
        size_t cap = s->fresh_cap ? s->fresh_cap * 2 : 16;
        struct sw_job **f = realloc(s->fresh, cap * sizeof(*f));
        if (!f)
            goto out_nomem;
        s->fresh = f;
        s->fresh_cap = cap;
    }
    if (sw_jobset_insert(&s->queue, j) < 0)
        goto out_nomem;
    if (s->ops->on_submit && s->ops->on_submit(s, j, now) < 0) {
        sw_jobset_remove(&s->queue, j);
        goto out_nomem;
    }
    s->next_seq++;
    s->fresh[s->nfresh++] = j;
    sched_queued_work(s, j, +1);
    return 0;
out_nomem:
    j->state = SW_JOB_NEW;
    errno = ENOMEM;
    return sw_errprintf(err, "out of memory queueing job %llu", (unsigned long long)j->id);
}

int sw_sched_adopt(struct sw_sched *s, struct sw_job *j, int64_t now, sw_error_t *err)
{
    if (validate_job(s, j, err) < 0)
        return -1;
    size_t total = sw_jobset_len(&s->queue) + sw_jobset_len(&s->running) + 1;
    if (s->running.cap < 2 * total + 2 && sw_jobset_reserve(&s->running, total * 2) < 0) {
        errno = ENOMEM;
        return sw_errprintf(err, "out of memory adopting job %llu", (unsigned long long)j->id);
    }
    j->seq = s->next_seq++;
    j->state = SW_JOB_RUNNING;
    j->start = now;
    j->reserved = j->first_reserved = -1;
    (void)sw_jobset_insert(&s->running, j); /* room reserved above */
    sw_res_add(&s->used, &j->need);
    s->easy_valid = false;
    if (s->ops->on_adopt && s->ops->on_adopt(s, j, now) < 0) {
        sw_jobset_remove(&s->running, j);
        sw_res_sub(&s->used, &j->need);
        j->state = SW_JOB_NEW;
        errno = ENOMEM;
        return sw_errprintf(err, "out of memory adopting job %llu", (unsigned long long)j->id);
    }
    return 0;
}

int sw_sched_complete(struct sw_sched *s, struct sw_job *j, int64_t now)
{
    if (j->state != SW_JOB_RUNNING || sw_jobset_remove(&s->running, j) < 0) {
        errno = EINVAL;
        return -1;
    }
    sw_res_sub(&s->used, &j->need);
    j->state = SW_JOB_DONE;
    s->easy_valid = false;
    if (s->fs && s->prio_calc_done) {
        int64_t from = j->start > s->prio_calc_at ? j->start : s->prio_calc_at;
        if (now > from)
            (void)sw_fairshare_charge(s->fs, j->user,
                                      (double)j->need.v[SW_RES_CORES] * (double)(now - from));
    }
    if (s->ops->on_complete)
        s->ops->on_complete(s, j, now);
    return 0;
}

int sw_sched_cancel(struct sw_sched *s, struct sw_job *j, int64_t now)
{
    if (j->state != SW_JOB_PENDING || sw_jobset_remove(&s->queue, j) < 0) {
        errno = EINVAL;
        return -1;
    }
    j->state = SW_JOB_DONE;
    sched_queued_work(s, j, -1);
    if (s->easy_head == j)
        s->easy_head = NULL;
    s->easy_valid = false;
    if (s->ops->on_cancel)
        s->ops->on_cancel(s, j, now);
    return 0;
}

int sw_sched_pass(struct sw_sched *s, int64_t now, sw_start_f on_start, void *arg)
{
    if (prio_maybe_recalc(s, now) < 0)
        return -1;
    s->stats.passes++;
    s->next_wakeup = INT64_MAX;
    int started = s->ops->pass(s, now, on_start, arg);
    if (started >= 0)
        s->nfresh = 0;
    return started;
}

/* ---- helpers for the policies ----------------------------------------- */

struct sw_res sw__sched_free_now(const struct sw_sched *s, int64_t now)
{
    struct sw_res free = s->cfg.capacity;
    sw_res_sub(&free, &s->used);
    for (size_t i = 0; i < sw_jobset_len(&s->running); i++) {
        const struct sw_job *j = sw_jobset_at(&s->running, i);
        if (sw_job_est_end(j) > now)
            break;
        sw_res_add(&free, &j->need); /* past its walltime: counts as finished */
    }
    return free;
}

void sw__sched_start_at(struct sw_sched *s, size_t qi, int64_t now, sw_start_f on_start,
                        void *arg)
{
    struct sw_job *j = sw_jobset_at(&s->queue, qi);
    sw_jobset_remove_at(&s->queue, qi);
    sched_queued_work(s, j, -1);
    j->state = SW_JOB_RUNNING;
    j->start = now;
    /* cannot fail: submit reserved room for every job in the scheduler */
    (void)sw_jobset_insert(&s->running, j);
    sw_res_add(&s->used, &j->need);
    if (s->easy_head == j)
        s->easy_head = NULL;
    s->stats.starts++;
    if (on_start)
        on_start(j, now, arg);
}

void sw__sched_reserve(struct sw_sched *s, struct sw_job *j, int64_t t)
{
    if (j->reserved >= 0 && t > j->reserved)
        s->stats.reservations_moved_later++;
    j->reserved = t;
    if (j->first_reserved < 0)
        j->first_reserved = t;
}

int sw__sched_start_head_jobs(struct sw_sched *s, int64_t now, struct sw_res *free,
                              sw_start_f on_start, void *arg)
{
    int started = 0;
    while (sw_jobset_len(&s->queue) > 0) {
        struct sw_job *head = sw_jobset_at(&s->queue, 0);
        if (!sw_res_fits(&head->need, free))
            break;
        sw_res_sub(free, &head->need);
        sw__sched_start_at(s, 0, now, on_start, arg);
        started++;
    }
    return started;
}

/* ---- observers -------------------------------------------------------- */

int64_t sw_sched_next_wakeup(const struct sw_sched *s)
{
    return s->next_wakeup;
}

int64_t sw_sched_estimate_wait(const struct sw_sched *s, const struct sw_res *need, int64_t now)
{
    struct sw_res free = sw__sched_free_now(s, now);
    int64_t fit = now;
    if (!sw_res_fits(need, &free)) {
        fit = INT64_MAX;
        for (size_t i = 0; i < sw_jobset_len(&s->running); i++) {
            const struct sw_job *j = sw_jobset_at(&s->running, i);
            if (sw_job_est_end(j) <= now)
                continue;
            sw_res_add(&free, &j->need);
            if (sw_res_fits(need, &free)) {
                fit = sw_job_est_end(j);
                break;
            }
        }
    }
    double backlog = 0;
    for (int d = 0; d < SW_RES_NDIMS; d++) {
        if (s->cfg.capacity.v[d] > 0) {
            double b = s->queued_work[d] / (double)s->cfg.capacity.v[d];
            if (b > backlog)
                backlog = b;
        }
    }
    int64_t wait = fit == INT64_MAX ? SW_TIME_MAX : fit - now;
    if ((double)wait < backlog)
        wait = backlog > (double)SW_TIME_MAX ? SW_TIME_MAX : (int64_t)backlog;
    return wait;
}

const struct sw_job *sw_sched_running_at(const struct sw_sched *s, size_t i)
{
    return sw_jobset_at(&s->running, i);
}

size_t sw_sched_pending_count(const struct sw_sched *s)
{
    return sw_jobset_len(&s->queue);
}

size_t sw_sched_running_count(const struct sw_sched *s)
{
    return sw_jobset_len(&s->running);
}

struct sw_res sw_sched_used(const struct sw_sched *s)
{
    return s->used;
}

const struct sw_sched_config *sw_sched_config(const struct sw_sched *s)
{
    return &s->cfg;
}

const struct sw_sched_stats *sw_sched_stats(const struct sw_sched *s)
{
    return &s->stats;
}

const struct sw_job *sw_sched_pending_at(const struct sw_sched *s, size_t i)
{
    return sw_jobset_at(&s->queue, i);
}
