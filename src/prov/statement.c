/*
 * statement.c - in-toto Statement v1 (github.com/in-toto/attestation,
 * spec/v1/statement.md) and the SLSA Provenance v1 predicate
 * (slsa.dev/provenance/v1), parsed strictly from an envelope's payload.
 *
 * The in-toto parsing rules apply: unknown members are ignored, and unset,
 * null and empty values mean the same.  Everything that is present must
 * have its type: a string where the schema says string, an object where it
 * says object, hex of the right length for sha256/sha512 digests.
 */
#include <stdio.h>
#include <string.h>

#include "prov/prov.h"
#include "util/codec.h"
#include "util/jdoc.h"
#include "util/banned.h"

#define FAIL(e, ...) rerr_set((e), RAMPART_EPROVFORMAT, NULL, __VA_ARGS__)

void rampart_statement_free(rampart_statement *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->nsubjects; i++)
        rampart_free(s->subjects[i].name);
    rampart_free(s->subjects);
    rampart_free(s->predicate_type);
    rampart_free(s->builder_id);
    rampart_free(s->build_type);
    rampart_free(s->source_uri);
    rampart_free(s->source_rev);
    rampart_free(s);
}

/* Member `key` of `obj`, JD_NONE when absent or null (null means unset). */
static jd_ref member(const jdoc *d, jd_ref obj, const char *key)
{
    jd_ref r = jdoc_get(d, obj, key);
    return jdoc_type(d, r) == JD_NULL ? JD_NONE : r;
}

/* A member that must be of `type` when set. */
static int typed(const jdoc *d, jd_ref obj, const char *key, jd_type type, jd_ref *out, const char *where, rerr *e)
{
    static const char *const names[] = {"null", "false", "true", "an integer", "a string", "an array", "an object"};
    jd_ref r = member(d, obj, key);
    if (r != JD_NONE && jdoc_type(d, r) != type)
        return FAIL(e, "%s%s is not %s", where, key, names[type]);
    *out = r;
    return 0;
}

/* A string member copied into *out (NULL when unset or empty); EPROVFORMAT
 * when it is required and unset or empty, too long, or not a string. */
static int str_member(const jdoc *d, jd_ref obj, const char *key, bool required, char **out, const char *where, rerr *e)
{
    jd_ref r = JD_NONE;
    int rc = typed(d, obj, key, JD_STRING, &r, where, e);
    if (rc != 0)
        return rc;
    rslice s = jdoc_str(d, r);
    if (s.n == 0) {
        *out = NULL;
        return required ? FAIL(e, "%s%s is missing or empty", where, key) : 0;
    }
    if (s.n > RPROV_MAX_STRING)
        return FAIL(e, "%s%s is longer than %d bytes", where, key, RPROV_MAX_STRING);
    if ((*out = rampart_strndup((const char *)s.p, s.n)) == NULL)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    return 0;
}

/* A DigestSet: an object of strings; sha256/sha512 must be hex of their
 * length.  `d` (may be NULL) and the hex buffers (may be NULL) get them. */
static int digest_set(const jdoc *doc, jd_ref obj, const char *where, rprov_digests *d, char *hex256, char *hex512,
                      rerr *e)
{
    if (jdoc_type(doc, obj) != JD_OBJECT)
        return FAIL(e, "%sdigest is not an object", where);
    for (jd_ref k = jdoc_first(doc, obj); k != JD_NONE; k = jdoc_next_key(doc, k)) {
        rslice alg = jdoc_str(doc, k), v = jdoc_str(doc, jdoc_value(k));
        if (jdoc_type(doc, jdoc_value(k)) != JD_STRING)
            return FAIL(e, "%sdigest values must be strings", where);
        rhash_alg a = rhash_alg_from_name((const char *)alg.p, alg.n);
        if (a == RHASH_UNKNOWN)
            continue; /* kept by the producer's choice, never matched */
        rprov_digests tmp = {0};
        if (rprov_digest_from_hex(a, (const char *)v.p, v.n, &tmp) != 0)
            return FAIL(e, "%sdigest %s is not %zu hex characters", where, rhash_alg_name(a), 2 * rhash_len(a));
        if (d != NULL && a == RHASH_SHA256) {
            d->has256 = true;
            memcpy(d->sha256, tmp.sha256, 32);
        } else if (d != NULL) {
            d->has512 = true;
            memcpy(d->sha512, tmp.sha512, 64);
        }
        char *hex = a == RHASH_SHA256 ? hex256 : hex512;
        if (hex != NULL)
            rhex_encode(hex, a == RHASH_SHA256 ? tmp.sha256 : tmp.sha512, rhash_len(a));
    }
    return 0;
}

/* A ResourceDescriptor (`name` says where, for messages): one of uri,
 * digest, content set; typed fields. */
static int resource(const jdoc *d, jd_ref r, const char *name, rerr *e)
{
    if (jdoc_type(d, r) != JD_OBJECT)
        return FAIL(e, "%s is not an object", name);
    char where[96];
    (void)snprintf(where, sizeof(where), "%s.", name); /* name: a label of ours, under 80 bytes: fits */
    static const char *const strings[] = {"name", "uri", "content", "downloadLocation", "mediaType"};
    jd_ref x = JD_NONE, dig = JD_NONE, ann = JD_NONE;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < RAMPART_ARRAY_LEN(strings); i++)
        rc = typed(d, r, strings[i], JD_STRING, &x, where, e);
    if (rc == 0)
        rc = typed(d, r, "digest", JD_OBJECT, &dig, where, e);
    if (rc == 0)
        rc = typed(d, r, "annotations", JD_OBJECT, &ann, where, e);
    if (rc == 0 && dig != JD_NONE)
        rc = digest_set(d, dig, where, NULL, NULL, NULL, e);
    if (rc == 0 && jdoc_str(d, member(d, r, "uri")).n == 0 && jdoc_count(d, dig) == 0 &&
        jdoc_str(d, member(d, r, "content")).n == 0)
        rc = FAIL(e, "%s has none of uri, digest and content", name);
    return rc;
}

static int resource_list(const jdoc *d, jd_ref obj, const char *key, jd_ref *out, rerr *e)
{
    *out = JD_NONE;
    int rc = typed(d, obj, key, JD_ARRAY, out, "SLSA provenance: ", e);
    size_t i = 0;
    for (jd_ref r = jdoc_first(d, *out); rc == 0 && r != JD_NONE; r = jdoc_next(d, r), i++) {
        char where[80];
        /* key: a member name of ours (at most 20 bytes), i: at most 20 digits: fits */
        (void)snprintf(where, sizeof(where), "SLSA provenance: %s[%zu]", key, i);
        rc = resource(d, r, where, e);
    }
    return rc;
}

static int parse_subjects(rampart_statement *s, const jdoc *d, jd_ref root, rerr *e)
{
    jd_ref subj = JD_NONE;
    int rc = typed(d, root, "subject", JD_ARRAY, &subj, "statement ", e);
    if (rc != 0)
        return rc;
    size_t n = jdoc_count(d, subj);
    if (n == 0)
        return FAIL(e, "statement has no subject");
    if (n > RPROV_MAX_SUBJECTS)
        return FAIL(e, "statement has more than %d subjects", RPROV_MAX_SUBJECTS);
    if ((s->subjects = rampart_calloc(n, sizeof(*s->subjects))) == NULL)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    for (jd_ref r = jdoc_first(d, subj); rc == 0 && r != JD_NONE; r = jdoc_next(d, r)) {
        rprov_subject *x = &s->subjects[s->nsubjects++];
        char name[64], where[72];
        /* at most RPROV_MAX_SUBJECTS subjects: both fit */
        (void)snprintf(name, sizeof(name), "statement subject[%zu]", s->nsubjects - 1);
        (void)snprintf(where, sizeof(where), "%s.", name);
        jd_ref dig = JD_NONE;
        rc = resource(d, r, name, e);
        if (rc == 0)
            rc = str_member(d, r, "name", false, &x->name, where, e);
        if (rc == 0 && x->name == NULL && (x->name = rampart_strndup("", 0)) == NULL)
            rc = rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
        if (rc == 0 && ((dig = member(d, r, "digest")) == JD_NONE || jdoc_count(d, dig) == 0))
            rc = FAIL(e, "%s has no digest", name);
        if (rc == 0)
            rc = digest_set(d, dig, where, &x->d, x->hex256, x->hex512, e);
    }
    return rc;
}

static int source_from(rampart_statement *s, const char *uri, rerr *e)
{
    size_t n = strlen(uri), at = rprov_source_split(uri, n);
    s->source_uri = rampart_strndup(uri, at);
    if (at < n)
        s->source_rev = rampart_strndup(uri + at + 1, n - at - 1);
    if (s->source_uri == NULL || (at < n && s->source_rev == NULL))
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    return 0;
}

/* The SLSA Provenance v1 predicate. */
static int parse_slsa(rampart_statement *s, const jdoc *d, jd_ref pred, rerr *e)
{
    const char *w = "SLSA provenance: ";
    jd_ref bd = JD_NONE, rd = JD_NONE, builder = JD_NONE, x = JD_NONE, deps = JD_NONE;
    if (pred == JD_NONE || jdoc_type(d, pred) != JD_OBJECT)
        return FAIL(e, "SLSA provenance without a predicate object");
    int rc = typed(d, pred, "buildDefinition", JD_OBJECT, &bd, w, e);
    if (rc == 0)
        rc = typed(d, pred, "runDetails", JD_OBJECT, &rd, w, e);
    if (rc == 0 && (bd == JD_NONE || rd == JD_NONE))
        rc = FAIL(e, "%sbuildDefinition and runDetails are required", w);
    if (rc == 0)
        rc = str_member(d, bd, "buildType", true, &s->build_type, "SLSA provenance: buildDefinition.", e);
    if (rc == 0)
        rc = typed(d, bd, "externalParameters", JD_OBJECT, &x, "SLSA provenance: buildDefinition.", e);
    if (rc == 0)
        rc = typed(d, bd, "internalParameters", JD_OBJECT, &x, "SLSA provenance: buildDefinition.", e);
    if (rc == 0)
        rc = resource_list(d, bd, "resolvedDependencies", &deps, e);
    if (rc == 0)
        rc = typed(d, rd, "builder", JD_OBJECT, &builder, "SLSA provenance: runDetails.", e);
    if (rc == 0 && builder == JD_NONE)
        rc = FAIL(e, "%srunDetails.builder is required", w);
    if (rc == 0)
        rc = str_member(d, builder, "id", true, &s->builder_id, "SLSA provenance: runDetails.builder.", e);
    if (rc == 0)
        rc = typed(d, builder, "version", JD_OBJECT, &x, "SLSA provenance: runDetails.builder.", e);
    for (jd_ref k = jdoc_first(d, x); rc == 0 && k != JD_NONE; k = jdoc_next_key(d, k))
        if (jdoc_type(d, jdoc_value(k)) != JD_STRING)
            rc = FAIL(e, "%srunDetails.builder.version values must be strings", w);
    if (rc == 0)
        rc = resource_list(d, builder, "builderDependencies", &x, e);
    if (rc == 0)
        rc = typed(d, rd, "metadata", JD_OBJECT, &x, "SLSA provenance: runDetails.", e);
    static const char *const meta[] = {"invocationId", "startedOn", "finishedOn"};
    for (size_t i = 0; rc == 0 && i < RAMPART_ARRAY_LEN(meta); i++) {
        jd_ref y;
        rc = typed(d, x, meta[i], JD_STRING, &y, "SLSA provenance: runDetails.metadata.", e);
    }
    if (rc == 0)
        rc = resource_list(d, rd, "byproducts", &x, e);
    if (rc != 0)
        return rc;
    s->slsa = true;
    /* The source: the first resolved dependency (docs/provenance.md). */
    char *uri = NULL;
    jd_ref first = jdoc_first(d, deps);
    if (first != JD_NONE && (rc = str_member(d, first, "uri", false, &uri, w, e)) != 0)
        return rc;
    if (uri != NULL) {
        rc = source_from(s, uri, e);
        rampart_free(uri);
    }
    return rc;
}

static int parse_statement(rampart_statement *s, const jdoc *d, bool slsa_only, rerr *e)
{
    jd_ref root = jdoc_root(d);
    if (jdoc_type(d, root) != JD_OBJECT)
        return FAIL(e, "statement is not a JSON object");
    jd_ref t = JD_NONE;
    int rc = typed(d, root, "_type", JD_STRING, &t, "statement ", e);
    if (rc != 0)
        return rc;
    if (!rslice_eq_cstr(jdoc_str(d, t), RAMPART_INTOTO_STATEMENT_V1)) {
        char got[128];
        rslice ts = jdoc_str(d, t);
        rampart_sanitize(got, sizeof(got), (const char *)ts.p, ts.n);
        return FAIL(e, "statement _type is '%s', not %s", got, RAMPART_INTOTO_STATEMENT_V1);
    }
    if ((rc = parse_subjects(s, d, root, e)) != 0)
        return rc;
    if ((rc = str_member(d, root, "predicateType", true, &s->predicate_type, "statement ", e)) != 0)
        return rc;
    jd_ref pred = JD_NONE;
    if ((rc = typed(d, root, "predicate", JD_OBJECT, &pred, "statement ", e)) != 0)
        return rc;
    if (strcmp(s->predicate_type, RAMPART_SLSA_PROVENANCE_V1) == 0)
        return parse_slsa(s, d, pred, e);
    if (slsa_only)
        return rerr_set(e, RAMPART_EPROVPREDICATE, NULL, "predicate type is '%s', not %s", s->predicate_type,
                        RAMPART_SLSA_PROVENANCE_V1);
    return 0;
}

int rprov_statement_parse(rampart_statement **out, const uint8_t *p, size_t n, bool slsa_only, rerr *e)
{
    RAMPART_AUTO(jdoc_free) jdoc *doc = NULL;
    jd_limits lim = {.max_bytes = RAMPART_ATTESTATION_MAX};
    rerr pe = {0};
    /* Any JSON number is accepted (in-toto and SLSA allow them anywhere,
     * e.g. in externalParameters); no number is read, and every member that
     * is read is checked for its type. */
    int rc = jdoc_parse_any_number(&doc, p, n, &lim, &pe);
    if (rc == RAMPART_ENOMEM)
        return rerr_set(e, rc, NULL, "out of memory");
    if (rc != 0)
        return FAIL(e, "statement is not valid JSON: %s", pe.message);
    rampart_statement *s = rampart_calloc(1, sizeof(*s));
    if (s == NULL)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    rc = parse_statement(s, doc, slsa_only, e);
    if (rc != 0) {
        rampart_statement_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

int rampart_statement_parse(rampart_statement **out, const void *payload, size_t len, rampart_error *err)
{
    if (out == NULL || (payload == NULL && len > 0))
        return rerr_set(err, RAMPART_EINVAL, NULL, "invalid argument");
    return rprov_statement_parse(out, payload, len, false, err);
}

size_t rprov_source_split(const char *uri, size_t n)
{
    const char *sep = NULL;
    for (size_t i = 0; i + 2 < n && sep == NULL; i++)
        if (uri[i] == ':' && uri[i + 1] == '/' && uri[i + 2] == '/')
            sep = uri + i + 3;
    size_t start = sep != NULL ? (size_t)(sep - uri) : 0;
    /* The path starts at the first '/' after the authority ("user@host"). */
    while (start < n && uri[start] != '/')
        start++;
    for (size_t i = start; i < n; i++)
        if (uri[i] == '@')
            return i;
    return n;
}

/* The digest algorithms a subject and the artifact both know: how many,
 * how many of them differ, and the first that differs. */
static size_t shared_digests(const rprov_digests *d, const rprov_digests *want, size_t *ndiff, rhash_alg *differs)
{
    size_t shared = 0;
    *ndiff = 0;
    *differs = RHASH_UNKNOWN;
    if (want->has256 && d->has256) {
        shared++;
        if (!rdigest_eq(want->sha256, d->sha256, 32)) {
            (*ndiff)++;
            *differs = RHASH_SHA256;
        }
    }
    if (want->has512 && d->has512) {
        shared++;
        if (!rdigest_eq(want->sha512, d->sha512, 64)) {
            (*ndiff)++;
            *differs = *differs == RHASH_UNKNOWN ? RHASH_SHA512 : *differs;
        }
    }
    return shared;
}

bool rprov_subject_agrees(const rprov_digests *d, const rprov_digests *want)
{
    size_t ndiff;
    rhash_alg differs;
    return shared_digests(d, want, &ndiff, &differs) > 0 && ndiff == 0;
}

int rprov_subject_check(const rampart_statement *s, const rprov_digests *want, const char *rule, size_t *index, rerr *e)
{
    size_t conflict = SIZE_MAX;
    rhash_alg conflict_alg = RHASH_UNKNOWN;
    for (size_t i = 0; s != NULL && i < s->nsubjects; i++) {
        size_t ndiff;
        rhash_alg differs;
        size_t shared = shared_digests(&s->subjects[i].d, want, &ndiff, &differs);
        if (shared > 0 && ndiff == 0) {
            if (index != NULL)
                *index = i;
            return 0;
        }
        /* One digest agrees and another differs: the most telling case. */
        if (ndiff > 0 && ndiff < shared && conflict == SIZE_MAX) {
            conflict = i;
            conflict_alg = differs;
        }
    }
    size_t n = s != NULL ? s->nsubjects : 0;
    if (conflict != SIZE_MAX) {
        const char *name = s->subjects[conflict].name;
        char safe[160];
        rampart_sanitize(safe, sizeof(safe), name, strlen(name));
        const char *agrees = conflict_alg == RHASH_SHA256 ? "sha512" : "sha256";
        return rerr_set(e, RAMPART_EPROVSUBJECT, rule,
                        "subject '%s' of the attestation has the artifact's %s, but its %s differs", safe, agrees,
                        rhash_alg_name(conflict_alg));
    }
    return rerr_set(e, RAMPART_EPROVSUBJECT, rule,
                    "no subject of the attestation has the artifact's digest (it is about %zu other artifact%s)", n,
                    n == 1 ? "" : "s");
}

bool rprov_subject_matches(const rampart_statement *s, const rprov_digests *want)
{
    return rprov_subject_check(s, want, NULL, NULL, NULL) == 0;
}

const char *rampart_statement_predicate_type(const rampart_statement *s)
{
    return s != NULL ? s->predicate_type : NULL;
}

size_t rampart_statement_subject_count(const rampart_statement *s)
{
    return s != NULL ? s->nsubjects : 0;
}

const char *rampart_statement_subject_name(const rampart_statement *s, size_t i)
{
    return s != NULL && i < s->nsubjects ? s->subjects[i].name : NULL;
}

const char *rampart_statement_subject_digest(const rampart_statement *s, size_t i, const char *alg)
{
    if (s == NULL || i >= s->nsubjects || alg == NULL)
        return NULL;
    const rprov_subject *x = &s->subjects[i];
    if (strcmp(alg, "sha256") == 0 && x->d.has256)
        return x->hex256;
    if (strcmp(alg, "sha512") == 0 && x->d.has512)
        return x->hex512;
    return NULL;
}

const char *rampart_statement_builder_id(const rampart_statement *s)
{
    return s != NULL ? s->builder_id : NULL;
}

const char *rampart_statement_build_type(const rampart_statement *s)
{
    return s != NULL ? s->build_type : NULL;
}

const char *rampart_statement_source_uri(const rampart_statement *s)
{
    return s != NULL ? s->source_uri : NULL;
}

const char *rampart_statement_source_revision(const rampart_statement *s)
{
    return s != NULL ? s->source_rev : NULL;
}
