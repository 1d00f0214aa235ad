#!/bin/bash
# oracle-expect: reject
#SBATCH --time=2h
true
