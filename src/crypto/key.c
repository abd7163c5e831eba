/* key.c - TUF public keys: parsing, fingerprints, keyids and verification. */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "crypto/hash.h"
#include "crypto/key.h"
#include "crypto/ossl.h"
#include "util/codec.h"
#include "util/banned.h"

/* The largest public key PEM accepted: an RSA-16384 SPKI is about 2.8 KB. */
#define RKEY_PEM_MAX 8192
/* OpenSSL refuses to verify with larger moduli (OPENSSL_RSA_MAX_MODULUS_BITS);
 * refusing them here reports the problem when the key is read. */
#define RKEY_RSA_MAX_BITS 16384
#define ED25519_KEY_LEN 32
#define ED25519_SIG_LEN 64

struct rkey {
    rkey_scheme scheme;
    EVP_PKEY *pkey;
    uint8_t fingerprint[RKEY_FINGERPRINT_LEN];
};

const char *rkey_scheme_keytype(rkey_scheme s)
{
    switch (s) {
    case RKEY_ED25519:
        return "ed25519";
    case RKEY_ECDSA_P256:
        return "ecdsa";
    case RKEY_RSA_PSS_SHA256:
        return "rsa";
    default:
        return NULL;
    }
}

const char *rkey_scheme_name(rkey_scheme s)
{
    switch (s) {
    case RKEY_ED25519:
        return "ed25519";
    case RKEY_ECDSA_P256:
        return "ecdsa-sha2-nistp256";
    case RKEY_RSA_PSS_SHA256:
        return "rsassa-pss-sha256";
    default:
        return NULL;
    }
}

/* The scheme names the algorithm; the keytype must be one of the labels
 * that go with it.  0 or EUNSUPPORTED. */
static int scheme_from_tuf(rslice keytype, rslice scheme, rkey_scheme *out)
{
    if (rslice_eq_cstr(scheme, "ed25519")) {
        if (!rslice_eq_cstr(keytype, "ed25519"))
            return RAMPART_EUNSUPPORTED;
        *out = RKEY_ED25519;
        return 0;
    }
    if (rslice_eq_cstr(scheme, "ecdsa-sha2-nistp256")) {
        if (!rslice_eq_cstr(keytype, "ecdsa") && !rslice_eq_cstr(keytype, "ecdsa-sha2-nistp256"))
            return RAMPART_EUNSUPPORTED;
        *out = RKEY_ECDSA_P256;
        return 0;
    }
    if (rslice_eq_cstr(scheme, "rsassa-pss-sha256")) {
        if (!rslice_eq_cstr(keytype, "rsa"))
            return RAMPART_EUNSUPPORTED;
        *out = RKEY_RSA_PSS_SHA256;
        return 0;
    }
    return RAMPART_EUNSUPPORTED;
}

static int ed25519_from_hex(rslice pub, EVP_PKEY **out, rerr *e)
{
    uint8_t raw[ED25519_KEY_LEN];
    size_t rawlen;
    if (rhex_decode(raw, sizeof(raw), &rawlen, (const char *)pub.p, pub.n) != 0 || rawlen != sizeof(raw))
        return rerr_set(e, RAMPART_EFORMAT, NULL, "ed25519 public key is not 64 hex characters");
    EVP_PKEY *pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, raw, sizeof(raw));
    if (pk == NULL)
        return rerr_set(e, RAMPART_ECRYPTO, NULL, "cannot build an ed25519 key");
    *out = pk;
    return 0;
}

/* The P-256 checks: an EC key on the named curve prime256v1 (explicit curve
 * parameters are refused, so one key has one encoding) with a valid point. */
static int check_p256(EVP_PKEY *pk, rerr *e)
{
    char group[64];
    size_t glen = 0;
    if (EVP_PKEY_is_a(pk, "EC") != 1)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "ecdsa key material is not an EC key");
    if (EVP_PKEY_get_group_name(pk, group, sizeof(group), &glen) != 1 || strcmp(group, SN_X9_62_prime256v1) != 0)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "ecdsa key is not on the named curve P-256");
    char enc[32];
    if (EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_EC_ENCODING, enc, sizeof(enc), NULL) != 1 ||
        strcmp(enc, OSSL_PKEY_EC_ENCODING_GROUP) != 0)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "ecdsa key uses explicit curve parameters");
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL);
    if (c == NULL)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    int ok = EVP_PKEY_public_check(c);
    EVP_PKEY_CTX_free(c);
    if (ok != 1)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "ecdsa public point is invalid");
    /* One key, one fingerprint: re-encode a compressed or hybrid point in
     * the uncompressed form before the SPKI is hashed. */
    if (EVP_PKEY_set_utf8_string_param(pk, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                                       OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_UNCOMPRESSED) != 1)
        return rerr_set(e, RAMPART_ECRYPTO, NULL, "cannot normalise the ecdsa point format");
    return 0;
}

/* RSA (rsaEncryption, not the RSASSA-PSS key OID) of 2048..16384 bits with
 * an odd public exponent >= 3 (e = 1 would make every value a signature). */
static int check_rsa(EVP_PKEY *pk, rerr *e)
{
    if (EVP_PKEY_is_a(pk, "RSA") != 1)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "rsa key material is not an RSA key");
    int bits = EVP_PKEY_get_bits(pk);
    if (bits < RKEY_RSA_MIN_BITS || bits > RKEY_RSA_MAX_BITS)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "rsa key has %d bits (allowed: %d to %d)", bits, RKEY_RSA_MIN_BITS,
                        RKEY_RSA_MAX_BITS);
    BIGNUM *pe = NULL;
    if (EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_E, &pe) != 1)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "rsa key has no public exponent");
    bool ok = BN_is_odd(pe) == 1 && BN_is_one(pe) != 1 && BN_is_negative(pe) != 1;
    BN_free(pe);
    if (!ok)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "rsa public exponent is not an odd number >= 3");
    return 0;
}

/* Exactly one "PUBLIC KEY" PEM block holding a DER SubjectPublicKeyInfo with
 * no trailing bytes, then the per-scheme checks. */
static int spki_from_pem(rkey_scheme s, rslice pub, EVP_PKEY **out, rerr *e)
{
    rcrypto_pem pem = {NULL, NULL, 0};
    EVP_PKEY *pk = NULL;
    int rc = rcrypto_pem_read_one(pub.p, pub.n, RKEY_PEM_MAX, &pem);
    if (rc != 0) {
        rc = rerr_set(e, RAMPART_EFORMAT, NULL, "public key is not exactly one PEM block");
        goto out;
    }
    if (strcmp(pem.name, "PUBLIC KEY") != 0) {
        rc = rerr_set(e, RAMPART_EFORMAT, NULL, "PEM block is not a PUBLIC KEY");
        goto out;
    }
    const unsigned char *p = pem.data;
    pk = d2i_PUBKEY(NULL, &p, pem.len);
    if (pk == NULL || p != pem.data + pem.len) {
        rc = rerr_set(e, RAMPART_EFORMAT, NULL, "PUBLIC KEY is not a well-formed SubjectPublicKeyInfo");
        goto out;
    }
    rc = s == RKEY_ECDSA_P256 ? check_p256(pk, e) : check_rsa(pk, e);
    if (rc != 0)
        goto out;
    *out = pk;
    pk = NULL;
out:
    EVP_PKEY_free(pk);
    rcrypto_pem_free(&pem);
    return rc;
}

/* SHA-256 of the DER SubjectPublicKeyInfo, encoded by us from the parsed
 * key, so equal key material gives equal bytes whatever the input said. */
static int spki_fingerprint(EVP_PKEY *pk, uint8_t fp[RKEY_FINGERPRINT_LEN])
{
    int len = i2d_PUBKEY(pk, NULL);
    if (len <= 0)
        return RAMPART_ECRYPTO;
    unsigned char *der = rampart_malloc((size_t)len);
    if (der == NULL)
        return RAMPART_ENOMEM;
    unsigned char *q = der;
    int rc = RAMPART_ECRYPTO;
    uint8_t d[RHASH_MAX_LEN];
    if (i2d_PUBKEY(pk, &q) != len || q != der + len)
        goto out;
    rc = rhash_digest(RHASH_SHA256, der, (size_t)len, d);
    if (rc == 0)
        memcpy(fp, d, RKEY_FINGERPRINT_LEN);
out:
    rampart_free(der);
    return rc;
}

int rkey_from_tuf(rkey **out, rslice keytype, rslice scheme, rslice pub, rerr *e)
{
    if (out == NULL || (keytype.p == NULL && keytype.n) || (scheme.p == NULL && scheme.n) || (pub.p == NULL && pub.n))
        return rerr_set(e, RAMPART_EINVAL, NULL, "invalid argument");
    rkey_scheme s;
    if (scheme_from_tuf(keytype, scheme, &s) != 0) {
        char kt[64], sc[64];
        rampart_sanitize(kt, sizeof(kt), (const char *)keytype.p, keytype.n);
        rampart_sanitize(sc, sizeof(sc), (const char *)scheme.p, scheme.n);
        return rerr_set(e, RAMPART_EUNSUPPORTED, NULL, "unsupported keytype/scheme '%s'/'%s'", kt, sc);
    }
    rcrypto_err_begin();
    EVP_PKEY *pk = NULL;
    rkey *k = NULL;
    int rc = s == RKEY_ED25519 ? ed25519_from_hex(pub, &pk, e) : spki_from_pem(s, pub, &pk, e);
    if (rc != 0)
        goto out;
    k = rampart_calloc(1, sizeof(*k));
    if (k == NULL) {
        rc = rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
        goto out;
    }
    rc = spki_fingerprint(pk, k->fingerprint);
    if (rc != 0) {
        rc = rerr_set(e, rc, NULL, "cannot fingerprint the public key");
        goto out;
    }
    k->scheme = s;
    k->pkey = pk;
    pk = NULL;
    *out = k;
    k = NULL;
out:
    rampart_free(k);
    EVP_PKEY_free(pk);
    rcrypto_err_end();
    return rc;
}

void rkey_free(rkey *k)
{
    if (k == NULL)
        return;
    EVP_PKEY_free(k->pkey);
    rampart_free(k);
}

rkey_scheme rkey_get_scheme(const rkey *k)
{
    return k->scheme;
}

const uint8_t *rkey_fingerprint(const rkey *k)
{
    return k->fingerprint;
}

/* True when sig[0..n) is an ECDSA-Sig-Value in DER with nothing after it.
 * d2i accepts some BER, so the value is re-encoded and must come out
 * byte for byte the same.  A P-256 signature is at most 72 bytes. */
static bool ecdsa_der_strict(const uint8_t *sig, size_t n)
{
    unsigned char der[128];
    if (n == 0 || n > sizeof(der))
        return false;
    const unsigned char *p = sig;
    ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)n);
    if (es == NULL)
        return false;
    bool ok = false;
    if (p == sig + n && i2d_ECDSA_SIG(es, NULL) == (int)n) {
        unsigned char *q = der;
        ok = i2d_ECDSA_SIG(es, &q) == (int)n && memcmp(der, sig, n) == 0;
    }
    ECDSA_SIG_free(es);
    return ok;
}

/* Signature shapes refused before OpenSSL sees them, so that malformed
 * bytes are a plain "bad signature" and never a backend error:
 * ed25519 is 64 bytes (RFC 8032), RSA exactly the modulus length
 * (RFC 8017 §8.1.2 step 1), ECDSA strict DER of SEQUENCE{r, s}. */
static bool sig_shape_ok(const rkey *k, const uint8_t *sig, size_t siglen)
{
    switch (k->scheme) {
    case RKEY_ED25519:
        return siglen == ED25519_SIG_LEN;
    case RKEY_RSA_PSS_SHA256: {
        int sz = EVP_PKEY_get_size(k->pkey);
        return sz > 0 && siglen == (size_t)sz;
    }
    case RKEY_ECDSA_P256:
        return ecdsa_der_strict(sig, siglen);
    default:
        return false;
    }
}

/* The EVP set-up for the key's scheme: no digest for ed25519 (it hashes
 * internally), SHA-256 otherwise; PSS with MGF1-SHA256 and the salt length
 * read from the signature, so both salt = 32 and salt = max verify. */
static int verify_init(const rkey *k, EVP_MD_CTX *mctx)
{
    EVP_PKEY_CTX *pctx = NULL;
    const EVP_MD *md = k->scheme == RKEY_ED25519 ? NULL : EVP_sha256();
    if (EVP_DigestVerifyInit(mctx, &pctx, md, NULL, k->pkey) != 1)
        return RAMPART_ECRYPTO;
    return k->scheme == RKEY_RSA_PSS_SHA256 ? rcrypto_set_pss(pctx, RSA_PSS_SALTLEN_AUTO) : 0;
}

int rkey_verify(const rkey *k, const uint8_t *sig, size_t siglen, const uint8_t *msg, size_t msglen)
{
    if (k == NULL || k->pkey == NULL || (sig == NULL && siglen) || (msg == NULL && msglen))
        return RAMPART_EINVAL;
    static const uint8_t empty[1] = {0};
    if (msg == NULL)
        msg = empty;
    rcrypto_err_begin();
    int rc = RAMPART_EBADSIG;
    EVP_MD_CTX *mctx = NULL;
    if (sig == NULL || !sig_shape_ok(k, sig, siglen))
        goto out;
    rc = RAMPART_ENOMEM;
    mctx = EVP_MD_CTX_new();
    if (mctx == NULL)
        goto out;
    rc = verify_init(k, mctx);
    if (rc != 0)
        goto out;
    int v = EVP_DigestVerify(mctx, sig, siglen, msg, msglen);
    rc = v == 1 ? 0 : v == 0 ? RAMPART_EBADSIG : RAMPART_ECRYPTO;
out:
    EVP_MD_CTX_free(mctx);
    rcrypto_err_end();
    return rc;
}

/* Feeds `s` as a canonical-JSON string body: only '"' and '\\' are
 * escaped (OLPC canonical JSON as used by TUF); every other byte,
 * including the newlines of a PEM, goes through unchanged. */
static int hash_json_string(rhash *h, rslice s)
{
    size_t run = 0;
    for (size_t i = 0; i < s.n; i++) {
        if (s.p[i] != '"' && s.p[i] != '\\')
            continue;
        int rc = rhash_update(h, s.p + run, i - run);
        if (rc == 0) {
            const uint8_t esc[2] = {'\\', s.p[i]};
            rc = rhash_update(h, esc, 2);
        }
        if (rc != 0)
            return rc;
        run = i + 1;
    }
    return rhash_update(h, s.p + run, s.n - run);
}

int rkey_compute_keyid(rslice keytype, rslice scheme, rslice pub, char out[65])
{
    if (out == NULL || (keytype.p == NULL && keytype.n) || (scheme.p == NULL && scheme.n) || (pub.p == NULL && pub.n))
        return RAMPART_EINVAL;
    /* {"keytype":KT,"keyval":{"public":PUB},"scheme":SCHEME}: keys sorted, no whitespace. */
    static const char *const lit[] = {"{\"keytype\":\"", "\",\"keyval\":{\"public\":\"", "\"},\"scheme\":\"", "\"}"};
    const rslice val[] = {keytype, pub, scheme};
    rhash h = {NULL, RHASH_UNKNOWN};
    int rc = rhash_init(&h, RHASH_SHA256);
    for (size_t i = 0; rc == 0 && i < RAMPART_ARRAY_LEN(lit); i++) {
        rc = rhash_update(&h, lit[i], strlen(lit[i]));
        if (rc == 0 && i < RAMPART_ARRAY_LEN(val))
            rc = hash_json_string(&h, val[i]);
    }
    uint8_t d[RHASH_MAX_LEN];
    if (rc == 0)
        rc = rhash_final(&h, d);
    rhash_free(&h);
    if (rc == 0)
        rhex_encode(out, d, 32);
    return rc;
}
