/* status_file.c — writing and reading the exit-status file of a task's
 * supervisor (format: status_file.h). The writer runs in the supervisor, a
 * process forked from the multithreaded agent, so it uses only
 * async-signal-safe calls and formats numbers by hand.
 */
#define _GNU_SOURCE
#include "agent/status_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAGIC "suanwang-status 1"

/* Append `s` to out[*len]; `cap` is the room left guard. */
static void put_str(char *out, size_t *len, size_t cap, const char *s)
{
    while (*s && *len + 1 < cap)
        out[(*len)++] = *s++;
    out[*len] = '\0';
}

static void put_int(char *out, size_t *len, size_t cap, int64_t v)
{
    char digits[24];
    size_t n = 0;
    bool neg = v < 0;
    uint64_t u = neg ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        digits[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u && n < sizeof(digits));
    if (neg && *len + 1 < cap)
        out[(*len)++] = '-';
    while (n > 0 && *len + 1 < cap)
        out[(*len)++] = digits[--n];
    out[*len] = '\0';
}

size_t sw_status_format(char *out, int wait_status, int64_t ended_ms)
{
    int code = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 0;
    int sig = WIFSIGNALED(wait_status) ? WTERMSIG(wait_status) : 0;
    size_t len = 0, cap = SW_STATUS_LINE_MAX;
    out[0] = '\0';
    put_str(out, &len, cap, MAGIC " code ");
    put_int(out, &len, cap, code);
    put_str(out, &len, cap, " signal ");
    put_int(out, &len, cap, sig);
    put_str(out, &len, cap, " ended_ms ");
    put_int(out, &len, cap, ended_ms);
    put_str(out, &len, cap, "\n");
    return len;
}

int sw_status_parse(const char *text, struct sw_task_status *st)
{
    long long code, sig, ended;
    int used = 0;
    if (sscanf(text, MAGIC " code %lld signal %lld ended_ms %lld%n", &code, &sig, &ended,
               &used) != 3 ||
        (text[used] != '\n' && text[used] != '\0') || code < 0 || code > 255 || sig < 0 ||
        sig > 64 || (sig && code) || ended < 0)
        return -1;
    st->code = (int)code;
    st->signal = (int)sig;
    st->ended_ms = ended;
    return 0;
}

int sw_status_write(const char *path, const char *tmp_path, int wait_status, int64_t ended_ms)
{
    char line[SW_STATUS_LINE_MAX];
    size_t len = sw_status_format(line, wait_status, ended_ms);
    int fd = open(tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return -1;
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, line + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int e = errno;
            close(fd);
            errno = e;
            return -1;
        }
        off += (size_t)w;
    }
    if (fsync(fd) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    close(fd);
    return rename(tmp_path, path);
}

int sw_status_read(const char *path, struct sw_task_status *st)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return -1;
    char buf[SW_STATUS_LINE_MAX + 1];
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0) {
        errno = EINVAL;
        return -1;
    }
    buf[n] = '\0';
    if (sw_status_parse(buf, st) < 0) {
        errno = EINVAL;
        return -1;
    }
    return 0;
}
