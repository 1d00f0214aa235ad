"""The real controller's answers against docs/openapi.yaml (openapi_conformance.sh).

Reads docs/openapi.json — the YAML bundled by `redocly bundle --ext json`
(tests/e2e/openapi_lint.sh checks that it is current; Python's standard
library has no YAML reader) — and, with a small validator for the subset of
JSON Schema 2020-12 the description uses (it refuses any keyword it does not
know, so the subset cannot grow silently):

  1. the description's operations are exactly the route table of
     src/server/api.c, with the same roles (x-roles);
  2. every operation is called with valid and invalid requests on a real
     `suanwang server`; each answer's status must be documented for that
     operation, its Content-Type must be the documented one, its body must
     validate against the documented schema and its documented required
     headers must be there; each operation must have answered at least one
     2xx and one 4xx;
  3. both ways between the job schema and the job decoder: every job body the
     server accepted (201/200, or 422: well-formed but unsatisfiable) must
     validate against the request schema, and every body it refused as
     malformed (400) must not — except the listed rules a schema cannot say;
     the same for query parameters, path ids, the Idempotency-Key header and
     the tenant and token bodies; every job of examples/jobs/ and
     examples/workload-gd.jsonl validates.
"""
import datetime
import glob
import json
import os
import re
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from swserver import Server, call  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
NET = os.path.join(ROOT, "examples", "small-gd.json")
SPEC_JSON = os.environ.get("OPENAPI_JSON", os.path.join(ROOT, "docs", "openapi.json"))
SPEC_YAML = os.path.join(ROOT, "docs", "openapi.yaml")
API_C = os.path.join(ROOT, "src", "server", "api.c")

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)
    return cond


with open(SPEC_JSON) as f:
    SPEC = json.load(f)


# ---- a validator for the subset of JSON Schema the description uses ---------------

ANNOTATIONS = {"description", "summary", "title", "default", "examples", "example",
               "deprecated", "readOnly", "writeOnly"}
SUPPORTED = ANNOTATIONS | {
    "$ref", "type", "enum", "const", "format",
    "minLength", "maxLength", "pattern",
    "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
    "items", "minItems", "maxItems", "uniqueItems",
    "properties", "required", "additionalProperties", "maxProperties", "minProperties",
    "propertyNames",
    "allOf", "anyOf", "oneOf", "not", "if", "then", "else",
}


class SchemaError(Exception):
    """The schema uses something this validator does not implement."""


def resolve(ref):
    if not ref.startswith("#/"):
        raise SchemaError("only local $refs are supported: " + ref)
    node = SPEC
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def json_type(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "integer"
    if isinstance(v, float):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    if isinstance(v, dict):
        return "object"
    raise TypeError(type(v))


def json_equal(a, b):
    ta, tb = json_type(a), json_type(b)
    num = {"integer", "number"}
    if ta != tb and not (ta in num and tb in num):
        return False
    if ta == "array":
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b))
    if ta == "object":
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    return a == b


def type_ok(v, t):
    jt = json_type(v)
    # An integer is a JSON integer: 2.0 is not one (as the server decides).
    return jt == t or (t == "number" and jt == "integer")


_regex_cache = {}


def regex(p):
    if p not in _regex_cache:
        # ECMA-262's $ (no multiline) matches only at the very end; Python's also
        # before a final newline.
        py = p[:-1] + r"\Z" if p.endswith("$") and not p.endswith("\\$") else p
        _regex_cache[p] = re.compile(py)
    return _regex_cache[p]


def date_time_ok(s):
    try:
        datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
        return True
    except ValueError:
        return False


def validate(v, schema, path="$"):
    """A list of the ways `v` breaks `schema` (empty: valid)."""
    if schema is True:
        return []
    if schema is False:
        return [f"{path}: no value is allowed here"]
    unknown = set(schema) - SUPPORTED - {k for k in schema if k.startswith("x-")}
    if unknown:
        raise SchemaError(f"unsupported keywords {sorted(unknown)} at {path}")
    errs = []
    if "$ref" in schema:
        errs += validate(v, resolve(schema["$ref"]), path)
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(type_ok(v, t) for t in types):
            return errs + [f"{path}: expected {'/'.join(types)}, got {json.dumps(v)[:60]}"]
    if "enum" in schema and not any(json_equal(v, e) for e in schema["enum"]):
        errs.append(f"{path}: {json.dumps(v)[:60]} is not one of {schema['enum']}")
    if "const" in schema and not json_equal(v, schema["const"]):
        errs.append(f"{path}: {json.dumps(v)[:60]} is not {json.dumps(schema['const'])}")
    jt = json_type(v)
    if jt == "string":
        if "minLength" in schema and len(v) < schema["minLength"]:
            errs.append(f"{path}: shorter than {schema['minLength']}")
        if "maxLength" in schema and len(v) > schema["maxLength"]:
            errs.append(f"{path}: longer than {schema['maxLength']}")
        if "pattern" in schema and not regex(schema["pattern"]).search(v):
            errs.append(f"{path}: {json.dumps(v)[:60]} does not match {schema['pattern']}")
        if schema.get("format") == "date-time" and not date_time_ok(v):
            errs.append(f"{path}: {v!r} is not a date-time")
    if jt in ("integer", "number"):
        if "minimum" in schema and v < schema["minimum"]:
            errs.append(f"{path}: {v} < {schema['minimum']}")
        if "maximum" in schema and v > schema["maximum"]:
            errs.append(f"{path}: {v} > {schema['maximum']}")
        if "exclusiveMinimum" in schema and v <= schema["exclusiveMinimum"]:
            errs.append(f"{path}: {v} <= {schema['exclusiveMinimum']}")
        if "exclusiveMaximum" in schema and v >= schema["exclusiveMaximum"]:
            errs.append(f"{path}: {v} >= {schema['exclusiveMaximum']}")
    if jt == "array":
        if "minItems" in schema and len(v) < schema["minItems"]:
            errs.append(f"{path}: fewer than {schema['minItems']} items")
        if "maxItems" in schema and len(v) > schema["maxItems"]:
            errs.append(f"{path}: more than {schema['maxItems']} items")
        if schema.get("uniqueItems"):
            for i in range(len(v)):
                if any(json_equal(v[i], v[j]) for j in range(i)):
                    errs.append(f"{path}[{i}]: a duplicate")
        if "items" in schema:
            for i, x in enumerate(v):
                errs += validate(x, schema["items"], f"{path}[{i}]")
    if jt == "object":
        props = schema.get("properties", {})
        for k in schema.get("required", []):
            if k not in v:
                errs.append(f"{path}: missing required {k!r}")
        if "maxProperties" in schema and len(v) > schema["maxProperties"]:
            errs.append(f"{path}: more than {schema['maxProperties']} properties")
        if "minProperties" in schema and len(v) < schema["minProperties"]:
            errs.append(f"{path}: fewer than {schema['minProperties']} properties")
        for k, x in v.items():
            if "propertyNames" in schema:
                errs += validate(k, schema["propertyNames"], f"{path} key {k!r}")
            if k in props:
                errs += validate(x, props[k], f"{path}.{k}")
            elif "additionalProperties" in schema:
                ap = schema["additionalProperties"]
                if ap is False:
                    errs.append(f"{path}: unexpected property {k!r}")
                else:
                    errs += validate(x, ap, f"{path}.{k}")
    for sub in schema.get("allOf", []):
        errs += validate(v, sub, path)
    if "anyOf" in schema and not any(not validate(v, s, path) for s in schema["anyOf"]):
        errs.append(f"{path}: matches none of anyOf")
    if "oneOf" in schema:
        results = [validate(v, s, path) for s in schema["oneOf"]]
        n = sum(1 for r in results if not r)
        if n != 1:
            detail = "; ".join(r[0] for r in results if r)[:400]
            errs.append(f"{path}: matches {n} of oneOf (exactly 1 wanted) [{detail}]")
    if "not" in schema and not validate(v, schema["not"], path):
        errs.append(f"{path}: matches a schema under 'not'")
    if "if" in schema:
        branch = "then" if not validate(v, schema["if"], path) else "else"
        if branch in schema:
            errs += validate(v, schema[branch], path)
    return errs


def component(name):
    return {"$ref": "#/components/schemas/" + name}


# A self-check of the validator on a few known cases.
assert validate(2.0, {"type": "integer"})
assert not validate(2, {"type": "number"})
assert validate(True, {"type": "integer"})
assert validate("a\n", {"type": "string", "pattern": "^a$"})
assert validate({"a": 1}, {"type": "object", "additionalProperties": False})
assert validate(1, {"oneOf": [{"type": "integer"}, {"type": "number"}]})
assert not validate({"qos": "spot"}, {"if": {"properties": {"qos": {"const": "spot"}}},
                                      "then": {"required": ["qos"]}})
try:
    validate(1, {"multipleOf": 1})
    raise AssertionError("an unknown keyword was accepted")
except SchemaError:
    pass


# ---- the operations of the description --------------------------------------------

METHODS = ("get", "post", "put", "delete", "patch")


def operations():
    for tmpl, item in SPEC["paths"].items():
        for m in METHODS:
            if m in item:
                yield m.upper(), tmpl, item[m]


def find_operation(method, path):
    path = path.split("?")[0]
    for m, tmpl, op in operations():
        rx = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(tmpl)) + "$"
        if m == method and re.match(rx, path):
            return tmpl, op
    return None, None


def deref(obj):
    while isinstance(obj, dict) and "$ref" in obj:
        obj = resolve(obj["$ref"])
    return obj


def parameters(method, tmpl):
    item = SPEC["paths"][tmpl]
    params = [deref(p) for p in item.get("parameters", [])]
    params += [deref(p) for p in item[method.lower()].get("parameters", [])]
    return params


covered = {}     # (METHOD, template) -> set of statuses seen
submitted = []   # (body, status, error code) of every POST /v1/jobs


def conform(resp, method, path, want=None, what=""):
    """Check one answer against the description; returns its body."""
    status, body, headers = resp
    label = f"{method} {path} -> {status} {what}".strip()
    if want is not None:
        check(status == want, f"{label}: expected status {want}, body {str(body)[:300]}")
    hdr = {k.lower(): v for k, v in headers.items()}
    tmpl, op = find_operation(method, path)
    if op is None:  # no route: the generic 404 / 405 error
        check(status in (404, 405), f"{label}: an unknown route must answer 404 or 405")
        check(not validate(body, component("Error")), f"{label}: not an Error: {body}")
        return body
    covered.setdefault((method, tmpl), set()).add(status)
    responses = op["responses"]
    r = responses.get(str(status)) or responses.get(f"{status // 100}XX") or responses.get(
        "default")
    if not check(r is not None, f"{label}: status {status} is not documented for {method} {tmpl}"):
        return body
    r = deref(r)
    content = r.get("content", {})
    ctype = hdr.get("content-type", "")
    media = next((m for m in content if m.replace(" ", "").lower() ==
                  ctype.replace(" ", "").lower()), None)
    if content:
        check(media is not None,
              f"{label}: Content-Type {ctype!r} is not one of the documented {list(content)}")
    if media is not None and "schema" in content[media]:
        if media.startswith("application/json"):
            check(not isinstance(body, str), f"{label}: the body is not JSON: {str(body)[:100]!r}")
        errs = validate(body, content[media]["schema"])
        check(not errs, f"{label}: the body does not match the schema: {errs[:5]} in "
                        f"{json.dumps(body)[:400]}")
    for name, h in r.get("headers", {}).items():
        h = deref(h)
        if h.get("required"):
            val = hdr.get(name.lower())
            if check(val is not None, f"{label}: the documented header {name} is missing"):
                errs = validate(val, h.get("schema", True))
                check(not errs, f"{label}: header {name}: {errs}")
    return body


# ---- 1. the description is the route table ----------------------------------------

ROLE_SETS = {"USERS": ["admin", "consumer"], "ADMIN": ["admin"], "AGENT": ["agent"],
             "SW_ANY_ROLE": ["admin", "provider", "consumer", "agent"], "0": []}
with open(API_C) as f:
    routes = re.findall(r'\{"(GET|POST|PUT|DELETE|PATCH)",\s*"([^"]+)",\s*\w+,\s*([A-Z_0-9]+)\}',
                        f.read())
check(len(routes) >= 10, f"could not read the route table of {API_C}: {routes}")
documented = {(m, t): op for m, t, op in operations()}
for m, t, roles in routes:
    op = documented.get((m, t))
    if check(op is not None, f"route {m} {t} of api.c is not in docs/openapi.yaml"):
        want = ROLE_SETS.get(roles)
        check(want is not None and sorted(op.get("x-roles", ["?"])) == sorted(want),
              f"{m} {t}: x-roles {op.get('x-roles')} but api.c says {roles} = {want}")
        check((op.get("security") == []) == (want == []),
              f"{m} {t}: security must be [] exactly when the route needs no token")
for m, t in documented:
    check((m, t) in {(r[0], r[1]) for r in routes},
          f"docs/openapi.yaml documents {m} {t}, which api.c does not route")

# docs/openapi.json must come from docs/openapi.yaml: without a YAML reader, at least
# the paths, operation ids and schema names must agree (openapi_lint.sh compares all).
with open(SPEC_YAML) as f:
    yaml_text = f.read()
yaml_paths = set(re.findall(r"^  (/\S*):\s*$", yaml_text, re.M))
yaml_ops = set(re.findall(r"^\s+operationId:\s*(\S+)\s*$", yaml_text, re.M))
yaml_schemas = set(re.findall(r"^    ([A-Za-z]\w*):\s*$",
                              yaml_text.split("\n  schemas:\n", 1)[-1], re.M))
stale = "docs/openapi.json is out of date with docs/openapi.yaml (regenerate it: see " \
        "tests/e2e/openapi_lint.sh)"
check(yaml_paths == set(SPEC["paths"]), f"{stale}: paths differ")
check(yaml_ops == {op["operationId"] for _, _, op in operations()}, f"{stale}: operationIds")
check(yaml_schemas == set(SPEC["components"]["schemas"]), f"{stale}: schema names differ")


# ---- 3a. the examples validate -------------------------------------------------------

JOB = component("Job")
for p in sorted(glob.glob(os.path.join(ROOT, "examples", "jobs", "*.json"))):
    with open(p) as f:
        errs = validate(json.load(f), JOB)
    check(not errs, f"{os.path.relpath(p, ROOT)} does not match the Job schema: {errs[:3]}")
wl = os.path.join(ROOT, "examples", "workload-gd.jsonl")
with open(wl) as f:
    n = 0
    for i, line in enumerate(f, 1):
        if line.strip() and not line.lstrip().startswith("#"):
            n += 1
            errs = validate(json.loads(line), JOB)
            check(not errs, f"examples/workload-gd.jsonl:{i} does not match Job: {errs[:3]}")
    check(n > 100, f"examples/workload-gd.jsonl: only {n} jobs")

def check_doc_examples():
    """Every example in the description validates against its own schema."""
    def media_examples(label, media):
        schema = media.get("schema")
        if schema is None:
            return
        exs = []
        if "example" in media:
            exs.append(("example", media["example"]))
        for k, e in media.get("examples", {}).items():
            exs.append((k, deref(e)["value"]))
        for k, e in exs:
            if isinstance(e, str) and schema.get("type") == "string":
                continue
            errs = validate(e, schema)
            check(not errs, f"{label} example {k!r} does not match its schema: {errs[:3]}")

    for m, t, op in operations():
        for media in op.get("requestBody", {}).get("content", {}).values():
            media_examples(f"{m} {t} request", media)
        for code, r in op["responses"].items():
            for media in deref(r).get("content", {}).values():
                media_examples(f"{m} {t} {code}", media)
    for name, s in SPEC["components"]["schemas"].items():
        for e in s.get("examples", []):
            check(not validate(e, s), f"schema {name}: its example {e!r} does not match")


check_doc_examples()


# ---- 2 and 3b. the server ------------------------------------------------------------

def param_ok(method, tmpl, where, name, value):
    """Does the string `value` of a parameter satisfy its documented schema?"""
    for p in parameters(method, tmpl):
        if p["in"] == where and p["name"].lower() == name.lower():
            schema = p["schema"]
            t = deref(schema).get("type")
            v = value
            if t == "integer":
                if not re.fullmatch(r"-?[0-9]+", value):
                    return False
                v = int(value)
            return not validate(v, schema)
    raise AssertionError(f"{method} {tmpl}: no {where} parameter {name}")


s = Server(network=NET).start()
try:
    u = s.url
    admin = s.admin_token()

    def req(method, path, token=None, body=None, raw=None, headers=None, want=None, what=""):
        resp = call(u, method, path, token, body, raw, headers)
        out = conform(resp, method, path, want, what)
        if method == "POST" and path == "/v1/jobs" and raw is None and body is not None:
            submitted.append((body, resp[0], out.get("error") if isinstance(out, dict) else None,
                              what))
        return resp

    # -- health, metrics, unknown routes
    req("GET", "/healthz", want=200)
    _, text, hdrs = req("GET", "/metrics", want=200)
    check(isinstance(text, str) and "suanwang_jobs_submitted_total" in text, "metrics text")
    req("GET", "/healthz", raw=b" " * ((4 << 20) + 1), want=413, what="huge body")
    req("GET", "/metrics", raw=b" " * ((4 << 20) + 1), want=413, what="huge body")
    req("POST", "/healthz", want=405)
    req("PUT", "/v1/jobs/1", admin, want=405)
    req("GET", "/v1/nope", admin, want=404)

    # -- tenants
    T = "/v1/tenants"
    tenant_bodies = []

    def tenant(body, want, token=admin, what=""):
        r = req("POST", T, token, body, want=want, what=what)
        if token == admin and r[0] in (201, 400) and (r[0] == 201 or r[1].get("error") != "exists"):
            tenant_bodies.append((body, r[0]))
        return r

    tenant({"name": "lab-a", "kind": "consumer"}, 201)
    tenant({"name": "lab-b"}, 201)
    tenant({"name": "prov.1", "kind": "provider"}, 201)
    tenant({"name": "ops_admins", "kind": "admin"}, 201)
    tenant({"name": "lab-a"}, 409)
    tenant({"name": "bad name"}, 400)
    tenant({"name": ""}, 400)
    tenant({"name": "x" * 48}, 400)
    tenant({"name": "x", "kind": "agent"}, 400)
    tenant({"name": "x", "kind": "boss"}, 400)
    tenant({"name": "x", "colour": "red"}, 400)
    tenant({"name": 5}, 400)
    tenant({}, 400)
    tenant([{"name": "x"}], 400)
    req("POST", T, admin, raw=b'{"name":', want=400, what="malformed")
    req("POST", T, body={"name": "x"}, want=401)
    req("GET", T, admin, want=200)
    req("GET", T, "sw_" + "A" * 43, want=401, what="unknown token")

    # -- tokens
    K = "/v1/tokens"
    token_bodies = []

    def token(body, want, what=""):
        r = req("POST", K, admin, body, want=want, what=what)
        if r[0] in (201, 400):
            token_bodies.append((body, r[0]))
        return r[1]

    ta = token({"tenant": "lab-a", "role": "consumer", "label": "ci"}, 201)["token"]
    tb = token({"tenant": "lab-b", "role": "consumer"}, 201)["token"]
    tp = token({"tenant": "prov.1", "role": "provider"}, 201)["token"]
    tg = token({"tenant": "prov.1", "role": "agent", "site": "sg-ai"}, 201)["token"]
    spare = token({"tenant": "lab-b", "role": "consumer", "label": "to revoke"}, 201)
    token({"tenant": "prov.1", "role": "agent"}, 400, "agent without site")
    token({"tenant": "lab-a", "role": "king"}, 400)
    token({"tenant": "lab-a"}, 400, "no role")
    token({"tenant": "lab-a", "role": "consumer", "label": "x" * 64}, 400)
    token({"tenant": "lab-a", "role": "consumer", "expires": "never"}, 400)
    token({"tenant": "lab-a", "role": 3}, 400)
    req("POST", K, admin, {"tenant": "nobody", "role": "consumer"}, want=404)
    req("POST", K, admin, {"tenant": "prov.1", "role": "agent", "site": "nowhere"}, want=404)
    req("POST", K, ta, {"tenant": "lab-a", "role": "admin"}, want=403, what="consumer")
    req("GET", K, admin, want=200)
    req("GET", K, tp, want=403, what="provider")
    req("DELETE", f"{K}/{spare['id']}", admin, want=200)
    req("DELETE", f"{K}/{spare['id']}", admin, want=200, what="again")
    req("GET", "/v1/jobs", spare["token"], want=401, what="revoked token")
    for bad in ("0", "abc", "-1", "99999999999999999999"):
        r = req("DELETE", f"{K}/{bad}", admin, want=400)
        check(not param_ok("DELETE", "/v1/tokens/{id}", "path", "id", bad),
              f"token id {bad!r}: refused by the server but valid for the schema")
    req("DELETE", f"{K}/424242", admin, want=404)
    req("DELETE", f"{K}/1", ta, want=403, what="consumer")

    for body, status in tenant_bodies:
        ok = not validate(body, component("TenantCreate"))
        check(ok == (status == 201),
              f"POST /v1/tenants {body}: the server answered {status} but the schema says "
              f"{'valid' if ok else 'invalid'}")
    for body, status in token_bodies:
        ok = not validate(body, component("TokenCreate"))
        check(ok == (status == 201),
              f"POST /v1/tokens {body}: the server answered {status} but the schema says "
              f"{'valid' if ok else 'invalid'}")

    # -- sites and network: any role
    for tok in (admin, ta, tp, tg):
        req("GET", "/v1/sites", tok, want=200)
        req("GET", "/v1/network", tok, want=200)
    req("GET", "/v1/sites", want=401)
    req("GET", "/v1/network", "Basic", want=401)

    # -- jobs: submissions, valid (server: 201/200/422) and malformed (server: 400)
    J = "/v1/jobs"
    MIN = {"name": "x", "command": ["/bin/true"]}

    def job(extra, want, token=admin, what=""):
        body = dict(MIN)
        body.update(extra)
        for k in [k for k, v in extra.items() if v is None]:
            del body[k]
        what = what or json.dumps(extra, ensure_ascii=False)[:80]
        if isinstance(want, tuple):
            r = req("POST", J, token, body, what=what)
            check(r[0] in want, f"POST /v1/jobs {what}: expected one of {want}, got {r[0]} {r[1]}")
            return r
        return req("POST", J, token, body, want=want, what=what)

    job({}, 201)
    job({"name": "训练-7b", "tenant": "lab-b", "user": 7}, 201)
    job({"command": None, "script": "#!/bin/bash\necho hi\n"}, 201)
    job({"env": {"OMP_NUM_THREADS": "8", "_X1": ""}, "workdir": "/srv/x"}, 201)
    job({"tasks": 4, "gang": True, "resources": {"cores": 2, "mem_gib": 0.5}}, 201)
    job({"resources": {"mem_mib": 1536, "gpus": 0.5}}, 201)
    job({"resources": {"gpus": {"count": 2, "model": "A800", "min_mem_gib": 40}}}, 201)
    job({"resources": {"gpus": {"count": 1, "model": ["A800", "V100"], "equivalent": True,
                                "ref_model": "A800"}}}, 201)
    job({"resources": {"gpus": {"compute_tflops": 500}}}, 201)
    for w in (7200, "90s", "1h30m", "1.5h", "90", "90:30", "12:00:00", "2-12", "1-02:30",
              "1-02:30:15", "1d"):
        job({"walltime": w}, 201)
    job({"walltime": "2h", "runtime_estimate": "90m", "runtime": 4000}, 201)
    job({"qos": "spot", "preemptible": True, "objective": "cheapest"}, 201)
    job({"qos": "realtime", "near": "guangzhou:3ms"}, 201)
    job({"qos": "interactive", "near": "guangzhou:2.5"}, 201)
    job({"near": {"region": "shaoguan", "max_ms": 3}, "objective": "greenest"}, 201)
    job({"data": {"inputs": [{"name": "a", "size": "2TB", "region": "shenzhen"},
                             {"name": "b", "size": 500, "region": "guangzhou"},
                             {"name": "c", "size_mb": 12.5, "region": "shaoguan"},
                             {"name": "d", "size": "100 GiB", "region": "shaoguan"}],
                  "output_region": "shenzhen"}, "objective": "balanced"}, 201)
    job({"placement": {"regions": {"allow": ["shaoguan", "guangzhou"], "forbid": ["shenzhen"]},
                       "kinds": {"allow": ["hpc", "ai"]}}}, 201)
    job({"placement": {"kinds": {"forbid": ["cloud"]}, "sites": {"forbid": ["sz-cloud"]}}}, 201)
    job({"budget_fen": 100000, "max_price_fen": 2000, "retries": 3}, 201)
    job({"deadline": 4102444800}, 201)
    job({"resources": {"gpus": {"model": "A1OO"}}}, 422, what="unknown model")
    job({"near": "mars:3ms"}, 422, what="unknown region")
    job({"resources": {"cores": 100000}}, 422, what="too many cores")
    job({"deadline": 5}, 422, what="deadline passed")
    job({"tenant": "lab-b"}, 403, token=ta, what="someone else's tenant")
    job({"tenant": "lab-a"}, 201, token=ta)
    req("POST", J, tp, MIN, want=403, what="provider")
    req("POST", J, tg, MIN, want=403, what="agent")
    req("POST", J, None, MIN, want=401)

    # malformed for the server and the schema alike
    for extra in ({"name": None}, {"command": None}, {"script": "#!/bin/sh\n"},
                  {"command": "ls -l"}, {"comand": ["x"]}, {"cores": 2}, {"tasks": 0},
                  {"tasks": "64"}, {"tasks": 2.0}, {"tasks": 1000001}, {"walltime": "2x"},
                  {"walltime": 0}, {"walltime": 1.5}, {"walltime": "0.5s1m"},
                  {"walltime": 31622401}, {"resources": {"gpus": {"model": 5}}},
                  {"resources": {"gpus": 0}}, {"resources": {"gpus": {"count": 1025}}},
                  {"resources": {"gpus": {"count": 2, "compute_tflops": 5}}},
                  {"resources": {"mem_gib": 1, "mem_mib": 1024}},
                  {"resources": {"mem_gib": -1}}, {"resources": {"disk": 1}},
                  {"qos": "bacth"}, {"objective": "fast"}, {"budget_fen": 12.5},
                  {"budget_fen": 0}, {"max_price_fen": "10"}, {"near": "guangzhou"},
                  {"near": {"region": "guangzhou"}}, {"near": {"region": "x", "max_ms": 0}},
                  {"near": "guangzhou:3s"},
                  {"data": {"inputs": [{"name": "a", "region": "shenzhen"}]}},
                  {"data": {"inputs": [{"name": "a", "size": "500", "region": "x"}]}},
                  {"data": {"inputs": [{"name": "a", "size": 1, "size_mb": 1, "region": "x"}]}},
                  {"data": {"inputs": [{"name": "a", "size": "5 XB", "region": "x"}]}},
                  {"placement": {"regions": {"allow": ["a", "a"]}}},
                  {"placement": {"regions": {"allow": []}}},
                  {"placement": {"kinds": {"allow": ["gpu"]}}},
                  {"placement": {"zones": {}}}, {"qos": "spot", "preemptible": False},
                  {"env": {"1X": "y"}}, {"env": {"SUANWANG_JOB": "1"}}, {"env": {"A": 1}},
                  {"env": ["A=1"]}, {"workdir": "relative/dir"}, {"user": -1},
                  {"retries": 101}, {"id": 0}, {"idempotency_key": ""},
                  {"name": "x" * 128}, {"name": "a\tb"}, {"tenant": "t" * 48},
                  {"submit": -1}, {"deadline": "tomorrow"}, {"gang": "yes"},
                  {"command": [], "script": None}, {"command": [1]}):
        job(extra, 400)
    # malformed for the server, but beyond what a schema can say
    SCHEMA_BLIND = [
        {"runtime_estimate": "2h"},                          # above the default walltime
        {"deadline": 100, "submit": 200},                    # deadline before submit
        {"command": [""]},                                   # the program is empty
        {"command": ["/bin/echo", "a\u0000b"]},             # a NUL
        {"name": "训" * 50},                                  # 150 bytes, 50 characters
        {"walltime": "367d"},                                # a duration string out of range
        {"walltime": "1:60:00"},                             # Slurm field out of range
        {"resources": {"gpus": 1.5}},                        # fractions only below 1
        {"data": {"inputs": [{"name": "a", "size": 1, "region": "x"},
                             {"name": "a", "size": 2, "region": "y"}]}},
        {"placement": {"regions": {"allow": ["a"], "forbid": ["a"]}}},
        {"placement": {"kinds": {"forbid": ["hpc", "ai", "cloud"]}}},
    ]
    for extra in SCHEMA_BLIND:
        job(extra, 400, what="schema-blind " + json.dumps(extra, ensure_ascii=False)[:60])

    # batches
    r = req("POST", J, admin, [MIN, dict(MIN, name="y", tasks=3)], want=201)
    check(len(r[1].get("ids", [])) == 2, f"batch of 2: {r[1]}")
    req("POST", J, admin, {"jobs": [MIN]}, want=201)
    req("POST", J, admin, [], want=400, what="empty batch")
    req("POST", J, admin, {"jobs": []}, want=400, what="empty batch")
    req("POST", J, admin, {"jobs": [MIN], "x": 1}, want=400, what="jobs plus another key")
    req("POST", J, admin, [MIN, dict(MIN, tasks=0)], want=400, what="a bad job in a batch")
    req("POST", J, admin, [MIN, dict(MIN, near="mars:1")], want=422, what="bad job in batch")
    req("POST", J, admin, [MIN] * 10001, want=400, what="10001 jobs")
    req("POST", J, admin, raw=b'{"name": "x"', want=400, what="malformed JSON")
    req("POST", J, admin, raw=b"[1, 2", want=400, what="malformed JSON")
    req("POST", J, admin, raw=b'{"name":"\xff"}', want=400, what="bad UTF-8")
    req("POST", J, admin, raw=b'{"name":"a","name":"b","command":["x"]}', want=400,
        what="duplicate key")
    req("POST", J, admin, raw=b" " * ((4 << 20) + 1), want=413)
    req("POST", J, None, raw=b" " * ((4 << 20) + 1), want=413, what="before authentication")

    # idempotency
    key_cases = []
    for key, want in (("k-1", 201), ("k-1", 200), ("", 400), ("k" * 119, 201),
                      ("k" * 120, 400)):
        r = req("POST", J, ta, MIN, headers={"Idempotency-Key": key}, want=want,
                what=f"Idempotency-Key of {len(key)} characters")
        key_cases.append((key, r[0]))
        if r[0] == 201:
            check("idempotent-replayed" not in {k.lower() for k in r[2]},
                  "a 201 must not carry Idempotent-Replayed")
    for key, status in key_cases:
        ok = param_ok("POST", J, "header", "Idempotency-Key", key)
        check(ok == (status != 400), f"Idempotency-Key of {len(key)} characters: server "
                                     f"{status}, schema {'valid' if ok else 'invalid'}")
    r1 = req("POST", J, ta, [MIN, MIN], headers={"Idempotency-Key": "b-1"}, want=201)
    r2 = req("POST", J, ta, [MIN, MIN], headers={"Idempotency-Key": "b-1"}, want=200)
    check(r1[1] == r2[1], f"batch replay: {r1[1]} then {r2[1]}")
    r3 = req("POST", J, ta, dict(MIN, idempotency_key="own"), want=201)
    r4 = req("POST", J, ta, dict(MIN, idempotency_key="own"), want=200)
    check(r3[1] == r4[1], f"replay by the job's own key: {r3[1]} then {r4[1]}")

    # -- a queue: gangs of 48 x 64 cores fit only the Ascend class, one at a time
    big = dict(MIN, name="big", tasks=48, gang=True, resources={"cores": 64})
    ids = req("POST", J, admin, [big, big, big], want=201)[1]["ids"]
    deadline = time.time() + 10
    pending = None
    while time.time() < deadline and pending is None:
        for i in ids:
            d = call(u, "GET", f"{J}/{i}", admin)[1]
            units = d.get("task_units") or [{}]
            if d.get("state") == "pending" and units[0].get("site") and d.get("why"):
                pending = i
        time.sleep(0.2)
    if check(pending is not None, "no job of three full-class gangs is pending and placed"):
        d = req("GET", f"{J}/{pending}", admin, want=200, what="pending")[1]
        check("estimated_start" in d["task_units"][0], f"a placed pending unit: {d}")
        req("DELETE", f"{J}/{pending}", admin, want=200)
        d = req("GET", f"{J}/{pending}", admin, want=200, what="cancelled")[1]
        check(d["state"] == "cancelled" and d["events"][-1]["state"] == "cancelled",
              f"after the cancellation: {d['state']}, {d['events'][-1:]}")
        req("DELETE", f"{J}/{pending}", admin, want=200, what="again")
    for i in ids:
        d = req("GET", f"{J}/{i}", admin, want=200)[1]
    scheduled = [e for i in ids for e in call(u, "GET", f"{J}/{i}", admin)[1]["events"]
                 if e["state"] == "scheduled"]
    check(scheduled and "detail" in scheduled[0], f"a scheduled event with detail: {scheduled}")

    # -- reading and cancelling jobs
    mine = req("POST", J, ta, MIN, want=201)[1]["id"]
    req("GET", f"{J}/{mine}", ta, want=200)
    req("GET", f"{J}/{mine}", tb, want=404, what="another tenant's job")
    req("GET", f"{J}/{mine}", tp, want=403, what="provider")
    req("GET", f"{J}/{mine}", None, want=401)
    req("GET", f"{J}/987654", admin, want=404)
    req("DELETE", f"{J}/{mine}", tb, want=404, what="another tenant's job")
    req("DELETE", f"{J}/{mine}", tg, want=403, what="agent")
    req("DELETE", f"{J}/{mine}", ta, want=200)
    req("DELETE", f"{J}/987654", admin, want=404)
    for bad in ("0", "abc", "-3", "1.5", "99999999999999999999"):
        for m in ("GET", "DELETE"):
            req(m, f"{J}/{bad}", admin, want=400)
        check(not param_ok("GET", "/v1/jobs/{id}", "path", "id", bad),
              f"job id {bad!r}: refused by the server but valid for the schema")
    check(param_ok("GET", "/v1/jobs/{id}", "path", "id", str(mine)), "a real job id")

    # -- listing and paging
    page = req("GET", f"{J}?limit=2", admin, want=200)[1]
    check(len(page["jobs"]) == 2 and "next" in page, f"a first page: {page}")
    page2 = req("GET", f"{J}?limit=2&after={page['next']}", admin, want=200)[1]
    check(page2["jobs"] and page2["jobs"][0]["id"] > page["next"], f"the second page: {page2}")
    seen, after = [], 0
    while True:
        p = req("GET", f"{J}?limit=1000&after={after}", admin, want=200)[1]
        seen += [j["id"] for j in p["jobs"]]
        if "next" not in p:
            break
        after = p["next"]
    check(seen == sorted(set(seen)), "ids increase along the pages")
    query_cases = []
    for q, want in (("state=pending", 200), ("state=cancelled", 200), ("state=lost", 200),
                    ("state=bogus", 400), ("state=", 400), ("tenant=lab-a", 200),
                    ("limit=1", 200), ("limit=1000", 200), ("limit=0", 400),
                    ("limit=1001", 400), ("limit=x", 400), ("after=0", 200),
                    ("after=-1", 400), ("after=1.5", 400)):
        r = req("GET", f"{J}?{q}", admin, want=want, what=q)
        query_cases.append((q, r[0]))
    for q, status in query_cases:
        name, value = q.split("=", 1)
        ok = param_ok("GET", J, "query", name, value)
        check(ok == (status == 200), f"GET /v1/jobs?{q}: server {status}, schema "
                                     f"{'valid' if ok else 'invalid'}")
    lst = req("GET", J, ta, want=200)[1]
    check(lst["jobs"] and all(j["tenant"] == "lab-a" for j in lst["jobs"]),
          "a consumer lists only its own tenant's jobs")
    req("GET", f"{J}?tenant=lab-a", ta, want=200)
    req("GET", f"{J}?tenant=lab-b", ta, want=403, what="another tenant")
    req("GET", J, tp, want=403, what="provider")
    req("GET", J, None, want=401)
    req("GET", J, "sw_nope", want=401)
    req("GET", J, admin, raw=b" " * ((4 << 20) + 1), want=413)

    # -- the agent endpoints, and a task's log
    A = "/v1/agent"
    hello = {"agent_id": "sg-1", "hostname": "node1", "backend": "local",
             "capacity": {"cores": 8, "mem_mib": 16384,
                          "accelerators": [{"model": "A800", "count": 8, "source": "declared"}]},
             "running": []}
    for body in (hello,):
        check(not validate(body, component("AgentHello")), "the register body is an AgentHello")
    req("POST", f"{A}/register", tg, hello, want=200)
    req("POST", f"{A}/register", tg, dict(hello, running={"job": 1}), want=400)
    req("POST", f"{A}/register", tg, raw=b"{", want=400, what="malformed")
    req("POST", f"{A}/register", ta, hello, want=403, what="consumer")
    req("POST", f"{A}/register", admin, hello, want=403, what="admin")
    req("POST", f"{A}/register", None, hello, want=401)
    sites = req("GET", "/v1/sites", ta, want=200, what="an agent is up")[1]["sites"]
    sg = [x for x in sites if x["name"] == "sg-ai"]
    check(sg and sg[0].get("agent", {}).get("up") is True, f"sg-ai's agent is up: {sg}")
    req("POST", f"{A}/heartbeat", tg, {"agent_id": "sg-1", "running": []}, want=200)
    req("POST", f"{A}/heartbeat", tg, [1], want=400, what="not an object")
    req("POST", f"{A}/heartbeat", tp, {"running": []}, want=403, what="provider")
    req("GET", f"{A}/assignments?wait_s=61", tg, want=400)
    req("GET", f"{A}/assignments?wait_s=x", tg, want=400)
    req("GET", f"{A}/assignments?wait_s=0", admin, want=403, what="admin")
    req("GET", f"{A}/assignments?wait_s=0", None, want=401)
    for q, status in (("61", 400), ("x", 400), ("-1", 400), ("0", 200), ("60", 200)):
        check(param_ok("GET", f"{A}/assignments", "query", "wait_s", q) == (status == 200),
              f"wait_s={q}: schema and server disagree")
    ajob = req("POST", J, ta, dict(MIN, name="for-the-agent",
                                   placement={"sites": {"allow": ["sg-ai"]}},
                                   resources={"gpus": 1}), want=201)[1]["id"]
    a = None
    deadline = time.time() + 10
    while a is None and time.time() < deadline:
        got = req("GET", f"{A}/assignments?wait_s=1", tg, want=200)[1].get("assignments", [])
        a = next((x for x in got if x["job"] == ajob), None)
    if check(a is not None, "the agent was given the job"):
        ref = {"job": ajob, "task": a["task"], "attempt": a["attempt"], "fence": a["fence"]}
        ev = {"events": [dict(ref, state="running", time_ms=int(time.time() * 1000))]}
        check(not validate(ev, component("AgentEventBatch")), "an AgentEventBatch")
        r = req("POST", f"{A}/events", tg, ev, want=200)[1]
        check(r.get("accepted") == 1, f"running accepted: {r}")
        r = req("POST", f"{A}/events", tg,
                {"events": [dict(ref, fence=a["fence"] + 1000, state="completed"),
                            dict(ref, state="exploded")]}, want=200, what="stale")[1]
        check(r.get("accepted") == 0 and [x["reason"] for x in r.get("stale", [])] ==
              ["superseded", "bad state"], f"stale reports: {r}")
        req("POST", f"{A}/events", tg, {"evts": []}, want=400)
        req("POST", f"{A}/events", tg, raw=b"[", want=400, what="malformed")
        req("POST", f"{A}/events", ta, ev, want=403, what="consumer")
        q = (f"job={ajob}&task={a['task']}&attempt={a['attempt']}&fence={a['fence']}"
             f"&stream=stdout")
        r = req("POST", f"{A}/logs?{q}&offset=0", tg, raw=b"hello\n", want=200)[1]
        check(r.get("size") == 6, f"log size after a chunk: {r}")
        r = req("POST", f"{A}/logs?{q}&offset=0", tg, raw=b"hello\n", want=409, what="offset")
        check(r[2].get("X-Log-Size") == "6", f"409 offset carries X-Log-Size: {r[2]}")
        stale_q = q.replace(f"fence={a['fence']}", f"fence={a['fence'] + 1000}")
        req("POST", f"{A}/logs?{stale_q}&offset=6", tg, raw=b"x", want=409, what="stale")
        req("POST", f"{A}/logs?{q}", tg, raw=b"x", want=400, what="no offset")
        req("POST", f"{A}/logs?{q.replace('stdout', 'stdlog')}&offset=6", tg, raw=b"x",
            want=400, what="bad stream")
        req("POST", f"{A}/logs?{q}&offset=6", tg, raw=b"x" * ((1 << 20) + 1), want=400,
            what="a chunk above 1 MiB")
        req("POST", f"{A}/logs?{q}&offset=6", ta, raw=b"x", want=403, what="consumer")
        L = f"{J}/{ajob}/logs"
        code, text, hdrs = req("GET", L, ta, want=200)
        check(text == "hello\n" and hdrs.get("X-Log-Size") == "6" and
              "X-Log-Complete" not in hdrs, f"the log while running: {text!r} {hdrs}")
        req("POST", f"{A}/events", tg, {"events": [dict(ref, state="completed", exit_status=0)]},
            want=200)
        code, text, hdrs = req("GET", f"{L}?offset=6&stream=stdout", ta, want=200, what="end")
        check(text == "" and hdrs.get("X-Log-Complete") == "true", f"the end: {text!r} {hdrs}")
        req("GET", f"{L}?stream=stderr", admin, want=200)
        req("GET", f"{L}?stream=stdlog", ta, want=400)
        req("GET", f"{L}?offset=-1", ta, want=400)
        req("GET", f"{L}?task=5", ta, want=404, what="no such task")
        req("GET", f"{J}/abc/logs", ta, want=400)
        req("GET", f"{J}/987654/logs", ta, want=404)
        req("GET", L, tb, want=404, what="another tenant's job")
        req("GET", L, tp, want=403, what="provider")
        req("GET", L, None, want=401)
        r = req("POST", f"{A}/heartbeat", tg, {"agent_id": "sg-1", "running": [ref]},
                want=200, what="with an ended attempt")[1]
        check([x["reason"] for x in r.get("stop", [])] == ["not running"],
              f"an ended attempt is to be stopped: {r}")
        d = req("GET", f"{J}/{ajob}", ta, want=200, what="completed")[1]
        check(d["state"] == "completed" and d["events"][-1].get("detail") == {"exit_status": 0},
              f"completed with its exit status: {d['state']} {d['events'][-1:]}")
finally:
    s.stop()
    shutil.rmtree(s.data_dir, ignore_errors=True)

# ---- 3c. the job schema and the decoder agree -----------------------------------------

SUBMIT = component("SubmitRequest")
blind = [json.dumps(dict(MIN, **e), sort_keys=True) for e in SCHEMA_BLIND]
for body, status, code, what in submitted:
    errs = validate(body, SUBMIT)
    if status in (200, 201, 422) or code in ("forbidden", "unauthenticated"):
        check(not errs, f"POST /v1/jobs ({what}): the server answered {status} but the "
                        f"schema refuses the body: {errs[:3]}")
    elif code in ("invalid_job", "bad_batch"):
        is_blind = isinstance(body, dict) and json.dumps(body, sort_keys=True) in blind
        if is_blind:
            check(not errs, f"POST /v1/jobs ({what}): listed as beyond the schema, but the "
                            f"schema refuses it after all (take it off the list): {errs[:2]}")
        else:
            check(bool(errs), f"POST /v1/jobs ({what}): the server refused it ({code}) but "
                              f"the schema accepts {json.dumps(body, ensure_ascii=False)[:200]}")

# ---- every operation answered a success and an error ---------------------------------

for m, t, op in operations():
    seen = covered.get((m, t), set())
    check(any(200 <= c < 300 for c in seen), f"{m} {t}: no 2xx answer was checked ({seen})")
    check(any(400 <= c < 500 for c in seen), f"{m} {t}: no 4xx answer was checked ({seen})")
    untested = sorted(set(op["responses"]) - {str(c) for c in seen})
    if untested:
        print(f"note: {m} {t}: documented but not provoked here: {', '.join(untested)}")

if failures:
    print(f"{len(failures)} failure(s)")
    sys.exit(1)
print(f"openapi_conformance: {sum(len(v) for v in covered.values())} (operation, status) pairs "
      f"over {len(covered)} operations conform to docs/openapi.yaml; "
      f"{len(submitted)} job bodies agree with the Job schema")
