#!/usr/bin/env bash
# slurm_capacity.sh — a real Slurm of one 8-CPU node behind a site the
# network file declares with three: the agent reports Slurm's nodes as node
# classes (--show-capacity), the controller records declared vs reported vs
# schedulable nodes, holds the missing ones, and hands Slurm no more jobs
# than it can run (the rest wait, the reason naming capacity); a node
# drained in Slurm leaves the capacity, resumed it comes back. Skipped (77)
# where Slurm cannot run.
exec python3 "$(dirname "$0")/py/slurm_capacity.py"
