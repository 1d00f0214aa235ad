/* backend_local_int.h — internals of the local backend, shared by
 * backend_local.c (units, the monitor thread, the ops table),
 * backend_local_spawn.c (making a task process) and backend_local_procs.c
 * (the work directory: its lock, the records of live processes, the task
 * user). Not for other modules. Files that include it define _GNU_SOURCE.
 */
#ifndef SW_AGENT_BACKEND_LOCAL_INT_H
#define SW_AGENT_BACKEND_LOCAL_INT_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "agent/backend.h"

#define SW_LOCAL_DEFAULT_PATH "/usr/local/bin:/usr/bin:/bin"

/* One task process and its supervisor (supervisor.c). */
struct sw__proc {
    pid_t sup;          /* the supervisor; 0 when unknown (adopted, no record) */
    int64_t sup_start;  /* its start time in clock ticks after boot (/proc/PID/stat) */
    pid_t pid;          /* the task process, leader of its process group */
    int64_t start;      /* its start time, likewise */
    int pidfd;          /* of the supervisor; -1 without pidfds */
    bool child;         /* the supervisor is this agent's child (reap it) */
    bool done;          /* the supervisor ended: the fields below are set */
    bool lost;          /* ... without leaving a status file */
    int code, sig;      /* the task's exit code, or the signal that ended it */
    int64_t ended_ms;   /* wall clock */
};

/* One started unit: its processes (one, or a gang's), deadlines and
 * devices. Listed in `units` from start() (or adoption) until the monitor
 * thread, which alone removes and frees units, reports its end. */
struct sw__unit {
    struct sw_unit_key key;
    char dir[PATH_MAX];   /* the attempt directory */
    struct sw__proc *procs;
    size_t nprocs;
    size_t nlive;
    int64_t walltime_s;
    int64_t start_ms;     /* wall clock */
    int64_t deadline_ms;  /* monotonic; 0: no walltime */
    int64_t kill_at_ms;   /* monotonic; 0: no SIGKILL pending */
    bool term_sent;
    bool adopted;         /* taken over from a previous agent */
    bool forgotten;       /* the agent is done with it: drop its records at its end */
    enum sw_end_kind kind;
    int first_fail;       /* index of the first process that ended badly, or -1 */
    int *devs;            /* indexes into the backend's device table */
    size_t ndevs;
    struct sw__unit *next;
};

/* Did the process end badly (or without a status)? */
static inline bool sw__local_proc_bad(const struct sw__proc *p)
{
    return p->lost || p->sig != 0 || p->code != 0;
}

/* The backend. */
struct sw__local {
    struct sw_agent_backend base;
    char *work_dir;
    char *site;
    struct sw_device *devices;
    bool *dev_busy;
    size_t ndevices;
    int grace_ms;
    sw_agent_end_f on_end;
    void *arg;

    bool drop;            /* running as root: switch to uid/gid in the child */
    uid_t uid;
    gid_t gid;
    char user[64];

    pthread_mutex_t mu;
    struct sw__unit *units;   /* guarded by mu */
    size_t nunits;
    bool stopping;        /* no new units; exit the monitor once all ended */
    bool stop_now;        /* exit the monitor now, leaving units running */
    bool have_pidfd;
    bool hold_adopted;    /* adopted units wait for `list` before they end */
    int wake[2];
    pthread_t monitor;

    int lock_fd;          /* WORK/.lock, flock'ed: one agent per work directory */
    char procs_dir[PATH_MAX]; /* WORK/.procs: a file per live task process */
};

/* Everything one child needs, built before it is created. */
struct sw__child_args {
    char *const *argv;
    char **envp;
    char **paths;         /* candidate program paths, NULL-terminated */
    const char *cwd;
    int fd_in, fd_out, fd_err, fd_report;
    struct rlimit as, nofile, core;
    bool set_as;
    bool drop;
    uid_t uid;
    gid_t gid;
    int max_fd;
};

/* ---- backend_local_spawn.c ---- */

/* Format a path into `out`; false when it does not fit. */
bool sw__local_path_fmt(char *out, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Free a NULL-terminated array of strings and the strings; accepts NULL. */
void sw__local_free_strv(char **v);

/* The environment of the process of rank `rank` (0 unless a gang): the
 * job's, then PATH and HOME (`home`) when the job has none, then the agent's
 * variables, which win; `devlist` is the CUDA_VISIBLE_DEVICES value. NULL
 * when out of memory. */
char **sw__local_build_env(const struct sw__local *L, const struct sw_task_spec *spec,
                           int64_t rank, const char *devlist, const char *home);

/* Where to look for `prog`: itself when it has a '/', else each directory
 * of the job's PATH. NULL when out of memory. */
char **sw__local_build_paths(const char *prog, char *const *env);

/* Open a fresh output file (0600, close-on-exec, never fd 0..2); -1 with errno. */
int sw__local_open_output(const char *path);

/* Write a job script (0700, owned by the task user). */
int sw__local_write_script(const struct sw__local *L, const char *path, const char *text,
                           sw_error_t *err);

/* What a child reports when it cannot reach execve (STEP_FORK: it could
 * not be created). */
enum sw__child_step {
    STEP_SETUP = 1, STEP_RLIMIT, STEP_SETGID, STEP_SETUID, STEP_CHDIR, STEP_EXEC, STEP_FORK
};

struct child_msg {
    int step;
    int err;
};

/* Start one task process as `a` says; async-signal-safe. Returns its pid
 * once execve has succeeded, or -1 with *step and *err. */
pid_t sw__local_spawn_raw(struct sw__child_args *a, int *step, int *err);

/* The message and *start_status (126 cannot execute, 127 otherwise) of a
 * failed start; returns -1. */
int sw__local_spawn_error(const struct sw__child_args *a, const char *prog, int step, int e,
                          int *start_status, sw_error_t *err);

/* ---- supervisor.c ---- */

/* Where a supervisor writes the task's exit status. */
struct sw__status_paths {
    char path[PATH_MAX];      /* DIR/status.RANK */
    char tmp[PATH_MAX];       /* DIR/status.RANK.tmp */
};

/* Start the supervisor of one task: a process of its own session that
 * starts the task as `a` says, waits for it and writes its exit status to
 * `sp`, then exits. Returns the supervisor's pid with *task_pid once the
 * task runs, or -1 with a message and *start_status 126 or 127. */
pid_t sw__local_supervise(struct sw__child_args *a, const char *prog,
                          const struct sw__status_paths *sp, pid_t *task_pid,
                          int *start_status, sw_error_t *err);

/* ---- backend_local_procs.c ---- */

/* The start time of `pid` in clock ticks after boot, or -1 when it is gone
 * (or a zombie). */
int64_t sw__local_proc_start_time(pid_t pid);

/* Record the supervisor of rank `rank` (of `ranks`) of `u` in WORK/.procs
 * (what a later agent needs to adopt it), and remove the records of a unit. */
void sw__local_procs_record(const struct sw__local *L, const struct sw__unit *u, size_t rank,
                            size_t ranks);
void sw__local_procs_forget(const struct sw__local *L, const struct sw_unit_key *k);

/* The attempt directory of `k` under WORK; false when it does not fit. */
bool sw__local_attempt_dir(const struct sw__local *L, const struct sw_unit_key *k, char *out,
                           size_t n);

/* The status paths of rank `rank` in `dir`; false when they do not fit. */
bool sw__local_status_paths(const char *dir, size_t rank, struct sw__status_paths *sp);

/* The first word of a supervisor record, and its longest line. */
#define SW_LOCAL_RECORD_MAGIC "supervisor-1"
#define SW_LOCAL_RECORD_MAX 2048

/* Take over what a previous agent left in WORK/.procs: supervisors (running
 * or ended) become adopted units in L->units; other records (no supervisor
 * record) are killed as left-overs. Sets *adopted and *killed. Called
 * before the monitor starts. */
void sw__local_sweep(struct sw__local *L, size_t *adopted, size_t *killed);

/* ---- backend_local_adopt.c ---- */

/* Add the supervisor of the record `text` to the adopted units in
 * L->units; -1 when the record does not parse. */
int sw__local_adopt_record(struct sw__local *L, const char *text);

/* Complete the adopted units: the status of ranks without a record, and
 * the walltime deadlines. */
void sw__local_adopt_finish(struct sw__local *L);

/* Read rank `rank`'s status file into `p` and mark it done (lost when there
 * is no status file). */
void sw__local_read_status(const struct sw__unit *u, size_t rank, struct sw__proc *p);

/* Lock WORK for this agent (WORK/.lock) and make WORK/.procs. */
int sw__local_take_work_dir(struct sw__local *L, sw_error_t *err);

/* Check that the task user can reach WORK. */
int sw__local_check_searchable(const struct sw__local *L, sw_error_t *err);

/* Look up the task user (never root). */
int sw__local_resolve_user(struct sw__local *L, const char *name, sw_error_t *err);

#endif
