/*
 * fs.h - the one owner of file-system access in librampart.
 *
 * Writes are atomic: data goes to a fresh temporary file in the destination
 * folder, which is fsynced, renamed over the final name, and the folder is
 * fsynced, so a crash leaves either the old or the new file, never a torn
 * one.  Every open uses O_CLOEXEC, and O_NOFOLLOW where a name is ours.
 *
 * Names from untrusted sources go through rfs_confine_check() and are opened
 * with the *at() functions below, which walk one component at a time with
 * O_NOFOLLOW, so a relative name can only resolve inside its folder.
 */
#ifndef RAMPART_UTIL_FS_H
#define RAMPART_UTIL_FS_H

#include <sys/types.h>

#include "util/buf.h"

/* Prefix of every temporary file this module creates (".rampart-tmp-"),
 * so interrupted writes can be recognised and cleaned up. */
#define RFS_TMP_PREFIX ".rampart-tmp-"

/* Checks that `name` (n bytes) is a safe relative path: non-empty, not
 * absolute, no NUL or backslash or control bytes, no empty, "." or ".."
 * components, and at most `max_depth` components.  EPATH otherwise. */
int rfs_confine_check(const char *name, size_t n, unsigned max_depth) RAMPART_MUST_USE;

/* Opens folder `path` (O_DIRECTORY|O_CLOEXEC; O_NOFOLLOW on the last
 * component only when `nofollow`), creating it with mode 0755 (or 0700 when
 * `private_dir`) first when `create` is set.  Returns the fd in *fd. */
int rfs_open_dir(const char *path, bool create, bool private_dir, int *fd) RAMPART_MUST_USE;

/* Opens the parent folder of confined relative name `name` below `dirfd`,
 * walking each component with O_NOFOLLOW (a symlinked component is EPATH),
 * creating missing folders when `create`.  Stores the parent's fd in
 * *parent_fd and a pointer to the last component inside `name` in *base. */
int rfs_open_parent(int dirfd, const char *name, bool create, int *parent_fd, const char **base) RAMPART_MUST_USE;

/* Reads the whole regular file `name` (relative to `dirfd`, or an absolute
 * or cwd-relative path when dirfd is AT_FDCWD) into `out`, failing with
 * ETOOLARGE when it is larger than out->max.  ENOTFOUND when it does not
 * exist, EPATH when it is a symlink (O_NOFOLLOW) or not a regular file. */
int rfs_read_file(int dirfd, const char *name, rbuf *out) RAMPART_MUST_USE;

/* Atomically replaces `name` in folder `dirfd` with `len` bytes of `data`,
 * file mode `mode`.  `name` is a single component (no '/').  On failure the
 * old file is untouched and no temporary file remains. */
int rfs_write_atomic(int dirfd, const char *name, const void *data, size_t len, mode_t mode) RAMPART_MUST_USE;

/* A temporary file being written, to be committed under a final name later
 * (used for streamed downloads). */
typedef struct rfs_tmp {
    int dirfd; /* borrowed */
    int fd;
    char name[64];
} rfs_tmp;
/* Creates a fresh temporary file (O_EXCL, random name with RFS_TMP_PREFIX) in `dirfd`. */
int rfs_tmp_open(rfs_tmp *t, int dirfd, mode_t mode) RAMPART_MUST_USE;
/* Writes all `len` bytes (retrying short writes and EINTR). */
int rfs_tmp_write(rfs_tmp *t, const void *data, size_t len) RAMPART_MUST_USE;
/* fsync, close, rename over `final_name` in the same folder, fsync the folder. */
int rfs_tmp_commit(rfs_tmp *t, const char *final_name) RAMPART_MUST_USE;
/* Closes and unlinks the temporary file.  Safe after a failed commit and on an unopened rfs_tmp (fd -1). */
void rfs_tmp_discard(rfs_tmp *t);

/* Writes all bytes to fd, retrying short writes and EINTR. EIO on failure. */
int rfs_write_all(int fd, const void *data, size_t len) RAMPART_MUST_USE;
/* Removes leftover RFS_TMP_PREFIX files in a folder (after a crash). */
int rfs_remove_stale_tmp(int dirfd) RAMPART_MUST_USE;

#endif
