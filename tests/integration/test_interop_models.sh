#!/usr/bin/env bash
# test_interop_models.sh - metadata signed by an independent TUF
# implementation (npm @tufjs/models; ed25519 and ECDSA P-256 keys made by
# node's crypto) verifies with `rampart metadata verify`, and
# `rampart metadata canonical` prints exactly the bytes its signatures
# cover; one changed byte is refused with RAMPART_EBADSIG.
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/lib/common.sh"
command -v node >/dev/null || t_skip "node not installed"
: "${RAMPART:?}"
interop=$here/interop
if [ ! -d "$interop/node_modules/@tufjs/models" ]; then
    t_bad "@tufjs/models is not installed in tests/interop: run scripts/bootstrap (npm ci)"
    t_done
    exit 1
fi

m=$T_WORK/models
t_run "sign with @tufjs/models" 0 - node "$interop/models_sign.js" "$m"
t_run "root (ed25519 + ecdsa, threshold 2) verifies against itself" 0 - "$RAMPART" metadata verify "$m/root.json" --root "$m/root.json"
t_run "targets (ecdsa) verifies against the root" 0 - "$RAMPART" metadata verify "$m/targets.json" --root "$m/root.json"
for role in root targets; do
    "$RAMPART" metadata canonical "$m/$role.json" >"$T_WORK/$role.canonical" 2>"$T_WORK/err"
    t_same "$role: canonical bytes equal @tufjs/canonical-json's" "$T_WORK/$role.canonical" "$m/$role.canonical"
done
t_run "show lists both root signatures as valid" 0 - "$RAMPART" metadata show "$m/root.json"
[ "$(grep -c ': valid$' "$T_WORK/out")" = 2 ] && t_ok "two valid root signatures" || t_bad "$(cat "$T_WORK/out")"

# One flipped byte in the signed part, then in a signature.
sed 's/"version": 1/"version": 2/' "$m/targets.json" >"$T_WORK/targets-v2.json"
t_run "a changed byte in signed is refused" 1 RAMPART_EBADSIG "$RAMPART" metadata verify "$T_WORK/targets-v2.json" --root "$m/root.json"
python3 - "$m/root.json" "$T_WORK/root-badsig.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
s = doc["signatures"][0]["sig"]
doc["signatures"][0]["sig"] = s[:10] + ("0" if s[10] != "0" else "1") + s[11:]
json.dump(doc, open(sys.argv[2], "w"), indent=1)
PY
t_run "root with one corrupted signature (1 of 2) is refused" 1 RAMPART_EBADSIG "$RAMPART" metadata verify "$T_WORK/root-badsig.json" --root "$m/root.json"
grep -q "signature threshold not met for 'root' (1 of 2)" "$T_WORK/err" && t_ok "message says 1 of 2" || t_bad "$(cat "$T_WORK/err")"
t_done
