/* cmd_sim.c — `suanwang sim`: load a trace, replay it through the
 * scheduling core, print a summary (or one JSON object with --json) and
 * optionally write a report directory. The CLI is a shell around the
 * libraries: the only place here that reads the clock is the timing line.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/commands.h"
#include "sim/report.h"
#include "sim/sim.h"
#include "trace/pyss.h"
#include "trace/swf.h"
#include "util/parse.h"

#include "cli/sim_args.h"

static void sim_usage(FILE *f)
{
    fprintf(f,
        "usage: suanwang sim --trace FILE[.gz] [options]\n\n"
        "Replay a workload trace through the scheduling core and report wait,\n"
        "bounded slowdown, utilization and makespan.\n\n"
        "Options:\n"
        "  --trace FILE         workload: Standard Workload Format (.swf, .swf.gz);\n"
        "                       with --network: JSON lines of jobs (docs/jobs.md)\n"
        "  --format NAME        swf | pyss (pyss test cases); with --network: jsonl\n"
        "                       (default), itp (Microsoft ITP csv), alibaba (pods csv)\n"
        "  --network NET.json   simulate a compute network of sites (docs/network.md)\n"
        "  --what-if SPEC       with --network: run again with the network changed, e.g.\n"
        "                       \"add shaoguan-ai: 2000 x Ascend910B\" or\n"
        "                       \"bandwidth guangzhou-shaoguan x2\"; show both side by side\n"
        "  --compare NET2.json  with --network: run again on a second network file\n"
        "  --origin REGION      GPU traces: the region the jobs' users and data are in\n"
        "  --data-gb N          GPU traces: input data per job, lying in --origin\n"
        "  --policy NAME        fcfs | sjf | easy | conservative (default fcfs)\n"
        "  --order NAME         queue order for any policy: submit | estimate |\n"
        "                       priority (multifactor: age, fair share, size)\n"
        "  --priority-weights A,F,S  weights of age, fair share, size (1000,1000,1000)\n"
        "  --favor-small        the size factor favours small jobs\n"
        "  --procs N            machine size (default: header MaxProcs, MaxNodes,\n"
        "                       else the largest job)\n"
        "  --first N            simulate only the first N jobs after filtering\n"
        "  --strict             stop at the first malformed line (default: skip it,\n"
        "                       count it and warn)\n"
        "  --json               print exactly one JSON object with the metrics\n"
        "  --report DIR         write DIR/metrics.json, DIR/jobs.csv, DIR/index.html\n"
        "  --quiet              no progress line\n"
        "  -h, --help           this help\n\n"
        "Example:\n"
        "  suanwang sim --trace ../shared/traces/swf/KTH-SP2-1996-2.1-cln.swf \\\n"
        "      --policy easy --report out/kth-easy\n");
}

static int parse_weights(const char *s, struct sw_priority_config *p, sw_error_t *err)
{
    char buf[128];
    snprintf(buf, sizeof(buf), "%s", s);
    double *dst[3] = {&p->w_age, &p->w_fairshare, &p->w_size};
    char *save = NULL;
    char *tok = strtok_r(buf, ",", &save);
    for (int i = 0; i < 3; i++, tok = strtok_r(NULL, ",", &save)) {
        if (!tok || sw_parse_double(tok, dst[i], "--priority-weights", err) < 0)
            return sw_errprintf(err, "--priority-weights: expected three non-negative "
                                     "numbers A,F,S (age, fair share, size), got \"%s\"", s);
    }
    if (tok)
        return sw_errprintf(err, "--priority-weights: expected three numbers, got \"%s\"", s);
    return 0;
}

/* Parse argv into *a. Returns -1 on a usage error (message printed), 1 for
 * --help, 0 to go on. */
static int sim_parse_args(int argc, char **argv, struct sim_args *a)
{
    enum { O_TRACE = 256, O_FORMAT, O_POLICY, O_ORDER, O_WEIGHTS, O_SMALL, O_PROCS,
           O_FIRST, O_STRICT, O_JSON, O_REPORT, O_QUIET, O_NETWORK, O_WHATIF, O_COMPARE,
           O_ORIGIN, O_DATAGB };
    static const struct option opts[] = {
        {"trace", required_argument, NULL, O_TRACE},
        {"format", required_argument, NULL, O_FORMAT},
        {"policy", required_argument, NULL, O_POLICY},
        {"order", required_argument, NULL, O_ORDER},
        {"priority-weights", required_argument, NULL, O_WEIGHTS},
        {"favor-small", no_argument, NULL, O_SMALL},
        {"procs", required_argument, NULL, O_PROCS},
        {"first", required_argument, NULL, O_FIRST},
        {"strict", no_argument, NULL, O_STRICT},
        {"json", no_argument, NULL, O_JSON},
        {"report", required_argument, NULL, O_REPORT},
        {"quiet", no_argument, NULL, O_QUIET},
        {"network", required_argument, NULL, O_NETWORK},
        {"what-if", required_argument, NULL, O_WHATIF},
        {"compare", required_argument, NULL, O_COMPARE},
        {"origin", required_argument, NULL, O_ORIGIN},
        {"data-gb", required_argument, NULL, O_DATAGB},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    sw_error_t err = {{0}};
    const char *order = NULL;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        int rc = 0;
        switch (c) {
        case O_TRACE: a->trace = optarg; break;
        case O_FORMAT: a->format = optarg; a->format_given = true; break;
        case O_POLICY:
            rc = sw_sched_parse_policy(optarg, &a->sched.policy, &a->sched.order, &err);
            a->policy_given = true;
            break;
        case O_NETWORK: a->network = optarg; break;
        case O_WHATIF: a->whatif = optarg; break;
        case O_COMPARE: a->compare = optarg; break;
        case O_ORIGIN: a->origin = optarg; break;
        case O_DATAGB: rc = sw_parse_double(optarg, &a->data_gb, "--data-gb", &err); break;
        case O_ORDER: order = optarg; break;
        case O_WEIGHTS: rc = parse_weights(optarg, &a->sched.prio, &err); break;
        case O_SMALL: a->sched.prio.favor_small = true; break;
        case O_PROCS: rc = sw_parse_i64(optarg, 1, INT32_MAX, &a->procs, "--procs", &err); break;
        case O_FIRST: rc = sw_parse_i64(optarg, 1, INT64_MAX, &a->first, "--first", &err); break;
        case O_STRICT: a->strict = true; break;
        case O_JSON: a->json = true; break;
        case O_REPORT: a->report = optarg; break;
        case O_QUIET: a->quiet = true; break;
        case 'h': sim_usage(stdout); return 1;
        default:
            if (optopt && optopt < 256)
                fprintf(stderr, "suanwang sim: unknown or incomplete option \"-%c\"\n"
                                "Run 'suanwang sim --help' for the options.\n", optopt);
            else
                fprintf(stderr, "suanwang sim: unknown or incomplete option \"%s\"\n"
                                "Run 'suanwang sim --help' for the options.\n", argv[optind - 1]);
            return -1;
        }
        if (rc < 0) {
            fprintf(stderr, "suanwang sim: %s\n", err.text);
            return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "suanwang sim: unexpected argument \"%s\"\n", argv[optind]);
        return -1;
    }
    if (order && sw_sched_parse_order(order, &a->sched.order, &err) < 0) {
        fprintf(stderr, "suanwang sim: %s\n", err.text);
        return -1;
    }
    if (!a->trace) {
        fprintf(stderr, "suanwang sim: --trace FILE is required\n"
                        "Run 'suanwang sim --help' for the options.\n");
        return -1;
    }
    if (a->network) {
        if (!a->format_given)
            a->format = "jsonl";
        if (strcmp(a->format, "jsonl") && strcmp(a->format, "itp") && strcmp(a->format, "alibaba")) {
            fprintf(stderr, "suanwang sim: with --network, --format must be jsonl, itp or "
                            "alibaba, not \"%s\"\n", a->format);
            return -1;
        }
        if (a->whatif && a->compare) {
            fprintf(stderr, "suanwang sim: give --what-if or --compare, not both\n");
            return -1;
        }
        return 0;
    }
    if (a->whatif || a->compare || a->origin) {
        fprintf(stderr, "suanwang sim: --what-if, --compare and --origin need --network NET.json\n");
        return -1;
    }
    if (strcmp(a->format, "swf") != 0 && strcmp(a->format, "pyss") != 0) {
        fprintf(stderr, "suanwang sim: --format must be swf or pyss, not \"%s\"\n", a->format);
        return -1;
    }
    return 0;
}

/* ---- progress and warnings ------------------------------------------- */

struct progress {
    bool on;
    int shown;
    size_t warnings;
};

static void on_warn(void *arg, const char *msg)
{
    struct progress *p = arg;
    if (p->warnings++ < 10)
        fprintf(stderr, "suanwang sim: warning: %s\n", msg);
    else if (p->warnings == 11)
        fprintf(stderr, "suanwang sim: warning: more malformed lines; counting them only\n");
}

static void on_load_progress(void *arg, uint64_t done, uint64_t total)
{
    struct progress *p = arg;
    if (p->on && total)
        fprintf(stderr, "\rloading  %3d%%", (int)(done * 100 / total));
}

static void on_sim_progress(void *arg, size_t done, size_t total)
{
    struct progress *p = arg;
    if (p->on && total)
        fprintf(stderr, "\rsimulating %3d%% (%zu of %zu jobs started)", (int)(done * 100 / total),
                done, total);
    p->shown = 1;
}

static void progress_end(struct progress *p)
{
    if (p->on)
        fprintf(stderr, "\r\033[K");
}

/* ---- output ------------------------------------------------------------ */

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static size_t checks_total(const struct sw_sim_checks *c)
{
    return c->overcommit + c->started_twice + c->never_started + c->reservation_late +
           c->reservation_moved_later;
}

static json_t *checks_json(const struct sw_sim_checks *c)
{
    return json_pack("{s:I,s:I,s:I,s:I,s:I,s:b}", "overcommit", (json_int_t)c->overcommit,
                     "started_twice", (json_int_t)c->started_twice, "never_started",
                     (json_int_t)c->never_started, "reservation_late",
                     (json_int_t)c->reservation_late, "reservation_moved_later",
                     (json_int_t)c->reservation_moved_later, "ok", checks_total(c) == 0);
}

static void print_human(const struct sw_sim_result *r, const struct sw_sim_checks *c,
                        double load_s, double sim_s)
{
    const struct sw_sim_metrics *m = &r->metrics;
    size_t skipped = r->skipped.runtime + r->skipped.procs + r->skipped.submit +
                     r->skipped.too_big + r->skipped.estimate + r->skipped.malformed;
    printf("trace        %s\n", r->trace);
    printf("machine      %lld processors (%s)\n", (long long)m->procs, r->machine_source);
    printf("policy       %s, queue order %s\n", r->policy, r->order);
    printf("jobs         %zu simulated, %zu skipped", m->jobs, skipped);
    if (skipped)
        printf(" (runtime<=0 %zu, procs<=0 %zu, submit<0 %zu, too big %zu, estimate %zu, "
               "malformed %zu)",
               r->skipped.runtime, r->skipped.procs, r->skipped.submit, r->skipped.too_big,
               r->skipped.estimate, r->skipped.malformed);
    printf("\n");
    printf("wait         mean %.1f s, median %.0f s, p95 %.0f s, max %lld s\n", m->mean_wait_s,
           m->median_wait_s, m->p95_wait_s, (long long)m->max_wait_s);
    printf("slowdown     mean bounded %.3f, max %.1f\n", m->mean_bounded_slowdown,
           m->max_bounded_slowdown);
    printf("utilization  %.2f%%\n", m->utilization * 100.0);
    printf("makespan     %lld s (%.1f days)\n", (long long)m->makespan_s,
           (double)m->makespan_s / 86400.0);
    printf("max queue    %zu jobs\n", m->max_queued);
    if (checks_total(c) == 0)
        printf("checks       ok: no overcommit, every job started once, no reservation "
               "delayed\n");
    else
        printf("checks       FAILED: overcommit %zu, started twice %zu, never started %zu, "
               "reservation late %zu, moved later %zu\n",
               c->overcommit, c->started_twice, c->never_started, c->reservation_late,
               c->reservation_moved_later);
    printf("time         loaded in %.3f s, simulated in %.3f s (%.0f jobs/s)\n", load_s, sim_s,
           sim_s > 0 ? (double)m->jobs / sim_s : 0.0);
}

static int load_trace(const struct sim_args *a, struct progress *p, struct sw_trace *t,
                      sw_error_t *err)
{
    if (!strcmp(a->format, "pyss")) {
        if (sw_pyss_read(a->trace, a->procs, t, err) < 0)
            return -1;
        if (a->first > 0)
            sw_trace_truncate(t, (size_t)a->first);
        return 0;
    }
    struct sw_swf_options o = {
        .strict = a->strict,
        .procs = a->procs,
        .first = (size_t)a->first,
        .warn = on_warn,
        .warn_arg = p,
        .progress = on_load_progress,
        .progress_arg = p,
    };
    return sw_swf_read(a->trace, &o, t, err);
}

int sw_cmd_sim(int argc, char **argv)
{
    struct sim_args a = {.format = "swf", .sched = sw_sched_config_defaults()};
    int prc = sim_parse_args(argc, argv, &a);
    if (prc != 0)
        return prc > 0 ? SW_EXIT_OK : SW_EXIT_USAGE;
    if (a.network)
        return sw_cmd_sim_network(&a);

    struct progress prog = {.on = !a.quiet && !a.json && isatty(STDERR_FILENO)};
    struct sw_trace trace = {0};
    struct sw_sim_result result = {0};
    struct sw_sim_checks checks;
    sw_error_t err = {{0}};
    int status = SW_EXIT_FAIL;
    struct timespec t0;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = load_trace(&a, &prog, &trace, &err);
    progress_end(&prog);
    if (rc < 0) {
        fprintf(stderr, "suanwang sim: %s\n", err.text);
        return SW_EXIT_FAIL;
    }
    double load_s = seconds_since(&t0);
    if (trace.njobs == 0 && trace.machine_procs <= 0) {
        fprintf(stderr, "suanwang sim: %s: no jobs and no MaxProcs/MaxNodes header: nothing to "
                        "simulate (give --procs N to set the machine size)\n", a.trace);
        sw_trace_free(&trace);
        return SW_EXIT_FAIL;
    }

    struct sw_sim_options so = {
        .sched = a.sched,
        .progress = on_sim_progress,
        .progress_arg = &prog,
    };
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rc = sw_sim_run(&trace, &so, &result, &checks, &err);
    progress_end(&prog);
    double sim_s = seconds_since(&t0);
    if (rc < 0) {
        fprintf(stderr, "suanwang sim: %s\n", err.text);
        goto out_free;
    }
    const char *base = strrchr(a.trace, '/');
    snprintf(result.trace, sizeof(result.trace), "%s", base ? base + 1 : a.trace);

    if (a.report && sw_report_write_dir(&result, a.report, &err) < 0) {
        fprintf(stderr, "suanwang sim: %s\n", err.text);
        goto out_free;
    }
    if (a.json) {
        json_t *o = sw_report_metrics_json(&result);
        if (!o || json_object_set_new(o, "checks", checks_json(&checks)) < 0) {
            json_decref(o);
            fprintf(stderr, "suanwang sim: out of memory writing JSON\n");
            goto out_free;
        }
        json_object_set_new(o, "sim_seconds", json_real(sim_s));
        json_dumpf(o, stdout, JSON_COMPACT);
        fputc('\n', stdout);
        json_decref(o);
    } else {
        print_human(&result, &checks, load_s, sim_s);
        if (a.report)
            printf("report       %s/index.html\n", a.report);
    }
    if (fflush(stdout) != 0) {
        perror("suanwang sim: writing output");
        goto out_free;
    }
    status = checks_total(&checks) == 0 ? SW_EXIT_OK : SW_EXIT_FAIL;
out_free:
    sw_sim_result_free(&result);
    sw_trace_free(&trace);
    return status;
}
