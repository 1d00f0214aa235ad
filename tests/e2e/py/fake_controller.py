#!/usr/bin/env python3
"""fake_controller.py — a tiny stand-in for the controller's agent endpoints
(docs/agent-protocol.md), for testing `suanwang agent` on its own.

It speaks the agent side of the protocol: register, heartbeat, long-polled
assignments, events (fenced: a report of a fence that is not the unit's
current one is answered as stale), and log chunks (409 with X-Log-Size when a
chunk does not start at the stored size). Its state lives in a JSON file
(--state), written after every change, so the test can SIGKILL it and start
it again on the same port to play an outage.

Test-only endpoints (no token): POST /test/assign, /test/cancel, /test/stop,
/test/supersede, /test/truncate_log; GET /test/state, /test/log?key=J/T/A/STREAM.

Usage: fake_controller.py --state FILE --token T --site NAME
                          [--port N] [--port-file FILE] [--heartbeat-s 1]
"""
import argparse
import base64
import json
import os
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class State:
    def __init__(self, path):
        self.path = path
        self.lock = threading.Condition()
        self.d = {
            "next_fence": 1000,
            "todo": [],            # assignments not yet handed out
            "cancels": [],         # cancel entries not yet handed out
            "stops": [],           # stop entries for the next register/heartbeat
            "units": {},           # "job/task" -> {attempt, fence, state}
            "registers": [],       # register bodies, in order
            "heartbeats": [],      # heartbeat bodies (last 50)
            "events": [],          # every event received, duplicates included
            "log_posts": 0,
            "log_409": 0,
            "starts": 0,           # how many times this fake started
        }
        self.logdir = path + ".logs"  # logs live beside, not in, the state
        os.makedirs(self.logdir, exist_ok=True)
        if os.path.exists(path):
            with open(path) as f:
                self.d.update(json.load(f))
        self.d["starts"] += 1
        self.save()

    def save(self):
        tmp = self.path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(self.d, f)
        os.replace(tmp, self.path)


def log_path(st, key):
    return os.path.join(st.logdir, key.replace("/", "_"))


def log_read(st, key):
    try:
        with open(log_path(st, key), "rb") as f:
            return f.read()
    except FileNotFoundError:
        return b""


def unit_id(job, task):
    return f"{job}/{task}"


def key_of(o):
    return {k: o[k] for k in ("job", "task", "attempt", "fence")}


def make_handler(st, token, site, heartbeat_s):
    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):  # quiet
            pass

        def reply(self, status, obj=None, headers=None):
            body = json.dumps(obj if obj is not None else {}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def body(self):
            n = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(n) if n else b""

        def authed(self):
            if self.headers.get("Authorization") != "Bearer " + token:
                self.reply(401, {"error": "unauthenticated", "message": "unknown or revoked token"})
                return False
            return True

        # ---- GET ----
        def do_GET(self):
            u = urllib.parse.urlparse(self.path)
            q = dict(urllib.parse.parse_qsl(u.query))
            if u.path == "/test/state":
                with st.lock:
                    return self.reply(200, st.d)
            if u.path == "/test/log":
                with st.lock:
                    data = log_read(st, q["key"])
                return self.reply(200, {"b64": base64.b64encode(data).decode()})
            if u.path != "/v1/agent/assignments":
                return self.reply(404, {"error": "not_found", "message": "no such endpoint"})
            if not self.authed():
                return
            wait_s = float(q.get("wait_s", "20"))
            deadline = time.time() + wait_s
            with st.lock:
                while not st.d["todo"] and not st.d["cancels"]:
                    left = deadline - time.time()
                    if left <= 0:
                        break
                    st.lock.wait(left)
                todo, cancels = st.d["todo"], st.d["cancels"]
                st.d["todo"], st.d["cancels"] = [], []
                for a in todo:
                    st.d["units"][unit_id(a["job"], a["task"])] = {
                        "attempt": a["attempt"], "fence": a["fence"], "state": "dispatched"}
                st.save()
            try:
                self.reply(200, {"assignments": todo, "cancel": cancels})
            except OSError:
                # the agent hung up (it stopped): hand these to the next poll
                with st.lock:
                    st.d["todo"] = todo + st.d["todo"]
                    st.d["cancels"] = cancels + st.d["cancels"]
                    st.save()
                    st.lock.notify_all()

        # ---- POST ----
        def do_POST(self):
            u = urllib.parse.urlparse(self.path)
            q = dict(urllib.parse.parse_qsl(u.query))
            raw = self.body()
            if u.path.startswith("/test/"):
                return self.test_endpoint(u.path, json.loads(raw or b"{}"))
            if not self.authed():
                return
            if u.path in ("/v1/agent/register", "/v1/agent/heartbeat"):
                b = json.loads(raw)
                with st.lock:
                    if u.path.endswith("register"):
                        st.d["registers"].append(b)
                    else:
                        st.d["heartbeats"] = (st.d["heartbeats"] + [b])[-50:]
                    stop = st.d["stops"]
                    st.d["stops"] = []
                    for r in b.get("running", []):
                        cur = st.d["units"].get(unit_id(r["job"], r["task"]))
                        if cur is not None and cur.get("quiet"):
                            continue  # left to the events' stale answer
                        if cur is None or cur["fence"] != r["fence"]:
                            if not any(key_of(s) == key_of(r) for s in stop):
                                stop.append(dict(key_of(r), reason="superseded"))
                    st.save()
                return self.reply(200, {"site": site, "heartbeat_s": heartbeat_s,
                                        "lost_after_s": 30, "stop": stop})
            if u.path == "/v1/agent/events":
                b = json.loads(raw)
                accepted, stale = 0, []
                with st.lock:
                    for e in b["events"]:
                        st.d["events"].append(e)
                        cur = st.d["units"].get(unit_id(e["job"], e["task"]))
                        if cur is None or cur["fence"] != e["fence"] or \
                                cur["attempt"] != e["attempt"]:
                            stale.append(dict(key_of(e), reason="superseded"))
                            continue
                        cur["state"] = e["state"]
                        accepted += 1
                    st.save()
                    st.lock.notify_all()
                return self.reply(200, {"accepted": accepted, "stale": stale})
            if u.path == "/v1/agent/logs":
                k = "/".join([q["job"], q["task"], q["attempt"], q["stream"]])
                off = int(q["offset"])
                with st.lock:
                    st.d["log_posts"] += 1
                    cur = st.d["units"].get(unit_id(int(q["job"]), int(q["task"])))
                    if cur is None or cur["fence"] != int(q["fence"]):
                        return self.reply(409, {"error": "stale", "message": "not the current attempt"})
                    have = log_read(st, k)
                    if off != len(have):
                        st.d["log_409"] += 1
                        st.save()
                        return self.reply(409, {"error": "offset", "message":
                                                f"the log has {len(have)} bytes"},
                                          {"X-Log-Size": str(len(have))})
                    with open(log_path(st, k), "ab") as f:
                        f.write(raw)
                    st.save()
                return self.reply(200, {"size": off + len(raw)})
            return self.reply(404, {"error": "not_found", "message": "no such endpoint"})

        def test_endpoint(self, path, b):
            with st.lock:
                if path == "/test/assign":  # one assignment, or {"many": [...]}
                    fences = []
                    for one in b.get("many", [b]):
                        a = dict(one)
                        a.setdefault("task", 0)
                        a.setdefault("tasks", 1)
                        a.setdefault("attempt", 1)
                        if "fence" not in a:
                            a["fence"] = st.d["next_fence"]
                            st.d["next_fence"] += 1
                        st.d["todo"].append(a)
                        fences.append(a["fence"])
                    out = {"fence": fences[0], "fences": fences}
                elif path == "/test/cancel":
                    st.d["cancels"].append(key_of(b))
                    cur = st.d["units"].get(unit_id(b["job"], b["task"]))
                    out = {}
                elif path == "/test/stop":
                    st.d["stops"].append(dict(key_of(b), reason=b.get("reason", "lost")))
                    out = {}
                elif path == "/test/supersede":
                    cur = st.d["units"][unit_id(b["job"], b["task"])]
                    cur["fence"] += 100000
                    cur["quiet"] = bool(b.get("quiet"))
                    out = {}
                elif path == "/test/truncate_log":
                    open(log_path(st, b["key"]), "wb").close()
                    out = {}
                else:
                    return self.reply(404, {"error": "not_found"})
                st.save()
                st.lock.notify_all()
            return self.reply(200, out)

    return H


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--state", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--site", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--heartbeat-s", type=int, default=1)
    args = ap.parse_args()
    st = State(args.state)
    ThreadingHTTPServer.allow_reuse_address = True
    ThreadingHTTPServer.daemon_threads = True
    srv = ThreadingHTTPServer(("127.0.0.1", args.port),
                              make_handler(st, args.token, args.site, args.heartbeat_s))
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(str(srv.server_address[1]))
        os.replace(tmp, args.port_file)
    print(f"fake controller on http://127.0.0.1:{srv.server_address[1]}", flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
