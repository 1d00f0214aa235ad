/* parse.c — strict number parsing for user input (see parse.h). */
#include "util/parse.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

int sw_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out, const char *what,
                 sw_error_t *err)
{
    char *end = NULL;
    errno = 0;
    long long v = (s && *s) ? strtoll(s, &end, 10) : 0;
    if (!s || !*s || *end != '\0') {
        errno = EINVAL;
        return sw_errprintf(err, "%s: \"%s\" is not a whole number", what, s ? s : "");
    }
    if (errno == ERANGE || v < min || v > max) {
        errno = ERANGE;
        return sw_errprintf(err, "%s: %s is out of range (%lld to %lld)", what, s,
                            (long long)min, (long long)max);
    }
    *out = v;
    return 0;
}

int sw_parse_double(const char *s, double *out, const char *what, sw_error_t *err)
{
    char *end = NULL;
    errno = 0;
    double v = (s && *s) ? strtod(s, &end) : 0;
    if (!s || !*s || *end != '\0' || errno == ERANGE || !isfinite(v) || v < 0) {
        errno = EINVAL;
        return sw_errprintf(err, "%s: \"%s\" is not a non-negative number", what, s ? s : "");
    }
    *out = v;
    return 0;
}
