/* cmd_sim_net.c — `suanwang sim --network NET.json`: replay a workload of
 * job requests over a compute network, print the network metrics (or one
 * JSON object), write the report, and with --what-if / --compare run a
 * second network and show both side by side.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli/commands.h"
#include "cli/sim_args.h"
#include "config/job_json.h"
#include "config/network_json.h"
#include "core/whatif.h"
#include "sim/netreport.h"
#include "sim/netsim.h"
#include "trace/gputrace.h"

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The i-th region of a comma-separated --origin list, cycling ("" if none). */
static void nth_origin(const char *list, size_t i, char out[SW_NAME_MAX])
{
    out[0] = '\0';
    if (!list || !*list)
        return;
    size_t n = 1;
    for (const char *p = list; *p; p++)
        n += *p == ',';
    size_t want = i % n;
    const char *p = list;
    for (size_t k = 0; k < want; k++)
        p = strchr(p, ',') + 1;
    size_t len = strcspn(p, ",");
    if (len >= SW_NAME_MAX)
        len = SW_NAME_MAX - 1;
    memcpy(out, p, len);
    out[len] = '\0';
}

/* ITP: a cluster*.csv file, or a directory of them (one cluster per file,
 * each with its origin from the --origin list, in name order). */
static int load_itp(const struct sim_args *a, struct sw_workload *w, sw_error_t *err)
{
    struct sw_itp_options o = sw_itp_defaults();
    o.data_gb = a->data_gb;
    o.first = (size_t)a->first;
    struct stat st;
    if (stat(a->trace, &st) != 0 || !S_ISDIR(st.st_mode)) {
        nth_origin(a->origin, 0, o.origin);
        return sw_itp_read(a->trace, &o, w, err);
    }
    struct dirent **names = NULL;
    int n = scandir(a->trace, &names, NULL, alphasort);
    if (n < 0)
        return sw_errprintf(err, "%s: cannot list: %s", a->trace, strerror(errno));
    struct sw_itp_source src[64];
    char paths[64][4200], origins[64][SW_NAME_MAX];
    size_t k = 0;
    for (int i = 0; i < n; i++) {
        const char *nm = names[i]->d_name;
        size_t len = strlen(nm);
        if (k < 64 && len > 4 && !strcmp(nm + len - 4, ".csv") &&
            (size_t)snprintf(paths[k], sizeof(paths[k]), "%s/%s", a->trace, nm) <
                sizeof(paths[k])) {
            nth_origin(a->origin, k, origins[k]);
            src[k].path = paths[k];
            src[k].origin = origins[k][0] ? origins[k] : NULL;
            k++;
        }
        free(names[i]);
    }
    free(names);
    if (k == 0) {
        errno = ENOENT;
        return sw_errprintf(err, "%s: no .csv cluster files in this directory", a->trace);
    }
    return sw_itp_read_many(src, k, &o, w, err);
}

static int load_workload(const struct sim_args *a, struct sw_workload *w, sw_error_t *err)
{
    if (!strcmp(a->format, "itp"))
        return load_itp(a, w, err);
    if (!strcmp(a->format, "alibaba")) {
        struct sw_alibaba_options o = sw_alibaba_defaults();
        nth_origin(a->origin, 0, o.origin);
        o.data_gb = a->data_gb;
        o.first = (size_t)a->first;
        return sw_alibaba_read(a->trace, &o, w, err);
    }
    if (sw_workload_load_jsonl(a->trace, w, err) < 0)
        return -1;
    if (a->first > 0 && (size_t)a->first < w->n) {
        for (size_t i = (size_t)a->first; i < w->n; i++)
            sw_jobspec_free(&w->jobs[i]);
        w->n = (size_t)a->first;
    }
    return 0;
}

static void on_reject(void *arg, const struct sw_jobspec *js, const char *why)
{
    size_t *count = arg;
    if ((*count)++ < 5)
        fprintf(stderr, "suanwang sim: job %llu (%s) rejected: %s\n",
                (unsigned long long)js->id, js->name, why);
    else if (*count == 6)
        fprintf(stderr, "suanwang sim: more jobs rejected; see the report for all reasons\n");
}

static int run_one(const struct sim_args *a, const struct sw_network *net,
                   const struct sw_workload *w, struct sw_netsim_result *r, size_t *rejects,
                   double *secs, sw_error_t *err)
{
    struct sw_netsim_options o = {
        .policy = a->policy_given ? a->sched.policy : SW_POLICY_EASY,
        .order = a->sched.order,
        .on_reject = a->json ? NULL : on_reject,
        .arg = rejects,
    };
    double t0 = now_s();
    int rc = sw_netsim_run(net, w, &o, r, err);
    *secs = now_s() - t0;
    return rc;
}

struct row {
    const char *label;
    double base, other;
    int decimals;
};

static void print_summary(const struct sw_network *net, const struct sw_netsim_result *r,
                          const char *trace, const char *policy, double secs)
{
    const struct sw_netsim_metrics *m = &r->m;
    printf("trace        %s\n", trace);
    printf("network      %zu regions, %zu sites, %.1f P FP16\n", net->nregions, net->nsites,
           sw_network_pflops(net));
    printf("policy       %s per node class\n", policy);
    printf("jobs         %zu (%zu units placed, %zu rejected, %zu preemptions)\n", m->jobs,
           m->units - m->rejected, m->rejected, m->preemptions);
    printf("wait         mean %.1f s, max %lld s; mean job completion %.1f s\n", m->mean_wait_s,
           (long long)m->max_wait_s, m->mean_jct_s);
    printf("utilization  accelerators %.1f%%, cores %.1f%%; %.1f P-hours used\n",
           m->utilization_accel * 100, m->utilization_cores * 100, m->p_hours);
    printf("latency      %zu latency-circle violations\n", m->latency_violations);
    printf("data moved   %.1f GB\n", m->data_moved_gb);
    printf("cost         %.2f yuan; carbon %.1f kg CO2 (%.0f kWh)\n", (double)m->cost_fen / 100,
           m->carbon_kg, m->energy_kwh);
    for (int k = 0; k < 4; k++)
        if (m->obj_units[k])
            printf("  %-10s %zu units, %.2f yuan, %.1f kg CO2\n",
                   sw_objective_name((enum sw_objective)k), m->obj_units[k],
                   (double)m->obj_cost_fen[k] / 100, m->obj_carbon_kg[k]);
    printf("time         simulated in %.3f s\n", secs);
}

static void print_compare(const struct sw_netsim_metrics *a, const struct sw_netsim_metrics *b,
                          const char *label)
{
    struct row rows[] = {
        {"units rejected", (double)a->rejected, (double)b->rejected, 0},
        {"mean wait (s)", a->mean_wait_s, b->mean_wait_s, 1},
        {"max wait (s)", (double)a->max_wait_s, (double)b->max_wait_s, 0},
        {"mean job completion (s)", a->mean_jct_s, b->mean_jct_s, 1},
        {"mean bounded slowdown", a->mean_bounded_slowdown, b->mean_bounded_slowdown, 3},
        {"accelerator utilization (%)", a->utilization_accel * 100, b->utilization_accel * 100,
         2},
        {"P-hours used", a->p_hours, b->p_hours, 1},
        {"data moved (GB)", a->data_moved_gb, b->data_moved_gb, 1},
        {"cost (yuan)", (double)a->cost_fen / 100, (double)b->cost_fen / 100, 2},
        {"carbon (kg CO2)", a->carbon_kg, b->carbon_kg, 1},
        {"latency violations", (double)a->latency_violations, (double)b->latency_violations,
         0},
    };
    printf("\nwhat-if: %s\n", label);
    printf("%-30s %14s %14s %10s\n", "metric", "base", "what-if", "change");
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        char x[32], y[32], d[32];
        snprintf(x, sizeof(x), "%.*f", rows[i].decimals, rows[i].base);
        snprintf(y, sizeof(y), "%.*f", rows[i].decimals, rows[i].other);
        if (rows[i].base != 0)
            snprintf(d, sizeof(d), "%+.1f%%", (rows[i].other - rows[i].base) / rows[i].base * 100);
        else
            snprintf(d, sizeof(d), "%s", rows[i].other == 0 ? "=" : "new");
        printf("%-30s %14s %14s %10s\n", rows[i].label, x, y, d);
    }
}

/* A network file: JSON, or (.csv) the Alibaba 2023 node list. */
static int load_network(const char *path, struct sw_network *net, sw_error_t *err)
{
    size_t len = strlen(path);
    if (len > 4 && !strcmp(path + len - 4, ".csv"))
        return sw_alibaba_network(path, net, err);
    return sw_network_load(path, net, err);
}

/* The second network: the base one edited, or another file. */
static int load_other(const struct sim_args *a, struct sw_network *other, sw_error_t *err)
{
    if (a->compare)
        return load_network(a->compare, other, err);
    if (load_network(a->network, other, err) < 0)
        return -1;
    if (sw_whatif_apply(other, a->whatif, err) < 0) {
        sw_network_free(other);
        return -1;
    }
    return 0;
}

int sw_cmd_sim_network(const struct sim_args *a)
{
    struct sw_network net = {0}, other = {0};
    struct sw_workload w = {0};
    struct sw_netsim_result r = {0}, r2 = {0};
    sw_error_t err = {{0}};
    int status = SW_EXIT_FAIL;
    size_t rejects = 0, rejects2 = 0;
    double secs = 0, secs2 = 0;
    const char *base = strrchr(a->trace, '/');
    const char *trace = base ? base + 1 : a->trace;
    const char *policy = sw_policy_name(a->policy_given ? a->sched.policy : SW_POLICY_EASY);
    bool second = a->whatif || a->compare;

    if (load_network(a->network, &net, &err) < 0 || load_workload(a, &w, &err) < 0 ||
        (second && load_other(a, &other, &err) < 0)) {
        fprintf(stderr, "suanwang sim: %s\n", err.text);
        goto out_free;
    }
    if (run_one(a, &net, &w, &r, &rejects, &secs, &err) < 0 ||
        (second && run_one(a, &other, &w, &r2, &rejects2, &secs2, &err) < 0)) {
        fprintf(stderr, "suanwang sim: %s\n", err.text);
        goto out_free;
    }
    if (a->report && sw_netreport_write_dir(&net, &r, trace, policy, a->report, &err) < 0) {
        fprintf(stderr, "suanwang sim: %s\n", err.text);
        goto out_free;
    }
    if (a->json) {
        json_t *o = sw_netreport_metrics_json(&net, &r, trace, policy);
        if (o && second) {
            json_t *wrap = json_pack("{s:o,s:o,s:s}", "base", o, "what_if",
                                     sw_netreport_metrics_json(&other, &r2, trace, policy),
                                     "change", a->whatif ? a->whatif : a->compare);
            o = wrap;
        }
        if (!o) {
            fprintf(stderr, "suanwang sim: out of memory writing JSON\n");
            goto out_free;
        }
        json_object_set_new(o, "sim_seconds", json_real(secs + secs2));
        json_dumpf(o, stdout, JSON_COMPACT);
        fputc('\n', stdout);
        json_decref(o);
    } else {
        print_summary(&net, &r, trace, policy, secs);
        if (second)
            print_compare(&r.m, &r2.m, a->whatif ? a->whatif : a->compare);
        if (a->report)
            printf("report       %s/index.html\n", a->report);
    }
    status = r.m.latency_violations == 0 ? SW_EXIT_OK : SW_EXIT_FAIL;
out_free:
    sw_netsim_result_free(&r, net.nsites);
    sw_netsim_result_free(&r2, other.nsites);
    sw_workload_free(&w);
    sw_network_free(&net);
    sw_network_free(&other);
    return status;
}
