# bash completion for rampart (installed as
# share/bash-completion/completions/rampart).  Commands, subcommands and
# options are read from the installed rampart's own --help, so they match
# it exactly; operands and option values complete as file names.

# _rampart_words HELP_ARGS...: the --options a help text prints.
_rampart_options() {
    "$_rampart_bin" "$@" --help 2>/dev/null | grep -oE -- '(^|[ [(|,])--[a-z][a-z0-9-]*' | grep -oE -- '--[a-z0-9-]+' |
        sort -u
}

# _rampart_subcommands CMD: the subcommand words of `rampart CMD --help`.
_rampart_subcommands() {
    "$_rampart_bin" "$1" --help 2>/dev/null | sed -n "s/^\(usage:\)\{0,1\} *rampart $1 \([a-z][a-z-]*\).*/\2/p" |
        sort -u
}

_rampart() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
    local _rampart_bin=${COMP_WORDS[0]}
    local cmd="" sub="" subs="" i w
    COMPREPLY=()
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        case $w in -*) continue ;; esac
        if [ -z "$cmd" ]; then
            case $w in
                client | metadata | key | repo | witness | log | audit) cmd=$w; subs=$(_rampart_subcommands "$cmd") ;;
                version | selftest | attest | verify-provenance | install | rollback | assess | agent | help) cmd=$w ;;
                *) ;; # an option's value
            esac
        elif [ -n "$subs" ] && [ -z "$sub" ]; then
            # a word counts as the subcommand only when it is one (options
            # with values may come first: client --metadata-dir DIR refresh)
            if printf '%s\n' $subs | grep -qx -- "$w"; then sub=$w; fi
        fi
    done
    case $cur in
        -*)
            if [ -z "$cmd" ]; then
                COMPREPLY=($(compgen -W "--help --version --quiet --verbose" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "$(_rampart_options $cmd $sub)" -- "$cur"))
            fi
            return 0
            ;;
    esac
    if [ -z "$cmd" ]; then
        COMPREPLY=($(compgen -W "version selftest client metadata key repo attest verify-provenance install rollback assess witness log agent audit help" -- "$cur"))
        return 0
    fi
    if [ -n "$subs" ] && [ -z "$sub" ] && [[ $prev != --* ]]; then
        COMPREPLY=($(compgen -W "$subs" -- "$cur"))
        [ ${#COMPREPLY[@]} -gt 0 ] && return 0
    fi
    COMPREPLY=($(compgen -f -- "$cur"))
    return 0
}
complete -o filenames -F _rampart rampart
