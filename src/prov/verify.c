/*
 * verify.c - judging an artifact's attestation by the policy rule for its
 * path (rampart_prov_verify): signatures first (DSSE: nothing in a payload
 * is read before it verifies), then the statement, the subject digest, the
 * builder, the build type, the source and the revision.  Each refusal has
 * its own code and a message naming the rule.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "prov/prov.h"
#include "tuf/match.h"
#include "util/codec.h"
#include "util/jdoc.h"
#include "util/fs.h"
#include "util/banned.h"

int rprov_digest_from_hex(rhash_alg alg, const char *hex, size_t n, rprov_digests *d)
{
    size_t want = rhash_len(alg), got;
    uint8_t buf[RHASH_MAX_LEN];
    if (want == 0 || hex == NULL || n != 2 * want || rhex_decode(buf, sizeof(buf), &got, hex, n) != 0)
        return RAMPART_EFORMAT;
    if (alg == RHASH_SHA256) {
        d->has256 = true;
        memcpy(d->sha256, buf, 32);
    } else {
        d->has512 = true;
        memcpy(d->sha512, buf, 64);
    }
    return 0;
}

int rprov_hash_file(const char *path, rprov_digests *out, rerr *e)
{
    int fd = -1;
    int orc = rfs_open_read_path(path, &fd, e);
    if (orc != 0)
        return orc;
    struct stat st;
    rhash h256 = {0}, h512 = {0};
    uint8_t *buf = NULL;
    int rc = 0;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        rc = rerr_set(e, RAMPART_EIO, NULL, "%s is not a regular file", path);
    else if ((buf = rampart_malloc(1u << 20)) == NULL)
        rc = rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    else if (rhash_init(&h256, RHASH_SHA256) != 0 || rhash_init(&h512, RHASH_SHA512) != 0)
        rc = rerr_set(e, RAMPART_ECRYPTO, NULL, "cannot start a hash");
    while (rc == 0) {
        ssize_t r = read(fd, buf, 1u << 20);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            rc = rerr_set(e, RAMPART_EIO, NULL, "cannot read %s: %s", path, strerror(errno));
        else if (r == 0)
            break;
        else if (rhash_update(&h256, buf, (size_t)r) != 0 || rhash_update(&h512, buf, (size_t)r) != 0)
            rc = rerr_set(e, RAMPART_ECRYPTO, NULL, "hashing %s failed", path);
    }
    uint8_t d256[RHASH_MAX_LEN], d512[RHASH_MAX_LEN];
    if (rc == 0 && (rhash_final(&h256, d256) != 0 || rhash_final(&h512, d512) != 0))
        rc = rerr_set(e, RAMPART_ECRYPTO, NULL, "hashing %s failed", path);
    if (rc == 0) {
        memcpy(out->sha256, d256, 32);
        memcpy(out->sha512, d512, 64);
        out->has256 = out->has512 = true;
    }
    rhash_free(&h256);
    rhash_free(&h512);
    rampart_free(buf);
    close(fd);
    return rc;
}

static bool in_list(const rprov_list *l, const char *s, bool glob)
{
    for (size_t i = 0; i < l->n; i++)
        if (glob ? tuf_glob_match(rslice_cstr(l->v[i]), rslice_cstr(s)) : strcmp(l->v[i], s) == 0)
            return true;
    return false;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash != NULL ? slash + 1 : path;
}

/* True when version `v` (starting with a digit, or 'v' and a digit) is a
 * whole token of file name `name`: right after its start, a '-' or a '_',
 * and followed by its end or by a character other than a letter, a digit
 * or a '.' before a digit ("app-1.2.0.tar.gz" holds 1.2.0, not 1.2). */
static bool version_token_in(const char *name, const char *v)
{
    size_t n = strlen(v);
    size_t d = v[0] == 'v' ? 1 : 0;
    if (n <= d || v[d] < '0' || v[d] > '9')
        return false;
    for (const char *p = strstr(name, v); p != NULL; p = strstr(p + 1, v)) {
        char c = p[n];
        bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        bool start = p == name || p[-1] == '-' || p[-1] == '_';
        if (start && !alnum && !(c == '.' && p[n + 1] >= '0' && p[n + 1] <= '9'))
            return true;
    }
    return false;
}

/* "version_tag" (docs/provenance.md, "Where the source and the version come
 * from"): the version comes from the attestation, never from metadata the
 * release keys sign.  The revision must be a tag refs/tags/T; with a->release
 * (the verifier's own expectation) T must be it or v+it; otherwise the
 * target's base name must be the name of a subject that matched the
 * artifact's digest, and T (or T without its 'v') must be a version token of
 * that name. */
static int check_revision(const rprov_eff *f, const rampart_prov_artifact *a, const rampart_statement *s,
                          const rprov_digests *want, rerr *e)
{
    const char *rev = s->source_rev != NULL ? s->source_rev : "", *tag = rev + 10;
    if (strncmp(rev, "refs/tags/", 10) != 0 || *tag == '\0')
        return rerr_set(e, RAMPART_EPROVREVISION, f->name,
                        "policy rule '%s': source revision '%s' is not a release tag (refs/tags/...)", f->name, rev);
    if (a->release != NULL && a->release[0] != '\0') {
        if (strcmp(tag, a->release) == 0 || (tag[0] == 'v' && strcmp(tag + 1, a->release) == 0))
            return 0;
        return rerr_set(e, RAMPART_EPROVREVISION, f->name,
                        "policy rule '%s': source revision '%s' is not the tag of version %s (refs/tags/[v]%s)",
                        f->name, rev, a->release, a->release);
    }
    const char *target = base_name(a->path), *attested = NULL;
    for (size_t i = 0; i < s->nsubjects; i++) {
        if (!rprov_subject_agrees(&s->subjects[i].d, want))
            continue;
        const char *name = base_name(s->subjects[i].name);
        if (attested == NULL)
            attested = name;
        if (strcmp(name, target) == 0) {
            if (version_token_in(target, tag) || (tag[0] == 'v' && version_token_in(target, tag + 1)))
                return 0;
            char safe[160];
            rampart_sanitize(safe, sizeof(safe), target, strlen(target));
            return rerr_set(e, RAMPART_EPROVREVISION, f->name,
                            "policy rule '%s': source revision '%s' is not the tag of the version in '%s'", f->name,
                            rev, safe);
        }
    }
    char safe_att[160], safe_target[160];
    attested = attested != NULL ? attested : "";
    rampart_sanitize(safe_att, sizeof(safe_att), attested, strlen(attested));
    rampart_sanitize(safe_target, sizeof(safe_target), target, strlen(target));
    return rerr_set(e, RAMPART_EPROVREVISION, f->name,
                    "policy rule '%s': the attestation names the artifact '%s', not '%s' (version_tag binds the "
                    "target's name to the attested build)",
                    f->name, safe_att, safe_target);
}

/* Prefixes the message in `e` (may be NULL) with the rule's name. */
static int in_rule(rerr *e, int rc, const char *rule)
{
    if (e != NULL) {
        rampart_error inner = *e;
        rerr_set(e, rc, rule, "policy rule '%s': %s", rule, inner.message);
    }
    return rc;
}

/* Builder, build type, source and revision of a verified SLSA statement. */
static int check_predicate(const rprov_eff *f, const rampart_prov_artifact *a, const rampart_statement *s,
                           const rprov_digests *want, rerr *e)
{
    if (!in_list(f->builder_ids, s->builder_id, false))
        return rerr_set(e, RAMPART_EPROVBUILDER, f->name, "policy rule '%s': builder '%s' is not allowed", f->name,
                        s->builder_id);
    if (f->build_types->set && !in_list(f->build_types, s->build_type, false))
        return rerr_set(e, RAMPART_EPROVBUILDTYPE, f->name, "policy rule '%s': build type '%s' is not allowed", f->name,
                        s->build_type);
    if (f->source_uris->set && s->source_uri == NULL)
        return rerr_set(e, RAMPART_EPROVSOURCE, f->name,
                        "policy rule '%s': the provenance names no source (resolvedDependencies[0].uri)", f->name);
    if (f->source_uris->set && !in_list(f->source_uris, s->source_uri, true))
        return rerr_set(e, RAMPART_EPROVSOURCE, f->name, "policy rule '%s': source '%s' is not allowed", f->name,
                        s->source_uri);
    return f->version_tag ? check_revision(f, a, s, want, e) : 0;
}

/* Payload type and statement (strict, SLSA v1 only) of an envelope, and the
 * subject digest.  Shared by verification and the repository's check. */
static int judge_payload(const rampart_dsse *d, const rprov_digests *want, const char *rule, rampart_statement **out,
                         rerr *e)
{
    if (strcmp(d->payload_type, RAMPART_INTOTO_PAYLOAD_TYPE) != 0 || d->type_len != strlen(d->payload_type))
        return rerr_set(e, RAMPART_EPROVFORMAT, rule, "payload type '%s' is not %s", d->payload_type,
                        RAMPART_INTOTO_PAYLOAD_TYPE);
    rampart_statement *s = NULL;
    int rc = rprov_statement_parse(&s, d->payload, d->payload_len, true, e);
    if (rc != 0)
        return rc;
    if ((rc = rprov_subject_check(s, want, rule, NULL, e)) != 0) {
        rampart_statement_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

static int artifact_digests(const rampart_prov_artifact *a, rprov_digests *d, rerr *e)
{
    if (a->sha256 != NULL && rprov_digest_from_hex(RHASH_SHA256, a->sha256, strlen(a->sha256), d) != 0)
        return rerr_set(e, RAMPART_EINVAL, NULL, "the artifact's sha256 is not 64 hex characters");
    if (a->sha512 != NULL && rprov_digest_from_hex(RHASH_SHA512, a->sha512, strlen(a->sha512), d) != 0)
        return rerr_set(e, RAMPART_EINVAL, NULL, "the artifact's sha512 is not 128 hex characters");
    if (a->file != NULL) {
        int rc = rprov_hash_file(a->file, d, e);
        if (rc != 0)
            return rc;
    }
    if (!d->has256 && !d->has512)
        return rerr_set(e, RAMPART_EINVAL, NULL, "the artifact has no digest (sha256, sha512 or file)");
    return 0;
}

static int judge(const rprov_eff *f, const rampart_prov_policy *p, const rampart_prov_artifact *a,
                 const rprov_digests *want, const rampart_dsse *d, rampart_statement **out, rerr *e)
{
    rkey *keys[RPROV_POLICY_MAX_KEYS];
    for (size_t i = 0; i < f->nkeys; i++)
        keys[i] = p->keys[f->keys[i]];
    size_t valid = 0;
    int rc = rdsse_count_valid(d, keys, f->nkeys, &valid);
    if (rc != 0)
        return rerr_set(e, rc, f->name, "signature verification failed");
    if (valid < f->threshold && d->nsigs == 0)
        return rerr_set(e, RAMPART_EPROVSIG, f->name, "policy rule '%s': the attestation of '%s' is unsigned", f->name,
                        a->path);
    if (valid < f->threshold)
        return rerr_set(e, RAMPART_EPROVSIG, f->name,
                        "policy rule '%s': the attestation of '%s' is signed by %zu of the %u trusted builder keys "
                        "required",
                        f->name, a->path, valid, f->threshold);
    rampart_statement *s = NULL;
    rc = judge_payload(d, want, f->name, &s, e);
    if (rc == RAMPART_EPROVSUBJECT || rc == RAMPART_EPROVFORMAT || rc == RAMPART_EPROVPREDICATE)
        in_rule(e, rc, f->name);
    if (rc == 0)
        rc = check_predicate(f, a, s, want, e);
    if (rc != 0) {
        rampart_statement_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

/* What an envelope is judged by: the policy rule (f set), or, for the
 * repository, which has no builder keys, only its payload and subject. */
typedef struct judge_ctx {
    const rprov_eff *f;
    const rampart_prov_policy *p;
    const rampart_prov_artifact *a;
    const rprov_digests *want;
    const rprov_builders *bs; /* rprov_check_declared: the builders file */
    rprov_declared *declared; /* rprov_check_declared: what it found */
} judge_ctx;

/* rprov_check_declared's look-up, for the envelope that passed. */
static int judge_declared(const judge_ctx *c, const rampart_dsse *d, const rampart_statement *s)
{
    rprov_declared *v = c->declared;
    const char *id = rampart_statement_builder_id(s);
    (void)snprintf(v->builder_id, sizeof(v->builder_id), "%s", id != NULL ? id : "");
    v->b = id != NULL && c->bs != NULL ? rprov_builders_find(c->bs, id) : NULL;
    v->key_name = NULL;
    v->sig_rc = v->b != NULL ? rprov_builder_signed(c->bs, v->b, d, &v->key_name) : 0;
    return v->sig_rc == RAMPART_ENOMEM ? RAMPART_ENOMEM : 0;
}

static int judge_one(const judge_ctx *c, const uint8_t *env, size_t len, rampart_statement **out, rerr *e)
{
    rampart_dsse *d = NULL;
    int rc = rampart_dsse_parse(&d, env, len, e);
    if ((rc == RAMPART_EPROVFORMAT || rc == RAMPART_EUNSUPPORTED) && c->f != NULL)
        in_rule(e, rc, c->f->name);
    if (rc == 0)
        rc = c->f != NULL ? judge(c->f, c->p, c->a, c->want, d, out, e) : judge_payload(d, c->want, NULL, out, e);
    if (rc == 0 && c->declared != NULL && judge_declared(c, d, *out) != 0) {
        rampart_statement_free(*out);
        *out = NULL;
        rc = rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    }
    rampart_dsse_free(d);
    return rc;
}

/* How far an envelope of a bundle got before it was refused (0: an error
 * that is no refusal, which ends the judgment). */
static int bundle_rank(int rc)
{
    switch (rc) {
    case RAMPART_EPROVSIG:
        return 1;
    case RAMPART_EPROVFORMAT:
    case RAMPART_EPROVPREDICATE:
    case RAMPART_EUNSUPPORTED:
        return 2;
    case RAMPART_EPROVSUBJECT:
        return 3;
    case RAMPART_EPROVBUILDER:
    case RAMPART_EPROVBUILDTYPE:
    case RAMPART_EPROVSOURCE:
    case RAMPART_EPROVREVISION:
        return 4;
    default:
        return 0;
    }
}

/* The non-blank lines of p[0..n), at most `max` into `lines`; their count
 * (max + 1 when there are more). */
static size_t bundle_lines(const uint8_t *p, size_t n, rslice *lines, size_t max)
{
    size_t count = 0;
    for (size_t i = 0; i < n;) {
        const uint8_t *nl = memchr(p + i, '\n', n - i);
        size_t end = nl != NULL ? (size_t)(nl - p) : n;
        bool blank = true;
        for (size_t k = i; k < end && blank; k++)
            blank = p[k] == ' ' || p[k] == '\t' || p[k] == '\r';
        if (!blank && count++ < max)
            lines[count - 1] = RSLICE(p + i, end - i);
        if (count > max)
            return count;
        i = end + 1;
    }
    return count;
}

/* True when p[0..n) is one JSON value (a single envelope, however laid out). */
static bool one_json_value(const uint8_t *p, size_t n)
{
    jdoc *doc = NULL;
    jd_limits lim = {.max_bytes = RAMPART_ATTESTATION_MAX};
    bool one = jdoc_parse_any_number(&doc, p, n, &lim, NULL) == 0;
    jdoc_free(doc);
    return one;
}

/* An attestation: one DSSE envelope, or a JSON Lines bundle of them (the
 * .intoto.jsonl form, one envelope per line, as build platforms publish
 * them for several artifacts or predicates).  Of a bundle, the first
 * envelope that passes is taken; when none does, the refusal of the one
 * that got furthest (signed, then about this artifact) is reported. */
static int judge_attestation(const judge_ctx *c, const uint8_t *env, size_t len, rampart_statement **out, rerr *e)
{
    rslice lines[RPROV_MAX_ENVELOPES];
    size_t n = bundle_lines(env, len, lines, RPROV_MAX_ENVELOPES);
    if (n < 2 || len > RAMPART_ATTESTATION_MAX || one_json_value(env, len))
        return judge_one(c, env, len, out, e);
    const char *rule = c->f != NULL ? c->f->name : NULL;
    if (n > RPROV_MAX_ENVELOPES)
        return rerr_set(e, RAMPART_EPROVFORMAT, rule, "%s%s%sthe attestation bundle has more than %d envelopes",
                        rule != NULL ? "policy rule '" : "", rule != NULL ? rule : "", rule != NULL ? "': " : "",
                        RPROV_MAX_ENVELOPES);
    int best = 0, best_rank = 0;
    size_t best_i = 0;
    rerr best_err = {0};
    for (size_t i = 0; i < n; i++) {
        rerr le = {0};
        rampart_statement *s = NULL;
        int rc = judge_one(c, lines[i].p, lines[i].n, &s, &le);
        if (rc == 0) {
            *out = s;
            return 0;
        }
        int rank = bundle_rank(rc);
        if (rank == 0) {
            if (e != NULL)
                *e = le;
            return rc;
        }
        if (rank > best_rank) {
            best = rc;
            best_rank = rank;
            best_i = i;
            best_err = le;
        }
    }
    return rerr_set(e, best, best_err.role[0] != '\0' ? best_err.role : NULL,
                    "%s (envelope %zu of the %zu in the bundle; none passes)", best_err.message, best_i + 1, n);
}

int rprov_check_unsigned(const uint8_t *env, size_t len, const rprov_digests *d, rerr *e)
{
    judge_ctx c = {.want = d};
    rampart_statement *s = NULL;
    int rc = judge_attestation(&c, env, len, &s, e);
    rampart_statement_free(s);
    return rc;
}

int rprov_check_declared(const uint8_t *env, size_t len, const rprov_digests *d, const rprov_builders *bs,
                         rprov_declared *out, rerr *e)
{
    *out = (rprov_declared){0};
    judge_ctx c = {.want = d, .bs = bs, .declared = out};
    rampart_statement *s = NULL;
    int rc = judge_attestation(&c, env, len, &s, e);
    rampart_statement_free(s);
    return rc;
}

int rampart_prov_verify(const rampart_prov_policy *p, const rampart_prov_artifact *a, const void *envelope, size_t len,
                        rampart_statement **statement, rampart_error *err)
{
    if (p == NULL || a == NULL || a->version != RAMPART_PROV_ARTIFACT_VERSION || a->path == NULL ||
        (envelope == NULL && len > 0))
        return rerr_set(err, RAMPART_EINVAL, NULL, "invalid argument");
    rprov_eff f;
    rprov_policy_select(p, a->path, &f);
    rampart_statement *s = NULL;
    rprov_digests want = {0};
    int rc = f.provenance == RAMPART_PROV_NONE ? 0 : artifact_digests(a, &want, err);
    if (rc == 0 && f.provenance != RAMPART_PROV_NONE && envelope == NULL && f.provenance == RAMPART_PROV_REQUIRED)
        rc = rerr_set(err, RAMPART_EPROVMISSING, f.name,
                      "policy rule '%s' requires provenance for '%s', and it has no attestation", f.name, a->path);
    if (rc == 0 && f.provenance != RAMPART_PROV_NONE && envelope != NULL) {
        judge_ctx c = {.f = &f, .p = p, .a = a, .want = &want};
        rc = judge_attestation(&c, envelope, len, &s, err);
    }
    if (rc != 0)
        return rc;
    if (statement != NULL)
        *statement = s;
    else
        rampart_statement_free(s);
    return 0;
}
