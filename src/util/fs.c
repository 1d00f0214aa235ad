/* fs.c — small file-system helpers (see fs.h). */
#include "util/fs.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

/* Make `dir` unless it is already a directory. */
static int mkdir_one(const char *dir, sw_error_t *err)
{
    if (mkdir(dir, 0755) == 0)
        return 0;
    if (errno != EEXIST)
        return sw_errprintf(err, "%s: cannot create directory: %s", dir, strerror(errno));
    struct stat st;
    if (stat(dir, &st) != 0)
        return sw_errprintf(err, "%s: %s", dir, strerror(errno));
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return sw_errprintf(err, "%s: exists and is not a directory", dir);
    }
    return 0;
}

/* Make `dir` and any missing parents, like `mkdir -p`. */
int sw_mkdir_p(const char *dir, sw_error_t *err)
{
    char path[4096];
    size_t len = strlen(dir);
    if (len == 0 || len >= sizeof(path)) {
        errno = ENAMETOOLONG;
        return sw_errprintf(err, "directory name is empty or too long");
    }
    memcpy(path, dir, len + 1);
    for (size_t i = 1; i < len; i++) {
        if (path[i] != '/')
            continue;
        path[i] = '\0';
        struct stat st;
        if (stat(path, &st) != 0 && mkdir_one(path, err) < 0)
            return -1;
        path[i] = '/';
    }
    return mkdir_one(path, err);
}

