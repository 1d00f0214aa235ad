/* priority.c — multifactor priority and per-user fair share with decay
 * (see priority.h). Usage lives in a small open-addressing hash table keyed
 * by user id; decay is applied lazily to every user at once.
 */
#include "core/priority.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct fs_entry {
    uint32_t user;
    bool used;
    double usage; /* decayed resource-seconds, valid at fs->t */
};

struct sw_fairshare {
    struct fs_entry *tab; /* power-of-two size */
    size_t size;
    size_t count;
    double total;         /* sum of usage */
    int64_t t;            /* time the usages are valid at */
    bool t_set;
    int64_t halflife;
};

struct sw_priority_config sw_priority_defaults(void)
{
    return (struct sw_priority_config){
        .w_age = 1000.0,
        .w_fairshare = 1000.0,
        .w_size = 1000.0,
        .max_age = 7 * 24 * 3600,
        .halflife = 7 * 24 * 3600,
        .calc_period = 300,
        .favor_small = false,
    };
}

struct sw_fairshare *sw_fairshare_create(int64_t halflife)
{
    struct sw_fairshare *fs = calloc(1, sizeof(*fs));
    if (!fs)
        return NULL;
    fs->size = 64;
    fs->tab = calloc(fs->size, sizeof(*fs->tab));
    if (!fs->tab) {
        free(fs);
        return NULL;
    }
    fs->halflife = halflife > 0 ? halflife : 1;
    return fs;
}

void sw_fairshare_destroy(struct sw_fairshare *fs)
{
    if (!fs)
        return;
    int saved = errno;
    free(fs->tab);
    free(fs);
    errno = saved;
}

static size_t fs_hash(uint32_t user)
{
    return (size_t)(user * 2654435761u);
}

static struct fs_entry *fs_lookup(const struct sw_fairshare *fs, uint32_t user)
{
    size_t mask = fs->size - 1;
    for (size_t i = fs_hash(user) & mask;; i = (i + 1) & mask) {
        struct fs_entry *e = &fs->tab[i];
        if (!e->used || e->user == user)
            return e;
    }
}

static int fs_grow(struct sw_fairshare *fs)
{
    size_t old_size = fs->size;
    struct fs_entry *old = fs->tab;
    struct fs_entry *tab = calloc(old_size * 2, sizeof(*tab));
    if (!tab)
        return -1;
    fs->tab = tab;
    fs->size = old_size * 2;
    for (size_t i = 0; i < old_size; i++)
        if (old[i].used)
            *fs_lookup(fs, old[i].user) = old[i];
    free(old);
    return 0;
}

void sw_fairshare_decay_to(struct sw_fairshare *fs, int64_t now)
{
    if (!fs->t_set) {
        fs->t = now;
        fs->t_set = true;
        return;
    }
    if (now <= fs->t)
        return;
    double factor = exp2(-(double)(now - fs->t) / (double)fs->halflife);
    fs->total = 0;
    for (size_t i = 0; i < fs->size; i++) {
        if (fs->tab[i].used) {
            fs->tab[i].usage *= factor;
            fs->total += fs->tab[i].usage;
        }
    }
    fs->t = now;
}

int sw_fairshare_charge(struct sw_fairshare *fs, uint32_t user, double amount)
{
    if ((fs->count + 1) * 2 > fs->size && fs_grow(fs) < 0)
        return -1;
    struct fs_entry *e = fs_lookup(fs, user);
    if (!e->used) {
        e->used = true;
        e->user = user;
        e->usage = 0;
        fs->count++;
    }
    e->usage += amount;
    fs->total += amount;
    return 0;
}

double sw_fairshare_factor(const struct sw_fairshare *fs, uint32_t user)
{
    if (fs->total <= 0 || fs->count == 0)
        return 1.0;
    const struct fs_entry *e = fs_lookup(fs, user);
    double usage = e->used ? e->usage : 0.0;
    double share = 1.0 / (double)fs->count;
    return exp2(-(usage / fs->total) / share);
}

double sw_priority_compute(const struct sw_priority_config *cfg, const struct sw_fairshare *fs,
                           const struct sw_job *j, int64_t now, int64_t capacity_cores)
{
    double age = 0;
    if (cfg->max_age > 0 && now > j->submit) {
        int64_t a = now - j->submit;
        age = a >= cfg->max_age ? 1.0 : (double)a / (double)cfg->max_age;
    }
    double size = capacity_cores > 0 ? (double)j->need.v[SW_RES_CORES] / (double)capacity_cores : 0;
    if (cfg->favor_small)
        size = 1.0 - size;
    return cfg->w_age * age + cfg->w_fairshare * sw_fairshare_factor(fs, j->user) +
           cfg->w_size * size;
}
