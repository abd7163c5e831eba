#!/usr/bin/env bash
# test_repo_log_crash.sh - a publish with the transparency log interrupted at
# each of its steps (RAMPART_TEST_CRASH_AFTER=N in builds with
# RAMPART_CRASHPOINTS, as test_repo_crash.sh): the log's own steps (10: tiles
# written, 11: checkpoint committed, 13: cosigned by the witness, 12: tiles
# and proofs served) and the publish's (0-7).  After every crash, every
# target the served metadata lists has its entry in the served log (a
# target is never served without its log entry), the next publish finishes,
# and at the end every checkpoint ever served is a prefix of the final log
# (the log never forks).
here=$(cd "$(dirname "$0")/.." && pwd)
if [ "${RAMPART_HAS_CRASHPOINTS:-1}" != 1 ]; then
    echo "skipped: this build has no crash hooks (RAMPART_CRASHPOINTS is off, as in release)"
    exit 77
fi
source "$here/lib/common.sh"
source "$here/lib/repo.sh"
source "$here/lib/tlog.sh"
: "${RAMPART:?}"
cd "$T_WORK" || exit 1
python3 -c 'import cryptography' 2>/dev/null || t_skip "python3 cryptography (the witness double) is missing"

repo=$T_WORK/repo
r_init "$repo" || t_bad "init"
r_keys_of ed25519 log
"$RAMPART" repo log "$repo" --init --origin example.com/crash --key "$(K log pub)" >vkey || t_bad "log init"
w_start w1.example 1 "$(cat vkey)" || exit 1
printf 'witness w1 %s %s\nquorum w1\n' "${W_VKEY[1]}" "${W_URL[1]}" >witnesses
"$RAMPART" repo log "$repo" --witnesses witnesses >/dev/null || t_bad "witnesses"
keys() { echo --key "$(K root key)" --key "$(K targets key)" --key "$(K snapshot key)" --key "$(K timestamp key)" --key "$(K log key)"; }
echo v0 >f0
"$RAMPART" repo add "$repo" f0 --path rel/base >/dev/null
# shellcheck disable=SC2046
"$RAMPART" repo publish "$repo" $(keys) >/dev/null 2>&1 || t_bad "first publish"

# served_ok: every target of the served targets metadata has its entry (the
# one its metadata gives) in the served log, and the log's tiles agree;
# appends the served checkpoint's size and root to `history`
served_ok() {
    l_check_log "$repo/public/log" >/dev/null || return 1
    python3 - "$repo/public" <<'PY' >>history
import base64, json, os, sys
pub = sys.argv[1]
md = os.path.join(pub, "metadata")
ts = json.load(open(os.path.join(md, "timestamp.json")))["signed"]
sv = ts["meta"]["snapshot.json"]["version"]
snap = json.load(open(os.path.join(md, "%d.snapshot.json" % sv)))["signed"]
tv = snap["meta"]["targets.json"]["version"]
targets = json.load(open(os.path.join(md, "%d.targets.json" % tv)))["signed"]["targets"]
lines = open(os.path.join(pub, "log", "checkpoint"), "rb").read().split(b"\n")
size, root = int(lines[1]), lines[2].decode()
def entry(i):
    t, w = i // 256, min(256, size - i // 256 * 256)
    b = open(os.path.join(pub, "log", "tile", "entries", "%03d" % t + ("" if w == 256 else ".p/%d" % w)), "rb").read()
    at = 0
    for k in range(i % 256 + 1):
        n = int.from_bytes(b[at:at + 2], "big")
        e, at = b[at + 2:at + 2 + n], at + 2 + n
    return e
for path, t in targets.items():
    pos = t["custom"]["rampart_log"]
    assert pos["index"] < size, "%s: index %d, log size %d" % (path, pos["index"], size)
    want = json.dumps({"hashes": t["hashes"], "length": t["length"], "path": path, "role": "targets",
                       "type": "rampart.log-entry/v1", "version": pos["version"]},
                      sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    assert entry(pos["index"]) == want, "%s: entry %d differs" % (path, pos["index"])
print(size, root)
PY
}
served_ok && t_ok "first release logged" || t_bad "first release"

for step in 10 11 13 12 0 1 2 3 4 5 6 7; do
    echo "release $step" >"f$step"
    "$RAMPART" repo add "$repo" "f$step" --path "rel/f$step" >/dev/null || t_bad "add $step"
    # shellcheck disable=SC2046
    RAMPART_TEST_CRASH_AFTER=$step "$RAMPART" repo publish "$repo" $(keys) >/dev/null 2>&1
    st=$?
    [ $st -eq 99 ] && t_ok "publish interrupted after step $step" ||
        t_bad "step $step: exit $st, expected the simulated crash (99)"
    served_ok && t_ok "every served target is logged after a crash at step $step" ||
        t_bad "a served target without its entry after step $step"
    # shellcheck disable=SC2046
    t_run "the next publish finishes step $step" 0 - "$RAMPART" repo publish "$repo" $(keys)
    served_ok && t_ok "release $step logged and served" || t_bad "release $step"
    grep -q "\"rel/f$step\"" "$repo"/public/metadata/timestamp.json "$repo"/public/metadata/*.targets.json &&
        t_ok "rel/f$step published" || t_bad "rel/f$step not published"
    n=$(grep -c "\"path\":\"rel/f$step\"" "$repo"/public/log/tile/entries/*.p/* 2>/dev/null | awk -F: '{s+=$2} END {print s}')
    [ "$n" -ge 1 ] && t_ok "rel/f$step has its entry" || t_bad "rel/f$step: no entry"
done

# the log never forked: every checkpoint served is a prefix of the final log
python3 - "$repo/public/log" history <<'PY' && t_ok "every served checkpoint is a prefix of the final log" ||
import base64, hashlib, os, sys
d, hist = sys.argv[1], sys.argv[2]
size = int(open(os.path.join(d, "checkpoint"), "rb").read().split(b"\n")[1])
w = size if size < 256 else 256
b = open(os.path.join(d, "tile", "0", "000" + ("" if w == 256 else ".p/%d" % w)), "rb").read()
leaves = [b[i:i + 32] for i in range(0, len(b), 32)]
def mth(hs):
    if len(hs) == 1:
        return hs[0]
    k = 1
    while k * 2 < len(hs):
        k *= 2
    return hashlib.sha256(b"\1" + mth(hs[:k]) + mth(hs[k:])).digest()
for line in open(hist):
    n, root = line.split()
    assert mth(leaves[:int(n)]) == base64.b64decode(root), "checkpoint of size %s is not a prefix" % n
PY
    t_bad "a served checkpoint is not a prefix of the final log: $(cat history)"
w_stop_all
t_done
