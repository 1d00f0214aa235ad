#!/usr/bin/env bash
# server_crash.sh — crash safety: clients submit concurrently while the
# server is killed with SIGKILL at random moments and restarted; every job
# that got a 201 is there afterwards, none twice.
exec python3 "$(dirname "$0")/py/server_crash.py"
