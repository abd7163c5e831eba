#!/usr/bin/env bash
# bench/bench_repo.sh - scale of the repository writer: time and peak RSS
# (GNU time "%e s %M KB") of
#   1. init with N succinct hash bins,
#   2. adding T targets (one folder of small files) in one call,
#   3. the first publish (every bin signed, T target files copied),
#   4. adding one more target, and
#   5. publishing that: one bin, the snapshot and the timestamp are re-signed.
# Usage: bench/bench_repo.sh [TARGETS [BINS]]    (default 1000000 16384)
# Env: RAMPART (default build/release/cli/rampart), BENCH_DIR (work folder,
# default a new one under /tmp; removed unless KEEP=1).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
T=${1:-1000000}
BINS=${2:-16384}
RAMPART=${RAMPART:-$here/build/release/cli/rampart}
W=${BENCH_DIR:-$(mktemp -d /tmp/rampart-bench-repo.XXXXXX)}
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$W"' EXIT
TIME=(/usr/bin/time -f "%e s %M KB")

echo "bench_repo: $T targets, $BINS bins, in $W ($("$RAMPART" --version))"
mkdir -p "$W/keys"
for k in root targets snapshot timestamp bins; do
    [ -e "$W/keys/$k.key" ] || "$RAMPART" key generate --no-passphrase "$W/keys/$k" >/dev/null
done
keys=()
for k in root targets snapshot timestamp bins; do keys+=(--key "$W/keys/$k.key"); done

if [ -f "$W/in.count" ] && [ "$(cat "$W/in.count")" = "$T" ]; then
    echo "reusing the $T input files in $W/in"
else
echo "generating $T input files..."
rm -rf "$W/in"
python3 - "$W/in" "$T" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
per = 1000
for i in range(n):
    d = os.path.join(root, "d%04d" % (i // per))
    if i % per == 0:
        os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "pkg-%07d.txt" % i), "w") as f:
        f.write("target %d\n" % i)
PY
echo "$T" >"$W/in.count"
fi
rm -rf "$W/repo" "$W/one.txt"

step() {
    local name=$1
    shift
    local out
    out=$({ "${TIME[@]}" "$@" >/dev/null; } 2>&1 | tail -1)
    printf '%-34s %s\n' "$name" "$out"
}

sync
step "init ($BINS bins)" "$RAMPART" repo init "$W/repo" --root-key "$W/keys/root.pub" \
    --targets-key "$W/keys/targets.pub" --snapshot-key "$W/keys/snapshot.pub" \
    --timestamp-key "$W/keys/timestamp.pub" --bins "$BINS" --bins-key "$W/keys/bins.pub"
step "add $T targets" "$RAMPART" repo add "$W/repo" "$W/in" --path pkgs
step "publish (first)" "$RAMPART" repo publish "$W/repo" "${keys[@]}"
echo "one more" >"$W/one.txt"
step "add 1 target" "$RAMPART" repo add "$W/repo" "$W/one.txt" --path pkgs/extra/one.txt
step "publish (1 bin + snapshot + timestamp)" "$RAMPART" repo publish "$W/repo" "${keys[@]}"
step "refresh-timestamp" "$RAMPART" repo refresh-timestamp "$W/repo" "${keys[@]}"
m=$W/repo/public/metadata
echo "metadata files: $(find "$m" -type f | wc -l), snapshot $(stat -c %s "$m"/2.snapshot.json) bytes, a bin ~$(stat -c %s "$(ls "$m"/1.bins-*.json | head -1)") bytes"
echo "target files: $(find "$W/repo/public/targets" -type f | wc -l)"
