#!/usr/bin/env bash
# test_interop_pythontuf.sh - interoperability with python-tuf's ngclient,
# on the same repositories as test_interop_tufjs.sh (tests/lib/interop.sh:
# ed25519, ECDSA and RSA keys; flat with custom metadata holding escapes and
# control characters, nested delegations, hash bins, root rotations, a
# rebuilt public/), each also read by `rampart client`.
#
# Optional: python-tuf cannot be installed from the package registries CI
# has, and it is never part of this repository.  The test runs when the
# sources of python-tuf and securesystemslib are in $RAMPART_PEERS (default
# ~/.cache/rampart-peers; the conformance set-up puts them there) and the
# python3 found first imports them (it needs cryptography and urllib3);
# otherwise it is skipped (77).
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/lib/common.sh"
source "$here/lib/repo.sh"
source "$here/lib/interop.sh"
: "${RAMPART:?}"
peers=${RAMPART_PEERS:-${XDG_CACHE_HOME:-$HOME/.cache}/rampart-peers}
[ -d "$peers/python-tuf/tuf" ] && [ -d "$peers/securesystemslib/securesystemslib" ] ||
    t_skip "python-tuf is not set up in $peers"
export PYTHONPATH="$peers/python-tuf:$peers/securesystemslib${PYTHONPATH:+:$PYTHONPATH}"
python3 -c 'from tuf.ngclient import Updater' 2>/dev/null ||
    t_skip "python3 cannot import python-tuf from $peers (it needs cryptography and urllib3)"
version=$(python3 -c 'import tuf; print(tuf.__version__)')
echo "# python-tuf $version from $peers"
PYTUF=$here/interop/pythontuf_client.py
cd "$T_WORK" || exit 1

# pytuf NAME METADATA_URL TARGET_URL DIR ROOT TARGET...: a fresh python-tuf client
pytuf() {
    local name=$1 mdurl=$2 turl=$3 dir=$4 root=$5
    shift 5
    mkdir -p "$dir/md" "$dir/dl" && cp "$root" "$dir/md/root.json" &&
        python3 "$PYTUF" "$dir/md" "$mdurl" "$turl" "$dir/dl" "$@"
}

# Under valgrind (scripts/valgrind) and in the sanitizer build the point is
# Rampart's memory, not the peer's verdict, which the release build's run
# gives for every key type: one key type is built there (rsa under valgrind,
# ecdsa under ASan+UBSan here; the other interop test takes the others), so
# that CI stays within its time.
keytypes="ed25519 ecdsa rsa"
[ "${RAMPART_SANITIZE:-OFF}" = ON ] && keytypes=ecdsa
[ -n "${RAMPART_UNDER_VALGRIND:-}" ] && keytypes=rsa
for kt in $keytypes; do
    ip_build "$kt"
done
ip_check "python-tuf $version" pytuf

t_done
