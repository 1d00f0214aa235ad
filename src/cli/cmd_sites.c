/* cmd_sites.c — the network as the CLI shows it (docs/cli.md): `suanwang
 * sites` (a table of the compute centres with capacity, use and queue) and
 * `suanwang top` (a live view: utilization bars per site and the queue,
 * redrawn every 2 s; q or Ctrl-C quits; --once draws one frame).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cli/client.h"
#include "cli/commands.h"
#include "cli/table.h"
#include "util/strbuf.h"

#define TOP_INTERVAL_S 2
#define TOP_QUEUE_ROWS 15
#define BAR_WIDTH 20

/* What one site adds up to over its node classes. */
struct site_sum {
    double pflops, pflops_used;
    int64_t cores, cores_used, accels, queued;
    double accels_used;
    char models[256];
};

static void sum_site(const json_t *site, struct site_sum *s)
{
    memset(s, 0, sizeof(*s));
    size_t i;
    json_t *nc;
    json_array_foreach(json_object_get(site, "node_classes"), i, nc) {
        s->pflops += json_number_value(json_object_get(nc, "pflops"));
        s->pflops_used += json_number_value(json_object_get(nc, "pflops_in_use"));
        s->cores += json_integer_value(json_object_get(nc, "cores"));
        s->cores_used += json_integer_value(json_object_get(nc, "cores_in_use"));
        s->queued += json_integer_value(json_object_get(nc, "queued"));
        int64_t a = json_integer_value(json_object_get(nc, "accelerators"));
        s->accels += a;
        s->accels_used += json_number_value(json_object_get(nc, "accelerators_in_use"));
        const char *m = json_string_value(json_object_get(nc, "accelerator"));
        if (m && a) {
            size_t l = strlen(s->models);
            snprintf(s->models + l, sizeof(s->models) - l, "%s%s×%" PRId64, l ? ", " : "", m, a);
        }
    }
}

static const char *agent_text(const json_t *site)
{
    const json_t *a = json_object_get(site, "agent");
    if (!json_is_object(a))
        return NULL;
    return json_is_true(json_object_get(a, "up")) ? "up" : "down";
}

/* ---- suanwang sites ------------------------------------------------------------------ */

static void sites_usage(FILE *f)
{
    fprintf(f,
        "usage: suanwang sites [--json]\n\n"
        "The compute centres of the network: SITE REGION KIND P IN-USE CORES GPUS QUEUED\n"
        "AGENT ACCELERATORS. P is the site's dense FP16 capacity in PFLOPS and IN-USE the\n"
        "part in use; CORES and GPUS are in use / total; QUEUED counts the task units\n"
        "waiting there; AGENT is whether the site's agent is connected.\n\n"
        "Options:\n"
        SW_CLIENT_OPTIONS_HELP
        "\nExit status: 0 listed, 1 server or network error, 2 usage.\n");
}

static int sites_table(const json_t *sites)
{
    struct sw_table t;
    sw_table_init(&t, 10, "SITE", "REGION", "KIND", ">P", ">IN-USE", ">CORES", ">GPUS",
                  ">QUEUED", "AGENT", "ACCELERATORS");
    size_t i;
    json_t *s;
    json_array_foreach(sites, i, s) {
        struct site_sum sum;
        sum_site(s, &sum);
        char p[32], inuse[48], cores[48], gpus[48], queued[24];
        snprintf(p, sizeof(p), "%.2f", sum.pflops);
        if (sum.pflops > 0)
            snprintf(inuse, sizeof(inuse), "%.2f (%.0f%%)", sum.pflops_used,
                     100.0 * sum.pflops_used / sum.pflops);
        else
            snprintf(inuse, sizeof(inuse), "-");
        snprintf(cores, sizeof(cores), "%" PRId64 "/%" PRId64, sum.cores_used, sum.cores);
        if (sum.accels)
            snprintf(gpus, sizeof(gpus), "%g/%" PRId64, sum.accels_used, sum.accels);
        else
            snprintf(gpus, sizeof(gpus), "-");
        snprintf(queued, sizeof(queued), "%" PRId64, sum.queued);
        sw_table_row(&t, json_string_value(json_object_get(s, "name")),
                     json_string_value(json_object_get(s, "region")),
                     json_string_value(json_object_get(s, "kind")), p, inuse, cores, gpus, queued,
                     agent_text(s), sum.models);
    }
    int rc = sw_table_print(&t, stdout);
    sw_table_free(&t);
    return rc;
}

int sw_cmd_sites(int argc, char **argv)
{
    struct sw_client_opts co = {0};
    int prc = sw_client_parse_simple(argc, argv, "sites", sites_usage, &co);
    if (prc >= 0)
        return prc;
    if (optind < argc)
        return sw_cli_usage_error("sites", "unexpected argument %s", argv[optind]);
    sw_error_t err = {{0}};
    struct sw_client cl;
    struct sw_client_resp r;
    int status = SW_EXIT_FAIL;
    if (sw_client_open(&cl, &co, &err) < 0 ||
        sw_client_call_ok(&cl, "GET", "/v1/sites", NULL, NULL, &r, &err) < 0) {
        fprintf(stderr, "error: %s\n", err.text);
        goto out_close;
    }
    if (co.json)
        status = sw_client_print_body(&r, stdout) < 0 ? SW_EXIT_FAIL : SW_EXIT_OK;
    else
        status = sites_table(json_object_get(r.json, "sites")) < 0 ? SW_EXIT_FAIL : SW_EXIT_OK;
    sw_client_resp_free(&r);
out_close:
    sw_client_close(&cl);
    return status;
}

/* ---- suanwang top ------------------------------------------------------------------- */

static void top_usage(FILE *f)
{
    fprintf(f,
        "usage: suanwang top [--once]\n\n"
        "A live view of the network: each site's cores and accelerators in use, as bars,\n"
        "and the queue (running and waiting jobs), redrawn every %d s. q or Ctrl-C quits.\n\n"
        "Options:\n"
        "  --once           draw one frame and exit (for scripts and tests)\n"
        "  --server URL, --token TOKEN   as for every command\n"
        "  -h, --help       this help\n"
        "\nExit status: 0, 1 when --once could not reach the controller, 2 usage.\n",
        TOP_INTERVAL_S);
}

static void bar(struct sw_strbuf *sb, double used, double total)
{
    double f = total > 0 ? used / total : 0;
    if (f > 1)
        f = 1;
    int full = (int)(f * BAR_WIDTH + 0.5);
    sw_strbuf_puts(sb, "[");
    for (int i = 0; i < BAR_WIDTH; i++)
        sw_strbuf_puts(sb, i < full ? "#" : ".");
    sw_strbuf_printf(sb, "] %3.0f%%", 100 * f);
}

/* Pad `s` to `w` display columns. */
static void padded(struct sw_strbuf *sb, const char *s, size_t w)
{
    size_t d = sw_display_width(s ? s : "-");
    sw_strbuf_puts(sb, s ? s : "-");
    for (; d < w; d++)
        sw_strbuf_puts(sb, " ");
}

/* Running and waiting jobs, oldest first within each state. */
static int fetch_queue(struct sw_client *cl, json_t *jobs, int *more, sw_error_t *err)
{
    static const char *const states[] = {"running", "dispatched", "scheduled", "pending"};
    *more = 0;
    for (size_t k = 0; k < sizeof(states) / sizeof(states[0]); k++) {
        char path[96];
        struct sw_client_resp r;
        snprintf(path, sizeof(path), "/v1/jobs?state=%s&limit=%d", states[k], TOP_QUEUE_ROWS);
        if (sw_client_call_ok(cl, "GET", path, NULL, NULL, &r, err) < 0)
            return -1;
        json_array_extend(jobs, json_object_get(r.json, "jobs"));
        if (json_object_get(r.json, "next"))
            *more = 1;
        sw_client_resp_free(&r);
    }
    return 0;
}

/* One frame of top into sb. Returns 0, or -1 with err (the frame then
 * holds the header and the error). */
static int top_frame(struct sw_client *cl, struct sw_strbuf *sb, sw_error_t *err)
{
    char when[64];
    time_t now = time(NULL);
    struct tm tm;
    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime_r(&now, &tm));
    sw_strbuf_printf(sb, "suanwang top — %s — %s   (q quits)\n\n", cl->server, when);
    struct sw_client_resp r;
    if (sw_client_call_ok(cl, "GET", "/v1/sites", NULL, NULL, &r, err) < 0) {
        sw_strbuf_printf(sb, "error: %s\n", err->text);
        return -1;
    }
    json_t *sites = json_object_get(r.json, "sites");
    double p = 0, pu = 0;
    int64_t cores = 0, cores_used = 0;
    size_t i;
    json_t *s;
    json_array_foreach(sites, i, s) {
        struct site_sum sum;
        sum_site(s, &sum);
        p += sum.pflops;
        pu += sum.pflops_used;
        cores += sum.cores;
        cores_used += sum.cores_used;
    }
    sw_strbuf_printf(sb, "network: %zu sites, %.2f P (FP16), %.2f P in use (%.0f%%); "
                         "%" PRId64 " of %" PRId64 " cores in use\n\n",
                     json_array_size(sites), p, pu, p > 0 ? 100 * pu / p : 0.0, cores_used,
                     cores);
    sw_strbuf_printf(sb, "%-12s %-11s %-6s %-39s %-39s %6s  %s\n", "SITE", "REGION", "KIND",
                     "CORES", "ACCELERATORS", "QUEUED", "AGENT");
    json_array_foreach(sites, i, s) {
        struct site_sum sum;
        sum_site(s, &sum);
        char num[48];
        padded(sb, json_string_value(json_object_get(s, "name")), 12);
        sw_strbuf_puts(sb, " ");
        padded(sb, json_string_value(json_object_get(s, "region")), 11);
        sw_strbuf_puts(sb, " ");
        padded(sb, json_string_value(json_object_get(s, "kind")), 6);
        sw_strbuf_puts(sb, " ");
        bar(sb, (double)sum.cores_used, (double)sum.cores);
        snprintf(num, sizeof(num), " %" PRId64 "/%" PRId64, sum.cores_used, sum.cores);
        padded(sb, num, 12);
        sw_strbuf_puts(sb, " ");
        if (sum.accels) {
            bar(sb, sum.accels_used, (double)sum.accels);
            snprintf(num, sizeof(num), " %g/%" PRId64, sum.accels_used, sum.accels);
            padded(sb, num, 12);
        } else {
            padded(sb, "-", 39);
        }
        sw_strbuf_printf(sb, " %6" PRId64 "  %s\n", sum.queued,
                         agent_text(s) ? agent_text(s) : "-");
    }
    sw_client_resp_free(&r);

    json_t *jobs = json_array();
    int more = 0;
    if (!jobs || fetch_queue(cl, jobs, &more, err) < 0) {
        sw_strbuf_printf(sb, "\nerror: %s\n", err->text);
        json_decref(jobs);
        return -1;
    }
    sw_strbuf_printf(sb, "\nQUEUE: %zu%s job%s running or waiting\n", json_array_size(jobs),
                     more ? "+" : "", json_array_size(jobs) == 1 ? "" : "s");
    if (json_array_size(jobs)) {
        sw_strbuf_printf(sb, "%8s  %-24s %-10s %6s  %-19s\n", "ID", "NAME", "STATE", "TASKS",
                         "SUBMITTED");
        json_t *j;
        json_array_foreach(jobs, i, j) {
            char when2[64], name[64];
            if (i >= 3 * TOP_QUEUE_ROWS)
                break;
            sw_fmt_time(json_string_value(json_object_get(j, "submitted_at")), when2,
                        sizeof(when2));
            snprintf(name, sizeof(name), "%s", json_string_value(json_object_get(j, "name")));
            sw_strbuf_printf(sb, "%8" JSON_INTEGER_FORMAT "  ",
                             json_integer_value(json_object_get(j, "id")));
            padded(sb, name, 24);
            sw_strbuf_printf(sb, " %-10s %6" JSON_INTEGER_FORMAT "  %s\n",
                             json_string_value(json_object_get(j, "state")),
                             json_integer_value(json_object_get(j, "tasks")), when2);
        }
    }
    json_decref(jobs);
    return 0;
}

static volatile sig_atomic_t top_stop;

static void on_signal(int sig)
{
    (void)sig;
    top_stop = 1;
}

int sw_cmd_top(int argc, char **argv)
{
    enum { O_ONCE = 256 };
    static const struct option opts[] = {
        {"once", no_argument, NULL, O_ONCE},
        SW_CLIENT_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    struct sw_client_opts co = {0};
    bool once = false;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (sw_client_take_option(c, optarg, &co))
            continue;
        if (c == O_ONCE)
            once = true;
        else if (c == 'h') {
            top_usage(stdout);
            return SW_EXIT_OK;
        } else
            return sw_cli_usage_error("top", "unknown or incomplete option \"%s\"", argv[optind - 1]);
    }
    if (optind < argc)
        return sw_cli_usage_error("top", "unexpected argument %s", argv[optind]);
    if (co.json)
        return sw_cli_usage_error("top", "--json does not apply: use suanwang sites --json "
                                         "and suanwang jobs --json");
    sw_error_t err = {{0}};
    struct sw_client cl;
    if (sw_client_open(&cl, &co, &err) < 0) {
        fprintf(stderr, "error: %s\n", err.text);
        sw_client_close(&cl);
        return SW_EXIT_FAIL;
    }
    int status = SW_EXIT_OK;
    if (once) {
        struct sw_strbuf sb = {0};
        if (top_frame(&cl, &sb, &err) < 0) {
            fprintf(stderr, "error: %s\n", err.text);
            status = SW_EXIT_FAIL;
        } else if (sb.len && fwrite(sb.data, 1, sb.len, stdout) != sb.len) {
            status = SW_EXIT_FAIL;
        }
        sw_strbuf_free(&sb);
        sw_client_close(&cl);
        return status;
    }

    /* live: keys without Enter, the alternate screen, restored on the way out */
    bool tty = isatty(STDIN_FILENO);
    struct termios saved, raw;
    if (tty && tcgetattr(STDIN_FILENO, &saved) == 0) {
        raw = saved;
        raw.c_lflag &= (tcflag_t) ~(ICANON | ECHO);
        raw.c_cc[VMIN] = 0;
        raw.c_cc[VTIME] = 0;
        tcsetattr(STDIN_FILENO, TCSANOW, &raw);
    } else {
        tty = false;
    }
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    fputs("\033[?1049h\033[?25l", stdout);
    while (!top_stop) {
        struct sw_strbuf sb = {0};
        sw_strbuf_puts(&sb, "\033[H\033[2J");
        top_frame(&cl, &sb, &err); /* an error is shown in the frame; the next try may work */
        if (sb.len)
            fwrite(sb.data, 1, sb.len, stdout);
        fflush(stdout);
        sw_strbuf_free(&sb);
        struct timeval tv = {TOP_INTERVAL_S, 0};
        fd_set fds;
        FD_ZERO(&fds);
        if (tty)
            FD_SET(STDIN_FILENO, &fds);
        int n = select(tty ? STDIN_FILENO + 1 : 0, &fds, NULL, NULL, &tv);
        if (n > 0 && FD_ISSET(STDIN_FILENO, &fds)) {
            char key[16];
            ssize_t got = read(STDIN_FILENO, key, sizeof(key));
            for (ssize_t k = 0; k < got; k++)
                if (key[k] == 'q' || key[k] == 'Q' || key[k] == 3 /* Ctrl-C */)
                    top_stop = 1;
        }
    }
    fputs("\033[?25h\033[?1049l", stdout);
    fflush(stdout);
    if (tty)
        tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    sw_client_close(&cl);
    return status;
}
