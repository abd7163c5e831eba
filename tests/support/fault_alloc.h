/*
 * fault_alloc.h - the counting allocator of the allocation-failure tests
 * (test_alloc_fail.c, test_repo_faults.c): installed once with
 * rampart_set_allocator(), it counts the blocks librampart holds and, when
 * armed with N, makes the Nth allocation attempt (malloc or realloc) fail.
 * Thread-safe (the download hash pipe runs a second thread).
 */
#ifndef RAMPART_TEST_FAULT_ALLOC_H
#define RAMPART_TEST_FAULT_ALLOC_H

#include <stdbool.h>

/* Installs the allocator; call first thing in main().  Returns 0. */
int fa_install(void);
/* From now on, the `fail_at`-th allocation attempt fails (1-based). */
void fa_arm(long fail_at);
/* Stops counting and failing; returns true when the failure was injected
 * (false: the run made fewer than fail_at allocations). */
bool fa_disarm(void);
/* Blocks allocated through librampart and not yet freed. */
long fa_live(void);
/* The step between the allocations a sweep fails: 1 (every one), or the
 * value of RAMPART_FAULT_STRIDE (scripts/valgrind sets it: under valgrind
 * every allocation in turn would take too long; the sanitizer build runs
 * the full sweep). */
long fa_stride(void);

/* The crash-point half of fault injection, for a child just forked to die
 * at a crash point (test_crashpoints.c, test_repo_faults.c): sends its
 * standard error to `errfile` (where the crash point names itself; _exit(2)
 * when that fails) and sets RAMPART_CRASH_AT=n, so the n-th crash point the
 * child passes ends it. */
void fa_crash_child_setup(const char *errfile, unsigned long n);

#endif
