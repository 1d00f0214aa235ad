/* client.h — the agent's side of docs/agent-protocol.md over HTTP (libcurl)
 * with JSON bodies (jansson).
 *
 * One client per thread (a libcurl easy handle is not shared): the agent's
 * long-poll, heartbeat, event and log threads each own one, and each keeps
 * its connection to the controller alive between requests. Every request
 * carries "Authorization: Bearer TOKEN" and has a timeout; a transfer also
 * ends early once the abort flag given to sw_agent_client_new is set, so a
 * long-poll never holds up shutdown. Answers are capped at 16 MiB.
 */
#ifndef SW_AGENT_CLIENT_H
#define SW_AGENT_CLIENT_H

#include <jansson.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

struct sw_agent_client;

/* The outcome of one request. */
struct sw_agent_reply {
    long status;          /* HTTP status; 0 when the controller was not reached */
    json_t *json;         /* the parsed answer when it is JSON, else NULL; the caller
                           * releases it with sw_agent_reply_clear */
    int64_t log_size;     /* the X-Log-Size header, or -1 */
    char error[512];      /* why the request failed: a transport error, or the
                           * controller's own message */
};

/* Call once, before any thread makes a client (curl_global_init). */
int sw_agent_client_global_init(void);

/* A client for `server` ("http://host:port", a trailing '/' is fine) with
 * `token`. `abort_flag` may be NULL. Both strings are copied. */
struct sw_agent_client *sw_agent_client_new(const char *server, const char *token,
                                            const atomic_bool *abort_flag, sw_error_t *err);

/* Free a client; accepts NULL. */
void sw_agent_client_free(struct sw_agent_client *c);

/* POST `body` (JSON; borrowed) to `path` ("/v1/agent/register"). Returns 0
 * for a 2xx answer, else -1 with `r->status` and `r->error` set. */
int sw_agent_client_post_json(struct sw_agent_client *c, const char *path, json_t *body,
                              long timeout_ms, struct sw_agent_reply *r);

/* GET `path_query` ("/v1/agent/assignments?wait_s=20"). As above. */
int sw_agent_client_get_json(struct sw_agent_client *c, const char *path_query,
                             long timeout_ms, struct sw_agent_reply *r);

/* POST `len` raw bytes (application/octet-stream). As above. */
int sw_agent_client_post_bytes(struct sw_agent_client *c, const char *path_query,
                               const void *data, size_t len, long timeout_ms,
                               struct sw_agent_reply *r);

/* Release what a reply holds (its JSON); the reply may be reused. */
void sw_agent_reply_clear(struct sw_agent_reply *r);

#endif
