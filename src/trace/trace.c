/* trace.c — the in-memory trace shared by the readers (see trace.h): freeing,
 * skip totals, the stable (submit, id) ordering, and the small parsing
 * helpers that swf.c and pyss.c have in common.
 */
#include "trace/trace.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

size_t sw_trace_skipped_total(const struct sw_trace *t)
{
    const struct sw_trace_skips *s = &t->skipped;
    return s->runtime + s->procs + s->submit + s->too_big + s->estimate + s->malformed;
}

void sw_trace_free(struct sw_trace *t)
{
    if (!t)
        return;
    int saved = errno;
    if (t->labels) {
        for (size_t i = 0; i < t->njobs; i++)
            free(t->labels[i]);
        free(t->labels);
    }
    free(t->jobs);
    memset(t, 0, sizeof(*t));
    errno = saved;
}

static bool job_before(const struct sw_trace_job *a, const struct sw_trace_job *b)
{
    if (a->submit != b->submit)
        return a->submit < b->submit;
    return a->id < b->id;
}

static bool jobs_sorted(const struct sw_trace_job *jobs, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        if (job_before(&jobs[i], &jobs[i - 1]))
            return false;
    }
    return true;
}

/* Merge idx[lo..mid) and idx[mid..hi) into tmp[lo..hi); the left run wins
 * ties, which keeps the sort stable. */
static void merge_runs(const struct sw_trace_job *jobs, const size_t *idx, size_t *tmp,
                       size_t lo, size_t mid, size_t hi)
{
    size_t i = lo, j = mid, k = lo;
    while (i < mid && j < hi) {
        if (job_before(&jobs[idx[j]], &jobs[idx[i]]))
            tmp[k++] = idx[j++];
        else
            tmp[k++] = idx[i++];
    }
    while (i < mid)
        tmp[k++] = idx[i++];
    while (j < hi)
        tmp[k++] = idx[j++];
}

/* Bottom-up stable merge sort of the permutation idx (n entries); tmp is
 * scratch of the same size. Returns the array holding the result. */
static size_t *sort_permutation(const struct sw_trace_job *jobs, size_t *idx, size_t *tmp,
                                size_t n)
{
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = mid + width < n ? mid + width : n;
            merge_runs(jobs, idx, tmp, lo, mid, hi);
        }
        size_t *swap = idx;
        idx = tmp;
        tmp = swap;
    }
    return idx;
}

int sw_trace_sort(struct sw_trace *t)
{
    size_t n = t->njobs;
    if (n < 2 || jobs_sorted(t->jobs, n))
        return 0;
    int rc = -1;
    size_t *idx = malloc(n * sizeof(*idx));
    size_t *tmp = malloc(n * sizeof(*tmp));
    struct sw_trace_job *jobs = malloc(n * sizeof(*jobs));
    char **labels = t->labels ? malloc(n * sizeof(*labels)) : NULL;
    if (!idx || !tmp || !jobs || (t->labels && !labels)) {
        errno = ENOMEM;
        goto out_free_scratch;
    }
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    const size_t *order = sort_permutation(t->jobs, idx, tmp, n);
    for (size_t i = 0; i < n; i++) {
        jobs[i] = t->jobs[order[i]];
        if (labels)
            labels[i] = t->labels[order[i]];
    }
    free(t->jobs);
    t->jobs = jobs;
    jobs = NULL;
    if (labels) {
        free(t->labels);
        t->labels = labels;
        labels = NULL;
    }
    rc = 0;
out_free_scratch:
    free(labels);
    free(jobs);
    free(tmp);
    free(idx);
    return rc;
}

/* The field separators: space, \t, \n, \v, \f, \r. */
static const bool space_table[256] = {
    [' '] = true, ['\t'] = true, ['\n'] = true, ['\v'] = true, ['\f'] = true, ['\r'] = true,
};

static bool is_space(char c)
{
    return space_table[(unsigned char)c];
}

size_t sw__trace_split(const char *s, size_t len, struct sw__trace_token *tok, size_t max)
{
    size_t count = 0;
    size_t i = 0;
    for (;;) {
        while (i < len && is_space(s[i]))
            i++;
        if (i == len)
            return count;
        size_t start = i;
        while (i < len && !is_space(s[i]))
            i++;
        if (count < max) {
            tok[count].off = start;
            tok[count].len = i - start;
        }
        count++;
    }
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

int sw__trace_parse_int(const char *s, size_t n, bool allow_fraction, int64_t *out)
{
    size_t i = 0;
    bool neg = false;
    if (i < n && (s[i] == '-' || s[i] == '+')) {
        neg = s[i] == '-';
        i++;
    }
    const uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    const uint64_t cutoff = limit / 10;
    const unsigned cutlim = (unsigned)(limit % 10);
    uint64_t mag = 0;
    bool overflow = false;
    size_t first_digit = i;
    for (; i < n && is_digit(s[i]); i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (mag > cutoff || (mag == cutoff && d > cutlim))
            overflow = true;
        else
            mag = mag * 10 + d;
    }
    if (i == first_digit)
        return -1;
    if (allow_fraction && i < n && s[i] == '.') {
        size_t first_frac = ++i;
        while (i < n && is_digit(s[i]))
            i++;
        if (i == first_frac)
            return -1;
    }
    if (i != n)
        return -1;
    if (overflow)
        return -2;
    if (neg)
        *out = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
    else
        *out = (int64_t)mag;
    return 0;
}

/* Append the printable form of byte c at buf[*k]; returns false when it
 * would not leave room for "..." and the NUL. */
static bool quote_byte(unsigned char c, char *buf, size_t bufsize, size_t *k)
{
    static const char hex[] = "0123456789abcdef";
    char tmp[4];
    size_t m = 0;
    if (c == '"' || c == '\\') {
        tmp[m++] = '\\';
        tmp[m++] = (char)c;
    } else if (c >= 0x20 && c < 0x7f) {
        tmp[m++] = (char)c;
    } else {
        tmp[m++] = '\\';
        tmp[m++] = 'x';
        tmp[m++] = hex[c >> 4];
        tmp[m++] = hex[c & 15];
    }
    if (*k + m + 4 > bufsize)
        return false;
    memcpy(buf + *k, tmp, m);
    *k += m;
    return true;
}

const char *sw__trace_quote(const char *s, size_t n, char *buf, size_t bufsize)
{
    enum { QUOTE_MAX_BYTES = 40 };
    size_t k = 0;
    size_t i = 0;
    for (; i < n && i < QUOTE_MAX_BYTES; i++) {
        if (!quote_byte((unsigned char)s[i], buf, bufsize, &k))
            break;
    }
    if (i < n && k + 4 <= bufsize) {
        memcpy(buf + k, "...", 3);
        k += 3;
    }
    buf[k] = '\0';
    return buf;
}

void sw_trace_truncate(struct sw_trace *t, size_t n)
{
    if (n >= t->njobs)
        return;
    if (t->labels) {
        for (size_t i = n; i < t->njobs; i++) {
            free(t->labels[i]);
            t->labels[i] = NULL;
        }
    }
    t->njobs = n;
}
