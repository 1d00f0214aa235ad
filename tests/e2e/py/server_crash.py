"""Crash safety of `suanwang server` (see server_crash.sh).

Eight client threads submit jobs with distinct names, each with its own
Idempotency-Key. The server is SIGKILLed at random moments and restarted on
the same data directory. A client whose request failed (connection refused
or reset: the server died) retries the same request with the same key until
it is answered. At the end, every acknowledged job is present with the
right name, and no name appears twice — a request that was committed but
whose answer was lost is not created a second time by its retry.
"""
import os
import random
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from swserver import Server, call  # noqa: E402

KILLS = int(os.environ.get("SW_CRASH_KILLS", "6"))
CLIENTS = 8
rng = random.Random(int(os.environ.get("SW_CRASH_SEED", "1")))

server = Server().start()
token = server.admin_token()
state = {"url": server.url, "up": True}
lock = threading.Lock()
acked = {}          # name -> id
stop = threading.Event()
errors = []


def current_url():
    with lock:
        return state["url"] if state["up"] else None


def client(n):
    k = 0
    while not stop.is_set():
        name = f"crash-{n}-{k}"
        body = {"name": name, "command": ["/bin/true"]}
        while not stop.is_set():
            url = current_url()
            if url is None:
                time.sleep(0.01)
                continue
            try:
                code, resp, _ = call(url, "POST", "/v1/jobs", token, body,
                                     headers={"Idempotency-Key": name}, timeout=10)
            except OSError:
                time.sleep(0.01)  # the server died under us: retry the same key
                continue
            if code in (200, 201):
                with lock:
                    acked[name] = resp["id"]
                break
            errors.append(f"{name}: HTTP {code} {resp}")
            return
        k += 1


threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
for t in threads:
    t.start()
try:
    for _ in range(KILLS):
        time.sleep(rng.uniform(0.2, 0.8))
        with lock:
            state["up"] = False
        server.kill()
        server.start()
        with lock:
            state["url"] = server.url
            state["up"] = True
    time.sleep(0.5)
finally:
    stop.set()
    for t in threads:
        t.join(timeout=30)

# everything acknowledged is there, once
jobs = []
after = 0
while True:
    code, page, _ = call(server.url, "GET", f"/v1/jobs?limit=1000&after={after}", token)
    if code != 200:
        errors.append(f"listing failed: {code} {page}")
        break
    jobs += page["jobs"]
    if "next" not in page:
        break
    after = page["next"]
server.stop()

by_name = {}
for j in jobs:
    by_name.setdefault(j["name"], []).append(j["id"])
dups = {n: ids for n, ids in by_name.items() if len(ids) > 1}
missing = {n: i for n, i in acked.items() if i not in by_name.get(n, [])}
print(f"{len(acked)} jobs acknowledged across {KILLS} SIGKILLs, {len(jobs)} stored, "
      f"{len(dups)} duplicated, {len(missing)} missing")
if errors:
    print("errors:", errors[:5])
if dups:
    print("duplicates:", list(dups.items())[:5])
if missing:
    print("missing:", list(missing.items())[:5])
if errors or dups or missing or len(acked) < 50:
    sys.exit(1)
print("ok")
