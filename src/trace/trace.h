/* trace.h — a workload trace loaded into memory: the jobs a simulator
 * replays. Filled by the readers (swf.h, pyss.h); freed by sw_trace_free().
 */
#ifndef SW_TRACE_TRACE_H
#define SW_TRACE_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sw_trace_job {
    uint64_t id;       /* job id from the trace (pyss: line order, 1-based) */
    int64_t submit;    /* s */
    int64_t runtime;   /* s, > 0, already capped at estimate */
    int64_t estimate;  /* s, > 0 (walltime limit) */
    int64_t procs;     /* processors, > 0, <= machine_procs */
    uint32_t user;     /* user id (0 when unknown) */
};

/* Why jobs were left out of the trace. */
struct sw_trace_skips {
    size_t runtime;      /* runtime <= 0 */
    size_t procs;        /* procs <= 0 */
    size_t submit;       /* submit < 0 */
    size_t too_big;      /* procs > machine size */
    size_t estimate;     /* pyss: estimate below actual runtime (dropped) */
    size_t malformed;    /* lenient mode: lines that could not be parsed */
};

struct sw_trace {
    struct sw_trace_job *jobs; /* ordered by (submit, id) (pyss: submit, line) */
    size_t njobs;
    int64_t machine_procs;     /* the machine size used for filtering */
    const char *machine_source;/* "--procs", "MaxProcs", "MaxNodes" or "largest job" (static) */
    int64_t header_max_procs;  /* 0 when absent */
    int64_t header_max_nodes;  /* 0 when absent */
    size_t lines;              /* lines read */
    size_t records;            /* of those, job lines (not comment/blank) */
    struct sw_trace_skips skipped;
    char **labels;             /* pyss only: each job's id text ("20.1"); else NULL */
};

/* Total of all skip counters. */
size_t sw_trace_skipped_total(const struct sw_trace *t);

/* Keep only the first `n` jobs (no-op when there are fewer). */
void sw_trace_truncate(struct sw_trace *t, size_t n);

/* Free everything a reader allocated; the struct is zeroed. Accepts NULL.
 * errno is preserved. */
void sw_trace_free(struct sw_trace *t);

/* Order t->jobs (and t->labels with them, when non-NULL) by (submit, id),
 * keeping the current order among equal keys (stable). Returns 0, or -1
 * with errno = ENOMEM, leaving t unchanged. */
int sw_trace_sort(struct sw_trace *t);

/* Internal to the trace readers. */

/* Parse the decimal integer s[0..n) (optional sign, digits; no spaces).
 * With allow_fraction, a fraction ".ddd" is accepted and truncated toward
 * zero. Never reads past n. Returns 0, -1 when it is not a number, -2 when
 * it is outside the int64 range. */
int sw__trace_parse_int(const char *s, size_t n, bool allow_fraction, int64_t *out);

/* A whitespace-separated token of a line: s[off..off+len). */
struct sw__trace_token {
    size_t off;
    size_t len;
};

/* Split s[0..len) at whitespace (space, tab, \r, \n, \v, \f); stores the
 * first `max` tokens into tok and returns how many there are in all. Never
 * reads past len. */
size_t sw__trace_split(const char *s, size_t len, struct sw__trace_token *tok, size_t max);

/* Write s[0..n) into buf (of size bufsize, >= 8) as printable text for an
 * error message: at most ~40 bytes, '"', '\\' and non-printable bytes
 * escaped, "..." when cut. Returns buf. */
const char *sw__trace_quote(const char *s, size_t n, char *buf, size_t bufsize);

#endif
