#!/usr/bin/env bash
# test_interop_dsse.sh - provenance interoperability with an independent
# DSSE implementation: the Sigstore JavaScript libraries (@sigstore/sign
# 4.1.1, @sigstore/verify 3.1.1, pinned in tests/interop/package-lock.json
# and installed by scripts/bootstrap) with local ed25519 and ECDSA P-256
# builder keys.
#   - envelopes signed by @sigstore/sign over statements built in node pass
#     `rampart verify-provenance`, and through a repository `rampart client
#     download --policy`; tampered ones are refused;
#   - envelopes from `rampart attest` verify with @sigstore/verify; tampered
#     ones, or another key, do not.
# Skipped (77) only when node is not installed.
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/lib/common.sh"
source "$here/lib/repo.sh"
: "${RAMPART:?}"
command -v node >/dev/null 2>&1 || t_skip "node is not installed"
JS=$here/interop/dsse_interop.js
if [ ! -d "$here/interop/node_modules/@sigstore/sign" ] || [ ! -d "$here/interop/node_modules/@sigstore/verify" ]; then
    t_bad "@sigstore/sign and @sigstore/verify are not installed in tests/interop: run scripts/bootstrap (npm ci)"
    t_done
    exit 1
fi
cd "$T_WORK" || exit 1

BUILDER=https://ci.example.com/builders/release@v1
SOURCE=git+https://git.example.com/org/app
mkdir -p keys
"$RAMPART" key generate --no-passphrase keys/ed >/dev/null
"$RAMPART" key generate --no-passphrase --type ecdsa keys/ec >/dev/null
printf 'app 1.2.0 built in CI\n' >app-1.2.0.tar.gz

# policy KEYNAME: provenance required from $BUILDER, signed by that key.
policy() {
    printf '{"keys": {"builder": %s}, "default": {"provenance": "required", "keys": ["builder"], "builder_ids": ["%s"], "source_uris": ["git+https://git.example.com/org/*"], "version_tag": true}}\n' \
        "$(cat "keys/$1.pub")" "$BUILDER" >"policy-$1.json"
}
# tamper IN OUT: the same envelope with one payload byte changed (same length).
tamper() { sed 's/"payload":"ew/"payload":"eQ/; s/"payload":"eyJ/"payload":"eyK/' "$1" >"$2"; }

policy ed
policy ec
for k in ed ec; do
    other=$([ $k = ed ] && echo ec || echo ed)
    # Sigstore -> Rampart
    t_run "$k: node builds a statement" 0 - node "$JS" statement app-1.2.0.tar.gz "$BUILDER" "$SOURCE" \
        refs/tags/v1.2.0 "st-$k.json"
    t_run "$k: @sigstore/sign signs it" 0 - node "$JS" sign "keys/$k.key" "keys/$k.pub" "st-$k.json" "sigstore-$k.att"
    t_run "$k: rampart verifies the Sigstore envelope" 0 - "$RAMPART" verify-provenance app-1.2.0.tar.gz \
        "sigstore-$k.att" --policy "policy-$k.json"
    tamper "sigstore-$k.att" "sigstore-$k-bad.att"
    cmp -s "sigstore-$k.att" "sigstore-$k-bad.att" && t_bad "$k: tamper changed nothing"
    t_run "$k: rampart refuses it tampered" 1 RAMPART_EPROVSIG "$RAMPART" verify-provenance app-1.2.0.tar.gz \
        "sigstore-$k-bad.att" --policy "policy-$k.json"
    t_run "$k: rampart refuses it for another key" 1 RAMPART_EPROVSIG "$RAMPART" verify-provenance \
        app-1.2.0.tar.gz "sigstore-$k.att" --policy "policy-$other.json"
    # Rampart -> Sigstore
    t_run "$k: rampart attest" 0 - "$RAMPART" attest --key "keys/$k.key" --builder-id "$BUILDER" --source-uri "$SOURCE" \
        --source-revision refs/tags/v1.2.0 --out "rampart-$k.att" app-1.2.0.tar.gz
    t_run "$k: @sigstore/verify verifies rampart's envelope" 0 - node "$JS" verify "keys/$k.pub" "rampart-$k.att"
    tamper "rampart-$k.att" "rampart-$k-bad.att"
    t_run "$k: @sigstore/verify refuses it tampered" 1 - node "$JS" verify "keys/$k.pub" "rampart-$k-bad.att"
    t_run "$k: @sigstore/verify refuses another key" 1 - node "$JS" verify "keys/$other.pub" "rampart-$k.att"
done

# The Sigstore-signed attestation, published with `rampart repo add
# --provenance` and enforced by `rampart client download --policy`.
repo=$T_WORK/repo
r_init "$repo" || t_bad "init"
t_run "repo add --provenance (Sigstore envelope)" 0 - "$RAMPART" repo add "$repo" app-1.2.0.tar.gz \
    --path app/app-1.2.0.tar.gz --provenance sigstore-ec.att
t_run "publish" 0 - "$RAMPART" repo publish "$repo" --key "$(K root key)" --key "$(K targets key)" \
    --key "$(K snapshot key)" --key "$(K timestamp key)"
r_serve "$repo/public" || exit 1
"$RAMPART" client --metadata-dir cl init "$repo/public/metadata/1.root.json" >/dev/null
t_run "client download --policy" 0 - r_client cl --policy policy-ec.json --target-name app/app-1.2.0.tar.gz download
cmp -s cl.dl/app/app-1.2.0.tar.gz app-1.2.0.tar.gz && t_ok "the bytes" || t_bad "downloaded bytes differ"
t_run "client download, the other builder's policy" 1 RAMPART_EPROVSIG r_client cl --policy policy-ed.json \
    --target-name app/app-1.2.0.tar.gz download
t_done
