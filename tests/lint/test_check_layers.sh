#!/usr/bin/env bash
# test_check_layers.sh - scripts/check-layers, which scripts/lint runs: it
# passes clean trees (the repository's own src/, and small made-up trees
# with and without src/keys/) and fails, naming file, line and include, on
# an upward include, a client <-> repo include, a cycle between folders, a
# quoted include of a folder that does not exist and a folder of src/ that
# has no layer.
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/lib/common.sh"
command -v python3 >/dev/null || t_skip "python3 not installed"
src_root=${RAMPART_SRC:-$(cd "$here/.." && pwd)}
check=$src_root/scripts/check-layers

# put TREE FILE TEXT...: writes FILE below TREE/src, one line per TEXT.
put() {
    local tree=$1 file=$2
    shift 2
    mkdir -p "$(dirname "$tree/src/$file")"
    printf '%s\n' "$@" >"$tree/src/$file"
}

# A clean tree of every layer: each folder includes only lower ones, its
# own headers, public headers and system headers.
clean_tree() {
    local t=$1
    put "$t" util/buf.h '#include <stddef.h>' '#include "rampart/error.h"'
    put "$t" crypto/hash.c '#include <openssl/evp.h>' '#include "crypto/hash.h"' '#include "util/buf.h"'
    put "$t" crypto/hash.h '#include "util/buf.h"'
    put "$t" keys/key.c '#include "crypto/hash.h"' '#include "keys/key.h"'
    put "$t" keys/key.h '#include "util/buf.h"'
    put "$t" tuf/md.c '#include "keys/key.h"' '#include "tuf/md.h"' '#  include "util/buf.h"'
    put "$t" tuf/md.h '#include "util/buf.h"'
    put "$t" prov/dsse.c '#include "tuf/md.h"' '#include "keys/key.h"'
    put "$t" client/refresh.c '#include "prov/prov.h"' '#include "tuf/md.h"' '#include "rampart/client.h"'
    put "$t" repo/publish.c '#include "prov/prov.h"' '#include "keys/key.h"' '#include <jansson.h>'
    put "$t" api/metadata.c '#include "client/store.h"' '#include "repo/rfile.h"' '#include "util/buf.h"'
}

# expect NAME TREE STATUS [TEXT...]: check-layers on TREE exits with STATUS
# and prints every TEXT (fixed strings).
expect() {
    local name=$1 tree=$2 want=$3
    shift 3
    t_expect_run "$name" "$want" "$@" -- python3 "$check" "$tree"
}

# The repository's own tree.
cp -R "$src_root/src" "$T_WORK/real-src"
mkdir -p "$T_WORK/real" && mv "$T_WORK/real-src" "$T_WORK/real/src"
expect "the repository's src/ is layered" "$T_WORK/real" 0 "no upward or sibling include, no cycle"

# Made-up clean trees, with and without src/keys/.
clean_tree "$T_WORK/clean"
expect "a clean tree passes" "$T_WORK/clean" 0 "check-layers: 11 files" "no upward or sibling include, no cycle"
cp -R "$T_WORK/clean" "$T_WORK/nokeys"
rm -r "$T_WORK/nokeys/src/keys"
sed -i '/keys\//d' "$T_WORK/nokeys"/src/*/*.c
expect "a tree without src/keys/ passes" "$T_WORK/nokeys" 0 "no upward or sibling include, no cycle"

# An upward include: the sans-I/O core reaching into the client.
cp -R "$T_WORK/clean" "$T_WORK/up"
put "$T_WORK/up" tuf/trusted.c '#include <string.h>' '' '#include "client/store.h"' '#include "tuf/md.h"'
expect "an upward include fails" "$T_WORK/up" 1 \
    'src/tuf/trusted.c:3: #include "client/store.h": upward include: tuf (layer 3, tuf/tlog) must not include client (layer 5, client/repo)' \
    "cycle between folders client, prov, tuf: client -> tuf -> client (client -> tuf at src/client/refresh.c:2; tuf -> client at src/tuf/trusted.c:3)" \
    "check-layers: 2 problem(s)"

# The same in the real tree: crypto including a keys header.
cp -R "$T_WORK/real" "$T_WORK/real-up"
f=$(cd "$T_WORK/real-up" && find src/crypto -name '*.c' | sort | head -1)
sed -i '1i #include "tuf/md.h"' "$T_WORK/real-up/$f"
expect "an upward include in a copy of src/ fails" "$T_WORK/real-up" 1 \
    "$f:1: #include \"tuf/md.h\": upward include: crypto (layer 1, crypto) must not include tuf (layer 3, tuf/tlog)"

# Siblings: client and repo never include each other, in either direction.
cp -R "$T_WORK/clean" "$T_WORK/sib"
put "$T_WORK/sib" client/download.c '#include "repo/rfile.h"'
put "$T_WORK/sib" repo/fetch.c '/* fetch */' '#include "client/store.h"'
expect "client and repo including each other fail" "$T_WORK/sib" 1 \
    'src/client/download.c:1: #include "repo/rfile.h": sibling include: client and repo share a layer' \
    'src/repo/fetch.c:2: #include "client/store.h": sibling include: repo and client share a layer' \
    "cycle between folders client, repo: client -> repo -> client (client -> repo at src/client/download.c:1; repo -> client at src/repo/fetch.c:2)" \
    "check-layers: 3 problem(s)"

# A cycle through three folders (one upward include closes it).
cp -R "$T_WORK/clean" "$T_WORK/cycle"
put "$T_WORK/cycle" util/log.c '#include "prov/prov.h"'
expect "a cycle between folders is reported" "$T_WORK/cycle" 1 \
    'src/util/log.c:1: #include "prov/prov.h": upward include: util (layer 0, util) must not include prov' \
    "cycle between folders crypto, keys, prov, tuf, util: crypto -> util -> prov -> keys -> crypto"

# A folder without a layer, and a quoted include of a folder that is not there.
cp -R "$T_WORK/clean" "$T_WORK/unknown"
put "$T_WORK/unknown" sidecar/note.c '#include "util/buf.h"'
put "$T_WORK/unknown" tuf/match.c '#include "tuff/md.h"'
expect "a new folder needs a layer; an unknown folder is refused" "$T_WORK/unknown" 1 \
    "src/sidecar/: folder has no layer; place it in LAYERS in scripts/check-layers" \
    'src/tuf/match.c:1: #include "tuff/md.h": no folder src/tuff/' "check-layers: 2 problem(s)"

# No src/ at all.
mkdir -p "$T_WORK/empty"
expect "a tree without src/ is a usage error" "$T_WORK/empty" 2 "check-layers: no src/ folder in"
t_done
