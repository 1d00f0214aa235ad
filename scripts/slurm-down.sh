#!/usr/bin/env bash
# slurm-down.sh [--keep] [DIR] — stop the Slurm cluster that scripts/slurm-up.sh
# brought up in DIR (default: $SW_SLURM_DIR) and remove DIR (--keep: leave it,
# e.g. to read the logs).
#
# It stops only what slurm-up.sh started, by the PIDs it recorded in DIR/pids
# (a PID is signalled only while its command line still names DIR, so a
# recycled PID is never hit): first the jobs still running are cancelled
# (scancel) and their slurmstepd given a few seconds to finish, then slurmd,
# slurmctld and munged get SIGTERM, and SIGKILL if still there after 10 s.
# A slurmstepd of this cluster left behind (found by the SLURM_CONF=DIR/...
# in its environment) is killed with its job. Nothing is matched
# by name alone. Safe to run twice, and on a half-started cluster.
set -uo pipefail

case ":$PATH:" in *:/usr/sbin:*) ;; *) PATH=$PATH:/usr/sbin:/sbin ;; esac
say() { printf 'slurm-down: %s\n' "$*" >&2; }

keep=0
if [ "${1:-}" = --keep ]; then
    keep=1
    shift
fi
DIR=${1:-${SW_SLURM_DIR:-}}
[ -n "$DIR" ] || { say "usage: slurm-down.sh [--keep] DIR (or set SW_SLURM_DIR)"; exit 2; }
if [ ! -d "$DIR" ]; then
    say "$DIR: no such folder (already down)"
    exit 0
fi
DIR=$(cd "$DIR" && pwd -P)
if [ ! -f "$DIR/.sw-slurm" ] && [ ! -f "$DIR/pids" ]; then
    say "$DIR was not made by slurm-up.sh (no .sw-slurm marker): leaving it alone"
    exit 1
fi
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    exec sudo -n bash "$0" "$@"
fi

# Is PID alive and still the process we started (its arguments name DIR)?
ours() {
    local pid=$1
    { tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null | grep -qF -- "$DIR/"
}

# The slurmstepd processes of this cluster: slurmd hands them its environment,
# which holds SLURM_CONF=DIR/slurm.conf.
stepds() {
    local p
    for p in /proc/[0-9]*; do
        [ "$(cat "$p/comm" 2>/dev/null)" = slurmstepd ] || continue
        { tr '\0' '\n' <"$p/environ"; } 2>/dev/null | grep -qxF "SLURM_CONF=$DIR/slurm.conf" &&
            echo "${p#/proc/}"
    done
}

stop_pid() { # name pid
    local name=$1 pid=$2
    ours "$pid" || return 0
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 100); do
        ours "$pid" || return 0
        # (a zombie has an empty cmdline: gone)
        sleep 0.1
    done
    say "$name ($pid) ignored SIGTERM for 10 s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null
}

declare -A pid_of=()
if [ -f "$DIR/pids" ]; then
    while read -r name pid; do
        [ -n "${name:-}" ] && [ -n "${pid:-}" ] && pid_of[$name]=$pid
    done <"$DIR/pids"
fi

# 1. Cancel the jobs still running, while slurmctld and slurmd are up; first
#    take the partitions down so that no pending job starts in their place
#    (there may be very many held jobs: cancelling those is not needed).
if [ -n "${pid_of[slurmctld]:-}" ] && ours "${pid_of[slurmctld]}" && [ -f "$DIR/slurm.conf" ]; then
    export SLURM_CONF=$DIR/slurm.conf
    for part in $(timeout 10 sinfo -h -o %R 2>/dev/null | sort -u); do
        timeout 10 scontrol update PartitionName="$part" State=DOWN 2>/dev/null
    done
    running=$(timeout 10 squeue -h -t RUNNING,CONFIGURING,COMPLETING,SUSPENDED -o %A 2>/dev/null)
    if [ -n "$running" ]; then
        # shellcheck disable=SC2086
        printf '%s\n' $running | xargs -r -n 500 timeout 20 scancel 2>/dev/null
        for _ in $(seq 50); do
            [ -z "$(stepds)" ] && break
            sleep 0.1
        done
    fi
fi

# 2. The daemons, in reverse order of start.
for name in slurmd slurmctld munged; do
    [ -n "${pid_of[$name]:-}" ] && stop_pid "$name" "${pid_of[$name]}"
done

# 3. Any slurmstepd of this cluster still there, with its job's processes (a
#    job's script leads its own process group: that group goes with it).
for pid in $(stepds); do
    say "killing leftover slurmstepd $pid and its job"
    for kid in $(ps -o pid= --ppid "$pid" 2>/dev/null); do
        if [ "$(ps -o pgid= -p "$kid" 2>/dev/null | tr -d ' ')" = "$kid" ]; then
            kill -KILL -- "-$kid" 2>/dev/null
        else
            kill -KILL "$kid" 2>/dev/null
        fi
    done
    kill -KILL "$pid" 2>/dev/null
done

rm -f "$DIR/pids"
if [ "$keep" = 1 ]; then
    say "stopped; kept $DIR"
else
    rm -rf "$DIR"
    say "stopped; removed $DIR"
fi
exit 0
