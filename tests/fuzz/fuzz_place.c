/* fuzz_place.c — what the program does with what a parser accepted
 * (fuzz.h): resolve a job's names against a network and place it
 * (ctl_admit), replay a trace through the simulator (suanwang sim), so
 * that the fuzz targets also reach placement and scheduling with every
 * value the parsers let through. */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/network_json.h"
#include "core/placement.h"
#include "sim/sim.h"

extern const unsigned char sw_fuzz_network[];
extern const size_t sw_fuzz_network_len;

const struct sw_network *fuzz_demo_network(void)
{
    static struct sw_network net;
    static bool loaded;
    if (!loaded) {
        sw_error_t err = {{0}};
        if (sw_network_parse((const char *)sw_fuzz_network, sw_fuzz_network_len, "small-gd.json",
                             &net, &err) != 0) {
            fprintf(stderr, "fuzz: the demo network does not load: %s\n", err.text);
            abort();
        }
        loaded = true;
    }
    return &net;
}

static int64_t no_wait(void *arg, size_t pool, const struct sw_res *need, int64_t now)
{
    (void)arg;
    (void)pool;
    (void)need;
    (void)now;
    return 0;
}

static void check_estimate(const struct sw_network *net, const struct sw_estimate *e,
                           int64_t now)
{
    FUZZ_CHECK(e->site >= 0 && (size_t)e->site < net->nsites);
    FUZZ_CHECK(e->nclass >= 0 && (size_t)e->nclass < net->sites[e->site].nclasses);
    FUZZ_CHECK(e->model >= -1 && (e->model < 0 || (size_t)e->model < net->catalog.n));
    FUZZ_CHECK(e->wait_s >= 0 && e->staging_s >= 0);
    FUZZ_CHECK(e->start >= now && e->completion >= e->start);
    FUZZ_CHECK(e->runtime_s >= 0 && e->walltime_s >= 0);
    FUZZ_CHECK(e->cost_fen >= 0);
    FUZZ_CHECK(e->energy_kwh >= 0 && e->carbon_g >= 0 && e->data_moved_gb >= 0);
}

void fuzz_place(const struct sw_network *net, const struct sw_jobspec *js)
{
    struct sw_resolved r;
    sw_error_t err = {{0}};
    if (sw_resolve(net, js, &r, &err) != 0) {
        FUZZ_CHECK(err.text[0] != '\0');
        return;
    }
    struct sw_placer *p = sw_placer_create(net);
    FUZZ_CHECK(p != NULL);
    const int64_t now = 1767225600; /* 2026-01-01, a Unix time as the controller uses */
    int64_t run = js->runtime_estimate_s > 0 ? js->runtime_estimate_s : js->walltime_s;
    int64_t ntasks = js->gang ? js->tasks : 1;
    struct sw_estimate a, b;
    int rc = sw_place(p, &r, ntasks, run, js->walltime_s, now, no_wait, NULL, &a, &err);
    if (rc == 0) {
        check_estimate(net, &a, now);
        sw_error_t err2 = {{0}};
        FUZZ_CHECK(sw_place(p, &r, ntasks, run, js->walltime_s, now, no_wait, NULL, &b,
                            &err2) == 0);
        FUZZ_CHECK(a.pool == b.pool && a.completion == b.completion &&
                   a.cost_fen == b.cost_fen);
    } else {
        FUZZ_CHECK(err.text[0] != '\0');
    }
    sw_placer_destroy(p);
    sw_resolved_free(&r);
}

void fuzz_simulate(const struct sw_trace *t, size_t max_jobs, bool must_run)
{
    static const char *const policies[] = {"easy", "conservative"};
    if (t->njobs == 0 || t->njobs > max_jobs)
        return;
    for (size_t k = 0; k < 2 && (k == 0 || t->njobs <= max_jobs / 4); k++) {
        struct sw_sim_options opt = {.sched = sw_sched_config_defaults()};
        sw_error_t err = {{0}};
        FUZZ_CHECK(sw_sched_parse_policy(policies[k], &opt.sched.policy, &opt.sched.order,
                                         &err) == 0);
        struct sw_sim_result r;
        struct sw_sim_checks c;
        if (sw_sim_run(t, &opt, &r, &c, &err) != 0) {
            FUZZ_CHECK(err.text[0] != '\0');
            if (must_run) {
                fprintf(stderr, "sw_sim_run (%s): %s\n", policies[k], err.text);
                fuzz_fail(__FILE__, __LINE__, "a trace that loads replays");
            }
            return;
        }
        FUZZ_CHECK(c.overcommit == 0 && c.started_twice == 0 && c.never_started == 0 &&
                   c.reservation_late == 0 && c.reservation_moved_later == 0);
        sw_sim_result_free(&r);
    }
}
