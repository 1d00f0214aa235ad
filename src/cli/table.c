/* table.c — aligned tables and short formats for the user commands (see
 * table.h).
 */
#include "cli/table.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void sw_table_init(struct sw_table *t, size_t ncols, ...)
{
    memset(t, 0, sizeof(*t));
    t->ncols = ncols < SW_TABLE_MAX_COLS ? ncols : SW_TABLE_MAX_COLS;
    va_list ap;
    va_start(ap, ncols);
    for (size_t i = 0; i < t->ncols; i++)
        t->head[i] = va_arg(ap, const char *);
    va_end(ap);
}

int sw_table_row(struct sw_table *t, ...)
{
    if (t->nrows == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 32;
        char **cells = realloc(t->cells, cap * t->ncols * sizeof(*cells));
        if (!cells) {
            t->oom = 1;
            return -1;
        }
        t->cells = cells;
        t->cap = cap;
    }
    char **row = t->cells + t->nrows * t->ncols;
    va_list ap;
    va_start(ap, t);
    int rc = 0;
    for (size_t i = 0; i < t->ncols; i++) {
        const char *s = va_arg(ap, const char *);
        row[i] = strdup(s && s[0] ? s : "-");
        if (!row[i])
            rc = -1;
    }
    va_end(ap);
    if (rc < 0) {
        for (size_t i = 0; i < t->ncols; i++)
            free(row[i]);
        t->oom = 1;
        errno = ENOMEM;
        return -1;
    }
    t->nrows++;
    return 0;
}

static const char *head_text(const char *h)
{
    return h[0] == '>' ? h + 1 : h;
}

static int put_cell(FILE *out, const char *s, size_t width, int right, int last)
{
    size_t w = sw_display_width(s);
    size_t pad = width > w ? width - w : 0;
    if (right && fprintf(out, "%*s", (int)pad, "") < 0)
        return -1;
    if (fputs(s, out) == EOF)
        return -1;
    if (!right && !last && fprintf(out, "%*s", (int)pad, "") < 0)
        return -1;
    if (!last && fputs("  ", out) == EOF)
        return -1;
    return 0;
}

int sw_table_print(const struct sw_table *t, FILE *out)
{
    size_t width[SW_TABLE_MAX_COLS];
    for (size_t c = 0; c < t->ncols; c++) {
        width[c] = sw_display_width(head_text(t->head[c]));
        for (size_t r = 0; r < t->nrows; r++) {
            size_t w = sw_display_width(t->cells[r * t->ncols + c]);
            if (w > width[c])
                width[c] = w;
        }
    }
    for (size_t c = 0; c < t->ncols; c++)
        if (put_cell(out, head_text(t->head[c]), width[c], t->head[c][0] == '>',
                     c + 1 == t->ncols) < 0)
            return -1;
    if (fputc('\n', out) == EOF)
        return -1;
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t c = 0; c < t->ncols; c++)
            if (put_cell(out, t->cells[r * t->ncols + c], width[c], t->head[c][0] == '>',
                         c + 1 == t->ncols) < 0)
                return -1;
        if (fputc('\n', out) == EOF)
            return -1;
    }
    if (t->oom) {
        errno = ENOMEM;
        return -1;
    }
    return 0;
}

void sw_table_free(struct sw_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
    memset(t, 0, sizeof(*t));
}

/* East Asian wide and fullwidth ranges (Unicode 15, EastAsianWidth W/F). */
static int wide(uint32_t c)
{
    return (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0x303E) ||
           (c >= 0x3041 && c <= 0x33FF) || (c >= 0x3400 && c <= 0x4DBF) ||
           (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xA000 && c <= 0xA4CF) ||
           (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) ||
           (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
           (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x1F300 && c <= 0x1F64F) ||
           (c >= 0x1F900 && c <= 0x1F9FF) || (c >= 0x20000 && c <= 0x3FFFD);
}

size_t sw_display_width(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t w = 0;
    while (*p) {
        uint32_t c;
        int len;
        if (*p < 0x80) {
            c = *p;
            len = 1;
        } else if ((*p & 0xE0) == 0xC0) {
            c = *p & 0x1F;
            len = 2;
        } else if ((*p & 0xF0) == 0xE0) {
            c = *p & 0x0F;
            len = 3;
        } else if ((*p & 0xF8) == 0xF0) {
            c = *p & 0x07;
            len = 4;
        } else {
            w++;
            p++;
            continue;
        }
        int ok = 1;
        for (int i = 1; i < len; i++) {
            if ((p[i] & 0xC0) != 0x80) {
                ok = 0;
                break;
            }
            c = (c << 6) | (p[i] & 0x3F);
        }
        if (!ok) {
            w++;
            p++;
            continue;
        }
        p += len;
        if ((c >= 0x0300 && c <= 0x036F) || c == 0x200B || c == 0x200D ||
            (c >= 0xFE00 && c <= 0xFE0F))
            continue; /* combining marks, zero-width */
        w += wide(c) ? 2 : 1;
    }
    return w;
}

void sw_fmt_duration(int64_t s, char *out, size_t n)
{
    if (s < 0)
        s = 0;
    if (s < 60)
        snprintf(out, n, "%llds", (long long)s);
    else if (s < 3600)
        snprintf(out, n, "%lldm", (long long)(s / 60));
    else if (s < 86400)
        snprintf(out, n, "%lldh%02lldm", (long long)(s / 3600), (long long)(s % 3600 / 60));
    else
        snprintf(out, n, "%lldd%02lldh", (long long)(s / 86400), (long long)(s % 86400 / 3600));
}

int64_t sw_parse_api_time(const char *iso)
{
    int Y, M, D, h, m, s;
    char z = 0;
    if (!iso || strlen(iso) < 20 || iso[4] != '-' || iso[10] != 'T')
        return -1;
    /* YYYY-MM-DDTHH:MM:SS[.mmm]Z, always UTC */
    char buf[32];
    snprintf(buf, sizeof(buf), "%s", iso);
    char *dot = strchr(buf, '.');
    if (dot) {
        z = buf[strlen(buf) - 1];
        *dot = '\0';
    } else {
        z = buf[19];
        buf[19] = '\0';
    }
    if (z != 'Z')
        return -1;
    char *end = NULL;
    Y = (int)strtol(buf, &end, 10);
    if (*end != '-')
        return -1;
    M = (int)strtol(end + 1, &end, 10);
    if (*end != '-')
        return -1;
    D = (int)strtol(end + 1, &end, 10);
    if (*end != 'T')
        return -1;
    h = (int)strtol(end + 1, &end, 10);
    if (*end != ':')
        return -1;
    m = (int)strtol(end + 1, &end, 10);
    if (*end != ':')
        return -1;
    s = (int)strtol(end + 1, &end, 10);
    if (*end)
        return -1;
    /* days from civil (Howard Hinnant), avoiding timegm() which is not POSIX */
    int y = Y - (M <= 2);
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (M + (M > 2 ? -3 : 9)) + 2) / 5 + D - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = (int64_t)era * 146097 + doe - 719468;
    return days * 86400 + h * 3600 + m * 60 + s;
}

void sw_fmt_time(const char *iso, char *out, size_t n)
{
    int64_t t = sw_parse_api_time(iso);
    if (t < 0) {
        snprintf(out, n, "%s", iso ? iso : "-");
        return;
    }
    time_t tt = (time_t)t;
    struct tm tm;
    if (!localtime_r(&tt, &tm) || !strftime(out, n, "%Y-%m-%d %H:%M:%S", &tm))
        snprintf(out, n, "%s", iso);
}
