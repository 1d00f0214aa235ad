/* sbatch_values.c — Slurm's syntaxes for option values, as sbatch 22.05
 * parses them (src/common/parse_time.c time_str2secs, str_to_mbytes,
 * the --array bitmap): time limits, memory sizes, array specifications.
 */
#include "config/sbatch.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/job_json.h"
#include "config/sbatch_int.h"

#define DAY_S 86400
#define ARRAY_TASKS_MAX SW_JOB_TASKS_MAX
/* Indices a spec may list counting repeats ("0-999999,0-999999" lists
 * 2,000,000): twice the index space, which bounds the work of marking them. */
#define ARRAY_LISTED_MAX (2 * ((int64_t)SW_SBATCH_ARRAY_MAX_INDEX + 1))

/* A whole number >= min, as Slurm's option parsers take it. */
int sw__sbatch_count(const char *s, int64_t min, int64_t max, int64_t *out)
{
    if (!s || !isdigit((unsigned char)s[0]))
        return -1;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

int sw_slurm_time_parse(const char *s, int64_t *secs, bool *unlimited, sw_error_t *err)
{
    const char *msg = "not a Slurm time limit (use minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, "
                      "D-HH:MM:SS or UNLIMITED)";
    errno = EINVAL;
    if (!s || !s[0])
        return sw_errprintf(err, "\"\" is %s", msg);
    if (!strcasecmp(s, "-1") || !strcasecmp(s, "INFINITE") || !strcasecmp(s, "UNLIMITED")) {
        *secs = 0;
        *unlimited = true;
        return 0;
    }
    /* Slurm's _is_valid_timespec: digits, at most one '-' before any ':',
     * no "::", and at most 2 colons. */
    int dash = 0, colons = 0;
    bool digit = false, last_colon = false;
    for (const char *p = s; *p; p++) {
        if (isdigit((unsigned char)*p)) {
            digit = true;
            last_colon = false;
        } else if (*p == '-') {
            if (dash || colons || p == s)
                return sw_errprintf(err, "\"%s\" is %s", s, msg);
            dash = 1;
            last_colon = false;
        } else if (*p == ':') {
            if (last_colon || ++colons > 2)
                return sw_errprintf(err, "\"%s\" is %s", s, msg);
            last_colon = true;
        } else {
            return sw_errprintf(err, "\"%s\" is %s", s, msg);
        }
    }
    if (!digit)
        return sw_errprintf(err, "\"%s\" is %s", s, msg);
    int64_t f[4] = {0, 0, 0, 0};
    int nf = 0;
    const char *p = s;
    while (*p && nf < 4) {
        if (!isdigit((unsigned char)*p))
            break;
        int64_t v = 0;
        while (isdigit((unsigned char)*p)) {
            if (v > 100000000)
                return sw_errprintf(err, "\"%s\" is too long a time limit", s);
            v = v * 10 + (*p++ - '0');
        }
        f[nf++] = v;
        if (*p == '-' || *p == ':')
            p++;
    }
    int64_t t;
    if (dash) /* days-[hours[:minutes[:seconds]]] */
        t = f[0] * DAY_S + f[1] * 3600 + f[2] * 60 + f[3];
    else if (colons == 2) /* hours:minutes:seconds */
        t = f[0] * 3600 + f[1] * 60 + f[2];
    else /* minutes[:seconds] */
        t = f[0] * 60 + f[1];
    *unlimited = t == 0; /* sbatch: a limit of zero imposes none */
    *secs = t;
    return 0;
}

int sw_slurm_mem_parse(const char *s, int64_t *mib, sw_error_t *err)
{
    errno = EINVAL;
    if (!s || !isdigit((unsigned char)s[0]))
        return sw_errprintf(err, "\"%s\" is not a memory size (write e.g. 4096, 512M, 4G, 1T)",
                            s ? s : "");
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    int64_t mult = 1, div = 1;
    if (errno || v > ((int64_t)1 << 40))
        return sw_errprintf(err, "\"%s\" is too large a memory size", s);
    switch (*end) {
    case '\0': break;
    case 'k': case 'K': div = 1024; end++; break;
    case 'm': case 'M': end++; break;
    case 'g': case 'G': mult = 1024; end++; break;
    case 't': case 'T': mult = 1024 * 1024; end++; break;
    default: end = NULL;
    }
    if (end && *end && strcmp(end, "B") && strcmp(end, "b") && strcasecmp(end, "iB"))
        end = NULL;
    if (!end) {
        errno = EINVAL;
        return sw_errprintf(err, "\"%s\" is not a memory size (write e.g. 4096, 512M, 4G, 1T)",
                            s);
    }
    *mib = (v * mult + div - 1) / div;
    return 0;
}

int sw_sbatch_array_parse(const char *spec, struct sw_sbatch_array *a, sw_error_t *err)
{
    memset(a, 0, sizeof(*a));
    errno = EINVAL;
    if (!spec || !spec[0])
        return sw_errprintf(err, "an empty array specification");
    const char *pct = strchr(spec, '%');
    size_t listlen = pct ? (size_t)(pct - spec) : strlen(spec);
    int64_t limit = 0;
    if (pct && sw__sbatch_count(pct + 1, 1, INT32_MAX, &limit) < 0)
        return sw_errprintf(err, "\"%s\": the limit after %% must be a whole number >= 1",
                            spec);
    size_t nbits = (size_t)SW_SBATCH_ARRAY_MAX_INDEX + 1;
    unsigned char *bits = calloc((nbits + 7) / 8, 1);
    if (!bits)
        return sw_errprintf(err, "out of memory");
    size_t count = 0;
    int64_t listed = 0;
    const char *p = spec, *stop = spec + listlen;
    int rc = 0;
    while (p < stop) {
        const char *comma = memchr(p, ',', (size_t)(stop - p));
        const char *e = comma ? comma : stop;
        char item[64];
        if (e == p || (size_t)(e - p) >= sizeof(item)) {
            rc = sw_errprintf(err, "\"%s\" is not an array specification (write e.g. 0-15, "
                                   "1-10:2, 1,3,5 or 0-15%%4)", spec);
            break;
        }
        memcpy(item, p, (size_t)(e - p));
        item[e - p] = '\0';
        int64_t lo, hi, step = 1;
        char *dash = strchr(item, '-'), *colon = strchr(item, ':');
        if (colon)
            *colon = '\0';
        if (dash)
            *dash = '\0';
        if (sw__sbatch_count(item, 0, SW_SBATCH_ARRAY_MAX_INDEX, &lo) < 0 ||
            (dash && sw__sbatch_count(dash + 1, 0, SW_SBATCH_ARRAY_MAX_INDEX, &hi) < 0) ||
            (colon && (!dash || sw__sbatch_count(colon + 1, 1, SW_SBATCH_ARRAY_MAX_INDEX,
                                                 &step) < 0))) {
            rc = sw_errprintf(err, "\"%s\" is not an array specification (write e.g. 0-15, "
                                   "1-10:2, 1,3,5 or 0-15%%4; indices 0 to %d)", spec,
                              SW_SBATCH_ARRAY_MAX_INDEX);
            break;
        }
        if (!dash)
            hi = lo;
        if (hi < lo) {
            rc = sw_errprintf(err, "\"%s\": the range %" PRId64 "-%" PRId64 " runs backwards",
                              spec, lo, hi);
            break;
        }
        listed += (hi - lo) / step + 1;
        if (listed > ARRAY_LISTED_MAX) {
            rc = sw_errprintf(err, "\"%s\" lists more than %" PRId64 " indices (counting "
                                   "repeats)", spec, ARRAY_LISTED_MAX);
            break;
        }
        for (int64_t i = lo; i <= hi; i += step) {
            if (!(bits[i / 8] & (1u << (i % 8)))) {
                bits[i / 8] |= (unsigned char)(1u << (i % 8));
                count++;
            }
        }
        p = comma ? comma + 1 : stop;
        if (comma && p == stop) {
            rc = sw_errprintf(err, "\"%s\" ends with a comma", spec);
            break;
        }
    }
    if (rc == 0 && count == 0)
        rc = sw_errprintf(err, "\"%s\" has no array index (write e.g. 0-15, 1-10:2, 1,3,5 or "
                               "0-15%%4)", spec);
    if (rc == 0 && count > ARRAY_TASKS_MAX)
        rc = sw_errprintf(err, "\"%s\" makes %zu array tasks, more than the %d a job may have",
                          spec, count, ARRAY_TASKS_MAX);
    if (rc == 0 && !(a->idx = malloc(count * sizeof(*a->idx)))) {
        errno = ENOMEM;
        rc = sw_errprintf(err, "out of memory");
    }
    if (rc == 0) {
        for (size_t i = 0; i < nbits && a->n < count; i++)
            if (bits[i / 8] & (1u << (i % 8)))
                a->idx[a->n++] = (int64_t)i;
        a->limit = limit;
    }
    free(bits);
    if (rc < 0 && !a->idx && errno != ENOMEM)
        errno = EINVAL; /* sw__sbatch_count() clears errno */
    return rc;
}

void sw_sbatch_array_free(struct sw_sbatch_array *a)
{
    if (!a)
        return;
    free(a->idx);
    memset(a, 0, sizeof(*a));
}
