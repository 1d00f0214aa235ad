/* client.c — HTTP/JSON requests of the site agent over libcurl (see client.h). */
#include "agent/client.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/strbuf.h"

#define REPLY_MAX ((size_t)16 << 20)
#define CONNECT_TIMEOUT_MS 5000L

struct sw_agent_client {
    CURL *curl;
    char *base;                 /* without a trailing '/' */
    struct curl_slist *hdr_json;
    struct curl_slist *hdr_bytes;
    struct curl_slist *hdr_get;
    const atomic_bool *abort_flag;
};

int sw_agent_client_global_init(void)
{
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

static struct curl_slist *headers(const char *token, const char *ctype)
{
    struct curl_slist *h = NULL, *n;
    struct sw_strbuf sb = {0};
    if (sw_strbuf_printf(&sb, "Authorization: Bearer %s", token) < 0)
        return NULL;
    n = curl_slist_append(h, sb.data);
    sw_strbuf_free(&sb);
    if (!n)
        return NULL;
    h = n;
    if (ctype) {
        if (sw_strbuf_printf(&sb, "Content-Type: %s", ctype) < 0 ||
            !(n = curl_slist_append(h, sb.data))) {
            sw_strbuf_free(&sb);
            curl_slist_free_all(h);
            return NULL;
        }
        sw_strbuf_free(&sb);
        h = n;
    }
    /* no "Expect: 100-continue" round trip for bodies */
    n = curl_slist_append(h, "Expect:");
    if (!n) {
        curl_slist_free_all(h);
        return NULL;
    }
    return n;
}

struct sw_agent_client *sw_agent_client_new(const char *server, const char *token,
                                            const atomic_bool *abort_flag, sw_error_t *err)
{
    if (!server || !*server || !token) {
        errno = EINVAL;
        sw_errprintf(err, "the controller URL and the token are required");
        return NULL;
    }
    if (strncmp(server, "http://", 7) != 0 && strncmp(server, "https://", 8) != 0) {
        errno = EINVAL;
        sw_errprintf(err, "--server %s: expected a URL such as http://controller:8080", server);
        return NULL;
    }
    struct sw_agent_client *c = calloc(1, sizeof(*c));
    if (!c)
        goto out_nomem;
    c->abort_flag = abort_flag;
    c->base = strdup(server);
    if (!c->base)
        goto out_nomem;
    size_t len = strlen(c->base);
    while (len > 0 && c->base[len - 1] == '/')
        c->base[--len] = '\0';
    c->curl = curl_easy_init();
    c->hdr_json = headers(token, "application/json");
    c->hdr_bytes = headers(token, "application/octet-stream");
    c->hdr_get = headers(token, NULL);
    if (!c->curl || !c->hdr_json || !c->hdr_bytes || !c->hdr_get)
        goto out_nomem;
    return c;
out_nomem:
    sw_agent_client_free(c);
    errno = ENOMEM;
    sw_errprintf(err, "out of memory");
    return NULL;
}

void sw_agent_client_free(struct sw_agent_client *c)
{
    if (!c)
        return;
    if (c->curl)
        curl_easy_cleanup(c->curl);
    curl_slist_free_all(c->hdr_json);
    curl_slist_free_all(c->hdr_bytes);
    curl_slist_free_all(c->hdr_get);
    free(c->base);
    free(c);
}

void sw_agent_reply_clear(struct sw_agent_reply *r)
{
    json_decref(r->json);
    r->json = NULL;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
    struct sw_strbuf *sb = arg;
    size_t n = size * nmemb;
    if (sb->len + n > REPLY_MAX || sw_strbuf_append(sb, data, n) < 0)
        return 0; /* makes curl fail the transfer */
    return n;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *arg)
{
    struct sw_agent_reply *r = arg;
    size_t n = size * nmemb;
    static const char name[] = "X-Log-Size:";
    if (n > sizeof(name) - 1 && strncasecmp(data, name, sizeof(name) - 1) == 0) {
        char buf[32];
        size_t len = n - (sizeof(name) - 1);
        if (len >= sizeof(buf))
            len = sizeof(buf) - 1;
        memcpy(buf, data + sizeof(name) - 1, len);
        buf[len] = '\0';
        char *end = NULL;
        long long v = strtoll(buf, &end, 10);
        if (end != buf && v >= 0)
            r->log_size = v;
    }
    return n;
}

static int on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    (void)dt;
    (void)dn;
    (void)ut;
    (void)un;
    const atomic_bool *flag = arg;
    return flag && atomic_load(flag) ? 1 : 0;
}

/* The controller's own message from an error answer, else the body's start. */
static void error_text(struct sw_agent_reply *r, const struct sw_strbuf *body)
{
    const char *msg = r->json ? json_string_value(json_object_get(r->json, "message")) : NULL;
    if (msg)
        snprintf(r->error, sizeof(r->error), "HTTP %ld: %s", r->status, msg);
    else if (body->len > 0)
        snprintf(r->error, sizeof(r->error), "HTTP %ld: %.200s", r->status, body->data);
    else
        snprintf(r->error, sizeof(r->error), "HTTP %ld", r->status);
}

static int perform(struct sw_agent_client *c, const char *method, const char *path,
                   struct curl_slist *hdrs, const void *data, size_t len, long timeout_ms,
                   struct sw_agent_reply *r)
{
    memset(r, 0, sizeof(*r));
    r->log_size = -1;
    struct sw_strbuf url = {0}, body = {0};
    body.max = REPLY_MAX;
    if (sw_strbuf_printf(&url, "%s%s", c->base, path) < 0) {
        snprintf(r->error, sizeof(r->error), "out of memory");
        return -1;
    }
    CURL *h = c->curl;
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, url.data);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     timeout_ms < CONNECT_TIMEOUT_MS ? timeout_ms : CONNECT_TIMEOUT_MS);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, (void *)c->abort_flag);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    if (strcmp(method, "POST") == 0) {
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, data ? data : "");
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    } else {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    }
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    CURLcode rc = curl_easy_perform(h);
    int ret = -1;
    if (rc != CURLE_OK) {
        bool aborted = rc == CURLE_ABORTED_BY_CALLBACK;
        snprintf(r->error, sizeof(r->error), "cannot reach the controller at %s: %s", c->base,
                 aborted ? "shutting down" : errbuf[0] ? errbuf : curl_easy_strerror(rc));
        if (rc == CURLE_WRITE_ERROR)
            snprintf(r->error, sizeof(r->error), "the controller's answer is over %zu bytes",
                     REPLY_MAX);
        goto out;
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
    if (body.len > 0 && body.data[0] == '{') {
        json_error_t jerr;
        r->json = json_loadb(body.data, body.len, 0, &jerr);
    }
    if (r->status >= 200 && r->status < 300) {
        ret = 0;
    } else {
        error_text(r, &body);
    }
out:
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
    sw_strbuf_free(&url);
    sw_strbuf_free(&body);
    return ret;
}

int sw_agent_client_post_json(struct sw_agent_client *c, const char *path, json_t *body,
                              long timeout_ms, struct sw_agent_reply *r)
{
    char *text = json_dumps(body, JSON_COMPACT);
    if (!text) {
        memset(r, 0, sizeof(*r));
        r->log_size = -1;
        snprintf(r->error, sizeof(r->error), "cannot encode the request");
        return -1;
    }
    int rc = perform(c, "POST", path, c->hdr_json, text, strlen(text), timeout_ms, r);
    free(text);
    return rc;
}

int sw_agent_client_get_json(struct sw_agent_client *c, const char *path_query,
                             long timeout_ms, struct sw_agent_reply *r)
{
    return perform(c, "GET", path_query, c->hdr_get, NULL, 0, timeout_ms, r);
}

int sw_agent_client_post_bytes(struct sw_agent_client *c, const char *path_query,
                               const void *data, size_t len, long timeout_ms,
                               struct sw_agent_reply *r)
{
    return perform(c, "POST", path_query, c->hdr_bytes, data, len, timeout_ms, r);
}
