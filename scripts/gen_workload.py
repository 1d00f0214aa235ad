#!/usr/bin/env python3
"""gen_workload.py — write a small mixed JSON-lines workload (docs/jobs.md)
for the Guangdong demo network: one simulated day of drone perception
services, LLM training gangs, fine-tuning and batch inference, data
annotation arrays, data cleaning and HPC MPI jobs.

Deterministic: the same --seed and --jobs give the same bytes (only
Random.random() is used, whose sequence Python keeps stable). The committed
examples/workload-gd.jsonl is

    python3 scripts/gen_workload.py --seed 7 --jobs 150 > examples/workload-gd.jsonl
"""
import argparse
import json
import math
import random
import sys

DAY = 86400
REGIONS = ["shaoguan", "guangzhou", "shenzhen"]
DATA_REGIONS = ["shenzhen", "guangzhou"]
TENANTS = {  # tenant: user id
    "lowalt-air": 101, "gba-ai-lab": 102, "gba-data": 103,
    "gd-meteo": 104, "sz-fintech": 105, "gz-bio": 106,
}


class Gen:
    def __init__(self, seed):
        self.rng = random.Random(seed)

    def uniform(self, lo, hi):
        return lo + (hi - lo) * self.rng.random()

    def int(self, lo, hi):
        """Integer in [lo, hi]."""
        return lo + min(hi - lo, int(self.rng.random() * (hi - lo + 1)))

    def pick(self, seq):
        return seq[self.int(0, len(seq) - 1)]

    def submit(self):
        """A submit time with more arrivals in working hours (UTC+8 clock)."""
        while True:
            t = self.rng.random() * DAY
            hour = t / 3600
            weight = 0.35 + 0.65 * math.exp(-((hour - 14) / 4.5) ** 2)
            if self.rng.random() < weight:
                return int(t)

    def runtime(self, walltime, lo=0.3, hi=0.95):
        return max(60, int(walltime * self.uniform(lo, hi)))


def base(name, tenant, command, submit):
    return {"name": name, "tenant": tenant, "user": TENANTS[tenant],
            "command": command, "submit": submit}


def drone_service(g, i):
    region = REGIONS[i % len(REGIONS)]
    job = base(f"drone-perception-{region}-{i}", "lowalt-air",
               ["/opt/drone/bin/perceive", "--sector", str(i)], g.int(0, 1800))
    share = g.pick([0.5, 1])
    job.update({"tasks": 1,
                "resources": {"cores": 8, "mem_gib": 32,
                              "gpus": {"count": share, "model": ["L40S", "L20", "A100"]}},
                "walltime": "1d", "runtime": DAY - 3600,
                "qos": "realtime", "preemptible": False,
                "near": f"{region}:3ms", "objective": "fastest", "retries": 10})
    return job


def llm_training(g, i):
    tasks = g.pick([2, 4, 8, 16, 64])
    wall = g.pick([4, 8, 12, 24, 48]) * 3600
    size_gb = g.pick([100, 250, 500, 1000, 2000])
    job = base(f"llm-train-{i}", "gba-ai-lab",
               ["torchrun", f"--nnodes={tasks}", "--nproc-per-node=8", "train.py"], g.submit())
    job.update({"tasks": tasks, "gang": True,
                "resources": {"cores": 64, "mem_gib": 1024,
                              "gpus": {"count": 8, "model": ["A800", "A100", "H800"],
                                       "equivalent": True, "ref_model": "A800"}},
                "walltime": wall, "runtime_estimate": int(wall * 0.8),
                "runtime": g.runtime(wall, 0.4, 0.8), "qos": "batch",
                "data": {"inputs": [{"name": f"corpus-{i}", "size": f"{size_gb}GB",
                                     "region": g.pick(DATA_REGIONS)}],
                         "output_region": "shenzhen"},
                "objective": "balanced", "retries": 2})
    return job


def gpu_single(g, i):
    gpus = g.pick([1, 2, 4, 8])
    wall = g.pick([1, 2, 4, 6]) * 3600
    tenant = g.pick(["sz-fintech", "gz-bio", "gba-ai-lab"])
    kind = g.pick(["finetune", "batch-infer"])
    job = base(f"{kind}-{i}", tenant, ["python3", f"{kind}.py", "--shard", str(i)], g.submit())
    job.update({"tasks": 1,
                "resources": {"cores": 8 * gpus, "mem_gib": 64 * gpus,
                              "gpus": {"count": gpus, "min_mem_gib": 40, "equivalent": True}},
                "walltime": wall, "runtime": g.runtime(wall),
                "qos": g.pick(["batch", "batch", "spot"]),
                "objective": g.pick(["cheapest", "greenest", "fastest"]), "retries": 1})
    if g.rng.random() < 0.5:
        job["placement"] = {"regions": {"allow": ["shaoguan", tenant == "sz-fintech"
                                                  and "shenzhen" or "guangzhou"]}}
    return job


def annotation(g, i):
    tasks = g.pick([50, 100, 200, 500])
    wall = g.pick([20, 30, 60]) * 60
    region = g.pick(DATA_REGIONS)
    job = base(f"annotate-{i}", "gba-data", ["python3", "-m", "annotate.worker"], g.submit())
    job.update({"tasks": tasks, "resources": {"cores": 1, "mem_gib": 2},
                "walltime": wall, "runtime_estimate": wall // 2,
                "runtime": g.runtime(wall, 0.2, 0.6), "qos": "spot",
                "data": {"inputs": [{"name": f"images-{i}", "size": f"{g.int(5, 80) * 10}GB",
                                     "region": region}],
                         "output_region": region},
                "objective": "cheapest", "max_price_fen": 30, "retries": 3})
    return job


def cleaning(g, i):
    wall = g.pick([10, 30, 60, 120]) * 60
    job = base(f"clean-{i}", g.pick(["gba-data", "gz-bio"]),
               ["/usr/local/bin/dedup", "--input", f"raw-{i}"], g.submit())
    job.update({"tasks": g.pick([1, 1, 4, 16]),
                "resources": {"cores": g.pick([2, 4, 8]), "mem_gib": g.pick([4, 8, 16])},
                "walltime": wall, "runtime": g.runtime(wall, 0.1, 0.9), "qos": "batch",
                "objective": g.pick(["cheapest", "greenest"]), "retries": 1})
    return job


def hpc_mpi(g, i):
    tasks = g.pick([4, 8, 16])
    wall = g.pick([1, 2, 6, 12]) * 3600
    job = base(f"wrf-{i}", "gd-meteo", ["/opt/wrf/run/wrf.exe"], g.submit())
    job.update({"tasks": tasks, "gang": True,
                "resources": {"cores": 32, "mem_gib": 128},
                "walltime": wall, "runtime": g.runtime(wall, 0.5, 0.95), "qos": "batch",
                "data": {"inputs": [{"name": f"gfs-boundary-{i}", "size": "40GB",
                                     "region": "guangzhou"}],
                         "output_region": "guangzhou"},
                "placement": {"kinds": {"allow": ["hpc"]}},
                "objective": "fastest", "retries": 1})
    return job


# (kind, share of the jobs after the fixed drone services)
MIX = [(llm_training, 0.08), (gpu_single, 0.30), (annotation, 0.14),
       (cleaning, 0.33), (hpc_mpi, 0.15)]


def generate(seed, njobs):
    g = Gen(seed)
    jobs = [drone_service(g, i) for i in range(min(4, njobs))]
    while len(jobs) < njobs:
        x, acc = g.rng.random(), 0.0
        for make, share in MIX:
            acc += share
            if x < acc or make is MIX[-1][0]:
                jobs.append(make(g, len(jobs)))
                break
    jobs.sort(key=lambda j: j["submit"])  # stable: ties keep generation order
    for n, job in enumerate(jobs, 1):
        job["id"] = n
    return jobs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--jobs", type=int, default=150)
    args = ap.parse_args()
    out = sys.stdout
    out.write(f"# suanwang workload: {args.jobs} jobs over one simulated day (s from 00:00 UTC+8)\n")
    out.write(f"# generated by scripts/gen_workload.py --seed {args.seed} --jobs {args.jobs}\n")
    for job in generate(args.seed, args.jobs):
        out.write(json.dumps(job, ensure_ascii=False, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
