#!/usr/bin/env bash
# sim_oracle.sh — the simulator against an independent implementation of
# the same rules (bench/ref_easy.py, plain Python written from the issue's
# text, not from the C code): every job of real logs must start at the same
# second under fcfs, sjf and easy. Skipped when the traces are absent.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TRACES=${SUANWANG_TRACES:-${SW_TRACES_DEFAULT:-$ROOT/../shared/traces}}
if [ ! -d "$TRACES/swf" ]; then
  echo "SKIP: real traces not found at $TRACES"
  exit 77
fi
exec bash "$ROOT/bench/oracle.sh" --bin "$SUANWANG" --policy easy,fcfs,sjf \
  "$TRACES/swf/KTH-SP2-1996-2.1-cln.swf" "$TRACES/swf/SDSC-SP2-filtered.swf.gz" \
  "$TRACES/swf/lublin_256.swf"
