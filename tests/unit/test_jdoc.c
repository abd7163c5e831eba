/* test_jdoc.c - util/jdoc: the vectors, error messages, accessors, limits, ownership, allocation failures. */
#include <string.h>

#include "harness.h"
#include "jvec.h"
#include "util/jdoc.h"
#include "util/banned.h"

#define MB (1024u * 1024u)

static void test_valid_vectors(void)
{
    jv_entry *v = NULL;
    size_t n = jv_index("valid.txt", &v);
    CHECK(n >= 40);
    for (size_t i = 0; i < n; i++) {
        size_t len = 0, clen = 0;
        uint8_t *in = jv_vector("valid", v[i].name, ".json", &len);
        uint8_t *want = jv_vector("valid", v[i].name, ".canon", &clen);
        CHECK(in != NULL && want != NULL);
        for (int owned = 0; owned < 2; owned++) {
            /* owned input comes from the rampart allocator, which frees it */
            uint8_t *data = owned ? rampart_malloc(len) : in;
            CHECK(data != NULL);
            if (owned)
                memcpy(data, in, len);
            jdoc *d = NULL;
            rerr e = {0};
            int rc = jdoc_parse(&d, data, len, owned, NULL, &e);
            if (rc != 0)
                fprintf(stderr, "vector %s: %s\n", v[i].name, e.message);
            CHECK_OK(rc);
            CHECK(jdoc_input(d).p == data && jdoc_input(d).n == len);
            rbuf out;
            rbuf_init(&out, 16 * MB);
            CHECK_OK(jdoc_canonical(d, jdoc_root(d), &out));
            CHECK_MEM(out.data, out.len, want, clen);
            rbuf_free(&out);
            jdoc_free(d);
        }
        free(in);
        free(want);
    }
    free(v);
}

/* jdoc_is_canonical says yes exactly when the raw bytes equal the
 * canonical form: checked on every vector, and on every canonical output
 * that is itself valid JSON (which must then be recognised). */
static bool is_canon_text(const uint8_t *p, size_t n)
{
    jdoc *d = NULL;
    if (jdoc_parse(&d, p, n, false, NULL, NULL) != 0)
        return false;
    rslice raw = jdoc_raw(d, jdoc_root(d));
    bool yes = jdoc_is_canonical(d, jdoc_root(d)) && raw.n == n;
    jdoc_free(d);
    return yes;
}

static void test_is_canonical(void)
{
    jv_entry *v = NULL;
    size_t n = jv_index("valid.txt", &v);
    CHECK(n >= 40);
    size_t recognised = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len = 0, clen = 0;
        uint8_t *in = jv_vector("valid", v[i].name, ".json", &len);
        uint8_t *want = jv_vector("valid", v[i].name, ".canon", &clen);
        CHECK(in != NULL && want != NULL);
        jdoc *d = NULL;
        CHECK_OK(jdoc_parse(&d, in, len, false, NULL, NULL));
        rslice raw = jdoc_raw(d, jdoc_root(d));
        bool same = raw.n == clen && memcmp(raw.p, want, clen) == 0;
        if (jdoc_is_canonical(d, jdoc_root(d)) != same) {
            TH_FAIL("vector %s: is_canonical %d, raw==canonical %d", v[i].name, !same, same);
            return;
        }
        jdoc_free(d);
        /* a canonical output that parses must be recognised as canonical */
        d = NULL;
        if (jdoc_parse(&d, want, clen, false, NULL, NULL) == 0) {
            CHECK(jdoc_is_canonical(d, jdoc_root(d)));
            recognised++;
            jdoc_free(d);
        }
        free(in);
        free(want);
    }
    CHECK(recognised >= 20);
    free(v);
    const char *yes[] = {"{}",
                         "[]",
                         "{\"a\":[1,-2,{\"b\":null}],\"b\":true,\"c\":\"x\\\"y\"}",
                         "0",
                         "-5",
                         "\"\"",
                         "{\"a\":{},\"aa\":[],\"b\":false}"};
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(yes); i++) {
        if (!is_canon_text((const uint8_t *)yes[i], strlen(yes[i]))) {
            TH_FAIL("\"%s\" not taken as canonical", yes[i]);
            return;
        }
    }
    const char *no[] = {"{ }", "[1, 2]", "{\"b\":1,\"a\":2}", "\"a\\/b\"",  "\"\\u0041\"", "-0", "{\"a\":1} ",
                        " 1",  "[\n]",   "{\"a\" :1}",        "{\"a\": 1}", "[1 ,2]"};
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(no); i++) {
        if (is_canon_text((const uint8_t *)no[i], strlen(no[i]))) {
            TH_FAIL("\"%s\" taken as canonical", no[i]);
            return;
        }
    }
    /* A subtree can be canonical inside a document that is not. */
    const char *mixed = "{ \"signed\": {\"a\":1,\"b\":[2]}, \"x\": 1 }";
    jdoc *d = NULL;
    CHECK_OK(jdoc_parse(&d, (const uint8_t *)mixed, strlen(mixed), false, NULL, NULL));
    CHECK(!jdoc_is_canonical(d, jdoc_root(d)));
    CHECK(jdoc_is_canonical(d, jdoc_get(d, jdoc_root(d), "signed")));
    CHECK(!jdoc_is_canonical(d, JD_NONE));
    jdoc_free(d);
}

static void test_invalid_vectors(void)
{
    jv_entry *v = NULL;
    size_t n = jv_index("invalid.txt", &v);
    CHECK(n >= 100);
    for (size_t i = 0; i < n; i++) {
        size_t len = 0;
        uint8_t *in = jv_vector("invalid", v[i].name, ".json", &len);
        CHECK(in != NULL);
        jdoc *d = NULL;
        rerr e = {0};
        int rc = jdoc_parse(&d, in, len, false, NULL, &e);
        if (rc != v[i].code)
            fprintf(stderr, "vector %s\n", v[i].name);
        CHECK_RC(rc, v[i].code);
        CHECK(d == NULL);
        CHECK_INT(e.code, v[i].code);
        CHECK(strstr(e.message, " at byte ") != NULL);
        free(in);
    }
    free(v);
}

/* "\u0000" (RFC 8259 allows it): refused by default, accepted with
 * allow_nul, and then canonicalised exactly as securesystemslib does (the
 * .canon files were written by its encode_canonical: NUL and every other
 * control character raw, only '"' and '\\' escaped). */
static void test_allow_nul_vectors(void)
{
    jv_entry *v = NULL;
    size_t n = jv_index("allow_nul.txt", &v);
    CHECK(n >= 10);
    jd_limits nul = {0, 0, true};
    size_t valid = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len = 0;
        uint8_t *in = jv_vector("allow_nul", v[i].name, ".json", &len);
        CHECK(in != NULL);
        jdoc *d = NULL;
        rerr e = {0};
        /* The default refuses every one of them. */
        CHECK_RC(jdoc_parse(&d, in, len, false, NULL, &e), RAMPART_EFORMAT);
        CHECK(d == NULL);
        int rc = jdoc_parse(&d, in, len, false, &nul, &e);
        if (rc != v[i].code)
            fprintf(stderr, "vector %s: %s\n", v[i].name, e.message);
        CHECK_RC(rc, v[i].code);
        if (rc == 0) {
            valid++;
            size_t clen = 0;
            uint8_t *want = jv_vector("allow_nul", v[i].name, ".canon", &clen);
            CHECK(want != NULL);
            rbuf out;
            rbuf_init(&out, 16 * MB);
            CHECK_OK(jdoc_canonical(d, jdoc_root(d), &out));
            CHECK_MEM(out.data, out.len, want, clen);
            CHECK(!jdoc_is_canonical(d, jdoc_root(d)));
            /* The escaped form is JSON without control bytes, of the same value. */
            rbuf js;
            rbuf_init(&js, 16 * MB);
            CHECK_OK(jdoc_json(d, jdoc_root(d), &js));
            for (size_t k = 0; k < js.len; k++)
                CHECK(js.data[k] >= 0x20);
            jdoc *d2 = NULL;
            CHECK_OK(jdoc_parse(&d2, js.data, js.len, false, &nul, &e));
            rbuf_reset(&out);
            CHECK_OK(jdoc_canonical(d2, jdoc_root(d2), &out));
            CHECK_MEM(out.data, out.len, want, clen);
            jdoc_free(d2);
            rbuf_free(&js);
            rbuf_free(&out);
            free(want);
        }
        jdoc_free(d);
        free(in);
    }
    CHECK_INT(valid, 7);
    free(v);
    /* The other rules hold with allow_nul too: every invalid vector but the
     * three that only hold "\u0000" is still refused, with the same code. */
    n = jv_index("invalid.txt", &v);
    for (size_t i = 0; i < n; i++) {
        size_t len = 0;
        uint8_t *in = jv_vector("invalid", v[i].name, ".json", &len);
        CHECK(in != NULL);
        jdoc *d = NULL;
        int rc = jdoc_parse(&d, in, len, false, &nul, NULL);
        bool only_nul = strncmp(v[i].name, "nul_escape", 10) == 0;
        if (only_nul) {
            CHECK_OK(rc);
        } else {
            if (rc != v[i].code)
                fprintf(stderr, "vector %s\n", v[i].name);
            CHECK_RC(rc, v[i].code);
        }
        jdoc_free(d);
        free(in);
    }
    free(v);
}

/* jdoc_str_has_nul, and decoded strings that hold a NUL keep their length. */
static void test_nul_strings(void)
{
    static const char doc[] = "{\"a\":\"x\\u0000y\",\"b\":\"plain\",\"c\":\"e\\u00e9\",\"k\\u0000\":1,\"n\":2}";
    jd_limits nul = {0, 0, true};
    jdoc *d = NULL;
    rerr e = {0};
    CHECK_OK(jdoc_parse(&d, (const uint8_t *)doc, sizeof(doc) - 1, false, &nul, &e));
    jd_ref a = jdoc_get(d, 0, "a");
    CHECK(jdoc_str_has_nul(d, a));
    CHECK_MEM(jdoc_str(d, a).p, jdoc_str(d, a).n, "x\0y", 3);
    CHECK(!jdoc_str_has_nul(d, jdoc_get(d, 0, "b")));
    CHECK(!jdoc_str_has_nul(d, jdoc_get(d, 0, "c")));
    CHECK(!jdoc_str_has_nul(d, jdoc_get(d, 0, "n"))); /* not a string */
    CHECK(!jdoc_str_has_nul(d, JD_NONE));
    /* a key with a NUL is found by its full bytes only */
    CHECK(jdoc_get(d, 0, "k") == JD_NONE);
    jd_ref kv = jdoc_getn(d, 0, "k\0", 2);
    CHECK_INT(jdoc_int(d, kv), 1);
    CHECK(jdoc_str_has_nul(d, kv - 1));
    jdoc_free(d);
}

/* jdoc_json: canonical key order and spacing, control characters escaped
 * the way JSON writers escape them, everything else as jdoc_canonical. */
static void test_json_escaped(void)
{
    static const char doc[] =
        " { \"z\\u0001\" : [ \"\\u0000\\u0001\\b\\t\\n\\u000b\\f\\r\\u001f \\\"\\\\\\/\\u00e9\\u007f\" ,"
        " -0 , true ] , \"a\" : { \"plain\" : \"as is\" } } ";
    static const char want[] =
        "{\"a\":{\"plain\":\"as is\"},\"z\\u0001\":[\"\\u0000\\u0001\\b\\t\\n\\u000b\\f\\r\\u001f "
        "\\\"\\\\/\xc3\xa9\x7f\",0,true]}";
    jd_limits nul = {0, 0, true};
    jdoc *d = NULL;
    rerr e = {0};
    CHECK_OK(jdoc_parse(&d, (const uint8_t *)doc, sizeof(doc) - 1, false, &nul, &e));
    rbuf out;
    rbuf_init(&out, 1 << 16);
    CHECK_OK(jdoc_json(d, jdoc_root(d), &out));
    CHECK_STR((const char *)out.data, want);
    /* A buffer one byte too small: ETOOLARGE, contents as they were. */
    rbuf small;
    rbuf_init(&small, out.len - 1);
    CHECK_RC(jdoc_json(d, jdoc_root(d), &small), RAMPART_ETOOLARGE);
    CHECK_INT(small.len, 0);
    rbuf_free(&small);
    rbuf_free(&out);
    CHECK_RC(jdoc_json(d, 100000, &out), RAMPART_EINVAL);
    jdoc_free(d);
}

static void test_big_string(void)
{
    size_t len = 0;
    uint8_t *s = jv_big_string(10 * MB, &len);
    CHECK(s != NULL);
    jdoc *d = NULL;
    jd_limits lim = {16 * MB, 0, false};
    CHECK_OK(jdoc_parse(&d, s, len, false, &lim, NULL));
    /* zero-copy: the string is the input's bytes */
    CHECK(jdoc_str(d, 0).p == s + 1 && jdoc_str(d, 0).n == 10 * MB);
    jdoc_free(d);
    d = NULL;
    lim.max_bytes = len;
    CHECK_OK(jdoc_parse(&d, s, len, false, &lim, NULL));
    jdoc_free(d);
    d = NULL;
    lim.max_bytes = 10 * MB;
    CHECK_RC(jdoc_parse(&d, s, len, false, &lim, NULL), RAMPART_ETOOLARGE);
    CHECK(d == NULL);
    free(s);
}

static void test_error_messages(void)
{
    static const struct {
        const char *in, *msg;
    } cases[] = {
        {"[\"\\x\"]", "invalid escape at byte 2"},
        {"{\"a\":1,\"a\":2}", "duplicate key \"a\" at byte 7"},
        {"{\"b\":1,\"a\":2,\"b\":3}", "duplicate key \"b\" at byte 13"},
        {"[1,]", "unexpected byte 0x5d at byte 3"},
        {"[01]", "leading zero in a number at byte 1"},
        {"[1, 1.5]", "non-integer number at byte 4"},
        {"1E3", "non-integer number at byte 0"},
        {"-0e0", "non-integer number at byte 0"},
        {"\"\xff\"", "invalid UTF-8 at byte 1"},
        {"[1] x", "trailing data after the JSON value at byte 4"},
        {"[\"a\\ud800\"]", "unpaired surrogate escape at byte 3"},
        {"\"a\\u0000\"", "\\u0000 in a string at byte 2"},
        {"[\"a\nb\"]", "raw control character in a string at byte 3"},
        {"[9223372036854775808]", "integer out of int64 range at byte 1"},
        {"{\"a\" 1}", "expected ':' at byte 5"},
        {"[1 2]", "expected ',' or ']' at byte 3"},
        {"{\"a\":1 2}", "expected ',' or '}' at byte 7"},
        {"{1:2}", "expected a string key at byte 1"},
        {"  [\"abc", "unterminated string at byte 3"},
        {"[tru]", "invalid literal at byte 1"},
        {"[", "unexpected end of input at byte 1"},
        {"", "unexpected end of input at byte 0"},
    };
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(cases); i++) {
        jdoc *d = NULL;
        rerr e = {0};
        CHECK_RC(jdoc_parse(&d, (const uint8_t *)cases[i].in, strlen(cases[i].in), false, NULL, &e), RAMPART_EFORMAT);
        CHECK_STR(e.message, cases[i].msg);
    }
}

static jdoc *parse_str(const char *s)
{
    jdoc *d = NULL;
    rerr e = {0};
    if (jdoc_parse(&d, (const uint8_t *)s, strlen(s), false, NULL, &e) != 0) {
        fprintf(stderr, "parse failed: %s\n", e.message);
        return NULL;
    }
    return d;
}

#define CHECK_SLICE(sl, str) CHECK_MEM((sl).p, (sl).n, str, strlen(str))

static void test_accessors(void)
{
    const char *doc = " {\"name\":\"caf\\u00e9\",\"n\":-42,\"list\":[1,[2,3],{\"x\":null}],\"t\":true,"
                      "\"f\":false,\"z\":null,\"empty\":{},\"e2\":[],\"plain\":\"abc\"} ";
    jdoc *d = parse_str(doc);
    CHECK(d != NULL);
    jd_ref root = jdoc_root(d);
    CHECK_INT(root, 0);
    CHECK_INT(jdoc_type(d, root), JD_OBJECT);
    CHECK_INT(jdoc_count(d, root), 9);
    /* keys iterate in document order */
    static const char *keys[] = {"name", "n", "list", "t", "f", "z", "empty", "e2", "plain"};
    size_t i = 0;
    for (jd_ref k = jdoc_first(d, root); k != JD_NONE; k = jdoc_next_key(d, k), i++) {
        CHECK(i < RAMPART_ARRAY_LEN(keys));
        CHECK_INT(jdoc_type(d, k), JD_STRING);
        CHECK_SLICE(jdoc_str(d, k), keys[i]);
    }
    CHECK_INT(i, 9);
    /* strings: escaped ones are decoded, plain ones point into the input */
    jd_ref name = jdoc_get(d, root, "name");
    CHECK_INT(jdoc_type(d, name), JD_STRING);
    CHECK_SLICE(jdoc_str(d, name), "caf\xc3\xa9");
    jd_ref plain = jdoc_get(d, root, "plain");
    CHECK(jdoc_str(d, plain).p == (const uint8_t *)strstr(doc, "abc"));
    /* integers; jdoc_int is 0 for anything else */
    CHECK(jdoc_int(d, jdoc_get(d, root, "n")) == -42);
    CHECK_INT(jdoc_int(d, name), 0);
    CHECK_INT(jdoc_type(d, jdoc_get(d, root, "t")), JD_TRUE);
    CHECK_INT(jdoc_type(d, jdoc_get(d, root, "f")), JD_FALSE);
    CHECK_INT(jdoc_type(d, jdoc_get(d, root, "z")), JD_NULL);
    /* arrays: first / next, nested counts, O(1) skip over subtrees */
    jd_ref list = jdoc_get(d, root, "list");
    CHECK_INT(jdoc_count(d, list), 3);
    jd_ref e0 = jdoc_first(d, list), e1 = jdoc_next(d, e0), e2 = jdoc_next(d, e1);
    CHECK_INT(jdoc_type(d, e0), JD_INT);
    CHECK_INT(jdoc_int(d, e0), 1);
    CHECK_INT(jdoc_type(d, e1), JD_ARRAY);
    CHECK_INT(jdoc_count(d, e1), 2);
    CHECK_INT(jdoc_int(d, jdoc_next(d, jdoc_first(d, e1))), 3);
    CHECK(jdoc_next(d, jdoc_next(d, jdoc_first(d, e1))) == JD_NONE);
    CHECK_INT(jdoc_type(d, e2), JD_OBJECT);
    CHECK_INT(jdoc_type(d, jdoc_get(d, e2, "x")), JD_NULL);
    CHECK(jdoc_next(d, e2) == JD_NONE);
    /* the value after a subtree is the next key */
    CHECK_SLICE(jdoc_str(d, jdoc_next(d, list)), "t");
    /* empty containers, lookups that miss, lookups on non-objects */
    CHECK(jdoc_first(d, jdoc_get(d, root, "empty")) == JD_NONE);
    CHECK(jdoc_first(d, jdoc_get(d, root, "e2")) == JD_NONE);
    CHECK_INT(jdoc_count(d, jdoc_get(d, root, "empty")), 0);
    CHECK(jdoc_get(d, root, "missing") == JD_NONE);
    CHECK(jdoc_get(d, root, "nam") == JD_NONE);
    CHECK(jdoc_get(d, root, "names") == JD_NONE);
    CHECK(jdoc_get(d, list, "x") == JD_NONE);
    CHECK(jdoc_get(d, root, NULL) == JD_NONE);
    CHECK(jdoc_getn(d, root, "namex", 4) == name);
    CHECK(jdoc_getn(d, root, "caf\xc3\xa9", 5) == JD_NONE);
    CHECK_INT(jdoc_count(d, name), 0);
    CHECK(jdoc_first(d, name) == JD_NONE);
    CHECK(jdoc_next(d, root) == JD_NONE); /* the root has no sibling */
    /* out-of-range refs are harmless */
    CHECK_INT(jdoc_type(d, JD_NONE), JD_NULL);
    CHECK_INT(jdoc_type(d, 100000), JD_NULL);
    CHECK_INT(jdoc_str(d, 100000).n, 0);
    CHECK_INT(jdoc_int(d, JD_NONE), 0);
    CHECK_INT(jdoc_count(d, JD_NONE), 0);
    CHECK(jdoc_first(d, JD_NONE) == JD_NONE);
    CHECK(jdoc_next(d, JD_NONE) == JD_NONE);
    CHECK(jdoc_next_key(d, JD_NONE) == JD_NONE);
    /* the value of "no key" is no value, not the root */
    CHECK(jdoc_value(jdoc_first(d, jdoc_get(d, root, "empty"))) == JD_NONE);
    CHECK(jdoc_get(d, JD_NONE, "a") == JD_NONE);
    CHECK_INT(jdoc_raw(d, JD_NONE).n, 0);
    jdoc_free(d);
    /* a key with an escape that decodes to a plain key */
    d = parse_str("{\"\\u0061b\":7,\"c\":{\"\":8}}");
    CHECK(d != NULL);
    CHECK_INT(jdoc_int(d, jdoc_get(d, 0, "ab")), 7);
    CHECK_INT(jdoc_int(d, jdoc_getn(d, jdoc_get(d, 0, "c"), "", 0)), 8);
    jdoc_free(d);
    /* scalars at the top level */
    d = parse_str("-9223372036854775808");
    CHECK(d != NULL);
    CHECK_INT(jdoc_type(d, 0), JD_INT);
    CHECK(jdoc_int(d, 0) == INT64_MIN);
    CHECK(jdoc_next(d, 0) == JD_NONE);
    jdoc_free(d);
}

static void test_raw_ranges(void)
{
    const char *doc = "\n{ \"s\" : \"a\\\"b\" , \"n\":-12 ,\"l\" :[ 1 ,[ ] , { \"k\" : [ true ] } ] ,\"e\": { } , "
                      "\"f\":false,\"z\":null }\n";
    jdoc *d = parse_str(doc);
    CHECK(d != NULL);
    /* the root without the whitespace around it */
    CHECK_MEM(jdoc_raw(d, 0).p, jdoc_raw(d, 0).n, doc + 1, strlen(doc) - 2);
    CHECK_SLICE(jdoc_raw(d, jdoc_get(d, 0, "s")), "\"a\\\"b\"");
    CHECK_SLICE(jdoc_raw(d, jdoc_first(d, 0)), "\"s\"");
    CHECK_SLICE(jdoc_raw(d, jdoc_get(d, 0, "n")), "-12");
    CHECK_SLICE(jdoc_raw(d, jdoc_get(d, 0, "l")), "[ 1 ,[ ] , { \"k\" : [ true ] } ]");
    CHECK_SLICE(jdoc_raw(d, jdoc_get(d, 0, "e")), "{ }");
    CHECK_SLICE(jdoc_raw(d, jdoc_get(d, 0, "f")), "false");
    CHECK_SLICE(jdoc_raw(d, jdoc_get(d, 0, "z")), "null");
    jd_ref l = jdoc_get(d, 0, "l");
    CHECK_SLICE(jdoc_raw(d, jdoc_next(d, jdoc_first(d, l))), "[ ]");
    jdoc_free(d);
}

static void test_owned_input(void)
{
    /* owned input is freed by jdoc_free on success and by jdoc_parse on
     * every failure (ASan's leak check and double-free detection judge) */
    static const char *docs[] = {"{\"a\":[1,2]}", "{\"a\":1,\"a\":2}", "[1,"};
    static const int want[] = {0, RAMPART_EFORMAT, RAMPART_EFORMAT};
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(docs); i++) {
        size_t n = strlen(docs[i]);
        uint8_t *data = rampart_malloc(n);
        CHECK(data != NULL);
        memcpy(data, docs[i], n);
        jdoc *d = NULL;
        CHECK_RC(jdoc_parse(&d, data, n, true, NULL, NULL), want[i]);
        jdoc_free(d);
    }
    uint8_t *data = rampart_malloc(10);
    CHECK(data != NULL);
    memcpy(data, "[1,2,3,4]", 9);
    jd_limits lim = {8, 0, false};
    jdoc *d = NULL;
    CHECK_RC(jdoc_parse(&d, data, 9, true, &lim, NULL), RAMPART_ETOOLARGE);
    data = rampart_malloc(2);
    CHECK(data != NULL);
    CHECK_RC(jdoc_parse(NULL, data, 2, true, NULL, NULL), RAMPART_EINVAL);
    CHECK(d == NULL);
}

/* An allocator that fails the Nth allocation (1-based; 0 = never). */
static int fail_at, alloc_count;
static void *fail_malloc(size_t n, void *ctx)
{
    (void)ctx;
    return ++alloc_count == fail_at ? NULL : malloc(n);
}
static void *fail_realloc(void *p, size_t n, void *ctx)
{
    (void)ctx;
    return ++alloc_count == fail_at ? NULL : realloc(p, n);
}
static void fail_free(void *p, void *ctx)
{
    (void)ctx;
    free(p);
}

static void test_allocation_failures(void)
{
    /* escapes (arena), out-of-order keys (sort scratch), and enough nodes
     * to outgrow the first estimate */
    char doc[4096];
    size_t n = (size_t)snprintf(doc, sizeof(doc), "{\"z\\u00e9\":\"\\n\",\"b\":{\"y\":1,\"x\":[%s]},\"a\":\"q\\\"\"}",
                                "0,1,2,3,4,5,6,7,8,9,0,1,2,3,4,5,6,7,8,9,0,1,2,3,4,5,6,7,8,9,0,1,2,3,4,5,6,7,8,9");
    const char *want = "{\"a\":\"q\\\"\",\"b\":{\"x\":[0,1,2,3,4,5,6,7,8,9,0,1,2,3,4,5,6,7,8,9,0,1,2,3,4,5,6,7,8,"
                       "9,0,1,2,3,4,5,6,7,8,9],\"y\":1},\"z\xc3\xa9\":\"\n\"}";
    rampart_allocator a = {fail_malloc, fail_realloc, fail_free, NULL};
    int failures = 0;
    bool done = false;
    for (fail_at = 1; !done && fail_at < 100; fail_at++) {
        CHECK_OK(rampart_set_allocator(&a));
        alloc_count = 0;
        uint8_t *data = malloc(n); /* owned: released through fail_free */
        CHECK(data != NULL);
        memcpy(data, doc, n);
        jdoc *d = NULL;
        rbuf out;
        rbuf_init(&out, MB);
        int rc = jdoc_parse(&d, data, n, true, NULL, NULL);
        if (rc == 0)
            rc = jdoc_canonical(d, 0, &out);
        jdoc_free(d);
        CHECK_OK(rampart_set_allocator(NULL));
        if (rc == 0) {
            CHECK_MEM(out.data, out.len, want, strlen(want));
            done = true;
        } else {
            CHECK_RC(rc, RAMPART_ENOMEM);
            CHECK_INT(out.len, 0);
            failures++;
        }
        rbuf_free(&out);
    }
    CHECK(done);
    CHECK(failures >= 5);
}

static void test_limits(void)
{
    jdoc *d = NULL;
    jd_limits lim = {0, 2, false};
    CHECK_OK(jdoc_parse(&d, (const uint8_t *)"[[1]]", 5, false, &lim, NULL));
    jdoc_free(d);
    d = NULL;
    CHECK_RC(jdoc_parse(&d, (const uint8_t *)"[[[1]]]", 7, false, &lim, NULL), RAMPART_EFORMAT);
    CHECK_RC(jdoc_parse(&d, (const uint8_t *)"{\"a\":{\"b\":{}}}", 14, false, &lim, NULL), RAMPART_EFORMAT);
    /* above 64 is clamped to 64 */
    size_t len = 0;
    uint8_t *d64 = jv_nest(64, "[", "", "]", &len);
    uint8_t *d65 = jv_nest(65, "[", "", "]", &len);
    CHECK(d64 != NULL && d65 != NULL);
    lim.max_depth = 1000;
    CHECK_OK(jdoc_parse(&d, d64, len - 2, false, &lim, NULL));
    jdoc_free(d);
    d = NULL;
    CHECK_RC(jdoc_parse(&d, d65, len, false, &lim, NULL), RAMPART_EFORMAT);
    CHECK_RC(jdoc_parse(&d, d65, len, false, NULL, NULL), RAMPART_EFORMAT);
    free(d64);
    free(d65);
    /* max_bytes: the exact size passes, one less is ETOOLARGE, even for
     * invalid input (the cap is checked before any work) */
    lim = (jd_limits){9, 0, false};
    CHECK_OK(jdoc_parse(&d, (const uint8_t *)"[1,2,3,4]", 9, false, &lim, NULL));
    jdoc_free(d);
    d = NULL;
    lim.max_bytes = 8;
    rerr e = {0};
    CHECK_RC(jdoc_parse(&d, (const uint8_t *)"[1,2,3,4]", 9, false, &lim, &e), RAMPART_ETOOLARGE);
    CHECK_STR(e.message, "JSON document of 9 bytes exceeds the limit of 8");
    CHECK_RC(jdoc_parse(&d, (const uint8_t *)"[1,2,3,]", 9, false, &lim, NULL), RAMPART_ETOOLARGE);
    CHECK(d == NULL);
}

static void test_node_growth(void)
{
    /* 100000 one-digit elements: 2 bytes a node, 8 times the first estimate */
    size_t n = 100000, len = 2 * n + 1;
    uint8_t *doc = malloc(len);
    CHECK(doc != NULL);
    doc[0] = '[';
    for (size_t i = 0; i < n; i++) {
        doc[1 + 2 * i] = (uint8_t)('0' + i % 10);
        doc[2 + 2 * i] = ',';
    }
    doc[len - 1] = ']';
    jdoc *d = NULL;
    CHECK_OK(jdoc_parse(&d, doc, len, false, NULL, NULL));
    CHECK_INT(jdoc_count(d, 0), n);
    int64_t sum = 0;
    size_t seen = 0;
    for (jd_ref r = jdoc_first(d, 0); r != JD_NONE; r = jdoc_next(d, r), seen++)
        sum += jdoc_int(d, r);
    CHECK_INT(seen, n);
    CHECK_INT(sum, 45 * (int64_t)(n / 10));
    rbuf out;
    rbuf_init(&out, MB);
    CHECK_OK(jdoc_canonical(d, 0, &out));
    CHECK_MEM(out.data, out.len, doc, len);
    rbuf_free(&out);
    jdoc_free(d);
    free(doc);
}

static void test_output_cap(void)
{
    /* unsorted keys and an escaped string take the slower paths */
    const char *doc = "{\"b\":[1,2],\"a\":\"x\\u0022y\"}";
    const char *want = "{\"a\":\"x\\\"y\",\"b\":[1,2]}";
    size_t wl = strlen(want);
    jdoc *d = parse_str(doc);
    CHECK(d != NULL);
    for (size_t cap = 0; cap <= wl; cap++) {
        rbuf out;
        rbuf_init(&out, cap);
        int rc = jdoc_canonical(d, 0, &out);
        if (cap < wl) {
            CHECK_RC(rc, RAMPART_ETOOLARGE);
            CHECK_INT(out.len, 0);
        } else {
            CHECK_OK(rc);
            CHECK_MEM(out.data, out.len, want, wl);
        }
        rbuf_free(&out);
    }
    jdoc_free(d);
}

static void test_arguments(void)
{
    jdoc *d = NULL;
    CHECK_RC(jdoc_parse(NULL, (const uint8_t *)"1", 1, false, NULL, NULL), RAMPART_EINVAL);
    CHECK_RC(jdoc_parse(&d, NULL, 1, false, NULL, NULL), RAMPART_EINVAL);
    CHECK_RC(jdoc_parse(&d, NULL, 0, false, NULL, NULL), RAMPART_EFORMAT);
    CHECK(d == NULL);
    d = parse_str("[1]");
    CHECK(d != NULL);
    rbuf out;
    rbuf_init(&out, 100);
    CHECK_RC(jdoc_canonical(d, 2, &out), RAMPART_EINVAL);
    CHECK_RC(jdoc_canonical(d, JD_NONE, &out), RAMPART_EINVAL);
    CHECK_RC(jdoc_canonical(NULL, 0, &out), RAMPART_EINVAL);
    CHECK_RC(jdoc_canonical(d, 0, NULL), RAMPART_EINVAL);
    CHECK_OK(jdoc_canonical(d, 1, &out));
    CHECK_STR((char *)out.data, "1");
    rbuf_free(&out);
    jdoc_free(d);
    jdoc_free(NULL);
}

int main(void)
{
    RUN(test_valid_vectors);
    RUN(test_is_canonical);
    RUN(test_invalid_vectors);
    RUN(test_allow_nul_vectors);
    RUN(test_nul_strings);
    RUN(test_json_escaped);
    RUN(test_big_string);
    RUN(test_error_messages);
    RUN(test_accessors);
    RUN(test_raw_ranges);
    RUN(test_owned_input);
    RUN(test_allocation_failures);
    RUN(test_limits);
    RUN(test_node_growth);
    RUN(test_output_cap);
    RUN(test_arguments);
    return th_summary("test_jdoc");
}
