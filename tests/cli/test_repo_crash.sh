#!/usr/bin/env bash
# test_repo_crash.sh - a publish interrupted at each of its steps (the
# RAMPART_TEST_CRASH_AFTER=N of builds with RAMPART_CRASHPOINTS (the debug
# and asan presets) makes the process exit at step N,
# as a power loss would): the served repository is consistent at every
# point (a client refresh succeeds, seeing the old or the new release), and
# the next publish finishes the interrupted one.
# key types: ed25519 ecdsa rsa
here=$(cd "$(dirname "$0")/.." && pwd)
if [ "${RAMPART_HAS_CRASHPOINTS:-1}" != 1 ]; then
    echo "skipped: this build has no crash hooks (RAMPART_CRASHPOINTS is off, as in release)"
    exit 77
fi
source "$here/lib/common.sh"
source "$here/lib/repo.sh"
: "${RAMPART:?}"
cd "$T_WORK" || exit 1

keys() { echo --key "$(K targets key)" --key "$(K snapshot key)" --key "$(K timestamp key)" --key "$(K bins key)"; }

for layout in flat bins; do
    repo=$T_WORK/repo-$layout
    r_keys bins
    if [ $layout = bins ]; then
        r_init "$repo" --bins 8 --bins-key "$(K bins pub)" || t_bad "init $layout"
    else
        r_init "$repo" || t_bad "init $layout"
    fi
    echo "v0" >f0
    "$RAMPART" repo add "$repo" f0 --path rel/base >/dev/null
    # shellcheck disable=SC2046
    "$RAMPART" repo publish "$repo" --key "$(K root key)" $(keys) >/dev/null || t_bad "$layout: first publish"
    r_serve "$repo/public" || break
    "$RAMPART" client --metadata-dir "cl-$layout" init "$repo/public/metadata/root.json" >/dev/null
    r_client "cl-$layout" refresh >/dev/null || t_bad "$layout: first refresh"
    for step in 0 1 2 3 4 5 6 7; do
        echo "$layout $step" >"f-$layout-$step"
        "$RAMPART" repo add "$repo" "f-$layout-$step" --path "rel/f$step" >/dev/null || t_bad "add $step"
        # shellcheck disable=SC2046
        RAMPART_TEST_CRASH_AFTER=$step "$RAMPART" repo publish "$repo" $(keys) >/dev/null 2>&1
        st=$?
        [ $st -eq 99 ] && t_ok "$layout: publish interrupted after step $step" ||
            t_bad "$layout: step $step: exit $st, expected the simulated crash (99)"
        t_run "$layout: client consistent after a crash at step $step" 0 - r_client "cl-$layout" refresh
        # shellcheck disable=SC2046
        t_run "$layout: the next publish finishes step $step" 0 - "$RAMPART" repo publish "$repo" $(keys)
        t_run "$layout: client gets the release after step $step" 0 - \
            r_client "cl-$layout" --target-name "rel/f$step" download
        t_same "$layout: bytes after step $step" "cl-$layout.dl/rel/f$step" "f-$layout-$step"
        ls "$repo/state" | grep -q '^next-\|^pending' && t_bad "$layout: leftovers in state/: $(ls "$repo/state")" ||
            t_ok "$layout: no publish pending after step $step"
    done
    r_stop
done

t_done
