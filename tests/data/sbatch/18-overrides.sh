#!/bin/bash
# oracle-args: -n 3 -t 20 -J from-cli
#SBATCH -n 2
#SBATCH -t 10
#SBATCH -J from-script
true
