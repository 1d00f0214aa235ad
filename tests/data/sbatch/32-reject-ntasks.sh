#!/bin/bash
# oracle-expect: reject
#SBATCH --ntasks=abc
true
