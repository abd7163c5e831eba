/*
 * fuzz_prov_builders.c - the assessor's builders file of `rampart assess
 * --builders` (src/prov/builders.c): rprov_builders_parse, the choice of a
 * declared builder (rprov_builders_find) and the signature check with its
 * declared keys (rprov_builder_signed).
 *
 * The input is one builders file.  Invariants:
 *  - parsing returns 0, EFORMAT or EUNSUPPORTED (ENOMEM aside), with the
 *    code and a message in `err` (EFORMAT messages start "builders: ") and
 *    *out untouched on failure;
 *  - a parsed file holds what its JSON says: top-level members only
 *    version (1), keys and builders; each builder only id, level and keys;
 *    1 to RPROV_BUILDERS_MAX_BUILDERS builders with distinct, non-empty ids
 *    of at most RPROV_MAX_STRING bytes and no control character, a prefix
 *    exactly when the id ends in '@', a level from 1 to 3, 1 or more
 *    distinct valid key indices; keys as the provenance policy's;
 *  - rprov_builders_find, for each builder's id, for that id with "x"
 *    appended and for fixed ids, returns the builder with an equal id when
 *    there is one, else the longest prefix id the query starts with, else
 *    NULL (checked against a search written here);
 *  - rprov_builder_signed on a fixed envelope signed by key A (RFC 8032
 *    TEST 1) returns 0 exactly when a key declared for the builder is A's
 *    key material, naming such a key, and EPROVSIG otherwise.
 */
#include "fuzz_prov.h"
#include "util/banned.h"

/* PAE("application/vnd.in-toto+json", {"fuzz":"builders"}) signed by A. */
static const char ENVELOPE_A[] =
    "{\"payload\":\"eyJmdXp6IjoiYnVpbGRlcnMifQ==\",\"payloadType\":\"application/vnd.in-toto+json\","
    "\"signatures\":[{\"keyid\":\"A\",\"sig\":\"+cAUAtUWdvDGGjk4UX6a5tP7NaQgZTTuAcCIqBmYSvIfZx2eF4T9NCA8yyqRTC5a+"
    "mYVmOFgHD7WwgxNQ7UdDQ==\"}]}";

static bool one_of(rslice key, const char *const *words, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (rslice_eq_cstr(key, words[i]))
            return true;
    return false;
}

static void check_shape(const rprov_builders *bs, const uint8_t *data, size_t size)
{
    static const char *const top[] = {"version", "keys", "builders"};
    static const char *const words[] = {"id", "level", "keys"};
    jdoc *d = NULL;
    FUZZ_CHECK(jdoc_parse(&d, data, size, false, NULL, NULL) == 0);
    jd_ref root = jdoc_root(d), list = jdoc_get(d, root, "builders"), ver = jdoc_get(d, root, "version");
    for (jd_ref k = jdoc_first(d, root); k != JD_NONE; k = jdoc_next_key(d, k))
        FUZZ_CHECK(one_of(jdoc_str(d, k), top, RAMPART_ARRAY_LEN(top)));
    FUZZ_CHECK(jdoc_type(d, ver) == JD_INT && jdoc_int(d, ver) == 1);
    FUZZ_CHECK(bs->n >= 1 && bs->n <= RPROV_BUILDERS_MAX_BUILDERS && bs->n == jdoc_count(d, list));
    FUZZ_CHECK(bs->nkeys == jdoc_count(d, jdoc_get(d, root, "keys")) && bs->nkeys <= RPROV_POLICY_MAX_KEYS);
    size_t i = 0;
    for (jd_ref r = jdoc_first(d, list); r != JD_NONE; r = jdoc_next(d, r), i++) {
        const rprov_builder *b = &bs->b[i];
        for (jd_ref k = jdoc_first(d, r); k != JD_NONE; k = jdoc_next_key(d, k))
            FUZZ_CHECK(one_of(jdoc_str(d, k), words, RAMPART_ARRAY_LEN(words)));
        FUZZ_CHECK(rslice_eq_cstr(jdoc_str(d, jdoc_get(d, r, "id")), b->id));
        FUZZ_CHECK(jdoc_int(d, jdoc_get(d, r, "level")) == b->level);
        FUZZ_CHECK(jdoc_count(d, jdoc_get(d, r, "keys")) == b->nkeys);
    }
    jdoc_free(d);
    for (i = 0; i < bs->n; i++) {
        const rprov_builder *b = &bs->b[i];
        size_t n = strlen(b->id);
        FUZZ_CHECK(n >= 1 && n <= RPROV_MAX_STRING && b->prefix == (b->id[n - 1] == '@'));
        for (size_t j = 0; j < n; j++)
            FUZZ_CHECK((unsigned char)b->id[j] >= 0x20 && b->id[j] != 0x7f);
        FUZZ_CHECK(b->level >= 1 && b->level <= RPROV_BUILDER_MAX_LEVEL);
        FUZZ_CHECK(b->nkeys >= 1 && b->nkeys <= RPROV_POLICY_MAX_LIST);
        for (size_t k = 0; k < b->nkeys; k++) {
            FUZZ_CHECK(b->keys[k] < bs->nkeys && bs->keys[b->keys[k]] != NULL);
            for (size_t l = 0; l < k; l++)
                FUZZ_CHECK(b->keys[k] != b->keys[l]);
        }
        for (size_t j = 0; j < i; j++)
            FUZZ_CHECK(strcmp(bs->b[j].id, b->id) != 0);
    }
}

/* The declared builder for `id`, searched here: equal id, else longest prefix. */
static const rprov_builder *find_by_hand(const rprov_builders *bs, const char *id)
{
    for (size_t i = 0; i < bs->n; i++)
        if (strcmp(bs->b[i].id, id) == 0)
            return &bs->b[i];
    const rprov_builder *best = NULL;
    for (size_t i = 0; i < bs->n; i++) {
        size_t n = strlen(bs->b[i].id);
        if (bs->b[i].prefix && strncmp(bs->b[i].id, id, n) == 0 && (best == NULL || n > strlen(best->id)))
            best = &bs->b[i];
    }
    return best;
}

static void check_find(const rprov_builders *bs)
{
    static const char *const fixed[] = {"", "@", "https://ci.example.com/builders/release@v1",
                                        "https://ci.example.com/builders/release", "x"};
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(fixed); i++)
        FUZZ_CHECK(rprov_builders_find(bs, fixed[i]) == find_by_hand(bs, fixed[i]));
    char buf[RPROV_MAX_STRING + 2];
    for (size_t i = 0; i < bs->n && i < 16; i++) {
        FUZZ_CHECK(rprov_builders_find(bs, bs->b[i].id) == &bs->b[i]);
        snprintf(buf, sizeof(buf), "%sx", bs->b[i].id);
        FUZZ_CHECK(rprov_builders_find(bs, buf) == find_by_hand(bs, buf));
    }
    FUZZ_CHECK(rprov_builders_find(bs, NULL) == NULL && rprov_builders_find(NULL, "x") == NULL);
}

static void check_signed(const rprov_builders *bs)
{
    const fuzz_prov_fixed *f = fuzz_prov_get();
    rampart_dsse *env = NULL;
    FUZZ_CHECK(rampart_dsse_parse(&env, ENVELOPE_A, strlen(ENVELOPE_A), NULL) == 0);
    for (size_t i = 0; i < bs->n && i < 16; i++) {
        const rprov_builder *b = &bs->b[i];
        bool by_a = false;
        for (size_t k = 0; k < b->nkeys; k++)
            by_a |= rdigest_eq(rkey_fingerprint(bs->keys[b->keys[k]]), rkey_fingerprint(f->a), RKEY_FINGERPRINT_LEN);
        const char *name = NULL;
        int rc = rprov_builder_signed(bs, b, env, &name);
        FUZZ_CHECK(rc == (by_a ? 0 : RAMPART_EPROVSIG));
        if (rc == 0) {
            size_t k = 0;
            while (k < bs->nkeys && strcmp(bs->key_names[k], name) != 0)
                k++;
            FUZZ_CHECK(k < bs->nkeys &&
                       rdigest_eq(rkey_fingerprint(bs->keys[k]), rkey_fingerprint(f->a), RKEY_FINGERPRINT_LEN));
        }
    }
    rampart_dsse_free(env);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rprov_builders *bs = NULL;
    rerr err = {0};
    int rc = rprov_builders_parse(&bs, data, size, &err);
    FUZZ_CHECK(rc == 0 || rc == RAMPART_EFORMAT || rc == RAMPART_EUNSUPPORTED || rc == RAMPART_ENOMEM);
    if (rc != 0) {
        FUZZ_CHECK(bs == NULL && err.code == rc && err.message[0] != '\0');
        FUZZ_CHECK(rc != RAMPART_EFORMAT || strncmp(err.message, "builders: ", 10) == 0);
        return 0;
    }
    check_shape(bs, data, size);
    check_find(bs);
    check_signed(bs);
    rprov_builders_free(bs);
    return 0;
}
