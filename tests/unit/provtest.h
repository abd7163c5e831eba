/*
 * provtest.h - helpers for the provenance tests (test_prov_*.c and
 * test_client_prov.c): builder keys, statements built field by field with
 * jansson (independently of rampart_attest), and DSSE envelopes signed
 * here over a PAE written out by hand.  Header-only; every helper aborts
 * the test program on an internal failure (a helper bug is not a result).
 */
#ifndef RAMPART_TEST_PROVTEST_H
#define RAMPART_TEST_PROVTEST_H

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/hash.h"
#include "crypto/privkey.h"
#include "keys/keys.h"
#include "rampart/provenance.h"
#include "util/codec.h"

static inline void pt_die(const char *what)
{
    fprintf(stderr, "provtest: %s\n", what);
    abort();
}

static inline rprivkey *pt_gen(rkey_scheme s)
{
    rprivkey *k = NULL;
    if (rprivkey_generate(&k, s, 3072, NULL) != 0)
        pt_die("generate");
    return k;
}

/* The TUF "public" value of a key (malloc'ed). */
static inline char *pt_public(const rprivkey *k)
{
    rbuf b;
    rbuf_init(&b, 1 << 16);
    if (rprivkey_public_tuf(k, &b, NULL) != 0)
        pt_die("public");
    char *s = strdup((const char *)b.data);
    rbuf_free(&b);
    return s;
}

/* The key as a rampart_public_key (free with rampart_public_key_free). */
static inline rampart_public_key *pt_pub(const rprivkey *k)
{
    char *pub = pt_public(k);
    rkey_scheme s = rprivkey_scheme(k);
    rampart_public_key *out = NULL;
    if (rpub_new(&out, rslice_cstr(rkey_scheme_keytype(s)), rslice_cstr(rkey_scheme_name(s)), rslice_cstr(pub), NULL) !=
        0)
        pt_die("rpub_new");
    free(pub);
    return out;
}

/* The key as a TUF key object (a new reference). */
static inline json_t *pt_key_json(const rprivkey *k)
{
    char *pub = pt_public(k);
    rkey_scheme s = rprivkey_scheme(k);
    json_t *o = json_pack("{s:s,s:s,s:{s:s}}", "keytype", rkey_scheme_keytype(s), "scheme", rkey_scheme_name(s),
                          "keyval", "public", pub);
    free(pub);
    if (o == NULL)
        pt_die("key json");
    return o;
}

/* Lower-case hex SHA-256 of bytes. */
static inline void pt_sha256(const void *p, size_t n, char hex[65])
{
    uint8_t d[RHASH_MAX_LEN];
    if (rhash_digest(RHASH_SHA256, p, n, d) != 0)
        pt_die("sha256");
    rhex_encode(hex, d, 32);
}

/* Lower-case hex SHA-512 of bytes. */
static inline void pt_sha512(const void *p, size_t n, char hex[129])
{
    uint8_t d[RHASH_MAX_LEN];
    if (rhash_digest(RHASH_SHA512, p, n, d) != 0)
        pt_die("sha512");
    rhex_encode(hex, d, 64);
}

/* The fields of a statement; NULL leaves a field out. */
typedef struct pt_stmt {
    const char *type;           /* _type */
    const char *subject_sha256; /* hex */
    const char *predicate_type;
    const char *builder_id;
    const char *build_type;
    const char *source;         /* resolvedDependencies[0].uri */
    const char *subject_sha512; /* hex, or NULL: the subject records no sha512 */
    const char *subject_name;   /* NULL: "app-1.2.0.tar.gz" */
} pt_stmt;

#define PT_ARTIFACT "release 1.2.0 of the app\n"
#define PT_BUILDER "https://ci.example.com/builders/release@v1"
#define PT_BUILD_TYPE "https://ci.example.com/build-types/make@v1"
#define PT_SOURCE "git+https://git.example.com/org/app"

/* A statement about PT_ARTIFACT from PT_BUILDER, built from PT_SOURCE at refs/tags/v1.2.0. */
static inline pt_stmt pt_default(void)
{
    static char hex[65];
    pt_sha256(PT_ARTIFACT, strlen(PT_ARTIFACT), hex);
    pt_stmt s = {"https://in-toto.io/Statement/v1",
                 hex,
                 "https://slsa.dev/provenance/v1",
                 PT_BUILDER,
                 PT_BUILD_TYPE,
                 PT_SOURCE "@refs/tags/v1.2.0",
                 NULL,
                 NULL};
    return s;
}

/* The statement as JSON text (malloc'ed). */
static inline char *pt_statement_json(const pt_stmt *s)
{
    json_t *st = json_object(), *pred = json_object(), *bd = json_object(), *rd = json_object();
    if (s->type)
        json_object_set_new(st, "_type", json_string(s->type));
    json_t *digest = json_pack("{s:s}", "sha256", s->subject_sha256 ? s->subject_sha256 : "00");
    if (s->subject_sha512)
        json_object_set_new(digest, "sha512", json_string(s->subject_sha512));
    json_object_set_new(
        st, "subject",
        json_pack("[{s:s,s:o}]", "name", s->subject_name ? s->subject_name : "app-1.2.0.tar.gz", "digest", digest));
    if (s->predicate_type)
        json_object_set_new(st, "predicateType", json_string(s->predicate_type));
    if (s->build_type)
        json_object_set_new(bd, "buildType", json_string(s->build_type));
    json_object_set_new(bd, "externalParameters", json_pack("{s:s}", "target", "release"));
    if (s->source)
        json_object_set_new(bd, "resolvedDependencies",
                            json_pack("[{s:s,s:{s:s}}]", "uri", s->source, "digest", "gitCommit",
                                      "0123456789abcdef0123456789abcdef01234567"));
    json_object_set_new(rd, "builder", s->builder_id ? json_pack("{s:s}", "id", s->builder_id) : json_object());
    json_object_set_new(pred, "buildDefinition", bd);
    json_object_set_new(pred, "runDetails", rd);
    json_object_set_new(st, "predicate", pred);
    char *text = json_dumps(st, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(st);
    if (text == NULL)
        pt_die("statement");
    return text;
}

/* A DSSE envelope of `payload` signed by keys[0..n) (malloc'ed text). */
static inline char *pt_envelope(const char *payload_type, const void *payload, size_t len, rprivkey *const *keys,
                                size_t n)
{
    /* PAE written out independently of rdsse_pae. */
    char head[256];
    int hl = snprintf(head, sizeof(head), "DSSEv1 %zu %s %zu ", strlen(payload_type), payload_type, len);
    uint8_t *pae = malloc((size_t)hl + len + 1);
    if (pae == NULL)
        pt_die("pae");
    memcpy(pae, head, (size_t)hl);
    if (len > 0)
        memcpy(pae + hl, payload, len);
    json_t *sigs = json_array();
    for (size_t i = 0; i < n; i++) {
        rbuf sig, b64;
        rbuf_init(&sig, 4096);
        rbuf_init(&b64, 8192);
        if (rprivkey_sign(keys[i], pae, (size_t)hl + len, &sig, NULL) != 0 ||
            rb64_encode(&b64, sig.data, sig.len, RB64_STD) != 0)
            pt_die("sign");
        json_array_append_new(sigs, json_pack("{s:s,s:s}", "keyid", "k", "sig", (const char *)b64.data));
        rbuf_free(&sig);
        rbuf_free(&b64);
    }
    free(pae);
    rbuf b64;
    rbuf_init(&b64, 1u << 24);
    if (rb64_encode(&b64, payload, len, RB64_STD) != 0)
        pt_die("payload");
    json_t *env = json_pack("{s:s,s:s,s:o}", "payload", b64.data ? (const char *)b64.data : "", "payloadType",
                            payload_type, "signatures", sigs);
    rbuf_free(&b64);
    char *text = json_dumps(env, JSON_COMPACT);
    json_decref(env);
    if (text == NULL)
        pt_die("envelope");
    return text;
}

/* The attestation of statement `s`, signed by keys[0..n). */
static inline char *pt_attestation(const pt_stmt *s, rprivkey *const *keys, size_t n)
{
    char *st = pt_statement_json(s);
    char *env = pt_envelope("application/vnd.in-toto+json", st, strlen(st), keys, n);
    free(st);
    return env;
}

#endif
