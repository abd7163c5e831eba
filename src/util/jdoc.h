/*
 * jdoc.h - a strict, read-only JSON document for untrusted metadata.
 *
 * One pass over the input builds a flat array of nodes (16 bytes each);
 * strings without escapes point into the input, escaped strings are decoded
 * once into a side arena.  It applies the same rules as util/json.h:
 *   - RFC 8259 JSON, one value, only whitespace after it;
 *   - valid UTF-8 throughout, no unpaired surrogate escapes, no NUL in strings
 *     (unless the caller allows "\u0000": see jd_limits.allow_nul);
 *   - duplicate object keys rejected (compared after unescaping);
 *   - nesting at most `max_depth` (default and maximum 64);
 *   - numbers must be integers that fit int64 (fractions and exponents are
 *     rejected: TUF's canonical form has integers only), unless the caller
 *     allows any RFC 8259 number (jdoc_parse_any_number);
 *   - total size at most `max_bytes`.
 * It then serialises any subtree in canonical JSON (see util/json.h).
 *
 * Nodes are addressed by jd_ref indices.  Containers know the extent of
 * their subtree, so skipping a member is O(1).  An object's members are a
 * sequence of (key string node, value subtree) pairs.
 */
#ifndef RAMPART_UTIL_JDOC_H
#define RAMPART_UTIL_JDOC_H

#include "util/buf.h"

typedef enum jd_type {
    JD_NULL = 0,
    JD_FALSE,
    JD_TRUE,
    JD_INT,
    JD_STRING,
    JD_ARRAY,
    JD_OBJECT,
    JD_REAL, /* any other RFC 8259 number (only from jdoc_parse_any_number); never canonical */
} jd_type;

typedef uint32_t jd_ref;
#define JD_NONE UINT32_MAX

typedef struct jd_limits {
    size_t max_bytes;   /* 0: no size limit beyond 4 GiB - 1 (offsets are 32-bit) */
    unsigned max_depth; /* 0: 64; values above 64 are clamped to 64 */
    /* false (the default): "\u0000" is refused anywhere, so no decoded
     * string can hold a NUL.  true: it is accepted, as RFC 8259 allows, for
     * documents that carry opaque JSON (TUF's "custom"); the caller must
     * then refuse a NUL in every string it uses as a name, path or key
     * (jdoc_str_has_nul).  A raw NUL byte is refused either way. */
    bool allow_nul;
} jd_limits;

typedef struct jdoc jdoc;

/* Parses `len` bytes at `data`.  When `owned` is true the document takes
 * ownership of `data` (freed with rampart_free by jdoc_free, also on
 * failure, whatever the error); otherwise `data` must outlive the document.
 * `lim` may be NULL (all defaults).  The size cap is checked before any
 * work.  EFORMAT on any rule above (`e`'s message names the rule and the
 * byte offset: "invalid escape at byte 1234"), ETOOLARGE over max_bytes,
 * ENOMEM, EINVAL for a NULL `out` (or NULL `data` with len > 0).  *out is
 * written only on success. */
int jdoc_parse(jdoc **out, const uint8_t *data, size_t len, bool owned, const jd_limits *lim, rerr *e) RAMPART_MUST_USE;

/* jdoc_parse for documents whose numbers the caller does not read (in-toto
 * statements): any RFC 8259 number ("1.5", "4e9", "-0.0E+1", an integer
 * past int64) is accepted as a JD_REAL node, which has no value accessor
 * and no canonical form; integers within int64 stay JD_INT.  A caller that
 * reads a number asks for JD_INT and so still refuses anything else. */
int jdoc_parse_any_number(jdoc **out, const uint8_t *data, size_t len, const jd_limits *lim, rerr *e) RAMPART_MUST_USE;
/* Frees the document (and the input, if owned).  NULL-safe. */
void jdoc_free(jdoc *d);
static inline void jdoc_free_p(jdoc **d)
{
    jdoc_free(*d);
}

/*
 * Accessors.  They never fail and are memory-safe for any ref: JD_NONE or
 * a ref past the last node reads as an empty JD_NULL (so check for JD_NONE
 * before asking for a type when "missing" and "null" must differ).
 * Returned slices point into the document and live as long as it does.
 */

/* The input bytes. */
rslice jdoc_input(const jdoc *d);
/* The top-level value (always 0). */
jd_ref jdoc_root(const jdoc *d);
/* The value's type (JD_NULL for an invalid ref). */
jd_type jdoc_type(const jdoc *d, jd_ref r);
/* A string's decoded bytes (valid UTF-8; a NUL only when the document was
 * parsed with allow_nul). Empty slice for non-strings.
 * Strings without escapes point into the input (zero-copy). */
rslice jdoc_str(const jdoc *d, jd_ref r);
/* True when string `r` holds a NUL (only possible with allow_nul); O(1). */
bool jdoc_str_has_nul(const jdoc *d, jd_ref r);
/* An integer's value (0 for non-integers). */
int64_t jdoc_int(const jdoc *d, jd_ref r);
/* Number of members (objects) or elements (arrays); 0 otherwise. */
size_t jdoc_count(const jdoc *d, jd_ref r);
/* Byte range in the input that the value spans, without surrounding
 * whitespace (for diagnostics; linear in the container sizes it crosses). */
rslice jdoc_raw(const jdoc *d, jd_ref r);

/* Array iteration: first element (JD_NONE when empty), next sibling (JD_NONE
 * after the last), both O(1):
 *   for (r = jdoc_first(d, arr); r != JD_NONE; r = jdoc_next(d, r)) ...
 * On an object, jdoc_first gives the first key; jdoc_next on a member's
 * value gives the next key. */
jd_ref jdoc_first(const jdoc *d, jd_ref container);
jd_ref jdoc_next(const jdoc *d, jd_ref r);
/* Object iteration: for (k = jdoc_first(d, obj); k != JD_NONE; k = jdoc_next_key(d, k))
 *   the key is node k (a string), the value jdoc_value(k).  Members come in
 *   document order. */
static inline jd_ref jdoc_value(jd_ref key)
{
    /* JD_NONE stays JD_NONE rather than wrapping round to the root. */
    return key == JD_NONE ? JD_NONE : key + 1;
}
/* The key after `key` (a key ref from jdoc_first or jdoc_next_key), or JD_NONE. */
jd_ref jdoc_next_key(const jdoc *d, jd_ref key);

/* The value of member `key` in object `obj`, or JD_NONE (also when obj is
 * not an object).  Keys compare as decoded bytes.  Linear in the number of
 * members. */
jd_ref jdoc_get(const jdoc *d, jd_ref obj, const char *key);
jd_ref jdoc_getn(const jdoc *d, jd_ref obj, const void *key, size_t keylen);

/* True when the input bytes of the subtree at `r` (jdoc_raw) are already
 * exactly its canonical JSON: no whitespace, keys in canonical order,
 * integers in canonical form, strings without escapes.  Then the raw slice
 * can stand in for jdoc_canonical's output without copying it. */
bool jdoc_is_canonical(const jdoc *d, jd_ref r);

/* Appends the canonical JSON of the subtree at `r` to `out`: keys sorted by
 * UTF-8 bytes, no whitespace, only '"' and '\' escaped (see util/json.h);
 * byte-identical to rjson_canonical of the same input.  ETOOLARGE at
 * out->max, ENOMEM, EINVAL for a NULL argument or an invalid ref.  On
 * failure `out` is cut back to its length on entry. */
int jdoc_canonical(const jdoc *d, jd_ref r, rbuf *out) RAMPART_MUST_USE;

/* Like jdoc_canonical, but control characters in strings (U+0000-U+001F)
 * are written as escapes (\b \f \n \r \t, else \u00XX): the same
 * value in the same key order, as valid JSON that holds no NUL byte and
 * can be handed out as a C string (TUF "custom" metadata).  Same errors. */
int jdoc_json(const jdoc *d, jd_ref r, rbuf *out) RAMPART_MUST_USE;

#endif
