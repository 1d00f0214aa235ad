"""suanwang agent --backend slurm against a real Slurm (see slurm_agent.sh)."""
import json
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import slurmtest  # noqa: E402
from slurmtest import (SUANWANG, call, failures, senv, state,  # noqa: E402
                       check, skip, slurm, sjobs, sfield, wait_for, cli, submit, job, wait_state, logs)
from swserver import Server  # noqa: E402

T0 = time.time()
work = slurmtest.setup("sw-slurm-agent-")

NETWORK = {
    "about": "one Slurm site (tests/e2e/slurm_agent.sh)",
    "regions": ["guangzhou"],
    "intra_region": {"latency_ms": 0.5, "bandwidth_gbps": 100},
    "links": [],
    "sites": [{"name": "hpc-slurm", "region": "guangzhou", "provider": "test", "kind": "hpc",
               "pue": 1.4, "carbon_g_per_kwh": 500, "backend": "slurm",
               "node_classes": [{"name": "cpu", "count": 1, "cores": 64, "mem_gib": 4,
                                 "price": {"core_hour_fen": 5}}]}],
}


def start_agent():
    log = open(os.path.join(work, "agent.log"), "a")
    return subprocess.Popen([SUANWANG, "agent", "--backend", "slurm", "--server", state["url"],
                             "--site", "hpc-slurm", "--token", state["agent"], "--work",
                             os.path.join(work, "agent"), "--slurm-partition", "debug",
                             "--poll-wait", "2"],
                            stdout=log, stderr=log, env=senv)


netpath = os.path.join(work, "net.json")
with open(netpath, "w") as f:
    json.dump(NETWORK, f)
s = None
agent = None
try:
    s = Server(network=netpath, extra=["--heartbeat-timeout", "30"]).start()
    state["url"], admin = s.url, s.admin_token()
    call(s.url, "POST", "/v1/tenants", admin, {"name": "lab"})
    call(s.url, "POST", "/v1/tenants", admin, {"name": "ops", "kind": "provider"})
    state["user"] = call(s.url, "POST", "/v1/tokens", admin,
                         {"tenant": "lab", "role": "consumer"})[1]["token"]
    state["agent"] = call(s.url, "POST", "/v1/tokens", admin,
                          {"tenant": "ops", "role": "agent", "site": "hpc-slurm"})[1]["token"]

    # capacity from Slurm
    rc = subprocess.run([SUANWANG, "agent", "--backend", "slurm", "--site", "hpc-slurm",
                         "--show-capacity"], capture_output=True, text=True, env=senv)
    check(rc.returncode == 0 and '"cores": 64' in rc.stdout.replace(":64", ": 64"),
          f"--show-capacity reads Slurm's node: {rc.stdout!r} {rc.stderr!r}")

    agent = start_agent()
    up = wait_for(lambda: [x for x in call(s.url, "GET", "/v1/sites", admin)[1]["sites"]
                           if x["agent"]["up"]], 15)
    check(bool(up), "the slurm agent registered")

    # 1. a job runs as a real Slurm job; its stdout comes back
    jid = submit("--name", "hello", "--", "/bin/echo", "hello from", "slurm's $HOME")
    j = wait_state(jid, ("completed", "failed", "cancelled"))
    check(j.get("state") == "completed", f"job {jid} completed: {j}")
    name = f"sw-{jid}-0-1"
    sj = sjobs()
    check(name in sj and sj[name][1] == "COMPLETED", f"Slurm job {name} COMPLETED: {sj}")
    out = wait_for(lambda: (lambda t: t if "hello" in t else None)(logs(jid)), 10) or logs(jid)
    check(out == "hello from slurm's $HOME\n", f"logs of job {jid}: {out!r}")

    # 2. a gang is ONE Slurm job with NumTasks=N
    gid = submit("--name", "gang", "--tasks", "3", "--gang", "--", "/bin/sh", "-c",
                 "echo rank $SUANWANG_TASK_INDEX of $SUANWANG_TASKS")
    j = wait_state(gid, ("completed", "failed", "cancelled"), 40)
    check(j.get("state") == "completed", f"gang {gid} completed: {j}")
    gname = f"sw-{gid}-gang-1"
    sj = sjobs()
    check(gname in sj, f"one Slurm job {gname}: {sj}")
    check(len([n for n in sj if n.startswith(f"sw-{gid}-")]) == 1, f"only one Slurm job: {sj}")
    if gname in sj:
        check(sfield(sj[gname][0], "NumTasks") == "3", f"NumTasks=3: {sfield(sj[gname][0], 'NumTasks')}")
    out = logs(gid, -1) if "rank" not in logs(gid) else logs(gid)
    check(all(f"rank {r} of 3" in out for r in range(3)), f"gang output: {out!r}")

    # 3. cancel reaches scancel
    cid = submit("--name", "victim", "--", "/bin/sleep", "300")
    wait_state(cid, ("running",))
    cname = f"sw-{cid}-0-1"
    check(wait_for(lambda: sjobs().get(cname, ("", ""))[1] == "RUNNING", 20),
          f"{cname} RUNNING: {sjobs()}")
    rc, out, err = cli("cancel", str(cid))
    check(rc == 0, f"cancel: {rc} {err}")
    check(wait_for(lambda: sjobs().get(cname, ("", ""))[1] == "CANCELLED", 20),
          f"{cname} CANCELLED by scancel: {sjobs()}")
    j = wait_state(cid, ("cancelled",), 20)
    check(j.get("state") == "cancelled", f"job {cid} cancelled: {j.get('state')}")

    # 4. walltime (enforced by the agent to the second; Slurm's --time is the backstop)
    wid = submit("--name", "overtime", "--walltime", "3s", "--", "/bin/sleep", "300")
    j = wait_state(wid, ("completed", "failed", "cancelled"), 30)
    check(j.get("state") == "failed" and "walltime" in json.dumps(j),
          f"job {wid} failed for its walltime: {j}")

    # 5. a Slurm job cancelled by hand is reported failed
    hid = submit("--name", "byhand", "--", "/bin/sleep", "300")
    hname = f"sw-{hid}-0-1"
    check(wait_for(lambda: sjobs().get(hname, ("", ""))[1] == "RUNNING", 20),
          f"{hname} RUNNING: {sjobs()}")
    hsid = sjobs().get(hname, ("", ""))[0]

    def cancelled_by_hand():
        # scancel can fail on a busy slurmctld: try again until Slurm has it
        p = subprocess.run(["scancel", hsid], capture_output=True, text=True, env=senv,
                           timeout=30)
        if p.returncode != 0:
            print(f"scancel {hsid}: {p.returncode} {p.stderr.strip()}", file=sys.stderr)
        return sjobs().get(hname, ("", ""))[1] not in ("RUNNING", "PENDING")
    check(hsid.isdigit() and wait_for(cancelled_by_hand, 20, 1.0),
          f"scancel of Slurm job {hsid!r} took effect: {sjobs()}")
    j = wait_state(hid, ("completed", "failed", "cancelled"), 20)
    check(j.get("state") == "failed" and "cancelled by Slurm" in json.dumps(j),
          f"job {hid} failed, cancelled by Slurm: {j}")

    # 6. the agent restarted in the middle re-adopts its Slurm job
    rid = submit("--name", "survivor", "--", "/bin/sh", "-c", "sleep 4; echo survived")
    rname = f"sw-{rid}-0-1"
    check(wait_for(lambda: sjobs().get(rname, ("", ""))[1] == "RUNNING", 20),
          f"{rname} RUNNING: {sjobs()}")
    agent.send_signal(signal.SIGKILL)
    agent.wait()
    agent = start_agent()
    check(wait_for(lambda: "re-adopted Slurm job" in open(os.path.join(work, "agent.log")).read(),
                   10), "the restarted agent re-adopted the Slurm job")
    check(wait_for(lambda: sjobs().get(rname, ("", ""))[1] == "COMPLETED", 20),
          f"{rname} ran on to COMPLETED (not killed): {sjobs()}")
    j = wait_state(rid, ("completed", "failed", "cancelled"), 20)
    check(j.get("state") == "completed",
          f"the re-adopted job's end is reported: {j.get('state')}")
    check(len([n for n in sjobs() if n.startswith(f"sw-{rid}-")]) == 1, "no duplicate")
finally:
    if agent:
        agent.send_signal(signal.SIGTERM)
        try:
            agent.wait(20)
        except subprocess.TimeoutExpired:
            agent.kill()
    if s:
        s.stop()
    if failures:
        print("--- agent log ---")
        try:
            print(open(os.path.join(work, "agent.log")).read()[-6000:])
        except OSError:
            pass
    slurmtest.teardown()

slurmtest.finish("slurm_agent", T0)
