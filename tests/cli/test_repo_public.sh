#!/usr/bin/env bash
# test_repo_public.sh - public/, the served folder: publish rebuilds it
# from the repository's own records when it is gone, emptied or damaged
# (byte for byte what was served), target files are served as copies (never
# hard links to the stored bytes, so an edit on the web host cannot change
# the repository's copy), and served targets are checked against their
# hashes and replaced, with a notice, when they differ.
# key types: ed25519 ecdsa rsa
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/lib/common.sh"
source "$here/lib/repo.sh"
: "${RAMPART:?}"
cd "$T_WORK" || exit 1
repo=$T_WORK/repo

r_keys dev bins
r_init "$repo" --sha512 || t_bad "init"
"$RAMPART" repo delegate "$repo" --name dev --key "$(K dev pub)" --paths 'dev/*' >/dev/null || t_bad "delegate dev"
"$RAMPART" repo delegate "$repo" --name pkgs --delegator dev --key "$(K bins pub)" --bins 8 >/dev/null ||
    t_bad "delegate bins"
mkdir -p src/dev
printf 'app 1\n' >src/app.tgz
for i in 1 2 3 4 5; do printf 'pkg %s\n' "$i" >"src/dev/p$i.deb"; done
"$RAMPART" repo add "$repo" src/app.tgz --path app.tgz >/dev/null &&
    "$RAMPART" repo add "$repo" src/dev --path dev --role dev >/dev/null || t_bad "add"
keys="--key $(K root key) --key $(K targets key) --key $(K snapshot key) --key $(K timestamp key) --key $(K dev key) --key $(K bins key)"
# shellcheck disable=SC2086
t_run "publish" 0 - "$RAMPART" repo publish "$repo" $keys
online="--key $(K snapshot key) --key $(K timestamp key)"

# Served targets are copies: one link each, another file than the stored one.
sha=$(sha256sum src/app.tgz | cut -d' ' -f1)
served="$repo/public/targets/$sha.app.tgz"
blob="$repo/blobs/${sha:0:2}/$sha"
[ "$(stat -c %h "$served")" = 1 ] && [ "$(stat -c %i "$served")" != "$(stat -c %i "$blob")" ] &&
    t_ok "a served target is a copy, not a hard link" || t_bad "links: $(stat -c '%h %i' "$served" "$blob")"
links=$(find "$repo/public/targets" -type f -links +1 | wc -l)
[ "$links" = 0 ] && t_ok "no served target has a second link" || t_bad "$links served targets are hard links"

r_fingerprint "$repo/public" >served.txt
r_serve "$repo/public" || { t_done; exit 1; }
"$RAMPART" client --metadata-dir cl init "$repo/public/metadata/1.root.json" >/dev/null
t_run "client download" 0 - r_client cl --target-name app.tgz --target-name dev/p3.deb download

# 1. public/ deleted: publish rebuilds it, byte for byte.
rm -rf "$repo/public"
t_run "publish rebuilds a deleted public/" 0 - "$RAMPART" repo publish "$repo" $online
grep -q "rebuilt 26 missing file(s) of public/ from the repository's records" "$T_WORK/err" &&
    t_ok "says what it rebuilt" || t_bad "stderr: $(cat "$T_WORK/err")"
r_fingerprint "$repo/public" >after.txt
t_same "rebuilt public/ is what was served" served.txt after.txt
rm -rf cl2 cl2.dl
"$RAMPART" client --metadata-dir cl2 init "$repo/public/metadata/1.root.json" >/dev/null
t_run "a new client after the rebuild" 0 - r_client cl2 --target-name app.tgz --target-name dev/p3.deb \
    --target-name dev/p5.deb download
t_same "downloaded bytes after the rebuild" cl2.dl/dev/p5.deb src/dev/p5.deb
t_run "the old client after the rebuild" 0 - r_client cl refresh

# 2. public/ emptied, its folders left: the same.
find "$repo/public" -type f -delete
t_run "publish refills an emptied public/" 0 - "$RAMPART" repo publish "$repo" $online
grep -q "rebuilt 26 missing file(s)" "$T_WORK/err" && t_ok "says what it refilled" || t_bad "$(cat "$T_WORK/err")"
r_fingerprint "$repo/public" >after.txt
t_same "refilled public/ is what was served" served.txt after.txt
t_run "client after the refill" 0 - r_client cl --target-name dev/p1.deb download

# 3. Nothing to repair: nothing written.
r_fingerprint "$repo" >before.txt
t_run "publish with nothing to do" 0 - "$RAMPART" repo publish "$repo" $online
[ ! -s "$T_WORK/err" ] && t_ok "no notice" || t_bad "stderr: $(cat "$T_WORK/err")"
r_fingerprint "$repo" >after.txt
t_same "nothing written" before.txt after.txt

# 4. A served target edited in place (same length) on the web host: the
# repository's stored copy is untouched, and publish --check puts it right.
printf 'APP 1\n' >"$served"
sha256sum "$blob" | grep -q "^$sha " && t_ok "the stored copy is unchanged by an edit of the served one" ||
    t_bad "the edit reached blobs/"
rm -f cl.dl/app.tgz
t_run "client refuses the edited target" 1 RAMPART_EMISMATCH r_client cl --target-name app.tgz download
t_run "publish --check" 0 - "$RAMPART" repo publish "$repo" --check $online
grep -qF "rampart: repo publish: public/targets/$sha.app.tgz did not match its hashes: replaced with the stored copy" \
    "$T_WORK/err" && t_ok "names the replaced target" || t_bad "stderr: $(cat "$T_WORK/err")"
grep -q "checked every served file: 1 rewritten" "$T_WORK/out" && t_ok "counts it" || t_bad "$(cat "$T_WORK/out")"
t_same "served target restored" "$served" src/app.tgz
t_run "client downloads it again" 0 - r_client cl --target-name app.tgz download

# 5. The served targets of every role a publish publishes are checked
# against their hashes when written to since the last check, also without
# --check.
bin=$(cd "$repo/public/metadata" && ls | grep -m1 '^1\.pkgs-' | sed 's/^1\.//; s/\.json$//')
p3sha=$(sha256sum src/dev/p3.deb | cut -d' ' -f1)
p3bin=$(python3 -c 'import hashlib; h=hashlib.sha256(b"dev/p3.deb").digest(); print("pkgs-%x" % (h[0] >> 5))')
printf 'PKG 3\n' >"$repo/public/targets/dev/$p3sha.p3.deb"
# (an old modification time does not hide the edit: its ctime moved)
touch -d '2001-01-01 00:00:00' "$repo/public/targets/dev/$p3sha.p3.deb"
printf 'pkg 3b\n' >src/p3b.deb
python3 - "$p3bin" <<'PY' >p3b-path.txt
import hashlib, sys
# a path of dev/ that lands in the same bin as dev/p3.deb
for i in range(10000):
    p = "dev/x%d.deb" % i
    if "pkgs-%x" % (hashlib.sha256(p.encode()).digest()[0] >> 5) == sys.argv[1]:
        print(p)
        break
PY
p3b=$(cat p3b-path.txt)
"$RAMPART" repo add "$repo" src/p3b.deb --path "$p3b" --role dev >/dev/null || t_bad "add $p3b"
t_run "publish a bin with a damaged served target" 0 - "$RAMPART" repo publish "$repo" $online --key "$(K bins key)"
grep -qF "public/targets/dev/$p3sha.p3.deb did not match its hashes: replaced with the stored copy" "$T_WORK/err" &&
    t_ok "publish replaced the damaged target of the role it published" || t_bad "stderr: $(cat "$T_WORK/err")"
t_run "client gets both targets of the bin" 0 - r_client cl --target-name dev/p3.deb --target-name "$p3b" download
t_same "bytes of the repaired target" cl.dl/dev/p3.deb src/dev/p3.deb
r_fingerprint "$repo/public" >served.txt

# 6. A repository published when served targets were hard links (no mark
# state/served-copies): the next publish checks everything and makes copies.
ln -f "$blob" "$served"
rm "$repo/state/served-copies"
t_run "publish converts hard links" 0 - "$RAMPART" repo publish "$repo" $online
grep -qF "public/targets/$sha.app.tgz was a hard link (an edit of it would change another file too): replaced with the stored copy" \
    "$T_WORK/err" && t_ok "names the hard link" || t_bad "stderr: $(cat "$T_WORK/err")"
[ "$(stat -c %h "$served")" = 1 ] && [ -e "$repo/state/served-copies" ] && t_ok "a copy now, and marked" ||
    t_bad "still $(stat -c %h "$served") links"

# 7. A role edited since the last publish: its published version is kept,
# so public/ is rebuilt whole even when the edit cannot be published yet.
printf 'app 2\n' >src/app2.tgz
"$RAMPART" repo add "$repo" src/app2.tgz --path app2.tgz >/dev/null || t_bad "add app2"
[ -e "$repo/state/kept/targets.json" ] && t_ok "the published targets.json is kept" || t_bad "not kept"
rm -rf "$repo/public"
t_run "publish without the targets key" 1 RAMPART_EBADSIG "$RAMPART" repo publish "$repo" $online
r_fingerprint "$repo/public" >after.txt
# byte for byte what was served, less the versions superseded since (the
# first snapshot and the bin of step 5), which no client fetches any more
sort served.txt >served.sorted
sort after.txt >after.sorted
comm -13 served.sorted after.sorted >new.txt
comm -23 served.sorted after.sorted | awk '{print $2}' | sort >gone.txt
printf './metadata/1.%s.json\n./metadata/1.snapshot.json\n' "$p3bin" | sort >want-gone.txt
[ ! -s new.txt ] && t_ok "public/ rebuilt with what was served" || t_bad "new or other files: $(cat new.txt)"
t_same "only superseded versions are not rebuilt" gone.txt want-gone.txt
t_run "client reads the rebuilt release" 0 - r_client cl --target-name app.tgz download
t_run "publish the edit" 0 - "$RAMPART" repo publish "$repo" $online --key "$(K targets key)"
[ ! -e "$repo/state/kept/targets.json" ] && t_ok "kept copy dropped once published" || t_bad "kept copy stays"
t_run "client gets the edit" 0 - r_client cl --target-name app2.tgz download

# 8. refresh-timestamp (cron) rebuilds too: a timestamp is of use only with
# what it points to.
rm -rf "$repo/public"
t_run "refresh-timestamp rebuilds public/" 0 - "$RAMPART" repo refresh-timestamp "$repo" --key "$(K timestamp key)"
grep -q "rebuilt" "$T_WORK/err" && t_ok "says so" || t_bad "stderr: $(cat "$T_WORK/err")"
t_run "client after refresh-timestamp" 0 - r_client cl --target-name app2.tgz --target-name dev/p2.deb download

# 9. A damaged stored copy cannot be served: publish --check says so.
p2sha=$(sha256sum src/dev/p2.deb | cut -d' ' -f1)
chmod u+w "$repo/blobs/${p2sha:0:2}/$p2sha"
printf 'PKG 2\n' >"$repo/blobs/${p2sha:0:2}/$p2sha"
rm "$repo/public/targets/dev/$p2sha.p2.deb"
t_run "publish --check with a damaged stored copy" 1 RAMPART_EFORMAT "$RAMPART" repo publish "$repo" --check $online
grep -qF "the stored copy blobs/${p2sha:0:2}/$p2sha no longer matches its hashes: add the target again" "$T_WORK/err" &&
    t_ok "names the damaged stored copy" || t_bad "stderr: $(cat "$T_WORK/err")"
t_run "usage: --check is for publish" 2 - "$RAMPART" repo refresh-timestamp "$repo" --check --key "$(K timestamp key)"

t_done
