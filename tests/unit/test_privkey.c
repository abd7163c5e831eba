/* test_privkey.c - private keys: generation, signing checked through the
 * public-key side (rkey_from_tuf + rkey_verify), PKCS#8 PEM round trips
 * plain and encrypted, keys written by the openssl CLI, and every refusal
 * with its exact code. */
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "harness.h"
#include "vecfile.h"
#include "crypto/hash.h"
#include "crypto/key.h"
#include "crypto/privkey.h"
#include "keys/keys.h"
#include "util/banned.h"

static const char msg[] = "the metadata to sign";

static rprivkey *sentinel(void)
{
    return (rprivkey *)(uintptr_t)0x5e;
}

/* The public key of `k` as an rkey, through the TUF strings. */
static rkey *public_of(const rprivkey *k)
{
    rbuf pub;
    rbuf_init(&pub, 1 << 16);
    rkey *rk = NULL;
    rkey_scheme s = rprivkey_scheme(k);
    if (rprivkey_public_tuf(k, &pub, NULL) == 0 &&
        rkey_from_tuf(&rk, rslice_cstr(rkey_scheme_keytype(s)), rslice_cstr(rkey_scheme_name(s)), rbuf_slice(&pub),
                      NULL) != 0)
        rk = NULL;
    rbuf_free(&pub);
    return rk;
}

/* Signs msg with `k` and verifies with `pubk`: the rkey_verify code. */
static int sign_verify(const rprivkey *k, const rkey *pubk, const void *m, size_t n)
{
    rbuf sig;
    rbuf_init(&sig, 4096);
    int rc = rprivkey_sign(k, m, n, &sig, NULL);
    if (rc == 0)
        rc = rkey_verify(pubk, sig.data, sig.len, m, n);
    rbuf_free(&sig);
    return rc;
}

static int load_rc(const void *pem, size_t n, const char *pass)
{
    rprivkey *k = sentinel();
    rerr e = {0};
    int rc = rprivkey_load_pem(&k, pem, n, pass, pass ? strlen(pass) : 0, &e);
    if (rc == 0) {
        rprivkey_free(k);
        return 0;
    }
    if (k != sentinel() || e.code != rc || e.message[0] == '\0')
        return 999;
    return rc;
}

static int load_vec_rc(const char *file, const char *pass)
{
    size_t n = 0;
    uint8_t *pem = vec_read(file, &n);
    if (pem == NULL)
        return 998;
    int rc = load_rc(pem, n, pass);
    free(pem);
    return rc;
}

static rprivkey *load_vec(const char *file, const char *pass)
{
    size_t n = 0;
    uint8_t *pem = vec_read(file, &n);
    rprivkey *k = NULL;
    rerr e = {0};
    if (pem != NULL && rprivkey_load_pem(&k, pem, n, pass, pass ? strlen(pass) : 0, &e) != 0) {
        fprintf(stderr, "  load %s: %s\n", file, e.message);
        k = NULL;
    }
    free(pem);
    return k;
}

static bool starts_with(const rbuf *b, const char *p)
{
    return b->len >= strlen(p) && memcmp(b->data, p, strlen(p)) == 0;
}

static bool ends_with(const rbuf *b, const char *p)
{
    size_t n = strlen(p);
    return b->len >= n && memcmp(b->data + b->len - n, p, n) == 0;
}

static void test_generate_ed25519_ecdsa(void)
{
    for (int s = RKEY_ED25519; s <= RKEY_ECDSA_P256; s++) {
        rprivkey *k = NULL;
        rerr e = {0};
        CHECK_OK(rprivkey_generate(&k, (rkey_scheme)s, 0, &e));
        CHECK_INT(rprivkey_scheme(k), s);
        rbuf pub;
        rbuf_init(&pub, 4096);
        CHECK_OK(rprivkey_public_tuf(k, &pub, &e));
        if (s == RKEY_ED25519) {
            CHECK_INT(pub.len, 64);
            for (size_t i = 0; i < 64; i++)
                CHECK((pub.data[i] >= '0' && pub.data[i] <= '9') || (pub.data[i] >= 'a' && pub.data[i] <= 'f'));
        } else {
            CHECK(starts_with(&pub, "-----BEGIN PUBLIC KEY-----\n"));
            CHECK(ends_with(&pub, "\n-----END PUBLIC KEY-----\n"));
            CHECK_INT(pub.len, 178); /* 91-byte DER: an uncompressed P-256 point */
        }
        rbuf_free(&pub);
        rkey *rk = public_of(k);
        CHECK(rk != NULL);
        CHECK_INT(rkey_get_scheme(rk), s);
        CHECK_OK(sign_verify(k, rk, msg, sizeof(msg) - 1));
        CHECK_OK(sign_verify(k, rk, NULL, 0));
        /* a signature over one message does not cover another */
        rbuf sig;
        rbuf_init(&sig, 4096);
        CHECK_OK(rprivkey_sign(k, (const uint8_t *)msg, sizeof(msg) - 1, &sig, &e));
        CHECK_INT(rkey_verify(rk, sig.data, sig.len, (const uint8_t *)msg, sizeof(msg) - 2), RAMPART_EBADSIG);
        /* Ed25519 is deterministic, ECDSA randomised (and both verify) */
        rbuf sig2;
        rbuf_init(&sig2, 4096);
        CHECK_OK(rprivkey_sign(k, (const uint8_t *)msg, sizeof(msg) - 1, &sig2, &e));
        CHECK_OK(rkey_verify(rk, sig2.data, sig2.len, (const uint8_t *)msg, sizeof(msg) - 1));
        if (s == RKEY_ED25519) {
            CHECK_INT(sig.len, 64);
            CHECK_MEM(sig.data, sig.len, sig2.data, sig2.len);
        } else {
            CHECK(sig.data[0] == 0x30 && sig.len <= 72);
            CHECK(sig.len != sig2.len || memcmp(sig.data, sig2.data, sig.len) != 0);
        }
        /* another key of the same scheme does not verify it */
        rprivkey *k2 = NULL;
        CHECK_OK(rprivkey_generate(&k2, (rkey_scheme)s, 0, &e));
        rkey *rk2 = public_of(k2);
        CHECK(rk2 != NULL);
        CHECK_RC(rkey_verify(rk2, sig.data, sig.len, (const uint8_t *)msg, sizeof(msg) - 1), RAMPART_EBADSIG);
        CHECK(!rdigest_eq(rkey_fingerprint(rk), rkey_fingerprint(rk2), RKEY_FINGERPRINT_LEN));
        rbuf_free(&sig);
        rbuf_free(&sig2);
        rkey_free(rk);
        rkey_free(rk2);
        rprivkey_free(k);
        rprivkey_free(k2);
    }
    CHECK(ERR_peek_error() == 0);
}

/* Checks an RSA-PSS signature with OpenSSL directly at a fixed salt length. */
static int pss_verify_salt(const rbuf *pubpem, const rbuf *sig, int salt)
{
    BIO *bio = BIO_new_mem_buf(pubpem->data, (int)pubpem->len);
    EVP_PKEY *pk = bio ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pc = NULL;
    int v = -99;
    if (pk && m && EVP_DigestVerifyInit(m, &pc, EVP_sha256(), NULL, pk) == 1 &&
        EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PSS_PADDING) == 1 &&
        EVP_PKEY_CTX_set_rsa_mgf1_md(pc, EVP_sha256()) == 1 && EVP_PKEY_CTX_set_rsa_pss_saltlen(pc, salt) == 1)
        v = EVP_DigestVerify(m, sig->data, sig->len, (const uint8_t *)msg, sizeof(msg) - 1);
    EVP_MD_CTX_free(m);
    EVP_PKEY_free(pk);
    BIO_free(bio);
    ERR_clear_error();
    return v;
}

/* One RSA-3072 generation (slow): sign, verify, salt length 32, PEM round trip. */
static void test_generate_rsa(void)
{
    rprivkey *k = NULL;
    rerr e = {0};
    CHECK_OK(rprivkey_generate(&k, RKEY_RSA_PSS_SHA256, 3072, &e));
    CHECK_INT(rprivkey_scheme(k), RKEY_RSA_PSS_SHA256);
    rkey *rk = public_of(k);
    CHECK(rk != NULL);
    rbuf sig, pub;
    rbuf_init(&sig, 4096);
    rbuf_init(&pub, 4096);
    CHECK_OK(rprivkey_sign(k, (const uint8_t *)msg, sizeof(msg) - 1, &sig, &e));
    CHECK_INT(sig.len, 384);
    CHECK_OK(rkey_verify(rk, sig.data, sig.len, (const uint8_t *)msg, sizeof(msg) - 1));
    CHECK_RC(rkey_verify(rk, sig.data, sig.len, (const uint8_t *)msg, sizeof(msg) - 2), RAMPART_EBADSIG);
    /* the salt is exactly 32 bytes: verifies at 32, not at the maximum 350 */
    CHECK_OK(rprivkey_public_tuf(k, &pub, &e));
    CHECK(starts_with(&pub, "-----BEGIN PUBLIC KEY-----\n"));
    CHECK_INT(pss_verify_salt(&pub, &sig, 32), 1);
    CHECK_INT(pss_verify_salt(&pub, &sig, 350), 0);
    CHECK_INT(pss_verify_salt(&pub, &sig, 20), 0);
    /* plain PEM round trip of an RSA key */
    rbuf pem;
    rbuf_init_secret(&pem, 1 << 16);
    CHECK_OK(rprivkey_to_pem(k, NULL, 0, &pem, &e));
    CHECK(starts_with(&pem, "-----BEGIN PRIVATE KEY-----\n"));
    rprivkey *k2 = NULL;
    CHECK_OK(rprivkey_load_pem(&k2, pem.data, pem.len, NULL, 0, &e));
    CHECK_INT(rprivkey_scheme(k2), RKEY_RSA_PSS_SHA256);
    CHECK_OK(sign_verify(k2, rk, msg, sizeof(msg) - 1));
    rbuf_free(&pem);
    rbuf_free(&sig);
    rbuf_free(&pub);
    rkey_free(rk);
    rprivkey_free(k);
    rprivkey_free(k2);
}

static void test_generate_refusals(void)
{
    rprivkey *k = sentinel();
    rerr e = {0};
    static const unsigned bad_bits[] = {0, 1024, 2048, 3071, 8193, 1u << 20};
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(bad_bits); i++) {
        CHECK_RC(rprivkey_generate(&k, RKEY_RSA_PSS_SHA256, bad_bits[i], &e), RAMPART_EINVAL);
        CHECK(k == sentinel());
        CHECK_INT(e.code, RAMPART_EINVAL);
    }
    CHECK_RC(rprivkey_generate(&k, (rkey_scheme)3, 0, &e), RAMPART_EINVAL);
    CHECK_RC(rprivkey_generate(&k, (rkey_scheme)-1, 3072, &e), RAMPART_EINVAL);
    CHECK(k == sentinel());
    CHECK_RC(rprivkey_generate(NULL, RKEY_ED25519, 0, &e), RAMPART_EINVAL);
    /* rsa_bits is ignored for the other schemes */
    CHECK_OK(rprivkey_generate(&k, RKEY_ED25519, 2048, &e));
    rprivkey_free(k);
    rprivkey_free(NULL);
}

/* The DER inside a PEM held in `b` (test-side decoding). */
static size_t pem_der(const rbuf *b, uint8_t *der, size_t cap)
{
    char b64[8192] = {0};
    size_t bl = 0;
    const char *p = memchr(b->data, '\n', b->len);
    const char *end = strstr((const char *)b->data, "-----END");
    if (p == NULL || end == NULL)
        return 0;
    for (p++; p < end; p++)
        if (*p != '\n' && bl + 1 < sizeof(b64))
            b64[bl++] = *p;
    int dl = EVP_DecodeBlock(der, (unsigned char *)b64, (int)bl);
    size_t pad = (bl >= 1 && b64[bl - 1] == '=') + (bl >= 2 && b64[bl - 2] == '=');
    return dl > 0 && (size_t)dl <= cap ? (size_t)dl - pad : 0;
}

/* "-----BEGIN <label>-----\n<base64, 64 columns>-----END <label>-----\n" into out. */
static size_t pem_wrap(char *out, size_t cap, const char *label, const uint8_t *der, size_t n)
{
    unsigned char b64[4096];
    if (n > 3000 || EVP_EncodeBlock(b64, der, (int)n) <= 0)
        return 0;
    size_t bl = strlen((char *)b64);
    int w = snprintf(out, cap, "-----BEGIN %s-----\n", label);
    if (w <= 0)
        return 0;
    size_t o = (size_t)w;
    for (size_t i = 0; i < bl; i += 64) {
        size_t k = bl - i < 64 ? bl - i : 64;
        if (o + k + 2 > cap)
            return 0;
        memcpy(out + o, b64 + i, k);
        o += k;
        out[o++] = '\n';
    }
    w = snprintf(out + o, cap - o, "-----END %s-----\n", label);
    return w > 0 && (size_t)w < cap - o ? o + (size_t)w : 0;
}

static bool contains(const uint8_t *h, size_t hn, const uint8_t *n, size_t nn)
{
    for (size_t i = 0; i + nn <= hn; i++)
        if (memcmp(h + i, n, nn) == 0)
            return true;
    return false;
}

static void test_pem_round_trips(void)
{
    static const char pw[] = "tr0ub4dor&3 \xc3\xa9";
    for (int s = RKEY_ED25519; s <= RKEY_ECDSA_P256; s++) {
        rprivkey *k = NULL;
        rerr e = {0};
        CHECK_OK(rprivkey_generate(&k, (rkey_scheme)s, 0, &e));
        rkey *rk = public_of(k);
        CHECK(rk != NULL);
        rbuf plain, enc, empty_pw;
        rbuf_init_secret(&plain, 1 << 16);
        rbuf_init(&enc, 1 << 16);
        rbuf_init_secret(&empty_pw, 1 << 16);
        CHECK_OK(rprivkey_to_pem(k, NULL, 0, &plain, &e));
        CHECK_OK(rprivkey_to_pem(k, pw, strlen(pw), &enc, &e));
        CHECK_OK(rprivkey_to_pem(k, "", 0, &empty_pw, &e));
        CHECK(starts_with(&plain, "-----BEGIN PRIVATE KEY-----\n"));
        CHECK(ends_with(&plain, "-----END PRIVATE KEY-----\n"));
        CHECK(starts_with(&enc, "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"));
        CHECK(ends_with(&enc, "-----END ENCRYPTED PRIVATE KEY-----\n"));
        /* a zero-length passphrase means "no encryption" */
        CHECK(starts_with(&empty_pw, "-----BEGIN PRIVATE KEY-----\n"));
        /* PBES2 with scrypt (1.3.6.1.4.1.11591.4.11) and aes-256-cbc (2.16.840.1.101.3.4.1.42) */
        uint8_t der[4096];
        size_t dn = pem_der(&enc, der, sizeof(der));
        static const uint8_t oid_pbes2[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0d};
        static const uint8_t oid_scrypt[] = {0x06, 0x09, 0x2b, 0x06, 0x01, 0x04, 0x01, 0xda, 0x47, 0x04, 0x0b};
        static const uint8_t oid_aes256cbc[] = {0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2a};
        CHECK(dn > 0);
        CHECK(contains(der, dn, oid_pbes2, sizeof(oid_pbes2)));
        CHECK(contains(der, dn, oid_scrypt, sizeof(oid_scrypt)));
        CHECK(contains(der, dn, oid_aes256cbc, sizeof(oid_aes256cbc)));
        /* two encryptions of the same key differ (fresh salt and IV) */
        rbuf enc2;
        rbuf_init(&enc2, 1 << 16);
        CHECK_OK(rprivkey_to_pem(k, pw, strlen(pw), &enc2, &e));
        CHECK(enc.len != enc2.len || memcmp(enc.data, enc2.data, enc.len) != 0);
        rbuf_free(&enc2);

        rprivkey *p = NULL, *q = NULL;
        CHECK_OK(rprivkey_load_pem(&p, plain.data, plain.len, NULL, 0, &e));
        CHECK_OK(rprivkey_load_pem(&q, enc.data, enc.len, pw, strlen(pw), &e));
        CHECK_INT(rprivkey_scheme(p), s);
        CHECK_INT(rprivkey_scheme(q), s);
        /* the loaded keys are the same key: same public value, signatures verify */
        rbuf a, b;
        rbuf_init(&a, 4096);
        rbuf_init(&b, 4096);
        CHECK_OK(rprivkey_public_tuf(k, &a, &e));
        CHECK_OK(rprivkey_public_tuf(q, &b, &e));
        CHECK_MEM(a.data, a.len, b.data, b.len);
        rbuf_free(&a);
        rbuf_free(&b);
        CHECK_OK(sign_verify(p, rk, msg, sizeof(msg) - 1));
        CHECK_OK(sign_verify(q, rk, msg, sizeof(msg) - 1));
        /* a passphrase given for a plain key is not needed and not checked */
        CHECK_INT(load_rc(plain.data, plain.len, "anything"), 0);

        /* wrong, missing, truncated and extended passphrases */
        CHECK_RC(load_rc(enc.data, enc.len, "tr0ub4dor&3"), RAMPART_EPASSPHRASE);
        CHECK_RC(load_rc(enc.data, enc.len, NULL), RAMPART_EPASSPHRASE);
        CHECK_RC(load_rc(enc.data, enc.len, ""), RAMPART_EPASSPHRASE);
        rprivkey *r = sentinel();
        CHECK_RC(rprivkey_load_pem(&r, enc.data, enc.len, pw, strlen(pw) - 1, &e), RAMPART_EPASSPHRASE);
        CHECK_RC(rprivkey_load_pem(&r, enc.data, enc.len, "tr0ub4dor&3 \xc3\xa9!", strlen(pw) + 1, &e),
                 RAMPART_EPASSPHRASE);
        /* OpenSSL would ignore everything from a NUL on: such passphrases are refused */
        CHECK_RC(rprivkey_load_pem(&r, enc.data, enc.len, pw, strlen(pw) + 1, &e), RAMPART_EINVAL);
        CHECK_RC(rprivkey_load_pem(&r, enc.data, enc.len, "\0", 1, &e), RAMPART_EINVAL);
        CHECK_RC(rprivkey_load_pem(&r, enc.data, enc.len, pw, 0, &e), RAMPART_EPASSPHRASE);
        CHECK(r == sentinel());
        CHECK(ERR_peek_error() == 0);

        rbuf_free(&plain);
        rbuf_free(&enc);
        rbuf_free(&empty_pw);
        rkey_free(rk);
        rprivkey_free(k);
        rprivkey_free(p);
        rprivkey_free(q);
    }
}

/* Keys written by the openssl CLI (tests/vectors/crypto/README.md). */
static void test_cli_keys(void)
{
    rerr e = {0};
    /* Ed25519, PBES2 + PBKDF2-HMAC-SHA256 + AES-256-CBC */
    rprivkey *k = load_vec("ed25519-pbkdf2.key.pem", "correct horse battery staple");
    CHECK(k != NULL);
    CHECK_INT(rprivkey_scheme(k), RKEY_ED25519);
    size_t hn = 0;
    uint8_t *hex = vec_read("ed25519-pbkdf2.pub.hex", &hn);
    CHECK(hex != NULL && hn >= 64);
    rbuf pub;
    rbuf_init(&pub, 4096);
    CHECK_OK(rprivkey_public_tuf(k, &pub, &e));
    CHECK_MEM(pub.data, pub.len, hex, 64);
    rkey *rk = NULL;
    CHECK_OK(rkey_from_tuf(&rk, rslice_cstr("ed25519"), rslice_cstr("ed25519"), RSLICE(hex, 64), &e));
    CHECK_OK(sign_verify(k, rk, msg, sizeof(msg) - 1));
    rkey_free(rk);
    rprivkey_free(k);
    free(hex);
    rbuf_free(&pub);
    CHECK_RC(load_vec_rc("ed25519-pbkdf2.key.pem", "correct horse battery stapler"), RAMPART_EPASSPHRASE);
    CHECK_RC(load_vec_rc("ed25519-pbkdf2.key.pem", NULL), RAMPART_EPASSPHRASE);

    /* P-256 encrypted by `openssl pkcs8 -scrypt`, plain, and with the curve
     * parameters spelled out: the public PEM is the CLI's, byte for byte */
    size_t pn = 0;
    uint8_t *cli_pub = vec_read("ecdsa-p256.pub.pem", &pn);
    CHECK(cli_pub != NULL);
    static const char *const files[] = {"ecdsa-p256-scrypt.key.pem", "ecdsa-p256.key.pem",
                                        "ecdsa-p256-explicit.key.pem"};
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(files); i++) {
        k = load_vec(files[i], i == 0 ? "p256 scrypt pass" : NULL);
        CHECK(k != NULL);
        CHECK_INT(rprivkey_scheme(k), RKEY_ECDSA_P256);
        rbuf_init(&pub, 4096);
        CHECK_OK(rprivkey_public_tuf(k, &pub, &e));
        CHECK_MEM(pub.data, pub.len, cli_pub, pn);
        rbuf_free(&pub);
        rk = NULL;
        CHECK_OK(rkey_from_tuf(&rk, rslice_cstr("ecdsa"), rslice_cstr("ecdsa-sha2-nistp256"), RSLICE(cli_pub, pn), &e));
        CHECK_OK(sign_verify(k, rk, msg, sizeof(msg) - 1));
        rkey_free(rk);
        rprivkey_free(k);
    }
    free(cli_pub);
    CHECK_RC(load_vec_rc("ecdsa-p256-scrypt.key.pem", "p256 scrypt pas"), RAMPART_EPASSPHRASE);

    /* RSA-2048 (loadable; only generation demands 3072) */
    k = load_vec("rsa-2048.key.pem", NULL);
    CHECK(k != NULL);
    CHECK_INT(rprivkey_scheme(k), RKEY_RSA_PSS_SHA256);
    rk = NULL;
    size_t rn = 0;
    uint8_t *rsa_pub = vec_read("rsa-2048.pub.pem", &rn);
    CHECK(rsa_pub != NULL);
    CHECK_OK(rkey_from_tuf(&rk, rslice_cstr("rsa"), rslice_cstr("rsassa-pss-sha256"), RSLICE(rsa_pub, rn), &e));
    CHECK_OK(sign_verify(k, rk, msg, sizeof(msg) - 1));
    free(rsa_pub);
    rkey_free(rk);
    rprivkey_free(k);
}

static void test_unsupported_and_bad_keys(void)
{
    CHECK_RC(load_vec_rc("ecdsa-p384.key.pem", NULL), RAMPART_EUNSUPPORTED);
    CHECK_RC(load_vec_rc("dsa-2048.key.pem", NULL), RAMPART_EUNSUPPORTED);
    CHECK_RC(load_vec_rc("x25519.key.pem", NULL), RAMPART_EUNSUPPORTED);
    CHECK_RC(load_vec_rc("rsa-1024.key.pem", NULL), RAMPART_EFORMAT);
    /* not PKCS#8: SEC1 "EC PRIVATE KEY", plain and legacy-encrypted */
    CHECK_RC(load_vec_rc("ecdsa-p256-sec1.key.pem", NULL), RAMPART_EFORMAT);
    CHECK_RC(load_vec_rc("ecdsa-p256-legacy-enc.key.pem", "secret"), RAMPART_EFORMAT);
    /* a public key is not a private key */
    CHECK_RC(load_vec_rc("ecdsa-p256.pub.pem", NULL), RAMPART_EFORMAT);
    /* garbage */
    CHECK_RC(load_rc("hello", 5, NULL), RAMPART_EFORMAT);
    CHECK_RC(load_rc("", 0, NULL), RAMPART_EFORMAT);
    CHECK_RC(load_rc(NULL, 0, NULL), RAMPART_EFORMAT);
    static const char junk[] = "-----BEGIN PRIVATE KEY-----\nAAAAAAAA\n-----END PRIVATE KEY-----\n";
    CHECK_RC(load_rc(junk, strlen(junk), NULL), RAMPART_EFORMAT);
    static const char junk_enc[] = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMAA=\n-----END ENCRYPTED PRIVATE KEY-----\n";
    CHECK_RC(load_rc(junk_enc, strlen(junk_enc), "pw"), RAMPART_EFORMAT);

    size_t n = 0;
    uint8_t *pem = vec_read("ecdsa-p256.key.pem", &n);
    CHECK(pem != NULL);
    CHECK_OK(load_rc(pem, n, NULL));
    /* truncated, and followed by text */
    CHECK_RC(load_rc(pem, n / 2, NULL), RAMPART_EFORMAT);
    uint8_t *longer = malloc(n + 8);
    CHECK(longer != NULL);
    memcpy(longer, pem, n);
    memcpy(longer + n, "extra\n", 6);
    CHECK_RC(load_rc(longer, n + 6, NULL), RAMPART_EFORMAT);
    /* a byte after the DER, for both labels */
    uint8_t der[4096];
    char rewrapped[8192];
    rbuf view = {pem, n, n + 1, n, false};
    size_t dn = pem_der(&view, der, sizeof(der) - 1);
    CHECK(dn > 100);
    size_t wn = pem_wrap(rewrapped, sizeof(rewrapped), "PRIVATE KEY", der, dn);
    CHECK_OK(load_rc(rewrapped, wn, NULL));
    der[dn] = 0x00;
    wn = pem_wrap(rewrapped, sizeof(rewrapped), "PRIVATE KEY", der, dn + 1);
    CHECK_RC(load_rc(rewrapped, wn, NULL), RAMPART_EFORMAT);
    /* a plain PKCS#8 body under the ENCRYPTED label, and the reverse */
    char relabel[4096];
    const char *body = (const char *)pem + strlen("-----BEGIN PRIVATE KEY-----\n");
    const char *end = strstr(body, "-----END");
    CHECK(end != NULL);
    int w = snprintf(relabel, sizeof(relabel),
                     "-----BEGIN ENCRYPTED PRIVATE KEY-----\n%.*s-----END ENCRYPTED PRIVATE KEY-----\n",
                     (int)(end - body), body);
    CHECK(w > 0);
    CHECK_RC(load_rc(relabel, (size_t)w, "pw"), RAMPART_EFORMAT);
    free(longer);
    free(pem);
    pem = vec_read("ed25519-pbkdf2.key.pem", &n);
    CHECK(pem != NULL);
    body = (const char *)pem + strlen("-----BEGIN ENCRYPTED PRIVATE KEY-----\n");
    end = strstr(body, "-----END");
    CHECK(end != NULL);
    w = snprintf(relabel, sizeof(relabel), "-----BEGIN PRIVATE KEY-----\n%.*s-----END PRIVATE KEY-----\n",
                 (int)(end - body), body);
    CHECK(w > 0);
    CHECK_RC(load_rc(relabel, (size_t)w, "correct horse battery staple"), RAMPART_EFORMAT);
    view = (rbuf){pem, n, n + 1, n, false};
    dn = pem_der(&view, der, sizeof(der) - 1);
    CHECK(dn > 100);
    wn = pem_wrap(rewrapped, sizeof(rewrapped), "ENCRYPTED PRIVATE KEY", der, dn);
    CHECK_OK(load_rc(rewrapped, wn, "correct horse battery staple"));
    der[dn] = 0x00;
    wn = pem_wrap(rewrapped, sizeof(rewrapped), "ENCRYPTED PRIVATE KEY", der, dn + 1);
    CHECK_RC(load_rc(rewrapped, wn, "correct horse battery staple"), RAMPART_EFORMAT);
    /* altered ciphertext cannot be told from a wrong passphrase */
    der[dn - 1] ^= 0x01;
    wn = pem_wrap(rewrapped, sizeof(rewrapped), "ENCRYPTED PRIVATE KEY", der, dn);
    CHECK_RC(load_rc(rewrapped, wn, "correct horse battery staple"), RAMPART_EPASSPHRASE);
    free(pem);
    CHECK(ERR_peek_error() == 0);
}

static void test_arguments_and_outputs(void)
{
    rprivkey *k = NULL;
    rerr e = {0};
    CHECK_OK(rprivkey_generate(&k, RKEY_ED25519, 0, &e));
    rbuf small;
    rbuf_init(&small, 10);
    CHECK_OK(rbuf_append(&small, "xy", 2));
    /* outputs that do not fit leave the buffer unchanged */
    CHECK_RC(rprivkey_public_tuf(k, &small, &e), RAMPART_ETOOLARGE);
    CHECK_RC(rprivkey_sign(k, (const uint8_t *)msg, 3, &small, &e), RAMPART_ETOOLARGE);
    CHECK_RC(rprivkey_to_pem(k, NULL, 0, &small, &e), RAMPART_ETOOLARGE);
    CHECK_RC(rprivkey_to_pem(k, "pw", 2, &small, &e), RAMPART_ETOOLARGE);
    CHECK_INT(small.len, 2);
    CHECK_MEM(small.data, 2, "xy", 2);
    rbuf_free(&small);
    /* appends after what is there */
    rbuf b;
    rbuf_init(&b, 4096);
    CHECK_OK(rbuf_append(&b, "key:", 4));
    CHECK_OK(rprivkey_public_tuf(k, &b, &e));
    CHECK_INT(b.len, 68);
    CHECK_MEM(b.data, 4, "key:", 4);
    CHECK_RC(rprivkey_sign(NULL, (const uint8_t *)msg, 3, &b, &e), RAMPART_EINVAL);
    CHECK_RC(rprivkey_sign(k, NULL, 3, &b, &e), RAMPART_EINVAL);
    CHECK_RC(rprivkey_sign(k, (const uint8_t *)msg, 3, NULL, &e), RAMPART_EINVAL);
    CHECK_RC(rprivkey_public_tuf(NULL, &b, &e), RAMPART_EINVAL);
    CHECK_RC(rprivkey_to_pem(NULL, NULL, 0, &b, &e), RAMPART_EINVAL);
    CHECK_RC(rprivkey_to_pem(k, NULL, 0, NULL, &e), RAMPART_EINVAL);
    CHECK_RC(rprivkey_to_pem(k, "ab\0cd", 5, &b, &e), RAMPART_EINVAL);
    CHECK_RC(rprivkey_to_pem(k, "ab", (size_t)1 << 31, &b, &e), RAMPART_EINVAL);
    CHECK_RC(rprivkey_load_pem(NULL, (const uint8_t *)"x", 1, NULL, 0, &e), RAMPART_EINVAL);
    rprivkey *r = sentinel();
    CHECK_RC(rprivkey_load_pem(&r, NULL, 5, NULL, 0, &e), RAMPART_EINVAL);
    CHECK_RC(rprivkey_load_pem(&r, (const uint8_t *)"x", 1, "p", (size_t)1 << 31, &e), RAMPART_EINVAL);
    CHECK(r == sentinel());
    CHECK_INT(b.len, 68);
    rbuf_free(&b);
    rprivkey_free(k);
}

/* Failures leave no errors of ours queued; the application's stay. */
static void test_error_queue(void)
{
    ERR_clear_error();
    ERR_raise_data(ERR_LIB_USER, 78, "application error");
    unsigned long mine = ERR_peek_last_error();
    CHECK(mine != 0);
    CHECK_RC(load_vec_rc("ed25519-pbkdf2.key.pem", "wrong"), RAMPART_EPASSPHRASE);
    CHECK_RC(load_vec_rc("ecdsa-p384.key.pem", NULL), RAMPART_EUNSUPPORTED);
    CHECK_RC(load_rc("garbage", 7, NULL), RAMPART_EFORMAT);
    CHECK(ERR_get_error() == mine);
    CHECK(ERR_get_error() == 0);
}

int main(void)
{
    RUN(test_generate_ed25519_ecdsa);
    RUN(test_generate_rsa);
    RUN(test_generate_refusals);
    RUN(test_pem_round_trips);
    RUN(test_cli_keys);
    RUN(test_unsupported_and_bad_keys);
    RUN(test_arguments_and_outputs);
    RUN(test_error_queue);
    return th_summary("test_privkey");
}
