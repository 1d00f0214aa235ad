#!/usr/bin/env python3
"""bench/e2e.py — the measuring half of bench/e2e.sh (which brings both systems up and down).

Environment (set by e2e.sh): SW_URL, SW_TOKEN (consumer), SW_ADMIN, SW_AGENT_PID,
SW_SERVER_PID, E2E_N (latency repetitions), E2E_TASKS (tasks for throughput and
concurrency), E2E_SLEEP (seconds of each long task), E2E_SLURM (1: Slurm is up; SLURM_CONF
set), E2E_RAW (JSON lines out). Prints one JSON object per measurement on stdout too.
"""
import http.client
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.parse

URL = os.environ["SW_URL"]
TOKEN = os.environ["SW_TOKEN"]
ADMIN = os.environ["SW_ADMIN"]
AGENT_PID = int(os.environ["SW_AGENT_PID"])
SERVER_PID = int(os.environ["SW_SERVER_PID"])
N = int(os.environ.get("E2E_N", "30"))
TASKS = int(os.environ.get("E2E_TASKS", "1000"))
SLEEP = int(os.environ.get("E2E_SLEEP", "30"))
SLURM = os.environ.get("E2E_SLURM") == "1"
RAW = open(os.environ["E2E_RAW"], "a")
TIMEOUT = float(os.environ.get("E2E_TIMEOUT", "300"))

u = urllib.parse.urlparse(URL)


class Api:
    """One keep-alive HTTP/1.1 connection."""

    def __init__(self, token):
        self.token = token
        self.c = http.client.HTTPConnection(u.hostname, u.port, timeout=60)

    def call(self, method, path, body=None):
        h = {"Authorization": "Bearer " + self.token}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        for attempt in range(2):
            try:
                self.c.request(method, path, body=data, headers=h)
                r = self.c.getresponse()
                raw = r.read()
                break
            except (http.client.HTTPException, OSError):
                if attempt:
                    raise
                self.c.close()
                self.c = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
        if r.status >= 300:
            raise RuntimeError(f"{method} {path}: HTTP {r.status}: {raw[:300]!r}")
        ct = r.getheader("Content-Type", "")
        return json.loads(raw) if "json" in ct else raw.decode()


api = Api(TOKEN)
adm = Api(ADMIN)


def emit(d):
    d["t"] = time.time()
    RAW.write(json.dumps(d) + "\n")
    RAW.flush()
    print(json.dumps(d), flush=True)


def say(*a):
    print("e2e:", *a, file=sys.stderr, flush=True)


def pct(xs, q):
    xs = sorted(xs)
    if not xs:
        return None
    k = (len(xs) - 1) * q
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def summary(xs):
    return {"n": len(xs), "p50": pct(xs, 0.5), "p90": pct(xs, 0.9), "max": max(xs) if xs else None,
            "min": min(xs) if xs else None}


def job_summary(jid):
    """The job's summary line (state, units by state) from the listing."""
    r = api.call("GET", f"/v1/jobs?after={jid - 1}&limit=1")
    j = r["jobs"][0]
    assert j["id"] == jid, j
    return j


def metrics_jobs():
    text = adm.call("GET", "/metrics")
    out = {}
    for m in re.finditer(r'^suanwang_jobs\{state="(\w+)"\} (\S+)', text, re.M):
        out[m.group(1)] = int(float(m.group(2)))
    return out


def proc_status(pid):
    d = {}
    try:
        for line in open(f"/proc/{pid}/status"):
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM", "Threads"):
                d[k] = int(v.split()[0])
        d["fds"] = len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        pass
    return d


def children(pid):
    n = 0
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            st = open(f"/proc/{p}/stat").read()
        except OSError:
            continue
        if int(st[st.rindex(")") + 2:].split()[1]) == pid:
            n += 1
    return n


def sh(*args):
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


# ---- (a) submit -> done latency -----------------------------------------------------
def sw_latency():
    t0 = time.perf_counter()
    jid = api.call("POST", "/v1/jobs", {"name": "lat", "command": ["/bin/true"]})["id"]
    t_sub = time.perf_counter()
    polls = 0
    while True:
        j = api.call("GET", f"/v1/jobs/{jid}")
        polls += 1
        if j["state"] in ("completed", "failed", "cancelled"):
            break
        if time.perf_counter() - t0 > 60:
            raise RuntimeError(f"job {jid} not done after 60 s: {j['state']}")
        time.sleep(0.001)
    t1 = time.perf_counter()
    return {"id": jid, "state": j["state"], "s": t1 - t0, "submit_s": t_sub - t0, "polls": polls,
            "events": [(e.get("state"), e.get("time") or e.get("at")) for e in j.get("events", [])]}


def slurm_state(jid):
    out = sh("scontrol", "show", "job", "-o", str(jid))
    m = re.search(r"JobState=(\S+)", out)
    return m.group(1) if m else "?"


def slurm_latency():
    t0 = time.perf_counter()
    jid = sh("sbatch", "--parsable", "-o", "/dev/null", "--wrap", "/bin/true").strip().split(";")[0]
    t_sub = time.perf_counter()
    polls = 0
    while True:
        st = slurm_state(jid)
        polls += 1
        if st in ("COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY"):
            break
        if time.perf_counter() - t0 > 60:
            raise RuntimeError(f"slurm job {jid} not done after 60 s: {st}")
        time.sleep(0.001)
    t1 = time.perf_counter()
    return {"id": jid, "state": st, "s": t1 - t0, "submit_s": t_sub - t0, "polls": polls}


def bench_latency():
    sw, sl = [], []
    # warm-up, not counted
    sw_latency()
    if SLURM:
        slurm_latency()
    for i in range(N):
        if SLURM:
            r = slurm_latency()
            sl.append(r)
            emit({"case": "latency", "system": "slurm", "rep": i, **r})
        r = sw_latency()
        sw.append(r)
        emit({"case": "latency", "system": "suanwang", "rep": i, **{k: v for k, v in r.items() if k != "events"}})
    bad = [r for r in sw + sl if r["state"] not in ("completed", "COMPLETED")]
    res = {"case": "latency summary", "suanwang": summary([r["s"] for r in sw]),
           "suanwang_submit": summary([r["submit_s"] for r in sw]),
           "not_completed": len(bad), "sample_events": sw[0]["events"]}
    if SLURM:
        res["slurm"] = summary([r["s"] for r in sl])
        res["slurm_submit"] = summary([r["submit_s"] for r in sl])
    emit(res)
    return res


# ---- (b) throughput ------------------------------------------------------------------
def sw_array(tasks, argv, name, until="completed", watch=None):
    """Submit one array; return (t_submit_acked, t_until, job summary)."""
    t0 = time.perf_counter()
    jid = api.call("POST", "/v1/jobs", {"name": name, "command": argv, "tasks": tasks,
                                         "walltime": 600})["id"]
    t_ack = time.perf_counter()
    peak = {}
    while True:
        j = job_summary(jid)
        units = j.get("units", {})
        if watch:
            watch(j, peak)
        if units.get(until, 0) >= tasks or j["state"] in ("failed", "cancelled"):
            break
        if until == "completed" and units.get("completed", 0) + units.get("failed", 0) >= tasks:
            break
        if time.perf_counter() - t0 > TIMEOUT:
            raise RuntimeError(f"array {jid}: timed out: {units}")
        time.sleep(0.01)
    t1 = time.perf_counter()
    return jid, t0, t_ack, t1, j, peak


def sw_singles(n, batch=100):
    base = metrics_jobs().get("completed", 0) + metrics_jobs().get("failed", 0)
    t0 = time.perf_counter()
    ids = []
    for k in range(0, n, batch):
        body = [{"name": f"single-{k + i}", "command": ["/bin/true"]} for i in range(min(batch, n - k))]
        ids += api.call("POST", "/v1/jobs", body)["ids"]
    t_ack = time.perf_counter()
    while True:
        m = metrics_jobs()
        done = m.get("completed", 0) + m.get("failed", 0) - base
        if done >= n:
            break
        if time.perf_counter() - t0 > TIMEOUT:
            raise RuntimeError(f"singles: timed out, {done} of {n} done: {m}")
        time.sleep(0.01)
    t1 = time.perf_counter()
    return ids, t0, t_ack, t1, m


def slurm_wait_empty(t0):
    while True:
        out = sh("squeue", "-h", "-r", "-o", "%i")
        left = len(out.split())
        if left == 0:
            return time.perf_counter()
        if time.perf_counter() - t0 > TIMEOUT:
            raise RuntimeError(f"slurm: timed out, {left} jobs left")
        time.sleep(0.05)


def slurm_array(n):
    t0 = time.perf_counter()
    jid = sh("sbatch", "--parsable", "-o", "/dev/null", f"--array=1-{n}", "--wrap", "/bin/true").strip()
    t_ack = time.perf_counter()
    t1 = slurm_wait_empty(t0)
    return jid, t0, t_ack, t1


def slurm_singles(n, k=8):
    ids, lock = [], threading.Lock()
    nxt = [0]

    def worker():
        while True:
            with lock:
                if nxt[0] >= n:
                    return
                nxt[0] += 1
            jid = sh("sbatch", "--parsable", "-o", "/dev/null", "--wrap", "/bin/true").strip()
            with lock:
                ids.append(jid)

    t0 = time.perf_counter()
    th = [threading.Thread(target=worker) for _ in range(k)]
    for t in th:
        t.start()
    for t in th:
        t.join()
    t_ack = time.perf_counter()
    t1 = slurm_wait_empty(t0)
    return ids, t0, t_ack, t1


def slurm_completed_count(ids_prefix=None):
    """Jobs Slurm recorded as COMPLETED in jobcomp.txt (filetxt)."""
    p = os.path.join(os.environ.get("SW_SLURM_DIR", ""), "log", "jobcomp.txt")
    try:
        return sum(1 for line in open(p) if "JobState=COMPLETED" in line)
    except OSError:
        return None


def bench_throughput():
    res = {"case": "throughput summary", "tasks": TASKS}
    # arrays, alternating
    if SLURM:
        c0 = slurm_completed_count()
        jid, t0, ta, t1 = slurm_array(TASKS)
        c1 = slurm_completed_count()
        res["slurm_array"] = {"id": jid, "s": t1 - t0, "submit_s": ta - t0, "tasks_per_s": TASKS / (t1 - t0),
                              "completed": None if c0 is None else c1 - c0}
        emit({"case": "throughput", "system": "slurm", "kind": "array", **res["slurm_array"]})
    jid, t0, ta, t1, j, _ = sw_array(TASKS, ["/bin/true"], "tput-array")
    res["suanwang_array"] = {"id": jid, "s": t1 - t0, "submit_s": ta - t0, "tasks_per_s": TASKS / (t1 - t0),
                             "units": j.get("units"), "state": j["state"]}
    emit({"case": "throughput", "system": "suanwang", "kind": "array", **res["suanwang_array"]})
    # singles
    if SLURM:
        c0 = slurm_completed_count()
        ids, t0, ta, t1 = slurm_singles(TASKS)
        c1 = slurm_completed_count()
        res["slurm_singles"] = {"n": len(ids), "s": t1 - t0, "submit_s": ta - t0, "tasks_per_s": TASKS / (t1 - t0),
                                "completed": None if c0 is None else c1 - c0, "submitters": 8}
        emit({"case": "throughput", "system": "slurm", "kind": "singles", **res["slurm_singles"]})
    ids, t0, ta, t1, m = sw_singles(TASKS)
    res["suanwang_singles"] = {"n": len(ids), "s": t1 - t0, "submit_s": ta - t0, "tasks_per_s": TASKS / (t1 - t0),
                               "jobs_gauge": m, "batch": 100}
    emit({"case": "throughput", "system": "suanwang", "kind": "singles", **res["suanwang_singles"]})
    emit(res)
    return res


# ---- (c) 1,000 concurrent long tasks ---------------------------------------------------
def bench_concurrency():
    samples = []

    def watch(j, peak):
        units = j.get("units", {})
        r = units.get("running", 0)
        if r > peak.get("running", -1):
            peak["running"] = r
        if r >= TASKS and "at_all_running" not in peak:
            peak["at_all_running"] = time.perf_counter()
            peak["agent"] = proc_status(AGENT_PID)
            peak["agent_children"] = children(AGENT_PID)
            peak["server"] = proc_status(SERVER_PID)
        if len(samples) % 20 == 0:
            s = proc_status(AGENT_PID)
            peak["agent_fds_max"] = max(peak.get("agent_fds_max", 0), s.get("fds", 0))
            peak["agent_rss_max_kib"] = max(peak.get("agent_rss_max_kib", 0), s.get("VmRSS", 0))
        samples.append(r)

    before = proc_status(AGENT_PID)
    jid, t0, ta, t1, j, peak = sw_array(TASKS, ["/bin/sleep", str(SLEEP)], "concurrent", until="completed",
                                        watch=watch)
    after = proc_status(AGENT_PID)
    full = api.call("GET", f"/v1/jobs/{jid}")
    states = {}
    for tu in full.get("task_units", []):
        states[tu["state"]] = states.get(tu["state"], 0) + 1
    res = {"case": "concurrency summary", "id": jid, "tasks": TASKS, "sleep_s": SLEEP,
           "peak_running": peak.get("running"),
           "all_running_after_s": (peak["at_all_running"] - t0) if "at_all_running" in peak else None,
           "done_after_s": t1 - t0, "final_units": states, "state": full["state"],
           "agent_before": before, "agent_at_all_running": peak.get("agent"),
           "agent_children_at_all_running": peak.get("agent_children"),
           "agent_fds_max_sampled": peak.get("agent_fds_max"),
           "agent_rss_max_sampled_kib": peak.get("agent_rss_max_kib"),
           "agent_after": after, "server_at_all_running": peak.get("server"),
           "server_after": proc_status(SERVER_PID)}
    emit(res)
    return res


def main():
    which = sys.argv[1:] or ["latency", "throughput", "concurrency"]
    for w in which:
        say("running", w)
        try:
            {"latency": bench_latency, "throughput": bench_throughput, "concurrency": bench_concurrency}[w]()
        except Exception as e:  # keep going: a failed part is reported, the rest still runs
            say(f"{w} failed: {e}")
            emit({"case": f"{w} error", "error": str(e)})


main()
