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
 * ("ed25519"/"ed25519", "ecdsa"/"ecdsa-sha2-nistp256", "rsa"/"rsassa-pss-sha256").
 * Static strings; NULL for a value outside the enum. */
const char *rkey_scheme_keytype(rkey_scheme s);
const char *rkey_scheme_name(rkey_scheme s);

typedef struct rkey rkey;

/* Builds a public key from the three fields of a TUF key object (compared
 * exactly, byte for byte; the slices are not kept).  On success *out owns a
 * new key (free with rkey_free); on failure *out is untouched and `e` (may
 * be NULL) says why.
 * EUNSUPPORTED: unknown keytype or scheme, or a keytype/scheme mismatch
 *   (judged before the key material is looked at).
 * EFORMAT: malformed key material: an ed25519 key that is not exactly 64
 *   hex characters; for ecdsa/rsa anything but exactly one "PUBLIC KEY"
 *   PEM block (only whitespace around it, no RFC 1421 headers, ASCII only,
 *   at most 8 KiB) holding a DER SubjectPublicKeyInfo with no trailing
 *   bytes; an EC key not on the named curve P-256 (explicit parameters
 *   refused) or with an invalid point; an RSA key (rsaEncryption) outside
 *   2048..16384 bits or with a public exponent that is even or 1.
 * EINVAL (out NULL, or a NULL slice with a non-zero length), ENOMEM, ECRYPTO. */
int rkey_from_tuf(rkey **out, rslice keytype, rslice scheme, rslice pub, rerr *e) RAMPART_MUST_USE;
/* NULL-safe. */
void rkey_free(rkey *k);
static inline void rkey_free_p(rkey **k)
{
    rkey_free(*k);
}

/* The key's scheme.  `k` must not be NULL. */
rkey_scheme rkey_get_scheme(const rkey *k);
/* SHA-256 of the key's DER SubjectPublicKeyInfo as re-encoded by OpenSSL
 * (EC points uncompressed, named curve): equal exactly when the key
 * material is equal, whatever keyid, keytype label or point encoding it
 * was listed under.  Thresholds count distinct fingerprints.  Returns
 * RKEY_FINGERPRINT_LEN bytes owned by `k` (not NULL). */
const uint8_t *rkey_fingerprint(const rkey *k);

/* Verifies `sig` over `msg` with the key's scheme (ed25519: pure Ed25519;
 * ecdsa: SHA-256, strict DER signature; rsa: PSS, SHA-256, MGF1-SHA256, any
 * salt length).  `msg` may be NULL when msglen == 0, `sig` when siglen == 0.
 * Returns 0 when valid, RAMPART_EBADSIG when the signature does not verify
 * (including malformed signature bytes: a wrong length, BER or trailing
 * bytes), RAMPART_ECRYPTO when the backend failed, RAMPART_ENOMEM, and
 * RAMPART_EINVAL for NULL arguments.  Any result other than 0 means "not valid".  Leaves no errors
 * of its own on the OpenSSL error queue. */
int rkey_verify(const rkey *k, const uint8_t *sig, size_t siglen, const uint8_t *msg, size_t msglen) RAMPART_MUST_USE;

/* The TUF keyid of a key: lower-case hex SHA-256 of the canonical JSON
 * {"keytype":KT,"keyval":{"public":PUB},"scheme":SCHEME} (keys sorted, no
 * whitespace, only '"' and '\\' escaped, every other byte verbatim).  The
 * inputs are not validated.  out: 65 bytes, NUL-terminated, written only
 * on success.  EINVAL, ENOMEM, ECRYPTO. */
int rkey_compute_keyid(rslice keytype, rslice scheme, rslice pub, char out[65]) RAMPART_MUST_USE;

#endif
