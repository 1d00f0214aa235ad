#!/bin/bash
# an array whose elements have 2 tasks each
#SBATCH --array=0-20:5%3 -n 2 -c 2 --mem-per-cpu=100 -t 1
true
