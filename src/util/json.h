/*
 * json.h - strict JSON through jansson, and the canonical JSON form TUF
 * signs (OLPC canonical JSON as produced by securesystemslib's
 * encode_canonical): object keys sorted by code point (= UTF-8 byte order),
 * no whitespace, in strings only '"' and '\' escaped (every other character,
 * control characters included, passed through as UTF-8), integers only.
 *
 * jansson trees are used where JSON is *built or edited* (repository
 * tooling, reports).  Untrusted metadata on the client's hot path is parsed
 * by util/jdoc.h instead (see docs/internals/json.md for the measurement that
 * led there); both parsers apply the same rules and a test checks that they
 * agree, byte for byte, on the canonical form of every vector.
 */
#ifndef RAMPART_UTIL_JSON_H
#define RAMPART_UTIL_JSON_H

#include <jansson.h>

#include "util/buf.h"

#define RJSON_MAX_DEPTH 64

/* Parses `len` bytes (at most `max_len`, else ETOOLARGE, checked before any
 * parsing) into *out, a new reference the caller releases with json_decref.
 * Any JSON value may stand at the top level (canonical vectors include
 * scalars; TUF callers check that they got an object).
 * Rejects (EFORMAT): invalid JSON or UTF-8 (overlong forms, encoded
 * surrogates, raw control characters in strings, unpaired surrogate
 * escapes), trailing data after the value, duplicate object keys (compared
 * after unescaping), containers nested deeper than RJSON_MAX_DEPTH, "\u0000"
 * in strings, integers outside int64.  Reals (1.5, 1e3) are kept as jansson
 * reals; rjson_canonical() refuses them.  ENOMEM when jansson runs out of
 * memory, EINVAL for a NULL `out` (or NULL `data` with len > 0).  *out is
 * written only on success; `e` (may be NULL) gets the detail, with the byte
 * offset jansson reports. */
int rjson_parse(const uint8_t *data, size_t len, size_t max_len, json_t **out, rerr *e) RAMPART_MUST_USE;

/* Appends the canonical JSON form of `v` to `out`.  EFORMAT for a real
 * anywhere in the tree (TUF metadata has integers only), for a string or key
 * containing NUL (possible only in trees built in code; no parser of ours
 * accepts it) and for nesting deeper than RJSON_MAX_DEPTH (which also stops
 * a reference cycle); ETOOLARGE when out->max is reached; ENOMEM.  On
 * failure `out` is cut back to its length on entry. */
int rjson_canonical(const json_t *v, rbuf *out, rerr *e) RAMPART_MUST_USE;

/* Appends the form in which JSON is written to files and served: the
 * canonical form of `v` with its control characters escaped
 * (jcanon_escape_controls), so that every JSON reader accepts it (a PEM
 * public key's newlines, a "\n" in custom metadata).  It is byte for byte the
 * canonical form whenever that holds no control character, so readers that
 * verify signatures without re-serialising keep doing so.  Signatures are
 * always over rjson_canonical(), never over these bytes.  Errors as
 * rjson_canonical(); on failure `out` is cut back to its length on entry. */
int rjson_file_form(const json_t *v, rbuf *out, rerr *e) RAMPART_MUST_USE;

static inline void rjson_decref_p(json_t **v)
{
    json_decref(*v);
}

#endif
