/* backend_slurm_cmd.c — running Slurm's command line tools (fork + execve,
 * never a shell), reading their output, and the site's capacity from
 * `scontrol show node -o` grouped into node classes (slurm_nodes.h; see
 * backend_slurm.h). */
#define _GNU_SOURCE
#include "agent/backend_slurm_int.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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

/* Read the nodes with the builtin catalog for GRES type names. */
int sw__slurm_read_nodes(struct sw_node_classes *out, struct sw_slurm_nodes_summary *sum,
                         sw_error_t *err)
{
    char *argv[] = {"scontrol", "show", "node", "-o", NULL};
    char *text = NULL;
    int rc = sw__slurm_run(argv, &text, 30000, err);
    if (rc != 0) {
        free(text);
        if (rc > 0)
            errno = EIO;
        return sw_errprefix(err, "cannot read the Slurm nodes: ");
    }
    struct sw_catalog cat = {0};
    bool have_cat = sw_catalog_builtin(&cat) == 0;
    struct sw_slurm_nodes_opts o = {.partition = sw__slurm_partition,
                                    .cat = have_cat ? &cat : NULL,
                                    .known = sw__slurm_known,
                                    .nknown = sw__slurm_nknown};
    struct sw_slurm_nodes_summary local;
    if (!sum)
        sum = &local;
    rc = sw_slurm_nodes_group(text, &o, out, sum, err);
    free(text);
    sw_catalog_free(&cat);
    return rc;
}

int sw_slurm_capacity(struct sw_capacity *cap, struct sw_slurm_nodes_summary *sum,
                      sw_error_t *err)
{
    struct sw_node_classes *cl = malloc(sizeof(*cl));
    if (!cl) {
        errno = ENOMEM;
        return sw_errprintf(err, "out of memory");
    }
    struct sw_slurm_nodes_summary local;
    if (!sum)
        sum = &local;
    int rc = sw__slurm_read_nodes(cl, sum, err);
    if (rc == 0 && cl->n == 0) {
        errno = ENOENT;
        rc = sw_errprintf(err, "Slurm lists no node in service%s%s (%lld left out: down, "
                               "drained or not registered yet)",
                          sw__slurm_partition[0] ? " in partition " : "", sw__slurm_partition,
                          (long long)sum->left_out);
    }
    if (rc == 0) {
        cap->classes = *cl;
        sw_slurm_nodes_totals(cl, cap);
    }
    free(cl);
    return rc;
}
