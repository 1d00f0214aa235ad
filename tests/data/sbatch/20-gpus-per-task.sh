#!/bin/bash
#SBATCH -n 2 --gpus-per-task=a100:2
#SBATCH -t 1
true
