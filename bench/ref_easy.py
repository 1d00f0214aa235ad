#!/usr/bin/env python3
"""ref_easy.py - a deliberately simple reference simulator for suanwang.

It re-implements, independently of the C code and with nothing but the
Python standard library, the canonical SWF loading rules and the FCFS, SJF
and EASY scheduling rules (docs/swf.md, policy_easy.c's header comment):

SWF loading
  procs = field 8 if > 0 else field 5; runtime = field 4;
  estimate = field 9 if > 0 else runtime; runtime := min(runtime, estimate).
  Skip runtime <= 0, procs <= 0, submit < 0 (in that order), then
  procs > machine size. Machine size = header "; MaxProcs: N", else
  "; MaxNodes: N", else the largest remaining job. Jobs are ordered by
  (submit, id), stably.

Events
  One at a time, by (time, kind, creation order): arrivals before
  completions at the same instant; completions at one instant in the order
  they were created (= start order). One scheduling pass after each event.
  A running job whose estimated end (start + estimate) is <= now counts as
  already finished when deciding whether a job fits.

Policies
  fcfs  start jobs from the head of the queue (by (submit, id)) while the
        head fits.
  sjf   the same with the queue ordered by (estimate, submit, id).
  easy  fcfs; then the head gets a reservation at the shadow time: the
        earliest instant at which enough processors are free if running
        jobs end at start + estimate; extra = free processors at the shadow
        time (counting every running job whose estimated end is <= the
        shadow time) minus the head's procs; then every other queued job,
        in queue order, starts now if it fits now and either ends
        (now + estimate) no later than the shadow time, or needs no more
        than extra (then extra -= its procs).

It is meant to be read, not to be fast: it is the speed anchor of
bench/run.sh and the oracle of bench/oracle.sh.

Usage:
  ref_easy.py --trace FILE[.gz] [--policy easy|fcfs|sjf] [--first N]
              [--starts OUT.csv]

Prints one JSON line: trace, policy, jobs, procs, machine_source, skipped,
mean_wait_s, max_wait_s, utilization, load_seconds, sim_seconds.
--starts writes "id,submit,start,end,procs" per job, in trace order.
"""

import argparse
import bisect
import gzip
import heapq
import json
import os
import re
import sys
import time

HEADER_RE = re.compile(r"^\s*;\s*(MaxProcs|MaxNodes)\s*:\s*([+-]?\d+)")


def parse_int(text):
    """A decimal integer; a decimal fraction is truncated toward zero."""
    if "." in text:
        whole, frac = text.split(".", 1)
        if not whole.lstrip("+-").isdigit() or not frac.isdigit():
            raise ValueError(text)
        return int(whole)  # int("-1") of "-1.9": truncation toward zero
    return int(text)


def open_trace(path):
    with open(path, "rb") as f:
        magic = f.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rt", encoding="latin-1")
    return open(path, "rt", encoding="latin-1")


def load_swf(path, first=0):
    """Returns (jobs, machine_procs, machine_source, skipped).
    Each job is a dict-free tuple (submit, id, procs, runtime, estimate)."""
    header = {}
    kept = []
    skipped = {"runtime": 0, "procs": 0, "submit": 0, "too_big": 0, "malformed": 0}
    with open_trace(path) as f:
        for line in f:
            s = line.strip()
            if not s:
                continue
            if s.startswith(";"):
                m = HEADER_RE.match(s)
                if m and m.group(1) not in header and int(m.group(2)) > 0:
                    header[m.group(1)] = int(m.group(2))
                continue
            fields = s.split()
            if len(fields) != 18:
                skipped["malformed"] += 1
                continue
            try:
                v = [parse_int(x) for x in fields]
            except ValueError:
                skipped["malformed"] += 1
                continue
            if v[0] < 0:
                skipped["malformed"] += 1
                continue
            job_id, submit, runtime = v[0], v[1], v[3]
            procs = v[7] if v[7] > 0 else v[4]
            estimate = v[8] if v[8] > 0 else runtime
            runtime = min(runtime, estimate)
            if runtime <= 0:
                skipped["runtime"] += 1
            elif procs <= 0:
                skipped["procs"] += 1
            elif submit < 0:
                skipped["submit"] += 1
            else:
                kept.append((submit, job_id, procs, runtime, estimate))
    if "MaxProcs" in header:
        machine, source = header["MaxProcs"], "MaxProcs"
    elif "MaxNodes" in header:
        machine, source = header["MaxNodes"], "MaxNodes"
    else:
        machine = max((j[2] for j in kept), default=0)
        source = "largest job"
    jobs = [j for j in kept if j[2] <= machine]
    skipped["too_big"] = len(kept) - len(jobs)
    jobs.sort(key=lambda j: (j[0], j[1]))  # list.sort is stable
    if first > 0:
        jobs = jobs[:first]
    return jobs, machine, source, skipped


class Simulator:
    """The event loop and the three policies.

    Job i is the i-th job in trace order. Per job, plain lists hold the
    fields (SUBMIT, ID, PROCS, RUNTIME, EST) and the result (start, end).
    """

    def __init__(self, jobs, machine, policy):
        self.machine = machine
        self.policy = policy
        self.submit = [j[0] for j in jobs]
        self.ids = [j[1] for j in jobs]
        self.procs = [j[2] for j in jobs]
        self.runtime = [j[3] for j in jobs]
        self.est = [j[4] for j in jobs]
        n = len(jobs)
        self.start = [-1] * n
        self.end = [-1] * n
        self.queue = []         # job indices in queue order
        self.queue_keys = []    # sjf only: sort keys parallel to queue
        self.running = []       # (estimated end, start seq, procs), sorted
        self.used = 0           # procs held by running jobs
        self.completions = []   # heap of (end, start seq, job)
        self.start_seq = 0

    # ---- queue ------------------------------------------------------
    def enqueue(self, i):
        if self.policy == "sjf":
            key = (self.est[i], self.submit[i], self.ids[i], i)
            k = bisect.bisect_right(self.queue_keys, key)
            self.queue_keys.insert(k, key)
            self.queue.insert(k, i)
        else:
            # jobs arrive in (submit, id) order: appending keeps the order
            self.queue.append(i)

    # ---- running set ------------------------------------------------
    def start_job(self, i, now):
        self.start[i] = now
        self.end[i] = now + self.runtime[i]
        seq = self.start_seq
        self.start_seq += 1
        bisect.insort(self.running, (now + self.est[i], seq, self.procs[i]))
        self.used += self.procs[i]
        heapq.heappush(self.completions, (self.end[i], seq, i))

    def complete_job(self, seq, i):
        key = (self.start[i] + self.est[i], seq, self.procs[i])
        k = bisect.bisect_left(self.running, key)
        assert self.running[k] == key
        del self.running[k]
        self.used -= self.procs[i]

    def free_now(self, now):
        free = self.machine - self.used
        for est_end, _, procs in self.running:
            if est_end > now:
                break
            free += procs  # past its estimated end: counts as finished
        return free

    # ---- one scheduling pass ----------------------------------------
    def schedule(self, now):
        q = self.queue
        if not q:
            return
        free = self.free_now(now)
        # start jobs from the head while the head fits
        n_started = 0
        while n_started < len(q) and self.procs[q[n_started]] <= free:
            i = q[n_started]
            free -= self.procs[i]
            self.start_job(i, now)
            n_started += 1
        if n_started:
            del q[:n_started]
            if self.queue_keys:
                del self.queue_keys[:n_started]
        if self.policy != "easy" or len(q) < 2 or free <= 0:
            return  # (with nothing free, nothing can be backfilled)

        # the head's reservation: the shadow time and the extra procs
        head_procs = self.procs[q[0]]
        avail = free
        shadow = None
        for est_end, _, procs in self.running:
            if est_end <= now:
                continue  # already counted in free
            if shadow is not None and est_end > shadow:
                break
            avail += procs
            if shadow is None and avail >= head_procs:
                shadow = est_end
        assert shadow is not None, "the head can never run"
        extra = avail - head_procs

        # backfill: every other queued job, in queue order
        keep = [q[0]]
        procs, est = self.procs, self.est
        for pos in range(1, len(q)):
            i = q[pos]
            p = procs[i]
            if p <= free:
                if now + est[i] <= shadow:
                    free -= p
                    self.start_job(i, now)
                    continue
                if p <= extra:
                    extra -= p
                    free -= p
                    self.start_job(i, now)
                    continue
            keep.append(i)
        if len(keep) != len(q):
            self.queue = keep

    # ---- the event loop ---------------------------------------------
    def run(self):
        n = len(self.submit)
        a = 0  # next arrival
        comp = self.completions
        while a < n or comp:
            if a < n and (not comp or self.submit[a] <= comp[0][0]):
                now = self.submit[a]  # arrivals first at one instant
                self.enqueue(a)
                a += 1
            else:
                now, seq, i = heapq.heappop(comp)
                self.complete_job(seq, i)
            self.schedule(now)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--trace", required=True)
    ap.add_argument("--policy", default="easy", choices=["easy", "fcfs", "sjf"])
    ap.add_argument("--first", type=int, default=0)
    ap.add_argument("--starts", help="write id,submit,start,end,procs per job here")
    args = ap.parse_args()

    t0 = time.perf_counter()
    jobs, machine, source, skipped = load_swf(args.trace, args.first)
    load_s = time.perf_counter() - t0

    sim = Simulator(jobs, machine, args.policy)
    t0 = time.perf_counter()
    sim.run()
    sim_s = time.perf_counter() - t0

    n = len(jobs)
    waits = [sim.start[i] - sim.submit[i] for i in range(n)]
    if n:
        first_submit = min(sim.submit)
        last_end = max(sim.end)
        span = last_end - first_submit
        area = sum(sim.procs[i] * sim.runtime[i] for i in range(n))
        util = area / (machine * span) if span > 0 else 0.0
    else:
        util = 0.0
    out = {
        "trace": os.path.basename(args.trace),
        "policy": args.policy,
        "jobs": n,
        "procs": machine,
        "machine_source": source,
        "skipped": skipped,
        "mean_wait_s": sum(waits) / n if n else 0.0,
        "max_wait_s": max(waits, default=0),
        "utilization": util,
        "never_started": sum(1 for s in sim.start if s < 0),
        "load_seconds": load_s,
        "sim_seconds": sim_s,
    }
    if args.starts:
        with open(args.starts, "w") as f:
            f.write("id,submit,start,end,procs\n")
            for i in range(n):
                f.write(f"{sim.ids[i]},{sim.submit[i]},{sim.start[i]},{sim.end[i]},"
                        f"{sim.procs[i]}\n")
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
