#!/usr/bin/env bash
# slurm-up.sh [DIR] — bring up a real single-host Slurm cluster on loopback,
# from Debian's packages, for tests and benchmarks. No systemd: munged,
# slurmctld and slurmd are started by hand, and every file they use (key,
# sockets, config, state, spool, logs, PID files) lies under DIR (default: a
# new folder from mktemp). scripts/slurm-down.sh DIR stops them and removes
# DIR.
#
# On success it prints, on stdout, lines for the shell to take over:
#     export SLURM_CONF=DIR/slurm.conf
#     export SW_SLURM_DIR=DIR
#     ...
# and writes the same lines to DIR/slurm.env; so either of
#     eval "$(scripts/slurm-up.sh)"
#     d=$(mktemp -d); scripts/slurm-up.sh "$d" >/dev/null && . "$d/slurm.env"
# makes sbatch, squeue, scontrol, sinfo and scancel talk to this cluster.
# Progress and errors go to stderr.
#
# The cluster (slurm.conf in DIR; see the comments written into it):
#   - one node "swnode1" (NodeAddr 127.0.0.1) advertising $SW_SLURM_CPUS CPUs
#     (default 64), however many the machine has (SlurmdParameters=
#     config_overrides), so that many jobs run at once; one partition "debug",
#     the default; select/cons_tres with CR_Core (a job takes 1 CPU by default;
#     memory is not a consumable);
#   - ProctrackType=proctrack/linuxproc, TaskPlugin=task/none,
#     JobAcctGatherType=jobacct_gather/none: no cgroups, works in a container;
#   - no slurmdbd (sacct is disabled): finished jobs stay visible to
#     `scontrol show job` for MinJobAge (300 s), and each one is appended to
#     DIR/log/jobcomp.txt (JobCompType=jobcomp/filetxt);
#   - fast submit -> done: SchedulerParameters=batch_sched_delay=0 (a batch
#     job is launched as soon as it is scheduled rather than batched up; this
#     takes one trivial job's submit -> done from ~3 s to ~1 s) and
#     sched_min_interval=0 (every submit and every completion may trigger a
#     scheduling pass); no prolog/epilog; logs at "info";
#   - MaxJobCount=1000000 and MaxArraySize=100001, so that benchmarks can
#     keep many held jobs and arrays of 10^4+ tasks;
#   - SlurmctldPort and SlurmdPort are free ports picked at start-up, so
#     several clusters (parallel ctest runs) can live on one machine;
#   - SlurmUser=root when run as root (this is a throw-away test cluster).
#
# It waits until the node is idle (sinfo) and the controller has finished its
# first scheduling pass (sdiag "Total cycles" >= 1): jobs submitted earlier
# would wait for it. From an empty folder this takes about 3.5 s, nearly all
# of it slurmctld's own wait of ~3 s before that first pass (the node is idle
# after ~0.5 s); then one trivial job goes from sbatch to COMPLETED in
# 0.3-1 s.
#
# A leftover instance in DIR (a DIR/pids file) is stopped first, by its
# recorded PIDs, and DIR is emptied. Clusters in other folders are left alone.
#
# Needs root (slurmd runs jobs as their submitter, and munged/slurmd check
# ownership): as another user it re-runs itself with `sudo -n` where that
# works. Missing packages (slurm-wlm, munge) are installed with apt-get
# unless SW_SLURM_NO_INSTALL=1.
#
# Exit status: 0 up; 77 Slurm cannot be had here (not root, packages missing
# and not installable) — the tests treat that as "skip"; 1 a daemon failed to
# start (the end of its log is printed).
#
# Environment: SW_SLURM_CPUS (64), SW_SLURM_TIMEOUT (seconds to wait for the
# cluster, 60), SW_SLURM_NO_INSTALL, SW_SLURM_GRES (e.g. "gpu:a100:8": the
# node also advertises these GPUs — GresTypes=gpu, Gres= on the node, and a
# DIR/gres.conf whose device files are stand-ins under DIR/dev; jobs that ask
# for GPUs are accepted and run, with CUDA_VISIBLE_DEVICES set, but no real
# GPU is there), SW_SLURM_SUBMIT_LOG=1 (JobSubmitPlugins=logging: slurmctld
# logs each submission's account, QoS, partition and name in
# DIR/log/slurmctld.log — the only place a test cluster without accounting
# shows the QoS asked for, since `scontrol show job` says QOS=(null)).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CPUS=${SW_SLURM_CPUS:-64}
GRES=${SW_SLURM_GRES:-}
SUBMIT_CONF=
[ "${SW_SLURM_SUBMIT_LOG:-0}" = 1 ] && SUBMIT_CONF='# Each submission (account, QoS, partition, name) goes to slurmctld.log.
JobSubmitPlugins=logging'
TIMEOUT=${SW_SLURM_TIMEOUT:-60}
NODE=swnode1
T0=$(date +%s.%N)

say() { printf 'slurm-up: %s\n' "$*" >&2; }
unavailable() { say "cannot run Slurm here: $*"; exit 77; }

# ---- root ----------------------------------------------------------------------
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        exec sudo -n --preserve-env=SW_SLURM_CPUS,SW_SLURM_TIMEOUT,SW_SLURM_NO_INSTALL,SW_SLURM_GRES,SW_SLURM_SUBMIT_LOG \
            bash "$0" "$@"
    fi
    unavailable "needs root (or password-less sudo): slurmd runs jobs as their users"
fi

# ---- packages ------------------------------------------------------------------
case ":$PATH:" in *:/usr/sbin:*) ;; *) PATH=$PATH:/usr/sbin:/sbin ;; esac
need=()
command -v munged >/dev/null 2>&1 && command -v mungekey >/dev/null 2>&1 || need+=(munge)
for cmd in slurmctld slurmd sbatch; do
    command -v "$cmd" >/dev/null 2>&1 || { need+=(slurm-wlm); break; }
done
if [ ${#need[@]} -gt 0 ]; then
    [ "${SW_SLURM_NO_INSTALL:-0}" = 1 ] &&
        unavailable "packages missing (${need[*]}) and SW_SLURM_NO_INSTALL=1"
    command -v apt-get >/dev/null 2>&1 || unavailable "packages missing (${need[*]}), no apt-get"
    say "installing ${need[*]} (apt-get)"
    {
        apt-get update -qq &&
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
                "${need[@]}"
    } >&2 || unavailable "apt-get install ${need[*]} failed"
    hash -r
    for cmd in munged mungekey slurmctld slurmd sbatch sdiag; do
        command -v "$cmd" >/dev/null 2>&1 || unavailable "$cmd still missing after install"
    done
fi
command -v python3 >/dev/null 2>&1 || unavailable "python3 is needed (to pick free ports)"

# ---- the folder ------------------------------------------------------------------
if [ $# -ge 1 ] && [ -n "$1" ]; then
    DIR=$1
    mkdir -p "$DIR"
else
    DIR=$(mktemp -d "${TMPDIR:-/tmp}/sw-slurm.XXXXXX")
fi
DIR=$(cd "$DIR" && pwd -P)
case $DIR in
/ | /usr* | /etc* | /var | /home | /root | /tmp) say "refusing to use $DIR"; exit 1 ;;
esac
if [ -f "$DIR/pids" ] || [ -f "$DIR/.sw-slurm" ]; then
    say "a previous instance in $DIR: stopping it"
    bash "$HERE/slurm-down.sh" --keep "$DIR" >&2 || true
fi
if [ -n "$(ls -A "$DIR")" ]; then
    [ -f "$DIR/.sw-slurm" ] || { say "$DIR is not empty and not a slurm-up folder"; exit 1; }
    find "$DIR" -mindepth 1 -delete
fi
# munged wants every folder above its socket searchable by all, and jobs of
# other users need to reach DIR too: say so rather than fail obscurely.
up=$(dirname "$DIR")
while [ "$up" != / ]; do
    if [ "$(($(stat -c '%#a' "$up") & 1))" = 0 ]; then
        say "folder $up (above $DIR) is not searchable by others, which munged refuses:" \
            "chmod o+x $up, or use a folder elsewhere"
        exit 1
    fi
    up=$(dirname "$up")
done
chmod 0755 "$DIR"
mkdir -p "$DIR/munge" "$DIR/state" "$DIR/spool" "$DIR/log" "$DIR/run" "$DIR/jobs"
chmod 0755 "$DIR/munge" "$DIR/state" "$DIR/spool" "$DIR/log" "$DIR/run"
chmod 1777 "$DIR/jobs" # a place for job output that any user may write
touch "$DIR/.sw-slurm"
: >"$DIR/pids"

# Stop what was started so far when bring-up fails half-way.
fail_start() {
    say "$*"
    for f in "$DIR"/log/*.log "$DIR"/log/*.out; do
        [ -s "$f" ] || continue
        printf -- '--- %s (last 20 lines)\n' "$f" >&2
        tail -n 20 "$f" >&2
    done
    bash "$HERE/slurm-down.sh" --keep "$DIR" >&2 || true
    exit 1
}

# ---- munge -----------------------------------------------------------------------
MSOCK=$DIR/munge/munge.socket
mungekey -c -k "$DIR/munge/munge.key" >/dev/null 2>&1 ||
    dd if=/dev/urandom of="$DIR/munge/munge.key" bs=1024 count=1 status=none
chmod 0600 "$DIR/munge/munge.key"
setsid munged -F --socket="$MSOCK" --key-file="$DIR/munge/munge.key" \
    --log-file="$DIR/log/munged.log" --pid-file="$DIR/run/munged.pid" \
    --seed-file="$DIR/munge/munged.seed" --num-threads=4 \
    </dev/null >>"$DIR/log/munged.out" 2>&1 &
echo "munged $!" >>"$DIR/pids"
for _ in $(seq 100); do
    [ -S "$MSOCK" ] && break
    kill -0 "$!" 2>/dev/null || fail_start "munged exited at start"
    sleep 0.05
done
munge -S "$MSOCK" -n 2>/dev/null | unmunge -S "$MSOCK" >/dev/null 2>&1 ||
    fail_start "munged does not answer on $MSOCK"

# ---- slurm.conf ------------------------------------------------------------------
read -r CTLD_PORT SLURMD_PORT < <(python3 -c '
import socket
ss = [socket.socket() for _ in range(2)]
for s in ss:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in ss))')
HOST=$(hostname -s 2>/dev/null || hostname)
MEM_MB=$(awk '/^MemTotal:/ {print int($2 / 1024)}' /proc/meminfo)
USER_NAME=$(id -un)
CONF=$DIR/slurm.conf
cat >"$CONF" <<EOF
# Written by scripts/slurm-up.sh: a throw-away single-host cluster on loopback.
ClusterName=swtest
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=$USER_NAME
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
# munged of this cluster (also read by the client commands)
AuthInfo=socket=$MSOCK

StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool/slurmd-%n
SlurmctldPidFile=$DIR/run/slurmctld.pid
SlurmdPidFile=$DIR/run/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info

# No cgroups: works in a container without systemd.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
MailProg=/bin/true
SwitchType=switch/none
# Finished jobs: in 'scontrol show job' for MinJobAge seconds, and in this file.
JobCompType=jobcomp/filetxt
JobCompLoc=$DIR/log/jobcomp.txt
MinJobAge=300
MaxJobCount=1000000
MaxArraySize=100001
ReturnToService=2

SchedulerType=sched/backfill
# batch_sched_delay=0: launch a batch job at once; sched_min_interval=0: any
# event may trigger a scheduling pass. Together submit -> done ~1 s.
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
$SUBMIT_CONF
# The node advertises $CPUS CPUs whatever the machine has.
SlurmdParameters=config_overrides
${GRES:+GresTypes=${GRES%%:*}
}NodeName=$NODE NodeAddr=127.0.0.1 NodeHostname=$HOST CPUs=$CPUS Sockets=1 CoresPerSocket=$CPUS ThreadsPerCore=1 RealMemory=$MEM_MB${GRES:+ Gres=$GRES} State=UNKNOWN
PartitionName=debug Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF
chmod 0644 "$CONF"
if [ -n "$GRES" ]; then
    # name[:type]:count -> gres.conf; slurmd counts a GPU only with a device
    # file, so each gets a stand-in under DIR/dev: a character device like
    # /dev/null (task/none: nothing ever opens it), or an empty file where
    # mknod is not allowed (slurmd then logs an error but counts it)
    IFS=: read -r g_name g_a g_b <<<"$GRES"
    g_type=$g_a g_count=$g_b
    [ -n "$g_b" ] || { g_type=; g_count=$g_a; }
    mkdir -p "$DIR/dev"
    for i in $(seq 0 $((g_count - 1))); do
        mknod "$DIR/dev/${g_name}$i" c 1 3 2>/dev/null || : >"$DIR/dev/${g_name}$i"
    done
    echo "Name=$g_name${g_type:+ Type=$g_type} File=$DIR/dev/${g_name}[0-$((g_count - 1))]" >"$DIR/gres.conf"
    chmod 0644 "$DIR/gres.conf"
fi
export SLURM_CONF=$CONF

# ---- slurmctld, slurmd -------------------------------------------------------------
setsid slurmctld -D -i -f "$CONF" </dev/null >>"$DIR/log/slurmctld.out" 2>&1 &
CTLD_PID=$!
echo "slurmctld $CTLD_PID" >>"$DIR/pids"
setsid slurmd -D -N "$NODE" -f "$CONF" </dev/null >>"$DIR/log/slurmd.out" 2>&1 &
SLURMD_PID=$!
echo "slurmd $SLURMD_PID" >>"$DIR/pids"

# ---- wait: node idle, first scheduling pass -------------------------------------------
deadline=$(($(date +%s) + TIMEOUT))
state=
while :; do
    kill -0 "$CTLD_PID" 2>/dev/null || fail_start "slurmctld exited at start"
    kill -0 "$SLURMD_PID" 2>/dev/null || fail_start "slurmd exited at start"
    state=$(sinfo -h -N -n "$NODE" -o '%T' 2>/dev/null || true)
    [ "$state" = idle ] && break
    case $state in
    inval* | drain*)
        fail_start "node $NODE is $state: $(sinfo -h -N -n "$NODE" -o '%E' 2>/dev/null)" ;;
    esac
    [ "$(date +%s)" -lt "$deadline" ] ||
        fail_start "node $NODE not idle after ${TIMEOUT}s (state: ${state:-no answer})"
    sleep 0.1
done
cycles() { sdiag 2>/dev/null | awk '/^Main schedule statistics/ {m = 1}
                                    m && /Total cycles:/ {print $3; exit}'; }
while :; do
    c=$(cycles)
    [ "${c:-0}" -ge 1 ] && break
    [ "$(date +%s)" -lt "$deadline" ] ||
        fail_start "slurmctld made no scheduling pass within ${TIMEOUT}s"
    sleep 0.1
done

# ---- hand over -----------------------------------------------------------------------
cat >"$DIR/slurm.env" <<EOF
export SLURM_CONF=$CONF
export SW_SLURM_DIR=$DIR
export SW_SLURM_NODE=$NODE
export SW_SLURM_PARTITION=debug
export SW_SLURM_JOBCOMP=$DIR/log/jobcomp.txt
EOF
chmod 0644 "$DIR/slurm.env"
cat "$DIR/slurm.env"
say "up in $(python3 -c "import time; print(f'{time.time() - $T0:.1f}')") s:" \
    "$CPUS CPUs on node $NODE, partition debug, slurmctld :$CTLD_PORT, folder $DIR"
