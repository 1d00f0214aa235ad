/* pyss.c — reader for the pyss simulator's hand-made test cases (see pyss.h
 * and docs/swf.md): eight fields a line, '#' comments, the job id text kept
 * as a label because it encodes the expected finish time. Used by the
 * golden tests that replay those cases through the schedulers.
 */
#include "trace/pyss.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "trace/linereader.h"

enum {
    PYSS_NFIELDS = 8,
    PYSS_DEFAULT_PROCS = 100, /* the pyss test machine */
};

/* 0-based field indexes. */
enum pyss_field {
    PYSS_SUBMIT = 0,
    PYSS_ID = 1,
    PYSS_ESTIMATE = 2,
    PYSS_PROCS = 3,
    PYSS_RUNTIME = 4,
    PYSS_USER = 7,
};

static const char *const pyss_field_names[PYSS_NFIELDS] = {
    "submit_time",    "job_id",    "estimated_runtime", "num_procs",
    "actual_runtime", "admin_QoS", "user_QoS",          "user_id",
};

struct pyss_reader {
    const char *path;
    struct sw_linereader *lr;
    struct sw_trace t;
    size_t cap;        /* entries allocated in t.jobs and t.labels */
    uint64_t position; /* job lines seen so far: the next job's id - 1 */
};

/* Integer field `i` of the line, or -1 with a message. */
static int int_field(const struct pyss_reader *rd, const char *line,
                     const struct sw__trace_token *tok, size_t i, int64_t *out, sw_error_t *err)
{
    const char *s = line + tok[i].off;
    int rc = sw__trace_parse_int(s, tok[i].len, false, out);
    if (rc == 0)
        return 0;
    char quoted[200];
    errno = rc == -2 ? ERANGE : EINVAL;
    return sw_errprintf(err, "%s:%zu: field %zu (%s): \"%s\" %s", rd->path,
                        sw_linereader_lineno(rd->lr), i + 1, pyss_field_names[i],
                        sw__trace_quote(s, tok[i].len, quoted, sizeof(quoted)),
                        rc == -2 ? "is out of range" : "is not an integer");
}

/* "uid_12" -> 12: the digits after the last '_'; 0 when there are none or
 * the number does not fit a uint32. */
static uint32_t parse_user(const char *s, size_t n)
{
    const char *underscore = NULL;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '_')
            underscore = s + i;
    }
    if (!underscore)
        return 0;
    const char *digits = underscore + 1;
    size_t ndigits = (size_t)(s + n - digits);
    int64_t v;
    if (ndigits == 0 || digits[0] == '-' || digits[0] == '+' ||
        sw__trace_parse_int(digits, ndigits, false, &v) != 0 || v > UINT32_MAX)
        return 0;
    return (uint32_t)v;
}

static int grow(struct pyss_reader *rd, sw_error_t *err)
{
    size_t cap = rd->cap ? rd->cap * 2 : 64;
    struct sw_trace_job *jobs = realloc(rd->t.jobs, cap * sizeof(*jobs));
    if (jobs)
        rd->t.jobs = jobs;
    char **labels = jobs ? realloc(rd->t.labels, cap * sizeof(*labels)) : NULL;
    if (labels)
        rd->t.labels = labels;
    if (!jobs || !labels) {
        errno = ENOMEM;
        return sw_errprintf(err, "%s: out of memory after %zu jobs", rd->path, rd->t.njobs);
    }
    rd->cap = cap;
    return 0;
}

static int append_job(struct pyss_reader *rd, const struct sw_trace_job *job, const char *label,
                      size_t label_len, sw_error_t *err)
{
    if (rd->t.njobs == rd->cap && grow(rd, err) != 0)
        return -1;
    char *copy = strndup(label, label_len);
    if (!copy) {
        errno = ENOMEM;
        return sw_errprintf(err, "%s: out of memory after %zu jobs", rd->path, rd->t.njobs);
    }
    rd->t.labels[rd->t.njobs] = copy;
    rd->t.jobs[rd->t.njobs++] = *job;
    return 0;
}

/* Count why a job is left out; false when it is kept. */
static bool skip_job(struct sw_trace_skips *sk, const struct sw_trace_job *job)
{
    if (job->runtime <= 0)
        sk->runtime++;
    else if (job->procs <= 0)
        sk->procs++;
    else if (job->submit < 0)
        sk->submit++;
    else if (job->estimate < job->runtime)
        sk->estimate++;
    else
        return false;
    return true;
}

static int add_record(struct pyss_reader *rd, const char *line, const struct sw__trace_token *tok,
                      sw_error_t *err)
{
    struct sw_trace_job job = { .id = ++rd->position };
    if (int_field(rd, line, tok, PYSS_SUBMIT, &job.submit, err) != 0 ||
        int_field(rd, line, tok, PYSS_ESTIMATE, &job.estimate, err) != 0 ||
        int_field(rd, line, tok, PYSS_PROCS, &job.procs, err) != 0 ||
        int_field(rd, line, tok, PYSS_RUNTIME, &job.runtime, err) != 0)
        return -1;
    job.user = parse_user(line + tok[PYSS_USER].off, tok[PYSS_USER].len);
    if (skip_job(&rd->t.skipped, &job))
        return 0;
    return append_job(rd, &job, line + tok[PYSS_ID].off, tok[PYSS_ID].len, err);
}

static int handle_line(struct pyss_reader *rd, const char *line, size_t len, sw_error_t *err)
{
    const char *hash = memchr(line, '#', len);
    if (hash)
        len = (size_t)(hash - line);
    struct sw__trace_token tok[PYSS_NFIELDS];
    size_t n = sw__trace_split(line, len, tok, PYSS_NFIELDS);
    if (n == 0)
        return 0;
    rd->t.records++;
    if (n != PYSS_NFIELDS) {
        errno = EINVAL;
        return sw_errprintf(err, "%s:%zu: expected %d fields, found %zu", rd->path,
                            sw_linereader_lineno(rd->lr), PYSS_NFIELDS, n);
    }
    return add_record(rd, line, tok, err);
}

static int read_lines(struct pyss_reader *rd, sw_error_t *err)
{
    const char *line;
    size_t len;
    int rc;
    while ((rc = sw_linereader_next(rd->lr, &line, &len, err)) == 1) {
        if (handle_line(rd, line, len, err) != 0)
            return -1;
    }
    rd->t.lines = sw_linereader_lineno(rd->lr);
    return rc;
}

static void drop_too_big(struct sw_trace *t)
{
    size_t kept = 0;
    for (size_t i = 0; i < t->njobs; i++) {
        if (t->jobs[i].procs > t->machine_procs) {
            t->skipped.too_big++;
            free(t->labels[i]);
            continue;
        }
        t->labels[kept] = t->labels[i];
        t->jobs[kept++] = t->jobs[i];
    }
    t->njobs = kept;
}

static int finish(struct pyss_reader *rd, int64_t procs, sw_error_t *err)
{
    struct sw_trace *t = &rd->t;
    t->machine_procs = procs > 0 ? procs : PYSS_DEFAULT_PROCS;
    t->machine_source = procs > 0 ? "--procs" : "pyss default (100)";
    drop_too_big(t);
    if (sw_trace_sort(t) != 0)
        return sw_errprintf(err, "%s: out of memory sorting %zu jobs", rd->path, t->njobs);
    return 0;
}

int sw_pyss_read(const char *path, int64_t procs, struct sw_trace *out, sw_error_t *err)
{
    struct pyss_reader rd = { .path = path };
    memset(out, 0, sizeof(*out));
    rd.lr = sw_linereader_open(path, err);
    if (!rd.lr)
        return -1;
    int rc = read_lines(&rd, err);
    if (rc == 0)
        rc = finish(&rd, procs, err);
    sw_linereader_close(rd.lr);
    if (rc != 0) {
        sw_trace_free(&rd.t);
        return -1;
    }
    *out = rd.t;
    return 0;
}

int64_t sw_pyss_expected_finish(const char *label)
{
    if (!label)
        return -1;
    size_t n = 0;
    while (label[n] >= '0' && label[n] <= '9')
        n++;
    int64_t v;
    if (n == 0 || sw__trace_parse_int(label, n, false, &v) != 0)
        return -1;
    return v;
}
