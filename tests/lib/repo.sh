# tests/lib/repo.sh - helpers for the repository tests (source after
# common.sh): keys, a repository with the four top-level roles, a static
# HTTP server on loopback serving a repository's public/ folder, a Rampart
# client against it, and a fingerprint of every file of a repository.

# The type of every key the tests make: ed25519, ecdsa or rsa
# (tests/CMakeLists.txt runs the repository tests once per type).
R_KEYTYPE=${RAMPART_TEST_KEYTYPE:-ed25519}
case $R_KEYTYPE in
ed25519 | ecdsa | rsa) ;;
*) echo "RAMPART_TEST_KEYTYPE must be ed25519, ecdsa or rsa, not '$R_KEYTYPE'" >&2; exit 2 ;;
esac
echo "# keys of type $R_KEYTYPE"

# r_keys NAME...: unencrypted keys NAME.key / NAME.pub of type $R_KEYTYPE in
# $T_WORK/keys
r_keys() {
    r_keys_of "$R_KEYTYPE" "$@"
}

# r_keys_of TYPE NAME...: the same, of the given type
r_keys_of() {
    local type=$1 k
    shift
    mkdir -p "$T_WORK/keys"
    for k in "$@"; do
        [ -e "$T_WORK/keys/$k.key" ] && continue
        "$RAMPART" key generate --no-passphrase --type "$type" "$T_WORK/keys/$k" >/dev/null ||
            { t_bad "key generate $k ($type)"; return 1; }
    done
}

# r_keyid NAME: the keyid of key NAME
r_keyid() {
    "$RAMPART" key show "$(K "$1" pub)" | awk '/^keyid/{print $2}'
}

# r_valid_json REPO: every metadata file of repository REPO (its
# configuration, staged/, state/, roots/, public/metadata/) is strict JSON:
# no raw control characters in strings, as every JSON reader demands
r_valid_json() {
    python3 - "$1" <<'PY'
import json, os, sys
top = sys.argv[1]
paths = [os.path.join(top, "repo.json")]
for sub in ("staged", "state", "roots", "public/metadata"):
    for d, _, files in os.walk(os.path.join(top, sub)):
        # (empty files in state/ are marks, not JSON)
        paths += [os.path.join(d, n) for n in files if os.path.getsize(os.path.join(d, n)) > 0]
bad = []
for p in paths:
    try:
        json.loads(open(p, "rb").read().decode("utf-8"))
    except ValueError as e:
        bad.append("%s: %s" % (p, e))
for b in bad:
    print(b)
sys.exit(1 if bad or len(paths) < 2 else 0)
PY
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
# (the target options only for download: each subcommand takes only its own)
r_client() {
    local cdir=$1 a
    shift
    local targets=()
    for a in "$@"; do
        [ "$a" = download ] && targets=(--target-base-url "http://127.0.0.1:$R_PORT/targets/" --target-dir "$cdir.dl")
    done
    "$RAMPART" client --metadata-dir "$cdir" --metadata-url "http://127.0.0.1:$R_PORT/metadata/" \
        "${targets[@]+"${targets[@]}"}" "$@"
}
