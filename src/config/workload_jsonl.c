/* workload_jsonl.c — a workload as JSON lines: one job (docs/jobs.md) per
 * line, for `suanwang sim` and tests.
 *
 * Lines are read through a bounded buffer (a line may be at most
 * SW_JOB_JSON_MAX bytes, the cap on one job), so a huge or binary file
 * costs at most that much memory per line. Blank lines and lines whose
 * first non-blank character is '#' are skipped. Ids default to line
 * numbers; duplicates are refused after the whole file is read, naming
 * both lines. All or nothing: the caller's workload is written only on
 * success.
 */
#include "config/job_json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CHUNK ((size_t)64 << 10)

/* A line reader over a FILE with a hard cap on line length. */
struct jl_reader {
    FILE *f;
    char *buf; /* SW_JOB_JSON_MAX + CHUNK + 1 bytes */
    size_t cap;
    size_t len; /* bytes in buf */
    size_t pos; /* start of the next line */
    bool eof;
    size_t lineno; /* of the line last returned */
};

/* The workload being read, with the line of each job for messages. */
struct jl_load {
    struct sw_workload w;
    size_t cap;
    size_t *lines;
};

/* Read more bytes after moving the unread tail to the front. Returns 0 or
 * -1 on a read error. */
static int jl_fill(struct jl_reader *r)
{
    memmove(r->buf, r->buf + r->pos, r->len - r->pos);
    r->len -= r->pos;
    r->pos = 0;
    size_t got = fread(r->buf + r->len, 1, r->cap - r->len, r->f);
    r->len += got;
    if (got == 0) {
        if (ferror(r->f))
            return -1;
        r->eof = true;
    }
    return 0;
}

/* Next line (without "\n" or "\r\n") in *line / *n. Returns 1, 0 at end,
 * -1 with a message. */
static int jl_next(struct jl_reader *r, const char *path, char **line, size_t *n, sw_error_t *err)
{
    for (;;) {
        char *start = r->buf + r->pos;
        char *nl = memchr(start, '\n', r->len - r->pos);
        size_t avail = r->len - r->pos;
        size_t l = nl ? (size_t)(nl - start) : avail;
        if (l > SW_JOB_JSON_MAX + (nl && l > 0 && start[l - 1] == '\r')) {
            errno = EFBIG;
            return sw_errprintf(err, "%s:%zu: line longer than %zu bytes (the limit for one job)",
                                path, r->lineno + 1, SW_JOB_JSON_MAX);
        }
        if (nl || (r->eof && avail > 0)) {
            r->pos += nl ? l + 1 : l;
            r->lineno++;
            if (l > 0 && start[l - 1] == '\r')
                l--;
            start[l] = '\0';
            *line = start;
            *n = l;
            return 1;
        }
        if (r->eof)
            return 0;
        if (jl_fill(r) != 0)
            return sw_errprintf(err, "%s: read error after line %zu: %s", path, r->lineno,
                                strerror(errno));
    }
}

static bool jl_skip(const char *line, size_t n)
{
    size_t i = 0;
    while (i < n && (line[i] == ' ' || line[i] == '\t'))
        i++;
    return i == n || line[i] == '#';
}

static int jl_append(struct jl_load *ld, struct sw_jobspec *js, size_t lineno)
{
    if (ld->w.n == ld->cap) {
        size_t cap = ld->cap ? ld->cap * 2 : 64;
        struct sw_jobspec *jobs = realloc(ld->w.jobs, cap * sizeof(*jobs));
        if (!jobs)
            return -1;
        ld->w.jobs = jobs;
        size_t *lines = realloc(ld->lines, cap * sizeof(*lines));
        if (!lines)
            return -1;
        ld->lines = lines;
        ld->cap = cap;
    }
    ld->w.jobs[ld->w.n] = *js;
    ld->lines[ld->w.n] = lineno;
    ld->w.n++;
    memset(js, 0, sizeof(*js));
    return 0;
}

/* (id, line) pairs sorted by id then line, to find duplicates. */
struct id_line {
    uint64_t id;
    size_t line;
};

static int id_line_cmp(const void *a, const void *b)
{
    const struct id_line *x = a, *y = b;
    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

/* Refuse two jobs with one id, naming the earliest later line. */
static int jl_check_ids(const struct jl_load *ld, const char *path, sw_error_t *err)
{
    size_t n = ld->w.n, bad = 0;
    if (n < 2)
        return 0;
    struct id_line *v = malloc(n * sizeof(*v));
    if (!v)
        return sw_errprintf(err, "%s: out of memory", path);
    for (size_t i = 0; i < n; i++)
        v[i] = (struct id_line){ld->w.jobs[i].id, ld->lines[i]};
    qsort(v, n, sizeof(*v), id_line_cmp);
    for (size_t i = 1; i < n; i++)
        if (v[i].id == v[i - 1].id && (bad == 0 || v[i].line < v[bad].line))
            bad = i;
    int rc = 0;
    if (bad > 0) {
        errno = EINVAL;
        rc = sw_errprintf(err, "%s:%zu: id: %llu is already used by line %zu", path, v[bad].line,
                          (unsigned long long)v[bad].id, v[bad - 1].line);
    }
    free(v);
    return rc;
}

/* Read every job of the open reader into ld. */
static int jl_read_all(struct jl_reader *r, const char *path, struct jl_load *ld, sw_error_t *err)
{
    char *line = NULL;
    size_t n = 0;
    int rc;
    while ((rc = jl_next(r, path, &line, &n, err)) == 1) {
        struct sw_jobspec js;
        if (jl_skip(line, n))
            continue;
        if (ld->w.n >= SW_WORKLOAD_MAX_JOBS) {
            errno = EFBIG;
            return sw_errprintf(err, "%s:%zu: more than %zu jobs", path, r->lineno,
                                SW_WORKLOAD_MAX_JOBS);
        }
        if (sw_jobspec_parse(line, n, &js, err) != 0)
            return sw_errprefix(err, "%s:%zu: ", path, r->lineno);
        if (js.id == 0)
            js.id = r->lineno;
        if (jl_append(ld, &js, r->lineno) != 0) {
            sw_jobspec_free(&js);
            return sw_errprintf(err, "%s:%zu: out of memory", path, r->lineno);
        }
    }
    if (rc < 0)
        return -1;
    return jl_check_ids(ld, path, err);
}

static FILE *jl_open(const char *path, sw_error_t *err)
{
    struct stat st;
    FILE *f = fopen(path, "rb");
    if (f && fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        f = NULL;
        errno = EISDIR;
    }
    if (!f)
        sw_errprintf(err, "cannot open workload \"%s\": %s", path, strerror(errno));
    return f;
}

int sw_workload_load_jsonl(const char *path, struct sw_workload *w, sw_error_t *err)
{
    struct jl_reader r = {.cap = SW_JOB_JSON_MAX + CHUNK};
    struct jl_load ld = {.cap = 0};
    int rc = -1;
    r.f = jl_open(path, err);
    if (!r.f)
        return -1;
    r.buf = malloc(r.cap + 1);
    if (!r.buf) {
        sw_errprintf(err, "%s: out of memory", path);
        goto out_close;
    }
    rc = jl_read_all(&r, path, &ld, err);
    if (rc == 0)
        *w = ld.w;
    else
        sw_workload_free(&ld.w);
    free(r.buf);
out_close:
    fclose(r.f);
    free(ld.lines);
    return rc;
}
