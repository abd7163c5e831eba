/*
 * api.c - the public functions of rampart/tlog.h over the sans-I/O core
 * of src/tlog.
 */
#include <string.h>

#include "rampart/tlog.h"
#include "tlog/policy.h"
#include "tlog/tiles.h"
#include "util/banned.h"

/* The public handle is the internal policy. */
struct rampart_tlog_policy {
    tlog_policy *p;
};

int rampart_tlog_policy_parse(rampart_tlog_policy **out, const void *data, size_t len, rampart_error *err)
{
    rerr_clear(err);
    if (out == NULL || (data == NULL && len != 0))
        return rerr_set(err, RAMPART_EINVAL, NULL, "invalid argument");
    rampart_tlog_policy *h = rampart_calloc(1, sizeof(*h));
    if (h == NULL)
        return rerr_set(err, RAMPART_ENOMEM, NULL, "out of memory");
    int rc = tlog_policy_parse(&h->p, data, len, err);
    if (rc != 0) {
        rampart_free(h);
        return rc;
    }
    *out = h;
    return 0;
}

void rampart_tlog_policy_free(rampart_tlog_policy *p)
{
    if (p == NULL)
        return;
    tlog_policy_free(p->p);
    rampart_free(p);
}

int rampart_tlog_verify_checkpoint(const rampart_tlog_policy *p, const void *note, size_t len, int64_t now,
                                   int64_t max_age, rampart_tlog_checkpoint *out, rampart_error *err)
{
    rerr_clear(err);
    if (p == NULL || out == NULL || (note == NULL && len != 0) || max_age < 0)
        return rerr_set(err, RAMPART_EINVAL, NULL, "invalid argument");
    tlog_verified v;
    int rc = tlog_policy_verify(p->p, note, len, now, max_age, &v, err);
    if (rc != 0)
        return rc;
    rampart_tlog_checkpoint c;
    memset(&c, 0, sizeof(c));
    memcpy(c.origin, v.cp.origin, v.cp.origin_len);
    c.size = v.cp.size;
    memcpy(c.root, v.cp.root.b, TLOG_HASH_LEN);
    c.cosignatures = v.ncosig;
    c.newest_cosignature = v.newest_cosig;
    *out = c;
    return 0;
}

int rampart_tlog_leaf_hash(const void *entry, size_t len, uint8_t out[RAMPART_TLOG_HASH_LEN])
{
    if (out == NULL || (entry == NULL && len != 0))
        return RAMPART_EINVAL;
    tlog_hash h;
    int rc = tlog_leaf_hash(entry, len, &h);
    if (rc == 0)
        memcpy(out, h.b, TLOG_HASH_LEN);
    return rc;
}

/* Copies a caller's proof into the core's hash array. */
static int copy_proof(const uint8_t (*proof)[RAMPART_TLOG_HASH_LEN], size_t n, tlog_proof *p, rerr *e)
{
    if ((proof == NULL && n != 0) || n > TLOG_PROOF_MAX)
        return rerr_set(e, RAMPART_EINVAL, NULL, "a proof of %zu hashes (at most %d)", n, TLOG_PROOF_MAX);
    p->n = n;
    for (size_t i = 0; i < n; i++)
        memcpy(p->h[i].b, proof[i], TLOG_HASH_LEN);
    return 0;
}

int rampart_tlog_verify_inclusion(const rampart_tlog_checkpoint *cp, const uint8_t leaf[RAMPART_TLOG_HASH_LEN],
                                  uint64_t index, const uint8_t (*proof)[RAMPART_TLOG_HASH_LEN], size_t n,
                                  rampart_error *err)
{
    rerr_clear(err);
    if (cp == NULL || leaf == NULL)
        return rerr_set(err, RAMPART_EINVAL, NULL, "invalid argument");
    tlog_proof p;
    int rc = copy_proof(proof, n, &p, err);
    if (rc != 0)
        return rc;
    tlog_hash l, root;
    memcpy(l.b, leaf, TLOG_HASH_LEN);
    memcpy(root.b, cp->root, TLOG_HASH_LEN);
    return tlog_verify_inclusion(&l, index, cp->size, &root, p.h, p.n, err);
}

int rampart_tlog_verify_consistency(const rampart_tlog_checkpoint *old, const rampart_tlog_checkpoint *cur,
                                    const uint8_t (*proof)[RAMPART_TLOG_HASH_LEN], size_t n, rampart_error *err)
{
    rerr_clear(err);
    if (old == NULL || cur == NULL)
        return rerr_set(err, RAMPART_EINVAL, NULL, "invalid argument");
    tlog_proof p;
    int rc = copy_proof(proof, n, &p, err);
    if (rc != 0)
        return rc;
    tlog_hash a, b;
    memcpy(a.b, old->root, TLOG_HASH_LEN);
    memcpy(b.b, cur->root, TLOG_HASH_LEN);
    return tlog_verify_consistency(old->size, cur->size, &a, &b, p.h, p.n, err);
}

int rampart_tlog_tile_path(unsigned level, uint64_t index, unsigned width, int entries,
                           char out[RAMPART_TLOG_TILE_PATH_MAX])
{
    if (out == NULL)
        return RAMPART_EINVAL;
    tlog_tile t = {.level = entries ? 0 : level, .index = index, .width = width, .entries = entries != 0};
    return tlog_tile_path(&t, out);
}
