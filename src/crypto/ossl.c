/* ossl.c - strict PEM reading and hex helpers shared by src/crypto/. */
#include <limits.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "crypto/ossl.h"
#include "util/banned.h"

static bool is_ws(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* PEM is ASCII text: anything else (NUL, 8-bit bytes, other control
 * characters) is refused before OpenSSL's lenient line reader sees it. */
static bool pem_chars_ok(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_ws(p[i]) && (p[i] < 0x20 || p[i] > 0x7e))
            return false;
    return true;
}

static bool all_ws(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_ws(p[i]))
            return false;
    return true;
}

void rcrypto_pem_free(rcrypto_pem *pem)
{
    if (pem == NULL)
        return;
    if (pem->data != NULL)
        OPENSSL_secure_clear_free(pem->data, pem->len > 0 ? (size_t)pem->len : 0);
    OPENSSL_secure_free(pem->name);
    pem->name = NULL;
    pem->data = NULL;
    pem->len = 0;
}

int rcrypto_pem_read_one(const uint8_t *p, size_t n, size_t cap, rcrypto_pem *out)
{
    static const char begin[] = "-----BEGIN ";
    if (p == NULL || out == NULL || n > cap || n > INT_MAX || !pem_chars_ok(p, n))
        return RAMPART_EFORMAT;
    /* OpenSSL's reader skips any text before a BEGIN line; we do not. */
    size_t i = 0;
    while (i < n && is_ws(p[i]))
        i++;
    if (n - i < sizeof(begin) - 1 || memcmp(p + i, begin, sizeof(begin) - 1) != 0)
        return RAMPART_EFORMAT;

    int rc = RAMPART_EFORMAT;
    rcrypto_pem pem = {NULL, NULL, 0};
    char *header = NULL;
    /* A read-only memory BIO over the caller's bytes: no copy is made. */
    BIO *bio = BIO_new_mem_buf(p, (int)n);
    if (bio == NULL)
        goto out;
    /* PEM_FLAG_SECURE: the decoded DER may be a private key. */
    if (PEM_read_bio_ex(bio, &pem.name, &header, &pem.data, &pem.len, PEM_FLAG_SECURE) != 1)
        goto out;
    /* No RFC 1421 headers (Proc-Type, DEK-Info): PKCS#8 and SPKI have none. */
    if (header == NULL || header[0] != '\0' || pem.name == NULL || pem.data == NULL || pem.len <= 0)
        goto out;
    char *rest = NULL;
    long restlen = BIO_get_mem_data(bio, &rest);
    if (restlen < 0 || (restlen > 0 && rest == NULL) || !all_ws((const uint8_t *)rest, (size_t)restlen))
        goto out;
    *out = pem;
    pem = (rcrypto_pem){NULL, NULL, 0};
    rc = 0;
out:
    rcrypto_pem_free(&pem);
    OPENSSL_secure_free(header);
    BIO_free(bio);
    return rc;
}

int rcrypto_set_pss(EVP_PKEY_CTX *pctx, const EVP_MD *md, int saltlen)
{
    if (md == NULL || EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) != 1 || EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, saltlen) != 1)
        return RAMPART_ECRYPTO;
    return 0;
}

int rcrypto_bio_append(BIO *bio, rbuf *out)
{
    char *data = NULL;
    long len = BIO_get_mem_data(bio, &data);
    if (len <= 0 || data == NULL)
        return RAMPART_ECRYPTO;
    return rbuf_append(out, data, (size_t)len);
}
