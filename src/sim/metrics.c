/* metrics.c — summary metrics of a simulated schedule (see metrics.h; every
 * metric and its unit is described in docs/report.md).
 *
 *   wait             = start - submit
 *   bounded slowdown = max(1, (wait + runtime) / max(runtime, 10 s))
 *   response         = wait + runtime
 *   utilization      = sum(procs * runtime) / (machine procs * makespan)
 *   makespan         = last end - first submit
 *   median, p95 wait : nearest-rank percentiles of the waits: the p-th
 *                      percentile of n values is the ceil(p/100 * n)-th
 *                      smallest (1-based), so it is always a wait that some
 *                      job actually had.
 *
 * Integer sums are accumulated exactly in 128 bits (sum of procs * runtime
 * reaches ~1e15 on year-long traces and could exceed int64 on synthetic
 * ones); real-valued sums in long double.
 */
#include "sim/metrics.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

/* The bound of bounded slowdown: jobs shorter than this count as this long. */
enum { SW_BSLD_TAU_S = 10 };

__extension__ typedef __int128 acc_t;

double sw_bounded_slowdown(int64_t wait, int64_t runtime)
{
    int64_t denom = runtime > SW_BSLD_TAU_S ? runtime : SW_BSLD_TAU_S;
    double v = ((double)wait + (double)runtime) / (double)denom;
    return v > 1.0 ? v : 1.0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a;
    int64_t y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentile `pct` (0..100) of `n` > 0 sorted values. */
static int64_t percentile_nearest_rank(const int64_t *sorted, size_t n, unsigned pct)
{
    uint64_t rank = ((uint64_t)pct * n + 99) / 100; /* ceil(pct/100 * n) */
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return sorted[rank - 1];
}

static size_t max_queued(const struct sw_sim_result *r)
{
    size_t best = 0;
    for (size_t i = 0; i < r->nsamples; i++)
        if (r->samples[i].queued > best)
            best = r->samples[i].queued;
    return best;
}

/* Sums, extremes and the waits of all jobs (waits[] has njobs entries). */
static void accumulate(const struct sw_sim_result *r, struct sw_sim_metrics *m,
                       int64_t *waits)
{
    acc_t sum_wait = 0, sum_resp = 0, area = 0;
    long double sum_bsld = 0;
    m->first_submit = r->jobs[0].submit;
    m->last_end = r->jobs[0].end;
    for (size_t i = 0; i < r->njobs; i++) {
        const struct sw_sim_jobrec *j = &r->jobs[i];
        int64_t wait = j->start - j->submit;
        double bsld = sw_bounded_slowdown(wait, j->runtime);
        waits[i] = wait;
        sum_wait += wait;
        sum_resp += (acc_t)wait + j->runtime;
        area += (acc_t)j->procs * j->runtime;
        sum_bsld += bsld;
        if (wait > m->max_wait_s)
            m->max_wait_s = wait;
        if (bsld > m->max_bounded_slowdown)
            m->max_bounded_slowdown = bsld;
        if (j->submit < m->first_submit)
            m->first_submit = j->submit;
        if (j->end > m->last_end)
            m->last_end = j->end;
    }
    long double n = (long double)r->njobs;
    m->mean_wait_s = (double)((long double)sum_wait / n);
    m->mean_response_s = (double)((long double)sum_resp / n);
    m->mean_bounded_slowdown = (double)(sum_bsld / n);
    m->makespan_s = m->last_end - m->first_submit;
    if (m->procs > 0 && m->makespan_s > 0)
        m->utilization = (double)((long double)area /
                                  ((long double)m->procs * (long double)m->makespan_s));
}

int sw_metrics_compute(struct sw_sim_result *r, int64_t procs)
{
    struct sw_sim_metrics m = { .jobs = r->njobs, .procs = procs };
    m.max_queued = max_queued(r);
    if (r->njobs == 0) {
        r->metrics = m;
        return 0;
    }
    if (r->njobs > SIZE_MAX / sizeof(int64_t)) {
        errno = ENOMEM;
        return -1;
    }
    int64_t *waits = malloc(r->njobs * sizeof(*waits));
    if (!waits)
        return -1;
    accumulate(r, &m, waits);
    qsort(waits, r->njobs, sizeof(*waits), cmp_i64);
    m.median_wait_s = (double)percentile_nearest_rank(waits, r->njobs, 50);
    m.p95_wait_s = (double)percentile_nearest_rank(waits, r->njobs, 95);
    free(waits);
    r->metrics = m;
    return 0;
}
