/* test_buf.c - bounded buffers, slices, allocation hooks and error helpers. */
#include <string.h>

#include "harness.h"
#include "util/buf.h"
#include "util/banned.h"

/* An allocator that fails the Nth allocation (1-based; 0 = never). */
static int fail_at, alloc_count;
static void *fail_malloc(size_t n, void *ctx)
{
    (void)ctx;
    if (++alloc_count == fail_at)
        return NULL;
    return malloc(n);
}
static void *fail_realloc(void *p, size_t n, void *ctx)
{
    (void)ctx;
    if (++alloc_count == fail_at)
        return NULL;
    return realloc(p, n);
}
static void fail_free(void *p, void *ctx)
{
    (void)ctx;
    free(p);
}

static void test_append_and_cap(void)
{
    rbuf b;
    rbuf_init(&b, 8);
    CHECK_OK(rbuf_append(&b, "abcd", 4));
    CHECK_OK(rbuf_append_str(&b, "efgh"));
    CHECK_INT(b.len, 8);
    CHECK_STR((char *)b.data, "abcdefgh");
    /* one byte past the cap fails and leaves the buffer as it was */
    CHECK_RC(rbuf_append_byte(&b, 'x'), RAMPART_ETOOLARGE);
    CHECK_INT(b.len, 8);
    CHECK_STR((char *)b.data, "abcdefgh");
    rbuf_reset(&b);
    CHECK_INT(b.len, 0);
    CHECK_STR((char *)b.data, "");
    rbuf_free(&b);
    CHECK(b.data == NULL);
}

static void test_appendf(void)
{
    rbuf b;
    rbuf_init(&b, 16);
    CHECK_OK(rbuf_appendf(&b, "%d-%s", 42, "ok"));
    CHECK_STR((char *)b.data, "42-ok");
    CHECK_RC(rbuf_appendf(&b, "%s", "0123456789abcdef"), RAMPART_ETOOLARGE);
    CHECK_STR((char *)b.data, "42-ok");
    rbuf_free(&b);
}

static void test_huge_request_overflow(void)
{
    rbuf b;
    rbuf_init(&b, SIZE_MAX);
    CHECK_OK(rbuf_append(&b, "a", 1));
    /* len + SIZE_MAX overflows: must be refused, not wrapped */
    CHECK_RC(rbuf_reserve(&b, SIZE_MAX), RAMPART_ETOOLARGE);
    CHECK_RC(rbuf_reserve(&b, SIZE_MAX - 1), RAMPART_ETOOLARGE);
    rbuf_free(&b);
}

static void test_detach(void)
{
    rbuf b;
    rbuf_init(&b, 100);
    size_t n = 99;
    uint8_t *p = rbuf_detach(&b, &n);
    CHECK(p != NULL);
    CHECK_INT(n, 0);
    CHECK_INT(p[0], 0);
    rampart_free(p);
    CHECK_OK(rbuf_append(&b, "xyz", 3));
    p = rbuf_detach(&b, &n);
    CHECK_INT(n, 3);
    CHECK_MEM(p, 3, "xyz", 3);
    CHECK(b.data == NULL && b.len == 0);
    rampart_free(p);
}

static void test_secret_buffer(void)
{
    rbuf b;
    rbuf_init_secret(&b, 1 << 20);
    for (int i = 0; i < 1000; i++)
        CHECK_OK(rbuf_append(&b, "secret", 6));
    CHECK_INT(b.len, 6000);
    rbuf_free(&b);
    CHECK(b.data == NULL);
}

static void test_allocation_failure(void)
{
    rampart_allocator a = {fail_malloc, fail_realloc, fail_free, NULL};
    CHECK_OK(rampart_set_allocator(&a));
    rbuf b;
    rbuf_init(&b, 1 << 20);
    alloc_count = 0;
    fail_at = 1;
    CHECK_RC(rbuf_append(&b, "abc", 3), RAMPART_ENOMEM);
    CHECK_INT(b.len, 0);
    CHECK(b.data == NULL);
    fail_at = 0;
    CHECK_OK(rbuf_append(&b, "abc", 3));
    rbuf_free(&b);
    CHECK_OK(rampart_set_allocator(NULL));
    rampart_allocator bad = {fail_malloc, NULL, fail_free, NULL};
    CHECK_RC(rampart_set_allocator(&bad), RAMPART_EINVAL);
}

static void test_slices(void)
{
    CHECK(rslice_eq_cstr(RSLICE("abc", 3), "abc"));
    CHECK(!rslice_eq_cstr(RSLICE("abc", 3), "abcd"));
    CHECK(!rslice_eq_cstr(RSLICE("abd", 3), "abc"));
    CHECK(rslice_eq(RSLICE("", 0), RSLICE(NULL, 0)));
}

static void test_rerr_sanitises(void)
{
    rerr e = {0};
    CHECK_RC(
        rerr_set(&e, RAMPART_EBADSIG, "time\nstamp", "threshold not met for '%s' (%d of %d)", "ro\x1b[31mle", 1, 2),
        RAMPART_EBADSIG);
    CHECK_INT(e.code, RAMPART_EBADSIG);
    CHECK_STR(e.role, "time?stamp");
    CHECK_STR(e.message, "threshold not met for 'ro?[31mle' (1 of 2)");
    /* invalid UTF-8 and overlong forms become '?', valid multibyte passes */
    char out[32];
    rampart_sanitize(out, sizeof(out), "a\xc3\xa9\xc0\xaf\xff\xed\xa0\x80z", 10);
    CHECK_STR(out, "a\xc3\xa9??????z");
    /* characters that change how the text around them reads become one '?'
     * each: C1 controls, bidirectional marks, embeddings, overrides and
     * isolates, line and paragraph separators; others pass */
    rampart_sanitize(out, sizeof(out),
                     "a\xc2\x85"
                     "b\xc2\x9f"
                     "c\xc2\xa0"
                     "d",
                     10);
    CHECK_STR(out, "a?b?c\xc2\xa0"
                   "d");
    rampart_sanitize(out, sizeof(out), "x\xe2\x80\xaeyz\xe2\x80\xac", 9);
    CHECK_STR(out, "x?yz?");
    rampart_sanitize(out, sizeof(out), "\xe2\x80\x8e\xe2\x80\x8f\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xad", 15);
    CHECK_STR(out, "?????");
    rampart_sanitize(out, sizeof(out), "\xe2\x81\xa6\xe2\x81\xa9\xe2\x81\xa5\xe2\x81\xaa", 12);
    CHECK_STR(out, "??\xe2\x81\xa5\xe2\x81\xaa");
    rampart_sanitize(out, sizeof(out), "\xd8\x9c\xd8\x9b\xe2\x80\xa8\xe2\x80\xa9\xe2\x80\xa7\xe2\x80\xaf", 16);
    CHECK_STR(out, "?\xd8\x9b??\xe2\x80\xa7\xe2\x80\xaf");
    rampart_sanitize(out, sizeof(out), NULL, 0);
    CHECK_STR(out, "");
    /* truncation never splits a character */
    rampart_sanitize(out, 3, "a\xc3\xa9", 3);
    CHECK_STR(out, "a");
    CHECK_RC(rerr_set(NULL, RAMPART_EIO, NULL, "x"), RAMPART_EIO);
    rerr_clear(&e);
    CHECK_INT(e.code, 0);
    CHECK_STR(e.message, "");
}

static void test_error_names(void)
{
    CHECK_STR(rampart_error_name(RAMPART_EBADSIG), "RAMPART_EBADSIG");
    CHECK_STR(rampart_strerror(RAMPART_EBADSIG), "signature threshold not met");
    CHECK_STR(rampart_error_name(12345), "RAMPART_E?");
    CHECK_STR(rampart_strerror(-999), "unknown error");
    /* the numbering is part of the ABI */
    CHECK_INT(RAMPART_EBADSIG, -5);
    CHECK_INT(RAMPART_EINTERNAL, -23);
}

static void test_checked_math(void)
{
    size_t r = 7;
    CHECK(!rsize_add(SIZE_MAX, 1, &r));
    CHECK_INT(r, 7);
    CHECK(rsize_add(1, 2, &r));
    CHECK_INT(r, 3);
    CHECK(!rsize_mul(SIZE_MAX / 2 + 1, 2, &r));
    CHECK(rsize_mul(3, 4, &r));
    CHECK_INT(r, 12);
    CHECK(rampart_calloc(SIZE_MAX, 2) == NULL);
}

int main(void)
{
    RUN(test_append_and_cap);
    RUN(test_appendf);
    RUN(test_huge_request_overflow);
    RUN(test_detach);
    RUN(test_secret_buffer);
    RUN(test_allocation_failure);
    RUN(test_slices);
    RUN(test_rerr_sanitises);
    RUN(test_error_names);
    RUN(test_checked_math);
    return th_summary("test_buf");
}
