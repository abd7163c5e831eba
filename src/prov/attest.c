/*
 * attest.c - creating SLSA Provenance v1 attestations (rampart_attest): the
 * in-toto statement is built with jansson and serialised as canonical JSON
 * (compact and deterministic), signed over its DSSE PAE by each signer,
 * and wrapped in a one-line DSSE envelope (standard base64, keyid = the
 * signer's TUF keyid).
 */
#include <string.h>

#include "prov/prov.h"
#include "util/codec.h"
#include "util/json.h"
#include "util/banned.h"

#define BAD(e, ...) rerr_set((e), RAMPART_EINVAL, NULL, __VA_ARGS__)

static int add_subject(json_t *arr, const rampart_attest_subject *sub, size_t i, rerr *e)
{
    char hex[65];
    if (sub->file != NULL) {
        rprov_digests d = {0};
        int rc = rprov_hash_file(sub->file, &d, e);
        if (rc != 0)
            return rc;
        rhex_encode(hex, d.sha256, 32);
    } else if (sub->sha256 != NULL && rhex_valid(sub->sha256, strlen(sub->sha256), false) &&
               strlen(sub->sha256) == 64) {
        for (size_t k = 0; k < 64; k++)
            hex[k] = (char)(sub->sha256[k] >= 'A' && sub->sha256[k] <= 'F' ? sub->sha256[k] + 32 : sub->sha256[k]);
        hex[64] = '\0';
    } else {
        return BAD(e, "subject %zu needs a file or a sha256 of 64 hex characters", i);
    }
    const char *name = sub->name;
    if (name == NULL && sub->file != NULL) {
        name = strrchr(sub->file, '/');
        name = name != NULL ? name + 1 : sub->file;
    }
    json_t *o = json_pack("{s:s,s:{s:s}}", "name", name != NULL ? name : "_", "digest", "sha256", hex);
    if (o == NULL || json_array_append_new(arr, o) != 0)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    return 0;
}

/* RFC 3986 §2: a URI holds no control character and no space (nor DEL);
 * a builder id with one would be recorded, and later shown, as given. */
static bool uri_chars_ok(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; p != NULL && *p != '\0'; p++)
        if (*p <= 0x20 || *p == 0x7F)
            return false;
    return true;
}

/* A source revision (a tag, a branch) is free text but one line of it. */
static bool text_chars_ok(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; p != NULL && *p != '\0'; p++)
        if (*p < 0x20 || *p == 0x7F)
            return false;
    return true;
}

static int check_options(const rampart_attest_options *o, size_t nsigners, rerr *e)
{
    if (o == NULL || o->version != RAMPART_ATTEST_OPTIONS_VERSION)
        return BAD(e, "invalid options");
    if (o->subject_count == 0 || o->subjects == NULL)
        return BAD(e, "an attestation needs at least one subject");
    if (o->builder_id == NULL || o->builder_id[0] == '\0')
        return BAD(e, "an attestation needs a builder id");
    if (!uri_chars_ok(o->builder_id) || !uri_chars_ok(o->build_type) || !uri_chars_ok(o->source_uri))
        return BAD(e, "the builder id, build type and source URI must be URIs: no spaces or control characters");
    if (!text_chars_ok(o->source_revision))
        return BAD(e, "the source revision must not hold control characters");
    if (nsigners == 0 || nsigners > RDSSE_MAX_SIGS)
        return BAD(e, "an attestation needs 1 to %d signers", RDSSE_MAX_SIGS);
    bool src = o->source_uri != NULL && o->source_uri[0] != '\0';
    if (!src && ((o->source_revision != NULL && o->source_revision[0] != '\0') || o->source_commit != NULL))
        return BAD(e, "a source revision or commit needs a source URI");
    if (src && strchr(o->source_uri + rprov_source_split(o->source_uri, strlen(o->source_uri)), '@') != NULL)
        return BAD(e, "the source URI must not hold a revision ('@'): give it as the source revision");
    size_t cl = o->source_commit != NULL ? strlen(o->source_commit) : 0;
    if (o->source_commit != NULL && !((cl == 40 || cl == 64) && rhex_valid(o->source_commit, cl, true)))
        return BAD(e, "the source commit must be 40 or 64 lower-case hex characters");
    if (o->param_count > 0 && (o->param_names == NULL || o->param_values == NULL))
        return BAD(e, "parameters without names or values");
    for (size_t i = 0; i < o->param_count; i++) {
        if (o->param_names[i] == NULL || o->param_names[i][0] == '\0' || o->param_values[i] == NULL)
            return BAD(e, "parameter %zu has no name or no value", i);
        for (size_t j = 0; j < i; j++)
            if (strcmp(o->param_names[i], o->param_names[j]) == 0)
                return BAD(e, "parameter '%s' is given twice", o->param_names[i]);
    }
    return 0;
}

/* buildDefinition: the build type, the source and parameters, the source as a resolved dependency. */
static json_t *build_definition(const rampart_attest_options *o)
{
    json_t *ext = json_object(),
           *bd = json_pack("{s:s}", "buildType", o->build_type != NULL ? o->build_type : RAMPART_ATTEST_BUILD_TYPE);
    bool ok = ext != NULL && bd != NULL;
    const char *rev = o->source_revision != NULL && o->source_revision[0] != '\0' ? o->source_revision : NULL;
    if (ok && o->source_uri != NULL && o->source_uri[0] != '\0') {
        /* Each new object is attached to its parent first, so that a failure
         * later leaves nothing to release but the root. */
        json_t *src = json_pack("{s:s}", "uri", o->source_uri);
        ok = json_object_set_new(ext, "source", src) == 0 &&
             (rev == NULL || json_object_set_new(src, "revision", json_string(rev)) == 0);
        rbuf u;
        rbuf_init(&u, (size_t)2 * RPROV_MAX_STRING);
        ok = ok && rbuf_append_str(&u, o->source_uri) == 0 && (rev == NULL || rbuf_appendf(&u, "@%s", rev) == 0);
        json_t *deps = ok ? json_array() : NULL, *dep = ok ? json_pack("{s:s}", "uri", (const char *)u.data) : NULL;
        rbuf_free(&u);
        /* json_object_set_new and json_array_append_new take their value
         * even when they fail. */
        if (ok && json_object_set_new(bd, "resolvedDependencies", deps) != 0) {
            ok = false;
            json_decref(dep);
        } else if (ok) {
            ok = json_array_append_new(deps, dep) == 0;
        }
        if (ok && o->source_commit != NULL)
            ok = json_object_set_new(dep, "digest", json_pack("{s:s}", "gitCommit", o->source_commit)) == 0;
    }
    if (ok && o->param_count > 0) {
        json_t *params = json_object();
        ok = params != NULL && json_object_set_new(ext, "parameters", params) == 0;
        for (size_t i = 0; ok && i < o->param_count; i++)
            ok = json_object_set_new(params, o->param_names[i], json_string(o->param_values[i])) == 0;
    }
    ok = ok && json_object_set_new(bd, "externalParameters", ext) == 0;
    if (!ok) {
        json_decref(bd);
        return NULL;
    }
    return bd;
}

static json_t *statement(const rampart_attest_options *o, json_t *subjects)
{
    json_t *rd = json_pack("{s:{s:s}}", "builder", "id", o->builder_id);
    if (rd != NULL && o->invocation_id != NULL &&
        json_object_set_new(rd, "metadata", json_pack("{s:s}", "invocationId", o->invocation_id)) != 0) {
        json_decref(rd);
        rd = NULL;
    }
    json_t *bd = build_definition(o);
    if (rd == NULL || bd == NULL) {
        json_decref(rd);
        json_decref(bd);
        return NULL;
    }
    return json_pack("{s:s,s:O,s:s,s:{s:o,s:o}}", "_type", RAMPART_INTOTO_STATEMENT_V1, "subject", subjects,
                     "predicateType", RAMPART_SLSA_PROVENANCE_V1, "predicate", "buildDefinition", bd, "runDetails", rd);
}

/* The envelope of `payload`, signed by each signer. */
static int envelope(rampart_signer *const *signers, size_t n, rslice payload, rbuf *out, rerr *e)
{
    rbuf pae, b64;
    rbuf_init(&pae, SIZE_MAX - 1);
    rbuf_init(&b64, SIZE_MAX - 1);
    json_t *sigs = json_array();
    int rc = sigs == NULL ? RAMPART_ENOMEM : rdsse_pae(&pae, rslice_cstr(RAMPART_INTOTO_PAYLOAD_TYPE), payload);
    if (rc != 0)
        rerr_set(e, rc, NULL, "out of memory");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        unsigned char sig[RAMPART_SIGNATURE_MAX];
        size_t siglen = 0;
        if (signers[i] == NULL) {
            rc = BAD(e, "signer %zu is NULL", i);
            break;
        }
        if ((rc = rampart_signer_sign(signers[i], pae.data, pae.len, sig, &siglen, e)) != 0)
            break;
        rbuf_reset(&b64);
        json_t *s = NULL;
        if (rb64_encode(&b64, sig, siglen, RB64_STD) != 0 ||
            (s = json_pack("{s:s,s:s}", "keyid", rampart_signer_keyid(signers[i]), "sig", (const char *)b64.data)) ==
                NULL ||
            json_array_append_new(sigs, s) != 0)
            rc = rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    }
    rbuf_reset(&b64);
    json_t *env = NULL;
    if (rc == 0 && (rb64_encode(&b64, payload.p, payload.n, RB64_STD) != 0 ||
                    (env = json_pack("{s:s,s:s,s:O}", "payload", (const char *)b64.data, "payloadType",
                                     RAMPART_INTOTO_PAYLOAD_TYPE, "signatures", sigs)) == NULL))
        rc = rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    if (rc == 0 && ((rc = rjson_canonical(env, out, e)) != 0 || (rc = rbuf_append_byte(out, '\n')) != 0))
        rerr_set(e, rc, NULL, "cannot serialise the envelope");
    json_decref(env);
    json_decref(sigs);
    rbuf_free(&pae);
    rbuf_free(&b64);
    return rc;
}

int rampart_attest(const rampart_attest_options *o, rampart_signer *const *signers, size_t nsigners, char **out,
                   size_t *outlen, rampart_error *err)
{
    if (out == NULL || (signers == NULL && nsigners > 0))
        return BAD(err, "invalid argument");
    int rc = check_options(o, nsigners, err);
    if (rc != 0)
        return rc;
    json_t *subjects = json_array(), *st = NULL;
    if (subjects == NULL)
        return rerr_set(err, RAMPART_ENOMEM, NULL, "out of memory");
    for (size_t i = 0; rc == 0 && i < o->subject_count; i++)
        rc = add_subject(subjects, &o->subjects[i], i, err);
    if (rc == 0 && (st = statement(o, subjects)) == NULL)
        rc = rerr_set(err, RAMPART_ENOMEM, NULL, "out of memory");
    rbuf payload, env;
    rbuf_init(&payload, RAMPART_ATTESTATION_MAX);
    rbuf_init(&env, RAMPART_ATTESTATION_MAX);
    if (rc == 0)
        rc = rjson_canonical(st, &payload, err);
    if (rc == 0)
        rc = envelope(signers, nsigners, rbuf_slice(&payload), &env, err);
    json_decref(st);
    json_decref(subjects);
    rbuf_free(&payload);
    if (rc != 0) {
        rbuf_free(&env);
        return rc;
    }
    size_t n;
    uint8_t *p = rbuf_detach(&env, &n);
    rbuf_free(&env);
    if (p == NULL)
        return rerr_set(err, RAMPART_ENOMEM, NULL, "out of memory");
    *out = (char *)p;
    if (outlen != NULL)
        *outlen = n;
    return 0;
}
