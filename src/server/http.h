/* http.h — the controller's HTTP layer over libmicrohttpd: a route table
 * ({method, pattern, handler, roles}), bearer-token authentication, request
 * bodies with a hard size cap, JSON responses and errors, and per-request
 * timing for /metrics.
 *
 * Each connection has its own thread (handlers may block on a durable
 * commit; many at once is what lets commits be shared). Handlers follow one
 * order: unpack -> validate -> authorize -> act -> respond, and report
 * failures with sw_http_error() as {"error": code, "message": ..., "field": ...}.
 */
#ifndef SW_SERVER_HTTP_H
#define SW_SERVER_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "server/auth.h"
#include "util/error.h"

#define SW_HTTP_BODY_MAX (4u << 20) /* request bodies: 4 MiB */

struct MHD_Connection;

struct sw_http_request {
    const char *method;
    const char *path;
    const char *param;             /* the {id} of a pattern, or NULL */
    const char *param2;            /* a second {…}, or NULL */
    const char *body;              /* NUL-terminated, may be "" */
    size_t body_len;
    const struct sw_principal *who; /* NULL on routes without auth */
    struct MHD_Connection *conn;
};

struct sw_http_response {
    int status;
    json_t *json;                  /* owned; sent as application/json */
    char *text;                    /* owned; sent as is (with content_type) */
    size_t text_len;
    const char *content_type;      /* static */
    struct {
        const char *name;          /* static */
        char value[128];
    } headers[4];                  /* extra headers */
    size_t nheaders;
};

/* Add an extra response header (up to 4; more are dropped). */
void sw_http_header_add(struct sw_http_response *res, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Look up a query parameter ("?state=pending"), or NULL. */
const char *sw_http_query(const struct sw_http_request *req, const char *key);

/* Look up a request header, or NULL. */
const char *sw_http_header(const struct sw_http_request *req, const char *name);

/* Set a JSON error response. `field` may be NULL. Returns -1. */
int sw_http_error(struct sw_http_response *res, int status, const char *code,
                  const char *field, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Set a JSON response (takes the reference). */
void sw_http_json(struct sw_http_response *res, int status, json_t *json);

typedef void (*sw_route_f)(void *ctx, const struct sw_http_request *req,
                           struct sw_http_response *res);

struct sw_route {
    const char *method;            /* "GET", "POST", "DELETE" */
    const char *pattern;           /* "/v1/jobs/{id}" */
    sw_route_f handler;
    unsigned roles;                /* SW_ROLE_BIT()s allowed; 0 = no authentication */
};

/* Resolve a bearer token to a principal. Returns 0, or -1 if unknown/revoked. */
typedef int (*sw_auth_f)(void *ctx, const char *token, struct sw_principal *out);

/* Called after each request: route pattern (or "unmatched"), method,
 * status, seconds. */
typedef void (*sw_observe_f)(void *ctx, const char *route, const char *method, int status,
                             double seconds);

struct sw_http_config {
    const char *listen;            /* "127.0.0.1:8080" (port 0: pick one) */
    const struct sw_route *routes;
    size_t nroutes;
    sw_auth_f auth;
    sw_observe_f observe;          /* may be NULL */
    void *ctx;
    unsigned max_connections;      /* default 1024 */
};

struct sw_http;

/* Start serving. Returns NULL with a message (bad address, port in use). */
struct sw_http *sw_http_start(const struct sw_http_config *cfg, sw_error_t *err);

/* The port actually bound (useful with port 0). */
uint16_t sw_http_port(const struct sw_http *h);

/* Stop accepting, finish requests in flight, free. Accepts NULL. */
void sw_http_stop(struct sw_http *h);

#endif
