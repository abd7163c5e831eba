#!/usr/bin/env bash
# test_client_tlog.sh - the client refuses what is not logged
# (docs/transparency.md, "What the endpoint checks"): a repository made by
# `rampart repo` whose targets carry custom.rampart_log, a log folder built
# by tests/support/tools/mktlog (signed by a test log key, cosigned by test
# witnesses, 2-of-3 policy), both served by nginx on loopback, whose access
# log gives the requests the client made.  Every refusal is checked with its
# exact code; the split-view evidence file byte for byte.
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/lib/common.sh"
source "$here/lib/repo.sh"
source "$here/lib/nginx.sh"
: "${RAMPART:?}" "${MKTLOG:?}"
[ -x "$(nginx_bin)" ] || t_skip "nginx is not installed"
cd "$T_WORK" || exit 1
repo=$T_WORK/repo
now=$(date +%s)
fresh=$((now - 60))

"$MKTLOG" keys tk >/dev/null || { t_bad "mktlog keys"; t_done; exit 1; }
r_init "$repo" || t_bad "repo init"
printf 'app 1\n' >app.tgz
printf 'plain\n' >plain.tgz
printf 'bad hash\n' >badhash.tgz
printf 'wrong index\n' >wrongidx.tgz
printf 'not in log\n' >notin.tgz
sha() { sha256sum "$1" | cut -d' ' -f1; }
len() { stat -c %s "$1"; }
entry() { # FILE PATH [SHA]: the log entry of a target of role targets, version 1
    printf '{"hashes":{"sha256":"%s"},"length":%s,"path":"%s","role":"targets","type":"rampart.log-entry/v1","version":1}\n' \
        "${3:-$(sha "$1")}" "$(len "$1")" "$2"
}
custom() { printf '{"rampart_log":{"index":%s,"version":1}}' "$1"; }
# Entries 300.. of the log; the rest are fillers.
{
    entry app.tgz app.tgz                                   # 300
    entry badhash.tgz badhash.tgz "$(sha app.tgz)"          # 301: the log has other hashes
    entry wrongidx.tgz wrongidx.tgz                         # 302: metadata says 303
} >entries
"$RAMPART" repo add "$repo" app.tgz --path app.tgz --custom "$(custom 300)" >/dev/null &&
    "$RAMPART" repo add "$repo" badhash.tgz --path badhash.tgz --custom "$(custom 301)" >/dev/null &&
    "$RAMPART" repo add "$repo" wrongidx.tgz --path wrongidx.tgz --custom "$(custom 303)" >/dev/null &&
    "$RAMPART" repo add "$repo" notin.tgz --path notin.tgz --custom "$(custom 5000)" >/dev/null &&
    "$RAMPART" repo add "$repo" plain.tgz --path plain.tgz >/dev/null || t_bad "repo add"
t_run "publish" 0 - "$RAMPART" repo publish "$repo" --key "$(K root key)" --key "$(K targets key)" \
    --key "$(K snapshot key)" --key "$(K timestamp key)"
pub=$repo/public

# mklog ARGS...: the served log, rebuilt (fillers 0..299, the entries, fillers after)
mklog() {
    rm -rf "$pub/log"
    "$MKTLOG" build tk "$pub/log" --fill 300 --entries entries "$@" >/dev/null || t_bad "mktlog build $*"
}
mklog --more 400 --cosign 1,2 --time "$fresh" # 703 entries
nginx_start "$pub" || { t_bad "nginx"; t_done; exit 1; }
T_CLEANUP+=(nginx_stop)
acc=$NGINX_DIR/access.log

# log_requests: the log requests since the last call ("PATH STATUS BYTES"),
# in $T_WORK/req
seen=0
log_requests() {
    local n
    n=$(wc -l <"$acc")
    tail -n +$((seen + 1)) "$acc" | head -n $((n - seen)) | awk '$7 ~ /^\/log\// {print $7, $9, $10}' >"$T_WORK/req"
    seen=$n
}
cl_list() { # CLIENT_DIR [PREFIX]: rampart client list
    local d=$1
    shift
    "$RAMPART" client --metadata-dir "$d" --metadata-url "$NGINX_URL/metadata/" list "$@"
}
cl() { # CLIENT_DIR ARGS...: rampart client against the served repository
    local d=$1
    shift
    "$RAMPART" client --metadata-dir "$d" --metadata-url "$NGINX_URL/metadata/" --target-base-url "$NGINX_URL/targets/" \
        --target-dir "$d.dl" "$@"
}
init() { # CLIENT_DIR [--log-policy FILE]
    local d=$1
    shift
    rm -rf "$d" "$d.dl"
    "$RAMPART" client --metadata-dir "$d" "$@" init "$pub/metadata/1.root.json" >/dev/null || t_bad "init $d"
}
cpsize=$(wc -c <"$pub/log/checkpoint")

# 1. A logged target downloads; cold: the checkpoint and the three tiles its
# inclusion proof needs (entry 300 of 703: full tile 0/001, partial 0/002 of
# width 191, partial 1/000 of width 2).
init A --log-policy tk/policy
cmp -s A/tlog-policy tk/policy && t_ok "init stores the policy beside the root" || t_bad "A/tlog-policy"
log_requests
t_run "logged target downloads" 0 - cl A --target-name app.tgz download
t_same "downloaded bytes" A.dl/app.tgz app.tgz
log_requests
got=$(cat "$T_WORK/req")
want="/log/checkpoint 200 $cpsize
/log/tile/0/001 200 8192
/log/tile/1/000.p/2 200 64
/log/tile/0/002.p/191 200 6112"
[ "$got" = "$want" ] && t_ok "cold: checkpoint and 3 tiles fetched" || t_bad "cold requests: $(echo $got)"
t_same "the checkpoint is stored" A/tlog/checkpoint "$pub/log/checkpoint"
[ -f A/tlog/tile-0-001 ] && t_ok "the full tile is cached" || t_bad "no cached tile: $(ls A/tlog)"
[ ! -e A/tlog/tile-1-000.p-2 ] && t_ok "the partial tile is not cached" || t_bad "partial tile cached"

# 2. Warm: the cached full tile is not fetched again, the partial one is.
rm -rf A.dl
t_run "warm download" 0 - cl A --target-name app.tgz download
log_requests
got=$(cat "$T_WORK/req")
want="/log/checkpoint 200 $cpsize
/log/tile/1/000.p/2 200 64
/log/tile/0/002.p/191 200 6112"
[ "$got" = "$want" ] && t_ok "warm: checkpoint and the partial tiles only" || t_bad "warm requests: $(echo $got)"
cp -a A B # B: a second endpoint with the same stored checkpoint

# 3. Not logged: no rampart_log, wrong index, past the end, other hashes.
t_run "target without rampart_log" 1 RAMPART_ENOTLOGGED cl A --target-name plain.tgz download
grep -q "no custom.rampart_log" "$T_WORK/err" && t_ok "says why" || t_bad "message: $(cat "$T_WORK/err")"
t_run "wrong index" 1 RAMPART_ENOTLOGGED cl A --target-name wrongidx.tgz download
t_run "index past the end of the log" 1 RAMPART_ENOTLOGGED cl A --target-name notin.tgz download
t_run "log entry with other hashes" 1 RAMPART_ENOTLOGGED cl A --target-name badhash.tgz download
t_absent "nothing of a refused target is written" A.dl/badhash.tgz
t_run "list refuses an unlogged target" 1 RAMPART_ENOTLOGGED cl_list A
t_run "list of logged targets" 0 - cl_list A app
grep -q "^app.tgz" "$T_WORK/out" && t_ok "list shows app.tgz" || t_bad "list: $(cat "$T_WORK/out")"

# 4. No policy: behaviour unchanged, the log is never asked.
init N
log_requests
t_run "no policy: an unlogged target downloads" 0 - cl N --target-name plain.tgz download
log_requests
[ ! -s "$T_WORK/req" ] && t_ok "no policy: no log request" || t_bad "log requests without a policy"
[ ! -e N/tlog ] && t_ok "no policy: no tlog folder" || t_bad "N/tlog exists"

# 5. Quorum and log key.
mklog --more 400 --cosign 1,2 --time "$fresh" --log-key other
init C --log-policy tk/policy
t_run "checkpoint of an unknown log key" 1 RAMPART_ENOQUORUM cl C --target-name app.tgz download
[ ! -e C/tlog/checkpoint ] && t_ok "a refused checkpoint is not stored" || t_bad "stored"
mklog --more 400 --cosign 3 --time "$fresh"
t_run "cosigned by 1 of a 2-of-3 quorum" 1 RAMPART_ENOQUORUM cl C --target-name app.tgz download
mklog --more 400 --cosign 1,2,3 --time "$fresh"
t_run "cosigned by 3 of 3" 0 - cl C --target-name app.tgz download

# 6. Anti-freeze: cosignatures older than the maximum age.
mklog --more 400 --cosign 1,2 --time $((now - 8 * 86400))
init D --log-policy tk/policy
t_run "cosignatures 8 days old (default 7d)" 1 RAMPART_ESTALE cl D --target-name app.tgz download
t_run "--log-max-age 9d accepts them" 0 - cl D --log-max-age 9d --target-name app.tgz download
t_run "--log-max-age 3600 refuses them" 1 RAMPART_ESTALE cl D --log-max-age 3600 --target-name app.tgz download
t_run "a bad --log-max-age" 2 - cl D --log-max-age 7x --target-name app.tgz download

# 7. The honest log grows: consistent, the stored checkpoint moves on.
mklog --more 500 --cosign 1,2 --time "$fresh"
t_run "grown log: consistent" 0 - cl B --target-name app.tgz download
t_same "grown log: new checkpoint stored" B/tlog/checkpoint "$pub/log/checkpoint"

# 8. A forked log after a stored checkpoint: split view, with evidence.
cp A/tlog/checkpoint old.cp
mklog --more 450 --cosign 1,2 --time "$fresh" --tag b
cp "$pub/log/checkpoint" fork.cp
t0=$(date -u +%s)
t_run "forked log" 1 RAMPART_ESPLITVIEW cl A --target-name app.tgz download
t1=$(date -u +%s)
t_same "the stored checkpoint is kept" A/tlog/checkpoint old.cp
ev=$(ls A/tlog/split-view-*.txt 2>/dev/null)
if [ "$(echo "$ev" | wc -l)" = 1 ] && [ -f "$ev" ]; then
    t_ok "one evidence file"
    # The expected file: the consistency proof from 703 to 753 computed here
    # by an independent RFC 9162 implementation over the forked log's entries.
    python3 - "$ev" old.cp fork.cp "$NGINX_URL/log/" "$t0" "$t1" <<'PY' && t_ok "evidence content" || t_bad "evidence content"
import base64, hashlib, sys, datetime
ev, old, new, url, t0, t1 = sys.argv[1], open(sys.argv[2], "rb").read(), open(sys.argv[3], "rb").read(), sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
ents = [("filler b %d" % i).encode() for i in range(300)]
ents += [l for l in open("entries", "rb").read().split(b"\n") if l]
ents += [("more b %d" % i).encode() for i in range(450)]
assert len(ents) == 753
def h(b): return hashlib.sha256(b).digest()
def mth(d):
    if len(d) == 1: return h(b"\0" + d[0])
    k = 1
    while k * 2 < len(d): k *= 2
    return h(b"\1" + mth(d[:k]) + mth(d[k:]))
def subproof(m, d, b):
    n = len(d)
    if m == n: return [] if b else [mth(d)]
    k = 1
    while k * 2 < n: k *= 2
    if m <= k: return subproof(m, d[:k], b) + [mth(d[k:])]
    return subproof(m - k, d[k:], False) + [mth(d[:k])]
proof = subproof(703, ents, True)
text = open(ev, "rb").read()
lines = text.split(b"\n", 2)
stamp = lines[1].decode()
when = int(datetime.datetime.strptime(stamp, "time %Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc).timestamp())
if not (t0 <= when <= t1): sys.exit("time %s not within the run" % stamp)
exp = b"rampart.split-view-evidence/v1\n" + stamp.encode() + b"\n"
exp += b"reason the log of 753 entries is not an extension of the one of 703 entries seen before\n"
exp += b"log-url " + url.encode() + b"\norigin log.rampart.test\nold-size 703\nnew-size 753\n"
exp += b"proof %d\n" % len(proof) + b"".join(base64.b64encode(p) + b"\n" for p in proof)
exp += b"old-checkpoint %d\n" % len(old) + old + b"new-checkpoint %d\n" % len(new) + new
if text != exp:
    sys.stdout.buffer.write(text); sys.exit("differs")
PY
else
    t_bad "evidence files: '$ev'"
fi

# 9. A shrunk log: split view again, a second evidence file beside the first.
mklog --more 100 --cosign 1,2 --time "$fresh"
t_run "shrunk log" 1 RAMPART_ESPLITVIEW cl A --target-name app.tgz download
grep -q "the log shrank from 703 to 403 entries" "$T_WORK/err" && t_ok "says it shrank" || t_bad "$(cat "$T_WORK/err")"
[ "$(ls A/tlog/split-view-*.txt | wc -l)" = 2 ] && t_ok "the second evidence file does not overwrite the first" ||
    t_bad "evidence files: $(ls A/tlog)"
ev2=$(grep -l "^old-size 703$" A/tlog/split-view-*.txt | xargs grep -l "^new-size 403$")
[ -n "$ev2" ] && grep -q "^proof 0$" "$ev2" && t_ok "shrink evidence has no proof" || t_bad "shrink evidence"

# 10. Offline: the tlog-proof beside the target instead of the log.
mklog --more 400 --cosign 1,2 --time "$fresh" --proof 300 proof.ok
served=$pub/targets/$(sha app.tgz).app.tgz
cp proof.ok "$served.tlog-proof"
init E --log-policy tk/policy
log_requests
t_run "offline: tlog-proof accepted" 0 - cl E --log-offline --target-name app.tgz download
log_requests
[ ! -s "$T_WORK/req" ] && t_ok "offline: the log is not asked" || t_bad "offline log requests"
"$MKTLOG" build tk wrong.log --fill 300 --entries entries --more 400 --cosign 1,2 --time "$fresh" --proof 302 proof.bad >/dev/null
cp proof.bad "$served.tlog-proof"
rm -rf E.dl
t_run "offline: tlog-proof of another entry" 1 RAMPART_ENOTLOGGED cl E --log-offline --target-name app.tgz download
sed '2s/^index 300$/index 300/;3s/^./A/' proof.ok >"$served.tlog-proof"
t_run "offline: altered proof" 1 RAMPART_ENOTLOGGED cl E --log-offline --target-name app.tgz download
"$MKTLOG" build tk wrong.log --fill 300 --entries entries --more 400 --cosign 3 --time "$fresh" --proof 300 proof.q >/dev/null
cp proof.q "$served.tlog-proof"
t_run "offline: proof cosigned by 1 of 3" 1 RAMPART_ENOQUORUM cl E --log-offline --target-name app.tgz download

nginx_stop
t_done
