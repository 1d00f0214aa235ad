#!/usr/bin/env bash
# fuzz.sh — fuzz suanwang's parsers with libFuzzer (docs/fuzzing.md):
#
#   bash scripts/fuzz.sh [SECONDS] [TARGET...]
#
# installs clang (and the project's build dependencies) when missing, builds
# the fuzz targets of tests/fuzz with clang, -DSW_FUZZ=ON (libFuzzer +
# AddressSanitizer + UndefinedBehaviorSanitizer) into build-fuzz/, and runs
# each TARGET (default: all of them) for SECONDS (default 60) on a copy of
# its seed corpus tests/fuzz/corpus/TARGET, one after the other. What a run
# learns stays in build-fuzz/runs/TARGET/corpus for the next run; crashes,
# leaks and timeouts are written to build-fuzz/runs/TARGET/ and listed at
# the end with the command that reproduces them. Exits 1 when any target
# crashed. Not part of CI (it takes minutes); CI replays the seed corpora
# (ctest -L fuzz).
set -euo pipefail
cd "$(dirname "$0")/.."

secs=60
if [ $# -gt 0 ] && [[ $1 =~ ^[0-9]+$ ]]; then
  secs=$1
  shift
fi
# the targets, as tests/fuzz/CMakeLists.txt lists them
mapfile -t all < <(sed -n '/^set(SW_FUZZ_TARGETS/,/)/p' tests/fuzz/CMakeLists.txt |
                   sed 's/set(SW_FUZZ_TARGETS//; s/)//' | tr -s ' \n' '\n' | sed '/^$/d')
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")
for t in "${targets[@]}"; do
  if [[ ! " ${all[*]} " =~ " $t " ]]; then
    echo "fuzz: unknown target \"$t\" (targets: ${all[*]})" >&2
    exit 2
  fi
done

# Longest input per target: a few times its largest seed, small enough that
# libFuzzer explores structure rather than size.
max_len() {
  case $1 in
    network_json|jsonl) echo 16384 ;;
    job_json|agent|sbatch) echo 8192 ;;
    nvidia_smi) echo 2048 ;;
    *) echo 4096 ;;
  esac
}

# A libFuzzer dictionary (tests/fuzz/dict) for the formats with keywords.
dict_of() {
  local d=tests/fuzz/dict/$1.dict
  [ "$1" = jsonl ] && d=tests/fuzz/dict/job_json.dict
  [ -f "$d" ] && echo "-dict=$d"
  return 0
}

# clang with libFuzzer
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if ! command -v clang >/dev/null 2>&1; then
  echo "fuzz: installing clang"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends clang >/dev/null
fi
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' \
  >"$probe/p.c"
if ! clang -fsanitize=fuzzer,address,undefined "$probe/p.c" -o "$probe/p" 2>/dev/null; then
  ver=$(clang -dumpversion | cut -d. -f1)
  echo "fuzz: installing libFuzzer (libclang-rt-$ver-dev)"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    "libclang-rt-$ver-dev" >/dev/null
fi
bash scripts/deps.sh >/dev/null

echo "== build build-fuzz (clang, SW_FUZZ=ON)"
cmake -S . -B build-fuzz -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSW_FUZZ=ON -DSW_BUILD_TESTS=OFF >/dev/null
cmake --build build-fuzz -j "$(nproc 2>/dev/null || echo 2)" \
  --target "${targets[@]/#/fuzz_}"

# inputs the path-based readers write go to memory when it can
tmp=/tmp
[ -d /dev/shm ] && [ -w /dev/shm ] && tmp=/dev/shm
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=()
for t in "${targets[@]}"; do
  run=build-fuzz/runs/$t
  mkdir -p "$run/corpus"
  cp -n tests/fuzz/corpus/"$t"/* "$run/corpus/" 2>/dev/null || true
  echo "== fuzz $t for ${secs}s (max_len $(max_len "$t"))"
  set +e
  TMPDIR=$tmp build-fuzz/tests/fuzz/fuzz_"$t" -max_total_time="$secs" -max_len="$(max_len "$t")" \
    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$run/" \
    $(dict_of "$t") "$run/corpus" >"$run/log" 2>&1
  rc=$?
  set -e
  grep -E '^(#[0-9]+ *DONE|stat::number_of_executed_units|stat::peak_rss_mb)' "$run/log" || true
  if [ $rc -ne 0 ]; then
    failed+=("$t")
    echo "fuzz: $t FAILED (exit $rc); the end of $run/log:"
    grep -E 'ERROR|runtime error|invariant broken|SUMMARY|Test unit written' "$run/log" | head -20
  fi
done

echo
found=0
for t in "${targets[@]}"; do
  for f in build-fuzz/runs/"$t"/{crash,leak,timeout,oom,slow-unit}-*; do
    [ -e "$f" ] || continue
    found=1
    echo "fuzz: $t: reproducer $f"
    echo "      replay: build-fuzz/tests/fuzz/fuzz_$t $f   (or build/tests/fuzz/replay_$t $f)"
  done
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: crashes in: ${failed[*]}"
  exit 1
fi
[ $found -eq 0 ] && echo "fuzz: no crash in ${targets[*]} (${secs}s each)"
exit 0
