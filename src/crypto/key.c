/* key.c - public keys: parsing and checks by kind (rkey_alg), fingerprints, verification. */
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
#include "util/banned.h"

/* The largest public key PEM accepted: an RSA-16384 SPKI is about 2.8 KB. */
#define RKEY_PEM_MAX 8192

struct rkey {
    const rkey_alg *alg;
    EVP_PKEY *pkey;
    uint8_t fingerprint[RKEY_FINGERPRINT_LEN];
};

/* The EC checks: on the named curve a->ec_group (explicit curve
 * parameters are refused, so one key has one encoding) with a valid point. */
static int check_ec(EVP_PKEY *pk, const rkey_alg *a, rerr *e)
{
    char group[64];
    size_t glen = 0;
    if (EVP_PKEY_get_group_name(pk, group, sizeof(group), &glen) != 1 || strcmp(group, a->ec_group) != 0)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "%s key is not on the named curve %s", a->name, a->ec_group_label);
    char enc[32];
    if (EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_EC_ENCODING, enc, sizeof(enc), NULL) != 1 ||
        strcmp(enc, OSSL_PKEY_EC_ENCODING_GROUP) != 0)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "%s key uses explicit curve parameters", a->name);
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL);
    if (c == NULL)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    int ok = EVP_PKEY_public_check(c);
    EVP_PKEY_CTX_free(c);
    if (ok != 1)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "%s public point is invalid", a->name);
    /* One key, one fingerprint: re-encode a compressed or hybrid point in
     * the uncompressed form before the SPKI is hashed. */
    if (EVP_PKEY_set_utf8_string_param(pk, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                                       OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_UNCOMPRESSED) != 1)
        return rerr_set(e, RAMPART_ECRYPTO, NULL, "cannot normalise the %s point format", a->name);
    return 0;
}

/* RSA (rsaEncryption, not the RSASSA-PSS key OID: the key type was checked)
 * of a->rsa_min_bits..a->rsa_max_bits bits with an odd public exponent >= 3
 * (e = 1 would make every value a signature). */
static int check_rsa(EVP_PKEY *pk, const rkey_alg *a, rerr *e)
{
    int bits = EVP_PKEY_get_bits(pk);
    if (bits < 0 || (unsigned)bits < a->rsa_min_bits || (unsigned)bits > a->rsa_max_bits)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "%s key has %d bits (allowed: %u to %u)", a->name, bits,
                        a->rsa_min_bits, a->rsa_max_bits);
    BIGNUM *pe = NULL;
    if (EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_E, &pe) != 1)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "%s key has no public exponent", a->name);
    bool ok = BN_is_odd(pe) == 1 && BN_is_one(pe) != 1 && BN_is_negative(pe) != 1;
    BN_free(pe);
    if (!ok)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "%s public exponent is not an odd number >= 3", a->name);
    return 0;
}

/* The checks of kind `a` on a parsed public key: its OpenSSL key type, then
 * the curve or the size. */
static int check_material(EVP_PKEY *pk, const rkey_alg *a, rerr *e)
{
    if (EVP_PKEY_is_a(pk, a->ossl_type) != 1)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "%s key material is not an %s key", a->name, a->ossl_type);
    if (a->ec_group != NULL)
        return check_ec(pk, a, e);
    if (a->rsa_max_bits != 0)
        return check_rsa(pk, a, e);
    return 0;
}

/* Exactly one "PUBLIC KEY" PEM block holding a DER SubjectPublicKeyInfo with
 * no trailing bytes, then the checks of kind `a`. */
static int spki_from_pem(const rkey_alg *a, rslice pub, EVP_PKEY **out, rerr *e)
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
    rc = check_material(pk, a, e);
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

/* Wraps `*pk` (taken over on success) as a key of kind `a`. */
static int wrap(EVP_PKEY **pk, const rkey_alg *a, rkey **out, rerr *e)
{
    rkey *k = rampart_calloc(1, sizeof(*k));
    if (k == NULL)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    int rc = spki_fingerprint(*pk, k->fingerprint);
    if (rc != 0) {
        rampart_free(k);
        return rerr_set(e, rc, NULL, "cannot fingerprint the public key");
    }
    k->alg = a;
    k->pkey = *pk;
    *pk = NULL;
    *out = k;
    return 0;
}

int rkey_from_raw(rkey **out, const rkey_alg *a, const uint8_t *raw, size_t n, rerr *e)
{
    if (out == NULL || a == NULL || (raw == NULL && n))
        return rerr_set(e, RAMPART_EINVAL, NULL, "invalid argument");
    if (a->raw_len == 0 || n != a->raw_len)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "%s public key is not %zu bytes", a->name, a->raw_len);
    rcrypto_err_begin();
    EVP_PKEY *pk = EVP_PKEY_new_raw_public_key_ex(NULL, a->ossl_type, NULL, raw, n);
    int rc = pk == NULL ? rerr_set(e, RAMPART_ECRYPTO, NULL, "cannot build an %s key", a->name) : wrap(&pk, a, out, e);
    EVP_PKEY_free(pk);
    rcrypto_err_end();
    return rc;
}

int rkey_from_spki_pem(rkey **out, const rkey_alg *a, rslice pem, rerr *e)
{
    if (out == NULL || a == NULL || (pem.p == NULL && pem.n))
        return rerr_set(e, RAMPART_EINVAL, NULL, "invalid argument");
    rcrypto_err_begin();
    EVP_PKEY *pk = NULL;
    int rc = spki_from_pem(a, pem, &pk, e);
    if (rc == 0)
        rc = wrap(&pk, a, out, e);
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

const rkey_alg *rkey_alg_of(const rkey *k)
{
    return k->alg;
}

unsigned rkey_bits(const rkey *k)
{
    int bits = EVP_PKEY_get_bits(k->pkey);
    return bits > 0 ? (unsigned)bits : 0;
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

/* Signature shapes refused before OpenSSL sees them (rkey_sig_form), so
 * that malformed bytes are a plain "bad signature" and never a backend
 * error. */
static bool sig_shape_ok(const rkey *k, const uint8_t *sig, size_t siglen)
{
    switch (k->alg->sig_form) {
    case RKEY_SIG_FIXED:
        return siglen == k->alg->sig_len;
    case RKEY_SIG_MODULUS: {
        int sz = EVP_PKEY_get_size(k->pkey);
        return sz > 0 && siglen == (size_t)sz;
    }
    case RKEY_SIG_DER:
        return ecdsa_der_strict(sig, siglen);
    default:
        return false;
    }
}

/* The EVP set-up for the key's kind: its digest (none for Ed25519, which
 * hashes internally); for PSS, MGF1 over the digest and the salt length
 * read from the signature, so both salt = 32 and salt = max verify. */
static int verify_init(const rkey *k, EVP_MD_CTX *mctx)
{
    EVP_PKEY_CTX *pctx = NULL;
    const EVP_MD *md = NULL;
    if (rcrypto_md(k->alg->digest, &md) != 0 || EVP_DigestVerifyInit(mctx, &pctx, md, NULL, k->pkey) != 1)
        return RAMPART_ECRYPTO;
    return k->alg->pss_salt > 0 ? rcrypto_set_pss(pctx, md, RSA_PSS_SALTLEN_AUTO) : 0;
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
