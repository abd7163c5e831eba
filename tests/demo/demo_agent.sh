# shellcheck shell=bash disable=SC2154  # sourced by demo.sh, which sets W, V, K, PUB, quiet, ...
# tests/demo/demo_agent.sh - sourced by demo.sh: the endpoint-agent rows
# (docs/agent.md, docs/audit.md, docs/install-releases.md).  A second
# endpoint runs `rampart agent --once` with its own configuration, install
# folder and audit log under $W/agent, following agent/app-*.tar.gz: tar.gz
# releases with a bin/app and a signed custom "version", published by the
# vendor's top-level targets role in the same repository, served by the same
# nginx.  The rows: a release whose health check fails is reverted; a validly
# signed older release is refused as a downgrade; an edited audit record is
# detected; a surprise root rotation raises an anomaly that holds updates
# until an operator acknowledges it.  Each scenario also runs alone (--only):
# agent_setup brings the agent to its first installed release.

AG=$W/agent

# agent_release VERSION [broken]: publishes agent/app-VERSION.tar.gz (once).
# Its bin/app answers --self-test; a broken one fails it.
agent_release() {
    [ -e "$W/agent-app-$1.tar.gz" ] && return 0
    local d=$W/agent-src-$1
    mkdir -p "$d/bin"
    if [ "${2:-}" = broken ]; then
        printf '#!/bin/sh\nif [ "$1" = --self-test ]; then echo "app %s: cannot open its database" >&2; exit 3; fi\necho "app %s"\n' \
            "$1" "$1" >"$d/bin/app"
    else
        printf '#!/bin/sh\nif [ "$1" = --self-test ]; then exit 0; fi\necho "app %s"\n' "$1" >"$d/bin/app"
    fi
    chmod 755 "$d/bin/app"
    tar -C "$d" -czf "$W/agent-app-$1.tar.gz" bin
    agent_publish "$1"
}
agent_publish() { # VERSION: (re)adds an already built release and publishes
    must "$RAMPART" repo add "$V" "$W/agent-app-$1.tar.gz" --path "agent/app-$1.tar.gz" --custom "{\"version\":\"$1\"}"
    must "$RAMPART" repo publish "$V" "${ONLINE[@]}"
}

agent_once() { # runs one agent cycle; output in $W/agent.out, status in $agent_rc
    "$RAMPART" agent --config "$AG/agent.conf" --once >"$W/agent.out" 2>&1
    agent_rc=$?
    agent_code=$(grep -o 'RAMPART_E[A-Z]*' "$W/agent.out" | tail -1)
    [ -n "$agent_code" ] || agent_code="exit $agent_rc"
    [ $quiet -eq 1 ] || sed 's/^/  agent: /' "$W/agent.out" | grep -v '^  agent: *$' | tail -4
}
agent_active() { readlink "$AG/app/current" | sed 's|^versions/||'; }
# the audit records of KIND, without sequence number and time
agent_records() { "$RAMPART" audit show --dir "$AG/audit" --kind "$1" | cut -d' ' -f3-; }

# The agent's endpoint: configured, enrolled (its audit verifier key copied
# to the fleet's inventory) and running release 1.0.0 (or whatever is newest).
agent_setup() {
    [ -e "$AG/agent.conf" ] && return 0
    mkdir -p "$AG"
    agent_release 1.0.0
    # The health check: the new version's own self-test (the hook runs in its folder).
    printf '#!/bin/sh\nexec "$RAMPART_INSTALL_DIR/bin/app" --self-test\n' >"$AG/health"
    chmod 755 "$AG/health"
    cat >"$AG/agent.conf" <<EOF
# the demo's update agent (docs/agent.md)
metadata_dir = $AG/md
metadata_url = $MURL
target_url = $TURL
ca_file = $W/ca.pem
trusted_root = $PUB/metadata/1.root.json
follow = agent/app-*.tar.gz
install_dir = $AG/app
state_dir = $AG/state
audit_dir = $AG/audit
health_check = $AG/health
hook_timeout = 20
journal = no
block = root-rotation
EOF
    agent_once
    if [ $agent_rc -ne 0 ]; then
        echo "demo: the agent's first cycle failed:" >&2
        cat "$W/agent.out" >&2
        exit 1
    fi
    cp "$AG/audit/audit.vkey" "$AG/enrolled.vkey"
    say "  agent: $(agent_active) active, audit key enrolled"
}

sc_health_revert() {
    step "health check: the vendor's 1.1.0 fails its self-test on the endpoint; the agent reverts"
    agent_setup
    local before
    before=$(agent_active)
    agent_release 1.1.0 broken
    agent_once
    local failed reverted
    failed=$(agent_records health-failed | tail -1 | cut -d' ' -f1-3)
    reverted=$(agent_records reverted | tail -1 | cut -d' ' -f1-3)
    if [ $agent_rc -eq 0 ]; then
        echo "reverted|BROKEN RELEASE KEPT ($(agent_active) active)|-" >&3
    elif [ "$agent_code" != RAMPART_EHEALTH ]; then
        echo "reverted|FAILED OTHERWISE|$agent_code" >&3
    elif [ "$(agent_active)" != "$before" ]; then
        echo "reverted|NOT REVERTED ($(agent_active) active)|$agent_code" >&3
    elif [ "$failed" != "health-failed code=RAMPART_EHEALTH target=agent/app-1.1.0.tar.gz" ] ||
        [ "$reverted" != "reverted target=agent/app-1.1.0.tar.gz version=1.1.0" ]; then
        echo "reverted|NOT RECORDED IN THE AUDIT LOG|$agent_code" >&3
    else
        echo "reverted|health check failed, reverted to $before|$agent_code" >&3
    fi
}

sc_downgrade() {
    step "downgrade: a thief of the online keys re-signs the channel to offer only 1.0.0, an old release"
    agent_setup
    agent_release 1.2.0
    agent_once
    [ $agent_rc -eq 0 ] || { echo "demo: the agent did not install 1.2.0:" >&2; cat "$W/agent.out" >&2; exit 1; }
    say "  agent: $(agent_active) active"
    # Validly signed (the vendor's own targets key) and fresh, but older.
    local v removed=""
    for v in 1.1.0 1.2.0; do
        [ -e "$W/agent-app-$v.tar.gz" ] || continue
        must "$RAMPART" repo remove "$V" "agent/app-$v.tar.gz"
        removed="$removed $v"
    done
    must "$RAMPART" repo publish "$V" "${ONLINE[@]}"
    agent_once
    local rec
    rec=$(agent_records refused | tail -1 | cut -d' ' -f1-5)
    if [ $agent_rc -eq 0 ]; then
        echo "refused|ACCEPTED ($(agent_active) active)|-" >&3
    elif [ "$agent_code" != RAMPART_EDOWNGRADE ]; then
        echo "refused|refused with another error|$agent_code" >&3
    elif [ "$(agent_active)" != 1.2.0 ]; then
        echo "refused|refused, but $(agent_active) is active|$agent_code" >&3
    elif [ "$rec" != "refused attack=downgrade code=RAMPART_EDOWNGRADE target=agent/app-1.0.0.tar.gz version=1.0.0" ]; then
        echo "refused|NOT RECORDED AS refused/downgrade|$agent_code" >&3
    else
        echo "refused|refused, 1.2.0 stays active|$agent_code" >&3
    fi
    # The vendor takes its channel back.
    for v in $removed; do
        must "$RAMPART" repo add "$V" "$W/agent-app-$v.tar.gz" --path "agent/app-$v.tar.gz" --custom "{\"version\":\"$v\"}"
    done
    must "$RAMPART" repo publish "$V" "${ONLINE[@]}"
    agent_once
    [ $agent_rc -eq 0 ] || echo "refused|AGENT STUCK AFTER THE CHANNEL CAME BACK|$agent_code" >&3
}

sc_tampered_audit() {
    step "audit log: an intruder on the endpoint edits a record of what the agent did"
    agent_setup
    local log=$AG/audit/audit.log
    cp -a "$log" "$W/audit.log.genuine"
    # The first record says which release was installed; the intruder rewrites its version.
    python3 - "$log" <<'PY' || must false
import json, sys
p = sys.argv[1]
l = open(p, "rb").read().split(b"\n")[:-1]
r = json.loads(l[0])
assert r["kind"] == "installed", r
l[0] = l[0].replace(b'"version":"1.0.0"', b'"version":"0.9.9"', 1)
assert l[0] != json.dumps(r).encode(), "nothing edited"
open(p, "wb").write(b"".join(x + b"\n" for x in l))
PY
    cmp -s "$log" "$W/audit.log.genuine" && { echo "detected|THE LOG WAS NOT EDITED|-" >&3; return; }
    "$RAMPART" audit verify --dir "$AG/audit" --vkey "$AG/enrolled.vkey" >"$W/verify.out" 2>&1
    local rc=$? code
    code=$(grep -o 'RAMPART_E[A-Z]*' "$W/verify.out" | tail -1)
    [ -n "$code" ] || code="exit $rc"
    [ $quiet -eq 1 ] || sed 's/^/  /' "$W/verify.out" | tail -2
    if [ $rc -eq 0 ]; then
        echo "detected|NOT DETECTED: verify passed|-" >&3
    elif [ "$code" != RAMPART_ETAMPERED ]; then
        echo "detected|FAILED WITH ANOTHER ERROR|$code" >&3
    else
        echo "detected|edited record detected, verify fails|$code" >&3
    fi
    # The genuine log (e.g. as shipped to the fleet) verifies again.
    cp -a "$W/audit.log.genuine" "$log"
    must "$RAMPART" audit verify --dir "$AG/audit" --vkey "$AG/enrolled.vkey"
}

sc_surprise_root() {
    step "surprise root rotation: a new root key appears, unannounced, with release 1.3.0"
    agent_setup
    local before
    before=$(agent_active)
    [ -e "$K/root-5.key" ] || must "$RAMPART" key generate "${PASS[@]}" "$K/root-5"
    must "$RAMPART" repo rotate "$V" --role root --add-key "$K/root-5.pub"
    sign_root_offline root-1 root-2
    agent_release 1.3.0
    rm -f "$W/anomaly.log"
    agent_once
    local an id
    an=$(agent_records anomaly | grep '^anomaly anomaly=root-rotation id=' | tail -1)
    id=$(printf '%s\n' "$an" | sed -n 's/^anomaly anomaly=root-rotation id=\([0-9a-f]*\) .*/\1/p')
    [ -z "$an" ] || say "  audit: $an"
    if [ $agent_rc -eq 0 ]; then
        echo "detected|NOT HELD ($(agent_active) active)|-" >&3
        return
    elif [ "$agent_code" != RAMPART_EHELD ]; then
        echo "detected|FAILED WITH ANOTHER ERROR|$agent_code" >&3
        return
    elif [ -z "$id" ] || ! grep -qF "rampart agent ack $id" "$W/agent.out"; then
        echo "detected|NO root-rotation ANOMALY RECORDED|$agent_code" >&3
        return
    elif [ "$(agent_active)" != "$before" ]; then
        echo "detected|HELD, BUT $(agent_active) WAS INSTALLED|$agent_code" >&3
        return
    fi
    echo "detected|anomaly raised, 1.3.0 held until ack|$agent_code" >&3
    say "  operator: checks the rotation with the vendor, then acknowledges it"
    must "$RAMPART" agent --config "$AG/agent.conf" ack "$id"
    agent_once
    if [ $agent_rc -ne 0 ] || [ "$(agent_active)" != 1.3.0 ]; then
        echo "detected|NOT INSTALLED AFTER THE ACK|$agent_code" >&3
    else
        say "  agent: $(agent_active) active after the ack"
    fi
}
