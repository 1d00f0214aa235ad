/* gpucsv.h — internal to the GPU trace readers (itp.c, alibaba.c,
 * alibaba_network.c): a strict reader of simple comma-separated files with a
 * header line (no quoting: the traces have none), columns looked up by
 * name, typed field access whose errors read "FILE:LINE: COLUMN: why", and
 * helpers for filling job requests and growing workloads.
 */
#ifndef SW_TRACE_GPUCSV_H
#define SW_TRACE_GPUCSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/jobspec.h"
#include "trace/linereader.h"
#include "trace/trace.h"
#include "util/error.h"

#define SW__CSV_MAX_COLS 32

/* A column the reader wants: its header name and whether it must exist.
 * sw__csv_open() sets idx to its position, or -1 when absent. */
struct sw__csv_col {
    const char *name;
    bool required;
    int idx;
};

struct sw__csv {
    const char *path;
    struct sw_linereader *lr;
    size_t ncols;                              /* columns in the header */
    const char *line;                          /* the current row */
    struct sw__trace_token f[SW__CSV_MAX_COLS]; /* its fields, trimmed */
};

/* Open `path` and read its header (the first non-blank line; a UTF-8 BOM
 * is ignored), setting each wanted column's idx. Errors: cannot open, no
 * header, a required column missing, duplicate or too many columns. On
 * failure nothing stays open. */
int sw__csv_open(struct sw__csv *c, const char *path, struct sw__csv_col *cols, size_t ncols,
                 sw_error_t *err);

/* Next data row (blank lines skipped). Returns 1, 0 at end of file, or -1
 * with a message (line too long, wrong number of fields). */
int sw__csv_next(struct sw__csv *c, sw_error_t *err);

size_t sw__csv_lineno(const struct sw__csv *c);
void sw__csv_close(struct sw__csv *c);

/* The text of a column in the current row (not NUL-terminated); an absent
 * column reads as empty. */
const char *sw__csv_field(const struct sw__csv *c, const struct sw__csv_col *col, size_t *len);
bool sw__csv_empty(const struct sw__csv *c, const struct sw__csv_col *col);

/* A decimal integer in [min, max]. Errors name file, line and column:
 * "a.csv:3: num_gpu: \"x\" is not an integer", "... -5 is below 0". */
int sw__csv_int(const struct sw__csv *c, const struct sw__csv_col *col, int64_t min,
                int64_t max, int64_t *out, sw_error_t *err);

/* Fail with "FILE:LINE: COLUMN: " + the formatted text; returns -1, errno
 * EINVAL. */
int sw__csv_fail(const struct sw__csv *c, const struct sw__csv_col *col, sw_error_t *err,
                 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Copy the column's text into dst[size] as a name: 1..size-1 bytes, no
 * control bytes, else an error naming the column. */
int sw__csv_name(const struct sw__csv *c, const struct sw__csv_col *col, char *dst, size_t size,
                 sw_error_t *err);

/* ---- job helpers ---------------------------------------------------- */

/* Largest duration and time a trace field may hold. */
#define SW__GPU_TIME_MAX SW_DURATION_MAX

/* The walltime limit given to a trace job that ran `runtime_s` seconds:
 * runtime + 10% (rounded up to a second), rounded up to whole minutes. */
int64_t sw__gpu_walltime(int64_t runtime_s);

/* The tenant of a trace file: `tenant` when non-empty, else the file's
 * name up to its first '.' (never empty: "trace"). */
void sw__gpu_tenant(const char *path, const char *tenant, char out[SW_NAME_MAX]);

/* Check the origin / latency / data options shared by the readers. */
int sw__gpu_check_place(const char *origin, double latency_ms, double data_gb, sw_error_t *err);

/* Give `js` an input dataset named "TENANT/ID" of `data_gb` GB lying in
 * `origin`. Returns 0 or -1 (ENOMEM). */
int sw__gpu_add_input(struct sw_jobspec *js, const char *origin, double data_gb);

/* Copy a NUL-terminated string into a SW_NAME_MAX field, truncating. */
void sw__gpu_copy_name(char dst[SW_NAME_MAX], const char *src);

/* A workload being built: jobs and their capacity. */
struct sw__gpu_builder {
    struct sw_workload w;
    size_t cap;
};

/* A fresh slot at the end of the workload, initialised with
 * sw_jobspec_init(); NULL on ENOMEM. The slot counts in w.n. */
struct sw_jobspec *sw__gpu_push(struct sw__gpu_builder *b);

/* Drop the last job pushed (after a failure filling it). */
void sw__gpu_pop(struct sw__gpu_builder *b);

/* Order jobs stably by submit time, in place. Returns 0 or -1 (ENOMEM). */
int sw__gpu_sort_by_submit(struct sw_workload *w);

#endif
