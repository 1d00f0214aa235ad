/* backend_slurm_cmd.c — running Slurm's command line tools (fork + execve,
 * never a shell), reading their output, and the site's capacity from
 * `scontrol show node -o` (see backend_slurm.h). */
#define _GNU_SOURCE
#include "agent/backend_slurm_int.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

char sw__slurm_partition[128], sw__slurm_account[128], sw__slurm_qos[128];

static int copy_opt(char *dst, size_t n, const char *src, const char *what, sw_error_t *err)
{
    dst[0] = '\0';
    if (!src)
        return 0;
    if (strlen(src) >= n || strpbrk(src, " \t\n,=") || src[0] == '-') {
        errno = EINVAL;
        return sw_errprintf(err, "--slurm-%s \"%s\": not a valid Slurm name", what, src);
    }
    memcpy(dst, src, strlen(src) + 1);
    return 0;
}

int sw_slurm_configure(const struct sw_slurm_options *o, sw_error_t *err)
{
    if (copy_opt(sw__slurm_partition, sizeof(sw__slurm_partition), o->partition, "partition",
                 err) < 0 ||
        copy_opt(sw__slurm_account, sizeof(sw__slurm_account), o->account, "account", err) < 0 ||
        copy_opt(sw__slurm_qos, sizeof(sw__slurm_qos), o->qos, "qos", err) < 0)
        return -1;
    return 0;
}

/* The path of `prog` in $PATH, into out; false when not found. */
static bool find_prog(const char *prog, char *out, size_t n)
{
    if (strchr(prog, '/')) {
        snprintf(out, n, "%s", prog);
        return access(out, X_OK) == 0;
    }
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    for (const char *p = path; *p;) {
        size_t len = strcspn(p, ":");
        if (len > 0 && (size_t)snprintf(out, n, "%.*s/%s", (int)len, p, prog) < n &&
            access(out, X_OK) == 0)
            return true;
        p += len;
        if (*p == ':')
            p++;
    }
    return false;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int sw__slurm_run(char *const argv[], char **out, int timeout_ms, sw_error_t *err)
{
    *out = NULL;
    char prog[4096];
    if (!find_prog(argv[0], prog, sizeof(prog))) {
        errno = ENOENT;
        sw_errprintf(err, "%s: not found in $PATH (is Slurm installed here?)", argv[0]);
        return -1;
    }
    /* the environment: nothing of the agent's (its token stays out) */
    char e_path[4096], e_home[1024], e_conf[4096];
    const char *p = getenv("PATH"), *h = getenv("HOME"), *c = getenv("SLURM_CONF");
    snprintf(e_path, sizeof(e_path), "PATH=%s", p && *p ? p : "/usr/local/bin:/usr/bin:/bin");
    snprintf(e_home, sizeof(e_home), "HOME=%s", h && *h ? h : "/");
    snprintf(e_conf, sizeof(e_conf), "SLURM_CONF=%s", c ? c : "");
    char *envp[] = {e_path, e_home, "LANG=C", "LC_ALL=C", c ? e_conf : NULL, NULL};

    int po[2] = {-1, -1}, pe[2] = {-1, -1};
    if (pipe2(po, O_CLOEXEC) < 0 || pipe2(pe, O_CLOEXEC) < 0) {
        sw_errprintf(err, "pipe: %s", strerror(errno));
        if (po[0] >= 0) {
            close(po[0]);
            close(po[1]);
        }
        return -1;
    }
    int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    pid_t pid = fork();
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
        if (devnull >= 0)
            dup2(devnull, 0);
        dup2(po[1], 1);
        dup2(pe[1], 2);
        execve(prog, argv, envp);
        _exit(127);
    }
    if (devnull >= 0)
        close(devnull);
    close(po[1]);
    close(pe[1]);
    if (pid < 0) {
        close(po[0]);
        close(pe[0]);
        sw_errprintf(err, "fork: %s", strerror(errno));
        return -1;
    }
    char *buf[2] = {NULL, NULL};
    size_t len[2] = {0, 0}, cap[2] = {0, 0};
    int fds[2] = {po[0], pe[0]};
    bool open_[2] = {true, true};
    int64_t deadline = mono_ms() + timeout_ms;
    bool timed_out = false;
    while (open_[0] || open_[1]) {
        struct pollfd pf[2];
        int n = 0, which[2];
        for (int i = 0; i < 2; i++)
            if (open_[i]) {
                pf[n] = (struct pollfd){.fd = fds[i], .events = POLLIN};
                which[n++] = i;
            }
        int64_t left = deadline - mono_ms();
        if (left <= 0) {
            timed_out = true;
            break;
        }
        int r = poll(pf, (nfds_t)n, (int)left);
        if (r < 0 && errno != EINTR)
            break;
        for (int k = 0; k < n && r > 0; k++) {
            if (!pf[k].revents)
                continue;
            int i = which[k];
            if (cap[i] - len[i] < 4097) {
                size_t ncap = cap[i] ? cap[i] * 2 : 8192;
                char *nb = realloc(buf[i], ncap);
                if (!nb) {
                    open_[i] = false;
                    continue;
                }
                buf[i] = nb;
                cap[i] = ncap;
            }
            ssize_t got = read(fds[i], buf[i] + len[i], cap[i] - len[i] - 1);
            if (got > 0)
                len[i] += (size_t)got;
            else if (got == 0 || (errno != EINTR && errno != EAGAIN))
                open_[i] = false;
        }
    }
    close(po[0]);
    close(pe[0]);
    if (timed_out)
        kill(pid, SIGKILL);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    for (int i = 0; i < 2; i++) {
        if (!buf[i])
            buf[i] = calloc(1, 1);
        else
            buf[i][len[i]] = '\0';
    }
    int rc;
    if (timed_out) {
        errno = ETIMEDOUT;
        sw_errprintf(err, "%s did not answer within %d s", argv[0], timeout_ms / 1000);
        rc = -1;
    } else if (WIFEXITED(st)) {
        rc = WEXITSTATUS(st);
        if (rc != 0) {
            const char *t = buf[1] ? buf[1] : "";
            sw_errprintf(err, "%s: %.*s", argv[0], (int)strcspn(t, "\n"),
                         *t ? t : "failed without a message");
            if (rc == 127 && !*t)
                sw_errprintf(err, "%s: cannot be run", argv[0]);
        }
    } else {
        sw_errprintf(err, "%s killed by signal %d", argv[0], WTERMSIG(st));
        rc = -1;
    }
    free(buf[1]);
    *out = buf[0];
    if (!*out)
        rc = -1;
    return rc;
}

bool sw__slurm_field(const char *line, const char *key, char *val, size_t n)
{
    size_t kl = strlen(key);
    for (const char *p = line; (p = strstr(p, key)) != NULL; p += kl) {
        if ((p == line || p[-1] == ' ') && p[kl] == '=') {
            const char *v = p + kl + 1;
            size_t len = strcspn(v, " \n");
            if (len >= n)
                len = n - 1;
            memcpy(val, v, len);
            val[len] = '\0';
            return true;
        }
    }
    return false;
}

char *sw__slurm_quote(const char *s)
{
    size_t n = 3;
    for (const char *p = s; *p; p++)
        n += *p == '\'' ? 4 : 1;
    char *o = malloc(n);
    if (!o)
        return NULL;
    char *w = o;
    *w++ = '\'';
    for (const char *p = s; *p; p++) {
        if (*p == '\'') {
            memcpy(w, "'\\''", 4);
            w += 4;
        } else {
            *w++ = *p;
        }
    }
    *w++ = '\'';
    *w = '\0';
    return o;
}

static void copy_str(char *dst, size_t n, const char *src)
{
    size_t len = strlen(src);
    if (len >= n)
        len = n - 1;
    memcpy(dst, src, len);
    dst[len] = '\0';
}

/* Add N GPUs of `model` to cap (merging groups of one model). */
static void add_gpus(struct sw_capacity *cap, const char *model, int64_t count,
                     const struct sw_accel_group *known, size_t nknown)
{
    char name[SW_ACCEL_NAME_MAX];
    copy_str(name, sizeof(name), model && *model ? model : "GPU");
    bool spelled = false;
    for (size_t i = 0; i < nknown; i++)
        if (strcasecmp(known[i].model, name) == 0) {
            copy_str(name, sizeof(name), known[i].model);
            spelled = true;
        }
    if (!spelled)
        for (char *q = name; *q; q++)
            *q = (char)toupper((unsigned char)*q);
    for (size_t i = 0; i < cap->ngroups; i++)
        if (strcmp(cap->groups[i].model, name) == 0) {
            cap->groups[i].count += count;
            return;
        }
    if (cap->ngroups >= SW_DISCOVER_MAX_GROUPS)
        return;
    struct sw_accel_group *g = &cap->groups[cap->ngroups++];
    copy_str(g->model, sizeof(g->model), name);
    g->count = count;
    g->source = "slurm";
}

/* "gpu:a100:4(S:0),gpu:2,mps:100" -> GPU groups. */
static void parse_gres(struct sw_capacity *cap, const char *gres,
                       const struct sw_accel_group *known, size_t nknown)
{
    char item[256];
    for (const char *p = gres; *p;) {
        size_t len = strcspn(p, ",");
        snprintf(item, sizeof(item), "%.*s", (int)(len < sizeof(item) ? len : sizeof(item) - 1), p);
        p += len;
        if (*p == ',')
            p++;
        item[strcspn(item, "(")] = '\0';
        if (strncmp(item, "gpu:", 4) != 0)
            continue;
        char *f1 = item + 4, *f2 = strchr(f1, ':');
        char *model = NULL, *num = f1;
        if (f2) {
            *f2 = '\0';
            model = f1;
            num = f2 + 1;
        }
        char *end;
        long long n = strtoll(num, &end, 10);
        if (end == num || n <= 0)
            continue;
        add_gpus(cap, model, n, known, nknown);
    }
}

int sw_slurm_capacity(struct sw_capacity *cap, sw_error_t *err)
{
    char *argv[] = {"scontrol", "show", "node", "-o", NULL};
    char *out = NULL;
    int rc = sw__slurm_run(argv, &out, 30000, err);
    if (rc != 0) {
        free(out);
        if (rc > 0)
            errno = EIO;
        return sw_errprefix(err, "cannot read the Slurm nodes: ");
    }
    struct sw_accel_group known[SW_DISCOVER_MAX_GROUPS];
    size_t nknown = cap->ngroups;
    memcpy(known, cap->groups, sizeof(known));
    cap->cores = cap->mem_mib = 0;
    cap->ngroups = 0;
    cap->ndevices = 0;
    size_t nodes = 0;
    char val[1024];
    for (char *line = out; *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        if (sw__slurm_field(line, "NodeName", val, sizeof(val))) {
            bool in = true;
            if (sw__slurm_partition[0]) {
                in = false;
                if (sw__slurm_field(line, "Partitions", val, sizeof(val)))
                    for (char *sv = NULL, *t = strtok_r(val, ",", &sv); t; t = strtok_r(NULL, ",", &sv))
                        if (strcmp(t, sw__slurm_partition) == 0)
                            in = true;
            }
            if (in && sw__slurm_field(line, "State", val, sizeof(val)) &&
                (strstr(val, "DOWN") || strstr(val, "FUTURE")))
                in = false;
            if (in) {
                nodes++;
                if (sw__slurm_field(line, "CPUTot", val, sizeof(val)))
                    cap->cores += strtoll(val, NULL, 10);
                if (sw__slurm_field(line, "RealMemory", val, sizeof(val)))
                    cap->mem_mib += strtoll(val, NULL, 10);
                if (sw__slurm_field(line, "Gres", val, sizeof(val)) && strcmp(val, "(null)") != 0)
                    parse_gres(cap, val, known, nknown);
            }
        }
        if (!nl)
            break;
        line = nl + 1;
    }
    free(out);
    if (nodes == 0) {
        errno = ENOENT;
        return sw_errprintf(err, "Slurm lists no usable node%s%s", sw__slurm_partition[0] ?
                            " in partition " : "", sw__slurm_partition);
    }
    return 0;
}
