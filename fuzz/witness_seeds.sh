#!/usr/bin/env bash
# fuzz/witness_seeds.sh BUILD - writes the seeds of fuzz/corpus/tlog_witness
# with BUILD/tests/tlogfix (deterministic: Ed25519 signatures of fixed keys).
# The log key is RFC 8032 section 7.1 TEST 1, as fuzz_tlog_witness.c knows it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
fix=${1:?BUILD}/tests/tlogfix
out=$here/corpus/tlog_witness
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
printf -- '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n-----END PRIVATE KEY-----\n' >log.key
printf -- '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIEzNCJso/5banbbDRuwRTg9bijGfNaumJNqM9u1PuKb7\n-----END PRIVATE KEY-----\n' >other.key
for i in $(seq 1 20); do printf 'entry %s' "$i" >"e$i"; done
mkdir -p "$out"
rm -f "$out"/seed-*
"$fix" append L example.com/log log.key e1 e2 e3 >/dev/null
cp -r L L3
"$fix" request L 0 >"$out/seed-first"
"$fix" append L example.com/log log.key e4 e5 e6 e7 e8 e9 e10 e11 e12 e13 >/dev/null
"$fix" request L 3 >"$out/seed-append"
"$fix" request L 13 >"$out/seed-same"
"$fix" append L3 example.com/log log.key e20 >/dev/null
"$fix" request L3 3 >"$out/seed-fork"
"$fix" append O example.org/other log.key e1 >/dev/null
"$fix" request O 0 >"$out/seed-unknown"
cp -r L3 X
"$fix" append X example.com/log other.key >/dev/null
"$fix" request X 3 >"$out/seed-badsig"
printf 'old 0\n\n' >"$out/seed-empty"
