/*
 * fs_trusted.h - whole files at trusted paths: reading one, creating one that
 * never replaces an existing file, replacing one atomically, and asking
 * whether a name exists.  Built on fs.h; used by the key files (src/keys)
 * and the repository tooling (src/repo).  Paths given here come from the
 * operator (command line, configuration), not from metadata; names that
 * come from metadata are checked with rfs_confine_check() before they get
 * here.
 */
#ifndef RAMPART_UTIL_FS_TRUSTED_H
#define RAMPART_UTIL_FS_TRUSTED_H

#include <sys/types.h>

#include "util/buf.h"

/* Reads the whole file at trusted path `path` (at most out->max bytes)
 * into `out`.  ENOTFOUND, ETOOLARGE, EPATH, EIO, ENOMEM. */
int rfile_read(const char *path, rbuf *out, rerr *e) RAMPART_MUST_USE;

/* Creates `name` (one component) in folder `dirfd` with exactly `len`
 * bytes and mode `mode`, atomically (temporary file, fsync, link into
 * place, fsync of the folder), and never over an existing file: EEXIST
 * then, with nothing changed.  EPATH, EIO. */
int rfile_create_at(int dirfd, const char *name, const void *data, size_t len, mode_t mode,
                    rerr *e) RAMPART_MUST_USE;

/* rfile_create_at() for a trusted path (its folder must exist). */
int rfile_create(const char *path, const void *data, size_t len, mode_t mode, rerr *e) RAMPART_MUST_USE;

/* Atomically replaces trusted path `path` (its folder must exist). */
int rfile_replace(const char *path, const void *data, size_t len, mode_t mode, rerr *e) RAMPART_MUST_USE;

/* True when something (any kind of file, not followed) exists at
 * `name` below `dirfd` (AT_FDCWD for a trusted path). */
bool rfile_exists_at(int dirfd, const char *name);

#endif
