/*
 * witness.c - C2SP tlog-witness add-checkpoint, sans I/O: the request
 * parser, the witness's known logs, and the decision.  See witness.h.
 */
#include <stdio.h>
#include <string.h>

#include "crypto/hash.h"
#include "tlog/text.h"
#include "tlog/witness.h"
#include "util/codec.h"
#include "util/banned.h"

int tlog_wreq_parse(const uint8_t *p, size_t n, tlog_wreq *out, rerr *e)
{
    if (n > TLOG_WITNESS_REQ_MAX)
        return rerr_set(e, RAMPART_ETOOLARGE, NULL, "request body over %d bytes", TLOG_WITNESS_REQ_MAX);
    tlog_wreq r;
    memset(&r, 0, sizeof(r));
    size_t at = 0;
    rslice line;
    /* tlog-witness: the old size line is "old", one space, the size ("an
     * ASCII decimal with no leading zeroes, unless the size is zero"). */
    if (!tlog_next_line(p, n, &at, &line) || line.n < 4 || memcmp(line.p, "old ", 4) != 0 ||
        !tlog_parse_decimal(line.p + 4, line.n - 4, &r.old_size))
        return rerr_set(e, RAMPART_EFORMAT, NULL, "the first line is not \"old <size>\"");
    for (;;) {
        if (!tlog_next_line(p, n, &at, &line))
            return rerr_set(e, RAMPART_EFORMAT, NULL, "no empty line before the checkpoint");
        if (line.n == 0)
            break;
        /* tlog-witness: at most 63 consistency proof lines, one hash each. */
        if (r.nproof == TLOG_WITNESS_PROOF_MAX)
            return rerr_set(e, RAMPART_EFORMAT, NULL, "more than %d consistency proof lines", TLOG_WITNESS_PROOF_MAX);
        uint8_t tmp[64];
        rbuf b;
        rbuf_init(&b, sizeof(tmp));
        bool ok =
            line.n == 44 && rb64_decode(&b, (const char *)line.p, line.n, RB64_STD) == 0 && b.len == TLOG_HASH_LEN;
        if (ok)
            memcpy(r.proof[r.nproof].b, b.data, TLOG_HASH_LEN);
        rbuf_free(&b);
        if (!ok)
            return rerr_set(e, RAMPART_EFORMAT, NULL, "consistency proof line %zu is not base64 of 32 bytes",
                            r.nproof + 1);
        r.nproof++;
    }
    if (at == n)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "no checkpoint after the empty line");
    r.note = p + at;
    r.note_len = n - at;
    *out = r;
    return 0;
}

/* ---- configuration -------------------------------------------------------- */

void tlog_wconfig_free(tlog_wconfig *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->nkeys; i++)
        tlog_vkey_free(c->key[i]);
    rampart_free(c);
}

static bool is_sep(uint8_t c)
{
    return c == ' ' || c == '\t';
}

/* Splits a line into at most `max` items; the count, or max + 1 when more. */
static size_t split(rslice line, rslice *items, size_t max)
{
    size_t k = 0, i = 0;
    while (i < line.n) {
        while (i < line.n && is_sep(line.p[i]))
            i++;
        if (i == line.n)
            break;
        size_t s = i;
        while (i < line.n && !is_sep(line.p[i]))
            i++;
        if (k == max)
            return max + 1;
        items[k++] = RSLICE(line.p + s, i - s);
    }
    return k;
}

static int config_line(tlog_wconfig *c, rslice line, unsigned no, rerr *e)
{
    rslice it[3];
    size_t k = split(line, it, 2);
    if (k == 0 || it[0].p[0] == '#')
        return 0;
    if (k != 2 || !rslice_eq_cstr(it[0], "log"))
        return rerr_set(e, RAMPART_EFORMAT, NULL, "line %u: expected \"log <vkey>\"", no);
    if (c->nkeys == TLOG_WITNESS_MAX_LOGS)
        return rerr_set(e, RAMPART_ETOOLARGE, NULL, "line %u: more than %d log keys", no, TLOG_WITNESS_MAX_LOGS);
    tlog_vkey *k1 = NULL;
    rerr sub;
    rerr_clear(&sub);
    int rc = tlog_vkey_parse(&k1, (const char *)it[1].p, it[1].n, &sub);
    if (rc != 0)
        return rerr_set(e, rc, NULL, "line %u: %s", no, sub.message);
    if (k1->type != TLOG_SIG_ED25519) {
        tlog_vkey_free(k1);
        return rerr_set(e, RAMPART_EFORMAT, NULL, "line %u: a log key is an Ed25519 note key (type 0x01)", no);
    }
    for (size_t i = 0; i < c->nkeys; i++) {
        if (tlog_vkey_same_key(c->key[i], k1)) {
            tlog_vkey_free(k1);
            return rerr_set(e, RAMPART_EFORMAT, NULL, "line %u: the same log key is listed twice", no);
        }
    }
    c->key[c->nkeys++] = k1;
    return 0;
}

int tlog_wconfig_parse(tlog_wconfig **out, const uint8_t *p, size_t n, rerr *e)
{
    if (n > TLOG_WITNESS_CONFIG_MAX)
        return rerr_set(e, RAMPART_ETOOLARGE, NULL, "witness configuration over %d bytes", TLOG_WITNESS_CONFIG_MAX);
    for (size_t i = 0; i < n; i++)
        if (p[i] == 0 || (p[i] < 0x20 && p[i] != '\n' && p[i] != '\t' && p[i] != '\r') || p[i] == 0x7f)
            return rerr_set(e, RAMPART_EFORMAT, NULL, "witness configuration holds a control byte");
    tlog_wconfig *c = rampart_calloc(1, sizeof(*c));
    if (c == NULL)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    size_t at = 0;
    unsigned no = 0;
    while (at < n) {
        const uint8_t *nl = memchr(p + at, '\n', n - at);
        size_t end = nl ? (size_t)(nl - p) : n;
        rslice line = RSLICE(p + at, end - at);
        if (line.n > 0 && line.p[line.n - 1] == '\r')
            line.n--;
        at = end + 1;
        int rc = config_line(c, line, ++no, e);
        if (rc != 0) {
            tlog_wconfig_free(c);
            return rc;
        }
    }
    if (c->nkeys == 0) {
        tlog_wconfig_free(c);
        return rerr_set(e, RAMPART_EFORMAT, NULL, "the witness configuration lists no log");
    }
    *out = c;
    return 0;
}

/* ---- the decision ---------------------------------------------------------- */

void tlog_wreply_init(tlog_wreply *r)
{
    memset(r, 0, sizeof(*r));
    rbuf_init(&r->body, (size_t)64 * 1024);
}

void tlog_wreply_free(tlog_wreply *r)
{
    if (r != NULL)
        rbuf_free(&r->body);
}

/* Sets a reply with a one-line text body; ENOMEM only. */
static int reply(tlog_wreply *r, int status, const char *ctype, const char *text, rerr *e)
{
    rbuf_reset(&r->body);
    r->status = status;
    r->content_type = ctype;
    r->commit = false;
    if (rbuf_append_str(&r->body, text) != 0 || rbuf_append_byte(&r->body, '\n') != 0)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    return 0;
}

int tlog_witness_check(const tlog_wconfig *cfg, const uint8_t *body, size_t n, tlog_wsubmit *sub, tlog_wreply *r,
                       rerr *e)
{
    tlog_wsubmit s;
    memset(&s, 0, sizeof(s));
    r->status = 0;
    if (tlog_wreq_parse(body, n, &s.req, NULL) != 0)
        return reply(r, 400, TLOG_WCT_TEXT, "malformed add-checkpoint request", e);
    tlog_note *nt = NULL;
    if (tlog_note_parse(&nt, s.req.note, s.req.note_len, NULL) != 0)
        return reply(r, 400, TLOG_WCT_TEXT, "malformed checkpoint note", e);
    /* The note's text starts at the note: s.text points into the body. */
    s.text = s.req.note;
    s.text_len = nt->text_len;
    int rc = 0;
    if (tlog_checkpoint_parse(s.text, s.text_len, &s.cp, NULL) != 0) {
        rc = reply(r, 400, TLOG_WCT_TEXT, "malformed checkpoint", e);
        goto out;
    }
    const tlog_vkey *keys[TLOG_WITNESS_MAX_LOGS];
    size_t nk = 0;
    for (size_t i = 0; i < cfg->nkeys; i++)
        if (cfg->key[i]->name_len == s.cp.origin_len && memcmp(cfg->key[i]->name, s.cp.origin, s.cp.origin_len) == 0)
            keys[nk++] = cfg->key[i];
    /* tlog-witness: an unknown origin MUST be answered 404 Not Found. */
    if (nk == 0) {
        rc = reply(r, 404, TLOG_WCT_TEXT, "unknown log origin", e);
        goto out;
    }
    /* tlog-witness: verify against the keys trusted for the origin, ignore
     * unknown keys; none verifies: 403 Forbidden. */
    tlog_note_verdict v[TLOG_WITNESS_MAX_LOGS];
    rerr vr;
    rerr_clear(&vr);
    rc = tlog_note_verify(nt, keys, nk, v, &vr);
    if (rc == RAMPART_EBADSIG) {
        rc = reply(r, 403, TLOG_WCT_TEXT, "no valid signature of the log", e);
        goto out;
    }
    if (rc != 0) {
        rc = rerr_set(e, rc, NULL, "%s", vr.message);
        goto out;
    }
    /* tlog-witness: the old size MUST be <= the checkpoint size, else 400. */
    if (s.req.old_size > s.cp.size) {
        rc = reply(r, 400, TLOG_WCT_TEXT, "old size is larger than the checkpoint size", e);
        goto out;
    }
    *sub = s;
out:
    tlog_note_free(nt);
    return rc;
}

int tlog_witness_decide(const tlog_wsubmit *sub, const tlog_wstate *cur, const tlog_signer *const *signers,
                        size_t nsigners, int64_t now, tlog_wreply *r, rerr *e)
{
    const tlog_wreq *q = &sub->req;
    uint64_t stored = cur->known ? cur->size : 0;
    /* tlog-witness: the old size MUST match the size of the latest cosigned
     * checkpoint (zero when none): 409 with the stored size, as
     * text/x.tlog.size. */
    if (q->old_size != stored) {
        char num[32];
        (void)snprintf(num, sizeof(num), "%llu", (unsigned long long)stored); /* a number: fits */
        return reply(r, 409, TLOG_WCT_SIZE, num, e);
    }
    if (q->old_size == sub->cp.size) {
        /* tlog-witness: equal sizes need identical roots (409 otherwise). */
        if (q->nproof != 0)
            return reply(r, 422, TLOG_WCT_TEXT, "a consistency proof between equal sizes is empty", e);
        if (cur->known && !rdigest_eq(cur->root.b, sub->cp.root.b, TLOG_HASH_LEN))
            return reply(r, 409, TLOG_WCT_TEXT, "another root hash for the stored tree size", e);
    } else if (q->old_size == 0) {
        /* tlog-witness: the proof MUST be empty when the old size is zero. */
        if (q->nproof != 0)
            return reply(r, 422, TLOG_WCT_TEXT, "a consistency proof from size 0 is empty", e);
    } else {
        /* tlog-witness: a consistency proof that does not verify: 422. */
        rerr ce;
        rerr_clear(&ce);
        int rc =
            tlog_verify_consistency(q->old_size, sub->cp.size, &cur->root, &sub->cp.root, q->proof, q->nproof, &ce);
        if (rc == RAMPART_ESPLITVIEW)
            return reply(r, 422, TLOG_WCT_TEXT, "the consistency proof does not verify", e);
        if (rc != 0)
            return rerr_set(e, rc, NULL, "%s", ce.message);
    }
    /* tlog-witness: 200 with one cosignature line per witness key
     * (tlog-cosignature v1, timestamped). */
    rbuf_reset(&r->body);
    for (size_t i = 0; i < nsigners; i++) {
        int rc = tlog_note_sign_line(signers[i], sub->text, sub->text_len, now, &r->body, e);
        if (rc != 0) {
            rbuf_reset(&r->body);
            return rc;
        }
    }
    r->status = 200;
    r->content_type = TLOG_WCT_TEXT;
    r->commit = true;
    r->next.known = true;
    r->next.size = sub->cp.size;
    r->next.root = sub->cp.root;
    return 0;
}

int tlog_wstate_format(const char *origin, const tlog_wstate *s, rbuf *out, rerr *e)
{
    return tlog_checkpoint_format(origin, s->size, &s->root, out, e);
}

int tlog_wstate_parse(const uint8_t *p, size_t n, const char *origin, size_t origin_len, tlog_wstate *out, rerr *e)
{
    tlog_checkpoint c;
    int rc = tlog_checkpoint_parse(p, n, &c, e);
    if (rc != 0)
        return rc;
    if (c.next_off != n || c.origin_len != origin_len || memcmp(c.origin, origin, origin_len) != 0)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "the state file is not the state of this log");
    out->known = true;
    out->size = c.size;
    out->root = c.root;
    return 0;
}
