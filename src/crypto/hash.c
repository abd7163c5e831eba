/* hash.c - SHA-256 / SHA-512 through OpenSSL EVP, one-shot and streaming. */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "crypto/hash.h"
#include "crypto/ossl.h"
#include "util/banned.h"

/* EVP_DigestUpdate takes a size_t, but feeding it bounded pieces keeps every
 * provider (including ones that keep lengths in narrower types) honest and
 * guarantees that a length of any size is hashed whole, never truncated. */
#define RHASH_CHUNK ((size_t)1 << 30)

rhash_alg rhash_alg_from_name(const char *name, size_t n)
{
    if (name == NULL || n != 6)
        return RHASH_UNKNOWN;
    if (memcmp(name, "sha256", 6) == 0)
        return RHASH_SHA256;
    if (memcmp(name, "sha512", 6) == 0)
        return RHASH_SHA512;
    return RHASH_UNKNOWN;
}

const char *rhash_alg_name(rhash_alg alg)
{
    switch (alg) {
    case RHASH_SHA256:
        return "sha256";
    case RHASH_SHA512:
        return "sha512";
    default:
        return NULL;
    }
}

size_t rhash_len(rhash_alg alg)
{
    switch (alg) {
    case RHASH_SHA256:
        return 32;
    case RHASH_SHA512:
        return 64;
    default:
        return 0;
    }
}

static const EVP_MD *rhash_md(rhash_alg alg)
{
    switch (alg) {
    case RHASH_SHA256:
        return EVP_sha256();
    case RHASH_SHA512:
        return EVP_sha512();
    default:
        return NULL;
    }
}

int rcrypto_md(rhash_alg alg, const EVP_MD **md)
{
    const EVP_MD *m = rhash_md(alg);
    if (m == NULL && alg != RHASH_UNKNOWN)
        return RAMPART_ECRYPTO;
    *md = m;
    return 0;
}

int rhash_init(rhash *h, rhash_alg alg)
{
    if (h == NULL)
        return RAMPART_EINVAL;
    const EVP_MD *md = rhash_md(alg);
    if (md == NULL)
        return RAMPART_EUNSUPPORTED;
    int rc = RAMPART_ECRYPTO;
    rcrypto_err_begin();
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx == NULL) {
        rc = RAMPART_ENOMEM;
        goto out;
    }
    if (EVP_DigestInit_ex(ctx, md, NULL) != 1)
        goto out;
    h->ctx = ctx;
    h->alg = alg;
    ctx = NULL;
    rc = 0;
out:
    EVP_MD_CTX_free(ctx);
    rcrypto_err_end();
    return rc;
}

int rhash_update(rhash *h, const void *p, size_t n)
{
    /* A zeroed, freed or finalised context has no EVP context. */
    if (h == NULL || h->ctx == NULL || (p == NULL && n != 0))
        return RAMPART_EINVAL;
    const uint8_t *q = p;
    int rc = 0;
    rcrypto_err_begin();
    while (n > 0) {
        size_t k = n < RHASH_CHUNK ? n : RHASH_CHUNK;
        if (EVP_DigestUpdate(h->ctx, q, k) != 1) {
            rc = RAMPART_ECRYPTO;
            break;
        }
        q += k;
        n -= k;
    }
    rcrypto_err_end();
    return rc;
}

int rhash_final(rhash *h, uint8_t out[RHASH_MAX_LEN])
{
    if (h == NULL || h->ctx == NULL || out == NULL)
        return RAMPART_EINVAL;
    uint8_t md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    size_t want = rhash_len(h->alg);
    int rc = RAMPART_ECRYPTO;
    rcrypto_err_begin();
    if (EVP_DigestFinal_ex(h->ctx, md, &len) != 1)
        goto out;
    if (want == 0 || len != want || want > RHASH_MAX_LEN) {
        rc = RAMPART_EINTERNAL;
        goto out;
    }
    memcpy(out, md, want);
    rc = 0;
out:
    /* Finalising ends the context either way, so a later update fails
     * with EINVAL instead of hashing into an undefined state. */
    rhash_free(h);
    OPENSSL_cleanse(md, sizeof(md));
    rcrypto_err_end();
    return rc;
}

void rhash_free(rhash *h)
{
    if (h == NULL)
        return;
    EVP_MD_CTX_free(h->ctx);
    h->ctx = NULL;
    h->alg = RHASH_UNKNOWN;
}

int rhash_digest(rhash_alg alg, const void *p, size_t n, uint8_t out[RHASH_MAX_LEN])
{
    if (out == NULL)
        return RAMPART_EINVAL;
    rhash h = {NULL, RHASH_UNKNOWN};
    int rc = rhash_init(&h, alg);
    if (rc != 0)
        return rc;
    rc = rhash_update(&h, p, n);
    if (rc == 0)
        rc = rhash_final(&h, out);
    rhash_free(&h);
    return rc;
}

bool rdigest_eq(const uint8_t *a, const uint8_t *b, size_t n)
{
    /* Nothing compares equal to a missing or empty digest: fail closed. */
    if (a == NULL || b == NULL || n == 0)
        return false;
    return CRYPTO_memcmp(a, b, n) == 0;
}
