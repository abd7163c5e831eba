#!/usr/bin/env bash
# test_assess_kinds.sh - `rampart assess` on the apt, Sparkle and plain-download
# kinds, with fixtures built here by Debian's own tools: apt suites made by
# apt-ftparchive and signed by gpg (an RSA-2048 and an Ed25519 key; with and
# without Valid-Until; one signed with SHA-1; unsigned; tampered; expired),
# Sparkle appcasts (EdDSA-signed with a key made by openssl, DSA-only,
# unsigned over http, a DTD), plain downloads (minisign pre-hashed and
# legacy, OpenPGP, BSD and GNU checksum files, MD5 only, a mismatch, in-toto
# provenance from `rampart attest`).  Served on loopback by nginx (HTTPS,
# test CA) and by python3's http.server (plain http).  Each fixture's grades
# are asserted question by question with the status of its checks; every
# JSON report is validated against docs/assess-report.schema.json, SARIF
# reports against the OASIS SARIF 2.1.0 schema.
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/lib/common.sh"
source "$here/lib/nginx.sh"
: "${RAMPART:?}"
cd "$T_WORK" || exit 1
python3 -c 'import jsonschema' 2>/dev/null || t_skip "python3-jsonschema is not installed (scripts/bootstrap)"
for tool in gpg gpgv apt-ftparchive minisign openssl faketime; do
    command -v "$tool" >/dev/null || t_skip "$tool is not installed (scripts/bootstrap)"
done

SCHEMA=$here/../docs/assess-report.schema.json
SARIF_SCHEMA=$here/vectors/sarif/sarif-schema-2.1.0.json
export GNUPGHOME=$T_WORK/gnupg
mkdir -m 700 "$GNUPGHOME"
export LC_ALL=C

# The report checks are recorded as they come and run at the end by one
# python3 (starting python3 is slower than a whole assessment).
CHECKS=$T_WORK/checks.tsv
: >"$CHECKS"
# expect NAME JSON "T S M H P" [CHECK=STATUS...]: grades and check statuses
expect() {
    local name=$1 json=$2 grades=$3
    shift 3
    printf 'expect\t%s\t%s\t%s\t%s\n' "$name" "$json" "$grades" "$*" >>"$CHECKS"
}
# evidence NAME JSON CHECK TEXT: the check's evidence contains TEXT
evidence() { printf 'evidence\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$CHECKS"; }
# kind NAME JSON KIND: the kind detected
kind() { printf 'kind\t%s\t%s\t%s\t\n' "$1" "$2" "$3" >>"$CHECKS"; }

# assess NAME STATUS JSON_OUT ARGS...: --json, exit status checked; the
# report is validated against docs/assess-report.schema.json
assess() {
    local name=$1 want=$2 out=$3
    shift 3
    t_run "$name: exit $want" "$want" - "$RAMPART" assess --json "$@" && cp "$T_WORK/out" "$out" &&
        printf 'schema\t%s\t%s\t\t\n' "$name" "$out" >>"$CHECKS"
}

# sarif NAME NRULES ARGS...: --sarif valid against SARIF 2.1.0, one rule per check of the kind
# and per TLS check (5, which every kind shares)
SARIFS=0
sarif() {
    local name=$1 nrules=$2
    shift 2
    SARIFS=$((SARIFS + 1))
    "$RAMPART" assess --sarif "$@" >"$T_WORK/report$SARIFS.sarif" 2>/dev/null
    printf 'sarif\t%s\t%s\t%s\t\n' "$name" "$T_WORK/report$SARIFS.sarif" "$nrules" >>"$CHECKS"
}

run_checks() {
    local line
    while IFS= read -r line; do
        case $line in
        ok\ *) t_ok "${line#ok }" ;;
        *) t_bad "${line#bad }" ;;
        esac
    done < <(python3 - "$SCHEMA" "$SARIF_SCHEMA" "$CHECKS" <<'PY'
import json, sys, jsonschema
schema = jsonschema.Draft202012Validator(json.load(open(sys.argv[1])))
sarif_schema = jsonschema.Draft4Validator(json.load(open(sys.argv[2])))
QS = ("transport", "signing", "manifest", "hashes", "provenance")
for row in open(sys.argv[3]):
    what, name, path, a, b = row.rstrip("\n").split("\t")
    try:
        r = json.load(open(path))
        if what == "schema":
            schema.validate(r)
            print("ok %s: JSON report valid against docs/assess-report.schema.json" % name)
        elif what == "expect":
            out = []
            got = " ".join(r["grades"][q] for q in QS)
            if got != a:
                out.append("grades %s, expected %s" % (got, a))
            st = {c["id"]: c["status"] for c in r["checks"]}
            for want in b.split():
                cid, s = want.split("=")
                if st.get(cid) != s:
                    ev = [c["evidence"] for c in r["checks"] if c["id"] == cid]
                    out.append("%s is %s, expected %s (%s)" % (cid, st.get(cid), s, ev))
            print(("bad %s: " % name + "; ".join(out)) if out else "ok %s: grades %s %s" % (name, a, b))
        elif what == "evidence":
            ev = [c["evidence"] for c in r["checks"] if c["id"] == a]
            ok = any(b in e for e in ev)
            print(("ok %s: %s says '%s'" if ok else "bad %s: %s evidence lacks '%s': " + repr(ev)) % (name, a, b))
        elif what == "kind":
            print(("ok %s: kind %s" if r["kind"] == a else "bad %s: kind is not %s") % (name, a))
        elif what == "sarif":
            sarif_schema.validate(r)
            run = r["runs"][0]
            rules = [x["id"] for x in run["tool"]["driver"]["rules"]]
            assert len(rules) == int(a) and len(set(rules)) == len(rules), rules
            for x in run["results"]:
                assert rules[x["ruleIndex"]] == x["ruleId"]
                assert (x["kind"] == "pass") == (x["level"] == "none")
            print("ok %s: SARIF valid against the 2.1.0 schema, %s rules" % (name, a))
    except Exception as ex:
        print("bad %s: %s %s: %s" % (name, what, path, ex))
PY
)
}

# ---------------------------------------------------------------- servers
mkdir -p www
# Strong TLS (TLS 1.2 + 1.3, ECDHE + AEAD, HSTS for a year, 400 days left),
# so that the TLS probe's checks pass and Transport grades the kind's own checks.
t_make_ca "$T_WORK/ca" 400 || t_bad "test CA"
NGINX_TLS='ssl_protocols TLSv1.2 TLSv1.3; ssl_ciphers ECDHE+AESGCM:ECDHE+CHACHA20;' \
    NGINX_EXTRA='add_header Strict-Transport-Security "max-age=31536000" always;' \
    nginx_start "$T_WORK/www" "$T_WORK/ca/server.pem" "$T_WORK/ca/server.key" || t_bad "nginx"
T_CLEANUP+=(nginx_stop)
HTTPS=$NGINX_URL
CA=(--ca-file "$T_WORK/ca/ca.pem")
HPORT=$(nginx_free_port)
python3 -m http.server --bind 127.0.0.1 --directory "$T_WORK/www" "$HPORT" >/dev/null 2>&1 &
HTTP_PID=$!
stop_http() { kill "$HTTP_PID" 2>/dev/null; wait "$HTTP_PID" 2>/dev/null; }
T_CLEANUP+=(stop_http)
HTTP=http://127.0.0.1:$HPORT
for _ in $(seq 50); do curl -s -o /dev/null "$HTTP/" && break; sleep 0.1; done

# ================================================================= apt
gpg --batch --pinentry-mode loopback --passphrase '' --quick-gen-key 'Test RSA <rsa@example.com>' rsa2048 sign never 2>/dev/null
gpg --batch --pinentry-mode loopback --passphrase '' --quick-gen-key 'Test Ed <ed@example.com>' ed25519 sign never 2>/dev/null
RSA=$(gpg --with-colons --list-keys rsa@example.com 2>/dev/null | awk -F: '/^fpr/{print $10; exit}')
ED=$(gpg --with-colons --list-keys ed@example.com 2>/dev/null | awk -F: '/^fpr/{print $10; exit}')
gpg --export "$RSA" >rsa.gpg
gpg --export "$ED" >ed.gpg
# The same key ASCII-armored (an apt .asc keyring), and one whose armor is
# damaged (a base64 line cut short: its CRC-24 no longer matches).
gpg --export --armor "$ED" >ed.asc
awk '/^$/ {body = 1; print; next} body && !cut && length($0) > 20 {print substr($0, 1, 20); cut = 1; next} {print}' \
    ed.asc >ed-bad.asc
[ -s rsa.gpg ] && [ -s ed.gpg ] || t_bad "gpg keys"

# suite DIR [apt-ftparchive -o options...]: a one-package suite DIR/dists/stable/ with its Release
suite() {
    local d=$1
    shift
    mkdir -p "$d/pool" "$d/dists/stable/main/binary-amd64"
    printf 'Package: app\nVersion: 1.0\nArchitecture: amd64\nFilename: pool/app_1.0_amd64.deb\nSize: 4\nSHA256: 0\nDescription: test\n' \
        >"$d/dists/stable/main/binary-amd64/Packages"
    (cd "$d" && apt-ftparchive -o APT::FTPArchive::Release::Origin=Test -o APT::FTPArchive::Release::Suite=stable \
        "$@" release dists/stable >Release.tmp && mv Release.tmp dists/stable/Release) || t_bad "apt-ftparchive $d"
}
STRONG_REL=(-o APT::FTPArchive::Release::MD5=false -o APT::FTPArchive::Release::SHA1=false
    -o APT::FTPArchive::Release::ValidTime=604800 -o APT::FTPArchive::Release::Acquire-By-Hash=yes
    -o "APT::FTPArchive::Release::Signed-By=$ED")
clearsign() { gpg --batch --yes -u "$1" --digest-algo "$2" --clearsign -o "$3/InRelease" "$3/Release" 2>/dev/null; }

suite www/apt-strong "${STRONG_REL[@]}"
clearsign "$ED" SHA512 www/apt-strong/dists/stable
suite apt-detached
gpg --batch --yes -u "$RSA" --digest-algo SHA256 -abs -o apt-detached/dists/stable/Release.gpg apt-detached/dists/stable/Release
suite apt-sha1 "${STRONG_REL[@]}"
clearsign "$RSA" SHA1 apt-sha1/dists/stable
grep -q '^Hash: SHA1$' apt-sha1/dists/stable/InRelease || t_bad "gpg refused a SHA-1 signature"
suite www/apt-unsigned "${STRONG_REL[@]}"
suite apt-tampered "${STRONG_REL[@]}"
clearsign "$ED" SHA512 apt-tampered/dists/stable
sed -i 's/^Origin: Test$/Origin: Evil/' apt-tampered/dists/stable/InRelease
# Valid-Until one week after a Date ten days ago: expired three days ago.
(faketime -f -10d bash -c "$(declare -f suite t_bad); suite apt-expired ${STRONG_REL[*]}")
clearsign "$ED" SHA512 apt-expired/dists/stable

assess "apt strong over https" 1 apt-strong.json "${CA[@]}" --keyring ed.gpg "$HTTPS/apt-strong/dists/stable/"
expect "apt strong over https" apt-strong.json "A A A A D" APT-HTTPS=pass APT-SIGNED=pass APT-SIG-HASH=pass \
    APT-KEY=pass APT-VALID-UNTIL=pass APT-HASHES=pass APT-BY-HASH=pass APT-SIGNED-BY=pass APT-PROVENANCE=fail
evidence "apt strong" apt-strong.json APT-SIGNED "InRelease verified by gpgv with the given keyring (key $ED)"
evidence "apt strong" apt-strong.json APT-KEY "EdDSA 256-bit ed25519 key"
evidence "apt strong" apt-strong.json APT-VALID-UNTIL "Valid-Until 7 day(s) after Date"
kind "apt strong: detected" apt-strong.json apt
t_run "apt strong: --min-grade D" 0 - "$RAMPART" assess --min-grade D "${CA[@]}" --keyring ed.gpg \
    "$HTTPS/apt-strong/dists/stable/"
sarif "apt strong" 14 "${CA[@]}" --keyring ed.gpg "$HTTPS/apt-strong/dists/stable/"

assess "apt strong, no keyring" 1 apt-nokey.json --kind apt www/apt-strong/dists/stable
expect "apt strong, no keyring (folder: no transport)" apt-nokey.json "- B B A D" APT-SIGNED=warn APT-KEY=pass
assess "apt strong, the wrong keyring" 1 apt-wrongkey.json --keyring rsa.gpg www/apt-strong/dists/stable
expect "apt strong, the wrong keyring" apt-wrongkey.json "- F F A D" APT-SIGNED=critical
evidence "apt wrong keyring" apt-wrongkey.json APT-SIGNED "NO_PUBKEY"

# An armored keyring, which gpgv cannot read by itself: Rampart removes the
# armor and hands gpgv the binary keys.
assess "apt, armored keyring" 1 apt-asc.json --keyring ed.asc www/apt-strong/dists/stable
expect "apt, armored keyring" apt-asc.json "- A A A D" APT-SIGNED=pass APT-KEY=pass APT-SIGNED-BY=pass
evidence "apt, armored keyring" apt-asc.json APT-SIGNED "InRelease verified by gpgv with the given keyring (key $ED)"
assess "apt, damaged armored keyring" 1 apt-badasc.json --keyring ed-bad.asc www/apt-strong/dists/stable
expect "apt, damaged armored keyring" apt-badasc.json "- F F A D" APT-SIGNED=critical
evidence "apt, damaged armored keyring" apt-badasc.json APT-SIGNED "does not verify with the given keyring"
t_run "apt, keyring missing" 2 RAMPART_ENOTFOUND "$RAMPART" assess --keyring no-such.gpg www/apt-strong/dists/stable

assess "apt over http" 1 apt-http.json --keyring ed.gpg "$HTTP/apt-strong/dists/stable/"
expect "apt over http" apt-http.json "D A A A D" APT-HTTPS=fail

assess "apt rsa2048, detached, no Valid-Until" 1 apt-detached.json --keyring rsa.gpg apt-detached/dists/stable
expect "apt rsa2048, detached, no Valid-Until" apt-detached.json "- B D B D" APT-SIGNED=pass APT-SIG-HASH=pass \
    APT-KEY=warn APT-VALID-UNTIL=fail APT-HASHES=warn APT-BY-HASH=warn APT-SIGNED-BY=warn
evidence "apt detached" apt-detached.json APT-SIGNED "Release + Release.gpg verified"
evidence "apt detached" apt-detached.json APT-KEY "RSA 2048-bit key"
evidence "apt detached" apt-detached.json APT-VALID-UNTIL "no Valid-Until"

assess "apt SHA-1 signature" 1 apt-sha1.json --keyring rsa.gpg apt-sha1/dists/stable
expect "apt SHA-1 signature" apt-sha1.json "- D A A D" APT-SIGNED=pass APT-SIG-HASH=fail APT-KEY=warn
evidence "apt SHA-1" apt-sha1.json APT-SIG-HASH "signature 1 (v4): SHA1"

assess "apt unsigned" 1 apt-unsigned.json "${CA[@]}" "$HTTPS/apt-unsigned/dists/stable/"
expect "apt unsigned" apt-unsigned.json "A F F A D" APT-SIGNED=critical APT-SIG-HASH=fail APT-KEY=fail

assess "apt tampered InRelease" 1 apt-tampered.json --keyring ed.gpg apt-tampered/dists/stable
expect "apt tampered InRelease" apt-tampered.json "- F F A D" APT-SIGNED=critical
evidence "apt tampered" apt-tampered.json APT-SIGNED "BADSIG"

assess "apt expired" 1 apt-expired.json --keyring ed.gpg apt-expired/dists/stable
expect "apt expired" apt-expired.json "- A D A D" APT-VALID-UNTIL=fail
evidence "apt expired" apt-expired.json APT-VALID-UNTIL "apt refuses the Release"

# A Release that is not one paragraph of fields: APT-SIGNED critical, the rest not assessed.
mkdir -p apt-bad/dists/stable
printf 'Origin: x\n\nSuite: y\n' >apt-bad/dists/stable/Release
assess "apt malformed Release" 1 apt-bad.json apt-bad/dists/stable
expect "apt malformed Release" apt-bad.json "- F F D D" APT-SIGNED=critical APT-VALID-UNTIL=fail
t_run "apt: --kind apt on a folder with no Release" 2 RAMPART_ENOTFOUND "$RAMPART" assess --kind apt apt-bad

# ================================================================= Sparkle
openssl genpkey -algorithm ed25519 -out spk.pem 2>/dev/null
SPK_PUB=$(openssl pkey -in spk.pem -pubout -outform DER | tail -c 32 | base64 -w0)
openssl genpkey -algorithm ed25519 -out other.pem 2>/dev/null
OTHER_PUB=$(openssl pkey -in other.pem -pubout -outform DER | tail -c 32 | base64 -w0)
mkdir -p www/spk
printf 'App 2.0 payload\n' >www/spk/App-2.0.zip
edsig() { openssl pkeyutl -sign -inkey "$2" -rawin -in "$1" | base64 -w0; }
SIG=$(edsig www/spk/App-2.0.zip spk.pem)
LEN=$(stat -c %s www/spk/App-2.0.zip)

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
appcast www/spk/appcast.xml "<item><title>2.0</title><sparkle:version>200</sparkle:version>
<enclosure url=\"$HTTPS/spk/App-2.0.zip\" length=\"$LEN\" type=\"application/octet-stream\" sparkle:edSignature=\"$SIG\"/></item>"
appcast www/spk/dsa.xml "<item><title>1.0</title>
<enclosure url=\"https://example.com/App-1.0.zip\" length=\"10\" sparkle:dsaSignature=\"MCwCFAx=\"/></item>"
appcast www/spk/http.xml "<item><sparkle:version>1</sparkle:version><enclosure url=\"$HTTP/spk/App-2.0.zip\"/></item>"
appcast www/spk/badsig.xml "<item><sparkle:version>200</sparkle:version>
<enclosure url=\"$HTTPS/spk/App-2.0.zip\" length=\"$LEN\" sparkle:edSignature=\"$(edsig www/spk/App-2.0.zip other.pem)\"/></item>"
cat >www/spk/dtd.xml <<'XML'
<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<rss version="2.0" xmlns:sparkle="http://www.andymatuschak.org/xml-namespaces/sparkle"><channel>&b;</channel></rss>
XML

assess "sparkle strong, --deep" 1 spk.json "${CA[@]}" --deep --sparkle-key "$SPK_PUB" "$HTTPS/spk/appcast.xml"
expect "sparkle strong, --deep" spk.json "A A A A D" SPK-FEED-HTTPS=pass SPK-SIGNATURE=pass SPK-ENCLOSURE=pass \
    SPK-VERSION=pass SPK-DEEP-VERIFY=pass SPK-PROVENANCE=fail
evidence "sparkle strong" spk.json SPK-DEEP-VERIFY "item 1: EdDSA signature over $LEN bytes verifies"
sarif "sparkle strong" 11 "${CA[@]}" "$HTTPS/spk/appcast.xml"
assess "sparkle strong, no --deep" 1 spk-shallow.json "${CA[@]}" "$HTTPS/spk/appcast.xml"
expect "sparkle strong, no --deep (no download)" spk-shallow.json "A A A A D"
assess "sparkle --deep, the wrong key" 1 spk-wrongkey.json "${CA[@]}" --deep --sparkle-key "$OTHER_PUB" \
    "$HTTPS/spk/appcast.xml"
expect "sparkle --deep, the wrong key" spk-wrongkey.json "A F A F D" SPK-DEEP-VERIFY=critical
assess "sparkle --deep, a signature by another key" 1 spk-badsig.json "${CA[@]}" --deep \
    --sparkle-key "$SPK_PUB" "$HTTPS/spk/badsig.xml"
expect "sparkle --deep, a signature by another key" spk-badsig.json "A F A F D" SPK-DEEP-VERIFY=critical
assess "sparkle --deep, no key" 1 spk-nokey.json "${CA[@]}" --deep "$HTTPS/spk/appcast.xml"
expect "sparkle --deep, no key" spk-nokey.json "A B A B D" SPK-DEEP-VERIFY=warn

assess "sparkle DSA only, no version (file)" 1 spk-dsa.json www/spk/dsa.xml
expect "sparkle DSA only, no version (file)" spk-dsa.json "A D D A D" SPK-SIGNATURE=fail SPK-VERSION=fail \
    SPK-ENCLOSURE=pass
assess "sparkle over http, unsigned, http enclosure" 1 spk-http.json "$HTTP/spk/http.xml"
expect "sparkle over http, unsigned, http enclosure" spk-http.json "F F A D D" SPK-FEED-HTTPS=critical \
    SPK-SIGNATURE=critical SPK-ENCLOSURE=fail
t_run "sparkle: a DTD (entity expansion) is refused" 2 RAMPART_EFORMAT "$RAMPART" assess www/spk/dtd.xml
grep -q 'document type declaration' "$T_WORK/err" && t_ok "sparkle: the DTD named" || t_bad "sparkle DTD: $(cat "$T_WORK/err")"

# ================================================================= plain downloads
minisign -G -W -p mini.pub -s mini.key >/dev/null 2>&1 </dev/null
minisign -G -W -p other.pub -s other.key >/dev/null 2>&1 </dev/null
MINI_PUB=$(sed -n 2p mini.pub)
mkdir -p www/dl www/dl2 dl-none dl-bsd dl-md5 dl-bad dl-pgp
printf 'app 1.0\n' >www/dl/app-1.0.tgz
(cd www/dl && sha256sum app-1.0.tgz >SHA256SUMS && minisign -S -s ../../mini.key -m SHA256SUMS >/dev/null 2>&1) ||
    t_bad "minisign sign"
openssl genpkey -algorithm ed25519 -out builder.pem 2>/dev/null
openssl pkey -in builder.pem -pubout -out builder.pub 2>/dev/null
"$RAMPART" attest --key builder.pem --builder-id https://ci.example.com/b@v1 --out www/dl/app-1.0.tgz.intoto.jsonl \
    www/dl/app-1.0.tgz >/dev/null 2>&1 || t_bad "attest"

assess "plain strong over https" 0 dl.json "${CA[@]}" --minisign-key mini.pub "$HTTPS/dl/app-1.0.tgz"
expect "plain strong over https" dl.json "A A B A B" DL-HTTPS=pass DL-CHECKSUM=pass DL-SIGNATURE=pass \
    DL-CHECKSUM-ORIGIN=pass DL-MANIFEST=warn DL-PROVENANCE=warn
evidence "plain strong" dl.json DL-SIGNATURE "minisign signature (pre-hashed, BLAKE2b-512) verifies"
evidence "plain strong" dl.json DL-CHECKSUM "SHA256SUMS: SHA-256/512 of the download match"
kind "plain strong: detected" dl.json plain
kind "sparkle strong: detected" spk.json sparkle
sarif "plain strong" 11 "${CA[@]}" "$HTTPS/dl/app-1.0.tgz"
assess "plain: minisign key given as base64" 0 dl-b64.json "${CA[@]}" --minisign-key "$MINI_PUB" "$HTTPS/dl/app-1.0.tgz"
expect "plain: minisign key given as base64" dl-b64.json "A A B A B" DL-SIGNATURE=pass
assess "plain: no minisign key" 1 dl-nokey.json "${CA[@]}" "$HTTPS/dl/app-1.0.tgz"
expect "plain: no minisign key" dl-nokey.json "A B D B B" DL-SIGNATURE=warn DL-CHECKSUM-ORIGIN=warn DL-MANIFEST=fail
assess "plain: the wrong minisign key" 1 dl-wrongkey.json "${CA[@]}" --minisign-key other.pub "$HTTPS/dl/app-1.0.tgz"
expect "plain: the wrong minisign key" dl-wrongkey.json "A F D B B" DL-SIGNATURE=critical
evidence "plain wrong key" dl-wrongkey.json DL-SIGNATURE "signed by another minisign key"

# The assessor's builders file (docs/assess.md, "Builders the assessor has
# reviewed"): a provenance whose builder is declared there counts only when
# a key declared for it signs the envelope.
mkdir -p dl-prov
cp www/dl/app-1.0.tgz www/dl/SHA256SUMS www/dl/SHA256SUMS.minisig dl-prov/
"$RAMPART" key generate --no-passphrase bk >/dev/null 2>&1 && "$RAMPART" key generate --no-passphrase ok >/dev/null 2>&1 ||
    t_bad "builder keys"
"$RAMPART" attest --key bk.key --builder-id https://ci.example.com/b@v1 --out dl-prov/app-1.0.tgz.intoto.jsonl \
    dl-prov/app-1.0.tgz >/dev/null 2>&1 || t_bad "attest with bk"
# dlbuilders FILE ID LEVEL KEY: a builders file declaring ID at LEVEL with KEY.pub
dlbuilders() {
    printf '{"version": 1, "keys": {"%s": %s},\n "builders": [{"id": "%s", "level": %s, "keys": ["%s"]}]}\n' \
        "$4" "$(cat "$4.pub")" "$2" "$3" "$4" >"$1"
}
dlbuilders l3.builders "https://ci.example.com/b@" 3 bk
assess "plain: provenance by a declared L3 builder, signed" 0 dl-b3.json --minisign-key mini.pub --builders l3.builders \
    dl-prov/app-1.0.tgz
expect "plain: provenance by a declared L3 builder, signed" dl-b3.json "- A B A A" DL-PROVENANCE=pass
evidence "plain: declared L3" dl-b3.json DL-PROVENANCE \
    "by builder https://ci.example.com/b@v1, SLSA Build L3 (declared in the builders file; signed by its key 'bk')"
dlbuilders l2.builders "https://ci.example.com/b@v1" 2 bk
assess "plain: declared L2" 0 dl-b2.json --minisign-key mini.pub --builders l2.builders dl-prov/app-1.0.tgz
expect "plain: declared L2" dl-b2.json "- A B A B" DL-PROVENANCE=warn
evidence "plain: declared L2" dl-b2.json DL-PROVENANCE "SLSA Build L2 (declared in the builders file"
dlbuilders other.builders "https://ci.example.com/b@" 3 ok
assess "plain: declared builder, signed by another key" 1 dl-bo.json --minisign-key mini.pub --builders other.builders \
    dl-prov/app-1.0.tgz
expect "plain: declared builder, signed by another key" dl-bo.json "- A B A D" DL-PROVENANCE=fail
evidence "plain: another key" dl-bo.json DL-PROVENANCE \
    "builder https://ci.example.com/b@v1 (declared L3 in the builders file) did not sign it: forged provenance"
dlbuilders undeclared.builders "https://ci.example.com/other@" 3 bk
assess "plain: builder not declared" 0 dl-bu.json --minisign-key mini.pub --builders undeclared.builders \
    dl-prov/app-1.0.tgz
expect "plain: builder not declared" dl-bu.json "- A B A B" DL-PROVENANCE=warn
evidence "plain: not declared" dl-bu.json DL-PROVENANCE "(builder signature not verified)"

# over http; checksums on another origin (https) than the download (http)
cp www/dl/app-1.0.tgz www/dl2/
(cd www/dl2 && sha256sum app-1.0.tgz >app-1.0.tgz.sha256)
assess "plain over http, checksums from another origin" 1 dl-http.json "${CA[@]}" --checksums "$HTTPS/dl2/app-1.0.tgz.sha256" \
    "$HTTP/dl2/app-1.0.tgz"
expect "plain over http, checksums from another origin" dl-http.json "F D D A D" DL-HTTPS=critical \
    DL-CHECKSUM=pass DL-CHECKSUM-ORIGIN=pass DL-SIGNATURE=fail DL-PROVENANCE=fail

printf 'app 1.0\n' >dl-none/app.bin
assess "plain: a bare file" 1 dl-none.json dl-none/app.bin
expect "plain: a bare file" dl-none.json "- D D D D" DL-CHECKSUM=fail DL-SIGNATURE=fail DL-CHECKSUM-ORIGIN=warn

# BSD-style checksums and a legacy minisign signature over the file itself
printf 'app 1.0\n' >dl-bsd/app.bin
(cd dl-bsd && sha512sum --tag app.bin >SHA512SUMS && minisign -S -l -s ../mini.key -m app.bin >/dev/null 2>&1)
grep -q '^SHA512 (app.bin) = ' dl-bsd/SHA512SUMS || t_bad "BSD-style checksum file"
assess "plain: BSD SHA512SUMS, legacy minisig" 1 dl-bsd.json --minisign-key mini.pub dl-bsd/app.bin
expect "plain: BSD SHA512SUMS, legacy minisig" dl-bsd.json "- B D B D" DL-CHECKSUM=pass DL-SIGNATURE=pass \
    DL-CHECKSUM-ORIGIN=warn DL-MANIFEST=fail
evidence "plain BSD" dl-bsd.json DL-SIGNATURE "minisign signature (legacy) verifies"

printf 'app 1.0\n' >dl-md5/app.bin
(cd dl-md5 && md5sum app.bin >MD5SUMS && cp MD5SUMS SHA256SUMS)
assess "plain: MD5 checksums only" 1 dl-md5.json dl-md5/app.bin
expect "plain: MD5 checksums only" dl-md5.json "- D D D D" DL-CHECKSUM=fail
evidence "plain MD5" dl-md5.json DL-CHECKSUM "MD5/SHA-1 entries"

printf 'app 1.0\n' >dl-bad/app.bin
(cd dl-bad && printf 'evil\n' | sha256sum | sed 's/-$/app.bin/' >SHA256SUMS)
assess "plain: checksum mismatch" 1 dl-bad.json dl-bad/app.bin
expect "plain: checksum mismatch" dl-bad.json "- D D F D" DL-CHECKSUM=critical

printf 'app 1.0\n' >dl-pgp/app.bin
gpg --batch --yes -u "$ED" --armor --detach-sign -o dl-pgp/app.bin.asc dl-pgp/app.bin 2>/dev/null
assess "plain: OpenPGP .asc verified by gpgv" 1 dl-pgp.json --keyring ed.gpg dl-pgp/app.bin
expect "plain: OpenPGP .asc verified by gpgv" dl-pgp.json "- B D D D" DL-SIGNATURE=pass
assess "plain: OpenPGP .asc, the wrong keyring" 1 dl-pgp2.json --keyring rsa.gpg dl-pgp/app.bin
expect "plain: OpenPGP .asc, the wrong keyring" dl-pgp2.json "- F D D D" DL-SIGNATURE=critical
assess "plain: OpenPGP .asc, armored keyring" 1 dl-pgp3.json --keyring ed.asc dl-pgp/app.bin
expect "plain: OpenPGP .asc, armored keyring" dl-pgp3.json "- B D D D" DL-SIGNATURE=pass
assess "plain: OpenPGP .asc, keyring missing" 1 dl-pgp4.json --keyring no-such.gpg dl-pgp/app.bin
expect "plain: OpenPGP .asc, keyring missing" dl-pgp4.json "- F D D D" DL-SIGNATURE=critical
evidence "plain: keyring missing" dl-pgp4.json DL-SIGNATURE "keyring: "
# No descriptor above 2 open when rampart starts (fd 3 free: the keyring's
# in-memory file took it, and setting up gpgv's fd 3 for the signature
# replaced it before it was copied to fd 4, so gpgv read the signature as
# its keyring and said NO_PUBKEY; seen under valgrind).
without_fds() { "$@" 3<&- 4<&- 5<&- 6<&- 7<&- 8<&- 9<&-; }
for k in ed.gpg ed.asc; do
    without_fds assess "plain: OpenPGP .asc, keyring $k, only fds 0-2 open" 1 "dl-pgp5-$k.json" --keyring "$k" dl-pgp/app.bin
    expect "plain: OpenPGP .asc, keyring $k, only fds 0-2 open" "dl-pgp5-$k.json" "- B D D D" DL-SIGNATURE=pass
done
t_run "plain: a download that does not exist" 2 RAMPART_ENOTFOUND "$RAMPART" assess --kind plain dl-none/nothing.bin

run_checks
t_done
