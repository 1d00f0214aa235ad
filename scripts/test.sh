#!/usr/bin/env bash
# test.sh — the one test command (README, .ci/run): installs what is
# missing, builds from scratch twice — optimized, and with AddressSanitizer
# + UndefinedBehaviorSanitizer — and runs every test (unit and end-to-end)
# in both builds with ctest. Tests on the big real traces use
# $SUANWANG_TRACES or ../shared/traces and are skipped with a reason if absent.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/deps.sh
# the OpenAPI linter for tests/e2e/openapi_lint.sh: project-local, pinned by tools/package-lock.json
if command -v npm >/dev/null 2>&1; then
  want=$(node -p 'require("./tools/package.json").devDependencies["@redocly/cli"]')
  have=$(node -p 'require("./tools/node_modules/@redocly/cli/package.json").version' 2>/dev/null || true)
  [ "$want" = "$have" ] || npm ci --prefix tools --no-audit --no-fund --loglevel=error ||
    echo "deps: npm ci failed; e2e/openapi_lint will be skipped"
fi
jobs=$(nproc 2>/dev/null || echo 2)

run_suite() { # name, cmake options...
  local dir=$1; shift
  echo "== build $dir ($*)"
  rm -rf "$dir"
  cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
  echo "== test $dir"
  (cd "$dir" && ctest --output-on-failure -j "$jobs")
}

run_suite build -DCMAKE_BUILD_TYPE=Release
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  run_suite build-asan -DCMAKE_BUILD_TYPE=Debug -DSW_SANITIZE=ON
echo "== all tests passed (optimized and ASan+UBSan builds)"
