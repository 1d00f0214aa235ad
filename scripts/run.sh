#!/usr/bin/env bash
# run.sh — the README's "run" command: installs what is missing, builds
# suanwang, and runs the main job. Today that is the trace-driven simulator
# on a real HPC log (the full KTH SP2 log from ../shared/traces when present,
# else the excerpt in examples/traces), EASY backfilling against FCFS, with an
# HTML report in out/. `suanwang demo` (controller + agents on loopback)
# arrives with the agent and CLI issue.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/deps.sh
if [ ! -x build/suanwang ]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build build -j "$(nproc 2>/dev/null || echo 2)" >/dev/null

traces=${SUANWANG_TRACES:-../shared/traces}
trace=$traces/swf/KTH-SP2-1996-2.1-cln.swf
[ -f "$trace" ] || trace=examples/traces/KTH-SP2-excerpt.swf.gz

for policy in fcfs easy; do
  echo "== suanwang sim --trace $trace --policy $policy --report out/$policy"
  build/suanwang sim --trace "$trace" --policy "$policy" --report "out/$policy"
  echo
done
echo "Open out/easy/index.html in a browser for the charts."
