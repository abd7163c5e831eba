/* apt_kind.c - the apt kind: an apt suite (dists/SUITE/) read as apt reads
 * it, InRelease first, then Release + Release.gpg (docs/assess.md, "apt
 * repositories").  The signature is graded from its packets (pgp.c) and,
 * with a keyring, verified by gpgv (gpgv.c). */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "assess/apt_release.h"
#include "assess/assess.h"
#include "assess/gpgv.h"
#include "assess/pgp.h"
#include "util/fs.h"
#include "util/banned.h"

enum { AP_SIGNED, AP_SIG_HASH, AP_KEY, AP_VALID_UNTIL, AP_HASHES, AP_BY_HASH, AP_SIGNED_BY, AP_HTTPS, AP_PROV, AP_N };

static const rassess_rule RULES[AP_N] = {
    [AP_SIGNED] = {"APT-SIGNED", RQ_S | RQ_M, "Release signed (InRelease, or Release + Release.gpg) and verified",
                   "Sign the Release file (InRelease) and publish the archive key so clients can verify it"},
    [AP_SIG_HASH] = {"APT-SIG-HASH", RQ_S, "Digest algorithm of the Release signature",
                     "Sign with SHA-256 or SHA-512 (gpg --digest-algo SHA512)"},
    [AP_KEY] = {"APT-KEY", RQ_S, "Algorithm and size of the archive signing key",
                "Sign with an Ed25519 or RSA >= 3072-bit key"},
    [AP_VALID_UNTIL] = {"APT-VALID-UNTIL", RQ_M, "Release freshness: Date and Valid-Until",
                        "Set Valid-Until (at most 30 days after Date) and re-sign the Release before it passes"},
    [AP_HASHES] = {"APT-HASHES", RQ_H, "Hash fields of the Release index",
                   "List indexes with SHA256 (or SHA512) only; drop MD5Sum and SHA1"},
    [AP_BY_HASH] = {"APT-BY-HASH", RQ_M, "Acquire-By-Hash (indexes fetched by their hash)",
                    "Publish indexes under by-hash/ and set 'Acquire-By-Hash: yes'"},
    [AP_SIGNED_BY] = {"APT-SIGNED-BY", RQ_S, "Signed-By in the Release (the keys clients should accept next)",
                      "Add a Signed-By field naming the archive key fingerprints"},
    [AP_HTTPS] = {"APT-HTTPS", RQ_T, "Release and indexes served over HTTPS", "Serve the repository over HTTPS only"},
    [AP_PROV] = {"APT-PROVENANCE", RQ_P, "Release provenance for the packages",
                 "Publish signed build provenance (in-toto/SLSA) for each package beside the repository"},
};

typedef struct apt_set {
    const rassess_input *in;
    int64_t now;
    char where[512];
    rbuf inrel, release, relgpg, text, sigbin, keyring;
    bool has_inrel, has_rel, has_relgpg;
    const uint8_t *body; /* the Release text graded */
    size_t body_len;
    bool parsed;
    apt_release rel;
    char parse_err[256];
    pgp_sig sigs[PGP_MAX_SIGS];
    size_t nsigs;
    char sig_err[256];
    pgp_key keys[PGP_MAX_KEYS];
    size_t nkeys;
    char key_err[256];
    gpgv_result gv;
} apt_set;

static void set_free(apt_set *s)
{
    rbuf_free(&s->inrel);
    rbuf_free(&s->release);
    rbuf_free(&s->relgpg);
    rbuf_free(&s->text);
    rbuf_free(&s->sigbin);
    rbuf_free(&s->keyring);
}

static int get(apt_set *s, const char *name, rbuf *b, bool *have, rerr *e)
{
    rerr e1 = {0};
    int rc = rasrc_get(s->in->meta, name, s->in->max_doc_bytes, b, &e1);
    *have = rc == 0;
    if (rc == RAMPART_ENOTFOUND || rc == 0)
        return 0;
    if (e != NULL)
        *e = e1;
    return rc;
}

static void err_copy(char *dst, size_t n, const rerr *e)
{
    (void)snprintf(dst, n, "%.*s", (int)(n - 1), e->message);
}

/* The signature packets (and the signed text of an InRelease). */
static void read_signature(apt_set *s)
{
    rerr e = {0};
    rslice armored = {0};
    if (s->has_inrel) {
        if (pgp_cleartext(s->inrel.data, s->inrel.len, &s->text, &armored, &e) != 0) {
            err_copy(s->sig_err, sizeof(s->sig_err), &e);
            return;
        }
        s->body = s->text.data, s->body_len = s->text.len;
    } else {
        s->body = s->release.data, s->body_len = s->release.len;
        if (!s->has_relgpg)
            return;
        armored = (rslice){.p = s->relgpg.data, .n = s->relgpg.len};
    }
    if (pgp_dearmor(armored.p, armored.n, "PGP SIGNATURE", &s->sigbin, &e) != 0 ||
        pgp_read_sigs(s->sigbin.data, s->sigbin.len, s->sigs, PGP_MAX_SIGS, &s->nsigs, &e) != 0)
        err_copy(s->sig_err, sizeof(s->sig_err), &e);
    else if (s->nsigs == 0)
        (void)snprintf(s->sig_err, sizeof(s->sig_err), "no signature packet");
}

static int read_keyring(apt_set *s, rerr *e)
{
    const char *path = s->in->opts != NULL ? s->in->opts->keyring : NULL;
    if (path == NULL)
        return 0;
    int rc = rassess_keyring_read(path, &s->keyring, e);
    if (rc != 0)
        return rc;
    rerr e1 = {0};
    if (pgp_read_keys(s->keyring.data, s->keyring.len, s->keys, PGP_MAX_KEYS, &s->nkeys, &e1) != 0)
        err_copy(s->key_err, sizeof(s->key_err), &e1);
    return 0;
}

static int load(apt_set *s, rerr *e)
{
    rbuf_init(&s->text, APT_REL_MAX);
    rbuf_init(&s->sigbin, PGP_MAX_INPUT);
    rbuf_init(&s->keyring, PGP_MAX_INPUT);
    int rc = get(s, "InRelease", &s->inrel, &s->has_inrel, e);
    if (rc == 0)
        rc = get(s, "Release", &s->release, &s->has_rel, e);
    if (rc == 0 && s->has_rel)
        rc = get(s, "Release.gpg", &s->relgpg, &s->has_relgpg, e);
    if (rc != 0)
        return rc;
    if (!s->has_inrel && !s->has_rel)
        return rerr_set(e, RAMPART_ENOTFOUND, NULL, "%s: no InRelease or Release (give the dists/SUITE/ folder)",
                        s->in->meta->base);
    (void)snprintf(s->where, sizeof(s->where), "%s%s", s->in->meta->base, s->has_inrel ? "InRelease" : "Release");
    read_signature(s);
    if (s->body != NULL) {
        rerr pe = {0};
        s->parsed = apt_release_parse(s->body, s->body_len, &s->rel, &pe) == 0;
        if (!s->parsed)
            err_copy(s->parse_err, sizeof(s->parse_err), &pe);
    }
    rc = read_keyring(s, e);
    if (rc != 0 || s->in->opts == NULL || s->in->opts->keyring == NULL || (!s->has_inrel && !s->has_relgpg))
        return rc;
    /* gpgv verifies the bytes served, as apt does. */
    const rbuf *sig = s->has_inrel ? &s->inrel : &s->relgpg;
    return rassess_gpgv(s->in->opts->gpgv_path, &s->keyring, sig->data, sig->len, s->has_inrel ? NULL : s->release.data,
                        s->release.len, &s->gv, e);
}

/* ---- checks ------------------------------------------------------------------- */

/* apt's acquire-item.cc: a suite without InRelease and without Release.gpg is unsigned. */
static void check_signed(apt_set *s, rassess_ev *v)
{
    bool signed_ = s->has_inrel || s->has_relgpg;
    const char *form = s->has_inrel ? "InRelease" : "Release + Release.gpg";
    if (!signed_) {
        rassess_note(v, RAMPART_CHECK_CRITICAL, "Release is not signed (no InRelease, no Release.gpg)");
    } else if (s->sig_err[0] != '\0') {
        rassess_note(v, RAMPART_CHECK_CRITICAL, "%s: unreadable signature: %s", form, s->sig_err);
    } else if (s->in->opts == NULL || s->in->opts->keyring == NULL) {
        rassess_note(v, RAMPART_CHECK_WARN, "%s: %zu signature(s), not verified (give the archive key with --keyring)",
                     form, s->nsigs);
    } else if (s->gv.valid) {
        rassess_note(v, RAMPART_CHECK_PASS, "%s verified by gpgv with the given keyring (key %s)", form, s->gv.fpr);
    } else {
        rassess_note(v, RAMPART_CHECK_CRITICAL, "%s does not verify with the given keyring: %s", form, s->gv.status);
    }
    if (s->body != NULL && !s->parsed)
        rassess_note(v, RAMPART_CHECK_CRITICAL, "Release does not parse: %s", s->parse_err);
    if (s->has_inrel && s->has_rel)
        rassess_note(v, RAMPART_CHECK_PASS, "Release also served (apt reads InRelease first)");
}

/* apt's methods/gpgv.cc treats MD5, SHA-1 and RIPEMD-160 signatures as
 * untrusted; SHA-224 is Rampart's choice (warn). */
static void check_sig_hash(apt_set *s, rassess_ev *v)
{
    for (size_t i = 0; i < s->nsigs; i++) {
        char b[24];
        int h = s->sigs[i].hash_alg;
        rampart_check_status st = RAMPART_CHECK_FAIL;
        if (h == PGP_H_SHA256 || h == PGP_H_SHA384 || h == PGP_H_SHA512 || h == PGP_H_SHA3_256 || h == PGP_H_SHA3_512)
            st = RAMPART_CHECK_PASS;
        else if (h == PGP_H_SHA224)
            st = RAMPART_CHECK_WARN;
        rassess_note(v, st, "signature %zu (v%d): %s", i + 1, s->sigs[i].version, pgp_hash_name(h, b));
    }
    if (s->nsigs == 0)
        rassess_note(v, RAMPART_CHECK_FAIL, "no readable signature");
}

/* NIST SP 800-57 part 1: RSA-2048 gives 112-bit security, 3072 128-bit;
 * apt's APT::Key::Assert-Pubkey-Algo refuses RSA below 2048 bits. */
static rampart_check_status key_status(int alg, unsigned bits, const char *curve)
{
    switch (alg) {
    case PGP_PK_RSA:
    case PGP_PK_RSA_S:
        return bits >= 3072 ? RAMPART_CHECK_PASS : bits >= 2048 ? RAMPART_CHECK_WARN : RAMPART_CHECK_FAIL;
    case PGP_PK_EDDSA:
    case PGP_PK_ECDSA:
        return curve != NULL && strcmp(curve, "unknown curve") != 0 ? RAMPART_CHECK_PASS : RAMPART_CHECK_FAIL;
    case PGP_PK_ED25519:
    case PGP_PK_ED448:
        return RAMPART_CHECK_PASS;
    default:
        return RAMPART_CHECK_FAIL; /* DSA (1024-bit in OpenPGP practice), unknown */
    }
}

static void check_key(apt_set *s, rassess_ev *v)
{
    if (s->key_err[0] != '\0')
        rassess_note(v, RAMPART_CHECK_WARN, "keyring unreadable: %s", s->key_err);
    for (size_t i = 0; i < s->nsigs; i++) {
        char b[24];
        const pgp_sig *g = &s->sigs[i];
        const pgp_key *k = pgp_signer(g, s->keys, s->nkeys);
        if (k != NULL) {
            rassess_note(v, key_status(k->pk_alg, k->bits, k->curve), "signature %zu: %s %u-bit%s%s key", i + 1,
                         pgp_pk_name(k->pk_alg, b), k->bits, k->curve != NULL ? " " : "",
                         k->curve != NULL ? k->curve : "");
        } else if (g->pk_alg == PGP_PK_RSA || g->pk_alg == PGP_PK_RSA_S) {
            rassess_note(v, RAMPART_CHECK_WARN, "signature %zu: RSA key of unknown size (%s)", i + 1,
                         s->nkeys > 0 ? "signer not in the keyring" : "give --keyring");
        } else {
            rassess_note(v, key_status(g->pk_alg, 0, g->pk_alg == PGP_PK_EDDSA ? "ed25519" : NULL),
                         "signature %zu: %s key", i + 1, pgp_pk_name(g->pk_alg, b));
        }
    }
    if (s->nsigs == 0)
        rassess_note(v, RAMPART_CHECK_FAIL, "no readable signature");
}

#define DAY 86400
#define CLOCK_SKEW 600 /* Rampart's choice: 10 minutes */

/* sources.list(5) Check-Valid-Until and Check-Date: apt refuses an expired
 * Release and one dated in the future; without Valid-Until nothing bounds
 * a freeze attack. */
static void check_valid_until(apt_set *s, rassess_ev *v)
{
    const apt_release *r = &s->rel;
    if (!r->has_date)
        rassess_note(v, RAMPART_CHECK_WARN, "no Date field");
    else if (r->date > s->now + CLOCK_SKEW)
        rassess_note(v, RAMPART_CHECK_FAIL, "Date is %lld s in the future", (long long)(r->date - s->now));
    if (!r->has_valid_until) {
        rassess_note(v, RAMPART_CHECK_FAIL, "no Valid-Until: a replayed old Release is accepted forever (freeze)");
        return;
    }
    if (r->valid_until <= s->now) {
        rassess_note(v, RAMPART_CHECK_FAIL, "Valid-Until passed %lld day(s) ago: apt refuses the Release",
                     (long long)((s->now - r->valid_until) / DAY));
        return;
    }
    int64_t from = r->has_date ? r->date : s->now;
    long long days = (long long)((r->valid_until - from + DAY - 1) / DAY);
    rassess_note(v, days > 30 ? RAMPART_CHECK_WARN : RAMPART_CHECK_PASS,
                 "Valid-Until %lld day(s) after %s (%lld day(s) left)", days, r->has_date ? "Date" : "now",
                 (long long)((r->valid_until - s->now) / DAY));
}

/* apt's hashes.cc: MD5Sum and SHA1 are not usable for verification. */
static void check_hashes(apt_set *s, rassess_ev *v)
{
    const apt_release *r = &s->rel;
    bool strong = r->entries[APT_H_SHA256] > 0 || r->entries[APT_H_SHA512] > 0;
    bool weak = r->has_field[APT_H_MD5] || r->has_field[APT_H_SHA1];
    for (int h = 0; h < APT_H_COUNT; h++)
        if (r->has_field[h])
            rassess_note(v, RAMPART_CHECK_PASS, "%s: %zu entries", apt_hash_field(h), r->entries[h]);
    if (!strong)
        rassess_note(v, RAMPART_CHECK_FAIL, "no SHA256 or SHA512 entries: indexes are not bound by a usable hash");
    else if (weak)
        rassess_note(v, RAMPART_CHECK_WARN, "weak hash fields listed too (MD5Sum/SHA1)");
}

static void check_by_hash(apt_set *s, rassess_ev *v)
{
    bool yes = rslice_eq_cstr(s->rel.acquire_by_hash, "yes");
    rassess_note(
        v, yes ? RAMPART_CHECK_PASS : RAMPART_CHECK_WARN, "Acquire-By-Hash: %.*s",
        (int)(s->rel.acquire_by_hash.n > 0 ? (s->rel.acquire_by_hash.n < 16 ? s->rel.acquire_by_hash.n : 16) : 6),
        s->rel.acquire_by_hash.n > 0 ? (const char *)s->rel.acquire_by_hash.p : "absent");
}

static void check_signed_by(apt_set *s, rassess_ev *v)
{
    rslice sb = s->rel.signed_by;
    if (sb.n > 0)
        rassess_note(v, RAMPART_CHECK_PASS, "Signed-By: %.*s", (int)(sb.n < 200 ? sb.n : 200), (const char *)sb.p);
    else
        rassess_note(v, RAMPART_CHECK_WARN, "no Signed-By: clients cannot learn which keys may sign next");
}

static int emit(rampart_assessment *a, apt_set *s, int rule, void (*fn)(apt_set *, rassess_ev *))
{
    rassess_ev v;
    rassess_ev_init(&v);
    if (rule >= AP_VALID_UNTIL && rule <= AP_SIGNED_BY && !s->parsed)
        rassess_note(&v, RAMPART_CHECK_FAIL, "Release unreadable: not assessed");
    else
        fn(s, &v);
    return rassess_emit(a, &RULES[rule], &v, s->where);
}

static void check_https(apt_set *s, rassess_ev *v)
{
    /* Rampart's choice: fail, not critical -- the Release is signed, but a
     * network attacker sees every package fetched and can hold back updates. */
    if (s->in->meta->https)
        rassess_note(v, RAMPART_CHECK_PASS, "served over HTTPS (redirects to http refused)");
    else
        rassess_note(v, RAMPART_CHECK_FAIL, "served over plain http");
}

static void check_prov(apt_set *s, rassess_ev *v)
{
    (void)s;
    rassess_note(v, RAMPART_CHECK_FAIL, "the apt repository format carries no build provenance for packages");
}

static int apt_run(rampart_assessment *a, const rassess_input *in, rerr *e)
{
    if (in->meta == NULL)
        return rerr_set(e, RAMPART_ENOTFOUND, NULL, "an apt suite is a folder or URL (dists/SUITE/)");
    apt_set *s = rampart_calloc(1, sizeof(*s));
    if (s == NULL)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    s->in = in;
    s->now = a->now;
    int rc = load(s, e);
    static void (*const FNS[AP_N])(apt_set *, rassess_ev *) = {
        [AP_SIGNED] = check_signed,           [AP_SIG_HASH] = check_sig_hash, [AP_KEY] = check_key,
        [AP_VALID_UNTIL] = check_valid_until, [AP_HASHES] = check_hashes,     [AP_BY_HASH] = check_by_hash,
        [AP_SIGNED_BY] = check_signed_by,     [AP_HTTPS] = check_https,       [AP_PROV] = check_prov};
    for (int i = 0; i < AP_N && rc == 0; i++)
        if (i != AP_HTTPS || in->meta->is_url)
            rc = emit(a, s, i, FNS[i]);
    if (rc != 0 && (e == NULL || e->code != rc))
        rc = rerr_set(e, rc, NULL, "cannot record the findings");
    set_free(s);
    rampart_free(s);
    return rc;
}

static bool apt_detect(const rassess_input *in)
{
    if (in->meta == NULL)
        return false;
    RAMPART_AUTO(rbuf_free) rbuf b = {0};
    static const char *const names[] = {"InRelease", "Release"};
    for (size_t i = 0; i < 2; i++) {
        int rc = rasrc_get(in->meta, names[i], 64, &b, NULL);
        if (rc == 0 || rc == RAMPART_ETOOLARGE) /* present (only its start is read) */
            return true;
    }
    return false;
}

const rassess_kind rassess_kind_apt = {
    .name = "apt",
    .kind = RAMPART_KIND_APT,
    .detect = apt_detect,
    .run = apt_run,
    .rules = RULES,
    .nrules = AP_N,
};
