/* swf.h — reader for the Standard Workload Format of the Parallel Workloads
 * Archive (one job a line, 18 integer fields; ';' header comments).
 *
 * Canonical loading rules (docs/swf.md):
 *  - procs = field 8 (requested) if > 0, else field 5 (allocated);
 *  - runtime = field 4; estimate = field 9 if > 0, else runtime;
 *    runtime := min(runtime, estimate) (a job is killed at its limit);
 *  - jobs with runtime <= 0, procs <= 0, submit < 0, or procs > machine size
 *    are skipped and counted in trace->skipped;
 *  - machine size = options.procs, else header MaxProcs, else MaxNodes,
 *    else the largest job;
 *  - jobs ordered by (submit, id); options.first keeps the first N after
 *    filtering.
 * A malformed line (wrong field count, a field that is not an integer) is
 * an error naming file, line and field in strict mode; in lenient mode it is
 * counted in skipped.malformed and reported through options.warn.
 */
#ifndef SW_TRACE_SWF_H
#define SW_TRACE_SWF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trace/trace.h"
#include "util/error.h"

struct sw_swf_options {
    bool strict;       /* fail on the first malformed line */
    int64_t procs;     /* machine size override; 0 = from header/jobs */
    size_t first;      /* keep only the first N jobs after filtering; 0 = all */
    /* lenient mode: called for each malformed line (message names file,
     * line, field); may be NULL */
    void (*warn)(void *arg, const char *message);
    void *warn_arg;
    /* progress: called now and then with bytes read and total; may be NULL */
    void (*progress)(void *arg, uint64_t done, uint64_t total);
    void *progress_arg;
};

/* Read `path` (.swf or gzip) into `out` (overwritten, not freed first).
 * `opt` may be NULL (lenient, all defaults). Returns 0, or -1 with a message;
 * on failure `out` is left empty. Free with sw_trace_free(). Fields may be
 * decimals ("12.5"), truncated toward zero. A line too long for the line
 * reader fails the read in both modes. */
int sw_swf_read(const char *path, const struct sw_swf_options *opt, struct sw_trace *out,
                sw_error_t *err);

/* Parse one SWF data line into the 18 raw fields. Returns 0, or -1 with a
 * message naming the field ("field 4 (run time): \"x\" is not an integer").
 * Exposed for tests and fuzzing. */
int sw_swf_parse_line(const char *line, size_t len, int64_t fields[18], sw_error_t *err);

#endif
