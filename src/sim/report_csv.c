/* report_csv.c — jobs.csv: a header line, then one row per job in r->jobs
 * order (columns in docs/report.md).
 *
 * Rows are formatted by hand into one large chunk that is written with a
 * single fwrite() when nearly full: 450k rows cost no allocation per row,
 * only one small printf (the real column), and few system calls.
 * bounded_slowdown is printed with "%.4f": fixed-point, never in exponent
 * notation.
 */
#include "sim/report.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/metrics.h"

static const char csv_header[] =
    "id,submit,start,end,procs,wait,runtime,estimate,user,bounded_slowdown\n";

enum {
    CSV_CHUNK = 1 << 18, /* bytes per write */
    CSV_BSLD_MAX = 320,  /* "%.4f\n" of any finite double fits */
    CSV_ROW_MAX = 9 * 22 + CSV_BSLD_MAX, /* 9 integers: sign, 20 digits, ',' */
};

struct csv_chunk {
    FILE *out;
    char *buf;
    size_t len;
};

/* Write the chunk out; -1 with errno on a write error. */
static int chunk_flush(struct csv_chunk *c)
{
    if (c->len > 0 && fwrite(c->buf, 1, c->len, c->out) != c->len) {
        if (errno == 0)
            errno = EIO;
        return -1;
    }
    c->len = 0;
    return 0;
}

/* Decimal digits of `v` at `p`, then `sep`; returns the bytes written. */
static size_t put_u64(char *p, uint64_t v, char sep)
{
    char tmp[24];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + (int)(v % 10));
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        p[i] = tmp[n - 1 - i];
    p[n] = sep;
    return n + 1;
}

static size_t put_i64(char *p, int64_t v, char sep)
{
    if (v >= 0)
        return put_u64(p, (uint64_t)v, sep);
    *p = '-';
    return 1 + put_u64(p + 1, (uint64_t)0 - (uint64_t)v, sep); /* |INT64_MIN| too */
}

/* The job's bounded slowdown (sw_bounded_slowdown(), the value the
 * metrics average) with four decimals and a newline. */
static size_t put_bsld(char *p, int64_t wait, int64_t runtime)
{
    int n = snprintf(p, CSV_BSLD_MAX, "%.4f\n", sw_bounded_slowdown(wait, runtime));
    return n > 0 && n < CSV_BSLD_MAX ? (size_t)n : 0;
}

static void chunk_row(struct csv_chunk *c, const struct sw_sim_jobrec *j)
{
    char *p = c->buf + c->len;
    int64_t wait = j->start - j->submit;
    p += put_u64(p, j->id, ',');
    p += put_i64(p, j->submit, ',');
    p += put_i64(p, j->start, ',');
    p += put_i64(p, j->end, ',');
    p += put_i64(p, j->procs, ',');
    p += put_i64(p, wait, ',');
    p += put_i64(p, j->runtime, ',');
    p += put_i64(p, j->estimate, ',');
    p += put_u64(p, j->user, ',');
    p += put_bsld(p, wait, j->runtime);
    c->len = (size_t)(p - c->buf);
}

static int write_rows(const struct sw_sim_result *r, struct csv_chunk *c)
{
    memcpy(c->buf, csv_header, sizeof(csv_header) - 1);
    c->len = sizeof(csv_header) - 1;
    for (size_t i = 0; i < r->njobs; i++) {
        if (CSV_CHUNK - c->len < CSV_ROW_MAX && chunk_flush(c) < 0)
            return -1;
        chunk_row(c, &r->jobs[i]);
    }
    return chunk_flush(c);
}

int sw_report_write_csv(const struct sw_sim_result *r, FILE *out, sw_error_t *err)
{
    struct csv_chunk c = { .out = out, .buf = malloc(CSV_CHUNK) };
    if (!c.buf)
        return sw_errprintf(err, "cannot write CSV: %s", strerror(errno));
    errno = 0;
    int rc = write_rows(r, &c);
    if (rc == 0 && (fflush(out) != 0 || ferror(out))) {
        if (errno == 0)
            errno = EIO;
        rc = -1;
    }
    int saved = errno;
    free(c.buf);
    errno = saved;
    if (rc < 0)
        return sw_errprintf(err, "cannot write CSV: %s", strerror(saved));
    return 0;
}
