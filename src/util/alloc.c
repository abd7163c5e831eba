/* alloc.c - the allocation hooks of rampart/alloc.h. */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <string.h>

#include "util/common.h"
#include "util/banned.h"

static void *libc_malloc(size_t size, void *ctx)
{
    (void)ctx;
    return malloc(size);
}
static void *libc_realloc(void *p, size_t size, void *ctx)
{
    (void)ctx;
    return realloc(p, size);
}
static void libc_free(void *p, void *ctx)
{
    (void)ctx;
    free(p);
}

static rampart_allocator g_alloc = {libc_malloc, libc_realloc, libc_free, NULL};

int rampart_set_allocator(const rampart_allocator *a)
{
    if (a == NULL) {
        g_alloc = (rampart_allocator){libc_malloc, libc_realloc, libc_free, NULL};
        return 0;
    }
    if (a->malloc_fn == NULL || a->realloc_fn == NULL || a->free_fn == NULL)
        return RAMPART_EINVAL;
    g_alloc = *a;
    return 0;
}

void *rampart_malloc(size_t size)
{
    /* A zero-size request still gets a unique pointer, so NULL always means failure. */
    return g_alloc.malloc_fn(size ? size : 1, g_alloc.ctx);
}

void *rampart_calloc(size_t n, size_t size)
{
    size_t total;
    if (!rsize_mul(n, size, &total))
        return NULL;
    void *p = rampart_malloc(total);
    if (p != NULL)
        memset(p, 0, total ? total : 1);
    return p;
}

void *rampart_realloc(void *p, size_t size)
{
    return g_alloc.realloc_fn(p, size ? size : 1, g_alloc.ctx);
}

void rampart_free(void *p)
{
    if (p != NULL)
        g_alloc.free_fn(p, g_alloc.ctx);
}

char *rampart_strndup(const char *s, size_t n)
{
    size_t total;
    if (!rsize_add(n, 1, &total))
        return NULL;
    char *d = rampart_malloc(total);
    if (d == NULL)
        return NULL;
    if (n)
        memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

void rampart_free_secret(void *p, size_t n)
{
    if (p == NULL)
        return;
    /* explicit_bzero is not elided by the optimiser. */
    explicit_bzero(p, n);
    rampart_free(p);
}

/* cppcheck sees no MADV_HUGEPAGE (it reads no system headers) and would
 * have p be const; madvise takes it non-const. */
// cppcheck-suppress constParameter
void rampart_advise_huge(void *p, size_t n)
{
    /* Only the 2 MiB-aligned interior can use transparent huge pages. */
    const uintptr_t huge = (uintptr_t)2 << 20;
    if (p == NULL || n < 2 * huge)
        return;
#ifdef MADV_HUGEPAGE
    uintptr_t start = ((uintptr_t)p + huge - 1) & ~(huge - 1), end = ((uintptr_t)p + n) & ~(huge - 1);
    /* The address is rounded, so it goes through an integer on purpose. */
    if (end > start)
        (void)madvise((void *)start, end - start, MADV_HUGEPAGE); // NOLINT(performance-no-int-to-ptr)
#endif
}
