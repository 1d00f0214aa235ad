/* html.c — escaping text for HTML pages (see html.h). */
#include "util/html.h"

/* Write at most `cap` bytes of `s` (stops at NUL) escaped for HTML text and
 * attribute values; control characters become '?'. */
void sw_html_put_escaped(FILE *out, const char *s, size_t cap)
{
    for (size_t i = 0; s && i < cap && s[i]; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        default: fputc((c < 0x20 && c != '\t') || c == 0x7f ? '?' : c, out); break;
        }
    }
}

