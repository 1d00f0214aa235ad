#!/bin/bash
#SBATCH --array=0-15
#SBATCH -o logs/%x-%A_%a.out
#SBATCH -t 5
./annotate --shard "$SLURM_ARRAY_TASK_ID"
