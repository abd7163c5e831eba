/* test_codec.c - hex and base64: RFC 4648 §10 vectors and strictness. */
#include <string.h>

#include "harness.h"
#include "util/codec.h"
#include "util/banned.h"

/* RFC 4648 §10 test vectors. */
static const struct {
    const char *plain, *b64, *hex;
} rfc_vectors[] = {
    {"", "", ""},
    {"f", "Zg==", "66"},
    {"fo", "Zm8=", "666f"},
    {"foo", "Zm9v", "666f6f"},
    {"foob", "Zm9vYg==", "666f6f62"},
    {"fooba", "Zm9vYmE=", "666f6f6261"},
    {"foobar", "Zm9vYmFy", "666f6f626172"},
};

/* All 256 byte values, to cover every character of both alphabets. */
static void all_bytes(uint8_t b[256])
{
    for (int i = 0; i < 256; i++)
        b[i] = (uint8_t)i;
}

static void test_hex_rfc_vectors(void)
{
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(rfc_vectors); i++) {
        const char *p = rfc_vectors[i].plain;
        char enc[32];
        rhex_encode(enc, (const uint8_t *)p, strlen(p));
        CHECK_STR(enc, rfc_vectors[i].hex);
        uint8_t dec[16];
        size_t n = 99;
        CHECK_OK(rhex_decode(dec, sizeof(dec), &n, enc, strlen(enc)));
        CHECK_MEM(dec, n, p, strlen(p));
    }
}

static void test_hex_all_bytes_and_case(void)
{
    uint8_t b[256], dec[256];
    char enc[513];
    all_bytes(b);
    rhex_encode(enc, b, sizeof(b));
    CHECK_INT(strlen(enc), 512);
    CHECK_MEM(enc + 0x1e * 2, 8, "1e1f2021", 8);
    CHECK_MEM(enc + 0xfc * 2, 8, "fcfdfeff", 8);
    size_t n = 0;
    CHECK_OK(rhex_decode(dec, sizeof(dec), &n, enc, 512));
    CHECK_MEM(dec, n, b, sizeof(b));
    /* Upper and mixed case decode to the same bytes. */
    CHECK_OK(rhex_decode(dec, sizeof(dec), &n, "DEADbeefAbCd", 12));
    CHECK_MEM(dec, n, "\xde\xad\xbe\xef\xab\xcd", 6);
}

static void test_hex_rejects(void)
{
    static const char *bad[] = {"0",   "abc", "0g", "g0", "zz", "0x00", " 00", "00 ",
                                "0\n", "-1",  "+1", "0:", "@0", "`0",   "G0",  "0/"};
    uint8_t out[8] = {0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55};
    size_t n = 77;
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(bad); i++) {
        CHECK_RC(rhex_decode(out, sizeof(out), &n, bad[i], strlen(bad[i])), RAMPART_EFORMAT);
        CHECK(!rhex_valid(bad[i], strlen(bad[i]), false));
    }
    /* An embedded NUL inside the given length is not hex. */
    CHECK_RC(rhex_decode(out, sizeof(out), &n, "00\0000", 4), RAMPART_EFORMAT);
    /* Non-ASCII bytes. */
    CHECK_RC(rhex_decode(out, sizeof(out), &n, "\xc3\xa9", 2), RAMPART_EFORMAT);
    /* A bad byte after good ones: nothing is written. */
    CHECK_RC(rhex_decode(out, sizeof(out), &n, "0102zz", 6), RAMPART_EFORMAT);
    CHECK_MEM(out, 8, "\x55\x55\x55\x55\x55\x55\x55\x55", 8);
    CHECK_INT(n, 77);
}

static void test_hex_capacity(void)
{
    uint8_t out[4] = {0xaa, 0xaa, 0xaa, 0xaa};
    size_t n = 77;
    /* Exactly the capacity is fine; one more byte is too large. */
    CHECK_OK(rhex_decode(out, 4, &n, "01020304", 8));
    CHECK_INT(n, 4);
    CHECK_MEM(out, 4, "\x01\x02\x03\x04", 4);
    n = 77;
    CHECK_RC(rhex_decode(out, 4, &n, "0102030405", 10), RAMPART_ETOOLARGE);
    CHECK_INT(n, 77);
    CHECK_MEM(out, 4, "\x01\x02\x03\x04", 4);
    /* Format errors take precedence over the size check. */
    CHECK_RC(rhex_decode(out, 1, &n, "0102zz", 6), RAMPART_EFORMAT);
    CHECK_RC(rhex_decode(out, 1, &n, "01020", 5), RAMPART_EFORMAT);
    /* Empty input: zero bytes, even with no room at all. */
    CHECK_OK(rhex_decode(NULL, 0, &n, "", 0));
    CHECK_INT(n, 0);
    /* Invalid arguments. */
    CHECK_RC(rhex_decode(out, 4, NULL, "00", 2), RAMPART_EINVAL);
    CHECK_RC(rhex_decode(out, 4, &n, NULL, 2), RAMPART_EINVAL);
    CHECK_RC(rhex_decode(NULL, 4, &n, "00", 2), RAMPART_EINVAL);
}

static void test_hex_valid(void)
{
    CHECK(rhex_valid("00ff", 4, true));
    CHECK(rhex_valid("00FF", 4, false));
    CHECK(!rhex_valid("00FF", 4, true));
    CHECK(!rhex_valid("00fF", 4, true));
    CHECK(!rhex_valid("", 0, false));
    CHECK(!rhex_valid(NULL, 2, false));
    CHECK(!rhex_valid("abc", 3, false));
    CHECK(!rhex_valid("ab\0c", 4, false));
    /* Only the first n bytes are looked at. */
    CHECK(rhex_valid("abXX", 2, true));
}

static void test_b64_rfc_vectors(void)
{
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(rfc_vectors); i++) {
        const char *p = rfc_vectors[i].plain, *e = rfc_vectors[i].b64;
        for (int v = RB64_STD; v <= RB64_URL; v++) {
            rbuf b;
            rbuf_init(&b, 64);
            CHECK_OK(rb64_encode(&b, (const uint8_t *)p, strlen(p), (enum rb64_variant)v));
            CHECK_MEM(b.data, b.len, e, strlen(e));
            rbuf_free(&b);
        }
        for (int v = RB64_STD; v <= RB64_ANY; v++) {
            rbuf b;
            rbuf_init(&b, 64);
            CHECK_OK(rb64_decode(&b, e, strlen(e), (enum rb64_variant)v));
            CHECK_MEM(b.data, b.len, p, strlen(p));
            rbuf_free(&b);
        }
    }
}

/* Decodes `in` and checks the exact bytes (NULL: expects EFORMAT). */
static int b64_dec(const char *in, enum rb64_variant v, const char *want, size_t wlen)
{
    rbuf b;
    rbuf_init(&b, 1024);
    int rc = rb64_decode(&b, in, strlen(in), v);
    int ok = rc == 0 && want != NULL && b.len == wlen && memcmp(b.data, want, wlen) == 0;
    if (want == NULL)
        ok = rc == RAMPART_EFORMAT && b.len == 0;
    if (!ok)
        fprintf(stderr, "  b64 \"%s\" variant %d: rc %s, %zu bytes\n", in, (int)v, rampart_error_name(rc), b.len);
    rbuf_free(&b);
    return ok;
}

static void test_b64_unpadded(void)
{
    /* URL and ANY accept input without padding; STD requires it. */
    CHECK(b64_dec("Zg", RB64_URL, "f", 1));
    CHECK(b64_dec("Zm8", RB64_URL, "fo", 2));
    CHECK(b64_dec("Zm9vYg", RB64_ANY, "foob", 4));
    CHECK(b64_dec("Zm9vYmE", RB64_ANY, "fooba", 5));
    CHECK(b64_dec("Zg", RB64_STD, NULL, 0));
    CHECK(b64_dec("Zm8", RB64_STD, NULL, 0));
    CHECK(b64_dec("Zm9vYmE", RB64_STD, NULL, 0));
}

static void test_b64_alphabets(void)
{
    uint8_t b[256];
    all_bytes(b);
    rbuf s, u, d;
    rbuf_init(&s, 4096);
    rbuf_init(&u, 4096);
    rbuf_init(&d, 4096);
    CHECK_OK(rb64_encode(&s, b, sizeof(b), RB64_STD));
    CHECK_OK(rb64_encode(&u, b, sizeof(b), RB64_URL));
    CHECK_INT(s.len, 344);
    CHECK(memchr(s.data, '+', s.len) && memchr(s.data, '/', s.len));
    CHECK(!memchr(s.data, '-', s.len) && !memchr(s.data, '_', s.len));
    CHECK(memchr(u.data, '-', u.len) && memchr(u.data, '_', u.len));
    CHECK(!memchr(u.data, '+', u.len) && !memchr(u.data, '/', u.len));
    /* The encoding of bytes 0xf6..0xff pinned exactly (computed with
     * Python's base64 module). */
    CHECK_MEM(s.data + 328, 16, "9vf4+fr7/P3+/w==", 16);
    CHECK_MEM(u.data + 328, 16, "9vf4-fr7_P3-_w==", 16);

    /* Each alphabet decodes with its own variant and with ANY ... */
    CHECK_OK(rb64_decode(&d, (char *)s.data, s.len, RB64_STD));
    CHECK_MEM(d.data, d.len, b, sizeof(b));
    rbuf_reset(&d);
    CHECK_OK(rb64_decode(&d, (char *)u.data, u.len, RB64_URL));
    CHECK_MEM(d.data, d.len, b, sizeof(b));
    rbuf_reset(&d);
    CHECK_OK(rb64_decode(&d, (char *)s.data, s.len, RB64_ANY));
    CHECK_MEM(d.data, d.len, b, sizeof(b));
    rbuf_reset(&d);
    CHECK_OK(rb64_decode(&d, (char *)u.data, u.len, RB64_ANY));
    CHECK_MEM(d.data, d.len, b, sizeof(b));
    rbuf_reset(&d);
    /* ... but not with the other one. */
    CHECK_RC(rb64_decode(&d, (char *)s.data, s.len, RB64_URL), RAMPART_EFORMAT);
    CHECK_RC(rb64_decode(&d, (char *)u.data, u.len, RB64_STD), RAMPART_EFORMAT);
    CHECK_INT(d.len, 0);
    rbuf_free(&s);
    rbuf_free(&u);
    rbuf_free(&d);

    /* Single characters of each alphabet. */
    CHECK(b64_dec("+w==", RB64_STD, "\xfb", 1));
    CHECK(b64_dec("/w==", RB64_STD, "\xff", 1));
    CHECK(b64_dec("-w==", RB64_URL, "\xfb", 1));
    CHECK(b64_dec("_w", RB64_URL, "\xff", 1));
    CHECK(b64_dec("-w", RB64_STD, NULL, 0));
    CHECK(b64_dec("_w==", RB64_STD, NULL, 0));
    CHECK(b64_dec("+w==", RB64_URL, NULL, 0));
    CHECK(b64_dec("/w", RB64_URL, NULL, 0));
    /* ANY refuses a mix of the two alphabets in one input. */
    CHECK(b64_dec("+/+/", RB64_ANY, "\xfb\xff\xbf", 3));
    CHECK(b64_dec("-_-_", RB64_ANY, "\xfb\xff\xbf", 3));
    CHECK(b64_dec("+_+_", RB64_ANY, NULL, 0));
    CHECK(b64_dec("-/AA", RB64_ANY, NULL, 0));
    CHECK(b64_dec("AAAA+AA_", RB64_ANY, NULL, 0));
}

static void test_b64_rejects(void)
{
    // clang-format off
    static const struct {
        const char *in;
        enum rb64_variant v;
    } bad[] = {
        /* misplaced or excess padding */
        {"=", RB64_STD}, {"==", RB64_STD}, {"===", RB64_STD}, {"====", RB64_STD},
        {"Zg===", RB64_STD}, {"Zg=", RB64_STD}, {"Zg=", RB64_URL}, {"Zg=", RB64_ANY},
        {"Z===", RB64_STD}, {"Zm8==", RB64_STD}, {"Zm9v=", RB64_STD}, {"Zm9v====", RB64_STD},
        {"Zg==Zg==", RB64_STD}, {"Zm=8", RB64_STD}, {"=Zm8", RB64_STD}, {"Zg==Zm9v", RB64_URL},
        {"Zm9vYg=", RB64_URL}, {"Zm9vY===", RB64_ANY}, {"QUI==", RB64_STD}, {"QQ=", RB64_URL},
        {"========", RB64_STD}, {"========", RB64_ANY}, {"Zg======", RB64_URL}, {"Zm9v====", RB64_ANY},
        /* a lone data char in the last group */
        {"Z", RB64_URL}, {"Zm9vY", RB64_URL}, {"Zm9vY", RB64_ANY}, {"Z", RB64_ANY},
        /* non-zero trailing bits */
        {"Zh==", RB64_STD}, {"Zm9=", RB64_STD}, {"QR==", RB64_STD}, {"QUJ=", RB64_STD},
        {"Zh", RB64_URL}, {"Zm9", RB64_URL}, {"Zh", RB64_ANY}, {"Zm9vYmF", RB64_ANY},
        {"//==", RB64_STD}, {"__", RB64_URL},
        /* whitespace, line breaks and other bytes outside the alphabets */
        {" Zm9v", RB64_STD}, {"Zm9v ", RB64_STD}, {"Zm 9v", RB64_ANY}, {"Zm9v\n", RB64_STD},
        {"Zm9v\r\nYmFy", RB64_ANY}, {"Zm9v\tYmFy", RB64_URL}, {"Zm9v.mFy", RB64_ANY},
        {"Zm9v*mFy", RB64_STD}, {"Zm9v~mFy", RB64_URL}, {"Zm9v\x80mFy", RB64_ANY},
        {"Zm9v\xffmFy", RB64_STD}, {"Zm9vYmF\x7f", RB64_STD}, {"Zm9vYmF!", RB64_ANY},
        {"Zg==\n", RB64_STD}, {"Zg== ", RB64_URL},
    };
    // clang-format on
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(bad); i++)
        CHECK(b64_dec(bad[i].in, bad[i].v, NULL, 0));
    /* An embedded NUL inside the given length. */
    rbuf b;
    rbuf_init(&b, 64);
    CHECK_RC(rb64_decode(&b, "Zm9v\0mFy", 8, RB64_ANY), RAMPART_EFORMAT);
    CHECK_RC(rb64_decode(&b, "Zg=\0", 4, RB64_STD), RAMPART_EFORMAT);
    rbuf_free(&b);
}

static void test_b64_appends_and_unchanged_on_error(void)
{
    rbuf b;
    rbuf_init(&b, 64);
    CHECK_OK(rbuf_append_str(&b, "x:"));
    CHECK_OK(rb64_decode(&b, "Zm9v", 4, RB64_STD));
    CHECK_STR((char *)b.data, "x:foo");
    CHECK_RC(rb64_decode(&b, "Zm9vYh==", 8, RB64_STD), RAMPART_EFORMAT);
    CHECK_STR((char *)b.data, "x:foo");
    CHECK_OK(rb64_encode(&b, (const uint8_t *)"ba", 2, RB64_URL));
    CHECK_STR((char *)b.data, "x:fooYmE=");
    CHECK_OK(rb64_decode(&b, "", 0, RB64_STD));
    CHECK_OK(rb64_encode(&b, NULL, 0, RB64_STD));
    CHECK_STR((char *)b.data, "x:fooYmE=");
    rbuf_free(&b);
}

static void test_b64_caps_and_args(void)
{
    rbuf b;
    /* "foobar" is 8 base64 chars and decodes to 6 bytes: exact caps pass. */
    rbuf_init(&b, 8);
    CHECK_OK(rb64_encode(&b, (const uint8_t *)"foobar", 6, RB64_STD));
    CHECK_STR((char *)b.data, "Zm9vYmFy");
    rbuf_free(&b);
    rbuf_init(&b, 7);
    CHECK_RC(rb64_encode(&b, (const uint8_t *)"foobar", 6, RB64_STD), RAMPART_ETOOLARGE);
    CHECK_INT(b.len, 0);
    rbuf_free(&b);
    rbuf_init(&b, 6);
    CHECK_OK(rb64_decode(&b, "Zm9vYmFy", 8, RB64_STD));
    CHECK_STR((char *)b.data, "foobar");
    rbuf_free(&b);
    rbuf_init(&b, 5);
    CHECK_RC(rb64_decode(&b, "Zm9vYmFy", 8, RB64_STD), RAMPART_ETOOLARGE);
    CHECK_INT(b.len, 0);
    /* A size whose encoding overflows size_t is refused before any read. */
    CHECK_RC(rb64_encode(&b, (const uint8_t *)"", SIZE_MAX, RB64_STD), RAMPART_ETOOLARGE);
    /* Invalid arguments. */
    CHECK_RC(rb64_encode(&b, (const uint8_t *)"f", 1, RB64_ANY), RAMPART_EINVAL);
    CHECK_RC(rb64_encode(&b, (const uint8_t *)"f", 1, (enum rb64_variant)7), RAMPART_EINVAL);
    CHECK_RC(rb64_encode(&b, NULL, 1, RB64_STD), RAMPART_EINVAL);
    CHECK_RC(rb64_encode(NULL, (const uint8_t *)"f", 1, RB64_STD), RAMPART_EINVAL);
    CHECK_RC(rb64_decode(&b, "Zg==", 4, (enum rb64_variant)3), RAMPART_EINVAL);
    CHECK_RC(rb64_decode(&b, NULL, 4, RB64_STD), RAMPART_EINVAL);
    CHECK_RC(rb64_decode(NULL, "Zg==", 4, RB64_STD), RAMPART_EINVAL);
    CHECK_INT(b.len, 0);
    rbuf_free(&b);
}

/* An allocator that always fails, to see ENOMEM pass through unchanged. */
static void *null_malloc(size_t n, void *ctx)
{
    (void)n;
    (void)ctx;
    return NULL;
}
static void *null_realloc(void *p, size_t n, void *ctx)
{
    (void)p;
    (void)n;
    (void)ctx;
    return NULL;
}
static void plain_free(void *p, void *ctx)
{
    (void)ctx;
    free(p);
}

static void test_b64_enomem(void)
{
    rampart_allocator a = {null_malloc, null_realloc, plain_free, NULL};
    rbuf b;
    rbuf_init(&b, 64);
    CHECK_OK(rampart_set_allocator(&a));
    int rc1 = rb64_encode(&b, (const uint8_t *)"foo", 3, RB64_STD);
    int rc2 = rb64_decode(&b, "Zm9v", 4, RB64_STD);
    CHECK_OK(rampart_set_allocator(NULL));
    CHECK_RC(rc1, RAMPART_ENOMEM);
    CHECK_RC(rc2, RAMPART_ENOMEM);
    CHECK(b.data == NULL && b.len == 0);
}

/* Every length 0..64 round-trips through every variant, padded or not. */
static void test_b64_round_trip_lengths(void)
{
    uint8_t src[64];
    for (size_t i = 0; i < sizeof(src); i++)
        src[i] = (uint8_t)(i * 37 + 11);
    for (size_t n = 0; n <= sizeof(src); n++) {
        for (int v = RB64_STD; v <= RB64_URL; v++) {
            rbuf e, d;
            rbuf_init(&e, 256);
            rbuf_init(&d, 256);
            CHECK_OK(rb64_encode(&e, src, n, (enum rb64_variant)v));
            CHECK_INT(e.len, (n + 2) / 3 * 4);
            CHECK_OK(rb64_decode(&d, (char *)e.data, e.len, (enum rb64_variant)v));
            CHECK_MEM(d.data, d.len, src, n);
            /* Without its padding: URL and ANY accept, STD refuses (if there was any). */
            size_t unpadded = e.len;
            while (unpadded > 0 && e.data[unpadded - 1] == '=')
                unpadded--;
            rbuf_reset(&d);
            CHECK_OK(rb64_decode(&d, (char *)e.data, unpadded, RB64_ANY));
            CHECK_MEM(d.data, d.len, src, n);
            rbuf_reset(&d);
            if (unpadded != e.len)
                CHECK_RC(rb64_decode(&d, (char *)e.data, unpadded, RB64_STD), RAMPART_EFORMAT);
            rbuf_free(&e);
            rbuf_free(&d);
        }
    }
}

int main(void)
{
    RUN(test_hex_rfc_vectors);
    RUN(test_hex_all_bytes_and_case);
    RUN(test_hex_rejects);
    RUN(test_hex_capacity);
    RUN(test_hex_valid);
    RUN(test_b64_rfc_vectors);
    RUN(test_b64_unpadded);
    RUN(test_b64_alphabets);
    RUN(test_b64_rejects);
    RUN(test_b64_appends_and_unchanged_on_error);
    RUN(test_b64_caps_and_args);
    RUN(test_b64_enomem);
    RUN(test_b64_round_trip_lengths);
    return th_summary("test_codec");
}
