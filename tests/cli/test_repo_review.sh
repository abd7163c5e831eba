#!/usr/bin/env bash
# test_repo_review.sh - the offline root review: `metadata show NEW
# --against TRUSTED` compares keys by fingerprints computed from the key
# material (key ids are labels) and each role's keys and threshold, and a
# key swapped under a trusted key id is shown, warned about, makes the
# review exit 1 and is never signed (metadata sign, repo sign: exit 1,
# RAMPART_EMISMATCH); `repo sign --role root` shows the review first.
# key types: ed25519 ecdsa rsa
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/lib/common.sh"
source "$here/lib/repo.sh"
: "${RAMPART:?}"
cd "$T_WORK" || exit 1
repo=$T_WORK/repo

r_keys root root2 attacker
r_init "$repo" || t_bad "init"
"$RAMPART" repo publish "$repo" --key "$(K root key)" --key "$(K targets key)" --key "$(K snapshot key)" \
    --key "$(K timestamp key)" >/dev/null || t_bad "publish"
root1=$repo/public/metadata/1.root.json
rootid=$(r_keyid root)
root2id=$(r_keyid root2)
tid=$(r_keyid targets)
evil=$(r_keyid attacker)

# 1. A legitimate change: a second root key, threshold 2.
"$RAMPART" repo rotate "$repo" --role root --add-key "$(K root2 pub)" --threshold 2 >/dev/null || t_bad "rotate"
"$RAMPART" repo export "$repo" --role root --out new-root.json >/dev/null || t_bad "export"
t_run "review of a legitimate root" 0 - "$RAMPART" metadata show new-root.json --against "$root1"
out=$T_WORK/out
grep -qx "review against the trusted root version 1 ($root1):" "$out" &&
    grep -qx "version:      1 -> 2" "$out" &&
    grep -qx "  added     $root2id $R_KEYTYPE/.* fingerprint $root2id" "$out" &&
    grep -qx "  unchanged $tid $R_KEYTYPE/.* fingerprint $tid" "$out" &&
    grep -qx "  root: threshold 1 -> 2, 1 key(s) -> 2 +$root2id" "$out" &&
    grep -qx "  targets: threshold 1, 1 key(s) (unchanged)" "$out" &&
    grep -qx "result:       every key id matches its key; check the fingerprints of new keys with their holders" "$out" &&
    t_ok "shows the added key, the new threshold, the rest unchanged" || t_bad "review: $(cat "$out")"
[ ! -s "$T_WORK/err" ] && t_ok "no warning" || t_bad "stderr: $(cat "$T_WORK/err")"

# 2. A key swap: the repository host puts its own key under the real
# targets key id.  Id by id the file looks like the legitimate one.
python3 - new-root.json "$(K attacker pub)" "$tid" <<'PY' >swapped.json
import json, sys
d = json.load(open(sys.argv[1]))
d["signed"]["keys"][sys.argv[3]] = json.load(open(sys.argv[2]))
print(json.dumps(d, indent=1))
PY
t_run "review of a root with a swapped key" 1 - "$RAMPART" metadata show swapped.json --against "$root1"
grep -qx "  REPLACED  $tid $R_KEYTYPE/.* fingerprint $evil  KEY ID DOES NOT MATCH THE KEY" "$out" &&
    grep -qx "            key material under this key id changed: fingerprint $tid -> $evil" "$out" &&
    grep -qx "result:       1 KEY ID(S) DO NOT MATCH THEIR KEYS: do not sign this" "$out" &&
    t_ok "shows the key material that changed under the trusted id" || t_bad "review: $(cat "$out")"
grep -qx "rampart: WARNING: key id $tid does not match its key (fingerprint $evil): the file puts other key material under that id; do not sign it" \
    "$T_WORK/err" && t_ok "warns on stderr" || t_bad "stderr: $(cat "$T_WORK/err")"
t_run "show without --against still flags it" 0 - "$RAMPART" metadata show swapped.json
grep -qx "    fingerprint $evil  KEY ID DOES NOT MATCH THE KEY" "$out" &&
    grep -qx "rampart: WARNING: key id $tid does not match its key (fingerprint $evil)" "$T_WORK/err" &&
    t_ok "show: fingerprint and warning" || t_bad "show: $(cat "$out" "$T_WORK/err")"
cp swapped.json swapped.orig
t_run "metadata sign refuses it" 1 RAMPART_EMISMATCH "$RAMPART" metadata sign swapped.json --key "$(K root key)"
t_same "metadata sign: file untouched" swapped.json swapped.orig
# same key material under a second id: shown as such
python3 - new-root.json "$(K targets pub)" <<'PY' >dup.json
import json, sys
d = json.load(open(sys.argv[1]))
d["signed"]["keys"]["00" * 32] = json.load(open(sys.argv[2]))
print(json.dumps(d))
PY
t_run "review: the trusted targets key under a new id" 1 - "$RAMPART" metadata show dup.json --against "$root1"
grep -qx "            the same key as trusted key $tid" "$out" && t_ok "names the trusted key it copies" ||
    t_bad "review: $(cat "$out")"

# 3. Keys with extra members (python-tuf's keyid_hash_algorithms) whose id
# covers the whole object are not flagged.
python3 - new-root.json "$(K attacker pub)" <<'PY' >extra.json
import hashlib, json, sys
d = json.load(open(sys.argv[1]))
k = json.load(open(sys.argv[2]))
k["keyid_hash_algorithms"] = ["sha256", "sha512"]
def canon(v):  # canonical JSON: only '"' and '\\' escaped in strings (a PEM key's newlines stay raw)
    if isinstance(v, dict):
        return "{" + ",".join(canon(x) + ":" + canon(v[x]) for x in sorted(v)) + "}"
    if isinstance(v, list):
        return "[" + ",".join(canon(x) for x in v) + "]"
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return json.dumps(v)
kid = hashlib.sha256(canon(k).encode()).hexdigest()
d["signed"]["keys"][kid] = k
print(json.dumps(d))
PY
t_run "review: a key id over the whole key object" 0 - "$RAMPART" metadata show extra.json --against "$root1"
[ ! -s "$T_WORK/err" ] && t_ok "no warning for it" || t_bad "stderr: $(cat "$T_WORK/err")"
t_run "review: other kinds of metadata" 1 - "$RAMPART" metadata show new-root.json \
    --against "$repo/public/metadata/1.targets.json"
grep -q "cannot review root metadata against targets metadata" "$T_WORK/err" && t_ok "says why" ||
    t_bad "stderr: $(cat "$T_WORK/err")"
t_run "--against belongs to show" 2 - "$RAMPART" metadata verify new-root.json --root "$root1" --against "$root1"

# 4. repo sign --role root shows the review, then signs; a swap in the
# staged root (a compromised host) is shown and refused.
t_run "repo sign root: review, then sign" 0 - "$RAMPART" repo sign "$repo" --role root --key "$(K root key)"
grep -qx "review against the trusted root version 1 (the published root):" "$out" &&
    grep -qx "  added     $root2id $R_KEYTYPE/.* fingerprint $root2id" "$out" && grep -qx "signed root with 1 key(s)" "$out" &&
    t_ok "shows what changed before signing" || t_bad "out: $(cat "$out")"
python3 - "$repo/staged/root.json" "$(K attacker pub)" "$tid" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["signed"]["keys"][sys.argv[3]] = json.load(open(sys.argv[2]))
d["signatures"] = []
open(sys.argv[1], "w").write(json.dumps(d, sort_keys=True, separators=(",", ":")))
PY
r_fingerprint "$repo" >before.txt
t_run "repo sign root with a swapped key" 1 RAMPART_EMISMATCH "$RAMPART" repo sign "$repo" --role root \
    --key "$(K root key)" --key "$(K root2 key)"
grep -qx "  REPLACED  $tid $R_KEYTYPE/.* fingerprint $evil  KEY ID DOES NOT MATCH THE KEY" "$out" &&
    t_ok "the review shows the swap" || t_bad "out: $(cat "$out")"
grep -qF "rampart: repo sign: key id $tid does not match its key (fingerprint $evil): refusing to sign metadata that puts other key material under a key id [RAMPART_EMISMATCH]" \
    "$T_WORK/err" && t_ok "refused, with the reason" || t_bad "stderr: $(cat "$T_WORK/err")"
r_fingerprint "$repo" >after.txt
t_same "nothing signed, nothing written" before.txt after.txt
t_run "publish with the root keys refuses it too" 1 RAMPART_EMISMATCH "$RAMPART" repo publish "$repo" \
    --key "$(K root key)" --key "$(K root2 key)" --key "$(K snapshot key)" --key "$(K timestamp key)"

t_done
