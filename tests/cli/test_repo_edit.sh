#!/usr/bin/env bash
# test_repo_edit.sh - repository settings and delegations after init:
# expiry periods are settings of the repository (changing one needs no root
# signature, except root's own), a period of 0 or less is a usage error,
# and delegations can be edited (keys, threshold, paths, terminating) and
# removed, each giving the delegator a new version that clients follow.
# key types: ed25519 ecdsa rsa
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/lib/common.sh"
source "$here/lib/repo.sh"
: "${RAMPART:?}"
cd "$T_WORK" || exit 1
repo=$T_WORK/repo

# unchanged NAME EXIT CODE CMD...: fails as expected; the repository keeps every byte
unchanged() {
    local name=$1 want=$2 code=$3
    shift 3
    r_fingerprint "$repo" >before.txt
    t_run "$name" "$want" "$code" "$@"
    r_fingerprint "$repo" >after.txt
    cmp -s before.txt after.txt && t_ok "$name: repository unchanged" ||
        { t_bad "$name: repository changed"; diff before.txt after.txt | head -5; }
}

# field FILE EXPR: a value of a metadata file (python expression over d)
field() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
# days_left FILE: whole days from now to the file's expiry
days_left() {
    python3 -c 'import json,sys,datetime as D; e=json.load(open(sys.argv[1]))["signed"]["expires"]
t=D.datetime.strptime(e,"%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=D.timezone.utc)
print(round((t-D.datetime.now(D.timezone.utc)).total_seconds()/86400))' "$1"
}

r_keys root targets snapshot timestamp dev dev2 qa bins
# 0 and negative periods are refused, never taken as "the default"
for opt in --root-expires --targets-expires --snapshot-expires --timestamp-expires --delegated-expires; do
    for v in 0 -1; do
        t_run "init $opt $v" 2 - "$RAMPART" repo init "$repo" --root-key "$(K root pub)" \
            --targets-key "$(K targets pub)" --snapshot-key "$(K snapshot pub)" \
            --timestamp-key "$(K timestamp pub)" "$opt" "$v"
    done
done
grep -qxF "rampart: repo init: --delegated-expires: '-1' is not a number of days from 1 to 36500 [RAMPART_EINVAL]" "$T_WORK/err" &&
    t_ok "says which option and what it takes" || t_bad "stderr: $(cat "$T_WORK/err")"
t_absent "no repository made" "$repo"
echo "{\"roles\": {\"timestamp\": {\"keys\": [\"$(K timestamp pub)\"], \"expires_days\": 0}}}" >conf0.json
t_run "init: expires_days 0 in a config file" 1 - "$RAMPART" repo init "$repo" --config conf0.json \
    --root-key "$(K root pub)" --targets-key "$(K targets pub)" --snapshot-key "$(K snapshot pub)"
grep -qF "roles.timestamp.expires_days must be a number of days from 1 to 36500" "$T_WORK/err" &&
    t_ok "names the config entry" || t_bad "stderr: $(cat "$T_WORK/err")"
t_absent "no repository made from it" "$repo"

t_run "init" 0 - "$RAMPART" repo init "$repo" --root-key "$(K root pub)" --targets-key "$(K targets pub)" \
    --snapshot-key "$(K snapshot pub)" --timestamp-key "$(K timestamp pub)"
"$RAMPART" repo delegate "$repo" --name dev --key "$(K dev pub)" --paths 'dev/*' --paths 'dev/qa/*' >/dev/null &&
    "$RAMPART" repo delegate "$repo" --name qa --delegator dev --key "$(K qa pub)" --paths 'dev/qa/*' >/dev/null &&
    "$RAMPART" repo delegate "$repo" --name pkgs --key "$(K bins pub)" --delegator qa --bins 4 >/dev/null ||
    t_bad "delegate"
echo "dev a" >a
echo "qa b" >b
echo "top c" >c
"$RAMPART" repo add "$repo" a --path dev/a.txt --role dev >/dev/null &&
    "$RAMPART" repo add "$repo" b --path dev/qa/b.txt --role qa >/dev/null &&
    "$RAMPART" repo add "$repo" c --path c.txt >/dev/null || t_bad "add"
online="--key $(K snapshot key) --key $(K timestamp key)"
# shellcheck disable=SC2086
t_run "publish" 0 - "$RAMPART" repo publish "$repo" --key "$(K root key)" --key "$(K targets key)" \
    --key "$(K dev key)" --key "$(K qa key)" --key "$(K bins key)" $online
r_serve "$repo/public" || { t_done; exit 1; }
"$RAMPART" client --metadata-dir cl init "$repo/public/metadata/1.root.json" >/dev/null
t_run "client" 0 - r_client cl --target-name dev/a.txt --target-name dev/qa/b.txt download

# 1. Expiry periods: a setting, not root content.
unchanged "rotate --expires 0" 2 - "$RAMPART" repo rotate "$repo" --role timestamp --expires 0
unchanged "rotate --expires -3" 2 - "$RAMPART" repo rotate "$repo" --role timestamp --expires -3
t_run "timestamp expiry period: 2 days" 0 - "$RAMPART" repo rotate "$repo" --role timestamp --expires 2
grep -q "timestamp: expiry period 2 day(s), from its next signing (no root signature needed)" "$T_WORK/out" &&
    t_ok "says it needs no root signature" || t_bad "out: $(cat "$T_WORK/out")"
t_run "snapshot expiry period: 3 days" 0 - "$RAMPART" repo rotate "$repo" --role snapshot --expires 3
t_run "targets expiry period: 30 days" 0 - "$RAMPART" repo rotate "$repo" --role targets --expires 30
# exit 1: warnings (threshold 1 on root and targets)
t_run "status" 1 - "$RAMPART" repo status "$repo"
grep -q '^root .*version 1 (published 1) expires' "$T_WORK/out" && ! grep -q '^root .*CHANGED' "$T_WORK/out" &&
    t_ok "root unchanged: no new root version" || t_bad "status: $(cat "$T_WORK/out")"
# shellcheck disable=SC2086
t_run "refresh-snapshot with the online keys only" 0 - "$RAMPART" repo refresh-snapshot "$repo" $online
[ "$(days_left "$repo/public/metadata/timestamp.json")" = 2 ] && t_ok "the new timestamp expires in 2 days" ||
    t_bad "timestamp expires in $(days_left "$repo/public/metadata/timestamp.json") days"
sv=$(field "$repo/public/metadata/timestamp.json" 'd["signed"]["meta"]["snapshot.json"]["version"]')
[ "$(days_left "$repo/public/metadata/$sv.snapshot.json")" = 3 ] && t_ok "the new snapshot expires in 3 days" ||
    t_bad "snapshot expires in $(days_left "$repo/public/metadata/$sv.snapshot.json") days"
t_run "client follows" 0 - r_client cl refresh
"$RAMPART" repo add "$repo" c --path c2.txt >/dev/null || t_bad "add c2"
[ "$(days_left "$repo/staged/targets.json")" = 30 ] && t_ok "targets' next version expires in 30 days" ||
    t_bad "targets expires in $(days_left "$repo/staged/targets.json") days"
# shellcheck disable=SC2086
t_run "publish it without root keys" 0 - "$RAMPART" repo publish "$repo" --key "$(K targets key)" $online
t_run "root expiry period: 400 days (root changes)" 0 - "$RAMPART" repo rotate "$repo" --role root --expires 400
grep -q "root: expiry period 400 day(s): root changed" "$T_WORK/out" && t_ok "says root changed" ||
    t_bad "out: $(cat "$T_WORK/out")"
[ "$(field "$repo/staged/root.json" 'd["signed"]["version"]')" = 2 ] &&
    [ "$(days_left "$repo/staged/root.json")" = 400 ] && t_ok "root version 2 expires in 400 days" ||
    t_bad "root: $(head -c 300 "$repo/staged/root.json")"
# shellcheck disable=SC2086
t_run "publish the new root" 0 - "$RAMPART" repo publish "$repo" --key "$(K root key)" $online
t_run "client follows the new root" 0 - r_client cl refresh

# 2. Editing a delegation: a new version of the delegator.
unchanged "edit: nothing to change" 1 RAMPART_EINVAL "$RAMPART" repo delegate "$repo" --edit dev
unchanged "edit: no such role" 1 RAMPART_ENOTFOUND "$RAMPART" repo delegate "$repo" --edit ghost --threshold 1
unchanged "edit: hash bins" 1 RAMPART_EINVAL "$RAMPART" repo delegate "$repo" --edit pkgs --threshold 1
unchanged "edit: threshold above the key count" 1 RAMPART_EINVAL "$RAMPART" repo delegate "$repo" --edit dev \
    --threshold 2
unchanged "edit: paths leaving a target outside" 1 RAMPART_EINVAL "$RAMPART" repo delegate "$repo" --edit dev \
    --paths 'dev/*'
grep -q "target 'dev/qa/b.txt' of role 'pkgs-[0-3]' would be outside the new paths of 'dev'" "$T_WORK/err" &&
    t_ok "names the target left outside (in a bin two levels below)" || t_bad "stderr: $(cat "$T_WORK/err")"
unchanged "edit: terminating and not" 2 - "$RAMPART" repo delegate "$repo" --edit dev --terminating --no-terminating
t_run "edit: paths and terminating" 0 - "$RAMPART" repo delegate "$repo" --edit dev --paths 'dev/*' \
    --paths 'dev/qa/*' --paths 'dev/more/*' --terminating
python3 - "$repo/staged/targets.json" <<'PY' && t_ok "targets lists the new paths, terminating" || t_bad "targets.json"
import json, sys
d = json.load(open(sys.argv[1]))["signed"]
(e,) = [r for r in d["delegations"]["roles"] if r["name"] == "dev"]
assert e["paths"] == ["dev/*", "dev/qa/*", "dev/more/*"] and e["terminating"] is True, e
assert d["version"] == 3, d["version"]
PY
t_run "edit: new keys for dev" 0 - "$RAMPART" repo delegate "$repo" --edit dev --key "$(K dev2 pub)"
python3 - "$repo/staged/targets.json" "$(r_keyid dev)" "$(r_keyid dev2)" <<'PY' &&
import json, sys
d = json.load(open(sys.argv[1]))["signed"]["delegations"]
(e,) = [r for r in d["roles"] if r["name"] == "dev"]
assert e["keyids"] == [sys.argv[3]] and sys.argv[3] in d["keys"] and sys.argv[2] not in d["keys"], d
PY
    t_ok "the old key leaves the delegator" || t_bad "keys: $(head -c 600 "$repo/staged/targets.json")"
# shellcheck disable=SC2086
t_run "publish: the old key no longer signs dev" 1 RAMPART_EBADSIG "$RAMPART" repo publish "$repo" \
    --key "$(K targets key)" --key "$(K dev key)" $online
# shellcheck disable=SC2086
t_run "publish the edits" 0 - "$RAMPART" repo publish "$repo" --key "$(K targets key)" --key "$(K dev2 key)" $online
echo "more d" >d
"$RAMPART" repo add "$repo" d --path dev/more/d.txt --role dev >/dev/null || t_bad "add to the new path"
# shellcheck disable=SC2086
"$RAMPART" repo publish "$repo" --key "$(K dev2 key)" $online >/dev/null || t_bad "publish d"
t_run "client: the new path, and the old targets" 0 - r_client cl --target-name dev/more/d.txt \
    --target-name dev/a.txt --target-name dev/qa/b.txt download

# 3. Removing a delegation.
unchanged "remove: a role that delegates" 1 RAMPART_EINVAL "$RAMPART" repo delegate "$repo" --remove dev
unchanged "remove: no such role" 1 RAMPART_ENOTFOUND "$RAMPART" repo delegate "$repo" --remove ghost
unchanged "remove: a top-level role" 1 RAMPART_EINVAL "$RAMPART" repo delegate "$repo" --remove targets
unchanged "remove with other options" 2 - "$RAMPART" repo delegate "$repo" --remove qa --threshold 1
t_run "remove the bins under qa" 0 - "$RAMPART" repo delegate "$repo" --remove pkgs
t_run "remove qa" 0 - "$RAMPART" repo delegate "$repo" --remove qa
ls "$repo/staged" | grep -q '^qa\.json$\|^pkgs-' && t_bad "staged files left: $(ls "$repo/staged")" ||
    t_ok "their staged metadata is gone"
python3 - "$repo/staged/dev.json" <<'PY' && t_ok "dev delegates no more" || t_bad "dev.json"
import json, sys
assert "delegations" not in json.load(open(sys.argv[1]))["signed"]
PY
# shellcheck disable=SC2086
t_run "publish the removals" 0 - "$RAMPART" repo publish "$repo" --key "$(K dev2 key)" $online
sv=$(field "$repo/public/metadata/timestamp.json" 'd["signed"]["meta"]["snapshot.json"]["version"]')
[ "$(field "$repo/public/metadata/$sv.snapshot.json" '"qa.json" in d["signed"]["meta"]')" = True ] &&
    t_ok "the snapshot keeps listing qa (TUF 5.5.5)" || t_bad "qa.json dropped from the snapshot"
t_run "client: a target of a removed role is gone" 1 RAMPART_ENOTFOUND r_client cl --target-name dev/qa/b.txt \
    download
t_run "client: the rest is there" 0 - r_client cl --target-name dev/a.txt --target-name c.txt download
# qa again: it goes on from the version the snapshot lists, so clients take it
t_run "delegate qa again" 0 - "$RAMPART" repo delegate "$repo" --name qa --delegator dev --key "$(K qa pub)" \
    --paths 'dev/qa/*'
[ "$(field "$repo/staged/qa.json" 'd["signed"]["version"]')" = 2 ] && t_ok "qa continues at version 2" ||
    t_bad "qa: $(cat "$repo/staged/qa.json")"
t_run "its bins again" 0 - "$RAMPART" repo delegate "$repo" --name pkgs --delegator qa --key "$(K bins pub)" \
    --bins 4
[ "$(field "$repo/staged/pkgs-0.json" 'd["signed"]["version"]')" = 2 ] && t_ok "the bins continue at version 2" ||
    t_bad "pkgs-0: $(cat "$repo/staged/pkgs-0.json")"
"$RAMPART" repo add "$repo" b --path dev/qa/b.txt --role qa >/dev/null || t_bad "add b again"
# shellcheck disable=SC2086
t_run "publish qa again" 0 - "$RAMPART" repo publish "$repo" --key "$(K dev2 key)" --key "$(K qa key)" \
    --key "$(K bins key)" $online
t_run "client takes the new qa" 0 - r_client cl --target-name dev/qa/b.txt download
rm -rf cl2 cl2.dl
"$RAMPART" client --metadata-dir cl2 init "$repo/public/metadata/1.root.json" >/dev/null
t_run "a new client too" 0 - r_client cl2 --target-name dev/qa/b.txt --target-name dev/more/d.txt download

t_done
