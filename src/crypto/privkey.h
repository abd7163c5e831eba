/*
 * privkey.h - private keys for signing (repository tooling): generation,
 * PKCS#8 PEM import/export (optionally passphrase-encrypted) and signing.
 * Secret material lives in OpenSSL's key objects; every buffer that held
 * key bytes or passphrases is wiped before it is released.
 */
#ifndef RAMPART_CRYPTO_PRIVKEY_H
#define RAMPART_CRYPTO_PRIVKEY_H

#include "crypto/key.h"

typedef struct rprivkey rprivkey;

/* Bounds on the size of new RSA keys (loaded keys may have 2048 bits). */
#define RPRIVKEY_RSA_GEN_MIN_BITS 3072
#define RPRIVKEY_RSA_GEN_MAX_BITS 8192

/* Generates a key for `scheme`: Ed25519, ECDSA on P-256, or RSA with
 * `rsa_bits` bits (public exponent 65537).  `rsa_bits` is ignored for the
 * other schemes.  On success *out owns the key (free with rprivkey_free);
 * on failure it is untouched.
 * EINVAL: out NULL, an unknown scheme, or rsa_bits outside
 * RPRIVKEY_RSA_GEN_MIN_BITS..RPRIVKEY_RSA_GEN_MAX_BITS for RSA.
 * ENOMEM, ECRYPTO (the generator failed). */
int rprivkey_generate(rprivkey **out, rkey_scheme scheme, unsigned rsa_bits, rerr *e) RAMPART_MUST_USE;

/* Loads a PKCS#8 PEM private key: `n` bytes that are exactly one
 * "PRIVATE KEY" or "ENCRYPTED PRIVATE KEY" block (only whitespace around
 * it, at most 64 KiB).  `pass`/`passlen` is the passphrase for an
 * encrypted key (any bytes; not NUL-terminated; not copied); it is ignored
 * for a plain key and may be NULL.  The scheme follows the key:
 * Ed25519 -> ed25519, EC P-256 -> ecdsa-sha2-nistp256, RSA (2048 to 16384
 * bits) -> rsassa-pss-sha256.  On success *out owns the key; on failure it
 * is untouched.
 * EPASSPHRASE: encrypted and the passphrase is missing (NULL or passlen 0)
 *   or wrong; altered ciphertext cannot be told from a wrong passphrase
 *   and gives the same code.
 * EFORMAT: not exactly one PKCS#8 PEM block (e.g. garbage, a traditional
 *   "EC PRIVATE KEY" / "RSA PRIVATE KEY", a legacy Proc-Type encrypted
 *   PEM, a public key), malformed key data, or RSA outside 2048..16384 bits.
 * EUNSUPPORTED: another key type (DSA, X25519, ...) or curve (P-384, ...).
 * EINVAL: out NULL, pem NULL with n > 0, passlen > INT_MAX, or a
 *   passphrase containing a NUL byte (OpenSSL would silently ignore every
 *   byte after it).  ENOMEM. */
int rprivkey_load_pem(rprivkey **out, const uint8_t *pem, size_t n, const char *pass, size_t passlen,
                      rerr *e) RAMPART_MUST_USE;

/* Appends the PKCS#8 PEM of the key to `out`: an "ENCRYPTED PRIVATE KEY"
 * (PBES2: scrypt N=2^14 r=8 p=1 with a random 16-byte salt, AES-256-CBC)
 * when `pass` is non-NULL and passlen > 0, else a plain "PRIVATE KEY".
 * A plain PEM is the secret itself: give an rbuf_init_secret() buffer.
 * `out` is unchanged on failure.  EINVAL (also for a passphrase holding a
 * NUL byte, or longer than INT_MAX), ETOOLARGE / ENOMEM (from `out`), ECRYPTO. */
int rprivkey_to_pem(const rprivkey *k, const char *pass, size_t passlen, rbuf *out, rerr *e) RAMPART_MUST_USE;

/* The key's scheme.  `k` must not be NULL. */
rkey_scheme rprivkey_scheme(const rprivkey *k);

/* Appends the TUF "public" value to `out`: 64 lower-case hex characters for
 * ed25519, a "PUBLIC KEY" SPKI PEM (uncompressed point for EC, ending in a
 * newline) otherwise; rkey_from_tuf() accepts it with the keytype and
 * scheme of rkey_scheme_keytype() / rkey_scheme_name().  `out` is unchanged
 * on failure.  EINVAL, ETOOLARGE / ENOMEM, ECRYPTO. */
int rprivkey_public_tuf(const rprivkey *k, rbuf *out, rerr *e) RAMPART_MUST_USE;

/* Signs the `n` bytes of `msg` (NULL allowed when n == 0) with the key's
 * scheme and appends the raw signature to `sig`: 64 bytes for Ed25519
 * (pure, deterministic), DER for ECDSA over SHA-256 (randomised), the
 * modulus size for RSA-PSS with SHA-256, MGF1-SHA256 and a 32-byte salt.
 * `sig` is unchanged on failure.  EINVAL, ETOOLARGE / ENOMEM, ECRYPTO. */
int rprivkey_sign(const rprivkey *k, const uint8_t *msg, size_t n, rbuf *sig, rerr *e) RAMPART_MUST_USE;

/* Frees the key; OpenSSL wipes the private key material.  NULL-safe. */
void rprivkey_free(rprivkey *k);
static inline void rprivkey_free_p(rprivkey **k)
{
    rprivkey_free(*k);
}

#endif
