/*
 * jcanon.h - the pieces of canonical JSON that util/json.c (over jansson
 * trees) and util/jdoc_canon.c (over jdoc nodes) share, so that the two
 * serialisers cannot drift apart on the details: how strings are escaped,
 * how integers are written and how object keys are ordered.
 *
 * The form is the one securesystemslib's encode_canonical produces (OLPC
 * canonical JSON as TUF uses it): in strings only '"' and '\' are escaped,
 * as \" and \\; every other byte, control characters included, is copied
 * raw.  Keys sort by their UTF-8 bytes, which is code-point order.
 */
#ifndef RAMPART_UTIL_JCANON_H
#define RAMPART_UTIL_JCANON_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* Appends `n` bytes of `s` as a canonical JSON string (quotes included).
 * The bytes are not validated here: callers pass decoded, valid UTF-8.
 * ETOOLARGE at out->max, ENOMEM; `out` is unchanged on failure. */
int jcanon_string(rbuf *out, const uint8_t *s, size_t n) RAMPART_MUST_USE;

/* Like jcanon_string, but also escapes the control characters U+0000 to
 * U+001F (as \b \f \n \r \t, the others as \u00XX, lower-case hex), so
 * the result is valid JSON holding no NUL byte: the same string as the
 * canonical form, for handing out rather than for signing. */
int jcanon_string_escaped(rbuf *out, const uint8_t *s, size_t n) RAMPART_MUST_USE;

/* Appends `v` in decimal ("-0" cannot occur: it is the integer 0).
 * ETOOLARGE at out->max, ENOMEM; `out` is unchanged on failure. */
int jcanon_int(rbuf *out, int64_t v) RAMPART_MUST_USE;

/* Orders two keys the way canonical JSON sorts them: bytewise (memcmp) over
 * the common prefix, then the shorter key first.  <0, 0 or >0. */
int jcanon_keycmp(const uint8_t *a, size_t an, const uint8_t *b, size_t bn);

/* Escapes, in place, every byte below 0x20 in out->data[start..len) the
 * way JSON allows (\b \t \n \f \r, else \u00XX).  For canonical JSON, where
 * such bytes stand only inside strings (left raw by the canonical form,
 * which no JSON reader accepts): the result is valid JSON of the same value,
 * byte for byte the canonical form whenever that holds no control byte.
 * ETOOLARGE at out->max, ENOMEM, EINVAL (start > len); `out` is unchanged on
 * failure. */
int jcanon_escape_controls(rbuf *out, size_t start) RAMPART_MUST_USE;

/* Cuts `out` back to `len` bytes (len <= out->len), keeping it terminated:
 * how a failed serialisation leaves the caller's buffer as it found it. */
void jcanon_truncate(rbuf *out, size_t len);

#endif
