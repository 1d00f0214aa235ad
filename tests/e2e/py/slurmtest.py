"""slurmtest.py — the scaffolding the Slurm end-to-end tests share: a
temporary folder, a real single-host Slurm brought up with
scripts/slurm-up.sh (the test is skipped, exit 77, where Slurm cannot run),
and helpers to drive suanwang and Slurm. A test calls setup(), fills
`state` (url, user token) and tears down with teardown()."""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from swserver import SUANWANG, call  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
UP = os.path.join(ROOT, "scripts", "slurm-up.sh")
DOWN = os.path.join(ROOT, "scripts", "slurm-down.sh")
failures = []
state = {}
senv = dict(os.environ)
work = ""
SD = ""


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, flush=True)
    return cond


def skip(why):
    print("SKIP:", why)
    sys.exit(77)


def slurm(*args):
    p = subprocess.run(list(args), capture_output=True, text=True, env=senv, timeout=30)
    return p.stdout


def sjobs():
    """Slurm jobs named sw-*: {name: (id, state)}."""
    out = {}
    for line in slurm("squeue", "-h", "-t", "all", "-o", "%j|%i|%T").splitlines():
        f = line.split("|")
        if len(f) == 3 and f[0].startswith("sw-"):
            out[f[0]] = (f[1], f[2])
    return out


def sfield(sid, key):
    m = re.search(r"(?:^| )" + key + r"=(\S*)", slurm("scontrol", "show", "job", "-o", sid))
    return m.group(1) if m else None


def wait_for(pred, timeout=30, step=0.2):
    end = time.time() + timeout
    while time.time() < end:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return pred()


def cli(*args):
    env = dict(os.environ, SUANWANG_SERVER=state["url"], SUANWANG_TOKEN=state["user"])
    p = subprocess.run([SUANWANG, *args], capture_output=True, text=True, env=env, timeout=60)
    return p.returncode, p.stdout, p.stderr


def submit(*args):
    rc, out, err = cli("submit", *args)
    check(rc == 0 and out.strip().isdigit(), f"submit {args}: {rc} {out!r} {err!r}")
    return int(out.strip()) if out.strip().isdigit() else -1


def job(jid):
    return call(state["url"], "GET", f"/v1/jobs/{jid}", state["user"])[1]


def wait_state(jid, states, timeout=30):
    return wait_for(lambda: (lambda j: j if j.get("state") in states else None)(job(jid)),
                    timeout) or job(jid)


def logs(jid, task=None):
    q = f"/v1/jobs/{jid}/logs" + (f"?task={task}" if task is not None else "")
    r = call(state["url"], "GET", q, state["user"])
    b = r[1]
    return b if isinstance(b, str) else (b.decode() if isinstance(b, bytes) else json.dumps(b))



def setup(prefix, **env):
    """Make the work folder and bring Slurm up in it; fills senv. `env`:
    settings for slurm-up.sh (SW_SLURM_CPUS="8", SW_SLURM_GRES=...)."""
    global work, SD
    work = tempfile.mkdtemp(prefix=prefix)
    os.chmod(work, 0o755)  # munged wants every folder above its socket searchable
    SD = os.path.join(work, "slurm")
    p = subprocess.run(["bash", UP, SD], capture_output=True, text=True,
                       env=dict(os.environ, **env))
    if p.returncode == 77:
        shutil.rmtree(work, ignore_errors=True)
        skip((p.stderr.strip().splitlines() or ["slurm-up.sh: exit 77"])[-1])
    if p.returncode != 0:
        sys.stderr.write(p.stderr)
        subprocess.run(["bash", DOWN, SD], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)
        if os.environ.get("SW_SLURM_REQUIRED") == "1":
            print("FAIL: slurm-up.sh failed")
            sys.exit(1)
        skip(f"the Slurm daemons did not start here (exit {p.returncode})")
    senv.clear()
    senv.update(os.environ)
    for line in open(os.path.join(SD, "slurm.env")):
        m = re.match(r"export (\w+)=(.*)", line.strip())
        if m:
            senv[m.group(1)] = m.group(2).strip("'\"")

    return work


def start_agent(site, token, *extra):
    """`suanwang agent --backend slurm` for `site`, logging to WORK/SITE.log."""
    log = open(os.path.join(work, site + ".log"), "a")
    return subprocess.Popen([SUANWANG, "agent", "--backend", "slurm", "--server", state["url"],
                             "--site", site, "--token", token, "--work",
                             os.path.join(work, site), "--slurm-partition", "debug",
                             "--poll-wait", "2", *extra],
                            stdout=log, stderr=log, env=senv)


def stop_agent(a):
    if a and a.poll() is None:
        a.send_signal(signal.SIGTERM)
        try:
            a.wait(20)
        except subprocess.TimeoutExpired:
            a.kill()


def agent_log(site):
    try:
        return open(os.path.join(work, site + ".log")).read()[-4000:]
    except OSError:
        return ""


def teardown():
    subprocess.run(["bash", DOWN, SD], capture_output=True)
    shutil.rmtree(work, ignore_errors=True)


def finish(name, t0):
    """The last lines of every Slurm test: its time, then ok or exit 1."""
    print(f"{name}: {time.time() - t0:.1f} s")
    if failures:
        print(f"{name}: {len(failures)} failures")
        sys.exit(1)
    print(f"{name}: ok")
