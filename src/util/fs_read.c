/* fs_read.c - bounded reads of whole files, and copies into temporary files (see fs.h). */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fs_internal.h"
#include "util/banned.h"

#define READ_CHUNK ((size_t)64 << 10)
#define COPY_CHUNK ((size_t)64 << 10)

/* ---- bounded reads ----------------------------------------------------------- */

/* Reads fd to its end, appending to out, never past out->max. */
static int read_bounded(int fd, rbuf *out, const char *name, rerr *e)
{
    uint8_t probe[4096];
    for (;;) {
        size_t left = out->max - out->len;                                   /* what the cap still allows */
        size_t room = out->cap > out->len + 1 ? out->cap - 1 - out->len : 0; /* reserved, not yet filled */
        uint8_t *dst = probe;
        size_t want;
        if (left == 0) {
            want = 1; /* at the cap: a single byte more is too many */
        } else if (room > 0) {
            dst = out->data + out->len; /* the announced size: one read fills it */
            want = left < room ? left : room;
        } else if (out->cap > 0) {
            /* The announced size is in: more is looked for through a small
             * buffer, so that finding the end does not double the buffer. */
            want = left < sizeof(probe) ? left : sizeof(probe);
        } else {
            want = left < READ_CHUNK ? left : READ_CHUNK; /* no size announced: grow a chunk at a time */
            int rc = rbuf_reserve(out, want);
            if (rc != 0)
                return rerr_set(e, rc, NULL, "cannot read '%s': out of memory", name);
            dst = out->data + out->len;
        }
        ssize_t r = read(fd, dst, want);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return rfs_fail_as(e, RAMPART_EIO, errno, "cannot read", name);
        if (r == 0)
            return 0;
        if (left == 0)
            return rerr_set(e, RAMPART_ETOOLARGE, NULL, "'%s' is larger than %zu bytes", name, out->max);
        if (dst == probe) { /* the file grew past its announced size: keep reading */
            int rc = rbuf_append(out, probe, (size_t)r);
            if (rc != 0)
                return rerr_set(e, rc, NULL, "cannot read '%s': out of memory", name);
            continue;
        }
        out->len += (size_t)r;
        out->data[out->len] = '\0';
    }
}

/* See fs_internal.h. */
int rfs_open_regular(int dirfd, const char *name, int *fd, struct stat *st, rerr *e)
{
    if (name == NULL)
        return rerr_set(e, RAMPART_EINVAL, NULL, "missing argument");
    const int flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;
    int f;
    if (dirfd == AT_FDCWD) {
        f = open(name, flags);
    } else {
        int pfd = -1;
        const char *base = NULL;
        int rc = rfs_open_parent(dirfd, name, false, &pfd, &base, e);
        if (rc != 0)
            return rc;
        f = openat(pfd, base, flags);
        int err = errno;
        rfs_close_quietly(pfd);
        errno = err;
    }
    if (f < 0)
        return rfs_fail(e, errno, "cannot open", name);
    int rc = 0;
    if (fstat(f, st) != 0)
        rc = rfs_fail_as(e, RAMPART_EIO, errno, "cannot stat", name);
    else if (!S_ISREG(st->st_mode))
        rc = rerr_set(e, RAMPART_EPATH, NULL, "'%s' is not a regular file", name);
    if (rc != 0) {
        rfs_close_quietly(f);
        return rc;
    }
    *fd = f;
    return 0;
}

/* A file that says what to trust must not be one that another user can
 * change: not writable by group or others, owned by root or by the user
 * running us (docs/security-matrix.md S74).  Judged on the open file, so a
 * swap after the check changes nothing. */
static int check_private(const struct stat *st, const char *name, rerr *e)
{
    if ((st->st_mode & (S_IWGRP | S_IWOTH)) != 0)
        return rerr_set(e, RAMPART_EPATH, NULL,
                        "'%s' is writable by other users (mode %04o): a file of security settings must be "
                        "writable by its owner only (chmod go-w)",
                        name, (unsigned)(st->st_mode & 07777));
    if (st->st_uid != 0 && st->st_uid != geteuid())
        return rerr_set(e, RAMPART_EPATH, NULL,
                        "'%s' belongs to another user (uid %u): a file of security settings must belong to root "
                        "or to the user running rampart",
                        name, (unsigned)st->st_uid);
    return 0;
}

static int read_file(int dirfd, const char *name, bool private_only, rbuf *out, rerr *e)
{
    if (name == NULL || out == NULL)
        return rerr_set(e, RAMPART_EINVAL, NULL, "missing argument");
    int fd = -1;
    struct stat st;
    int rc = rfs_open_regular(dirfd, name, &fd, &st, e);
    if (rc != 0)
        return rc;
    const size_t orig = out->len;
    if (private_only && (rc = check_private(&st, name, e)) != 0) {
        /* refused before a byte is read */
    } else if (st.st_size < 0 || (uintmax_t)st.st_size > out->max - out->len) {
        rc = rerr_set(e, RAMPART_ETOOLARGE, NULL, "'%s' is larger than %zu bytes", name, out->max);
    } else if (st.st_size > 0 && rbuf_reserve(out, (size_t)st.st_size) != 0) {
        /* Room for the announced size at once; read_bounded still enforces the cap. */
        rc = rerr_set(e, RAMPART_ENOMEM, NULL, "cannot read '%s': out of memory", name);
    } else {
        if (out->len == 0)
            rampart_advise_huge(out->data, out->cap); /* a fresh buffer of many MiB: fewer page faults */
        rc = read_bounded(fd, out, name, e);
    }
    if (close(fd) != 0 && rc == 0)
        rc = rfs_fail_as(e, RAMPART_EIO, errno, "cannot close", name);
    if (rc != 0 && out->data != NULL) {
        out->len = orig; /* leave out as it was */
        out->data[orig] = '\0';
    }
    return rc;
}

int rfs_read_file(int dirfd, const char *name, rbuf *out, rerr *e)
{
    return read_file(dirfd, name, false, out, e);
}

int rfs_read_private_file(const char *path, rbuf *out, rerr *e)
{
    return read_file(AT_FDCWD, path, true, out, e);
}

/* ---- copies ------------------------------------------------------------------- */

/* Reads fd to its end into temporary file t through fn; *total counts the bytes. */
static int copy_fd(int fd, const char *name, rfs_tmp *t, int (*fn)(void *ctx, const uint8_t *chunk, size_t n, rerr *e),
                   void *ctx, uint64_t *total, rerr *e)
{
    uint8_t *buf = rampart_malloc(COPY_CHUNK);
    if (buf == NULL)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    int rc = 0;
    while (rc == 0) {
        ssize_t got = read(fd, buf, COPY_CHUNK);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            rc = rfs_fail_as(e, RAMPART_EIO, errno, "cannot read", name);
            break;
        }
        if (got == 0)
            break;
        if (fn != NULL)
            rc = fn(ctx, buf, (size_t)got, e);
        if (rc == 0)
            rc = rfs_tmp_write(t, buf, (size_t)got, e);
        *total += (uint64_t)got;
    }
    rampart_free(buf);
    return rc;
}

int rfs_copy_to_tmp(int dirfd, const char *name, int dstdir, mode_t mode,
                    int (*fn)(void *ctx, const uint8_t *chunk, size_t n, rerr *e), void *ctx, rfs_tmp *t, uint64_t *len,
                    rerr *e)
{
    if (t == NULL || len == NULL)
        return rerr_set(e, RAMPART_EINVAL, NULL, "missing argument");
    *t = (rfs_tmp){.dirfd = dstdir, .fd = -1, .name = ""};
    int fd = -1;
    struct stat st;
    int rc = rfs_open_regular(dirfd, name, &fd, &st, e);
    if (rc != 0)
        return rc;
    uint64_t total = 0;
    rc = rfs_tmp_open(t, dstdir, mode, e);
    if (rc == 0)
        rc = copy_fd(fd, name, t, fn, ctx, &total, e);
    rfs_close_quietly(fd); /* read in full: nothing to lose */
    if (rc != 0) {
        rfs_tmp_discard(t);
        return rc;
    }
    *len = total;
    return 0;
}
