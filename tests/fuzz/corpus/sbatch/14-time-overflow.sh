#!/bin/bash
# Slurm does not range-check the fields: 1:90 is 150 s, rounded up to 3 minutes.
#SBATCH --time=1:90
true
