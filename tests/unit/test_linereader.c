/* test_linereader.c — the line reader (src/trace/linereader.c): line
 * splitting, '\r\n', a last line without '\n', NUL bytes, lines across
 * buffer refills, long lines up to and past the cap, gzip detected by
 * content (whatever the name), a truncated gzip file, offsets and sizes,
 * and the open errors. Files are written to temporary paths by each test.
 */
#include "testutil.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "trace/linereader.h"

struct tmpfile {
    char path[64];
};

/* Write `n` bytes to a new temporary file, gzip-compressed when `gz`. */
static void write_tmp(struct tmpfile *f, const char *data, size_t n, bool gz)
{
    snprintf(f->path, sizeof(f->path), "/tmp/sw_linereader_XXXXXX");
    int fd = mkstemp(f->path);
    assert_true(fd >= 0);
    if (gz) {
        close(fd);
        gzFile g = gzopen(f->path, "wb");
        assert_non_null(g);
        if (n > 0)
            assert_int_equal(gzwrite(g, data, (unsigned)n), (int)n);
        assert_int_equal(gzclose(g), Z_OK);
        return;
    }
    FILE *fp = fdopen(fd, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, n, fp), n);
    assert_int_equal(fclose(fp), 0);
}

static struct sw_linereader *open_ok(const char *path)
{
    sw_error_t err = {{0}};
    struct sw_linereader *r = sw_linereader_open(path, &err);
    if (!r)
        fail_msg("%s", err.text);
    return r;
}

/* Read the next line and compare it (bytes and length). */
static void expect_line(struct sw_linereader *r, const char *want, size_t want_len)
{
    const char *line = NULL;
    size_t len = 0;
    sw_error_t err = {{0}};
    int rc = sw_linereader_next(r, &line, &len, &err);
    if (rc != 1)
        fail_msg("expected a line, got %d (%s)", rc, err.text);
    assert_int_equal(len, want_len);
    assert_memory_equal(line, want, want_len);
    assert_int_equal(line[len], '\0');
}

static void expect_eof(struct sw_linereader *r)
{
    const char *line;
    size_t len;
    sw_error_t err = {{0}};
    assert_int_equal(sw_linereader_next(r, &line, &len, &err), 0);
    assert_int_equal(sw_linereader_next(r, &line, &len, &err), 0);
}

/* "a", "bb", "", "c\rc" (an inner '\r' stays), "x\r\n" -> "x", "tail" with
 * no '\n'; a NUL inside a line is kept. */
static void check_basic(bool gz)
{
    static const char data[] = "a\nbb\n\nc\rc\nx\r\nn\0ul\ntail";
    struct tmpfile f;
    write_tmp(&f, data, sizeof(data) - 1, gz);
    struct sw_linereader *r = open_ok(f.path);
    assert_int_equal(sw_linereader_lineno(r), 0);
    expect_line(r, "a", 1);
    assert_int_equal(sw_linereader_lineno(r), 1);
    expect_line(r, "bb", 2);
    expect_line(r, "", 0);
    expect_line(r, "c\rc", 3);
    expect_line(r, "x", 1);
    expect_line(r, "n\0ul", 4);
    expect_line(r, "tail", 4);
    assert_int_equal(sw_linereader_lineno(r), 7);
    expect_eof(r);
    struct stat st;
    assert_int_equal(stat(f.path, &st), 0);
    assert_int_equal(sw_linereader_size(r), (uint64_t)st.st_size);
    assert_int_equal(sw_linereader_offset(r), (uint64_t)st.st_size);
    sw_linereader_close(r);
    unlink(f.path);
}

static void test_plain(void **state)
{
    (void)state;
    check_basic(false);
}

/* The same bytes gzip-compressed into a file whose name says nothing. */
static void test_gzip(void **state)
{
    (void)state;
    check_basic(true);
}

static void test_empty_and_final_newline(void **state)
{
    (void)state;
    struct tmpfile f;
    write_tmp(&f, "", 0, false);
    struct sw_linereader *r = open_ok(f.path);
    expect_eof(r);
    assert_int_equal(sw_linereader_lineno(r), 0);
    sw_linereader_close(r);
    unlink(f.path);

    /* a file ending in '\n' has no extra empty line after it */
    write_tmp(&f, "one\r\n", 5, false);
    r = open_ok(f.path);
    expect_line(r, "one", 3);
    expect_eof(r);
    sw_linereader_close(r);
    unlink(f.path);
}

/* 200,000 numbered lines: many buffer refills, lines split across them. */
static void test_many_lines(void **state)
{
    (void)state;
    enum { N = 200000 };
    char *data = malloc((size_t)N * 16);
    assert_non_null(data);
    size_t n = 0;
    for (int i = 0; i < N; i++)
        n += (size_t)snprintf(data + n, 16, "line %d\n", i);
    for (int gz = 0; gz < 2; gz++) {
        struct tmpfile f;
        write_tmp(&f, data, n, gz);
        struct sw_linereader *r = open_ok(f.path);
        for (int i = 0; i < N; i++) {
            char want[16];
            int k = snprintf(want, sizeof(want), "line %d", i);
            expect_line(r, want, (size_t)k);
        }
        expect_eof(r);
        assert_int_equal(sw_linereader_lineno(r), N);
        sw_linereader_close(r);
        unlink(f.path);
    }
    free(data);
}

/* Lines longer than the initial buffer are returned whole; exactly
 * SW_LINEREADER_MAX_LINE bytes is allowed, one more byte is an error naming
 * the file and the line. */
static void test_long_lines(void **state)
{
    (void)state;
    const size_t max = SW_LINEREADER_MAX_LINE;
    char *data = malloc(3 * max + 16);
    assert_non_null(data);
    size_t n = 0;
    memcpy(data + n, "short\n", 6);
    n += 6;
    memset(data + n, 'a', 600000); /* line 2: 600,000 bytes */
    n += 600000;
    data[n++] = '\n';
    memset(data + n, 'b', max); /* line 3: exactly the cap... */
    n += max;
    memcpy(data + n, "\r\n", 2); /* ...plus a '\r', which counts: too long */
    n += 2;
    struct tmpfile f;
    write_tmp(&f, data, n, false);
    struct sw_linereader *r = open_ok(f.path);
    expect_line(r, "short", 5);
    const char *line;
    size_t len;
    sw_error_t err = {{0}};
    assert_int_equal(sw_linereader_next(r, &line, &len, &err), 1);
    assert_int_equal(len, 600000);
    assert_true(line[0] == 'a' && line[len - 1] == 'a' && line[len] == '\0');
    assert_int_equal(sw_linereader_next(r, &line, &len, &err), -1);
    char want[128];
    snprintf(want, sizeof(want), "%s:3: line longer than %u bytes", f.path,
             (unsigned)SW_LINEREADER_MAX_LINE);
    assert_string_equal(err.text, want);
    sw_linereader_close(r);
    unlink(f.path);

    /* without the '\r' the same line is exactly at the cap and allowed */
    n -= 2;
    data[n++] = '\n';
    write_tmp(&f, data, n, true);
    r = open_ok(f.path);
    expect_line(r, "short", 5);
    assert_int_equal(sw_linereader_next(r, &line, &len, &err), 1);
    assert_int_equal(len, 600000);
    assert_int_equal(sw_linereader_next(r, &line, &len, &err), 1);
    assert_int_equal(len, max);
    assert_true(line[0] == 'b' && line[len - 1] == 'b');
    expect_eof(r);
    sw_linereader_close(r);
    unlink(f.path);
    free(data);
}

/* A gzip file cut in half is an error, not a silent short read. */
static void test_truncated_gzip(void **state)
{
    (void)state;
    enum { N = 50000 };
    char *data = malloc((size_t)N * 24);
    assert_non_null(data);
    size_t n = 0;
    unsigned x = 1;
    for (int i = 0; i < N; i++) {
        x = x * 1103515245u + 12345u;
        n += (size_t)snprintf(data + n, 24, "%d %u\n", i, x);
    }
    struct tmpfile f;
    write_tmp(&f, data, n, true);
    struct stat st;
    assert_int_equal(stat(f.path, &st), 0);
    assert_int_equal(truncate(f.path, st.st_size / 2), 0);
    struct sw_linereader *r = open_ok(f.path);
    const char *line;
    size_t len;
    sw_error_t err = {{0}};
    int rc;
    size_t lines = 0;
    while ((rc = sw_linereader_next(r, &line, &len, &err)) == 1)
        lines++;
    assert_int_equal(rc, -1);
    assert_true(lines > 0 && lines < N);
    char want[160];
    snprintf(want, sizeof(want), "%s: read error after line ", f.path);
    assert_memory_equal(err.text, want, strlen(want));
    assert_non_null(strstr(err.text, "unexpected end of file"));
    sw_linereader_close(r);
    unlink(f.path);
    free(data);
}

static void test_open_errors(void **state)
{
    (void)state;
    sw_error_t err = {{0}};
    errno = 0;
    assert_null(sw_linereader_open("/nonexistent/t.swf", &err));
    assert_int_equal(errno, ENOENT);
    assert_string_equal(err.text,
                        "cannot open trace \"/nonexistent/t.swf\": No such file or directory");
    errno = 0;
    assert_null(sw_linereader_open("/tmp", &err));
    assert_int_equal(errno, EISDIR);
    assert_string_equal(err.text, "cannot open trace \"/tmp\": Is a directory");
    /* a NULL error pointer is allowed */
    assert_null(sw_linereader_open("/nonexistent/t.swf", NULL));
    sw_linereader_close(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain),
        cmocka_unit_test(test_gzip),
        cmocka_unit_test(test_empty_and_final_newline),
        cmocka_unit_test(test_many_lines),
        cmocka_unit_test(test_long_lines),
        cmocka_unit_test(test_truncated_gzip),
        cmocka_unit_test(test_open_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
