/* privkey.c - private keys: generation, PKCS#8 PEM in and out, signing. */
#include <limits.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "crypto/ossl.h"
#include "crypto/privkey.h"
#include "util/banned.h"

/* A PKCS#8 PEM of an RSA-16384 key is about 13 KB. */
#define PRIV_PEM_MAX ((size_t)64 * 1024)
/* Room for a dotted OID (the PKCS#8 algorithms are short). */
#define OID_TEXT_MAX 80
/* scrypt N = 2^14, r = 8, p = 1 (16 MiB): what `openssl pkcs8 -scrypt`
 * writes, and within the 32 MiB that OpenSSL allows when decrypting. */
#define SCRYPT_N ((uint64_t)1 << 14)
#define SCRYPT_R 8
#define SCRYPT_P 1
#define PBE_SALT_LEN 16

struct rprivkey {
    const rkey_alg *alg;
    EVP_PKEY *pkey;
};

/* OpenSSL 3.0's PKCS#8 PBE code treats the passphrase as a C string: bytes
 * after a NUL are silently ignored ("ab\0cd" decrypts what "ab" encrypted).
 * Such passphrases are refused rather than quietly shortened. */
static bool pass_ok(const char *pass, size_t passlen)
{
    return pass == NULL || (passlen <= INT_MAX && memchr(pass, '\0', passlen) == NULL);
}

/* Wraps `pk` (taken over on success). */
static int wrap(EVP_PKEY *pk, const rkey_alg *a, rprivkey **out, rerr *e)
{
    rprivkey *k = rampart_calloc(1, sizeof(*k));
    if (k == NULL)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    k->alg = a;
    k->pkey = pk;
    *out = k;
    return 0;
}

/* The generator of kind `a`, with its curve or size set. */
static EVP_PKEY_CTX *keygen_ctx(const rkey_alg *a, unsigned bits)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, a->ossl_type, NULL);
    if (c == NULL || EVP_PKEY_keygen_init(c) != 1 ||
        (a->ec_group != NULL && EVP_PKEY_CTX_set_group_name(c, a->ec_group) != 1) ||
        (a->rsa_max_bits != 0 && (bits > INT_MAX || EVP_PKEY_CTX_set_rsa_keygen_bits(c, (int)bits) != 1))) {
        EVP_PKEY_CTX_free(c);
        return NULL;
    }
    return c;
}

int rprivkey_generate_alg(rprivkey **out, const rkey_alg *a, unsigned bits, rerr *e)
{
    if (out == NULL || a == NULL)
        return rerr_set(e, RAMPART_EINVAL, NULL, "invalid argument");
    rcrypto_err_begin();
    EVP_PKEY *pk = NULL;
    EVP_PKEY_CTX *c = keygen_ctx(a, bits);
    int rc = c == NULL || EVP_PKEY_generate(c, &pk) != 1 || pk == NULL
                 ? rerr_set(e, RAMPART_ECRYPTO, NULL, "key generation failed")
                 : wrap(pk, a, out, e);
    if (rc != 0)
        EVP_PKEY_free(pk);
    EVP_PKEY_CTX_free(c);
    rcrypto_err_end();
    return rc;
}

/* The decrypted (or plain) PrivateKeyInfo of a PEM block.  EFORMAT,
 * EPASSPHRASE. */
static int p8_from_block(const rcrypto_pem *blk, const char *pass, size_t passlen, PKCS8_PRIV_KEY_INFO **out, rerr *e)
{
    const unsigned char *p = blk->data;
    const unsigned char *end = blk->data + blk->len;
    if (strcmp(blk->name, "PRIVATE KEY") == 0) {
        PKCS8_PRIV_KEY_INFO *p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, blk->len);
        if (p8 == NULL || p != end) {
            PKCS8_PRIV_KEY_INFO_free(p8);
            return rerr_set(e, RAMPART_EFORMAT, NULL, "PRIVATE KEY is not a well-formed PKCS#8 PrivateKeyInfo");
        }
        *out = p8;
        return 0;
    }
    if (strcmp(blk->name, "ENCRYPTED PRIVATE KEY") != 0)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "PEM block is not a PKCS#8 private key");
    X509_SIG *enc = d2i_X509_SIG(NULL, &p, blk->len);
    if (enc == NULL || p != end) {
        X509_SIG_free(enc);
        return rerr_set(e, RAMPART_EFORMAT, NULL, "ENCRYPTED PRIVATE KEY is not a well-formed EncryptedPrivateKeyInfo");
    }
    int rc = 0;
    if (pass == NULL || passlen == 0) {
        rc = rerr_set(e, RAMPART_EPASSPHRASE, NULL, "the private key is encrypted and no passphrase was given");
    } else {
        /* A wrong passphrase, like altered ciphertext, shows up as bad
         * padding or a decrypted blob that is not a PrivateKeyInfo. */
        PKCS8_PRIV_KEY_INFO *p8 = PKCS8_decrypt(enc, pass, (int)passlen);
        if (p8 == NULL)
            rc = rerr_set(e, RAMPART_EPASSPHRASE, NULL, "wrong passphrase for the private key");
        else
            *out = p8;
    }
    X509_SIG_free(enc);
    return rc;
}

/* The first of `algs` for keys with PKCS#8 algorithm `oid` (dotted) and,
 * when it names a curve, on the curve of `pk` (an EC key spelled with
 * explicit parameters has the curve's name when they are a named curve's).
 * NULL when there is none. */
static const rkey_alg *match_alg(EVP_PKEY *pk, const char *oid, const rkey_alg *const *algs, size_t nalgs)
{
    char group[64];
    int has_group = -1; /* not asked yet */
    for (size_t i = 0; i < nalgs; i++) {
        if (strcmp(algs[i]->pkcs8_oid, oid) != 0)
            continue;
        if (algs[i]->ec_group == NULL)
            return algs[i];
        if (has_group < 0)
            has_group = EVP_PKEY_get_group_name(pk, group, sizeof(group), NULL) == 1;
        if (has_group == 1 && strcmp(group, algs[i]->ec_group) == 0)
            return algs[i];
    }
    return NULL;
}

/* What a loaded key of kind `a` must still be or do: an EC key writes its
 * public key the one way rkey_from_spki_pem accepts (named curve, even if
 * the file spelled out the curve's parameters, and an uncompressed point);
 * an RSA key has a size the kind allows. */
static int finish_loaded(EVP_PKEY *pk, const rkey_alg *a, rerr *e)
{
    if (a->ec_group != NULL &&
        (EVP_PKEY_set_utf8_string_param(pk, OSSL_PKEY_PARAM_EC_ENCODING, OSSL_PKEY_EC_ENCODING_GROUP) != 1 ||
         EVP_PKEY_set_utf8_string_param(pk, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                                        OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_UNCOMPRESSED) != 1))
        return rerr_set(e, RAMPART_ECRYPTO, NULL, "cannot set the %s key encoding", a->ossl_type);
    if (a->rsa_max_bits != 0) {
        int bits = EVP_PKEY_get_bits(pk);
        if (bits < 0 || (unsigned)bits < a->rsa_min_bits || (unsigned)bits > a->rsa_max_bits)
            return rerr_set(e, RAMPART_EFORMAT, NULL, "%s private key has %d bits (allowed: %u to %u)", a->ossl_type,
                            bits, a->rsa_min_bits, a->rsa_max_bits);
    }
    return 0;
}

/* The key inside a PrivateKeyInfo, if it is of one of the kinds `algs`;
 * its kind in *kind.  The algorithm is judged before the key is decoded. */
static int key_from_p8(const PKCS8_PRIV_KEY_INFO *p8, const rkey_alg *const *algs, size_t nalgs, EVP_PKEY **out,
                       const rkey_alg **kind, rerr *e)
{
    const ASN1_OBJECT *obj = NULL;
    if (PKCS8_pkey_get0(&obj, NULL, NULL, NULL, p8) != 1 || obj == NULL)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "PKCS#8 key without an algorithm");
    char oid[OID_TEXT_MAX];
    int olen = OBJ_obj2txt(oid, sizeof(oid), obj, 1);
    const rkey_alg *first = NULL;
    for (size_t i = 0; olen > 0 && (size_t)olen < sizeof(oid) && first == NULL && i < nalgs; i++)
        if (strcmp(algs[i]->pkcs8_oid, oid) == 0)
            first = algs[i];
    if (first == NULL) {
        int nid = OBJ_obj2nid(obj);
        return rerr_set(e, RAMPART_EUNSUPPORTED, NULL, "unsupported private key algorithm (%s)",
                        nid == NID_undef ? "unknown" : OBJ_nid2sn(nid));
    }
    EVP_PKEY *pk = EVP_PKCS82PKEY(p8);
    if (pk == NULL)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "malformed private key");
    const rkey_alg *a = match_alg(pk, oid, algs, nalgs);
    int rc = a == NULL ? rerr_set(e, RAMPART_EUNSUPPORTED, NULL, "%s private key is not on the named curve %s",
                                  first->ossl_type, first->ec_group_label)
                       : finish_loaded(pk, a, e);
    if (rc != 0) {
        EVP_PKEY_free(pk);
        return rc;
    }
    *out = pk;
    *kind = a;
    return 0;
}

int rprivkey_load_pem_algs(rprivkey **out, const uint8_t *pem, size_t n, const char *pass, size_t passlen,
                           const rkey_alg *const *algs, size_t nalgs, rerr *e)
{
    if (out == NULL || (pem == NULL && n != 0) || (algs == NULL && nalgs != 0) || !pass_ok(pass, passlen))
        return rerr_set(e, RAMPART_EINVAL, NULL, "invalid argument (a passphrase may not contain NUL bytes)");
    rcrypto_err_begin();
    rcrypto_pem blk = {NULL, NULL, 0};
    PKCS8_PRIV_KEY_INFO *p8 = NULL;
    EVP_PKEY *pk = NULL;
    const rkey_alg *kind = NULL;
    int rc = rcrypto_pem_read_one(pem, n, PRIV_PEM_MAX, &blk);
    if (rc != 0) {
        rc = rerr_set(e, RAMPART_EFORMAT, NULL, "private key is not exactly one PEM block");
        goto out;
    }
    rc = p8_from_block(&blk, pass, passlen, &p8, e);
    if (rc != 0)
        goto out;
    rc = key_from_p8(p8, algs, nalgs, &pk, &kind, e);
    if (rc != 0)
        goto out;
    rc = wrap(pk, kind, out, e);
    if (rc == 0)
        pk = NULL;
out:
    EVP_PKEY_free(pk);
    PKCS8_PRIV_KEY_INFO_free(p8); /* wipes the key bytes it holds */
    rcrypto_pem_free(&blk);
    rcrypto_err_end();
    return rc;
}

/* Writes the EncryptedPrivateKeyInfo PEM of `p8` to `bio`: PBES2 with
 * scrypt and AES-256-CBC, fresh random salt and IV. */
static int write_encrypted(BIO *bio, PKCS8_PRIV_KEY_INFO *p8, const char *pass, size_t passlen, rerr *e)
{
    unsigned char salt[PBE_SALT_LEN];
    if (RAND_bytes(salt, sizeof(salt)) != 1)
        return rerr_set(e, RAMPART_ECRYPTO, NULL, "no random bytes for the salt");
    X509_ALGOR *pbe =
        PKCS5_pbe2_set_scrypt(EVP_aes_256_cbc(), salt, (int)sizeof(salt), NULL, SCRYPT_N, SCRYPT_R, SCRYPT_P);
    if (pbe == NULL)
        return rerr_set(e, RAMPART_ECRYPTO, NULL, "cannot set up scrypt");
    /* On success the X509_SIG owns pbe; on failure it is still ours. */
    X509_SIG *enc = PKCS8_set0_pbe(pass, (int)passlen, p8, pbe);
    if (enc == NULL) {
        X509_ALGOR_free(pbe);
        return rerr_set(e, RAMPART_ECRYPTO, NULL, "cannot encrypt the private key");
    }
    int rc = PEM_write_bio_PKCS8(bio, enc) == 1 ? 0 : rerr_set(e, RAMPART_ECRYPTO, NULL, "cannot write the PEM");
    X509_SIG_free(enc);
    return rc;
}

int rprivkey_to_pem(const rprivkey *k, const char *pass, size_t passlen, rbuf *out, rerr *e)
{
    if (k == NULL || out == NULL || !pass_ok(pass, passlen))
        return rerr_set(e, RAMPART_EINVAL, NULL, "invalid argument (a passphrase may not contain NUL bytes)");
    rcrypto_err_begin();
    int rc = RAMPART_ECRYPTO;
    /* A memory BIO on OpenSSL's secure heap: wiped when freed. */
    BIO *bio = BIO_new(BIO_s_secmem());
    PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(k->pkey);
    if (bio == NULL || p8 == NULL) {
        rc = rerr_set(e, RAMPART_ECRYPTO, NULL, "cannot encode the private key");
        goto out;
    }
    if (pass != NULL && passlen > 0)
        rc = write_encrypted(bio, p8, pass, passlen, e);
    else
        rc = PEM_write_bio_PKCS8_PRIV_KEY_INFO(bio, p8) == 1
                 ? 0
                 : rerr_set(e, RAMPART_ECRYPTO, NULL, "cannot write the PEM");
    if (rc != 0)
        goto out;
    rc = rcrypto_bio_append(bio, out);
    if (rc != 0)
        rc = rerr_set(e, rc, NULL, "cannot store the PEM");
out:
    PKCS8_PRIV_KEY_INFO_free(p8);
    BIO_free(bio);
    rcrypto_err_end();
    return rc;
}

const rkey_alg *rprivkey_alg(const rprivkey *k)
{
    return k->alg;
}

int rprivkey_public_raw(const rprivkey *k, uint8_t raw[RKEY_RAW_MAX], size_t *len, rerr *e)
{
    if (k == NULL || raw == NULL || len == NULL || k->alg->raw_len == 0 || k->alg->raw_len > RKEY_RAW_MAX)
        return rerr_set(e, RAMPART_EINVAL, NULL, "invalid argument");
    rcrypto_err_begin();
    size_t n = k->alg->raw_len;
    int rc = 0;
    if (EVP_PKEY_get_raw_public_key(k->pkey, raw, &n) != 1 || n != k->alg->raw_len)
        rc = rerr_set(e, RAMPART_ECRYPTO, NULL, "cannot read the %s public key", k->alg->name);
    else
        *len = n;
    rcrypto_err_end();
    return rc;
}

int rprivkey_public_pem(const rprivkey *k, rbuf *out, rerr *e)
{
    if (k == NULL || out == NULL)
        return rerr_set(e, RAMPART_EINVAL, NULL, "invalid argument");
    rcrypto_err_begin();
    int rc = RAMPART_ECRYPTO;
    BIO *bio = BIO_new(BIO_s_mem());
    if (bio == NULL || PEM_write_bio_PUBKEY(bio, k->pkey) != 1) {
        rc = rerr_set(e, RAMPART_ECRYPTO, NULL, "cannot write the public key PEM");
        goto out;
    }
    rc = rcrypto_bio_append(bio, out);
    if (rc != 0)
        rc = rerr_set(e, rc, NULL, "cannot store the public key");
out:
    BIO_free(bio);
    rcrypto_err_end();
    return rc;
}

/* The EVP set-up for the key's kind: its digest (none for Ed25519); for
 * PSS, MGF1 over the digest and the kind's salt length. */
static int sign_init(const rprivkey *k, EVP_MD_CTX *mctx)
{
    EVP_PKEY_CTX *pctx = NULL;
    const EVP_MD *md = NULL;
    if (rcrypto_md(k->alg->digest, &md) != 0 || EVP_DigestSignInit(mctx, &pctx, md, NULL, k->pkey) != 1)
        return RAMPART_ECRYPTO;
    return k->alg->pss_salt > 0 ? rcrypto_set_pss(pctx, md, k->alg->pss_salt) : 0;
}

int rprivkey_sign(const rprivkey *k, const uint8_t *msg, size_t n, rbuf *sig, rerr *e)
{
    if (k == NULL || sig == NULL || (msg == NULL && n != 0))
        return rerr_set(e, RAMPART_EINVAL, NULL, "invalid argument");
    static const uint8_t empty[1] = {0};
    if (msg == NULL)
        msg = empty;
    rcrypto_err_begin();
    int rc = 0;
    uint8_t *buf = NULL;
    EVP_MD_CTX *mctx = NULL;
    /* The largest signature the key can make: 64, 72 or the modulus size. */
    int max = EVP_PKEY_get_size(k->pkey);
    if (max <= 0) {
        rc = rerr_set(e, RAMPART_ECRYPTO, NULL, "cannot size the signature");
        goto out;
    }
    mctx = EVP_MD_CTX_new();
    buf = rampart_malloc((size_t)max);
    if (mctx == NULL || buf == NULL) {
        rc = rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
        goto out;
    }
    size_t len = (size_t)max;
    if (sign_init(k, mctx) != 0 || EVP_DigestSign(mctx, buf, &len, msg, n) != 1 || len == 0 || len > (size_t)max) {
        rc = rerr_set(e, RAMPART_ECRYPTO, NULL, "signing failed");
        goto out;
    }
    rc = rbuf_append(sig, buf, len);
    if (rc != 0)
        rc = rerr_set(e, rc, NULL, "cannot store the signature");
out:
    rampart_free(buf);
    EVP_MD_CTX_free(mctx);
    rcrypto_err_end();
    return rc;
}

void rprivkey_free(rprivkey *k)
{
    if (k == NULL)
        return;
    EVP_PKEY_free(k->pkey); /* OpenSSL wipes the private key material */
    rampart_free(k);
}
