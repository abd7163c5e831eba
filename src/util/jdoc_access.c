/* jdoc_access.c - reading a parsed jdoc: types, values, iteration, lookup, raw ranges, key sorting. */
#include <string.h>

#include "util/jcanon.h"
#include "util/jdoc_internal.h"
#include "util/banned.h"

/* The node at r, or NULL for JD_NONE and out-of-range refs, so that every
 * accessor is memory-safe whatever ref it is given. */
static const jd_node *node_at(const jdoc *d, jd_ref r)
{
    return (d != NULL && r < d->count) ? &d->nodes[r] : NULL;
}

rslice jdoc_input(const jdoc *d)
{
    return d != NULL ? RSLICE(d->in, d->in_len) : RSLICE("", 0);
}

jd_ref jdoc_root(const jdoc *d)
{
    (void)d;
    return 0;
}

jd_type jdoc_type(const jdoc *d, jd_ref r)
{
    const jd_node *n = node_at(d, r);
    return n != NULL ? (jd_type)n->type : JD_NULL;
}

rslice jdoc_str(const jdoc *d, jd_ref r)
{
    const jd_node *n = node_at(d, r);
    if (n == NULL || n->type != JD_STRING)
        return RSLICE("", 0);
    return RSLICE(jd_strp(d, n), n->len);
}

bool jdoc_str_has_nul(const jdoc *d, jd_ref r)
{
    const jd_node *n = node_at(d, r);
    return n != NULL && n->type == JD_STRING && (n->flags & JDF_NUL) != 0;
}

int64_t jdoc_int(const jdoc *d, jd_ref r)
{
    const jd_node *n = node_at(d, r);
    return (n != NULL && n->type == JD_INT) ? n->u.i : 0;
}

size_t jdoc_count(const jdoc *d, jd_ref r)
{
    const jd_node *n = node_at(d, r);
    return (n != NULL && jd_is_container(n)) ? n->len : 0;
}

jd_ref jdoc_first(const jdoc *d, jd_ref container)
{
    const jd_node *n = node_at(d, container);
    return (n != NULL && jd_is_container(n) && n->len != 0) ? container + 1 : JD_NONE;
}

jd_ref jdoc_next(const jdoc *d, jd_ref r)
{
    const jd_node *n = node_at(d, r);
    /* Not flagged last, so a sibling follows the subtree within the array. */
    return (n != NULL && !(n->flags & JDF_LAST)) ? r + jd_span(n) : JD_NONE;
}

jd_ref jdoc_next_key(const jdoc *d, jd_ref key)
{
    if (key == JD_NONE)
        return JD_NONE;
    return jdoc_next(d, jdoc_value(key));
}

jd_ref jdoc_getn(const jdoc *d, jd_ref obj, const void *key, size_t keylen)
{
    if (jdoc_type(d, obj) != JD_OBJECT || (key == NULL && keylen != 0))
        return JD_NONE;
    for (jd_ref k = jdoc_first(d, obj); k != JD_NONE; k = jdoc_next_key(d, k)) {
        const jd_node *n = &d->nodes[k];
        if (n->len == keylen && (keylen == 0 || memcmp(jd_strp(d, n), key, keylen) == 0))
            return jdoc_value(k);
    }
    return JD_NONE;
}

jd_ref jdoc_get(const jdoc *d, jd_ref obj, const char *key)
{
    if (key == NULL)
        return JD_NONE;
    return jdoc_getn(d, obj, key, strlen(key));
}

/* The ref of the last element (or last member value) of a non-empty container. */
static jd_ref last_child(const jdoc *d, jd_ref c)
{
    jd_ref r = c + 1;
    if (d->nodes[c].type == JD_OBJECT)
        r++; /* walk the values, not the keys */
    while (!(d->nodes[r].flags & JDF_LAST))
        r += jd_span(&d->nodes[r]) + (d->nodes[c].type == JD_OBJECT ? 1 : 0);
    return r;
}

static size_t skip_ws_at(const jdoc *d, size_t i)
{
    while (i < d->in_len && (d->in[i] == ' ' || d->in[i] == '\n' || d->in[i] == '\r' || d->in[i] == '\t'))
        i++;
    return i;
}

/* Input offset where node n starts. */
static size_t raw_start(const jd_node *n)
{
    switch (n->type) {
    case JD_STRING:
        return n->u.s.b;
    case JD_ARRAY:
    case JD_OBJECT:
        return n->u.s.a;
    default:
        return n->len;
    }
}

/* Input offset just past a scalar or an empty container (valid input). */
static size_t raw_end_leaf(const jdoc *d, const jd_node *n)
{
    size_t i = raw_start(n);
    switch (n->type) {
    case JD_STRING:
        if (!(n->flags & JDF_ESCAPED))
            return i + n->len + 2;
        for (i++; d->in[i] != '"'; i++)
            if (d->in[i] == '\\')
                i++; /* the escaped byte cannot end the string */
        return i + 1;
    case JD_INT:
        for (i++; i < d->in_len && d->in[i] >= '0' && d->in[i] <= '9'; i++)
            ;
        return i;
    case JD_REAL:
        for (i++; i < d->in_len && ((d->in[i] >= '0' && d->in[i] <= '9') || d->in[i] == '.' || d->in[i] == 'e' ||
                                    d->in[i] == 'E' || d->in[i] == '+' || d->in[i] == '-');
             i++)
            ;
        return i;
    case JD_FALSE:
        return i + 5;
    case JD_ARRAY:
    case JD_OBJECT:
        return skip_ws_at(d, i + 1) + 1;
    default:
        return i + 4;
    }
}

rslice jdoc_raw(const jdoc *d, jd_ref r)
{
    const jd_node *n = node_at(d, r);
    if (n == NULL)
        return RSLICE("", 0);
    size_t start = raw_start(n);
    /* Descend along last children to a leaf, then step over one closing
     * bracket (and the whitespace before it) per level climbed back. */
    unsigned levels = 0;
    while (jd_is_container(&d->nodes[r]) && d->nodes[r].len != 0) {
        r = last_child(d, r);
        levels++;
    }
    size_t end = raw_end_leaf(d, &d->nodes[r]);
    while (levels-- > 0)
        end = skip_ws_at(d, end) + 1;
    return RSLICE(d->in + start, end - start);
}

static int ref_cmp(const jdoc *d, jd_ref x, jd_ref y)
{
    const jd_node *a = &d->nodes[x], *b = &d->nodes[y];
    return jcanon_keycmp(jd_strp(d, a), a->len, jd_strp(d, b), b->len);
}

/* Bottom-up merge sort of n key refs: O(n log n) whatever the input order
 * (an attacker picks the order), no recursion, stable. */
static void sort_refs(const jdoc *d, uint32_t *a, uint32_t *tmp, uint32_t n)
{
    uint32_t *src = a, *dst = tmp;
    for (size_t w = 1; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                dst[k++] = ref_cmp(d, src[j], src[i]) < 0 ? src[j++] : src[i++];
            while (i < mid)
                dst[k++] = src[i++];
            while (j < hi)
                dst[k++] = src[j++];
        }
        uint32_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != a)
        memcpy(a, src, (size_t)n * sizeof(*a));
}

uint32_t jd_sort_keys(const jdoc *d, jd_ref obj, uint32_t *idx, uint32_t *tmp)
{
    uint32_t n = d->nodes[obj].len, i = 0;
    for (jd_ref k = jdoc_first(d, obj); k != JD_NONE && i < n; k = jdoc_next_key(d, k))
        idx[i++] = k;
    sort_refs(d, idx, tmp, n);
    for (i = 0; i + 1 < n; i++)
        if (ref_cmp(d, idx[i], idx[i + 1]) == 0)
            return i;
    return n;
}
