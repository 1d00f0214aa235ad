/* whatif.c — parse and apply "what if" edits of a network (see whatif.h). */
#include "core/whatif.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h> /* snprintf and sscanf on strings only */
#include <stdlib.h>
#include <string.h>

#define WHATIF_FORMS                                                                             \
    "use \"add SITE: N x MODEL\", \"add SITE@REGION: N x MODEL\", "                              \
    "\"bandwidth A-B xF\" or \"latency A-B MS\""

/* Per-node shape of a what-if accelerator class. */
enum { WHATIF_PER_NODE = 8, WHATIF_CORES_PER_NODE = 64, WHATIF_MEM_GIB_PER_NODE = 1024 };

static const char *skip_ws(const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    return s;
}

/* Copy a token of name characters into dst; returns the end of it. */
static const char *take_name(const char *s, char dst[SW_NAME_MAX], const char *stops)
{
    size_t n = 0;
    s = skip_ws(s);
    while (*s && !isspace((unsigned char)*s) && !strchr(stops, *s)) {
        if (n + 1 < SW_NAME_MAX)
            dst[n++] = *s;
        s++;
    }
    dst[n] = '\0';
    return s;
}

static int unknown(const char *what, const char *name, const void *names, size_t n,
                   size_t stride, sw_error_t *err)
{
    errno = EINVAL;
    int near = sw_closest_name(name, names, n, stride);
    if (near >= 0)
        return sw_errprintf(err, "what-if: unknown %s \"%s\"; did you mean \"%s\"?", what, name,
                            (const char *)names + (size_t)near * stride);
    return sw_errprintf(err, "what-if: unknown %s \"%s\"", what, name);
}

static int region_of(const struct sw_network *net, const char *name, int *out, sw_error_t *err)
{
    *out = sw_network_region(net, name);
    if (*out >= 0)
        return 0;
    return unknown("region", name, net->regions, net->nregions, sizeof(net->regions[0]), err);
}

/* The accel price of a site's first accelerator class, else 0. */
static int64_t site_accel_price(const struct sw_site *site)
{
    for (size_t c = 0; c < site->nclasses; c++)
        if (site->classes[c].accels > 0)
            return site->classes[c].price_accel_hour_fen;
    return 0;
}

static int add_class(struct sw_site *site, int model, const char *model_name, int64_t n,
                     sw_error_t *err)
{
    struct sw_node_class *c = realloc(site->classes, (site->nclasses + 1) * sizeof(*c));
    if (!c) {
        errno = ENOMEM;
        return sw_errprintf(err, "what-if: out of memory");
    }
    site->classes = c;
    int64_t per = n < WHATIF_PER_NODE ? n : WHATIF_PER_NODE;
    struct sw_node_class *nc = &c[site->nclasses];
    memset(nc, 0, sizeof(*nc));
    snprintf(nc->name, sizeof(nc->name), "what-if-%s", model_name);
    nc->count = (n + per - 1) / per;
    nc->cores = WHATIF_CORES_PER_NODE;
    nc->mem_mib = (int64_t)WHATIF_MEM_GIB_PER_NODE * 1024;
    nc->accel = model;
    nc->accels = per;
    nc->price_accel_hour_fen = site_accel_price(site);
    nc->price_core_hour_fen = 0;
    snprintf(nc->interconnect, sizeof(nc->interconnect), "what-if");
    site->nclasses++;
    return 0;
}

/* A new AI site in `region`, with the mean PUE and carbon of that region's
 * sites (1.2 and 500 g/kWh when it has none). */
static int add_site(struct sw_network *net, const char *name, int region, sw_error_t *err)
{
    struct sw_site *s = realloc(net->sites, (net->nsites + 1) * sizeof(*s));
    if (!s) {
        errno = ENOMEM;
        return sw_errprintf(err, "what-if: out of memory");
    }
    net->sites = s;
    double pue = 0, carbon[24] = {0};
    size_t k = 0;
    for (size_t i = 0; i < net->nsites; i++) {
        if (s[i].region != region)
            continue;
        pue += s[i].pue;
        for (int h = 0; h < 24; h++)
            carbon[h] += s[i].carbon_g_per_kwh[h];
        k++;
    }
    struct sw_site *site = &s[net->nsites];
    memset(site, 0, sizeof(*site));
    snprintf(site->name, sizeof(site->name), "%s", name);
    snprintf(site->provider, sizeof(site->provider), "what-if");
    site->region = region;
    site->kind = SW_SITE_AI;
    site->backend = SW_BACKEND_LOCAL;
    site->pue = k ? pue / (double)k : 1.2;
    for (int h = 0; h < 24; h++)
        site->carbon_g_per_kwh[h] = k ? carbon[h] / (double)k : 500.0;
    net->nsites++;
    return 0;
}

/* "add SITE[@REGION]: N x MODEL" */
static int whatif_add(struct sw_network *net, const char *s, sw_error_t *err)
{
    char site_name[SW_NAME_MAX], region_name[SW_NAME_MAX] = "", model_name[SW_NAME_MAX];
    s = take_name(s, site_name, ":@");
    if (*s == '@')
        s = take_name(s + 1, region_name, ":");
    s = skip_ws(s);
    char *end = NULL;
    long long n = *s == ':' ? strtoll(s + 1, &end, 10) : 0;
    if (!end || n <= 0 || n > 100000000) {
        errno = EINVAL;
        return sw_errprintf(err, "what-if: expected \"add SITE: N x MODEL\" with N >= 1");
    }
    s = skip_ws(end);
    if (*s != 'x' && *s != 'X') {
        errno = EINVAL;
        return sw_errprintf(err, "what-if: expected \"N x MODEL\" after \"%s:\"", site_name);
    }
    take_name(s + 1, model_name, "");
    int model = sw_catalog_model(&net->catalog, model_name);
    if (model < 0)
        return unknown("model", model_name, net->catalog.models[0].name, net->catalog.n,
                       sizeof(net->catalog.models[0]), err);
    int site = sw_network_site(net, site_name);
    if (site < 0 && !region_name[0])
        return unknown("site", site_name, net->sites[0].name, net->nsites, sizeof(net->sites[0]),
                       err);
    if (site < 0) {
        int region;
        if (region_of(net, region_name, &region, err) < 0 ||
            add_site(net, site_name, region, err) < 0)
            return -1;
        site = (int)net->nsites - 1;
        if (add_class(&net->sites[site], model, model_name, n, err) < 0) {
            net->nsites--; /* leave the network unchanged */
            return -1;
        }
        return 0;
    }
    return add_class(&net->sites[site], model, model_name, n, err);
}

/* "A-B": two region names. */
static const char *take_pair(const char *s, int *a, int *b, const struct sw_network *net,
                             sw_error_t *err)
{
    char na[SW_NAME_MAX], nb[SW_NAME_MAX];
    s = take_name(s, na, "-");
    if (*s != '-') {
        errno = EINVAL;
        sw_errprintf(err, "what-if: expected two regions \"A-B\"");
        return NULL;
    }
    s = take_name(s + 1, nb, "");
    if (region_of(net, na, a, err) < 0 || region_of(net, nb, b, err) < 0)
        return NULL;
    return s;
}

static int whatif_link(struct sw_network *net, const char *s, bool bandwidth, sw_error_t *err)
{
    int a, b;
    s = take_pair(s, &a, &b, net, err);
    if (!s)
        return -1;
    s = skip_ws(s);
    if (bandwidth && (*s == 'x' || *s == 'X'))
        s++;
    char *end = NULL;
    double v = strtod(s, &end);
    if (end == s || *skip_ws(end) != '\0' || !isfinite(v) || v < 0) {
        errno = EINVAL;
        return sw_errprintf(err, bandwidth ? "what-if: expected \"bandwidth A-B xF\" with F >= 0"
                                           : "what-if: expected \"latency A-B MS\" with MS >= 0");
    }
    size_t ab = (size_t)a * net->nregions + (size_t)b, ba = (size_t)b * net->nregions + (size_t)a;
    if (bandwidth) {
        net->bandwidth_gbps[ab] *= v;
        if (ab != ba)
            net->bandwidth_gbps[ba] *= v;
    } else {
        net->latency_ms[ab] = net->latency_ms[ba] = v;
    }
    return 0;
}

int sw_whatif_apply(struct sw_network *net, const char *spec, sw_error_t *err)
{
    const char *s = skip_ws(spec);
    if (!strncmp(s, "add ", 4))
        return whatif_add(net, s + 4, err);
    if (!strncmp(s, "bandwidth ", 10))
        return whatif_link(net, s + 10, true, err);
    if (!strncmp(s, "latency ", 8))
        return whatif_link(net, s + 8, false, err);
    errno = EINVAL;
    return sw_errprintf(err, "what-if: cannot read \"%s\": " WHATIF_FORMS, spec);
}
