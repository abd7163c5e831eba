#!/usr/bin/env bash
# test_check_matrix.sh - scripts/check-matrix, which scripts/lint runs: it
# passes a copy of the repository and fails, naming file and line, when a
# copy is broken in each way it guards against: an ID cited but not
# defined, a row missing or defined twice, a row with neither a test nor
# "not covered", a test file or test function that does not exist (or is
# not run), a cited document that is not in the repository, and a citation
# of a note kept outside it.
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/lib/common.sh"
src_root=${RAMPART_SRC:-$(cd "$here/.." && pwd)}
check=$src_root/scripts/check-matrix
M=docs/security-matrix.md

# fresh NAME: a copy of the repository's sources and docs in $T_WORK/NAME
# (without the fuzz corpora and npm packages, which the check does not
# read).  The bad IDs and paths below are assembled at run time, so that
# this file cites none of them.
fresh() {
    local d=$T_WORK/$1 p parts=()
    mkdir -p "$d"
    for p in src cli include tests fuzz docs scripts bench examples README.md; do
        [ -e "$src_root/$p" ] && parts+=("$p")
    done
    tar -C "$src_root" --exclude=node_modules --exclude='fuzz/corpus/*/*' -cf - "${parts[@]}" | tar -C "$d" -xf -
    # This test spells out bad citations; the copies are checked without them.
    : >"$d/tests/lint/test_check_matrix.sh"
    echo "$d"
}

# expect NAME DIR STATUS [TEXT...]: check-matrix on DIR exits with STATUS
# and prints every TEXT (fixed strings).
expect() {
    local name=$1 dir=$2 want=$3
    shift 3
    t_expect_run "$name" "$want" "$@" -- bash "$check" "$dir"
}

d=$(fresh clean)
expect "the repository passes" "$d" 0 "IDs defined in $M; every citation, test and document found"

d=$(fresh undefined)
s75=S$((74 + 1)) f21=F$((20 + 1))
printf '/* %s and %s: not in the matrix; F0 80-8F is not an ID */\n' "$s75" "$f21" >>"$d/src/util/buf.h"
n=$(wc -l <"$d/src/util/buf.h")
expect "an undefined ID fails" "$d" 1 \
    "src/util/buf.h:$n: cites $s75, which $M does not define" \
    "src/util/buf.h:$n: cites $f21, which $M does not define" "check-matrix: 2 problem(s)"

d=$(fresh rows)
sed -i '/^| \*\*S40\*\* |/d' "$d/$M"
row=$(grep '^| \*\*V2\*\* |' "$d/$M")
printf '%s\n' "$row" >>"$d/$M"
n=$(wc -l <"$d/$M")
expect "a missing or doubled row fails" "$d" 1 "$M: no row for S40" "$M:$n: V2 is defined twice" \
    "tests/unit/test_client_search.c:58: cites S40, which $M does not define"

d=$(fresh tests)
rot=test_client_ro${T_NAME:0:0}t
sed -i "s|tests/unit/test_client_root.c::test_s5_|tests/unit/$rot.c::test_s5_|" "$d/$M"
sed -i 's|`tests/unit/test_client_root.c::test_s6_root_rollback`|`tests/unit/test_client_root.c::test_s6_rollback`|' "$d/$M"
sed -i 's|    RUN(test_s7_expired_intermediate_root);||' "$d/tests/unit/test_client_root.c"
sed -i 's|::slow retrieval aborted (S65)`|::slow retrieval ignored (S65)`|' "$d/$M"
sed -i 's/^\(| \*\*S1\*\* |.*| `RAMPART_EBADSIG` | \).*$/\1to do |/' "$d/$M"
s5=$(grep -n '^| \*\*S5\*\* |' "$d/$M" | cut -d: -f1)
expect "missing tests fail" "$d" 1 \
    "S5: no test file tests/unit/$rot.c" \
    "S6: tests/unit/test_client_root.c does not run test_s6_rollback (no RUN(test_s6_rollback))" \
    "S7: tests/unit/test_client_root.c does not run test_s7_expired_intermediate_root" \
    "S65: tests/integration/test_transport_attacks.sh has no test 'slow retrieval ignored (S65)'" \
    "S1 names no test and does not say \"not covered\"" \
    "$M:$s5: cites tests/unit/$rot.c, which is not in the repository" "check-matrix: 6 problem(s)"

d=$(fresh docs)
printf '/* see docs/internals/%s.md and the SECURITY-CHECK%sIST */\n' nothing L >>"$d/src/tuf/md.h"
printf '# (fuzz/prov_seeds.%s) and CONVENTIONS.%s\n' sh md >>"$d/scripts/lint"
n=$(wc -l <"$d/src/tuf/md.h")
l=$(wc -l <"$d/scripts/lint")
nodoc=docs/internals/nothing.md noseeds=fuzz/prov_seeds.sh conv=CONVENTIONS.${T_NAME:0:0}md sc=SECURITY-CHECK${T_NAME:0:0}LIST
expect "documents outside the repository fail" "$d" 1 \
    "src/tuf/md.h:$n: cites $nodoc, which is not in the repository" \
    "src/tuf/md.h:$n: cites $sc, a note kept outside the repository" \
    "scripts/lint:$l: cites $noseeds, which is not in the repository" \
    "scripts/lint:$l: cites $conv, a note kept outside the repository" "check-matrix: 4 problem(s)"

mkdir -p "$T_WORK/empty"
expect "a tree without the matrix is a usage error" "$T_WORK/empty" 2 "check-matrix: $M is missing"
t_done
