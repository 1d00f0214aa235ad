#!/bin/bash
#SBATCH -n 6 -N 2 --mem=3G -t 1
true
