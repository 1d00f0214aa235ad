#!/bin/bash
# oracle-expect: reject
#SBATCH --mem=1G
#SBATCH --mem-per-cpu=100
true
