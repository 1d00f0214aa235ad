/* backend_slurm.c — the `slurm` backend (see backend_slurm.h and
 * docs/slurm.md): each unit is one Slurm batch job.
 *
 * start: writes DIR/task.sh (exports of the job's environment and the
 * SUANWANG_* variables, each single-quoted, then `exec` of the argv, each
 * word single-quoted, or of the job's own script DIR/job.sh), for a gang a
 * DIR/batch.sh that runs task.sh once per task through `srun`, and submits it
 * with `sbatch --parsable`; the Slurm job id goes to DIR/slurm.job with the
 * unit's key (DIR/slurm.job.done once its end was reported).
 * A tracking thread asks `squeue` every second about every job (one call),
 * and `scontrol show job -o ID` (then the jobcomp file) for the exit code of
 * one that ended. A walltime is enforced here to the second (scancel), with
 * Slurm's --time (in minutes, rounded up) as the backstop.
 * The same thread reads the nodes in service again every 10 s
 * (slurm_nodes.h), for the node classes every heartbeat reports. The
 * account and QoS of each job follow its tenant and QoS class
 * (slurm_options.c).
 * A new backend re-adopts the jobs recorded in WORK and kills nothing.
 */
#define _GNU_SOURCE
#include "agent/backend_slurm_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define TICK_MS 1000
#define VANISH_MS 30000
#define CMD_MS 30000
#define NODES_MS 10000 /* how often the nodes in service are read again */

struct sunit {
    struct sw_unit_key key;
    char dir[PATH_MAX];
    char id[32];              /* the Slurm job id */
    int64_t walltime_s;
    int64_t run_since_ms;     /* monotonic: first seen RUNNING; 0: not yet */
    int64_t missing_since_ms; /* monotonic: not in squeue; 0: listed */
    enum sw_end_kind kill;    /* EXITED: not killed by us */
    bool killed;
    struct sunit *next;
};

struct sslurm {
    struct sw_agent_backend base;
    char *work_dir, *site;
    char jobcomp[PATH_MAX];   /* JobCompLoc when jobcomp/filetxt */
    sw_agent_end_f on_end;
    sw_agent_log_f log;
    void *arg;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct sunit *units;
    bool stop_now, stopping;
    pthread_t thread;
    int64_t foreign_cpus, foreign_jobs; /* Slurm's own users, last poll */
    struct sw_node_classes *classes;    /* the nodes in service, last read (owned) */
    int64_t nodes_read_ms;              /* monotonic: when they were read */
    int64_t nodes_left_out;             /* nodes of the partition not in service */
    bool nodes_failing;                 /* the last reading failed (logged once) */
};

#define LOG(S, ...) do { if ((S)->log) (S)->log((S)->arg, __VA_ARGS__); } while (0)

static bool fmt(char *out, size_t n, const char *f, ...) __attribute__((format(printf, 3, 4)));
static bool fmt(char *out, size_t n, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    int w = vsnprintf(out, n, f, ap);
    va_end(ap);
    return w >= 0 && (size_t)w < n;
}

static int write_file(const char *path, const char *text, mode_t mode, sw_error_t *err)
{
    char tmp[PATH_MAX];
    if (!fmt(tmp, sizeof(tmp), "%s.tmp", path))
        return sw_errprintf(err, "%s: path too long", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
    if (fd < 0)
        return sw_errprintf(err, "cannot write %s: %s", tmp, strerror(errno));
    size_t len = strlen(text), off = 0;
    while (off < len) {
        ssize_t w = write(fd, text + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            close(fd);
            return sw_errprintf(err, "cannot write %s: %s", tmp, strerror(errno));
        }
        off += (size_t)w;
    }
    if (fchmod(fd, mode) < 0 || close(fd) < 0 || rename(tmp, path) < 0)
        return sw_errprintf(err, "cannot write %s: %s", path, strerror(errno));
    return 0;
}

/* A growing string. */
struct sbuf {
    char *s;
    size_t len, cap;
    bool oom;
};

static void sb_add(struct sbuf *b, const char *t)
{
    size_t n = strlen(t);
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t nc = (b->cap ? b->cap : 1024);
        while (nc < b->len + n + 1)
            nc *= 2;
        char *ns = realloc(b->s, nc);
        if (!ns) {
            b->oom = true;
            return;
        }
        b->s = ns;
        b->cap = nc;
    }
    memcpy(b->s + b->len, t, n + 1);
    b->len += n;
}

static void sb_quoted(struct sbuf *b, const char *t)
{
    char *q = sw__slurm_quote(t);
    if (!q) {
        b->oom = true;
        return;
    }
    sb_add(b, q);
    free(q);
}

static bool env_name_ok(const char *kv)
{
    const char *eq = strchr(kv, '=');
    if (!eq || eq == kv)
        return false;
    for (const char *p = kv; p < eq; p++) {
        bool ok = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || *p == '_' ||
                  (p > kv && *p >= '0' && *p <= '9');
        if (!ok)
            return false;
    }
    return true;
}

static bool env_has(char *const *env, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; env && env[i]; i++)
        if (strncmp(env[i], name, n) == 0 && env[i][n] == '=')
            return true;
    return false;
}

/* DIR/task.sh: the environment, then exec the argv or the job's script. */
static char *task_script(const struct sslurm *S, const struct sw_task_spec *spec,
                         const char *dir, int64_t ntasks)
{
    struct sbuf b = {0};
    char line[PATH_MAX + 64];
    sb_add(&b, "#!/bin/sh\n# written by suanwang agent --backend slurm: every word below is "
               "single-quoted, nothing of the job is interpreted by this shell\n");
    if (!env_has(spec->env, "PATH"))
        sb_add(&b, "export PATH='/usr/local/bin:/usr/bin:/bin'\n");
    for (size_t i = 0; spec->env && spec->env[i]; i++) {
        if (!env_name_ok(spec->env[i]) || strncmp(spec->env[i], "SUANWANG_", 9) == 0)
            continue;
        sb_add(&b, "export ");
        sb_quoted(&b, spec->env[i]);
        sb_add(&b, "\n");
    }
    snprintf(line, sizeof(line), "export SUANWANG_JOB_ID=%lld SUANWANG_ATTEMPT=%lld "
             "SUANWANG_TASKS=%lld\n", (long long)spec->key.job, (long long)spec->key.attempt,
             (long long)(spec->ntasks > 0 ? spec->ntasks : 1));
    sb_add(&b, line);
    sb_add(&b, "export SUANWANG_SITE=");
    sb_quoted(&b, S->site);
    sb_add(&b, "\n");
    if (spec->key.task >= 0) {
        snprintf(line, sizeof(line), "export SUANWANG_TASK_INDEX=%lld\n",
                 (long long)spec->key.task);
        sb_add(&b, line);
    } else {
        /* a gang: one task per Slurm task */
        sb_add(&b, "SUANWANG_TASK_INDEX=${SLURM_PROCID:-0}; export SUANWANG_TASK_INDEX\n");
    }
    (void)ntasks;
    sb_add(&b, "exec");
    if (spec->script) {
        snprintf(line, sizeof(line), "%s/job.sh", dir);
        sb_add(&b, " ");
        sb_quoted(&b, line);
    } else {
        for (size_t i = 0; spec->argv[i]; i++) {
            sb_add(&b, " ");
            sb_quoted(&b, spec->argv[i]);
        }
    }
    sb_add(&b, "\n");
    if (b.oom) {
        free(b.s);
        return NULL;
    }
    return b.s;
}

/* Record (or, with done, retire) the unit's Slurm job id in DIR/slurm.job. */
static int record(const struct sunit *u, sw_error_t *err)
{
    char path[PATH_MAX], text[256];
    if (!fmt(path, sizeof(path), "%s/slurm.job", u->dir))
        return sw_errprintf(err, "path too long");
    snprintf(text, sizeof(text), "%s %lld %lld %lld %lld %lld\n", u->id, (long long)u->key.job,
             (long long)u->key.task, (long long)u->key.attempt, (long long)u->key.fence,
             (long long)u->walltime_s);
    return write_file(path, text, 0644, err);
}

static void retire(const struct sunit *u)
{
    char a[PATH_MAX], b[PATH_MAX];
    if (fmt(a, sizeof(a), "%s/slurm.job", u->dir) && fmt(b, sizeof(b), "%s/slurm.job.done", u->dir))
        rename(a, b);
}

static int make_output(const char *path, sw_error_t *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0)
        return sw_errprintf(err, "cannot create %s: %s", path, strerror(errno));
    close(fd);
    return 0;
}

/* The GRES type Slurm spells for accelerator `model` (a node class's, by
 * catalog name; else the model in lower case), into out (size n). */
static void gres_type_for(struct sslurm *S, const char *model, char *out, size_t n)
{
    snprintf(out, n, "%s", model);
    for (char *p = out; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    pthread_mutex_lock(&S->mu);
    for (size_t i = 0; S->classes && i < S->classes->n; i++)
        for (size_t k = 0; k < S->classes->c[i].naccel; k++) {
            const struct sw_class_accel *a = &S->classes->c[i].accel[k];
            if (a->gres_type[0] && strcasecmp(a->model, model) == 0)
                snprintf(out, n, "%s", a->gres_type);
        }
    pthread_mutex_unlock(&S->mu);
}

/* sbatch's arguments for a unit: the buffers its argv points into. */
struct sbatch_args {
    char name[96], out[PATH_MAX + 16], err[PATH_MAX + 16], dir[PATH_MAX + 16], time[48],
        ntasks[48], cpus[48], mem[64], gres[2 * SW_ACCEL_NAME_MAX + 48], part[160], acct[160],
        qos[160];
    char *argv[32];
};

/* The resources: --ntasks, --cpus-per-task, memory, GRES. */
static int resource_args(struct sslurm *S, const struct sw_task_spec *spec, int64_t ntasks,
                         struct sbatch_args *a, int n)
{
    snprintf(a->ntasks, sizeof(a->ntasks), "--ntasks=%lld", (long long)ntasks);
    a->argv[n++] = a->ntasks;
    int64_t cores = spec->cores > 0 ? spec->cores : 1;
    snprintf(a->cpus, sizeof(a->cpus), "--cpus-per-task=%lld", (long long)cores);
    a->argv[n++] = a->cpus;
    if (spec->mem_mib > 0) {
        if (ntasks > 1)
            snprintf(a->mem, sizeof(a->mem), "--mem-per-cpu=%lld",
                     (long long)((spec->mem_mib + cores - 1) / cores));
        else
            snprintf(a->mem, sizeof(a->mem), "--mem=%lld", (long long)spec->mem_mib);
        a->argv[n++] = a->mem;
    }
    if (spec->accelerators > 0) {
        if (spec->accel_model && spec->accel_model[0]) {
            char type[SW_ACCEL_NAME_MAX];
            gres_type_for(S, spec->accel_model, type, sizeof(type));
            snprintf(a->gres, sizeof(a->gres), "--gres=gpu:%s:%lld", type,
                     (long long)spec->accelerators);
        } else {
            snprintf(a->gres, sizeof(a->gres), "--gres=gpu:%lld", (long long)spec->accelerators);
        }
        a->argv[n++] = a->gres;
    }
    return n;
}

/* Where the job goes and who pays: partition, account and QoS by the maps. */
static int placement_args(const struct sw_task_spec *spec, struct sbatch_args *a, int n)
{
    const char *acct = sw_slurm_account_for(spec->tenant), *qos = sw_slurm_qos_for(spec->qos);
    a->part[0] = a->acct[0] = a->qos[0] = '\0';
    if (sw__slurm_partition[0]) {
        snprintf(a->part, sizeof(a->part), "--partition=%s", sw__slurm_partition);
        a->argv[n++] = a->part;
    }
    if (acct) {
        snprintf(a->acct, sizeof(a->acct), ", --account=%s", acct);
        a->argv[n++] = a->acct + 2; /* the log line shows them after ", " */
    }
    if (qos) {
        snprintf(a->qos, sizeof(a->qos), ", --qos=%s", qos);
        a->argv[n++] = a->qos + 2;
    }
    return n;
}

/* sbatch --parsable … SUBMIT for the unit. */
static void sbatch_args(struct sslurm *S, const struct sw_task_spec *spec,
                        const struct sw_task_info *info, const char *cwd, int64_t ntasks,
                        const char *submit, struct sbatch_args *a)
{
    int n = 0;
    a->argv[n++] = "sbatch";
    a->argv[n++] = "--parsable";
    if (spec->key.task < 0)
        snprintf(a->name, sizeof(a->name), "--job-name=sw-%lld-gang-%lld",
                 (long long)spec->key.job, (long long)spec->key.attempt);
    else
        snprintf(a->name, sizeof(a->name), "--job-name=sw-%lld-%lld-%lld",
                 (long long)spec->key.job, (long long)spec->key.task,
                 (long long)spec->key.attempt);
    a->argv[n++] = a->name;
    snprintf(a->out, sizeof(a->out), "--output=%s", info->stdout_path);
    snprintf(a->err, sizeof(a->err), "--error=%s", info->stderr_path);
    snprintf(a->dir, sizeof(a->dir), "--chdir=%s", cwd);
    a->argv[n++] = a->out;
    a->argv[n++] = a->err;
    a->argv[n++] = "--open-mode=append";
    a->argv[n++] = a->dir;
    a->argv[n++] = "--export=ALL";
    if (spec->walltime_s > 0) {
        /* Slurm counts minutes; the agent enforces the seconds */
        snprintf(a->time, sizeof(a->time), "--time=%lld",
                 (long long)((spec->walltime_s + 59) / 60));
        a->argv[n++] = a->time;
    }
    n = resource_args(S, spec, ntasks, a, n);
    n = placement_args(spec, a, n);
    a->argv[n++] = (char *)submit;
    a->argv[n] = NULL;
}

static int slurm_start(struct sw_agent_backend *b, const struct sw_task_spec *spec,
                       struct sw_task_info *info, sw_error_t *err)
{
    struct sslurm *S = (struct sslurm *)b;
    memset(info, 0, sizeof(*info));
    info->start_status = 127;
    if ((!spec->argv || !spec->argv[0] || !spec->argv[0][0]) && !spec->script) {
        errno = EINVAL;
        return sw_errprintf(err, "the assignment has neither argv nor script");
    }
    int64_t ntasks = spec->key.task < 0 ? (spec->ntasks > 0 ? spec->ntasks : 1) : 1;
    char jobdir[PATH_MAX], path[PATH_MAX], cwd[PATH_MAX], task_sh[PATH_MAX], batch[PATH_MAX];
    bool fits =
        fmt(jobdir, sizeof(jobdir), "%s/%lld", S->work_dir, (long long)spec->key.job) &&
        (spec->key.task < 0
             ? fmt(info->dir, sizeof(info->dir), "%s/gang.%lld", jobdir,
                   (long long)spec->key.attempt)
             : fmt(info->dir, sizeof(info->dir), "%s/%lld.%lld", jobdir,
                   (long long)spec->key.task, (long long)spec->key.attempt)) &&
        fmt(info->stdout_path, sizeof(info->stdout_path), "%s/stdout", info->dir) &&
        fmt(info->stderr_path, sizeof(info->stderr_path), "%s/stderr", info->dir) &&
        fmt(task_sh, sizeof(task_sh), "%s/task.sh", info->dir) &&
        fmt(batch, sizeof(batch), "%s/batch.sh", info->dir) &&
        (spec->workdir && spec->workdir[0] ? fmt(cwd, sizeof(cwd), "%s", spec->workdir)
                                           : fmt(cwd, sizeof(cwd), "%s/work", info->dir));
    if (!fits) {
        errno = ENAMETOOLONG;
        return sw_errprintf(err, "the working directory or the attempt directory is too long a path");
    }
    if ((mkdir(jobdir, 0755) < 0 && errno != EEXIST) ||
        (mkdir(info->dir, 0755) < 0 && errno != EEXIST) ||
        (!(spec->workdir && spec->workdir[0]) && mkdir(cwd, 0755) < 0 && errno != EEXIST))
        return sw_errprintf(err, "cannot create the attempt directory %s: %s", info->dir,
                            strerror(errno));
    if (make_output(info->stdout_path, err) < 0 || make_output(info->stderr_path, err) < 0)
        return -1;
    if (spec->script) {
        if (!fmt(path, sizeof(path), "%s/job.sh", info->dir))
            return sw_errprintf(err, "path too long");
        if (write_file(path, spec->script, 0755, err) < 0)
            return -1;
    }
    char *text = task_script(S, spec, info->dir, ntasks);
    if (!text)
        return sw_errprintf(err, "out of memory");
    int wrc = write_file(task_sh, text, 0755, err);
    free(text);
    if (wrc < 0)
        return -1;
    const char *submit = task_sh;
    if (ntasks > 1) {
        char *q = sw__slurm_quote(task_sh);
        if (!q)
            return sw_errprintf(err, "out of memory");
        struct sbuf bb = {0};
        sb_add(&bb, "#!/bin/sh\n# a gang: one task.sh per Slurm task\nexec srun "
                    "--kill-on-bad-exit=1 /bin/sh ");
        sb_add(&bb, q);
        sb_add(&bb, "\n");
        free(q);
        if (bb.oom) {
            free(bb.s);
            return sw_errprintf(err, "out of memory");
        }
        wrc = write_file(batch, bb.s, 0755, err);
        free(bb.s);
        if (wrc < 0)
            return -1;
        submit = batch;
    }

    struct sbatch_args sa;
    sbatch_args(S, spec, info, cwd, ntasks, submit, &sa);
    char *const *argv = sa.argv;
    const char *a_name = sa.name;

    pthread_mutex_lock(&S->mu);
    bool stopping = S->stopping || S->stop_now;
    pthread_mutex_unlock(&S->mu);
    if (stopping) {
        errno = ESHUTDOWN;
        return sw_errprintf(err, "the agent is shutting down");
    }
    char *out = NULL;
    int rc = sw__slurm_run(argv, &out, CMD_MS, err);
    if (rc != 0) {
        free(out);
        errno = EINVAL;
        return sw_errprefix(err, "Slurm refused the job: ");
    }
    struct sunit *u = calloc(1, sizeof(*u));
    if (!u) {
        free(out);
        return sw_errprintf(err, "out of memory");
    }
    /* "ID" or "ID;cluster" */
    snprintf(u->id, sizeof(u->id), "%.*s", (int)strcspn(out, ";\n"), out);
    free(out);
    u->key = spec->key;
    u->walltime_s = spec->walltime_s;
    memcpy(u->dir, info->dir, sizeof(u->dir));
    if (!u->id[0] || strspn(u->id, "0123456789_") != strlen(u->id)) {
        free(u);
        errno = EPROTO;
        return sw_errprintf(err, "sbatch --parsable printed no job id");
    }
    sw_error_t rerr;
    if (record(u, &rerr) < 0)
        LOG(S, "Slurm job %s: %s (it cannot be re-adopted after a restart)", u->id, rerr.text);
    info->start_ms = sw_agent_wall_ms();
    info->pid = 0;
    pthread_mutex_lock(&S->mu);
    u->next = S->units;
    S->units = u;
    pthread_cond_broadcast(&S->cv);
    pthread_mutex_unlock(&S->mu);
    LOG(S, "Slurm job %s submitted (%s%s%s)", u->id, a_name + 11, sa.acct, sa.qos);
    return 0;
}

static void scancel(struct sslurm *S, const char *id)
{
    char *argv[] = {"scancel", (char *)id, NULL};
    char *out = NULL;
    sw_error_t err;
    if (sw__slurm_run(argv, &out, CMD_MS, &err) != 0)
        LOG(S, "scancel %s: %s", id, err.text);
    free(out);
}

static int slurm_kill(struct sw_agent_backend *b, const struct sw_unit_key *key,
                      enum sw_end_kind why)
{
    struct sslurm *S = (struct sslurm *)b;
    char id[32] = "";
    pthread_mutex_lock(&S->mu);
    for (struct sunit *u = S->units; u; u = u->next)
        if (sw_unit_key_eq(&u->key, key)) {
            if (!u->killed) {
                u->killed = true;
                u->kill = why;
            }
            memcpy(id, u->id, sizeof(id));
        }
    pthread_mutex_unlock(&S->mu);
    if (!id[0]) {
        errno = ENOENT;
        return -1;
    }
    scancel(S, id);
    return 0;
}

static size_t slurm_list(struct sw_agent_backend *b, struct sw_unit_key *keys, size_t max)
{
    struct sslurm *S = (struct sslurm *)b;
    size_t n = 0;
    pthread_mutex_lock(&S->mu);
    for (struct sunit *u = S->units; u; u = u->next, n++)
        if (n < max)
            keys[n] = u->key;
    pthread_mutex_unlock(&S->mu);
    return n;
}

/* ---- tracking ---- */

static bool state_final(const char *st)
{
    static const char *const fin[] = {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT",
                                      "NODE_FAIL", "PREEMPTED", "OUT_OF_MEMORY", "BOOT_FAIL",
                                      "DEADLINE", "SPECIAL_EXIT", "REVOKED", NULL};
    for (size_t i = 0; fin[i]; i++)
        if (strcmp(st, fin[i]) == 0)
            return true;
    return false;
}

/* The line of job `id` in the jobcomp file, into line (size n). */
static bool jobcomp_line(const struct sslurm *S, const char *id, char *line, size_t n)
{
    if (!S->jobcomp[0])
        return false;
    FILE *f = fopen(S->jobcomp, "re");
    if (!f)
        return false;
    char pat[48];
    snprintf(pat, sizeof(pat), "JobId=%s ", id);
    bool found = false;
    char buf[4096];
    while (fgets(buf, sizeof(buf), f))
        if (strncmp(buf, pat, strlen(pat)) == 0) {
            snprintf(line, n, "%s", buf);
            found = true;
        }
    fclose(f);
    return found;
}

/* What Slurm says of an ended job: the `scontrol show job -o` line, else
 * the jobcomp one. */
static bool job_record(struct sslurm *S, const char *id, char *line, size_t n)
{
    char *argv[] = {"scontrol", "show", "job", "-o", (char *)id, NULL};
    char *out = NULL;
    sw_error_t err;
    bool ok = sw__slurm_run(argv, &out, CMD_MS, &err) == 0 && strstr(out, "JobState=");
    if (ok)
        snprintf(line, n, "%s", out);
    free(out);
    return ok || jobcomp_line(S, id, line, n);
}

static void describe(const struct sunit *u, const char *state, const char *line,
                     struct sw_task_end *e)
{
    memset(e, 0, sizeof(*e));
    e->key = u->key;
    e->time_ms = sw_agent_wall_ms();
    char ec[64] = "", reason[160] = "";
    int code = 0, sig = 0;
    if (line && sw__slurm_field(line, "ExitCode", ec, sizeof(ec)))
        sscanf(ec, "%d:%d", &code, &sig);
    if (line && sw__slurm_field(line, "Reason", reason, sizeof(reason)) &&
        strcmp(reason, "None") == 0)
        reason[0] = '\0';
    e->exit_status = sig > 0 ? 128 + sig : code & 255;
    e->signal = sig;
    e->kind = SW_END_EXITED;
    if (u->killed) {
        e->kind = u->kill;
        if (u->kill == SW_END_WALLTIME)
            snprintf(e->reason, sizeof(e->reason), "walltime of %lld s exceeded (Slurm job %s "
                     "cancelled)", (long long)u->walltime_s, u->id);
        else if (u->kill == SW_END_CANCELLED)
            snprintf(e->reason, sizeof(e->reason), "cancelled (Slurm job %s)", u->id);
        else if (u->kill == SW_END_SHUTDOWN)
            snprintf(e->reason, sizeof(e->reason), "killed: the agent shut down");
        else
            snprintf(e->reason, sizeof(e->reason), "stopped at the controller's request");
        if (e->exit_status == 0)
            e->exit_status = 128 + 15;
        return;
    }
    if (strcmp(state, "COMPLETED") == 0) {
        if (e->exit_status != 0)
            snprintf(e->reason, sizeof(e->reason), "exit status %d", e->exit_status);
        return;
    }
    if (strcmp(state, "FAILED") == 0) {
        if (sig > 0)
            snprintf(e->reason, sizeof(e->reason), "killed by signal %d (Slurm job %s FAILED)",
                     sig, u->id);
        else
            snprintf(e->reason, sizeof(e->reason), "exit status %d (Slurm job %s FAILED)",
                     code, u->id);
        if (e->exit_status == 0)
            e->exit_status = 1;
        return;
    }
    if (strcmp(state, "TIMEOUT") == 0) {
        e->kind = SW_END_WALLTIME;
        snprintf(e->reason, sizeof(e->reason), "walltime exceeded (Slurm job %s TIMEOUT)", u->id);
    } else if (strcmp(state, "CANCELLED") == 0) {
        snprintf(e->reason, sizeof(e->reason), "cancelled by Slurm: job %s was cancelled "
                 "outside suanwang%s%s", u->id, reason[0] ? ": " : "", reason);
    } else if (strcmp(state, "VANISHED") == 0) {
        snprintf(e->reason, sizeof(e->reason), "Slurm job %s vanished: neither squeue, "
                 "scontrol nor the jobcomp file know it", u->id);
    } else {
        snprintf(e->reason, sizeof(e->reason), "Slurm job %s ended %s%s%s", u->id, state,
                 reason[0] ? ": " : "", reason);
    }
    if (e->exit_status == 0)
        e->exit_status = sig > 0 ? 128 + sig : 1;
}

struct qrow {
    char id[32], state[32];
};

/* One squeue over every job: the rows of ours, and Slurm's own users' load. */
static int poll_squeue(struct sslurm *S, struct qrow **rows, size_t *nrows)
{
    *rows = NULL;
    *nrows = 0;
    char *argv[] = {"squeue", "--noheader", "--states=all", "--format=%i|%T|%j|%C", NULL};
    char *out = NULL;
    sw_error_t err;
    if (sw__slurm_run(argv, &out, CMD_MS, &err) != 0) {
        LOG(S, "squeue: %s", err.text);
        free(out);
        return -1;
    }
    size_t cap = 0;
    int64_t fcpus = 0, fjobs = 0;
    for (char *line = out; *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        char *f[4] = {line, NULL, NULL, NULL};
        for (int i = 1; i < 4 && f[i - 1]; i++) {
            char *bar = strchr(f[i - 1], '|');
            if (bar) {
                *bar = '\0';
                f[i] = bar + 1;
            }
        }
        if (f[3]) {
            if (strncmp(f[2], "sw-", 3) != 0) {
                if (strcmp(f[1], "RUNNING") == 0) {
                    fcpus += strtoll(f[3], NULL, 10);
                    fjobs++;
                }
            } else {
                if (*nrows == cap) {
                    cap = cap ? cap * 2 : 64;
                    struct qrow *nr = realloc(*rows, cap * sizeof(**rows));
                    if (!nr)
                        break;
                    *rows = nr;
                }
                snprintf((*rows)[*nrows].id, sizeof((*rows)[0].id), "%s", f[0]);
                snprintf((*rows)[*nrows].state, sizeof((*rows)[0].state), "%s", f[1]);
                (*nrows)++;
            }
        }
        if (!nl)
            break;
        line = nl + 1;
    }
    free(out);
    if (fcpus != S->foreign_cpus || fjobs != S->foreign_jobs)
        LOG(S, "Slurm's own users run %lld jobs on %lld CPUs (capacity in use outside suanwang)",
            (long long)fjobs, (long long)fcpus);
    pthread_mutex_lock(&S->mu); /* read by the heartbeat (slurm_foreign_cores) */
    S->foreign_cpus = fcpus;
    S->foreign_jobs = fjobs;
    pthread_mutex_unlock(&S->mu);
    char path[PATH_MAX], text[128];
    if (fmt(path, sizeof(path), "%s/slurm-in-use.json", S->work_dir)) {
        snprintf(text, sizeof(text), "{\"cores\": %lld, \"jobs\": %lld}\n", (long long)fcpus,
                 (long long)fjobs);
        sw_error_t werr;
        (void)write_file(path, text, 0644, &werr);
    }
    return 0;
}

/* The node classes in words, for the log: "2 x c64-m257000-a100x4, …". */
static void classes_text(const struct sw_node_classes *cl, char *out, size_t n)
{
    int w = 0;
    out[0] = '\0';
    for (size_t i = 0; i < cl->n && w >= 0 && (size_t)w < n; i++)
        w += snprintf(out + w, n - (size_t)w, "%s%lld x %s", i ? ", " : "",
                      (long long)cl->c[i].count, cl->c[i].name);
}

/* Read the nodes in service again; log what changed. Called without mu. */
static void read_nodes(struct sslurm *S)
{
    struct sw_node_classes *cl = malloc(sizeof(*cl));
    struct sw_slurm_nodes_summary *sum = malloc(sizeof(*sum));
    sw_error_t err;
    S->nodes_read_ms = sw_agent_mono_ms(); /* written by this thread (and create) only */
    int rc = cl && sum ? sw__slurm_read_nodes(cl, sum, &err)
                       : sw_errprintf(&err, "out of memory reading the Slurm nodes");
    if (rc < 0) {
        if (!S->nodes_failing)
            LOG(S, "%s (the last reading stands)", err.text);
        S->nodes_failing = true;
        free(cl);
        free(sum);
        return;
    }
    S->nodes_failing = false;
    pthread_mutex_lock(&S->mu);
    bool changed = !S->classes || memcmp(S->classes, cl, sizeof(*cl)) != 0 ||
                   S->nodes_left_out != sum->left_out;
    struct sw_node_classes *old = S->classes;
    S->classes = cl;
    S->nodes_left_out = sum->left_out;
    pthread_mutex_unlock(&S->mu);
    if (changed && old) {
        char text[1024];
        classes_text(cl, text, sizeof(text));
        char left[160] = "";
        if (sum->nleft)
            snprintf(left, sizeof(left), " (e.g. %s is %s)", sum->left[0].node,
                     sum->left[0].state);
        LOG(S, "Slurm nodes in service: %s; %lld left out%s; the controller hears of it at "
               "the next heartbeat", text[0] ? text : "none", (long long)sum->left_out, left);
    }
    free(old);
    free(sum);
}

static void *track_main(void *arg)
{
    struct sslurm *S = arg;
    pthread_mutex_lock(&S->mu);
    for (;;) {
        if (S->stop_now || (S->stopping && !S->units))
            break;
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += TICK_MS / 1000;
        pthread_cond_timedwait(&S->cv, &S->mu, &until);
        if (S->stop_now)
            break;
        pthread_mutex_unlock(&S->mu);
        if (sw_agent_mono_ms() - S->nodes_read_ms >= NODES_MS)
            read_nodes(S);
        struct qrow *rows = NULL;
        size_t nrows = 0;
        bool ok = poll_squeue(S, &rows, &nrows) == 0;
        pthread_mutex_lock(&S->mu);
        if (!ok)
            continue;
        int64_t now = sw_agent_mono_ms();
        for (struct sunit **link = &S->units; *link;) {
            struct sunit *u = *link;
            const char *st = NULL;
            for (size_t i = 0; i < nrows; i++)
                if (strcmp(rows[i].id, u->id) == 0)
                    st = rows[i].state;
            char state[32] = "";
            if (st) {
                snprintf(state, sizeof(state), "%s", st);
                u->missing_since_ms = 0;
            } else if (!u->missing_since_ms) {
                u->missing_since_ms = now;
            }
            if (st && strcmp(state, "RUNNING") == 0 && !u->run_since_ms)
                u->run_since_ms = now;
            bool over = u->walltime_s > 0 && u->run_since_ms && !u->killed &&
                        now - u->run_since_ms >= u->walltime_s * 1000;
            bool ended = st ? state_final(state) : true;
            if (over) {
                u->killed = true;
                u->kill = SW_END_WALLTIME;
                char id[32];
                memcpy(id, u->id, sizeof(id));
                pthread_mutex_unlock(&S->mu);
                LOG(S, "Slurm job %s: walltime of %lld s exceeded; scancel", id,
                    (long long)u->walltime_s);
                scancel(S, id);
                pthread_mutex_lock(&S->mu);
                link = &u->next; /* only this thread removes units; start adds at the head */
                continue;
            }
            if (!ended) {
                link = &u->next;
                continue;
            }
            char line[4096] = "";
            char id[32];
            memcpy(id, u->id, sizeof(id));
            pthread_mutex_unlock(&S->mu);
            bool have = job_record(S, id, line, sizeof(line));
            pthread_mutex_lock(&S->mu);
            if (have && sw__slurm_field(line, "JobState", state, sizeof(state)) &&
                !state_final(state)) {
                link = &u->next; /* still going after all (e.g. requeued) */
                u->missing_since_ms = 0;
                continue;
            }
            if (!have && !st) {
                if (now - u->missing_since_ms < VANISH_MS) {
                    link = &u->next;
                    continue;
                }
                snprintf(state, sizeof(state), "VANISHED");
            }
            /* unlink u (the list may have changed meanwhile) */
            struct sunit **l2 = &S->units;
            while (*l2 && *l2 != u)
                l2 = &(*l2)->next;
            if (*l2)
                *l2 = u->next;
            struct sw_task_end e;
            describe(u, state, have ? line : NULL, &e);
            pthread_mutex_unlock(&S->mu);
            retire(u);
            if (S->on_end)
                S->on_end(S->arg, &e);
            free(u);
            pthread_mutex_lock(&S->mu);
            pthread_cond_broadcast(&S->cv);
            link = l2; /* now at what followed u */
        }
        free(rows);
    }
    pthread_mutex_unlock(&S->mu);
    return NULL;
}

static void slurm_destroy(struct sw_agent_backend *b, bool kill_tasks)
{
    struct sslurm *S = (struct sslurm *)b;
    if (!S)
        return;
    if (kill_tasks) {
        pthread_mutex_lock(&S->mu);
        S->stopping = true;
        size_t n = 0;
        for (struct sunit *u = S->units; u; u = u->next)
            n++;
        char (*ids)[32] = n ? calloc(n, sizeof(*ids)) : NULL;
        size_t k = 0;
        for (struct sunit *u = S->units; u && ids; u = u->next) {
            if (!u->killed) {
                u->killed = true;
                u->kill = SW_END_SHUTDOWN;
            }
            memcpy(ids[k++], u->id, sizeof(ids[0]));
        }
        pthread_mutex_unlock(&S->mu);
        for (size_t i = 0; i < k; i++)
            scancel(S, ids[i]);
        free(ids);
    } else {
        pthread_mutex_lock(&S->mu);
        S->stop_now = true;
        pthread_mutex_unlock(&S->mu);
    }
    pthread_mutex_lock(&S->mu);
    pthread_cond_broadcast(&S->cv);
    pthread_mutex_unlock(&S->mu);
    pthread_join(S->thread, NULL);
    while (S->units) {
        struct sunit *u = S->units;
        S->units = u->next;
        free(u);
    }
    pthread_cond_destroy(&S->cv);
    pthread_mutex_destroy(&S->mu);
    free(S->classes);
    free(S->work_dir);
    free(S->site);
    free(S);
}

static int64_t slurm_foreign_cores(struct sw_agent_backend *b)
{
    struct sslurm *S = (struct sslurm *)b;
    pthread_mutex_lock(&S->mu);
    int64_t v = S->foreign_cpus;
    pthread_mutex_unlock(&S->mu);
    return v;
}

static int slurm_node_classes(struct sw_agent_backend *b, struct sw_node_classes *out)
{
    struct sslurm *S = (struct sslurm *)b;
    pthread_mutex_lock(&S->mu);
    int rc = S->classes ? 0 : -1;
    if (S->classes)
        *out = *S->classes;
    pthread_mutex_unlock(&S->mu);
    return rc;
}

static const struct sw_agent_backend_ops slurm_ops = {
    .name = "slurm",
    .start = slurm_start,
    .kill = slurm_kill,
    .list = slurm_list,
    .foreign_cores = slurm_foreign_cores,
    .node_classes = slurm_node_classes,
    .destroy = slurm_destroy,
};

/* Re-adopt the jobs recorded in WORK/JOB/UNIT/slurm.job. */
static size_t adopt(struct sslurm *S)
{
    size_t n = 0;
    DIR *top = opendir(S->work_dir);
    if (!top)
        return 0;
    struct dirent *d;
    while ((d = readdir(top))) {
        if (d->d_name[0] == '.' || strspn(d->d_name, "0123456789") != strlen(d->d_name))
            continue;
        char jobdir[PATH_MAX];
        if (!fmt(jobdir, sizeof(jobdir), "%s/%s", S->work_dir, d->d_name))
            continue;
        DIR *jd = opendir(jobdir);
        if (!jd)
            continue;
        struct dirent *e;
        while ((e = readdir(jd))) {
            if (e->d_name[0] == '.')
                continue;
            char path[PATH_MAX];
            if (!fmt(path, sizeof(path), "%s/%s/slurm.job", jobdir, e->d_name))
                continue;
            FILE *f = fopen(path, "re");
            if (!f)
                continue;
            struct sunit *u = calloc(1, sizeof(*u));
            long long job, task, attempt, fence, wall;
            char id[32];
            if (u && fscanf(f, "%31s %lld %lld %lld %lld %lld", id, &job, &task, &attempt,
                            &fence, &wall) == 6 &&
                fmt(u->dir, sizeof(u->dir), "%s/%s", jobdir, e->d_name)) {
                memcpy(u->id, id, sizeof(u->id));
                u->key = (struct sw_unit_key){job, task, attempt, fence};
                u->walltime_s = wall;
                u->next = S->units;
                S->units = u;
                n++;
                LOG(S, "re-adopted Slurm job %s (job %lld task %lld attempt %lld)", id, job,
                    task, attempt);
            } else {
                free(u);
            }
            fclose(f);
        }
        closedir(jd);
    }
    closedir(top);
    return n;
}

/* JobCompLoc, when jobcomp/filetxt records finished jobs. */
static void find_jobcomp(struct sslurm *S)
{
    char *argv[] = {"scontrol", "show", "config", NULL};
    char *out = NULL;
    sw_error_t err;
    if (sw__slurm_run(argv, &out, CMD_MS, &err) == 0) {
        bool filetxt = strstr(out, "jobcomp/filetxt") != NULL;
        char *p = strstr(out, "\nJobCompLoc");
        if (filetxt && p) {
            p = strchr(p + 1, '=');
            if (p) {
                p++;
                while (*p == ' ')
                    p++;
                snprintf(S->jobcomp, sizeof(S->jobcomp), "%.*s", (int)strcspn(p, "\n "), p);
            }
        }
    } else {
        LOG(S, "scontrol show config: %s", err.text);
    }
    free(out);
}

struct sw_agent_backend *sw_agent_backend_slurm_create(const struct sw_agent_backend_config *cfg,
                                                       sw_error_t *err)
{
    struct sslurm *S = calloc(1, sizeof(*S));
    if (!S) {
        sw_errprintf(err, "out of memory");
        return NULL;
    }
    S->base.ops = &slurm_ops;
    S->on_end = cfg->on_end;
    S->log = cfg->log;
    S->arg = cfg->arg;
    S->work_dir = strdup(cfg->work_dir ? cfg->work_dir : "");
    S->site = strdup(cfg->site ? cfg->site : "");
    if (!S->work_dir || !S->site) {
        sw_errprintf(err, "out of memory");
        goto fail;
    }
    if (S->work_dir[0] != '/') {
        errno = EINVAL;
        sw_errprintf(err, "the work directory must be an absolute path: %s", S->work_dir);
        goto fail;
    }
    /* Slurm must answer before we take work */
    char *argv[] = {"squeue", "--noheader", "--format=%i", "--states=RUNNING", NULL};
    char *out = NULL;
    int rc = sw__slurm_run(argv, &out, CMD_MS, err);
    free(out);
    if (rc != 0) {
        errno = EIO;
        sw_errprefix(err, "Slurm does not answer (is SLURM_CONF set?): ");
        goto fail;
    }
    find_jobcomp(S);
    if (geteuid() == 0)
        LOG(S, "running as root: the Slurm jobs run as root too (sbatch submits as its "
               "caller); run the agent as a service account of the site (docs/slurm.md)");
    pthread_mutex_init(&S->mu, NULL);
    pthread_cond_init(&S->cv, NULL);
    read_nodes(S);
    size_t n = adopt(S);
    if (n > 0)
        LOG(S, "tracking %zu Slurm jobs a previous agent submitted", n);
    int e = pthread_create(&S->thread, NULL, track_main, S);
    if (e != 0) {
        errno = e;
        sw_errprintf(err, "cannot start the tracking thread: %s", strerror(e));
        while (S->units) {
            struct sunit *u = S->units;
            S->units = u->next;
            free(u);
        }
        pthread_cond_destroy(&S->cv);
        pthread_mutex_destroy(&S->mu);
        free(S->classes);
        goto fail;
    }
    return &S->base;
fail:
    free(S->work_dir);
    free(S->site);
    free(S);
    return NULL;
}
