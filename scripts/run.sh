#!/usr/bin/env bash
# run.sh — the README's "run" command: installs what is missing, builds
# suanwang, and runs the main job: `suanwang demo`, a controller and one
# agent per site of a small Guangdong network on loopback running a mixed
# workload. Arguments go to the demo (e.g. --exit-when-done).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/deps.sh
if [ ! -f build/build.ninja ]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build build -j "$(nproc 2>/dev/null || echo 2)" >/dev/null
exec build/suanwang demo "$@"
