/* jobspec.c — the job request (see jobspec.h): defaults, freeing, the
 * names of QoS classes and objectives, and the string syntaxes that the
 * JSON job format and the command line share — durations, data sizes and
 * latency circles (docs/jobs.md). Pure: no I/O, no clock.
 */
#include "core/jobspec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const qos_names[] = {
    [SW_QOS_REALTIME] = "realtime",
    [SW_QOS_INTERACTIVE] = "interactive",
    [SW_QOS_BATCH] = "batch",
    [SW_QOS_SPOT] = "spot",
};

static const char *const objective_names[] = {
    [SW_OBJ_FASTEST] = "fastest",
    [SW_OBJ_CHEAPEST] = "cheapest",
    [SW_OBJ_GREENEST] = "greenest",
    [SW_OBJ_BALANCED] = "balanced",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

#define NUM_FRAC_DIGITS 9

/* ---- lifetime -------------------------------------------------------- */

void sw_jobspec_init(struct sw_jobspec *js)
{
    memset(js, 0, sizeof(*js));
    js->tasks = 1;
    js->cores = 1;
    js->walltime_s = 3600;
    js->deadline = -1;
    js->qos = SW_QOS_BATCH;
    js->objective = SW_OBJ_FASTEST;
    js->budget_fen = -1;
    js->max_price_fen = -1;
}

static void free_strv(char **v)
{
    if (!v)
        return;
    for (size_t i = 0; v[i]; i++)
        free(v[i]);
    free(v);
}

void sw_jobspec_free(struct sw_jobspec *js)
{
    if (!js)
        return;
    int saved = errno;
    free_strv(js->argv);
    free_strv(js->env);
    free(js->script);
    free(js->accel.models.names);
    free(js->inputs);
    free(js->allow_regions.names);
    free(js->forbid_regions.names);
    free(js->allow_sites.names);
    free(js->forbid_sites.names);
    free(js->allow_providers.names);
    free(js->forbid_providers.names);
    memset(js, 0, sizeof(*js));
    errno = saved;
}

void sw_workload_free(struct sw_workload *w)
{
    if (!w)
        return;
    int saved = errno;
    for (size_t i = 0; i < w->n; i++)
        sw_jobspec_free(&w->jobs[i]);
    free(w->jobs);
    memset(w, 0, sizeof(*w));
    errno = saved;
}

/* ---- names ----------------------------------------------------------- */

const char *sw_qos_name(enum sw_qos q)
{
    return (unsigned)q < NELEM(qos_names) ? qos_names[q] : "unknown";
}

const char *sw_objective_name(enum sw_objective o)
{
    return (unsigned)o < NELEM(objective_names) ? objective_names[o] : "unknown";
}

/* Index of `s` in `names`, or -1 with errno EINVAL. */
static int name_index(const char *s, const char *const *names, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        if (strcmp(s, names[i]) == 0)
            return (int)i;
    errno = EINVAL;
    return -1;
}

int sw_qos_parse(const char *s, enum sw_qos *out)
{
    int i = name_index(s, qos_names, NELEM(qos_names));
    if (i < 0)
        return -1;
    *out = (enum sw_qos)i;
    return 0;
}

int sw_objective_parse(const char *s, enum sw_objective *out)
{
    int i = name_index(s, objective_names, NELEM(objective_names));
    if (i < 0)
        return -1;
    *out = (enum sw_objective)i;
    return 0;
}

/* ---- number scanning ------------------------------------------------- */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Copy `s` into `buf` for a message: at most 40 bytes, control and
 * non-ASCII bytes as '?' (these syntaxes are ASCII), "..." when cut. */
static const char *quote(const char *s, char *buf, size_t size)
{
    size_t n = 0;
    for (; s[n] && n + 4 < size && n < 40; n++)
        buf[n] = ((unsigned char)s[n] < 0x20 || (unsigned char)s[n] >= 0x7f) ? '?' : s[n];
    if (s[n] && n + 4 <= size) {
        memcpy(buf + n, "...", 3);
        n += 3;
    }
    buf[n] = '\0';
    return buf;
}

/* A run of decimal digits at s[*i]. Returns 0, -1 when there are none, -2
 * when the value does not fit in an int64_t. */
static int scan_uint(const char *s, size_t *i, int64_t *v)
{
    size_t start = *i;
    int64_t x = 0;
    while (is_digit(s[*i])) {
        if (x > (INT64_MAX - 9) / 10)
            return -2;
        x = x * 10 + (s[*i] - '0');
        (*i)++;
    }
    if (*i == start)
        return -1;
    *v = x;
    return 0;
}

/* An unsigned decimal number "I" or "I.F" (at most 9 decimals) at s[*i]:
 * the value is (ip * scale + frac) / scale. Returns 0, -1 when malformed,
 * -2 when too large. */
static int scan_decimal(const char *s, size_t *i, int64_t *ip, int64_t *frac, int64_t *scale)
{
    int rc = scan_uint(s, i, ip);
    if (rc != 0)
        return rc;
    *frac = 0;
    *scale = 1;
    if (s[*i] != '.')
        return 0;
    (*i)++;
    size_t start = *i;
    for (; is_digit(s[*i]); (*i)++) {
        if (*i - start >= NUM_FRAC_DIGITS)
            return -1;
        *frac = *frac * 10 + (s[*i] - '0');
        *scale *= 10;
    }
    return *i == start ? -1 : 0;
}

/* ---- durations ------------------------------------------------------- */

#define DURATION_FORMS                                                                             \
    "use seconds as a number, or \"90s\", \"30m\", \"2h\", \"1d\", \"1h30m\", or Slurm's "         \
    "\"MM\", \"MM:SS\", \"HH:MM:SS\", \"D-HH\", \"D-HH:MM\", \"D-HH:MM:SS\""

/* Slurm's --time forms: [D-]fields separated by ':'. Returns 0, -1 when
 * malformed, -2 when too large. */
static int duration_slurm(const char *s, int64_t *out)
{
    size_t i = 0;
    int64_t days = -1, f[3] = {0, 0, 0};
    int nf = 1, rc = scan_uint(s, &i, &f[0]);
    if (rc == 0 && s[i] == '-') {
        days = f[0];
        i++;
        rc = scan_uint(s, &i, &f[0]);
    }
    for (; rc == 0 && s[i] == ':'; nf++) {
        i++;
        rc = nf == 3 ? -1 : scan_uint(s, &i, &f[nf]);
    }
    if (rc == 0 && s[i] != '\0')
        rc = -1;
    if (rc != 0)
        return rc;
    if (days > SW_DURATION_MAX || f[0] > SW_DURATION_MAX || f[1] > SW_DURATION_MAX)
        return -2; /* the arithmetic below stays far from overflow */
    int64_t h = 0, m = 0, sec = 0;
    if (days >= 0) { /* D-H, D-H:M, D-H:M:S */
        h = f[0], m = f[1], sec = f[2];
    } else if (nf == 1) { /* M */
        m = f[0];
    } else if (nf == 2) { /* M:S */
        m = f[0], sec = f[1];
    } else { /* H:M:S */
        h = f[0], m = f[1], sec = f[2];
    }
    if (sec >= 60 || ((days >= 0 || nf == 3) && m >= 60) || (days >= 0 && h >= 24))
        return -1;
    int64_t total = ((days > 0 ? days : 0) * 24 + h) * 3600 + m * 60 + sec;
    if (total > SW_DURATION_MAX)
        return -2;
    *out = total;
    return 0;
}

static int64_t unit_seconds(char c, int *rank)
{
    static const struct {
        char c;
        int64_t s;
    } units[] = {
        {'d', 86400},
        {'h', 3600},
        {'m', 60},
        {'s', 1},
    };
    for (size_t i = 0; i < NELEM(units); i++)
        if (units[i].c == c) {
            *rank = (int)i;
            return units[i].s;
        }
    return 0;
}

/* "1h30m"-style: numbers with units d h m s, largest first. Returns 0, -1
 * when malformed, -2 when too large, -3 when not whole seconds. */
static int duration_units(const char *s, int64_t *out)
{
    size_t i = 0;
    int64_t total = 0;
    int last = -1;
    while (s[i]) {
        int64_t ip, frac, scale;
        int rank = 0, rc = scan_decimal(s, &i, &ip, &frac, &scale);
        if (rc != 0)
            return rc;
        int64_t unit = unit_seconds(s[i], &rank);
        if (unit == 0 || rank <= last)
            return -1;
        last = rank;
        i++;
        if (ip > SW_DURATION_MAX)
            return -2;
        if (frac * unit % scale != 0)
            return -3;
        total += ip * unit + frac * unit / scale;
        if (total > SW_DURATION_MAX)
            return -2;
    }
    *out = total;
    return 0;
}

int sw_duration_parse(const char *s, int64_t *out_s, sw_error_t *err)
{
    char q[48];
    int64_t v = 0;
    int rc = -1;
    if (s && s[0] && is_digit(s[0]) && strspn(s, "0123456789:-") == strlen(s))
        rc = duration_slurm(s, &v);
    else if (s && s[0])
        rc = duration_units(s, &v);
    if (rc == 0) {
        *out_s = v;
        return 0;
    }
    errno = rc == -2 ? ERANGE : EINVAL;
    if (!s)
        s = "";
    if (rc == -2)
        return sw_errprintf(err, "\"%s\" is too long (at most 100 years)", quote(s, q, sizeof(q)));
    if (rc == -3)
        return sw_errprintf(err, "\"%s\" is not a whole number of seconds", quote(s, q, sizeof(q)));
    return sw_errprintf(err, "\"%s\" is not a duration (" DURATION_FORMS ")",
                        quote(s, q, sizeof(q)));
}

/* ---- sizes ----------------------------------------------------------- */

static int64_t unit_bytes(const char *u)
{
    static const struct {
        const char *name;
        int64_t bytes;
    } units[] = {
        {"B", 1},
        {"KB", 1000},
        {"MB", 1000000},
        {"GB", 1000000000},
        {"TB", (int64_t)1000000000000},
        {"PB", (int64_t)1000000000000000},
        {"KIB", (int64_t)1 << 10},
        {"MIB", (int64_t)1 << 20},
        {"GIB", (int64_t)1 << 30},
        {"TIB", (int64_t)1 << 40},
        {"PIB", (int64_t)1 << 50},
    };
    char up[8] = {0};
    size_t n = strnlen(u, 4);
    if (n == 0 || n > 3)
        return 0;
    for (size_t i = 0; i < n; i++)
        up[i] = (u[i] >= 'a' && u[i] <= 'z') ? (char)(u[i] - 'a' + 'A') : u[i];
    for (size_t i = 0; i < NELEM(units); i++)
        if (strcmp(up, units[i].name) == 0)
            return units[i].bytes;
    return 0;
}

/* ceil((ip + frac/scale) * unit / 10^6), or -1 when above SW_SIZE_MAX_MB.
 * Exact in 64 bits: with unit = q * scale + r, the bytes are
 * ip * unit + frac * q + (frac * r) / scale, where frac * q < unit and
 * frac * r < scale^2 <= 10^18. */
static int64_t size_to_mb(int64_t ip, int64_t frac, int64_t scale, int64_t unit)
{
    const int64_t max_bytes = SW_SIZE_MAX_MB * 1000000;
    if (ip > max_bytes / unit)
        return -1;
    int64_t q = unit / scale, r = unit % scale;
    int64_t bytes = ip * unit + frac * q + frac * r / scale;
    bool part = frac * r % scale != 0; /* a fraction of a byte remains */
    int64_t mb = bytes / 1000000 + (bytes % 1000000 != 0 || part);
    return mb > SW_SIZE_MAX_MB ? -1 : mb;
}

int sw_size_parse_mb(const char *s, int64_t *out_mb, sw_error_t *err)
{
    char q[48], uq[48];
    size_t i = 0;
    int64_t ip, frac, scale;
    if (!s)
        s = "";
    int rc = scan_decimal(s, &i, &ip, &frac, &scale);
    if (rc == -2)
        goto out_too_large;
    if (rc != 0) {
        errno = EINVAL;
        return sw_errprintf(err,
                            "\"%s\" is not a size (write a number and a unit: \"500MB\", "
                            "\"2GB\", \"1.5TB\", \"100GiB\")",
                            quote(s, q, sizeof(q)));
    }
    while (s[i] == ' ')
        i++;
    if (s[i] == '\0') {
        errno = EINVAL;
        return sw_errprintf(err, "\"%s\" has no unit (write \"%sMB\", or a plain number of MB)",
                            quote(s, q, sizeof(q)), q);
    }
    int64_t unit = unit_bytes(s + i);
    if (unit == 0) {
        errno = EINVAL;
        return sw_errprintf(err,
                            "\"%s\": unknown unit \"%s\" (use B, KB, MB, GB, TB, PB or "
                            "KiB, MiB, GiB, TiB, PiB)",
                            quote(s, q, sizeof(q)), quote(s + i, uq, sizeof(uq)));
    }
    int64_t mb = size_to_mb(ip, frac, scale, unit);
    if (mb < 0)
        goto out_too_large;
    *out_mb = mb;
    return 0;
out_too_large:
    errno = ERANGE;
    return sw_errprintf(err, "\"%s\" is too large (at most 1 EB)", quote(s, q, sizeof(q)));
}

/* ---- latency circles ------------------------------------------------- */

/* "N" or "Nms" as milliseconds; -1 when malformed. */
static int parse_ms(const char *s, double *out)
{
    size_t i = 0;
    int64_t ip, frac, scale;
    if (scan_decimal(s, &i, &ip, &frac, &scale) != 0)
        return -1;
    if (s[i] != '\0' && strcmp(s + i, "ms") != 0)
        return -1;
    *out = (double)ip + (double)frac / (double)scale;
    return 0;
}

static bool has_control(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return true;
    return false;
}

int sw_near_parse(const char *s, char region[SW_NAME_MAX], double *max_ms, sw_error_t *err)
{
    char q[48];
    const char *colon = s ? strrchr(s, ':') : NULL;
    double ms = 0;
    if (!s)
        s = "";
    if (!colon || colon == s || has_control(s, (size_t)(colon - s)) ||
        parse_ms(colon + 1, &ms) != 0) {
        errno = EINVAL;
        return sw_errprintf(err,
                            "\"%s\" is not a latency circle (write REGION:MILLISECONDS, "
                            "e.g. \"guangzhou:3ms\")",
                            quote(s, q, sizeof(q)));
    }
    size_t n = (size_t)(colon - s);
    if (n >= SW_NAME_MAX) {
        errno = EINVAL;
        return sw_errprintf(err, "\"%s\": region name too long (%zu bytes, at most %d)",
                            quote(s, q, sizeof(q)), n, SW_NAME_MAX - 1);
    }
    if (!(ms > 0) || ms > SW_LATENCY_MAX_MS) {
        errno = ERANGE;
        return sw_errprintf(err, "\"%s\": the latency must be > 0 and at most %.0f ms",
                            quote(s, q, sizeof(q)), SW_LATENCY_MAX_MS);
    }
    memcpy(region, s, n);
    region[n] = '\0';
    *max_ms = ms;
    return 0;
}
