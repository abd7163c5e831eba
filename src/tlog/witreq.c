/*
 * witreq.c - C2SP tlog-witness add-checkpoint, the log's side.  See witreq.h.
 */
#include <string.h>

#include "tlog/text.h"
#include "tlog/witreq.h"
#include "util/codec.h"
#include "util/banned.h"

int tlog_witness_request(uint64_t old_size, const tlog_proof *proof, const uint8_t *note, size_t n, rbuf *out, rerr *e)
{
    /* tlog-witness: at most 63 proof lines; an empty proof from size 0. */
    if (proof == NULL || proof->n > 63 || (old_size == 0 && proof->n > 0) || note == NULL || n == 0)
        return rerr_set(e, RAMPART_EINVAL, NULL, "bad add-checkpoint request");
    size_t before = out->len;
    int rc = rbuf_appendf(out, "old %llu\n", (unsigned long long)old_size);
    if (rc == 0)
        rc = tlog_append_hash_lines(out, proof);
    if (rc == 0)
        rc = rbuf_append(out, note, n);
    if (rc != 0) {
        out->len = before;
        return rerr_set(e, rc, NULL, "no room for an add-checkpoint request");
    }
    return 0;
}

int tlog_witness_parse_size(const uint8_t *body, size_t n, uint64_t *size, rerr *e)
{
    /* tlog-witness: a 409 body is the size in decimal and a newline. */
    if (n < 2 || body[n - 1] != '\n' || !tlog_parse_decimal(body, n - 1, size))
        return rerr_set(e, RAMPART_EFORMAT, NULL, "a witness's 409 answer is not a size and a newline");
    return 0;
}

int tlog_witness_cosignatures(const tlog_vkey *wit, const uint8_t *note, size_t note_len, const uint8_t *resp, size_t n,
                              rbuf *out, int64_t *time, rerr *e)
{
    if (wit == NULL || wit->type != TLOG_SIG_COSIGN_V1 || note == NULL)
        return rerr_set(e, RAMPART_EINVAL, NULL, "a witness key is a cosignature v1 key");
    if (n > TLOG_WITNESS_RESP_MAX)
        return rerr_set(e, RAMPART_ETOOLARGE, NULL, "a witness answer of more than %d bytes", TLOG_WITNESS_RESP_MAX);
    /* tlog-witness: one or more signature lines, each ending in a newline. */
    if (n < 4 || resp[n - 1] != '\n' || memcmp(resp, "\xe2\x80\x94 ", 4) != 0)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "a witness answer is not signature lines");
    for (size_t i = 0; i + 1 < n; i++)
        if (resp[i] == '\n' && (n - i - 1 < 4 || memcmp(resp + i + 1, "\xe2\x80\x94 ", 4) != 0))
            return rerr_set(e, RAMPART_EFORMAT, NULL, "a witness answer is not signature lines");
    /* ... which the client MAY append to the checkpoint and verify as a note
     * with the witness keys it trusts, ignoring unknown keys. */
    rbuf all;
    rbuf_init(&all, TLOG_NOTE_MAX);
    tlog_note *nt = NULL;
    int rc = rbuf_append(&all, note, note_len);
    if (rc == 0)
        rc = rbuf_append(&all, resp, n);
    if (rc == 0)
        rc = tlog_note_parse(&nt, all.data, all.len, e);
    tlog_note_verdict v = {0};
    if (rc == 0) {
        const tlog_vkey *keys[1] = {wit};
        rc = tlog_note_verify(nt, keys, 1, &v, e);
    }
    if (rc == 0 && !v.verified)
        rc = rerr_set(e, RAMPART_EBADSIG, NULL, "no valid cosignature of witness '%s'", wit->name);
    size_t before = out->len;
    for (size_t i = 0; rc == 0 && nt != NULL && i < nt->nsig; i++) {
        const tlog_note_sig *s = &nt->sigs[i];
        if (s->id != wit->id || s->name_len != wit->name_len ||
            memcmp(nt->data + s->name_off, wit->name, s->name_len) != 0)
            continue;
        rc = tlog_note_line(wit->name, wit->name_len, s->id, nt->sigbytes + s->sig_off, s->sig_len, out, e);
    }
    if (rc != 0)
        out->len = before;
    if (rc == 0)
        *time = v.timestamp;
    tlog_note_free(nt);
    rbuf_free(&all);
    return rc;
}
