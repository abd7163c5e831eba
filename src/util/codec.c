/* codec.c - strict hex and base64 (RFC 4648) codecs. */
#include <string.h>

#include "util/codec.h"
#include "util/banned.h"

static const char hex_digits[] = "0123456789abcdef";

/* Value of a hex digit, or -1. */
static int hex_val(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

void rhex_encode(char *out, const uint8_t *in, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex_digits[in[i] >> 4];
        out[2 * i + 1] = hex_digits[in[i] & 0x0f];
    }
    out[2 * n] = '\0';
}

bool rhex_valid(const char *s, size_t n, bool lower_only)
{
    if (s == NULL || n == 0 || n % 2 != 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (hex_val(c) < 0 || (lower_only && c >= 'A' && c <= 'F'))
            return false;
    }
    return true;
}

int rhex_decode(uint8_t *out, size_t cap, size_t *outlen, const char *in, size_t n)
{
    if (outlen == NULL || (n > 0 && (in == NULL || out == NULL)))
        return RAMPART_EINVAL;
    if (n % 2 != 0)
        return RAMPART_EFORMAT;
    /* Validate everything before writing, so a bad input leaves out alone. */
    for (size_t i = 0; i < n; i++)
        if (hex_val((unsigned char)in[i]) < 0)
            return RAMPART_EFORMAT;
    if (n / 2 > cap)
        return RAMPART_ETOOLARGE;
    for (size_t i = 0; i < n / 2; i++)
        out[i] = (uint8_t)((unsigned)hex_val((unsigned char)in[2 * i]) << 4 |
                           (unsigned)hex_val((unsigned char)in[2 * i + 1]));
    *outlen = n / 2;
    return 0;
}

/* ---- base64 ------------------------------------------------------------ */

/* The two alphabets share their first 62 characters. */
static const char b64_std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64_url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Value of a base64 character in the given alphabet (`url` selects "-_"
 * over "+/"), or -1. */
static int b64_val(unsigned char c, bool url)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == (url ? '-' : '+'))
        return 62;
    if (c == (url ? '_' : '/'))
        return 63;
    return -1;
}

int rb64_encode(rbuf *out, const uint8_t *in, size_t n, enum rb64_variant v)
{
    if (out == NULL || (n > 0 && in == NULL) || (v != RB64_STD && v != RB64_URL))
        return RAMPART_EINVAL;
    const char *alpha = v == RB64_URL ? b64_url : b64_std;
    size_t groups = n / 3 + (n % 3 != 0), olen;
    if (!rsize_mul(groups, 4, &olen))
        return RAMPART_ETOOLARGE;
    int rc = rbuf_reserve(out, olen);
    if (rc != 0)
        return rc;
    char *o = (char *)out->data + out->len;
    size_t i = 0;
    for (; n - i >= 3; i += 3) {
        uint32_t w = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        *o++ = alpha[w >> 18];
        *o++ = alpha[(w >> 12) & 63];
        *o++ = alpha[(w >> 6) & 63];
        *o++ = alpha[w & 63];
    }
    if (n - i == 1) {
        uint32_t w = (uint32_t)in[i] << 16;
        *o++ = alpha[w >> 18];
        *o++ = alpha[(w >> 12) & 63];
        *o++ = '=';
        *o++ = '=';
    } else if (n - i == 2) {
        uint32_t w = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        *o++ = alpha[w >> 18];
        *o++ = alpha[(w >> 12) & 63];
        *o++ = alpha[(w >> 6) & 63];
        *o++ = '=';
    }
    out->len += olen;
    out->data[out->len] = '\0';
    return 0;
}

/*
 * Checks the shape of a base64 input and reports the number of data
 * characters (without padding) and which alphabet to decode it with.
 * Everything that can be wrong with an input is found here, so decoding
 * itself cannot fail.
 */
static int b64_check(const char *in, size_t n, enum rb64_variant v, size_t *data_len, bool *url)
{
    size_t pad = 0;
    while (pad < n && in[n - 1 - pad] == '=')
        pad++;
    size_t r = n - pad;
    if (pad > 2)
        return RAMPART_EFORMAT;
    /* Padding, when present, completes the last group: with a length that is
     * a multiple of 4, one or two '=' leave 3 or 2 data chars in it ("xxx=",
     * "xx=="); three would leave one, refused just below. */
    if (pad > 0 && n % 4 != 0)
        return RAMPART_EFORMAT;
    if (pad == 0 && v == RB64_STD && n % 4 != 0)
        return RAMPART_EFORMAT; /* RB64_STD requires the padding */
    if (r % 4 == 1)
        return RAMPART_EFORMAT; /* six bits cannot make a byte */

    /* RB64_ANY: an input with '-' or '_' is decoded as RB64_URL, any other as
     * RB64_STD; a '+' or '/' in a URL input (a mix) then fails the alphabet
     * check below. */
    bool use_url = v == RB64_URL;
    if (v == RB64_ANY)
        use_url = r > 0 && (memchr(in, '-', r) != NULL || memchr(in, '_', r) != NULL);
    for (size_t i = 0; i < r; i++)
        if (b64_val((unsigned char)in[i], use_url) < 0)
            return RAMPART_EFORMAT; /* also catches '=' in the middle */

    /* The bits of the last char that do not reach a byte must be zero, so
     * that each byte string has exactly one encoding (RFC 4648 §3.5). */
    if (r % 4 == 2 && (b64_val((unsigned char)in[r - 1], use_url) & 0x0f) != 0)
        return RAMPART_EFORMAT;
    if (r % 4 == 3 && (b64_val((unsigned char)in[r - 1], use_url) & 0x03) != 0)
        return RAMPART_EFORMAT;
    *data_len = r;
    *url = use_url;
    return 0;
}

int rb64_decode(rbuf *out, const char *in, size_t n, enum rb64_variant v)
{
    if (out == NULL || (n > 0 && in == NULL) || (v != RB64_STD && v != RB64_URL && v != RB64_ANY))
        return RAMPART_EINVAL;
    size_t r;
    bool url;
    int rc = b64_check(in, n, v, &r, &url);
    if (rc != 0)
        return rc;
    /* r % 4 is 0, 2 or 3 here: 2 and 3 chars carry 1 and 2 bytes. */
    size_t olen = r / 4 * 3 + (r % 4 == 0 ? 0 : r % 4 - 1);
    rc = rbuf_reserve(out, olen);
    if (rc != 0)
        return rc;
    uint8_t *o = out->data + out->len;
    uint32_t acc = 0;
    unsigned bits = 0;
    for (size_t i = 0; i < r; i++) {
        acc = (acc << 6 | (uint32_t)b64_val((unsigned char)in[i], url)) & 0xffffff;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            *o++ = (uint8_t)(acc >> bits);
        }
    }
    out->len += olen;
    out->data[out->len] = '\0';
    return 0;
}
