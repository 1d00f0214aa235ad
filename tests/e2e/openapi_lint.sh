#!/usr/bin/env bash
# openapi_lint.sh — docs/openapi.yaml checked by a real OpenAPI linter,
# Redocly CLI (npm @redocly/cli, the version pinned in tools/package.json and
# tools/package-lock.json, installed project-locally with
# `npm ci --prefix tools`; never globally):
#  - `redocly lint` with tools/redocly.yaml (the "recommended-strict" rules:
#    every warning is an error; the one rule turned off says why there) must
#    report nothing: exit 0 and no "warning"/"error" line;
#  - the linter must reject a known-bad copy (an undefined $ref, a response
#    without description), so a silent linter cannot make this test pass;
#  - docs/openapi.json, which tests/e2e/openapi_conformance.sh reads (Python's
#    standard library has no YAML reader), must be exactly what
#    `redocly bundle --ext json` makes of the YAML today.
# Skipped (77) when node/npm or the installed linter is missing.
. "$(dirname "$0")/lib.sh"

command -v node >/dev/null 2>&1 || skip "node not found (Debian: apt-get install nodejs npm)"
command -v npm >/dev/null 2>&1 || skip "npm not found (Debian: apt-get install npm)"
TOOLS=$E2E_REPO/tools
REDOCLY=${REDOCLY:-$TOOLS/node_modules/.bin/redocly}
[ -x "$REDOCLY" ] ||
    skip "the linter is not installed: run \`npm ci --prefix tools --no-audit --no-fund\` (see tools/package.json)"

# No telemetry, no update check, no banner on a terminal.
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true CI=true NO_COLOR=1

SPEC=$E2E_REPO/docs/openapi.yaml
BUNDLE=$E2E_REPO/docs/openapi.json
CONFIG=$TOOLS/redocly.yaml
for f in "$SPEC" "$BUNDLE" "$CONFIG"; do
    [ -f "$f" ] || fail "missing $f"
done

# The installed linter runs, and is the pinned version.
have=$("$REDOCLY" --version 2>"$TMP/version.err" | tail -n 1) ||
    skip "the installed linter does not run here (node $(node --version)): $(tail -n 3 "$TMP/version.err")"
want=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["devDependencies"]["@redocly/cli"])' \
    "$TOOLS/package.json") || fail "cannot read the pinned version from tools/package.json"
assert_eq "$want" "$have" "installed @redocly/cli version (reinstall: npm ci --prefix tools)"

# 1. The description lints clean.
"$REDOCLY" lint --config "$CONFIG" --format=stylish "$SPEC" >"$TMP/lint.out" 2>&1
rc=$?
if [ $rc -ne 0 ] || grep -Eq '(^|[[:space:]])(warning|error)[[:space:]]' "$TMP/lint.out"; then
    cat "$TMP/lint.out" >&2
    fail "redocly lint found problems in docs/openapi.yaml (exit $rc)"
fi
assert_contains "$(cat "$TMP/lint.out")" "Your API description is valid" "redocly lint output"

# 2. The linter is not silent: a broken copy must fail.
python3 - "$SPEC" "$TMP/bad.yaml" <<'EOF' || fail "cannot make the broken copy"
import sys
text = open(sys.argv[1]).read()
n = text.count("$ref: '#/components/schemas/JobList'")
assert n == 1, n
text = text.replace("$ref: '#/components/schemas/JobList'", "$ref: '#/components/schemas/NoSuchSchema'")
text = text.replace("          description: Alive.\n", "")
open(sys.argv[2], "w").write(text)
EOF
"$REDOCLY" lint --config "$CONFIG" --format=stylish "$TMP/bad.yaml" >"$TMP/bad.out" 2>&1 &&
    fail "redocly lint accepted a description with an undefined \$ref: $(cat "$TMP/bad.out")"
assert_contains "$(cat "$TMP/bad.out")" "no-unresolved-refs" "redocly lint on the broken copy"
assert_contains "$(cat "$TMP/bad.out")" "The field \`description\` must be present" "redocly lint on the broken copy"

# 3. docs/openapi.json is the bundle of the YAML as it is now.
"$REDOCLY" bundle --config "$CONFIG" "$SPEC" --ext json -o "$TMP/openapi.json" >"$TMP/bundle.out" 2>&1 ||
    fail "redocly bundle failed: $(cat "$TMP/bundle.out")"
python3 - "$BUNDLE" "$TMP/openapi.json" <<'EOF' ||
import json, sys
committed, fresh = (json.load(open(p)) for p in sys.argv[1:3])
sys.exit(0 if committed == fresh else 1)
EOF
    fail "docs/openapi.json is out of date with docs/openapi.yaml: regenerate it with
  tools/node_modules/.bin/redocly bundle --config tools/redocly.yaml docs/openapi.yaml --ext json -o docs/openapi.json"

echo "openapi_lint: docs/openapi.yaml lints clean with @redocly/cli $have; docs/openapi.json is current"
