/*
 * witness.h - the rules of a C2SP tlog-witness, sans I/O: the witness's
 * list of known logs, the add-checkpoint request parser, and the decision
 * (request + the witness's stored state for the log -> HTTP status, body,
 * cosignature and the state to store).  The HTTP server and the state files
 * are src/witness's; see docs/transparency.md "Witness".
 *
 * A request is handled in two steps, so that the shell can take the lock of
 * the log in between:
 *   1. tlog_witness_check: parse, find the log by origin, verify its
 *      signature, old size <= size (no state needed);
 *   2. tlog_witness_decide: against the stored state of that log (taken
 *      under its lock): 409, 422, or the cosignature and the new state,
 *      which the shell persists before it answers.
 */
#ifndef RAMPART_TLOG_WITNESS_H
#define RAMPART_TLOG_WITNESS_H

#include "tlog/note.h"

/* tlog-witness: a client MUST NOT send more than 63 consistency proof lines. */
#define TLOG_WITNESS_PROOF_MAX 63
/* The largest request body: the old size line, 63 proof lines and the
 * blank line, and a note of at most TLOG_NOTE_MAX bytes. */
#define TLOG_WITNESS_REQ_MAX (TLOG_NOTE_MAX + 64 * 46)
/* At most this many log keys in a witness's configuration. */
#define TLOG_WITNESS_MAX_LOGS 64
#define TLOG_WITNESS_CONFIG_MAX 65536

/* A parsed add-checkpoint request body; `note` points into the body. */
typedef struct tlog_wreq {
    uint64_t old_size;
    size_t nproof;
    tlog_hash proof[TLOG_WITNESS_PROOF_MAX];
    const uint8_t *note;
    size_t note_len;
} tlog_wreq;

/* Parses `n` bytes of an add-checkpoint body (tlog-witness): "old <N>\n"
 * (decimal, no leading zeroes, "0" for zero), 0..63 lines of base64 of one
 * 32-byte hash, an empty line, then the checkpoint note (the rest, not
 * parsed here).  EFORMAT (the message says what), ETOOLARGE (over
 * TLOG_WITNESS_REQ_MAX bytes); *out untouched on failure. */
int tlog_wreq_parse(const uint8_t *p, size_t n, tlog_wreq *out, rerr *e) RAMPART_MUST_USE;

/* The logs a witness knows: Ed25519 note keys (type 0x01); a log's origin
 * is its key's name, and one origin may have several keys. */
typedef struct tlog_wconfig {
    size_t nkeys;
    tlog_vkey *key[TLOG_WITNESS_MAX_LOGS];
} tlog_wconfig;

/* Parses a witness configuration (`n` bytes): lines "log <vkey>", blank
 * lines and comments (#); items separated by spaces or tabs.  EFORMAT
 * (names the line: an unknown keyword, a vkey that does not parse or is not
 * of type 0x01, a key listed twice, no log at all), ETOOLARGE (over
 * TLOG_WITNESS_CONFIG_MAX bytes or TLOG_WITNESS_MAX_LOGS keys),
 * EUNSUPPORTED, ENOMEM.  On success *out owns the configuration (free with
 * tlog_wconfig_free). */
int tlog_wconfig_parse(tlog_wconfig **out, const uint8_t *p, size_t n, rerr *e) RAMPART_MUST_USE;
void tlog_wconfig_free(tlog_wconfig *c);

/* What the witness stored for one log: the size and root hash of the
 * latest checkpoint it cosigned (known false: never cosigned one). */
typedef struct tlog_wstate {
    bool known;
    uint64_t size;
    tlog_hash root;
} tlog_wstate;

#define TLOG_WCT_TEXT "text/plain; charset=utf-8"
#define TLOG_WCT_SIZE "text/x.tlog.size"

/* The witness's answer.  status 0 after tlog_witness_check means "go on to
 * tlog_witness_decide"; otherwise an HTTP status with its body (owned:
 * free with tlog_wreply_free) and content type.  `commit`: `next` must be
 * persisted before the reply is sent. */
typedef struct tlog_wreply {
    int status;
    const char *content_type;
    rbuf body;
    bool commit;
    tlog_wstate next;
} tlog_wreply;

void tlog_wreply_init(tlog_wreply *r);
void tlog_wreply_free(tlog_wreply *r);

/* A request that passed tlog_witness_check: its parts point into the body,
 * which must outlive it. */
typedef struct tlog_wsubmit {
    tlog_wreq req;
    tlog_checkpoint cp;
    const uint8_t *text; /* the checkpoint's note text (what is cosigned) */
    size_t text_len;
} tlog_wsubmit;

/* Step 1 (no state): parses the body and its checkpoint note, finds the
 * log by origin and verifies its signature.  Returns 0 with r->status set
 * to 400 (malformed), 404 (unknown origin), 403 (no known key's valid
 * signature), with a one-line text body, or 0 (go on: *sub written).  A
 * negative code (ENOMEM, ECRYPTO) only for an internal failure (the shell
 * answers 500).  `r` must have been initialised. */
int tlog_witness_check(const tlog_wconfig *cfg, const uint8_t *body, size_t n, tlog_wsubmit *sub, tlog_wreply *r,
                       rerr *e) RAMPART_MUST_USE;

/* Step 2, under the log's lock: decides from the stored state `cur` at
 * time `now` (seconds since the epoch; the cosignature's timestamp).
 * Returns 0 with r->status 409 (the old size is not the stored size: body
 * "<stored size>\n", content type text/x.tlog.size; or the same size with
 * another root: a text body), 422 (the consistency proof does not verify,
 * or is not empty from size 0), or 200 with one cosignature line per
 * signer (type 0x04) and r->commit with r->next.  Negative codes as step
 * 1. */
int tlog_witness_decide(const tlog_wsubmit *sub, const tlog_wstate *cur, const tlog_signer *const *signers,
                        size_t nsigners, int64_t now, tlog_wreply *r, rerr *e) RAMPART_MUST_USE;

/* The state file of one log: the checkpoint text of the state
 * (tlog_checkpoint_format).  Parsing checks that the origin is `origin`.
 * EFORMAT; ENOMEM / EINVAL from formatting. */
int tlog_wstate_format(const char *origin, const tlog_wstate *s, rbuf *out, rerr *e) RAMPART_MUST_USE;
int tlog_wstate_parse(const uint8_t *p, size_t n, const char *origin, size_t origin_len, tlog_wstate *out,
                      rerr *e) RAMPART_MUST_USE;

#endif
