#!/usr/bin/env python3
"""oracle_compare.py - compare suanwang's schedule with ref_easy.py's, job by job.

  oracle_compare.py --sw-csv DIR/jobs.csv --ref-csv ref.csv
                    [--sw-json sw.json] [--ref-json ref.json]
                    [--log NAME] [--policy P] [--first N] [--ref-rss-kib K]
                    [--ref-wall-s S] [--show N]

Both CSV files list the jobs in trace order with a header line; the columns
used are id, submit and start (suanwang's jobs.csv:
id,submit,start,end,procs,wait,...; ref_easy.py's: id,submit,start,end,procs).
A job "differs" when its id, submit or start time differs; when the two
files have different numbers of jobs, the missing rows all count as
differing.

Prints one JSON line on stdout (kind "oracle") and a one-line verdict on
stderr; exits 0 when no job differs, 1 otherwise.
"""

import argparse
import csv
import json
import sys


def read_rows(path):
    with open(path, newline="") as f:
        r = csv.reader(f)
        header = next(r)
        col = {name: k for k, name in enumerate(header)}
        for name in ("id", "submit", "start"):
            if name not in col:
                sys.exit(f"oracle_compare: {path}: no column \"{name}\" in the header")
        ci, cs, ct = col["id"], col["submit"], col["start"]
        return [(int(row[ci]), int(row[cs]), int(row[ct])) for row in r]


def load_json(path):
    if not path:
        return None
    with open(path) as f:
        return json.loads(f.readline())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sw-csv", required=True)
    ap.add_argument("--ref-csv", required=True)
    ap.add_argument("--sw-json")
    ap.add_argument("--ref-json")
    ap.add_argument("--log", default="")
    ap.add_argument("--policy", default="easy")
    ap.add_argument("--first", type=int, default=0)
    ap.add_argument("--ref-rss-kib", type=int)
    ap.add_argument("--ref-wall-s", type=float)
    ap.add_argument("--show", type=int, default=10)
    a = ap.parse_args()

    sw = read_rows(a.sw_csv)
    ref = read_rows(a.ref_csv)
    differ = abs(len(sw) - len(ref))
    first = []
    for k, (s, r) in enumerate(zip(sw, ref)):
        if s != r:
            differ += 1
            if len(first) < a.show:
                first.append({"row": k + 1, "id": s[0], "submit": s[1], "sw_start": s[2],
                              "ref_id": r[0], "ref_submit": r[1], "ref_start": r[2]})

    swj = load_json(a.sw_json) or {}
    refj = load_json(a.ref_json) or {}
    out = {
        "kind": "oracle",
        "log": a.log,
        "policy": a.policy,
        "first": a.first,
        "status": "ok",
        "jobs_sw": len(sw),
        "jobs_ref": len(ref),
        "differ": differ,
        "first_differ": first,
        "sw_sim_seconds": swj.get("sim_seconds"),
        "sw_mean_wait_s": swj.get("mean_wait_s"),
        "ref_sim_seconds": refj.get("sim_seconds"),
        "ref_load_seconds": refj.get("load_seconds"),
        "ref_mean_wait_s": refj.get("mean_wait_s"),
        "ref_rss_kib": a.ref_rss_kib,
        "ref_wall_s": a.ref_wall_s,
    }
    print(json.dumps(out), flush=True)
    verdict = "agree" if differ == 0 else "DIFFER"
    msg = (f"oracle  {a.log:<32} {a.policy:<5} jobs {len(sw)}/{len(ref)}  "
           f"differing starts {differ}  {verdict}")
    if first:
        f0 = first[0]
        msg += (f"; first at row {f0['row']}: id {f0['id']} submit {f0['submit']} "
                f"suanwang start {f0['sw_start']}, reference start {f0['ref_start']}")
    print(msg, file=sys.stderr)
    return 0 if differ == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
