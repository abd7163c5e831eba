/* test_prov_builders.c - the assessor's builders file of `rampart assess
 * --builders` (src/prov/builders.c, docs/assess.md "Builders the assessor
 * has reviewed"): the format and each refusal with its message, the choice
 * of a declared builder (exact id, else the longest '@' prefix), and the
 * signature check with the declared keys over real DSSE envelopes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "prov/prov.h"
#include "provtest.h"
#include "util/banned.h"

static rprivkey *ci, *ci2, *stranger;

/* A builders file: keys "ci" (ed25519) and "ci2" (ECDSA P-256), and
 * `builders` (a JSON array text), or the whole `extra` object merged over it. */
static char *file_text(const char *builders, const char *extra)
{
    json_t *f = json_object(), *keys = json_object();
    json_object_set_new(keys, "ci", pt_key_json(ci));
    json_object_set_new(keys, "ci2", pt_key_json(ci2));
    json_object_set_new(f, "version", json_integer(1));
    json_object_set_new(f, "keys", keys);
    json_object_set_new(f, "builders", json_loads(builders, 0, NULL));
    if (extra != NULL) {
        json_t *x = json_loads(extra, 0, NULL);
        json_object_update(f, x);
        json_decref(x);
    }
    char *s = json_dumps(f, JSON_COMPACT);
    json_decref(f);
    return s;
}

static int parse_rc(const char *text, rprov_builders **out, rerr *e)
{
    rprov_builders *bs = NULL;
    int rc = rprov_builders_parse(&bs, text, strlen(text), e);
    if (out != NULL)
        *out = bs;
    else
        rprov_builders_free(bs);
    return rc;
}

static void refusals(void)
{
    static const struct {
        const char *builders, *extra, *msg;
    } bad[] = {
        {"[]", NULL, "\"builders\" must be an array of 1 to 64 builders"},
        {"{}", NULL, "\"builders\" must be an array of 1 to 64 builders"},
        {"[1]", NULL, "builders[0] is not an object"},
        {"[{\"id\":\"b\",\"level\":3}]", NULL, "builders[0] needs \"id\", \"level\" and \"keys\""},
        {"[{\"id\":\"b\",\"keys\":[\"ci\"]}]", NULL, "builders[0] needs \"id\", \"level\" and \"keys\""},
        {"[{\"level\":3,\"keys\":[\"ci\"]}]", NULL, "builders[0] needs \"id\", \"level\" and \"keys\""},
        {"[{\"id\":\"b\",\"level\":4,\"keys\":[\"ci\"]}]", NULL, "builders[0].level must be an SLSA Build level"},
        {"[{\"id\":\"b\",\"level\":0,\"keys\":[\"ci\"]}]", NULL, "builders[0].level must be an SLSA Build level"},
        {"[{\"id\":\"b\",\"level\":\"L3\",\"keys\":[\"ci\"]}]", NULL, "builders[0].level must be an SLSA Build level"},
        {"[{\"id\":\"b\",\"level\":3,\"keys\":[]}]", NULL, "builders[0].keys must be an array of 1 to 64 key names"},
        {"[{\"id\":\"b\",\"level\":3,\"keys\":[\"nobody\"]}]", NULL, "builders[0].keys names 'nobody', which is not"},
        {"[{\"id\":\"b\",\"level\":3,\"keys\":[2]}]", NULL, "builders[0].keys names '', which is not"},
        {"[{\"id\":\"b\",\"level\":3,\"keys\":[\"ci\",\"ci\"]}]", NULL, "builders[0].keys lists 'ci' twice"},
        {"[{\"id\":\"\",\"level\":3,\"keys\":[\"ci\"]}]", NULL, "builders[0].id must be a string of 1 to 4096"},
        {"[{\"id\":\"a\\u0007b\",\"level\":3,\"keys\":[\"ci\"]}]", NULL, "without control characters"},
        {"[{\"id\":7,\"level\":3,\"keys\":[\"ci\"]}]", NULL, "builders[0].id must be a string"},
        {"[{\"id\":\"b\",\"level\":3,\"keys\":[\"ci\"],\"threshold\":1}]", NULL,
         "unknown member 'threshold' in builders[0]"},
        {"[{\"id\":\"b\",\"level\":3,\"keys\":[\"ci\"]},{\"id\":\"b\",\"level\":2,\"keys\":[\"ci2\"]}]", NULL,
         "builders[1].id is also builders[0].id"},
        {"[{\"id\":\"b\",\"level\":3,\"keys\":[\"ci\"]}]", "{\"version\":2}", "\"version\" must be 1"},
        {"[{\"id\":\"b\",\"level\":3,\"keys\":[\"ci\"]}]", "{\"builder\":[]}", "unknown member 'builder'"},
        {"[{\"id\":\"b\",\"level\":3,\"keys\":[\"ci\"]}]", "{\"keys\":[]}", "\"keys\" is not an object"},
    };
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(bad); i++) {
        char *text = file_text(bad[i].builders, bad[i].extra);
        rerr e = {0};
        int rc = parse_rc(text, NULL, &e);
        free(text);
        if (rc != RAMPART_EFORMAT || strstr(e.message, bad[i].msg) == NULL || strncmp(e.message, "builders: ", 10) != 0)
            TH_FAIL("case %zu: %s \"%s\", expected RAMPART_EFORMAT \"%s\"", i, rampart_error_name(rc), e.message,
                    bad[i].msg);
    }
    static const char *const files[] = {
        "[]",
        "{}",
        "not json",
        "{\"version\":1}",
        "{\"version\":1,\"keys\":{}}",
        "{\"keys\":{},\"builders\":[]}",
        "{\"version\":1,\"keys\":{\"k\":{\"keytype\":\"ed25519\"}},\"builders\":[]}",
        "{\"version\":1,\"version\":1,\"keys\":{},\"builders\":[]}",
    };
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(files); i++) {
        rerr e = {0};
        int rc = parse_rc(files[i], NULL, &e);
        if (rc != RAMPART_EFORMAT || strncmp(e.message, "builders: ", 10) != 0)
            TH_FAIL("file %zu: %s (%s), expected RAMPART_EFORMAT", i, rampart_error_name(rc), e.message);
    }
    /* A key librampart cannot verify. */
    char *pub = pt_public(ci);
    char text[1024];
    snprintf(text, sizeof(text),
             "{\"version\":1,\"keys\":{\"k\":{\"keytype\":\"dsa\",\"scheme\":\"dsa\",\"keyval\":{\"public\":\"%s\"}}},"
             "\"builders\":[{\"id\":\"b\",\"level\":3,\"keys\":[\"k\"]}]}",
             pub);
    free(pub);
    CHECK_RC(parse_rc(text, NULL, NULL), RAMPART_EUNSUPPORTED);
    CHECK_RC(rprov_builders_parse(NULL, "{}", 2, NULL), RAMPART_EINVAL);
}

static void matching(void)
{
    char *text =
        file_text("[{\"id\":\"https://ci.example.com/builders/release@\",\"level\":3,\"keys\":[\"ci\"]},"
                  "{\"id\":\"https://ci.example.com/builders/release@v1/nightly@\",\"level\":1,"
                  "\"keys\":[\"ci2\"]},"
                  "{\"id\":\"https://ci.example.com/builders/release@v0\",\"level\":2,\"keys\":[\"ci2\",\"ci\"]},"
                  "{\"id\":\"https://ci.example.com/exact\",\"level\":2,\"keys\":[\"ci2\"]}]",
                  NULL);
    rprov_builders *bs = NULL;
    rerr e = {0};
    CHECK_OK(parse_rc(text, &bs, &e));
    free(text);
    if (bs == NULL)
        return;
    CHECK(bs->n == 4 && bs->nkeys == 2);
    CHECK(bs->b[0].prefix && !bs->b[2].prefix && bs->b[0].level == 3 && bs->b[2].nkeys == 2);
    const rprov_builder *b = rprov_builders_find(bs, PT_BUILDER); /* ...release@v1 */
    CHECK(b == &bs->b[0]);
    /* the exact id wins over the prefix it also starts with */
    CHECK(rprov_builders_find(bs, "https://ci.example.com/builders/release@v0") == &bs->b[2]);
    /* the longest prefix wins */
    CHECK(rprov_builders_find(bs, "https://ci.example.com/builders/release@v1/nightly@3") == &bs->b[1]);
    /* an id without '@' is exact only */
    CHECK(rprov_builders_find(bs, "https://ci.example.com/exact") == &bs->b[3]);
    CHECK(rprov_builders_find(bs, "https://ci.example.com/exact2") == NULL);
    CHECK(rprov_builders_find(bs, "https://ci.example.com/builders/release") == NULL);
    CHECK(rprov_builders_find(bs, "https://ci.example.com/builders/releasex@v1") == NULL);
    CHECK(rprov_builders_find(bs, NULL) == NULL && rprov_builders_find(NULL, PT_BUILDER) == NULL);

    /* signatures: by the declared key, by another declared key of the file, by a stranger, none */
    pt_stmt st = pt_default();
    rprivkey *one[1] = {ci}, *other[1] = {ci2}, *strange[1] = {stranger}, *both[2] = {stranger, ci2};
    struct {
        rprivkey **keys;
        size_t n;
        const rprov_builder *b;
        int rc;
        const char *key;
    } cases[] = {
        {one, 1, &bs->b[0], 0, "ci"},
        {other, 1, &bs->b[0], RAMPART_EPROVSIG, NULL}, /* ci2 is in the file, but not declared for b[0] */
        {strange, 1, &bs->b[0], RAMPART_EPROVSIG, NULL},
        {NULL, 0, &bs->b[0], RAMPART_EPROVSIG, NULL},
        {both, 2, &bs->b[2], 0, "ci2"},
        {one, 1, &bs->b[2], 0, "ci"},
    };
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(cases); i++) {
        char *env = pt_attestation(&st, cases[i].keys, cases[i].n);
        rampart_dsse *d = NULL;
        CHECK_OK(rampart_dsse_parse(&d, env, strlen(env), NULL));
        const char *key = NULL;
        int rc = d != NULL ? rprov_builder_signed(bs, cases[i].b, d, &key) : -1;
        if (rc != cases[i].rc || (cases[i].key != NULL ? key == NULL || strcmp(key, cases[i].key) != 0 : key != NULL))
            TH_FAIL("signature case %zu: %s key %s", i, rampart_error_name(rc), key != NULL ? key : "(none)");
        rampart_dsse_free(d);
        free(env);
    }
    /* a signature over another payload (the envelope edited) does not count */
    char *env = pt_attestation(&st, one, 1);
    char *p = strstr(env, "\"payload\":\"");
    if (p != NULL)
        p[12] = p[12] == 'A' ? 'B' : 'A';
    rampart_dsse *d = NULL;
    CHECK_OK(rampart_dsse_parse(&d, env, strlen(env), NULL));
    const char *key = NULL;
    if (d != NULL)
        CHECK_RC(rprov_builder_signed(bs, &bs->b[0], d, &key), RAMPART_EPROVSIG);
    CHECK_RC(rprov_builder_signed(bs, NULL, d, &key), RAMPART_EINVAL);
    rampart_dsse_free(d);
    free(env);
    rprov_builders_free(bs);
    rprov_builders_free(NULL);
}

int main(void)
{
    ci = pt_gen(RKEY_ED25519);
    ci2 = pt_gen(RKEY_ECDSA_P256);
    stranger = pt_gen(RKEY_ED25519);
    RUN(refusals);
    RUN(matching);
    rprivkey_free(ci);
    rprivkey_free(ci2);
    rprivkey_free(stranger);
    return th_summary("test_prov_builders");
}
