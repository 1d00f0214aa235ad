#!/bin/bash
#SBATCH --array=1-10:2%2
#SBATCH -J arr
#SBATCH -t 0:30
echo "$SLURM_ARRAY_TASK_ID"
