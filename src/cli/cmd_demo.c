/* cmd_demo.c — `suanwang demo`: the embedded default. One command starts a
 * controller and one agent per site of a small Guangdong network (Shaoguan
 * AI centre, Guangzhou HPC centre, Shenzhen cloud centre) on loopback,
 * submits a mixed workload — drone perception inference within 3 ms of
 * Shaoguan, a training gang whose data lies in Shenzhen, an annotation
 * array, an MPI-style HPC job — and shows where each landed and why.
 * Everything goes through the real API, real agents and real processes.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/client.h"
#include "cli/commands.h"
#include "server/controller.h"
#include "util/fs.h"

extern const unsigned char sw_embedded_network[];
extern const size_t sw_embedded_network_len;

#define DEMO_SITES 3
static const char *const demo_sites[DEMO_SITES] = {"sg-ai", "gz-hpc", "sz-cloud"};

/* The workload: name, what it shows, and the job. Scripts, not shell
 * strings built from user input: the agent executes them directly. */
static const struct demo_job {
    const char *name;
    const char *story;
    const char *json;
} demo_jobs[] = {
    {"drone-perception", "realtime, within 3 ms of Shaoguan, on the NPUs its model is built for",
     "{\"name\":\"drone-perception\",\"qos\":\"realtime\",\"near\":\"shaoguan:3ms\","
     "\"resources\":{\"cores\":2,\"mem_gib\":2,\"gpus\":{\"count\":1,\"model\":"
     "[\"Ascend910B\",\"A800\"]}},\"walltime\":\"5m\","
     "\"script\":\"#!/bin/sh\\nfor i in 1 2 3 4 5 6 7 8; do\\n  echo \\\"frame $i: 3 drones "
     "tracked over $SUANWANG_SITE (GPU $CUDA_VISIBLE_DEVICES)\\\"\\n  sleep 0.25\\ndone\\n\"}"},
    {"llm-finetune", "a gang of 2 x 8 accelerators; its 2 TB of data lie in Shenzhen",
     "{\"name\":\"llm-finetune\",\"tasks\":2,\"gang\":true,"
     "\"resources\":{\"cores\":4,\"mem_gib\":4,\"gpus\":{\"count\":8,\"min_mem_gib\":32}},"
     "\"data\":{\"inputs\":[{\"name\":\"corpus\",\"size\":\"2TB\",\"region\":\"shenzhen\"}]},"
     "\"walltime\":\"10m\",\"runtime_estimate\":\"2m\",\"objective\":\"fastest\","
     "\"script\":\"#!/bin/sh\\necho \\\"training step 1..3 on $SUANWANG_TASKS tasks at "
     "$SUANWANG_SITE\\\"\\nsleep 1\\necho done\\n\"}"},
    {"annotation", "an array of 12 small CPU tasks, cheapest first: they may spread",
     "{\"name\":\"annotation\",\"tasks\":12,\"objective\":\"cheapest\","
     "\"resources\":{\"cores\":1,\"mem_gib\":1},\"walltime\":\"5m\","
     "\"command\":[\"/bin/sh\",\"-c\",\"echo labelled shard $SUANWANG_TASK_INDEX at "
     "$SUANWANG_SITE; sleep 0.5\"]}"},
    {"cfd-mpi", "an MPI-style gang of 4 x 8 cores that needs a supercomputing centre",
     "{\"name\":\"cfd-mpi\",\"tasks\":4,\"gang\":true,\"placement\":{\"kinds\":{\"allow\":"
     "[\"hpc\"]}},\"resources\":{\"cores\":8,\"mem_gib\":8},\"walltime\":\"10m\","
     "\"command\":[\"/bin/sh\",\"-c\",\"echo rank 0 of $SUANWANG_TASKS solving at "
     "$SUANWANG_SITE; sleep 1\"]}"},
};
#define DEMO_NJOBS (sizeof(demo_jobs) / sizeof(demo_jobs[0]))

struct demo {
    char dir[4096];
    char url[128];
    char admin[128];
    char user_token[128];
    pid_t agents[DEMO_SITES];
    struct sw_controller *ctl;
    struct sw_client cl;
    uint64_t ids[DEMO_NJOBS];
};

static volatile sig_atomic_t demo_stop;

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

static void on_signal(int sig)
{
    (void)sig;
    demo_stop = 1;
}

static int write_file(const char *path, const void *data, size_t len, sw_error_t *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return sw_errprintf(err, "%s: %s", path, strerror(errno));
    bool ok = write(fd, data, len) == (ssize_t)len;
    close(fd);
    return ok ? 0 : sw_errprintf(err, "%s: cannot write", path);
}

static int read_token(const char *path, char *out, size_t n, sw_error_t *err)
{
    FILE *f = fopen(path, "r");
    if (!f || !fgets(out, (int)n, f)) {
        if (f)
            fclose(f);
        return sw_errprintf(err, "%s: cannot read the admin token", path);
    }
    fclose(f);
    out[strcspn(out, "\r\n")] = '\0';
    return 0;
}

/* POST/GET through the admin client; returns the JSON (caller frees) or NULL. */
static json_t *api(struct demo *d, const char *method, const char *path, const char *body,
                   sw_error_t *err)
{
    struct sw_client_resp r;
    if (sw_client_call_ok(&d->cl, method, path, body, NULL, &r, err) < 0)
        return NULL;
    json_t *j = json_incref(r.json);
    sw_client_resp_free(&r);
    return j;
}

static int new_token(struct demo *d, const char *body, char *out, size_t n, sw_error_t *err)
{
    json_t *j = api(d, "POST", "/v1/tokens", body, err);
    const char *t = json_string_value(json_object_get(j, "token"));
    if (t)
        snprintf(out, n, "%s", t);
    json_decref(j);
    return t ? 0 : -1;
}

/* Start one agent process: this binary's `agent` command. */
static pid_t spawn_agent(struct demo *d, const char *site, const char *token)
{
    char work[4200], log[4200], net[4200];
    snprintf(work, sizeof(work), "%s/agents/%s", d->dir, site);
    snprintf(log, sizeof(log), "%s/agents/%s.log", d->dir, site);
    snprintf(net, sizeof(net), "%s/network.json", d->dir);
    sw_error_t err;
    if (sw_mkdir_p(work, &err) < 0)
        return -1;
    int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    char *argv[] = {"suanwang", "agent", "--server", d->url, "--site", (char *)site, "--token",
                    (char *)token, "--work", work, "--network", net, NULL};
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        execv("/proc/self/exe", argv);
        _exit(127);
    }
    close(fd);
    return pid;
}

static int start_everything(struct demo *d, const char *listen, sw_error_t *err)
{
    char path[4200];
    if (sw_mkdir_p(d->dir, err) < 0)
        return -1;
    /* tasks run as an unprivileged user: they must be able to reach their
     * working directories under DIR/agents, but not list DIR itself */
    snprintf(path, sizeof(path), "%s/agents", d->dir);
    if (chmod(d->dir, 0711) < 0 || sw_mkdir_p(path, err) < 0 || chmod(path, 0755) < 0)
        return sw_errprintf(err, "%s: cannot prepare the agents' directories: %s", d->dir,
                            strerror(errno));
    snprintf(path, sizeof(path), "%s/network.json", d->dir);
    if (write_file(path, sw_embedded_network, sw_embedded_network_len, err) < 0)
        return -1;
    struct sw_controller_config cfg = {.data_dir = d->dir, .listen = listen, .network = path,
                                       .policy = SW_POLICY_EASY, .heartbeat_timeout_s = 15,
                                       .tick_ms = 100, .quiet = true};
    d->ctl = sw_controller_start(&cfg, err);
    if (!d->ctl)
        return -1;
    snprintf(d->url, sizeof(d->url), "http://127.0.0.1:%u", sw_controller_port(d->ctl));
    snprintf(path, sizeof(path), "%s/admin.token", d->dir);
    if (read_token(path, d->admin, sizeof(d->admin), err) < 0)
        return -1;
    struct sw_client_opts o = {.server = d->url, .token = d->admin};
    if (sw_client_open(&d->cl, &o, err) < 0)
        return -1;
    json_decref(api(d, "POST", "/v1/tenants", "{\"name\":\"lowalt-air\",\"kind\":\"consumer\"}",
                    err));
    json_decref(api(d, "POST", "/v1/tenants", "{\"name\":\"gd-ops\",\"kind\":\"provider\"}", err));
    if (new_token(d, "{\"tenant\":\"lowalt-air\",\"role\":\"consumer\",\"label\":\"demo\"}",
                  d->user_token, sizeof(d->user_token), err) < 0)
        return -1;
    for (int i = 0; i < DEMO_SITES; i++) {
        char body[256], tok[128];
        snprintf(body, sizeof(body),
                 "{\"tenant\":\"gd-ops\",\"role\":\"agent\",\"site\":\"%s\"}", demo_sites[i]);
        if (new_token(d, body, tok, sizeof(tok), err) < 0)
            return -1;
        d->agents[i] = spawn_agent(d, demo_sites[i], tok);
        if (d->agents[i] < 0)
            return sw_errprintf(err, "cannot start the agent of %s", demo_sites[i]);
    }
    return 0;
}

/* Wait until every site's agent has registered. */
static int wait_agents(struct demo *d, sw_error_t *err)
{
    for (int tries = 0; tries < 100 && !demo_stop; tries++) {
        json_t *j = api(d, "GET", "/v1/sites", NULL, err);
        size_t up = 0, i;
        json_t *s;
        json_array_foreach(json_object_get(j, "sites"), i, s)
            up += json_is_true(json_object_get(json_object_get(s, "agent"), "up"));
        json_decref(j);
        if (up == DEMO_SITES)
            return 0;
        sleep_ms(100);
    }
    return sw_errprintf(err, "the agents did not register in 10 s: see %s/agents/*.log", d->dir);
}

static int submit_all(struct demo *d, sw_error_t *err)
{
    struct sw_client user = {0};
    struct sw_client_opts o = {.server = d->url, .token = d->user_token};
    if (sw_client_open(&user, &o, err) < 0) {
        sw_client_close(&user);
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < DEMO_NJOBS && rc == 0; i++) {
        struct sw_client_resp r;
        rc = sw_client_call_ok(&user, "POST", "/v1/jobs", demo_jobs[i].json, NULL, &r, err);
        if (rc == 0)
            d->ids[i] = (uint64_t)json_integer_value(json_object_get(r.json, "id"));
        sw_client_resp_free(&r);
    }
    sw_client_close(&user);
    return rc;
}

static json_t *get_job(struct demo *d, uint64_t id)
{
    char path[64];
    snprintf(path, sizeof(path), "/v1/jobs/%llu", (unsigned long long)id);
    sw_error_t err;
    return api(d, "GET", path, NULL, &err);
}

/* Where the first unit of a job is (or will be), as text. */
static void where(json_t *job, char *out, size_t n)
{
    json_t *u = json_array_get(json_object_get(job, "task_units"), 0);
    const char *site = json_string_value(json_object_get(u, "site"));
    const char *nc = json_string_value(json_object_get(u, "node_class"));
    const char *acc = json_string_value(json_object_get(u, "accelerator"));
    if (!site)
        snprintf(out, n, "not placed yet");
    else
        snprintf(out, n, "%s/%s%s%s", site, nc ? nc : "?", acc ? " on " : "", acc ? acc : "");
}

/* ms since the epoch from "YYYY-MM-DDTHH:MM:SS.mmmZ"; -1 if absent. */
static int64_t parse_time(const char *s)
{
    int y, mo, dd, h, mi, sec, ms;
    if (!s || sscanf(s, "%d-%d-%dT%d:%d:%d.%dZ", &y, &mo, &dd, &h, &mi, &sec, &ms) != 7)
        return -1;
    y -= mo <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + dd - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = era * 146097 + doe - 719468;
    return ((days * 24 + h) * 60 + mi) * 60000 + (int64_t)sec * 1000 + ms;
}

/* Wait and run time of a job from its events (first running, last end). */
static void job_times(json_t *job, double *wait_s, double *run_s)
{
    int64_t submit = -1, start = -1, end = -1;
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(job, "events"), i, e) {
        const char *st = json_string_value(json_object_get(e, "state"));
        int64_t t = parse_time(json_string_value(json_object_get(e, "time")));
        if (!strcmp(st, "submitted"))
            submit = t;
        else if (!strcmp(st, "running") && start < 0)
            start = t;
        else if (!strcmp(st, "completed") || !strcmp(st, "failed") || !strcmp(st, "cancelled"))
            end = t;
    }
    *wait_s = start >= 0 && submit >= 0 ? (double)(start - submit) / 1000.0 : -1;
    *run_s = end >= 0 && start >= 0 ? (double)(end - start) / 1000.0 : -1;
}

static void print_placements(struct demo *d)
{
    printf("\nWhere each job landed, and why:\n");
    for (size_t i = 0; i < DEMO_NJOBS; i++) {
        json_t *j = get_job(d, d->ids[i]);
        char w[200];
        where(j, w, sizeof(w));
        printf("  job %-3llu %-17s -> %-34s %s\n", (unsigned long long)d->ids[i],
               demo_jobs[i].name, w, demo_jobs[i].story);
        json_decref(j);
    }
}

static bool all_done(struct demo *d)
{
    for (size_t i = 0; i < DEMO_NJOBS; i++) {
        json_t *j = get_job(d, d->ids[i]);
        const char *st = json_string_value(json_object_get(j, "state"));
        bool done = st && (!strcmp(st, "completed") || !strcmp(st, "failed") ||
                           !strcmp(st, "cancelled"));
        json_decref(j);
        if (!done)
            return false;
    }
    return true;
}

/* The summary table; returns true when every job completed. */
static bool print_summary(struct demo *d)
{
    bool ok = true;
    printf("\n%-4s %-17s %-34s %-10s %8s %8s\n", "JOB", "NAME", "SITE", "STATE", "WAIT", "RUN");
    for (size_t i = 0; i < DEMO_NJOBS; i++) {
        json_t *j = get_job(d, d->ids[i]);
        char w[200], ws[32] = "-", rs[32] = "-";
        double wait_s, run_s;
        where(j, w, sizeof(w));
        job_times(j, &wait_s, &run_s);
        if (wait_s >= 0)
            snprintf(ws, sizeof(ws), "%.2fs", wait_s);
        if (run_s >= 0)
            snprintf(rs, sizeof(rs), "%.2fs", run_s);
        const char *st = json_string_value(json_object_get(j, "state"));
        ok &= st && !strcmp(st, "completed");
        printf("%-4llu %-17s %-34s %-10s %8s %8s\n", (unsigned long long)d->ids[i],
               demo_jobs[i].name, w, st ? st : "?", ws, rs);
        json_decref(j);
    }
    return ok;
}

static void print_try(struct demo *d)
{
    printf("\nThe controller is at %s (data in %s). Try, in another terminal:\n"
           "  export SUANWANG_SERVER=%s SUANWANG_TOKEN=%s\n"
           "  suanwang jobs\n"
           "  suanwang job %llu          # where, why, and every state change\n"
           "  suanwang logs %llu --task 3\n"
           "  suanwang sites\n"
           "  suanwang top\n"
           "  curl -s %s/metrics | grep suanwang_\n",
           d->url, d->dir, d->url, d->user_token, (unsigned long long)d->ids[0],
           (unsigned long long)d->ids[2], d->url);
}

static void stop_everything(struct demo *d)
{
    for (int i = 0; i < DEMO_SITES; i++)
        if (d->agents[i] > 0)
            kill(d->agents[i], SIGTERM);
    for (int i = 0; i < DEMO_SITES; i++)
        if (d->agents[i] > 0)
            waitpid(d->agents[i], NULL, 0);
    sw_client_close(&d->cl);
    sw_controller_stop(d->ctl);
}

static void demo_usage(FILE *f)
{
    fprintf(f,
        "usage: suanwang demo [--data DIR] [--listen HOST:PORT] [--exit-when-done]\n\n"
        "Start a controller and one agent per site of a small Guangdong network on\n"
        "loopback (Shaoguan AI centre, Guangzhou HPC centre, Shenzhen cloud centre),\n"
        "submit a mixed workload and show where each job landed and why.\n\n"
        "  --data DIR         state directory (default: a new one under /tmp)\n"
        "  --listen ADDR      controller address (default 127.0.0.1:0, any free port)\n"
        "  --exit-when-done   exit after every demo job has finished, with a summary\n"
        "                     table (exit 0 if all completed)\n");
}

int sw_cmd_demo(int argc, char **argv)
{
    enum { O_DATA = 256, O_LISTEN, O_EXIT };
    static const struct option opts[] = {
        {"data", required_argument, NULL, O_DATA},
        {"listen", required_argument, NULL, O_LISTEN},
        {"exit-when-done", no_argument, NULL, O_EXIT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct demo d = {0};
    const char *listen = "127.0.0.1:0";
    bool exit_when_done = false;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case O_DATA: snprintf(d.dir, sizeof(d.dir), "%s", optarg); break;
        case O_LISTEN: listen = optarg; break;
        case O_EXIT: exit_when_done = true; break;
        case 'h': demo_usage(stdout); return SW_EXIT_OK;
        default: demo_usage(stderr); return SW_EXIT_USAGE;
        }
    }
    if (!d.dir[0]) {
        snprintf(d.dir, sizeof(d.dir), "/tmp/suanwang-demo-XXXXXX");
        if (!mkdtemp(d.dir)) {
            perror("suanwang demo: cannot make a directory under /tmp");
            return SW_EXIT_FAIL;
        }
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGPIPE, SIG_IGN);
    sw_error_t err = {{0}};
    int status = SW_EXIT_FAIL;
    printf("suanwang demo: a controller and 3 site agents on loopback (data in %s)\n", d.dir);
    fflush(stdout);
    if (start_everything(&d, listen, &err) < 0 || wait_agents(&d, &err) < 0 ||
        submit_all(&d, &err) < 0) {
        fprintf(stderr, "suanwang demo: %s\n", err.text);
        goto out_stop;
    }
    printf("submitted %zu jobs as tenant lowalt-air\n", DEMO_NJOBS);
    sleep_ms(600); /* a scheduling round or two */
    print_placements(&d);
    print_try(&d);
    fflush(stdout);
    if (exit_when_done) {
        for (int t = 0; t < 1200 && !demo_stop && !all_done(&d); t++)
            sleep_ms(100);
        status = print_summary(&d) ? SW_EXIT_OK : SW_EXIT_FAIL;
    } else {
        printf("\nPress Ctrl-C to stop.\n");
        fflush(stdout);
        while (!demo_stop)
            pause();
        status = SW_EXIT_OK;
    }
out_stop:
    stop_everything(&d);
    return status;
}
