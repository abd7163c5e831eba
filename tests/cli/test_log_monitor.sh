#!/usr/bin/env bash
# test_log_monitor.sh - rampart log monitor: a log written per the
# publishing contract (tests/support/tools/tlogfix) from a real repository's
# metadata history; a clean log gives no alert (exit 0); an entry the
# repository never published gives exactly one "unpublished-entry" line
# naming its path and hashes (exit 1); a malformed entry, a forked log, a
# log rewritten at the same size and a log that shrank give their alerts
# and leave the state alone; entries that are not in the signed tree and
# unverifiable checkpoints are failures with their codes; over HTTP too.
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/lib/common.sh"
source "$here/lib/repo.sh"
source "$here/lib/witness.sh"
cd "$T_WORK" || exit 1

w_keys || { t_bad "keys"; t_done; exit 1; }
repo=$T_WORK/repo
r_init "$repo" || { t_bad "repo init"; t_done; exit 1; }
keys="--key $(K root key) --key $(K targets key) --key $(K snapshot key) --key $(K timestamp key)"
echo one >a; echo two >b; echo three >c
"$RAMPART" repo add "$repo" a --path app/a.tgz >/dev/null
# shellcheck disable=SC2086
"$RAMPART" repo publish "$repo" $keys >/dev/null || t_bad "publish 1"
"$RAMPART" repo add "$repo" b --path app/b.tgz >/dev/null
echo one-v2 >a
"$RAMPART" repo add "$repo" a --path app/a.tgz --replace >/dev/null
# shellcheck disable=SC2086
"$RAMPART" repo publish "$repo" $keys >/dev/null || t_bad "publish 2"

# The entries publish writes (docs/transparency.md "Publishing format"):
# one per target added or changed, in path order, with that version.
python3 - "$repo/public/metadata" entries <<'PY'
import json, os, re, sys
md, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
prev, n = {}, 0
vs = sorted(int(m.group(1)) for f in os.listdir(md) for m in [re.match(r"^(\d+)\.targets\.json$", f)] if m)
for v in vs:
    t = json.load(open(os.path.join(md, "%d.targets.json" % v)))["signed"]["targets"]
    for path in sorted(t, key=lambda p: p.encode()):
        if prev.get(path) == t[path]:
            continue
        e = {"hashes": t[path]["hashes"], "length": t[path]["length"], "path": path, "role": "targets",
             "type": "rampart.log-entry/v1", "version": v}
        n += 1
        open(os.path.join(out, "%03d" % n), "w").write(json.dumps(e, sort_keys=True, separators=(",", ":")))
    prev = t
PY
[ "$(ls entries | wc -l)" = 3 ] && t_ok "three entries (a v1; a and b v2)" || t_bad "entries: $(ls entries)"
"$TLOGFIX" append L example.com/log log.key entries/* >/dev/null
cp -r L L3

mon() { "$RAMPART" log monitor "$@" --repo "$repo" --log-key "$LOG_VKEY"; }

t_run "clean log: no alert, exit 0" 0 - mon L --state s1
[ -s out ] && t_bad "clean log printed: $(cat out)" || t_ok "nothing on stdout"
head -n 3 L/checkpoint >want
t_same "state: the checkpoint of size 3" s1 want
t_run "second poll, nothing new: exit 0" 0 - mon L --state s1

# An entry the repository never published (right shape, real role and version).
printf '{"hashes":{"sha256":"%s"},"length":7,"path":"app/evil.tgz","role":"targets","type":"rampart.log-entry/v1","version":2}' \
    "$(printf evil | sha256sum | cut -c1-64)" >evil
"$TLOGFIX" append L example.com/log log.key evil >/dev/null
t_run "an unpublished entry: exit 1" 1 - mon L --state s1
python3 - evil out <<'PY' && t_ok "exactly one unpublished-entry line naming path and hashes" || t_bad "alert: $(cat out)"
import hashlib, json, sys
e = open(sys.argv[1], "rb").read()
want = {"alert": "unpublished-entry", "entry": json.loads(e), "entry_sha256": hashlib.sha256(e).hexdigest(),
        "index": 3, "origin": "example.com/log", "reason": "version 2 of role 'targets' does not list the path",
        "tree_size": 4}
got = open(sys.argv[2]).read()
sys.exit(0 if got == json.dumps(want, sort_keys=True, separators=(",", ":")) + "\n" else 1)
PY
grep -q "1 alert" err && t_ok "stderr counts one alert" || t_bad "stderr: $(cat err)"
t_run "the next poll does not repeat it" 0 - mon L --state s1

# Published path, other hashes; a version the repository never had; not JSON.
sed 's/app\/evil.tgz/app\/a.tgz/' evil >evil2
sed 's/"version":2/"version":9/' evil >evil3
printf 'not json' >evil4
"$TLOGFIX" append L example.com/log log.key evil2 evil3 evil4 >/dev/null
t_run "three bad entries: exit 1" 1 - mon L --state s1
[ "$(wc -l <out)" = 3 ] && t_ok "three alert lines" || t_bad "alerts: $(cat out)"
python3 - out <<'PY' && t_ok "each alert's kind, index and reason" || t_bad "alerts: $(cat out)"
import json, sys
a = [json.loads(l) for l in open(sys.argv[1])]
want = [("unpublished-entry", 4, "version 2 of role 'targets' lists the path with other hashes or length"),
        ("unpublished-entry", 5, "the repository has no version 9 of role 'targets'"),
        ("malformed-entry", 6, "the entry is not JSON")]
sys.exit(0 if [(x["alert"], x["index"], x["reason"]) for x in a] == want and "entry" not in a[2] else 1)
PY
cp s1 s7

# A fork: the log at size 3, then other entries up to size 8.
cp -r L3 F
printf 'x1' >x1; printf 'x2' >x2
"$TLOGFIX" append F example.com/log log.key x1 x2 x1 x2 x1 >/dev/null
t_run "a forked log: split view, exit 1" 1 RAMPART_ESPLITVIEW mon F --state s1
python3 - out <<'PY' && t_ok "one split-view alert with both sizes" || t_bad "alert: $(cat out)"
import json, sys
l = open(sys.argv[1]).read().splitlines()
a = json.loads(l[0])
sys.exit(0 if len(l) == 1 and a["alert"] == "split-view" and a["old_size"] == 7 and a["tree_size"] == 8 else 1)
PY
t_same "the state is left as it was" s1 s7
# The same size with another root.
cp -r L3 G
"$TLOGFIX" append G example.com/log log.key x1 x2 x1 x2 >/dev/null
t_run "another root at the same size: split view" 1 RAMPART_ESPLITVIEW mon G --state s1
grep -q '"alert":"split-view"' out && t_ok "split-view line" || t_bad "alert: $(cat out)"
# The log shrank.
"$TLOGFIX" shrink L example.com/log log.key 5
t_run "a log that shrank: alert, exit 1" 1 RAMPART_ESPLITVIEW mon L --state s1
grep -q '"alert":"log-shrank".*"old_size":7' out && grep -q '"tree_size":5' out && t_ok "log-shrank line" ||
    t_bad "alert: $(cat out)"
t_same "the state is still size 7" s1 s7

# Failures that are not alerts: a checkpoint signed by another key, a
# policy whose witness did not cosign, an entry bundle that is not the
# signed tree's.
cp -r L3 H
"$TLOGFIX" append H example.com/log other.key >/dev/null
t_run "a checkpoint the log key did not sign: ENOQUORUM" 1 RAMPART_ENOQUORUM mon H --state s2
printf 'log %s\nwitness w1 %s\nquorum w1\n' "$LOG_VKEY" "$W_VKEY" >policy
t_run "a policy whose witness did not cosign: ENOQUORUM" 1 RAMPART_ENOQUORUM \
    "$RAMPART" log monitor L3 --repo "$repo" --state s2 --policy policy
cp -r L3 T
python3 - T/tile/entries/000.p/3 <<'PY'
import sys
p = sys.argv[1]; b = bytearray(open(p, "rb").read()); b[-2] ^= 1; open(p, "wb").write(b)
PY
t_run "an entry bundle that is not the signed tree's: ENOTLOGGED" 1 RAMPART_ENOTLOGGED mon T --state s3
t_absent "no state after a failed first poll" s3

# Over HTTP.
r_serve "$T_WORK" || t_bad "http server"
t_run "over HTTP: clean log, exit 0" 0 - mon "http://127.0.0.1:$R_PORT/L3/" --state s4
t_same "over HTTP: the state" s4 <(head -n 3 L3/checkpoint)
t_run "over HTTP: no log there: ENOTFOUND" 1 RAMPART_ENOTFOUND mon "http://127.0.0.1:$R_PORT/nothing" --state s5
r_stop

# Command line.
t_run "no --repo: usage" 2 - "$RAMPART" log monitor L --state s --log-key "$LOG_VKEY"
t_run "both --policy and --log-key: usage" 2 - "$RAMPART" log monitor L --repo "$repo" --state s \
    --log-key "$LOG_VKEY" --policy policy
t_run "log monitor --help" 0 - "$RAMPART" log monitor --help
t_done
