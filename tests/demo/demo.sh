#!/usr/bin/env bash
# tests/demo/demo.sh - Rampart's main job, end to end, with real parts on
# loopback: a vendor publishes with `rampart repo` (an offline-style root,
# 2 of 3 keys; online timestamp and snapshot keys; a delegated role for the
# product), nginx serves the repository over HTTPS with a local CA, and an
# endpoint updates its application with `rampart client` from 1.0.0 to
# 1.1.0.  Then each classic attack is staged against the endpoint and must
# be refused with its error code, the endpoint's trusted state unchanged.
# Every release is also logged in a transparency log with three witnesses
# (tests/demo/demo_tlog.sh), whose rows attack with every online key, and
# carries SLSA provenance from the vendor's build service.  One row grades
# the vendor's channel with `rampart assess` (the five-question table).
#
#   demo.sh                 run everything, print the table; exit 0 iff every row matches
#   demo.sh --only NAME     set up, run one scenario (the ctest integration suite does this)
#   demo.sh --list          the scenario names
#
# Needs RAMPART (the rampart binary; default: build/release/cli/rampart),
# nginx, openssl and faketime.  Stops nginx and removes its files on exit,
# also on Ctrl-C.  Nothing listens anywhere but 127.0.0.1.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
src=$(cd "$here/.." && pwd)
RAMPART=${RAMPART:-$src/build/release/cli/rampart}
source "$here/lib/nginx.sh"
source "$here/demo/demo_tlog.sh"

SCENARIOS=(update tampered-package rollback freeze mix-and-match stolen-key endless-data
           redirect-to-http untrusted-tls malicious-mirror root-rotation forged-provenance assess
           not-logged forked-log logged-release stale-checkpoint
           health-revert downgrade tampered-audit surprise-root)

only=""
quiet=0
while [ $# -gt 0 ]; do
    case $1 in
        --only) only=$2; shift 2 ;;
        --list) printf '%s\n' "${SCENARIOS[@]}"; exit 0 ;;
        --quiet) quiet=1; shift ;;
        *) echo "usage: $0 [--only NAME | --list] [--quiet]" >&2; exit 2 ;;
    esac
done
if [ -n "$only" ] && ! printf '%s\n' "${SCENARIOS[@]}" | grep -qx "$only"; then
    echo "unknown scenario '$only' (see --list)" >&2
    exit 2
fi
for tool in openssl faketime; do
    command -v "$tool" >/dev/null || { echo "demo: $tool is not installed (run scripts/bootstrap)" >&2; exit 77; }
done
command -v "$(nginx_bin)" >/dev/null 2>&1 || { echo "demo: nginx is not installed (run scripts/bootstrap)" >&2; exit 77; }
[ -x "$RAMPART" ] || { echo "demo: no rampart binary at $RAMPART (build first)" >&2; exit 2; }

W=$(mktemp -d "${TMPDIR:-/tmp}/rampart-demo.XXXXXX")
cleanup() {
    nginx_stop
    tlog_stop
    rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { [ $quiet -eq 1 ] || printf '%s\n' "$*"; }
step() { [ $quiet -eq 1 ] || printf '\n== %s\n' "$*"; }
# Runs a command quietly; on failure shows its output and stops the demo.
must() {
    if ! "$@" >"$W/must.out" 2>&1; then
        echo "demo: setup step failed: $*" >&2
        cat "$W/must.out" >&2
        exit 1
    fi
}

V=$W/vendor         # the vendor's repository (state + public/)
K=$W/keys           # the vendor's keys (root keys would live offline)
E=$W/endpoint       # the endpoint: trusted metadata and installed files
PUB=$V/public
mkdir -p "$K" "$E/app"
printf 'demo-passphrase-%s\n' "$RANDOM$RANDOM" >"$K/pass"
PASS=(--passphrase-file "$K/pass")

# ---------------------------------------------------------------- vendor
step "vendor: keys, an offline-style root (2 of 3), a delegated role for the product"
for k in root-1 root-2 root-3 root-4 targets snapshot timestamp product attacker builder; do
    must "$RAMPART" key generate "${PASS[@]}" "$K/$k"
done
must "$RAMPART" repo init "$V" --root-key "$K/root-1.pub" --root-key "$K/root-2.pub" --root-key "$K/root-3.pub" \
    --root-threshold 2 --targets-key "$K/targets.pub" --snapshot-key "$K/snapshot.pub" --timestamp-key "$K/timestamp.pub"
must "$RAMPART" repo delegate "$V" --name product --key "$K/product.pub" --paths 'app/*' --terminating

# The offline root ceremony: export, sign with two of the three root keys elsewhere, import.
sign_root_offline() { # KEY...
    rm -f "$W/root-unsigned.json"
    must "$RAMPART" repo export "$V" --role root --out "$W/root-unsigned.json"
    for k in "$@"; do must "$RAMPART" metadata sign "$W/root-unsigned.json" --key "$K/$k.key" "${PASS[@]}"; done
    must "$RAMPART" repo import "$V" "$W/root-unsigned.json"
}
sign_root_offline root-1 root-2

ONLINE=(--key "$K/targets.key" --key "$K/snapshot.key" --key "$K/timestamp.key" --key "$K/product.key" "${PASS[@]}")
# The vendor's build service, which attests every release (SLSA provenance).
BUILDER=https://ci.vendor.example/builders/release@v1
SOURCE=git+https://git.vendor.example/app
release() { # VERSION (once: later calls for the same version do nothing)
    [ -e "$W/app-$1.tar.gz" ] && return 0
    printf 'demo application %s\n' "$1" >"$W/app-$1.tar.gz"
    must "$RAMPART" attest --key "$K/builder.key" "${PASS[@]}" --builder-id "$BUILDER" --source-uri "$SOURCE" \
        --source-revision "refs/tags/v$1" --out "$W/app-$1.intoto.jsonl" "$W/app-$1.tar.gz"
    must "$RAMPART" repo add "$V" "$W/app-$1.tar.gz" --path "app/app-$1.tar.gz" --role product \
        --provenance "$W/app-$1.intoto.jsonl"
    must "$RAMPART" repo publish "$V" "${ONLINE[@]}"
}
tlog_setup_vendor
release 1.0.0
cp "$PUB/metadata/timestamp.json" "$W/timestamp-1.0.0.json" # kept for the replay attack
say "published: $(cd "$PUB/metadata" && ls | tr '\n' ' ')"

# ---------------------------------------------------------------- server
step "server: a local CA, nginx over HTTPS on loopback"
must openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 60 -subj "/CN=Rampart demo CA" \
    -keyout "$W/ca.key" -out "$W/ca.pem"
must openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=127.0.0.1" \
    -keyout "$W/server.key" -out "$W/server.csr"
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$W/ext.cnf"
must openssl x509 -req -in "$W/server.csr" -CA "$W/ca.pem" -CAkey "$W/ca.key" -CAcreateserial -days 60 \
    -extfile "$W/ext.cnf" -out "$W/server.pem"
mkdir -p "$W/www"
ln -s "$PUB" "$W/www/repo"
mkdir -p "$W/www/evil"
# /redirect/... answers with a redirect to plain http (an attacker downgrading the transport).
# HSTS on every answer, TLS 1.2 and 1.3 only, forward-secret AEAD suites
# only (what TLS-PROTOCOLS, TLS-CIPHERS and TLS-HSTS of `rampart assess` ask).
NGINX_TLS='ssl_protocols TLSv1.2 TLSv1.3; ssl_ciphers ECDHE+AESGCM:ECDHE+CHACHA20;'
NGINX_EXTRA='add_header Strict-Transport-Security "max-age=31536000" always;
        location /redirect/ { return 302 http://127.0.0.1:$server_port/repo/; }
        location /repo/ { disable_symlinks off; }'
nginx_start "$W/www" "$W/server.pem" "$W/server.key" || exit 1
say "nginx: $NGINX_URL (serving $PUB)"
MURL="$NGINX_URL/repo/metadata/"
TURL="$NGINX_URL/repo/targets/"

# ---------------------------------------------------------------- endpoint
client() { "$RAMPART" client --metadata-dir "$E/md" --ca-file "$W/ca.pem" "$@"; }
fetch_app() { # VERSION [extra client args...]
    local v=$1
    shift
    client --metadata-url "$MURL" --target-base-url "$TURL" --target-dir "$E/app" --target-name "app/app-$v.tar.gz" \
        "$@" download
}
step "endpoint: initialised with the vendor's root (obtained out of band) and its own witness policy"
tlog_endpoint_policy
must "$RAMPART" client --metadata-dir "$E/md" "${TLOG_CLIENT[@]}" init "$PUB/metadata/1.root.json"
if ! fetch_app 1.0.0 >"$W/first.out" 2>&1; then
    echo "demo: the first update failed:" >&2
    cat "$W/first.out" >&2
    exit 1
fi
[ $quiet -eq 1 ] || sed 's/^/  /' "$W/first.out"

# ---------------------------------------------------------------- scenarios
# Each scenario prints "EXPECTED|OUTCOME|CODE" on fd 3.
ROWS=()
snapshot_state() { rm -rf "$W/state.before"; cp -a "$E/md" "$W/state.before"; }
# MAY_CHANGE names files a scenario may legitimately update (e.g. a genuine
# new timestamp that verified before the attack was found).
MAY_CHANGE=""
state_unchanged() {
    local f
    for f in "$W/state.before"/* "$E/md"/*; do
        local b
        b=$(basename "$f")
        case " $MAY_CHANGE " in *" $b "*) continue ;; esac
        if [ -d "$W/state.before/$b" ] || [ -d "$E/md/$b" ]; then
            diff -rq "$W/state.before/$b" "$E/md/$b" >/dev/null || return 1
        else
            cmp -s "$W/state.before/$b" "$E/md/$b" || return 1
        fi
    done
    return 0
}
# expect_refusal CODE CMD...: the command must fail with CODE and leave the trusted state as it was.
expect_refusal() {
    local want=$1
    shift
    snapshot_state
    "$@" >"$W/attack.out" 2>&1
    local rc=$? code
    code=$(grep -o 'RAMPART_E[A-Z]*' "$W/attack.out" | tail -1)
    [ -n "$code" ] || code="exit $rc"
    [ $quiet -eq 1 ] || sed 's/^/  /' "$W/attack.out" | grep -v '^  *$' | tail -3
    if [ $rc -ne 0 ] && [ "$code" = "$want" ] && state_unchanged; then
        echo "refused|refused, state unchanged|$code" >&3
    elif [ $rc -ne 0 ] && [ "$code" = "$want" ]; then
        echo "refused|refused, but the trusted state changed|$code" >&3
    elif [ $rc -ne 0 ]; then
        echo "refused|refused with another error|$code" >&3
    else
        echo "refused|ACCEPTED|-" >&3
    fi
}
expect_success() { # DESCRIPTION-OF-OUTCOME CMD...
    local what=$1
    shift
    "$@" >"$W/ok.out" 2>&1
    local rc=$?
    [ $quiet -eq 1 ] || sed 's/^/  /' "$W/ok.out" | tail -6
    if [ $rc -eq 0 ]; then echo "updated|$what|OK" >&3; else
        echo "updated|FAILED|$(grep -o 'RAMPART_E[A-Z]*' "$W/ok.out" | tail -1)" >&3
    fi
}
# Runs a server-side change for the duration of one command, then undoes it.
backup() { cp -a "$1" "$W/backup.$(basename "$1")"; }
restore() { cp -a "$W/backup.$(basename "$1")" "$1"; }
latest() { ls "$PUB/metadata" | grep "\.$1\.json$" | sort -n | tail -1; }

# Brings the endpoint up to date with release 1.1.0 (what the update
# scenario does), so a scenario run alone starts from the same state.
catch_up() {
    release 1.1.0
    must fetch_app 1.1.0
}

sc_update() {
    step "update: the vendor releases 1.1.0; the endpoint updates"
    release 1.1.0
    expect_success "1.1.0 installed, every signature, hash and version verified" fetch_app 1.1.0
    cmp -s "$E/app/app/app-1.1.0.tar.gz" "$W/app-1.1.0.tar.gz" || echo "updated|WRONG BYTES|-" >&3
}

sc_tampered_package() {
    step "tampered package: same length, other bytes, on the server"
    catch_up
    local blob
    blob=$(find "$PUB/targets/app" -name '*.app-1.1.0.tar.gz' | head -1)
    backup "$blob"
    printf 'DEMO APPLICATION 1.1.0\n' >"$blob"
    rm -f "$E/app/app/app-1.1.0.tar.gz"
    expect_refusal RAMPART_EMISMATCH fetch_app 1.1.0
    [ -e "$E/app/app/app-1.1.0.tar.gz" ] && echo "refused|TAMPERED FILE INSTALLED|-" >&3
    restore "$blob"
}

sc_rollback() {
    step "rollback: a mirror replays the old timestamp of release 1.0.0"
    catch_up
    backup "$PUB/metadata/timestamp.json"
    cp "$W/timestamp-1.0.0.json" "$PUB/metadata/timestamp.json"
    expect_refusal RAMPART_EROLLBACK client --metadata-url "$MURL" refresh
    restore "$PUB/metadata/timestamp.json"
}

sc_freeze() {
    step "freeze: the server keeps serving the same metadata; two weeks pass on the endpoint"
    # (An ASan build must accept libfaketime ahead of its runtime.)
    expect_refusal RAMPART_EEXPIRED env "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
        faketime -f '+15d' "$RAMPART" client --metadata-dir "$E/md" --ca-file "$W/ca.pem" \
        --metadata-url "$MURL" refresh
}

sc_mix_and_match() {
    step "mix-and-match: a new release, but the snapshot served is yesterday's"
    must "$RAMPART" repo refresh-snapshot "$V" --key "$K/snapshot.key" --key "$K/timestamp.key" "${PASS[@]}"
    local cur prev
    cur=$(latest snapshot)
    prev=$(ls "$PUB/metadata" | grep '\.snapshot\.json$' | sort -n | tail -2 | head -1)
    backup "$PUB/metadata/$cur"
    cp "$PUB/metadata/$prev" "$PUB/metadata/$cur"
    # The genuine new timestamp verifies (and is kept) before the old snapshot is caught.
    MAY_CHANGE="timestamp.json"
    expect_refusal RAMPART_EMISMATCH client --metadata-url "$MURL" refresh
    MAY_CHANGE=""
    restore "$PUB/metadata/$cur"
}

sc_stolen_key() {
    step "stolen key: an attacker with one of the three root keys signs a new root"
    local n
    n=$(latest root | cut -d. -f1)
    # The attacker edits a copy of the repository and signs root N+1 with the one key held.
    cp -a "$V" "$W/attacker"
    must "$RAMPART" repo rotate "$W/attacker" --role timestamp --add-key "$K/attacker.pub"
    must "$RAMPART" repo export "$W/attacker" --role root --out "$W/evil-root.json"
    must "$RAMPART" metadata sign "$W/evil-root.json" --key "$K/root-3.key" "${PASS[@]}"
    must "$RAMPART" metadata sign "$W/evil-root.json" --key "$K/attacker.key" "${PASS[@]}"
    cp "$W/evil-root.json" "$PUB/metadata/$((n + 1)).root.json"
    expect_refusal RAMPART_EBADSIG client --metadata-url "$MURL" refresh
    rm -f "$PUB/metadata/$((n + 1)).root.json"
    rm -rf "$W/attacker"
}

sc_endless_data() {
    step "endless data: the timestamp never ends"
    backup "$PUB/metadata/timestamp.json"
    head -c $((64 << 20)) /dev/zero | tr '\0' ' ' >"$PUB/metadata/timestamp.json"
    expect_refusal RAMPART_ETOOLARGE client --metadata-url "$MURL" refresh
    restore "$PUB/metadata/timestamp.json"
}

sc_redirect_to_http() {
    step "downgrade: the server redirects to plain http://"
    expect_refusal RAMPART_EINSECURE client --metadata-url "$NGINX_URL/redirect/metadata/" refresh
}

sc_untrusted_tls() {
    step "TLS: a server whose certificate the endpoint does not trust (man in the middle)"
    expect_refusal RAMPART_ETLS "$RAMPART" client --metadata-dir "$E/md" --metadata-url "$MURL" refresh
}

sc_malicious_mirror() {
    step "mirrors: the first mirror serves a tampered release, the second is honest"
    release 1.1.1
    rm -rf "$W/www/evil"
    cp -a "$PUB" "$W/www/evil"
    local blob
    blob=$(find "$W/www/evil/targets/app" -name '*.app-1.1.1.tar.gz' | head -1)
    printf 'DEMO APPLICATION 1.1.1\n' >"$blob"
    printf '{"signatures":[],"signed":{}}' >"$W/www/evil/metadata/timestamp.json"
    expect_success "1.1.1 installed through mirror 2, fully verified" "$RAMPART" client --metadata-dir "$E/md" \
        --ca-file "$W/ca.pem" --metadata-url "$NGINX_URL/evil/metadata/" --metadata-url "$MURL" \
        --target-base-url "$NGINX_URL/evil/targets/" --target-base-url "$TURL" --target-dir "$E/app" \
        --target-name app/app-1.1.1.tar.gz download
    cmp -s "$E/app/app/app-1.1.1.tar.gz" "$W/app-1.1.1.tar.gz" || echo "updated|WRONG BYTES INSTALLED|-" >&3
}

sc_root_rotation() {
    step "root rotation: the vendor retires root-3 and adds root-4 (signed by old and new thresholds)"
    must "$RAMPART" repo rotate "$V" --role root --add-key "$K/root-4.pub" \
        --remove-key "$("$RAMPART" key show "$K/root-3.pub" | awk '/keyid/ {print $2}')"
    sign_root_offline root-1 root-2
    must "$RAMPART" repo publish "$V" "${ONLINE[@]}"
    expect_success "endpoint follows to root version $(latest root | cut -d. -f1)" client --metadata-url "$MURL" refresh
}

sc_forged_provenance() {
    step "forged provenance: the release keys are stolen, the build service's key is not"
    # The endpoint's policy: app/* must come with SLSA provenance signed by the
    # vendor's build service, built from the vendor's repository at the tag of
    # the release (docs/provenance.md).
    local builder=$BUILDER src=$SOURCE
    printf '{"keys": {"vendor-ci": %s},\n "default": {"provenance": "required", "keys": ["vendor-ci"],\n  "builder_ids": ["%s"], "source_uris": ["%s"], "version_tag": true}}\n' \
        "$(cat "$K/builder.pub")" "$builder" "$src" >"$E/provenance.json"
    # 1.2.0, built and attested by the vendor's CI, verifies under the policy.
    printf 'demo application 1.2.0\n' >"$W/app-1.2.0.tar.gz"
    must "$RAMPART" attest --key "$K/builder.key" "${PASS[@]}" --builder-id "$builder" --source-uri "$src" \
        --source-revision refs/tags/v1.2.0 --out "$W/app-1.2.0.intoto.jsonl" "$W/app-1.2.0.tar.gz"
    must "$RAMPART" repo add "$V" "$W/app-1.2.0.tar.gz" --path app/app-1.2.0.tar.gz --role product \
        --provenance "$W/app-1.2.0.intoto.jsonl"
    must "$RAMPART" repo publish "$V" "${ONLINE[@]}"
    must fetch_app 1.2.0 --policy "$E/provenance.json"
    say "  1.2.0 installed: provenance from $builder verified"
    # The thief signs a backdoored 1.2.1 with the vendor's own release keys,
    # and an attestation that claims the vendor's builder, with a key of its own.
    printf 'demo application 1.2.1 + backdoor\n' >"$W/app-1.2.1.tar.gz"
    must "$RAMPART" attest --key "$K/attacker.key" "${PASS[@]}" --builder-id "$builder" --source-uri "$src" \
        --source-revision refs/tags/v1.2.1 --out "$W/app-1.2.1.intoto.jsonl" "$W/app-1.2.1.tar.gz"
    must "$RAMPART" repo add "$V" "$W/app-1.2.1.tar.gz" --path app/app-1.2.1.tar.gz --role product \
        --provenance "$W/app-1.2.1.intoto.jsonl"
    must "$RAMPART" repo publish "$V" "${ONLINE[@]}"
    # Its TUF metadata is genuine (the vendor's keys signed it) and is kept,
    # with the log's newer checkpoint (1.2.1 is logged).
    MAY_CHANGE="timestamp.json snapshot.json targets.json product.json tlog"
    expect_refusal RAMPART_EPROVSIG fetch_app 1.2.1 --policy "$E/provenance.json"
    MAY_CHANGE=""
    [ -e "$E/app/app/app-1.2.1.tar.gz" ] && echo "refused|BACKDOORED RELEASE INSTALLED|-" >&3
    # The vendor withdraws it (and would rotate the stolen keys).
    must "$RAMPART" repo remove "$V" app/app-1.2.1.tar.gz --role product
    must "$RAMPART" repo remove "$V" app/app-1.2.1.tar.gz.intoto.jsonl --role product
    must "$RAMPART" repo publish "$V" "${ONLINE[@]}"
}

# What a procurement team would see: `rampart assess` of the vendor's
# channel over HTTPS, with the endpoint organisation's witness policy and
# its builders file (docs/assess.md).  The vendor's build service is a key
# on this machine, whose SLSA Build level nobody publishes: the endpoint
# organisation's security team has reviewed it and declares it Build L3 in
# its own builders file, with its public key, so TUF-SLSA-LEVEL passes only
# because every sampled attestation verifies with that key (docs/assess.md,
# "Builders the assessor has reviewed", and "The demo").  Every check
# passes: A on all five questions.
ASSESS_GRADES="A A A A A"
sc_assess() {
    step "assess: the vendor's channel graded on the five questions (HTTPS, the endpoint's witness policy and reviewed builders)"
    printf '{"version": 1,\n "keys": {"vendor-ci": %s},\n "builders": [{"id": "%s", "level": 3, "keys": ["vendor-ci"]}]}\n' \
        "$(cat "$K/builder.pub")" "${BUILDER%@*}@" >"$E/builders.json"
    say "  the endpoint's security team reviewed the vendor's build service: ${BUILDER%@*}@ declared SLSA Build L3 ($E/builders.json)"
    local args=(--min-grade A --ca-file "$W/ca.pem" --log-policy "$W/endpoint-tlog.policy" --builders "$E/builders.json"
        "$NGINX_URL/repo/")
    "$RAMPART" assess --json "${args[@]}" >"$W/assess.json" 2>"$W/assess.err"
    local rc=$? got
    [ $quiet -eq 1 ] || "$RAMPART" assess "${args[@]}" 2>&1 | sed -n '4,9p'
    got=$(python3 - "$W/assess.json" "$ASSESS_GRADES" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
g = " ".join(r["grades"][q] for q in ("transport", "signing", "manifest", "hashes", "provenance"))
bad = ["%s %s" % (c["id"], c["status"]) for c in r["checks"] if c["status"] != "pass"]
slsa = [c["evidence"] for c in r["checks"] if c["id"] == "TUF-SLSA-LEVEL"]
if not slsa or "declared in the builders file; attestation" not in slsa[0]:
    bad.append("TUF-SLSA-LEVEL not verified with the builders file")
print(g if not bad and g == sys.argv[2] else "GRADES %s; %s" % (g, ", ".join(bad) or "-"))
PY
)
    if [ $rc -eq 0 ] && [ "$got" = "$ASSESS_GRADES" ]; then
        echo "graded|T S M H P: $got|OK" >&3
    else
        [ $quiet -eq 1 ] || cat "$W/assess.err"
        echo "graded|${got:-NO REPORT (exit $rc)}|-" >&3
    fi
}

# The endpoint agent's rows (sc_health_revert ... sc_surprise_root).
source "$here/demo/demo_agent.sh"

describe() {
    case $1 in
        update) echo "release 1.0.0 -> 1.1.0" ;;
        tampered-package) echo "tampered package (same length)" ;;
        rollback) echo "replayed old timestamp" ;;
        freeze) echo "expired timestamp (freeze)" ;;
        mix-and-match) echo "snapshot from another day" ;;
        stolen-key) echo "root signed by 1 stolen key of 2" ;;
        endless-data) echo "endless response" ;;
        redirect-to-http) echo "redirect to plain http://" ;;
        untrusted-tls) echo "untrusted TLS certificate" ;;
        malicious-mirror) echo "malicious mirror 1, good mirror 2" ;;
        root-rotation) echo "root key rotation" ;;
        forged-provenance) echo "vendor-signed, forged provenance" ;;
        assess) echo "assess: the vendor's channel" ;;
        not-logged | forked-log | logged-release | stale-checkpoint) tlog_describe "$1" ;;
        health-revert) echo "agent: 1.1.0 fails its health check" ;;
        downgrade) echo "agent: signed older release offered" ;;
        tampered-audit) echo "agent: audit record edited" ;;
        surprise-root) echo "agent: unannounced root rotation" ;;
    esac
}

run_one() {
    local name=$1 fn="sc_${1//-/_}"
    exec 3>"$W/row"
    "$fn"
    exec 3>&-
    # the last line a scenario wrote wins if it reported a problem after its main row
    local line
    line=$(grep -v '^$' "$W/row" | awk -F'|' '$2 ~ /^[A-Z]/ {bad=$0} {last=$0} END {print (bad != "" ? bad : last)}')
    ROWS+=("$name|$line")
}

if [ -n "$only" ]; then
    run_one "$only"
else
    for s in "${SCENARIOS[@]}"; do run_one "$s"; done
fi

# ---------------------------------------------------------------- table
status=0
printf '\n%-36s %-9s %-48s %s\n' "ATTACK / EVENT" "EXPECTED" "OUTCOME" "CODE"
printf '%-36s %-9s %-48s %s\n' "--------------" "--------" "-------" "----"
for row in "${ROWS[@]}"; do
    IFS='|' read -r name expected outcome code <<<"$row"
    mark=ok
    case $expected in
        refused) case $outcome in "refused, state unchanged" | "refused, "*" stays active") ;; *) mark=MISMATCH ;; esac ;;
        updated | graded) [ "$code" = OK ] || mark=MISMATCH ;;
        # an event the endpoint must notice and handle: the scenario checked
        # the exact code; a problem is an upper-case outcome
        detected | reverted) case $outcome in [a-z]*) [[ $code == RAMPART_E* ]] || mark=MISMATCH ;; *) mark=MISMATCH ;; esac ;;
        *) mark=MISMATCH ;;
    esac
    [ $mark = ok ] || status=1
    printf '%-36s %-9s %-48s %s%s\n' "$(describe "$name")" "$expected" "$outcome" "$code" \
        "$([ $mark = ok ] || echo "   <-- MISMATCH")"
done
if [ $status -eq 0 ]; then
    printf '\nEvery attack was refused, every event detected and every legitimate update verified.\n'
else
    printf '\nSOME ROWS DID NOT MATCH.\n'
fi
exit $status
