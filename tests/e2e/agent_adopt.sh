#!/usr/bin/env bash
# agent_adopt.sh — the real `suanwang agent` (local backend) restarted under
# running tasks with the real `suanwang server`: after `kill -9` of the agent
# or `--keep-tasks-on-exit`, the next agent adopts the tasks through their
# supervisors, ships their logs exactly once and reports their ends (also of
# a task that ended while no agent ran); walltime and cancel still work.
exec python3 "$(dirname "$0")/py/agent_adopt.py"
