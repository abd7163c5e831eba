/*
 * legacy.h - digests that Rampart never trusts for integrity but must
 * compute to read other formats: SHA-1 (OpenPGP v4 key fingerprints,
 * RFC 4880 §12.2) and BLAKE2b-512 (minisign's pre-hashed signatures).
 */
#ifndef RAMPART_CRYPTO_LEGACY_H
#define RAMPART_CRYPTO_LEGACY_H

#include "util/buf.h"

typedef enum rlegacy_digest {
    RLEGACY_SHA1 = 0,    /* 20 bytes */
    RLEGACY_BLAKE2B = 1, /* BLAKE2b-512, 64 bytes */
} rlegacy_digest;

/* One-shot digest of `n` bytes of `p` (NULL when n == 0) into `out`
 * (64 bytes of room); *outlen gets the digest length.  0, EINVAL,
 * ECRYPTO (the backend lacks the algorithm or failed). */
int rlegacy_digest_of(rlegacy_digest d, const void *p, size_t n, uint8_t out[64], size_t *outlen) RAMPART_MUST_USE;

#endif
