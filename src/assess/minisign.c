/* minisign.c - minisign signatures (minisign.h), verified with the crypto
 * layer's Ed25519 and BLAKE2b-512. */
#include <string.h>

#include "assess/minisign.h"
#include "crypto/key.h"
#include "crypto/legacy.h"
#include "keys/scheme.h"
#include "util/codec.h"
#include "util/banned.h"

static bool line(const uint8_t **p, const uint8_t *end, rslice *l)
{
    if (*p >= end)
        return false;
    const uint8_t *nl = memchr(*p, '\n', (size_t)(end - *p));
    const uint8_t *stop = nl != NULL ? nl : end;
    *l = (rslice){.p = *p, .n = (size_t)(stop - *p)};
    if (l->n > 0 && l->p[l->n - 1] == '\r')
        l->n--;
    *p = nl != NULL ? nl + 1 : end;
    return true;
}

static bool prefixed(rslice l, const char *pre, rslice *rest)
{
    size_t k = strlen(pre);
    if (l.n < k || memcmp(l.p, pre, k) != 0)
        return false;
    *rest = (rslice){.p = l.p + k, .n = l.n - k};
    return true;
}

static bool b64(rslice l, size_t want, uint8_t *out)
{
    RAMPART_AUTO(rbuf_free) rbuf b;
    rbuf_init(&b, 128);
    if (rb64_decode(&b, (const char *)l.p, l.n, RB64_STD) != 0 || b.len != want)
        return false;
    memcpy(out, b.data, want);
    return true;
}

int minisign_parse_sig(const uint8_t *in, size_t n, minisig *out, rerr *e)
{
    if (n > MINISIG_MAX)
        return rerr_set(e, RAMPART_ETOOLARGE, NULL, "minisign signature larger than %d bytes", MINISIG_MAX);
    const uint8_t *p = in, *end = in + n;
    rslice l[4], rest;
    for (int i = 0; i < 4; i++)
        if (!line(&p, end, &l[i]))
            return rerr_set(e, RAMPART_EFORMAT, NULL, "minisign signature: fewer than 4 lines");
    for (; p < end; p++)
        if (*p != '\n' && *p != '\r')
            return rerr_set(e, RAMPART_EFORMAT, NULL, "minisign signature: data after 4 lines");
    uint8_t head[74];
    if (!prefixed(l[0], "untrusted comment: ", &rest) || !b64(l[1], 74, head) ||
        !prefixed(l[2], "trusted comment: ", &out->trusted) || !b64(l[3], 64, out->global))
        return rerr_set(e, RAMPART_EFORMAT, NULL, "not a minisign signature");
    if (head[0] != 'E' || (head[1] != 'd' && head[1] != 'D'))
        return rerr_set(e, RAMPART_EFORMAT, NULL, "minisign signature: unknown algorithm");
    out->prehashed = head[1] == 'D';
    memcpy(out->keyid, head + 2, 8);
    memcpy(out->sig, head + 10, 64);
    return 0;
}

int minisign_parse_key(const char *text, size_t n, minisign_key *out, rerr *e)
{
    const uint8_t *p = (const uint8_t *)text, *end = p + n;
    rslice l, rest;
    uint8_t raw[42];
    bool found = false;
    while (!found && line(&p, end, &l)) {
        if (l.n == 0 || prefixed(l, "untrusted comment: ", &rest))
            continue;
        if (!b64(l, 42, raw) || raw[0] != 'E' || raw[1] != 'd')
            return rerr_set(e, RAMPART_EFORMAT, NULL, "not a minisign public key");
        found = true;
    }
    if (!found)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "no minisign public key");
    memcpy(out->keyid, raw + 2, 8);
    memcpy(out->pk, raw + 10, 32);
    return 0;
}

int minisign_verify(const minisig *sig, const minisign_key *key, const uint8_t *data, size_t n, rerr *e)
{
    if (memcmp(sig->keyid, key->keyid, 8) != 0)
        return rerr_set(e, RAMPART_EBADSIG, NULL, "signed by another minisign key");
    RAMPART_AUTO(rkey_free) rkey *k = NULL;
    int rc = rkey_from_raw(&k, &rscheme_get(RKEY_ED25519)->alg, key->pk, 32, e);
    if (rc != 0)
        return rc;
    uint8_t h[64];
    size_t hl = 0;
    const uint8_t *msg = data;
    if (sig->prehashed) {
        rc = rlegacy_digest_of(RLEGACY_BLAKE2B, data, n, h, &hl);
        if (rc != 0)
            return rerr_set(e, rc, NULL, "cannot compute BLAKE2b-512");
        msg = h, n = hl;
    }
    if (rkey_verify(k, sig->sig, 64, msg, n) != 0)
        return rerr_set(e, RAMPART_EBADSIG, NULL, "minisign signature does not verify");
    /* The global signature covers the signature and the trusted comment. */
    RAMPART_AUTO(rbuf_free) rbuf g;
    rbuf_init(&g, 64 + MINISIG_MAX);
    if (rbuf_append(&g, sig->sig, 64) != 0 || rbuf_append(&g, sig->trusted.p, sig->trusted.n) != 0)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    if (rkey_verify(k, sig->global, 64, g.data, g.len) != 0)
        return rerr_set(e, RAMPART_EBADSIG, NULL, "minisign trusted comment signature does not verify");
    return 0;
}
