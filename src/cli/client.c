/* client.c — the user commands' API client over libcurl (see client.h):
 * settings from flags, environment and config file; requests; one-line
 * errors that say what to do.
 */
#include "cli/client.h"

#include <getopt.h>
#include <stdarg.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "util/version.h"

#define CONNECT_TIMEOUT_S 10L
#define REQUEST_TIMEOUT_S 120L
#define CONFIG_LINE_MAX 4096

int sw_client_take_option(int c, const char *arg, struct sw_client_opts *o)
{
    switch (c) {
    case SW_OPT_SERVER: o->server = arg; return 1;
    case SW_OPT_TOKEN: o->token = arg; return 1;
    case SW_OPT_JSON: o->json = true; return 1;
    default: return 0;
    }
}

/* ---- the config file ------------------------------------------------------------ */

static char *trim(char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* The default config path into buf; 0, or -1 when there is no home. */
static int default_config_path(char *buf, size_t n)
{
    const char *xdg = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    int w;
    if (xdg && xdg[0] == '/')
        w = snprintf(buf, n, "%s/suanwang/config", xdg);
    else if (home && home[0])
        w = snprintf(buf, n, "%s/.config/suanwang/config", home);
    else
        return -1;
    return (w < 0 || (size_t)w >= n) ? -1 : 0;
}

/* Read the first line of a token file into token. */
static int read_token_file(const char *path, const char *config, int line, char *token,
                           size_t token_n, sw_error_t *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return sw_errprintf(err, "%s:%d: token_file %s: %s", config, line, path,
                            strerror(errno));
    char buf[1024];
    char *got = fgets(buf, sizeof(buf), f);
    fclose(f);
    char *t = got ? trim(buf) : NULL;
    if (!t || !t[0]) {
        errno = EINVAL;
        return sw_errprintf(err, "%s:%d: token_file %s is empty", config, line, path);
    }
    if (strlen(t) >= token_n) {
        errno = EINVAL;
        return sw_errprintf(err, "%s:%d: token_file %s: the token is too long", config, line,
                            path);
    }
    snprintf(token, token_n, "%s", t);
    return 0;
}

/* token_file relative to the config file's folder; "~/" is the home. */
static void token_file_path(const char *config, const char *value, char *out, size_t n)
{
    const char *home = getenv("HOME");
    if (value[0] == '~' && value[1] == '/' && home)
        snprintf(out, n, "%s/%s", home, value + 2);
    else if (value[0] == '/')
        snprintf(out, n, "%s", value);
    else {
        const char *slash = strrchr(config, '/');
        int dir = slash ? (int)(slash - config) : 1;
        snprintf(out, n, "%.*s/%s", dir, slash ? config : ".", value);
    }
}

int sw_client_read_config(const char *path, char *server, size_t server_n, char *token,
                          size_t token_n, char *used_path, size_t used_n, sw_error_t *err)
{
    char defpath[1024];
    bool explicit = path != NULL;
    if (server)
        server[0] = '\0';
    if (token)
        token[0] = '\0';
    if (!path) {
        if (default_config_path(defpath, sizeof(defpath)) < 0)
            return 0;
        path = defpath;
    }
    if (used_path)
        snprintf(used_path, used_n, "%s", path);
    FILE *f = fopen(path, "r");
    if (!f) {
        if (!explicit && errno == ENOENT)
            return 0;
        return sw_errprintf(err, "config file %s: %s", path, strerror(errno));
    }
    char line[CONFIG_LINE_MAX];
    int lineno = 0, rc = 0;
    bool have_token = false, have_token_file = false;
    while (fgets(line, sizeof(line), f)) {
        lineno++;
        if (!strchr(line, '\n') && !feof(f)) {
            errno = EINVAL;
            rc = sw_errprintf(err, "%s:%d: line longer than %d bytes", path, lineno,
                              CONFIG_LINE_MAX - 2);
            break;
        }
        char *s = trim(line);
        if (!s[0] || s[0] == '#')
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            errno = EINVAL;
            rc = sw_errprintf(err, "%s:%d: expected \"key = value\", got \"%s\"", path, lineno,
                              s);
            break;
        }
        *eq = '\0';
        char *key = trim(s), *val = trim(eq + 1);
        size_t vn = strlen(val);
        if (vn >= 2 && ((val[0] == '"' && val[vn - 1] == '"') ||
                        (val[0] == '\'' && val[vn - 1] == '\''))) {
            val[vn - 1] = '\0';
            val++;
        }
        if (!val[0]) {
            errno = EINVAL;
            rc = sw_errprintf(err, "%s:%d: %s: empty value", path, lineno, key);
            break;
        }
        if (!strcmp(key, "server")) {
            if (server)
                snprintf(server, server_n, "%s", val);
        } else if (!strcmp(key, "token") || !strcmp(key, "token_file")) {
            bool is_file = key[5] == '_';
            if ((is_file && have_token) || (!is_file && have_token_file)) {
                errno = EINVAL;
                rc = sw_errprintf(err, "%s:%d: give token or token_file, not both", path,
                                  lineno);
                break;
            }
            have_token |= !is_file;
            have_token_file |= is_file;
            if (!token)
                continue;
            if (is_file) {
                char tpath[1024];
                token_file_path(path, val, tpath, sizeof(tpath));
                if ((rc = read_token_file(tpath, path, lineno, token, token_n, err)) < 0)
                    break;
            } else {
                snprintf(token, token_n, "%s", val);
            }
        } else {
            errno = EINVAL;
            rc = sw_errprintf(err, "%s:%d: unknown key \"%s\" (the keys are server, token "
                                   "and token_file)", path, lineno, key);
            break;
        }
    }
    fclose(f);
    if (rc < 0) {
        if (server)
            server[0] = '\0';
        if (token)
            token[0] = '\0';
    }
    return rc;
}

/* ---- opening ------------------------------------------------------------------- */

static int set_server(struct sw_client *c, const char *url, const char *from, sw_error_t *err)
{
    const char *scheme = "";
    if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) {
        if (strstr(url, "://")) {
            errno = EINVAL;
            return sw_errprintf(err, "%s: \"%s\" is not an http:// or https:// URL", from, url);
        }
        scheme = "http://"; /* "host:port" is taken as plain HTTP */
    }
    size_t n = strlen(url);
    while (n > 0 && url[n - 1] == '/')
        n--;
    if (n == 0 || strspn(url, "\t\n\r ") > 0 || strpbrk(url, " \t\r\n")) {
        errno = EINVAL;
        return sw_errprintf(err, "%s: \"%s\" is not a URL", from, url);
    }
    size_t need = strlen(scheme) + n + 1;
    c->server = malloc(need);
    if (!c->server)
        return sw_errprintf(err, "out of memory");
    snprintf(c->server, need, "%s%.*s", scheme, (int)n, url);
    return 0;
}

int sw_client_open(struct sw_client *c, const struct sw_client_opts *o, sw_error_t *err)
{
    memset(c, 0, sizeof(*c));
    const char *server = o->server, *server_from = "--server";
    const char *token = o->token;
    if (token)
        snprintf(c->origin, sizeof(c->origin), "--token");
    if (!server && getenv("SUANWANG_SERVER") && getenv("SUANWANG_SERVER")[0]) {
        server = getenv("SUANWANG_SERVER");
        server_from = "SUANWANG_SERVER";
    }
    if (!token && getenv("SUANWANG_TOKEN") && getenv("SUANWANG_TOKEN")[0]) {
        token = getenv("SUANWANG_TOKEN");
        snprintf(c->origin, sizeof(c->origin), "SUANWANG_TOKEN");
    }
    char cfg_server[1024], cfg_token[1024], cfg_path[1024] = "";
    if (!server || !token) {
        const char *path = getenv("SUANWANG_CONFIG");
        if (sw_client_read_config(path && path[0] ? path : NULL, cfg_server, sizeof(cfg_server),
                                  cfg_token, sizeof(cfg_token), cfg_path, sizeof(cfg_path),
                                  err) < 0)
            return -1;
        if (!server && cfg_server[0]) {
            server = cfg_server;
            server_from = cfg_path;
        }
        if (!token && cfg_token[0]) {
            token = cfg_token;
            snprintf(c->origin, sizeof(c->origin), "%s", cfg_path);
        }
    }
    if (!server) {
        server = SW_CLIENT_DEFAULT_SERVER;
        server_from = "the default server";
    }
    if (set_server(c, server, server_from, err) < 0)
        return -1;
    if (token && !(c->token = strdup(token)))
        return sw_errprintf(err, "out of memory");
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0 || !(c->curl = curl_easy_init())) {
        errno = ENOMEM;
        return sw_errprintf(err, "cannot initialise libcurl");
    }
    return 0;
}

void sw_client_close(struct sw_client *c)
{
    if (!c)
        return;
    int saved = errno;
    if (c->curl) {
        curl_easy_cleanup(c->curl);
        curl_global_cleanup();
    }
    free(c->server);
    free(c->token);
    memset(c, 0, sizeof(*c));
    errno = saved;
}

/* ---- requests ------------------------------------------------------------------- */

struct sink {
    struct sw_client_resp *r;
    size_t cap;
    bool too_big;
    bool is_json;
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
    struct sink *s = arg;
    size_t n = size * nmemb;
    struct sw_client_resp *r = s->r;
    if (n > SW_CLIENT_BODY_MAX - r->len) {
        s->too_big = true;
        return 0; /* makes curl fail the transfer */
    }
    if (r->len + n + 1 > s->cap) {
        size_t cap = s->cap ? s->cap : 4096;
        while (cap < r->len + n + 1)
            cap *= 2;
        char *b = realloc(r->body, cap);
        if (!b)
            return 0;
        r->body = b;
        s->cap = cap;
    }
    memcpy(r->body + r->len, data, n);
    r->len += n;
    r->body[r->len] = '\0';
    return n;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *arg)
{
    struct sink *s = arg;
    size_t n = size * nmemb;
    char line[256];
    size_t m = n < sizeof(line) - 1 ? n : sizeof(line) - 1;
    memcpy(line, data, m);
    line[m] = '\0';
    char *colon = strchr(line, ':');
    if (!colon)
        return n;
    *colon = '\0';
    char *val = trim(colon + 1);
    if (!strcasecmp(line, "X-Log-Size")) {
        char *end;
        errno = 0;
        long long v = strtoll(val, &end, 10);
        if (!errno && end != val && *end == '\0' && v >= 0)
            s->r->log_size = v;
    } else if (!strcasecmp(line, "X-Log-Attempt")) {
        char *end;
        errno = 0;
        long long v = strtoll(val, &end, 10);
        if (!errno && end != val && *end == '\0' && v >= 0)
            s->r->log_attempt = v;
    } else if (!strcasecmp(line, "X-Log-Complete")) {
        s->r->log_complete = !strcasecmp(val, "true");
    } else if (!strcasecmp(line, "Content-Type")) {
        s->is_json = strncasecmp(val, "application/json", 16) == 0;
    }
    return n;
}

/* A network failure in words, with what to do. */
static int network_error(struct sw_client *c, CURLcode rc, sw_error_t *err)
{
    long oserr = 0;
    curl_easy_getinfo(c->curl, CURLINFO_OS_ERRNO, &oserr);
    const char *hint = " — is `suanwang server` running? set --server or SUANWANG_SERVER";
    errno = EHOSTUNREACH;
    switch (rc) {
    case CURLE_COULDNT_CONNECT:
        errno = oserr ? (int)oserr : ECONNREFUSED;
        return sw_errprintf(err, "cannot reach the controller at %s: %s%s", c->server,
                            strerror(errno), hint);
    case CURLE_COULDNT_RESOLVE_HOST:
        return sw_errprintf(err, "cannot reach the controller at %s: unknown host%s",
                            c->server, hint);
    case CURLE_OPERATION_TIMEDOUT:
        errno = ETIMEDOUT;
        return sw_errprintf(err, "the controller at %s did not answer in time (%s)", c->server,
                            c->curl_err[0] ? c->curl_err : curl_easy_strerror(rc));
    case CURLE_URL_MALFORMAT:
        errno = EINVAL;
        return sw_errprintf(err, "the server URL %s is malformed: %s", c->server,
                            c->curl_err[0] ? c->curl_err : curl_easy_strerror(rc));
    default:
        return sw_errprintf(err, "talking to the controller at %s failed: %s", c->server,
                            c->curl_err[0] ? c->curl_err : curl_easy_strerror(rc));
    }
}

int sw_client_call(struct sw_client *c, const char *method, const char *path, const char *body,
                   const char *idem_key, struct sw_client_resp *r, sw_error_t *err)
{
    memset(r, 0, sizeof(*r));
    r->log_size = -1;
    r->log_attempt = -1;
    size_t url_n = strlen(c->server) + strlen(path) + 1;
    char *url = malloc(url_n);
    struct curl_slist *hdrs = NULL;
    char *auth = NULL, *idem = NULL;
    int rc = -1;
    bool oom = true; /* what a jump to out_free means, until said otherwise */
    if (!url)
        return sw_errprintf(err, "out of memory");
    snprintf(url, url_n, "%s%s", c->server, path);
    if (c->token) {
        size_t n = strlen(c->token) + 32;
        if (!(auth = malloc(n)))
            goto out_free;
        snprintf(auth, n, "Authorization: Bearer %s", c->token);
        hdrs = curl_slist_append(hdrs, auth);
    }
    if (idem_key) {
        size_t n = strlen(idem_key) + 32;
        if (!(idem = malloc(n)))
            goto out_free;
        snprintf(idem, n, "Idempotency-Key: %s", idem_key);
        hdrs = curl_slist_append(hdrs, idem);
    }
    if (body)
        hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
    hdrs = curl_slist_append(hdrs, "Accept: application/json");
    hdrs = curl_slist_append(hdrs, "Expect:"); /* no 100-continue round trip */
    if (!hdrs)
        goto out_free;

    CURL *h = c->curl;
    struct sink sink = {.r = r};
    c->curl_err[0] = '\0';
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "suanwang/" SW_VERSION_STRING);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, REQUEST_TIMEOUT_S);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->curl_err);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &sink);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    if (body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
    } else if (!strcmp(method, "GET")) {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    }
    CURLcode cr = curl_easy_perform(h);
    oom = false;
    if (sink.too_big) {
        errno = EFBIG;
        sw_errprintf(err, "the controller's answer to %s %s is larger than %zu MiB", method,
                     path, SW_CLIENT_BODY_MAX >> 20);
        goto out_free;
    }
    if (cr != CURLE_OK) {
        network_error(c, cr, err);
        goto out_free;
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
    oom = true;
    if (!r->body && !(r->body = calloc(1, 1)))
        goto out_free;
    if (sink.is_json && r->len > 0)
        r->json = json_loadb(r->body, r->len, 0, NULL);
    rc = 0;
out_free:
    if (rc < 0 && oom) {
        errno = ENOMEM;
        sw_errprintf(err, "out of memory");
    }
    if (rc < 0)
        sw_client_resp_free(r);
    curl_slist_free_all(hdrs);
    free(auth);
    free(idem);
    free(url);
    return rc;
}

int sw_client_resp_error(const struct sw_client *c, const struct sw_client_resp *r,
                         sw_error_t *err)
{
    const char *msg = json_string_value(json_object_get(r->json, "message"));
    const char *field = json_string_value(json_object_get(r->json, "field"));
    char text[400];
    if (msg && field && field[0])
        snprintf(text, sizeof(text), "%s (field: %s)", msg, field);
    else if (msg)
        snprintf(text, sizeof(text), "%s", msg);
    else
        snprintf(text, sizeof(text), "HTTP %ld from %s: %.200s", r->status, c->server,
                 r->len ? r->body : "(no body)");
    errno = r->status == 404 ? ENOENT : r->status == 401 || r->status == 403 ? EACCES : EIO;
    if (r->status == 401) {
        if (!c->token)
            return sw_errprintf(err, "no API token given: set --token or SUANWANG_TOKEN, or "
                                     "token/token_file in ~/.config/suanwang/config (the "
                                     "controller says: %s)", text);
        return sw_errprintf(err, "%s — the token from %s was refused", text, c->origin);
    }
    return sw_errprintf(err, "%s", text);
}

int sw_client_call_ok(struct sw_client *c, const char *method, const char *path,
                      const char *body, const char *idem_key, struct sw_client_resp *r,
                      sw_error_t *err)
{
    if (sw_client_call(c, method, path, body, idem_key, r, err) < 0)
        return -1;
    if (r->status >= 200 && r->status < 300)
        return 0;
    sw_client_resp_error(c, r, err);
    sw_client_resp_free(r);
    return -1;
}

char *sw_client_escape(struct sw_client *c, const char *s)
{
    char *e = curl_easy_escape(c->curl, s, 0);
    char *copy = e ? strdup(e) : NULL; /* the caller frees with free() */
    curl_free(e);
    return copy;
}

void sw_client_resp_free(struct sw_client_resp *r)
{
    if (!r)
        return;
    free(r->body);
    json_decref(r->json);
    memset(r, 0, sizeof(*r));
    r->log_size = -1;
    r->log_attempt = -1;
}

int sw_client_print_body(const struct sw_client_resp *r, FILE *out)
{
    if (r->len && fwrite(r->body, 1, r->len, out) != r->len)
        return -1;
    if ((!r->len || r->body[r->len - 1] != '\n') && fputc('\n', out) == EOF)
        return -1;
    return 0;
}

int sw_cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "suanwang %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nRun 'suanwang %s --help' for the options.\n", cmd);
    return 2;
}

int sw_client_parse_simple(int argc, char **argv, const char *cmd, void (*usage)(FILE *),
                           struct sw_client_opts *co)
{
    static const struct option opts[] = {SW_CLIENT_LONG_OPTIONS, {NULL, 0, NULL, 0}};
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (sw_client_take_option(c, optarg, co))
            continue;
        if (c == 'h') {
            usage(stdout);
            return 0;
        }
        return sw_cli_usage_error(cmd, "unknown or incomplete option \"%s\"", argv[optind - 1]);
    }
    return -1;
}
