"""The controller's HTTP API end to end (see server_api.sh)."""
import os
import stat
import sys

sys.path.insert(0, os.path.dirname(__file__))
from swserver import Server, call  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
NET = os.path.join(ROOT, "examples", "small-gd.json")
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def expect(resp, status, what, error=None, field=None):
    code, body, _ = resp
    ok = code == status
    if ok and error is not None:
        ok = isinstance(body, dict) and body.get("error") == error
    if ok and field is not None:
        ok = body.get("field") == field
    check(ok, f"{what}: expected {status} {error or ''} {field or ''}, got {code} {body}")
    return body


MIN_JOB = {"name": "x", "command": ["/bin/true"]}

s = Server(network=NET).start()
try:
    u = s.url
    tok_path = os.path.join(s.data_dir, "admin.token")
    check(stat.S_IMODE(os.stat(tok_path).st_mode) == 0o600, "admin.token is mode 0600")
    admin = s.admin_token()

    # health and metrics need no token
    expect(call(u, path="/healthz"), 200, "healthz")
    code, text, hdrs = call(u, path="/metrics")
    check(code == 200 and "suanwang_jobs_submitted_total" in text, "metrics text")

    # authentication
    expect(call(u, "POST", "/v1/jobs", body=MIN_JOB), 401, "no token", "unauthenticated")
    expect(call(u, "POST", "/v1/jobs", token="sw_nope", body=MIN_JOB), 401, "bad token",
           "unauthenticated")

    # tenants and tokens
    for t in ("lab-a", "lab-b"):
        expect(call(u, "POST", "/v1/tenants", admin, {"name": t, "kind": "consumer"}), 201,
               "create tenant " + t)
    expect(call(u, "POST", "/v1/tenants", admin, {"name": "lab-a"}), 409, "tenant twice",
           "exists")
    ta = expect(call(u, "POST", "/v1/tokens", admin, {"tenant": "lab-a", "role": "consumer"}),
                201, "token a")["token"]
    tb = expect(call(u, "POST", "/v1/tokens", admin, {"tenant": "lab-b", "role": "consumer"}),
                201, "token b")["token"]
    tag = expect(call(u, "POST", "/v1/tokens", admin,
                      {"tenant": "lab-a", "role": "agent", "site": "sg-ai"}), 201, "agent token")
    expect(call(u, "POST", "/v1/tokens", admin, {"tenant": "lab-a", "role": "agent"}), 400,
           "agent token without site", "invalid", "site")
    expect(call(u, "POST", "/v1/tenants", ta, {"name": "evil"}), 403, "consumer makes tenant",
           "forbidden")
    expect(call(u, "POST", "/v1/jobs", tag["token"], MIN_JOB), 403, "agent submits", "forbidden")
    toks = expect(call(u, "GET", "/v1/tokens", admin), 200, "list tokens")
    check(all("token" not in t for t in toks["tokens"]), "token list shows no secrets")

    # submit, read, isolate
    ja = expect(call(u, "POST", "/v1/jobs", ta, MIN_JOB), 201, "submit a")["id"]
    jb = expect(call(u, "POST", "/v1/jobs", tb, dict(MIN_JOB, name="y")), 201, "submit b")["id"]
    job = expect(call(u, "GET", f"/v1/jobs/{ja}", ta), 200, "get own job")
    check(job["tenant"] == "lab-a" and job["name"] == "x", "job shows tenant and name")
    check(job["state"] in ("pending", "scheduled"), "new job is pending or scheduled")
    check(job["spec"]["command"] == ["/bin/true"], "job keeps its command")
    expect(call(u, "GET", f"/v1/jobs/{ja}", tb), 404, "b reads a's job", "not_found")
    expect(call(u, "DELETE", f"/v1/jobs/{ja}", tb), 404, "b cancels a's job", "not_found")
    lst = expect(call(u, "GET", "/v1/jobs", tb), 200, "b lists")
    check([j["id"] for j in lst["jobs"]] == [jb], "b sees only its own job")
    expect(call(u, "GET", "/v1/jobs?tenant=lab-a", tb), 403, "b lists a's jobs", "forbidden")
    all_jobs = expect(call(u, "GET", "/v1/jobs", admin), 200, "admin lists")
    check({j["id"] for j in all_jobs["jobs"]} == {ja, jb}, "admin sees all jobs")

    # idempotency and batches
    r1 = call(u, "POST", "/v1/jobs", ta, MIN_JOB, headers={"Idempotency-Key": "k-1"})
    r2 = call(u, "POST", "/v1/jobs", ta, MIN_JOB, headers={"Idempotency-Key": "k-1"})
    check(r1[0] == 201 and r2[0] == 200 and r1[1]["id"] == r2[1]["id"],
          f"idempotent retry gives the same id: {r1[:2]} {r2[:2]}")
    check(r2[2].get("Idempotent-Replayed") == "true", "replay is marked")
    n_before = len(call(u, "GET", "/v1/jobs?limit=1000", admin)[1]["jobs"])
    expect(call(u, "POST", "/v1/jobs", ta, dict(MIN_JOB, name="other"),
                headers={"Idempotency-Key": "k-1"}), 422, "a key reused for another body",
           "idempotency_key_reused", "Idempotency-Key")
    r3 = call(u, "POST", "/v1/jobs", ta, dict(MIN_JOB, idempotency_key="k-2"))
    expect(call(u, "POST", "/v1/jobs", ta, dict(MIN_JOB, idempotency_key="k-2", tasks=2)), 422,
           "a body key reused for another body", "idempotency_key_reused", "idempotency_key")
    check(r3[0] == 201, f"a body key: {r3[:2]}")
    n_after = len(call(u, "GET", "/v1/jobs?limit=1000", admin)[1]["jobs"])
    check(n_after == n_before + 1, f"a reused key created nothing: {n_before} -> {n_after}")
    batch = expect(call(u, "POST", "/v1/jobs", ta, [MIN_JOB, MIN_JOB, MIN_JOB]), 201, "batch")
    check(len(batch["ids"]) == 3 and len(set(batch["ids"])) == 3, "batch gives 3 ids")

    # bad input: a clear 4xx, and nothing changes
    before = len(call(u, "GET", "/v1/jobs?limit=1000", admin)[1]["jobs"])
    expect(call(u, "POST", "/v1/jobs", ta, raw=b'{"name": "x",'), 400, "malformed JSON",
           "malformed_json")
    expect(call(u, "POST", "/v1/jobs", ta, dict(MIN_JOB, tasks="many")), 400, "wrong type",
           "invalid_job", "tasks")
    expect(call(u, "POST", "/v1/jobs", ta, dict(MIN_JOB, taks=3)), 400, "unknown field",
           "invalid_job", "taks")
    expect(call(u, "POST", "/v1/jobs", ta, dict(MIN_JOB, resources={"cores": -4})), 400,
           "negative size", "invalid_job", "resources.cores")
    expect(call(u, "POST", "/v1/jobs", ta, raw=b'{"name": "\xff\xfe", "command": ["/bin/true"]}'),
           400, "bad UTF-8", "malformed_json")
    expect(call(u, "POST", "/v1/jobs", ta, raw=b"[" + b"1," * (3 << 20) + b"1]"), 413,
           "huge body", "body_too_large")
    expect(call(u, "POST", "/v1/jobs", ta, [MIN_JOB, dict(MIN_JOB, tasks=0)]), 400,
           "one bad job in a batch", "invalid_job", "jobs[1].tasks")
    expect(call(u, "POST", "/v1/jobs", ta, dict(MIN_JOB, near="guangzou:3ms")), 422,
           "unknown region", "unsatisfiable", "near.region")
    expect(call(u, "POST", "/v1/jobs", ta, dict(MIN_JOB, resources={"gpus": 1000})), 422,
           "impossible job", "unsatisfiable")
    after = len(call(u, "GET", "/v1/jobs?limit=1000", admin)[1]["jobs"])
    check(before == after, f"bad requests created nothing ({before} -> {after})")
    expect(call(u, "GET", "/v1/jobs/abc", ta), 400, "bad id", "bad_id")
    expect(call(u, "GET", "/v1/nope", ta), 404, "unknown path", "not_found")
    expect(call(u, "PUT", "/v1/jobs", ta, MIN_JOB), 405, "wrong method", "method_not_allowed")
    expect(call(u, "GET", "/v1/jobs?state=bogus", ta), 400, "bad state filter", "bad_query")

    # cancel
    c = expect(call(u, "DELETE", f"/v1/jobs/{ja}", ta), 200, "cancel")
    check(c["state"] == "cancelled", "cancelled")
    job = expect(call(u, "GET", f"/v1/jobs/{ja}", ta), 200, "get cancelled")
    check(any(e["state"] == "cancelled" for e in job["events"]), "cancel is an event")

    # sites and network
    sites = expect(call(u, "GET", "/v1/sites", tb), 200, "sites")["sites"]
    check({x["name"] for x in sites} == {"sg-ai", "gz-hpc", "sz-cloud"}, "three sites")
    net = expect(call(u, "GET", "/v1/network", tb), 200, "network")
    check(net["pflops"] > 50 and len(net["latency_ms"]) == 3, "network capacity and latency")

    # graceful restart keeps everything
    check(s.stop() == 0, "SIGTERM exits 0")
    s.start()
    u = s.url
    job = expect(call(u, "GET", f"/v1/jobs/{ja}", ta), 200, "after restart")
    check(job["state"] == "cancelled", "state survives restart")
    r = call(u, "GET", "/v1/jobs?limit=1000", admin)
    check(r[0] == 200, f"admin lists after restart: {r[:2]}")
    after2 = len(r[1].get("jobs", [])) if r[0] == 200 else -1
    check(after2 == after, "every job survives restart")
    check(s.admin_token() == admin, "admin token kept")
    expect(call(u, "GET", f"/v1/jobs/{jb}", tb), 200, "b's token survives restart")
finally:
    s.stop()

if failures:
    print(f"{len(failures)} checks failed")
    sys.exit(1)
print("ok")
