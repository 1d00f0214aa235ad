#!/bin/bash
#SBATCH --job-name=train-7b
#SBATCH --ntasks=4 --cpus-per-task=8
#SBATCH --mem=64G
#SBATCH --gres=gpu:a100:4
#SBATCH --time=1-02:30
torchrun --nproc-per-node=4 train.py
