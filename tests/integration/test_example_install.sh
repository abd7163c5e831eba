#!/usr/bin/env bash
# test_example_install.sh - installs librampart to a temporary prefix
# (cmake --install), builds examples/update.c against it three ways (the
# Makefile with pkg-config; examples/CMakeLists.txt with find_package(rampart)
# against the shared and against the static library), runs each offline
# (usage) and against a repository served by nginx over HTTPS: the embedding
# paths a developer follows.  Also checks the CMake package's version rule and
# components, with their failures.
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/lib/common.sh"
source "$here/lib/nginx.sh"
command -v "$(nginx_bin)" >/dev/null 2>&1 || t_skip "nginx not installed"
command -v pkg-config >/dev/null || t_skip "pkg-config not installed"
: "${RAMPART:?}" "${MKREPO:?}" "${RAMPART_SRC:?}" "${RAMPART_BUILD:?}"
# A sanitizer build's library needs the sanitizer runtime in every program
# that links it; the installed-library check belongs to the normal build.
[ "${RAMPART_SANITIZE:-OFF}" = ON ] && t_skip "sanitizer build (the release build runs this test)"

prefix=$T_WORK/prefix
if cmake --install "$RAMPART_BUILD" --prefix "$prefix" >"$T_WORK/install.log" 2>&1; then
    t_ok "cmake --install"
else
    t_bad "cmake --install: $(tail -5 "$T_WORK/install.log")"; t_done; exit 1
fi
so=$(find "$prefix" -name 'librampart.so.[0-9]*.[0-9]*.[0-9]*' | head -1)
libdir=$(dirname "$so")
version=${so##*/librampart.so.}
major=${version%%.*}

# 1. pkg-config and the Makefile
export PKG_CONFIG_PATH=$libdir/pkgconfig
if pkg-config --exists rampart; then t_ok "pkg-config finds rampart"; else t_bad "no rampart.pc under $libdir"; fi
got=$(pkg-config --modversion rampart)
[ "$got" = "$version" ] && t_ok "pkg-config --modversion rampart: $version" || t_bad "pkg-config --modversion: '$got', expected $version"
mkdir -p "$T_WORK/pc"
cp "$RAMPART_SRC/examples/update.c" "$RAMPART_SRC/examples/Makefile" "$T_WORK/pc/"
if make -C "$T_WORK/pc" update CFLAGS="-O2 -Wall -Wextra -Werror" >"$T_WORK/make.log" 2>&1; then
    t_ok "pkg-config: example builds against the installed library"
else
    t_bad "example build: $(cat "$T_WORK/make.log")"; t_done; exit 1
fi

# 2. find_package(rampart): examples/CMakeLists.txt, shared and static
cmake_example() {
    local dir=$1
    shift
    cmake -S "$RAMPART_SRC/examples" -B "$dir" -DCMAKE_PREFIX_PATH="$prefix" \
        -DCMAKE_C_FLAGS="-O2 -Wall -Wextra -Werror" "$@" >"$dir.log" 2>&1 &&
        cmake --build "$dir" >>"$dir.log" 2>&1
}
for kind in shared static; do
    opt=OFF
    [ $kind = static ] && opt=ON
    if cmake_example "$T_WORK/cm-$kind" -DRAMPART_EXAMPLE_STATIC=$opt; then
        t_ok "find_package: example builds against the installed $kind library"
    else
        t_bad "find_package ($kind): $(tail -20 "$T_WORK/cm-$kind.log")"; t_done; exit 1
    fi
done
needed() { LC_ALL=C readelf -d -W "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p' | tr '\n' ' '; }
case " $(needed "$T_WORK/cm-shared/update")" in
    *" librampart.so.$major "*) t_ok "shared example needs librampart.so.$major" ;;
    *) t_bad "shared example's NEEDED: $(needed "$T_WORK/cm-shared/update")" ;;
esac
case " $(needed "$T_WORK/cm-static/update")" in
    *" librampart."*) t_bad "static example still needs $(needed "$T_WORK/cm-static/update")" ;;
    *) t_ok "static example does not need librampart.so" ;;
esac

# Offline: each build runs and prints its usage (exit 2).  The CMake-built
# ones need no LD_LIBRARY_PATH (CMake gives them the prefix as RUNPATH).
offline() {
    local name=$1
    shift
    t_run "$name: runs offline (usage, exit 2)" 2 - "$@" || return
    grep -q '^usage: .*update METADATA_DIR METADATA_URL TARGETS_URL TARGET_NAME OUT_DIR \[CA_FILE\]$' "$T_WORK/err" &&
        t_ok "$name: prints its usage" || t_bad "$name: stderr: $(cat "$T_WORK/err")"
}
offline "pkg-config build" env LD_LIBRARY_PATH="$libdir" "$T_WORK/pc/update"
offline "find_package shared build" env -i PATH=/usr/bin:/bin "$T_WORK/cm-shared/update"
offline "find_package static build" env -i PATH=/usr/bin:/bin "$T_WORK/cm-static/update"

# The package's rules, each with its failure: the version file (same major,
# at least what is asked), the components (`shared`, `static`), and a
# static library whose dependencies are missing.
probe() {
    local name=$1 want=$2 expect=$3 args=$4
    shift 4
    local d=$T_WORK/probe
    rm -rf "$d" && mkdir -p "$d"
    cat >"$d/CMakeLists.txt" <<CM
cmake_minimum_required(VERSION 3.16)
project(probe LANGUAGES C)
find_package(rampart $args)
message(STATUS "probe: rampart_FOUND=\${rampart_FOUND} static=\${rampart_static_FOUND} version=\${rampart_VERSION}")
if(TARGET rampart::rampart)
  message(STATUS "probe: shared target")
endif()
if(TARGET rampart::rampart_static)
  message(STATUS "probe: static target")
endif()
CM
    cmake -S "$d" -B "$d/b" -DCMAKE_PREFIX_PATH="$prefix" "$@" >"$d.log" 2>&1
    local rc=$?
    if [ "$want" = ok ] && [ $rc -ne 0 ]; then
        t_bad "$name: configure failed: $(tail -15 "$d.log")"; return
    elif [ "$want" = fail ] && [ $rc -eq 0 ]; then
        t_bad "$name: configure succeeded"; return
    fi
    if grep -Fq -- "$expect" "$d.log"; then
        t_ok "$name"
    else
        t_bad "$name: output lacks '$expect':"; sed 's/^/    | /' "$d.log" | tail -15
    fi
}
next_minor=$(echo "$version" | awk -F. '{print $1 "." $2 + 1}')
probe "find_package($version) finds $version" ok "probe: rampart_FOUND=1 static= version=$version" "$version CONFIG REQUIRED"
probe "find_package($major.0) accepts $version (same major)" ok "probe: rampart_FOUND=1" "$major.0 CONFIG REQUIRED"
probe "find_package($next_minor) refuses $version (older)" fail "The following configuration files were considered but not accepted:" "$next_minor CONFIG REQUIRED"
probe "find_package($((major + 1)).0) refuses $version (another major)" fail "version: $version" "$((major + 1)).0 CONFIG REQUIRED"
probe "COMPONENTS static gives rampart::rampart_static" ok "probe: static target" "CONFIG REQUIRED COMPONENTS static"
probe "COMPONENTS bogus is refused" fail "no component 'bogus' (the components are shared and static)" "CONFIG REQUIRED COMPONENTS bogus"
probe "static without libcurl's development files is refused" fail "the static library needs CURL (its development files)" \
    "CONFIG REQUIRED COMPONENTS static" -DCMAKE_DISABLE_FIND_PACKAGE_CURL=ON
PKG_CONFIG_LIBDIR=$T_WORK/empty PKG_CONFIG_PATH="" \
probe "static without jansson's pkg-config file is refused" fail "the static library needs jansson >= 2.13 (found with pkg-config)" \
    "CONFIG REQUIRED COMPONENTS static"
probe "OPTIONAL_COMPONENTS static without libcurl: shared only" ok "probe: rampart_FOUND=1 static=FALSE" \
    "CONFIG REQUIRED OPTIONAL_COMPONENTS static" -DCMAKE_DISABLE_FIND_PACKAGE_CURL=ON
probe "the shared library needs no dependency's development files" ok "probe: shared target" \
    "CONFIG REQUIRED" -DCMAKE_DISABLE_FIND_PACKAGE_CURL=ON -DCMAKE_DISABLE_FIND_PACKAGE_OpenSSL=ON -DCMAKE_DISABLE_FIND_PACKAGE_PkgConfig=ON

# 3. Online: each build updates over HTTPS and refuses an untrusted server.
t_make_ca "$T_WORK/ca" || { t_bad "test CA"; t_done; exit 1; }
mkdir -p "$T_WORK/srv"
"$MKREPO" "$T_WORK/srv/repo" >/dev/null || { t_bad mkrepo; t_done; exit 1; }
nginx_start "$T_WORK/srv" "$T_WORK/ca/server.pem" "$T_WORK/ca/server.key" || { t_bad nginx; t_done; exit 1; }
T_CLEANUP+=(nginx_stop)
printf 'application 1.0.0 payload\n' >"$T_WORK/want"
online() {
    local name=$1 md=$T_WORK/md-$1 dl=$T_WORK/dl-$1
    shift
    t_run "$name: init the metadata folder" 0 - "$RAMPART" client --metadata-dir "$md" init "$T_WORK/srv/repo/root.json"
    t_run "$name: the example updates over HTTPS" 0 - "$@" "$md" \
        "$NGINX_URL/repo/metadata/" "$NGINX_URL/repo/targets/" app-1.0.0.tar.gz "$dl" "$T_WORK/ca/ca.pem"
    if grep -qx "verified app-1.0.0.tar.gz (26 bytes) -> $dl/app-1.0.0.tar.gz" "$T_WORK/out"; then
        t_ok "$name: example reports the verified target"
    else
        t_bad "$name: example output: $(cat "$T_WORK/out")"
    fi
    t_same "$name: downloaded bytes" "$dl/app-1.0.0.tar.gz" "$T_WORK/want"
    t_run "$name: the example refuses an untrusted server" 1 - "$@" "$md" \
        "$NGINX_URL/repo/metadata/" "$NGINX_URL/repo/targets/" app-1.0.0.tar.gz "$dl-2"
    grep -q "RAMPART_ETLS" "$T_WORK/err" && t_ok "$name: untrusted server: RAMPART_ETLS" || t_bad "$name: $(cat "$T_WORK/err")"
    t_absent "$name: nothing downloaded from the untrusted server" "$dl-2/app-1.0.0.tar.gz"
}
online pkg-config env LD_LIBRARY_PATH="$libdir" "$T_WORK/pc/update"
online cmake-shared env -i PATH=/usr/bin:/bin "$T_WORK/cm-shared/update"
online cmake-static env -i PATH=/usr/bin:/bin "$T_WORK/cm-static/update"
t_done
