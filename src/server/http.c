/* http.c — libmicrohttpd glue: per-request context, body accumulation with
 * a cap, route matching, authentication, JSON responses (see http.h).
 */
#include "server/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/parse.h"

struct sw_http {
    struct sw_http_config cfg;
    struct MHD_Daemon *daemon;
    uint16_t port;
};

/* One request in flight. */
struct request_ctx {
    char *body;
    size_t len, cap;
    bool too_big;
    struct timespec start;
};

/* ---- responses ---------------------------------------------------------- */

void sw_http_json(struct sw_http_response *res, int status, json_t *json)
{
    json_decref(res->json);
    res->status = status;
    res->json = json;
}

int sw_http_error(struct sw_http_response *res, int status, const char *code, const char *field,
                  const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    json_t *o = json_pack("{s:s,s:s}", "error", code, "message", msg);
    if (o && field)
        json_object_set_new(o, "field", json_string(field));
    sw_http_json(res, status, o);
    return -1;
}

void sw_http_header_add(struct sw_http_response *res, const char *name, const char *fmt, ...)
{
    if (res->nheaders >= sizeof(res->headers) / sizeof(res->headers[0]))
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(res->headers[res->nheaders].value, sizeof(res->headers[0].value), fmt, ap);
    va_end(ap);
    res->headers[res->nheaders++].name = name;
}

const char *sw_http_query(const struct sw_http_request *req, const char *key)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, key);
}

const char *sw_http_header(const struct sw_http_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

static enum MHD_Result send_response(struct MHD_Connection *conn, struct sw_http_response *res)
{
    char *text = res->text;
    size_t len = res->text_len;
    const char *ctype = res->content_type ? res->content_type : "text/plain; charset=utf-8";
    if (res->json) {
        text = json_dumps(res->json, JSON_COMPACT);
        len = text ? strlen(text) : 0;
        ctype = "application/json";
        if (text && len + 1 < SIZE_MAX) { /* a trailing newline for curl users */
            char *t = realloc(text, len + 2);
            if (t) {
                text = t;
                text[len++] = '\n';
                text[len] = '\0';
            }
        }
    }
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, text ? text : (char *)"", MHD_RESPMEM_MUST_COPY);
    if (res->json)
        free(text);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", ctype);
    for (size_t i = 0; i < res->nheaders; i++)
        MHD_add_response_header(r, res->headers[i].name, res->headers[i].value);
    if (res->status == 401)
        MHD_add_response_header(r, "WWW-Authenticate", "Bearer");
    enum MHD_Result ok = MHD_queue_response(conn, (unsigned)res->status, r);
    MHD_destroy_response(r);
    return ok;
}

/* ---- routing ------------------------------------------------------------ */

/* Match `path` against `pattern`; "{x}" segments capture into params. */
static bool match(const char *pattern, const char *path, char params[2][128])
{
    int np = 0;
    while (*pattern && *path) {
        if (*pattern == '{') {
            const char *pend = strchr(pattern, '}');
            size_t n = strcspn(path, "/");
            if (!pend || n == 0 || n >= 128 || np >= 2)
                return false;
            memcpy(params[np], path, n);
            params[np][n] = '\0';
            np++;
            pattern = pend + 1;
            path += n;
            continue;
        }
        if (*pattern != *path)
            return false;
        pattern++;
        path++;
    }
    return *pattern == '\0' && (*path == '\0' || (path[0] == '/' && path[1] == '\0'));
}

static const struct sw_route *find_route(const struct sw_http *h, const char *method,
                                         const char *path, char params[2][128],
                                         bool *path_known)
{
    *path_known = false;
    for (size_t i = 0; i < h->cfg.nroutes; i++) {
        const struct sw_route *r = &h->cfg.routes[i];
        char p[2][128] = {{0}};
        if (!match(r->pattern, path, p))
            continue;
        *path_known = true;
        if (strcmp(r->method, method) == 0) {
            memcpy(params, p, sizeof(p));
            return r;
        }
    }
    return NULL;
}

/* Authenticate and authorize; fills *who. Returns 0 or -1 (response set). */
static int authorize(const struct sw_http *h, const struct sw_route *r,
                     struct MHD_Connection *conn, struct sw_principal *who,
                     struct sw_http_response *res)
{
    const char *auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
    if (!auth || strncmp(auth, "Bearer ", 7) != 0 || !auth[7])
        return sw_http_error(res, 401, "unauthenticated", NULL,
                             "missing token: send the header \"Authorization: Bearer TOKEN\"");
    if (strlen(auth + 7) >= SW_TOKEN_TEXT_MAX || h->cfg.auth(h->cfg.ctx, auth + 7, who) < 0)
        return sw_http_error(res, 401, "unauthenticated", NULL,
                             "unknown or revoked token");
    if (!(r->roles & SW_ROLE_BIT(who->role)))
        return sw_http_error(res, 403, "forbidden", NULL, "a %s token may not %s %s",
                             sw_role_name(who->role), r->method, r->pattern);
    return 0;
}

static void dispatch(struct sw_http *h, struct MHD_Connection *conn, const char *method,
                     const char *url, struct request_ctx *rc, struct sw_http_response *res,
                     const char **route_name)
{
    char params[2][128] = {{0}};
    bool path_known;
    const struct sw_route *r = find_route(h, method, url, params, &path_known);
    *route_name = r ? r->pattern : "unmatched";
    if (!r) {
        if (path_known)
            sw_http_error(res, 405, "method_not_allowed", NULL, "%s is not allowed on %s",
                          method, url);
        else
            sw_http_error(res, 404, "not_found", NULL, "no such endpoint: %s", url);
        return;
    }
    if (rc->too_big) {
        sw_http_error(res, 413, "body_too_large", NULL,
                      "request body larger than %u bytes", SW_HTTP_BODY_MAX);
        return;
    }
    struct sw_principal who;
    if (r->roles && authorize(h, r, conn, &who, res) < 0)
        return;
    struct sw_http_request req = {
        .method = method,
        .path = url,
        .param = params[0][0] ? params[0] : NULL,
        .param2 = params[1][0] ? params[1] : NULL,
        .body = rc->body ? rc->body : "",
        .body_len = rc->len,
        .who = r->roles ? &who : NULL,
        .conn = conn,
    };
    r->handler(h->cfg.ctx, &req, res);
    if (!res->status)
        sw_http_error(res, 500, "internal", NULL, "the handler gave no response");
}

/* ---- libmicrohttpd callbacks ------------------------------------------- */

static int append_body(struct request_ctx *rc, const char *data, size_t n)
{
    if (rc->too_big || rc->len + n > SW_HTTP_BODY_MAX) {
        rc->too_big = true; /* keep reading, answer 413 at the end */
        return 0;
    }
    if (rc->len + n + 1 > rc->cap) {
        size_t cap = rc->cap ? rc->cap : 4096;
        while (cap < rc->len + n + 1)
            cap *= 2;
        char *b = realloc(rc->body, cap);
        if (!b)
            return -1;
        rc->body = b;
        rc->cap = cap;
    }
    memcpy(rc->body + rc->len, data, n);
    rc->len += n;
    rc->body[rc->len] = '\0';
    return 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)version;
    struct sw_http *h = cls;
    struct request_ctx *rc = *con_cls;
    if (!rc) {
        rc = calloc(1, sizeof(*rc));
        if (!rc)
            return MHD_NO;
        clock_gettime(CLOCK_MONOTONIC, &rc->start);
        *con_cls = rc;
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (append_body(rc, upload_data, *upload_data_size) < 0)
            return MHD_NO;
        *upload_data_size = 0;
        return MHD_YES;
    }
    struct sw_http_response res = {0};
    const char *route = "unmatched";
    dispatch(h, conn, method, url, rc, &res, &route);
    enum MHD_Result ok = send_response(conn, &res);
    if (h->cfg.observe) {
        struct timespec end;
        clock_gettime(CLOCK_MONOTONIC, &end);
        double secs = (double)(end.tv_sec - rc->start.tv_sec) +
                      (double)(end.tv_nsec - rc->start.tv_nsec) / 1e9;
        h->cfg.observe(h->cfg.ctx, route, method, res.status, secs);
    }
    json_decref(res.json);
    free(res.text);
    return ok;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    struct request_ctx *rc = *con_cls;
    if (rc) {
        free(rc->body);
        free(rc);
        *con_cls = NULL;
    }
}

/* ---- start / stop ------------------------------------------------------- */

static int parse_listen(const char *listen, struct sockaddr_in *sa, sw_error_t *err)
{
    char host[64];
    const char *colon = strrchr(listen, ':');
    if (!colon || (size_t)(colon - listen) >= sizeof(host))
        return sw_errprintf(err, "--listen \"%s\": expected HOST:PORT, e.g. 127.0.0.1:8080",
                            listen);
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    int64_t port;
    if (sw_parse_i64(colon + 1, 0, 65535, &port, "--listen port", err) < 0)
        return -1;
    memset(sa, 0, sizeof(*sa));
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
        return sw_errprintf(err, "--listen \"%s\": \"%s\" is not an IPv4 address", listen, host);
    return 0;
}

struct sw_http *sw_http_start(const struct sw_http_config *cfg, sw_error_t *err)
{
    struct sockaddr_in sa;
    if (parse_listen(cfg->listen, &sa, err) < 0)
        return NULL;
    struct sw_http *h = calloc(1, sizeof(*h));
    if (!h) {
        sw_errprintf(err, "out of memory");
        return NULL;
    }
    h->cfg = *cfg;
    unsigned maxc = cfg->max_connections ? cfg->max_connections : 1024;
    h->daemon = MHD_start_daemon(
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL, 0, NULL,
        NULL, on_request, h, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, h, MHD_OPTION_CONNECTION_LIMIT, maxc,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120, MHD_OPTION_LISTEN_BACKLOG_SIZE,
        (unsigned)1024, MHD_OPTION_END);
    if (!h->daemon) {
        sw_errprintf(err, "cannot listen on %s: the address is in use or not available",
                     cfg->listen);
        free(h);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
    h->port = info ? info->port : ntohs(sa.sin_port);
    return h;
}

uint16_t sw_http_port(const struct sw_http *h)
{
    return h->port;
}

void sw_http_stop(struct sw_http *h)
{
    if (!h)
        return;
    MHD_stop_daemon(h->daemon);
    free(h);
}
