/* ctl_capacity.c — what each site can really take (docs/slurm.md,
 * "Capacity"; docs/agent-protocol.md, "node_classes").
 *
 * The network file declares each site's node classes and the controller
 * schedules by them. At a site whose backend is `slurm`, the node classes
 * its agent reports (Slurm's nodes in service, grouped by shape) are
 * authoritative: each declared class is capped at the reported nodes that
 * can host its node shape (core/nodefit.h), the missing nodes are held in
 * its pool by a stand-in running job, and the placer's capacity filter is
 * capped likewise, so a job larger than what Slurm has goes elsewhere or
 * is refused with the reason. Units queued in a pool that no longer fit it
 * are placed again. Sites with other backends keep the network file's
 * figures (a laptop may stand in for a centre). The cores a site's other
 * users hold (the agent's "in_use") are held too, spread over its classes.
 * All functions run with c->lock held.
 */
#include "server/controller_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SHAPES 256
#define HOLD_S (10LL * 365 * 86400) /* a missing node does not come back by itself */

/* ---- sites -------------------------------------------------------------------- */

int ctl_sites_init(struct sw_controller *c, sw_error_t *err)
{
    c->sites = calloc(c->net.nsites ? c->net.nsites : 1, sizeof(*c->sites));
    if (!c->sites) {
        errno = ENOMEM;
        return sw_errprintf(err, "out of memory");
    }
    for (size_t p = 0; p < c->npools; p++) {
        int s, n;
        sw_placer_pool(c->placer, p, &s, &n);
        if (n == 0)
            c->sites[s].first_pool = p;
    }
    for (size_t s = 0; s < c->net.nsites; s++) {
        const struct sw_site *site = &c->net.sites[s];
        struct ctl_site *st = &c->sites[s];
        st->holds = calloc(site->nclasses ? site->nclasses : 1, sizeof(*st->holds));
        if (!st->holds) {
            errno = ENOMEM;
            return sw_errprintf(err, "out of memory");
        }
        for (size_t k = 0; k < site->nclasses; k++)
            st->holds[k].fit = (struct sw_class_fit){.declared = site->classes[k].count,
                                                     .reported = -1,
                                                     .schedulable = site->classes[k].count};
    }
    return 0;
}

void ctl_sites_free(struct sw_controller *c)
{
    for (size_t s = 0; c->sites && s < c->net.nsites; s++) {
        json_decref(c->sites[s].capacity);
        json_decref(c->sites[s].reported);
        json_decref(c->sites[s].reported_classes);
        free(c->sites[s].shapes);
        free(c->sites[s].holds);
        free(c->sites[s].ready);
        free(c->sites[s].cancels);
    }
    free(c->sites);
    c->sites = NULL;
}

/* ---- the report: "node_classes" ------------------------------------------------ */

/* A non-negative integer field of `o`; false when absent or not one. */
static bool count_field(json_t *o, const char *name, int64_t *out)
{
    json_t *v = json_object_get(o, name);
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return false;
    *out = json_integer_value(v);
    return true;
}

static int parse_accels(json_t *list, size_t i, struct sw_node_shape *sh, sw_error_t *err)
{
    errno = EINVAL;
    if (list && !json_is_array(list))
        return sw_errprintf(err, "node_classes[%zu].accelerators: expected a list of "
                                 "{\"model\", \"count\"}", i);
    if (json_array_size(list) > SW_SHAPE_MAX_ACCEL)
        return sw_errprintf(err, "node_classes[%zu].accelerators: at most %d models per node",
                            i, SW_SHAPE_MAX_ACCEL);
    size_t k;
    json_t *a;
    json_array_foreach(list, k, a) {
        const char *model = json_string_value(json_object_get(a, "model"));
        struct sw_shape_accel *x = &sh->accel[sh->naccel];
        if (!model || !*model || strlen(model) >= sizeof(x->model) ||
            !count_field(a, "count", &x->count))
            return sw_errprintf(err, "node_classes[%zu].accelerators[%zu]: expected "
                                     "{\"model\": NAME, \"count\": N >= 0}", i, k);
        snprintf(x->model, sizeof(x->model), "%s", model);
        sh->naccel++;
    }
    errno = 0;
    return 0;
}

/* The agent's node classes as shapes (*out malloc'ed, zeroed past the
 * fields, so shapes compare with memcmp). */
static int parse_shapes(json_t *list, struct sw_node_shape **out, size_t *n, sw_error_t *err)
{
    *out = NULL;
    *n = 0;
    errno = EINVAL;
    if (!json_is_array(list))
        return sw_errprintf(err, "node_classes: expected a list of {\"name\", \"count\", "
                                 "\"cores\", \"mem_mib\", \"accelerators\"}");
    if (json_array_size(list) > MAX_SHAPES)
        return sw_errprintf(err, "node_classes: at most %d node classes", MAX_SHAPES);
    struct sw_node_shape *sh = calloc(json_array_size(list) + 1, sizeof(*sh));
    if (!sh) {
        errno = ENOMEM;
        return sw_errprintf(err, "out of memory");
    }
    size_t i;
    json_t *o;
    json_array_foreach(list, i, o) {
        if (!count_field(o, "count", &sh[i].count) || !count_field(o, "cores", &sh[i].cores) ||
            !count_field(o, "mem_mib", &sh[i].mem_mib)) {
            free(sh);
            errno = EINVAL;
            return sw_errprintf(err, "node_classes[%zu]: count, cores and mem_mib must be "
                                     "integers >= 0", i);
        }
        if (parse_accels(json_object_get(o, "accelerators"), i, &sh[i], err) < 0) {
            free(sh);
            return -1;
        }
    }
    *out = sh;
    *n = json_array_size(list);
    errno = 0;
    return 0;
}

/* Take in "node_classes" (present, or absent at a registration: none).
 * Returns 1 when they changed, 0 when not, -1 on a bad list. */
static int take_classes(struct ctl_site *st, json_t *list, sw_error_t *err)
{
    struct sw_node_shape *sh = NULL;
    size_t n = 0;
    if (list && parse_shapes(list, &sh, &n, err) < 0)
        return -1;
    bool same = (list != NULL) == (st->reported_classes != NULL) && n == st->nshapes &&
                (n == 0 || memcmp(sh, st->shapes, n * sizeof(*sh)) == 0);
    if (same) {
        free(sh);
        return 0;
    }
    free(st->shapes);
    st->shapes = sh;
    st->nshapes = n;
    json_decref(st->reported_classes);
    st->reported_classes = list ? json_deep_copy(list) : NULL;
    return 1;
}

/* ---- holding what is missing ---------------------------------------------------- */

/* Is this site's reported capacity what it is scheduled by? */
static bool authoritative(const struct sw_controller *c, int site)
{
    return c->net.sites[site].backend == SW_BACKEND_SLURM && c->sites[site].reported_classes;
}

/* Put a stand-in job in `pool` needing `need` (releasing the one held),
 * for `estimate_s`. Nothing is held when need has no cores. */
static void hold(struct sw_controller *c, size_t pool, struct sw_job *j, struct sw_res need,
                 int64_t estimate_s, int64_t now_s)
{
    if (j->state == SW_JOB_RUNNING)
        sw_sched_complete(c->pools[pool], j, now_s);
    *j = (struct sw_job){.id = 0, .estimate = estimate_s, .need = need};
    if (need.v[SW_RES_CORES] <= 0)
        return;
    sw_error_t err;
    if (sw_sched_adopt(c->pools[pool], j, now_s, &err) < 0)
        fprintf(stderr, "suanwang server: cannot hold capacity: %s\n", err.text);
}

/* `nodes` nodes of class nc as a resource vector. */
static struct sw_res nodes_of(const struct sw_node_class *nc, int64_t nodes)
{
    struct sw_node_class x = *nc;
    x.count = nodes;
    return sw_node_class_capacity(&x);
}

/* Units queued in `pool` that no longer fit what it may take go back to be
 * placed (elsewhere, or refused with the reason). */
static void requeue_misfits(struct sw_controller *c, size_t pool, int64_t now_s)
{
    struct sw_res usable = sw_placer_pool_usable(c->placer, pool);
    for (size_t k = 0; k < c->njobs; k++) {
        struct ctl_job *j = c->jobs[k];
        bool moved = false;
        for (size_t i = 0; i < j->nunits; i++) {
            struct ctl_unit *u = &j->units[i];
            if (u->pool != pool || u->state != SW_ST_PENDING ||
                sw_res_fits(&u->core.need, &usable))
                continue;
            sw_sched_cancel(c->pools[pool], &u->core, now_s);
            u->pool = CTL_NO_POOL;
            u->site = u->nclass = u->model = -1;
            moved = true;
        }
        if (moved)
            ctl_queue_placement(c, j);
    }
}

/* Fit the reported shapes to the declared classes; hold what is missing. */
static int apply_fit(struct sw_controller *c, int site, int64_t now_ms, sw_error_t *err)
{
    const struct sw_site *ds = &c->net.sites[site];
    struct ctl_site *st = &c->sites[site];
    struct sw_class_fit *fit = calloc(ds->nclasses ? ds->nclasses : 1, sizeof(*fit));
    if (!fit) {
        errno = ENOMEM;
        return sw_errprintf(err, "out of memory");
    }
    if (sw_nodefit(&c->net, ds, st->shapes, st->nshapes, fit, err) < 0) {
        free(fit);
        return -1;
    }
    bool auth = authoritative(c, site);
    for (size_t k = 0; k < ds->nclasses; k++) {
        size_t pool = st->first_pool + k;
        struct ctl_class_hold *h = &st->holds[k];
        if (!st->reported_classes)
            fit[k].reported = -1;
        if (!auth)
            fit[k].schedulable = fit[k].declared;
        struct sw_res usable = nodes_of(&ds->classes[k], fit[k].schedulable);
        struct sw_res missing = nodes_of(&ds->classes[k], fit[k].declared - fit[k].schedulable);
        if (memcmp(&missing, &h->missing.need, sizeof(missing)) != 0 ||
            (h->missing.state == SW_JOB_RUNNING) != (missing.v[SW_RES_CORES] > 0))
            hold(c, pool, &h->missing, missing, HOLD_S, now_ms / 1000);
        sw_placer_pool_limit(c->placer, pool, auth ? &usable : NULL);
        h->fit = fit[k];
        requeue_misfits(c, pool, now_ms / 1000);
    }
    free(fit);
    pthread_cond_signal(&c->wake);
    return 0;
}

void ctl_site_foreign(struct sw_controller *c, int site, int64_t cores, int64_t now_ms)
{
    const struct sw_site *ds = &c->net.sites[site];
    struct ctl_site *st = &c->sites[site];
    st->in_use_cores = cores > 0 ? cores : 0;
    int64_t left = st->in_use_cores;
    for (size_t k = 0; k < ds->nclasses; k++) {
        size_t pool = st->first_pool + k;
        int64_t room = sw_placer_pool_usable(c->placer, pool).v[SW_RES_CORES];
        int64_t share = left < room ? left : room;
        left -= share;
        struct sw_res need = sw_res_cores(share);
        /* replaced at every heartbeat: it ends when the agent stops saying so */
        hold(c, pool, &st->holds[k].foreign, need, 2 * c->lost_after_ms / 1000 + 1,
             now_ms / 1000);
    }
}

/* ---- what GET /v1/sites shows ----------------------------------------------------- */

static json_t *fit_json(struct sw_controller *c, int site)
{
    const struct sw_site *ds = &c->net.sites[site];
    json_t *list = json_array();
    for (size_t k = 0; list && k < ds->nclasses; k++) {
        const struct sw_class_fit *f = &c->sites[site].holds[k].fit;
        json_array_append_new(list, json_pack("{s:s,s:I,s:I,s:I}", "node_class",
                                              ds->classes[k].name, "declared_nodes",
                                              (json_int_t)f->declared, "reported_nodes",
                                              (json_int_t)f->reported, "schedulable_nodes",
                                              (json_int_t)f->schedulable));
    }
    return list;
}

/* A new reported_capacity (the old one may be in a response being sent). */
static void show_capacity(struct sw_controller *c, int site)
{
    struct ctl_site *st = &c->sites[site];
    json_t *o = st->reported ? json_deep_copy(st->reported) : NULL;
    if (!o && st->reported_classes)
        o = json_object();
    if (o && st->reported_classes) {
        json_object_set_new(o, "node_classes", json_deep_copy(st->reported_classes));
        json_object_set_new(o, "node_class_fit", fit_json(c, site));
        json_object_set_new(o, "authoritative", json_boolean(authoritative(c, site)));
    }
    json_decref(st->capacity);
    st->capacity = o;
}

/* ---- the report ------------------------------------------------------------------- */

int ctl_site_report(struct sw_controller *c, int site, json_t *body, bool registering,
                    int64_t now_ms, sw_error_t *err)
{
    struct ctl_site *st = &c->sites[site];
    json_t *cap = json_object_get(body, "capacity");
    json_t *classes = json_object_get(body, "node_classes");
    int changed = 0;
    if (classes || registering) {
        changed = take_classes(st, classes, err);
        if (changed < 0)
            return -1;
    }
    if (cap || registering) {
        json_decref(st->reported);
        st->reported = cap ? json_deep_copy(cap) : NULL;
    }
    if (changed && apply_fit(c, site, now_ms, err) < 0)
        return -1;
    if (changed || cap || registering)
        show_capacity(c, site);
    json_t *in_use = json_object_get(body, "in_use");
    if (json_is_object(in_use))
        ctl_site_foreign(c, site, json_integer_value(json_object_get(in_use, "cores")), now_ms);
    else if (changed)
        ctl_site_foreign(c, site, st->in_use_cores, now_ms); /* spread over the new caps */
    return 0;
}
