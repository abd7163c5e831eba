#!/usr/bin/env bash
# test_assess.sh - `rampart assess` on TUF repositories built here with
# `rampart repo`: one strong (served over HTTPS by nginx with a test CA, and
# as a folder) and several deliberately weak ones (1-of-1 root, an online
# key in root, a 2-year timestamp window, an expired snapshot, no
# provenance, plain http, tampered metadata, a wide delegation), each with
# its grades asserted question by question and the status of the checks
# that make them; exit statuses for --min-grade and errors; the JSON report
# against docs/assess-report.schema.json and the SARIF report against the
# OASIS SARIF 2.1.0 schema (python3-jsonschema); the HTML page
# self-contained, with hostile strings escaped.
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/lib/common.sh"
source "$here/lib/repo.sh"
source "$here/lib/nginx.sh"
: "${RAMPART:?}"
cd "$T_WORK" || exit 1
python3 -c 'import jsonschema' 2>/dev/null || t_skip "python3-jsonschema is not installed (scripts/bootstrap)"

SCHEMA=$here/../docs/assess-report.schema.json
SARIF_SCHEMA=$here/vectors/sarif/sarif-schema-2.1.0.json
# An ASan build must accept libfaketime ahead of its runtime.
FAKETIME_ENV="ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"

r_keys root1 root2 root3 targets snapshot timestamp builder dev
printf 'app 1.0\n' >app-1.0.tgz
"$RAMPART" attest --key "$(K builder key)" --builder-id https://ci.example.com/builders/release@v1 \
    --out app.att app-1.0.tgz >/dev/null || t_bad "attest"

STRONG=(--root-key "$(K root1 pub)" --root-key "$(K root2 pub)" --root-key "$(K root3 pub)" --root-threshold 2
    --targets-key "$(K targets pub)" --snapshot-key "$(K snapshot pub)" --timestamp-key "$(K timestamp pub)")
SIGN=(--key "$(K root1 key)" --key "$(K root2 key)" --key "$(K targets key)" --key "$(K snapshot key)"
    --key "$(K timestamp key)")

# mk DIR PROVENANCE(yes|no|ATTESTATION) [init options...]: a published repository
# with one target (its provenance bound unless "no")
mk() {
    local dir=$1 prov=$2
    shift 2
    "$RAMPART" repo init "$dir" "$@" >/dev/null 2>&1 || { t_bad "init $dir"; return 1; }
    local att=app.att
    [ "$prov" != yes ] && att=$prov
    if [ "$prov" = no ]; then
        "$RAMPART" repo add "$dir" app-1.0.tgz >/dev/null 2>&1
    else
        "$RAMPART" repo add "$dir" app-1.0.tgz --provenance "$att" >/dev/null 2>&1
    fi || { t_bad "add $dir"; return 1; }
    ${PUBLISH_PREFIX:-} "$RAMPART" repo publish "$dir" "${SIGN[@]}" >/dev/null 2>&1 || t_bad "publish $dir"
}

# expect NAME JSON "T S M H P" [CHECK=STATUS...]: the grades of the five
# questions and the status of the checks named
expect() {
    local name=$1 json=$2 grades=$3
    shift 3
    local got
    got=$(python3 - "$json" "$grades" "$@" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
g = r["grades"]
out = []
got = " ".join(g[q] for q in ("transport", "signing", "manifest", "hashes", "provenance"))
if got != sys.argv[2]:
    out.append("grades %s, expected %s" % (got, sys.argv[2]))
st = {c["id"]: c["status"] for c in r["checks"]}
for want in sys.argv[3:]:
    cid, s = want.split("=")
    if st.get(cid) != s:
        ev = [c["evidence"] for c in r["checks"] if c["id"] == cid]
        out.append("%s is %s, expected %s (%s)" % (cid, st.get(cid), s, ev))
print("; ".join(out))
PY
) || got="${got:+$got; }cannot read the report $json"
    if [ -z "$got" ]; then t_ok "$name: grades $grades${*:+, $*}"; else t_bad "$name: $got"; fi
}

# assess NAME STATUS JSON_OUT ARGS...: rampart assess --json, exit status checked
assess() {
    local name=$1 want=$2 out=$3
    shift 3
    t_run "$name: exit $want" "$want" - "$RAMPART" assess --json "$@" && cp "$T_WORK/out" "$out"
}

valid_json() {
    python3 - "$SCHEMA" "$1" <<'PY' && t_ok "$2: JSON report valid against docs/assess-report.schema.json" || t_bad "$2: JSON report invalid"
import json, sys, jsonschema
jsonschema.Draft202012Validator(json.load(open(sys.argv[1]))).validate(json.load(open(sys.argv[2])))
PY
}

# ---------------------------------------------------------------- fixtures
mk strong yes "${STRONG[@]}"
mk root1 yes --root-key "$(K root1 pub)" --targets-key "$(K targets pub)" --snapshot-key "$(K snapshot pub)" \
    --timestamp-key "$(K timestamp pub)"
mk online yes --root-key "$(K root1 pub)" --root-key "$(K root2 pub)" --root-key "$(K timestamp pub)" \
    --root-threshold 2 --targets-key "$(K targets pub)" --snapshot-key "$(K snapshot pub)" \
    --timestamp-key "$(K timestamp pub)"
mk tswindow yes "${STRONG[@]}" --timestamp-expires 730
PUBLISH_PREFIX="env $FAKETIME_ENV faketime -f -3d" mk expired yes "${STRONG[@]}" --snapshot-expires 1 --timestamp-expires 7
mk noprov no "${STRONG[@]}"

# ---------------------------------------------------------------- strong, over HTTPS
# Served strong (TLS 1.2 + 1.3, ECDHE + AEAD only, HSTS for a year, a
# certificate with more than 30 days left), so that the TLS probe's checks
# pass and Transport stays A (tests/cli/test_assess_tls.sh has the weak servers).
t_make_ca "$T_WORK/ca" 400 || t_bad "test CA"
NGINX_TLS='ssl_protocols TLSv1.2 TLSv1.3; ssl_ciphers ECDHE+AESGCM:ECDHE+CHACHA20;' \
    NGINX_EXTRA='add_header Strict-Transport-Security "max-age=31536000" always;' \
    nginx_start "$T_WORK/strong/public" "$T_WORK/ca/server.pem" "$T_WORK/ca/server.key" || t_bad "nginx"
T_CLEANUP+=(nginx_stop)
URL=$NGINX_URL/
assess "strong over https" 0 strong.json --ca-file "$T_WORK/ca/ca.pem" "$URL"
expect "strong over https" strong.json "A A A A B" TUF-HTTPS=pass TUF-VERIFY=pass TUF-ROOT-THRESHOLD=pass \
    TUF-ONLINE-KEYS=pass TUF-KEY-TYPES=pass TUF-KEY-REUSE=pass TUF-EXPIRY=pass TUF-EXPIRY-WINDOW=pass \
    TUF-HASH-ALGORITHMS=pass TUF-CONSISTENT-SNAPSHOT=pass TUF-DELEGATIONS=pass TUF-SPEC-VERSION=pass \
    TUF-PROVENANCE=pass TUF-SLSA-LEVEL=warn TUF-TRANSPARENCY-LOG=warn TLS-PROTOCOLS=pass TLS-CERT=pass \
    TLS-CIPHERS=pass TLS-HSTS=pass TLS-REDIRECTS=pass
valid_json strong.json "strong"
python3 - strong.json <<'PY' && t_ok "strong: 20 checks (15 TUF, 5 TLS), the builder named in the evidence" || t_bad "strong: checks"
import json, sys
r = json.load(open(sys.argv[1]))
assert len(r["checks"]) == 20, len(r["checks"])
slsa = [c for c in r["checks"] if c["id"] == "TUF-SLSA-LEVEL"][0]
assert "builder https://ci.example.com/builders/release@v1: SLSA level not determinable" in slsa["evidence"], slsa
assert slsa["remedy"] != "" and [c for c in r["checks"] if c["id"] == "TUF-VERIFY"][0]["remedy"] == ""
PY
t_run "strong: --min-grade A fails on the B" 1 - "$RAMPART" assess --min-grade A --ca-file "$T_WORK/ca/ca.pem" "$URL"
t_run "strong: --min-grade C" 0 - "$RAMPART" assess --min-grade C --ca-file "$T_WORK/ca/ca.pem" "$URL"
t_run "strong: the metadata URL itself" 0 - "$RAMPART" assess --ca-file "$T_WORK/ca/ca.pem" "${URL}metadata/"
# Without the test CA the handshake is refused: only the TLS probe grades it.
assess "strong: untrusted certificate" 1 untrusted.json "$URL"
expect "strong: untrusted certificate" untrusted.json "F - - - -" TLS-CERT=critical TLS-PROTOCOLS=pass
t_run "strong: untrusted certificate, --no-tls-probe" 2 RAMPART_ETLS "$RAMPART" assess --no-tls-probe "$URL"

# text report: the table first, then per question
t_run "strong: text" 0 - "$RAMPART" assess --ca-file "$T_WORK/ca/ca.pem" "$URL"
if head -12 "$T_WORK/out" | grep -q '^  Transport  *A  (every check passed)$' &&
    head -12 "$T_WORK/out" | grep -q '^  Provenance  *B  (warnings)$' &&
    grep -q '^Provenance: B$' "$T_WORK/out" && grep -q 'remedy: Record each release in a transparency log' "$T_WORK/out"; then
    t_ok "strong: text report"
else
    t_bad "strong: text report: $(head -30 "$T_WORK/out")"
fi

# ---------------------------------------------------------------- folders
assess "strong folder" 0 strongdir.json strong
expect "strong folder (no transport to assess)" strongdir.json "- A A A B"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(any(c["id"]=="TUF-HTTPS" for c in r["checks"]))' \
    strongdir.json && t_ok "strong folder: no TUF-HTTPS check" || t_bad "strong folder: TUF-HTTPS present"
assess "strong public/ folder" 0 strongpub.json strong/public
expect "strong public/ folder" strongpub.json "- A A A B"
assess "strong metadata folder" 0 strongmeta.json strong/public/metadata
expect "strong metadata folder (no targets: attestations unread)" strongmeta.json "- A A A B" TUF-PROVENANCE=pass \
    TUF-SLSA-LEVEL=warn

assess "1-of-1 root" 1 root1.json root1
expect "1-of-1 root" root1.json "- D D A B" TUF-ROOT-THRESHOLD=fail TUF-ONLINE-KEYS=pass TUF-VERIFY=pass
t_run "1-of-1 root: --min-grade D" 0 - "$RAMPART" assess --min-grade D root1
t_run "1-of-1 root: --min-grade E" 0 - "$RAMPART" assess --min-grade E root1

assess "online key in root" 1 online.json online
expect "online key in root" online.json "- D A A B" TUF-ONLINE-KEYS=fail TUF-ROOT-THRESHOLD=pass TUF-KEY-REUSE=pass
grep -q '"timestamp key [0-9a-f]*\.\.\. can also sign root"' online.json 2>/dev/null ||
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); c=[c for c in r["checks"] if c["id"]=="TUF-ONLINE-KEYS"][0]; sys.exit("can also sign root" not in c["evidence"])' online.json &&
    t_ok "online key: evidence names root" || t_bad "online key: evidence"

assess "2-year timestamp window" 1 tswindow.json tswindow
expect "2-year timestamp window" tswindow.json "- A D A B" TUF-EXPIRY-WINDOW=fail TUF-EXPIRY=pass

assess "expired snapshot" 1 expired.json expired
expect "expired snapshot" expired.json "- A D A B" TUF-EXPIRY=fail TUF-EXPIRY-WINDOW=pass TUF-VERIFY=pass
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); c=[c for c in r["checks"] if c["id"]=="TUF-EXPIRY"][0]; sys.exit("snapshot expired 2 day(s) ago" not in c["evidence"])' expired.json &&
    t_ok "expired snapshot: evidence" || t_bad "expired snapshot: evidence"

assess "no provenance" 1 noprov.json noprov
expect "no provenance" noprov.json "- A A A D" TUF-PROVENANCE=fail TUF-SLSA-LEVEL=warn TUF-TRANSPARENCY-LOG=warn
valid_json noprov.json "no provenance"

# ---------------------------------------------------------------- plain http
r_serve "$T_WORK/noprov/public" || t_bad "http server"
assess "plain http" 1 http.json "http://127.0.0.1:$R_PORT/"
expect "plain http" http.json "F A A A D" TUF-HTTPS=critical
r_stop

# ---------------------------------------------------------------- tampered, and --root
cp -r strong tampered
python3 - tampered/public/metadata/timestamp.json <<'PY'
import json, sys
p = sys.argv[1]
d = json.load(open(p))
s = d["signatures"][0]["sig"]
d["signatures"][0]["sig"] = ("0" if s[0] != "0" else "1") + s[1:]
open(p, "w").write(json.dumps(d))
PY
assess "tampered timestamp" 1 tampered.json tampered
# (nothing past an unverified timestamp is read: no hashes, no targets to judge)
expect "tampered timestamp" tampered.json "- F F B D" TUF-VERIFY=critical TUF-HASH-ALGORITHMS=warn TUF-PROVENANCE=fail
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); c=[c for c in r["checks"] if c["id"]=="TUF-VERIFY"][0]; sys.exit("threshold not met" not in c["evidence"] or "trusted on first use" not in c["evidence"])' tampered.json &&
    t_ok "tampered: evidence" || t_bad "tampered: evidence $(cat tampered.json)"

assess "--root: the repository's own" 0 given.json --root strong/public/metadata/1.root.json strong
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); c=[c for c in r["checks"] if c["id"]=="TUF-VERIFY"][0]; sys.exit("from the given root" not in c["evidence"])' given.json &&
    t_ok "--root: said in the evidence" || t_bad "--root: evidence"
"$RAMPART" repo init foreign --root-key "$(K dev pub)" --targets-key "$(K dev pub)" --snapshot-key "$(K dev pub)" \
    --timestamp-key "$(K dev pub)" >/dev/null 2>&1 && "$RAMPART" repo publish foreign --key "$(K dev key)" >/dev/null 2>&1 ||
    t_bad "foreign repository"
assess "--root: another repository's" 1 other.json --root foreign/public/metadata/1.root.json strong
expect "--root: another repository's" other.json "- F F B D" TUF-VERIFY=critical TUF-ROOT-THRESHOLD=fail
echo '{"signed": 1}' >notroot.json
t_run "--root: not root metadata" 2 RAMPART_EFORMAT "$RAMPART" assess --root notroot.json strong
t_run "--root: missing" 2 RAMPART_ENOTFOUND "$RAMPART" assess --root nope.json strong

# ---------------------------------------------------------------- delegations
"$RAMPART" repo delegate strong --name everything --key "$(K dev pub)" --paths '*' >/dev/null 2>&1 &&
    "$RAMPART" repo publish strong "${SIGN[@]}" --key "$(K dev key)" >/dev/null 2>&1 || t_bad "delegate"
assess "every path to a 1-of-1 key" 0 deleg.json strong
expect "every path to a 1-of-1 key" deleg.json "- B B A B" TUF-DELEGATIONS=warn TUF-VERIFY=pass

# ---------------------------------------------------------------- errors
mkdir empty
t_run "empty folder" 2 RAMPART_ENOTFOUND "$RAMPART" assess empty
t_run "missing folder" 2 RAMPART_ENOTFOUND "$RAMPART" assess nope
t_run "bad --min-grade" 2 - "$RAMPART" assess --min-grade G strong
t_run "--json and --sarif" 2 - "$RAMPART" assess --json --sarif strong
t_run "unknown kind" 2 - "$RAMPART" assess --kind deb strong
t_run "--kind apt on a TUF repository" 2 RAMPART_ENOTFOUND "$RAMPART" assess --kind apt strong
t_run "no location" 2 - "$RAMPART" assess
t_run "--kind tuf" 0 - "$RAMPART" assess --kind tuf strong

# ---------------------------------------------------------------- SARIF
t_run "sarif" 1 - "$RAMPART" assess --sarif noprov
cp "$T_WORK/out" noprov.sarif
python3 - "$SARIF_SCHEMA" noprov.sarif <<'PY' && t_ok "sarif: valid against the SARIF 2.1.0 schema, one rule per check, passes as kind pass" || t_bad "sarif"
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
log = json.load(open(sys.argv[2]))
jsonschema.Draft4Validator(schema).validate(log)
run = log["runs"][0]
rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
assert len(rules) == 20 and len(set(rules)) == 20, rules  # 15 TUF checks, 5 TLS checks
res = {r["ruleId"]: r for r in run["results"]}
assert res["TUF-VERIFY"]["kind"] == "pass" and res["TUF-VERIFY"]["level"] == "none"
assert res["TUF-PROVENANCE"]["kind"] == "fail" and res["TUF-PROVENANCE"]["level"] == "error"
assert res["TUF-TRANSPARENCY-LOG"]["level"] == "warning"
for r in run["results"]:
    assert rules[r["ruleIndex"]] == r["ruleId"]
    assert r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith("noprov/")
assert run["properties"]["grades"]["provenance"] == "D"
PY

# ---------------------------------------------------------------- HTML, with hostile strings
# The builder id of a hostile attestation: markup, quotes, an escape
# sequence and a bidirectional override (the envelope's signature is not
# what assess judges, so the payload is edited after signing).
"$RAMPART" attest --key "$(K builder key)" --builder-id https://ci.example.com/b --out plain.att app-1.0.tgz >/dev/null ||
    t_bad "attest"
python3 - plain.att hostile.att <<'PY'
import base64, json, sys
env = json.load(open(sys.argv[1]))
st = json.loads(base64.b64decode(env["payload"]))
st["predicate"]["runDetails"]["builder"]["id"] = "https://x.example/<script>alert(1)</script>&\"'<img src=https://evil.example/p.png>\x1b[31mRED"
env["payload"] = base64.b64encode(json.dumps(st).encode()).decode()
open(sys.argv[2], "w").write(json.dumps(env) + "\n")
PY
mk hostile hostile.att "${STRONG[@]}"
t_run "html" 0 - "$RAMPART" assess --html report.html hostile
if grep -q $'\x1b' "$T_WORK/out"; then t_bad "text: an escape character reached the terminal"; else t_ok "text: no control character"; fi
grep -q 'https://x.example/<script>alert(1)</script>&"'"'"'<img src=https://evil.example/p.png>?\[31mRED' "$T_WORK/out" &&
    t_ok "text: the hostile builder shown sanitised" || t_bad "text: $(grep builder "$T_WORK/out")"
python3 - report.html <<'PY' && t_ok "html: self-contained, hostile strings escaped" || t_bad "html"
import sys
from html.parser import HTMLParser
page = open(sys.argv[1], encoding="utf-8").read()
class P(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.refs, self.text = [], [], []
    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for k, v in attrs:
            if k in ("src", "href", "action", "srcset", "poster", "data") or (v and "url(" in v):
                self.refs.append((tag, k, v))
    def handle_data(self, d):
        self.text.append(d)
p = P()
p.feed(page)
bad = set(p.tags) & {"script", "img", "link", "iframe", "object", "embed", "base", "form", "video", "audio"}
assert not bad, bad
assert not p.refs, p.refs
assert "url(" not in page and "@import" not in page, "a CSS reference"
assert "&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;&#39;&lt;img src=https://evil.example/p.png&gt;?[31mRED" in page
assert "\x1b" not in page
text = "".join(p.text)
assert "<script>alert(1)</script>" in text  # shown as text, not markup
assert p.tags.count("h2") == 5 and "table" in p.tags
PY

# ---------------------------------------------------------------- HTML in a browser
# The page rendered by headless Chromium (Debian's chromium, installed by
# scripts/bootstrap): no console message (its Content-Security-Policy
# default-src 'none' turns any attempt to load a resource into one), no
# request for the hostile markup's image, and a screenshot.  Chromium's own
# background requests go to a closed loopback proxy and a resolver that
# resolves nothing, so nothing leaves the machine.  A copy of the page with
# an image injected must be caught the same way (the check can fail).
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
# render PAGE PNG: console messages to console.txt, the net log to net.json
render() {
    rm -rf "$T_WORK/chr" "$T_WORK/net.json" "$2"
    timeout 120 "$CHROMIUM" --headless=new --no-sandbox --disable-gpu --user-data-dir="$T_WORK/chr" --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync --host-resolver-rules="MAP * ~NOTFOUND" \
        --proxy-server=127.0.0.1:9 --enable-logging=stderr --v=0 --log-net-log="$T_WORK/net.json" \
        --screenshot="$2" --window-size=1100,1400 "file://$1" >/dev/null 2>"$T_WORK/chromium.err"
    local rc=$?
    grep ':CONSOLE' "$T_WORK/chromium.err" >"$T_WORK/console.txt"
    return $rc
}
if [ -z "$CHROMIUM" ]; then
    t_bad "html: chromium is not installed (scripts/bootstrap installs it)"
else
    render "$T_WORK/report.html" "$T_WORK/report.png" || t_bad "html: chromium exited $?"
    [ ! -s "$T_WORK/console.txt" ] && t_ok "html: rendered by Chromium with no console message" ||
        t_bad "html: console: $(head -3 "$T_WORK/console.txt")"
    if grep -q 'evil\.example' "$T_WORK/net.json"; then t_bad "html: the hostile image was requested"; else
        t_ok "html: no request for the hostile markup"; fi
    [ "$(head -c 8 "$T_WORK/report.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] &&
        [ "$(stat -c %s "$T_WORK/report.png")" -gt 10000 ] && t_ok "html: screenshot" || t_bad "html: no screenshot"
    sed 's|</body>|<img src="https://evil.example/injected.png"></body>|' report.html >injected.html
    render "$T_WORK/injected.html" "$T_WORK/injected.png"
    grep -q 'evil.example/injected.png' "$T_WORK/console.txt" && t_ok "html: an injected image is caught" ||
        t_bad "html: the injected image went unnoticed ($(head -2 "$T_WORK/chromium.err"))"
fi

# ---------------------------------------------------------------- --baseline
# The 1-of-1 root repository was assessed before (root1.json: - D D A B);
# against it, the strong folder (now "- B B A B": a delegation to a 1-of-1
# key was added above) is better on signing and manifest; the no-provenance
# one (- A A A D) is worse on provenance than the strong folder was
# (strongdir.json: - A A A B).
t_run "baseline: better" 0 - "$RAMPART" assess --baseline root1.json strong
grep -q '^  Signing                D       B    better$' "$T_WORK/out" &&
    grep -q '^  TUF-DELEGATIONS                  pass     -> warn     worse$' "$T_WORK/out" &&
    grep -q '^  TUF-ROOT-THRESHOLD               fail     -> pass     better$' "$T_WORK/out" &&
    grep -q '^result: not worse than the baseline$' "$T_WORK/out" && t_ok "baseline: text names what got better" ||
    t_bad "baseline: $(tail -15 "$T_WORK/out")"
grep -q '^note: the baseline assessed another location: root1$' "$T_WORK/out" && t_ok "baseline: another location noted" ||
    t_bad "baseline: no note about the location"
t_run "baseline: worse" 1 - "$RAMPART" assess --min-grade D --baseline strongdir.json noprov
grep -q '^  Provenance             B       D    worse$' "$T_WORK/out" &&
    grep -q '^  TUF-PROVENANCE                   pass     -> fail     worse$' "$T_WORK/out" &&
    grep -q '^result: WORSE than the baseline$' "$T_WORK/out" && t_ok "baseline: text names what got worse" ||
    t_bad "baseline: $(tail -15 "$T_WORK/out")"
"$RAMPART" assess --json strong >now.json || t_bad "baseline: assess strong"
t_run "baseline: same" 0 - "$RAMPART" assess --baseline now.json strong
grep -q '^no check changed$' "$T_WORK/out" && t_ok "baseline: nothing changed" || t_bad "baseline: $(tail -8 "$T_WORK/out")"
t_run "baseline: json" 1 - "$RAMPART" assess --json --min-grade D --baseline strongdir.json noprov
cp "$T_WORK/out" cmp.json
python3 - cmp.json <<'PY' && t_ok "baseline: JSON comparison with the full report" || t_bad "baseline: JSON $(head -c 300 cmp.json)"
import json, sys
c = json.load(open(sys.argv[1]))
assert c["format"] == "rampart-assess-comparison" and c["format_version"] == 1 and c["worse"] is True
q = {x["question"]: (x["before"], x["now"], x["change"]) for x in c["questions"]}
assert q["provenance"] == ("B", "D", "worse") and q["signing"] == ("A", "A", "same") and q["transport"] == ("-", "-", "same"), q
k = {x["id"]: (x["before"], x["now"], x["change"]) for x in c["checks"]}
assert k["TUF-PROVENANCE"] == ("pass", "fail", "worse") and k["TUF-VERIFY"] == ("pass", "pass", "same"), k
assert c["report"]["format"] == "rampart-assess" and c["report"]["grades"]["provenance"] == "D"
assert c["baseline"]["location"] == "strong"
PY
valid_json_report() { python3 -c 'import json,sys; json.dump(json.load(open(sys.argv[1]))["report"], open(sys.argv[2], "w"))' "$1" "$2"; }
valid_json_report cmp.json cmp-report.json && valid_json cmp-report.json "baseline: the embedded report"
printf '{"format":"rampart-assess","format_version":2,"grades":{},"checks":[]}' >v2.json
t_run "baseline: another format version" 2 RAMPART_EFORMAT "$RAMPART" assess --baseline v2.json strong
printf '{"format":"rampart-assess","format_version":1,"grades":{"transport":"-","signing":"Z","manifest":"A","hashes":"A","provenance":"A"},"checks":[]}' >badgrade.json
t_run "baseline: a grade that is no grade" 2 RAMPART_EFORMAT "$RAMPART" assess --baseline badgrade.json strong
python3 -c '
import json
r = json.load(open("strongdir.json")); r["checks"][0]["id"] = "TUF-\u001b[31mX"
json.dump(r, open("ctl.json", "w"))'
t_run "baseline: a control character in a check id" 2 RAMPART_EFORMAT "$RAMPART" assess --baseline ctl.json strong
echo '[1,2' >broken.json
t_run "baseline: not JSON" 2 RAMPART_EFORMAT "$RAMPART" assess --baseline broken.json strong
t_run "baseline: missing file" 2 RAMPART_ENOTFOUND "$RAMPART" assess --baseline nope.json strong
t_run "baseline: with --sarif" 2 - "$RAMPART" assess --sarif --baseline strongdir.json strong

# ---------------------------------------------------------------- --batch
printf '# vendors under review\n\n  strong  \nroot1\nnoprov\r\nnope\n' >vendors.txt
t_run "batch: one channel cannot be assessed" 2 - "$RAMPART" assess --batch vendors.txt
python3 - "$T_WORK/out" <<'PY' && t_ok "batch: the comparison table" || t_bad "batch: $(cat "$T_WORK/out")"
import sys
lines = open(sys.argv[1]).read().splitlines()
assert lines[0] == "rampart assess: 4 channel(s), minimum grade B", lines[0]
rows = {l.split()[0]: l.split()[1:] for l in lines[3:7]}
assert rows["strong"] == ["tuf", "-", "B", "B", "A", "B", "meets"], rows
assert rows["root1"] == ["tuf", "-", "D", "D", "A", "B", "BELOW"], rows
assert rows["noprov"] == ["tuf", "-", "A", "A", "A", "D", "BELOW"], rows
assert rows["nope"][:7] == ["-", "-", "-", "-", "-", "-", "ERROR"] and rows["nope"][7] == "RAMPART_ENOTFOUND:", rows
PY
printf 'strong\nroot1\n' >two.txt
t_run "batch: one below the minimum" 1 - "$RAMPART" assess --batch two.txt
t_run "batch: all meet --min-grade D" 0 - "$RAMPART" assess --min-grade D --batch two.txt
t_run "batch: json" 1 - "$RAMPART" assess --json --batch two.txt
cp "$T_WORK/out" batch.json
python3 - batch.json <<'PY' && t_ok "batch: JSON with each channel's report" || t_bad "batch: JSON $(head -c 300 batch.json)"
import json, sys
b = json.load(open(sys.argv[1]))
assert b["format"] == "rampart-assess-batch" and b["format_version"] == 1 and b["min_grade"] == "B"
assert [c["location"] for c in b["channels"]] == ["strong", "root1"]
assert [c["meets"] for c in b["channels"]] == [True, False]
assert b["channels"][1]["report"]["grades"]["signing"] == "D"
PY
printf '# nothing\n\n' >empty.txt
t_run "batch: no channel" 2 - "$RAMPART" assess --batch empty.txt
t_run "batch: with a location too" 2 - "$RAMPART" assess --batch two.txt strong
t_run "batch: with --html" 2 - "$RAMPART" assess --batch two.txt --html x.html

t_done
