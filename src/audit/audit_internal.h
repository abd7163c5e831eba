/*
 * audit_internal.h - the audit log's record format and its chain scan, with
 * no I/O (record.c, scan.c), shared by the writer (log.c), the verifier
 * (verify.c), the journal sender (journal.c), the fuzz target and the unit
 * tests.  docs/audit.md describes the format.
 */
#ifndef RAMPART_AUDIT_INTERNAL_H
#define RAMPART_AUDIT_INTERNAL_H

#include "rampart/audit.h"
#include "tlog/tiles.h"
#include "util/buf.h"

#define AUDIT_LOG "audit.log"
#define AUDIT_CHECKPOINT "checkpoint"
#define AUDIT_KEY "audit.key"
#define AUDIT_VKEY "audit.vkey"
#define AUDIT_LOCK ".audit.lock"

#define AUDIT_FORMAT_VERSION 1
#define AUDIT_LINE_MAX 16384            /* one record line, without its newline */
#define AUDIT_FIELD_MAX 1024            /* one string field, after sanitising */
#define AUDIT_LOG_MAX ((size_t)1 << 30) /* the whole log, read into memory */
#define AUDIT_HEX_LEN 64                /* a SHA-256 in lower-case hex */

/* A parsed record: strings are NUL-terminated copies (NULL when absent). */
typedef struct audit_rec {
    uint64_t seq;
    int64_t time;
    char *kind, *attack, *code, *target, *version, *previous, *sha256, *message, *anomaly, *id;
    char prev[AUDIT_HEX_LEN + 1]; /* SHA-256 of the previous record's line, hex */
    uint64_t torn_len;            /* kind "torn": the sealed bytes */
    char torn_sha256[AUDIT_HEX_LEN + 1];
} audit_rec;

void audit_rec_free(audit_rec *r);

/* Parses one record line (`n` bytes, no newline): a JSON object with exactly
 * the members of docs/audit.md, "v" 1, "seq" >= 1, an RFC 3339 UTC "time", a
 * non-empty "kind", a 64-hex "prev", and "torn_len"/"torn_sha256" exactly
 * when kind is "torn".  EFORMAT (detail in `e`), ENOMEM. */
int audit_rec_parse(const uint8_t *p, size_t n, audit_rec *out, rerr *e) RAMPART_MUST_USE;

/* The fields a writer puts in a line, besides the caller's record. */
typedef struct audit_line_in {
    uint64_t seq;
    int64_t time;
    const uint8_t *prev; /* 32 bytes */
    const rampart_audit_record *r;
    uint64_t torn_len; /* kind "torn" only */
    const uint8_t *torn_sha256;
} audit_line_in;

/* Appends the record's line (no newline) to `out`: fixed member order,
 * strings sanitised and cut at AUDIT_FIELD_MAX.  EINVAL (no kind),
 * ETOOLARGE, ENOMEM. */
int audit_line_format(const audit_line_in *in, rbuf *out, rerr *e) RAMPART_MUST_USE;

/* The result of scanning a log's bytes. */
typedef struct audit_scan {
    uint64_t records;
    uint64_t sealed;
    uint8_t last[32];     /* SHA-256 of the last record's line; zeros when none */
    size_t end;           /* offset just after the last record's newline */
    size_t garbage_start; /* start of the unsealed bytes after the last record (== n when none) */
    size_t garbage_len;
    tlog_memtree tree; /* leaf hashes of the record lines */
} audit_scan;

/* Scans `n` bytes of a log: every line must be the next record of the chain
 * (seq one more, prev the SHA-256 of the previous record's line), except a
 * run of bytes that are not records which the next record seals (kind
 * "torn", torn_len and torn_sha256 of exactly those bytes), and except the
 * unsealed bytes at the very end (a crash during an append): they are left
 * in garbage_start/garbage_len.  ETAMPERED (detail names the line), ENOMEM,
 * ECRYPTO.  Free with audit_scan_free, also after a failure. */
int audit_scan_bytes(const uint8_t *p, size_t n, audit_scan *s, rerr *e) RAMPART_MUST_USE;
void audit_scan_free(audit_scan *s);
/* Adds the record line p[0..n) to the chain: count, hash, tree.  ENOMEM, ECRYPTO. */
int audit_scan_accept(audit_scan *s, const uint8_t *p, size_t n, rerr *e) RAMPART_MUST_USE;

/* Checks the signed checkpoint `note` against verifier key text `vkey` and
 * the scanned records: EBADSIG (not signed by that key), EFORMAT,
 * ETAMPERED (fewer records than it covers, or another Merkle root).
 * *size_out gets the number of records it covers. */
int audit_check_checkpoint(const audit_scan *s, const uint8_t *note, size_t n, const char *vkey, size_t vkey_len,
                           uint64_t *size_out, rerr *e) RAMPART_MUST_USE;

/* Sends record `line` (and its parsed fields) to the journal or syslog. */
void audit_journal_send(const char *socket_path, const char *ident, const uint8_t *line, size_t n, const audit_rec *r);

#endif
