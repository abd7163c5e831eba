/*
 * verify.c - threshold signature verification (TUF §5.3-§5.6 "verify that
 * it is signed by a threshold of keys"; docs/security-matrix.md V1-V4) and
 * length/hash checks against a parent role's description.
 */
#include <string.h>

#include "tuf/md.h"
#include "util/codec.h"
#include "util/banned.h"

/* Large enough for an RSA-16384 signature; longer "sig" strings never verify. */
#define MAX_SIG_BYTES 2048

static const tuf_sig *find_sig(const tuf_md *md, rslice keyid)
{
    for (size_t i = 0; i < md->nsigs; i++)
        if (rslice_eq(md->sigs[i].keyid, keyid))
            return &md->sigs[i];
    return NULL;
}

/* 0 when `sig` verifies over `msg` with `key`; anything else is "not valid"
 * (a malformed hex string is just an invalid signature: conformance
 * test_invalid_sig_in_valid_metadata sends "" and expects it ignored). */
static int check_one(const tuf_key *key, const tuf_sig *sig, rslice msg)
{
    uint8_t raw[MAX_SIG_BYTES];
    size_t rawlen;
    if (key->key == NULL)
        return RAMPART_EUNSUPPORTED;
    if (sig->sig_hex.n == 0 ||
        rhex_decode(raw, sizeof(raw), &rawlen, (const char *)sig->sig_hex.p, sig->sig_hex.n) != 0)
        return RAMPART_EBADSIG;
    /* V4: rkey_verify maps every backend result other than success to failure. */
    return rkey_verify(key->key, raw, rawlen, msg.p, msg.n);
}

static bool seen_fp(const uint8_t (*fps)[RKEY_FINGERPRINT_LEN], size_t n, const uint8_t *fp)
{
    for (size_t i = 0; i < n; i++)
        if (memcmp(fps[i], fp, RKEY_FINGERPRINT_LEN) == 0)
            return true;
    return false;
}

int tuf_md_verify(tuf_md *md, const tuf_keyset *ks, const tuf_role_auth *auth, const char *role, rerr *e)
{
    /* V1: a threshold below 1 is refused at parse time; check again here. */
    if (auth->threshold < 1)
        return rerr_set(e, RAMPART_EBADSIG, role, "role '%s' has threshold %lld", role, (long long)auth->threshold);
    rslice msg;
    int rc = tuf_md_canonical(md, &msg);
    if (rc != 0)
        return rerr_set(e, rc, role, "cannot compute the canonical form of '%s'", role);

    uint8_t(*fps)[RKEY_FINGERPRINT_LEN] = rampart_calloc(auth->nkeyids ? auth->nkeyids : 1, RKEY_FINGERPRINT_LEN);
    if (fps == NULL)
        return rerr_set(e, RAMPART_ENOMEM, role, "out of memory");
    size_t counted = 0;
    /* V2: each unique keyid listed for the role (keyids are unique by P8/P9),
     * whose key the delegator knows and that signed: verify, then count the
     * key material once (GHSA-3633-5h82-39pq: one key under two keyids). */
    for (size_t i = 0; i < auth->nkeyids && (int64_t)counted < auth->threshold; i++) {
        const tuf_key *key = tuf_keyset_find(ks, auth->keyids[i]);
        const tuf_sig *sig = find_sig(md, auth->keyids[i]);
        if (key == NULL || sig == NULL || check_one(key, sig, msg) != 0)
            continue;
        const uint8_t *fp = rkey_fingerprint(key->key);
        if (seen_fp((const uint8_t(*)[RKEY_FINGERPRINT_LEN])fps, counted, fp))
            continue;
        memcpy(fps[counted++], fp, RKEY_FINGERPRINT_LEN);
    }
    rampart_free(fps);
    /* V3 */
    if ((int64_t)counted >= auth->threshold)
        return 0;
    return rerr_set(e, RAMPART_EBADSIG, role, "signature threshold not met for '%s' (%zu of %lld)", role, counted,
                    (long long)auth->threshold);
}

int tuf_md_sig_status(tuf_md *md, size_t i, const tuf_keyset *ks, const tuf_role_auth *auth, tuf_sig_status *status)
{
    if (i >= md->nsigs)
        return RAMPART_EINVAL;
    rslice msg;
    int rc = tuf_md_canonical(md, &msg);
    if (rc != 0)
        return rc;
    const tuf_sig *sig = &md->sigs[i];
    const tuf_key *key = tuf_keyset_find(ks, sig->keyid);
    if (key == NULL) {
        *status = TUF_SIG_UNKNOWN_KEY;
        return 0;
    }
    bool listed = false;
    for (size_t k = 0; auth != NULL && k < auth->nkeyids; k++)
        listed = listed || rslice_eq(auth->keyids[k], sig->keyid);
    if (key->key == NULL)
        *status = TUF_SIG_UNSUPPORTED;
    else if (check_one(key, sig, msg) != 0)
        *status = TUF_SIG_INVALID;
    else if (auth != NULL && !listed)
        *status = TUF_SIG_NOT_AUTHORIZED;
    else {
        *status = TUF_SIG_VALID;
        /* Same key material already verified under an earlier signature? */
        for (size_t j = 0; j < i; j++) {
            const tuf_key *other = tuf_keyset_find(ks, md->sigs[j].keyid);
            if (other != NULL && other->key != NULL &&
                memcmp(rkey_fingerprint(other->key), rkey_fingerprint(key->key), RKEY_FINGERPRINT_LEN) == 0 &&
                check_one(other, &md->sigs[j], msg) == 0) {
                *status = TUF_SIG_DUPLICATE_KEY;
                break;
            }
        }
    }
    return 0;
}

int tuf_hashlist_parse(const tuf_md *md, jd_ref hashes, tuf_hashlist *out, const char *what, rerr *e)
{
    const jdoc *d = md->doc;
    tuf_hashlist hl = {0};
    if (jdoc_type(d, hashes) != JD_OBJECT || jdoc_count(d, hashes) == 0)
        return rerr_set(e, RAMPART_EFORMAT, what, "%s has no hashes", what);
    for (jd_ref k = jdoc_first(d, hashes); k != JD_NONE; k = jdoc_next_key(d, k)) {
        rslice name = jdoc_str(d, k), hex = jdoc_str(d, jdoc_value(k));
        if (hl.n == TUF_MAX_HASHES)
            return rerr_set(e, RAMPART_EFORMAT, what, "%s lists too many hashes", what);
        rhash_alg alg = rhash_alg_from_name((const char *)name.p, name.n);
        /* §5.7.3: every listed hash must match, so one we cannot compute is a failure. */
        if (alg == RHASH_UNKNOWN)
            return rerr_set(e, RAMPART_EUNSUPPORTED, what, "%s uses unsupported hash algorithm \"%.*s\"", what,
                            (int)(name.n > 32 ? 32 : name.n), (const char *)name.p);
        size_t dlen;
        if (rhex_decode(hl.h[hl.n].digest, sizeof(hl.h[hl.n].digest), &dlen, (const char *)hex.p, hex.n) != 0 ||
            dlen != rhash_len(alg))
            return rerr_set(e, RAMPART_EFORMAT, what, "%s has a malformed %s digest", what, rhash_alg_name(alg));
        hl.h[hl.n++].alg = alg;
    }
    *out = hl;
    return 0;
}

int tuf_check_hashes(const tuf_md *md, jd_ref hashes, int64_t length, const uint8_t *data, size_t len, const char *what,
                     rerr *e)
{
    if (length >= 0 && (uint64_t)length != (uint64_t)len)
        return rerr_set(e, RAMPART_EMISMATCH, what, "%s is %zu bytes, expected %lld", what, len, (long long)length);
    if (hashes == JD_NONE)
        return 0;
    tuf_hashlist hl;
    int rc = tuf_hashlist_parse(md, hashes, &hl, what, e);
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < hl.n; i++) {
        uint8_t got[RHASH_MAX_LEN];
        rc = rhash_digest(hl.h[i].alg, data, len, got);
        if (rc != 0)
            return rerr_set(e, rc, what, "cannot hash %s", what);
        if (!rdigest_eq(got, hl.h[i].digest, rhash_len(hl.h[i].alg)))
            return rerr_set(e, RAMPART_EMISMATCH, what, "%s does not match its %s hash", what,
                            rhash_alg_name(hl.h[i].alg));
    }
    return 0;
}
