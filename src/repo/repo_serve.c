/*
 * repo_serve.c - the served folder public/: target files as copies of the
 * stored blobs, checked against their hashes, and the repair of whatever is
 * missing or damaged in public/ from the repository's own records.
 *
 * Served targets are copies, never hard links: a hard link would make an
 * edit on the web host (or by anyone who can write the served folder) an
 * edit of the repository's own stored copy, which every later publish would
 * then serve again.  Where the file system can share blocks between files
 * (FICLONE: btrfs, XFS with reflink, ...) the copy is a reflink, which costs
 * no data write; elsewhere copy_file_range(2) or read/write.
 *
 * The records public/ is rebuilt from: roots/N.root.json (every published
 * root), state/snapshot.json and state/timestamp.json (the last published
 * ones), staged/ROLE.json (a role not edited since it was published), its
 * kept copy state/kept/ROLE.json (a role edited since: see
 * rrepo_keep_published), and blobs/ (target contents).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/hash.h"
#include "repo/repo_internal.h"
#include "repo/repo_log.h"
#include "repo/rfile.h"
#include "util/codec.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/banned.h"

#define KEPT_DIR "kept"
/* Notices about single damaged files; past this, one line sums up the rest. */
#define MAX_NOTICES 50

/* ---- kept copies of published roles ---------------------------------- */

static int kept_dir(rampart_repo *r, bool create, int *fd)
{
    if (r->keptfd < 0) {
        int rc = rfs_open_subdir(r->fds[RDIR_STATE], KEPT_DIR, create, 0755, &r->keptfd, &r->err);
        if (rc != 0)
            return rc;
    }
    *fd = r->keptfd;
    return 0;
}

int rrepo_keep_published(rampart_repo *r, const char *fname)
{
    int kfd;
    int rc = kept_dir(r, true, &kfd);
    if (rc != 0)
        return rc;
    char tmp[RREPO_NAME_MAX + 64];
    int n = snprintf(tmp, sizeof(tmp), RFS_TMP_PREFIX "kept-%s", fname);
    if (n < 0 || (size_t)n >= sizeof(tmp))
        return rrepo_fail(r, RAMPART_EINVAL, NULL, "role name too long");
    /* A leftover of an interrupted keep: we hold the lock, so it is ours. */
    rerr why = {0};
    if (rfs_remove_at(kfd, tmp, &why) != 0)
        return rrepo_fail(r, RAMPART_EIO, NULL, "cannot clear state/kept: %s", why.message);
    rc = rfs_link(r->fds[RDIR_STAGED], fname, kfd, tmp, &why);
    if (rc == RAMPART_ENOTFOUND)
        return 0; /* nothing staged yet: nothing published to keep */
    if (rc == 0 && (rc = rfs_rename(kfd, tmp, kfd, fname, &why)) != 0)
        rfs_unlink_quiet(kfd, tmp);
    if (rc != 0)
        return rrepo_fail(r, RAMPART_EIO, NULL, "cannot keep the published %s: %s", fname, why.message);
    return 0;
}

int rrepo_drop_kept(rampart_repo *r, const char *name)
{
    int kfd;
    if (r->keptfd < 0 && !rfs_exists_at(r->fds[RDIR_STATE], KEPT_DIR))
        return 0;
    int rc = kept_dir(r, false, &kfd);
    char fname[RREPO_NAME_MAX + 32];
    int n = snprintf(fname, sizeof(fname), "%s.json", name);
    if (rc == 0 && (n < 0 || (size_t)n >= sizeof(fname)))
        rc = rrepo_fail(r, RAMPART_EINVAL, NULL, "role name too long");
    if (rc == 0)
        rc = rfs_remove_at(kfd, fname, &r->err);
    return rc;
}

/* ---- served targets ---------------------------------------------------- */

typedef struct tally {
    size_t replaced; /* damaged served files rewritten */
    size_t written;  /* missing served files written */
    size_t notices;
    size_t created, taken; /* names the quick way created, found taken */
} tally;

static void damaged(rampart_repo *r, tally *t, const char *fmt, ...) RAMPART_PRINTF(3, 4);
static void damaged(rampart_repo *r, tally *t, const char *fmt, ...)
{
    t->replaced++;
    if (t->notices++ >= MAX_NOTICES)
        return;
    char line[sizeof(r->err.message)];
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(line, sizeof(line), fmt, ap); /* a notice: cut to fit */
    va_end(ap);
    rrepo_notice(r, "%s", line);
}

/* Copies all of `src` into the new file `dst`: a reflink when the file
 * system shares blocks, else copy_file_range, else read and write. */
static int copy_fd(rampart_repo *r, int src, uint64_t len, int dst)
{
    if (!r->no_reflink && ioctl(dst, FICLONE, src) == 0)
        return 0;
    r->no_reflink = true; /* the same two file systems for every file of the call */
    uint64_t done = 0;
    bool plain = false;
    while (!plain && done < len) {
        ssize_t n = copy_file_range(src, NULL, dst, NULL,
                                    len - done > ((size_t)1 << 30) ? (size_t)1 << 30 : (size_t)(len - done), 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && done == 0 && (errno == ENOSYS || errno == EXDEV || errno == EINVAL || errno == EOPNOTSUPP))
            plain = true;
        else if (n < 0)
            return rrepo_fail(r, RAMPART_EIO, NULL, "cannot copy a stored target: %s", strerror(errno));
        else if (n == 0)
            break;
        else
            done += (uint64_t)n;
    }
    if (!plain)
        return done == len ? 0 : rrepo_fail(r, RAMPART_EIO, NULL, "a stored target is shorter than recorded");
    static const size_t chunk = (size_t)256 * 1024;
    uint8_t *buf = rampart_malloc(chunk);
    if (buf == NULL)
        return rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    int rc = 0;
    rerr why = {0};
    while (rc == 0) {
        ssize_t got = read(src, buf, chunk);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            rc = rrepo_fail(r, RAMPART_EIO, NULL, "cannot read a stored target: %s", strerror(errno));
        else if (got > 0 && rfs_write_all(dst, buf, (size_t)got, &why) != 0)
            rc = rrepo_fail(r, RAMPART_EIO, NULL, "cannot write a served target: %s", why.message);
        else if (got == 0)
            break;
    }
    rampart_free(buf);
    return rc;
}

/* Served files are 0644 whatever the umask: the first file created tells
 * whether the umask takes bits away (then each gets an fchmod). */
static int serve_mode(rampart_repo *r, int fd)
{
    struct stat st;
    if (r->serve_mode == 0)
        r->serve_mode = fstat(fd, &st) == 0 && (st.st_mode & 07777) == 0644 ? 1 : -1;
    if (r->serve_mode < 0 && fchmod(fd, 0644) != 0)
        return rrepo_fail(r, RAMPART_EIO, NULL, "cannot set the mode of a served target: %s", strerror(errno));
    return 0;
}

/* A missing served file is created under its final name (O_EXCL: nothing
 * is overwritten, no symlink followed): its name is published only by the
 * metadata written after the syncfs that ends step 1 of the publish, and a
 * copy cut short by a crash has the wrong length or a ctime after the last
 * check, so the next publish replaces it (judge()).  1: the name was
 * taken meanwhile (replace it), 0: done, < 0: error. */
static int place_new(rampart_repo *r, int src, int parent, const char *name, uint64_t length)
{
    int fd = -1;
    rerr why = {0};
    int orc = rfs_create_new(parent, name, 0644, &fd, &why);
    if (orc == RAMPART_EEXIST)
        return 1;
    if (orc != 0)
        return rrepo_fail(r, RAMPART_EIO, NULL, "cannot create a served target: %s", why.message);
    int rc = serve_mode(r, fd);
    if (rc == 0)
        rc = copy_fd(r, src, length, fd);
    if (close(fd) != 0 && rc == 0)
        rc = rrepo_fail(r, RAMPART_EIO, NULL, "cannot write a served target: %s", strerror(errno));
    if (rc != 0)
        rfs_unlink_quiet(parent, name); /* never leave a short copy */
    return rc;
}

/* Hashes the open file `fd` with `alg` and compares with `want`. */
static int hash_fd_matches(rampart_repo *r, int fd, rhash_alg alg, const uint8_t *want, bool *match)
{
    rhash h = {0};
    uint8_t got[RHASH_MAX_LEN];
    static const size_t chunk = (size_t)256 * 1024;
    uint8_t *buf = rampart_malloc(chunk);
    int rc = buf != NULL ? rhash_init(&h, alg) : RAMPART_ENOMEM;
    while (rc == 0) {
        ssize_t n = read(fd, buf, chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            rc = RAMPART_EIO;
        else if (n == 0)
            break;
        else
            rc = rhash_update(&h, buf, (size_t)n);
    }
    if (rc == 0)
        rc = rhash_final(&h, got);
    rhash_free(&h);
    rampart_free(buf);
    if (rc != 0)
        return rrepo_fail(r, rc, NULL, "cannot hash a served target");
    *match = rdigest_eq(got, want, rhash_len(alg));
    return 0;
}

/* True when `a` is not before `b`. */
static bool ts_after(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec > b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec >= b->tv_nsec);
}

/* What is wrong with the served file `name` in `parent` (NULL: nothing),
 * or "missing".  Its bytes are hashed too with RSERVE_ALL, and with
 * RSERVE_CHANGED when its status changed (ctime) at or after `since`. */
static int judge(rampart_repo *r, int parent, const char *name, uint64_t length, rhash_alg alg, const uint8_t *digest,
                 rserve_check mode, const struct timespec *since, const char **why)
{
    struct stat st;
    *why = NULL;
    if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno != ENOENT)
            return rrepo_fail(r, RAMPART_EIO, NULL, "cannot stat a served target: %s", strerror(errno));
        *why = "missing";
        return 0;
    }
    if (S_ISDIR(st.st_mode))
        return rrepo_fail(r, RAMPART_EPATH, NULL, "a folder stands where a target is served");
    if (!S_ISREG(st.st_mode))
        *why = "was not a regular file";
    else if (st.st_nlink > 1)
        *why = "was a hard link (an edit of it would change another file too)";
    else if ((uint64_t)st.st_size != length)
        *why = "had the wrong length";
    /* Any write to the file since it was last checked moved its ctime,
     * which no one can set back (short of setting back the clock). */
    bool check = mode == RSERVE_ALL || (mode == RSERVE_CHANGED && (since == NULL || ts_after(&st.st_ctim, since)));
    if (*why != NULL || !check)
        return 0;
    int fd = -1;
    rerr open_err = {0};
    if (rfs_open_read(parent, name, &fd, &open_err) != 0)
        return rrepo_fail(r, RAMPART_EIO, NULL, "cannot open a served target: %s", open_err.message);
    bool match = false;
    int rc = hash_fd_matches(r, fd, alg, digest, &match);
    close(fd);
    if (rc == 0 && !match)
        *why = "did not match its hashes";
    return rc;
}

/* Replaces whatever is at `name` in `parent` with a copy of `src`:
 * temporary file, then rename (synced by the caller's syncfs). */
static int place_replace(rampart_repo *r, int src, int parent, const char *name, uint64_t length)
{
    rfs_tmp t = {.fd = -1};
    int rc = rfs_tmp_open(&t, parent, 0644, &r->err);
    if (rc == 0) {
        t.lazy = true; /* one syncfs makes the whole batch durable (rrepo_pub_finish) */
        rc = copy_fd(r, src, length, t.fd);
    }
    if (rc == 0)
        rc = rfs_tmp_commit(&t, name, &r->err);
    rfs_tmp_discard(&t);
    return rc;
}

/* Writes a fresh copy of blob `sha` as `name` in `parent` (replacing
 * whatever is there).  With `check` the blob's hash is checked first: a
 * damaged blob is an error, since nothing correct can be served from it. */
/* How place() treats the blob: the digest to check it by (when `check`),
 * and whether the served name was missing. */
typedef struct place_how {
    rhash_alg alg;
    const uint8_t *digest;
    bool check, missing;
} place_how;

static int place(rampart_repo *r, int blobdir, const char *sha, int parent, const char *name, uint64_t length,
                 const place_how *how)
{
    rhash_alg alg = how->alg;
    const uint8_t *digest = how->digest;
    bool check = how->check, missing = how->missing;
    int src = -1;
    rerr why = {0};
    int orc = rfs_open_read(blobdir, sha, &src, &why);
    if (orc != 0)
        return orc == RAMPART_ENOTFOUND
                   ? rrepo_fail(r, RAMPART_ENOTFOUND, NULL, "the stored copy blobs/%.2s/%s is missing", sha, sha)
                   : rrepo_fail(r, RAMPART_EIO, NULL, "cannot open blobs/%.2s/%s: %s", sha, sha, why.message);
    bool match = true;
    int rc = check ? hash_fd_matches(r, src, alg, digest, &match) : 0;
    if (rc == 0 && !match)
        rc = rrepo_fail(r, RAMPART_EFORMAT, NULL,
                        "the stored copy blobs/%.2s/%s no longer matches its hashes: add the target again", sha, sha);
    if (rc == 0 && check && lseek(src, 0, SEEK_SET) != 0)
        rc = rrepo_fail(r, RAMPART_EIO, NULL, "cannot read blobs/%.2s/%s: %s", sha, sha, strerror(errno));
    bool done = false;
    if (rc == 0 && missing) {
        rc = place_new(r, src, parent, name, length);
        done = rc == 0;
        if (rc == 1)
            rc = 0; /* the name was taken meanwhile: replaced below */
    }
    if (rc == 0 && !done)
        rc = place_replace(r, src, parent, name, length);
    close(src);
    return rc;
}

/* The quick way for a served file that is missing, as on a first publish:
 * created under its final name `rel` (the target's folders, then `name`)
 * beneath public/targets in one system call, confined as the folder walk
 * of serve_one() (no symlink followed anywhere, nothing outside), then
 * filled from blob `sha`.  Five system calls instead of ten: no folder is
 * opened and closed, no fstatat says it is missing first.  *done false:
 * the name is taken, a folder is missing or the kernel cannot do it; the
 * caller takes the long way, which judges what is there (nothing is
 * written then). */
static int serve_new_fast(rampart_repo *r, tally *ty, int blobdir, const char *sha, const char *path, const char *base,
                          const char *name, uint64_t length, bool *done)
{
    *done = false;
    char rel[PATH_MAX];
    int n = snprintf(rel, sizeof(rel), "%.*s%s", (int)(base - path), path, name);
    if (n < 0 || (size_t)n >= sizeof(rel))
        return 0;
    int fd = -1;
    rerr why = {0};
    int rc = rfs_create_below(r->fds[RDIR_TARGETS], rel, 0644, &fd, &why);
    if (rc == RAMPART_EEXIST)
        ty->taken++;
    if (rc == RAMPART_EUNSUPPORTED)
        r->no_openat2 = true;
    if (rc != 0)
        return 0;
    ty->created++;
    int src = -1;
    int orc = rfs_open_read(blobdir, sha, &src, &why);
    if (orc != 0)
        rc = orc == RAMPART_ENOTFOUND
                 ? rrepo_fail(r, RAMPART_ENOTFOUND, NULL, "the stored copy blobs/%.2s/%s is missing", sha, sha)
                 : rrepo_fail(r, RAMPART_EIO, NULL, "cannot open blobs/%.2s/%s: %s", sha, sha, why.message);
    if (rc == 0)
        rc = serve_mode(r, fd);
    if (rc == 0)
        rc = copy_fd(r, src, length, fd);
    if (src >= 0)
        close(src);
    if (close(fd) != 0 && rc == 0)
        rc = rrepo_fail(r, RAMPART_EIO, NULL, "cannot write a served target: %s", strerror(errno));
    if (rc != 0) {
        /* Never leave a short copy (a later publish would replace it, by
         * its length; removed now all the same). */
        int parent = -1;
        const char *b = NULL;
        rerr ignored = {0};
        if (rfs_open_parent(r->fds[RDIR_TARGETS], rel, false, &parent, &b, &ignored) == 0) {
            rfs_unlink_quiet(parent, b);
            close(parent);
        }
        return rc;
    }
    ty->written++;
    *done = true;
    return 0;
}

static int serve_one(rampart_repo *r, tally *ty, const char *role, const char *path, const json_t *entry,
                     rserve_check mode, const struct timespec *since)
{
    const char *sha = json_string_value(json_object_get(json_object_get(entry, "hashes"), "sha256"));
    json_int_t length = json_integer_value(json_object_get(entry, "length"));
    if (sha == NULL || strlen(sha) != 64 || length < 0 || rfs_confine_check(path, strlen(path), RFS_MAX_DEPTH) != 0)
        return rrepo_fail(r, RAMPART_EFORMAT, role, "staged target entry '%s' is damaged", path);
    int parent = -1, blobdir = -1;
    const char *base = strrchr(path, '/');
    base = base != NULL ? base + 1 : path;
    uint8_t first = 0;
    size_t n1 = 0;
    int rc = 0;
    if (rhex_decode(&first, 1, &n1, sha, 2) != 0)
        rc = rrepo_fail(r, RAMPART_EFORMAT, role, "staged target entry '%s' is damaged", path);
    if (rc == 0)
        rc = rrepo_blobdir(r, first, &blobdir);
    const char *algname;
    json_t *h;
    json_object_foreach(json_object_get(entry, "hashes"), algname, h)
    {
        if (rc != 0)
            break;
        const char *hex = json_string_value(h);
        rhash_alg alg = rhash_alg_from_name(algname, strlen(algname));
        uint8_t digest[RHASH_MAX_LEN];
        size_t dn = 0;
        char name[300];
        int n = hex != NULL ? snprintf(name, sizeof(name), "%s.%s", hex, base) : -1;
        if (hex == NULL || alg == RHASH_UNKNOWN || rhex_decode(digest, sizeof(digest), &dn, hex, strlen(hex)) != 0 ||
            dn != rhash_len(alg)) {
            rc = rrepo_fail(r, RAMPART_EFORMAT, role, "staged target entry '%s' is damaged", path);
            break;
        }
        if (n < 0 || (size_t)n >= sizeof(name) || n > 255) {
            rc = rrepo_fail(r, RAMPART_EPATH, role, "target file name too long: %s", path);
            break;
        }
        /* Served files already there are judged below: the quick way is
         * left once it mostly finds names taken (a publish of roles that
         * were published before). */
        bool done = false;
        if (mode != RSERVE_ALL && !r->no_openat2 && ty->taken <= ty->created + 8) {
            rc = serve_new_fast(r, ty, blobdir, sha, path, base, name, (uint64_t)length, &done);
            if (rc != 0 || done)
                continue;
        }
        if (parent < 0) {
            const char *b = NULL;
            if ((rc = rfs_open_parent(r->fds[RDIR_TARGETS], path, true, &parent, &b, &r->err)) != 0)
                break;
        }
        const char *why;
        rc = judge(r, parent, name, (uint64_t)length, alg, digest, mode, since, &why);
        if (rc == 0 && why != NULL)
            rc = place(r, blobdir, sha, parent, name, (uint64_t)length,
                       &(place_how){alg, digest, mode == RSERVE_ALL, strcmp(why, "missing") == 0});
        if (rc != 0 || why == NULL)
            continue;
        if (strcmp(why, "missing") == 0) {
            ty->written++;
        } else {
            char dir[300];
            int dl = (int)(base - path);
            (void)snprintf(dir, sizeof(dir), "%.*s", dl, path); /* a notice: cut to fit */
            damaged(r, ty, "public/targets/%s%s %s: replaced with the stored copy", dir, name, why);
        }
    }
    if (parent >= 0)
        close(parent); /* blobdir belongs to the handle's cache */
    return rc;
}

int rrepo_serve_targets(rampart_repo *r, const char *role, const json_t *targets, rserve_check mode,
                        const struct timespec *since, size_t *replaced, size_t *written)
{
    tally ty = {0};
    const char *path;
    json_t *t;
    int rc = 0;
    json_object_foreach((json_t *)targets, path, t)
    {
        if ((rc = serve_one(r, &ty, role, path, t, mode, since)) != 0)
            break;
    }
    /* The tlog-proof files beside them (a transparency log): rebuilt when
     * missing, so an offline endpoint never finds a target without one. */
    if (rc == 0)
        rc = rrepo_log_missing_proofs(r, role, targets, &ty.written);
    if (ty.notices > MAX_NOTICES)
        rrepo_notice(r, "... and %zu more damaged served target(s) of '%s' replaced", ty.notices - MAX_NOTICES, role);
    if (replaced != NULL)
        *replaced += ty.replaced;
    if (written != NULL)
        *written += ty.written;
    return rc;
}

/* ---- repairing public/ ------------------------------------------------- */

static int read_record(rampart_repo *r, int dirfd, const char *where, const char *name, rbuf *out)
{
    rbuf_init(out, RREPO_MD_MAX);
    int rc = rfs_read_file(dirfd, name, out, NULL);
    if (rc == RAMPART_ENOTFOUND)
        return rrepo_fail(r, rc, NULL, "%s%s is missing from the repository's records", where, name);
    if (rc != 0)
        return rrepo_fail(r, rc, NULL, "cannot read %s%s", where, name);
    return 0;
}

/* True when public/metadata/NAME holds exactly `want`. */
static bool meta_same(rampart_repo *r, const char *name, const rbuf *want)
{
    rbuf cur;
    rbuf_init(&cur, want->len);
    bool same =
        rfs_read_file(r->fds[RDIR_META], name, &cur, NULL) == 0 && rslice_eq(rbuf_slice(&cur), rbuf_slice(want));
    rbuf_free(&cur);
    return same;
}

/* Makes public/metadata/NAME hold exactly `want` (rewritten when missing or
 * different): atomically and durably when `sync`, else as part of a batch
 * that one syncfs follows. */
static int put_meta(rampart_repo *r, tally *ty, const char *name, const rbuf *want, bool sync)
{
    if (meta_same(r, name, want))
        return 0;
    bool missing = !rfs_exists_at(r->fds[RDIR_META], name);
    int rc = sync ? rfs_write_atomic(r->fds[RDIR_META], name, want->data, want->len, 0644, &r->err)
                  : rfs_write_nosync(r->fds[RDIR_META], name, want->data, want->len, 0644, &r->err);
    if (rc != 0)
        return rc;
    if (missing)
        ty->written++;
    else
        damaged(r, ty, "public/metadata/%s differed from the repository's record: rewritten", name);
    return 0;
}

/* The bytes and document of the published version `v` of role `name`: its
 * staged file when it was not edited since, else its kept copy. */
int rrepo_published_role(rampart_repo *r, const char *name, int64_t v, rbuf *bytes, json_t **md)
{
    char fname[RREPO_NAME_MAX + 32];
    (void)snprintf(fname, sizeof(fname), "%s.json", name); /* names <= RREPO_NAME_MAX */
    int kfd = -1;
    bool have_kept = r->keptfd >= 0 || rfs_exists_at(r->fds[RDIR_STATE], KEPT_DIR);
    for (int i = 0; i < 2; i++) {
        int dirfd = r->fds[RDIR_STAGED];
        if (i == 1) {
            if (!have_kept || kept_dir(r, false, &kfd) != 0)
                break;
            dirfd = kfd;
        }
        rbuf_init(bytes, RREPO_MD_MAX);
        json_t *doc = NULL;
        if (rfs_read_file(dirfd, fname, bytes, NULL) == 0 &&
            rjson_parse(bytes->data, bytes->len, RREPO_MD_MAX, &doc, NULL) == 0 &&
            json_integer_value(json_object_get(json_object_get(doc, "signed"), "version")) == v) {
            *md = doc;
            return 0;
        }
        json_decref(doc);
        rbuf_free(bytes);
    }
    return rrepo_fail(r, RAMPART_ENOTFOUND, name,
                      "version %lld of '%s' is served but no longer in the repository's records", (long long)v, name);
}

/* The role of a snapshot META name ("dev.json" -> "dev"), when that role
 * still exists (a removed delegation stays listed, TUF 5.5.5, but no client
 * looks for it). */
static bool meta_role(rampart_repo *r, const char *fname, char *name, size_t cap)
{
    size_t n = strlen(fname);
    if (n <= 5 || n - 5 >= cap || strcmp(fname + n - 5, ".json") != 0)
        return false;
    memcpy(name, fname, n - 5);
    name[n - 5] = '\0';
    if (strcmp(name, "targets") == 0)
        return true;
    const char *d;
    rerr saved = r->err;
    bool exists = !rrepo_is_toplevel(name) && rrepo_delegator(r, name, &d, NULL) == 0;
    r->err = saved;
    return exists;
}

/* The roles a client may fetch, their targets and metadata; all of them
 * checked byte for byte and hash by hash (full repair). */
static int repair_roles(rampart_repo *r, tally *ty, const json_t *meta)
{
    const char *fname;
    json_t *m;
    int rc = 0;
    json_object_foreach((json_t *)meta, fname, m)
    {
        char name[RREPO_NAME_MAX + 16], served[RREPO_NAME_MAX + 48];
        if (!meta_role(r, fname, name, sizeof(name)))
            continue;
        int64_t v = json_integer_value(json_object_get(m, "version"));
        rbuf bytes;
        json_t *md = NULL;
        if (rrepo_published_role(r, name, v, &bytes, &md) != 0) {
            rrepo_notice(r, "%s", r->err.message);
            rerr_clear(&r->err);
            continue;
        }
        rc = rrepo_serve_targets(r, name, json_object_get(json_object_get(md, "signed"), "targets"), RSERVE_ALL, NULL,
                                 &ty->replaced, &ty->written);
        (void)snprintf(served, sizeof(served), "%lld.%s", (long long)v, fname); /* fits */
        if (rc == 0)
            rc = put_meta(r, ty, served, &bytes, false);
        json_decref(md);
        rbuf_free(&bytes);
        if (rc != 0)
            break;
    }
    return rc;
}

/* With a transparency log, the quick check also looks for the tlog-proof
 * files beside every served target (a few stat calls each) and rebuilds
 * the missing ones: an offline endpoint needs one for each target. */
static int repair_proofs(rampart_repo *r, tally *ty, const json_t *meta)
{
    const char *fname;
    json_t *m;
    int rc = 0;
    json_object_foreach((json_t *)meta, fname, m)
    {
        char name[RREPO_NAME_MAX + 16];
        if (rc != 0 || !meta_role(r, fname, name, sizeof(name)))
            continue;
        rbuf bytes;
        json_t *md = NULL;
        if (rrepo_published_role(r, name, json_integer_value(json_object_get(m, "version")), &bytes, &md) != 0) {
            rerr_clear(&r->err); /* said by the full check, which rebuilds it */
            continue;
        }
        rc = rrepo_log_missing_proofs(r, name, json_object_get(json_object_get(md, "signed"), "targets"), &ty->written);
        json_decref(md);
        rbuf_free(&bytes);
    }
    return rc;
}

/* Every published root, and root.json as the newest. */
static int repair_roots(rampart_repo *r, tally *ty, int64_t newest, bool full, bool *ok)
{
    int rc = 0;
    for (int64_t v = 1; v <= newest && rc == 0; v++) {
        char fname[64];
        (void)snprintf(fname, sizeof(fname), "%lld.root.json", (long long)v); /* a number: fits */
        rbuf b;
        if (!full) {
            struct stat a, c;
            if (fstatat(r->fds[RDIR_ROOTS], fname, &a, 0) != 0 ||
                fstatat(r->fds[RDIR_META], fname, &c, AT_SYMLINK_NOFOLLOW) != 0 || a.st_size != c.st_size)
                *ok = false;
            if (v < newest)
                continue;
        }
        rc = read_record(r, r->fds[RDIR_ROOTS], "roots/", fname, &b);
        if (rc == RAMPART_ENOTFOUND) {
            /* Nothing to rebuild it from: said, and the rest goes on. */
            *ok = false;
            if (full)
                rrepo_notice(r, "%s", r->err.message);
            rerr_clear(&r->err);
            rc = 0;
            continue;
        }
        if (rc != 0)
            break;
        if (!full && !meta_same(r, "root.json", &b))
            *ok = false;
        if (full) {
            rc = put_meta(r, ty, fname, &b, false);
            if (rc == 0 && v == newest)
                rc = put_meta(r, ty, "root.json", &b, false);
        }
        rbuf_free(&b);
    }
    return rc;
}

/* The quick check: every served metadata file a client may fetch is there
 * (and the roots have the right size), and the timestamp, the snapshot and
 * root.json are exact. */
static int quick_ok(rampart_repo *r, const json_t *meta, int64_t snapv, const rbuf *snapb, const rbuf *tsb,
                    int64_t newest_root, bool *ok)
{
    char fname[64];
    (void)snprintf(fname, sizeof(fname), "%lld.snapshot.json", (long long)snapv); /* a number: fits */
    *ok = meta_same(r, "timestamp.json", tsb) && meta_same(r, fname, snapb);
    int rc = *ok ? repair_roots(r, NULL, newest_root, false, ok) : 0;
    const char *mname;
    json_t *m;
    json_object_foreach((json_t *)meta, mname, m)
    {
        char name[RREPO_NAME_MAX + 16], served[RREPO_NAME_MAX + 48];
        struct stat st;
        if (rc != 0 || !*ok)
            break;
        if (!meta_role(r, mname, name, sizeof(name)))
            continue;
        (void)snprintf(served, sizeof(served), "%lld.%s", (long long)json_integer_value(json_object_get(m, "version")),
                       mname); /* fits */
        if (fstatat(r->fds[RDIR_META], served, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode) ||
            st.st_size == 0)
            *ok = false;
    }
    return rc;
}

int rrepo_repair(rampart_repo *r, bool full, size_t *fixed)
{
    if (fixed != NULL)
        *fixed = 0;
    /* Nothing published yet: nothing is served, and what will be is copies. */
    if (!rfs_exists_at(r->fds[RDIR_STATE], "timestamp.json"))
        return rfs_exists_at(r->fds[RDIR_STATE], RREPO_SERVED_COPIES)
                   ? 0
                   : rfs_write_atomic(r->fds[RDIR_STATE], RREPO_SERVED_COPIES, "", 0, 0644, &r->err);
    bool created = false;
    size_t logfixed = 0;
    int rc = rrepo_public_open(r, &created);
    /* The log first: what the metadata below names must be logged. */
    if (rc == 0)
        rc = rrepo_log_repair(r, &logfixed);
    if (rc == 0 && !rfs_exists_at(r->fds[RDIR_STATE], RREPO_SERVED_COPIES))
        full = true; /* published by a version that served hard links */
    rbuf snapb, tsb;
    json_t *snap = NULL;
    rbuf_init(&snapb, RREPO_MD_MAX);
    rbuf_init(&tsb, RREPO_MD_MAX);
    if (rc == 0)
        rc = read_record(r, r->fds[RDIR_STATE], "state/", "snapshot.json", &snapb);
    if (rc == 0)
        rc = read_record(r, r->fds[RDIR_STATE], "state/", "timestamp.json", &tsb);
    if (rc == 0 && rjson_parse(snapb.data, snapb.len, RREPO_MD_MAX, &snap, &r->err) != 0)
        rc = rrepo_fail(r, RAMPART_EFORMAT, "snapshot", "state/snapshot.json is damaged: %s", r->err.message);
    json_t *meta = json_object_get(json_object_get(snap, "signed"), "meta");
    int64_t snapv = json_integer_value(json_object_get(json_object_get(snap, "signed"), "version"));
    int64_t newest_root = rc == 0 ? rrepo_published_version(r, "root") : 0;
    tally ty = {0};
    bool ok = false;
    if (rc == 0 && !full && !created)
        rc = quick_ok(r, meta, snapv, &snapb, &tsb, newest_root, &ok);
    if (rc == 0 && ok && rrepo_log_enabled(r))
        rc = repair_proofs(r, &ty, meta);
    if (rc == 0 && !ok) {
        /* The order of a publish: targets and roles, roots, snapshot, then
         * the timestamp that makes them visible. */
        rc = repair_roles(r, &ty, meta);
        if (rc == 0)
            rc = repair_roots(r, &ty, newest_root, true, &ok);
        char sname[64];
        (void)snprintf(sname, sizeof(sname), "%lld.snapshot.json", (long long)snapv); /* a number: fits */
        if (rc == 0)
            rc = put_meta(r, &ty, sname, &snapb, false);
        if (rc == 0)
            rc = rfs_sync_fs(r->dirfd, &r->err);
        if (rc == 0)
            rc = put_meta(r, &ty, "timestamp.json", &tsb, true);
        if (rc == 0 && !rfs_exists_at(r->fds[RDIR_STATE], RREPO_SERVED_COPIES))
            rc = rfs_write_atomic(r->fds[RDIR_STATE], RREPO_SERVED_COPIES, "", 0, 0644, &r->err);
        if (rc == 0 && ty.notices > MAX_NOTICES)
            rrepo_notice(r, "... and %zu more damaged served file(s) rewritten", ty.notices - MAX_NOTICES);
        if (rc == 0 && ty.written > 0)
            rrepo_notice(r, "rebuilt %zu missing file(s) of public/ from the repository's records", ty.written);
    }
    json_decref(snap);
    rbuf_free(&snapb);
    rbuf_free(&tsb);
    if (rc == 0 && fixed != NULL)
        *fixed = ty.written + ty.replaced + logfixed;
    return rc;
}

bool rrepo_served_since(rampart_repo *r, struct timespec *since)
{
    struct stat st;
    if (fstatat(r->fds[RDIR_STATE], RREPO_SERVED_COPIES, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return false; /* no mark: every served file counts as changed */
    /* A second of slack: file times come from a coarser clock than ours. */
    *since = st.st_mtim;
    since->tv_sec -= 1;
    return true;
}

int rrepo_served_mark(rampart_repo *r, const struct timespec *start)
{
    struct timespec t[2] = {*start, *start};
    if (utimensat(r->fds[RDIR_STATE], RREPO_SERVED_COPIES, t, AT_SYMLINK_NOFOLLOW) != 0 && errno != ENOENT)
        return rrepo_fail(r, RAMPART_EIO, NULL, "cannot update state/" RREPO_SERVED_COPIES ": %s", strerror(errno));
    return 0;
}

int rampart_repo_repair(rampart_repo *r, int full, size_t *repaired)
{
    if (r == NULL)
        return RAMPART_EINVAL;
    rerr_clear(&r->err);
    int rc = rrepo_repair(r, full != 0, repaired);
    rrepo_drop_cache(r);
    return rc;
}
