#!/usr/bin/env bash
# bench/tlog_client_bench.sh - the CPU time and requests the transparency
# log adds to a one-target download from a 1,000,000-entry log, cold and
# warm (docs/transparency.md, "Cost").  Builds a repository with two
# targets logged in a log written by tests/support/tools/mktlog (999,998
# fillers, cosigned by 2 of 3 test witnesses): new.bin, the newest release,
# at entry 999,999 (the last), and old.bin at entry 500,000; serves both
# with nginx on loopback and runs build/release/bench/bench_tlog_client for
# each, which measures in-process CPU time with and without the policy.
#
#   bench/tlog_client_bench.sh [RUNS]      (default 9)
# Needs a release build (build/release).  Never part of ctest.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$here/build/release
RAMPART=$build/cli/rampart
MKTLOG=$build/tests/mktlog
runs=${1:-9}
source "$here/tests/lib/nginx.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/rampart-tlogbench.XXXXXX")
trap 'nginx_stop; rm -rf "$work"' EXIT
cd "$work"
mkdir keys
for k in root targets snapshot timestamp; do
    "$RAMPART" key generate --no-passphrase --type ed25519 "keys/$k" >/dev/null
done
"$RAMPART" repo init repo --root-key keys/root.pub --targets-key keys/targets.pub \
    --snapshot-key keys/snapshot.pub --timestamp-key keys/timestamp.pub >/dev/null
entry() { # NAME: the log entry of target NAME
    printf '{"hashes":{"sha256":"%s"},"length":65536,"path":"%s","role":"targets","type":"rampart.log-entry/v1","version":1}\n' \
        "$(sha256sum "$1" | cut -d' ' -f1)" "$1"
}
head -c 65536 /dev/urandom >old.bin
head -c 65536 /dev/urandom >new.bin
"$RAMPART" repo add repo old.bin --path old.bin --custom '{"rampart_log":{"index":500000,"version":1}}' >/dev/null
"$RAMPART" repo add repo new.bin --path new.bin --custom '{"rampart_log":{"index":999999,"version":1}}' >/dev/null
"$RAMPART" repo publish repo --key keys/root.key --key keys/targets.key --key keys/snapshot.key \
    --key keys/timestamp.key >/dev/null
entry old.bin >entries
entry new.bin >last
"$MKTLOG" keys tk >/dev/null
start=$(date +%s.%N)
size=$("$MKTLOG" build tk repo/public/log --fill 500000 --entries entries --more 499998 --last last --cosign 1,2 \
    --time "$(date +%s)" --no-bundles)
end=$(date +%s.%N)
echo "log of $size entries written in $(echo "$end - $start" | bc) s ($(find repo/public/log -type f | wc -l) files)"
nginx_start "$work/repo/public"
for t in new.bin old.bin; do
    mkdir "run-$t"
    echo "== $t"
    "$build/bench/bench_tlog_client" "$NGINX_URL/metadata/" "$NGINX_URL/targets/" repo/public/metadata/1.root.json \
        tk/policy "$t" "run-$t" "$runs"
    echo "log requests of the last warm run, as the server saw them:"
    tac "$NGINX_DIR/access.log" | awk '$7 ~ /^\/log\// {print "  " $7, $9, $10} $7 ~ /^\/log\/checkpoint/ {exit}' | tac
done
