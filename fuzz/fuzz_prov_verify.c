/*
 * fuzz_prov_verify.c - judging an attestation by a policy:
 * rampart_prov_verify (src/prov/verify.c) against a model of its
 * documented steps written here.
 *
 * The input is three parts separated by FUZZ_SEP:
 *   POLICY     a policy file (inputs whose policy does not parse stop here)
 *   ARTIFACT   lines "path P", "sha256 HEX", "sha512 HEX", "release V",
 *              "custom JSON" (the fields of rampart_prov_artifact; no path
 *              line: a NULL path)
 *   ENVELOPE   the attestation (one envelope, or a JSON Lines bundle of
 *              them); without this part there is none.  When its
 *              first line is "sign KEYS [TYPE]" the rest is a payload that
 *              is put in an envelope of payload type TYPE (default in-toto)
 *              signed here by each of KEYS ('A', 'B': the RFC 8032 test
 *              keys of fuzz_prov.h), so that mutated statements still
 *              reach the checks behind the signature.
 *
 * Invariants: the code is the one the model expects from the order of
 * steps documented in rampart/provenance.h (rule "none": 0; an invalid
 * digest: EINVAL; no attestation: EPROVMISSING when required, else 0; then
 * the envelope, the signatures, the payload type and statement, the
 * subject, builder, build type, source and revision); in particular 0
 * after an attestation was judged only when at least the rule's threshold
 * of its distinct keys verify a signature over the PAE written out here
 * (rkey_verify, ECDSA r||s re-encoded by OpenSSL); every EPROV* message
 * names the rule; the statement is returned exactly when one was judged.
 * FUZZ_PROV_VERBOSE=1 prints each input's rule, expected and actual code.
 */
#include <ctype.h>

#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>

#include "fuzz_prov.h"
#include "util/banned.h"

/* RFC 8032 section 7.1, TEST 1 (A) and TEST 2 (B): published secret keys. */
static const char *const secret_hex[2] = {
    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
    "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
};

typedef struct artifact_in {
    rampart_prov_artifact a;
    char *field[5]; /* path, sha256, sha512, release, custom: owned copies */
} artifact_in;

static void parse_artifact(fuzz_part in, artifact_in *out)
{
    static const char *const words[] = {"path", "sha256", "sha512", "release", "custom"};
    *out = (artifact_in){.a = RAMPART_PROV_ARTIFACT_INIT};
    while (in.n > 0) {
        fuzz_part line, word, value;
        fuzz_first_line(in, &line, &in);
        const uint8_t *sp = memchr(line.p, ' ', line.n);
        word = (fuzz_part){line.p, sp != NULL ? (size_t)(sp - line.p) : line.n};
        value = sp != NULL ? (fuzz_part){sp + 1, line.n - word.n - 1} : (fuzz_part){line.p + line.n, 0};
        for (size_t i = 0; i < RAMPART_ARRAY_LEN(words); i++)
            if (fuzz_is(word, words[i]) && out->field[i] == NULL) {
                out->field[i] = malloc(value.n + 1);
                FUZZ_CHECK(out->field[i] != NULL);
                if (value.n)
                    memcpy(out->field[i], value.p, value.n);
                out->field[i][value.n] = '\0';
            }
    }
    out->a.path = out->field[0];
    out->a.sha256 = out->field[1];
    out->a.sha512 = out->field[2];
    out->a.release = out->field[3];
    out->a.custom_json = out->field[4];
}

/* Appends the JSON string of t[0..n). */
static void put_json_string(rbuf *b, const uint8_t *t, size_t n)
{
    FUZZ_CHECK(rbuf_append_byte(b, '"') == 0);
    for (size_t i = 0; i < n; i++) {
        if (t[i] == '"' || t[i] == '\\')
            FUZZ_CHECK(rbuf_append_byte(b, '\\') == 0 && rbuf_append_byte(b, t[i]) == 0);
        else if (t[i] < 0x20)
            FUZZ_CHECK(rbuf_appendf(b, "\\u%04x", t[i]) == 0);
        else
            FUZZ_CHECK(rbuf_append_byte(b, t[i]) == 0);
    }
    FUZZ_CHECK(rbuf_append_byte(b, '"') == 0);
}

/* "sign KEYS [TYPE]" + payload: an envelope signed here. */
static void sign_envelope(fuzz_part head, fuzz_part payload, rbuf *out)
{
    fuzz_part keys = {head.p + 4, head.n - 4}, type = {(const uint8_t *)RAMPART_INTOTO_PAYLOAD_TYPE, 0};
    type.n = strlen((const char *)type.p);
    if (keys.n > 0 && keys.p[0] == ' ') {
        keys.p++;
        keys.n--;
    }
    const uint8_t *sp = memchr(keys.p, ' ', keys.n);
    if (sp != NULL) {
        type = (fuzz_part){sp + 1, keys.n - (size_t)(sp - keys.p) - 1};
        keys.n = (size_t)(sp - keys.p);
    }
    size_t pn = 0;
    uint8_t *pae = fuzz_pae(type.p, type.n, payload.p, payload.n, &pn);
    FUZZ_CHECK(rbuf_append_str(out, "{\"payload\":\"") == 0 && rb64_encode(out, payload.p, payload.n, RB64_STD) == 0);
    FUZZ_CHECK(rbuf_append_str(out, "\",\"payloadType\":") == 0);
    put_json_string(out, type.p, type.n);
    FUZZ_CHECK(rbuf_append_str(out, ",\"signatures\":[") == 0);
    for (size_t i = 0; i < keys.n && i < RDSSE_MAX_SIGS; i++) {
        int k = keys.p[i] == 'B' ? 1 : 0;
        uint8_t seed[32], sig[64];
        size_t sl = sizeof(seed);
        FUZZ_CHECK(rhex_decode(seed, sizeof(seed), &sl, secret_hex[k], 64) == 0);
        EVP_PKEY *pk = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, sizeof(seed));
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        sl = sizeof(sig);
        FUZZ_CHECK(pk != NULL && ctx != NULL && EVP_DigestSignInit(ctx, NULL, NULL, NULL, pk) == 1);
        FUZZ_CHECK(EVP_DigestSign(ctx, sig, &sl, pae, pn) == 1 && sl == 64);
        EVP_MD_CTX_free(ctx);
        EVP_PKEY_free(pk);
        FUZZ_CHECK(rbuf_appendf(out, "%s{\"keyid\":\"%c\",\"sig\":\"", i ? "," : "", k ? 'B' : 'A') == 0);
        FUZZ_CHECK(rb64_encode(out, sig, 64, RB64_STD) == 0 && rbuf_append_str(out, "\"}") == 0);
    }
    FUZZ_CHECK(rbuf_append_str(out, "]}") == 0);
    free(pae);
}

/* Does `sig` verify with `k` over `pae`?  ECDSA r||s is also tried as the
 * DER OpenSSL makes of it. */
static bool sig_ok(const rkey *k, const rdsse_sig *sig, const uint8_t *pae, size_t n)
{
    int rc = rkey_verify(k, sig->sig, sig->siglen, pae, n);
    FUZZ_CHECK(rc == 0 || rc == RAMPART_EBADSIG);
    if (rc == 0 || rkey_get_scheme(k) != RKEY_ECDSA_P256 || sig->siglen != 64)
        return rc == 0;
    ECDSA_SIG *es = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(sig->sig, 32, NULL), *s = BN_bin2bn(sig->sig + 32, 32, NULL);
    FUZZ_CHECK(es != NULL && r != NULL && s != NULL && ECDSA_SIG_set0(es, r, s) == 1);
    unsigned char *der = NULL;
    int dl = i2d_ECDSA_SIG(es, &der);
    FUZZ_CHECK(dl > 0);
    rc = rkey_verify(k, der, (size_t)dl, pae, n);
    OPENSSL_free(der);
    ECDSA_SIG_free(es);
    return rc == 0;
}

/* The rule's distinct keys (by key material) that verify a signature. */
static size_t count_by_hand(const rampart_prov_policy *p, const rprov_eff *f, const rampart_dsse *d)
{
    size_t n = 0, count = 0;
    uint8_t *pae = fuzz_pae((const uint8_t *)d->payload_type, d->type_len, d->payload, d->payload_len, &n);
    const uint8_t *seen[RPROV_POLICY_MAX_KEYS];
    for (size_t i = 0; i < f->nkeys; i++) {
        const rkey *k = p->keys[f->keys[i]];
        bool ok = false, dup = false;
        for (size_t s = 0; s < d->nsigs && !ok; s++)
            ok = sig_ok(k, &d->sigs[s], pae, n);
        for (size_t j = 0; j < count && ok && !dup; j++)
            dup = rdigest_eq(seen[j], rkey_fingerprint(k), RKEY_FINGERPRINT_LEN);
        if (ok && !dup)
            seen[count++] = rkey_fingerprint(k);
    }
    free(pae);
    return count;
}

static bool in_list(const rprov_list *l, const char *s, bool glob)
{
    for (size_t i = 0; i < l->n; i++)
        if (glob ? tuf_glob_match(rslice_cstr(l->v[i]), rslice_cstr(s)) : strcmp(l->v[i], s) == 0)
            return true;
    return false;
}

/* Whether `v` is a whole version token of `name`, as docs/provenance.md
 * states it: it starts with a digit (or 'v' and a digit), stands right
 * after the start, a '-' or a '_', and is followed by the end or by
 * something that neither continues a word nor a number. */
static bool token_by_hand(const char *name, const char *v)
{
    size_t n = strlen(v), k = strlen(name);
    size_t d = v[0] == 'v' ? 1 : 0;
    if (n <= d || !isdigit((unsigned char)v[d]))
        return false;
    for (size_t i = 0; i + n <= k; i++) {
        if (memcmp(name + i, v, n) != 0 || (i > 0 && name[i - 1] != '-' && name[i - 1] != '_'))
            continue;
        unsigned char c = (unsigned char)name[i + n];
        if (c == 0 || (!isalnum(c) && !(c == '.' && isdigit((unsigned char)name[i + n + 1]))))
            return true;
    }
    return false;
}

/* version_tag: the revision is a tag refs/tags/T; with a release given, T is
 * it or v+it; otherwise some subject that matches the digest bears the
 * target's base name, which holds T (or T without its 'v') as a token. */
static int revision_by_hand(const rampart_prov_artifact *a, const rampart_statement *s, const rprov_digests *want)
{
    const char *rev = s->source_rev != NULL ? s->source_rev : "";
    if (strncmp(rev, "refs/tags/", 10) != 0 || rev[10] == '\0')
        return RAMPART_EPROVREVISION;
    const char *tag = rev + 10;
    if (a->release != NULL && a->release[0] != '\0')
        return strcmp(tag, a->release) == 0 || (tag[0] == 'v' && strcmp(tag + 1, a->release) == 0)
                   ? 0
                   : RAMPART_EPROVREVISION;
    const char *target = strrchr(a->path, '/') != NULL ? strrchr(a->path, '/') + 1 : a->path;
    for (size_t i = 0; i < rampart_statement_subject_count(s); i++) {
        const rampart_statement one = {.subjects = &s->subjects[i], .nsubjects = 1};
        const char *name = rampart_statement_subject_name(s, i);
        name = strrchr(name, '/') != NULL ? strrchr(name, '/') + 1 : name;
        if (fuzz_subject_matches(&one, want) && strcmp(name, target) == 0)
            return token_by_hand(target, tag) || (tag[0] == 'v' && token_by_hand(target, tag + 1))
                       ? 0
                       : RAMPART_EPROVREVISION;
    }
    return RAMPART_EPROVREVISION;
}

/* After the signatures: payload type, statement, subject, builder, build
 * type, source, revision. */
static int judge_by_hand(const rprov_eff *f, const rampart_prov_artifact *a, const rprov_digests *want,
                         const rampart_dsse *d)
{
    if (strcmp(d->payload_type, RAMPART_INTOTO_PAYLOAD_TYPE) != 0)
        return RAMPART_EPROVFORMAT;
    rampart_statement *s = NULL;
    int rc = rprov_statement_parse(&s, d->payload, d->payload_len, true, NULL);
    if (rc != 0)
        return rc;
    if (!fuzz_subject_matches(s, want))
        rc = RAMPART_EPROVSUBJECT;
    else if (!in_list(f->builder_ids, s->builder_id, false))
        rc = RAMPART_EPROVBUILDER;
    else if (f->build_types->set && !in_list(f->build_types, s->build_type, false))
        rc = RAMPART_EPROVBUILDTYPE;
    else if (f->source_uris->set && (s->source_uri == NULL || !in_list(f->source_uris, s->source_uri, true)))
        rc = RAMPART_EPROVSOURCE;
    else if (f->version_tag)
        rc = revision_by_hand(a, s, want);
    rampart_statement_free(s);
    return rc;
}

/* `hex` (may be NULL) is n hex characters of either case: into *d. */
static bool digest_in(const char *hex, size_t n, uint8_t *d, bool *has)
{
    size_t got = 0;
    if (hex == NULL)
        return true;
    *has = true;
    return strlen(hex) == n && rhex_decode(d, n / 2, &got, hex, n) == 0;
}

/* One envelope: its signatures, then the checks behind them. */
static int expect_envelope(const rampart_prov_policy *p, const rampart_prov_artifact *a, const rprov_eff *f,
                           const rprov_digests *want, const uint8_t *env, size_t len)
{
    rampart_dsse *d = NULL;
    int rc = rampart_dsse_parse(&d, env, len, NULL);
    if (rc != 0)
        return rc;
    rc = count_by_hand(p, f, d) < f->threshold ? RAMPART_EPROVSIG : judge_by_hand(f, a, want, d);
    rampart_dsse_free(d);
    return rc;
}

/* How far a refused envelope of a bundle got (docs/provenance.md): not
 * signed, then not an SLSA statement (or unsupported), then about another
 * artifact, then refused by a check of the predicate. */
static int rank_by_hand(int rc)
{
    if (rc == RAMPART_EPROVSIG)
        return 1;
    if (rc == RAMPART_EPROVFORMAT || rc == RAMPART_EPROVPREDICATE || rc == RAMPART_EUNSUPPORTED)
        return 2;
    if (rc == RAMPART_EPROVSUBJECT)
        return 3;
    return rc <= RAMPART_EPROVBUILDER && rc >= RAMPART_EPROVREVISION ? 4 : 0;
}

/* An .intoto.jsonl bundle: two or more lines with something other than
 * spaces, tabs and CRs, which together are not one JSON value.  The first
 * envelope that passes wins; else the first of the furthest refusals. */
static bool expect_bundle(const rampart_prov_policy *p, const rampart_prov_artifact *a, const rprov_eff *f,
                          const rprov_digests *want, const uint8_t *env, size_t len, int *out)
{
    size_t starts[RPROV_MAX_ENVELOPES + 1], ends[RPROV_MAX_ENVELOPES + 1], n = 0;
    for (size_t i = 0; i <= len && n <= RPROV_MAX_ENVELOPES;) {
        size_t e = i;
        while (e < len && env[e] != '\n')
            e++;
        bool blank = true;
        for (size_t k = i; k < e; k++)
            blank = blank && (env[k] == ' ' || env[k] == '\t' || env[k] == '\r');
        if (!blank) {
            starts[n] = i;
            ends[n++] = e;
        }
        i = e + 1;
    }
    jdoc *doc = NULL;
    bool one = jdoc_parse_any_number(&doc, env, len, NULL, NULL) == 0;
    jdoc_free(doc);
    if (n < 2 || one || len > RAMPART_ATTESTATION_MAX)
        return false;
    if (n > RPROV_MAX_ENVELOPES) {
        *out = RAMPART_EPROVFORMAT;
        return true;
    }
    int best = 0, best_rank = 0;
    for (size_t i = 0; i < n; i++) {
        int rc = expect_envelope(p, a, f, want, env + starts[i], ends[i] - starts[i]);
        int rank = rank_by_hand(rc);
        if (rc == 0 || rank == 0) {
            *out = rc;
            return true;
        }
        if (rank > best_rank) {
            best = rc;
            best_rank = rank;
        }
    }
    *out = best;
    return true;
}

static int expect_code(const rampart_prov_policy *p, const rampart_prov_artifact *a, const rprov_eff *f,
                       const uint8_t *env, size_t len)
{
    if (a->path == NULL)
        return RAMPART_EINVAL;
    if (f->provenance == RAMPART_PROV_NONE)
        return 0;
    rprov_digests want = {0};
    if (!digest_in(a->sha256, 64, want.sha256, &want.has256) || !digest_in(a->sha512, 128, want.sha512, &want.has512) ||
        (!want.has256 && !want.has512))
        return RAMPART_EINVAL;
    if (env == NULL)
        return f->provenance == RAMPART_PROV_REQUIRED ? RAMPART_EPROVMISSING : 0;
    int rc;
    if (expect_bundle(p, a, f, &want, env, len, &rc))
        return rc;
    return expect_envelope(p, a, f, &want, env, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_part parts[FUZZ_MAX_PARTS];
    size_t np = fuzz_split(data, size, parts);
    rampart_prov_policy *p = NULL;
    if (np < 2 || rampart_prov_policy_parse(&p, parts[0].p, parts[0].n, NULL) != 0)
        return 0;
    artifact_in art;
    parse_artifact(parts[1], &art);
    rbuf signed_env;
    rbuf_init(&signed_env, SIZE_MAX - 1);
    const uint8_t *env = NULL;
    size_t len = 0;
    if (np >= 3) {
        fuzz_part head, rest;
        fuzz_first_line(parts[2], &head, &rest);
        env = parts[2].p;
        len = parts[2].n;
        if (head.n >= 4 && memcmp(head.p, "sign", 4) == 0) {
            sign_envelope(head, rest, &signed_env);
            env = signed_env.data;
            len = signed_env.len;
        }
        if (env == NULL)
            env = (const uint8_t *)""; /* an empty attestation is not a missing one */
    }

    rprov_eff f = {.name = "(no path)"};
    if (art.a.path != NULL)
        fuzz_check_select(p, art.a.path, &f);
    int expect = expect_code(p, &art.a, &f, env, len);
    rampart_statement *st = NULL;
    rampart_error err = {0};
    int rc = rampart_prov_verify(p, &art.a, env, len, &st, &err);
    if (getenv("FUZZ_PROV_VERBOSE") != NULL)
        fprintf(stderr, "prov_verify: rule '%s': expected %s, got %s: %s\n", f.name, rampart_error_name(expect),
                rampart_error_name(rc), rc != 0 ? err.message : "");
    FUZZ_CHECK(rc == expect);
    if (rc == 0) {
        bool judged = f.provenance != RAMPART_PROV_NONE && env != NULL;
        FUZZ_CHECK(judged ? st != NULL && st->slsa : st == NULL);
    } else {
        FUZZ_CHECK(st == NULL && err.code == rc && err.message[0] != '\0');
        if (rc <= RAMPART_EPROVMISSING && rc >= RAMPART_EPROVFORMAT)
            FUZZ_CHECK(strncmp(err.message, "policy rule '", 13) == 0);
    }
    rampart_statement_free(st);
    rbuf_free(&signed_env);
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(art.field); i++)
        free(art.field[i]);
    rampart_prov_policy_free(p);
    return 0;
}
