# tests/lib/tlog.sh - helpers for the transparency-log tests (source after
# common.sh and repo.sh): witness doubles on loopback and checks of a
# published log with an independent implementation (python3 hashlib).

# w_start NAME INDEX LOG_VKEY [MODE]: starts witness double NAME (test key
# seed INDEX repeated) for the log; W_URL[INDEX], W_VKEY[INDEX], W_PID[INDEX]
declare -a W_URL W_VKEY W_PID
w_start() {
    local name=$1 i=$2 vkey=$3 mode=${4:-ok} n
    rm -f "$T_WORK/w$i.port"
    python3 "$RAMPART_SRC/tests/lib/witness_double.py" "$name" "$(printf '%02x' "$i" | sed 's/.*/&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&/')" \
        "$vkey" "$T_WORK/w$i.state" "$T_WORK/w$i.port" "$mode" 2>"$T_WORK/w$i.err" &
    W_PID[$i]=$!
    for n in $(seq 1 150); do
        [ -e "$T_WORK/w$i.port" ] && break
        sleep 0.1
    done
    [ -e "$T_WORK/w$i.port" ] || { t_bad "witness $name did not start"; return 1; }
    W_URL[$i]="http://127.0.0.1:$(cat "$T_WORK/w$i.port")"
    W_VKEY[$i]=$(cat "$T_WORK/w$i.port.vkey")
}

w_stop() {
    local i=$1
    if [ -n "${W_PID[$i]:-}" ]; then
        kill "${W_PID[$i]}" 2>/dev/null
        wait "${W_PID[$i]}" 2>/dev/null
        W_PID[$i]=
    fi
    return 0
}

w_stop_all() {
    local i
    for i in "${!W_PID[@]}"; do w_stop "$i"; done
    return 0
}
T_CLEANUP+=(w_stop_all)

# l_check_log DIR: the entries, level-0 tiles and root of the log served in
# DIR (public/log) agree (hashes recomputed independently); prints the size
l_check_log() {
    python3 - "$1" <<'PY'
import base64, hashlib, os, sys
d = sys.argv[1]
text = open(os.path.join(d, "checkpoint"), "rb").read().split(b"\n\n")[0].decode().split("\n")
size, root = int(text[1]), base64.b64decode(text[2])
def tpath(kind, n, w):
    s = "%03d" % (n % 1000)
    n //= 1000
    while n:
        s = "x%03d/" % (n % 1000) + s
        n //= 1000
    return os.path.join(d, "tile", kind, s + ("" if w == 256 else ".p/%d" % w))
leaves = []
for t in range((size + 255) // 256):
    w = min(256, size - 256 * t)
    b = open(tpath("entries", t, w), "rb").read()
    es, at = [], 0
    while at < len(b):
        n = int.from_bytes(b[at:at + 2], "big")
        es.append(b[at + 2:at + 2 + n])
        at += 2 + n
    assert len(es) == w, "bundle %d has %d entries" % (t, len(es))
    hs = [hashlib.sha256(b"\0" + e).digest() for e in es]
    assert open(tpath("0", t, w), "rb").read() == b"".join(hs), "tile 0/%d" % t
    leaves += hs
def mth(hs):
    if len(hs) == 1:
        return hs[0]
    k = 1
    while k * 2 < len(hs):
        k *= 2
    return hashlib.sha256(b"\1" + mth(hs[:k]) + mth(hs[k:])).digest()
assert mth(leaves) == root, "root"
print(size)
PY
}

# l_entry DIR INDEX: entry INDEX of the log served in DIR, raw bytes on stdout
l_entry() {
    python3 - "$1" "$2" <<'PY'
import os, sys
d, i = sys.argv[1], int(sys.argv[2])
t = i // 256
size = int(open(os.path.join(d, "checkpoint"), "rb").read().split(b"\n")[1])
w = min(256, size - 256 * t)
s = "%03d" % (t % 1000)
n = t // 1000
while n:
    s = "x%03d/" % (n % 1000) + s
    n //= 1000
b = open(os.path.join(d, "tile", "entries", s + ("" if w == 256 else ".p/%d" % w)), "rb").read()
at = 0
for k in range(i % 256 + 1):
    n = int.from_bytes(b[at:at + 2], "big")
    e = b[at + 2:at + 2 + n]
    at += 2 + n
sys.stdout.buffer.write(e)
PY
}
