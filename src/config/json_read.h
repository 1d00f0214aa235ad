/* json_read.h — typed reading of JSON values with messages that name the
 * value's path, for the JSON job format's decoder (internal to src/config).
 *
 * Every getter returns 0 and writes its output, or returns -1 with errno
 * EINVAL (ENOMEM for memory) and "PATH: why" in `err` (which may be NULL),
 * writing nothing it was not asked to. `path` is the dotted path of the
 * value ("resources.gpus.count", "command[2]"); paths are cut at
 * SW__JR_PATH_LEN bytes. Strings returned point into the JSON value and are
 * valid as long as it is.
 */
#ifndef SW_CONFIG_JSON_READ_H
#define SW_CONFIG_JSON_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/jobspec.h"
#include "util/error.h"

#define SW__JR_PATH_LEN 160

/* ---- messages ---- */

/* Write "PATH: message" into err; returns -1 with errno EINVAL. */
int sw__jr_fail(sw_error_t *err, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "PATH: out of memory"; returns -1 with errno ENOMEM. */
int sw__jr_nomem(sw_error_t *err, const char *path);

/* "PATH: expected EXPECTED, got <what v is>"; returns -1 (EINVAL). */
int sw__jr_type_error(sw_error_t *err, const char *path, const char *expected, const json_t *v);

/* What a value is, for messages: "an array", "the string \"x\"", "2.5", "null".
 * Returns a literal or `buf`. */
const char *sw__jr_describe(const json_t *v, char *buf, size_t size);

/* A user string made safe to quote in a message: at most 40 bytes, whole
 * UTF-8 characters, control and invalid bytes as '?', "..." when cut.
 * Returns `buf` (size >= 8). */
const char *sw__jr_quote(const char *s, char *buf, size_t size);

/* out[SW__JR_PATH_LEN] = "parent.key" ("key" when parent is ""), the key
 * quoted as above; or "parent[i]". */
void sw__jr_path_join(char *out, const char *parent, const char *key);
void sw__jr_path_index(char *out, const char *parent, size_t i);

/* For "did you mean": the name within max(2, len/3) edits of `s`, else the
 * only name that `s` (3 bytes or more) is a prefix of, else NULL. */
const char *sw__jr_closest(const char *s, const char *const *names, size_t n);

/* "PATH: unknown WHAT \"s\" (did you mean \"x\"? one of a, b, c)"; -1. */
int sw__jr_bad_choice(sw_error_t *err, const char *path, const char *what, const char *s,
                      const char *const *names, size_t n);

/* Whether n bytes are valid UTF-8 / contain a control character. */
bool sw__jr_utf8_valid(const char *s, size_t n);
bool sw__jr_has_control(const char *s, size_t n);

/* ---- getters ---- */

/* An integer in [min, max] (a real such as 2.0 is refused). */
int sw__jr_int(sw_error_t *err, const json_t *v, const char *path, int64_t min, int64_t max,
               int64_t *out);

/* A number in (0, max]. */
int sw__jr_positive(sw_error_t *err, const json_t *v, const char *path, double max, double *out);

int sw__jr_bool(sw_error_t *err, const json_t *v, const char *path, bool *out);

/* A string of at most `max` bytes, valid UTF-8, without NUL: *s and *len. */
int sw__jr_string(sw_error_t *err, const json_t *v, const char *path, size_t max, const char **s,
                  size_t *len);

/* A non-empty one-line string copied into dst[cap] (at most cap-1 bytes). */
int sw__jr_name(sw_error_t *err, const json_t *v, const char *path, char *dst, size_t cap);

/* An array of 1 to SW_JOB_LIST_MAX distinct names (or, when one_ok, one
 * name as a string) into `out`, whose array it allocates: the caller owns
 * out->names even on failure (out->n counts the names read). */
int sw__jr_namelist(sw_error_t *err, const json_t *v, const char *path, bool one_ok,
                    struct sw_namelist *out);

/* Seconds as an integer, or a duration string (sw_duration_parse), in
 * [min, max]; min is 0 or 1. */
int sw__jr_duration(sw_error_t *err, const json_t *v, const char *path, int64_t min, int64_t max,
                    int64_t *out);

/* Money: an integer number of fen in [1, max]; 12.5 is refused as such. */
int sw__jr_money(sw_error_t *err, const json_t *v, const char *path, int64_t max, int64_t *out);

#endif
