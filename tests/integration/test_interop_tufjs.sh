#!/usr/bin/env bash
# test_interop_tufjs.sh - interoperability: tuf-js 5.0.1 (an independent TUF
# client, pinned in tests/interop/package-lock.json and installed by
# scripts/bootstrap) and `rampart client` both refresh and download targets
# from repositories made by `rampart repo` with ed25519, ECDSA and RSA keys,
# served over loopback HTTP: flat (with custom metadata holding escapes and
# control characters), nested delegations, succinct hash bins (TAP 15), root
# rotations signed offline, and a public/ rebuilt by publishing
# (tests/lib/interop.sh builds them).
# Skipped (77) only when node is not installed.
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/lib/common.sh"
source "$here/lib/repo.sh"
source "$here/lib/interop.sh"
: "${RAMPART:?}"
command -v node >/dev/null 2>&1 || t_skip "node/tuf-js not installed (no node)"
TUFJS=$here/interop/tufjs_client.js
if [ ! -d "$here/interop/node_modules/tuf-js" ]; then
    t_bad "tuf-js is not installed in tests/interop: run scripts/bootstrap (npm ci)"
    t_done
    exit 1
fi
cd "$T_WORK" || exit 1

# tufjs NAME METADATA_URL TARGET_URL DIR ROOT TARGET...: a fresh tuf-js client
tufjs() {
    local name=$1 mdurl=$2 turl=$3 dir=$4 root=$5
    shift 5
    mkdir -p "$dir/md" && cp "$root" "$dir/md/root.json" &&
        node "$TUFJS" "$dir/md" "$mdurl" "$turl" "$dir/dl" "$@"
}

# Under valgrind (scripts/valgrind) and in the sanitizer build the point is
# Rampart's memory, not the peer's verdict, which the release build's run
# gives for every key type: one key type is built there (ecdsa under valgrind,
# rsa under ASan+UBSan here; the other interop test takes the others), so
# that CI stays within its time.
keytypes="ed25519 ecdsa rsa"
[ "${RAMPART_SANITIZE:-OFF}" = ON ] && keytypes=rsa
[ -n "${RAMPART_UNDER_VALGRIND:-}" ] && keytypes=ecdsa
for kt in $keytypes; do
    ip_build "$kt"
done
ip_check tuf-js tufjs

t_done
