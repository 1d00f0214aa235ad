/* result.c — ownership of a simulation's result (see result.h): the job
 * records and samples are the only heap memory a result owns.
 */
#include "sim/result.h"

#include <errno.h>
#include <stdlib.h>

void sw_sim_result_free(struct sw_sim_result *r)
{
    if (!r)
        return;
    int saved = errno;
    free(r->jobs);
    r->jobs = NULL;
    r->njobs = 0;
    free(r->samples);
    r->samples = NULL;
    r->nsamples = 0;
    errno = saved;
}
