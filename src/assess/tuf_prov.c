/* tuf_prov.c - provenance of a TUF repository's targets: how many carry a
 * provenance binding (the custom metadata `rampart repo add --provenance`
 * writes, docs/provenance.md), and the SLSA build level of the builders
 * their attestations name (docs/assess.md). */
#include <stdio.h>
#include <string.h>

#include "assess/tuf_assess.h"
#include "client/url.h"
#include "prov/prov.h"
#include "rampart/provenance.h"
#include "tuf/match.h"
#include "util/fs.h"
#include "util/banned.h"

/* Attestations read per assessment. */
#define TA_MAX_ATTESTATIONS 8

/* Builders whose SLSA Build level is published by their operator
 * (docs/assess.md lists the sources).  Matched as prefixes of builder.id.
 * A claim: the attestation's signature is not verified for these (the
 * assessor has no key of theirs); builders of the assessor's own builders
 * file (--builders) come first and are verified (declared_level). */
static const struct {
    const char *prefix;
    int level;
} BUILDERS[] = {
    {"https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@", 3},
    {"https://github.com/slsa-framework/slsa-github-generator/.github/workflows/builder_go_slsa3.yml@", 3},
    {"https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml@", 3},
    {"https://cloudbuild.googleapis.com/GoogleHostedWorker", 3},
    {"https://github.com/actions/runner/github-hosted", 2},
};

typedef struct prov_tally {
    size_t targets, bound, broken, unread;
    size_t read;
    size_t l3, lower, unknown, bad, forged;
    ta_ev slsa;
} prov_tally;

static bool is_attestation(rslice path)
{
    size_t n = strlen(RAMPART_ATTESTATION_SUFFIX);
    return path.n >= n && memcmp(path.p + path.n - n, RAMPART_ATTESTATION_SUFFIX, n) == 0;
}

/* The name of target `path` in the targets folder (§5.7.3: HASH.NAME under
 * consistent snapshots), URL-encoded for a network source. */
int ta_target_name(const ta_set *s, const tuf_md *md, const tuf_targetfile *tf, rbuf *out)
{
    if (rfs_confine_check((const char *)tf->path.p, tf->path.n, 64) != 0)
        return RAMPART_EPATH;
    const jdoc *d = md->doc;
    size_t slash = tf->path.n;
    while (slash > 0 && tf->path.p[slash - 1] != '/')
        slash--;
    rslice dir = RSLICE(tf->path.p, slash), base = RSLICE(tf->path.p + slash, tf->path.n - slash);
    rbuf_reset(out);
    bool url = s->in->targets->is_url;
    int rc = url ? rurl_encode_path(out, dir) : rbuf_append(out, dir.p, dir.n);
    if (rc == 0 && s->root->consistent_snapshot) {
        rslice h = jdoc_str(d, jdoc_get(d, tf->hashes, "sha256"));
        if (h.n == 0)
            return RAMPART_ENOTFOUND;
        rc = rbuf_append(out, h.p, h.n);
        if (rc == 0)
            rc = rbuf_append_byte(out, '.');
    }
    if (rc == 0)
        rc = url ? rurl_encode_path(out, base) : rbuf_append(out, base.p, base.n);
    return rc;
}

static void level_of(prov_tally *t, const char *builder)
{
    for (size_t i = 0; i < sizeof(BUILDERS) / sizeof(BUILDERS[0]); i++) {
        if (strncmp(builder, BUILDERS[i].prefix, strlen(BUILDERS[i].prefix)) != 0)
            continue;
        if (BUILDERS[i].level >= 3) {
            t->l3++;
            ta_note(&t->slsa, RAMPART_CHECK_PASS, "builder %.200s: SLSA Build L3", builder);
        } else {
            t->lower++;
            ta_note(&t->slsa, RAMPART_CHECK_WARN, "builder %.200s: SLSA Build L%d", builder, BUILDERS[i].level);
        }
        return;
    }
    t->unknown++;
    ta_note(&t->slsa, RAMPART_CHECK_WARN, "builder %.200s: SLSA level not determinable", builder);
}

/* A builder of the assessor's builders file (docs/assess.md, "Builders the
 * assessor has reviewed"): its level counts only when a key declared for
 * it signs the envelope (DSSE: a signature over PAE(payloadType, payload)
 * by a trusted key); otherwise the attestation claims a builder that did
 * not sign it, which is forged provenance (fail). */
static void declared_level(prov_tally *t, const rprov_builders *bs, const rprov_builder *b, const rampart_dsse *env,
                           const char *builder, rslice apath)
{
    int apn = (int)(apath.n < 200 ? apath.n : 200);
    const char *key = NULL;
    int rc = rprov_builder_signed(bs, b, env, &key);
    if (rc != 0) {
        t->forged++;
        ta_note(&t->slsa, RAMPART_CHECK_FAIL, "builder %.200s (declared L%d in the builders file): attestation %.*s %s",
                builder, b->level, apn, (const char *)apath.p,
                rc == RAMPART_EPROVSIG ? "is not signed by a key declared for it (forged provenance)"
                                       : "could not be verified");
        return;
    }
    if (b->level >= 3)
        t->l3++;
    else
        t->lower++;
    ta_note(&t->slsa, b->level >= 3 ? RAMPART_CHECK_PASS : RAMPART_CHECK_WARN,
            "builder %.200s: SLSA Build L%d (declared in the builders file; attestation %.*s signed by its key '%s')",
            builder, b->level, apn, (const char *)apath.p, key);
}

/* The metadata that lists attestation `apath` bound by a target of role
 * `ri` (-1: targets): the same role, or, for a TAP 15 hash bin, the bin the
 * attestation's own path hashes to (where a client would look it up). */
static const tuf_md *attestation_md(const ta_set *s, int ri, rslice apath, tuf_targetfile *tf, bool *unread)
{
    *unread = false;
    const tuf_md *md = ri < 0 ? s->targets : s->roles[ri].md;
    if (tuf_md_target(md, apath, tf) == 0)
        return md;
    if (ri < 0 || !s->roles[ri].bin)
        return NULL;
    tuf_path_hash ph;
    RAMPART_AUTO(rbuf_free) rbuf name;
    rbuf_init(&name, 1024);
    if (tuf_path_hash_compute(apath, &ph) != 0 || tuf_succinct_role_for(&s->roles[ri].by->succinct, &ph, &name) != 0)
        return NULL;
    for (size_t i = 0; i < s->nroles; i++)
        if (s->roles[i].bin && s->roles[i].md != NULL && s->roles[i].by == s->roles[ri].by &&
            rslice_eq_cstr(rbuf_slice(&name), s->roles[i].name))
            return tuf_md_target(s->roles[i].md, apath, tf) == 0 ? s->roles[i].md : NULL;
    /* its bin is past TA_MAX_BINS: not judged */
    *unread = s->bins_truncated;
    return NULL;
}

/* Reads the attestation of one bound target and the builder it names.
 * The envelope's signature is checked only for a builder of the
 * assessor's builders file (the keys come from there); for the others
 * the assessor has no builder key, and `rampart verify-provenance` does
 * that with a policy. */
static void read_attestation(ta_set *s, const tuf_md *md, const tuf_targetfile *atf, rslice apath, prov_tally *t)
{
    tuf_targetfile tf = *atf;
    RAMPART_AUTO(rbuf_free) rbuf name;
    rbuf_init(&name, 8192);
    RAMPART_AUTO(rbuf_free) rbuf b = {0};
    rerr e = {0};
    t->read++;
    int rc = ta_target_name(s, md, &tf, &name);
    if (rc == 0)
        rc = rasrc_get(s->in->targets, (const char *)name.data, RAMPART_ATTESTATION_MAX, &b, &e);
    if (rc == 0)
        rc = tuf_check_hashes(md, tf.hashes, tf.length, b.data, b.len, "attestation", &e);
    rampart_dsse *env = NULL;
    rampart_statement *st = NULL;
    if (rc == 0)
        rc = rampart_dsse_parse(&env, b.data, b.len, &e);
    if (rc == 0) {
        size_t pl = 0;
        const unsigned char *p = rampart_dsse_payload(env, &pl);
        rc = rampart_statement_parse(&st, p, pl, &e);
    }
    const char *builder = rc == 0 ? rampart_statement_builder_id(st) : NULL;
    if (rc != 0 || builder == NULL) {
        t->bad++;
        ta_note(&t->slsa, RAMPART_CHECK_FAIL, "attestation %.*s: %s", (int)(apath.n < 200 ? apath.n : 200),
                (const char *)apath.p, rc != 0 ? (e.code != 0 ? e.message : "cannot be read") : "names no builder");
    } else if (rprov_builders_find(s->in->builders, builder) != NULL) {
        declared_level(t, s->in->builders, rprov_builders_find(s->in->builders, builder), env, builder, apath);
    } else {
        level_of(t, builder);
    }
    rampart_statement_free(st);
    rampart_dsse_free(env);
}

static void tally_role(ta_set *s, int ri, prov_tally *t)
{
    const tuf_md *md = ri < 0 ? s->targets : s->roles[ri].md;
    const jdoc *d = md->doc;
    if (md->targets == JD_NONE)
        return;
    for (jd_ref k = jdoc_first(d, md->targets); k != JD_NONE; k = jdoc_next_key(d, k)) {
        rslice path = jdoc_str(d, k);
        if (is_attestation(path))
            continue;
        t->targets++;
        jd_ref c = jdoc_get(d, jdoc_value(k), "custom");
        jd_ref b = jdoc_get(d, jdoc_get(d, c, "rampart"), "provenance");
        if (b == JD_NONE)
            continue;
        jd_ref ap = jdoc_get(d, b, "path");
        tuf_targetfile tf;
        bool unread = false;
        const tuf_md *amd = jdoc_type(d, ap) == JD_STRING ? attestation_md(s, ri, jdoc_str(d, ap), &tf, &unread) : NULL;
        if (amd == NULL) {
            t->bound += unread;
            t->unread += unread;
            t->broken += !unread;
            continue;
        }
        t->bound++;
        if (s->in->targets != NULL && t->read < TA_MAX_ATTESTATIONS)
            read_attestation(s, amd, &tf, jdoc_str(d, ap), t);
    }
}

int ta_check_provenance(rampart_assessment *a, ta_set *s)
{
    prov_tally t = {0};
    ta_ev_init(&t.slsa);
    if (s->targets != NULL)
        tally_role(s, -1, &t);
    for (size_t i = 0; i < s->nroles; i++)
        if (s->roles[i].md != NULL)
            tally_role(s, (int)i, &t);
    ta_ev v;
    ta_ev_init(&v);
    /* NIST SSDF PS.3.2 and Scorecard Signed-Releases: every release with
     * its provenance.  Coverage thresholds are Rampart's choice. */
    rampart_check_status st = RAMPART_CHECK_PASS;
    if (t.targets == 0 || t.bound == 0)
        st = RAMPART_CHECK_FAIL;
    else if (t.bound < t.targets || t.broken > 0)
        st = RAMPART_CHECK_WARN;
    ta_note(&v, st, "%zu of %zu target(s) bind provenance", t.bound, t.targets);
    if (t.broken > 0)
        ta_note(&v, RAMPART_CHECK_WARN, "%zu binding(s) name an attestation that is not a target", t.broken);
    if (s->bins_truncated)
        ta_note(&v, RAMPART_CHECK_WARN,
                "only the targets of the first %d hash bins were counted (%zu attestation(s) in bins not read)",
                TA_MAX_BINS, t.unread);
    int rc = ta_emit(a, TA_PROVENANCE, &v, s->where);
    if (rc != 0) {
        rbuf_free(&t.slsa.b);
        return rc;
    }
    if (t.bound == 0)
        ta_note(&t.slsa, RAMPART_CHECK_WARN, "no provenance, so no builder to assess");
    else if (s->in->targets == NULL)
        ta_note(&t.slsa, RAMPART_CHECK_WARN, "the targets folder could not be found: attestations not read");
    else if (t.read == 0)
        ta_note(&t.slsa, RAMPART_CHECK_WARN, "no attestation was read (they are in hash bins not read)");
    else if (t.bound > t.read)
        ta_note(&t.slsa, RAMPART_CHECK_PASS, "(the first %d attestations were read)", TA_MAX_ATTESTATIONS);
    return ta_emit(a, TA_SLSA, &t.slsa, s->in->targets != NULL ? s->in->targets->base : s->where);
}
