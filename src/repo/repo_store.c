/*
 * repo_store.c - storing a target's bytes under blobs/XX/SHA256 for
 * `repo add` (docs/repo.md, "Performance").
 *
 * A small file (up to RSTORE_SMALL bytes) is read once, in one read(2),
 * hashed in memory, and written with O_CREAT|O_EXCL straight under its
 * final content-addressed name: no temporary name, no rename, no fchmod
 * (the mode is 0644 less the umask), no fsync.  The caller makes the whole
 * batch durable with one syncfs before it reports success, so a crash
 * before that loses nothing that was reported added.  What a crash can
 * leave is a blob under its final name that is shorter than its name says
 * (created, not yet written back); such a blob is never trusted: when a
 * later add finds the name taken (EEXIST), it compares the blob with the
 * bytes it holds and replaces it (temporary file and rename) when they
 * differ.  Larger files are streamed into a temporary file and renamed, as
 * one rename is nothing next to their bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "repo/repo_internal.h"
#include "repo/rfile.h"
#include "util/codec.h"
#include "util/fs.h"
#include "util/banned.h"

static int hash_all(rampart_repo *r, const uint8_t *d, size_t n, bool sha512, rstore_digest *out)
{
    if (rhash_digest(RHASH_SHA256, d, n, out->sha256) != 0 ||
        (sha512 && rhash_digest(RHASH_SHA512, d, n, out->sha512) != 0))
        return rrepo_fail(r, RAMPART_ECRYPTO, NULL, "hashing failed");
    out->len = n;
    return 0;
}

/* Reads all of regular file `fd` into b (max RSTORE_SMALL + 1): one read
 * when its size did not change, since a short read of a regular file ends
 * it.  ETOOLARGE when it holds more than RSTORE_SMALL bytes. */
static int read_all(rampart_repo *r, int fd, const struct stat *st, const char *shown, rbuf *b)
{
    int rc = rbuf_reserve(b, (size_t)st->st_size + 1);
    for (;;) {
        if (rc == 0 && b->cap - 1 - b->len == 0)
            rc = rbuf_reserve(b, 4096);
        if (rc != 0)
            return rc == RAMPART_ETOOLARGE ? rc : rrepo_fail(r, rc, NULL, "out of memory");
        size_t room = b->cap - 1 - b->len;
        ssize_t got = read(fd, b->data + b->len, room);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return rrepo_fail(r, RAMPART_EIO, NULL, "cannot read %s: %s", shown, strerror(errno));
        b->len += (size_t)got;
        b->data[b->len] = '\0';
        if (b->len > RSTORE_SMALL)
            return RAMPART_ETOOLARGE; /* it grew: the caller streams it */
        if ((size_t)got < room)
            return 0;
    }
}

/* True when the blob `name` in `dir` holds exactly `d` (n bytes). */
static bool blob_same(int dir, const char *name, const uint8_t *d, size_t n, rbuf *scratch)
{
    return rfs_read_file(dir, name, scratch, NULL) == 0 && scratch->len == n &&
           (n == 0 || rdigest_eq(scratch->data, d, n));
}

/* Writes `d` as blobs/XX/`hex` unless the same bytes are there already. */
static int put_blob(rampart_repo *r, int sub, const char *hex, const uint8_t *d, size_t n)
{
    int fd = -1;
    rerr why = {0};
    int rc = rfs_create_new(sub, hex, 0644, &fd, &why);
    if (rc != 0 && rc != RAMPART_EEXIST)
        return rrepo_fail(r, RAMPART_EIO, NULL, "cannot store blobs/%.2s/%s: %s", hex, hex, why.message);
    if (rc == RAMPART_EEXIST) {
        /* Content-addressed: taken means stored, once checked (see above). */
        rbuf scratch;
        rbuf_init(&scratch, RSTORE_SMALL + 1);
        bool same = blob_same(sub, hex, d, n, &scratch);
        rbuf_free(&scratch);
        if (same)
            return 0;
        rrepo_notice(r, "blobs/%.2s/%s did not hold its bytes (an interrupted add?): stored again", hex, hex);
        return rfs_write_nosync(sub, hex, d, n, 0644, &r->err);
    }
    rc = rfs_write_all(fd, d, n, &why);
    if (close(fd) != 0 && rc == 0)
        rc = rfs_fail_as(&why, RAMPART_EIO, errno, "cannot close", hex);
    if (rc != 0) {
        rfs_unlink_quiet(sub, hex); /* never leave a short blob behind */
        return rrepo_fail(r, RAMPART_EIO, NULL, "cannot store blobs/%.2s/%s: %s", hex, hex, why.message);
    }
    return 0;
}

static int store_large(rampart_repo *r, const char *path, bool sha512, rstore_digest *out)
{
    rhash h[2] = {{0}, {0}};
    rfs_tmp t = {.fd = -1};
    int subfd = -1, rc = rhash_init(&h[0], RHASH_SHA256);
    if (rc == 0 && sha512)
        rc = rhash_init(&h[1], RHASH_SHA512);
    if (rc != 0)
        rc = rrepo_fail(r, rc, NULL, "cannot start hashing");
    if (rc == 0)
        rc = rfile_copy_hashed(path, r->fds[RDIR_BLOBS], &t, h, sha512 ? 2 : 1, &out->len, &r->err);
    if (rc == 0 && (rhash_final(&h[0], out->sha256) != 0 || (sha512 && rhash_final(&h[1], out->sha512) != 0)))
        rc = rrepo_fail(r, RAMPART_ECRYPTO, NULL, "hashing %s failed", path);
    rhash_free(&h[0]);
    rhash_free(&h[1]);
    if (rc == 0) {
        char hex[65];
        rhex_encode(hex, out->sha256, 32);
        rc = rrepo_blobdir(r, out->sha256[0], &subfd);
        int fd = t.fd;
        t.fd = -1;
        if (rc == 0 && close(fd) != 0)
            rc = rrepo_fail(r, RAMPART_EIO, NULL, "cannot close a stored copy: %s", strerror(errno));
        rerr why = {0};
        if (rc == 0 && rfs_rename(r->fds[RDIR_BLOBS], t.name, subfd, hex, &why) != 0)
            rc = rrepo_fail(r, RAMPART_EIO, NULL, "cannot store %s: %s", path, why.message);
        if (rc == 0)
            t.name[0] = '\0';
    }
    rfs_tmp_discard(&t);
    return rc;
}

int rrepo_store(rampart_repo *r, int dirfd, const char *name, const char *path, bool sha512, rbuf *buf,
                rstore_digest *out)
{
    int fd = -1;
    rerr why = {0};
    int orc = rfs_open_read(dirfd, name, &fd, &why);
    if (orc != 0)
        return rrepo_fail(r, orc, NULL, "cannot read %s: %s", path, why.message);
    struct stat st;
    int rc = 0;
    if (fstat(fd, &st) != 0)
        rc = rrepo_fail(r, RAMPART_EIO, NULL, "cannot stat %s: %s", path, strerror(errno));
    else if (!S_ISREG(st.st_mode))
        rc = rrepo_fail(r, RAMPART_EPATH, NULL, "cannot read %s: '%s' is not a regular file", path, path);
    else if ((uint64_t)st.st_size > RSTORE_SMALL)
        rc = RAMPART_ETOOLARGE;
    buf->len = 0;
    if (rc == 0)
        rc = read_all(r, fd, &st, path, buf);
    close(fd);
    if (rc == RAMPART_ETOOLARGE)
        return store_large(r, path, sha512, out);
    int sub = -1;
    if (rc == 0)
        rc = hash_all(r, buf->data, buf->len, sha512, out);
    if (rc == 0)
        rc = rrepo_blobdir(r, out->sha256[0], &sub);
    if (rc == 0) {
        char hex[65];
        rhex_encode(hex, out->sha256, 32);
        rc = put_blob(r, sub, hex, buf->data, buf->len);
    }
    return rc;
}
