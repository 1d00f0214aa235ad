/* cmd_submit.c — `suanwang submit`: send jobs to the controller
 * (docs/cli.md#submit).
 *
 * A job comes from one of three places: a JSON job file (one object, an
 * array, or JSON lines for several), a Slurm batch script whose #SBATCH
 * directives are honoured (config/sbatch.h), or flags and `-- CMD ARGS`.
 * Flags then override what the file said (as sbatch's command line beats
 * #SBATCH). Every job is checked here with the same decoder the server
 * uses, so a bad file is reported with its field (and line) before
 * anything is sent; --dry-run prints the JSON that would be sent.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/client.h"
#include "cli/commands.h"
#include "config/job_json.h"
#include "config/sbatch.h"
#include "util/parse.h"

#define INPUT_MAX ((size_t)64 << 20) /* bytes of a job file */
#define MAX_OVERRIDES 64

static void submit_usage(FILE *f)
{
    fprintf(f,
        "usage: suanwang submit [OPTIONS] JOB.json      a JSON job file (JSON lines, an array)\n"
        "       suanwang submit [OPTIONS] SCRIPT.sh     a batch script, #SBATCH lines honoured\n"
        "       suanwang submit [OPTIONS] -- CMD ARGS   a command (argv, never a shell)\n\n"
        "Sends the job(s) to the controller and prints each job id on its own line.\n"
        "Options override what the file or the #SBATCH lines say. A file of \"-\" is stdin.\n\n"
        "Job options (docs/jobs.md):\n"
        "  --name NAME            job name (default: the command's or script's file name)\n"
        "  --tasks N              number of tasks (default 1)\n"
        "  --gang                 all tasks start together at one site\n"
        "  --cores N              CPU cores per task\n"
        "  --mem SIZE             memory per task: 512M, 4G, 1.5G, 1T (binary units; M default)\n"
        "  --gpus N               accelerators per task (0.5 = half a device)\n"
        "  --gpu-model M[,M...]   acceptable models, e.g. A100,A800\n"
        "  --equivalent           also accept equivalent models (runtime scaled)\n"
        "  --near REGION:MS       latency circle, e.g. guangzhou:3ms\n"
        "  --walltime DURATION    time limit: 90s, 30m, 2h, 1d, 1h30m, or Slurm's 12:00:00, 2-12\n"
        "  --qos CLASS            realtime, interactive, batch or spot\n"
        "  --objective OBJ        fastest, cheapest, greenest or balanced\n"
        "  --region-allow R[,R]   regions the job may run in (repeatable)\n"
        "  --region-forbid R[,R]  regions it must not run in (repeatable)\n"
        "  --data NAME:SIZE@REGION  an input dataset, e.g. corpus:2TB@shenzhen (repeatable)\n"
        "  --deadline TIME        Unix seconds, +DURATION, or YYYY-MM-DDTHH:MM[:SS][Z]\n"
        "  --budget FEN           cap on the job's cost, in fen (1 yuan = 100 fen)\n"
        "  --max-price FEN        cap on the price per accelerator-hour (core-hour), fen\n"
        "  --retries N            attempts after the first when a task fails or is lost\n"
        "  --preemptible          may be preempted and requeued\n"
        "  --env NAME=VALUE       an environment variable (repeatable)\n"
        "  --workdir DIR          absolute working directory at the site\n"
        "  --idempotency-key KEY  a retried submit with the same key makes no second job\n\n"
        "sbatch options, for batch scripts (override the #SBATCH lines):\n"
        "  -J, --job-name  -n, --ntasks  -N, --nodes  --ntasks-per-node  -c, --cpus-per-task\n"
        "  --mem-per-cpu  --mem-per-gpu  --cpus-per-gpu  --gres=gpu[:TYPE]:N  --gpus-per-task\n"
        "  --gpus-per-node  -t, --time  -a, --array  -o, --output  -e, --error\n"
        "  (-p/--partition and -A/--account are accepted and named as unsupported)\n\n"
        "Other options:\n"
        "  --dry-run              print the job JSON that would be sent; needs no server\n"
        SW_CLIENT_OPTIONS_HELP
        "\nExit status: 0 submitted, 1 refused (bad job, server or network error), 2 usage.\n"
        "Examples:\n"
        "  suanwang submit examples/jobs/llm-pretrain.json\n"
        "  suanwang submit --gpus 8 --gpu-model A100 --near guangzhou:3ms --walltime 2h \\\n"
        "      --tasks 16 --gang -- torchrun train.py\n"
        "  suanwang submit -t 30 job.sh\n");
}

/* ---- reading the input ----------------------------------------------------------- */

static char *read_input(const char *path, size_t *len, sw_error_t *err)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f) {
        sw_errprintf(err, "%s: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (n + 1 >= cap) {
            if (cap >= INPUT_MAX) {
                free(buf);
                buf = NULL;
                errno = EFBIG;
                sw_errprintf(err, "%s: larger than %zu MiB", path, INPUT_MAX >> 20);
                break;
            }
            char *b = realloc(buf, cap * 2);
            if (!b) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = b;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0) {
            if (ferror(f)) {
                sw_errprintf(err, "%s: %s", path, strerror(errno));
                free(buf);
                buf = NULL;
            }
            break;
        }
    }
    if (f != stdin)
        fclose(f);
    if (!buf) {
        if (errno == ENOMEM)
            sw_errprintf(err, "%s: out of memory", path);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* The jobs of a JSON text: one object, an array of objects, {"jobs": [...]},
 * or JSON lines (blank and '#' lines skipped). Each job gets its line in
 * `lines` (0 when not from JSON lines). Returns the array or NULL. */
static json_t *parse_job_file(const char *text, size_t len, const char *path, int **lines,
                              sw_error_t *err)
{
    json_error_t je;
    json_t *whole = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    *lines = NULL;
    if (whole) {
        json_t *list = NULL;
        if (json_is_object(whole) && json_is_array(json_object_get(whole, "jobs")) &&
            json_object_size(whole) == 1)
            list = json_incref(json_object_get(whole, "jobs"));
        else if (json_is_object(whole))
            list = json_pack("[O]", whole);
        else if (json_is_array(whole))
            list = json_incref(whole);
        json_decref(whole);
        if (!list) {
            sw_errprintf(err, "%s: expected a JSON object (one job) or an array of jobs", path);
            return NULL;
        }
        *lines = calloc(json_array_size(list) + 1, sizeof(**lines));
        return list;
    }
    /* JSON lines? */
    json_t *list = json_array();
    size_t cap = 64, n = 0;
    int *ln = malloc(cap * sizeof(*ln));
    int lineno = 0, nonblank = 0;
    const char *p = text, *end = text + len;
    sw_error_t line_err = {{0}};
    bool bad = !list || !ln;
    while (!bad && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        lineno++;
        const char *q = p;
        while (q < e && isspace((unsigned char)*q))
            q++;
        if (q < e && *q != '#') {
            nonblank++;
            json_error_t le;
            json_t *o = json_loadb(q, (size_t)(e - q), JSON_REJECT_DUPLICATES, &le);
            if (!o || !json_is_object(o)) {
                sw_errprintf(&line_err, "%s:%d: %s", path, lineno,
                             o ? "expected a JSON object (one job per line)" : le.text);
                json_decref(o);
                bad = true;
                break;
            }
            if (n == cap) {
                int *l2 = realloc(ln, cap * 2 * sizeof(*ln));
                if (!l2) {
                    json_decref(o);
                    bad = true;
                    break;
                }
                ln = l2;
                cap *= 2;
            }
            ln[n++] = lineno;
            json_array_append_new(list, o);
        }
        p = nl ? nl + 1 : end;
    }
    if (!bad && n > 0) {
        *lines = ln;
        return list;
    }
    json_decref(list);
    free(ln);
    if (line_err.text[0] && nonblank > 1)
        sw_errprintf(err, "%s", line_err.text);
    else if (n == 0 && !line_err.text[0])
        sw_errprintf(err, "%s: no job in the file", path);
    else
        sw_errprintf(err, "%s: invalid JSON at line %d, column %d: %s", path, je.line, je.column,
                     je.text);
    return NULL;
}

/* ---- flag values ----------------------------------------------------------------- */

/* --mem: a number (fractions allowed) and an optional K, M, G, T unit,
 * binary, optionally followed by B or iB; M by default. */
static int parse_mem_flag(const char *s, int64_t *mib, sw_error_t *err)
{
    char *end;
    errno = 0;
    double v = (s && (isdigit((unsigned char)s[0]) || s[0] == '.')) ? strtod(s, &end) : -1;
    double mult = 1;
    if (v < 0 || errno)
        goto bad;
    switch (*end) {
    case '\0': break;
    case 'k': case 'K': mult = 1.0 / 1024; end++; break;
    case 'm': case 'M': end++; break;
    case 'g': case 'G': mult = 1024; end++; break;
    case 't': case 'T': mult = 1024.0 * 1024; end++; break;
    default: goto bad;
    }
    if (*end && strcmp(end, "B") && strcmp(end, "b") && strcmp(end, "iB"))
        goto bad;
    double m = v * mult;
    if (m <= 0 || m > 1073741824.0)
        goto bad;
    *mib = (int64_t)m;
    if ((double)*mib < m)
        (*mib)++;
    return 0;
bad:
    errno = EINVAL;
    return sw_errprintf(err, "--mem: \"%s\" is not a memory size (write e.g. 512M, 4G, 1.5G, 1T)",
                        s ? s : "");
}

/* --deadline: Unix seconds, +DURATION from now, or a date and time
 * (YYYY-MM-DDTHH:MM[:SS], 'T' or a space; UTC with a final Z, else local). */
static int parse_deadline(const char *s, int64_t *out, sw_error_t *err)
{
    int64_t v;
    if (s[0] == '+') {
        if (sw_duration_parse(s + 1, &v, err) < 0)
            return sw_errprefix(err, "--deadline: ");
        *out = (int64_t)time(NULL) + v;
        return 0;
    }
    if (sw_parse_i64(s, 1, INT64_MAX / 2, &v, "--deadline", NULL) == 0) {
        *out = v;
        return 0;
    }
    int Y, M, D, h, m, sec = 0, used = 0;
    char sep;
    if (sscanf(s, "%4d-%2d-%2d%c%2d:%2d%n", &Y, &M, &D, &sep, &h, &m, &used) == 6 &&
        (sep == 'T' || sep == ' ')) {
        const char *rest = s + used;
        if (rest[0] == ':' && isdigit((unsigned char)rest[1]) &&
            isdigit((unsigned char)rest[2])) {
            sec = (rest[1] - '0') * 10 + (rest[2] - '0');
            rest += 3;
        }
        bool utc = rest[0] == 'Z' && !rest[1];
        if ((rest[0] && !utc) || M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 ||
            sec > 60)
            goto bad;
        struct tm tm = {.tm_year = Y - 1900, .tm_mon = M - 1, .tm_mday = D, .tm_hour = h,
                        .tm_min = m, .tm_sec = sec, .tm_isdst = -1};
        time_t t;
        if (utc) { /* days from civil: timegm() is not POSIX */
            int y = Y - (M <= 2);
            int era = (y >= 0 ? y : y - 399) / 400;
            int yoe = y - era * 400;
            int doy = (153 * (M + (M > 2 ? -3 : 9)) + 2) / 5 + D - 1;
            int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
            t = (time_t)(((int64_t)era * 146097 + doe - 719468) * 86400 + h * 3600 + m * 60 + sec);
        } else {
            t = mktime(&tm);
        }
        if (t == (time_t)-1)
            goto bad;
        *out = (int64_t)t;
        return 0;
    }
bad:
    errno = EINVAL;
    return sw_errprintf(err, "--deadline: \"%s\" is not a time (Unix seconds, +2h, or "
                             "2026-12-01T18:00[:00][Z])", s);
}

/* ---- overrides --------------------------------------------------------------------- */

/* What the flags ask to change; each applies to every job. */
struct overrides {
    json_t *set; /* dotted path -> value ("resources.cores" -> 8), in order */
    json_t *env; /* NAME -> VALUE, merged into "env" */
    json_t *allow, *forbid, *inputs;
    json_t *gpu_models;
    double gpus;
    bool has_gpus, equivalent;
};

/* The object at `key` in `o`, made if absent. For "gpus" a number
 * becomes {"count": n}. */
static json_t *child_object(json_t *o, const char *key)
{
    json_t *c = json_object_get(o, key);
    if (json_is_object(c))
        return c;
    json_t *n = json_object();
    if (c && json_is_number(c) && !strcmp(key, "gpus"))
        json_object_set(n, "count", c);
    json_object_set_new(o, key, n);
    return n;
}

static void set_path(json_t *job, const char *path, json_t *value)
{
    char buf[128];
    snprintf(buf, sizeof(buf), "%s", path);
    json_t *o = job;
    char *save = NULL, *part = strtok_r(buf, ".", &save);
    for (char *next; part && (next = strtok_r(NULL, ".", &save)) != NULL; part = next)
        o = child_object(o, part);
    json_object_set(o, part, value);
}

static void apply_overrides(json_t *job, const struct overrides *ov)
{
    const char *key;
    json_t *v;
    json_object_foreach(ov->set, key, v) {
        if (!strcmp(key, "resources.mem_mib"))
            json_object_del(child_object(job, "resources"), "mem_gib");
        if (!strcmp(key, "command")) /* a command replaces a script */
            json_object_del(job, "script");
        set_path(job, key, v);
    }
    if (ov->has_gpus || ov->gpu_models || ov->equivalent) {
        json_t *res = child_object(job, "resources");
        json_t *g = json_object_get(res, "gpus");
        if (ov->gpu_models || ov->equivalent || json_is_object(g)) {
            g = child_object(res, "gpus");
            if (ov->has_gpus) {
                json_object_del(g, "compute_tflops");
                json_object_set_new(g, "count", ov->gpus == (double)(int64_t)ov->gpus
                                                    ? json_integer((int64_t)ov->gpus)
                                                    : json_real(ov->gpus));
            }
            if (ov->gpu_models)
                json_object_set(g, "model", ov->gpu_models);
            if (ov->equivalent)
                json_object_set_new(g, "equivalent", json_true());
        } else {
            json_object_set_new(res, "gpus", ov->gpus == (double)(int64_t)ov->gpus
                                                 ? json_integer((int64_t)ov->gpus)
                                                 : json_real(ov->gpus));
        }
    }
    if (json_object_size(ov->env)) {
        json_t *env = child_object(job, "env");
        json_object_update(env, ov->env);
    }
    if (ov->allow)
        set_path(job, "placement.regions.allow", ov->allow);
    if (ov->forbid)
        set_path(job, "placement.regions.forbid", ov->forbid);
    if (ov->inputs)
        set_path(job, "data.inputs", ov->inputs);
}

/* "a,b,c" appended to the array *list (made when NULL). */
static int add_names(json_t **list, const char *csv, const char *flag, sw_error_t *err)
{
    if (!*list && !(*list = json_array()))
        return sw_errprintf(err, "out of memory");
    const char *p = csv;
    while (*p) {
        const char *c = strchr(p, ',');
        size_t n = c ? (size_t)(c - p) : strlen(p);
        if (n == 0 || n >= 48) {
            errno = EINVAL;
            return sw_errprintf(err, "%s: \"%s\" is not a comma-separated list of names", flag,
                                csv);
        }
        json_array_append_new(*list, json_stringn(p, n));
        p += n + (c ? 1 : 0);
        if (c && !*p) {
            errno = EINVAL;
            return sw_errprintf(err, "%s: \"%s\" ends with a comma", flag, csv);
        }
    }
    return 0;
}

/* --data NAME:SIZE@REGION */
static int add_input(json_t **list, const char *v, sw_error_t *err)
{
    const char *colon = strchr(v, ':'), *at = strrchr(v, '@');
    int64_t mb;
    if (!colon || !at || at < colon || colon == v || at == colon + 1 || !at[1]) {
        errno = EINVAL;
        return sw_errprintf(err, "--data: \"%s\" is not NAME:SIZE@REGION (e.g. "
                                 "corpus:2TB@shenzhen)", v);
    }
    char size[64];
    snprintf(size, sizeof(size), "%.*s", (int)(at - colon - 1), colon + 1);
    if (sw_size_parse_mb(size, &mb, err) < 0)
        return sw_errprefix(err, "--data: ");
    if (!*list && !(*list = json_array()))
        return sw_errprintf(err, "out of memory");
    json_array_append_new(*list, json_pack("{s:s%,s:s,s:s}", "name", v, (size_t)(colon - v),
                                           "size", size, "region", at + 1));
    return 0;
}

/* ---- the command ------------------------------------------------------------------- */

enum {
    O_NAME = 256, O_TASKS, O_GANG, O_CORES, O_MEM, O_GPUS, O_GPU_MODEL, O_EQUIVALENT, O_NEAR,
    O_WALLTIME, O_QOS, O_OBJECTIVE, O_ALLOW, O_FORBID, O_DATA, O_DEADLINE, O_BUDGET,
    O_MAX_PRICE, O_RETRIES, O_PREEMPTIBLE, O_ENV, O_WORKDIR, O_IDEM, O_DRY_RUN,
    /* sbatch spellings without a short form */
    O_SB_NTASKS_PER_NODE, O_SB_MEM_PER_CPU, O_SB_MEM_PER_GPU, O_SB_CPUS_PER_GPU, O_SB_GRES,
    O_SB_GPUS_PER_TASK, O_SB_GPUS_PER_NODE,
};

static const struct option submit_opts[] = {
    {"name", required_argument, NULL, O_NAME},
    {"tasks", required_argument, NULL, O_TASKS},
    {"gang", no_argument, NULL, O_GANG},
    {"cores", required_argument, NULL, O_CORES},
    {"mem", required_argument, NULL, O_MEM},
    {"gpus", required_argument, NULL, O_GPUS},
    {"gpu-model", required_argument, NULL, O_GPU_MODEL},
    {"equivalent", no_argument, NULL, O_EQUIVALENT},
    {"near", required_argument, NULL, O_NEAR},
    {"walltime", required_argument, NULL, O_WALLTIME},
    {"qos", required_argument, NULL, O_QOS},
    {"objective", required_argument, NULL, O_OBJECTIVE},
    {"region-allow", required_argument, NULL, O_ALLOW},
    {"region-forbid", required_argument, NULL, O_FORBID},
    {"data", required_argument, NULL, O_DATA},
    {"deadline", required_argument, NULL, O_DEADLINE},
    {"budget", required_argument, NULL, O_BUDGET},
    {"max-price", required_argument, NULL, O_MAX_PRICE},
    {"retries", required_argument, NULL, O_RETRIES},
    {"preemptible", no_argument, NULL, O_PREEMPTIBLE},
    {"env", required_argument, NULL, O_ENV},
    {"workdir", required_argument, NULL, O_WORKDIR},
    {"idempotency-key", required_argument, NULL, O_IDEM},
    {"dry-run", no_argument, NULL, O_DRY_RUN},
    {"job-name", required_argument, NULL, 'J'},
    {"ntasks", required_argument, NULL, 'n'},
    {"nodes", required_argument, NULL, 'N'},
    {"ntasks-per-node", required_argument, NULL, O_SB_NTASKS_PER_NODE},
    {"cpus-per-task", required_argument, NULL, 'c'},
    {"cpus-per-gpu", required_argument, NULL, O_SB_CPUS_PER_GPU},
    {"mem-per-cpu", required_argument, NULL, O_SB_MEM_PER_CPU},
    {"mem-per-gpu", required_argument, NULL, O_SB_MEM_PER_GPU},
    {"gres", required_argument, NULL, O_SB_GRES},
    {"gpus-per-task", required_argument, NULL, O_SB_GPUS_PER_TASK},
    {"gpus-per-node", required_argument, NULL, O_SB_GPUS_PER_NODE},
    {"time", required_argument, NULL, 't'},
    {"array", required_argument, NULL, 'a'},
    {"output", required_argument, NULL, 'o'},
    {"error", required_argument, NULL, 'e'},
    {"partition", required_argument, NULL, 'p'},
    {"account", required_argument, NULL, 'A'},
    SW_CLIENT_LONG_OPTIONS,
    {NULL, 0, NULL, 0},
};

/* The sbatch option name of a getopt code, or NULL. */
static const char *sbatch_name(int c)
{
    switch (c) {
    case 'J': return "job-name";
    case 'n': return "ntasks";
    case 'N': return "nodes";
    case 'c': return "cpus-per-task";
    case 't': return "time";
    case 'a': return "array";
    case 'o': return "output";
    case 'e': return "error";
    case 'p': return "partition";
    case 'A': return "account";
    case O_SB_NTASKS_PER_NODE: return "ntasks-per-node";
    case O_SB_CPUS_PER_GPU: return "cpus-per-gpu";
    case O_SB_MEM_PER_CPU: return "mem-per-cpu";
    case O_SB_MEM_PER_GPU: return "mem-per-gpu";
    case O_SB_GRES: return "gres";
    case O_SB_GPUS_PER_TASK: return "gpus-per-task";
    case O_SB_GPUS_PER_NODE: return "gpus-per-node";
    default: return NULL;
    }
}

struct submit {
    struct sw_client_opts copts;
    struct overrides ov;
    bool dry_run;
    const char *idem;
    const char *sbatch_opt[MAX_OVERRIDES], *sbatch_val[MAX_OVERRIDES];
    int nsbatch;
};

static int usage_error(const char *msg)
{
    fprintf(stderr, "suanwang submit: %s\nRun 'suanwang submit --help' for the options.\n", msg);
    return SW_EXIT_USAGE;
}

/* One job option into s->ov. Returns 0, or -1 with a message. */
static int take_job_option(struct submit *s, int c, const char *v, sw_error_t *err)
{
    struct overrides *ov = &s->ov;
    int64_t n;
    json_t *val = NULL;
    const char *path = NULL;
    switch (c) {
    case O_NAME: path = "name"; val = json_string(v); break;
    case O_TASKS:
        if (sw_parse_i64(v, 1, SW_JOB_TASKS_MAX, &n, "--tasks", err) < 0)
            return -1;
        path = "tasks";
        val = json_integer(n);
        break;
    case O_GANG: path = "gang"; val = json_true(); break;
    case O_PREEMPTIBLE: path = "preemptible"; val = json_true(); break;
    case O_CORES:
        if (sw_parse_i64(v, 1, SW_JOB_CORES_MAX, &n, "--cores", err) < 0)
            return -1;
        path = "resources.cores";
        val = json_integer(n);
        break;
    case O_MEM:
        if (parse_mem_flag(v, &n, err) < 0)
            return -1;
        path = "resources.mem_mib";
        val = json_integer(n);
        break;
    case O_GPUS: {
        double g;
        if (sw_parse_double(v, &g, "--gpus", err) < 0)
            return -1;
        if (g <= 0 || g > SW_JOB_GPUS_MAX) {
            errno = EINVAL;
            return sw_errprintf(err, "--gpus: must be > 0 and at most %d, got %s",
                                SW_JOB_GPUS_MAX, v);
        }
        ov->gpus = g;
        ov->has_gpus = true;
        return 0;
    }
    case O_GPU_MODEL:
        json_decref(ov->gpu_models);
        ov->gpu_models = NULL;
        if (add_names(&ov->gpu_models, v, "--gpu-model", err) < 0)
            return -1;
        return 0;
    case O_EQUIVALENT: ov->equivalent = true; return 0;
    case O_NEAR: {
        char region[SW_NAME_MAX];
        double ms;
        if (sw_near_parse(v, region, &ms, err) < 0)
            return sw_errprefix(err, "--near: ");
        path = "near";
        val = json_string(v);
        break;
    }
    case O_WALLTIME:
        if (sw_duration_parse(v, &n, err) < 0)
            return sw_errprefix(err, "--walltime: ");
        path = "walltime";
        val = json_integer(n);
        break;
    case O_QOS: {
        enum sw_qos q;
        if (sw_qos_parse(v, &q) < 0) {
            errno = EINVAL;
            return sw_errprintf(err, "--qos: \"%s\" is not one of realtime, interactive, batch, "
                                     "spot", v);
        }
        path = "qos";
        val = json_string(v);
        break;
    }
    case O_OBJECTIVE: {
        enum sw_objective o;
        if (sw_objective_parse(v, &o) < 0) {
            errno = EINVAL;
            return sw_errprintf(err, "--objective: \"%s\" is not one of fastest, cheapest, "
                                     "greenest, balanced", v);
        }
        path = "objective";
        val = json_string(v);
        break;
    }
    case O_ALLOW: return add_names(&ov->allow, v, "--region-allow", err);
    case O_FORBID: return add_names(&ov->forbid, v, "--region-forbid", err);
    case O_DATA: return add_input(&ov->inputs, v, err);
    case O_DEADLINE:
        if (parse_deadline(v, &n, err) < 0)
            return -1;
        path = "deadline";
        val = json_integer(n);
        break;
    case O_BUDGET:
    case O_MAX_PRICE:
        if (sw_parse_i64(v, 1, INT64_MAX / 4, &n, c == O_BUDGET ? "--budget" : "--max-price",
                         err) < 0)
            return -1;
        path = c == O_BUDGET ? "budget_fen" : "max_price_fen";
        val = json_integer(n);
        break;
    case O_RETRIES:
        if (sw_parse_i64(v, 0, SW_JOB_RETRIES_MAX, &n, "--retries", err) < 0)
            return -1;
        path = "retries";
        val = json_integer(n);
        break;
    case O_ENV: {
        const char *eq = strchr(v, '=');
        if (!eq || eq == v) {
            errno = EINVAL;
            return sw_errprintf(err, "--env: \"%s\" is not NAME=VALUE", v);
        }
        char name[256];
        snprintf(name, sizeof(name), "%.*s", (int)(eq - v), v);
        json_t *val_s = json_string(eq + 1);
        if (!val_s || json_object_set_new(ov->env, name, val_s) < 0) {
            errno = EINVAL;
            return sw_errprintf(err, "--env %s: not UTF-8 text", name);
        }
        return 0;
    }
    case O_WORKDIR: path = "workdir"; val = json_string(v); break;
    case O_IDEM: s->idem = v; return 0;
    default: return 1; /* not a job option */
    }
    if (!val) {
        errno = EINVAL;
        return sw_errprintf(err, "%s: not valid UTF-8 text", path);
    }
    json_object_set_new(ov->set, path, val);
    return 0;
}

/* A batch script: "#!" first; or, to get sbatch's message about the
 * missing "#!", a file with #SBATCH lines or a script's file name. */
static bool is_batch_script(const char *file, const char *text, size_t len)
{
    if (len >= 2 && text[0] == '#' && text[1] == '!')
        return true;
    if ((len >= 7 && !memcmp(text, "#SBATCH", 7)) || strstr(text, "\n#SBATCH"))
        return true;
    static const char *const ext[] = {".sh", ".bash", ".sbatch", ".slurm"};
    size_t fl = strlen(file);
    for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
        size_t el = strlen(ext[i]);
        if (fl > el && !strcmp(file + fl - el, ext[i]))
            return true;
    }
    return false;
}

/* The jobs to submit, from the file, the script or the command. */
static json_t *build_jobs(struct submit *s, const char *file, char **cmd, int ncmd,
                          int **lines, const char **what, sw_error_t *err)
{
    *lines = NULL;
    *what = file ? file : "the command line";
    if (!file) {
        json_t *argv = json_array();
        for (int i = 0; argv && i < ncmd; i++) {
            json_t *arg = json_string(cmd[i]);
            if (!arg || json_array_append_new(argv, arg) < 0) {
                json_decref(argv);
                errno = EINVAL;
                sw_errprintf(err, "argument %d of the command is not UTF-8 text", i + 1);
                return NULL;
            }
        }
        const char *base = strrchr(cmd[0], '/');
        json_t *job = json_pack("{s:s,s:o}", "name", base && base[1] ? base + 1 : cmd[0],
                                "command", argv);
        json_t *list = job ? json_pack("[o]", job) : NULL;
        if (!list)
            sw_errprintf(err, "out of memory");
        return list;
    }
    size_t len;
    char *text = read_input(file, &len, err);
    if (!text)
        return NULL;
    json_t *list = NULL;
    if (is_batch_script(file, text, len)) {
        struct sw_sbatch sb;
        sw_sbatch_init(&sb);
        int rc = sw_sbatch_scan(&sb, text, len, file, err);
        for (int i = 0; rc == 0 && i < s->nsbatch; i++)
            rc = sw_sbatch_set(&sb, s->sbatch_opt[i], s->sbatch_val[i], "command line", err);
        json_t *job = rc == 0 ? sw_sbatch_to_job(&sb, text, strcmp(file, "-") ? file : "sbatch",
                                                 err)
                              : NULL;
        if (sb.warnings.len)
            for (char *line = sb.warnings.data, *nl; line && *line; line = nl + 1) {
                nl = strchr(line, '\n');
                fprintf(stderr, "warning: %.*s\n", (int)(nl ? nl - line : (long)strlen(line)),
                        line);
                if (!nl)
                    break;
            }
        sw_sbatch_free(&sb);
        if (job)
            list = json_pack("[o]", job);
        *lines = calloc(2, sizeof(**lines));
    } else if (s->nsbatch) {
        errno = EINVAL;
        sw_errprintf(err, "--%s: sbatch options go with a batch script (a file starting with #!); "
                          "%s is a JSON job file", s->sbatch_opt[0], file);
    } else {
        list = parse_job_file(text, len, file, lines, err);
    }
    free(text);
    return list;
}

/* Check every job with the server's decoder. */
static int validate_jobs(json_t *list, const int *lines, const char *what, sw_error_t *err)
{
    size_t i;
    json_t *job;
    json_array_foreach(list, i, job) {
        struct sw_jobspec js;
        if (!json_is_object(job)) {
            errno = EINVAL;
            return sw_errprintf(err, "%s: job %zu: expected a JSON object", what, i + 1);
        }
        if (sw_jobspec_from_json(job, &js, err) < 0) {
            if (lines && lines[i])
                return sw_errprefix(err, "%s:%d: ", what, lines[i]);
            if (json_array_size(list) > 1)
                return sw_errprefix(err, "%s: job %zu: ", what, i + 1);
            return sw_errprefix(err, "%s: ", what);
        }
        sw_jobspec_free(&js);
    }
    return 0;
}

static int send_jobs(struct submit *s, json_t *list, sw_error_t *err)
{
    bool one = json_array_size(list) == 1;
    const char *header_key = NULL;
    if (s->idem && one)
        json_object_set_new(json_array_get(list, 0), "idempotency_key", json_string(s->idem));
    else
        header_key = s->idem;
    char *body = json_dumps(one ? json_array_get(list, 0) : list, JSON_COMPACT);
    if (!body)
        return sw_errprintf(err, "out of memory");
    struct sw_client c;
    struct sw_client_resp r;
    int rc = -1;
    if (sw_client_open(&c, &s->copts, err) == 0 &&
        sw_client_call_ok(&c, "POST", "/v1/jobs", body, header_key, &r, err) == 0) {
        if (s->copts.json) {
            rc = sw_client_print_body(&r, stdout);
        } else {
            json_t *id = json_object_get(r.json, "id"), *ids = json_object_get(r.json, "ids");
            size_t k;
            json_t *v;
            rc = 0;
            if (json_is_integer(id))
                printf("%" JSON_INTEGER_FORMAT "\n", json_integer_value(id));
            else if (json_is_array(ids))
                json_array_foreach(ids, k, v) printf("%" JSON_INTEGER_FORMAT "\n",
                                                     json_integer_value(v));
            else
                rc = sw_errprintf(err, "the controller's answer has no job id: %.200s", r.body);
            if (rc == 0 && r.status == 200)
                fprintf(stderr, "note: the idempotency key was used before: this is the job "
                                "submitted then, not a new one\n");
        }
        sw_client_resp_free(&r);
    }
    sw_client_close(&c);
    free(body);
    return rc;
}

int sw_cmd_submit(int argc, char **argv)
{
    struct submit s = {0};
    sw_error_t err = {{0}};
    int status = SW_EXIT_USAGE;
    json_t *list = NULL;
    int *lines = NULL;
    s.ov.set = json_object();
    s.ov.env = json_object();

    /* everything after the first "--" is the command, untouched by getopt */
    int nopt = argc;
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--")) {
            nopt = i;
            break;
        }
    char **cmd = argv + nopt + (nopt < argc);
    int ncmd = argc - nopt - (nopt < argc);

    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(nopt, argv, "hJ:n:N:c:t:a:o:e:p:A:", submit_opts, NULL)) != -1) {
        if (sw_client_take_option(c, optarg, &s.copts))
            continue;
        if (c == 'h') {
            submit_usage(stdout);
            status = SW_EXIT_OK;
            goto out_free;
        }
        if (c == O_DRY_RUN) {
            s.dry_run = true;
            continue;
        }
        const char *sbn = sbatch_name(c);
        if (sbn) {
            if (s.nsbatch == MAX_OVERRIDES) {
                status = usage_error("too many sbatch options");
                goto out_free;
            }
            s.sbatch_opt[s.nsbatch] = sbn;
            s.sbatch_val[s.nsbatch++] = optarg;
            continue;
        }
        int r = c == '?' || c == ':' ? 1 : take_job_option(&s, c, optarg, &err);
        if (r < 0) {
            fprintf(stderr, "suanwang submit: %s\n", err.text);
            goto out_free;
        }
        if (r > 0) {
            char msg[300];
            snprintf(msg, sizeof(msg), "unknown or incomplete option \"%s\"", argv[optind - 1]);
            status = usage_error(msg);
            goto out_free;
        }
    }
    int nfiles = nopt - optind;
    if (nfiles > 1) {
        char msg[400];
        snprintf(msg, sizeof(msg), "one job file or script at a time (got \"%s\" and \"%s\"); a "
                 "batch script takes no arguments here", argv[optind], argv[optind + 1]);
        status = usage_error(msg);
        goto out_free;
    }
    if (nfiles == 1 && nopt < argc) {
        status = usage_error("give a job file or -- CMD ARGS, not both");
        goto out_free;
    }
    if (nfiles == 0 && ncmd <= 0) {
        status = usage_error(nopt < argc ? "nothing after --: give the command to run"
                                         : "give a job file, a batch script, or -- CMD ARGS");
        goto out_free;
    }
    if (ncmd > 0 && !cmd[0][0]) {
        status = usage_error("the command after -- is empty");
        goto out_free;
    }

    status = SW_EXIT_FAIL;
    const char *what;
    if (s.nsbatch && !nfiles) {
        fprintf(stderr, "suanwang submit: --%s: sbatch options go with a batch script; for a "
                        "command use --tasks, --cores, --walltime, ...\n", s.sbatch_opt[0]);
        status = SW_EXIT_USAGE;
        goto out_free;
    }
    list = build_jobs(&s, nfiles ? argv[optind] : NULL, cmd, ncmd, &lines, &what, &err);
    if (!list) {
        fprintf(stderr, "error: %s\n", err.text);
        goto out_free;
    }
    size_t i;
    json_t *job;
    json_array_foreach(list, i, job) {
        if (json_is_object(job))
            apply_overrides(job, &s.ov);
    }
    if (validate_jobs(list, lines, what, &err) < 0) {
        fprintf(stderr, "error: %s\n", err.text);
        goto out_free;
    }
    if (s.dry_run) {
        size_t n = json_array_size(list);
        char *text = json_dumps(n == 1 ? json_array_get(list, 0) : list, JSON_INDENT(2));
        if (text) {
            puts(text);
            status = SW_EXIT_OK;
        }
        free(text);
        goto out_free;
    }
    if (send_jobs(&s, list, &err) < 0) {
        fprintf(stderr, "error: %s\n", err.text);
        goto out_free;
    }
    status = SW_EXIT_OK;
out_free:
    free(lines);
    json_decref(list);
    json_decref(s.ov.set);
    json_decref(s.ov.env);
    json_decref(s.ov.allow);
    json_decref(s.ov.forbid);
    json_decref(s.ov.inputs);
    json_decref(s.ov.gpu_models);
    return status;
}
