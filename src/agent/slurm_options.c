/* slurm_options.c — what the slurm backend submits jobs with: the
 * partition, the default account and QoS, and the maps from a job's tenant
 * to a Slurm account and from its QoS class to a Slurm QoS (see
 * backend_slurm.h and docs/slurm.md, "Accounts and QoS").
 */
#include "agent/backend_slurm_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/jobspec.h"

#define MAP_MAX 64

struct map {
    struct {
        char key[64];
        char val[128];
    } e[MAP_MAX];
    size_t n;
};

char sw__slurm_partition[128], sw__slurm_account[128], sw__slurm_qos[128];
struct sw_accel_group sw__slurm_known[SW_DISCOVER_MAX_GROUPS];
size_t sw__slurm_nknown;
static struct map accounts, qoses;

/* A Slurm name: no blanks, commas or '=', not an option. */
static bool slurm_name_ok(const char *s, size_t max)
{
    return *s && strlen(s) < max && !strpbrk(s, " \t\n,=") && s[0] != '-';
}

static int copy_opt(char *dst, size_t n, const char *src, const char *what, sw_error_t *err)
{
    dst[0] = '\0';
    if (!src)
        return 0;
    if (!slurm_name_ok(src, n)) {
        errno = EINVAL;
        return sw_errprintf(err, "--slurm-%s \"%s\": not a valid Slurm name", what, src);
    }
    memcpy(dst, src, strlen(src) + 1);
    return 0;
}

/* One "KEY=VALUE" of a map flag into m. */
static int map_entry(struct map *m, const char *item, size_t len, bool qos_keys,
                     const char *flag, sw_error_t *err)
{
    char buf[256];
    errno = EINVAL;
    if (len >= sizeof(buf))
        return sw_errprintf(err, "%s: \"%.*s…\" is too long", flag, 40, item);
    memcpy(buf, item, len);
    buf[len] = '\0';
    char *eq = strchr(buf, '=');
    const char *want = qos_keys ? "CLASS=QOS" : "TENANT=ACCOUNT";
    if (!eq || eq == buf || !eq[1])
        return sw_errprintf(err, "%s \"%s\": expected %s", flag, buf, want);
    *eq = '\0';
    const char *key = buf, *val = eq + 1;
    enum sw_qos q;
    if (qos_keys && sw_qos_parse(key, &q) < 0)
        return sw_errprintf(err, "%s \"%s=%s\": \"%s\" is not a QoS class of suanwang "
                                 "(realtime, interactive, batch, spot)", flag, key, val, key);
    if (strlen(key) >= sizeof(m->e[0].key) || !slurm_name_ok(val, sizeof(m->e[0].val)))
        return sw_errprintf(err, "%s \"%s=%s\": \"%s\" is not a valid Slurm name", flag, key,
                            val, strlen(key) >= sizeof(m->e[0].key) ? key : val);
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->e[i].key, key) == 0)
            return sw_errprintf(err, "%s: \"%s\" is mapped twice", flag, key);
    if (m->n >= MAP_MAX)
        return sw_errprintf(err, "%s: at most %d entries", flag, MAP_MAX);
    memcpy(m->e[m->n].key, key, strlen(key) + 1); /* lengths checked above */
    memcpy(m->e[m->n].val, val, strlen(val) + 1);
    m->n++;
    errno = 0;
    return 0;
}

/* Every "K=V[,K=V…]" of one flag, given `n` times. */
static int parse_map(struct map *m, const char *const *texts, size_t n, bool qos_keys,
                     const char *flag, sw_error_t *err)
{
    m->n = 0;
    for (size_t t = 0; t < n; t++) {
        for (const char *p = texts[t]; *p;) {
            size_t len = strcspn(p, ",");
            if (len > 0 && map_entry(m, p, len, qos_keys, flag, err) < 0)
                return -1;
            p += len;
            if (*p == ',')
                p++;
        }
    }
    return 0;
}

int sw_slurm_configure(const struct sw_slurm_options *o, sw_error_t *err)
{
    if (copy_opt(sw__slurm_partition, sizeof(sw__slurm_partition), o->partition, "partition",
                 err) < 0 ||
        copy_opt(sw__slurm_account, sizeof(sw__slurm_account), o->account, "account", err) < 0 ||
        copy_opt(sw__slurm_qos, sizeof(sw__slurm_qos), o->qos, "qos", err) < 0 ||
        parse_map(&accounts, o->account_maps, o->naccount_maps, false, "--slurm-account-map",
                  err) < 0 ||
        parse_map(&qoses, o->qos_maps, o->nqos_maps, true, "--slurm-qos-map", err) < 0)
        return -1;
    return 0;
}

void sw_slurm_known_models(const struct sw_accel_group *known, size_t n)
{
    sw__slurm_nknown = 0;
    for (size_t i = 0; i < n && i < SW_DISCOVER_MAX_GROUPS; i++)
        sw__slurm_known[sw__slurm_nknown++] = known[i];
}

static const char *lookup(const struct map *m, const char *key, const char *def)
{
    for (size_t i = 0; key && i < m->n; i++)
        if (strcmp(m->e[i].key, key) == 0)
            return m->e[i].val;
    return def[0] ? def : NULL;
}

const char *sw_slurm_account_for(const char *tenant)
{
    return lookup(&accounts, tenant, sw__slurm_account);
}

const char *sw_slurm_qos_for(const char *qos_class)
{
    return lookup(&qoses, qos_class, sw__slurm_qos);
}
