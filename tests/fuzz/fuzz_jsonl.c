/* fuzz_jsonl.c — fuzz target of the JSON-lines workload loader
 * (config/job_json.h, sw_workload_load_jsonl): the input is a workload file
 * as `suanwang sim --trace W.jsonl` reads it. Checks what job_json.h
 * promises of a workload that loads: ids unique and non-zero, a job per
 * line that is neither blank nor a comment, in file order. docs/fuzzing.md.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "config/job_json.h"

static int id_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Lines of the input that hold a job (not blank, not a '#' comment). */
static size_t job_lines(const uint8_t *data, size_t size)
{
    size_t n = 0, start = 0;
    while (start < size) {
        const uint8_t *nl = memchr(data + start, '\n', size - start);
        size_t end = nl ? (size_t)(nl - data) : size;
        size_t i = start;
        while (i < end && (data[i] == ' ' || data[i] == '\t'))
            i++;
        bool cr_only = i + 1 == end && data[i] == '\r';
        if (i < end && data[i] != '#' && !cr_only)
            n++;
        start = end + 1;
    }
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_temp_file(data, size);
    struct sw_workload w = {0};
    sw_error_t err = {{0}};
    if (sw_workload_load_jsonl(path, &w, &err) != 0) {
        FUZZ_CHECK(err.text[0] != '\0');
        FUZZ_CHECK(w.n == 0 && w.jobs == NULL);
        return 0;
    }
    FUZZ_CHECK(w.n == job_lines(data, size));
    uint64_t *ids = malloc((w.n ? w.n : 1) * sizeof(*ids));
    FUZZ_CHECK(ids != NULL);
    for (size_t i = 0; i < w.n; i++) {
        FUZZ_CHECK(w.jobs[i].id != 0);
        ids[i] = w.jobs[i].id;
    }
    qsort(ids, w.n, sizeof(*ids), id_cmp);
    for (size_t i = 1; i < w.n; i++)
        FUZZ_CHECK(ids[i] != ids[i - 1]);
    free(ids);
    sw_workload_free(&w);
    return 0;
}
