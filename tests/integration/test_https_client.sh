#!/usr/bin/env bash
# test_https_client.sh - `rampart client` against nginx over HTTPS on
# loopback, with a CA generated here: a verified update, then TLS failures
# (untrusted certificate, pin mismatch) and repository attacks served by a
# real web server (tampered package, expired timestamp), each refused with
# its error code and the trusted files on disk unchanged.
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/lib/common.sh"
source "$here/lib/nginx.sh"
command -v "$(nginx_bin)" >/dev/null 2>&1 || t_skip "nginx not installed"
command -v openssl >/dev/null || t_skip "openssl not installed"
: "${RAMPART:?}" "${MKREPO:?}"

t_make_ca "$T_WORK/ca" || { t_bad "cannot create the test CA"; t_done; exit 1; }
mkdir -p "$T_WORK/srv"
"$MKREPO" "$T_WORK/srv/repo" >/dev/null || { t_bad "mkrepo"; t_done; exit 1; }
"$MKREPO" "$T_WORK/srv/expired" --expired-timestamp >/dev/null || { t_bad "mkrepo"; t_done; exit 1; }
nginx_start "$T_WORK/srv" "$T_WORK/ca/server.pem" "$T_WORK/ca/server.key" || { t_bad "nginx"; t_done; exit 1; }
T_CLEANUP+=(nginx_stop)
M="$NGINX_URL/repo/metadata/"
TG="$NGINX_URL/repo/targets/"
md=$T_WORK/md
tg=$T_WORK/tg

t_run "init with the repository's root" 0 - "$RAMPART" client --metadata-dir "$md" init "$T_WORK/srv/repo/root.json"
t_run "download over HTTPS with the test CA" 0 - "$RAMPART" client --metadata-dir "$md" --metadata-url "$M" \
    --ca-file "$T_WORK/ca/ca.pem" --target-base-url "$TG" --target-dir "$tg" \
    --target-name app-1.0.0.tar.gz --target-name docs/readme.txt download
t_same "downloaded package bytes" "$tg/app-1.0.0.tar.gz" "$T_WORK/srv/repo/targets/$(cd "$T_WORK/srv/repo/targets" && ls | grep app-1.0.0)"
printf 'Rampart integration test repository\n' >"$T_WORK/readme.want"
t_same "downloaded nested target" "$tg/docs/readme.txt" "$T_WORK/readme.want"
t_same "trusted root is version 2 as served" "$md/root.json" "$T_WORK/srv/repo/metadata/2.root.json"
t_same "timestamp stored as received" "$md/timestamp.json" "$T_WORK/srv/repo/metadata/timestamp.json"
t_files "metadata folder holds the four roles" "$md" "root.json snapshot.json targets.json timestamp.json"

# --json output is machine-readable
t_run "refresh --json" 0 - "$RAMPART" client --metadata-dir "$md" --metadata-url "$M" --ca-file "$T_WORK/ca/ca.pem" --json refresh
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["ok"] is True and d["roles"]["root"]["version"]==2' "$T_WORK/out"; then
    t_ok "refresh --json reports root version 2"
else
    t_bad "refresh --json output: $(cat "$T_WORK/out")"
fi

# TLS: a server certificate the client does not trust
cp -a "$md" "$T_WORK/md.before"
t_run "untrusted certificate is refused" 1 RAMPART_ETLS "$RAMPART" client --metadata-dir "$md" --metadata-url "$M" refresh
t_same "root unchanged after TLS failure" "$md/root.json" "$T_WORK/md.before/root.json"
# public-key pinning
pin=$(openssl x509 -in "$T_WORK/ca/server.pem" -pubkey -noout | openssl pkey -pubin -outform der 2>/dev/null |
    openssl dgst -sha256 -binary | base64)
t_run "matching public-key pin" 0 - "$RAMPART" client --metadata-dir "$md" --metadata-url "$M" \
    --ca-file "$T_WORK/ca/ca.pem" --pin "sha256//$pin" refresh
t_run "pin mismatch is refused" 1 RAMPART_ETLS "$RAMPART" client --metadata-dir "$md" --metadata-url "$M" \
    --ca-file "$T_WORK/ca/ca.pem" --pin "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" refresh

# A tampered package of the same length: refused, nothing written, the cached good copy kept.
pkg=$(cd "$T_WORK/srv/repo/targets" && ls | grep app-1.0.0)
cp "$T_WORK/srv/repo/targets/$pkg" "$T_WORK/pkg.orig"
printf 'APPLICATION 1.0.0 PAYLOAD\n' >"$T_WORK/srv/repo/targets/$pkg"
rm -rf "$T_WORK/tg2"
t_run "tampered package is refused" 1 RAMPART_EMISMATCH "$RAMPART" client --metadata-dir "$md" --metadata-url "$M" \
    --ca-file "$T_WORK/ca/ca.pem" --target-base-url "$TG" --target-dir "$T_WORK/tg2" \
    --target-name app-1.0.0.tar.gz download
t_absent "no tampered file written" "$T_WORK/tg2/app-1.0.0.tar.gz"
if [ -z "$(find "$T_WORK/tg2" -type f 2>/dev/null)" ]; then t_ok "no temporary file left"; else t_bad "files left in target folder: $(find "$T_WORK/tg2" -type f)"; fi
t_run "cached good copy is reused, not refetched" 0 - "$RAMPART" client --metadata-dir "$md" --metadata-url "$M" \
    --ca-file "$T_WORK/ca/ca.pem" --target-base-url "$TG" --target-dir "$tg" --target-name app-1.0.0.tar.gz download
t_same "cached copy still the good one" "$tg/app-1.0.0.tar.gz" "$T_WORK/pkg.orig"
cp "$T_WORK/pkg.orig" "$T_WORK/srv/repo/targets/$pkg"

# Freeze: a repository whose timestamp expired.
md2=$T_WORK/md2
t_run "init for the expired repository" 0 - "$RAMPART" client --metadata-dir "$md2" init "$T_WORK/srv/expired/root.json"
t_run "expired timestamp is refused" 1 RAMPART_EEXPIRED "$RAMPART" client --metadata-dir "$md2" \
    --metadata-url "$NGINX_URL/expired/metadata/" --ca-file "$T_WORK/ca/ca.pem" refresh
t_files "only the (updated) root is trusted" "$md2" "root.json"

t_done
