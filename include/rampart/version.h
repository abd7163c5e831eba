/*
 * rampart/version.h - library version and self-check.
 *
 * Thread safety: both functions may be called from any thread at any time,
 * concurrently; rampart_selftest keeps nothing between calls.
 */
#ifndef RAMPART_VERSION_H
#define RAMPART_VERSION_H

#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RAMPART_VERSION_MAJOR 0
#define RAMPART_VERSION_MINOR 1
#define RAMPART_VERSION_PATCH 0

/** The library's version as "MAJOR.MINOR.PATCH"; a static string, never NULL. */
RAMPART_API const char *rampart_version(void) RAMPART_MUST_USE;

/**
 * Runs the library's built-in self-check: hashes, signature verification for
 * every supported scheme, canonical JSON, and a small metadata round trip,
 * against fixed known answers.  Returns 0 when all pass, else the first
 * failing code; `err` (may be NULL) receives the detail.
 */
RAMPART_API int rampart_selftest(rampart_error *err) RAMPART_MUST_USE;

#ifdef __cplusplus
}
#endif
#endif /* RAMPART_VERSION_H */
