#!/usr/bin/env bash
# test_provenance.sh - release provenance from the command line: `rampart
# attest`, `rampart verify-provenance` (every refusal with its code),
# `rampart repo add --provenance` (refusals leave every byte of the
# repository as it was), and `rampart client download --policy` over
# loopback HTTP (a refused target never reaches the target folder).
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/lib/common.sh"
source "$here/lib/repo.sh"
: "${RAMPART:?}"
cd "$T_WORK" || exit 1

BUILDER=https://ci.example.com/builders/release@v1
SOURCE=git+https://git.example.com/org/app
r_keys builder builder2 thief

# policy FILE [JSON object merged over the default rule]: requires
# provenance by key "ci" (builder.pub) from $BUILDER, built from
# git.example.com/org/*; nothing for docs/*.
policy() {
    python3 - "$1" "$(K builder pub)" "$(K builder2 pub)" "$BUILDER" "${2:-{\}}" <<'PY'
import json, sys
out, ci, ci2, builder, extra = sys.argv[1:]
default = {"provenance": "required", "keys": ["ci"], "builder_ids": [builder],
           "source_uris": ["git+https://git.example.com/org/*"]}
default.update(json.loads(extra))
policy = {"keys": {"ci": json.load(open(ci)), "ci2": json.load(open(ci2))}, "default": default,
          "rules": [{"name": "docs", "paths": ["docs/*"], "provenance": "none"}]}
json.dump(policy, open(out, "w"), indent=1)
PY
}
policy policy.json
policy strict.json '{"version_tag": true, "build_types": ["urn:rampart:attest:generic:v1"]}'
policy two.json '{"keys": ["ci", "ci2"], "threshold": 2}'
policy other-builder.json '{"builder_ids": ["https://ci.example.com/builders/nightly@v1"]}'
policy other-type.json '{"build_types": ["https://ci.example.com/build-types/make@v1"]}'
policy other-source.json '{"source_uris": ["git+https://git.example.com/other/*"]}'

printf 'app 1.2.0\n' >app-1.2.0.tar.gz
printf 'app 1.2.0, backdoored\n' >evil-1.2.0.tar.gz
attest() { "$RAMPART" attest --builder-id "$BUILDER" --source-uri "$SOURCE" --source-revision refs/tags/v1.2.0 "$@"; }

# ---------------------------------------------------------------- attest
t_run "attest" 0 - attest --key "$(K builder key)" --param target=release --out app.att app-1.2.0.tar.gz
[ "$(wc -l <app.att)" -eq 1 ] && t_ok "attest: one line" || t_bad "attest: $(wc -l <app.att) lines"
t_run "attest: two keys" 0 - attest --key "$(K builder key)" --key "$(K builder2 key)" --out two.att app-1.2.0.tar.gz
t_run "attest: by the thief" 0 - attest --key "$(K thief key)" --out thief.att evil-1.2.0.tar.gz
t_run "attest: to standard output" 0 - attest --key "$(K builder key)" app-1.2.0.tar.gz
grep -q '^{"payload":"' "$T_WORK/out" && [ "$(wc -l <"$T_WORK/out")" -eq 1 ] && t_ok "attest: an envelope on stdout" ||
    t_bad "attest: stdout $(head -c 100 "$T_WORK/out")"
t_run "attest: never overwrites" 1 RAMPART_EEXIST attest --key "$(K builder key)" --out app.att app-1.2.0.tar.gz
t_run "attest: missing file" 1 RAMPART_ENOTFOUND attest --key "$(K builder key)" --out x.att nope.tar.gz
t_absent "attest: nothing written for a failure" x.att
t_run "attest: revision without source" 1 RAMPART_EINVAL "$RAMPART" attest --key "$(K builder key)" \
    --builder-id "$BUILDER" --source-revision refs/tags/v1 app-1.2.0.tar.gz
# A builder id, build type or source URI is a URI: a control character or a
# space in one is refused, and nothing is written (it would be recorded and
# later shown as given).
t_run "attest: control character in the builder id" 1 RAMPART_EINVAL "$RAMPART" attest --key "$(K builder key)" \
    --builder-id "$(printf 'https://ci.example.com/\033[2Jbuilder')" --out ctl.att app-1.2.0.tar.gz
t_absent "attest: nothing written for a control character" ctl.att
t_run "attest: space in the build type" 1 RAMPART_EINVAL attest --key "$(K builder key)" \
    --build-type "urn:x y" --out ctl.att app-1.2.0.tar.gz
t_run "attest: newline in the source revision" 1 RAMPART_EINVAL "$RAMPART" attest --key "$(K builder key)" \
    --builder-id "$BUILDER" --source-uri "$SOURCE" --source-revision "$(printf 'v1\nforged: yes')" \
    --out ctl.att app-1.2.0.tar.gz
t_absent "attest: nothing written for a newline" ctl.att
echo garbage >garbage.key
t_run "attest: not a key" 1 RAMPART_EFORMAT attest --key garbage.key app-1.2.0.tar.gz
t_run "attest: no builder id" 2 - "$RAMPART" attest --key "$(K builder key)" app-1.2.0.tar.gz
t_run "attest: bad --param" 2 - attest --key "$(K builder key)" --param novalue app-1.2.0.tar.gz

# ---------------------------------------------------------------- verify-provenance
# The policies have a rule by folder (docs/*), so verify-provenance needs
# --path: app/BASENAME unless the test gives one.
vp() {
    case " $* " in
    *" --path "*) "$RAMPART" verify-provenance "$@" ;;
    *) "$RAMPART" verify-provenance "$@" --path "app/${1##*/}" ;;
    esac
}
t_run "verify" 0 - vp app-1.2.0.tar.gz app.att --policy strict.json
grep -q "source:     git+https://git.example.com/org/app@refs/tags/v1.2.0" "$T_WORK/out" && t_ok "verify: prints the source" ||
    t_bad "verify: $(cat "$T_WORK/out")"
t_run "verify: threshold 2 of 2" 0 - vp app-1.2.0.tar.gz two.att --policy two.json
t_run "refused: missing" 1 RAMPART_EPROVMISSING vp app-1.2.0.tar.gz --policy policy.json
t_run "not required: docs" 0 - vp app-1.2.0.tar.gz --policy policy.json --path docs/app-1.2.0.tar.gz
grep -q "does not evaluate provenance" "$T_WORK/out" && t_ok "says why" || t_bad "$(cat "$T_WORK/out")"
t_run "refused: below threshold" 1 RAMPART_EPROVSIG vp app-1.2.0.tar.gz app.att --policy two.json
grep -q "signed by 1 of the 2 trusted builder keys required" "$T_WORK/err" && t_ok "names the count" ||
    t_bad "$(cat "$T_WORK/err")"
t_run "refused: signed by another key" 1 RAMPART_EPROVSIG vp evil-1.2.0.tar.gz thief.att --policy policy.json
t_run "refused: about another file" 1 RAMPART_EPROVSUBJECT vp evil-1.2.0.tar.gz app.att --policy policy.json
t_run "refused: builder" 1 RAMPART_EPROVBUILDER vp app-1.2.0.tar.gz app.att --policy other-builder.json
grep -q "policy rule 'default': builder '$BUILDER' is not allowed" "$T_WORK/err" && t_ok "names the rule" ||
    t_bad "$(cat "$T_WORK/err")"
t_run "refused: build type" 1 RAMPART_EPROVBUILDTYPE vp app-1.2.0.tar.gz app.att --policy other-type.json
t_run "refused: source" 1 RAMPART_EPROVSOURCE vp app-1.2.0.tar.gz app.att --policy other-source.json
t_run "refused: revision" 1 RAMPART_EPROVREVISION vp app-1.2.0.tar.gz app.att --policy strict.json --version 1.3.0
cp app-1.2.0.tar.gz app.tar.gz
t_run "refused: no version to match" 1 RAMPART_EPROVREVISION vp app.tar.gz app.att --policy strict.json
t_run "version from --version" 0 - vp app.tar.gz app.att --policy strict.json --version 1.2.0
echo '{"payload":' >bad.att
t_run "refused: malformed" 1 RAMPART_EPROVFORMAT vp app-1.2.0.tar.gz bad.att --policy policy.json

# A statement of another predicate type, signed by the builder with openssl.
statement='{"_type":"https://in-toto.io/Statement/v1","predicateType":"https://spdx.dev/Document","predicate":{},'
statement+="\"subject\":[{\"name\":\"app\",\"digest\":{\"sha256\":\"$(sha256sum app-1.2.0.tar.gz | cut -c1-64)\"}}]}"
type=application/vnd.in-toto+json
printf 'DSSEv1 %d %s %d %s' ${#type} "$type" ${#statement} "$statement" >pae.bin
openssl pkeyutl -sign -inkey "$(K builder key)" -rawin -in pae.bin -out sig.bin
printf '{"payload":"%s","payloadType":"%s","signatures":[{"sig":"%s"}]}' "$(printf '%s' "$statement" | base64 -w0)" \
    "$type" "$(base64 -w0 <sig.bin)" >sbom.att
t_run "refused: predicate type" 1 RAMPART_EPROVPREDICATE vp app-1.2.0.tar.gz sbom.att --policy policy.json

echo '{"default": {"provenance": "required", "builder_id": ["x"]}}' >typo.json
t_run "policy: unknown member" 1 RAMPART_EFORMAT vp app-1.2.0.tar.gz app.att --policy typo.json
grep -q "unknown member 'builder_id' in default" "$T_WORK/err" && t_ok "policy: names the member" ||
    t_bad "$(cat "$T_WORK/err")"
t_run "policy: missing file" 1 RAMPART_ENOTFOUND vp app-1.2.0.tar.gz app.att --policy nope.json
t_run "verify: no policy" 2 - vp app-1.2.0.tar.gz app.att

# ---------------------------------------------------------------- repo add --provenance
repo=$T_WORK/repo
r_init "$repo" || t_bad "init"
unchanged() { # NAME EXIT CODE CMD...: fails as expected, every byte of the repository kept
    local name=$1
    r_fingerprint "$repo" >before.txt
    t_run "$@"
    r_fingerprint "$repo" >after.txt
    cmp -s before.txt after.txt && t_ok "$name: repository unchanged" || t_bad "$name: repository changed"
}
unchanged "add: attestation about another file" 1 RAMPART_EPROVSUBJECT "$RAMPART" repo add "$repo" \
    evil-1.2.0.tar.gz --path app/app-1.2.0.tar.gz --provenance app.att
unchanged "add: malformed attestation" 1 RAMPART_EPROVFORMAT "$RAMPART" repo add "$repo" app-1.2.0.tar.gz \
    --path app/app-1.2.0.tar.gz --provenance bad.att
unchanged "add: another predicate" 1 RAMPART_EPROVPREDICATE "$RAMPART" repo add "$repo" app-1.2.0.tar.gz \
    --path app/app-1.2.0.tar.gz --provenance sbom.att
unchanged "add: missing attestation" 1 RAMPART_ENOTFOUND "$RAMPART" repo add "$repo" app-1.2.0.tar.gz \
    --provenance nope.att
mkdir -p dist && cp app-1.2.0.tar.gz dist/
unchanged "add: a folder" 1 RAMPART_EINVAL "$RAMPART" repo add "$repo" dist --provenance app.att
unchanged "add: custom 'rampart' not an object" 1 RAMPART_EFORMAT "$RAMPART" repo add "$repo" app-1.2.0.tar.gz \
    --custom '{"rampart":1}' --provenance app.att
t_run "add with provenance" 0 - "$RAMPART" repo add "$repo" app-1.2.0.tar.gz --path app/app-1.2.0.tar.gz \
    --custom '{"channel":"stable"}' --provenance app.att
# The thief holds the targets key, not the builder's: a backdoored release with its own attestation.
t_run "add: the thief's release" 0 - "$RAMPART" repo add "$repo" evil-1.2.0.tar.gz --path app/app-1.2.1.tar.gz \
    --provenance thief.att
printf 'guide\n' >guide.txt
t_run "add: docs without provenance" 0 - "$RAMPART" repo add "$repo" guide.txt --path docs/guide.txt
t_run "add: a release without provenance" 0 - "$RAMPART" repo add "$repo" app-1.2.0.tar.gz --path app/app-1.2.2.tar.gz
t_run "add: 1.2.0's provenance as 1.3.0" 0 - "$RAMPART" repo add "$repo" app-1.2.0.tar.gz --path app/app-1.3.0.tar.gz \
    --provenance app.att
# The thief republishes 1.2.0's genuine build as 1.4.0 and sets custom "version" to 1.2.0.
t_run "add: 1.2.0's build as 1.4.0, custom version 1.2.0" 0 - "$RAMPART" repo add "$repo" app-1.2.0.tar.gz \
    --path app/app-1.4.0.tar.gz --custom '{"version":"1.2.0"}' --provenance app.att
t_run "list" 0 - "$RAMPART" repo list "$repo"
att_sha=$(sha256sum app.att | cut -c1-64)
want="app/app-1.2.0.tar.gz	{\"channel\":\"stable\",\"rampart\":{\"provenance\":{\"hashes\":{\"sha256\":\"$att_sha\"},\"length\":$(wc -c <app.att),\"path\":\"app/app-1.2.0.tar.gz.intoto.jsonl\"}}}"
grep -qF "$want" <(cut -f1,5 "$T_WORK/out") && t_ok "list: the binding in the signed custom metadata" ||
    { t_bad "list: binding"; cat "$T_WORK/out"; }
grep -q "^app/app-1.2.0.tar.gz.intoto.jsonl	$(wc -c <app.att)	sha256:$att_sha	targets$" "$T_WORK/out" &&
    t_ok "list: the attestation is a target" || t_bad "list: attestation target"
t_run "publish" 0 - "$RAMPART" repo publish "$repo" --key "$(K root key)" --key "$(K targets key)" \
    --key "$(K snapshot key)" --key "$(K timestamp key)"

# ---------------------------------------------------------------- client download --policy
r_serve "$repo/public" || exit 1
"$RAMPART" client --metadata-dir cl init "$repo/public/metadata/1.root.json" >/dev/null
dl() { r_client cl --policy "$1" --target-name "$2" download; }
t_run "download: verified" 0 - dl strict.json app/app-1.2.0.tar.gz
grep -q "^provenance: verified by policy rule 'default'" "$T_WORK/out" && t_ok "download: says so" ||
    t_bad "$(cat "$T_WORK/out")"
cmp -s cl.dl/app/app-1.2.0.tar.gz app-1.2.0.tar.gz && t_ok "download: the bytes" || t_bad "download: bytes"
t_absent "download: the attestation is not installed" cl.dl/app/app-1.2.0.tar.gz.intoto.jsonl
t_run "download: signed with the stolen targets key only" 1 RAMPART_EPROVSIG dl policy.json app/app-1.2.1.tar.gz
t_absent "download: nothing installed" cl.dl/app/app-1.2.1.tar.gz
t_run "download: no provenance" 1 RAMPART_EPROVMISSING dl policy.json app/app-1.2.2.tar.gz
t_absent "download: nothing installed" cl.dl/app/app-1.2.2.tar.gz
t_run "download: revision" 1 RAMPART_EPROVREVISION dl strict.json app/app-1.3.0.tar.gz
t_absent "download: nothing installed" cl.dl/app/app-1.3.0.tar.gz
t_run "download: old build renamed, custom version" 1 RAMPART_EPROVREVISION dl strict.json app/app-1.4.0.tar.gz
grep -qxF "rampart: client download: policy rule 'default': the attestation names the artifact 'app-1.2.0.tar.gz', not 'app-1.4.0.tar.gz' (version_tag binds the target's name to the attested build) [RAMPART_EPROVREVISION]" "$T_WORK/err" &&
    t_ok "download: the version comes from the attestation" || t_bad "$(cat "$T_WORK/err")"
t_absent "download: nothing installed" cl.dl/app/app-1.4.0.tar.gz
t_run "verify: old build renamed" 1 RAMPART_EPROVREVISION vp app-1.2.0.tar.gz app.att --policy strict.json \
    --path app/app-1.4.0.tar.gz
t_run "download: builder" 1 RAMPART_EPROVBUILDER dl other-builder.json app/app-1.2.0.tar.gz
t_run "download: docs need none" 0 - dl policy.json docs/guide.txt
t_run "download: without a policy" 0 - r_client cl --target-name app/app-1.2.2.tar.gz download
t_run "download: bad policy" 1 RAMPART_EFORMAT dl typo.json app/app-1.2.0.tar.gz
t_run "refresh: --policy is for download" 2 - r_client cl --policy policy.json refresh
# The server swaps the attestation's bytes: refused by its TUF hash.
att_blob=$(find "$repo/public/targets/app" -name "*.app-1.2.0.tar.gz.intoto.jsonl" | head -1)
cp "$att_blob" att.backup
sed -i 's/"payload":"eyJ/"payload":"eyK/' "$att_blob" # same length, other bytes
rm -f cl.dl/app/app-1.2.0.tar.gz
t_run "download: attestation swapped on the server" 1 RAMPART_EMISMATCH dl policy.json app/app-1.2.0.tar.gz
t_absent "download: nothing installed" cl.dl/app/app-1.2.0.tar.gz
cp att.backup "$att_blob"
# ---------------------------------------------------------------- one subject judgment everywhere
# An attestation whose subject has the file's sha256 but another file's
# sha512: verify-provenance, repo add --provenance and client download
# --policy refuse it alike, naming the subject and the digest that differs.
r_stop
sign_att() { # OUT STATEMENT: a DSSE envelope of STATEMENT signed by builder.key (openssl)
    local type=application/vnd.in-toto+json
    printf 'DSSEv1 %d %s %d %s' ${#type} "$type" ${#2} "$2" >pae.bin
    openssl pkeyutl -sign -inkey "$(K builder key)" -rawin -in pae.bin -out sig.bin
    printf '{"payload":"%s","payloadType":"%s","signatures":[{"sig":"%s"}]}\n' "$(printf '%s' "$2" | base64 -w0)" \
        "$type" "$(base64 -w0 <sig.bin)" >"$1"
}
slsa() { # SUBJECT_JSON [EXTRA_PREDICATE_MEMBERS]: an SLSA v1 statement from $BUILDER at refs/tags/v1.2.0
    printf '{"_type":"https://in-toto.io/Statement/v1","subject":%s,"predicateType":"https://slsa.dev/provenance/v1",' "$1"
    printf '"predicate":{"buildDefinition":{"buildType":"urn:rampart:attest:generic:v1",%s' "${2:-}"
    printf '"resolvedDependencies":[{"uri":"%s@refs/tags/v1.2.0"}]},"runDetails":{"builder":{"id":"%s"}}}}' "$SOURCE" "$BUILDER"
}
sha256_of() { sha256sum "$1" | cut -c1-64; }
sha512_of() { sha512sum "$1" | cut -c1-128; }
sign_att mixed.att "$(slsa "[{\"name\":\"app-1.2.0.tar.gz\",\"digest\":{\"sha256\":\"$(sha256_of app-1.2.0.tar.gz)\",\"sha512\":\"$(sha512_of evil-1.2.0.tar.gz)\"}}]")"
mixed_msg="subject 'app-1.2.0.tar.gz' of the attestation has the artifact's sha256, but its sha512 differs [RAMPART_EPROVSUBJECT]"
t_run "sha512 differs: verify-provenance" 1 RAMPART_EPROVSUBJECT vp app-1.2.0.tar.gz mixed.att --policy policy.json
grep -qxF "rampart: verify-provenance: policy rule 'default': $mixed_msg" "$T_WORK/err" && t_ok "verify: names the digest" ||
    t_bad "verify: $(cat "$T_WORK/err")"
unchanged "sha512 differs: repo add" 1 RAMPART_EPROVSUBJECT "$RAMPART" repo add "$repo" app-1.2.0.tar.gz \
    --path app/app-1.2.0.tar.gz --provenance mixed.att
grep -qxF "rampart: repo add: mixed.att: $mixed_msg" "$T_WORK/err" && t_ok "repo add: names the digest" ||
    t_bad "repo add: $(cat "$T_WORK/err")"
# The client: a repository with sha512 target hashes, the binding written by hand (repo add refuses it now).
repo5=$T_WORK/repo5
r_init "$repo5" --sha512 || t_bad "init --sha512"
binding="{\"rampart\":{\"provenance\":{\"path\":\"app/app-1.2.0.tar.gz.intoto.jsonl\",\"hashes\":{\"sha256\":\"$(sha256_of mixed.att)\"},\"length\":$(wc -c <mixed.att)}}}"
t_run "sha512 repo: add the file" 0 - "$RAMPART" repo add "$repo5" app-1.2.0.tar.gz --path app/app-1.2.0.tar.gz \
    --custom "$binding"
t_run "sha512 repo: add the attestation" 0 - "$RAMPART" repo add "$repo5" mixed.att --path app/app-1.2.0.tar.gz.intoto.jsonl
t_run "sha512 repo: publish" 0 - "$RAMPART" repo publish "$repo5" --key "$(K root key)" --key "$(K targets key)" \
    --key "$(K snapshot key)" --key "$(K timestamp key)"
r_serve "$repo5/public" || exit 1
"$RAMPART" client --metadata-dir cl5 init "$repo5/public/metadata/1.root.json" >/dev/null
t_run "sha512 differs: client download" 1 RAMPART_EPROVSUBJECT r_client cl5 --policy policy.json \
    --target-name app/app-1.2.0.tar.gz download
grep -qxF "rampart: client download: policy rule 'default': $mixed_msg" "$T_WORK/err" && t_ok "download: names the digest" ||
    t_bad "download: $(cat "$T_WORK/err")"
t_absent "sha512 differs: nothing installed" cl5.dl/app/app-1.2.0.tar.gz

# ---------------------------------------------------------------- legal documents, safe defaults
# Any JSON number in fields that are not read (here externalParameters).
sign_att numbers.att "$(slsa "[{\"name\":\"app-1.2.0.tar.gz\",\"digest\":{\"sha256\":\"$(sha256_of app-1.2.0.tar.gz)\"}}]" \
    '"externalParameters":{"timeout":1.5,"max":4e9,"ratio":-0.25E+2},')"
t_run "numbers: verified" 0 - vp app-1.2.0.tar.gz numbers.att --policy policy.json
t_run "numbers: repo add" 0 - "$RAMPART" repo add "$repo5" app-1.2.0.tar.gz --path num/app-1.2.0.tar.gz \
    --provenance numbers.att
# A JSON Lines bundle: one envelope per line; the one about the file is picked.
cat thief.att two.att app.att >bundle.intoto.jsonl
t_run "bundle: verified" 0 - vp app-1.2.0.tar.gz bundle.intoto.jsonl --policy strict.json
attest --key "$(K builder key)" --out evil-by-builder.att evil-1.2.0.tar.gz
cat thief.att evil-by-builder.att >other.intoto.jsonl
t_run "bundle: none about the file" 1 RAMPART_EPROVSUBJECT vp app-1.2.0.tar.gz other.intoto.jsonl --policy strict.json
grep -qxF "rampart: verify-provenance: policy rule 'default': no subject of the attestation has the artifact's digest (it is about 1 other artifact) (envelope 2 of the 2 in the bundle; none passes) [RAMPART_EPROVSUBJECT]" "$T_WORK/err" &&
    t_ok "bundle: says which envelope" || t_bad "$(cat "$T_WORK/err")"
t_run "bundle: repo add" 0 - "$RAMPART" repo add "$repo5" app-1.2.0.tar.gz --path bundle/app-1.2.0.tar.gz \
    --provenance bundle.intoto.jsonl
unchanged_repo5() { r_fingerprint "$repo5"; }
unchanged_repo5 >before5.txt
t_run "bundle: repo add, none about the file" 1 RAMPART_EPROVSUBJECT "$RAMPART" repo add "$repo5" app-1.2.0.tar.gz \
    --path bundle/app-1.2.1.tar.gz --provenance thief.att
unchanged_repo5 >after5.txt
t_same "bundle: repository unchanged" before5.txt after5.txt
# Without --path, a policy with rules by folder cannot choose a rule by the base name.
t_run "no --path: refused" 2 RAMPART_EINVAL "$RAMPART" verify-provenance app-1.2.0.tar.gz app.att --policy two.json
grep -qxF "rampart: verify-provenance: the policy has rules by folder (\"docs/*\"): give the artifact's target path with --path [RAMPART_EINVAL]" "$T_WORK/err" &&
    t_ok "no --path: says why" || t_bad "$(cat "$T_WORK/err")"
printf '{"keys": {"ci": %s}, "default": {"provenance": "required", "keys": ["ci"], "builder_ids": ["%s"]},\n "rules": [{"name": "plain", "paths": ["*.md"], "provenance": "none"}]}\n' \
    "$(cat "$(K builder pub)")" "$BUILDER" >flat.json
t_run "no --path: fine without rules by folder" 0 - "$RAMPART" verify-provenance app-1.2.0.tar.gz app.att --policy flat.json
# A Sigstore bundle is an unsupported format, not an unsigned envelope.
printf '{"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json", "verificationMaterial": {}, "dsseEnvelope": {"payload": "e30=", "payloadType": "application/vnd.in-toto+json", "signatures": []}}\n' >app.sigstore.json
t_run "sigstore bundle: verify" 1 RAMPART_EUNSUPPORTED vp app-1.2.0.tar.gz app.sigstore.json --policy policy.json
grep -qxF "rampart: verify-provenance: policy rule 'default': the attestation is a Sigstore bundle (application/vnd.dev.sigstore.bundle.v0.3+json), which is not supported: give the DSSE envelope, signed with a key (docs/provenance.md) [RAMPART_EUNSUPPORTED]" "$T_WORK/err" &&
    t_ok "sigstore bundle: says so" || t_bad "$(cat "$T_WORK/err")"
t_run "sigstore bundle: repo add" 1 RAMPART_EUNSUPPORTED "$RAMPART" repo add "$repo5" app-1.2.0.tar.gz \
    --path sig/app-1.2.0.tar.gz --provenance app.sigstore.json

# ---------------------------------------------------------------- the policy template
template=$here/../examples/provenance-policy.json
"$RAMPART" attest --key "$(K builder key)" --builder-id "$BUILDER" --source-uri git+https://git.example.com/example/app \
        --source-revision refs/tags/v1.2.0 --out tmpl.att app-1.2.0.tar.gz
t_run "template: as installed, it refuses every builder key but its own" 1 RAMPART_EPROVSIG \
    "$RAMPART" verify-provenance app-1.2.0.tar.gz tmpl.att --policy "$template" --path app/app-1.2.0.tar.gz
grep -qxF "rampart: verify-provenance: policy rule 'default': the attestation of 'app/app-1.2.0.tar.gz' is signed by 0 of the 1 trusted builder keys required [RAMPART_EPROVSIG]" "$T_WORK/err" &&
    t_ok "template: judged by its default rule" || t_bad "$(cat "$T_WORK/err")"
t_run "template: docs need nothing" 0 - "$RAMPART" verify-provenance guide.txt --policy "$template" --path docs/guide.txt
python3 - "$template" "$(K builder pub)" mine.json <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
p["keys"]["release-ci"] = json.load(open(sys.argv[2]))
json.dump(p, open(sys.argv[3], "w"))
PY
t_run "template: with the builder's key" 0 - "$RAMPART" verify-provenance app-1.2.0.tar.gz tmpl.att --policy mine.json \
    --path app/app-1.2.0.tar.gz
t_done
