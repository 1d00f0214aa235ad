#!/usr/bin/env bash
# slurm_sbatch_oracle.sh — a real Slurm is the oracle for `suanwang submit
# SCRIPT.sh`: each script of tests/data/sbatch is submitted with `sbatch
# --hold` to a single-host Slurm brought up by scripts/slurm-up.sh, and what
# `scontrol show job` reports (NumTasks, NumNodes, CPUs/Task, MinMemory*,
# TimeLimit, JobName, ArrayTaskId, GRES, StdOut/StdErr, WorkDir) is compared
# with the job JSON of `suanwang submit --dry-run --json SCRIPT`; scripts that
# sbatch refuses must be refused by suanwang too. Then everything is
# scancel'ed and the cluster stopped. Skips (77) with a reason where Slurm
# cannot run (not root, packages missing).
exec python3 "$(dirname "$0")/py/sbatch_oracle.py"
