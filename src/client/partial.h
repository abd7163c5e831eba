/*
 * partial.h - the bytes of an interrupted target download, kept for a
 * resumed one (rampart/client.h, rampart_client_download_target).
 *
 * They live in the metadata folder, in "partial/", as "<HEX>.part" where HEX
 * is the SHA-256 of the target's path, length and every listed hash: a
 * target file never lands in the metadata folder, and no role file there
 * ends in ".part", so a partial file cannot be mistaken for either; another
 * version of the same target gets another name.  A partial file is never
 * trusted: its bytes are hashed again with the rest before anything is
 * installed, and one at least as long as the target's trusted length is
 * removed unread.  Every operation is best effort: a partial file that
 * cannot be kept or read only costs a full download.
 */
#ifndef RAMPART_CLIENT_PARTIAL_H
#define RAMPART_CLIENT_PARTIAL_H

#include "client/client_internal.h"
#include "util/fs.h"

#define RPARTIAL_DIR "partial"

typedef struct rpartial {
    int dirfd;     /* metadata_dir/partial, or -1 */
    char name[72]; /* HEX.part */
    uint64_t size; /* bytes usable now (0: none) */
} rpartial;

/* Looks for the partial file of `t` (creating the folder only when
 * `create`).  Fails only for ENOMEM: without a usable one, p->size is 0. */
int rpartial_open(rpartial *p, rampart_client *c, const rampart_target *t, bool create);
/* Reads the first `n` bytes of the partial file, handing them to fn. */
int rpartial_read(rpartial *p, uint64_t n, int (*fn)(void *ctx, const uint8_t *b, size_t n),
                  void *ctx) RAMPART_MUST_USE;
/* Makes the first `n` bytes of temporary file `tmp` (in folder `tmpdir`,
 * closed here) the partial file, replacing any; `tmp` then holds nothing. */
void rpartial_save(rpartial *p, rampart_client *c, rfs_tmp *tmp, int tmpdir, uint64_t n);
/* Removes the partial file, if any. */
void rpartial_remove(rpartial *p);
void rpartial_close(rpartial *p);

#endif
