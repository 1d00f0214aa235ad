/* cmd_logs.c — `suanwang logs ID [--task N] [--stderr] [--follow]`: print a
 * task's output as the controller has it (docs/cli.md#logs).
 *
 * It reads GET /v1/jobs/{id}/logs?task=&stream=&offset= (docs/agent-
 * protocol.md#users-logs) chunk by chunk from offset 0 until X-Log-Size;
 * with --follow it keeps polling until X-Log-Complete says the attempt
 * has ended and every byte has been printed. When a task is retried the
 * log is the new attempt's: the offset starts again at 0 and a line on
 * stderr says so.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/client.h"
#include "cli/commands.h"
#include "util/parse.h"

#define POLL_S 0.5

static void logs_usage(FILE *f)
{
    fprintf(f,
        "usage: suanwang logs ID [--task N] [--stderr] [--follow]\n\n"
        "Prints the standard output (or error) of a job's task, latest attempt, as the\n"
        "site's agent has shipped it to the controller so far.\n\n"
        "Options:\n"
        "  --task N     which task of an array (default 0; a gang has one log)\n"
        "  --stderr     standard error instead of standard output\n"
        "  -f, --follow keep printing new output until the task has ended\n"
        "  --server URL, --token TOKEN   as for every command (see suanwang jobs --help)\n"
        "  -h, --help   this help\n"
        "\nExit status: 0 printed; 1 no such job or task, or a server or network error;\n"
        "2 usage.\n");
}

static void pause_s(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
    }
}

int sw_cmd_logs(int argc, char **argv)
{
    enum { O_TASK = 256, O_STDERR };
    static const struct option opts[] = {
        {"task", required_argument, NULL, O_TASK},
        {"stderr", no_argument, NULL, O_STDERR},
        {"follow", no_argument, NULL, 'f'},
        SW_CLIENT_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    struct sw_client_opts co = {0};
    int64_t task = -1, id;
    bool follow = false, err_stream = false;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "hf", opts, NULL)) != -1) {
        if (sw_client_take_option(c, optarg, &co))
            continue;
        switch (c) {
        case O_TASK:
            if (sw_parse_i64(optarg, 0, INT64_MAX, &task, "--task", NULL) < 0) {
                fprintf(stderr, "suanwang logs: --task: \"%s\" is not a task index (0, 1, ...)\n",
                        optarg);
                return SW_EXIT_USAGE;
            }
            break;
        case O_STDERR: err_stream = true; break;
        case 'f': follow = true; break;
        case 'h': logs_usage(stdout); return SW_EXIT_OK;
        default:
            fprintf(stderr, "suanwang logs: unknown or incomplete option \"%s\"\n"
                            "Run 'suanwang logs --help' for the options.\n", argv[optind - 1]);
            return SW_EXIT_USAGE;
        }
    }
    if (co.json) {
        fprintf(stderr, "suanwang logs: --json does not apply: a log is printed as its bytes\n");
        return SW_EXIT_USAGE;
    }
    if (optind + 1 != argc || sw_parse_i64(argv[optind], 1, INT64_MAX, &id, "job id", NULL) < 0) {
        fprintf(stderr, "suanwang logs: give one job id: suanwang logs ID [--task N]\n");
        return SW_EXIT_USAGE;
    }
    sw_error_t err = {{0}};
    struct sw_client cl;
    int status = SW_EXIT_FAIL;
    if (sw_client_open(&cl, &co, &err) < 0) {
        fprintf(stderr, "error: %s\n", err.text);
        goto out_close;
    }
    int64_t offset = 0, attempt = -1;
    for (;;) {
        char path[160];
        int n = snprintf(path, sizeof(path), "/v1/jobs/%" PRId64 "/logs?stream=%s&offset=%" PRId64,
                         id, err_stream ? "stderr" : "stdout", offset);
        if (task >= 0)
            snprintf(path + n, sizeof(path) - (size_t)n, "&task=%" PRId64, task);
        struct sw_client_resp r;
        if (sw_client_call_ok(&cl, "GET", path, NULL, NULL, &r, &err) < 0) {
            fprintf(stderr, "error: %s\n", err.text);
            goto out_close;
        }
        if (r.log_attempt >= 0 && attempt >= 0 && r.log_attempt != attempt && offset > 0) {
            /* a retry: its log starts afresh */
            fflush(stdout);
            fprintf(stderr, "--- attempt %" PRId64 " (the task was retried) ---\n", r.log_attempt);
            attempt = r.log_attempt;
            offset = 0;
            sw_client_resp_free(&r);
            continue;
        }
        if (r.log_attempt >= 0)
            attempt = r.log_attempt;
        if (r.len && fwrite(r.body, 1, r.len, stdout) != r.len) {
            fprintf(stderr, "error: writing the log: %s\n", strerror(errno));
            sw_client_resp_free(&r);
            goto out_close;
        }
        offset += (int64_t)r.len;
        bool more = r.len > 0 && r.log_size > offset, complete = r.log_complete;
        sw_client_resp_free(&r);
        if (more)
            continue;
        if (!follow || complete)
            break;
        fflush(stdout);
        pause_s(POLL_S);
    }
    status = SW_EXIT_OK;
out_close:
    sw_client_close(&cl);
    return status;
}
