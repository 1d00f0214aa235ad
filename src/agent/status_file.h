/* status_file.h — the exit-status file a task's supervisor leaves in its
 * attempt directory (WORK/JOB/TASK.ATTEMPT/status.RANK), so that an agent
 * started after the task ended still learns how it ended.
 *
 * One line of text:
 *     suanwang-status 1 code C signal S ended_ms T
 * C is the exit code (0..255) when the task exited, S the signal that ended
 * it (0 when it exited), T when it ended (wall clock, ms since the epoch).
 * The supervisor writes it to status.RANK.tmp, fsyncs it and renames it, so
 * a reader sees the whole line or no file.
 */
#ifndef SW_AGENT_STATUS_FILE_H
#define SW_AGENT_STATUS_FILE_H

#include <stddef.h>
#include <stdint.h>

struct sw_task_status {
    int code;         /* exit code; 0 when a signal ended it */
    int signal;       /* 0 when it exited */
    int64_t ended_ms; /* wall clock */
};

#define SW_STATUS_LINE_MAX 96

/* Format the line into `out` (at least SW_STATUS_LINE_MAX bytes) from a
 * wait status; returns its length. Async-signal-safe (no stdio, no malloc):
 * the supervisor calls it in a process forked from the multithreaded agent. */
size_t sw_status_format(char *out, int wait_status, int64_t ended_ms);

/* Parse a line; 0, or -1 when it is not one this version writes. */
int sw_status_parse(const char *text, struct sw_task_status *st);

/* Write the file atomically: PATH.tmp, fsync, rename to PATH.
 * Async-signal-safe. Returns 0 or -1 with errno. */
int sw_status_write(const char *path, const char *tmp_path, int wait_status, int64_t ended_ms);

/* Read and parse PATH: 0, or -1 (errno ENOENT when there is none yet,
 * EINVAL when it is not a status line). */
int sw_status_read(const char *path, struct sw_task_status *st);

#endif
