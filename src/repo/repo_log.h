/*
 * repo_log.h - the repository's transparency log (docs/transparency.md,
 * docs/repo.md "Transparency log"): its durable state under log/, the
 * entries a publish appends, the checkpoint the log key signs, the
 * witnesses' cosignatures and the copy served in public/log/.
 *
 * The log never forks: log/checkpoint is written (synced) after the tiles
 * it covers and before any witness or client sees it, and entries below
 * its size are never written again.  A publish that fails after that
 * point leaves the entries in the log; the next publish finds them (a
 * target's "rampart_log" index points at an entry equal to its own) and
 * does not append them twice.
 */
#ifndef RAMPART_REPO_LOG_H
#define RAMPART_REPO_LOG_H

#include "repo/repo_internal.h"
#include "tlog/note.h"
#include "tlog/tiles.h"

#define RLOG_DIR "log"
#define RLOG_CHECKPOINT "checkpoint"
#define RLOG_COSIGNED "cosigned"
#define RLOG_WITNESSES "witnesses"
#define RLOG_SERVED "served"
#define RLOG_TYPE_KEY "rampart_log"

/* Entries to append, in order. */
typedef struct rlog_batch {
    rbuf data;
    size_t *off, *len;
    size_t n, cap;
} rlog_batch;

void rlog_batch_init(rlog_batch *b);
void rlog_batch_free(rlog_batch *b);
int rlog_batch_add(rlog_batch *b, const uint8_t *entry, size_t n) RAMPART_MUST_USE;

/* True when the configuration has a "log" (rampart_repo_log_init). */
bool rrepo_log_enabled(rampart_repo *r);
/* log/, created on first use.  EIO, EPATH. */
int rrepo_log_dir(rampart_repo *r, int *fd) RAMPART_MUST_USE;
/* Reads log/FILE (RLOG_CHECKPOINT or RLOG_COSIGNED): its bytes to `note`
 * (may be NULL) and its checkpoint to *cp.  A missing file is the empty
 * log (cp->size 0, note empty).  EFORMAT (damaged), EIO. */
int rrepo_log_head(rampart_repo *r, const char *file, tlog_checkpoint *cp, rbuf *note) RAMPART_MUST_USE;
/* Appends entry `index` of the log of `size` entries to `out`.  ENOTFOUND,
 * EFORMAT, EIO. */
int rrepo_log_entry(rampart_repo *r, uint64_t size, uint64_t index, rbuf *out) RAMPART_MUST_USE;
/* Reads the tree of the log/checkpoint into `t` (initialised here) and
 * checks its root.  EFORMAT (the tiles do not give the signed root), EIO. */
int rrepo_log_tree(rampart_repo *r, const tlog_checkpoint *cp, tlog_memtree *t) RAMPART_MUST_USE;
/* Appends `b` to the log: writes the tiles, then the signed checkpoint
 * (the commit).  EBADSIG (a log key not given), EIO, ENOMEM. */
int rrepo_log_append(rampart_repo *r, const rlog_batch *b) RAMPART_MUST_USE;
/* The log's vkeys (one per configured log key), each followed by a
 * newline, appended to `out`.  ENOTFOUND (no log), ENOMEM. */
int rrepo_log_vkeys(rampart_repo *r, rbuf *out) RAMPART_MUST_USE;

/* Appends to `out` the signed note `note` with only the signature lines of
 * the configured log keys (the witnesses' cosignatures dropped).  EFORMAT
 * (not a note, or none of the log's signatures), ENOMEM. */
int rrepo_log_signed_only(rampart_repo *r, const rbuf *note, rbuf *out) RAMPART_MUST_USE;

/* ---- repo_log_assign.c ---- */
/* Gives every target that the changed roles `roles` (n names) add or
 * change its log position ("rampart_log" in its custom metadata, written
 * to the staged role, whose signatures it drops), unless it already points
 * at an equal entry of the log, and appends the entries to `b` in the
 * contract's order.  EFORMAT, ETOOLARGE (an entry over 64 KiB), EIO, ENOMEM. */
int rrepo_log_assign(rampart_repo *r, char *const *roles, size_t n, rlog_batch *b) RAMPART_MUST_USE;
/* Appends the log entry of target `path` (metadata `t`) of `role` at role
 * version `version` (the contract's canonical JSON).  EFORMAT, ETOOLARGE,
 * ENOMEM. */
int rrepo_log_entry_of(rampart_repo *r, const char *role, const char *path, const json_t *t, int64_t version,
                       rbuf *out) RAMPART_MUST_USE;

/* ---- repo_log_witness.c ---- */
/* Asks the witnesses of log/witnesses for cosignatures of log/checkpoint
 * when log/cosigned is older, and writes log/cosigned.  ENOQUORUM (too few
 * valid cosignatures: nothing is written), EFORMAT, EIO, ENOMEM. */
int rrepo_log_witness(rampart_repo *r) RAMPART_MUST_USE;
/* Keeps the served checkpoint's cosignatures fresh (rampart repo refresh,
 * refresh-timestamp): asks the witnesses of log/witnesses to cosign again
 * the checkpoint of log/cosigned (C2SP tlog-witness, old size == its size)
 * and, at quorum, writes log/cosigned and public/log/checkpoint with the
 * new cosignatures.  Nothing to do (0) without a log, witnesses or a
 * cosigned checkpoint.  ENOQUORUM (too few: nothing is written), EFORMAT,
 * EIO, ENOMEM. */
int rrepo_log_recosign(rampart_repo *r) RAMPART_MUST_USE;

/* ---- repo_log_serve.c ---- */
/* Copies the log (tiles from the size public/log/checkpoint has, then the
 * cosigned checkpoint) to public/log/, and the tlog-proof files of the
 * entries [from, size) beside their targets of the roles `pending` lists.
 * EIO, EFORMAT, ENOMEM. */
int rrepo_log_serve(rampart_repo *r, const json_t *pending_roles, uint64_t from) RAMPART_MUST_USE;
/* Writes every tlog-proof file missing beside the served targets `targets`
 * of `role` (a target logged in the served checkpoint whose
 * <path>.tlog-proof or <hash>.<name>.tlog-proof is not there), with the
 * inclusion proof computed from the tiles of log/ and checked against the
 * served checkpoint, which it carries; *written counts the files.  Nothing
 * to do without a log.  EFORMAT (the tiles do not prove a target's entry),
 * EIO, EPATH, ENOMEM. */
int rrepo_log_missing_proofs(rampart_repo *r, const char *role, const json_t *targets,
                             size_t *written) RAMPART_MUST_USE;
/* The size of the log the last completed publish served (log/served;
 * 0 when none).  EFORMAT, EIO. */
int rrepo_log_served(rampart_repo *r, uint64_t *size) RAMPART_MUST_USE;
/* rrepo_repair's part: rewrites public/log/ from log/ when it differs. */
int rrepo_log_repair(rampart_repo *r, size_t *fixed) RAMPART_MUST_USE;

#endif
