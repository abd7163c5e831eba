/*
 * test_jdoc_diff.c - the differential test between util/jdoc and util/json
 * (jansson): on every vector, every truncation of realistic documents,
 * random mutations, extreme nesting and sizes, both must return the same
 * code and, on success, byte-identical canonical JSON.  See
 * docs/internals/json.md.
 */
#include <string.h>

#include "harness.h"
#include "jvec.h"
#include "util/jdoc.h"
#include "util/json.h"
#include "util/banned.h"

#define MB (1024u * 1024u)

static int jdoc_canon_of(const uint8_t *data, size_t len, size_t max, rbuf *out, rerr *e)
{
    jdoc *d = NULL;
    jd_limits lim = {max, 0, false};
    int rc = jdoc_parse(&d, data, len, false, &lim, e);
    if (rc == 0)
        rc = jdoc_canonical(d, jdoc_root(d), out);
    jdoc_free(d);
    return rc;
}

static int rjson_canon_of(const uint8_t *data, size_t len, size_t max, rbuf *out)
{
    json_t *v = NULL;
    int rc = rjson_parse(data, len, max, &v, NULL);
    if (rc == 0)
        rc = rjson_canonical(v, out, NULL);
    json_decref(v);
    return rc;
}

/* Runs both parsers on a private, exactly sized copy of the input (so ASan
 * sees any read past its end).  True when they return the same code and,
 * on success, the same bytes; *code gets that code. */
static bool agree(const uint8_t *data, size_t len, size_t max, int *code)
{
    uint8_t *copy = malloc(len ? len : 1);
    if (copy == NULL)
        return false;
    if (len)
        memcpy(copy, data, len);
    rbuf a, b;
    rbuf_init(&a, 64 * MB);
    rbuf_init(&b, 64 * MB);
    rerr e = {0};
    int ra = jdoc_canon_of(copy, len, max, &a, &e);
    int rb = rjson_canon_of(copy, len, max, &b);
    bool same = ra == rb && a.len == b.len && (a.len == 0 || memcmp(a.data, b.data, a.len) == 0);
    if (!same) {
        fprintf(stderr, "parsers disagree: jdoc %s (%s), rjson %s on:\n", rampart_error_name(ra), e.message,
                rampart_error_name(rb));
        th_dump("input", copy, len);
    }
    *code = ra;
    rbuf_free(&a);
    rbuf_free(&b);
    free(copy);
    return same;
}

/* Both parsers on every stored vector: the valid ones give the same bytes,
 * the invalid ones the same code. */
static void test_vectors_agree(void)
{
    static const char *sets[] = {"valid.txt", "invalid.txt"};
    for (int s = 0; s < 2; s++) {
        jv_entry *v = NULL;
        size_t n = jv_index(sets[s], &v);
        CHECK(n >= 40);
        for (size_t i = 0; i < n; i++) {
            size_t len = 0;
            uint8_t *in = jv_vector(s == 0 ? "valid" : "invalid", v[i].name, ".json", &len);
            CHECK(in != NULL);
            int code;
            bool same = agree(in, len, 16 * MB, &code);
            if (!same || code != v[i].code)
                fprintf(stderr, "vector %s\n", v[i].name);
            CHECK(same);
            CHECK_RC(code, v[i].code);
            free(in);
        }
        free(v);
    }
}

/* Every proper prefix of a realistic document fails (EFORMAT) in both
 * parsers, without reading past the end; the full value parses. */
static void truncations_of(const char *name)
{
    size_t len = 0;
    uint8_t *in = jv_vector("valid", name, ".json", &len);
    CHECK(in != NULL);
    size_t end = len;
    while (end > 0 && strchr(" \t\r\n", in[end - 1]) != NULL)
        end--;
    for (size_t i = 0; i <= len; i++) {
        int code;
        CHECK(agree(in, i, MB, &code));
        CHECK_RC(code, i < end ? RAMPART_EFORMAT : 0);
    }
    free(in);
}

static void test_truncations(void)
{
    truncations_of("tuf_root");
    truncations_of("tuf_targets");
}

/* A fixed-seed PRNG (xorshift64), so failures reproduce. */
static uint64_t rng_state = 0x9E3779B97F4A7C15u;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Mutates the small vectors (byte changes towards interesting values,
 * deletions, duplications) and requires the parsers to agree on each. */
static void test_mutations(void)
{
    static const uint8_t interesting[] = {'"',  '\\', '/',  'u',  '{',  '}',  '[',  ']',  ',',  ':',  '0',  '1',
                                          '-',  '.',  'e',  ' ',  '\n', 0x00, 0x1f, 0x7f, 0x80, 0xbf, 0xc0, 0xc3,
                                          0xe0, 0xed, 0xf0, 0xf4, 0xff, 'a',  'd',  'D',  '8',  't',  'n'};
    static const char *seeds[] = {"escapes_in_keys", "key_order_unicode", "unicode_astral_escapes", "ints_array",
                                  "nested_mixed",    "ws_variants",       "quotes_backslashes",     "key_prefixes",
                                  "control_escapes", "tuf_root_canonical"};
    unsigned accepted = 0, rejected = 0;
    /* Under valgrind (scripts/valgrind) a tenth of the mutations: the point
     * there is memcheck, and the normal and ASan runs do them all. */
    const int iters = getenv("RAMPART_UNDER_VALGRIND") != NULL ? 200 : 2000;
    for (size_t s = 0; s < RAMPART_ARRAY_LEN(seeds); s++) {
        size_t len = 0;
        uint8_t *in = jv_vector("valid", seeds[s], ".json", &len);
        CHECK(in != NULL);
        uint8_t *buf = malloc(2 * len + 8);
        CHECK(buf != NULL);
        for (int iter = 0; iter < iters; iter++) {
            memcpy(buf, in, len);
            size_t n = len;
            int edits = 1 + (int)(rng() % 3);
            for (int k = 0; k < edits && n > 0; k++) {
                size_t at = rng() % n;
                switch (rng() % 4) {
                case 0:
                    buf[at] = interesting[rng() % sizeof(interesting)];
                    break;
                case 1:
                    buf[at] = (uint8_t)rng();
                    break;
                case 2: /* delete one byte */
                    memmove(buf + at, buf + at + 1, n - at - 1);
                    n--;
                    break;
                default: { /* duplicate a short range */
                    size_t r = 1 + rng() % 8;
                    if (at + r > n || n + r > 2 * len + 8)
                        break;
                    memmove(buf + at + r, buf + at, n - at);
                    n += r;
                    break;
                }
                }
            }
            int code;
            CHECK(agree(buf, n, MB, &code));
            if (code == 0)
                accepted++;
            else
                rejected++;
        }
        free(buf);
        free(in);
    }
    /* the mutations exercise both outcomes (counts for 2000 per seed) */
    CHECK(accepted * 2000 > 500u * (unsigned)iters && rejected * 2000 > 5000u * (unsigned)iters);
}

static void test_deep_nesting(void)
{
    static const struct {
        const char *open, *inner, *close;
    } shapes[] = {{"[", "", "]"}, {"{\"a\":", "1", "}"}, {"[", "", ""}, {"{\"a\":[", "", "]}"}};
    for (size_t s = 0; s < RAMPART_ARRAY_LEN(shapes); s++) {
        size_t len = 0;
        uint8_t *deep = jv_nest(100000, shapes[s].open, shapes[s].inner, shapes[s].close, &len);
        CHECK(deep != NULL);
        jdoc *d = NULL;
        rerr e = {0};
        CHECK_RC(jdoc_parse(&d, deep, len, false, NULL, &e), RAMPART_EFORMAT);
        CHECK(strncmp(e.message, "JSON nests deeper than 64 levels at byte ", 41) == 0);
        int code;
        CHECK(agree(deep, len, MB, &code));
        CHECK_RC(code, RAMPART_EFORMAT);
        free(deep);
    }
}

static void test_big_string(void)
{
    size_t len = 0;
    uint8_t *s = jv_big_string(10 * MB, &len);
    CHECK(s != NULL);
    int code;
    CHECK(agree(s, len, 16 * MB, &code));
    CHECK_OK(code);
    CHECK(agree(s, len, 10 * MB, &code));
    CHECK_RC(code, RAMPART_ETOOLARGE);
    free(s);
}

/* What TUF verification does: canonicalise the "signed" member only. */
static void test_subtree_canonical(void)
{
    static const char *files[] = {"tuf_root", "tuf_targets_unsorted", "tuf_root_unsorted_compact"};
    for (size_t f = 0; f < RAMPART_ARRAY_LEN(files); f++) {
        size_t len = 0;
        uint8_t *in = jv_vector("valid", files[f], ".json", &len);
        CHECK(in != NULL);
        jdoc *d = NULL;
        json_t *v = NULL;
        CHECK_OK(jdoc_parse(&d, in, len, false, NULL, NULL));
        CHECK_OK(rjson_parse(in, len, MB, &v, NULL));
        rbuf a, b;
        rbuf_init(&a, MB);
        rbuf_init(&b, MB);
        /* appended after what the buffers already hold */
        CHECK_OK(rbuf_append_str(&a, "prefix:"));
        CHECK_OK(rbuf_append_str(&b, "prefix:"));
        jd_ref signed_ref = jdoc_get(d, 0, "signed");
        CHECK_INT(jdoc_type(d, signed_ref), JD_OBJECT);
        CHECK_OK(jdoc_canonical(d, signed_ref, &a));
        CHECK_OK(rjson_canonical(json_object_get(v, "signed"), &b, NULL));
        CHECK(a.len > 1000);
        CHECK_MEM(a.data, a.len, b.data, b.len);
        rbuf_free(&a);
        rbuf_free(&b);
        json_decref(v);
        jdoc_free(d);
        free(in);
    }
}

int main(void)
{
    RUN(test_vectors_agree);
    RUN(test_truncations);
    RUN(test_mutations);
    RUN(test_deep_nesting);
    RUN(test_big_string);
    RUN(test_subtree_canonical);
    return th_summary("test_jdoc_diff");
}
