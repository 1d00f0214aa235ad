#!/bin/bash
#SBATCH --job-name=basic
#SBATCH --ntasks=1
#SBATCH --time=10
echo "hello from $SLURM_JOB_NAME"
