/* fuzz_sbatch.c — fuzz target of the #SBATCH script reader (config/sbatch.h):
 * the input is a batch script, read as `suanwang submit job.sh` reads it
 * (sw_sbatch_scan, a command-line override, sw_sbatch_to_job, then the job
 * decoder the server uses, sw_jobspec_from_json), and its --array and
 * --output values go through the parsers an agent uses (array indices,
 * output patterns). Checks that a job that maps decodes or is refused with
 * a message, that every warning is one line, that array indices are
 * sorted and unique. docs/fuzzing.md.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "config/job_json.h"
#include "config/sbatch.h"

static void check_warnings(const struct sw_sbatch *sb)
{
    if (!sb->warnings.len)
        return;
    FUZZ_CHECK(sb->warnings.data[sb->warnings.len - 1] == '\n');
    FUZZ_CHECK(strlen(sb->warnings.data) == sb->warnings.len);
}

static void check_array(const char *spec)
{
    struct sw_sbatch_array a;
    sw_error_t err = {{0}};
    if (sw_sbatch_array_parse(spec, &a, &err) != 0) {
        FUZZ_CHECK(err.text[0] != '\0');
        return;
    }
    FUZZ_CHECK(a.n >= 1 && a.n <= SW_JOB_TASKS_MAX);
    for (size_t i = 0; i < a.n; i++) {
        FUZZ_CHECK(a.idx[i] >= 0 && a.idx[i] <= SW_SBATCH_ARRAY_MAX_INDEX);
        FUZZ_CHECK(i == 0 || a.idx[i] > a.idx[i - 1]);
    }
    sw_sbatch_array_free(&a);
}

static void check_expand(const char *pattern)
{
    char out[256];
    if (sw_sbatch_expand(pattern, 42, 7, "job", "user", "site", out, sizeof(out)) == 0)
        FUZZ_CHECK(strlen(out) < sizeof(out));
    if (sw_sbatch_expand(pattern, UINT64_MAX, -1, NULL, NULL, NULL, out, 8) == 0)
        FUZZ_CHECK(strlen(out) < 8);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_strndup(data, size);
    struct sw_sbatch sb;
    sw_error_t err = {{0}};
    sw_sbatch_init(&sb);
    int rc = sw_sbatch_scan(&sb, (const char *)data, size, "dir/job.sh", &err);
    if (rc != 0)
        FUZZ_CHECK(err.text[0] != '\0');
    /* the command line wins over the script, as in sbatch */
    if (rc == 0 && size % 3 == 0)
        rc = sw_sbatch_set(&sb, "ntasks", "2", "command line", &err);
    check_warnings(&sb);
    if (sb.array)
        check_array(sb.array);
    if (sb.output)
        check_expand(sb.output);
    if (rc == 0) {
        json_t *job = sw_sbatch_to_job(&sb, text, "dir/job.sh", &err);
        check_warnings(&sb);
        if (job) {
            struct sw_jobspec js;
            sw_error_t err2 = {{0}};
            if (sw_jobspec_from_json(job, &js, &err2) == 0) {
                FUZZ_CHECK(js.script && strcmp(js.script, text) == 0);
                fuzz_place(fuzz_demo_network(), &js);
                sw_jobspec_free(&js);
            } else {
                FUZZ_CHECK(err2.text[0] != '\0');
            }
            json_decref(job);
        } else {
            FUZZ_CHECK(err.text[0] != '\0');
        }
    }
    sw_sbatch_free(&sb);
    free(text);
    return 0;
}
