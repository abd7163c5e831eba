#!/usr/bin/env bash
# test_interop_tufjs.sh - interoperability: tuf-js 5.0.1 (an independent TUF
# client, pinned in tests/interop/package-lock.json and installed by
# scripts/bootstrap) and `rampart client` both refresh and download targets
# from repositories made by `rampart repo`, served over loopback HTTP:
# a flat repository, nested delegations, succinct hash bins (TAP 15), and
# the flat repository after a root key rotation (signed offline).
# Skipped (77) only when node is not installed.
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/lib/common.sh"
source "$here/lib/repo.sh"
: "${RAMPART:?}"
command -v node >/dev/null 2>&1 || t_skip "node/tuf-js not installed (no node)"
TUFJS=$here/interop/tufjs_client.js
if [ ! -d "$here/interop/node_modules/tuf-js" ]; then
    t_bad "tuf-js is not installed in tests/interop: run scripts/bootstrap (npm ci)"
    t_done
    exit 1
fi
cd "$T_WORK" || exit 1

# both NAME REPO ROOT_FILE TARGET... : a fresh tuf-js client and a fresh
# rampart client, each trusting ROOT_FILE, download every TARGET; the bytes
# are compared with the originals in src/.
both() {
    local name=$1 repo=$2 root=$3
    shift 3
    r_serve "$repo/public" || return 1
    rm -rf "tj-$name" "rc-$name" "rc-$name.dl"
    mkdir -p "tj-$name/md"
    cp "$root" "tj-$name/md/root.json"
    t_run "$name: tuf-js" 0 - node "$TUFJS" "tj-$name/md" "http://127.0.0.1:$R_PORT/metadata/" \
        "http://127.0.0.1:$R_PORT/targets/" "tj-$name/dl" "$@"
    "$RAMPART" client --metadata-dir "rc-$name" init "$root" >/dev/null
    local args=() t
    for t in "$@"; do args+=(--target-name "$t"); done
    t_run "$name: rampart client" 0 - r_client "rc-$name" "${args[@]}" download
    for t in "$@"; do
        cmp -s "tj-$name/dl/$t" "src/$t" && cmp -s "rc-$name.dl/$t" "src/$t" && t_ok "$name: $t bytes" ||
            t_bad "$name: $t differs"
    done
    r_stop
}

mkfile() { mkdir -p "src/$(dirname "$1")" && printf '%s\n' "$1 $RANDOM" >"src/$1"; }

r_keys root root2 root3 targets snapshot timestamp dev qa bins
online="--key $(K snapshot key) --key $(K timestamp key)"

# 1. flat
flat=$T_WORK/flat
r_init "$flat" --sha512 || t_bad "init flat"
for f in app-1.0.tar.gz docs/guide.pdf "with space/é.txt"; do mkfile "$f"; done
"$RAMPART" repo add "$flat" src/app-1.0.tar.gz --path app-1.0.tar.gz >/dev/null &&
    "$RAMPART" repo add "$flat" src/docs --path docs --custom '{"kind":"doc"}' >/dev/null &&
    "$RAMPART" repo add "$flat" "src/with space" --path "with space" >/dev/null || t_bad "add flat"
# shellcheck disable=SC2086
"$RAMPART" repo publish "$flat" --key "$(K root key)" --key "$(K targets key)" $online >/dev/null ||
    t_bad "publish flat"
cp "$flat/public/metadata/1.root.json" flat-root-1.json
both flat "$flat" flat-root-1.json app-1.0.tar.gz docs/guide.pdf "with space/é.txt"

# 2. nested delegations: targets -> dev -> qa
nested=$T_WORK/nested
r_init "$nested" || t_bad "init nested"
"$RAMPART" repo delegate "$nested" --name dev --key "$(K dev pub)" --paths 'dev/*' --paths 'dev/qa/*' \
    >/dev/null || t_bad "delegate dev"
"$RAMPART" repo delegate "$nested" --name qa --delegator dev --key "$(K qa pub)" --paths 'dev/qa/*' \
    --terminating >/dev/null || t_bad "delegate qa"
mkfile top.bin
mkfile dev/tool.bin
mkfile dev/qa/check.bin
"$RAMPART" repo add "$nested" src/top.bin --path top.bin >/dev/null &&
    "$RAMPART" repo add "$nested" src/dev/tool.bin --path dev/tool.bin --role dev >/dev/null &&
    "$RAMPART" repo add "$nested" src/dev/qa/check.bin --path dev/qa/check.bin --role qa >/dev/null ||
    t_bad "add nested"
# shellcheck disable=SC2086
"$RAMPART" repo publish "$nested" --key "$(K root key)" --key "$(K targets key)" --key "$(K dev key)" \
    --key "$(K qa key)" $online >/dev/null || t_bad "publish nested"
both nested "$nested" "$nested/public/metadata/1.root.json" top.bin dev/tool.bin dev/qa/check.bin

# 3. succinct hash bins
binsrepo=$T_WORK/bins
r_init "$binsrepo" --bins 64 --bins-key "$(K bins pub)" || t_bad "init bins"
mkdir -p src/pkgs
for i in $(seq 1 40); do mkfile "pkgs/p$i.deb"; done
"$RAMPART" repo add "$binsrepo" src/pkgs --path pkgs >/dev/null || t_bad "add bins"
# shellcheck disable=SC2086
"$RAMPART" repo publish "$binsrepo" --key "$(K root key)" --key "$(K targets key)" --key "$(K bins key)" \
    $online >/dev/null || t_bad "publish bins"
both bins "$binsrepo" "$binsrepo/public/metadata/1.root.json" pkgs/p1.deb pkgs/p17.deb pkgs/p40.deb

# 4. the flat repository after a root key rotation (root -> root2, 1 -> 2
# keys with threshold 2 -> back to one key), signed offline; clients still
# start from root version 1 and must follow 1 -> 2 -> 3.
rootid=$("$RAMPART" key show "$(K root pub)" | awk '/^keyid/{print $2}')
"$RAMPART" repo rotate "$flat" --role root --add-key "$(K root2 pub)" --add-key "$(K root3 pub)" \
    --remove-key "$rootid" --threshold 2 >/dev/null || t_bad "rotate root"
"$RAMPART" repo export "$flat" --role root --out root2.json >/dev/null || t_bad "export"
for k in root root2 root3; do "$RAMPART" metadata sign root2.json --key "$(K $k key)" >/dev/null; done
"$RAMPART" repo import "$flat" root2.json >/dev/null || t_bad "import"
# shellcheck disable=SC2086
"$RAMPART" repo publish "$flat" $online >/dev/null || t_bad "publish root 2"
root3id=$("$RAMPART" key show "$(K root3 pub)" | awk '/^keyid/{print $2}')
"$RAMPART" repo rotate "$flat" --role root --remove-key "$root3id" --threshold 1 >/dev/null || t_bad "rotate 3"
mkfile app-1.1.tar.gz
"$RAMPART" repo add "$flat" src/app-1.1.tar.gz --path app-1.1.tar.gz >/dev/null || t_bad "add 1.1"
# shellcheck disable=SC2086
"$RAMPART" repo publish "$flat" --key "$(K root2 key)" --key "$(K root3 key)" --key "$(K targets key)" \
    $online >/dev/null || t_bad "publish root 3"
[ -e "$flat/public/metadata/3.root.json" ] && t_ok "root version 3 published" || t_bad "no 3.root.json"
both rotated "$flat" flat-root-1.json app-1.0.tar.gz app-1.1.tar.gz

t_done
