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
#include <openssl/x509.h>

#include "crypto/ossl.h"
#include "crypto/privkey.h"
#include "util/codec.h"
#include "util/banned.h"

/* A PKCS#8 PEM of an RSA-16384 key is about 13 KB. */
#define PRIV_PEM_MAX ((size_t)64 * 1024)
/* Loaded RSA keys: the same bounds rkey_from_tuf puts on public keys. */
#define PRIV_RSA_LOAD_MAX_BITS 16384
#define PSS_SALT_LEN 32
/* scrypt N = 2^14, r = 8, p = 1 (16 MiB): what `openssl pkcs8 -scrypt`
 * writes, and within the 32 MiB that OpenSSL allows when decrypting. */
#define SCRYPT_N ((uint64_t)1 << 14)
#define SCRYPT_R 8
#define SCRYPT_P 1
#define PBE_SALT_LEN 16

struct rprivkey {
    rkey_scheme scheme;
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
static int wrap(EVP_PKEY *pk, rkey_scheme s, rprivkey **out, rerr *e)
{
    rprivkey *k = rampart_calloc(1, sizeof(*k));
    if (k == NULL)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    k->scheme = s;
    k->pkey = pk;
    *out = k;
    return 0;
}

int rprivkey_generate(rprivkey **out, rkey_scheme scheme, unsigned rsa_bits, rerr *e)
{
    if (out == NULL)
        return rerr_set(e, RAMPART_EINVAL, NULL, "invalid argument");
    if (scheme == RKEY_RSA_PSS_SHA256 && (rsa_bits < RPRIVKEY_RSA_GEN_MIN_BITS || rsa_bits > RPRIVKEY_RSA_GEN_MAX_BITS))
        return rerr_set(e, RAMPART_EINVAL, NULL, "new RSA keys must have %d to %d bits, not %u",
                        RPRIVKEY_RSA_GEN_MIN_BITS, RPRIVKEY_RSA_GEN_MAX_BITS, rsa_bits);
    if (scheme != RKEY_ED25519 && scheme != RKEY_ECDSA_P256 && scheme != RKEY_RSA_PSS_SHA256)
        return rerr_set(e, RAMPART_EINVAL, NULL, "unknown key scheme %d", (int)scheme);
    rcrypto_err_begin();
    EVP_PKEY *pk = NULL;
    if (scheme == RKEY_ED25519)
        pk = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    else if (scheme == RKEY_ECDSA_P256)
        pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    else
        pk = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)rsa_bits);
    int rc = pk == NULL ? rerr_set(e, RAMPART_ECRYPTO, NULL, "key generation failed") : wrap(pk, scheme, out, e);
    if (rc != 0)
        EVP_PKEY_free(pk);
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

/* The key inside a PrivateKeyInfo, if it is one Rampart signs with. */
static int key_from_p8(const PKCS8_PRIV_KEY_INFO *p8, EVP_PKEY **out, rkey_scheme *scheme, rerr *e)
{
    const ASN1_OBJECT *alg = NULL;
    if (PKCS8_pkey_get0(&alg, NULL, NULL, NULL, p8) != 1 || alg == NULL)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "PKCS#8 key without an algorithm");
    int nid = OBJ_obj2nid(alg);
    if (nid != NID_ED25519 && nid != NID_X9_62_id_ecPublicKey && nid != NID_rsaEncryption)
        return rerr_set(e, RAMPART_EUNSUPPORTED, NULL, "unsupported private key algorithm (%s)",
                        nid == NID_undef ? "unknown" : OBJ_nid2sn(nid));
    EVP_PKEY *pk = EVP_PKCS82PKEY(p8);
    if (pk == NULL)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "malformed private key");
    int rc = 0;
    if (nid == NID_ED25519) {
        *scheme = RKEY_ED25519;
    } else if (nid == NID_X9_62_id_ecPublicKey) {
        char group[64];
        if (EVP_PKEY_get_group_name(pk, group, sizeof(group), NULL) != 1 || strcmp(group, SN_X9_62_prime256v1) != 0)
            rc = rerr_set(e, RAMPART_EUNSUPPORTED, NULL, "EC private key is not on the named curve P-256");
        /* The public key it exports is written the one way rkey_from_tuf
         * accepts: named curve (even if the file spelled out the P-256
         * parameters) and an uncompressed point. */
        else if (EVP_PKEY_set_utf8_string_param(pk, OSSL_PKEY_PARAM_EC_ENCODING, OSSL_PKEY_EC_ENCODING_GROUP) != 1 ||
                 EVP_PKEY_set_utf8_string_param(pk, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                                                OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_UNCOMPRESSED) != 1)
            rc = rerr_set(e, RAMPART_ECRYPTO, NULL, "cannot set the EC key encoding");
        *scheme = RKEY_ECDSA_P256;
    } else {
        int bits = EVP_PKEY_get_bits(pk);
        if (bits < RKEY_RSA_MIN_BITS || bits > PRIV_RSA_LOAD_MAX_BITS)
            rc = rerr_set(e, RAMPART_EFORMAT, NULL, "RSA private key has %d bits (allowed: %d to %d)", bits,
                          RKEY_RSA_MIN_BITS, PRIV_RSA_LOAD_MAX_BITS);
        *scheme = RKEY_RSA_PSS_SHA256;
    }
    if (rc != 0) {
        EVP_PKEY_free(pk);
        return rc;
    }
    *out = pk;
    return 0;
}

int rprivkey_load_pem(rprivkey **out, const uint8_t *pem, size_t n, const char *pass, size_t passlen, rerr *e)
{
    if (out == NULL || (pem == NULL && n != 0) || !pass_ok(pass, passlen))
        return rerr_set(e, RAMPART_EINVAL, NULL, "invalid argument (a passphrase may not contain NUL bytes)");
    rcrypto_err_begin();
    rcrypto_pem blk = {NULL, NULL, 0};
    PKCS8_PRIV_KEY_INFO *p8 = NULL;
    EVP_PKEY *pk = NULL;
    rkey_scheme scheme = RKEY_ED25519;
    int rc = rcrypto_pem_read_one(pem, n, PRIV_PEM_MAX, &blk);
    if (rc != 0) {
        rc = rerr_set(e, RAMPART_EFORMAT, NULL, "private key is not exactly one PEM block");
        goto out;
    }
    rc = p8_from_block(&blk, pass, passlen, &p8, e);
    if (rc != 0)
        goto out;
    rc = key_from_p8(p8, &pk, &scheme, e);
    if (rc != 0)
        goto out;
    rc = wrap(pk, scheme, out, e);
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

rkey_scheme rprivkey_scheme(const rprivkey *k)
{
    return k->scheme;
}

int rprivkey_public_tuf(const rprivkey *k, rbuf *out, rerr *e)
{
    if (k == NULL || out == NULL)
        return rerr_set(e, RAMPART_EINVAL, NULL, "invalid argument");
    rcrypto_err_begin();
    int rc = RAMPART_ECRYPTO;
    BIO *bio = NULL;
    if (k->scheme == RKEY_ED25519) {
        uint8_t raw[32];
        char hex[65];
        size_t len = sizeof(raw);
        if (EVP_PKEY_get_raw_public_key(k->pkey, raw, &len) != 1 || len != sizeof(raw)) {
            rc = rerr_set(e, RAMPART_ECRYPTO, NULL, "cannot read the ed25519 public key");
            goto out;
        }
        rhex_encode(hex, raw, sizeof(raw));
        rc = rbuf_append(out, hex, 64);
    } else {
        bio = BIO_new(BIO_s_mem());
        if (bio == NULL || PEM_write_bio_PUBKEY(bio, k->pkey) != 1) {
            rc = rerr_set(e, RAMPART_ECRYPTO, NULL, "cannot write the public key PEM");
            goto out;
        }
        rc = rcrypto_bio_append(bio, out);
    }
    if (rc != 0)
        rc = rerr_set(e, rc, NULL, "cannot store the public key");
out:
    BIO_free(bio);
    rcrypto_err_end();
    return rc;
}

static int sign_init(const rprivkey *k, EVP_MD_CTX *mctx)
{
    EVP_PKEY_CTX *pctx = NULL;
    const EVP_MD *md = k->scheme == RKEY_ED25519 ? NULL : EVP_sha256();
    if (EVP_DigestSignInit(mctx, &pctx, md, NULL, k->pkey) != 1)
        return RAMPART_ECRYPTO;
    return k->scheme == RKEY_RSA_PSS_SHA256 ? rcrypto_set_pss(pctx, PSS_SALT_LEN) : 0;
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
