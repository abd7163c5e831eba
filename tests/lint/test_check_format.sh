#!/usr/bin/env bash
# test_check_format.sh - scripts/check-format, which scripts/lint runs: it
# passes a tree laid out as .clang-format says, fails (exit 1, naming the
# file and showing the diff) on one that is not, rewrites it with --fix
# (after which it passes), refuses a tree without .clang-format or an
# unknown option (exit 2), and reads only the C files git tracks.
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/lib/common.sh"
command -v clang-format >/dev/null || t_skip "clang-format not installed"
command -v git >/dev/null || t_skip "git not installed"
src_root=${RAMPART_SRC:-$(cd "$here/.." && pwd)}
check=$src_root/scripts/check-format

# expect NAME STATUS TEXT... -- ARGS...: check-format ARGS exits with STATUS
# and prints every TEXT (fixed strings).
expect() {
    local name=$1 want=$2
    shift 2
    local texts=()
    while [ "$1" != -- ]; do texts+=("$1"); shift; done
    shift
    t_expect_run "$name" "$want" "${texts[@]+"${texts[@]}"}" -- "$check" "$@"
}

tree=$T_WORK/tree
mkdir -p "$tree/src/util" "$tree/cli"
cp "$src_root/.clang-format" "$tree/"
printf '%s\n' '/* good.c */' 'int good(int a)' '{' '    return a + 1;' '}' >"$tree/src/util/good.c"
printf '%s\n' 'int bad(int a){return a+1;}' >"$tree/cli/bad.c"
printf '%s\n' 'int untracked(int a){return a;}' >"$tree/src/util/untracked.c"
git -C "$tree" init -q
git -C "$tree" add .clang-format src/util/good.c cli/bad.c

expect "a misformatted file fails, named, with its diff" 1 \
    "check-format: cli/bad.c differs from clang-format:" "-int bad(int a){return a+1;}" \
    "check-format: 1 of 2 files differ" -- "$tree"
if grep -q untracked "$T_WORK/out"; then t_bad "an untracked file was read"; else t_ok "an untracked file is not read"; fi
expect "--fix rewrites it" 0 "check-format: rewrote cli/bad.c" -- --fix "$tree"
printf '%s\n' 'int bad(int a)' '{' '    return a + 1;' '}' >"$T_WORK/want.c"
t_same "the rewritten file is clang-format's" "$tree/cli/bad.c" "$T_WORK/want.c"
expect "the tree then passes" 0 "check-format: 2 files laid out as .clang-format says" -- "$tree"
rm "$tree/.clang-format"
expect "a tree without .clang-format is a usage error" 2 "no .clang-format in" -- "$tree"
expect "an unknown option is a usage error" 2 "usage: scripts/check-format [--fix] [ROOT]" -- --bogus

t_done
