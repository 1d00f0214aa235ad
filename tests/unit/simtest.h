/* simtest.h — build a small trace in memory and run it through the
 * simulator, for hand-computed schedule tests. */
#ifndef SW_SIMTEST_H
#define SW_SIMTEST_H

#include "sim/sim.h"

/* One job: submit, procs, estimate, runtime (user 1). */
struct simtest_job {
    int64_t submit, procs, estimate, runtime;
    uint32_t user;
};

/* Simulate `n` jobs on a `procs` machine with `policy` ("fcfs", "sjf",
 * "easy", "conservative") and optionally a queue order (NULL = the
 * policy's). Fills starts[i] with job i's start time. Asserts the run is
 * clean (no invariant violation). Job ids are 1..n in the given order. */
void simtest_run(const struct simtest_job *jobs, size_t n, int64_t procs, const char *policy,
                 const char *order, int64_t *starts);

#endif
