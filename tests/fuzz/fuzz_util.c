/* fuzz_util.c — helpers of the fuzz targets (fuzz.h): the per-process
 * temporary input file, NUL-terminated copies, invariant failures. */
#include "fuzz.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char temp_path[4096];
static int temp_fd = -1;

static void temp_remove(void)
{
    if (temp_fd >= 0) {
        close(temp_fd);
        unlink(temp_path);
        temp_fd = -1;
    }
}

const char *fuzz_temp_file(const uint8_t *data, size_t size)
{
    if (temp_fd < 0) {
        const char *dir = getenv("TMPDIR");
        if (!dir || !dir[0])
            dir = "/tmp";
        int n = snprintf(temp_path, sizeof(temp_path), "%s/sw-fuzz-XXXXXX", dir);
        if (n < 0 || (size_t)n >= sizeof(temp_path)) {
            fprintf(stderr, "fuzz: TMPDIR is too long\n");
            abort();
        }
        temp_fd = mkstemp(temp_path);
        if (temp_fd < 0) {
            fprintf(stderr, "fuzz: cannot create %s: %s\n", temp_path, strerror(errno));
            abort();
        }
        atexit(temp_remove);
    }
    if (ftruncate(temp_fd, 0) != 0) {
        fprintf(stderr, "fuzz: cannot truncate %s: %s\n", temp_path, strerror(errno));
        abort();
    }
    size_t done = 0;
    while (done < size) {
        ssize_t w = pwrite(temp_fd, data + done, size - done, (off_t)done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            fprintf(stderr, "fuzz: cannot write %s: %s\n", temp_path, strerror(errno));
            abort();
        }
        done += (size_t)w;
    }
    return temp_path;
}

char *fuzz_strndup(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s) {
        fprintf(stderr, "fuzz: out of memory\n");
        abort();
    }
    if (size)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

_Noreturn void fuzz_fail(const char *file, int line, const char *what)
{
    fprintf(stderr, "%s:%d: invariant broken: %s\n", file, line, what);
    abort();
}
