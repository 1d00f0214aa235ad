/* fuzz_network_json.c — fuzz target of the network file format
 * (config/network_json.h, sw_network_parse): the input is a network file
 * as `suanwang server --network` and `suanwang sim --network` read it.
 * Checks the network that loads (indexes in range, names found by their
 * lookups, a symmetric latency matrix with every pair linked, positive
 * counts and throughputs), then places a few jobs on it as the controller
 * does, so that every figure the parser accepts also goes through the
 * estimates (staging over its bandwidths, runtimes scaled by its
 * throughputs, prices): a CPU gang with data to move, a GPU job scaled by a
 * workload class, a compute_tflops job with a deadline, and the largest
 * accelerator class filled by a gang and by an array with a budget.
 * docs/fuzzing.md.
 */
#include "fuzz.h"

#include <string.h>

#include "config/job_json.h"
#include "config/network_json.h"
#include "core/placement.h"

static void check_network(const struct sw_network *net)
{
    size_t n = net->nregions;
    FUZZ_CHECK(n >= 1 && net->nsites >= 1);
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK(sw_network_region(net, net->regions[i]) == (int)i);
        for (size_t j = 0; j < n; j++) {
            FUZZ_CHECK(sw_network_latency(net, (int)i, (int)j) >= 0);
            FUZZ_CHECK(sw_network_latency(net, (int)i, (int)j) ==
                       sw_network_latency(net, (int)j, (int)i));
            FUZZ_CHECK(sw_network_bandwidth(net, (int)i, (int)j) ==
                       sw_network_bandwidth(net, (int)j, (int)i));
        }
    }
    for (size_t m = 0; m < net->catalog.n; m++) {
        FUZZ_CHECK(net->catalog.models[m].fp16_tflops > 0);
        FUZZ_CHECK(sw_catalog_model(&net->catalog, net->catalog.models[m].name) == (int)m);
    }
    for (size_t k = 0; k < net->catalog.nclasses; k++)
        FUZZ_CHECK(sw_catalog_class(&net->catalog, net->catalog.classes[k].name) == (int)k);
    for (size_t s = 0; s < net->nsites; s++) {
        const struct sw_site *site = &net->sites[s];
        FUZZ_CHECK(sw_network_site(net, site->name) == (int)s);
        FUZZ_CHECK(site->region >= 0 && (size_t)site->region < n);
        FUZZ_CHECK(site->pue >= 1 && site->nclasses >= 1);
        for (size_t c = 0; c < site->nclasses; c++) {
            const struct sw_node_class *nc = &site->classes[c];
            FUZZ_CHECK(nc->count >= 1 && nc->cores >= 1 && nc->mem_mib >= 1);
            FUZZ_CHECK(nc->accel < 0 || ((size_t)nc->accel < net->catalog.n && nc->accels >= 1));
        }
    }
    FUZZ_CHECK(sw_network_pflops(net) >= 0);
}

static void place(const struct sw_network *net, json_t *job)
{
    FUZZ_CHECK(job != NULL);
    struct sw_jobspec js;
    sw_error_t err = {{0}};
    if (sw_jobspec_from_json(job, &js, &err) == 0) {
        fuzz_place(net, &js);
        sw_jobspec_free(&js);
    }
    json_decref(job); /* else: a name the job format does not take, nothing to place */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sw_network net;
    sw_error_t err = {{0}};
    if (sw_network_parse((const char *)data, size, "/nonexistent/fuzz/net.json", &net, &err) !=
        0) {
        FUZZ_CHECK(err.text[0] != '\0');
        return 0;
    }
    check_network(&net);
    const char *first = net.regions[0], *last = net.regions[net.nregions - 1];
    const char *model = net.catalog.models[net.catalog.n - 1].name;
    const char *wclass = net.catalog.nclasses ? net.catalog.classes[0].name : "none";
    /* CPU, with data to move from the last region and a latency circle */
    place(&net, json_pack("{s:s,s:[s],s:i,s:b,s:{s:i,s:i},s:s,s:{s:s,s:i},"
                          "s:{s:[{s:s,s:s,s:s}]},s:s}",
                          "name", "cpu", "command", "x", "tasks", 4, "gang", 1, "resources",
                          "cores", 2, "mem_mib", 512, "walltime", "2h", "near", "region", first,
                          "max_ms", 10000, "data", "inputs", "name", "d", "size", "1PB",
                          "region", last, "objective", "greenest"));
    /* any GPU, runtimes scaled from a reference model by a workload class */
    place(&net, json_pack("{s:s,s:[s],s:{s:i,s:{s:i,s:b,s:s,s:s}},s:s,s:s,s:I}", "name", "gpu",
                          "command", "x", "resources", "cores", 1, "gpus", "count", 1,
                          "equivalent", 1, "ref_model", model, "workload_class", wclass,
                          "walltime", "366d", "objective", "cheapest", "budget_fen",
                          (json_int_t)1000000000000000));
    /* compute instead of a count, with a deadline */
    place(&net, json_pack("{s:s,s:[s],s:{s:{s:i,s:s}},s:s,s:s,s:I,s:I}", "name", "tflops",
                          "command", "x", "resources", "gpus", "compute_tflops", 10000000,
                          "model", model, "walltime", "1d", "objective", "balanced", "submit",
                          (json_int_t)1767225600, "deadline", (json_int_t)1767229200));
    /* the largest accelerator class, filled by one gang, and by an array
     * with a budget of 1 fen: every total cost and size at its extreme */
    const struct sw_node_class *big = NULL;
    for (size_t i = 0; i < net.nsites; i++)
        for (size_t c = 0; c < net.sites[i].nclasses; c++)
            if (net.sites[i].classes[c].accels > 0 &&
                (!big || net.sites[i].classes[c].accels > big->accels))
                big = &net.sites[i].classes[c];
    if (big) {
        json_int_t tasks = big->count < SW_JOB_TASKS_MAX ? big->count : SW_JOB_TASKS_MAX;
        place(&net, json_pack("{s:s,s:[s],s:I,s:b,s:{s:i,s:{s:I,s:b,s:s}},s:s}", "name", "gang",
                              "command", "x", "tasks", tasks, "gang", 1, "resources", "cores", 1,
                              "gpus", "count", (json_int_t)big->accels, "equivalent", 1,
                              "ref_model", "H100", "walltime", "366d"));
        place(&net, json_pack("{s:s,s:[s],s:I,s:{s:i,s:{s:I,s:b,s:s}},s:s,s:I}", "name", "array",
                              "command", "x", "tasks", (json_int_t)SW_JOB_TASKS_MAX, "resources",
                              "cores", 1, "gpus", "count", (json_int_t)big->accels, "equivalent",
                              1, "ref_model", "H100", "walltime", "366d", "budget_fen",
                              (json_int_t)1));
    }
    sw_network_free(&net);
    return 0;
}
