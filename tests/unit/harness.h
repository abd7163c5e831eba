/*
 * harness.h - the tiny unit-test harness: TEST functions, CHECK macros that
 * report file:line and the values compared, and a summary line
 * "N passed, N failed" per program (ctest reads the exit status).
 */
#ifndef RAMPART_TEST_HARNESS_H
#define RAMPART_TEST_HARNESS_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rampart/error.h"

static int th_failed_checks;
static int th_tests_passed;
static int th_tests_failed;
static const char *th_current;

#define TH_FAIL(...)                                                                                                   \
    do {                                                                                                               \
        fprintf(stderr, "%s:%d: %s: ", __FILE__, __LINE__, th_current);                                                \
        fprintf(stderr, __VA_ARGS__);                                                                                  \
        fputc('\n', stderr);                                                                                           \
        th_failed_checks++;                                                                                            \
    } while (0)

#define CHECK(cond)                                                                                                    \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            TH_FAIL("CHECK(%s) failed", #cond);                                                                        \
            return;                                                                                                    \
        }                                                                                                              \
    } while (0)

#define CHECK_INT(a, b)                                                                                                \
    do {                                                                                                               \
        long long th_a = (long long)(a), th_b = (long long)(b);                                                        \
        if (th_a != th_b) {                                                                                            \
            TH_FAIL("%s == %lld, expected %s == %lld", #a, th_a, #b, th_b);                                            \
            return;                                                                                                    \
        }                                                                                                              \
    } while (0)

/* Asserts an exact rampart return code and prints names on mismatch. */
#define CHECK_RC(expr, code)                                                                                           \
    do {                                                                                                               \
        int th_rc = (expr), th_want = (code);                                                                          \
        if (th_rc != th_want) {                                                                                        \
            TH_FAIL("%s returned %s (%d), expected %s (%d)", #expr, rampart_error_name(th_rc), th_rc,                  \
                    rampart_error_name(th_want), th_want);                                                             \
            return;                                                                                                    \
        }                                                                                                              \
    } while (0)

#define CHECK_OK(expr) CHECK_RC(expr, 0)

#define CHECK_STR(a, b)                                                                                                \
    do {                                                                                                               \
        const char *th_a = (a), *th_b = (b);                                                                           \
        if (th_a == NULL || th_b == NULL || strcmp(th_a, th_b) != 0) {                                                 \
            TH_FAIL("%s == \"%s\", expected \"%s\"", #a, th_a ? th_a : "(null)", th_b ? th_b : "(null)");              \
            return;                                                                                                    \
        }                                                                                                              \
    } while (0)

/* Compares n bytes; prints both as escaped text on mismatch. */
#define CHECK_MEM(a, alen, b, blen)                                                                                    \
    do {                                                                                                               \
        size_t th_al = (alen), th_bl = (blen);                                                                         \
        if (th_al != th_bl || (th_al && memcmp((a), (b), th_al) != 0)) {                                               \
            TH_FAIL("%s (%zu bytes) != %s (%zu bytes)", #a, th_al, #b, th_bl);                                         \
            th_dump("got     ", (const unsigned char *)(a), th_al);                                                    \
            th_dump("expected", (const unsigned char *)(b), th_bl);                                                    \
            return;                                                                                                    \
        }                                                                                                              \
    } while (0)

static inline void th_dump(const char *label, const unsigned char *p, size_t n)
{
    fprintf(stderr, "  %s: \"", label);
    for (size_t i = 0; i < n && i < 400; i++) {
        if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\')
            fputc(p[i], stderr);
        else
            fprintf(stderr, "\\x%02x", p[i]);
    }
    fprintf(stderr, n > 400 ? "\"...\n" : "\"\n");
}

#define RUN(fn)                                                                                                        \
    do {                                                                                                               \
        int th_before = th_failed_checks;                                                                              \
        th_current = #fn;                                                                                              \
        fn();                                                                                                          \
        if (th_failed_checks == th_before)                                                                             \
            th_tests_passed++;                                                                                         \
        else                                                                                                           \
            th_tests_failed++;                                                                                         \
    } while (0)

static inline int th_summary(const char *prog)
{
    printf("%s: %d passed, %d failed\n", prog, th_tests_passed, th_tests_failed);
    return th_tests_failed ? 1 : 0;
}

#endif
