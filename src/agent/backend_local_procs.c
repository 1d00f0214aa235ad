/* backend_local_procs.c — the local backend's work directory: one agent
 * per directory (WORK/.lock), the records of task supervisors (WORK/.procs)
 * and the sweep at start (records to adopt; an older agent's bare task
 * processes to kill), and the user tasks run as when the agent is root.
 */
#define _GNU_SOURCE /* flock */
#include "agent/backend_local_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- the record of supervisors (WORK/.procs/JOB.TASK.ATTEMPT.FENCE.RANK) ----
 * A file per task supervisor, made when it starts and removed when the
 * agent no longer needs its unit (the `forget` op: its final event was
 * acknowledged, or the controller stopped it). It says what a later agent
 * needs to adopt it (backend_local_adopt.c): the supervisor's pid and start
 * time, the task's, the unit's walltime and devices. What the record of an
 * older agent (named PID-START, naming a task process without a supervisor)
 * names is killed: its exit status would go to init. */

/* The start time of `pid` in clock ticks after boot, or -1 when it is gone
 * (or a zombie). */
int64_t sw__local_proc_start_time(pid_t pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    char *p = strrchr(buf, ')');
    if (!p)
        return -1;
    /* after ") " come fields 3 (the state), 4, …; the start time is field 22 */
    if (p[1] != ' ' || p[2] == 'Z' || p[2] == 'X')
        return -1;
    p++; /* the blank before field 3 */
    for (int field = 3; field < 22 && p; field++)
        p = strchr(p + 1, ' '); /* the blank before field + 1 */
    if (!p)
        return -1;
    char *end = NULL;
    long long v = strtoll(p + 1, &end, 10);
    return end && end != p + 1 ? v : -1;
}

/* WORK/.procs/JOB.TASK.ATTEMPT.FENCE.RANK */
static bool record_path(const struct sw__local *L, const struct sw_unit_key *k, size_t rank,
                        char *out, size_t n)
{
    return sw__local_path_fmt(out, n, "%s/%lld.%lld.%lld.%lld.%zu", L->procs_dir,
                              (long long)k->job, (long long)k->task, (long long)k->attempt,
                              (long long)k->fence, rank);
}

void sw__local_procs_record(const struct sw__local *L, const struct sw__unit *u, size_t rank,
                            size_t ranks)
{
    const struct sw__proc *p = &u->procs[rank];
    char path[PATH_MAX + 64], devs[1024] = "-";
    size_t dl = 0;
    for (size_t i = 0; i < u->ndevs; i++) {
        int w = snprintf(devs + dl, sizeof(devs) - dl, "%s%d", i ? "," : "", u->devs[i]);
        if (w < 0 || (size_t)w >= sizeof(devs) - dl)
            break;
        dl += (size_t)w;
    }
    char line[SW_LOCAL_RECORD_MAX];
    const struct sw_unit_key *k = &u->key;
    int n = snprintf(line, sizeof(line), SW_LOCAL_RECORD_MAGIC
                     " sup %d sup_start %lld job %lld task %lld attempt %lld fence %lld"
                     " rank %zu ranks %zu pid %d start %lld walltime %lld started_ms %lld"
                     " devs %s\n",
                     (int)p->sup, (long long)p->sup_start, (long long)k->job,
                     (long long)k->task, (long long)k->attempt, (long long)k->fence, rank,
                     ranks, (int)p->pid, (long long)p->start, (long long)u->walltime_s,
                     (long long)u->start_ms, devs);
    if (n < 0 || (size_t)n >= sizeof(line) || !record_path(L, k, rank, path, sizeof(path)))
        return;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return;
    ssize_t w = write(fd, line, (size_t)n);
    (void)w;
    close(fd);
}

void sw__local_procs_forget(const struct sw__local *L, const struct sw_unit_key *k)
{
    char path[PATH_MAX + 64];
    for (size_t rank = 0; record_path(L, k, rank, path, sizeof(path)); rank++)
        if (unlink(path) < 0 && errno == ENOENT)
            break;
}

/* Kill the process groups of old records (pids[i] with starts[i]): SIGTERM
 * was sent; SIGKILL after the grace. */
static void kill_leftovers(const struct sw__local *L, const pid_t *pids, const int64_t *starts,
                           size_t n)
{
    int64_t until = sw_agent_mono_ms() + L->grace_ms;
    for (bool alive = n > 0; alive && sw_agent_mono_ms() < until;) {
        nanosleep(&(struct timespec){.tv_nsec = 50 * 1000000}, NULL);
        alive = false;
        for (size_t i = 0; i < n && !alive; i++)
            alive = sw__local_proc_start_time(pids[i]) == starts[i];
    }
    for (size_t i = 0; i < n; i++) {
        int64_t now = sw__local_proc_start_time(pids[i]);
        if (now < 0 || now == starts[i])
            kill(-pids[i], SIGKILL);
    }
}

/* Read a record file into `buf`; false when unreadable. */
static bool read_record(const char *path, char *buf, size_t n)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return false;
    ssize_t got = read(fd, buf, n - 1);
    close(fd);
    buf[got > 0 ? got : 0] = '\0';
    return got > 0;
}

void sw__local_sweep(struct sw__local *L, size_t *adopted, size_t *killed)
{
    *adopted = *killed = 0;
    DIR *d = opendir(L->procs_dir);
    if (!d)
        return;
    enum { MAX_SWEEP = 65536 };
    pid_t *pids = calloc(MAX_SWEEP, sizeof(*pids));
    int64_t *starts = calloc(MAX_SWEEP, sizeof(*starts));
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) && pids && starts) {
        char path[PATH_MAX + 300], text[SW_LOCAL_RECORD_MAX];
        if (de->d_name[0] == '.' ||
            !sw__local_path_fmt(path, sizeof(path), "%s/%s", L->procs_dir, de->d_name))
            continue;
        if (read_record(path, text, sizeof(text)) &&
            strncmp(text, SW_LOCAL_RECORD_MAGIC " ", strlen(SW_LOCAL_RECORD_MAGIC) + 1) == 0 &&
            sw__local_adopt_record(L, text) == 0) {
            (*adopted)++;
            continue;
        }
        unlink(path);
        long long pid = 0, start = 0;
        char extra;
        /* an older agent's record, PID-START of a task without a supervisor */
        if (sscanf(de->d_name, "%lld-%lld%c", &pid, &start, &extra) != 2 || pid <= 1)
            continue;
        int64_t now = sw__local_proc_start_time((pid_t)pid);
        /* a leader with another start time means the pid was reused: not
         * ours; a missing leader with members left keeps its group id from
         * being reused, so the group is still ours */
        if (now >= 0 && now != start)
            continue;
        if (n < MAX_SWEEP) {
            pids[n] = (pid_t)pid;
            starts[n++] = start;
        }
        kill(-(pid_t)pid, SIGTERM);
    }
    closedir(d);
    kill_leftovers(L, pids, starts, n);
    *killed = n;
    free(pids);
    free(starts);
    sw__local_adopt_finish(L);
}

/* When tasks run as another user, every directory above WORK must let them
 * through. */
int sw__local_check_searchable(const struct sw__local *L, sw_error_t *err)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s", L->work_dir);
    for (;;) {
        struct stat st;
        if (stat(path, &st) < 0)
            return sw_errprintf(err, "%s: %s", path, strerror(errno));
        bool ok = (st.st_mode & S_IXOTH) || (st.st_uid == L->uid && (st.st_mode & S_IXUSR)) ||
                  (st.st_gid == L->gid && (st.st_mode & S_IXGRP));
        if (!ok) {
            errno = EACCES;
            return sw_errprintf(err, "%s: user %s, who runs the tasks, cannot enter it "
                                     "(mode %03o): chmod o+x %s, or choose another --work",
                                path, L->user, (unsigned)(st.st_mode & 0777), path);
        }
        char *slash = strrchr(path, '/');
        if (!slash || slash == path)
            break;
        *slash = '\0';
    }
    return 0;
}

/* Lock WORK for this agent and make WORK/.procs. */
int sw__local_take_work_dir(struct sw__local *L, sw_error_t *err)
{
    char path[PATH_MAX];
    if (!sw__local_path_fmt(path, sizeof(path), "%s/.lock", L->work_dir) ||
        !sw__local_path_fmt(L->procs_dir, sizeof(L->procs_dir), "%s/.procs", L->work_dir)) {
        errno = ENAMETOOLONG;
        return sw_errprintf(err, "the work directory's path is too long");
    }
    L->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (L->lock_fd < 0)
        return sw_errprintf(err, "%s: %s", path, strerror(errno));
    if (flock(L->lock_fd, LOCK_EX | LOCK_NB) < 0) {
        int e = errno;
        char other[32] = "";
        ssize_t n = pread(L->lock_fd, other, sizeof(other) - 1, 0);
        other[n > 0 ? n : 0] = '\0';
        other[strcspn(other, "\n")] = '\0';
        errno = e == EWOULDBLOCK ? EBUSY : e;
        return sw_errprintf(err, "another agent (pid %s) is using the work directory %s: give "
                                 "each agent its own --work", other[0] ? other : "?",
                            L->work_dir);
    }
    char pid[32];
    int n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
    if (ftruncate(L->lock_fd, 0) == 0) {
        ssize_t w = pwrite(L->lock_fd, pid, (size_t)n, 0);
        (void)w;
    }
    if (mkdir(L->procs_dir, 0700) < 0 && errno != EEXIST)
        return sw_errprintf(err, "%s: %s", L->procs_dir, strerror(errno));
    return 0;
}

int sw__local_resolve_user(struct sw__local *L, const char *name, sw_error_t *err)
{
    struct passwd pw, *res = NULL;
    char buf[4096];
    int e = getpwnam_r(name, &pw, buf, sizeof(buf), &res);
    if (e != 0 || !res) {
        errno = e ? e : ENOENT;
        return sw_errprintf(err, "no user \"%s\" to run the tasks as (--run-as)", name);
    }
    if (pw.pw_uid == 0) {
        errno = EPERM;
        return sw_errprintf(err, "refusing to run tasks as root (--run-as %s)", name);
    }
    L->uid = pw.pw_uid;
    L->gid = pw.pw_gid;
    snprintf(L->user, sizeof(L->user), "%s", name);
    return 0;
}

