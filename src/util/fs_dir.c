/* fs_dir.c - folder listings, removals and crash leftovers (see fs.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/fs_internal.h"
#include "util/banned.h"

static bool is_tmp_name(const char *name)
{
    return strncmp(name, RFS_TMP_PREFIX, RFS_TMP_PREFIX_LEN) == 0;
}

/* Calls fn(ctx, name) for every entry of folder `dirfd` but "." and "..",
 * read through a duplicate of dirfd from the start; stops at the first
 * non-zero return of fn.  `what` opens the messages of listing failures. */
static int walk(int dirfd, const char *what, int (*fn)(void *ctx, const char *name), void *ctx, rerr *e)
{
    int dup_fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
    if (dup_fd < 0)
        return rfs_fail_as(e, RAMPART_EIO, errno, what, NULL);
    DIR *d = fdopendir(dup_fd);
    if (d == NULL) {
        int rc = rfs_fail_as(e, RAMPART_EIO, errno, what, NULL);
        rfs_close_quietly(dup_fd);
        return rc;
    }
    /* The duplicate shares its offset with dirfd, which an earlier listing
     * may have left at the end. */
    rewinddir(d);
    int rc = 0;
    for (;;) {
        errno = 0;
        struct dirent *ent = readdir(d);
        if (ent == NULL) {
            if (errno != 0)
                rc = rfs_fail_as(e, RAMPART_EIO, errno, what, NULL);
            break;
        }
        const char *n = ent->d_name;
        if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
            continue;
        if ((rc = fn(ctx, n)) != 0)
            break;
    }
    if (closedir(d) != 0 && rc == 0)
        rc = rfs_fail_as(e, RAMPART_EIO, errno, "cannot close the folder listing", NULL);
    return rc;
}

/* ---- listings ----------------------------------------------------------------- */

typedef struct {
    int (*fn)(void *ctx, const char *name);
    void *ctx;
} list_ctx;

static int list_one(void *ctx, const char *name)
{
    const list_ctx *l = ctx;
    return is_tmp_name(name) ? 0 : l->fn(l->ctx, name);
}

int rfs_list(int dirfd, int (*fn)(void *ctx, const char *name), void *ctx, rerr *e)
{
    if (fn == NULL)
        return rerr_set(e, RAMPART_EINVAL, NULL, "missing argument");
    list_ctx l = {fn, ctx};
    return walk(dirfd, "cannot list the folder", list_one, &l, e);
}

int rfs_remove_at(int dirfd, const char *name, rerr *e)
{
    if (name == NULL)
        return rerr_set(e, RAMPART_EINVAL, NULL, "missing argument");
    if (unlinkat(dirfd, name, 0) != 0 && errno != ENOENT)
        return rfs_fail_as(e, RAMPART_EIO, errno, "cannot remove", name);
    return 0;
}

/* ---- crash leftovers --------------------------------------------------------- */

typedef struct {
    int dirfd;
    unsigned min_age_s;
    time_t now;
    int rc;   /* the first error */
    rerr err; /* its detail */
} stale_ctx;

static int remove_if_stale(void *ctx, const char *name)
{
    stale_ctx *s = ctx;
    if (!is_tmp_name(name))
        return 0;
    struct stat st;
    if (fstatat(s->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno != ENOENT && s->rc == 0) /* ENOENT: gone meanwhile */
            s->rc = rfs_fail_as(&s->err, RAMPART_EIO, errno, "cannot inspect", name);
        return 0;
    }
    if (!S_ISREG(st.st_mode))
        return 0;
    /* A file still being written by another process is recent. */
    if (s->min_age_s > 0 && s->now - st.st_mtime < (time_t)s->min_age_s)
        return 0;
    if (unlinkat(s->dirfd, name, 0) != 0 && errno != ENOENT && s->rc == 0)
        s->rc = rfs_fail_as(&s->err, RAMPART_EIO, errno, "cannot remove stale temporary file", name);
    return 0; /* goes on after a failure */
}

int rfs_remove_stale_tmp(int dirfd, unsigned min_age_s, rerr *e)
{
    stale_ctx s = {.dirfd = dirfd, .min_age_s = min_age_s, .now = time(NULL)};
    int rc = walk(dirfd, "cannot list the folder for stale temporary files", remove_if_stale, &s, e);
    if (s.rc == 0)
        return rc;
    if (e != NULL)
        *e = s.err; /* the first error wins */
    return s.rc;
}
