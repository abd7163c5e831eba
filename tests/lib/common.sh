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

# Kill moments that fit the machine.  t_kill_after PID sleeps a random
# moment drawn uniformly from 0 to T_KILL_WINDOW milliseconds, sends PID
# SIGKILL and waits for it; it returns 0 when the kill ended the process and
# 1 when the process had finished first (its exit status is then in
# T_KILL_STATUS).  The window then adapts: a tenth
# wider after a kill that landed, a tenth narrower after a run that finished,
# so about half of the runs are interrupted whether the build is a release,
# ASan or valgrind one and whether the machine is idle or loaded (a fixed
# window made a loop's counts depend on the machine).  Set T_KILL_WINDOW
# before the loop to a guess of one run's length.
T_KILL_WINDOW=${T_KILL_WINDOW:-400}
t_kill_after() {
    local pid=$1 ms=$((RANDOM % (T_KILL_WINDOW + 1))) st=0
    sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null || st=$?
    T_KILL_STATUS=$st
    if [ $st = 137 ]; then
        T_KILL_WINDOW=$((T_KILL_WINDOW * 11 / 10 + 1))
        [ $T_KILL_WINDOW -le 30000 ] || T_KILL_WINDOW=30000
        return 0
    fi
    T_KILL_WINDOW=$((T_KILL_WINDOW * 9 / 10))
    [ $T_KILL_WINDOW -ge 5 ] || T_KILL_WINDOW=5
    return 1
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
