#!/usr/bin/env bash
# slurm_mixed.sh — one network, one Slurm site and one local site, each with
# its agent: a job whose placement asks for an hpc site runs as a real Slurm
# job; the tasks of an array spread over both sites; CPUs that Slurm's own
# users hold are counted as in use by the controller.
exec python3 "$(dirname "$0")/py/slurm_mixed.py"
