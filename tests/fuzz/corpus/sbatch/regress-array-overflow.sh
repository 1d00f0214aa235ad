#!/bin/sh
#SBATCH --array=1 -N 1000000 --ntasks-per-node=1000000 --mem-per-cpu=1T -c 100000
true
