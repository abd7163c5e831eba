/*
 * codec.h - hex and base64 codecs.  Strict decoders: any byte outside the
 * alphabet, a wrong length or wrong padding is RAMPART_EFORMAT.  Decoders
 * never write to their output on failure.
 */
#ifndef RAMPART_UTIL_CODEC_H
#define RAMPART_UTIL_CODEC_H

#include "util/buf.h"

/* Lower-case hex of `n` bytes of `in` into `out`, which must hold 2n+1
 * chars; a NUL is added.  Cannot fail (the caller sizes `out`). */
void rhex_encode(char *out, const uint8_t *in, size_t n);

/* Decodes `n` bytes of hex (either case) into `out` (capacity `cap` bytes)
 * and writes the byte count (n / 2) to *outlen.  An empty input decodes to
 * zero bytes.  Errors, checked in this order, with `out` and *outlen
 * untouched:
 *   EINVAL     `in` or `out` is NULL while n > 0, or `outlen` is NULL;
 *   EFORMAT    odd length, or a byte that is not [0-9a-fA-F] (NUL included);
 *   ETOOLARGE  n / 2 > cap. */
int rhex_decode(uint8_t *out, size_t cap, size_t *outlen, const char *in, size_t n) RAMPART_MUST_USE;

/* True when s[0..n) is non-empty hex of even length; only [0-9a-f] when
 * `lower_only`, else either case.  False for s == NULL. */
bool rhex_valid(const char *s, size_t n, bool lower_only);

enum rb64_variant {
    RB64_STD = 0, /* RFC 4648 §4 alphabet ("+/"), '=' padding required */
    RB64_URL = 1, /* RFC 4648 §5 alphabet ("-_"), padding optional */
    RB64_ANY = 2, /* either alphabet (never both in one input), padding optional
                     (DSSE accepts both); decoding only */
};

/* Appends the padded base64 of `n` bytes of `in` to `out`, in the RB64_STD
 * or RB64_URL alphabet.  Errors (out unchanged): EINVAL for RB64_ANY, another
 * variant, or `in` NULL with n > 0; ETOOLARGE past out->max; ENOMEM. */
int rb64_encode(rbuf *out, const uint8_t *in, size_t n, enum rb64_variant v) RAMPART_MUST_USE;

/* Appends the bytes decoded from `n` chars of `in` to `out`.  Strict
 * (RFC 4648 §3.3, §3.5): EFORMAT, with `out` unchanged, for
 *   - any byte outside the variant's alphabet, whitespace and NUL included,
 *     and for RB64_ANY an input that uses both "+/" and "-_";
 *   - '=' anywhere but at the end, more than two of them, or a padded input
 *     whose length is not a multiple of 4 or whose '=' count does not match
 *     the data (e.g. "QQ=" or "QUI==");
 *   - a missing '=' with RB64_STD (length not a multiple of 4);
 *   - a data length of 4k+1 chars (no whole byte);
 *   - non-zero unused bits in the last char ("QR==" instead of "QQ==").
 * An empty input decodes to nothing.  Other errors: EINVAL (`in` NULL with
 * n > 0, unknown variant), ETOOLARGE past out->max, ENOMEM. */
int rb64_decode(rbuf *out, const char *in, size_t n, enum rb64_variant v) RAMPART_MUST_USE;

#endif
