#!/bin/bash
# oracle-expect: reject
#SBATCH --array=5-1
true
