/* buf.c - bounded growable byte buffers. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/buf.h"
#include "util/banned.h"

rslice rslice_cstr(const char *s)
{
    return RSLICE(s, s ? strlen(s) : 0);
}

bool rslice_eq(rslice a, rslice b)
{
    return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

bool rslice_eq_cstr(rslice a, const char *s)
{
    return rslice_eq(a, rslice_cstr(s));
}

void rbuf_init(rbuf *b, size_t max)
{
    *b = (rbuf){NULL, 0, 0, max, false};
}

void rbuf_init_secret(rbuf *b, size_t max)
{
    *b = (rbuf){NULL, 0, 0, max, true};
}

int rbuf_reserve(rbuf *b, size_t extra)
{
    size_t need;
    if (!rsize_add(b->len, extra, &need) || need > b->max)
        return RAMPART_ETOOLARGE;
    if (!rsize_add(need, 1, &need))
        return RAMPART_ETOOLARGE;
    if (need <= b->cap)
        return 0;
    /* Grow geometrically, but never beyond what max (plus terminator) can use. */
    size_t ncap = b->cap < 64 ? 64 : b->cap;
    while (ncap < need) {
        if (!rsize_mul(ncap, 2, &ncap)) {
            ncap = need;
            break;
        }
    }
    if (b->max < SIZE_MAX && ncap > b->max + 1)
        ncap = b->max + 1;
    if (ncap < need)
        ncap = need;
    uint8_t *nd;
    if (b->secret) {
        /* Never let realloc leave a copy of a secret behind. */
        nd = rampart_malloc(ncap);
        if (nd == NULL)
            return RAMPART_ENOMEM;
        if (b->data != NULL) {
            memcpy(nd, b->data, b->len + 1);
            rampart_free_secret(b->data, b->cap);
        }
    } else {
        nd = rampart_realloc(b->data, ncap);
        if (nd == NULL)
            return RAMPART_ENOMEM;
    }
    if (b->data == NULL)
        nd[0] = '\0';
    b->data = nd;
    b->cap = ncap;
    return 0;
}

int rbuf_append(rbuf *b, const void *p, size_t n)
{
    int rc = rbuf_reserve(b, n);
    if (rc != 0)
        return rc;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int rbuf_append_byte(rbuf *b, uint8_t c)
{
    return rbuf_append(b, &c, 1);
}

int rbuf_append_str(rbuf *b, const char *s)
{
    return rbuf_append(b, s, strlen(s));
}

int rbuf_appendf(rbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return RAMPART_EINVAL;
    int rc = rbuf_reserve(b, (size_t)n);
    if (rc != 0)
        return rc;
    va_start(ap, fmt);
    int m = vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    if (m != n) {
        b->data[b->len] = '\0';
        return RAMPART_EINTERNAL;
    }
    b->len += (size_t)n;
    return 0;
}

void rbuf_reset(rbuf *b)
{
    if (b->data != NULL) {
        if (b->secret)
            explicit_bzero(b->data, b->cap);
        b->data[0] = '\0';
    }
    b->len = 0;
}

void rbuf_free(rbuf *b)
{
    if (b->secret)
        rampart_free_secret(b->data, b->cap);
    else
        rampart_free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

uint8_t *rbuf_detach(rbuf *b, size_t *len)
{
    uint8_t *d = b->data;
    if (d == NULL) {
        d = rampart_malloc(1);
        if (d == NULL)
            return NULL;
        d[0] = '\0';
    }
    if (len != NULL)
        *len = b->len;
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    return d;
}
