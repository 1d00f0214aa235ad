#!/bin/bash
#SBATCH -n 2

# comments and blank lines do not end the directives
#SBATCH -c 3
module load gcc
#SBATCH -n 8
#SBATCH --time=600
srun hostname
