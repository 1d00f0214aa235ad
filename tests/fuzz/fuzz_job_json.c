/* fuzz_job_json.c — fuzz target of the JSON job format (config/job_json.h,
 * sw_jobspec_parse): the input is one job as the controller receives it
 * (POST /v1/jobs) and `suanwang submit` reads it. A job that parses must
 * survive the canonical round trip job_json.h promises: sw_jobspec_to_json()
 * parses back to a spec whose JSON is the same text. It is then admitted on
 * the demo network (resolve + place) as the controller does. docs/fuzzing.md.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "config/job_json.h"

/* The canonical JSON text of a spec (caller frees); aborts on ENOMEM. */
static char *canonical(const struct sw_jobspec *js)
{
    json_t *o = sw_jobspec_to_json(js);
    FUZZ_CHECK(o != NULL);
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    FUZZ_CHECK(text != NULL);
    return text;
}

static void check_spec(const struct sw_jobspec *js)
{
    FUZZ_CHECK(js->name[0] != '\0');
    FUZZ_CHECK((js->argv != NULL) != (js->script != NULL));
    FUZZ_CHECK(js->tasks >= 1 && js->tasks <= SW_JOB_TASKS_MAX);
    FUZZ_CHECK(js->cores >= 1 && js->cores <= SW_JOB_CORES_MAX);
    FUZZ_CHECK(js->mem_mib >= 0);
    FUZZ_CHECK(js->walltime_s >= 1 && js->walltime_s <= SW_JOB_WALLTIME_MAX);
    FUZZ_CHECK(js->runtime_estimate_s <= js->walltime_s);
    FUZZ_CHECK(js->deadline < 0 || js->deadline > js->submit);
    FUZZ_CHECK(js->qos != SW_QOS_SPOT || js->preemptible);
    FUZZ_CHECK(js->accel.count_milli >= 0);
    FUZZ_CHECK(js->retries >= 0 && js->retries <= SW_JOB_RETRIES_MAX);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sw_jobspec js;
    sw_error_t err = {{0}};
    if (sw_jobspec_parse((const char *)data, size, &js, &err) != 0) {
        FUZZ_CHECK(err.text[0] != '\0');
        return 0;
    }
    check_spec(&js);

    char *text = canonical(&js);
    struct sw_jobspec back;
    sw_error_t err2 = {{0}};
    if (sw_jobspec_parse(text, strlen(text), &back, &err2) != 0) {
        fprintf(stderr, "canonical form %s\ndoes not parse back: %s\n", text, err2.text);
        fuzz_fail(__FILE__, __LINE__, "the canonical form parses back");
    }
    char *again = canonical(&back);
    if (strcmp(text, again) != 0) {
        fprintf(stderr, "canonical form %s\nparses back to %s\n", text, again);
        fuzz_fail(__FILE__, __LINE__, "the canonical form is stable");
    }
    free(again);
    free(text);
    sw_jobspec_free(&back);

    fuzz_place(fuzz_demo_network(), &js);
    sw_jobspec_free(&js);
    return 0;
}
