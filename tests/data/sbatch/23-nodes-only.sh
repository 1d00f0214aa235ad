#!/bin/bash
#SBATCH -N 3
#SBATCH -t 1
true
