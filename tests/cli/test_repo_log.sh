#!/usr/bin/env bash
# test_repo_log.sh - the repository's transparency log (docs/transparency.md,
# "Publishing format"): `rampart repo log`, the entries, tiles, checkpoint
# and tlog-proof files publish writes, the "rampart_log" custom metadata,
# log key rotation, and witnesses at publish (quorum met, a witness down or
# refusing, quorum not met: the previous release stays served byte for byte),
# and `repo refresh-timestamp` / `repo refresh` asking the witnesses to cosign
# the served checkpoint again across simulated days (faketime; the witness
# doubles' clocks moved with STATE.offset), below quorum RAMPART_ENOQUORUM
# with the checkpoint served unchanged and the timestamp still renewed; the
# tlog-proof files rebuilt by the next publish after public/ was deleted or
# one went missing, never from damaged tiles.
# key types: ed25519 ecdsa rsa
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/lib/common.sh"
source "$here/lib/repo.sh"
source "$here/lib/tlog.sh"
: "${RAMPART:?}" "${TLOG_CHECK:?}"
cd "$T_WORK" || exit 1
python3 -c 'import cryptography' 2>/dev/null || t_skip "python3 cryptography (the witness double) is missing"
command -v faketime >/dev/null || t_skip "faketime is not installed"

# at OFFSET CMD...: CMD with the clock moved by OFFSET (faketime, e.g. +2d)
at() {
    local off=$1
    shift
    env "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" faketime -f "$off" "$@"
}

repo=$T_WORK/repo
r_init "$repo" || t_bad "init"
r_keys_of ed25519 log log2
r_keys_of ecdsa notlog
keys() { echo --key "$(K root key)" --key "$(K targets key)" --key "$(K snapshot key)" --key "$(K timestamp key)"; }

# --- a repository without a log publishes as before ---
printf 'hello\n' >a.txt
"$RAMPART" repo add "$repo" a.txt >/dev/null
# shellcheck disable=SC2046
t_run "publish without a log" 0 - "$RAMPART" repo publish "$repo" $(keys)
t_absent "no public/log without a log" "$repo/public/log"
t_absent "no log/ without a log" "$repo/log"
grep -q rampart_log "$repo"/public/metadata/*.targets.json && t_bad "rampart_log in metadata without a log" ||
    t_ok "no rampart_log in metadata without a log"
ls "$repo/public/targets" | grep -q tlog-proof && t_bad "proof files without a log" || t_ok "no proof files without a log"
t_run "repo log on a repository without a log" 1 RAMPART_ENOTFOUND "$RAMPART" repo log "$repo"

# --- enabling ---
t_run "log key of another type refused" 1 RAMPART_EINVAL \
    "$RAMPART" repo log "$repo" --init --origin example.com/log --key "$(K notlog pub)"
t_run "origin with a space refused" 1 RAMPART_EINVAL \
    "$RAMPART" repo log "$repo" --init --origin "example.com log" --key "$(K log pub)"
t_run "--init needs --origin" 2 - "$RAMPART" repo log "$repo" --init --key "$(K log pub)"
t_run "enable the log" 0 - "$RAMPART" repo log "$repo" --init --origin example.com/log --key "$(K log pub)"
vkey=$(cat "$T_WORK/out")
[[ $vkey =~ ^example\.com/log\+[0-9a-f]{8}\+A[A-Za-z0-9+/]{43}$ ]] && t_ok "vkey printed: $vkey" ||
    t_bad "vkey '$vkey'"
t_run "enable twice refused" 1 RAMPART_EINVAL \
    "$RAMPART" repo log "$repo" --init --origin example.com/other --key "$(K log2 pub)"
printf 'log %s\nquorum none\n' "$vkey" >policy

# --- first logged publish ---
mkdir -p dir && printf 'b\n' >dir/b.txt
"$RAMPART" repo add "$repo" dir/b.txt --path dir/b.txt >/dev/null
"$RAMPART" repo add "$repo" a.txt --path a.txt --replace --custom '{"note":"q\"uote\\ tab\t"}' >/dev/null
before=$(r_fingerprint "$repo/public")
# shellcheck disable=SC2046
t_run "publish without the log key fails" 1 RAMPART_EBADSIG "$RAMPART" repo publish "$repo" $(keys)
[ "$(r_fingerprint "$repo/public")" = "$before" ] && t_ok "nothing served by the failed publish" ||
    t_bad "public/ changed by the failed publish"
# shellcheck disable=SC2046
t_run "publish with the log key" 0 - "$RAMPART" repo publish "$repo" $(keys) --key "$(K log key)"
grep -q "transparency log: 2 new entries, size 2" "$T_WORK/out" && t_ok "2 entries logged" || t_bad "$(cat "$T_WORK/out")"
t_run "checkpoint verifies with the log vkey" 0 - "$TLOG_CHECK" checkpoint policy "$repo/public/log/checkpoint"
grep -q "^size 2 " "$T_WORK/out" && t_ok "checkpoint size 2" || t_bad "checkpoint: $(cat "$T_WORK/out")"
printf 'log %s\nquorum none\n' "$("$RAMPART" repo log "$repo" | sed 's/+[^+]*$/+AWJ4UFtBbIhPDEprhCF8PIkKV9Ey8DOKyxBYLbe3pa8n/')" >wrong
sed -i 's/+[0-9a-f]\{8\}+/+00000000+/' wrong
t_run "checkpoint refused under another key" 1 - "$TLOG_CHECK" checkpoint wrong "$repo/public/log/checkpoint"
t_run "tiles, entries and root agree" 0 - l_check_log "$repo/public/log"
t_files "log files" "$repo/public/log" "checkpoint tile/0/000.p/2 tile/entries/000.p/2"
cmp -s "$repo/log/cosigned" "$repo/public/log/checkpoint" && t_ok "served checkpoint = recorded" || t_bad "checkpoint"

# the entries: exact bytes (canonical JSON, role order, byte order of paths)
sha_a=$(sha256sum a.txt | cut -d' ' -f1)
printf '{"hashes":{"sha256":"%s"},"length":6,"path":"a.txt","role":"targets","type":"rampart.log-entry/v1","version":2}' \
    "$sha_a" >want0
l_entry "$repo/public/log" 0 >got0
t_same "entry 0 is a.txt, exact bytes" got0 want0
l_entry "$repo/public/log" 1 >got1
grep -q '"path":"dir/b.txt"' got1 && t_ok "entry 1 is dir/b.txt" || t_bad "entry 1: $(cat got1)"
"$RAMPART" repo list "$repo" --json >list.json
python3 - list.json <<'PY' && t_ok "rampart_log in the custom metadata" || t_bad "custom metadata: $(cat list.json)"
import json, sys
t = {x["path"]: x["custom"] for x in json.load(open(sys.argv[1]))["targets"]}
assert t["a.txt"] == {"note": "q\"uote\\ tab\t", "rampart_log": {"index": 0, "version": 2}}, t
assert t["dir/b.txt"] == {"rampart_log": {"index": 1, "version": 2}}, t
PY
# the proofs beside the targets
t_run "a.txt.tlog-proof verifies" 0 - "$TLOG_CHECK" proof policy "$repo/public/targets/a.txt.tlog-proof" want0
grep -q "^index 0 size 2$" "$T_WORK/out" && t_ok "proof of index 0" || t_bad "$(cat "$T_WORK/out")"
t_run "consistent-snapshot proof verifies" 0 - \
    "$TLOG_CHECK" proof policy "$repo/public/targets/$sha_a.a.txt.tlog-proof" want0
t_run "dir/b.txt proof verifies" 0 - "$TLOG_CHECK" proof policy "$repo/public/targets/dir/b.txt.tlog-proof" got1
t_run "a proof does not verify another entry" 1 - "$TLOG_CHECK" proof policy "$repo/public/targets/a.txt.tlog-proof" got1
grep -q RAMPART_ENOTLOGGED "$T_WORK/out" && t_ok "wrong entry: RAMPART_ENOTLOGGED" || t_bad "$(cat "$T_WORK/out")"

# --- a second publish appends; unchanged targets keep their entry ---
printf 'c\n' >c.txt
"$RAMPART" repo add "$repo" c.txt >/dev/null
# shellcheck disable=SC2046
t_run "second publish" 0 - "$RAMPART" repo publish "$repo" $(keys) --key "$(K log key)"
t_run "tiles after the second publish" 0 - l_check_log "$repo/public/log"
grep -q "^3$" "$T_WORK/out" && t_ok "log size 3" || t_bad "size $(cat "$T_WORK/out")"
"$RAMPART" repo list "$repo" --json >list.json
python3 - list.json <<'PY' && t_ok "old positions kept, new one appended" || t_bad "positions: $(cat list.json)"
import json, sys
t = {x["path"]: x["custom"]["rampart_log"] for x in json.load(open(sys.argv[1]))["targets"]}
assert t == {"a.txt": {"index": 0, "version": 2}, "dir/b.txt": {"index": 1, "version": 2},
             "c.txt": {"index": 2, "version": 3}}, t
PY
l_entry "$repo/public/log" 0 >got0b
t_same "entry 0 unchanged" got0b want0
# shellcheck disable=SC2046
t_run "publish with nothing changed" 0 - "$RAMPART" repo publish "$repo" $(keys) --key "$(K log key)"

# --- log key rotation ---
t_run "add a log key" 0 - "$RAMPART" repo log "$repo" --add-key "$(K log2 pub)"
[ "$(wc -l <"$T_WORK/out")" = 2 ] && t_ok "two vkeys printed" || t_bad "$(cat "$T_WORK/out")"
vkey2=$(sed -n 2p "$T_WORK/out")
grep -qx "$vkey" "$T_WORK/out" || vkey2=$(sed -n 1p "$T_WORK/out")
printf 'x\n' >x.txt
"$RAMPART" repo add "$repo" x.txt >/dev/null
# shellcheck disable=SC2046
t_run "publish without the new log key fails" 1 RAMPART_EBADSIG "$RAMPART" repo publish "$repo" $(keys) --key "$(K log key)"
# shellcheck disable=SC2046
t_run "publish with both log keys" 0 - "$RAMPART" repo publish "$repo" $(keys) --key "$(K log key)" --key "$(K log2 key)"
printf 'log %s\nquorum none\n' "$vkey2" >policy2
t_run "checkpoint verifies under the new key alone" 0 - "$TLOG_CHECK" checkpoint policy2 "$repo/public/log/checkpoint"
t_run "and under the old key alone" 0 - "$TLOG_CHECK" checkpoint policy "$repo/public/log/checkpoint"
t_run "remove the old log key" 0 - "$RAMPART" repo log "$repo" --remove-key "$(K log pub)"
t_run "the last log key stays" 1 RAMPART_EINVAL "$RAMPART" repo log "$repo" --remove-key "$(K log2 pub)"

# --- witnesses ---
w_start w1.example 1 "$vkey2" && w_start w2.example 2 "$vkey2" && w_start w3.example 3 "$vkey2" 403 || exit 1
{
    for i in 1 2 3; do echo "witness w$i ${W_VKEY[$i]} ${W_URL[$i]}"; done
    echo "group g 2 w1 w2 w3"
    echo "quorum g"
} >witnesses
printf 'witness w1 %s\nquorum w1\n' "${W_VKEY[1]}" >nourl
t_run "a witness without URL refused" 1 RAMPART_EFORMAT "$RAMPART" repo log "$repo" --witnesses nourl
t_run "set the witnesses" 0 - "$RAMPART" repo log "$repo" --witnesses witnesses
{ echo "log $vkey2"; cat witnesses; } >wpolicy
printf 'y\n' >y.txt
"$RAMPART" repo add "$repo" y.txt >/dev/null
# shellcheck disable=SC2046
t_run "publish with 2 of 3 witnesses (one answers 403)" 0 - "$RAMPART" repo publish "$repo" $(keys) --key "$(K log2 key)"
grep -q "witness 'w3': HTTP 403" "$T_WORK/err" && t_ok "the 403 witness is named" || t_bad "$(cat "$T_WORK/err")"
t_run "cosigned checkpoint meets the 2-of-3 policy" 0 - "$TLOG_CHECK" checkpoint wpolicy "$repo/public/log/checkpoint"
grep -q "^size 5 cosignatures 2$" "$T_WORK/out" && t_ok "2 cosignatures" || t_bad "$(cat "$T_WORK/out")"
grep -c "^— w[12]\.example " "$repo/public/log/checkpoint" | grep -qx 2 && t_ok "cosignature lines served" ||
    t_bad "$(cat "$repo/public/log/checkpoint")"
t_run "proof of y.txt carries the cosigned checkpoint" 0 - \
    "$TLOG_CHECK" proof wpolicy "$repo/public/targets/y.txt.tlog-proof" <(l_entry "$repo/public/log" 4)

# quorum not met: w2 down, w3 refuses
w_stop 2
before=$(r_fingerprint "$repo/public")
printf 'z\n' >z.txt
"$RAMPART" repo add "$repo" z.txt >/dev/null
# shellcheck disable=SC2046
t_run "quorum not met: the publish fails" 1 RAMPART_ENOQUORUM "$RAMPART" repo publish "$repo" $(keys) --key "$(K log2 key)"
grep -q "witness 'w2': no answer (RAMPART_ENET)" "$T_WORK/err" && t_ok "the witness down is named" ||
    t_bad "$(cat "$T_WORK/err")"
[ "$(r_fingerprint "$repo/public")" = "$before" ] && t_ok "previous release served byte for byte" ||
    t_bad "public/ changed by the failed publish"
# the witness back: the same entry is cosigned, not appended again (no fork)
w_start w2.example 2 "$vkey2" || exit 1
sed -i "s|^witness w2 .*|witness w2 ${W_VKEY[2]} ${W_URL[2]}|" witnesses
"$RAMPART" repo log "$repo" --witnesses witnesses >/dev/null
# shellcheck disable=SC2046
t_run "publish once the witness answers" 0 - "$RAMPART" repo publish "$repo" $(keys) --key "$(K log2 key)"
grep -q "transparency log: 0 new entries, size 6" "$T_WORK/out" && t_ok "z.txt logged once" || t_bad "$(cat "$T_WORK/out")"
t_run "log after the retry" 0 - l_check_log "$repo/public/log"
grep -c '"path":"z.txt"' "$repo/public/log/tile/entries/000.p/6" | grep -qx 1 && t_ok "one entry for z.txt" ||
    t_bad "z.txt entries"

# --- public/log is rebuilt from the repository's records ---
rm -rf "$repo/public/log"
# shellcheck disable=SC2046
t_run "publish rebuilds public/log" 0 - "$RAMPART" repo publish "$repo" $(keys) --key "$(K log2 key)"
t_same "checkpoint rebuilt" "$repo/public/log/checkpoint" "$repo/log/cosigned"
t_run "tiles rebuilt" 0 - l_check_log "$repo/public/log"

# --- the tlog-proof files are rebuilt: public/ deleted, one proof missing ---
proofs() { (cd "$repo/public/targets" && find . -name '*.tlog-proof' | sort); }
# check_proofs NAME: every target's <path>.tlog-proof verifies for its own
# entry and carries the served checkpoint
check_proofs() {
    local ok=1 path idx
    "$RAMPART" repo list "$repo" --json >list.json
    python3 -c 'import json,sys
for x in json.load(open(sys.argv[1]))["targets"]: print(x["path"], x["custom"]["rampart_log"]["index"])' list.json >idx.txt
    while read -r path idx; do
        l_entry "$repo/public/log" "$idx" >entry.bin
        "$TLOG_CHECK" proof wpolicy "$repo/public/targets/$path.tlog-proof" entry.bin >check.out 2>&1 || {
            ok=0
            echo "    | $path: $(cat check.out)"
        }
    done <idx.txt
    [ "$(wc -l <idx.txt)" = 6 ] && [ $ok = 1 ] && t_ok "$1" || t_bad "$1"
}
proofs >proofs.before
[ "$(wc -l <proofs.before)" = 12 ] && t_ok "12 proof files (6 targets, path and hash names)" || t_bad "$(cat proofs.before)"
rm -rf "$repo/public"
# shellcheck disable=SC2046
t_run "publish after public/ was deleted" 0 - "$RAMPART" repo publish "$repo" $(keys) --key "$(K log2 key)"
grep -q "rebuilt .* missing file(s) of public/" "$T_WORK/err" && t_ok "public/ rebuilt" || t_bad "$(cat "$T_WORK/err")"
proofs >proofs.after
t_same "every proof file is back" proofs.after proofs.before
check_proofs "every rebuilt proof verifies for its target's entry"
cmp -s <(sed '1,/^$/d' "$repo/public/targets/a.txt.tlog-proof") "$repo/public/log/checkpoint" &&
    t_ok "a rebuilt proof carries the served checkpoint" || t_bad "$(cat "$repo/public/targets/a.txt.tlog-proof")"
cmp -s "$repo/public/targets/a.txt.tlog-proof" "$repo/public/targets/$sha_a.a.txt.tlog-proof" &&
    t_ok "the consistent-snapshot proof is the same file" || t_bad "consistent-snapshot proof differs"
cp "$repo/public/targets/dir/b.txt.tlog-proof" b.proof
rm "$repo/public/targets/a.txt.tlog-proof" "$repo/public/targets/$sha_a.a.txt.tlog-proof"
# shellcheck disable=SC2046
t_run "publish with one target's proofs missing" 0 - "$RAMPART" repo publish "$repo" $(keys) --key "$(K log2 key)"
grep -q "rebuilt 2 missing tlog-proof file(s) of 'targets' from the repository's log" "$T_WORK/err" &&
    t_ok "2 proof files rebuilt" || t_bad "$(cat "$T_WORK/err")"
proofs >proofs.after
t_same "the missing proofs are back" proofs.after proofs.before
check_proofs "every proof verifies after the partial rebuild"
t_same "a proof that was there is left as it was" "$repo/public/targets/dir/b.txt.tlog-proof" b.proof
# the repository's own tiles damaged: no proof is written from them
rm "$repo/public/targets/a.txt.tlog-proof"
cp "$repo/log/tile/0/000.p/6" tile.bak
python3 -c 'import sys; b=bytearray(open(sys.argv[1],"rb").read()); b[40]^=1; open(sys.argv[1],"wb").write(b)' \
    "$repo/log/tile/0/000.p/6"
# shellcheck disable=SC2046
t_run "a proof from damaged tiles is refused" 1 RAMPART_EFORMAT \
    "$RAMPART" repo publish "$repo" $(keys) --key "$(K log2 key)"
grep -q "the log's tiles do not prove the entry of target 'a.txt' at index 0" "$T_WORK/err" &&
    t_ok "the target and index are named" || t_bad "$(cat "$T_WORK/err")"
t_absent "no proof written from damaged tiles" "$repo/public/targets/a.txt.tlog-proof"
cp tile.bak "$repo/log/tile/0/000.p/6"
# shellcheck disable=SC2046
t_run "publish once the tiles are back" 0 - "$RAMPART" repo publish "$repo" $(keys) --key "$(K log2 key)"
check_proofs "every proof verifies again"

# --- refresh keeps the cosignatures fresh (docs/transparency.md, operator's guide) ---
day=86400
ts_version() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["signed"]["version"])' \
    "$repo/public/metadata/timestamp.json"; }
sigs() { sed -n '/^$/,$p' "$1" | grep '^— '; }
cp "$repo/public/log/checkpoint" cp0
t_run "2 days later the cosignatures are stale for a 1-day maximum age" 1 - \
    at +2d env TLOG_CHECK_MAX_AGE=$day "$TLOG_CHECK" checkpoint wpolicy "$repo/public/log/checkpoint"
grep -qx "checkpoint: RAMPART_ESTALE" "$T_WORK/out" && t_ok "stale: RAMPART_ESTALE" || t_bad "$(cat "$T_WORK/out")"
echo $((2 * day)) >w1.state.offset
echo $((2 * day)) >w2.state.offset
v0=$(ts_version)
t_run "refresh-timestamp at +2d" 0 - at +2d "$RAMPART" repo refresh-timestamp "$repo" --key "$(K timestamp key)"
grep -q "transparency log: the checkpoint of size 6 cosigned again" "$T_WORK/err" && t_ok "re-cosigning noticed" ||
    t_bad "$(cat "$T_WORK/err")"
[ "$(tail -1 w1.state.log)" = "old 6 size 6" ] && [ "$(tail -1 w2.state.log)" = "old 6 size 6" ] &&
    t_ok "witnesses asked with old size = size 6" || t_bad "requests: $(tail -1 w1.state.log), $(tail -1 w2.state.log)"
[ "$(ts_version)" = $((v0 + 1)) ] && t_ok "timestamp renewed" || t_bad "timestamp version $(ts_version)"
t_run "the served checkpoint is fresh again" 0 - \
    at +2d env TLOG_CHECK_MAX_AGE=$day "$TLOG_CHECK" checkpoint wpolicy "$repo/public/log/checkpoint"
grep -qx "size 6 cosignatures 2" "$T_WORK/out" && t_ok "size 6, 2 fresh cosignatures" || t_bad "$(cat "$T_WORK/out")"
t_same "served checkpoint = recorded after refresh" "$repo/public/log/checkpoint" "$repo/log/cosigned"
sed '/^$/,$d' cp0 >text0
sed '/^$/,$d' "$repo/public/log/checkpoint" >text1
t_same "the checkpoint text is unchanged" text1 text0
[ "$(sigs cp0 | grep '^— example\.com/log ')" = "$(sigs "$repo/public/log/checkpoint" | grep '^— example\.com/log ')" ] &&
    t_ok "the log's signature is unchanged" || t_bad "log signature changed"
[ "$(sigs "$repo/public/log/checkpoint" | wc -l)" = 3 ] && t_ok "3 signature lines: the log's and 2 new cosignatures" ||
    t_bad "$(cat "$repo/public/log/checkpoint")"
sigs cp0 | grep '^— w' >old.cos
sigs "$repo/public/log/checkpoint" | grep -F -x -f old.cos && t_bad "an old cosignature is still served" ||
    t_ok "no old cosignature served"

# below quorum: the command fails, the checkpoint served stays, the timestamp is renewed
w_stop 2
cp "$repo/public/log/checkpoint" cp1
echo $((4 * day)) >w1.state.offset
v1=$(ts_version)
t_run "refresh-timestamp with 1 of 3 witnesses" 1 RAMPART_ENOQUORUM \
    at +4d "$RAMPART" repo refresh-timestamp "$repo" --key "$(K timestamp key)"
grep -q "the timestamp was renewed, the served checkpoint keeps its older cosignatures" "$T_WORK/err" &&
    t_ok "the message says what was left" || t_bad "$(cat "$T_WORK/err")"
t_same "checkpoint served unchanged below quorum" "$repo/public/log/checkpoint" cp1
t_same "log/cosigned unchanged below quorum" "$repo/log/cosigned" cp1
[ "$(ts_version)" = $((v1 + 1)) ] && t_ok "timestamp renewed all the same" || t_bad "timestamp version $(ts_version)"
t_run "stale again 2 days later" 1 - \
    at +4d env TLOG_CHECK_MAX_AGE=$day "$TLOG_CHECK" checkpoint wpolicy "$repo/public/log/checkpoint"
grep -qx "checkpoint: RAMPART_ESTALE" "$T_WORK/out" && t_ok "stale: RAMPART_ESTALE" || t_bad "$(cat "$T_WORK/out")"

# `repo refresh` (the renewal for cron) re-cosigns when it renews the timestamp
echo $((5 * day)) >w1.state.offset
echo $((5 * day)) >w2.state.offset
w_start w2.example 2 "$vkey2" || exit 1
sed -i "s|^witness w2 .*|witness w2 ${W_VKEY[2]} ${W_URL[2]}|" witnesses
"$RAMPART" repo log "$repo" --witnesses witnesses >/dev/null
t_run "repo refresh at +5d" 0 - at +5d "$RAMPART" repo refresh "$repo" --key "$(K snapshot key)" --key "$(K timestamp key)"
grep -q "renewed snapshot version" "$T_WORK/out" && t_ok "snapshot and timestamp renewed" || t_bad "$(cat "$T_WORK/out")"
t_run "fresh after repo refresh" 0 - \
    at +5d env TLOG_CHECK_MAX_AGE=$day "$TLOG_CHECK" checkpoint wpolicy "$repo/public/log/checkpoint"
grep -qx "size 6 cosignatures 2" "$T_WORK/out" && t_ok "size 6, 2 fresh cosignatures" || t_bad "$(cat "$T_WORK/out")"
t_run "log still whole" 0 - l_check_log "$repo/public/log"

t_done
