/*
 * fuzz_common.h - what every fuzz target shares: the libFuzzer entry point
 * prototype, an invariant check that aborts (so libFuzzer and the corpus
 * replay both report it), and splitting one input into several documents.
 *
 * Each target is one .c file defining LLVMFuzzerTestOneInput.  It is linked
 * twice: with libFuzzer (-fsanitize=fuzzer, RAMPART_FUZZ builds, clang) and
 * with replay_main.c, which runs every file of the committed corpus (ctest
 * fuzz-replay/<target>, in every build).  See docs/internals/fuzzing.md.
 */
#ifndef RAMPART_FUZZ_COMMON_H
#define RAMPART_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant of the code under test: a violation is a bug, reported like
 * a crash. */
#define FUZZ_CHECK(cond)                                                                                               \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            fprintf(stderr, "%s:%d: invariant violated: %s\n", __FILE__, __LINE__, #cond);                             \
            abort();                                                                                                   \
        }                                                                                                              \
    } while (0)

/* The separator between documents in one input.  It cannot occur inside a
 * valid JSON document (a raw newline never appears in a JSON string, and
 * '%' never outside one), so splitting never cuts a valid document. */
#define FUZZ_SEP "\n%%\n"
#define FUZZ_SEP_LEN 4
#define FUZZ_MAX_PARTS 16

typedef struct fuzz_part {
    const uint8_t *p;
    size_t n;
} fuzz_part;

/* Splits data[0..size) at each FUZZ_SEP into at most FUZZ_MAX_PARTS parts
 * (the last part keeps any further separators).  Returns the count (>= 1). */
static inline size_t fuzz_split(const uint8_t *data, size_t size, fuzz_part *parts)
{
    size_t n = 0, start = 0;
    for (size_t i = 0; n + 1 < FUZZ_MAX_PARTS && i + FUZZ_SEP_LEN <= size; i++) {
        if (memcmp(data + i, FUZZ_SEP, FUZZ_SEP_LEN) == 0) {
            parts[n++] = (fuzz_part){data + start, i - start};
            start = i + FUZZ_SEP_LEN;
            i = start - 1;
        }
    }
    parts[n++] = (fuzz_part){data + start, size - start};
    return n;
}

/* An exactly sized copy from rampart_malloc (for functions that take
 * ownership of their input); aborts when memory runs out. */
static inline uint8_t *fuzz_dup(const uint8_t *p, size_t n)
{
    uint8_t *d = rampart_malloc(n);
    FUZZ_CHECK(d != NULL);
    if (n)
        memcpy(d, p, n);
    return d;
}

/* The first line of a part ("kind" of what follows), split off. */
static inline void fuzz_first_line(fuzz_part in, fuzz_part *line, fuzz_part *rest)
{
    const uint8_t *nl = in.n ? memchr(in.p, '\n', in.n) : NULL;
    size_t k = nl ? (size_t)(nl - in.p) : in.n;
    *line = (fuzz_part){in.p, k};
    *rest = nl ? (fuzz_part){nl + 1, in.n - k - 1} : (fuzz_part){in.p + in.n, 0};
}

static inline bool fuzz_is(fuzz_part p, const char *word)
{
    size_t n = strlen(word);
    return p.n == n && memcmp(p.p, word, n) == 0;
}

#endif
