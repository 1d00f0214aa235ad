#!/usr/bin/env python3
"""gavel_throughput.py — Gavel's measured throughputs to a suanwang throughput file.

Gavel (Narayanan et al., OSDI'20; github.com/stanford-futuredata/gavel) ships
`simulation_throughputs.json`: training steps per second of 26 job types
(model x batch size) on K80, P100 and V100 GPUs, measured alone ("null") and
co-located with each other job type, for 1, 2, 4 and 8 GPUs. Its layout:

    {"v100": {"('ResNet-50 (batch size 32)', 1)": {"null": 12.3,
                                                   "('A3C', 1)": [x, y], ...}, ...},
     "p100": {...}, "k80": {...}, "v100_unconsolidated": {...}, ...}

This script keeps the isolated ("null") single-GPU (scale factor 1)
throughputs of the consolidated placements and writes, for every job type,
its throughput on each model relative to the V100 (V100 = 1.0) — the
`throughput` section of the network file format (docs/network.md):

    {"about": "...", "throughput": {"ResNet-50 (batch size 32)":
                                    {"K80": 0.159, "P100": 0.628, "V100": 1.0}, ...}}

It also adds one row per model family that has several batch sizes
("ResNet-50", "LM", ...): the geometric mean of that family's ratios.
A throughput of 0 in Gavel (the job type does not fit or was not measured)
stays 0, which suanwang reads as "unknown". Job types whose V100 throughput
is 0 are left out. Standard library only; output is deterministic.

Usage: scripts/gavel_throughput.py [--input FILE] [--output FILE]
"""
import argparse
import ast
import json
import math
import os
import sys

MODELS = [("k80", "K80"), ("p100", "P100"), ("v100", "V100")]  # Gavel key, catalog name
REFERENCE = "v100"
DIGITS = 4


def parse_key(key):
    """"('ResNet-50 (batch size 32)', 1)" -> ("ResNet-50 (batch size 32)", 1)."""
    job_type, scale = ast.literal_eval(key)
    return str(job_type), int(scale)


def family(job_type):
    """"ResNet-50 (batch size 32)" -> "ResNet-50"; "A3C" -> None (no batch sizes)."""
    cut = job_type.find(" (batch size ")
    return job_type[:cut] if cut > 0 else None


def isolated(data, gpu):
    """{job type: isolated single-GPU throughput} for one GPU model."""
    out = {}
    for key, entry in data[gpu].items():
        job_type, scale = parse_key(key)
        if scale == 1:
            out[job_type] = float(entry["null"])
    return out


def relative_rows(data):
    """{job type: {catalog model: throughput relative to the reference}}."""
    per_model = {gpu: isolated(data, gpu) for gpu, _ in MODELS}
    ref = per_model[REFERENCE]
    rows = {}
    for job_type in ref:  # Gavel's order: by model, then batch size
        if ref[job_type] <= 0:
            continue
        row = {}
        for gpu, name in MODELS:
            value = per_model[gpu].get(job_type, 0.0)
            row[name] = round(value / ref[job_type], DIGITS) if value > 0 else 0.0
        rows[job_type] = row
    return rows


def family_rows(rows):
    """Geometric mean over batch sizes, for families with more than one."""
    groups = {}
    for job_type, row in rows.items():
        fam = family(job_type)
        if fam:
            groups.setdefault(fam, []).append(row)
    out = {}
    for fam, members in groups.items():
        if len(members) < 2 or fam in rows:
            continue
        row = {}
        for _, name in MODELS:
            values = [m[name] for m in members if m[name] > 0]
            mean = math.exp(sum(math.log(v) for v in values) / len(values)) if values else 0.0
            row[name] = round(mean, DIGITS)
        out[fam] = row
    return out


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(here)
    default_in = os.path.join(repo, "..", "shared", "traces", "gpu", "gavel",
                              "simulation_throughputs.json")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", default=os.environ.get("GAVEL_THROUGHPUTS", default_in))
    parser.add_argument("--output", default=os.path.join(repo, "examples",
                                                         "throughput-gavel.json"))
    args = parser.parse_args()
    try:
        with open(args.input, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        sys.exit(f"gavel_throughput.py: {args.input}: {e}")
    missing = [gpu for gpu, _ in MODELS if gpu not in data]
    if missing:
        sys.exit(f"gavel_throughput.py: {args.input}: no data for {', '.join(missing)}")
    rows = relative_rows(data)
    rows.update(family_rows(rows))
    doc = {
        "about": "Relative training throughput by job type, from Gavel's measured "
                 "simulation_throughputs.json (stanford-futuredata/gavel, OSDI'20): isolated, "
                 "single-GPU steps/s on each model divided by the V100's (V100 = 1.0). Rows "
                 "named by family alone (\"ResNet-50\") are geometric means over batch sizes. "
                 "0 = not measured / does not fit. Generated by scripts/gavel_throughput.py; "
                 "do not edit by hand.",
        "throughput": rows,
    }
    with open(args.output, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    print(f"wrote {args.output}: {len(rows)} workload classes")


if __name__ == "__main__":
    main()
