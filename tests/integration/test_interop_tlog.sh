#!/usr/bin/env bash
# test_interop_tlog.sh - the transparency log against Go's implementation,
# golang.org/x/mod/sumdb/note and sumdb/tlog (Debian's golang-go and
# golang-golang-x-mod-dev, installed by scripts/bootstrap, used offline):
#   - Rampart builds a 1000-entry tree, signs a checkpoint (log signature
#     and a witness cosignature) and writes tree hashes, inclusion and
#     consistency proofs (tests/interop/tlog_interop.c gen);
#   - Go checks every tree hash, the checkpoint (the cosignature line is
#     ignored as unknown), refuses a tampered one, checks every proof and
#     finds it equal to its own (tests/interop/go/tlogcheck.go);
#   - Rampart verifies Go's tree hashes, a checkpoint Go signed with two
#     keys (one unknown to Rampart), refuses a tampered one, and verifies
#     Go's proofs (tlog_interop verify).
# Skipped (77) only when go is not installed.
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/lib/common.sh"
: "${RAMPART_BUILD:?}"
command -v go >/dev/null 2>&1 || t_skip "go is not installed"
TOOL=$RAMPART_BUILD/tests/tlog_interop
GOSRC=/usr/share/gocode
if [ ! -d "$GOSRC/src/golang.org/x/mod/sumdb/tlog" ]; then
    t_bad "golang.org/x/mod is not in $GOSRC: install golang-golang-x-mod-dev (scripts/bootstrap)"
    t_done
    exit 1
fi
cd "$T_WORK" || exit 1
mkdir -p data gocache

if "$TOOL" gen data; then t_ok "rampart wrote a signed checkpoint, tree hashes and proofs"; else t_bad "tlog_interop gen"; fi
# GOPATH mode over Debian's packaged sources: no network, no module proxy.
if out=$(GO111MODULE=off GOPATH=$GOSRC GOCACHE=$T_WORK/gocache GOPROXY=off GOFLAGS= \
    nice go run "$here/interop/go/tlogcheck.go" data 2>&1); then
    t_ok "go: $out"
else
    t_bad "go refused Rampart's log data: $out"
fi
if out=$("$TOOL" verify data 2>&1); then t_ok "$out"; else t_bad "rampart refused Go's log data: $out"; fi

# The negative checks above must be able to fail: a tampered root line in
# Rampart's checkpoint makes Go refuse it.
sed -i '3s/^./X/' data/checkpoint 2>/dev/null
if GO111MODULE=off GOPATH=$GOSRC GOCACHE=$T_WORK/gocache GOPROXY=off GOFLAGS= \
    nice go run "$here/interop/go/tlogcheck.go" data >/dev/null 2>&1; then
    t_bad "go accepted a checkpoint whose root line was changed"
else
    t_ok "go refuses a checkpoint whose root line was changed"
fi
# A repository's published log (rampart repo publish): Go verifies its
# checkpoint with the log's vkey and a target's tlog-proof file.
if [ -n "${RAMPART:-}" ] && python3 -c 'import cryptography' 2>/dev/null; then
    source "$here/lib/repo.sh"
    r_init repo && r_keys_of ed25519 log || t_bad "repository keys"
    "$RAMPART" repo log repo --init --origin example.com/interop --key "$(K log pub)" >vkey || t_bad "repo log"
    printf 'release one\n' >app.tar.gz
    printf 'two\n' >two.txt
    "$RAMPART" repo add repo app.tar.gz >/dev/null && "$RAMPART" repo add repo two.txt >/dev/null || t_bad "repo add"
    "$RAMPART" repo publish repo --key "$(K root key)" --key "$(K targets key)" --key "$(K snapshot key)" \
        --key "$(K timestamp key)" --key "$(K log key)" >/dev/null 2>&1 || t_bad "repo publish"
    sha=$(sha256sum app.tar.gz | cut -d' ' -f1)
    printf '{"hashes":{"sha256":"%s"},"length":12,"path":"app.tar.gz","role":"targets","type":"rampart.log-entry/v1","version":1}' \
        "$sha" >entry
    gopub() {
        GO111MODULE=off GOPATH=$GOSRC GOCACHE=$T_WORK/gocache GOPROXY=off GOFLAGS= \
            nice go run "$here/interop/gopub/tlogpub.go" "$(cat vkey)" repo/public/log/checkpoint "$1" "$2" 2>&1
    }
    if out=$(gopub "repo/public/targets/$sha.app.tar.gz.tlog-proof" entry); then
        t_ok "go verifies a published checkpoint and tlog-proof: $out"
    else
        t_bad "go refused the published log: $out"
    fi
    printf 'x' >>entry
    if out=$(gopub "repo/public/targets/$sha.app.tar.gz.tlog-proof" entry); then
        t_bad "go accepted the proof for another entry"
    else
        t_ok "go refuses the proof for another entry"
    fi
fi
t_done
