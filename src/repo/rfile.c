/* rfile.c - file operations of the repository tooling (see rfile.h). */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "repo/rfile.h"
#include "util/banned.h"

int rfile_link_or_copy(int src_dirfd, const char *src, int dst_dirfd, const char *name, rerr *e)
{
    if (linkat(src_dirfd, src, dst_dirfd, name, 0) == 0 || errno == EEXIST)
        return 0;
    int err = errno;
    if (err == ENOENT && !rfs_exists_at(src_dirfd, src))
        return rerr_set(e, RAMPART_ENOTFOUND, NULL, "the stored copy %s is missing", src);
    if (err != EXDEV && err != EPERM && err != EMLINK)
        return rfs_fail_as(e, RAMPART_EIO, err, "cannot link", name);
    rbuf b;
    rbuf_init(&b, SIZE_MAX / 2);
    int rc = rfs_read_file(src_dirfd, src, &b, e);
    if (rc == 0)
        rc = rfs_write_nosync(dst_dirfd, name, b.data, b.len, 0644, e);
    rbuf_free(&b);
    return rc;
}

typedef struct {
    rhash *h;
    size_t n;
    const char *src;
} hashing;

static int hash_chunk(void *ctx, const uint8_t *chunk, size_t len, rerr *e)
{
    const hashing *x = ctx;
    for (size_t i = 0; i < x->n; i++)
        if (rhash_update(&x->h[i], chunk, len) != 0)
            return rerr_set(e, RAMPART_ECRYPTO, NULL, "hashing %s failed", x->src);
    return 0;
}

int rfile_copy_hashed(const char *src, int dstdir, rfs_tmp *t, rhash *h, size_t n, uint64_t *len, rerr *e)
{
    hashing x = {h, n, src};
    return rfs_copy_to_tmp(AT_FDCWD, src, dstdir, 0644, hash_chunk, &x, t, len, e);
}
