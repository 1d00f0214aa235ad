#!/bin/bash
#SBATCH --cpus-per-gpu=4 --gres=gpu:2
#SBATCH -t 1
true
