/* api.c — the HTTP/JSON API of the controller (docs/openapi.yaml): the route
 * table and the job, network and health handlers. Tenant and token
 * management is in api_admin.c. Every handler goes unpack -> validate ->
 * authorize -> act -> respond.
 */
#include "server/controller_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/job_json.h"
#include "util/parse.h"
#include "util/strbuf.h"

#define API_BATCH_MAX 10000 /* jobs in one POST */


/* ---- helpers ------------------------------------------------------------------- */

/* The field path at the start of a validation message ("tasks: must be …"). */
static void field_of(const char *msg, char *field, size_t n)
{
    const char *colon = strstr(msg, ": ");
    size_t len = colon ? (size_t)(colon - msg) : 0;
    if (!colon || len >= n || memchr(msg, ' ', len)) {
        field[0] = '\0';
        return;
    }
    memcpy(field, msg, len);
    field[len] = '\0';
}

/* Parse a JSON body; on error sets a 400 response. */
json_t *api_body_json(const struct sw_http_request *req, struct sw_http_response *res)
{
    json_error_t jerr;
    json_t *v = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr);
    if (!v)
        sw_http_error(res, 400, "malformed_json", NULL,
                      "the body is not valid JSON (line %d, column %d): %s", jerr.line,
                      jerr.column, jerr.text);
    return v;
}

static int parse_job_id(const struct sw_http_request *req, struct sw_http_response *res,
                        uint64_t *id)
{
    int64_t v;
    sw_error_t err;
    if (sw_parse_i64(req->param, 1, INT64_MAX, &v, "job id", &err) < 0)
        return sw_http_error(res, 400, "bad_id", "id", "%s", err.text);
    *id = (uint64_t)v;
    return 0;
}

/* Find a job the caller may see: admins see all; others their tenant's. */
static struct ctl_job *visible_job(struct sw_controller *c, const struct sw_principal *who,
                                   uint64_t id)
{
    struct ctl_job *j = ctl_job_find(c, id);
    if (!j)
        return NULL;
    if (who->role != SW_ROLE_ADMIN && strcmp(j->tenant, who->tenant) != 0)
        return NULL; /* someone else's job is not found, not forbidden: ids leak nothing */
    return j;
}

/* ---- POST /v1/jobs ----------------------------------------------------------- */

struct submit {
    size_t n;
    struct sw_jobspec *specs;
    char **json;                 /* normalized spec text, per job */
    struct sw_store_job *rows;
    bool *existed;
    char (*keys)[SW_STORE_KEY_MAX];
    bool header_key;             /* the keys come from the Idempotency-Key header */
    struct ctl_job **made;       /* built from the stored rows; NULL once the controller
                                    holds them */
};

static void submit_free(struct submit *s)
{
    for (size_t i = 0; i < s->n; i++) {
        sw_jobspec_free(&s->specs[i]);
        free(s->json ? s->json[i] : NULL);
    }
    free(s->specs);
    free(s->json);
    free(s->rows);
    free(s->existed);
    free(s->keys);
    for (size_t i = 0; s->made && i < s->n; i++)
        ctl_job_free(s->made[i]);
    free(s->made);
}

/* The jobs of a body: one object, an array, or {"jobs": [...]}. */
static json_t *submitted_list(json_t *body, bool *batch)
{
    *batch = true;
    if (json_is_array(body))
        return json_incref(body);
    json_t *jobs = json_object_get(body, "jobs");
    if (json_is_object(body) && json_is_array(jobs))
        return json_object_size(body) == 1 ? json_incref(jobs) : NULL; /* NULL: bad batch */
    *batch = false;
    json_t *a = json_array();
    json_array_append(a, body);
    return a;
}

/* Validate every job; fill s. Returns 0 or -1 (response set). */
static int submit_validate(const struct sw_http_request *req, json_t *list, bool batch,
                           struct submit *s, struct sw_http_response *res)
{
    size_t n = json_array_size(list);
    if (n == 0 || n > API_BATCH_MAX)
        return sw_http_error(res, 400, "bad_batch", "jobs",
                             "a batch holds 1 to %d jobs, got %zu", API_BATCH_MAX, n);
    s->specs = calloc(n, sizeof(*s->specs));
    s->json = calloc(n, sizeof(*s->json));
    s->rows = calloc(n, sizeof(*s->rows));
    s->existed = calloc(n, sizeof(*s->existed));
    s->keys = calloc(n, sizeof(*s->keys));
    s->made = calloc(n, sizeof(*s->made));
    if (!s->specs || !s->json || !s->rows || !s->existed || !s->keys || !s->made)
        return sw_http_error(res, 503, "out_of_memory", NULL, "out of memory");
    const struct sw_principal *who = req->who;
    for (size_t i = 0; i < n; i++) {
        sw_error_t err;
        if (sw_jobspec_from_json(json_array_get(list, i), &s->specs[i], &err) < 0) {
            char field[128], path[160];
            field_of(err.text, field, sizeof(field));
            if (batch)
                snprintf(path, sizeof(path), "jobs[%zu]%s%s", i, field[0] ? "." : "", field);
            else
                snprintf(path, sizeof(path), "%s", field);
            return sw_http_error(res, 400, "invalid_job", path[0] ? path : NULL, "%s%s",
                                 batch ? "" : "", err.text);
        }
        s->n = i + 1;
        struct sw_jobspec *js = &s->specs[i];
        if (js->tenant[0] && strcmp(js->tenant, who->tenant) != 0 && who->role != SW_ROLE_ADMIN)
            return sw_http_error(res, 403, "forbidden", "tenant",
                                 "a %s token may only submit for its own tenant \"%s\"",
                                 sw_role_name(who->role), who->tenant);
        if (!js->tenant[0])
            snprintf(js->tenant, sizeof(js->tenant), "%s", who->tenant);
        js->id = 0; /* the controller assigns ids */
    }
    const char *key = sw_http_header(req, "Idempotency-Key");
    if (key && (strlen(key) == 0 || strlen(key) + 8 >= SW_STORE_KEY_MAX))
        return sw_http_error(res, 400, "bad_idempotency_key", "Idempotency-Key",
                             "the Idempotency-Key header must be 1 to %d characters",
                             SW_STORE_KEY_MAX - 9);
    s->header_key = key != NULL;
    for (size_t i = 0; i < n; i++) {
        const char *k = key ? key : s->specs[i].idempotency_key;
        if (key && batch)
            snprintf(s->keys[i], sizeof(s->keys[i]), "%s#%zu", key, i);
        else
            snprintf(s->keys[i], sizeof(s->keys[i]), "%s", k);
    }
    return 0;
}

/* Admission of every job against the network. */
static int submit_admit(struct sw_controller *c, struct submit *s, bool batch,
                        struct sw_http_response *res)
{
    sw_error_t err;
    ctl_lock_api(c);
    for (size_t i = 0; i < s->n; i++) {
        if (ctl_admit(c, &s->specs[i], &err) < 0) {
            pthread_mutex_unlock(&c->lock);
            char field[128] = "", path[160] = "";
            field_of(err.text, field, sizeof(field));
            if (batch)
                snprintf(path, sizeof(path), "jobs[%zu]%s%s", i, field[0] ? "." : "", field);
            else
                snprintf(path, sizeof(path), "%s", field);
            return sw_http_error(res, 422, "unsatisfiable", path[0] ? path : NULL, "%s",
                                 err.text);
        }
    }
    pthread_mutex_unlock(&c->lock);
    return 0;
}

/* Store durably (group commit), then add to memory. */
static int submit_store(struct sw_controller *c, struct submit *s, struct sw_http_response *res)
{
    int64_t now = ctl_now_ms();
    for (size_t i = 0; i < s->n; i++) {
        json_t *o = sw_jobspec_to_json(&s->specs[i]);
        s->json[i] = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
        json_decref(o);
        if (!s->json[i])
            return sw_http_error(res, 503, "out_of_memory", NULL, "out of memory");
        if (strlen(s->json[i]) > SW_JOB_JSON_MAX)
            return sw_http_error(res, 413, "job_too_large", NULL,
                                 "job %zu is larger than %u bytes once normalized", i,
                                 (unsigned)SW_JOB_JSON_MAX);
        s->rows[i] = (struct sw_store_job){.submit_ms = now, .spec_json = s->json[i]};
        snprintf(s->rows[i].tenant, sizeof(s->rows[i].tenant), "%s", s->specs[i].tenant);
        snprintf(s->rows[i].idempotency_key, sizeof(s->rows[i].idempotency_key), "%s",
                 s->keys[i]);
    }
    sw_error_t err;
    if (sw_store_create_jobs(c->store, s->rows, s->n, s->existed, &err) < 0) {
        if (errno == EEXIST) /* a key reused for another body: nothing was stored */
            return sw_http_error(res, 422, "idempotency_key_reused",
                                 s->header_key ? "Idempotency-Key" : "idempotency_key", "%s",
                                 err.text);
        return sw_http_error(res, 503, "store_unavailable", NULL, "%s", err.text);
    }
    /* built before taking the lock: an array's units are many allocations */
    for (size_t i = 0; i < s->n; i++) {
        if (s->existed[i])
            continue;
        s->made[i] = ctl_job_new(&s->rows[i], &s->specs[i], &err);
        if (!s->made[i]) /* durable already: the next start will load it */
            fprintf(stderr, "suanwang server: job %llu stored but not scheduled: %s\n",
                    (unsigned long long)s->rows[i].id, err.text);
    }
    ctl_lock_api(c);
    for (size_t i = 0; i < s->n; i++) {
        struct ctl_job *j = s->made[i];
        if (!j || ctl_job_find(c, j->id))
            continue; /* the same key twice in the batch: one job */
        if (ctl_job_insert(c, j) < 0) {
            fprintf(stderr, "suanwang server: job %llu stored but not scheduled: out of memory\n",
                    (unsigned long long)j->id);
            continue; /* freed with the request; the next start loads it */
        }
        s->made[i] = NULL; /* the controller's now */
        if (ctl_queue_placement(c, j) < 0)
            fprintf(stderr, "suanwang server: job %llu stored but not queued for placement: out "
                            "of memory\n", (unsigned long long)j->id);
    }
    pthread_mutex_unlock(&c->lock);
    return 0;
}

static void api_jobs_submit(void *ctx, const struct sw_http_request *req,
                            struct sw_http_response *res)
{
    struct sw_controller *c = ctx;
    json_t *body = api_body_json(req, res);
    if (!body)
        return;
    bool batch;
    json_t *list = submitted_list(body, &batch);
    json_decref(body);
    if (!list) {
        sw_http_error(res, 400, "bad_batch", "jobs",
                      "a batch is {\"jobs\": [...]} with no other key, or a JSON array");
        return;
    }
    struct submit s = {0};
    if (submit_validate(req, list, batch, &s, res) == 0 && submit_admit(c, &s, batch, res) == 0 &&
        submit_store(c, &s, res) == 0) {
        bool replay = true;
        size_t created = 0;
        for (size_t i = 0; i < s.n; i++) {
            replay &= s.existed[i];
            bool repeat = false; /* the same key twice in one batch is one job */
            for (size_t k = 0; k < i && !repeat; k++)
                repeat = s.rows[k].id == s.rows[i].id;
            created += !s.existed[i] && !repeat;
        }
        sw_prom_add(c->m.submitted, NULL, (double)created);
        if (batch) {
            json_t *ids = json_array();
            for (size_t i = 0; i < s.n; i++)
                json_array_append_new(ids, json_integer((json_int_t)s.rows[i].id));
            sw_http_json(res, replay ? 200 : 201, json_pack("{s:o}", "ids", ids));
        } else {
            sw_http_json(res, replay ? 200 : 201,
                         json_pack("{s:I}", "id", (json_int_t)s.rows[0].id));
        }
        if (replay)
            sw_http_header_add(res, "Idempotent-Replayed", "true");
    }
    json_decref(list);
    submit_free(&s);
}

/* ---- GET /v1/jobs, GET/DELETE /v1/jobs/{id} ----------------------------------- */

static void api_jobs_list(void *ctx, const struct sw_http_request *req,
                          struct sw_http_response *res)
{
    struct sw_controller *c = ctx;
    const char *state = sw_http_query(req, "state");
    const char *tenant = sw_http_query(req, "tenant");
    const char *limit_s = sw_http_query(req, "limit");
    const char *after_s = sw_http_query(req, "after");
    int64_t limit = 100, after = 0;
    sw_error_t err;
    enum sw_state want = SW_ST_N;
    if (state && sw_state_parse(state, &want) < 0) {
        sw_http_error(res, 400, "bad_query", "state",
                      "unknown state \"%s\": use pending, scheduled, dispatched, running, "
                      "completed, failed, cancelled, preempted or lost", state);
        return;
    }
    if ((limit_s && sw_parse_i64(limit_s, 1, 1000, &limit, "limit", &err) < 0) ||
        (after_s && sw_parse_i64(after_s, 0, INT64_MAX, &after, "after", &err) < 0)) {
        sw_http_error(res, 400, "bad_query", limit_s && strstr(err.text, "limit") ? "limit"
                                                                                   : "after",
                      "%s", err.text);
        return;
    }
    if (tenant && req->who->role != SW_ROLE_ADMIN && strcmp(tenant, req->who->tenant) != 0) {
        sw_http_error(res, 403, "forbidden", "tenant", "only admins may list other tenants' jobs");
        return;
    }
    json_t *jobs = json_array();
    uint64_t last = 0;
    bool more = false;
    pthread_mutex_lock(&c->lock);
    for (size_t k = 0; k < c->njobs; k++) {
        const struct ctl_job *j = c->jobs[k];
        if (j->id <= (uint64_t)after)
            continue;
        if (req->who->role != SW_ROLE_ADMIN && strcmp(j->tenant, req->who->tenant) != 0)
            continue;
        if ((tenant && strcmp(j->tenant, tenant) != 0) ||
            (want != SW_ST_N && ctl_job_state(j) != want))
            continue;
        if ((int64_t)json_array_size(jobs) == limit) {
            more = true;
            break;
        }
        json_array_append_new(jobs, ctl_job_summary_json(c, j));
        last = j->id;
    }
    pthread_mutex_unlock(&c->lock);
    json_t *o = json_pack("{s:o}", "jobs", jobs);
    if (more)
        json_object_set_new(o, "next", json_integer((json_int_t)last));
    sw_http_json(res, 200, o);
}

static void api_jobs_get(void *ctx, const struct sw_http_request *req,
                         struct sw_http_response *res)
{
    struct sw_controller *c = ctx;
    uint64_t id = 0;
    if (parse_job_id(req, res, &id) < 0)
        return;
    pthread_mutex_lock(&c->lock);
    struct ctl_job *j = visible_job(c, req->who, id);
    json_t *o = j ? ctl_job_detail_json(c, j) : NULL;
    pthread_mutex_unlock(&c->lock);
    if (!j)
        sw_http_error(res, 404, "not_found", "id", "no job %llu", (unsigned long long)id);
    else
        sw_http_json(res, 200, o);
}

static void api_jobs_cancel(void *ctx, const struct sw_http_request *req,
                            struct sw_http_response *res)
{
    struct sw_controller *c = ctx;
    uint64_t id = 0;
    if (parse_job_id(req, res, &id) < 0)
        return;
    struct ctl_pending_events pe = {0};
    pthread_mutex_lock(&c->lock);
    struct ctl_job *j = visible_job(c, req->who, id);
    if (j)
        ctl_cancel_job(c, j, ctl_now_ms(), &pe);
    enum sw_state st = j ? ctl_job_state(j) : SW_ST_N;
    pthread_mutex_unlock(&c->lock);
    if (!j) {
        sw_http_error(res, 404, "not_found", "id", "no job %llu", (unsigned long long)id);
        return;
    }
    sw_error_t err;
    if (ctl_flush_events(c, &pe, &err) < 0) {
        sw_http_error(res, 503, "store_unavailable", NULL, "%s", err.text);
        return;
    }
    sw_http_json(res, 200, json_pack("{s:I,s:s}", "id", (json_int_t)id, "state",
                                     sw_state_name(st)));
}

/* ---- GET /v1/sites, /v1/network --------------------------------------------- */

static json_t *class_json(struct sw_controller *c, size_t pool)
{
    int site, nc;
    sw_placer_pool(c->placer, pool, &site, &nc);
    const struct sw_node_class *cl = &c->net.sites[site].classes[nc];
    struct sw_res cap = sw_placer_pool_capacity(c->placer, pool);
    struct sw_res used = sw_sched_used(c->pools[pool]);
    double tf = cl->accel >= 0 ? c->net.catalog.models[cl->accel].fp16_tflops : 0;
    json_t *o = json_pack(
        "{s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:f,s:f,s:I,s:I}", "name", cl->name, "nodes",
        (json_int_t)cl->count, "cores", (json_int_t)cap.v[SW_RES_CORES], "cores_in_use",
        (json_int_t)used.v[SW_RES_CORES], "mem_mib", (json_int_t)cap.v[SW_RES_MEM_MIB],
        "mem_mib_in_use", (json_int_t)used.v[SW_RES_MEM_MIB], "accelerators",
        (json_int_t)(cap.v[SW_RES_ACCEL] / SW_MILLI), "queued",
        (json_int_t)sw_sched_pending_count(c->pools[pool]), "pflops",
        (double)cap.v[SW_RES_ACCEL] / SW_MILLI * tf / 1000.0, "pflops_in_use",
        (double)used.v[SW_RES_ACCEL] / SW_MILLI * tf / 1000.0, "price_accel_hour_fen",
        (json_int_t)cl->price_accel_hour_fen, "price_core_hour_fen",
        (json_int_t)cl->price_core_hour_fen);
    const struct sw_class_fit *fit = &c->sites[site].holds[nc].fit;
    if (o) /* what the site's own scheduler says it has, where it is authoritative */
        json_object_set_new(o, "schedulable_nodes", json_integer((json_int_t)fit->schedulable));
    if (o && fit->reported >= 0)
        json_object_set_new(o, "reported_nodes", json_integer((json_int_t)fit->reported));
    if (o && cl->accel >= 0) {
        json_object_set_new(o, "accelerator", json_string(c->net.catalog.models[cl->accel].name));
        json_object_set_new(o, "accelerators_in_use",
                            json_real((double)used.v[SW_RES_ACCEL] / SW_MILLI));
    }
    return o;
}

static json_t *sites_json(struct sw_controller *c)
{
    json_t *sites = json_array();
    size_t pool = 0;
    for (size_t s = 0; s < c->net.nsites; s++) {
        const struct sw_site *site = &c->net.sites[s];
        json_t *classes = json_array();
        for (size_t k = 0; k < site->nclasses; k++, pool++)
            json_array_append_new(classes, class_json(c, pool));
        const struct ctl_site *st = &c->sites[s];
        json_t *agent = json_pack("{s:b,s:s,s:s}", "up", st->up, "hostname", st->hostname,
                                  "backend", st->backend);
        if (agent && st->last_seen_ms)
            json_object_set_new(agent, "seconds_since_heartbeat",
                                json_real((double)(ctl_now_ms() - st->last_seen_ms) / 1000.0));
        if (agent && st->capacity)
            json_object_set(agent, "reported_capacity", st->capacity);
        json_array_append_new(
            sites, json_pack("{s:s,s:s,s:s,s:s,s:s,s:f,s:f,s:o,s:o}", "name", site->name,
                             "region", c->net.regions[site->region], "provider", site->provider,
                             "kind", sw_site_kind_name(site->kind), "backend",
                             sw_backend_name(site->backend), "pue", site->pue, "pflops",
                             sw_site_pflops(&c->net, site), "node_classes", classes, "agent",
                             agent ? agent : json_null()));
    }
    return sites;
}

static void api_sites(void *ctx, const struct sw_http_request *req, struct sw_http_response *res)
{
    (void)req;
    struct sw_controller *c = ctx;
    pthread_mutex_lock(&c->lock);
    json_t *sites = sites_json(c);
    pthread_mutex_unlock(&c->lock);
    sw_http_json(res, 200, json_pack("{s:o}", "sites", sites));
}

static void api_network(void *ctx, const struct sw_http_request *req,
                        struct sw_http_response *res)
{
    (void)req;
    struct sw_controller *c = ctx;
    pthread_mutex_lock(&c->lock);
    json_t *regions = json_array(), *latency = json_array(), *bandwidth = json_array();
    for (size_t a = 0; a < c->net.nregions; a++) {
        json_array_append_new(regions, json_string(c->net.regions[a]));
        json_t *lr = json_array(), *br = json_array();
        for (size_t b = 0; b < c->net.nregions; b++) {
            json_array_append_new(lr, json_real(sw_network_latency(&c->net, (int)a, (int)b)));
            json_array_append_new(br, json_real(sw_network_bandwidth(&c->net, (int)a, (int)b)));
        }
        json_array_append_new(latency, lr);
        json_array_append_new(bandwidth, br);
    }
    double in_use = 0;
    for (size_t p = 0; p < c->npools; p++) {
        int site, nc;
        sw_placer_pool(c->placer, p, &site, &nc);
        int m = c->net.sites[site].classes[nc].accel;
        if (m >= 0)
            in_use += (double)sw_sched_used(c->pools[p]).v[SW_RES_ACCEL] / SW_MILLI *
                      c->net.catalog.models[m].fp16_tflops / 1000.0;
    }
    json_t *o = json_pack("{s:o,s:o,s:o,s:f,s:f,s:o}", "regions", regions, "latency_ms", latency,
                          "bandwidth_gbps", bandwidth, "pflops", sw_network_pflops(&c->net),
                          "pflops_in_use", in_use, "sites", sites_json(c));
    pthread_mutex_unlock(&c->lock);
    sw_http_json(res, 200, o);
}

/* ---- /healthz, /metrics ------------------------------------------------------- */

static void api_healthz(void *ctx, const struct sw_http_request *req,
                        struct sw_http_response *res)
{
    (void)ctx;
    (void)req;
    sw_http_json(res, 200, json_pack("{s:s}", "status", "ok"));
}

static void api_metrics(void *ctx, const struct sw_http_request *req,
                        struct sw_http_response *res)
{
    (void)req;
    struct sw_controller *c = ctx;
    struct sw_strbuf sb = {0};
    if (sw_prom_render(c->prom, &sb) < 0) {
        sw_strbuf_free(&sb);
        sw_http_error(res, 500, "metrics", NULL, "cannot render metrics: %s", strerror(errno));
        return;
    }
    res->status = 200;
    res->text = sb.data;
    res->text_len = sb.len;
    res->content_type = SW_PROM_CONTENT_TYPE;
}

/* ---- the route table ----------------------------------------------------------- */

#define USERS (SW_ROLE_BIT(SW_ROLE_ADMIN) | SW_ROLE_BIT(SW_ROLE_CONSUMER))
#define ADMIN SW_ROLE_BIT(SW_ROLE_ADMIN)
#define AGENT SW_ROLE_BIT(SW_ROLE_AGENT)

const struct sw_route sw__api_routes[] = {
    {"POST", "/v1/jobs", api_jobs_submit, USERS},
    {"GET", "/v1/jobs", api_jobs_list, USERS},
    {"GET", "/v1/jobs/{id}", api_jobs_get, USERS},
    {"DELETE", "/v1/jobs/{id}", api_jobs_cancel, USERS},
    {"GET", "/v1/sites", api_sites, SW_ANY_ROLE},
    {"GET", "/v1/network", api_network, SW_ANY_ROLE},
    {"POST", "/v1/tenants", api_tenants_create, ADMIN},
    {"GET", "/v1/tenants", api_tenants_list, ADMIN},
    {"POST", "/v1/tokens", api_tokens_create, ADMIN},
    {"GET", "/v1/tokens", api_tokens_list, ADMIN},
    {"DELETE", "/v1/tokens/{id}", api_tokens_revoke, ADMIN},
    {"GET", "/v1/jobs/{id}/logs", api_jobs_logs, USERS},
    {"POST", "/v1/agent/register", api_agent_register, AGENT},
    {"POST", "/v1/agent/heartbeat", api_agent_heartbeat, AGENT},
    {"GET", "/v1/agent/assignments", api_agent_assignments, AGENT},
    {"POST", "/v1/agent/events", api_agent_events, AGENT},
    {"POST", "/v1/agent/logs", api_agent_logs, AGENT},
    {"GET", "/healthz", api_healthz, 0},
    {"GET", "/metrics", api_metrics, 0},
};

const size_t sw__api_nroutes = sizeof(sw__api_routes) / sizeof(sw__api_routes[0]);
