/* simtest.c — see simtest.h. */
#include "simtest.h"

#include <stdlib.h>
#include <string.h>

#include "testutil.h"

void simtest_run(const struct simtest_job *jobs, size_t n, int64_t procs, const char *policy,
                 const char *order, int64_t *starts)
{
    struct sw_trace t = {0};
    t.jobs = calloc(n, sizeof(*t.jobs));
    assert_non_null(t.jobs);
    t.njobs = n;
    t.machine_procs = procs;
    t.machine_source = "--procs";
    for (size_t i = 0; i < n; i++) {
        t.jobs[i] = (struct sw_trace_job){
            .id = i + 1,
            .submit = jobs[i].submit,
            .procs = jobs[i].procs,
            .estimate = jobs[i].estimate,
            .runtime = jobs[i].runtime,
            .user = jobs[i].user ? jobs[i].user : 1,
        };
    }
    struct sw_sim_options opt = {.sched = sw_sched_config_defaults()};
    sw_error_t err = {{0}};
    assert_int_equal(sw_sched_parse_policy(policy, &opt.sched.policy, &opt.sched.order, &err), 0);
    if (order)
        assert_int_equal(sw_sched_parse_order(order, &opt.sched.order, &err), 0);
    struct sw_sim_result r;
    struct sw_sim_checks c;
    int rc = sw_sim_run(&t, &opt, &r, &c, &err);
    if (rc != 0)
        fail_msg("sw_sim_run: %s", err.text);
    assert_int_equal(c.overcommit, 0);
    assert_int_equal(c.started_twice, 0);
    assert_int_equal(c.never_started, 0);
    assert_int_equal(c.reservation_late, 0);
    assert_int_equal(c.reservation_moved_later, 0);
    for (size_t i = 0; i < n; i++)
        starts[i] = r.jobs[i].start;
    sw_sim_result_free(&r);
    free(t.jobs);
}
