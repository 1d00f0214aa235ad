/* backend_local_adopt.c — the local backend takes over the tasks a previous
 * agent left in its work directory (killed with SIGKILL, crashed, or
 * stopped with --keep-tasks-on-exit).
 *
 * Each task has a supervisor (supervisor.c) recorded in WORK/.procs with
 * what is needed to watch it again (backend_local_procs.c). At start, each
 * record whose supervisor still runs (same pid, same start time) becomes a
 * live process of an adopted unit, watched through a pidfd (the supervisor
 * is no child of this agent: its exit status goes to init, its task's to
 * the status file); each record whose supervisor has ended is a finished
 * process whose exit status is read from status.RANK in the attempt
 * directory. The agent takes the adopted units through the backend's
 * `list` op; until then they do not end (the monitor holds them), so that
 * no end is reported before the agent knows the unit.
 */
#define _GNU_SOURCE /* syscall */
#include "agent/backend_local_int.h"
#include "agent/status_file.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_ADOPT_RANKS 4096

bool sw__local_attempt_dir(const struct sw__local *L, const struct sw_unit_key *k, char *out,
                           size_t n)
{
    if (k->task < 0)
        return sw__local_path_fmt(out, n, "%s/%lld/gang.%lld", L->work_dir, (long long)k->job,
                                  (long long)k->attempt);
    return sw__local_path_fmt(out, n, "%s/%lld/%lld.%lld", L->work_dir, (long long)k->job,
                              (long long)k->task, (long long)k->attempt);
}

bool sw__local_status_paths(const char *dir, size_t rank, struct sw__status_paths *sp)
{
    return sw__local_path_fmt(sp->path, sizeof(sp->path), "%s/status.%zu", dir, rank) &&
           sw__local_path_fmt(sp->tmp, sizeof(sp->tmp), "%s/status.%zu.tmp", dir, rank);
}

void sw__local_read_status(const struct sw__unit *u, size_t rank, struct sw__proc *p)
{
    struct sw__status_paths sp;
    struct sw_task_status st;
    p->done = true;
    if (sw__local_status_paths(u->dir, rank, &sp) && sw_status_read(sp.path, &st) == 0) {
        p->code = st.code;
        p->sig = st.signal;
        p->ended_ms = st.ended_ms;
        return;
    }
    /* the supervisor died without a word: its task may still run */
    p->lost = true;
    p->ended_ms = sw_agent_wall_ms();
    if (p->pid > 1 && sw__local_proc_start_time(p->pid) == p->start)
        kill(-p->pid, SIGKILL);
}

static struct sw__unit *find_adopted(struct sw__local *L, const struct sw_unit_key *k)
{
    for (struct sw__unit *u = L->units; u; u = u->next)
        if (sw_unit_key_eq(&u->key, k))
            return u;
    return NULL;
}

/* Reserve the devices a record names ("-" or "0,2"). */
static void take_devices(struct sw__local *L, struct sw__unit *u, const char *list)
{
    if (strcmp(list, "-") == 0)
        return;
    size_t n = 1;
    for (const char *c = list; *c; c++)
        n += *c == ',';
    u->devs = calloc(n, sizeof(*u->devs));
    for (const char *c = list; u->devs && *c;) {
        char *end = NULL;
        long v = strtol(c, &end, 10);
        if (end == c)
            break;
        if (v >= 0 && (size_t)v < L->ndevices && !L->dev_busy[v]) {
            L->dev_busy[v] = true;
            u->devs[u->ndevs++] = (int)v;
        }
        c = *end == ',' ? end + 1 : end;
    }
}

/* A new adopted unit for a record's key; NULL when out of memory. */
static struct sw__unit *new_adopted(struct sw__local *L, const struct sw_unit_key *k,
                                    size_t ranks, long long walltime, long long started_ms,
                                    const char *devs)
{
    struct sw__unit *u = calloc(1, sizeof(*u));
    if (!u)
        return NULL;
    u->procs = calloc(ranks, sizeof(*u->procs));
    if (!u->procs || !sw__local_attempt_dir(L, k, u->dir, sizeof(u->dir))) {
        free(u->procs);
        free(u);
        return NULL;
    }
    for (size_t i = 0; i < ranks; i++)
        u->procs[i].pidfd = -1;
    u->key = *k;
    u->nprocs = ranks;
    u->first_fail = -1;
    u->adopted = true;
    u->walltime_s = walltime;
    u->start_ms = started_ms;
    take_devices(L, u, devs);
    u->next = L->units;
    L->units = u;
    L->nunits++;
    return u;
}

int sw__local_adopt_record(struct sw__local *L, const char *text)
{
    long long sup_start, job, task, attempt, fence, start, walltime, started_ms;
    size_t rank, ranks;
    int sup, pid;
    char devs[1024];
    if (sscanf(text, SW_LOCAL_RECORD_MAGIC " sup %d sup_start %lld job %lld task %lld"
                     " attempt %lld fence %lld rank %zu ranks %zu pid %d start %lld"
                     " walltime %lld started_ms %lld devs %1023s",
               &sup, &sup_start, &job, &task, &attempt, &fence, &rank, &ranks, &pid, &start,
               &walltime, &started_ms, devs) != 13 ||
        ranks == 0 || ranks > MAX_ADOPT_RANKS || rank >= ranks || pid <= 1 || sup <= 1)
        return -1;
    struct sw_unit_key k = {job, task, attempt, fence};
    struct sw__unit *u = find_adopted(L, &k);
    if (u && (u->nprocs != ranks || u->procs[rank].sup != 0))
        return -1;
    if (!u && !(u = new_adopted(L, &k, ranks, walltime, started_ms, devs)))
        return -1;
    struct sw__proc *p = &u->procs[rank];
    p->sup = sup;
    p->sup_start = sup_start;
    p->pid = (pid_t)pid;
    p->start = start;
    if (sw__local_proc_start_time(sup) == sup_start) {
        p->pidfd = (int)syscall(SYS_pidfd_open, sup, 0);
        if (p->pidfd < 0)
            L->have_pidfd = false;
        u->nlive++;
    } else {
        sw__local_read_status(u, rank, p);
    }
    return 0;
}

void sw__local_adopt_finish(struct sw__local *L)
{
    int64_t now_wall = sw_agent_wall_ms(), now_mono = sw_agent_mono_ms();
    for (struct sw__unit *u = L->units; u; u = u->next) {
        if (!u->adopted)
            continue;
        L->hold_adopted = true;
        for (size_t i = 0; i < u->nprocs; i++) {
            struct sw__proc *p = &u->procs[i];
            if (p->sup == 0 && !p->done)
                sw__local_read_status(u, i, p); /* its record is missing */
            if (p->done && sw__local_proc_bad(p) && u->first_fail < 0)
                u->first_fail = (int)i;
        }
        if (u->walltime_s > 0) {
            int64_t left = u->start_ms + u->walltime_s * 1000 - now_wall;
            u->deadline_ms = now_mono + (left > 0 ? left : 0);
        }
    }
}
