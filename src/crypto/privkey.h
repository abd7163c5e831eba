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

/* Generates a key.  `rsa_bits` is used for RSA only (>= 3072 enforced for
 * new keys: EINVAL below); ignored otherwise. */
int rprivkey_generate(rprivkey **out, rkey_scheme scheme, unsigned rsa_bits, rerr *e) RAMPART_MUST_USE;

/* Loads a PKCS#8 PEM private key ("PRIVATE KEY" or "ENCRYPTED PRIVATE KEY").
 * `pass` may be NULL for an unencrypted key.  The scheme follows the key:
 * Ed25519 -> ed25519, EC P-256 -> ecdsa-sha2-nistp256, RSA (>= 2048 bits)
 * -> rsassa-pss-sha256.
 * EPASSPHRASE: encrypted and the passphrase is wrong or missing.
 * EFORMAT: not a PKCS#8 PEM private key.  EUNSUPPORTED: another key type or curve. */
int rprivkey_load_pem(rprivkey **out, const uint8_t *pem, size_t n, const char *pass, size_t passlen, rerr *e) RAMPART_MUST_USE;

/* Appends the PKCS#8 PEM of the key to `out`: encrypted (AES-256-CBC with
 * a scrypt or PBKDF2 key derivation) when `pass` is non-NULL and passlen > 0,
 * else plain. */
int rprivkey_to_pem(const rprivkey *k, const char *pass, size_t passlen, rbuf *out, rerr *e) RAMPART_MUST_USE;

rkey_scheme rprivkey_scheme(const rprivkey *k);

/* Appends the TUF "public" value (hex for ed25519, SPKI PEM otherwise) to `out`. */
int rprivkey_public_tuf(const rprivkey *k, rbuf *out, rerr *e) RAMPART_MUST_USE;

/* Signs `msg` with the key's scheme and appends the raw signature bytes
 * (DER for ECDSA; PSS salt length = 32 for RSA) to `sig`. */
int rprivkey_sign(const rprivkey *k, const uint8_t *msg, size_t n, rbuf *sig, rerr *e) RAMPART_MUST_USE;

void rprivkey_free(rprivkey *k);
static inline void rprivkey_free_p(rprivkey **k)
{
    rprivkey_free(*k);
}

#endif
