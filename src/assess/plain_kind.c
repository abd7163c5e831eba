/* plain_kind.c - the plain-download kind: a file with, perhaps, a checksum
 * file, a signature and provenance beside it (docs/assess.md, "Plain
 * downloads").  The file is downloaded (capped) and hashed; a minisign
 * signature is verified with --minisign-key, an OpenPGP one by gpgv with
 * --keyring, in-toto provenance is checked against the file's digests. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "assess/assess.h"
#include "assess/gpgv.h"
#include "assess/minisign.h"
#include "assess/pgp.h"
#include "assess/plain_sums.h"
#include "crypto/hash.h"
#include "prov/prov.h"
#include "rampart/provenance.h"
#include "util/fs.h"
#include "util/banned.h"

enum { DL_HTTPS, DL_CHECKSUM, DL_SIGNATURE, DL_ORIGIN, DL_MANIFEST, DL_PROV, DL_N };

static const rassess_rule RULES[DL_N] = {
    [DL_HTTPS] = {"DL-HTTPS", RQ_T, "Download URL scheme", "Serve the download (and its checksums) over HTTPS"},
    [DL_CHECKSUM] = {"DL-CHECKSUM", RQ_H, "Checksum file listing the download with SHA-256 or SHA-512",
                     "Publish a SHA256SUMS (sha256sum format) listing every download"},
    [DL_SIGNATURE] = {"DL-SIGNATURE", RQ_S, "Signature on the download or its checksum file, verified",
                      "Sign the download or SHA256SUMS (minisign, or OpenPGP) and publish the public key"},
    [DL_ORIGIN] = {"DL-CHECKSUM-ORIGIN", RQ_S | RQ_H, "Checksums independent of the download host",
                   "Sign the checksum file, or publish it on another origin than the downloads"},
    [DL_MANIFEST] =
        {"DL-MANIFEST", RQ_M, "A signed manifest that names the current release",
         "Distribute through a signed, expiring manifest (TUF, or a signed appcast) instead of a bare file"},
    [DL_PROV] = {"DL-PROVENANCE", RQ_P, "Build provenance (NAME.intoto.jsonl) about the download",
                 "Publish SLSA provenance as NAME.intoto.jsonl beside each download"},
};

#define NAME_MAX_LEN 1024

typedef struct dl_set {
    const rassess_input *in;
    const rampart_assess_options *o;
    char where[4096];
    rbuf file;
    rprov_digests d;
    /* checksums */
    rbuf sums;
    char sums_name[NAME_MAX_LEN + 32];
    bool sums_found, sums_other_origin;
    char sums_err[600];
    size_t listed[4];    /* entries naming the file, per algorithm */
    size_t matched, bad; /* SHA-256/512 entries that match / do not */
    /* signature */
    rbuf sig;
    char sig_name[NAME_MAX_LEN + 32];
    bool sig_found, sig_over_sums, sig_verified, sig_unverifiable;
    char sig_note[700];
    /* provenance */
    bool prov_found;
    int prov_rc;
    char prov_err[600];
    rprov_declared prov_by; /* its builder in the assessor's --builders file */
} dl_set;

static int fetch_given(dl_set *s, const char *ref, rbuf *out, rerr *e)
{
    if (strncmp(ref, "https://", 8) == 0 || strncmp(ref, "http://", 7) == 0)
        return rasrc_fetch_url(s->o, ref, s->in->max_doc_bytes, out, e);
    rbuf_free(out);
    rbuf_init(out, s->in->max_doc_bytes);
    return rfs_read_file(AT_FDCWD, ref, out, e);
}

/* The first of `names` found beside the file: a name starting with '.' is
 * a suffix to `base`, any other is the name itself. */
static bool discover(dl_set *s, const char *const *names, size_t n, const char *base, rbuf *out, char *name, size_t cap)
{
    for (size_t i = 0; i < n; i++) {
        bool suffix = names[i][0] == '.';
        (void)snprintf(name, cap, "%s%s", suffix ? base : "", names[i]); /* truncated names are not found */
        if (rasrc_get(s->in->parent, name, s->in->max_doc_bytes, out, NULL) == 0)
            return true;
    }
    return false;
}

/* The origin (scheme://host[:port]/) of a URL. */
static size_t origin_len(const char *u)
{
    const char *p = strstr(u, "://");
    if (p == NULL)
        return 0;
    const char *slash = strchr(p + 3, '/');
    return slash != NULL ? (size_t)(slash - u) : strlen(u);
}

static int on_entry(void *ctx, const sums_entry *en)
{
    dl_set *s = ctx;
    const char *leaf = s->in->leaf;
    size_t ln = strlen(leaf);
    rslice nm = en->name;
    if (nm.n > 2 && nm.p[0] == '.' && nm.p[1] == '/')
        nm.p += 2, nm.n -= 2;
    if (nm.n != ln || memcmp(nm.p, leaf, ln) != 0)
        return 0;
    s->listed[en->alg]++;
    if (en->alg == SUMS_SHA256 || en->alg == SUMS_SHA512) {
        const uint8_t *have = en->alg == SUMS_SHA256 ? s->d.sha256 : s->d.sha512;
        if (rdigest_eq(have, en->digest, en->dlen))
            s->matched++;
        else
            s->bad++;
    }
    return 0;
}

/* A NAME.sha256 often holds the bare digest: read it as "HEX  NAME". */
static int bare_digest(dl_set *s, rbuf *text)
{
    size_t n = text->len;
    while (n > 0 && (text->data[n - 1] == '\n' || text->data[n - 1] == '\r'))
        n--;
    if ((n != 64 && n != 128) || memchr(text->data, ' ', n) != NULL)
        return 0;
    RAMPART_AUTO(rbuf_free) rbuf l;
    rbuf_init(&l, 256 + NAME_MAX_LEN);
    if (rbuf_append(&l, text->data, n) != 0 || rbuf_appendf(&l, "  %s\n", s->in->leaf) != 0)
        return 0;
    rbuf_free(text);
    *text = l;
    rbuf_init(&l, 1);
    return 0;
}

static void load_sums(dl_set *s)
{
    static const char *const NAMES[] = {".sha256",    ".sha512",    ".sha256sum",
                                        "SHA256SUMS", "SHA512SUMS", "sha256sums.txt"};
    rerr e = {0};
    if (s->o->checksums_url != NULL) {
        (void)snprintf(s->sums_name, sizeof(s->sums_name), "%s", s->o->checksums_url);
        if (fetch_given(s, s->o->checksums_url, &s->sums, &e) != 0) {
            (void)snprintf(s->sums_err, sizeof(s->sums_err), "%s", e.message);
            return;
        }
        size_t a = origin_len(s->o->checksums_url), b = origin_len(s->where);
        s->sums_other_origin = a == 0 || b == 0 || a != b || strncmp(s->o->checksums_url, s->where, a) != 0;
        s->sums_found = true;
    } else {
        s->sums_found = discover(s, NAMES, sizeof(NAMES) / sizeof(NAMES[0]), s->in->leaf, &s->sums, s->sums_name,
                                 sizeof(s->sums_name));
    }
    if (!s->sums_found)
        return;
    (void)bare_digest(s, &s->sums);
    if (sums_parse(s->sums.data, s->sums.len, on_entry, s, &e) != 0)
        (void)snprintf(s->sums_err, sizeof(s->sums_err), "%s", e.message);
}

static bool is_minisig(const rbuf *b)
{
    return b->len >= 19 && memcmp(b->data, "untrusted comment: ", 19) == 0;
}

static void verify_sig(dl_set *s)
{
    const rbuf *data = s->sig_over_sums ? &s->sums : &s->file;
    rerr e = {0};
    if (is_minisig(&s->sig)) {
        minisig ms;
        minisign_key k;
        if (minisign_parse_sig(s->sig.data, s->sig.len, &ms, &e) != 0) {
            (void)snprintf(s->sig_note, sizeof(s->sig_note), "unreadable: %s", e.message);
        } else if (s->o->minisign_key == NULL) {
            s->sig_unverifiable = true;
            (void)snprintf(s->sig_note, sizeof(s->sig_note), "minisign, not verified (give --minisign-key)");
        } else if (minisign_parse_key(s->o->minisign_key, strlen(s->o->minisign_key), &k, &e) != 0 ||
                   minisign_verify(&ms, &k, data->data, data->len, &e) != 0) {
            (void)snprintf(s->sig_note, sizeof(s->sig_note), "minisign: %s", e.message);
        } else {
            s->sig_verified = true;
            (void)snprintf(s->sig_note, sizeof(s->sig_note), "minisign signature (%s) verifies with the given key",
                           ms.prehashed ? "pre-hashed, BLAKE2b-512" : "legacy");
        }
        return;
    }
    if (s->o->keyring == NULL) {
        s->sig_unverifiable = true;
        (void)snprintf(s->sig_note, sizeof(s->sig_note), "OpenPGP, not verified (give --keyring)");
        return;
    }
    gpgv_result r;
    RAMPART_AUTO(rbuf_free) rbuf keyring;
    rbuf_init(&keyring, PGP_MAX_INPUT);
    if (rassess_keyring_read(s->o->keyring, &keyring, &e) != 0)
        (void)snprintf(s->sig_note, sizeof(s->sig_note), "keyring: %s", e.message);
    else if (rassess_gpgv(s->o->gpgv_path, &keyring, s->sig.data, s->sig.len, data->data, data->len, &r, &e) != 0)
        (void)snprintf(s->sig_note, sizeof(s->sig_note), "gpgv: %s", e.message);
    else if (r.valid)
        s->sig_verified = true, (void)snprintf(s->sig_note, sizeof(s->sig_note), "OpenPGP, verified (key %s)", r.fpr);
    else
        (void)snprintf(s->sig_note, sizeof(s->sig_note), "OpenPGP, does not verify: %s", r.status);
}

static void load_sig(dl_set *s)
{
    static const char *const NAMES[] = {".minisig", ".sig", ".asc"};
    rerr e = {0};
    if (s->o->signature_url != NULL) {
        (void)snprintf(s->sig_name, sizeof(s->sig_name), "%s", s->o->signature_url);
        s->sig_found = fetch_given(s, s->o->signature_url, &s->sig, &e) == 0;
        if (!s->sig_found)
            (void)snprintf(s->sig_note, sizeof(s->sig_note), "cannot be read: %s", e.message);
        /* A signature given with a checksum file is taken to be over it. */
        s->sig_over_sums = s->sig_found && s->sums_found && s->o->checksums_url != NULL;
    } else {
        s->sig_found = discover(s, NAMES, 3, s->in->leaf, &s->sig, s->sig_name, sizeof(s->sig_name));
        if (!s->sig_found && s->sums_found && s->o->checksums_url == NULL) {
            char base[NAME_MAX_LEN + 32];
            (void)snprintf(base, sizeof(base), "%s", s->sums_name);
            s->sig_found = discover(s, NAMES, 3, base, &s->sig, s->sig_name, sizeof(s->sig_name));
            s->sig_over_sums = s->sig_found;
        }
    }
    if (s->sig_found)
        verify_sig(s);
}

static void load_prov(dl_set *s)
{
    char name[NAME_MAX_LEN + 32];
    (void)snprintf(name, sizeof(name), "%s.intoto.jsonl", s->in->leaf);
    RAMPART_AUTO(rbuf_free) rbuf b = {0};
    if (rasrc_get(s->in->parent, name, RAMPART_ATTESTATION_MAX, &b, NULL) != 0)
        return;
    s->prov_found = true;
    rerr e = {0};
    s->prov_rc = rprov_check_declared(b.data, b.len, &s->d, s->in->builders, &s->prov_by, &e);
    if (s->prov_rc != 0)
        (void)snprintf(s->prov_err, sizeof(s->prov_err), "%s", e.message);
}

/* ---- checks ------------------------------------------------------------------- */

static void check_https(dl_set *s, rassess_ev *v)
{
    if (s->in->parent->https)
        rassess_note(v, RAMPART_CHECK_PASS, "downloaded over HTTPS (redirects to http refused)");
    else
        rassess_note(v, s->sig_verified ? RAMPART_CHECK_FAIL : RAMPART_CHECK_CRITICAL, "served over plain http%s",
                     s->sig_verified ? "" : " with no verified signature");
}

/* NIST SSDF PS.2.1; MD5 and SHA-1 are not usable for integrity (as apt's hashes.cc). */
static void check_checksum(dl_set *s, rassess_ev *v)
{
    if (!s->sums_found) {
        rassess_note(v, RAMPART_CHECK_FAIL, "no checksum file given or found beside the download");
        return;
    }
    if (s->sums_err[0] != '\0') {
        rassess_note(v, RAMPART_CHECK_FAIL, "%s: %s", s->sums_name, s->sums_err);
        return;
    }
    if (s->bad > 0)
        rassess_note(v, RAMPART_CHECK_CRITICAL, "%s: the download does NOT match its %zu SHA-256/512 entr%s",
                     s->sums_name, s->bad, s->bad == 1 ? "y" : "ies");
    else if (s->matched > 0)
        rassess_note(v, RAMPART_CHECK_PASS, "%s: SHA-256/512 of the download match (%zu entr%s)", s->sums_name,
                     s->matched, s->matched == 1 ? "y" : "ies");
    if (s->listed[SUMS_MD5] + s->listed[SUMS_SHA1] > 0)
        rassess_note(v, s->matched > 0 ? RAMPART_CHECK_WARN : RAMPART_CHECK_FAIL, "%s: MD5/SHA-1 entries",
                     s->sums_name);
    if (s->matched + s->bad + s->listed[SUMS_MD5] + s->listed[SUMS_SHA1] == 0)
        rassess_note(v, RAMPART_CHECK_FAIL, "%s does not list %s", s->sums_name, s->in->leaf);
}

/* OpenSSF Scorecard Signed-Releases counts .minisig, .sig, .asc. */
static void check_signature(dl_set *s, rassess_ev *v)
{
    if (!s->sig_found) {
        rassess_note(v, RAMPART_CHECK_FAIL, "no signature (.minisig, .sig, .asc)%s%s",
                     s->sig_note[0] != '\0' ? ": " : "", s->sig_note);
        return;
    }
    rampart_check_status st = s->sig_verified       ? RAMPART_CHECK_PASS
                              : s->sig_unverifiable ? RAMPART_CHECK_WARN
                                                    : RAMPART_CHECK_CRITICAL;
    rassess_note(v, st, "%s (over the %s): %s", s->sig_name, s->sig_over_sums ? "checksum file" : "download",
                 s->sig_note);
}

/* NIST SSDF PS.3.1: checksums kept apart from the artifacts, or signed. */
static void check_origin(dl_set *s, rassess_ev *v)
{
    if (!s->sums_found)
        rassess_note(v, RAMPART_CHECK_WARN, "no checksums: nothing independent of the download host");
    else if (s->sig_over_sums && s->sig_verified)
        rassess_note(v, RAMPART_CHECK_PASS, "the checksum file is signed (verified)");
    else if (s->sums_other_origin)
        rassess_note(v, RAMPART_CHECK_PASS, "checksums served from another origin than the download");
    else
        rassess_note(v, RAMPART_CHECK_WARN,
                     "checksums unsigned, on the same origin: whoever can replace the file can replace them");
}

static void check_manifest(dl_set *s, rassess_ev *v)
{
    if (s->sig_over_sums && s->sig_verified)
        rassess_note(v, RAMPART_CHECK_WARN, "a signed checksum file, but with no expiry: an old one can be replayed");
    else
        rassess_note(v, RAMPART_CHECK_FAIL, "no signed manifest: nothing tells a client which release is current");
}

static void check_prov(dl_set *s, rassess_ev *v)
{
    if (!s->prov_found)
        rassess_note(v, RAMPART_CHECK_FAIL, "no %s.intoto.jsonl", s->in->leaf);
    else if (s->prov_rc != 0)
        rassess_note(v, RAMPART_CHECK_FAIL, "%s.intoto.jsonl: %s", s->in->leaf, s->prov_err);
    else if (s->prov_by.b == NULL)
        rassess_note(v, RAMPART_CHECK_WARN,
                     "%s.intoto.jsonl: an SLSA statement about this file (builder signature not verified)",
                     s->in->leaf);
    /* A builder the assessor declared (--builders) counts only when a key
     * declared for it signs the envelope; else the provenance is forged. */
    else if (s->prov_by.sig_rc != 0)
        rassess_note(v, RAMPART_CHECK_FAIL, "%s.intoto.jsonl: builder %.200s (declared L%d in the builders file) %s",
                     s->in->leaf, s->prov_by.builder_id, s->prov_by.b->level,
                     s->prov_by.sig_rc == RAMPART_EPROVSIG ? "did not sign it: forged provenance"
                                                           : "could not be verified");
    else
        rassess_note(v, s->prov_by.b->level >= 3 ? RAMPART_CHECK_PASS : RAMPART_CHECK_WARN,
                     "%s.intoto.jsonl: an SLSA statement about this file by builder %.200s, SLSA Build L%d (declared "
                     "in the builders file; signed by its key '%s')",
                     s->in->leaf, s->prov_by.builder_id, s->prov_by.b->level, s->prov_by.key_name);
}

static int load(dl_set *s, rerr *e)
{
    int rc = rasrc_get(s->in->parent, s->in->leaf, s->o->max_download_bytes, &s->file, e);
    if (rc != 0)
        return rc;
    uint8_t d256[RHASH_MAX_LEN];
    rc = rhash_digest(RHASH_SHA256, s->file.data, s->file.len, d256);
    memcpy(s->d.sha256, d256, sizeof(s->d.sha256));
    if (rc == 0)
        rc = rhash_digest(RHASH_SHA512, s->file.data, s->file.len, s->d.sha512);
    if (rc != 0)
        return rerr_set(e, rc, NULL, "cannot hash the download");
    s->d.has256 = s->d.has512 = true;
    load_sums(s);
    load_sig(s);
    load_prov(s);
    return 0;
}

static int plain_run(rampart_assessment *a, const rassess_input *in, rerr *e)
{
    if (in->parent == NULL)
        return rerr_set(e, RAMPART_ENOTFOUND, NULL, "a download is a file or a URL, not a folder");
    dl_set *s = rampart_calloc(1, sizeof(*s));
    if (s == NULL)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    s->in = in;
    /* Callers of rassess_run may give no options: no keys, the default caps. */
    static const rampart_assess_options none = {.version = RAMPART_ASSESS_OPTIONS_VERSION,
                                                .max_download_bytes = (size_t)256 << 20,
                                                .gpgv_path = "/usr/bin/gpgv"};
    s->o = in->opts != NULL ? in->opts : &none;
    (void)snprintf(s->where, sizeof(s->where), "%s%s", in->parent->base, in->leaf);
    int rc = load(s, e);
    static void (*const FNS[DL_N])(dl_set *, rassess_ev *) = {
        [DL_HTTPS] = check_https,   [DL_CHECKSUM] = check_checksum, [DL_SIGNATURE] = check_signature,
        [DL_ORIGIN] = check_origin, [DL_MANIFEST] = check_manifest, [DL_PROV] = check_prov};
    for (int i = 0; i < DL_N && rc == 0; i++) {
        if (i == DL_HTTPS && !in->parent->is_url)
            continue;
        rassess_ev v;
        rassess_ev_init(&v);
        FNS[i](s, &v);
        rc = rassess_emit(a, &RULES[i], &v, s->where);
        if (rc != 0)
            rc = rerr_set(e, rc, NULL, "cannot record the findings");
    }
    rbuf_free(&s->file);
    rbuf_free(&s->sums);
    rbuf_free(&s->sig);
    rampart_free(s);
    return rc;
}

/* Any file that exists (only its first byte is read): the last kind tried. */
static bool plain_detect(const rassess_input *in)
{
    if (in->parent == NULL)
        return false;
    RAMPART_AUTO(rbuf_free) rbuf b = {0};
    int rc = rasrc_get(in->parent, in->leaf, 1, &b, NULL);
    return rc == 0 || rc == RAMPART_ETOOLARGE;
}

const rassess_kind rassess_kind_plain = {
    .name = "plain",
    .kind = RAMPART_KIND_PLAIN,
    .detect = plain_detect,
    .run = plain_run,
    .rules = RULES,
    .nrules = DL_N,
};
