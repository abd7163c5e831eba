#!/usr/bin/env bash
# test_cli_json.sh - `--json` of `metadata show`, `key show` and
# `verify-provenance` (docs/cli-json.md): one line of JSON, parsed and
# checked field by field, for good and refused input.
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/lib/common.sh"
source "$here/lib/repo.sh"
: "${RAMPART:?}"
MKREPO=${MKREPO:-$RAMPART_BUILD/tests/mkrepo}
cd "$T_WORK" || exit 1

# check NAME PYTHON_ASSERTIONS: stdout is one JSON object `o`, which passes them
check() {
    if [ "$(wc -l <"$T_WORK/out")" -eq 1 ] && python3 - "$T_WORK/out" "$2" <<'PY'; then
import json, re, sys
o = json.loads(open(sys.argv[1]).read())
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
exec(sys.argv[2])
PY
        t_ok "$1"
    else
        t_bad "$1: $(head -c 600 "$T_WORK/out")"
    fi
}

# ---------------------------------------------------------------- metadata show
"$MKREPO" repo >/dev/null || { t_bad mkrepo; t_done; exit 1; }
m=repo/metadata
t_run "metadata show --json (root)" 0 - "$RAMPART" metadata show repo/root.json --json
check "root: fields" '
assert o["file"] == "repo/root.json" and o["role"] == "root" and o["version"] == 1, o
assert isinstance(o["spec_version"], str) and RFC3339.match(o["expires"]) and o["expired"] is False
assert isinstance(o["consistent_snapshot"], bool)
assert "target_count" not in o and "meta_count" not in o
root = json.load(open("repo/root.json"))["signed"]
assert sorted(k["keyid"] for k in o["keys"]) == sorted(root["keys"]), o["keys"]
for k in o["keys"]:
    assert k["keytype"] == root["keys"][k["keyid"]]["keytype"] and k["scheme"] == root["keys"][k["keyid"]]["scheme"]
    assert k["supported"] is True and k["keyid_matches"] is True and re.fullmatch("[0-9a-f]{64}", k["fingerprint"])
assert sorted(r["name"] for r in o["roles"]) == sorted(root["roles"])
for r in o["roles"]:
    assert r["threshold"] == root["roles"][r["name"]]["threshold"] and r["keyids"] == root["roles"][r["name"]]["keyids"]
    assert r["terminating"] is False
assert [s["status"] for s in o["signatures"]] == ["valid"] * len(o["signatures"]) and o["signatures"]
assert o["threshold_met"] is True and o["threshold_error"] is None and o["threshold_message"] is None
'
t_run "metadata show --json (timestamp, unchecked)" 0 - "$RAMPART" metadata show --json "$m/timestamp.json"
check "timestamp: unchecked signatures, meta_count" '
assert o["role"] == "timestamp" and o["meta_count"] == 1 and o["keys"] == [] and o["roles"] == []
assert o["threshold_met"] is None and "threshold_error" not in o
assert all(s == {"keyid": None, "status": "not checked"} for s in o["signatures"]) and o["signatures"]
'
t_run "metadata show --json (targets against root)" 0 - "$RAMPART" metadata show "$m/2.targets.json" --root "$m/2.root.json" --json
check "targets: target_count, checked" '
t = json.load(open(sys.argv[1].rsplit("/", 1)[0] + "/repo/metadata/2.targets.json"))["signed"]
assert o["role"] == "targets" and o["target_count"] == len(t["targets"]) and o["threshold_met"] is True
'
# a signature threshold not met: still exit 0 (show), and the reason in the JSON
python3 - "$m/timestamp.json" bad-ts.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["signed"]["version"] += 1
json.dump(d, open(sys.argv[2], "w"))
PY
t_run "metadata show --json (tampered)" 0 - "$RAMPART" metadata show bad-ts.json --root repo/root.json --json
check "tampered: invalid signature, threshold not met" '
assert [s["status"] for s in o["signatures"]] == ["invalid"]
assert o["threshold_met"] is False and o["threshold_error"] == "RAMPART_EBADSIG"
assert "threshold not met" in o["threshold_message"], o
'
t_run "metadata show --json --against" 2 RAMPART_EINVAL "$RAMPART" metadata show repo/root.json --json --against repo/root.json
t_run "metadata show --json: unreadable file" 1 RAMPART_ENOTFOUND "$RAMPART" metadata show nope.json --json
[ ! -s "$T_WORK/out" ] && t_ok "no JSON for a file that cannot be read" || t_bad "stdout: $(cat "$T_WORK/out")"

# ---------------------------------------------------------------- key show
r_keys one
t_run "key show --json (public)" 0 - "$RAMPART" key show "$(K one pub)" --json
check "public key: fields" '
k = json.load(open(sys.argv[1].rsplit("/", 1)[0] + "/keys/one.pub"))
assert set(o) == {"file", "kind", "keyid", "keytype", "scheme", "public"}, o
assert o["kind"] == "public" and o["keytype"] == k["keytype"] and o["scheme"] == k["scheme"]
assert o["public"] == k["keyval"]["public"] and re.fullmatch("[0-9a-f]{64}", o["keyid"])
'
cp "$T_WORK/out" pub.json
"$RAMPART" key show "$(K one key)" --json --passphrase-file "$T_WORK/keys/pass" >"$T_WORK/out" 2>"$T_WORK/err" ||
    "$RAMPART" key show "$(K one key)" --json >"$T_WORK/out" 2>"$T_WORK/err"
check "private key: the same key, kind private" '
p = json.load(open(sys.argv[1].rsplit("/", 1)[0] + "/pub.json"))
assert o["kind"] == "private" and o["keyid"] == p["keyid"] and o["public"] == p["public"]
'
t_run "key show --json: not a key" 1 RAMPART_EFORMAT "$RAMPART" key show --json repo/root.json

# ---------------------------------------------------------------- verify-provenance
BUILDER=https://ci.example.com/builders/release@v1
r_keys builder thief
python3 - policy.json "$(K builder pub)" "$BUILDER" <<'PY'
import json, sys
out, ci, builder = sys.argv[1:]
json.dump({"keys": {"ci": json.load(open(ci))},
           "default": {"provenance": "required", "keys": ["ci"], "builder_ids": [builder]},
           "rules": [{"name": "docs", "paths": ["docs/*"], "provenance": "none"}]}, open(out, "w"))
PY
printf 'app 1.2.0\n' >app-1.2.0.tar.gz
attest() { "$RAMPART" attest --builder-id "$BUILDER" --source-uri git+https://git.example.com/org/app "$@" app-1.2.0.tar.gz; }
attest --key "$(K builder key)" --source-revision refs/tags/v1.2.0 --out app.att >/dev/null 2>&1 ||
    attest --key "$(K builder key)" --passphrase-file "$T_WORK/keys/pass" --source-revision refs/tags/v1.2.0 --out app.att
attest --key "$(K thief key)" --out thief.att >/dev/null 2>&1 ||
    attest --key "$(K thief key)" --passphrase-file "$T_WORK/keys/pass" --out thief.att
t_run "verify-provenance --json (verified)" 0 - "$RAMPART" verify-provenance app-1.2.0.tar.gz app.att --path app-1.2.0.tar.gz --policy policy.json --json
check "verified: fields" '
assert o["ok"] is True and o["verified"] is True and o["artifact"] == "app-1.2.0.tar.gz"
assert o["path"] == "app-1.2.0.tar.gz" and o["rule"] == "default" and o["requirement"] == "required"
assert o["builder_id"] == "https://ci.example.com/builders/release@v1"
assert o["source_uri"] == "git+https://git.example.com/org/app" and o["source_revision"] == "refs/tags/v1.2.0"
assert isinstance(o["build_type"], str) and "error" not in o
'
t_run "verify-provenance --json (wrong key)" 1 RAMPART_EPROVSIG "$RAMPART" verify-provenance app-1.2.0.tar.gz thief.att --path app-1.2.0.tar.gz \
    --policy policy.json --json
check "refused: ok false, the code and the reason" '
assert o["ok"] is False and o["verified"] is False and o["error"] == "RAMPART_EPROVSIG" and o["message"]
assert "builder_id" not in o
'
t_run "verify-provenance --json (not required)" 0 - "$RAMPART" verify-provenance app-1.2.0.tar.gz --path docs/a.txt \
    --policy policy.json --json
check "rule without provenance" '
assert o["ok"] is True and o["verified"] is False and o["rule"] == "docs" and o["requirement"] == "none"
assert o["path"] == "docs/a.txt"
'
t_done
