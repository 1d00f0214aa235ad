/* fuzz_alibaba.c — fuzz target of the Alibaba 2023 pod list reader
 * (trace/gputrace.h, sw_alibaba_read): the input is an openb_pod_list_*.csv
 * file (with or without the time columns), read with the defaults and with
 * every option set. Checks what gputrace.h promises of a workload that loads:
 * one task a job, the GPU share rules, the QoS mapping, runtime > 0 within a
 * walltime of whole minutes, ids the rows' line numbers in file order, the
 * stats' counts. The first jobs of a workload are placed on the demo network
 * as the network simulator places them. docs/fuzzing.md.
 */
#include "fuzz.h"

#include <stdio.h>
#include <string.h>

#include "trace/gputrace.h"

static void check_workload(const struct sw_workload *w, const struct sw_alibaba_options *o,
                           const struct sw_gputrace_stats *st)
{
    FUZZ_CHECK(st->kept == w->n);
    FUZZ_CHECK(w->skipped == st->skipped_invalid + st->skipped_unscheduled);
    FUZZ_CHECK(st->rows == w->n + w->skipped);
    FUZZ_CHECK(o->first == 0 || w->n <= o->first);
    size_t qos[4] = {0}, fractional = 0, cpu_only = 0;
    for (size_t i = 0; i < w->n; i++) {
        const struct sw_jobspec *js = &w->jobs[i];
        FUZZ_CHECK(js->name[0] != '\0');
        FUZZ_CHECK(js->tasks == 1 && !js->gang && js->cores >= 1 && js->mem_mib >= 0);
        FUZZ_CHECK(js->accel.count_milli >= 0);
        FUZZ_CHECK(js->accel.count_milli <= 1000 || js->accel.count_milli % 1000 == 0);
        FUZZ_CHECK(js->runtime_s > 0 && js->walltime_s >= js->runtime_s);
        FUZZ_CHECK(js->walltime_s % 60 == 0 && js->submit >= 0);
        FUZZ_CHECK((unsigned)js->qos <= SW_QOS_SPOT);
        FUZZ_CHECK(js->preemptible == (js->qos == SW_QOS_SPOT));
        FUZZ_CHECK(js->ninputs == (o->data_gb > 0 ? 1u : 0u));
        for (size_t a = 0; a < js->accel.models.n; a++) {
            FUZZ_CHECK(js->accel.models.names[a][0] != '\0');
            for (size_t b = 0; b < a; b++)
                FUZZ_CHECK(strcmp(js->accel.models.names[a], js->accel.models.names[b]) != 0);
        }
        qos[js->qos]++;
        fractional += js->accel.count_milli > 0 && js->accel.count_milli < 1000;
        cpu_only += js->accel.count_milli == 0;
        if (i > 0)
            FUZZ_CHECK(js->id > w->jobs[i - 1].id);
    }
    FUZZ_CHECK(memcmp(qos, st->qos, sizeof(qos)) == 0);
    FUZZ_CHECK(fractional == st->fractional && cpu_only == st->cpu_only);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_temp_file(data, size);
    struct sw_gputrace_stats st;
    sw_error_t err = {{0}};

    struct sw_alibaba_options def = sw_alibaba_defaults();
    def.stats = &st;
    struct sw_workload w;
    if (sw_alibaba_read(path, &def, &w, &err) == 0) {
        check_workload(&w, &def, &st);
        for (size_t i = 0; i < w.n && i < 8; i++)
            fuzz_place(fuzz_demo_network(), &w.jobs[i]);
        sw_workload_free(&w);
    } else {
        FUZZ_CHECK(err.text[0] != '\0');
        FUZZ_CHECK(w.n == 0 && w.jobs == NULL);
    }

    struct sw_alibaba_options all = sw_alibaba_defaults();
    snprintf(all.origin, sizeof(all.origin), "shaoguan");
    snprintf(all.tenant, sizeof(all.tenant), "alibaba");
    all.ls_latency_ms = 2;
    all.data_gb = 0.25;
    all.untimed_runtime_s = 60;
    all.untimed_interval_s = 86400;
    all.first = 2;
    all.stats = &st;
    if (sw_alibaba_read(path, &all, &w, &err) == 0) {
        check_workload(&w, &all, &st);
        sw_workload_free(&w);
    }
    return 0;
}
