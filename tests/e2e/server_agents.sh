#!/usr/bin/env bash
# server_agents.sh — the controller's side of the agent protocol, driven by
# a scripted agent: dispatch with fences, running/completed/failed reports,
# retries as new attempts, stale reports refused, cancel reaching the
# agent, logs shipped and read back, and a silent agent's work declared
# lost and retried at another site.
exec python3 "$(dirname "$0")/py/server_agents.py"
