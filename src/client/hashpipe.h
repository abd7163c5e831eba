/*
 * hashpipe.h - streaming target verification off the network thread.
 *
 * A target's bytes go to a temporary file and through every listed hash.
 * For large targets the hashing and the file writes run on a second thread,
 * overlapped with the transfer, so that the receiving thread does nothing
 * else (SHA-256 and the page-cache copy would otherwise add their time to
 * the transfer's; docs/internals/performance.md).  Memory is a fixed pool
 * of RHASHPIPE_BUFS buffers of RHASHPIPE_BUF bytes, whatever the target size.
 * Small targets are hashed inline.
 */
#ifndef RAMPART_CLIENT_HASHPIPE_H
#define RAMPART_CLIENT_HASHPIPE_H

#include "crypto/hash.h"
#include "rampart/client.h"
#include "util/fs.h"
#include "util/buf.h"

#define RHASHPIPE_BUF (256u << 10)
#define RHASHPIPE_BUFS 4
/* Targets at least this long are hashed on the second thread. */
#define RHASHPIPE_THREAD_MIN (8u << 20)

/* The hashes a target lists, with the digests expected. */
typedef struct rhashset {
    size_t n;
    rhash h[8];
    rhash_alg alg[8];
    uint8_t want[8][RHASH_MAX_LEN];
} rhashset;

/* Starts one hash for each digest target `t` lists.  EUNSUPPORTED (an
 * unknown algorithm), EFORMAT (a malformed digest, or none at all), or the
 * code of rhash_init; on failure nothing is left to free. */
int rhashset_init(rhashset *hs, const rampart_target *t, rerr *e) RAMPART_MUST_USE;
/* Feeds bytes to every hash.  ECRYPTO. */
int rhashset_update(rhashset *hs, const uint8_t *p, size_t n) RAMPART_MUST_USE;
/* Finishes the hashes: 0 when every digest matches, else EMISMATCH naming
 * the first that does not, as "WHAT 'PATH' does not match its ALG hash"
 * (`what`: "target", "attestation"). */
int rhashset_check(rhashset *hs, const rampart_target *t, const char *what, rerr *e) RAMPART_MUST_USE;
void rhashset_free(rhashset *hs);
/* Length and every listed digest of `body`, bytes held in memory for `t`:
 * EMISMATCH ("WHAT 'PATH' is N bytes, expected M", or a digest), and the
 * codes of rhashset_init. */
int rhashset_verify_bytes(const rampart_target *t, rslice body, const char *what, rerr *e) RAMPART_MUST_USE;

typedef struct rhashpipe rhashpipe;

/* Starts verifying `length` bytes into `tmp` with the hashes in `hs` (whose
 * contexts are initialised and owned by the caller).  ENOMEM, EINTERNAL
 * (thread creation failed). */
int rhashpipe_start(rhashpipe **out, rhashset *hs, rfs_tmp *tmp, uint64_t length, rerr *e) RAMPART_MUST_USE;
/* Feeds received bytes.  Returns 0, or the first write or hash error. */
int rhashpipe_feed(rhashpipe *hp, const uint8_t *p, size_t n) RAMPART_MUST_USE;
/* Flushes, waits for the hashing to finish and stops the thread; the hashes
 * in `hs` are then complete.  Returns the first error of the run. */
int rhashpipe_finish(rhashpipe *hp) RAMPART_MUST_USE;
/* The detail of the first failed write to the temporary file (code 0 when
 * none failed): a transport passes a sink's error code on without a
 * message, so the caller takes the message ("No space left on device
 * (ENOSPC)") from here. */
const rerr *rhashpipe_write_error(const rhashpipe *hp);
/* Frees the pipe (stopping the thread if still running).  NULL-safe. */
void rhashpipe_free(rhashpipe *hp);

#endif
