/* fs_trusted.c - whole files at trusted paths (see fs_trusted.h). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fs.h"
#include "util/fs_trusted.h"
#include "util/banned.h"

static int sys_err(rerr *e, int code, const char *what, const char *name)
{
    int err = errno;
    return rerr_set(e, code, NULL, "%s '%s': %s", what, name, strerror(err));
}

int rfile_read(const char *path, rbuf *out, rerr *e)
{
    int rc = rfs_read_file(AT_FDCWD, path, out, e);
    if (rc == RAMPART_ENOTFOUND)
        return rerr_set(e, rc, NULL, "no such file: %s", path);
    return rc;
}

/* Splits a trusted path into an open folder and its last component. */
static int open_parent(const char *path, int *dirfd, const char **base, rerr *e)
{
    const char *slash = strrchr(path, '/');
    *base = slash != NULL ? slash + 1 : path;
    if (**base == '\0' || rfs_confine_check(*base, strlen(*base), 1) != 0)
        return rerr_set(e, RAMPART_EPATH, NULL, "not a file name: %s", path);
    if (slash == NULL)
        return rfs_open_dir(".", false, false, dirfd, e);
    if (slash == path)
        return rfs_open_dir("/", false, false, dirfd, e);
    char *dir = rampart_strndup(path, (size_t)(slash - path));
    if (dir == NULL)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    int rc = rfs_open_dir(dir, false, false, dirfd, e);
    rampart_free(dir);
    return rc;
}

int rfile_create_at(int dirfd, const char *name, const void *data, size_t len, mode_t mode, rerr *e)
{
    if (rfs_confine_check(name, strlen(name), 1) != 0)
        return rerr_set(e, RAMPART_EPATH, NULL, "not a file name: %s", name);
    if (rfile_exists_at(dirfd, name))
        return rerr_set(e, RAMPART_EEXIST, NULL, "%s already exists (refusing to overwrite it)", name);
    rfs_tmp t;
    int rc = rfs_tmp_open(&t, dirfd, mode, e);
    if (rc == 0)
        rc = rfs_tmp_write(&t, data, len, e);
    if (rc == 0 && fsync(t.fd) != 0)
        rc = sys_err(e, RAMPART_EIO, "fsync of the new file", name);
    if (rc == 0)
        RFS_CRASHPOINT("fsynced, before link");
    /* link(2) never replaces: a file that appeared meanwhile is kept. */
    if (rc == 0 && linkat(dirfd, t.name, dirfd, name, 0) != 0)
        rc = errno == EEXIST ? rerr_set(e, RAMPART_EEXIST, NULL, "%s already exists (refusing to overwrite it)", name)
                             : sys_err(e, RAMPART_EIO, "cannot create", name);
    rfs_tmp_discard(&t);
    if (rc == 0)
        RFS_CRASHPOINT("linked, before folder fsync");
    if (rc == 0 && fsync(dirfd) != 0)
        rc = sys_err(e, RAMPART_EIO, "fsync of the folder of", name);
    return rc;
}

int rfile_create(const char *path, const void *data, size_t len, mode_t mode, rerr *e)
{
    int dirfd;
    const char *base;
    int rc = open_parent(path, &dirfd, &base, e);
    if (rc != 0)
        return rc;
    rc = rfile_create_at(dirfd, base, data, len, mode, e);
    if (rc == RAMPART_EEXIST)
        rc = rerr_set(e, rc, NULL, "%s already exists (refusing to overwrite it)", path);
    close(dirfd);
    return rc;
}

int rfile_replace(const char *path, const void *data, size_t len, mode_t mode, rerr *e)
{
    int dirfd;
    const char *base;
    int rc = open_parent(path, &dirfd, &base, e);
    if (rc != 0)
        return rc;
    rc = rfs_write_atomic(dirfd, base, data, len, mode, e);
    close(dirfd);
    return rc;
}

bool rfile_exists_at(int dirfd, const char *name)
{
    struct stat st;
    return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}
