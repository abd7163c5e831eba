#!/usr/bin/env bash
# test_example_install.sh - installs librampart to a temporary prefix
# (cmake --install), builds examples/update.c against it with
# pkg-config rampart, and runs it against a repository served by nginx over
# HTTPS: the embedding path a developer follows.
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
libdir=$(dirname "$(find "$prefix" -name 'librampart.so' | head -1)")
export PKG_CONFIG_PATH=$libdir/pkgconfig
if pkg-config --exists rampart; then t_ok "pkg-config finds rampart"; else t_bad "no rampart.pc under $libdir"; fi
cp "$RAMPART_SRC/examples/update.c" "$RAMPART_SRC/examples/Makefile" "$T_WORK/"
if make -C "$T_WORK" update CFLAGS="-O2 -Wall -Wextra -Werror" >"$T_WORK/make.log" 2>&1; then
    t_ok "example builds against the installed library"
else
    t_bad "example build: $(cat "$T_WORK/make.log")"; t_done; exit 1
fi

t_make_ca "$T_WORK/ca" || { t_bad "test CA"; t_done; exit 1; }
mkdir -p "$T_WORK/srv"
"$MKREPO" "$T_WORK/srv/repo" >/dev/null || { t_bad mkrepo; t_done; exit 1; }
nginx_start "$T_WORK/srv" "$T_WORK/ca/server.pem" "$T_WORK/ca/server.key" || { t_bad nginx; t_done; exit 1; }
T_CLEANUP+=(nginx_stop)
t_run "init the metadata folder" 0 - "$RAMPART" client --metadata-dir "$T_WORK/md" init "$T_WORK/srv/repo/root.json"
t_run "the example updates over HTTPS" 0 - env LD_LIBRARY_PATH="$libdir" "$T_WORK/update" "$T_WORK/md" \
    "$NGINX_URL/repo/metadata/" "$NGINX_URL/repo/targets/" app-1.0.0.tar.gz "$T_WORK/dl" "$T_WORK/ca/ca.pem"
if grep -qx "verified app-1.0.0.tar.gz (26 bytes) -> $T_WORK/dl/app-1.0.0.tar.gz" "$T_WORK/out"; then
    t_ok "example reports the verified target"
else
    t_bad "example output: $(cat "$T_WORK/out")"
fi
printf 'application 1.0.0 payload\n' >"$T_WORK/want"
t_same "downloaded bytes" "$T_WORK/dl/app-1.0.0.tar.gz" "$T_WORK/want"
t_run "the example refuses an untrusted server" 1 - env LD_LIBRARY_PATH="$libdir" "$T_WORK/update" "$T_WORK/md" \
    "$NGINX_URL/repo/metadata/" "$NGINX_URL/repo/targets/" app-1.0.0.tar.gz "$T_WORK/dl2"
grep -q "RAMPART_ETLS" "$T_WORK/err" && t_ok "untrusted server: RAMPART_ETLS" || t_bad "$(cat "$T_WORK/err")"
t_done
