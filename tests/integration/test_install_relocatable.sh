#!/usr/bin/env bash
# test_install_relocatable.sh - the installed `rampart` runs from any prefix
# without LD_LIBRARY_PATH: `cmake --install` into two prefixes (one with a
# space in its path), one of them moved elsewhere afterwards, each run with
# an empty environment; the binary finds librampart.so.0 through its
# $ORIGIN-relative RUNPATH and only there; scripts/check-hardening accepts
# that RUNPATH and refuses an absolute, relative or empty entry and a legacy
# DT_RPATH (docs/install.md).
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/lib/common.sh"
: "${RAMPART:?}" "${RAMPART_SRC:?}" "${RAMPART_BUILD:?}"
command -v readelf >/dev/null || t_skip "readelf not installed (binutils)"
# A sanitizer build's binary needs the sanitizer runtime loaded first; the
# installed-binary check belongs to the normal build.
[ "${RAMPART_SANITIZE:-OFF}" = ON ] && t_skip "sanitizer build (the release build runs this test)"

clean_env() { env -i PATH=/usr/bin:/bin "$@"; }

# What the build-tree binary says is what every installed copy must say.
"$RAMPART" --version >"$T_WORK/want.version" 2>&1 || t_bad "build-tree rampart --version"
printf 'rampart selftest: ok\n' >"$T_WORK/want.selftest"

one=$T_WORK/one
two="$T_WORK/with space/two"
for p in "$one" "$two"; do
    if cmake --install "$RAMPART_BUILD" --prefix "$p" >"$T_WORK/install.log" 2>&1; then
        t_ok "cmake --install --prefix '${p#"$T_WORK"/}'"
    else
        t_bad "cmake --install --prefix $p: $(tail -5 "$T_WORK/install.log")"; t_done; exit 1
    fi
done

# runs_from NAME PREFIX: --version and selftest with an empty environment
runs_from() {
    local name=$1 p=$2
    if t_run "$name: rampart --version, empty environment" 0 - clean_env "$p/bin/rampart" --version; then
        t_same "$name: --version output" "$T_WORK/out" "$T_WORK/want.version"
    fi
    if t_run "$name: rampart selftest, empty environment" 0 - clean_env "$p/bin/rampart" selftest; then
        t_same "$name: selftest output" "$T_WORK/out" "$T_WORK/want.selftest"
    fi
}
runs_from "prefix one" "$one"
runs_from "prefix with a space" "$two"

# The RUNPATH is relative to the binary, from the GNUInstallDirs folders of
# this build (bin -> lib by default).
bindir=$(sed -n 's/^CMAKE_INSTALL_BINDIR:[A-Z]*=//p' "$RAMPART_BUILD/CMakeCache.txt")
libdir=$(sed -n 's/^CMAKE_INSTALL_LIBDIR:[A-Z]*=//p' "$RAMPART_BUILD/CMakeCache.txt")
want_runpath="\$ORIGIN/$(python3 -c 'import os,sys; print(os.path.relpath("/p/"+sys.argv[2], "/p/"+sys.argv[1]))' "$bindir" "$libdir")"
runpath() { LC_ALL=C readelf -d -W "$1" | sed -n 's/.*(RUNPATH) *Library runpath: \[\(.*\)\]$/\1/p'; }
got=$(runpath "$two/bin/rampart")
[ "$got" = "$want_runpath" ] && t_ok "RUNPATH is $want_runpath" || t_bad "RUNPATH is '$got', expected '$want_runpath'"
if LC_ALL=C readelf -d -W "$two/bin/rampart" | grep -q '(RPATH)'; then t_bad "a legacy DT_RPATH is set"; else t_ok "no DT_RPATH"; fi
if runpath "$two/$libdir/librampart.so.0" | grep -q .; then t_bad "librampart.so.0 has a RUNPATH"; else t_ok "librampart.so.0 has no RUNPATH"; fi

# A moved prefix still works: nothing points back to where it was installed.
mkdir -p "$T_WORK/elsewhere/deeper"
mv "$one" "$T_WORK/elsewhere/deeper/moved"
moved=$T_WORK/elsewhere/deeper/moved
runs_from "moved prefix" "$moved"
if grep -rqF "$one" "$moved/bin" "$moved/$libdir"/librampart.so* "$moved/$libdir/pkgconfig" "$moved/$libdir/cmake" 2>/dev/null; then
    t_bad "the moved prefix still names its old path"
else
    t_ok "no file of the prefix names the path it was installed to"
fi

# It uses the library of its own prefix and no other: without it, it does
# not start (the build tree is not searched).
mv "$moved/$libdir" "$moved/lib.away"
t_run "without its prefix's library the binary does not start" 127 - clean_env "$moved/bin/rampart" --version
grep -q 'librampart.so.0: cannot open shared object file' "$T_WORK/err" &&
    t_ok "the loader names librampart.so.0" || t_bad "loader message: $(cat "$T_WORK/err")"
mv "$moved/lib.away" "$moved/$libdir"

# scripts/check-hardening --installed: accepts this prefix's RUNPATH ...
check=$RAMPART_SRC/scripts/check-hardening
"$check" --installed "$two" >"$T_WORK/hard.out" 2>&1
grep -Eq "^  RUNPATH +ok   \[\\\$ORIGIN/" "$T_WORK/hard.out" && t_ok "check-hardening accepts \$ORIGIN/..." ||
    t_bad "check-hardening on the installed prefix: $(grep RUNPATH "$T_WORK/hard.out")"
grep -Eq "^  finds its library +ok   $two/bin/" "$T_WORK/hard.out" && t_ok "check-hardening: the library is found inside the prefix" ||
    t_bad "check-hardening: $(grep 'finds its' "$T_WORK/hard.out")"

# ... and refuses a RUNPATH that reaches outside the prefix.  The patch
# rewrites the RUNPATH string (or the tag) of a copy in place.
patch_elf() {
    python3 - "$@" <<'PY'
import struct, sys
path, what = sys.argv[1], sys.argv[2]
data = bytearray(open(path, "rb").read())
old = b"$ORIGIN/" + sys.argv[3].encode() + b"\0"
if what == "string":
    new = sys.argv[4].encode()
    i = data.find(old)
    assert i >= 0 and len(new) < len(old), "RUNPATH string not found"
    data[i:i + len(old)] = new + b"\0" * (len(old) - len(new))
else:  # DT_RUNPATH (29) -> DT_RPATH (15) in the PT_DYNAMIC segment
    assert data[:4] == b"\x7fELF" and data[4] == 2 and data[5] == 1, "ELF64 LE only"
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    done = False
    for k in range(phnum):
        p_type, _, p_offset, _, _, p_filesz = struct.unpack_from("<IIQQQQ", data, phoff + k * phentsize)
        if p_type != 2:
            continue
        for off in range(p_offset, p_offset + p_filesz, 16):
            tag, = struct.unpack_from("<q", data, off)
            if tag == 29:
                struct.pack_into("<q", data, off, 15)
                done = True
    assert done, "no DT_RUNPATH"
open(path, "wb").write(data)
PY
}
rel=${want_runpath#\$ORIGIN/}
refused() {
    local name=$1 want=$2
    shift 2
    rm -rf "$T_WORK/bad"
    cp -a "$two" "$T_WORK/bad"
    if ! patch_elf "$T_WORK/bad/bin/rampart" "$@" 2>"$T_WORK/patch.err"; then
        t_bad "$name: could not patch the copy: $(cat "$T_WORK/patch.err")"; return
    fi
    "$check" --installed "$T_WORK/bad" >"$T_WORK/hard.out" 2>&1
    local rc=$?
    if [ $rc -eq 1 ] && grep -Fq "$want" "$T_WORK/hard.out" && grep -q '^check-hardening: .* check(s) failed' "$T_WORK/hard.out"; then
        t_ok "check-hardening refuses $name"
    else
        t_bad "check-hardening on $name: exit $rc, expected 1 and '$want'"
        grep -E 'RUNPATH|finds' "$T_WORK/hard.out" | sed 's/^/    | /'
    fi
}
refused "an absolute RUNPATH" "RUNPATH            FAIL [/tmp/x]: absolute '/tmp/x'" string "$rel" /tmp/x
refused "a relative RUNPATH" "RUNPATH            FAIL [lib]: relative 'lib' (the current folder)" string "$rel" lib
refused "an empty RUNPATH entry" "RUNPATH            FAIL [:\$ORIGIN]: an empty entry (the current folder)" \
    string "$rel" ":\$ORIGIN"
refused "a legacy DT_RPATH" "RUNPATH            FAIL legacy DT_RPATH [\$ORIGIN/$rel]" tag "$rel"
t_done
