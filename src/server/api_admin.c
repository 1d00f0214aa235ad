/* api_admin.c — tenant and token management for admins:
 *   POST /v1/tenants {"name": "lab-a", "kind": "consumer"|"provider"}
 *   GET  /v1/tenants
 *   POST /v1/tokens  {"tenant": "lab-a", "role": "consumer", "site": "…", "label": "…"}
 *        -> {"id": 7, "token": "sw_…"}   (the only time the token is shown)
 *   GET  /v1/tokens  (never the tokens themselves)
 *   DELETE /v1/tokens/{id}
 */
#include "server/controller_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util/parse.h"


/* A name: 1..47 of [A-Za-z0-9._-]. */
static bool valid_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= SW_STORE_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '.' || ch == '_' || ch == '-'))
            return false;
    }
    return true;
}

/* Only the listed keys; a string for each. Returns 0 or -1 (response set). */
static int check_fields(json_t *o, const char *const *allowed, size_t n,
                        struct sw_http_response *res)
{
    if (!json_is_object(o))
        return sw_http_error(res, 400, "invalid", NULL, "the body must be a JSON object");
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v) {
        bool ok = false;
        for (size_t i = 0; i < n; i++)
            ok |= strcmp(key, allowed[i]) == 0;
        if (!ok)
            return sw_http_error(res, 400, "unknown_field", key, "unknown field \"%s\"", key);
        if (!json_is_string(v))
            return sw_http_error(res, 400, "invalid", key, "%s: expected a string", key);
    }
    return 0;
}

static const char *str_field(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

void api_tenants_create(void *ctx, const struct sw_http_request *req, struct sw_http_response *res)
{
    struct sw_controller *c = ctx;
    json_t *b = api_body_json(req, res);
    if (!b)
        return;
    static const char *const keys[] = {"name", "kind"};
    struct sw_store_tenant t = {.kind = SW_ROLE_CONSUMER, .created_ms = ctl_now_ms()};
    const char *name = str_field(b, "name"), *kind = str_field(b, "kind");
    if (check_fields(b, keys, 2, res) < 0)
        goto out;
    if (!valid_name(name)) {
        sw_http_error(res, 400, "invalid", "name",
                      "name: 1 to %d letters, digits, '.', '_' or '-'", SW_STORE_NAME_MAX - 1);
        goto out;
    }
    if (kind[0] && (sw_role_parse(kind, &t.kind) < 0 || t.kind == SW_ROLE_AGENT)) {
        sw_http_error(res, 400, "invalid", "kind", "kind: use consumer, provider or admin");
        goto out;
    }
    snprintf(t.name, sizeof(t.name), "%s", name);
    sw_error_t err;
    pthread_mutex_lock(&c->lock);
    bool taken = ctl_tenant_find(c, name) != NULL;
    pthread_mutex_unlock(&c->lock);
    if (taken || sw_store_put_tenant(c->store, &t, &err) < 0) {
        if (taken || errno == EEXIST)
            sw_http_error(res, 409, "exists", "name", "tenant \"%s\" already exists", name);
        else
            sw_http_error(res, 503, "store_unavailable", NULL, "%s", err.text);
        goto out;
    }
    pthread_mutex_lock(&c->lock);
    struct sw_store_tenant *n = realloc(c->tenants, (c->ntenants + 1) * sizeof(*n));
    if (n) {
        c->tenants = n;
        c->tenants[c->ntenants++] = t;
    }
    pthread_mutex_unlock(&c->lock);
    sw_http_json(res, 201, json_pack("{s:s,s:s}", "name", t.name, "kind", sw_role_name(t.kind)));
out:
    json_decref(b);
}

void api_tenants_list(void *ctx, const struct sw_http_request *req, struct sw_http_response *res)
{
    (void)req;
    struct sw_controller *c = ctx;
    json_t *a = json_array();
    pthread_mutex_lock(&c->lock);
    for (size_t i = 0; i < c->ntenants; i++)
        json_array_append_new(a, json_pack("{s:s,s:s}", "name", c->tenants[i].name, "kind",
                                           sw_role_name(c->tenants[i].kind)));
    pthread_mutex_unlock(&c->lock);
    sw_http_json(res, 200, json_pack("{s:o}", "tenants", a));
}

void api_tokens_create(void *ctx, const struct sw_http_request *req, struct sw_http_response *res)
{
    struct sw_controller *c = ctx;
    json_t *b = api_body_json(req, res);
    if (!b)
        return;
    static const char *const keys[] = {"tenant", "role", "site", "label"};
    const char *tenant = str_field(b, "tenant"), *role_s = str_field(b, "role");
    const char *site = str_field(b, "site"), *label = str_field(b, "label");
    enum sw_role role;
    if (check_fields(b, keys, 4, res) < 0)
        goto out;
    if (sw_role_parse(role_s, &role) < 0) {
        sw_http_error(res, 400, "invalid", "role", "role: use admin, provider, consumer or agent");
        goto out;
    }
    pthread_mutex_lock(&c->lock);
    const struct sw_store_tenant *t = ctl_tenant_find(c, tenant);
    bool site_ok = !site[0] || sw_network_site(&c->net, site) >= 0;
    pthread_mutex_unlock(&c->lock);
    if (!t) {
        sw_http_error(res, 404, "not_found", "tenant",
                      "no tenant \"%s\": create it first with POST /v1/tenants", tenant);
        goto out;
    }
    if (role == SW_ROLE_AGENT && !site[0]) {
        sw_http_error(res, 400, "invalid", "site", "an agent token must name its site");
        goto out;
    }
    if (!site_ok) {
        sw_http_error(res, 404, "not_found", "site", "no site \"%s\" in the network", site);
        goto out;
    }
    if (strlen(label) >= 64) {
        sw_http_error(res, 400, "invalid", "label", "label: at most 63 characters");
        goto out;
    }
    char token[SW_TOKEN_TEXT_MAX];
    uint64_t id;
    sw_error_t err;
    if (ctl_create_token(c, tenant, role, role == SW_ROLE_AGENT ? site : NULL, label, token, &id,
                         &err) < 0) {
        sw_http_error(res, 503, "store_unavailable", NULL, "%s", err.text);
        goto out;
    }
    sw_http_json(res, 201, json_pack("{s:I,s:s,s:s,s:s}", "id", (json_int_t)id, "token", token,
                                     "tenant", tenant, "role", sw_role_name(role)));
out:
    json_decref(b);
}

void api_tokens_list(void *ctx, const struct sw_http_request *req, struct sw_http_response *res)
{
    (void)req;
    struct sw_controller *c = ctx;
    json_t *a = json_array();
    pthread_mutex_lock(&c->lock);
    for (size_t i = 0; i < c->ntokens; i++) {
        const struct sw_store_token *t = &c->tokens[i];
        json_array_append_new(a, json_pack("{s:I,s:s,s:s,s:s,s:s,s:b}", "id", (json_int_t)t->id,
                                           "tenant", t->tenant, "role", sw_role_name(t->role),
                                           "site", t->site, "label", t->label, "revoked",
                                           t->revoked));
    }
    pthread_mutex_unlock(&c->lock);
    sw_http_json(res, 200, json_pack("{s:o}", "tokens", a));
}

void api_tokens_revoke(void *ctx, const struct sw_http_request *req, struct sw_http_response *res)
{
    struct sw_controller *c = ctx;
    int64_t id;
    sw_error_t err;
    if (sw_parse_i64(req->param, 1, INT64_MAX, &id, "token id", &err) < 0) {
        sw_http_error(res, 400, "bad_id", "id", "%s", err.text);
        return;
    }
    if (sw_store_revoke_token(c->store, (uint64_t)id, &err) < 0) {
        if (errno == ENOENT)
            sw_http_error(res, 404, "not_found", "id", "no token %lld", (long long)id);
        else
            sw_http_error(res, 503, "store_unavailable", NULL, "%s", err.text);
        return;
    }
    pthread_mutex_lock(&c->lock);
    for (size_t i = 0; i < c->ntokens; i++)
        if (c->tokens[i].id == (uint64_t)id)
            c->tokens[i].revoked = true;
    pthread_mutex_unlock(&c->lock);
    sw_http_json(res, 200, json_pack("{s:I,s:b}", "id", (json_int_t)id, "revoked", 1));
}
