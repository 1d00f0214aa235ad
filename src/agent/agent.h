/* agent.h — the site agent daemon (`suanwang agent`), the agent's side of
 * docs/agent-protocol.md; how to run it is in docs/agent.md.
 *
 * sw_agent_start registers with the controller (retrying for up to
 * `connect_timeout_s` while it cannot be reached; a refused token or a
 * token of another site fails at once) and starts the threads:
 *   - poll: long-polls GET /v1/agent/assignments, starts each assignment on
 *     the backend and reports it `running` (or `failed` when it cannot start),
 *     and kills what the controller cancels;
 *   - heartbeat: every heartbeat_s, with the list of attempts the agent still
 *     has; it registers again after an outage; both answers' `stop` lists
 *     are applied (kill, forget, never report);
 *   - events: sends the ordered event queue; an event leaves the queue only
 *     once the controller has answered it, so an outage loses nothing and a
 *     resend after it is in the original order;
 *   - logs: ships new bytes of each attempt's stdout and stderr with their
 *     offsets (on 409 it resumes from the size the controller has); an
 *     attempt's final event is queued only after its logs are all shipped,
 *     so a user who sees the end also sees all the output.
 * While the controller is unreachable the tasks keep running and their
 * events wait in the queue.
 */
#ifndef SW_AGENT_AGENT_H
#define SW_AGENT_AGENT_H

#include <jansson.h>
#include <stdbool.h>

#include "agent/discover.h"
#include "util/error.h"

struct sw_agent_config {
    const char *server;        /* "http://host:port" */
    const char *token;         /* an agent token of `site` */
    const char *site;
    const char *backend;       /* "local" (NULL: local) */
    const char *work_dir;      /* absolute; created if missing */
    const char *run_as;        /* task user when root; NULL: nobody */
    const struct sw_capacity *capacity; /* what to register; copied */
    int max_tasks;             /* units at once; 0: unlimited */
    int kill_grace_ms;         /* SIGTERM -> SIGKILL; 0: 10 s */
    int connect_timeout_s;     /* how long the first registration may retry */
    int poll_wait_s;           /* long-poll wait; 0: 20 s */
    bool quiet;                /* no line per task */
};

struct sw_agent;

/* Start the agent (see above). Returns NULL with a message: controller
 * unreachable, token refused, wrong site, bad work directory, … */
struct sw_agent *sw_agent_start(const struct sw_agent_config *cfg, sw_error_t *err);

/* Stop taking work and shut down. With `kill_tasks`, every running task is
 * killed (SIGTERM, SIGKILL after the grace) and reported `failed` ("killed:
 * the agent shut down"), and the agent waits up to `flush_s` seconds for the
 * controller to take the last logs and events; without, the tasks are left
 * running, unreported (the controller marks them lost after lost_after_s).
 * Frees the agent; accepts NULL. */
void sw_agent_stop(struct sw_agent *a, bool kill_tasks, int flush_s);

/* The "node_classes" of a register or heartbeat body (new reference):
 * [{"name", "count", "cores", "mem_mib", "accelerators": [{"model",
 * "count"}]}] (docs/agent-protocol.md). */
json_t *sw_agent_node_classes_json(const struct sw_node_classes *cl);

/* The site name the controller confirmed at registration. */
const char *sw_agent_site(const struct sw_agent *a);

#endif
