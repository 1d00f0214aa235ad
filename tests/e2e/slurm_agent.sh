#!/usr/bin/env bash
# slurm_agent.sh — `suanwang agent --backend slurm` against a real single-host
# Slurm (scripts/slurm-up.sh): a job runs as a real Slurm job and its output
# comes back; a gang is one Slurm job with NumTasks=N; cancel reaches
# scancel; a walltime ends the job failed; a Slurm job cancelled by hand is
# reported failed; an agent restarted in the middle re-adopts its Slurm job.
# Skipped (77) when Slurm cannot be had here.
exec python3 "$(dirname "$0")/py/slurm_agent.py"
