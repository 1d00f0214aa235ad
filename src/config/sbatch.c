/* sbatch.c — reading a Slurm batch script's #SBATCH directives (see
 * sbatch.h and docs/cli.md#slurm-batch-scripts). The values' syntaxes are
 * in sbatch_values.c, the mapping to a job in sbatch_job.c.
 *
 * The scanner follows sbatch's own (Slurm 22.05, src/sbatch/opt.c:
 * _opt_batch_script and _get_argument): "#SBATCH" at the very start of a
 * line, arguments split at blanks with '…' "…" quoting and \ escapes, an
 * unquoted '#' ending the line, and scanning stops at the first line that
 * is neither blank nor a comment. The arguments of all the directives form
 * one argument vector, read like getopt_long reads it. The option table
 * below lists every sbatch option, so that one taking an argument is never
 * mistaken for one that does not; each is either mapped or named in a
 * warning with what to do instead.
 */
#include "config/sbatch.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/job_json.h"
#include "config/sbatch_int.h"


enum arg { A_NONE, A_REQ, A_OPT };

enum act {
    X_UNSUPPORTED = 0,
    X_QUIET,         /* changes only what sbatch prints: nothing to do */
    X_JOB_NAME,
    X_NTASKS,
    X_NODES,
    X_NTASKS_PER_NODE,
    X_CPUS_PER_TASK,
    X_CPUS_PER_GPU,
    X_MEM,
    X_MEM_PER_CPU,
    X_MEM_PER_GPU,
    X_GRES,
    X_GPUS,
    X_GPUS_PER_NODE,
    X_GPUS_PER_TASK,
    X_TIME,
    X_ARRAY,
    X_OUTPUT,
    X_ERROR,
    X_CHDIR,
    X_QOS,
};

struct opt {
    const char *name;
    char short_name;
    enum arg arg;
    enum act act;
    const char *why; /* for unsupported options: what happens or what to use */
};

static const char NO_NODES[] = "suanwang places work on sites and node classes, not on named "
                               "nodes";

/* Every option of sbatch 22.05 (sbatch --help, man sbatch). */
static const struct opt opts[] = {
    {"account", 'A', A_REQ, X_UNSUPPORTED, "the job is billed to the tenant of the token"},
    {"acctg-freq", 0, A_REQ, X_UNSUPPORTED, NULL},
    {"array", 'a', A_REQ, X_ARRAY, NULL},
    {"batch", 0, A_REQ, X_UNSUPPORTED, NULL},
    {"bb", 0, A_REQ, X_UNSUPPORTED, "no burst buffers"},
    {"bbf", 0, A_REQ, X_UNSUPPORTED, "no burst buffers"},
    {"begin", 'b', A_REQ, X_UNSUPPORTED, "deferred starts are not supported"},
    {"chdir", 'D', A_REQ, X_CHDIR, NULL},
    {"cluster-constraint", 0, A_REQ, X_UNSUPPORTED, NULL},
    {"clusters", 'M', A_REQ, X_UNSUPPORTED, "suanwang chooses among all its sites; use "
                                            "--region-allow to restrict where the job runs"},
    {"comment", 0, A_REQ, X_UNSUPPORTED, NULL},
    {"constraint", 'C', A_REQ, X_UNSUPPORTED, "use --gpu-model, or placement in a job file"},
    {"container", 0, A_REQ, X_UNSUPPORTED, NULL},
    {"contiguous", 0, A_NONE, X_UNSUPPORTED, NO_NODES},
    {"core-spec", 'S', A_REQ, X_UNSUPPORTED, NULL},
    {"cores-per-socket", 0, A_REQ, X_UNSUPPORTED, NULL},
    {"cpu-freq", 0, A_REQ, X_UNSUPPORTED, NULL},
    {"cpus-per-gpu", 0, A_REQ, X_CPUS_PER_GPU, NULL},
    {"cpus-per-task", 'c', A_REQ, X_CPUS_PER_TASK, NULL},
    {"deadline", 0, A_REQ, X_UNSUPPORTED, "use suanwang's --deadline (admission control)"},
    {"delay-boot", 0, A_REQ, X_UNSUPPORTED, NULL},
    {"dependency", 'd', A_REQ, X_UNSUPPORTED, "job dependencies are not supported yet; "
                                              "`suanwang wait ID` can order jobs in a script"},
    {"distribution", 'm', A_REQ, X_UNSUPPORTED, NULL},
    {"error", 'e', A_REQ, X_ERROR, NULL},
    {"exclude", 'x', A_REQ, X_UNSUPPORTED, NO_NODES},
    {"exclusive", 0, A_OPT, X_UNSUPPORTED, "suanwang allocates cores, memory and "
                                           "accelerators, not whole nodes"},
    {"export", 0, A_REQ, X_UNSUPPORTED, "the submitting shell's environment is never copied "
                                        "into a job; give variables with --env NAME=VALUE"},
    {"export-file", 0, A_REQ, X_UNSUPPORTED, "give variables with --env NAME=VALUE"},
    {"extra-node-info", 'B', A_REQ, X_UNSUPPORTED, NULL},
    {"get-user-env", 0, A_OPT, X_UNSUPPORTED, NULL},
    {"gid", 0, A_REQ, X_UNSUPPORTED, "tasks run as the site's unprivileged user"},
    {"gpu-bind", 0, A_REQ, X_UNSUPPORTED, NULL},
    {"gpu-freq", 0, A_REQ, X_UNSUPPORTED, NULL},
    {"gpus", 'G', A_REQ, X_GPUS, NULL},
    {"gpus-per-node", 0, A_REQ, X_GPUS_PER_NODE, NULL},
    {"gpus-per-socket", 0, A_REQ, X_UNSUPPORTED, "use --gpus-per-task or --gres=gpu:N"},
    {"gpus-per-task", 0, A_REQ, X_GPUS_PER_TASK, NULL},
    {"gres", 0, A_REQ, X_GRES, NULL},
    {"gres-flags", 0, A_REQ, X_UNSUPPORTED, NULL},
    {"help", 'h', A_NONE, X_UNSUPPORTED, NULL},
    {"hint", 0, A_REQ, X_UNSUPPORTED, NULL},
    {"hold", 'H', A_NONE, X_UNSUPPORTED, "held jobs are not supported"},
    {"ignore-pbs", 0, A_NONE, X_QUIET, NULL},
    {"input", 'i', A_REQ, X_UNSUPPORTED, "a task's standard input is /dev/null"},
    {"job-name", 'J', A_REQ, X_JOB_NAME, NULL},
    {"kill-on-invalid-dep", 0, A_REQ, X_UNSUPPORTED, NULL},
    {"licenses", 'L', A_REQ, X_UNSUPPORTED, NULL},
    {"mail-type", 0, A_REQ, X_UNSUPPORTED, "no e-mail; `suanwang wait ID` waits for the end"},
    {"mail-user", 0, A_REQ, X_UNSUPPORTED, "no e-mail; `suanwang wait ID` waits for the end"},
    {"mcs-label", 0, A_REQ, X_UNSUPPORTED, NULL},
    {"mem", 0, A_REQ, X_MEM, NULL},
    {"mem-bind", 0, A_REQ, X_UNSUPPORTED, NULL},
    {"mem-per-cpu", 0, A_REQ, X_MEM_PER_CPU, NULL},
    {"mem-per-gpu", 0, A_REQ, X_MEM_PER_GPU, NULL},
    {"mincpus", 0, A_REQ, X_UNSUPPORTED, "use --cpus-per-task"},
    {"network", 0, A_REQ, X_UNSUPPORTED, NULL},
    {"nice", 0, A_OPT, X_UNSUPPORTED, "priority comes from the QoS class and fair share"},
    {"no-kill", 'k', A_OPT, X_UNSUPPORTED, NULL},
    {"no-requeue", 0, A_NONE, X_UNSUPPORTED, "suanwang retries only as many times as the "
                                             "job's retries allow (0 unless --retries N)"},
    {"nodefile", 'F', A_REQ, X_UNSUPPORTED, NO_NODES},
    {"nodelist", 'w', A_REQ, X_UNSUPPORTED, NO_NODES},
    {"nodes", 'N', A_REQ, X_NODES, NULL},
    {"ntasks", 'n', A_REQ, X_NTASKS, NULL},
    {"ntasks-per-core", 0, A_REQ, X_UNSUPPORTED, NULL},
    {"ntasks-per-gpu", 0, A_REQ, X_UNSUPPORTED, "use --gpus-per-task"},
    {"ntasks-per-node", 0, A_REQ, X_NTASKS_PER_NODE, NULL},
    {"ntasks-per-socket", 0, A_REQ, X_UNSUPPORTED, NULL},
    {"open-mode", 0, A_REQ, X_UNSUPPORTED, NULL},
    {"output", 'o', A_REQ, X_OUTPUT, NULL},
    {"overcommit", 'O', A_NONE, X_UNSUPPORTED, NULL},
    {"oversubscribe", 's', A_NONE, X_UNSUPPORTED, NULL},
    {"parsable", 0, A_NONE, X_QUIET, NULL},
    {"partition", 'p', A_REQ, X_UNSUPPORTED, "suanwang chooses the site and node class "
                                             "itself; restrict it with --region-allow, "
                                             "--gpu-model or placement in a job file"},
    {"power", 0, A_REQ, X_UNSUPPORTED, NULL},
    {"prefer", 0, A_REQ, X_UNSUPPORTED, NULL},
    {"priority", 0, A_REQ, X_UNSUPPORTED, "priority comes from the QoS class and fair share"},
    {"profile", 0, A_REQ, X_UNSUPPORTED, NULL},
    {"propagate", 0, A_OPT, X_UNSUPPORTED, NULL},
    {"qos", 'q', A_REQ, X_QOS, NULL},
    {"quiet", 'Q', A_NONE, X_QUIET, NULL},
    {"reboot", 0, A_NONE, X_UNSUPPORTED, NULL},
    {"requeue", 0, A_NONE, X_UNSUPPORTED, "use --retries N"},
    {"reservation", 0, A_REQ, X_UNSUPPORTED, NULL},
    {"signal", 0, A_REQ, X_UNSUPPORTED, "a task gets SIGTERM at its walltime, SIGKILL 10 s "
                                        "later"},
    {"sockets-per-node", 0, A_REQ, X_UNSUPPORTED, NULL},
    {"spread-job", 0, A_NONE, X_UNSUPPORTED, NULL},
    {"switches", 0, A_REQ, X_UNSUPPORTED, NULL},
    {"test-only", 0, A_NONE, X_UNSUPPORTED, "use suanwang submit --dry-run"},
    {"thread-spec", 0, A_REQ, X_UNSUPPORTED, NULL},
    {"threads-per-core", 0, A_REQ, X_UNSUPPORTED, NULL},
    {"time", 't', A_REQ, X_TIME, NULL},
    {"time-min", 0, A_REQ, X_UNSUPPORTED, "give runtime_estimate in a job file"},
    {"tmp", 0, A_REQ, X_UNSUPPORTED, NULL},
    {"uid", 0, A_REQ, X_UNSUPPORTED, "tasks run as the site's unprivileged user"},
    {"usage", 0, A_NONE, X_UNSUPPORTED, NULL},
    {"use-min-nodes", 0, A_NONE, X_UNSUPPORTED, NULL},
    {"verbose", 'v', A_NONE, X_QUIET, NULL},
    {"version", 'V', A_NONE, X_UNSUPPORTED, NULL},
    {"wait", 'W', A_NONE, X_UNSUPPORTED, "run `suanwang wait ID` after submitting"},
    {"wait-all-nodes", 0, A_REQ, X_UNSUPPORTED, NULL},
    {"wckey", 0, A_REQ, X_UNSUPPORTED, NULL},
    {"wrap", 0, A_REQ, X_UNSUPPORTED, "give the command after -- instead: "
                                      "suanwang submit -- CMD ARGS"},
};

enum { NOPTS = sizeof(opts) / sizeof(opts[0]) };

/* ---- small parsers ----------------------------------------------------------------- */

int sw__sbatch_warn(struct sw_sbatch *sb, const char *fmt, ...)
{
    char line[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (sw_strbuf_puts(&sb->warnings, line) < 0 || sw_strbuf_puts(&sb->warnings, "\n") < 0)
        return -1;
    return 0;
}

/* "[type:]N" of --gpus, --gpus-per-node, --gpus-per-task. */
static int parse_gpu_count(const char *v, char *type, size_t type_n, int64_t *n)
{
    const char *colon = strrchr(v, ':');
    type[0] = '\0';
    if (colon) {
        if (colon == v || (size_t)(colon - v) >= type_n || memchr(v, ':', (size_t)(colon - v)))
            return -1;
        snprintf(type, type_n, "%.*s", (int)(colon - v), v);
        v = colon + 1;
    }
    return sw__sbatch_count(v, 0, 100000, n);
}

/* --gres=LIST: the gpu entry (gpu[:type][:count]) is honoured; others warn. */
static int parse_gres(struct sw_sbatch *sb, const char *value, const char *where,
                      const char *spelt, const char *pfx, sw_error_t *err)
{
    if (!strcasecmp(value, "none")) {
        if (sb->gpu_kind == SW_SBATCH_GPUS_NODE)
            sb->gpu_kind = SW_SBATCH_GPUS_NONE;
        return 0;
    }
    char buf[512];
    if (strlen(value) >= sizeof(buf)) {
        errno = EINVAL;
        return sw_errprintf(err, "%s: %s: too long", where, spelt);
    }
    snprintf(buf, sizeof(buf), "%s", value);
    bool found = false;
    char *save = NULL;
    for (char *g = strtok_r(buf, ",", &save); g; g = strtok_r(NULL, ",", &save)) {
        char *name = g;
        if (!strncmp(name, "gres/", 5) || !strncmp(name, "gres:", 5))
            name += 5;
        char *c1 = strchr(name, ':');
        size_t nlen = c1 ? (size_t)(c1 - name) : strlen(name);
        if (nlen != 3 || strncmp(name, "gpu", 3)) {
            if (sw__sbatch_warn(sb, "%s: %s%s: the generic resource \"%s\" is not supported "
                         "(only gpu); ignored", where, pfx, spelt, g) < 0)
                return sw_errprintf(err, "out of memory");
            continue;
        }
        if (found) {
            errno = EINVAL;
            return sw_errprintf(err, "%s: %s: gpu is given twice; give one model or a list "
                                     "with --gpu-model", where, spelt);
        }
        found = true;
        int64_t count = 1;
        char type[48] = "";
        if (c1) {
            char *rest = c1 + 1, *c2 = strchr(rest, ':');
            if (c2) { /* gpu:type:count */
                *c2 = '\0';
                if (!rest[0] || strlen(rest) >= sizeof(type) ||
                    sw__sbatch_count(c2 + 1, 0, 100000, &count) < 0) {
                    errno = EINVAL;
                    return sw_errprintf(err, "%s: %s: \"%s\" is not gpu[:TYPE][:COUNT]", where,
                                        spelt, value);
                }
                snprintf(type, sizeof(type), "%s", rest);
            } else if (isdigit((unsigned char)rest[0])) { /* gpu:count */
                if (sw__sbatch_count(rest, 0, 100000, &count) < 0) {
                    errno = EINVAL;
                    return sw_errprintf(err, "%s: %s: \"%s\" is not gpu[:TYPE][:COUNT]", where,
                                        spelt, value);
                }
            } else { /* gpu:type */
                if (!rest[0] || strlen(rest) >= sizeof(type)) {
                    errno = EINVAL;
                    return sw_errprintf(err, "%s: %s: \"%s\" is not gpu[:TYPE][:COUNT]", where,
                                        spelt, value);
                }
                snprintf(type, sizeof(type), "%s", rest);
            }
        }
        sb->gpu_kind = count ? SW_SBATCH_GPUS_NODE : SW_SBATCH_GPUS_NONE;
        sb->gpus = count;
        snprintf(sb->gpu_type, sizeof(sb->gpu_type), "%s", type);
    }
    return 0;
}

/* ---- options ----------------------------------------------------------------------- */

/* Look up a long name as getopt_long does: exact, else a unique prefix. */
static const struct opt *find_long(const char *name, size_t len, bool *ambiguous)
{
    const struct opt *hit = NULL;
    *ambiguous = false;
    for (size_t i = 0; i < NOPTS; i++) {
        if (strncmp(opts[i].name, name, len) != 0)
            continue;
        if (strlen(opts[i].name) == len)
            return &opts[i];
        if (hit)
            *ambiguous = true;
        hit = &opts[i];
    }
    return *ambiguous ? NULL : hit;
}

static const struct opt *find_short(char c)
{
    for (size_t i = 0; i < NOPTS; i++)
        if (opts[i].short_name == c)
            return &opts[i];
    return NULL;
}

int sw_sbatch_option_arg(const char *name)
{
    bool amb;
    const struct opt *o = find_long(name, strlen(name), &amb);
    if (!o)
        return -1;
    return o->arg == A_REQ ? 1 : o->arg == A_OPT ? 2 : 0;
}

static int set_string(char **dst, const char *v, sw_error_t *err)
{
    char *s = strdup(v);
    if (!s)
        return sw_errprintf(err, "out of memory");
    free(*dst);
    *dst = s;
    return 0;
}

/* Apply option `o` with value `v` (NULL when none); `spelt` is how it was
 * written ("--ntasks=4", "-n 4") for messages, `pfx` "#SBATCH " for a
 * directive and "" for the command line. */
static int apply(struct sw_sbatch *sb, const struct opt *o, const char *v, const char *where,
                 const char *spelt, const char *pfx, sw_error_t *err)
{
    int64_t n;
    const char *bad = NULL;
    switch (o->act) {
    case X_UNSUPPORTED:
        if (sw__sbatch_warn(sb, "%s: %s%s: not supported%s%s; ignored", where, pfx, spelt,
                 o->why ? " — " : "", o->why ? o->why : "") < 0)
            return sw_errprintf(err, "out of memory");
        return 0;
    case X_QUIET: return 0;
    case X_JOB_NAME: return set_string(&sb->job_name, v, err);
    case X_NTASKS:
        if (sw__sbatch_count(v, 1, SW_JOB_TASKS_MAX, &sb->ntasks) < 0)
            bad = "a whole number of tasks >= 1";
        break;
    case X_NODES: {
        char buf[64];
        snprintf(buf, sizeof(buf), "%s", v);
        char *dash = strchr(buf, '-');
        if (dash)
            *dash = '\0';
        if (sw__sbatch_count(buf, 1, SW_JOB_TASKS_MAX, &sb->nodes_min) < 0 ||
            (dash &&
             sw__sbatch_count(dash + 1, sb->nodes_min, SW_JOB_TASKS_MAX, &sb->nodes_max) < 0))
            bad = "a node count N or a range MIN-MAX";
        else if (!dash)
            sb->nodes_max = sb->nodes_min;
        break;
    }
    case X_NTASKS_PER_NODE:
        if (sw__sbatch_count(v, 1, SW_JOB_TASKS_MAX, &sb->ntasks_per_node) < 0)
            bad = "a whole number >= 1";
        break;
    case X_CPUS_PER_TASK:
        if (sw__sbatch_count(v, 1, SW_JOB_CORES_MAX, &sb->cpus_per_task) < 0)
            bad = "a whole number of CPUs >= 1";
        break;
    case X_CPUS_PER_GPU:
        if (sw__sbatch_count(v, 1, SW_JOB_CORES_MAX, &sb->cpus_per_gpu) < 0)
            bad = "a whole number of CPUs >= 1";
        break;
    case X_MEM:
    case X_MEM_PER_CPU:
    case X_MEM_PER_GPU: {
        sw_error_t e;
        if (sw_slurm_mem_parse(v, &n, &e) < 0)
            return sw_errprintf(err, "%s: %s: %s", where, spelt, e.text);
        sb->mem_kind = o->act == X_MEM       ? SW_SBATCH_MEM_NODE
                       : o->act == X_MEM_PER_CPU ? SW_SBATCH_MEM_CPU
                                                 : SW_SBATCH_MEM_GPU;
        sb->mem_mib = n;
        sb->mem_given |= 1u << sb->mem_kind;
        if (sb->mem_given & ~(1u << sb->mem_kind)) {
            errno = EINVAL;
            return sw_errprintf(err, "%s: %s: --mem, --mem-per-cpu and --mem-per-gpu are "
                                     "mutually exclusive (sbatch refuses them together)",
                                where, spelt);
        }
        return 0;
    }
    case X_GRES: return parse_gres(sb, v, where, spelt, pfx, err);
    case X_GPUS:
    case X_GPUS_PER_NODE:
    case X_GPUS_PER_TASK: {
        char type[48];
        if (parse_gpu_count(v, type, sizeof(type), &n) < 0) {
            bad = "[TYPE:]COUNT";
            break;
        }
        sb->gpu_kind = n == 0                   ? SW_SBATCH_GPUS_NONE
                       : o->act == X_GPUS       ? SW_SBATCH_GPUS_JOB
                       : o->act == X_GPUS_PER_NODE ? SW_SBATCH_GPUS_NODE
                                                   : SW_SBATCH_GPUS_TASK;
        sb->gpus = n;
        snprintf(sb->gpu_type, sizeof(sb->gpu_type), "%s", type);
        return 0;
    }
    case X_TIME: {
        sw_error_t e;
        if (sw_slurm_time_parse(v, &sb->time_s, &sb->time_unlimited, &e) < 0)
            return sw_errprintf(err, "%s: %s: %s", where, spelt, e.text);
        sb->time_set = true;
        return 0;
    }
    case X_ARRAY: {
        struct sw_sbatch_array a;
        sw_error_t e;
        if (sw_sbatch_array_parse(v, &a, &e) < 0)
            return sw_errprintf(err, "%s: %s: %s", where, spelt, e.text);
        sw_sbatch_array_free(&a);
        return set_string(&sb->array, v, err);
    }
    case X_OUTPUT: return set_string(&sb->output, v, err);
    case X_ERROR: return set_string(&sb->error, v, err);
    case X_CHDIR: return set_string(&sb->chdir, v, err);
    case X_QOS: return set_string(&sb->qos, v, err);
    }
    if (bad) {
        errno = EINVAL;
        return sw_errprintf(err, "%s: %s: \"%s\" is not %s", where, spelt, v, bad);
    }
    return 0;
}

int sw_sbatch_set(struct sw_sbatch *sb, const char *name, const char *value, const char *where,
                  sw_error_t *err)
{
    bool amb;
    const struct opt *o = find_long(name, strlen(name), &amb);
    char spelt[600];
    snprintf(spelt, sizeof(spelt), "--%s%s%s", o ? o->name : name, value ? "=" : "",
             value ? value : "");
    if (!o && amb) {
        errno = EINVAL;
        return sw_errprintf(err, "%s: --%s: an ambiguous abbreviation (sbatch refuses it too); "
                                 "write the option in full", where, name);
    }
    if (!o) {
        if (sw__sbatch_warn(sb, "%s: %s: not an sbatch option (of Slurm 22.05); ignored", where,
                            spelt) < 0)
            return sw_errprintf(err, "out of memory");
        return 0;
    }
    if (o->arg == A_REQ && !value) {
        errno = EINVAL;
        return sw_errprintf(err, "%s: --%s needs a value", where, o->name);
    }
    if (o->arg == A_NONE && value) {
        errno = EINVAL;
        return sw_errprintf(err, "%s: --%s takes no value", where, o->name);
    }
    return apply(sb, o, value, where, spelt, "", err);
}

/* ---- the script ---------------------------------------------------------------------- */

struct argv_list {
    char **v;
    int *line;
    size_t n, cap;
};

static void argv_list_free(struct argv_list *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->v[i]);
    free(a->v);
    free(a->line);
    memset(a, 0, sizeof(*a));
}

static int argv_push(struct argv_list *a, const char *s, size_t n, int line)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 16;
        char **v = realloc(a->v, cap * sizeof(*v));
        if (!v)
            return -1;
        a->v = v;
        int *l = realloc(a->line, cap * sizeof(*l));
        if (!l)
            return -1;
        a->line = l;
        a->cap = cap;
    }
    char *copy = malloc(n + 1);
    if (!copy)
        return -1;
    memcpy(copy, s, n);
    copy[n] = '\0';
    a->v[a->n] = copy;
    a->line[a->n++] = line;
    return 0;
}

/* sbatch's _get_argument over one directive line (after "#SBATCH"). */
static int split_directive(const char *p, const char *end, int line, struct argv_list *a)
{
    char *buf = malloc((size_t)(end - p) + 1);
    if (!buf)
        return -1;
    for (;;) {
        while (p < end && isspace((unsigned char)*p))
            p++;
        if (p >= end)
            break;
        size_t i = 0;
        bool quoted = false, escape = false, comment = false;
        char q = 0;
        while (p < end && (quoted || !isspace((unsigned char)*p))) {
            if (escape) {
                escape = false;
            } else if (*p == '\\') {
                escape = true;
                p++;
                continue;
            } else if (quoted) {
                if (*p == q) {
                    quoted = false;
                    p++;
                    continue;
                }
            } else if (*p == '"' || *p == '\'') {
                quoted = true;
                q = *p++;
                continue;
            } else if (*p == '#') {
                comment = true;
                break;
            }
            buf[i++] = *p++;
        }
        if (i > 0 && argv_push(a, buf, i, line) < 0) {
            free(buf);
            return -1;
        }
        if (comment || i == 0)
            break;
    }
    free(buf);
    return 0;
}

/* The options of an argument vector, as getopt_long with sbatch's "+"
 * (stop at the first non-option, which sbatch then refuses). */
static int read_options(struct sw_sbatch *sb, const struct argv_list *a, const char *fname,
                        sw_error_t *err)
{
    char where[300];
    for (size_t i = 0; i < a->n; i++) {
        const char *arg = a->v[i];
        snprintf(where, sizeof(where), "%s:%d", fname, a->line[i]);
        sb->ndirectives++;
        if (arg[0] != '-' || !arg[1]) {
            errno = EINVAL;
            return sw_errprintf(err, "%s: #SBATCH %s: not an option (sbatch refuses such a "
                                     "directive too)", where, arg);
        }
        if (arg[1] == '-') {
            const char *name = arg + 2, *eq = strchr(name, '=');
            size_t len = eq ? (size_t)(eq - name) : strlen(name);
            bool amb;
            const struct opt *o = find_long(name, len, &amb);
            if (!o && amb) {
                errno = EINVAL;
                return sw_errprintf(err, "%s: #SBATCH %s: an ambiguous abbreviation (sbatch "
                                         "refuses it too); write the option in full", where, arg);
            }
            if (!o) {
                if (sw__sbatch_warn(sb, "%s: #SBATCH %s: not an sbatch option (of Slurm "
                                        "22.05); ignored",
                         where, arg) < 0)
                    return sw_errprintf(err, "out of memory");
                continue;
            }
            const char *v = eq ? eq + 1 : NULL;
            char spelt[600];
            if (o->arg == A_NONE && eq) {
                errno = EINVAL;
                return sw_errprintf(err, "%s: --%s takes no value", where, o->name);
            }
            if (o->arg == A_REQ && !v) {
                if (i + 1 >= a->n) {
                    errno = EINVAL;
                    return sw_errprintf(err, "%s: --%s needs a value", where, o->name);
                }
                v = a->v[++i];
            }
            snprintf(spelt, sizeof(spelt), "--%s%s%s", o->name, v ? "=" : "", v ? v : "");
            if (apply(sb, o, v, where, spelt, "#SBATCH ", err) < 0)
                return -1;
            continue;
        }
        for (const char *c = arg + 1; *c; c++) { /* -n4, -n 4, -HQ */
            const struct opt *o = find_short(*c);
            if (!o) {
                if (sw__sbatch_warn(sb, "%s: #SBATCH -%c: not an sbatch option (of Slurm "
                                        "22.05); ignored",
                         where, *c) < 0)
                    return sw_errprintf(err, "out of memory");
                continue;
            }
            const char *v = NULL;
            if (o->arg != A_NONE && c[1])
                v = c + 1;
            else if (o->arg == A_REQ) {
                if (i + 1 >= a->n) {
                    errno = EINVAL;
                    return sw_errprintf(err, "%s: -%c needs a value", where, *c);
                }
                v = a->v[++i];
            }
            char spelt[600];
            snprintf(spelt, sizeof(spelt), "-%c%s%s", *c, v ? " " : "", v ? v : "");
            if (apply(sb, o, v, where, spelt, "#SBATCH ", err) < 0)
                return -1;
            if (v)
                break;
        }
    }
    return 0;
}

static bool has_crlf(const char *text, size_t len)
{
    for (const char *p = text; (p = memchr(p, '\r', len - (size_t)(p - text))) != NULL; p++)
        if (p + 1 < text + len && p[1] == '\n')
            return true;
    return false;
}

int sw_sbatch_scan(struct sw_sbatch *sb, const char *text, size_t len, const char *fname,
                   sw_error_t *err)
{
    errno = EINVAL;
    if (len < 2 || text[0] != '#' || text[1] != '!')
        return sw_errprintf(err, "%s: this does not look like a batch script: the first line "
                                 "must start with #! and the interpreter, e.g. #!/bin/bash",
                            fname);
    if (memchr(text, '\0', len))
        return sw_errprintf(err, "%s: the script contains a NUL byte", fname);
    if (has_crlf(text, len))
        return sw_errprintf(err, "%s: the script has DOS line breaks (\\r\\n); convert it with "
                                 "dos2unix first (sbatch refuses it too)", fname);
    struct argv_list a = {0};
    const char *p = text, *end = text + len;
    int line = 0, rc = 0, stop_line = 0, ignored = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        line++;
        if (e - p >= 7 && !memcmp(p, "#SBATCH", 7)) {
            if (stop_line)
                ignored++;
            else if (split_directive(p + 7, e, line, &a) < 0) {
                rc = sw_errprintf(err, "out of memory");
                break;
            }
        } else if (!stop_line) {
            const char *q = p;
            while (q < e && isspace((unsigned char)*q))
                q++;
            if (q < e && *q != '#')
                stop_line = line;
        }
        p = nl ? nl + 1 : end;
    }
    if (rc == 0 && ignored &&
        sw__sbatch_warn(sb, "%s: %d #SBATCH line%s after line %d (the first command) ignored, "
                            "as sbatch "
                 "does", fname, ignored, ignored == 1 ? "" : "s", stop_line) < 0)
        rc = sw_errprintf(err, "out of memory");
    if (rc == 0)
        rc = read_options(sb, &a, fname, err);
    argv_list_free(&a);
    return rc;
}

void sw_sbatch_init(struct sw_sbatch *sb)
{
    memset(sb, 0, sizeof(*sb));
}

void sw_sbatch_free(struct sw_sbatch *sb)
{
    if (!sb)
        return;
    free(sb->job_name);
    free(sb->array);
    free(sb->output);
    free(sb->error);
    free(sb->chdir);
    free(sb->qos);
    sw_strbuf_free(&sb->warnings);
    memset(sb, 0, sizeof(*sb));
}
