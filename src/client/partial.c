/* partial.c - the bytes of interrupted target downloads (see partial.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/partial.h"
#include "crypto/hash.h"
#include "util/codec.h"
#include "util/banned.h"

/* SHA-256 over the path, the length and every hash: another version of the
 * same path (or a path that only looks alike) gets another name. */
static int partial_name(const rampart_target *t, char out[72])
{
    rbuf b;
    rbuf_init(&b, SIZE_MAX);
    int rc = rbuf_append_str(&b, t->path);
    if (rc == 0)
        rc = rbuf_append_byte(&b, 0);
    if (rc == 0)
        rc = rbuf_appendf(&b, "%llu", (unsigned long long)t->length);
    for (size_t i = 0; rc == 0 && i < t->nhashes; i++) {
        rc = rbuf_append_byte(&b, 0);
        if (rc == 0)
            rc = rbuf_appendf(&b, "%s:%s", t->alg[i], t->hex[i]);
    }
    uint8_t d[RHASH_MAX_LEN];
    if (rc == 0)
        rc = rhash_digest(RHASH_SHA256, b.data, b.len, d);
    rbuf_free(&b);
    if (rc != 0)
        return rc;
    rhex_encode(out, d, 32);
    memcpy(out + 64, ".part", 6);
    return 0;
}

int rpartial_open(rpartial *p, rampart_client *c, const rampart_target *t, bool create)
{
    p->dirfd = -1;
    p->size = 0;
    p->name[0] = '\0';
    int mfd = -1;
    int rc = partial_name(t, p->name);
    if (rc != 0) {
        p->name[0] = '\0';
        return rc == RAMPART_ENOMEM ? rc : 0;
    }
    if (rfs_open_dir(c->metadata_dir, false, true, &mfd, NULL) != 0)
        return 0;
    if (rfs_open_subdir(mfd, RPARTIAL_DIR, create, 0700, &p->dirfd, NULL) != 0)
        p->dirfd = -1;
    close(mfd);
    struct stat sb;
    if (p->dirfd < 0 || fstatat(p->dirfd, p->name, &sb, AT_SYMLINK_NOFOLLOW) != 0)
        return 0;
    /* Bounded by the signed length: a file as long or longer cannot be the
     * beginning of the target (nothing is left to ask for) and is dropped. */
    if (!S_ISREG(sb.st_mode) || (uint64_t)sb.st_size >= t->length) {
        rpartial_remove(p);
        return 0;
    }
    p->size = (uint64_t)sb.st_size;
    return 0;
}

int rpartial_read(rpartial *p, uint64_t n, int (*fn)(void *ctx, const uint8_t *b, size_t n), void *ctx)
{
    int fd = -1;
    if (rfs_open_read(p->dirfd, p->name, &fd, NULL) != 0)
        return RAMPART_EIO;
    uint8_t *buf = rampart_malloc(1 << 16);
    int rc = buf != NULL ? 0 : RAMPART_ENOMEM;
    struct stat sb;
    if (rc == 0 && (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)))
        rc = RAMPART_EIO;
    uint64_t left = n;
    while (rc == 0 && left > 0) {
        ssize_t r = read(fd, buf, left < (1 << 16) ? (size_t)left : (1 << 16));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            rc = RAMPART_EIO; /* shorter than it was: taken from the start instead */
            break;
        }
        left -= (uint64_t)r;
        rc = fn(ctx, buf, (size_t)r);
    }
    rampart_free(buf);
    close(fd);
    return rc;
}

void rpartial_save(rpartial *p, rampart_client *c, rfs_tmp *tmp, int tmpdir, uint64_t n)
{
    if (p->dirfd < 0 || p->name[0] == '\0' || tmp->fd < 0) {
        rfs_tmp_discard(tmp);
        return;
    }
    /* The temporary file holds exactly the bytes received so far. */
    struct stat sb;
    if (fstat(tmp->fd, &sb) != 0 || (uint64_t)sb.st_size != n) {
        rfs_tmp_discard(tmp);
        return;
    }
    close(tmp->fd);
    tmp->fd = -1;
    if (rfs_rename(tmpdir, tmp->name, p->dirfd, p->name, NULL) == 0) {
        tmp->name[0] = '\0';
        rclient_log(c, RAMPART_LOG_INFO, "kept %llu bytes for a resumed download", (unsigned long long)n);
        return;
    }
    if (errno == EXDEV) { /* rfs_rename keeps the errno of rename(2) */
        /* The metadata folder is on another file system: copy. */
        rfs_tmp cp = {.fd = -1};
        uint64_t len = 0;
        if (rfs_copy_to_tmp(tmpdir, tmp->name, p->dirfd, 0600, NULL, NULL, &cp, &len, NULL) == 0) {
            cp.lazy = true;
            if (len != n || rfs_tmp_commit(&cp, p->name, NULL) != 0)
                rfs_tmp_discard(&cp);
        }
    }
    rfs_unlink_quiet(tmpdir, tmp->name);
    tmp->name[0] = '\0';
}

void rpartial_remove(rpartial *p)
{
    if (p->dirfd >= 0 && p->name[0] != '\0')
        rfs_unlink_quiet(p->dirfd, p->name);
    p->size = 0;
}

void rpartial_close(rpartial *p)
{
    if (p->dirfd >= 0)
        close(p->dirfd);
    p->dirfd = -1;
}
