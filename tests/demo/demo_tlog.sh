# shellcheck shell=bash
# shellcheck disable=SC2034,SC2154  # sourced: demo.sh defines and reads these variables
# tests/demo/demo_tlog.sh - the transparency-log part of the demo (sourced
# by demo.sh; docs/transparency.md "The demo").  The vendor's publishes
# append every release to a log signed by an online log key; three
# witnesses run on loopback and the repository asks them for cosignatures
# (2 of 3); the endpoint's own witness policy (2 of 3, chosen by its
# organisation) is given at `client init --log-policy`.  Then the attacker
# holds every online key (timestamp, snapshot, targets, product and the log
# key) and tries to reach one victim with a backdoored app-6.6.6:
#
#   not-logged        the release is not in the log                 -> RAMPART_ENOTLOGGED
#   forked-log        logged on a fork shown only to the victim     -> RAMPART_ENOQUORUM
#   logged-release    logged in the real log: installed, and the vendor's monitor names it
#   stale-checkpoint  cosignatures older than the maximum age       -> RAMPART_ESTALE
#
# Uses demo.sh's W, K, V, PUB, E, PASS, ONLINE, must, step, say, release,
# fetch_app, client, expect_refusal, MAY_CHANGE; nothing listens but 127.0.0.1.

TLOG_ORIGIN=demo.rampart.example/log
TLOG_VKEY=""
TLOG_WPIDS=()
TLOG_WVKEY=()
TLOG_WURL=()
TLOG_CLIENT=()

# tlog_stop: stops the witnesses (demo.sh's cleanup).
tlog_stop() {
    local p
    for p in "${TLOG_WPIDS[@]}"; do
        kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null
    done
    TLOG_WPIDS=()
}

# tlog_setup_vendor: before the first publish.  The log key, the log, three
# witnesses and the repository's witness policy; publish gets the log key.
tlog_setup_vendor() {
    step "vendor: a transparency log (online log key), three witnesses on loopback, 2 of 3"
    must "$RAMPART" key generate --type ed25519 "${PASS[@]}" "$K/log"
    must "$RAMPART" repo log "$V" --init --origin "$TLOG_ORIGIN" --key "$K/log.pub"
    TLOG_VKEY=$(tail -1 "$W/must.out")
    case $TLOG_VKEY in "$TLOG_ORIGIN"+*) ;; *)
        echo "demo: repo log --init printed no vkey: $TLOG_VKEY" >&2
        exit 1
        ;;
    esac
    local i port
    for i in 1 2 3; do
        must "$RAMPART" key generate --type ed25519 "${PASS[@]}" "$K/witness-$i"
        must "$RAMPART" witness vkey --name "witness-$i.demo.example" --key "$K/witness-$i.key" "${PASS[@]}"
        TLOG_WVKEY[i]=$(tail -1 "$W/must.out")
        printf 'log %s\n' "$TLOG_VKEY" >"$W/witness-$i.conf"
        "$RAMPART" witness serve --name "witness-$i.demo.example" --key "$K/witness-$i.key" "${PASS[@]}" \
            --config "$W/witness-$i.conf" --state "$W/witness-$i.state" --listen 127.0.0.1:0 \
            >"$W/witness-$i.out" 2>"$W/witness-$i.err" &
        TLOG_WPIDS+=($!)
        port=""
        for _ in $(seq 1 200); do
            port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$W/witness-$i.out")
            [ -n "$port" ] && break
            kill -0 "${TLOG_WPIDS[-1]}" 2>/dev/null || break
            sleep 0.05
        done
        if [ -z "$port" ]; then
            echo "demo: witness $i did not start:" >&2
            cat "$W/witness-$i.err" >&2
            exit 1
        fi
        TLOG_WURL[i]=http://127.0.0.1:$port
    done
    {
        for i in 1 2 3; do printf 'witness w%s %s %s\n' "$i" "${TLOG_WVKEY[i]}" "${TLOG_WURL[i]}"; done
        printf 'group two-of-three 2 w1 w2 w3\nquorum two-of-three\n'
    } >"$W/repo-witnesses.policy"
    must "$RAMPART" repo log "$V" --witnesses "$W/repo-witnesses.policy"
    ONLINE+=(--key "$K/log.key")
    say "log $TLOG_VKEY; witnesses at ${TLOG_WURL[*]}"
}

# tlog_endpoint_policy: after nginx starts.  The endpoint organisation's own
# policy: the vendor's log (read from the vendor's server whatever mirror
# serves the metadata), the three witnesses, any 2 of them.
tlog_endpoint_policy() {
    local i
    {
        printf 'log %s %s\n' "$TLOG_VKEY" "$NGINX_URL/repo/log/"
        for i in 1 2 3; do printf 'witness w%s %s\n' "$i" "${TLOG_WVKEY[i]}"; done
        printf 'group two-of-three 2 w1 w2 w3\nquorum two-of-three\n'
    } >"$W/endpoint-tlog.policy"
    TLOG_CLIENT=(--log-policy "$W/endpoint-tlog.policy")
}

# tlog_victim: a fresh endpoint with the same root and policy, updated to
# 1.1.0 from the vendor's server (each row attacks its own victim, so the
# metadata the attacker makes it store cannot disturb the other rows).
# Sets E (declare `local E=$E` in the caller first).
tlog_victim() {
    catch_up
    E=$W/victim
    rm -rf "$E"
    mkdir -p "$E/app"
    must "$RAMPART" client --metadata-dir "$E/md" "${TLOG_CLIENT[@]}" init "$PUB/metadata/1.root.json"
    must fetch_app 1.1.0
}

# tlog_attacker_copy: the attacker's copy of the vendor's repository (its
# log included), with the backdoored app-6.6.6 added.
tlog_attacker_copy() {
    rm -rf "$W/attacker"
    cp -a "$V" "$W/attacker"
    printf 'demo application 6.6.6 + backdoor\n' >"$W/app-6.6.6.tar.gz"
    must "$RAMPART" repo add "$W/attacker" "$W/app-6.6.6.tar.gz" --path app/app-6.6.6.tar.gz --role product
}

# tlog_serve_mitm: serves the attacker's metadata and targets to the victim.
tlog_serve_mitm() {
    rm -rf "$W/www/mitm"
    cp -a "$W/attacker/public" "$W/www/mitm"
}
tlog_fetch_evil() {
    client --metadata-url "$NGINX_URL/mitm/metadata/" --target-base-url "$NGINX_URL/mitm/targets/" \
        --target-dir "$E/app" --target-name app/app-6.6.6.tar.gz download
}
# The attacker's TUF metadata is signed with the stolen keys and verifies:
# the refresh stores it (TUF alone would install the release).  What must
# not change is the log state (tlog/, root.json) and nothing may be installed.
TLOG_TUF_FILES="timestamp.json snapshot.json targets.json product.json"

sc_not_logged() {
    step "not logged: the attacker signs app-6.6.6 with the stolen keys on a copy, without the log"
    local E=$E
    tlog_victim
    tlog_attacker_copy
    # The copy's log is never shown (asking the witnesses would put the
    # release where everyone sees it): the metadata gives an index the real
    # log does not have.
    must "$RAMPART" repo log "$W/attacker" --no-witnesses
    must "$RAMPART" repo publish "$W/attacker" "${ONLINE[@]}"
    tlog_serve_mitm
    MAY_CHANGE=$TLOG_TUF_FILES
    expect_refusal RAMPART_ENOTLOGGED tlog_fetch_evil
    MAY_CHANGE=""
    [ -e "$E/app/app/app-6.6.6.tar.gz" ] && echo "refused|UNLOGGED RELEASE INSTALLED|-" >&3
    rm -rf "$W/attacker" "$W/www/mitm"
}

sc_forked_log() {
    step "forked log: the attacker logs app-6.6.6 on a fork of the log and shows it only to the victim"
    local E=$E
    tlog_victim
    tlog_attacker_copy
    # The vendor publishes 1.3.0 meanwhile: the witnesses see the real log grow.
    release 1.3.0
    # The attacker appends to its copy of the log (the same size the
    # witnesses saw before 1.3.0) and signs with the stolen log key: the
    # witnesses refuse to cosign a checkpoint inconsistent with the one they hold.
    if "$RAMPART" repo publish "$W/attacker" "${ONLINE[@]}" >"$W/fork.out" 2>&1; then
        echo "refused|THE WITNESSES COSIGNED THE FORK|-" >&3
    elif ! grep -q RAMPART_ENOQUORUM "$W/fork.out"; then
        echo "refused|FORK PUBLISH FAILED OTHERWISE|$(grep -o 'RAMPART_E[A-Z]*' "$W/fork.out" | tail -1)" >&3
    fi
    [ $quiet -eq 1 ] || grep 'witness\|RAMPART_E' "$W/fork.out" | sed 's/^/  the attacker asks the witnesses: /'
    # So the attacker serves the fork without cosignatures, to the victim only.
    must "$RAMPART" repo log "$W/attacker" --no-witnesses
    must "$RAMPART" repo publish "$W/attacker" "${ONLINE[@]}"
    tlog_serve_mitm
    rm -rf "$W/log.genuine"
    mv "$PUB/log" "$W/log.genuine"
    cp -a "$W/attacker/public/log" "$PUB/log"
    MAY_CHANGE=$TLOG_TUF_FILES
    expect_refusal RAMPART_ENOQUORUM tlog_fetch_evil
    MAY_CHANGE=""
    rm -rf "$PUB/log"
    mv "$W/log.genuine" "$PUB/log"
    [ -e "$E/app/app/app-6.6.6.tar.gz" ] && echo "refused|FORKED RELEASE INSTALLED|-" >&3
    rm -rf "$W/attacker" "$W/www/mitm"
}

# tlog_monitor: the vendor's monitor polls its log on its server, judged
# against its own repository folder; alerts in $W/monitor.out.
tlog_monitor() {
    "$RAMPART" log monitor "$NGINX_URL/repo/log/" --ca-file "$W/ca.pem" --repo "$V" --state "$W/monitor.state" \
        --policy "$W/endpoint-tlog.policy" >"$W/monitor.out" 2>"$W/monitor.err"
}

sc_logged_release() {
    step "logged release: the attacker publishes app-6.6.6 through the real log; the vendor's monitor polls"
    local E=$E
    tlog_victim
    # The vendor's monitor, after its own publishes: nothing to report.
    if ! tlog_monitor || [ -s "$W/monitor.out" ]; then
        echo "updated|MONITOR FAILED ON THE GENUINE LOG|-" >&3
        sed 's/^/  /' "$W/monitor.out" "$W/monitor.err"
        return
    fi
    tlog_attacker_copy
    # A consistent extension of the real log: the witnesses cosign it, and
    # the attacker writes it to the vendor's log server.
    must "$RAMPART" repo publish "$W/attacker" "${ONLINE[@]}"
    rm -rf "$PUB/log"
    cp -a "$W/attacker/public/log" "$PUB/log"
    tlog_serve_mitm
    tlog_fetch_evil >"$W/ok.out" 2>&1
    local rc=$?
    [ $quiet -eq 1 ] || sed 's/^/  /' "$W/ok.out" | tail -3
    # The vendor's next poll.
    tlog_monitor
    local mrc=$?
    [ $quiet -eq 1 ] || sed 's/^/  monitor: /' "$W/monitor.out" "$W/monitor.err"
    if [ $rc -ne 0 ]; then
        echo "updated|FAILED|$(grep -o 'RAMPART_E[A-Z]*' "$W/ok.out" | tail -1)" >&3
    elif ! cmp -s "$E/app/app/app-6.6.6.tar.gz" "$W/app-6.6.6.tar.gz"; then
        echo "updated|WRONG BYTES|-" >&3
    elif [ $mrc -ne 1 ] || [ "$(wc -l <"$W/monitor.out")" != 1 ] ||
        ! grep -q '^{"alert":"unpublished-entry",.*"path":"app/app-6\.6\.6\.tar\.gz"' "$W/monitor.out"; then
        echo "updated|INSTALLED, BUT NO MONITOR ALERT NAMING IT|exit $mrc" >&3
    else
        echo "updated|installed; monitor alerts app/app-6.6.6.tar.gz|OK" >&3
    fi
    # The vendor takes its log's record back from the server (the entry is
    # in the log for ever), so that its later publishes extend it.
    rm -rf "$V/log"
    cp -a "$W/attacker/log" "$V/log"
    rm -rf "$W/attacker" "$W/www/mitm"
}

sc_stale_checkpoint() {
    step "stale checkpoint: the endpoint's clock runs 2 hours on; its policy allows cosignatures 1 hour old"
    catch_up
    # (An ASan build must accept libfaketime ahead of its runtime.)
    expect_refusal RAMPART_ESTALE env "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
        faketime -f '+2h' "$RAMPART" client --metadata-dir "$E/md" --ca-file "$W/ca.pem" --metadata-url "$MURL" \
        --target-base-url "$TURL" --target-dir "$E/app" --target-name app/app-1.1.0.tar.gz --log-max-age 3600 download
}

tlog_describe() {
    case $1 in
        not-logged) echo "release not in the log (keys stolen)" ;;
        forked-log) echo "release on a forked log, victim only" ;;
        logged-release) echo "release in the real log (monitor)" ;;
        stale-checkpoint) echo "cosignatures older than max age" ;;
    esac
}
