/* api_agent.c — the endpoints site agents call (docs/agent-protocol.md):
 * register and heartbeat (reconcile: which attempts to stop), long-polled
 * assignments (dispatch with a fence), events (fenced state reports), log
 * chunks; and GET /v1/jobs/{id}/logs for users. The site always comes from
 * the agent's token.
 */
#include "server/controller_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/fs.h"
#include "util/parse.h"

#define ASSIGN_MAX 256        /* units handed out per answer */
#define LOG_CHUNK_MAX (1u << 20)

static int site_of(struct sw_controller *c, const struct sw_principal *who,
                   struct sw_http_response *res)
{
    int s = sw_network_site(&c->net, who->site);
    if (s < 0)
        sw_http_error(res, 403, "forbidden", NULL,
                      "this agent token is bound to site \"%s\", which the network does not have",
                      who->site);
    return s;
}

/* The unit an agent report names, or NULL. */
static struct ctl_unit *find_unit(struct sw_controller *c, uint64_t job, int64_t task)
{
    struct ctl_job *j = ctl_job_find(c, job);
    if (!j)
        return NULL;
    if (j->spec.gang)
        return task < 0 ? &j->units[0] : NULL;
    return task >= 0 && (size_t)task < j->nunits ? &j->units[task] : NULL;
}

static json_t *stop_json(uint64_t job, int64_t task, uint32_t attempt, uint64_t fence,
                         const char *reason)
{
    return json_pack("{s:I,s:I,s:I,s:I,s:s}", "job", (json_int_t)job, "task", (json_int_t)task,
                     "attempt", (json_int_t)attempt, "fence", (json_int_t)fence, "reason",
                     reason);
}

/* Why an attempt the agent reports is not the current one, or NULL. */
static const char *stale_reason(const struct ctl_unit *u, uint32_t attempt, uint64_t fence)
{
    if (!u)
        return "unknown";
    if (u->attempt != attempt || u->fence != fence)
        return "superseded";
    if (u->state == SW_ST_LOST)
        return "lost";
    if (u->state == SW_ST_CANCELLED)
        return "cancelled";
    if (u->state != SW_ST_DISPATCHED && u->state != SW_ST_RUNNING)
        return "not running";
    return NULL;
}

/* ---- register / heartbeat ---------------------------------------------------- */

static const char *str_or_empty(const json_t *v)
{
    const char *s = json_string_value(v);
    return s ? s : "";
}

static void agent_hello(struct sw_controller *c, const struct sw_http_request *req,
                        struct sw_http_response *res, bool registering)
{
    json_t *b = api_body_json(req, res);
    if (!b)
        return;
    json_t *running = json_object_get(b, "running");
    if (!json_is_object(b) || (running && !json_is_array(running))) {
        sw_http_error(res, 400, "invalid", running ? "running" : NULL,
                      "expected {\"agent_id\": …, \"running\": [{job, task, attempt, fence}]}");
        json_decref(b);
        return;
    }
    pthread_mutex_lock(&c->lock);
    int s = site_of(c, req->who, res);
    if (s < 0) {
        pthread_mutex_unlock(&c->lock);
        json_decref(b);
        return;
    }
    struct ctl_site *st = &c->sites[s];
    st->last_seen_ms = ctl_now_ms();
    if (!st->up) {
        st->up = true;
        sw_placer_site_enabled(c->placer, s, true);
        pthread_cond_signal(&c->wake);
    }
    if (registering) {
        /* long polls still waiting began before this agent registered: a
         * dead predecessor's would take assignments nobody receives */
        st->registrations++;
        pthread_cond_broadcast(&c->agent_wake);
        snprintf(st->agent_id, sizeof(st->agent_id), "%s",
                 str_or_empty(json_object_get(b, "agent_id")));
        snprintf(st->hostname, sizeof(st->hostname), "%s",
                 str_or_empty(json_object_get(b, "hostname")));
        snprintf(st->backend, sizeof(st->backend), "%s",
                 str_or_empty(json_object_get(b, "backend")));
    }
    sw_error_t err;
    if (ctl_site_report(c, s, b, registering, ctl_now_ms(), &err) < 0) {
        pthread_mutex_unlock(&c->lock);
        json_decref(b);
        sw_http_error(res, 400, "invalid", NULL, "%s", err.text);
        return;
    }
    json_t *stop = json_array();
    size_t i;
    json_t *r;
    json_array_foreach(running, i, r) {
        uint64_t job = (uint64_t)json_integer_value(json_object_get(r, "job"));
        int64_t task = json_integer_value(json_object_get(r, "task"));
        uint32_t attempt = (uint32_t)json_integer_value(json_object_get(r, "attempt"));
        uint64_t fence = (uint64_t)json_integer_value(json_object_get(r, "fence"));
        const struct ctl_unit *u = find_unit(c, job, task);
        const char *why = stale_reason(u, attempt, fence);
        if (!why && u->site != s)
            why = "superseded";
        if (why)
            json_array_append_new(stop, stop_json(job, task, attempt, fence, why));
    }
    for (size_t k = 0; k < st->ncancels; k++) {
        const struct ctl_stop *x = &st->cancels[k];
        json_array_append_new(stop, stop_json(x->job, x->task, x->attempt, x->fence, x->reason));
    }
    st->ncancels = 0;
    json_t *o = json_pack("{s:s,s:I,s:I,s:o}", "site", c->net.sites[s].name, "heartbeat_s",
                          (json_int_t)c->heartbeat_s, "lost_after_s",
                          (json_int_t)(c->lost_after_ms / 1000), "stop", stop);
    pthread_mutex_unlock(&c->lock);
    json_decref(b);
    sw_http_json(res, 200, o);
}

void api_agent_register(void *ctx, const struct sw_http_request *req, struct sw_http_response *res)
{
    agent_hello(ctx, req, res, true);
}

void api_agent_heartbeat(void *ctx, const struct sw_http_request *req,
                         struct sw_http_response *res)
{
    agent_hello(ctx, req, res, false);
}

/* ---- assignments --------------------------------------------------------------- */

static json_t *assignment_json(struct sw_controller *c, const struct ctl_unit *u)
{
    const struct ctl_job *j = u->job;
    const struct sw_jobspec *js = &j->spec;
    json_t *spec = json_loads(j->spec_json, 0, NULL);
    json_t *o = json_pack("{s:I,s:I,s:I,s:I,s:I,s:s,s:I,s:I,s:f,s:I,s:s}", "job",
                          (json_int_t)j->id, "task", (json_int_t)u->task, "tasks",
                          (json_int_t)u->ntasks, "attempt", (json_int_t)u->attempt, "fence",
                          (json_int_t)u->fence, "name", js->name, "cores",
                          (json_int_t)u->core.need.v[SW_RES_CORES], "mem_mib",
                          (json_int_t)u->core.need.v[SW_RES_MEM_MIB], "accelerators",
                          (double)u->core.need.v[SW_RES_ACCEL] / SW_MILLI, "walltime_s",
                          (json_int_t)(u->walltime_s > 0 ? u->walltime_s : u->core.estimate),
                          "node_class",
                          c->net.sites[u->site].classes[u->nclass].name);
    if (!o) {
        json_decref(spec);
        return NULL;
    }
    if (u->model >= 0)
        json_object_set_new(o, "accelerator_model",
                            json_string(c->net.catalog.models[u->model].name));
    /* whom a site bills (a Slurm account) and how urgent (a Slurm QoS) */
    json_object_set_new(o, "tenant", json_string(j->tenant));
    json_object_set_new(o, "qos", json_string(sw_qos_name(js->qos)));
    static const char *const copy[] = {"command", "script", "env", "workdir"};
    static const char *const as[] = {"argv", "script", "env", "workdir"};
    for (size_t k = 0; k < 4; k++) {
        json_t *v = json_object_get(spec, copy[k]);
        if (v)
            json_object_set(o, as[k], v);
    }
    json_decref(spec);
    return o;
}

/* Take up to ASSIGN_MAX scheduled units of site s, mark them dispatched. */
static size_t take_ready(struct sw_controller *c, int s, struct ctl_unit **out,
                        struct ctl_pending_events *pe, int64_t now_ms)
{
    struct ctl_site *st = &c->sites[s];
    size_t n = 0, k = 0;
    for (; k < st->nready && n < ASSIGN_MAX; k++) {
        struct ctl_unit *u = st->ready[k];
        if (u->state != SW_ST_SCHEDULED || u->site != s)
            continue; /* cancelled or moved meanwhile */
        if (ctl_transition(c, u, SW_ST_DISPATCHED, NULL, now_ms, pe) == 0)
            out[n++] = u;
    }
    if (k) {
        memmove(st->ready, st->ready + k, (st->nready - k) * sizeof(*st->ready));
        st->nready -= k;
    }
    return n;
}

void api_agent_assignments(void *ctx, const struct sw_http_request *req,
                           struct sw_http_response *res)
{
    struct sw_controller *c = ctx;
    int64_t wait_s = 20;
    const char *w = sw_http_query(req, "wait_s");
    sw_error_t err;
    if (w && sw_parse_i64(w, 0, 60, &wait_s, "wait_s", &err) < 0) {
        sw_http_error(res, 400, "bad_query", "wait_s", "%s", err.text);
        return;
    }
    struct ctl_unit **units = calloc(ASSIGN_MAX, sizeof(*units));
    if (!units) {
        sw_http_error(res, 503, "out_of_memory", NULL, "out of memory");
        return;
    }
    struct ctl_pending_events pe = {0};
    json_t *cancel = json_array();
    pthread_mutex_lock(&c->lock);
    int s = site_of(c, req->who, res);
    size_t n = 0;
    if (s >= 0) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += wait_s;
        struct ctl_site *st = &c->sites[s];
        uint64_t gen = st->registrations;
        while (!c->stopping && st->nready == 0 && st->ncancels == 0 &&
               st->registrations == gen &&
               pthread_cond_timedwait(&c->agent_wake, &c->lock, &until) == 0)
            ;
        bool superseded = st->registrations != gen; /* answer empty: nothing lost */
        st->last_seen_ms = ctl_now_ms();
        n = superseded ? 0 : take_ready(c, s, units, &pe, ctl_now_ms());
        for (size_t k = 0; !superseded && k < st->ncancels; k++) {
            const struct ctl_stop *x = &st->cancels[k];
            json_array_append_new(cancel,
                                  stop_json(x->job, x->task, x->attempt, x->fence, x->reason));
        }
        if (!superseded)
            st->ncancels = 0;
    }
    pthread_mutex_unlock(&c->lock);
    if (s < 0)
        goto out;
    /* dispatched, durably, before the agent hears of it; the dispatch
     * event's sequence number becomes the fence */
    if (n && ctl_flush_events(c, &pe, &err) < 0) {
        sw_http_error(res, 503, "store_unavailable", NULL, "%s", err.text);
        goto out;
    }
    json_t *list = json_array();
    pthread_mutex_lock(&c->lock);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, assignment_json(c, units[i]));
    pthread_mutex_unlock(&c->lock);
    sw_http_json(res, 200, json_pack("{s:o,s:O}", "assignments", list, "cancel", cancel));
out:
    json_decref(cancel);
    ctl_pending_free(&pe);
    free(units);
}

/* ---- events --------------------------------------------------------------------- */

/* Apply one report. Returns NULL when accepted, else the stale reason. */
static const char *apply_event(struct sw_controller *c, int site, json_t *e,
                               struct ctl_pending_events *pe, int64_t now_ms)
{
    uint64_t job = (uint64_t)json_integer_value(json_object_get(e, "job"));
    int64_t task = json_integer_value(json_object_get(e, "task"));
    uint32_t attempt = (uint32_t)json_integer_value(json_object_get(e, "attempt"));
    uint64_t fence = (uint64_t)json_integer_value(json_object_get(e, "fence"));
    const char *state = json_string_value(json_object_get(e, "state"));
    struct ctl_unit *u = find_unit(c, job, task);
    enum sw_state to;
    if (!state || sw_state_parse(state, &to) < 0 ||
        (to != SW_ST_RUNNING && to != SW_ST_COMPLETED && to != SW_ST_FAILED &&
         to != SW_ST_CANCELLED))
        return "bad state";
    if (u && u->attempt == attempt && u->fence == fence && u->state == to)
        return NULL; /* a resend of what we have */
    const char *why = stale_reason(u, attempt, fence);
    if (!why && u->site != site)
        why = "superseded";
    if (why)
        return why;
    char detail[512];
    json_t *d = json_object();
    static const char *const keys[] = {"exit_status", "signal", "reason"};
    for (size_t k = 0; k < 3; k++) {
        json_t *v = json_object_get(e, keys[k]);
        if (v)
            json_object_set(d, keys[k], v);
    }
    char *txt = json_dumps(d, JSON_COMPACT);
    snprintf(detail, sizeof(detail), "%s", txt ? txt : "{}");
    free(txt);
    json_decref(d);
    if (ctl_transition(c, u, to, detail, now_ms, pe) < 0)
        return "not allowed";
    if (sw_state_terminal(to)) {
        ctl_release(c, u, now_ms);
        if (to == SW_ST_FAILED) {
            const char *reason = json_string_value(json_object_get(e, "reason"));
            ctl_retry(c, u, reason ? reason : "failed", now_ms, pe);
        }
    }
    return NULL;
}

void api_agent_events(void *ctx, const struct sw_http_request *req, struct sw_http_response *res)
{
    struct sw_controller *c = ctx;
    json_t *b = api_body_json(req, res);
    if (!b)
        return;
    json_t *events = json_object_get(b, "events");
    if (!json_is_array(events)) {
        sw_http_error(res, 400, "invalid", "events", "expected {\"events\": [...]}");
        json_decref(b);
        return;
    }
    struct ctl_pending_events pe = {0};
    json_t *stale = json_array();
    size_t accepted = 0, i;
    json_t *e;
    pthread_mutex_lock(&c->lock);
    int s = site_of(c, req->who, res);
    if (s >= 0) {
        c->sites[s].last_seen_ms = ctl_now_ms();
        json_array_foreach(events, i, e) {
            const char *why = apply_event(c, s, e, &pe, ctl_now_ms());
            if (!why) {
                accepted++;
                continue;
            }
            json_array_append_new(
                stale, stop_json((uint64_t)json_integer_value(json_object_get(e, "job")),
                                 json_integer_value(json_object_get(e, "task")),
                                 (uint32_t)json_integer_value(json_object_get(e, "attempt")),
                                 (uint64_t)json_integer_value(json_object_get(e, "fence")), why));
        }
    }
    pthread_mutex_unlock(&c->lock);
    json_decref(b);
    sw_error_t err;
    if (s < 0) {
        json_decref(stale);
        ctl_pending_free(&pe);
        return;
    }
    if (ctl_flush_events(c, &pe, &err) < 0) {
        json_decref(stale);
        sw_http_error(res, 503, "store_unavailable", NULL, "%s", err.text);
        return;
    }
    sw_http_json(res, 200, json_pack("{s:I,s:o}", "accepted", (json_int_t)accepted, "stale",
                                      stale));
}

/* ---- logs ----------------------------------------------------------------------- */

static bool valid_stream(const char *s)
{
    return s && (!strcmp(s, "stdout") || !strcmp(s, "stderr"));
}

void api_agent_logs(void *ctx, const struct sw_http_request *req, struct sw_http_response *res)
{
    struct sw_controller *c = ctx;
    int64_t job, task, attempt, fence, offset;
    sw_error_t err;
    const char *stream = sw_http_query(req, "stream");
    const char *q[] = {"job", "task", "attempt", "fence", "offset"};
    int64_t *dst[] = {&job, &task, &attempt, &fence, &offset};
    for (size_t k = 0; k < 5; k++) {
        const char *v = sw_http_query(req, q[k]);
        if (!v || sw_parse_i64(v, k == 1 ? -1 : 0, INT64_MAX, dst[k], q[k], &err) < 0) {
            sw_http_error(res, 400, "bad_query", q[k], "%s", v ? err.text : "missing");
            return;
        }
    }
    if (!valid_stream(stream) || req->body_len > LOG_CHUNK_MAX) {
        sw_http_error(res, 400, "bad_query", "stream", "stream must be stdout or stderr, and a "
                      "chunk at most %u bytes", LOG_CHUNK_MAX);
        return;
    }
    pthread_mutex_lock(&c->lock);
    int s = site_of(c, req->who, res);
    const struct ctl_unit *u = s >= 0 ? find_unit(c, (uint64_t)job, task) : NULL;
    bool ok = u && u->site == s && u->attempt == (uint32_t)attempt && u->fence == (uint64_t)fence;
    pthread_mutex_unlock(&c->lock);
    if (s < 0)
        return;
    if (!ok) {
        sw_http_error(res, 409, "stale", NULL, "not the current attempt of job %lld task %lld",
                      (long long)job, (long long)task);
        return;
    }
    char path[4400], dir[4400];
    ctl_log_path(c, (uint64_t)job, task, (uint32_t)attempt, stream, path, sizeof(path));
    snprintf(dir, sizeof(dir), "%s/logs/%lld", c->data_dir, (long long)job);
    if (sw_mkdir_p(dir, &err) < 0) {
        sw_http_error(res, 503, "io", NULL, "%s", err.text);
        return;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    struct stat stt;
    if (fd < 0 || fstat(fd, &stt) < 0) {
        sw_http_error(res, 503, "io", NULL, "%s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return;
    }
    if (stt.st_size != offset) {
        close(fd);
        sw_http_error(res, 409, "offset", "offset", "the log has %lld bytes",
                      (long long)stt.st_size);
        sw_http_header_add(res, "X-Log-Size", "%lld", (long long)stt.st_size);
        return;
    }
    ssize_t w = req->body_len ? write(fd, req->body, req->body_len) : 0;
    close(fd);
    if (w != (ssize_t)req->body_len) {
        sw_http_error(res, 503, "io", NULL, "%s: short write", path);
        return;
    }
    sw_http_json(res, 200, json_pack("{s:I}", "size", (json_int_t)(offset + (int64_t)w)));
}

void api_jobs_logs(void *ctx, const struct sw_http_request *req, struct sw_http_response *res)
{
    struct sw_controller *c = ctx;
    int64_t id, task = -1, offset = 0;
    sw_error_t err;
    const char *t = sw_http_query(req, "task"), *o = sw_http_query(req, "offset");
    const char *stream = sw_http_query(req, "stream");
    if (sw_parse_i64(req->param, 1, INT64_MAX, &id, "job id", &err) < 0) {
        sw_http_error(res, 400, "bad_id", "id", "%s", err.text);
        return;
    }
    if ((t && sw_parse_i64(t, -1, INT64_MAX, &task, "task", &err) < 0) ||
        (o && sw_parse_i64(o, 0, INT64_MAX, &offset, "offset", &err) < 0)) {
        sw_http_error(res, 400, "bad_query", NULL, "%s", err.text);
        return;
    }
    if (!stream)
        stream = "stdout";
    if (!valid_stream(stream)) {
        sw_http_error(res, 400, "bad_query", "stream", "stream must be stdout or stderr");
        return;
    }
    pthread_mutex_lock(&c->lock);
    struct ctl_job *j = ctl_job_find(c, (uint64_t)id);
    if (j && req->who->role != SW_ROLE_ADMIN && strcmp(j->tenant, req->who->tenant) != 0)
        j = NULL;
    const struct ctl_unit *u = NULL;
    if (j)
        u = j->spec.gang ? &j->units[0] : find_unit(c, j->id, task < 0 ? 0 : task);
    uint32_t attempt = u ? u->attempt : 0;
    bool complete = u && sw_state_terminal(u->state);
    int64_t utask = u ? u->task : 0;
    pthread_mutex_unlock(&c->lock);
    if (!u) {
        sw_http_error(res, 404, "not_found", j ? "task" : "id", j ? "no such task" : "no such job");
        return;
    }
    char path[4400];
    ctl_log_path(c, (uint64_t)id, utask, attempt, stream, path, sizeof(path));
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st = {0};
    if (fd >= 0)
        fstat(fd, &st);
    int64_t size = fd >= 0 ? (int64_t)st.st_size : 0;
    int64_t len = size > offset ? size - offset : 0;
    if (len > LOG_CHUNK_MAX)
        len = LOG_CHUNK_MAX;
    char *buf = malloc((size_t)len + 1);
    ssize_t got = fd >= 0 && buf && len > 0 ? pread(fd, buf, (size_t)len, offset) : 0;
    if (fd >= 0)
        close(fd);
    res->status = 200;
    res->text = buf;
    res->text_len = got > 0 ? (size_t)got : 0;
    res->content_type = "text/plain; charset=utf-8";
    sw_http_header_add(res, "X-Log-Size", "%lld", (long long)size);
    sw_http_header_add(res, "X-Log-Attempt", "%u", attempt);
    if (complete && offset + (got > 0 ? got : 0) >= size)
        sw_http_header_add(res, "X-Log-Complete", "true");
}
