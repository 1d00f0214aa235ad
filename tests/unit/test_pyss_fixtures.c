/* test_pyss_fixtures.c — the ready-made expected schedules written by the
 * authors of the pyss simulator (../shared/traces/swf/pyss-fixtures): each
 * job's id encodes its expected finish time. Every file is run under each
 * policy it is written for (see the traces README) and every job's finish
 * time must match. Skipped, with a reason, when the traces are absent. */
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "sim/sim.h"
#include "testutil.h"
#include "trace/pyss.h"

/* Which policies a fixture file applies to, from its name. */
static bool applies(const char *file, const char *policy)
{
    int n = -1;
    if (!strncmp(file, "basic_input.", 12))
        return true;
    if (sscanf(file, "extreme_input.%d", &n) == 1)
        return !strcmp(policy, "easy") ? n <= 2 : n <= 1;
    if (!strncmp(file, "fcfs_input.", 11))
        return !strcmp(policy, "fcfs");
    if (!strncmp(file, "bf_input.", 9))
        return !strcmp(policy, "easy") || !strcmp(policy, "conservative");
    if (!strncmp(file, "easy_bf_input.", 14))
        return !strcmp(policy, "easy");
    if (!strncmp(file, "cons_bf_input.", 14))
        return !strcmp(policy, "conservative");
    return false;
}

/* Run one file under one policy; return the number of wrong finish times
 * (printing each). */
static size_t run_fixture(const char *dir, const char *file, const char *policy)
{
    char path[4400];
    if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path))
        fail_msg("path too long: %s/%s", dir, file);
    struct sw_trace t = {0};
    sw_error_t err = {{0}};
    if (sw_pyss_read(path, 0, &t, &err) != 0)
        fail_msg("%s", err.text);
    struct sw_sim_options opt = {.sched = sw_sched_config_defaults()};
    assert_int_equal(sw_sched_parse_policy(policy, &opt.sched.policy, &opt.sched.order, &err), 0);
    struct sw_sim_result r;
    struct sw_sim_checks c;
    if (sw_sim_run(&t, &opt, &r, &c, &err) != 0)
        fail_msg("%s: %s", file, err.text);
    size_t wrong = 0;
    for (size_t i = 0; i < r.njobs; i++) {
        int64_t want = sw_pyss_expected_finish(t.labels[i]);
        if (r.jobs[i].end != want) {
            printf("# %s %s: job %s finished at %lld, expected %lld\n", policy, file,
                   t.labels[i], (long long)r.jobs[i].end, (long long)want);
            wrong++;
        }
    }
    assert_int_equal(c.overcommit + c.started_twice + c.never_started + c.reservation_late +
                         c.reservation_moved_later,
                     0);
    sw_sim_result_free(&r);
    sw_trace_free(&t);
    return wrong;
}

static void check_policy(const char *policy)
{
    const char *dir = sw_test_trace_path("swf/pyss-fixtures");
    if (!dir)
        skip();
    char dirbuf[4096];
    snprintf(dirbuf, sizeof(dirbuf), "%s", dir);
    DIR *d = opendir(dirbuf);
    assert_non_null(d);
    struct dirent *e;
    size_t files = 0, wrong = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || !applies(e->d_name, policy))
            continue;
        files++;
        wrong += run_fixture(dirbuf, e->d_name, policy);
    }
    closedir(d);
    printf("# %s: %zu fixture files, %zu wrong finish times\n", policy, files, wrong);
    assert_true(files > 0);
    assert_int_equal(wrong, 0);
}

static void fixtures_fcfs(void **state)
{
    (void)state;
    check_policy("fcfs");
}

static void fixtures_easy(void **state)
{
    (void)state;
    check_policy("easy");
}

static void fixtures_conservative(void **state)
{
    (void)state;
    check_policy("conservative");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fixtures_fcfs),
        cmocka_unit_test(fixtures_easy),
        cmocka_unit_test(fixtures_conservative),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
