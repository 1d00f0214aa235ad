#!/bin/bash
#SBATCH -G 4 -n 2
#SBATCH -t 1
true
