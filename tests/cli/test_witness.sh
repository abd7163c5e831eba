#!/usr/bin/env bash
# test_witness.sh - rampart witness on loopback (C2SP tlog-witness): the
# exact status, content type and body of every answer, cosignatures that
# rampart_tlog_verify_checkpoint accepts under a policy naming the witness,
# the state file's bytes, the state kept across a restart, SIGTERM, the
# state folder's lock, and the command line.
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/lib/common.sh"
source "$here/lib/witness.sh"
cd "$T_WORK" || exit 1
command -v curl >/dev/null || t_skip "curl is not installed"

w_keys || { t_bad "keys"; t_done; exit 1; }
t_run "witness vkey is a cosignature v1 vkey" 0 - "$RAMPART" witness vkey --name witness.example/w1 --key w.key
grep -q '^witness\.example/w1+[0-9a-f]\{8\}+B[A-Za-z0-9+/]*=*$' out && t_ok "vkey shape" || t_bad "vkey: $(cat out)"

w_entries e a b c d e f
"$TLOGFIX" append L example.com/log log.key e/a e/b e/c >/dev/null
cp -r L L3 # the log at size 3, for the forks below
"$TLOGFIX" request L 0 >r0

w_start st || { t_bad "the witness did not start: $(cat "$T_WORK/w.err")"; t_done; exit 1; }
t_ok "started, listening on 127.0.0.1:$W_PORT"

# 200: the first checkpoint of the log (old 0, no proof).
w_expect "first checkpoint cosigned" r0 200 "text/plain; charset=utf-8" "*"
cp body cosig0
[ "$(wc -l <cosig0)" = 1 ] && grep -q '^— witness\.example/w1 ' cosig0 && t_ok "one cosignature line" ||
    t_bad "cosignature lines: $(cat cosig0)"
printf 'log %s\nwitness w1 %s\nquorum w1\n' "$LOG_VKEY" "$W_VKEY" >policy
cat L/checkpoint cosig0 >note0
t_run "the cosigned checkpoint verifies under a policy naming the witness" 0 - \
    "$TLOGFIX" verify policy note0 "$(date +%s)"
[ "$(cat out)" = "ok size 3 cosignatures 1" ] && t_ok "verified: size 3, one cosignature" || t_bad "verify: $(cat out)"
# Negative: the log's checkpoint without the cosignature; a policy naming another witness.
t_run "without the cosignature: no quorum" 1 - "$TLOGFIX" verify policy L/checkpoint "$(date +%s)"
[ "$(cat out)" = RAMPART_ENOQUORUM ] && t_ok "ENOQUORUM" || t_bad "verify: $(cat out)"
"$RAMPART" key generate --type ed25519 --no-passphrase w2 >/dev/null
printf 'log %s\nwitness w2 %s\nquorum w2\n' "$LOG_VKEY" \
    "$("$RAMPART" witness vkey --name witness.example/w1 --key w2.key)" >policy2
t_run "a policy with another witness key refuses it" 1 - "$TLOGFIX" verify policy2 note0 "$(date +%s)"

# The state file: the checkpoint text of size 3, stored before the reply.
sf=st/log-$(printf '%s' example.com/log | sha256sum | cut -c1-64)
head -n 3 L/checkpoint >want-state
t_same "state file holds the checkpoint text of size 3" "$sf" want-state
[ "$(stat -c %a "$sf")" = 600 ] && t_ok "state file mode 0600" || t_bad "mode $(stat -c %a "$sf")"

# 409: old size 0 again; the body is the stored size, as text/x.tlog.size.
w_expect "old size 0 after size 3: 409 with the stored size" r0 409 "text/x.tlog.size" "3"

# 200: append to 5 with the consistency proof from 3.
"$TLOGFIX" append L example.com/log log.key e/d e/e >/dev/null
"$TLOGFIX" request L 3 >r3
w_expect "from 3 to 5 with its proof" r3 200 "text/plain; charset=utf-8" "*"
head -n 3 L/checkpoint >want-state
t_same "state file holds size 5" "$sf" want-state
w_expect "the same request again: 409 (the stored size is 5)" r3 409 "text/x.tlog.size" "5"
"$TLOGFIX" request L 5 >r5
w_expect "the same checkpoint again (old 5, size 5): 200" r5 200 "text/plain; charset=utf-8" "*"

# 422: a fork of the log (3 common entries, then others) from the stored 5.
cp -r L3 F
"$TLOGFIX" append F example.com/log log.key e/f e/e e/d >/dev/null
"$TLOGFIX" request F 5 >f5
w_expect "a forked log's checkpoint (size 6) from 5: 422" f5 422 "text/plain; charset=utf-8" \
    "the consistency proof does not verify"
# 409: the stored size with another root.
cp -r L3 G
"$TLOGFIX" append G example.com/log log.key e/f e/e >/dev/null
"$TLOGFIX" request G 5 >g5
w_expect "another root for the stored size 5: 409" g5 409 "text/plain; charset=utf-8" \
    "another root hash for the stored tree size"
# 400: the log shrank (old 5 > size 3).
"$TLOGFIX" request L3 0 | sed '1s/.*/old 5/' >shrunk
w_expect "old size above the checkpoint's: 400" shrunk 400 "text/plain; charset=utf-8" \
    "old size is larger than the checkpoint size"
# 403: signed under the log's name by another key.
cp -r L H
"$TLOGFIX" append H example.com/log other.key >/dev/null
"$TLOGFIX" request H 5 >h5
w_expect "signed by another key: 403" h5 403 "text/plain; charset=utf-8" "no valid signature of the log"
# 404: an origin the witness does not know.
"$TLOGFIX" append U example.org/unknown log.key e/a >/dev/null
"$TLOGFIX" request U 0 >u0
w_expect "unknown origin: 404" u0 404 "text/plain; charset=utf-8" "unknown log origin"
# 400: malformed requests.
printf 'old 05\n\nx\n' >bad1
w_expect "old size with a leading zero: 400" bad1 400 "text/plain; charset=utf-8" "malformed add-checkpoint request"
{ echo "old 5"; for i in $(seq 64); do echo "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw="; done
  echo; cat L/checkpoint; } >bad2
w_expect "64 proof lines: 400" bad2 400 "text/plain; charset=utf-8" "malformed add-checkpoint request"
# 404, 405, 413 from the HTTP layer.
got=$(w_post r5 /checkpoint); [ "$got" = "404 text/plain; charset=utf-8" ] && t_ok "another path: 404" ||
    t_bad "another path: $got"
got=$(w_post r5 /add-checkpoint PUT); [ "$got" = "405 text/plain; charset=utf-8" ] && t_ok "PUT: 405" ||
    t_bad "PUT: $got"
head -c 80000 /dev/zero | tr '\0' x >big
got=$(w_post big); [ "$got" = "413 text/plain; charset=utf-8" ] && t_ok "80,000 bytes: 413" || t_bad "big: $got"
head -n 3 L/checkpoint >want-state
t_same "no refused request changed the state" "$sf" want-state

# The state folder is locked while the witness runs.
t_run "a second witness on the same state: ELOCKED" 1 RAMPART_ELOCKED \
    "$RAMPART" witness serve --name witness.example/w1 --key w.key --config w.conf --state st --listen 127.0.0.1:0

# SIGTERM stops it cleanly; a restart keeps the state.
w_stop && t_ok "SIGTERM: exit 0" || t_bad "SIGTERM: exit $?"
w_start st || t_bad "restart"
w_expect "after a restart, old 0 is a conflict with 5" r0 409 "text/x.tlog.size" "5"
w_expect "after a restart, the fork is still refused" f5 422 "text/plain; charset=utf-8" \
    "the consistency proof does not verify"
w_stop

# Command line and configuration errors.
t_run "no --state: usage" 2 - "$RAMPART" witness serve --name n --key w.key --config w.conf
t_run "unknown option: usage" 2 - "$RAMPART" witness serve --bogus
printf 'log %s\n' "$W_VKEY" >wrong.conf
t_run "a witness key as a log key: EFORMAT" 1 RAMPART_EFORMAT \
    "$RAMPART" witness serve --name witness.example/w1 --key w.key --config wrong.conf --state st2
grep -q "wrong.conf: line 1" err && t_ok "the message names the line" || t_bad "message: $(cat err)"
t_run "a bad listen address: EINVAL" 1 RAMPART_EINVAL \
    "$RAMPART" witness serve --name witness.example/w1 --key w.key --config w.conf --state st2 --listen localhost
t_run "a name with a space: EINVAL" 1 RAMPART_EINVAL "$RAMPART" witness vkey --name "a b" --key w.key
t_run "witness --help" 0 - "$RAMPART" witness serve --help

t_done
