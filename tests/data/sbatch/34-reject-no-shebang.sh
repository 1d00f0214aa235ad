# oracle-expect: reject
#SBATCH -n 2
true
