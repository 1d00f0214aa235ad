/* discover.c — what this machine offers to a site agent (see discover.h). */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT, pipe2 */
#include "agent/discover.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config/network_json.h"
#include "util/parse.h"

extern char **environ;

#define NVSMI_TIMEOUT_MS 10000
#define NVSMI_OUTPUT_MAX (256 * 1024)

static int64_t discover_cores(void)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
        return CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? n : 1;
}

/* A cgroup v2 memory.max of this process in MiB, or 0 when there is none. */
static int64_t cgroup_mem_max_mib(void)
{
    FILE *f = fopen("/proc/self/cgroup", "re");
    if (!f)
        return 0;
    char line[1024];
    char path[1200] = "";
    while (fgets(line, sizeof(line), f)) {
        if (strncmp(line, "0::", 3) == 0) {
            line[strcspn(line, "\n")] = '\0';
            snprintf(path, sizeof(path), "/sys/fs/cgroup%s/memory.max", line + 3);
            break;
        }
    }
    fclose(f);
    if (!path[0])
        return 0;
    f = fopen(path, "re");
    if (!f)
        return 0;
    int64_t mib = 0;
    if (fgets(line, sizeof(line), f) && isdigit((unsigned char)line[0])) {
        line[strcspn(line, "\n")] = '\0';
        char *end = NULL;
        unsigned long long b = strtoull(line, &end, 10);
        if (end && *end == '\0')
            mib = (int64_t)(b / (1024 * 1024));
    }
    fclose(f);
    return mib;
}

static int64_t discover_mem_mib(void)
{
    int64_t mib = 0;
    FILE *f = fopen("/proc/meminfo", "re");
    if (f) {
        char line[256];
        while (fgets(line, sizeof(line), f)) {
            if (strncmp(line, "MemTotal:", 9) == 0) {
                char *end = NULL;
                long long kib = strtoll(line + 9, &end, 10);
                if (end != line + 9 && kib > 0)
                    mib = kib / 1024;
                break;
            }
        }
        fclose(f);
    }
    if (mib == 0) {
        long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
        if (pages > 0 && psize > 0)
            mib = (int64_t)pages * psize / (1024 * 1024);
    }
    int64_t cg = cgroup_mem_max_mib();
    if (cg > 0 && (mib == 0 || cg < mib))
        mib = cg;
    return mib;
}

/* Add `count` devices of `model` to the group list of `cap`. */
static int add_group(struct sw_capacity *cap, const char *model, int64_t count,
                     const char *source, sw_error_t *err)
{
    for (size_t i = 0; i < cap->ngroups; i++) {
        if (strcmp(cap->groups[i].model, model) == 0 && cap->groups[i].source == source) {
            cap->groups[i].count += count;
            return 0;
        }
    }
    if (cap->ngroups >= SW_DISCOVER_MAX_GROUPS) {
        errno = E2BIG;
        return sw_errprintf(err, "more than %d accelerator models", SW_DISCOVER_MAX_GROUPS);
    }
    struct sw_accel_group *g = &cap->groups[cap->ngroups++];
    snprintf(g->model, sizeof(g->model), "%s", model);
    g->count = count;
    g->source = source;
    return 0;
}

static int add_device(struct sw_capacity *cap, int index, const char *model, const char *uuid,
                      int64_t mem_mib, sw_error_t *err)
{
    if (cap->ndevices >= SW_DISCOVER_MAX_DEVICES) {
        errno = E2BIG;
        return sw_errprintf(err, "more than %d accelerator devices", SW_DISCOVER_MAX_DEVICES);
    }
    struct sw_device *d = &cap->devices[cap->ndevices++];
    d->index = index;
    snprintf(d->model, sizeof(d->model), "%s", model);
    snprintf(d->uuid, sizeof(d->uuid), "%s", uuid ? uuid : "");
    d->mem_mib = mem_mib;
    return 0;
}

/* Add `count` declared devices of `model`, numbered after the existing ones. */
static int add_declared(struct sw_capacity *cap, const char *model, int64_t count,
                        sw_error_t *err)
{
    if (count > SW_DISCOVER_MAX_DEVICES) {
        errno = E2BIG;
        return sw_errprintf(err, "%s: %lld devices is more than the %d an agent handles",
                            model, (long long)count, SW_DISCOVER_MAX_DEVICES);
    }
    for (int64_t i = 0; i < count; i++)
        if (add_device(cap, (int)cap->ndevices, model, NULL, 0, err) < 0)
            return -1;
    return add_group(cap, model, count, "declared", err);
}

void sw_discover_gpu_model(const char *gpu_name, const struct sw_catalog *cat, char *out,
                           size_t n)
{
    /* try each word (split on blanks and '-') against the catalog */
    if (cat) {
        const char *p = gpu_name;
        while (*p) {
            while (*p == ' ' || *p == '-')
                p++;
            size_t len = strcspn(p, " -");
            if (len == 0)
                break;
            for (size_t m = 0; m < cat->n; m++) {
                const char *name = cat->models[m].name;
                if (strlen(name) == len && strncasecmp(name, p, len) == 0) {
                    snprintf(out, n, "%s", name);
                    return;
                }
            }
            p += len;
        }
    }
    snprintf(out, n, "%s", gpu_name);
}

/* Trim blanks at both ends of [s, s+len) in place; returns the start. */
static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t len = strlen(s);
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r'))
        s[--len] = '\0';
    return s;
}

int sw_discover_parse_nvidia_smi(const char *text, const struct sw_catalog *cat,
                                 struct sw_capacity *cap, sw_error_t *err)
{
    int found = 0;
    int lineno = 0;
    const char *p = text;
    while (*p) {
        size_t len = strcspn(p, "\n");
        lineno++;
        char line[512];
        if (len >= sizeof(line)) {
            errno = EINVAL;
            return sw_errprintf(err, "nvidia-smi output line %d is too long", lineno);
        }
        memcpy(line, p, len);
        line[len] = '\0';
        p += len + (p[len] == '\n');
        if (trim(line)[0] == '\0')
            continue;
        char *fields[4];
        int nf = 0;
        char *save = NULL;
        for (char *tok = strtok_r(line, ",", &save); tok && nf < 4;
             tok = strtok_r(NULL, ",", &save))
            fields[nf++] = trim(tok);
        if (nf < 2) {
            errno = EINVAL;
            return sw_errprintf(err, "nvidia-smi output line %d: expected \"index, name, "
                                     "memory, uuid\"", lineno);
        }
        int64_t index = 0, mem = 0;
        sw_error_t ignored;
        if (sw_parse_i64(fields[0], 0, 1 << 20, &index, "GPU index", err) < 0)
            return sw_errprefix(err, "nvidia-smi output line %d: ", lineno);
        if (nf >= 3 && sw_parse_i64(fields[2], 0, INT64_MAX, &mem, "memory", &ignored) < 0)
            mem = 0; /* "[N/A]" */
        char model[SW_ACCEL_NAME_MAX];
        sw_discover_gpu_model(fields[1], cat, model, sizeof(model));
        if (add_device(cap, (int)index, model, nf >= 4 ? fields[3] : NULL, mem, err) < 0 ||
            add_group(cap, model, 1, "nvidia-smi", err) < 0)
            return -1;
        found++;
    }
    return found;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Find an executable `name` in $PATH; writes its path into `out`. */
static int find_in_path(const char *name, char *out, size_t n)
{
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    while (*path) {
        size_t len = strcspn(path, ":");
        if (len > 0 && (size_t)snprintf(out, n, "%.*s/%s", (int)len, path, name) < n &&
            access(out, X_OK) == 0)
            return 0;
        path += len + (path[len] == ':');
    }
    return -1;
}

/* Run `path --query-gpu=…` and return its stdout (malloc'd, NUL-terminated)
 * or NULL with a reason in `note`. */
static char *run_nvidia_smi(const char *path, sw_error_t *note)
{
    char *argv[] = {(char *)path, "--query-gpu=index,name,memory.total,uuid",
                    "--format=csv,noheader,nounits", NULL};
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0) {
        sw_errprintf(note, "nvidia-smi: pipe: %s", strerror(errno));
        return NULL;
    }
    int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    pid_t pid = fork();
    if (pid == 0) {
        /* only async-signal-safe calls from here to execve */
        if (devnull >= 0) {
            dup2(devnull, 0);
            dup2(devnull, 2);
        }
        dup2(fds[1], 1);
        execve(path, argv, environ);
        _exit(127);
    }
    close(fds[1]);
    if (devnull >= 0)
        close(devnull);
    if (pid < 0) {
        close(fds[0]);
        sw_errprintf(note, "nvidia-smi: fork: %s", strerror(errno));
        return NULL;
    }
    char *buf = malloc(NVSMI_OUTPUT_MAX + 1);
    size_t len = 0;
    bool timed_out = false;
    int64_t deadline = now_ms() + NVSMI_TIMEOUT_MS;
    while (buf && len < NVSMI_OUTPUT_MAX) {
        struct pollfd pfd = {.fd = fds[0], .events = POLLIN};
        int64_t left = deadline - now_ms();
        if (left <= 0) {
            timed_out = true;
            break;
        }
        int r = poll(&pfd, 1, (int)left);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            timed_out = r == 0;
            break;
        }
        ssize_t got = read(fds[0], buf + len, NVSMI_OUTPUT_MAX - len);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        len += (size_t)got;
    }
    close(fds[0]);
    if (timed_out)
        kill(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!buf) {
        sw_errprintf(note, "nvidia-smi: out of memory");
        return NULL;
    }
    buf[len] = '\0';
    if (timed_out || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        if (timed_out)
            sw_errprintf(note, "%s did not answer within %d s", path, NVSMI_TIMEOUT_MS / 1000);
        else
            sw_errprintf(note, "%s failed (status %d)", path,
                         WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
        free(buf);
        return NULL;
    }
    return buf;
}

/* NVIDIA GPUs via nvidia-smi; 0 when there are none (reason in `note`). */
static int discover_nvidia(const struct sw_discover_opts *opts, const struct sw_catalog *cat,
                           struct sw_capacity *cap, sw_error_t *note)
{
    char path[4096];
    if (opts->nvidia_smi)
        snprintf(path, sizeof(path), "%s", opts->nvidia_smi);
    else if (find_in_path("nvidia-smi", path, sizeof(path)) < 0) {
        sw_errprintf(note, "no nvidia-smi in $PATH");
        return 0;
    }
    char *out = run_nvidia_smi(path, note);
    if (!out)
        return 0;
    struct sw_capacity tmp = *cap;
    sw_error_t perr;
    int n = sw_discover_parse_nvidia_smi(out, cat, &tmp, &perr);
    free(out);
    if (n < 0) {
        sw_errprintf(note, "%s", perr.text);
        return 0;
    }
    if (n == 0)
        sw_errprintf(note, "nvidia-smi lists no GPUs");
    *cap = tmp;
    return n;
}

/* Accelerators declared for `site` in the network file. */
static int discover_network(const struct sw_network *net, const char *site,
                            struct sw_capacity *cap, sw_error_t *err)
{
    int s = sw_network_site(net, site);
    if (s < 0) {
        errno = ENOENT;
        int near = net->nsites > 0 ? sw_closest_name(site, net->sites[0].name, net->nsites,
                                                     sizeof(net->sites[0]))
                                   : -1;
        if (near >= 0)
            return sw_errprintf(err, "the network file has no site \"%s\"; did you mean "
                                     "\"%s\"?", site, net->sites[near].name);
        return sw_errprintf(err, "the network file has no site \"%s\"", site);
    }
    const struct sw_site *st = &net->sites[s];
    for (size_t m = 0; m < net->catalog.n; m++) {
        int64_t count = 0;
        for (size_t c = 0; c < st->nclasses; c++)
            if (st->classes[c].accel == (int)m)
                count += st->classes[c].count * st->classes[c].accels;
        if (count > 0 && add_declared(cap, net->catalog.models[m].name, count, err) < 0)
            return -1;
    }
    return 0;
}

int sw_discover(const struct sw_discover_opts *opts, struct sw_capacity *cap,
                sw_error_t *note, sw_error_t *err)
{
    struct sw_capacity c;
    memset(&c, 0, sizeof(c));
    c.cores = discover_cores();
    c.mem_mib = discover_mem_mib();
    if (note)
        note->text[0] = '\0';

    struct sw_network net;
    memset(&net, 0, sizeof(net));
    struct sw_catalog builtin;
    memset(&builtin, 0, sizeof(builtin));
    const struct sw_catalog *cat = NULL;
    int rc = -1;
    if (opts->network_path) {
        if (sw_network_load(opts->network_path, &net, err) < 0)
            return -1;
        cat = &net.catalog;
    } else if (sw_catalog_builtin(&builtin) == 0) {
        cat = &builtin;
    }

    if (opts->ndeclared > 0) {
        for (size_t i = 0; i < opts->ndeclared; i++)
            if (add_declared(&c, opts->declared[i].model, opts->declared[i].count, err) < 0)
                goto out_free;
    } else {
        int n = 0;
        if (opts->gpus == SW_DISCOVER_AUTO)
            n = discover_nvidia(opts, cat, &c, note);
        if (n == 0 && opts->network_path && opts->site &&
            discover_network(&net, opts->site, &c, err) < 0)
            goto out_free;
    }
    sw_discover_one_class(&c);
    *cap = c;
    rc = 0;
out_free:
    sw_network_free(&net);
    sw_catalog_free(&builtin);
    return rc;
}

void sw_discover_one_class(struct sw_capacity *cap)
{
    struct sw_node_class_report *r = &cap->classes.c[0];
    memset(&cap->classes, 0, sizeof(cap->classes));
    snprintf(r->name, sizeof(r->name), "local");
    r->count = 1;
    r->cores = cap->cores;
    r->mem_mib = cap->mem_mib;
    for (size_t i = 0; i < cap->ngroups && r->naccel < SW_CLASS_MAX_ACCEL; i++) {
        struct sw_class_accel *a = &r->accel[r->naccel++];
        snprintf(a->model, sizeof(a->model), "%s", cap->groups[i].model);
        a->count = cap->groups[i].count;
    }
    cap->classes.n = 1;
}

int sw_discover_parse_declared(const char *s, struct sw_accel_group *g, sw_error_t *err)
{
    const char *colon = strrchr(s, ':');
    if (!colon || colon == s || (size_t)(colon - s) >= sizeof(g->model)) {
        errno = EINVAL;
        return sw_errprintf(err, "--accelerators \"%s\": use MODEL:COUNT, e.g. A100:8", s);
    }
    int64_t n = 0;
    if (sw_parse_i64(colon + 1, 1, SW_DISCOVER_MAX_DEVICES, &n, "--accelerators count",
                     err) < 0)
        return -1;
    memset(g, 0, sizeof(*g));
    snprintf(g->model, sizeof(g->model), "%.*s", (int)(colon - s), s);
    g->count = n;
    g->source = "declared";
    return 0;
}
