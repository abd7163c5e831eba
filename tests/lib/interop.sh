# tests/lib/interop.sh - the repositories the interoperability tests feed to
# independent TUF clients (tuf-js, python-tuf) and to `rampart client`
# (source after common.sh and repo.sh).  For a key type KT, ip_build makes
# under $T_WORK/KT:
#   flat     targets with sha256 and sha512, a path with a space and a
#            non-ASCII name, custom metadata with escapes and control
#            characters ("a\nb\t\u0001\"\\": raw in the canonical form that
#            is signed, escaped in the files served);
#   nested   targets -> dev -> qa (terminating);
#   bins     64 succinct hash bins (TAP 15) with their own key;
#   rotated  flat after two offline root rotations (1 -> 2 -> 3, keys and
#            thresholds changed), clients starting from root version 1;
#   rebuilt  flat after public/ was deleted and rebuilt by publish.
# Each scenario is a line "NAME REPO ROOT_FILE TARGET..." in IP_SCENARIOS.
# ip_check CLIENT_FN runs them: CLIENT_FN NAME METADATA_URL TARGET_URL DIR
# ROOT_FILE TARGET... downloads into DIR/dl; ip_check compares the bytes
# with the originals and runs `rampart client` on the same repository.

# The custom metadata of flat's app-1.0.tar.gz, as it is written on the
# command line (JSON) and as a JavaScript or Python client serialises it.
IP_CUSTOM='{"note":"a\nb\t\u0001\"\\","n":[1,{"x":"\u001f"}]}'
IP_CUSTOM_JS='{"n":[1,{"x":"\u001f"}],"note":"a\nb\t\u0001\"\\"}'
IP_SCENARIOS=()

ip_mkfile() { mkdir -p "$T_WORK/src/$(dirname "$1")" && printf '%s\n' "$1 $RANDOM" >"$T_WORK/src/$1"; }

# ip_build KT
ip_build() {
    local kt=$1 d=$T_WORK/$1 k
    mkdir -p "$d"
    r_keys_of "$kt" "$kt-root" "$kt-root2" "$kt-root3" "$kt-targets" "$kt-snapshot" "$kt-timestamp" "$kt-dev" \
        "$kt-qa" "$kt-bins" || return 1
    local online="--key $(K "$kt-snapshot" key) --key $(K "$kt-timestamp" key)"
    local init=(--root-key "$(K "$kt-root" pub)" --targets-key "$(K "$kt-targets" pub)"
        --snapshot-key "$(K "$kt-snapshot" pub)" --timestamp-key "$(K "$kt-timestamp" pub)")
    for k in app-1.0.tar.gz docs/guide.pdf "with space/é.txt" top.bin dev/tool.bin dev/qa/check.bin app-1.1.tar.gz; do
        [ -e "$T_WORK/src/$k" ] || ip_mkfile "$k"
    done
    local i
    for i in $(seq 1 40); do [ -e "$T_WORK/src/pkgs/p$i.deb" ] || ip_mkfile "pkgs/p$i.deb"; done

    # flat
    "$RAMPART" repo init "$d/flat" "${init[@]}" --sha512 >/dev/null 2>&1 &&
        "$RAMPART" repo add "$d/flat" "$T_WORK/src/app-1.0.tar.gz" --path app-1.0.tar.gz --custom "$IP_CUSTOM" \
            >/dev/null &&
        "$RAMPART" repo add "$d/flat" "$T_WORK/src/docs" --path docs --custom '{"kind":"doc"}' >/dev/null &&
        "$RAMPART" repo add "$d/flat" "$T_WORK/src/with space" --path "with space" >/dev/null &&
        # shellcheck disable=SC2086
        "$RAMPART" repo publish "$d/flat" --key "$(K "$kt-root" key)" --key "$(K "$kt-targets" key)" $online \
            >/dev/null || { t_bad "$kt: flat repository"; return 1; }
    cp "$d/flat/public/metadata/1.root.json" "$d/flat-root-1.json"
    IP_SCENARIOS+=("$kt-flat $d/flat $d/flat-root-1.json app-1.0.tar.gz docs/guide.pdf with%20space/é.txt")

    # nested: targets -> dev -> qa
    "$RAMPART" repo init "$d/nested" "${init[@]}" >/dev/null 2>&1 &&
        "$RAMPART" repo delegate "$d/nested" --name dev --key "$(K "$kt-dev" pub)" --paths 'dev/*' \
            --paths 'dev/qa/*' >/dev/null &&
        "$RAMPART" repo delegate "$d/nested" --name qa --delegator dev --key "$(K "$kt-qa" pub)" \
            --paths 'dev/qa/*' --terminating >/dev/null &&
        "$RAMPART" repo add "$d/nested" "$T_WORK/src/top.bin" --path top.bin >/dev/null &&
        "$RAMPART" repo add "$d/nested" "$T_WORK/src/dev/tool.bin" --path dev/tool.bin --role dev >/dev/null &&
        "$RAMPART" repo add "$d/nested" "$T_WORK/src/dev/qa/check.bin" --path dev/qa/check.bin --role qa \
            >/dev/null &&
        # shellcheck disable=SC2086
        "$RAMPART" repo publish "$d/nested" --key "$(K "$kt-root" key)" --key "$(K "$kt-targets" key)" \
            --key "$(K "$kt-dev" key)" --key "$(K "$kt-qa" key)" $online >/dev/null ||
        { t_bad "$kt: nested repository"; return 1; }
    IP_SCENARIOS+=("$kt-nested $d/nested $d/nested/public/metadata/1.root.json top.bin dev/tool.bin dev/qa/check.bin")

    # succinct hash bins
    "$RAMPART" repo init "$d/bins" "${init[@]}" --bins 64 --bins-key "$(K "$kt-bins" pub)" >/dev/null 2>&1 &&
        "$RAMPART" repo add "$d/bins" "$T_WORK/src/pkgs" --path pkgs >/dev/null &&
        # shellcheck disable=SC2086
        "$RAMPART" repo publish "$d/bins" --key "$(K "$kt-root" key)" --key "$(K "$kt-targets" key)" \
            --key "$(K "$kt-bins" key)" $online >/dev/null || { t_bad "$kt: bins repository"; return 1; }
    IP_SCENARIOS+=("$kt-bins $d/bins $d/bins/public/metadata/1.root.json pkgs/p1.deb pkgs/p17.deb pkgs/p40.deb")

    # flat after root rotations (root -> root2+root3 threshold 2 -> root2 alone), signed offline
    local rootid root3id
    rootid=$("$RAMPART" key show "$(K "$kt-root" pub)" | awk '/^keyid/{print $2}')
    root3id=$("$RAMPART" key show "$(K "$kt-root3" pub)" | awk '/^keyid/{print $2}')
    rm -f "$d/root2.json"
    "$RAMPART" repo rotate "$d/flat" --role root --add-key "$(K "$kt-root2" pub)" --add-key "$(K "$kt-root3" pub)" \
        --remove-key "$rootid" --threshold 2 >/dev/null &&
        "$RAMPART" repo export "$d/flat" --role root --out "$d/root2.json" >/dev/null &&
        for k in root root2 root3; do "$RAMPART" metadata sign "$d/root2.json" --key "$(K "$kt-$k" key)" >/dev/null; done &&
        "$RAMPART" repo import "$d/flat" "$d/root2.json" >/dev/null &&
        # shellcheck disable=SC2086
        "$RAMPART" repo publish "$d/flat" $online >/dev/null &&
        "$RAMPART" repo rotate "$d/flat" --role root --remove-key "$root3id" --threshold 1 >/dev/null &&
        "$RAMPART" repo add "$d/flat" "$T_WORK/src/app-1.1.tar.gz" --path app-1.1.tar.gz >/dev/null &&
        # shellcheck disable=SC2086
        "$RAMPART" repo publish "$d/flat" --key "$(K "$kt-root2" key)" --key "$(K "$kt-root3" key)" \
            --key "$(K "$kt-targets" key)" $online >/dev/null && [ -e "$d/flat/public/metadata/3.root.json" ] ||
        { t_bad "$kt: root rotations"; return 1; }
    IP_SCENARIOS+=("$kt-rotated $d/flat $d/flat-root-1.json app-1.0.tar.gz app-1.1.tar.gz")

    # public/ deleted, then rebuilt by publishing from the repository's records
    cp -a "$d/flat" "$d/rebuilt"
    rm -rf "$d/rebuilt/public"
    # shellcheck disable=SC2086
    "$RAMPART" repo publish "$d/rebuilt" $online >/dev/null 2>&1 && [ -e "$d/rebuilt/public/metadata/timestamp.json" ] ||
        { t_bad "$kt: rebuild of public/"; return 1; }
    IP_SCENARIOS+=("$kt-rebuilt $d/rebuilt $d/flat-root-1.json app-1.0.tar.gz app-1.1.tar.gz docs/guide.pdf")
    t_ok "$kt: repositories built"
}

# ip_check CLIENT_LABEL CLIENT_FN: every scenario, with CLIENT_FN and with `rampart client`
ip_check() {
    local label=$1 fn=$2 line name repo root t
    for line in "${IP_SCENARIOS[@]}"; do
        read -r name repo root rest <<<"$line"
        local targets=()
        for t in $rest; do targets+=("${t//%20/ }"); done
        r_serve "$repo/public" || return 1
        rm -rf "$T_WORK/c-$name" "$T_WORK/rc-$name" "$T_WORK/rc-$name.dl"
        mkdir -p "$T_WORK/c-$name"
        t_run "$name: $label" 0 - "$fn" "$name" "http://127.0.0.1:$R_PORT/metadata/" \
            "http://127.0.0.1:$R_PORT/targets/" "$T_WORK/c-$name" "$root" "${targets[@]}"
        cp "$T_WORK/out" "$T_WORK/c-$name.out"
        "$RAMPART" client --metadata-dir "$T_WORK/rc-$name" init "$root" >/dev/null
        local args=()
        for t in "${targets[@]}"; do args+=(--target-name "$t"); done
        t_run "$name: rampart client" 0 - r_client "$T_WORK/rc-$name" "${args[@]}" download
        for t in "${targets[@]}"; do
            cmp -s "$T_WORK/c-$name/dl/$t" "$T_WORK/src/$t" && cmp -s "$T_WORK/rc-$name.dl/$t" "$T_WORK/src/$t" &&
                t_ok "$name: $t bytes" || t_bad "$name: $t differs"
        done
        case $name in
        *-flat | *-rotated | *-rebuilt)
            grep -qxF "custom app-1.0.tar.gz $IP_CUSTOM_JS" "$T_WORK/c-$name.out" &&
                t_ok "$name: $label reads the custom metadata with escapes and control characters" ||
                t_bad "$name: custom metadata: $(grep custom "$T_WORK/c-$name.out")"
            ;;
        esac
        r_stop
    done
}
