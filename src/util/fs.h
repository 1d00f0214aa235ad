/* fs.h — small file-system helpers for the shells around the core. */
#ifndef SW_UTIL_FS_H
#define SW_UTIL_FS_H

#include "util/error.h"

/* Create `dir` and any missing parents, like `mkdir -p` (mode 0755). An
 * existing directory is fine; an existing non-directory fails with ENOTDIR.
 * Messages name the path. */
int sw_mkdir_p(const char *dir, sw_error_t *err);

#endif
