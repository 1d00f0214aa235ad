/* testutil.h — small helpers shared by the unit tests. */
#ifndef SW_TESTUTIL_H
#define SW_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

/* The directory of the real traces ($SUANWANG_TRACES, else ../shared/traces
 * beside the source tree), or NULL after printing why tests using it are
 * skipped. */
const char *sw_test_traces_dir(void);

/* Path of a file under the traces directory, or NULL (and a printed reason)
 * when it is missing. The returned string is static, valid until next call. */
const char *sw_test_trace_path(const char *relative);

/* Path of a file under tests/data (static buffer, valid until next call). */
const char *sw_test_data_path(const char *name);

#endif
