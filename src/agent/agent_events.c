/* agent_events.c — the agent's event queue and the thread that sends it
 * (POST /v1/agent/events, docs/agent-protocol.md).
 *
 * Events are kept in the order they happened. The sender posts the oldest
 * ones (up to EVENTS_BATCH at a time) and removes them only when the
 * controller has answered 2xx, so an outage loses nothing: after it, the same
 * events go again, in the same order (the controller ignores one it already
 * has). A final event acknowledged lets the agent forget its attempt; the
 * `stale` list of the answer names attempts to kill and forget.
 */
#include "agent/agent_int.h"

#include <stdlib.h>

#define EVENTS_BATCH 500
#define EVENTS_TIMEOUT_MS 15000L

json_t *sw__event_new(const struct sw_unit_key *key, const char *state, int64_t time_ms)
{
    return json_pack("{s:I,s:I,s:I,s:I,s:s,s:I}", "job", (json_int_t)key->job, "task",
                     (json_int_t)key->task, "attempt", (json_int_t)key->attempt, "fence",
                     (json_int_t)key->fence, "state", state, "time_ms", (json_int_t)time_ms);
}

json_t *sw__event_final(const struct sw_task_end *end)
{
    const char *state;
    switch (end->kind) {
    case SW_END_STOPPED:
        return NULL;
    case SW_END_CANCELLED:
        state = "cancelled";
        break;
    case SW_END_EXITED:
        state = end->exit_status == 0 && end->signal == 0 ? "completed" : "failed";
        break;
    default:
        state = "failed";
        break;
    }
    json_t *ev = sw__event_new(&end->key, state, end->time_ms);
    json_object_set_new(ev, "exit_status", json_integer(end->exit_status));
    if (end->signal)
        json_object_set_new(ev, "signal", json_integer(end->signal));
    if (end->reason[0])
        json_object_set_new(ev, "reason", json_string(end->reason));
    return ev;
}

void sw__event_push(struct sw_agent *a, const struct sw_unit_key *key, json_t *obj, bool final)
{
    if (!obj)
        return;
    struct sw__event *e = calloc(1, sizeof(*e));
    if (!e) {
        sw__agent_log(a, "out of memory: an event is lost");
        json_decref(obj);
        return;
    }
    e->key = *key;
    e->obj = obj;
    e->final = final;
    *a->ev_tail = e;
    a->ev_tail = &e->next;
    a->nevents++;
    pthread_cond_broadcast(&a->cv);
}

/* Remove the events `pred` selects (caller holds mu); the tail stays right. */
static void remove_events(struct sw_agent *a, bool (*pred)(const struct sw__event *, const void *),
                          const void *arg, void (*each)(struct sw_agent *, struct sw__event *))
{
    struct sw__event **link = &a->ev_head;
    while (*link) {
        struct sw__event *e = *link;
        if (pred(e, arg)) {
            *link = e->next;
            a->nevents--;
            if (each)
                each(a, e);
            json_decref(e->obj);
            free(e);
        } else {
            link = &e->next;
        }
    }
    a->ev_tail = link;
}

static bool is_key_idle(const struct sw__event *e, const void *arg)
{
    /* events being posted stay: the answer will say they are stale */
    return !e->inflight && sw_unit_key_eq(&e->key, arg);
}

void sw__event_drop(struct sw_agent *a, const struct sw_unit_key *key)
{
    remove_events(a, is_key_idle, key, NULL);
}

static bool is_inflight(const struct sw__event *e, const void *arg)
{
    (void)arg;
    return e->inflight;
}

/* A sent final event: its attempt is done with. */
static void after_sent(struct sw_agent *a, struct sw__event *e)
{
    if (!e->final)
        return;
    struct sw__attempt *at = sw__attempt_find(a, &e->key);
    if (!at)
        return;
    at->stopped = true; /* forget it */
    if (!at->logs_busy && !at->starting)
        sw__attempt_forget(a, at);
}

void *sw__events_main(void *arg)
{
    struct sw_agent *a = arg;
    struct sw_agent_client *c = sw_agent_client_new(a->server, a->token, &a->abort_all, NULL);
    int64_t backoff = 500;
    pthread_mutex_lock(&a->mu);
    while (c && !a->finishing) {
        if (!a->ev_head || !a->connected) {
            sw__agent_wait_ms(a, 1000);
            continue;
        }
        json_t *list = json_array();
        size_t n = 0;
        for (struct sw__event *e = a->ev_head; e && n < EVENTS_BATCH; e = e->next, n++) {
            e->inflight = true;
            json_array_append(list, e->obj);
        }
        pthread_mutex_unlock(&a->mu);
        json_t *body = json_pack("{s:o}", "events", list);
        struct sw_agent_reply r;
        int rc = sw_agent_client_post_json(c, "/v1/agent/events", body, EVENTS_TIMEOUT_MS, &r);
        json_decref(body);
        pthread_mutex_lock(&a->mu);
        if (rc == 0) {
            remove_events(a, is_inflight, NULL, after_sent);
            json_t *stale = json_object_get(r.json, "stale");
            if (json_is_array(stale) && json_array_size(stale) > 0)
                sw__agent_apply_stop(a, stale, "a stale report");
            backoff = 500;
        } else if (r.status == 400 || r.status == 413 || r.status == 422) {
            /* the controller will never take these: do not wedge the queue */
            sw__agent_log(a, "the controller refused %zu events (%s); dropping them", n,
                          r.error);
            remove_events(a, is_inflight, NULL, after_sent);
        } else {
            for (struct sw__event *e = a->ev_head; e; e = e->next)
                e->inflight = false;
            if (r.status == 0)
                sw__agent_lost_contact(a, r.error);
            else
                sw__agent_log(a, "events: %s; will resend", r.error);
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
