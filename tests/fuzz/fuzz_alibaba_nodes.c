/* fuzz_alibaba_nodes.c — fuzz target of the Alibaba 2023 node list reader
 * (trace/gputrace.h, sw_alibaba_network): the input is an
 * openb_node_list_gpu_node.csv file, turned into a one-site network as
 * `suanwang sim --network` does with it. Checks the network that loads:
 * one region and one site, node classes with counts that add up, distinct
 * shapes, catalog models; then places a CPU job and a GPU job on it as the
 * controller would. docs/fuzzing.md.
 */
#include "fuzz.h"

#include <string.h>

#include "config/job_json.h"
#include "core/placement.h"
#include "trace/gputrace.h"

static const char cpu_job[] =
    "{\"name\":\"cpu\",\"command\":[\"/bin/true\"],\"tasks\":2,\"gang\":true,"
    "\"resources\":{\"cores\":4,\"mem_gib\":8},\"walltime\":\"1h\"}";
static const char gpu_job[] =
    "{\"name\":\"gpu\",\"command\":[\"/bin/true\"],\"resources\":{\"cores\":8,"
    "\"mem_gib\":64,\"gpus\":{\"count\":0.5,\"equivalent\":true,\"ref_model\":\"V100\"}},"
    "\"walltime\":\"2h\",\"objective\":\"cheapest\"}";

static void place_job(const struct sw_network *net, const char *text)
{
    struct sw_jobspec js;
    sw_error_t err = {{0}};
    if (sw_jobspec_parse(text, strlen(text), &js, &err) != 0)
        fuzz_fail(__FILE__, __LINE__, err.text);
    fuzz_place(net, &js);
    sw_jobspec_free(&js);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_temp_file(data, size);
    struct sw_network net;
    sw_error_t err = {{0}};
    if (sw_alibaba_network(path, &net, &err) != 0) {
        FUZZ_CHECK(err.text[0] != '\0');
        return 0;
    }
    FUZZ_CHECK(net.nregions == 1 && net.nsites == 1);
    const struct sw_site *s = &net.sites[0];
    FUZZ_CHECK(s->nclasses >= 1 && s->region == 0);
    for (size_t i = 0; i < s->nclasses; i++) {
        const struct sw_node_class *nc = &s->classes[i];
        FUZZ_CHECK(nc->count >= 1 && nc->cores >= 0 && nc->mem_mib >= 0);
        FUZZ_CHECK(nc->accel >= -1 && (nc->accel < 0 || (size_t)nc->accel < net.catalog.n));
        FUZZ_CHECK((nc->accel < 0) == (nc->accels == 0));
        FUZZ_CHECK(nc->name[0] != '\0');
        for (size_t j = 0; j < i; j++)
            FUZZ_CHECK(!(s->classes[j].cores == nc->cores && s->classes[j].mem_mib == nc->mem_mib &&
                         s->classes[j].accel == nc->accel && s->classes[j].accels == nc->accels));
    }
    FUZZ_CHECK(sw_network_pflops(&net) >= 0);
    place_job(&net, cpu_job);
    place_job(&net, gpu_job);
    sw_network_free(&net);
    return 0;
}
