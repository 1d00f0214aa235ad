#!/bin/bash
#SBATCH --time=90:30
true
