#!/bin/sh
#SBATCH -n 2 --gpus-per-task=100000 --mem-per-gpu=1099511627776T
true
