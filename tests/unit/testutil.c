/* testutil.c — see testutil.h. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

const char *sw_test_traces_dir(void)
{
    const char *dir = getenv("SUANWANG_TRACES");
    if (!dir || !*dir)
        dir = SW_TRACES_DEFAULT;
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        printf("# SKIP: real traces not found at %s (set SUANWANG_TRACES)\n", dir);
        return NULL;
    }
    return dir;
}

const char *sw_test_trace_path(const char *relative)
{
    static char path[4096];
    const char *dir = sw_test_traces_dir();
    if (!dir)
        return NULL;
    snprintf(path, sizeof(path), "%s/%s", dir, relative);
    struct stat st;
    if (stat(path, &st) != 0) {
        printf("# SKIP: trace %s not found\n", path);
        return NULL;
    }
    return path;
}

const char *sw_test_data_path(const char *name)
{
    static char path[4096];
    snprintf(path, sizeof(path), "%s/%s", SW_TEST_DATA_DIR, name);
    return path;
}
