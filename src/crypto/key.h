/*
 * key.h - public keys and signature verification (OpenSSL 3 EVP).
 *
 * This layer names no key type.  What is done with a key (its OpenSSL key
 * type and curve, the digest and padding of its signatures, the shape a
 * signature must have, the sizes allowed) is read from an rkey_alg, and
 * every rkey_alg is the crypto part of a row of the scheme table
 * (src/keys/scheme.c).  TUF's keytype and scheme strings, the encoding of
 * keyval.public and keyids are src/keys' business (keys/keys.h).
 * Signatures are given as raw bytes (callers hex-decode TUF's "sig").
 */
#ifndef RAMPART_CRYPTO_KEY_H
#define RAMPART_CRYPTO_KEY_H

#include "crypto/hash.h"
#include "util/buf.h"

#define RKEY_FINGERPRINT_LEN 32
/* The longest raw public key (rkey_from_raw, rprivkey_public_raw). */
#define RKEY_RAW_MAX 64
/* rkey_alg.digest of an algorithm that takes the message whole (Ed25519). */
#define RKEY_NO_DIGEST RHASH_UNKNOWN

/* The shape a signature must have, checked before OpenSSL sees it, so that
 * malformed bytes are a plain "bad signature" and never a backend error. */
typedef enum rkey_sig_form {
    RKEY_SIG_FIXED = 0,   /* exactly rkey_alg.sig_len bytes (Ed25519: 64, RFC 8032) */
    RKEY_SIG_MODULUS = 1, /* exactly the modulus length (RSA: RFC 8017 §8.1.2 step 1) */
    RKEY_SIG_DER = 2,     /* an ECDSA-Sig-Value SEQUENCE{r, s} in strict DER, nothing after it */
} rkey_sig_form;

/* The crypto side of one kind of key: static data, referred to (never
 * copied) by the keys made with it. */
typedef struct rkey_alg {
    const char *name;           /* how messages name it ("ed25519", "ecdsa", "rsa") */
    const char *ossl_type;      /* the OpenSSL key type ("ED25519", "EC", "RSA") */
    const char *pkcs8_oid;      /* the PKCS#8 PrivateKeyInfo algorithm, dotted */
    const char *ec_group;       /* EC: the one named curve allowed (OpenSSL's name,
                                   "prime256v1"); explicit parameters are refused.
                                   NULL for other keys. */
    const char *ec_group_label; /* EC: the curve in messages ("P-256") */
    size_t raw_len;             /* > 0: the public key has a raw form of this many bytes */
    rhash_alg digest;           /* the message digest, or RKEY_NO_DIGEST */
    int pss_salt;               /* > 0: RSASSA-PSS with MGF1 over `digest`, signing
                                   with this salt length (verifying reads it from the
                                   signature, so any length verifies); 0: no PSS */
    unsigned rsa_min_bits;      /* RSA: the modulus sizes accepted in public and loaded */
    unsigned rsa_max_bits;      /*   keys (and an odd public exponent >= 3); 0 otherwise */
    rkey_sig_form sig_form;
    size_t sig_len;     /* RKEY_SIG_FIXED: the signature length */
    size_t raw_sig_len; /* ECDSA: the length of a signature's fixed-size r||s
                           form (IEEE P1363), which DSSE also accepts; else 0 */
} rkey_alg;

typedef struct rkey rkey;

/* A public key of kind `a` from its `n` raw bytes (a->raw_len of them).
 * On success *out owns a new key (free with rkey_free); on failure *out is
 * untouched and `e` (may be NULL) says why.  EFORMAT (a kind without a raw
 * form, or the wrong length), EINVAL (NULL out or a, raw NULL with n > 0),
 * ENOMEM, ECRYPTO. */
int rkey_from_raw(rkey **out, const rkey_alg *a, const uint8_t *raw, size_t n, rerr *e) RAMPART_MUST_USE;

/* A public key of kind `a` from `pem`: exactly one "PUBLIC KEY" PEM block
 * (only whitespace around it, no RFC 1421 headers, ASCII only, at most
 * 8 KiB) holding a DER SubjectPublicKeyInfo with no trailing bytes, of
 * OpenSSL key type a->ossl_type; with a->ec_group, on that named curve
 * (explicit parameters refused) with a valid point; with a->rsa_max_bits,
 * of a->rsa_min_bits..a->rsa_max_bits bits with a public exponent that is
 * odd and not 1.  Anything else is EFORMAT.  Ownership and the other
 * errors as rkey_from_raw. */
int rkey_from_spki_pem(rkey **out, const rkey_alg *a, rslice pem, rerr *e) RAMPART_MUST_USE;

/* NULL-safe. */
void rkey_free(rkey *k);
static inline void rkey_free_p(rkey **k)
{
    rkey_free(*k);
}

/* The kind the key was made with.  `k` must not be NULL. */
const rkey_alg *rkey_alg_of(const rkey *k);
/* The key's size in bits as OpenSSL counts it (RSA: the modulus; EC: the
 * group order; Ed25519: 256); 0 when unknown.  `k` must not be NULL. */
unsigned rkey_bits(const rkey *k);
/* SHA-256 of the key's DER SubjectPublicKeyInfo as re-encoded by OpenSSL
 * (EC points uncompressed, named curve): equal exactly when the key
 * material is equal, whatever keyid, keytype label or point encoding it
 * was listed under.  Thresholds count distinct fingerprints.  Returns
 * RKEY_FINGERPRINT_LEN bytes owned by `k` (not NULL). */
const uint8_t *rkey_fingerprint(const rkey *k);

/* Verifies `sig` over `msg` as the key's kind says (Ed25519: pure; ECDSA:
 * the digest, strict DER signature; RSA-PSS: the digest, MGF1 over it, any
 * salt length).  `msg` may be NULL when msglen == 0, `sig` when siglen == 0.
 * Returns 0 when valid, RAMPART_EBADSIG when the signature does not verify
 * (including malformed signature bytes: a wrong length, BER or trailing
 * bytes), RAMPART_ECRYPTO when the backend failed, RAMPART_ENOMEM, and
 * RAMPART_EINVAL for NULL arguments.  Any result other than 0 means "not valid".  Leaves no errors
 * of its own on the OpenSSL error queue. */
int rkey_verify(const rkey *k, const uint8_t *sig, size_t siglen, const uint8_t *msg, size_t msglen) RAMPART_MUST_USE;

#endif
