/* test_json.c - util/json: strict parsing through jansson and canonical JSON of jansson trees. */
#include <string.h>

#include "harness.h"
#include "jvec.h"
#include "util/json.h"
#include "util/banned.h"

#define MB (1024u * 1024u)

/* Parse, then canonicalise into `out` (max `outmax`): the pipeline whose
 * verdict the differential test compares with jdoc's. */
static int canon_of(const uint8_t *data, size_t len, size_t max, rbuf *out, rerr *e)
{
    json_t *v = NULL;
    int rc = rjson_parse(data, len, max, &v, e);
    if (rc == 0)
        rc = rjson_canonical(v, out, e);
    json_decref(v);
    return rc;
}

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
        rbuf out;
        rbuf_init(&out, 16 * MB);
        rerr e = {0};
        int rc = canon_of(in, len, 16 * MB, &out, &e);
        if (rc != 0)
            fprintf(stderr, "vector %s: %s\n", v[i].name, e.message);
        CHECK_OK(rc);
        CHECK_MEM(out.data, out.len, want, clen);
        rbuf_free(&out);
        free(in);
        free(want);
    }
    free(v);
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
        rbuf out;
        rbuf_init(&out, MB);
        rerr e = {0};
        int rc = canon_of(in, len, MB, &out, &e);
        if (rc != v[i].code)
            fprintf(stderr, "vector %s\n", v[i].name);
        CHECK_RC(rc, v[i].code);
        CHECK_INT(e.code, v[i].code);
        CHECK_INT(out.len, 0);
        rbuf_free(&out);
        free(in);
    }
    free(v);
}

/* Reals parse (jansson keeps them) but have no canonical form. */
static void test_reals(void)
{
    static const char *reals[] = {"1.0", "[1e3]", "{\"a\":{\"b\":[0,-0.5]}}", "1E-2"};
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(reals); i++) {
        json_t *v = NULL;
        CHECK_OK(rjson_parse((const uint8_t *)reals[i], strlen(reals[i]), 100, &v, NULL));
        rbuf out;
        rbuf_init(&out, 100);
        CHECK_OK(rbuf_append_str(&out, "kept"));
        rerr e = {0};
        CHECK_RC(rjson_canonical(v, &out, &e), RAMPART_EFORMAT);
        CHECK(strstr(e.message, "real") != NULL);
        /* the caller's buffer is left as it was */
        CHECK_MEM(out.data, out.len, "kept", 4);
        rbuf_free(&out);
        json_decref(v);
    }
}

static void test_size_cap(void)
{
    const uint8_t doc[] = "{\"a\":[1,2]}";
    size_t len = sizeof(doc) - 1;
    json_t *v = NULL;
    rerr e = {0};
    CHECK_OK(rjson_parse(doc, len, len, &v, &e));
    json_decref(v);
    v = NULL;
    CHECK_RC(rjson_parse(doc, len, len - 1, &v, &e), RAMPART_ETOOLARGE);
    CHECK_INT(e.code, RAMPART_ETOOLARGE);
    CHECK(v == NULL);
    /* the cap is checked before parsing: invalid and too large is ETOOLARGE */
    CHECK_RC(rjson_parse((const uint8_t *)"[1,]", 4, 3, &v, NULL), RAMPART_ETOOLARGE);
    CHECK_RC(rjson_parse((const uint8_t *)"", 0, 0, &v, NULL), RAMPART_EFORMAT);
    CHECK_RC(rjson_parse(NULL, 0, 10, &v, NULL), RAMPART_EFORMAT);
    CHECK_RC(rjson_parse(NULL, 1, 10, &v, NULL), RAMPART_EINVAL);
    CHECK_RC(rjson_parse(doc, len, len, NULL, NULL), RAMPART_EINVAL);
    CHECK(v == NULL);
}

static void test_ten_megabyte_string(void)
{
    size_t len = 0;
    uint8_t *s = jv_big_string(10 * MB, &len);
    CHECK(s != NULL);
    json_t *v = NULL;
    CHECK_OK(rjson_parse(s, len, 16 * MB, &v, NULL));
    CHECK_INT(json_string_length(v), 10 * MB);
    rbuf out;
    rbuf_init(&out, 16 * MB);
    CHECK_OK(rjson_canonical(v, &out, NULL));
    CHECK_MEM(out.data, out.len, s, len);
    rbuf_free(&out);
    json_decref(v);
    v = NULL;
    CHECK_RC(rjson_parse(s, len, 10 * MB, &v, NULL), RAMPART_ETOOLARGE);
    CHECK(v == NULL);
    free(s);
}

static void test_depth(void)
{
    size_t len = 0;
    uint8_t *d64 = jv_nest(64, "[", "", "]", &len);
    json_t *v = NULL;
    CHECK_OK(rjson_parse(d64, len, MB, &v, NULL));
    json_decref(v);
    v = NULL;
    free(d64);
    uint8_t *d65 = jv_nest(64, "{\"a\":", "{}", "}", &len);
    rerr e = {0};
    CHECK_RC(rjson_parse(d65, len, MB, &v, &e), RAMPART_EFORMAT);
    CHECK_STR(e.message, "JSON nests deeper than 64 levels");
    free(d65);
    /* jansson's own limit (2048) stops these before its recursion can hurt */
    uint8_t *deep = jv_nest(100000, "[", "", "]", &len);
    CHECK_RC(rjson_parse(deep, len, MB, &v, NULL), RAMPART_EFORMAT);
    CHECK_RC(rjson_parse(deep, len / 2, MB, &v, NULL), RAMPART_EFORMAT);
    free(deep);
    CHECK(v == NULL);
}

static void test_int_extremes(void)
{
    json_t *v = NULL;
    const char *doc = "[9223372036854775807,-9223372036854775808,-0]";
    CHECK_OK(rjson_parse((const uint8_t *)doc, strlen(doc), 100, &v, NULL));
    CHECK(json_integer_value(json_array_get(v, 0)) == INT64_MAX);
    CHECK(json_integer_value(json_array_get(v, 1)) == INT64_MIN);
    CHECK(json_is_integer(json_array_get(v, 2)) && json_integer_value(json_array_get(v, 2)) == 0);
    rbuf out;
    rbuf_init(&out, 100);
    CHECK_OK(rjson_canonical(v, &out, NULL));
    CHECK_STR((char *)out.data, "[9223372036854775807,-9223372036854775808,0]");
    rbuf_free(&out);
    json_decref(v);
}

static void test_error_detail(void)
{
    json_t *v = NULL;
    rerr e = {0};
    CHECK_RC(rjson_parse((const uint8_t *)"{\"a\":1,\"a\":2}", 13, 100, &v, &e), RAMPART_EFORMAT);
    CHECK_INT(e.code, RAMPART_EFORMAT);
    CHECK(strncmp(e.message, "invalid JSON at byte ", 21) == 0);
    CHECK(strstr(e.message, "duplicate") != NULL);
    CHECK_RC(rjson_parse((const uint8_t *)"\"\\u0000\"", 8, 100, &v, &e), RAMPART_EFORMAT);
    CHECK(strstr(e.message, "u0000") != NULL);
    CHECK(v == NULL);
}

/* Trees built in code: sorting, and what parsing would have refused. */
static void test_built_trees(void)
{
    json_t *o = json_object();
    CHECK(o != NULL);
    CHECK_INT(json_object_set_new(o, "b", json_integer(2)), 0);
    CHECK_INT(json_object_set_new(o, "\xc3\xa9", json_true()), 0);
    CHECK_INT(json_object_set_new(o, "a", json_stringn("q\"\\\n", 4)), 0);
    CHECK_INT(json_object_set_new(o, "", json_null()), 0);
    rbuf out;
    rbuf_init(&out, 1000);
    CHECK_OK(rjson_canonical(o, &out, NULL));
    const char *want = "{\"\":null,\"a\":\"q\\\"\\\\\n\",\"b\":2,\"\xc3\xa9\":true}";
    CHECK_MEM(out.data, out.len, want, strlen(want));
    /* NUL in a value or a key: EFORMAT, and out keeps what it had */
    CHECK_INT(json_object_set_new(o, "nul", json_stringn("a\0b", 3)), 0);
    rerr e = {0};
    CHECK_RC(rjson_canonical(o, &out, &e), RAMPART_EFORMAT);
    CHECK_STR(e.message, "NUL character in a JSON string");
    CHECK_INT(out.len, strlen(want));
    CHECK_INT(json_object_del(o, "nul"), 0);
    CHECK_INT(json_object_setn_new(o, "k\0", 2, json_true()), 0);
    CHECK_RC(rjson_canonical(o, &out, NULL), RAMPART_EFORMAT);
    json_decref(o);
    /* depth 65 built in code */
    json_t *root = json_array(), *cur = root;
    for (int i = 1; i < 65; i++) {
        json_t *next = json_array();
        CHECK_INT(json_array_append_new(cur, next), 0);
        cur = next;
    }
    rbuf_reset(&out);
    CHECK_OK(rjson_canonical(json_array_get(root, 0), &out, NULL)); /* 64 levels */
    rbuf_reset(&out);
    CHECK_RC(rjson_canonical(root, &out, NULL), RAMPART_EFORMAT); /* 65 levels */
    CHECK_INT(out.len, 0);
    json_decref(root);
    CHECK_RC(rjson_canonical(NULL, &out, NULL), RAMPART_EINVAL);
    rbuf_free(&out);
}

static void test_output_cap(void)
{
    const char *doc = "{\"b\":[1,2],\"a\":\"x\"}";
    const char *want = "{\"a\":\"x\",\"b\":[1,2]}";
    size_t wl = strlen(want);
    json_t *v = NULL;
    CHECK_OK(rjson_parse((const uint8_t *)doc, strlen(doc), 100, &v, NULL));
    /* every cap below the size fails cleanly; the exact size fits */
    for (size_t cap = 0; cap <= wl; cap++) {
        rbuf out;
        rbuf_init(&out, cap);
        rerr e = {0};
        int rc = rjson_canonical(v, &out, &e);
        if (cap < wl) {
            CHECK_RC(rc, RAMPART_ETOOLARGE);
            CHECK_INT(e.code, RAMPART_ETOOLARGE);
            CHECK_INT(out.len, 0);
        } else {
            CHECK_OK(rc);
            CHECK_MEM(out.data, out.len, want, wl);
        }
        rbuf_free(&out);
    }
    json_decref(v);
}

/* jansson's allocator fails after `jfail_after` successful calls. */
static int jfail_after;
static void *jfail_malloc(size_t n)
{
    return jfail_after-- > 0 ? malloc(n) : NULL;
}

static void *fail_malloc(size_t n, void *ctx)
{
    (void)n, (void)ctx;
    return NULL;
}
static void *fail_realloc(void *p, size_t n, void *ctx)
{
    (void)p, (void)n, (void)ctx;
    return NULL;
}
static void plain_free(void *p, void *ctx)
{
    (void)ctx;
    free(p);
}

static void test_out_of_memory(void)
{
    const char *doc = "{\"b\":[1,2],\"a\":{\"c\":\"x\"}}";
    json_t *v = NULL;
    rerr e = {0};
    /* jansson's first allocation failing is ENOMEM; later failures it may
     * report as syntax errors (EFORMAT), but parsing never succeeds and
     * never leaks (ASan judges) */
    bool parsed = false;
    for (int budget = 0; budget < 200 && !parsed; budget++) {
        jfail_after = budget;
        json_set_alloc_funcs(jfail_malloc, free);
        int rc = rjson_parse((const uint8_t *)doc, strlen(doc), 100, &v, &e);
        json_set_alloc_funcs(malloc, free);
        if (budget == 0) {
            CHECK_RC(rc, RAMPART_ENOMEM);
            CHECK_STR(e.message, "out of memory parsing JSON");
        }
        if (rc == 0) {
            parsed = true;
            json_decref(v);
            v = NULL;
        } else {
            CHECK(rc == RAMPART_ENOMEM || rc == RAMPART_EFORMAT);
            CHECK(v == NULL);
        }
    }
    CHECK(parsed);
    CHECK_OK(rjson_parse((const uint8_t *)doc, strlen(doc), 100, &v, NULL));
    /* the member table of an object comes from the rampart allocator */
    rbuf out;
    rbuf_init(&out, 100);
    CHECK_OK(rbuf_append_str(&out, "kept"));
    rampart_allocator a = {fail_malloc, fail_realloc, plain_free, NULL};
    CHECK_OK(rampart_set_allocator(&a));
    int rc = rjson_canonical(v, &out, &e);
    CHECK_OK(rampart_set_allocator(NULL));
    CHECK_RC(rc, RAMPART_ENOMEM);
    CHECK_STR(e.message, "out of memory serialising JSON");
    CHECK_MEM(out.data, out.len, "kept", 4);
    rbuf_free(&out);
    json_decref(v);
}

/* The form files are written in: canonical JSON with control characters
 * escaped.  Byte for byte canonical without them; valid JSON of the same
 * value with them (a PEM key's newlines, custom metadata with "\u0001"). */
static void test_file_form(void)
{
    static const char plain[] = "{\"b\":[1,\"x\\\"y\"],\"a\":\"\u00e9\"}";
    json_t *v = NULL;
    rbuf canon, file;
    rbuf_init(&canon, 1000);
    rbuf_init(&file, 1000);
    CHECK_OK(rjson_parse((const uint8_t *)plain, strlen(plain), 1000, &v, NULL));
    CHECK_OK(rjson_canonical(v, &canon, NULL));
    CHECK_OK(rjson_file_form(v, &file, NULL));
    CHECK_MEM(file.data, file.len, canon.data, canon.len);
    json_decref(v);
    rbuf_reset(&canon);
    rbuf_reset(&file);

    static const char ctl[] = "{\"k\\n\":\"-----BEGIN\\nA\\r\\tB\\b\\f\\u0001\\u001f\\\"\\\\\",\"n\":-3}";
    /* the same text: what a careful writer produces from it */
    static const char want[] = "{\"k\\n\":\"-----BEGIN\\nA\\r\\tB\\b\\f\\u0001\\u001f\\\"\\\\\",\"n\":-3}";
    CHECK_OK(rjson_parse((const uint8_t *)ctl, strlen(ctl), 1000, &v, NULL));
    CHECK_OK(rjson_canonical(v, &canon, NULL));
    CHECK(memchr(canon.data, '\n', canon.len) != NULL); /* canonical: raw */
    CHECK_OK(rbuf_append_str(&file, "kept"));
    CHECK_OK(rjson_file_form(v, &file, NULL));
    CHECK_MEM(file.data, 4, "kept", 4); /* appended after what was there */
    CHECK_MEM(file.data + 4, file.len - 4, want, strlen(want));
    /* and it reads back as the same value */
    json_t *back = NULL;
    CHECK_OK(rjson_parse(file.data + 4, file.len - 4, 1000, &back, NULL));
    CHECK(json_equal(v, back));
    json_decref(back);
    /* a cap that the canonical form fits but the escaped one does not */
    rbuf small;
    rbuf_init(&small, canon.len + 2);
    CHECK_OK(rbuf_append_str(&small, "x"));
    rerr e = {0};
    CHECK_RC(rjson_file_form(v, &small, &e), RAMPART_ETOOLARGE);
    CHECK_MEM(small.data, small.len, "x", 1);
    CHECK_STR(e.message, "JSON exceeds the output limit once its control characters are escaped");
    rbuf_free(&small);
    json_decref(v);
    rbuf_free(&canon);
    rbuf_free(&file);
}

int main(void)
{
    RUN(test_valid_vectors);
    RUN(test_invalid_vectors);
    RUN(test_reals);
    RUN(test_size_cap);
    RUN(test_ten_megabyte_string);
    RUN(test_depth);
    RUN(test_int_extremes);
    RUN(test_error_detail);
    RUN(test_built_trees);
    RUN(test_output_cap);
    RUN(test_out_of_memory);
    RUN(test_file_form);
    return th_summary("test_json");
}
