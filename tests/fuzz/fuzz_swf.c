/* fuzz_swf.c — fuzz target of the Standard Workload Format reader
 * (trace/swf.h): the input is an SWF file, read as `suanwang sim --trace`
 * reads it — lenient (the default) and strict — and each of its lines is
 * also given to sw_swf_parse_line() in an exactly sized buffer. Checks the
 * loading rules of swf.h on every trace that loads: kept jobs have
 * runtime, estimate and procs > 0, runtime <= estimate, procs within the
 * machine, submit >= 0, order by (submit, id); every record is kept or
 * counted once in `skipped`; a strict read that succeeds loads the same
 * jobs as the lenient one; --first keeps a prefix. A trace that loads is
 * replayed through the simulator. docs/fuzzing.md.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "trace/swf.h"

static void count_warning(void *arg, const char *message)
{
    FUZZ_CHECK(message && message[0]);
    (*(size_t *)arg)++;
}

static void check_progress(void *arg, uint64_t done, uint64_t total)
{
    (void)arg;
    FUZZ_CHECK(done <= total);
}

static void check_trace(const struct sw_trace *t)
{
    FUZZ_CHECK(t->njobs == 0 || t->jobs);
    FUZZ_CHECK(t->machine_source != NULL);
    FUZZ_CHECK(t->labels == NULL);
    for (size_t i = 0; i < t->njobs; i++) {
        const struct sw_trace_job *j = &t->jobs[i];
        FUZZ_CHECK(j->runtime > 0 && j->estimate > 0 && j->runtime <= j->estimate);
        FUZZ_CHECK(j->procs > 0 && j->procs <= t->machine_procs);
        FUZZ_CHECK(j->submit >= 0);
        if (i > 0) {
            const struct sw_trace_job *p = &t->jobs[i - 1];
            FUZZ_CHECK(p->submit < j->submit || (p->submit == j->submit && p->id <= j->id));
        }
    }
    FUZZ_CHECK(t->records <= t->lines);
}

static bool same_jobs(const struct sw_trace *a, const struct sw_trace *b)
{
    return a->njobs == b->njobs && a->machine_procs == b->machine_procs &&
           (a->njobs == 0 || memcmp(a->jobs, b->jobs, a->njobs * sizeof(*a->jobs)) == 0);
}

/* Each line of the input on its own, without a NUL after it. */
static void parse_lines(const uint8_t *data, size_t size)
{
    size_t start = 0;
    while (start <= size) {
        const uint8_t *nl = memchr(data + start, '\n', size - start);
        size_t len = nl ? (size_t)(nl - (data + start)) : size - start;
        char *line = malloc(len ? len : 1);
        if (!line)
            abort();
        memcpy(line, data + start, len);
        int64_t fields[18];
        sw_error_t err = {{0}};
        if (sw_swf_parse_line(line, len, fields, &err) != 0)
            FUZZ_CHECK(err.text[0] != '\0');
        free(line);
        if (!nl)
            break;
        start += len + 1;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_temp_file(data, size);
    sw_error_t err = {{0}};

    size_t warnings = 0;
    struct sw_swf_options lenient = {
        .warn = count_warning, .warn_arg = &warnings, .progress = check_progress,
    };
    struct sw_trace t;
    int rc = sw_swf_read(path, &lenient, &t, &err);
    if (rc == 0) {
        check_trace(&t);
        FUZZ_CHECK(warnings == t.skipped.malformed);
        FUZZ_CHECK(t.records == t.njobs + sw_trace_skipped_total(&t));
        fuzz_simulate(&t, 64, true);
    } else {
        FUZZ_CHECK(err.text[0] != '\0');
        FUZZ_CHECK(t.njobs == 0 && t.jobs == NULL);
    }

    struct sw_swf_options strict = {.strict = true};
    struct sw_trace s;
    if (sw_swf_read(path, &strict, &s, &err) == 0) {
        check_trace(&s);
        FUZZ_CHECK(rc == 0 && s.skipped.malformed == 0 && same_jobs(&s, &t));
        sw_trace_free(&s);
    }

    /* a machine size and --first from the input's length */
    struct sw_swf_options opt = {.procs = (int64_t)(size % 7), .first = size % 5};
    struct sw_trace f;
    if (sw_swf_read(path, &opt, &f, &err) == 0) {
        check_trace(&f);
        FUZZ_CHECK(opt.first == 0 || f.njobs <= opt.first);
        FUZZ_CHECK(opt.procs == 0 || f.machine_procs == opt.procs);
        sw_trace_free(&f);
    }
    sw_trace_free(&t);

    parse_lines(data, size);
    return 0;
}
