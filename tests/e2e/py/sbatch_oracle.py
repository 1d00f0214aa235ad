"""The #SBATCH oracle (see slurm_sbatch_oracle.sh): every script of
tests/data/sbatch goes to a real Slurm with `sbatch --hold` and to
`suanwang submit --dry-run --json`; what `scontrol show job` says Slurm
understood is compared, field by field, with the job suanwang would submit
(docs/cli.md#slurm-batch-scripts says how each directive maps).

A script may carry, in comment lines:
    # oracle-args: -n 3 -t 20      options given on both command lines
    # oracle-expect: reject        sbatch and suanwang must both refuse it

Exit 0 all agree, 1 a difference (listed), 77 Slurm cannot run here.
"""
import glob
import json
import math
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
SUANWANG = os.path.abspath(os.environ.get("SUANWANG", os.path.join(ROOT, "build", "suanwang")))
DATA = os.environ.get("SW_TEST_DATA_DIR", os.path.join(ROOT, "tests", "data"))
SCRIPTS = sorted(glob.glob(os.path.join(DATA, "sbatch", "*.sh")))
MAX_WALLTIME = 366 * 86400
GRES = "gpu:a100:8"  # what the oracle's node advertises, so that gres scripts are accepted


def skip(why):
    print("SKIP: slurm_sbatch_oracle:", why)
    sys.exit(77)


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


# ---- the Slurm cluster ------------------------------------------------------------------

def slurm_up(folder):
    up = os.path.join(ROOT, "scripts", "slurm-up.sh")
    if not os.path.exists(up):
        skip("scripts/slurm-up.sh is missing")
    for tool in ("sbatch", "scontrol", "scancel"):
        if not shutil.which(tool) and not os.path.exists("/usr/bin/" + tool):
            skip(f"{tool} is not installed (Debian: slurm-client)")
    env = dict(os.environ, SW_SLURM_NO_INSTALL=os.environ.get("SW_SLURM_NO_INSTALL", "1"),
               SW_SLURM_GRES=GRES)
    p = run(["bash", up, folder], env=env, timeout=180)
    if p.returncode == 77:
        skip("Slurm cannot run here: " + p.stderr.strip().splitlines()[-1] if p.stderr else "")
    if p.returncode != 0:
        print(p.stderr, file=sys.stderr)
        raise SystemExit("FAIL: slurm_sbatch_oracle: scripts/slurm-up.sh failed")
    for line in open(os.path.join(folder, "slurm.env")):
        m = re.match(r"export (\w+)=(.*)", line.strip())
        if m:
            os.environ[m.group(1)] = m.group(2)


def gres_missing(folder):
    """Why sbatch would refuse --gres=gpu here, or None (slurm-up.sh gives
    the node the GPUs of SW_SLURM_GRES: stand-ins, the jobs stay held)."""
    conf = open(os.path.join(folder, "slurm.conf")).read()
    if not re.search(r"^GresTypes=gpu", conf, flags=re.M):
        return "scripts/slurm-up.sh did not set up SW_SLURM_GRES=" + GRES
    return None


def slurm_down(folder):
    run(["bash", os.path.join(ROOT, "scripts", "slurm-down.sh"), folder], timeout=120)


def show_job(jobid):
    """scontrol show job as {key: value} (values may hold spaces)."""
    p = run(["scontrol", "show", "job", str(jobid)])
    fields = {}
    for line in p.stdout.splitlines():
        for m in re.finditer(r"(?:^|\s)([^\s=]+)=(.*?)(?=\s+[^\s=]+=|$)", line.strip()):
            fields.setdefault(m.group(1), m.group(2))
    return fields


# ---- reading Slurm's values ---------------------------------------------------------------

def mib(text):
    """scontrol memory ("2G", "1536M", "0") in MiB."""
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([KMGT]?)", text)
    v = float(m.group(1))
    return int(round(v * {"": 1, "K": 1 / 1024, "M": 1, "G": 1024, "T": 1024 ** 2}[m.group(2)]))


def seconds(limit):
    """TimeLimit ("1-02:30:00", "00:03:00", "UNLIMITED") in seconds (None: unlimited)."""
    if limit in ("UNLIMITED", "Partition_Limit"):
        return None
    days = 0
    if "-" in limit:
        d, limit = limit.split("-", 1)
        days = int(d)
    parts = [int(x) for x in limit.split(":")]
    while len(parts) < 3:
        parts.insert(0, 0)
    return days * 86400 + parts[0] * 3600 + parts[1] * 60 + parts[2]


def indices(spec):
    """ArrayTaskId ("0-15", "1,3,5,7,9%2", "0-7:2") as a sorted list."""
    out = set()
    for item in spec.split("%")[0].split(","):
        m = re.fullmatch(r"(\d+)(?:-(\d+)(?::(\d+))?)?", item)
        lo = int(m.group(1))
        hi = int(m.group(2) or lo)
        out.update(range(lo, hi + 1, int(m.group(3) or 1)))
    return sorted(out)


def gres(text):
    """TresPer* "gres:gpu:a100:2" or "gres:gpu" -> (type, count) of the gpu entry."""
    for item in text.split(","):
        parts = item.split(":")
        if parts[:2] == ["gres", "gpu"]:
            rest = parts[2:]
            count = int(rest[-1]) if rest and rest[-1].isdigit() else 1
            typ = rest[0] if rest and not rest[0].isdigit() else ""
            return typ, count
    return "", 0


def expand(pattern, jobid, name, user, array):
    """Slurm's expansion of an --output pattern in `scontrol show job` (before
    an array is split, %a is 4294967294)."""
    def sub(m):
        width, c = m.group(1), m.group(2)
        val = {"j": jobid, "J": jobid, "A": jobid, "a": 4294967294, "x": name, "u": user,
               "%": "%"}.get(c)
        if val is None:
            return m.group(0)
        if isinstance(val, int) and width:
            return str(val).zfill(int(width))
        return str(val)
    return re.sub(r"%(\d*)([jJAaxu%])", sub, pattern)


# ---- the comparison ---------------------------------------------------------------------

def compare(sl, job, warnings):
    """[(field, slurm's value, suanwang's value, ok)] for one script."""
    out = []
    env = job.get("env", {})
    res = job.get("resources", {})
    array = "SBATCH_ARRAY_INX" in env

    def check(field, want, got, ok=None):
        out.append((field, str(want), str(got), (want == got) if ok is None else ok))

    check("JobName", sl["JobName"], job["name"])

    ntasks = int(sl["NumTasks"])
    per_el = int(env.get("SLURM_NTASKS", "1")) if array else job["tasks"]
    check("NumTasks", ntasks, per_el)
    tres = dict(kv.split("=", 1) for kv in sl.get("TRES", "").split(",") if "=" in kv)
    nodes = int(tres.get("node", "1"))
    check("NumNodes (requested)", nodes, int(env.get("SLURM_JOB_NUM_NODES", "1")))
    gang_want = (ntasks > 1 or nodes > 1) and not array
    check("gang", gang_want, job["gang"])

    fold = per_el if array else 1  # an array element's tasks fold into one task
    tpn = int(sl.get("NtasksPerN:B:S:C", "0:").split(":")[0] or 0)
    per_node = tpn or math.ceil(ntasks / nodes)

    # GPUs per task, in thousandths, by the rules of docs/cli.md#slurm-batch-scripts
    typ, gm = "", 0
    if sl.get("TresPerTask"):
        typ, n = gres(sl["TresPerTask"])
        gm = n * 1000
    elif sl.get("TresPerNode"):
        typ, n = gres(sl["TresPerNode"])
        gm = math.ceil(n * 1000 / per_node)
    elif sl.get("TresPerJob"):
        typ, n = gres(sl["TresPerJob"])
        gm = math.ceil(n * 1000 / ntasks)
    gm *= fold
    if gm > 1000 and gm % 1000:
        gm = math.ceil(gm / 1000) * 1000
    g = res.get("gpus")
    got_count = g.get("count", 1) if isinstance(g, dict) else (g or 0)
    got_model = g.get("model", "") if isinstance(g, dict) else ""
    check("GPUs per task", gm / 1000, float(got_count))
    check("GPU model", typ.lower(), str(got_model).lower())

    cpus = int(sl["CPUs/Task"])
    m = re.match(r"gres:gpu:(\d+)", sl.get("CpusPerTres", ""))
    want_cores = int(m.group(1)) * math.ceil(gm / 1000 / fold) * fold if m else cpus * fold
    check("CPUs/Task" + (" (x CpusPerTres)" if m else ""), want_cores, res.get("cores", 1))

    # memory per task (MiB)
    mem = res.get("mem_mib", 0)
    if "MinMemoryCPU" in sl:
        per_cpu = mib(sl["MinMemoryCPU"])
        check("MinMemoryCPU", per_cpu, int(env.get("SLURM_MEM_PER_CPU", "-1")))
        check("memory per task", per_cpu * cpus * fold, mem)
    elif sl.get("MemPerTres"):
        per_gpu = int(re.match(r"gres:gpu:(\d+)", sl["MemPerTres"]).group(1))
        check("MemPerTres", per_gpu, int(env.get("SLURM_MEM_PER_GPU", "-1")))
        check("memory per task", math.ceil(per_gpu * gm / 1000), mem)
    else:
        per_n = mib(sl.get("MinMemoryNode", "0"))
        check("MinMemoryNode", per_n, int(env.get("SLURM_MEM_PER_NODE", "0")))
        check("memory per task", math.ceil(per_n / per_node) * fold if per_n else 0, mem)

    limit = seconds(sl["TimeLimit"])
    if "walltime" not in job:
        check("TimeLimit", sl["TimeLimit"], "default 1h (warned)",
              limit is None and "no --time" in warnings)
    else:
        check("TimeLimit", sl["TimeLimit"], job["walltime"],
              job["walltime"] == (limit if limit is not None else MAX_WALLTIME))

    if "ArrayTaskId" in sl:
        idx = indices(sl["ArrayTaskId"])
        got = (job["tasks"], int(env.get("SLURM_ARRAY_TASK_MIN", "-1")),
               int(env.get("SLURM_ARRAY_TASK_MAX", "-1")))
        check("ArrayTaskId", f"{len(idx)} tasks {idx[0]}..{idx[-1]}",
              f"{got[0]} tasks {got[1]}..{got[2]}", got == (len(idx), idx[0], idx[-1]))
        if "ArrayTaskThrottle" in sl:
            t = sl["ArrayTaskThrottle"]
            check("ArrayTaskThrottle", t, "warned" if f"the limit %{t} " in warnings else "-",
                  f"the limit %{t} " in warnings)
    else:
        check("array", "no", "yes" if array else "no")

    user = sl.get("UserId", "root(0)").split("(")[0]
    jobid = int(sl["JobId"])
    wd = sl.get("WorkDir", "")
    for key, var in (("StdOut", "SBATCH_OUTPUT"), ("StdErr", "SBATCH_ERROR")):
        if var in env:
            want = os.path.join(wd, expand(env[var], jobid, sl["JobName"], user, array))
            check(key, sl[key], want)
        elif key == "StdOut":
            default = f"slurm-{jobid}_4294967294.out" if array else f"slurm-{jobid}.out"
            check(key, sl[key], "(default; the agent captures it)",
                  sl[key] == os.path.join(wd, default))
        else:
            check(key, sl[key], "(with StdOut)", sl[key] == sl["StdOut"])
    if "workdir" in job:
        check("WorkDir", wd, job["workdir"])
    return out


def header_args(path, key):
    for line in open(path, errors="replace"):
        m = re.match(r"#\s*oracle-" + key + r":\s*(.*)", line)
        if m:
            return m.group(1).strip()
    return None


def main():
    if not os.access(SUANWANG, os.X_OK):
        raise SystemExit(f"FAIL: slurm_sbatch_oracle: no binary {SUANWANG} (set SUANWANG)")
    if not SCRIPTS:
        raise SystemExit(f"FAIL: slurm_sbatch_oracle: no scripts in {DATA}/sbatch")
    base = tempfile.mkdtemp(prefix="sw-sbatch-oracle-")
    folder = os.path.join(base, "slurm")
    work = os.path.join(base, "work")
    os.makedirs(work)
    os.chmod(base, 0o755)
    ids, failures, rows = [], [], []
    try:
        slurm_up(folder)
        no_gres = gres_missing(folder)
        if no_gres:
            print("note: scripts asking for GPUs are skipped:", no_gres)
        for script in SCRIPTS:
            name = os.path.basename(script)
            local = os.path.join(work, name)
            shutil.copy(script, local)
            text = open(script, errors="replace").read()
            if no_gres and re.search(r"--gres|--gpus|-G ", text):
                rows.append((name, "(skipped: no GRES)", "", "", True))
                continue
            args = shlex.split(header_args(script, "args") or "")
            expect_reject = header_args(script, "expect") == "reject"
            sb = run(["sbatch", "--hold", "--parsable", *args, name], cwd=work)
            sw = run([SUANWANG, "submit", "--dry-run", "--json", *args, name], cwd=work)
            if sb.returncode != 0 or expect_reject:
                agree = sb.returncode != 0 and sw.returncode != 0 and expect_reject
                why = (sb.stderr.strip().splitlines() or ["?"])[0]
                mine = (sw.stderr.strip().splitlines() or ["?"])[-1] if sw.returncode else "accepted"
                rows.append((name, "refused by both" if agree else "acceptance differs",
                             f"sbatch: {why}" if sb.returncode else "sbatch: accepted",
                             f"suanwang: {mine}", agree))
                if sb.returncode == 0:
                    ids.append(sb.stdout.strip().split(";")[0])
                if not agree:
                    failures.append(f"{name}: sbatch rc {sb.returncode}, suanwang rc "
                                    f"{sw.returncode} (expected {'reject' if expect_reject else 'accept'})")
                continue
            jobid = sb.stdout.strip().split(";")[0]
            ids.append(jobid)
            if sw.returncode != 0:
                failures.append(f"{name}: sbatch accepted it (job {jobid}) but suanwang "
                                f"refused: {sw.stderr.strip()}")
                rows.append((name, "acceptance differs", "accepted", sw.stderr.strip(), False))
                continue
            job = json.loads(sw.stdout)
            for field, want, got, ok in compare(show_job(jobid), job, sw.stderr):
                rows.append((name, field, want, got, ok))
                if not ok:
                    failures.append(f"{name}: {field}: Slurm {want!r}, suanwang {got!r}")
    finally:
        if ids:
            run(["scancel", *ids])
        if os.path.exists(os.path.join(folder, "pids")):
            slurm_down(folder)
        shutil.rmtree(base, ignore_errors=True)

    def cut(v, n=56):
        v = str(v)
        return v if len(v) <= n else "..." + v[-(n - 3):]
    rows = [(r[0], r[1], cut(r[2]), cut(r[3]), r[4]) for r in rows]
    w = [max(len(str(r[i])) for r in rows) for i in range(4)]
    print(f"{'SCRIPT':<{w[0]}}  {'FIELD':<{w[1]}}  {'SLURM':<{w[2]}}  {'SUANWANG':<{w[3]}}")
    for r in rows:
        print(f"{r[0]:<{w[0]}}  {r[1]:<{w[1]}}  {r[2]:<{w[2]}}  {r[3]:<{w[3]}}  "
              f"{'ok' if r[4] else 'DIFF'}")
    checked = sum(1 for r in rows if not r[1].startswith("(skipped"))
    print(f"\n{len(SCRIPTS)} scripts, {checked} comparisons, {len(failures)} differences")
    for f in failures:
        print("FAIL:", f, file=sys.stderr)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
