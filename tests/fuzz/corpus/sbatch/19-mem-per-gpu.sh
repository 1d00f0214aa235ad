#!/bin/bash
#SBATCH --gres=gpu:a100:2
#SBATCH --mem-per-gpu=2G
#SBATCH -t 1
true
