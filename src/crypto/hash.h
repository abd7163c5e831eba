/*
 * hash.h - SHA-256 / SHA-512 through OpenSSL EVP, one-shot and streaming.
 * Digests are compared with rdigest_eq() (constant time), never memcmp.
 */
#ifndef RAMPART_CRYPTO_HASH_H
#define RAMPART_CRYPTO_HASH_H

#include "util/buf.h"

typedef enum rhash_alg {
    RHASH_UNKNOWN = -1,
    RHASH_SHA256 = 0,
    RHASH_SHA512 = 1,
} rhash_alg;

#define RHASH_MAX_LEN 64

/* "sha256" / "sha512" (exact, lower-case) to an algorithm; RHASH_UNKNOWN otherwise. */
rhash_alg rhash_alg_from_name(const char *name, size_t n);
/* "sha256" / "sha512"; NULL for RHASH_UNKNOWN. */
const char *rhash_alg_name(rhash_alg alg);
/* Digest length in bytes (32 / 64); 0 for RHASH_UNKNOWN. */
size_t rhash_len(rhash_alg alg);

/* A streaming hash.  Zero-initialise or rhash_init before use; rhash_free is
 * NULL-safe and idempotent.  A zeroed, freed or finalised context is inert:
 * rhash_update and rhash_final on it return RAMPART_EINVAL. */
typedef struct rhash {
    void *ctx; /* EVP_MD_CTX; NULL when there is no live context */
    rhash_alg alg;
} rhash;

/* Starts a hash of `alg` in `h`, which must not hold a live context
 * (zeroed or rhash_free'd); `h` is written only on success.
 * EINVAL (h NULL), EUNSUPPORTED (unknown algorithm), ENOMEM, ECRYPTO. */
int rhash_init(rhash *h, rhash_alg alg) RAMPART_MUST_USE;
/* Hashes all `n` bytes of `p` (any size_t length, fed to OpenSSL in pieces
 * of at most 1 GiB, never truncated).  `p` may be NULL when n == 0.
 * EINVAL on an inert context, ECRYPTO on backend failure. */
int rhash_update(rhash *h, const void *p, size_t n) RAMPART_MUST_USE;
/* Writes rhash_len(alg) bytes to `out` (untouched on failure) and ends the
 * context, whether or not it succeeds: it must be rhash_init'ed again
 * before reuse.  EINVAL on an inert context, ECRYPTO on backend failure. */
int rhash_final(rhash *h, uint8_t out[RHASH_MAX_LEN]) RAMPART_MUST_USE;
/* Releases the context and makes `h` inert.  NULL-safe, idempotent. */
void rhash_free(rhash *h);
/* One-shot digest of `n` bytes into `out` (rhash_len(alg) bytes, untouched
 * on failure).  EUNSUPPORTED, EINVAL, ENOMEM, ECRYPTO as above. */
int rhash_digest(rhash_alg alg, const void *p, size_t n, uint8_t out[RHASH_MAX_LEN]) RAMPART_MUST_USE;

/* Constant-time comparison of two digests of `n` bytes (CRYPTO_memcmp).
 * Fails closed: false when either pointer is NULL or n == 0.  The caller
 * checks that both digests have the expected length first. */
bool rdigest_eq(const uint8_t *a, const uint8_t *b, size_t n);

#endif
