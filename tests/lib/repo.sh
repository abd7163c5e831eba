# tests/lib/repo.sh - helpers for the repository tests (source after
# common.sh): keys, a repository with the four top-level roles, a static
# HTTP server on loopback serving a repository's public/ folder, a Rampart
# client against it, and a fingerprint of every file of a repository.

# r_keys NAME...: unencrypted keys NAME.key / NAME.pub in $T_WORK/keys
r_keys() {
    mkdir -p "$T_WORK/keys"
    local k
    for k in "$@"; do
        [ -e "$T_WORK/keys/$k.key" ] && continue
        "$RAMPART" key generate --no-passphrase "$T_WORK/keys/$k" >/dev/null || { t_bad "key generate $k"; return 1; }
    done
}

K() { echo "$T_WORK/keys/$1.$2"; }

# r_init DIR [extra init options...]: root/targets/snapshot/timestamp keys
r_init() {
    local dir=$1
    shift
    r_keys root targets snapshot timestamp || return 1
    "$RAMPART" repo init "$dir" --root-key "$(K root pub)" --targets-key "$(K targets pub)" \
        --snapshot-key "$(K snapshot pub)" --timestamp-key "$(K timestamp pub)" "$@" >/dev/null 2>&1
}

# r_fingerprint DIR: one line per file (path + sha256), the lock excluded
r_fingerprint() {
    (cd "$1" && find . -type f ! -name .lock -print0 | sort -z | xargs -0 -r sha256sum)
}

# r_serve DIR: serves DIR over http://127.0.0.1:$R_PORT/ until r_stop
r_serve() {
    R_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
    python3 -m http.server "$R_PORT" --bind 127.0.0.1 --directory "$1" >/dev/null 2>&1 &
    R_SERVER=$!
    T_CLEANUP+=(r_stop)
    local i
    for i in $(seq 1 50); do
        python3 -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$R_PORT/')" 2>/dev/null && return 0
        sleep 0.1
    done
    t_bad "http server did not start"
    return 1
}

r_stop() {
    if [ -n "${R_SERVER:-}" ]; then
        kill "$R_SERVER" 2>/dev/null
        wait "$R_SERVER" 2>/dev/null
        R_SERVER=
    fi
    return 0
}

# r_client CLIENT_DIR CMD...: `rampart client` against the served repository
r_client() {
    local cdir=$1
    shift
    "$RAMPART" client --metadata-dir "$cdir" --metadata-url "http://127.0.0.1:$R_PORT/metadata/" \
        --target-base-url "http://127.0.0.1:$R_PORT/targets/" --target-dir "$cdir.dl" "$@"
}
