#!/bin/bash
#SBATCH -t 1-02:30:15
true
