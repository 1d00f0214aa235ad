/* test_agent_status_file.c — the exit-status file a task's supervisor
 * writes (src/agent/status_file.c): the line for an exit and for a signal,
 * parsing it back, what the parser refuses, and the atomic write (no .tmp
 * left, the whole line read back).
 */
#define _GNU_SOURCE /* mkdtemp */
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent/status_file.h"

/* A wait status as waitpid would give it. */
static int exited(int code)
{
    return (code & 0xff) << 8;
}

static void test_format_exit(void **state)
{
    (void)state;
    char line[SW_STATUS_LINE_MAX];
    size_t n = sw_status_format(line, exited(3), 1764150000123LL);
    assert_string_equal(line, "suanwang-status 1 code 3 signal 0 ended_ms 1764150000123\n");
    assert_int_equal(n, strlen(line));
    struct sw_task_status st;
    assert_int_equal(sw_status_parse(line, &st), 0);
    assert_int_equal(st.code, 3);
    assert_int_equal(st.signal, 0);
    assert_true(st.ended_ms == 1764150000123LL);

    sw_status_format(line, exited(0), 0);
    assert_string_equal(line, "suanwang-status 1 code 0 signal 0 ended_ms 0\n");
    sw_status_format(line, exited(255), 7);
    assert_int_equal(sw_status_parse(line, &st), 0);
    assert_int_equal(st.code, 255);
}

static void test_format_signal(void **state)
{
    (void)state;
    char line[SW_STATUS_LINE_MAX];
    sw_status_format(line, SIGTERM, 42); /* a wait status of "killed by SIGTERM" */
    assert_true(WIFSIGNALED(SIGTERM));
    assert_string_equal(line, "suanwang-status 1 code 0 signal 15 ended_ms 42\n");
    struct sw_task_status st;
    assert_int_equal(sw_status_parse(line, &st), 0);
    assert_int_equal(st.code, 0);
    assert_int_equal(st.signal, SIGTERM);
    assert_true(st.ended_ms == 42);
}

static void test_parse_refuses(void **state)
{
    (void)state;
    struct sw_task_status st;
    const char *bad[] = {
        "",
        "suanwang-status 2 code 0 signal 0 ended_ms 1\n", /* another version */
        "suanwang-status 1 code 0 signal 0\n",            /* cut short */
        "suanwang-status 1 code 256 signal 0 ended_ms 1\n",
        "suanwang-status 1 code -1 signal 0 ended_ms 1\n",
        "suanwang-status 1 code 1 signal 9 ended_ms 1\n", /* both */
        "suanwang-status 1 code 0 signal 65 ended_ms 1\n",
        "suanwang-status 1 code 0 signal 0 ended_ms -5\n",
        "suanwang-status 1 code 0 signal 0 ended_ms 1 extra\n",
        "job 1 task 0 attempt 1 fence 1\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (sw_status_parse(bad[i], &st) == 0)
            fail_msg("accepted \"%s\"", bad[i]);
    assert_int_equal(sw_status_parse("suanwang-status 1 code 0 signal 0 ended_ms 1", &st), 0);
}

static void test_write_read(void **state)
{
    (void)state;
    char dir[] = "/tmp/sw-test-status.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128], tmp[128];
    snprintf(path, sizeof(path), "%s/status.0", dir);
    snprintf(tmp, sizeof(tmp), "%s/status.0.tmp", dir);
    struct sw_task_status st;
    assert_int_equal(sw_status_read(path, &st), -1);
    assert_int_equal(errno, ENOENT);

    assert_int_equal(sw_status_write(path, tmp, exited(3), 1234), 0);
    assert_int_not_equal(access(tmp, F_OK), 0);
    assert_int_equal(sw_status_read(path, &st), 0);
    assert_int_equal(st.code, 3);
    assert_true(st.ended_ms == 1234);
    /* a second write replaces the first whole */
    assert_int_equal(sw_status_write(path, tmp, SIGKILL, 99), 0);
    assert_int_equal(sw_status_read(path, &st), 0);
    assert_int_equal(st.signal, SIGKILL);
    assert_int_equal(st.code, 0);

    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("garbage\n", f);
    fclose(f);
    assert_int_equal(sw_status_read(path, &st), -1);
    assert_int_equal(errno, EINVAL);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_exit),
        cmocka_unit_test(test_format_signal),
        cmocka_unit_test(test_parse_refuses),
        cmocka_unit_test(test_write_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
