/*
 * rampart/tlog.h - the transparency log's verification core: witness
 * policies (C2SP tlog-policy), cosigned checkpoints (C2SP signed-note,
 * tlog-checkpoint, tlog-cosignature), inclusion and consistency proofs
 * (RFC 9162 §2.1) and the paths of C2SP tlog-tiles.  No I/O: the caller
 * fetches and stores; these functions judge bytes (docs/transparency.md).
 *
 * Typical use by an endpoint:
 *
 *     rampart_tlog_policy *pol;
 *     rampart_error err;
 *     if (rampart_tlog_policy_parse(&pol, policy_text, policy_len, &err) != 0) ...
 *     rampart_tlog_checkpoint cp, old;            // old: the last one stored
 *     int rc = rampart_tlog_verify_checkpoint(pol, note, note_len, time(NULL), 86400, &cp, &err);
 *     if (rc == 0 && old.size > 0)
 *         rc = rampart_tlog_verify_consistency(&old, &cp, cons_proof, cons_n, &err);
 *     uint8_t leaf[32];
 *     if (rc == 0) rc = rampart_tlog_leaf_hash(entry, entry_len, leaf);
 *     if (rc == 0) rc = rampart_tlog_verify_inclusion(&cp, leaf, index, incl_proof, incl_n, &err);
 *
 * Errors: RAMPART_ENOTLOGGED (an inclusion proof fails), RAMPART_ENOQUORUM
 * (not signed by a policy log, or not cosigned by the quorum),
 * RAMPART_ESPLITVIEW (a consistency proof fails, the log shrank, two roots
 * for one size), RAMPART_ESTALE (cosignatures older than the maximum age),
 * RAMPART_EFORMAT / RAMPART_ETOOLARGE (malformed input), RAMPART_EINVAL,
 * RAMPART_ENOMEM, RAMPART_ECRYPTO.
 *
 * Thread safety: a rampart_tlog_policy never changes once parsed: any
 * number of threads may verify with it at once; free it once, when no
 * thread uses it.  The other functions keep no state and may be called
 * from any thread.
 */
#ifndef RAMPART_TLOG_H
#define RAMPART_TLOG_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The size of a tree hash (SHA-256). */
#define RAMPART_TLOG_HASH_LEN 32
/** The longest checkpoint origin accepted, in bytes. */
#define RAMPART_TLOG_ORIGIN_MAX 256
/** The longest tile path (rampart_tlog_tile_path), with its NUL. */
#define RAMPART_TLOG_TILE_PATH_MAX 64

/** A parsed witness policy (opaque). */
typedef struct rampart_tlog_policy rampart_tlog_policy;

/** A checkpoint that verified against a policy. */
typedef struct rampart_tlog_checkpoint {
    char origin[RAMPART_TLOG_ORIGIN_MAX + 1]; /**< the log's origin line, NUL-terminated (untrusted text) */
    uint64_t size;                            /**< the tree size */
    uint8_t root[RAMPART_TLOG_HASH_LEN];      /**< the root hash */
    size_t cosignatures;                      /**< how many policy witnesses cosigned it */
    int64_t newest_cosignature;               /**< the newest cosignature's time (0 when none) */
} rampart_tlog_checkpoint;

/**
 * Parses a C2SP tlog-policy file of `len` bytes: "log", "witness", "group"
 * and exactly one "quorum" line.  Log keys are Ed25519 signed-note vkeys
 * (type 0x01), witness keys Ed25519 cosignature v1 vkeys (type 0x04).  On
 * success *out owns the policy (free with rampart_tlog_policy_free).
 * Errors: RAMPART_EFORMAT (a rule of the format, a duplicate key or name,
 * an undefined name; err names the line), RAMPART_ETOOLARGE (over 64 KiB or
 * more than 64 logs, witnesses or groups), RAMPART_EUNSUPPORTED (another
 * signature type), RAMPART_EINVAL, RAMPART_ENOMEM.  `err` may be NULL.
 */
RAMPART_API int rampart_tlog_policy_parse(rampart_tlog_policy **out, const void *data, size_t len,
                                          rampart_error *err) RAMPART_MUST_USE;

/** Frees a policy.  NULL-safe. */
RAMPART_API void rampart_tlog_policy_free(rampart_tlog_policy *p);

/**
 * Verifies a cosigned checkpoint (`len` bytes of signed note) against the
 * policy at time `now` (seconds since the epoch): signed by a policy log
 * whose key name is the checkpoint's origin, cosigned by a quorum of the
 * policy's witnesses, and, when max_age > 0 and the quorum is not "none",
 * with a newest cosignature at most max_age seconds old.  Signature lines
 * of keys the policy does not list are ignored.  Writes *out only on
 * success.  Errors: RAMPART_ENOQUORUM, RAMPART_ESTALE, RAMPART_EFORMAT,
 * RAMPART_ETOOLARGE, RAMPART_EINVAL, RAMPART_ENOMEM, RAMPART_ECRYPTO.
 */
RAMPART_API int rampart_tlog_verify_checkpoint(const rampart_tlog_policy *p, const void *note, size_t len, int64_t now,
                                               int64_t max_age, rampart_tlog_checkpoint *out,
                                               rampart_error *err) RAMPART_MUST_USE;

/** The RFC 9162 leaf hash of `len` bytes of `entry`, SHA-256(0x00 || entry),
 *  written to `out`.  Errors: RAMPART_EINVAL, RAMPART_ECRYPTO, RAMPART_ENOMEM. */
RAMPART_API int rampart_tlog_leaf_hash(const void *entry, size_t len,
                                       uint8_t out[RAMPART_TLOG_HASH_LEN]) RAMPART_MUST_USE;

/**
 * Verifies that `leaf` (a leaf hash) is entry `index` of the checkpoint's
 * tree, by the `n` hashes of `proof` (RFC 9162 §2.1.3.2).  Returns 0, or
 * RAMPART_ENOTLOGGED when it is not (or the proof does not fit the index and
 * size), RAMPART_EINVAL (NULL arguments, more than 64 hashes),
 * RAMPART_ECRYPTO, RAMPART_ENOMEM.  `err` may be NULL.
 */
RAMPART_API int rampart_tlog_verify_inclusion(const rampart_tlog_checkpoint *cp,
                                              const uint8_t leaf[RAMPART_TLOG_HASH_LEN], uint64_t index,
                                              const uint8_t (*proof)[RAMPART_TLOG_HASH_LEN], size_t n,
                                              rampart_error *err) RAMPART_MUST_USE;

/**
 * Verifies that the tree of `old` is a prefix of the tree of `cur`, by the
 * `n` hashes of `proof` (RFC 9162 §2.1.4.2); equal sizes need equal roots
 * and an empty proof.  Returns 0, or RAMPART_ESPLITVIEW (the proof fails,
 * cur is smaller than old, two roots for one size), RAMPART_EINVAL (NULL
 * arguments, old->size 0: nothing to prove, more than 64 hashes),
 * RAMPART_ECRYPTO, RAMPART_ENOMEM.  `err` may be NULL.
 */
RAMPART_API int rampart_tlog_verify_consistency(const rampart_tlog_checkpoint *old, const rampart_tlog_checkpoint *cur,
                                                const uint8_t (*proof)[RAMPART_TLOG_HASH_LEN], size_t n,
                                                rampart_error *err) RAMPART_MUST_USE;

/**
 * Writes the C2SP tlog-tiles path (below the log's prefix) of a hash tile
 * (`entries` 0: "tile/<level>/<index>[.p/<width>]") or an entry bundle
 * (`entries` non-zero: "tile/entries/<index>[.p/<width>]", level ignored) to
 * `out`, NUL-terminated.  `width` is 1..256, 256 being a full tile.
 * Errors: RAMPART_EINVAL (level over 63, width out of range, out NULL).
 */
RAMPART_API int rampart_tlog_tile_path(unsigned level, uint64_t index, unsigned width, int entries,
                                       char out[RAMPART_TLOG_TILE_PATH_MAX]) RAMPART_MUST_USE;

#ifdef __cplusplus
}
#endif
#endif /* RAMPART_TLOG_H */
