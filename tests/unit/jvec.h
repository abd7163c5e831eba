/*
 * jvec.h - helpers shared by test_json.c and test_jdoc.c: reading the
 * canonical-JSON vectors of tests/vectors/json/ (see the README there) and
 * building large inputs at run time.
 */
#ifndef RAMPART_TEST_JVEC_H
#define RAMPART_TEST_JVEC_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rampart/error.h"

#define JV_DIR RAMPART_TEST_DATA "/vectors/json"

/* Reads a whole file (malloc'd, NUL-terminated for convenience); NULL on failure. */
static inline uint8_t *jv_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap + 1);
    while (buf != NULL) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        uint8_t *nb = realloc(buf, cap * 2 + 1);
        if (nb == NULL) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    if (buf != NULL && ferror(f)) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf != NULL) {
        buf[n] = 0;
        *len = n;
    }
    return buf;
}

/* Reads vector `name` + `ext` from folder `sub` ("valid", "invalid" or "allow_nul"). */
static inline uint8_t *jv_vector(const char *sub, const char *name, const char *ext, size_t *len)
{
    char path[512];
    if (snprintf(path, sizeof(path), "%s/%s/%s%s", JV_DIR, sub, name, ext) >= (int)sizeof(path))
        return NULL;
    return jv_read(path, len);
}

typedef struct jv_entry {
    char name[96];
    int code; /* expected code (invalid vectors), 0 for valid ones */
} jv_entry;

static inline int jv_code(const char *s)
{
    static const struct {
        const char *name;
        int code;
    } codes[] = {{"ok", 0}, {"EFORMAT", RAMPART_EFORMAT}, {"ETOOLARGE", RAMPART_ETOOLARGE}};
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
        if (strcmp(s, codes[i].name) == 0)
            return codes[i].code;
    return 1; /* no such code: makes every comparison fail */
}

/* Loads valid.txt ("name" per line), invalid.txt ("name CODE" per line) or
 * allow_nul.txt ("name ok" or "name CODE" per line).
 * Returns the number of entries (malloc'd array in *out), or 0 on error. */
static inline size_t jv_index(const char *file, jv_entry **out)
{
    char path[512];
    size_t len, n = 0;
    snprintf(path, sizeof(path), "%s/%s", JV_DIR, file);
    char *text = (char *)jv_read(path, &len);
    if (text == NULL)
        return 0;
    jv_entry *v = calloc(len / 2 + 1, sizeof(*v));
    for (char *line = text; v != NULL && *line != '\0';) {
        char *nl = strchr(line, '\n');
        if (nl != NULL)
            *nl = '\0';
        char code[32] = "";
        if (sscanf(line, "%95s %31s", v[n].name, code) >= 1) {
            v[n].code = code[0] ? jv_code(code) : 0;
            n++;
        }
        if (nl == NULL)
            break;
        line = nl + 1;
    }
    free(text);
    *out = v;
    return v != NULL ? n : 0;
}

/* `n` copies of `open`, then `inner`, then `n` copies of `close` (malloc'd). */
static inline uint8_t *jv_nest(size_t n, const char *open, const char *inner, const char *close, size_t *len)
{
    size_t ol = strlen(open), il = strlen(inner), cl = strlen(close);
    uint8_t *b = malloc(n * (ol + cl) + il + 1);
    if (b == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++)
        memcpy(b + i * ol, open, ol);
    memcpy(b + n * ol, inner, il);
    for (size_t i = 0; i < n; i++)
        memcpy(b + n * ol + il + i * cl, close, cl);
    *len = n * (ol + cl) + il;
    return b;
}

/* A JSON string of `n` ASCII letters: "aaaa..." (n + 2 bytes, malloc'd). */
static inline uint8_t *jv_big_string(size_t n, size_t *len)
{
    uint8_t *b = malloc(n + 2);
    if (b == NULL)
        return NULL;
    b[0] = '"';
    for (size_t i = 0; i < n; i++)
        b[i + 1] = (uint8_t)('a' + i % 26);
    b[n + 1] = '"';
    *len = n + 2;
    return b;
}

#endif
