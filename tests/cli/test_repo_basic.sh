#!/usr/bin/env bash
# test_repo_basic.sh - `rampart repo init|add|remove|list|sign|publish|status`
# on a flat repository, checked with `rampart client` over loopback HTTP;
# and every bad input gets a one-line message, a non-zero status and leaves
# every byte of the repository as it was.  Every metadata file it writes,
# on disk and served, is strict JSON, whatever the keys (PEM public keys
# hold newlines) and the custom data (escapes, control characters).
# key types: ed25519 ecdsa rsa
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/lib/common.sh"
source "$here/lib/repo.sh"
: "${RAMPART:?}"
cd "$T_WORK" || exit 1
repo=$T_WORK/repo

# unchanged NAME EXIT CODE CMD...: the command fails as expected, with a
# one-line message, and the repository's files are byte-for-byte the same.
unchanged() {
    local name=$1 want=$2 code=$3
    shift 3
    r_fingerprint "$repo" >before.txt
    t_run "$name" "$want" "$code" "$@"
    [ "$(wc -l <"$T_WORK/err")" -eq 1 ] && t_ok "$name: one-line message" || t_bad "$name: stderr $(cat "$T_WORK/err")"
    r_fingerprint "$repo" >after.txt
    cmp -s before.txt after.txt && t_ok "$name: repository unchanged" ||
        { t_bad "$name: repository changed"; diff before.txt after.txt | head -5; }
}

r_keys root targets snapshot timestamp other
t_run "init: threshold above the key count" 1 RAMPART_EINVAL "$RAMPART" repo init "$repo" \
    --root-key "$(K root pub)" --root-threshold 2 --targets-key "$(K targets pub)" \
    --snapshot-key "$(K snapshot pub)" --timestamp-key "$(K timestamp pub)"
t_absent "init: nothing created" "$repo"
t_run "init: a role without keys" 2 - "$RAMPART" repo init "$repo" --root-key "$(K root pub)"
t_run "init" 0 - "$RAMPART" repo init "$repo" --root-key "$(K root pub)" --targets-key "$(K targets pub)" \
    --snapshot-key "$(K snapshot pub)" --timestamp-key "$(K timestamp pub)" --sha512
grep -q "root has a single key" "$T_WORK/err" && t_ok "init: single-key root warning" || t_bad "no warning"
r_valid_json "$repo" && t_ok "init: every file is JSON" || t_bad "init: not JSON"
# status: exit 1, warnings (a single root key; nothing published yet)
t_run "status after init" 1 - "$RAMPART" repo status "$repo"
t_run "init: not an empty folder" 1 RAMPART_EEXIST "$RAMPART" repo init "$repo" --root-key "$(K root pub)" \
    --targets-key "$(K targets pub)" --snapshot-key "$(K snapshot pub)" --timestamp-key "$(K timestamp pub)"

mkdir -p dist/docs
printf 'app v1\n' >dist/app-1.0.tar.gz
printf 'readme\n' >dist/docs/README.md
t_run "add a folder" 0 - "$RAMPART" repo add "$repo" dist --path rel
t_run "add a file with custom data" 0 - "$RAMPART" repo add "$repo" dist/app-1.0.tar.gz --path app.tgz \
    --custom '{"channel":"stable"}'
# custom metadata is any JSON object: escapes and control characters are
# kept, and written escaped (a raw newline would make the file unreadable)
t_run "add: custom data with escapes and control characters" 0 - "$RAMPART" repo add "$repo" \
    dist/app-1.0.tar.gz --path esc.tgz --custom '{"note":"a\nb\t\u0001\"\\","n":[1,{"x":"\u001f"}]}'
r_valid_json "$repo" && t_ok "add: every file is JSON" || t_bad "add: not JSON"
t_run "list" 0 - "$RAMPART" repo list "$repo"
cut -f1,2,4,5 "$T_WORK/out" >list.txt
cat >want.txt <<'EOF'
app.tgz	7	targets	{"channel":"stable"}
esc.tgz	7	targets	{"n":[1,{"x":"\u001f"}],"note":"a\nb\t\u0001\"\\"}
rel/app-1.0.tar.gz	7	targets
rel/docs/README.md	7	targets
EOF
t_same "list: paths, lengths, roles, custom" list.txt want.txt

# bad input leaves everything as it was
unchanged "add: '..' in a target path" 1 RAMPART_EPATH "$RAMPART" repo add "$repo" dist/app-1.0.tar.gz --path ../x
unchanged "add: absolute target path" 1 RAMPART_EPATH "$RAMPART" repo add "$repo" dist/app-1.0.tar.gz --path /etc/x
unchanged "add: duplicate target" 1 RAMPART_EEXIST "$RAMPART" repo add "$repo" dist/app-1.0.tar.gz --path app.tgz
unchanged "add: a folder with one duplicate" 1 RAMPART_EEXIST "$RAMPART" repo add "$repo" dist --path rel
unchanged "add: custom not an object" 1 RAMPART_EFORMAT "$RAMPART" repo add "$repo" dist/app-1.0.tar.gz \
    --path x.tgz --custom '[1]'
unchanged "add: missing file" 1 RAMPART_ENOTFOUND "$RAMPART" repo add "$repo" nope.tgz
unchanged "add: unknown role" 1 RAMPART_ENOTFOUND "$RAMPART" repo add "$repo" dist/app-1.0.tar.gz --path y \
    --role ghost
unchanged "delegate: threshold above the key count" 1 RAMPART_EINVAL "$RAMPART" repo delegate "$repo" \
    --name dev --key "$(K other pub)" --threshold 2 --paths 'dev/*'
unchanged "rotate: threshold above the key count" 1 RAMPART_EINVAL "$RAMPART" repo rotate "$repo" \
    --role targets --threshold 3
unchanged "sign: a key the role does not list" 1 RAMPART_EINVAL "$RAMPART" repo sign "$repo" --role targets \
    --key "$(K other key)"
echo "garbage" >garbage.key
unchanged "publish: unknown key file format" 1 RAMPART_EFORMAT "$RAMPART" repo publish "$repo" --key garbage.key
export RT_PASS=secret
"$RAMPART" key generate --passphrase-env RT_PASS enc >/dev/null
unchanged "publish: wrong passphrase" 1 RAMPART_EPASSPHRASE env RT_PASS=wrong "$RAMPART" repo publish "$repo" \
    --passphrase-env RT_PASS --key enc.key
unchanged "publish: missing signatures" 1 RAMPART_EBADSIG "$RAMPART" repo publish "$repo" \
    --key "$(K targets key)" --key "$(K snapshot key)" --key "$(K timestamp key)"
grep -q "'root' version 1 has 0 of the 1" "$T_WORK/err" && t_ok "names the role and the count" ||
    t_bad "$(cat "$T_WORK/err")"

# sign targets ahead, then publish with the remaining keys
t_run "sign targets" 0 - "$RAMPART" repo sign "$repo" --role targets --key "$(K targets key)"
t_run "publish" 0 - "$RAMPART" repo publish "$repo" --key "$(K root key)" --key "$(K snapshot key)" \
    --key "$(K timestamp key)"
(cd "$repo/public" && find . -type f | sort) >files.txt
sha=$(sha256sum dist/app-1.0.tar.gz | cut -d' ' -f1)
sha512=$(sha512sum dist/app-1.0.tar.gz | cut -d' ' -f1)
grep -qx "./targets/app.$sha.tgz" files.txt && t_bad "hash placed after the extension" || true
for f in ./metadata/1.root.json ./metadata/root.json ./metadata/1.targets.json ./metadata/1.snapshot.json \
    ./metadata/timestamp.json "./targets/$sha.app.tgz" "./targets/$sha512.app.tgz" \
    "./targets/rel/$sha.app-1.0.tar.gz"; do
    grep -qxF "$f" files.txt && t_ok "published $f" || t_bad "missing $f"
done
r_valid_json "$repo" && t_ok "publish: every file is JSON" || t_bad "publish: not JSON"
python3 - "$repo/public/metadata" <<'PY' && t_ok "metadata is compact JSON, keys sorted, escaped" || t_bad "form"
import json, os, sys
for n in os.listdir(sys.argv[1]):
    b = open(os.path.join(sys.argv[1], n), "rb").read()
    want = json.dumps(json.loads(b), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    assert b == want, n
PY
r_fingerprint "$repo" >before.txt
t_run "publish again: nothing to do" 0 - "$RAMPART" repo publish "$repo" --key "$(K snapshot key)" \
    --key "$(K timestamp key)"
r_fingerprint "$repo" >after.txt
t_same "publish is idempotent" before.txt after.txt

# a client refreshes and downloads
r_serve "$repo/public" || { t_done; exit 1; }
t_run "client init" 0 - "$RAMPART" client --metadata-dir cl init "$repo/public/metadata/root.json"
t_run "client download" 0 - r_client cl --target-name app.tgz --target-name rel/docs/README.md \
    --target-name esc.tgz download
t_same "downloaded bytes" cl.dl/app.tgz dist/app-1.0.tar.gz
t_same "downloaded bytes of the target with escaped custom data" cl.dl/esc.tgz dist/app-1.0.tar.gz

# remove, replace, status, refresh
printf 'app v2\n' >app2
t_run "replace a target" 0 - "$RAMPART" repo add "$repo" app2 --path app.tgz --replace
t_run "remove a target" 0 - "$RAMPART" repo remove "$repo" rel/docs/README.md
t_run "remove the target with escaped custom data" 0 - "$RAMPART" repo remove "$repo" esc.tgz
unchanged "remove: no such target" 1 RAMPART_ENOTFOUND "$RAMPART" repo remove "$repo" rel/nope
t_run "status shows the change" 1 - "$RAMPART" repo status "$repo"
grep -q '^targets .*CHANGED' "$T_WORK/out" && grep -q "targets: changed, 0 of 1 signature" "$T_WORK/err" &&
    t_ok "status: changed and missing signatures" || t_bad "$(cat "$T_WORK/out" "$T_WORK/err")"
t_run "publish v2" 0 - "$RAMPART" repo publish "$repo" --key "$(K targets key)" --key "$(K snapshot key)" \
    --key "$(K timestamp key)"
grep -q "snapshot version 2, timestamp version 2" "$T_WORK/out" && t_ok "versions advanced" || t_bad "$(cat "$T_WORK/out")"
t_run "client gets v2" 0 - r_client cl --target-name app.tgz download
t_same "new bytes" cl.dl/app.tgz app2
t_run "client: removed target is gone" 1 - r_client cl --target-name rel/docs/README.md download
t_run "refresh-timestamp" 0 - "$RAMPART" repo refresh-timestamp "$repo" --key "$(K timestamp key)"
t_run "refresh-snapshot" 0 - "$RAMPART" repo refresh-snapshot "$repo" --key "$(K snapshot key)" \
    --key "$(K timestamp key)"
grep -q "snapshot version 3, timestamp version 4" "$T_WORK/out" && t_ok "refresh versions" || t_bad "$(cat "$T_WORK/out")"
t_run "client after refreshes" 0 - r_client cl refresh
unchanged "refresh-timestamp without its key" 1 RAMPART_EBADSIG "$RAMPART" repo refresh-timestamp "$repo" \
    --key "$(K snapshot key)"
t_run "status" 1 - "$RAMPART" repo status "$repo"

# init from a configuration file (command-line options win)
cat >conf.json <<JSON
{"roles": {"root": {"keys": ["$(K root pub)", "$(K other pub)"], "threshold": 2, "expires_days": 30},
           "targets": {"keys": ["$(K targets pub)"]}, "snapshot": {"keys": ["$(K snapshot pub)"]},
           "timestamp": {"keys": ["$(K timestamp pub)"], "expires_days": 2}},
 "bins": 4}
JSON
t_run "init from a config file" 0 - "$RAMPART" repo init "$T_WORK/conf-repo" --config conf.json \
    --timestamp-expires 3
t_run "status of the configured repository" 1 - "$RAMPART" repo status "$T_WORK/conf-repo"
grep -q '^root .*keys 2 threshold 2' "$T_WORK/out" && grep -q '^bins-\* *(4 bins)' "$T_WORK/out" &&
    t_ok "config: root 2 of 2, four bins" || t_bad "$(cat "$T_WORK/out")"
python3 - "$T_WORK/conf-repo/repo.json" <<'PY' && t_ok "config: expiry periods" || t_bad "periods: $(cat "$T_WORK/conf-repo/repo.json")"
import json, sys
e = json.load(open(sys.argv[1]))["expires"]
assert e["root"] == 30 * 86400 and e["timestamp"] == 3 * 86400 and e["snapshot"] == 7 * 86400, e
PY
echo '{"roles": ' >bad-conf.json
t_run "init: unreadable config" 1 - "$RAMPART" repo init "$T_WORK/conf-repo2" --config bad-conf.json
t_absent "init: nothing created for a bad config" "$T_WORK/conf-repo2"
t_run "usage: unknown subcommand" 2 - "$RAMPART" repo frobnicate "$repo"
t_run "not a repository" 1 RAMPART_ENOTFOUND "$RAMPART" repo list "$T_WORK/dist"

t_done
