/* fuzz_pyss.c — fuzz target of the pyss test-case reader (trace/pyss.h):
 * the input is a pyss file, read with the default machine and with a small
 * one. Checks what pyss.h promises of a trace that loads: kept jobs have
 * runtime and procs > 0, estimate >= runtime, procs within the machine,
 * submit >= 0, order by (submit, line), a label per job from which
 * sw_pyss_expected_finish() reads; every record is kept or counted in
 * `skipped`. A trace that loads is replayed through the simulator.
 * docs/fuzzing.md.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "trace/pyss.h"

static void check_trace(const struct sw_trace *t, int64_t procs)
{
    FUZZ_CHECK(t->machine_procs == (procs > 0 ? procs : 100));
    FUZZ_CHECK(t->njobs == 0 || (t->jobs && t->labels));
    for (size_t i = 0; i < t->njobs; i++) {
        const struct sw_trace_job *j = &t->jobs[i];
        FUZZ_CHECK(j->runtime > 0 && j->estimate >= j->runtime);
        FUZZ_CHECK(j->procs > 0 && j->procs <= t->machine_procs);
        FUZZ_CHECK(j->submit >= 0);
        FUZZ_CHECK(j->id >= 1 && j->id <= t->records);
        FUZZ_CHECK(t->labels[i] != NULL);
        int64_t fin = sw_pyss_expected_finish(t->labels[i]);
        FUZZ_CHECK(fin >= -1);
        if (i > 0) {
            const struct sw_trace_job *p = &t->jobs[i - 1];
            FUZZ_CHECK(p->submit < j->submit || (p->submit == j->submit && p->id < j->id));
        }
    }
    FUZZ_CHECK(t->records == t->njobs + sw_trace_skipped_total(t));
    FUZZ_CHECK(t->records <= t->lines);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_temp_file(data, size);
    static const int64_t machines[] = {0, 3};
    for (size_t k = 0; k < sizeof(machines) / sizeof(machines[0]); k++) {
        struct sw_trace t;
        sw_error_t err = {{0}};
        if (sw_pyss_read(path, machines[k], &t, &err) == 0) {
            check_trace(&t, machines[k]);
            fuzz_simulate(&t, 64, false);
            sw_trace_free(&t);
        } else {
            FUZZ_CHECK(err.text[0] != '\0');
            FUZZ_CHECK(t.njobs == 0 && t.jobs == NULL && t.labels == NULL);
        }
    }
    /* the label parser on the input itself (NUL-terminated) */
    char *s = fuzz_strndup(data, size);
    FUZZ_CHECK(sw_pyss_expected_finish(s) >= -1);
    free(s);
    return 0;
}
