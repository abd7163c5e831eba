#!/usr/bin/env bash
# test_metadata.sh - `rampart metadata show|canonical|verify`, `selftest`,
# `--version`: exact outputs on good input, a one-line error and a non-zero
# status (never a crash) on bad input.
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/lib/common.sh"
: "${RAMPART:?}"
MKREPO=${MKREPO:-$RAMPART_BUILD/tests/mkrepo}

"$MKREPO" "$T_WORK/repo" >/dev/null || { t_bad mkrepo; t_done; exit 1; }
m=$T_WORK/repo/metadata
root1=$T_WORK/repo/root.json
root2=$m/2.root.json

t_run "version" 0 - "$RAMPART" --version
grep -q '^rampart [0-9]' "$T_WORK/out" && t_ok "version line" || t_bad "version output: $(cat "$T_WORK/out")"
t_run "selftest" 0 - "$RAMPART" selftest
t_run "selftest --help" 0 - "$RAMPART" selftest --help
grep -q '^usage: rampart selftest$' "$T_WORK/out" && ! grep -q 'selftest: ok' "$T_WORK/out" &&
    t_ok "selftest --help prints its usage, runs nothing" || t_bad "selftest --help: $(cat "$T_WORK/out")"
t_run "version --help" 0 - "$RAMPART" version --help
grep -q '^usage: rampart version$' "$T_WORK/out" && t_ok "version --help prints its usage" || t_bad "version --help: $(cat "$T_WORK/out")"
t_run "selftest with an argument" 2 - "$RAMPART" selftest extra
grep -q "unexpected argument 'extra'" "$T_WORK/err" && t_ok "selftest: says which argument" || t_bad "selftest extra: $(cat "$T_WORK/err")"
t_run "version with an argument" 2 - "$RAMPART" version --json

# show
t_run "show root" 0 - "$RAMPART" metadata show "$root2"
grep -q '^role: *root$' "$T_WORK/out" && grep -q '^version: *2$' "$T_WORK/out" &&
    grep -q '^threshold: *met$' "$T_WORK/out" && grep -q ': valid$' "$T_WORK/out" &&
    t_ok "show root: role, version, valid signature" || t_bad "show output: $(cat "$T_WORK/out")"
t_run "show timestamp against root" 0 - "$RAMPART" metadata show "$m/timestamp.json" --root "$root2"
grep -q '^threshold: *met$' "$T_WORK/out" && t_ok "timestamp threshold met" || t_bad "$(cat "$T_WORK/out")"
t_run "show a root against itself" 0 - "$RAMPART" metadata show "$root1"
grep -c ': valid$' "$T_WORK/out" | grep -qx 1 && t_ok "one valid signature listed" || t_bad "$(cat "$T_WORK/out")"

# canonical: exactly the bytes the signatures cover
t_run "canonical" 0 - "$RAMPART" metadata canonical "$m/timestamp.json"
python3 - "$m/timestamp.json" "$T_WORK/out" <<'PY' && t_ok "canonical bytes" || t_bad "canonical bytes differ"
import json, sys
doc = json.load(open(sys.argv[1], encoding="utf-8"))
want = json.dumps(doc["signed"], sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
got = open(sys.argv[2], "rb").read()
sys.exit(0 if got == want else 1)
PY

# verify
t_run "verify timestamp" 0 - "$RAMPART" metadata verify "$m/timestamp.json" --root "$root2"
t_run "verify root 2 with root 1's keys" 0 - "$RAMPART" metadata verify "$root2" --root "$root1"
t_run "verify a role under another role's keys" 1 RAMPART_EFORMAT "$RAMPART" metadata verify "$m/timestamp.json" \
    --root "$root2" --role snapshot
t_run "verify an undelegated role" 1 RAMPART_ENOTFOUND "$RAMPART" metadata verify "$m/2.targets.json" \
    --root "$m/2.targets.json" --role nobody
sed 's/"version": 2/"version": 3/' "$m/timestamp.json" >"$T_WORK/ts-flipped.json"
t_run "a changed byte breaks the signature" 1 RAMPART_EBADSIG "$RAMPART" metadata verify "$T_WORK/ts-flipped.json" --root "$root2"
grep -q "signature threshold not met for 'timestamp' (0 of 1)" "$T_WORK/err" && t_ok "message says 0 of 1" || t_bad "$(cat "$T_WORK/err")"

# bad input: one line, status 1, no crash
printf '{"signed": [], "signatures": []}' >"$T_WORK/bad1.json"
printf 'not json' >"$T_WORK/bad2.json"
python3 -c 'print("[" * 100000)' >"$T_WORK/deep.json"
head -c 1000 /dev/urandom >"$T_WORK/random.bin"
for f in bad1.json bad2.json deep.json random.bin; do
    t_run "garbage $f" 1 RAMPART_EFORMAT "$RAMPART" metadata show "$T_WORK/$f"
    [ "$(wc -l <"$T_WORK/err")" -eq 1 ] && t_ok "$f: one-line error" || t_bad "$f: $(cat "$T_WORK/err")"
done
t_run "missing file" 1 RAMPART_ENOTFOUND "$RAMPART" metadata show "$T_WORK/nope.json"
t_run "verify without --root is a usage error" 2 - "$RAMPART" metadata verify "$m/timestamp.json"
t_run "unknown subcommand" 2 - "$RAMPART" metadata frobnicate
t_run "unknown command" 2 - "$RAMPART" frobnicate
t_done
