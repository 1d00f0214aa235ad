/* error.h — the one error convention of suanwang.
 *
 * Functions return 0 (or a valid pointer) on success, and -1 (or NULL) on
 * failure with errno set. When they take a `sw_error_t *`, they also write a
 * human-readable message into it that names what was wrong and, where
 * possible, what to do about it. A failed call has no other side effects.
 */
#ifndef SW_UTIL_ERROR_H
#define SW_UTIL_ERROR_H

typedef struct {
    char text[512];
} sw_error_t;

/* Format a message into `err` (which may be NULL) and return -1, so that
 * callers can write `return sw_errprintf(err, "…", …);`. errno is preserved. */
int sw_errprintf(sw_error_t *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Prefix the message already in `err` with a formatted context string
 * ("file.swf:12: " + old text). Returns -1. errno is preserved. */
int sw_errprefix(sw_error_t *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
