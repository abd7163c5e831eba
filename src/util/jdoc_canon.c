/* jdoc_canon.c - canonical JSON (see util/jcanon.h) of a jdoc subtree. */
#include <stdio.h>
#include <string.h>

#include "util/jcanon.h"
#include "util/jdoc_internal.h"
#include "util/banned.h"

/* How strings are written: canonical (control characters raw, for
 * signing) or escaped (control characters escaped: valid JSON).  The
 * document and the choice travel together, so the recursion carries no
 * more arguments than it would for one form alone. */
typedef int (*string_fn)(rbuf *out, const uint8_t *s, size_t n);
typedef struct emitter {
    const jdoc *d;
    string_fn str;
} emitter;

static int emit(const emitter *em, jd_ref r, rbuf *out);

static int emit_string(const emitter *em, const jd_node *n, rbuf *out)
{
    /* Without escapes the input bytes between the quotes hold no '"',
     * '\\' or control character, so the raw string, quotes included, is
     * already written as either form writes it. */
    if (!(n->flags & JDF_ESCAPED))
        return rbuf_append(out, em->d->in + n->u.s.b, (size_t)n->len + 2);
    return em->str(out, jd_strp(em->d, n), n->len);
}

// NOLINTNEXTLINE(misc-no-recursion): bounded by the parse-time depth limit (64)
static int emit_member(const emitter *em, jd_ref key, bool first, rbuf *out)
{
    int rc = first ? 0 : rbuf_append_byte(out, ',');
    if (rc == 0)
        rc = emit_string(em, &em->d->nodes[key], out);
    if (rc == 0)
        rc = rbuf_append_byte(out, ':');
    if (rc == 0)
        rc = emit(em, jdoc_value(key), out);
    return rc;
}

/* Keys that arrived out of order are sorted here, into a temporary index. */
// NOLINTNEXTLINE(misc-no-recursion): bounded by the parse-time depth limit (64)
static int emit_unsorted_object(const emitter *em, jd_ref obj, rbuf *out)
{
    uint32_t n = em->d->nodes[obj].len;
    uint32_t *idx = rampart_calloc(n, 2 * sizeof(uint32_t));
    if (idx == NULL)
        return RAMPART_ENOMEM;
    (void)jd_sort_keys(em->d, obj, idx, idx + n); /* the parser proved the keys distinct */
    int rc = rbuf_append_byte(out, '{');
    for (uint32_t i = 0; i < n && rc == 0; i++)
        rc = emit_member(em, idx[i], i == 0, out);
    if (rc == 0)
        rc = rbuf_append_byte(out, '}');
    rampart_free(idx);
    return rc;
}

/* Recursion is bounded by the parse-time depth limit (64). */
// NOLINTNEXTLINE(misc-no-recursion): bounded by the parse-time depth limit (64)
static int emit(const emitter *em, jd_ref r, rbuf *out)
{
    const jdoc *d = em->d;
    const jd_node *n = &d->nodes[r];
    int rc;
    switch ((jd_type)n->type) {
    case JD_NULL:
        return rbuf_append(out, "null", 4);
    case JD_FALSE:
        return rbuf_append(out, "false", 5);
    case JD_TRUE:
        return rbuf_append(out, "true", 4);
    case JD_INT:
        return jcanon_int(out, n->u.i);
    case JD_REAL:
        return RAMPART_EFORMAT; /* canonical JSON has integers only */
    case JD_STRING:
        return emit_string(em, n, out);
    case JD_ARRAY:
        rc = rbuf_append_byte(out, '[');
        for (jd_ref c = jdoc_first(d, r); c != JD_NONE && rc == 0; c = jdoc_next(d, c)) {
            if (c != r + 1)
                rc = rbuf_append_byte(out, ',');
            if (rc == 0)
                rc = emit(em, c, out);
        }
        return rc == 0 ? rbuf_append_byte(out, ']') : rc;
    case JD_OBJECT:
        if (n->flags & JDF_UNSORTED)
            return emit_unsorted_object(em, r, out);
        rc = rbuf_append_byte(out, '{');
        for (jd_ref k = jdoc_first(d, r); k != JD_NONE && rc == 0; k = jdoc_next_key(d, k))
            rc = emit_member(em, k, k == r + 1, out);
        return rc == 0 ? rbuf_append_byte(out, '}') : rc;
    }
    return RAMPART_EINTERNAL;
}

static int serialise(const jdoc *d, jd_ref r, string_fn str, rbuf *out)
{
    if (d == NULL || out == NULL || r >= d->count)
        return RAMPART_EINVAL;
    size_t start = out->len;
    /* Neither form is ever longer than the input it came from (whitespace
     * goes, escapes shrink or stay: a control character arrived as an
     * escape at least as long as the one written), so one reservation of
     * the raw size, clipped to what out->max allows, avoids every regrowth. */
    size_t hint = jdoc_raw(d, r).n, room = out->max - out->len;
    int rc = rbuf_reserve(out, hint < room ? hint : room);
    emitter em = {d, str};
    if (rc == 0)
        rc = emit(&em, r, out);
    if (rc != 0)
        jcanon_truncate(out, start);
    return rc;
}

int jdoc_canonical(const jdoc *d, jd_ref r, rbuf *out)
{
    return serialise(d, r, jcanon_string, out);
}

int jdoc_json(const jdoc *d, jd_ref r, rbuf *out)
{
    return serialise(d, r, jcanon_string_escaped, out);
}

/* True when the input bytes at *pos are exactly the canonical form of the
 * subtree at r; advances *pos past them.  Bounded by the depth limit. */
// NOLINTNEXTLINE(misc-no-recursion): bounded by the parse-time depth limit (64)
static bool canon_at(const jdoc *d, jd_ref r, size_t *pos)
{
    const jd_node *n = &d->nodes[r];
    size_t p = *pos;
    switch ((jd_type)n->type) {
    case JD_NULL:
    case JD_TRUE:
        if (n->len != p)
            return false;
        *pos = p + 4;
        return true;
    case JD_FALSE:
        if (n->len != p)
            return false;
        *pos = p + 5;
        return true;
    case JD_INT: {
        /* Only the decimal form the canonical writer produces ("-0" is not). */
        char digits[24];
        int k = snprintf(digits, sizeof(digits), "%lld", (long long)n->u.i);
        bool ok = k > 0 && n->len == p && p + (size_t)k <= d->in_len && memcmp(d->in + p, digits, (size_t)k) == 0;
        *pos = p + (size_t)(k > 0 ? k : 0);
        return ok;
    }
    case JD_REAL:
        return false;
    case JD_STRING:
        if (n->u.s.b != p)
            return false;
        /* Unescaped bytes hold no '"', '\\' or control byte: canonical as they are. */
        if (!(n->flags & JDF_ESCAPED)) {
            *pos = p + n->len + 2;
            return true;
        }
        /* Escaped: canonical only when every escape is \" or \\ (the parser
         * already validated the string, so the scan ends at its closing quote). */
        for (size_t i = p + 1; i < d->in_len; i++) {
            if (d->in[i] == '"') {
                *pos = i + 1;
                return true;
            }
            if (d->in[i] == '\\') {
                if (i + 1 >= d->in_len || (d->in[i + 1] != '"' && d->in[i + 1] != '\\'))
                    return false;
                i++;
            }
        }
        return false;
    case JD_ARRAY:
    case JD_OBJECT: {
        bool obj = n->type == JD_OBJECT;
        if (n->u.s.a != p || (obj && (n->flags & JDF_UNSORTED)))
            return false;
        p++;
        for (jd_ref c = jdoc_first(d, r); c != JD_NONE; c = obj ? jdoc_next_key(d, c) : jdoc_next(d, c)) {
            if (c != r + 1) {
                if (p >= d->in_len || d->in[p] != ',')
                    return false;
                p++;
            }
            if (!canon_at(d, c, &p))
                return false;
            if (obj) {
                if (p >= d->in_len || d->in[p] != ':')
                    return false;
                p++;
                if (!canon_at(d, jdoc_value(c), &p))
                    return false;
            }
        }
        if (p >= d->in_len || d->in[p] != (obj ? '}' : ']'))
            return false;
        *pos = p + 1;
        return true;
    }
    }
    return false;
}

bool jdoc_is_canonical(const jdoc *d, jd_ref r)
{
    if (d == NULL || r >= d->count)
        return false;
    rslice raw = jdoc_raw(d, r);
    size_t pos = (size_t)(raw.p - d->in);
    return canon_at(d, r, &pos) && pos == (size_t)(raw.p - d->in) + raw.n;
}
