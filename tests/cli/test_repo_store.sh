#!/usr/bin/env bash
# test_repo_store.sh - how `repo add` stores a folder (src/repo/repo_store.c,
# docs/repo.md "Scale"): only regular files are added (symlinks, also to
# folders, and FIFOs are left out, never followed); each blob holds exactly
# its bytes; a blob cut short or damaged (as a crash during an earlier add
# can leave it) is replaced when the same bytes are added again; equal
# contents share one blob; served targets are 0644 whatever the umask.
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/lib/common.sh"
source "$here/lib/repo.sh"
: "${RAMPART:?}"
cd "$T_WORK" || exit 1

repo=$T_WORK/repo
r_init "$repo" --bins 4 --bins-key "$(K targets pub)" || t_bad "init"
mkdir -p src/sub outside
echo "alpha" >src/a.txt
echo "beta" >src/sub/b.txt
echo "alpha" >src/sub/same.txt
echo "secret" >outside/secret.txt
ln -s "$T_WORK/outside/secret.txt" src/link.txt
ln -s "$T_WORK/outside" src/linkdir
mkfifo src/fifo

t_run "add a folder with symlinks and a FIFO" 0 - "$RAMPART" repo add "$repo" src --path pkgs
t_run "list" 0 - "$RAMPART" repo list "$repo"
got=$(cut -f1 "$T_WORK/out" | sort | tr '\n' ' ')
[ "$got" = "pkgs/a.txt pkgs/sub/b.txt pkgs/sub/same.txt " ] && t_ok "only the regular files are targets" ||
    t_bad "targets: '$got'"

blob() { # blob FILE: the path of FILE's blob in the repository
    local h
    h=$(sha256sum "$1" | cut -c1-64)
    echo "$repo/blobs/${h:0:2}/$h"
}
t_same "blob of a.txt holds its bytes" "$(blob src/a.txt)" src/a.txt
t_same "blob of sub/b.txt holds its bytes" "$(blob src/sub/b.txt)" src/sub/b.txt
[ "$(find "$repo/blobs" -type f | wc -l)" = 2 ] && t_ok "equal contents share one blob" ||
    t_bad "blobs: $(find "$repo/blobs" -type f | wc -l), expected 2"
! grep -rq secret "$repo/blobs" && t_ok "nothing behind a symlink was stored" || t_bad "a symlink was followed"

# A blob cut short (created, never written: a crash before the sync).
: >"$(blob src/a.txt)"
t_run "add again over an empty blob" 0 - "$RAMPART" repo add "$repo" src/a.txt --path pkgs/a.txt --replace
t_same "the empty blob holds its bytes again" "$(blob src/a.txt)" src/a.txt
# A blob damaged with its length unchanged.
printf 'ALPHA\n' >"$(blob src/a.txt)"
t_run "add again over a damaged blob" 0 - "$RAMPART" repo add "$repo" src/a.txt --path pkgs/copy.txt
t_same "the damaged blob holds its bytes again" "$(blob src/a.txt)" src/a.txt

t_run "a FIFO given by name" 1 RAMPART_EPATH "$RAMPART" repo add "$repo" src/fifo --path pkgs/fifo
t_run "a symlink given by name" 1 RAMPART_EPATH "$RAMPART" repo add "$repo" src/link.txt --path pkgs/l

# Served targets are 0644 even when the umask would take bits away.
# shellcheck disable=SC2046
(umask 077 && "$RAMPART" repo publish "$repo" --key "$(K root key)" --key "$(K targets key)" \
    --key "$(K snapshot key)" --key "$(K timestamp key)" >/dev/null 2>&1) && t_ok "publish under umask 077" ||
    t_bad "publish under umask 077 failed"
modes=$(find "$repo/public/targets" -type f -printf '%m\n' | sort -u | tr '\n' ' ')
[ "$modes" = "644 " ] && t_ok "served targets are 0644" || t_bad "served modes: '$modes'"
[ "$(find "$repo/public/targets" -type f | wc -l)" = 4 ] && t_ok "four targets served" ||
    t_bad "served: $(find "$repo/public/targets" -type f | wc -l), expected 4"

t_done
