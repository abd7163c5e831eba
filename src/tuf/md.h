/*
 * md.h - the TUF metadata model: strict parsing of root, timestamp,
 * snapshot and targets metadata (with delegations and TAP 15 succinct hash
 * bins), and threshold signature verification.  No I/O: bytes in, verdicts
 * out.
 *
 * A tuf_md owns its parsed document.  Strings (rslice) point into that
 * document and live as long as the tuf_md.  Large collections (the targets
 * of a targets role, the meta entries of a snapshot) are not copied into
 * structs: they are validated in full at parse time and looked up on demand
 * in the document.
 *
 * Rules applied at parse time follow docs/security-matrix.md, P1-P10, and the
 * TUF specification §4 (section numbers are cited at each check).
 */
#ifndef RAMPART_TUF_MD_H
#define RAMPART_TUF_MD_H

#include "crypto/hash.h"
#include "crypto/key.h"
#include "util/jdoc.h"

typedef enum tuf_type {
    TUF_ROOT = 0,
    TUF_TIMESTAMP = 1,
    TUF_SNAPSHOT = 2,
    TUF_TARGETS = 3,
    TUF_TYPE_ANY = 4, /* parse argument only: accept whatever _type says */
} tuf_type;

/* "root", "timestamp", "snapshot", "targets". */
const char *tuf_type_name(tuf_type t);

/* TUF 4.5 ROLENAME: whether a delegated role may be named `name`.  0, or
 * EFORMAT with the reason in why[0..n) ("a delegated role may not be named
 * \"ROOT\": ..."): an empty name, a top-level role's name in any ASCII case,
 * or VERSION.ROLE ("2.root"), whose metadata file would be a top-level
 * role's versioned one.  Metadata parsing applies it to every delegation. */
int tuf_role_name_check(rslice name, char *why, size_t n) RAMPART_MUST_USE;

/* Versions above this are refused (P5): N + 1 can never overflow, and the
 * value survives a round trip through a double (JavaScript clients). */
#define TUF_VERSION_MAX ((int64_t)1 << 53)
/* Key and role counts above these are refused as unreasonable. */
#define TUF_MAX_KEYS 4096
#define TUF_MAX_ROLE_KEYIDS 4096
#define TUF_MAX_DELEGATED_ROLES 65536

/* One entry of "signatures". */
typedef struct tuf_sig {
    rslice keyid;
    rslice sig_hex; /* as received; decoded at verification time */
} tuf_sig;

/* One entry of a "keys" object (root keys or delegations keys). */
typedef struct tuf_key {
    rslice keyid;
    rslice keytype;
    rslice scheme;
    rslice pub;
    jd_ref obj;    /* the key object (for its canonical form) */
    rkey *key;     /* NULL when the keytype/scheme is not supported */
    int key_error; /* why key is NULL (RAMPART_EUNSUPPORTED) */
} tuf_key;

typedef struct tuf_keyset {
    size_t n;
    tuf_key *keys;
} tuf_keyset;

/* The keys and threshold that authorise one role. */
typedef struct tuf_role_auth {
    rslice name;
    size_t nkeyids;
    rslice *keyids;    /* unique */
    int64_t threshold; /* >= 1 */
} tuf_role_auth;

/* A delegation in a targets role's "delegations.roles". */
typedef struct tuf_delegation {
    tuf_role_auth auth; /* auth.name is the delegated role's name */
    bool terminating;
    jd_ref paths;              /* array of strings, or JD_NONE */
    jd_ref path_hash_prefixes; /* array of strings, or JD_NONE */
} tuf_delegation;

/* TAP 15 succinct hash-bin delegation ("delegations.succinct_roles"). */
typedef struct tuf_succinct {
    tuf_role_auth auth;  /* auth.name is empty */
    unsigned bit_length; /* 1..32 */
    rslice name_prefix;
} tuf_succinct;

/* A METAFILES entry (timestamp "snapshot.json", snapshot "<role>.json"). */
typedef struct tuf_metafile {
    int64_t version;
    int64_t length; /* -1 when absent */
    jd_ref hashes;  /* object alg -> hex, or JD_NONE when absent */
} tuf_metafile;

/* A TARGETS entry. */
typedef struct tuf_targetfile {
    rslice path;
    int64_t length;
    jd_ref hashes; /* non-empty object alg -> hex */
    jd_ref custom; /* object, or JD_NONE */
    jd_ref entry;  /* the whole target object */
} tuf_targetfile;

typedef struct tuf_md {
    jdoc *doc;
    tuf_type type;
    jd_ref signed_ref;
    int64_t version;
    int64_t expires;
    rslice spec_version;
    size_t nsigs;
    tuf_sig *sigs;
    rbuf canonical;        /* canonical bytes of "signed", computed on first use... */
    rslice canonical_view; /* ...or the raw bytes of "signed" when they are canonical already */
    bool have_canonical;

    /* root */
    bool consistent_snapshot;
    tuf_keyset keys;        /* root "keys", or targets "delegations.keys" */
    tuf_role_auth roles[4]; /* root: indexed by tuf_type */

    /* timestamp */
    tuf_metafile snapshot_meta;

    /* snapshot */
    jd_ref meta; /* object "<role>.json" -> metafile */

    /* targets */
    jd_ref targets; /* object path -> targetfile */
    bool has_delegations;
    size_t ndelegations;
    tuf_delegation *delegations;
    bool has_succinct;
    tuf_succinct succinct;
} tuf_md;

/* Parses `len` bytes as metadata of type `expect` (or TUF_TYPE_ANY).
 * When `owned`, the tuf_md takes ownership of `data` (rampart_malloc'ed),
 * also on failure.  `max_bytes` caps the input (ETOOLARGE).
 * Errors: EFORMAT (any rule of P1-P10; "_type" differing from `expect`),
 * ETOOLARGE, ENOMEM.  `role` names the role in error messages (may be NULL). */
int tuf_md_parse(tuf_md **out, const uint8_t *data, size_t len, bool owned, size_t max_bytes, tuf_type expect,
                 const char *role, rerr *e) RAMPART_MUST_USE;
void tuf_md_free(tuf_md *md);
static inline void tuf_md_free_p(tuf_md **md)
{
    tuf_md_free(*md);
}

/* The raw bytes the metadata was parsed from. */
rslice tuf_md_bytes(const tuf_md *md);
/* Canonical JSON of "signed" (the bytes signatures cover); computed once. */
int tuf_md_canonical(tuf_md *md, rslice *out) RAMPART_MUST_USE;

/* Finds a key by keyid in a keyset; NULL when absent. */
const tuf_key *tuf_keyset_find(const tuf_keyset *ks, rslice keyid);

/* V1-V4: verifies that `md` is signed by at least `auth->threshold`
 * distinct keys (counted by key material) among `auth->keyids`, using keys
 * from `ks`.  A signature that fails to verify, uses an unsupported key, or
 * comes from a key not listed for the role is ignored.
 * Returns 0, or EBADSIG with "threshold not met for 'ROLE' (n of m)".
 * `role` names the role in the message. */
int tuf_md_verify(tuf_md *md, const tuf_keyset *ks, const tuf_role_auth *auth, const char *role,
                  rerr *e) RAMPART_MUST_USE;

/* Verification status of one signature of `md` (for reports). */
typedef enum tuf_sig_status {
    TUF_SIG_VALID = 0,
    TUF_SIG_INVALID = 1,        /* the key is listed but the signature does not verify */
    TUF_SIG_UNKNOWN_KEY = 2,    /* keyid not in the key set */
    TUF_SIG_NOT_AUTHORIZED = 3, /* key exists but is not listed for the role */
    TUF_SIG_UNSUPPORTED = 4,    /* key type or scheme not supported */
    TUF_SIG_DUPLICATE_KEY = 5,  /* valid, but the same key material already counted */
} tuf_sig_status;
int tuf_md_sig_status(tuf_md *md, size_t i, const tuf_keyset *ks, const tuf_role_auth *auth,
                      tuf_sig_status *status) RAMPART_MUST_USE;

/* Root: the authorisation of a top-level role. */
static inline const tuf_role_auth *tuf_root_role(const tuf_md *root, tuf_type t)
{
    return &root->roles[t];
}

/* Timestamp/snapshot: the META entry for file `name` ("targets.json",
 * "role.json"); ENOTFOUND when absent.  (Entries were validated at parse.) */
int tuf_md_metafile(const tuf_md *md, rslice name, tuf_metafile *out) RAMPART_MUST_USE;

/* Targets: the entry for `path`; ENOTFOUND when absent. */
int tuf_md_target(const tuf_md *md, rslice path, tuf_targetfile *out) RAMPART_MUST_USE;

/* The hashes of a "hashes" object, decoded.  At most TUF_MAX_HASHES. */
#define TUF_MAX_HASHES 8
typedef struct tuf_hashlist {
    size_t n;
    struct {
        rhash_alg alg;
        uint8_t digest[RHASH_MAX_LEN];
    } h[TUF_MAX_HASHES];
} tuf_hashlist;
/* Decodes `hashes` (an object alg -> hex).  EUNSUPPORTED for an unknown
 * algorithm (an entry that cannot be checked is never skipped), EFORMAT for
 * an empty object, a non-hex value or a wrong digest length. */
int tuf_hashlist_parse(const tuf_md *md, jd_ref hashes, tuf_hashlist *out, const char *what, rerr *e) RAMPART_MUST_USE;

/* Checks `data` against a metafile's or targetfile's "length" (when >= 0)
 * and every hash in `hashes` (when not JD_NONE).  An unknown hash algorithm
 * is EUNSUPPORTED; a mismatch EMISMATCH. */
int tuf_check_hashes(const tuf_md *md, jd_ref hashes, int64_t length, const uint8_t *data, size_t len, const char *what,
                     rerr *e) RAMPART_MUST_USE;

#endif
