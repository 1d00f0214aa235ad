#!/usr/bin/env python3
"""agent_adopt.py — tasks outlive their agent (docs/agent.md, "Stopping").

The real `suanwang server` on loopback and the real `suanwang agent`
(local backend) serving sg-ai. Four jobs run when the agent is killed with
SIGKILL: one that prints, sleeps 5 s and prints `done`; one that exits 3
after 2 s (it ends while no agent runs); one with a walltime of 8 s; one
that sleeps until cancelled. A second agent on the same work directory
adopts them: the first completes with its whole log once ("start\\ndone\\n"),
the second fails with exit status 3, the third fails at its walltime, the
fourth is cancelled through the API and its process dies. Then a task left
by `--keep-tasks-on-exit` is adopted by a third agent and completes.
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import swserver  # noqa: E402
from swserver import call, check, fail, pid_alive, wait_for  # noqa: E402

SUANWANG = swserver.SUANWANG
REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "../../.."))
NETWORK = os.path.join(REPO, "examples", "small-gd.json")


def read_int(path):
    try:
        with open(path) as f:
            t = f.read()
        return int(t) if t.endswith("\n") else None
    except (OSError, ValueError):
        return None


class Agents:
    """Starts agents on one work directory, each with its own log file."""

    def __init__(self, tmp, base):
        self.tmp, self.base, self.n, self.procs = tmp, base, 0, []

    def start(self, *extra):
        self.n += 1
        path = os.path.join(self.tmp, f"agent{self.n}.err")
        err = open(path, "w")
        p = subprocess.Popen(self.base + list(extra), stderr=err)
        err.close()
        self.procs.append(p)
        return p, path


def main():
    tmp = tempfile.mkdtemp(prefix="sw-e2e-agent-adopt-")
    os.chmod(tmp, 0o755)  # tasks run as nobody when the test runs as root
    srv = swserver.Server(data_dir=os.path.join(tmp, "data"), network=NETWORK)
    os.makedirs(srv.data_dir)
    agents = None
    try:
        srv.start()
        adm = srv.admin_token()

        def api(method, path, tok=adm, body=None):
            return call(srv.url, method, path, tok, body)

        check(api("POST", "/v1/tenants", body={"name": "acme", "kind": "consumer"})[0] == 201,
              "tenant acme")
        check(api("POST", "/v1/tenants", body={"name": "ctcc", "kind": "provider"})[0] == 201,
              "tenant ctcc")
        st, doc, _ = api("POST", "/v1/tokens", body={"tenant": "ctcc", "role": "agent",
                                                    "site": "sg-ai"})
        check(st == 201, f"agent token: {st} {doc}")
        atok = doc["token"]
        utok = api("POST", "/v1/tokens", body={"tenant": "acme", "role": "consumer"})[1]["token"]

        work = os.path.join(tmp, "work")
        agents = Agents(tmp, [SUANWANG, "agent", "--server", srv.url, "--network", NETWORK,
                              "--discover", "declared", "--kill-grace", "1",
                              "--connect-timeout", "10", "--site", "sg-ai", "--token", atok,
                              "--work", work])
        a1, log1 = agents.start()

        def site_up():
            st, doc, _ = api("GET", "/v1/sites", utok)
            return st == 200 and any(s["name"] == "sg-ai" and s.get("up", True)
                                     for s in doc["sites"])
        wait_for(site_up, 10, "sg-ai up")
        time.sleep(0.5)

        def submit(walltime="120s", **job):
            job.setdefault("placement", {"sites": {"allow": ["sg-ai"]}})
            job.setdefault("resources", {"cores": 1, "gpus": 1})
            job["walltime"] = walltime
            st, doc, _ = api("POST", "/v1/jobs", utok, job)
            check(st == 201, f"submit {job}: {st} {doc}")
            return doc["id"]

        def job(jid):
            return api("GET", f"/v1/jobs/{jid}", utok)[1]

        def final(jid, timeout=30):
            def get():
                doc = job(jid)
                return doc if doc.get("state") in ("completed", "failed", "cancelled") else None
            return wait_for(get, timeout, f"job {jid} to end")

        def logs(jid, stream="stdout"):
            return api("GET", f"/v1/jobs/{jid}/logs?stream={stream}", utok)

        def adir(jid):
            return os.path.join(work, str(jid), "0.1")

        j1 = submit(name="survivor",
                    script="#!/bin/sh\necho start\nsleep 5\necho done\n")
        j2 = submit(name="ends-alone", script="#!/bin/sh\nsleep 2\nexit 3\n")
        j3 = submit(name="walltime", walltime="8s",
                    script="#!/bin/sh\necho $$ > pid\nexec sleep 300\n")
        j4 = submit(name="cancel", script="#!/bin/sh\necho $$ > pid\nexec sleep 300\n")
        for j in (j1, j2, j3, j4):
            wait_for(lambda: job(j).get("state") == "running", 15, f"job {j} running")
        pid3 = wait_for(lambda: read_int(os.path.join(adir(j3), "work", "pid")), 10, "pid 3")
        pid4 = wait_for(lambda: read_int(os.path.join(adir(j4), "work", "pid")), 10, "pid 4")
        # the first agent ships "start" before it dies: the next must not repeat it
        wait_for(lambda: logs(j1)[1] == "start\n", 10, f"job {j1}'s first line shipped")

        a1.kill()  # SIGKILL: no goodbye
        a1.wait(timeout=10)
        check(pid_alive(pid3) and pid_alive(pid4), "the tasks died with the agent")
        wait_for(lambda: os.path.exists(os.path.join(adir(j2), "status.0")), 10,
                 f"job {j2}'s supervisor to record its exit while no agent runs")
        check(job(j2)["state"] == "running", f"job {j2} ended without an agent: {job(j2)}")

        a2, log2 = agents.start("--keep-tasks-on-exit")
        doc = final(j2)
        check(doc["state"] == "failed" and "exit status 3" in str(doc),
              f"job {j2} (ended while no agent ran): {doc}")
        doc = final(j1)
        check(doc["state"] == "completed", f"job {j1} (adopted): {doc}")
        st, text, hdrs = logs(j1)
        check(text == "start\ndone\n" and hdrs.get("X-Log-Complete") == "true",
              f"log of job {j1}: {text!r} {hdrs}")
        with open(log2) as f:
            text2 = f.read()
        check("still running from before the restart: tracking it again" in text2,
              f"agent 2 did not say it adopted:\n{text2}")

        st, doc, _ = api("DELETE", f"/v1/jobs/{j4}", utok)
        check(st == 200, f"cancel: {st} {doc}")
        wait_for(lambda: not pid_alive(pid4), 10, f"job {j4}'s process killed by the cancel")
        check(final(j4)["state"] == "cancelled", f"job {j4} state: {job(j4)}")
        doc = final(j3, timeout=20)
        check(doc["state"] == "failed" and "walltime of 8 s exceeded" in str(doc),
              f"job {j3} (walltime after adoption): {doc}")
        check(not pid_alive(pid3), f"job {j3}'s process outlived its walltime")

        # --keep-tasks-on-exit, then a new agent
        j5 = submit(name="kept", script="#!/bin/sh\nsleep 3\necho kept\n")
        wait_for(lambda: job(j5).get("state") == "running", 15,
                 f"job {j5} running (now {job(j5)})")
        a2.send_signal(signal.SIGTERM)
        check(a2.wait(timeout=20) == 0, "agent 2 exit status")
        check(job(j5)["state"] == "running", f"job {j5} after agent 2 left: {job(j5)}")
        a3, log3 = agents.start()
        doc = final(j5)
        check(doc["state"] == "completed", f"job {j5} (kept, adopted): {doc}")
        st, text, hdrs = logs(j5)
        check(text == "kept\n" and hdrs.get("X-Log-Complete") == "true",
              f"log of job {j5}: {text!r} {hdrs}")
        # each end was reported once: agent 3 adopted only job 5
        with open(log3) as f:
            text3 = f.read()
        check(text3.count("tracking it again") == 1, f"agent 3 adopted more:\n{text3}")

        a3.send_signal(signal.SIGTERM)
        check(a3.wait(timeout=20) == 0, "agent 3 exit status")
        print("agent_adopt: all checks passed")
    finally:
        for p in (agents.procs if agents else []):
            if p.poll() is None:
                p.kill()
        srv.stop()
        if os.environ.get("SW_KEEP_TMP"):
            print("kept", tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
