#!/usr/bin/env bash
# test_repo_keys.sh - `rampart key generate|show`: key types, file modes,
# passphrases from a file / an environment variable, refusal to overwrite,
# and one-line errors for unknown formats and wrong passphrases.
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/lib/common.sh"
: "${RAMPART:?}"
cd "$T_WORK" || exit 1

t_run "generate ed25519 (default)" 0 - "$RAMPART" key generate --no-passphrase k1
[ "$(stat -c %a k1.key)" = 600 ] && t_ok "private key mode 0600" || t_bad "mode $(stat -c %a k1.key)"
grep -q "BEGIN PRIVATE KEY" k1.key && t_ok "unencrypted PKCS#8" || t_bad "k1.key: $(head -1 k1.key)"
python3 - k1.pub <<'PY' && t_ok "public key in TUF form" || t_bad "k1.pub: $(cat k1.pub)"
import json, sys
k = json.load(open(sys.argv[1]))
assert k["keytype"] == "ed25519" and k["scheme"] == "ed25519" and len(k["keyval"]["public"]) == 64
PY
t_run "show public key" 0 - "$RAMPART" key show k1.pub
cp "$T_WORK/out" show_pub
grep -q '^type: *ed25519$' show_pub && grep -q '^scheme: *ed25519$' show_pub && t_ok "show: type and scheme" ||
    t_bad "$(cat show_pub)"
t_run "show private key" 0 - "$RAMPART" key show k1.key
t_same "same keyid from private and public file" show_pub "$T_WORK/out"
python3 - k1.pub show_pub <<'PY' && t_ok "keyid = sha256 of canonical key" || t_bad "keyid mismatch"
import hashlib, json, sys
k = json.load(open(sys.argv[1]))
want = hashlib.sha256(json.dumps(k, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
got = open(sys.argv[2]).read().split()[1]
sys.exit(0 if got == want else 1)
PY

t_run "generate ecdsa" 0 - "$RAMPART" key generate --type ecdsa --no-passphrase k2
grep -q '^scheme: *ecdsa-sha2-nistp256$' "$T_WORK/out" && t_ok "ecdsa scheme" || t_bad "$(cat "$T_WORK/out")"
t_run "generate rsa" 0 - "$RAMPART" key generate --type rsa --no-passphrase k3
grep -q '^scheme: *rsassa-pss-sha256$' "$T_WORK/out" && t_ok "rsa scheme" || t_bad "$(cat "$T_WORK/out")"
t_run "rsa below 3072 bits" 2 - "$RAMPART" key generate --type rsa --bits 2048 --no-passphrase k4
t_absent "no key written for a refused size" k4.key
t_run "rsa above 8192 bits" 2 - "$RAMPART" key generate --type rsa --bits 16384 --no-passphrase k4
t_run "unknown type" 2 - "$RAMPART" key generate --type dsa --no-passphrase k4

# refuse to overwrite, leaving both files as they were
cp k1.key k1.key.orig
cp k1.pub k1.pub.orig
t_run "refuse to overwrite" 1 RAMPART_EEXIST "$RAMPART" key generate --no-passphrase k1
t_same "private key untouched" k1.key k1.key.orig
t_same "public key untouched" k1.pub k1.pub.orig
rm k1.pub
t_run "refuse when only the private key exists" 1 RAMPART_EEXIST "$RAMPART" key generate --no-passphrase k1
t_same "private key still untouched" k1.key k1.key.orig
t_absent "no public key made" k1.pub

# passphrases
export RAMPART_TEST_PASS="correct horse"
t_run "generate encrypted (env)" 0 - "$RAMPART" key generate --passphrase-env RAMPART_TEST_PASS enc
grep -q "BEGIN ENCRYPTED PRIVATE KEY" enc.key && t_ok "encrypted PKCS#8" || t_bad "enc.key not encrypted"
t_run "show with the passphrase (env)" 0 - "$RAMPART" key show --passphrase-env RAMPART_TEST_PASS enc.key
printf 'correct horse\n' >pass.txt
t_run "show with the passphrase (file)" 0 - "$RAMPART" key show --passphrase-file pass.txt enc.key
printf 'correct horse\r\n' >pass-crlf.txt
t_run "passphrase file with a CRLF line end" 0 - "$RAMPART" key show --passphrase-file pass-crlf.txt enc.key
# 1024 bytes (RAMPART_PASSPHRASE_MAX) are read; a longer line is refused, never cut
python3 -c 'import sys; sys.stdout.write("a" * 1025 + "\n")' >long.txt
t_run "passphrase file longer than 1024 bytes" 1 RAMPART_EINVAL "$RAMPART" key show --passphrase-file long.txt enc.key
grep -q "longer than 1024 bytes" "$T_WORK/err" && t_ok "says the passphrase is too long" || t_bad "stderr: $(cat "$T_WORK/err")"
t_run "generate: passphrase file longer than 1024 bytes" 1 RAMPART_EINVAL "$RAMPART" key generate --passphrase-file long.txt toolong
t_absent "no key written" toolong.key
RAMPART_LONG_PASS=$(head -c 1025 /dev/zero | tr '\0' a) t_run "passphrase variable longer than 1024 bytes" 1 RAMPART_EINVAL \
    "$RAMPART" key show --passphrase-env RAMPART_LONG_PASS enc.key
printf 'wrong\n' >bad.txt && chmod 600 bad.txt # private: a readable one draws a warning (test_passphrase.sh)
t_run "wrong passphrase" 1 RAMPART_EPASSPHRASE "$RAMPART" key show --passphrase-file bad.txt enc.key
[ "$(wc -l <"$T_WORK/err")" -eq 1 ] && t_ok "one-line message" || t_bad "stderr: $(cat "$T_WORK/err")"
t_run "no passphrase and no terminal" 1 RAMPART_EPASSPHRASE setsid -w "$RAMPART" key show enc.key </dev/null
printf 'correct horse\n' | t_run "passphrase never read from stdin" 1 RAMPART_EPASSPHRASE \
    setsid -w "$RAMPART" key show enc.key

# the prompt: on the terminal, twice for a new key, never echoed
python3 - "$RAMPART" "$T_WORK/tty" <<'PY' && t_ok "prompted passphrase, not echoed" || t_bad "terminal prompt"
import os, pty, signal, sys
signal.alarm(120)  # never hang the suite
rampart, name = sys.argv[1], sys.argv[2]
def run(args, answers):
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(rampart, [rampart] + args)
    seen = b""
    for a in answers:
        while b"assphrase" not in seen.split(b"\n")[-1] and b"Again" not in seen.split(b"\n")[-1]:
            chunk = os.read(fd, 1024)
            if not chunk:
                break
            seen += chunk
        os.write(fd, a + b"\n")
        seen += b"\n"
    while True:
        try:
            chunk = os.read(fd, 1024)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), seen
code, out = run(["key", "generate", name], [b"tty-secret-1", b"tty-secret-1"])
assert code == 0, out
assert b"tty-secret-1" not in out, out
code, out = run(["key", "show", name + ".key"], [b"tty-secret-1"])
assert code == 0 and b"keyid:" in out and b"tty-secret-1" not in out, out
code, out = run(["key", "show", name + ".key"], [b"wrong"])
assert code == 1 and b"RAMPART_EPASSPHRASE" in out, out
PY

# unknown formats
echo "not a key" >garbage.key
t_run "unknown key file format" 1 RAMPART_EFORMAT "$RAMPART" key show garbage.key
grep -q "unknown key file format" "$T_WORK/err" && t_ok "message names the format" || t_bad "$(cat "$T_WORK/err")"
echo '{"keytype":"ed25519"}' >partial.pub
t_run "incomplete TUF key" 1 RAMPART_EFORMAT "$RAMPART" key show partial.pub
echo '{"keytype":"dsa","scheme":"dsa","keyval":{"public":"00"}}' >dsa.pub
t_run "unsupported key type" 1 RAMPART_EUNSUPPORTED "$RAMPART" key show dsa.pub
t_run "missing file" 1 RAMPART_ENOTFOUND "$RAMPART" key show nope.pub
# metadata sign: only strictly valid metadata is signed, and nothing else is touched
echo '{"signed":{"_type":"root"},"signatures":[]}' >bad-md.json
cp bad-md.json bad-md.orig
t_run "metadata sign: not valid metadata" 1 RAMPART_EFORMAT "$RAMPART" metadata sign bad-md.json --key k1.key
t_same "metadata sign: file untouched" bad-md.json bad-md.orig
t_run "metadata sign: unknown key file format" 1 RAMPART_EFORMAT "$RAMPART" metadata sign bad-md.json \
    --key garbage.key
t_run "metadata sign: wrong passphrase" 1 RAMPART_EPASSPHRASE "$RAMPART" metadata sign bad-md.json \
    --key enc.key --passphrase-file bad.txt
t_run "metadata sign: no key" 2 - "$RAMPART" metadata sign bad-md.json
t_run "usage" 2 - "$RAMPART" key frobnicate

t_done
