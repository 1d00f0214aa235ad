#!/bin/bash
# getopt takes unique prefixes of long options
#SBATCH --job=pfx --ntasks-per-n=2 -N 1 --time=3
true
