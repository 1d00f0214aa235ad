/* fuzz_itp.c — fuzz target of the Microsoft ITP GPU trace reader
 * (trace/gputrace.h, sw_itp_read and sw_itp_read_many): the input is a
 * cluster*.csv file, read with the defaults and with every option set
 * (origin, latency circle, data, small nodes, an exact model, --first), and
 * as two clusters at once. Checks what gputrace.h promises of a workload that
 * loads: jobs counted in the stats, ids the rows' line numbers in file order,
 * runtime > 0 within a walltime of whole minutes, the gang shape, GPUs per
 * task; the merge of a file with itself holds twice the jobs, in submit
 * order, renumbered. The first jobs of a workload are placed on the demo
 * network as the network simulator places them. docs/fuzzing.md.
 */
#include "fuzz.h"

#include <stdio.h>
#include <string.h>

#include "trace/gputrace.h"

static void check_job(const struct sw_jobspec *js, const struct sw_itp_options *o)
{
    FUZZ_CHECK(js->name[0] != '\0');
    FUZZ_CHECK(js->tasks >= 1 && js->gang == (js->tasks > 1));
    FUZZ_CHECK(js->cores >= 1 && js->mem_mib >= 0);
    FUZZ_CHECK(js->accel.count_milli >= 1000 && js->accel.count_milli % 1000 == 0);
    FUZZ_CHECK(js->accel.count_milli / 1000 <= o->gpus_per_node);
    FUZZ_CHECK(js->runtime_s > 0 && js->walltime_s >= js->runtime_s);
    FUZZ_CHECK(js->walltime_s % 60 == 0);
    FUZZ_CHECK(js->submit >= 0);
    FUZZ_CHECK(js->ninputs == (o->data_gb > 0 ? 1u : 0u));
    FUZZ_CHECK(js->accel.models.n == (o->exact_model ? 1u : 0u));
}

static void check_workload(const struct sw_workload *w, const struct sw_itp_options *o,
                           const struct sw_gputrace_stats *st)
{
    FUZZ_CHECK(st->kept == w->n);
    FUZZ_CHECK(st->rows == w->n + st->skipped_invalid);
    FUZZ_CHECK(w->skipped == st->skipped_invalid);
    FUZZ_CHECK(o->first == 0 || w->n <= o->first);
    size_t gangs = 0;
    for (size_t i = 0; i < w->n; i++) {
        check_job(&w->jobs[i], o);
        gangs += w->jobs[i].gang;
        if (i > 0)
            FUZZ_CHECK(w->jobs[i].id > w->jobs[i - 1].id);
    }
    FUZZ_CHECK(gangs == st->gangs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_temp_file(data, size);
    struct sw_gputrace_stats st;

    struct sw_itp_options def = sw_itp_defaults();
    def.stats = &st;
    struct sw_workload w;
    sw_error_t err = {{0}};
    int rc = sw_itp_read(path, &def, &w, &err);
    if (rc == 0) {
        check_workload(&w, &def, &st);
        for (size_t i = 0; i < w.n && i < 8; i++)
            fuzz_place(fuzz_demo_network(), &w.jobs[i]);
    } else {
        FUZZ_CHECK(err.text[0] != '\0');
        FUZZ_CHECK(w.n == 0 && w.jobs == NULL);
    }

    struct sw_itp_options all = sw_itp_defaults();
    snprintf(all.origin, sizeof(all.origin), "guangzhou");
    snprintf(all.tenant, sizeof(all.tenant), "itp");
    all.max_latency_ms = 3;
    all.data_gb = 1.5;
    all.gpus_per_node = 2;
    all.exact_model = true;
    all.qos = SW_QOS_SPOT;
    all.first = 3;
    all.stats = &st;
    struct sw_workload v;
    if (sw_itp_read(path, &all, &v, &err) == 0) {
        check_workload(&v, &all, &st);
        for (size_t i = 0; i < v.n; i++)
            FUZZ_CHECK(v.jobs[i].preemptible && v.jobs[i].near_region[0]);
        sw_workload_free(&v);
    }

    /* the file as two clusters */
    struct sw_itp_source src[2] = {{path, NULL}, {path, "shenzhen"}};
    struct sw_workload m;
    if (sw_itp_read_many(src, 2, NULL, &m, &err) == 0) {
        FUZZ_CHECK(rc == 0 && m.n == 2 * w.n);
        for (size_t i = 0; i < m.n; i++) {
            FUZZ_CHECK(m.jobs[i].id == i + 1);
            if (i > 0)
                FUZZ_CHECK(m.jobs[i - 1].submit <= m.jobs[i].submit);
        }
        /* and appended to the first read */
        size_t n = w.n;
        if (rc == 0) {
            FUZZ_CHECK(sw_workload_append(&w, &m) == 0);
            FUZZ_CHECK(w.n == 3 * n && m.n == 0 && m.jobs == NULL);
        }
        sw_workload_free(&m);
    } else {
        FUZZ_CHECK(rc != 0);
    }
    sw_workload_free(&w);
    return 0;
}
