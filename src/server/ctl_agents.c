/* ctl_agents.c — the controller's side of the site agents
 * (docs/agent-protocol.md): per-site queues of work and cancellations,
 * releasing capacity, retries as new attempts, and agents lost past the
 * heartbeat timeout. All functions run with c->lock held.
 */
#include "server/controller_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ctl_site_push_ready(struct sw_controller *c, struct ctl_unit *u)
{
    struct ctl_site *s = &c->sites[u->site];
    if (s->nready == s->ready_cap) {
        size_t cap = s->ready_cap ? s->ready_cap * 2 : 64;
        struct ctl_unit **n = realloc(s->ready, cap * sizeof(*n));
        if (!n)
            return; /* the unit stays scheduled; a restart or lost check requeues it */
        s->ready = n;
        s->ready_cap = cap;
    }
    s->ready[s->nready++] = u;
    pthread_cond_broadcast(&c->agent_wake);
}

void ctl_site_push_cancel(struct sw_controller *c, struct ctl_unit *u, const char *reason)
{
    if (u->site < 0)
        return;
    struct ctl_site *s = &c->sites[u->site];
    if (s->ncancels == s->cancels_cap) {
        size_t cap = s->cancels_cap ? s->cancels_cap * 2 : 16;
        struct ctl_stop *n = realloc(s->cancels, cap * sizeof(*n));
        if (!n)
            return; /* the agent learns at its next heartbeat (stale fence) */
        s->cancels = n;
        s->cancels_cap = cap;
    }
    struct ctl_stop *st = &s->cancels[s->ncancels++];
    *st = (struct ctl_stop){.job = u->job->id, .task = u->task, .attempt = u->attempt,
                            .fence = u->fence};
    snprintf(st->reason, sizeof(st->reason), "%s", reason);
    pthread_cond_broadcast(&c->agent_wake);
}

void ctl_release(struct sw_controller *c, struct ctl_unit *u, int64_t now_ms)
{
    if (u->pool == CTL_NO_POOL)
        return;
    if (u->core.state == SW_JOB_RUNNING)
        sw_sched_complete(c->pools[u->pool], &u->core, now_ms / 1000);
    else if (u->core.state == SW_JOB_PENDING)
        sw_sched_cancel(c->pools[u->pool], &u->core, now_ms / 1000);
    pthread_cond_signal(&c->wake); /* capacity came back: schedule */
}

bool ctl_retry(struct sw_controller *c, struct ctl_unit *u, const char *reason, int64_t now_ms,
               struct ctl_pending_events *pe)
{
    struct ctl_job *j = u->job;
    if ((int64_t)u->attempt > j->spec.retries)
        return false;
    u->attempt++;
    u->state = SW_ST_PENDING;
    u->state_ms = now_ms;
    u->pool = CTL_NO_POOL;
    u->site = u->nclass = u->model = -1;
    u->fence = 0;
    json_t *dj = json_pack("{s:b,s:s}", "retry", 1, "reason", reason ? reason : "");
    char *dtxt = dj ? json_dumps(dj, JSON_COMPACT) : NULL;
    json_decref(dj);
    const char *detail = dtxt ? dtxt : "{\"retry\":true}";
    struct ctl_event mem = {.task = u->task, .attempt = u->attempt, .state = SW_ST_PENDING,
                            .time_ms = now_ms, .detail = (char *)(uintptr_t)detail};
    ctl_job_add_event(j, &mem);
    (void)pe; /* the new attempt's first state, durable like any transition */
    struct sw_store_event ev = {.job_id = j->id, .task = u->task, .attempt = u->attempt,
                                .state = SW_ST_PENDING, .time_ms = now_ms};
    ctl_pending_push(&c->pending, &ev, detail, u);
    free(dtxt);
    ctl_queue_placement(c, j);
    return true;
}

/* Every dispatched or running unit of a silent site is lost; scheduled ones
 * go back to pending. Both are placed again (elsewhere: the site is out of
 * service until its agent returns). */
static void site_lost(struct sw_controller *c, int site, int64_t now_ms,
                      struct ctl_pending_events *pe)
{
    for (size_t k = 0; k < c->njobs; k++) {
        struct ctl_job *j = c->jobs[k];
        for (size_t i = 0; i < j->nunits; i++) {
            struct ctl_unit *u = &j->units[i];
            if (u->site != site)
                continue;
            if (u->state == SW_ST_DISPATCHED || u->state == SW_ST_RUNNING) {
                ctl_release(c, u, now_ms);
                ctl_transition(c, u, SW_ST_LOST,
                               "{\"reason\":\"the site's agent missed its heartbeats\"}", now_ms,
                               pe);
                if (!ctl_retry(c, u, "lost", now_ms, pe))
                    snprintf(j->why, sizeof(j->why), "lost at %s and out of retries",
                             c->net.sites[site].name);
            } else if (u->state == SW_ST_SCHEDULED) {
                ctl_release(c, u, now_ms);
                ctl_transition(c, u, SW_ST_PENDING,
                               "{\"reason\":\"the site's agent is down\"}", now_ms, pe);
                u->pool = CTL_NO_POOL;
                u->site = u->nclass = u->model = -1;
                ctl_queue_placement(c, j);
            }
        }
    }
    c->sites[site].nready = 0;
}

void ctl_check_lost(struct sw_controller *c, int64_t now_ms, struct ctl_pending_events *pe)
{
    for (size_t s = 0; s < c->net.nsites; s++) {
        struct ctl_site *st = &c->sites[s];
        if (!st->up || now_ms - st->last_seen_ms <= c->lost_after_ms)
            continue;
        st->up = false;
        ctl_site_foreign(c, (int)s, 0, now_ms);
        sw_placer_site_enabled(c->placer, (int)s, false);
        fprintf(stderr, "suanwang server: site %s: no heartbeat for %lld s: its work is lost "
                        "and will be retried elsewhere\n",
                c->net.sites[s].name, (long long)((now_ms - st->last_seen_ms) / 1000));
        site_lost(c, (int)s, now_ms, pe);
    }
}

int ctl_log_path(struct sw_controller *c, uint64_t job, int64_t task, uint32_t attempt,
                 const char *stream, char *out, size_t n)
{
    char t[32];
    if (task < 0)
        snprintf(t, sizeof(t), "gang");
    else
        snprintf(t, sizeof(t), "%lld", (long long)task);
    int k = snprintf(out, n, "%s/logs/%llu/%s.%u.%s", c->data_dir, (unsigned long long)job, t,
                     attempt, stream);
    return k < 0 || (size_t)k >= n ? -1 : 0;
}
