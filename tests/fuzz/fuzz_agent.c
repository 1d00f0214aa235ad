/* fuzz_agent.c — fuzz target of what a site agent reads from the controller
 * (docs/agent-protocol.md): the input is the body of an answer to GET
 * /v1/agent/assignments, parsed as the agent's HTTP client parses it; each
 * of its "assignments" is read by sw__assignment_parse() (the agent's own
 * decoder, before anything reaches a backend) and each argument quoted as
 * the Slurm backend quotes it; each "cancel" (and a register answer's
 * "stop") entry by sw__key_from_json(). The controller's side of the
 * protocol (register, heartbeat, events) decodes inside the controller's
 * state and has no pure decoder to fuzz; its JSON goes through jansson and
 * the checks in api_agent.c. docs/fuzzing.md.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "agent/agent_int.h"
#include "agent/backend_slurm_int.h"

static void check_assignment(json_t *o)
{
    struct sw_unit_key key;
    char name[128];
    if (sw__key_from_json(o, &key)) {
        sw__unit_name(&key, name, sizeof(name));
        FUZZ_CHECK(strlen(name) < sizeof(name));
    }
    struct sw__assignment as;
    sw_error_t err = {{0}};
    if (sw__assignment_parse(o, &as, &err) != 0) {
        FUZZ_CHECK(err.text[0] != '\0');
        sw__assignment_free(&as);
        return;
    }
    const struct sw_task_spec *s = &as.spec;
    FUZZ_CHECK(s->ntasks >= 1 && s->mem_mib >= 0 && s->accelerators >= 0 && s->walltime_s >= 0);
    FUZZ_CHECK((s->argv != NULL) != (s->script != NULL));
    FUZZ_CHECK(!s->workdir || s->workdir[0] == '/');
    for (size_t i = 0; s->argv && s->argv[i]; i++) {
        char *q = sw__slurm_quote(s->argv[i]);
        FUZZ_CHECK(q != NULL && q[0] == '\'' && q[strlen(q) - 1] == '\'');
        free(q);
    }
    for (size_t i = 0; i < as.nenv; i++)
        FUZZ_CHECK(strchr(as.env[i], '=') != NULL && s->env[i] == as.env[i]);
    FUZZ_CHECK(!s->env || s->env[as.nenv] == NULL);
    sw__assignment_free(&as);
}

static void check_keys(json_t *list)
{
    size_t i;
    json_t *o;
    json_array_foreach(list, i, o) {
        struct sw_unit_key key;
        char name[128];
        if (sw__key_from_json(o, &key))
            sw__unit_name(&key, name, sizeof(name));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *answer = json_loadb((const char *)data, size, 0, NULL);
    if (!answer)
        return 0;
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(answer, "assignments"), i, o)
        check_assignment(o);
    check_keys(json_object_get(answer, "cancel"));
    check_keys(json_object_get(answer, "stop"));
    json_decref(answer);
    return 0;
}
