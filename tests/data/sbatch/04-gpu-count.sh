#!/bin/bash
#SBATCH --gres=gpu:2
#SBATCH -c 4 --mem-per-cpu=2G
#SBATCH -t 90
python infer.py
