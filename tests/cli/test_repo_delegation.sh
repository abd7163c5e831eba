#!/usr/bin/env bash
# test_repo_delegation.sh - nested delegations, path hash prefixes,
# succinct hash bins, key rotation of every kind of role, and the offline
# root workflow (export, `rampart metadata sign` elsewhere, import), each
# checked with `rampart client` over loopback HTTP.  Every key is of the
# type the test runs with, and one role is delegated to one key of each type.
# key types: ed25519 ecdsa rsa
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/lib/common.sh"
source "$here/lib/repo.sh"
: "${RAMPART:?}"
cd "$T_WORK" || exit 1
repo=$T_WORK/repo

r_keys root root2 root3 targets snapshot timestamp timestamp2 dev qa bins bins2 hp
t_run "init with a 2-of-2 root" 0 - "$RAMPART" repo init "$repo" --root-key "$(K root pub)" \
    --root-key "$(K root2 pub)" --root-threshold 2 --targets-key "$(K targets pub)" \
    --snapshot-key "$(K snapshot pub)" --timestamp-key "$(K timestamp pub)"
grep -q "root has a single key" "$T_WORK/err" && t_bad "no single-key warning expected" || t_ok "no single-key root warning"
t_run "delegate dev" 0 - "$RAMPART" repo delegate "$repo" --name dev --key "$(K dev pub)" \
    --paths 'dev/*' --paths 'dev/qa/*' --terminating
t_run "delegate qa from dev" 0 - "$RAMPART" repo delegate "$repo" --name qa --delegator dev \
    --key "$(K qa pub)" --paths 'dev/qa/*'
t_run "hash bins under qa" 0 - "$RAMPART" repo delegate "$repo" --name qabins --delegator qa \
    --key "$(K bins pub)" --bins 32
t_run "hash-prefix delegation" 0 - "$RAMPART" repo delegate "$repo" --name hp --key "$(K hp pub)" \
    --hash-prefix 0 --hash-prefix 1 --hash-prefix 2 --hash-prefix 3 --hash-prefix 4 --hash-prefix 5 \
    --hash-prefix 6 --hash-prefix 7 --hash-prefix 8 --hash-prefix 9 --hash-prefix a --hash-prefix b \
    --hash-prefix c --hash-prefix d --hash-prefix e --hash-prefix f
r_keys_of ed25519 mix-ed
r_keys_of ecdsa mix-ec
r_keys_of rsa mix-rsa
t_run "delegate to three keys of three types" 0 - "$RAMPART" repo delegate "$repo" --name mix \
    --key "$(K mix-ed pub)" --key "$(K mix-ec pub)" --key "$(K mix-rsa pub)" --threshold 3 --paths 'mix/*'
r_valid_json "$repo" && t_ok "delegations: every file is JSON" || t_bad "delegations: not JSON"
t_run "delegate: existing name" 1 RAMPART_EEXIST "$RAMPART" repo delegate "$repo" --name dev \
    --key "$(K dev pub)" --paths 'x/*'
t_run "delegate: both paths and prefixes" 1 RAMPART_EINVAL "$RAMPART" repo delegate "$repo" --name z \
    --key "$(K dev pub)" --paths 'x/*' --hash-prefix ab
t_run "delegate: bad name" 1 RAMPART_EINVAL "$RAMPART" repo delegate "$repo" --name ../x \
    --key "$(K dev pub)" --paths 'x/*'
t_run "delegate: bins not a power of two" 1 RAMPART_EINVAL "$RAMPART" repo delegate "$repo" --name b2 \
    --delegator hp --key "$(K bins pub)" --bins 12
t_run "delegate: bins beside named roles" 1 RAMPART_EINVAL "$RAMPART" repo delegate "$repo" --name b2 \
    --key "$(K bins pub)" --bins 16

echo "dev a" >a
echo "qa b" >b
echo "hp c" >c
echo "mix d" >d
t_run "add to dev" 0 - "$RAMPART" repo add "$repo" a --path dev/a.txt --role dev
t_run "add to qa lands in its bin" 0 - "$RAMPART" repo add "$repo" b --path dev/qa/b.txt --role qa
grep -q . "$T_WORK/err" && t_bad "unexpected stderr" || true
t_run "add to hp" 0 - "$RAMPART" repo add "$repo" c --path any/c.txt --role hp
t_run "add to mix" 0 - "$RAMPART" repo add "$repo" d --path mix/d.txt --role mix
t_run "add outside the delegated paths" 1 RAMPART_EINVAL "$RAMPART" repo add "$repo" a --path other/a.txt \
    --role dev
t_run "list" 0 - "$RAMPART" repo list "$repo"
bin=$(python3 -c 'import hashlib; h=hashlib.sha256(b"dev/qa/b.txt").digest(); print("qabins-%02x" % (int.from_bytes(h[:4],"big")>>27))')
grep -q "dev/qa/b.txt.*$bin$" "$T_WORK/out" && t_ok "TAP 15 bin $bin" || t_bad "list: $(cat "$T_WORK/out")"
# A target named by hand for a bin its path does not hash to would never be
# found (clients look only in the bin the hash selects): refused, whatever
# bin is named, so no path can be listed by two bins either.
other=$(python3 -c 'import sys; b=int(sys.argv[1][-2:],16); print("qabins-%02x" % ((b + 1) % 32))' "$bin")
r_fingerprint "$repo" >before.txt
t_run "add to a bin the path does not hash to" 1 RAMPART_EINVAL "$RAMPART" repo add "$repo" b \
    --path dev/qa/b2.txt --role "$other"
b2bin=$(python3 -c 'import hashlib; h=hashlib.sha256(b"dev/qa/b2.txt").digest(); print("qabins-%02x" % (int.from_bytes(h[:4],"big")>>27))')
grep -qF "target 'dev/qa/b2.txt' hashes to bin '$b2bin', not '$other': a target added to a delegated role must lie inside the paths that delegation covers (otherwise clients could never find it); add it with --role qa to place it in its bin [RAMPART_EINVAL]" "$T_WORK/err" &&
    t_ok "names the right bin and quotes the rule" || t_bad "stderr: $(cat "$T_WORK/err")"
t_run "the same path again in another bin" 1 RAMPART_EINVAL "$RAMPART" repo add "$repo" b --path dev/qa/b.txt \
    --role "$other" --replace
r_fingerprint "$repo" >after.txt
t_same "refused bins: repository unchanged" before.txt after.txt
t_run "add to the bin the path hashes to" 0 - "$RAMPART" repo add "$repo" b --path dev/qa/b.txt --role "$bin" \
    --replace

all="--key $(K root key) --key $(K root2 key) --key $(K targets key) --key $(K snapshot key) --key $(K timestamp key) --key $(K dev key) --key $(K qa key) --key $(K bins key) --key $(K hp key) --key $(K mix-ed key) --key $(K mix-ec key) --key $(K mix-rsa key)"
# shellcheck disable=SC2086
t_run "publish" 0 - "$RAMPART" repo publish "$repo" $all
[ -e "$repo/public/metadata/1.$bin.json" ] && [ -e "$repo/public/metadata/1.qabins-00.json" ] &&
    t_ok "every bin is published" || t_bad "bins missing"

r_serve "$repo/public" || { t_done; exit 1; }
"$RAMPART" client --metadata-dir cl init "$repo/public/metadata/1.root.json" >/dev/null
r_valid_json "$repo" && t_ok "publish: every file is JSON" || t_bad "publish: not JSON"
t_run "client: nested, bins, hash prefixes, three key types" 0 - r_client cl --target-name dev/a.txt \
    --target-name dev/qa/b.txt --target-name any/c.txt --target-name mix/d.txt download
t_same "bin target bytes" cl.dl/dev/qa/b.txt b
t_same "three-key-type role target bytes" cl.dl/mix/d.txt d

# Offline root rotation: root2 is replaced by root3.  Root 2 must be signed
# by 2 of {root, root2} (the old root) and 2 of {root, root3} (the new one).
root2id=$(r_keyid root2)
t_run "rotate root key" 0 - "$RAMPART" repo rotate "$repo" --role root --add-key "$(K root3 pub)" \
    --remove-key "$root2id"
t_run "rotate: unknown keyid" 1 RAMPART_ENOTFOUND "$RAMPART" repo rotate "$repo" --role root \
    --remove-key 0123456789abcdef
t_run "export the new root" 0 - "$RAMPART" repo export "$repo" --role root --out new-root.json
python3 -c 'import json,sys; d=json.load(open("new-root.json")); assert d["signed"]["version"]==2 and d["signatures"]==[]' &&
    t_ok "exported root version 2, unsigned" || t_bad "export: $(head -c 300 new-root.json)"
t_run "export: refuses to overwrite" 1 RAMPART_EEXIST "$RAMPART" repo export "$repo" --role root --out new-root.json
cp new-root.json offline.json
for k in root root2 root3; do
    t_run "offline: metadata sign with $k" 0 - "$RAMPART" metadata sign offline.json --key "$(K $k key)"
done
cp new-root.json partial.json
"$RAMPART" metadata sign partial.json --key "$(K root key)" >/dev/null
"$RAMPART" metadata sign partial.json --key "$(K root2 key)" >/dev/null
t_run "import a partial set" 0 - "$RAMPART" repo import "$repo" partial.json
t_run "publish: new root threshold not met" 1 RAMPART_EBADSIG "$RAMPART" repo publish "$repo" \
    --key "$(K snapshot key)" --key "$(K timestamp key)"
grep -q "new root" "$T_WORK/err" && t_ok "names the new root's threshold" || t_bad "$(cat "$T_WORK/err")"
cp new-root.json wrong.json
"$RAMPART" metadata sign wrong.json --key "$(K dev key)" >/dev/null
t_run "import: a key root does not list" 1 RAMPART_EINVAL "$RAMPART" repo import "$repo" wrong.json
echo '{"signed":{"_type":"root"},"signatures":[]}' >other.json
t_run "import: another document" 1 - "$RAMPART" repo import "$repo" other.json
t_run "import the rest" 0 - "$RAMPART" repo import "$repo" offline.json
grep -q "1 new signature" "$T_WORK/out" && t_ok "one new signature" || t_bad "$(cat "$T_WORK/out")"
t_run "publish the new root" 0 - "$RAMPART" repo publish "$repo" --key "$(K snapshot key)" \
    --key "$(K timestamp key)"
t_run "verify 2.root.json against 1.root.json" 0 - "$RAMPART" metadata verify \
    "$repo/public/metadata/2.root.json" --root "$repo/public/metadata/1.root.json"
t_run "client follows the root rotation" 0 - r_client cl refresh
grep -q "root .*1 -> 2" "$T_WORK/out" && t_ok "client root v2" || t_bad "$(cat "$T_WORK/out")"

# Online key rotation (timestamp) and delegated-role rotation (bins).
tsid=$(r_keyid timestamp)
t_run "rotate timestamp key" 0 - "$RAMPART" repo rotate "$repo" --role timestamp --add-key \
    "$(K timestamp2 pub)" --remove-key "$tsid"
binsid=$(r_keyid bins)
t_run "rotate the bins' key" 0 - "$RAMPART" repo rotate "$repo" --role qabins --add-key "$(K bins2 pub)" \
    --remove-key "$binsid"
t_run "publish: old bins key no longer counts" 1 RAMPART_EBADSIG "$RAMPART" repo publish "$repo" \
    --key "$(K root key)" --key "$(K root3 key)" --key "$(K qa key)" --key "$(K bins key)" \
    --key "$(K snapshot key)" --key "$(K timestamp2 key)"
t_run "publish rotated keys" 0 - "$RAMPART" repo publish "$repo" --key "$(K root key)" --key "$(K root3 key)" \
    --key "$(K qa key)" --key "$(K bins2 key)" --key "$(K snapshot key)" --key "$(K timestamp2 key)"
t_run "client after online and bin key rotation" 0 - r_client cl --target-name dev/qa/b.txt download
grep -q "root .*2 -> 3" "$T_WORK/out" && t_ok "client root v3" || t_bad "$(cat "$T_WORK/out")"
t_run "revoke: threshold unreachable" 1 RAMPART_EINVAL "$RAMPART" repo rotate "$repo" --role root \
    --threshold 3
r_valid_json "$repo" && t_ok "after rotations: every file is JSON" || t_bad "after rotations: not JSON"
# exit 1: warnings (threshold 1 on root and targets)
t_run "status" 1 - "$RAMPART" repo status "$repo"
grep -q "^qabins-\* .*(32 bins)" "$T_WORK/out" && t_ok "status summarises bins" || t_bad "$(cat "$T_WORK/out")"

t_done
