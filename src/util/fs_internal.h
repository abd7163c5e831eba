/*
 * fs_internal.h - what the parts of util/fs (fs_errno.c, fs_path.c,
 * fs_read.c, fs_write.c, fs_dir.c, fs_lock.c) share and nobody else uses.
 */
#ifndef RAMPART_UTIL_FS_INTERNAL_H
#define RAMPART_UTIL_FS_INTERNAL_H

#include <sys/stat.h>

#include "util/fs.h"

#define RFS_TMP_PREFIX_LEN (sizeof(RFS_TMP_PREFIX) - 1)

/* fsync, counted in test builds (rfs_fsync_count, fs.h; fs_write.c). */
#ifdef RAMPART_CRASHPOINTS
int rfs_counted_fsync(int fd);
#define RFS_FSYNC(fd) rfs_counted_fsync(fd)
#else
#define RFS_FSYNC(fd) fsync(fd)
#endif

/* Closes an fd we only read from (a folder, a file already read in full).
 * Linux releases the fd even when close reports an error, and no data can
 * be lost, so there is nothing to act on. */
void rfs_close_quietly(int fd);

/* Opens folder `comp` (one component, not checked here) below `at`, without
 * following a symlink unless `follow`, creating it first with `mode` if it
 * is missing and `create` (a concurrent creation is accepted).  Errors as
 * rfs_fail(): ENOTFOUND, EPATH, EIO. */
int rfs_open_component(int at, const char *comp, bool create, mode_t mode, bool follow, int *out,
                       rerr *e) RAMPART_MUST_USE;

/* Opens the regular file `name` for reading as rfs_read_file() does (the
 * same rules for dirfd and name, O_NOFOLLOW, O_NONBLOCK) and checks that it
 * is a regular file; *fd gets the open fd, *st its fstat.  Errors: EPATH,
 * ENOTFOUND, EIO, EINVAL. */
int rfs_open_regular(int dirfd, const char *name, int *fd, struct stat *st, rerr *e) RAMPART_MUST_USE;

#endif
