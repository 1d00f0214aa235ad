/* nodefit.c — declared node classes against the nodes a site reports
 * (see nodefit.h): which reported shapes can host a class, and the greedy
 * hand-out of reported nodes to classes.
 */
#include "core/nodefit.h"

#include <errno.h>
#include <stdlib.h>
#include <strings.h>

/* Accelerators of `model` (catalog name, any case) on one node of `s`. */
static int64_t shape_accels(const struct sw_node_shape *s, const char *model)
{
    int64_t n = 0;
    for (size_t i = 0; i < s->naccel; i++)
        if (strcasecmp(s->accel[i].model, model) == 0)
            n += s->accel[i].count;
    return n;
}

static int64_t shape_accel_total(const struct sw_node_shape *s)
{
    int64_t n = 0;
    for (size_t i = 0; i < s->naccel; i++)
        n += s->accel[i].count;
    return n;
}

bool sw_shape_hosts(const struct sw_node_shape *node, const struct sw_node_class *nc,
                    const struct sw_catalog *cat)
{
    if (node->cores < nc->cores || node->mem_mib < nc->mem_mib)
        return false;
    if (nc->accels <= 0)
        return true;
    if (nc->accel < 0 || (size_t)nc->accel >= cat->n)
        return false;
    return shape_accels(node, cat->models[nc->accel].name) >= nc->accels;
}

/* Is declared class a more demanding than b (served first)? */
static bool class_before(const struct sw_node_class *a, size_t ia, const struct sw_node_class *b,
                         size_t ib)
{
    if (a->accels != b->accels)
        return a->accels > b->accels;
    if (a->cores != b->cores)
        return a->cores > b->cores;
    if (a->mem_mib != b->mem_mib)
        return a->mem_mib > b->mem_mib;
    return ia < ib;
}

/* Is reported shape a less capable than b (handed out first)? */
static bool shape_before(const struct sw_node_shape *a, size_t ia, const struct sw_node_shape *b,
                         size_t ib)
{
    int64_t ga = shape_accel_total(a), gb = shape_accel_total(b);
    if (ga != gb)
        return ga < gb;
    if (a->cores != b->cores)
        return a->cores < b->cores;
    if (a->mem_mib != b->mem_mib)
        return a->mem_mib < b->mem_mib;
    return ia < ib;
}

/* Sort idx[0..n) by `before` (insertion sort: the lists are short). */
static void sort_classes(size_t *idx, size_t n, const struct sw_node_class *cl)
{
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && class_before(&cl[idx[j]], idx[j], &cl[idx[j - 1]], idx[j - 1]);
             j--) {
            size_t t = idx[j];
            idx[j] = idx[j - 1];
            idx[j - 1] = t;
        }
}

static void sort_shapes(size_t *idx, size_t n, const struct sw_node_shape *sh)
{
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && shape_before(&sh[idx[j]], idx[j], &sh[idx[j - 1]], idx[j - 1]);
             j--) {
            size_t t = idx[j];
            idx[j] = idx[j - 1];
            idx[j - 1] = t;
        }
}

/* Give class `nc` up to its count of the nodes left, least capable first. */
static int64_t take_nodes(const struct sw_node_class *nc, const struct sw_catalog *cat,
                          const struct sw_node_shape *shapes, const size_t *order,
                          size_t nshapes, int64_t *left)
{
    int64_t want = nc->count, got = 0;
    for (size_t k = 0; k < nshapes && got < want; k++) {
        size_t r = order[k];
        if (left[r] <= 0 || !sw_shape_hosts(&shapes[r], nc, cat))
            continue;
        int64_t take = want - got < left[r] ? want - got : left[r];
        left[r] -= take;
        got += take;
    }
    return got;
}

int sw_nodefit(const struct sw_network *net, const struct sw_site *site,
               const struct sw_node_shape *shapes, size_t nshapes, struct sw_class_fit *out,
               sw_error_t *err)
{
    size_t nc = site->nclasses;
    size_t *corder = calloc(nc ? nc : 1, sizeof(*corder));
    size_t *sorder = calloc(nshapes ? nshapes : 1, sizeof(*sorder));
    int64_t *left = calloc(nshapes ? nshapes : 1, sizeof(*left));
    if (!corder || !sorder || !left) {
        free(corder);
        free(sorder);
        free(left);
        errno = ENOMEM;
        return sw_errprintf(err, "out of memory fitting the nodes of site %s", site->name);
    }
    for (size_t r = 0; r < nshapes; r++) {
        sorder[r] = r;
        left[r] = shapes[r].count > 0 ? shapes[r].count : 0;
    }
    for (size_t k = 0; k < nc; k++) {
        corder[k] = k;
        out[k] = (struct sw_class_fit){.declared = site->classes[k].count};
        for (size_t r = 0; r < nshapes; r++)
            if (sw_shape_hosts(&shapes[r], &site->classes[k], &net->catalog))
                out[k].reported += left[r];
    }
    sort_classes(corder, nc, site->classes);
    sort_shapes(sorder, nshapes, shapes);
    for (size_t k = 0; k < nc; k++) {
        size_t d = corder[k];
        out[d].schedulable =
            take_nodes(&site->classes[d], &net->catalog, shapes, sorder, nshapes, left);
    }
    free(corder);
    free(sorder);
    free(left);
    return 0;
}
