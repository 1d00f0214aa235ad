/* backend.h — how a site agent runs work: the backend ops table.
 *
 * The agent (agent.c) speaks the protocol with the controller; a backend runs
 * the units it is given and says when each one ends. `local` (backend_local.c)
 * runs processes on this machine; `slurm` drives a site's Slurm
 * behind the same table (backend_slurm.c).
 *
 * A unit is one assignment of docs/agent-protocol.md: all the tasks of a gang
 * (key.task == -1, `ntasks` processes) or one task of an array (key.task >= 0,
 * one process), in one attempt, under one fence.
 *
 * Ending: each backend watches its units itself (the local one in a monitor
 * thread) and calls the `on_end` callback of its config exactly once per unit
 * that `start` accepted, from that thread, with no backend lock held. The
 * callback must not block for long and must not call `destroy`; it may call
 * `kill` and `start`. After `on_end` the backend has forgotten the unit.
 */
#ifndef SW_AGENT_BACKEND_H
#define SW_AGENT_BACKEND_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "agent/discover.h"
#include "util/error.h"

/* The identity of one attempt of one unit, as in every protocol report. */
struct sw_unit_key {
    int64_t job;
    int64_t task;    /* -1: the whole gang */
    int64_t attempt;
    int64_t fence;
};

static inline bool sw_unit_key_eq(const struct sw_unit_key *a, const struct sw_unit_key *b)
{
    return a->job == b->job && a->task == b->task && a->attempt == b->attempt &&
           a->fence == b->fence;
}

/* What to run. Everything is borrowed for the duration of `start` only. */
struct sw_task_spec {
    struct sw_unit_key key;
    int64_t ntasks;            /* tasks of the job: SUANWANG_TASKS; a gang starts them all */
    const char *name;          /* for messages; may be NULL */
    char *const *argv;         /* NULL-terminated; NULL when `script` is set */
    const char *script;        /* "#!…" text, run as a file; NULL when `argv` is set */
    char *const *env;          /* "K=V" strings, NULL-terminated; may be NULL */
    const char *workdir;       /* NULL: a fresh directory under the attempt's */
    int64_t cores;             /* per task */
    int64_t mem_mib;           /* per task; 0: no limit */
    int64_t accelerators;      /* whole devices per task */
    const char *accel_model;   /* NULL or "": any of the agent's devices */
    int64_t walltime_s;        /* 0: none */
    const char *tenant;        /* the job's tenant; may be NULL (a site's Slurm account map) */
    const char *qos;           /* its QoS class ("batch", …); may be NULL (Slurm QoS map) */
};

/* Where a started unit keeps its files (for the log shipper). */
struct sw_task_info {
    char dir[PATH_MAX];        /* WORK/JOB/TASK.ATTEMPT ("gang.ATTEMPT" for a gang) */
    char stdout_path[PATH_MAX];
    char stderr_path[PATH_MAX];
    pid_t pid;                 /* the first task's process (local backend) */
    int64_t start_ms;          /* when it started (wall clock, ms since the epoch) */
    int start_status;          /* when start fails: 126 cannot execute, 127 not found
                                * or could not be set up */
};

enum sw_end_kind {
    SW_END_EXITED = 0,   /* ended by itself: exit status, or killed by a signal */
    SW_END_WALLTIME,     /* killed at its walltime */
    SW_END_CANCELLED,    /* killed by kill(SW_END_CANCELLED): a cancel */
    SW_END_STOPPED,      /* killed by kill(SW_END_STOPPED): a stop, to be forgotten */
    SW_END_SHUTDOWN,     /* killed because the agent shuts down */
};

struct sw_task_end {
    struct sw_unit_key key;
    enum sw_end_kind kind;
    int exit_status;     /* 0..255; 128+N when killed by signal N */
    int signal;          /* the signal that ended it, 0 if none */
    int64_t time_ms;     /* wall clock, ms since the epoch */
    char reason[256];    /* empty when it exited 0 */
};

/* Called once per unit that ended; `end` is valid for the call only. */
typedef void (*sw_agent_end_f)(void *arg, const struct sw_task_end *end);

/* A line for the agent's log (no newline). */
typedef void (*sw_agent_log_f)(void *arg, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

struct sw_agent_backend_config {
    const char *work_dir;           /* absolute; must exist */
    const char *site;               /* SUANWANG_SITE */
    const struct sw_device *devices;/* copied */
    size_t ndevices;
    const char *run_as;             /* user to run tasks as when root; NULL: "nobody" */
    int kill_grace_ms;              /* SIGTERM -> SIGKILL; 0: 10 s */
    sw_agent_end_f on_end;
    sw_agent_log_f log;             /* may be NULL */
    void *arg;                      /* for on_end and log */
};

struct sw_agent_backend;

struct sw_agent_backend_ops {
    const char *name;
    /* Start a unit. Returns 0, or -1 with a message (then on_end is never
     * called for it and info->start_status says why). */
    int (*start)(struct sw_agent_backend *b, const struct sw_task_spec *spec,
                 struct sw_task_info *info, sw_error_t *err);
    /* SIGTERM the unit's processes (every process group), SIGKILL after the
     * grace period; its end is reported with kind `why` (CANCELLED, STOPPED
     * or SHUTDOWN). Returns 0, or -1 with ENOENT when the unit is unknown or
     * already ended. The first kill of a unit decides its kind. */
    int (*kill)(struct sw_agent_backend *b, const struct sw_unit_key *key, enum sw_end_kind why);
    /* The keys of the units still running, up to `max`; returns how many
     * there are (which may exceed `max`). */
    size_t (*list)(struct sw_agent_backend *b, struct sw_unit_key *keys, size_t max);
    /* The agent is done with the unit (its final event was acknowledged, or
     * the controller said to stop it): the backend may drop what it keeps to
     * report the unit to an agent started after a crash (the local
     * backend's records). May be NULL; unknown keys are ignored. */
    void (*forget)(struct sw_agent_backend *b, const struct sw_unit_key *key);
    /* Cores the site's other users hold (work not from suanwang), or -1
     * when the backend cannot tell. May be NULL (same as -1). */
    int64_t (*foreign_cores)(struct sw_agent_backend *b);
    /* The site's node classes as the backend last read them (a Slurm
     * site's nodes in service, re-read every few seconds); -1 when the
     * backend has none of its own (the agent's discovery stands). May be
     * NULL (same as -1). */
    int (*node_classes)(struct sw_agent_backend *b, struct sw_node_classes *out);
    /* Stop the backend. With `kill_tasks`, kill every unit (kind SHUTDOWN),
     * report each end through on_end and wait until all are reaped; without,
     * leave them running, unreported. Accepts NULL. */
    void (*destroy)(struct sw_agent_backend *b, bool kill_tasks);
};

/* Every backend's struct starts with this. */
struct sw_agent_backend {
    const struct sw_agent_backend_ops *ops;
};

/* Create a backend by name ("local"). Returns NULL with a message for an
 * unknown name or a bad configuration (e.g. no such --run-as user, or a
 * work directory another agent holds). The local backend locks WORK/.lock
 * and adopts the tasks a previous agent left there, running or ended
 * (backend_local_adopt.c); `list` returns them, and they end only after the
 * first `list`. */
struct sw_agent_backend *sw_agent_backend_create(const char *name, const struct sw_agent_backend_config *cfg,
                                     sw_error_t *err);

/* The local backend (backend_local.c). */
struct sw_agent_backend *sw_agent_backend_local_create(const struct sw_agent_backend_config *cfg,
                                           sw_error_t *err);

/* Wall clock in ms since the epoch, and a monotonic clock in ms. */
int64_t sw_agent_wall_ms(void);
int64_t sw_agent_mono_ms(void);

#endif
