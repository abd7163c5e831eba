/*
 * prov_check.c - the client's provenance hook (rampart/provenance.h,
 * docs/provenance.md): before a target is downloaded, the attestation
 * bound to it in its signed custom metadata
 *
 *     "custom": {"rampart": {"provenance": {"path": P, "hashes": {"sha256": H}, "length": N}}}
 *
 * is looked up as a target of its own (the normal §5.6.7 search, so TUF's
 * signatures, expiry and rollback protection cover it), fetched into
 * memory, checked against its trusted length and hashes and against the
 * digest bound in the artifact's metadata, and judged by the policy.
 */
#include <string.h>

#include "client/client_internal.h"
#include "client/hashpipe.h"
#include "crypto/hash.h"
#include "prov/prov.h"
#include "util/codec.h"
#include "util/jdoc.h"
#include "util/banned.h"

int rampart_client_set_provenance_policy(rampart_client *c, const rampart_prov_policy *p)
{
    if (c == NULL)
        return RAMPART_EINVAL;
    c->policy = p;
    return 0;
}

typedef struct binding {
    char *path;
    rprov_digests d;
    bool has_length;
    uint64_t length;
} binding;

/* The binding in the target's custom metadata: 0, ENOTFOUND when there is
 * none, EPROVFORMAT when it is malformed. */
static int binding_of(const rampart_target *t, binding *b, rerr *e)
{
    if (t->custom == NULL)
        return RAMPART_ENOTFOUND;
    jdoc *doc = NULL;
    /* Custom metadata is opaque JSON and may hold "\u0000" anywhere; the
     * binding's own strings may not (the path becomes a C string). */
    jd_limits lim = {.allow_nul = true};
    int rc = jdoc_parse(&doc, (const uint8_t *)t->custom, strlen(t->custom), false, &lim, NULL);
    if (rc != 0)
        return rerr_set(e, rc == RAMPART_ENOMEM ? rc : RAMPART_EPROVFORMAT, t->role, "bad custom metadata");
    jd_ref r = jdoc_get(doc, jdoc_root(doc), "rampart"), pv = jdoc_get(doc, r, "provenance");
    jd_ref path = jdoc_get(doc, pv, "path"), hashes = jdoc_get(doc, pv, "hashes"), len = jdoc_get(doc, pv, "length");
    rslice p = jdoc_str(doc, path), h = jdoc_str(doc, jdoc_get(doc, hashes, "sha256"));
    if (pv == JD_NONE)
        rc = RAMPART_ENOTFOUND;
    else if (jdoc_type(doc, r) != JD_OBJECT || jdoc_type(doc, pv) != JD_OBJECT || p.n == 0 ||
             jdoc_type(doc, path) != JD_STRING || jdoc_str_has_nul(doc, path) ||
             rprov_digest_from_hex(RHASH_SHA256, (const char *)h.p, h.n, &b->d) != 0 ||
             (len != JD_NONE && (jdoc_type(doc, len) != JD_INT || jdoc_int(doc, len) < 0)))
        rc = rerr_set(e, RAMPART_EPROVFORMAT, t->role,
                      "malformed provenance binding in the metadata of '%s' (rampart.provenance: path, hashes.sha256, "
                      "length)",
                      t->path);
    else if ((b->path = rampart_strndup((const char *)p.p, p.n)) == NULL)
        rc = rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    b->has_length = rc == 0 && len != JD_NONE;
    b->length = b->has_length ? (uint64_t)jdoc_int(doc, len) : 0;
    jdoc_free(doc);
    return rc;
}

/* Fetches target `t` into `out` from the target mirrors, verified; the
 * most telling error when every mirror fails (as for downloads). */
static int fetch_verified(rampart_client *c, const rampart_target *t, rbuf *out)
{
    rtransport *tp;
    int rc = rclient_transport(c, &tp), best = 0;
    rerr best_err = {0};
    for (size_t m = 0; rc == 0 && m < c->nturls; m++) {
        rbuf url, body;
        rbuf_init(&url, 1 << 16);
        rbuf_init(&body, (size_t)t->length);
        rsink sink = {.write = rsink_rbuf_write, .ctx = &body};
        rerr me = {0};
        int mrc = rclient_target_url(c->turls[m], t, t->consistent, &url);
        if (mrc != 0)
            mrc = rerr_set(&me, mrc, NULL, "target URL too long");
        if (mrc == 0) {
            rclient_log(c, RAMPART_LOG_DEBUG, "GET %s", (const char *)url.data);
            mrc = tp->get(tp, (const char *)url.data, t->length, &sink, &me);
        }
        if (mrc == 0)
            mrc = rhashset_verify_bytes(t, rbuf_slice(&body), "attestation", &me);
        rbuf_free(&url);
        if (mrc == 0) {
            *out = body;
            return 0;
        }
        rbuf_free(&body);
        if (c->nturls > 1)
            rclient_log(c, RAMPART_LOG_WARN, "mirror %s: %s: %s", c->turls[m], t->path, me.message);
        if (rclient_error_outranks(mrc, best)) {
            best = mrc;
            best_err = me;
        }
        if (mrc == RAMPART_ENOMEM)
            break;
    }
    if (rc != 0)
        return rc;
    c->err = best_err;
    return best;
}

/* The verified bytes of the attestation that `b` binds to `t`. */
static int fetch_attestation(rampart_client *c, const rampart_target *t, const binding *b, rbuf *out)
{
    rampart_target *at = NULL;
    int rc = rampart_client_get_target_info(c, b->path, &at);
    if (rc == RAMPART_ENOTFOUND)
        return rerr_set(&c->err, RAMPART_EPROVMISSING, t->role,
                        "the attestation '%s' bound to '%s' is not listed by any trusted role", b->path, t->path);
    if (rc != 0)
        return rc;
    rprov_digests listed = {0};
    for (size_t i = 0; i < at->nhashes; i++)
        if (strcmp(at->alg[i], "sha256") == 0 &&
            rprov_digest_from_hex(RHASH_SHA256, at->hex[i], strlen(at->hex[i]), &listed) != 0)
            listed.has256 = false;
    /* The artifact's signer bound these exact bytes: another attestation
     * under the same name (mix-and-match) is refused. */
    if (!listed.has256 || !rdigest_eq(listed.sha256, b->d.sha256, 32) || (b->has_length && b->length != at->length))
        rc = rerr_set(&c->err, RAMPART_EMISMATCH, at->role,
                      "the attestation '%s' differs from the one bound to '%s' in its metadata", b->path, t->path);
    else if (at->length > RAMPART_ATTESTATION_MAX)
        rc = rerr_set(&c->err, RAMPART_EPROVFORMAT, at->role, "the attestation '%s' is larger than %u bytes", b->path,
                      RAMPART_ATTESTATION_MAX);
    else
        rc = fetch_verified(c, at, out);
    rampart_target_free(at);
    return rc;
}

int rclient_prov_check(rampart_client *c, const rampart_target *t)
{
    if (c->policy == NULL || rampart_prov_policy_requirement(c->policy, t->path) == RAMPART_PROV_NONE)
        return 0;
    rampart_prov_artifact a = RAMPART_PROV_ARTIFACT_INIT;
    a.path = t->path;
    a.custom_json = t->custom;
    for (size_t i = 0; i < t->nhashes; i++) {
        if (strcmp(t->alg[i], "sha256") == 0)
            a.sha256 = t->hex[i];
        else if (strcmp(t->alg[i], "sha512") == 0)
            a.sha512 = t->hex[i];
    }
    binding b = {0};
    rbuf att;
    rbuf_init(&att, 0);
    int rc = binding_of(t, &b, &c->err);
    if (rc == 0)
        rc = fetch_attestation(c, t, &b, &att);
    rampart_statement *s = NULL;
    if (rc == 0 || rc == RAMPART_ENOTFOUND)
        rc = rampart_prov_verify(c->policy, &a,
                                 rc != 0            ? NULL
                                 : att.data != NULL ? att.data
                                                    : (const uint8_t *)"",
                                 att.len, &s, &c->err);
    if (rc == 0 && s != NULL)
        rclient_log(c, RAMPART_LOG_INFO, "%s: provenance verified (policy rule '%s'): builder %s, source %s%s%s",
                    t->path, rampart_prov_policy_rule_name(c->policy, t->path), s->builder_id,
                    s->source_uri ? s->source_uri : "(none)", s->source_rev ? "@" : "",
                    s->source_rev ? s->source_rev : "");
    rampart_statement_free(s);
    rbuf_free(&att);
    rampart_free(b.path);
    return rc;
}
