/* fuzz.h — shared by the fuzz targets (tests/fuzz/fuzz_*.c): the libFuzzer
 * entry point every target defines, a per-process temporary file for the
 * parsers that only read from a path, NUL-terminated copies of the input,
 * and a check that aborts (a crash libFuzzer and the replay driver report)
 * when an invariant of a parser's output does not hold. docs/fuzzing.md.
 */
#ifndef SW_FUZZ_H
#define SW_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Each target: parse `data[0..size)` the way the program does, check what
 * it can about the result, free everything; return 0. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Write data[0..size) to this process's temporary file (created on first
 * use under $TMPDIR, else /tmp; removed at exit) and return its path. Aborts
 * when the file cannot be written. */
const char *fuzz_temp_file(const uint8_t *data, size_t size);

/* A malloc'ed copy of data[0..size) with a NUL after it (aborts on ENOMEM). */
char *fuzz_strndup(const uint8_t *data, size_t size);

/* Abort with a message naming the target's file and line when `cond` is
 * false: an output invariant of the parser is broken. */
#define FUZZ_CHECK(cond) \
    ((cond) ? (void)0 : fuzz_fail(__FILE__, __LINE__, #cond))

_Noreturn void fuzz_fail(const char *file, int line, const char *what);

struct sw_network;
struct sw_jobspec;
struct sw_trace;

/* Replay a loaded trace through the simulator as `suanwang sim --trace`
 * does (EASY backfilling, and conservative when the trace is small), and
 * check that every invariant the simulator checks holds. The simulator may
 * refuse the trace with a message (times beyond its range), unless
 * `must_run`. Traces of more than `max_jobs` jobs are left alone (time). */
void fuzz_simulate(const struct sw_trace *t, size_t max_jobs, bool must_run);

/* The demo's network (examples/small-gd.json, compiled in), parsed once. */
const struct sw_network *fuzz_demo_network(void);

/* Admit `js` on `net` as the controller does (resolve its names, place it
 * with an empty queue) and check the estimate of a placement that succeeds;
 * place it a second time (the filtered pools are cached) and check that the
 * answer is the same. Frees what it allocates. */
void fuzz_place(const struct sw_network *net, const struct sw_jobspec *js);

#endif
