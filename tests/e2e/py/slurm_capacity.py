"""A Slurm site declared larger than its Slurm (see slurm_capacity.sh)."""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import slurmtest  # noqa: E402
from slurmtest import (SUANWANG, call, failures, senv, state,  # noqa: E402
                       check, slurm, sjobs, wait_for, job)
from swserver import Server  # noqa: E402

T0 = time.time()
CPUS = 8
work = slurmtest.setup("sw-slurm-capacity-", SW_SLURM_CPUS=str(CPUS))
NODE = senv.get("SW_SLURM_NODE", "swnode1")

# three 8-CPU nodes declared; Slurm has one
NETWORK = {
    "about": "a Slurm site declared with more nodes than its Slurm has "
             "(tests/e2e/slurm_capacity.sh)",
    "regions": ["guangzhou"],
    "intra_region": {"latency_ms": 0.5, "bandwidth_gbps": 100},
    "links": [],
    "sites": [{"name": "hpc-slurm", "region": "guangzhou", "provider": "test", "kind": "hpc",
               "pue": 1.4, "carbon_g_per_kwh": 500, "backend": "slurm",
               "node_classes": [{"name": "cpu", "count": 3, "cores": CPUS, "mem_gib": 1,
                                 "price": {"core_hour_fen": 5}}]}],
}


def show_capacity():
    p = subprocess.run([SUANWANG, "agent", "--backend", "slurm", "--site", "hpc-slurm",
                        "--slurm-partition", "debug", "--show-capacity"],
                       capture_output=True, text=True, env=senv)
    try:
        return p.returncode, json.loads(p.stdout), p.stderr
    except ValueError:
        return p.returncode, None, p.stderr


netpath = os.path.join(work, "net.json")
with open(netpath, "w") as f:
    json.dump(NETWORK, f)
s = None
agent = None
try:
    # the agent's view: one node class of one node, 8 CPUs, the machine's memory
    rc, cap, err = show_capacity()
    nc = (cap or {}).get("node_classes", [])
    check(rc == 0 and len(nc) == 1 and nc[0]["count"] == 1 and nc[0]["cores"] == CPUS and
          nc[0]["mem_mib"] > 0 and nc[0]["accelerators"] == [] and
          nc[0]["name"] == f"c{CPUS}-m{nc[0]['mem_mib']}",
          f"--show-capacity: one node class from Slurm: {rc} {cap} {err}")
    node_mem = nc[0]["mem_mib"] if nc else 0

    s = Server(network=netpath, extra=["--heartbeat-timeout", "30"]).start()
    state["url"], admin = s.url, s.admin_token()
    call(s.url, "POST", "/v1/tenants", admin, {"name": "lab"})
    call(s.url, "POST", "/v1/tenants", admin, {"name": "ops", "kind": "provider"})
    state["user"] = call(s.url, "POST", "/v1/tokens", admin,
                         {"tenant": "lab", "role": "consumer"})[1]["token"]
    token = call(s.url, "POST", "/v1/tokens", admin,
                 {"tenant": "ops", "role": "agent", "site": "hpc-slurm"})[1]["token"]
    agent = slurmtest.start_agent("hpc-slurm", token)

    def site():
        return call(s.url, "GET", "/v1/sites", admin)[1]["sites"][0]

    def fit():
        f = (site()["agent"].get("reported_capacity") or {}).get("node_class_fit", [])
        return tuple((x["declared_nodes"], x["reported_nodes"], x["schedulable_nodes"])
                     for x in f)

    check(wait_for(lambda: site()["agent"]["up"], 15), "the slurm agent registered")
    # 1. the controller records what Slurm has, and holds the two missing nodes
    check(wait_for(lambda: fit() == ((3, 1, 1),), 10),
          f"declared 3, reported 1, schedulable 1: {fit()}")
    rc_ = site()["agent"]["reported_capacity"]
    check(rc_.get("authoritative") is True and
          rc_.get("node_classes") == [{"name": f"c{CPUS}-m{node_mem}", "count": 1,
                                       "cores": CPUS, "mem_mib": node_mem, "accelerators": []}],
          f"the controller records the reported node class: {rc_}")
    check(site()["node_classes"][0]["cores_in_use"] == 2 * CPUS,
          f"the two missing nodes are held: {site()['node_classes'][0]}")
    nc0 = site()["node_classes"][0]
    check((nc0["nodes"], nc0.get("reported_nodes"), nc0.get("schedulable_nodes")) == (3, 1, 1),
          f"the node class shows declared, reported and schedulable nodes: {nc0}")

    # 2. three whole-node jobs: one becomes a Slurm job, two wait for capacity
    ids = []
    for i in range(3):
        rc, out, err = slurmtest.cli("submit", "--name", f"node{i}", "--cores", str(CPUS),
                                     "--walltime", "10m", "--", "/bin/sleep", "120")
        check(rc == 0 and out.strip().isdigit(), f"submit {i}: {rc} {out!r} {err!r}")
        ids.append(int(out.strip()) if out.strip().isdigit() else -1)
    running = wait_for(lambda: [i for i in ids if job(i).get("state") == "running"], 20) or []
    check(len(running) == 1, f"one job runs: {[job(i).get('state') for i in ids]}")
    time.sleep(3)  # time enough for a wrong second dispatch to show
    ours = [n for n in sjobs() if any(n.startswith(f"sw-{i}-") for i in ids)]
    check(len(ours) == 1, f"Slurm got one job, not more than it can run: {sjobs()}")
    waiting = [job(i) for i in ids if i not in running]
    check(len(waiting) == 2 and all(j["state"] == "pending" and
                                    "not enough free capacity" in j.get("why", "")
                                    for j in waiting),
          f"the others wait, the reason naming capacity: "
          f"{[(j.get('state'), j.get('why')) for j in waiting]}")

    # 3. the node is drained in Slurm: within a node reading (10 s) and a
    #    heartbeat the controller takes it out; resumed, it comes back
    slurm("scontrol", "update", f"nodename={NODE}", "state=drain", "reason=suanwang-test")
    check(wait_for(lambda: fit() == ((3, 0, 0),), 25), f"drained: schedulable 0: {fit()}")
    rc, cap, err = show_capacity()
    check(rc == 1 and "no node in service" in err and "1 left out" in err,
          f"--show-capacity while drained: {rc} {err!r}")
    slurm("scontrol", "update", f"nodename={NODE}", "state=resume")
    check(wait_for(lambda: fit() == ((3, 1, 1),), 25), f"resumed: schedulable 1: {fit()}")
    for i in ids:
        slurmtest.cli("cancel", str(i))
finally:
    slurmtest.stop_agent(agent)
    if s:
        s.stop()
    if failures:
        print("--- agent log ---")
        print(slurmtest.agent_log("hpc-slurm"))
    slurmtest.teardown()

slurmtest.finish("slurm_capacity", T0)
