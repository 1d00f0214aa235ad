/* jobset.c — ordered set of job pointers as a sorted array with slack at
 * both ends (see jobset.h). Insert/remove shift the shorter side, so the
 * common patterns — append at the tail, take from the head — are O(1).
 */
#include "core/jobset.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void sw_jobset_init(struct sw_jobset *s, sw_job_cmp_f cmp)
{
    memset(s, 0, sizeof(*s));
    s->cmp = cmp;
}

void sw_jobset_fini(struct sw_jobset *s)
{
    free(s->buf);
    s->buf = NULL;
    s->off = s->len = s->cap = 0;
}

/* Make room for one more element at both ends: recentre in place when the
 * array is at most half full, else grow it twofold. */
static int jobset_make_room(struct sw_jobset *s)
{
    if (s->off > 0 && s->off + s->len < s->cap)
        return 0;
    size_t cap = s->cap;
    struct sw_job **buf = s->buf;
    if (s->len + 1 > cap / 2) {
        cap = cap ? cap * 2 : 16;
        buf = malloc(cap * sizeof(*buf));
        if (!buf)
            return -1;
    }
    size_t off = (cap - s->len) / 2;
    if (s->len)
        memmove(buf + off, s->buf + s->off, s->len * sizeof(*buf));
    if (buf != s->buf) {
        free(s->buf);
        s->buf = buf;
        s->cap = cap;
    }
    s->off = off;
    return 0;
}

int sw_jobset_reserve(struct sw_jobset *s, size_t n)
{
    /* jobset_make_room() never allocates while len + 1 <= cap / 2 */
    size_t want = 2 * n + 2;
    if (s->cap >= want)
        return 0;
    struct sw_job **buf = malloc(want * sizeof(*buf));
    if (!buf)
        return -1;
    size_t off = (want - s->len) / 2;
    if (s->len)
        memcpy(buf + off, s->buf + s->off, s->len * sizeof(*buf));
    free(s->buf);
    s->buf = buf;
    s->cap = want;
    s->off = off;
    return 0;
}

/* First index whose element orders after `j`. */
static size_t jobset_upper_bound(const struct sw_jobset *s, const struct sw_job *j)
{
    size_t lo = 0, hi = s->len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->cmp(s->buf[s->off + mid], j) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int sw_jobset_insert(struct sw_jobset *s, struct sw_job *j)
{
    if (jobset_make_room(s) < 0)
        return -1;
    size_t pos = jobset_upper_bound(s, j);
    struct sw_job **base = s->buf + s->off;
    if (pos < s->len / 2) {
        memmove(base - 1, base, pos * sizeof(*base));
        s->off--;
    } else {
        memmove(base + pos + 1, base + pos, (s->len - pos) * sizeof(*base));
    }
    s->buf[s->off + pos] = j;
    s->len++;
    return 0;
}

void sw_jobset_remove_at(struct sw_jobset *s, size_t i)
{
    struct sw_job **base = s->buf + s->off;
    if (i < s->len / 2) {
        memmove(base + 1, base, i * sizeof(*base));
        s->off++;
    } else {
        memmove(base + i, base + i + 1, (s->len - i - 1) * sizeof(*base));
    }
    s->len--;
    if (s->len == 0)
        s->off = s->cap / 2;
}

long sw_jobset_find(const struct sw_jobset *s, const struct sw_job *j)
{
    size_t lo = 0, hi = s->len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->cmp(s->buf[s->off + mid], j) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < s->len && s->buf[s->off + lo] == j)
        return (long)lo;
    return -1;
}

int sw_jobset_remove(struct sw_jobset *s, const struct sw_job *j)
{
    long i = sw_jobset_find(s, j);
    if (i < 0) {
        errno = ENOENT;
        return -1;
    }
    sw_jobset_remove_at(s, (size_t)i);
    return 0;
}

void sw_jobset_filter(struct sw_jobset *s, bool (*keep)(const struct sw_job *))
{
    struct sw_job **base = s->buf + s->off;
    size_t kept = 0;
    for (size_t i = 0; i < s->len; i++)
        if (keep(base[i]))
            base[kept++] = base[i];
    s->len = kept;
}

/* Stable bottom-up merge sort of `n` pointers, using `tmp` of the same size. */
static void jobset_merge_sort(struct sw_job **a, struct sw_job **tmp, size_t n, sw_job_cmp_f cmp)
{
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, k = mid, o = lo;
            while (i < mid && k < hi)
                tmp[o++] = cmp(a[k], a[i]) < 0 ? a[k++] : a[i++];
            while (i < mid)
                tmp[o++] = a[i++];
            while (k < hi)
                tmp[o++] = a[k++];
        }
        memcpy(a, tmp, n * sizeof(*a));
    }
}

void sw_jobset_resort(struct sw_jobset *s)
{
    if (s->len < 2)
        return;
    struct sw_job **tmp = malloc(s->len * sizeof(*tmp));
    struct sw_job **base = s->buf + s->off;
    if (!tmp) {
        /* Out of memory: fall back to an in-place insertion sort. */
        for (size_t i = 1; i < s->len; i++) {
            struct sw_job *x = base[i];
            size_t k = i;
            while (k > 0 && s->cmp(x, base[k - 1]) < 0) {
                base[k] = base[k - 1];
                k--;
            }
            base[k] = x;
        }
        return;
    }
    jobset_merge_sort(base, tmp, s->len, s->cmp);
    free(tmp);
}
