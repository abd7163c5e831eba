/*
 * codec.h - hex and base64 codecs.  Strict decoders: any byte outside the
 * alphabet, a wrong length or wrong padding is RAMPART_EFORMAT.
 */
#ifndef RAMPART_UTIL_CODEC_H
#define RAMPART_UTIL_CODEC_H

#include "util/buf.h"

/* Lower-case hex of `n` bytes into `out`, which must hold 2n+1 chars (NUL added). */
void rhex_encode(char *out, const uint8_t *in, size_t n);
/* Decodes hex (either case) of even length into `out` (capacity `cap`).
 * Writes the byte count to *outlen.  EFORMAT on odd length or a non-hex
 * byte, ETOOLARGE when cap is too small. */
int rhex_decode(uint8_t *out, size_t cap, size_t *outlen, const char *in, size_t n) RAMPART_MUST_USE;
/* True when s[0..n) is non-empty hex of even length, lower-case only when `lower_only`. */
bool rhex_valid(const char *s, size_t n, bool lower_only);

enum rb64_variant {
    RB64_STD = 0,     /* RFC 4648 §4 alphabet, '=' padding required */
    RB64_URL = 1,     /* RFC 4648 §5 alphabet, padding optional */
    RB64_ANY = 2,     /* either alphabet (not mixed), padding optional (DSSE accepts both) */
};
/* Appends the padded base64 (RB64_STD or RB64_URL alphabet) of `in` to `out`. */
int rb64_encode(rbuf *out, const uint8_t *in, size_t n, enum rb64_variant v) RAMPART_MUST_USE;
/* Appends the decoded bytes to `out`.  Rejects characters outside the
 * variant's alphabet, misplaced or excess padding, non-zero trailing bits
 * and whitespace. */
int rb64_decode(rbuf *out, const char *in, size_t n, enum rb64_variant v) RAMPART_MUST_USE;

#endif
