#!/usr/bin/env python3
"""agent_fake.py — the built `suanwang agent` against fake_controller.py.

Checks: clear errors (unreachable controller, refused token, wrong site,
missing flags);
registration with the capacity; an assignment run to completion with the
right fence, `running` before `completed`, stdout and stderr shipped; exit
status, script jobs and the environment, a gang, a program that cannot start, the
walltime, cancel; a 3 MiB log in 1 MiB chunks; a 409 on logs resumed from the
controller's size; `stop` from a heartbeat kills and forgets; a stale event
makes the agent forget the attempt; a controller outage (SIGKILL, restart on
the same port): the task keeps running, the agent registers again listing
it, the events are resent once, none twice; 300 concurrent tasks with no
descriptor leak in the agent; SIGTERM kills and reports running tasks, and
--keep-tasks-on-exit leaves them; --max-tasks refuses what is over it.
"""
import base64
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SUANWANG = os.environ.get("SUANWANG", os.path.join(HERE, "../../../build/suanwang"))
TOKEN = "agent-token-test"
SITE = "test-site"


def fail(msg):
    print("FAIL: agent_fake: " + msg, file=sys.stderr)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def http(url, path, body=None, method=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url + path, data=data, method=method or ("POST" if data else "GET"))
    if data:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read().decode())


def wait_for(pred, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(0.05)
    fail(f"timed out after {timeout} s waiting for {what}")


class Fake:
    def __init__(self, tmp, port=0):
        self.tmp = tmp
        self.state = os.path.join(tmp, "fake-state.json")
        self.port_file = os.path.join(tmp, "fake.port")
        self.port = port
        self.proc = None

    def start(self):
        if os.path.exists(self.port_file):
            os.unlink(self.port_file)
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "fake_controller.py"), "--state", self.state,
             "--token", TOKEN, "--site", SITE, "--port", str(self.port),
             "--port-file", self.port_file], stdout=subprocess.DEVNULL)
        wait_for(lambda: os.path.exists(self.port_file), 10, "the fake controller")
        with open(self.port_file) as f:
            self.port = int(f.read())
        self.url = f"http://127.0.0.1:{self.port}"
        return self

    def kill(self):
        self.proc.kill()
        self.proc.wait()

    def state_now(self):
        return http(self.url, "/test/state")

    def assign(self, **a):
        return http(self.url, "/test/assign", a)["fence"]

    def events(self, job):
        return [e for e in self.state_now()["events"] if e["job"] == job]

    def final(self, job, timeout=15):
        def get():
            for e in self.events(job):
                if e["state"] in ("completed", "failed", "cancelled"):
                    return e
            return None
        return wait_for(get, timeout, f"the final event of job {job}")

    def log(self, job, stream="stdout", task=0, attempt=1):
        b64 = http(self.url, f"/test/log?key={job}/{task}/{attempt}/{stream}")["b64"]
        return base64.b64decode(b64)


class Agent:
    def __init__(self, tmp, url, *extra, name="agent"):
        self.work = os.path.join(tmp, name + "-work")
        self.errpath = os.path.join(tmp, name + ".err")
        self.err = open(self.errpath, "w")
        self.proc = subprocess.Popen(
            [SUANWANG, "agent", "--server", url, "--site", SITE, "--token", TOKEN, "--work",
             self.work, "--kill-grace", "1", "--poll-wait", "5", "--connect-timeout", "10",
             *extra], stdout=subprocess.DEVNULL, stderr=self.err)

    def stderr(self):
        with open(self.errpath) as f:
            return f.read()

    def stop(self, sig=signal.SIGTERM, timeout=20):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                fail("the agent did not stop within %d s:\n%s" % (timeout, self.stderr()))
        return self.proc.returncode

    def nfds(self):
        return len(os.listdir(f"/proc/{self.proc.pid}/fd"))


def run_quick(args, timeout=20):
    p = subprocess.run([SUANWANG, "agent", *args], capture_output=True, text=True,
                       timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def pid_alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            s = f.read()
        return s[s.rindex(")") + 2] not in "ZX"
    except (OSError, ValueError):
        return False


def read_pid(path, timeout=10):
    def get():
        try:
            with open(path) as f:
                t = f.read()
            return int(t) if t.endswith("\n") else None
        except (OSError, ValueError):
            return None
    return wait_for(get, timeout, path)


def main():
    tmp = tempfile.mkdtemp(prefix="sw-e2e-agent-")
    os.chmod(tmp, 0o755)  # tasks run as nobody when the test runs as root
    agent = agent2 = fake = None
    try:
        fake = Fake(tmp).start()

        # ---- clear errors ----
        rc, out, err = run_quick(["--server", "http://127.0.0.1:1", "--site", SITE, "--token",
                                  TOKEN, "--work", os.path.join(tmp, "w0"),
                                  "--connect-timeout", "0"])
        check(rc == 1 and "cannot reach the controller at http://127.0.0.1:1" in err,
              f"unreachable controller: rc {rc}: {err}")
        rc, out, err = run_quick(["--server", fake.url, "--site", SITE, "--token", "wrong",
                                  "--work", os.path.join(tmp, "w0")])
        check(rc == 1 and "the controller refused the token (HTTP 401): check --token" in err,
              f"bad token: rc {rc}: {err}")
        rc, out, err = run_quick(["--server", fake.url, "--site", "other-site", "--token",
                                  TOKEN, "--work", os.path.join(tmp, "w0")])
        check(rc == 1 and 'the token belongs to site "test-site", not "other-site"' in err,
              f"wrong site: rc {rc}: {err}")
        rc, out, err = run_quick(["--site", SITE, "--token", TOKEN])
        check(rc == 2 and "--server URL is required" in err, f"no --server: rc {rc}: {err}")
        rc, out, err = run_quick(["--server", fake.url, "--token", TOKEN])
        check(rc == 2 and "--site NAME is required" in err, f"no --site: rc {rc}: {err}")
        rc, out, err = run_quick(["--site", SITE, "--accelerators", "A100", "--show-capacity"])
        check(rc == 2 and "use MODEL:COUNT" in err, f"bad --accelerators: {err}")
        rc, out, err = run_quick(["--site", SITE, "--accelerators", "Ascend910B:8",
                                  "--show-capacity"])
        cap = json.loads(out)
        check(rc == 0 and cap["accelerators"] == [
            {"model": "Ascend910B", "count": 8, "source": "declared"}] and cap["cores"] >= 1,
            f"--show-capacity: {out}")

        # ---- register ----
        nreg = len(fake.state_now()["registers"])  # the wrong-site try registered too
        agent = Agent(tmp, fake.url, "--accelerators", "A100:2")
        wait_for(lambda: len(fake.state_now()["registers"]) > nreg, 10, "registration")
        reg = fake.state_now()["registers"][nreg]
        check(reg["backend"] == "local" and reg["running"] == [] and len(reg["agent_id"]) == 32,
              f"register body: {reg}")
        check(reg["capacity"]["accelerators"] == [{"model": "A100", "count": 2,
                                                    "source": "declared"}],
              f"registered capacity: {reg['capacity']}")
        check(reg["capacity"]["cores"] >= 1 and reg["capacity"]["mem_mib"] > 0,
              f"cores and memory: {reg['capacity']}")

        # ---- one task, start to end ----
        t0 = time.time()
        f1 = fake.assign(job=1, argv=["/bin/sh", "-c", "echo hello; echo oops >&2"],
                         name="hello", cores=1, mem_mib=256)
        e = fake.final(1)
        check(e["state"] == "completed" and e["exit_status"] == 0 and e["fence"] == f1,
              f"job 1 final event: {e}")
        evs = fake.events(1)
        check([x["state"] for x in evs] == ["running", "completed"], f"job 1 events: {evs}")
        check(all(x["fence"] == f1 and x["attempt"] == 1 and x["task"] == 0 for x in evs),
              f"job 1 keys: {evs}")
        check(evs[0]["time_ms"] <= evs[1]["time_ms"], f"times: {evs}")
        check(fake.log(1) == b"hello\n" and fake.log(1, "stderr") == b"oops\n",
              f"job 1 logs: {fake.log(1)!r} {fake.log(1, 'stderr')!r}")
        print(f"job 1: assigned to completed in {time.time() - t0:.3f} s")

        # ---- exit status, script and environment, cannot start ----
        fake.assign(job=2, argv=["/bin/sh", "-c", "exit 3"])
        fake.assign(job=3, task=5, tasks=8, attempt=2,
                    script="#!/bin/sh\necho \"job=$SUANWANG_JOB_ID task=$SUANWANG_TASK_INDEX "
                           "of=$SUANWANG_TASKS attempt=$SUANWANG_ATTEMPT site=$SUANWANG_SITE "
                           "K=$K gpus=$CUDA_VISIBLE_DEVICES\"\n",
                    env={"K": "v w"}, accelerators=1, accelerator_model="A100")
        fake.assign(job=4, argv=["/no/such/program"])
        e = fake.final(2)
        check(e["state"] == "failed" and e["exit_status"] == 3 and e["reason"] == "exit status 3",
              f"job 2: {e}")
        e = fake.final(3)
        check(e["state"] == "completed", f"job 3: {e}")
        check(fake.log(3, task=5, attempt=2) ==
              b"job=3 task=5 of=8 attempt=2 site=test-site K=v w gpus=0\n",
              f"job 3 output: {fake.log(3, task=5, attempt=2)!r}")
        e = fake.final(4)
        check(e["state"] == "failed" and e["exit_status"] == 127 and
              "cannot execute /no/such/program" in e["reason"], f"job 4: {e}")
        check([x["state"] for x in fake.events(4)] == ["failed"], "job 4 never ran")

        # ---- a gang: all its tasks, one log ----
        f15 = fake.assign(job=15, task=-1, tasks=3,
                          script="#!/bin/sh\necho rank $SUANWANG_TASK_INDEX of $SUANWANG_TASKS\n")
        e = fake.final(15)
        check(e["state"] == "completed" and e["task"] == -1 and e["fence"] == f15,
              f"job 15 (gang): {e}")
        lines = sorted(fake.log(15, task=-1).decode().splitlines())
        check(lines == ["rank 0 of 3", "rank 1 of 3", "rank 2 of 3"], f"gang log: {lines}")

        # ---- walltime and cancel ----
        fake.assign(job=5, argv=["/bin/sleep", "30"], walltime_s=1)
        f6 = fake.assign(job=6, argv=["/bin/sleep", "30"])
        wait_for(lambda: fake.events(6), 10, "job 6 running")
        http(fake.url, "/test/cancel", {"job": 6, "task": 0, "attempt": 1, "fence": f6})
        e = fake.final(6)
        check(e["state"] == "cancelled" and e["fence"] == f6, f"job 6: {e}")
        e = fake.final(5)
        check(e["state"] == "failed" and e["reason"] == "walltime of 1 s exceeded" and
              e["signal"] == 15, f"job 5: {e}")

        # ---- big logs: 1 MiB chunks ----
        fake.assign(job=7, argv=["/bin/sh", "-c",
                                 "head -c 3145728 /dev/zero | tr '\\0' x; echo end"])
        fake.final(7, timeout=30)
        data = fake.log(7)
        check(len(data) == 3145728 + 4 and data.endswith(b"xend\n"),
              f"job 7 log: {len(data)} bytes")

        # ---- a 409 on logs: resume from the controller's size ----
        fake.assign(job=8, script="#!/bin/sh\necho part1\nsleep 2\necho part2\n")
        wait_for(lambda: fake.log(8) == b"part1\n", 10, "job 8 part1 shipped")
        http(fake.url, "/test/truncate_log", {"key": "8/0/1/stdout"})
        e = fake.final(8)
        check(fake.log(8) == b"part1\npart2\n", f"job 8 log after a 409: {fake.log(8)!r}")
        check(fake.state_now()["log_409"] >= 1, "no 409 was answered")

        # ---- stop from a heartbeat ----
        f9 = fake.assign(job=9, script="#!/bin/sh\necho $$ > pid\nexec sleep 300\n")
        pid9 = read_pid(os.path.join(agent.work, "9", "0.1", "work", "pid"))
        check(pid_alive(pid9), "job 9 is not running")
        http(fake.url, "/test/stop", {"job": 9, "task": 0, "attempt": 1, "fence": f9})
        wait_for(lambda: not pid_alive(pid9), 10, "job 9 killed by stop")

        def hb_without_9():
            hbs = fake.state_now()["heartbeats"]
            return hbs and all(r["job"] != 9 for r in hbs[-1]["running"])
        wait_for(hb_without_9, 10, "job 9 gone from the heartbeat's running list")
        time.sleep(1.5)
        check([x["state"] for x in fake.events(9)] == ["running"],
              f"a stopped attempt was reported: {fake.events(9)}")

        # ---- a stale event: the attempt is forgotten ----
        fake.assign(job=10, argv=["/bin/sh", "-c", "sleep 1"])
        wait_for(lambda: fake.events(10), 10, "job 10 running")
        http(fake.url, "/test/supersede", {"job": 10, "task": 0, "quiet": True})
        fake.final(10)  # answered as stale

        def hb_without_10():
            hbs = fake.state_now()["heartbeats"]
            return hbs and all(r["job"] != 10 for r in hbs[-1]["running"])
        wait_for(hb_without_10, 10, "job 10 forgotten after a stale answer")

        # ---- outage: controller killed and restarted on the same port ----
        f11 = fake.assign(job=11, argv=["/bin/sh", "-c", "echo before; sleep 3; echo after"])
        wait_for(lambda: fake.events(11) and fake.log(11) == b"before\n", 10, "job 11 running")
        nreg = len(fake.state_now()["registers"])
        fake.kill()
        time.sleep(4.5)  # job 11 ends while the controller is away
        check(agent.proc.poll() is None, "the agent died in the outage")
        fake = Fake(tmp, port=fake.port).start()
        e = fake.final(11, timeout=20)
        check(e["state"] == "completed" and e["fence"] == f11, f"job 11 after the outage: {e}")
        st = fake.state_now()
        check(len(st["registers"]) > nreg, "the agent did not register again")
        rereg = st["registers"][nreg]
        check(any(r["job"] == 11 and r["fence"] == f11 for r in rereg["running"]),
              f"the new registration does not list job 11: {rereg['running']}")
        check(fake.log(11) == b"before\nafter\n", f"job 11 log: {fake.log(11)!r}")
        seen = {}
        for x in st["events"]:
            k = (x["job"], x["task"], x["attempt"], x["fence"], x["state"])
            seen[k] = seen.get(k, 0) + 1
        dups = {k: n for k, n in seen.items() if n > 1}
        check(not dups, f"events received more than once: {dups}")
        check("tasks keep running" in agent.stderr(), "the outage was not logged")

        # ---- many at once; no descriptor leak in the agent ----
        fds0 = agent.nfds()
        n = 300
        http(fake.url, "/test/assign",
             {"many": [{"job": 1000 + j, "argv": ["/bin/sleep", "5"]} for j in range(n)]})
        def all_done():
            ev = fake.state_now()["events"]
            done = {x["job"] for x in ev if x["job"] >= 1000 and x["state"] == "completed"}
            return len(done) == n
        t0 = time.time()
        wait_for(all_done, 90, f"{n} concurrent tasks")
        print(f"{n} concurrent 5 s tasks done in {time.time() - t0:.2f} s")
        sweep = sorted((x["time_ms"], 1 if x["state"] == "running" else -1)
                       for x in fake.state_now()["events"] if x["job"] >= 1000)
        at_once = best = 0
        for _, d in sweep:
            at_once += d
            best = max(best, at_once)
        check(best >= n * 8 // 10, f"only {best} of {n} ran at once")
        print(f"{best} tasks ran at once")
        time.sleep(1.5)
        check(agent.nfds() <= fds0 + 2, f"agent descriptors: {fds0} before, {agent.nfds()} after")
        zombies = [p for p in os.listdir("/proc") if p.isdigit() and _is_zombie_child(p, agent.proc.pid)]
        check(not zombies, f"zombies under the agent: {zombies}")

        # ---- SIGTERM: running tasks are killed and reported ----
        f12 = fake.assign(job=12, script="#!/bin/sh\necho $$ > pid\nexec sleep 300\n")
        pid12 = read_pid(os.path.join(agent.work, "12", "0.1", "work", "pid"))
        rc = agent.stop()
        check(rc == 0, f"agent exit status {rc}:\n{agent.stderr()}")
        check(not pid_alive(pid12), "job 12 still runs after the agent stopped")
        e = fake.final(12, timeout=5)
        check(e["state"] == "failed" and e["reason"] == "killed: the agent shut down" and
              e["fence"] == f12, f"job 12: {e}")

        # ---- --keep-tasks-on-exit ----
        agent2 = Agent(tmp, fake.url, "--keep-tasks-on-exit", "--max-tasks", "1",
                       name="agent2")
        fake.assign(job=13, script="#!/bin/sh\necho $$ > pid\nexec sleep 300\n")
        pid13 = read_pid(os.path.join(agent2.work, "13", "0.1", "work", "pid"))
        fake.assign(job=14, argv=["/bin/true"])  # over --max-tasks 1
        e = fake.final(14)
        check(e["state"] == "failed" and "(--max-tasks)" in e["reason"], f"job 14: {e}")
        rc = agent2.stop()
        check(rc == 0, f"agent2 exit status {rc}")
        check(pid_alive(pid13), "--keep-tasks-on-exit: the task was killed")
        os.kill(pid13, signal.SIGKILL)
        print("agent_fake: all checks passed")
    finally:
        for a in (agent, agent2):
            if a and a.proc.poll() is None:
                a.proc.kill()
        if fake and fake.proc and fake.proc.poll() is None:
            fake.kill()
        if os.environ.get("SW_KEEP_TMP"):
            print("kept", tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def _is_zombie_child(pid, parent):
    try:
        with open(f"/proc/{pid}/stat") as f:
            s = f.read()
        rest = s[s.rindex(")") + 2:].split()
        return rest[0] == "Z" and int(rest[1]) == parent
    except (OSError, ValueError, IndexError):
        return False


if __name__ == "__main__":
    main()
