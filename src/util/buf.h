/*
 * buf.h - bounded growable byte buffers and length-tracked slices.
 *
 * An rbuf always has a maximum size, set when it is initialised: appending
 * past it fails with RAMPART_ETOOLARGE and leaves the buffer unchanged.  The
 * data is kept NUL-terminated (the terminator is not counted in `len` and
 * does not count against `max`), so text can be handed to C string APIs.
 */
#ifndef RAMPART_UTIL_BUF_H
#define RAMPART_UTIL_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "util/common.h"

/* A read-only view of bytes owned by someone else. */
typedef struct rslice {
    const uint8_t *p;
    size_t n;
} rslice;

#define RSLICE(ptr, len) ((rslice){(const uint8_t *)(ptr), (len)})
/* A slice over a NUL-terminated C string (without the terminator). */
rslice rslice_cstr(const char *s);
/* True when the two slices hold the same bytes (not constant-time). */
bool rslice_eq(rslice a, rslice b);
/* True when the slice holds exactly the C string `s`. */
bool rslice_eq_cstr(rslice a, const char *s);

typedef struct rbuf {
    uint8_t *data; /* NULL until the first append; then NUL-terminated */
    size_t len;
    size_t cap;  /* allocated bytes, including room for the terminator */
    size_t max;  /* the hard cap on len */
    bool secret; /* wipe memory on growth and free */
} rbuf;

/* An empty buffer that may grow to `max` bytes.  Cannot fail. */
void rbuf_init(rbuf *b, size_t max);
/* Like rbuf_init, for secrets: every byte is wiped before it is released. */
void rbuf_init_secret(rbuf *b, size_t max);
/* Ensures room for `extra` more bytes.  ETOOLARGE past max, ENOMEM. */
int rbuf_reserve(rbuf *b, size_t extra) RAMPART_MUST_USE;
int rbuf_append(rbuf *b, const void *p, size_t n) RAMPART_MUST_USE;
int rbuf_append_byte(rbuf *b, uint8_t c) RAMPART_MUST_USE;
int rbuf_append_str(rbuf *b, const char *s) RAMPART_MUST_USE;
/* snprintf-style append; ETOOLARGE past max. */
int rbuf_appendf(rbuf *b, const char *fmt, ...) RAMPART_PRINTF(2, 3) RAMPART_MUST_USE;
/* Empties the buffer, keeping its memory and max. */
void rbuf_reset(rbuf *b);
/* Frees the memory (wiping it for secret buffers); the buffer stays usable and empty. */
void rbuf_free(rbuf *b);
/* Hands the data to the caller (who frees it with rampart_free) and empties
 * the buffer.  Returns a valid empty string for an empty buffer; NULL only
 * on allocation failure. */
uint8_t *rbuf_detach(rbuf *b, size_t *len);
static inline rslice rbuf_slice(const rbuf *b)
{
    return RSLICE(b->data, b->len);
}

static inline void rbuf_free_p(rbuf *b)
{
    rbuf_free(b);
}

#endif
