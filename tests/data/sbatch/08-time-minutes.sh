#!/bin/bash
#SBATCH --time=90
true
