#!/usr/bin/env bash
# test_passphrase.sh - passphrases for automation (cli/keys.c): a source
# per --key, messages that name the real cause (missing file, unset
# variable, wrong passphrase and where it came from), and a warning for a
# passphrase file its group or others can read.
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/lib/common.sh"
: "${RAMPART:?}"
cd "$T_WORK" || exit 1
umask 077

t_err() {
    if [ "$(cat "$T_WORK/err")" = "$2" ]; then t_ok "$1"; else t_bad "$1: stderr is '$(cat "$T_WORK/err")', expected '$2'"; fi
}

printf 'alpha-pass\n' >pa
printf 'beta-pass\n' >pb
printf 'wrong\n' >bad
t_run "generate a (file)" 0 - "$RAMPART" key generate --passphrase-file pa a
t_run "generate b (env)" 0 - env PB=beta-pass "$RAMPART" key generate --passphrase-env PB b
t_run "generate a2 (same passphrase as a)" 0 - "$RAMPART" key generate --passphrase-file pa a2

# The real cause, in one line
t_run "generate: missing passphrase file" 1 RAMPART_EIO "$RAMPART" key generate --passphrase-file /nonexistent c
t_err "names the file and why" \
    "rampart: key generate: cannot read passphrase file '/nonexistent': No such file or directory [RAMPART_EIO]"
t_absent "no key written" c.key
t_run "show: unset variable" 1 RAMPART_EPASSPHRASE env -u RAMPART_UNSET_PASS "$RAMPART" key show \
    --passphrase-env RAMPART_UNSET_PASS a.key
t_err "names the variable" \
    "rampart: key show: a.key: environment variable RAMPART_UNSET_PASS (--passphrase-env) is not set [RAMPART_EPASSPHRASE]"
t_run "show: empty variable" 1 RAMPART_EPASSPHRASE env E= "$RAMPART" key show --passphrase-env E a.key
t_err "says it is empty" "rampart: key show: a.key: environment variable E (--passphrase-env) is empty [RAMPART_EPASSPHRASE]"
t_run "show: wrong passphrase" 1 RAMPART_EPASSPHRASE "$RAMPART" key show --passphrase-file bad a.key
t_err "says wrong, and from where" "rampart: key show: a.key: wrong passphrase (from passphrase file 'bad') [RAMPART_EPASSPHRASE]"
t_run "sign: missing passphrase file" 1 RAMPART_EIO "$RAMPART" attest --builder-id https://ci.example.com/b \
    --key a.key --passphrase-file nope.pass pa
t_err "attest names the key and the file" \
    "rampart: attest: a.key: cannot read passphrase file 'nope.pass': No such file or directory [RAMPART_EIO]"
t_run "sign: no passphrase, no terminal" 1 RAMPART_EPASSPHRASE setsid "$RAMPART" attest --builder-id https://ci.example.com/b \
    --key a.key pa </dev/null
grep -q "^rampart: attest: a.key: no passphrase given and no terminal to ask on (give --passphrase-file or --passphrase-env) \[RAMPART_EPASSPHRASE\]$" err &&
    [ "$(wc -l <err)" -eq 1 ] && t_ok "says there is no terminal, and what to give" || t_bad "$(cat err)"

# One passphrase source per key
attest() { "$RAMPART" attest --builder-id https://ci.example.com/b "$@" pa; }
t_run "a source per key" 0 - env PB=beta-pass "$RAMPART" attest --builder-id https://ci.example.com/b \
    --key a.key --passphrase-file pa --key b.key --passphrase-env PB --out two.att pa
python3 -c 'import json,sys; e=json.loads(open("two.att").read()); sys.exit(0 if len(e["signatures"]) == 2 else 1)' &&
    t_ok "signed by both keys" || t_bad "two.att: $(head -c 300 two.att)"
t_run "the last source serves keys without their own" 0 - attest --key a.key --key a2.key --passphrase-file pa
t_run "... also given first" 0 - attest --passphrase-file pa --key a.key --key a2.key
t_run "a key's own source is not the others'" 1 RAMPART_EPASSPHRASE env PB=beta-pass "$RAMPART" attest \
    --builder-id https://ci.example.com/b --key a.key --key b.key --passphrase-env PB pa
t_err "names the key that failed" "rampart: attest: a.key: wrong passphrase (from environment variable PB) [RAMPART_EPASSPHRASE]"

# Readable passphrase files draw a warning (and still work)
cp pa p644 && chmod 644 p644
t_run "world-readable passphrase file" 0 - "$RAMPART" key show --passphrase-file p644 a.key
t_err "warns" "rampart: key show: warning: passphrase file 'p644' can be read by anyone (mode 644): make it private (chmod 600)"
cp pa p640 && chmod 640 p640
t_run "group-readable passphrase file" 0 - "$RAMPART" key show --passphrase-file p640 a.key
t_err "warns" "rampart: key show: warning: passphrase file 'p640' can be read by its group (mode 640): make it private (chmod 600)"
t_run "-q: no warning" 0 - "$RAMPART" key show -q --passphrase-file p640 a.key
[ ! -s err ] && t_ok "-q hides the warning" || t_bad "stderr: $(cat err)"
t_run "private passphrase file" 0 - "$RAMPART" key show --passphrase-file pa a.key
[ ! -s err ] && t_ok "no warning for mode 600" || t_bad "stderr: $(cat err)"
t_done
