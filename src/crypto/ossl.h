/*
 * ossl.h - glue shared by the files of src/crypto/ (and only by them): the
 * OpenSSL error-queue discipline, strict single-block PEM reading and the
 * helpers the crypto layer needs.  Nothing outside src/crypto/
 * includes this header, so nothing outside it sees an OpenSSL type.
 */
#ifndef RAMPART_CRYPTO_OSSL_H
#define RAMPART_CRYPTO_OSSL_H

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "crypto/hash.h"
#include "util/buf.h"

/*
 * Every public entry point of src/crypto brackets its OpenSSL calls with
 * rcrypto_err_begin() / rcrypto_err_end(), so the errors OpenSSL queues
 * (even on success paths, e.g. a PEM reader reaching end of input) never
 * leak to the caller's thread, while errors the application itself had
 * queued before the call are left untouched.
 */
static inline void rcrypto_err_begin(void)
{
    /* ERR_set_mark fails only when the thread has no error state, in which
     * case nothing can be queued either; ERR_pop_to_mark then returns 0
     * after emptying the queue, which is the outcome wanted. */
    if (ERR_set_mark() != 1)
        ERR_clear_error();
}
static inline void rcrypto_err_end(void)
{
    /* 0 means no mark was found and the whole queue was popped: with an
     * empty queue at begin there was nothing else to keep. */
    if (ERR_pop_to_mark() != 1)
        ERR_clear_error();
}

/* One decoded PEM block; the buffers come from OpenSSL's secure heap (or
 * its fallback) and are wiped when released with rcrypto_pem_free. */
typedef struct rcrypto_pem {
    char *name;          /* the label between "BEGIN " and "-----" */
    unsigned char *data; /* the decoded DER */
    long len;
} rcrypto_pem;

/*
 * Decodes `n` bytes that must be exactly one PEM block: optional leading
 * whitespace, "-----BEGIN <label>-----", base64 with no RFC 1421 headers,
 * the matching END line, then only whitespace.  Every byte must be
 * printable ASCII or whitespace.  Inputs longer than `cap` are refused.
 * Returns 0 (and fills *out) or RAMPART_EFORMAT; ENOMEM is reported as
 * EFORMAT because OpenSSL does not tell the two apart here.
 */
int rcrypto_pem_read_one(const uint8_t *p, size_t n, size_t cap, rcrypto_pem *out) RAMPART_MUST_USE;
/* Wipes and frees the block; NULL-safe and idempotent. */
void rcrypto_pem_free(rcrypto_pem *pem);

/* Sets RSASSA-PSS with MGF1 over `md` and `saltlen` (a length in bytes, or
 * RSA_PSS_SALTLEN_AUTO when verifying) on a sign or verify context whose
 * digest is already `md`.  0 or RAMPART_ECRYPTO. */
int rcrypto_set_pss(EVP_PKEY_CTX *pctx, const EVP_MD *md, int saltlen) RAMPART_MUST_USE;

/* The OpenSSL digest of `alg` in *md: NULL for RKEY_NO_DIGEST
 * (RHASH_UNKNOWN), which signature algorithms that hash internally take.
 * 0, or RAMPART_ECRYPTO for a value that is neither (hash.c). */
int rcrypto_md(rhash_alg alg, const EVP_MD **md) RAMPART_MUST_USE;

/* Appends everything written to the memory BIO `bio` to `out` (unchanged
 * on failure).  ECRYPTO when the BIO is empty, else rbuf_append's code. */
int rcrypto_bio_append(BIO *bio, rbuf *out) RAMPART_MUST_USE;

#endif
