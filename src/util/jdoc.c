/*
 * jdoc.c - the strict, single-pass, zero-copy JSON parser behind util/jdoc.h.
 *
 * The parser is iterative: open containers live on a fixed stack of at most
 * JD_MAX_DEPTH frames, so no input can exhaust the C stack.  Each value
 * appends one node; a container's node is completed (member count, subtree
 * size) when its closing bracket arrives.  The rules are those of
 * util/json.h (see docs/internals/json.md); a differential test holds the
 * two parsers to the same verdicts.
 */
#include <string.h>

#include "util/jcanon.h"
#include "util/jdoc_internal.h"
#include "util/banned.h"

#define JD_MAX_DEPTH 64u
#define JD_HARD_MAX_BYTES ((size_t)UINT32_MAX) /* offsets are 32-bit */

typedef struct frame {
    jd_ref node;     /* the container */
    jd_ref last;     /* the last element / member value begun, or JD_NONE */
    jd_ref prev_key; /* objects: the previous key, or JD_NONE */
    uint32_t count;
    bool sorted; /* objects: keys so far strictly increasing */
} frame;

typedef struct parser {
    jdoc *d;
    const uint8_t *in;
    size_t len;
    size_t pos;
    unsigned depth, max_depth;
    bool allow_nul;    /* "\u0000" accepted (jd_limits.allow_nul) */
    bool allow_real;   /* any RFC 8259 number accepted (jdoc_parse_any_number) */
    uint32_t *scratch; /* key sorting: 2 * scratch_cap entries */
    size_t scratch_cap;
    rerr *e;
    frame stack[JD_MAX_DEPTH];
} parser;

/* Bytes that end a run of plain string bytes: control characters, '"',
 * '\\' and every byte >= 0x80 (which starts a UTF-8 check). */
#define R16(x) x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x
// clang-format off
static const uint8_t special[256] = {
    R16(1), R16(1),                                 /* 0x00-0x1f */
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x20-0x2f: '"' */
    R16(0), R16(0),                                 /* 0x30-0x4f */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, /* 0x50-0x5f: '\\' */
    R16(0), R16(0),                                 /* 0x60-0x7f */
    R16(1), R16(1), R16(1), R16(1), R16(1), R16(1), R16(1), R16(1),
};
// clang-format on
#undef R16

static int fail(parser *p, size_t at, const char *what)
{
    return rerr_set(p->e, RAMPART_EFORMAT, NULL, "%s at byte %zu", what, at);
}

static int nomem(parser *p)
{
    return rerr_set(p->e, RAMPART_ENOMEM, NULL, "out of memory parsing JSON");
}

static inline void skip_ws(parser *p)
{
    while (p->pos < p->len) {
        uint8_t c = p->in[p->pos];
        if (c != ' ' && c != '\n' && c != '\r' && c != '\t')
            return;
        p->pos++;
    }
}

/* Length of the well-formed UTF-8 sequence of 2-4 bytes at s (avail bytes
 * readable), or 0: rejects continuation bytes as leads, overlong forms
 * (C0, C1, E0 80-9F, F0 80-8F), UTF-16 surrogates (ED A0-BF) and code
 * points past U+10FFFF (F4 90+, F5-FF). */
static size_t utf8_len(const uint8_t *s, size_t avail)
{
    uint8_t c = s[0], lo = 0x80, hi = 0xBF;
    size_t n;
    if (c < 0xC2 || c > 0xF4)
        return 0;
    if (c < 0xE0)
        n = 2;
    else if (c < 0xF0)
        n = 3;
    else
        n = 4;
    if (avail < n)
        return 0;
    if (c == 0xE0)
        lo = 0xA0;
    else if (c == 0xED)
        hi = 0x9F;
    else if (c == 0xF0)
        lo = 0x90;
    else if (c == 0xF4)
        hi = 0x8F;
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return n;
}

/* Appends a node and returns its ref in *r.  The array grows geometrically;
 * it can never need more nodes than input bytes. */
static int new_node(parser *p, jd_ref *r)
{
    jdoc *d = p->d;
    if (d->count == d->cap) {
        size_t ncap = (size_t)d->cap * 2, bytes;
        if (ncap > p->len)
            ncap = p->len;
        if (ncap <= d->cap)
            return rerr_set(p->e, RAMPART_EINTERNAL, NULL, "jdoc node count exceeds input length");
        if (!rsize_mul(ncap, sizeof(jd_node), &bytes))
            return nomem(p);
        jd_node *nn = rampart_realloc(d->nodes, bytes);
        if (nn == NULL)
            return nomem(p);
        d->nodes = nn;
        d->cap = (uint32_t)ncap;
        rampart_advise_huge(nn, bytes);
    }
    *r = d->count++;
    return 0;
}

static void set_string(parser *p, jd_ref r, uint8_t flags, size_t off, size_t n, size_t raw)
{
    jd_node *nd = &p->d->nodes[r];
    *nd = (jd_node){.type = JD_STRING, .flags = flags, .len = (uint32_t)n};
    nd->u.s.a = (uint32_t)off;
    nd->u.s.b = (uint32_t)raw;
}

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* The 4 hex digits at in[i..i+4) as a code unit, or -1. */
static long hex4(const parser *p, size_t i)
{
    if (p->len - i < 4)
        return -1;
    long v = 0;
    for (size_t k = 0; k < 4; k++) {
        int h = hexval(p->in[i + k]);
        if (h < 0)
            return -1;
        v = (v << 4) | h;
    }
    return v;
}

/* Decodes the escape at in[i] == '\\' into buf (1-4 bytes, *n), and sets
 * *used to the input bytes it took. */
static int decode_escape(parser *p, size_t i, uint8_t buf[4], size_t *n, size_t *used)
{
    static const char simple_in[] = "\"\\/bfnrt";
    static const char simple_out[] = "\"\\/\b\f\n\r\t";
    if (p->len - i < 2)
        return fail(p, i, "unterminated string");
    uint8_t c = p->in[i + 1];
    const char *hit = memchr(simple_in, c, sizeof(simple_in) - 1);
    if (hit != NULL) {
        buf[0] = (uint8_t)simple_out[hit - simple_in];
        *n = 1;
        *used = 2;
        return 0;
    }
    if (c != 'u')
        return fail(p, i, "invalid escape");
    long cp = hex4(p, i + 2);
    if (cp < 0)
        return fail(p, i, "invalid \\u escape");
    *used = 6;
    if (cp >= 0xDC00 && cp <= 0xDFFF)
        return fail(p, i, "unpaired surrogate escape");
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        long lo = -1;
        if (p->len - i >= 8 && p->in[i + 6] == '\\' && p->in[i + 7] == 'u')
            lo = hex4(p, i + 8);
        if (lo < 0xDC00 || lo > 0xDFFF)
            return fail(p, i, "unpaired surrogate escape");
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        *used = 12;
    }
    if (cp == 0 && !p->allow_nul)
        return fail(p, i, "\\u0000 in a string");
    if (cp < 0x80) {
        buf[0] = (uint8_t)cp;
        *n = 1;
    } else if (cp < 0x800) {
        buf[0] = (uint8_t)(0xC0 | (cp >> 6));
        buf[1] = (uint8_t)(0x80 | (cp & 0x3F));
        *n = 2;
    } else if (cp < 0x10000) {
        buf[0] = (uint8_t)(0xE0 | (cp >> 12));
        buf[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        buf[2] = (uint8_t)(0x80 | (cp & 0x3F));
        *n = 3;
    } else {
        buf[0] = (uint8_t)(0xF0 | (cp >> 18));
        buf[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
        buf[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        buf[3] = (uint8_t)(0x80 | (cp & 0x3F));
        *n = 4;
    }
    return 0;
}

/* The slow path of parse_string, from the first backslash at in[i]: the
 * decoded bytes go to the arena, plain runs in one append each. */
static int parse_escaped(parser *p, jd_ref r, size_t raw, size_t i)
{
    rbuf *a = &p->d->arena;
    size_t start = a->len, run = raw + 1;
    uint8_t flags = JDF_ESCAPED;
    while (i < p->len) {
        uint8_t c = p->in[i];
        if (!special[c]) {
            i++;
            continue;
        }
        if (c == '"' || c == '\\') {
            if (rbuf_append(a, p->in + run, i - run) != 0)
                return nomem(p);
        }
        if (c == '"') {
            set_string(p, r, flags, start, a->len - start, raw);
            p->pos = i + 1;
            return 0;
        }
        if (c == '\\') {
            uint8_t buf[4];
            size_t n = 0, used = 0;
            int rc = decode_escape(p, i, buf, &n, &used);
            if (rc != 0)
                return rc;
            if (rbuf_append(a, buf, n) != 0)
                return nomem(p);
            /* Only "\u0000" decodes to a NUL byte (and only with allow_nul). */
            if (buf[0] == 0)
                flags |= JDF_NUL;
            i += used;
            run = i;
            continue;
        }
        if (c < 0x20)
            return fail(p, i, "raw control character in a string");
        size_t n = utf8_len(p->in + i, p->len - i);
        if (n == 0)
            return fail(p, i, "invalid UTF-8");
        i += n;
    }
    return fail(p, raw, "unterminated string");
}

/* A string at in[pos] == '"' into node r.  Without escapes the node points
 * into the input. */
/* SWAR: true when any of the 8 bytes in w is '"', '\\', below 0x20 or
 * 0x80 and above, i.e. when the byte loop must look at this word. */
static inline bool word_special(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
    uint64_t has_q = (q - ones) & ~q, has_b = (b - ones) & ~b, has_ctl = (w - ones * 0x20) & ~w;
    return ((has_q | has_b | has_ctl) & highs) != 0 || (w & highs) != 0;
}

static int parse_string(parser *p, jd_ref r)
{
    const uint8_t *in = p->in;
    size_t raw = p->pos, i = raw + 1;
    while (i < p->len) {
        /* Skip plain ASCII eight bytes at a time (hashes, paths, names). */
        while (i + 8 <= p->len) {
            uint64_t w;
            memcpy(&w, in + i, 8);
            if (word_special(w))
                break;
            i += 8;
        }
        if (i >= p->len)
            break;
        uint8_t c = in[i];
        if (!special[c]) {
            i++;
            continue;
        }
        if (c == '"') {
            set_string(p, r, 0, raw + 1, i - raw - 1, raw);
            p->pos = i + 1;
            return 0;
        }
        if (c == '\\')
            return parse_escaped(p, r, raw, i);
        if (c < 0x20)
            return fail(p, i, "raw control character in a string");
        size_t n = utf8_len(in + i, p->len - i);
        if (n == 0)
            return fail(p, i, "invalid UTF-8");
        i += n;
    }
    return fail(p, raw, "unterminated string");
}

static inline bool is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

/* The end of an RFC 8259 number's fraction and exponent after its integer
 * part at i: [.digits][(e|E)[+|-]digits].  0 when malformed. */
static size_t real_tail(const parser *p, size_t i)
{
    if (i < p->len && p->in[i] == '.') {
        if (++i >= p->len || !is_digit(p->in[i]))
            return 0;
        while (i < p->len && is_digit(p->in[i]))
            i++;
    }
    if (i < p->len && (p->in[i] == 'e' || p->in[i] == 'E')) {
        if (++i < p->len && (p->in[i] == '+' || p->in[i] == '-'))
            i++;
        if (i >= p->len || !is_digit(p->in[i]))
            return 0;
        while (i < p->len && is_digit(p->in[i]))
            i++;
    }
    return i;
}

/* Any other number, with allow_real: its node has no value. */
static int parse_real(parser *p, jd_ref r, size_t start, size_t i)
{
    while (i < p->len && is_digit(p->in[i]))
        i++;
    size_t end = real_tail(p, i);
    if (end == 0)
        return fail(p, start, "invalid number");
    p->d->nodes[r] = (jd_node){.type = JD_REAL, .len = (uint32_t)start};
    p->pos = end;
    return 0;
}

/* An integer: -?(0|[1-9][0-9]*) within int64; fractions and exponents are
 * refused (EFORMAT), overflow is caught while accumulating.  With
 * allow_real, a number that is not such an integer is a JD_REAL. */
static int parse_number(parser *p, jd_ref r)
{
    size_t start = p->pos, i = p->pos;
    bool neg = p->in[i] == '-';
    uint64_t acc = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    if (neg)
        i++;
    if (i >= p->len || !is_digit(p->in[i]))
        return fail(p, start, "invalid number");
    if (p->in[i] == '0') {
        i++;
        if (i < p->len && is_digit(p->in[i]))
            return fail(p, start, "leading zero in a number");
    } else {
        while (i < p->len && is_digit(p->in[i])) {
            uint64_t dig = (uint64_t)(p->in[i] - '0');
            if (acc > (limit - dig) / 10)
                return p->allow_real ? parse_real(p, r, start, i) : fail(p, start, "integer out of int64 range");
            acc = acc * 10 + dig;
            i++;
        }
    }
    if (i < p->len && (p->in[i] == '.' || p->in[i] == 'e' || p->in[i] == 'E'))
        return p->allow_real ? parse_real(p, r, start, i) : fail(p, start, "non-integer number");
    jd_node *nd = &p->d->nodes[r];
    *nd = (jd_node){.type = JD_INT, .len = (uint32_t)start};
    /* acc == 2^63 only when negative: INT64_MIN, whose negation overflows. */
    nd->u.i = !neg ? (int64_t)acc : acc == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)acc;
    p->pos = i;
    return 0;
}

static int parse_literal(parser *p, jd_ref r, const char *word, size_t n, jd_type t)
{
    if (p->len - p->pos < n || memcmp(p->in + p->pos, word, n) != 0)
        return fail(p, p->pos, "invalid literal");
    p->d->nodes[r] = (jd_node){.type = (uint8_t)t, .len = (uint32_t)p->pos};
    p->pos += n;
    return 0;
}

static int open_container(parser *p, jd_ref r, jd_type t)
{
    if (p->depth >= p->max_depth)
        return rerr_set(p->e, RAMPART_EFORMAT, NULL, "JSON nests deeper than %u levels at byte %zu", p->max_depth,
                        p->pos);
    jd_node *nd = &p->d->nodes[r];
    *nd = (jd_node){.type = (uint8_t)t};
    nd->u.s.a = (uint32_t)p->pos;
    p->stack[p->depth++] = (frame){r, JD_NONE, JD_NONE, 0, true};
    p->pos++;
    return 0;
}

/* Parses a value at pos (whitespace skipped).  A scalar is complete on
 * return; a container is only opened (*opened set). */
static int begin_value(parser *p, bool *opened)
{
    *opened = false;
    if (p->pos >= p->len)
        return fail(p, p->pos, "unexpected end of input");
    jd_ref r = JD_NONE;
    int rc = new_node(p, &r);
    if (rc != 0)
        return rc;
    if (p->depth > 0) {
        frame *f = &p->stack[p->depth - 1];
        f->count++;
        f->last = r;
    }
    uint8_t c = p->in[p->pos];
    switch (c) {
    case '{':
    case '[':
        *opened = true;
        return open_container(p, r, c == '{' ? JD_OBJECT : JD_ARRAY);
    case '"':
        return parse_string(p, r);
    case 't':
        return parse_literal(p, r, "true", 4, JD_TRUE);
    case 'f':
        return parse_literal(p, r, "false", 5, JD_FALSE);
    case 'n':
        return parse_literal(p, r, "null", 4, JD_NULL);
    default:
        if (c == '-' || is_digit(c))
            return parse_number(p, r);
        return rerr_set(p->e, RAMPART_EFORMAT, NULL, "unexpected byte 0x%02x at byte %zu", c, p->pos);
    }
}

static int key_cmp(const parser *p, jd_ref x, jd_ref y)
{
    const jd_node *a = &p->d->nodes[x], *b = &p->d->nodes[y];
    return jcanon_keycmp(jd_strp(p->d, a), a->len, jd_strp(p->d, b), b->len);
}

static int duplicate(parser *p, jd_ref key)
{
    const jd_node *k = &p->d->nodes[key];
    int shown = k->len > 64 ? 64 : (int)k->len;
    return rerr_set(p->e, RAMPART_EFORMAT, NULL, "duplicate key \"%.*s\" at byte %u", shown,
                    (const char *)jd_strp(p->d, k), (unsigned)k->u.s.b);
}

/* A member's key and the ':' after it.  Keys arriving in strictly
 * increasing order (the usual case: TUF writers sort them) prove the object
 * free of duplicates at the cost of one comparison each; otherwise the check
 * waits for the closing brace. */
static int parse_key(parser *p)
{
    if (p->pos >= p->len || p->in[p->pos] != '"')
        return fail(p, p->pos, "expected a string key");
    jd_ref k = JD_NONE;
    int rc = new_node(p, &k);
    if (rc == 0)
        rc = parse_string(p, k);
    if (rc != 0)
        return rc;
    frame *f = &p->stack[p->depth - 1];
    if (f->sorted && f->prev_key != JD_NONE) {
        int c = key_cmp(p, f->prev_key, k);
        if (c == 0)
            return duplicate(p, k);
        if (c > 0)
            f->sorted = false;
    }
    f->prev_key = k;
    skip_ws(p);
    if (p->pos >= p->len || p->in[p->pos] != ':')
        return fail(p, p->pos, "expected ':'");
    p->pos++;
    skip_ws(p);
    return 0;
}

/* Sorts the keys of an object whose keys arrived out of order and rejects
 * it if two are equal. */
static int check_unsorted(parser *p, jd_ref obj)
{
    uint32_t n = p->d->nodes[obj].len;
    if (n > p->scratch_cap) {
        size_t bytes;
        if (!rsize_mul(n, 2 * sizeof(uint32_t), &bytes))
            return nomem(p);
        uint32_t *s = rampart_realloc(p->scratch, bytes);
        if (s == NULL)
            return nomem(p);
        p->scratch = s;
        p->scratch_cap = n;
    }
    uint32_t dup = jd_sort_keys(p->d, obj, p->scratch, p->scratch + n);
    if (dup < n) {
        jd_ref x = p->scratch[dup], y = p->scratch[dup + 1];
        return duplicate(p, x > y ? x : y);
    }
    return 0;
}

static int close_container(parser *p)
{
    frame *f = &p->stack[--p->depth];
    jdoc *d = p->d;
    jd_node *nd = &d->nodes[f->node];
    nd->len = f->count;
    nd->u.s.b = d->count - f->node;
    if (f->last != JD_NONE)
        d->nodes[f->last].flags |= JDF_LAST;
    p->pos++;
    if (nd->type == JD_OBJECT && !f->sorted) {
        nd->flags |= JDF_UNSORTED;
        return check_unsorted(p, f->node);
    }
    return 0;
}

/* After a complete value: closes finished containers and moves past ','
 * (and the next key).  *done is set when the top-level value is complete. */
static int after_value(parser *p, bool *done)
{
    for (;;) {
        if (p->depth == 0) {
            *done = true;
            return 0;
        }
        skip_ws(p);
        if (p->pos >= p->len)
            return fail(p, p->pos, "unexpected end of input");
        frame *f = &p->stack[p->depth - 1];
        bool is_obj = p->d->nodes[f->node].type == JD_OBJECT;
        uint8_t c = p->in[p->pos];
        if (c == ',') {
            p->pos++;
            skip_ws(p);
            *done = false;
            return is_obj ? parse_key(p) : 0;
        }
        if (c != (is_obj ? '}' : ']'))
            return fail(p, p->pos, is_obj ? "expected ',' or '}'" : "expected ',' or ']'");
        int rc = close_container(p);
        if (rc != 0)
            return rc;
    }
}

static int parse_doc(parser *p)
{
    skip_ws(p);
    for (;;) {
        bool opened, done = false;
        int rc = begin_value(p, &opened);
        if (rc != 0)
            return rc;
        if (opened) {
            bool is_obj = p->d->nodes[p->stack[p->depth - 1].node].type == JD_OBJECT;
            skip_ws(p);
            if (p->pos < p->len && p->in[p->pos] == (is_obj ? '}' : ']')) {
                rc = close_container(p);
            } else {
                /* the first member or element follows */
                rc = is_obj ? parse_key(p) : 0;
                if (rc != 0)
                    return rc;
                continue;
            }
            if (rc != 0)
                return rc;
        }
        rc = after_value(p, &done);
        if (rc != 0)
            return rc;
        if (done)
            break;
    }
    p->d->nodes[0].flags |= JDF_LAST; /* the root has no siblings */
    skip_ws(p);
    if (p->pos != p->len)
        return fail(p, p->pos, "trailing data after the JSON value");
    return 0;
}

static int doc_new(jdoc **out, const uint8_t *data, size_t len, bool owned)
{
    jdoc *d = rampart_calloc(1, sizeof(*d));
    if (d == NULL)
        return RAMPART_ENOMEM;
    d->in = data;
    d->in_len = len;
    d->owned = owned;
    rbuf_init(&d->arena, SIZE_MAX);
    /* About one node per 16 input bytes in pretty-printed TUF metadata. */
    size_t cap = len / 16 + 16;
    if (cap > len)
        cap = len;
    /* Not calloc: every node is written when it is appended, and untouched
     * pages of a generous estimate then cost no memory. */
    size_t bytes;
    d->nodes = rsize_mul(cap, sizeof(jd_node), &bytes) ? rampart_malloc(bytes) : NULL;
    if (d->nodes == NULL) {
        d->owned = false; /* the caller still frees the input */
        jdoc_free(d);
        return RAMPART_ENOMEM;
    }
    d->cap = (uint32_t)cap;
    rampart_advise_huge(d->nodes, bytes);
    *out = d;
    return 0;
}

static int parse_input(jdoc **out, const uint8_t *data, size_t len, bool owned, const jd_limits *lim, bool allow_real,
                       rerr *e)
{
    int rc;
    jdoc *d = NULL;
    size_t max = JD_HARD_MAX_BYTES;
    if (lim != NULL && lim->max_bytes != 0 && lim->max_bytes < max)
        max = lim->max_bytes;
    if (out == NULL || (data == NULL && len != 0)) {
        rc = rerr_set(e, RAMPART_EINVAL, NULL, "jdoc_parse: NULL argument");
        goto out;
    }
    if (len > max) {
        rc = rerr_set(e, RAMPART_ETOOLARGE, NULL, "JSON document of %zu bytes exceeds the limit of %zu", len, max);
        goto out;
    }
    if (len == 0) {
        rc = rerr_set(e, RAMPART_EFORMAT, NULL, "unexpected end of input at byte 0");
        goto out;
    }
    rc = doc_new(&d, data, len, owned);
    if (rc != 0) {
        rc = rerr_set(e, rc, NULL, "out of memory parsing JSON");
        goto out;
    }
    owned = false; /* d owns the input now */
    parser p = {.d = d, .in = data, .len = len, .max_depth = JD_MAX_DEPTH, .e = e};
    if (lim != NULL && lim->max_depth != 0 && lim->max_depth < JD_MAX_DEPTH)
        p.max_depth = lim->max_depth;
    p.allow_nul = lim != NULL && lim->allow_nul;
    p.allow_real = allow_real;
    rc = parse_doc(&p);
    rampart_free(p.scratch);
    if (rc == 0) {
        *out = d;
        d = NULL;
    }
out:
    jdoc_free(d);
    if (owned)
        rampart_free((void *)data);
    return rc;
}

void jdoc_free(jdoc *d)
{
    if (d == NULL)
        return;
    if (d->owned)
        rampart_free((void *)d->in);
    rampart_free(d->nodes);
    rbuf_free(&d->arena);
    rampart_free(d);
}

int jdoc_parse(jdoc **out, const uint8_t *data, size_t len, bool owned, const jd_limits *lim, rerr *e)
{
    return parse_input(out, data, len, owned, lim, false, e);
}

int jdoc_parse_any_number(jdoc **out, const uint8_t *data, size_t len, const jd_limits *lim, rerr *e)
{
    return parse_input(out, data, len, false, lim, true, e);
}
