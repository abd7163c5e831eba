#!/usr/bin/env bash
# test_check_owners.sh - scripts/check-owners, which scripts/lint runs: it
# passes the repository's own src/ and a made-up tree whose owners do their
# own jobs, and fails, naming file, line and what, on a file-system call,
# an OpenSSL, libcurl, libmicrohttpd, libarchive or expat include, or a
# jansson loader call outside their owners; calls in comments and strings
# and functions whose names merely end in a system call's name pass.
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/lib/common.sh"
command -v python3 >/dev/null || t_skip "python3 not installed"
src_root=${RAMPART_SRC:-$(cd "$here/.." && pwd)}
check=$src_root/scripts/check-owners

# put TREE FILE TEXT...: writes FILE below TREE/src, one line per TEXT.
put() {
    local tree=$1 file=$2
    shift 2
    mkdir -p "$(dirname "$tree/src/$file")"
    printf '%s\n' "$@" >"$tree/src/$file"
}

# expect NAME TREE STATUS [TEXT...]: check-owners on TREE exits with STATUS
# and prints every TEXT (fixed strings).
expect() {
    local name=$1 tree=$2 want=$3
    shift 3
    t_expect_run "$name" "$want" "$@" -- python3 "$check" "$tree"
}

clean_tree() {
    local t=$1
    put "$t" util/fs_write.c '#include <fcntl.h>' 'int w(void) { return openat(3, "x", 0) + rename("a", "b"); }'
    put "$t" install/layout.c 'int l(void) { return symlinkat("v", 3, "current"); }'
    put "$t" crypto/hash.c '#include <openssl/evp.h>'
    put "$t" client/fetch_curl.c '#include <curl/curl.h>'
    put "$t" witness/http.c '#include <microhttpd.h>'
    put "$t" install/extract.c '#include <archive.h>' '#include <archive_entry.h>'
    put "$t" assess/sparkle_feed.c '#include <expat.h>'
    put "$t" util/json.c 'void *j(void) { return json_loadb("{}", 2, 0, 0); }'
    put "$t" repo/store.c '/* open(2) and rename(2) happen in util: */' \
        'int s(void) { const char *m = "cannot open(x)"; return rfs_open_read(3, m) + rfs_rename(1, 2) + x.open(1) + p->link(2); }'
}

expect "the repository's own src/" "$src_root" 0 "check-owners: every file-system call"
clean_tree "$T_WORK/clean"
expect "a made-up tree whose owners do their jobs" "$T_WORK/clean" 0

bad() {
    local name=$1 file=$2 line=$3 want=$4
    rm -rf "$T_WORK/bad"
    clean_tree "$T_WORK/bad"
    put "$T_WORK/bad" "$file" '/* a file outside the owners */' "$line"
    expect "$name" "$T_WORK/bad" 1 "src/$file:2: $want" "check-owners: 1 finding(s)"
}
bad "openat in the repository" repo/serve.c 'int f(void) { return openat(3, "x", 0); }' "a file-system call (openat("
bad "renameat in the client" client/partial.c 'int f(void) { return renameat(3, "a", 3, "b"); }' "a file-system call (renameat("
bad "unlink in keys" keys/signer.c 'void f(void) { unlink("k"); }' "a file-system call (unlink("
bad "fopen in the agent" agent/agent.c 'void *f(void) { return fopen ("c", "r"); }' "a file-system call (fopen ("
bad "mkdirat in the installer outside layout.c" install/install.c 'int f(void) { return mkdirat(3, "v", 0755); }' "a file-system call (mkdirat("
bad "flock in the witness" witness/witness.c 'int f(int fd) { return flock(fd, 2); }' "a file-system call (flock("
bad "OpenSSL in tuf" tuf/verify.c '#include <openssl/evp.h>' "OpenSSL (#include <openssl/)"
bad "libcurl in assess" assess/source.c '#include <curl/curl.h>' "libcurl (#include <curl/)"
bad "libmicrohttpd in monitor" monitor/monitor.c '#include <microhttpd.h>' "libmicrohttpd (#include <microhttpd.h>)"
bad "libarchive in install.c" install/install.c '#include <archive.h>' "libarchive (#include <archive.h>)"
bad "expat in the apt kind" assess/apt_kind.c '#include <expat.h>' "expat (#include <expat.h>)"
bad "jansson's loader in the repository" repo/roles.c 'void *f(void) { return json_loads("{}", 0, 0); }' "jansson's loader (json_loads("

mkdir -p "$T_WORK/empty"
expect "a tree without src/ is a usage error" "$T_WORK/empty" 2 "has no src/ folder"
t_done
