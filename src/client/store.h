/*
 * store.h - the client's metadata folder: one file per role holding the
 * exact bytes received (role names percent-encoded into file names), each
 * replaced atomically (util/fs.h), and the folder lock (".rampart.lock",
 * rfs_lock) so two updaters never interleave on one folder.
 */
#ifndef RAMPART_CLIENT_STORE_H
#define RAMPART_CLIENT_STORE_H

#include "util/buf.h"

typedef struct rstore {
    int dirfd;
    int lockfd;
} rstore;

#define RSTORE_LOCK_NAME ".rampart.lock"
/* Longest file name the store creates (NAME_MAX). */
#define RSTORE_NAME_MAX 255

/* Opens (creating 0700 when `create`) the folder and takes the lock,
 * waiting up to lock_timeout_ms.  ELOCKED, EIO, EPATH. */
int rstore_open(rstore *s, const char *dir, bool create, unsigned lock_timeout_ms, rerr *e) RAMPART_MUST_USE;
/* Releases the lock and closes the folder.  Safe on a zeroed or failed store (fds -1). */
void rstore_close(rstore *s);

/* The file name of role `role`: percent-encoded (no safe characters beyond
 * A-Z a-z 0-9 - . _ ~) + ".json".  EPATH when longer than RSTORE_NAME_MAX. */
int rstore_role_file(rbuf *out, const char *role) RAMPART_MUST_USE;

/* Reads file `fname` (at most `max` bytes) into a new buffer owned by the
 * caller.  ENOTFOUND when absent; ETOOLARGE; EIO; EPATH (not a regular file). */
int rstore_read(rstore *s, const char *fname, size_t max, uint8_t **data, size_t *len, rerr *e) RAMPART_MUST_USE;
/* Atomically replaces `fname` with the bytes (mode 0644).  EIO. */
int rstore_write(rstore *s, const char *fname, rslice bytes, rerr *e) RAMPART_MUST_USE;
/* Removes `fname` if present.  EIO on failure other than ENOENT. */
int rstore_remove(rstore *s, const char *fname, rerr *e) RAMPART_MUST_USE;

#endif
