/*
 * rampart/error.h - error codes and error detail.
 *
 * Every fallible function of librampart returns an int: 0 on success or one of
 * the negative RAMPART_E* codes below.  The codes are shaped by the threat
 * model so that callers can branch on them: a security failure (a signature
 * threshold not met, a rollback, an expired role) is never reported as an I/O
 * or internal error, and vice versa.
 *
 * The list is append-only: a code's number never changes.
 *
 * Thread safety: the functions here only read constant tables; any thread
 * may call them at any time, concurrently.
 */
#ifndef RAMPART_ERROR_H
#define RAMPART_ERROR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) && !defined(RAMPART_STATIC_BUILD)
#define RAMPART_API __attribute__((visibility("default")))
#else
#define RAMPART_API
#endif

/* Every public function that returns a value carries RAMPART_MUST_USE: the
 * compiler warns when a caller ignores the result (an error code, or the
 * only product of a call without side effects).  With GCC a cast to void
 * does not silence it: handle the result. */
#if defined(__GNUC__)
#define RAMPART_MUST_USE __attribute__((warn_unused_result))
#else
#define RAMPART_MUST_USE
#endif

/** Error codes.  0 is success; every error is negative.  Never renumbered. */
enum rampart_error_code {
    RAMPART_OK = 0,
    /** A caller passed an invalid argument (NULL handle, bad option, ...). */
    RAMPART_EINVAL = -1,
    /** An allocation failed. */
    RAMPART_ENOMEM = -2,
    /** A local file-system operation failed (open, read, write, fsync, rename). */
    RAMPART_EIO = -3,
    /** Input is malformed: bad JSON, wrong types, missing fields, bad dates. */
    RAMPART_EFORMAT = -4,
    /** A signature threshold was not met. */
    RAMPART_EBADSIG = -5,
    /** Metadata has expired (freeze attack), judged against the update's start time. */
    RAMPART_EEXPIRED = -6,
    /** A version went backwards (rollback attack). */
    RAMPART_EROLLBACK = -7,
    /** Hash, length or version differs from what the parent role says (mix-and-match). */
    RAMPART_EMISMATCH = -8,
    /** Input exceeds its size cap (endless data). */
    RAMPART_ETOOLARGE = -9,
    /** The requested thing does not exist (no such target, role or file). */
    RAMPART_ENOTFOUND = -10,
    /** A network transfer failed (connection refused, reset, HTTP error status). */
    RAMPART_ENET = -11,
    /** The connection could not be established within the connect timeout. */
    RAMPART_ECONNTIMEOUT = -12,
    /** The transfer fell below the minimum throughput for too long (slow retrieval). */
    RAMPART_ESLOW = -13,
    /** The transfer did not complete within its total deadline (slow retrieval). */
    RAMPART_ETIMEOUT = -14,
    /** TLS failed: untrusted certificate, hostname mismatch, or public-key pin mismatch. */
    RAMPART_ETLS = -15,
    /** A transport was refused as insecure: plain http:// to a non-loopback host, or a
     *  redirect to another scheme or host. */
    RAMPART_EINSECURE = -16,
    /** Another updater holds the lock on the metadata folder. */
    RAMPART_ELOCKED = -17,
    /** A key type, signature scheme, hash algorithm or attestation format (a Sigstore
     *  bundle) is not supported. */
    RAMPART_EUNSUPPORTED = -18,
    /** A name would escape its folder (absolute path, "..", symlinked component). */
    RAMPART_EPATH = -19,
    /** The cryptographic backend failed for a reason other than a bad signature. */
    RAMPART_ECRYPTO = -20,
    /** A passphrase was wrong or missing for an encrypted private key. */
    RAMPART_EPASSPHRASE = -21,
    /** Something already exists (a duplicate target, a key file that would be overwritten). */
    RAMPART_EEXIST = -22,
    /** An internal invariant failed; a bug in librampart. */
    RAMPART_EINTERNAL = -23,
    /* Release provenance (rampart/provenance.h, docs/provenance.md): each
     * refusal of a provenance policy has its own code, so that callers can
     * tell which rule failed. */
    /** The policy requires provenance and the target has none (no attestation bound to it). */
    RAMPART_EPROVMISSING = -24,
    /** The attestation is unsigned, or signed by fewer trusted builder keys than the threshold. */
    RAMPART_EPROVSIG = -25,
    /** No subject of the attestation has the artifact's digest (it is about another artifact). */
    RAMPART_EPROVSUBJECT = -26,
    /** The attestation is not SLSA Provenance v1 (another predicate type). */
    RAMPART_EPROVPREDICATE = -27,
    /** The provenance names a builder (builder.id) the policy does not allow. */
    RAMPART_EPROVBUILDER = -28,
    /** The provenance names a build type the policy does not allow. */
    RAMPART_EPROVBUILDTYPE = -29,
    /** The provenance names no source repository, or one the policy does not allow. */
    RAMPART_EPROVSOURCE = -30,
    /** The source revision is not the tag of the target's version. */
    RAMPART_EPROVREVISION = -31,
    /** The attestation is malformed: not a DSSE envelope holding an in-toto Statement v1 with a valid predicate. */
    RAMPART_EPROVFORMAT = -32,
    /** The caller cancelled the operation (a progress callback returned non-zero); nothing
     *  partial was installed. */
    RAMPART_ECANCELED = -33,
    /* Transparency log (docs/transparency.md): each refusal of the log's
     * rules has its own code. */
    /** The entry is not in the log: no inclusion proof, or one that does not lead to the
     *  checkpoint's root. */
    RAMPART_ENOTLOGGED = -34,
    /** The checkpoint is not signed by the log or not cosigned by a quorum of the policy's
     *  witnesses. */
    RAMPART_ENOQUORUM = -35,
    /** Two views of the log that cannot both be honest: a consistency proof fails, the log
     *  shrank, or two roots for one size (a split view or a forked log). */
    RAMPART_ESPLITVIEW = -36,
    /** The newest cosignature of the checkpoint is older than the allowed maximum age
     *  (freeze attack on the log). */
    RAMPART_ESTALE = -37,
    /* Installing releases (rampart/install.h, docs/install-releases.md). */
    /** A signed release whose version is below the highest one installed (anti-rollback). */
    RAMPART_EDOWNGRADE = -38,
    /** An archive entry that is not allowed: a device, FIFO or socket, a set-uid or set-gid file. */
    RAMPART_EARCHIVE = -39,
    /** A pre-install or post-install hook failed, timed out or could not be run. */
    RAMPART_EHOOK = -40,
    /** The health check failed or timed out; the previous version was made active again. */
    RAMPART_EHEALTH = -41,
    /* The endpoint's audit log (rampart/audit.h, docs/audit.md) and the update
     * agent (docs/agent.md). */
    /** The audit log was altered: a record edited, removed, inserted or reordered, records cut
     *  from its end, or a signed checkpoint that does not match the records. */
    RAMPART_ETAMPERED = -42,
    /** The audit log ends in an incomplete line: an append interrupted by a crash or a power
     *  loss.  Every record before it verifies; nothing committed was lost. */
    RAMPART_ETORN = -43,
    /** The update is held: a blocking channel anomaly waits for an operator's acknowledgement
     *  (`rampart agent ack`). */
    RAMPART_EHELD = -44,
};

/**
 * Error detail, kept on handles (see e.g. rampart_client_last_error()).
 * `role` is the TUF role concerned ("" when none); `message` is one line of
 * plain text, already sanitised (no control characters).
 */
typedef struct rampart_error {
    int code;
    char role[128];
    char message[512];
} rampart_error;

/**
 * What kind of failure an error code reports, and so what a caller can do
 * about it (docs/errors.md gives the kind of every code and the reasons).
 * Every code has exactly one kind; new kinds are only appended.
 */
enum rampart_error_kind {
    /** RAMPART_OK: no failure. */
    RAMPART_KIND_OK = 0,
    /** Something must not be trusted: a signature threshold not met, a
     *  rollback, expired or mismatching metadata, malformed or oversized
     *  input, an unsafe path, a refused TLS peer or transport, a refused
     *  provenance.  Possibly an attack.  Keep what is installed, do not fall
     *  back to anything weaker, and alert: another mirror is tried (a single
     *  mirror may be compromised), but if every mirror fails this way the
     *  repository or the network path is hostile or broken. */
    RAMPART_KIND_SECURITY = 1,
    /** Nothing could be fetched: connection refused, reset or timed out, an
     *  HTTP error, a transfer too slow or past its deadline.  Nothing
     *  untrusted was accepted.  Another mirror, or a later try, may succeed. */
    RAMPART_KIND_TRANSPORT = 2,
    /** What was asked for does not exist where it was looked for: a mirror
     *  answered 403/404/410, no trusted role lists the target, a file is
     *  missing.  Not a failure to trust anything; another mirror may have it. */
    RAMPART_KIND_NOTFOUND = 3,
    /** A local failure: a bad argument, memory, the file system, a lock held
     *  by another updater, the crypto backend, a passphrase, something that
     *  already exists, a bug.  Nothing remote is at fault: the cause is on
     *  this machine or in the caller. */
    RAMPART_KIND_LOCAL = 4
};

/**
 * Returns the kind of error code `code`: RAMPART_KIND_OK for RAMPART_OK,
 * otherwise the kind docs/errors.md lists for it.  A code librampart never
 * returns (positive, or below the last code) is RAMPART_KIND_LOCAL, as a bug
 * (RAMPART_EINTERNAL) is.  This is the one place that decides a code's kind;
 * the client uses it to rank the failures of its mirrors.
 */
RAMPART_API enum rampart_error_kind rampart_error_kind(int code) RAMPART_MUST_USE;

/**
 * Returns a static, human-readable, one-line description of an error code
 * ("signature threshold not met", ...).  Unknown codes give "unknown error".
 * The returned string is never NULL and must not be freed.
 */
RAMPART_API const char *rampart_strerror(int code) RAMPART_MUST_USE;

/**
 * Returns the symbolic name of an error code ("RAMPART_EBADSIG", ...), or
 * "RAMPART_E?" for an unknown code.  Never NULL; must not be freed.
 */
RAMPART_API const char *rampart_error_name(int code) RAMPART_MUST_USE;

/**
 * Copies `len` bytes of untrusted text (a name from metadata, a server's
 * message) into `dst` (capacity `cap`, always NUL-terminated when cap > 0)
 * so that it is safe to print: each control byte (below 0x20, DEL), each
 * byte of invalid UTF-8, and each character that changes how the text
 * around it reads (C1 controls U+0080..U+009F; the bidirectional marks,
 * embeddings, overrides and isolates U+061C, U+200E, U+200F,
 * U+202A..U+202E, U+2066..U+2069; the separators U+2028, U+2029) becomes
 * one '?'.  Truncates on a character boundary.  Every message the library
 * puts in a rampart_error already went through it.  NULL src with len 0
 * gives "".  Thread-safe.
 */
RAMPART_API void rampart_sanitize(char *dst, size_t cap, const char *src, size_t len);

#ifdef __cplusplus
}
#endif
#endif /* RAMPART_ERROR_H */
