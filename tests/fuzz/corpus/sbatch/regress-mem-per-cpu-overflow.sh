#!/bin/sh
#SBATCH --mem-per-cpu=1099511627776T -c 16
true
