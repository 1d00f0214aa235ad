"""GRES GPUs through the slurm backend (see slurm_gres.sh)."""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import slurmtest  # noqa: E402
from slurmtest import (SUANWANG, call, failures, senv, state,  # noqa: E402
                       check, sjobs, sfield, wait_for, wait_state, logs)
from swserver import Server  # noqa: E402

T0 = time.time()
CPUS = 16
work = slurmtest.setup("sw-slurm-gres-", SW_SLURM_CPUS=str(CPUS), SW_SLURM_GRES="gpu:a100:4")

NETWORK = {
    "about": "one Slurm site with a node of 4 A100 (tests/e2e/slurm_gres.sh)",
    "regions": ["guangzhou"],
    "intra_region": {"latency_ms": 0.5, "bandwidth_gbps": 100},
    "links": [],
    "sites": [{"name": "hpc-gpu", "region": "guangzhou", "provider": "test", "kind": "hpc",
               "pue": 1.4, "carbon_g_per_kwh": 500, "backend": "slurm",
               "node_classes": [{"name": "a100", "count": 1, "cores": CPUS, "mem_gib": 1,
                                 "accelerators": {"model": "A100", "per_node": 4},
                                 "price": {"accel_hour_fen": 900}}]}],
}
netpath = os.path.join(work, "net.json")
with open(netpath, "w") as f:
    json.dump(NETWORK, f)
s = None
agent = None
try:
    # 1. the agent reports one node class carrying 4 A100
    p = subprocess.run([SUANWANG, "agent", "--backend", "slurm", "--site", "hpc-gpu",
                        "--slurm-partition", "debug", "--network", netpath, "--show-capacity"],
                       capture_output=True, text=True, env=senv)
    cap = json.loads(p.stdout) if p.returncode == 0 else {}
    nc = cap.get("node_classes", [])
    check(len(nc) == 1 and nc[0]["cores"] == CPUS and
          nc[0]["accelerators"] == [{"model": "A100", "count": 4}] and
          nc[0]["name"].endswith("-a100x4"),
          f"--show-capacity: a node class with 4 A100: {p.returncode} {p.stdout} {p.stderr}")
    check(cap.get("accelerators") == [{"model": "A100", "count": 4, "source": "slurm"}],
          f"the totals: 4 A100 from Slurm: {cap.get('accelerators')}")

    s = Server(network=netpath, extra=["--heartbeat-timeout", "30"]).start()
    state["url"], admin = s.url, s.admin_token()
    call(s.url, "POST", "/v1/tenants", admin, {"name": "lab"})
    call(s.url, "POST", "/v1/tenants", admin, {"name": "ops", "kind": "provider"})
    state["user"] = call(s.url, "POST", "/v1/tokens", admin,
                         {"tenant": "lab", "role": "consumer"})[1]["token"]
    token = call(s.url, "POST", "/v1/tokens", admin,
                 {"tenant": "ops", "role": "agent", "site": "hpc-gpu"})[1]["token"]
    agent = slurmtest.start_agent("hpc-gpu", token, "--network", netpath)

    def site():
        return call(s.url, "GET", "/v1/sites", admin)[1]["sites"][0]

    check(wait_for(lambda: site()["agent"]["up"], 15), "the slurm agent registered")
    rc = site()["agent"].get("reported_capacity") or {}
    check([c["accelerators"] for c in rc.get("node_classes", [])] ==
          [[{"model": "A100", "count": 4}]],
          f"the controller records the node class with 4 A100: {rc}")
    check([(f["declared_nodes"], f["reported_nodes"], f["schedulable_nodes"])
           for f in rc.get("node_class_fit", [])] == [(1, 1, 1)],
          f"the declared A100 node is schedulable: {rc.get('node_class_fit')}")

    # 2. a job asking for 2 A100 becomes a Slurm job with --gres=gpu:a100:2
    rc_, out, err = slurmtest.cli("submit", "--name", "gpu", "--gpus", "2", "--gpu-model",
                                  "A100", "--cores", "2", "--", "/bin/sh", "-c",
                                  "echo devices=$CUDA_VISIBLE_DEVICES")
    check(rc_ == 0 and out.strip().isdigit(), f"submit the GPU job: {rc_} {out!r} {err!r}")
    jid = int(out.strip()) if out.strip().isdigit() else -1
    j = wait_state(jid, ("completed", "failed", "cancelled"), 40)
    check(j.get("state") == "completed", f"the GPU job completed: {j.get('state')} {j.get('why')}")
    name = f"sw-{jid}-0-1"
    sj = sjobs()
    check(name in sj and sj[name][1] == "COMPLETED", f"Slurm job {name} COMPLETED: {sj}")
    sid = sj.get(name, ("0",))[0]
    check(sfield(sid, "TresPerNode") == "gres:gpu:a100:2",
          f"Slurm recorded the GRES: TresPerNode={sfield(sid, 'TresPerNode')}")
    check(sfield(sid, "NumCPUs") == "2", f"and 2 CPUs: NumCPUs={sfield(sid, 'NumCPUs')}")
    out = wait_for(lambda: (lambda t: t if "devices=" in t else None)(logs(jid)), 10) or logs(jid)
    check(out == "devices=0,1\n", f"Slurm gave the task 2 GPUs (CUDA_VISIBLE_DEVICES): {out!r}")

    # 3. more A100 than the node has per task: refused at submit, with the reason
    rc_, out, err = slurmtest.cli("submit", "--name", "big", "--gpus", "8", "--gpu-model",
                                  "A100", "--", "/bin/true")
    check(rc_ == 1 and "resources per node" in err,
          f"8 A100 per task are refused: {rc_} {out!r} {err!r}")
finally:
    slurmtest.stop_agent(agent)
    if s:
        s.stop()
    if failures:
        print("--- agent log ---")
        print(slurmtest.agent_log("hpc-gpu"))
    slurmtest.teardown()

slurmtest.finish("slurm_gres", T0)
