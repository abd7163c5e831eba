/* test_hash.c - SHA-256 / SHA-512: FIPS 180 known answers, streaming in odd
 * chunks, a buffer larger than the 1 GiB update piece, inert contexts and
 * constant-time digest comparison.  The expected digests are the published
 * FIPS 180-2 example values (see tests/vectors/crypto/README.md). */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <openssl/err.h>

#include "harness.h"
#include "crypto/hash.h"
#include "util/banned.h"

static const char msg448[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
static const char msg896[] = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
                             "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";

static const struct {
    const char *msg;
    const char *sha256;
    const char *sha512;
} kat[] = {
    {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
     "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"},
    {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
     "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
     "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"},
    {msg448, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
     "204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c335"
     "96fd15c13b1b07f9aa1d3bea57789ca031ad85c7a71dd70354ec631238ca3445"},
    {msg896, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1",
     "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018"
     "501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909"},
};

static const char million_a_sha256[] = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
static const char million_a_sha512[] = "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973eb"
                                       "de0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b";

static void to_hex(char *out, const uint8_t *in, size_t n)
{
    static const char d[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = d[in[i] >> 4];
        out[2 * i + 1] = d[in[i] & 15];
    }
    out[2 * n] = '\0';
}

static void test_names(void)
{
    CHECK_INT(rhash_alg_from_name("sha256", 6), RHASH_SHA256);
    CHECK_INT(rhash_alg_from_name("sha512", 6), RHASH_SHA512);
    CHECK_INT(rhash_alg_from_name("SHA256", 6), RHASH_UNKNOWN);
    CHECK_INT(rhash_alg_from_name("sha25", 5), RHASH_UNKNOWN);
    CHECK_INT(rhash_alg_from_name("sha2566", 7), RHASH_UNKNOWN);
    CHECK_INT(rhash_alg_from_name("md5", 3), RHASH_UNKNOWN);
    CHECK_INT(rhash_alg_from_name(NULL, 6), RHASH_UNKNOWN);
    /* the length bounds the comparison: "sha256" inside a longer string */
    CHECK_INT(rhash_alg_from_name("sha256x", 6), RHASH_SHA256);
    CHECK_STR(rhash_alg_name(RHASH_SHA256), "sha256");
    CHECK_STR(rhash_alg_name(RHASH_SHA512), "sha512");
    CHECK(rhash_alg_name(RHASH_UNKNOWN) == NULL);
    CHECK_INT(rhash_len(RHASH_SHA256), 32);
    CHECK_INT(rhash_len(RHASH_SHA512), 64);
    CHECK_INT(rhash_len(RHASH_UNKNOWN), 0);
    CHECK_INT(rhash_len((rhash_alg)7), 0);
}

static void test_fips180_oneshot(void)
{
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(kat); i++) {
        uint8_t d[RHASH_MAX_LEN];
        char hex[2 * RHASH_MAX_LEN + 1];
        CHECK_OK(rhash_digest(RHASH_SHA256, kat[i].msg, strlen(kat[i].msg), d));
        to_hex(hex, d, 32);
        CHECK_STR(hex, kat[i].sha256);
        CHECK_OK(rhash_digest(RHASH_SHA512, kat[i].msg, strlen(kat[i].msg), d));
        to_hex(hex, d, 64);
        CHECK_STR(hex, kat[i].sha512);
    }
    /* the empty message may also be passed as NULL */
    uint8_t d[RHASH_MAX_LEN];
    char hex[2 * RHASH_MAX_LEN + 1];
    CHECK_OK(rhash_digest(RHASH_SHA256, NULL, 0, d));
    to_hex(hex, d, 32);
    CHECK_STR(hex, kat[0].sha256);
}

/* Every split point of the 896-bit message gives the one-shot digest. */
static void test_streaming_every_split(void)
{
    size_t n = strlen(msg896);
    for (int a = RHASH_SHA256; a <= RHASH_SHA512; a++) {
        for (size_t cut = 0; cut <= n; cut++) {
            rhash h = {0};
            uint8_t d[RHASH_MAX_LEN];
            char hex[2 * RHASH_MAX_LEN + 1];
            CHECK_OK(rhash_init(&h, (rhash_alg)a));
            CHECK_OK(rhash_update(&h, msg896, cut));
            CHECK_OK(rhash_update(&h, msg896 + cut, n - cut));
            CHECK_OK(rhash_final(&h, d));
            to_hex(hex, d, rhash_len((rhash_alg)a));
            CHECK_STR(hex, a == RHASH_SHA256 ? kat[3].sha256 : kat[3].sha512);
            rhash_free(&h);
        }
    }
}

static void test_million_a_odd_chunks(void)
{
    static const size_t chunks[] = {1, 3, 7, 61, 127, 1021, 4093, 65521, 0};
    char *a = malloc(1000000);
    CHECK(a != NULL);
    memset(a, 'a', 1000000);
    for (int alg = RHASH_SHA256; alg <= RHASH_SHA512; alg++) {
        rhash h = {0};
        CHECK_OK(rhash_init(&h, (rhash_alg)alg));
        size_t done = 0, k = 0;
        while (done < 1000000) {
            size_t c = chunks[k++ % RAMPART_ARRAY_LEN(chunks)];
            if (c > 1000000 - done)
                c = 1000000 - done;
            /* zero-length updates in between must be harmless */
            CHECK_OK(rhash_update(&h, a + done, c));
            done += c;
        }
        uint8_t d[RHASH_MAX_LEN];
        char hex[2 * RHASH_MAX_LEN + 1];
        CHECK_OK(rhash_final(&h, d));
        to_hex(hex, d, rhash_len((rhash_alg)alg));
        CHECK_STR(hex, alg == RHASH_SHA256 ? million_a_sha256 : million_a_sha512);
    }
    free(a);
}

/* Maps `segs` copies of one `seg`-byte zero-filled memfd back to back, so a
 * buffer of more than 1 GiB costs only `seg` bytes of memory. */
static uint8_t *map_zeros(size_t seg, size_t segs)
{
    int fd = memfd_create("rampart-zeros", MFD_CLOEXEC);
    if (fd < 0)
        return NULL;
    uint8_t *base = NULL;
    if (ftruncate(fd, (off_t)seg) != 0)
        goto out;
    base = mmap(NULL, seg * segs, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED) {
        base = NULL;
        goto out;
    }
    for (size_t i = 0; i < segs; i++) {
        void *p = mmap(base + i * seg, seg, PROT_READ, MAP_SHARED | MAP_FIXED | MAP_POPULATE, fd, 0);
        if (p != base + i * seg) {
            munmap(base, seg * segs);
            base = NULL;
            break;
        }
    }
out:
    close(fd);
    return base;
}

/* A buffer longer than one 1 GiB update piece is hashed whole, not as a
 * prefix: 2^30 + 3 zero bytes in one rhash_update. */
static void test_larger_than_one_piece(void)
{
    /* Under memcheck, hashing 1 GiB in an emulated CPU takes about a minute
     * of CI's valgrind stage; the release and ASan builds run this case. */
    if (getenv("RAMPART_UNDER_VALGRIND") != NULL)
        return;
    size_t seg = (size_t)64 << 20, segs = 17;
    size_t n = ((size_t)1 << 30) + 3;
    uint8_t *z = map_zeros(seg, segs);
    CHECK(z != NULL);
    uint8_t d[RHASH_MAX_LEN];
    char hex[2 * RHASH_MAX_LEN + 1];
    int rc = rhash_digest(RHASH_SHA256, z, n, d);
    CHECK_INT(munmap(z, seg * segs), 0);
    CHECK_OK(rc);
    to_hex(hex, d, 32);
    /* python3: hashlib.sha256(bytes(2**30 + 3)).hexdigest() */
    CHECK_STR(hex, "83dff20436d38fa73c7185f7e603a5c7a53104275abbf733f56f1b160500ade7");
}

static void test_unknown_algorithm(void)
{
    rhash h = {(void *)0x1, RHASH_SHA512};
    CHECK_RC(rhash_init(&h, RHASH_UNKNOWN), RAMPART_EUNSUPPORTED);
    CHECK_RC(rhash_init(&h, (rhash_alg)2), RAMPART_EUNSUPPORTED);
    /* written only on success */
    CHECK(h.ctx == (void *)0x1 && h.alg == RHASH_SHA512);
    uint8_t d[RHASH_MAX_LEN];
    memset(d, 0xAA, sizeof(d));
    CHECK_RC(rhash_digest(RHASH_UNKNOWN, "abc", 3, d), RAMPART_EUNSUPPORTED);
    CHECK_INT(d[0], 0xAA);
    CHECK_RC(rhash_init(NULL, RHASH_SHA256), RAMPART_EINVAL);
    CHECK_RC(rhash_digest(RHASH_SHA256, "abc", 3, NULL), RAMPART_EINVAL);
    CHECK_RC(rhash_digest(RHASH_SHA256, NULL, 3, d), RAMPART_EINVAL);
}

/* A zeroed, freed or finalised context fails cleanly, never crashes. */
static void test_inert_contexts(void)
{
    uint8_t d[RHASH_MAX_LEN];
    memset(d, 0xAA, sizeof(d));
    rhash h;
    memset(&h, 0, sizeof(h));
    CHECK_RC(rhash_update(&h, "abc", 3), RAMPART_EINVAL);
    CHECK_RC(rhash_final(&h, d), RAMPART_EINVAL);
    CHECK_INT(d[0], 0xAA);
    CHECK_RC(rhash_update(NULL, "abc", 3), RAMPART_EINVAL);
    CHECK_RC(rhash_final(NULL, d), RAMPART_EINVAL);

    CHECK_OK(rhash_init(&h, RHASH_SHA256));
    CHECK_RC(rhash_update(&h, NULL, 1), RAMPART_EINVAL);
    CHECK_OK(rhash_update(&h, NULL, 0));
    CHECK_RC(rhash_final(&h, NULL), RAMPART_EINVAL);
    rhash_free(&h);
    rhash_free(&h); /* idempotent */
    rhash_free(NULL);
    CHECK(h.ctx == NULL);
    CHECK_RC(rhash_update(&h, "abc", 3), RAMPART_EINVAL);
    CHECK_RC(rhash_final(&h, d), RAMPART_EINVAL);
    CHECK_INT(d[0], 0xAA);

    /* after final the context is over: no silent second digest */
    CHECK_OK(rhash_init(&h, RHASH_SHA256));
    CHECK_OK(rhash_update(&h, "abc", 3));
    CHECK_OK(rhash_final(&h, d));
    CHECK(h.ctx == NULL);
    CHECK_RC(rhash_update(&h, "abc", 3), RAMPART_EINVAL);
    CHECK_RC(rhash_final(&h, d), RAMPART_EINVAL);
    rhash_free(&h);
    /* and it can be started again */
    CHECK_OK(rhash_init(&h, RHASH_SHA256));
    CHECK_OK(rhash_final(&h, d));
    char hex[65];
    to_hex(hex, d, 32);
    CHECK_STR(hex, kat[0].sha256);
    CHECK(ERR_peek_error() == 0);
}

static void test_digest_eq(void)
{
    uint8_t a[RHASH_MAX_LEN], b[RHASH_MAX_LEN];
    CHECK_OK(rhash_digest(RHASH_SHA256, "abc", 3, a));
    CHECK_OK(rhash_digest(RHASH_SHA256, "abc", 3, b));
    CHECK(rdigest_eq(a, b, 32));
    b[31] ^= 1;
    CHECK(!rdigest_eq(a, b, 32));
    b[31] ^= 1;
    b[0] ^= 0x80;
    CHECK(!rdigest_eq(a, b, 32));
    /* fail closed on nothing to compare */
    CHECK(!rdigest_eq(a, a, 0));
    CHECK(!rdigest_eq(NULL, b, 32));
    CHECK(!rdigest_eq(a, NULL, 32));
}

int main(void)
{
    RUN(test_names);
    RUN(test_fips180_oneshot);
    RUN(test_streaming_every_split);
    RUN(test_million_a_odd_chunks);
    RUN(test_larger_than_one_piece);
    RUN(test_unknown_algorithm);
    RUN(test_inert_contexts);
    RUN(test_digest_eq);
    return th_summary("test_hash");
}
