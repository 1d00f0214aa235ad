/* gpucsv.c — the strict CSV reader and job helpers shared by the GPU trace
 * readers (see gpucsv.h): header lookup by column name, comma splitting
 * with trimmed fields, typed fields with "FILE:LINE: COLUMN: why" errors,
 * the walltime rule, tenants from file names, and a growable workload with
 * an in-place stable sort by submit time.
 */
#include "trace/gpucsv.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- splitting --------------------------------------------------------- */

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Split s[0..len) at commas into tok (trimmed of spaces and tabs); returns
 * the number of fields, counting past max without storing. */
static size_t split_commas(const char *s, size_t len, struct sw__trace_token *tok, size_t max)
{
    size_t n = 0, start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && s[i] != ',')
            continue;
        size_t a = start, b = i;
        while (a < b && is_blank(s[a]))
            a++;
        while (b > a && is_blank(s[b - 1]))
            b--;
        if (n < max) {
            tok[n].off = a;
            tok[n].len = b - a;
        }
        n++;
        start = i + 1;
    }
    return n;
}

static bool line_blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!is_blank(s[i]))
            return false;
    return true;
}

/* ---- header ------------------------------------------------------------ */

/* Read up to the first non-blank line. Returns 1, 0 at end, -1 on error. */
static int next_nonblank(struct sw__csv *c, const char **line, size_t *len, sw_error_t *err)
{
    int rc;
    while ((rc = sw_linereader_next(c->lr, line, len, err)) == 1)
        if (!line_blank(*line, *len))
            return 1;
    return rc;
}

static bool token_is(const char *s, const struct sw__trace_token *t, const char *name)
{
    size_t n = strlen(name);
    return t->len == n && memcmp(s + t->off, name, n) == 0;
}

/* Check the header's names (no duplicates) and find each wanted column. */
static int map_columns(struct sw__csv *c, const char *line, struct sw__csv_col *cols,
                       size_t ncols, sw_error_t *err)
{
    char q[200];
    size_t lineno = sw_linereader_lineno(c->lr);
    errno = EINVAL;
    for (size_t i = 0; i < c->ncols; i++)
        for (size_t j = 0; j < i; j++)
            if (c->f[i].len == c->f[j].len &&
                memcmp(line + c->f[i].off, line + c->f[j].off, c->f[i].len) == 0)
                return sw_errprintf(err, "%s:%zu: header: column \"%s\" appears twice", c->path,
                                    lineno, sw__trace_quote(line + c->f[i].off, c->f[i].len, q,
                                                            sizeof(q)));
    for (size_t k = 0; k < ncols; k++) {
        cols[k].idx = -1;
        for (size_t i = 0; i < c->ncols; i++)
            if (token_is(line, &c->f[i], cols[k].name))
                cols[k].idx = (int)i;
        if (cols[k].idx < 0 && cols[k].required)
            return sw_errprintf(err, "%s:%zu: header: no column \"%s\" (header is \"%s\"; "
                                     "is this the right kind of trace?)", c->path, lineno,
                                cols[k].name, sw__trace_quote(line, strlen(line), q, sizeof(q)));
    }
    return 0;
}

static int read_header(struct sw__csv *c, struct sw__csv_col *cols, size_t ncols,
                       sw_error_t *err)
{
    const char *line;
    size_t len;
    int rc = next_nonblank(c, &line, &len, err);
    if (rc < 0)
        return -1;
    if (rc == 0) {
        errno = EINVAL;
        return sw_errprintf(err, "%s: empty file: no header line", c->path);
    }
    if (len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) {
        line += 3;
        len -= 3;
    }
    size_t n = split_commas(line, len, c->f, SW__CSV_MAX_COLS);
    if (n > SW__CSV_MAX_COLS) {
        errno = EINVAL;
        return sw_errprintf(err, "%s:%zu: header: %zu columns (at most %d)", c->path,
                            sw_linereader_lineno(c->lr), n, SW__CSV_MAX_COLS);
    }
    c->ncols = n;
    return map_columns(c, line, cols, ncols, err);
}

int sw__csv_open(struct sw__csv *c, const char *path, struct sw__csv_col *cols, size_t ncols,
                 sw_error_t *err)
{
    memset(c, 0, sizeof(*c));
    c->path = path;
    c->lr = sw_linereader_open(path, err);
    if (!c->lr)
        return -1;
    if (read_header(c, cols, ncols, err) != 0) {
        sw__csv_close(c);
        return -1;
    }
    return 0;
}

/* ---- rows -------------------------------------------------------------- */

int sw__csv_next(struct sw__csv *c, sw_error_t *err)
{
    const char *line;
    size_t len;
    int rc = next_nonblank(c, &line, &len, err);
    if (rc <= 0)
        return rc;
    size_t n = split_commas(line, len, c->f, SW__CSV_MAX_COLS);
    if (n != c->ncols) {
        errno = EINVAL;
        return sw_errprintf(err, "%s:%zu: expected %zu fields (as in the header), found %zu",
                            c->path, sw_linereader_lineno(c->lr), c->ncols, n);
    }
    c->line = line;
    return 1;
}

size_t sw__csv_lineno(const struct sw__csv *c)
{
    return sw_linereader_lineno(c->lr);
}

void sw__csv_close(struct sw__csv *c)
{
    sw_linereader_close(c->lr);
    c->lr = NULL;
}

const char *sw__csv_field(const struct sw__csv *c, const struct sw__csv_col *col, size_t *len)
{
    if (col->idx < 0) {
        *len = 0;
        return "";
    }
    *len = c->f[col->idx].len;
    return c->line + c->f[col->idx].off;
}

bool sw__csv_empty(const struct sw__csv *c, const struct sw__csv_col *col)
{
    size_t len;
    sw__csv_field(c, col, &len);
    return len == 0;
}

int sw__csv_fail(const struct sw__csv *c, const struct sw__csv_col *col, sw_error_t *err,
                 const char *fmt, ...)
{
    errno = EINVAL;
    if (!err)
        return -1;
    int k = snprintf(err->text, sizeof(err->text), "%s:%zu: %s: ", c->path, sw__csv_lineno(c),
                     col->name);
    size_t used = k < 0 ? 0 : (size_t)k;
    if (used < sizeof(err->text)) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->text + used, sizeof(err->text) - used, fmt, ap);
        va_end(ap);
    }
    errno = EINVAL;
    return -1;
}

int sw__csv_int(const struct sw__csv *c, const struct sw__csv_col *col, int64_t min,
                int64_t max, int64_t *out, sw_error_t *err)
{
    char q[200];
    size_t len;
    const char *s = sw__csv_field(c, col, &len);
    int64_t v = 0;
    int rc = sw__trace_parse_int(s, len, false, &v);
    if (rc == -1 || len == 0)
        return sw__csv_fail(c, col, err, "\"%s\" is not an integer",
                            sw__trace_quote(s, len, q, sizeof(q)));
    if (rc == -2 || v > max)
        return sw__csv_fail(c, col, err, "\"%s\" is out of range (at most %lld)",
                            sw__trace_quote(s, len, q, sizeof(q)), (long long)max);
    if (v < min)
        return sw__csv_fail(c, col, err, "%lld is below %lld", (long long)v, (long long)min);
    *out = v;
    return 0;
}

int sw__csv_name(const struct sw__csv *c, const struct sw__csv_col *col, char *dst, size_t size,
                 sw_error_t *err)
{
    char q[200];
    size_t len;
    const char *s = sw__csv_field(c, col, &len);
    if (len == 0)
        return sw__csv_fail(c, col, err, "empty");
    if (len >= size)
        return sw__csv_fail(c, col, err, "\"%s\" is longer than %zu bytes",
                            sw__trace_quote(s, len, q, sizeof(q)), size - 1);
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return sw__csv_fail(c, col, err, "\"%s\" holds a control byte",
                                sw__trace_quote(s, len, q, sizeof(q)));
    memcpy(dst, s, len);
    dst[len] = '\0';
    return 0;
}

/* ---- job helpers ------------------------------------------------------- */

int64_t sw__gpu_walltime(int64_t runtime_s)
{
    int64_t w = runtime_s + (runtime_s + 9) / 10;
    return (w + 59) / 60 * 60;
}

void sw__gpu_copy_name(char dst[SW_NAME_MAX], const char *src)
{
    size_t n = strnlen(src, SW_NAME_MAX - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

void sw__gpu_tenant(const char *path, const char *tenant, char out[SW_NAME_MAX])
{
    if (tenant && tenant[0]) {
        sw__gpu_copy_name(out, tenant);
        return;
    }
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strcspn(base, ".");
    if (n == 0) {
        sw__gpu_copy_name(out, "trace");
        return;
    }
    if (n > SW_NAME_MAX - 1)
        n = SW_NAME_MAX - 1;
    for (size_t i = 0; i < n; i++)
        out[i] = ((unsigned char)base[i] < 0x20 || base[i] == 0x7f) ? '?' : base[i];
    out[n] = '\0';
}

int sw__gpu_check_place(const char *origin, double latency_ms, double data_gb, sw_error_t *err)
{
    errno = EINVAL;
    if (!(latency_ms >= 0) || latency_ms > SW_LATENCY_MAX_MS)
        return sw_errprintf(err, "latency circle: %g ms is out of range (0 to %.0f)",
                            latency_ms, SW_LATENCY_MAX_MS);
    if (!(data_gb >= 0) || data_gb > (double)SW_SIZE_MAX_MB / 1000.0)
        return sw_errprintf(err, "data size: %g GB is out of range (0 to 1e9)", data_gb);
    if (data_gb > 0 && !origin[0])
        return sw_errprintf(err, "an input data size (%g GB) needs an origin region where "
                                 "the data lies (--origin)", data_gb);
    return 0;
}

int sw__gpu_add_input(struct sw_jobspec *js, const char *origin, double data_gb)
{
    struct sw_data_input *in = calloc(1, sizeof(*in));
    if (!in) {
        errno = ENOMEM;
        return -1;
    }
    snprintf(in->name, sizeof(in->name), "%.26s/%llu", js->tenant, (unsigned long long)js->id);
    in->size_mb = (int64_t)ceil(data_gb * 1000.0);
    sw__gpu_copy_name(in->region, origin);
    js->inputs = in;
    js->ninputs = 1;
    return 0;
}

struct sw_jobspec *sw__gpu_push(struct sw__gpu_builder *b)
{
    if (b->w.n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 1024;
        struct sw_jobspec *p = NULL;
        if (cap <= SIZE_MAX / sizeof(*p))
            p = realloc(b->w.jobs, cap * sizeof(*p));
        if (!p) {
            errno = ENOMEM;
            return NULL;
        }
        b->w.jobs = p;
        b->cap = cap;
    }
    struct sw_jobspec *js = &b->w.jobs[b->w.n++];
    sw_jobspec_init(js);
    return js;
}

void sw__gpu_pop(struct sw__gpu_builder *b)
{
    if (b->w.n > 0)
        sw_jobspec_free(&b->w.jobs[--b->w.n]);
}

/* ---- stable sort by submit, in place ----------------------------------- */

/* Merge idx[lo..mid) and idx[mid..hi) into tmp[lo..hi) by submit time;
 * the left run wins ties (stable). */
static void merge(const struct sw_jobspec *jobs, const size_t *idx, size_t *tmp, size_t lo,
                  size_t mid, size_t hi)
{
    size_t i = lo, j = mid, k = lo;
    while (i < mid && j < hi)
        tmp[k++] = jobs[idx[j]].submit < jobs[idx[i]].submit ? idx[j++] : idx[i++];
    while (i < mid)
        tmp[k++] = idx[i++];
    while (j < hi)
        tmp[k++] = idx[j++];
}

/* Bottom-up merge sort of the index array. */
static void sort_index(const struct sw_jobspec *jobs, size_t *idx, size_t *tmp, size_t n)
{
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            merge(jobs, idx, tmp, lo, mid, hi);
        }
        memcpy(idx, tmp, n * sizeof(*idx));
    }
}

/* Put jobs[idx[k]] at position k, following the permutation's cycles with
 * one spare job (no second copy of the array). idx is consumed. */
static void apply_permutation(struct sw_jobspec *jobs, size_t *idx, size_t n)
{
    for (size_t start = 0; start < n; start++) {
        if (idx[start] == start)
            continue;
        struct sw_jobspec spare = jobs[start];
        size_t k = start;
        while (idx[k] != start) {
            size_t from = idx[k];
            jobs[k] = jobs[from];
            idx[k] = k;
            k = from;
        }
        jobs[k] = spare;
        idx[k] = k;
    }
}

int sw__gpu_sort_by_submit(struct sw_workload *w)
{
    size_t n = w->n;
    bool sorted = true;
    for (size_t i = 1; i < n && sorted; i++)
        sorted = w->jobs[i - 1].submit <= w->jobs[i].submit;
    if (sorted)
        return 0;
    size_t *idx = malloc(n * sizeof(*idx));
    size_t *tmp = malloc(n * sizeof(*tmp));
    if (!idx || !tmp) {
        free(idx);
        free(tmp);
        errno = ENOMEM;
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    sort_index(w->jobs, idx, tmp, n);
    apply_permutation(w->jobs, idx, n);
    free(idx);
    free(tmp);
    return 0;
}
