/* strbuf.h — a growable, NUL-terminated byte buffer with a hard size cap.
 *
 * Used by writers that build text (reports, CSV, JSON lines). Every append
 * checks the cap: a buffer never grows past `max`, and an append that would
 * fails with errno = EFBIG, leaving the buffer unchanged.
 */
#ifndef SW_UTIL_STRBUF_H
#define SW_UTIL_STRBUF_H

#include <stddef.h>

struct sw_strbuf {
    char *data;   /* NUL-terminated; NULL until the first append */
    size_t len;   /* bytes used, not counting the NUL */
    size_t cap;   /* bytes allocated */
    size_t max;   /* hard cap on len; 0 means SW_STRBUF_DEFAULT_MAX */
};

#define SW_STRBUF_DEFAULT_MAX ((size_t)1 << 30)

/* Append `n` bytes. Returns 0, or -1 with errno ENOMEM or EFBIG. */
int sw_strbuf_append(struct sw_strbuf *sb, const char *s, size_t n);

/* Append a NUL-terminated string. */
int sw_strbuf_puts(struct sw_strbuf *sb, const char *s);

/* Append formatted text. */
int sw_strbuf_printf(struct sw_strbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Release the memory; the buffer is empty and reusable afterwards. */
void sw_strbuf_free(struct sw_strbuf *sb);

#endif
