"""A network with one Slurm site and one local site (see slurm_mixed.sh)."""
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
work = slurmtest.setup("sw-slurm-mixed-")

NETWORK = {
    "about": "one Slurm site and one local site (tests/e2e/slurm_mixed.sh)",
    "regions": ["guangzhou", "shenzhen"],
    "intra_region": {"latency_ms": 0.5, "bandwidth_gbps": 100},
    "links": [{"a": "guangzhou", "b": "shenzhen", "latency_ms": 1.5, "bandwidth_gbps": 100}],
    "sites": [
        {"name": "hpc-slurm", "region": "guangzhou", "provider": "test", "kind": "hpc",
         "pue": 1.4, "carbon_g_per_kwh": 500, "backend": "slurm",
         "node_classes": [{"name": "cpu", "count": 1, "cores": 4, "mem_gib": 4,
                           "price": {"core_hour_fen": 5}}]},
        {"name": "cloud-local", "region": "shenzhen", "provider": "test", "kind": "cloud",
         "pue": 1.3, "carbon_g_per_kwh": 500, "backend": "local",
         "node_classes": [{"name": "cpu", "count": 1, "cores": 4, "mem_gib": 4,
                           "price": {"core_hour_fen": 5}}]}],
}


def start_agent(site, backend):
    log = open(os.path.join(work, site + ".log"), "a")
    args = [SUANWANG, "agent", "--backend", backend, "--server", state["url"], "--site", site,
            "--token", state["agents"][site], "--work", os.path.join(work, site)]
    if backend == "slurm":
        args += ["--slurm-partition", "debug", "--poll-wait", "2"]
    return subprocess.Popen(args, stdout=log, stderr=log, env=senv)
netpath = os.path.join(work, "net.json")
with open(netpath, "w") as f:
    json.dump(NETWORK, f)
s = None
agents = []
try:
    s = Server(network=netpath, extra=["--heartbeat-timeout", "30"]).start()
    state["url"], admin = s.url, s.admin_token()
    call(s.url, "POST", "/v1/tenants", admin, {"name": "lab"})
    call(s.url, "POST", "/v1/tenants", admin, {"name": "ops", "kind": "provider"})
    state["user"] = call(s.url, "POST", "/v1/tokens", admin,
                         {"tenant": "lab", "role": "consumer"})[1]["token"]
    state["agents"] = {site: call(s.url, "POST", "/v1/tokens", admin,
                                  {"tenant": "ops", "role": "agent", "site": site})[1]["token"]
                       for site in ("hpc-slurm", "cloud-local")}
    agents.append(start_agent("hpc-slurm", "slurm"))
    agents.append(start_agent("cloud-local", "local"))
    up = wait_for(lambda: len([x for x in call(s.url, "GET", "/v1/sites", admin)[1]["sites"]
                               if x["agent"]["up"]]) == 2, 15)
    check(up, "both agents registered")

    # 1. placement says "hpc": the job runs as a real Slurm job
    jpath = os.path.join(work, "mpi.json")
    with open(jpath, "w") as f:
        json.dump({"name": "mpi", "tasks": 2, "gang": True,
                   "placement": {"kinds": {"allow": ["hpc"]}},
                   "command": ["/bin/echo", "on the hpc site"]}, f)
    rc, out, err = cli("submit", jpath)
    check(rc == 0 and out.strip().isdigit(), f"submit the hpc job: {rc} {out!r} {err!r}")
    hid = int(out.strip()) if out.strip().isdigit() else -1
    j = wait_state(hid, ("completed", "failed", "cancelled"), 40)
    check(j.get("state") == "completed" and j["task_units"][0].get("site") == "hpc-slurm",
          f"the hpc job ran at hpc-slurm: {j.get('state')} {j.get('task_units')}")
    check(any(n.startswith(f"sw-{hid}-") for n in sjobs()), f"it was a real Slurm job: {sjobs()}")

    # 2. an array of 8 one-core tasks over two 4-core sites: it spreads over both
    aid = submit("--name", "array", "--tasks", "8", "--cores", "1", "--", "/bin/sh", "-c",
                 "sleep 2; echo task $SUANWANG_TASK_INDEX at $SUANWANG_SITE")
    j = wait_state(aid, ("completed", "failed", "cancelled"), 60)
    sites = {u.get("site") for u in j.get("task_units", [])}
    check(j.get("state") == "completed", f"the array completed: {j.get('state')}")
    check(sites == {"hpc-slurm", "cloud-local"}, f"array tasks spread over both sites: {sites}")
    slurm_tasks = [n for n in sjobs() if n.startswith(f"sw-{aid}-")]
    check(len(slurm_tasks) == sum(1 for u in j.get("task_units", [])
                                  if u.get("site") == "hpc-slurm"),
          f"each task at the Slurm site was one Slurm job: {slurm_tasks}")

    # 3. Slurm's own users: a job submitted to Slurm directly holds 3 CPUs;
    #    the controller counts them as in use at hpc-slurm, until it ends
    def cores_in_use():
        sites = call(s.url, "GET", "/v1/sites", admin)[1]["sites"]
        hpc = [x for x in sites if x["name"] == "hpc-slurm"][0]
        return hpc["node_classes"][0]["cores_in_use"]
    fid = slurm("sbatch", "--parsable", "-p", "debug", "-c", "3", "-J", "local-user",
                "-o", "/dev/null", "--wrap", "sleep 60").strip().split(";")[0]
    check(fid.isdigit(), f"a local user's Slurm job: {fid!r}")
    check(wait_for(lambda: cores_in_use() >= 3, 20),
          f"the controller counts the local user's 3 CPUs: {cores_in_use()}")
    def gone():  # scancel can fail on a busy slurmctld: again until it took effect
        slurm("scancel", fid)
        return cores_in_use() == 0
    check(wait_for(gone, 20, 1.0),
          f"and forgets them when the job ends: {cores_in_use()}")
finally:
    for a in agents:
        if a.poll() is None:
            a.send_signal(signal.SIGTERM)
            try:
                a.wait(20)
            except subprocess.TimeoutExpired:
                a.kill()
    if s:
        s.stop()
    if failures:
        for site in ("hpc-slurm", "cloud-local"):
            print(f"--- {site} agent log ---")
            try:
                print(open(os.path.join(work, site + ".log")).read()[-4000:])
            except OSError:
                pass
    slurmtest.teardown()

slurmtest.finish("slurm_mixed", T0)
