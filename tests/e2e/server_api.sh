#!/usr/bin/env bash
# server_api.sh — the real `suanwang server` on loopback: every endpoint,
# authentication and tenant isolation, bad input answered with a clear 4xx
# that changes nothing, idempotent and batched submits, graceful restart.
exec python3 "$(dirname "$0")/py/server_api.py"
