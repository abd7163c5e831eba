#!/usr/bin/env bash
# test_client_resume.sh - `rampart client` against tests/lib/evil_server.py:
# an interrupted target download (the server drops the connection at a
# random byte, or Ctrl-C) resumes with a Range request, moves fewer bytes
# than a full download (counted server-side) and is still verified over all
# its bytes; a tampered partial file, a server that ignores the range and
# one that answers another range fall back to a full download; Ctrl-C exits
# 130 leaving no temporary file; extra headers reach the server and never a
# redirect's other host; retries are counted; `client list` output is exact.
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/lib/common.sh"
command -v python3 >/dev/null || t_skip "python3 not installed"
: "${RAMPART:?}" "${MKREPO:?}"

"$MKREPO" "$T_WORK/repo" --big 3 >/dev/null || { t_bad mkrepo; t_done; exit 1; }
python3 "$here/lib/evil_server.py" "$T_WORK/repo" "$T_WORK/port" 2>"$T_WORK/server.log" &
srv=$!
stop_server() { kill "$srv" 2>/dev/null; wait "$srv" 2>/dev/null; }
T_CLEANUP+=(stop_server)
for _ in $(seq 1 100); do [ -f "$T_WORK/port" ] && break; sleep 0.05; done
port=$(cat "$T_WORK/port")
base="http://127.0.0.1:$port"
md=$T_WORK/md
dl=$T_WORK/dl
big=$(ls "$T_WORK"/repo/targets/*.big.bin)
size=$(stat -c %s "$big")

client() { "$RAMPART" client --metadata-dir "$md" --metadata-url "$base/plain/metadata/" "$@"; }
get_big() { client --target-dir "$dl" --target-name big.bin --target-base-url "$base/$1/targets/" download; }
# server log lines written by the commands run since mark()
mark() { log_at=$(wc -l <"$T_WORK/server.log"); }
since() { tail -n +"$((log_at + 1))" "$T_WORK/server.log"; }
sent() { since | awk -v p="$1" '$1 == "SENT" && index($2, p) { n += $3 } END { print n + 0 }'; }
partial() { find "$md/partial" -name '*.part' -type f 2>/dev/null; }
tmpfiles() { find "$md" "$dl" -name '.rampart-tmp-*' 2>/dev/null; }
check_eq() { if [ "$2" = "$3" ]; then t_ok "$1"; else t_bad "$1: got '$2', expected '$3'"; fi; }

t_run "init" 0 - "$RAMPART" client --metadata-dir "$md" init "$T_WORK/repo/root.json"

# --- the server drops the connection at a random byte ---------------------
cut=$((size / 4 + (RANDOM * 32768 + RANDOM) % (size / 2)))
echo "# cutting at byte $cut of $size"
t_run "download cut at byte $cut fails" 1 RAMPART_ENET get_big "cut-$cut:big.bin"
check_eq "no temporary file after the cut" "$(tmpfiles)" ""
check_eq "the partial file holds the bytes received" "$(stat -c %s "$(partial)" 2>/dev/null)" "$cut"
t_absent "nothing installed" "$dl/big.bin"
mark
t_run "resumed download" 0 - get_big "range:big.bin"
since | grep -q "REQ /range:big.bin/.*range=bytes=$cut- " && t_ok "asked for bytes $cut-" || t_bad "no range request"
check_eq "resume moved only the rest (server count)" "$(sent big.bin)" "$((size - cut))"
[ "$(sent big.bin)" -lt "$size" ] && t_ok "fewer bytes than a full download" || t_bad "resume moved all bytes"
t_same "resumed file is the target" "$dl/big.bin" "$big"
check_eq "partial file removed once installed" "$(partial)" ""

# --- a tampered partial file: refused, then a full download ---------------
rm -f "$dl/big.bin"
t_run "cut again" 1 RAMPART_ENET get_big "cut-$cut:big.bin"
printf 'X' | dd of="$(partial)" bs=1 seek=100 conv=notrunc status=none
mark
t_run "tampered partial: recovered with a full download" 0 - get_big "range:big.bin"
since | grep -q "REQ /range:big.bin/.*range=bytes=$cut- " && t_ok "tampered: resumed first" || t_bad "tampered: no range"
since | grep -q "REQ /range:big.bin/.*range=- " && t_ok "tampered: then a full request" || t_bad "tampered: no full"
grep -q "resumed download did not verify" "$T_WORK/err" && t_ok "tampered: warned" || t_bad "tampered: no warning"
check_eq "tampered: bytes moved" "$(sent big.bin)" "$((size - cut + size))"
t_same "tampered: installed file is the target" "$dl/big.bin" "$big"
check_eq "tampered: partial file removed" "$(partial)" ""
# Refused outright when every mirror serves the tampered bytes again.
rm -f "$dl/big.bin"
t_run "cut a third time" 1 RAMPART_ENET get_big "cut-$cut:big.bin"
printf 'X' | dd of="$(partial)" bs=1 seek=100 conv=notrunc status=none
t_run "tampered partial, then a cut full download: refused" 1 RAMPART_ENET get_big "cut-$((cut + 10)):big.bin"
t_absent "tampered partial never installed" "$dl/big.bin"

# --- servers that cannot resume ------------------------------------------
rm -rf "$md/partial" "$dl/big.bin"
t_run "cut before a server that ignores ranges" 1 RAMPART_ENET get_big "cut-$cut:big.bin"
mark
t_run "range ignored (200): full download" 0 - get_big "plain"
check_eq "range ignored: whole file sent" "$(sent big.bin)" "$size"
t_same "range ignored: file verified" "$dl/big.bin" "$big"
rm -f "$dl/big.bin"
t_run "cut before a server that answers another range" 1 RAMPART_ENET get_big "cut-$cut:big.bin"
t_run "another range (206 from byte 0): full download" 0 - get_big "wrongrange:big.bin"
t_same "another range: file verified" "$dl/big.bin" "$big"
check_eq "another range: partial removed" "$(partial)" ""

# --- Ctrl-C ---------------------------------------------------------------
rm -f "$dl/big.bin"
mark
# (the binary itself in the background, so that the signal reaches it)
"$RAMPART" client --metadata-dir "$md" --metadata-url "$base/plain/metadata/" --target-dir "$dl" \
    --target-name big.bin --target-base-url "$base/trickle:big.bin/targets/" download >"$T_WORK/out" 2>"$T_WORK/err" &
cpid=$!
for _ in $(seq 1 200); do since | grep -q "REQ /trickle:big.bin" && break; sleep 0.05; done
sleep 0.5
kill -INT "$cpid"
wait "$cpid"
check_eq "Ctrl-C: exit status 130" "$?" "130"
grep -q "\[RAMPART_ECANCELED\]" "$T_WORK/err" && t_ok "Ctrl-C: reported as cancelled" || t_bad "Ctrl-C: $(cat "$T_WORK/err")"
check_eq "Ctrl-C: no temporary file" "$(tmpfiles)" ""
t_absent "Ctrl-C: nothing installed" "$dl/big.bin"
kept=$(stat -c %s "$(partial)" 2>/dev/null || echo 0)
[ "$kept" -gt 0 ] && [ "$kept" -lt "$size" ] && t_ok "Ctrl-C: $kept bytes kept" || t_bad "Ctrl-C: kept '$kept'"
mark
t_run "after Ctrl-C: resumed" 0 - get_big "range:big.bin"
check_eq "after Ctrl-C: only the rest moved" "$(sent big.bin)" "$((size - kept))"
t_same "after Ctrl-C: file verified" "$dl/big.bin" "$big"

# --- headers, User-Agent, redirects to another host -----------------------
mark
t_run "refresh with a header" 0 - "$RAMPART" client --metadata-dir "$md" --header "Authorization: Bearer s3cret" \
    --user-agent-suffix "fleet/7" --metadata-url "$base/to-other-host:timestamp.json/metadata/" refresh
since | grep -q "^REQ /to-other-host:timestamp.json/metadata/timestamp.json range=- auth=Bearer s3cret ua=rampart/[^ ]* fleet/7$" &&
    t_ok "header and User-Agent seen by the server" || t_bad "header: $(since | grep REQ)"
since | grep -q "^REQ /plain/metadata/timestamp.json range=- auth=- ua=rampart/[^ ]* fleet/7$" &&
    t_ok "header not sent to the redirect's other host" || t_bad "redirect: $(since | grep REQ)"
check_eq "no request without the header but the redirected one" \
    "$(since | grep '^REQ' | grep -c 'auth=-')" "1"

# --- retries --------------------------------------------------------------
mark
t_run "two 503s, two retries: success" 0 - "$RAMPART" client --metadata-dir "$md" --retries 2 \
    --metadata-url "$base/fail-2:timestamp.json/metadata/" refresh
check_eq "three requests of the timestamp" "$(since | grep -c '^REQ /fail-2:timestamp.json/metadata/timestamp.json ')" 3
mark
t_run "five 503s, two retries: failure" 1 RAMPART_ENET "$RAMPART" client --metadata-dir "$md" --retries 2 \
    --metadata-url "$base/fail-5:timestamp.json/metadata/" refresh
check_eq "three requests, then given up" "$(since | grep -c '^REQ /fail-5:timestamp.json/metadata/timestamp.json ')" 3
mark
t_run "404 is not retried" 1 RAMPART_ENOTFOUND "$RAMPART" client --metadata-dir "$md" --retries 2 \
    --metadata-url "$base/status-404:timestamp.json/metadata/" refresh
check_eq "one request after a 404" "$(since | grep -c '^REQ /status-404:timestamp.json/metadata/timestamp.json ')" 1

# --- the lock wait says what it waits for ---------------------------------
if command -v flock >/dev/null; then
    flock "$md/.rampart.lock" sleep 2 &
    lpid=$!
    sleep 0.5
    t_run "refresh waits for the lock" 0 - client refresh
    wait "$lpid"
    grep -q "^rampart: client refresh: warning: waiting up to 10.000 s for another updater to release metadata folder $md$" \
        "$T_WORK/err" && t_ok "the lock wait is announced" || t_bad "lock wait: $(cat "$T_WORK/err")"
    t_run "no announcement without a wait" 0 - client refresh
    check_eq "quiet when the lock is free" "$(cat "$T_WORK/err")" ""
fi

# --- list -----------------------------------------------------------------
h() { sha256sum "$(ls "$T_WORK"/repo/targets/$1)" | cut -d' ' -f1; }
app=$(h '*.app-1.0.0.tar.gz') doc=$(h 'docs/*.readme.txt') bigh=$(h '*.big.bin')
t_run "list" 0 - client list
cat >"$T_WORK/want" <<EOT
app-1.0.0.tar.gz  26  1.0.0  sha256:$app
big.bin  $size  -  sha256:$bigh
docs/readme.txt  36  -  sha256:$doc
EOT
t_same "list output" "$T_WORK/out" "$T_WORK/want"
t_run "list under a prefix" 0 - client list docs/
check_eq "list docs/" "$(cat "$T_WORK/out")" "docs/readme.txt  36  -  sha256:$doc"
t_run "list --json" 0 - client --json list app
check_eq "list --json" "$(cat "$T_WORK/out")" \
    "[{\"path\":\"app-1.0.0.tar.gz\",\"length\":26,\"hashes\":{\"sha256\":\"$app\"},\"version\":\"1.0.0\",\"custom\":{\"version\":\"1.0.0\"},\"role\":\"targets\"}]"
t_done
