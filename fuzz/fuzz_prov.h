/*
 * fuzz_prov.h - what the provenance targets (dsse, prov_policy, prov_verify)
 * share: fixed keys, the artifact their seeds are about, the DSSE PAE
 * written out by hand, and the check of a parsed statement against its JSON.
 *
 * The keys are public test keys, so the seeds carry real signatures:
 *   A, B  the Ed25519 keys of RFC 8032 section 7.1, TEST 1 and TEST 2 (the
 *         DSSE repository's test vectors use them too); their private keys
 *         are printed in the RFC, fuzz/prov_seeds.py signs seeds with them
 *         and prov_verify signs payloads with them ("sign" envelopes);
 *   E     the ECDSA P-256 key of the DSSE specification's test vector
 *         (tests/vectors/dsse/spec-ecdsa.pub.pem).
 * The artifact is the file "app-1.2.0.tar.gz" holding FUZZ_ARTIFACT.
 */
#ifndef RAMPART_FUZZ_PROV_H
#define RAMPART_FUZZ_PROV_H

#include "fuzz_common.h"
#include "keys/keys.h"
#include "prov/prov.h"
#include "tuf/match.h"
#include "util/codec.h"
#include "util/jdoc.h"

#define FUZZ_KEY_A "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
#define FUZZ_KEY_B "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"
#define FUZZ_KEY_E                                                                                                     \
    "-----BEGIN PUBLIC KEY-----\n"                                                                                     \
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEZ805D3eqNZywjCI19lInBJOp7YMr\n"                                               \
    "CrzAH3CVTAOQ0jgMeCvVTiaRJaRPRDOv8UMs6U4SvKc6pnrIDOoSYI3fdA==\n"                                                   \
    "-----END PUBLIC KEY-----\n"
#define FUZZ_ARTIFACT "app 1.2.0\n"

typedef struct fuzz_prov_fixed {
    rkey *a, *a2, *b, *e; /* a2: a second key object for A */
    rampart_public_key *pa, *pb, *pe;
    rprov_digests art; /* sha256 and sha512 of FUZZ_ARTIFACT */
    char art256[65], art512[129];
} fuzz_prov_fixed;

/* The fixed keys and digests, made on first use (kept for the process). */
static inline const fuzz_prov_fixed *fuzz_prov_get(void)
{
    static fuzz_prov_fixed f;
    static bool done;
    if (done)
        return &f;
    rslice ed = rslice_cstr("ed25519"), ec = rslice_cstr("ecdsa"), ecs = rslice_cstr("ecdsa-sha2-nistp256");
    FUZZ_CHECK(rkey_from_tuf(&f.a, ed, ed, rslice_cstr(FUZZ_KEY_A), NULL) == 0);
    FUZZ_CHECK(rkey_from_tuf(&f.a2, ed, ed, rslice_cstr(FUZZ_KEY_A), NULL) == 0);
    FUZZ_CHECK(rkey_from_tuf(&f.b, ed, ed, rslice_cstr(FUZZ_KEY_B), NULL) == 0);
    FUZZ_CHECK(rkey_from_tuf(&f.e, ec, ecs, rslice_cstr(FUZZ_KEY_E), NULL) == 0);
    FUZZ_CHECK(rpub_new(&f.pa, ed, ed, rslice_cstr(FUZZ_KEY_A), NULL) == 0);
    FUZZ_CHECK(rpub_new(&f.pb, ed, ed, rslice_cstr(FUZZ_KEY_B), NULL) == 0);
    FUZZ_CHECK(rpub_new(&f.pe, ec, ecs, rslice_cstr(FUZZ_KEY_E), NULL) == 0);
    uint8_t d[RHASH_MAX_LEN];
    FUZZ_CHECK(rhash_digest(RHASH_SHA256, FUZZ_ARTIFACT, strlen(FUZZ_ARTIFACT), d) == 0);
    memcpy(f.art.sha256, d, 32);
    rhex_encode(f.art256, d, 32);
    FUZZ_CHECK(rhash_digest(RHASH_SHA512, FUZZ_ARTIFACT, strlen(FUZZ_ARTIFACT), d) == 0);
    memcpy(f.art.sha512, d, 64);
    rhex_encode(f.art512, d, 64);
    f.art.has256 = f.art.has512 = true;
    done = true;
    return &f;
}

/* PAE(type, body) as the DSSE protocol defines it, written out without
 * rdsse_pae: "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body.  A new
 * malloc'ed buffer of *n bytes. */
static inline uint8_t *fuzz_pae(const uint8_t *type, size_t tn, const uint8_t *body, size_t bn, size_t *n)
{
    char h1[48], h2[48];
    int l1 = snprintf(h1, sizeof(h1), "DSSEv1 %zu ", tn), l2 = snprintf(h2, sizeof(h2), " %zu ", bn);
    FUZZ_CHECK(l1 > 0 && l2 > 0);
    *n = (size_t)l1 + tn + (size_t)l2 + bn;
    uint8_t *p = malloc(*n + 1), *w = p;
    FUZZ_CHECK(p != NULL);
    memcpy(w, h1, (size_t)l1);
    w += l1;
    if (tn)
        memcpy(w, type, tn);
    w += tn;
    memcpy(w, h2, (size_t)l2);
    w += l2;
    if (bn)
        memcpy(w, body, bn);
    return p;
}

/* rprov_subject_matches read from its comment in prov.h, over the public
 * accessors: some subject shares sha256 or sha512 with `want`, and every
 * shared digest is equal. */
static inline bool fuzz_subject_matches(const rampart_statement *s, const rprov_digests *want)
{
    char w256[65], w512[129];
    rhex_encode(w256, want->sha256, 32);
    rhex_encode(w512, want->sha512, 64);
    for (size_t i = 0; i < rampart_statement_subject_count(s); i++) {
        const char *h256 = rampart_statement_subject_digest(s, i, "sha256");
        const char *h512 = rampart_statement_subject_digest(s, i, "sha512");
        bool s256 = want->has256 && h256 != NULL, s512 = want->has512 && h512 != NULL;
        if ((s256 || s512) && (!s256 || strcmp(h256, w256) == 0) && (!s512 || strcmp(h512, w512) == 0))
            return true;
    }
    return false;
}

/* Member `key` of `obj` as in-toto reads it: JD_NONE when absent or null. */
static inline jd_ref fuzz_member(const jdoc *d, jd_ref obj, const char *key)
{
    jd_ref r = jdoc_get(d, obj, key);
    return jdoc_type(d, r) == JD_NULL ? JD_NONE : r;
}

/* A string accessor's value against member `key` of `obj`: NULL exactly
 * when the member is unset or empty, else the same bytes. */
static inline void fuzz_check_str(const jdoc *d, jd_ref obj, const char *key, const char *got)
{
    rslice want = jdoc_str(d, fuzz_member(d, obj, key));
    if (want.n == 0)
        FUZZ_CHECK(got == NULL);
    else
        FUZZ_CHECK(got != NULL && rslice_eq_cstr(want, got) && want.n <= RPROV_MAX_STRING);
}

/* A digest accessor against the DigestSet member: NULL when absent, else
 * the JSON's hex in lower case. */
static inline void fuzz_check_digest(const jdoc *d, jd_ref digest, const char *alg, const char *got, size_t hexlen)
{
    jd_ref v = jdoc_get(d, digest, alg);
    if (v == JD_NONE) {
        FUZZ_CHECK(got == NULL);
        return;
    }
    rslice want = jdoc_str(d, v);
    FUZZ_CHECK(got != NULL && strlen(got) == hexlen && want.n == hexlen);
    for (size_t i = 0; i < hexlen; i++) {
        char c = (char)want.p[i];
        FUZZ_CHECK(got[i] == (c >= 'A' && c <= 'F' ? c + 32 : c));
        FUZZ_CHECK((got[i] >= '0' && got[i] <= '9') || (got[i] >= 'a' && got[i] <= 'f'));
    }
}

/* A statement that parsed from payload p[0..n) says what its JSON says:
 * the subjects in order (name, sha256, sha512; at most
 * RPROV_MAX_SUBJECTS), the predicate type, and for SLSA provenance only
 * the builder, the build type and the source: resolvedDependencies[0].uri
 * split at rprov_source_split, whose parts joined by '@' give the uri back
 * and whose repository part splits no further. */
static inline void fuzz_check_statement(const rampart_statement *s, const uint8_t *p, size_t n)
{
    jdoc *d = NULL;
    jd_limits lim = {.max_bytes = RAMPART_ATTESTATION_MAX};
    FUZZ_CHECK(jdoc_parse(&d, p, n, false, &lim, NULL) == 0);
    jd_ref root = jdoc_root(d), subj = jdoc_get(d, root, "subject");
    size_t ns = rampart_statement_subject_count(s);
    FUZZ_CHECK(ns >= 1 && ns <= RPROV_MAX_SUBJECTS && ns == jdoc_count(d, subj));
    size_t i = 0;
    for (jd_ref r = jdoc_first(d, subj); r != JD_NONE; r = jdoc_next(d, r), i++) {
        const char *name = rampart_statement_subject_name(s, i);
        FUZZ_CHECK(name != NULL && rslice_eq_cstr(jdoc_str(d, fuzz_member(d, r, "name")), name));
        jd_ref dig = fuzz_member(d, r, "digest");
        FUZZ_CHECK(jdoc_count(d, dig) >= 1);
        fuzz_check_digest(d, dig, "sha256", rampart_statement_subject_digest(s, i, "sha256"), 64);
        fuzz_check_digest(d, dig, "sha512", rampart_statement_subject_digest(s, i, "sha512"), 128);
        FUZZ_CHECK(rampart_statement_subject_digest(s, i, "gitCommit") == NULL);
    }
    FUZZ_CHECK(rampart_statement_subject_name(s, ns) == NULL &&
               rampart_statement_subject_digest(s, ns, "sha256") == NULL);
    const char *pt = rampart_statement_predicate_type(s);
    FUZZ_CHECK(pt != NULL && pt[0] != '\0');
    fuzz_check_str(d, root, "predicateType", pt);
    bool slsa = strcmp(pt, RAMPART_SLSA_PROVENANCE_V1) == 0;
    FUZZ_CHECK(s->slsa == slsa);
    if (!slsa) {
        FUZZ_CHECK(rampart_statement_builder_id(s) == NULL && rampart_statement_build_type(s) == NULL);
        FUZZ_CHECK(rampart_statement_source_uri(s) == NULL && rampart_statement_source_revision(s) == NULL);
        jdoc_free(d);
        return;
    }
    jd_ref pred = jdoc_get(d, root, "predicate"), bd = jdoc_get(d, pred, "buildDefinition");
    jd_ref builder = jdoc_get(d, jdoc_get(d, pred, "runDetails"), "builder");
    FUZZ_CHECK(rampart_statement_builder_id(s) != NULL && rampart_statement_build_type(s) != NULL);
    fuzz_check_str(d, builder, "id", rampart_statement_builder_id(s));
    fuzz_check_str(d, bd, "buildType", rampart_statement_build_type(s));
    rslice uri = jdoc_str(d, fuzz_member(d, jdoc_first(d, fuzz_member(d, bd, "resolvedDependencies")), "uri"));
    const char *su = rampart_statement_source_uri(s), *rev = rampart_statement_source_revision(s);
    if (uri.n == 0) {
        FUZZ_CHECK(su == NULL && rev == NULL);
    } else {
        FUZZ_CHECK(su != NULL);
        size_t un = strlen(su), rn = rev != NULL ? strlen(rev) : 0;
        FUZZ_CHECK(rprov_source_split(su, un) == un);
        FUZZ_CHECK(uri.n == un + (rev != NULL ? 1 + rn : 0) && memcmp(uri.p, su, un) == 0);
        FUZZ_CHECK(rev == NULL || (uri.p[un] == '@' && memcmp(uri.p + un + 1, rev, rn) == 0));
    }
    jdoc_free(d);
}

/* The effective rule for `path` is the first rule with a matching pattern
 * (tuf_glob_match), else the default, with every unset member taken from
 * the default (policy.c); its key indices are the policy's, distinct; a
 * rule that evaluates provenance has keys, builder ids and a threshold from
 * 1 to its number of distinct keys (check_rule).  The public accessors
 * agree.  Returns the effective rule in *out. */
static inline void fuzz_check_select(const rampart_prov_policy *p, const char *path, rprov_eff *out)
{
    const rprov_rule *want = &p->def;
    for (size_t i = 0; i < p->nrules && want == &p->def; i++)
        for (size_t j = 0; j < p->rules[i].paths.n && want == &p->def; j++)
            if (tuf_glob_match(rslice_cstr(p->rules[i].paths.v[j]), rslice_cstr(path)))
                want = &p->rules[i];
    const rprov_rule *def = &p->def, *kr = want->keys_set ? want : def;
    rprov_eff f;
    memset(&f, 0xa5, sizeof(f));
    rprov_policy_select(p, path, &f);
    FUZZ_CHECK(f.name == want->name);
    FUZZ_CHECK(f.provenance == (want->provenance >= 0 ? want->provenance : def->provenance));
    FUZZ_CHECK(f.provenance >= RAMPART_PROV_NONE && f.provenance <= RAMPART_PROV_REQUIRED);
    FUZZ_CHECK(f.keys == kr->keys && f.nkeys == kr->nkeys);
    FUZZ_CHECK(f.threshold == (want->threshold ? want->threshold : def->threshold ? def->threshold : 1));
    FUZZ_CHECK(f.builder_ids == (want->builder_ids.set ? &want->builder_ids : &def->builder_ids));
    FUZZ_CHECK(f.build_types == (want->build_types.set ? &want->build_types : &def->build_types));
    FUZZ_CHECK(f.source_uris == (want->source_uris.set ? &want->source_uris : &def->source_uris));
    FUZZ_CHECK(f.version_tag == ((want->version_tag >= 0 ? want->version_tag : def->version_tag) == 1));
    size_t distinct = 0;
    for (size_t i = 0; i < f.nkeys; i++) {
        FUZZ_CHECK(f.keys[i] < p->nkeys);
        bool dup = false;
        for (size_t j = 0; j < i; j++) {
            FUZZ_CHECK(f.keys[j] != f.keys[i]);
            dup = dup || rdigest_eq(rkey_fingerprint(p->keys[f.keys[i]]), rkey_fingerprint(p->keys[f.keys[j]]),
                                    RKEY_FINGERPRINT_LEN);
        }
        distinct += dup ? 0 : 1;
    }
    FUZZ_CHECK(f.threshold >= 1);
    if (f.provenance != RAMPART_PROV_NONE)
        FUZZ_CHECK(f.nkeys >= 1 && f.builder_ids->set && f.builder_ids->n >= 1 && f.threshold <= distinct);
    FUZZ_CHECK(rampart_prov_policy_requirement(p, path) == f.provenance);
    FUZZ_CHECK(rampart_prov_policy_rule_name(p, path) == f.name);
    *out = f;
}

#endif
