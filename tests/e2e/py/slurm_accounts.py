"""Slurm accounts and QoS from a job's tenant and QoS class (see
slurm_accounts.sh)."""
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import slurmtest  # noqa: E402
from slurmtest import (SUANWANG, call, failures, senv, state,  # noqa: E402
                       check, slurm, sjobs, sfield, wait_for, wait_state)
from swserver import Server  # noqa: E402

T0 = time.time()
work = slurmtest.setup("sw-slurm-accounts-", SW_SLURM_CPUS="8", SW_SLURM_SUBMIT_LOG="1")
CTLD_LOG = os.path.join(senv["SW_SLURM_DIR"], "log", "slurmctld.log")

NETWORK = {
    "about": "one Slurm site (tests/e2e/slurm_accounts.sh)",
    "regions": ["guangzhou"],
    "intra_region": {"latency_ms": 0.5, "bandwidth_gbps": 100},
    "links": [],
    "sites": [{"name": "hpc-slurm", "region": "guangzhou", "provider": "test", "kind": "hpc",
               "pue": 1.4, "carbon_g_per_kwh": 500, "backend": "slurm",
               "node_classes": [{"name": "cpu", "count": 1, "cores": 8, "mem_gib": 1,
                                 "price": {"core_hour_fen": 5}}]}],
}
MAPS = ["--slurm-account", "acct-default", "--slurm-account-map", "lab=acct-lab",
        "--slurm-account-map", "meteo=acct-meteo,ops=acct-ops",
        "--slurm-qos", "normal", "--slurm-qos-map", "interactive=debugq,realtime=urgent"]


def submitted(name):
    """What slurmctld's job_submit/logging plugin wrote of job `name`."""
    for line in open(CTLD_LOG, errors="replace"):
        if f"name:{name} " in line:
            return dict(re.findall(r"(\w+):(\S+)", line.split("Job submit request:", 1)[-1]))
    return {}


def run_as(token, *args):
    env = dict(os.environ, SUANWANG_SERVER=state["url"], SUANWANG_TOKEN=token)
    p = subprocess.run([SUANWANG, *args], capture_output=True, text=True, env=env, timeout=60)
    return p.returncode, p.stdout, p.stderr


netpath = os.path.join(work, "net.json")
with open(netpath, "w") as f:
    json.dump(NETWORK, f)
s = None
agent = None
try:
    # 0. the oracle: this Slurm (no accounting) takes any account string and
    #    records it; it takes any QoS but shows QOS=(null), so the QoS asked
    #    for is read from the job_submit/logging line instead
    sid = slurm("sbatch", "--parsable", "-J", "oracle", "-A", "any-account", "--qos", "anyq",
                "-o", "/dev/null", "--wrap", "true").strip().split(";")[0]
    check(sid.isdigit() and sfield(sid, "Account") == "any-account",
          f"Slurm records an arbitrary account: {sid!r} {sfield(sid, 'Account')}")
    check(wait_for(lambda: submitted("oracle").get("qos") == "anyq", 5),
          f"the submit log shows the QoS: {submitted('oracle')}")

    # bad maps are refused at start, naming the flag
    for bad, what in ((["--slurm-account-map", "lab"], "expected TENANT=ACCOUNT"),
                      (["--slurm-qos-map", "urgent=high"], "not a QoS class of suanwang"),
                      (["--slurm-account-map", "lab=a,lab=b"], "mapped twice"),
                      (["--slurm-account-map", "lab=-x"], "not a valid Slurm name")):
        p = subprocess.run([SUANWANG, "agent", "--backend", "slurm", "--site", "hpc-slurm",
                            "--show-capacity", *bad], capture_output=True, text=True, env=senv)
        check(p.returncode == 2 and what in p.stderr, f"{bad}: {p.returncode} {p.stderr!r}")

    s = Server(network=netpath, extra=["--heartbeat-timeout", "30"]).start()
    state["url"], admin = s.url, s.admin_token()
    tokens = {}
    for tenant in ("lab", "guest"):
        call(s.url, "POST", "/v1/tenants", admin, {"name": tenant})
        tokens[tenant] = call(s.url, "POST", "/v1/tokens", admin,
                              {"tenant": tenant, "role": "consumer"})[1]["token"]
    call(s.url, "POST", "/v1/tenants", admin, {"name": "ops", "kind": "provider"})
    state["user"] = tokens["lab"]
    agent_token = call(s.url, "POST", "/v1/tokens", admin,
                       {"tenant": "ops", "role": "agent", "site": "hpc-slurm"})[1]["token"]
    agent = slurmtest.start_agent("hpc-slurm", agent_token, *MAPS)
    check(wait_for(lambda: call(s.url, "GET", "/v1/sites", admin)[1]["sites"][0]["agent"]["up"],
                   15), "the slurm agent registered")

    cases = [  # tenant, QoS class, expected account, expected QoS
        ("lab", "interactive", "acct-lab", "debugq"),
        ("lab", "batch", "acct-lab", "normal"),        # unmapped class: --slurm-qos
        ("guest", "realtime", "acct-default", "urgent"),  # unmapped tenant: --slurm-account
    ]
    for tenant, qos, account, slurm_qos in cases:
        rc, out, err = run_as(tokens[tenant], "submit", "--name", f"{tenant}-{qos}", "--qos",
                              qos, "--", "/bin/true")
        check(rc == 0 and out.strip().isdigit(), f"submit as {tenant}: {rc} {out!r} {err!r}")
        jid = int(out.strip()) if out.strip().isdigit() else -1
        state["user"] = tokens[tenant]
        j = wait_state(jid, ("completed", "failed", "cancelled"), 40)
        check(j.get("state") == "completed", f"{tenant}/{qos}: completed: {j.get('state')}")
        name = f"sw-{jid}-0-1"
        sid = sjobs().get(name, ("0",))[0]
        check(sfield(sid, "Account") == account,
              f"{tenant}/{qos}: Account={sfield(sid, 'Account')}, expected {account}")
        got = submitted(name)
        check(got.get("qos") == slurm_qos and got.get("account") == account,
              f"{tenant}/{qos}: submitted with qos {got.get('qos')}, account "
              f"{got.get('account')}; expected {slurm_qos}, {account}")
finally:
    slurmtest.stop_agent(agent)
    if s:
        s.stop()
    if failures:
        print("--- agent log ---")
        print(slurmtest.agent_log("hpc-slurm"))
    slurmtest.teardown()

slurmtest.finish("slurm_accounts", T0)
