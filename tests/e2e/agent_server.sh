#!/usr/bin/env bash
# agent_server.sh — the real `suanwang agent` with the real `suanwang server`
# on loopback: jobs submitted through the API run at the agent, logs come
# back, a failing job says why, a gang runs, cancel kills the process.
exec python3 "$(dirname "$0")/py/agent_server.py"
