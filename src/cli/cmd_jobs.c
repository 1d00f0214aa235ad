/* cmd_jobs.c — the job commands of the CLI (docs/cli.md): `suanwang jobs`
 * (a table of jobs), `job ID` (one job in detail, with why it is pending),
 * `cancel ID...` and `wait ID...`. Each prints a table or text for
 * people, or with --json exactly the server's JSON; exit status 0 success,
 * 1 an error from the server or the network, 2 a usage error, and for
 * wait 1 when a job failed or was cancelled and 3 on timeout.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/client.h"
#include "cli/commands.h"
#include "cli/table.h"
#include "core/jobspec.h"
#include "core/lifecycle.h"
#include "util/parse.h"

#define EXIT_TIMEOUT 3
#define PAGE_ALL 1000     /* jobs per request with --all (the server's maximum) */
#define EVENTS_SHOWN 30

static int fail(const char *cmd, const sw_error_t *err)
{
    (void)cmd;
    fprintf(stderr, "error: %s\n", err->text);
    return SW_EXIT_FAIL;
}

static int parse_id(const char *cmd, const char *s, uint64_t *id)
{
    int64_t v;
    if (sw_parse_i64(s, 1, INT64_MAX, &v, "job id", NULL) < 0)
        return sw_cli_usage_error(cmd, "\"%s\" is not a job id (a whole number >= 1)", s);
    *id = (uint64_t)v;
    return 0;
}

static void sleep_s(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
    }
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *jstr(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* A JSON value as short text: strings raw, numbers plain. */
static void jtext(const json_t *v, char *out, size_t n)
{
    if (json_is_string(v))
        snprintf(out, n, "%s", json_string_value(v));
    else if (json_is_integer(v))
        snprintf(out, n, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    else if (json_is_real(v))
        snprintf(out, n, "%g", json_real_value(v));
    else if (json_is_boolean(v))
        snprintf(out, n, "%s", json_is_true(v) ? "true" : "false");
    else if (v) {
        char *d = json_dumps(v, JSON_COMPACT);
        snprintf(out, n, "%s", d ? d : "");
        free(d);
    } else
        snprintf(out, n, "-");
}

/* ---- suanwang jobs ----------------------------------------------------------------- */

static void jobs_usage(FILE *f)
{
    fprintf(f,
        "usage: suanwang jobs [--state STATE] [--all | --limit N] [--tenant T] [--json]\n\n"
        "Lists jobs, oldest first: ID NAME STATE TASKS SITE SUBMITTED.\n\n"
        "Options:\n"
        "  --state STATE    only jobs in this state: pending, scheduled, dispatched, running,\n"
        "                   completed, failed, cancelled, preempted, lost\n"
        "  --limit N        at most N jobs (1 to 1000; default 100)\n"
        "  --all            every job (pages through the list); --json then prints\n"
        "                   {\"jobs\": [...]} with the jobs of all pages\n"
        "  --tenant T       only tenant T's jobs (admin tokens)\n"
        SW_CLIENT_OPTIONS_HELP
        "\nExit status: 0 listed, 1 server or network error, 2 usage.\n");
}

static int jobs_table(json_t *jobs, sw_error_t *err)
{
    struct sw_table t;
    sw_table_init(&t, 6, ">ID", "NAME", "STATE", ">TASKS", "SITE", "SUBMITTED");
    size_t i;
    json_t *j;
    json_array_foreach(jobs, i, j) {
        char id[32], tasks[32], site[256] = "", when[64];
        jtext(json_object_get(j, "id"), id, sizeof(id));
        jtext(json_object_get(j, "tasks"), tasks, sizeof(tasks));
        if (json_is_true(json_object_get(j, "gang")) &&
            json_integer_value(json_object_get(j, "tasks")) > 1)
            snprintf(tasks + strlen(tasks), sizeof(tasks) - strlen(tasks), " gang");
        size_t k;
        json_t *s;
        json_array_foreach(json_object_get(j, "sites"), k, s) {
            size_t l = strlen(site);
            if (json_is_string(s))
                snprintf(site + l, sizeof(site) - l, "%s%s", l ? "," : "", json_string_value(s));
        }
        sw_fmt_time(jstr(j, "submitted_at"), when, sizeof(when));
        sw_table_row(&t, id, jstr(j, "name"), jstr(j, "state"), tasks, site, when);
    }
    int rc = sw_table_print(&t, stdout);
    sw_table_free(&t);
    if (rc < 0)
        return sw_errprintf(err, "writing the table: %s", strerror(errno));
    return 0;
}

int sw_cmd_jobs(int argc, char **argv)
{
    enum { O_STATE = 256, O_LIMIT, O_ALL, O_TENANT };
    static const struct option opts[] = {
        {"state", required_argument, NULL, O_STATE},
        {"limit", required_argument, NULL, O_LIMIT},
        {"all", no_argument, NULL, O_ALL},
        {"tenant", required_argument, NULL, O_TENANT},
        SW_CLIENT_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    struct sw_client_opts co = {0};
    const char *state = NULL, *tenant = NULL;
    int64_t limit = 100;
    bool all = false;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (sw_client_take_option(c, optarg, &co))
            continue;
        switch (c) {
        case O_STATE: {
            enum sw_state st;
            if (sw_state_parse(optarg, &st) < 0)
                return sw_cli_usage_error("jobs", "--state: unknown state \"%s\" (pending, scheduled, "
                                   "dispatched, running, completed, failed, cancelled, "
                                   "preempted, lost)", optarg);
            state = optarg;
            break;
        }
        case O_LIMIT:
            if (sw_parse_i64(optarg, 1, 1000, &limit, "--limit", NULL) < 0)
                return sw_cli_usage_error("jobs", "--limit: \"%s\" is not a number from 1 to 1000",
                                   optarg);
            break;
        case O_ALL: all = true; break;
        case O_TENANT: tenant = optarg; break;
        case 'h': jobs_usage(stdout); return SW_EXIT_OK;
        default:
            return sw_cli_usage_error("jobs", "unknown or incomplete option \"%s\"", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return sw_cli_usage_error("jobs", "unexpected argument \"%s\" (to see one job: suanwang job ID)",
                           argv[optind]);
    sw_error_t err = {{0}};
    struct sw_client cl;
    int status = SW_EXIT_FAIL;
    json_t *jobs = json_array();
    bool more = false;
    if (sw_client_open(&cl, &co, &err) < 0)
        goto out_fail;
    for (int64_t after = 0;;) {
        char path[512];
        struct sw_client_resp r;
        int n = snprintf(path, sizeof(path), "/v1/jobs?limit=%" PRId64, all ? PAGE_ALL : limit);
        if (state)
            n += snprintf(path + n, sizeof(path) - (size_t)n, "&state=%s", state);
        if (tenant) {
            char *esc = sw_client_escape(&cl, tenant);
            n += snprintf(path + n, sizeof(path) - (size_t)n, "&tenant=%s", esc ? esc : "");
            free(esc);
        }
        if (after)
            snprintf(path + n, sizeof(path) - (size_t)n, "&after=%" PRId64, after);
        if (sw_client_call_ok(&cl, "GET", path, NULL, NULL, &r, &err) < 0)
            goto out_fail;
        if (co.json && !all) {
            status = sw_client_print_body(&r, stdout) < 0 ? SW_EXIT_FAIL : SW_EXIT_OK;
            sw_client_resp_free(&r);
            goto out_close;
        }
        json_array_extend(jobs, json_object_get(r.json, "jobs"));
        json_t *next = json_object_get(r.json, "next");
        more = json_is_integer(next);
        after = more ? json_integer_value(next) : 0;
        sw_client_resp_free(&r);
        if (!all || !more)
            break;
    }
    if (co.json) {
        json_t *o = json_pack("{s:O}", "jobs", jobs);
        char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
        json_decref(o);
        if (text)
            puts(text);
        status = text ? SW_EXIT_OK : SW_EXIT_FAIL;
        free(text);
        goto out_close;
    }
    if (jobs_table(jobs, &err) < 0)
        goto out_fail;
    if (more)
        fprintf(stderr, "(more jobs: --all for every one, or --limit N)\n");
    status = SW_EXIT_OK;
    goto out_close;
out_fail:
    status = fail("jobs", &err);
out_close:
    json_decref(jobs);
    sw_client_close(&cl);
    return status;
}

/* ---- suanwang job ID --------------------------------------------------------------- */

static void job_usage(FILE *f)
{
    fprintf(f,
        "usage: suanwang job ID [--json]\n\n"
        "One job in detail: its state and, while it waits, why; what it asked for; its\n"
        "tasks with site, accelerator and attempt; and its events.\n\n"
        "Options:\n"
        SW_CLIENT_OPTIONS_HELP
        "\nExit status: 0 shown, 1 no such job or server or network error, 2 usage.\n");
}

/* "8 cores, 32 GiB, 8 x A800|A100 (equivalents allowed)" from a spec. */
static void resources_text(const json_t *spec, char *out, size_t n)
{
    const json_t *res = json_object_get(spec, "resources");
    const json_t *cores = json_object_get(res, "cores");
    const json_t *gib = json_object_get(res, "mem_gib"), *mib = json_object_get(res, "mem_mib");
    const json_t *g = json_object_get(res, "gpus");
    size_t k = 0;
    int w = snprintf(out, n, "%" JSON_INTEGER_FORMAT " core%s",
                     cores ? json_integer_value(cores) : 1,
                     cores && json_integer_value(cores) != 1 ? "s" : "");
    k = w > 0 ? (size_t)w : 0;
    if (gib && k < n)
        k += (size_t)snprintf(out + k, n - k, ", %g GiB", json_number_value(gib));
    else if (mib && k < n)
        k += (size_t)snprintf(out + k, n - k, ", %" JSON_INTEGER_FORMAT " MiB",
                              json_integer_value(mib));
    if (!g || k >= n)
        return;
    const json_t *count = json_is_object(g) ? json_object_get(g, "count") : g;
    const json_t *tf = json_object_get(g, "compute_tflops");
    if (tf)
        k += (size_t)snprintf(out + k, n - k, ", %g TFLOPS of accelerators",
                              json_number_value(tf));
    else
        k += (size_t)snprintf(out + k, n - k, ", %g accelerator%s",
                              count ? json_number_value(count) : 1.0,
                              count && json_number_value(count) == 1.0 ? "" : "s");
    const json_t *models = json_object_get(g, "model");
    if (k < n && json_is_string(models))
        k += (size_t)snprintf(out + k, n - k, " (%s)", json_string_value(models));
    else if (k < n && json_is_array(models)) {
        size_t i;
        json_t *m;
        json_array_foreach(models, i, m) if (k < n) k += (size_t)snprintf(
            out + k, n - k, "%s%s", i ? "|" : " (", json_string_value(m));
        if (k < n)
            k += (size_t)snprintf(out + k, n - k, ")");
    }
    if (k < n && json_is_true(json_object_get(g, "equivalent")))
        snprintf(out + k, n - k, ", equivalents allowed");
}

static void print_field(const char *label, const char *value)
{
    if (value && value[0])
        printf("  %-12s %s\n", label, value);
}

static int print_job(const json_t *j)
{
    const json_t *spec = json_object_get(j, "spec");
    char buf[1024], when[64];
    bool tty = isatty(STDOUT_FILENO);
    jtext(json_object_get(j, "id"), buf, sizeof(buf));
    printf("Job %s  %s\n", buf, jstr(j, "name") ? jstr(j, "name") : "");
    printf("  %-12s %s%s%s\n", "state", tty ? "\033[1m" : "", jstr(j, "state"),
           tty ? "\033[0m" : "");
    if (jstr(j, "why"))
        printf("  %s%-12s %s%s\n", tty ? "\033[1;33m" : "", "WHY", jstr(j, "why"),
               tty ? "\033[0m" : "");
    print_field("tenant", jstr(j, "tenant"));
    sw_fmt_time(jstr(j, "submitted_at"), when, sizeof(when));
    print_field("submitted", when);
    int64_t tasks = json_integer_value(json_object_get(j, "tasks"));
    snprintf(buf, sizeof(buf), "%" PRId64 "%s", tasks,
             json_is_true(json_object_get(j, "gang")) && tasks > 1
                 ? " (gang: all start together at one site)"
                 : tasks > 1 ? " (array: independent)" : "");
    print_field("tasks", buf);
    resources_text(spec, buf, sizeof(buf));
    print_field("per task", buf);
    const json_t *wt = json_object_get(spec, "walltime");
    if (json_is_integer(wt)) {
        sw_fmt_duration(json_integer_value(wt), buf, sizeof(buf));
        print_field("walltime", buf);
    }
    snprintf(buf, sizeof(buf), "%s, objective %s", jstr(j, "qos") ? jstr(j, "qos") : "-",
             jstr(j, "objective") ? jstr(j, "objective") : "-");
    print_field("qos", buf);
    const json_t *near = json_object_get(spec, "near");
    if (json_is_object(near)) {
        snprintf(buf, sizeof(buf), "within %g ms of %s",
                 json_number_value(json_object_get(near, "max_ms")), jstr(near, "region"));
        print_field("near", buf);
    }
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(json_object_get(spec, "data"), "inputs"), i, v) {
        snprintf(buf, sizeof(buf), "%s, %" JSON_INTEGER_FORMAT " MB in %s", jstr(v, "name"),
                 json_integer_value(json_object_get(v, "size_mb")), jstr(v, "region"));
        print_field(i ? "" : "data", buf);
    }
    const json_t *cmd = json_object_get(spec, "command");
    if (json_is_array(cmd)) {
        size_t k = 0;
        buf[0] = '\0';
        json_array_foreach(cmd, i, v) if (k < sizeof(buf)) k += (size_t)snprintf(
            buf + k, sizeof(buf) - k, "%s%s", i ? " " : "", json_string_value(v));
        print_field("command", buf);
    } else if (jstr(spec, "script")) {
        const char *s = jstr(spec, "script");
        snprintf(buf, sizeof(buf), "%.*s... (%zu bytes)", (int)strcspn(s, "\n"), s, strlen(s));
        print_field("script", buf);
    }

    const json_t *units = json_object_get(j, "task_units");
    if (json_array_size(units)) {
        struct sw_table t;
        sw_table_init(&t, 8, "TASK", "STATE", "SITE", "REGION", "NODE-CLASS", "ACCELERATOR",
                      ">ATTEMPT", "SINCE");
        json_array_foreach(units, i, v) {
            char task[48], attempt[16], since[64];
            int64_t tk = json_integer_value(json_object_get(v, "task"));
            int64_t n = json_integer_value(json_object_get(v, "tasks"));
            if (tk < 0)
                snprintf(task, sizeof(task), "all %" PRId64 " (gang)", n);
            else
                snprintf(task, sizeof(task), "%" PRId64, tk);
            jtext(json_object_get(v, "attempt"), attempt, sizeof(attempt));
            sw_fmt_time(jstr(v, "since"), since, sizeof(since));
            sw_table_row(&t, task, jstr(v, "state"), jstr(v, "site"), jstr(v, "region"),
                         jstr(v, "node_class"), jstr(v, "accelerator"), attempt, since);
        }
        printf("\n");
        int rc = sw_table_print(&t, stdout);
        sw_table_free(&t);
        if (rc < 0)
            return -1;
    }
    const json_t *events = json_object_get(j, "events");
    size_t nev = json_array_size(events);
    if (nev) {
        struct sw_table t;
        sw_table_init(&t, 5, "TIME", "TASK", ">ATTEMPT", "EVENT", "DETAIL");
        size_t first = nev > EVENTS_SHOWN ? nev - EVENTS_SHOWN : 0;
        for (i = first; i < nev; i++) {
            v = json_array_get(events, i);
            char time_s[64], task[24], attempt[16], detail[512] = "";
            int64_t tk = json_integer_value(json_object_get(v, "task"));
            sw_fmt_time(jstr(v, "time"), time_s, sizeof(time_s));
            snprintf(task, sizeof(task), tk < 0 ? "all" : "%" PRId64, tk);
            if (json_object_get(v, "attempt"))
                jtext(json_object_get(v, "attempt"), attempt, sizeof(attempt));
            else
                attempt[0] = '\0';
            const json_t *d = json_object_get(v, "detail");
            if (json_is_object(d)) {
                const char *k;
                json_t *dv;
                size_t used = 0;
                json_object_foreach((json_t *)d, k, dv) {
                    char val[256];
                    jtext(dv, val, sizeof(val));
                    if (used < sizeof(detail))
                        used += (size_t)snprintf(detail + used, sizeof(detail) - used, "%s%s=%s",
                                                 used ? " " : "", k, val);
                }
            } else if (d) {
                jtext(d, detail, sizeof(detail));
            }
            sw_table_row(&t, time_s, task, attempt, jstr(v, "state"), detail);
        }
        printf("\n");
        if (first)
            printf("(%zu earlier events not shown; --json has them all)\n", first);
        int rc = sw_table_print(&t, stdout);
        sw_table_free(&t);
        if (rc < 0)
            return -1;
    }
    return 0;
}

int sw_cmd_job(int argc, char **argv)
{
    struct sw_client_opts co = {0};
    int prc = sw_client_parse_simple(argc, argv, "job", job_usage, &co);
    if (prc >= 0)
        return prc;
    if (optind + 1 != argc)
        return sw_cli_usage_error("job", "%s", optind == argc ? "give one job id: suanwang job ID"
                                                       : "one job id at a time");
    uint64_t id = 0;
    if (parse_id("job", argv[optind], &id) != 0)
        return SW_EXIT_USAGE;
    sw_error_t err = {{0}};
    struct sw_client cl;
    struct sw_client_resp r;
    char path[64];
    int status = SW_EXIT_FAIL;
    snprintf(path, sizeof(path), "/v1/jobs/%" PRIu64, id);
    if (sw_client_open(&cl, &co, &err) < 0 ||
        sw_client_call_ok(&cl, "GET", path, NULL, NULL, &r, &err) < 0) {
        status = fail("job", &err);
        goto out_close;
    }
    if (co.json)
        status = sw_client_print_body(&r, stdout) < 0 ? SW_EXIT_FAIL : SW_EXIT_OK;
    else
        status = print_job(r.json) < 0 ? SW_EXIT_FAIL : SW_EXIT_OK;
    sw_client_resp_free(&r);
out_close:
    sw_client_close(&cl);
    return status;
}

/* ---- suanwang cancel ID... ----------------------------------------------------------- */

static void cancel_usage(FILE *f)
{
    fprintf(f,
        "usage: suanwang cancel ID... [--json]\n\n"
        "Cancels jobs: pending work is dropped, running tasks are stopped (SIGTERM, then\n"
        "SIGKILL). A job that has already ended is left as it is.\n\n"
        "Options:\n"
        SW_CLIENT_OPTIONS_HELP
        "  (--json prints the server's answer for each job, one per line)\n"
        "\nExit status: 0 every job cancelled or already ended, 1 any error, 2 usage.\n");
}

int sw_cmd_cancel(int argc, char **argv)
{
    struct sw_client_opts co = {0};
    int prc = sw_client_parse_simple(argc, argv, "cancel", cancel_usage, &co);
    if (prc >= 0)
        return prc;
    if (optind == argc)
        return sw_cli_usage_error("cancel", "%s", "give the ids of the jobs to cancel");
    for (int i = optind; i < argc; i++) {
        uint64_t id;
        if (parse_id("cancel", argv[i], &id) != 0)
            return SW_EXIT_USAGE;
    }
    sw_error_t err = {{0}};
    struct sw_client cl;
    if (sw_client_open(&cl, &co, &err) < 0) {
        sw_client_close(&cl);
        return fail("cancel", &err);
    }
    int status = SW_EXIT_OK;
    for (int i = optind; i < argc; i++) {
        char path[64];
        struct sw_client_resp r;
        snprintf(path, sizeof(path), "/v1/jobs/%s", argv[i]);
        if (sw_client_call(&cl, "DELETE", path, NULL, NULL, &r, &err) < 0) {
            fprintf(stderr, "error: %s\n", err.text); /* no controller: the rest fail too */
            status = SW_EXIT_FAIL;
            break;
        }
        if (r.status < 200 || r.status >= 300) {
            sw_client_resp_error(&cl, &r, &err);
            fprintf(stderr, "error: job %s: %s\n", argv[i], err.text);
            sw_client_resp_free(&r);
            status = SW_EXIT_FAIL;
            continue;
        }
        const char *st = jstr(r.json, "state");
        if (co.json)
            sw_client_print_body(&r, stdout);
        else if (st && !strcmp(st, "cancelled"))
            printf("job %s: cancelled\n", argv[i]);
        else
            printf("job %s: %s (it had already ended)\n", argv[i], st ? st : "?");
        sw_client_resp_free(&r);
    }
    sw_client_close(&cl);
    return status;
}

/* ---- suanwang wait ID... ------------------------------------------------------------- */

static void wait_usage(FILE *f)
{
    fprintf(f,
        "usage: suanwang wait ID... [--timeout DURATION] [--json]\n\n"
        "Waits until every job has ended, polling the controller, and prints how each ended.\n\n"
        "Options:\n"
        "  --timeout DURATION   give up after this long: 90s, 10m, 2h (a bare number is\n"
        "                       minutes, as in Slurm); default: wait as long as it takes\n"
        SW_CLIENT_OPTIONS_HELP
        "  (--json prints each job's final JSON, one per line)\n"
        "\nExit status: 0 every job completed; 1 a job failed or was cancelled, or an error\n"
        "from the server or the network; 2 usage; 3 the timeout passed first.\n");
}

static bool is_terminal(const char *state)
{
    enum sw_state s;
    return state && sw_state_parse(state, &s) == 0 && sw_state_terminal(s);
}

int sw_cmd_wait(int argc, char **argv)
{
    enum { O_TIMEOUT = 256 };
    static const struct option opts[] = {
        {"timeout", required_argument, NULL, O_TIMEOUT},
        SW_CLIENT_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    struct sw_client_opts co = {0};
    int64_t timeout = -1;
    sw_error_t err = {{0}};
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (sw_client_take_option(c, optarg, &co))
            continue;
        switch (c) {
        case O_TIMEOUT:
            if (!strcmp(optarg, "0"))
                timeout = 0;
            else if (sw_duration_parse(optarg, &timeout, &err) < 0)
                return sw_cli_usage_error("wait", "--timeout: %s", err.text);
            break;
        case 'h': wait_usage(stdout); return SW_EXIT_OK;
        default:
            return sw_cli_usage_error("wait", "unknown or incomplete option \"%s\"", argv[optind - 1]);
        }
    }
    if (optind == argc)
        return sw_cli_usage_error("wait", "%s", "give the ids of the jobs to wait for");
    for (int i = optind; i < argc; i++) {
        uint64_t id;
        if (parse_id("wait", argv[i], &id) != 0)
            return SW_EXIT_USAGE;
    }
    struct sw_client cl;
    if (sw_client_open(&cl, &co, &err) < 0) {
        sw_client_close(&cl);
        return fail("wait", &err);
    }
    int status = SW_EXIT_OK;
    double start = now_s();
    bool warned = false;
    for (int i = optind; i < argc; i++) {
        char path[64];
        snprintf(path, sizeof(path), "/v1/jobs/%s", argv[i]);
        double pause = 0.1;
        bool first = true;
        for (;;) {
            struct sw_client_resp r;
            int rc = sw_client_call(&cl, "GET", path, NULL, NULL, &r, &err);
            if (rc < 0 && first) { /* no controller at all: say so at once */
                fprintf(stderr, "error: %s\n", err.text);
                sw_client_close(&cl);
                return SW_EXIT_FAIL;
            }
            if (rc < 0 && !warned) { /* it went away: it may come back (a restart) */
                fprintf(stderr, "warning: %s; still waiting\n", err.text);
                warned = true;
            }
            first = false;
            if (rc == 0 && (r.status < 200 || r.status >= 300)) {
                sw_client_resp_error(&cl, &r, &err);
                fprintf(stderr, "error: job %s: %s\n", argv[i], err.text);
                sw_client_resp_free(&r);
                status = SW_EXIT_FAIL;
                break;
            }
            char st_buf[32] = "";
            const char *st = rc == 0 ? jstr(r.json, "state") : NULL;
            snprintf(st_buf, sizeof(st_buf), "%s", st ? st : "unknown (no answer)");
            if (is_terminal(st)) {
                if (co.json)
                    sw_client_print_body(&r, stdout);
                else
                    printf("job %s: %s\n", argv[i], st);
                if (strcmp(st, "completed") != 0 && status == SW_EXIT_OK)
                    status = SW_EXIT_FAIL;
                sw_client_resp_free(&r);
                break;
            }
            sw_client_resp_free(&r);
            double left = timeout < 0 ? 1e9 : (double)timeout - (now_s() - start);
            if (left <= 0) {
                fprintf(stderr, "suanwang wait: timed out after %" PRId64 " s; job %s is %s\n",
                        timeout, argv[i], st_buf);
                sw_client_close(&cl);
                return EXIT_TIMEOUT;
            }
            sleep_s(pause < left ? pause : left);
            pause = pause * 1.5 > 2.0 ? 2.0 : pause * 1.5;
        }
    }
    sw_client_close(&cl);
    return status;
}
