/* fuzz_place.c — what the controller does with a job or a network that a
 * parser accepted (fuzz.h): resolve the job's names against the network and
 * place it (ctl_admit), so that the fuzz targets of the job and network
 * formats also reach placement with every value the parsers let through. */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/network_json.h"
#include "core/placement.h"

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
