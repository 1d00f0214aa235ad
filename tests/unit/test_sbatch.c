/* test_sbatch.c — Slurm batch scripts as suanwang jobs (config/sbatch.h,
 * docs/cli.md#slurm-batch-scripts): Slurm's time and memory forms, --array specs, how
 * #SBATCH lines are found and split (quotes, comments, the first command
 * ends them), options spelt every way sbatch takes them, command-line
 * overrides, the mapping to the job format with hand-written expectations,
 * the warnings for what is not supported, and the output patterns. The
 * expectations were written from sbatch's documentation and checked
 * against a real Slurm by tests/e2e/slurm_sbatch_oracle.sh.
 */
#include "testutil.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/job_json.h"
#include "config/sbatch.h"

/* ---- helpers --------------------------------------------------------------------- */

static void time_is(const char *s, int64_t want, bool want_unlimited)
{
    int64_t got = -7;
    bool unl = !want_unlimited;
    sw_error_t err = {{0}};
    if (sw_slurm_time_parse(s, &got, &unl, &err) != 0)
        fail_msg("--time=%s refused: %s", s, err.text);
    if (unl != want_unlimited || (!want_unlimited && got != want))
        fail_msg("--time=%s: got %lld s%s, want %lld s%s", s, (long long)got,
                 unl ? " (unlimited)" : "", (long long)want, want_unlimited ? " (unlimited)" : "");
}

static void time_bad(const char *s)
{
    int64_t got;
    bool unl;
    sw_error_t err = {{0}};
    if (sw_slurm_time_parse(s, &got, &unl, &err) == 0)
        fail_msg("--time=%s accepted as %lld s", s, (long long)got);
    assert_int_equal(errno, EINVAL);
    assert_non_null(strstr(err.text, "not a Slurm time limit"));
}

static void mem_is(const char *s, int64_t want)
{
    int64_t got = -1;
    sw_error_t err = {{0}};
    if (sw_slurm_mem_parse(s, &got, &err) != 0)
        fail_msg("--mem=%s refused: %s", s, err.text);
    if (got != want)
        fail_msg("--mem=%s: got %lld MiB, want %lld", s, (long long)got, (long long)want);
}

static void mem_bad(const char *s)
{
    int64_t got;
    sw_error_t err = {{0}};
    if (sw_slurm_mem_parse(s, &got, &err) == 0)
        fail_msg("--mem=%s accepted as %lld MiB", s, (long long)got);
}

/* The array's indices as "0,1,2" and its limit. */
static void array_is(const char *spec, const char *want, int64_t want_limit)
{
    struct sw_sbatch_array a;
    sw_error_t err = {{0}};
    if (sw_sbatch_array_parse(spec, &a, &err) != 0)
        fail_msg("--array=%s refused: %s", spec, err.text);
    char got[512] = "";
    size_t k = 0;
    for (size_t i = 0; i < a.n && k < sizeof(got); i++)
        k += (size_t)snprintf(got + k, sizeof(got) - k, "%s%lld", i ? "," : "",
                              (long long)a.idx[i]);
    if (strcmp(got, want) != 0 || a.limit != want_limit)
        fail_msg("--array=%s: got [%s] %%%lld, want [%s] %%%lld", spec, got,
                 (long long)a.limit, want, (long long)want_limit);
    sw_sbatch_array_free(&a);
}

static void array_bad(const char *spec)
{
    struct sw_sbatch_array a;
    sw_error_t err = {{0}};
    if (sw_sbatch_array_parse(spec, &a, &err) == 0) {
        sw_sbatch_array_free(&a);
        fail_msg("--array=%s accepted", spec);
    }
    assert_null(a.idx);
}

/* Scan `script`, apply `overrides` (pairs name, value; value may be NULL),
 * map; the job as compact JSON with sorted keys minus "script", and the
 * warnings. Fails the test on an error. */
static char *map(const char *script, const char *fname, const char *const *overrides,
                 char **warnings)
{
    struct sw_sbatch sb;
    sw_error_t err = {{0}};
    sw_sbatch_init(&sb);
    if (sw_sbatch_scan(&sb, script, strlen(script), fname, &err) != 0)
        fail_msg("scan: %s", err.text);
    for (size_t i = 0; overrides && overrides[i]; i += 2)
        if (sw_sbatch_set(&sb, overrides[i], overrides[i + 1], "command line", &err) != 0)
            fail_msg("override %s: %s", overrides[i], err.text);
    json_t *job = sw_sbatch_to_job(&sb, script, fname, &err);
    if (!job)
        fail_msg("to_job: %s", err.text);
    /* every mapped job is a valid job */
    struct sw_jobspec js;
    if (sw_jobspec_from_json(job, &js, &err) != 0)
        fail_msg("the mapped job does not validate: %s", err.text);
    sw_jobspec_free(&js);
    assert_string_equal(json_string_value(json_object_get(job, "script")), script);
    json_object_del(job, "script");
    char *text = json_dumps(job, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(job);
    if (warnings)
        *warnings = strdup(sb.warnings.data ? sb.warnings.data : "");
    sw_sbatch_free(&sb);
    return text;
}

static void map_is(const char *script, const char *const *overrides, const char *want,
                   const char *want_warnings)
{
    char *warnings = NULL;
    char *got = map(script, "dir/job.sh", overrides, &warnings);
    if (strcmp(got, want) != 0)
        fail_msg("script:\n%s\n got: %s\nwant: %s", script, got, want);
    if (want_warnings && strcmp(warnings, want_warnings) != 0)
        fail_msg("script:\n%s\nwarnings got:\n%swant:\n%s", script, warnings, want_warnings);
    free(got);
    free(warnings);
}

static void scan_err(const char *script, const char *want)
{
    struct sw_sbatch sb;
    sw_error_t err = {{0}};
    sw_sbatch_init(&sb);
    if (sw_sbatch_scan(&sb, script, strlen(script), "job.sh", &err) == 0)
        fail_msg("accepted:\n%s\nwanted the error: %s", script, want);
    if (strcmp(err.text, want) != 0)
        fail_msg("script:\n%s\n got: %s\nwant: %s", script, err.text, want);
    if (errno != EINVAL)
        fail_msg("script:\n%s\nerrno %d, want EINVAL", script, errno);
    sw_sbatch_free(&sb);
}

#define TIME_NONE_WARN                                                                           \
    "dir/job.sh: no --time: the job gets suanwang's default time limit of 1 hour\n"

/* ---- Slurm's value forms ------------------------------------------------------------- */

static void test_time_forms(void **state)
{
    (void)state;
    time_is("90", 5400, false);             /* minutes */
    time_is("90:30", 5430, false);          /* minutes:seconds */
    time_is("12:00:00", 43200, false);      /* hours:minutes:seconds */
    time_is("2-12", 216000, false);         /* days-hours */
    time_is("1-02:30", 95400, false);       /* days-hours:minutes */
    time_is("1-02:30:15", 95415, false);    /* days-hours:minutes:seconds */
    time_is("1-", 86400, false);            /* days only, as Slurm's sscanf reads it */
    time_is("1:90", 150, false);            /* fields are not range-checked in Slurm */
    time_is("0:30", 30, false);
    time_is("UNLIMITED", 0, true);
    time_is("infinite", 0, true);
    time_is("-1", 0, true);
    time_is("0", 0, true);                  /* sbatch: zero means no limit */
    time_bad("");
    time_bad("2h");                         /* suanwang's form, not Slurm's */
    time_bad("1:2:3:4");
    time_bad("1::2");
    time_bad("1-2-3");
    time_bad("1:2-3");
    time_bad("-5");
    time_bad("abc");
    time_bad(":");
}

static void test_mem_forms(void **state)
{
    (void)state;
    mem_is("4096", 4096); /* MiB by default */
    mem_is("512M", 512);
    mem_is("512m", 512);
    mem_is("4G", 4096);
    mem_is("4g", 4096);
    mem_is("4GB", 4096);  /* Slurm reads the first letter of the unit */
    mem_is("4GiB", 4096);
    mem_is("1T", 1048576);
    mem_is("1536K", 2);   /* KiB rounded up to MiB */
    mem_is("0", 0);
    mem_bad("");
    mem_bad("G");
    mem_bad("-1");
    mem_bad("1.5G");      /* Slurm takes whole numbers */
    mem_bad("4X");
    mem_bad("4Gfoo");
}

static void test_array_forms(void **state)
{
    (void)state;
    array_is("0-15", "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15", 0);
    array_is("1-10:2", "1,3,5,7,9", 0);
    array_is("1,3,5", "1,3,5", 0);
    array_is("7", "7", 0);
    array_is("0-7,10-15:2%4", "0,1,2,3,4,5,6,7,10,12,14", 4);
    array_is("5,1,3,1", "1,3,5", 0); /* sorted, duplicates once */
    array_is("0-3%1", "0,1,2,3", 1);
    array_is("4000000", "4000000", 0);
    array_bad("");
    array_bad("5-1");
    array_bad("1-");
    array_bad("1,");
    array_bad(",1");
    array_bad("a");
    array_bad("1-10:0");
    array_bad("1:2");
    array_bad("%4");
    array_bad("1-3%0");
    array_bad("1-3%x");
    array_bad("4000001");
    array_bad("0-1000000,2000000-3000000"); /* more tasks than a job may have */
    /* ranges repeated until marking them takes seconds (found by tests/fuzz,
     * sbatch): refused once they list twice the index space; fewer repeats pass */
    array_is("0-2,0-2,1", "0,1,2", 0);
    char spec[256];
    size_t len = 0;
    for (int i = 0; i < 9; i++)
        len += (size_t)snprintf(spec + len, sizeof(spec) - len, "%s0-999999", i ? "," : "");
    struct sw_sbatch_array a;
    sw_error_t err = {{0}};
    assert_int_equal(sw_sbatch_array_parse(spec, &a, &err), -1);
    assert_non_null(strstr(err.text, "lists more than 8000002 indices (counting repeats)"));
    spec[sizeof("0-999999,0-999999,0-999999") - 1] = '\0';
    assert_int_equal(sw_sbatch_array_parse(spec, &a, &err), 0);
    assert_int_equal(a.n, 1000000);
    sw_sbatch_array_free(&a);
}

/* ---- finding and splitting the directives ---------------------------------------------- */

static void test_directive_syntax(void **state)
{
    (void)state;
    /* every spelling sbatch accepts, several per line, quotes, comments */
    map_is("#!/bin/bash\n"
           "#SBATCH -J 'my job' -n4\n"
           "#SBATCH --cpus-per-task 2   # two each\n"
           "#SBATCH --mem=\"1G\"\n"
           "#SBATCH -t 10 --job=\"x\\\"y\"\n" /* --job: a unique prefix of --job-name */
           "#SBATCH\n"
           "\n"
           "# an ordinary comment\n"
           " #SBATCH --ntasks=99\n" /* not at the start of the line: a comment */
           "# SBATCH --ntasks=98\n"
           "echo hi\n",
           NULL,
           "{\"env\":{\"SLURM_CPUS_PER_TASK\":\"2\",\"SLURM_JOB_NAME\":\"x\\\"y\","
           "\"SLURM_MEM_PER_NODE\":\"1024\",\"SLURM_NPROCS\":\"4\",\"SLURM_NTASKS\":\"4\"},"
           "\"gang\":true,\"name\":\"x\\\"y\","
           "\"resources\":{\"cores\":2,\"mem_mib\":256},\"tasks\":4,\"walltime\":600}",
           "");
    /* the first command ends the directives */
    map_is("#!/bin/sh\n#SBATCH -n 2\nset -e\n#SBATCH -n 3\n#SBATCH -c 5\n", NULL,
           "{\"env\":{\"SLURM_JOB_NAME\":\"job.sh\",\"SLURM_NPROCS\":\"2\",\"SLURM_NTASKS\":\"2\"},"
           "\"gang\":true,\"name\":\"job.sh\",\"resources\":{\"cores\":1},\"tasks\":2}",
           "dir/job.sh: 2 #SBATCH lines after line 3 (the first command) ignored, as sbatch does\n"
           TIME_NONE_WARN);
    /* an option's value may be on the next directive line, as getopt sees one argv */
    map_is("#!/bin/sh\n#SBATCH --ntasks\n#SBATCH 3\n#SBATCH -t\n#SBATCH 1\n", NULL,
           "{\"env\":{\"SLURM_JOB_NAME\":\"job.sh\",\"SLURM_NPROCS\":\"3\",\"SLURM_NTASKS\":\"3\"},"
           "\"gang\":true,\"name\":\"job.sh\",\"resources\":{\"cores\":1},\"tasks\":3,"
           "\"walltime\":60}",
           "");
    /* a '#' inside quotes or escaped is text */
    map_is("#!/bin/sh\n#SBATCH -o 'out#1.txt' -e err\\#2 -t 1\n", NULL,
           "{\"env\":{\"SBATCH_ERROR\":\"err#2\",\"SBATCH_OUTPUT\":\"out#1.txt\","
           "\"SLURM_JOB_NAME\":\"job.sh\"},\"gang\":false,\"name\":\"job.sh\",\"resources\":"
           "{\"cores\":1},\"tasks\":1,\"walltime\":60}",
           "");
}

static void test_scan_errors(void **state)
{
    (void)state;
    scan_err("echo hi\n", "job.sh: this does not look like a batch script: the first line must "
                          "start with #! and the interpreter, e.g. #!/bin/bash");
    scan_err("", "job.sh: this does not look like a batch script: the first line must start "
                 "with #! and the interpreter, e.g. #!/bin/bash");
    scan_err("#!/bin/sh\r\n#SBATCH -n 2\r\n", "job.sh: the script has DOS line breaks (\\r\\n); "
                                              "convert it with dos2unix first (sbatch refuses "
                                              "it too)");
    scan_err("#!/bin/sh\n#SBATCH -n 2 stray\n",
             "job.sh:2: #SBATCH stray: not an option (sbatch refuses such a directive too)");
    scan_err("#!/bin/sh\n#SBATCH --mem-per=1\n", /* --mem-per-cpu or --mem-per-gpu? */
             "job.sh:2: #SBATCH --mem-per=1: an ambiguous abbreviation (sbatch refuses it "
             "too); write the option in full");
    scan_err("#!/bin/sh\n#SBATCH --ntasks=abc\n",
             "job.sh:2: --ntasks=abc: \"abc\" is not a whole number of tasks >= 1");
    scan_err("#!/bin/sh\n#SBATCH -n 0\n",
             "job.sh:2: -n 0: \"0\" is not a whole number of tasks >= 1");
    scan_err("#!/bin/sh\n#SBATCH -c\n", "job.sh:2: -c needs a value");
    scan_err("#!/bin/sh\n#SBATCH --time\n", "job.sh:2: --time needs a value");
    scan_err("#!/bin/sh\n#SBATCH --hold=yes\n", "job.sh:2: --hold takes no value");
    scan_err("#!/bin/sh\n\n#SBATCH --time=2h\n",
             "job.sh:3: --time=2h: \"2h\" is not a Slurm time limit (use minutes, MM:SS, "
             "HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS or UNLIMITED)");
    scan_err("#!/bin/sh\n#SBATCH --mem=1G\n#SBATCH --mem-per-cpu=100\n",
             "job.sh:3: --mem-per-cpu=100: --mem, --mem-per-cpu and --mem-per-gpu are mutually "
             "exclusive (sbatch refuses them together)");
    scan_err("#!/bin/sh\n#SBATCH --mem=lots\n",
             "job.sh:2: --mem=lots: \"lots\" is not a memory size (write e.g. 4096, 512M, 4G, 1T)");
    scan_err("#!/bin/sh\n#SBATCH --array=5-1\n",
             "job.sh:2: --array=5-1: \"5-1\": the range 5-1 runs backwards");
    scan_err("#!/bin/sh\n#SBATCH --nodes=4-2\n",
             "job.sh:2: --nodes=4-2: \"4-2\" is not a node count N or a range MIN-MAX");
    scan_err("#!/bin/sh\n#SBATCH --gres=gpu:a100:x\n",
             "job.sh:2: --gres=gpu:a100:x: \"gpu:a100:x\" is not gpu[:TYPE][:COUNT]");
    scan_err("#!/bin/sh\n#SBATCH --gres=gpu:1,gpu:a100:2\n",
             "job.sh:2: --gres=gpu:1,gpu:a100:2: gpu is given twice; give one model or a list "
             "with --gpu-model");
    const char nul[] = "#!/bin/sh\n\0#SBATCH -n 2\n";
    struct sw_sbatch sb;
    sw_error_t err = {{0}};
    sw_sbatch_init(&sb);
    assert_int_equal(sw_sbatch_scan(&sb, nul, sizeof(nul) - 1, "job.sh", &err), -1);
    assert_string_equal(err.text, "job.sh: the script contains a NUL byte");
    sw_sbatch_free(&sb);
}

/* ---- what is not supported is named ---------------------------------------------------- */

static void test_unsupported_warnings(void **state)
{
    (void)state;
    map_is("#!/bin/bash\n"
           "#SBATCH -p gpu\n"
           "#SBATCH --account=lab --exclusive --mail-type=END\n"
           "#SBATCH --frobnicate -t 5\n"
           "#SBATCH -Q --parsable\n" /* harmless: nothing said */
           "true\n",
           NULL,
           "{\"env\":{\"SLURM_JOB_NAME\":\"job.sh\"},\"gang\":false,\"name\":\"job.sh\","
           "\"resources\":{\"cores\":1},\"tasks\":1,\"walltime\":300}",
           "dir/job.sh:2: #SBATCH -p gpu: not supported — suanwang chooses the site and node "
           "class itself; restrict it with --region-allow, --gpu-model or placement in a job "
           "file; ignored\n"
           "dir/job.sh:3: #SBATCH --account=lab: not supported — the job is billed to the "
           "tenant of the token; ignored\n"
           "dir/job.sh:3: #SBATCH --exclusive: not supported — suanwang allocates cores, memory "
           "and accelerators, not whole nodes; ignored\n"
           "dir/job.sh:3: #SBATCH --mail-type=END: not supported — no e-mail; `suanwang wait ID` "
           "waits for the end; ignored\n"
           "dir/job.sh:4: #SBATCH --frobnicate: not an sbatch option (of Slurm 22.05); "
           "ignored\n");
    /* mappings that lose something say so */
    map_is("#!/bin/sh\n#SBATCH --array=0-9%2 -t UNLIMITED --mem=0 --qos=normal --chdir=rel\n"
           "#SBATCH --gres=gpu:2,shard:1\n",
           NULL,
           "{\"env\":{\"SBATCH_ARRAY_INX\":\"0-9%2\",\"SLURM_ARRAY_TASK_COUNT\":\"10\","
           "\"SLURM_ARRAY_TASK_MAX\":\"9\",\"SLURM_ARRAY_TASK_MIN\":\"0\",\"SLURM_JOB_NAME\":"
           "\"job.sh\",\"SLURM_MEM_PER_NODE\":\"0\"},\"gang\":false,\"name\":\"job.sh\","
           "\"resources\":{\"cores\":1,\"gpus\":2},\"tasks\":10,\"walltime\":31622400}",
           "dir/job.sh:3: #SBATCH --gres=gpu:2,shard:1: the generic resource \"shard:1\" is not "
           "supported (only gpu); ignored\n"
           "dir/job.sh: --mem=0 (all of a node's memory) is not supported: the job asks for no "
           "memory; give --mem SIZE per task\n"
           "dir/job.sh: --array=0-9%2: the limit %2 (at most 2 elements at once) is not "
           "supported; all may run at once\n"
           "dir/job.sh: --time: no time limit (0 or UNLIMITED) is not supported: suanwang jobs "
           "always have one; the longest, 366 days, is used\n"
           "dir/job.sh: --qos=normal: not a suanwang QoS class (realtime, interactive, batch, "
           "spot); batch is used\n"
           "dir/job.sh: --chdir=rel: a relative folder means nothing at the site; give an "
           "absolute path; ignored\n");
}

/* ---- the mapping ------------------------------------------------------------------- */

static void test_mapping(void **state)
{
    (void)state;
    /* the default: one task, one core, the file name, no limit given */
    map_is("#!/bin/bash\necho hi\n", NULL,
           "{\"env\":{\"SLURM_JOB_NAME\":\"job.sh\"},\"gang\":false,\"name\":\"job.sh\","
           "\"resources\":{\"cores\":1},\"tasks\":1}",
           TIME_NONE_WARN);
    /* --mem is per node: divided among the node's tasks; GPUs per node too */
    map_is("#!/bin/bash\n#SBATCH -N 2 -n 8 --mem=32G --gres=gpu:A100:4 -t 2:00:00\n", NULL,
           "{\"env\":{\"SLURM_JOB_NAME\":\"job.sh\",\"SLURM_JOB_NUM_NODES\":\"2\","
           "\"SLURM_MEM_PER_NODE\":\"32768\",\"SLURM_NNODES\":\"2\",\"SLURM_NPROCS\":\"8\","
           "\"SLURM_NTASKS\":\"8\"},\"gang\":true,\"name\":\"job.sh\",\"resources\":{\"cores\":1,"
           "\"gpus\":{\"count\":1,\"model\":\"A100\"},\"mem_mib\":8192},\"tasks\":8,"
           "\"walltime\":7200}",
           "");
    /* -N alone: one task per node; --ntasks-per-node multiplies */
    map_is("#!/bin/bash\n#SBATCH -N 3 -t 1\n", NULL,
           "{\"env\":{\"SLURM_JOB_NAME\":\"job.sh\",\"SLURM_JOB_NUM_NODES\":\"3\","
           "\"SLURM_NNODES\":\"3\",\"SLURM_NPROCS\":\"3\",\"SLURM_NTASKS\":\"3\"},\"gang\":true,"
           "\"name\":\"job.sh\",\"resources\":{\"cores\":1},\"tasks\":3,\"walltime\":60}",
           "");
    map_is("#!/bin/bash\n#SBATCH -N 2 --ntasks-per-node=4 -c 2 --mem-per-cpu=1500 -t 1\n", NULL,
           "{\"env\":{\"SLURM_CPUS_PER_TASK\":\"2\",\"SLURM_JOB_NAME\":\"job.sh\","
           "\"SLURM_JOB_NUM_NODES\":\"2\",\"SLURM_MEM_PER_CPU\":\"1500\",\"SLURM_NNODES\":\"2\","
           "\"SLURM_NPROCS\":\"8\",\"SLURM_NTASKS\":\"8\",\"SLURM_NTASKS_PER_NODE\":\"4\"},"
           "\"gang\":true,\"name\":\"job.sh\",\"resources\":{\"cores\":2,\"mem_mib\":3000},"
           "\"tasks\":8,\"walltime\":60}",
           "");
    /* --time rounds seconds up to whole minutes, as Slurm does */
    map_is("#!/bin/bash\n#SBATCH -t 1:30\n", NULL,
           "{\"env\":{\"SLURM_JOB_NAME\":\"job.sh\"},\"gang\":false,\"name\":\"job.sh\","
           "\"resources\":{\"cores\":1},\"tasks\":1,\"walltime\":120}",
           "");
    /* GPUs: per task, per job, fractional shares, a model in another case */
    map_is("#!/bin/bash\n#SBATCH -n 2 --gpus-per-task=a800:2 --cpus-per-gpu=4 -t 1\n", NULL,
           "{\"env\":{\"SLURM_JOB_NAME\":\"job.sh\",\"SLURM_NPROCS\":\"2\",\"SLURM_NTASKS\":\"2\"},"
           "\"gang\":true,\"name\":\"job.sh\",\"resources\":{\"cores\":8,\"gpus\":{\"count\":2,"
           "\"model\":\"A800\"}},\"tasks\":2,\"walltime\":60}",
           "");
    map_is("#!/bin/bash\n#SBATCH -n 4 -G 2 --mem-per-gpu=10G -t 1\n", NULL,
           "{\"env\":{\"SLURM_JOB_NAME\":\"job.sh\",\"SLURM_MEM_PER_GPU\":\"10240\","
           "\"SLURM_NPROCS\":\"4\",\"SLURM_NTASKS\":\"4\"},\"gang\":true,\"name\":\"job.sh\","
           "\"resources\":{\"cores\":1,\"gpus\":0.5,\"mem_mib\":5120},\"tasks\":4,\"walltime\":60}",
           "");
    map_is("#!/bin/bash\n#SBATCH -n 2 --gres=gpu:h200x:3 -t 1\n", NULL,
           "{\"env\":{\"SLURM_JOB_NAME\":\"job.sh\",\"SLURM_NPROCS\":\"2\",\"SLURM_NTASKS\":\"2\"},"
           "\"gang\":true,\"name\":\"job.sh\",\"resources\":{\"cores\":1,\"gpus\":{\"count\":2,"
           "\"model\":\"h200x\"}},\"tasks\":2,\"walltime\":60}",
           "dir/job.sh: 1.500 GPUs per task is not a whole number: 2 are asked for\n");
    /* an array: one task per index; several tasks per element fold into one */
    map_is("#!/bin/bash\n#SBATCH --array=1-10:2 -n 2 -c 3 --mem=8G -o out-%A_%a.log -t 5\n",
           NULL,
           "{\"env\":{\"SBATCH_ARRAY_INX\":\"1-10:2\",\"SBATCH_OUTPUT\":\"out-%A_%a.log\","
           "\"SLURM_ARRAY_TASK_COUNT\":\"5\",\"SLURM_ARRAY_TASK_MAX\":\"9\","
           "\"SLURM_ARRAY_TASK_MIN\":\"1\",\"SLURM_CPUS_PER_TASK\":\"3\",\"SLURM_JOB_NAME\":"
           "\"job.sh\",\"SLURM_MEM_PER_NODE\":\"8192\",\"SLURM_NPROCS\":\"2\",\"SLURM_NTASKS\":"
           "\"2\"},\"gang\":false,\"name\":\"job.sh\",\"resources\":{\"cores\":6,\"mem_mib\":8192},"
           "\"tasks\":5,\"walltime\":300}",
           "dir/job.sh: --array with 2 tasks per element: suanwang runs each element as one "
           "task with the resources of all 2 (6 cores)\n");
    /* QoS classes suanwang knows, an absolute --chdir */
    map_is("#!/bin/bash\n#SBATCH --qos=spot -D /scratch/x -t 1\n", NULL,
           "{\"env\":{\"SLURM_JOB_NAME\":\"job.sh\"},\"gang\":false,\"name\":\"job.sh\","
           "\"qos\":\"spot\",\"resources\":{\"cores\":1},\"tasks\":1,\"walltime\":60,"
           "\"workdir\":\"/scratch/x\"}",
           "");
}

static void test_overrides(void **state)
{
    (void)state;
    /* the command line beats #SBATCH, whatever the order, as in sbatch */
    const char *const ov[] = {"ntasks", "6", "time", "2-00:00:00", "job-name", "cli",
                              "mem-per-cpu", "100", "array", "0-2", "output", "o.txt", NULL};
    map_is("#!/bin/bash\n#SBATCH -n 2 -t 10 -J script --mem-per-cpu=4G --array=0-9 -o x\n", ov,
           "{\"env\":{\"SBATCH_ARRAY_INX\":\"0-2\",\"SBATCH_OUTPUT\":\"o.txt\","
           "\"SLURM_ARRAY_TASK_COUNT\":\"3\",\"SLURM_ARRAY_TASK_MAX\":\"2\","
           "\"SLURM_ARRAY_TASK_MIN\":\"0\",\"SLURM_JOB_NAME\":\"cli\",\"SLURM_MEM_PER_CPU\":"
           "\"100\",\"SLURM_NPROCS\":\"6\",\"SLURM_NTASKS\":\"6\"},\"gang\":false,\"name\":\"cli\","
           "\"resources\":{\"cores\":6,\"mem_mib\":600},\"tasks\":3,\"walltime\":172800}",
           NULL);
    /* the last of --gres / --gpus-per-task wins; --gres=none clears */
    const char *const ov2[] = {"gres", "none", NULL};
    map_is("#!/bin/bash\n#SBATCH --gres=gpu:4 -t 1\n", ov2,
           "{\"env\":{\"SLURM_JOB_NAME\":\"job.sh\"},\"gang\":false,\"name\":\"job.sh\","
           "\"resources\":{\"cores\":1},\"tasks\":1,\"walltime\":60}",
           "");
    /* an unknown name and an unsupported one warn, naming the command line */
    struct sw_sbatch sb;
    sw_error_t err = {{0}};
    sw_sbatch_init(&sb);
    assert_int_equal(sw_sbatch_set(&sb, "partition", "x", "command line", &err), 0);
    assert_int_equal(sw_sbatch_set(&sb, "nope", NULL, "command line", &err), 0);
    assert_string_equal(sb.warnings.data,
                        "command line: --partition=x: not supported — suanwang chooses "
                        "the site and node class itself; restrict it with --region-allow, "
                        "--gpu-model or placement in a job file; ignored\n"
                        "command line: --nope: not an sbatch option (of Slurm 22.05); "
                        "ignored\n");
    assert_int_equal(sw_sbatch_set(&sb, "tim", "5", "command line", &err), -1);
    assert_string_equal(err.text, "command line: --tim: an ambiguous abbreviation (sbatch "
                                  "refuses it too); write the option in full");
    assert_int_equal(sw_sbatch_set(&sb, "ntasks", "x", "command line", &err), -1);
    assert_string_equal(err.text, "command line: --ntasks=x: \"x\" is not a whole number of "
                                  "tasks >= 1");
    /* --mem on the command line after #SBATCH --mem-per-cpu: refused, as by sbatch */
    assert_int_equal(sw_sbatch_set(&sb, "mem-per-cpu", "1G", "command line", &err), 0);
    assert_int_equal(sw_sbatch_set(&sb, "mem-per-cpu", "2G", "command line", &err), 0);
    assert_int_equal(sw_sbatch_set(&sb, "mem", "2G", "command line", &err), -1);
    assert_string_equal(err.text, "command line: --mem=2G: --mem, --mem-per-cpu and "
                                  "--mem-per-gpu are mutually exclusive (sbatch refuses them "
                                  "together)");
    sw_sbatch_free(&sb);
    /* --gpus-per-task without --ntasks: refused, as by sbatch */
    sw_sbatch_init(&sb);
    assert_int_equal(sw_sbatch_set(&sb, "gpus-per-task", "1", "command line", &err), 0);
    assert_null(sw_sbatch_to_job(&sb, "#!/bin/sh\n", "job.sh", &err));
    assert_string_equal(err.text, "job.sh: --gpus-per-task needs --ntasks (-n), as in sbatch");
    sw_sbatch_free(&sb);
    /* a script that is not UTF-8 cannot be a job's "script" */
    const char latin1[] = "#!/bin/sh\n#SBATCH -n 1\necho \xe9t\xe9\n";
    sw_sbatch_init(&sb);
    assert_int_equal(sw_sbatch_scan(&sb, latin1, sizeof(latin1) - 1, "job.sh", &err), 0);
    assert_null(sw_sbatch_to_job(&sb, latin1, "job.sh", &err));
    assert_int_equal(errno, EINVAL);
    assert_string_equal(err.text, "job.sh: the script or its job name is not UTF-8 text");
    sw_sbatch_free(&sb);
    assert_int_equal(sw_sbatch_option_arg("ntasks"), 1);
    assert_int_equal(sw_sbatch_option_arg("exclusive"), 2);
    assert_int_equal(sw_sbatch_option_arg("hold"), 0);
    assert_int_equal(sw_sbatch_option_arg("frob"), -1);
}

/* Sizes that multiply past int64 (found by tests/fuzz, sbatch): refused with
 * the directives named, where they used to overflow. */
static void to_job_err(const char *script, const char *want)
{
    struct sw_sbatch sb;
    sw_error_t err = {{0}};
    sw_sbatch_init(&sb);
    if (sw_sbatch_scan(&sb, script, strlen(script), "job.sh", &err) != 0)
        fail_msg("scan: %s", err.text);
    json_t *job = sw_sbatch_to_job(&sb, script, "job.sh", &err);
    if (job)
        fail_msg("mapped:\n%s\nwanted the error: %s", script, want);
    assert_string_equal(err.text, want);
    assert_int_equal(errno, EINVAL);
    sw_sbatch_free(&sb);
}

static void test_overflowing_sizes(void **state)
{
    (void)state;
    to_job_err("#!/bin/sh\n#SBATCH --mem-per-cpu=1099511627776T -c 16\n",
               "job.sh: --mem-per-cpu times the CPUs of a task is more than any job may ask for");
    to_job_err("#!/bin/sh\n#SBATCH -n 2 --gpus-per-task=100000 --mem-per-gpu=1099511627776T\n",
               "job.sh: --mem-per-gpu times the GPUs of a task is more than any job may ask for");
    to_job_err("#!/bin/sh\n#SBATCH --array=1 -N 1000000 --ntasks-per-node=1000000\n"
               "#SBATCH --mem-per-cpu=1T -c 100000\n",
               "job.sh: --array with the resources of all the tasks of an element is more than "
               "any job may ask for");
    /* large but representable: mapped, and the job format refuses it with its limit */
    struct sw_sbatch sb;
    sw_error_t err = {{0}};
    const char *big = "#!/bin/sh\n#SBATCH --mem-per-cpu=1T -c 100000\n";
    sw_sbatch_init(&sb);
    assert_int_equal(sw_sbatch_scan(&sb, big, strlen(big), "job.sh", &err), 0);
    json_t *job = sw_sbatch_to_job(&sb, big, "job.sh", &err);
    assert_non_null(job);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(job, "resources"),
                                                        "mem_mib")),
                     (json_int_t)100000 << 20);
    struct sw_jobspec js;
    assert_int_equal(sw_jobspec_from_json(job, &js, &err), -1);
    assert_non_null(strstr(err.text, "resources.mem_mib"));
    json_decref(job);
    sw_sbatch_free(&sb);
}

/* ---- output patterns for the agent ----------------------------------------------------- */

static void test_expand(void **state)
{
    (void)state;
    char out[128];
    assert_int_equal(sw_sbatch_expand("slurm-%j.out", 42, -1, "x", "u", "sg", out, sizeof(out)),
                     0);
    assert_string_equal(out, "slurm-42.out");
    assert_int_equal(sw_sbatch_expand("%x-%A_%a.%u.%N.%%.%4a.%q", 42, 7, "train", "lab", "sg-ai",
                                      out, sizeof(out)), 0);
    assert_string_equal(out, "train-42_7.lab.sg-ai.%.0007.%q");
    assert_int_equal(sw_sbatch_expand("%a", 1, -1, NULL, NULL, NULL, out, sizeof(out)), 0);
    assert_string_equal(out, "4294967294");
    assert_int_equal(sw_sbatch_expand("%j%j%j", 123456, 0, NULL, NULL, NULL, out, 8), -1);
    assert_int_equal(errno, ENAMETOOLONG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time_forms),
        cmocka_unit_test(test_mem_forms),
        cmocka_unit_test(test_array_forms),
        cmocka_unit_test(test_directive_syntax),
        cmocka_unit_test(test_scan_errors),
        cmocka_unit_test(test_unsupported_warnings),
        cmocka_unit_test(test_mapping),
        cmocka_unit_test(test_overrides),
        cmocka_unit_test(test_overflowing_sizes),
        cmocka_unit_test(test_expand),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
