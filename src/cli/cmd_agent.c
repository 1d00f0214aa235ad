/* cmd_agent.c — `suanwang agent`: the site agent. Discovers what this
 * machine offers, registers with the controller, runs the assignments it
 * gets through its backend, and stops on SIGTERM or SIGINT (docs/agent.md).
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/agent.h"
#include "agent/backend_slurm.h"
#include "agent/client.h"
#include "agent/discover.h"
#include "cli/commands.h"
#include "util/parse.h"

#define MAX_DECLARED 32

static void agent_usage(FILE *f)
{
    fprintf(f,
        "usage: suanwang agent --server URL --site NAME --token TOKEN [options]\n\n"
        "The site agent: registers this machine's capacity with the controller, takes\n"
        "assignments (long-poll), runs them through its backend, and reports their state\n"
        "and logs. It keeps tasks running while the controller is unreachable and\n"
        "reconciles when it is back. SIGTERM or SIGINT stops it.\n\n"
        "Options:\n"
        "  --server URL           the controller (env SUANWANG_SERVER)\n"
        "  --site NAME            the site this agent serves (its token must be of it)\n"
        "  --token TOKEN          an agent token of the site (env SUANWANG_TOKEN)\n"
        "  --token-file FILE      read the token from FILE (keeps it out of `ps`)\n"
        "  --backend local|slurm  how tasks run (local: processes on this machine; slurm:\n"
        "                         jobs of this site's Slurm, see docs/slurm.md)\n"
        "  --slurm-partition P    --backend slurm: submit to partition P (and count only\n"
        "                         its nodes); --slurm-account A, --slurm-qos Q: the\n"
        "                         account and QoS of every job unless a map says otherwise\n"
        "  --slurm-account-map TENANT=ACCOUNT[,TENANT=ACCOUNT...]\n"
        "                         the Slurm account of each tenant's jobs (repeatable)\n"
        "  --slurm-qos-map CLASS=QOS[,CLASS=QOS...]\n"
        "                         the Slurm QoS of each QoS class (realtime, interactive,\n"
        "                         batch, spot) of suanwang's jobs (repeatable)\n"
        "  --work DIR             where attempts keep their files (default\n"
        "                         ./suanwang-agent-SITE)\n"
        "  --network NET.json     the network file: accelerators declared for the site\n"
        "                         are used when nvidia-smi finds none\n"
        "  --accelerators M:N     declare N accelerators of model M (repeatable); skips\n"
        "                         discovery\n"
        "  --discover auto|declared\n"
        "                         auto: nvidia-smi, else the network file (default);\n"
        "                         declared: never run nvidia-smi\n"
        "  --nvidia-smi PATH      the nvidia-smi to run (default: from $PATH)\n"
        "  --max-tasks N          run at most N units at once (default: no limit)\n"
        "  --run-as USER          when root, run tasks as USER (default nobody)\n"
        "  --kill-grace SECONDS   SIGTERM to SIGKILL at walltime or cancel (default 10)\n"
        "  --keep-tasks-on-exit   on SIGTERM, leave running tasks alone (default: kill\n"
        "                         and report them)\n"
        "  --connect-timeout S    how long to retry the first registration (default 30)\n"
        "  --poll-wait S          long-poll wait (default 20)\n"
        "  --show-capacity        print what would be registered (JSON) and exit\n"
        "  --quiet                no line per task\n"
        "  -h, --help             this help\n");
}

static int read_token_file(const char *path, char *out, size_t n, sw_error_t *err)
{
    FILE *f = fopen(path, "re");
    if (!f)
        return sw_errprintf(err, "--token-file %s: %s", path, strerror(errno));
    size_t got = fread(out, 1, n - 1, f);
    fclose(f);
    out[got] = '\0';
    out[strcspn(out, "\r\n")] = '\0';
    if (!out[0])
        return sw_errprintf(err, "--token-file %s: the file is empty", path);
    return 0;
}

static json_t *left_out_json(const struct sw_slurm_nodes_summary *sum)
{
    json_t *list = json_array();
    for (size_t i = 0; list && i < sum->nleft; i++)
        json_array_append_new(list, json_pack("{s:s,s:s}", "node", sum->left[i].node, "state",
                                              sum->left[i].state));
    return list;
}

static void print_capacity(const struct sw_capacity *cap, const char *site, const char *note,
                           const struct sw_slurm_nodes_summary *sum)
{
    json_t *acc = json_array();
    for (size_t i = 0; i < cap->ngroups; i++)
        json_array_append_new(acc, json_pack("{s:s,s:I,s:s}", "model", cap->groups[i].model,
                                             "count", (json_int_t)cap->groups[i].count,
                                             "source", cap->groups[i].source));
    json_t *devs = json_array();
    for (size_t i = 0; i < cap->ndevices; i++)
        json_array_append_new(devs, json_pack("{s:i,s:s,s:s,s:I}", "index",
                                              cap->devices[i].index, "model",
                                              cap->devices[i].model, "uuid",
                                              cap->devices[i].uuid, "mem_mib",
                                              (json_int_t)cap->devices[i].mem_mib));
    json_t *o = json_pack("{s:s,s:I,s:I,s:o,s:o}", "site", site ? site : "", "cores",
                          (json_int_t)cap->cores, "mem_mib", (json_int_t)cap->mem_mib,
                          "accelerators", acc, "devices", devs);
    json_object_set_new(o, "node_classes", sw_agent_node_classes_json(&cap->classes));
    if (sum) {
        json_object_set_new(o, "nodes_left_out", json_integer(sum->left_out));
        json_object_set_new(o, "left_out", left_out_json(sum));
    }
    if (note && *note)
        json_object_set_new(o, "note", json_string(note));
    char *text = json_dumps(o, JSON_INDENT(2));
    if (text)
        printf("%s\n", text);
    free(text);
    json_decref(o);
}

static void describe(const struct sw_capacity *cap, char *out, size_t n)
{
    int w = snprintf(out, n, "%lld cores, %lld MiB", (long long)cap->cores,
                     (long long)cap->mem_mib);
    for (size_t i = 0; i < cap->ngroups && w > 0 && (size_t)w < n; i++)
        w += snprintf(out + w, n - (size_t)w, "%s%lld %s (%s)", i ? ", " : ", accelerators: ",
                      (long long)cap->groups[i].count, cap->groups[i].model,
                      cap->groups[i].source);
}

/* One --slurm-account-map or --slurm-qos-map flag. */
static int add_map(struct sw_slurm_options *o, bool account, const char *text, sw_error_t *err)
{
    size_t *n = account ? &o->naccount_maps : &o->nqos_maps;
    if (*n >= SW_SLURM_MAPS_MAX) {
        errno = EINVAL;
        return sw_errprintf(err, "at most %d --slurm-%s-map flags (each may list several "
                                 "entries, comma-separated)", SW_SLURM_MAPS_MAX,
                            account ? "account" : "qos");
    }
    (account ? o->account_maps : o->qos_maps)[(*n)++] = text;
    return 0;
}

/* The capacity: discovery, or (--backend slurm) Slurm's nodes in service. */
static int find_capacity(const struct sw_discover_opts *dopts, bool is_slurm,
                         struct sw_capacity *cap, struct sw_slurm_nodes_summary *sum,
                         sw_error_t *note, sw_error_t *err)
{
    if (sw_discover(dopts, cap, note, err) < 0)
        return -1;
    if (!is_slurm)
        return 0;
    sw_slurm_known_models(cap->groups, cap->ngroups); /* the network file's spellings */
    return sw_slurm_capacity(cap, sum, err);
}

int sw_cmd_agent(int argc, char **argv)
{
    enum {
        O_SERVER = 256, O_SITE, O_TOKEN, O_TOKEN_FILE, O_BACKEND, O_WORK, O_NETWORK, O_ACCEL,
        O_DISCOVER, O_NVSMI, O_MAX, O_RUN_AS, O_GRACE, O_KEEP, O_CONNECT, O_POLL, O_SHOW,
        O_QUIET, O_SL_PART, O_SL_ACCT, O_SL_QOS, O_SL_AMAP, O_SL_QMAP,
    };
    static const struct option opts[] = {
        {"server", required_argument, NULL, O_SERVER},
        {"site", required_argument, NULL, O_SITE},
        {"token", required_argument, NULL, O_TOKEN},
        {"token-file", required_argument, NULL, O_TOKEN_FILE},
        {"backend", required_argument, NULL, O_BACKEND},
        {"work", required_argument, NULL, O_WORK},
        {"network", required_argument, NULL, O_NETWORK},
        {"accelerators", required_argument, NULL, O_ACCEL},
        {"discover", required_argument, NULL, O_DISCOVER},
        {"nvidia-smi", required_argument, NULL, O_NVSMI},
        {"max-tasks", required_argument, NULL, O_MAX},
        {"run-as", required_argument, NULL, O_RUN_AS},
        {"kill-grace", required_argument, NULL, O_GRACE},
        {"keep-tasks-on-exit", no_argument, NULL, O_KEEP},
        {"connect-timeout", required_argument, NULL, O_CONNECT},
        {"poll-wait", required_argument, NULL, O_POLL},
        {"show-capacity", no_argument, NULL, O_SHOW},
        {"quiet", no_argument, NULL, O_QUIET},
        {"slurm-partition", required_argument, NULL, O_SL_PART},
        {"slurm-account", required_argument, NULL, O_SL_ACCT},
        {"slurm-qos", required_argument, NULL, O_SL_QOS},
        {"slurm-account-map", required_argument, NULL, O_SL_AMAP},
        {"slurm-qos-map", required_argument, NULL, O_SL_QMAP},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct sw_agent_config cfg = {.backend = "local", .connect_timeout_s = 30};
    struct sw_discover_opts dopts = {.gpus = SW_DISCOVER_AUTO};
    struct sw_slurm_options slurm = {0};
    struct sw_accel_group declared[MAX_DECLARED];
    size_t ndeclared = 0;
    const char *token_file = NULL;
    bool keep = false, show = false;
    char token_buf[512];
    sw_error_t err = {{0}};
    int64_t v;
    double d;
    int c;
    optind = 1;
    opterr = 0;
    cfg.server = getenv("SUANWANG_SERVER");
    cfg.token = getenv("SUANWANG_TOKEN");
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case O_SERVER: cfg.server = optarg; break;
        case O_SITE: cfg.site = optarg; break;
        case O_TOKEN: cfg.token = optarg; break;
        case O_TOKEN_FILE: token_file = optarg; break;
        case O_BACKEND: cfg.backend = optarg; break;
        case O_SL_PART: slurm.partition = optarg; break;
        case O_SL_ACCT: slurm.account = optarg; break;
        case O_SL_QOS: slurm.qos = optarg; break;
        case O_SL_AMAP:
        case O_SL_QMAP:
            if (add_map(&slurm, c == O_SL_AMAP, optarg, &err) < 0)
                goto usage_error;
            break;
        case O_WORK: cfg.work_dir = optarg; break;
        case O_NETWORK: dopts.network_path = optarg; break;
        case O_NVSMI: dopts.nvidia_smi = optarg; break;
        case O_RUN_AS: cfg.run_as = optarg; break;
        case O_KEEP: keep = true; break;
        case O_SHOW: show = true; break;
        case O_QUIET: cfg.quiet = true; break;
        case O_ACCEL:
            if (ndeclared >= MAX_DECLARED) {
                fprintf(stderr, "suanwang agent: at most %d --accelerators\n", MAX_DECLARED);
                return SW_EXIT_USAGE;
            }
            if (sw_discover_parse_declared(optarg, &declared[ndeclared], &err) < 0)
                goto usage_error;
            ndeclared++;
            break;
        case O_DISCOVER:
            if (strcmp(optarg, "auto") == 0)
                dopts.gpus = SW_DISCOVER_AUTO;
            else if (strcmp(optarg, "declared") == 0)
                dopts.gpus = SW_DISCOVER_DECLARED;
            else {
                sw_errprintf(&err, "--discover %s: use auto or declared", optarg);
                goto usage_error;
            }
            break;
        case O_MAX:
            if (sw_parse_i64(optarg, 0, 1000000, &v, "--max-tasks", &err) < 0)
                goto usage_error;
            cfg.max_tasks = (int)v;
            break;
        case O_CONNECT:
            if (sw_parse_i64(optarg, 0, 86400, &v, "--connect-timeout", &err) < 0)
                goto usage_error;
            cfg.connect_timeout_s = (int)v;
            break;
        case O_POLL:
            if (sw_parse_i64(optarg, 1, 60, &v, "--poll-wait", &err) < 0)
                goto usage_error;
            cfg.poll_wait_s = (int)v;
            break;
        case O_GRACE:
            if (sw_parse_double(optarg, &d, "--kill-grace", &err) < 0)
                goto usage_error;
            if (d < 0.001 || d > 3600) {
                sw_errprintf(&err, "--kill-grace %s: use 0.001 to 3600 seconds", optarg);
                goto usage_error;
            }
            cfg.kill_grace_ms = (int)(d * 1000 + 0.5);
            break;
        case 'h': agent_usage(stdout); return SW_EXIT_OK;
        default:
            fprintf(stderr, "suanwang agent: unknown or incomplete option \"%s\"\n"
                            "Run 'suanwang agent --help' for the options.\n", argv[optind - 1]);
            return SW_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        sw_errprintf(&err, "unexpected argument \"%s\"", argv[optind]);
        goto usage_error;
    }
    if (!cfg.site || !*cfg.site) {
        sw_errprintf(&err, "--site NAME is required (the site this agent serves)");
        goto usage_error;
    }
    if (strcmp(cfg.backend, "slurm") == 0 && sw_slurm_configure(&slurm, &err) < 0)
        goto usage_error;
    dopts.site = cfg.site;
    dopts.declared = declared;
    dopts.ndeclared = ndeclared;

    struct sw_capacity *cap = calloc(1, sizeof(*cap));
    if (!cap) {
        fprintf(stderr, "suanwang agent: out of memory\n");
        return SW_EXIT_FAIL;
    }
    sw_error_t note = {{0}};
    bool is_slurm = strcmp(cfg.backend, "slurm") == 0;
    if (is_slurm) /* the capacity is Slurm's nodes' */
        dopts.gpus = SW_DISCOVER_DECLARED;
    struct sw_slurm_nodes_summary sum;
    if (find_capacity(&dopts, is_slurm, cap, &sum, &note, &err) < 0) {
        fprintf(stderr, "suanwang agent: %s\n", err.text);
        free(cap);
        return SW_EXIT_FAIL;
    }
    if (show) {
        print_capacity(cap, cfg.site, note.text, is_slurm ? &sum : NULL);
        free(cap);
        return SW_EXIT_OK;
    }
    int status = SW_EXIT_USAGE;
    if (!cfg.server || !*cfg.server) {
        fprintf(stderr, "suanwang agent: --server URL is required (or set SUANWANG_SERVER)\n");
        goto out_free;
    }
    if (strncmp(cfg.server, "http://", 7) != 0 && strncmp(cfg.server, "https://", 8) != 0) {
        fprintf(stderr, "suanwang agent: --server %s: expected a URL such as "
                        "http://controller:8080\n", cfg.server);
        goto out_free;
    }
    if (token_file) {
        if (read_token_file(token_file, token_buf, sizeof(token_buf), &err) < 0) {
            fprintf(stderr, "suanwang agent: %s\n", err.text);
            goto out_free;
        }
        cfg.token = token_buf;
    }
    if (!cfg.token || !*cfg.token) {
        fprintf(stderr, "suanwang agent: --token TOKEN is required (or --token-file, or set "
                        "SUANWANG_TOKEN): an agent token of site %s\n", cfg.site);
        goto out_free;
    }
    char workbuf[512];
    if (!cfg.work_dir) {
        snprintf(workbuf, sizeof(workbuf), "suanwang-agent-%s", cfg.site);
        cfg.work_dir = workbuf;
    }
    cfg.capacity = cap;

    /* signals are taken synchronously by this thread only; the agent's
     * threads and (through the backend) the tasks start with them blocked,
     * and the backend unblocks them in each task */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (sw_agent_client_global_init() < 0) {
        fprintf(stderr, "suanwang agent: cannot initialise libcurl\n");
        status = SW_EXIT_FAIL;
        goto out_free;
    }
    struct sw_agent *agent = sw_agent_start(&cfg, &err);
    if (!agent) {
        fprintf(stderr, "suanwang agent: %s\n", err.text);
        status = SW_EXIT_FAIL;
        goto out_free;
    }
    char what[1024];
    describe(cap, what, sizeof(what));
    fprintf(stderr, "suanwang agent: site %s: %s; backend %s; work in %s\n", cfg.site, what,
            cfg.backend, cfg.work_dir);
    if (note.text[0] && cap->ngroups == 0)
        fprintf(stderr, "suanwang agent: no accelerators (%s)\n", note.text);
    int sig = 0;
    sigwait(&set, &sig);
    fprintf(stderr, "suanwang agent: %s: stopping; %s\n", sig == SIGINT ? "SIGINT" : "SIGTERM",
            keep ? "running tasks are left running" : "running tasks are killed and reported");
    sw_agent_stop(agent, !keep, 10);
    fprintf(stderr, "suanwang agent: stopped\n");
    status = SW_EXIT_OK;
out_free:
    free(cap);
    return status;

usage_error:
    fprintf(stderr, "suanwang agent: %s\n", err.text);
    return SW_EXIT_USAGE;
}
