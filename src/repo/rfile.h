/*
 * rfile.h - the repository tooling's file operations beyond util/fs.h and
 * util/fs_trusted.h (whole files at trusted paths, which this header brings
 * in): folder listings, hard links and the file-system sync that orders
 * publishing.  Paths given here come from the operator (command line,
 * configuration), not from metadata; names that come from metadata are
 * checked with rfs_confine_check() before they get here.
 */
#ifndef RAMPART_REPO_RFILE_H
#define RAMPART_REPO_RFILE_H

#include <sys/types.h>

#include "crypto/hash.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/fs_trusted.h"

/* Writes `len` bytes as `name` (one component) in `dirfd` without any
 * fsync: temporary file, then rename over `name`.  For bulk publishing,
 * where one rfile_sync() afterwards makes the whole batch durable before
 * anything refers to it.  EPATH, EIO. */
int rfile_put_nosync(int dirfd, const char *name, const void *data, size_t len, mode_t mode,
                     rerr *e) RAMPART_MUST_USE;

/* Makes `name` below `dst_dirfd` a hard link to `src` below `src_dirfd`
 * (both one component); copies the bytes (rfile_put_nosync) when the two
 * folders are on different file systems.  An existing `name` is left
 * alone (the names are content-addressed, so it holds the same bytes).
 * EIO, ENOTFOUND (no source). */
int rfile_link_or_copy(int src_dirfd, const char *src, int dst_dirfd, const char *name, rerr *e) RAMPART_MUST_USE;

/* Flushes the file system holding `dirfd` (syncfs(2)).  EIO. */
int rfile_sync(int dirfd, rerr *e) RAMPART_MUST_USE;

/* Calls fn(ctx, name) for every entry of folder `dirfd` except ".", ".."
 * and temporary files, in no particular order; stops at the first non-zero
 * return and returns it.  EIO when the folder cannot be read. */
int rfile_list(int dirfd, int (*fn)(void *ctx, const char *name), void *ctx, rerr *e) RAMPART_MUST_USE;

/* Removes `name` below `dirfd`; absent is fine.  EIO. */
int rfile_remove_at(int dirfd, const char *name, rerr *e) RAMPART_MUST_USE;

/* Opens (creating with `mode` when `create`) sub-folder `name` (one
 * component, not followed if a symlink) of `dirfd`.  EPATH, ENOTFOUND, EIO. */
int rfile_subdir(int dirfd, const char *name, bool create, mode_t mode, int *out, rerr *e) RAMPART_MUST_USE;

/* Takes an exclusive advisory lock on `name` in `dirfd` (created 0600),
 * waiting up to `timeout_ms`.  *lockfd is closed to release it.  ELOCKED, EIO. */
int rfile_lock(int dirfd, const char *name, unsigned timeout_ms, int *lockfd, rerr *e) RAMPART_MUST_USE;


/* Copies the regular file at trusted path `src` (opened O_NOFOLLOW) into a
 * new temporary file in `dstdir`, feeding every byte to the live hash
 * contexts `h` (n of them) as it goes; *len gets the size.  On success `t`
 * holds the temporary file (commit or discard it).  ENOTFOUND, EPATH (not
 * a regular file), EIO. */
int rfile_copy_hashed(const char *src, int dstdir, rfs_tmp *t, rhash *h, size_t n, uint64_t *len,
                      rerr *e) RAMPART_MUST_USE;

#endif
