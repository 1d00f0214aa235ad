/* netreport.c — metrics JSON, jobs.csv and the HTML page of a network
 * simulation (see netreport.h).
 */
#include "sim/netreport.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/jobspec.h"
#include "util/fs.h"
#include "util/html.h"

static const char *site_name(const struct sw_network *net, int site)
{
    return site >= 0 ? net->sites[site].name : "";
}

static const char *region_name(const struct sw_network *net, int site)
{
    return site >= 0 ? net->regions[net->sites[site].region] : "";
}

static const char *model_name(const struct sw_network *net, int model)
{
    return model >= 0 ? net->catalog.models[model].name : "";
}

static const char *unit_state(const struct sw_netsim_unit *u)
{
    if (u->rejected)
        return "rejected";
    return u->start >= 0 ? "completed" : "never_started";
}

/* ---- JSON ------------------------------------------------------------------ */

static json_t *objectives_json(const struct sw_netsim_metrics *m)
{
    json_t *o = json_object();
    for (int k = 0; o && k < 4; k++) {
        json_t *v = json_pack("{s:I,s:I,s:f}", "units", (json_int_t)m->obj_units[k], "cost_fen",
                              (json_int_t)m->obj_cost_fen[k], "carbon_kg", m->obj_carbon_kg[k]);
        if (!v || json_object_set_new(o, sw_objective_name((enum sw_objective)k), v) < 0) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}

json_t *sw_netreport_metrics_json(const struct sw_network *net, const struct sw_netsim_result *r,
                                  const char *trace, const char *policy)
{
    const struct sw_netsim_metrics *m = &r->m;
    json_t *o = json_pack(
        "{s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:f,s:I,s:f,s:f,s:I,s:f,s:I,s:f,s:I,s:f,s:f,s:f,s:f,s:f,"
        "s:I,s:I}",
        "trace", trace ? trace : "", "policy", policy ? policy : "", "jobs", (json_int_t)m->jobs,
        "units", (json_int_t)m->units, "rejected", (json_int_t)m->rejected, "preemptions",
        (json_int_t)m->preemptions, "sites", (json_int_t)net->nsites, "mean_wait_s",
        m->mean_wait_s, "max_wait_s", (json_int_t)m->max_wait_s, "mean_jct_s", m->mean_jct_s,
        "mean_bounded_slowdown", m->mean_bounded_slowdown, "makespan_s",
        (json_int_t)m->makespan_s, "p_hours", m->p_hours, "latency_violations",
        (json_int_t)m->latency_violations, "data_moved_gb", m->data_moved_gb, "cost_fen",
        (json_int_t)m->cost_fen, "carbon_kg", m->carbon_kg, "energy_kwh", m->energy_kwh,
        "utilization_accel", m->utilization_accel, "utilization_cores", m->utilization_cores,
        "capacity_p", sw_network_pflops(net), "regions", (json_int_t)net->nregions, "pools",
        (json_int_t)0);
    if (!o)
        return NULL;
    size_t pools = 0;
    for (size_t s = 0; s < net->nsites; s++)
        pools += net->sites[s].nclasses;
    json_object_set_new(o, "pools", json_integer((json_int_t)pools));
    json_t *obj = objectives_json(m);
    if (!obj || json_object_set_new(o, "by_objective", obj) < 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* ---- CSV ------------------------------------------------------------------- */

int sw_netreport_write_csv(const struct sw_network *net, const struct sw_netsim_result *r,
                           FILE *out, sw_error_t *err)
{
    fputs("id,task,tasks,submit,start,end,procs,wait,site,region,accelerator,accelerators,"
          "data_moved_gb,cost_fen,carbon_g,latency_ms,max_latency_ms,qos,objective,attempts,"
          "state\n",
          out);
    for (size_t i = 0; i < r->nunits; i++) {
        const struct sw_netsim_unit *u = &r->units[i];
        int64_t wait = u->start >= 0 ? u->start - u->submit : -1;
        fprintf(out,
                "%" PRIu64 ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64
                ",%" PRId64 ",%" PRId64 ",%s,%s,%s,%.3f,%.3f,%" PRId64 ",%.1f,%.2f,%.2f,%s,%s,%d,%s\n",
                u->job_id, u->task, u->tasks, u->submit, u->start, u->end, u->cores, wait,
                site_name(net, u->site), region_name(net, u->site), model_name(net, u->model),
                (double)u->accel_milli / SW_MILLI, u->data_moved_gb, u->cost_fen, u->carbon_g,
                u->latency_ms, u->max_latency_ms, sw_qos_name((enum sw_qos)u->qos),
                sw_objective_name((enum sw_objective)u->objective), u->attempts, unit_state(u));
    }
    if (ferror(out)) {
        errno = EIO;
        return sw_errprintf(err, "cannot write CSV: %s", strerror(errno));
    }
    return 0;
}

/* ---- HTML ------------------------------------------------------------------ */

static void html_head(FILE *out, const char *trace, const char *policy)
{
    fputs("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>suanwang "
          "network simulation: ",
          out);
    sw_html_put_escaped(out, trace, 256);
    fputs("</title>\n<style>body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}"
          "table{border-collapse:collapse;margin:8px 0 20px}td,th{border:1px solid #ccc;"
          "padding:3px 8px;text-align:right}th{background:#f3f3f3}td.l,th.l{text-align:left}"
          "h2{margin-top:28px}.small{color:#666;font-size:12px}svg{background:#fafafa;"
          "border:1px solid #ddd}</style></head><body>\n<h1>Network simulation: ",
          out);
    sw_html_put_escaped(out, trace, 256);
    fputs("</h1>\n<p>Per-pool policy <b>", out);
    sw_html_put_escaped(out, policy, 64);
    fputs("</b>. Each job is placed on a site and node class by its objective; each pool "
          "then schedules its queue.</p>\n",
          out);
}

static void html_metrics(FILE *out, const struct sw_netsim_metrics *m, double capacity_p)
{
    fprintf(out,
            "<h2>Summary</h2><table>"
            "<tr><th class=l>jobs</th><td>%zu</td><th class=l>units placed</th><td>%zu</td></tr>"
            "<tr><th class=l>rejected units</th><td>%zu</td><th class=l>preemptions</th><td>%zu</td></tr>"
            "<tr><th class=l>mean wait</th><td>%.0f s</td><th class=l>max wait</th><td>%" PRId64 " s</td></tr>"
            "<tr><th class=l>mean job completion time</th><td>%.0f s</td><th class=l>mean bounded slowdown</th><td>%.2f</td></tr>"
            "<tr><th class=l>capacity</th><td>%.1f P</td><th class=l>P-hours used</th><td>%.1f</td></tr>"
            "<tr><th class=l>accelerator utilization</th><td>%.1f%%</td><th class=l>core utilization</th><td>%.1f%%</td></tr>"
            "<tr><th class=l>latency-circle violations</th><td>%zu</td><th class=l>data moved</th><td>%.1f GB</td></tr>"
            "<tr><th class=l>cost</th><td>%.2f yuan</td><th class=l>carbon</th><td>%.1f kg CO2</td></tr>"
            "</table>\n",
            m->jobs, m->units, m->rejected, m->preemptions, m->mean_wait_s, m->max_wait_s,
            m->mean_jct_s, m->mean_bounded_slowdown, capacity_p, m->p_hours,
            m->utilization_accel * 100, m->utilization_cores * 100, m->latency_violations,
            m->data_moved_gb, (double)m->cost_fen / 100.0, m->carbon_kg);
    fputs("<table><tr><th class=l>objective</th><th>units</th><th>cost (yuan)</th>"
          "<th>carbon (kg)</th></tr>",
          out);
    for (int k = 0; k < 4; k++)
        fprintf(out, "<tr><td class=l>%s</td><td>%zu</td><td>%.2f</td><td>%.1f</td></tr>",
                sw_objective_name((enum sw_objective)k), m->obj_units[k],
                (double)m->obj_cost_fen[k] / 100.0, m->obj_carbon_kg[k]);
    fputs("</table>\n", out);
}

static void html_sites(FILE *out, const struct sw_network *net, const struct sw_netsim_result *r)
{
    fputs("<h2>Sites</h2><table><tr><th class=l>site</th><th class=l>region</th>"
          "<th class=l>provider</th><th class=l>kind</th><th>capacity (P)</th><th>units run</th>"
          "<th>mean utilization</th></tr>\n",
          out);
    static const char *const kinds[] = {"hpc", "ai", "cloud"};
    for (size_t s = 0; s < net->nsites; s++) {
        const struct sw_site *site = &net->sites[s];
        size_t ran = 0;
        for (size_t i = 0; i < r->nunits; i++)
            ran += r->units[i].site == (int)s && r->units[i].start >= 0;
        double mean = 0;
        const struct sw_netsim_site_series *ser = &r->sites[s];
        for (size_t k = 0; k < ser->n; k++)
            mean += ser->util[k];
        mean = ser->n ? mean / (double)ser->n : 0;
        fputs("<tr><td class=l>", out);
        sw_html_put_escaped(out, site->name, SW_NAME_MAX);
        fputs("</td><td class=l>", out);
        sw_html_put_escaped(out, net->regions[site->region], SW_NAME_MAX);
        fputs("</td><td class=l>", out);
        sw_html_put_escaped(out, site->provider, SW_NAME_MAX);
        fprintf(out, "</td><td class=l>%s</td><td>%.1f</td><td>%zu</td><td>%.1f%%</td></tr>\n",
                kinds[site->kind], sw_site_pflops(net, site), ran, mean * 100);
    }
    fputs("</table>\n", out);
}

/* Latency between regions, with the 1/3/5 ms circles shaded. */
static void html_latency(FILE *out, const struct sw_network *net)
{
    fputs("<h2>Latency circles (ms)</h2><p class=small>green ≤ 1 ms, yellow ≤ 3 ms, orange ≤ "
          "5 ms, red beyond</p><table><tr><th></th>",
          out);
    for (size_t b = 0; b < net->nregions; b++) {
        fputs("<th>", out);
        sw_html_put_escaped(out, net->regions[b], SW_NAME_MAX);
        fputs("</th>", out);
    }
    fputs("</tr>\n", out);
    for (size_t a = 0; a < net->nregions; a++) {
        fputs("<tr><th class=l>", out);
        sw_html_put_escaped(out, net->regions[a], SW_NAME_MAX);
        fputs("</th>", out);
        for (size_t b = 0; b < net->nregions; b++) {
            double ms = sw_network_latency(net, (int)a, (int)b);
            const char *bg = ms <= 1 ? "#d8f0d0" : ms <= 3 ? "#f6f0c0" : ms <= 5 ? "#f8dcc0"
                                                                              : "#f4c8c8";
            fprintf(out, "<td style=\"background:%s\">%.1f</td>", bg, ms);
        }
        fputs("</tr>\n", out);
    }
    fputs("</table>\n", out);
}

/* Utilization of each site over time, one small chart each. */
static void html_util_charts(FILE *out, const struct sw_network *net,
                             const struct sw_netsim_result *r)
{
    enum { W = 560, H = 90 };
    int64_t t0 = INT64_MAX, t1 = INT64_MIN;
    for (size_t s = 0; s < net->nsites; s++) {
        const struct sw_netsim_site_series *ser = &r->sites[s];
        if (ser->n) {
            if (ser->t[0] < t0)
                t0 = ser->t[0];
            if (ser->t[ser->n - 1] > t1)
                t1 = ser->t[ser->n - 1];
        }
    }
    fputs("<h2>Utilization by site over time</h2>\n", out);
    if (t0 >= t1) {
        fputs("<p>no samples</p>\n", out);
        return;
    }
    for (size_t s = 0; s < net->nsites; s++) {
        const struct sw_netsim_site_series *ser = &r->sites[s];
        fputs("<div><b>", out);
        sw_html_put_escaped(out, net->sites[s].name, SW_NAME_MAX);
        fprintf(out, "</b> <span class=small>0–100%%, %.1f days</span><br>"
                     "<svg width=\"%d\" height=\"%d\" role=\"img\"><polyline fill=\"none\" "
                     "stroke=\"#2a6fb0\" stroke-width=\"1.2\" points=\"",
                (double)(t1 - t0) / 86400.0, W, H);
        for (size_t k = 0; k < ser->n; k++) {
            double x = (double)(ser->t[k] - t0) / (double)(t1 - t0) * (W - 2) + 1;
            double y = (H - 2) - (double)ser->util[k] * (H - 4);
            fprintf(out, "%.1f,%.1f ", x, y);
        }
        fputs("\"/></svg></div>\n", out);
    }
}

int sw_netreport_write_html(const struct sw_network *net, const struct sw_netsim_result *r,
                            const char *trace, const char *policy, FILE *out, sw_error_t *err)
{
    html_head(out, trace ? trace : "", policy ? policy : "");
    html_metrics(out, &r->m, sw_network_pflops(net));
    html_sites(out, net, r);
    html_latency(out, net);
    html_util_charts(out, net, r);
    if (r->nreasons) {
        fputs("<h2>Rejected jobs</h2><ul>\n", out);
        for (size_t i = 0; i < r->nreasons && i < 200; i++) {
            fputs("<li>", out);
            sw_html_put_escaped(out, r->reject_reasons[i], sizeof(r->reject_reasons[i]));
            fputs("</li>\n", out);
        }
        fputs("</ul>\n", out);
    }
    fputs("</body></html>\n", out);
    if (ferror(out)) {
        errno = EIO;
        return sw_errprintf(err, "cannot write HTML: %s", strerror(errno));
    }
    return 0;
}

/* ---- directory ------------------------------------------------------------- */

static int write_file(const char *dir, const char *name, const struct sw_network *net,
                      const struct sw_netsim_result *r, const char *trace, const char *policy,
                      sw_error_t *err)
{
    char path[4200];
    if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path)) {
        errno = ENAMETOOLONG;
        return sw_errprintf(err, "%s: path too long", dir);
    }
    FILE *f = fopen(path, "w");
    if (!f)
        return sw_errprintf(err, "%s: cannot open for writing: %s", path, strerror(errno));
    int rc = 0;
    if (!strcmp(name, "metrics.json")) {
        json_t *j = sw_netreport_metrics_json(net, r, trace, policy);
        rc = j && json_dumpf(j, f, JSON_INDENT(2)) == 0 && fputc('\n', f) != EOF ? 0 : -1;
        json_decref(j);
        if (rc < 0)
            sw_errprintf(err, "cannot write metrics");
    } else if (!strcmp(name, "jobs.csv")) {
        rc = sw_netreport_write_csv(net, r, f, err);
    } else {
        rc = sw_netreport_write_html(net, r, trace, policy, f, err);
    }
    if (fclose(f) != 0 && rc == 0)
        return sw_errprintf(err, "%s: cannot write: %s", path, strerror(errno));
    return rc < 0 ? sw_errprefix(err, "%s: ", path) : 0;
}

int sw_netreport_write_dir(const struct sw_network *net, const struct sw_netsim_result *r,
                           const char *trace, const char *policy, const char *dir,
                           sw_error_t *err)
{
    if (sw_mkdir_p(dir, err) < 0)
        return -1;
    static const char *const files[] = {"metrics.json", "jobs.csv", "index.html"};
    for (size_t i = 0; i < 3; i++)
        if (write_file(dir, files[i], net, r, trace, policy, err) < 0)
            return -1;
    return 0;
}
