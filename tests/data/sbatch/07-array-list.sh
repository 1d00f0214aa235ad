#!/bin/sh
#SBATCH --array=1,3,5 --mem=500M
#SBATCH --error=err-%a.txt
echo list
