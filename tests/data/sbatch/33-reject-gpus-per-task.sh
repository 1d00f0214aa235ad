#!/bin/bash
# oracle-expect: reject
#SBATCH --gpus-per-task=1
true
