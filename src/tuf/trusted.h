/*
 * trusted.h - the trusted-metadata state machine of the TUF client
 * workflow (TUF specification §5.2-§5.6; docs/client.md lists the checks in order).
 *
 * No I/O: the updater (src/client/) fetches and persists bytes; this module
 * decides, for each file, whether it may become trusted.  Every check for a
 * role runs before the role is stored, so nothing is trusted or handed back
 * for persistence before it fully verifies.  All expiry checks use the one
 * reference time given at creation (§5.1).
 *
 * Functions that take `data` take ownership of it (a rampart_malloc'ed
 * buffer), also on failure.
 */
#ifndef RAMPART_TUF_TRUSTED_H
#define RAMPART_TUF_TRUSTED_H

#include "tuf/md.h"

typedef struct tuf_delegated {
    char *name;              /* the role name (NUL-terminated copy) */
    const tuf_md *delegator; /* the targets metadata that delegated it; NULL for top-level targets */
    tuf_md *md;
} tuf_delegated;

typedef struct tuf_trusted {
    int64_t now; /* T0 of §5.1 */
    tuf_md *root;
    tuf_md *timestamp; /* trusted timestamp (may be the local, possibly expired, one) */
    tuf_md *snapshot;  /* trusted snapshot (may be an intermediate local one) */
    bool timestamp_is_local;
    bool snapshot_is_local;
    unsigned root_updates; /* root versions accepted by tuf_trusted_update_root */
    size_t ndelegated, capdelegated;
    tuf_delegated *delegated; /* verified targets roles, keyed by (name, delegator) */
} tuf_trusted;

/* §5.2: loads the trusted root (P rules, then signed by a threshold of its
 * own root keys).  Its expiry is not checked here.  EFORMAT, EBADSIG, ENOMEM. */
int tuf_trusted_new(tuf_trusted **out, uint8_t *data, size_t len, int64_t now, rerr *e) RAMPART_MUST_USE;
void tuf_trusted_free(tuf_trusted *t);
static inline void tuf_trusted_free_p(tuf_trusted **t)
{
    tuf_trusted_free(*t);
}

/* §5.3.3-§5.3.8: accepts root N+1 when it is signed by a threshold of the
 * trusted root's root keys and of its own, and its version is exactly N+1.
 * Intermediate expiry is ignored.  EFORMAT, EBADSIG, EROLLBACK (version <=
 * N), EMISMATCH (version > N+1), EINVAL after the timestamp was loaded. */
int tuf_trusted_update_root(tuf_trusted *t, uint8_t *data, size_t len, rerr *e) RAMPART_MUST_USE;

/* §5.3.10: EEXPIRED when the trusted root has expired at T0. */
int tuf_trusted_check_root(const tuf_trusted *t, rerr *e) RAMPART_MUST_USE;

/* §5.4 (local copy): loads a persisted timestamp as the base for rollback
 * checks, if it verifies with the current root (expiry is not checked: an
 * expired local timestamp still protects against rollback).  Errors mean
 * "not usable"; the caller ignores them (fast-forward recovery, §5.3.11,
 * falls out of this: a timestamp signed by rotated-out keys no longer
 * verifies). */
int tuf_trusted_load_local_timestamp(tuf_trusted *t, uint8_t *data, size_t len, rerr *e) RAMPART_MUST_USE;

/* §5.4.1-§5.4.4: a downloaded timestamp.  On success *accepted says whether
 * the new file replaced the trusted one (and must be persisted): a file with
 * the same version as the trusted one is discarded and *accepted is false.
 * EFORMAT, EBADSIG, EROLLBACK (lower version, or a lower snapshot version),
 * EEXPIRED. */
int tuf_trusted_update_timestamp(tuf_trusted *t, uint8_t *data, size_t len, bool *accepted, rerr *e) RAMPART_MUST_USE;

/* The snapshot version, length and hashes the trusted timestamp names.
 * EEXPIRED when the trusted timestamp has expired (it must be final here). */
int tuf_trusted_snapshot_meta(const tuf_trusted *t, tuf_metafile *out, rerr *e) RAMPART_MUST_USE;

/* §5.5 (local copy): loads a persisted snapshot, if it verifies with the
 * current root, as the trusted snapshot: the base for rollback checks even
 * when expired or older than the timestamp says (its hashes are not checked
 * against the timestamp).  *final is set when it can be used as it is
 * (version equals the timestamp's, not expired), so no download is needed.
 * Errors mean "not usable"; the caller ignores them. */
int tuf_trusted_load_local_snapshot(tuf_trusted *t, uint8_t *data, size_t len, bool *final, rerr *e) RAMPART_MUST_USE;

/* §5.5.2-§5.5.6: a downloaded snapshot: length and hashes as the timestamp
 * says, signed by the root's snapshot keys, version as the timestamp says,
 * no role removed or rolled back against the trusted snapshot, not expired.
 * EEXPIRED (timestamp or snapshot), EMISMATCH, EUNSUPPORTED (hash algorithm),
 * EFORMAT, EBADSIG, EROLLBACK. */
int tuf_trusted_update_snapshot(tuf_trusted *t, uint8_t *data, size_t len, rerr *e) RAMPART_MUST_USE;

/* The snapshot META entry for role `name` ("targets" or a delegated role);
 * checks first that the trusted snapshot is final (EEXPIRED, EMISMATCH).
 * ENOTFOUND when the snapshot does not list the role: the role must then not
 * be downloaded (§5.6.1). */
int tuf_trusted_role_meta(const tuf_trusted *t, const char *name, tuf_metafile *out, rerr *e) RAMPART_MUST_USE;

/* §5.6: targets metadata for role `name` delegated by `delegator` (NULL:
 * the top-level "targets", authorised by root).  Checks length and hashes
 * against the snapshot's META entry, the signatures against the keys and
 * threshold `delegator` gives `name` (never those of another delegator), the
 * version against the META entry, and expiry.  Used for local copies and
 * downloads alike.  On success *out is the verified role, owned by `t`.
 * ENOTFOUND (not delegated by `delegator`, or not in the snapshot), EMISMATCH,
 * EUNSUPPORTED, EFORMAT, EBADSIG, EEXPIRED. */
int tuf_trusted_update_targets(tuf_trusted *t, const char *name, const tuf_md *delegator, uint8_t *data, size_t len,
                               const tuf_md **out, rerr *e) RAMPART_MUST_USE;

/* A role verified earlier through exactly this delegator, or NULL. */
const tuf_md *tuf_trusted_find_targets(const tuf_trusted *t, const char *name, const tuf_md *delegator);

/* Finds the authorisation `delegator` gives role `name` (root's "targets"
 * role when delegator is NULL).  ENOTFOUND when it does not delegate it. */
int tuf_trusted_delegation_auth(const tuf_trusted *t, const tuf_md *delegator, const char *name, const tuf_keyset **ks,
                                const tuf_role_auth **auth) RAMPART_MUST_USE;

#endif
