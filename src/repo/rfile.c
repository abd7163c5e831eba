/* rfile.c - file operations of the repository tooling (see rfile.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "repo/rfile.h"
#include "util/fs.h"
#include "util/banned.h"

static int sys_err(rerr *e, int code, const char *what, const char *name)
{
    int err = errno;
    return rerr_set(e, code, NULL, "%s '%s': %s", what, name, strerror(err));
}

int rfile_put_nosync(int dirfd, const char *name, const void *data, size_t len, mode_t mode, rerr *e)
{
    rfs_tmp t;
    int rc = rfs_tmp_open(&t, dirfd, mode, e);
    if (rc == 0)
        rc = rfs_tmp_write(&t, data, len, e);
    if (rc == 0) {
        int fd = t.fd;
        t.fd = -1;
        if (close(fd) != 0)
            rc = sys_err(e, RAMPART_EIO, "close of the temporary file for", name);
    }
    if (rc == 0)
        RFS_CRASHPOINT("written (no fsync), before rename");
    if (rc == 0 && renameat(dirfd, t.name, dirfd, name) != 0)
        rc = sys_err(e, RAMPART_EIO, "cannot rename a temporary file to", name);
    if (rc == 0) {
        t.name[0] = '\0';
        RFS_CRASHPOINT("renamed (no fsync)");
    }
    rfs_tmp_discard(&t);
    return rc;
}

int rfile_link_or_copy(int src_dirfd, const char *src, int dst_dirfd, const char *name, rerr *e)
{
    if (linkat(src_dirfd, src, dst_dirfd, name, 0) == 0 || errno == EEXIST)
        return 0;
    if (errno == ENOENT && !rfile_exists_at(src_dirfd, src))
        return rerr_set(e, RAMPART_ENOTFOUND, NULL, "the stored copy %s is missing", src);
    if (errno != EXDEV && errno != EPERM && errno != EMLINK)
        return sys_err(e, RAMPART_EIO, "cannot link", name);
    rbuf b;
    rbuf_init(&b, SIZE_MAX / 2);
    int rc = rfs_read_file(src_dirfd, src, &b, e);
    if (rc == 0)
        rc = rfile_put_nosync(dst_dirfd, name, b.data, b.len, 0644, e);
    rbuf_free(&b);
    return rc;
}

int rfile_sync(int dirfd, rerr *e)
{
    if (syncfs(dirfd) != 0)
        return sys_err(e, RAMPART_EIO, "syncfs", "repository");
    return 0;
}

int rfile_list(int dirfd, int (*fn)(void *ctx, const char *name), void *ctx, rerr *e)
{
    int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return sys_err(e, RAMPART_EIO, "cannot open", "folder");
    DIR *d = fdopendir(fd);
    if (d == NULL) {
        close(fd);
        return sys_err(e, RAMPART_EIO, "cannot read", "folder");
    }
    int rc = 0;
    for (;;) {
        errno = 0;
        struct dirent *ent = readdir(d);
        if (ent == NULL) {
            if (errno != 0)
                rc = sys_err(e, RAMPART_EIO, "cannot read", "folder");
            break;
        }
        const char *n = ent->d_name;
        if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0 || strncmp(n, RFS_TMP_PREFIX, strlen(RFS_TMP_PREFIX)) == 0)
            continue;
        if ((rc = fn(ctx, n)) != 0)
            break;
    }
    closedir(d);
    return rc;
}

int rfile_remove_at(int dirfd, const char *name, rerr *e)
{
    if (unlinkat(dirfd, name, 0) != 0 && errno != ENOENT)
        return sys_err(e, RAMPART_EIO, "cannot remove", name);
    return 0;
}

int rfile_subdir(int dirfd, const char *name, bool create, mode_t mode, int *out, rerr *e)
{
    if (create && mkdirat(dirfd, name, mode) != 0 && errno != EEXIST)
        return sys_err(e, RAMPART_EIO, "cannot create folder", name);
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return rerr_set(e, RAMPART_ENOTFOUND, NULL, "no folder '%s'", name);
        return sys_err(e, errno == ENOTDIR || errno == ELOOP ? RAMPART_EPATH : RAMPART_EIO, "cannot open folder",
                       name);
    }
    *out = fd;
    return 0;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

int rfile_lock(int dirfd, const char *name, unsigned timeout_ms, int *lockfd, rerr *e)
{
    int fd = openat(dirfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return sys_err(e, RAMPART_EIO, "cannot open the lock file", name);
    for (unsigned waited = 0;; waited += 50) {
        if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
            *lockfd = fd;
            return 0;
        }
        if (errno != EWOULDBLOCK && errno != EINTR) {
            int rc = sys_err(e, RAMPART_EIO, "cannot lock", name);
            close(fd);
            return rc;
        }
        if (waited >= timeout_ms) {
            close(fd);
            return rerr_set(e, RAMPART_ELOCKED, NULL,
                            "the repository is locked by another rampart process (lock file %s)", name);
        }
        sleep_ms(50);
    }
}

int rfile_copy_hashed(const char *src, int dstdir, rfs_tmp *t, rhash *h, size_t n, uint64_t *len, rerr *e)
{
    int fd = open(src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return errno == ENOENT ? rerr_set(e, RAMPART_ENOTFOUND, NULL, "no such file: %s", src)
                               : sys_err(e, errno == ELOOP ? RAMPART_EPATH : RAMPART_EIO, "cannot open", src);
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return rerr_set(e, RAMPART_EPATH, NULL, "%s is not a regular file", src);
    }
    int rc = rfs_tmp_open(t, dstdir, 0644, e);
    uint64_t total = 0;
    static const size_t chunk = (size_t)64 * 1024;
    uint8_t *buf = rc == 0 ? rampart_malloc(chunk) : NULL;
    if (rc == 0 && buf == NULL)
        rc = rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    while (rc == 0) {
        ssize_t got = read(fd, buf, chunk);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            rc = sys_err(e, RAMPART_EIO, "cannot read", src);
            break;
        }
        if (got == 0)
            break;
        for (size_t i = 0; i < n && rc == 0; i++)
            if (rhash_update(&h[i], buf, (size_t)got) != 0)
                rc = rerr_set(e, RAMPART_ECRYPTO, NULL, "hashing %s failed", src);
        if (rc == 0)
            rc = rfs_tmp_write(t, buf, (size_t)got, e);
        total += (uint64_t)got;
    }
    rampart_free(buf);
    close(fd);
    if (rc != 0)
        rfs_tmp_discard(t);
    else
        *len = total;
    return rc;
}
