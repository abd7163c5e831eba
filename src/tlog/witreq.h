/*
 * witreq.h - the log's side of C2SP tlog-witness add-checkpoint, sans I/O:
 * the request body, the 409 body (the witness's size) and the cosignature
 * lines of a 200 answer.  The caller posts the bytes.
 */
#ifndef RAMPART_TLOG_WITREQ_H
#define RAMPART_TLOG_WITREQ_H

#include "tlog/note.h"

/* The most a witness answer may be (a few signature lines). */
#define TLOG_WITNESS_RESP_MAX 16384

/* Appends the add-checkpoint body: "old <old_size>", the consistency proof
 * (one base64 hash a line, at most 63), an empty line, the signed
 * checkpoint `note` (`n` bytes).  EINVAL (a proof of more than 63 hashes,
 * or one with old_size 0, an empty note), ETOOLARGE, ENOMEM. */
int tlog_witness_request(uint64_t old_size, const tlog_proof *proof, const uint8_t *note, size_t n, rbuf *out,
                         rerr *e) RAMPART_MUST_USE;

/* Parses a 409 answer's body: the witness's latest size in decimal (no
 * leading zeroes) and a newline, nothing else.  EFORMAT. */
int tlog_witness_parse_size(const uint8_t *body, size_t n, uint64_t *size, rerr *e) RAMPART_MUST_USE;

/* Takes from a 200 answer (`n` bytes of signature lines) the cosignatures
 * of witness key `wit` (type 0x04) over the checkpoint `note`, verified,
 * and appends them to `out` as signature lines; *time gets the newest
 * cosignature's time.  EBADSIG (no valid cosignature of that key, or a bad
 * one), EFORMAT (not signature lines), ETOOLARGE, ENOMEM, ECRYPTO; `out`
 * unchanged on failure. */
int tlog_witness_cosignatures(const tlog_vkey *wit, const uint8_t *note, size_t note_len, const uint8_t *resp, size_t n,
                              rbuf *out, int64_t *time, rerr *e) RAMPART_MUST_USE;

#endif
