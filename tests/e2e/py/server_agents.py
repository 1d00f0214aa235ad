"""Agent protocol, controller side (see server_agents.sh)."""
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from swserver import Server, call  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
NET = os.path.join(ROOT, "examples", "small-gd.json")
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def wait_for(fn, what, timeout=10):
    end = time.time() + timeout
    while time.time() < end:
        v = fn()
        if v:
            return v
        time.sleep(0.1)
    check(False, "timed out: " + what)
    return None


s = Server(network=NET, extra=["--heartbeat-timeout", "3"]).start()
try:
    u, admin = s.url, s.admin_token()
    call(u, "POST", "/v1/tenants", admin, {"name": "ops"})
    tok = {}
    for site in ("sg-ai", "gz-hpc", "sz-cloud"):
        tok[site] = call(u, "POST", "/v1/tokens", admin,
                         {"tenant": "ops", "role": "agent", "site": site})[1]["token"]
    user = call(u, "POST", "/v1/tokens", admin, {"tenant": "ops", "role": "consumer"})[1]["token"]

    def register(site, running=()):
        return call(u, "POST", "/v1/agent/register", tok[site],
                    {"agent_id": site + "-1", "hostname": "h", "backend": "local",
                     "capacity": {"cores": 8}, "running": list(running)})

    for site in tok:
        code, r, _ = register(site)
        check(code == 200 and r["site"] == site and r["stop"] == [], f"register {site}: {r}")

    # a CPU job only the Guangzhou HPC site can run (allow list), with a retry
    job = {"name": "hpc", "command": ["/bin/echo", "hi"], "retries": 1,
           "placement": {"sites": {"allow": ["gz-hpc"]}}}
    jid = call(u, "POST", "/v1/jobs", user, job)[1]["id"]
    a = wait_for(lambda: call(u, "GET", "/v1/agent/assignments?wait_s=2", tok["gz-hpc"])[1]
                 .get("assignments"), "assignment at gz-hpc")
    check(a and a[0]["job"] == jid and a[0]["argv"] == ["/bin/echo", "hi"] and a[0]["fence"] > 0,
          f"assignment carries the job: {a}")
    a = a[0]
    st = call(u, "GET", f"/v1/jobs/{jid}", user)[1]
    check(st["state"] == "dispatched", f"dispatched: {st['state']}")
    ev = dict(job=jid, task=a["task"], attempt=a["attempt"], fence=a["fence"])
    r = call(u, "POST", "/v1/agent/events", tok["gz-hpc"], {"events": [dict(ev, state="running")]})
    check(r[1]["accepted"] == 1, f"running accepted: {r[1]}")
    # a report with a wrong fence is stale and changes nothing
    r = call(u, "POST", "/v1/agent/events", tok["gz-hpc"],
             {"events": [dict(ev, fence=a["fence"] + 99, state="completed")]})
    check(r[1]["accepted"] == 0 and r[1]["stale"][0]["reason"] == "superseded",
          f"stale fence refused: {r[1]}")
    # another site's agent cannot report on it
    r = call(u, "POST", "/v1/agent/events", tok["sg-ai"], {"events": [dict(ev, state="completed")]})
    check(r[1]["accepted"] == 0, f"wrong site refused: {r[1]}")
    # logs: shipped with offsets, read back
    q = f"job={jid}&task={a['task']}&attempt={a['attempt']}&fence={a['fence']}&stream=stdout"
    check(call(u, "POST", f"/v1/agent/logs?{q}&offset=0", tok["gz-hpc"], raw=b"hi\n")[0] == 200,
          "log chunk accepted")
    r = call(u, "POST", f"/v1/agent/logs?{q}&offset=0", tok["gz-hpc"], raw=b"hi\n")
    check(r[0] == 409 and r[2].get("X-Log-Size") == "3", f"wrong offset refused: {r[:2]}")
    # the task fails: a retry as attempt 2
    r = call(u, "POST", "/v1/agent/events", tok["gz-hpc"],
             {"events": [dict(ev, state="failed", exit_status=3, reason="exit status 3")]})
    check(r[1]["accepted"] == 1, "failed accepted")
    a2 = wait_for(lambda: call(u, "GET", "/v1/agent/assignments?wait_s=2", tok["gz-hpc"])[1]
                  .get("assignments"), "retry assignment")
    check(a2 and a2[0]["attempt"] == 2 and a2[0]["fence"] > a["fence"], f"attempt 2: {a2}")
    a2 = a2[0]
    ev2 = dict(job=jid, task=a2["task"], attempt=2, fence=a2["fence"])
    q2 = f"job={jid}&task={a2['task']}&attempt=2&fence={a2['fence']}&stream=stdout"
    call(u, "POST", f"/v1/agent/logs?{q2}&offset=0", tok["gz-hpc"], raw=b"hello\n")
    call(u, "POST", "/v1/agent/events", tok["gz-hpc"],
         {"events": [dict(ev2, state="running"), dict(ev2, state="completed", exit_status=0)]})
    st = call(u, "GET", f"/v1/jobs/{jid}", user)[1]
    check(st["state"] == "completed", f"completed: {st['state']}")
    states = [(e["attempt"], e["state"]) for e in st["events"] if e["state"] != "submitted"]
    check(states == [(1, "scheduled"), (1, "dispatched"), (1, "running"), (1, "failed"),
                     (2, "pending"), (2, "scheduled"), (2, "dispatched"), (2, "running"),
                     (2, "completed")], f"event history: {states}")
    code, text, hdr = call(u, "GET", f"/v1/jobs/{jid}/logs", user)
    check(text == "hello\n" and hdr.get("X-Log-Complete") == "true", f"logs read back: {text!r}")

    # cancel reaches the agent
    jid2 = call(u, "POST", "/v1/jobs", user, dict(job, name="c", retries=0))[1]["id"]
    a3 = wait_for(lambda: call(u, "GET", "/v1/agent/assignments?wait_s=2", tok["gz-hpc"])[1]
                  .get("assignments"), "assignment 3")[0]
    call(u, "DELETE", f"/v1/jobs/{jid2}", user)
    r = call(u, "POST", "/v1/agent/heartbeat", tok["gz-hpc"],
             {"agent_id": "gz-hpc-1", "running": [dict(job=jid2, task=a3["task"], attempt=1,
                                                       fence=a3["fence"])]})
    check(any(x["job"] == jid2 and x["reason"] == "cancelled" for x in r[1]["stop"]),
          f"cancel sent to the agent: {r[1]}")

    # a silent agent: its running work is lost and retried at another site
    job3 = {"name": "lost", "command": ["/bin/true"], "retries": 2, "resources": {"gpus": 1},
            "placement": {"sites": {"allow": ["sg-ai", "sz-cloud"]}},
            "objective": "cheapest"}
    jid3 = call(u, "POST", "/v1/jobs", user, job3)[1]["id"]
    first = None
    end = time.time() + 10
    while time.time() < end and not first:
        for site in ("sg-ai", "sz-cloud"):
            got = call(u, "GET", "/v1/agent/assignments?wait_s=0", tok[site])[1]["assignments"]
            if got:
                first = (site, got[0])
        time.sleep(0.1)
    check(first is not None, "job 3 dispatched")
    site1, a4 = first
    other = "sz-cloud" if site1 == "sg-ai" else "sg-ai"
    call(u, "POST", "/v1/agent/events", tok[site1],
         {"events": [dict(job=jid3, task=a4["task"], attempt=1, fence=a4["fence"],
                          state="running")]})
    # keep the other agent alive; let site1 go silent past the 3 s timeout
    a5 = None
    end = time.time() + 15
    while time.time() < end and not a5:
        got = call(u, "GET", "/v1/agent/assignments?wait_s=1", tok[other])[1]["assignments"]
        a5 = got[0] if got else None
    check(a5 is not None and a5["job"] == jid3 and a5["attempt"] == 2,
          f"lost work retried at {other}: {a5}")
    st = call(u, "GET", f"/v1/jobs/{jid3}", user)[1]
    check(any(e["state"] == "lost" for e in st["events"]), "the lost attempt is recorded")
    # when the silent agent comes back, its stale attempt is stopped
    code, r, _ = register(site1, [dict(job=jid3, task=a4["task"], attempt=1, fence=a4["fence"])])
    check(any(x["job"] == jid3 and x["attempt"] == 1 for x in r["stop"]),
          f"returning agent told to stop the stale attempt: {r}")
    # and a stale completion from it is refused
    r = call(u, "POST", "/v1/agent/events", tok[site1],
             {"events": [dict(job=jid3, task=a4["task"], attempt=1, fence=a4["fence"],
                              state="completed", exit_status=0)]})
    check(r[1]["accepted"] == 0, f"stale completion refused: {r[1]}")

    # a long poll of an agent that died (its request still waits at the
    # controller) takes nothing once a new agent of the site registered
    stale = {}

    def stale_poll():
        t0 = time.time()
        stale["r"] = call(u, "GET", "/v1/agent/assignments?wait_s=20", tok["gz-hpc"])[1]
        stale["s"] = time.time() - t0
    th = threading.Thread(target=stale_poll)
    th.start()
    time.sleep(0.5)
    code, r, _ = call(u, "POST", "/v1/agent/register", tok["gz-hpc"],
                      {"agent_id": "gz-hpc-2", "hostname": "h", "backend": "local",
                       "capacity": {"cores": 8}, "running": []})
    check(code == 200, f"the new agent registers: {code} {r}")
    th.join(timeout=25)
    check(stale.get("r", {}).get("assignments") == [] and stale.get("s", 99) < 5,
          f"the dead agent's long poll ends empty at the new registration: {stale}")
    jid6 = call(u, "POST", "/v1/jobs", user,
                {"name": "after", "command": ["/bin/true"],
                 "placement": {"sites": {"allow": ["gz-hpc"]}}})[1]["id"]
    a6 = wait_for(lambda: call(u, "GET", "/v1/agent/assignments?wait_s=2", tok["gz-hpc"])[1]
                  .get("assignments"), "assignment to the new agent")
    check(a6 and a6[0]["job"] == jid6, f"the new agent gets the next job: {a6}")

    # restart: the dispatched attempt at `other` is still there with its fence
    check(s.stop() == 0, "SIGTERM")
    s.start()
    u = s.url
    st = call(u, "GET", f"/v1/jobs/{jid3}", user)[1]
    check(st["state"] == "dispatched", f"dispatched survives restart: {st['state']}")
    r = call(u, "POST", "/v1/agent/events", tok[other],
             {"events": [dict(job=jid3, task=a5["task"], attempt=2, fence=a5["fence"],
                              state="completed", exit_status=0)]})
    check(r[1]["accepted"] == 1, f"the agent reports after the restart with its fence: {r[1]}")
    st = call(u, "GET", f"/v1/jobs/{jid3}", user)[1]
    check(st["state"] == "completed", f"completed after restart: {st['state']}")
finally:
    s.stop()

if failures:
    print(f"{len(failures)} checks failed")
    sys.exit(1)
print("ok")
