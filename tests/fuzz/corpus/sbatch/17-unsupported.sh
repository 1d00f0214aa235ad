#!/bin/bash
#SBATCH -p debug
#SBATCH --account=lab-a
#SBATCH --exclusive
#SBATCH --mail-type=END --mail-user=me@example.com
#SBATCH --requeue
#SBATCH --comment="nightly run"
#SBATCH -t 5
true
