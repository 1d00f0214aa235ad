#!/bin/bash
#SBATCH --mem=1536M -t 1
true
