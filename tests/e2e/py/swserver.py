"""swserver.py — start and stop a real `suanwang server` for the end-to-end
tests, and talk to its HTTP API with the standard library only."""
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

SUANWANG = os.environ.get("SUANWANG", "build/suanwang")


class Server:
    """A controller on 127.0.0.1 with an OS-chosen port and its own data dir."""

    def __init__(self, data_dir=None, network=None, extra=(), keep_port=False):
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="sw-e2e-")
        self.network = network
        self.extra = list(extra)
        self.keep_port = keep_port  # restart on the port of the first start
        self.proc = None
        self.url = None

    def start(self, timeout=15):
        listen = "127.0.0.1:0"
        if self.keep_port and self.url:
            listen = self.url.replace("http://", "")
        cmd = [SUANWANG, "server", "--listen", listen, "--data", self.data_dir]
        if self.network:
            cmd += ["--network", self.network]
        cmd += self.extra
        self.log = open(os.path.join(self.data_dir, "server.log"), "a+")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.log, text=True)
        deadline = time.time() + timeout
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError("server exited: see " + self.log.name)
            m = re.search(r"listening on (http://[0-9.]+:\d+)", line)
            if m:
                self.url = m.group(1)
                return self
        raise RuntimeError("server did not start in time")

    def admin_token(self):
        with open(os.path.join(self.data_dir, "admin.token")) as f:
            return f.read().strip()

    def stop(self, sig=signal.SIGTERM, timeout=15):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=timeout)
        rc = self.proc.returncode if self.proc else None
        self.proc = None
        return rc

    def kill(self):
        return self.stop(signal.SIGKILL)


def call(url, method="GET", path="/", token=None, body=None, raw=None, headers=None,
         timeout=30):
    """Returns (status, parsed JSON or text, response headers)."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(url + path, data=data, method=method)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            status, text, hdrs = r.status, r.read().decode(), dict(r.headers)
    except urllib.error.HTTPError as e:
        status, text, hdrs = e.code, e.read().decode(), dict(e.headers)
    try:
        return status, json.loads(text), hdrs
    except ValueError:
        return status, text, hdrs


# ---- for tests that stop at the first failure ----------------------------------

def fail(msg):
    """Print FAIL: <test>: msg and exit 1."""
    name = os.path.splitext(os.path.basename(sys.argv[0]))[0]
    print(f"FAIL: {name}: {msg}", file=sys.stderr)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def wait_for(pred, timeout, what):
    """pred()'s first true value, polled every 50 ms; fail after timeout s."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(0.05)
    fail(f"timed out after {timeout} s waiting for {what}")


def pid_alive(pid):
    """True while process pid exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            s = f.read()
        return s[s.rindex(")") + 2] not in "ZX"
    except (OSError, ValueError):
        return False
