/*
 * merkle.c - RFC 9162 §2.1: tree hashes, inclusion and consistency proofs.
 * See merkle.h.
 */
#include <string.h>

#include "crypto/hash.h"
#include "tlog/merkle.h"
#include "util/banned.h"

int tlog_leaf_hash(const uint8_t *entry, size_t n, tlog_hash *out)
{
    static const uint8_t prefix = 0x00;
    rhash h = {NULL, RHASH_UNKNOWN};
    uint8_t d[RHASH_MAX_LEN];
    int rc = rhash_init(&h, RHASH_SHA256);
    if (rc != 0)
        return rc;
    rc = rhash_update(&h, &prefix, 1);
    if (rc == 0)
        rc = rhash_update(&h, entry, n);
    if (rc == 0)
        rc = rhash_final(&h, d);
    rhash_free(&h);
    if (rc == 0)
        memcpy(out->b, d, TLOG_HASH_LEN);
    return rc;
}

int tlog_node_hash(const tlog_hash *left, const tlog_hash *right, tlog_hash *out)
{
    uint8_t in[1 + 2 * TLOG_HASH_LEN], d[RHASH_MAX_LEN];
    in[0] = 0x01;
    memcpy(in + 1, left->b, TLOG_HASH_LEN);
    memcpy(in + 1 + TLOG_HASH_LEN, right->b, TLOG_HASH_LEN);
    int rc = rhash_digest(RHASH_SHA256, in, sizeof(in), d);
    if (rc == 0)
        memcpy(out->b, d, TLOG_HASH_LEN);
    return rc;
}

int tlog_empty_root(tlog_hash *out)
{
    uint8_t d[RHASH_MAX_LEN];
    int rc = rhash_digest(RHASH_SHA256, NULL, 0, d);
    if (rc == 0)
        memcpy(out->b, d, TLOG_HASH_LEN);
    return rc;
}

/* The largest power of two smaller than n (n >= 2): the k of §2.1.1. */
static uint64_t split_point(uint64_t n)
{
    uint64_t k = 1;
    while (k < n - k)
        k <<= 1;
    return k;
}

/* log2 of a power of two. */
static unsigned level_of(uint64_t pow2)
{
    return (unsigned)__builtin_ctzll(pow2);
}

int tlog_range_hash(tlog_node_fn fn, void *ctx, uint64_t lo, uint64_t hi, tlog_hash *out, rerr *e)
{
    if (lo >= hi)
        return rerr_set(e, RAMPART_EINVAL, NULL, "empty range [%llu, %llu) of the log", (unsigned long long)lo,
                        (unsigned long long)hi);
    /* The right edge of D[lo:hi] splits into complete subtrees of
     * decreasing size (at most 64); hash them right to left. */
    tlog_hash parts[64] = {{{0}}}; /* (zeroed for the analyser: parts[0..np) are set) */
    size_t np = 0;
    uint64_t at = lo;
    while (at < hi) {
        uint64_t n = hi - at;
        uint64_t k = (n & (n - 1)) == 0 ? n : split_point(n);
        /* Only MTH's own splits reach here, so `at` is a multiple of k. */
        if (at % k != 0)
            return rerr_set(e, RAMPART_EINTERNAL, NULL, "unaligned subtree at %llu", (unsigned long long)at);
        int rc = fn(ctx, level_of(k), at / k, &parts[np], e);
        if (rc != 0)
            return rc;
        np++;
        at += k;
    }
    tlog_hash acc = parts[np - 1];
    for (size_t i = np - 1; i-- > 0;) {
        int rc = tlog_node_hash(&parts[i], &acc, &acc);
        if (rc != 0)
            return rerr_set(e, rc, NULL, "hashing a node of the log failed");
    }
    *out = acc;
    return 0;
}

int tlog_tree_root(tlog_node_fn fn, void *ctx, uint64_t size, tlog_hash *out, rerr *e)
{
    if (size == 0) {
        int rc = tlog_empty_root(out);
        return rc == 0 ? 0 : rerr_set(e, rc, NULL, "hashing the empty tree failed");
    }
    return tlog_range_hash(fn, ctx, 0, size, out, e);
}

static int proof_push(tlog_proof *p, tlog_node_fn fn, void *ctx, uint64_t lo, uint64_t hi, rerr *e)
{
    if (p->n >= TLOG_PROOF_MAX)
        return rerr_set(e, RAMPART_EINTERNAL, NULL, "proof longer than %d hashes", TLOG_PROOF_MAX);
    int rc = tlog_range_hash(fn, ctx, lo, hi, &p->h[p->n], e);
    if (rc == 0)
        p->n++;
    return rc;
}

/* §2.1.3.1 PATH(m, D[lo:hi]), deepest sibling first. */
// NOLINTNEXTLINE(misc-no-recursion): one level per tree level, at most 64
static int inclusion_path(tlog_proof *p, tlog_node_fn fn, void *ctx, uint64_t m, uint64_t lo, uint64_t hi, rerr *e)
{
    if (hi - lo <= 1)
        return 0;
    uint64_t k = split_point(hi - lo);
    int rc;
    if (m < lo + k) {
        rc = inclusion_path(p, fn, ctx, m, lo, lo + k, e);
        if (rc == 0)
            rc = proof_push(p, fn, ctx, lo + k, hi, e);
    } else {
        rc = inclusion_path(p, fn, ctx, m, lo + k, hi, e);
        if (rc == 0)
            rc = proof_push(p, fn, ctx, lo, lo + k, e);
    }
    return rc;
}

int tlog_inclusion_proof(tlog_node_fn fn, void *ctx, uint64_t index, uint64_t size, tlog_proof *out, rerr *e)
{
    if (index >= size)
        return rerr_set(e, RAMPART_EINVAL, NULL, "no leaf %llu in a tree of %llu", (unsigned long long)index,
                        (unsigned long long)size);
    tlog_proof p = {.n = 0};
    int rc = inclusion_path(&p, fn, ctx, index, 0, size, e);
    if (rc == 0)
        *out = p;
    return rc;
}

/* §2.1.4.1 SUBPROOF(m, D[lo:hi], b), with m counted from lo. */
// NOLINTNEXTLINE(misc-no-recursion): one level per tree level, at most 64
static int subproof(tlog_proof *p, tlog_node_fn fn, void *ctx, uint64_t m, uint64_t lo, uint64_t hi, bool b, rerr *e)
{
    uint64_t n = hi - lo;
    if (m == n)
        return b ? 0 : proof_push(p, fn, ctx, lo, hi, e);
    uint64_t k = split_point(n);
    int rc;
    if (m <= k) {
        rc = subproof(p, fn, ctx, m, lo, lo + k, b, e);
        if (rc == 0)
            rc = proof_push(p, fn, ctx, lo + k, hi, e);
    } else {
        rc = subproof(p, fn, ctx, m - k, lo + k, hi, false, e);
        if (rc == 0)
            rc = proof_push(p, fn, ctx, lo, lo + k, e);
    }
    return rc;
}

int tlog_consistency_proof(tlog_node_fn fn, void *ctx, uint64_t old_size, uint64_t size, tlog_proof *out, rerr *e)
{
    if (old_size > size)
        return rerr_set(e, RAMPART_EINVAL, NULL, "no consistency proof from size %llu to the smaller %llu",
                        (unsigned long long)old_size, (unsigned long long)size);
    tlog_proof p = {.n = 0};
    int rc = 0;
    if (old_size > 0 && old_size < size)
        rc = subproof(&p, fn, ctx, old_size, 0, size, true, e);
    if (rc == 0)
        *out = p;
    return rc;
}

/* A node hash for the verifiers: a backend failure is not a verdict. */
static int vhash(const tlog_hash *l, const tlog_hash *r, tlog_hash *out, rerr *e)
{
    int rc = tlog_node_hash(l, r, out);
    return rc == 0 ? 0 : rerr_set(e, rc, NULL, "hashing a node of the log failed");
}

int tlog_verify_inclusion(const tlog_hash *leaf, uint64_t index, uint64_t size, const tlog_hash *root,
                          const tlog_hash *proof, size_t n, rerr *e)
{
    /* §2.1.3.2 step 1. */
    if (index >= size)
        return rerr_set(e, RAMPART_ENOTLOGGED, NULL, "entry %llu is beyond the tree of %llu entries",
                        (unsigned long long)index, (unsigned long long)size);
    uint64_t fn = index, sn = size - 1;
    tlog_hash r = *leaf;
    for (size_t i = 0; i < n; i++) {
        /* Step 4a: more hashes than levels. */
        if (sn == 0)
            return rerr_set(e, RAMPART_ENOTLOGGED, NULL, "inclusion proof of entry %llu is too long (%zu hashes)",
                            (unsigned long long)index, n);
        int rc;
        if ((fn & 1) != 0 || fn == sn) {
            rc = vhash(&proof[i], &r, &r, e);
            if ((fn & 1) == 0)
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
        } else {
            rc = vhash(&r, &proof[i], &r, e);
        }
        if (rc != 0)
            return rc;
        fn >>= 1;
        sn >>= 1;
    }
    /* Step 5. */
    if (sn != 0)
        return rerr_set(e, RAMPART_ENOTLOGGED, NULL, "inclusion proof of entry %llu is too short (%zu hashes)",
                        (unsigned long long)index, n);
    if (!rdigest_eq(r.b, root->b, TLOG_HASH_LEN))
        return rerr_set(e, RAMPART_ENOTLOGGED, NULL,
                        "entry %llu is not in the tree of %llu entries: the proof leads to another root",
                        (unsigned long long)index, (unsigned long long)size);
    return 0;
}

/* Steps 3-7 of §2.1.4.2 once the trivial cases are out of the way
 * (0 < old_size < size, n >= 1). */
static int consistency_walk(uint64_t old_size, uint64_t size, const tlog_hash *old_root, const tlog_hash *root,
                            const tlog_hash *proof, size_t n, rerr *e)
{
    size_t at = 0;
    tlog_hash fr, sr;
    /* Step 2: a first tree that is a complete subtree is not in the proof. */
    bool pow2 = (old_size & (old_size - 1)) == 0;
    if (pow2)
        fr = *old_root;
    else
        fr = proof[at++];
    sr = fr;
    uint64_t fn = old_size - 1, sn = size - 1;
    /* Step 4. */
    while ((fn & 1) != 0) {
        fn >>= 1;
        sn >>= 1;
    }
    for (; at < n; at++) {
        if (sn == 0)
            return rerr_set(e, RAMPART_ESPLITVIEW, NULL, "consistency proof from %llu to %llu is too long",
                            (unsigned long long)old_size, (unsigned long long)size);
        int rc;
        if ((fn & 1) != 0 || fn == sn) {
            rc = vhash(&proof[at], &fr, &fr, e);
            if (rc == 0)
                rc = vhash(&proof[at], &sr, &sr, e);
            while ((fn & 1) == 0 && fn != 0) {
                fn >>= 1;
                sn >>= 1;
            }
        } else {
            rc = vhash(&sr, &proof[at], &sr, e);
        }
        if (rc != 0)
            return rc;
        fn >>= 1;
        sn >>= 1;
    }
    /* Step 7. */
    if (sn != 0)
        return rerr_set(e, RAMPART_ESPLITVIEW, NULL, "consistency proof from %llu to %llu is too short",
                        (unsigned long long)old_size, (unsigned long long)size);
    if (!rdigest_eq(fr.b, old_root->b, TLOG_HASH_LEN) || !rdigest_eq(sr.b, root->b, TLOG_HASH_LEN))
        return rerr_set(e, RAMPART_ESPLITVIEW, NULL,
                        "the tree of %llu entries is not a prefix of the tree of %llu: the consistency proof fails",
                        (unsigned long long)old_size, (unsigned long long)size);
    return 0;
}

int tlog_verify_consistency(uint64_t old_size, uint64_t size, const tlog_hash *old_root, const tlog_hash *root,
                            const tlog_hash *proof, size_t n, rerr *e)
{
    if (old_size > size)
        return rerr_set(e, RAMPART_ESPLITVIEW, NULL, "the log shrank from %llu to %llu entries",
                        (unsigned long long)old_size, (unsigned long long)size);
    /* Every tree extends the empty one: a proof of it proves nothing, and a
     * caller that asks for one has no trusted old view to protect. */
    if (old_size == 0)
        return rerr_set(e, RAMPART_EINVAL, NULL, "a consistency proof from the empty tree is meaningless");
    if (old_size == size) {
        if (n != 0)
            return rerr_set(e, RAMPART_ESPLITVIEW, NULL, "a consistency proof between equal sizes must be empty");
        if (!rdigest_eq(old_root->b, root->b, TLOG_HASH_LEN))
            return rerr_set(e, RAMPART_ESPLITVIEW, NULL, "two different roots for the tree of %llu entries",
                            (unsigned long long)size);
        return 0;
    }
    /* §2.1.4.2 step 1. */
    if (n == 0)
        return rerr_set(e, RAMPART_ESPLITVIEW, NULL, "empty consistency proof from %llu to %llu",
                        (unsigned long long)old_size, (unsigned long long)size);
    return consistency_walk(old_size, size, old_root, root, proof, n, e);
}
