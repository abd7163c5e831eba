/*
 * text.h - the line-based pieces the C2SP text formats share (checkpoint,
 * tlog-proof, tlog-witness requests and answers): lines, tree sizes in
 * decimal, proof hashes one base64 line each.  No I/O.
 */
#ifndef RAMPART_TLOG_TEXT_H
#define RAMPART_TLOG_TEXT_H

#include <stdbool.h>

#include "tlog/merkle.h"

/* The line starting at p[*at], without its newline, in *line; *at moves
 * past the newline.  false when no newline follows (or *at >= n). */
bool tlog_next_line(const uint8_t *p, size_t n, size_t *at, rslice *line);

/* A tree size: ASCII decimal without leading zeroes ("0" alone allowed),
 * 1 to 20 digits, fitting uint64 (C2SP tlog-checkpoint, tlog-witness). */
bool tlog_parse_decimal(const uint8_t *p, size_t n, uint64_t *out);

/* Appends the hashes of `proof`, one standard base64 line each, then an
 * empty line (tlog-proof, tlog-witness add-checkpoint).  0 or the rbuf's
 * error; `out` may hold part of it on failure (callers truncate). */
int tlog_append_hash_lines(rbuf *out, const tlog_proof *proof) RAMPART_MUST_USE;

#endif
