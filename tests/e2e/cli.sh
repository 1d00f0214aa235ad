#!/usr/bin/env bash
# cli.sh — the user CLI against a real `suanwang server` on loopback (and a
# fake agent speaking the agent protocol): submit from flags, a JSON file,
# JSON lines and an #SBATCH script; jobs, job (with why), cancel, wait (exit
# 0/1/3), logs (--stderr, --follow), sites, top --once; --json outputs are
# the server's JSON; errors: unreachable server, bad token, config file, a
# bad job file naming its field.
exec python3 "$(dirname "$0")/py/cli.py"
