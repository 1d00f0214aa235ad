/* res.c — the out-of-line parts of the resource vector (see res.h). */
#include "core/res.h"

void sw_res_min(struct sw_res *a, const struct sw_res *b)
{
    for (int d = 0; d < SW_RES_NDIMS; d++)
        if (b->v[d] < a->v[d])
            a->v[d] = b->v[d];
}

const char *sw_res_dim_name(enum sw_res_dim d)
{
    static const char *const names[SW_RES_NDIMS] = {
        [SW_RES_CORES] = "cores",
        [SW_RES_MEM_MIB] = "mem_mib",
        [SW_RES_ACCEL] = "accel",
    };
    return (d >= 0 && d < SW_RES_NDIMS) ? names[d] : "?";
}
