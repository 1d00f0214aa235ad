/* sim_args.h — the parsed options of `suanwang sim`, shared by its
 * single-machine (cmd_sim.c) and network (cmd_sim_net.c) modes. */
#ifndef SW_CLI_SIM_ARGS_H
#define SW_CLI_SIM_ARGS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/sched.h"

struct sim_args {
    const char *trace;
    const char *format;   /* "swf" or "pyss"; network mode: "jsonl", "itp", "alibaba" */
    bool format_given;
    const char *report;   /* directory or NULL */
    int64_t procs;
    int64_t first;
    bool json;
    bool strict;
    bool quiet;
    bool policy_given;    /* --policy was given (network mode defaults to easy) */
    struct sw_sched_config sched;
    /* network mode */
    const char *network;  /* --network NET.json, or NULL for one machine */
    const char *whatif;   /* --what-if SPEC */
    const char *compare;  /* --compare NET2.json */
    const char *origin;   /* --origin REGION for GPU traces */
    double data_gb;       /* --data-gb: input data per GPU-trace job */
};

/* Run the network mode (--network given). Returns the exit status. */
int sw_cmd_sim_network(const struct sim_args *a);

#endif
