/*
 * entry.h - the log entry of a target (docs/transparency.md, "Publishing
 * format"), sans I/O: the canonical JSON of
 *
 *   {"hashes":{...},"length":N,"path":"...","role":"...",
 *    "type":"rampart.log-entry/v1","version":V}
 *
 * in the canonical form of signed TUF metadata (util/jcanon.h: keys in
 * byte order, only '"' and '\' escaped in strings).  The repository writer
 * appends it; an endpoint and a monitor rebuild it from metadata they have
 * verified and check its inclusion.
 */
#ifndef RAMPART_TLOG_ENTRY_H
#define RAMPART_TLOG_ENTRY_H

#include "tlog/tiles.h"

#define TLOG_ENTRY_TYPE "rampart.log-entry/v1"
/* At most this many hash algorithms in one entry. */
#define TLOG_ENTRY_MAX_HASHES 8

typedef struct tlog_entry_hash {
    const char *alg; /* "sha256", ... (as in the target's metadata) */
    const char *hex; /* the digest in hex, as in the metadata */
} tlog_entry_hash;

typedef struct tlog_entry {
    const char *path; /* the target path (`path_len` bytes, valid UTF-8) */
    size_t path_len;
    const char *role; /* the role whose metadata lists the target */
    uint64_t length;
    int64_t version; /* that role's version in the publish that added the entry */
    const tlog_entry_hash *hashes;
    size_t nhashes;
} tlog_entry;

/* Appends the entry's bytes to `out`.  EINVAL (no hash or more than
 * TLOG_ENTRY_MAX_HASHES, one algorithm twice, a version below 1, a length
 * over 2^63-1, NULL strings), ETOOLARGE (more than TLOG_ENTRY_MAX bytes,
 * or from `out`), ENOMEM; `out` unchanged on failure. */
int tlog_entry_encode(const tlog_entry *en, rbuf *out, rerr *e) RAMPART_MUST_USE;

/* The tlog-proof file written beside each target: tlog/endpoint.h
 * (tlog_proof_file_format, and its parser). */

#endif
