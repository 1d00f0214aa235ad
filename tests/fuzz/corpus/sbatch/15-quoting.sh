#!/bin/bash
#SBATCH --job-name="my job"   # a name with a space
#SBATCH -o 'out dir/%x.txt' -e err\#%j.txt
#SBATCH -t 1
true
