#!/usr/bin/env bash
# test_assess_tls.sh - the Transport probe of `rampart assess` (docs/assess.md,
# "Transport: the TLS probe") against nginx on loopback, one fixture per
# finding: a strong server (TLS 1.2 + 1.3, ECDHE + AEAD suites only, HSTS
# for a year), TLS 1.0/1.1 and CBC/static-RSA suites also enabled, no HSTS,
# a short HSTS, an https -> http redirect (of a checksum file and of an
# appcast's enclosure), a self-signed, an expired and a
# misnamed certificate; each with the Transport grade and the status of
# every TLS check asserted exactly; the probe off (--no-tls-probe), plain
# http (no probe) and the JSON and SARIF reports against their schemas.
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/lib/common.sh"
source "$here/lib/nginx.sh"
: "${RAMPART:?}"
cd "$T_WORK" || exit 1
python3 -c 'import jsonschema' 2>/dev/null || t_skip "python3-jsonschema is not installed (scripts/bootstrap)"
for tool in openssl faketime; do
    command -v $tool >/dev/null || t_skip "$tool is not installed (scripts/bootstrap)"
done
SCHEMA=$here/../docs/assess-report.schema.json
SARIF_SCHEMA=$here/vectors/sarif/sarif-schema-2.1.0.json
FAKETIME_ENV="ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"

# ---------------------------------------------------------------- certificates
t_make_ca "$T_WORK/ca" 400 || t_bad "test CA"
CA=$T_WORK/ca
# leaf NAME KEYALG SAN [DAYS] [FAKETIME]: a server certificate signed by the test CA
leaf() {
    local name=$1 alg=$2 san=$3 days=${4:-400} when=${5:-}
    local kopt=(-newkey ec -pkeyopt ec_paramgen_curve:P-256)
    [ "$alg" = rsa ] && kopt=(-newkey rsa:2048)
    openssl req "${kopt[@]}" -nodes -subj "/CN=127.0.0.1" -keyout "$name.key" -out "$name.csr" >/dev/null 2>&1 &&
        printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\n' "$san" >"$name.cnf" &&
        ${when:+env $FAKETIME_ENV faketime -f "$when"} openssl x509 -req -in "$name.csr" -CA "$CA/ca.pem" \
            -CAkey "$CA/ca.key" -CAcreateserial -days "$days" -extfile "$name.cnf" -out "$name.pem" >/dev/null 2>&1 ||
        t_bad "certificate $name"
}
leaf strong ec "IP:127.0.0.1,DNS:localhost"
leaf rsa rsa "IP:127.0.0.1,DNS:localhost"
leaf expired ec "IP:127.0.0.1,DNS:localhost" 10 -30d
leaf misnamed ec "DNS:updates.example.com"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 400 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" -keyout self.key -out self.pem >/dev/null 2>&1 ||
    t_bad "self-signed certificate"
openssl x509 -in expired.pem -noout -checkend 0 >/dev/null && t_bad "the expired certificate has not expired"

mkdir -p www
printf 'app 1.0\n' >www/app.tgz

STRONG_TLS='ssl_protocols TLSv1.2 TLSv1.3; ssl_ciphers ECDHE+AESGCM:ECDHE+CHACHA20;'
# Debian 12's nginx on OpenSSL 3.0 offers TLS 1.0 and 1.1 only at security level 0.
OLD_TLS='ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3; ssl_ciphers HIGH:!aNULL:@SECLEVEL=0;'
HSTS='add_header Strict-Transport-Security "max-age=31536000" always;'

# serve CERT TLS EXTRA: nginx over HTTPS (the previous one stopped); sets U
serve() {
    nginx_stop
    NGINX_TLS=$2 NGINX_EXTRA=$3 nginx_start "$T_WORK/www" "$T_WORK/$1.pem" "$T_WORK/$1.key" || t_bad "nginx ($1)"
    U=$NGINX_URL
}
T_CLEANUP+=(nginx_stop)

# assess NAME STATUS JSON_OUT ARGS...: rampart assess --json, exit status checked
assess() {
    local name=$1 want=$2 out=$3
    shift 3
    t_run "$name: exit $want" "$want" - "$RAMPART" assess --json --min-grade D "$@" && cp "$T_WORK/out" "$out"
}

# expect NAME JSON KIND "T S M H P" CHECK=STATUS...: the kind, the five grades,
# the status of each check named and, for TLS-*, exactly the TLS checks
# listed (a check reported once per origin or URL is listed once per report)
expect() {
    local name=$1 json=$2 kind=$3 grades=$4
    shift 4
    local got
    got=$(python3 - "$json" "$kind" "$grades" "$@" 2>&1 <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
out = []
if r["kind"] != sys.argv[2]:
    out.append("kind %s, expected %s" % (r["kind"], sys.argv[2]))
g = r["grades"]
got = " ".join(g[q] for q in ("transport", "signing", "manifest", "hashes", "provenance"))
if got != sys.argv[3]:
    out.append("grades %s, expected %s" % (got, sys.argv[3]))
want = [a.split("=") for a in sys.argv[4:]]
tls_got = sorted((c["id"], c["status"]) for c in r["checks"] if c["id"].startswith("TLS-"))
tls_want = sorted((i, s) for i, s in want if i.startswith("TLS-"))
if tls_got != tls_want:
    out.append("TLS checks %s, expected %s (%s)" % (tls_got, tls_want,
               [c["evidence"] for c in r["checks"] if c["id"].startswith("TLS-") and c["status"] != "pass"]))
for i, s in want:
    if i.startswith("TLS-"):
        continue
    st = [c["status"] for c in r["checks"] if c["id"] == i]
    if st != [s]:
        out.append("%s is %s, expected %s" % (i, st, s))
print("; ".join(out))
PY
) || got="cannot read $json: ${got##*$'\n'}"
    if [ -z "$got" ]; then t_ok "$name: $kind, grades $grades, $*"; else t_bad "$name: $got"; fi
}

# evidence NAME JSON ID TEXT: the evidence of check ID holds TEXT
evidence() {
    python3 - "$2" "$3" "$4" <<'PY' && t_ok "$1: $3 says '$4'" || t_bad "$1: $3 does not say '$4'"
import json, sys
r = json.load(open(sys.argv[1]))
ev = [c["evidence"] for c in r["checks"] if c["id"] == sys.argv[2]]
if not any(sys.argv[3] in e for e in ev):
    print("   ", ev)
    sys.exit(1)
PY
}

valid_json() {
    python3 - "$SCHEMA" "$1" <<'PY' && t_ok "$2: JSON report valid against docs/assess-report.schema.json" || t_bad "$2: JSON report invalid"
import json, sys, jsonschema
jsonschema.Draft202012Validator(json.load(open(sys.argv[1]))).validate(json.load(open(sys.argv[2])))
PY
}

PASS_ALL=(TLS-PROTOCOLS=pass TLS-CERT=pass TLS-CIPHERS=pass TLS-HSTS=pass TLS-REDIRECTS=pass)

# ---------------------------------------------------------------- strong
serve strong "$STRONG_TLS" "$HSTS"
assess "strong" 0 strong.json --ca-file "$CA/ca.pem" "$U/app.tgz"
expect "strong" strong.json plain "A D D D D" DL-HTTPS=pass "${PASS_ALL[@]}"
evidence "strong" strong.json TLS-PROTOCOLS "TLS 1.3 accepted (TLS_AES_256_GCM_SHA384); TLS 1.2 accepted (ECDHE-ECDSA-AES256-GCM-SHA384); TLS 1.1 refused; TLS 1.0 refused"
evidence "strong" strong.json TLS-CERT "trusted; names 127.0.0.1; 399 day(s) left; EC 256-bit key; signed with ecdsa-with-SHA256"
evidence "strong" strong.json TLS-CIPHERS "refuses static RSA key exchange (no forward secrecy); refuses CBC suites (no AEAD); refuses NULL encryption; refuses anonymous key exchange"
evidence "strong" strong.json TLS-HSTS "max-age=31536000"
evidence "strong" strong.json TLS-REDIRECTS "no redirect (status 200)"
valid_json strong.json "strong"
python3 - strong.json "$U" <<'PY' && t_ok "strong: TLS checks located at the origin, the redirect check at the URL" || t_bad "strong: locations"
import json, sys
r = json.load(open(sys.argv[1]))
loc = {c["id"]: c["location"] for c in r["checks"]}
origin = sys.argv[2]
assert loc["TLS-PROTOCOLS"] == loc["TLS-CERT"] == loc["TLS-CIPHERS"] == loc["TLS-HSTS"] == origin, loc
assert loc["TLS-REDIRECTS"] == origin + "/app.tgz", loc
PY
# The same server, probe off: Transport from DL-HTTPS alone.
assess "strong, --no-tls-probe" 0 noprobe.json --no-tls-probe --ca-file "$CA/ca.pem" "$U/app.tgz"
expect "strong, --no-tls-probe" noprobe.json plain "A D D D D" DL-HTTPS=pass
# The strong server but the wrong trust store: the chain is not trusted.
assess "strong, system store" 1 untrusted.json "$U/app.tgz"
expect "strong, system store" untrusted.json unreachable "F - - - -" TLS-PROTOCOLS=pass TLS-CERT=critical \
    TLS-CIPHERS=pass TLS-HSTS=pass TLS-REDIRECTS=pass
evidence "strong, system store" untrusted.json TLS-CERT "not trusted (unable to get local issuer certificate)"
valid_json untrusted.json "unreachable"

# ---------------------------------------------------------------- TLS 1.0/1.1, CBC and static RSA
serve rsa "$OLD_TLS" "$HSTS"
assess "old protocols" 0 old.json --ca-file "$CA/ca.pem" "$U/app.tgz"
expect "old protocols" old.json plain "B D D D D" DL-HTTPS=pass TLS-PROTOCOLS=warn TLS-CERT=pass TLS-CIPHERS=warn \
    TLS-HSTS=pass TLS-REDIRECTS=pass
evidence "old protocols" old.json TLS-PROTOCOLS "TLS 1.1 accepted (ECDHE-RSA-AES256-SHA); TLS 1.0 accepted (ECDHE-RSA-AES256-SHA)"
evidence "old protocols" old.json TLS-CIPHERS "accepts static RSA key exchange (no forward secrecy): AES256-GCM-SHA384"
evidence "old protocols" old.json TLS-CIPHERS "accepts CBC suites (no AEAD): ECDHE-RSA-AES256-SHA384"
evidence "old protocols" old.json TLS-CERT "RSA 2048-bit key; signed with ecdsa-with-SHA256"

# ---------------------------------------------------------------- HSTS
serve strong "$STRONG_TLS" ""
assess "no HSTS" 0 nohsts.json --ca-file "$CA/ca.pem" "$U/app.tgz"
expect "no HSTS" nohsts.json plain "B D D D D" DL-HTTPS=pass TLS-PROTOCOLS=pass TLS-CERT=pass TLS-CIPHERS=pass \
    TLS-HSTS=warn TLS-REDIRECTS=pass
evidence "no HSTS" nohsts.json TLS-HSTS "no Strict-Transport-Security header (status 200)"
serve strong "$STRONG_TLS" 'add_header Strict-Transport-Security "max-age=15552000; includeSubDomains" always;'
assess "HSTS 180 days" 0 short.json --ca-file "$CA/ca.pem" "$U/app.tgz"
expect "HSTS 180 days" short.json plain "B D D D D" DL-HTTPS=pass TLS-PROTOCOLS=pass TLS-CERT=pass \
    TLS-CIPHERS=pass TLS-HSTS=warn TLS-REDIRECTS=pass
evidence "HSTS 180 days" short.json TLS-HSTS "max-age=15552000, less than a year"
serve strong "$STRONG_TLS" 'add_header Strict-Transport-Security "max-age=31536000; max-age=1" always;'
assess "HSTS twice max-age" 0 dup.json --ca-file "$CA/ca.pem" "$U/app.tgz"
expect "HSTS twice max-age" dup.json plain "B D D D D" DL-HTTPS=pass TLS-PROTOCOLS=pass TLS-CERT=pass \
    TLS-CIPHERS=pass TLS-HSTS=warn TLS-REDIRECTS=pass

# ---------------------------------------------------------------- redirects
# /old/SHA256SUMS goes https -> http; /moved/... goes https -> https.
serve strong "$STRONG_TLS" "$HSTS
        location = /old/SHA256SUMS { return 301 http://127.0.0.1:\$server_port/SHA256SUMS; }
        location = /moved/app.tgz.minisig { return 302 /app.tgz.minisig; }
        location = /old/App-1.zip { return 301 http://127.0.0.1:\$server_port/App-1.zip; }"
assess "https -> http redirect" 0 redir.json --ca-file "$CA/ca.pem" --checksums "$U/old/SHA256SUMS" \
    --signature "$U/moved/app.tgz.minisig" "$U/app.tgz"
expect "https -> http redirect" redir.json plain "D D D D D" DL-HTTPS=pass TLS-PROTOCOLS=pass TLS-CERT=pass \
    TLS-CIPHERS=pass TLS-HSTS=pass TLS-REDIRECTS=pass TLS-REDIRECTS=fail TLS-REDIRECTS=pass
evidence "https -> http redirect" redir.json TLS-REDIRECTS "$U/old/SHA256SUMS -301-> http://127.0.0.1:${U##*:}/SHA256SUMS (https to http)"
evidence "https -> http redirect" redir.json TLS-REDIRECTS "$U/moved/app.tgz.minisig -302-> https://"
valid_json redir.json "redirect"
"$RAMPART" assess --sarif --ca-file "$CA/ca.pem" --checksums "$U/old/SHA256SUMS" "$U/app.tgz" >redir.sarif
python3 - "$SARIF_SCHEMA" redir.sarif <<'PY' && t_ok "redirect: SARIF valid, one rule per check, results point at their rule" || t_bad "redirect: SARIF"
import json, sys, jsonschema
jsonschema.Draft7Validator(json.load(open(sys.argv[1]))).validate(s := json.load(open(sys.argv[2])))
run = s["runs"][0]
rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
assert len(rules) == len(set(rules)), rules
for t in ("TLS-PROTOCOLS", "TLS-CERT", "TLS-CIPHERS", "TLS-HSTS", "TLS-REDIRECTS"):
    assert t in rules, (t, rules)
for res in run["results"]:
    assert rules[res["ruleIndex"]] == res["ruleId"], res
assert [r["properties"]["status"] for r in run["results"] if r["ruleId"] == "TLS-REDIRECTS"] == ["pass", "fail"]
PY

# An appcast's enclosures are documents of the channel too: the redirect
# chain of each (the first 8 distinct https ones) is probed beside the
# feed's, so an enclosure handed over to plain http fails TLS-REDIRECTS.
# appcast FILE ITEM...: an RSS feed with the Sparkle namespace
appcast() {
    local f=$1
    shift
    {
        echo '<?xml version="1.0" encoding="utf-8"?>'
        echo '<rss version="2.0" xmlns:sparkle="http://www.andymatuschak.org/xml-namespaces/sparkle">'
        echo '<channel><title>App</title>'
        printf '%s\n' "$@"
        echo '</channel></rss>'
    } >"$f"
}
appcast www/appcast.xml "<item><sparkle:version>2</sparkle:version><enclosure url=\"$U/app.tgz\" length=\"8\"/></item>" \
    "<item><sparkle:version>1</sparkle:version><enclosure url=\"$U/old/App-1.zip\" length=\"8\"/></item>"
assess "appcast, enclosure -> http" 1 encl.json --ca-file "$CA/ca.pem" "$U/appcast.xml"
expect "appcast, enclosure -> http" encl.json sparkle "D F A A D" TLS-PROTOCOLS=pass TLS-CERT=pass \
    TLS-CIPHERS=pass TLS-HSTS=pass TLS-REDIRECTS=pass TLS-REDIRECTS=pass TLS-REDIRECTS=fail
evidence "appcast, enclosure -> http" encl.json TLS-REDIRECTS "$U/old/App-1.zip -301-> http://127.0.0.1:${U##*:}/App-1.zip (https to http)"
python3 - encl.json "$U" <<'PY' && t_ok "appcast, enclosure -> http: the feed and both enclosures probed" || t_bad "appcast: chains probed"
import json, sys
r = json.load(open(sys.argv[1]))
u = sys.argv[2]
got = [(c["location"], c["status"]) for c in r["checks"] if c["id"] == "TLS-REDIRECTS"]
want = [(u + "/appcast.xml", "pass"), (u + "/app.tgz", "pass"), (u + "/old/App-1.zip", "fail")]
if got != want:
    print("   ", got)
    sys.exit(1)
PY
# Ten distinct enclosures: the first 8 are probed, the evidence says so.
items=()
for n in $(seq 1 10); do items+=("<item><sparkle:version>$n</sparkle:version><enclosure url=\"$U/app.tgz?v=$n\" length=\"8\"/></item>"); done
appcast www/many.xml "${items[@]}"
assess "appcast, 10 enclosures" 1 many.json --ca-file "$CA/ca.pem" "$U/many.xml"
python3 - many.json "$U" <<'PY' && t_ok "appcast, 10 enclosures: the feed and the first 8 enclosures probed" || t_bad "appcast, 10 enclosures"
import json, sys
r = json.load(open(sys.argv[1]))
u = sys.argv[2]
got = [(c["location"], c["status"]) for c in r["checks"] if c["id"] == "TLS-REDIRECTS"]
want = [(u + "/many.xml", "pass")] + [(u + "/app.tgz?v=%d" % n, "pass") for n in range(1, 9)]
if got != want:
    print("   ", got)
    sys.exit(1)
PY
evidence "appcast, 10 enclosures" many.json SPK-ENCLOSURE "the transport of 2 more enclosure(s) not probed (the first 8 are)"
# With the probe off, no enclosure is probed either: Transport is the feed's
# SPK-FEED-HTTPS alone (A), so the D above is the enclosure's redirect.
assess "appcast, --no-tls-probe" 1 encl-np.json --no-tls-probe --ca-file "$CA/ca.pem" "$U/appcast.xml"
expect "appcast, --no-tls-probe" encl-np.json sparkle "A F A A D"

# ---------------------------------------------------------------- certificates that do not verify
serve self "$STRONG_TLS" "$HSTS"
assess "self-signed" 1 self.json --ca-file "$CA/ca.pem" "$U/app.tgz"
expect "self-signed" self.json unreachable "F - - - -" TLS-PROTOCOLS=pass TLS-CERT=critical TLS-CIPHERS=pass \
    TLS-HSTS=pass TLS-REDIRECTS=pass
evidence "self-signed" self.json TLS-CERT "self-signed, not trusted"
# Without the probe, the refused handshake is an error, as before.
t_run "self-signed, --no-tls-probe: exit 2" 2 RAMPART_ETLS "$RAMPART" assess --no-tls-probe --ca-file "$CA/ca.pem" \
    "$U/app.tgz"

serve expired "$STRONG_TLS" "$HSTS"
assess "expired" 1 expired.json --ca-file "$CA/ca.pem" "$U/app.tgz"
expect "expired" expired.json unreachable "F - - - -" TLS-PROTOCOLS=pass TLS-CERT=critical TLS-CIPHERS=pass \
    TLS-HSTS=pass TLS-REDIRECTS=pass
python3 - expired.json <<'PY' && t_ok "expired: not said to be trusted" || t_bad "expired: said trusted"
import json, sys
ev = [c["evidence"] for c in json.load(open(sys.argv[1]))["checks"] if c["id"] == "TLS-CERT"][0]
assert "trusted" not in ev and "day(s) left" not in ev, ev
PY
evidence "expired" expired.json TLS-CERT "names 127.0.0.1; EC 256-bit key"
evidence "expired" expired.json TLS-CERT "; expired;"

serve misnamed "$STRONG_TLS" "$HSTS"
assess "misnamed" 1 misnamed.json --ca-file "$CA/ca.pem" "$U/app.tgz"
expect "misnamed" misnamed.json unreachable "F - - - -" TLS-PROTOCOLS=pass TLS-CERT=critical TLS-CIPHERS=pass \
    TLS-HSTS=pass TLS-REDIRECTS=pass
evidence "misnamed" misnamed.json TLS-CERT "trusted; does not name 127.0.0.1"

# ---------------------------------------------------------------- plain http: no probe
nginx_stop
NGINX_EXTRA="" nginx_start "$T_WORK/www" || t_bad "nginx (http)"
assess "plain http" 1 http.json "$NGINX_URL/app.tgz"
expect "plain http" http.json plain "F D D D D" DL-HTTPS=critical
# A local file: no transport at all.
assess "local file" 0 file.json "$T_WORK/www/app.tgz"
expect "local file" file.json plain "- D D D D"

t_done
