/* cmd_server.c — `suanwang server`: start the controller and serve until
 * SIGTERM or SIGINT, then shut down gracefully (requests and durable writes
 * in flight finish first).
 */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "server/controller.h"
#include "util/parse.h"

static void server_usage(FILE *f)
{
    fprintf(f,
        "usage: suanwang server [--listen HOST:PORT] --data DIR [--store URL]\n"
        "                       [--network NET.json]\n\n"
        "The controller: HTTP/JSON API under /v1, durable state in DIR/suanwang.db\n"
        "(SQLite, WAL, every acknowledged change fsync'd) or in PostgreSQL (--store),\n"
        "the scheduling loop, Prometheus metrics at /metrics. On first start it\n"
        "creates an admin token in DIR/admin.token (mode 0600).\n\n"
        "Options:\n"
        "  --listen HOST:PORT   address to serve (default 127.0.0.1:8080; port 0 picks one)\n"
        "  --data DIR           state directory (created if missing): admin.token, and\n"
        "                       suanwang.db unless --store says otherwise\n"
        "  --store URL          keep the durable state in PostgreSQL instead:\n"
        "                       postgresql://USER@HOST:PORT/DATABASE[?PARAM=VALUE...]\n"
        "                       (libpq's URI; the database must exist and belong to USER,\n"
        "                       the tables are created; give the password in ~/.pgpass or\n"
        "                       PGPASSWORD rather than here, where ps shows it). One\n"
        "                       controller per database. See docs/store.md\n"
        "  --network NET.json   the compute network (default: this machine as one site)\n"
        "  --policy NAME        per node class: fcfs | sjf | easy | conservative (easy)\n"
        "  --heartbeat-timeout S  an agent silent this long has its work marked lost and\n"
        "                       retried elsewhere (default 30)\n"
        "  --quiet              no start-up lines\n"
        "  -h, --help           this help\n");
}

int sw_cmd_server(int argc, char **argv)
{
    enum { O_LISTEN = 256, O_DATA, O_STORE, O_NETWORK, O_POLICY, O_QUIET, O_HBT };
    static const struct option opts[] = {
        {"listen", required_argument, NULL, O_LISTEN},
        {"data", required_argument, NULL, O_DATA},
        {"store", required_argument, NULL, O_STORE},
        {"network", required_argument, NULL, O_NETWORK},
        {"policy", required_argument, NULL, O_POLICY},
        {"quiet", no_argument, NULL, O_QUIET},
        {"heartbeat-timeout", required_argument, NULL, O_HBT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct sw_controller_config cfg = {.listen = "127.0.0.1:8080", .policy = SW_POLICY_EASY};
    enum sw_order order;
    sw_error_t err = {{0}};
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case O_LISTEN: cfg.listen = optarg; break;
        case O_DATA: cfg.data_dir = optarg; break;
        case O_STORE: cfg.store = optarg; break;
        case O_NETWORK: cfg.network = optarg; break;
        case O_QUIET: cfg.quiet = true; break;
        case O_HBT:
            if (sw_parse_i64(optarg, 1, 86400, &cfg.heartbeat_timeout_s, "--heartbeat-timeout",
                             &err) < 0) {
                fprintf(stderr, "suanwang server: %s\n", err.text);
                return SW_EXIT_USAGE;
            }
            break;
        case O_POLICY:
            if (sw_sched_parse_policy(optarg, &cfg.policy, &order, &err) < 0) {
                fprintf(stderr, "suanwang server: %s\n", err.text);
                return SW_EXIT_USAGE;
            }
            break;
        case 'h': server_usage(stdout); return SW_EXIT_OK;
        default:
            fprintf(stderr, "suanwang server: unknown or incomplete option \"%s\"\n"
                            "Run 'suanwang server --help' for the options.\n", argv[optind - 1]);
            return SW_EXIT_USAGE;
        }
    }
    if (!cfg.data_dir) {
        fprintf(stderr, "suanwang server: --data DIR is required (where the state is kept)\n");
        return SW_EXIT_USAGE;
    }
    /* signals are taken synchronously by this thread only */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct sw_controller *ctl = sw_controller_start(&cfg, &err);
    if (!ctl) {
        fprintf(stderr, "suanwang server: %s\n", err.text);
        return SW_EXIT_FAIL;
    }
    if (!cfg.quiet) {
        printf("suanwang server: listening on http://%.*s:%u (data in %s, state in %s)\n",
               (int)(strrchr(cfg.listen, ':') - cfg.listen), cfg.listen,
               (unsigned)sw_controller_port(ctl), cfg.data_dir, sw_controller_store(ctl));
        fflush(stdout);
    }
    int sig = 0;
    sigwait(&set, &sig);
    if (!cfg.quiet)
        printf("suanwang server: %s: shutting down\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    sw_controller_stop(ctl);
    return SW_EXIT_OK;
}
