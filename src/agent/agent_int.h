/* agent_int.h — internals of the site agent shared by agent.c (life cycle,
 * registration, heartbeat, the attempt table), agent_poll.c (assignments
 * and cancels), agent_events.c (the event queue) and agent_logs.c (the log
 * shipper). Not for other modules.
 *
 * One mutex (`mu`) guards the attempt table, the event queue and the
 * connection state; one condition variable (`cv`, always broadcast) wakes the
 * threads, each of which re-checks what it waits for. Lock order: the agent's
 * `mu`, then the backend's own lock (the backend calls on_end with no lock of
 * its own held).
 */
#ifndef SW_AGENT_AGENT_INT_H
#define SW_AGENT_AGENT_INT_H

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "agent/agent.h"
#include "agent/backend.h"
#include "agent/client.h"

#define SW_AGENT_RECENT 4096 /* keys of forgotten attempts remembered */

/* One attempt the agent has: from the assignment until its final event is
 * acknowledged (or a stop makes the agent forget it). */
struct sw__attempt {
    struct sw_unit_key key;
    bool starting;          /* the poll thread is starting it (do not free) */
    bool started;           /* backend start succeeded; "running" queued */
    bool ended;             /* the backend reported its end (`end`) */
    bool final_queued;      /* its final event is in the queue */
    bool stopped;           /* to forget: killed, never reported */
    struct sw_task_end end;
    char *paths[2];         /* stdout, stderr */
    int64_t shipped[2];     /* bytes the controller has */
    bool logs_refused;      /* the controller refused its logs (stale) */
    bool logs_busy;         /* the shipper is reading its files (no free) */
    struct sw__attempt *next;
};

struct sw__event {
    struct sw_unit_key key;
    json_t *obj;
    bool final;             /* the last event of its attempt */
    bool inflight;          /* being posted by the sender */
    struct sw__event *next;
};

struct sw_agent {
    /* configuration (copied) */
    char *server, *token, *site, *backend_name, *work_dir;
    struct sw_capacity cap;
    int max_tasks;
    int poll_wait_s;
    bool quiet;
    char agent_id[40];
    char hostname[256];

    struct sw_agent_backend *backend;

    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct sw__attempt *attempts;
    size_t nattempts;
    struct sw__event *ev_head, **ev_tail;
    size_t nevents;
    struct sw_unit_key recent[SW_AGENT_RECENT]; /* ring of forgotten keys */
    size_t nrecent;
    bool connected;         /* the last request reached the controller */
    bool need_register;     /* register again (after an outage) */
    bool stopping;          /* shutting down: no new work */
    bool finishing;         /* the last flush is over: threads exit */
    bool logs_kick;         /* an attempt ended: ship its logs now */
    int64_t heartbeat_s;
    int64_t lost_after_s;

    atomic_bool abort_poll; /* ends the long-poll transfer */
    atomic_bool abort_all;  /* ends every transfer */

    pthread_t t_poll, t_heartbeat, t_events, t_logs;
    bool have_poll, have_heartbeat, have_events, have_logs;
};

/* ---- agent.c ---- */

/* Read job, task, attempt and fence of a JSON object; false when one is not
 * an integer. */
bool sw__key_from_json(json_t *o, struct sw_unit_key *k);

/* "job 12 task 3 attempt 1" (or "job 12 attempt 1" for a gang). */
void sw__unit_name(const struct sw_unit_key *k, char *out, size_t n);

/* Was an attempt with this key forgotten lately? Remember that it was.
 * (caller holds mu) */
bool sw__recently_forgotten(const struct sw_agent *a, const struct sw_unit_key *key);
void sw__remember_forgotten(struct sw_agent *a, const struct sw_unit_key *key);

/* Log a line on stderr with a timestamp (thread-safe). */
void sw__agent_log(const struct sw_agent *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Wait on cv for up to `ms` (caller holds mu; spurious wake-ups happen). */
void sw__agent_wait_ms(struct sw_agent *a, int64_t ms);

/* Sleep `ms` on cv, or less once the agent finishes (or, for the `poller`,
 * once it stops taking work). Caller holds mu. */
void sw__agent_sleep_ms(struct sw_agent *a, int64_t ms, bool poller);

/* The attempt with exactly this key, or NULL (caller holds mu). */
struct sw__attempt *sw__attempt_find(struct sw_agent *a, const struct sw_unit_key *key);

/* Remove an attempt from the table, remember its key as forgotten and free
 * it (caller holds mu). */
void sw__attempt_forget(struct sw_agent *a, struct sw__attempt *at);

/* Apply a `stop` or `stale` list: kill each named attempt and forget it
 * (caller holds mu). `why` names the source for the log. */
void sw__agent_apply_stop(struct sw_agent *a, json_t *list, const char *why);

/* Note that a request failed for lack of a controller: mark the agent
 * disconnected so that it registers again (caller holds mu). */
void sw__agent_lost_contact(struct sw_agent *a, const char *error);

/* ---- agent_events.c ---- */

/* Queue an event (caller holds mu); takes `obj`. */
void sw__event_push(struct sw_agent *a, const struct sw_unit_key *key, json_t *obj, bool final);

/* The final event of an ended attempt (new reference), or NULL when the
 * attempt is not to be reported. */
json_t *sw__event_final(const struct sw_task_end *end);

/* An event object with the key, state and time (new reference). */
json_t *sw__event_new(const struct sw_unit_key *key, const char *state, int64_t time_ms);

/* Drop queued events of `key` (caller holds mu). */
void sw__event_drop(struct sw_agent *a, const struct sw_unit_key *key);

/* The event sender thread. */
void *sw__events_main(void *arg);

/* ---- agent_poll.c ---- */

/* One assignment of GET /v1/agent/assignments, read for the backend. */
struct sw__assignment {
    struct sw_task_spec spec; /* its strings point into the JSON object */
    char **argv;            /* pointers into the JSON */
    char **env;             /* "K=V", owned */
    size_t nenv;
};

/* Read an assignment object (docs/agent-protocol.md); -1 with a message
 * when it makes no sense. `as` must be freed with sw__assignment_free()
 * either way; `o` must outlive it. Pure: exposed for the fuzz target. */
int sw__assignment_parse(json_t *o, struct sw__assignment *as, sw_error_t *err);
void sw__assignment_free(struct sw__assignment *as);

/* The long-poll thread. */
void *sw__poll_main(void *arg);

/* ---- agent_logs.c ---- */

/* The log shipper thread. */
void *sw__logs_main(void *arg);

#endif
