/* swf.c — reader for the Standard Workload Format (see swf.h and
 * docs/swf.md): one pass over the file through the line reader, a
 * hand-written integer parser per field, the canonical filtering rules, then
 * the machine-size filter, the stable (submit, id) sort and --first.
 */
#include "trace/swf.h"

#include "core/job.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "trace/linereader.h"

enum {
    SWF_NFIELDS = 18,
    SWF_PROGRESS_EVERY = 1024, /* lines between looks at the byte offset */
    SWF_PROGRESS_CALLS = 100,
};

/* 0-based field indexes of the fields suanwang uses. */
enum swf_field {
    SWF_JOB_ID = 0,
    SWF_SUBMIT = 1,
    SWF_RUN_TIME = 3,
    SWF_ALLOC_PROCS = 4,
    SWF_REQ_PROCS = 7,
    SWF_REQ_TIME = 8,
    SWF_USER = 11,
};

/* Names of fields 1..18, for messages. */
static const char *const swf_field_names[SWF_NFIELDS] = {
    "job id", "submit time", "wait time", "run time", "allocated processors",
    "average CPU time", "used memory", "requested processors", "requested time",
    "requested memory", "status", "user id", "group id", "executable", "queue",
    "partition", "preceding job", "think time",
};

struct swf_reader {
    const char *path;
    const struct sw_swf_options *opt;
    struct sw_linereader *lr;
    struct sw_trace t;
    size_t cap;              /* jobs allocated in t.jobs */
    uint64_t progress_step;  /* bytes between progress calls */
    uint64_t progress_next;  /* offset of the next call */
};

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static size_t skip_space(const char *s, size_t len, size_t i)
{
    while (i < len && is_space(s[i]))
        i++;
    return i;
}

int sw_swf_parse_line(const char *line, size_t len, int64_t fields[18], sw_error_t *err)
{
    struct sw__trace_token tok[SWF_NFIELDS];
    size_t n = sw__trace_split(line, len, tok, SWF_NFIELDS);
    if (n != SWF_NFIELDS) {
        errno = EINVAL;
        return sw_errprintf(err, "expected %d fields, found %zu", SWF_NFIELDS, n);
    }
    int64_t values[SWF_NFIELDS];
    for (size_t i = 0; i < SWF_NFIELDS; i++) {
        const char *s = line + tok[i].off;
        int rc = sw__trace_parse_int(s, tok[i].len, true, &values[i]);
        if (rc != 0) {
            char quoted[200];
            errno = rc == -2 ? ERANGE : EINVAL;
            return sw_errprintf(err, "field %zu (%s): \"%s\" %s", i + 1, swf_field_names[i],
                                sw__trace_quote(s, tok[i].len, quoted, sizeof(quoted)),
                                rc == -2 ? "is out of range" : "is not an integer");
        }
    }
    /* times beyond any real log would overflow later sums */
    static const int time_fields[] = {2, 3, 4, 9};
    for (size_t k = 0; k < sizeof(time_fields) / sizeof(time_fields[0]); k++) {
        int f = time_fields[k];
        if (values[f - 1] > SW_TIME_MAX) {
            errno = ERANGE;
            return sw_errprintf(err, "field %d (%s): %lld is out of range (at most %lld s)", f,
                                swf_field_names[f - 1], (long long)values[f - 1],
                                (long long)SW_TIME_MAX);
        }
    }
    memcpy(fields, values, sizeof(values));
    return 0;
}

/* "; MaxProcs: N" / "; MaxNodes: N" (key, optional spaces, ':', integer;
 * anything after the integer is ignored). Stores N > 0 into *dst, the first
 * such line winning. */
static void parse_header_key(const char *s, size_t len, size_t i, const char *key,
                             int64_t *dst)
{
    size_t klen = strlen(key);
    if (*dst > 0 || len - i < klen || memcmp(s + i, key, klen) != 0)
        return;
    i = skip_space(s, len, i + klen);
    if (i >= len || s[i] != ':')
        return;
    i = skip_space(s, len, i + 1);
    size_t start = i;
    while (i < len && !is_space(s[i]))
        i++;
    int64_t v;
    if (sw__trace_parse_int(s + start, i - start, false, &v) == 0 && v > 0)
        *dst = v;
}

/* A header comment: everything after the ';'. */
static void parse_header(struct swf_reader *rd, const char *s, size_t len, size_t i)
{
    i = skip_space(s, len, i);
    parse_header_key(s, len, i, "MaxProcs", &rd->t.header_max_procs);
    parse_header_key(s, len, i, "MaxNodes", &rd->t.header_max_nodes);
}

/* A malformed line: fatal in strict mode, else counted and reported. */
static int malformed(struct swf_reader *rd, const char *msg, sw_error_t *err)
{
    size_t lineno = sw_linereader_lineno(rd->lr);
    if (rd->opt->strict) {
        errno = EINVAL;
        return sw_errprintf(err, "%s:%zu: %s", rd->path, lineno, msg);
    }
    rd->t.skipped.malformed++;
    if (rd->opt->warn) {
        sw_error_t full;
        sw_errprintf(&full, "%s:%zu: %s", rd->path, lineno, msg);
        rd->opt->warn(rd->opt->warn_arg, full.text);
    }
    return 0;
}

static int append_job(struct swf_reader *rd, const struct sw_trace_job *job, sw_error_t *err)
{
    if (rd->t.njobs == rd->cap) {
        size_t cap = rd->cap ? rd->cap * 2 : 4096;
        struct sw_trace_job *p = NULL;
        if (cap <= SIZE_MAX / sizeof(*p))
            p = realloc(rd->t.jobs, cap * sizeof(*p));
        if (!p) {
            errno = ENOMEM;
            return sw_errprintf(err, "%s: out of memory after %zu jobs", rd->path, rd->t.njobs);
        }
        rd->t.jobs = p;
        rd->cap = cap;
    }
    rd->t.jobs[rd->t.njobs++] = *job;
    return 0;
}

/* Apply the canonical rules to one record; keep it or count why not. */
static int add_record(struct swf_reader *rd, const int64_t f[SWF_NFIELDS], sw_error_t *err)
{
    if (f[SWF_JOB_ID] < 0) {
        sw_error_t msg;
        sw_errprintf(&msg, "field 1 (job id): %lld is negative", (long long)f[SWF_JOB_ID]);
        return malformed(rd, msg.text, err);
    }
    struct sw_trace_job job = {
        .id = (uint64_t)f[SWF_JOB_ID],
        .submit = f[SWF_SUBMIT],
        .runtime = f[SWF_RUN_TIME],
        .procs = f[SWF_REQ_PROCS] > 0 ? f[SWF_REQ_PROCS] : f[SWF_ALLOC_PROCS],
        .user = f[SWF_USER] >= 0 && f[SWF_USER] <= UINT32_MAX ? (uint32_t)f[SWF_USER] : 0,
    };
    job.estimate = f[SWF_REQ_TIME] > 0 ? f[SWF_REQ_TIME] : job.runtime;
    if (job.runtime > job.estimate)
        job.runtime = job.estimate;
    struct sw_trace_skips *sk = &rd->t.skipped;
    if (job.runtime <= 0)
        sk->runtime++;
    else if (job.procs <= 0)
        sk->procs++;
    else if (job.submit < 0)
        sk->submit++;
    else
        return append_job(rd, &job, err);
    return 0;
}

static int handle_line(struct swf_reader *rd, const char *line, size_t len, sw_error_t *err)
{
    size_t i = skip_space(line, len, 0);
    if (i == len)
        return 0;
    if (line[i] == ';') {
        parse_header(rd, line, len, i + 1);
        return 0;
    }
    rd->t.records++;
    int64_t f[SWF_NFIELDS];
    sw_error_t msg;
    if (sw_swf_parse_line(line, len, f, &msg) != 0)
        return malformed(rd, msg.text, err);
    return add_record(rd, f, err);
}

static void progress_start(struct swf_reader *rd)
{
    uint64_t size = sw_linereader_size(rd->lr);
    rd->progress_step = size / SWF_PROGRESS_CALLS ? size / SWF_PROGRESS_CALLS : 1;
    rd->progress_next = rd->progress_step;
}

/* Report progress when the offset has moved a hundredth of the file on. */
static void progress_tick(struct swf_reader *rd)
{
    const struct sw_swf_options *opt = rd->opt;
    size_t lineno = sw_linereader_lineno(rd->lr);
    if (!opt->progress || lineno % SWF_PROGRESS_EVERY != 0)
        return;
    uint64_t size = sw_linereader_size(rd->lr);
    uint64_t done = sw_linereader_offset(rd->lr);
    if (size == 0 || done < rd->progress_next)
        return;
    rd->progress_next = done + rd->progress_step;
    opt->progress(opt->progress_arg, done < size ? done : size, size);
}

static void progress_end(struct swf_reader *rd)
{
    const struct sw_swf_options *opt = rd->opt;
    if (!opt->progress)
        return;
    uint64_t size = sw_linereader_size(rd->lr);
    uint64_t done = sw_linereader_offset(rd->lr);
    opt->progress(opt->progress_arg, size ? size : done, size ? size : done);
}

static int read_lines(struct swf_reader *rd, sw_error_t *err)
{
    const char *line;
    size_t len;
    int rc;
    progress_start(rd);
    while ((rc = sw_linereader_next(rd->lr, &line, &len, err)) == 1) {
        if (handle_line(rd, line, len, err) != 0)
            return -1;
        progress_tick(rd);
    }
    rd->t.lines = sw_linereader_lineno(rd->lr);
    if (rc == 0)
        progress_end(rd);
    return rc;
}

/* Machine size: --procs, header MaxProcs, MaxNodes, else the largest job. */
static void choose_machine(struct sw_trace *t, int64_t procs)
{
    if (procs > 0) {
        t->machine_procs = procs;
        t->machine_source = "--procs";
    } else if (t->header_max_procs > 0) {
        t->machine_procs = t->header_max_procs;
        t->machine_source = "MaxProcs";
    } else if (t->header_max_nodes > 0) {
        t->machine_procs = t->header_max_nodes;
        t->machine_source = "MaxNodes";
    } else {
        t->machine_procs = 0;
        for (size_t i = 0; i < t->njobs; i++) {
            if (t->jobs[i].procs > t->machine_procs)
                t->machine_procs = t->jobs[i].procs;
        }
        t->machine_source = "largest job";
    }
}

static void drop_too_big(struct sw_trace *t)
{
    size_t kept = 0;
    for (size_t i = 0; i < t->njobs; i++) {
        if (t->jobs[i].procs > t->machine_procs)
            t->skipped.too_big++;
        else
            t->jobs[kept++] = t->jobs[i];
    }
    t->njobs = kept;
}

/* Keep the first n jobs, giving back the memory of the rest. */
static void keep_first(struct sw_trace *t, size_t n)
{
    if (n == 0 || n >= t->njobs)
        return;
    t->njobs = n;
    struct sw_trace_job *p = realloc(t->jobs, n * sizeof(*p));
    if (p)
        t->jobs = p;
}

static int finish(struct swf_reader *rd, sw_error_t *err)
{
    struct sw_trace *t = &rd->t;
    choose_machine(t, rd->opt->procs);
    drop_too_big(t);
    if (sw_trace_sort(t) != 0)
        return sw_errprintf(err, "%s: out of memory sorting %zu jobs", rd->path, t->njobs);
    keep_first(t, rd->opt->first);
    return 0;
}

int sw_swf_read(const char *path, const struct sw_swf_options *opt, struct sw_trace *out,
                sw_error_t *err)
{
    static const struct sw_swf_options defaults = { 0 };
    struct swf_reader rd = { .path = path, .opt = opt ? opt : &defaults };
    memset(out, 0, sizeof(*out));
    rd.lr = sw_linereader_open(path, err);
    if (!rd.lr)
        return -1;
    int rc = read_lines(&rd, err);
    if (rc == 0)
        rc = finish(&rd, err);
    sw_linereader_close(rd.lr);
    if (rc != 0) {
        sw_trace_free(&rd.t);
        return -1;
    }
    *out = rd.t;
    return 0;
}
