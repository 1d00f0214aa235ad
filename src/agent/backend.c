/* backend.c — choosing a backend by name, and the clocks the agent uses. */
#include "agent/backend.h"
#include "agent/backend_slurm.h"

#include <errno.h>
#include <string.h>
#include <time.h>

struct sw_agent_backend *sw_agent_backend_create(const char *name, const struct sw_agent_backend_config *cfg,
                                     sw_error_t *err)
{
    if (!name || strcmp(name, "local") == 0)
        return sw_agent_backend_local_create(cfg, err);
    if (strcmp(name, "slurm") == 0)
        return sw_agent_backend_slurm_create(cfg, err);
    errno = EINVAL;
    if (strcmp(name, "kubernetes") == 0)
        sw_errprintf(err, "backend \"%s\" is not implemented yet; use --backend local or slurm", name);
    else
        sw_errprintf(err, "unknown backend \"%s\"; use --backend local or slurm", name);
    return NULL;
}

int64_t sw_agent_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t sw_agent_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
