/*
 * fuzz_json.c - util/jdoc: the strict JSON parser for untrusted metadata
 * and its canonical serialiser.
 *
 * Invariants checked on every input:
 *  - jdoc_parse returns 0, EFORMAT or ETOOLARGE, and sets the error detail;
 *  - every node is reachable and consistent: counts match iteration, each
 *    member is found again by jdoc_get under its own key, strings hold a
 *    NUL only when it is allowed and exactly when jdoc_str_has_nul says
 *    so, raw ranges lie inside the input;
 *  - the canonical form exists, is never longer than the input, equals the
 *    raw bytes wherever jdoc_is_canonical says so, is idempotent (when it
 *    is JSON again), and a too small buffer gives ETOOLARGE with the buffer
 *    left as it was;
 *  - the escaped form (jdoc_json) holds no control byte and parses back to
 *    the same canonical form.
 */
#include "fuzz_common.h"
#include "util/jdoc.h"
#include "util/banned.h"

#define MAX_INPUT (1u << 20)

static bool slice_inside(rslice s, rslice whole)
{
    return s.n == 0 || (s.p >= whole.p && s.p + s.n <= whole.p + whole.n);
}

/* Walks the subtree at r; returns the number of nodes seen. */
static size_t walk(const jdoc *d, jd_ref r, unsigned depth, bool allow_nul)
{
    FUZZ_CHECK(depth <= 64);
    jd_type t = jdoc_type(d, r);
    FUZZ_CHECK(t >= JD_NULL && t <= JD_OBJECT);
    FUZZ_CHECK(slice_inside(jdoc_raw(d, r), jdoc_input(d)));
    size_t nodes = 1;
    if (t == JD_STRING) {
        rslice s = jdoc_str(d, r);
        bool nul = s.n != 0 && memchr(s.p, 0, s.n) != NULL;
        FUZZ_CHECK(nul == jdoc_str_has_nul(d, r) && (allow_nul || !nul));
    } else if (t == JD_ARRAY) {
        size_t k = 0;
        for (jd_ref c = jdoc_first(d, r); c != JD_NONE; c = jdoc_next(d, c), k++)
            nodes += walk(d, c, depth + 1, allow_nul);
        FUZZ_CHECK(k == jdoc_count(d, r));
    } else if (t == JD_OBJECT) {
        size_t k = 0;
        for (jd_ref key = jdoc_first(d, r); key != JD_NONE; key = jdoc_next_key(d, key), k++) {
            FUZZ_CHECK(jdoc_type(d, key) == JD_STRING);
            rslice name = jdoc_str(d, key);
            /* Keys are unique, so the lookup finds this very member. */
            FUZZ_CHECK(jdoc_getn(d, r, name.p, name.n) == jdoc_value(key));
            bool knul = name.n != 0 && memchr(name.p, 0, name.n) != NULL;
            FUZZ_CHECK(knul == jdoc_str_has_nul(d, key) && (allow_nul || !knul));
            nodes += 1 + walk(d, jdoc_value(key), depth + 1, allow_nul);
        }
        FUZZ_CHECK(k == jdoc_count(d, r));
    } else {
        FUZZ_CHECK(jdoc_count(d, r) == 0);
    }
    return nodes;
}

/* The canonical form of the subtree at r: complete, bounded, and equal to
 * the raw bytes when jdoc_is_canonical says so. */
static void check_canonical(const jdoc *d, jd_ref r, rbuf *out)
{
    int rc = jdoc_canonical(d, r, out);
    FUZZ_CHECK(rc == 0);
    rslice raw = jdoc_raw(d, r);
    FUZZ_CHECK(out->len <= raw.n);
    if (jdoc_is_canonical(d, r))
        FUZZ_CHECK(out->len == raw.n && memcmp(out->data, raw.p, raw.n) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    jdoc *d = NULL;
    /* Inputs whose size has bit 1 set are parsed with "\u0000" allowed. */
    jd_limits lim = {MAX_INPUT, 0, (size & 2) != 0};
    rerr e = {0};
    /* Odd-sized inputs exercise the owning path (freed by jdoc_free). */
    bool owned = (size & 1) != 0;
    const uint8_t *in = owned ? fuzz_dup(data, size) : data;
    int rc = jdoc_parse(&d, in, size, owned, &lim, &e);
    FUZZ_CHECK(rc == 0 || rc == RAMPART_EFORMAT || rc == RAMPART_ETOOLARGE);
    if (rc != 0) {
        FUZZ_CHECK(d == NULL && e.code == rc && e.message[0] != '\0');
        return 0;
    }
    FUZZ_CHECK(jdoc_input(d).n == size);
    jd_ref root = jdoc_root(d);
    (void)walk(d, root, 0, lim.allow_nul);

    rbuf c;
    rbuf_init(&c, MAX_INPUT);
    check_canonical(d, root, &c);
    /* Subtrees: each first-level child on its own, after the root's bytes
     * (the buffer must grow by exactly the child's canonical form). */
    const bool obj = jdoc_type(d, root) == JD_OBJECT;
    for (jd_ref k = jdoc_first(d, root); k != JD_NONE; k = obj ? jdoc_next_key(d, k) : jdoc_next(d, k)) {
        jd_ref v = obj ? jdoc_value(k) : k;
        rbuf sub;
        rbuf_init(&sub, MAX_INPUT);
        check_canonical(d, v, &sub);
        /* A buffer one byte too small: ETOOLARGE, contents untouched. */
        if (sub.len > 0) {
            rbuf small;
            rbuf_init(&small, sub.len - 1);
            FUZZ_CHECK(jdoc_canonical(d, v, &small) == RAMPART_ETOOLARGE);
            FUZZ_CHECK(small.len == 0);
            rbuf_free(&small);
        }
        rbuf_free(&sub);
    }

    /* Idempotence: the canonical form, parsed again, serialises to itself.
     * (It is not always JSON: canonical strings carry control characters raw.) */
    jdoc *d2 = NULL;
    if (jdoc_parse(&d2, c.data, c.len, false, &lim, NULL) == 0) {
        rbuf c2;
        rbuf_init(&c2, MAX_INPUT);
        FUZZ_CHECK(jdoc_canonical(d2, jdoc_root(d2), &c2) == 0);
        FUZZ_CHECK(c2.len == c.len && memcmp(c2.data, c.data, c.len) == 0);
        rbuf_free(&c2);
        jdoc_free(d2);
    } else {
        bool has_control = false;
        for (size_t i = 0; i < c.len; i++)
            if (c.data[i] < 0x20)
                has_control = true;
        FUZZ_CHECK(has_control);
    }

    /* The escaped form (jdoc_json) is JSON: no control byte, NUL included,
     * and parsed again (NUL allowed) it has the same canonical form. */
    rbuf j;
    rbuf_init(&j, MAX_INPUT);
    FUZZ_CHECK(jdoc_json(d, root, &j) == 0);
    for (size_t i = 0; i < j.len; i++)
        FUZZ_CHECK(j.data[i] >= 0x20);
    jd_limits any = {MAX_INPUT, 0, true};
    jdoc *d3 = NULL;
    FUZZ_CHECK(jdoc_parse(&d3, j.data, j.len, false, &any, NULL) == 0);
    rbuf c3;
    rbuf_init(&c3, MAX_INPUT);
    FUZZ_CHECK(jdoc_canonical(d3, jdoc_root(d3), &c3) == 0);
    FUZZ_CHECK(c3.len == c.len && memcmp(c3.data, c.data, c.len) == 0);
    rbuf_free(&c3);
    jdoc_free(d3);
    rbuf_free(&j);

    rbuf_free(&c);
    jdoc_free(d);
    return 0;
}
