#!/usr/bin/env bash
# slurm_gres.sh — GRES GPUs through the slurm backend: a real Slurm whose
# node has 4 A100 (stand-in device files, scripts/slurm-up.sh
# SW_SLURM_GRES); the agent reports a node class carrying them, the
# controller records it, and a job asking for 2 A100 through suanwang
# becomes a Slurm job with --gres=gpu:a100:2 (Slurm's TresPerNode), gets 2
# GPUs from Slurm (CUDA_VISIBLE_DEVICES) and completes. Skipped (77) where
# Slurm cannot run.
exec python3 "$(dirname "$0")/py/slurm_gres.py"
