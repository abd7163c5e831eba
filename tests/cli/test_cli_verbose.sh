#!/usr/bin/env bash
# test_cli_verbose.sh - `rampart client -v` explains its decisions on
# standard error (each role verified with its version, expiry and keys; the
# delegation search), -vv adds each request, and without -v or with -q
# nothing is logged.  A loopback HTTP server serves a tests/mkrepo
# repository.
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/lib/common.sh"
source "$here/lib/repo.sh"
: "${RAMPART:?}"
MKREPO=${MKREPO:-$RAMPART_BUILD/tests/mkrepo}
cd "$T_WORK" || exit 1

"$MKREPO" repo >/dev/null || { t_bad mkrepo; t_done; exit 1; }
r_serve "$T_WORK/repo" || { t_done; exit 1; }
U=http://127.0.0.1:$R_PORT/metadata/
"$RAMPART" client --metadata-dir md init repo/root.json >/dev/null

t_run "refresh -v" 0 - "$RAMPART" -v client refresh --metadata-dir md --metadata-url "$U"
for role in root timestamp snapshot targets; do
    grep -qE "^rampart: client refresh: info: $role version [0-9]+ verified \([a-z ]+\): expires [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z, threshold [0-9]+ of [0-9]+ key\(s\)$" err &&
        t_ok "-v: $role verified, with version, expiry and keys" || t_bad "-v: no line for $role: $(cat err)"
done
grep -q "info: root version 2 verified (updated)" err && t_ok "-v: the root update" || t_bad "$(cat err)"
grep -q "debug: GET" err && t_bad "-v logs requests: $(cat err)" || t_ok "-v: no request lines"
t_run "refresh -vv" 0 - "$RAMPART" client refresh -vv --metadata-dir md --metadata-url "$U"
grep -q "^rampart: client refresh: debug: GET http://127.0.0.1:$R_PORT/metadata/timestamp.json$" err &&
    t_ok "-vv: each request" || t_bad "-vv: $(cat err)"
grep -q "info: timestamp version [0-9]* verified (current)" err && t_ok "-vv: decisions too" || t_bad "$(cat err)"
t_run "refresh" 0 - "$RAMPART" client refresh --metadata-dir md --metadata-url "$U"
[ ! -s err ] && t_ok "without -v: nothing on stderr" || t_bad "stderr: $(cat err)"
t_run "refresh -q" 0 - "$RAMPART" client refresh --metadata-dir md --metadata-url "$U" -q
[ ! -s err ] && [ ! -s out ] && t_ok "-q: no output at all" || t_bad "-q: $(cat out err)"
t_run "refresh -q --json" 0 - "$RAMPART" client refresh --metadata-dir md --metadata-url "$U" -q --json
python3 -c 'import json,sys; o=json.load(open(sys.argv[1])); sys.exit(0 if o["ok"] is True else 1)' out &&
    t_ok "-q keeps --json output" || t_bad "-q --json: $(cat out)"
name=$(cd repo/targets && ls | head -1 | sed 's/^[0-9a-f]\{64\}\.//')
t_run "download -v" 0 - "$RAMPART" client download -v --metadata-dir md --metadata-url "$U" \
    --target-base-url "http://127.0.0.1:$R_PORT/targets/" --target-dir tg --target-name "$name"
grep -q "info: target '$name': found in role '[a-z0-9-]*'" err && t_ok "-v: where the search found the target" ||
    t_bad "-v download: $(cat err)"
t_run "download -v: an unknown target" 1 RAMPART_ENOTFOUND "$RAMPART" client download -v --metadata-dir md \
    --metadata-url "$U" --target-base-url "http://127.0.0.1:$R_PORT/targets/" --target-dir tg --target-name no/such.bin
grep -q "^rampart: client download: no trusted role lists target 'no/such.bin' \[RAMPART_ENOTFOUND\]$" err &&
    t_ok "the error stays one line among the log lines" || t_bad "$(cat err)"
t_done
