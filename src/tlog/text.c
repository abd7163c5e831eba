/*
 * text.c - lines, decimals and proof lines of the C2SP text formats.  See
 * text.h.
 */
#include <string.h>

#include "tlog/text.h"
#include "util/codec.h"
#include "util/banned.h"

bool tlog_next_line(const uint8_t *p, size_t n, size_t *at, rslice *line)
{
    if (*at >= n)
        return false;
    const uint8_t *nl = memchr(p + *at, '\n', n - *at);
    if (nl == NULL)
        return false;
    *line = RSLICE(p + *at, (size_t)(nl - (p + *at)));
    *at = (size_t)(nl - p) + 1;
    return true;
}

bool tlog_parse_decimal(const uint8_t *p, size_t n, uint64_t *out)
{
    if (n == 0 || n > 20 || (n > 1 && p[0] == '0'))
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        unsigned d = (unsigned)(p[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

int tlog_append_hash_lines(rbuf *out, const tlog_proof *proof)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < proof->n; i++) {
        rc = rb64_encode(out, proof->h[i].b, TLOG_HASH_LEN, RB64_STD);
        if (rc == 0)
            rc = rbuf_append_byte(out, '\n');
    }
    return rc == 0 ? rbuf_append_byte(out, '\n') : rc;
}
