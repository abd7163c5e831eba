/*
 * rampart/metadata.h - inspect and verify single TUF metadata files.
 *
 * For operators signing by hand and for tools: parse a metadata file
 * strictly, look at its role, version, expiry, keys, roles and signatures,
 * get the exact canonical bytes its signatures cover, and verify it against
 * the keys of the role that delegates to it.  (Updating from a repository,
 * with rollback and freeze protection, is rampart/client.h.)
 *
 * Strings returned by the accessors below are NUL-terminated UTF-8 owned by
 * the rampart_metadata handle; they stay valid until rampart_metadata_free().
 * Names taken from metadata are untrusted: sanitise before printing.
 *
 * Thread safety: a rampart_metadata is used by one thread at a time, its
 * accessors included (they keep the strings they return in the handle);
 * rampart_metadata_signature and rampart_metadata_verify also use the
 * delegator's handle.  Different handles may be used in different threads
 * at once.  rampart_sig_status_name reads a constant table: any thread.
 */
#ifndef RAMPART_METADATA_H
#define RAMPART_METADATA_H

#include <stddef.h>

#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rampart_metadata rampart_metadata;

/** The four top-level TUF roles (delegated roles have type TARGETS). */
typedef enum rampart_role_type {
    RAMPART_ROLE_ROOT = 0,
    RAMPART_ROLE_TIMESTAMP = 1,
    RAMPART_ROLE_SNAPSHOT = 2,
    RAMPART_ROLE_TARGETS = 3
} rampart_role_type;

/** Largest metadata file rampart_metadata_load() accepts (64 MiB). */
#define RAMPART_METADATA_MAX_FILE ((size_t)64 * 1024 * 1024)

/**
 * Parses `len` bytes of TUF metadata of any role.  The bytes are copied.
 * Errors: RAMPART_EFORMAT (not valid metadata: see docs/errors.md),
 * RAMPART_ETOOLARGE (over RAMPART_METADATA_MAX_FILE), RAMPART_ENOMEM,
 * RAMPART_EINVAL (NULL out).  `err` (may be NULL) receives the detail.
 * On success *out is a new handle for rampart_metadata_free().
 */
RAMPART_API int rampart_metadata_parse(rampart_metadata **out, const void *data, size_t len,
                                       rampart_error *err) RAMPART_MUST_USE;

/**
 * Reads and parses the metadata file at `path` (at most
 * RAMPART_METADATA_MAX_FILE bytes).  Errors as rampart_metadata_parse(),
 * plus RAMPART_ENOTFOUND and RAMPART_EIO.
 */
RAMPART_API int rampart_metadata_load(rampart_metadata **out, const char *path, rampart_error *err) RAMPART_MUST_USE;

/** Frees a handle and every string it handed out.  NULL-safe. */
RAMPART_API void rampart_metadata_free(rampart_metadata *md);

/** Overview of a metadata file. */
typedef struct rampart_metadata_summary {
    rampart_role_type type;
    const char *type_name; /**< "root", "timestamp", "snapshot" or "targets" */
    long long version;
    long long expires;     /**< seconds since 1970-01-01T00:00:00Z */
    char expires_text[21]; /**< "YYYY-MM-DDTHH:MM:SSZ" */
    const char *spec_version;
    int consistent_snapshot; /**< root: 0 or 1; other roles: -1 */
    size_t signature_count;
    size_t key_count;    /**< root "keys", or targets "delegations.keys" */
    size_t role_count;   /**< root: 4 top-level roles; targets: delegated roles (1 for hash bins) */
    size_t target_count; /**< targets: entries in "targets" */
    size_t meta_count;   /**< timestamp/snapshot: entries in "meta" */
} rampart_metadata_summary;

/** Fills `out`.  Errors: RAMPART_EINVAL (NULL argument). */
RAMPART_API int rampart_metadata_summarize(const rampart_metadata *md, rampart_metadata_summary *out) RAMPART_MUST_USE;

/** A key listed in root "keys" or in targets "delegations.keys". */
typedef struct rampart_key_info {
    const char *keyid;
    const char *keytype;
    const char *scheme;
    const char *public_value; /**< keyval.public as written */
    int supported;            /**< 1 when librampart can verify this key's signatures */
} rampart_key_info;

/** The i-th key (0 <= i < key_count).  Errors: RAMPART_EINVAL, RAMPART_ENOMEM. */
RAMPART_API int rampart_metadata_key(rampart_metadata *md, size_t i, rampart_key_info *out) RAMPART_MUST_USE;

/** Length of a key fingerprint in hex digits (SHA-256). */
#define RAMPART_FINGERPRINT_HEX 64

/**
 * The fingerprint of the i-th key (0 <= i < key_count), computed from its
 * key material: the lower-case hex SHA-256 of the canonical JSON of the
 * public key, {"keytype","keyval":{"public"},"scheme"} (the key id TUF
 * defines for it), into `out` (RAMPART_FINGERPRINT_HEX + 1 bytes).  Key ids
 * are labels a file can put on any key: compare keys across files by
 * fingerprint.  *keyid_matches (may be NULL) is 1 when the file's key id
 * for the key is its fingerprint (or the SHA-256 of the key's whole
 * canonical object, for keys with extra members), 0 when the id names
 * other key material: a key swapped under another key's id.  Errors:
 * RAMPART_EINVAL, RAMPART_ENOMEM, RAMPART_ECRYPTO.
 */
RAMPART_API int rampart_metadata_key_fingerprint(rampart_metadata *md, size_t i, char *out,
                                                 int *keyid_matches) RAMPART_MUST_USE;

/** A role authorisation: a root role, a delegated role, or the hash bins. */
typedef struct rampart_role_info {
    const char *name; /**< for hash bins: the name prefix */
    long long threshold;
    size_t keyid_count;
    int terminating;     /**< delegated roles; 0 otherwise */
    int succinct;        /**< 1 for TAP 15 hash bins */
    unsigned bit_length; /**< hash bins: number of bins is 2^bit_length */
} rampart_role_info;

/** The i-th role (0 <= i < role_count): for root in the order root,
 *  timestamp, snapshot, targets.  Errors: RAMPART_EINVAL, RAMPART_ENOMEM. */
RAMPART_API int rampart_metadata_role(rampart_metadata *md, size_t i, rampart_role_info *out) RAMPART_MUST_USE;
/** The j-th keyid of the i-th role, or NULL when out of range. */
RAMPART_API const char *rampart_metadata_role_keyid(rampart_metadata *md, size_t i, size_t j) RAMPART_MUST_USE;

/** How one signature fares against the keys of a delegator. */
typedef enum rampart_sig_status {
    RAMPART_SIG_VALID = 0,          /**< verifies with a key authorised for the role */
    RAMPART_SIG_INVALID = 1,        /**< the key is known but the signature does not verify */
    RAMPART_SIG_UNKNOWN_KEY = 2,    /**< the delegator lists no key with this keyid */
    RAMPART_SIG_NOT_AUTHORIZED = 3, /**< verifies, but the key is not listed for the role */
    RAMPART_SIG_UNSUPPORTED = 4,    /**< key type or scheme not supported */
    RAMPART_SIG_DUPLICATE_KEY = 5   /**< valid, but the same key material was already counted */
} rampart_sig_status;

/** Name of a status: "valid", "invalid", "unknown key", ... (static). */
RAMPART_API const char *rampart_sig_status_name(rampart_sig_status s) RAMPART_MUST_USE;

typedef struct rampart_signature_info {
    const char *keyid;
    rampart_sig_status status;
} rampart_signature_info;

/**
 * The i-th signature of `md`, checked against the keys that `delegator`
 * gives role `role`: `delegator` is a root (then `role` may be NULL for the
 * role named by md's own type) or a targets file (then `role` names the
 * delegated role).  Pass `delegator` == `md` for a root checked against its
 * own keys.  Errors: RAMPART_EINVAL, RAMPART_ENOTFOUND (the delegator does
 * not delegate `role`), RAMPART_ENOMEM.
 */
RAMPART_API int rampart_metadata_signature(rampart_metadata *md, size_t i, rampart_metadata *delegator,
                                           const char *role, rampart_signature_info *out) RAMPART_MUST_USE;

/**
 * The canonical JSON bytes of "signed": exactly what the signatures cover.
 * *bytes is owned by `md` (not NUL-terminated; valid until free).
 * Errors: RAMPART_EINVAL, RAMPART_ENOMEM.
 */
RAMPART_API int rampart_metadata_canonical(rampart_metadata *md, const unsigned char **bytes,
                                           size_t *len) RAMPART_MUST_USE;

/**
 * Verifies that `md` is signed by a threshold of the keys `delegator`
 * authorises for `role` (see rampart_metadata_signature for how `delegator`
 * and `role` are read).  Also checks that md's type fits: a top-level role's
 * file must have that role's _type; a delegated role's file must be targets.
 * Expiry and versions are not judged here (they depend on trusted state).
 * Returns 0, RAMPART_EBADSIG ("signature threshold not met for 'ROLE' (n of m)"),
 * RAMPART_ENOTFOUND (role not delegated), RAMPART_EFORMAT (wrong _type),
 * RAMPART_EINVAL, RAMPART_ENOMEM.
 */
RAMPART_API int rampart_metadata_verify(rampart_metadata *md, rampart_metadata *delegator, const char *role,
                                        rampart_error *err) RAMPART_MUST_USE;

#ifdef __cplusplus
}
#endif
#endif /* RAMPART_METADATA_H */
