#!/usr/bin/env bash
# test_output_errors.sh - a command whose standard output cannot be written
# (a full disk: /dev/full) fails with status 1 and says so, instead of
# reporting success over lost output (cli/main.c checks stdout at exit).
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/lib/common.sh"
: "${RAMPART:?}"

for args in "--version" "--help" "selftest"; do
    # shellcheck disable=SC2086
    "$RAMPART" $args >/dev/full 2>"$T_WORK/err"
    st=$?
    if [ $st -eq 1 ] && grep -q 'cannot write to standard output' "$T_WORK/err"; then
        t_ok "rampart $args > /dev/full: status 1 and a message"
    else
        t_bad "rampart $args > /dev/full: status $st, stderr: $(cat "$T_WORK/err")"
    fi
    "$RAMPART" $args >"$T_WORK/out" 2>"$T_WORK/err"
    [ $? -eq 0 ] && [ -s "$T_WORK/out" ] && t_ok "rampart $args to a file: status 0" || t_bad "rampart $args to a file"
done
t_done
