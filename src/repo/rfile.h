/*
 * rfile.h - the repository tooling's own file operations, on top of
 * util/fs.h (which owns atomic writes, exclusive creates, listings, the
 * folder lock and errno messages): the content-addressed copies that
 * publishing links into public/, and stored copies hashed as they are made.
 * Paths given here come from the operator (command line, configuration),
 * not from metadata; names that come from metadata are checked with
 * rfs_confine_check() before they get here.
 */
#ifndef RAMPART_REPO_RFILE_H
#define RAMPART_REPO_RFILE_H

#include "crypto/hash.h"
#include "util/buf.h"
#include "util/fs.h"

/* Makes `name` below `dst_dirfd` a hard link to `src` below `src_dirfd`
 * (both one component); copies the bytes (rfs_write_nosync) when the two
 * folders are on different file systems.  An existing `name` is left
 * alone (the names are content-addressed, so it holds the same bytes).
 * EIO, ENOTFOUND (no source). */
int rfile_link_or_copy(int src_dirfd, const char *src, int dst_dirfd, const char *name, rerr *e) RAMPART_MUST_USE;

/* Copies the regular file at trusted path `src` (opened O_NOFOLLOW) into a
 * new temporary file in `dstdir` (rfs_copy_to_tmp, mode 0644), feeding
 * every byte to the live hash contexts `h` (n of them) as it goes; *len
 * gets the size.  On success `t` holds the temporary file (commit or
 * discard it).  ENOTFOUND, EPATH (not a regular file), ECRYPTO, EIO. */
int rfile_copy_hashed(const char *src, int dstdir, rfs_tmp *t, rhash *h, size_t n, uint64_t *len,
                      rerr *e) RAMPART_MUST_USE;

#endif
