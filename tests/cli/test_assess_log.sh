#!/usr/bin/env bash
# test_assess_log.sh - `rampart assess` on the transparency log of TUF
# repositories made here by `rampart repo` with a log and three witness
# doubles (tests/lib/witness_double.py), and on TAP 15 hash bins
# (docs/assess.md, TUF-TRANSPARENCY-LOG and TUF-PROVENANCE): no log, a log
# without --log-policy, a policy whose quorum is met, below quorum, another
# log key, a policy without witnesses, targets published before the log,
# a tampered inclusion proof, cosignatures older than the endpoints'
# default maximum age, a bad policy file, and a repository of hash bins
# whose targets all bind provenance.  Exact statuses from --json.
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/lib/common.sh"
source "$here/lib/repo.sh"
source "$here/lib/tlog.sh"
source "$here/lib/nginx.sh"
: "${RAMPART:?}" "${RAMPART_BUILD:?}"
TLOGFIX=$RAMPART_BUILD/tests/tlogfix
cd "$T_WORK" || exit 1
python3 -c 'import cryptography' 2>/dev/null || t_skip "python3 cryptography (the witness double) is missing"
FAKETIME_ENV="ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"

r_keys root1 root2 root3 targets snapshot timestamp builder bins
r_keys_of ed25519 log other
STRONG=(--root-key "$(K root1 pub)" --root-key "$(K root2 pub)" --root-key "$(K root3 pub)" --root-threshold 2
    --targets-key "$(K targets pub)" --snapshot-key "$(K snapshot pub)" --timestamp-key "$(K timestamp pub)")
SIGN=(--key "$(K root1 key)" --key "$(K root2 key)" --key "$(K targets key)" --key "$(K snapshot key)"
    --key "$(K timestamp key)" --key "$(K log key)")

# add DIR NAME...: each NAME a target with its bound provenance
add() {
    local dir=$1 n
    shift
    for n in "$@"; do
        printf 'release %s\n' "$n" >"$n"
        "$RAMPART" attest --key "$(K builder key)" --builder-id https://ci.example.com/builders/release@v1 \
            --out "$n.att" "$n" >/dev/null &&
            "$RAMPART" repo add "$dir" "$n" --provenance "$n.att" >/dev/null || t_bad "add $n to $dir"
    done
}
publish() { "$RAMPART" repo publish "$1" "${SIGN[@]}" >/dev/null 2>&1 || t_bad "publish $1"; }

# expect NAME JSON [CHECK=STATUS...] [~CHECK=TEXT...]: the status of the
# checks named, and text their evidence must contain
expect() {
    local name=$1 json=$2 got
    shift 2
    got=$(python3 - "$json" "$@" 2>&1 <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
st = {c["id"]: c["status"] for c in r["checks"]}
ev = {c["id"]: c["evidence"] for c in r["checks"]}
out = []
for want in sys.argv[2:]:
    if want.startswith("~"):
        cid, text = want[1:].split("=", 1)
        if text not in ev.get(cid, ""):
            out.append("%s evidence lacks %r: %r" % (cid, text, ev.get(cid)))
        continue
    cid, s = want.split("=")
    if st.get(cid) != s:
        out.append("%s is %s, expected %s (%s)" % (cid, st.get(cid), s, ev.get(cid)))
print("; ".join(out))
PY
) || got="cannot read $json: ${got##*$'\n'}"
    if [ -z "$got" ]; then t_ok "$name"; else t_bad "$name: $got"; fi
}
# assess NAME STATUS JSON_OUT ARGS...
assess() {
    local name=$1 want=$2 out=$3
    shift 3
    t_run "$name: exit $want" "$want" - "$RAMPART" assess --json "$@" && cp "$T_WORK/out" "$out"
}
TL=TUF-TRANSPARENCY-LOG

# ---------------------------------------------------------------- no log
"$RAMPART" repo init nolog "${STRONG[@]}" >/dev/null || t_bad "init nolog"
add nolog a.tgz
publish nolog
assess "no log" 0 nolog.json nolog
expect "no log: warn" nolog.json $TL=warn "~$TL=no log: no transparency log checkpoint"

# ---------------------------------------------------------------- a logged repository, 2 of 3 witnesses
"$RAMPART" repo init logged "${STRONG[@]}" >/dev/null || t_bad "init logged"
"$RAMPART" repo log logged --init --origin example.com/log --key "$(K log pub)" >vkey || t_bad "log --init"
vkey=$(cat vkey)
w_start w1.example 1 "$vkey" && w_start w2.example 2 "$vkey" && w_start w3.example 3 "$vkey" 403 || exit 1
{
    for i in 1 2 3; do echo "witness w$i ${W_VKEY[$i]} ${W_URL[$i]}"; done
    printf 'group two 2 w1 w2 w3\nquorum two\n'
} >witnesses
"$RAMPART" repo log logged --witnesses witnesses >/dev/null || t_bad "log --witnesses"
add logged l1.tgz l2.tgz
publish logged
{ echo "log $vkey"; cat witnesses; } >policy

assess "log without a policy" 0 nopol.json logged
expect "log without a policy: warn, evidence of what was seen" nopol.json $TL=warn \
    "~$TL=log 'example.com/log', size 4: 1 signature line(s) by the log's name and 2 cosignature line(s), not verified" \
    "~$TL=no --log-policy given" "~$TL=all 4 target(s) name their log entry"
python3 - nopol.json <<'PY' && t_ok "no policy: the remedy names --log-policy" || t_bad "remedy: $(cat nopol.json)"
import json, sys
c = [c for c in json.load(open(sys.argv[1]))["checks"] if c["id"] == "TUF-TRANSPARENCY-LOG"][0]
assert "--log-policy FILE" in c["remedy"], c
PY

assess "policy with quorum" 0 quorum.json --log-policy policy logged
expect "policy with quorum: pass, 4 proofs verified" quorum.json $TL=pass TUF-PROVENANCE=pass \
    "~$TL=signed by the log and cosigned by 2 witness(es) of the policy (quorum met)" \
    "~$TL=4 of 4 sampled inclusion proof(s) verify"
python3 - quorum.json <<'PY' && t_ok "policy with quorum: no remedy, provenance B only for the SLSA level" || t_bad "quorum"
import json, sys
r = json.load(open(sys.argv[1]))
c = [c for c in r["checks"] if c["id"] == "TUF-TRANSPARENCY-LOG"][0]
assert c["remedy"] == "", c
assert r["grades"]["provenance"] == "B", r["grades"]
assert [c["status"] for c in r["checks"] if c["id"] == "TUF-SLSA-LEVEL"] == ["warn"]
PY

# ---------------------------------------------------------------- the assessor's builders file
# (docs/assess.md, "Builders the assessor has reviewed"): the builder the
# attestations name, declared by the assessing organisation with a level
# and keys; TUF-SLSA-LEVEL then verifies each attestation's signature.
# builders FILE ID LEVEL KEYNAME...: a builders file declaring ID with the keys named (from r_keys)
builders() {
    local f=$1 id=$2 level=$3 k keys="" names=""
    shift 3
    for k in "$@"; do
        keys+="${keys:+,}\"$k\": $(cat "$(K "$k" pub)")"
        names+="${names:+,}\"$k\""
    done
    printf '{"version": 1, "keys": {%s},\n "builders": [{"id": "%s", "level": %s, "keys": [%s]}]}\n' \
        "$keys" "$id" "$level" "$names" >"$f"
}
SL=TUF-SLSA-LEVEL
B1=https://ci.example.com/builders/release@v1
# grades NAME JSON "T S M H P": the five grades
grades() {
    python3 - "$2" "$3" <<'PY' && t_ok "$1: grades $3" || t_bad "$1: grades $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["grades"])' "$2")"
import json, sys
g = json.load(open(sys.argv[1]))["grades"]
sys.exit(" ".join(g[q] for q in ("transport", "signing", "manifest", "hashes", "provenance")) != sys.argv[2])
PY
}
builders b3.builders "https://ci.example.com/builders/release@" 3 builder
assess "builders: declared L3 (prefix), signed by its key" 0 b3.json --min-grade A --log-policy policy \
    --builders b3.builders logged
expect "builders: declared L3, signed: pass" b3.json $SL=pass $TL=pass \
    "~$SL=builder $B1: SLSA Build L3 (declared in the builders file; attestation l1.tgz.intoto.jsonl signed by its key 'builder')"
grades "builders: declared L3, signed" b3.json "- A A A A"
python3 - b3.json <<'PY' && t_ok "builders: declared L3, signed: no remedy" || t_bad "builders: remedy"
import json, sys
c = [c for c in json.load(open(sys.argv[1]))["checks"] if c["id"] == "TUF-SLSA-LEVEL"][0]
assert c["remedy"] == "" and c["evidence"].count("SLSA Build L3 (declared") == 2, c
PY
builders bexact.builders "$B1" 3 other builder
assess "builders: declared L3 (exact id, two keys, the second signs)" 0 bexact.json --log-policy policy \
    --builders bexact.builders logged
expect "builders: exact id: pass, the signing key named" bexact.json $SL=pass "~$SL=signed by its key 'builder'"
builders bother.builders "$B1" 3 other
assess "builders: declared L3, attestations signed by another key" 1 bother.json --log-policy policy \
    --builders bother.builders logged
expect "builders: signed by another key: fail, forged" bother.json $SL=fail $TL=pass \
    "~$SL=builder $B1 (declared L3 in the builders file): attestation l1.tgz.intoto.jsonl is not signed by a key declared for it (forged provenance)"
grades "builders: signed by another key" bother.json "- A A A D"
builders b2.builders "https://ci.example.com/builders/release@" 2 builder
assess "builders: declared L2" 0 b2.json --log-policy policy --builders b2.builders logged
expect "builders: declared L2: warn" b2.json $SL=warn \
    "~$SL=builder $B1: SLSA Build L2 (declared in the builders file; attestation l1.tgz.intoto.jsonl signed by its key 'builder')"
grades "builders: declared L2" b2.json "- A A A B"
t_run "builders: declared L2, --min-grade A" 1 - "$RAMPART" assess --min-grade A --log-policy policy \
    --builders b2.builders logged
# builders not declared fall back to the published table: another builder,
# an id without '@' (exact, so not a prefix), a prefix of another version
for id in https://ci.other.example/b@ https://ci.example.com/builders/release https://ci.example.com/builders/release@v2; do
    builders bnot.builders "$id" 3 builder
    assess "builders: $id not the builder named" 0 bnot.json --log-policy policy --builders bnot.builders logged
    expect "builders: $id: the published table, not determinable" bnot.json $SL=warn \
        "~$SL=builder $B1: SLSA level not determinable"
done
# an unsigned attestation naming a declared builder
"$RAMPART" repo init unsig "${STRONG[@]}" >/dev/null || t_bad "init unsig"
printf 'release u\n' >u.tgz
"$RAMPART" attest --key "$(K builder key)" --builder-id "$B1" --out u.signed u.tgz >/dev/null || t_bad "attest u"
python3 -c 'import json,sys; e=json.load(open(sys.argv[1])); e["signatures"]=[]; print(json.dumps(e))' u.signed >u.att
"$RAMPART" repo add unsig u.tgz --provenance u.att >/dev/null && publish unsig || t_bad "add u"
assess "builders: unsigned attestation" 1 unsig.json --builders b3.builders unsig
expect "builders: unsigned attestation: fail" unsig.json $SL=fail \
    "~$SL=attestation u.tgz.intoto.jsonl is not signed by a key declared for it (forged provenance)"
assess "builders: unsigned attestation, no builders file" 0 unsig-nob.json unsig
expect "builders: unsigned attestation, no builders file: not verified, warn" unsig-nob.json $SL=warn \
    "~$SL=builder $B1: SLSA level not determinable"
# the file is the assessor's configuration: every fault is an error (exit 2)
t_run "builders: missing file" 2 RAMPART_ENOTFOUND "$RAMPART" assess --builders nope.json logged
grep -q "builders file: cannot open 'nope.json'" "$T_WORK/err" && t_ok "builders: missing file: said" ||
    t_bad "builders: missing: $(cat "$T_WORK/err")"
printf '{"version": 1, "keys": {}, ' >trunc.json
t_run "builders: not JSON" 2 RAMPART_EFORMAT "$RAMPART" assess --builders trunc.json logged
python3 -c 'import json,sys; f=json.load(open(sys.argv[1])); f["builders"][0]["threshold"]=1; print(json.dumps(f))' \
    b3.builders >unknown.json
t_expect_run "builders: unknown member" 2 "unknown.json: builders: unknown member 'threshold' in builders[0]" \
    "[RAMPART_EFORMAT]" -- "$RAMPART" assess --builders unknown.json logged
python3 -c 'import json,sys; f=json.load(open(sys.argv[1])); f["builders"][0]["level"]=4; print(json.dumps(f))' \
    b3.builders >level4.json
t_expect_run "builders: level 4" 2 "builders[0].level must be an SLSA Build level from 1 to 3" "[RAMPART_EFORMAT]" -- \
    "$RAMPART" assess --builders level4.json logged
python3 -c 'import json,sys; f=json.load(open(sys.argv[1])); f["builders"][0]["keys"]=["nobody"]; print(json.dumps(f))' \
    b3.builders >nokey.json
t_expect_run "builders: unknown key name" 2 "builders[0].keys names 'nobody', which is not in \"keys\"" \
    "[RAMPART_EFORMAT]" -- "$RAMPART" assess --builders nokey.json logged
python3 -c 'import json,sys; f=json.load(open(sys.argv[1])); del f["version"]; print(json.dumps(f))' b3.builders >nover.json
t_expect_run "builders: no version" 2 '"version" must be 1' "[RAMPART_EFORMAT]" -- \
    "$RAMPART" assess --builders nover.json logged
t_run "builders: no file name" 2 - "$RAMPART" assess logged --builders

# below quorum: the assessor's organisation wants all three witnesses
sed 's/^group two 2 /group two 3 /' policy >all3
assess "below quorum" 1 below.json --log-policy all3 --min-grade B logged
expect "below quorum: fail" below.json $TL=fail "~$TL=RAMPART_ENOQUORUM" "~$TL=cosigned by 2 witnesses: no quorum"

# the log's name with another key: the signature does not verify
sed "s|^log .*|log $("$TLOGFIX" vkey example.com/log "$(K other key)")|" policy >wrongkey
assess "another log key" 1 wrongkey.json --log-policy wrongkey logged
expect "another log key: fail" wrongkey.json $TL=fail "~$TL=RAMPART_ENOQUORUM"

# no witness required
printf 'log %s\nquorum none\n' "$vkey" >nowit
assess "policy without witnesses" 0 nowit.json --log-policy nowit logged
expect "policy without witnesses: warn" nowit.json $TL=warn "~$TL=the policy requires no witness (quorum none)"

# a tampered proof: l2.tgz's proof served beside l1.tgz
a=$(find logged/public/targets -name '*.l1.tgz.tlog-proof' | head -1)
b=$(find logged/public/targets -name '*.l2.tgz.tlog-proof' | head -1)
cp "$a" a.proof.bak
cp "$b" "$a"
assess "a proof of another entry" 1 tampered.json --log-policy policy logged
expect "a proof of another entry: fail" tampered.json $TL=fail "~$TL=l1.tgz: inclusion proof refused (RAMPART_ENOTLOGGED)"
rm -f "$a"
assess "a proof missing" 0 noproof.json --log-policy policy logged
expect "a proof missing: warn" noproof.json $TL=warn "~$TL=l1.tgz: no .tlog-proof beside it"
cp a.proof.bak "$a"

# eight days on, endpoints with the default maximum age refuse the checkpoint
t_run "stale cosignatures: exit 1" 1 - env "$FAKETIME_ENV" faketime -f +8d "$RAMPART" assess --json \
    --log-policy policy logged
cp "$T_WORK/out" stale.json
expect "stale cosignatures: fail" stale.json $TL=fail "~$TL=the newest cosignature is 8 day(s) old" \
    "~$TL=RAMPART_ESTALE"

# over HTTPS: the log at the metadata URL's sibling log/, proofs by URL
# Strong TLS (what the Transport probe asks), so that the exit status
# depends on the log's checks alone.
t_make_ca "$T_WORK/ca" 400 || t_bad "test CA"
NGINX_TLS='ssl_protocols TLSv1.2 TLSv1.3; ssl_ciphers ECDHE+AESGCM:ECDHE+CHACHA20;' \
    NGINX_EXTRA='add_header Strict-Transport-Security "max-age=31536000" always;' \
    nginx_start "$T_WORK/logged/public" "$T_WORK/ca/server.pem" "$T_WORK/ca/server.key" || t_bad "nginx"
T_CLEANUP+=(nginx_stop)
assess "policy with quorum, over https" 0 https.json --ca-file "$T_WORK/ca/ca.pem" --log-policy policy "$NGINX_URL/"
expect "policy with quorum, over https: pass" https.json $TL=pass TUF-HTTPS=pass \
    "~$TL=cosigned by 2 witness(es) of the policy (quorum met)" "~$TL=4 of 4 sampled inclusion proof(s) verify"
python3 - https.json "$NGINX_URL/log/" <<'PY' && t_ok "over https: the log's location reported" || t_bad "location"
import json, sys
c = [c for c in json.load(open(sys.argv[1]))["checks"] if c["id"] == "TUF-TRANSPARENCY-LOG"][0]
assert c["location"] == sys.argv[2], c
PY
# with the assessor's builders file too: every check passes, A on all five
assess "policy with quorum and builders, over https" 0 httpsb.json --min-grade A --ca-file "$T_WORK/ca/ca.pem" \
    --log-policy policy --builders b3.builders "$NGINX_URL/"
grades "policy with quorum and builders, over https" httpsb.json "A A A A A"
python3 - httpsb.json <<'PY' && t_ok "over https with builders: every check passes" || t_bad "https builders: $(cat httpsb.json)"
import json, sys
r = json.load(open(sys.argv[1]))
assert [c["id"] for c in r["checks"] if c["status"] != "pass"] == [], r["checks"]
PY

# bad policies are usage errors of the assessor, not findings
printf 'quorum nobody\n' >badpolicy
t_run "a malformed policy" 2 RAMPART_EFORMAT "$RAMPART" assess --log-policy badpolicy logged
t_run "a missing policy file" 2 RAMPART_ENOTFOUND "$RAMPART" assess --log-policy nonexistent logged

# a checkpoint older than the metadata: entries beyond its tree
cp logged/public/log/checkpoint cp4
add logged l3.tgz
publish logged
cp -a logged ahead
cp cp4 ahead/public/log/checkpoint
assess "entries beyond the checkpoint" 1 ahead.json --log-policy policy ahead
expect "entries beyond the checkpoint: fail" ahead.json $TL=fail \
    "~$TL=2 target(s) name an entry beyond the log's 4 entries" "~$TL=4 of 4 sampled inclusion proof(s) verify"

# ---------------------------------------------------------------- targets not in the log
# (`rampart repo publish` logs every target once a log exists; a log served
# beside metadata that names no entry is made by hand)
cp -a nolog late
cp -a logged/public/log late/public/log
assess "targets not in the log" 0 late.json --log-policy policy late
expect "targets not in the log: warn, counted" late.json $TL=warn \
    "~$TL=2 of 2 target(s) have no custom.rampart_log" "~$TL=cosigned by 2 witness(es) of the policy (quorum met)"

# ---------------------------------------------------------------- hash bins
"$RAMPART" repo init bins "${STRONG[@]}" --bins 4 --bins-key "$(K bins pub)" >/dev/null || t_bad "init bins"
add bins p1.tgz p2.tgz p3.tgz p4.tgz p5.tgz
"$RAMPART" repo publish bins "${SIGN[@]}" --key "$(K bins key)" >/dev/null 2>&1 || t_bad "publish bins"
assess "hash bins" 0 bins.json bins
expect "hash bins: every target of the bins counts" bins.json TUF-PROVENANCE=pass TUF-VERIFY=pass \
    TUF-DELEGATIONS=pass "~TUF-PROVENANCE=5 of 5 target(s) bind provenance"
nbins=$(ls bins/public/metadata | grep -c '\.bins-[0-9a-f]*\.json$')
expect "hash bins: the $nbins bins read" bins.json "~TUF-VERIFY=and $nbins hash bin(s) verify"
# a bin's target without provenance is seen
printf 'bare\n' >bare.tgz
"$RAMPART" repo add bins bare.tgz >/dev/null || t_bad "add bare"
"$RAMPART" repo publish bins "${SIGN[@]}" --key "$(K bins key)" >/dev/null 2>&1 || t_bad "publish bins 2"
assess "hash bins, one bare target" 1 bins2.json bins
expect "hash bins, one bare target: warn (with SLSA and log warnings: C)" bins2.json TUF-PROVENANCE=warn "~TUF-PROVENANCE=5 of 6 target(s)"

# more bins than are read: said, and their targets not counted as missing
"$RAMPART" repo init manybins "${STRONG[@]}" --bins 512 --bins-key "$(K bins pub)" >/dev/null || t_bad "init manybins"
add manybins m1.tgz
"$RAMPART" repo publish manybins "${SIGN[@]}" --key "$(K bins key)" >/dev/null 2>&1 || t_bad "publish manybins"
assess "512 hash bins" 1 many.json manybins
expect "512 hash bins: the first 256 read, said" many.json TUF-VERIFY=pass TUF-DELEGATIONS=warn \
    TUF-PROVENANCE=warn TUF-SLSA-LEVEL=warn "~TUF-DELEGATIONS=only the first 256 hash bins were read" \
    "~TUF-VERIFY=and 256 hash bin(s) verify" "~TUF-PROVENANCE=only the targets of the first 256 hash bins were counted"

t_done
