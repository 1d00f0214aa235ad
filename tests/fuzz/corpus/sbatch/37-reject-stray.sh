#!/bin/bash
# oracle-expect: reject
#SBATCH -n 2 stray
true
