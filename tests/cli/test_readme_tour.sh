#!/usr/bin/env bash
# test_readme_tour.sh - the README's five-minute tour, run as written: every
# ```sh block of its "A five-minute tour" section, in order, in an empty
# folder, with `rampart` on PATH.  The one change is the server: the tour's
# https://updates.example.com/ becomes a loopback HTTP server's URL of the
# tour's own tuf/public/.  Then the results are checked (the release
# downloaded and verified, its provenance bound), and the sample output the
# README shows must be what the tour prints, dates aside.
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/lib/common.sh"
source "$here/lib/repo.sh"
: "${RAMPART:?}"
readme=${RAMPART_SRC:-$here/..}/README.md
cd "$T_WORK" || exit 1

# The tour's section, from its heading to the next level-2 heading.
awk '/^## A five-minute tour/{on=1; next} on && /^## /{exit} on' "$readme" >section.md
# Its ```sh blocks, concatenated; and the one unlabelled block (the output).
awk '/^```sh$/{on=1; next} /^```$/{on=0} on' section.md >tour.sh
awk '/^```$/{if (on) {on=0} else {on=1}; next} /^```/{skip=!skip; next} on && !skip' section.md >shown.txt
[ -s tour.sh ] && t_ok "README: $(grep -c . tour.sh) lines of tour found" || t_bad "README: no tour blocks"
grep -q 'https://updates.example.com/' tour.sh && t_ok "README: the tour names its server" ||
    t_bad "README: the tour no longer uses https://updates.example.com/"

mkdir -p bin run
ln -s "$RAMPART" bin/rampart
r_serve run || exit 1
sed "s|https://updates.example.com/|http://127.0.0.1:$R_PORT/tuf/public/|g" tour.sh >run/tour.sh
(cd run && PATH="$T_WORK/bin:$PATH" bash -euo pipefail -x tour.sh) >tour.out 2>tour.err
rc=$?
[ $rc -eq 0 ] && t_ok "the tour runs as written" || {
    t_bad "the tour failed (exit $rc)"
    tail -20 tour.err | sed 's/^/    | /'
}

# What the tour made.
t_same "the endpoint holds the release, byte for byte" run/dist/app-1.1.0.tar.gz \
    run/endpoint/cache/app/app-1.1.0.tar.gz
t_same "the endpoint trusts the published root" run/tuf/public/metadata/1.root.json run/endpoint/tuf/root.json
grep -q '"provenance"' run/tuf/staged/targets.json &&
    t_ok "the release's provenance is bound in its signed metadata" ||
    t_bad "targets.json does not bind the provenance"
for f in root.pass online.pass root-1.key targets.key builder.key; do
    mode=$(stat -c %a "run/$f")
    [ "$mode" = 600 ] && t_ok "$f is private (0600)" || t_bad "$f has mode $mode"
done

# The output the README shows is the client's output, dates normalised.
norm() { sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z/DATE/g'; }
client='^((root|timestamp|snapshot|targets) +version .*\((current|verified)|target +[^ ]+: )'
grep -E "$client" tour.out | norm >got.txt
norm <shown.txt | grep -E "$client" >want.txt
if [ -s want.txt ] && cmp -s got.txt want.txt; then
    t_ok "the README shows the client's output as it is"
else
    t_bad "the README's sample output differs from the tour's"
    diff want.txt got.txt | sed 's/^/    | /'
fi
t_done
