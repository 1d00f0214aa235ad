#!/bin/bash
# An MPI job over two nodes: 8 ranks, 2 CPUs each, 16 GiB per node.
#SBATCH -J wrf-prd
#SBATCH -N 2 --ntasks-per-node=4
#SBATCH --cpus-per-task=2
#SBATCH --mem=16G
#SBATCH --time=12:00:00
#SBATCH --output=mpi-%j.out
#SBATCH --error=mpi-%j.err
srun ./wrf.exe
