/* test_key.c - TUF public keys: RFC 8032 Ed25519 vectors, ECDSA P-256 and
 * RSA-PSS vectors made with the openssl CLI (tests/vectors/crypto/), key
 * material and keytype/scheme rejection with exact codes, fingerprints,
 * keyids and the OpenSSL error-queue discipline. */
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "harness.h"
#include "vecfile.h"
#include "crypto/hash.h"
#include "crypto/key.h"
#include "keys/keys.h"
#include "util/banned.h"

/* RFC 8032 §7.1: TEST 1, TEST 2, TEST 3 and TEST SHA(abc). */
static const struct {
    const char *pub, *msg, *sig;
} rfc8032[] = {
    {"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe246"
     "55141438e7a100b"},
    {"3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb"
     "00d291612bb0c00"},
    {"fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc"
     "027beceea1ec40a"},
    {"ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
     "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2"
     "a9ac94fa54ca49f",
     "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad"
     "9bef1177331a704"},
};

#define S(str) rslice_cstr(str)

static rkey *sentinel(void)
{
    return (rkey *)(uintptr_t)0x5e;
}

/* Parses a key and returns it (NULL on failure, reported by the caller's CHECK). */
static rkey *load(const char *kt, const char *sc, const char *pub)
{
    rkey *k = NULL;
    rerr e = {0};
    int rc = rkey_from_tuf(&k, S(kt), S(sc), S(pub), &e);
    if (rc != 0)
        fprintf(stderr, "  load %s/%s: %s: %s\n", kt, sc, rampart_error_name(rc), e.message);
    return rc == 0 ? k : NULL;
}

/* rkey_from_tuf's code for a key; checks *out is untouched on failure. */
static int load_rc(const char *kt, const char *sc, const uint8_t *pub, size_t n)
{
    rkey *k = sentinel();
    rerr e = {0};
    int rc = rkey_from_tuf(&k, S(kt), S(sc), RSLICE(pub, n), &e);
    if (rc == 0) {
        rkey_free(k);
        return 0;
    }
    if (k != sentinel() || e.code != rc || e.message[0] == '\0')
        return 999; /* failure must leave out alone and explain itself */
    return rc;
}

static int load_vec_rc(const char *kt, const char *sc, const char *file)
{
    size_t n = 0;
    uint8_t *pem = vec_read(file, &n);
    if (pem == NULL)
        return 998;
    int rc = load_rc(kt, sc, pem, n);
    free(pem);
    return rc;
}

static rkey *load_vec(const char *kt, const char *sc, const char *file)
{
    size_t n = 0;
    uint8_t *pem = vec_read(file, &n);
    if (pem == NULL)
        return NULL;
    rkey *k = load(kt, sc, (const char *)pem);
    free(pem);
    return k;
}

static void test_scheme_names(void)
{
    CHECK_STR(rkey_scheme_keytype(RKEY_ED25519), "ed25519");
    CHECK_STR(rkey_scheme_keytype(RKEY_ECDSA_P256), "ecdsa");
    CHECK_STR(rkey_scheme_keytype(RKEY_RSA_PSS_SHA256), "rsa");
    CHECK_STR(rkey_scheme_name(RKEY_ED25519), "ed25519");
    CHECK_STR(rkey_scheme_name(RKEY_ECDSA_P256), "ecdsa-sha2-nistp256");
    CHECK_STR(rkey_scheme_name(RKEY_RSA_PSS_SHA256), "rsassa-pss-sha256");
    CHECK(rkey_scheme_keytype((rkey_scheme)3) == NULL);
    CHECK(rkey_scheme_name((rkey_scheme)-1) == NULL);
}

static void test_ed25519_rfc8032(void)
{
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(rfc8032); i++) {
        uint8_t msg[64], sig[64];
        size_t mlen = vec_unhex(msg, sizeof(msg), rfc8032[i].msg);
        CHECK_INT(vec_unhex(sig, sizeof(sig), rfc8032[i].sig), 64);
        rkey *k = load("ed25519", "ed25519", rfc8032[i].pub);
        CHECK(k != NULL);
        CHECK_INT(rkey_get_scheme(k), RKEY_ED25519);
        CHECK_OK(rkey_verify(k, sig, 64, mlen ? msg : NULL, mlen));
        /* every vector's signature fails under every other vector's key */
        rkey *other = load("ed25519", "ed25519", rfc8032[(i + 1) % 4].pub);
        CHECK(other != NULL);
        CHECK_RC(rkey_verify(other, sig, 64, msg, mlen), RAMPART_EBADSIG);
        rkey_free(other);
        rkey_free(k);
    }
    /* upper-case hex is the same key */
    char upper[65];
    for (int i = 0; i < 65; i++)
        upper[i] =
            (char)(rfc8032[2].pub[i] >= 'a' && rfc8032[2].pub[i] <= 'f' ? rfc8032[2].pub[i] - 32 : rfc8032[2].pub[i]);
    rkey *k = load("ed25519", "ed25519", upper);
    CHECK(k != NULL);
    uint8_t msg[2], sig[64];
    CHECK_INT(vec_unhex(msg, 2, rfc8032[2].msg), 2);
    CHECK_INT(vec_unhex(sig, 64, rfc8032[2].sig), 64);
    CHECK_OK(rkey_verify(k, sig, 64, msg, 2));
    rkey_free(k);
}

static void test_ed25519_tampering(void)
{
    uint8_t msg[2], sig[66];
    CHECK_INT(vec_unhex(msg, 2, rfc8032[2].msg), 2);
    CHECK_INT(vec_unhex(sig, 64, rfc8032[2].sig), 64);
    rkey *k = load("ed25519", "ed25519", rfc8032[2].pub);
    CHECK(k != NULL);
    CHECK_OK(rkey_verify(k, sig, 64, msg, 2));
    static const size_t bits[] = {0, 7, 8 * 31 + 7, 8 * 32, 8 * 63 + 6, 8 * 63 + 7};
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(bits); i++) {
        sig[bits[i] / 8] ^= (uint8_t)(1u << (bits[i] % 8));
        CHECK_RC(rkey_verify(k, sig, 64, msg, 2), RAMPART_EBADSIG);
        sig[bits[i] / 8] ^= (uint8_t)(1u << (bits[i] % 8));
    }
    for (size_t b = 0; b < 16; b++) {
        msg[b / 8] ^= (uint8_t)(1u << (b % 8));
        CHECK_RC(rkey_verify(k, sig, 64, msg, 2), RAMPART_EBADSIG);
        msg[b / 8] ^= (uint8_t)(1u << (b % 8));
    }
    /* a message one byte longer or shorter */
    CHECK_RC(rkey_verify(k, sig, 64, msg, 1), RAMPART_EBADSIG);
    /* wrong signature lengths, including the right bytes plus one */
    sig[64] = 0;
    CHECK_RC(rkey_verify(k, sig, 63, msg, 2), RAMPART_EBADSIG);
    CHECK_RC(rkey_verify(k, sig, 65, msg, 2), RAMPART_EBADSIG);
    CHECK_RC(rkey_verify(k, sig, 0, msg, 2), RAMPART_EBADSIG);
    CHECK_RC(rkey_verify(k, NULL, 0, msg, 2), RAMPART_EBADSIG);
    CHECK_RC(rkey_verify(k, NULL, 64, msg, 2), RAMPART_EINVAL);
    CHECK_RC(rkey_verify(k, sig, 64, NULL, 2), RAMPART_EINVAL);
    CHECK_RC(rkey_verify(NULL, sig, 64, msg, 2), RAMPART_EINVAL);
    /* still fine afterwards */
    CHECK_OK(rkey_verify(k, sig, 64, msg, 2));
    rkey_free(k);
}

static void test_ed25519_bad_material(void)
{
    const char *good = rfc8032[0].pub;
    char buf[80];
    /* 31 and 33 bytes */
    CHECK_RC(load_rc("ed25519", "ed25519", (const uint8_t *)good, 62), RAMPART_EFORMAT);
    snprintf(buf, sizeof(buf), "%s00", good);
    CHECK_RC(load_rc("ed25519", "ed25519", (const uint8_t *)buf, 66), RAMPART_EFORMAT);
    /* odd length */
    CHECK_RC(load_rc("ed25519", "ed25519", (const uint8_t *)good, 63), RAMPART_EFORMAT);
    CHECK_RC(load_rc("ed25519", "ed25519", (const uint8_t *)buf, 65), RAMPART_EFORMAT);
    /* 64 characters, one of them not hex */
    static const char bad_chars[] = {'g', 'G', ' ', 'x', '\0', '\n', '-'};
    for (size_t i = 0; i < sizeof(bad_chars); i++) {
        memcpy(buf, good, 64);
        buf[17] = bad_chars[i];
        CHECK_RC(load_rc("ed25519", "ed25519", (const uint8_t *)buf, 64), RAMPART_EFORMAT);
    }
    snprintf(buf, sizeof(buf), "0x%.62s", good);
    CHECK_RC(load_rc("ed25519", "ed25519", (const uint8_t *)buf, 64), RAMPART_EFORMAT);
    CHECK_RC(load_rc("ed25519", "ed25519", (const uint8_t *)"", 0), RAMPART_EFORMAT);
    CHECK_RC(load_rc("ed25519", "ed25519", NULL, 0), RAMPART_EFORMAT);
    /* a PEM is not an ed25519 TUF key */
    CHECK_RC(load_vec_rc("ed25519", "ed25519", "ecdsa-p256.pub.pem"), RAMPART_EFORMAT);
    /* the good one, for contrast */
    CHECK_OK(load_rc("ed25519", "ed25519", (const uint8_t *)good, 64));
}

static void test_ecdsa_vectors(void)
{
    size_t mlen = 0, slen = 0;
    uint8_t *msg = vec_read("message.bin", &mlen);
    uint8_t *sig = vec_read("ecdsa-p256.sig", &slen);
    CHECK(msg != NULL && sig != NULL);
    rkey *k1 = load_vec("ecdsa", "ecdsa-sha2-nistp256", "ecdsa-p256.pub.pem");
    rkey *k2 = load_vec("ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256", "ecdsa-p256.pub.pem");
    rkey *kc = load_vec("ecdsa", "ecdsa-sha2-nistp256", "ecdsa-p256-compressed.pub.pem");
    rkey *ko = load_vec("ecdsa", "ecdsa-sha2-nistp256", "ecdsa-p256-other.pub.pem");
    CHECK(k1 != NULL && k2 != NULL && kc != NULL && ko != NULL);
    CHECK_INT(rkey_get_scheme(k1), RKEY_ECDSA_P256);
    CHECK_OK(rkey_verify(k1, sig, slen, msg, mlen));
    CHECK_OK(rkey_verify(k2, sig, slen, msg, mlen));
    CHECK_OK(rkey_verify(kc, sig, slen, msg, mlen));
    CHECK_RC(rkey_verify(ko, sig, slen, msg, mlen), RAMPART_EBADSIG);
    /* the message changed */
    msg[0] ^= 1;
    CHECK_RC(rkey_verify(k1, sig, slen, msg, mlen), RAMPART_EBADSIG);
    msg[0] ^= 1;
    CHECK_RC(rkey_verify(k1, sig, slen, msg, mlen - 1), RAMPART_EBADSIG);
    /* plausible but wrong: still valid DER, last byte of s changed */
    sig[slen - 1] ^= 0x01;
    CHECK_RC(rkey_verify(k1, sig, slen, msg, mlen), RAMPART_EBADSIG);
    sig[slen - 1] ^= 0x01;
    /* truncated DER, and DER with a trailing byte */
    CHECK_RC(rkey_verify(k1, sig, slen - 1, msg, mlen), RAMPART_EBADSIG);
    uint8_t longer[80];
    CHECK(slen + 1 <= sizeof(longer));
    memcpy(longer, sig, slen);
    longer[slen] = 0;
    CHECK_RC(rkey_verify(k1, longer, slen + 1, msg, mlen), RAMPART_EBADSIG);
    /* BER, not DER: the same SEQUENCE with a long-form length */
    CHECK(sig[0] == 0x30 && sig[1] == slen - 2);
    longer[0] = 0x30;
    longer[1] = 0x81;
    longer[2] = (uint8_t)(slen - 2);
    memcpy(longer + 3, sig + 2, slen - 2);
    CHECK_RC(rkey_verify(k1, longer, slen + 1, msg, mlen), RAMPART_EBADSIG);
    /* r = 0, s = 1 and r = s = n - 1: well-formed values outside what can verify */
    static const uint8_t zero_r[] = {0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x01};
    CHECK_RC(rkey_verify(k1, zero_r, sizeof(zero_r), msg, mlen), RAMPART_EBADSIG);
    uint8_t nm1[72] = {0x30, 0x46, 0x02, 0x21, 0x00};
    static const char n_minus_1[] = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632550";
    CHECK_INT(vec_unhex(nm1 + 5, 32, n_minus_1), 32);
    nm1[37] = 0x02;
    nm1[38] = 0x21;
    nm1[39] = 0x00;
    memcpy(nm1 + 40, nm1 + 5, 32);
    CHECK_RC(rkey_verify(k1, nm1, sizeof(nm1), msg, mlen), RAMPART_EBADSIG);
    /* an Ed25519-sized blob and nothing at all */
    uint8_t junk[64];
    memset(junk, 0x30, sizeof(junk));
    CHECK_RC(rkey_verify(k1, junk, sizeof(junk), msg, mlen), RAMPART_EBADSIG);
    CHECK_RC(rkey_verify(k1, sig, 0, msg, mlen), RAMPART_EBADSIG);
    CHECK_OK(rkey_verify(k1, sig, slen, msg, mlen));
    CHECK(ERR_peek_error() == 0);
    rkey_free(k1);
    rkey_free(k2);
    rkey_free(kc);
    rkey_free(ko);
    free(msg);
    free(sig);
}

static void test_rsa_pss_vectors(void)
{
    size_t mlen = 0, l32 = 0, lmax = 0, l15 = 0, l512 = 0;
    uint8_t *msg = vec_read("message.bin", &mlen);
    uint8_t *s32 = vec_read("rsa-pss-salt32.sig", &l32);
    uint8_t *smax = vec_read("rsa-pss-saltmax.sig", &lmax);
    uint8_t *s15 = vec_read("rsa-pkcs1v15.sig", &l15);
    uint8_t *s512 = vec_read("rsa-pss-sha512.sig", &l512);
    CHECK(msg && s32 && smax && s15 && s512);
    CHECK_INT(l32, 256);
    CHECK_INT(lmax, 256);
    rkey *k = load_vec("rsa", "rsassa-pss-sha256", "rsa-2048.pub.pem");
    CHECK(k != NULL);
    CHECK_INT(rkey_get_scheme(k), RKEY_RSA_PSS_SHA256);
    /* salt length 32 (= digest length) and 222 (the maximum for 2048 bits) */
    CHECK_OK(rkey_verify(k, s32, l32, msg, mlen));
    CHECK_OK(rkey_verify(k, smax, lmax, msg, mlen));
    /* other paddings and digests by the same key are not this scheme */
    CHECK_RC(rkey_verify(k, s15, l15, msg, mlen), RAMPART_EBADSIG);
    CHECK_RC(rkey_verify(k, s512, l512, msg, mlen), RAMPART_EBADSIG);
    /* bit flips in signature and message */
    s32[100] ^= 0x10;
    CHECK_RC(rkey_verify(k, s32, l32, msg, mlen), RAMPART_EBADSIG);
    s32[100] ^= 0x10;
    msg[mlen - 1] ^= 0x80;
    CHECK_RC(rkey_verify(k, smax, lmax, msg, mlen), RAMPART_EBADSIG);
    msg[mlen - 1] ^= 0x80;
    /* wrong lengths: one byte short, and a leading zero byte added */
    CHECK_RC(rkey_verify(k, s32, l32 - 1, msg, mlen), RAMPART_EBADSIG);
    uint8_t pad[257] = {0};
    memcpy(pad + 1, s32, 256);
    CHECK_RC(rkey_verify(k, pad, 257, msg, mlen), RAMPART_EBADSIG);
    /* values 0 and 2^2048 - 1 (>= n) */
    uint8_t v[256];
    memset(v, 0, sizeof(v));
    CHECK_RC(rkey_verify(k, v, sizeof(v), msg, mlen), RAMPART_EBADSIG);
    memset(v, 0xff, sizeof(v));
    CHECK_RC(rkey_verify(k, v, sizeof(v), msg, mlen), RAMPART_EBADSIG);
    CHECK_OK(rkey_verify(k, s32, l32, msg, mlen));
    CHECK(ERR_peek_error() == 0);
    rkey_free(k);
    free(msg);
    free(s32);
    free(smax);
    free(s15);
    free(s512);
}

/* Key material that does not fit the declared scheme is EFORMAT. */
static void test_wrong_material(void)
{
    CHECK_RC(load_vec_rc("ecdsa", "ecdsa-sha2-nistp256", "ecdsa-p384.pub.pem"), RAMPART_EFORMAT);
    CHECK_RC(load_vec_rc("ecdsa", "ecdsa-sha2-nistp256", "ecdsa-p256-explicit.pub.pem"), RAMPART_EFORMAT);
    CHECK_RC(load_vec_rc("rsa", "rsassa-pss-sha256", "rsa-1024.pub.pem"), RAMPART_EFORMAT);
    CHECK_RC(load_vec_rc("ecdsa", "ecdsa-sha2-nistp256", "rsa-2048.pub.pem"), RAMPART_EFORMAT);
    CHECK_RC(load_vec_rc("rsa", "rsassa-pss-sha256", "ecdsa-p256.pub.pem"), RAMPART_EFORMAT);
    /* a private key where a public key belongs */
    CHECK_RC(load_vec_rc("ecdsa", "ecdsa-sha2-nistp256", "ecdsa-p256.key.pem"), RAMPART_EFORMAT);
    /* RSA public exponents 1 (every value would be its own signature) and even */
    CHECK_RC(load_vec_rc("rsa", "rsassa-pss-sha256", "rsa-2048-e1.pub.pem"), RAMPART_EFORMAT);
    CHECK_RC(load_vec_rc("rsa", "rsassa-pss-sha256", "rsa-2048-eeven.pub.pem"), RAMPART_EFORMAT);
    /* hex where a PEM belongs */
    CHECK_RC(load_rc("rsa", "rsassa-pss-sha256", (const uint8_t *)rfc8032[0].pub, 64), RAMPART_EFORMAT);
}

/* Builds "<pre>-----BEGIN <label>-----\n<base64 of der, 64-column lines>\n
 * -----END <label>-----\n<post>" into out; returns its length (0 if it does not fit). */
static size_t make_pem(char *out, size_t cap, const char *pre, const char *label, const uint8_t *der, size_t n,
                       const char *post)
{
    unsigned char b64[1024];
    char body[1100];
    if (n > 700 || EVP_EncodeBlock(b64, der, (int)n) <= 0)
        return 0;
    size_t bl = strlen((char *)b64), o = 0;
    for (size_t i = 0; i < bl; i += 64) {
        size_t k = bl - i < 64 ? bl - i : 64;
        memcpy(body + o, b64 + i, k);
        o += k;
        body[o++] = '\n';
    }
    body[o] = '\0';
    int w = snprintf(out, cap, "%s-----BEGIN %s-----\n%s-----END %s-----\n%s", pre, label, body, label, post);
    return w > 0 && (size_t)w < cap ? (size_t)w : 0;
}

/* The SPKI DER of a vector PEM, decoded by the test itself. */
static size_t vec_der(const char *file, uint8_t *der, size_t cap)
{
    size_t n = 0;
    uint8_t *pem = vec_read(file, &n);
    if (pem == NULL)
        return 0;
    char b64[1024];
    size_t bl = 0;
    const char *p = strchr((char *)pem, '\n') + 1;
    const char *end = strstr(p, "-----END");
    for (; p < end; p++)
        if (*p != '\n' && bl + 1 < sizeof(b64))
            b64[bl++] = *p;
    free(pem);
    int dl = EVP_DecodeBlock(der, (unsigned char *)b64, (int)bl);
    if (dl <= 0 || (size_t)dl > cap)
        return 0;
    /* EVP_DecodeBlock keeps the zero bytes that '=' padding stands for */
    size_t pad = (bl >= 1 && b64[bl - 1] == '=') + (bl >= 2 && b64[bl - 2] == '=');
    return (size_t)dl - pad;
}

static void test_pem_strictness(void)
{
    const char *kt = "ecdsa", *sc = "ecdsa-sha2-nistp256";
    uint8_t der[512];
    size_t dn = vec_der("ecdsa-p256.pub.pem", der, sizeof(der));
    CHECK_INT(dn, 91);
    char pem[2048];
    size_t n;
    /* the rebuilt PEM is accepted, with surrounding whitespace */
    n = make_pem(pem, sizeof(pem), "", "PUBLIC KEY", der, dn, "");
    CHECK_OK(load_rc(kt, sc, (uint8_t *)pem, n));
    n = make_pem(pem, sizeof(pem), "\n \t\r\n", "PUBLIC KEY", der, dn, "\r\n\n  \t");
    CHECK_OK(load_rc(kt, sc, (uint8_t *)pem, n));
    /* without the final newline */
    n = make_pem(pem, sizeof(pem), "", "PUBLIC KEY", der, dn, "");
    CHECK_OK(load_rc(kt, sc, (uint8_t *)pem, n - 1));
    /* text before or after the block */
    n = make_pem(pem, sizeof(pem), "key:\n", "PUBLIC KEY", der, dn, "");
    CHECK_RC(load_rc(kt, sc, (uint8_t *)pem, n), RAMPART_EFORMAT);
    n = make_pem(pem, sizeof(pem), "", "PUBLIC KEY", der, dn, "x");
    CHECK_RC(load_rc(kt, sc, (uint8_t *)pem, n), RAMPART_EFORMAT);
    n = make_pem(pem, sizeof(pem), "", "PUBLIC KEY", der, dn, "\n\n.\n");
    CHECK_RC(load_rc(kt, sc, (uint8_t *)pem, n), RAMPART_EFORMAT);
    /* a NUL byte after the block (a C string would hide it) */
    n = make_pem(pem, sizeof(pem), "", "PUBLIC KEY", der, dn, "");
    pem[n] = '\0';
    CHECK_RC(load_rc(kt, sc, (uint8_t *)pem, n + 1), RAMPART_EFORMAT);
    /* two blocks */
    n = make_pem(pem, sizeof(pem), "", "PUBLIC KEY", der, dn, "");
    size_t n2 = make_pem(pem + n, sizeof(pem) - n, "", "PUBLIC KEY", der, dn, "");
    CHECK(n2 > 0);
    CHECK_RC(load_rc(kt, sc, (uint8_t *)pem, n + n2), RAMPART_EFORMAT);
    /* other labels */
    n = make_pem(pem, sizeof(pem), "", "RSA PUBLIC KEY", der, dn, "");
    CHECK_RC(load_rc(kt, sc, (uint8_t *)pem, n), RAMPART_EFORMAT);
    n = make_pem(pem, sizeof(pem), "", "CERTIFICATE", der, dn, "");
    CHECK_RC(load_rc(kt, sc, (uint8_t *)pem, n), RAMPART_EFORMAT);
    /* a trailing byte inside the DER, and a truncated DER */
    der[dn] = 0x00;
    n = make_pem(pem, sizeof(pem), "", "PUBLIC KEY", der, dn + 1, "");
    CHECK_RC(load_rc(kt, sc, (uint8_t *)pem, n), RAMPART_EFORMAT);
    n = make_pem(pem, sizeof(pem), "", "PUBLIC KEY", der, dn - 1, "");
    CHECK_RC(load_rc(kt, sc, (uint8_t *)pem, n), RAMPART_EFORMAT);
    /* a point not on the curve: last coordinate byte changed */
    der[dn - 1] ^= 0x01;
    n = make_pem(pem, sizeof(pem), "", "PUBLIC KEY", der, dn, "");
    CHECK_RC(load_rc(kt, sc, (uint8_t *)pem, n), RAMPART_EFORMAT);
    der[dn - 1] ^= 0x01;
    /* the point at infinity (a one-byte 0x00 encoding) is no public key */
    static const uint8_t inf[] = {0x30, 0x19, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06,
                                  0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x02, 0x00, 0x00};
    n = make_pem(pem, sizeof(pem), "", "PUBLIC KEY", inf, sizeof(inf), "");
    CHECK_RC(load_rc(kt, sc, (uint8_t *)pem, n), RAMPART_EFORMAT);
    /* RFC 1421 headers are refused */
    n = make_pem(pem, sizeof(pem), "", "PUBLIC KEY", der, dn, "");
    char hdr[2048];
    int w = snprintf(hdr, sizeof(hdr), "-----BEGIN PUBLIC KEY-----\nComment: hi\n\n%s", pem + 27);
    CHECK(w > 0);
    CHECK_RC(load_rc(kt, sc, (uint8_t *)hdr, (size_t)w), RAMPART_EFORMAT);
    /* a non-base64 byte in the body, a control byte, an 8-bit byte */
    static const char bad[] = {'!', '\x01', '\x80'};
    for (size_t i = 0; i < sizeof(bad); i++) {
        n = make_pem(pem, sizeof(pem), "", "PUBLIC KEY", der, dn, "");
        pem[40] = bad[i];
        CHECK_RC(load_rc(kt, sc, (uint8_t *)pem, n), RAMPART_EFORMAT);
    }
    /* control bytes that OpenSSL's reader would strip from a line end */
    n = make_pem(pem, sizeof(pem), "", "PUBLIC KEY", der, dn, "");
    for (size_t at = 26; at <= 26 + 65; at += 65) {
        char ctl[2048];
        CHECK(pem[at] == '\n');
        memcpy(ctl, pem, at);
        ctl[at] = '\x0b';
        memcpy(ctl + at + 1, pem + at, n - at);
        CHECK_RC(load_rc(kt, sc, (uint8_t *)ctl, n + 1), RAMPART_EFORMAT);
    }
    /* BEGIN and END labels that differ; no END at all */
    n = make_pem(pem, sizeof(pem), "", "PUBLIC KEY", der, dn, "");
    char *endl = strstr(pem, "-----END PUBLIC KEY");
    CHECK(endl != NULL);
    memcpy(endl + 9, "PUBLIX", 6);
    CHECK_RC(load_rc(kt, sc, (uint8_t *)pem, n), RAMPART_EFORMAT);
    n = make_pem(pem, sizeof(pem), "", "PUBLIC KEY", der, dn, "");
    CHECK_RC(load_rc(kt, sc, (uint8_t *)pem, (size_t)(strstr(pem, "-----END") - pem)), RAMPART_EFORMAT);
    /* oversized input, even if it would be whitespace */
    static char big[9000];
    n = make_pem(big, sizeof(big), "", "PUBLIC KEY", der, dn, "");
    memset(big + n, ' ', sizeof(big) - n);
    CHECK_RC(load_rc(kt, sc, (uint8_t *)big, sizeof(big)), RAMPART_EFORMAT);
    CHECK_OK(load_rc(kt, sc, (uint8_t *)big, 8192));
}

/* Unknown keytypes and schemes, and mismatched pairs, are EUNSUPPORTED,
 * decided before the key material is looked at. */
static void test_unsupported(void)
{
    const uint8_t *ed = (const uint8_t *)rfc8032[0].pub;
    CHECK_RC(load_rc("ed25519", "ecdsa-sha2-nistp256", ed, 64), RAMPART_EUNSUPPORTED);
    CHECK_RC(load_rc("rsa", "ed25519", ed, 64), RAMPART_EUNSUPPORTED);
    CHECK_RC(load_rc("ecdsa", "ed25519", ed, 64), RAMPART_EUNSUPPORTED);
    CHECK_RC(load_vec_rc("rsa", "ecdsa-sha2-nistp256", "ecdsa-p256.pub.pem"), RAMPART_EUNSUPPORTED);
    CHECK_RC(load_vec_rc("ecdsa", "rsassa-pss-sha256", "rsa-2048.pub.pem"), RAMPART_EUNSUPPORTED);
    CHECK_RC(load_vec_rc("ed25519", "rsassa-pss-sha256", "rsa-2048.pub.pem"), RAMPART_EUNSUPPORTED);
    CHECK_RC(load_vec_rc("ecdsa-sha2-nistp384", "ecdsa-sha2-nistp384", "ecdsa-p384.pub.pem"), RAMPART_EUNSUPPORTED);
    CHECK_RC(load_vec_rc("rsa", "rsassa-pss-sha512", "rsa-2048.pub.pem"), RAMPART_EUNSUPPORTED);
    CHECK_RC(load_vec_rc("rsa", "rsa-pkcs1v15-sha256", "rsa-2048.pub.pem"), RAMPART_EUNSUPPORTED);
    CHECK_RC(load_rc("ED25519", "ed25519", ed, 64), RAMPART_EUNSUPPORTED);
    CHECK_RC(load_rc("ed25519", "Ed25519", ed, 64), RAMPART_EUNSUPPORTED);
    CHECK_RC(load_rc("ed25519 ", "ed25519", ed, 64), RAMPART_EUNSUPPORTED);
    CHECK_RC(load_rc("", "", ed, 64), RAMPART_EUNSUPPORTED);
    /* unsupported wins over bad material: the scheme is judged first */
    CHECK_RC(load_rc("ed25519", "ecdsa-sha2-nistp256", (const uint8_t *)"zz", 2), RAMPART_EUNSUPPORTED);
    /* an embedded NUL is not a shorter name */
    rkey *k = sentinel();
    CHECK_RC(rkey_from_tuf(&k, RSLICE("ed25519\0", 8), S("ed25519"), RSLICE(ed, 64), NULL), RAMPART_EUNSUPPORTED);
    CHECK(k == sentinel());
    /* invalid arguments */
    CHECK_RC(rkey_from_tuf(NULL, S("ed25519"), S("ed25519"), RSLICE(ed, 64), NULL), RAMPART_EINVAL);
    CHECK_RC(rkey_from_tuf(&k, RSLICE(NULL, 3), S("ed25519"), RSLICE(ed, 64), NULL), RAMPART_EINVAL);
    CHECK(k == sentinel());
    rkey_free(NULL);
}

static void test_fingerprints(void)
{
    rkey *a = load_vec("ecdsa", "ecdsa-sha2-nistp256", "ecdsa-p256.pub.pem");
    rkey *b = load_vec("ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256", "ecdsa-p256.pub.pem");
    rkey *c = load_vec("ecdsa", "ecdsa-sha2-nistp256", "ecdsa-p256-compressed.pub.pem");
    rkey *o = load_vec("ecdsa", "ecdsa-sha2-nistp256", "ecdsa-p256-other.pub.pem");
    rkey *r = load_vec("rsa", "rsassa-pss-sha256", "rsa-2048.pub.pem");
    rkey *e1 = load("ed25519", "ed25519", rfc8032[0].pub);
    rkey *e2 = load("ed25519", "ed25519", rfc8032[1].pub);
    CHECK(a && b && c && o && r && e1 && e2);
    /* same material under two labels, and in the compressed encoding */
    CHECK(rdigest_eq(rkey_fingerprint(a), rkey_fingerprint(b), RKEY_FINGERPRINT_LEN));
    CHECK(rdigest_eq(rkey_fingerprint(a), rkey_fingerprint(c), RKEY_FINGERPRINT_LEN));
    /* different keys */
    CHECK(!rdigest_eq(rkey_fingerprint(a), rkey_fingerprint(o), RKEY_FINGERPRINT_LEN));
    CHECK(!rdigest_eq(rkey_fingerprint(a), rkey_fingerprint(r), RKEY_FINGERPRINT_LEN));
    CHECK(!rdigest_eq(rkey_fingerprint(e1), rkey_fingerprint(e2), RKEY_FINGERPRINT_LEN));
    /* exact bytes: SHA-256 of the uncompressed SPKI DER as the CLI wrote it */
    uint8_t der[512], want[RHASH_MAX_LEN];
    size_t dn = vec_der("ecdsa-p256.pub.pem", der, sizeof(der));
    CHECK_INT(dn, 91);
    CHECK_OK(rhash_digest(RHASH_SHA256, der, dn, want));
    CHECK_MEM(rkey_fingerprint(a), 32, want, 32);
    dn = vec_der("rsa-2048.pub.pem", der, sizeof(der));
    CHECK_INT(dn, 294);
    CHECK_OK(rhash_digest(RHASH_SHA256, der, dn, want));
    CHECK_MEM(rkey_fingerprint(r), 32, want, 32);
    /* Ed25519: the RFC 8410 SPKI prefix then the 32 raw bytes */
    static const uint8_t ed_prefix[] = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
    memcpy(der, ed_prefix, sizeof(ed_prefix));
    CHECK_INT(vec_unhex(der + 12, 32, rfc8032[0].pub), 32);
    CHECK_OK(rhash_digest(RHASH_SHA256, der, 44, want));
    CHECK_MEM(rkey_fingerprint(e1), 32, want, 32);
    rkey_free(a);
    rkey_free(b);
    rkey_free(c);
    rkey_free(o);
    rkey_free(r);
    rkey_free(e1);
    rkey_free(e2);
}

/* Expected keyids computed independently with python3 hashlib over the
 * canonical bytes spelled out in tests/vectors/crypto/README.md. */
static void test_keyids(void)
{
    char id[65];
    memset(id, 'x', sizeof(id));
    CHECK_OK(rkey_compute_keyid(S("ed25519"), S("ed25519"), S(rfc8032[0].pub), id));
    CHECK_STR(id, "74c181c7ad8a0855d4b55e44d2ba87aabdddb196832571f15f92fece332e4916");
    CHECK_OK(rkey_compute_keyid(S("a\"b"), S("c\\d"), S("x"), id));
    CHECK_STR(id, "8691f7667794d9d387fcffd7fb7db89d1bb979e085415764d075388f693f8919");
    size_t n = 0;
    uint8_t *pem = vec_read("ecdsa-p256.pub.pem", &n);
    CHECK(pem != NULL);
    int rc = rkey_compute_keyid(S("ecdsa"), S("ecdsa-sha2-nistp256"), RSLICE(pem, n), id);
    free(pem);
    CHECK_OK(rc);
    CHECK_STR(id, "0610bb27e1769820b3062f6bf015bbc5f7e10715724049eb03630dc389a0f9ea");
    /* the keyid depends on every field, labels included */
    CHECK_OK(rkey_compute_keyid(S("ecdsa-sha2-nistp256"), S("ecdsa-sha2-nistp256"), S("x"), id));
    char id2[65];
    CHECK_OK(rkey_compute_keyid(S("ecdsa"), S("ecdsa-sha2-nistp256"), S("x"), id2));
    CHECK(strcmp(id, id2) != 0);
    CHECK_RC(rkey_compute_keyid(S("ed25519"), S("ed25519"), S("x"), NULL), RAMPART_EINVAL);
    CHECK_RC(rkey_compute_keyid(RSLICE(NULL, 1), S("ed25519"), S("x"), id), RAMPART_EINVAL);
}

/* Failures leave nothing of ours on the OpenSSL error queue, and errors the
 * application had queued before the call are still there afterwards. */
static void test_error_queue(void)
{
    ERR_clear_error();
    CHECK_RC(load_vec_rc("ecdsa", "ecdsa-sha2-nistp256", "ecdsa-p384.pub.pem"), RAMPART_EFORMAT);
    static const char trunc[] = "-----BEGIN PUBLIC KEY-----\nAAAA\n";
    CHECK_RC(load_rc("ecdsa", "ecdsa-sha2-nistp256", (const uint8_t *)trunc, strlen(trunc)), RAMPART_EFORMAT);
    CHECK(ERR_peek_error() == 0);
    size_t mlen = 0, slen = 0;
    uint8_t *msg = vec_read("message.bin", &mlen);
    uint8_t *sig = vec_read("rsa-pss-salt32.sig", &slen);
    rkey *k = load_vec("rsa", "rsassa-pss-sha256", "rsa-2048.pub.pem");
    CHECK(msg && sig && k);
    sig[5] ^= 1;
    CHECK_RC(rkey_verify(k, sig, slen, msg, mlen), RAMPART_EBADSIG);
    CHECK(ERR_peek_error() == 0);

    ERR_raise_data(ERR_LIB_USER, 77, "application error");
    unsigned long mine = ERR_peek_last_error();
    CHECK(mine != 0);
    CHECK_RC(rkey_verify(k, sig, slen, msg, mlen), RAMPART_EBADSIG);
    CHECK_RC(load_vec_rc("rsa", "rsassa-pss-sha256", "rsa-1024.pub.pem"), RAMPART_EFORMAT);
    static const uint8_t bad_der[] = {0x30, 0x03, 0x02, 0x01};
    rkey *ec = load_vec("ecdsa", "ecdsa-sha2-nistp256", "ecdsa-p256.pub.pem");
    CHECK(ec != NULL);
    CHECK_RC(rkey_verify(ec, bad_der, sizeof(bad_der), msg, mlen), RAMPART_EBADSIG);
    CHECK(ERR_peek_last_error() == mine);
    CHECK(ERR_get_error() == mine);
    CHECK(ERR_get_error() == 0);
    rkey_free(ec);
    rkey_free(k);
    free(msg);
    free(sig);
}

int main(void)
{
    RUN(test_scheme_names);
    RUN(test_ed25519_rfc8032);
    RUN(test_ed25519_tampering);
    RUN(test_ed25519_bad_material);
    RUN(test_ecdsa_vectors);
    RUN(test_rsa_pss_vectors);
    RUN(test_wrong_material);
    RUN(test_pem_strictness);
    RUN(test_unsupported);
    RUN(test_fingerprints);
    RUN(test_keyids);
    RUN(test_error_queue);
    return th_summary("test_key");
}
