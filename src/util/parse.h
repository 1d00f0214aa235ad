/* parse.h — strict parsing of numbers from user input (command-line
 * flags, config values): the whole string must be a number in range.
 */
#ifndef SW_UTIL_PARSE_H
#define SW_UTIL_PARSE_H

#include <stdint.h>

#include "util/error.h"

/* Parse a decimal integer in [min, max]. `what` names the input in the
 * message ("--procs"). Returns 0, or -1 with EINVAL/ERANGE and a message. */
int sw_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out, const char *what,
                 sw_error_t *err);

/* Parse a non-negative real number (e.g. a weight). */
int sw_parse_double(const char *s, double *out, const char *what, sw_error_t *err);

#endif
