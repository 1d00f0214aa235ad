#!/usr/bin/env bash
# sim_network.sh — `suanwang sim --network`: the Greater Bay Area network
# with the example workload (summary, one JSON object, report with the
# network columns, no latency-circle violation), what-if side by side, a
# second network with --compare, clear errors for a bad network or a bad
# job, and the real GPU traces when present.
set -u
. "$(dirname "$0")/lib.sh"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
NET=$ROOT/examples/guangdong.json
WL=$ROOT/examples/workload-gd.jsonl

# summary
run_sw sim --network "$NET" --trace "$WL"
assert_rc 0 "network summary"
assert_contains "$OUT" "13 sites" "summary names the network"
assert_contains "$OUT" "0 latency-circle violations"

# one JSON object
run_sw sim --network "$NET" --trace "$WL" --json
assert_rc 0 "network --json"
printf '%s' "$OUT" >"$TMP/m.json"
assert_eq 1 "$(printf '%s\n' "$OUT" | wc -l)" "exactly one line"
assert_eq 150 "$(json_get "$TMP/m.json" jobs)" "jobs"
assert_eq 13 "$(json_get "$TMP/m.json" sites)" "sites"
assert_eq 0 "$(json_get "$TMP/m.json" latency_violations)" "latency violations"
python3 - "$TMP/m.json" <<'PY' || fail "metrics JSON lacks network keys or has bad values"
import json, sys
m = json.load(open(sys.argv[1]))
for k in ("p_hours", "data_moved_gb", "cost_fen", "carbon_kg", "utilization_accel",
          "mean_wait_s", "mean_jct_s", "by_objective", "capacity_p"):
    assert k in m, k
assert m["cost_fen"] > 0 and isinstance(m["cost_fen"], int)
assert m["p_hours"] > 0 and m["carbon_kg"] > 0
assert 0 <= m["utilization_accel"] <= 1
assert 7000 < m["capacity_p"] < 8000
assert set(m["by_objective"]) == {"fastest", "cheapest", "greenest", "balanced"}
PY

# the report: jobs.csv has the network columns; every placed unit names a site
run_sw sim --network "$NET" --trace "$WL" --report "$TMP/rep"
assert_rc 0 "network --report"
for f in metrics.json jobs.csv index.html; do assert_file "$TMP/rep/$f"; done
python3 - "$TMP/rep/jobs.csv" "$NET" <<'PY' || fail "jobs.csv of the network run is wrong"
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
net = json.load(open(sys.argv[2]))
sites = {s["name"]: s["region"] for s in net["sites"]}
need = ["id", "submit", "start", "end", "procs", "wait", "site", "region", "accelerator",
        "data_moved_gb", "cost_fen"]
for c in need:
    assert c in rows[0], c
placed = [r for r in rows if r["state"] == "completed"]
assert placed, "no unit ran"
for r in placed:
    assert r["site"] in sites and sites[r["site"]] == r["region"], r
    assert int(r["start"]) >= int(r["submit"]) and int(r["end"]) > int(r["start"])
    if float(r["max_latency_ms"]) > 0:
        assert float(r["latency_ms"]) <= float(r["max_latency_ms"]), r
PY
assert_contains "$(cat "$TMP/rep/index.html")" "Latency circles"
assert_not_contains "$(cat "$TMP/rep/index.html")" "https://"

# what-if: more Ascend in Shaoguan, side by side
run_sw sim --network "$NET" --trace "$WL" --what-if "add sg-telecom-ai: 2000 x Ascend910B"
assert_rc 0 "what-if"
assert_contains "$OUT" "what-if: add sg-telecom-ai: 2000 x Ascend910B"
assert_contains "$OUT" "mean wait (s)"
run_sw sim --network "$NET" --trace "$WL" --what-if "bandwidth guangzhou-shaoguan x2" --json
assert_rc 0 "what-if --json"
printf '%s' "$OUT" >"$TMP/w.json"
python3 - "$TMP/w.json" <<'PY' || fail "what-if JSON lacks base/what_if"
import json, sys
m = json.load(open(sys.argv[1]))
assert m["change"] == "bandwidth guangzhou-shaoguan x2"
assert m["base"]["jobs"] == m["what_if"]["jobs"] == 150
PY
run_sw sim --network "$NET" --trace "$WL" --what-if "add sg-telecom-ai: 10 x Ascend901B"
assert_rc 1 "bad what-if"
assert_contains "$ERR" 'did you mean "Ascend910B"'
run_sw sim --network "$NET" --trace "$WL" --compare "$ROOT/examples/small-gd.json"
assert_rc 0 "--compare"
assert_contains "$OUT" "small-gd.json"

# errors: a missing network, a job with a misspelt region
run_sw sim --network "$TMP/none.json" --trace "$WL"
assert_rc 1 "missing network"
assert_contains "$ERR" "none.json"
printf '{"name":"x","command":["/bin/true"],"near":"guangzou:3ms"}\n' >"$TMP/bad.jsonl"
run_sw sim --network "$NET" --trace "$TMP/bad.jsonl"
assert_rc 1 "unknown region in a job"
assert_contains "$ERR" 'near.region: unknown region "guangzou"; did you mean "guangzhou"?'
run_sw sim --trace "$WL" --what-if "add x: 1 x A100"
assert_rc 2 "--what-if without --network"

# the real GPU traces, when present
TRACES=${SUANWANG_TRACES:-${SW_TRACES_DEFAULT:-$ROOT/../shared/traces}}
if [ -d "$TRACES/gpu/microsoft-itp" ]; then
  run_sw sim --network "$NET" --format itp --trace "$TRACES/gpu/microsoft-itp" \
      --origin guangzhou,shenzhen,foshan --data-gb 20 --json
  assert_rc 0 "ITP on guangdong"
  printf '%s' "$OUT" >"$TMP/itp.json"
  assert_eq 69351 "$(json_get "$TMP/itp.json" jobs)" "ITP jobs"
  assert_eq 0 "$(json_get "$TMP/itp.json" latency_violations)"
  run_sw sim --network "$TRACES/gpu/alibaba-2023/openb_node_list_gpu_node.csv" --format alibaba \
      --trace "$TRACES/gpu/alibaba-2023/openb_pod_list_gpuspec33.csv" --json
  assert_rc 0 "Alibaba on its nodes"
  printf '%s' "$OUT" >"$TMP/ali.json"
  assert_eq 7255 "$(json_get "$TMP/ali.json" jobs)" "Alibaba jobs"
else
  echo "# real GPU traces not found at $TRACES: skipping that part"
fi
echo "ok"
