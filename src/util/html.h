/* html.h — escaping text for the self-contained HTML reports. */
#ifndef SW_UTIL_HTML_H
#define SW_UTIL_HTML_H

#include <stddef.h>
#include <stdio.h>

/* Write at most `cap` bytes of `s` (stopping at NUL) escaped for HTML text
 * and attribute values; control characters become '?'. */
void sw_html_put_escaped(FILE *out, const char *s, size_t cap);

#endif
