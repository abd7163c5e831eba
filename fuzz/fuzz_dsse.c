/*
 * fuzz_dsse.c - DSSE envelopes and the in-toto statements they carry:
 * rampart_dsse_parse and its accessors, the PAE, threshold verification
 * (src/prov/dsse.c), rampart_statement_parse / rprov_statement_parse
 * (statement.c), rprov_source_split, rprov_subject_matches and
 * rprov_check_unsigned (verify.c).
 *
 * The input is one envelope (an ".intoto.jsonl" line).  Invariants:
 *  - parsing returns 0 or EPROVFORMAT, with the code and a message in `err`
 *    and *out untouched on failure;
 *  - a parsed envelope is what its JSON says: the payload type is the
 *    "payloadType" string ("" when absent, at most RDSSE_MAX_TYPE bytes,
 *    no NUL), the payload and each signature are bytes whose base64 the JSON
 *    holds (the decoder is strict, so encoding them again gives the same
 *    text up to alphabet and padding), at most RDSSE_MAX_SIGS signatures in
 *    order, each keyid the JSON's (NULL when absent or empty);
 *  - rdsse_pae and rampart_dsse_pae give the PAE written out here;
 *  - verification with the fixed keys of fuzz_prov.h ends in 0 or
 *    EPROVSIG, never another code; the keys that verify are those for which
 *    OpenSSL, called here over the hand-written PAE, verifies a signature;
 *    one key listed twice counts once, so never meets a threshold of 2;
 *    thresholds of 0 or above the key count are EINVAL;
 *  - rdsse_raw_to_der of each 64-byte signature is OpenSSL's DER of (r, s);
 *  - the payload as a statement: rampart_statement_parse and
 *    rprov_statement_parse agree; with slsa_only the only difference is
 *    EPROVPREDICATE for a well-formed statement of another predicate type;
 *    codes are 0, EPROVFORMAT, EPROVPREDICATE; a parsed statement says what
 *    its JSON says (fuzz_check_statement);
 *  - rprov_subject_matches agrees with fuzz_subject_matches for several
 *    digest sets, and rprov_check_unsigned returns the code of the first
 *    step that fails (envelope, payload type, SLSA statement, subject);
 *  - rprov_source_split, run on the input itself, agrees with its rule
 *    read independently ("the first '@' after the URI's authority").
 */
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>

#include "fuzz_prov.h"
#include "util/banned.h"

/* "payload" and each "sig" against the decoded bytes: the JSON text with
 * "-_" read as "+/" and without '=' equals the padded standard base64 of
 * the bytes without '='. */
static void check_b64(rslice text, const uint8_t *bytes, size_t n)
{
    rbuf b;
    rbuf_init(&b, SIZE_MAX - 1);
    FUZZ_CHECK(rb64_encode(&b, bytes, n, RB64_STD) == 0);
    size_t en = b.len, tn = text.n;
    while (en > 0 && b.data[en - 1] == '=')
        en--;
    while (tn > 0 && text.p[tn - 1] == '=')
        tn--;
    FUZZ_CHECK(en == tn);
    for (size_t i = 0; i < tn; i++) {
        uint8_t c = text.p[i] == '-' ? '+' : text.p[i] == '_' ? '/' : text.p[i];
        FUZZ_CHECK(c == b.data[i]);
    }
    rbuf_free(&b);
}

static void check_fields(const rampart_dsse *d, const uint8_t *data, size_t size)
{
    jdoc *doc = NULL;
    FUZZ_CHECK(jdoc_parse(&doc, data, size, false, NULL, NULL) == 0);
    jd_ref root = jdoc_root(doc), sigs = jdoc_get(doc, root, "signatures");
    const char *type = rampart_dsse_payload_type(d);
    FUZZ_CHECK(type != NULL && strlen(type) == d->type_len && d->type_len <= RDSSE_MAX_TYPE);
    FUZZ_CHECK(rslice_eq_cstr(jdoc_str(doc, jdoc_get(doc, root, "payloadType")), type));
    size_t pl = SIZE_MAX;
    const unsigned char *payload = rampart_dsse_payload(d, &pl);
    FUZZ_CHECK(payload != NULL && pl == d->payload_len && pl <= size);
    check_b64(jdoc_str(doc, jdoc_get(doc, root, "payload")), payload, pl);
    size_t ns = rampart_dsse_signature_count(d);
    FUZZ_CHECK(ns <= RDSSE_MAX_SIGS && ns == jdoc_count(doc, sigs));
    size_t i = 0;
    for (jd_ref s = jdoc_first(doc, sigs); s != JD_NONE; s = jdoc_next(doc, s), i++) {
        const rdsse_sig *sig = &d->sigs[i];
        FUZZ_CHECK(sig->sig != NULL && sig->siglen <= RAMPART_SIGNATURE_MAX);
        check_b64(jdoc_str(doc, jdoc_get(doc, s, "sig")), sig->sig, sig->siglen);
        rslice kid = jdoc_str(doc, jdoc_get(doc, s, "keyid"));
        FUZZ_CHECK(kid.n == 0 ? sig->keyid == NULL : sig->keyid != NULL && rslice_eq_cstr(kid, sig->keyid));
    }
    jdoc_free(doc);
}

static void check_pae(const rampart_dsse *d, const uint8_t *pae, size_t n)
{
    rbuf b;
    rbuf_init(&b, SIZE_MAX - 1);
    FUZZ_CHECK(rbuf_append(&b, "x", 1) == 0); /* appends after what is there */
    FUZZ_CHECK(rdsse_pae(&b, RSLICE(d->payload_type, d->type_len), RSLICE(d->payload, d->payload_len)) == 0);
    FUZZ_CHECK(b.len == n + 1 && memcmp(b.data + 1, pae, n) == 0);
    rbuf_free(&b);
    unsigned char *p = NULL;
    size_t pn = 0;
    FUZZ_CHECK(rampart_dsse_pae(d->payload_type, d->payload, d->payload_len, &p, &pn) == 0);
    FUZZ_CHECK(pn == n && memcmp(p, pae, n) == 0 && p[n] == '\0');
    rampart_string_free((char *)p);
}

/* Does one of the envelope's signatures verify with Ed25519 key `hex`?
 * Asked of OpenSSL directly. */
static bool ed25519_oracle(const rampart_dsse *d, const char *hex, const uint8_t *pae, size_t n)
{
    uint8_t raw[32];
    size_t rl;
    FUZZ_CHECK(rhex_decode(raw, sizeof(raw), &rl, hex, 64) == 0);
    EVP_PKEY *pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, raw, sizeof(raw));
    FUZZ_CHECK(pk != NULL);
    bool ok = false;
    for (size_t i = 0; i < d->nsigs && !ok; i++) {
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        FUZZ_CHECK(ctx != NULL && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pk) == 1);
        ok = EVP_DigestVerify(ctx, d->sigs[i].sig, d->sigs[i].siglen, pae, n) == 1;
        EVP_MD_CTX_free(ctx);
    }
    EVP_PKEY_free(pk);
    return ok;
}

/* rdsse_raw_to_der against OpenSSL's encoding of the same (r, s). */
static void check_der(const uint8_t raw[64])
{
    uint8_t der[RDSSE_DER_MAX];
    size_t dl = 0;
    rdsse_raw_to_der(raw, der, &dl);
    ECDSA_SIG *sig = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(raw, 32, NULL), *s = BN_bin2bn(raw + 32, 32, NULL);
    FUZZ_CHECK(sig != NULL && r != NULL && s != NULL && ECDSA_SIG_set0(sig, r, s) == 1);
    unsigned char *want = NULL;
    int wl = i2d_ECDSA_SIG(sig, &want);
    FUZZ_CHECK(wl > 0 && (size_t)wl == dl && memcmp(want, der, dl) == 0);
    OPENSSL_free(want);
    ECDSA_SIG_free(sig);
}

static void check_verify(const rampart_dsse *d, const uint8_t *pae, size_t n)
{
    const fuzz_prov_fixed *f = fuzz_prov_get();
    bool va = ed25519_oracle(d, FUZZ_KEY_A, pae, n), vb = ed25519_oracle(d, FUZZ_KEY_B, pae, n);
    size_t valid = SIZE_MAX;
    rkey *ab[] = {f->a, f->b}, *aa[] = {f->a, f->a2};
    FUZZ_CHECK(rdsse_count_valid(d, ab, 2, &valid) == 0 && valid == (size_t)va + (size_t)vb);
    FUZZ_CHECK(rdsse_count_valid(d, aa, 2, &valid) == 0 && valid == (size_t)va);

    const rampart_public_key *pa[] = {f->pa}, *paa[] = {f->pa, f->pa}, *pab[] = {f->pa, f->pb}, *pe[] = {f->pe};
    rampart_error err = {0};
    valid = SIZE_MAX;
    int rc = rampart_dsse_verify(d, pa, 1, 1, &valid, &err);
    FUZZ_CHECK(va ? rc == 0 && valid == 1 : rc == RAMPART_EPROVSIG && err.code == rc && valid == SIZE_MAX);
    FUZZ_CHECK(rampart_dsse_verify(d, paa, 2, 2, NULL, NULL) == RAMPART_EPROVSIG);
    rc = rampart_dsse_verify(d, pab, 2, 2, NULL, NULL);
    FUZZ_CHECK(rc == (va && vb ? 0 : RAMPART_EPROVSIG));
    rc = rampart_dsse_verify(d, pe, 1, 1, NULL, NULL);
    FUZZ_CHECK(rc == 0 || rc == RAMPART_EPROVSIG);
    FUZZ_CHECK(rampart_dsse_verify(d, pa, 1, 0, NULL, NULL) == RAMPART_EINVAL);
    FUZZ_CHECK(rampart_dsse_verify(d, pa, 1, 2, NULL, NULL) == RAMPART_EINVAL);
    for (size_t i = 0; i < d->nsigs; i++)
        if (d->sigs[i].siglen == 64)
            check_der(d->sigs[i].sig);
}

/* The payload as a statement, whatever the payload type says. */
static void check_statement(const uint8_t *p, size_t n)
{
    rampart_statement *s = NULL, *s2 = NULL, *s3 = NULL;
    rampart_error e1 = {0}, e2 = {0}, e3 = {0};
    int rc = rampart_statement_parse(&s, p, n, &e1);
    FUZZ_CHECK(rc == 0 || rc == RAMPART_EPROVFORMAT);
    FUZZ_CHECK(rc == 0 ? s != NULL : s == NULL && e1.code == rc && e1.message[0] != '\0');
    int rc2 = rprov_statement_parse(&s2, p, n, false, &e2);
    FUZZ_CHECK(rc2 == rc && strcmp(e1.message, e2.message) == 0);
    int rc3 = rprov_statement_parse(&s3, p, n, true, &e3);
    bool other = rc == 0 && !s->slsa;
    FUZZ_CHECK(rc3 == (other ? RAMPART_EPROVPREDICATE : rc));
    FUZZ_CHECK(rc3 == 0 ? s3 != NULL : s3 == NULL && e3.code == rc3);
    if (rc == 0) {
        fuzz_check_statement(s, p, n);
        const fuzz_prov_fixed *f = fuzz_prov_get();
        rprov_digests wants[4] = {f->art, f->art, f->art, f->art};
        wants[0].has512 = false;
        wants[1].has256 = false;
        memset(wants[3].sha512, 0, 64);
        for (size_t i = 0; i < 4; i++)
            FUZZ_CHECK(rprov_subject_matches(s, &wants[i]) == fuzz_subject_matches(s, &wants[i]));
    }
    rampart_statement_free(s);
    rampart_statement_free(s2);
    rampart_statement_free(s3);
}

/* rprov_check_unsigned: the first failing step's code. */
static void check_unsigned(const uint8_t *data, size_t size, int parse_rc, const rampart_dsse *d)
{
    const fuzz_prov_fixed *f = fuzz_prov_get();
    rprov_digests want = f->art;
    want.has512 = false;
    int expect = parse_rc;
    if (expect == 0 && strcmp(d->payload_type, RAMPART_INTOTO_PAYLOAD_TYPE) != 0)
        expect = RAMPART_EPROVFORMAT;
    if (expect == 0) {
        rampart_statement *s = NULL;
        expect = rprov_statement_parse(&s, d->payload, d->payload_len, true, NULL);
        if (expect == 0 && !fuzz_subject_matches(s, &want))
            expect = RAMPART_EPROVSUBJECT;
        rampart_statement_free(s);
    }
    rampart_error e = {0};
    int rc = rprov_check_unsigned(data, size, &want, &e);
    FUZZ_CHECK(rc == expect && (rc == 0 || (e.code == rc && e.message[0] != '\0')));
}

/* rprov_source_split read from its rule: skip past "://" when there is
 * one, then past the authority up to the next '/'; the first '@' from
 * there, else n. */
static size_t split_by_hand(const char *u, size_t n)
{
    size_t from = 0;
    for (size_t i = 0; i + 3 <= n; i++)
        if (memcmp(u + i, "://", 3) == 0) {
            from = i + 3;
            break;
        }
    const char *slash = from < n ? memchr(u + from, '/', n - from) : NULL;
    if (slash == NULL)
        return n;
    const char *at = memchr(slash, '@', n - (size_t)(slash - u));
    return at != NULL ? (size_t)(at - u) : n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FUZZ_CHECK(rprov_source_split((const char *)data, size) == split_by_hand((const char *)data, size));

    rampart_dsse *d = NULL;
    rampart_error err = {0};
    int rc = rampart_dsse_parse(&d, data, size, &err);
    FUZZ_CHECK(rc == 0 || rc == RAMPART_EPROVFORMAT);
    check_unsigned(data, size, rc, d);
    if (rc != 0) {
        FUZZ_CHECK(d == NULL && err.code == rc && err.message[0] != '\0');
        return 0;
    }
    check_fields(d, data, size);
    size_t n = 0;
    uint8_t *pae = fuzz_pae((const uint8_t *)d->payload_type, d->type_len, d->payload, d->payload_len, &n);
    check_pae(d, pae, n);
    check_verify(d, pae, n);
    free(pae);
    check_statement(d->payload, d->payload_len);
    rampart_dsse_free(d);
    return 0;
}
