/*
 * dsse.c - DSSE envelopes (github.com/secure-systems-lab/dsse, protocol
 * 1.0.0): strict parsing of the JSON envelope, the pre-authentication
 * encoding (PAE) that signatures cover, and threshold verification that
 * counts distinct keys by key material.  Keyids in an envelope are
 * unauthenticated hints; nothing here trusts them.
 */
#include <string.h>

#include "prov/prov.h"
#include "util/codec.h"
#include "util/jdoc.h"
#include "util/banned.h"

void rampart_dsse_free(rampart_dsse *d)
{
    if (d == NULL)
        return;
    for (size_t i = 0; i < d->nsigs; i++) {
        rampart_free(d->sigs[i].keyid);
        rampart_free(d->sigs[i].sig);
    }
    rampart_free(d->payload_type);
    rampart_free(d->payload);
    rampart_free(d);
}

/* Decodes base64 (either alphabet, padding optional: the protocol requires
 * verifiers to accept both) into a new buffer of at most `max` bytes. */
static int b64_field(const jdoc *doc, jd_ref r, size_t max, uint8_t **out, size_t *n, const char *what, rerr *e)
{
    rslice s = jdoc_str(doc, r);
    rbuf b;
    rbuf_init(&b, max);
    int rc = rb64_decode(&b, (const char *)s.p, s.n, RB64_ANY);
    if (rc == RAMPART_ENOMEM) {
        rbuf_free(&b);
        return rerr_set(e, rc, NULL, "out of memory");
    }
    if (rc != 0) {
        rbuf_free(&b);
        return rerr_set(e, RAMPART_EPROVFORMAT, NULL, "attestation %s is not base64 (or too long)", what);
    }
    *out = rbuf_detach(&b, n);
    rbuf_free(&b);
    return *out != NULL ? 0 : rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
}

/* A member that must be a string when present; JD_NONE when absent. */
static int opt_string(const jdoc *doc, jd_ref obj, const char *key, jd_ref *out, const char *what, rerr *e)
{
    jd_ref r = jdoc_get(doc, obj, key);
    if (r != JD_NONE && jdoc_type(doc, r) != JD_STRING)
        return rerr_set(e, RAMPART_EPROVFORMAT, NULL, "attestation %s is not a string", what);
    *out = r;
    return 0;
}

static int parse_sig(const jdoc *doc, jd_ref so, size_t i, rdsse_sig *sig, rerr *e)
{
    if (jdoc_type(doc, so) != JD_OBJECT)
        return rerr_set(e, RAMPART_EPROVFORMAT, NULL, "attestation signature %zu is not an object", i);
    jd_ref sr = JD_NONE, kr = JD_NONE;
    int rc = opt_string(doc, so, "sig", &sr, "signature", e);
    if (rc == 0)
        rc = opt_string(doc, so, "keyid", &kr, "keyid", e);
    if (rc != 0)
        return rc;
    if (sr == JD_NONE)
        return rerr_set(e, RAMPART_EPROVFORMAT, NULL, "attestation signature %zu has no \"sig\"", i);
    rslice kid = jdoc_str(doc, kr);
    if (kid.n > RDSSE_MAX_KEYID)
        return rerr_set(e, RAMPART_EPROVFORMAT, NULL, "attestation signature %zu has a keyid over %d bytes", i,
                        RDSSE_MAX_KEYID);
    if (kid.n > 0 && (sig->keyid = rampart_strndup((const char *)kid.p, kid.n)) == NULL)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    return b64_field(doc, sr, RAMPART_SIGNATURE_MAX, &sig->sig, &sig->siglen, "signature", e);
}

static int parse_envelope(rampart_dsse *d, const jdoc *doc, rerr *e)
{
    jd_ref root = jdoc_root(doc);
    if (jdoc_type(doc, root) != JD_OBJECT)
        return rerr_set(e, RAMPART_EPROVFORMAT, NULL, "attestation is not a JSON object (a DSSE envelope)");
    /* A Sigstore bundle (certificates, transparency log entries) parses as
     * an envelope with no members: say what it is rather than "unsigned". */
    rslice media = jdoc_str(doc, jdoc_get(doc, root, "mediaType"));
    if (media.n >= 35 && memcmp(media.p, "application/vnd.dev.sigstore.bundle", 35) == 0) {
        char safe[96];
        rampart_sanitize(safe, sizeof(safe), (const char *)media.p, media.n);
        return rerr_set(e, RAMPART_EUNSUPPORTED, NULL,
                        "the attestation is a Sigstore bundle (%s), which is not supported: give the DSSE envelope, "
                        "signed with a key (docs/provenance.md)",
                        safe);
    }
    jd_ref pr = JD_NONE, tr = JD_NONE;
    int rc = opt_string(doc, root, "payload", &pr, "payload", e);
    if (rc == 0)
        rc = opt_string(doc, root, "payloadType", &tr, "payloadType", e);
    if (rc != 0)
        return rc;
    /* The envelope format lets empty fields be omitted, so a missing member
     * reads as empty: an empty payload type is refused later as unsupported
     * and an envelope without signatures as unsigned. */
    rslice type = jdoc_str(doc, tr);
    if (type.n > RDSSE_MAX_TYPE)
        return rerr_set(e, RAMPART_EPROVFORMAT, NULL, "attestation payloadType is over %d bytes", RDSSE_MAX_TYPE);
    if ((d->payload_type = rampart_strndup((const char *)type.p, type.n)) == NULL)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    d->type_len = type.n;
    if ((rc = b64_field(doc, pr, RAMPART_ATTESTATION_MAX, &d->payload, &d->payload_len, "payload", e)) != 0)
        return rc;
    jd_ref sigs = jdoc_get(doc, root, "signatures");
    if (sigs == JD_NONE)
        return 0;
    if (jdoc_type(doc, sigs) != JD_ARRAY)
        return rerr_set(e, RAMPART_EPROVFORMAT, NULL, "attestation signatures is not an array");
    if (jdoc_count(doc, sigs) > RDSSE_MAX_SIGS)
        return rerr_set(e, RAMPART_EPROVFORMAT, NULL, "attestation has more than %d signatures", RDSSE_MAX_SIGS);
    for (jd_ref s = jdoc_first(doc, sigs); s != JD_NONE; s = jdoc_next(doc, s)) {
        rc = parse_sig(doc, s, d->nsigs, &d->sigs[d->nsigs], e);
        d->nsigs++; /* counted even when half-filled, so that free releases it */
        if (rc != 0)
            return rc;
    }
    return 0;
}

int rampart_dsse_parse(rampart_dsse **out, const void *data, size_t len, rampart_error *err)
{
    if (out == NULL || (data == NULL && len > 0))
        return rerr_set(err, RAMPART_EINVAL, NULL, "invalid argument");
    if (len > RAMPART_ATTESTATION_MAX)
        return rerr_set(err, RAMPART_EPROVFORMAT, NULL, "attestation is larger than %u bytes", RAMPART_ATTESTATION_MAX);
    RAMPART_AUTO(jdoc_free) jdoc *doc = NULL;
    jd_limits lim = {.max_bytes = RAMPART_ATTESTATION_MAX};
    rerr pe = {0};
    /* Any JSON number is accepted: no number of an envelope is read. */
    int rc = jdoc_parse_any_number(&doc, data, len, &lim, &pe);
    if (rc == RAMPART_ENOMEM)
        return rerr_set(err, rc, NULL, "out of memory");
    if (rc != 0)
        return rerr_set(err, RAMPART_EPROVFORMAT, NULL, "attestation is not valid JSON: %s", pe.message);
    rampart_dsse *d = rampart_calloc(1, sizeof(*d));
    if (d == NULL)
        return rerr_set(err, RAMPART_ENOMEM, NULL, "out of memory");
    rc = parse_envelope(d, doc, err);
    if (rc != 0) {
        rampart_dsse_free(d);
        return rc;
    }
    *out = d;
    return 0;
}

const char *rampart_dsse_payload_type(const rampart_dsse *d)
{
    return d != NULL ? d->payload_type : NULL;
}

const unsigned char *rampart_dsse_payload(const rampart_dsse *d, size_t *len)
{
    if (d == NULL)
        return NULL;
    if (len != NULL)
        *len = d->payload_len;
    return d->payload;
}

size_t rampart_dsse_signature_count(const rampart_dsse *d)
{
    return d != NULL ? d->nsigs : 0;
}

int rdsse_pae(rbuf *out, rslice type, rslice body)
{
    size_t start = out->len;
    int rc = rbuf_appendf(out, "DSSEv1 %zu ", type.n);
    if (rc == 0)
        rc = rbuf_append(out, type.p, type.n);
    if (rc == 0)
        rc = rbuf_appendf(out, " %zu ", body.n);
    if (rc == 0)
        rc = rbuf_append(out, body.p, body.n);
    if (rc != 0)
        out->len = start;
    return rc;
}

int rampart_dsse_pae(const char *payload_type, const void *body, size_t len, unsigned char **out, size_t *outlen)
{
    if (payload_type == NULL || (body == NULL && len > 0) || out == NULL || outlen == NULL)
        return RAMPART_EINVAL;
    rbuf b;
    rbuf_init(&b, SIZE_MAX - 1);
    int rc = rdsse_pae(&b, rslice_cstr(payload_type), RSLICE(body, len));
    if (rc != 0) {
        rbuf_free(&b);
        return rc;
    }
    size_t n;
    uint8_t *p = rbuf_detach(&b, &n);
    if (p == NULL)
        return RAMPART_ENOMEM;
    *out = p;
    *outlen = n;
    return 0;
}

/* One DER INTEGER of a 32-byte unsigned big-endian value: leading zero
 * bytes dropped (one kept for zero), a 0x00 added when the top bit is set. */
static size_t der_uint(const uint8_t v[32], uint8_t *out)
{
    size_t i = 0;
    while (i < 31 && v[i] == 0)
        i++;
    size_t n = 32 - i, pad = (v[i] & 0x80) ? 1 : 0;
    out[0] = 0x02;
    out[1] = (uint8_t)(n + pad);
    if (pad)
        out[2] = 0x00;
    memcpy(out + 2 + pad, v + i, n);
    return 2 + pad + n;
}

void rdsse_raw_to_der(const uint8_t raw[64], uint8_t *der, size_t *derlen)
{
    size_t n = der_uint(raw, der + 2);
    n += der_uint(raw + 32, der + 2 + n);
    der[0] = 0x30;
    der[1] = (uint8_t)n; /* at most 70: short form */
    *derlen = n + 2;
}

/* 0 when `sig` verifies with `k` over `msg`.  An ECDSA signature may be DER
 * or the raw r||s form (the DSSE specification's own test vector uses the
 * latter); both encode the same (r, s), and thresholds count keys, not
 * signature bytes, so accepting either opens no malleability. */
static int verify_one(const rkey *k, const rdsse_sig *sig, rslice msg)
{
    int rc = rkey_verify(k, sig->sig, sig->siglen, msg.p, msg.n);
    /* The key's row says whether its signatures have an r||s form and how
     * long it is; rdsse_raw_to_der converts the 64 bytes of P-256. */
    if (rc == RAMPART_EBADSIG && sig->siglen == 64 && rkey_alg_of(k)->raw_sig_len == sig->siglen) {
        uint8_t der[RDSSE_DER_MAX];
        size_t dl;
        rdsse_raw_to_der(sig->sig, der, &dl);
        rc = rkey_verify(k, der, dl, msg.p, msg.n);
    }
    return rc;
}

int rdsse_count_valid(const rampart_dsse *d, rkey *const *keys, size_t nkeys, size_t *valid)
{
    if (d == NULL || keys == NULL || nkeys > RPROV_POLICY_MAX_KEYS || valid == NULL)
        return RAMPART_EINVAL;
    rbuf pae;
    rbuf_init(&pae, SIZE_MAX - 1);
    int rc = rdsse_pae(&pae, RSLICE(d->payload_type, d->type_len), RSLICE(d->payload, d->payload_len));
    bool accepted[RPROV_POLICY_MAX_KEYS] = {false};
    size_t count = 0;
    for (size_t k = 0; rc == 0 && k < nkeys; k++) {
        /* The same key material listed twice counts once. */
        bool dup = false;
        for (size_t j = 0; j < k && !dup; j++)
            dup = accepted[j] && rdigest_eq(rkey_fingerprint(keys[j]), rkey_fingerprint(keys[k]), RKEY_FINGERPRINT_LEN);
        for (size_t s = 0; rc == 0 && !dup && !accepted[k] && s < d->nsigs; s++) {
            int v = verify_one(keys[k], &d->sigs[s], rbuf_slice(&pae));
            if (v == 0)
                accepted[k] = true;
            else if (v != RAMPART_EBADSIG)
                rc = v; /* a backend failure fails closed */
        }
        if (accepted[k])
            count++;
    }
    rbuf_free(&pae);
    if (rc == 0)
        *valid = count;
    return rc;
}

int rampart_dsse_verify(const rampart_dsse *d, const rampart_public_key *const *keys, size_t nkeys, unsigned threshold,
                        size_t *valid, rampart_error *err)
{
    if (d == NULL || keys == NULL || nkeys == 0 || nkeys > RPROV_POLICY_MAX_KEYS || threshold == 0 || threshold > nkeys)
        return rerr_set(err, RAMPART_EINVAL, NULL, "invalid argument (keys and a threshold from 1 to their count)");
    rkey *rk[RPROV_POLICY_MAX_KEYS] = {NULL};
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < nkeys; i++) {
        if (keys[i] == NULL)
            rc = rerr_set(err, RAMPART_EINVAL, NULL, "invalid argument (a NULL key)");
        else
            rc = rkey_from_tuf(&rk[i], rslice_cstr(rampart_public_key_keytype(keys[i])),
                               rslice_cstr(rampart_public_key_scheme(keys[i])),
                               rslice_cstr(rampart_public_key_value(keys[i])), err);
    }
    size_t n = 0;
    if (rc == 0 && (rc = rdsse_count_valid(d, rk, nkeys, &n)) != 0)
        rerr_set(err, rc, NULL, "signature verification failed");
    if (rc == 0 && n < threshold)
        rc = rerr_set(err, RAMPART_EPROVSIG, NULL,
                      d->nsigs == 0 ? "the envelope is unsigned (%zu of %u keys)"
                                    : "the envelope is signed by %zu of the %u keys required",
                      n, threshold);
    for (size_t i = 0; i < nkeys; i++)
        rkey_free(rk[i]);
    if (rc == 0 && valid != NULL)
        *valid = n;
    return rc;
}
