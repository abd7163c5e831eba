#!/usr/bin/env bash
# fuzz/assess_kinds_seeds.sh - writes the seed corpora of the apt_release,
# pgp, appcast and checksums targets from documents made by the tools that
# make them in the wild: apt-ftparchive and gpg (random keys: the bytes
# differ on every run), openssl, minisign, sha256sum.  Run from the top of
# the source tree; rewrites every seed-* of the four folders.
set -euo pipefail
top=$(pwd)
C=$top/fuzz/corpus
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export GNUPGHOME=$work/gnupg LC_ALL=C
mkdir -m 700 "$GNUPGHOME"
for d in apt_release pgp appcast checksums; do
    mkdir -p "$C/$d"
    rm -f "$C/$d"/seed-*
done

gpg --batch --pinentry-mode loopback --passphrase '' --quick-gen-key 'Seed RSA <rsa@example.com>' rsa2048 sign never 2>/dev/null
gpg --batch --pinentry-mode loopback --passphrase '' --quick-gen-key 'Seed Ed <ed@example.com>' ed25519 sign never 2>/dev/null
mkdir -p r/dists/s/main/binary-amd64
printf 'Package: a\nVersion: 1\n' >r/dists/s/main/binary-amd64/Packages
(cd r && apt-ftparchive -o APT::FTPArchive::Release::Origin=Seed -o APT::FTPArchive::Release::ValidTime=604800 \
    -o APT::FTPArchive::Release::Acquire-By-Hash=yes -o APT::FTPArchive::Release::Signed-By=ABCDEF \
    release dists/s >"$C/apt_release/seed-release-full")
(cd r && apt-ftparchive -o APT::FTPArchive::Release::MD5=false -o APT::FTPArchive::Release::SHA1=false \
    release dists/s >"$C/apt_release/seed-release-sha2")
printf 'Date: Sat, 02 Dec 2026 10:00:00 +0130\nValid-Until: Sat, 9 Dec 2026 10:00:00 UTC\n' >"$C/apt_release/seed-dates"
gpg --batch -u ed@example.com --digest-algo SHA512 --clearsign -o "$C/pgp/seed-inrelease-ed25519" \
    "$C/apt_release/seed-release-full"
gpg --batch -u rsa@example.com --digest-algo SHA1 --clearsign -o "$C/pgp/seed-inrelease-rsa-sha1" \
    "$C/apt_release/seed-release-sha2"
gpg --batch -u rsa@example.com -abs -o "$C/pgp/seed-release-gpg-armored" "$C/apt_release/seed-release-sha2"
gpg --batch -u ed@example.com -bs -o "$C/pgp/seed-release-gpg-binary" "$C/apt_release/seed-release-sha2"
gpg --export >"$C/pgp/seed-keyring-binary"
gpg --armor --export >"$C/pgp/seed-keyring-armored"

openssl genpkey -algorithm ed25519 -out k.pem 2>/dev/null
printf 'payload\n' >app.zip
sig=$(openssl pkeyutl -sign -inkey k.pem -rawin -in app.zip | base64 -w0)
ns='xmlns:sparkle="http://www.andymatuschak.org/xml-namespaces/sparkle"'
printf '<?xml version="1.0"?>\n<rss version="2.0" %s><channel><item><sparkle:version>2</sparkle:version><enclosure url="https://example.com/app.zip" length="8" sparkle:edSignature="%s"/></item></channel></rss>\n' \
    "$ns" "$sig" >"$C/appcast/seed-eddsa"
printf '<rss version="2.0" %s><channel><item><enclosure url="http://example.com/a.zip" sparkle:version="1" sparkle:dsaSignature="MC0CFQ=="/></item><item><title>no enclosure</title></item></channel></rss>\n' \
    "$ns" >"$C/appcast/seed-dsa"
printf '<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY a "x">]>\n<rss %s><channel>&a;</channel></rss>\n' "$ns" >"$C/appcast/seed-dtd"

sha256sum app.zip >"$C/checksums/seed-gnu-sha256"
sha512sum --tag app.zip >"$C/checksums/seed-bsd-sha512"
md5sum app.zip k.pem >"$C/checksums/seed-gnu-md5"
sha1sum -b app.zip >"$C/checksums/seed-gnu-sha1-binary"
minisign -G -W -p m.pub -s m.key >/dev/null 2>&1 </dev/null
minisign -S -s m.key -m app.zip -x "$C/checksums/seed-minisig-prehashed" >/dev/null 2>&1
minisign -S -l -s m.key -m app.zip -x "$C/checksums/seed-minisig-legacy" >/dev/null 2>&1
cp m.pub "$C/checksums/seed-minisign-pub"
echo "seeds written to fuzz/corpus/{apt_release,pgp,appcast,checksums}"
