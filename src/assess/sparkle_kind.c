/* sparkle_kind.c - the Sparkle kind: an appcast (sparkle_feed.c) graded
 * item by item; with --deep each enclosure is downloaded and its EdDSA
 * signature verified with the app's public key (docs/assess.md). */
#include <stdio.h>
#include <string.h>

#include "assess/assess.h"
#include "assess/sparkle_feed.h"
#include "crypto/key.h"
#include "keys/scheme.h"
#include "util/codec.h"
#include "util/banned.h"

enum { SP_FEED, SP_SIG, SP_ENCL, SP_VERSION, SP_DEEP, SP_PROV, SP_N };

static const rassess_rule RULES[SP_N] = {
    [SP_FEED] = {"SPK-FEED-HTTPS", RQ_T, "Appcast (feed) URL scheme",
                 "Serve the appcast over HTTPS (SUFeedURL https://)"},
    [SP_SIG] = {"SPK-SIGNATURE", RQ_S, "EdDSA signature on every enclosure",
                "Sign every update with EdDSA (sign_update) and set SUPublicEDKey in the app"},
    [SP_ENCL] = {"SPK-ENCLOSURE", RQ_T | RQ_H, "Enclosure URL scheme and length",
                 "Serve every enclosure over HTTPS and give its length"},
    [SP_VERSION] = {"SPK-VERSION", RQ_M, "sparkle:version on every item",
                    "Give every item a sparkle:version (the bundle version), not a version in the file name"},
    [SP_DEEP] = {"SPK-DEEP-VERIFY", RQ_S | RQ_H, "EdDSA signature over the downloaded enclosures",
                 "Re-sign the enclosures with the key the app ships (SUPublicEDKey)"},
    [SP_PROV] = {"SPK-PROVENANCE", RQ_P, "Release provenance for the enclosures",
                 "Publish signed build provenance (in-toto/SLSA) for each release beside the appcast"},
};

/* Enclosures downloaded by --deep (a bound: the newest come first in
 * appcasts). */
#define SP_DEEP_MAX 8

typedef struct spk_ctx {
    rampart_assessment *a;
    const rassess_input *in;
    spk_feed *f;
    char where[2048];
} spk_ctx;

static bool https(const char *u)
{
    return strncmp(u, "https://", 8) == 0;
}

static void check_feed(spk_ctx *c, rassess_ev *v)
{
    /* SPUUpdater: Sparkle warns about (2.x: refuses) an http feed. */
    if (c->in->parent->https)
        rassess_note(v, RAMPART_CHECK_PASS, "appcast fetched over HTTPS (redirects to http refused)");
    else
        rassess_note(v, RAMPART_CHECK_CRITICAL, "appcast served over plain http");
}

static void check_sig(spk_ctx *c, rassess_ev *v)
{
    size_t ed = 0, dsa = 0, none = 0;
    for (size_t i = 0; i < c->f->n; i++) {
        const spk_item *it = &c->f->items[i];
        if (!it->has_enclosure)
            continue;
        if (it->ed_sig[0] != '\0')
            ed++;
        else if (it->has_dsa)
            dsa++, rassess_note(v, RAMPART_CHECK_FAIL, "item %zu (%s): DSA signature only", i + 1, it->version);
        else
            none++, rassess_note(v, RAMPART_CHECK_CRITICAL, "item %zu (%s): no signature", i + 1, it->version);
    }
    rassess_note(v, RAMPART_CHECK_PASS, "%zu enclosure(s) with sparkle:edSignature, %zu DSA only, %zu unsigned", ed,
                 dsa, none);
    if (ed + dsa + none == 0)
        rassess_note(v, RAMPART_CHECK_FAIL, "no enclosure in the appcast");
}

/* Also hands the https enclosure URLs to the Transport probe (the first
 * RASSESS_MAX_PROBE_URLS distinct ones; the evidence says how many more). */
static void check_encl(spk_ctx *c, rassess_ev *v)
{
    size_t ok = 0, unprobed = 0;
    for (size_t i = 0; i < c->f->n; i++) {
        const spk_item *it = &c->f->items[i];
        if (!it->has_enclosure)
            continue;
        int rc = rassess_probe_url_add(c->a, it->url);
        if (rc == RAMPART_ETOOLARGE)
            unprobed++;
        else if (rc != 0)
            v->err = rc;
        if (!https(it->url))
            rassess_note(v, RAMPART_CHECK_FAIL, "item %zu: enclosure not https: %.200s", i + 1, it->url);
        else if (!it->has_length || !it->length_ok || it->length == 0)
            rassess_note(v, RAMPART_CHECK_WARN, "item %zu: enclosure without a valid length", i + 1);
        else
            ok++;
    }
    if (ok > 0 || v->b.len == 0)
        rassess_note(v, RAMPART_CHECK_PASS, "%zu enclosure(s) over https with a length", ok);
    if (unprobed > 0)
        rassess_note(v, RAMPART_CHECK_PASS, "the transport of %zu more enclosure(s) not probed (the first %d are)",
                     unprobed, RASSESS_MAX_PROBE_URLS);
}

static void check_version(spk_ctx *c, rassess_ev *v)
{
    size_t ok = 0;
    for (size_t i = 0; i < c->f->n; i++) {
        /* SUAppcastItem: without sparkle:version Sparkle guesses from the file name. */
        if (c->f->items[i].version[0] == '\0')
            rassess_note(v, RAMPART_CHECK_FAIL, "item %zu: no sparkle:version", i + 1);
        else
            ok++;
    }
    rassess_note(v, RAMPART_CHECK_PASS, "%zu of %zu item(s) with sparkle:version", ok, c->f->n);
    if (c->f->truncated)
        rassess_note(v, RAMPART_CHECK_WARN, "only the first %d items were read", SPK_MAX_ITEMS);
}

static int load_key(const char *b64, rkey **k)
{
    RAMPART_AUTO(rbuf_free) rbuf raw;
    rbuf_init(&raw, 64);
    if (rb64_decode(&raw, b64, strlen(b64), RB64_STD) != 0 || raw.len != 32)
        return RAMPART_EFORMAT;
    return rkey_from_raw(k, &rscheme_get(RKEY_ED25519)->alg, raw.data, raw.len, NULL);
}

static void deep_one(spk_ctx *c, const rkey *k, size_t i, rassess_ev *v)
{
    const spk_item *it = &c->f->items[i];
    RAMPART_AUTO(rbuf_free) rbuf body = {0};
    RAMPART_AUTO(rbuf_free) rbuf sig;
    rbuf_init(&sig, 128);
    rerr e = {0};
    int rc = rasrc_fetch_url(c->in->opts, it->url, c->in->opts->max_download_bytes, &body, &e);
    if (rc != 0) {
        rassess_note(v, RAMPART_CHECK_FAIL, "item %zu: cannot download: %s", i + 1, e.message);
        return;
    }
    if (it->has_length && it->length_ok && it->length != body.len)
        rassess_note(v, RAMPART_CHECK_FAIL, "item %zu: %zu bytes, the appcast says %llu", i + 1, body.len,
                     (unsigned long long)it->length);
    if (it->ed_sig[0] == '\0' || rb64_decode(&sig, it->ed_sig, strlen(it->ed_sig), RB64_STD) != 0) {
        rassess_note(v, RAMPART_CHECK_FAIL, "item %zu: no readable sparkle:edSignature", i + 1);
        return;
    }
    if (rkey_verify(k, sig.data, sig.len, body.data, body.len) == 0)
        rassess_note(v, RAMPART_CHECK_PASS, "item %zu: EdDSA signature over %zu bytes verifies", i + 1, body.len);
    else
        rassess_note(v, RAMPART_CHECK_CRITICAL, "item %zu: EdDSA signature does NOT verify", i + 1);
}

static void check_deep(spk_ctx *c, rassess_ev *v)
{
    const char *key = c->in->opts->sparkle_key;
    RAMPART_AUTO(rkey_free) rkey *k = NULL;
    if (key == NULL || load_key(key, &k) != 0) {
        rassess_note(v, RAMPART_CHECK_WARN, "%s: signatures not verified",
                     key == NULL ? "no --sparkle-key given" : "--sparkle-key is not base64 of 32 bytes");
        return;
    }
    size_t done = 0;
    for (size_t i = 0; i < c->f->n && done < SP_DEEP_MAX; i++) {
        if (!c->f->items[i].has_enclosure)
            continue;
        deep_one(c, k, i, v);
        done++;
    }
    if (done == 0)
        rassess_note(v, RAMPART_CHECK_FAIL, "no enclosure to download");
}

static void check_prov(spk_ctx *c, rassess_ev *v)
{
    (void)c;
    rassess_note(v, RAMPART_CHECK_FAIL, "Sparkle appcasts carry no build provenance");
}

static int sparkle_run(rampart_assessment *a, const rassess_input *in, rerr *e)
{
    if (in->parent == NULL)
        return rerr_set(e, RAMPART_ENOTFOUND, NULL, "an appcast is a file or a URL, not a folder");
    RAMPART_AUTO(rbuf_free) rbuf xml = {0};
    int rc = rasrc_get(in->parent, in->leaf, in->max_doc_bytes, &xml, e);
    if (rc != 0)
        return rc;
    spk_ctx c = {.a = a, .in = in, .f = rampart_calloc(1, sizeof(spk_feed))};
    if (c.f == NULL)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    (void)snprintf(c.where, sizeof(c.where), "%s%s", in->parent->base, in->leaf);
    rc = spk_parse(xml.data, xml.len, c.f, e);
    static void (*const FNS[SP_N])(spk_ctx *, rassess_ev *) = {
        [SP_FEED] = check_feed,       [SP_SIG] = check_sig,   [SP_ENCL] = check_encl,
        [SP_VERSION] = check_version, [SP_DEEP] = check_deep, [SP_PROV] = check_prov};
    for (int i = 0; i < SP_N && rc == 0; i++) {
        if ((i == SP_FEED && !in->parent->is_url) || (i == SP_DEEP && (in->opts == NULL || !in->opts->deep)))
            continue;
        rassess_ev v;
        rassess_ev_init(&v);
        FNS[i](&c, &v);
        rc = rassess_emit(a, &RULES[i], &v, c.where);
        if (rc != 0)
            rc = rerr_set(e, rc, NULL, "cannot record the findings");
    }
    rampart_free(c.f);
    return rc;
}

/* An RSS document naming the Sparkle namespace. */
static bool sparkle_detect(const rassess_input *in)
{
    if (in->parent == NULL)
        return false;
    RAMPART_AUTO(rbuf_free) rbuf b = {0};
    if (rasrc_get(in->parent, in->leaf, in->max_doc_bytes, &b, NULL) != 0)
        return false;
    if (b.len == 0)
        return false;
    size_t n = b.len < 4096 ? b.len : 4096;
    return memmem(b.data, n, "<rss", 4) != NULL && memmem(b.data, b.len, SPK_NS, strlen(SPK_NS)) != NULL;
}

const rassess_kind rassess_kind_sparkle = {
    .name = "sparkle",
    .kind = RAMPART_KIND_SPARKLE,
    .detect = sparkle_detect,
    .run = sparkle_run,
    .rules = RULES,
    .nrules = SP_N,
};
