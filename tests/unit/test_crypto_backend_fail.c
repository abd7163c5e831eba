/* test_crypto_backend_fail.c - the crypto backend failing under Rampart
 * (docs/security-matrix.md S62 and V4): OpenSSL's own allocator is
 * replaced (CRYPTO_set_mem_functions, before OpenSSL is first used) by one
 * that fails its Nth allocation, and every signature check and every
 * digest is run with N = 1, 2, ... until a run needs no failed allocation.
 * Whatever fails inside OpenSSL, a signature that does not verify is never
 * reported valid, a valid one is either valid or an error (never a crash),
 * and a digest is either right or an error, never a wrong value reported
 * as success.  Each key kind of the scheme table is checked. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>

#include "harness.h"
#include "crypto/hash.h"
#include "crypto/key.h"
#include "crypto/privkey.h"
#include "keys/scheme.h"
#include "util/banned.h"

/* 0: no failure; else the allocation number (from 1) that fails. */
static long fail_at;
static long allocs;
static long failures;

static int should_fail(void)
{
    if (fail_at == 0)
        return 0;
    allocs++;
    if (allocs == fail_at) {
        failures++;
        return 1;
    }
    return 0;
}

static void *t_malloc(size_t n, const char *file, int line)
{
    (void)file;
    (void)line;
    return should_fail() ? NULL : malloc(n);
}

static void *t_realloc(void *p, size_t n, const char *file, int line)
{
    (void)file;
    (void)line;
    return should_fail() ? NULL : realloc(p, n);
}

static void t_free(void *p, const char *file, int line)
{
    (void)file;
    (void)line;
    free(p);
}

/* Starts a run in which OpenSSL's allocation `n` fails (0: none). */
static void arm(long n)
{
    fail_at = n;
    allocs = 0;
    failures = 0;
}

/* Whether the last run reached its failure point; disarms. */
static int disarm(void)
{
    int hit = failures > 0;
    fail_at = 0;
    ERR_clear_error();
    return hit;
}

#define MAX_POINTS 5000

static void check_alg(const rkey_alg *a)
{
    static const uint8_t msg[] = "a release that must not verify when tampered";
    rprivkey *priv = NULL;
    CHECK_OK(rprivkey_generate_alg(&priv, a, a->rsa_min_bits, NULL)); /* RSA: its smallest size; else ignored */
    rbuf sig, pem;
    rbuf_init(&sig, 4096);
    rbuf_init(&pem, 8192);
    CHECK_OK(rprivkey_sign(priv, msg, sizeof(msg), &sig, NULL));
    CHECK_OK(rprivkey_public_pem(priv, &pem, NULL));
    rkey *pub = NULL;
    CHECK_OK(rkey_from_spki_pem(&pub, a, (rslice){pem.data, pem.len}, NULL));
    CHECK_OK(rkey_verify(pub, sig.data, sig.len, msg, sizeof(msg)));
    uint8_t bad[1024];
    CHECK(sig.len <= sizeof(bad));
    memcpy(bad, sig.data, sig.len);
    bad[sig.len / 2] ^= 0x01;
    CHECK_RC(rkey_verify(pub, bad, sig.len, msg, sizeof(msg)), RAMPART_EBADSIG);

    long n, valid_errors = 0;
    for (n = 1; n <= MAX_POINTS; n++) {
        arm(n);
        int rc_bad = rkey_verify(pub, bad, sig.len, msg, sizeof(msg));
        int hit = disarm();
        /* V4: a failure anywhere is "not verified". */
        if (rc_bad == 0) {
            CHECK(!"a tampered signature verified while OpenSSL failed");
            fprintf(stderr, "    %s: allocation %ld\n", a->name, n);
        }
        arm(n);
        int rc_good = rkey_verify(pub, sig.data, sig.len, msg, sizeof(msg));
        int hit_good = disarm();
        if (rc_good != 0) {
            valid_errors++;
            CHECK(rc_good == RAMPART_ECRYPTO || rc_good == RAMPART_ENOMEM || rc_good == RAMPART_EBADSIG);
        }
        if (!hit && !hit_good)
            break; /* both runs got through without reaching allocation n */
    }
    CHECK(n <= MAX_POINTS);
    CHECK(n > 1); /* the failures did reach OpenSSL: the test is not vacuous */
    printf("# %s: %ld failure points, %ld of them refused the valid signature\n", a->name, n - 1, valid_errors);
    /* Unharmed afterwards. */
    CHECK_OK(rkey_verify(pub, sig.data, sig.len, msg, sizeof(msg)));
    CHECK_INT(ERR_peek_error() == 0, 1);
    rkey_free(pub);
    rprivkey_free(priv);
    rbuf_free(&sig);
    rbuf_free(&pem);
}

static void test_signatures(void)
{
    const rkey_alg *algs[RSCHEME_MAX];
    size_t n = rscheme_algs(algs);
    CHECK(n >= 3);
    for (size_t i = 0; i < n; i++)
        check_alg(algs[i]);
}

static void test_digests(void)
{
    static const rhash_alg algs[] = {RHASH_SHA256, RHASH_SHA512};
    static const char data[] = "bytes whose digest must be right or refused";
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(algs); i++) {
        uint8_t want[RHASH_MAX_LEN], got[RHASH_MAX_LEN];
        CHECK_OK(rhash_digest(algs[i], data, sizeof(data), want));
        size_t len = rhash_len(algs[i]);
        long n;
        for (n = 1; n <= MAX_POINTS; n++) {
            memset(got, 0, sizeof(got));
            arm(n);
            int rc = rhash_digest(algs[i], data, sizeof(data), got);
            int hit = disarm();
            if (rc == 0)
                CHECK_MEM(got, len, want, len);
            else
                CHECK(rc == RAMPART_ECRYPTO || rc == RAMPART_ENOMEM);
            if (!hit)
                break;
        }
        CHECK(n <= MAX_POINTS);
        CHECK(n > 1);
        printf("# sha%zu: %ld failure points\n", len * 8, n - 1);
    }
}

int main(void)
{
    /* Before anything touches OpenSSL: afterwards it refuses the change. */
    if (!CRYPTO_set_mem_functions(t_malloc, t_realloc, t_free)) {
        fprintf(stderr, "test_crypto_backend_fail: OpenSSL refused the allocator\n");
        return 1;
    }
    RUN(test_signatures);
    RUN(test_digests);
    return th_summary("test_crypto_backend_fail");
}
