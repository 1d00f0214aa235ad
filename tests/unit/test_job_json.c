/* test_job_json.c — the JSON job format (docs/jobs.md): the minimal job and
 * its defaults, every field against hand-written expectations, every
 * duration / size / latency-circle form, each validation error word for
 * word, the canonical round trip, JSON lines (ids, comments, file:line
 * errors, duplicates), the caps (1 MiB per job, list and string sizes),
 * bad UTF-8 and NUL, the example files, and random mutations of a full job
 * (run under ASan/UBSan by scripts/test.sh).
 */
#include "testutil.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/job_json.h"
#include "core/jobspec.h"

#define EXAMPLES_DIR SW_TEST_DATA_DIR "/../../examples"

/* ---- helpers --------------------------------------------------------- */

static void parse_ok(const char *text, struct sw_jobspec *js)
{
    sw_error_t err = {{0}};
    if (sw_jobspec_parse(text, strlen(text), js, &err) != 0)
        fail_msg("parsing %s: %s", text, err.text);
}

static bool is_zero(const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return false;
    return true;
}

/* Parse `text` (len bytes), expect failure with exactly `want`, errno
 * `want_errno`, and the spec left zeroed. */
static void parse_err_n(const char *text, size_t len, const char *want, int want_errno)
{
    struct sw_jobspec js;
    sw_error_t err = {{0}};
    memset(&js, 0xa5, sizeof(js));
    errno = 0;
    if (sw_jobspec_parse(text, len, &js, &err) == 0) {
        sw_jobspec_free(&js);
        fail_msg("accepted %.*s; wanted the error: %s", (int)(len < 200 ? len : 200), text, want);
    }
    if (strcmp(err.text, want) != 0)
        fail_msg("for %.*s\n got: %s\nwant: %s", (int)(len < 200 ? len : 200), text, err.text,
                 want);
    assert_int_equal(errno, want_errno);
    assert_true(is_zero(&js, sizeof(js)));
}

static void parse_err(const char *text, const char *want)
{
    parse_err_n(text, strlen(text), want, EINVAL);
}

static void check_strv(char **got, const char *const *want, const char *what)
{
    size_t i = 0;
    if (!want) {
        if (got)
            fail_msg("%s: expected none", what);
        return;
    }
    assert_non_null(got);
    for (; want[i]; i++) {
        if (!got[i] || strcmp(got[i], want[i]) != 0)
            fail_msg("%s[%zu]: got %s, want %s", what, i, got[i] ? got[i] : "(end)", want[i]);
    }
    if (got[i])
        fail_msg("%s: extra entry %s", what, got[i]);
}

static void check_names(const struct sw_namelist *l, const char *const *want, size_t n,
                        const char *what)
{
    if (l->n != n)
        fail_msg("%s: %zu names, want %zu", what, l->n, n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(l->names[i], want[i]) != 0)
            fail_msg("%s[%zu]: got %s, want %s", what, i, l->names[i], want[i]);
}

static bool strv_equal(char **a, char **b)
{
    if (!a || !b)
        return a == b;
    size_t i = 0;
    for (; a[i] && b[i]; i++)
        if (strcmp(a[i], b[i]) != 0)
            return false;
    return a[i] == b[i];
}

static bool names_equal(const struct sw_namelist *a, const struct sw_namelist *b)
{
    if (a->n != b->n)
        return false;
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->names[i], b->names[i]) != 0)
            return false;
    return true;
}

#define SAME(f)                                                                                    \
    if (!(a->f == b->f))                                                                           \
    fail_msg("specs differ in " #f)
#define SAME_STR(f)                                                                                \
    if (strcmp(a->f, b->f) != 0)                                                                   \
    fail_msg("specs differ in " #f ": \"%s\" vs \"%s\"", a->f, b->f)
#define SAME_LIST(f)                                                                               \
    if (!names_equal(&a->f, &b->f))                                                                \
    fail_msg("specs differ in " #f)

static void check_accel_equal(const struct sw_accel_req *a, const struct sw_accel_req *b)
{
    SAME(count_milli);
    SAME_LIST(models);
    SAME(min_mem_gib);
    SAME(compute_tflops);
    SAME(equivalent);
    SAME_STR(ref_model);
    SAME_STR(workload_class);
}

static void check_inputs_equal(const struct sw_jobspec *a, const struct sw_jobspec *b)
{
    SAME(ninputs);
    for (size_t i = 0; i < a->ninputs; i++) {
        SAME_STR(inputs[i].name);
        SAME(inputs[i].size_mb);
        SAME_STR(inputs[i].region);
    }
}

/* Every field of two specs, compared. */
static void check_equal(const struct sw_jobspec *a, const struct sw_jobspec *b)
{
    SAME(id);
    SAME_STR(name);
    SAME_STR(tenant);
    SAME(user);
    SAME_STR(idempotency_key);
    if (!strv_equal(a->argv, b->argv) || !strv_equal(a->env, b->env))
        fail_msg("specs differ in argv or env");
    if ((a->script || b->script) && (!a->script || !b->script || strcmp(a->script, b->script)))
        fail_msg("specs differ in script");
    SAME_STR(workdir);
    SAME(tasks);
    SAME(gang);
    SAME(cores);
    SAME(mem_mib);
    check_accel_equal(&a->accel, &b->accel);
    SAME(submit);
    SAME(walltime_s);
    SAME(runtime_estimate_s);
    SAME(runtime_s);
    SAME(deadline);
    SAME(qos);
    SAME(preemptible);
    SAME_STR(near_region);
    SAME(max_latency_ms);
    check_inputs_equal(a, b);
    SAME_STR(output_region);
    SAME_LIST(allow_regions);
    SAME_LIST(forbid_regions);
    SAME_LIST(allow_sites);
    SAME_LIST(forbid_sites);
    SAME_LIST(allow_providers);
    SAME_LIST(forbid_providers);
    SAME(site_kinds);
    SAME(objective);
    SAME(budget_fen);
    SAME(max_price_fen);
    SAME(retries);
}

/* to_json(js) as compact text (caller frees). */
static char *dump(const struct sw_jobspec *js)
{
    json_t *o = sw_jobspec_to_json(js);
    assert_non_null(o);
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    assert_non_null(s);
    return s;
}

/* to_json(js) parses back to an equal spec whose to_json is the same text. */
static void check_round_trip(const struct sw_jobspec *js)
{
    struct sw_jobspec back;
    char *text = dump(js);
    parse_ok(text, &back);
    check_equal(js, &back);
    char *again = dump(&back);
    assert_string_equal(text, again);
    free(again);
    free(text);
    sw_jobspec_free(&back);
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    char *buf = calloc(1, SW_JOB_JSON_MAX + 1);
    assert_non_null(buf);
    size_t n = fread(buf, 1, SW_JOB_JSON_MAX, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* Write `text` to a new temporary file; returns its path (static). */
static const char *temp_file(const char *text, size_t len)
{
    static char path[64];
    snprintf(path, sizeof(path), "/tmp/sw-test-jobs-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
    return path;
}

/* ---- the minimal job and every field ---------------------------------- */

static void test_minimal_defaults(void **state)
{
    (void)state;
    struct sw_jobspec js;
    parse_ok("{\"name\":\"x\",\"command\":[\"/bin/true\"]}", &js);
    static const char *const argv[] = {"/bin/true", NULL};
    assert_string_equal(js.name, "x");
    check_strv(js.argv, argv, "argv");
    assert_null(js.env);
    assert_null(js.script);
    assert_int_equal(js.id, 0);
    assert_int_equal(js.tasks, 1);
    assert_false(js.gang);
    assert_int_equal(js.cores, 1);
    assert_int_equal(js.mem_mib, 0);
    assert_int_equal(js.accel.count_milli, 0);
    assert_int_equal(js.walltime_s, 3600);
    assert_int_equal(js.runtime_estimate_s, 0);
    assert_int_equal(js.runtime_s, 0);
    assert_int_equal(js.submit, 0);
    assert_int_equal(js.deadline, -1);
    assert_int_equal(js.qos, SW_QOS_BATCH);
    assert_false(js.preemptible);
    assert_string_equal(js.near_region, "");
    assert_int_equal(js.ninputs, 0);
    assert_int_equal(js.site_kinds, 0);
    assert_int_equal(js.objective, SW_OBJ_FASTEST);
    assert_int_equal(js.budget_fen, -1);
    assert_int_equal(js.max_price_fen, -1);
    assert_int_equal(js.retries, 0);

    /* the same as sw_jobspec_init() plus name and argv */
    struct sw_jobspec def;
    sw_jobspec_init(&def);
    memcpy(def.name, "x", 2);
    def.argv = js.argv;
    check_equal(&js, &def);
    sw_jobspec_free(&js);
    sw_jobspec_free(NULL);
}

static const char full_job[] =
    "{\"id\": 42, \"name\": \"llm-pretrain\", \"tenant\": \"gba-ai-lab\", \"user\": 7,"
    " \"idempotency_key\": \"run-42\","
    " \"command\": [\"python\", \"train.py\", \"--lr\", \"3e-4\", \"\"],"
    " \"env\": {\"K\": \"V\", \"OMP_NUM_THREADS\": \"8\", \"EMPTY\": \"\", \"EQ\": \"a=b\"},"
    " \"workdir\": \"/data\", \"tasks\": 64, \"gang\": true,"
    " \"resources\": {\"cores\": 16, \"mem_gib\": 128, \"gpus\": {\"count\": 8,"
    "   \"model\": [\"A100\", \"A800\"], \"min_mem_gib\": 64, \"equivalent\": true,"
    "   \"ref_model\": \"A100\", \"workload_class\": \"resnet50\"}},"
    " \"walltime\": \"2h\", \"runtime_estimate\": 5400, \"runtime\": \"1h30m\","
    " \"submit\": 100, \"deadline\": 86400,"
    " \"qos\": \"interactive\", \"preemptible\": true,"
    " \"near\": {\"region\": \"guangzhou\", \"max_ms\": 3},"
    " \"data\": {\"inputs\": [{\"name\": \"corpus\", \"size\": \"2TB\", \"region\": \"shenzhen\"},"
    "   {\"name\": \"vocab\", \"size\": 12.5, \"region\": \"guangzhou\"},"
    "   {\"name\": \"ckpt\", \"size_mb\": 300, \"region\": \"shaoguan\"}],"
    "   \"output_region\": \"shenzhen\"},"
    " \"placement\": {\"regions\": {\"allow\": [\"shaoguan\", \"shenzhen\"], \"forbid\": "
    "[\"hongkong\"]},"
    "   \"sites\": {\"forbid\": [\"sg-old\"]}, \"providers\": {\"allow\": [\"telecom\", "
    "\"tencent\"]},"
    "   \"kinds\": {\"forbid\": [\"cloud\"]}},"
    " \"objective\": \"cheapest\", \"budget_fen\": 5000000, \"max_price_fen\": 1200,"
    " \"retries\": 2}";

static void test_every_field(void **state)
{
    (void)state;
    struct sw_jobspec js;
    parse_ok(full_job, &js);
    static const char *const argv[] = {"python", "train.py", "--lr", "3e-4", "", NULL};
    static const char *const env[] = {"K=V", "OMP_NUM_THREADS=8", "EMPTY=", "EQ=a=b", NULL};
    static const char *const models[] = {"A100", "A800"};
    static const char *const allow_regions[] = {"shaoguan", "shenzhen"};
    static const char *const forbid_regions[] = {"hongkong"};
    static const char *const forbid_sites[] = {"sg-old"};
    static const char *const allow_providers[] = {"telecom", "tencent"};
    assert_int_equal(js.id, 42);
    assert_string_equal(js.name, "llm-pretrain");
    assert_string_equal(js.tenant, "gba-ai-lab");
    assert_int_equal(js.user, 7);
    assert_string_equal(js.idempotency_key, "run-42");
    check_strv(js.argv, argv, "argv");
    check_strv(js.env, env, "env");
    assert_null(js.script);
    assert_string_equal(js.workdir, "/data");
    assert_int_equal(js.tasks, 64);
    assert_true(js.gang);
    assert_int_equal(js.cores, 16);
    assert_int_equal(js.mem_mib, 128 * 1024);
    assert_int_equal(js.accel.count_milli, 8000);
    check_names(&js.accel.models, models, 2, "models");
    assert_int_equal(js.accel.min_mem_gib, 64);
    assert_true(js.accel.equivalent);
    assert_true(js.accel.compute_tflops == 0);
    assert_string_equal(js.accel.ref_model, "A100");
    assert_string_equal(js.accel.workload_class, "resnet50");
    assert_int_equal(js.walltime_s, 7200);
    assert_int_equal(js.runtime_estimate_s, 5400);
    assert_int_equal(js.runtime_s, 5400);
    assert_int_equal(js.submit, 100);
    assert_int_equal(js.deadline, 86400);
    assert_int_equal(js.qos, SW_QOS_INTERACTIVE);
    assert_true(js.preemptible);
    assert_string_equal(js.near_region, "guangzhou");
    assert_true(js.max_latency_ms == 3.0);
    assert_int_equal(js.ninputs, 3);
    assert_string_equal(js.inputs[0].name, "corpus");
    assert_int_equal(js.inputs[0].size_mb, 2000000);
    assert_string_equal(js.inputs[0].region, "shenzhen");
    assert_string_equal(js.inputs[1].name, "vocab");
    assert_int_equal(js.inputs[1].size_mb, 13); /* 12.5 MB, rounded up */
    assert_string_equal(js.inputs[2].name, "ckpt");
    assert_int_equal(js.inputs[2].size_mb, 300);
    assert_string_equal(js.inputs[2].region, "shaoguan");
    assert_string_equal(js.output_region, "shenzhen");
    check_names(&js.allow_regions, allow_regions, 2, "allow_regions");
    check_names(&js.forbid_regions, forbid_regions, 1, "forbid_regions");
    check_names(&js.allow_sites, NULL, 0, "allow_sites");
    check_names(&js.forbid_sites, forbid_sites, 1, "forbid_sites");
    check_names(&js.allow_providers, allow_providers, 2, "allow_providers");
    check_names(&js.forbid_providers, NULL, 0, "forbid_providers");
    assert_int_equal(js.site_kinds, (1u << SW_SITE_HPC) | (1u << SW_SITE_AI));
    assert_int_equal(js.objective, SW_OBJ_CHEAPEST);
    assert_int_equal(js.budget_fen, 5000000);
    assert_int_equal(js.max_price_fen, 1200);
    assert_int_equal(js.retries, 2);
    sw_jobspec_free(&js);
    assert_true(is_zero(&js, sizeof(js)));
}

static void test_script_and_forms(void **state)
{
    (void)state;
    struct sw_jobspec js;
    parse_ok("{\"name\":\"s\",\"script\":\"#!/bin/bash\\nsrun hostname\\n\"}", &js);
    assert_null(js.argv);
    assert_string_equal(js.script, "#!/bin/bash\nsrun hostname\n");
    check_round_trip(&js);
    sw_jobspec_free(&js);

    /* gpus as a number; mem in MiB; near as a string; kinds allow; spot */
    parse_ok("{\"name\":\"g\",\"command\":[\"a\"],\"resources\":{\"gpus\":2,\"mem_mib\":1536},"
             "\"near\":\"shaoguan:2.5ms\",\"placement\":{\"kinds\":{\"allow\":[\"hpc\"]}},"
             "\"qos\":\"spot\",\"submit\":\"6h\",\"env\":{}}",
             &js);
    assert_int_equal(js.accel.count_milli, 2000);
    assert_int_equal(js.accel.models.n, 0);
    assert_int_equal(js.mem_mib, 1536);
    assert_string_equal(js.near_region, "shaoguan");
    assert_true(js.max_latency_ms == 2.5);
    assert_int_equal(js.site_kinds, 1u << SW_SITE_HPC);
    assert_int_equal(js.qos, SW_QOS_SPOT);
    assert_true(js.preemptible); /* spot implies preemptible */
    assert_int_equal(js.submit, 6 * 3600);
    assert_null(js.env);
    check_round_trip(&js);
    sw_jobspec_free(&js);

    /* fractional share; a single model as a string; gpus object without count = 1 */
    parse_ok("{\"name\":\"f\",\"command\":[\"a\"],\"resources\":{\"gpus\":{\"count\":0.5,"
             "\"model\":\"L40S\"}},\"near\":\"guangzhou:3\"}",
             &js);
    assert_int_equal(js.accel.count_milli, 500);
    assert_int_equal(js.accel.models.n, 1);
    assert_string_equal(js.accel.models.names[0], "L40S");
    assert_true(js.max_latency_ms == 3.0);
    check_round_trip(&js);
    sw_jobspec_free(&js);

    parse_ok("{\"name\":\"c\",\"command\":[\"a\"],\"resources\":{\"gpus\":{\"min_mem_gib\":64},"
             "\"mem_gib\":0.5}}",
             &js);
    assert_int_equal(js.accel.count_milli, 1000);
    assert_int_equal(js.accel.min_mem_gib, 64);
    assert_int_equal(js.mem_mib, 512);
    check_round_trip(&js);
    sw_jobspec_free(&js);

    parse_ok("{\"name\":\"t\",\"command\":[\"a\"],\"resources\":{\"gpus\":{\"count\":0.001}}}",
             &js);
    assert_int_equal(js.accel.count_milli, 1);
    check_round_trip(&js);
    sw_jobspec_free(&js);

    /* an amount of compute: count_milli holds a placeholder of one device */
    parse_ok("{\"name\":\"p\",\"command\":[\"a\"],\"resources\":{\"gpus\":{\"compute_tflops\":"
             "1000.5,\"equivalent\":true}}}",
             &js);
    assert_true(js.accel.compute_tflops == 1000.5);
    assert_int_equal(js.accel.count_milli, 1000);
    check_round_trip(&js);
    sw_jobspec_free(&js);

    /* Chinese names are fine */
    parse_ok("{\"name\":\"训练-7b\",\"command\":[\"a\"],\"tenant\":\"韶关\"}", &js);
    assert_string_equal(js.name, "训练-7b");
    check_round_trip(&js);
    sw_jobspec_free(&js);
}

/* ---- durations, sizes, latency circles ------------------------------- */

struct dur_case {
    const char *s;
    int64_t want; /* -1: error */
};

static void test_durations(void **state)
{
    (void)state;
    static const struct dur_case cases[] = {
        {"90s", 90},
        {"30m", 1800},
        {"2h", 7200},
        {"1d", 86400},
        {"1h30m", 5400},
        {"2d12h", 216000},
        {"1d2h3m4s", 93784},
        {"1.5h", 5400},
        {"0.5m", 30},
        {"0s", 0},
        {"0.25d", 21600},
        /* Slurm --time */
        {"90", 5400},
        {"0", 0},
        {"90:30", 5430},
        {"1:00", 60},
        {"12:00:00", 43200},
        {"100:00:00", 360000},
        {"2-12", 216000},
        {"1-02:30", 95400},
        {"1-02:30:15", 95415},
        {"0-00:00:01", 1},
        {"00:59:59", 3599},
        /* errors */
        {"", -1},
        {"2x", -1},
        {"h", -1},
        {"1h1h", -1},
        {"30m1h", -1},
        {"1 h", -1},
        {"-5m", -1},
        {"1.5", -1},
        {"1:60", -1},
        {"1:00:60", -1},
        {"1:60:00", -1},
        {"1-24", -1},
        {"1-2:60", -1},
        {"1:2:3:4", -1},
        {"1-", -1},
        {"-1", -1},
        {"1::2", -1},
        {"1.h", -1},
        {".5h", -1},
        {"0.5s", -1},
        {"1H", -1},
        {"1ms", -1},
        {"2w", -1},
        {"101d", 101 * 86400},
        {"40000d", -1},
        {"99999999999999999999", -1},
        {"1.0000000001s", -1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int64_t v = -7;
        sw_error_t err = {{0}};
        int rc = sw_duration_parse(cases[i].s, &v, &err);
        if (cases[i].want < 0 && rc == 0)
            fail_msg("duration \"%s\": accepted as %lld", cases[i].s, (long long)v);
        if (cases[i].want >= 0 && (rc != 0 || v != cases[i].want))
            fail_msg("duration \"%s\": got %lld (%s), want %lld", cases[i].s, (long long)v,
                     err.text, (long long)cases[i].want);
        if (rc != 0)
            assert_int_equal(v, -7); /* untouched */
    }
    sw_error_t err = {{0}};
    int64_t v;
    assert_int_equal(sw_duration_parse("40000d", &v, &err), -1);
    assert_int_equal(errno, ERANGE);
    assert_string_equal(err.text, "\"40000d\" is too long (at most 100 years)");
    assert_int_equal(sw_duration_parse("99999999999999999999", &v, &err), -1);
    assert_string_equal(err.text, "\"99999999999999999999\" is too long (at most 100 years)");
    assert_int_equal(sw_duration_parse("99999999999-00", &v, &err), -1);
    assert_string_equal(err.text, "\"99999999999-00\" is too long (at most 100 years)");
    assert_int_equal(sw_duration_parse("9223372036854775807s", &v, &err), -1);
    assert_int_equal(errno, ERANGE);
    assert_int_equal(sw_duration_parse("0.5s", &v, &err), -1);
    assert_string_equal(err.text, "\"0.5s\" is not a whole number of seconds");
    assert_int_equal(sw_duration_parse(NULL, &v, NULL), -1);

    /* the same forms as JSON fields; numbers are seconds */
    struct sw_jobspec js;
    parse_ok("{\"name\":\"d\",\"command\":[\"a\"],\"walltime\":\"1-02:30:15\","
             "\"runtime_estimate\":\"90\",\"runtime\":90}",
             &js);
    assert_int_equal(js.walltime_s, 95415);
    assert_int_equal(js.runtime_estimate_s, 5400);
    assert_int_equal(js.runtime_s, 90);
    sw_jobspec_free(&js);
}

struct size_case {
    const char *s;
    int64_t want; /* -1: error */
};

static void test_sizes(void **state)
{
    (void)state;
    static const struct size_case cases[] = {
        {"500MB", 500},      {"2GB", 2000},      {"1.5TB", 1500000}, {"2TB", 2000000},
        {"1PB", 1000000000}, {"100GiB", 107375}, {"1MiB", 2},        {"1KB", 1},
        {"1B", 1},           {"0MB", 0},         {"2 GB", 2000},     {"2gb", 2000},
        {"2Tb", 2000000},    {"0.1GB", 100},     {"1TiB", 1099512},  {"1000PB", 1000000000000},
        {"1.000001MB", 2},   {"", -1},           {"500", -1},        {"MB", -1},
        {"2XB", -1},         {"2G", -1},         {"-1MB", -1},       {"1001PB", -1},
        {"1e3MB", -1},       {"2GB ", -1},       {"1.MB", -1},
        {"0.000001B", 1}, {"999.999999999PB", 999999999999}, {"1.5KiB", 1},
        {"1000.000000001PB", -1}, {"1048576TiB", -1}, {"888178PiB", -1},
        {"888PiB", 999799117277}, {"10000000000000B", 10000000}, {"1000000000000000000B",
        1000000000000}, {"1000000000000000001B", -1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int64_t v = -7;
        sw_error_t err = {{0}};
        int rc = sw_size_parse_mb(cases[i].s, &v, &err);
        if (cases[i].want < 0 && rc == 0)
            fail_msg("size \"%s\": accepted as %lld", cases[i].s, (long long)v);
        if (cases[i].want >= 0 && (rc != 0 || v != cases[i].want))
            fail_msg("size \"%s\": got %lld (%s), want %lld", cases[i].s, (long long)v, err.text,
                     (long long)cases[i].want);
    }
    sw_error_t err = {{0}};
    int64_t v;
    assert_int_equal(sw_size_parse_mb("2XB", &v, &err), -1);
    assert_string_equal(err.text, "\"2XB\": unknown unit \"XB\" (use B, KB, MB, GB, TB, PB or "
                                  "KiB, MiB, GiB, TiB, PiB)");
    assert_int_equal(sw_size_parse_mb("1001PB", &v, &err), -1);
    assert_int_equal(errno, ERANGE);
    assert_string_equal(err.text, "\"1001PB\" is too large (at most 1 EB)");
}

static void test_near_forms(void **state)
{
    (void)state;
    char region[SW_NAME_MAX] = "unchanged";
    double ms = -1;
    assert_int_equal(sw_near_parse("guangzhou:3ms", region, &ms, NULL), 0);
    assert_string_equal(region, "guangzhou");
    assert_true(ms == 3.0);
    assert_int_equal(sw_near_parse("shaoguan:0.5", region, &ms, NULL), 0);
    assert_string_equal(region, "shaoguan");
    assert_true(ms == 0.5);
    static const char *const bad[] = {"guangzhou", ":3ms",  "gz:",      "gz:0ms", "gz:3 ms",
                                      "gz:3s",     "gz:-3", "gz:10001", "a\tb:3"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        memcpy(region, "unchanged", 10);
        ms = -1;
        if (sw_near_parse(bad[i], region, &ms, NULL) == 0)
            fail_msg("near \"%s\" accepted", bad[i]);
        assert_string_equal(region, "unchanged");
        assert_true(ms == -1);
    }
    sw_error_t err = {{0}};
    assert_int_equal(sw_near_parse("gz:0ms", region, &ms, &err), -1);
    assert_string_equal(err.text, "\"gz:0ms\": the latency must be > 0 and at most 10000 ms");
}

static void test_names(void **state)
{
    (void)state;
    for (int q = SW_QOS_REALTIME; q <= SW_QOS_SPOT; q++) {
        enum sw_qos back;
        assert_int_equal(sw_qos_parse(sw_qos_name((enum sw_qos)q), &back), 0);
        assert_int_equal(back, q);
    }
    for (int o = SW_OBJ_FASTEST; o <= SW_OBJ_BALANCED; o++) {
        enum sw_objective back;
        assert_int_equal(sw_objective_parse(sw_objective_name((enum sw_objective)o), &back), 0);
        assert_int_equal(back, o);
    }
    enum sw_qos q = SW_QOS_BATCH;
    errno = 0;
    assert_int_equal(sw_qos_parse("Batch", &q), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(q, SW_QOS_BATCH);
    assert_string_equal(sw_qos_name((enum sw_qos)9), "unknown");
    assert_string_equal(sw_objective_name((enum sw_objective)9), "unknown");
    assert_string_equal(sw_qos_name(SW_QOS_REALTIME), "realtime");
    assert_string_equal(sw_objective_name(SW_OBJ_GREENEST), "greenest");
}

/* ---- validation errors ----------------------------------------------- */

struct err_case {
    const char *json; /* appended after {"name":"x","command":["a"] unless it starts with '!' */
    const char *want;
};

#define JOB "{\"name\":\"x\",\"command\":[\"a\"]"

static void test_errors(void **state)
{
    (void)state;
    static const struct err_case cases[] = {
        /* syntax and structure */
        {"!{\"name\":\"x\"", "invalid JSON at line 1, column 11: '}' expected near end of file"},
        {"!{\"name\":\"x\",\"name\":\"y\"}",
         "invalid JSON at line 1, column 18: a field appears twice (duplicate object key near "
         "'\"name\"')"},
        {"!", "invalid JSON at line 1, column 0: '[' or '{' expected near end of file"},
        {"![1]", "expected a JSON object (one job), got an array"},
        {"!{\"name\":\"x\",\"command\":[\"a\"]} {}",
         "invalid JSON at line 1, column 30: end of file expected near '{'"},
        /* required fields and exclusive pairs */
        {"!{\"command\":[\"a\"]}", "name: required"},
        {"!{\"name\":\"x\"}", "command: required (an array such as [\"/bin/true\"]; or give "
                              "\"script\")"},
        {",\"script\":\"#!/bin/sh\\n\"}", "script: give either command or script, not both"},
        {"!{\"name\":\"x\",\"command\":\"ls -l\"}",
         "command: expected an array of strings such as [\"python\", \"train.py\"], got a "
         "string (a command never goes through a shell: give each argument its own string, or "
         "use \"script\")"},
        {"!{\"name\":\"x\",\"command\":[]}",
         "command: must not be empty (give the program and its arguments)"},
        {"!{\"name\":\"x\",\"command\":[\"\"]}",
         "command[0]: must not be empty (the program to run)"},
        {"!{\"name\":\"x\",\"command\":[\"a\",1]}", "command[1]: expected a string, got 1"},
        {"!{\"name\":\"x\",\"command\":[\"a\",\"b\\u0000c\"]}",
         "command[1]: contains a NUL character (\\u0000)"},
        {"!{\"name\":\"x\",\"script\":\"echo hi\"}",
         "script: must start with an interpreter line such as \"#!/bin/bash\""},
        {"!{\"name\":\"\",\"command\":[\"a\"]}", "name: must not be empty"},
        {"!{\"name\":\"a\\nb\",\"command\":[\"a\"]}", "name: must not contain control characters"},
        {"!{\"name\":null,\"command\":[\"a\"]}", "name: expected a string, got null"},
        /* unknown fields */
        {",\"comand\":[\"a\"]}", "comand: unknown field (did you mean \"command\"?)"},
        {",\"cores\":4}", "cores: unknown field (did you mean \"resources.cores\"?)"},
        {",\"time\":\"1:00:00\"}", "time: unknown field (did you mean \"walltime\"?)"},
        {",\"ntasks\":4}", "ntasks: unknown field (did you mean \"tasks\"?)"},
        {",\"zzzzzz\":4}", "zzzzzz: unknown field (the fields are listed in docs/jobs.md)"},
        {",\"resources\":{\"gpu\":1}}", "resources.gpu: unknown field (did you mean \"gpus\"?)"},
        {",\"resources\":{\"disk\":1}}",
         "resources.disk: unknown field (known here: cores, mem_gib, mem_mib, gpus)"},
        {",\"near\":{\"region\":\"gz\",\"max\":3}}",
         "near.max: unknown field (did you mean \"max_ms\"?)"},
        {",\"near\":{\"region\":\"gz\",\"radius\":3}}",
         "near.radius: unknown field (known here: region, max_ms)"},
        {",\"near\":{\"region\":\"gz\",\"maxms\":3}}",
         "near.maxms: unknown field (did you mean \"max_ms\"?)"},
        {",\"resources\":{\"gpus\":{\"modle\":\"A100\"}}}",
         "resources.gpus.modle: unknown field (did you mean \"model\"?)"},
        /* numbers and ranges */
        {",\"tasks\":0}", "tasks: must be >= 1, got 0"},
        {",\"tasks\":-3}", "tasks: must be >= 1, got -3"},
        {",\"tasks\":1000001}", "tasks: must be <= 1000000, got 1000001"},
        {",\"tasks\":\"64\"}", "tasks: expected an integer, got the string \"64\""},
        {",\"tasks\":2.0}", "tasks: expected an integer, got 2.0"},
        {",\"tasks\":2.5}", "tasks: expected an integer, got 2.5"},
        {",\"gang\":\"yes\"}", "gang: expected true or false, got the string \"yes\""},
        {",\"resources\":{\"cores\":0}}", "resources.cores: must be >= 1, got 0"},
        {",\"resources\":[]}", "resources: expected an object, got an array"},
        {",\"resources\":{\"mem_gib\":-1}}", "resources.mem_gib: must be > 0, got -1"},
        {",\"resources\":{\"mem_gib\":1,\"mem_mib\":1024}}",
         "resources.mem_mib: give mem_gib or mem_mib, not both"},
        {",\"resources\":{\"gpus\":0}}",
         "resources.gpus: must be > 0, got 0 (leave resources.gpus out for none)"},
        {",\"resources\":{\"gpus\":{\"count\":1.5}}}",
         "resources.gpus.count: a share of a device must be below 1; above that, count whole "
         "devices (got 1.5)"},
        {",\"resources\":{\"gpus\":{\"count\":0.0005}}}",
         "resources.gpus.count: must be a multiple of 0.001 devices, got 0.0005"},
        {",\"resources\":{\"gpus\":{\"count\":2000}}}",
         "resources.gpus.count: must be <= 1024, got 2000"},
        {",\"resources\":{\"gpus\":{\"model\":5}}}",
         "resources.gpus.model: expected a string or an array of strings, got 5"},
        {",\"resources\":{\"gpus\":{\"model\":[]}}}",
         "resources.gpus.model: must not be empty (leave the field out for no constraint)"},
        {",\"resources\":{\"gpus\":{\"model\":[\"A100\",\"A100\"]}}}",
         "resources.gpus.model[1]: \"A100\" is listed twice (also at [0])"},
        {",\"resources\":{\"gpus\":{\"count\":1,\"compute_tflops\":100}}}",
         "resources.gpus: give count or compute_tflops, not both"},
        {",\"resources\":{\"gpus\":\"8\"}}",
         "resources.gpus: expected a number of devices or an object such as {\"count\": 8}, "
         "got the string \"8\""},
        {",\"resources\":{\"gpus\":{\"ref_model\":"
         "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}}}",
         "resources.gpus.ref_model: is too long (48 bytes, at most 47)"},
        /* durations and times */
        {",\"walltime\":\"2x\"}",
         "walltime: \"2x\" is not a duration (use seconds as a number, or \"90s\", \"30m\", "
         "\"2h\", \"1d\", \"1h30m\", or Slurm's \"MM\", \"MM:SS\", \"HH:MM:SS\", \"D-HH\", "
         "\"D-HH:MM\", \"D-HH:MM:SS\")"},
        {",\"walltime\":0}", "walltime: must be > 0, got 0"},
        {",\"walltime\":\"0s\"}", "walltime: must be > 0, got \"0s\" (0 s)"},
        {",\"walltime\":-60}", "walltime: must be > 0, got -60"},
        {",\"walltime\":1.5}",
         "walltime: expected whole seconds or a duration such as \"1.5h\", got 1.5"},
        {",\"walltime\":\"400d\"}",
         "walltime: must be at most 31622400 s (366 days), got \"400d\" (34560000 s)"},
        {",\"walltime\":true}",
         "walltime: expected seconds or a duration string such as \"2h\", got true"},
        {",\"runtime_estimate\":7200}",
         "runtime_estimate: must not exceed walltime (3600 s, the default), got 7200 s"},
        {",\"walltime\":60,\"runtime_estimate\":61}",
         "runtime_estimate: must not exceed walltime (60 s), got 61 s"},
        {",\"runtime\":0}", "runtime: must be > 0, got 0"},
        {",\"submit\":-1}", "submit: must be >= 0, got -1"},
        {",\"submit\":100,\"deadline\":50}", "deadline: must be after submit (100), got 50"},
        {",\"deadline\":0}", "deadline: must be after submit (0), got 0"},
        {",\"deadline\":\"2h\"}",
         "deadline: expected an absolute time in seconds (the clock of submit), got a string"},
        /* policy */
        {",\"qos\":\"bacth\"}",
         "qos: unknown QoS class \"bacth\" (did you mean \"batch\"? one of realtime, "
         "interactive, batch, spot)"},
        {",\"qos\":\"gold\"}",
         "qos: unknown QoS class \"gold\" (one of realtime, interactive, batch, spot)"},
        {",\"objective\":\"cheap\"}",
         "objective: unknown objective \"cheap\" (did you mean \"cheapest\"? one of fastest, "
         "cheapest, greenest, balanced)"},
        {",\"qos\":\"spot\",\"preemptible\":false}",
         "preemptible: spot jobs are always preemptible"},
        {",\"budget_fen\":12.5}",
         "budget_fen: money is an integer number of fen (1 yuan = 100 fen), got 12.5"},
        {",\"max_price_fen\":0}", "max_price_fen: must be > 0, got 0 (leave it out for no cap)"},
        {",\"budget_fen\":\"100\"}",
         "budget_fen: expected an integer number of fen, got the string \"100\""},
        {",\"retries\":-1}", "retries: must be >= 0, got -1"},
        {",\"retries\":101}", "retries: must be <= 100, got 101"},
        {",\"user\":4294967296}", "user: must be <= 4294967295, got 4294967296"},
        {",\"id\":0}", "id: must be >= 1, got 0"},
        /* latency circle */
        {",\"near\":\"guangzhou\"}",
         "near: \"guangzhou\" is not a latency circle (write REGION:MILLISECONDS, e.g. "
         "\"guangzhou:3ms\")"},
        {",\"near\":{\"region\":\"gz\"}}",
         "near.max_ms: required (the radius of the latency circle, in ms)"},
        {",\"near\":{\"max_ms\":3}}",
         "near.region: required (the region the latency is measured from)"},
        {",\"near\":{\"region\":\"gz\",\"max_ms\":0}}", "near.max_ms: must be > 0, got 0"},
        {",\"near\":3}",
         "near: expected an object {\"region\": ..., \"max_ms\": ...} or a string such as "
         "\"guangzhou:3ms\", got 3"},
        /* data */
        {",\"data\":{\"inputs\":[{\"name\":\"a\",\"region\":\"b\"}]}}",
         "data.inputs[0].size: required"},
        {",\"data\":{\"inputs\":[{\"size\":1,\"region\":\"b\"}]}}",
         "data.inputs[0].name: required"},
        {",\"data\":{\"inputs\":[{\"name\":\"a\",\"size\":1}]}}",
         "data.inputs[0].region: required"},
        {",\"data\":{\"inputs\":[{\"name\":\"a\",\"size\":\"500\",\"region\":\"b\"}]}}",
         "data.inputs[0].size: \"500\" has no unit (write \"500MB\", or a plain number of MB)"},
        {",\"data\":{\"inputs\":[{\"name\":\"a\",\"size\":-5,\"region\":\"b\"}]}}",
         "data.inputs[0].size: must be > 0, got -5"},
        {",\"data\":{\"inputs\":[{\"name\":\"a\",\"size\":\"0GB\",\"region\":\"b\"}]}}",
         "data.inputs[0].size: must be > 0, got \"0GB\""},
        {",\"data\":{\"inputs\":[{\"name\":\"a\",\"size\":1,\"size_mb\":1,\"region\":\"b\"}]}}",
         "data.inputs[0].size_mb: give size or size_mb, not both"},
        {",\"data\":{\"inputs\":[{\"name\":\"a\",\"size_mb\":\"1GB\",\"region\":\"b\"}]}}",
         "data.inputs[0].size_mb: expected a number of MB, got the string \"1GB\""},
        {",\"data\":{\"inputs\":[{\"name\":\"a\",\"size\":1,\"region\":\"b\"},"
         "{\"name\":\"a\",\"size\":2,\"region\":\"c\"}]}}",
         "data.inputs[1].name: \"a\" is already used by data.inputs[0]"},
        {",\"data\":{\"inputs\":{}}}",
         "data.inputs: expected an array of inputs such as [{\"name\": \"corpus\", \"size\": "
         "\"2TB\", \"region\": \"shenzhen\"}], got an object"},
        /* placement */
        {",\"placement\":{\"regions\":{\"allow\":[\"shaoguan\",\"shaoguan\"]}}}",
         "placement.regions.allow[1]: \"shaoguan\" is listed twice (also at [0])"},
        {",\"placement\":{\"regions\":{\"allow\":[\"shaoguan\"],\"forbid\":[\"shaoguan\"]}}}",
         "placement.regions: \"shaoguan\" is both allowed and forbidden"},
        {",\"placement\":{\"sites\":{\"allow\":\"sg-1\"}}}",
         "placement.sites.allow: expected an array of names, got the string \"sg-1\""},
        {",\"placement\":{\"providers\":{\"deny\":[\"x\"]}}}",
         "placement.providers.deny: unknown field (known here: allow, forbid)"},
        {",\"placement\":{\"kinds\":{\"allow\":[\"hcp\"]}}}",
         "placement.kinds.allow[0]: unknown site kind \"hcp\" (did you mean \"hpc\"? one of "
         "hpc, ai, cloud)"},
        {",\"placement\":{\"kinds\":{\"forbid\":[\"hpc\",\"ai\",\"cloud\"]}}}",
         "placement.kinds: forbids every kind of site"},
        {",\"placement\":{\"kinds\":{\"allow\":[\"ai\"],\"forbid\":[\"ai\"]}}}",
         "placement.kinds: \"ai\" is both allowed and forbidden"},
        /* env and workdir */
        {",\"env\":{\"1X\":\"y\"}}",
         "env.1X: not a valid variable name (letters, digits and _, not starting with a digit)"},
        {",\"env\":{\"A=B\":\"y\"}}",
         "env.A=B: not a valid variable name (letters, digits and _, not starting with a digit)"},
        {",\"env\":{\"SUANWANG_TASK\":\"1\"}}",
         "env.SUANWANG_TASK: names starting with SUANWANG_ are reserved (the agent sets them)"},
        {",\"env\":{\"A\":1}}", "env.A: expected a string, got 1"},
        {",\"env\":[\"A=1\"]}",
         "env: expected an object of strings such as {\"OMP_NUM_THREADS\": \"8\"}, got an array"},
        {",\"workdir\":\"data\"}", "workdir: must be an absolute path (starting with /)"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char text[1024];
        if (cases[i].json[0] == '!')
            snprintf(text, sizeof(text), "%s", cases[i].json + 1);
        else
            snprintf(text, sizeof(text), "%s%s", JOB, cases[i].json);
        parse_err(text, cases[i].want);
    }
}

/* ---- caps, UTF-8, NUL ------------------------------------------------ */

/* A job whose command has `n` arguments of `len` bytes each. */
static char *job_with_args(size_t n, size_t len)
{
    size_t size = 64 + n * (len + 3);
    char *s = malloc(size), *p = s;
    assert_non_null(s);
    p += snprintf(p, size, "{\"name\":\"big\",\"command\":[");
    for (size_t i = 0; i < n; i++) {
        *p++ = i ? ',' : ' ';
        *p++ = '"';
        memset(p, 'a', len);
        p += len;
        *p++ = '"';
    }
    memcpy(p, "]}", 3);
    return s;
}

static void test_caps(void **state)
{
    (void)state;
    /* one byte over 1 MiB is refused before parsing */
    size_t big = SW_JOB_JSON_MAX + 1;
    char *text = malloc(big);
    assert_non_null(text);
    memset(text, ' ', big);
    memcpy(text, JOB "}", strlen(JOB "}"));
    parse_err_n(text, big,
                "the job is 1048577 bytes of JSON, more than the limit of 1048576 "
                "(1 MiB)",
                EFBIG);
    /* exactly 1 MiB (padded with blanks) is fine */
    struct sw_jobspec js;
    sw_error_t err = {{0}};
    assert_int_equal(sw_jobspec_parse(text, SW_JOB_JSON_MAX, &js, &err), 0);
    sw_jobspec_free(&js);
    free(text);

    text = job_with_args(SW_JOB_ARGV_MAX + 1, 1);
    parse_err(text, "command: has 1025 entries, at most 1024");
    free(text);
    text = job_with_args(SW_JOB_ARGV_MAX, 1);
    parse_ok(text, &js);
    sw_jobspec_free(&js);
    free(text);
    text = job_with_args(2, SW_JOB_ARG_MAX + 1);
    parse_err(text, "command[0]: is too long (65537 bytes, at most 65536)");
    free(text);

    /* a long list */
    size_t size = 64 * 300, at = 0;
    char *list = malloc(size);
    assert_non_null(list);
    at += (size_t)snprintf(list, size, JOB ",\"placement\":{\"regions\":{\"allow\":[");
    for (int i = 0; i < 257; i++)
        at += (size_t)snprintf(list + at, size - at, "%s\"r%d\"", i ? "," : "", i);
    snprintf(list + at, size - at, "]}}}");
    parse_err(list, "placement.regions.allow: has 257 names, at most 256");
    free(list);
}

static void test_utf8_and_nul(void **state)
{
    (void)state;
    parse_err_n("{\"name\":\"\xff\"}", 12,
                "invalid JSON at line 1, column 9: the text is not valid UTF-8 (a job must be "
                "UTF-8 encoded)",
                EINVAL);
    /* overlong '/' and a CESU-style surrogate in raw bytes */
    parse_err("{\"name\":\"\xc0\xaf\",\"command\":[\"a\"]}",
              "invalid JSON at line 1, column 9: the text is not valid UTF-8 (a job must be "
              "UTF-8 encoded)");
    parse_err("{\"name\":\"\xed\xa0\x80\",\"command\":[\"a\"]}",
              "invalid JSON at line 1, column 9: the text is not valid UTF-8 (a job must be "
              "UTF-8 encoded)");
    /* a raw NUL byte inside the text */
    parse_err_n("{\"name\":\"a\0b\",\"command\":[\"a\"]}", 30,
                "invalid JSON at line 1, column 10: control character 0x0 near '\"a'", EINVAL);
    /* NUL as an escape, in a name and in a key */
    parse_err("{\"name\":\"a\\u0000b\",\"command\":[\"a\"]}",
              "name: contains a NUL character (\\u0000)");
    parse_err("{\"name\":\"a\",\"command\":[\"a\"],\"env\":{\"A\":\"x\\u0000\"}}",
              "env.A: contains a NUL character (\\u0000)");

    /* a json_t built in memory: invalid UTF-8 and a NUL in a key are caught too */
    struct sw_jobspec js;
    sw_error_t err = {{0}};
    json_t *o = json_pack("{s:s, s:[s]}", "name", "x", "command", "a");
    assert_non_null(o);
    assert_int_equal(json_object_set_new_nocheck(o, "tenant", json_stringn_nocheck("\xff", 1)), 0);
    assert_int_equal(sw_jobspec_from_json(o, &js, &err), -1);
    assert_string_equal(err.text, "tenant: is not valid UTF-8");
    json_object_del(o, "tenant");
    assert_int_equal(json_object_setn_new_nocheck(o, "env\0x", 5, json_object()), 0);
    assert_int_equal(sw_jobspec_from_json(o, &js, &err), -1);
    assert_string_equal(err.text, "env: field name contains a NUL character");
    json_decref(o);
    assert_int_equal(sw_jobspec_from_json(NULL, &js, &err), -1);
    assert_string_equal(err.text, "expected a JSON object (one job), got nothing");
    /* messages quote only printable, whole characters */
    parse_err(JOB ",\"qos\":\"\\u0001ba\\u00e9\"}",
              "qos: unknown QoS class \"?ba\xc3\xa9\" (one of realtime, interactive, batch, spot)");
}

/* ---- round trip ------------------------------------------------------ */

static void test_round_trip(void **state)
{
    (void)state;
    struct sw_jobspec js;
    parse_ok(full_job, &js);
    check_round_trip(&js);
    /* canonical text of the full job */
    char *text = dump(&js);
    assert_string_equal(
        text,
        "{\"id\":42,\"name\":\"llm-pretrain\",\"tenant\":\"gba-ai-lab\",\"user\":7,"
        "\"idempotency_key\":\"run-42\",\"command\":[\"python\",\"train.py\",\"--lr\",\"3e-4\","
        "\"\"],\"env\":{\"K\":\"V\",\"OMP_NUM_THREADS\":\"8\",\"EMPTY\":\"\",\"EQ\":\"a=b\"},"
        "\"workdir\":\"/data\",\"tasks\":64,\"gang\":true,\"resources\":{\"cores\":16,"
        "\"mem_gib\":128,\"gpus\":{\"count\":8,\"model\":[\"A100\",\"A800\"],\"min_mem_gib\":64,"
        "\"equivalent\":true,\"ref_model\":\"A100\",\"workload_class\":\"resnet50\"}},"
        "\"walltime\":7200,\"runtime_estimate\":5400,\"runtime\":5400,\"submit\":100,"
        "\"deadline\":86400,\"qos\":\"interactive\",\"preemptible\":true,\"near\":{\"region\":"
        "\"guangzhou\",\"max_ms\":3.0},\"data\":{\"inputs\":[{\"name\":\"corpus\",\"size_mb\":"
        "2000000,\"region\":\"shenzhen\"},{\"name\":\"vocab\",\"size_mb\":13,\"region\":"
        "\"guangzhou\"},{\"name\":\"ckpt\",\"size_mb\":300,\"region\":\"shaoguan\"}],"
        "\"output_region\":\"shenzhen\"},\"placement\":{\"regions\":{\"allow\":[\"shaoguan\","
        "\"shenzhen\"],\"forbid\":[\"hongkong\"]},\"sites\":{\"forbid\":[\"sg-old\"]},"
        "\"providers\":{\"allow\":[\"telecom\",\"tencent\"]},\"kinds\":{\"allow\":[\"hpc\","
        "\"ai\"]}},\"objective\":\"cheapest\",\"budget_fen\":5000000,\"max_price_fen\":1200,"
        "\"retries\":2}");
    free(text);
    sw_jobspec_free(&js);

    /* a spec built in code (as the CLI or a trace reader would) */
    sw_jobspec_init(&js);
    memcpy(js.name, "built", 6);
    js.argv = calloc(3, sizeof(char *));
    assert_non_null(js.argv);
    js.argv[0] = strdup("/bin/echo");
    js.argv[1] = strdup("hi there; rm -rf /"); /* one argument, never a shell */
    js.mem_mib = 1000;
    js.accel.count_milli = 250;
    js.max_latency_ms = 0.1;
    memcpy(js.near_region, "shenzhen", 9);
    js.site_kinds = 1u << SW_SITE_CLOUD;
    check_round_trip(&js);
    sw_jobspec_free(&js);
}

/* ---- the example files ----------------------------------------------- */

static void test_examples(void **state)
{
    (void)state;
    static const char *const files[] = {"drone-perception.json", "llm-pretrain.json",
                                        "annotation-array.json", "hpc-mpi.json"};
    struct sw_jobspec js[4];
    for (size_t i = 0; i < 4; i++) {
        char path[512];
        snprintf(path, sizeof(path), "%s/jobs/%s", EXAMPLES_DIR, files[i]);
        char *text = read_file(path);
        parse_ok(text, &js[i]);
        check_round_trip(&js[i]);
        free(text);
    }
    assert_int_equal(js[0].qos, SW_QOS_REALTIME);
    assert_string_equal(js[0].near_region, "shaoguan");
    assert_true(js[0].max_latency_ms == 3.0);
    assert_int_equal(js[0].accel.count_milli, 1000);
    assert_int_equal(js[1].tasks, 64);
    assert_true(js[1].gang);
    assert_int_equal(js[1].accel.count_milli, 8000);
    assert_int_equal(js[1].walltime_s, 2 * 86400);
    assert_int_equal(js[1].inputs[0].size_mb, 2000000);
    assert_string_equal(js[1].inputs[0].region, "shenzhen");
    assert_int_equal(js[2].tasks, 500);
    assert_false(js[2].gang);
    assert_int_equal(js[2].cores, 1);
    assert_true(js[2].preemptible);
    assert_int_equal(js[3].tasks, 16);
    assert_true(js[3].gang);
    assert_int_equal(js[3].cores, 32);
    assert_int_equal(js[3].site_kinds, 1u << SW_SITE_HPC);
    assert_non_null(js[3].script);
    assert_int_equal(js[3].walltime_s, 12 * 3600);
    for (size_t i = 0; i < 4; i++)
        sw_jobspec_free(&js[i]);

    struct sw_workload w;
    sw_error_t err = {{0}};
    if (sw_workload_load_jsonl(EXAMPLES_DIR "/workload-gd.jsonl", &w, &err) != 0)
        fail_msg("%s", err.text);
    assert_true(w.n >= 50 && w.n <= 200);
    int64_t last = 0;
    for (size_t i = 0; i < w.n; i++) {
        assert_int_equal(w.jobs[i].id, i + 1);
        assert_true(w.jobs[i].submit >= last && w.jobs[i].submit < 86400);
        assert_true(w.jobs[i].runtime_s > 0);
        last = w.jobs[i].submit;
        check_round_trip(&w.jobs[i]);
    }
    sw_workload_free(&w);
    sw_workload_free(NULL);
}

/* ---- JSON lines ------------------------------------------------------ */

static void test_jsonl(void **state)
{
    (void)state;
    static const char text[] = "# a workload\n"
                               "{\"name\":\"a\",\"command\":[\"x\"],\"submit\":10}\n"
                               "\n"
                               "   # indented comment\n"
                               "{\"name\":\"b\",\"command\":[\"x\"],\"submit\":5,\"id\":100}\r\n"
                               "  \t \n"
                               "{\"name\":\"c\",\"command\":[\"x\"],\"submit\":5}";
    const char *path = temp_file(text, strlen(text));
    struct sw_workload w;
    sw_error_t err = {{0}};
    if (sw_workload_load_jsonl(path, &w, &err) != 0)
        fail_msg("%s", err.text);
    unlink(path);
    assert_int_equal(w.n, 3);
    assert_int_equal(w.skipped, 0);
    /* file order kept; ids are line numbers unless given */
    assert_string_equal(w.jobs[0].name, "a");
    assert_int_equal(w.jobs[0].id, 2);
    assert_string_equal(w.jobs[1].name, "b");
    assert_int_equal(w.jobs[1].id, 100);
    assert_string_equal(w.jobs[2].name, "c");
    assert_int_equal(w.jobs[2].id, 7);
    sw_workload_free(&w);
    assert_true(is_zero(&w, sizeof(w)));

    /* an empty file is an empty workload */
    path = temp_file("", 0);
    assert_int_equal(sw_workload_load_jsonl(path, &w, &err), 0);
    unlink(path);
    assert_int_equal(w.n, 0);
    sw_workload_free(&w);
}

/* Load `text` as a JSON-lines file and expect `want` after "PATH:". */
static void jsonl_err(const char *text, size_t len, const char *want, int want_errno)
{
    char full[600];
    const char *path = temp_file(text, len);
    struct sw_workload w;
    sw_error_t err = {{0}};
    memset(&w, 0x5a, sizeof(w));
    errno = 0;
    assert_int_equal(sw_workload_load_jsonl(path, &w, &err), -1);
    assert_int_equal(errno, want_errno);
    snprintf(full, sizeof(full), "%s:%s", path, want);
    unlink(path);
    assert_string_equal(err.text, full);
    unsigned char pattern[sizeof(w)];
    memset(pattern, 0x5a, sizeof(pattern));
    assert_memory_equal(&w, pattern, sizeof(w)); /* untouched */
}

static void test_jsonl_errors(void **state)
{
    (void)state;
    static const char bad_line[] = "{\"name\":\"a\",\"command\":[\"x\"]}\n"
                                   "# comment\n"
                                   "{\"name\":\"b\",\"command\":[\"x\"],\"tasks\":0}\n"
                                   "{\"name\":\"c\",\"command\":[\"x\"]}\n";
    jsonl_err(bad_line, strlen(bad_line), "3: tasks: must be >= 1, got 0", EINVAL);

    static const char syntax[] = "{\"name\":\"a\",\"command\":[\"x\"]}\n{\"name\":\n";
    jsonl_err(syntax, strlen(syntax),
              "2: invalid JSON at line 1, column 8: unexpected token near end of file", EINVAL);

    static const char dup[] = "{\"name\":\"a\",\"command\":[\"x\"],\"id\":5}\n"
                              "{\"name\":\"b\",\"command\":[\"x\"]}\n"
                              "{\"name\":\"c\",\"command\":[\"x\"]}\n"
                              "{\"name\":\"d\",\"command\":[\"x\"],\"id\":3}\n"
                              "{\"name\":\"e\",\"command\":[\"x\"]}\n";
    jsonl_err(dup, strlen(dup), "4: id: 3 is already used by line 3", EINVAL);

    static const char dup2[] = "{\"name\":\"a\",\"command\":[\"x\"],\"id\":7}\n"
                               "\n\n\n\n\n"
                               "{\"name\":\"b\",\"command\":[\"x\"]}\n";
    jsonl_err(dup2, strlen(dup2), "7: id: 7 is already used by line 1", EINVAL);

    static const char nul[] = "{\"name\":\"a\",\"command\":[\"x\"]}\n{\"name\":\"b\0\"}\n";
    jsonl_err(nul, sizeof(nul) - 1,
              "2: invalid JSON at line 1, column 10: control character 0x0 near '\"b'", EINVAL);

    /* a line over 1 MiB */
    size_t n = SW_JOB_JSON_MAX + 10;
    char *huge = malloc(n + 40);
    assert_non_null(huge);
    int k = snprintf(huge, 40, "{\"name\":\"a\",\"command\":[\"x\"]}\n");
    memset(huge + k, ' ', n);
    huge[k + n - 1] = '\n';
    jsonl_err(huge, (size_t)k + n, "2: line longer than 1048576 bytes (the limit for one job)",
              EFBIG);
    /* ... and one of exactly 1 MiB at the end of the file without a newline */
    memset(huge + k, ' ', SW_JOB_JSON_MAX);
    memcpy(huge + k, "{\"name\":\"b\",\"command\":[\"x\"]}", 28);
    const char *path = temp_file(huge, (size_t)k + SW_JOB_JSON_MAX);
    struct sw_workload w;
    sw_error_t err = {{0}};
    if (sw_workload_load_jsonl(path, &w, &err) != 0)
        fail_msg("%s", err.text);
    unlink(path);
    assert_int_equal(w.n, 2);
    sw_workload_free(&w);
    free(huge);

    errno = 0;
    assert_int_equal(sw_workload_load_jsonl("/nonexistent/w.jsonl", &w, &err), -1);
    assert_int_equal(errno, ENOENT);
    assert_string_equal(err.text,
                        "cannot open workload \"/nonexistent/w.jsonl\": No such file or directory");
    errno = 0;
    assert_int_equal(sw_workload_load_jsonl("/tmp", &w, &err), -1);
    assert_int_equal(errno, EISDIR);
    assert_string_equal(err.text, "cannot open workload \"/tmp\": Is a directory");
    assert_int_equal(sw_workload_load_jsonl("/nonexistent/w.jsonl", &w, NULL), -1);
}

/* ---- random mutations ------------------------------------------------ */

static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Mutated and truncated versions of a full job either parse to a spec that
 * round-trips, or fail with a message; never crash or leak (ASan). */
static void test_mutations(void **state)
{
    (void)state;
    static const char alphabet[] = "{}[]\":,0123456789.-eE \\u\xff\xc3truefalsnl";
    size_t len = strlen(full_job);
    char *buf = malloc(len + 1);
    assert_non_null(buf);
    uint64_t seed = 0x9e3779b97f4a7c15u;
    size_t accepted = 0;
    for (int iter = 0; iter < 4000; iter++) {
        memcpy(buf, full_job, len + 1);
        size_t n = len;
        int edits = 1 + (int)(rng_next(&seed) % 4);
        for (int e = 0; e < edits; e++) {
            size_t at = rng_next(&seed) % n;
            buf[at] = alphabet[rng_next(&seed) % (sizeof(alphabet) - 1)];
        }
        if (iter % 3 == 0)
            n = rng_next(&seed) % (len + 1);
        struct sw_jobspec js;
        sw_error_t err = {{0}};
        if (sw_jobspec_parse(buf, n, &js, &err) == 0) {
            accepted++;
            check_round_trip(&js);
            sw_jobspec_free(&js);
        } else {
            assert_true(err.text[0] != '\0');
            assert_true(is_zero(&js, sizeof(js)));
        }
    }
    free(buf);
    assert_true(accepted > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minimal_defaults),
        cmocka_unit_test(test_every_field),
        cmocka_unit_test(test_script_and_forms),
        cmocka_unit_test(test_durations),
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_near_forms),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_caps),
        cmocka_unit_test(test_utf8_and_nul),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_examples),
        cmocka_unit_test(test_jsonl),
        cmocka_unit_test(test_jsonl_errors),
        cmocka_unit_test(test_mutations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
