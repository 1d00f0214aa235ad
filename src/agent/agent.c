/* agent.c — the site agent's life cycle, registration and heartbeat, and
 * the table of the attempts it has (see agent.h; the protocol is
 * docs/agent-protocol.md, the operator's view docs/agent.md). The
 * long-poll is in agent_poll.c, the event queue in agent_events.c, the log
 * shipper in agent_logs.c.
 */
#define _DEFAULT_SOURCE /* realpath */
#include "agent/agent_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "agent/slurm_nodes.h"
#include "util/fs.h"
#include "util/version.h"

#define HELLO_TIMEOUT_MS 10000L

void sw__agent_log(const struct sw_agent *a, const char *fmt, ...)
{
    (void)a;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    time_t now = time(NULL);
    struct tm tm;
    char stamp[32] = "";
    if (localtime_r(&now, &tm))
        strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
    fprintf(stderr, "suanwang agent: %s %s\n", stamp, msg);
}

static json_t *key_json(const struct sw_unit_key *k)
{
    return json_pack("{s:I,s:I,s:I,s:I}", "job", (json_int_t)k->job, "task", (json_int_t)k->task,
                     "attempt", (json_int_t)k->attempt, "fence", (json_int_t)k->fence);
}

/* Read a key from a JSON object; false when a field is missing. */
bool sw__key_from_json(json_t *o, struct sw_unit_key *k)
{
    json_t *f[4] = {json_object_get(o, "job"), json_object_get(o, "task"),
                    json_object_get(o, "attempt"), json_object_get(o, "fence")};
    for (int i = 0; i < 4; i++)
        if (!json_is_integer(f[i]))
            return false;
    k->job = json_integer_value(f[0]);
    k->task = json_integer_value(f[1]);
    k->attempt = json_integer_value(f[2]);
    k->fence = json_integer_value(f[3]);
    return true;
}

void sw__unit_name(const struct sw_unit_key *k, char *out, size_t n)
{
    if (k->task < 0)
        snprintf(out, n, "job %lld attempt %lld", (long long)k->job, (long long)k->attempt);
    else
        snprintf(out, n, "job %lld task %lld attempt %lld", (long long)k->job,
                 (long long)k->task, (long long)k->attempt);
}

/* ---- the attempt table ---- */

struct sw__attempt *sw__attempt_find(struct sw_agent *a, const struct sw_unit_key *key)
{
    for (struct sw__attempt *at = a->attempts; at; at = at->next)
        if (sw_unit_key_eq(&at->key, key))
            return at;
    return NULL;
}

bool sw__recently_forgotten(const struct sw_agent *a, const struct sw_unit_key *key)
{
    size_t n = a->nrecent < SW_AGENT_RECENT ? a->nrecent : SW_AGENT_RECENT;
    for (size_t i = 0; i < n; i++)
        if (sw_unit_key_eq(&a->recent[i], key))
            return true;
    return false;
}

void sw__remember_forgotten(struct sw_agent *a, const struct sw_unit_key *key)
{
    a->recent[a->nrecent % SW_AGENT_RECENT] = *key;
    a->nrecent++;
}

static void attempt_free(struct sw__attempt *at)
{
    if (!at)
        return;
    free(at->paths[0]);
    free(at->paths[1]);
    free(at);
}

void sw__attempt_forget(struct sw_agent *a, struct sw__attempt *at)
{
    for (struct sw__attempt **p = &a->attempts; *p; p = &(*p)->next) {
        if (*p == at) {
            *p = at->next;
            a->nattempts--;
            break;
        }
    }
    sw__remember_forgotten(a, &at->key);
    if (a->backend && a->backend->ops->forget)
        a->backend->ops->forget(a->backend, &at->key);
    attempt_free(at);
    pthread_cond_broadcast(&a->cv);
}

void sw__agent_apply_stop(struct sw_agent *a, json_t *list, const char *why)
{
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item) {
        struct sw_unit_key k;
        if (!sw__key_from_json(item, &k))
            continue;
        struct sw__attempt *at = sw__attempt_find(a, &k);
        if (!at || at->stopped)
            continue;
        const char *reason = json_string_value(json_object_get(item, "reason"));
        char name[128];
        sw__unit_name(&k, name, sizeof(name));
        sw__agent_log(a, "%s: stopping it (%s: %s)", name, why, reason ? reason : "no reason");
        at->stopped = true;
        sw__event_drop(a, &k);
        if (at->starting)
            continue; /* the poll thread kills it once started */
        if (at->started && !at->ended && a->backend &&
            a->backend->ops->kill(a->backend, &k, SW_END_STOPPED) == 0)
            continue; /* forgotten when its end comes */
        if (!at->logs_busy)
            sw__attempt_forget(a, at);
    }
}

void sw__agent_lost_contact(struct sw_agent *a, const char *error)
{
    if (a->connected && !a->stopping)
        sw__agent_log(a, "%s; the tasks keep running and their events are queued until it "
                         "is back", error);
    a->connected = false;
    a->need_register = true;
    pthread_cond_broadcast(&a->cv);
}

/* The backend says a unit ended (monitor thread, no backend lock held). */
static void on_end(void *arg, const struct sw_task_end *end)
{
    struct sw_agent *a = arg;
    pthread_mutex_lock(&a->mu);
    struct sw__attempt *at = sw__attempt_find(a, &end->key);
    if (at) {
        at->ended = true;
        at->end = *end;
        if (!a->quiet && !at->stopped) {
            char name[128];
            sw__unit_name(&end->key, name, sizeof(name));
            sw__agent_log(a, "%s: ended (%s)", name,
                          end->reason[0] ? end->reason : "exit status 0");
        }
        if (at->stopped && !at->logs_busy && !at->starting)
            sw__attempt_forget(a, at);
        a->logs_kick = true;
        pthread_cond_broadcast(&a->cv);
    }
    pthread_mutex_unlock(&a->mu);
}

static void backend_log(void *arg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void backend_log(void *arg, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    sw__agent_log(arg, "%s", msg);
}

/* ---- register and heartbeat ---- */

/* The attempts the agent still has (caller holds mu). */
static json_t *running_json(struct sw_agent *a)
{
    json_t *list = json_array();
    for (struct sw__attempt *at = a->attempts; at; at = at->next)
        if (!at->stopped)
            json_array_append_new(list, key_json(&at->key));
    return list;
}

static json_t *capacity_json(const struct sw_capacity *cap)
{
    json_t *acc = json_array();
    for (size_t i = 0; i < cap->ngroups; i++)
        json_array_append_new(acc, json_pack("{s:s,s:I,s:s}", "model", cap->groups[i].model,
                                             "count", (json_int_t)cap->groups[i].count,
                                             "source", cap->groups[i].source));
    return json_pack("{s:I,s:I,s:o}", "cores", (json_int_t)cap->cores, "mem_mib",
                     (json_int_t)cap->mem_mib, "accelerators", acc);
}

json_t *sw_agent_node_classes_json(const struct sw_node_classes *cl)
{
    json_t *list = json_array();
    for (size_t i = 0; list && i < cl->n; i++) {
        const struct sw_node_class_report *r = &cl->c[i];
        json_t *acc = json_array();
        for (size_t k = 0; acc && k < r->naccel; k++)
            json_array_append_new(acc, json_pack("{s:s,s:I}", "model", r->accel[k].model,
                                                 "count", (json_int_t)r->accel[k].count));
        json_array_append_new(list, json_pack("{s:s,s:I,s:I,s:I,s:o}", "name", r->name,
                                               "count", (json_int_t)r->count, "cores",
                                               (json_int_t)r->cores, "mem_mib",
                                               (json_int_t)r->mem_mib, "accelerators", acc));
    }
    return list;
}

/* What the site offers: the backend's latest reading of its node classes
 * (a Slurm site's nodes in service) with their totals as the capacity, or
 * what discovery found at start. Adds "capacity" and "node_classes" to o
 * (caller holds mu). */
static void add_capacity(struct sw_agent *a, json_t *o, bool registering)
{
    struct sw_capacity *fresh = NULL;
    if (a->backend && a->backend->ops->node_classes) {
        fresh = malloc(sizeof(*fresh));
        if (fresh && a->backend->ops->node_classes(a->backend, &fresh->classes) == 0) {
            sw_slurm_nodes_totals(&fresh->classes, fresh);
        } else {
            free(fresh);
            fresh = NULL;
        }
    }
    if (!fresh && !registering)
        return; /* nothing new since the registration */
    const struct sw_capacity *cap = fresh ? fresh : &a->cap;
    json_object_set_new(o, "capacity", capacity_json(cap));
    if (fresh || cap->classes.n > 0) /* a backend's [] means: no node in service */
        json_object_set_new(o, "node_classes", sw_agent_node_classes_json(&cap->classes));
    free(fresh);
}

/* Body of register (with capacity) or heartbeat (caller holds mu). */
static json_t *hello_json(struct sw_agent *a, bool registering)
{
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:o}", "agent_id", a->agent_id, "hostname",
                          a->hostname, "backend", a->backend_name, "version",
                          SW_VERSION_STRING, "running", running_json(a));
    if (o && registering)
        json_object_set_new(o, "max_tasks", json_integer(a->max_tasks));
    if (o)
        add_capacity(a, o, registering);
    /* what the site's other users hold, so the controller does not
     * over-commit it (a Slurm site's own jobs) */
    int64_t foreign = a->backend && a->backend->ops->foreign_cores
                          ? a->backend->ops->foreign_cores(a->backend)
                          : -1;
    if (o && foreign >= 0)
        json_object_set_new(o, "in_use", json_pack("{s:I}", "cores", (json_int_t)foreign));
    return o;
}

/* Take in a register/heartbeat answer (caller holds mu). */
static void apply_hello(struct sw_agent *a, json_t *ans)
{
    json_t *hb = json_object_get(ans, "heartbeat_s");
    if (json_is_integer(hb) && json_integer_value(hb) > 0 && json_integer_value(hb) <= 3600)
        a->heartbeat_s = json_integer_value(hb);
    json_t *lost = json_object_get(ans, "lost_after_s");
    if (json_is_integer(lost) && json_integer_value(lost) > 0)
        a->lost_after_s = json_integer_value(lost);
    json_t *stop = json_object_get(ans, "stop");
    if (json_is_array(stop))
        sw__agent_apply_stop(a, stop, "the controller");
}

/* Register once. Returns 0; or -1 with `r` telling why (r->status 0: not
 * reached) and, for answers that make retrying pointless, `fatal`. */
static int register_once(struct sw_agent *a, struct sw_agent_client *c,
                         struct sw_agent_reply *r, bool *fatal, sw_error_t *err)
{
    *fatal = false;
    pthread_mutex_lock(&a->mu);
    json_t *body = hello_json(a, true);
    pthread_mutex_unlock(&a->mu);
    int rc = sw_agent_client_post_json(c, "/v1/agent/register", body, HELLO_TIMEOUT_MS, r);
    json_decref(body);
    if (rc < 0) {
        if (r->status == 401) {
            *fatal = true;
            sw_errprintf(err, "the controller refused the token (HTTP 401): check --token");
        } else if (r->status == 403) {
            *fatal = true;
            sw_errprintf(err, "the controller refused this agent (%s): is the token an "
                              "agent token of site \"%s\"?", r->error, a->site);
        } else if (r->status == 404) {
            *fatal = true;
            sw_errprintf(err, "%s has no agent endpoint (%s): is --server a suanwang "
                              "controller?", a->server, r->error);
        } else {
            sw_errprintf(err, "%s", r->error);
        }
        return -1;
    }
    const char *site = json_string_value(json_object_get(r->json, "site"));
    if (site && strcmp(site, a->site) != 0) {
        *fatal = true;
        errno = EINVAL;
        return sw_errprintf(err, "the token belongs to site \"%s\", not \"%s\" (--site)", site,
                            a->site);
    }
    pthread_mutex_lock(&a->mu);
    bool was = a->connected;
    size_t had = a->nattempts;
    a->connected = true;
    a->need_register = false;
    apply_hello(a, r->json);
    size_t kept = a->nattempts;
    pthread_cond_broadcast(&a->cv);
    pthread_mutex_unlock(&a->mu);
    if (!was)
        sw__agent_log(a, "registered with %s as site %s (%zu attempts here, %zu carried on)",
                      a->server, a->site, had, kept);
    return 0;
}

void sw__agent_wait_ms(struct sw_agent *a, int64_t ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (ms % 1000) * 1000000;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    pthread_cond_timedwait(&a->cv, &a->mu, &until);
}

void sw__agent_sleep_ms(struct sw_agent *a, int64_t ms, bool poller)
{
    int64_t until = sw_agent_mono_ms() + ms;
    for (;;) {
        int64_t left = until - sw_agent_mono_ms();
        if (left <= 0 || a->finishing || (poller && a->stopping))
            return;
        sw__agent_wait_ms(a, left);
    }
}

static void *heartbeat_main(void *arg)
{
    struct sw_agent *a = arg;
    struct sw_agent_client *c = sw_agent_client_new(a->server, a->token, &a->abort_all, NULL);
    int64_t backoff = 500;
    int64_t next_beat = sw_agent_mono_ms() + a->heartbeat_s * 1000;
    bool warned_token = false;
    pthread_mutex_lock(&a->mu);
    while (c && !a->finishing) {
        int64_t now = sw_agent_mono_ms();
        if (!a->need_register && now < next_beat) {
            sw__agent_wait_ms(a, next_beat - now);
            continue;
        }
        bool reg = a->need_register;
        json_t *body = reg ? NULL : hello_json(a, false);
        pthread_mutex_unlock(&a->mu);
        struct sw_agent_reply r;
        sw_error_t err;
        bool fatal = false;
        int rc;
        if (reg) {
            rc = register_once(a, c, &r, &fatal, &err);
        } else {
            rc = sw_agent_client_post_json(c, "/v1/agent/heartbeat", body, HELLO_TIMEOUT_MS, &r);
            snprintf(err.text, sizeof(err.text), "%s", r.error);
            json_decref(body);
        }
        pthread_mutex_lock(&a->mu);
        if (rc == 0) {
            if (!reg)
                apply_hello(a, r.json);
            backoff = 500;
            warned_token = false;
            next_beat = sw_agent_mono_ms() + a->heartbeat_s * 1000;
        } else {
            if (r.status == 0)
                sw__agent_lost_contact(a, err.text);
            else if (r.status == 401 || r.status == 403 || fatal) {
                if (!warned_token)
                    sw__agent_log(a, "%s", err.text);
                warned_token = true;
                a->need_register = true;
            } else if (!reg) {
                /* a controller that restarted may not know this agent */
                sw__agent_log(a, "heartbeat: %s; registering again", err.text);
                a->need_register = true;
            }
            if (!a->finishing)
                sw__agent_sleep_ms(a, backoff, false);
            backoff = backoff * 2 > 5000 ? 5000 : backoff * 2;
        }
        sw_agent_reply_clear(&r);
    }
    pthread_mutex_unlock(&a->mu);
    sw_agent_client_free(c);
    return NULL;
}

/* ---- life cycle ---- */

static void make_agent_id(char *out, size_t n)
{
    unsigned char raw[16];
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    ssize_t got = fd >= 0 ? read(fd, raw, sizeof(raw)) : -1;
    if (fd >= 0)
        close(fd);
    if (got != (ssize_t)sizeof(raw)) {
        uint64_t x = (uint64_t)sw_agent_wall_ms() ^ ((uint64_t)getpid() << 32);
        for (size_t i = 0; i < sizeof(raw); i++) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            raw[i] = (unsigned char)(x >> 56);
        }
    }
    static const char hex[] = "0123456789abcdef";
    size_t k = 0;
    for (size_t i = 0; i < sizeof(raw) && k + 2 < n; i++) {
        out[k++] = hex[raw[i] >> 4];
        out[k++] = hex[raw[i] & 15];
    }
    out[k] = '\0';
}

/* Let the agent hold a descriptor per task and then some. */
static void raise_nofile(void)
{
    struct rlimit lim;
    if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
        lim.rlim_cur = lim.rlim_max;
        setrlimit(RLIMIT_NOFILE, &lim);
    }
}

static void agent_free(struct sw_agent *a)
{
    while (a->attempts) {
        struct sw__attempt *at = a->attempts;
        a->attempts = at->next;
        attempt_free(at);
    }
    while (a->ev_head) {
        struct sw__event *e = a->ev_head;
        a->ev_head = e->next;
        json_decref(e->obj);
        free(e);
    }
    pthread_mutex_destroy(&a->mu);
    pthread_cond_destroy(&a->cv);
    free(a->server);
    free(a->token);
    free(a->site);
    free(a->backend_name);
    free(a->work_dir);
    free(a);
}

/* Join the threads that run (after `finishing` or `stopping` was set). */
static void join_threads(struct sw_agent *a)
{
    pthread_mutex_lock(&a->mu);
    a->stopping = true;
    a->finishing = true;
    pthread_cond_broadcast(&a->cv);
    pthread_mutex_unlock(&a->mu);
    atomic_store(&a->abort_poll, true);
    atomic_store(&a->abort_all, true);
    if (a->have_poll)
        pthread_join(a->t_poll, NULL);
    if (a->have_heartbeat)
        pthread_join(a->t_heartbeat, NULL);
    if (a->have_events)
        pthread_join(a->t_events, NULL);
    if (a->have_logs)
        pthread_join(a->t_logs, NULL);
    a->have_poll = a->have_heartbeat = a->have_events = a->have_logs = false;
}

/* Units a previous agent left running that the backend took back (the
 * slurm backend re-adopts its Slurm jobs, the local one its tasks' supervisors,
 * including tasks that ended while no agent ran): track them as started, with
 * the log files of the common layout WORK/JOB/TASK.ATTEMPT (gang.ATTEMPT),
 * so their logs are shipped and their end is reported. The controller
 * decides at registration whether they are still current (else: stop). */
static void adopt_running(struct sw_agent *a)
{
    enum { MAX_ADOPT = 4096 };
    struct sw_unit_key *keys = calloc(MAX_ADOPT, sizeof(*keys));
    if (!keys || !a->backend->ops->list) {
        free(keys);
        return;
    }
    size_t n = a->backend->ops->list(a->backend, keys, MAX_ADOPT);
    if (n > MAX_ADOPT)
        n = MAX_ADOPT;
    pthread_mutex_lock(&a->mu);
    for (size_t i = 0; i < n; i++) {
        if (sw__attempt_find(a, &keys[i]))
            continue;
        struct sw__attempt *at = calloc(1, sizeof(*at));
        char dir[4096], out[4200], errp[4200];
        if (!at)
            break;
        if (keys[i].task < 0)
            snprintf(dir, sizeof(dir), "%s/%lld/gang.%lld", a->work_dir,
                     (long long)keys[i].job, (long long)keys[i].attempt);
        else
            snprintf(dir, sizeof(dir), "%s/%lld/%lld.%lld", a->work_dir,
                     (long long)keys[i].job, (long long)keys[i].task,
                     (long long)keys[i].attempt);
        snprintf(out, sizeof(out), "%s/stdout", dir);
        snprintf(errp, sizeof(errp), "%s/stderr", dir);
        at->key = keys[i];
        at->started = true;
        at->paths[0] = strdup(out);
        at->paths[1] = strdup(errp);
        at->next = a->attempts;
        a->attempts = at;
        a->nattempts++;
        char name[128];
        sw__unit_name(&keys[i], name, sizeof(name));
        sw__agent_log(a, "%s: still running from before the restart: tracking it again", name);
    }
    pthread_mutex_unlock(&a->mu);
    free(keys);
}

struct sw_agent *sw_agent_start(const struct sw_agent_config *cfg, sw_error_t *err)
{
    struct sw_agent *a = calloc(1, sizeof(*a));
    if (!a) {
        sw_errprintf(err, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&a->mu, NULL);
    pthread_cond_init(&a->cv, NULL);
    a->ev_tail = &a->ev_head;
    a->heartbeat_s = 5;
    a->lost_after_s = 30;
    a->max_tasks = cfg->max_tasks;
    a->poll_wait_s = cfg->poll_wait_s > 0 ? cfg->poll_wait_s : 20;
    a->quiet = cfg->quiet;
    if (cfg->capacity)
        a->cap = *cfg->capacity;
    a->server = strdup(cfg->server ? cfg->server : "");
    a->token = strdup(cfg->token ? cfg->token : "");
    a->site = strdup(cfg->site ? cfg->site : "");
    a->backend_name = strdup(cfg->backend ? cfg->backend : "local");
    if (!a->server || !a->token || !a->site || !a->backend_name) {
        sw_errprintf(err, "out of memory");
        goto out_free;
    }
    make_agent_id(a->agent_id, sizeof(a->agent_id));
    if (gethostname(a->hostname, sizeof(a->hostname) - 1) < 0)
        snprintf(a->hostname, sizeof(a->hostname), "unknown");
    raise_nofile();

    /* the work directory, absolute */
    if (!cfg->work_dir || !*cfg->work_dir) {
        sw_errprintf(err, "a work directory is required (--work DIR)");
        goto out_free;
    }
    if (sw_mkdir_p(cfg->work_dir, err) < 0)
        goto out_free;
    a->work_dir = realpath(cfg->work_dir, NULL);
    if (!a->work_dir) {
        sw_errprintf(err, "%s: %s", cfg->work_dir, strerror(errno));
        goto out_free;
    }

    struct sw_agent_backend_config bcfg = {
        .work_dir = a->work_dir, .site = a->site, .devices = a->cap.devices,
        .ndevices = a->cap.ndevices, .run_as = cfg->run_as,
        .kill_grace_ms = cfg->kill_grace_ms, .on_end = on_end, .log = backend_log, .arg = a,
    };
    a->backend = sw_agent_backend_create(a->backend_name, &bcfg, err);
    if (!a->backend)
        goto out_free;
    adopt_running(a);

    /* the first registration: retry while the controller cannot be reached */
    struct sw_agent_client *c = sw_agent_client_new(a->server, a->token, NULL, err);
    if (!c)
        goto out_backend;
    int64_t deadline = sw_agent_mono_ms() + (int64_t)cfg->connect_timeout_s * 1000;
    bool told = false;
    for (;;) {
        struct sw_agent_reply r;
        bool fatal = false;
        int rc = register_once(a, c, &r, &fatal, err);
        long status = r.status;
        char r_error[sizeof(r.error)];
        memcpy(r_error, r.error, sizeof(r_error));
        sw_agent_reply_clear(&r);
        if (rc == 0)
            break;
        bool retry = !fatal && (status == 0 || status >= 500);
        if (!retry || sw_agent_mono_ms() >= deadline) {
            if (status == 0)
                sw_errprintf(err, "%s: is `suanwang server` running there? (--server)",
                             r_error);
            sw_agent_client_free(c);
            goto out_backend;
        }
        if (!told)
            sw__agent_log(a, "%s; retrying for up to %d s", err->text, cfg->connect_timeout_s);
        told = true;
        nanosleep(&(struct timespec){.tv_nsec = 500000000}, NULL);
    }
    sw_agent_client_free(c);

    int e = 0;
    if ((e = pthread_create(&a->t_events, NULL, sw__events_main, a)) == 0)
        a->have_events = true;
    if (!e && (e = pthread_create(&a->t_logs, NULL, sw__logs_main, a)) == 0)
        a->have_logs = true;
    if (!e && (e = pthread_create(&a->t_heartbeat, NULL, heartbeat_main, a)) == 0)
        a->have_heartbeat = true;
    if (!e && (e = pthread_create(&a->t_poll, NULL, sw__poll_main, a)) == 0)
        a->have_poll = true;
    if (e) {
        errno = e;
        sw_errprintf(err, "cannot start the agent's threads: %s", strerror(e));
        join_threads(a);
        goto out_backend;
    }
    return a;

out_backend:
    a->backend->ops->destroy(a->backend, true);
out_free:
    agent_free(a);
    return NULL;
}

void sw_agent_stop(struct sw_agent *a, bool kill_tasks, int flush_s)
{
    if (!a)
        return;
    pthread_mutex_lock(&a->mu);
    a->stopping = true;
    pthread_cond_broadcast(&a->cv);
    pthread_mutex_unlock(&a->mu);
    atomic_store(&a->abort_poll, true);
    if (a->have_poll) {
        pthread_join(a->t_poll, NULL);
        a->have_poll = false;
    }
    /* kill (and report) or leave the tasks; no thread may use the backend
     * from now on (they check a->backend under mu) */
    pthread_mutex_lock(&a->mu);
    struct sw_agent_backend *b = a->backend;
    a->backend = NULL;
    pthread_mutex_unlock(&a->mu);
    b->ops->destroy(b, kill_tasks);

    /* give the controller the last logs and events */
    int64_t t0 = sw_agent_mono_ms();
    int64_t deadline = t0 + (int64_t)flush_s * 1000;
    pthread_mutex_lock(&a->mu);
    if (!kill_tasks) /* left running: nothing more will be reported of them */
        for (struct sw__attempt *at = a->attempts; at; at = at->next)
            if (!at->ended)
                at->stopped = true;
    for (;;) {
        bool pending = a->nevents > 0;
        for (struct sw__attempt *at = a->attempts; at && !pending; at = at->next)
            if (!at->stopped)
                pending = true;
        int64_t now = sw_agent_mono_ms();
        if (!pending || now >= deadline || (!a->connected && now - t0 > 2000))
            break;
        sw__agent_wait_ms(a, 100);
    }
    size_t left = a->nevents;
    bool connected = a->connected;
    pthread_mutex_unlock(&a->mu);
    if (left > 0)
        sw__agent_log(a, "%zu events could not be delivered%s", left,
                      connected ? "" : " (the controller is unreachable)");
    join_threads(a);
    agent_free(a);
}

const char *sw_agent_site(const struct sw_agent *a)
{
    return a->site;
}
