#!/usr/bin/env bash
# fuzz/assess_seeds.sh [RAMPART] - writes the seed corpus of the assess
# target (fuzz/corpus/assess/seed-*) from repositories made with
# `rampart repo`: each seed is every metadata file of one repository's
# public/metadata/ (and its attestations, as "targets/NAME"), in the input
# format of fuzz/fuzz_assess.c.  Keys are random: seeds differ per run.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
R=${1:-$here/../build/debug/cli/rampart}
out=$here/corpus/assess
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
cd "$w"
for k in r1 r2 r3 t s ts b d bins; do "$R" key generate --no-passphrase "$k" >/dev/null; done
"$R" key generate --no-passphrase --type ed25519 log >/dev/null
printf 'app 1.0\n' >app.tgz
"$R" attest --key b.key --builder-id https://ci.example.com/b@v1 --out app.att app.tgz >/dev/null
sign=(--key r1.key --key r2.key --key t.key --key s.key --key ts.key)
init=(--root-key r1.pub --root-key r2.pub --root-key r3.pub --root-threshold 2 --targets-key t.pub
    --snapshot-key s.pub --timestamp-key ts.pub)

"$R" repo init strong "${init[@]}" >/dev/null 2>&1
"$R" repo add strong app.tgz --provenance app.att >/dev/null 2>&1
"$R" repo publish strong "${sign[@]}" >/dev/null 2>&1
"$R" repo init plain "${init[@]}" --sha512 --timestamp-expires 730 >/dev/null 2>&1
"$R" repo add plain app.tgz >/dev/null 2>&1
"$R" repo publish plain "${sign[@]}" >/dev/null 2>&1
"$R" repo init deleg "${init[@]}" >/dev/null 2>&1
"$R" repo delegate deleg --name everything --key d.pub --paths '*' >/dev/null 2>&1
"$R" repo add deleg app.tgz --provenance app.att >/dev/null 2>&1
"$R" repo publish deleg "${sign[@]}" --key d.key >/dev/null 2>&1
"$R" repo init logged "${init[@]}" >/dev/null 2>&1
"$R" repo log logged --init --origin example.com/log --key log.pub >/dev/null 2>&1
"$R" repo add logged app.tgz --provenance app.att >/dev/null 2>&1
"$R" repo publish logged "${sign[@]}" --key log.key >/dev/null 2>&1
"$R" repo init bins "${init[@]}" --bins 4 --bins-key bins.pub >/dev/null 2>&1
"$R" repo add bins app.tgz --provenance app.att >/dev/null 2>&1
"$R" repo publish bins "${sign[@]}" --key bins.key >/dev/null 2>&1

seed() { # seed NAME REPO
    local f=$out/seed-$1 first=1 p
    : >"$f"
    for p in "$2"/public/metadata/*.json; do
        [ $first -eq 1 ] || printf '\n%%%%\n' >>"$f"
        first=0
        printf '%s\n' "$(basename "$p")" >>"$f"
        cat "$p" >>"$f"
    done
    while IFS= read -r p; do
        printf '\n%%%%\ntargets/%s\n' "${p#"$2"/public/targets/}" >>"$f"
        cat "$p" >>"$f"
    done < <(find "$2/public/targets" -name '*.intoto.jsonl' -o -name '*.tlog-proof' | sort)
    if [ -e "$2/public/log/checkpoint" ]; then
        printf '\n%%%%\nlog/checkpoint\n' >>"$f"
        cat "$2/public/log/checkpoint" >>"$f"
    fi
}
mkdir -p "$out"
seed strong strong
seed plain plain
seed deleg deleg
seed logged logged
seed bins bins
echo "wrote $(ls "$out" | grep -c '^seed-') seeds in $out"
