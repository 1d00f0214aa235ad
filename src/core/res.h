/* res.h — a resource vector: what a job needs, what a machine has free.
 *
 * Every capacity question in the core ("does this job fit?", "how much is
 * free at time t?") is asked of these vectors, so that a single HPC machine
 * (cores only) and an AI site (cores, memory, accelerators) are scheduled by
 * the same code. A dimension a job does not use is 0 and always fits.
 */
#ifndef SW_CORE_RES_H
#define SW_CORE_RES_H

#include <stdbool.h>
#include <stdint.h>

enum sw_res_dim {
    SW_RES_CORES = 0,  /* processors / CPU cores */
    SW_RES_MEM_MIB,    /* memory, MiB */
    SW_RES_ACCEL,      /* accelerators (GPUs, NPUs) */
    SW_RES_NDIMS
};

struct sw_res {
    int64_t v[SW_RES_NDIMS];
};

/* A vector with `cores` processors and nothing else. */
static inline struct sw_res sw_res_cores(int64_t cores)
{
    struct sw_res r = {{0}};
    r.v[SW_RES_CORES] = cores;
    return r;
}

/* True when every dimension of `need` is at most that of `avail`. */
static inline bool sw_res_fits(const struct sw_res *need, const struct sw_res *avail)
{
    for (int d = 0; d < SW_RES_NDIMS; d++)
        if (need->v[d] > avail->v[d])
            return false;
    return true;
}

static inline void sw_res_add(struct sw_res *acc, const struct sw_res *x)
{
    for (int d = 0; d < SW_RES_NDIMS; d++)
        acc->v[d] += x->v[d];
}

static inline void sw_res_sub(struct sw_res *acc, const struct sw_res *x)
{
    for (int d = 0; d < SW_RES_NDIMS; d++)
        acc->v[d] -= x->v[d];
}

/* True when no dimension is negative. */
static inline bool sw_res_nonneg(const struct sw_res *r)
{
    for (int d = 0; d < SW_RES_NDIMS; d++)
        if (r->v[d] < 0)
            return false;
    return true;
}

/* Elementwise minimum of a and b, into a. */
void sw_res_min(struct sw_res *a, const struct sw_res *b);

/* Name of a dimension ("cores", "mem_mib", "accel"), for messages. */
const char *sw_res_dim_name(enum sw_res_dim d);

#endif
