#!/bin/bash
# oracle-expect: reject
#SBATCH --tim=3
true
