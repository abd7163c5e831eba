/*
 * common.h - what every librampart source file needs: the error detail
 * helpers, the allocation hooks, checked size arithmetic and cleanup
 * attributes.  Include it after the system headers and before
 * "util/banned.h", which every .c file includes last.
 */
#ifndef RAMPART_UTIL_COMMON_H
#define RAMPART_UTIL_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rampart/alloc.h"
#include "rampart/error.h"

/* Internal code uses the public error-detail struct as its error context. */
typedef rampart_error rerr;

#define RAMPART_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define RAMPART_INTERNAL __attribute__((visibility("hidden")))

/*
 * Records an error in `e` (which may be NULL) and returns `code`, so that a
 * failure is one line: `return rerr_set(e, RAMPART_EBADSIG, "root", "...")`.
 * `role` may be NULL.  The message is truncated to fit and sanitised: control
 * bytes and invalid UTF-8 become '?'.
 */
int rerr_set(rerr *e, int code, const char *role, const char *fmt, ...) RAMPART_PRINTF(4, 5);
#ifdef __clang_analyzer__
/* For clang-tidy only (never compiled): the static analyser does not look
 * into error.c, so without this it assumes `return rerr_set(e, EFORMAT,
 * ...)` may return 0 and reports every out-parameter such a path leaves
 * unset (see docs/internals/static-analysis.md). */
#define rerr_set(e, code, ...) (rerr_set((e), (code), __VA_ARGS__), (code))
#endif

/* Resets `e` to "no error". NULL-safe. */
void rerr_clear(rerr *e);

/* rampart_sanitize (untrusted text made safe to print) is public:
 * rampart/error.h. */

/* Allocation through the hooks of rampart/alloc.h.  Each returns NULL on
 * failure (and for a zero-size request, a unique non-NULL pointer). */
void *rampart_malloc(size_t size);
void *rampart_calloc(size_t n, size_t size);
void *rampart_realloc(void *p, size_t size);
void rampart_free(void *p);
/* A NUL-terminated copy of `n` bytes of `s`; NULL on allocation failure. */
char *rampart_strndup(const char *s, size_t n);
/* rampart_free() after overwriting `n` bytes with zeros that the compiler
 * may not elide (for secrets).  NULL-safe. */
void rampart_free_secret(void *p, size_t n);

/* Advises the kernel to back the large buffer p[0..n) with transparent huge
 * pages: one page fault per 2 MiB instead of per 4 KiB when a multi-megabyte
 * metadata buffer is first written.  A hint only; does nothing for small
 * buffers or where unsupported. */
void rampart_advise_huge(void *p, size_t n);

/* Checked size arithmetic: false on overflow, *out untouched then. */
static inline bool rsize_add(size_t a, size_t b, size_t *out)
{
    size_t r;
    if (__builtin_add_overflow(a, b, &r))
        return false;
    *out = r;
    return true;
}
static inline bool rsize_mul(size_t a, size_t b, size_t *out)
{
    size_t r;
    if (__builtin_mul_overflow(a, b, &r))
        return false;
    *out = r;
    return true;
}

/* Cleanup helpers: `RAMPART_AUTO(rampart_free) char *p = NULL;` frees p when
 * it goes out of scope.  Each cleanup function takes a pointer to the
 * variable. */
#define RAMPART_AUTO(fn) __attribute__((cleanup(fn##_p)))
static inline void rampart_free_p(void *pp)
{
    rampart_free(*(void **)pp);
}

#define RAMPART_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
