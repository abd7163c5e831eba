/* rfile.c - file operations of the repository tooling (see rfile.h). */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "repo/rfile.h"
#include "util/banned.h"

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
