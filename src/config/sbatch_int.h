/* sbatch_int.h — shared between sbatch.c (reading the directives) and
 * sbatch_job.c (mapping them to a job); not for other modules.
 */
#ifndef SW_CONFIG_SBATCH_INT_H
#define SW_CONFIG_SBATCH_INT_H

#include <stdint.h>

#include "config/sbatch.h"

/* Append one warning line (no newline in fmt) to sb->warnings. Returns 0,
 * or -1 with ENOMEM or EFBIG. */
int sw__sbatch_warn(struct sw_sbatch *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A whole number in [min, max] written as Slurm's option parsers take it
 * (digits only). Returns 0, or -1 (errno is not meaningful). */
int sw__sbatch_count(const char *s, int64_t min, int64_t max, int64_t *out);

#endif
