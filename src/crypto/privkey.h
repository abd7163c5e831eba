/*
 * privkey.h - private keys for signing (repository tooling): generation,
 * PKCS#8 PEM import/export (optionally passphrase-encrypted) and signing.
 * Secret material lives in OpenSSL's key objects; every buffer that held
 * key bytes or passphrases is wiped before it is released.
 *
 * Like key.h, this names no key type: every key has a kind (an rkey_alg
 * from the scheme table, src/keys/scheme.c) that says how it is generated,
 * recognised in a PKCS#8 file and used to sign.  Choosing the kind from a
 * TUF scheme or a file is src/keys' business (keys/keys.h).
 */
#ifndef RAMPART_CRYPTO_PRIVKEY_H
#define RAMPART_CRYPTO_PRIVKEY_H

#include "crypto/key.h"

typedef struct rprivkey rprivkey;

/* Generates a key of kind `a` (OpenSSL key type a->ossl_type; on the curve
 * a->ec_group when it has one; with `bits` bits and public exponent 65537
 * when a->rsa_max_bits is set: the caller checks `bits`, which is ignored
 * for other kinds).  On success *out owns the key (free with
 * rprivkey_free); on failure it is untouched.  EINVAL (out or a NULL),
 * ENOMEM, ECRYPTO (the generator failed). */
int rprivkey_generate_alg(rprivkey **out, const rkey_alg *a, unsigned bits, rerr *e) RAMPART_MUST_USE;

/* Loads a PKCS#8 PEM private key: `n` bytes that are exactly one
 * "PRIVATE KEY" or "ENCRYPTED PRIVATE KEY" block (only whitespace around
 * it, at most 64 KiB).  `pass`/`passlen` is the passphrase for an
 * encrypted key (any bytes; not NUL-terminated; not copied); it is ignored
 * for a plain key and may be NULL.  The key's kind is the first of the
 * `nalgs` kinds in `algs` whose PKCS#8 algorithm (pkcs8_oid) and curve
 * (ec_group, if it has one) it has.  An EC key is then set to write its
 * public key the one way rkey_from_spki_pem accepts (named curve,
 * uncompressed point).  On success *out owns the key; on failure it is
 * untouched.
 * EPASSPHRASE: encrypted and the passphrase is missing (NULL or passlen 0)
 *   or wrong; altered ciphertext cannot be told from a wrong passphrase
 *   and gives the same code.
 * EFORMAT: not exactly one PKCS#8 PEM block (e.g. garbage, a traditional
 *   "EC PRIVATE KEY" / "RSA PRIVATE KEY", a legacy Proc-Type encrypted
 *   PEM, a public key), malformed key data, or an RSA key outside the
 *   kind's rsa_min_bits..rsa_max_bits.
 * EUNSUPPORTED: an algorithm no kind has (DSA, X25519, ...), or a curve
 *   none of the kinds with that algorithm has (P-384, ...).
 * EINVAL: out NULL, pem NULL with n > 0, algs NULL with nalgs > 0, passlen
 *   > INT_MAX, or a passphrase containing a NUL byte (OpenSSL would
 *   silently ignore every byte after it).  ENOMEM. */
int rprivkey_load_pem_algs(rprivkey **out, const uint8_t *pem, size_t n, const char *pass, size_t passlen,
                           const rkey_alg *const *algs, size_t nalgs, rerr *e) RAMPART_MUST_USE;

/* Appends the PKCS#8 PEM of the key to `out`: an "ENCRYPTED PRIVATE KEY"
 * (PBES2: scrypt N=2^14 r=8 p=1 with a random 16-byte salt, AES-256-CBC)
 * when `pass` is non-NULL and passlen > 0, else a plain "PRIVATE KEY".
 * A plain PEM is the secret itself: give an rbuf_init_secret() buffer.
 * `out` is unchanged on failure.  EINVAL (also for a passphrase holding a
 * NUL byte, or longer than INT_MAX), ETOOLARGE / ENOMEM (from `out`), ECRYPTO. */
int rprivkey_to_pem(const rprivkey *k, const char *pass, size_t passlen, rbuf *out, rerr *e) RAMPART_MUST_USE;

/* The key's kind.  `k` must not be NULL. */
const rkey_alg *rprivkey_alg(const rprivkey *k);

/* Writes the raw public key (alg->raw_len bytes, at most RKEY_RAW_MAX) to
 * `raw` and its length to *len.  EINVAL for a kind without a raw form,
 * ECRYPTO. */
int rprivkey_public_raw(const rprivkey *k, uint8_t raw[RKEY_RAW_MAX], size_t *len, rerr *e) RAMPART_MUST_USE;

/* Appends the public key as a "PUBLIC KEY" SPKI PEM, ending in a newline
 * (uncompressed point for EC), to `out`, which is unchanged on failure.
 * EINVAL, ETOOLARGE / ENOMEM, ECRYPTO. */
int rprivkey_public_pem(const rprivkey *k, rbuf *out, rerr *e) RAMPART_MUST_USE;

/* Signs the `n` bytes of `msg` (NULL allowed when n == 0) as the key's kind
 * says and appends the raw signature to `sig`: 64 bytes for Ed25519 (pure,
 * deterministic), DER for ECDSA over the digest (randomised), the modulus
 * size for RSA-PSS with the digest, MGF1 over it and the kind's salt
 * length.  `sig` is unchanged on failure.  EINVAL, ETOOLARGE / ENOMEM,
 * ECRYPTO. */
int rprivkey_sign(const rprivkey *k, const uint8_t *msg, size_t n, rbuf *sig, rerr *e) RAMPART_MUST_USE;

/* Frees the key; OpenSSL wipes the private key material.  NULL-safe. */
void rprivkey_free(rprivkey *k);
static inline void rprivkey_free_p(rprivkey **k)
{
    rprivkey_free(*k);
}

#endif
