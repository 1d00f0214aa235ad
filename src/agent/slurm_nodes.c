/* slurm_nodes.c — `scontrol show node -o` grouped into node classes by
 * shape (see slurm_nodes.h): node records, states, GRES strings, shapes.
 */
#include "agent/slurm_nodes.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "agent/backend_slurm_int.h"

/* ---- states ---- */

static bool token_is(const char *t, size_t len, const char *word)
{
    return strlen(word) == len && strncasecmp(t, word, len) == 0;
}

bool sw_slurm_node_usable(const char *state)
{
    static const char *const base_ok[] = {"IDLE", "MIXED", "ALLOCATED"};
    static const char *const flag_bad[] = {"DRAIN", "DRAINED", "DRAINING", "FAIL", "FAILING",
                                           "NOT_RESPONDING", "INVALID_REG"};
    const char *p = state;
    bool first = true, ok = false;
    while (*p) {
        size_t len = strcspn(p, "+");
        size_t w = len;
        while (w > 0 && strchr("*~#!%$@^-", p[w - 1])) /* sinfo's suffixes, if any */
            w--;
        if (first) {
            for (size_t i = 0; i < sizeof(base_ok) / sizeof(base_ok[0]); i++)
                ok |= token_is(p, w, base_ok[i]);
            if (w < len && p[len - 1] == '*') /* sinfo: not responding */
                return false;
        } else {
            for (size_t i = 0; i < sizeof(flag_bad) / sizeof(flag_bad[0]); i++)
                if (token_is(p, w, flag_bad[i]))
                    return false;
        }
        first = false;
        p += len;
        if (*p == '+')
            p++;
    }
    return ok;
}

/* ---- GRES ---- */

void sw_slurm_gres_model(const char *type, const struct sw_slurm_nodes_opts *o, char *out,
                         size_t n)
{
    if (!type || !*type) {
        snprintf(out, n, "GPU");
        return;
    }
    for (size_t i = 0; o && i < o->nknown; i++)
        if (strcasecmp(o->known[i].model, type) == 0) {
            snprintf(out, n, "%s", o->known[i].model);
            return;
        }
    if (o && o->cat) {
        char words[SW_ACCEL_NAME_MAX];
        snprintf(words, sizeof(words), "%s", type);
        for (char *q = words; *q; q++)
            if (*q == '_')
                *q = '-';
        sw_discover_gpu_model(words, o->cat, out, n);
        if (strcmp(out, words) != 0)
            return; /* a catalog model */
    }
    snprintf(out, n, "%s", type);
    for (char *q = out; *q; q++)
        *q = (char)toupper((unsigned char)*q);
}

/* "4", "2K" -> count; -1 when not a count. */
static int64_t gres_count(const char *s)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end == s || v < 0 || errno)
        return -1;
    int64_t mul = 1;
    if (*end == 'K' || *end == 'k')
        mul = 1024, end++;
    else if (*end == 'M' || *end == 'm')
        mul = 1024 * 1024, end++;
    else if (*end == 'G' || *end == 'g')
        mul = 1024 * 1024 * 1024, end++;
    return *end ? -1 : (int64_t)v * mul;
}

/* Add `count` GPUs of `type` to a shape's list (merging one type). */
static void shape_add_gpus(struct sw_node_class_report *r, const char *type, int64_t count,
                           const struct sw_slurm_nodes_opts *o)
{
    for (size_t i = 0; i < r->naccel; i++)
        if (strcmp(r->accel[i].gres_type, type) == 0) {
            r->accel[i].count += count;
            return;
        }
    if (r->naccel >= SW_CLASS_MAX_ACCEL)
        return;
    struct sw_class_accel *a = &r->accel[r->naccel++];
    snprintf(a->gres_type, sizeof(a->gres_type), "%s", type);
    sw_slurm_gres_model(type, o, a->model, sizeof(a->model));
    a->count = count;
}

/* One GRES item "gpu", "gpu:4", "gpu:a100:4" (suffix "(S:…)" cut off). */
static void gres_item(struct sw_node_class_report *r, char *item,
                      const struct sw_slurm_nodes_opts *o)
{
    item[strcspn(item, "(")] = '\0';
    char *f[3] = {item, NULL, NULL};
    for (int i = 1; i < 3 && f[i - 1]; i++) {
        char *colon = strchr(f[i - 1], ':');
        if (colon) {
            *colon = '\0';
            f[i] = colon + 1;
        }
    }
    if (strcmp(f[0], "gpu") != 0)
        return;
    const char *type = "";
    int64_t count = 1;
    if (f[2]) {
        type = f[1];
        count = gres_count(f[2]);
    } else if (f[1]) {
        count = gres_count(f[1]);
        if (count < 0) { /* "gpu:a100": a type, one of it */
            type = f[1];
            count = 1;
        }
    }
    if (count > 0)
        shape_add_gpus(r, type, count, o);
}

/* "gpu:a100:4(S:0-1),gpu:v100:2(S:0,2),mps:100": commas inside
 * parentheses do not separate items. */
static void parse_gres(struct sw_node_class_report *r, const char *gres,
                       const struct sw_slurm_nodes_opts *o)
{
    char item[256];
    size_t k = 0;
    int depth = 0;
    for (const char *p = gres;; p++) {
        bool end = *p == '\0' || (*p == ',' && depth == 0);
        if (end) {
            item[k] = '\0';
            if (k > 0)
                gres_item(r, item, o);
            k = 0;
            if (!*p)
                break;
            continue;
        }
        depth += *p == '(' ? 1 : *p == ')' ? -1 : 0;
        if (k + 1 < sizeof(item))
            item[k++] = *p;
    }
}

/* ---- shapes ---- */

static int cmp_accel(const void *a, const void *b)
{
    return strcmp(((const struct sw_class_accel *)a)->gres_type,
                  ((const struct sw_class_accel *)b)->gres_type);
}

static bool same_shape(const struct sw_node_class_report *a, const struct sw_node_class_report *b)
{
    if (a->cores != b->cores || a->mem_mib != b->mem_mib || a->naccel != b->naccel)
        return false;
    for (size_t i = 0; i < a->naccel; i++)
        if (a->accel[i].count != b->accel[i].count ||
            strcmp(a->accel[i].gres_type, b->accel[i].gres_type) != 0)
            return false;
    return true;
}

/* "c64-m257000" or "c64-m257000-a100x4" (an untyped GPU: "gpux4"). */
static void shape_name(struct sw_node_class_report *r)
{
    int w = snprintf(r->name, sizeof(r->name), "c%lld-m%lld", (long long)r->cores,
                     (long long)r->mem_mib);
    for (size_t i = 0; i < r->naccel && w > 0 && (size_t)w < sizeof(r->name); i++)
        w += snprintf(r->name + w, sizeof(r->name) - (size_t)w, "-%sx%lld",
                      r->accel[i].gres_type[0] ? r->accel[i].gres_type : "gpu",
                      (long long)r->accel[i].count);
}

/* Is the node in the partition (a "Partitions=a,b" list)? */
static bool in_partition(const char *line, const char *partition)
{
    if (!partition || !*partition)
        return true;
    char val[1024];
    if (!sw__slurm_field(line, "Partitions", val, sizeof(val)))
        return false;
    for (char *sv = NULL, *t = strtok_r(val, ",", &sv); t; t = strtok_r(NULL, ",", &sv))
        if (strcmp(t, partition) == 0)
            return true;
    return false;
}

static int64_t field_i64(const char *line, const char *key, int64_t def)
{
    char val[64];
    if (!sw__slurm_field(line, key, val, sizeof(val)))
        return def;
    char *end;
    long long v = strtoll(val, &end, 10);
    return end == val ? def : (int64_t)v;
}

/* The shape of one node line; -1 with a message when it is not one. */
static int node_shape(const char *line, const char *node, const struct sw_slurm_nodes_opts *o,
                      struct sw_node_class_report *r, sw_error_t *err)
{
    memset(r, 0, sizeof(*r));
    int64_t tot = field_i64(line, "CPUTot", -1), eff = field_i64(line, "CPUEfctv", -1);
    int64_t mem = field_i64(line, "RealMemory", -1), spec = field_i64(line, "MemSpecLimit", 0);
    if (tot < 0 || mem < 0) {
        errno = EPROTO;
        return sw_errprintf(err, "scontrol show node: node %s has no %s: is this the output of "
                                 "`scontrol show node -o`?",
                            node, tot < 0 ? "CPUTot" : "RealMemory");
    }
    r->count = 1;
    r->cores = eff >= 0 ? eff : tot;
    r->mem_mib = mem - (spec > 0 && spec < mem ? spec : 0);
    char gres[1024];
    if (sw__slurm_field(line, "Gres", gres, sizeof(gres)) && strcmp(gres, "(null)") != 0)
        parse_gres(r, gres, o);
    qsort(r->accel, r->naccel, sizeof(r->accel[0]), cmp_accel);
    shape_name(r);
    return 0;
}

/* Add one node of shape r to out. */
static int add_node(struct sw_node_classes *out, const struct sw_node_class_report *r,
                    sw_error_t *err)
{
    for (size_t i = 0; i < out->n; i++)
        if (same_shape(&out->c[i], r)) {
            out->c[i].count++;
            return 0;
        }
    if (out->n >= SW_DISCOVER_MAX_CLASSES) {
        errno = E2BIG;
        return sw_errprintf(err, "the Slurm nodes have more than %d shapes (CPUs, memory, GPUs): "
                                 "give the agent one partition of fewer kinds of node "
                                 "(--slurm-partition)", SW_DISCOVER_MAX_CLASSES);
    }
    out->c[out->n++] = *r;
    return 0;
}

static void note_left(struct sw_slurm_nodes_summary *sum, const char *node, const char *state)
{
    sum->left_out++;
    if (sum->nleft >= SW_SLURM_LEFT_MAX)
        return;
    struct sw_slurm_left *l = &sum->left[sum->nleft++];
    snprintf(l->node, sizeof(l->node), "%s", node);
    snprintf(l->state, sizeof(l->state), "%s", state);
}

/* One line of the output. */
static int group_line(const char *line, const struct sw_slurm_nodes_opts *o,
                      struct sw_node_classes *out, struct sw_slurm_nodes_summary *sum,
                      sw_error_t *err)
{
    char node[64], state[64] = "";
    if (!sw__slurm_field(line, "NodeName", node, sizeof(node)))
        return 0; /* not a node record (a blank line, a message) */
    if (!in_partition(line, o->partition)) {
        sum->other_partition++;
        return 0;
    }
    sw__slurm_field(line, "State", state, sizeof(state));
    if (!sw_slurm_node_usable(state)) {
        note_left(sum, node, state[0] ? state : "(no State)");
        return 0;
    }
    struct sw_node_class_report r;
    if (node_shape(line, node, o, &r, err) < 0 || add_node(out, &r, err) < 0)
        return -1;
    sum->counted++;
    return 0;
}

int sw_slurm_nodes_group(const char *text, const struct sw_slurm_nodes_opts *o,
                         struct sw_node_classes *out, struct sw_slurm_nodes_summary *sum,
                         sw_error_t *err)
{
    struct sw_slurm_nodes_summary local;
    if (!sum)
        sum = &local;
    memset(sum, 0, sizeof(*sum));
    memset(out, 0, sizeof(*out));
    char *copy = strdup(text);
    if (!copy) {
        errno = ENOMEM;
        return sw_errprintf(err, "out of memory");
    }
    int rc = 0;
    for (char *sv = NULL, *line = strtok_r(copy, "\n", &sv); line && rc == 0;
         line = strtok_r(NULL, "\n", &sv))
        rc = group_line(line, o, out, sum, err);
    free(copy);
    return rc;
}

void sw_slurm_nodes_totals(const struct sw_node_classes *cl, struct sw_capacity *cap)
{
    cap->cores = cap->mem_mib = 0;
    cap->ngroups = cap->ndevices = 0;
    for (size_t i = 0; i < cl->n; i++) {
        const struct sw_node_class_report *r = &cl->c[i];
        cap->cores += r->count * r->cores;
        cap->mem_mib += r->count * r->mem_mib;
        for (size_t a = 0; a < r->naccel; a++) {
            size_t g = 0;
            while (g < cap->ngroups && strcmp(cap->groups[g].model, r->accel[a].model) != 0)
                g++;
            if (g == cap->ngroups) {
                if (cap->ngroups >= SW_DISCOVER_MAX_GROUPS)
                    continue;
                cap->ngroups++;
                snprintf(cap->groups[g].model, sizeof(cap->groups[g].model), "%s",
                         r->accel[a].model);
                cap->groups[g].count = 0;
                cap->groups[g].source = "slurm";
            }
            cap->groups[g].count += r->count * r->accel[a].count;
        }
    }
}
