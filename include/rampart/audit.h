/*
 * rampart/audit.h - the endpoint's audit log: every decision of the update
 * agent (a release installed, refused, reverted, an anomaly, an
 * acknowledgement) as one JSON line in an append-only, tamper-evident file.
 * docs/audit.md describes the record format, the attack classes and the
 * verification.
 *
 * The log is a folder holding:
 *   audit.log    the records, one JSON object per line; each carries its
 *                sequence number and the SHA-256 of the previous record's
 *                line (a hash chain);
 *   checkpoint   a C2SP signed note over a C2SP checkpoint: the number of
 *                records and the RFC 9162 Merkle root of their lines, signed
 *                with the endpoint's Ed25519 key;
 *   audit.key    that key (PKCS#8 PEM, 0600), made on first use;
 *   audit.vkey   its verifier key ("name+id+base64", C2SP signed-note), to
 *                copy off the endpoint at enrolment.
 *
 * Typical use:
 *
 *     rampart_audit_options o = RAMPART_AUDIT_OPTIONS_INIT;
 *     rampart_audit_record r = RAMPART_AUDIT_RECORD_INIT;
 *     rampart_error err;
 *     rampart_audit *a = NULL;
 *     o.dir = "/var/lib/rampart/audit";
 *     if (rampart_audit_open(&a, &o, &err) != 0)
 *         return 1;
 *     r.kind = "refused";
 *     r.code = RAMPART_EDOWNGRADE;
 *     r.target = "app/app-1.0.0.tar.gz";
 *     int rc = rampart_audit_append(a, &r, NULL);
 *     rampart_audit_free(a);
 *     return rc == 0 ? 0 : 1;
 *
 * Thread safety: a rampart_audit is used by one thread at a time.  Writers
 * of one folder, in one process or several, are kept apart by the folder's
 * lock, held from rampart_audit_open to rampart_audit_free.  The other
 * functions only read and may run at any time.
 */
#ifndef RAMPART_AUDIT_H
#define RAMPART_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "client.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rampart_audit rampart_audit;

#define RAMPART_AUDIT_OPTIONS_VERSION 1

/** Audit log options.  Start from RAMPART_AUDIT_OPTIONS_INIT; 0 / NULL is the documented default. */
typedef struct rampart_audit_options {
    unsigned version; /**< RAMPART_AUDIT_OPTIONS_VERSION */

    const char *dir;  /**< required: the audit folder (created 0700 if missing) */
    const char *name; /**< the key's name and the checkpoint's origin, for a new key; default
                           "rampart-audit" (C2SP key name: no spaces, no '+') */
    /** 1: each record is also sent to the system journal with structured
     *  fields (the journal's native datagram protocol), or to syslog when the
     *  journal's socket is absent; 0: not sent. */
    int journal;
    const char *journal_socket; /**< default "/run/systemd/journal/socket" */
    const char *syslog_ident;   /**< default "rampart" */
    unsigned lock_timeout_ms;   /**< wait this long for the folder's lock; default 10000 */

    rampart_clock_fn clock; /**< default: the system clock */
    void *clock_ctx;
} rampart_audit_options;

#define RAMPART_AUDIT_OPTIONS_INIT                                                                                     \
    {                                                                                                                  \
        .version = RAMPART_AUDIT_OPTIONS_VERSION                                                                       \
    }

/**
 * One decision to record.  Strings are untrusted text: they are sanitised
 * (control characters and invalid UTF-8 become '?') and cut at 1024 bytes.
 * NULL leaves a field out.
 */
typedef struct rampart_audit_record {
    const char *kind;     /**< required: "installed", "refused", "health-failed", "reverted",
                               "hook-failed", "error", "anomaly", "ack", "held", ... (docs/audit.md) */
    int code;             /**< the RAMPART_E* code of a refusal or failure, 0 for none; the record
                               then names the code and its attack class (rampart_attack_class) */
    const char *target;   /**< the target path */
    const char *version;  /**< the release's version */
    const char *previous; /**< the version active before */
    const char *sha256;   /**< the release's SHA-256 (hex) */
    const char *message;  /**< one line of detail (e.g. the error message) */
    const char *anomaly;  /**< for kind "anomaly": its name ("root-rotation", ...) */
    const char *id;       /**< an anomaly's identifier, for "ack" */
} rampart_audit_record;

#define RAMPART_AUDIT_RECORD_INIT                                                                                      \
    {                                                                                                                  \
        .kind = NULL                                                                                                   \
    }

/**
 * Opens (creating when missing) the audit log in `o->dir`, takes its lock
 * and makes it ready to append: the private key is loaded or made; the log
 * is read and its hash chain checked (RAMPART_ETAMPERED: the writer never
 * extends an altered log; move it aside); an incomplete last line left by a
 * crash is sealed (terminated, and described by a "torn" record holding its
 * length and SHA-256, so it is reported, never silently dropped); records
 * the checkpoint does not cover yet (a crash after an append) are signed.
 * Errors: RAMPART_EINVAL, RAMPART_ETAMPERED, RAMPART_ELOCKED, RAMPART_EIO,
 * RAMPART_EPATH, RAMPART_EFORMAT (an unreadable key), RAMPART_ENOMEM,
 * RAMPART_ECRYPTO.  `err` may be NULL.
 */
RAMPART_API int rampart_audit_open(rampart_audit **out, const rampart_audit_options *o,
                                   rampart_error *err) RAMPART_MUST_USE;

/**
 * Appends one record: writes its line and makes it durable (fdatasync),
 * then signs a new checkpoint (written atomically), then sends it to the
 * journal when asked.  When this returns 0 the record is committed: no
 * crash can lose it.  *seq_out (may be NULL) receives its sequence number.
 * After an I/O failure the handle refuses further appends (RAMPART_EIO):
 * open the log again, which seals whatever part was written.
 * Errors: RAMPART_EINVAL (no kind), RAMPART_EIO, RAMPART_ENOMEM, RAMPART_ECRYPTO.
 */
RAMPART_API int rampart_audit_append(rampart_audit *a, const rampart_audit_record *r,
                                     uint64_t *seq_out) RAMPART_MUST_USE;

/** Detail of the last error on this handle. */
RAMPART_API const rampart_error *rampart_audit_last_error(const rampart_audit *a) RAMPART_MUST_USE;

/** The verifier key of the log's signing key, "name+id+base64" (owned by `a`). */
RAMPART_API const char *rampart_audit_vkey(const rampart_audit *a) RAMPART_MUST_USE;

/**
 * The number of records in the log (the sequence number of the last one,
 * 0 when empty), sealed "torn" records included: what the log held when
 * it was opened plus this handle's appends.  A caller that must later find
 * out whether a record was written after some moment notes this number at
 * that moment and looks only at the records after it (rampart_audit_read);
 * the update agent does so for an install a crash interrupted
 * (docs/agent.md, "Crash safety").  0 for NULL.
 */
RAMPART_API uint64_t rampart_audit_records(const rampart_audit *a) RAMPART_MUST_USE;

/** Closes the log and releases its lock.  NULL-safe. */
RAMPART_API void rampart_audit_free(rampart_audit *a);

/**
 * The attack class a refusal with `code` is recorded under
 * ("arbitrary-software", "rollback", "freeze", "mix-and-match",
 * "endless-data", "slow-retrieval", "key-compromise-below-threshold",
 * "downgrade", "split-view", "missing-provenance", "forged-provenance",
 * "unlogged-release", "malformed", "unsafe-path", "untrusted-transport"), or
 * NULL for a code that is not a refusal.  `message` (may be NULL) refines
 * RAMPART_EBADSIG: "(k of n)" with k at least 1 means some trusted keys did
 * sign, too few of them: key-compromise-below-threshold.  Thread-safe.
 */
RAMPART_API const char *rampart_attack_class(int code, const char *message) RAMPART_MUST_USE;

/** What rampart_audit_verify found. */
typedef struct rampart_audit_summary {
    uint64_t records;        /**< records in the chain */
    uint64_t signed_records; /**< records the signed checkpoint covers */
    uint64_t sealed;         /**< torn lines sealed by a later writer ("torn" records) */
    uint64_t torn_bytes;     /**< bytes of an incomplete last line (then RAMPART_ETORN) */
} rampart_audit_summary;

/**
 * Verifies the audit log in `dir` against the verifier key `vkey` (the text
 * of audit.vkey, taken off the endpoint at enrolment; NULL: the folder's own
 * audit.vkey, which shows accidents but not an attacker who replaced the
 * key).  Checks, in order: the checkpoint's signature (RAMPART_EBADSIG:
 * not signed by that key); every line is a record, with the sequence number
 * after the previous one and the SHA-256 of the previous line
 * (RAMPART_ETAMPERED, naming the line: a record edited, removed, inserted or
 * reordered); the log holds at least the records the checkpoint covers
 * (RAMPART_ETAMPERED: truncated) and their Merkle root is the checkpoint's
 * (RAMPART_ETAMPERED: edited); then an incomplete last line
 * (RAMPART_ETORN: a crash during an append, every committed record before
 * it verified).  *out (may be NULL) is written whatever the result.
 * Other errors: RAMPART_ENOTFOUND (no log), RAMPART_EFORMAT (a malformed
 * key or checkpoint), RAMPART_ETOOLARGE (over 1 GiB), RAMPART_EIO,
 * RAMPART_ENOMEM.  `err` may be NULL.
 */
RAMPART_API int rampart_audit_verify(const char *dir, const char *vkey, rampart_audit_summary *out,
                                     rampart_error *err) RAMPART_MUST_USE;

/** One record, as rampart_audit_read hands it over (valid during the call only). */
typedef struct rampart_audit_entry {
    uint64_t seq;
    long long time;     /**< seconds since the epoch, UTC */
    const char *kind;   /**< never NULL; the other strings are NULL when absent */
    const char *attack; /**< attack class */
    const char *code;   /**< RAMPART_E* name */
    const char *target, *version, *previous, *sha256, *message, *anomaly, *id;
    const char *line; /**< the record's JSON line, without its newline */
    size_t line_len;
} rampart_audit_entry;

/** Called for each record in order; a non-zero return stops the walk and is returned. */
typedef int (*rampart_audit_visit_fn)(void *ctx, const rampart_audit_entry *e);

/**
 * Reads the records of the log in `dir`, in order, without checking the
 * chain or the signature (rampart_audit_verify does): lines that are not
 * records (a sealed or incomplete torn line) are skipped.  Errors:
 * RAMPART_ENOTFOUND, RAMPART_ETOOLARGE, RAMPART_EIO, RAMPART_ENOMEM, or
 * what `fn` returned.
 */
RAMPART_API int rampart_audit_read(const char *dir, rampart_audit_visit_fn fn, void *ctx,
                                   rampart_error *err) RAMPART_MUST_USE;

#ifdef __cplusplus
}
#endif
#endif /* RAMPART_AUDIT_H */
