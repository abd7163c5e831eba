#!/usr/bin/env bash
# test_witness_kill.sh - a witness killed at any moment never cosigns two
# inconsistent checkpoints (issue 13, "a witness killed at any point"): a
# client sends a log's checkpoint A and a fork B of the same size (both
# from old size 0), in a random order, while the witness is killed with
# SIGKILL at a random moment; the witness is started again on the same
# state and the client sends both again.  Over each state's whole life, at
# most one of A and B gets a 200.  In builds with crash points
# (RAMPART_CRASHPOINTS) the witness is also stopped at each crash point of
# its state write, and at the one between the stored state and the reply.
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/lib/common.sh"
source "$here/lib/witness.sh"
cd "$T_WORK" || exit 1
command -v curl >/dev/null || t_skip "curl is not installed"
w_keys || { t_bad "keys"; t_done; exit 1; }
w_entries e a b c d x
"$TLOGFIX" append A example.com/log log.key e/a e/b e/c e/d >/dev/null
"$TLOGFIX" append B example.com/log log.key e/a e/b e/c e/x >/dev/null
"$TLOGFIX" request A 0 >ra
"$TLOGFIX" request B 0 >rb

# send NAME: posts rNAME, records "NAME STATUS" in sent.log.
send() {
    local got
    got=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 --data-binary "@r$1" \
        "http://127.0.0.1:$W_PORT/add-checkpoint" 2>/dev/null)
    echo "$1 ${got:-000}" >>sent.log
}

# judge ROUND: at most one of A and B was ever cosigned; the stored state
# is the one cosigned (or none when neither was).
judge() {
    local a b sf want=""
    a=$(grep -c '^a 200$' sent.log)
    b=$(grep -c '^b 200$' sent.log)
    if [ "$a" -gt 0 ] && [ "$b" -gt 0 ]; then
        t_bad "$1: both the log and its fork were cosigned ($(tr '\n' ' ' <sent.log))"
        return
    fi
    sf=st/log-$(printf '%s' example.com/log | sha256sum | cut -c1-64)
    [ "$a" -gt 0 ] && want=A
    [ "$b" -gt 0 ] && want=B
    if [ -n "$want" ] && ! cmp -s "$sf" <(head -n 3 "$want/checkpoint"); then
        t_bad "$1: $want was cosigned but the state is not its checkpoint"
        return
    fi
    T_PASS=$((T_PASS + 1))
}

rounds=40
# Under valgrind (scripts/valgrind) each witness start takes seconds: 8
# rounds there, the point being memcheck; all 40 in the normal and ASan builds.
[ -n "${RAMPART_UNDER_VALGRIND:-}" ] && rounds=8
for round in $(seq 1 $rounds); do
    rm -rf st sent.log
    touch sent.log
    w_start st || { t_bad "round $round: start"; break; }
    if [ $((RANDOM % 2)) = 0 ]; then first=a second=b; else first=b second=a; fi
    (send $first; send $second) &
    client=$!
    sleep "0.0$((RANDOM % 40))"
    w_kill
    wait $client
    w_start st || { t_bad "round $round: restart"; break; }
    send $second
    send $first
    w_stop || t_bad "round $round: SIGTERM"
    judge "round $round"
done
t_ok "$rounds rounds of random kills (counted above as passes)"

if [ "${RAMPART_HAS_CRASHPOINTS:-0}" = 1 ]; then
    # The witness passes crash points only while it stores a state: the
    # n-th one ends the process (exit 86) as SIGKILL there would.
    for n in 1 2 3 4 5 6 7 8; do
        rm -rf st sent.log
        touch sent.log
        RAMPART_CRASH_AT=$n w_start st || { t_bad "crash point $n: start"; continue; }
        send a
        send b
        if kill -0 "$W_PID" 2>/dev/null; then
            w_stop # crash point n is past the one write of this round
            st_=$?
        else
            wait "$W_PID"
            st_=$?
            W_PID=
        fi
        w_start st || { t_bad "crash point $n: restart"; continue; }
        send b
        send a
        w_stop
        judge "crash point $n (exit $st_)"
    done
else
    echo "note: no crash points in this build (RAMPART_CRASHPOINTS off); random kills only"
fi
t_done
