/* legacy.c - SHA-1 and BLAKE2b-512 one-shot digests (legacy.h). */
#include "crypto/legacy.h"
#include "crypto/ossl.h"
#include "util/banned.h"

int rlegacy_digest_of(rlegacy_digest d, const void *p, size_t n, uint8_t out[64], size_t *outlen)
{
    if (out == NULL || outlen == NULL || (p == NULL && n > 0))
        return RAMPART_EINVAL;
    static const uint8_t empty = 0;
    rcrypto_err_begin();
    EVP_MD *md = EVP_MD_fetch(NULL, d == RLEGACY_SHA1 ? "SHA1" : "BLAKE2B-512", NULL);
    unsigned len = 0;
    int ok = md != NULL && EVP_Digest(n > 0 ? p : &empty, n, out, &len, md, NULL) == 1;
    EVP_MD_free(md);
    rcrypto_err_end();
    if (!ok || len > 64)
        return RAMPART_ECRYPTO;
    *outlen = len;
    return 0;
}
