"""`suanwang server --store postgresql://…` end to end (see server_pg.sh)."""
import os
import random
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from pgserver import PgServer  # noqa: E402
from swserver import SUANWANG, Server, call  # noqa: E402

KILLS = 3
CLIENTS = 4
rng = random.Random(int(os.environ.get("SW_CRASH_SEED", "1")))
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def built_with_postgres():
    """False when this binary refuses every postgresql:// URL."""
    d = tempfile.mkdtemp(prefix="sw-e2e-")
    p = subprocess.run([SUANWANG, "server", "--listen", "127.0.0.1:0", "--data", d,
                        "--store", "postgresql://127.0.0.1:1/x"],
                       capture_output=True, text=True, timeout=60)
    return "built without PostgreSQL support" not in p.stderr


def submit_until_stopped(n, server, state, acked, lock, stop, token):
    """Submit jobs with an Idempotency-Key each; retry the same key while
    the server is down, until it answers."""
    k = 0
    while not stop.is_set():
        name = f"pg-{n}-{k}"
        body = {"name": name, "command": ["/bin/true"]}
        while not stop.is_set():
            with lock:
                url = server.url if state["up"] else None
            if url is None:
                time.sleep(0.01)
                continue
            try:
                code, resp, _ = call(url, "POST", "/v1/jobs", token, body,
                                     headers={"Idempotency-Key": name}, timeout=10)
            except OSError:
                time.sleep(0.01)
                continue
            if code in (200, 201):
                with lock:
                    acked[name] = resp["id"]
                break
            failures.append(f"{name}: HTTP {code} {resp}")
            return
        k += 1


def list_jobs(url, token):
    jobs, after = [], 0
    while True:
        code, page, _ = call(url, "GET", f"/v1/jobs?limit=1000&after={after}", token)
        if code != 200:
            failures.append(f"listing failed: {code} {page}")
            return jobs
        jobs += page["jobs"]
        if "next" not in page:
            return jobs
        after = page["next"]


def crash_and_recover(server, token):
    state, lock, acked, stop = {"up": True}, threading.Lock(), {}, threading.Event()
    threads = [threading.Thread(target=submit_until_stopped,
                                args=(i, server, state, acked, lock, stop, token))
               for i in range(CLIENTS)]
    for t in threads:
        t.start()
    try:
        for _ in range(KILLS):
            time.sleep(rng.uniform(0.3, 1.0))
            with lock:
                state["up"] = False
            server.kill()
            t0 = time.time()
            server.start(timeout=30)  # waits for the killed one's session to end
            print(f"restarted in {time.time() - t0:.2f} s")
            with lock:
                state["up"] = True
        time.sleep(0.5)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
    jobs = list_jobs(server.url, token)
    by_name = {}
    for j in jobs:
        by_name.setdefault(j["name"], []).append(j["id"])
    dups = {n: ids for n, ids in by_name.items() if len(ids) > 1}
    missing = {n: i for n, i in acked.items() if i not in by_name.get(n, [])}
    print(f"{len(acked)} jobs acknowledged across {KILLS} SIGKILLs, {len(jobs)} stored, "
          f"{len(dups)} duplicated, {len(missing)} missing")
    check(not dups, f"duplicated jobs: {list(dups.items())[:5]}")
    check(not missing, f"acknowledged jobs missing: {list(missing.items())[:5]}")
    check(len(acked) >= 20, f"only {len(acked)} jobs acknowledged")
    return len(jobs)


def second_server_refused(pg):
    other = Server(extra=["--store", pg.url])
    try:
        other.start(timeout=30)
    except RuntimeError:
        pass
    else:
        other.stop()
        check(False, "a second server on the same database started")
        return
    other.proc.wait(timeout=30)
    with open(other.log.name) as f:
        log = f.read()
    print("second server:", log.strip())
    check(other.proc.returncode != 0, "the second server exits non-zero")
    check("in use by another process" in log, "the refusal says the database is in use")
    check("pg_terminate_backend(" in log, "the refusal says how to end a stale session")
    check("suanwang writer" in log, "the refusal names the holder's session")


def main():
    if not built_with_postgres():
        print("SKIP: server_pg: this suanwang was built without PostgreSQL support")
        sys.exit(77)
    pg = PgServer.start()
    if pg is None:
        print("SKIP: server_pg: no PostgreSQL server can be run here")
        sys.exit(77)
    server = Server(extra=["--store", pg.url])
    try:
        server.start(timeout=30)
        token = server.admin_token()
        n = crash_and_recover(server, token)
        second_server_refused(pg)
        check(not os.path.exists(os.path.join(server.data_dir, "suanwang.db")),
              "no SQLite file in DIR: the state is in PostgreSQL")
        # a graceful restart finds the same jobs
        check(server.stop() == 0, "SIGTERM: exit 0")
        server.start(timeout=30)
        check(len(list_jobs(server.url, token)) == n, "the jobs after a graceful restart")
    finally:
        server.stop()
        pg.stop()
    if failures:
        print(f"{len(failures)} failures")
        sys.exit(1)
    print("ok")


main()
