/* controller_int.h — the controller's internals, shared by controller.c
 * (start, recovery, scheduling thread), ctl_jobs.c (submit, cancel, job
 * views) and api*.c (HTTP handlers). Everything here is guarded by
 * c->lock unless a comment says otherwise.
 */
#ifndef SW_SERVER_CONTROLLER_INT_H
#define SW_SERVER_CONTROLLER_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/jobspec.h"
#include "core/lifecycle.h"
#include "core/network.h"
#include "core/nodefit.h"
#include "core/placement.h"
#include "core/sched.h"
#include "server/auth.h"
#include "server/controller.h"
#include "server/http.h"
#include "server/prom.h"
#include "store/store.h"

#define CTL_NO_POOL ((size_t)-1)
#define CTL_SUMMARY_SITES 16      /* sites named in a job summary at most */
/* Units the scheduler places per hold of c->lock: a large array is placed
 * in slices, and submits waiting for the lock get it between them. */
#define CTL_PLACE_SLICE 2048

/* One unit of a job: a gang (all tasks) or one task of an array. */
struct ctl_unit {
    struct sw_job core;       /* first: the scheduler hands back &core */
    struct ctl_job *job;
    int64_t task;             /* task index, -1 for a gang */
    int64_t ntasks;
    uint32_t attempt;         /* 1, 2, … */
    enum sw_state state;
    size_t pool;              /* CTL_NO_POOL until placed */
    int site, nclass, model;  /* -1 until placed */
    int64_t est_start;        /* estimated start (Unix s) when placed */
    int64_t state_ms;         /* time of the last transition */
    uint64_t fence;           /* of the current dispatch; 0 = never dispatched */
    int64_t walltime_s;       /* the limit at its node class (scaled); the pool holds it
                                 for staging + this */
};

/* An attempt an agent must stop. */
struct ctl_stop {
    uint64_t job;
    int64_t task;
    uint32_t attempt;
    uint64_t fence;
    char reason[32];
};

/* One node class of a site against what its agent reports (ctl_capacity.c). */
struct ctl_class_hold {
    struct sw_class_fit fit;  /* declared / reported / schedulable nodes */
    struct sw_job missing;    /* stand-in running job: the declared nodes the site's
                                 Slurm does not have (RUNNING while held) */
    struct sw_job foreign;    /* stand-in running job: this class's share of the
                                 cores the site's other users hold (RUNNING while held) */
};

/* What the controller knows of a site's agent. */
struct ctl_site {
    int64_t last_seen_ms;     /* 0: no agent has registered yet */
    bool up;
    char agent_id[64];
    char hostname[128];
    char backend[32];
    json_t *capacity;         /* GET /v1/sites' reported_capacity: the capacity and
                                 node classes as reported, with the fit (owned;
                                 replaced, never changed: responses share it) */
    json_t *reported;         /* the agent's last "capacity" (owned) */
    json_t *reported_classes; /* its last "node_classes" (owned), NULL: none */
    struct sw_node_shape *shapes; /* the same, parsed (owned) */
    size_t nshapes;
    size_t first_pool;        /* the pool of its first node class */
    struct ctl_class_hold *holds; /* one per node class of the site (owned) */
    int64_t in_use_cores;     /* the agent's last "in_use" */
    struct ctl_unit **ready;  /* scheduled units waiting to be handed out */
    size_t nready, ready_cap;
    struct ctl_stop *cancels; /* attempts cancelled while at the agent */
    size_t ncancels, cancels_cap;
    uint64_t registrations;   /* counts registrations: a long poll that began
                                 before the latest one (perhaps of a dead
                                 agent) takes nothing */
};

struct ctl_event {
    uint64_t seq;
    int64_t task;
    uint32_t attempt;
    enum sw_state state;
    int64_t time_ms;
    char *detail;             /* JSON text or NULL */
};

struct ctl_job {
    uint64_t id;
    char tenant[SW_STORE_NAME_MAX];
    char idem[SW_STORE_KEY_MAX];
    int64_t submit_ms;
    char *spec_json;          /* normalized, as stored */
    struct sw_jobspec spec;
    struct sw_resolved res;   /* resolved against the network (valid: resolved) */
    bool resolved;
    struct ctl_unit *units;
    size_t nunits;
    bool queued_for_placement;
    struct ctl_event *events;
    size_t nevents, events_cap;
    char why[512];            /* why a unit is not placed, "" if nothing to say */
};

/* State transitions waiting to be written to the store, in order. */
struct ctl_pending_events {
    struct sw_store_event *ev;
    char **details;
    struct ctl_unit **units;  /* the unit of each event (fences are set from them) */
    size_t n, cap;
};

struct ctl_metrics {
    struct sw_prom_metric *submitted;     /* counter: jobs submitted */
    struct sw_prom_metric *placements;    /* counter: units placed */
    struct sw_prom_metric *pass_seconds;  /* histogram: scheduling pass latency */
    struct sw_prom_metric *http_seconds;  /* histogram{method,route,code} */
    struct sw_prom_metric *queue_depth;   /* gauge: pending units */
    struct sw_prom_metric *jobs_by_state; /* gauge{state} */
    struct sw_prom_metric *pflops_in_use; /* gauge{site} */
    struct sw_prom_metric *pflops_cap;    /* gauge{site} */
    struct sw_prom_metric *store_commits; /* counter */
    struct sw_prom_metric *store_writes;  /* counter */
};

struct sw_controller {
    struct sw_controller_config cfg;
    char data_dir[4096];
    pthread_mutex_t lock;
    atomic_int lock_wanted;   /* API requests waiting for c->lock (ctl_lock_api) */
    pthread_cond_t wake;
    pthread_t sched_thread;
    bool sched_started;
    bool stopping;

    struct sw_store *store;   /* thread-safe on its own: call it without c->lock */
    struct ctl_pending_events pending; /* transitions not yet written, in order */
    pthread_mutex_t flush_lock;        /* taken before c->lock, never after */
    struct sw_http *http;
    struct sw_prom *prom;     /* thread-safe on its own */
    struct ctl_metrics m;

    struct sw_network net;
    struct sw_placer *placer;
    struct sw_sched **pools;
    size_t npools;

    struct ctl_job **jobs;    /* sorted by id */
    size_t njobs, jobs_cap;
    struct ctl_job **toplace; /* jobs with units waiting to be placed, FIFO */
    size_t ntoplace, toplace_cap;

    struct ctl_site *sites;   /* net.nsites entries */
    pthread_cond_t agent_wake;/* work or cancels for some site */
    int64_t lost_after_ms;    /* heartbeat timeout */
    int64_t heartbeat_s;

    struct sw_store_tenant *tenants;
    size_t ntenants;
    struct sw_store_token *tokens;
    size_t ntokens;
};

/* Wall-clock time for the shell around the core. */
int64_t ctl_now_ms(void);

/* ---- jobs (ctl_jobs.c) ---- */

/* Find a job by id (NULL if none). */
struct ctl_job *ctl_job_find(struct sw_controller *c, uint64_t id);

/* A new in-memory job from its stored form. `parsed` is the job already
 * decoded (a submit: it is moved in and left zeroed), or NULL to parse
 * sj->spec_json (a restart). NULL with a message on a bad spec. */
struct ctl_job *ctl_job_new(const struct sw_store_job *sj, struct sw_jobspec *parsed,
                            sw_error_t *err);
void ctl_job_free(struct ctl_job *j);

/* Insert in id order. Returns 0 or -1 (ENOMEM). */
int ctl_job_insert(struct sw_controller *c, struct ctl_job *j);

/* Take c->lock for an API request, telling the scheduler, which steps
 * aside between placement slices while requests wait. */
void ctl_lock_api(struct sw_controller *c);

/* Queue a job for placement and wake the scheduler. */
int ctl_queue_placement(struct sw_controller *c, struct ctl_job *j);

/* Record a transition of unit u in memory (checked against the lifecycle
 * table) and append it to `out` for the store. Returns 0, or -1 if the
 * transition is not allowed (nothing changes). */
int ctl_transition(struct sw_controller *c, struct ctl_unit *u, enum sw_state to,
                   const char *detail, int64_t now_ms, struct ctl_pending_events *out);
/* Append one event (detail copied) to be written. Returns 0 or -1. */
int ctl_pending_push(struct ctl_pending_events *pe, const struct sw_store_event *ev,
                     const char *detail, struct ctl_unit *u);
/* Transitions go, in the order they happen, into one queue (c->pending);
 * `out` arguments are kept for the call sites' bookkeeping only.
 * ctl_flush_events() writes the whole queue durably, in order (serialized
 * by c->flush_lock, so the store's order is the memory order), sets the
 * fence of every unit whose dispatch it wrote, and frees `pe`. Call
 * without c->lock. When it returns 0, every transition made before the
 * call is durable. */
int ctl_flush_events(struct sw_controller *c, struct ctl_pending_events *pe, sw_error_t *err);
void ctl_pending_free(struct ctl_pending_events *pe);

/* Append an event to the job's in-memory history (detail is copied).
 * Returns 0 or -1 (ENOMEM). */
int ctl_job_add_event(struct ctl_job *j, const struct ctl_event *e);

/* The job's state from its units. */
enum sw_state ctl_job_state(const struct ctl_job *j);

/* JSON views: a summary (lists) or everything (GET /v1/jobs/{id}). */
json_t *ctl_job_summary_json(struct sw_controller *c, const struct ctl_job *j);
json_t *ctl_job_detail_json(struct sw_controller *c, const struct ctl_job *j);

/* Admission: can the job run anywhere in this network, and meet its
 * deadline and budget? Returns 0, or -1 with the reason. Holds c->lock. */
int ctl_admit(struct sw_controller *c, const struct sw_jobspec *js, sw_error_t *err);

/* Cancel every live unit of `j`: frees their capacity; events into pe. */
void ctl_cancel_job(struct sw_controller *c, struct ctl_job *j, int64_t now_ms,
                    struct ctl_pending_events *pe);

/* ---- agents (ctl_agents.c) ---- */
/* A unit was scheduled at its site: queue it for the site's agent. */
void ctl_site_push_ready(struct sw_controller *c, struct ctl_unit *u);
/* A unit at an agent was cancelled: tell the agent. */
void ctl_site_push_cancel(struct sw_controller *c, struct ctl_unit *u, const char *reason);
/* Start a new attempt of a unit that ended in a retryable state, if its job
 * has retries left; else leave it. Returns true when retried. */
bool ctl_retry(struct sw_controller *c, struct ctl_unit *u, const char *reason, int64_t now_ms,
               struct ctl_pending_events *pe);
/* Free the unit's capacity in its pool (it ended or left). */
void ctl_release(struct sw_controller *c, struct ctl_unit *u, int64_t now_ms);

/* ---- what sites can take (ctl_capacity.c) ---- */
/* Allocate c->sites for c->net (after the pools). -1 with a message. */
int ctl_sites_init(struct sw_controller *c, sw_error_t *err);
void ctl_sites_free(struct sw_controller *c);
/* Take in what an agent's register or heartbeat body says of its site:
 * "capacity", "node_classes" (at a slurm site they cap each declared node
 * class: the missing nodes are held as taken and the placer's capacity
 * filter is capped) and "in_use" (cores the site's other users hold, spread
 * over its node classes). -1 with a message naming the bad field. */
int ctl_site_report(struct sw_controller *c, int site, json_t *body, bool registering,
                    int64_t now_ms, sw_error_t *err);
/* Hold `cores` of the site's schedulable capacity for its other users (the
 * agent's "in_use"), first node class first, replacing what was held; 0
 * releases it. */
void ctl_site_foreign(struct sw_controller *c, int site, int64_t cores, int64_t now_ms);

/* Sites silent past the timeout: their work is lost and retried. */
void ctl_check_lost(struct sw_controller *c, int64_t now_ms, struct ctl_pending_events *pe);
/* Path of a log file (DIR/logs/JOB/TASK.ATTEMPT.STREAM). */
int ctl_log_path(struct sw_controller *c, uint64_t job, int64_t task, uint32_t attempt,
                 const char *stream, char *out, size_t n);

/* ---- auth (controller.c) ---- */
int ctl_auth(void *ctx, const char *token, struct sw_principal *out);
/* Create a token for tenant/role/site; writes the token text (shown once). */
int ctl_create_token(struct sw_controller *c, const char *tenant, enum sw_role role,
                     const char *site, const char *label, char token[SW_TOKEN_TEXT_MAX],
                     uint64_t *id, sw_error_t *err);
const struct sw_store_tenant *ctl_tenant_find(struct sw_controller *c, const char *name);

/* ---- the API (api.c, api_admin.c) ---- */
/* Parse the request body as JSON; on failure sets a 400 response, NULL. */
json_t *api_body_json(const struct sw_http_request *req, struct sw_http_response *res);
void api_tenants_create(void *ctx, const struct sw_http_request *req, struct sw_http_response *res);
void api_tenants_list(void *ctx, const struct sw_http_request *req, struct sw_http_response *res);
void api_tokens_create(void *ctx, const struct sw_http_request *req, struct sw_http_response *res);
void api_tokens_list(void *ctx, const struct sw_http_request *req, struct sw_http_response *res);
void api_tokens_revoke(void *ctx, const struct sw_http_request *req, struct sw_http_response *res);
void api_agent_register(void *ctx, const struct sw_http_request *req, struct sw_http_response *res);
void api_agent_heartbeat(void *ctx, const struct sw_http_request *req,
                         struct sw_http_response *res);
void api_agent_assignments(void *ctx, const struct sw_http_request *req,
                           struct sw_http_response *res);
void api_agent_events(void *ctx, const struct sw_http_request *req, struct sw_http_response *res);
void api_agent_logs(void *ctx, const struct sw_http_request *req, struct sw_http_response *res);
void api_jobs_logs(void *ctx, const struct sw_http_request *req, struct sw_http_response *res);
extern const struct sw_route sw__api_routes[];
extern const size_t sw__api_nroutes;
void ctl_observe_request(void *ctx, const char *route, const char *method, int status,
                         double seconds);

#endif
