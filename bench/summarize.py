#!/usr/bin/env python3
"""summarize.py - the markdown report of bench/run.sh from its JSON lines.

  summarize.py RESULTS.jsonl > RESULTS.md

Record kinds (one JSON object per line, written by run.sh and oracle.sh):
  meta    date, machine, compiler, commit, settings
  load    a `--first 1` run of one log: peak RSS of loading the trace
  sim     one simulator run: log, label (policy), first, rep, status,
          rss_kib, wall_s, result (suanwang's --json object)
  oracle  one comparison with bench/ref_easy.py (see oracle_compare.py)
"""

import json
import statistics
import sys

TARGET_JOBS = 100_000
TARGET_S = 0.5  # "well under 1 s", taken as at most half a second


def mib(kib):
    return f"{kib / 1024:.1f}" if kib is not None else "n/a"


def fmt_s(s):
    if s is None:
        return "n/a"
    return f"{s:.3f}" if s < 10 else f"{s:.1f}"


def fmt_int(n):
    return f"{n:,}"


def main():
    recs = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
    meta = next((r for r in recs if r["kind"] == "meta"), {})
    loads = {r["log"]: r for r in recs if r["kind"] == "load"}
    sims = [r for r in recs if r["kind"] == "sim"]
    oracles = [r for r in recs if r["kind"] == "oracle"]

    # group the simulator runs by (log, first, label), in the order first seen
    groups = {}
    for r in sims:
        groups.setdefault((r["log"], r["first"], r["label"]), []).append(r)

    def summary(runs):
        ok = [r for r in runs if r["status"] == "ok"]
        res = ok[0]["result"] if ok else None
        s = {
            "runs": runs,
            "n": len(ok),
            "status": "ok" if ok else runs[0]["status"],
            "jobs": res["jobs"] if res else None,
            "sim_s": statistics.median(r["result"]["sim_seconds"] for r in ok) if ok else None,
            "rss": max((r["rss_kib"] for r in ok if r["rss_kib"] is not None), default=None),
            "res": res,
            "checks_ok": all(r["result"]["checks"]["ok"] for r in ok) if ok else None,
        }
        return s

    S = {k: summary(v) for k, v in groups.items()}

    def log_jobs(log):
        return next((s["jobs"] for (l, f, _), s in S.items() if l == log and f == 0 and s["jobs"]),
                    None)
    out = []
    w = out.append
    w(f"# Simulator benchmark, {meta.get('date', '?')}")
    w("")
    w(f"- machine: {meta.get('nproc', '?')} CPUs ({meta.get('cpu', '?')}), "
      f"{meta.get('mem', '?')} memory, Debian {meta.get('debian', '?')}, "
      f"kernel {meta.get('kernel', '?')}")
    w(f"- build: {meta.get('compiler', '?')}, CMAKE_BUILD_TYPE=Release "
      f"(-O3 -DNDEBUG), commit {meta.get('commit', '?')}")
    w(f"- command: `{meta.get('command', 'bash bench/run.sh')}`; "
      f"{meta.get('reps', '?')} run(s) per cell, the median sim_seconds is shown; "
      f"time limit {meta.get('timeout', '?')} s per run")
    w("- sim s = `sim_seconds` of `suanwang sim --json` (the simulation only, without loading); "
      "jobs/s = jobs / sim s; peak RSS = GNU time's maximum resident set size of the whole "
      "process (largest of the runs); bytes/job = peak RSS / jobs; sim bytes/job = (peak RSS − "
      "peak RSS of loading the same log with `--first 1`) / jobs: what the simulation adds on "
      "top of the loaded trace")
    w("")

    # ---- logs --------------------------------------------------------
    if loads:
        w("## Logs (loading only: `--first 1`)")
        w("")
        w("| log | jobs | machine procs | wall s (load + exit) | peak RSS MiB |")
        w("|---|---:|---:|---:|---:|")
        for log, r in loads.items():
            jobs = log_jobs(log)
            procs = r["result"]["procs"] if r.get("result") else None
            w(f"| {log} | {fmt_int(jobs) if jobs else '?'} | "
              f"{fmt_int(procs) if procs else '?'} | {fmt_s(r.get('wall_s'))} | "
              f"{mib(r.get('rss_kib'))} |")
        w("")

    # ---- the simulator ------------------------------------------------
    w("## Simulator: jobs per second and memory")
    w("")
    w("| log | jobs | policy | sim s | jobs/s | peak RSS MiB | bytes/job | sim bytes/job "
      "| mean wait s | utilization | checks |")
    w("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for (log, first, label), s in S.items():
        if first:
            continue
        if s["status"] != "ok":
            jobs = log_jobs(log)
            w(f"| {log} | {fmt_int(jobs) if jobs else '?'} | {label} | {s['status']} "
              f"| — | — | — | — | — | — | — |")
            continue
        jobs, sim_s, rss = s["jobs"], s["sim_s"], s["rss"]
        load_rss = loads.get(log, {}).get("rss_kib")
        per_job = f"{rss * 1024 / jobs:.0f}" if rss else "n/a"
        sim_per_job = (f"{(rss - load_rss) * 1024 / jobs:.0f}"
                       if rss and load_rss is not None else "n/a")
        jps = f"{jobs / sim_s:,.0f}" if sim_s > 0 else "∞"
        res = s["res"]
        w(f"| {log} | {fmt_int(jobs)} | {label} | {fmt_s(sim_s)} | {jps} | {mib(rss)} | "
          f"{per_job} | {sim_per_job} | {res['mean_wait_s']:.0f} | "
          f"{res['utilization']:.3f} | {'ok' if s['checks_ok'] else 'FAILED'} |")
    w("")

    # ---- the target ----------------------------------------------------
    tgt = [(log, first, s) for (log, first, label), s in S.items()
           if first == TARGET_JOBS and label == "easy"]
    full_easy = [(log, s) for (log, first, label), s in S.items()
                 if first == 0 and label == "easy" and s["status"] == "ok"]
    w("## Target: a 10^5-job log with EASY in well under a second")
    w("")
    if tgt:
        w(f"EASY on the first {TARGET_JOBS:,} jobs (`--first {TARGET_JOBS}`) of each log that "
          "has more, and on the whole logs:")
        w("")
        w("| log | jobs | EASY sim s | jobs/s | max queued |")
        w("|---|---:|---:|---:|---:|")
        for log, first, s in tgt:
            if s["status"] != "ok":
                w(f"| {log} (first {first:,}) | {first:,} | {s['status']} | — | — |")
                continue
            w(f"| {log} (first {first:,}) | {fmt_int(s['jobs'])} | {fmt_s(s['sim_s'])} | "
              f"{s['jobs'] / s['sim_s']:,.0f} | {s['res']['max_queued']:,} |")
        for log, s in full_easy:
            w(f"| {log} (whole) | {fmt_int(s['jobs'])} | {fmt_s(s['sim_s'])} | "
              f"{s['jobs'] / s['sim_s']:,.0f} | {s['res']['max_queued']:,} |")
        w("")
    ok_t = [s for _, _, s in tgt if s["status"] == "ok"]
    if ok_t and len(ok_t) == len(tgt):
        worst = max(ok_t, key=lambda s: s["sim_s"])
        wlog = next(l for l, _, s in tgt if s is worst)
        met = worst["sim_s"] <= TARGET_S
        w(f"**Verdict: {'MET' if met else 'NOT MET'}**: the slowest 10^5-job EASY run "
          f"({wlog}, first {TARGET_JOBS:,} jobs) simulated in {worst['sim_s']:.3f} s "
          f"(\"well under 1 s\" taken as ≤ {TARGET_S} s).")
    else:
        w("**Verdict: not measured** (no complete 10^5-job EASY run).")
    w("")

    # ---- oracle and reference -----------------------------------------
    if oracles:
        w("## Oracle and comparison: `bench/ref_easy.py` (simple Python reference)")
        w("")
        w("Same SWF loading rules and the same FCFS/SJF/EASY rules, written separately in "
          "plain Python 3 (standard library only). `differ` = jobs whose start time (or id or "
          "submit) is not the same in suanwang's `jobs.csv` and the reference's output "
          "(expected 0). Ratio = reference sim s / suanwang sim s (suanwang: the median above "
          "where benchmarked, else its single oracle run, marked *).")
        w("")
        w("| log | policy | jobs | differ | suanwang sim s | reference sim s | ratio "
          "| suanwang peak RSS MiB | reference peak RSS MiB |")
        w("|---|---|---:|---:|---:|---:|---:|---:|---:|")
        all_ok = True
        nrun = 0
        for o in oracles:
            if o["status"] != "ok":
                all_ok = False
                w(f"| {o['log']} | {o['policy']} | — | {o['status']} | — | — | — | — | — |")
                continue
            nrun += 1
            if o["differ"]:
                all_ok = False
            s = S.get((o["log"], o.get("first", 0), o["policy"]))
            if s and s["status"] == "ok":
                sw_s, star, sw_rss = s["sim_s"], "", mib(s["rss"])
            else:
                sw_s, star, sw_rss = o["sw_sim_seconds"], "*", "n/a"
            ratio = (f"{o['ref_sim_seconds'] / sw_s:.0f}×" if sw_s else "n/a")
            diff = f"**{o['differ']}**" if o["differ"] else "0"
            w(f"| {o['log']} | {o['policy']} | {fmt_int(o['jobs_sw'])} | {diff} | "
              f"{fmt_s(sw_s)}{star} | {fmt_s(o['ref_sim_seconds'])} | {ratio} | {sw_rss} | "
              f"{mib(o.get('ref_rss_kib'))} |")
        w("")
        if all_ok:
            w(f"**Oracle: all {nrun} comparisons agree job by job.**")
        else:
            w("**Oracle: DISAGREEMENT or runs that did not finish**; first differing jobs:")
            w("")
            for o in oracles:
                for d in o.get("first_differ", [])[:5]:
                    w(f"- {o['log']} {o['policy']}: row {d['row']}, id {d['id']}, submit "
                      f"{d['submit']}: suanwang start {d['sw_start']}, reference start "
                      f"{d['ref_start']}")
        w("")
    print("\n".join(out))


if __name__ == "__main__":
    main()
