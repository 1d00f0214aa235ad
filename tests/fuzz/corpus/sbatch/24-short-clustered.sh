#!/bin/bash
#SBATCH -n4 -c2 -Jshort -t5
true
