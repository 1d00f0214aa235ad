/* test_agent_local.c — the agent's local backend (src/agent/backend_local.c)
 * running real processes: exit status and signals, the environment, the
 * working directory, captured stdout/stderr, rlimits, unprivileged execution
 * when the test runs as root, walltime (SIGTERM, then SIGKILL after the
 * grace), cancel killing the whole process group, leftovers of a finished
 * task killed, script jobs, gangs (all tasks, fail-fast), device allocation,
 * programs that cannot be run, shutdown, 200 concurrent tasks reaped with no
 * descriptor leaked and no zombie left, one agent per work directory, tasks
 * a previous agent left (running, or ended meanwhile) adopted by the next
 * through their supervisors, and an older agent's records killed.
 */
#define _GNU_SOURCE /* mkdtemp, nftw */
#include "testutil.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agent/backend.h"

#define MAX_ENDS 1024

struct fixture {
    char work[256];
    struct sw_agent_backend *b;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct sw_task_end ends[MAX_ENDS];
    size_t nends;
};

static void on_end(void *arg, const struct sw_task_end *e)
{
    struct fixture *f = arg;
    pthread_mutex_lock(&f->mu);
    if (f->nends < MAX_ENDS)
        f->ends[f->nends++] = *e;
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
}

static struct fixture *fixture_new(const struct sw_device *devs, size_t ndevs, int grace_ms)
{
    struct fixture *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    snprintf(f->work, sizeof(f->work), "/tmp/sw-test-agent.XXXXXX");
    assert_non_null(mkdtemp(f->work));
    assert_int_equal(chmod(f->work, 0755), 0); /* tasks may run as nobody */
    pthread_mutex_init(&f->mu, NULL);
    pthread_cond_init(&f->cv, NULL);
    struct sw_agent_backend_config cfg = {
        .work_dir = f->work, .site = "testsite", .devices = devs, .ndevices = ndevs,
        .kill_grace_ms = grace_ms, .on_end = on_end, .arg = f,
    };
    sw_error_t err = {{0}};
    f->b = sw_agent_backend_create("local", &cfg, &err);
    if (!f->b)
        fail_msg("backend: %s", err.text);
    return f;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

static void fixture_free(struct fixture *f)
{
    if (f->b)
        f->b->ops->destroy(f->b, true);
    nftw(f->work, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    pthread_mutex_destroy(&f->mu);
    pthread_cond_destroy(&f->cv);
    free(f);
}

/* Wait for the end of job `job`; fails the test after `secs`. */
static struct sw_task_end wait_end(struct fixture *f, int64_t job, int secs)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += secs;
    pthread_mutex_lock(&f->mu);
    for (;;) {
        for (size_t i = 0; i < f->nends; i++) {
            if (f->ends[i].key.job == job) {
                struct sw_task_end e = f->ends[i];
                pthread_mutex_unlock(&f->mu);
                return e;
            }
        }
        if (pthread_cond_timedwait(&f->cv, &f->mu, &until) == ETIMEDOUT) {
            pthread_mutex_unlock(&f->mu);
            fail_msg("job %lld did not end within %d s", (long long)job, secs);
        }
    }
}

static size_t count_ends(struct fixture *f)
{
    pthread_mutex_lock(&f->mu);
    size_t n = f->nends;
    pthread_mutex_unlock(&f->mu);
    return n;
}

static struct sw_task_spec spec_argv(int64_t job, char *const *argv)
{
    struct sw_task_spec s = {
        .key = {.job = job, .task = 0, .attempt = 1, .fence = 100 + job},
        .ntasks = 1, .argv = argv, .cores = 1,
    };
    return s;
}

static void start_ok(struct fixture *f, const struct sw_task_spec *s, struct sw_task_info *info)
{
    sw_error_t err = {{0}};
    if (f->b->ops->start(f->b, s, info, &err) < 0)
        fail_msg("start job %lld: %s", (long long)s->key.job, err.text);
}

/* The whole content of a file (static buffer). */
static const char *slurp(const char *path)
{
    static char buf[65536];
    buf[0] = '\0';
    FILE *fp = fopen(path, "r");
    if (!fp)
        return buf;
    size_t n = fread(buf, 1, sizeof(buf) - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    return buf;
}

static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    assert_non_null(d);
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)))
        if (de->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

/* Is `pid` gone (or a zombie nobody reaped yet)? */
static bool pid_dead(pid_t pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    FILE *fp = fopen(path, "r");
    if (!fp)
        return true;
    size_t n = fread(buf, 1, sizeof(buf) - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    const char *rp = strrchr(buf, ')');
    return rp && rp[1] == ' ' && (rp[2] == 'Z' || rp[2] == 'X');
}

static bool wait_dead(pid_t pid, int ms)
{
    for (int i = 0; i < ms / 10; i++) {
        if (pid_dead(pid))
            return true;
        usleep(10000);
    }
    return pid_dead(pid);
}

static pid_t read_pid_file(const char *path, int ms)
{
    for (int i = 0; i < ms / 10; i++) {
        const char *t = slurp(path);
        if (t[0] && strchr(t, '\n'))
            return (pid_t)strtol(t, NULL, 10);
        usleep(10000);
    }
    fail_msg("no pid in %s", path);
    return -1;
}

static void test_exit_status(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(NULL, 0, 0);
    char *ok[] = {"/bin/sh", "-c", "exit 0", NULL};
    char *three[] = {"/bin/sh", "-c", "exit 3", NULL};
    char *sig[] = {"/bin/sh", "-c", "kill -KILL $$", NULL};
    struct sw_task_info info;
    struct sw_task_spec s = spec_argv(1, ok);
    start_ok(f, &s, &info);
    assert_true(info.pid > 0);
    s = spec_argv(2, three);
    start_ok(f, &s, &info);
    s = spec_argv(3, sig);
    start_ok(f, &s, &info);

    struct sw_task_end e = wait_end(f, 1, 10);
    assert_int_equal(e.kind, SW_END_EXITED);
    assert_int_equal(e.exit_status, 0);
    assert_int_equal(e.signal, 0);
    assert_string_equal(e.reason, "");
    assert_int_equal(e.key.fence, 101);
    assert_true(e.time_ms > 1700000000000LL);
    e = wait_end(f, 2, 10);
    assert_int_equal(e.exit_status, 3);
    assert_string_equal(e.reason, "exit status 3");
    e = wait_end(f, 3, 10);
    assert_int_equal(e.signal, SIGKILL);
    assert_int_equal(e.exit_status, 128 + SIGKILL);
    assert_string_equal(e.reason, "killed by signal 9 (SIGKILL)");
    fixture_free(f);
}

static void test_env_and_output(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(NULL, 0, 0);
    char *argv[] = {"/bin/sh", "-c", "env; pwd; id -u; echo to-stderr >&2", NULL};
    char *env[] = {"FOO=bar baz", "SUANWANG_JOB_ID=999", "NOEQUALS", NULL};
    struct sw_task_spec s = spec_argv(7, argv);
    s.key.task = 4;
    s.key.attempt = 2;
    s.ntasks = 10;
    s.env = env;
    struct sw_task_info info;
    start_ok(f, &s, &info);
    struct sw_task_end e = wait_end(f, 7, 10);
    assert_int_equal(e.exit_status, 0);

    char want[PATH_MAX + 64];
    snprintf(want, sizeof(want), "%s/7/4.2", f->work);
    assert_string_equal(info.dir, want);
    const char *out = slurp(info.stdout_path);
    assert_non_null(strstr(out, "FOO=bar baz\n"));
    assert_non_null(strstr(out, "SUANWANG_JOB_ID=7\n"));
    assert_null(strstr(out, "SUANWANG_JOB_ID=999"));
    assert_null(strstr(out, "NOEQUALS"));
    assert_non_null(strstr(out, "SUANWANG_TASK_INDEX=4\n"));
    assert_non_null(strstr(out, "SUANWANG_ATTEMPT=2\n"));
    assert_non_null(strstr(out, "SUANWANG_SITE=testsite\n"));
    assert_non_null(strstr(out, "SUANWANG_TASKS=10\n"));
    assert_non_null(strstr(out, "PATH=/usr/local/bin:/usr/bin:/bin\n"));
    assert_null(strstr(out, "CUDA_VISIBLE_DEVICES")); /* no devices here */
    snprintf(want, sizeof(want), "\n%s/7/4.2/work\n", f->work);
    assert_non_null(strstr(out, want));
    if (geteuid() == 0) { /* tasks never run as root */
        struct passwd *pw = getpwnam("nobody");
        assert_non_null(pw);
        snprintf(want, sizeof(want), "\n%d\n", (int)pw->pw_uid);
        assert_non_null(strstr(out, want));
    }
    assert_string_equal(slurp(info.stderr_path), "to-stderr\n");
    struct stat st;
    assert_int_equal(stat(info.stdout_path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    fixture_free(f);
}

static void test_workdir_and_path_search(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(NULL, 0, 0);
    char *argv[] = {"pwd", NULL}; /* found through the default PATH */
    struct sw_task_spec s = spec_argv(8, argv);
    s.workdir = "/";
    struct sw_task_info info;
    start_ok(f, &s, &info);
    assert_int_equal(wait_end(f, 8, 10).exit_status, 0);
    assert_string_equal(slurp(info.stdout_path), "/\n");

    /* the job's own PATH is searched, in order */
    char *env[] = {"PATH=/nonexistent:/bin", NULL};
    char *argv2[] = {"echo", "hello", "world", NULL};
    s = spec_argv(9, argv2);
    s.env = env;
    start_ok(f, &s, &info);
    assert_int_equal(wait_end(f, 9, 10).exit_status, 0);
    assert_string_equal(slurp(info.stdout_path), "hello world\n");
    fixture_free(f);
}

static void test_cannot_start(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(NULL, 0, 0);
    int fds = count_fds();
    sw_error_t err = {{0}};
    struct sw_task_info info;
    char *missing[] = {"no-such-program-suanwang", NULL};
    struct sw_task_spec s = spec_argv(10, missing);
    assert_int_equal(f->b->ops->start(f->b, &s, &info, &err), -1);
    assert_int_equal(info.start_status, 127);
    assert_non_null(strstr(err.text, "cannot execute no-such-program-suanwang"));

    char *notexec[] = {"/etc/passwd", NULL};
    s = spec_argv(11, notexec);
    assert_int_equal(f->b->ops->start(f->b, &s, &info, &err), -1);
    assert_int_equal(info.start_status, 126);
    assert_non_null(strstr(err.text, "Permission denied"));

    char *pwd[] = {"/bin/pwd", NULL};
    s = spec_argv(12, pwd);
    s.workdir = "/nonexistent/dir";
    assert_int_equal(f->b->ops->start(f->b, &s, &info, &err), -1);
    assert_non_null(strstr(err.text, "cannot enter its working directory /nonexistent/dir"));

    s = spec_argv(13, NULL);
    assert_int_equal(f->b->ops->start(f->b, &s, &info, &err), -1);
    assert_non_null(strstr(err.text, "neither argv nor script"));

    assert_int_equal(count_fds(), fds);
    assert_int_equal(count_ends(f), 0); /* failed starts are never reported as ends */
    errno = 0;
    assert_int_equal(waitpid(-1, NULL, WNOHANG), -1); /* nothing left to reap */
    assert_int_equal(errno, ECHILD);
    fixture_free(f);
}

static void test_walltime(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(NULL, 0, 300);
    char *argv[] = {"/bin/sleep", "30", NULL};
    struct sw_task_spec s = spec_argv(20, argv);
    s.walltime_s = 1;
    struct sw_task_info info;
    int64_t t0 = sw_agent_mono_ms();
    start_ok(f, &s, &info);
    /* a task that ignores SIGTERM gets SIGKILL after the grace */
    struct sw_task_spec s2 = spec_argv(21, NULL);
    s2.script = "#!/bin/sh\ntrap '' TERM\nsleep 30\n";
    s2.walltime_s = 1;
    start_ok(f, &s2, &info);

    struct sw_task_end e = wait_end(f, 20, 10);
    int64_t took = sw_agent_mono_ms() - t0;
    assert_int_equal(e.kind, SW_END_WALLTIME);
    assert_string_equal(e.reason, "walltime of 1 s exceeded");
    assert_int_equal(e.signal, SIGTERM);
    assert_int_equal(e.exit_status, 128 + SIGTERM);
    assert_true(took >= 900 && took < 5000);
    e = wait_end(f, 21, 10);
    assert_int_equal(e.kind, SW_END_WALLTIME);
    assert_int_equal(e.signal, SIGKILL);
    fixture_free(f);
}

static void test_cancel_kills_group(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(NULL, 0, 0);
    struct sw_task_spec s = spec_argv(30, NULL);
    s.script = "#!/bin/sh\nsleep 300 &\necho $! > bg.pid\nwait\n";
    struct sw_task_info info;
    start_ok(f, &s, &info);
    char pidfile[PATH_MAX + 16];
    snprintf(pidfile, sizeof(pidfile), "%s/work/bg.pid", info.dir);
    pid_t bg = read_pid_file(pidfile, 5000);
    assert_false(pid_dead(bg));
    assert_int_equal(f->b->ops->kill(f->b, &s.key, SW_END_CANCELLED), 0);
    struct sw_task_end e = wait_end(f, 30, 10);
    assert_int_equal(e.kind, SW_END_CANCELLED);
    assert_string_equal(e.reason, "cancelled");
    assert_true(wait_dead(bg, 3000)); /* the background child too */
    /* unknown or ended units */
    assert_int_equal(f->b->ops->kill(f->b, &s.key, SW_END_CANCELLED), -1);
    assert_int_equal(errno, ENOENT);

    /* what a task leaves behind in its group dies with it */
    s = spec_argv(31, NULL);
    s.script = "#!/bin/sh\nsleep 300 &\necho $! > bg.pid\nexit 0\n";
    start_ok(f, &s, &info);
    e = wait_end(f, 31, 10);
    assert_int_equal(e.exit_status, 0);
    snprintf(pidfile, sizeof(pidfile), "%s/work/bg.pid", info.dir);
    assert_true(wait_dead(read_pid_file(pidfile, 1000), 3000));
    fixture_free(f);
}

static void test_script(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(NULL, 0, 0);
    struct sw_task_spec s = spec_argv(40, NULL);
    s.script = "#!/bin/sh\necho \"script of job $SUANWANG_JOB_ID in $(basename $PWD)\"\n"
               "echo '$(not interpolated by the agent)'\n";
    struct sw_task_info info;
    start_ok(f, &s, &info);
    assert_int_equal(wait_end(f, 40, 10).exit_status, 0);
    assert_string_equal(slurp(info.stdout_path),
                        "script of job 40 in work\n$(not interpolated by the agent)\n");
    char path[PATH_MAX + 16];
    snprintf(path, sizeof(path), "%s/script", info.dir);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);

    /* no #! line: execve refuses it */
    s = spec_argv(41, NULL);
    s.script = "echo no shebang\n";
    sw_error_t err = {{0}};
    assert_int_equal(f->b->ops->start(f->b, &s, &info, &err), -1);
    assert_int_equal(info.start_status, 126);
    fixture_free(f);
}

static void test_rlimits(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(NULL, 0, 0);
    char *argv[] = {"/bin/sh", "-c", "ulimit -v; ulimit -c; ulimit -n", NULL};
    struct sw_task_spec s = spec_argv(50, argv);
    s.mem_mib = 512;
    struct sw_task_info info;
    start_ok(f, &s, &info);
    assert_int_equal(wait_end(f, 50, 10).exit_status, 0);
    const char *out = slurp(info.stdout_path);
    /* 512 MiB asked: 512 + 1024 MiB of address space, in KiB */
    assert_true(strncmp(out, "1572864\n0\n", 10) == 0);
    long nofile = strtol(out + 10, NULL, 10);
    assert_true(nofile > 0 && nofile <= 65536);

    s = spec_argv(51, argv);
    s.mem_mib = 0; /* no memory asked: no address-space limit */
    start_ok(f, &s, &info);
    assert_int_equal(wait_end(f, 51, 10).exit_status, 0);
    assert_true(strncmp(slurp(info.stdout_path), "unlimited\n0\n", 12) == 0);
    fixture_free(f);
}

static void test_gang(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(NULL, 0, 0);
    struct sw_task_spec s = spec_argv(60, NULL);
    s.key.task = -1;
    s.ntasks = 3;
    s.script = "#!/bin/sh\necho \"rank $SUANWANG_TASK_INDEX of $SUANWANG_TASKS\"\n";
    struct sw_task_info info;
    start_ok(f, &s, &info);
    assert_int_equal(wait_end(f, 60, 10).exit_status, 0);
    char want[PATH_MAX + 16];
    snprintf(want, sizeof(want), "%s/60/gang.1", f->work);
    assert_string_equal(info.dir, want);
    const char *out = slurp(info.stdout_path);
    assert_non_null(strstr(out, "rank 0 of 3\n"));
    assert_non_null(strstr(out, "rank 1 of 3\n"));
    assert_non_null(strstr(out, "rank 2 of 3\n"));

    /* one task failing ends the gang */
    s = spec_argv(61, NULL);
    s.key.task = -1;
    s.ntasks = 3;
    s.script = "#!/bin/sh\n[ \"$SUANWANG_TASK_INDEX\" = 1 ] && exit 4\nexec sleep 30\n";
    int64_t t0 = sw_agent_mono_ms();
    start_ok(f, &s, &info);
    struct sw_task_end e = wait_end(f, 61, 10);
    assert_true(sw_agent_mono_ms() - t0 < 5000);
    assert_int_equal(e.exit_status, 4);
    assert_string_equal(e.reason, "task 1 of 3: exit status 4");
    fixture_free(f);
}

static void test_devices(void **state)
{
    (void)state;
    struct sw_device devs[3] = {
        {.index = 0, .model = "A100"}, {.index = 1, .model = "A100"},
        {.index = 2, .model = "NVIDIA H200"},
    };
    struct fixture *f = fixture_new(devs, 3, 0);
    char *argv[] = {"/bin/sh", "-c", "echo $CUDA_VISIBLE_DEVICES; exec sleep 30", NULL};
    char *quick[] = {"/bin/sh", "-c", "echo \"[$CUDA_VISIBLE_DEVICES]\"", NULL};
    struct sw_task_info i1, i2, i3;
    struct sw_task_spec s = spec_argv(70, argv);
    s.accelerators = 2;
    s.accel_model = "A100";
    start_ok(f, &s, &i1);
    struct sw_task_spec s2 = spec_argv(71, argv);
    s2.accelerators = 1;
    s2.accel_model = "H200"; /* matches the raw name "NVIDIA H200" */
    start_ok(f, &s2, &i2);
    struct sw_task_spec s3 = spec_argv(72, argv);
    s3.accelerators = 1;
    sw_error_t err = {{0}};
    assert_int_equal(f->b->ops->start(f->b, &s3, &i3, &err), -1);
    assert_non_null(strstr(err.text, "only 0 of this agent's 3 are free"));
    struct sw_task_spec s4 = spec_argv(73, quick); /* no accelerators asked: none visible */
    start_ok(f, &s4, &i3);
    assert_int_equal(wait_end(f, 73, 10).exit_status, 0);
    assert_string_equal(slurp(i3.stdout_path), "[]\n");

    usleep(200000);
    assert_string_equal(slurp(i1.stdout_path), "0,1\n");
    assert_string_equal(slurp(i2.stdout_path), "2\n");
    /* ending a unit gives its devices back */
    assert_int_equal(f->b->ops->kill(f->b, &s.key, SW_END_CANCELLED), 0);
    wait_end(f, 70, 10);
    s3.key.job = 74;
    s3.accel_model = "a100";
    start_ok(f, &s3, &i3);
    struct sw_unit_key keys[8];
    assert_int_equal(f->b->ops->list(f->b, keys, 8), 2);
    fixture_free(f);
}

static void test_shutdown(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(NULL, 0, 0);
    char *argv[] = {"/bin/sleep", "30", NULL};
    struct sw_task_spec s = spec_argv(80, argv);
    struct sw_task_info info;
    start_ok(f, &s, &info);
    s.key.job = 81;
    start_ok(f, &s, &info);
    f->b->ops->destroy(f->b, true);
    f->b = NULL;
    assert_int_equal(count_ends(f), 2);
    assert_int_equal(f->ends[0].kind, SW_END_SHUTDOWN);
    assert_string_equal(f->ends[1].reason, "killed: the agent shut down");
    errno = 0;
    assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
    assert_int_equal(errno, ECHILD);
    fixture_free(f);
}

static void test_many_concurrent(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(NULL, 0, 0);
    int fds = count_fds();
    enum { N = 200 };
    char *argv[] = {"/bin/sleep", "3", NULL};
    int64_t t0 = sw_agent_mono_ms();
    for (int i = 0; i < N; i++) {
        struct sw_task_spec s = spec_argv(1000 + i, argv);
        struct sw_task_info info;
        start_ok(f, &s, &info);
    }
    struct sw_unit_key keys[N];
    if (sw_agent_mono_ms() - t0 < 2500) /* (a slow sanitizer build may take longer) */
        assert_int_equal(f->b->ops->list(f->b, keys, N), N); /* all running at once */
    for (int i = 0; i < N; i++) {
        struct sw_task_end e = wait_end(f, 1000 + i, 30);
        assert_int_equal(e.exit_status, 0);
    }
    assert_int_equal(count_ends(f), N);
    assert_int_equal(f->b->ops->list(f->b, keys, N), 0);
    assert_int_equal(count_fds(), fds);
    errno = 0;
    assert_int_equal(waitpid(-1, NULL, WNOHANG), -1); /* no zombie */
    assert_int_equal(errno, ECHILD);
    fixture_free(f);
}

static int nlogs;
static char last_log[256];

static void log_line(void *arg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void log_line(void *arg, const char *fmt, ...)
{
    (void)arg;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_log, sizeof(last_log), fmt, ap);
    va_end(ap);
    nlogs++;
}

/* A backend on f's work directory that reports to f, as a restarted agent. */
static struct sw_agent_backend *restarted_with(struct fixture *f, const struct sw_device *devs,
                                               size_t ndevs)
{
    struct sw_agent_backend_config cfg = {
        .work_dir = f->work, .site = "testsite", .devices = devs, .ndevices = ndevs,
        .kill_grace_ms = 200, .on_end = on_end, .log = log_line, .arg = f,
    };
    sw_error_t err = {{0}};
    nlogs = 0;
    struct sw_agent_backend *b = sw_agent_backend_create("local", &cfg, &err);
    if (!b)
        fail_msg("%s", err.text);
    return b;
}

static struct sw_agent_backend *restarted(struct fixture *f)
{
    return restarted_with(f, NULL, 0);
}

/* Reap the supervisors the test process is the parent of, once ended. */
static void reap_all(void)
{
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
}

/* One agent per work directory; a task a previous agent left running is
 * adopted by the next, which reports its end (here: a cancel). */
static void test_adopt_running(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(NULL, 0, 200);
    struct sw_agent_backend_config cfg = {.work_dir = f->work, .site = "x", .log = log_line};
    sw_error_t err = {{0}};
    assert_null(sw_agent_backend_create("local", &cfg, &err));
    assert_non_null(strstr(err.text, "another agent (pid "));
    assert_non_null(strstr(err.text, "give each agent its own --work"));

    struct sw_task_spec s = spec_argv(90, NULL);
    s.script = "#!/bin/sh\necho $$ > pid\nexec sleep 300\n";
    struct sw_task_info info;
    start_ok(f, &s, &info);
    char pidfile[PATH_MAX + 16];
    snprintf(pidfile, sizeof(pidfile), "%s/work/pid", info.dir);
    pid_t pid = read_pid_file(pidfile, 5000);
    f->b->ops->destroy(f->b, false); /* --keep-tasks-on-exit */
    f->b = NULL;
    assert_false(pid_dead(pid));
    assert_int_equal(count_ends(f), 0);

    f->b = restarted(f);
    assert_int_equal(nlogs, 1);
    assert_non_null(strstr(last_log, "found 1 tasks of a previous agent"));
    struct sw_unit_key keys[4];
    assert_int_equal(f->b->ops->list(f->b, keys, 4), 1);
    assert_true(sw_unit_key_eq(&keys[0], &s.key));
    usleep(200 * 1000);
    assert_false(pid_dead(pid));
    assert_int_equal(count_ends(f), 0);
    assert_int_equal(f->b->ops->kill(f->b, &s.key, SW_END_CANCELLED), 0);
    struct sw_task_end e = wait_end(f, 90, 10);
    assert_int_equal(e.kind, SW_END_CANCELLED);
    assert_int_equal(e.signal, SIGTERM);
    assert_int_equal(e.exit_status, 128 + SIGTERM);
    assert_true(wait_dead(pid, 3000));
    assert_int_equal(f->b->ops->list(f->b, keys, 4), 0);
    f->b->ops->forget(f->b, &s.key); /* the agent is done with it */
    f->b->ops->destroy(f->b, true);
    f->b = NULL;
    reap_all();

    /* the record went with the unit: nothing to adopt */
    f->b = restarted(f);
    assert_int_equal(nlogs, 0);
    assert_int_equal(f->b->ops->list(f->b, keys, 4), 0);
    fixture_free(f);
}

/* A task that ends while no agent runs: the next agent reads its status
 * file and reports the end after `list`, and again after a restart until
 * the agent has forgotten it. */
static void test_adopt_ended(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(NULL, 0, 200);
    char *argv[] = {"/bin/sh", "-c", "sleep 0.3; exit 3", NULL};
    struct sw_task_spec s = spec_argv(91, argv);
    struct sw_task_info info;
    start_ok(f, &s, &info);
    f->b->ops->destroy(f->b, false);
    f->b = NULL;
    char status[PATH_MAX + 16];
    snprintf(status, sizeof(status), "%s/status.0", info.dir);
    for (int i = 0; i < 100 && access(status, F_OK) != 0; i++)
        usleep(50 * 1000);
    assert_int_equal(access(status, F_OK), 0);
    usleep(100 * 1000); /* the supervisor exits */
    reap_all();

    f->b = restarted(f);
    usleep(200 * 1000);
    assert_int_equal(count_ends(f), 0); /* held until the agent lists it */
    struct sw_unit_key keys[4];
    assert_int_equal(f->b->ops->list(f->b, keys, 4), 1);
    struct sw_task_end e = wait_end(f, 91, 5);
    assert_int_equal(e.kind, SW_END_EXITED);
    assert_int_equal(e.exit_status, 3);
    assert_int_equal(e.signal, 0);
    assert_string_equal(e.reason, "exit status 3");
    assert_true(e.time_ms <= sw_agent_wall_ms() - 200);
    f->b->ops->destroy(f->b, true);
    f->b = NULL;
    assert_int_equal(count_ends(f), 1);

    /* the agent died before the controller acknowledged the end: the next
     * one reports it again (the controller takes a resend as one) */
    f->b = restarted(f);
    assert_int_equal(f->b->ops->list(f->b, keys, 4), 1);
    e = wait_end(f, 91, 5);
    assert_int_equal(e.exit_status, 3);
    f->b->ops->forget(f->b, &s.key);
    f->b->ops->destroy(f->b, true);
    f->b = NULL;
    assert_int_equal(count_ends(f), 2);

    /* acknowledged and forgotten: a further agent finds nothing */
    f->b = restarted(f);
    assert_int_equal(f->b->ops->list(f->b, keys, 4), 0);
    fixture_free(f);
}

/* An adopted gang keeps its devices; a rank that failed while no agent ran
 * ends the gang once the agent lists it, and the devices come back. */
static void test_adopt_gang(void **state)
{
    (void)state;
    struct sw_device devs[2] = {{.index = 0, .model = "A100"}, {.index = 1, .model = "A100"}};
    struct fixture *f = fixture_new(devs, 2, 200);
    struct sw_task_spec s = spec_argv(93, NULL);
    s.key.task = -1;
    s.ntasks = 2;
    s.accelerators = 1;
    s.script = "#!/bin/sh\n[ \"$SUANWANG_TASK_INDEX\" = 1 ] && sleep 0.3 && exit 4\n"
               "echo $$ > pid\nexec sleep 300\n";
    struct sw_task_info info;
    start_ok(f, &s, &info);
    char pidfile[PATH_MAX + 16], status[PATH_MAX + 16];
    snprintf(pidfile, sizeof(pidfile), "%s/work/pid", info.dir);
    pid_t pid0 = read_pid_file(pidfile, 5000);
    f->b->ops->destroy(f->b, false);
    snprintf(status, sizeof(status), "%s/status.1", info.dir);
    for (int i = 0; i < 100 && access(status, F_OK) != 0; i++)
        usleep(50 * 1000);
    assert_int_equal(access(status, F_OK), 0);

    f->b = restarted_with(f, devs, 2);
    char *argv[] = {"/bin/true", NULL};
    struct sw_task_spec one = spec_argv(94, argv);
    one.accelerators = 1;
    sw_error_t err = {{0}};
    assert_int_equal(f->b->ops->start(f->b, &one, &info, &err), -1);
    assert_non_null(strstr(err.text, "only 0 of this agent's 2 are free"));
    /* rank 0 may already be stopped here: when rank 1's supervisor was still
     * exiting at the restart, the new agent adopts it live and stops the
     * gang as soon as it sees that rank end; otherwise it stops it once the
     * unit is listed. Either way the devices stay held until the end is
     * reported, and the gang ends once, with rank 1's status. */

    struct sw_unit_key keys[4];
    assert_int_equal(f->b->ops->list(f->b, keys, 4), 1);
    struct sw_task_end e = wait_end(f, 93, 10);
    assert_int_equal(e.exit_status, 4);
    assert_string_equal(e.reason, "task 1 of 2: exit status 4");
    assert_true(wait_dead(pid0, 3000));
    start_ok(f, &one, &info);
    assert_int_equal(wait_end(f, 94, 10).exit_status, 0);
    fixture_free(f);
    reap_all();
}

/* A record of an older agent (a task process without a supervisor) is
 * killed, as before adoption existed. */
static void test_leftovers_killed(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(NULL, 0, 200);
    f->b->ops->destroy(f->b, true);
    f->b = NULL;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        setpgid(0, 0);
        execl("/bin/sleep", "sleep", "300", (char *)NULL);
        _exit(127);
    }
    setpgid(pid, pid);
    usleep(100 * 1000);
    char stat_path[64], buf[1024];
    snprintf(stat_path, sizeof(stat_path), "/proc/%d/stat", (int)pid);
    FILE *sf = fopen(stat_path, "r");
    assert_non_null(sf);
    assert_non_null(fgets(buf, sizeof(buf), sf));
    fclose(sf);
    char *p = strrchr(buf, ')') + 2;
    for (int field = 3; field < 22; field++)
        p = strchr(p, ' ') + 1;
    long long start = atoll(p);
    char rec[PATH_MAX + 64];
    snprintf(rec, sizeof(rec), "%s/.procs/%d-%lld", f->work, (int)pid, start);
    FILE *rf = fopen(rec, "w");
    assert_non_null(rf);
    fprintf(rf, "job 1 task 0 attempt 1 fence 1\n");
    fclose(rf);

    f->b = restarted(f);
    assert_true(wait_dead(pid, 3000));
    assert_int_equal(nlogs, 1);
    assert_non_null(strstr(last_log, "killed 1 tasks that a previous agent left running"));
    assert_int_equal(waitpid(pid, NULL, 0), pid);
    assert_int_not_equal(access(rec, F_OK), 0);
    fixture_free(f);
}

static void test_bad_config(void **state)
{
    (void)state;
    sw_error_t err = {{0}};
    struct sw_agent_backend_config cfg = {.work_dir = "relative/dir", .site = "x"};
    assert_null(sw_agent_backend_create("local", &cfg, &err));
    assert_non_null(strstr(err.text, "absolute"));
    cfg.work_dir = "/tmp";
    assert_null(sw_agent_backend_create("kubernetes", &cfg, &err));
    assert_non_null(strstr(err.text, "not implemented yet"));
    assert_null(sw_agent_backend_create("pbs", &cfg, &err));
    assert_non_null(strstr(err.text, "unknown backend"));
    cfg.run_as = "no-such-user-suanwang";
    assert_null(sw_agent_backend_create("local", &cfg, &err));
    if (geteuid() == 0) {
        assert_non_null(strstr(err.text, "no user \"no-such-user-suanwang\""));
        cfg.run_as = "root";
        assert_null(sw_agent_backend_create("local", &cfg, &err));
        assert_non_null(strstr(err.text, "refusing to run tasks as root"));
        /* a work directory the task user cannot enter */
        char dir[] = "/tmp/sw-test-agent-closed.XXXXXX";
        assert_non_null(mkdtemp(dir));
        cfg.run_as = NULL;
        cfg.work_dir = dir;
        assert_null(sw_agent_backend_create("local", &cfg, &err));
        assert_non_null(strstr(err.text, "cannot enter it"));
        rmdir(dir);
    } else {
        assert_non_null(strstr(err.text, "only an agent running as root"));
    }
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exit_status),
        cmocka_unit_test(test_env_and_output),
        cmocka_unit_test(test_workdir_and_path_search),
        cmocka_unit_test(test_cannot_start),
        cmocka_unit_test(test_walltime),
        cmocka_unit_test(test_cancel_kills_group),
        cmocka_unit_test(test_script),
        cmocka_unit_test(test_rlimits),
        cmocka_unit_test(test_gang),
        cmocka_unit_test(test_devices),
        cmocka_unit_test(test_shutdown),
        cmocka_unit_test(test_many_concurrent),
        cmocka_unit_test(test_adopt_running),
        cmocka_unit_test(test_adopt_ended),
        cmocka_unit_test(test_adopt_gang),
        cmocka_unit_test(test_leftovers_killed),
        cmocka_unit_test(test_bad_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
