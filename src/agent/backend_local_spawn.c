/* backend_local_spawn.c — making a task process for the local backend.
 *
 * Everything a child needs (argv, envp, the candidate paths of the program,
 * rlimits, file descriptors) is built before the child is created (a
 * vfork-style clone, or fork() under the sanitizers); from then to execve()
 * the child makes only async-signal-safe system calls (the agent is
 * multithreaded, and a vfork child shares its memory): reset signals,
 * setpgid, dup2, close every other descriptor, setrlimit, drop privileges
 * with raw syscalls, chdir, execve. A failure in the child is written to a
 * close-on-exec pipe, so the parent knows whether the program really runs
 * (the pipe reaches EOF at a successful execve).
 */
#define _GNU_SOURCE /* pipe2, dup3, clone, vasprintf, syscall */
#include "agent/backend_local_int.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* What the child reports when it cannot reach execve. */


/* ---- the child: async-signal-safe only ---- */

static _Noreturn void child_fail(int fd, int step, int err)
{
    struct child_msg m = {step, err};
    ssize_t w = write(fd, &m, sizeof(m));
    (void)w;
    _exit(127);
}

static _Noreturn void child_run(const struct sw__child_args *a)
{
    /* all signals are blocked here (see spawn_child): default dispositions
     * first, then nothing blocked, as a fresh program expects */
    struct sigaction dfl;
    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < 65; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            sigaction(sig, &dfl, NULL);
    sigset_t empty;
    sigemptyset(&empty);
    sigprocmask(SIG_SETMASK, &empty, NULL);
    setpgid(0, 0);

    int rep = a->fd_report;
    if (dup2(a->fd_in, 0) < 0 || dup2(a->fd_out, 1) < 0 || dup2(a->fd_err, 2) < 0)
        child_fail(rep, STEP_SETUP, errno);
    /* keep the report pipe as fd 3 (close-on-exec) and close all others */
    if (rep != 3) {
        if (dup3(rep, 3, O_CLOEXEC) < 0)
            child_fail(rep, STEP_SETUP, errno);
        rep = 3;
    }
    if (syscall(SYS_close_range, 4U, ~0U, 0U) < 0)
        for (int fd = 4; fd < a->max_fd; fd++)
            close(fd);

    if ((a->set_as && setrlimit(RLIMIT_AS, &a->as) < 0) ||
        setrlimit(RLIMIT_NOFILE, &a->nofile) < 0 || setrlimit(RLIMIT_CORE, &a->core) < 0)
        child_fail(rep, STEP_RLIMIT, errno);
    if (a->drop) {
        gid_t groups[1] = {a->gid};
        if (syscall(SYS_setgroups, 1, groups) < 0 ||
            syscall(SYS_setresgid, a->gid, a->gid, a->gid) < 0)
            child_fail(rep, STEP_SETGID, errno);
        if (syscall(SYS_setresuid, a->uid, a->uid, a->uid) < 0)
            child_fail(rep, STEP_SETUID, errno);
    }
    if (chdir(a->cwd) < 0)
        child_fail(rep, STEP_CHDIR, errno);

    int saved = ENOENT;
    for (char **p = a->paths; *p; p++) {
        execve(*p, a->argv, a->envp);
        if (errno == EACCES)
            saved = EACCES;
        else if (errno != ENOENT && errno != ENOTDIR) {
            saved = errno;
            break;
        }
    }
    child_fail(rep, STEP_EXEC, saved);
}

/* ---- helpers for the parent ---- */

void sw__local_free_strv(char **v)
{
    if (!v)
        return;
    for (char **p = v; *p; p++)
        free(*p);
    free(v);
}

struct strv {
    char **v;
    size_t n, cap;
};

static int strv_push(struct strv *s, char *str)
{
    if (!str)
        return -1;
    if (s->n + 2 > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        char **v = realloc(s->v, cap * sizeof(*v));
        if (!v) {
            free(str);
            return -1;
        }
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = str;
    s->v[s->n] = NULL;
    return 0;
}

static char *str_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *str_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0)
        s = NULL;
    va_end(ap);
    return s;
}

/* Format a path; false when it does not fit. */
bool sw__local_path_fmt(char *out, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
bool sw__local_path_fmt(char *out, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(out, n, fmt, ap);
    va_end(ap);
    return w >= 0 && (size_t)w < n;
}

/* Is `entry` ("K=V") one of the names the agent sets itself? */
static bool env_reserved(const char *entry)
{
    static const char *const names[] = {
        "SUANWANG_JOB_ID", "SUANWANG_TASK_INDEX", "SUANWANG_ATTEMPT", "SUANWANG_SITE",
        "SUANWANG_TASKS", "SUANWANG_DEVICES", "CUDA_VISIBLE_DEVICES",
    };
    size_t len = strcspn(entry, "=");
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strlen(names[i]) == len && strncmp(entry, names[i], len) == 0)
            return true;
    return false;
}

static const char *env_find(char *const *env, const char *name)
{
    size_t len = strlen(name);
    for (char *const *p = env; p && *p; p++)
        if (strncmp(*p, name, len) == 0 && (*p)[len] == '=')
            return *p + len + 1;
    return NULL;
}

/* The environment of the process of rank `rank` (0 unless a gang): the
 * job's, then the agent's variables, which win. */
char **sw__local_build_env(const struct sw__local *L, const struct sw_task_spec *spec, int64_t rank,
                        const char *devlist, const char *home)
{
    struct strv s = {0};
    for (char *const *p = spec->env; p && *p; p++) {
        if (!strchr(*p, '=') || env_reserved(*p))
            continue;
        if (strv_push(&s, strdup(*p)) < 0)
            goto out_fail;
    }
    if (!env_find(spec->env, "PATH") && strv_push(&s, strdup("PATH=" SW_LOCAL_DEFAULT_PATH)) < 0)
        goto out_fail;
    if (!env_find(spec->env, "HOME") && strv_push(&s, str_printf("HOME=%s", home)) < 0)
        goto out_fail;
    if (strv_push(&s, str_printf("SUANWANG_JOB_ID=%lld", (long long)spec->key.job)) < 0 ||
        strv_push(&s, str_printf("SUANWANG_TASK_INDEX=%lld",
                                 (long long)(spec->key.task >= 0 ? spec->key.task : rank))) < 0 ||
        strv_push(&s, str_printf("SUANWANG_ATTEMPT=%lld", (long long)spec->key.attempt)) < 0 ||
        strv_push(&s, str_printf("SUANWANG_SITE=%s", L->site)) < 0 ||
        strv_push(&s, str_printf("SUANWANG_TASKS=%lld",
                                 (long long)(spec->ntasks > 0 ? spec->ntasks : 1))) < 0)
        goto out_fail;
    if (L->ndevices > 0) {
        if (strv_push(&s, str_printf("SUANWANG_DEVICES=%s", devlist)) < 0 ||
            strv_push(&s, str_printf("CUDA_VISIBLE_DEVICES=%s", devlist)) < 0)
            goto out_fail;
        if (!env_find(spec->env, "CUDA_DEVICE_ORDER") &&
            strv_push(&s, strdup("CUDA_DEVICE_ORDER=PCI_BUS_ID")) < 0)
            goto out_fail;
    }
    return s.v;
out_fail:
    sw__local_free_strv(s.v);
    return NULL;
}

/* Where to look for argv[0]: itself when it has a '/', else each directory
 * of the job's PATH (as execvp would, but decided before fork). */
char **sw__local_build_paths(const char *prog, char *const *env)
{
    struct strv s = {0};
    if (strchr(prog, '/')) {
        if (strv_push(&s, strdup(prog)) < 0)
            return NULL;
        return s.v;
    }
    const char *path = env_find(env, "PATH");
    if (!path)
        path = SW_LOCAL_DEFAULT_PATH;
    while (1) {
        size_t len = strcspn(path, ":");
        /* an empty entry means the current directory */
        char *cand = len ? str_printf("%.*s/%s", (int)len, path, prog) : str_printf("%s", prog);
        if (strv_push(&s, cand) < 0) {
            sw__local_free_strv(s.v);
            return NULL;
        }
        if (path[len] == '\0')
            break;
        path += len + 1;
    }
    return s.v;
}

/* Open `path` for the child's output: a fresh file only the agent reads. */
int sw__local_open_output(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd >= 0 && fd < 3) { /* never 0..2: the child dup2s onto those */
        int hi = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        close(fd);
        fd = hi;
    }
    return fd;
}

int sw__local_write_script(const struct sw__local *L, const char *path, const char *text,
                        sw_error_t *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0700);
    if (fd < 0)
        return sw_errprintf(err, "cannot write the job script %s: %s", path, strerror(errno));
    size_t len = strlen(text), off = 0;
    while (off < len) {
        ssize_t w = write(fd, text + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int e = errno;
            close(fd);
            errno = e;
            return sw_errprintf(err, "cannot write the job script %s: %s", path, strerror(e));
        }
        off += (size_t)w;
    }
    if ((L->drop && fchown(fd, L->uid, L->gid) < 0) || fchmod(fd, 0700) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return sw_errprintf(err, "cannot hand the job script %s to %s: %s", path, L->user,
                            strerror(e));
    }
    close(fd);
    return 0;
}

static const char *step_text(int step)
{
    switch (step) {
    case STEP_RLIMIT: return "cannot set its resource limits";
    case STEP_SETGID: return "cannot switch to the group of the task user";
    case STEP_SETUID: return "cannot switch to the task user";
    case STEP_CHDIR: return "cannot enter its working directory";
    case STEP_EXEC: return "cannot execute";
    default: return "cannot set up the process";
    }
}

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SPAWN_WITH_FORK 1 /* the sanitizers' runtimes do not expect a shared-VM child */
#else
#define SPAWN_WITH_FORK 0
#endif
#define CHILD_STACK (256 * 1024)

static int child_entry(void *arg)
{
    child_run(arg);
}

/* Create the child process running child_run(a). Without sanitizers it is a
 * vfork-style clone (CLONE_VM | CLONE_VFORK, as posix_spawn does): no page
 * tables are copied, and this thread resumes once the child has called
 * execve or exited. All signals are blocked meanwhile so that no handler
 * of the agent ever runs in the child. */
static pid_t spawn_child(struct sw__child_args *a)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pid_t pid;
    int e = 0;
    if (SPAWN_WITH_FORK) {
        pid = fork();
        if (pid == 0)
            child_run(a);
        e = errno;
    } else {
        void *stack = mmap(NULL, CHILD_STACK, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
        if (stack == MAP_FAILED) {
            e = errno;
            pid = -1;
        } else {
            pid = clone(child_entry, (char *)stack + CHILD_STACK,
                        CLONE_VM | CLONE_VFORK | SIGCHLD, a);
            e = errno;
            munmap(stack, CHILD_STACK);
        }
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    errno = e;
    return pid;
}

/* Start one task process; async-signal-safe (the supervisor calls it).
 * Returns its pid once execve has succeeded, or -1 with *step and *err
 * saying what failed (the failed child is reaped). */
pid_t sw__local_spawn_raw(struct sw__child_args *a, int *step, int *err)
{
    int rp[2];
    if (pipe2(rp, O_CLOEXEC) < 0) {
        *step = STEP_SETUP;
        *err = errno;
        return -1;
    }
    if (rp[1] < 4) { /* keep it clear of 0..3 (3 is where the child moves it) */
        int hi = fcntl(rp[1], F_DUPFD_CLOEXEC, 4);
        close(rp[1]);
        rp[1] = hi;
    }
    a->fd_report = rp[1];
    pid_t pid = spawn_child(a);
    int fork_errno = errno;
    close(rp[1]);
    if (pid < 0) {
        close(rp[0]);
        *step = STEP_FORK;
        *err = fork_errno;
        return -1;
    }
    setpgid(pid, pid); /* also done by the child; whichever runs first */
    struct child_msg m;
    ssize_t got;
    do
        got = read(rp[0], &m, sizeof(m));
    while (got < 0 && errno == EINTR);
    close(rp[0]);
    if (got == (ssize_t)sizeof(m)) {
        int st;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
            ;
        *step = m.step;
        *err = m.err;
        return -1;
    }
    *step = 0;
    *err = 0;
    return pid;
}

/* The message and exit status (126, 127) for a failed start. */
int sw__local_spawn_error(const struct sw__child_args *a, const char *prog, int step, int e,
                          int *start_status, sw_error_t *err)
{
    *start_status = (step == STEP_EXEC && e != ENOENT) ? 126 : 127;
    errno = e;
    if (step == STEP_FORK)
        return sw_errprintf(err, "cannot create a process: %s", strerror(e));
    if (step == STEP_CHDIR)
        return sw_errprintf(err, "%s %s: %s", step_text(step), a->cwd, strerror(e));
    if (step == STEP_EXEC)
        return sw_errprintf(err, "%s %s: %s", step_text(step), prog, strerror(e));
    return sw_errprintf(err, "%s: %s", step_text(step), strerror(e));
}
