#!/usr/bin/env bash
# agent_e2e.sh — real binaries end to end: a controller, two site agents
# running real processes, the CLI. A job submitted through the CLI runs at
# an agent and its logs come back; a #SBATCH script runs; cancel stops the
# process; an agent killed with SIGKILL has its task retried at another
# site; a controller killed with SIGKILL and restarted loses nothing.
exec python3 "$(dirname "$0")/py/agent_e2e.py"
