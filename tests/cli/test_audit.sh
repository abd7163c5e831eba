#!/usr/bin/env bash
# test_audit.sh - the endpoint's audit log (docs/audit.md): records written
# by `rampart audit note`, and `rampart audit verify` against every way of
# tampering with it (a record edited, removed, reordered, inserted, records
# cut from the end, the checkpoint removed or signed by another key, a
# wrong verifier key), each with its exact code and message; a torn last
# line (a crash during an append) told apart from tampering and sealed by
# the next writer; `rampart audit show` and its filters; and a loop of
# kills during appends after which no committed record is ever missing.
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/lib/common.sh"
: "${RAMPART:?}"
cd "$T_WORK" || exit 1

note() { "$RAMPART" audit note --dir "$1" --message "$2"; }
# fresh DIR N: an audit log with N notes "note 1".."note N"
fresh() {
    rm -rf "$1"
    local i
    for i in $(seq 1 "$2"); do note "$1" "note $i" >/dev/null || t_bad "note $i"; done
}
# lines DIR PYTHON: rewrites DIR/audit.log's lines with a python expression over `l` (the list of lines)
lines() {
    python3 - "$1/audit.log" "$2" <<'PY'
import sys
p, expr = sys.argv[1], sys.argv[2]
l = open(p, "rb").read().split(b"\n")[:-1]
exec(expr)
open(p, "wb").write(b"".join(x + b"\n" for x in l))
PY
}
verify() { "$RAMPART" audit verify --dir "$@"; }
says() { grep -qF -- "$2" "$T_WORK/$3" && t_ok "$1" || t_bad "$1: $(cat "$T_WORK/$3")"; }

# ---------------------------------------------------------------- writing and verifying
t_run "first note" 0 - note A "installed by hand"
[ "$(cat "$T_WORK/out")" = 1 ] && t_ok "first note: seq 1" || t_bad "seq $(cat "$T_WORK/out")"
for f in audit.log checkpoint audit.key audit.vkey; do [ -f A/$f ] && t_ok "made $f" || t_bad "no A/$f"; done
[ "$(stat -c %a A/audit.key)" = 600 ] && t_ok "key is private (0600)" || t_bad "key mode $(stat -c %a A/audit.key)"
[ "$(stat -c %a A)" = 700 ] && t_ok "folder is private (0700)" || t_bad "folder mode"
fresh A 5
cp A/audit.vkey enrolled.vkey
t_run "intact log" 0 - verify A --vkey enrolled.vkey
[ "$(cat "$T_WORK/out")" = "audit log: 5 records verified, 5 covered by the signed checkpoint" ] &&
    t_ok "intact: says so" || t_bad "intact: $(cat "$T_WORK/out")"
python3 - A/audit.log <<'PY' && t_ok "record format: the chain and fields" || t_bad "record format"
import hashlib, json, sys
prev = "0" * 64
for i, line in enumerate(open(sys.argv[1], "rb").read().split(b"\n")[:-1], 1):
    r = json.loads(line)
    assert list(r) == ["v", "seq", "time", "kind", "message", "prev"], list(r)
    assert r["v"] == 1 and r["seq"] == i and r["kind"] == "note" and r["message"] == "note %d" % i
    assert r["prev"] == prev and r["time"].endswith("Z")
    prev = hashlib.sha256(line).hexdigest()
PY
head -3 A/checkpoint | sed -n 1,2p | tr '\n' ' ' | grep -qx "rampart-audit 5 " && t_ok "checkpoint: origin and size" ||
    t_bad "checkpoint $(cat A/checkpoint)"

# ---------------------------------------------------------------- tampering
fresh B 5
cp B/audit.vkey b.vkey
tamper() { # NAME PYTHON CODE MESSAGE
    rm -rf T && cp -a B T
    lines T "$2"
    t_run "$1" 1 "$3" verify T --vkey b.vkey
    says "$1: message" "$4" err
}
tamper "edit a middle record" 'l[1] = l[1].replace(b"note 2", b"note X")' RAMPART_ETAMPERED \
    "line 3 (record 3): the hash of the previous record does not match (record 2 edited, or a record replaced)"
tamper "edit the last record" 'l[4] = l[4].replace(b"note 5", b"note X")' RAMPART_ETAMPERED \
    "records 1 to 5 do not give the root hash of the signed checkpoint (a record edited)"
tamper "garble a record" 'l[2] = b"{not json"' RAMPART_ETAMPERED \
    "line 4: bytes before it are not a record and no \"torn\" record seals them"
tamper "remove a record" 'del l[2]' RAMPART_ETAMPERED \
    "line 3: sequence number 4 where 3 was expected (a record removed, inserted or reordered)"
tamper "reorder two records" 'l[1], l[2] = l[2], l[1]' RAMPART_ETAMPERED \
    "line 2: sequence number 3 where 2 was expected"
tamper "insert a copy" 'l.insert(2, l[1])' RAMPART_ETAMPERED "line 3: sequence number 2 where 3 was expected"
tamper "truncate the last record" 'del l[4]' RAMPART_ETAMPERED \
    "the log holds 4 records but its signed checkpoint covers 5 (records removed from the end: truncated)"
tamper "truncate to nothing" 'l.clear()' RAMPART_ETAMPERED "the log holds 0 records but its signed checkpoint covers 5"
# a rewritten tail that chains correctly still misses the signed root
tamper "replace the last record, chain intact" '
import hashlib
l[4] = l[4].replace(b"note 5", b"note Y")' RAMPART_ETAMPERED "records 1 to 5 do not give the root hash"
rm -rf T && cp -a B T && truncate -s -30 T/audit.log
t_run "cut in the middle of the last record" 1 RAMPART_ETAMPERED verify T --vkey b.vkey
says "cut: truncation, not a crash" "the log holds 4 records but its signed checkpoint covers 5" err
rm -rf T && cp -a B T && rm T/checkpoint
t_run "checkpoint removed" 1 RAMPART_ETAMPERED verify T --vkey b.vkey
says "checkpoint removed: message" "the log holds 5 records and no signed checkpoint (the checkpoint removed)" err
fresh O 1
t_run "wrong verifier key" 1 RAMPART_EBADSIG verify B --vkey O/audit.vkey
says "wrong key: message" "the checkpoint is not signed by the audit key 'rampart-audit'" err
rm -rf T && cp -a B T && cp O/checkpoint T/checkpoint
t_run "checkpoint signed by another key" 1 RAMPART_EBADSIG verify T --vkey b.vkey
rm -rf T && cp -a B T && rm T/audit.key T/audit.vkey T/checkpoint && note T "re-keyed" >/dev/null 2>&1
t_run "log re-signed with a new key" 1 RAMPART_EBADSIG verify T --vkey b.vkey
rm -rf T && cp -a B T && lines T 'del l[2]'
t_run "the writer refuses a tampered log" 1 RAMPART_ETAMPERED note T "after tampering"
t_run "no log" 1 RAMPART_ENOTFOUND verify nowhere

# ---------------------------------------------------------------- a torn last line (crash)
rm -rf C && cp -a B C
printf '{"v":1,"seq":6,"time":"2026-' >>C/audit.log
t_run "torn last line" 1 RAMPART_ETORN verify C --vkey b.vkey
says "torn: told apart from tampering" \
    "the log ends in an incomplete line of 28 bytes (an append interrupted by a crash); the 5 records before it verify" err
t_run "torn: show skips it" 0 - "$RAMPART" audit show --dir C
[ "$(wc -l <"$T_WORK/out")" = 5 ] && t_ok "torn: 5 records shown" || t_bad "torn: $(cat "$T_WORK/out")"
t_run "the next writer seals it" 0 - note C "after the crash"
[ "$(cat "$T_WORK/out")" = 7 ] && t_ok "sealed: the torn record is 6, the note 7" || t_bad "seq $(cat "$T_WORK/out")"
t_run "sealed log verifies" 0 - verify C --vkey b.vkey
says "sealed: counted" "audit log: 7 records verified, 7 covered by the signed checkpoint, 1 interrupted appends sealed" out
python3 - C/audit.log <<'PY' && t_ok "sealed: the torn bytes are kept and described" || t_bad "sealed record"
import hashlib, json, sys
l = open(sys.argv[1], "rb").read().split(b"\n")
torn = l[5] + b"\n"
r = json.loads(l[6])
assert r["kind"] == "torn" and r["seq"] == 6 and r["torn_len"] == len(torn) == 29
assert r["torn_sha256"] == hashlib.sha256(torn).hexdigest()
assert r["prev"] == hashlib.sha256(l[4]).hexdigest()
assert json.loads(l[7])["message"] == "after the crash"
PY
rm -rf T && cp -a C T && lines T 'l[5] = b"{\"v\":1,\"seq\":6,\"time\":\"2027-"'
t_run "sealed bytes edited" 1 RAMPART_ETAMPERED verify T --vkey b.vkey
# an unsigned tail (a crash after the append, before the checkpoint)
rm -rf D && cp -a B D && cp D/checkpoint cp4 && note D "six" >/dev/null
cp cp4 D/checkpoint
t_run "unsigned tail: verified, warned" 0 - verify D --vkey b.vkey
says "unsigned tail: warning" "warning: 1 records after the checkpoint are not signed yet" err
t_run "unsigned tail: the next writer signs it" 0 - note D "seven"
t_run "unsigned tail: signed" 0 - verify D --vkey b.vkey
says "unsigned tail: all covered" "audit log: 7 records verified, 7 covered by the signed checkpoint" out

# ---------------------------------------------------------------- show
t_run "show" 0 - "$RAMPART" audit show --dir B
[ "$(sed -n 2p "$T_WORK/out" | cut -d' ' -f1,3-)" = "2 note message=note 2" ] && t_ok "show: a line" ||
    t_bad "show: $(cat "$T_WORK/out")"
t_run "show --kind" 0 - "$RAMPART" audit show --dir C --kind torn
[ ! -s "$T_WORK/out" ] && t_ok "show: torn records are not decisions" || t_bad "show torn: $(cat "$T_WORK/out")"
t_run "show --since the future" 0 - "$RAMPART" audit show --dir B --since 2999-01-01
[ ! -s "$T_WORK/out" ] && t_ok "show --since: nothing" || t_bad "since: $(cat "$T_WORK/out")"
t_run "show --since the past" 0 - "$RAMPART" audit show --dir B --since 2000-01-01T00:00:00Z --json
[ "$(wc -l <"$T_WORK/out")" = 5 ] && cmp -s "$T_WORK/out" B/audit.log && t_ok "show --json: the lines" ||
    t_bad "json: $(cat "$T_WORK/out")"
t_run "show: bad --since" 2 - "$RAMPART" audit show --dir B --since yesterday
t_run "note: no message" 2 - "$RAMPART" audit note --dir B
t_run "verify: no dir" 2 - "$RAMPART" audit verify
note E $'bell\a and esc\033[31m' >/dev/null
"$RAMPART" audit show --dir E >show.out
grep -qF 'message=bell? and esc?[31m' show.out && t_ok "show: control characters sanitised" || t_bad "$(cat show.out)"

# ---------------------------------------------------------------- kills during appends
# Each note is killed at a random moment; a note whose command returned 0
# was committed and must be in the log for good, and the log must verify
# (or be torn, never tampered) after every kill.
# The moments come from t_kill_after (tests/lib/common.sh), whose window
# adapts to the length of one note (a key load, an fsynced append, a signed
# checkpoint) so that about half of the appends are killed and half commit;
# the loop needs at least 20 of each.
rm -rf K
committed=()
lost=0
kills=200 each=20
# Under valgrind (scripts/valgrind) each command takes seconds to start: 20
# kills there, the point being memcheck; the ASan build makes 80 (at least 5
# of each kind), the release build all 200.
[ "${RAMPART_SANITIZE:-OFF}" = ON ] && kills=80 each=5
[ -n "${RAMPART_UNDER_VALGRIND:-}" ] && kills=20
T_KILL_WINDOW=300
for i in $(seq 1 "$kills"); do
    "$RAMPART" audit note --dir K --message "k$i" >/dev/null 2>&1 &
    t_kill_after $! || { [ "$T_KILL_STATUS" = 0 ] && committed+=("k$i"); }
    "$RAMPART" audit verify --dir K >/dev/null 2>verify.err
    rc=$?
    if [ $rc != 0 ] && ! grep -q RAMPART_ETORN verify.err && ! grep -q RAMPART_ENOTFOUND verify.err; then
        t_bad "kill $i: $(cat verify.err)"
        lost=1
        break
    fi
done
note K "after the kills" >/dev/null || t_bad "note after the kills"
t_run "kills: the log verifies" 0 - verify K
"$RAMPART" audit show --dir K --kind note >shown
for m in "${committed[@]}"; do grep -q " message=$m\$" shown || { t_bad "kills: committed $m lost"; lost=1; }; done
[ $lost = 0 ] && t_ok "kills: all ${#committed[@]} committed records kept (of $kills appends killed at random)"
if [ -z "${RAMPART_UNDER_VALGRIND:-}" ]; then
    [ ${#committed[@]} -ge $each ] && [ $((kills - ${#committed[@]})) -ge $each ] &&
        t_ok "kills: both committed (${#committed[@]}) and interrupted ($((kills - ${#committed[@]}))) appends" ||
        t_bad "kills: ${#committed[@]} of $kills committed: the moments miss the append"
fi
t_done
