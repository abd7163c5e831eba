# tests/lib/witness.sh - helpers for the witness and monitor tests: keys,
# log folders written by tests/support/tools/tlogfix (the publishing
# contract), a witness on loopback, and requests with curl.
: "${RAMPART:?}" "${RAMPART_BUILD:?}"
TLOGFIX=$RAMPART_BUILD/tests/tlogfix
W_PID=

# w_keys: log.key (origin example.com/log), other.key (same name, other
# key), w.key (the witness) in the working folder; LOG_VKEY, W_VKEY.
w_keys() {
    local k
    for k in log other w; do
        "$RAMPART" key generate --type ed25519 --no-passphrase "$k" >/dev/null || return 1
    done
    LOG_VKEY=$("$TLOGFIX" vkey example.com/log log.key) || return 1
    W_VKEY=$("$RAMPART" witness vkey --name witness.example/w1 --key w.key) || return 1
    printf 'log %s\n' "$LOG_VKEY" >w.conf
}

# w_entries DIR NAME...: one entry file per name (its bytes: "entry NAME")
w_entries() {
    local d=$1 n
    shift
    mkdir -p "$d"
    for n in "$@"; do printf 'entry %s' "$n" >"$d/$n"; done
}

# w_start STATE [extra options]: starts a witness on a free port; W_PORT, W_PID.
w_start() {
    local state=$1 i
    shift
    "$RAMPART" witness serve --name witness.example/w1 --key w.key --config w.conf --state "$state" \
        --listen 127.0.0.1:0 "$@" >"$T_WORK/w.out" 2>"$T_WORK/w.err" &
    W_PID=$!
    for i in $(seq 1 200); do
        W_PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$T_WORK/w.out")
        [ -n "$W_PORT" ] && return 0
        kill -0 "$W_PID" 2>/dev/null || return 1
        sleep 0.05
    done
    return 1
}

# w_stop: SIGTERM, waits; returns the witness's exit status.
w_stop() {
    [ -n "$W_PID" ] || return 0
    kill -TERM "$W_PID" 2>/dev/null
    wait "$W_PID"
    local st=$?
    W_PID=
    return $st
}
w_kill() { [ -z "$W_PID" ] || { kill -9 "$W_PID" 2>/dev/null; wait "$W_PID" 2>/dev/null; W_PID=; }; }
T_CLEANUP+=(w_kill)

# w_post FILE [PATH] [METHOD]: sends FILE; prints "STATUS CONTENT-TYPE" and
# leaves the body in $T_WORK/body.
w_post() {
    local path=${2:-/add-checkpoint} method=${3:-POST}
    curl -s -X "$method" -o "$T_WORK/body" -w '%{http_code} %{content_type}' --data-binary "@$1" \
        -H 'Content-Type:' "http://127.0.0.1:$W_PORT$path"
}

# w_expect NAME FILE STATUS CONTENT-TYPE BODY: exact status, type and body.
w_expect() {
    local name=$1 got
    got=$(w_post "$2")
    if [ "$got" != "$3 $4" ]; then
        t_bad "$name: got '$got', expected '$3 $4'; body: $(head -c 200 "$T_WORK/body")"
        return 1
    fi
    if [ "$5" != "*" ] && [ "$(cat "$T_WORK/body"; echo x)" != "$(printf '%s\nx' "$5")" ]; then
        t_bad "$name: body '$(head -c 200 "$T_WORK/body")', expected '$5'"
        return 1
    fi
    t_ok "$name"
}
