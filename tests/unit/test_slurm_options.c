/* test_slurm_options.c — the Slurm account and QoS a job is submitted
 * with (src/agent/slurm_options.c): maps from tenant and QoS class,
 * repeated flags, the defaults for what a map does not name, no default
 * (Slurm's own), and the errors that name the flag.
 */
#include "testutil.h"

#include <string.h>

#include "agent/backend_slurm.h"

static void test_maps(void **state)
{
    (void)state;
    struct sw_slurm_options o = {
        .partition = "gpu", .account = "acct-default", .qos = "normal",
        .account_maps = {"lab=acct-lab", "meteo=acct-meteo,ops=acct-ops"}, .naccount_maps = 2,
        .qos_maps = {"interactive=debugq,realtime=urgent"}, .nqos_maps = 1,
    };
    sw_error_t err;
    assert_int_equal(sw_slurm_configure(&o, &err), 0);
    assert_string_equal(sw_slurm_account_for("lab"), "acct-lab");
    assert_string_equal(sw_slurm_account_for("ops"), "acct-ops");
    assert_string_equal(sw_slurm_account_for("guest"), "acct-default");
    assert_string_equal(sw_slurm_account_for(NULL), "acct-default");
    assert_string_equal(sw_slurm_qos_for("realtime"), "urgent");
    assert_string_equal(sw_slurm_qos_for("batch"), "normal");
    /* no defaults: Slurm's own (no --account, no --qos) */
    struct sw_slurm_options bare = {.account_maps = {"lab=acct-lab"}, .naccount_maps = 1};
    assert_int_equal(sw_slurm_configure(&bare, &err), 0);
    assert_string_equal(sw_slurm_account_for("lab"), "acct-lab");
    assert_null(sw_slurm_account_for("guest"));
    assert_null(sw_slurm_qos_for("batch"));
}

static void expect_error(struct sw_slurm_options *o, const char *what)
{
    sw_error_t err = {{0}};
    assert_int_equal(sw_slurm_configure(o, &err), -1);
    if (!strstr(err.text, what))
        fail_msg("expected \"%s\" in \"%s\"", what, err.text);
}

static void test_errors(void **state)
{
    (void)state;
    struct sw_slurm_options o = {.account_maps = {"lab"}, .naccount_maps = 1};
    expect_error(&o, "--slurm-account-map \"lab\": expected TENANT=ACCOUNT");
    o = (struct sw_slurm_options){.account_maps = {"=x"}, .naccount_maps = 1};
    expect_error(&o, "expected TENANT=ACCOUNT");
    o = (struct sw_slurm_options){.account_maps = {"lab=a", "lab=b"}, .naccount_maps = 2};
    expect_error(&o, "\"lab\" is mapped twice");
    o = (struct sw_slurm_options){.account_maps = {"lab=has space"}, .naccount_maps = 1};
    expect_error(&o, "\"has space\" is not a valid Slurm name");
    o = (struct sw_slurm_options){.qos_maps = {"urgent=high"}, .nqos_maps = 1};
    expect_error(&o, "\"urgent\" is not a QoS class of suanwang");
    o = (struct sw_slurm_options){.qos_maps = {"batch=-x"}, .nqos_maps = 1};
    expect_error(&o, "--slurm-qos-map \"batch=-x\": \"-x\" is not a valid Slurm name");
    o = (struct sw_slurm_options){.account = "a,b"};
    expect_error(&o, "--slurm-account \"a,b\": not a valid Slurm name");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_maps),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
