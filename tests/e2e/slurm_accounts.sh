#!/usr/bin/env bash
# slurm_accounts.sh — who pays at a Slurm site: the agent maps each job's
# tenant to a Slurm account (--slurm-account-map, --slurm-account for the
# rest) and its QoS class to a Slurm QoS (--slurm-qos-map, --slurm-qos);
# `scontrol show job` shows the account, and the job_submit/logging line of
# slurmctld (SW_SLURM_SUBMIT_LOG) the QoS asked for, since a Slurm without
# accounting records none. Bad maps are refused at start. Skipped (77)
# where Slurm cannot run.
exec python3 "$(dirname "$0")/py/slurm_accounts.py"
