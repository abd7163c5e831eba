/*
 * rampart/alloc.h - allocation hooks.
 *
 * Every allocation librampart makes itself goes through these hooks, so an
 * application can account for memory and a test can fail the Nth allocation.
 * (Allocations inside OpenSSL, libcurl and jansson use those libraries' own
 * mechanisms.)
 *
 * Thread safety: rampart_set_allocator() writes process-wide state without
 * a lock: call it while no other thread uses librampart (typically once, at
 * start-up, before any thread is started).  The hooks are called from the
 * threads that call librampart, so with several such threads they must be
 * thread-safe themselves.
 */
#ifndef RAMPART_ALLOC_H
#define RAMPART_ALLOC_H

#include <stddef.h>

#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * A set of allocation functions.  `realloc_fn` must behave like C realloc
 * (including realloc(NULL, n) == malloc(n)); `free_fn` must accept NULL.
 * `ctx` is passed through unchanged.
 */
typedef struct rampart_allocator {
    void *(*malloc_fn)(size_t size, void *ctx);
    void *(*realloc_fn)(void *ptr, size_t size, void *ctx);
    void (*free_fn)(void *ptr, void *ctx);
    void *ctx;
} rampart_allocator;

/**
 * Installs `a` as the allocator for all later librampart allocations, or
 * restores the C library's allocator when `a` is NULL.  This is process-wide
 * state: call it before creating any handle and never while handles exist
 * (memory must be freed by the allocator that made it).  The struct is copied.
 *
 * Returns 0, or RAMPART_EINVAL when `a` lacks a function.
 */
RAMPART_API int rampart_set_allocator(const rampart_allocator *a) RAMPART_MUST_USE;

#ifdef __cplusplus
}
#endif
#endif /* RAMPART_ALLOC_H */
