#!/usr/bin/env bash
# test_repo_refresh.sh - a repository that cannot lapse by accident:
# `rampart repo refresh` (every role inside its renewal window) keeps a
# client updating across simulated weeks (faketime), renewing the
# timestamp, the snapshot and a delegated role whose key it is given;
# refresh-timestamp alone over an expiring snapshot is refused with
# RAMPART_EEXPIRED and writes nothing; `repo status` exits 0 (fine), 1
# (expiring, weak settings), 2 (expired) and 3 (unreadable); and every
# --json output (status, list) is parsed and checked field by field.
# key types: ed25519 ecdsa rsa
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/lib/common.sh"
source "$here/lib/repo.sh"
: "${RAMPART:?}"
command -v faketime >/dev/null || t_skip "faketime is not installed"
cd "$T_WORK" || exit 1
repo=$T_WORK/repo

# unchanged NAME EXIT CODE CMD...: fails as expected with a one-line
# message, and the repository keeps every byte
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

# at OFFSET CMD...: CMD with the clock moved by OFFSET (faketime, e.g. +8d)
# (An ASan build must accept libfaketime ahead of its runtime.)
at() {
    local off=$1
    shift
    env "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" faketime -f "$off" "$@"
}

# client_at OFFSET CMD...: r_client cl, with the clock moved by OFFSET
client_at() {
    local off=$1
    shift
    env "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" faketime -f "$off" "$RAMPART" client --metadata-dir cl --metadata-url "http://127.0.0.1:$R_PORT/metadata/" \
        --target-base-url "http://127.0.0.1:$R_PORT/targets/" --target-dir cl.dl "$@"
}

# json_check NAME PYTHON: $T_WORK/out parses as JSON (d) and the Python
# statements (asserts) hold
json_check() {
    if python3 -c 'import json,sys,re; d=json.load(open(sys.argv[1])); exec(sys.argv[2])' "$T_WORK/out" "$2" \
        2>"$T_WORK/pyerr"; then
        t_ok "$1"
    else
        t_bad "$1: $(tail -1 "$T_WORK/pyerr")"
        sed 's/^/    | /' "$T_WORK/out" | head -40
    fi
}

# field FILE EXPR: a value of a metadata file (python expression over d)
field() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
served_version() { field "$repo/public/metadata/timestamp.json" 'd["signed"]["version"]'; }
snapshot_version() { field "$repo/public/metadata/timestamp.json" 'd["signed"]["meta"]["snapshot.json"]["version"]'; }
dev_version() { field "$repo/public/metadata/$(snapshot_version).snapshot.json" 'd["signed"]["meta"]["dev.json"]["version"]'; }

# A repository without weak settings (root and targets need 2 keys each),
# with delegated roles "dev" and "qa" that live 4 days.
r_keys root1 root2 targets1 targets2 snapshot timestamp dev qa
t_run "init" 0 - "$RAMPART" repo init "$repo" --root-key "$(K root1 pub)" --root-key "$(K root2 pub)" \
    --root-threshold 2 --targets-key "$(K targets1 pub)" --targets-key "$(K targets2 pub)" --targets-threshold 2 \
    --snapshot-key "$(K snapshot pub)" --timestamp-key "$(K timestamp pub)" --delegated-expires 4
online="--key $(K snapshot key) --key $(K timestamp key)"

t_run "refresh before anything is published" 1 RAMPART_EINVAL "$RAMPART" repo refresh "$repo" $online
grep -qxF "rampart: repo refresh: nothing is published yet: run publish first [RAMPART_EINVAL]" "$T_WORK/err" &&
    t_ok "refresh: says nothing is published" || t_bad "err: $(cat "$T_WORK/err")"
# status before the first publish: warnings (snapshot, timestamp not published, root changed)
t_run "status before publish: warnings" 1 - "$RAMPART" repo status "$repo"
grep -qxF "rampart: repo status: warning: snapshot: not published yet" "$T_WORK/err" && t_ok "status: not published yet" ||
    t_bad "err: $(cat "$T_WORK/err")"

mkdir -p dist
printf 'app 1\n' >dist/app-1.tgz
printf 'dev 1\n' >dist/dev-1.tgz
"$RAMPART" repo delegate "$repo" --name dev --key "$(K dev pub)" --paths 'dev/*' >/dev/null ||
    t_bad "delegate dev"
"$RAMPART" repo delegate "$repo" --name qa --key "$(K qa pub)" --paths 'qa/*' >/dev/null || t_bad "delegate qa"
"$RAMPART" repo add "$repo" dist/app-1.tgz --path app-1.tgz --custom '{"channel":"stable"}' >/dev/null ||
    t_bad "add app"
"$RAMPART" repo add "$repo" dist/dev-1.tgz --path dev/dev-1.tgz --role dev >/dev/null || t_bad "add dev"
t_run "publish" 0 - "$RAMPART" repo publish "$repo" --key "$(K root1 key)" --key "$(K root2 key)" \
    --key "$(K targets1 key)" --key "$(K targets2 key)" --key "$(K dev key)" --key "$(K qa key)" $online

# 1. repo status: exit status by severity, and --json
t_run "status: all fine" 0 - "$RAMPART" repo status "$repo"
[ ! -s "$T_WORK/err" ] && t_ok "status fine: no warning" || t_bad "err: $(cat "$T_WORK/err")"
t_run "status --json: all fine" 0 - "$RAMPART" repo status "$repo" --json
[ ! -s "$T_WORK/err" ] && t_ok "status --json: nothing on stderr" || t_bad "err: $(cat "$T_WORK/err")"
json_check "status --json: fields, all fine" '
rfc = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
assert list(d) == ["time", "warn_days", "status", "roles", "warnings"], list(d)
assert rfc.match(d["time"]) and d["warn_days"] == 14 and d["status"] == "ok" and d["warnings"] == []
want = {"root": (2, 2), "targets": (2, 2), "snapshot": (1, 1), "timestamp": (1, 1), "dev": (1, 1), "qa": (1, 1)}
assert [r["name"] for r in d["roles"]] == ["root", "targets", "snapshot", "timestamp", "dev", "qa"], d["roles"]
for r in d["roles"]:
    assert list(r) == ["name", "bins", "version", "published_version", "expires", "changed", "keys", "threshold",
                       "signatures", "status"], list(r)
    k, t = want[r["name"]]
    assert (r["keys"], r["threshold"], r["signatures"]) == (k, t, t), r
    assert r["bins"] == 0 and r["changed"] is False and r["status"] == "ok", r
    assert r["version"] == r["published_version"] == 1, r
    assert rfc.match(r["expires"]), r
'
meta=$repo/public/metadata
for role in timestamp snapshot; do
    f=$meta/timestamp.json
    [ "$role" = snapshot ] && f=$meta/1.snapshot.json
    want=$(field "$f" 'd["signed"]["expires"]')
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print([r["expires"] for r in d["roles"] if r["name"]==sys.argv[2]][0])' \
        "$T_WORK/out" "$role" >got.txt
    [ "$(cat got.txt)" = "$want" ] && t_ok "status --json: $role expires as signed ($want)" ||
        t_bad "status --json: $role expires $(cat got.txt), signed $want"
done
t_run "status -q: nothing when fine" 0 - "$RAMPART" repo status "$repo" -q
[ ! -s "$T_WORK/out" ] && [ ! -s "$T_WORK/err" ] && t_ok "status -q: silent" || t_bad "out: $(cat "$T_WORK/out")"
# +20 hours: the timestamp has 4 of its 24 hours left: expiring (warning)
t_run "status at +20h: expiring" 1 - at +20h "$RAMPART" repo status "$repo"
grep -q "^rampart: repo status: warning: timestamp: expires soon, at $(field "$meta/timestamp.json" 'd["signed"]["expires"]')\$" \
    "$T_WORK/err" && [ "$(wc -l <"$T_WORK/err")" -eq 1 ] && t_ok "status at +20h: one warning, the timestamp" ||
    t_bad "err: $(cat "$T_WORK/err")"
t_run "status --json at +20h" 1 - at +20h "$RAMPART" repo status "$repo" --json
json_check "status --json at +20h: warning" '
assert d["status"] == "warning", d["status"]
st = {r["name"]: r["status"] for r in d["roles"]}
assert st == {"root": "ok", "targets": "ok", "snapshot": "ok", "timestamp": "warning", "dev": "ok", "qa": "ok"}, st
assert len(d["warnings"]) == 1 and d["warnings"][0].startswith("timestamp: expires soon, at "), d["warnings"]
'
# +8 days: timestamp, snapshot, dev and qa have expired (error)
t_run "status at +8d: expired" 2 - at +8d "$RAMPART" repo status "$repo"
for role in snapshot timestamp dev qa; do
    grep -q "^rampart: repo status: warning: $role: EXPIRED at " "$T_WORK/err" && t_ok "status at +8d: $role EXPIRED" ||
        t_bad "err: $(cat "$T_WORK/err")"
done
t_run "status --json at +8d" 2 - at +8d "$RAMPART" repo status "$repo" --json
json_check "status --json at +8d: error" '
assert d["status"] == "error", d["status"]
st = {r["name"]: r["status"] for r in d["roles"]}
assert st == {"root": "ok", "targets": "ok", "snapshot": "error", "timestamp": "error", "dev": "error", "qa": "error"}, st
assert sorted(w.split(":")[0] for w in d["warnings"]) == ["dev", "qa", "snapshot", "timestamp"], d["warnings"]
'
t_run "status: a repository that cannot be read" 3 RAMPART_ENOTFOUND "$RAMPART" repo status "$T_WORK/nope"
t_run "status --json: a repository that cannot be read" 3 RAMPART_ENOTFOUND "$RAMPART" repo status "$T_WORK/nope" --json
[ ! -s "$T_WORK/out" ] && t_ok "status --json: no JSON when it cannot read" || t_bad "out: $(cat "$T_WORK/out")"

# 2. repo list --json
t_run "list --json" 0 - "$RAMPART" repo list "$repo" --json
json_check "list --json: fields" '
import hashlib
assert list(d) == ["targets"], list(d)
ts = d["targets"]
assert [t["path"] for t in ts] == ["app-1.tgz", "dev/dev-1.tgz"], ts
for t, src, role, custom in ((ts[0], "dist/app-1.tgz", "targets", {"channel": "stable"}),
                             (ts[1], "dist/dev-1.tgz", "dev", None)):
    assert list(t) == ["path", "length", "sha256", "role", "custom"], list(t)
    b = open(src, "rb").read()
    assert t["length"] == len(b) and t["sha256"] == hashlib.sha256(b).hexdigest(), t
    assert t["role"] == role and t["custom"] == custom, t
'
t_run "list --json --role dev" 0 - "$RAMPART" repo list "$repo" --json --role dev
json_check "list --json --role dev: one target" 'assert [t["path"] for t in d["targets"]] == ["dev/dev-1.tgz"], d'

# 3. refresh-timestamp alone over a snapshot that expires first: refused
unchanged "refresh-timestamp at +8d: snapshot expired" 1 RAMPART_EEXPIRED at +8d "$RAMPART" repo \
    refresh-timestamp "$repo" --key "$(K timestamp key)"
grep -qE "^rampart: repo refresh-timestamp: snapshot version 1 expires at [0-9T:Z-]+, before the new timestamp would \([0-9T:Z-]+\): renew the snapshot too \(rampart repo refresh with the snapshot key\) \[RAMPART_EEXPIRED\]\$" \
    "$T_WORK/err" && t_ok "refresh-timestamp: the message names the snapshot" || t_bad "err: $(cat "$T_WORK/err")"
# at +6.5 days the snapshot (7 days) would expire before a new timestamp (1 day)
unchanged "refresh-timestamp at +156h: the snapshot would expire first" 1 RAMPART_EEXPIRED at +156h "$RAMPART" \
    repo refresh-timestamp "$repo" --key "$(K timestamp key)"
t_run "refresh-timestamp at +5d: allowed" 0 - at +5d "$RAMPART" repo refresh-timestamp "$repo" \
    --key "$(K timestamp key)" -q
[ ! -s "$T_WORK/out" ] && t_ok "refresh-timestamp -q: silent" || t_bad "out: $(cat "$T_WORK/out")"
[ "$(served_version)" = 2 ] && t_ok "refresh-timestamp: timestamp version 2" || t_bad "timestamp $(served_version)"

# 4. refresh: usage, nothing due, window
t_run "refresh without --key" 2 - "$RAMPART" repo refresh "$repo"
for w in 0 101 x; do
    unchanged "refresh --window $w" 2 - "$RAMPART" repo refresh "$repo" --window "$w" $online
done
r_fingerprint "$repo" >before.txt
t_run "refresh: nothing due" 0 - "$RAMPART" repo refresh "$repo" $online
grep -qxF "nothing to renew: no role is inside its renewal window" "$T_WORK/out" && t_ok "refresh: says nothing due" ||
    t_bad "out: $(cat "$T_WORK/out")"
r_fingerprint "$repo" >after.txt
t_same "refresh with nothing due writes nothing" before.txt after.txt
t_run "refresh --window 100: renews the online roles now" 0 - "$RAMPART" repo refresh "$repo" $online --window 100
grep -qxF "renewed snapshot version 2, timestamp version 3" "$T_WORK/out" && t_ok "refresh --window 100: versions" ||
    t_bad "out: $(cat "$T_WORK/out")"

# 5. a due snapshot without its key: the timestamp is renewed, then EBADSIG
t_run "refresh at +4d without the snapshot key" 1 RAMPART_EBADSIG at +4d "$RAMPART" repo refresh "$repo" \
    --key "$(K timestamp key)"
grep -qE "^rampart: repo refresh: snapshot version 2 expires at [0-9T:Z-]+, inside its renewal window, and no snapshot key was given \[RAMPART_EBADSIG\]\$" \
    "$T_WORK/err" && t_ok "refresh: names the snapshot without its key" || t_bad "err: $(cat "$T_WORK/err")"
[ "$(served_version)" = 4 ] && [ "$(snapshot_version)" = 2 ] && t_ok "refresh: timestamp renewed, snapshot kept" ||
    t_bad "timestamp $(served_version), snapshot $(snapshot_version)"

# 6. weeks of an hourly refresh (simulated a day at a time): the client keeps
# updating; dev (4 days) is renewed with its key; qa, with a staged edit,
# is not (a notice says so): refresh never publishes pending edits.
r_serve "$repo/public" || { t_done; exit 1; }
"$RAMPART" client --metadata-dir cl init "$meta/1.root.json" >/dev/null || t_bad "client init"
t_run "client at +0" 0 - r_client cl --target-name dev/dev-1.tgz download
printf 'qa 1\n' >dist/qa-1.tgz
"$RAMPART" repo add "$repo" dist/qa-1.tgz --path qa/qa-1.tgz --role qa >/dev/null || t_bad "add qa-1 (staged)"
ok=1
notice="rampart: repo refresh: qa: inside its renewal window, but qa has unpublished changes: not renewed (publish them)"
days=$(seq 1 21)
# Under valgrind (scripts/valgrind), where each run is slow, seven of the
# days, still past every role's expiry (timestamp 1, snapshot 7, delegated 4).
[ -n "${RAMPART_UNDER_VALGRIND:-}" ] && days="1 2 5 8 9 15 21"
# Day d runs at d days and d minutes: dev's period (4 days) is twice the step,
# so at whole days its renewal point (under 2 days left) would fall on the
# step itself, within the seconds a run takes, and whether dev is renewed
# that day would depend on the machine's speed.  A minute more per day puts
# every renewal two steps after the last, so dev ends +21d with more than 3
# days left, whatever the speed.
for d in $days; do
    off="+$((d * 1440 + d))m"
    if ! at "$off" "$RAMPART" repo refresh "$repo" -q $online --key "$(K dev key)" --key "$(K qa key)" \
        >out.txt 2>err.txt; then
        ok=0; t_bad "refresh at +${d}d: $(cat err.txt)"; break
    fi
    [ ! -s out.txt ] || { ok=0; t_bad "refresh -q at +${d}d printed: $(cat out.txt)"; }
    grep -qvxF "$notice" err.txt && { ok=0; t_bad "refresh at +${d}d: stderr $(cat err.txt)"; }
    if ! at "$off" "$RAMPART" client --metadata-dir cl --metadata-url "http://127.0.0.1:$R_PORT/metadata/" \
        refresh >cout.txt 2>cerr.txt; then
        ok=0; t_bad "client at +${d}d: $(cat cerr.txt)"; break
    fi
done
[ "$ok" = 1 ] && t_ok "21 simulated days of refresh: the client updated every day"
grep -qxF "$notice" err.txt && t_ok "refresh: notice for qa and its staged edit" || t_bad "err: $(cat err.txt)"
rm -f cl.dl/dev/dev-1.tgz
t_run "client at +21d: the dev target" 0 - client_at +21d --target-name dev/dev-1.tgz download
t_same "client at +21d: dev bytes" cl.dl/dev/dev-1.tgz dist/dev-1.tgz
t_run "status at +21d: qa's staged edit, qa expired" 2 - at +21d "$RAMPART" repo status "$repo" --json
json_check "status --json at +21d" '
st = {r["name"]: (r["status"], r["changed"]) for r in d["roles"]}
assert st["qa"] == ("error", True) and st["dev"] == ("ok", False) and st["targets"] == ("ok", False), st
assert st["snapshot"] == ("ok", False) and st["timestamp"] == ("ok", False), st
'
dv=$(dev_version)
[ "$dv" -ge 5 ] && t_ok "dev renewed with its key (version $dv)" || t_bad "dev version $dv"
qv=$(field "$repo/public/metadata/$(snapshot_version).snapshot.json" 'd["signed"]["meta"]["qa.json"]["version"]')
[ "$qv" = 1 ] && t_ok "qa's staged edit not published" || t_bad "qa version $qv"
# a staged edit of dev's delegator (targets) keeps dev as it is, too
printf 'app 2\n' >dist/app-2.tgz
"$RAMPART" repo add "$repo" dist/app-2.tgz --path app-2.tgz >/dev/null || t_bad "add app-2 (staged)"
t_run "refresh at +22d, targets staged" 0 - at +22d "$RAMPART" repo refresh "$repo" $online --key "$(K dev key)" \
    --window 100
grep -qxF "rampart: repo refresh: dev: inside its renewal window, but targets has unpublished changes: not renewed (publish them)" \
    "$T_WORK/err" && t_ok "refresh: notice for dev and the staged targets" || t_bad "err: $(cat "$T_WORK/err")"
[ "$(dev_version)" = "$dv" ] && t_ok "dev kept at version $dv" || t_bad "dev version $(dev_version)"
t_run "client at +22d: the staged app-2 is not published" 1 RAMPART_ENOTFOUND client_at +22d \
    --target-name app-2.tgz download
# without the dev key, dev is not renewed: at +30d it has expired for clients
t_run "refresh at +30d without the dev key" 0 - at +30d "$RAMPART" repo refresh "$repo" $online -q
t_run "client at +30d: dev expired" 1 RAMPART_EEXPIRED client_at +30d --target-name dev/dev-1.tgz download
t_run "status at +30d: dev expired" 2 - at +30d "$RAMPART" repo status "$repo"

# 7. a timestamp period longer than the snapshot's: refused, nothing written
t_run "timestamp period 8 days" 0 - "$RAMPART" repo rotate "$repo" --role timestamp --expires 8
unchanged "refresh-snapshot: the timestamp would outlive the snapshot" 1 RAMPART_EEXPIRED "$RAMPART" repo \
    refresh-snapshot "$repo" $online
grep -q "the timestamp's expiry period is longer than the snapshot's (rampart repo rotate --expires) \[RAMPART_EEXPIRED\]\$" \
    "$T_WORK/err" && t_ok "refresh-snapshot: names the periods" || t_bad "err: $(cat "$T_WORK/err")"
unchanged "refresh: the timestamp would outlive the snapshot" 1 RAMPART_EEXPIRED at +30d "$RAMPART" repo refresh \
    "$repo" $online

# 8. hash bins whose key is given are renewed (all bins of the set), and
# status --json sums the set up in one entry
repo2=$T_WORK/repo2
r_keys bins
t_run "init with 4 bins (2 days)" 0 - "$RAMPART" repo init "$repo2" --root-key "$(K root1 pub)" \
    --targets-key "$(K targets1 pub)" --snapshot-key "$(K snapshot pub)" --timestamp-key "$(K timestamp pub)" \
    --bins 4 --bins-key "$(K bins pub)" --delegated-expires 2
"$RAMPART" repo add "$repo2" dist/app-1.tgz --path app-1.tgz >/dev/null || t_bad "repo2: add"
t_run "repo2: publish" 0 - "$RAMPART" repo publish "$repo2" --key "$(K root1 key)" --key "$(K targets1 key)" \
    --key "$(K bins key)" $online
t_run "repo2: refresh at +37h with the bins key" 0 - at +37h "$RAMPART" repo refresh "$repo2" $online \
    --key "$(K bins key)"
grep -qxF "renewed 4 targets role(s), snapshot version 2, timestamp version 2" "$T_WORK/out" &&
    t_ok "repo2: the 4 bins renewed" || t_bad "out: $(cat "$T_WORK/out")"
t_run "repo2: status --json at +37h" 1 - at +37h "$RAMPART" repo status "$repo2" --json
json_check "repo2: status --json: the bins entry" '
b = [r for r in d["roles"] if r["name"] == "bins-*"]
assert len(b) == 1, d["roles"]
b = b[0]
assert (b["bins"], b["version"], b["published_version"], b["changed"], b["status"]) == (4, 2, 2, False, "ok"), b
assert (b["keys"], b["threshold"], b["signatures"]) == (1, 1, 1), b
assert d["status"] == "warning" and all(w.split(":")[0] in ("root", "targets") for w in d["warnings"]), d
'
t_done
