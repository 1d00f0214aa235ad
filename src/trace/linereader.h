/* linereader.h — read a text file line by line, plain or gzip-compressed
 * (detected from the content, not the name), through zlib.
 *
 * Lines of any length are returned whole, up to a hard cap (max_line);
 * a longer line is an error naming the line number. The returned pointer is
 * valid until the next call or close.
 */
#ifndef SW_TRACE_LINEREADER_H
#define SW_TRACE_LINEREADER_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

struct sw_linereader;

#define SW_LINEREADER_MAX_LINE (1u << 20)

/* Open `path`. Returns NULL with a message naming the path and the reason:
 * `cannot open trace "x.swf": No such file or directory` (directories are
 * refused with EISDIR). Close with sw_linereader_close(). */
struct sw_linereader *sw_linereader_open(const char *path, sw_error_t *err);

/* Next line without its '\n' (and '\r'). *len gets its length; the line is
 * also NUL-terminated at (*line)[*len] (it may hold NUL bytes of its own).
 * A last line without '\n' is returned too. Returns 1 with a line, 0 at end
 * of file, -1 on error, with a complete message naming the file and line:
 * "x.swf:12: line longer than 1048576 bytes" (the count includes a '\r'),
 * "x.swf.gz: read error after line 12: unexpected end of file" (truncated
 * gzip). */
int sw_linereader_next(struct sw_linereader *r, const char **line, size_t *len, sw_error_t *err);

/* 1-based number of the line last returned. */
size_t sw_linereader_lineno(const struct sw_linereader *r);

/* Bytes of the (compressed) file consumed so far and its total size, for
 * progress lines. The size is 0 when the file is not a regular file; the
 * offset makes a system call (lseek), so callers should not ask per line. */
uint64_t sw_linereader_offset(const struct sw_linereader *r);
uint64_t sw_linereader_size(const struct sw_linereader *r);

/* Close the file and free the reader. Accepts NULL; errno is preserved. */
void sw_linereader_close(struct sw_linereader *r);

#endif
