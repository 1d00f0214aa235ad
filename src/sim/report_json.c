/* report_json.c — the metrics of a simulation as one JSON object: what
 * `suanwang sim --json` prints and metrics.json holds. Keys, meanings and
 * units are listed in docs/report.md. Integers are JSON integers, reals JSON
 * reals; metrics.c guarantees no NaN or infinity (all 0 with no jobs).
 */
#include "sim/report.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

/* Bound of bounded slowdown (s); metrics.c uses the same value. */
enum { REPORT_BSLD_TAU_S = 10 };

/* A JSON string from a fixed-size text field that may lack its NUL or hold
 * bytes that are not UTF-8 (trace file names): invalid input is kept with
 * every non-ASCII byte replaced by '?', so the key is never lost. */
static json_t *json_text(const char *s, size_t cap)
{
    if (!s)
        return json_null();
    size_t n = strnlen(s, cap);
    json_t *j = json_stringn(s, n);
    if (j)
        return j;
    char buf[512];
    if (n >= sizeof(buf))
        n = sizeof(buf) - 1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        buf[i] = (c >= 0x80 || c == 0) ? '?' : (char)c;
    }
    return json_stringn(buf, n);
}

/* Each setter steals `value` (json_object_set_new does, even on failure). */
static int put(json_t *obj, const char *key, json_t *value)
{
    return json_object_set_new(obj, key, value);
}

static int put_int(json_t *obj, const char *key, long long v)
{
    return put(obj, key, json_integer((json_int_t)v));
}

static int put_real(json_t *obj, const char *key, double v)
{
    return put(obj, key, json_real(v));
}

static json_t *skips_json(const struct sw_trace_skips *s)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    size_t total = s->runtime + s->procs + s->submit + s->too_big + s->estimate +
                   s->malformed;
    int rc = 0;
    rc |= put_int(o, "runtime", (long long)s->runtime);
    rc |= put_int(o, "procs", (long long)s->procs);
    rc |= put_int(o, "submit", (long long)s->submit);
    rc |= put_int(o, "too_big", (long long)s->too_big);
    rc |= put_int(o, "estimate", (long long)s->estimate);
    rc |= put_int(o, "malformed", (long long)s->malformed);
    rc |= put_int(o, "total", (long long)total);
    if (rc != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static int put_identity(json_t *o, const struct sw_sim_result *r)
{
    int rc = 0;
    rc |= put(o, "trace", json_text(r->trace, sizeof(r->trace)));
    rc |= put(o, "policy", json_text(r->policy, sizeof(r->policy)));
    rc |= put(o, "order", json_text(r->order, sizeof(r->order)));
    rc |= put_int(o, "jobs", (long long)r->metrics.jobs);
    rc |= put_int(o, "procs", r->metrics.procs);
    rc |= put(o, "machine_source", json_text(r->machine_source, SIZE_MAX));
    return rc;
}

static int put_metrics(json_t *o, const struct sw_sim_metrics *m)
{
    int rc = 0;
    rc |= put_real(o, "mean_wait_s", m->mean_wait_s);
    rc |= put_int(o, "max_wait_s", m->max_wait_s);
    rc |= put_real(o, "median_wait_s", m->median_wait_s);
    rc |= put_real(o, "p95_wait_s", m->p95_wait_s);
    rc |= put_real(o, "mean_bounded_slowdown", m->mean_bounded_slowdown);
    rc |= put_real(o, "max_bounded_slowdown", m->max_bounded_slowdown);
    rc |= put_int(o, "bounded_slowdown_tau_s", REPORT_BSLD_TAU_S);
    rc |= put_real(o, "mean_response_s", m->mean_response_s);
    rc |= put_real(o, "utilization", m->utilization);
    rc |= put_int(o, "makespan_s", m->makespan_s);
    rc |= put_int(o, "first_submit", m->first_submit);
    rc |= put_int(o, "last_end", m->last_end);
    rc |= put_int(o, "max_queued", (long long)m->max_queued);
    return rc;
}

json_t *sw_report_metrics_json(const struct sw_sim_result *r)
{
    json_t *o = json_object();
    if (!o)
        goto out_nomem;
    int rc = put_identity(o, r);
    rc |= put_metrics(o, &r->metrics);
    rc |= put_int(o, "lines_read", (long long)r->lines_read);
    rc |= put(o, "skipped", skips_json(&r->skipped));
    if (rc != 0)
        goto out_nomem;
    return o;
out_nomem:
    json_decref(o);
    errno = ENOMEM;
    return NULL;
}
