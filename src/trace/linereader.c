/* linereader.c — line-by-line reading of plain or gzip-compressed text
 * through zlib (see linereader.h). zlib's gz* functions detect gzip by its
 * magic bytes and pass other files through unchanged, so one code path
 * reads both.
 *
 * Lines are returned in place from one buffer: reads go in 256 KiB chunks,
 * a partial line is moved to the front before the next read, and the buffer
 * doubles (up to SW_LINEREADER_MAX_LINE + 2 bytes) only for lines longer
 * than it.
 */
#include "trace/linereader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

enum {
    LINEREADER_CHUNK = 256 * 1024,     /* initial buffer and zlib buffer */
    LINEREADER_CAP_MAX = SW_LINEREADER_MAX_LINE + 2, /* longest line, '\n', NUL */
};

struct sw_linereader {
    gzFile gz;
    char *path;      /* for messages */
    char *buf;
    size_t cap;      /* bytes allocated */
    size_t start;    /* first byte not yet returned */
    size_t scanned;  /* buf[start..scanned) holds no '\n' */
    size_t end;      /* end of the bytes read */
    size_t lineno;
    uint64_t size;   /* file size (0 when not a regular file) */
    bool eof;
};

static int open_failed(const char *path, int errnum, sw_error_t *err)
{
    errno = errnum;
    return sw_errprintf(err, "cannot open trace \"%s\": %s", path, strerror(errnum));
}

/* Open the file descriptor, refusing directories (which open() accepts). */
static int open_fd(const char *path, uint64_t *size, sw_error_t *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        open_failed(path, errno, err);
        return -1;
    }
    struct stat st;
    int errnum = 0;
    if (fstat(fd, &st) != 0)
        errnum = errno;
    else if (S_ISDIR(st.st_mode))
        errnum = EISDIR;
    if (errnum != 0) {
        close(fd);
        open_failed(path, errnum, err);
        return -1;
    }
    *size = S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
    return fd;
}

struct sw_linereader *sw_linereader_open(const char *path, sw_error_t *err)
{
    struct sw_linereader *r = calloc(1, sizeof(*r));
    if (!r) {
        open_failed(path, ENOMEM, err);
        return NULL;
    }
    r->path = strdup(path);
    r->cap = LINEREADER_CHUNK;
    r->buf = malloc(r->cap);
    if (!r->path || !r->buf) {
        open_failed(path, ENOMEM, err);
        goto out_free_reader;
    }
    int fd = open_fd(path, &r->size, err);
    if (fd < 0)
        goto out_free_reader;
    r->gz = gzdopen(fd, "rb");
    if (!r->gz) {
        close(fd);
        open_failed(path, ENOMEM, err);
        goto out_free_reader;
    }
    gzbuffer(r->gz, LINEREADER_CHUNK);
    return r;
out_free_reader:
    free(r->buf);
    free(r->path);
    free(r);
    return NULL;
}

/* zlib's description of the last error, for messages. */
static const char *gz_message(gzFile gz, int *errnum)
{
    const char *msg = gzerror(gz, errnum);
    if (*errnum == Z_ERRNO)
        return strerror(errno);
    /* zlib prefixes the name it was opened with: "<fd:3>: " */
    if (msg && msg[0] == '<') {
        const char *p = strstr(msg, ">: ");
        if (p)
            msg = p + 3;
    }
    return msg && *msg ? msg : "read error";
}

/* Move the unreturned bytes to the front, grow the buffer when a line
 * fills it, and read more. Returns 0 (r->eof set at end of file) or -1. */
static int fill(struct sw_linereader *r, sw_error_t *err)
{
    if (r->start > 0) {
        memmove(r->buf, r->buf + r->start, r->end - r->start);
        r->end -= r->start;
        r->scanned -= r->start;
        r->start = 0;
    }
    if (r->end + 1 >= r->cap) {
        size_t cap = r->cap * 2 < LINEREADER_CAP_MAX ? r->cap * 2 : LINEREADER_CAP_MAX;
        char *p = realloc(r->buf, cap);
        if (!p)
            return sw_errprintf(err, "%s:%zu: out of memory for a long line", r->path,
                                r->lineno + 1);
        r->buf = p;
        r->cap = cap;
    }
    int n = gzread(r->gz, r->buf + r->end, (unsigned)(r->cap - r->end - 1));
    int errnum = Z_OK;
    const char *msg = n < 0 ? gz_message(r->gz, &errnum) : NULL;
    if (n == 0) {
        msg = gz_message(r->gz, &errnum);
        r->eof = true;
    }
    if (errnum != Z_OK) {
        errno = EIO;
        return sw_errprintf(err, "%s: read error after line %zu: %s", r->path, r->lineno, msg);
    }
    if (n > 0)
        r->end += (size_t)n;
    return 0;
}

/* Hand out buf[start..start+n) as the next line, NUL-terminated, without a
 * trailing '\r'; `consumed` bytes (the line and its '\n') are used up. */
static int give_line(struct sw_linereader *r, size_t n, size_t consumed, const char **line,
                     size_t *len)
{
    char *p = r->buf + r->start;
    if (n > 0 && p[n - 1] == '\r')
        n--;
    p[n] = '\0';
    r->start += consumed;
    r->scanned = r->start;
    r->lineno++;
    *line = p;
    *len = n;
    return 1;
}

int sw_linereader_next(struct sw_linereader *r, const char **line, size_t *len, sw_error_t *err)
{
    for (;;) {
        char *nl = memchr(r->buf + r->scanned, '\n', r->end - r->scanned);
        size_t n = nl ? (size_t)(nl - (r->buf + r->start)) : r->end - r->start;
        if (n > SW_LINEREADER_MAX_LINE) {
            errno = EFBIG;
            return sw_errprintf(err, "%s:%zu: line longer than %u bytes", r->path,
                                r->lineno + 1, (unsigned)SW_LINEREADER_MAX_LINE);
        }
        if (nl)
            return give_line(r, n, n + 1, line, len);
        r->scanned = r->end;
        if (r->eof)
            return n > 0 ? give_line(r, n, n, line, len) : 0;
        if (fill(r, err) != 0)
            return -1;
    }
}

size_t sw_linereader_lineno(const struct sw_linereader *r)
{
    return r->lineno;
}

uint64_t sw_linereader_offset(const struct sw_linereader *r)
{
    z_off_t off = gzoffset(r->gz);
    return off > 0 ? (uint64_t)off : 0;
}

uint64_t sw_linereader_size(const struct sw_linereader *r)
{
    return r->size;
}

void sw_linereader_close(struct sw_linereader *r)
{
    if (!r)
        return;
    int saved = errno;
    gzclose(r->gz);
    free(r->buf);
    free(r->path);
    free(r);
    errno = saved;
}
