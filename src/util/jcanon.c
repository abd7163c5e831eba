/* jcanon.c - canonical JSON emitters shared by util/json.c and util/jdoc_canon.c. */
#include <string.h>

#include "util/jcanon.h"
#include "util/banned.h"

int jcanon_string(rbuf *out, const uint8_t *s, size_t n)
{
    size_t esc = 0, total;
    for (size_t i = 0; i < n; i++)
        esc += (s[i] == '"' || s[i] == '\\');
    /* One reservation for the exact size, so the appends below cannot fail
     * half-way and leave a torn string in `out`. */
    if (!rsize_add(n, esc, &total) || !rsize_add(total, 2, &total))
        return RAMPART_ETOOLARGE;
    int rc = rbuf_reserve(out, total);
    if (rc != 0)
        return rc;
    rc = rbuf_append_byte(out, '"');
    size_t run = 0;
    for (size_t i = 0; esc != 0 && i < n && rc == 0; i++) {
        if (s[i] != '"' && s[i] != '\\')
            continue;
        /* The run before the special byte, then a backslash; the byte
         * itself starts the next run. */
        rc = rbuf_append(out, s + run, i - run);
        if (rc == 0)
            rc = rbuf_append_byte(out, '\\');
        run = i;
    }
    if (rc == 0)
        rc = rbuf_append(out, s + run, n - run);
    if (rc == 0)
        rc = rbuf_append_byte(out, '"');
    return rc;
}

/* The escape of a byte below 0x20, '"' or '\\' (written to e[0..6)) and
 * its length. */
static size_t escape_of(uint8_t c, char e[6])
{
    static const char hex[] = "0123456789abcdef";
    static const char raw[] = "\b\t\n\f\r\"\\", letter[] = "btnfr\"\\";
    const char *hit = memchr(raw, c, sizeof(raw) - 1);
    if (hit != NULL) {
        e[0] = '\\';
        e[1] = letter[hit - raw];
        return 2;
    }
    e[0] = '\\';
    e[1] = 'u';
    e[2] = '0';
    e[3] = '0';
    e[4] = hex[c >> 4];
    e[5] = hex[c & 15];
    return 6;
}

int jcanon_string_escaped(rbuf *out, const uint8_t *s, size_t n)
{
    size_t total = 2;
    char e[6];
    for (size_t i = 0; i < n; i++) {
        size_t w = (s[i] < 0x20 || s[i] == '"' || s[i] == '\\') ? escape_of(s[i], e) : 1;
        if (!rsize_add(total, w, &total))
            return RAMPART_ETOOLARGE;
    }
    /* One reservation for the exact size, as in jcanon_string. */
    int rc = rbuf_reserve(out, total);
    if (rc != 0)
        return rc;
    rc = rbuf_append_byte(out, '"');
    size_t run = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (s[i] >= 0x20 && s[i] != '"' && s[i] != '\\')
            continue;
        rc = rbuf_append(out, s + run, i - run);
        if (rc == 0)
            rc = rbuf_append(out, e, escape_of(s[i], e));
        run = i + 1;
    }
    if (rc == 0)
        rc = rbuf_append(out, s + run, n - run);
    if (rc == 0)
        rc = rbuf_append_byte(out, '"');
    return rc;
}

int jcanon_int(rbuf *out, int64_t v)
{
    char tmp[24];
    size_t i = sizeof(tmp);
    /* The magnitude as unsigned, so INT64_MIN does not overflow. */
    uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[--i] = (char)('0' + (m % 10));
        m /= 10;
    } while (m != 0);
    if (v < 0)
        tmp[--i] = '-';
    return rbuf_append(out, tmp + i, sizeof(tmp) - i);
}

int jcanon_keycmp(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
    size_t n = an < bn ? an : bn;
    int c = n ? memcmp(a, b, n) : 0;
    if (c != 0)
        return c;
    return an < bn ? -1 : an > bn ? 1 : 0;
}

void jcanon_truncate(rbuf *out, size_t len)
{
    if (len > out->len)
        return;
    out->len = len;
    if (out->data != NULL)
        out->data[len] = '\0';
}

/* The escape of control byte `c` (< 0x20): the short forms JSON has, else
 * \u00XX.  Returns its length (2 or 6) and writes it to `out`. */
static size_t control_escape(uint8_t c, char out[6])
{
    static const char hex[] = "0123456789abcdef";
    /* JSON's short escapes, by control byte: \b \t \n (0x08-0x0a), \f \r (0x0c-0x0d). */
    static const char short_form[0x20] = {['\b'] = 'b', ['\t'] = 't', ['\n'] = 'n', ['\f'] = 'f', ['\r'] = 'r'};
    char s = short_form[c & 0x1f];
    out[0] = '\\';
    if (s != 0) {
        out[1] = s;
        return 2;
    }
    out[1] = 'u';
    out[2] = '0';
    out[3] = '0';
    out[4] = hex[c >> 4];
    out[5] = hex[c & 15];
    return 6;
}

int jcanon_escape_controls(rbuf *out, size_t start)
{
    if (start > out->len)
        return RAMPART_EINVAL;
    size_t extra = 0;
    char esc[6];
    for (size_t i = start; i < out->len; i++)
        if (out->data[i] < 0x20)
            extra += control_escape(out->data[i], esc) - 1;
    if (extra == 0)
        return 0;
    int rc = rbuf_reserve(out, extra);
    if (rc != 0)
        return rc;
    /* Widen from the end, so every byte moves once and none is overwritten
     * before it has been read. */
    size_t from = out->len, to = out->len + extra;
    while (from > start) {
        uint8_t c = out->data[--from];
        if (c >= 0x20) {
            out->data[--to] = c;
            continue;
        }
        size_t n = control_escape(c, esc);
        to -= n;
        memcpy(out->data + to, esc, n);
    }
    out->len += extra;
    out->data[out->len] = '\0';
    return 0;
}
