#!/usr/bin/env bash
# test_deb.sh - the Debian packages, end to end: scripts/build-deb builds
# librampart0, librampart-dev and rampart from a copy of the tree (lintian
# without errors), this installs them system-wide with apt-get, runs
# /usr/bin/rampart (--version, selftest, the hardening and RUNPATH checks of
# an installed copy), builds the example against /usr with pkg-config and
# with find_package (shared and static), and removes the packages again,
# checking that the installed-package list is what it was before.
#
# It changes the system, so it runs only when asked: RAMPART_TEST_PACKAGES=1
# and root (.ci/run's `packages` stage); otherwise it is skipped (77), and
# asked for without root it fails.  It refuses to run if a rampart package
# is installed already.
# DEB_BUILD_OPTIONS defaults to nocheck: the unit tests ran in CI's test
# stage; RAMPART_TEST_PACKAGES_CHECK=1 runs them inside the package build.
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/lib/common.sh"
[ "${RAMPART_TEST_PACKAGES:-0}" = 1 ] || t_skip "installs packages system-wide: set RAMPART_TEST_PACKAGES=1 (and run as root)"
# Asked for, it must run: without root it fails rather than skips.
if [ "$(id -u)" -ne 0 ]; then t_bad "RAMPART_TEST_PACKAGES=1 needs root (apt-get install)"; t_done; exit 1; fi
: "${RAMPART:?}" "${RAMPART_SRC:?}"

pkgs=(librampart0 librampart-dev rampart)
installed_list() { dpkg-query -W -f='${binary:Package} ${Version} ${db:Status-Abbrev}\n' | sort; }
for p in "${pkgs[@]}"; do
    if dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^[ih]i'; then
        t_bad "$p is installed already: remove it first (this test must leave the system as it found it)"
        t_done; exit 1
    fi
done
for f in /usr/bin/rampart /usr/include/rampart; do
    [ -e "$f" ] && { t_bad "$f exists and belongs to no rampart package"; t_done; exit 1; }
done
installed_list >"$T_WORK/before"

# 1. build (in a copy of the tree) and lintian
export DEB_BUILD_OPTIONS=${DEB_BUILD_OPTIONS-nocheck}
[ "${RAMPART_TEST_PACKAGES_CHECK:-0}" = 1 ] && DEB_BUILD_OPTIONS=
git -C "$RAMPART_SRC" status --porcelain --ignored >"$T_WORK/status.before" 2>&1
start=$SECONDS
if "$RAMPART_SRC/scripts/build-deb" "$T_WORK/debs" >"$T_WORK/build.out" 2>&1; then
    t_ok "scripts/build-deb (DEB_BUILD_OPTIONS='$DEB_BUILD_OPTIONS'): $((SECONDS - start))s"
else
    t_bad "scripts/build-deb:"; sed 's/^/    | /' "$T_WORK/build.out" | tail -40; t_done; exit 1
fi
grep '^lintian:\|^build-deb: lintian' "$T_WORK/build.out" | sed 's/^/    /'
grep -q '^build-deb: lintian: 0 errors,' "$T_WORK/build.out" && t_ok "lintian: no errors" || t_bad "lintian summary missing"
git -C "$RAMPART_SRC" status --porcelain --ignored >"$T_WORK/status.after" 2>&1
if cmp -s "$T_WORK/status.before" "$T_WORK/status.after"; then
    t_ok "the package build left nothing in the checkout (git status unchanged)"
else
    t_bad "the package build changed the checkout:"; diff "$T_WORK/status.before" "$T_WORK/status.after" | sed 's/^/    | /' | head -10
fi

debs=()
for p in "${pkgs[@]}"; do
    f=$(ls "$T_WORK"/debs/"$p"_*.deb 2>/dev/null | head -1)
    [ -n "$f" ] && debs+=("$f") || t_bad "no ${p}_*.deb built"
done
[ ${#debs[@]} -eq 3 ] || { t_done; exit 1; }
ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
version=$(dpkg-deb -f "${debs[0]}" Version)

contains() {
    local deb=$1
    shift
    local list f missing=()
    list=$(dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|')
    for f in "$@"; do grep -qx "$f" <<<"$list" || missing+=("$f"); done
    [ ${#missing[@]} -eq 0 ] && t_ok "$(basename "$deb") holds $*" || t_bad "$(basename "$deb") lacks ${missing[*]}"
}
contains "${debs[0]}" "/usr/lib/$ma/librampart.so.$version" "/usr/lib/$ma/librampart.so.0"
contains "${debs[1]}" /usr/include/rampart/rampart.h "/usr/lib/$ma/librampart.so" "/usr/lib/$ma/librampart.a" \
    "/usr/lib/$ma/pkgconfig/rampart.pc" "/usr/lib/$ma/cmake/rampart/rampart-config.cmake" \
    "/usr/lib/$ma/cmake/rampart/rampart-config-version.cmake"
contains "${debs[2]}" /usr/bin/rampart /usr/share/man/man1/rampart.1.gz /usr/share/doc/rampart/copyright \
    "/usr/lib/systemd/system/rampart-repo-refresh@.service" "/usr/lib/systemd/system/rampart-repo-refresh@.timer" \
    /usr/lib/systemd/system/rampart-agent.service /usr/share/rampart/agent.conf
# the refresh service runs the packaged binary
dpkg-deb --fsys-tarfile "${debs[2]}" | tar -xO ./usr/lib/systemd/system/rampart-repo-refresh@.service |
    grep -qx 'ExecStart=/usr/bin/rampart repo refresh %f -q $RAMPART_REFRESH_ARGS' &&
    t_ok "rampart-repo-refresh@.service runs /usr/bin/rampart" || t_bad "rampart-repo-refresh@.service: ExecStart"
dpkg-deb --fsys-tarfile "${debs[2]}" | tar -xO ./usr/lib/systemd/system/rampart-agent.service |
    grep -qx 'ExecStart=/usr/bin/rampart agent --config /etc/rampart/agent.conf' &&
    t_ok "rampart-agent.service runs /usr/bin/rampart" || t_bad "rampart-agent.service: ExecStart"

# 2. install: apt-get must install exactly our three packages, nothing else,
# so removing them restores the system.
apt-get install -s --no-install-recommends "${debs[@]}" >"$T_WORK/sim" 2>&1
extra=$(sed -n 's/^Inst \([^ ]*\) .*/\1/p' "$T_WORK/sim" | grep -vxE 'librampart0|librampart-dev|rampart' || true)
if [ -n "$extra" ]; then
    t_bad "installing would also install: $extra (run scripts/bootstrap first)"; t_done; exit 1
fi
remove_pkgs() { DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq "${pkgs[@]}" >/dev/null 2>&1 || dpkg -P "${pkgs[@]}" >/dev/null 2>&1; }
T_CLEANUP+=(remove_pkgs)
if DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${debs[@]}" >"$T_WORK/apt.log" 2>&1; then
    t_ok "apt-get install ./librampart0 ./librampart-dev ./rampart"
else
    t_bad "apt-get install: $(tail -10 "$T_WORK/apt.log")"; t_done; exit 1
fi

# 3. the tool, from /usr/bin, with an empty environment
"$RAMPART" --version >"$T_WORK/want.version" 2>&1
t_run "/usr/bin/rampart --version" 0 - env -i PATH=/usr/bin:/bin /usr/bin/rampart --version &&
    t_same "/usr/bin/rampart --version says what the build tree's says" "$T_WORK/out" "$T_WORK/want.version"
t_run "/usr/bin/rampart selftest" 0 - env -i PATH=/usr/bin:/bin rampart selftest &&
    { [ "$(cat "$T_WORK/out")" = "rampart selftest: ok" ] && t_ok "selftest: ok" || t_bad "selftest said: $(cat "$T_WORK/out")"; }
lib=$(env -i ldd /usr/bin/rampart | sed -n 's/^[[:space:]]*librampart\.so\.0 => \([^ ]*\) .*/\1/p')
[ -n "$lib" ] && [ "$(readlink -f "$lib")" = "$(readlink -f "/usr/lib/$ma/librampart.so.0")" ] && t_ok "rampart uses /usr/lib/$ma/librampart.so.0" || t_bad "librampart resolves to '$lib'"
if "$RAMPART_SRC/scripts/check-hardening" --installed /usr >"$T_WORK/hard.out" 2>&1; then
    t_ok "check-hardening --installed /usr (PIE, RELRO, NX, stack protector, fortify, no RUNPATH)"
else
    t_bad "check-hardening --installed /usr:"; grep 'FAIL' "$T_WORK/hard.out" | sed 's/^/    | /'
fi
grep -Eq '^  RUNPATH +ok   none$' "$T_WORK/hard.out" && t_ok "/usr/bin/rampart has no RUNPATH" || t_bad "$(grep RUNPATH "$T_WORK/hard.out")"
[ -f /usr/share/man/man1/rampart.1.gz ] && zcat /usr/share/man/man1/rampart.1.gz | grep -q '^\.TH RAMPART 1' &&
    t_ok "man page installed" || t_bad "no rampart(1) man page under /usr/share/man"

# 4. building against /usr: pkg-config and find_package
got=$(pkg-config --modversion rampart 2>&1)
[ "$got" = "$version" ] && t_ok "pkg-config --modversion rampart: $version" || t_bad "pkg-config --modversion rampart: '$got'"
got=$(pkg-config --variable=pcfiledir rampart 2>&1)
[ "$got" = "/usr/lib/$ma/pkgconfig" ] && t_ok "rampart.pc is the package's" || t_bad "rampart.pc found in '$got'"
mkdir -p "$T_WORK/pc"
cp "$RAMPART_SRC/examples/update.c" "$RAMPART_SRC/examples/Makefile" "$T_WORK/pc/"
if make -C "$T_WORK/pc" update CFLAGS="-O2 -Wall -Wextra -Werror" >"$T_WORK/make.log" 2>&1; then
    t_ok "pkg-config: the example builds against /usr"
else
    t_bad "pkg-config build: $(cat "$T_WORK/make.log")"
fi
for kind in shared static; do
    opt=OFF
    [ $kind = static ] && opt=ON
    d=$T_WORK/cm-$kind
    if cmake -S "$RAMPART_SRC/examples" -B "$d" -DRAMPART_EXAMPLE_STATIC=$opt -DCMAKE_C_FLAGS="-O2 -Wall -Wextra -Werror" >"$d.log" 2>&1 &&
       cmake --build "$d" >>"$d.log" 2>&1; then
        t_ok "find_package: the example builds against /usr ($kind)"
    else
        t_bad "find_package ($kind): $(tail -15 "$d.log")"; continue
    fi
    got=$(sed -n 's/^rampart_DIR:PATH=//p' "$d/CMakeCache.txt")
    [ "$got" = "/usr/lib/$ma/cmake/rampart" ] && t_ok "find_package ($kind) found /usr/lib/$ma/cmake/rampart" || t_bad "rampart_DIR is '$got'"
done
for b in pc/update cm-shared/update cm-static/update; do
    [ -x "$T_WORK/$b" ] || continue
    t_run "$b runs (usage, exit 2)" 2 - env -i PATH=/usr/bin:/bin "$T_WORK/$b" &&
        { grep -q '^usage: ' "$T_WORK/err" && t_ok "$b prints its usage" || t_bad "$b: $(cat "$T_WORK/err")"; }
done

# 5. remove, and the system is as before
if DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq "${pkgs[@]}" >"$T_WORK/apt.log" 2>&1; then
    t_ok "apt-get purge librampart0 librampart-dev rampart"
else
    t_bad "apt-get purge: $(tail -5 "$T_WORK/apt.log")"
fi
# Every package that was there is there, in the same version and state.
# One that appeared meanwhile was not ours (apt-get installed exactly our
# three, checked above): another process on the machine installed it.
installed_list >"$T_WORK/after"
gone=$(comm -23 "$T_WORK/before" "$T_WORK/after")
new=$(comm -13 "$T_WORK/before" "$T_WORK/after")
if [ -z "$gone" ]; then
    t_ok "every package installed before is still there, unchanged"
else
    t_bad "packages removed or changed: $(echo "$gone" | tr '\n' ' ')"
fi
if grep -Eq '^(librampart0|librampart-dev|rampart)[: ]' <<<"$new"; then
    t_bad "still installed: $(grep -E '^(librampart0|librampart-dev|rampart)[: ]' <<<"$new" | tr '\n' ' ')"
else
    t_ok "no rampart package left installed"
fi
[ -z "$new" ] || echo "    note: installed meanwhile by another process: $(echo "$new" | cut -d' ' -f1 | tr '\n' ' ')"
for f in /usr/bin/rampart /usr/include/rampart "/usr/lib/$ma/librampart.so.0" "/usr/lib/$ma/cmake/rampart"; do
    t_absent "$f removed" "$f"
done
t_done
