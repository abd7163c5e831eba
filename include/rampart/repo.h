/*
 * rampart/repo.h - run a TUF repository: keys, roles, thresholds, targets,
 * delegations, succinct hash bins (TAP 15), signing (with an offline root),
 * rotation, and crash-safe publishing of static files that any TUF client
 * accepts.
 *
 * A repository is a folder (layout in docs/repo.md): the working state
 * (configuration, the metadata being edited, stored target contents) and
 * `public/`, the folder a static web server serves as it is
 * (`public/metadata/`, `public/targets/`).
 *
 *     rampart_repo *r;
 *     if (rampart_repo_open(&r, "/srv/tuf", &err) != 0) ...   // takes the repository lock
 *     int rc = rampart_repo_add_signer(r, targets_key);       // rampart/signer.h
 *     if (rc == 0) rc = rampart_repo_add_signer(r, snapshot_key);
 *     if (rc == 0) rc = rampart_repo_add_signer(r, timestamp_key);
 *     if (rc == 0) rc = rampart_repo_add_target(r, "dist/app-1.2.tar.gz", "app-1.2.tar.gz", NULL);
 *     if (rc == 0) rc = rampart_repo_publish(r, NULL);
 *     if (rc != 0) fprintf(stderr, "%s\n", rampart_repo_last_error(r)->message);
 *     rampart_repo_free(r);
 *
 * Every edit is made in memory and written only when the whole call
 * succeeded, so a call that fails on bad input (a duplicate target, an
 * unsafe path, a threshold above the key count, a signer the role does not
 * list, ...) leaves the folder exactly as it was.  Metadata versions and
 * expiry dates are kept automatically: the first edit of a role after a
 * publish gives it the next version and a fresh expiry date.
 *
 * Errors: every function returns 0 or a negative RAMPART_E* code; the
 * detail is read with rampart_repo_last_error().
 *
 * Thread safety: a rampart_repo is used by one thread at a time.  It holds
 * the repository's lock for its whole life, so a folder has at most one
 * open handle across all threads and processes (another rampart_repo_open
 * waits up to 10 s, then RAMPART_ELOCKED); handles on different folders may
 * be used in different threads at once.  The signers a handle borrows are
 * used by the thread calling it (see rampart/signer.h).  Callbacks (warn,
 * role_fn, fn) run on the calling thread, within the call.
 * rampart_metadata_sign_file has no handle: any thread, one file at a time.
 */
#ifndef RAMPART_REPO_H
#define RAMPART_REPO_H

#include <stddef.h>

#include "error.h"
#include "metadata.h"
#include "signer.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rampart_repo rampart_repo;

/** Default expiry periods, in seconds (docs/repo.md explains the choice). */
#define RAMPART_REPO_ROOT_EXPIRES (365LL * 86400)
#define RAMPART_REPO_TARGETS_EXPIRES (90LL * 86400)
#define RAMPART_REPO_SNAPSHOT_EXPIRES (7LL * 86400)
#define RAMPART_REPO_TIMESTAMP_EXPIRES (1LL * 86400)
/** Most hash bins a delegation may have (2^16). */
#define RAMPART_REPO_MAX_BINS 65536u

/** The keys of one role: public keys (borrowed), a threshold, an expiry period. */
typedef struct rampart_role_keys {
    const rampart_public_key *const *keys;
    size_t key_count;
    unsigned threshold;        /**< 0: 1 */
    long long expires_seconds; /**< 0: the role's default period */
} rampart_role_keys;

#define RAMPART_REPO_INIT_OPTIONS_VERSION 1

typedef struct rampart_repo_init_options {
    unsigned version;       /**< RAMPART_REPO_INIT_OPTIONS_VERSION */
    const char *dir;        /**< the repository folder: created, or empty */
    rampart_role_keys root; /**< required: at least one key each */
    rampart_role_keys targets;
    rampart_role_keys snapshot;
    rampart_role_keys timestamp;
    long long delegated_expires_seconds; /**< delegated roles and bins; 0: targets' period */
    int sha512;                          /**< 1: targets also get a sha512 hash */
    unsigned bins;                       /**< 0, or a power of two 2..RAMPART_REPO_MAX_BINS: targets
                                              delegates to succinct hash bins (TAP 15) */
    const char *bins_prefix;             /**< bin role name prefix; NULL: "bins" */
    rampart_role_keys bins_keys;         /**< keys of the bins; none given: the targets keys */
    long long now;                       /**< the current time for expiry dates (as rampart_repo_set_time);
                                              0: the system clock */
} rampart_repo_init_options;

#define RAMPART_REPO_INIT_OPTIONS_INIT                                                                                 \
    {                                                                                                                  \
        .version = RAMPART_REPO_INIT_OPTIONS_VERSION                                                                   \
    }

/**
 * Creates a repository in o->dir (which must not exist or be empty): root
 * version 1 with the four top-level roles, an empty targets role (and the
 * bins), all unsigned and waiting for the first publish.  On success *out
 * is an open handle (as rampart_repo_open), and `warnings` (may be NULL)
 * receives each warning line (e.g. a root with a single key) through
 * `warn(ctx, line)`.  Errors: RAMPART_EINVAL (a role without keys, a
 * threshold larger than the number of keys, bins not a power of two),
 * RAMPART_EEXIST (the folder is not empty), RAMPART_EIO, RAMPART_ENOMEM.
 */
RAMPART_API int rampart_repo_init(rampart_repo **out, const rampart_repo_init_options *o,
                                  void (*warn)(void *ctx, const char *line), void *ctx,
                                  rampart_error *err) RAMPART_MUST_USE;

/**
 * Opens repository `dir` and takes its lock (waiting up to 10 s; another
 * rampart process holding it gives RAMPART_ELOCKED).  Errors: RAMPART_ENOTFOUND
 * (not a repository), RAMPART_EFORMAT (bad configuration), RAMPART_ELOCKED,
 * RAMPART_EIO, RAMPART_ENOMEM.
 */
RAMPART_API int rampart_repo_open(rampart_repo **out, const char *dir, rampart_error *err) RAMPART_MUST_USE;

/** Releases the lock and frees the handle (not the signers).  NULL-safe. */
RAMPART_API void rampart_repo_free(rampart_repo *r);

/** Detail of the last error on this handle. */
RAMPART_API const rampart_error *rampart_repo_last_error(const rampart_repo *r) RAMPART_MUST_USE;

/** Uses `now` (seconds since the epoch) as the current time; 0 restores the system clock.
 *  For tests and for signing ahead of time. */
RAMPART_API void rampart_repo_set_time(rampart_repo *r, long long now);

/**
 * Makes `s` (borrowed: it must outlive `r`) available for signing: sign,
 * publish and refresh sign every role that lists its key.  RAMPART_EINVAL.
 */
RAMPART_API int rampart_repo_add_signer(rampart_repo *r, rampart_signer *s) RAMPART_MUST_USE;

/* Version 2 added `provenance`; version 1 structures are still accepted. */
#define RAMPART_TARGET_OPTIONS_VERSION 2

typedef struct rampart_target_options {
    unsigned version;        /**< RAMPART_TARGET_OPTIONS_VERSION */
    const char *role;        /**< the role that lists the target; NULL: "targets".  A role that
                                  delegates to hash bins places each target in its bin. */
    const char *custom_json; /**< a JSON object stored as the target's "custom"; NULL: none */
    int replace;             /**< 1: an existing target of the same path is replaced */
    const char *provenance;  /**< (version 2) an attestation file (DSSE envelope, rampart/provenance.h)
                                  for the one file added: published as target PATH.intoto.jsonl and
                                  bound to it in its custom metadata; NULL: none */
} rampart_target_options;

#define RAMPART_TARGET_OPTIONS_INIT                                                                                    \
    {                                                                                                                  \
        .version = RAMPART_TARGET_OPTIONS_VERSION                                                                      \
    }

/**
 * Adds the file `source` as target `target_path`, or every regular file
 * below folder `source` as target_path/RELATIVE (target_path NULL: the
 * file's base name, or the relative paths alone).  Records the length,
 * sha256 (and sha512 when configured) and custom data, and keeps a copy of
 * the bytes for publishing.  Symlinks are not followed.  With
 * o->provenance, the attestation file is published as a target of its own,
 * TARGET_PATH + RAMPART_ATTESTATION_SUFFIX, and the file's custom metadata
 * gets {"rampart": {"provenance": {"path", "hashes": {"sha256"}, "length"}}}
 * (merged into custom_json), so TUF's signatures cover the binding; the
 * attestation must be an in-toto SLSA v1 statement naming the file's
 * digest (its signatures are the builder's, judged by clients' policies,
 * docs/provenance.md).  Errors:
 * RAMPART_EPATH (a target path that is absolute or holds "..", "." or
 * empty components), RAMPART_EEXIST (the target exists and !replace, or
 * twice in one call), RAMPART_ENOTFOUND (no such source or role),
 * RAMPART_EFORMAT (custom_json not a JSON object, or one whose "rampart"
 * member is not an object), RAMPART_EINVAL (a role that delegates to other
 * roles; provenance for a folder), RAMPART_EPROVFORMAT / RAMPART_EPROVPREDICATE
 * (not an in-toto SLSA v1 attestation), RAMPART_EPROVSUBJECT (the
 * attestation is about other files), RAMPART_EIO, RAMPART_ENOMEM.
 */
RAMPART_API int rampart_repo_add_target(rampart_repo *r, const char *source, const char *target_path,
                                        const rampart_target_options *o) RAMPART_MUST_USE;

/**
 * Removes target `target_path` from role `role` (NULL: "targets", or its
 * bin).  Its stored contents and published files are kept (published
 * files may still be referenced by older snapshots).  Errors:
 * RAMPART_ENOTFOUND, RAMPART_EPATH, RAMPART_EIO, RAMPART_ENOMEM.
 */
RAMPART_API int rampart_repo_remove_target(rampart_repo *r, const char *target_path, const char *role) RAMPART_MUST_USE;

/** One target, for rampart_repo_list_targets(). Strings are valid during the call only. */
typedef struct rampart_repo_target {
    const char *role;
    const char *path;
    unsigned long long length;
    const char *sha256;      /**< lower-case hex */
    const char *custom_json; /**< compact JSON (canonical, control characters escaped), or NULL */
} rampart_repo_target;

/**
 * Calls fn(ctx, t) for every target of `role` (NULL: every role, in
 * delegation order).  A non-zero return from fn stops the walk and is
 * returned.  Errors: RAMPART_ENOTFOUND, RAMPART_EIO, RAMPART_ENOMEM.
 */
RAMPART_API int rampart_repo_list_targets(rampart_repo *r, const char *role,
                                          int (*fn)(void *ctx, const rampart_repo_target *t),
                                          void *ctx) RAMPART_MUST_USE;

#define RAMPART_DELEGATION_OPTIONS_VERSION 1

typedef struct rampart_delegation_options {
    unsigned version;      /**< RAMPART_DELEGATION_OPTIONS_VERSION */
    const char *delegator; /**< NULL: "targets" */
    const char *name;      /**< the new role; for bins, the name prefix (NULL: "bins") */
    const rampart_public_key *const *keys;
    size_t key_count;
    unsigned threshold;       /**< 0: 1 */
    const char *const *paths; /**< glob patterns ... */
    size_t path_count;
    const char *const *path_hash_prefixes; /**< ... or hex prefixes of SHA-256(path); not both */
    size_t prefix_count;
    int terminating;
    unsigned bins; /**< > 0: succinct hash bins instead of one role */
} rampart_delegation_options;

#define RAMPART_DELEGATION_OPTIONS_INIT                                                                                \
    {                                                                                                                  \
        .version = RAMPART_DELEGATION_OPTIONS_VERSION                                                                  \
    }

/**
 * Delegates from o->delegator to a new targets role (or to 2^k hash bins
 * when o->bins > 0).  Role names are 1-64 characters of [A-Za-z0-9._-],
 * not starting with '.', and not a top-level role's.  A role delegates
 * either to named roles or to hash bins, never both.  Errors: RAMPART_EINVAL
 * (no keys, threshold above the key count, a bad name, both paths and
 * prefixes, bins not a power of two, mixing bins and roles, a delegator
 * with targets of its own when adding bins), RAMPART_EEXIST (the role
 * exists), RAMPART_ENOTFOUND (no such delegator), RAMPART_EIO, RAMPART_ENOMEM.
 */
RAMPART_API int rampart_repo_delegate(rampart_repo *r, const rampart_delegation_options *o) RAMPART_MUST_USE;

#define RAMPART_DELEGATION_EDIT_VERSION 1

/** Changes to a delegation; what is left at its _INIT value stays as it is. */
typedef struct rampart_delegation_edit {
    unsigned version;                      /**< RAMPART_DELEGATION_EDIT_VERSION */
    const char *name;                      /**< the delegated role (a named role, not hash bins) */
    const rampart_public_key *const *keys; /**< key_count > 0: the role's new keys, replacing the old ones */
    size_t key_count;
    unsigned threshold;       /**< > 0: the new threshold */
    const char *const *paths; /**< path_count > 0: the new glob patterns ... */
    size_t path_count;
    const char *const *path_hash_prefixes; /**< ... or prefix_count > 0: the new hex prefixes; not both */
    size_t prefix_count;
    int terminating; /**< 1 or 0: set it; -1: unchanged */
} rampart_delegation_edit;

#define RAMPART_DELEGATION_EDIT_INIT                                                                                   \
    {                                                                                                                  \
        .version = RAMPART_DELEGATION_EDIT_VERSION, .terminating = -1                                                  \
    }

/**
 * Changes the delegation to role o->name in its delegator, which gets a new
 * version (to be signed by the delegator's keys).  New keys or a new
 * threshold also give the role a new version, to be signed by its (new)
 * keys.  New paths must still cover every target of the role and of the
 * roles below it: otherwise RAMPART_EINVAL, naming the first target left
 * outside.  Errors: RAMPART_EINVAL (nothing to change, a threshold above
 * the key count, paths and prefixes both, hash bins, a top-level role),
 * RAMPART_ENOTFOUND (no such role), RAMPART_EIO, RAMPART_ENOMEM.
 */
RAMPART_API int rampart_repo_edit_delegation(rampart_repo *r, const rampart_delegation_edit *o) RAMPART_MUST_USE;

/**
 * Removes the delegation to `name` (a named role, or the name prefix of a
 * set of hash bins) from its delegator, which gets a new version; the
 * role's staged metadata (every bin's) is deleted, and with it the targets
 * it listed.  A role that delegates further is refused (remove those
 * delegations first).  Files already published stay served.  Published
 * snapshots go on listing the role with its last version (clients refuse a
 * snapshot that drops a role, TUF 5.5.5), and a role delegated again under
 * the same name continues from that version.  Errors: RAMPART_EINVAL (a
 * role that delegates, a top-level role), RAMPART_ENOTFOUND (no such role),
 * RAMPART_EIO, RAMPART_ENOMEM.
 */
RAMPART_API int rampart_repo_remove_delegation(rampart_repo *r, const char *name) RAMPART_MUST_USE;

#define RAMPART_ROTATE_OPTIONS_VERSION 1

typedef struct rampart_rotate_options {
    unsigned version; /**< RAMPART_ROTATE_OPTIONS_VERSION */
    const char *role; /**< a top-level role, a delegated role, or a bin prefix */
    const rampart_public_key *const *add;
    size_t add_count;
    const char *const *remove_keyids; /**< keys to revoke */
    size_t remove_count;
    unsigned threshold;        /**< 0: unchanged */
    long long expires_seconds; /**< > 0: the role's expiry period (top-level roles only); 0: unchanged */
} rampart_rotate_options;

#define RAMPART_ROTATE_OPTIONS_INIT                                                                                    \
    {                                                                                                                  \
        .version = RAMPART_ROTATE_OPTIONS_VERSION                                                                      \
    }

/**
 * Replaces or revokes keys of a role, or changes its threshold: edits the
 * role's delegator (root for top-level roles, giving root version N+1 that
 * must be signed by the thresholds of both root N and root N+1), and marks
 * the role for re-signing by its new keys.  An expiry period (o->expires_seconds)
 * is a setting of the repository, not content of root: it applies from the
 * role's next signing (snapshot, timestamp: the next publish or refresh)
 * and needs no root signature, except root's own period, which gives a new
 * root version expiring after it.  Errors: RAMPART_EINVAL (nothing to do,
 * the threshold above the remaining key count, a key added twice, a
 * negative period or one for a delegated role), RAMPART_ENOTFOUND (no such
 * role or keyid), RAMPART_EIO, RAMPART_ENOMEM.
 */
RAMPART_API int rampart_repo_rotate(rampart_repo *r, const rampart_rotate_options *o) RAMPART_MUST_USE;

/**
 * Signs the staged (unpublished) version of `role` with every added signer.
 * Each signer must be listed for the role (for root: by root N or N+1):
 * otherwise RAMPART_EINVAL and nothing is signed.  Metadata that lists a
 * key under a key id that is not the key's (TUF 4.2: the SHA-256 of the
 * key) is never signed, by this or any signing function: RAMPART_EMISMATCH.
 * Errors: RAMPART_EINVAL, RAMPART_EMISMATCH, RAMPART_ENOTFOUND,
 * RAMPART_EIO, RAMPART_ENOMEM, and the signer's codes.
 */
RAMPART_API int rampart_repo_sign(rampart_repo *r, const char *role) RAMPART_MUST_USE;

/**
 * For review before signing (rampart/metadata.h): *staged gets the staged
 * metadata of `role` and *trusted the version of it that clients trust now,
 * the last published one (for root: the root every client holds), or NULL
 * when none was published.  Both are new handles (rampart_metadata_free).
 * Compare their keys by fingerprint (rampart_metadata_key_fingerprint):
 * key ids are labels.  Errors: RAMPART_ENOTFOUND, RAMPART_EINVAL (snapshot
 * and timestamp are made by publish), RAMPART_EFORMAT, RAMPART_EIO,
 * RAMPART_ENOMEM.
 */
RAMPART_API int rampart_repo_review(rampart_repo *r, const char *role, rampart_metadata **staged,
                                    rampart_metadata **trusted) RAMPART_MUST_USE;

/**
 * Writes the staged metadata of `role` (with the signatures it has so far)
 * to the new file `path` (refusing to overwrite), for signing elsewhere with
 * `rampart metadata sign` (the offline root workflow).  Errors:
 * RAMPART_ENOTFOUND, RAMPART_EEXIST, RAMPART_EIO, RAMPART_ENOMEM.
 */
RAMPART_API int rampart_repo_export(rampart_repo *r, const char *role, const char *path) RAMPART_MUST_USE;

/**
 * Imports the signatures of metadata file `path` into the staged metadata
 * of `role` (NULL: the file's _type, "root" or "targets"): its "signed"
 * must be exactly the staged one (same
 * canonical bytes), and every imported signature must verify with a key
 * listed for the role.  *imported (may be NULL) gets the count of new
 * signatures.  Errors: RAMPART_EMISMATCH (another version or content),
 * RAMPART_EBADSIG (a signature that does not verify), RAMPART_EINVAL (a
 * key the role does not list), RAMPART_EFORMAT, RAMPART_ENOTFOUND,
 * RAMPART_EIO, RAMPART_ENOMEM.
 */
RAMPART_API int rampart_repo_import_signatures(rampart_repo *r, const char *role, const char *path,
                                               size_t *imported) RAMPART_MUST_USE;

#define RAMPART_PUBLISH_OPTIONS_VERSION 1

typedef struct rampart_publish_result {
    size_t roles_published; /**< metadata files written, snapshot and timestamp included; 0: nothing to do */
    long long snapshot_version;
    long long timestamp_version;
    unsigned long long log_entries; /**< entries this publish appended to the transparency log */
    unsigned long long log_size;    /**< the log's size after the publish (0: no log) */
} rampart_publish_result;

/**
 * Publishes every role changed since the last publish, signing with the
 * added signers where the role lists them, then a new snapshot and
 * timestamp.  Nothing is written unless every role meets its threshold (a
 * new root: the thresholds of both the old and the new root).  Files go to
 * public/ in an order that never shows a client a half-published state:
 * target files, delegated metadata, targets, root, snapshot, and
 * timestamp.json last, each atomically; an interrupted publish is finished
 * by the next call.  Target files are copies; one already there is
 * checked against its hashes when it was written to (ctime) since the last
 * publish checked it, and replaced when it differs.  First it makes rampart_repo_repair()'s quick
 * check (a missing or damaged public/ is rebuilt).  With nothing changed
 * and nothing to repair it writes nothing (idempotent).
 * `res` may be NULL.  Errors: RAMPART_EBADSIG (missing signatures: the
 * message names the role and the count), RAMPART_EIO, RAMPART_ENOMEM.
 */
RAMPART_API int rampart_repo_publish(rampart_repo *r, rampart_publish_result *res) RAMPART_MUST_USE;

/**
 * Checks public/ against the repository's records of the last publish and
 * rewrites whatever is missing or differs: every served metadata version a
 * client may fetch (each root, the snapshot and timestamp, each role the
 * snapshot lists) and every served target, checked against its hashes.
 * Target files are served as copies of the stored ones (reflinks where the
 * file system shares blocks), never as hard links.  With `full` == 0 only
 * a quick check is made (every served metadata file is there, and
 * timestamp, snapshot and root.json are exact), turning into the full one
 * when it fails; publish and refresh make this quick check first, so a
 * deleted or emptied public/ is rebuilt by them.  Each damaged file
 * replaced is reported through the notice callback
 * (rampart_repo_set_notice).  *repaired (may be NULL) gets the number of
 * files written.  Errors: RAMPART_ENOTFOUND (a record the repository needs
 * is missing), RAMPART_EFORMAT (a record is damaged, e.g. a stored target
 * that no longer matches its hashes), RAMPART_EPATH, RAMPART_EIO,
 * RAMPART_ENOMEM.
 */
RAMPART_API int rampart_repo_repair(rampart_repo *r, int full, size_t *repaired) RAMPART_MUST_USE;

/**
 * Sets a callback that receives one line for each notable thing a call
 * did besides its purpose, e.g. a damaged served file it replaced (see
 * rampart_repo_repair).  `fn` NULL: none (the default).
 */
RAMPART_API void rampart_repo_set_notice(rampart_repo *r, void (*fn)(void *ctx, const char *line), void *ctx);

/* ---- transparency log (docs/transparency.md, docs/repo.md) ---- */

/**
 * Enables the repository's transparency log: from the next publish, every
 * target added or changed gets a log entry, its "rampart_log" position in
 * its custom metadata, and a tlog-proof file; the checkpoint, signed by
 * the log key, and the tiles are served in public/log/.  `origin` is the
 * log's name (the checkpoint origin and the note key name, e.g.
 * "example.com/updates/log"); `key` is an Ed25519 public key whose private
 * key is given to publish like the timestamp key (rampart_repo_add_signer).
 * Errors: RAMPART_EINVAL (an invalid origin, another key type, a log
 * already enabled), RAMPART_EIO, RAMPART_ENOMEM.
 */
RAMPART_API int rampart_repo_log_init(rampart_repo *r, const char *origin,
                                      const rampart_public_key *key) RAMPART_MUST_USE;

/**
 * Adds (`add` non-zero) or removes a log key.  Every configured log key
 * signs each new checkpoint, so a rotation adds the new key, lets endpoints
 * move their policies to it, then removes the old one.  Errors:
 * RAMPART_EINVAL (another key type; adding a key already there; removing
 * an unknown or the last key), RAMPART_ENOTFOUND (no log), RAMPART_EIO.
 */
RAMPART_API int rampart_repo_log_key(rampart_repo *r, const rampart_public_key *key, int add) RAMPART_MUST_USE;

/**
 * The log's verifier keys (C2SP signed-note vkeys, "origin+hexid+base64"),
 * one per line, for endpoints' witness policies; *out is freed with
 * rampart_string_free.  Errors: RAMPART_ENOTFOUND (no log), RAMPART_ENOMEM.
 */
RAMPART_API int rampart_repo_log_vkeys(rampart_repo *r, char **out) RAMPART_MUST_USE;

/**
 * Sets the witnesses publish asks for cosignatures: a C2SP tlog-policy
 * file (`len` bytes) whose "witness" lines carry the witnesses' URLs (the
 * add-checkpoint endpoint is URL + "/add-checkpoint") and whose "quorum"
 * the cosignatures must meet; `len` 0 removes the witnesses.  Errors:
 * RAMPART_EFORMAT (not a valid policy, a witness without URL),
 * RAMPART_ENOTFOUND (no log), RAMPART_EIO.
 */
RAMPART_API int rampart_repo_log_set_witnesses(rampart_repo *r, const void *policy, size_t len) RAMPART_MUST_USE;

/**
 * Posts `len` bytes of `body` to `url` (HTTP POST), for the witness
 * requests of a publish: writes the status to *status and at most `cap`
 * bytes of the response body to `resp` (the length to *resp_len); returns 0
 * when a response came, or a negative code (RAMPART_ENET) when none did.
 */
typedef int (*rampart_witness_post_fn)(void *ctx, const char *url, const void *body, size_t len, int *status,
                                       void *resp, size_t cap, size_t *resp_len);

/** Sets the HTTP transport of witness requests (none: a publish with
 *  witnesses fails with RAMPART_ENOQUORUM). */
RAMPART_API void rampart_repo_set_witness_post(rampart_repo *r, rampart_witness_post_fn fn, void *ctx);

/**
 * Re-signs and publishes a new timestamp ("timestamp"), or a new snapshot
 * and timestamp ("snapshot"), with fresh expiry dates and unchanged
 * contents, using the added online keys.  Safe from cron: it takes the
 * repository lock.  A new timestamp is never signed over a snapshot that
 * expires before it: RAMPART_EEXPIRED, and nothing is written (renew the
 * snapshot too, or use rampart_repo_renew).  Errors: RAMPART_EINVAL
 * (another role, or nothing published yet), RAMPART_EEXPIRED,
 * RAMPART_EBADSIG (no key to sign with), RAMPART_EIO.
 */
RAMPART_API int rampart_repo_refresh(rampart_repo *r, const char *role, rampart_publish_result *res) RAMPART_MUST_USE;

/**
 * The default renewal window: a role is renewed when less than this
 * percentage of its expiry period is left (the timestamp, 1 day: with
 * under 12 hours left; the snapshot, 7 days: under 3.5 days).
 */
#define RAMPART_REPO_RENEW_PERCENT 50u

#define RAMPART_RENEW_OPTIONS_VERSION 1

typedef struct rampart_renew_options {
    unsigned version;        /**< RAMPART_RENEW_OPTIONS_VERSION */
    unsigned window_percent; /**< 1..100: renew a role with less than this percentage of its
                                  expiry period left; 0: RAMPART_REPO_RENEW_PERCENT */
} rampart_renew_options;

#define RAMPART_RENEW_OPTIONS_INIT                                                                                     \
    {                                                                                                                  \
        .version = RAMPART_RENEW_OPTIONS_VERSION                                                                       \
    }

typedef struct rampart_renew_result {
    size_t roles_renewed;       /**< targets, delegated roles and bins re-signed */
    int snapshot_renewed;       /**< 1: a new snapshot was published */
    int timestamp_renewed;      /**< 1: a new timestamp was published; 0: nothing was due */
    long long snapshot_version; /**< the new versions, when renewed */
    long long timestamp_version;
} rampart_renew_result;

/**
 * Renews every role inside its renewal window (o->window_percent) that the
 * added signers can sign, and publishes: for cron or a systemd timer, as
 * often as every hour; a call with nothing due writes nothing.
 *  - targets, delegated roles and bins whose keys (a threshold of them)
 *    were added get a new version with a fresh expiry date and unchanged
 *    contents, and are published with a new snapshot and timestamp.  A role
 *    with unpublished changes, or whose delegator has some, is left alone
 *    (a notice says so): renewing would publish them.  Roles whose keys
 *    were not added are not read (rampart_repo_status warns about them).
 *  - the snapshot, when inside its window, or when a new timestamp would
 *    outlive it; then a new timestamp too.
 *  - the timestamp, when inside its window.
 * A timestamp is never signed over a snapshot that expires before it
 * (RAMPART_EEXPIRED).  A snapshot that is due while no snapshot key was
 * added fails with RAMPART_EBADSIG, after the timestamp was renewed if
 * that was allowed.  First it finishes an interrupted publish and makes
 * rampart_repo_repair()'s quick check.  Takes the repository lock like
 * every call.  `o` NULL: the defaults; `res` (may be NULL) is written on
 * success.  Errors: RAMPART_EINVAL (bad options, nothing published yet),
 * RAMPART_EEXPIRED, RAMPART_EBADSIG, RAMPART_EFORMAT, RAMPART_EIO,
 * RAMPART_ENOMEM, the signers' codes.
 */
RAMPART_API int rampart_repo_renew(rampart_repo *r, const rampart_renew_options *o,
                                   rampart_renew_result *res) RAMPART_MUST_USE;

/** A role's state, for rampart_repo_status(). Strings are valid during the call only. */
typedef struct rampart_repo_role_status {
    const char *name;            /**< for bins: "PREFIX-*" */
    size_t count;                /**< 1, or the number of bins */
    long long version;           /**< staged version (for bins: the highest) */
    long long published_version; /**< 0: never published */
    long long expires;           /**< staged expiry (for bins: the earliest) */
    int changed;                 /**< 1: changed since the last publish */
    size_t key_count;
    long long threshold;
    size_t signatures; /**< valid signatures on the staged version (bins: the fewest) */
    int severity;      /**< what rampart_repo_status() found: RAMPART_REPO_FINE, _WARNING or _ERROR */
} rampart_repo_role_status;

/** Severities of a role's state (rampart_repo_role_status.severity). */
#define RAMPART_REPO_FINE 0
/** Expiring within warn_days, threshold 1 on root or targets, changes
 *  waiting for signatures, snapshot or timestamp not published yet. */
#define RAMPART_REPO_WARNING 1
/** Expired, a threshold that can never be met, or a published version
 *  without its threshold of valid signatures: clients refuse it. */
#define RAMPART_REPO_ERROR 2

/**
 * Reports each role through role_fn and each warning line through warn_fn
 * (either may be NULL): expired, expiring within `warn_days` (at most half
 * the role's period), threshold 1 on root or targets, a threshold above the
 * key count, changes waiting for signatures, a published version without
 * its signatures, an interrupted publish.  Each role's severity
 * (RAMPART_REPO_FINE, _WARNING, _ERROR) sums up its warnings; a warning
 * line of no role (an interrupted publish) is a warning.  Bins are
 * summarised in one entry.  Errors: RAMPART_EIO, RAMPART_ENOMEM.
 */
RAMPART_API int rampart_repo_status(rampart_repo *r, unsigned warn_days,
                                    void (*role_fn)(void *ctx, const rampart_repo_role_status *s),
                                    void (*warn_fn)(void *ctx, const char *line), void *ctx) RAMPART_MUST_USE;

/**
 * Signs a single metadata file: adds (or replaces) the signature of `s`
 * over the canonical bytes of its "signed", and writes the result to
 * `out_path` (NULL: replace `in_path`), atomically.  The metadata must
 * parse strictly (any role), and every key id must match its key
 * (RAMPART_EMISMATCH otherwise, as for rampart_repo_sign).  For offline
 * signing of an exported root.  Errors: RAMPART_EFORMAT, RAMPART_EMISMATCH,
 * RAMPART_ENOTFOUND, RAMPART_EIO, RAMPART_ENOMEM, the signer's codes.
 */
RAMPART_API int rampart_metadata_sign_file(const char *in_path, const char *out_path, rampart_signer *s,
                                           rampart_error *err) RAMPART_MUST_USE;

#ifdef __cplusplus
}
#endif
#endif /* RAMPART_REPO_H */
