/* fs_at.c - single steps on names below an open folder: opening a file to
 * read, a folder, creating a file that must not exist yet, renaming,
 * linking, making a folder, removing, and streaming a folder's entries with
 * their kinds (see fs.h).  Every open here sets O_CLOEXEC and never follows
 * a symlink at the last component, except rfs_open_read_path(), whose path
 * the operator named. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h> /* renameat */
#include <string.h>
#include <sys/mman.h> /* memfd_create */
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/fs_internal.h"
#include "util/banned.h"

/* rfs_fail(), or rfs_fail_as() when code is not 0, leaving errno as the
 * system call left it (callers may look at it: EXDEV, say). */
static int fail_keep(rerr *e, int code, int err, const char *what, const char *name)
{
    int rc = code != 0 ? rfs_fail_as(e, code, err, what, name) : rfs_fail(e, err, what, name);
    errno = err;
    return rc;
}

int rfs_open_read(int dirfd, const char *name, int *fd, rerr *e)
{
    if (name == NULL || fd == NULL)
        return rerr_set(e, RAMPART_EINVAL, NULL, "rfs_open_read: NULL argument");
    /* O_NONBLOCK: a FIFO planted at the name cannot block the open. */
    *fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    return *fd >= 0 ? 0 : fail_keep(e, 0, errno, "cannot open", name);
}

int rfs_open_read_path(const char *path, int *fd, rerr *e)
{
    if (path == NULL || fd == NULL)
        return rerr_set(e, RAMPART_EINVAL, NULL, "rfs_open_read_path: NULL argument");
    *fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    return *fd >= 0 ? 0 : fail_keep(e, 0, errno, "cannot open", path);
}

int rfs_open_folder(int dirfd, const char *name, int *fd, rerr *e)
{
    if (name == NULL || fd == NULL)
        return rerr_set(e, RAMPART_EINVAL, NULL, "rfs_open_folder: NULL argument");
    *fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    return *fd >= 0 ? 0 : fail_keep(e, 0, errno, "cannot open folder", name);
}

int rfs_create_new(int dirfd, const char *name, mode_t mode, int *fd, rerr *e)
{
    if (name == NULL || fd == NULL || (mode & ~(mode_t)0777) != 0)
        return rerr_set(e, RAMPART_EINVAL, NULL, "rfs_create_new: bad argument");
    *fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (*fd >= 0)
        return 0;
    if (errno == EEXIST)
        return rerr_set(e, RAMPART_EEXIST, NULL, "'%s' already exists", name);
    return fail_keep(e, 0, errno, "cannot create", name);
}

int rfs_create_below(int dirfd, const char *path, mode_t mode, int *fd, rerr *e)
{
    if (path == NULL || fd == NULL || (mode & ~(mode_t)0777) != 0)
        return rerr_set(e, RAMPART_EINVAL, NULL, "rfs_create_below: bad argument");
    *fd = -1;
    if (rfs_confine_check(path, strlen(path), RFS_MAX_DEPTH) != 0)
        return rerr_set(e, RAMPART_EPATH, NULL, "unsafe name '%s'", path);
    /* openat2(2): RESOLVE_BENEATH refuses any step out of dirfd (an
     * absolute path, "..", a magic link), RESOLVE_NO_SYMLINKS any symlink,
     * the last component's included (ELOOP), as O_NOFOLLOW would. */
    struct open_how how = {
        .flags = (uint64_t)(O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC),
        .mode = (uint64_t)mode,
        .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
    };
    long got;
    do
        got = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
    while (got < 0 && errno == EINTR);
    if (got >= 0) {
        *fd = (int)got;
        return 0;
    }
    int err = errno;
    switch (err) {
    case EEXIST:
        return rerr_set(e, RAMPART_EEXIST, NULL, "'%s' already exists", path);
    case ENOSYS: /* before Linux 5.6 */
    case EPERM:  /* a seccomp filter that does not know it */
    case E2BIG:  /* a struct open_how the kernel does not know */
        return fail_keep(e, RAMPART_EUNSUPPORTED, err, "cannot create (openat2)", path);
    case ELOOP: /* a symlink on the way */
    case EXDEV: /* a step out of dirfd */
    case ENOTDIR:
        return fail_keep(e, RAMPART_EPATH, err, "cannot create", path);
    default:
        return fail_keep(e, 0, err, "cannot create", path);
    }
}

int rfs_rename(int fromdir, const char *from, int todir, const char *to, rerr *e)
{
    if (from == NULL || to == NULL)
        return rerr_set(e, RAMPART_EINVAL, NULL, "rfs_rename: NULL argument");
    return renameat(fromdir, from, todir, to) == 0 ? 0 : fail_keep(e, RAMPART_EIO, errno, "cannot rename", from);
}

int rfs_link(int fromdir, const char *from, int todir, const char *to, rerr *e)
{
    if (from == NULL || to == NULL)
        return rerr_set(e, RAMPART_EINVAL, NULL, "rfs_link: NULL argument");
    return linkat(fromdir, from, todir, to, 0) == 0 ? 0 : fail_keep(e, 0, errno, "cannot link", from);
}

int rfs_mkdir(int dirfd, const char *name, mode_t mode, rerr *e)
{
    if (name == NULL || (mode & ~(mode_t)0777) != 0)
        return rerr_set(e, RAMPART_EINVAL, NULL, "rfs_mkdir: bad argument");
    return mkdirat(dirfd, name, mode) == 0 ? 0 : fail_keep(e, 0, errno, "cannot create folder", name);
}

void rfs_unlink_quiet(int dirfd, const char *name)
{
    int saved = errno;
    if (name != NULL)
        (void)unlinkat(dirfd, name, 0);
    errno = saved;
}

struct rfs_dir {
    DIR *d;
};

int rfs_dir_open(int fd, rfs_dir **out, rerr *e)
{
    if (out == NULL) {
        rfs_close_quietly(fd);
        return rerr_set(e, RAMPART_EINVAL, NULL, "rfs_dir_open: NULL argument");
    }
    *out = NULL;
    rfs_dir *dir = rampart_malloc(sizeof(*dir));
    if (dir == NULL) {
        rfs_close_quietly(fd);
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    }
    dir->d = fdopendir(fd);
    if (dir->d == NULL) {
        int rc = rfs_fail_as(e, RAMPART_EIO, errno, "cannot read a folder", NULL);
        rfs_close_quietly(fd);
        rampart_free(dir);
        return rc;
    }
    *out = dir;
    return 0;
}

int rfs_dir_next(rfs_dir *dir, const char **name, size_t *len, rfs_kind *kind, rerr *e)
{
    for (;;) {
        errno = 0;
        struct dirent *ent = readdir(dir->d);
        if (ent == NULL)
            return errno == 0 ? 0 : rfs_fail_as(e, RAMPART_EIO, errno, "cannot read a folder", NULL);
        if (strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0)
            continue;
        switch (ent->d_type) {
        case DT_REG:
            *kind = RFS_KIND_FILE;
            break;
        case DT_DIR:
            *kind = RFS_KIND_FOLDER;
            break;
        case DT_UNKNOWN:
            *kind = RFS_KIND_UNKNOWN;
            break;
        default:
            *kind = RFS_KIND_OTHER;
            break;
        }
        *name = ent->d_name;
        *len = strlen(ent->d_name);
        return 1;
    }
}

int rfs_dir_fd(const rfs_dir *dir)
{
    return dirfd(dir->d);
}

void rfs_dir_close(rfs_dir *dir)
{
    if (dir == NULL)
        return;
    closedir(dir->d);
    rampart_free(dir);
}

int rfs_memfile(const char *label, const void *data, size_t len, int *fd, rerr *e)
{
    *fd = -1;
    int m = memfd_create(label, MFD_CLOEXEC);
    if (m < 0)
        return rfs_fail_as(e, RAMPART_EIO, errno, "cannot make an in-memory file", label);
    int rc = rfs_write_all(m, data, len, e);
    if (rc == 0 && lseek(m, 0, SEEK_SET) != 0)
        rc = rfs_fail_as(e, RAMPART_EIO, errno, "cannot rewind the in-memory file", label);
    if (rc != 0) {
        (void)close(m); /* never visible anywhere: nothing to lose */
        return rc;
    }
    *fd = m;
    return 0;
}
