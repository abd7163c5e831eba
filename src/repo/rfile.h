/*
 * rfile.h - the repository tooling's own file operations, on top of
 * util/fs.h (which owns atomic writes, exclusive creates, listings, the
 * folder lock and errno messages): stored copies hashed as they are made.
 * Paths given here come from the operator (command line, configuration),
 * not from metadata; names that come from metadata are checked with
 * rfs_confine_check() before they get here.
 */
#ifndef RAMPART_REPO_RFILE_H
#define RAMPART_REPO_RFILE_H

#include "crypto/hash.h"
#include "util/buf.h"
#include "util/fs.h"

/* Copies the regular file at trusted path `src` (opened O_NOFOLLOW) into a
 * new temporary file in `dstdir` (rfs_copy_to_tmp, mode 0644), feeding
 * every byte to the live hash contexts `h` (n of them) as it goes; *len
 * gets the size.  On success `t` holds the temporary file (commit or
 * discard it).  ENOTFOUND, EPATH (not a regular file), ECRYPTO, EIO. */
int rfile_copy_hashed(const char *src, int dstdir, rfs_tmp *t, rhash *h, size_t n, uint64_t *len,
                      rerr *e) RAMPART_MUST_USE;

#endif
