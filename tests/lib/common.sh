# tests/lib/common.sh - helpers for the shell tests: a private work folder
# removed on exit, assertions that print what they compared, and a test CA.

set -u
T_NAME=$(basename "$0" .sh)
T_WORK=$(mktemp -d "${TMPDIR:-/tmp}/rampart-$T_NAME.XXXXXX")
T_PASS=0
T_FAIL=0
T_CLEANUP=()

t_cleanup() {
    local f
    for f in "${T_CLEANUP[@]+"${T_CLEANUP[@]}"}"; do $f || true; done
    rm -rf "$T_WORK"
}
trap t_cleanup EXIT

# t_expect_run NAME STATUS [TEXT...] -- CMD...: runs CMD (its output in
# $T_WORK/out) and passes NAME when it exits with STATUS and prints every
# TEXT (fixed strings); otherwise fails NAME and shows the output.
t_expect_run() {
    local name=$1 want=$2 texts=()
    shift 2
    while [ "$1" != -- ]; do texts+=("$1"); shift; done
    shift
    "$@" >"$T_WORK/out" 2>&1
    local got=$? text
    if [ "$got" != "$want" ]; then
        t_bad "$name: exit $got, expected $want"
        sed 's/^/    | /' "$T_WORK/out"
        return
    fi
    for text in "${texts[@]+"${texts[@]}"}"; do
        if ! grep -qF -- "$text" "$T_WORK/out"; then
            t_bad "$name: output lacks '$text'"
            sed 's/^/    | /' "$T_WORK/out"
            return
        fi
    done
    t_ok "$name"
}

t_ok() { T_PASS=$((T_PASS + 1)); echo "ok - $*"; }
t_bad() { T_FAIL=$((T_FAIL + 1)); echo "FAILED - $*"; }

# t_run NAME EXPECTED_STATUS EXPECTED_CODE_OR_- CMD...: runs CMD, checks its
# exit status and, unless "-", that stderr names the RAMPART_E* code.
t_run() {
    local name=$1 want=$2 code=$3
    shift 3
    "$@" >"$T_WORK/out" 2>"$T_WORK/err"
    local got=$?
    if [ "$got" != "$want" ]; then
        t_bad "$name: exit $got, expected $want"
        sed 's/^/    | /' "$T_WORK/err" "$T_WORK/out" | head -20
        return 1
    fi
    if [ "$code" != "-" ] && ! grep -q "\[$code\]" "$T_WORK/err"; then
        t_bad "$name: stderr does not name $code"
        sed 's/^/    | /' "$T_WORK/err" | head -10
        return 1
    fi
    t_ok "$name"
}

# t_same NAME FILE_A FILE_B: byte-identical files
t_same() {
    if cmp -s "$2" "$3"; then t_ok "$1"; else t_bad "$1: $2 and $3 differ"; fi
}

# t_absent NAME PATH
t_absent() {
    if [ -e "$2" ]; then t_bad "$1: $2 exists"; else t_ok "$1"; fi
}

# t_files NAME DIR "expected names" (sorted, space separated; hidden lock excluded)
t_files() {
    local got
    got=$(cd "$2" && find . -type f ! -name .rampart.lock | sed 's|^\./||' | sort | tr '\n' ' ' | sed 's/ $//')
    if [ "$got" = "$3" ]; then t_ok "$1"; else t_bad "$1: files in $2 are '$got', expected '$3'"; fi
}

t_done() {
    echo "$T_NAME: $T_PASS passed, $T_FAIL failed"
    [ "$T_FAIL" -eq 0 ]
}

t_skip() {
    echo "SKIPPED: $*"
    exit 77
}

# t_make_ca DIR [DAYS]: a test CA and a server certificate for 127.0.0.1/localhost,
# valid for DAYS days (default 2)
t_make_ca() {
    local d=$1 days=${2:-2}
    mkdir -p "$d"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days "$days" \
        -subj "/CN=Rampart test CA" -keyout "$d/ca.key" -out "$d/ca.pem" >/dev/null 2>&1 &&
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
        -subj "/CN=127.0.0.1" -keyout "$d/server.key" -out "$d/server.csr" >/dev/null 2>&1 &&
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n' >"$d/ext.cnf" &&
    openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial -days "$days" \
        -extfile "$d/ext.cnf" -out "$d/server.pem" >/dev/null 2>&1
}
