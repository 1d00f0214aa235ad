"""Agents, CLI and controller end to end (see agent_e2e.sh)."""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from swserver import SUANWANG, Server, call  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
NET = os.path.join(ROOT, "examples", "small-gd.json")
failures = []
work = tempfile.mkdtemp(prefix="sw-agents-")
os.chmod(work, 0o755)  # tasks run as an unprivileged user when the tests run as root
shared = os.path.join(work, "shared")
os.mkdir(shared)
os.chmod(shared, 0o777)


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)
    return cond


def cli(*args, token=None, url=None):
    env = dict(os.environ, SUANWANG_SERVER=url or state["url"], SUANWANG_TOKEN=token or state["user"])
    p = subprocess.run([SUANWANG, *args], capture_output=True, text=True, env=env, timeout=60)
    return p.returncode, p.stdout, p.stderr


def start_agent(site):
    log = open(os.path.join(work, site + ".log"), "a")
    return subprocess.Popen([SUANWANG, "agent", "--server", state["url"], "--site", site,
                             "--token", state["agents"][site], "--work",
                             os.path.join(work, site), "--network", NET],
                            stdout=log, stderr=log)


def job(jid):
    return call(state["url"], "GET", f"/v1/jobs/{jid}", state["user"])[1]


def wait_state(jid, states, timeout=30):
    end = time.time() + timeout
    while time.time() < end:
        j = job(jid)
        if j.get("state") in states:
            return j
        time.sleep(0.2)
    return job(jid)


def pid_alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except OSError:
        return False


state = {}
s = Server(network=NET, extra=["--heartbeat-timeout", "4"], keep_port=True).start()
agents = {}
try:
    state["url"], admin = s.url, s.admin_token()
    call(s.url, "POST", "/v1/tenants", admin, {"name": "lab"})
    call(s.url, "POST", "/v1/tenants", admin, {"name": "ops", "kind": "provider"})
    state["user"] = call(s.url, "POST", "/v1/tokens", admin,
                         {"tenant": "lab", "role": "consumer"})[1]["token"]
    state["agents"] = {site: call(s.url, "POST", "/v1/tokens", admin,
                                  {"tenant": "ops", "role": "agent", "site": site})[1]["token"]
                       for site in ("gz-hpc", "sz-cloud")}  # the two sites with CPU nodes
    for site in state["agents"]:
        agents[site] = start_agent(site)
    end = time.time() + 15
    while time.time() < end:
        sites = call(s.url, "GET", "/v1/sites", admin)[1]["sites"]
        if sum(1 for x in sites if x["agent"]["up"]) == 2:
            break
        time.sleep(0.2)
    check(sum(1 for x in sites if x["agent"]["up"]) == 2, "both agents registered")

    # 1. submit through the CLI; it runs; logs come back
    rc, out, err = cli("submit", "--name", "hello", "--", "/bin/echo", "hello from", "suanwang")
    check(rc == 0 and out.strip().isdigit(), f"submit: {rc} {out!r} {err!r}")
    jid = int(out.strip())
    rc, out, err = cli("wait", str(jid), "--timeout", "30s")
    check(rc == 0, f"wait for the job: {rc} {out} {err}")
    rc, out, err = cli("logs", str(jid))
    check(out == "hello from suanwang\n", f"logs come back: {out!r} {err!r}")
    j = job(jid)
    check(j["state"] == "completed" and j["task_units"][0]["site"] in agents,
          f"ran at an agent: {j['state']}")

    # 2. a #SBATCH script runs
    script = os.path.join(work, "job.sh")
    with open(script, "w") as f:
        f.write("#!/bin/sh\n#SBATCH --job-name=sbatch-test\n#SBATCH --ntasks=1\n"
                "#SBATCH --time=00:05:00\necho \"task $SUANWANG_TASK_INDEX of job "
                "$SUANWANG_JOB_ID at $SUANWANG_SITE\"\n")
    rc, out, err = cli("submit", script)
    check(rc == 0, f"submit #SBATCH: {rc} {out} {err}")
    sid = int(out.strip())
    check(job(sid)["name"] == "sbatch-test", "the job takes its #SBATCH name")
    rc, _, _ = cli("wait", str(sid), "--timeout", "30s")
    rc2, out, _ = cli("logs", str(sid))
    check(rc == 0 and f"of job {sid} at" in out, f"#SBATCH script ran: {out!r}")

    # 3. cancel stops the process
    pidfile = os.path.join(shared, "victim.pid")
    rc, out, err = cli("submit", "--name", "victim", "--", "/bin/sh", "-c",
                       f"echo $$ > {pidfile}; exec sleep 300")
    vid = int(out.strip())
    wait_state(vid, ("running",))
    end = time.time() + 10
    while time.time() < end and not os.path.exists(pidfile):
        time.sleep(0.1)
    pid = int(open(pidfile).read()) if os.path.exists(pidfile) else -1
    check(pid > 0 and pid_alive(pid), "the victim process runs")
    rc, out, err = cli("cancel", str(vid))
    check(rc == 0, f"cancel: {rc} {err}")
    end = time.time() + 15
    while time.time() < end and pid > 0 and pid_alive(pid):
        time.sleep(0.1)
    check(pid > 0 and not pid_alive(pid), "cancel stopped the process")
    check(job(vid)["state"] == "cancelled", "the job is cancelled")

    # 4. an agent killed with SIGKILL: its task is retried at the other site
    rc, out, err = cli("submit", "--name", "survivor", "--retries", "2",
                       "--region-allow", "guangzhou", "--region-allow", "shenzhen", "--",
                       "/bin/sh", "-c",
                       "sleep 6; echo survived at $SUANWANG_SITE")
    kid = int(out.strip())
    j = wait_state(kid, ("running",))
    first_site = j["task_units"][0].get("site")
    check(first_site in agents, f"survivor runs somewhere: {first_site}")
    if first_site in agents:
        agents[first_site].send_signal(signal.SIGKILL)
        agents[first_site].wait()
        j = wait_state(kid, ("completed", "failed"), timeout=40)
        u = j["task_units"][0]
        check(j["state"] == "completed" and u["site"] != first_site and u["attempt"] >= 2,
              f"retried elsewhere after the agent died: {j['state']} at {u.get('site')} "
              f"attempt {u['attempt']}")
        check(any(e["state"] == "lost" for e in j["events"]), "the first attempt was lost")
        agents[first_site] = start_agent(first_site)  # it comes back
        # it adopts the task its predecessor left, and stops it: the controller
        # retried it elsewhere (the stop list of the registration)
        want = f"job {kid} task 0 attempt 1: stopping it (the controller: "
        end = time.time() + 15
        text = ""
        while time.time() < end and want not in text:
            time.sleep(0.2)
            with open(os.path.join(work, first_site + ".log")) as f:
                text = f.read()
        check(want in text, f"the returning agent stops the stale task it adopted: {text}")

    # 5. the controller killed with SIGKILL and restarted loses nothing
    rc, out, err = cli("submit", "--name", "through-restart", "--", "/bin/sh", "-c",
                       "sleep 3; echo still here")
    rid = int(out.strip())
    wait_state(rid, ("running",))
    before = call(s.url, "GET", "/v1/jobs?limit=1000", admin)[1]["jobs"]
    s.kill()
    time.sleep(1)  # the agents see the controller gone; the task keeps running
    s.start()      # same port: the agents reconnect by themselves
    state["url"] = s.url
    after = call(s.url, "GET", "/v1/jobs?limit=1000", admin)[1]["jobs"]
    check({x["id"] for x in before} == {x["id"] for x in after}, "every job survives SIGKILL")
    j = wait_state(rid, ("completed", "failed"), timeout=40)
    check(j["state"] == "completed", f"the job running through the restart completes: "
                                     f"{j['state']}")
finally:
    for p in agents.values():
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
    s.stop()

if failures:
    print(f"{len(failures)} checks failed; agent logs in {work}")
    sys.exit(1)
print("ok")
