#!/usr/bin/env bash
# test_transport_attacks.sh - the client against a hostile loopback server
# (tests/lib/evil_server.py): slow retrieval, endless data, a lying
# Content-Length, redirects to another scheme, redirect loops, a malformed
# Location, HTTP errors, and plain http to a non-loopback host.  Each is
# refused with its own error code, with the trusted files unchanged.
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/lib/common.sh"
command -v python3 >/dev/null || t_skip "python3 not installed"
: "${RAMPART:?}" "${MKREPO:?}"

"$MKREPO" "$T_WORK/repo" >/dev/null || { t_bad mkrepo; t_done; exit 1; }
python3 "$here/lib/evil_server.py" "$T_WORK/repo" "$T_WORK/port" 2>"$T_WORK/server.log" &
srv=$!
stop_server() { kill "$srv" 2>/dev/null; wait "$srv" 2>/dev/null; }
T_CLEANUP+=(stop_server)
for _ in $(seq 1 100); do [ -f "$T_WORK/port" ] && break; sleep 0.05; done
port=$(cat "$T_WORK/port")
base="http://127.0.0.1:$port"
md=$T_WORK/md

client() { "$RAMPART" client --metadata-dir "$md" "$@"; }
t_run "init" 0 - client init "$T_WORK/repo/root.json"
t_run "plain refresh through the test server" 0 - client --metadata-url "$base/plain/metadata/" refresh
cp -a "$md" "$T_WORK/md.good"

t_run "same-scheme redirect to loopback is followed" 0 - client --metadata-url "$base/to-http/metadata/" refresh

# S65: one byte every 2 s is below 100 B/s over a 3 s window.
start=$(date +%s)
t_run "slow retrieval aborted (S65)" 1 RAMPART_ESLOW client --metadata-url "$base/slow:timestamp.json/metadata/" \
    --stall-timeout 3000 --min-rate 100 refresh
took=$(($(date +%s) - start))
if [ "$took" -le 15 ]; then t_ok "slow retrieval stopped within the window (${took}s)"; else t_bad "slow retrieval took ${took}s"; fi
t_run "total deadline enforced" 1 RAMPART_ETIMEOUT client --metadata-url "$base/slow:timestamp.json/metadata/" \
    --timeout 3000 --stall-timeout 60000 --min-rate 1 refresh

# S11/S24: endless data and a lying Content-Length stop at the cap.
t_run "endless timestamp aborted at the cap (S24)" 1 RAMPART_ETOOLARGE client \
    --metadata-url "$base/endless:timestamp.json/metadata/" refresh
t_run "endless root aborted at the cap (S11)" 1 RAMPART_ETOOLARGE client \
    --metadata-url "$base/endless:3.root.json/metadata/" refresh
t_run "announced oversize refused" 1 RAMPART_ETOOLARGE client --metadata-url "$base/liar:timestamp.json/metadata/" refresh

# S64: redirects to another scheme, loops, malformed locations.
t_run "redirect to another scheme refused (S64)" 1 RAMPART_EINSECURE client \
    --metadata-url "$base/to-https:timestamp.json/metadata/" refresh
t_run "redirect loop bounded (S64)" 1 RAMPART_ENET client --metadata-url "$base/loop:timestamp.json/metadata/" refresh
t_run "malformed Location refused (S64)" 1 - client --metadata-url "$base/crlf:timestamp.json/metadata/" refresh
t_run "HTTP 500 is a network error" 1 RAMPART_ENET client --metadata-url "$base/status-500:timestamp.json/metadata/" refresh
t_run "timestamp 404 fails the refresh (S23)" 1 RAMPART_ENOTFOUND client \
    --metadata-url "$base/status-404:timestamp.json/metadata/" refresh
t_run "403 on the next root means no newer root" 0 - client --metadata-url "$base/status-403:3.root.json/metadata/" refresh

# Plain http to a non-loopback address is refused before any connection
# (192.0.2.0/24 is TEST-NET-1: never routed).
t_run "http:// to a non-loopback host refused" 1 RAMPART_EINSECURE client --metadata-url "http://192.0.2.1/metadata/" refresh
t_run "unsupported scheme refused" 1 - client --metadata-url "ftp://127.0.0.1/metadata/" refresh

for f in root.json timestamp.json snapshot.json targets.json; do
    t_same "$f unchanged by the attacks" "$md/$f" "$T_WORK/md.good/$f"
done
t_done
