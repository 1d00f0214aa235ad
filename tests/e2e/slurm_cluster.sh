#!/usr/bin/env bash
# slurm_cluster.sh — the real single-host Slurm of scripts/slurm-up.sh works:
# it comes up (node idle, 64 CPUs advertised), runs a batch job to COMPLETED
# (seen by `scontrol show job` and in the jobcomp file), reports a failing
# job's exit code, holds and releases a job, cancels a running one, and
# scripts/slurm-down.sh stops every daemon it started and removes the folder.
# Then a second cluster with SW_SLURM_GRES=gpu:a100:4: the node advertises
# the GPUs and a job asking for two sees CUDA_VISIBLE_DEVICES=0,1.
#
# Skipped (exit 77) with the reason when Slurm cannot be had here: not root
# and no password-less sudo, or the packages slurm-wlm/munge missing and not
# installable. When the daemons fail to start it is also a skip, with their
# logs, unless SW_SLURM_REQUIRED=1 (for CI machines that must run it).
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

UP=$E2E_REPO/scripts/slurm-up.sh
DOWN=$E2E_REPO/scripts/slurm-down.sh
SD=$TMP/slurm
PIDS_SEEN=
chmod 0755 "$TMP" # munged wants every folder above its socket searchable by all

cleanup() {
    [ -f "$SD/pids" ] && bash "$DOWN" "$SD" >/dev/null 2>&1
    rm -rf "$TMP"
}
trap cleanup EXIT

# ---- up ---------------------------------------------------------------------------
t0=$(date +%s%N)
bash "$UP" "$SD" >"$TMP/up.out" 2>"$TMP/up.err"
rc=$?
t1=$(date +%s%N)
if [ "$rc" = 77 ]; then
    skip "$(tail -n 1 "$TMP/up.err")"
elif [ "$rc" != 0 ]; then
    cat "$TMP/up.err" >&2
    [ "${SW_SLURM_REQUIRED:-0}" = 1 ] && fail "slurm-up.sh failed (exit $rc)"
    skip "the Slurm daemons did not start here (exit $rc; logs above; SW_SLURM_REQUIRED=1 makes this a failure)"
fi
echo "slurm-up.sh: $(((t1 - t0) / 1000000)) ms"
assert_contains "$(cat "$TMP/up.out")" "export SLURM_CONF=$SD/slurm.conf" "slurm-up.sh stdout"
assert_file "$SD/slurm.env"
assert_eq "$(cat "$TMP/up.out")" "$(cat "$SD/slurm.env")" "stdout and slurm.env"
# shellcheck disable=SC1091
. "$SD/slurm.env"
assert_eq "$SD" "$SW_SLURM_DIR" "SW_SLURM_DIR"
PIDS_SEEN=$(awk '{print $2}' "$SD/pids")
assert_eq 3 "$(echo "$PIDS_SEEN" | wc -w)" "PIDs recorded (munged, slurmctld, slurmd)"
perm=$(stat -c %a "$SLURM_CONF")
assert_eq 644 "$perm" "slurm.conf mode"

node=$(sinfo -h -N -o '%N %c %T %P')
assert_eq "swnode1 64 idle debug*" "$node" "sinfo (node, CPUs, state, partition)"

# Wait until job $1 reaches state $2 (scontrol show job); prints nothing.
wait_state() {
    local id=$1 want=$2 st=
    for _ in $(seq 300); do
        st=$(scontrol show job "$id" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p')
        [ "$st" = "$want" ] && return 0
        sleep 0.1
    done
    scontrol show job "$id" >&2
    fail "job $id: state ${st:-unknown} after 30 s, expected $want"
}
field() { # job, key: a value from scontrol show job
    scontrol show job "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1
}

# ---- one job to COMPLETED -----------------------------------------------------------
W=$SW_SLURM_DIR/jobs
t0=$(date +%s%N)
# shellcheck disable=SC2016 # expanded by the job's shell
id=$(sbatch --parsable --chdir="$W" -o "$W/%j.out" --wrap 'echo hello from $SLURM_JOB_ID')
[[ $id =~ ^[0-9]+$ ]] || fail "sbatch --parsable printed \"$id\""
wait_state "$id" COMPLETED
t1=$(date +%s%N)
echo "sbatch -> COMPLETED: $(((t1 - t0) / 1000000)) ms"
assert_eq 0:0 "$(field "$id" ExitCode)" "exit code of job $id"
assert_eq swnode1 "$(field "$id" NodeList)" "node of job $id"
for _ in $(seq 50); do
    grep -q "^JobId=$id .*JobState=COMPLETED" "$SW_SLURM_JOBCOMP" 2>/dev/null && break
    sleep 0.1
done
comp=$(grep "^JobId=$id " "$SW_SLURM_JOBCOMP")
assert_contains "$comp" "JobState=COMPLETED" "jobcomp line of job $id"
assert_contains "$comp" "ExitCode=0:0" "jobcomp line of job $id"
assert_eq "hello from $id" "$(cat "$W/$id.out")" "output of job $id"
assert_contains "$(squeue -h -t all -j "$id" -o '%i %T')" "$id COMPLETED" "squeue -t all"

# ---- a failing job ---------------------------------------------------------------------
id=$(sbatch --parsable --chdir="$W" -o /dev/null --wrap 'exit 3')
wait_state "$id" FAILED
assert_eq 3:0 "$(field "$id" ExitCode)" "exit code of the failing job"

# ---- held, then released ------------------------------------------------------------------
id=$(sbatch --parsable --hold --chdir="$W" -o /dev/null --wrap /bin/true)
sleep 0.3
assert_eq "PENDING JobHeldUser" "$(squeue -h -j "$id" -o '%T %r')" "squeue of a held job"
scontrol release "$id" || fail "scontrol release $id"
wait_state "$id" COMPLETED

# ---- cancelled while running -----------------------------------------------------------------
id=$(sbatch --parsable --chdir="$W" -o /dev/null --wrap 'sleep 300')
wait_state "$id" RUNNING
scancel "$id" || fail "scancel $id"
wait_state "$id" CANCELLED

# ---- many at once: the advertised CPUs are usable ------------------------------------------
ids=()
for _ in $(seq 20); do
    ids+=("$(sbatch --parsable --chdir="$W" -o /dev/null --wrap 'sleep 5')")
done
for _ in $(seq 100); do
    [ "$(squeue -h -t RUNNING -o %i | wc -l)" -ge 20 ] && break
    sleep 0.1
done
assert_eq 20 "$(squeue -h -t RUNNING -o %i | wc -l)" "jobs running at once"

# ---- down: every daemon gone (running jobs too), folder removed ---------------------------
bash "$DOWN" "$SD" 2>"$TMP/down.err" || fail "slurm-down.sh: $(cat "$TMP/down.err")"
[ -e "$SD" ] && fail "slurm-down.sh left $SD"
for pid in $PIDS_SEEN; do
    if [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "$SD/"; then
        fail "process $pid ($(tr '\0' ' ' <"/proc/$pid/cmdline")) still running after slurm-down.sh"
    fi
done
for p in /proc/[0-9]*; do
    if [ "$(cat "$p/comm" 2>/dev/null)" = slurmstepd ] &&
        { tr '\0' '\n' <"$p/environ"; } 2>/dev/null | grep -qxF "SLURM_CONF=$SD/slurm.conf"; then
        fail "slurmstepd ${p#/proc/} of this cluster still running after slurm-down.sh"
    fi
done
# ---- GPUs as GRES (SW_SLURM_GRES): advertised, allocated, visible to the job ----------------
SD=$TMP/slurm-gres
SW_SLURM_GRES=gpu:a100:4 bash "$UP" "$SD" >/dev/null 2>"$TMP/up.err" ||
    fail "slurm-up.sh with SW_SLURM_GRES: $(tail -n 5 "$TMP/up.err")"
# shellcheck disable=SC1091
. "$SD/slurm.env"
assert_eq "swnode1 64 gpu:a100:4 idle" "$(sinfo -h -N -o '%N %c %G %T')" "sinfo with GRES"
W=$SW_SLURM_DIR/jobs
# shellcheck disable=SC2016 # expanded by the job's shell
id=$(sbatch --parsable --gres=gpu:a100:2 --chdir="$W" -o "$W/%j.out" --wrap 'echo "gpus=$CUDA_VISIBLE_DEVICES"')
wait_state "$id" COMPLETED
assert_eq "gpus=0,1" "$(cat "$W/$id.out")" "CUDA_VISIBLE_DEVICES of a job with --gres=gpu:a100:2"
bash "$DOWN" "$SD" 2>/dev/null || fail "slurm-down.sh (GRES cluster)"
[ -e "$SD" ] && fail "slurm-down.sh left $SD"
echo "slurm_cluster: ok"
