#!/usr/bin/env python3
"""agent_server.py — the real `suanwang agent` with the real `suanwang server`
on loopback (examples/small-gd.json, the agent serving sg-ai with the
accelerators the network file declares): a job submitted through the API
runs at the agent and completes, its stdout and stderr come back through
GET /v1/jobs/{id}/logs (complete); a failing job reports its exit status;
a gang runs all its tasks; a cancel kills the running process; SIGTERM
stops the agent cleanly. A wrong token and a wrong site are refused with
clear messages.
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


def main():
    tmp = tempfile.mkdtemp(prefix="sw-e2e-agent-server-")
    os.chmod(tmp, 0o755)  # tasks run as nobody when the test runs as root
    srv = swserver.Server(data_dir=os.path.join(tmp, "data"), network=NETWORK)
    os.makedirs(srv.data_dir)
    agent = None
    try:
        srv.start()
        adm = srv.admin_token()

        def api(method, path, tok=adm, body=None):
            status, doc, hdrs = call(srv.url, method, path, tok, body)
            return status, doc, hdrs

        check(api("POST", "/v1/tenants", body={"name": "acme", "kind": "consumer"})[0] == 201,
              "tenant acme")
        check(api("POST", "/v1/tenants", body={"name": "ctcc", "kind": "provider"})[0] == 201,
              "tenant ctcc")
        st, doc, _ = api("POST", "/v1/tokens", body={"tenant": "ctcc", "role": "agent",
                                                    "site": "sg-ai"})
        check(st == 201, f"agent token: {st} {doc}")
        atok = doc["token"]
        st, doc, _ = api("POST", "/v1/tokens", body={"tenant": "acme", "role": "consumer"})
        utok = doc["token"]

        base = [SUANWANG, "agent", "--server", srv.url, "--network", NETWORK,
                "--discover", "declared", "--kill-grace", "1", "--connect-timeout", "5"]
        p = subprocess.run(base + ["--site", "sg-ai", "--token", "sw_wrong", "--work",
                                   os.path.join(tmp, "w0")], capture_output=True, text=True,
                           timeout=30)
        check(p.returncode == 1 and "refused the token (HTTP 401): check --token" in p.stderr,
              f"wrong token: {p.returncode} {p.stderr}")
        p = subprocess.run(base + ["--site", "sz-cloud", "--token", atok, "--work",
                                   os.path.join(tmp, "w0")], capture_output=True, text=True,
                           timeout=30)
        check(p.returncode == 1 and 'belongs to site "sg-ai", not "sz-cloud"' in p.stderr,
              f"wrong site: {p.returncode} {p.stderr}")

        work = os.path.join(tmp, "work")
        err = open(os.path.join(tmp, "agent.err"), "w")
        agent = subprocess.Popen(base + ["--site", "sg-ai", "--token", atok, "--work", work],
                                 stderr=err)

        def site_up():
            st, doc, _ = api("GET", "/v1/sites", utok)
            return st == 200 and any(s["name"] == "sg-ai" and s.get("up", True)
                                     for s in doc["sites"])
        wait_for(site_up, 10, "sg-ai up")
        time.sleep(0.5)

        def submit(**job):
            job.setdefault("placement", {"sites": {"allow": ["sg-ai"]}})
            # sg-ai has only NPU nodes, which CPU-only jobs do not take
            job.setdefault("resources", {"cores": 1, "gpus": 1})
            job.setdefault("walltime", "120s")
            st, doc, _ = api("POST", "/v1/jobs", utok, job)
            check(st == 201, f"submit {job}: {st} {doc}")
            return doc["id"]

        def final(jid, timeout=20):
            def get():
                st, doc, _ = api("GET", f"/v1/jobs/{jid}", utok)
                return doc if doc.get("state") in ("completed", "failed", "cancelled") else None
            return wait_for(get, timeout, f"job {jid} to end")

        def logs(jid, stream="stdout", task=None):
            q = f"?stream={stream}" + (f"&task={task}" if task is not None else "")
            return api("GET", f"/v1/jobs/{jid}/logs{q}", utok)

        t0 = time.time()
        j1 = submit(name="hello", command=["/bin/sh", "-c",
                                            "echo hello from $SUANWANG_SITE; echo oops >&2"])
        doc = final(j1)
        check(doc["state"] == "completed", f"job {j1}: {doc}")
        print(f"submit -> completed: {time.time() - t0:.3f} s")
        st, text, hdrs = logs(j1)
        check(text == "hello from sg-ai\n" and hdrs.get("X-Log-Complete") == "true",
              f"stdout of job {j1}: {text!r} {hdrs}")
        st, text, hdrs = logs(j1, "stderr")
        check(text == "oops\n", f"stderr of job {j1}: {text!r}")

        j2 = submit(name="fails", command=["/bin/sh", "-c", "exit 3"])
        doc = final(j2)
        check(doc["state"] == "failed", f"job {j2}: {doc}")
        check("exit status 3" in str(doc), f"job {j2} does not say why: {doc}")

        j3 = submit(name="gang", tasks=3, gang=True,
                    script="#!/bin/sh\necho rank $SUANWANG_TASK_INDEX of $SUANWANG_TASKS\n")
        doc = final(j3)
        check(doc["state"] == "completed", f"job {j3} (gang): {doc}")
        text = logs(j3)[1]
        check(sorted(text.splitlines()) == ["rank 0 of 3", "rank 1 of 3", "rank 2 of 3"],
              f"gang log: {text!r}")

        j4 = submit(name="long", script="#!/bin/sh\necho $$ > pid\nexec sleep 300\n")

        def pid4():
            for path in (os.path.join(work, str(j4), "0.1", "work", "pid"),):
                try:
                    with open(path) as f:
                        t = f.read()
                    return int(t) if t.endswith("\n") else None
                except (OSError, ValueError):
                    return None
        pid = wait_for(pid4, 10, f"job {j4} running")
        st, doc, _ = api("DELETE", f"/v1/jobs/{j4}", utok)
        check(st == 200, f"cancel: {st} {doc}")
        wait_for(lambda: not pid_alive(pid), 10, f"job {j4}'s process killed by the cancel")
        check(final(j4)["state"] == "cancelled", f"job {j4} state")

        agent.send_signal(signal.SIGTERM)
        rc = agent.wait(timeout=20)
        check(rc == 0, f"agent exit status {rc}")
        agent = None
        print("agent_server: all checks passed")
    finally:
        if agent and agent.poll() is None:
            agent.kill()
        srv.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
