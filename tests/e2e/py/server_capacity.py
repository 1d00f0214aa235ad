"""What a site can really take (see server_capacity.sh): a scripted agent
of a Slurm site reports fewer nodes than the network file declares."""
import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from swserver import Server, call  # noqa: E402

failures = []

NETWORK = {
    "about": "a Slurm site declared larger than its Slurm, and a local site "
             "(tests/e2e/server_capacity.sh)",
    "regions": ["gz"],
    "intra_region": {"latency_ms": 0.5, "bandwidth_gbps": 100},
    "links": [],
    "sites": [
        {"name": "hpc", "region": "gz", "provider": "t", "kind": "hpc", "pue": 1.4,
         "carbon_g_per_kwh": 500, "backend": "slurm",
         "node_classes": [
             {"name": "cpu", "count": 4, "cores": 8, "mem_gib": 8,
              "price": {"core_hour_fen": 5}},
             {"name": "a100", "count": 2, "cores": 8, "mem_gib": 32,
              "accelerators": {"model": "A100", "per_node": 4},
              "price": {"accel_hour_fen": 900}}]},
        {"name": "lab", "region": "gz", "provider": "t", "kind": "cloud", "pue": 1.2,
         "carbon_g_per_kwh": 500, "backend": "local",
         "node_classes": [{"name": "cpu", "count": 1, "cores": 8, "mem_gib": 8,
                           "price": {"core_hour_fen": 50}}]}],
}

ONE_NODE = [{"name": "c8-m8192", "count": 1, "cores": 8, "mem_mib": 8192, "accelerators": []}]
FOUR_NODES = [dict(ONE_NODE[0], count=4)]


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, flush=True)
    return cond


def wait_for(fn, timeout=10):
    end = time.time() + timeout
    while time.time() < end:
        v = fn()
        if v:
            return v
        time.sleep(0.1)
    return fn()


work = tempfile.mkdtemp(prefix="sw-capacity-")
netpath = os.path.join(work, "net.json")
with open(netpath, "w") as f:
    json.dump(NETWORK, f)
s = Server(network=netpath).start()
try:
    u, admin = s.url, s.admin_token()
    call(u, "POST", "/v1/tenants", admin, {"name": "ops", "kind": "provider"})
    call(u, "POST", "/v1/tenants", admin, {"name": "lab"})
    tok = {site: call(u, "POST", "/v1/tokens", admin,
                      {"tenant": "ops", "role": "agent", "site": site})[1]["token"]
           for site in ("hpc", "lab")}
    user = call(u, "POST", "/v1/tokens", admin, {"tenant": "lab", "role": "consumer"})[1]["token"]

    def hello(site, path, backend, classes, **extra):
        body = {"agent_id": site, "hostname": "h", "backend": backend, "running": [],
                "capacity": {"cores": 8, "mem_mib": 8192, "accelerators": []}, **extra}
        if classes is not None:
            body["node_classes"] = classes
        return call(u, "POST", path, tok[site], body)

    def site(name):
        return [x for x in call(u, "GET", "/v1/sites", admin)[1]["sites"] if x["name"] == name][0]

    def fit(name):
        rc = site(name)["agent"].get("reported_capacity") or {}
        return {f["node_class"]: (f["declared_nodes"], f["reported_nodes"], f["schedulable_nodes"])
                for f in rc.get("node_class_fit", [])}

    def submit(job):
        return call(u, "POST", "/v1/jobs", user, job)

    def assigned(site_name):
        """Units handed to the site's agent now (each answered `running`)."""
        out = []
        while True:
            r = call(u, "GET", "/v1/agent/assignments?wait_s=1", tok[site_name])[1]
            got = r.get("assignments", [])
            for a in got:
                call(u, "POST", "/v1/agent/events", tok[site_name],
                     {"events": [{"job": a["job"], "task": a["task"], "attempt": a["attempt"],
                                  "fence": a["fence"], "state": "running"}]})
            out += got
            if not got:
                return out

    # 1. the Slurm site reports one node of the four declared cpu nodes
    code, r, _ = hello("hpc", "/v1/agent/register", "slurm", ONE_NODE)
    check(code == 200, f"register hpc: {code} {r}")
    check(fit("hpc") == {"cpu": (4, 1, 1), "a100": (2, 0, 0)},
          f"declared vs reported vs schedulable at hpc: {fit('hpc')}")
    rc = site("hpc")["agent"]["reported_capacity"]
    check(rc.get("authoritative") is True and rc.get("node_classes") == ONE_NODE,
          f"reported node classes shown, authoritative: {rc}")
    classes = {c["name"]: c for c in site("hpc")["node_classes"]}
    check(classes["cpu"]["cores_in_use"] == 24 and classes["a100"]["accelerators_in_use"] == 8,
          f"the missing nodes are held as taken: {classes}")

    # 2. a laptop plays the local site: its one small class does not cap it
    code, r, _ = hello("lab", "/v1/agent/register", "local",
                       [{"name": "local", "count": 1, "cores": 2, "mem_mib": 4096,
                         "accelerators": []}])
    check(code == 200 and fit("lab") == {"cpu": (1, 0, 1)}, f"local site by the network: "
          f"{fit('lab')}")
    check(site("lab")["agent"]["reported_capacity"].get("authoritative") is False,
          "a local site's report is not authoritative")
    check(site("lab")["node_classes"][0]["cores_in_use"] == 0, "nothing held at the local site")
    lab0 = site("lab")["node_classes"][0]
    check(lab0["schedulable_nodes"] == lab0["nodes"],
          f"a local site schedules by the network file, whatever its agent reports: {lab0}")

    # 3. four jobs of one whole node each for hpc: one runs, three wait for capacity
    pin = {"placement": {"sites": {"allow": ["hpc"]}}, "resources": {"cores": 8},
           "command": ["/bin/sleep", "60"], "walltime": 600}
    ids = [submit(dict(pin, name=f"n{i}"))[1].get("id") for i in range(4)]
    check(all(isinstance(i, int) for i in ids), f"four jobs submitted: {ids}")
    time.sleep(1)
    got = assigned("hpc")
    check(len(got) == 1, f"one unit dispatched to hpc, not more than Slurm has: {len(got)}")
    waiting = [call(u, "GET", f"/v1/jobs/{i}", user)[1] for i in ids]
    pend = [j for j in waiting if j["state"] == "pending"]
    check(len(pend) == 3 and all("not enough free capacity" in j.get("why", "") for j in pend),
          f"three pending, why naming capacity: {[(j['state'], j.get('why')) for j in waiting]}")

    # 4. what Slurm cannot hold at all is refused with the reason
    code, r, _ = submit(dict(pin, name="gang", tasks=2, gang=True))
    check(code == 422 and "size of the node class" in json.dumps(r),
          f"a 2-node gang is refused: {code} {r}")
    code, r, _ = submit({"name": "gpu", "command": ["/bin/true"], "walltime": 60,
                         "placement": {"sites": {"allow": ["hpc"]}},
                         "resources": {"gpus": {"count": 1, "model": "A100"}}})
    check(code == 422 and "size of the node class" in json.dumps(r),
          f"a GPU job is refused: Slurm has no A100: {code} {r}")

    # 5. Slurm grows to four nodes (a heartbeat says so): the three start
    code, r, _ = hello("hpc", "/v1/agent/heartbeat", "slurm", FOUR_NODES)
    check(code == 200 and fit("hpc")["cpu"] == (4, 4, 4), f"four nodes now: {fit('hpc')}")
    got = wait_for(lambda: assigned("hpc"), 5) or []
    check(len(got) == 3, f"the three waiting units are dispatched: {len(got)}")

    # 6. down to one node again: the running units stay, a new one waits
    hello("hpc", "/v1/agent/heartbeat", "slurm", ONE_NODE)
    check(fit("hpc")["cpu"] == (4, 1, 1), f"one node again: {fit('hpc')}")
    nid = submit(dict(pin, name="late"))[1]["id"]
    time.sleep(1)
    check(assigned("hpc") == [], "nothing more is dispatched")
    j = call(u, "GET", f"/v1/jobs/{nid}", user)[1]
    check(j["state"] == "pending" and "capacity" in j.get("why", ""), f"it waits: {j.get('why')}")

    # 7. a report the controller cannot read is refused, naming the field
    code, r, _ = hello("hpc", "/v1/agent/heartbeat", "slurm",
                       [{"name": "x", "count": -1, "cores": 8, "mem_mib": 1}])
    check(code == 400 and "node_classes[0]" in json.dumps(r),
          f"bad node_classes refused: {code} {r}")
finally:
    s.stop()

if failures:
    print(f"server_capacity: {len(failures)} failures")
    sys.exit(1)
print("server_capacity: ok")
