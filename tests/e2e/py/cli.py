"""The user CLI end to end (see cli.sh): `suanwang submit | jobs | job |
cancel | wait | logs | sites | top` against a real `suanwang server` on
loopback, with a small fake agent (the agent protocol, in Python) so that
jobs really run, complete, fail and ship logs. Checks the outputs people
read, that every --json output is the server's JSON, the exit codes
scripts rely on, and the error messages (unreachable server, bad token, a
bad job file naming its field)."""
import json
import os
import sys
import tempfile
import threading
import time
import subprocess

sys.path.insert(0, os.path.dirname(__file__))
from swserver import SUANWANG, Server, call  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
NET = os.path.join(ROOT, "examples", "small-gd.json")
DATA = os.environ.get("SW_TEST_DATA_DIR", os.path.join(ROOT, "tests", "data"))
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)
    return cond


def sw(*args, env=None, stdin=None, timeout=60):
    """Run suanwang; (rc, stdout, stderr)."""
    e = dict(os.environ)
    e.update(env or {})
    p = subprocess.run([SUANWANG, *args], capture_output=True, env=e, input=stdin,
                       timeout=timeout, cwd=WORK)
    so, se = p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")
    check("\ufffd" not in so + se, f"suanwang {' '.join(args)}: output is not UTF-8: {se!r}")
    check("Sanitizer" not in se and "runtime error:" not in se,
          f"suanwang {' '.join(args)}: sanitizer report: {se[:2000]}")
    return p.returncode, so, se


def expect(args, rc, what, out=None, err=None, env=None, no_err=False):
    got_rc, so, se = sw(*args, env=env)
    ok = check(got_rc == rc, f"{what}: exit {got_rc}, want {rc} (stderr: {se.strip()[:300]})")
    for needle in ([out] if isinstance(out, str) else out or []):
        ok &= check(needle in so, f"{what}: stdout lacks {needle!r}: {so[:600]!r}")
    for needle in ([err] if isinstance(err, str) else err or []):
        ok &= check(needle in se, f"{what}: stderr lacks {needle!r}: {se[:600]!r}")
    if no_err:
        check(se == "", f"{what}: unexpected stderr {se[:300]!r}")
    return so, se


def parse_json(text, what):
    try:
        return json.loads(text)
    except ValueError as e:
        check(False, f"{what}: not JSON ({e}): {text[:300]!r}")
        return None


class FakeAgent(threading.Thread):
    """A site agent speaking docs/agent-protocol.md: runs nothing, reports
    each assignment running, ships "hello from JOB\\n" (stdout) and
    "warn JOB\\n" (stderr), then completes it (exit 0), or fails it (exit 3)
    when the job's name starts with "fail"; a job named "slow*" takes 2 s."""

    def __init__(self, url, token):
        super().__init__(daemon=True)
        self.url, self.token, self.stop = url, token, False

    def post(self, path, body=None, raw=None):
        return call(self.url, "POST", path, self.token, body=body, raw=raw)

    def run(self):
        try:
            self.serve()
        except OSError:
            if not self.stop:  # the server going away at the end is no failure
                raise

    def serve(self):
        self.post("/v1/agent/register", {"agent_id": "fake-1", "hostname": "test",
                                         "backend": "local", "running": []})
        while not self.stop:
            code, body, _ = call(self.url, "GET", "/v1/agent/assignments?wait_s=1", self.token)
            if code != 200:
                time.sleep(0.2)
                continue
            for a in body.get("assignments", []):
                threading.Thread(target=self.work, args=(a,), daemon=True).start()

    def work(self, a):
        ev = {k: a[k] for k in ("job", "task", "attempt", "fence")}
        self.post("/v1/agent/events", {"events": [dict(ev, state="running")]})
        q = (f"job={a['job']}&task={a['task']}&attempt={a['attempt']}&fence={a['fence']}")
        out = f"hello from {a['job']}\n".encode()
        self.post(f"/v1/agent/logs?{q}&stream=stdout&offset=0", raw=out)
        if a["name"].startswith("slow"):
            time.sleep(2)
            self.post(f"/v1/agent/logs?{q}&stream=stdout&offset={len(out)}", raw=b"done\n")
        self.post(f"/v1/agent/logs?{q}&stream=stderr&offset=0", raw=f"warn {a['job']}\n".encode())
        fail = a["name"].startswith("fail")
        self.post("/v1/agent/events", {"events": [dict(
            ev, state="failed" if fail else "completed", exit_status=3 if fail else 0,
            **({"reason": "exit status 3"} if fail else {}))]})


WORK = tempfile.mkdtemp(prefix="sw-cli-")

# ---- without a server ---------------------------------------------------------------
dead = {"SUANWANG_SERVER": "http://127.0.0.1:1", "SUANWANG_TOKEN": "x",
        "SUANWANG_CONFIG": os.path.join(WORK, "none")}
open(dead["SUANWANG_CONFIG"], "w").close()
for cmd in (["jobs"], ["job", "1"], ["sites"], ["cancel", "1"], ["wait", "1"], ["logs", "1"],
            ["top", "--once"], ["submit", "--", "/bin/true"]):
    expect(cmd, 1, f"unreachable: {cmd[0]}", env=dead,
           err="error: cannot reach the controller at http://127.0.0.1:1: Connection refused — "
               "is `suanwang server` running? set --server or SUANWANG_SERVER")
for cmd in ("submit", "jobs", "job", "cancel", "wait", "logs", "sites", "top"):
    so, _ = expect([cmd, "--help"], 0, f"{cmd} --help", out="usage: suanwang " + cmd)
    expect(["help", cmd], 0, f"help {cmd}", out="usage: suanwang " + cmd)
for args, what in ((["job"], "job without id"), (["job", "abc"], "job abc"),
                   (["jobs", "--state", "bogus"], "bad state"), (["jobs", "--limit", "0"], "limit 0"),
                   (["jobs", "extra"], "jobs extra"), (["cancel"], "cancel nothing"),
                   (["wait"], "wait nothing"), (["wait", "1", "--timeout", "soon"], "bad timeout"),
                   (["logs"], "logs nothing"), (["logs", "1", "--json"], "logs --json"),
                   (["top", "--json"], "top --json"), (["submit"], "submit nothing"),
                   (["submit", "--tasks", "0", "--", "x"], "submit --tasks 0"),
                   (["submit", "--walltime", "2x", "--", "x"], "submit bad walltime"),
                   (["submit", "--frob", "--", "x"], "submit unknown option"),
                   (["submit", "-n", "2", "--", "x"], "sbatch options without a script"),
                   (["sites", "--bogus"], "sites bad option")):
    expect(args, 2, "usage: " + what, env=dead)

# --dry-run needs no server: a job from flags
so, _ = expect(["submit", "--dry-run", "--name", "dry", "--tasks", "4", "--gang", "--cores", "2",
                "--mem", "1.5G", "--gpus", "1", "--gpu-model", "A800,A100", "--equivalent",
                "--near", "guangzhou:3ms", "--walltime", "1h30m", "--qos", "interactive",
                "--objective", "cheapest", "--region-allow", "shaoguan,guangzhou",
                "--region-forbid", "shenzhen", "--data", "corpus:2TB@shenzhen", "--budget",
                "12345", "--retries", "2", "--env", "A=1", "--env", "B=x=y", "--workdir", "/tmp",
                "--deadline", "2030-01-01T00:00:00Z", "--idempotency-key", "k1", "--",
                "/bin/echo", "a b", "$HOME"], 0, "dry run from flags", env=dead)
job = parse_json(so, "dry run")
if job:
    want = {"name": "dry", "command": ["/bin/echo", "a b", "$HOME"], "tasks": 4, "gang": True,
            "resources": {"cores": 2, "mem_mib": 1536,
                          "gpus": {"count": 1, "model": ["A800", "A100"], "equivalent": True}},
            "near": "guangzhou:3ms", "walltime": 5400, "qos": "interactive",
            "objective": "cheapest", "placement": {"regions": {"allow": ["shaoguan", "guangzhou"],
                                                               "forbid": ["shenzhen"]}},
            "data": {"inputs": [{"name": "corpus", "size": "2TB", "region": "shenzhen"}]},
            "budget_fen": 12345, "retries": 2, "env": {"A": "1", "B": "x=y"}, "workdir": "/tmp",
            "deadline": 1893456000}
    check(job == want, f"dry run job: {json.dumps(job)} != {json.dumps(want)}")

# --dry-run of a batch script: warnings name the unsupported directive
script = os.path.join(DATA, "sbatch", "17-unsupported.sh")
so, se = expect(["submit", "--dry-run", script], 0, "dry run script", env=dead,
                err=["warning: ", "17-unsupported.sh:2: #SBATCH -p debug: not supported",
                     "#SBATCH --account=lab-a: not supported"])
job = parse_json(so, "dry run script")
check(job and job["script"].startswith("#!/bin/bash\n") and job["walltime"] == 300,
      f"script job: {job}")

# ---- against a server ---------------------------------------------------------------
s = Server(network=NET).start()
agent = None
try:
    u = s.url
    admin = s.admin_token()
    call(u, "POST", "/v1/tenants", admin, {"name": "lab-a", "kind": "consumer"})
    tok = call(u, "POST", "/v1/tokens", admin, {"tenant": "lab-a", "role": "consumer"})[1]["token"]
    env = {"SUANWANG_SERVER": u, "SUANWANG_TOKEN": tok,
           "SUANWANG_CONFIG": os.path.join(WORK, "none")}

    # tokens: none, wrong; and the config file with token_file
    expect(["jobs"], 1, "no token", env=dict(env, SUANWANG_TOKEN=""),
           err="error: no API token given: set --token or SUANWANG_TOKEN")
    expect(["jobs", "--token", "sw_wrong"], 1, "bad token", env=env,
           err="error: unknown or revoked token — the token from --token was refused")
    cfg = os.path.join(WORK, "config")
    with open(os.path.join(WORK, "tok"), "w") as f:
        f.write(tok + "\n")
    with open(cfg, "w") as f:
        f.write(f"# test config\nserver = {u}\ntoken_file = tok\n")
    expect(["jobs"], 0, "config file with token_file", out="ID",
           env={"SUANWANG_SERVER": "", "SUANWANG_TOKEN": "", "SUANWANG_CONFIG": cfg})
    with open(cfg, "a") as f:
        f.write("sever = x\n")
    expect(["jobs"], 1, "config file with a bad key",
           env={"SUANWANG_SERVER": "", "SUANWANG_TOKEN": "", "SUANWANG_CONFIG": cfg},
           err=f"error: {cfg}:4: unknown key \"sever\"")
    expect(["jobs", "--server", "http://127.0.0.1:1"], 1, "--server beats the env", env=env,
           err="cannot reach the controller at http://127.0.0.1:1")

    # no agent yet: a job that fills gz-hpc's V100s, and one that must wait
    # for them; `job` says why
    place = ["--region-allow", "guangzhou"]
    v100 = [*place, "--gpus", "4", "--gpu-model", "V100", "--tasks", "4", "--gang"]
    so, _ = expect(["submit", "--name", "early", *v100, "--", "/bin/true"], 0, "submit by flags",
                   env=env)
    early = so.strip()
    check(early.isdigit(), f"submit prints the id: {so!r}")
    so, _ = expect(["submit", "--name", "second", *v100, "--", "/bin/true"], 0, "submit again",
                   env=env)
    second = so.strip()
    so, _ = expect(["job", second], 0, "job: pending", env=env,
                   out=["Job " + second, "second", "pending", "WHY", "gz-hpc/gpu-v100",
                        "4 (gang: all start together at one site)", "4 accelerators (V100)"])
    detail = parse_json(expect(["job", second, "--json"], 0, "job --json", env=env)[0],
                        "job json")
    check(detail and detail["id"] == int(second) and "why" in detail, f"job --json: {detail}")
    check(detail and "behind 0 of its 1 pending units" in detail.get("why", ""),
          f"the first in its queue waits behind no one: {detail and detail.get('why')}")
    check(detail and detail.get("sites") == ["gz-hpc"], f"the summary names the site: {detail}")
    check(detail == call(u, "GET", f"/v1/jobs/{second}", tok)[1], "job --json is the server's")
    expect(["wait", second, "--timeout", "1s"], 3, "wait times out", env=env,
           err="timed out after 1 s; job " + second + " is pending")

    # errors from the server: a bad job file names the field; an impossible job
    bad = os.path.join(WORK, "bad.json")
    with open(bad, "w") as f:
        json.dump({"name": "x", "command": ["/bin/true"], "resources": {"cores": -4}}, f)
    expect(["submit", "bad.json"], 1, "bad job file", env=env,
           err="error: bad.json: resources.cores: must be >= 1")
    lines = os.path.join(WORK, "jobs.jsonl")
    with open(lines, "w") as f:
        f.write('{"name": "a", "command": ["/bin/true"]}\n# a comment\n'
                '{"name": "b", "comand": ["/bin/true"]}\n')
    expect(["submit", "jobs.jsonl"], 1, "bad JSON lines", env=env,
           err='error: jobs.jsonl:3: comand: unknown field (did you mean "command"?)')
    expect(["submit", "missing.json"], 1, "missing file", env=env,
           err="error: missing.json: No such file or directory")
    expect(["submit", "--near", "guangzou:3ms", "--", "/bin/true"], 1, "unknown region", env=env,
           err=['error: near.region: unknown region "guangzou"; did you mean "guangzhou"?',
                "(field: near.region)"])
    expect(["submit", "--gpus", "1000", "--", "/bin/true"], 1, "impossible job", env=env,
           err="error: ")
    expect(["job", "99999"], 1, "no such job", env=env, err="error: no job 99999 (field: id)")

    # the agent comes: jobs run
    atok = call(u, "POST", "/v1/tokens", admin,
                {"tenant": "lab-a", "role": "agent", "site": "gz-hpc"})[1]["token"]
    agent = FakeAgent(u, atok)
    agent.start()
    expect(["wait", early, second, "--timeout", "30s"], 0, "wait: completed", env=env,
           out=[f"job {early}: completed", f"job {second}: completed"])

    # a JSON job file, JSON lines, and an array
    good = os.path.join(WORK, "good.json")
    with open(good, "w") as f:
        json.dump({"name": "from-file", "command": ["/bin/echo", "hi"],
                   "placement": {"regions": {"allow": ["guangzhou"]}}}, f)
    so, _ = expect(["submit", good], 0, "submit a JSON file", env=env, no_err=True)
    from_file = so.strip()
    with open(lines, "w") as f:
        f.write('{"name": "l1", "command": ["/bin/true"]}\n\n'
                '{"name": "l2", "command": ["/bin/true"]}\n')
    so, _ = expect(["submit", *place, lines], 0, "submit JSON lines", env=env)
    check(len(so.split()) == 2 and all(x.isdigit() for x in so.split()), f"two ids: {so!r}")
    so, _ = expect(["submit", *place, "--json", lines], 0, "submit --json (batch)", env=env)
    got = parse_json(so, "submit --json")
    check(got and len(got.get("ids", [])) == 2, f"batch answer: {got}")
    so, _ = expect(["submit", *place, "--json", "--idempotency-key", "k-7", "--", "/bin/true"],
                   0, "submit --json", env=env)
    first = parse_json(so, "submit --json")
    so, se = expect(["submit", *place, "--idempotency-key", "k-7", "--", "/bin/true"], 0,
                    "idempotent retry", env=env, err="the idempotency key was used before")
    check(first and so.strip() == str(first["id"]), f"same id on retry: {so!r} {first}")

    # a Slurm batch script
    so, se = expect(["submit", *place, os.path.join(DATA, "sbatch", "02-mpi.sh")], 0,
                    "submit an #SBATCH script", env=env)
    mpi = so.strip()
    d = parse_json(sw("job", mpi, "--json", env=env)[1], "mpi job")
    check(d and d["tasks"] == 8 and d["gang"] is True and d["name"] == "wrf-prd"
          and d["spec"]["resources"]["cores"] == 2 and d["spec"]["walltime"] == 43200
          and d["spec"]["script"].startswith("#!/bin/bash"), f"mpi job: {d}")
    expect(["wait", mpi, "--timeout", "30s"], 0, "the script job completes", env=env)

    # logs, follow, stderr; a failing job; wait's exit codes
    so, _ = expect(["logs", from_file], 0, "logs", env=env, no_err=True)
    expect(["wait", from_file], 0, "wait from_file", env=env)
    so, _ = expect(["logs", from_file], 0, "logs after the end", env=env)
    check(so == f"hello from {from_file}\n", f"logs body: {so!r}")
    so, _ = expect(["logs", from_file, "--stderr"], 0, "logs --stderr", env=env)
    check(so == f"warn {from_file}\n", f"stderr body: {so!r}")
    so, _ = expect(["submit", *place, "--name", "slow-one", "--", "/bin/true"], 0, "submit slow",
                   env=env)
    slow = so.strip()
    t0 = time.time()
    so, _ = expect(["logs", slow, "--follow"], 0, "logs --follow", env=env)
    check(so == f"hello from {slow}\ndone\n", f"followed log: {so!r}")
    check(time.time() - t0 >= 1.0, "follow waited for the end of the task")
    expect(["logs", "99999"], 1, "logs of no job", env=env, err="error: ")
    so, _ = expect(["submit", *place, "--name", "fail-one", "--", "/bin/false"], 0, "submit fail",
                   env=env)
    failing = so.strip()
    expect(["wait", failing, "--timeout", "30s"], 1, "wait: failed", env=env,
           out=f"job {failing}: failed")
    so, _ = expect(["wait", from_file, "--json"], 0, "wait --json", env=env)
    w = parse_json(so, "wait --json")
    check(w and w["state"] == "completed", f"wait --json: {w}")
    expect(["wait", from_file, failing], 1, "wait: one of two failed", env=env)
    so, _ = expect(["job", failing], 0, "job: failed", env=env, out=["failed", "exit_status=3"])

    # cancel: a waiting job (no site in shenzhen has an agent)
    so, _ = expect(["submit", "--region-allow", "shenzhen", "--name", "to-cancel", "--",
                    "/bin/sleep", "100"], 0, "submit to cancel", env=env)
    victim = so.strip()
    expect(["cancel", victim], 0, "cancel", env=env, out=f"job {victim}: cancelled")
    expect(["cancel", victim], 0, "cancel again", env=env, out=f"job {victim}: cancelled")
    expect(["cancel", from_file], 0, "cancel a finished job", env=env,
           out=f"job {from_file}: completed (it had already ended)")
    so, _ = expect(["cancel", victim, "--json"], 0, "cancel --json", env=env)
    c = parse_json(so, "cancel --json")
    check(c and c["id"] == int(victim) and c["state"] == "cancelled", f"cancel --json: {c}")
    expect(["cancel", victim, "99999"], 1, "cancel a missing job", env=env,
           err="error: job 99999: no job 99999")
    expect(["wait", victim], 1, "wait: cancelled", env=env, out=f"job {victim}: cancelled")

    # jobs: the table, filters, paging, --json
    so, _ = expect(["jobs"], 0, "jobs", env=env,
                   out=["ID", "NAME", "STATE", "TASKS", "SITE", "SUBMITTED", "from-file",
                        "gz-hpc", "wrf-prd", "8 gang"])
    header = so.splitlines()[0].split()
    check(header == ["ID", "NAME", "STATE", "TASKS", "SITE", "SUBMITTED"], f"header: {header}")
    so, _ = expect(["jobs", "--state", "cancelled"], 0, "jobs --state", env=env, out="to-cancel")
    check("from-file" not in so, "the state filter filters")
    so, se = expect(["jobs", "--limit", "2"], 0, "jobs --limit", env=env, err="more jobs")
    check(len(so.splitlines()) == 3, f"2 rows and a header: {so!r}")
    lst = parse_json(expect(["jobs", "--json"], 0, "jobs --json", env=env)[0], "jobs --json")
    allj = parse_json(expect(["jobs", "--all", "--json"], 0, "jobs --all --json", env=env)[0],
                      "jobs --all")
    n = len(lst["jobs"]) if lst else -1
    check(lst and allj and n == len(allj["jobs"]) and n >= 10, f"jobs --json: {n}")
    direct = call(u, "GET", "/v1/jobs", tok)[1]
    check(lst == direct, "jobs --json is the server's JSON")
    expect(["jobs", "--tenant", "lab-b"], 1, "another tenant's jobs", env=env,
           err="(field: tenant)")

    # sites and top
    so, _ = expect(["sites"], 0, "sites", env=env,
                   out=["SITE", "REGION", "KIND", "P", "IN-USE", "CORES", "GPUS", "QUEUED",
                        "sg-ai", "shaoguan", "gz-hpc", "sz-cloud", "Ascend910B"])
    st = parse_json(expect(["sites", "--json"], 0, "sites --json", env=env)[0], "sites --json")
    check(st and [x["name"] for x in st["sites"]] == ["sg-ai", "gz-hpc", "sz-cloud"],
          f"sites --json: {st}")
    so, _ = expect(["top", "--once"], 0, "top --once", env=env,
                   out=["suanwang top", "network: 3 sites", "sg-ai", "[", "QUEUE"])
    check("\033[" not in so, "top --once draws no escape sequences")
finally:
    if agent:
        agent.stop = True
    s.stop()

if failures:
    print(f"{len(failures)} failures", file=sys.stderr)
    sys.exit(1)
print("cli: all checks passed")
