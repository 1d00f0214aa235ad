/* prom.h — a small Prometheus metrics registry and its text exposition
 * format (version 0.0.4), for the controller's GET /metrics.
 *
 * A registry (one per controller; no globals) holds metric families:
 * counters, gauges and histograms, each with a name, help text and a fixed
 * list of label names. Registering returns a handle; updates go through the
 * handle with the label values, in the order of the label names:
 *
 *     const char *lbl[] = {"tenant"};
 *     struct sw_prom_metric *sub = sw_prom_counter(reg,
 *         "suanwang_jobs_submitted_total", "Jobs accepted.", 1, lbl, &err);
 *     sw_prom_add(sub, (const char *[]){"tenant-a"}, 1);
 *
 * A series (one set of label values) is created on its first update. On a
 * hot path, look the series up once and keep it:
 *
 *     struct sw_prom_series *s = sw_prom_series(sub, (const char *[]){"t"});
 *     sw_prom_series_add(s, 1);       // one uncontended mutex, no lookup
 *
 * Gauges (and counters) whose value lives elsewhere (the queue depth in the
 * scheduler, the store's commit count) are registered with
 * sw_prom_gauge_fn() / sw_prom_counter_fn(): a callback that reports the
 * current values while the registry renders, so nothing has to be pushed.
 *
 * Threads: every function may be called from any thread at once. Each
 * family has its own mutex (updates of different families never contend);
 * the registry's mutex guards registration and rendering. Handles
 * (struct sw_prom_metric, struct sw_prom_series) stay valid until
 * sw_prom_destroy(); families and series are never removed.
 *
 * Errors follow suanwang's rule (0, or -1 / NULL with errno set).
 * Registration also writes a message into a sw_error_t (which may be NULL).
 * Updates set errno only: EINVAL (wrong metric type, NULL label value, a
 * negative or NaN counter increment, a NaN observation), ENOSPC (the family
 * already has SW_PROM_MAX_SERIES series: a guard against label values that
 * come from the network), ENOMEM.
 */
#ifndef SW_SERVER_PROM_H
#define SW_SERVER_PROM_H

#include <stddef.h>

#include "util/error.h"
#include "util/strbuf.h"

/* The Content-Type of sw_prom_render()'s output. */
#define SW_PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* The most series (label value sets) one family may hold. */
#define SW_PROM_MAX_SERIES 10000

/* The most label names one family may declare. */
#define SW_PROM_MAX_LABELS 16

/* The most explicit bucket bounds one histogram may declare. */
#define SW_PROM_MAX_BUCKETS 64

/* A buffer this large holds any value written by sw_prom_format_double(). */
#define SW_PROM_DOUBLE_BUFSIZE 32

enum sw_prom_type {
    SW_PROM_COUNTER,
    SW_PROM_GAUGE,
    SW_PROM_HISTOGRAM,
};

struct sw_prom;          /* the registry */
struct sw_prom_metric;   /* one metric family */
struct sw_prom_series;   /* one series of a family */
struct sw_prom_emit;     /* the sink of a gauge callback */

/* Create an empty registry. Returns NULL with errno ENOMEM. */
struct sw_prom *sw_prom_create(void);

/* Free the registry with every family and series; every handle becomes
 * invalid. Must not run concurrently with any other call on it. Accepts
 * NULL; keeps errno. */
void sw_prom_destroy(struct sw_prom *reg);

/* Register a counter (a value that only goes up; by convention the name
 * ends in "_total") or a gauge (a value that goes up and down).
 *
 * `name` must match [a-zA-Z_:][a-zA-Z0-9_:]*; each of the `nlabels` label
 * names must match [a-zA-Z_][a-zA-Z0-9_]*, must not begin with "__" and must
 * be distinct. `help` is free text (escaped when rendered). The strings are
 * copied. `labelnames` may be NULL when nlabels is 0.
 *
 * Registering the same name again with the same type, help and labels
 * returns the existing family (so modules may register lazily); any other
 * reuse of a name fails with EEXIST. A family without labels has its one
 * series from the start, rendered as 0 until updated.
 * Returns NULL with errno EINVAL, EEXIST or ENOMEM and a message in `err`. */
struct sw_prom_metric *sw_prom_counter(struct sw_prom *reg, const char *name, const char *help,
                                       size_t nlabels, const char *const *labelnames,
                                       sw_error_t *err);
struct sw_prom_metric *sw_prom_gauge(struct sw_prom *reg, const char *name, const char *help,
                                     size_t nlabels, const char *const *labelnames,
                                     sw_error_t *err);

/* Register a histogram with `nbounds` explicit bucket upper bounds, which
 * must be finite and strictly increasing (the "+Inf" bucket is implicit; 0
 * bounds is allowed). A bucket counts observations <= its bound ("le").
 * The label name "le" is reserved. The names name_bucket, name_sum and
 * name_count then belong to this family. As sw_prom_counter() otherwise. */
struct sw_prom_metric *sw_prom_histogram(struct sw_prom *reg, const char *name, const char *help,
                                         size_t nlabels, const char *const *labelnames,
                                         size_t nbounds, const double *bounds, sw_error_t *err);

/* A collector callback: called by sw_prom_render() for its family, while the
 * registry's mutex is held but no family's: it may update other families,
 * but must not register families or render (that would deadlock). It
 * reports each current series with sw_prom_emit(), each label value set at
 * most once. `e` is valid only during the call. Returns 0, or -1 with errno
 * set, which fails the whole render. */
typedef int (*sw_prom_collect_f)(struct sw_prom_emit *e, void *arg);

/* Register a gauge, or a counter, whose series are whatever `fn(e, arg)`
 * emits at each render: for values kept elsewhere (the queue depth in the
 * scheduler; the store's commit count, a counter). The family holds no
 * values itself, so sw_prom_series() and the updates fail on it with
 * EINVAL. `arg` is borrowed: it must outlive the registry. As
 * sw_prom_gauge() / sw_prom_counter() otherwise, except that registering
 * the name again always fails with EEXIST. */
struct sw_prom_metric *sw_prom_gauge_fn(struct sw_prom *reg, const char *name, const char *help,
                                        size_t nlabels, const char *const *labelnames,
                                        sw_prom_collect_f fn, void *arg, sw_error_t *err);
struct sw_prom_metric *sw_prom_counter_fn(struct sw_prom *reg, const char *name,
                                          const char *help, size_t nlabels,
                                          const char *const *labelnames, sw_prom_collect_f fn,
                                          void *arg, sw_error_t *err);

/* Report one series from a collector callback: `labelvalues` holds the
 * family's nlabels values (NULL if none); any UTF-8 text, escaped when
 * rendered. Returns 0, or -1 with errno EINVAL (a NULL value) or
 * ENOMEM/EFBIG (the output buffer). */
int sw_prom_emit(struct sw_prom_emit *e, const char *const *labelvalues, double v);

/* The series of `m` with these label values (nlabels of them, in the order
 * of the label names; NULL if none), created at 0 on first use. The
 * strings are copied. Returns NULL with errno EINVAL, ENOSPC or ENOMEM. */
struct sw_prom_series *sw_prom_series(struct sw_prom_metric *m, const char *const *labelvalues);

/* Add `v` to a counter (v >= 0, not NaN) or a gauge (any v). */
int sw_prom_series_add(struct sw_prom_series *s, double v);

/* Set a gauge (any v, including NaN and infinities). */
int sw_prom_series_set(struct sw_prom_series *s, double v);

/* Record one observation in a histogram (not NaN; +-Inf allowed). */
int sw_prom_series_observe(struct sw_prom_series *s, double v);

/* sw_prom_series() and then the operation above, in one call. */
int sw_prom_add(struct sw_prom_metric *m, const char *const *labelvalues, double v);
int sw_prom_set(struct sw_prom_metric *m, const char *const *labelvalues, double v);
int sw_prom_observe(struct sw_prom_metric *m, const char *const *labelvalues, double v);

/* Append every family to `out` in the text format 0.0.4: families in
 * registration order, each as "# HELP", "# TYPE" and its series sorted by
 * label values; histograms as cumulative name_bucket{le="..."} lines ending
 * with le="+Inf", then name_sum and name_count. Returns 0, or -1 with errno
 * (ENOMEM, EFBIG from the buffer's cap, or a callback's error); on failure
 * `out` is left as it was. */
int sw_prom_render(struct sw_prom *reg, struct sw_strbuf *out);

/* Write `v` as Prometheus parses it, whatever the C locale: "NaN", "+Inf",
 * "-Inf"; integers below 2^53 in magnitude without exponent or point
 * ("3", "-0" as "0"); anything else as the shortest %g text that reads back
 * exactly ("0.1", "1.5e-07"). `buf` needs SW_PROM_DOUBLE_BUFSIZE bytes.
 * Returns `buf`. */
char *sw_prom_format_double(double v, char *buf);

#endif
