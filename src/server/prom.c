/* prom.c — the Prometheus metrics registry and its text exposition format
 * 0.0.4 (see prom.h; the format is described at
 * https://prometheus.io/docs/instrumenting/exposition_formats/).
 *
 * A registry is a list of families in registration order. A family keeps
 * its series in an array sorted by label values, so lookup is a binary
 * search and rendering needs no sort; a new series is inserted in place
 * (rare: label value sets are few and long-lived). Values are doubles;
 * histogram buckets are per-bucket counts, made cumulative when rendered.
 */
#include "server/prom.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sw_prom_series {
    struct sw_prom_metric *fam;
    char **values;          /* fam->nlabels copies */
    double value;           /* counter, gauge */
    double sum;             /* histogram */
    uint64_t count;         /* histogram */
    uint64_t *buckets;      /* histogram: nbounds + 1 (the last is +Inf) */
};

struct sw_prom_metric {
    struct sw_prom_metric *next;
    enum sw_prom_type type;
    char *name;
    char *help;
    size_t nlabels;
    char **labelnames;
    size_t nbounds;
    double *bounds;
    sw_prom_collect_f fn;   /* a collector: no series of its own */
    void *arg;
    pthread_mutex_t lock;   /* guards the series array and their values */
    struct sw_prom_series **series;
    size_t nseries;
    size_t cap;
};

struct sw_prom {
    pthread_mutex_t lock;   /* guards the family list; held while rendering */
    struct sw_prom_metric *head;
    struct sw_prom_metric **tail;
};

struct sw_prom_emit {
    const struct sw_prom_metric *fam;
    struct sw_strbuf *out;
};

/* What a registration asks for, before it is checked and copied. */
struct family_def {
    enum sw_prom_type type;
    const char *name;
    const char *help;
    size_t nlabels;
    const char *const *labelnames;
    size_t nbounds;
    const double *bounds;
    sw_prom_collect_f fn;
    void *arg;
};

static const char *const type_names[] = {
    [SW_PROM_COUNTER] = "counter",
    [SW_PROM_GAUGE] = "gauge",
    [SW_PROM_HISTOGRAM] = "histogram",
};

static const char *const hist_suffixes[] = {"_bucket", "_sum", "_count"};

/* ---- names ------------------------------------------------------------ */

static bool is_letter_(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* [a-zA-Z_:][a-zA-Z0-9_:]* */
static int check_metric_name(const char *name, sw_error_t *err)
{
    if (!name || !*name) {
        errno = EINVAL;
        return sw_errprintf(err, "metric name is empty");
    }
    for (const char *p = name; *p; p++) {
        bool ok = is_letter_(*p) || *p == ':' || (p > name && is_digit(*p));
        if (!ok) {
            errno = EINVAL;
            return sw_errprintf(err,
                                "invalid metric name \"%s\": character %zu ('%c') is not "
                                "allowed; names match [a-zA-Z_:][a-zA-Z0-9_:]*",
                                name, (size_t)(p - name) + 1, *p);
        }
    }
    return 0;
}

/* [a-zA-Z_][a-zA-Z0-9_]*, not "__..." (reserved for Prometheus). */
static int check_label_name(const char *metric, const char *label, sw_error_t *err)
{
    errno = EINVAL;
    if (!label || !*label)
        return sw_errprintf(err, "metric \"%s\": a label name is empty", metric);
    for (const char *p = label; *p; p++) {
        if (!is_letter_(*p) && !(p > label && is_digit(*p)))
            return sw_errprintf(err,
                                "metric \"%s\": invalid label name \"%s\": character %zu ('%c') "
                                "is not allowed; label names match [a-zA-Z_][a-zA-Z0-9_]*",
                                metric, label, (size_t)(p - label) + 1, *p);
    }
    if (label[0] == '_' && label[1] == '_')
        return sw_errprintf(err,
                            "metric \"%s\": label name \"%s\" begins with \"__\", which is "
                            "reserved for Prometheus' own labels",
                            metric, label);
    return 0;
}

static int check_labels(const struct family_def *d, sw_error_t *err)
{
    if (d->nlabels > SW_PROM_MAX_LABELS) {
        errno = EINVAL;
        return sw_errprintf(err, "metric \"%s\": %zu label names; at most %d are allowed",
                            d->name, d->nlabels, SW_PROM_MAX_LABELS);
    }
    if (d->nlabels > 0 && !d->labelnames) {
        errno = EINVAL;
        return sw_errprintf(err, "metric \"%s\": %zu label names declared but none given",
                            d->name, d->nlabels);
    }
    for (size_t i = 0; i < d->nlabels; i++) {
        const char *l = d->labelnames[i];
        if (check_label_name(d->name, l, err) < 0)
            return -1;
        errno = EINVAL;
        if (d->type == SW_PROM_HISTOGRAM && strcmp(l, "le") == 0)
            return sw_errprintf(err,
                                "histogram \"%s\": the label name \"le\" is reserved for "
                                "bucket bounds",
                                d->name);
        for (size_t j = 0; j < i; j++)
            if (strcmp(d->labelnames[j], l) == 0)
                return sw_errprintf(err, "metric \"%s\": label name \"%s\" appears twice",
                                    d->name, l);
    }
    return 0;
}

static int check_bounds(const struct family_def *d, sw_error_t *err)
{
    errno = EINVAL;
    if (d->nbounds > SW_PROM_MAX_BUCKETS)
        return sw_errprintf(err, "histogram \"%s\": %zu buckets; at most %d are allowed",
                            d->name, d->nbounds, SW_PROM_MAX_BUCKETS);
    if (d->nbounds > 0 && !d->bounds)
        return sw_errprintf(err, "histogram \"%s\": %zu bucket bounds declared but none given",
                            d->name, d->nbounds);
    for (size_t i = 0; i < d->nbounds; i++) {
        char b[SW_PROM_DOUBLE_BUFSIZE];
        if (!isfinite(d->bounds[i]))
            return sw_errprintf(err,
                                "histogram \"%s\": bucket bound %zu is %s; bounds must be "
                                "finite (the +Inf bucket is implicit)",
                                d->name, i + 1, sw_prom_format_double(d->bounds[i], b));
        if (i > 0 && !(d->bounds[i] > d->bounds[i - 1]))
            return sw_errprintf(err,
                                "histogram \"%s\": bucket bounds must be strictly increasing, "
                                "but bound %zu (%s) does not exceed the one before",
                                d->name, i + 1, sw_prom_format_double(d->bounds[i], b));
    }
    return 0;
}

static int check_def(const struct family_def *d, sw_error_t *err)
{
    if (check_metric_name(d->name, err) < 0)
        return -1;
    if (!d->help) {
        errno = EINVAL;
        return sw_errprintf(err, "metric \"%s\": help text is missing", d->name);
    }
    if (check_labels(d, err) < 0)
        return -1;
    return d->type == SW_PROM_HISTOGRAM ? check_bounds(d, err) : 0;
}

/* Is `name` one of the lines of histogram `hist` (hist_bucket, _sum, _count)? */
static bool is_hist_line(const char *name, const char *hist)
{
    size_t n = strlen(hist);
    if (strncmp(name, hist, n) != 0)
        return false;
    for (size_t i = 0; i < sizeof(hist_suffixes) / sizeof(hist_suffixes[0]); i++)
        if (strcmp(name + n, hist_suffixes[i]) == 0)
            return true;
    return false;
}

/* Do the names that family `f` renders meet those that `d` would? */
static bool names_clash(const struct sw_prom_metric *f, const struct family_def *d)
{
    return strcmp(f->name, d->name) == 0 ||
           (f->type == SW_PROM_HISTOGRAM && is_hist_line(d->name, f->name)) ||
           (d->type == SW_PROM_HISTOGRAM && is_hist_line(f->name, d->name));
}

/* Is `f` exactly what `d` asks for (so registering it again is harmless)? */
static bool same_def(const struct sw_prom_metric *f, const struct family_def *d)
{
    if (f->fn || d->fn || f->type != d->type || strcmp(f->name, d->name) != 0 ||
        strcmp(f->help, d->help) != 0 || f->nlabels != d->nlabels || f->nbounds != d->nbounds)
        return false;
    for (size_t i = 0; i < f->nlabels; i++)
        if (strcmp(f->labelnames[i], d->labelnames[i]) != 0)
            return false;
    for (size_t i = 0; i < f->nbounds; i++)
        if (f->bounds[i] != d->bounds[i])
            return false;
    return true;
}

/* ---- series ------------------------------------------------------------ */

static void strv_free(char **v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* Copy `n` strings; NULL with errno ENOMEM. */
static char **strv_dup(const char *const *src, size_t n)
{
    char **v = calloc(n ? n : 1, sizeof(*v));
    if (!v)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        v[i] = strdup(src[i]);
        if (!v[i]) {
            strv_free(v, i);
            errno = ENOMEM;
            return NULL;
        }
    }
    return v;
}

static void series_free(struct sw_prom_series *s)
{
    if (!s)
        return;
    strv_free(s->values, s->fam->nlabels);
    free(s->buckets);
    free(s);
}

static struct sw_prom_series *series_new(struct sw_prom_metric *fam, const char *const *values)
{
    struct sw_prom_series *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->fam = fam;
    s->values = strv_dup(values, fam->nlabels);
    if (fam->type == SW_PROM_HISTOGRAM)
        s->buckets = calloc(fam->nbounds + 1, sizeof(*s->buckets));
    if (!s->values || (fam->type == SW_PROM_HISTOGRAM && !s->buckets)) {
        series_free(s);
        errno = ENOMEM;
        return NULL;
    }
    return s;
}

static int values_cmp(const char *const *a, char *const *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int c = strcmp(a[i], b[i]);
        if (c != 0)
            return c;
    }
    return 0;
}

/* Binary search: the index of the series with these values, or where it
 * would go; `*found` says which. Caller holds fam->lock. */
static size_t series_find(const struct sw_prom_metric *fam, const char *const *values, bool *found)
{
    size_t lo = 0, hi = fam->nseries;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = values_cmp(values, fam->series[mid]->values, fam->nlabels);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    *found = false;
    return lo;
}

/* Insert a new series at index `at`. Caller holds fam->lock. */
static struct sw_prom_series *series_insert(struct sw_prom_metric *fam, size_t at,
                                            const char *const *values)
{
    if (fam->nseries >= SW_PROM_MAX_SERIES) {
        errno = ENOSPC;
        return NULL;
    }
    if (fam->nseries == fam->cap) {
        size_t cap = fam->cap ? fam->cap * 2 : 4;
        struct sw_prom_series **p = realloc(fam->series, cap * sizeof(*p));
        if (!p) {
            errno = ENOMEM;
            return NULL;
        }
        fam->series = p;
        fam->cap = cap;
    }
    struct sw_prom_series *s = series_new(fam, values);
    if (!s)
        return NULL;
    memmove(fam->series + at + 1, fam->series + at, (fam->nseries - at) * sizeof(*fam->series));
    fam->series[at] = s;
    fam->nseries++;
    return s;
}

static int check_values(size_t n, const char *const *values)
{
    if (n > 0 && !values) {
        errno = EINVAL;
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (!values[i]) {
            errno = EINVAL;
            return -1;
        }
    }
    return 0;
}

struct sw_prom_series *sw_prom_series(struct sw_prom_metric *m, const char *const *labelvalues)
{
    if (!m || m->fn || check_values(m->nlabels, labelvalues) < 0) {
        errno = EINVAL;
        return NULL;
    }
    bool found;
    pthread_mutex_lock(&m->lock);
    size_t at = series_find(m, labelvalues, &found);
    struct sw_prom_series *s = found ? m->series[at] : series_insert(m, at, labelvalues);
    pthread_mutex_unlock(&m->lock);
    return s;
}

/* ---- updates ----------------------------------------------------------- */

int sw_prom_series_add(struct sw_prom_series *s, double v)
{
    if (!s || (s->fam->type == SW_PROM_COUNTER && !(v >= 0)) ||
        s->fam->type == SW_PROM_HISTOGRAM) {
        errno = EINVAL;
        return -1;
    }
    pthread_mutex_lock(&s->fam->lock);
    s->value += v;
    pthread_mutex_unlock(&s->fam->lock);
    return 0;
}

int sw_prom_series_set(struct sw_prom_series *s, double v)
{
    if (!s || s->fam->type != SW_PROM_GAUGE) {
        errno = EINVAL;
        return -1;
    }
    pthread_mutex_lock(&s->fam->lock);
    s->value = v;
    pthread_mutex_unlock(&s->fam->lock);
    return 0;
}

/* The index of the first bucket whose bound is >= v (nbounds: +Inf). */
static size_t bucket_index(const struct sw_prom_metric *fam, double v)
{
    size_t lo = 0, hi = fam->nbounds;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v <= fam->bounds[mid])
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

int sw_prom_series_observe(struct sw_prom_series *s, double v)
{
    if (!s || s->fam->type != SW_PROM_HISTOGRAM || isnan(v)) {
        errno = EINVAL;
        return -1;
    }
    size_t b = bucket_index(s->fam, v);
    pthread_mutex_lock(&s->fam->lock);
    s->buckets[b]++;
    s->count++;
    s->sum += v;
    pthread_mutex_unlock(&s->fam->lock);
    return 0;
}

int sw_prom_add(struct sw_prom_metric *m, const char *const *labelvalues, double v)
{
    struct sw_prom_series *s = sw_prom_series(m, labelvalues);
    return s ? sw_prom_series_add(s, v) : -1;
}

int sw_prom_set(struct sw_prom_metric *m, const char *const *labelvalues, double v)
{
    struct sw_prom_series *s = sw_prom_series(m, labelvalues);
    return s ? sw_prom_series_set(s, v) : -1;
}

int sw_prom_observe(struct sw_prom_metric *m, const char *const *labelvalues, double v)
{
    struct sw_prom_series *s = sw_prom_series(m, labelvalues);
    return s ? sw_prom_series_observe(s, v) : -1;
}

/* ---- registry ---------------------------------------------------------- */

struct sw_prom *sw_prom_create(void)
{
    struct sw_prom *reg = calloc(1, sizeof(*reg));
    if (!reg) {
        errno = ENOMEM;
        return NULL;
    }
    pthread_mutex_init(&reg->lock, NULL);
    reg->tail = &reg->head;
    return reg;
}

static void family_free(struct sw_prom_metric *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->nseries; i++)
        series_free(f->series[i]);
    free(f->series);
    strv_free(f->labelnames, f->nlabels);
    free(f->bounds);
    free(f->name);
    free(f->help);
    pthread_mutex_destroy(&f->lock);
    free(f);
}

void sw_prom_destroy(struct sw_prom *reg)
{
    if (!reg)
        return;
    int saved = errno;
    struct sw_prom_metric *f = reg->head;
    while (f) {
        struct sw_prom_metric *next = f->next;
        family_free(f);
        f = next;
    }
    pthread_mutex_destroy(&reg->lock);
    free(reg);
    errno = saved;
}

/* A new family as `d` describes (already checked); NULL with ENOMEM. */
static struct sw_prom_metric *family_new(const struct family_def *d)
{
    struct sw_prom_metric *f = calloc(1, sizeof(*f));
    if (!f)
        return NULL;
    pthread_mutex_init(&f->lock, NULL);
    f->type = d->type;
    f->nlabels = d->nlabels;
    f->nbounds = d->nbounds;
    f->fn = d->fn;
    f->arg = d->arg;
    f->name = strdup(d->name);
    f->help = strdup(d->help);
    f->labelnames = strv_dup(d->labelnames, d->nlabels);
    f->bounds = calloc(d->nbounds ? d->nbounds : 1, sizeof(*f->bounds));
    if (!f->name || !f->help || !f->labelnames || !f->bounds)
        goto out_free_family;
    if (d->nbounds > 0)
        memcpy(f->bounds, d->bounds, d->nbounds * sizeof(*f->bounds));
    /* A family without labels shows its one series from the start. */
    if (f->nlabels == 0 && !f->fn && !series_insert(f, 0, NULL))
        goto out_free_family;
    return f;
out_free_family:
    family_free(f);
    errno = ENOMEM;
    return NULL;
}

/* Say why `d` cannot be registered beside `f`. */
static void clash_error(const struct sw_prom_metric *f, const struct family_def *d,
                        sw_error_t *err)
{
    if (strcmp(f->name, d->name) != 0) {
        const char *hist = f->type == SW_PROM_HISTOGRAM ? f->name : d->name;
        sw_errprintf(err,
                     "metric \"%s\" clashes with metric \"%s\": the histogram \"%s\" "
                     "also writes %s_bucket, %s_sum and %s_count",
                     d->name, f->name, hist, hist, hist, hist);
    } else if (f->fn || d->fn) {
        sw_errprintf(err, "metric \"%s\" is already registered%s", d->name,
                     f->fn ? " (with a callback)" : "");
    } else {
        sw_errprintf(err,
                     "metric \"%s\" is already registered as a %s with other help, labels "
                     "or buckets",
                     d->name, type_names[f->type]);
    }
}

/* The family `d` names: the existing one if identical, else a new one, or
 * NULL (EEXIST if the name is taken). Caller holds reg->lock. */
static struct sw_prom_metric *family_get(struct sw_prom *reg, const struct family_def *d,
                                         sw_error_t *err)
{
    for (struct sw_prom_metric *f = reg->head; f; f = f->next) {
        if (same_def(f, d))
            return f;
        if (names_clash(f, d)) {
            errno = EEXIST;
            clash_error(f, d, err);
            return NULL;
        }
    }
    struct sw_prom_metric *f = family_new(d);
    if (!f) {
        sw_errprintf(err, "metric \"%s\": out of memory", d->name);
        return NULL;
    }
    *reg->tail = f;
    reg->tail = &f->next;
    return f;
}

static struct sw_prom_metric *family_register(struct sw_prom *reg, const struct family_def *d,
                                              sw_error_t *err)
{
    if (!reg) {
        errno = EINVAL;
        sw_errprintf(err, "no metrics registry");
        return NULL;
    }
    if (check_def(d, err) < 0)
        return NULL;
    pthread_mutex_lock(&reg->lock);
    struct sw_prom_metric *f = family_get(reg, d, err);
    pthread_mutex_unlock(&reg->lock);
    return f;
}

struct sw_prom_metric *sw_prom_counter(struct sw_prom *reg, const char *name, const char *help,
                                       size_t nlabels, const char *const *labelnames,
                                       sw_error_t *err)
{
    struct family_def d = {.type = SW_PROM_COUNTER, .name = name, .help = help,
                           .nlabels = nlabels, .labelnames = labelnames};
    return family_register(reg, &d, err);
}

struct sw_prom_metric *sw_prom_gauge(struct sw_prom *reg, const char *name, const char *help,
                                     size_t nlabels, const char *const *labelnames,
                                     sw_error_t *err)
{
    struct family_def d = {.type = SW_PROM_GAUGE, .name = name, .help = help,
                           .nlabels = nlabels, .labelnames = labelnames};
    return family_register(reg, &d, err);
}

struct sw_prom_metric *sw_prom_histogram(struct sw_prom *reg, const char *name, const char *help,
                                         size_t nlabels, const char *const *labelnames,
                                         size_t nbounds, const double *bounds, sw_error_t *err)
{
    struct family_def d = {.type = SW_PROM_HISTOGRAM, .name = name, .help = help,
                           .nlabels = nlabels, .labelnames = labelnames,
                           .nbounds = nbounds, .bounds = bounds};
    return family_register(reg, &d, err);
}

static struct sw_prom_metric *register_fn(struct sw_prom *reg, struct family_def *d,
                                          sw_error_t *err)
{
    if (!d->fn) {
        errno = EINVAL;
        sw_errprintf(err, "metric \"%s\": no callback given", d->name ? d->name : "(null)");
        return NULL;
    }
    return family_register(reg, d, err);
}

struct sw_prom_metric *sw_prom_gauge_fn(struct sw_prom *reg, const char *name, const char *help,
                                        size_t nlabels, const char *const *labelnames,
                                        sw_prom_collect_f fn, void *arg, sw_error_t *err)
{
    struct family_def d = {.type = SW_PROM_GAUGE, .name = name, .help = help,
                           .nlabels = nlabels, .labelnames = labelnames,
                           .fn = fn, .arg = arg};
    return register_fn(reg, &d, err);
}

struct sw_prom_metric *sw_prom_counter_fn(struct sw_prom *reg, const char *name,
                                          const char *help, size_t nlabels,
                                          const char *const *labelnames, sw_prom_collect_f fn,
                                          void *arg, sw_error_t *err)
{
    struct family_def d = {.type = SW_PROM_COUNTER, .name = name, .help = help,
                           .nlabels = nlabels, .labelnames = labelnames,
                           .fn = fn, .arg = arg};
    return register_fn(reg, &d, err);
}

/* ---- numbers ----------------------------------------------------------- */

static bool is_number_char(char c)
{
    return is_digit(c) || c == '-' || c == '+' || c == 'e' || c == 'E';
}

/* Replace the locale's radix character (one or more bytes, whatever they
 * are) with '.': %g writes nothing else that is not a digit, sign or 'e'. */
static void fix_radix(char *buf)
{
    char *w = buf;
    for (const char *r = buf; *r;) {
        if (is_number_char(*r)) {
            *w++ = *r++;
            continue;
        }
        *w++ = '.';
        while (*r && !is_number_char(*r))
            r++;
    }
    *w = '\0';
}

char *sw_prom_format_double(double v, char *buf)
{
    if (isnan(v)) {
        memcpy(buf, "NaN", 4);
    } else if (isinf(v)) {
        memcpy(buf, v > 0 ? "+Inf" : "-Inf", 5);
    } else if (v == 0) {
        memcpy(buf, "0", 2);
    } else if (fabs(v) < 0x1p53 && v == trunc(v)) {
        snprintf(buf, SW_PROM_DOUBLE_BUFSIZE, "%.0f", v);
    } else {
        /* The shortest text that reads back as v (strtod and snprintf
         * share the locale, so the round trip holds whatever it is). */
        for (int prec = 1; prec <= 17; prec++) {
            snprintf(buf, SW_PROM_DOUBLE_BUFSIZE, "%.*g", prec, v);
            if (strtod(buf, NULL) == v)
                break;
        }
        fix_radix(buf);
    }
    return buf;
}

/* ---- rendering --------------------------------------------------------- */

static int put_double(struct sw_strbuf *out, double v)
{
    char b[SW_PROM_DOUBLE_BUFSIZE];
    return sw_strbuf_puts(out, sw_prom_format_double(v, b));
}

/* Append `s` with each byte of `specials` escaped: '\\' -> "\\\\",
 * '\n' -> "\\n", '"' -> "\\\"" (HELP escapes only the first two). */
static int put_escaped(struct sw_strbuf *out, const char *s, const char *specials)
{
    const char *run = s;
    for (; *s; s++) {
        if (!strchr(specials, *s))
            continue;
        const char *esc = *s == '\n' ? "\\n" : *s == '"' ? "\\\"" : "\\\\";
        if (sw_strbuf_append(out, run, (size_t)(s - run)) < 0 || sw_strbuf_puts(out, esc) < 0)
            return -1;
        run = s + 1;
    }
    return sw_strbuf_append(out, run, (size_t)(s - run));
}

static int put_header(struct sw_strbuf *out, const struct sw_prom_metric *f)
{
    if (sw_strbuf_printf(out, "# HELP %s ", f->name) < 0 || put_escaped(out, f->help, "\\\n") < 0)
        return -1;
    return sw_strbuf_printf(out, "\n# TYPE %s %s\n", f->name, type_names[f->type]);
}

/* Append `name suffix{l1="v1",...,le="le"} ` (no braces when there are no
 * labels); `le` may be NULL. */
static int put_series_name(struct sw_strbuf *out, const struct sw_prom_metric *f,
                           const char *suffix, const char *const *values, const char *le)
{
    if (sw_strbuf_puts(out, f->name) < 0 || sw_strbuf_puts(out, suffix) < 0)
        return -1;
    if (f->nlabels == 0 && !le)
        return sw_strbuf_puts(out, " ");
    if (sw_strbuf_puts(out, "{") < 0)
        return -1;
    for (size_t i = 0; i < f->nlabels; i++) {
        if (sw_strbuf_printf(out, "%s%s=\"", i ? "," : "", f->labelnames[i]) < 0 ||
            put_escaped(out, values[i], "\\\n\"") < 0 || sw_strbuf_puts(out, "\"") < 0)
            return -1;
    }
    if (le && sw_strbuf_printf(out, "%sle=\"%s\"", f->nlabels ? "," : "", le) < 0)
        return -1;
    return sw_strbuf_puts(out, "} ");
}

static int put_sample(struct sw_strbuf *out, const struct sw_prom_metric *f, const char *suffix,
                      const char *const *values, const char *le, double v)
{
    if (put_series_name(out, f, suffix, values, le) < 0 || put_double(out, v) < 0)
        return -1;
    return sw_strbuf_puts(out, "\n");
}

static int put_count(struct sw_strbuf *out, const struct sw_prom_metric *f, const char *suffix,
                     const char *const *values, const char *le, uint64_t n)
{
    if (put_series_name(out, f, suffix, values, le) < 0)
        return -1;
    return sw_strbuf_printf(out, "%" PRIu64 "\n", n);
}

static int put_histogram(struct sw_strbuf *out, const struct sw_prom_series *s)
{
    const struct sw_prom_metric *f = s->fam;
    const char *const *values = (const char *const *)s->values;
    uint64_t cum = 0;
    for (size_t i = 0; i <= f->nbounds; i++) {
        char le[SW_PROM_DOUBLE_BUFSIZE];
        cum += s->buckets[i];
        sw_prom_format_double(i < f->nbounds ? f->bounds[i] : HUGE_VAL, le);
        if (put_count(out, f, "_bucket", values, le, cum) < 0)
            return -1;
    }
    if (put_sample(out, f, "_sum", values, NULL, s->sum) < 0)
        return -1;
    return put_count(out, f, "_count", values, NULL, s->count);
}

static int put_series(struct sw_strbuf *out, const struct sw_prom_series *s)
{
    if (s->fam->type == SW_PROM_HISTOGRAM)
        return put_histogram(out, s);
    return put_sample(out, s->fam, "", (const char *const *)s->values, NULL, s->value);
}

int sw_prom_emit(struct sw_prom_emit *e, const char *const *labelvalues, double v)
{
    if (!e || check_values(e->fam->nlabels, labelvalues) < 0) {
        errno = EINVAL;
        return -1;
    }
    return put_sample(e->out, e->fam, "", labelvalues, NULL, v);
}

static int render_family(struct sw_prom_metric *f, struct sw_strbuf *out)
{
    if (put_header(out, f) < 0)
        return -1;
    if (f->fn) {
        struct sw_prom_emit e = {.fam = f, .out = out};
        return f->fn(&e, f->arg);
    }
    int rc = 0;
    pthread_mutex_lock(&f->lock);
    for (size_t i = 0; i < f->nseries && rc == 0; i++)
        rc = put_series(out, f->series[i]);
    pthread_mutex_unlock(&f->lock);
    return rc;
}

int sw_prom_render(struct sw_prom *reg, struct sw_strbuf *out)
{
    if (!reg || !out) {
        errno = EINVAL;
        return -1;
    }
    size_t len0 = out->len;
    int rc = 0;
    pthread_mutex_lock(&reg->lock);
    for (struct sw_prom_metric *f = reg->head; f && rc == 0; f = f->next)
        rc = render_family(f, out);
    pthread_mutex_unlock(&reg->lock);
    if (rc < 0 && out->data) {
        int saved = errno;
        out->len = len0;
        out->data[len0] = '\0';
        errno = saved;
    }
    return rc;
}
