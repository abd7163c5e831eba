#!/usr/bin/env bash
# test_assess_testssl.sh - the TLS probe of `rampart assess` agrees with
# testssl.sh (Debian's package, an independent implementation) on two nginx
# servers on loopback: a strong one (TLS 1.2 + 1.3, a trusted certificate,
# HSTS) and a weak one (TLS 1.0 to 1.2, a self-signed expired certificate,
# no HSTS).  Per server: each protocol version offered or not, the
# certificate's chain trusted or not and expired or not, HSTS present or
# not.  testssl.sh is slow (minutes per server on a loaded machine), hence
# an integration test of its own and only the narrowest options that answer
# these questions (--protocols --headers --server-defaults, no DNS).
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/lib/common.sh"
source "$here/lib/nginx.sh"
: "${RAMPART:?}"
cd "$T_WORK" || exit 1
# testssl.sh judges the servers, not rampart: the release build runs it once
# (about 5 to 10 minutes on 2 busy cores); rampart's probe runs under the
# sanitizers and valgrind in tests/cli/test_assess_tls.sh.
[ "${RAMPART_SANITIZE:-OFF}" = ON ] && t_skip "sanitizer build (the release build runs this test)"
[ -n "${RAMPART_UNDER_VALGRIND:-}" ] && t_skip "under valgrind (the release build runs this test)"
TESTSSL=$(command -v testssl || command -v testssl.sh) || t_skip "testssl.sh is not installed (scripts/bootstrap)"
command -v faketime >/dev/null || t_skip "faketime is not installed (scripts/bootstrap)"

t_make_ca "$T_WORK/ca" 400 || t_bad "test CA"
# The weak server's certificate: self-signed, valid from 30 to 20 days ago.
env "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" faketime -f -30d \
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 10 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" -keyout weak.key -out weak.pem >/dev/null 2>&1 ||
    t_bad "weak certificate"
mkdir -p www
printf 'app 1.0\n' >www/app.tgz

# serve NAME CERT KEY TLS EXTRA: an nginx of its own (kept running; PORT_NAME, DIR_NAME)
serve() {
    NGINX_TLS=$4 NGINX_EXTRA=$5 nginx_start "$T_WORK/www" "$2" "$3" || t_bad "$1: nginx"
    eval "PORT_$1=\$NGINX_PORT DIR_$1=\$NGINX_DIR"
    NGINX_DIR=""
}
stop_all() {
    NGINX_DIR=${DIR_strong:-}
    nginx_stop
    NGINX_DIR=${DIR_weak:-}
    nginx_stop
}
T_CLEANUP+=(stop_all)

# scan NAME: rampart's report and testssl.sh's findings for server NAME
scan() {
    local name=$1 port
    eval "port=\$PORT_$name"
    "$RAMPART" assess --json --ca-file "$T_WORK/ca/ca.pem" "https://127.0.0.1:$port/app.tgz" >"$name.rampart.json" \
        2>"$name.err"
    # --ip: no name resolution; --nodns none: no DNS lookups (CAA) either;
    # HEADER_MAXSLEEP: the HTTP header read waits 2 s, not 5.
    HEADER_MAXSLEEP=2 timeout 700 "$TESTSSL" --protocols --headers --server-defaults --quiet --color 0 --warnings off \
        --nodns none --connect-timeout 5 --openssl-timeout 10 --add-ca "$T_WORK/ca/ca.pem" \
        --jsonfile "$name.testssl.json" --ip 127.0.0.1 "https://localhost:$port/app.tgz" >"$name.testssl.out" 2>&1
}

# agree NAME: compare the two
agree() {
    local name=$1
    [ -s "$name.rampart.json" ] || { t_bad "$name: no rampart report: $(cat "$name.err")"; return; }
    [ -s "$name.testssl.json" ] || { t_bad "$name: testssl.sh wrote no JSON: $(tail -5 "$name.testssl.out")"; return; }
    python3 - "$name.rampart.json" "$name.testssl.json" "$name" >"$name.cmp" <<'PY' || t_bad "$name: comparison"
import json, sys
r = json.load(open(sys.argv[1]))
t = {f["id"]: f["finding"] for f in json.load(open(sys.argv[2]))}
name = sys.argv[3]
ev = {c["id"]: c["evidence"] for c in r["checks"]}
def agree(what, ours, theirs, detail):
    line = "%s: %s: rampart %s, testssl.sh %s" % (name, what, ours, theirs)
    print(("ok\t" if ours == theirs else "bad\t") + line + ("" if ours == theirs else " (%s)" % detail))
for ver, tid in (("TLS 1.0", "TLS1"), ("TLS 1.1", "TLS1_1"), ("TLS 1.2", "TLS1_2"), ("TLS 1.3", "TLS1_3")):
    ours = ver + " accepted" in ev["TLS-PROTOCOLS"]
    theirs = t.get(tid, "").startswith("offered")
    agree(ver + " offered", ours, theirs, t.get(tid))
agree("certificate expired", "; expired" in ev["TLS-CERT"], "expired" in t.get("cert_expirationStatus", ""),
      t.get("cert_expirationStatus"))
agree("certificate not trusted", "not trusted" in ev["TLS-CERT"], t.get("cert_chain_of_trust", "").startswith("failed"),
      t.get("cert_chain_of_trust"))
# testssl.sh 3.0 reports HSTS as "HSTS_time" when sent, "HSTS" ("not offered") when not.
theirs = "HSTS_time" in t or ("HSTS" in t and not t["HSTS"].startswith("not offered"))
agree("HSTS present", "max-age=" in ev["TLS-HSTS"], theirs, {k: v for k, v in t.items() if k.startswith("HSTS")})
PY
    local st msg
    while IFS=$'\t' read -r st msg; do
        if [ "$st" = ok ]; then t_ok "$msg"; else t_bad "$msg"; fi
    done <"$name.cmp"
}

serve strong "$T_WORK/ca/server.pem" "$T_WORK/ca/server.key" \
    'ssl_protocols TLSv1.2 TLSv1.3; ssl_ciphers ECDHE+AESGCM:ECDHE+CHACHA20;' \
    'add_header Strict-Transport-Security "max-age=31536000" always;'
serve weak "$T_WORK/weak.pem" "$T_WORK/weak.key" 'ssl_protocols TLSv1 TLSv1.1 TLSv1.2; ssl_ciphers HIGH:!aNULL:@SECLEVEL=0;' ''
# The two scans side by side (testssl.sh takes minutes each).
scan strong &
scan weak &
wait
agree strong
agree weak
# Each side must have said something: 7 agreements per server.
[ "$(cat strong.cmp weak.cmp 2>/dev/null | grep -c '^ok')" -eq 14 ] && t_ok "14 agreements" || t_bad "fewer than 14 agreements"
python3 - strong.rampart.json weak.rampart.json <<'PY' && t_ok "rampart: strong Transport A, weak F (kind unreachable)" || t_bad "rampart grades"
import json, sys
s, w = (json.load(open(f)) for f in sys.argv[1:3])
assert s["grades"]["transport"] == "A", s["grades"]
assert w["grades"]["transport"] == "F" and w["kind"] == "unreachable", (w["grades"], w["kind"])
PY

t_done
