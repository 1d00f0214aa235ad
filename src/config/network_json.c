/* network_json.c — the network file format (docs/network.md) to a struct
 * sw_network, with jansson. Every value is checked, and every error names
 * the file, the JSON path of the bad value and what to do:
 *   guangdong.json: sites[3].node_classes[0].accelerators.model: unknown model "A1OO"; did you mean "A100"?
 *
 * The parse builds a network in its own context and moves it to the caller
 * only when everything is valid, so a failed call changes nothing. Names are
 * indexed in jansson objects (name -> array index) for duplicate checks and
 * lookups, so big files stay linear. Keys that start with '_' are comments
 * and are ignored everywhere.
 */
#include "config/network_json.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

enum {
    NJ_PATH_MAX = 256,      /* JSON paths in messages (truncated beyond) */
    NJ_KEY_MAX = 24,        /* longest field name + 1 */
    NJ_QUOTE_MAX = 72,      /* user strings quoted in messages */
    NJ_MAX_REGIONS = 1024,
    NJ_MAX_MODELS = 1024,
    NJ_MAX_CLASSES = 4096,  /* workload classes (throughput rows) */
    NJ_MAX_SITES = 100000,
    NJ_MAX_NODE_CLASSES = 1024, /* per site */
};

#define NJ_FILE_MAX ((size_t)16 << 20) /* 16 MiB: network and throughput files */
#define NJ_MONEY_MAX INT64_C(1000000000000) /* 10^10 yuan an hour: surely a typo */
#define NKEYS(k) (sizeof(k) / sizeof((k)[0]))

/* Defaults inside a region (docs/network.md). */
#define NJ_INTRA_LATENCY_MS 0.5
#define NJ_INTRA_BANDWIDTH_GBPS 400.0

/* The fields each object may have (besides '_' comments). */
static const char top_keys[][NJ_KEY_MAX] = {
    "about", "regions", "intra_region", "links", "catalog", "throughput", "throughput_file",
    "sites",
};
static const char intra_keys[][NJ_KEY_MAX] = {"latency_ms", "bandwidth_gbps", "note"};
static const char link_keys[][NJ_KEY_MAX] = {"a", "b", "latency_ms", "bandwidth_gbps", "note"};
static const char model_keys[][NJ_KEY_MAX] = {
    "name", "vendor", "mem_gib", "fp16_tflops", "fp64_tflops", "watts", "note",
};
static const char site_keys[][NJ_KEY_MAX] = {
    "name", "region", "provider", "kind", "pue", "carbon_g_per_kwh", "backend",
    "node_classes", "note",
};
static const char class_keys[][NJ_KEY_MAX] = {
    "name", "count", "cores", "mem_gib", "mem_mib", "accelerators", "price", "interconnect",
    "note",
};
static const char accel_keys[][NJ_KEY_MAX] = {"model", "per_node"};
static const char price_keys[][NJ_KEY_MAX] = {"accel_hour_fen", "core_hour_fen"};
static const char include_keys[][NJ_KEY_MAX] = {"about", "throughput"};

/* File-format names, in enum order (enum sw_site_kind, enum sw_backend). */
static const char kind_names[][NJ_KEY_MAX] = {"hpc", "ai", "cloud"};
static const char backend_names[][NJ_KEY_MAX] = {"local", "slurm", "kubernetes"};

/* The parse context: the network being built and name indexes. */
struct nj {
    const char *origin;      /* file named in messages (the include while in one) */
    const char *main_origin; /* the network file */
    sw_error_t *err;
    struct sw_network net;   /* moved to the caller on success */
    json_t *region_idx;      /* name -> index, for each kind of name */
    json_t *site_idx;
    json_t *model_idx;
    json_t *class_idx;
    int *link_of;            /* nregions^2: 1 + index of the declaring link, 0 = none */
    size_t classes_cap;
};

/* ---- messages ---- */

static int nj_fail(struct nj *c, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Set EINVAL and the message "origin: path: text"; returns -1. */
static int nj_fail(struct nj *c, const char *path, const char *fmt, ...)
{
    char msg[sizeof(((sw_error_t *)0)->text)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    errno = EINVAL;
    if (path && path[0])
        return sw_errprintf(c->err, "%s: %s: %s", c->origin, path, msg);
    return sw_errprintf(c->err, "%s: %s", c->origin, msg);
}

static int nj_nomem(struct nj *c)
{
    errno = ENOMEM;
    return sw_errprintf(c->err, "%s: out of memory", c->origin);
}

/* `s` in double quotes for a message: quotes, backslashes and control
 * characters escaped, cut with "..." beyond NJ_QUOTE_MAX bytes (at a UTF-8
 * character boundary). `out` holds the worst case: NJ_QUOTE_MAX - 1 bytes,
 * one 4-byte escape, "...", the closing quote and the NUL. */
static const char *nj_quote(const char *s, char out[NJ_QUOTE_MAX + 8])
{
    size_t o = 0;
    out[o++] = '"';
    for (size_t i = 0; s[i]; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (o >= NJ_QUOTE_MAX) {
            if ((ch & 0xc0) == 0x80) { /* never cut a UTF-8 sequence in half */
                while (o > 1 && ((unsigned char)out[o - 1] & 0xc0) == 0x80)
                    o--;
                if (o > 1)
                    o--; /* its lead byte */
            }
            memcpy(out + o, "...", 3);
            o += 3;
            break;
        }
        if (ch == '"' || ch == '\\') {
            out[o++] = '\\';
            out[o++] = (char)ch;
        } else if (ch < 0x20 || ch == 0x7f) {
            static const char hex[] = "0123456789abcdef";
            out[o++] = '\\';
            out[o++] = 'x';
            out[o++] = hex[ch >> 4];
            out[o++] = hex[ch & 15];
        } else {
            out[o++] = (char)ch;
        }
    }
    out[o++] = '"';
    out[o] = '\0';
    return out;
}

/* What a JSON value is, for "expected X, got Y". */
static const char *nj_kind(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a real number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "an unknown value";
}

/* ---- JSON paths ---- */

static void nj_path(char out[NJ_PATH_MAX], const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Format a path; longer paths are cut (messages stay bounded). */
static void nj_path(char out[NJ_PATH_MAX], const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, NJ_PATH_MAX, fmt, ap);
    va_end(ap);
}

/* path.key, or key at the top level. */
static void nj_path_key(char out[NJ_PATH_MAX], const char *path, const char *key)
{
    if (path[0])
        nj_path(out, "%s.%s", path, key);
    else
        nj_path(out, "%s", key);
}

/* ---- name indexes (jansson objects: name -> integer index) ---- */

static int nj_index_find(const json_t *idx, const char *name)
{
    json_t *v = json_object_get(idx, name);
    return v ? (int)json_integer_value(v) : -1;
}

static int nj_index_add(struct nj *c, json_t *idx, const char *name, size_t i)
{
    if (json_object_set_new(idx, name, json_integer((json_int_t)i)) != 0)
        return nj_nomem(c);
    return 0;
}

/* ---- typed values ---- */

/* Reject fields not in `keys` (comments, keys starting with '_', pass). */
static int nj_check_keys(struct nj *c, json_t *obj, const char *path,
                         const char (*keys)[NJ_KEY_MAX], size_t nkeys)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        if (key[0] == '_')
            continue;
        size_t i = 0;
        while (i < nkeys && strcmp(key, keys[i]) != 0)
            i++;
        if (i < nkeys)
            continue;
        char q[NJ_QUOTE_MAX + 8];
        int k = sw_closest_name(key, keys, nkeys, NJ_KEY_MAX);
        if (k >= 0)
            return nj_fail(c, path, "unknown field %s; did you mean \"%s\"?", nj_quote(key, q),
                           keys[k]);
        char known[NJ_PATH_MAX] = "";
        size_t len = 0;
        for (size_t j = 0; j < nkeys && len < sizeof(known); j++) {
            int n = snprintf(known + len, sizeof(known) - len, "%s%s", j ? ", " : "", keys[j]);
            len += n > 0 ? (size_t)n : 0;
        }
        return nj_fail(c, path, "unknown field %s (fields here: %s; comments start with '_')",
                       nj_quote(key, q), known);
    }
    return 0;
}

/* The object at `path`, or an error saying what was expected. */
static int nj_object(struct nj *c, json_t *v, const char *path, const char *what)
{
    if (!json_is_object(v))
        return nj_fail(c, path, "expected %s, got %s", what, nj_kind(v));
    return 0;
}

/* Member `key` of `obj` (at `path`): *out = NULL when absent, which is an
 * error when `required`. */
static int nj_get(struct nj *c, json_t *obj, const char *path, const char *key, bool required,
                  json_t **out)
{
    *out = json_object_get(obj, key);
    if (!*out && required)
        return nj_fail(c, path, "missing field \"%s\"", key);
    return 0;
}

static int nj_int(struct nj *c, json_t *v, const char *path, int64_t min, int64_t max,
                  int64_t *out)
{
    if (json_is_real(v))
        return nj_fail(c, path, "expected an integer, got the real number %.15g",
                       json_real_value(v));
    if (!json_is_integer(v))
        return nj_fail(c, path, "expected an integer, got %s", nj_kind(v));
    int64_t x = (int64_t)json_integer_value(v);
    if (x < min)
        return nj_fail(c, path, "must be >= %" PRId64 ", got %" PRId64, min, x);
    if (x > max)
        return nj_fail(c, path, "must be <= %" PRId64 ", got %" PRId64, max, x);
    *out = x;
    return 0;
}

/* Money: an integer number of fen, never a real number. */
static int nj_money(struct nj *c, json_t *v, const char *path, int64_t *out)
{
    if (json_is_real(v))
        return nj_fail(c, path,
                       "money must be an integer number of fen (1 yuan = 100 fen), "
                       "not a real number: got %.15g",
                       json_real_value(v));
    if (!json_is_integer(v))
        return nj_fail(c, path, "expected an integer number of fen, got %s", nj_kind(v));
    int64_t x = (int64_t)json_integer_value(v);
    if (x < 0)
        return nj_fail(c, path, "must be >= 0 fen, got %" PRId64, x);
    if (x > NJ_MONEY_MAX)
        return nj_fail(c, path, "must be <= %" PRId64 " fen, got %" PRId64, NJ_MONEY_MAX, x);
    *out = x;
    return 0;
}

static int nj_number(struct nj *c, json_t *v, const char *path, double min, double max,
                     double *out)
{
    if (!json_is_number(v))
        return nj_fail(c, path, "expected a number, got %s", nj_kind(v));
    double x = json_number_value(v);
    if (x < min)
        return nj_fail(c, path, "must be >= %g, got %.15g", min, x);
    if (x > max)
        return nj_fail(c, path, "must be <= %g, got %.15g", max, x);
    *out = x;
    return 0;
}

/* Check a short text of `n` bytes for a name field: fits SW_NAME_MAX, no
 * control characters, and not empty when `nonempty`. */
static int nj_check_text(struct nj *c, const char *s, size_t n, const char *path, bool nonempty)
{
    char q[NJ_QUOTE_MAX + 8];
    if (nonempty && n == 0)
        return nj_fail(c, path, "must not be empty");
    if (n >= SW_NAME_MAX)
        return nj_fail(c, path, "%s is too long (at most %d bytes)", nj_quote(s, q),
                       SW_NAME_MAX - 1);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return nj_fail(c, path, "%s contains a control character", nj_quote(s, q));
    return 0;
}

/* A short free text (provider, vendor, interconnect) into a name field. */
static int nj_text(struct nj *c, json_t *v, const char *path, bool nonempty,
                   char out[SW_NAME_MAX])
{
    if (!json_is_string(v))
        return nj_fail(c, path, "expected a string, got %s", nj_kind(v));
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (nj_check_text(c, s, n, path, nonempty) != 0)
        return -1;
    memcpy(out, s, n);
    out[n] = '\0';
    return 0;
}

static bool nj_is_alnum(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

/* A name (region, site, node class, model): letters, digits, '-', '_', '.',
 * starting with a letter or digit. */
static int nj_name(struct nj *c, json_t *v, const char *path, char out[SW_NAME_MAX])
{
    if (nj_text(c, v, path, true, out) != 0)
        return -1;
    bool ok = nj_is_alnum(out[0]);
    for (size_t i = 1; ok && out[i]; i++)
        ok = nj_is_alnum(out[i]) || out[i] == '-' || out[i] == '_' || out[i] == '.';
    if (!ok) {
        char q[NJ_QUOTE_MAX + 8];
        return nj_fail(c, path,
                       "%s is not a valid name: use letters, digits, '-', '_' and '.', "
                       "starting with a letter or digit",
                       nj_quote(out, q));
    }
    return 0;
}

/* "unknown <what> "x"; did you mean "y"?" over inline names. */
static int nj_unknown(struct nj *c, const char *path, const char *what, const char *s,
                      const void *names, size_t n, size_t stride, const char *hint)
{
    char q[NJ_QUOTE_MAX + 8];
    int k = sw_closest_name(s, names, n, stride);
    if (k >= 0)
        return nj_fail(c, path, "unknown %s %s; did you mean \"%s\"?", what, nj_quote(s, q),
                       (const char *)names + (size_t)k * stride);
    return nj_fail(c, path, "unknown %s %s (%s)", what, nj_quote(s, q), hint);
}

/* One of a fixed set of words (kind, backend), into an enum value. */
static int nj_enum(struct nj *c, json_t *v, const char *path, const char *what,
                   const char (*names)[NJ_KEY_MAX], size_t n, int *out)
{
    if (!json_is_string(v))
        return nj_fail(c, path, "expected a string, got %s", nj_kind(v));
    const char *s = json_string_value(v);
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = (int)i;
            return 0;
        }
    char list[NJ_PATH_MAX] = "";
    size_t len = 0;
    for (size_t i = 0; i < n && len < sizeof(list); i++) {
        int w = snprintf(list + len, sizeof(list) - len, "%s%s", i ? ", " : "one of ", names[i]);
        len += w > 0 ? (size_t)w : 0;
    }
    return nj_unknown(c, path, what, s, names, n, NJ_KEY_MAX, list);
}

/* ---- optional/required fields of an object ---- */

static int nj_field_int(struct nj *c, json_t *obj, const char *path, const char *key,
                        bool required, int64_t min, int64_t max, int64_t *out)
{
    json_t *v;
    char p[NJ_PATH_MAX];
    if (nj_get(c, obj, path, key, required, &v) != 0)
        return -1;
    if (!v)
        return 0;
    nj_path_key(p, path, key);
    return nj_int(c, v, p, min, max, out);
}

static int nj_field_number(struct nj *c, json_t *obj, const char *path, const char *key,
                           bool required, double min, double max, double *out)
{
    json_t *v;
    char p[NJ_PATH_MAX];
    if (nj_get(c, obj, path, key, required, &v) != 0)
        return -1;
    if (!v)
        return 0;
    nj_path_key(p, path, key);
    return nj_number(c, v, p, min, max, out);
}

static int nj_field_money(struct nj *c, json_t *obj, const char *path, const char *key,
                          bool required, int64_t *out)
{
    json_t *v;
    char p[NJ_PATH_MAX];
    if (nj_get(c, obj, path, key, required, &v) != 0)
        return -1;
    if (!v)
        return 0;
    nj_path_key(p, path, key);
    return nj_money(c, v, p, out);
}

static int nj_field_text(struct nj *c, json_t *obj, const char *path, const char *key,
                         bool required, char out[SW_NAME_MAX])
{
    json_t *v;
    char p[NJ_PATH_MAX];
    if (nj_get(c, obj, path, key, required, &v) != 0)
        return -1;
    if (!v)
        return 0;
    nj_path_key(p, path, key);
    return nj_text(c, v, p, required, out);
}

static int nj_field_name(struct nj *c, json_t *obj, const char *path, const char *key,
                         char out[SW_NAME_MAX])
{
    json_t *v;
    char p[NJ_PATH_MAX];
    if (nj_get(c, obj, path, key, true, &v) != 0)
        return -1;
    nj_path_key(p, path, key);
    return nj_name(c, v, p, out);
}

/* An optional free-text comment field ("about", "note"): any string. */
static int nj_field_comment(struct nj *c, json_t *obj, const char *path, const char *key)
{
    json_t *v = json_object_get(obj, key);
    char p[NJ_PATH_MAX];
    if (!v || json_is_string(v))
        return 0;
    nj_path_key(p, path, key);
    return nj_fail(c, p, "expected a string, got %s", nj_kind(v));
}

/* A reference to a declared region, into its index. */
static int nj_field_region(struct nj *c, json_t *obj, const char *path, const char *key,
                           int *out)
{
    json_t *v;
    char p[NJ_PATH_MAX];
    if (nj_get(c, obj, path, key, true, &v) != 0)
        return -1;
    nj_path_key(p, path, key);
    if (!json_is_string(v))
        return nj_fail(c, p, "expected a region name, got %s", nj_kind(v));
    const char *s = json_string_value(v);
    int r = nj_index_find(c->region_idx, s);
    if (r < 0)
        return nj_unknown(c, p, "region", s, c->net.regions, c->net.nregions,
                          sizeof(c->net.regions[0]), "declare it in \"regions\"");
    *out = r;
    return 0;
}

/* A catalog model by name, into its index. */
static int nj_model_find(struct nj *c, const char *s, const char *path, int *out)
{
    int m = nj_index_find(c->model_idx, s);
    if (m < 0)
        return nj_unknown(c, path, "model", s, c->net.catalog.models, c->net.catalog.n,
                          sizeof(c->net.catalog.models[0]),
                          "not built in; add it to \"catalog\", see docs/network.md");
    *out = m;
    return 0;
}

/* A reference to a catalog model (a JSON string), into its index. */
static int nj_model_ref(struct nj *c, json_t *v, const char *path, int *out)
{
    if (!json_is_string(v))
        return nj_fail(c, path, "expected a model name, got %s", nj_kind(v));
    return nj_model_find(c, json_string_value(v), path, out);
}

/* ---- catalog ---- */

/* Figures of one catalog entry into `m` (a copy of the built-in model when
 * overriding one; a new model must give the figures scheduling needs). */
static int nj_model_fields(struct nj *c, json_t *v, const char *path, bool is_new,
                           struct sw_accel_model *m)
{
    static const char needed[][NJ_KEY_MAX] = {"mem_gib", "fp16_tflops", "watts"};
    for (size_t i = 0; is_new && i < NKEYS(needed); i++) {
        if (json_object_get(v, needed[i]))
            continue;
        char q[NJ_QUOTE_MAX + 8];
        const struct sw_catalog *cat = &c->net.catalog;
        int k = sw_closest_name(m->name, cat->models, cat->n, sizeof(cat->models[0]));
        nj_quote(m->name, q);
        if (k >= 0)
            return nj_fail(c, path,
                           "%s is not a built-in model, so \"%s\" is required; "
                           "did you mean \"%s\"?",
                           q, needed[i], cat->models[k].name);
        return nj_fail(c, path, "%s is not a built-in model, so \"%s\" is required", q,
                       needed[i]);
    }
    double fp16 = m->fp16_tflops;
    if (nj_field_text(c, v, path, "vendor", false, m->vendor) != 0 ||
        nj_field_int(c, v, path, "mem_gib", false, 1, 16384, &m->mem_gib) != 0 ||
        nj_field_number(c, v, path, "fp16_tflops", false, 0, 1e6, &fp16) != 0 ||
        nj_field_number(c, v, path, "fp64_tflops", false, 0, 1e6, &m->fp64_tflops) != 0 ||
        nj_field_int(c, v, path, "watts", false, 1, 100000, &m->watts) != 0 ||
        nj_field_comment(c, v, path, "note") != 0)
        return -1;
    if (!(fp16 > 0)) {
        char p[NJ_PATH_MAX];
        nj_path_key(p, path, "fp16_tflops");
        return nj_fail(c, p, "must be > 0 (relative speeds and P are computed from it)");
    }
    m->fp16_tflops = fp16;
    return 0;
}

/* Append a model to the catalog (the array grows by one). */
static int nj_catalog_append(struct nj *c, const struct sw_accel_model *m)
{
    struct sw_catalog *cat = &c->net.catalog;
    struct sw_accel_model *grown = realloc(cat->models, (cat->n + 1) * sizeof(*grown));
    if (!grown)
        return nj_nomem(c);
    cat->models = grown;
    cat->models[cat->n++] = *m;
    return 0;
}

/* One entry of "catalog": overrides a built-in model or adds one. */
static int nj_catalog_entry(struct nj *c, json_t *v, const char *path, json_t *seen, size_t i)
{
    struct sw_accel_model m;
    char p[NJ_PATH_MAX];
    if (nj_object(c, v, path, "an object describing a model") != 0 ||
        nj_check_keys(c, v, path, model_keys, NKEYS(model_keys)) != 0)
        return -1;
    memset(&m, 0, sizeof(m));
    if (nj_field_name(c, v, path, "name", m.name) != 0)
        return -1;
    int dup = nj_index_find(seen, m.name);
    if (dup >= 0) {
        char q[NJ_QUOTE_MAX + 8];
        nj_path_key(p, path, "name");
        return nj_fail(c, p, "duplicate model %s (also catalog[%d])", nj_quote(m.name, q), dup);
    }
    if (nj_index_add(c, seen, m.name, i) != 0)
        return -1;
    int k = sw_catalog_model(&c->net.catalog, m.name);
    if (k >= 0)
        m = c->net.catalog.models[k];
    if (nj_model_fields(c, v, path, k < 0, &m) != 0)
        return -1;
    if (k >= 0) {
        c->net.catalog.models[k] = m;
        return 0;
    }
    if (c->net.catalog.n >= NJ_MAX_MODELS)
        return nj_fail(c, path, "too many models (at most %d)", NJ_MAX_MODELS);
    return nj_catalog_append(c, &m);
}

/* The built-in catalog, then the file's "catalog" section; then the index. */
static int nj_catalog(struct nj *c, json_t *root)
{
    json_t *arr = json_object_get(root, "catalog");
    if (sw_catalog_builtin(&c->net.catalog) != 0)
        return nj_nomem(c);
    if (arr && !json_is_array(arr))
        return nj_fail(c, "catalog", "expected an array of models, got %s", nj_kind(arr));
    if (arr && json_array_size(arr) > NJ_MAX_MODELS)
        return nj_fail(c, "catalog", "too many models (at most %d)", NJ_MAX_MODELS);
    if (arr) {
        json_t *seen = json_object();
        if (!seen)
            return nj_nomem(c);
        int rc = 0;
        for (size_t i = 0; rc == 0 && i < json_array_size(arr); i++) {
            char p[NJ_PATH_MAX];
            nj_path(p, "catalog[%zu]", i);
            rc = nj_catalog_entry(c, json_array_get(arr, i), p, seen, i);
        }
        json_decref(seen);
        if (rc != 0)
            return -1;
    }
    for (size_t i = 0; i < c->net.catalog.n; i++)
        if (nj_index_add(c, c->model_idx, c->net.catalog.models[i].name, i) != 0)
            return -1;
    return 0;
}

/* ---- regions, latency and bandwidth ---- */

static int nj_regions(struct nj *c, json_t *root)
{
    json_t *arr;
    if (nj_get(c, root, "", "regions", true, &arr) != 0)
        return -1;
    if (!json_is_array(arr))
        return nj_fail(c, "regions", "expected an array of region names, got %s", nj_kind(arr));
    size_t n = json_array_size(arr);
    if (n == 0)
        return nj_fail(c, "regions", "must name at least one region");
    if (n > NJ_MAX_REGIONS)
        return nj_fail(c, "regions", "too many regions (%zu; at most %d)", n, NJ_MAX_REGIONS);
    c->net.regions = calloc(n, sizeof(c->net.regions[0]));
    if (!c->net.regions)
        return nj_nomem(c);
    c->net.nregions = n;
    for (size_t i = 0; i < n; i++) {
        char p[NJ_PATH_MAX];
        char q[NJ_QUOTE_MAX + 8];
        nj_path(p, "regions[%zu]", i);
        if (nj_name(c, json_array_get(arr, i), p, c->net.regions[i]) != 0)
            return -1;
        int dup = nj_index_find(c->region_idx, c->net.regions[i]);
        if (dup >= 0)
            return nj_fail(c, p, "duplicate region %s (also regions[%d])",
                           nj_quote(c->net.regions[i], q), dup);
        if (nj_index_add(c, c->region_idx, c->net.regions[i], i) != 0)
            return -1;
    }
    return 0;
}

/* Latency and bandwidth of one link, both directions. */
static int nj_link(struct nj *c, json_t *v, const char *path, size_t k)
{
    int a, b;
    double lat, bw;
    if (nj_object(c, v, path,
                  "a link {\"a\": region, \"b\": region, \"latency_ms\": ms, "
                  "\"bandwidth_gbps\": Gbit/s}") != 0 ||
        nj_check_keys(c, v, path, link_keys, NKEYS(link_keys)) != 0 ||
        nj_field_region(c, v, path, "a", &a) != 0 || nj_field_region(c, v, path, "b", &b) != 0 ||
        nj_field_number(c, v, path, "latency_ms", true, 0, 100000, &lat) != 0 ||
        nj_field_number(c, v, path, "bandwidth_gbps", true, 0, 1e9, &bw) != 0 ||
        nj_field_comment(c, v, path, "note") != 0)
        return -1;
    size_t n = c->net.nregions;
    size_t ab = (size_t)a * n + (size_t)b, ba = (size_t)b * n + (size_t)a;
    if (c->link_of[ab] != 0)
        return nj_fail(c, path,
                       "the pair %s-%s is already declared by links[%d] "
                       "(links are symmetric: declare each pair once)",
                       c->net.regions[a], c->net.regions[b], c->link_of[ab] - 1);
    c->net.latency_ms[ab] = c->net.latency_ms[ba] = lat;
    c->net.bandwidth_gbps[ab] = c->net.bandwidth_gbps[ba] = bw;
    c->link_of[ab] = c->link_of[ba] = (int)k + 1;
    return 0;
}

/* Every pair of distinct regions needs a declared link. */
static int nj_links_complete(struct nj *c)
{
    size_t n = c->net.nregions, missing = 0, fa = 0, fb = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (c->link_of[i * n + j] == 0 && missing++ == 0) {
                fa = i;
                fb = j;
            }
    if (missing == 0)
        return 0;
    char more[64] = "";
    if (missing > 1)
        snprintf(more, sizeof(more), " (%zu pairs lack a link)", missing);
    return nj_fail(c, "links",
                   "no latency between \"%s\" and \"%s\"; add a link {\"a\": \"%s\", "
                   "\"b\": \"%s\", \"latency_ms\": ..., \"bandwidth_gbps\": ...}%s",
                   c->net.regions[fa], c->net.regions[fb], c->net.regions[fa],
                   c->net.regions[fb], more);
}

/* "intra_region" defaults on the diagonal, then the "links". */
static int nj_matrix(struct nj *c, json_t *root)
{
    size_t n = c->net.nregions;
    double lat = NJ_INTRA_LATENCY_MS, bw = NJ_INTRA_BANDWIDTH_GBPS;
    c->net.latency_ms = calloc(n * n, sizeof(double));
    c->net.bandwidth_gbps = calloc(n * n, sizeof(double));
    c->link_of = calloc(n * n, sizeof(int));
    if (!c->net.latency_ms || !c->net.bandwidth_gbps || !c->link_of)
        return nj_nomem(c);
    json_t *intra = json_object_get(root, "intra_region");
    if (intra && (nj_object(c, intra, "intra_region",
                            "an object {\"latency_ms\": ms, \"bandwidth_gbps\": Gbit/s}") != 0 ||
                  nj_check_keys(c, intra, "intra_region", intra_keys, NKEYS(intra_keys)) != 0 ||
                  nj_field_number(c, intra, "intra_region", "latency_ms", false, 0, 100000,
                                  &lat) != 0 ||
                  nj_field_number(c, intra, "intra_region", "bandwidth_gbps", false, 0, 1e9,
                                  &bw) != 0 ||
                  nj_field_comment(c, intra, "intra_region", "note") != 0))
        return -1;
    for (size_t i = 0; i < n; i++) {
        c->net.latency_ms[i * n + i] = lat;
        c->net.bandwidth_gbps[i * n + i] = bw;
    }
    json_t *links = json_object_get(root, "links");
    if (links && !json_is_array(links))
        return nj_fail(c, "links", "expected an array of links, got %s", nj_kind(links));
    for (size_t k = 0; k < json_array_size(links); k++) {
        char p[NJ_PATH_MAX];
        nj_path(p, "links[%zu]", k);
        if (nj_link(c, json_array_get(links, k), p, k) != 0)
            return -1;
    }
    return nj_links_complete(c);
}

/* ---- sites ---- */

/* A constant or 24 hourly values (00:00..23:00, UTC+8). */
static int nj_carbon(struct nj *c, json_t *site, const char *path, double out[24])
{
    json_t *v;
    char p[NJ_PATH_MAX];
    if (nj_get(c, site, path, "carbon_g_per_kwh", true, &v) != 0)
        return -1;
    nj_path_key(p, path, "carbon_g_per_kwh");
    if (json_is_number(v)) {
        double x;
        if (nj_number(c, v, p, 0, 5000, &x) != 0)
            return -1;
        for (int h = 0; h < 24; h++)
            out[h] = x;
        return 0;
    }
    if (!json_is_array(v))
        return nj_fail(c, p, "expected a number or an array of 24 hourly numbers, got %s",
                       nj_kind(v));
    if (json_array_size(v) != 24)
        return nj_fail(c, p, "expected 24 hourly values (00:00 to 23:00, UTC+8), got %zu",
                       json_array_size(v));
    for (size_t h = 0; h < 24; h++) {
        char ph[NJ_PATH_MAX];
        nj_path(ph, "%s[%zu]", p, h);
        if (nj_number(c, json_array_get(v, h), ph, 0, 5000, &out[h]) != 0)
            return -1;
    }
    return 0;
}

/* "accelerators": {"model": name, "per_node": n}. */
static int nj_accel(struct nj *c, json_t *cls, const char *path, struct sw_node_class *nc)
{
    json_t *v = json_object_get(cls, "accelerators");
    json_t *model;
    char p[NJ_PATH_MAX], pm[NJ_PATH_MAX];
    nc->accel = -1;
    if (!v)
        return 0;
    nj_path_key(p, path, "accelerators");
    if (nj_object(c, v, p, "an object {\"model\": name, \"per_node\": count}") != 0 ||
        nj_check_keys(c, v, p, accel_keys, NKEYS(accel_keys)) != 0 ||
        nj_get(c, v, p, "model", true, &model) != 0)
        return -1;
    nj_path_key(pm, p, "model");
    if (nj_model_ref(c, model, pm, &nc->accel) != 0 ||
        nj_field_int(c, v, p, "per_node", true, 1, 1024, &nc->accels) != 0)
        return -1;
    return 0;
}

/* "price": per accelerator-hour where there are accelerators (cores then
 * come with them unless core_hour_fen says otherwise), else per core-hour. */
static int nj_price(struct nj *c, json_t *cls, const char *path, struct sw_node_class *nc)
{
    json_t *v;
    char p[NJ_PATH_MAX];
    bool has_accel = nc->accel >= 0;
    if (nj_get(c, cls, path, "price", true, &v) != 0)
        return -1;
    nj_path_key(p, path, "price");
    if (nj_object(c, v, p, "an object {\"accel_hour_fen\": fen, \"core_hour_fen\": fen}") != 0 ||
        nj_check_keys(c, v, p, price_keys, NKEYS(price_keys)) != 0)
        return -1;
    if (!has_accel && json_object_get(v, "accel_hour_fen")) {
        char pa[NJ_PATH_MAX];
        nj_path_key(pa, p, "accel_hour_fen");
        return nj_fail(c, pa, "this node class has no accelerators "
                              "(add \"accelerators\" or price it by \"core_hour_fen\")");
    }
    if (nj_field_money(c, v, p, "accel_hour_fen", has_accel, &nc->price_accel_hour_fen) != 0 ||
        nj_field_money(c, v, p, "core_hour_fen", !has_accel, &nc->price_core_hour_fen) != 0)
        return -1;
    return 0;
}

/* Memory per node: "mem_gib" or "mem_mib", exactly one. */
static int nj_mem(struct nj *c, json_t *cls, const char *path, struct sw_node_class *nc)
{
    bool gib = json_object_get(cls, "mem_gib") != NULL;
    bool mib = json_object_get(cls, "mem_mib") != NULL;
    if (gib && mib)
        return nj_fail(c, path, "give \"mem_gib\" or \"mem_mib\", not both");
    if (!gib && !mib)
        return nj_fail(c, path, "missing field \"mem_gib\" (or \"mem_mib\")");
    if (mib)
        return nj_field_int(c, cls, path, "mem_mib", true, 1, INT64_C(16) << 20, &nc->mem_mib);
    int64_t g = 0;
    if (nj_field_int(c, cls, path, "mem_gib", true, 1, 16384, &g) != 0)
        return -1;
    nc->mem_mib = g * 1024;
    return 0;
}

static int nj_node_class(struct nj *c, json_t *v, const char *path, struct sw_node_class *nc)
{
    if (nj_object(c, v, path, "an object describing a node class") != 0 ||
        nj_check_keys(c, v, path, class_keys, NKEYS(class_keys)) != 0 ||
        nj_field_name(c, v, path, "name", nc->name) != 0 ||
        nj_field_int(c, v, path, "count", true, 1, 1000000, &nc->count) != 0 ||
        nj_field_int(c, v, path, "cores", true, 1, 100000, &nc->cores) != 0 ||
        nj_mem(c, v, path, nc) != 0 || nj_accel(c, v, path, nc) != 0 ||
        nj_price(c, v, path, nc) != 0 ||
        nj_field_text(c, v, path, "interconnect", false, nc->interconnect) != 0 ||
        nj_field_comment(c, v, path, "note") != 0)
        return -1;
    return 0;
}

/* "node_classes" of one site: non-empty, names unique within the site. */
static int nj_node_classes(struct nj *c, json_t *site, const char *path, struct sw_site *s)
{
    json_t *arr;
    char p[NJ_PATH_MAX];
    if (nj_get(c, site, path, "node_classes", true, &arr) != 0)
        return -1;
    nj_path_key(p, path, "node_classes");
    if (!json_is_array(arr))
        return nj_fail(c, p, "expected an array of node classes, got %s", nj_kind(arr));
    size_t n = json_array_size(arr);
    if (n == 0 || n > NJ_MAX_NODE_CLASSES)
        return nj_fail(c, p, "must list 1 to %d node classes, got %zu", NJ_MAX_NODE_CLASSES, n);
    s->classes = calloc(n, sizeof(s->classes[0]));
    json_t *seen = json_object();
    if (!s->classes || !seen) {
        json_decref(seen);
        return nj_nomem(c);
    }
    s->nclasses = n;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char pi[NJ_PATH_MAX], pn[NJ_PATH_MAX], q[NJ_QUOTE_MAX + 8];
        nj_path(pi, "%s[%zu]", p, i);
        rc = nj_node_class(c, json_array_get(arr, i), pi, &s->classes[i]);
        int dup = rc == 0 ? nj_index_find(seen, s->classes[i].name) : -1;
        if (dup >= 0) {
            nj_path_key(pn, pi, "name");
            rc = nj_fail(c, pn, "duplicate node class %s in site \"%s\" (also node_classes[%d])",
                         nj_quote(s->classes[i].name, q), s->name, dup);
        } else if (rc == 0) {
            rc = nj_index_add(c, seen, s->classes[i].name, i);
        }
    }
    json_decref(seen);
    return rc;
}

/* Site identity: a unique name, its region and provider. */
static int nj_site_identity(struct nj *c, json_t *v, const char *path, struct sw_site *s,
                            size_t i)
{
    char p[NJ_PATH_MAX], q[NJ_QUOTE_MAX + 8];
    if (nj_field_name(c, v, path, "name", s->name) != 0)
        return -1;
    int dup = nj_index_find(c->site_idx, s->name);
    if (dup >= 0) {
        nj_path_key(p, path, "name");
        return nj_fail(c, p, "duplicate site %s (also sites[%d])", nj_quote(s->name, q), dup);
    }
    if (nj_index_add(c, c->site_idx, s->name, i) != 0 ||
        nj_field_region(c, v, path, "region", &s->region) != 0 ||
        nj_field_text(c, v, path, "provider", true, s->provider) != 0)
        return -1;
    return 0;
}

static int nj_site(struct nj *c, json_t *v, const char *path, struct sw_site *s, size_t i)
{
    json_t *kind, *pue, *backend;
    char p[NJ_PATH_MAX];
    int k = 0, b = SW_BACKEND_LOCAL;
    if (nj_object(c, v, path, "an object describing a site") != 0 ||
        nj_check_keys(c, v, path, site_keys, NKEYS(site_keys)) != 0 ||
        nj_site_identity(c, v, path, s, i) != 0 ||
        nj_get(c, v, path, "kind", true, &kind) != 0)
        return -1;
    nj_path_key(p, path, "kind");
    if (nj_enum(c, kind, p, "kind", kind_names, NKEYS(kind_names), &k) != 0)
        return -1;
    s->kind = (enum sw_site_kind)k;
    if (nj_get(c, v, path, "pue", true, &pue) != 0)
        return -1;
    nj_path_key(p, path, "pue");
    if (nj_number(c, pue, p, 0, 1e9, &s->pue) != 0)
        return -1;
    if (s->pue < 1.0 || s->pue > 3.0)
        return nj_fail(c, p, "must be between 1.0 and 3.0 (facility power / IT power), got %g",
                       s->pue);
    if (nj_carbon(c, v, path, s->carbon_g_per_kwh) != 0)
        return -1;
    backend = json_object_get(v, "backend");
    nj_path_key(p, path, "backend");
    if (backend && nj_enum(c, backend, p, "backend", backend_names, NKEYS(backend_names), &b) != 0)
        return -1;
    s->backend = (enum sw_backend)b;
    if (nj_field_comment(c, v, path, "note") != 0 || nj_node_classes(c, v, path, s) != 0)
        return -1;
    return 0;
}

static int nj_sites(struct nj *c, json_t *root)
{
    json_t *arr;
    if (nj_get(c, root, "", "sites", true, &arr) != 0)
        return -1;
    if (!json_is_array(arr))
        return nj_fail(c, "sites", "expected an array of sites, got %s", nj_kind(arr));
    size_t n = json_array_size(arr);
    if (n == 0 || n > NJ_MAX_SITES)
        return nj_fail(c, "sites", "must list 1 to %d sites, got %zu", NJ_MAX_SITES, n);
    c->net.sites = calloc(n, sizeof(c->net.sites[0]));
    if (!c->net.sites)
        return nj_nomem(c);
    c->net.nsites = n;
    for (size_t i = 0; i < n; i++) {
        char p[NJ_PATH_MAX];
        nj_path(p, "sites[%zu]", i);
        if (nj_site(c, json_array_get(arr, i), p, &c->net.sites[i], i) != 0)
            return -1;
    }
    return 0;
}

/* ---- throughput ---- */

/* A new, zeroed workload class row in the catalog. */
static struct sw_workload_class *nj_class_new(struct nj *c, const char *path, const char *name)
{
    struct sw_catalog *cat = &c->net.catalog;
    if (cat->nclasses >= NJ_MAX_CLASSES) {
        nj_fail(c, path, "too many workload classes (at most %d)", NJ_MAX_CLASSES);
        return NULL;
    }
    if (cat->nclasses == c->classes_cap) {
        size_t cap = c->classes_cap ? 2 * c->classes_cap : 16;
        struct sw_workload_class *grown = realloc(cat->classes, cap * sizeof(*grown));
        if (!grown) {
            nj_nomem(c);
            return NULL;
        }
        cat->classes = grown;
        c->classes_cap = cap;
    }
    struct sw_workload_class *wc = &cat->classes[cat->nclasses];
    memset(wc, 0, sizeof(*wc));
    wc->rel = calloc(cat->n, sizeof(double));
    if (!wc->rel) {
        nj_nomem(c);
        return NULL;
    }
    cat->nclasses++;
    memcpy(wc->name, name, strlen(name) + 1);
    if (nj_index_add(c, c->class_idx, name, cat->nclasses - 1) != 0)
        return NULL;
    return wc;
}

/* One workload class: {"model": relative throughput, ...}. */
static int nj_workload_class(struct nj *c, const char *name, json_t *v, const char *path)
{
    char q[NJ_QUOTE_MAX + 8], p[NJ_PATH_MAX];
    nj_path(p, "%s[%s]", path, nj_quote(name, q));
    if (nj_check_text(c, name, strlen(name), p, true) != 0)
        return -1;
    if (nj_index_find(c->class_idx, name) >= 0)
        return nj_fail(c, p,
                       "workload class %s is already defined in the \"throughput\" section "
                       "of %s",
                       q, c->main_origin);
    if (nj_object(c, v, p, "an object {\"model\": relative throughput, ...}") != 0)
        return -1;
    if (json_object_size(v) == 0)
        return nj_fail(c, p, "must give the relative throughput of at least one model");
    struct sw_workload_class *wc = nj_class_new(c, p, name);
    if (!wc)
        return -1;
    const char *model;
    json_t *x;
    json_object_foreach(v, model, x) {
        char pm[NJ_PATH_MAX];
        int m = 0;
        if (model[0] == '_')
            continue;
        nj_path(pm, "%s.%s", p, model);
        if (nj_model_find(c, model, pm, &m) != 0 || nj_number(c, x, pm, 0, 1e6, &wc->rel[m]) != 0)
            return -1;
    }
    return 0;
}

/* A "throughput" object: workload class name -> {model: relative}. */
static int nj_throughput(struct nj *c, json_t *v, const char *path)
{
    if (nj_object(c, v, path,
                  "an object {\"workload class\": {\"model\": relative throughput}}") != 0)
        return -1;
    const char *name;
    json_t *cls;
    json_object_foreach(v, name, cls) {
        if (name[0] == '_')
            continue;
        if (nj_workload_class(c, name, cls, path) != 0)
            return -1;
    }
    return 0;
}

/* ---- files ---- */

/* Read all of `fd` into a new buffer of at most NJ_FILE_MAX bytes plus a
 * NUL; *len > NJ_FILE_MAX means the file is too big. Returns 0 or -1 with
 * errno (ENOMEM or read's). */
static int nj_read_fd(int fd, char **text, size_t *len)
{
    size_t cap = (size_t)1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    if (!buf)
        return -1;
    for (;;) {
        if (n == cap && cap <= NJ_FILE_MAX) {
            size_t grow = cap * 2 > NJ_FILE_MAX + 1 ? NJ_FILE_MAX + 1 : cap * 2;
            char *grown = realloc(buf, grow + 1);
            if (!grown)
                break;
            buf = grown;
            cap = grow;
        }
        if (n == cap)
            break; /* read NJ_FILE_MAX + 1 bytes: too big */
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            if (r == 0)
                break;
            int e = errno;
            free(buf);
            errno = e;
            return -1;
        }
        n += (size_t)r;
    }
    if (n == cap && cap <= NJ_FILE_MAX) { /* realloc failed */
        free(buf);
        errno = ENOMEM;
        return -1;
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return 0;
}

/* Read a whole file of at most NJ_FILE_MAX bytes into a new NUL-terminated
 * buffer (the caller frees *text). Messages start with the path. */
static int nj_read_file(const char *path, char **text, size_t *len, sw_error_t *err)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return sw_errprintf(err, "%s: cannot open: %s", path, strerror(errno));
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        close(fd);
        errno = EISDIR;
        return sw_errprintf(err, "%s: cannot read: %s", path, strerror(EISDIR));
    }
    int rc = nj_read_fd(fd, text, len);
    int e = errno;
    close(fd);
    errno = e;
    if (rc != 0)
        return sw_errprintf(err, "%s: cannot read: %s", path, strerror(e));
    if (*len > NJ_FILE_MAX) {
        free(*text);
        *text = NULL;
        errno = EFBIG;
        return sw_errprintf(err, "%s: file is larger than the %zu MiB limit", path,
                            NJ_FILE_MAX >> 20);
    }
    return 0;
}

/* Parse JSON text; a syntax error names origin:line:column. */
static json_t *nj_load_json(const char *text, size_t len, const char *origin, sw_error_t *err)
{
    json_error_t jerr;
    json_t *root = json_loadb(text ? text : "", text ? len : 0, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        errno = EINVAL;
        sw_errprintf(err, "%s:%d:%d: invalid JSON: %s", origin, jerr.line, jerr.column,
                     jerr.text);
    }
    return root;
}

/* `rel` resolved against the directory of the network file. */
static char *nj_resolve(const char *origin, const char *rel)
{
    const char *slash = strrchr(origin, '/');
    size_t dir = rel[0] == '/' || !slash ? 0 : (size_t)(slash - origin) + 1;
    size_t n = strlen(rel);
    char *path = malloc(dir + n + 1);
    if (!path)
        return NULL;
    memcpy(path, origin, dir);
    memcpy(path + dir, rel, n + 1);
    return path;
}

/* The parsed include file: {"about": text, "throughput": {...}}. */
static int nj_include_root(struct nj *c, json_t *root)
{
    json_t *t;
    if (nj_object(c, root, "", "a JSON object at the top level") != 0 ||
        nj_check_keys(c, root, "", include_keys, NKEYS(include_keys)) != 0 ||
        nj_field_comment(c, root, "", "about") != 0 ||
        nj_get(c, root, "", "throughput", true, &t) != 0)
        return -1;
    return nj_throughput(c, t, "throughput");
}

/* "throughput_file": a file with a "throughput" section, relative to the
 * network file. Messages about its content name the included file. */
static int nj_throughput_file(struct nj *c, json_t *root)
{
    json_t *v = json_object_get(root, "throughput_file");
    char *text = NULL;
    size_t len = 0;
    if (!v)
        return 0;
    if (!json_is_string(v) || json_string_length(v) == 0)
        return nj_fail(c, "throughput_file", "expected a file name, got %s",
                       json_is_string(v) ? "an empty string" : nj_kind(v));
    char *path = nj_resolve(c->origin, json_string_value(v));
    if (!path)
        return nj_nomem(c);
    int rc = nj_read_file(path, &text, &len, c->err);
    if (rc != 0)
        sw_errprefix(c->err, "%s: throughput_file: ", c->origin);
    json_t *inc = rc == 0 ? nj_load_json(text, len, path, c->err) : NULL;
    free(text);
    if (inc) {
        c->origin = path;
        rc = nj_include_root(c, inc);
        c->origin = c->main_origin;
        json_decref(inc);
    } else {
        rc = -1;
    }
    free(path);
    return rc;
}

/* ---- top level ---- */

static int nj_root(struct nj *c, json_t *root)
{
    json_t *t;
    if (nj_object(c, root, "", "a JSON object at the top level") != 0 ||
        nj_check_keys(c, root, "", top_keys, NKEYS(top_keys)) != 0 ||
        nj_field_comment(c, root, "", "about") != 0 || nj_catalog(c, root) != 0 ||
        nj_regions(c, root) != 0 || nj_matrix(c, root) != 0 || nj_sites(c, root) != 0)
        return -1;
    t = json_object_get(root, "throughput");
    if (t && nj_throughput(c, t, "throughput") != 0)
        return -1;
    return nj_throughput_file(c, root);
}

int sw_network_parse(const char *text, size_t len, const char *origin, struct sw_network *net,
                     sw_error_t *err)
{
    struct nj c;
    memset(&c, 0, sizeof(c));
    c.origin = c.main_origin = origin ? origin : "network";
    c.err = err;
    memset(net, 0, sizeof(*net));
    json_t *root = nj_load_json(text, len, c.origin, err);
    if (!root)
        return -1;
    c.region_idx = json_object();
    c.site_idx = json_object();
    c.model_idx = json_object();
    c.class_idx = json_object();
    int rc = (!c.region_idx || !c.site_idx || !c.model_idx || !c.class_idx) ? nj_nomem(&c)
                                                                            : nj_root(&c, root);
    json_decref(root);
    json_decref(c.region_idx);
    json_decref(c.site_idx);
    json_decref(c.model_idx);
    json_decref(c.class_idx);
    free(c.link_of);
    if (rc != 0) {
        sw_network_free(&c.net);
        return -1;
    }
    *net = c.net;
    return 0;
}

int sw_network_load(const char *path, struct sw_network *net, sw_error_t *err)
{
    char *text = NULL;
    size_t len = 0;
    memset(net, 0, sizeof(*net));
    if (nj_read_file(path, &text, &len, err) != 0)
        return -1;
    int rc = sw_network_parse(text, len, path, net, err);
    free(text);
    return rc;
}
