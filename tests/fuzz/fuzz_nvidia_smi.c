/* fuzz_nvidia_smi.c — fuzz target of the agent's reader of nvidia-smi's
 * output (agent/discover.h, sw_discover_parse_nvidia_smi): the input is
 * what `nvidia-smi --query-gpu=index,name,memory.total,uuid
 * --format=csv,noheader,nounits` printed, read with the built-in catalog.
 * Checks that the devices and groups it fills agree: as many devices as it
 * says it parsed, group counts adding up to them, names within their
 * fields. docs/fuzzing.md.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "agent/discover.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct sw_catalog cat;
    static bool have_cat;
    if (!have_cat) {
        FUZZ_CHECK(sw_catalog_builtin(&cat) == 0);
        have_cat = true;
    }
    char *text = fuzz_strndup(data, size);
    struct sw_capacity *cap = calloc(1, sizeof(*cap));
    FUZZ_CHECK(cap != NULL);
    sw_error_t err = {{0}};
    int n = sw_discover_parse_nvidia_smi(text, &cat, cap, &err);
    if (n < 0) {
        FUZZ_CHECK(err.text[0] != '\0');
    } else {
        FUZZ_CHECK((size_t)n == cap->ndevices && cap->ndevices <= SW_DISCOVER_MAX_DEVICES);
        FUZZ_CHECK(cap->ngroups <= SW_DISCOVER_MAX_GROUPS);
        int64_t total = 0;
        for (size_t g = 0; g < cap->ngroups; g++) {
            FUZZ_CHECK(strlen(cap->groups[g].model) < sizeof(cap->groups[g].model));
            FUZZ_CHECK(cap->groups[g].count >= 1);
            total += cap->groups[g].count;
        }
        FUZZ_CHECK(total == n);
        for (size_t d = 0; d < cap->ndevices; d++) {
            FUZZ_CHECK(strlen(cap->devices[d].model) < sizeof(cap->devices[d].model));
            FUZZ_CHECK(strlen(cap->devices[d].uuid) < sizeof(cap->devices[d].uuid));
            FUZZ_CHECK(cap->devices[d].mem_mib >= 0);
        }
    }
    free(cap);
    free(text);
    return 0;
}
