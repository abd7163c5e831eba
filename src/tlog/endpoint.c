/*
 * endpoint.c - the endpoint's decisions about a logged target, sans I/O.
 * See endpoint.h and docs/transparency.md.
 */
#include <string.h>

#include "tlog/endpoint.h"
#include "tlog/text.h"
#include "util/codec.h"
#include "util/jcanon.h"
#include "util/rtime.h"
#include "util/banned.h"

#define PROOF_MAGIC "c2sp.org/tlog-proof@v1"
/* tlog-proof: one hash per level below the root of a tree of < 2^63 entries. */
#define PROOF_FILE_MAX_HASHES 63

static bool starts(rslice l, const char *s)
{
    size_t k = strlen(s);
    return l.n >= k && memcmp(l.p, s, k) == 0;
}

static bool b64_hash(rslice l, tlog_hash *h)
{
    rbuf b;
    rbuf_init(&b, 64);
    bool ok = rb64_decode(&b, (const char *)l.p, l.n, RB64_STD) == 0 && b.len == TLOG_HASH_LEN;
    if (ok)
        memcpy(h->b, b.data, TLOG_HASH_LEN);
    rbuf_free(&b);
    return ok;
}

int tlog_proof_file_parse(const uint8_t *p, size_t n, tlog_proof_file *out, rerr *e)
{
    if (p == NULL && n != 0)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "no tlog-proof");
    if (n > TLOG_PROOF_FILE_MAX)
        return rerr_set(e, RAMPART_ETOOLARGE, NULL, "a tlog-proof over %d bytes", TLOG_PROOF_FILE_MAX);
    tlog_proof_file f;
    memset(&f, 0, sizeof(f));
    size_t at = 0;
    rslice l;
    /* tlog-proof: the first line MUST be the string c2sp.org/tlog-proof@v1. */
    if (!tlog_next_line(p, n, &at, &l) || l.n != strlen(PROOF_MAGIC) || memcmp(l.p, PROOF_MAGIC, l.n) != 0)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "not a tlog-proof (first line is not %s)", PROOF_MAGIC);
    if (!tlog_next_line(p, n, &at, &l))
        return rerr_set(e, RAMPART_EFORMAT, NULL, "tlog-proof ends after its first line");
    /* tlog-proof: an optional "extra <base64>" line, never trusted. */
    if (starts(l, "extra ")) {
        rbuf x;
        rbuf_init(&x, TLOG_PROOF_FILE_MAX);
        bool ok = l.n > 6 && rb64_decode(&x, (const char *)l.p + 6, l.n - 6, RB64_STD) == 0;
        rbuf_free(&x);
        if (!ok)
            return rerr_set(e, RAMPART_EFORMAT, NULL, "tlog-proof extra data is not base64");
        f.has_extra = true;
        if (!tlog_next_line(p, n, &at, &l))
            return rerr_set(e, RAMPART_EFORMAT, NULL, "tlog-proof has no index line");
    }
    /* tlog-proof: "index " and a decimal with no leading zeroes. */
    if (!starts(l, "index ") || !tlog_parse_decimal(l.p + 6, l.n - 6, &f.index))
        return rerr_set(e, RAMPART_EFORMAT, NULL, "tlog-proof index line is not \"index <decimal>\"");
    for (;;) {
        if (!tlog_next_line(p, n, &at, &l))
            return rerr_set(e, RAMPART_EFORMAT, NULL, "tlog-proof has no empty line before its checkpoint");
        if (l.n == 0)
            break;
        if (f.proof.n >= PROOF_FILE_MAX_HASHES)
            return rerr_set(e, RAMPART_EFORMAT, NULL, "tlog-proof has more than %d proof lines", PROOF_FILE_MAX_HASHES);
        if (!b64_hash(l, &f.proof.h[f.proof.n]))
            return rerr_set(e, RAMPART_EFORMAT, NULL, "tlog-proof line %zu is not base64 of a 32-byte hash",
                            f.proof.n + 1);
        f.proof.n++;
    }
    if (at >= n)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "tlog-proof has no checkpoint");
    f.checkpoint = p + at;
    f.checkpoint_len = n - at;
    *out = f;
    return 0;
}

int tlog_proof_file_format(uint64_t index, const tlog_proof *proof, const uint8_t *note, size_t nn, rbuf *out, rerr *e)
{
    if (proof == NULL || proof->n > PROOF_FILE_MAX_HASHES || note == NULL || nn == 0)
        return rerr_set(e, RAMPART_EINVAL, NULL, "a tlog-proof needs a checkpoint and at most %d hashes",
                        PROOF_FILE_MAX_HASHES);
    size_t before = out->len;
    int rc = rbuf_appendf(out, PROOF_MAGIC "\nindex %llu\n", (unsigned long long)index);
    if (rc == 0)
        rc = tlog_append_hash_lines(out, proof);
    if (rc == 0)
        rc = rbuf_append(out, note, nn);
    if (rc != 0) {
        jcanon_truncate(out, before);
        return rerr_set(e, rc, NULL, "no room for a tlog-proof");
    }
    return 0;
}

int tlog_stored_checkpoint(const uint8_t *note, size_t n, tlog_checkpoint *out, rerr *e)
{
    tlog_note *nt = NULL;
    int rc = tlog_note_parse(&nt, note, n, e);
    if (rc == 0)
        rc = tlog_checkpoint_parse(nt->data, nt->text_len, out, e);
    tlog_note_free(nt);
    if (rc != 0 && rc != RAMPART_ENOMEM)
        rc = RAMPART_EFORMAT;
    return rc;
}

int tlog_check_consistency(const tlog_checkpoint *old, const tlog_checkpoint *cur, tlog_node_fn fn, void *ctx,
                           tlog_proof *proof, rerr *e)
{
    proof->n = 0;
    if (old->size == 0)
        return 0;
    /* RFC 9162 §2.1.4: an append-only log never gets smaller. */
    if (cur->size < old->size)
        return rerr_set(e, RAMPART_ESPLITVIEW, NULL, "the log shrank from %llu to %llu entries",
                        (unsigned long long)old->size, (unsigned long long)cur->size);
    if (cur->size == old->size) {
        if (memcmp(old->root.b, cur->root.b, TLOG_HASH_LEN) != 0)
            return rerr_set(e, RAMPART_ESPLITVIEW, NULL, "two different roots for a log of %llu entries",
                            (unsigned long long)cur->size);
        return 0;
    }
    int rc = tlog_consistency_proof(fn, ctx, old->size, cur->size, proof, e);
    if (rc != 0)
        return rc;
    /* RFC 9162 §2.1.4.2: the proof must lead to both roots. */
    rc = tlog_verify_consistency(old->size, cur->size, &old->root, &cur->root, proof->h, proof->n, e);
    if (rc == RAMPART_ESPLITVIEW)
        rerr_set(e, rc, NULL, "the log of %llu entries is not an extension of the one of %llu entries seen before",
                 (unsigned long long)cur->size, (unsigned long long)old->size);
    return rc;
}

int tlog_check_inclusion(const tlog_checkpoint *cp, const uint8_t *entry, size_t n, uint64_t index,
                         const tlog_proof *given, tlog_node_fn fn, void *ctx, rerr *e)
{
    if (index >= cp->size)
        return rerr_set(e, RAMPART_ENOTLOGGED, NULL, "entry %llu is past the end of a log of %llu entries",
                        (unsigned long long)index, (unsigned long long)cp->size);
    tlog_hash leaf;
    if (tlog_leaf_hash(entry, n, &leaf) != 0)
        return rerr_set(e, RAMPART_ECRYPTO, NULL, "hashing the log entry failed");
    tlog_proof p;
    if (given != NULL) {
        p = *given;
    } else {
        int rc = tlog_inclusion_proof(fn, ctx, index, cp->size, &p, e);
        if (rc != 0)
            return rc;
    }
    /* RFC 9162 §2.1.3.2: the proof must lead from the leaf to the root. */
    int rc = tlog_verify_inclusion(&leaf, index, cp->size, &cp->root, p.h, p.n, e);
    if (rc == RAMPART_ENOTLOGGED)
        rerr_set(e, rc, NULL, "entry %llu of the log (%llu entries) is not this target's entry",
                 (unsigned long long)index, (unsigned long long)cp->size);
    return rc;
}

static bool line_ok(const char *s)
{
    for (; s != NULL && *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return false;
    return true;
}

int tlog_evidence_format(const tlog_evidence *ev, rbuf *out, rerr *e)
{
    if (ev == NULL || ev->reason == NULL || !line_ok(ev->reason) || !line_ok(ev->log_url) || ev->old_note == NULL ||
        ev->old_len == 0 || ev->new_note == NULL || ev->new_len == 0)
        return rerr_set(e, RAMPART_EINVAL, NULL, "evidence needs two checkpoints and a one-line reason");
    tlog_checkpoint a, b;
    int rc = tlog_stored_checkpoint(ev->old_note, ev->old_len, &a, e);
    if (rc == 0)
        rc = tlog_stored_checkpoint(ev->new_note, ev->new_len, &b, e);
    if (rc != 0)
        return rc;
    char when[RTIME_STR_LEN + 1];
    if (rtime_format(ev->time, when) != 0)
        return rerr_set(e, RAMPART_EINVAL, NULL, "a time out of range");
    size_t before = out->len;
    size_t np = ev->proof != NULL ? ev->proof->n : 0;
    rc = rbuf_appendf(out,
                      "rampart.split-view-evidence/v1\ntime %s\nreason %s\nlog-url %s\norigin %s\nold-size %llu\n"
                      "new-size %llu\nproof %zu\n",
                      when, ev->reason, ev->log_url != NULL ? ev->log_url : "-", b.origin, (unsigned long long)a.size,
                      (unsigned long long)b.size, np);
    for (size_t i = 0; rc == 0 && i < np; i++) {
        rc = rb64_encode(out, ev->proof->h[i].b, TLOG_HASH_LEN, RB64_STD);
        if (rc == 0)
            rc = rbuf_append_byte(out, '\n');
    }
    if (rc == 0)
        rc = rbuf_appendf(out, "old-checkpoint %zu\n", ev->old_len);
    if (rc == 0)
        rc = rbuf_append(out, ev->old_note, ev->old_len);
    if (rc == 0)
        rc = rbuf_appendf(out, "new-checkpoint %zu\n", ev->new_len);
    if (rc == 0)
        rc = rbuf_append(out, ev->new_note, ev->new_len);
    if (rc != 0) {
        jcanon_truncate(out, before);
        return rerr_set(e, rc, NULL, "no room for the evidence");
    }
    return 0;
}
