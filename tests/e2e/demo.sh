#!/usr/bin/env bash
# demo.sh — the README's main job: `suanwang demo --exit-when-done` starts a
# controller and three site agents on loopback, runs the mixed workload and
# exits 0 with every job completed, each where its constraints put it.
set -u
. "$(dirname "$0")/lib.sh"
chmod 755 "$TMP"  # tasks run as an unprivileged user when tests run as root
run_sw demo --exit-when-done --data "$TMP/demo"
assert_rc 0 "demo --exit-when-done"
for name in drone-perception llm-finetune annotation cfd-mpi; do
  line=$(printf '%s\n' "$OUT" | grep -E "^[0-9]+ +$name ")
  assert_contains "$line" "completed" "$name completed"
done
# where the constraints put them
assert_contains "$(printf '%s\n' "$OUT" | grep -E '^[0-9]+ +drone-perception ')" "sg-ai/" \
  "the drone service stays in Shaoguan, on its NPUs"
assert_contains "$(printf '%s\n' "$OUT" | grep -E '^[0-9]+ +cfd-mpi ')" "gz-hpc/cpu" \
  "the MPI job goes to the supercomputing centre's CPU nodes"
assert_contains "$OUT" "export SUANWANG_SERVER=" "it says how to use the CLI"
echo ok
