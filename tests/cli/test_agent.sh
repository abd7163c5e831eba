#!/usr/bin/env bash
# test_agent.sh - `rampart agent` against a repository made by `rampart repo`
# and served on loopback (docs/agent.md): --once installs the newest
# followed release and records it; a failing health check reverts and is
# recorded; a signed release below the highest installed is refused and
# recorded as refused/downgrade; every channel anomaly end to end, each
# record checked whole (a root rotation and a new key, a freeze, another
# provenance builder and source, a version jump, the same version with new
# bytes, a lowered threshold, a changed expiry window, a split view of the
# log), a blocking anomaly holding the update
# until `rampart agent ack`; sd_notify's READY/WATCHDOG/STOPPING datagrams
# and a clean stop on SIGTERM; configuration errors; the transparency log
# (log_policy, log_max_age): a logged release installs, an unlogged one,
# a checkpoint without quorum, a stale one, a shrunk log and (log_offline)
# another release's proof are refused
# with their attack class.
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/lib/common.sh"
source "$here/lib/repo.sh"
source "$here/lib/witness.sh"
: "${RAMPART:?}"
cd "$T_WORK" || exit 1

mkrel() { # NAME VERSION: a tar.gz with bin/app printing the version
    mkdir -p "src-$2/bin" && printf '#!/bin/sh\necho app %s\n' "$2" >"src-$2/bin/app" && chmod +x "src-$2/bin/app"
    tar -C "src-$2" -czf "$1" bin
}
publish() {
    "$RAMPART" repo publish repo --key "$(K root key)" --key "$(K targets key)" --key "$(K snapshot key)" \
        --key "$(K timestamp key)" >/dev/null 2>&1 || t_bad "publish"
}
add() { "$RAMPART" repo add repo "$1" --path "$2" --custom "{\"version\":\"$3\"}" >/dev/null 2>&1 || t_bad "add $2"; }

r_init repo || { t_bad "repo init"; t_done; }
for v in 1.0.0 1.1.0 1.2.0 1.2.1 3.0.0; do mkrel app-$v.tar.gz $v; done
add app-1.0.0.tar.gz app/app-1.0.0.tar.gz 1.0.0
publish
r_serve repo/public || exit 1
U="http://127.0.0.1:$R_PORT"
printf '#!/bin/sh\n[ -f "$RAMPART_INSTALL_DIR/bin/app" ] && ! grep -q 1.1.0 "$RAMPART_INSTALL_DIR/bin/app"\n' >health
printf '#!/bin/sh\necho "$RAMPART_ANOMALY $RAMPART_ANOMALY_ID" >>"%s/anomalies.txt"\n' "$T_WORK" >onanomaly
chmod +x health onanomaly

TRUST=$T_WORK/repo/public/metadata/1.root.json
conf() { # NAME [extra lines...]: a configuration for agent NAME
    local n=$1
    shift
    {
        echo "# agent $n"
        echo "metadata_dir = $T_WORK/$n/md"
        echo "metadata_url = $U/metadata/"
        echo "target_url = $U/targets/"
        echo "trusted_root = $TRUST"
        echo "follow = app/app-*.tar.gz"
        echo "install_dir = $T_WORK/$n/app"
        echo "state_dir = $T_WORK/$n/state"
        echo "audit_dir = $T_WORK/$n/audit"
        echo "health_check = $T_WORK/health"
        echo "anomaly_hook = $T_WORK/onanomaly"
        echo "journal = no"
        printf '%s\n' "$@"
    } >"$n.conf"
}
agent() { "$RAMPART" agent --config "$@"; }
kinds() { "$RAMPART" audit show --dir "$1/audit" | cut -d' ' -f3- | sed 's/ message=.*//'; }
full() { "$RAMPART" audit show --dir "$1/audit" | cut -d' ' -f3-; }
# anomalies NAME: agent NAME's anomaly records, every member but the time
# and chain: "anomaly anomaly=KIND id=ID message=MESSAGE", where ID stands
# for an id that is the first 12 hex digits of SHA-256("KIND\nDETAIL")
# (docs/agent.md, "Anomalies"; the detail is the message without the
# blocking note); a wrong id is printed as BADID:the id.
anomalies() {
    "$RAMPART" audit show --dir "$1/audit" --kind anomaly --json | python3 -c '
import hashlib, json, sys
for line in sys.stdin:
    r = json.loads(line)
    extra = sorted(set(r) - {"v", "seq", "time", "prev", "kind", "anomaly", "id", "message"})
    detail = r["message"].split(" (blocking: ")[0]
    want = hashlib.sha256(("%s\n%s" % (r["anomaly"], detail)).encode()).hexdigest()[:12]
    rid = "ID" if r["id"] == want else "BADID:" + r["id"]
    print("%s anomaly=%s id=%s message=%s%s" % (r["kind"], r["anomaly"], rid, r["message"], "".join(" EXTRA:" + k for k in extra)))
'
}
active() { readlink "$1/app/current"; }

# ---------------------------------------------------------------- install, nothing to do, health revert
conf A
t_run "once: installs the newest" 0 - agent A.conf --once
[ "$(active A)" = versions/1.0.0 ] && t_ok "once: 1.0.0 active" || t_bad "active $(active A)"
[ "$(kinds A)" = "installed target=app/app-1.0.0.tar.gz version=1.0.0 sha256=$(sha256sum app-1.0.0.tar.gz | cut -d' ' -f1)" ] &&
    t_ok "once: recorded as installed, with its hash" || t_bad "records: $(kinds A)"
t_run "once again: up to date, nothing recorded" 0 - agent A.conf --once
[ "$(kinds A | wc -l)" = 1 ] && t_ok "up to date: no new record" || t_bad "records: $(kinds A)"
add app-1.1.0.tar.gz app/app-1.1.0.tar.gz 1.1.0
publish
t_run "failing health check" 1 RAMPART_EHEALTH agent A.conf --once
[ "$(active A)" = versions/1.0.0 ] && t_ok "health: reverted to 1.0.0" || t_bad "active $(active A)"
kinds A | tail -2 | cut -d' ' -f1-3 >k
[ "$(cat k)" = "$(printf 'health-failed code=RAMPART_EHEALTH target=app/app-1.1.0.tar.gz\nreverted target=app/app-1.1.0.tar.gz version=1.1.0')" ] &&
    t_ok "health: recorded as health-failed then reverted" || t_bad "records: $(cat k)"
t_run "health: the same failure is not recorded twice" 1 RAMPART_EHEALTH agent A.conf --once
[ "$(kinds A | wc -l)" = 3 ] && t_ok "health: still 3 records" || t_bad "records: $(kinds A)"
add app-1.2.0.tar.gz app/app-1.2.0.tar.gz 1.2.0
publish
t_run "the next release installs" 0 - agent A.conf --once
[ "$(active A)" = versions/1.2.0 ] && t_ok "1.2.0 active" || t_bad "active $(active A)"
t_run "audit log verifies" 0 - "$RAMPART" audit verify --dir A/audit

# ---------------------------------------------------------------- downgrade refused
conf D
"$RAMPART" client --metadata-dir D/md init repo/public/metadata/1.root.json >/dev/null
add app-3.0.0.tar.gz other/app-3.0.0.tar.gz 3.0.0
publish
"$RAMPART" install --into D/app --metadata-dir D/md --metadata-url "$U/metadata/" --target-base-url "$U/targets/" \
    --target-name other/app-3.0.0.tar.gz >/dev/null 2>&1 || t_bad "install 3.0.0 by hand"
t_run "a release below the highest installed" 1 RAMPART_EDOWNGRADE agent D.conf --once
[ "$(kinds D | cut -d' ' -f1-5)" = "refused attack=downgrade code=RAMPART_EDOWNGRADE target=app/app-1.2.0.tar.gz version=1.2.0" ] &&
    t_ok "downgrade: recorded as refused/downgrade" || t_bad "records: $(kinds D)"
[ "$(active D)" = versions/3.0.0 ] && t_ok "downgrade: 3.0.0 stays" || t_bad "active $(active D)"

# ---------------------------------------------------------------- anomalies: root rotation and a new key, blocking
conf B "block = root-rotation"
t_run "B: first run learns the channel" 0 - agent B.conf --once
r_keys targets2
"$RAMPART" repo rotate repo --role targets --add-key "$(K targets2 pub)" >/dev/null 2>&1 || t_bad "rotate"
publish
rm -f anomalies.txt
t_run "root rotation: held" 1 RAMPART_EHELD agent B.conf --once
"$RAMPART" audit show --dir B/audit --kind anomaly >an
anomalies B >an.b
[ "$(wc -l <an.b)" = 2 ] && t_ok "B: two anomalies" || t_bad "anomalies: $(cat an.b)"
grep -qxF "anomaly anomaly=root-rotation id=ID message=root rotated from version 1 to 2 (blocking: updates held until \`rampart agent ack\`)" an.b &&
    t_ok "root rotation: the exact record, blocking" || t_bad "anomalies: $(cat an.b)"
grep -qxE "anomaly anomaly=new-key id=ID message=role 'targets' has a new key [0-9a-f]{16}" an.b &&
    t_ok "new key: the exact record" || t_bad "anomalies: $(cat an.b)"
[ "$(cut -d' ' -f1 anomalies.txt | sort | tr '\n' ' ')" = "new-key root-rotation " ] && t_ok "anomaly hook ran for each" ||
    t_bad "hook: $(cat anomalies.txt 2>/dev/null)"
id=$(grep -o 'anomaly=root-rotation id=[0-9a-f]*' an | cut -d= -f3)
add app-1.2.1.tar.gz app/app-1.2.1.tar.gz 1.2.1
publish
t_run "still held" 1 RAMPART_EHELD agent B.conf --once
grep -q "acknowledge with \`rampart agent ack $id\`" "$T_WORK/err" && t_ok "held: names the ack" || t_bad "$(cat "$T_WORK/err")"
[ "$(active B)" = versions/1.2.0 ] && t_ok "held: nothing installed" || t_bad "active $(active B)"
t_run "ack an unknown id" 1 RAMPART_ENOTFOUND agent B.conf ack 000000000000
t_run "ack" 0 - agent B.conf ack "$id"
"$RAMPART" audit show --dir B/audit --kind ack | grep -q "ack anomaly=root-rotation id=$id message=acknowledged: root rotated" &&
    t_ok "ack: recorded" || t_bad "ack record: $("$RAMPART" audit show --dir B/audit --kind ack)"
t_run "after the ack the update goes on" 0 - agent B.conf --once
[ "$(active B)" = versions/1.2.1 ] && t_ok "after ack: 1.2.1 active" || t_bad "active $(active B)"

# ---------------------------------------------------------------- freeze
conf F "freeze_after = 1"
t_run "F: first run" 0 - agent F.conf --once
sleep 2
t_run "no new timestamp: a freeze anomaly, not blocking" 0 - agent F.conf --once
anomalies F | grep -qxE "anomaly anomaly=freeze id=ID message=no new timestamp for [0-9]+ seconds \(since version [0-9]+\)" &&
    t_ok "freeze: the exact record" || t_bad "freeze: $(anomalies F)"
sleep 2
t_run "freeze: raised once" 0 - agent F.conf --once
[ "$("$RAMPART" audit show --dir F/audit --kind anomaly | wc -l)" = 1 ] && t_ok "freeze: one record" ||
    t_bad "freeze: $("$RAMPART" audit show --dir F/audit --kind anomaly)"
"$RAMPART" repo refresh-timestamp repo --key "$(K timestamp key)" >/dev/null 2>&1 || t_bad "refresh-timestamp"
t_run "a new timestamp ends the freeze" 0 - agent F.conf --once
[ "$("$RAMPART" audit show --dir F/audit --kind anomaly | wc -l)" = 1 ] && t_ok "moving again: no anomaly" || t_bad "freeze again"

# ---------------------------------------------------------------- the service: sd_notify and SIGTERM
conf S "poll_interval = 1" "jitter = 0"
sed -i "s|^journal = no|journal = yes\njournal_socket = $T_WORK/journal.sock|" S.conf
python3 - "$T_WORK/journal.sock" >journal.log <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(20)
try:
    d = s.recv(65536).decode()
    print(d, end="")
except socket.timeout:
    pass
PY
jpid=$!
python3 - "$T_WORK/notify.sock" >notify.log <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(20)
seen = []
while "STOPPING=1" not in seen:
    try:
        seen.append(s.recv(4096).decode())
    except socket.timeout:
        break
print("\n".join(seen))
PY
lpid=$!
for i in $(seq 50); do [ -S notify.sock ] && break; sleep 0.1; done
NOTIFY_SOCKET=$T_WORK/notify.sock WATCHDOG_USEC=400000 "$RAMPART" agent --config S.conf 2>agent.err &
apid=$!
for i in $(seq 100); do grep -q READY=1 notify.log 2>/dev/null && break; [ -s S/audit/audit.log ] && break; sleep 0.1; done
sleep 1.5
kill -TERM $apid
wait $apid
t_run_rc=$?
[ $t_run_rc = 0 ] && t_ok "SIGTERM: clean exit 0" || t_bad "SIGTERM: exit $t_run_rc $(cat agent.err)"
wait $lpid
[ "$(head -1 notify.log)" = READY=1 ] && grep -qx WATCHDOG=1 notify.log && [ "$(tail -1 notify.log)" = STOPPING=1 ] &&
    t_ok "sd_notify: READY, WATCHDOG, STOPPING" || t_bad "notify: $(cat notify.log)"
t_run "the service's log verifies" 0 - "$RAMPART" audit verify --dir S/audit
wait $jpid
rec=$(head -1 S/audit/audit.log)
grep -qx "RAMPART_KIND=installed" journal.log && grep -qx "RAMPART_SEQ=1" journal.log &&
    grep -qx "SYSLOG_IDENTIFIER=rampart" journal.log && grep -qx "PRIORITY=6" journal.log &&
    grep -qxF "RAMPART_RECORD=$rec" journal.log &&
    grep -qx "RAMPART_RECORD_SHA256=$(printf '%s' "$rec" | sha256sum | cut -d' ' -f1)" journal.log &&
    grep -qx "MESSAGE=audit 1: installed app/app-1.2.1.tar.gz 1.2.1" journal.log &&
    t_ok "journal: the record's structured fields" || t_bad "journal: $(cat journal.log)"

# ---------------------------------------------------------------- provenance: another builder and source
conf P
t_run "P: first run" 0 - agent P.conf --once
r_keys builder
for v in 1.3.0 1.4.0; do mkrel app-$v.tar.gz $v; done
"$RAMPART" attest --builder-id https://ci.example/builder --source-uri git+https://git.example/app \
    --source-revision refs/tags/v1.3.0 --key "$(K builder key)" --out a13.att app-1.3.0.tar.gz >/dev/null 2>&1 || t_bad "attest 1.3.0"
"$RAMPART" attest --builder-id https://elsewhere.example/builder --source-uri git+https://git.example/fork \
    --source-revision refs/tags/v1.4.0 --key "$(K builder key)" --out a14.att app-1.4.0.tar.gz >/dev/null 2>&1 || t_bad "attest 1.4.0"
"$RAMPART" repo add repo app-1.3.0.tar.gz --path app/app-1.3.0.tar.gz --custom '{"version":"1.3.0"}' \
    --provenance a13.att >/dev/null 2>&1 || t_bad "add 1.3.0 with provenance"
publish
t_run "P: a release with provenance (learnt)" 0 - agent P.conf --once
[ -z "$("$RAMPART" audit show --dir P/audit --kind anomaly)" ] && t_ok "P: the first provenance is learnt" ||
    t_bad "P: $("$RAMPART" audit show --dir P/audit --kind anomaly)"
"$RAMPART" repo add repo app-1.4.0.tar.gz --path app/app-1.4.0.tar.gz --custom '{"version":"1.4.0"}' \
    --provenance a14.att >/dev/null 2>&1 || t_bad "add 1.4.0 with provenance"
publish
t_run "P: another builder and source" 0 - agent P.conf --once
anomalies P >pan
printf '%s\n' "anomaly anomaly=provenance-builder id=ID message=provenance names builder 'https://elsewhere.example/builder' instead of 'https://ci.example/builder'" \
    "anomaly anomaly=provenance-source id=ID message=provenance names source 'git+https://git.example/fork' instead of 'git+https://git.example/app'" >pan.want
t_same "provenance-builder and provenance-source: the exact records" pan pan.want

# ---------------------------------------------------------------- version-jump, same-version-new-bytes
# Each anomaly record checked whole (its id is 12 hex digits of SHA-256 of
# the name and the detail, docs/agent.md "Anomalies").
conf J "max_version_jump = 1"
t_run "J: first run learns the channel (1.4.0)" 0 - agent J.conf --once
[ "$(active J)" = versions/1.4.0 ] && t_ok "J: 1.4.0 active" || t_bad "active $(active J)"
mkrel app-3.1.0.tar.gz 3.1.0
add app-3.1.0.tar.gz app/app-3.1.0.tar.gz 3.1.0
publish
t_run "version jump: not blocking, installs" 0 - agent J.conf --once
[ "$(anomalies J)" = "anomaly anomaly=version-jump id=ID message=target 'app/app-3.1.0.tar.gz' version 3.1.0 jumps 2 major versions" ] &&
    t_ok "version-jump: the exact record" || t_bad "anomalies: $(anomalies J)"
[ "$(active J)" = versions/3.1.0 ] && t_ok "version jump: 3.1.0 active" || t_bad "active $(active J)"
# the same path and version re-published with other bytes
mkdir -p src-3.1.0b/bin && printf '#!/bin/sh\necho app 3.1.0 rebuilt\n' >src-3.1.0b/bin/app && chmod +x src-3.1.0b/bin/app
tar -C src-3.1.0b -czf app-3.1.0b.tar.gz bin
"$RAMPART" repo add repo app-3.1.0b.tar.gz --path app/app-3.1.0.tar.gz --custom '{"version":"3.1.0"}' --replace >/dev/null 2>&1 ||
    t_bad "replace 3.1.0"
publish
t_run "same version, new bytes: not blocking" 0 - agent J.conf --once
anomalies J | tail -1 >jan
[ "$(cat jan)" = "anomaly anomaly=same-version-new-bytes id=ID message=target 'app/app-3.1.0.tar.gz' version 3.1.0 has other bytes than before" ] &&
    t_ok "same-version-new-bytes: the exact record" || t_bad "anomalies: $(anomalies J)"
[ "$(anomalies J | wc -l)" = 2 ] && t_ok "J: two anomalies in all" || t_bad "anomalies: $(anomalies J)"
[ "$(active J)" = versions/3.1.0 ] && cmp -s J/app/current/bin/app src-3.1.0/bin/app &&
    t_ok "same version: the installed 3.1.0 is not replaced" || t_bad "active $(active J)"

# ---------------------------------------------------------------- lowered-threshold, expiry-window
publish2() { # with both targets keys (threshold 2)
    "$RAMPART" repo publish repo --key "$(K root key)" --key "$(K targets key)" --key "$(K targets2 key)" \
        --key "$(K snapshot key)" --key "$(K timestamp key)" >/dev/null 2>&1 || t_bad "publish (2 targets keys)"
}
"$RAMPART" repo rotate repo --role targets --threshold 2 >/dev/null 2>&1 || t_bad "rotate: targets threshold 2"
publish2
conf T
t_run "T: first run learns threshold 2" 0 - agent T.conf --once
conf H "block = root-rotation,lowered-threshold"
conf H2 "block = all"
t_run "H: first run" 0 - agent H.conf --once
t_run "H2: first run" 0 - agent H2.conf --once
rootv=$(ls repo/public/metadata/ | sed -n 's/^\([0-9]*\)\.root\.json$/\1/p' | sort -n | tail -1)
"$RAMPART" repo rotate repo --role targets --threshold 1 >/dev/null 2>&1 || t_bad "rotate: targets threshold 1"
publish
t_run "lowered threshold: not blocking" 0 - agent T.conf --once
anomalies T >tan
printf '%s\n' "anomaly anomaly=root-rotation id=ID message=root rotated from version $rootv to $((rootv + 1))" \
    "anomaly anomaly=lowered-threshold id=ID message=role 'targets': threshold lowered from 2 to 1" >tan.want
t_same "lowered-threshold: the exact records (with the root rotation that carried it)" tan tan.want

# ---------------------------------------------------------------- ack: several held anomalies
# One ack releases one anomaly; the update stays held while another is,
# and every message names the oldest still held.
idof() { "$RAMPART" audit show --dir "$1/audit" --kind anomaly --json | python3 -c '
import json, sys
print([json.loads(l)["id"] for l in sys.stdin if json.loads(l)["anomaly"] == sys.argv[1]][-1])' "$2"; }
t_run "H: two blocking anomalies hold the update" 1 RAMPART_EHELD agent H.conf --once
rid=$(idof H root-rotation)
lid=$(idof H lowered-threshold)
grep -qF "update held by anomaly $rid (root-rotation): root rotated from version $rootv to $((rootv + 1)); acknowledge with \`rampart agent ack $rid\`" "$T_WORK/err" &&
    t_ok "H: held names the oldest" || t_bad "H: $(cat "$T_WORK/err")"
anomalies H | tail -2 >han
printf '%s\n' "anomaly anomaly=root-rotation id=ID message=root rotated from version $rootv to $((rootv + 1)) (blocking: updates held until \`rampart agent ack\`)" \
    "anomaly anomaly=lowered-threshold id=ID message=role 'targets': threshold lowered from 2 to 1 (blocking: updates held until \`rampart agent ack\`)" >han.want
t_same "H: both anomalies recorded, blocking" han han.want
t_run "H: ack the second" 0 - agent H.conf ack "$lid"
printf '%s\n' "acknowledged $lid" \
    "still held by 1 anomaly; next: $rid (root-rotation): root rotated from version $rootv to $((rootv + 1))" >hack.want
t_same "H: ack names the anomaly still held" "$T_WORK/out" hack.want
t_run "H: the same id again" 1 RAMPART_ENOTFOUND agent H.conf ack "$lid"
grep -qF "no held anomaly '$lid'" "$T_WORK/err" && t_ok "H: an acknowledged id is no longer held" || t_bad "$(cat "$T_WORK/err")"
t_run "H: still held by the other" 1 RAMPART_EHELD agent H.conf --once
grep -qF "update held by anomaly $rid (root-rotation)" "$T_WORK/err" && t_ok "H: held names the remaining one" ||
    t_bad "H: $(cat "$T_WORK/err")"
t_run "H: ack the last" 0 - agent H.conf ack "$rid"
printf '%s\n' "acknowledged $rid" "no anomaly holds the update" >hack2.want
t_same "H: nothing held any more" "$T_WORK/out" hack2.want
"$RAMPART" audit show --dir H/audit --kind ack | cut -d' ' -f3- >hacks
printf '%s\n' "ack anomaly=lowered-threshold id=$lid message=acknowledged: role 'targets': threshold lowered from 2 to 1" \
    "ack anomaly=root-rotation id=$rid message=acknowledged: root rotated from version $rootv to $((rootv + 1))" >hacks.want
t_same "H: one ack record per anomaly, in the order acknowledged" hacks hacks.want
t_run "H: released" 0 - agent H.conf --once
# ack --all: every held anomaly, one ack record each, oldest first
t_run "H2: held" 1 RAMPART_EHELD agent H2.conf --once
rid2=$(idof H2 root-rotation)
lid2=$(idof H2 lowered-threshold)
t_run "H2: ack --all" 0 - agent H2.conf ack --all
printf '%s\n' "acknowledged 2 held anomalies" "no anomaly holds the update" >hall.want
t_same "H2: ack --all says how many" "$T_WORK/out" hall.want
"$RAMPART" audit show --dir H2/audit --kind ack | cut -d' ' -f3- >h2acks
printf '%s\n' "ack anomaly=root-rotation id=$rid2 message=acknowledged: root rotated from version $rootv to $((rootv + 1))" \
    "ack anomaly=lowered-threshold id=$lid2 message=acknowledged: role 'targets': threshold lowered from 2 to 1" >h2acks.want
t_same "H2: one ack record per anomaly" h2acks h2acks.want
t_run "H2: released" 0 - agent H2.conf --once
t_run "H2: ack --all with nothing held" 0 - agent H2.conf ack --all
printf '%s\n' "acknowledged 0 held anomalies" "no anomaly holds the update" >hnone.want
t_same "H2: nothing to acknowledge" "$T_WORK/out" hnone.want
[ "$("$RAMPART" audit show --dir H2/audit --kind ack | wc -l)" = 2 ] && t_ok "H2: no record for an empty ack --all" ||
    t_bad "acks: $("$RAMPART" audit show --dir H2/audit --kind ack)"
t_run "ack without an id" 2 - agent H2.conf ack
t_run "ack --all with an id" 2 - agent H2.conf ack --all "$rid2"
t_run "--all without ack" 2 - agent H2.conf --all --once
t_run "H2: the audit log verifies" 0 - "$RAMPART" audit verify --dir H2/audit
# expiry window: the snapshot role re-signed with a 30-day period instead of 7
"$RAMPART" repo rotate repo --role snapshot --expires 30 >/dev/null 2>&1 || t_bad "rotate: snapshot expires 30"
printf 'x\n' >x.txt
"$RAMPART" repo add repo x.txt --path other/x.txt >/dev/null 2>&1 || t_bad "add other/x.txt"
publish
t_run "expiry window: not blocking" 0 - agent T.conf --once
anomalies T | tail -n +3 >tex
sed -n 's/.*from \([0-9]*\)s to \([0-9]*\)s$/\1 \2/p' tex >tex.n
read -r w0 w1 <tex.n
[ "$(sed 's/from [0-9]*s to [0-9]*s/from Ns to Ms/' tex)" = "anomaly anomaly=expiry-window id=ID message=role 'snapshot': expiry window changed from Ns to Ms" ] &&
    t_ok "expiry-window: the exact record, the only one" || t_bad "anomalies: $(cat tex)"
# the windows: about 7 and 30 days (a few seconds of the test's own time less)
[ "${w0:-0}" -gt $((7 * 86400 - 600)) ] && [ "${w0:-0}" -le $((7 * 86400)) ] &&
    [ "${w1:-0}" -gt $((30 * 86400 - 600)) ] && [ "${w1:-0}" -le $((30 * 86400)) ] &&
    t_ok "expiry-window: from 7 days to 30 days" || t_bad "windows: ${w0:-} ${w1:-}"

# ---------------------------------------------------------------- crash safety: every install recorded once
# docs/agent.md, "Crash safety": the agent saves the install under way in
# its state before the installer starts and clears it once the outcome is
# recorded; an agent that finds one when it starts records the outcome the
# crash cut off (marked "recovered: "), once, before anything else.
# recs NAME: agent NAME's records, one a line, every member but v, seq,
# time and prev (which `audit verify` checks), in the log's order.
recs() {
    "$RAMPART" audit show --dir "$1/audit" --json | python3 -c '
import json, sys
for line in sys.stdin:
    r = json.loads(line)
    print(json.dumps({k: v for k, v in r.items() if k not in ("v", "seq", "time", "prev")}, separators=(",", ":")))
'
}
SHA31=$(sha256sum app-3.1.0b.tar.gz | cut -d' ' -f1)
REL='"target":"app/app-3.1.0.tar.gz","version":"3.1.0","sha256":"'$SHA31'"'
INST='{"kind":"installed",'$REL'}'
RINST='{"kind":"installed",'$REL',"message":"recovered: installed before the agent stopped, recorded when it started again"}'
INTR='{"kind":"interrupted",'$REL',"message":"recovered: the agent stopped during this install, before recording its outcome; no version is active"}'
# kcheck NAME WHAT: after a crash (or kill) of agent NAME's first cycle and
# the next cycle: 3.1.0 active and complete, the log verifies (exit 0), and
# the records are one of the three histories: [installed] (the crash came
# before the install began or after its record), [recovered installed] (after
# the switch, before the record), [recovered interrupted, installed] (during
# the install: the installer undid it, the next cycle installed again).
# Prints the history's letter (i, r or x).
kcheck() {
    local n=$1 what=$2 got
    [ "$(active "$n")" = versions/3.1.0 ] && diff -r src-3.1.0b "$n/app/current/" >/dev/null ||
        { echo "$what: after the next cycle $(active "$n")" >&2; return 1; }
    "$RAMPART" audit verify --dir "$n/audit" >/dev/null 2>kv.err || { echo "$what: verify: $(cat kv.err)" >&2; return 1; }
    got=$(recs "$n")
    if [ "$got" = "$INST" ]; then echo i
    elif [ "$got" = "$RINST" ]; then echo r
    elif [ "$got" = "$(printf '%s\n%s' "$INTR" "$INST")" ]; then echo x
    else echo "$what: records: $got" >&2; return 1
    fi
}
# The crash points (builds with RAMPART_CRASHPOINTS): a fresh endpoint's
# first cycle is ended at point n, for every n until a cycle passes them
# all.  What the crash left decides which history is the only right one:
# the installed record already written: [installed]; the install under way
# saved (state.json "installing") and 3.1.0 active with no pending switch:
# [recovered installed]; saved otherwise: [recovered interrupted,
# installed]; not saved: [installed].
# The points before the install under way is saved (the bootstrap, the
# refresh and the download: over half of them) all leave [installed]; under the
# sanitizers (the CI build with crash points, where each agent run takes
# seconds) one in RAMPART_CRASH_STRIDE of them (default 3, from a random
# offset printed below, so that three runs cover them all) is tested; from
# the first point that leaves an install under way saved, every point is.
if [ "${RAMPART_HAS_CRASHPOINTS:-0}" = 1 ]; then
    stride=1
    [ "${RAMPART_SANITIZE:-OFF}" = ON ] && stride=3
    stride=${RAMPART_CRASH_STRIDE:-$stride}
    [[ "$stride" =~ ^[1-9][0-9]?$ ]] || { t_bad "RAMPART_CRASH_STRIDE wants 1 to 99, not '$stride'"; stride=1; }
    n=$((1 + RANDOM % stride)) last=0 tested=0 cbad=0 mark=0 pdone=0 ci=0 cr=0 cx=0
    [ "$stride" = 1 ] || echo "# crash points before the install: one in $stride, from point $n"
    while :; do
        rm -rf KC KC.conf
        conf KC
        RAMPART_CRASH_AT=$n agent KC.conf --once >/dev/null 2>crash.err
        st=$?
        [ $st = 86 ] || break
        grep -q ': agent: install under way saved' crash.err && [ $mark = 0 ] && mark=$n
        grep -q ': agent: installer done, before its record' crash.err && pdone=$n
        if [ -n "$("$RAMPART" audit show --dir KC/audit --kind installed 2>/dev/null)" ]; then want=i
        elif grep -q '"installing":' KC/state/state.json 2>/dev/null; then
            if [ "$(active KC)" = versions/3.1.0 ] && [ ! -e KC/app/pending ]; then want=r; else want=x; fi
        else want=i
        fi
        agent KC.conf --once >/dev/null 2>kc.err || { cbad=$((cbad + 1)); echo "$(cat crash.err): next cycle: $(cat kc.err)"; }
        got=$(kcheck KC "$(cat crash.err)") || { cbad=$((cbad + 1)); got=-; }
        [ "$got" = "$want" ] || { [ "$got" = - ] || { cbad=$((cbad + 1)); echo "$(cat crash.err): history $got, expected $want"; }; }
        # From the install's start on, every point: at the first point
        # sampled there (the mark, or an install under way left saved), back
        # to the first point skipped before it (this one is then counted
        # when its turn comes again: the points just before the mark can
        # leave the install saved too).
        if [ "$stride" != 1 ] && { [ $mark != 0 ] || [ $want != i ]; }; then
            stride=1 n=$last
        else
            case $got in i) ci=$((ci + 1)) ;; r) cr=$((cr + 1)) ;; x) cx=$((cx + 1)) ;; esac
            tested=$((tested + 1))
        fi
        last=$n
        n=$((n + stride))
    done
    [ $st = 0 ] && [ $cbad = 0 ] && [ $mark -gt 1 ] && [ $cr -ge 1 ] && [ $cx -ge 1 ] &&
        t_ok "crash points: $tested of $((n - 1)) points of a first cycle ($ci [installed], $cr [recovered installed], $cx [recovered interrupted, installed]): one installed record each, a log that verifies" ||
        t_bad "crash points: $cbad failures, stopped at $n with status $st ($ci/$cr/$cx)"
    # The recovery itself crashed: the first cycle ended after the switch,
    # before its record; the next one ended at each of its points up to the
    # state saved after the recovered record (5 points after it); then a
    # third: still exactly [recovered installed], never a second record.
    k=1 rbad=0 rend=0
    while [ $pdone -gt 0 ] && { [ $rend = 0 ] || [ $k -le $((rend + 5)) ]; }; do
        rm -rf KR KR.conf
        conf KR
        RAMPART_CRASH_AT=$pdone agent KR.conf --once >/dev/null 2>&1
        RAMPART_CRASH_AT=$k agent KR.conf --once >/dev/null 2>crash.err
        st=$?
        grep -q ': agent: recovered record written' crash.err && rend=$k
        agent KR.conf --once >/dev/null 2>&1 || { rbad=$((rbad + 1)); echo "recovery $(cat crash.err): the third cycle failed"; }
        got=$(kcheck KR "recovery crash $k $(cat crash.err)") || got=-
        [ "$got" = r ] || { rbad=$((rbad + 1)); echo "recovery crash $k ($(cat crash.err)): history $got"; }
        [ $st = 86 ] || break
        k=$((k + 1))
    done
    [ $pdone -gt 0 ] && [ $rend -gt 0 ] && [ $rbad = 0 ] &&
        t_ok "crash points of the recovery ($((k - 1))): the recovered installed record written once" ||
        t_bad "recovery crash points: $rbad failures (point $pdone, recovery at $rend)"
    # The revert path: a health check that always fails.  From the point
    # where the install under way is saved: after the crash and the next
    # cycle, the records end with that cycle's [health-failed, reverted],
    # and before it the crash left one of: nothing (it came before the
    # install began, or after the outcome's records: then the state still
    # knew the refusal and the next cycle recorded nothing new), [recovered
    # interrupted], [health-failed, recovered reverted] (between the two
    # records), [health-failed, reverted] (after both, before the state).
    printf '#!/bin/sh\nexit 1\n' >unhealthy
    chmod +x unhealthy
    rm -rf KH0 KH0.conf
    conf KH0
    sed -i "s|^health_check = .*|health_check = $T_WORK/unhealthy|" KH0.conf
    agent KH0.conf --once >/dev/null 2>&1
    recs KH0 >kh0
    HF=$(sed -n 1p kh0)
    RV=$(sed -n 2p kh0)
    [ "$(wc -l <kh0)" = 2 ] && [ "$HF" = '{"kind":"health-failed","code":"RAMPART_EHEALTH",'"$REL"',"message":"health-check '"'$T_WORK/unhealthy'"' exited with status 1; no version is active again"}' ] &&
        [ "$RV" = '{"kind":"reverted",'"$REL"',"message":"the previous version is active again"}' ] &&
        t_ok "health: the exact health-failed and reverted records" || t_bad "health records: $(cat kh0)"
    RRV='{"kind":"reverted",'$REL',"message":"recovered: the previous version is active again"}'
    n=$mark hbad=0 hseen=
    while [ $mark -gt 0 ]; do
        rm -rf KH KH.conf
        conf KH
        sed -i "s|^health_check = .*|health_check = $T_WORK/unhealthy|" KH.conf
        RAMPART_CRASH_AT=$n agent KH.conf --once >/dev/null 2>crash.err
        st=$?
        [ $st = 86 ] || break
        agent KH.conf --once >/dev/null 2>&1
        [ $? = 1 ] || { hbad=$((hbad + 1)); echo "health $(cat crash.err): the next cycle did not fail"; }
        "$RAMPART" audit verify --dir KH/audit >/dev/null 2>kv.err || { hbad=$((hbad + 1)); echo "health $(cat crash.err): $(cat kv.err)"; }
        [ ! -e KH/app/current ] || { hbad=$((hbad + 1)); echo "health $(cat crash.err): $(active KH) active"; }
        recs KH >khr
        case "$(cat khr)" in
        "$HF"$'\n'"$RV") hseen="$hseen 0" ;;
        "${INTR}"$'\n'"$HF"$'\n'"$RV") hseen="$hseen x" ;;
        "$HF"$'\n'"$RRV"$'\n'"$HF"$'\n'"$RV") hseen="$hseen h" ;;
        "$HF"$'\n'"$RV"$'\n'"$HF"$'\n'"$RV") hseen="$hseen 2" ;;
        *) hbad=$((hbad + 1)); echo "health $(cat crash.err): records: $(cat khr)" ;;
        esac
        n=$((n + 1))
    done
    for h in 0 x h 2; do case "$hseen " in *" $h "*) ;; *) hbad=$((hbad + 1)); echo "health: no crash point gave history $h ($hseen)" ;; esac; done
    # (the cycle that passed every point fails: its health check, status 1)
    [ $st = 1 ] && [ $hbad = 0 ] && t_ok "crash points of a failing health check ($((n - mark)) from the install on): every revert recorded, once" ||
        t_bad "health crash points: $hbad failures, stopped at $n with status $st"
fi

# ---------------------------------------------------------------- the agent killed at random moments
# Each round a fresh endpoint's first cycle (bootstrap, refresh, download,
# install, health check, record) is killed with SIGKILL at a random moment
# (t_kill_after in tests/lib/common.sh, its window adapting to the length of
# a cycle); then: no version or a complete 3.1.0 is active, the audit
# log verifies or ends in a torn line (never tampered), and the next cycle
# finishes with 3.1.0 active and complete, a log that verifies and exactly
# one installed record: one of kcheck's three histories, every round.
# Under ASan 10 rounds (the crash points above drive every step there) and
# under valgrind 4.
akills=40
[ "${RAMPART_SANITIZE:-OFF}" = ON ] && akills=10
[ -n "${RAMPART_UNDER_VALGRIND:-}" ] && akills=4
abad=0 akilled=0 hist=
T_KILL_WINDOW=800
for i in $(seq 1 $akills); do
    rm -rf KA KA.conf
    conf KA
    "$RAMPART" agent --config KA.conf --once >/dev/null 2>&1 &
    t_kill_after $! && akilled=$((akilled + 1))
    if [ -e KA/app/current ] && { [ "$(active KA)" != versions/3.1.0 ] || ! diff -r src-3.1.0b KA/app/current/ >/dev/null; }; then
        abad=$((abad + 1)); echo "agent kill $i: active $(active KA) incomplete"
    fi
    if [ -e KA/audit ] && ! "$RAMPART" audit verify --dir KA/audit >/dev/null 2>kv.err && ! grep -qE 'RAMPART_E(TORN|NOTFOUND)' kv.err; then
        abad=$((abad + 1)); echo "agent kill $i: $(cat kv.err)"
    fi
    "$RAMPART" agent --config KA.conf --once >/dev/null 2>ka.err || { abad=$((abad + 1)); echo "agent kill $i: next cycle: $(cat ka.err)"; }
    h=$(kcheck KA "agent kill $i") && hist="$hist$h" || abad=$((abad + 1))
done
[ $abad = 0 ] && t_ok "$akills agent cycles killed at random ($akilled before the end; histories $(printf '%s' "$hist" | fold -w1 | sort | uniq -c | tr -s ' \n' ' ')): a complete version, a log that verifies, exactly one installed record after the next cycle" ||
    t_bad "agent kills: $abad failures"

# ---------------------------------------------------------------- configuration errors
printf 'metadata_dir = x\nfollw = y\n' >bad1.conf
t_run "unknown key" 1 RAMPART_EFORMAT agent bad1.conf --once
grep -qF "configuration line 2: an unknown key" "$T_WORK/err" && t_ok "unknown key: names the line" || t_bad "$(cat "$T_WORK/err")"
printf 'metadata_dir = x\n' >bad2.conf
t_run "required keys" 1 RAMPART_EINVAL agent bad2.conf --once
conf bad3 "keep = 1"
t_run "keep below 2" 1 RAMPART_EFORMAT agent bad3.conf --once
conf bad4 "block = root-rotation,bogus"
t_run "unknown anomaly name" 1 RAMPART_EFORMAT agent bad4.conf --once
t_run "no such configuration" 1 RAMPART_ENOTFOUND agent nowhere.conf --once
# S74: the configuration says what to trust; one that another user can
# change is refused before it is read, and so is such a trusted root.
cp A.conf shared.conf
chmod 0664 shared.conf
t_run "S74: a group-writable configuration" 1 RAMPART_EPATH agent shared.conf --once
grep -qF "is writable by other users (mode 0664)" "$T_WORK/err" && t_ok "S74: says why" || t_bad "S74: $(cat "$T_WORK/err")"
chmod 0646 shared.conf
t_run "S74: a world-writable configuration" 1 RAMPART_EPATH agent shared.conf --once
chmod 0644 shared.conf
if chown 65534 shared.conf 2>/dev/null; then
    t_run "S74: a configuration of another user" 1 RAMPART_EPATH agent shared.conf --once
    grep -qF "belongs to another user (uid 65534)" "$T_WORK/err" && t_ok "S74: names the owner" ||
        t_bad "S74: $(cat "$T_WORK/err")"
fi
t_run "usage" 2 - "$RAMPART" agent --config A.conf extra
# the shipped example parses (it fails later: its repository is not here)
sed -e "s|/var/lib/rampart|$T_WORK/ex|" -e "s|https://updates.example.com|http://127.0.0.1:1|" \
    -e "s|/opt/app|$T_WORK/ex/app|" -e "s|/etc/rampart/root.json|$T_WORK/repo/public/metadata/1.root.json|" \
    -e "s|^journal = yes|journal = no|" "$RAMPART_SRC/examples/agent.conf" >ex.conf
t_run "the example configuration" 1 RAMPART_ENET agent ex.conf --once
"$RAMPART" audit show --dir ex/audit | grep -q "^1 .* error code=RAMPART_ENET message=" && t_ok "example: the failed refresh recorded" ||
    t_bad "example: $("$RAMPART" audit show --dir ex/audit)"

# ---------------------------------------------------------------- the transparency log: log_policy, log_max_age
# A logged repository (docs/transparency.md) whose checkpoints a witness
# (`rampart witness serve`) cosigns at publish; the agents' witness policy
# names the log and that witness.
r_stop
r_init lrepo || t_bad "lrepo init"
w_keys || t_bad "log and witness keys"
"$RAMPART" repo log lrepo --init --origin example.com/log --key "$T_WORK/log.pub" >lvkey 2>&1 || t_bad "repo log --init"
[ "$(cat lvkey)" = "$LOG_VKEY" ] && t_ok "log: the repository's vkey" || t_bad "vkey $(cat lvkey) != $LOG_VKEY"
w_start wst || t_bad "the witness did not start: $(cat "$T_WORK/w.err")"
printf 'witness w1 %s http://127.0.0.1:%s\nquorum w1\n' "$W_VKEY" "$W_PORT" >lwitnesses
"$RAMPART" repo log lrepo --witnesses lwitnesses >/dev/null 2>&1 || t_bad "repo log --witnesses"
printf 'log %s\nwitness w1 %s\nquorum w1\n' "$LOG_VKEY" "$W_VKEY" >lpolicy
chmod 0644 lpolicy
lpublish() {
    "$RAMPART" repo publish lrepo --key "$(K root key)" --key "$(K targets key)" --key "$(K snapshot key)" \
        --key "$(K timestamp key)" --key "$T_WORK/log.key" >/dev/null 2>&1 || t_bad "publish lrepo"
}
ladd() { "$RAMPART" repo add lrepo "$1" --path "$2" --custom "{\"version\":\"$3\"}" >/dev/null 2>&1 || t_bad "add $2"; }
ladd app-1.0.0.tar.gz app/app-1.0.0.tar.gz 1.0.0
lpublish
r_serve lrepo/public || exit 1
U="http://127.0.0.1:$R_PORT"
TRUST=$T_WORK/lrepo/public/metadata/1.root.json
conf L "log_policy = $T_WORK/lpolicy"
t_run "log: a logged release installs" 0 - agent L.conf --once
[ "$(active L)" = versions/1.0.0 ] && t_ok "log: 1.0.0 active" || t_bad "active $(active L)"
[ "$(kinds L)" = "installed target=app/app-1.0.0.tar.gz version=1.0.0 sha256=$(sha256sum app-1.0.0.tar.gz | cut -d' ' -f1)" ] &&
    t_ok "log: recorded as installed" || t_bad "records: $(kinds L)"
t_same "log: the verified checkpoint is stored" L/md/tlog/checkpoint lrepo/public/log/checkpoint
# An unlogged release: signed with every online key, but the log served
# does not hold it (a repository, or whoever holds its keys, keeping a
# release out of the public log).
cp -r lrepo/public/log oldlog
mkrel app-2.0.0.tar.gz 2.0.0
ladd app-2.0.0.tar.gz app/app-2.0.0.tar.gz 2.0.0
lpublish
mv lrepo/public/log newlog && cp -r oldlog lrepo/public/log
t_run "log: an unlogged release is refused" 1 RAMPART_ENOTLOGGED agent L.conf --once
[ "$(kinds L | tail -1)" = "refused attack=unlogged-release code=RAMPART_ENOTLOGGED" ] &&
    t_ok "log: recorded as refused/unlogged-release" || t_bad "records: $(kinds L)"
"$RAMPART" audit show --dir L/audit --json | tail -1 >lrec
python3 - lrec <<'PY' && t_ok "log: the refusal's exact record" || t_bad "record: $(cat lrec)"
import json, sys
r = json.loads(open(sys.argv[1]).read())
want = {"kind": "refused", "attack": "unlogged-release", "code": "RAMPART_ENOTLOGGED",
        "message": "target 'app/app-2.0.0.tar.gz' is not in the log: entry 1 is past the end of a log of 1 entries"}
got = {k: r[k] for k in r if k in ("kind", "attack", "code", "message", "target", "version", "anomaly")}
assert got == want, got
assert r["seq"] == 2, r
PY
[ "$(active L)" = versions/1.0.0 ] && t_ok "log: 1.0.0 stays" || t_bad "active $(active L)"
rm -rf lrepo/public/log && mv newlog lrepo/public/log
t_run "log: once logged, the release installs" 0 - agent L.conf --once
[ "$(active L)" = versions/2.0.0 ] && t_ok "log: 2.0.0 active" || t_bad "active $(active L)"
# split view: the log served now is smaller than the checkpoint this
# endpoint verified and stored (a view that cannot extend the one seen)
mv lrepo/public/log newlog && cp -r oldlog lrepo/public/log
t_run "split view: the log shrank" 1 RAMPART_ESPLITVIEW agent L.conf --once
anomalies L >lsv
full L | tail -1 >>lsv
printf '%s\n' "anomaly anomaly=split-view id=ID message=the repository showed two views that cannot both be honest" \
    "refused attack=split-view code=RAMPART_ESPLITVIEW message=the log shrank from 2 to 1 entries" >lsv.want
t_same "split view: the anomaly and the refusal, exact" lsv lsv.want
ls L/md/tlog/split-view-*.txt >/dev/null 2>&1 && t_ok "split view: evidence kept" || t_bad "no split-view evidence"
[ "$(active L)" = versions/2.0.0 ] && t_ok "split view: 2.0.0 stays" || t_bad "active $(active L)"
rm -rf lrepo/public/log && mv newlog lrepo/public/log
t_run "log: the audit log verifies" 0 - "$RAMPART" audit verify --dir L/audit
# a policy whose quorum is another witness: the checkpoint is refused
printf 'log %s\nwitness w1 %s\nquorum w1\n' "$LOG_VKEY" \
    "$("$RAMPART" witness vkey --name witness.example/w1 --key other.key)" >qpolicy
chmod 0644 qpolicy
conf Q "log_policy = $T_WORK/qpolicy"
t_run "log: no quorum" 1 RAMPART_ENOQUORUM agent Q.conf --once
[ "$(full Q)" = "refused attack=unlogged-release code=RAMPART_ENOQUORUM message=checkpoint of 'example.com/log' is cosigned by 0 witnesses: no quorum" ] &&
    t_ok "log: no quorum recorded as refused/unlogged-release" || t_bad "records: $(kinds Q)"
[ -e Q/app/current ] && t_bad "log: no quorum installed something" || t_ok "log: nothing installed without a quorum"
# log_max_age: a checkpoint cosigned longer ago is a freeze
conf M "log_policy = $T_WORK/lpolicy" "log_max_age = 1"
sleep 2
t_run "log: a cosignature older than log_max_age" 1 RAMPART_ESTALE agent M.conf --once
full M >mk
grep -qx "refused attack=freeze code=RAMPART_ESTALE message=the newest cosignature of 'example.com/log' is [0-9]* s old, over 1 s" mk &&
    t_ok "log: recorded as refused/freeze" || t_bad "records: $(cat mk)"
conf M2 "log_policy = $T_WORK/lpolicy" "log_max_age = 86400"
t_run "log: within log_max_age" 0 - agent M2.conf --once
[ "$(active M2)" = versions/2.0.0 ] && t_ok "log: log_max_age 86400 installs" || t_bad "active $(active M2)"
# log_offline: the inclusion proven from the .tlog-proof served beside the
# release, the log itself out of reach (its folder no longer served)
conf LO "log_policy = $T_WORK/lpolicy" "log_offline = yes"
mv lrepo/public/log hidden-log
t_run "log_offline: installs from the tlog-proof" 0 - agent LO.conf --once
[ "$(active LO)" = versions/2.0.0 ] && t_ok "log_offline: 2.0.0 active" || t_bad "active $(active LO)"
for f in lrepo/public/targets/app/*app-2.0.0.tar.gz.tlog-proof; do
    cp lrepo/public/targets/app/app-1.0.0.tar.gz.tlog-proof "$f"
done
conf LO2 "log_policy = $T_WORK/lpolicy" "log_offline = yes"
t_run "log_offline: another release's proof" 1 RAMPART_ENOTLOGGED agent LO2.conf --once
[ "$(kinds LO2)" = "refused attack=unlogged-release code=RAMPART_ENOTLOGGED" ] &&
    t_ok "log_offline: recorded as refused/unlogged-release" || t_bad "records: $(kinds LO2)"
mv hidden-log lrepo/public/log
# the policy file says what to trust: S74's rule, and it must parse
chmod 0664 lpolicy
t_run "S74: a group-writable log_policy" 1 RAMPART_EPATH agent L.conf --once
chmod 0644 lpolicy
printf 'bogus line\n' >badpolicy
chmod 0644 badpolicy
conf BP "log_policy = $T_WORK/badpolicy"
t_run "log: a policy that does not parse" 1 RAMPART_EFORMAT agent BP.conf --once
w_stop || t_bad "witness stop"
t_done
