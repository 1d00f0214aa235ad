/* error.c — formatting of sw_error_t messages (see error.h). */
#include "util/error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int sw_errprintf(sw_error_t *err, const char *fmt, ...)
{
    int saved = errno;
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->text, sizeof(err->text), fmt, ap);
        va_end(ap);
    }
    errno = saved;
    return -1;
}

int sw_errprefix(sw_error_t *err, const char *fmt, ...)
{
    int saved = errno;
    if (err) {
        char prefix[sizeof(err->text)];
        char old[sizeof(err->text)];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(prefix, sizeof(prefix), fmt, ap);
        va_end(ap);
        memcpy(old, err->text, sizeof(old));
        size_t n = strlen(prefix);
        if (n >= sizeof(err->text))
            n = sizeof(err->text) - 1;
        memcpy(err->text, prefix, n);
        size_t m = strlen(old);
        if (m > sizeof(err->text) - 1 - n)
            m = sizeof(err->text) - 1 - n; /* truncate: the message stays bounded */
        memcpy(err->text + n, old, m);
        err->text[n + m] = '\0';
    }
    errno = saved;
    return -1;
}
