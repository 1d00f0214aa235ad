/* backend_local.c — the `local` backend: units run as processes on this
 * machine (see backend.h and docs/agent.md).
 *
 * This file: units (directories, devices, limits), the monitor thread and
 * the ops table. Each task runs under a supervisor of its own
 * (supervisor.c) that outlives the agent and writes the task's exit status
 * to a file. How a process is made: backend_local_spawn.c. The work
 * directory's lock and the records of supervisors: backend_local_procs.c;
 * taking over a previous agent's tasks: backend_local_adopt.c.
 *
 * Each process leads its own process group, so a signal reaches the whole
 * tree it forks. A gang of N tasks is N processes (N groups); when one ends
 * badly the others are terminated, as an MPI launcher would.
 *
 * Watching: one monitor thread polls a pidfd per supervisor (Linux >= 5.3;
 * without pidfds it falls back to checking every 50 ms), reaps only its own
 * children with waitpid(pid) — never waitpid(-1) —, reads the status file
 * of each supervisor that ended, and enforces walltimes and the SIGTERM ->
 * SIGKILL grace on the tasks' process groups. (The supervisor kills what a
 * task left in its group before it reaps the task.)
 */
#define _GNU_SOURCE /* syscall, sigabbrev_np */
#include "agent/backend_local_int.h"
#include "agent/status_file.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEFAULT_GRACE_MS 10000
#define FALLBACK_TICK_MS 50
#define CHILD_NOFILE 65536
#define MAX_RANKS 4096

static bool device_matches(const struct sw_device *d, const char *model)
{
    if (!model || !*model)
        return true;
    if (strcasecmp(d->model, model) == 0)
        return true;
    /* a raw name such as "NVIDIA H200" matches "H200" */
    size_t n = strlen(model);
    for (const char *p = d->model; *p;) {
        size_t len = strcspn(p, " -");
        if (len == n && strncasecmp(p, model, n) == 0)
            return true;
        p += len;
        while (*p == ' ' || *p == '-')
            p++;
    }
    return false;
}

/* Reserve `need` devices of `model` (caller holds mu). */
static int alloc_devices(struct sw__local *L, int64_t need, const char *model, int **out,
                         sw_error_t *err)
{
    *out = NULL;
    if (need <= 0)
        return 0;
    int *devs = calloc((size_t)need, sizeof(*devs));
    if (!devs)
        return sw_errprintf(err, "out of memory");
    int64_t got = 0;
    for (size_t i = 0; i < L->ndevices && got < need; i++) {
        if (L->dev_busy[i])
            continue;
        if (device_matches(&L->devices[i], model))
            devs[got++] = (int)i;
    }
    if (got < need) {
        free(devs);
        errno = EBUSY;
        if (L->ndevices == 0)
            return sw_errprintf(err, "needs %lld accelerators but this agent has none",
                                (long long)need);
        return sw_errprintf(err, "needs %lld %s accelerators; only %lld of this agent's %zu "
                                 "are free and match", (long long)need,
                            model && *model ? model : "", (long long)got, L->ndevices);
    }
    for (int64_t i = 0; i < need; i++)
        L->dev_busy[devs[i]] = true;
    *out = devs;
    return 0;
}

static void release_devices(struct sw__local *L, struct sw__unit *u)
{
    for (size_t i = 0; i < u->ndevs; i++)
        L->dev_busy[u->devs[i]] = false;
    free(u->devs);
    u->devs = NULL;
    u->ndevs = 0;
}

static void wake_monitor(struct sw__local *L)
{
    char c = 1;
    ssize_t w = write(L->wake[1], &c, 1);
    (void)w;
}

static void unit_free(struct sw__unit *u)
{
    if (!u)
        return;
    for (size_t i = 0; i < u->nprocs; i++)
        if (u->procs[i].pidfd >= 0)
            close(u->procs[i].pidfd);
    free(u->procs);
    free(u->devs);
    free(u);
}

/* Signal every live process group of `u`. */
static void unit_signal(struct sw__unit *u, int sig)
{
    for (size_t i = 0; i < u->nprocs; i++)
        if (!u->procs[i].done)
            kill(-u->procs[i].pid, sig);
}

/* Make a directory owned by the task user (when dropping). */
static int make_task_dir(const struct sw__local *L, const char *path, mode_t mode, sw_error_t *err)
{
    if (mkdir(path, mode) < 0 && errno != EEXIST)
        return sw_errprintf(err, "cannot create %s: %s", path, strerror(errno));
    if (L->drop && chown(path, L->uid, L->gid) < 0)
        return sw_errprintf(err, "cannot hand %s to %s: %s", path, L->user, strerror(errno));
    return 0;
}

static int local_start(struct sw_agent_backend *b, const struct sw_task_spec *spec,
                       struct sw_task_info *info, sw_error_t *err)
{
    struct sw__local *L = (struct sw__local *)b;
    memset(info, 0, sizeof(*info));
    info->start_status = 127;
    if ((!spec->argv || !spec->argv[0] || !spec->argv[0][0]) && !spec->script) {
        errno = EINVAL;
        return sw_errprintf(err, "the assignment has neither argv nor script");
    }
    int64_t nranks = spec->key.task < 0 ? (spec->ntasks > 0 ? spec->ntasks : 1) : 1;
    if (nranks > MAX_RANKS) {
        errno = E2BIG;
        return sw_errprintf(err, "a gang of %lld tasks is more than one agent runs (%d)",
                            (long long)nranks, MAX_RANKS);
    }
    int rc = -1;
    int fd_in = -1, fd_out = -1, fd_err = -1;
    char **paths = NULL;
    char *script_argv[2] = {NULL, NULL};
    struct sw__unit *u = calloc(1, sizeof(*u));
    if (!u)
        return sw_errprintf(err, "out of memory");
    u->procs = calloc((size_t)nranks, sizeof(*u->procs));
    if (!u->procs) {
        sw_errprintf(err, "out of memory");
        goto out_free;
    }
    u->key = spec->key;
    u->first_fail = -1;
    u->walltime_s = spec->walltime_s;
    for (int64_t r = 0; r < nranks; r++)
        u->procs[r].pidfd = -1;

    /* directories and files */
    char jobdir[PATH_MAX], cwd[PATH_MAX], script[PATH_MAX];
    bool fits =
        sw__local_path_fmt(jobdir, sizeof(jobdir), "%s/%lld", L->work_dir, (long long)spec->key.job) &&
        (spec->key.task < 0
             ? sw__local_path_fmt(info->dir, sizeof(info->dir), "%s/gang.%lld", jobdir,
                        (long long)spec->key.attempt)
             : sw__local_path_fmt(info->dir, sizeof(info->dir), "%s/%lld.%lld", jobdir,
                        (long long)spec->key.task, (long long)spec->key.attempt)) &&
        sw__local_path_fmt(info->stdout_path, sizeof(info->stdout_path), "%s/stdout", info->dir) &&
        sw__local_path_fmt(info->stderr_path, sizeof(info->stderr_path), "%s/stderr", info->dir) &&
        sw__local_path_fmt(script, sizeof(script), "%s/script", info->dir) &&
        (spec->workdir && spec->workdir[0]
             ? sw__local_path_fmt(cwd, sizeof(cwd), "%s", spec->workdir)
             : sw__local_path_fmt(cwd, sizeof(cwd), "%s/work", info->dir));
    if (!fits) {
        errno = ENAMETOOLONG;
        sw_errprintf(err, "the working directory or the attempt directory is too long a path");
        goto out_free;
    }
    if ((mkdir(jobdir, 0755) < 0 && errno != EEXIST) ||
        (mkdir(info->dir, 0755) < 0 && errno != EEXIST)) {
        sw_errprintf(err, "cannot create the attempt directory %s: %s", info->dir,
                     strerror(errno));
        goto out_free;
    }
    if (!(spec->workdir && spec->workdir[0]) && make_task_dir(L, cwd, 0700, err) < 0)
        goto out_free;
    fd_out = sw__local_open_output(info->stdout_path);
    fd_err = sw__local_open_output(info->stderr_path);
    fd_in = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd_in >= 0 && fd_in < 3) {
        int hi = fcntl(fd_in, F_DUPFD_CLOEXEC, 3);
        close(fd_in);
        fd_in = hi;
    }
    if (fd_out < 0 || fd_err < 0 || fd_in < 0) {
        sw_errprintf(err, "cannot open the output files in %s: %s", info->dir, strerror(errno));
        goto out_free;
    }
    char *const *argv = spec->argv;
    if (spec->script) {
        if (sw__local_write_script(L, script, spec->script, err) < 0)
            goto out_free;
        script_argv[0] = script;
        argv = script_argv;
    }
    paths = sw__local_build_paths(argv[0], spec->env);
    if (!paths) {
        sw_errprintf(err, "out of memory");
        goto out_free;
    }

    /* devices */
    pthread_mutex_lock(&L->mu);
    if (L->stopping || L->stop_now) {
        pthread_mutex_unlock(&L->mu);
        errno = ESHUTDOWN;
        sw_errprintf(err, "the agent is shutting down");
        goto out_free;
    }
    int64_t need = spec->accelerators > 0 ? spec->accelerators * nranks : 0;
    int arc = alloc_devices(L, need, spec->accel_model, &u->devs, err);
    pthread_mutex_unlock(&L->mu);
    if (arc < 0)
        goto out_free;
    u->ndevs = (size_t)need;

    /* limits */
    struct sw__child_args a = {
        .argv = argv, .cwd = cwd, .fd_in = fd_in, .fd_out = fd_out, .fd_err = fd_err,
        .drop = L->drop, .uid = L->uid, .gid = L->gid,
    };
    a.paths = paths;
    struct rlimit lim;
    a.max_fd = 65536;
    if (getrlimit(RLIMIT_NOFILE, &lim) == 0) {
        rlim_t v = lim.rlim_max < CHILD_NOFILE ? lim.rlim_max : CHILD_NOFILE;
        a.nofile.rlim_cur = a.nofile.rlim_max = v;
        if (lim.rlim_cur != RLIM_INFINITY && lim.rlim_cur < 1048576)
            a.max_fd = (int)lim.rlim_cur;
    } else {
        a.nofile.rlim_cur = a.nofile.rlim_max = 1024;
    }
    a.core.rlim_cur = a.core.rlim_max = 0;
    if (spec->mem_mib > 0 && spec->accelerators <= 0) {
        /* a virtual-memory cap: twice the request, at least 1 GiB over it */
        int64_t head = spec->mem_mib > 1024 ? spec->mem_mib : 1024;
        a.as.rlim_cur = a.as.rlim_max = (rlim_t)(spec->mem_mib + head) * 1024 * 1024;
        a.set_as = true;
    }

    /* one process per task */
    int64_t start_ms = sw_agent_wall_ms();
    u->start_ms = start_ms;
    memcpy(u->dir, info->dir, sizeof(u->dir));
    for (int64_t r = 0; r < nranks; r++) {
        char devlist[SW_DISCOVER_MAX_DEVICES * 5] = "";
        size_t dl = 0;
        for (int64_t d = 0; d < spec->accelerators && u->devs; d++) {
            int idx = L->devices[u->devs[r * spec->accelerators + d]].index;
            int w = snprintf(devlist + dl, sizeof(devlist) - dl, "%s%d", d ? "," : "", idx);
            if (w > 0 && (size_t)w < sizeof(devlist) - dl)
                dl += (size_t)w;
        }
        a.envp = sw__local_build_env(L, spec, r, devlist, cwd);
        if (!a.envp) {
            sw_errprintf(err, "out of memory");
            goto out_kill;
        }
        struct sw__status_paths sp;
        pid_t tpid = -1, sup = -1;
        if (!sw__local_status_paths(info->dir, (size_t)r, &sp)) {
            errno = ENAMETOOLONG;
            sw_errprintf(err, "the attempt directory %s is too long a path", info->dir);
        } else {
            sup = sw__local_supervise(&a, argv[0], &sp, &tpid, &info->start_status, err);
        }
        sw__local_free_strv(a.envp);
        if (sup < 0) {
            if (nranks > 1)
                sw_errprefix(err, "task %lld of %lld: ", (long long)r, (long long)nranks);
            goto out_kill;
        }
        struct sw__proc *p = &u->procs[r];
        p->sup = sup;
        p->sup_start = sw__local_proc_start_time(sup);
        p->pid = tpid;
        p->start = sw__local_proc_start_time(tpid);
        p->child = true;
        u->nprocs = (size_t)r + 1;
        u->nlive++;
        p->pidfd = (int)syscall(SYS_pidfd_open, sup, 0);
        sw__local_procs_record(L, u, (size_t)r, (size_t)nranks);
    }
    info->pid = u->procs[0].pid;
    info->start_ms = start_ms;
    if (spec->walltime_s > 0)
        u->deadline_ms = sw_agent_mono_ms() + spec->walltime_s * 1000;

    pthread_mutex_lock(&L->mu);
    for (size_t i = 0; i < u->nprocs; i++)
        if (u->procs[i].pidfd < 0)
            L->have_pidfd = false;
    u->next = L->units;
    L->units = u;
    L->nunits++;
    pthread_mutex_unlock(&L->mu);
    u = NULL;
    wake_monitor(L);
    rc = 0;
    goto out_free;

out_kill:
    for (size_t i = 0; i < u->nprocs; i++) {
        kill(-u->procs[i].pid, SIGKILL);
        int st;
        while (waitpid(u->procs[i].sup, &st, 0) < 0 && errno == EINTR)
            ;
    }
    sw__local_procs_forget(L, &u->key);
    pthread_mutex_lock(&L->mu);
    release_devices(L, u);
    pthread_mutex_unlock(&L->mu);
out_free:
    if (fd_in >= 0)
        close(fd_in);
    if (fd_out >= 0)
        close(fd_out);
    if (fd_err >= 0)
        close(fd_err);
    sw__local_free_strv(paths);
    unit_free(u);
    return rc;
}

static struct sw__unit *find_unit(struct sw__local *L, const struct sw_unit_key *key)
{
    for (struct sw__unit *u = L->units; u; u = u->next)
        if (sw_unit_key_eq(&u->key, key))
            return u;
    return NULL;
}

/* Start terminating `u` (caller holds mu). */
static void unit_terminate(struct sw__local *L, struct sw__unit *u, enum sw_end_kind why)
{
    if (u->kind == SW_END_EXITED)
        u->kind = why;
    if (!u->term_sent) {
        u->term_sent = true;
        unit_signal(u, SIGTERM);
        u->kill_at_ms = sw_agent_mono_ms() + L->grace_ms;
    }
}

static int local_kill(struct sw_agent_backend *b, const struct sw_unit_key *key, enum sw_end_kind why)
{
    struct sw__local *L = (struct sw__local *)b;
    pthread_mutex_lock(&L->mu);
    struct sw__unit *u = find_unit(L, key);
    if (u)
        unit_terminate(L, u, why);
    pthread_mutex_unlock(&L->mu);
    if (!u) {
        errno = ENOENT;
        return -1;
    }
    wake_monitor(L);
    return 0;
}

static void local_forget(struct sw_agent_backend *b, const struct sw_unit_key *key)
{
    struct sw__local *L = (struct sw__local *)b;
    pthread_mutex_lock(&L->mu);
    struct sw__unit *u = find_unit(L, key);
    if (u)
        u->forgotten = true; /* still running: the monitor drops the records at its end */
    else
        sw__local_procs_forget(L, key);
    pthread_mutex_unlock(&L->mu);
}

static size_t local_list(struct sw_agent_backend *b, struct sw_unit_key *keys, size_t max)
{
    struct sw__local *L = (struct sw__local *)b;
    size_t n = 0;
    pthread_mutex_lock(&L->mu);
    for (struct sw__unit *u = L->units; u; u = u->next, n++)
        if (n < max)
            keys[n] = u->key;
    bool held = L->hold_adopted;
    L->hold_adopted = false; /* the agent knows them now: they may end */
    pthread_mutex_unlock(&L->mu);
    if (held)
        wake_monitor(L);
    return n;
}

/* Has the supervisor of `p` ended? (`readable`: its pidfd said so.) */
static bool supervisor_gone(struct sw__proc *p, bool readable)
{
    if (p->child) {
        int st;
        pid_t r;
        while ((r = waitpid(p->sup, &st, WNOHANG)) < 0 && errno == EINTR)
            ;
        return r == p->sup || (r < 0 && errno == ECHILD);
    }
    if (readable && p->pidfd >= 0)
        return true;
    return sw__local_proc_start_time(p->sup) != p->sup_start;
}

/* Has the supervisor of process `i` ended? Then read the task's status. */
static void proc_check(struct sw__local *L, struct sw__unit *u, size_t i, bool readable)
{
    struct sw__proc *p = &u->procs[i];
    if (p->done || !supervisor_gone(p, readable))
        return;
    sw__local_read_status(u, i, p);
    if (p->pidfd >= 0) {
        close(p->pidfd);
        p->pidfd = -1;
    }
    u->nlive--;
    if (sw__local_proc_bad(p) && u->first_fail < 0) {
        u->first_fail = (int)i;
        if (u->nlive > 0) /* a gang fails as a whole */
            unit_terminate(L, u, SW_END_EXITED);
    }
}

static void describe_end(const struct sw__unit *u, struct sw_task_end *e)
{
    memset(e, 0, sizeof(*e));
    e->key = u->key;
    e->kind = u->kind;
    size_t who = u->first_fail >= 0 ? (size_t)u->first_fail : 0;
    const struct sw__proc *p = &u->procs[who];
    e->time_ms = p->ended_ms > 0 ? p->ended_ms : sw_agent_wall_ms();
    e->signal = p->sig;
    e->exit_status = p->sig ? 128 + p->sig : p->code;
    if (p->lost)
        e->exit_status = 255;
    char what[128];
    if (p->lost) {
        snprintf(what, sizeof(what), "its supervisor ended without recording how the task "
                                     "ended (killed?): exit status unknown");
    } else if (e->signal) {
        const char *abbrev = sigabbrev_np(e->signal);
        snprintf(what, sizeof(what), "killed by signal %d (SIG%s)", e->signal,
                 abbrev ? abbrev : "?");
    } else {
        snprintf(what, sizeof(what), "exit status %d", e->exit_status);
    }
    char prefix[64] = "";
    if (u->nprocs > 1)
        snprintf(prefix, sizeof(prefix), "task %zu of %zu: ", who, u->nprocs);
    switch (u->kind) {
    case SW_END_WALLTIME:
        snprintf(e->reason, sizeof(e->reason), "walltime of %lld s exceeded",
                 (long long)u->walltime_s);
        break;
    case SW_END_CANCELLED: snprintf(e->reason, sizeof(e->reason), "cancelled"); break;
    case SW_END_STOPPED:
        snprintf(e->reason, sizeof(e->reason), "stopped at the controller's request");
        break;
    case SW_END_SHUTDOWN:
        snprintf(e->reason, sizeof(e->reason), "killed: the agent shut down");
        break;
    case SW_END_EXITED:
        if (u->first_fail >= 0)
            snprintf(e->reason, sizeof(e->reason), "%s%s", prefix, what);
        break;
    }
}

static void *monitor_main(void *arg)
{
    struct sw__local *L = arg;
    struct pollfd *pfds = NULL;
    struct sw__proc **owners = NULL;
    struct sw__unit **uowners = NULL;
    size_t cap = 0;
    for (;;) {
        pthread_mutex_lock(&L->mu);
        if (L->stop_now || (L->stopping && L->nunits == 0)) {
            pthread_mutex_unlock(&L->mu);
            break;
        }
        size_t want = 1;
        for (struct sw__unit *u = L->units; u; u = u->next)
            want += u->nlive;
        if (want > cap) {
            size_t ncap = want * 2;
            struct pollfd *np = realloc(pfds, ncap * sizeof(*np));
            if (np)
                pfds = np;
            struct sw__proc **no = realloc(owners, ncap * sizeof(*no));
            if (no)
                owners = no;
            struct sw__unit **nu = realloc(uowners, ncap * sizeof(*nu));
            if (nu)
                uowners = nu;
            if (np && no && nu)
                cap = ncap;
        }
        size_t n = 0;
        int64_t now = sw_agent_mono_ms();
        int64_t timeout = -1;
        bool polling = !L->have_pidfd;
        if (cap > 0) {
            pfds[n] = (struct pollfd){.fd = L->wake[0], .events = POLLIN};
            owners[n] = NULL;
            uowners[n++] = NULL;
        }
        for (struct sw__unit *u = L->units; u; u = u->next) {
            for (size_t i = 0; i < u->nprocs; i++) {
                struct sw__proc *p = &u->procs[i];
                if (p->done)
                    continue;
                if (p->pidfd < 0 || n >= cap) {
                    polling = true;
                    continue;
                }
                pfds[n] = (struct pollfd){.fd = p->pidfd, .events = POLLIN};
                owners[n] = p;
                uowners[n++] = u;
            }
            int64_t due = 0;
            if (u->deadline_ms && !u->term_sent)
                due = u->deadline_ms;
            if (u->kill_at_ms && (!due || u->kill_at_ms < due))
                due = u->kill_at_ms;
            if (due) {
                int64_t left = due > now ? due - now : 0;
                if (timeout < 0 || left < timeout)
                    timeout = left;
            }
        }
        pthread_mutex_unlock(&L->mu);
        if (polling && (timeout < 0 || timeout > FALLBACK_TICK_MS))
            timeout = FALLBACK_TICK_MS;
        if (n > 0) {
            (void)poll(pfds, n, timeout > INT32_MAX ? INT32_MAX : (int)timeout);
        } else {
            struct pollfd one = {.fd = L->wake[0], .events = POLLIN};
            poll(&one, 1, FALLBACK_TICK_MS);
        }
        char drain[64];
        while (read(L->wake[0], drain, sizeof(drain)) > 0)
            ;

        pthread_mutex_lock(&L->mu);
        for (size_t k = 1; k < n; k++)
            if (pfds[k].revents)
                proc_check(L, uowners[k], (size_t)(owners[k] - uowners[k]->procs), true);
        now = sw_agent_mono_ms();
        struct sw__unit *ended = NULL;
        struct sw__unit **link = &L->units;
        while (*link) {
            struct sw__unit *u = *link;
            if (polling) /* without (enough) pidfds: ask each process */
                for (size_t i = 0; i < u->nprocs; i++)
                    proc_check(L, u, i, false);
            if (u->nlive > 0 && u->first_fail >= 0 && !u->term_sent) /* an adopted gang */
                unit_terminate(L, u, SW_END_EXITED);
            if (u->nlive > 0 && u->deadline_ms && !u->term_sent && now >= u->deadline_ms)
                unit_terminate(L, u, SW_END_WALLTIME);
            if (u->nlive > 0 && u->kill_at_ms && now >= u->kill_at_ms) {
                unit_signal(u, SIGKILL);
                u->kill_at_ms = 0;
            }
            if (u->nlive == 0 && !(u->adopted && L->hold_adopted)) {
                *link = u->next;
                L->nunits--;
                if (u->forgotten) /* else kept until the agent is done with it */
                    sw__local_procs_forget(L, &u->key);
                release_devices(L, u);
                u->next = ended;
                ended = u;
            } else {
                link = &u->next;
            }
        }
        pthread_mutex_unlock(&L->mu);
        while (ended) {
            struct sw__unit *u = ended;
            ended = u->next;
            struct sw_task_end e;
            describe_end(u, &e);
            if (L->on_end)
                L->on_end(L->arg, &e);
            unit_free(u);
        }
    }
    free(pfds);
    free(owners);
    free(uowners);
    return NULL;
}

static void local_destroy(struct sw_agent_backend *b, bool kill_tasks)
{
    struct sw__local *L = (struct sw__local *)b;
    if (!L)
        return;
    pthread_mutex_lock(&L->mu);
    L->hold_adopted = false;
    if (kill_tasks) {
        L->stopping = true;
        for (struct sw__unit *u = L->units; u; u = u->next)
            unit_terminate(L, u, SW_END_SHUTDOWN);
    } else {
        L->stop_now = true;
    }
    pthread_mutex_unlock(&L->mu);
    wake_monitor(L);
    pthread_join(L->monitor, NULL);
    while (L->units) { /* only left behind without kill_tasks */
        struct sw__unit *u = L->units;
        L->units = u->next;
        unit_free(u);
    }
    close(L->wake[0]);
    close(L->wake[1]);
    if (L->lock_fd >= 0)
        close(L->lock_fd); /* releases the flock */
    pthread_mutex_destroy(&L->mu);
    free(L->work_dir);
    free(L->site);
    free(L->devices);
    free(L->dev_busy);
    free(L);
}

static const struct sw_agent_backend_ops local_ops = {
    .name = "local",
    .start = local_start,
    .kill = local_kill,
    .list = local_list,
    .forget = local_forget,
    .destroy = local_destroy,
};

struct sw_agent_backend *sw_agent_backend_local_create(const struct sw_agent_backend_config *cfg, sw_error_t *err)
{
    struct sw__local *L = calloc(1, sizeof(*L));
    if (!L) {
        sw_errprintf(err, "out of memory");
        return NULL;
    }
    L->base.ops = &local_ops;
    L->wake[0] = L->wake[1] = -1;
    L->lock_fd = -1;
    L->grace_ms = cfg->kill_grace_ms > 0 ? cfg->kill_grace_ms : DEFAULT_GRACE_MS;
    L->on_end = cfg->on_end;
    L->arg = cfg->arg;
    L->have_pidfd = true;
    L->work_dir = strdup(cfg->work_dir ? cfg->work_dir : "");
    L->site = strdup(cfg->site ? cfg->site : "");
    if (!L->work_dir || !L->site)
        goto out_nomem;
    if (L->work_dir[0] != '/') {
        errno = EINVAL;
        sw_errprintf(err, "the work directory must be an absolute path: %s", L->work_dir);
        goto out_free;
    }
    if (cfg->ndevices > 0) {
        L->devices = calloc(cfg->ndevices, sizeof(*L->devices));
        L->dev_busy = calloc(cfg->ndevices, sizeof(*L->dev_busy));
        if (!L->devices || !L->dev_busy)
            goto out_nomem;
        memcpy(L->devices, cfg->devices, cfg->ndevices * sizeof(*L->devices));
        L->ndevices = cfg->ndevices;
    }
    if (geteuid() == 0) {
        L->drop = true;
        if (sw__local_resolve_user(L, cfg->run_as ? cfg->run_as : "nobody", err) < 0)
            goto out_free;
        if (sw__local_check_searchable(L, err) < 0)
            goto out_free;
    } else if (cfg->run_as) {
        struct passwd pw, *res = NULL;
        char buf[4096];
        if (getpwnam_r(cfg->run_as, &pw, buf, sizeof(buf), &res) != 0 || !res ||
            pw.pw_uid != geteuid()) {
            errno = EPERM;
            sw_errprintf(err, "--run-as %s: only an agent running as root can switch users",
                         cfg->run_as);
            goto out_free;
        }
    }
    if (sw__local_take_work_dir(L, err) < 0)
        goto out_free;
    size_t adopted = 0, swept = 0;
    sw__local_sweep(L, &adopted, &swept);
    if (swept > 0 && cfg->log)
        cfg->log(cfg->arg, "killed %zu tasks that a previous agent left running in %s "
                 "without a supervisor", swept, L->work_dir);
    if (adopted > 0 && cfg->log)
        cfg->log(cfg->arg, "found %zu tasks of a previous agent in %s: adopting them",
                 adopted, L->work_dir);
    if (pipe2(L->wake, O_CLOEXEC | O_NONBLOCK) < 0) {
        sw_errprintf(err, "pipe: %s", strerror(errno));
        goto out_free;
    }
    pthread_mutex_init(&L->mu, NULL);
    int e = pthread_create(&L->monitor, NULL, monitor_main, L);
    if (e != 0) {
        pthread_mutex_destroy(&L->mu);
        errno = e;
        sw_errprintf(err, "cannot start the monitor thread: %s", strerror(e));
        goto out_free;
    }
    return &L->base;
out_nomem:
    errno = ENOMEM;
    sw_errprintf(err, "out of memory");
out_free:
    if (L->wake[0] >= 0) {
        close(L->wake[0]);
        close(L->wake[1]);
    }
    if (L->lock_fd >= 0)
        close(L->lock_fd);
    free(L->work_dir);
    free(L->site);
    free(L->devices);
    free(L->dev_busy);
    free(L);
    return NULL;
}
