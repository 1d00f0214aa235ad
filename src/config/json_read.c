/* json_read.c — typed reading of JSON values for the job format's decoder
 * (job_json.c): each getter checks a value's type and range and, when it is
 * wrong, writes a message that starts with the value's path and says why
 * ("tasks: must be >= 1, got 0"). Also the helpers those messages need:
 * printable quoting, "did you mean" by edit distance, UTF-8 checks.
 */
#include "config/json_read.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/job_json.h"

/* ---- messages -------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    size_t len;
    uint32_t c;
    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        len = 2, c = s[0] & 0x1f;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        len = 3, c = s[0] & 0x0f;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        len = 4, c = s[0] & 0x07;
    else
        return 0;
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3f);
    }
    if ((len == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) ||
        (len == 4 && (c < 0x10000 || c > 0x10ffff)))
        return 0;
    return len;
}

bool sw__jr_utf8_valid(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t k = utf8_seq((const unsigned char *)s + i, n - i);
        if (k == 0)
            return false;
        i += k;
    }
    return true;
}

/* Copy a user string into `buf` for a message: at most 40 bytes, whole
 * UTF-8 characters only, control bytes and invalid bytes as '?', "..."
 * when cut. */
const char *sw__jr_quote(const char *s, char *buf, size_t size)
{
    size_t i = 0, n = 0, len = strlen(s);
    while (i < len && n + 4 < size && n < 40) {
        size_t k = utf8_seq((const unsigned char *)s + i, len - i);
        if (k == 0 || (unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
            buf[n++] = '?';
            i++;
            continue;
        }
        if (n + k + 4 > size || n + k > 40)
            break;
        memcpy(buf + n, s + i, k);
        n += k;
        i += k;
    }
    if (i < len && n + 4 <= size) {
        memcpy(buf + n, "...", 3);
        n += 3;
    }
    buf[n] = '\0';
    return buf;
}

/* Write "PATH: message" and return -1 with errno EINVAL. */
int sw__jr_fail(sw_error_t *err, const char *path, const char *fmt, ...)
{
    char msg[sizeof(((sw_error_t *)0)->text)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    errno = EINVAL;
    return sw_errprintf(err, "%s: %s", path, msg);
}

int sw__jr_nomem(sw_error_t *err, const char *path)
{
    errno = ENOMEM;
    return sw_errprintf(err, "%s: out of memory", path);
}

/* What a JSON value is, for "expected X, got Y". */
const char *sw__jr_describe(const json_t *v, char *buf, size_t size)
{
    char q[64];
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        snprintf(buf, size, "the string \"%s\"", sw__jr_quote(json_string_value(v), q, sizeof(q)));
        return buf;
    case JSON_INTEGER:
        snprintf(buf, size, "%lld", (long long)json_integer_value(v));
        return buf;
    case JSON_REAL: { /* 2.0 stays "2.0": "expected an integer, got 2" would puzzle */
        double x = json_real_value(v);
        bool whole = fmod(x, 1.0) == 0 && fabs(x) < 1e15;
        snprintf(buf, size, "%.15g%s", x, whole ? ".0" : "");
        return buf;
    }
    case JSON_TRUE:
        return "true";
    case JSON_FALSE:
        return "false";
    case JSON_NULL:
        return "null";
    }
    return "?";
}

int sw__jr_type_error(sw_error_t *err, const char *path, const char *expected, const json_t *v)
{
    char buf[80];
    return sw__jr_fail(err, path, "expected %s, got %s", expected,
                       sw__jr_describe(v, buf, sizeof(buf)));
}

static void path_fmt(char *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Format a path into out[SW__JR_PATH_LEN], cut if need be (paths are short: the
 * format nests four levels deep and keys are quoted to 40 bytes). */
static void path_fmt(char *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, SW__JR_PATH_LEN, fmt, ap);
    va_end(ap);
}

/* "parent.key" (or "key" at the top), the key made printable. */
void sw__jr_path_join(char *out, const char *parent, const char *key)
{
    char q[64];
    path_fmt(out, "%s%s%s", parent, parent[0] ? "." : "", sw__jr_quote(key, q, sizeof(q)));
}

void sw__jr_path_index(char *out, const char *parent, size_t i)
{
    path_fmt(out, "%s[%zu]", parent, i);
}

/* ---- did you mean ---------------------------------------------------- */

/* Levenshtein distance of two short strings (at most 63 bytes each, else
 * a large number). */
static size_t edit_distance(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    size_t row[64];
    if (na >= 64 || nb >= 64)
        return 1000;
    for (size_t j = 0; j <= nb; j++)
        row[j] = j;
    for (size_t i = 1; i <= na; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= nb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[nb];
}

/* The name in `names` within max(2, len/3) edits of `s` (and fewer edits
 * than either has bytes: "zz" is not a typo of "id"), or NULL. */
static const char *closest_edit(const char *s, const char *const *names, size_t n)
{
    size_t limit = strlen(s) / 3 > 2 ? strlen(s) / 3 : 2;
    const char *best = NULL;
    size_t best_d = limit + 1;
    for (size_t i = 0; i < n; i++) {
        size_t dist = edit_distance(s, names[i]);
        if (dist < best_d && dist < strlen(s) && dist < strlen(names[i])) {
            best_d = dist;
            best = names[i];
        }
    }
    return best;
}

/* The name in `names` closest to `s`, if within max(2, len/3) edits;
 * else the only name that `s` (3 bytes or more) begins ("cheap"). */
const char *sw__jr_closest(const char *s, const char *const *names, size_t n)
{
    const char *best = closest_edit(s, names, n);
    size_t len = strlen(s), hits = 0;
    if (best || len < 3)
        return best;
    for (size_t i = 0; i < n; i++)
        if (strncmp(s, names[i], len) == 0) {
            hits++;
            best = names[i];
        }
    return hits == 1 ? best : NULL;
}

int sw__jr_bad_choice(sw_error_t *err, const char *path, const char *what, const char *s,
                      const char *const *names, size_t n)
{
    char q[64], list[120] = "";
    size_t len = 0;
    for (size_t i = 0; i < n && len < sizeof(list); i++)
        len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s", i ? ", " : "", names[i]);
    const char *hint = sw__jr_closest(s, names, n);
    if (hint)
        return sw__jr_fail(err, path, "unknown %s \"%s\" (did you mean \"%s\"? one of %s)", what,
                           sw__jr_quote(s, q, sizeof(q)), hint, list);
    return sw__jr_fail(err, path, "unknown %s \"%s\" (one of %s)", what,
                       sw__jr_quote(s, q, sizeof(q)), list);
}

/* ---- typed getters --------------------------------------------------- */

int sw__jr_int(sw_error_t *err, const json_t *v, const char *path, int64_t min, int64_t max,
               int64_t *out)
{
    if (!json_is_integer(v))
        return sw__jr_type_error(err, path, "an integer", v);
    long long x = json_integer_value(v);
    if (x < min)
        return sw__jr_fail(err, path, "must be >= %lld, got %lld", (long long)min, x);
    if (x > max)
        return sw__jr_fail(err, path, "must be <= %lld, got %lld", (long long)max, x);
    *out = x;
    return 0;
}

/* A number in (0, max]. */
int sw__jr_positive(sw_error_t *err, const json_t *v, const char *path, double max, double *out)
{
    if (!json_is_number(v))
        return sw__jr_type_error(err, path, "a number", v);
    double x = json_number_value(v);
    if (!(x > 0))
        return sw__jr_fail(err, path, "must be > 0, got %.15g", x);
    if (x > max)
        return sw__jr_fail(err, path, "must be <= %.15g, got %.15g", max, x);
    *out = x;
    return 0;
}

int sw__jr_bool(sw_error_t *err, const json_t *v, const char *path, bool *out)
{
    if (!json_is_boolean(v))
        return sw__jr_type_error(err, path, "true or false", v);
    *out = json_is_true(v);
    return 0;
}

/* A string of at most `max` bytes, valid UTF-8 without NUL. */
int sw__jr_string(sw_error_t *err, const json_t *v, const char *path, size_t max, const char **s,
                  size_t *len)
{
    if (!json_is_string(v))
        return sw__jr_type_error(err, path, "a string", v);
    const char *p = json_string_value(v);
    size_t n = json_string_length(v);
    if (memchr(p, '\0', n))
        return sw__jr_fail(err, path, "contains a NUL character (\\u0000)");
    if (!sw__jr_utf8_valid(p, n))
        return sw__jr_fail(err, path, "is not valid UTF-8");
    if (n > max)
        return sw__jr_fail(err, path, "is too long (%zu bytes, at most %zu)", n, max);
    *s = p;
    *len = n;
    return 0;
}

bool sw__jr_has_control(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return true;
    return false;
}

/* A one-line, non-empty name copied into dst[cap]. */
int sw__jr_name(sw_error_t *err, const json_t *v, const char *path, char *dst, size_t cap)
{
    const char *s;
    size_t n;
    if (sw__jr_string(err, v, path, cap - 1, &s, &n) != 0)
        return -1;
    if (n == 0)
        return sw__jr_fail(err, path, "must not be empty");
    if (sw__jr_has_control(s, n))
        return sw__jr_fail(err, path, "must not contain control characters");
    memcpy(dst, s, n);
    dst[n] = '\0';
    return 0;
}

/* A list of distinct names (or, when one_ok, a single name as a string). */
int sw__jr_namelist(sw_error_t *err, const json_t *v, const char *path, bool one_ok,
                    struct sw_namelist *out)
{
    size_t n = json_is_array(v) ? json_array_size(v) : 1;
    if (!json_is_array(v) && !(one_ok && json_is_string(v)))
        return sw__jr_type_error(
            err, path, one_ok ? "a string or an array of strings" : "an array of names", v);
    if (n == 0)
        return sw__jr_fail(err, path, "must not be empty (leave the field out for no constraint)");
    if (n > SW_JOB_LIST_MAX)
        return sw__jr_fail(err, path, "has %zu names, at most %d", n, SW_JOB_LIST_MAX);
    out->names = calloc(n, sizeof(*out->names));
    if (!out->names)
        return sw__jr_nomem(err, path);
    if (!json_is_array(v)) {
        out->n = 1;
        return sw__jr_name(err, v, path, out->names[0], SW_NAME_MAX);
    }
    for (size_t i = 0; i < n; i++) {
        char sub[SW__JR_PATH_LEN], q[64];
        sw__jr_path_index(sub, path, i);
        if (sw__jr_name(err, json_array_get(v, i), sub, out->names[i], SW_NAME_MAX) != 0)
            return -1;
        for (size_t j = 0; j < i; j++)
            if (strcmp(out->names[i], out->names[j]) == 0)
                return sw__jr_fail(err, sub, "\"%s\" is listed twice (also at [%zu])",
                                   sw__jr_quote(out->names[i], q, sizeof(q)), j);
        out->n = i + 1;
    }
    return 0;
}

/* Seconds as an integer, or a duration string, in [min, max]. */
int sw__jr_duration(sw_error_t *err, const json_t *v, const char *path, int64_t min, int64_t max,
                    int64_t *out)
{
    char got[96], q[64];
    int64_t x;
    if (json_is_integer(v)) {
        x = json_integer_value(v);
        snprintf(got, sizeof(got), "%lld", (long long)x);
    } else if (json_is_string(v)) {
        const char *s;
        size_t n;
        if (sw__jr_string(err, v, path, 64, &s, &n) != 0)
            return -1;
        if (sw_duration_parse(s, &x, err) != 0) {
            errno = EINVAL;
            return sw_errprefix(err, "%s: ", path);
        }
        snprintf(got, sizeof(got), "\"%s\" (%lld s)", sw__jr_quote(s, q, sizeof(q)), (long long)x);
    } else if (json_is_real(v)) {
        return sw__jr_fail(err, path,
                           "expected whole seconds or a duration such as \"1.5h\", got %.15g",
                           json_real_value(v));
    } else {
        return sw__jr_type_error(err, path, "seconds or a duration string such as \"2h\"", v);
    }
    if (x < min)
        return sw__jr_fail(err, path, min == 1 ? "must be > 0, got %s" : "must be >= 0, got %s",
                           got);
    if (x > max)
        return sw__jr_fail(err, path, "must be at most %lld s (%lld days), got %s", (long long)max,
                           (long long)(max / 86400), got);
    *out = x;
    return 0;
}

/* Money: an integer number of fen in [1, max]. */
int sw__jr_money(sw_error_t *err, const json_t *v, const char *path, int64_t max, int64_t *out)
{
    if (json_is_real(v))
        return sw__jr_fail(err, path,
                           "money is an integer number of fen (1 yuan = 100 fen), got %.15g",
                           json_real_value(v));
    if (!json_is_integer(v))
        return sw__jr_type_error(err, path, "an integer number of fen", v);
    long long x = json_integer_value(v);
    if (x < 1)
        return sw__jr_fail(err, path, "must be > 0, got %lld (leave it out for no cap)", x);
    if (x > max)
        return sw__jr_fail(err, path, "must be <= %lld, got %lld", (long long)max, x);
    *out = x;
    return 0;
}
