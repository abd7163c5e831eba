/* tufkey.c - keys in TUF form (keys.h): the three fields of a key object to
 * a verifying key and back, keyids, and private keys by scheme, each by
 * way of the row of the scheme table. */
#include <string.h>

#include "keys/keys.h"
#include "util/codec.h"
#include "util/banned.h"

int rkey_from_tuf(rkey **out, rslice keytype, rslice scheme, rslice pub, rerr *e)
{
    if (out == NULL || (keytype.p == NULL && keytype.n) || (scheme.p == NULL && scheme.n) || (pub.p == NULL && pub.n))
        return rerr_set(e, RAMPART_EINVAL, NULL, "invalid argument");
    const rkey_scheme_def *d = rscheme_from_tuf(keytype, scheme);
    if (d == NULL) {
        char kt[64], sc[64];
        rampart_sanitize(kt, sizeof(kt), (const char *)keytype.p, keytype.n);
        rampart_sanitize(sc, sizeof(sc), (const char *)scheme.p, scheme.n);
        return rerr_set(e, RAMPART_EUNSUPPORTED, NULL, "unsupported keytype/scheme '%s'/'%s'", kt, sc);
    }
    if (d->pub_form == RKEY_PUB_PEM)
        return rkey_from_spki_pem(out, &d->alg, pub, e);
    uint8_t raw[RKEY_RAW_MAX];
    size_t rawlen;
    if (d->alg.raw_len > sizeof(raw) || rhex_decode(raw, sizeof(raw), &rawlen, (const char *)pub.p, pub.n) != 0 ||
        rawlen != d->alg.raw_len)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "%s public key is not %zu hex characters", d->alg.name,
                        2 * d->alg.raw_len);
    return rkey_from_raw(out, &d->alg, raw, rawlen, e);
}

/* The position of the row whose crypto side is `a`; one past the table
 * when it is none. */
static rkey_scheme scheme_of(const rkey_alg *a)
{
    const rkey_scheme_def *d = rscheme_from_alg(a);
    return d != NULL ? rscheme_id(d) : (rkey_scheme)rscheme_count();
}

rkey_scheme rkey_get_scheme(const rkey *k)
{
    return scheme_of(rkey_alg_of(k));
}

/* Feeds `s` as a canonical-JSON string body: only '"' and '\\' are
 * escaped (OLPC canonical JSON as used by TUF); every other byte,
 * including the newlines of a PEM, goes through unchanged. */
static int hash_json_string(rhash *h, rslice s)
{
    size_t run = 0;
    for (size_t i = 0; i < s.n; i++) {
        if (s.p[i] != '"' && s.p[i] != '\\')
            continue;
        int rc = rhash_update(h, s.p + run, i - run);
        if (rc == 0) {
            const uint8_t esc[2] = {'\\', s.p[i]};
            rc = rhash_update(h, esc, 2);
        }
        if (rc != 0)
            return rc;
        run = i + 1;
    }
    return rhash_update(h, s.p + run, s.n - run);
}

int rkey_compute_keyid(rslice keytype, rslice scheme, rslice pub, char out[65])
{
    if (out == NULL || (keytype.p == NULL && keytype.n) || (scheme.p == NULL && scheme.n) || (pub.p == NULL && pub.n))
        return RAMPART_EINVAL;
    /* {"keytype":KT,"keyval":{"public":PUB},"scheme":SCHEME}: keys sorted, no whitespace. */
    static const char *const lit[] = {"{\"keytype\":\"", "\",\"keyval\":{\"public\":\"", "\"},\"scheme\":\"", "\"}"};
    const rslice val[] = {keytype, pub, scheme};
    rhash h = {NULL, RHASH_UNKNOWN};
    int rc = rhash_init(&h, RHASH_SHA256);
    for (size_t i = 0; rc == 0 && i < RAMPART_ARRAY_LEN(lit); i++) {
        rc = rhash_update(&h, lit[i], strlen(lit[i]));
        if (rc == 0 && i < RAMPART_ARRAY_LEN(val))
            rc = hash_json_string(&h, val[i]);
    }
    uint8_t d[RHASH_MAX_LEN];
    if (rc == 0)
        rc = rhash_final(&h, d);
    rhash_free(&h);
    if (rc == 0)
        rhex_encode(out, d, 32);
    return rc;
}

/* ---- private keys by scheme ------------------------------------------ */

int rprivkey_generate(rprivkey **out, rkey_scheme scheme, unsigned bits, rerr *e)
{
    if (out == NULL)
        return rerr_set(e, RAMPART_EINVAL, NULL, "invalid argument");
    const rkey_scheme_def *d = rscheme_get(scheme);
    if (d == NULL)
        return rerr_set(e, RAMPART_EINVAL, NULL, "unknown key scheme %d", (int)scheme);
    if (d->gen_bits_max != 0 && (bits < d->gen_bits_min || bits > d->gen_bits_max))
        return rerr_set(e, RAMPART_EINVAL, NULL, "new %s keys must have %u to %u bits, not %u", d->alg.ossl_type,
                        d->gen_bits_min, d->gen_bits_max, bits);
    return rprivkey_generate_alg(out, &d->alg, bits, e);
}

int rprivkey_load_pem(rprivkey **out, const uint8_t *pem, size_t n, const char *pass, size_t passlen, rerr *e)
{
    const rkey_alg *algs[RSCHEME_MAX];
    size_t nalgs = rscheme_algs(algs);
    return rprivkey_load_pem_algs(out, pem, n, pass, passlen, algs, nalgs, e);
}

rkey_scheme rprivkey_scheme(const rprivkey *k)
{
    return scheme_of(rprivkey_alg(k));
}

int rprivkey_public_tuf(const rprivkey *k, rbuf *out, rerr *e)
{
    const rkey_scheme_def *d = k != NULL ? rscheme_from_alg(rprivkey_alg(k)) : NULL;
    if (d == NULL || out == NULL)
        return rerr_set(e, RAMPART_EINVAL, NULL, "invalid argument");
    if (d->pub_form == RKEY_PUB_PEM)
        return rprivkey_public_pem(k, out, e);
    uint8_t raw[RKEY_RAW_MAX];
    char hex[2 * RKEY_RAW_MAX + 1];
    size_t n = 0;
    int rc = rprivkey_public_raw(k, raw, &n, e);
    if (rc != 0)
        return rc;
    rhex_encode(hex, raw, n);
    rc = rbuf_append(out, hex, 2 * n);
    return rc == 0 ? 0 : rerr_set(e, rc, NULL, "cannot store the public key");
}
