/* json.c - strict JSON parsing through jansson and canonical JSON of jansson trees. */
#include <stdlib.h>
#include <string.h>

#include "util/jcanon.h"
#include "util/json.h"
#include "util/banned.h"

/*
 * jansson enforces most of the rules itself with these flags (see
 * docs/internals/json.md): JSON_REJECT_DUPLICATES compares keys after
 * unescaping; without JSON_ALLOW_NUL "\u0000" is refused; without
 * JSON_DISABLE_EOF_CHECK anything but whitespace after the value is refused;
 * JSON_DECODE_ANY lets scalars stand at the top level, as canonical vectors
 * need.  jansson also validates UTF-8 (overlong forms, encoded surrogates,
 * > U+10FFFF), rejects raw control characters in strings, unpaired
 * surrogate escapes and integers outside long long (= int64 here).  What it
 * leaves to us: the size cap and the depth limit (its own stops at 2048,
 * which bounds its recursion but is far more than TUF needs).
 */
#define RJSON_FLAGS (JSON_REJECT_DUPLICATES | JSON_DECODE_ANY)

_Static_assert(sizeof(json_int_t) == sizeof(int64_t), "jansson integers must be 64-bit");

/* Fails when containers nest deeper than RJSON_MAX_DEPTH.  `depth` counts the
 * containers around `v`; the recursion stops one level past the limit, so it
 * is bounded by RJSON_MAX_DEPTH whatever the tree. */
// NOLINTNEXTLINE(misc-no-recursion): stops at RJSON_MAX_DEPTH (64)
static int check_depth(const json_t *v, unsigned depth, rerr *e)
{
    if (!json_is_object(v) && !json_is_array(v))
        return 0;
    if (depth >= RJSON_MAX_DEPTH)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "JSON nests deeper than %d levels", RJSON_MAX_DEPTH);
    if (json_is_array(v)) {
        size_t n = json_array_size(v);
        for (size_t i = 0; i < n; i++) {
            int rc = check_depth(json_array_get(v, i), depth + 1, e);
            if (rc != 0)
                return rc;
        }
        return 0;
    }
    /* jansson's iterators take a non-const object; they only read it. */
    for (void *it = json_object_iter((json_t *)v); it != NULL; it = json_object_iter_next((json_t *)v, it)) {
        int rc = check_depth(json_object_iter_value(it), depth + 1, e);
        if (rc != 0)
            return rc;
    }
    return 0;
}

int rjson_parse(const uint8_t *data, size_t len, size_t max_len, json_t **out, rerr *e)
{
    if (out == NULL || (data == NULL && len != 0))
        return rerr_set(e, RAMPART_EINVAL, NULL, "rjson_parse: NULL argument");
    if (len > max_len)
        return rerr_set(e, RAMPART_ETOOLARGE, NULL, "JSON document of %zu bytes exceeds the limit of %zu", len,
                        max_len);
    /* A NUL byte is valid nowhere in JSON (not whitespace, and raw in a
     * string it is a control character), but jansson's reader takes one
     * right after a top-level number for the end of the input and accepts
     * "1\0" (found by the json_diff fuzz target: util/jdoc rejects it). */
    const void *nul = len != 0 ? memchr(data, '\0', len) : NULL;
    if (nul != NULL)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "invalid JSON at byte %zu: NUL byte",
                        (size_t)((const uint8_t *)nul - data));
    /* Zeroed: jansson does not set the error code on every failure path,
     * and an unset code must read as "unknown", not as stack garbage. */
    json_error_t jerr = {0};
    json_t *v = json_loadb(len != 0 ? (const char *)data : "", len, RJSON_FLAGS, &jerr);
    if (v == NULL) {
        /* jansson returns NULL without recording an error (code "unknown")
         * when its first allocations fail.  Later allocation failures it
         * may report as syntax errors, which we cannot tell apart: those
         * come out as EFORMAT (still failing closed). */
        enum json_error_code jc = json_error_code(&jerr);
        if (jc == json_error_out_of_memory || jc == json_error_unknown)
            return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory parsing JSON");
        return rerr_set(e, RAMPART_EFORMAT, NULL, "invalid JSON at byte %d: %s", jerr.position, jerr.text);
    }
    int rc = check_depth(v, 0, e);
    if (rc != 0) {
        json_decref(v);
        return rc;
    }
    *out = v;
    return 0;
}

/* ---- canonical form ------------------------------------------------------ */

typedef struct member {
    const char *key;
    size_t keylen;
    const json_t *val;
} member;

static int member_cmp(const void *a, const void *b)
{
    const member *x = a, *y = b;
    return jcanon_keycmp((const uint8_t *)x->key, x->keylen, (const uint8_t *)y->key, y->keylen);
}

static int canon_value(const json_t *v, rbuf *out, unsigned depth, rerr *e);

/* A string or key: NUL is refused because no parser of ours would accept the
 * result ("\u0000" is rejected on input), so signing it would be pointless. */
static int canon_string(const char *s, size_t n, rbuf *out, rerr *e)
{
    if (n != 0 && memchr(s, '\0', n) != NULL)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "NUL character in a JSON string");
    return jcanon_string(out, (const uint8_t *)s, n);
}

// NOLINTNEXTLINE(misc-no-recursion): stops at RJSON_MAX_DEPTH (64)
static int canon_array(const json_t *v, rbuf *out, unsigned depth, rerr *e)
{
    int rc = rbuf_append_byte(out, '[');
    size_t n = json_array_size(v);
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (i != 0)
            rc = rbuf_append_byte(out, ',');
        if (rc == 0)
            rc = canon_value(json_array_get(v, i), out, depth + 1, e);
    }
    if (rc == 0)
        rc = rbuf_append_byte(out, ']');
    return rc;
}

// NOLINTNEXTLINE(misc-no-recursion): stops at RJSON_MAX_DEPTH (64)
static int canon_object(const json_t *v, rbuf *out, unsigned depth, rerr *e)
{
    size_t n = json_object_size(v), i = 0;
    member *m = rampart_calloc(n, sizeof(*m));
    if (m == NULL)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory serialising JSON");
    for (void *it = json_object_iter((json_t *)v); it != NULL && i < n; it = json_object_iter_next((json_t *)v, it))
        m[i++] = (member){json_object_iter_key(it), json_object_iter_key_len(it), json_object_iter_value(it)};
    qsort(m, i, sizeof(*m), member_cmp);
    int rc = rbuf_append_byte(out, '{');
    for (size_t j = 0; j < i && rc == 0; j++) {
        if (j != 0)
            rc = rbuf_append_byte(out, ',');
        if (rc == 0)
            rc = canon_string(m[j].key, m[j].keylen, out, e);
        if (rc == 0)
            rc = rbuf_append_byte(out, ':');
        if (rc == 0)
            rc = canon_value(m[j].val, out, depth + 1, e);
    }
    if (rc == 0)
        rc = rbuf_append_byte(out, '}');
    rampart_free(m);
    return rc;
}

// NOLINTNEXTLINE(misc-no-recursion): stops at RJSON_MAX_DEPTH (64)
static int canon_value(const json_t *v, rbuf *out, unsigned depth, rerr *e)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
    case JSON_ARRAY:
        /* Trees built in code are not depth-checked by rjson_parse; the
         * limit here also stops a (forbidden) reference cycle. */
        if (depth >= RJSON_MAX_DEPTH)
            return rerr_set(e, RAMPART_EFORMAT, NULL, "JSON nests deeper than %d levels", RJSON_MAX_DEPTH);
        return json_is_object(v) ? canon_object(v, out, depth, e) : canon_array(v, out, depth, e);
    case JSON_STRING:
        return canon_string(json_string_value(v), json_string_length(v), out, e);
    case JSON_INTEGER:
        return jcanon_int(out, (int64_t)json_integer_value(v));
    case JSON_REAL:
        return rerr_set(e, RAMPART_EFORMAT, NULL, "canonical JSON has no real numbers (%g)", json_real_value(v));
    case JSON_TRUE:
        return rbuf_append(out, "true", 4);
    case JSON_FALSE:
        return rbuf_append(out, "false", 5);
    case JSON_NULL:
        return rbuf_append(out, "null", 4);
    }
    return rerr_set(e, RAMPART_EINTERNAL, NULL, "unknown jansson type");
}

int rjson_canonical(const json_t *v, rbuf *out, rerr *e)
{
    if (v == NULL || out == NULL)
        return rerr_set(e, RAMPART_EINVAL, NULL, "rjson_canonical: NULL argument");
    size_t start = out->len;
    int rc = canon_value(v, out, 0, e);
    if (rc != 0) {
        jcanon_truncate(out, start);
        if (rc == RAMPART_ETOOLARGE)
            rerr_set(e, rc, NULL, "canonical JSON exceeds the output limit of %zu bytes", out->max);
        else if (rc == RAMPART_ENOMEM)
            rerr_set(e, rc, NULL, "out of memory serialising JSON");
    }
    return rc;
}

int rjson_file_form(const json_t *v, rbuf *out, rerr *e)
{
    size_t start = out != NULL ? out->len : 0;
    int rc = rjson_canonical(v, out, e);
    if (rc != 0)
        return rc;
    rc = jcanon_escape_controls(out, start);
    if (rc != 0) {
        jcanon_truncate(out, start);
        rerr_set(e, rc, NULL,
                 rc == RAMPART_ETOOLARGE ? "JSON exceeds the output limit once its control characters are escaped"
                                         : "out of memory serialising JSON");
    }
    return rc;
}
