/*
 * key.h - TUF public keys and signature verification (OpenSSL 3 EVP).
 *
 * Supported (keytype / scheme / public encoding):
 *   ed25519          / ed25519              / 64 hex chars (32 raw bytes)
 *   ecdsa or ecdsa-sha2-nistp256 / ecdsa-sha2-nistp256 / PEM SubjectPublicKeyInfo (P-256), DER signatures
 *   rsa              / rsassa-pss-sha256    / PEM SubjectPublicKeyInfo, >= 2048 bits, PSS with
 *                                             MGF1-SHA256, salt length auto-detected on verify
 * Anything else is RAMPART_EUNSUPPORTED.  Signatures are given as raw bytes
 * (callers hex-decode TUF's "sig").
 */
#ifndef RAMPART_CRYPTO_KEY_H
#define RAMPART_CRYPTO_KEY_H

#include "util/buf.h"

typedef enum rkey_scheme {
    RKEY_ED25519 = 0,
    RKEY_ECDSA_P256 = 1,
    RKEY_RSA_PSS_SHA256 = 2,
} rkey_scheme;

#define RKEY_FINGERPRINT_LEN 32
#define RKEY_RSA_MIN_BITS 2048

/* The TUF keytype and scheme strings a key of `scheme` is written with
 * ("ed25519"/"ed25519", "ecdsa"/"ecdsa-sha2-nistp256", "rsa"/"rsassa-pss-sha256"). */
const char *rkey_scheme_keytype(rkey_scheme s);
const char *rkey_scheme_name(rkey_scheme s);

typedef struct rkey rkey;

/* Builds a public key from the three fields of a TUF key object.
 * EUNSUPPORTED: unknown keytype or scheme, or a keytype/scheme mismatch.
 * EFORMAT: malformed key material (wrong ed25519 length, bad hex or PEM, a
 *   PEM holding another key type or curve, RSA below 2048 bits, trailing data).
 * ENOMEM, ECRYPTO. */
int rkey_from_tuf(rkey **out, rslice keytype, rslice scheme, rslice pub, rerr *e) RAMPART_MUST_USE;
void rkey_free(rkey *k);
static inline void rkey_free_p(rkey **k)
{
    rkey_free(*k);
}

rkey_scheme rkey_get_scheme(const rkey *k);
/* SHA-256 of the key's DER SubjectPublicKeyInfo: equal exactly when the key
 * material is equal, whatever keyid or keytype label it was listed under.
 * Thresholds count distinct fingerprints. */
const uint8_t *rkey_fingerprint(const rkey *k);

/* Verifies `sig` over `msg` with the key's scheme.
 * Returns 0 when valid, RAMPART_EBADSIG when the signature does not verify
 * (including malformed signature bytes), RAMPART_ECRYPTO when the backend
 * failed.  Any result other than 0 means "not valid". */
int rkey_verify(const rkey *k, const uint8_t *sig, size_t siglen, const uint8_t *msg, size_t msglen) RAMPART_MUST_USE;

/* The TUF keyid of a key: lower-case hex SHA-256 of the canonical JSON
 * {"keytype":KT,"keyval":{"public":PUB},"scheme":SCHEME}. out: 65 bytes. */
int rkey_compute_keyid(rslice keytype, rslice scheme, rslice pub, char out[65]) RAMPART_MUST_USE;

#endif
