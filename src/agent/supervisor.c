/* supervisor.c — the per-task supervisor of the local backend, in the
 * manner of slurmstepd or containerd-shim.
 *
 * The agent forks it; it leaves the agent's session (setsid), ignores
 * SIGHUP, SIGPIPE, SIGINT and SIGQUIT, keeps only the task's stdin, stdout
 * and stderr and a close-on-exec pipe to the agent, starts the task (its own
 * process group, as backend_local_spawn.c does), tells the agent the task's
 * pid over that pipe and closes it. Then it waits for the task, kills what
 * the task left in its process group, and writes the exit status to
 * status.RANK in the attempt directory (status_file.h) before it exits. It
 * holds nothing of the agent's (no pipe, no lock), so it outlives the agent,
 * and a later agent finds the status in the file.
 *
 * It is a forked child that never returns to the agent's code, not a
 * re-executed binary: everything the task needs (argv, environment, program
 * paths, limits, descriptors) is already built in memory, so nothing has to
 * be serialised, and the binary may be replaced on disk meanwhile. The cost
 * is the rule of a child of a multithreaded process: from fork to _exit it
 * makes only async-signal-safe calls (no malloc, no stdio, no locks).
 */
#define _GNU_SOURCE /* pipe2, dup3, syscall */
#include "agent/backend_local_int.h"
#include "agent/status_file.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* What the supervisor tells the agent once the task runs (or failed to). */
struct sup_msg {
    int step;   /* 0: the task runs */
    int err;
    pid_t task;
};

static void sup_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_DFL;
    for (int sig = 1; sig < 65; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            sigaction(sig, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGPIPE, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGQUIT, &sa, NULL);
    sigset_t empty;
    sigemptyset(&empty);
    sigprocmask(SIG_SETMASK, &empty, NULL);
}

static _Noreturn void sup_fail(int rep, int step, int e)
{
    struct sup_msg m = {step, e, -1};
    ssize_t w = write(rep, &m, sizeof(m));
    (void)w;
    _exit(127);
}

/* The supervisor's life: async-signal-safe calls only. */
static _Noreturn void sup_main(struct sw__child_args *a, const struct sw__status_paths *sp,
                               int rep)
{
    sup_signals();
    setsid();
    if (dup2(a->fd_in, 0) < 0 || dup2(a->fd_out, 1) < 0 || dup2(a->fd_err, 2) < 0)
        sup_fail(rep, STEP_SETUP, errno);
    if (rep != 3) {
        if (dup3(rep, 3, O_CLOEXEC) < 0)
            sup_fail(rep, STEP_SETUP, errno);
        rep = 3;
    }
    if (syscall(SYS_close_range, 4U, ~0U, 0U) < 0)
        for (int fd = 4; fd < a->max_fd; fd++)
            close(fd);
    a->fd_in = 0;
    a->fd_out = 1;
    a->fd_err = 2;

    int step = 0, e = 0;
    pid_t t = sw__local_spawn_raw(a, &step, &e);
    struct sup_msg m = {step, e, t};
    ssize_t w = write(rep, &m, sizeof(m));
    (void)w;
    close(rep);
    if (t < 0)
        _exit(127);

    siginfo_t si;
    while (waitid(P_PID, (id_t)t, &si, WEXITED | WNOWAIT) < 0 && errno == EINTR)
        ;
    kill(-t, SIGKILL); /* leftovers; the zombie leader still holds the group id */
    int st = 0;
    while (waitpid(t, &st, 0) < 0 && errno == EINTR)
        ;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    _exit(sw_status_write(sp->path, sp->tmp, st, ms) < 0 ? 1 : 0);
}

pid_t sw__local_supervise(struct sw__child_args *a, const char *prog,
                          const struct sw__status_paths *sp, pid_t *task_pid,
                          int *start_status, sw_error_t *err)
{
    *start_status = 127;
    unlink(sp->path); /* a status of an earlier try of this directory */
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return sw_errprintf(err, "cannot make a pipe for the task's supervisor: %s",
                            strerror(errno));
    if (p[1] < 3) { /* keep it clear of 0..2, where the supervisor puts the task's files */
        int hi = fcntl(p[1], F_DUPFD_CLOEXEC, 3);
        close(p[1]);
        p[1] = hi;
    }
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pid_t pid = p[1] >= 0 ? fork() : -1;
    if (pid == 0)
        sup_main(a, sp, p[1]);
    int fork_errno = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (p[1] >= 0)
        close(p[1]);
    if (pid < 0) {
        close(p[0]);
        errno = fork_errno;
        return sw_errprintf(err, "cannot create the task's supervisor: %s",
                            strerror(fork_errno));
    }
    struct sup_msg m;
    ssize_t got;
    do
        got = read(p[0], &m, sizeof(m));
    while (got < 0 && errno == EINTR);
    close(p[0]);
    if (got != (ssize_t)sizeof(m) || m.task < 0) {
        int st;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
            ;
        if (got != (ssize_t)sizeof(m)) {
            errno = EIO;
            return sw_errprintf(err, "the task's supervisor ended before it could start "
                                     "the task (wait status %d)", st);
        }
        return sw__local_spawn_error(a, prog, m.step, m.err, start_status, err);
    }
    *task_pid = m.task;
    return pid;
}
