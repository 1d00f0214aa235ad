/* job_json_int.h — internals shared by the JSON job format's decoder
 * (job_json.c), encoder (job_json_encode.c) and JSON-lines reader
 * (workload_jsonl.c). Not for other modules.
 */
#ifndef SW_CONFIG_JOB_JSON_INT_H
#define SW_CONFIG_JOB_JSON_INT_H

#include <stdint.h>

#include "core/network.h"

#define SW__SITE_KINDS 3 /* enum sw_site_kind: hpc, ai, cloud */
#define SW__SITE_KINDS_ALL ((uint32_t)(1u << SW__SITE_KINDS) - 1)

/* Names of enum sw_site_kind as written in placement.kinds. */
extern const char *const sw__site_kind_names[SW__SITE_KINDS];

#endif
