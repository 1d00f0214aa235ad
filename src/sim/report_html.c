/* report_html.c — index.html, the human-readable report of a simulation,
 * and sw_report_write_dir(), which writes it beside metrics.json and
 * jobs.csv.
 *
 * The page is self-contained and works offline: inline CSS, inline SVG
 * drawn here, no script, no external reference of any kind (inline SVG in
 * HTML needs no xmlns). Tooltips are SVG <title> elements. Charts:
 *   - queue length over time: the samples, a step function (each holds from
 *     its t to the next sample's t), cut into at most TS_MAX_BUCKETS
 *     buckets of equal time; each bucket shows the longest queue seen in it;
 *   - utilization over time: per bucket, the time-weighted mean of
 *     used_procs / procs;
 *   - wait and bounded-slowdown histograms with log-scaled buckets;
 *   - the CDF of wait on a log time axis.
 * Every text that comes from input (trace name, policy, …) is escaped.
 * Everything is written straight to the FILE; stdio errors are sticky and
 * checked once at the end.
 */
#include "sim/report.h"
#include "util/fs.h"
#include "util/html.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "sim/metrics.h"

/* Geometry of every chart, in SVG user units. */
enum {
    CH_W = 960,
    CH_H = 280,
    M_LEFT = 72,
    M_RIGHT = 24,
    M_TOP = 14,
    M_BOTTOM = 50,
    PLOT_W = CH_W - M_LEFT - M_RIGHT,
    PLOT_H = CH_H - M_TOP - M_BOTTOM,
};

enum { TS_MAX_BUCKETS = 1000 };
enum { CDF_POINTS = 400 };

/* One time bucket of the downsampled samples. */
struct ts_bucket {
    uint32_t max_queued; /* longest queue during the bucket */
    double busy;         /* integral of used_procs over the bucket, proc·s */
    double covered;      /* seconds of the bucket covered by samples */
};

struct ts_series {
    struct ts_bucket b[TS_MAX_BUCKETS];
    size_t n;         /* buckets in use, 0 when there are no samples */
    int64_t t0;       /* time of the chart's left edge (s, trace clock) */
    double span;      /* seconds from left to right edge, > 0 */
    double width;     /* seconds per bucket */
};

/* What the page is drawn from; owned by sw_report_write_html(). */
struct html_ctx {
    FILE *out;
    const struct sw_sim_result *r;
    struct ts_series ts;
    int64_t *waits; /* sorted waits of all jobs, NULL when there are none */
};

/* A named unit of time for axes and tables. */
struct time_unit {
    double seconds;
    const char *name;
};

/* ---- text ------------------------------------------------------------ */

/* "12 s", "3.5 min", "2.0 h", "4.1 d" */
static void fmt_duration(char *buf, size_t n, double s)
{
    if (s < 60)
        snprintf(buf, n, "%.0f s", s);
    else if (s < 3600)
        snprintf(buf, n, "%.1f min", s / 60);
    else if (s < 86400)
        snprintf(buf, n, "%.1f h", s / 3600);
    else
        snprintf(buf, n, "%.1f d", s / 86400);
}

/* ---- axes ------------------------------------------------------------ */

static double plot_x(double fx)
{
    return M_LEFT + fx * PLOT_W;
}

static double plot_y(double fy)
{
    return M_TOP + (1.0 - fy) * PLOT_H;
}

/* A round step (1, 2 or 5 × 10^k) that cuts `range` into about `target`. */
static double nice_step(double range, int target)
{
    double raw = range / target;
    if (!(raw > 0))
        return 1;
    double mag = pow(10, floor(log10(raw)));
    double f = raw / mag;
    double k = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
    return k * mag;
}

static struct time_unit pick_time_unit(double span_s)
{
    if (span_s <= 180.0)
        return (struct time_unit){ 1, "seconds" };
    if (span_s <= 3 * 3600.0)
        return (struct time_unit){ 60, "minutes" };
    if (span_s <= 3 * 86400.0)
        return (struct time_unit){ 3600, "hours" };
    return (struct time_unit){ 86400, "days" };
}

static void svg_open(FILE *out, const char *label)
{
    fprintf(out, "<svg viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">\n",
            CH_W, CH_H, label);
}

/* Axis titles (constant HTML) under the x axis and left of the y axis. */
static void x_title(FILE *out, const char *title)
{
    fprintf(out, "<text class=\"at\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
            plot_x(0.5), CH_H - 8, title);
}

static void y_title(FILE *out, const char *title)
{
    fprintf(out, "<text class=\"at\" transform=\"translate(18 %.1f) rotate(-90)\" "
                 "text-anchor=\"middle\">%s</text>\n",
            plot_y(0.5), title);
}

/* Horizontal grid lines and labels from 0 to ymax every `step`; labels are
 * value × scale followed by `suffix`. */
static void y_grid(FILE *out, double ymax, double step, double scale, const char *suffix)
{
    for (int i = 0; i * step <= ymax * (1 + 1e-9); i++) {
        double v = i * step;
        double y = plot_y(v / ymax);
        fprintf(out, "<line class=\"grid\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\"/>\n",
                M_LEFT, M_LEFT + PLOT_W, y, y);
        fprintf(out, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.10g%s</text>\n",
                M_LEFT - 8, y + 4, v * scale, suffix);
    }
}

/* Ticks and labels of a time axis of `span_s` seconds starting at 0. */
static void x_time_axis(FILE *out, double span_s)
{
    struct time_unit u = pick_time_unit(span_s);
    double range = span_s / u.seconds;
    double step = nice_step(range, 10);
    char title[64];
    for (int i = 0; i * step <= range * (1 + 1e-9); i++) {
        double x = plot_x(i * step / range);
        fprintf(out, "<line class=\"tick\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\"/>\n",
                x, x, M_TOP + PLOT_H, M_TOP + PLOT_H + 5);
        fprintf(out, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.10g</text>\n",
                x, M_TOP + PLOT_H + 19, i * step);
    }
    snprintf(title, sizeof(title), "%s since first submit", u.name);
    x_title(out, title);
}

static void plot_border(FILE *out)
{
    fprintf(out, "<rect class=\"frame\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>\n",
            M_LEFT, M_TOP, PLOT_W, PLOT_H);
}

static void no_data(FILE *out, const char *why)
{
    fprintf(out, "<text class=\"at\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n",
            plot_x(0.5), plot_y(0.5), why);
}

/* ---- time series ----------------------------------------------------- */

static size_t ts_index(const struct ts_series *s, double off)
{
    double k = floor(off / s->width);
    if (k < 0)
        return 0;
    if (k >= (double)s->n)
        return s->n - 1;
    return (size_t)k;
}

/* Account one sample's state, held on [a, b) seconds after t0. A state held
 * for no time still counts for the longest queue of its instant's bucket. */
static void ts_add(struct ts_series *s, double a, double b, const struct sw_sim_sample *smp)
{
    size_t first = ts_index(s, a), last = ts_index(s, b);
    for (size_t i = first; i <= last; i++) {
        struct ts_bucket *k = &s->b[i];
        double lo = fmax(a, (double)i * s->width);
        double hi = fmin(b, (double)(i + 1) * s->width);
        if (hi <= lo && i != first)
            continue;
        if (smp->queued > k->max_queued)
            k->max_queued = smp->queued;
        if (hi > lo) {
            k->busy += (double)smp->used_procs * (hi - lo);
            k->covered += hi - lo;
        }
    }
}

/* The time range of the charts: from the first submit (or first sample) to
 * the last end (or last sample). */
static void ts_range(const struct sw_sim_result *r, int64_t *t0, int64_t *t1)
{
    *t0 = r->samples[0].t;
    *t1 = r->samples[r->nsamples - 1].t;
    if (r->metrics.jobs > 0) {
        if (r->metrics.first_submit < *t0)
            *t0 = r->metrics.first_submit;
        if (r->metrics.last_end > *t1)
            *t1 = r->metrics.last_end;
    }
}

static void ts_build(struct ts_series *s, const struct sw_sim_result *r)
{
    memset(s, 0, sizeof(*s));
    if (r->nsamples == 0)
        return;
    int64_t t0, t1;
    ts_range(r, &t0, &t1);
    s->t0 = t0;
    s->span = t1 > t0 ? (double)(t1 - t0) : 1.0;
    s->n = s->span < TS_MAX_BUCKETS ? (size_t)ceil(s->span) : TS_MAX_BUCKETS;
    s->width = s->span / (double)s->n;
    for (size_t i = 0; i < r->nsamples; i++) {
        double a = (double)(r->samples[i].t - t0);
        double b = i + 1 < r->nsamples ? (double)(r->samples[i + 1].t - t0) : s->span;
        ts_add(s, fmax(a, 0), fmin(fmax(a, b), s->span), &r->samples[i]);
    }
}

/* The step path of values v[0..n) (each over one bucket), scaled to ymax;
 * as an area closed along the x axis when `area` is set. */
static void step_path(FILE *out, const double *v, size_t n, double ymax, int area,
                      const char *cls)
{
    double base = plot_y(0);
    fprintf(out, "<path class=\"%s\" d=\"M%.1f %.1f", cls, plot_x(0),
            area ? base : plot_y(v[0] / ymax));
    for (size_t i = 0; i < n; i++)
        fprintf(out, "V%.1fH%.1f", plot_y(v[i] / ymax), plot_x((double)(i + 1) / (double)n));
    if (area)
        fprintf(out, "V%.1fZ", base);
    fputs("\"/>\n", out);
}

/* A chart of one value per bucket; `values` has ts.n entries. */
static void ts_chart(struct html_ctx *c, const double *values, double ymax, double step,
                     double scale, const char *suffix, const char *ytitle, const char *cls)
{
    FILE *out = c->out;
    y_grid(out, ymax, step, scale, suffix);
    x_time_axis(out, c->ts.span);
    y_title(out, ytitle);
    step_path(out, values, c->ts.n, ymax, 1, cls);
    step_path(out, values, c->ts.n, ymax, 0, "line");
    plot_border(out);
}

static void chart_queue(struct html_ctx *c, double *values)
{
    double top = 0;
    for (size_t i = 0; i < c->ts.n; i++) {
        values[i] = c->ts.b[i].max_queued;
        top = fmax(top, values[i]);
    }
    double step = fmax(1, nice_step(fmax(top, 1), 5));
    double ymax = fmax(step, ceil(top / step) * step);
    ts_chart(c, values, ymax, step, 1, "", "jobs waiting (max per bucket)", "qarea");
}

static void chart_util(struct html_ctx *c, double *values)
{
    double procs = (double)c->r->metrics.procs;
    for (size_t i = 0; i < c->ts.n; i++) {
        const struct ts_bucket *b = &c->ts.b[i];
        double u = b->covered > 0 ? b->busy / (b->covered * procs) : 0;
        values[i] = fmin(fmax(u, 0), 1);
    }
    ts_chart(c, values, 1, 0.2, 100, "%", "processors in use (mean per bucket)", "uarea");
    double y = plot_y(fmin(c->r->metrics.utilization, 1));
    fprintf(c->out, "<line class=\"mean\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\">"
                    "<title>utilization over the makespan</title></line>\n",
            M_LEFT, M_LEFT + PLOT_W, y, y);
    fprintf(c->out, "<text class=\"meanlabel\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">"
                    "overall %.1f%%</text>\n",
            M_LEFT + PLOT_W - 6, y - 6, 100 * c->r->metrics.utilization);
}

enum ts_kind { TS_QUEUE, TS_UTIL };

static void ts_note(struct html_ctx *c, enum ts_kind which)
{
    char w[32];
    fmt_duration(w, sizeof(w), c->ts.width);
    fprintf(c->out, "<p class=\"note\">%zu samples in %zu buckets of %s each; %s</p>\n",
            c->r->nsamples, c->ts.n, w,
            which == TS_QUEUE ? "each bucket shows the longest queue seen during it."
                              : "each bucket shows the time-weighted mean of used / total "
                                "processors; the dashed line is the utilization over the "
                                "whole makespan.");
}

static void section_timeseries(struct html_ctx *c, enum ts_kind which)
{
    FILE *out = c->out;
    const char *title = which == TS_QUEUE ? "Queue length over time" : "Utilization over time";
    fprintf(out, "<section class=\"card\"><h2>%s</h2>\n", title);
    svg_open(out, title);
    double values[TS_MAX_BUCKETS];
    if (c->ts.n == 0) {
        plot_border(out);
        no_data(out, "no samples");
    } else if (which == TS_QUEUE) {
        chart_queue(c, values);
    } else if (c->r->metrics.procs > 0) {
        chart_util(c, values);
    } else {
        plot_border(out);
        no_data(out, "machine size unknown");
    }
    fputs("</svg>\n", out);
    if (c->ts.n > 0)
        ts_note(c, which);
    fputs("</section>\n", out);
}

/* ---- distributions --------------------------------------------------- */

/* Upper edges of the wait buckets (s): 0 means "exactly 0". */
static const struct {
    double below;
    const char *label;
} wait_buckets[] = {
    { 0, "0" },
    { 60, "< 1 min" },
    { 600, "1\u201310 min" },
    { 3600, "10 min\u20131 h" },
    { 6 * 3600, "1\u20136 h" },
    { 86400, "6 h\u20131 d" },
    { 7 * 86400, "1 d\u20131 w" },
    { INFINITY, "\u2265 1 w" },
};

static const struct {
    double below;
    const char *label;
} bsld_buckets[] = {
    { 1, "1" },
    { 2, "1\u20132" },
    { 5, "2\u20135" },
    { 10, "5\u201310" },
    { 100, "10\u2013100" },
    { 1000, "100\u20131000" },
    { INFINITY, "\u2265 1000" },
};

enum {
    N_WAIT_BUCKETS = sizeof(wait_buckets) / sizeof(wait_buckets[0]),
    N_BSLD_BUCKETS = sizeof(bsld_buckets) / sizeof(bsld_buckets[0]),
    MAX_BARS = N_WAIT_BUCKETS > N_BSLD_BUCKETS ? N_WAIT_BUCKETS : N_BSLD_BUCKETS,
};

static size_t wait_bucket(int64_t wait)
{
    if (wait <= 0)
        return 0;
    size_t i = 1;
    while ((double)wait >= wait_buckets[i].below)
        i++;
    return i;
}

static size_t bsld_bucket(double bsld)
{
    if (bsld <= 1)
        return 0;
    size_t i = 1;
    while (bsld >= bsld_buckets[i].below)
        i++;
    return i;
}

/* One bar per category; heights are job counts, labels the share. The
 * category labels are plain text, `xtitle` constant HTML. */
static void bar_chart(FILE *out, const char *const *labels, const size_t *counts,
                      size_t n, size_t total, const char *xtitle)
{
    if (total == 0) {
        plot_border(out);
        no_data(out, "no jobs");
        return;
    }
    size_t top = 1;
    for (size_t i = 0; i < n; i++)
        if (counts[i] > top)
            top = counts[i];
    double step = fmax(1, nice_step((double)top, 5));
    /* headroom above the tallest bar for its label */
    double ymax = fmax(step, ceil((double)top * 1.1 / step) * step);
    y_grid(out, ymax, step, 1, "");
    double slot = (double)PLOT_W / (double)n;
    for (size_t i = 0; i < n; i++) {
        double share = total ? 100.0 * (double)counts[i] / (double)total : 0;
        char pct[16];
        if (counts[i] == 0)
            pct[0] = '\0';
        else if (share < 0.1)
            snprintf(pct, sizeof(pct), "&lt;0.1%%");
        else
            snprintf(pct, sizeof(pct), "%.1f%%", share);
        double y = plot_y((double)counts[i] / ymax);
        double x = M_LEFT + slot * ((double)i + 0.15);
        fprintf(out, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                     "height=\"%.1f\"><title>",
                x, y, slot * 0.7, plot_y(0) - y);
        sw_html_put_escaped(out, labels[i], SIZE_MAX);
        fprintf(out, ": %zu jobs (%.1f%%)</title></rect>\n", counts[i], share);
        fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n",
                x + slot * 0.35, y - 5, pct);
        fprintf(out, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">",
                x + slot * 0.35, M_TOP + PLOT_H + 19);
        sw_html_put_escaped(out, labels[i], SIZE_MAX);
        fputs("</text>\n", out);
    }
    x_title(out, xtitle);
    y_title(out, "jobs");
    plot_border(out);
}

static void section_wait_hist(struct html_ctx *c)
{
    const struct sw_sim_result *r = c->r;
    size_t counts[MAX_BARS] = { 0 };
    const char *labels[MAX_BARS];
    for (size_t i = 0; i < r->njobs; i++)
        counts[wait_bucket(r->jobs[i].start - r->jobs[i].submit)]++;
    for (size_t i = 0; i < N_WAIT_BUCKETS; i++)
        labels[i] = wait_buckets[i].label;
    fputs("<section class=\"card\"><h2>Wait time distribution</h2>\n", c->out);
    svg_open(c->out, "Wait time distribution");
    bar_chart(c->out, labels, counts, N_WAIT_BUCKETS, r->njobs, "wait (start \u2212 submit)");
    fputs("</svg>\n<p class=\"note\">Jobs per wait range; the label above each bar is its "
          "share of all jobs.</p></section>\n", c->out);
}

static void section_bsld_hist(struct html_ctx *c)
{
    const struct sw_sim_result *r = c->r;
    size_t counts[MAX_BARS] = { 0 };
    const char *labels[MAX_BARS];
    for (size_t i = 0; i < r->njobs; i++) {
        const struct sw_sim_jobrec *j = &r->jobs[i];
        counts[bsld_bucket(sw_bounded_slowdown(j->start - j->submit, j->runtime))]++;
    }
    for (size_t i = 0; i < N_BSLD_BUCKETS; i++)
        labels[i] = bsld_buckets[i].label;
    fputs("<section class=\"card\"><h2>Bounded slowdown distribution</h2>\n", c->out);
    svg_open(c->out, "Bounded slowdown distribution");
    bar_chart(c->out, labels, counts, N_BSLD_BUCKETS, r->njobs,
              "bounded slowdown = max(1, (wait + runtime) / max(runtime, 10 s))");
    fputs("</svg>\n<p class=\"note\">Jobs per slowdown range; 1 means the job did not wait "
          "(or waited little compared with its runtime, or less than 10 s).</p></section>\n",
          c->out);
}

/* Ticks of the log time axis of the CDF. */
static const struct {
    double s;
    const char *label;
} cdf_ticks[] = {
    { 1, "1 s" },        { 10, "10 s" },      { 60, "1 min" },     { 600, "10 min" },
    { 3600, "1 h" },     { 21600, "6 h" },   { 86400, "1 d" },    { 604800, "1 w" },
    { 2592000, "30 d" }, { 31536000, "1 y" }, { 315360000, "10 y" },
};

enum { N_CDF_TICKS = sizeof(cdf_ticks) / sizeof(cdf_ticks[0]) };

/* Number of sorted waits <= x. */
static size_t count_at_most(const int64_t *sorted, size_t n, double x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((double)sorted[mid] <= x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void cdf_chart(struct html_ctx *c)
{
    FILE *out = c->out;
    size_t n = c->r->njobs;
    double maxw = (double)c->waits[n - 1];
    size_t last = 2; /* at least 1 s to 1 min */
    while (last + 1 < N_CDF_TICKS && cdf_ticks[last].s < maxw)
        last++;
    double lmax = log10(cdf_ticks[last].s);
    y_grid(out, 1, 0.2, 100, "%");
    for (size_t i = 0; i <= last; i++) {
        double x = plot_x(log10(cdf_ticks[i].s) / lmax);
        fprintf(out, "<line class=\"grid\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\"/>\n",
                x, x, M_TOP, M_TOP + PLOT_H);
        fprintf(out, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", x,
                M_TOP + PLOT_H + 19, cdf_ticks[i].label);
    }
    fputs("<path class=\"line\" d=\"", out);
    for (int i = 0; i <= CDF_POINTS; i++) {
        double fx = (double)i / CDF_POINTS;
        double f = (double)count_at_most(c->waits, n, pow(10, fx * lmax)) / (double)n;
        fprintf(out, "%c%.1f %.1f", i ? 'L' : 'M', plot_x(fx), plot_y(f));
    }
    fputs("\"/>\n", out);
    x_title(out, "wait (log scale)");
    y_title(out, "jobs that waited at most this long");
    plot_border(out);
}

static void section_cdf(struct html_ctx *c)
{
    fputs("<section class=\"card\"><h2>Cumulative distribution of wait</h2>\n", c->out);
    svg_open(c->out, "Cumulative distribution of wait");
    if (c->waits)
        cdf_chart(c);
    else {
        plot_border(c->out);
        no_data(c->out, "no jobs");
    }
    fputs("</svg>\n<p class=\"note\">Share of jobs whose wait was at most x; jobs that "
          "waited less than 1 s are counted at 1 s.</p></section>\n", c->out);
}

/* ---- summary tables -------------------------------------------------- */

/* A table row; label, value and note are HTML (constants or numbers). */
static void row_text(FILE *out, const char *label, const char *value, const char *note)
{
    fprintf(out, "<tr><th>%s</th><td class=\"num\">%s</td><td class=\"unit\">%s</td></tr>\n",
            label, value, note);
}

static void row_int(FILE *out, const char *label, long long v, const char *note)
{
    char buf[32];
    snprintf(buf, sizeof(buf), "%lld", v);
    row_text(out, label, buf, note);
}

static void row_seconds(FILE *out, const char *label, double s)
{
    char buf[48], human[32];
    snprintf(buf, sizeof(buf), "%.1f s", s);
    fmt_duration(human, sizeof(human), s);
    row_text(out, label, buf, s < 60 ? "" : human);
}

static void row_real(FILE *out, const char *label, double v)
{
    char buf[48];
    snprintf(buf, sizeof(buf), "%.3f", v);
    row_text(out, label, buf, "");
}

static void table_metrics(const struct sw_sim_result *r, FILE *out)
{
    const struct sw_sim_metrics *m = &r->metrics;
    char buf[48];
    fputs("<div><h3>Metrics</h3><table>\n", out);
    row_int(out, "Jobs", (long long)m->jobs, "");
    fprintf(out, "<tr><th>Machine size</th><td class=\"num\">%" PRId64
                 "</td><td class=\"unit\">processors, from ", m->procs);
    sw_html_put_escaped(out, r->machine_source ? r->machine_source : "unknown", SIZE_MAX);
    fputs("</td></tr>\n", out);
    row_seconds(out, "Mean wait", m->mean_wait_s);
    row_seconds(out, "Median wait", m->median_wait_s);
    row_seconds(out, "95th percentile wait", m->p95_wait_s);
    row_seconds(out, "Max wait", (double)m->max_wait_s);
    row_real(out, "Mean bounded slowdown", m->mean_bounded_slowdown);
    row_real(out, "Max bounded slowdown", m->max_bounded_slowdown);
    row_seconds(out, "Mean response time", m->mean_response_s);
    snprintf(buf, sizeof(buf), "%.2f %%", 100 * m->utilization);
    row_text(out, "Utilization", buf, "");
    row_seconds(out, "Makespan", (double)m->makespan_s);
    row_int(out, "First submit", m->first_submit, "s, trace clock");
    row_int(out, "Last end", m->last_end, "s, trace clock");
    row_int(out, "Max queued", (long long)m->max_queued, "jobs");
    fputs("</table></div>\n", out);
}

static void table_skipped(const struct sw_sim_result *r, FILE *out)
{
    const struct sw_trace_skips *s = &r->skipped;
    size_t total = s->runtime + s->procs + s->submit + s->too_big + s->estimate + s->malformed;
    fputs("<div><h3>Trace</h3><table>\n", out);
    row_int(out, "Lines read", (long long)r->lines_read, "");
    row_int(out, "Jobs simulated", (long long)r->njobs, "");
    row_int(out, "Skipped: runtime \u2264 0", (long long)s->runtime, "");
    row_int(out, "Skipped: procs \u2264 0", (long long)s->procs, "");
    row_int(out, "Skipped: submit &lt; 0", (long long)s->submit, "");
    row_int(out, "Skipped: larger than machine", (long long)s->too_big, "");
    row_int(out, "Skipped: estimate &lt; runtime", (long long)s->estimate, "");
    row_int(out, "Skipped: malformed lines", (long long)s->malformed, "");
    row_int(out, "Skipped in total", (long long)total, "");
    fputs("</table></div>\n", out);
}

/* ---- page ------------------------------------------------------------ */

static const char page_css[] =
    "body{margin:0;background:#f6f7f9;color:#1f2937;"
    "font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}\n"
    "main{max-width:1040px;margin:0 auto;padding:20px 24px 40px}\n"
    "h1{font-size:22px;margin:0 0 2px;word-break:break-all}\n"
    "h2{font-size:17px;margin:0 0 8px}h3{font-size:15px;margin:0 0 6px}\n"
    ".sub{color:#6b7280;margin:0 0 8px}\n"
    ".card{background:#fff;border:1px solid #e5e7eb;border-radius:8px;"
    "padding:14px 18px;margin:14px 0}\n"
    ".tables{display:flex;flex-wrap:wrap;gap:12px 48px}\n"
    "table{border-collapse:collapse}\n"
    "th{font-weight:normal;text-align:left;padding:2px 18px 2px 0;color:#374151}\n"
    "td{padding:2px 0 2px 10px}td.num{text-align:right;font-variant-numeric:tabular-nums;"
    "font-weight:600}td.unit{color:#6b7280}\n"
    "svg{display:block;width:100%;height:auto}\n"
    "svg text{font-size:12px;fill:#4b5563}svg text.at{font-size:13px;fill:#374151}\n"
    ".grid{stroke:#e5e7eb}.tick{stroke:#9ca3af}\n"
    ".frame{fill:none;stroke:#9ca3af}\n"
    ".line{fill:none;stroke:#1d4ed8;stroke-width:1.2}\n"
    ".qarea{fill:#bfdbfe}.uarea{fill:#bbf7d0}\n"
    ".bar{fill:#60a5fa}.bar:hover{fill:#2563eb}\n"
    ".mean{stroke:#b91c1c;stroke-dasharray:6 4;stroke-width:1.5}\n"
    "svg text.meanlabel{fill:#b91c1c;font-weight:600;paint-order:stroke;stroke:#fff;"
    "stroke-width:4px;stroke-linejoin:round}\n"
    ".note{color:#6b7280;font-size:13px;margin:6px 0 0}\n"
    "dt{font-weight:600}dd{margin:0 0 6px 16px;color:#374151}\n";

static void page_head(const struct sw_sim_result *r, FILE *out)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<title>suanwang sim: ", out);
    sw_html_put_escaped(out, r->trace, sizeof(r->trace));
    fputs(" \u2014 ", out);
    sw_html_put_escaped(out, r->policy, sizeof(r->policy));
    fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n<h1>", page_css);
    sw_html_put_escaped(out, r->trace, sizeof(r->trace));
    fputs("</h1>\n<p class=\"sub\">Simulated with policy <b>", out);
    sw_html_put_escaped(out, r->policy, sizeof(r->policy));
    fputs("</b>, queue order <b>", out);
    sw_html_put_escaped(out, r->order, sizeof(r->order));
    fprintf(out, "</b>, on %" PRId64 " processors.</p>\n", r->metrics.procs);
}

static void page_summary(const struct sw_sim_result *r, FILE *out)
{
    fputs("<section class=\"card\"><h2>Summary</h2><div class=\"tables\">\n", out);
    table_metrics(r, out);
    table_skipped(r, out);
    fputs("</div></section>\n", out);
}

static void page_definitions(FILE *out)
{
    fputs("<section class=\"card\"><h2>Definitions</h2><dl>\n"
          "<dt>wait</dt><dd>start \u2212 submit.</dd>\n"
          "<dt>bounded slowdown</dt><dd>max(1, (wait + runtime) / max(runtime, 10 s)).</dd>\n"
          "<dt>response time</dt><dd>wait + runtime.</dd>\n"
          "<dt>median, 95th percentile</dt><dd>nearest rank: the p-th percentile of n "
          "waits is the \u2308p/100 \u00b7 n\u2309-th smallest.</dd>\n"
          "<dt>utilization</dt><dd>\u03a3 procs \u00b7 runtime / (machine processors "
          "\u00b7 makespan).</dd>\n"
          "<dt>makespan</dt><dd>last end \u2212 first submit.</dd>\n"
          "</dl></section>\n"
          "<p class=\"note\">Generated by suanwang sim. Full per-job data: jobs.csv; "
          "metrics: metrics.json.</p>\n",
          out);
}

static void page_write(struct html_ctx *c)
{
    page_head(c->r, c->out);
    page_summary(c->r, c->out);
    section_timeseries(c, TS_QUEUE);
    section_timeseries(c, TS_UTIL);
    section_wait_hist(c);
    section_bsld_hist(c);
    section_cdf(c);
    page_definitions(c->out);
    fputs("</main>\n</body>\n</html>\n", c->out);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a;
    int64_t y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The sorted waits of all jobs into c->waits (NULL with no jobs). */
static int sorted_waits(struct html_ctx *c)
{
    const struct sw_sim_result *r = c->r;
    if (r->njobs == 0)
        return 0;
    if (r->njobs > SIZE_MAX / sizeof(int64_t)) {
        errno = ENOMEM;
        return -1;
    }
    c->waits = malloc(r->njobs * sizeof(int64_t));
    if (!c->waits)
        return -1;
    for (size_t i = 0; i < r->njobs; i++)
        c->waits[i] = r->jobs[i].start - r->jobs[i].submit;
    qsort(c->waits, r->njobs, sizeof(int64_t), cmp_i64);
    return 0;
}

int sw_report_write_html(const struct sw_sim_result *r, FILE *out, sw_error_t *err)
{
    int rc = -1, saved;
    struct html_ctx *c = calloc(1, sizeof(*c));
    if (!c)
        return sw_errprintf(err, "cannot write HTML report: %s", strerror(errno));
    c->r = r;
    c->out = out;
    if (sorted_waits(c) < 0) {
        sw_errprintf(err, "cannot write HTML report: %s", strerror(errno));
        goto out_free;
    }
    ts_build(&c->ts, r);
    errno = 0;
    page_write(c);
    if (fflush(out) != 0 || ferror(out)) {
        if (errno == 0)
            errno = EIO;
        sw_errprintf(err, "cannot write HTML report: %s", strerror(errno));
        goto out_free;
    }
    rc = 0;
out_free:
    saved = errno;
    free(c->waits);
    free(c);
    errno = saved;
    return rc;
}

/* ---- the report directory -------------------------------------------- */

enum report_file { RF_JSON, RF_CSV, RF_HTML };

static int write_json(const struct sw_sim_result *r, FILE *f, sw_error_t *err)
{
    json_t *j = sw_report_metrics_json(r);
    if (!j)
        return sw_errprintf(err, "cannot build metrics: %s", strerror(errno));
    errno = 0;
    int rc = json_dumpf(j, f, JSON_INDENT(2));
    json_decref(j);
    if (rc != 0 || fputc('\n', f) == EOF) {
        if (errno == 0)
            errno = EIO;
        return sw_errprintf(err, "cannot write metrics: %s", strerror(errno));
    }
    return 0;
}

/* Write one report file of `dir`; the message names the file. */
static int write_one(const struct sw_sim_result *r, const char *dir, const char *name,
                     enum report_file kind, sw_error_t *err)
{
    char path[PATH_MAX];
    int n = snprintf(path, sizeof(path), "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= sizeof(path)) {
        errno = ENAMETOOLONG;
        return sw_errprintf(err, "%s/%s: %s", dir, name, strerror(errno));
    }
    FILE *f = fopen(path, "w");
    if (!f)
        return sw_errprintf(err, "%s: cannot open for writing: %s", path, strerror(errno));
    int rc = kind == RF_JSON  ? write_json(r, f, err)
             : kind == RF_CSV ? sw_report_write_csv(r, f, err)
                              : sw_report_write_html(r, f, err);
    if (rc < 0) {
        int saved = errno;
        fclose(f);
        errno = saved;
        return sw_errprefix(err, "%s: ", path);
    }
    if (fclose(f) != 0)
        return sw_errprintf(err, "%s: cannot write: %s", path, strerror(errno));
    return 0;
}

int sw_report_write_dir(const struct sw_sim_result *r, const char *dir, sw_error_t *err)
{
    if (sw_mkdir_p(dir, err) < 0)
        return -1;
    if (write_one(r, dir, "metrics.json", RF_JSON, err) < 0 ||
        write_one(r, dir, "jobs.csv", RF_CSV, err) < 0 ||
        write_one(r, dir, "index.html", RF_HTML, err) < 0)
        return -1;
    return 0;
}
