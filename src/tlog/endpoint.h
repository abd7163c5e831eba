/*
 * endpoint.h - what an endpoint decides about a logged target, sans I/O
 * (docs/transparency.md, "What the endpoint checks"): the log entry it
 * rebuilds from verified target metadata, the C2SP tlog-proof files
 * served beside targets, consistency and inclusion computed from a node
 * reader (tiles fetched by the caller through a callback), and the
 * evidence file written on a split view.
 */
#ifndef RAMPART_TLOG_ENDPOINT_H
#define RAMPART_TLOG_ENDPOINT_H

#include "tlog/policy.h"
#include "tlog/tiles.h"

/* The largest tlog-proof file read: a note and 63 proof lines. */
#define TLOG_PROOF_FILE_MAX (TLOG_NOTE_MAX + 8192)
/* Entries: tlog/entry.h (tlog_entry_encode), the one encoder the
 * repository writer, the endpoint and the monitor share. */
#include "tlog/entry.h"

/* A parsed C2SP tlog-proof (c2sp.org/tlog-proof@v1).  `checkpoint` points
 * into the parsed bytes: the signed note, still to be verified. */
typedef struct tlog_proof_file {
    uint64_t index;
    bool has_extra;
    tlog_proof proof; /* the inclusion proof, leaf's sibling first */
    const uint8_t *checkpoint;
    size_t checkpoint_len;
} tlog_proof_file;

/* Parses `n` bytes of a tlog-proof: the line "c2sp.org/tlog-proof@v1", an
 * optional "extra <base64>" line (never trusted, not kept), "index <I>" (a
 * decimal without leading zeroes), 0 to 63 lines of base64 of 32 bytes, an
 * empty line, then the checkpoint's signed note (the rest, at least one
 * byte).  EFORMAT, ETOOLARGE (over TLOG_PROOF_FILE_MAX bytes); *out
 * untouched then. */
int tlog_proof_file_parse(const uint8_t *p, size_t n, tlog_proof_file *out, rerr *e) RAMPART_MUST_USE;
/* Appends a tlog-proof of entry `index`, its inclusion proof and the
 * signed note `note` (`nn` bytes) to `out`.  EINVAL (over 63 hashes, an
 * empty note), ETOOLARGE / ENOMEM. */
int tlog_proof_file_format(uint64_t index, const tlog_proof *proof, const uint8_t *note, size_t nn, rbuf *out,
                           rerr *e) RAMPART_MUST_USE;

/* The checkpoint of a signed note the endpoint stored earlier (it verified
 * before it was stored): parsed, signatures not checked again.  EFORMAT. */
int tlog_stored_checkpoint(const uint8_t *note, size_t n, tlog_checkpoint *out, rerr *e) RAMPART_MUST_USE;

/* Checks that the tree of `cur` extends the tree of `old` (both verified or
 * stored checkpoints), computing the consistency proof from `fn` (nodes of
 * the tree of cur->size, e.g. a tile reader) into *proof.  Returns 0;
 * ESPLITVIEW when cur is smaller, when equal sizes have two roots, or when
 * the proof fails (the log and its tiles cannot both be honest), the
 * detail in `e`; *proof then holds the proof that failed (empty when the
 * log shrank); the reader's code (network, EFORMAT for a tile of the wrong
 * size) otherwise; ECRYPTO, ENOMEM.  old->size 0 checks nothing. */
int tlog_check_consistency(const tlog_checkpoint *old, const tlog_checkpoint *cur, tlog_node_fn fn, void *ctx,
                           tlog_proof *proof, rerr *e) RAMPART_MUST_USE;

/* Checks that `entry` (`n` bytes) is entry `index` of the tree of `cp`,
 * computing the inclusion proof from `fn` (or, with `given` non-NULL,
 * using that proof: a tlog-proof file's).  Returns 0; ENOTLOGGED when the
 * index is not below the tree size or the proof does not lead to the root;
 * the reader's code; ECRYPTO, ENOMEM. */
int tlog_check_inclusion(const tlog_checkpoint *cp, const uint8_t *entry, size_t n, uint64_t index,
                         const tlog_proof *given, tlog_node_fn fn, void *ctx, rerr *e) RAMPART_MUST_USE;

/* What a split-view evidence file records. */
typedef struct tlog_evidence {
    int64_t time;            /* when it was seen (the endpoint's reference time) */
    const char *reason;      /* one line, ASCII, of the refusal */
    const char *log_url;     /* where the new checkpoint came from (may be NULL) */
    const uint8_t *old_note; /* the stored checkpoint, as stored */
    size_t old_len;
    const uint8_t *new_note; /* the checkpoint refused, as received */
    size_t new_len;
    const tlog_proof *proof; /* the consistency proof that failed (n 0 when none) */
} tlog_evidence;

/* Appends the evidence file (docs/transparency.md, "Split-view evidence")
 * to `out`.  EINVAL (a reason or URL with a control character, an empty
 * note), ETOOLARGE / ENOMEM. */
int tlog_evidence_format(const tlog_evidence *ev, rbuf *out, rerr *e) RAMPART_MUST_USE;

#endif
