/* vecfile.h - test helpers: read a file of tests/vectors/crypto/ and decode
 * hex written inline in a test.  Header-only so each test program stays one
 * .c file. */
#ifndef RAMPART_TEST_VECFILE_H
#define RAMPART_TEST_VECFILE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The whole file tests/vectors/crypto/<name>, NUL-terminated (not counted
 * in *len); NULL if it cannot be read.  Free with free(). */
static inline uint8_t *vec_read(const char *name, size_t *len)
{
    char path[1024];
    int w = snprintf(path, sizeof(path), "%s/vectors/crypto/%s", RAMPART_TEST_DATA, name);
    if (w < 0 || (size_t)w >= sizeof(path))
        return NULL;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "cannot open %s\n", path);
        return NULL;
    }
    uint8_t *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            uint8_t *nb = realloc(buf, cap);
            if (nb == NULL) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
        }
        size_t r = fread(buf + n, 1, 4096, f);
        n += r;
        if (r < 4096)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Decodes the hex string `hex` into `out` (capacity cap); returns the byte
 * count, or (size_t)-1 on a malformed string or overflow. */
static inline size_t vec_unhex(uint8_t *out, size_t cap, const char *hex)
{
    size_t n = strlen(hex);
    if (n % 2 != 0 || n / 2 > cap)
        return (size_t)-1;
    for (size_t i = 0; i < n / 2; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1)
            return (size_t)-1;
        out[i] = (uint8_t)v;
    }
    return n / 2;
}

#endif
