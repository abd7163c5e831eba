#!/usr/bin/env bash
# test_cli_options.sh - the command line behaves like the tools people know
# (cli/opt.c): options before or after the subcommand word, each
# subcommand taking only its own options and printing only its own usage,
# "did you mean" for commands, subcommands and options, one-line errors
# with the command and the code, -q, --version with the libraries'
# versions, and the bash completion (cli/completion/rampart.bash).
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/lib/common.sh"
: "${RAMPART:?}" "${RAMPART_SRC:?}"
cd "$T_WORK" || exit 1

# t_err NAME LINE: stderr is exactly LINE (one line)
t_err() {
    if [ "$(cat "$T_WORK/err")" = "$2" ]; then t_ok "$1"; else t_bad "$1: stderr is '$(cat "$T_WORK/err")', expected '$2'"; fi
}

t_run "--version" 0 - "$RAMPART" --version
sed -n 1p out | grep -qE '^rampart [0-9]+\.[0-9]+\.[0-9]+$' && sed -n 2p out | grep -qE '^OpenSSL [0-9]+\.[0-9]+' &&
    sed -n 3p out | grep -qE '^libcurl [0-9]+\.[0-9]+' && sed -n 4p out | grep -qE '^jansson [0-9]+\.[0-9]+' &&
    [ "$(wc -l <out)" -eq 4 ] && t_ok "--version: rampart, OpenSSL, libcurl and jansson, one per line" ||
    t_bad "--version: $(cat out)"
want=$(python3 -c 'import ssl; print(ssl.OPENSSL_VERSION.split()[1])' 2>/dev/null)
[ -z "$want" ] || [ "$(sed -n 2p out)" = "OpenSSL $want" ] || openssl version | grep -qF "$(sed -n 2p out)" &&
    t_ok "the OpenSSL version is the one loaded" || t_bad "OpenSSL line '$(sed -n 2p out)' vs $(openssl version)"

# Typos
t_run "mistyped command" 2 RAMPART_EINVAL "$RAMPART" verison
t_err "did you mean: command" "rampart: unknown command 'verison' (did you mean 'version'?) [RAMPART_EINVAL]"
t_run "mistyped subcommand" 2 RAMPART_EINVAL "$RAMPART" repo lst R
t_err "did you mean: subcommand" "rampart: repo: unknown subcommand 'lst' (did you mean 'list'?) [RAMPART_EINVAL]"
t_run "mistyped option" 2 RAMPART_EINVAL "$RAMPART" client refresh --metadata-dri M --metadata-url http://127.0.0.1:9/
t_err "did you mean: option" \
    "rampart: client refresh: unknown option '--metadata-dri' (did you mean '--metadata-dir'?) [RAMPART_EINVAL]"
t_run "unknown option, no guess" 2 RAMPART_EINVAL "$RAMPART" key show --frobnicate x.pub
t_err "unknown option named" "rampart: key show: unknown option '--frobnicate' [RAMPART_EINVAL]"
t_run "global option typo" 2 RAMPART_EINVAL "$RAMPART" --verbos version
t_err "did you mean: global option" "rampart: unknown option '--verbos' (did you mean '--verbose'?) [RAMPART_EINVAL]"

# Each subcommand takes only its own options
t_run "repo list refuses --threshold" 2 RAMPART_EINVAL "$RAMPART" repo list R --threshold 3
t_err "names whose option it is" \
    "rampart: repo list: '--threshold' is not an option of 'repo list' (it is one of 'repo delegate', 'repo rotate') [RAMPART_EINVAL]"
t_run "client refresh refuses --target-name" 2 RAMPART_EINVAL "$RAMPART" client refresh --metadata-dir M \
    --metadata-url http://127.0.0.1:9/ --target-name x
t_run "option without its value" 2 RAMPART_EINVAL "$RAMPART" repo list R --role
t_err "says the value is missing" "rampart: repo list: option '--role' needs a value (ROLE) [RAMPART_EINVAL]"
t_run "flag given a value" 2 RAMPART_EINVAL "$RAMPART" repo publish R --check=yes
t_run "bad number" 2 RAMPART_EINVAL "$RAMPART" repo status R --warn-days x
t_err "names the option and the range" \
    "rampart: repo status: --warn-days needs a number from 0 to 3650, not 'x' [RAMPART_EINVAL]"
t_run "missing subcommand" 2 RAMPART_EINVAL "$RAMPART" client --metadata-dir M

# Options before or after the subcommand word: both reach the subcommand
for order in before after; do
    if [ $order = before ]; then
        t_run "client: options $order refresh" 1 RAMPART_ENOTFOUND "$RAMPART" client --metadata-dir nowhere \
            --metadata-url http://127.0.0.1:9/ refresh
    else
        t_run "client: options $order refresh" 1 RAMPART_ENOTFOUND "$RAMPART" client refresh --metadata-dir nowhere \
            --metadata-url http://127.0.0.1:9/
    fi
    t_err "client ($order): the real error, not '--metadata-dir is required'" \
        "rampart: client refresh: cannot open folder 'nowhere': not found [RAMPART_ENOTFOUND]"
done
t_run "client init: a missing root file" 1 RAMPART_EIO "$RAMPART" client init nonexist.json --metadata-dir md
t_err "one line with the command and the code" \
    "rampart: client init: cannot open nonexist.json: No such file or directory [RAMPART_EIO]"
t_run "common options after the operands" 0 - "$RAMPART" selftest -q
[ ! -s out ] && t_ok "-q: nothing on standard output" || t_bad "-q printed: $(cat out)"
t_run "-q and -v together" 2 RAMPART_EINVAL "$RAMPART" selftest -q -v
"$RAMPART" key show -- --json >out 2>err
st=$?
[ $st -eq 1 ] && grep -q "^rampart: key show: --json: " err && t_ok "-- makes '--json' a file name" ||
    t_bad "key show -- --json: status $st, $(cat err)"

# --help: only the subcommand's own usage and options
t_run "repo list --help" 0 - "$RAMPART" repo list --help
head -1 out | grep -qx 'usage: rampart repo list DIR \[--role ROLE\] \[--json\]' && ! grep -q -- '--threshold\|repo add' out &&
    grep -q -- '--quiet' out && t_ok "repo list --help: its usage and options only" || t_bad "$(cat out)"
t_run "help before the subcommand word" 0 - "$RAMPART" repo --help list
head -1 out | grep -q '^usage: rampart repo list ' && t_ok "repo --help list: the same" || t_bad "$(head -3 out)"
t_run "repo --help" 0 - "$RAMPART" repo --help
[ "$(grep -c 'rampart repo [a-z]' out)" -ge 13 ] && t_ok "repo --help lists every subcommand" || t_bad "$(cat out)"
t_run "repo help sign" 0 - "$RAMPART" repo help sign
head -1 out | grep -q '^usage: rampart repo sign ' && t_ok "repo help SUB" || t_bad "$(head -3 out)"

# Bash completion: sourced, then asked as bash asks it.
if ! command -v bash >/dev/null; then
    t_bad "no bash"
else
    comp=$RAMPART_SRC/cli/completion/rampart.bash
    complete_words() { # WORDS...: prints COMPREPLY, sorted, one line
        bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _rampart
                 printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' _ "$comp" "$@"
    }
    got=$(complete_words "$RAMPART" re)
    [ "$got" = "repo " ] && t_ok "completion: 're' -> repo" || t_bad "completion of 're': '$got'"
    got=$(complete_words "$RAMPART" repo refresh-)
    [ "$got" = "refresh-snapshot refresh-timestamp " ] && t_ok "completion: repo subcommands" ||
        t_bad "completion of 'repo refresh-': '$got'"
    got=$(complete_words "$RAMPART" client --metadata-dir md refresh --metadata-)
    [ "$got" = "--metadata-dir --metadata-url " ] && t_ok "completion: options of client refresh, after a value" ||
        t_bad "completion of 'client ... refresh --metadata-': '$got'"
    got=$(complete_words "$RAMPART" repo list R --)
    case " $got" in *" --role "*) ok=1 ;; *) ok=0 ;; esac
    case " $got" in *" --threshold "*) ok=0 ;; esac
    [ $ok = 1 ] && t_ok "completion: repo list offers --role, not --threshold" || t_bad "repo list --: '$got'"
    got=$(complete_words "$RAMPART" verify-provenance --pol)
    [ "$got" = "--policy " ] && t_ok "completion: a command without subcommands" || t_bad "verify-provenance --pol: '$got'"
    touch some-file.json
    got=$(complete_words "$RAMPART" metadata show some-f)
    [ "$got" = "some-file.json " ] && t_ok "completion: operands are files" || t_bad "metadata show some-f: '$got'"
fi
t_done
