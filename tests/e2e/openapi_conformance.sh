#!/usr/bin/env bash
# openapi_conformance.sh — the real `suanwang server` answers as docs/openapi.yaml
# says: every route of the route table is documented with its roles, and every
# answer to valid and invalid requests has a documented status, Content-Type,
# headers and a body that validates against the documented schema; the Job
# schema and the job decoder accept and refuse the same bodies (but for the
# rules a schema cannot say, listed in the test). Reads docs/openapi.json, the
# bundled YAML (openapi_lint.sh checks it is current). Python standard library only.
exec python3 "$(dirname "$0")/py/openapi_conformance.py"
