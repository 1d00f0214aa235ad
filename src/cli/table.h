/* table.h — what the user commands print for people: aligned tables whose
 * columns line up also for Chinese names (display width, not bytes), and
 * short forms of durations, times and sizes.
 *
 *     struct sw_table t;
 *     sw_table_init(&t, 3, "ID", ">TASKS", "NAME");   // '>' right-aligns
 *     sw_table_row(&t, "12", "4", "训练-7b");
 *     sw_table_print(&t, stdout);
 *     sw_table_free(&t);
 */
#ifndef SW_CLI_TABLE_H
#define SW_CLI_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SW_TABLE_MAX_COLS 16

struct sw_table {
    size_t ncols;
    const char *head[SW_TABLE_MAX_COLS]; /* static strings; a leading '>' right-aligns */
    char **cells;                        /* rows * ncols, owned */
    size_t nrows, cap;
    int oom;                             /* an append failed: print says so */
};

/* Start a table of `ncols` (<= SW_TABLE_MAX_COLS) columns named by the
 * following `ncols` static strings. */
void sw_table_init(struct sw_table *t, size_t ncols, ...);

/* Append a row of `ncols` strings (copied; NULL prints as "-"). Returns 0
 * or -1 (ENOMEM; the table remembers and print fails). */
int sw_table_row(struct sw_table *t, ...);

/* Print header and rows, columns separated by two spaces, the last column
 * not padded. Returns 0, or -1 when writing fails or a row was lost. */
int sw_table_print(const struct sw_table *t, FILE *out);

/* Free the rows; accepts a zeroed table. */
void sw_table_free(struct sw_table *t);

/* The number of terminal columns UTF-8 text takes (CJK wide characters 2,
 * combining marks 0, invalid bytes 1). */
size_t sw_display_width(const char *s);

/* A duration for people: "45s", "12m", "1h30m", "2d4h". */
void sw_fmt_duration(int64_t secs, char *out, size_t n);

/* An API time ("2026-11-26T08:01:02.345Z") as local "2026-11-26 16:01:02";
 * anything else is copied. */
void sw_fmt_time(const char *iso, char *out, size_t n);

/* Seconds since the epoch of an API time, or -1 when it is not one. */
int64_t sw_parse_api_time(const char *iso);

#endif
