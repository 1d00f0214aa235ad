/* pyss.h — reader for the hand-made test cases of the pyss scheduling
 * simulator (../shared/traces/swf/pyss-fixtures): one job a line,
 * `submit_time job_id estimated_runtime num_procs actual_runtime admin_QoS
 * user_QoS user_id`, '#' starts a comment, blank lines ignored. The job id
 * text encodes the expected finish time (its integer part).
 *
 * Jobs whose estimate is below their actual runtime are dropped (counted in
 * skipped.estimate). Jobs keep file order among equal submit times: id is
 * the 1-based position in the file, labels[i] the original id text.
 * machine_procs is 100 (the pyss test machine) unless procs > 0 is given.
 */
#ifndef SW_TRACE_PYSS_H
#define SW_TRACE_PYSS_H

#include <stdint.h>

#include "trace/trace.h"
#include "util/error.h"

/* Read `path` (plain or gzip) into `out` (overwritten). Returns 0, or -1 with
 * a message naming file, line and field; on failure `out` is left empty.
 * Jobs with runtime <= 0, procs <= 0 or submit < 0 are counted in skipped
 * like SWF's; jobs wider than the machine in skipped.too_big. machine_source
 * is "--procs" or "pyss default (100)". Free with sw_trace_free(). */
int sw_pyss_read(const char *path, int64_t procs, struct sw_trace *out, sw_error_t *err);

/* The expected finish time encoded in a pyss id text: the integer value of
 * its leading digits ("20.1" -> 20, "100" -> 100); -1 when the label is NULL,
 * does not start with a digit, or overflows int64. */
int64_t sw_pyss_expected_finish(const char *label);

#endif
