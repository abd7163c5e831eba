/*
 * fuzz_confine.c - names from metadata that become paths or URLs:
 * rfs_confine_check (target paths below the target folder), the walk of
 * rfs_open_parent / rfs_read_file below a sandbox folder holding symlinks
 * that point out of it, percent-encoding of role names and target paths
 * (rurl_encode_all / rurl_encode_path), and the client's role file names
 * (rstore_role_file).
 *
 * Input: names separated by FUZZ_SEP (a name may hold any byte, newlines
 * included).  Invariants:
 *  - rfs_confine_check accepts exactly the names the rules of fs.h allow
 *    (checked by an independent reading of the rules);
 *  - an accepted name never resolves outside the sandbox: the folder
 *    rfs_open_parent opens is the sandbox or below it, and symlinks are
 *    refused, not followed;
 *  - both encoders produce only their allowed characters and decode back to
 *    the input; rurl_encode_all leaves no '/';
 *  - a role file name is one safe path component ending in ".json", never
 *    the lock file, and at most RSTORE_NAME_MAX bytes (else EPATH).
 */
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/store.h"
#include "client/url.h"
#include "fuzz_common.h"
#include "util/fs.h"
#include "util/banned.h"

/* ---- the sandbox --------------------------------------------------------- */

static char sandbox[PATH_MAX];
static int sandbox_fd = -1;

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(p);
}

static void sandbox_remove(void)
{
    if (sandbox_fd >= 0)
        close(sandbox_fd);
    if (sandbox[0] != '\0')
        nftw(sandbox, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* sandbox/ d/ d/e/ d/f file, d/up -> ../.., s -> .., abs -> /, f file, ff -> f */
static void sandbox_make(void)
{
    char tmpl[] = "/tmp/rampart-fuzz-confine-XXXXXX";
    FUZZ_CHECK(mkdtemp(tmpl) != NULL);
    FUZZ_CHECK(realpath(tmpl, sandbox) != NULL);
    sandbox_fd = open(sandbox, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    FUZZ_CHECK(sandbox_fd >= 0);
    FUZZ_CHECK(atexit(sandbox_remove) == 0);
    FUZZ_CHECK(mkdirat(sandbox_fd, "d", 0755) == 0 && mkdirat(sandbox_fd, "d/e", 0755) == 0);
    const char *files[] = {"f", "d/f", "d/e/f"};
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(files); i++) {
        int fd = openat(sandbox_fd, files[i], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        FUZZ_CHECK(fd >= 0 && write(fd, "inside\n", 7) == 7 && close(fd) == 0);
    }
    FUZZ_CHECK(symlinkat("../..", sandbox_fd, "d/up") == 0);
    FUZZ_CHECK(symlinkat("..", sandbox_fd, "s") == 0);
    FUZZ_CHECK(symlinkat("/", sandbox_fd, "abs") == 0);
    FUZZ_CHECK(symlinkat("f", sandbox_fd, "ff") == 0);
}

/* The folder an fd refers to is the sandbox or inside it. */
static bool fd_inside(int fd)
{
    char link[64], where[PATH_MAX];
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, where, sizeof(where) - 1);
    FUZZ_CHECK(n > 0);
    where[n] = '\0';
    size_t sl = strlen(sandbox);
    return strncmp(where, sandbox, sl) == 0 && (where[sl] == '\0' || where[sl] == '/');
}

/* ---- independent reading of the rules ---------------------------------------- */

static bool rules_allow(const uint8_t *p, size_t n, unsigned max_depth)
{
    if (n == 0 || n >= PATH_MAX)
        return false;
    unsigned depth = 0;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && p[i] != '/') {
            if (p[i] < 0x20 || p[i] == 0x7f || p[i] == '\\')
                return false;
            continue;
        }
        size_t len = i - start;
        if (len == 0 || len > NAME_MAX)
            return false;
        if ((len == 1 && p[start] == '.') || (len == 2 && p[start] == '.' && p[start + 1] == '.'))
            return false;
        depth++;
        start = i + 1;
    }
    return depth <= max_depth;
}

/* ---- encoders ------------------------------------------------------------------- */

static bool unreserved(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_' || c == '~';
}

static int hexv(uint8_t c)
{
    return (c >= '0' && c <= '9') ? c - '0' : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
}

/* Decodes %XX (upper-case hex) in enc and compares with the original. */
static bool decodes_to(rslice enc, const uint8_t *orig, size_t n, bool path)
{
    size_t o = 0;
    for (size_t i = 0; i < enc.n; o++) {
        uint8_t c = enc.p[i];
        if (c == '%') {
            FUZZ_CHECK(i + 2 < enc.n && hexv(enc.p[i + 1]) >= 0 && hexv(enc.p[i + 2]) >= 0);
            c = (uint8_t)(hexv(enc.p[i + 1]) << 4 | hexv(enc.p[i + 2]));
            i += 3;
        } else {
            /* Only unreserved characters travel unencoded (and '/' plus the
             * sub-delimiters in paths). */
            FUZZ_CHECK(unreserved(c) || (path && strchr("/!$&'()*+,;=:@", c) != NULL && c != '\0'));
            i++;
        }
        if (o >= n || orig[o] != c)
            return false;
    }
    return o == n;
}

static void check_name(const uint8_t *p, size_t n)
{
    /* rfs_confine_check against the rules, at two depths. */
    for (unsigned depth = 1; depth <= 64; depth += 63) {
        int rc = rfs_confine_check((const char *)p, n, depth);
        FUZZ_CHECK(rc == 0 || rc == RAMPART_EPATH);
        FUZZ_CHECK((rc == 0) == rules_allow(p, n, depth));
    }

    /* Encoders. */
    rbuf a;
    rbuf_init(&a, 1u << 16);
    if (rurl_encode_all(&a, RSLICE(p, n)) == 0) {
        FUZZ_CHECK(a.len == 0 || memchr(a.data, '/', a.len) == NULL);
        FUZZ_CHECK(decodes_to(rbuf_slice(&a), p, n, false));
    }
    rbuf_free(&a);
    rbuf_init(&a, 1u << 16);
    if (rurl_encode_path(&a, RSLICE(p, n)) == 0)
        FUZZ_CHECK(decodes_to(rbuf_slice(&a), p, n, true));
    rbuf_free(&a);

    /* Role file names: one safe component, never ours. */
    char role[1024];
    if (n < sizeof(role) && (n == 0 || memchr(p, 0, n) == NULL)) {
        if (n > 0)
            memcpy(role, p, n);
        role[n] = '\0';
        rbuf f;
        rbuf_init(&f, RSTORE_NAME_MAX * 4);
        int rc = rstore_role_file(&f, role);
        FUZZ_CHECK(rc == 0 || rc == RAMPART_EPATH);
        if (rc == 0) {
            FUZZ_CHECK(f.len <= RSTORE_NAME_MAX);
            FUZZ_CHECK(rfs_confine_check((const char *)f.data, f.len, 1) == 0);
            FUZZ_CHECK(f.len >= 5 && memcmp(f.data + f.len - 5, ".json", 5) == 0);
            FUZZ_CHECK(strcmp((const char *)f.data, RSTORE_LOCK_NAME) != 0);
        }
        rbuf_free(&f);

        /* The walk below the sandbox: confined, symlinks refused. */
        if (sandbox_fd < 0)
            sandbox_make();
        int pfd = -1;
        const char *base = NULL;
        rc = rfs_open_parent(sandbox_fd, role, false, &pfd, &base, NULL);
        FUZZ_CHECK(rc == 0 || rc == RAMPART_EPATH || rc == RAMPART_ENOTFOUND || rc == RAMPART_EIO);
        if (rc == 0) {
            FUZZ_CHECK(rfs_confine_check(role, n, RFS_MAX_DEPTH) == 0);
            FUZZ_CHECK(fd_inside(pfd));
            FUZZ_CHECK(base >= role && base < role + n && strchr(base, '/') == NULL);
            close(pfd);
        }
        rbuf data;
        rbuf_init(&data, 4096);
        rc = rfs_read_file(sandbox_fd, role, &data, NULL);
        FUZZ_CHECK(rc == 0 || rc == RAMPART_EPATH || rc == RAMPART_ENOTFOUND || rc == RAMPART_EIO);
        /* Only the sandbox's own files can be read (never /etc through "abs"). */
        if (rc == 0)
            FUZZ_CHECK(data.len == 7 && memcmp(data.data, "inside\n", 7) == 0);
        rbuf_free(&data);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t empty[1];
    if (size == 0)
        data = empty; /* never NULL: a NULL name is EINVAL by contract */
    fuzz_part parts[FUZZ_MAX_PARTS];
    size_t n = fuzz_split(data, size, parts);
    for (size_t i = 0; i < n; i++)
        check_name(parts[i].p, parts[i].n);
    return 0;
}
