#!/usr/bin/env python3
"""The markdown report of bench/e2e.sh from its JSON lines (argv[1])."""
import json
import sys

rows = [json.loads(x) for x in open(sys.argv[1]) if x.strip()]
by = {}
for r in rows:
    by.setdefault(r["case"], r)
meta = by.get("meta", {})
out = []
p = out.append


def ms(x):
    return "—" if x is None else f"{x * 1000:,.0f} ms" if x >= 0.1 else f"{x * 1000:.1f} ms"


def rate(x):
    return "—" if x is None else f"{x:,.0f}/s"


def ratio(a, b):
    return "—" if not a or not b else f"{a / b:.1f}×"


p(f"# End to end: Slurm and suanwang side by side ({meta.get('date')})")
p("")
p(f"`{meta.get('cmdline')}` on {meta.get('cpus')} CPUs ({meta.get('cpu_model')}), {meta.get('mem')}, "
  f"{meta.get('os')}; suanwang {meta.get('commit')}; {meta.get('slurm') or 'no Slurm'}; "
  f"load average at start {meta.get('loadavg_start')}, at end {by.get('end', {}).get('loadavg_end')}.")
p("")
p("| figure | Slurm | suanwang | ratio (Slurm ÷ suanwang time) | target |")
p("|---|---:|---:|---:|---|")
lat = by.get("latency summary")
if lat:
    s, w = lat.get("slurm") or {}, lat["suanwang"]
    for q in ("p50", "p90", "max"):
        p(f"| (a) submit → done, one /bin/true, {q} of {w['n']} | {ms(s.get(q))} | {ms(w[q])} | "
          f"{ratio(s.get(q), w[q])} | < 100 ms |")
tp = by.get("throughput summary")
if tp:
    n = tp["tasks"]
    for kind, what in (("array", f"array of {n:,}"), ("singles", f"{n:,} single jobs")):
        s, w = tp.get(f"slurm_{kind}") or {}, tp.get(f"suanwang_{kind}") or {}
        p(f"| (b) {what}: first submit → last done | {s.get('s', 0):.2f} s ({rate(s.get('tasks_per_s'))}) | "
          f"{w.get('s', 0):.2f} s ({rate(w.get('tasks_per_s'))}) | {ratio(s.get('s'), w.get('s'))} | ≥ 10× |")
c = by.get("concurrency summary")
if c:
    a = c.get("agent_at_all_running") or {}
    p(f"| (c) {c['tasks']:,} × sleep {c['sleep_s']}: all running after | — | "
      f"{c['all_running_after_s']:.2f} s (peak {c['peak_running']:,} running) | — | all at once |"
      if c.get("all_running_after_s") is not None else
      f"| (c) {c['tasks']:,} × sleep {c['sleep_s']}: peak running | — | {c['peak_running']} | — | all at once |")
    p(f"| (c) agent at that moment: RSS / fds / threads / children | — | "
      f"{a.get('VmRSS', 0) / 1024:.1f} MiB / {a.get('fds')} / {a.get('Threads')} / "
      f"{c.get('agent_children_at_all_running')} | — | |")
    p(f"| (c) all completed after | — | {c['done_after_s']:.2f} s ({c['final_units']}) | — | |")
p("")
for k in ("latency error", "throughput error", "concurrency error"):
    if k in by:
        p(f"**{k}**: {by[k]['error']}")
        p("")
if lat:
    p(f"(a) time to the submit's answer alone: suanwang p50 {ms(lat['suanwang_submit']['p50'])}"
      + (f", Slurm (sbatch process) p50 {ms(lat['slurm_submit']['p50'])}" if lat.get("slurm_submit") else "")
      + f". Jobs not completed: {lat['not_completed']}.")
    p("")
if tp:
    for k in ("slurm_array", "suanwang_array", "slurm_singles", "suanwang_singles"):
        if k in tp:
            d = {x: y for x, y in tp[k].items()}
            p(f"- {k}: " + ", ".join(f"{x}={y:.3f}" if isinstance(y, float) else f"{x}={y}" for x, y in d.items()))
    p("")
if c:
    p("(c) detail: " + json.dumps({k: v for k, v in c.items() if k not in ("case", "t")}))
    p("")
print("\n".join(out))
