#!/usr/bin/env bash
# test_large_target_memory.sh - a target's bytes stream through the hashes
# into a temporary file: peak memory does not grow with the target's size.
# Downloads a 16 MiB and a 256 MiB target through nginx and compares the
# client's peak RSS (getrusage via /usr/bin/time).  Not a timing test.
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/lib/common.sh"
source "$here/lib/nginx.sh"
command -v "$(nginx_bin)" >/dev/null 2>&1 || t_skip "nginx not installed"
[ -x /usr/bin/time ] || t_skip "/usr/bin/time not installed"
: "${RAMPART:?}" "${MKREPO:?}"
# Sanitizers and valgrind change memory use beyond what this test measures.
[ "${RAMPART_SANITIZE:-OFF}" = ON ] && t_skip "sanitizer build (the release build runs this test)"
[ -n "${RAMPART_UNDER_VALGRIND:-}" ] && t_skip "under valgrind"

mkdir -p "$T_WORK/srv"
for mib in 16 256; do
    "$MKREPO" "$T_WORK/srv/r$mib" --big "$mib" >/dev/null || { t_bad "mkrepo --big $mib"; t_done; exit 1; }
done
nginx_start "$T_WORK/srv" || { t_bad nginx; t_done; exit 1; }
T_CLEANUP+=(nginx_stop)
declare -A peak
for mib in 16 256; do
    md=$T_WORK/md$mib
    "$RAMPART" client --metadata-dir "$md" init "$T_WORK/srv/r$mib/root.json" >/dev/null
    t_run "download a $mib MiB target" 0 - /usr/bin/time -f "%M" -o "$T_WORK/rss$mib" "$RAMPART" client \
        --metadata-dir "$md" --metadata-url "$NGINX_URL/r$mib/metadata/" --target-base-url "$NGINX_URL/r$mib/targets/" \
        --target-dir "$T_WORK/tg$mib" --target-name big.bin download
    peak[$mib]=$(tail -1 "$T_WORK/rss$mib")
    got=$(stat -c %s "$T_WORK/tg$mib/big.bin" 2>/dev/null)
    [ "$got" = $((mib << 20)) ] && t_ok "$mib MiB on disk" || t_bad "$mib MiB target has $got bytes"
done
echo "peak RSS: 16 MiB target ${peak[16]} KiB, 256 MiB target ${peak[256]} KiB"
diff=$((peak[256] - peak[16]))
if [ "$diff" -lt 4096 ]; then
    t_ok "peak memory independent of target size (+$diff KiB for 16x the bytes)"
else
    t_bad "peak memory grew by $diff KiB from a 16 MiB to a 256 MiB target"
fi
t_done
