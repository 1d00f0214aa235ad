/* agent_poll.c — the agent's long-poll for assignments (GET
 * /v1/agent/assignments, docs/agent-protocol.md): each assignment is read,
 * started on the backend and answered with `running`, or with `failed` and
 * the reason it could not start; each cancel kills its attempt (reported
 * `cancelled` when it ends), or is answered at once when the agent never had
 * that attempt.
 */
#include "agent/agent_int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POLL_EXTRA_MS 15000L

/* ---- assignments ---- */

/* An integer field (a JSON integer, or a real rounded up); `def` when absent. */
static bool field_i64(json_t *o, const char *name, int64_t def, int64_t *out)
{
    json_t *v = json_object_get(o, name);
    if (!v || json_is_null(v)) {
        *out = def;
        return true;
    }
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return true;
    }
    if (json_is_real(v) && isfinite(json_real_value(v)) && fabs(json_real_value(v)) < 1e15) {
        *out = (int64_t)ceil(json_real_value(v));
        return true;
    }
    return false;
}

void sw__assignment_free(struct sw__assignment *as)
{
    free(as->argv);
    for (size_t i = 0; i < as->nenv; i++)
        free(as->env[i]);
    free(as->env);
}

/* "K=V", malloc'd. */
static char *env_entry(const char *k, const char *v)
{
    size_t kl = strlen(k), vl = strlen(v);
    char *e = malloc(kl + vl + 2);
    if (!e)
        return NULL;
    memcpy(e, k, kl);
    e[kl] = '=';
    memcpy(e + kl + 1, v, vl + 1);
    return e;
}

int sw__assignment_parse(json_t *o, struct sw__assignment *as, sw_error_t *err)
{
    memset(as, 0, sizeof(*as));
    struct sw_task_spec *s = &as->spec;
    if (!sw__key_from_json(o, &s->key))
        return sw_errprintf(err, "job, task, attempt and fence must be integers");
    if (!field_i64(o, "tasks", 1, &s->ntasks) || !field_i64(o, "cores", 1, &s->cores) ||
        !field_i64(o, "mem_mib", 0, &s->mem_mib) ||
        !field_i64(o, "accelerators", 0, &s->accelerators) ||
        !field_i64(o, "walltime_s", 0, &s->walltime_s))
        return sw_errprintf(err, "tasks, cores, mem_mib, accelerators and walltime_s must be "
                                 "numbers");
    if (s->ntasks < 1 || s->mem_mib < 0 || s->accelerators < 0 || s->walltime_s < 0)
        return sw_errprintf(err, "negative or zero sizes");
    s->name = json_string_value(json_object_get(o, "name"));
    s->accel_model = json_string_value(json_object_get(o, "accelerator_model"));
    s->workdir = json_string_value(json_object_get(o, "workdir"));
    s->script = json_string_value(json_object_get(o, "script"));
    s->tenant = json_string_value(json_object_get(o, "tenant"));
    s->qos = json_string_value(json_object_get(o, "qos"));
    json_t *argv = json_object_get(o, "argv");
    if (json_is_array(argv) && json_array_size(argv) > 0) {
        as->argv = calloc(json_array_size(argv) + 1, sizeof(char *));
        if (!as->argv)
            return sw_errprintf(err, "out of memory");
        size_t i;
        json_t *v;
        json_array_foreach(argv, i, v) {
            if (!json_is_string(v))
                return sw_errprintf(err, "argv[%zu] is not a string", i);
            as->argv[i] = (char *)json_string_value(v);
        }
        s->argv = as->argv;
    }
    if (s->workdir && s->workdir[0] != '/')
        return sw_errprintf(err, "workdir \"%s\" is not an absolute path", s->workdir);
    if (!s->argv && !s->script)
        return sw_errprintf(err, "neither argv nor script");
    if (s->argv && s->script)
        return sw_errprintf(err, "both argv and script");
    json_t *env = json_object_get(o, "env");
    if (env && !json_is_object(env))
        return sw_errprintf(err, "env is not an object");
    if (env) {
        as->env = calloc(json_object_size(env) + 1, sizeof(char *));
        if (!as->env)
            return sw_errprintf(err, "out of memory");
        const char *k;
        json_t *v;
        json_object_foreach(env, k, v) {
            if (!json_is_string(v))
                return sw_errprintf(err, "env.%s is not a string", k);
            char *e = env_entry(k, json_string_value(v));
            if (!e)
                return sw_errprintf(err, "out of memory");
            as->env[as->nenv++] = e;
        }
        s->env = as->env;
    }
    return 0;
}

/* Running units (started, not ended), for --max-tasks (caller holds mu). */
static int running_count(const struct sw_agent *a)
{
    int n = 0;
    for (const struct sw__attempt *at = a->attempts; at; at = at->next)
        if (!at->ended && !at->stopped)
            n++;
    return n;
}

/* Queue the `failed` event of an attempt that could not start (caller holds mu). */
static void push_start_failure(struct sw_agent *a, const struct sw_unit_key *key, int status,
                               const char *reason)
{
    json_t *ev = sw__event_new(key, "failed", sw_agent_wall_ms());
    json_object_set_new(ev, "exit_status", json_integer(status));
    json_object_set_new(ev, "reason", json_string(reason));
    sw__event_push(a, key, ev, true);
}

static void handle_assignment(struct sw_agent *a, json_t *o)
{
    struct sw_unit_key key;
    char name[128];
    if (!sw__key_from_json(o, &key)) {
        sw__agent_log(a, "an assignment without integer job, task, attempt and fence: ignored");
        return;
    }
    sw__unit_name(&key, name, sizeof(name));
    pthread_mutex_lock(&a->mu);
    if (sw__attempt_find(a, &key) || sw__recently_forgotten(a, &key)) {
        pthread_mutex_unlock(&a->mu); /* a repeat of one we have or had */
        return;
    }
    if (a->max_tasks > 0 && running_count(a) >= a->max_tasks) {
        char reason[160];
        snprintf(reason, sizeof(reason), "the agent of site %s already runs its maximum of %d "
                 "units (--max-tasks)", a->site, a->max_tasks);
        push_start_failure(a, &key, 127, reason);
        sw__remember_forgotten(a, &key);
        pthread_mutex_unlock(&a->mu);
        sw__agent_log(a, "%s: refused: %s", name, reason);
        return;
    }
    struct sw__attempt *at = calloc(1, sizeof(*at));
    if (!at) {
        pthread_mutex_unlock(&a->mu);
        sw__agent_log(a, "%s: out of memory", name);
        return;
    }
    at->key = key;
    at->starting = true;
    at->next = a->attempts;
    a->attempts = at;
    a->nattempts++;
    pthread_mutex_unlock(&a->mu);

    struct sw__assignment as;
    struct sw_task_info info;
    memset(&info, 0, sizeof(info));
    info.start_status = 127;
    sw_error_t err = {{0}};
    int rc = sw__assignment_parse(o, &as, &err);
    if (rc < 0)
        sw_errprefix(&err, "the agent cannot read the assignment: ");
    else
        rc = a->backend->ops->start(a->backend, &as.spec, &info, &err);
    sw__assignment_free(&as);

    pthread_mutex_lock(&a->mu);
    at->starting = false;
    if (rc == 0) {
        at->paths[0] = strdup(info.stdout_path);
        at->paths[1] = strdup(info.stderr_path);
        at->started = true;
        if (at->stopped) { /* a stop came while it started */
            if (!at->ended)
                a->backend->ops->kill(a->backend, &key, SW_END_STOPPED);
            else
                sw__attempt_forget(a, at);
        } else {
            sw__event_push(a, &key, sw__event_new(&key, "running", info.start_ms), false);
            if (!a->quiet)
                sw__agent_log(a, "%s: running (pid %d, in %s)", name, (int)info.pid, info.dir);
            if (at->ended) /* it ended before start() returned: ship and report now */
                a->logs_kick = true;
        }
        pthread_cond_broadcast(&a->cv);
    } else {
        if (!at->stopped)
            push_start_failure(a, &key, info.start_status, err.text);
        sw__attempt_forget(a, at);
        sw__agent_log(a, "%s: cannot start: %s", name, err.text);
    }
    pthread_mutex_unlock(&a->mu);
}

static void handle_cancel(struct sw_agent *a, json_t *o)
{
    struct sw_unit_key key;
    if (!sw__key_from_json(o, &key))
        return;
    char name[128];
    sw__unit_name(&key, name, sizeof(name));
    pthread_mutex_lock(&a->mu);
    struct sw__attempt *at = sw__attempt_find(a, &key);
    if (at) {
        if (!at->stopped && at->started && !at->ended &&
            a->backend->ops->kill(a->backend, &key, SW_END_CANCELLED) == 0)
            sw__agent_log(a, "%s: cancelling", name);
        /* an attempt that ended already is reported as it ended */
    } else if (!sw__recently_forgotten(a, &key)) {
        /* never seen here (its assignment was lost on the way): nothing runs */
        json_t *ev = sw__event_new(&key, "cancelled", sw_agent_wall_ms());
        json_object_set_new(ev, "reason", json_string("cancelled before it started here"));
        sw__event_push(a, &key, ev, true);
        sw__remember_forgotten(a, &key);
    }
    pthread_mutex_unlock(&a->mu);
}

void *sw__poll_main(void *arg)
{
    struct sw_agent *a = arg;
    struct sw_agent_client *c = sw_agent_client_new(a->server, a->token, &a->abort_poll, NULL);
    int64_t backoff = 500;
    pthread_mutex_lock(&a->mu);
    while (c && !a->stopping) {
        if (!a->connected) {
            sw__agent_wait_ms(a, 1000);
            continue;
        }
        char path[128];
        int n = snprintf(path, sizeof(path), "/v1/agent/assignments?wait_s=%d", a->poll_wait_s);
        if (a->max_tasks > 0 && n > 0 && (size_t)n < sizeof(path)) {
            int room = a->max_tasks - running_count(a);
            snprintf(path + n, sizeof(path) - (size_t)n, "&max=%d", room > 0 ? room : 0);
        }
        pthread_mutex_unlock(&a->mu);
        struct sw_agent_reply r;
        int64_t t0 = sw_agent_mono_ms();
        int rc = sw_agent_client_get_json(c, path, a->poll_wait_s * 1000L + POLL_EXTRA_MS, &r);
        size_t got = 0;
        if (rc == 0) {
            json_t *list = json_object_get(r.json, "assignments");
            size_t i;
            json_t *o;
            json_array_foreach(list, i, o) {
                handle_assignment(a, o);
                got++;
            }
            json_array_foreach(json_object_get(r.json, "cancel"), i, o) {
                handle_cancel(a, o);
                got++;
            }
        }
        pthread_mutex_lock(&a->mu);
        if (rc < 0 && !a->stopping) {
            if (r.status == 0)
                sw__agent_lost_contact(a, r.error);
            else
                sw__agent_log(a, "assignments: %s", r.error);
            sw__agent_sleep_ms(a, backoff, true);
            backoff = backoff * 2 > 5000 ? 5000 : backoff * 2;
        } else if (rc == 0) {
            backoff = 500;
            if (got == 0 && sw_agent_mono_ms() - t0 < 50 && !a->stopping)
                sw__agent_sleep_ms(a, 200, true); /* an answer that did not wait: do not spin */
        }
        sw_agent_reply_clear(&r);
    }
    pthread_mutex_unlock(&a->mu);
    sw_agent_client_free(c);
    return NULL;
}

