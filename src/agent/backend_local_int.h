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

/* One task process. */
struct sw__proc {
    pid_t pid;
    int64_t start;  /* start time in clock ticks after boot (/proc/PID/stat) */
    int pidfd;      /* -1 without pidfds */
    int status;     /* wait status once reaped */
    bool done;
};

/* One started unit: its processes (one, or a gang's), deadlines and
 * devices. Listed in `units` from start() until the monitor thread, which
 * alone removes and frees units, reports its end. */
struct sw__unit {
    struct sw_unit_key key;
    struct sw__proc *procs;
    size_t nprocs;
    size_t nlive;
    int64_t walltime_s;
    int64_t deadline_ms;  /* monotonic; 0: no walltime */
    int64_t kill_at_ms;   /* monotonic; 0: no SIGKILL pending */
    bool term_sent;
    enum sw_end_kind kind;
    int first_fail;       /* index of the first process that ended badly, or -1 */
    int *devs;            /* indexes into the backend's device table */
    size_t ndevs;
    struct sw__unit *next;
};

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

/* Start one task process as `a` says. Returns its pid once execve has
 * succeeded, or -1 with a message and *start_status 126 or 127. */
pid_t sw__local_spawn(struct sw__child_args *a, const char *prog, int *start_status,
                      sw_error_t *err);

/* ---- backend_local_procs.c ---- */

/* The start time of `pid` in clock ticks after boot, or -1 when it is gone
 * (or a zombie). */
int64_t sw__local_proc_start_time(pid_t pid);

/* Record a live task process in WORK/.procs, and remove the record. */
void sw__local_procs_record(const struct sw__local *L, const struct sw__proc *p,
                            const struct sw_unit_key *k);
void sw__local_procs_forget(const struct sw__local *L, const struct sw__proc *p);

/* Kill what a previous agent left running in WORK; returns how many process
 * groups were signalled. */
size_t sw__local_sweep(struct sw__local *L);

/* Lock WORK for this agent (WORK/.lock) and make WORK/.procs. */
int sw__local_take_work_dir(struct sw__local *L, sw_error_t *err);

/* Check that the task user can reach WORK. */
int sw__local_check_searchable(const struct sw__local *L, sw_error_t *err);

/* Look up the task user (never root). */
int sw__local_resolve_user(struct sw__local *L, const char *name, sw_error_t *err);

#endif
