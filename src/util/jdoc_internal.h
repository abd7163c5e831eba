/*
 * jdoc_internal.h - the layout of a parsed jdoc, shared by jdoc.c (the
 * parser), jdoc_access.c (accessors, key sorting) and jdoc_canon.c
 * (canonical output).  Not for use outside util/jdoc*.c.
 *
 * A document is one array of 16-byte nodes in document order (pre-order:
 * a container comes before its children; an object member is its key
 * string node followed by the value's subtree).  Offsets and counts are
 * 32-bit: jdoc_parse refuses inputs of 4 GiB or more, and a node needs at
 * least one input byte, so no index or offset can overflow.
 */
#ifndef RAMPART_UTIL_JDOC_INTERNAL_H
#define RAMPART_UTIL_JDOC_INTERNAL_H

#include "util/jdoc.h"

/* Node flags. */
#define JDF_ESCAPED 0x01  /* string: bytes live in the arena, not the input */
#define JDF_LAST 0x02     /* the last element / member value of its container, or the root */
#define JDF_UNSORTED 0x04 /* object: keys did not arrive in strictly increasing order */
#define JDF_NUL 0x08      /* string: its decoded bytes hold a NUL (parsed with allow_nul) */

/*
 * What the fields hold, by type:
 *   JD_STRING          len = decoded bytes, a = offset of the bytes (input,
 *                      or arena when JDF_ESCAPED), b = input offset of the
 *                      opening quote
 *   JD_ARRAY/JD_OBJECT len = elements / members, a = input offset of the
 *                      opening bracket, b = nodes in the subtree, itself
 *                      included (so the next sibling is at ref + b)
 *   JD_INT             len = input offset of the number, u.i = the value
 *   JD_NULL/TRUE/FALSE len = input offset of the literal
 */
typedef struct jd_node {
    uint8_t type;
    uint8_t flags;
    uint16_t reserved;
    uint32_t len;
    union {
        int64_t i;
        struct {
            uint32_t a;
            uint32_t b;
        } s;
    } u;
} jd_node;

_Static_assert(sizeof(jd_node) == 16, "jdoc nodes are 16 bytes");

struct jdoc {
    const uint8_t *in; /* the input */
    size_t in_len;
    bool owned; /* free `in` with the document */
    jd_node *nodes;
    uint32_t count; /* nodes in use */
    uint32_t cap;   /* nodes allocated */
    rbuf arena;     /* decoded bytes of strings that had escapes */
};

static inline bool jd_is_container(const jd_node *n)
{
    return n->type == JD_ARRAY || n->type == JD_OBJECT;
}

/* Nodes in the subtree rooted at `n` (1 for a scalar). */
static inline uint32_t jd_span(const jd_node *n)
{
    return jd_is_container(n) ? n->u.s.b : 1;
}

/* The decoded bytes of string node `n`.  Valid until the arena grows, so
 * the parser resolves it afresh each time it compares. */
static inline const uint8_t *jd_strp(const jdoc *d, const jd_node *n)
{
    return (n->flags & JDF_ESCAPED) ? d->arena.data + n->u.s.a : d->in + n->u.s.a;
}

/* Fills idx[0..count) with the key node refs of object `obj` (count =
 * its member count) and sorts them by key bytes.  `tmp` is scratch of the
 * same size.  Returns the position of the first of two equal adjacent keys
 * in the sorted order, or `count` when all keys differ. */
uint32_t jd_sort_keys(const jdoc *d, jd_ref obj, uint32_t *idx, uint32_t *tmp);

#endif
