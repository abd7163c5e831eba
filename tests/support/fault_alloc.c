/* fault_alloc.c - the counting allocator and the crash-child set-up (see
 * fault_alloc.h). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fault_alloc.h"
#include "rampart/alloc.h"

static long count, fail_at, live;
static int armed, injected;

static bool should_fail(void)
{
    if (!__atomic_load_n(&armed, __ATOMIC_SEQ_CST))
        return false;
    if (__atomic_add_fetch(&count, 1, __ATOMIC_SEQ_CST) != __atomic_load_n(&fail_at, __ATOMIC_SEQ_CST))
        return false;
    __atomic_store_n(&injected, 1, __ATOMIC_SEQ_CST);
    return true;
}

static void *fa_malloc(size_t n, void *ctx)
{
    (void)ctx;
    if (should_fail())
        return NULL;
    void *p = malloc(n);
    if (p != NULL)
        __atomic_add_fetch(&live, 1, __ATOMIC_SEQ_CST);
    return p;
}

static void *fa_realloc(void *p, size_t n, void *ctx)
{
    (void)ctx;
    if (should_fail())
        return NULL;
    void *q = realloc(p, n);
    if (q != NULL && p == NULL)
        __atomic_add_fetch(&live, 1, __ATOMIC_SEQ_CST);
    return q;
}

static void fa_free(void *p, void *ctx)
{
    (void)ctx;
    if (p == NULL)
        return;
    __atomic_sub_fetch(&live, 1, __ATOMIC_SEQ_CST);
    free(p);
}

int fa_install(void)
{
    rampart_allocator a = {fa_malloc, fa_realloc, fa_free, NULL};
    return rampart_set_allocator(&a);
}

void fa_arm(long n)
{
    __atomic_store_n(&count, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&injected, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&fail_at, n, __ATOMIC_SEQ_CST);
    __atomic_store_n(&armed, 1, __ATOMIC_SEQ_CST);
}

bool fa_disarm(void)
{
    __atomic_store_n(&armed, 0, __ATOMIC_SEQ_CST);
    return __atomic_load_n(&injected, __ATOMIC_SEQ_CST) != 0;
}

long fa_stride(void)
{
    const char *v = getenv("RAMPART_FAULT_STRIDE");
    long s = v != NULL ? strtol(v, NULL, 10) : 1;
    return s >= 1 ? s : 1;
}

long fa_live(void)
{
    return __atomic_load_n(&live, __ATOMIC_SEQ_CST);
}

void fa_crash_child_setup(const char *errfile, unsigned long n)
{
    int fd = open(errfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || dup2(fd, STDERR_FILENO) < 0)
        _exit(2);
    char num[32];
    snprintf(num, sizeof(num), "%lu", n);
    setenv("RAMPART_CRASH_AT", num, 1);
}
