#!/bin/bash
#SBATCH --chdir=/tmp -t 1
pwd
