/*
 * merkle.h - the Merkle tree of a transparency log (RFC 9162 §2.1), sans I/O.
 *
 * Leaves hash as SHA-256(0x00 || entry), interior nodes as
 * SHA-256(0x01 || left || right) (§2.1.1).  The tree is never held here:
 * whoever has it (the in-memory tree of tiles.h, tiles read through a
 * callback, a test) answers for the hash of a *complete* subtree, node
 * (level, index) covering the leaves [index * 2^level, (index + 1) * 2^level),
 * and the functions below compute tree heads and proofs from those answers.
 * Verification (§2.1.3.2, §2.1.4.2) needs no tree at all.
 */
#ifndef RAMPART_TLOG_MERKLE_H
#define RAMPART_TLOG_MERKLE_H

#include <stdint.h>

#include "util/buf.h"

#define TLOG_HASH_LEN 32
/* The longest proof: one hash per level of a 2^64-leaf tree (§2.1.3.1),
 * plus the first root a consistency proof may repeat. */
#define TLOG_PROOF_MAX 64

typedef struct tlog_hash {
    uint8_t b[TLOG_HASH_LEN];
} tlog_hash;

typedef struct tlog_proof {
    size_t n;
    tlog_hash h[TLOG_PROOF_MAX];
} tlog_proof;

/* Answers with the hash of the complete subtree at (level, index), level
 * 0..63.  Returns 0 and writes *out, or a negative code (and detail in
 * `e`), which the caller passes on unchanged. */
typedef int (*tlog_node_fn)(void *ctx, unsigned level, uint64_t index, tlog_hash *out, rerr *e);

/* §2.1.1: the leaf hash of `n` bytes of `entry` (NULL allowed when n == 0).
 * ECRYPTO, ENOMEM from the hash backend; *out untouched then. */
int tlog_leaf_hash(const uint8_t *entry, size_t n, tlog_hash *out) RAMPART_MUST_USE;
/* §2.1.1: the hash of the interior node over `left` and `right`.  Errors
 * as tlog_leaf_hash. */
int tlog_node_hash(const tlog_hash *left, const tlog_hash *right, tlog_hash *out) RAMPART_MUST_USE;
/* The hash of an empty tree, SHA-256 of nothing (§2.1.1). */
int tlog_empty_root(tlog_hash *out) RAMPART_MUST_USE;

/* MTH(D[lo:hi]) of a subtree that need not be complete (the right edge of a
 * tree), from complete subtrees read through `fn`: at most 2 * 64 reads.
 * EINVAL when lo >= hi; the reader's code otherwise. */
int tlog_range_hash(tlog_node_fn fn, void *ctx, uint64_t lo, uint64_t hi, tlog_hash *out, rerr *e) RAMPART_MUST_USE;
/* The tree head (root hash) of the first `size` leaves (the empty root when
 * size is 0).  Errors as tlog_range_hash. */
int tlog_tree_root(tlog_node_fn fn, void *ctx, uint64_t size, tlog_hash *out, rerr *e) RAMPART_MUST_USE;

/* §2.1.3.1: the inclusion proof of leaf `index` in the tree of `size`
 * leaves.  EINVAL when index >= size; the reader's code otherwise. */
int tlog_inclusion_proof(tlog_node_fn fn, void *ctx, uint64_t index, uint64_t size, tlog_proof *out,
                         rerr *e) RAMPART_MUST_USE;
/* §2.1.4.1: the consistency proof from the tree of size `old_size` to the
 * tree of `size` (empty when old_size is 0 or equal to size).  EINVAL when
 * old_size > size; the reader's code otherwise. */
int tlog_consistency_proof(tlog_node_fn fn, void *ctx, uint64_t old_size, uint64_t size, tlog_proof *out,
                           rerr *e) RAMPART_MUST_USE;

/* §2.1.3.2: verifies that `leaf` is leaf `index` of the tree of `size`
 * leaves whose root is `root`, by the `n` hashes of `proof`.  Returns 0, or
 * RAMPART_ENOTLOGGED (detail in `e`) when the proof does not lead to the
 * root or does not fit the index and size (index >= size, a proof of the
 * wrong length); ECRYPTO, ENOMEM from the hash backend. */
int tlog_verify_inclusion(const tlog_hash *leaf, uint64_t index, uint64_t size, const tlog_hash *root,
                          const tlog_hash *proof, size_t n, rerr *e) RAMPART_MUST_USE;
/* §2.1.4.2: verifies that the tree of `old_size` leaves with root `old_root`
 * is a prefix of the tree of `size` leaves with root `root`.  Equal sizes
 * need an empty proof and equal roots.  Returns 0, or RAMPART_ESPLITVIEW
 * when the proof fails (the two heads cannot both be honest views of one
 * append-only log, or the proof is malformed: wrong length, old_size >
 * size); EINVAL for old_size 0 (there is nothing to prove: the caller has
 * no old view); ECRYPTO, ENOMEM. */
int tlog_verify_consistency(uint64_t old_size, uint64_t size, const tlog_hash *old_root, const tlog_hash *root,
                            const tlog_hash *proof, size_t n, rerr *e) RAMPART_MUST_USE;

#endif
