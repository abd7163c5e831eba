/* fs_path.c - confined names and folder walks (see fs.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fs_internal.h"
#include "util/banned.h"

void rfs_close_quietly(int fd)
{
    if (fd >= 0)
        (void)close(fd);
}

/* ---- confinement ----------------------------------------------------------- */

int rfs_confine_check(const char *name, size_t n, unsigned max_depth)
{
    if (name == NULL)
        return RAMPART_EINVAL;
    if (n == 0 || n >= PATH_MAX)
        return RAMPART_EPATH;
    unsigned depth = 0;
    size_t start = 0;
    /* One pass; a component ends at each '/' and at the end of the name. */
    for (size_t i = 0; i <= n; i++) {
        if (i < n) {
            unsigned char c = (unsigned char)name[i];
            if (c < 0x20 || c == 0x7f || c == '\\')
                return RAMPART_EPATH; /* NUL, controls, DEL, backslash */
            if (c != '/')
                continue;
        }
        size_t len = i - start;
        const char *comp = name + start;
        if (len == 0 || len > NAME_MAX)
            return RAMPART_EPATH; /* leading '/', "//", trailing '/' */
        if ((len == 1 && comp[0] == '.') || (len == 2 && comp[0] == '.' && comp[1] == '.'))
            return RAMPART_EPATH;
        if (++depth > max_depth)
            return RAMPART_EPATH;
        start = i + 1;
    }
    return 0;
}

/* ---- folder walks ------------------------------------------------------------- */

/* See fs_internal.h. */
int rfs_open_component(int at, const char *comp, bool create, mode_t mode, bool follow, int *out, rerr *e)
{
    const int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW);
    int fd = openat(at, comp, flags);
    if (fd < 0 && errno == ENOENT && create) {
        /* EEXIST: someone made it meanwhile; the O_NOFOLLOW open below still
         * refuses it if that someone made a symlink. */
        if (mkdirat(at, comp, mode) != 0 && errno != EEXIST)
            return rfs_fail_as(e, RAMPART_EIO, errno, "cannot create folder", comp);
        fd = openat(at, comp, flags);
    }
    if (fd < 0)
        return rfs_fail(e, errno, "cannot open folder", comp);
    *out = fd;
    return 0;
}

/* Copies the component at p (ending at '/' or NUL) into buf; its length in *len. */
static int next_component(const char *p, char buf[NAME_MAX + 1], size_t *len, rerr *e)
{
    size_t n = strcspn(p, "/");
    if (n > NAME_MAX)
        return rerr_set(e, RAMPART_EPATH, NULL, "path component longer than %d bytes", NAME_MAX);
    memcpy(buf, p, n);
    buf[n] = '\0';
    *len = n;
    return 0;
}

int rfs_open_dir(const char *path, bool create, bool private_dir, int *fd, rerr *e)
{
    if (path == NULL || path[0] == '\0' || fd == NULL)
        return rerr_set(e, RAMPART_EINVAL, NULL, "no folder path given");
    if (strlen(path) >= PATH_MAX)
        return rerr_set(e, RAMPART_EPATH, NULL, "folder path too long");
    const mode_t mode = private_dir ? 0700 : 0755;
    int cur = open(path[0] == '/' ? "/" : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (cur < 0)
        return rfs_fail_as(e, RAMPART_EIO, errno, "cannot open folder", path[0] == '/' ? "/" : ".");
    int rc = 0;
    char comp[NAME_MAX + 1];
    for (const char *p = path; *p != '\0';) {
        size_t len = 0;
        rc = next_component(p, comp, &len, e);
        if (rc != 0)
            break;
        p += len;
        if (*p == '/')
            p++;
        if (len == 0 || strcmp(comp, ".") == 0)
            continue;
        int next = -1;
        rc = rfs_open_component(cur, comp, create, mode, true, &next, e);
        if (rc != 0)
            break;
        rfs_close_quietly(cur);
        cur = next;
    }
    if (rc != 0) {
        rfs_close_quietly(cur);
        return rc;
    }
    *fd = cur;
    return 0;
}

int rfs_open_parent(int dirfd, const char *name, bool create, int *parent_fd, const char **base, rerr *e)
{
    /* Literal codes, not rerr_set's result, so that analysers see that no
     * path returns 0 without setting the outputs. */
    if (name == NULL || parent_fd == NULL || base == NULL) {
        rerr_set(e, RAMPART_EINVAL, NULL, "missing argument");
        return RAMPART_EINVAL;
    }
    if (rfs_confine_check(name, strlen(name), RFS_MAX_DEPTH) != 0) {
        rerr_set(e, RAMPART_EPATH, NULL, "unsafe name '%s'", name);
        return RAMPART_EPATH;
    }
    int cur = -1; /* owned once the first folder is opened */
    int rc = 0;
    const char *p = name;
    char comp[NAME_MAX + 1];
    /* The confine check guarantees non-empty components, the last without '/'. */
    for (const char *slash; (slash = strchr(p, '/')) != NULL; p = slash + 1) {
        size_t len = 0;
        rc = next_component(p, comp, &len, e);
        if (rc != 0)
            break;
        int next = -1;
        rc = rfs_open_component(cur >= 0 ? cur : dirfd, comp, create, 0755, false, &next, e);
        if (rc != 0)
            break;
        rfs_close_quietly(cur);
        cur = next;
    }
    if (rc == 0 && cur < 0) {
        /* A one-component name: the parent is dirfd itself; hand out a
         * duplicate so the caller always owns what it gets. */
        cur = dirfd == AT_FDCWD ? open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC) : fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
        if (cur < 0)
            rc = rfs_fail_as(e, RAMPART_EIO, errno, "cannot open the folder of", name);
    }
    if (rc != 0) {
        rfs_close_quietly(cur);
        return rc;
    }
    *parent_fd = cur;
    *base = p;
    return 0;
}

int rfs_open_subdir(int dirfd, const char *name, bool create, mode_t mode, int *fd, rerr *e)
{
    if (name == NULL || fd == NULL)
        return rerr_set(e, RAMPART_EINVAL, NULL, "missing argument");
    if (rfs_confine_check(name, strlen(name), 1) != 0)
        return rerr_set(e, RAMPART_EPATH, NULL, "unsafe folder name '%s'", name);
    return rfs_open_component(dirfd, name, create, mode, false, fd, e);
}

bool rfs_exists_at(int dirfd, const char *name)
{
    struct stat st;
    return name != NULL && fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}
