/*
 * repo_internal.h - the repository writer's state, shared by the src/repo files.
 *
 * On disk (docs/repo.md has the full picture):
 *   repo.json         configuration: expiry periods, hash algorithms, the
 *                     delegation tree (role -> delegator) and hash-bin sets
 *   .lock             flock()ed for the whole life of a handle
 *   staged/ROLE.json  the current metadata of root, targets and every
 *                     delegated role and bin, as JSON (rrepo_file_bytes), with
 *                     whatever signatures it has (one file per role, so an edit of
 *                     one bin reads and writes one small file)
 *   dirty/ROLE        "changed since the last publish" markers, written
 *                     (and synced) before the staged file they announce
 *   blobs/XX/SHA256   stored target contents, content-addressed
 *   roots/N.root.json every published root
 *   state/            the last published snapshot.json and timestamp.json,
 *                     and, during a publish, next-*.json and "pending";
 *                     kept/ROLE.json, the published version of a role
 *                     edited since (a hard link to the staged file as it
 *                     was), so public/ can be rebuilt before the edit is
 *                     published; served-copies, the mark of a repository
 *                     whose served targets are copies (see repo_serve.c)
 *   log/              the transparency log, when enabled (repo_log.c):
 *                     tile/ (every tile), checkpoint (the log's signed
 *                     head: written before any witness sees it, so the
 *                     log never forks), cosigned (the head with the
 *                     witnesses' cosignatures: what is served), witnesses
 *                     (a C2SP tlog-policy file)
 *   public/           what clients see: metadata/, targets/ and log/ (rebuilt
 *                     from the records above when missing or damaged)
 *
 * A role's version is bumped by its first edit after a publish: a role
 * is "changed" exactly when its staged version is above the version the
 * last published snapshot (for root: roots/) lists.
 */
#ifndef RAMPART_REPO_INTERNAL_H
#define RAMPART_REPO_INTERNAL_H

#include <jansson.h>
#include <time.h>

#include "keys/keys.h"
#include "rampart/repo.h"
#include "tuf/md.h"
#include "util/buf.h"

#define RREPO_CONFIG "repo.json"
#define RREPO_FORMAT "rampart-repo"
#define RREPO_SPEC_VERSION "1.0.31"
/* Largest metadata file the tooling reads back (the client's cap too). */
#define RREPO_MD_MAX ((size_t)64 * 1024 * 1024)
#define RREPO_NAME_MAX 64
#define RREPO_LOCK_TIMEOUT_MS 10000

typedef struct rrole {
    char *name;
    json_t *md;   /* {"signatures": [...], "signed": {...}} */
    bool changed; /* edited by this call; written by rrepo_commit */
    bool loaded;  /* read from staged/ (not made by this call) */
    bool bumped;  /* rrepo_touch moved it past its published version: the
                     staged file is the published one, kept in state/kept/
                     before it is replaced */
} rrole;

enum { RDIR_STAGED, RDIR_DIRTY, RDIR_BLOBS, RDIR_ROOTS, RDIR_STATE, RDIR_PUBLIC, RDIR_META, RDIR_TARGETS, RDIR_COUNT };

struct rampart_repo {
    char *dir;
    int dirfd;
    int lockfd;
    int fds[RDIR_COUNT];
    json_t *config;
    bool config_changed;
    rrole **roles;
    size_t nroles, caproles;
    json_t *published; /* the last published snapshot ("signed"), or NULL */
    bool published_loaded;
    rampart_signer **signers;
    size_t nsigners;
    long long fixed_now;
    int blobdirs[256];                    /* blobs/XX, opened on first use (-1 until then) */
    int keptfd;                           /* state/kept, opened on first use (-1 until then) */
    int logfd, publogfd;                  /* log/ and public/log, opened on first use (-1 until then) */
    rampart_witness_post_fn witness_post; /* rampart_repo_set_witness_post */
    void *witness_ctx;
    bool no_reflink;                             /* FICLONE failed once: the file system cannot share blocks */
    bool no_openat2;                             /* rfs_create_below unsupported: folders walked */
    signed char serve_mode;                      /* a served file created 0644: 1, less (umask): -1, unknown: 0 */
    void (*notice)(void *ctx, const char *line); /* rampart_repo_set_notice */
    void *notice_ctx;
    rampart_error err;
};

/* The folder blobs/XX for the first byte `b` of a digest (created on first
 * use, kept open).  EIO. */
int rrepo_blobdir(rampart_repo *r, unsigned b, int *fd) RAMPART_MUST_USE;

/* ---- repo.c: handle, configuration, roles ---- */

/* The current time (the fixed time when set). */
int64_t rrepo_now(rampart_repo *r);
/* The expiry period of `role` from the configuration. */
long long rrepo_period(rampart_repo *r, const char *role);
/* Kind of role. */
bool rrepo_is_toplevel(const char *name);
/* Checks a new role name (see rampart_repo_delegate).  EINVAL. */
int rrepo_check_name(rampart_repo *r, const char *name);
/* The delegator of `name` ("root" for top-level roles), and for a bin its
 * bin-set configuration object.  ENOTFOUND when no such role exists. */
int rrepo_delegator(rampart_repo *r, const char *name, const char **delegator, json_t **binset);
/* Loads (or finds in the cache) the staged metadata of `name`. ENOTFOUND. */
int rrepo_role(rampart_repo *r, const char *name, rrole **out) RAMPART_MUST_USE;
/* Adds a new role (version 1, unsigned) to the cache; written at commit. */
int rrepo_role_new(rampart_repo *r, const char *name, json_t *signed_part, rrole **out) RAMPART_MUST_USE;
/* Marks `ro` edited: next version when it was published, a fresh expiry
 * date, no signatures.  ENOMEM. */
int rrepo_touch(rampart_repo *r, rrole *ro) RAMPART_MUST_USE;
/* The version of `name` in the last publish (0: never). */
int64_t rrepo_published_version(rampart_repo *r, const char *name);
/* "signed" of a role (borrowed). */
json_t *rrepo_signed(const rrole *ro);
int64_t rrepo_version(const rrole *ro);
/* The "keys" object and the authorisation entry ("keyids", "threshold")
 * that the delegator gives `name` (borrowed references). */
int rrepo_auth(rampart_repo *r, const char *name, json_t **keys, json_t **auth) RAMPART_MUST_USE;
/* Writes everything edited: dirty markers, synced, then staged files and
 * the configuration, synced.  Drops the cache. */
int rrepo_commit(rampart_repo *r) RAMPART_MUST_USE;
/* Writes one edited role (marker first) and drops it from the cache
 * (bulk edits); `sync` syncs after each of the two steps. */
int rrepo_flush_role(rampart_repo *r, rrole *ro, bool sync) RAMPART_MUST_USE;
/* Drops the cache without writing. */
void rrepo_drop_cache(rampart_repo *r);
/* Sets an error on the handle and returns `code`. */
int rrepo_fail(rampart_repo *r, int code, const char *role, const char *fmt, ...) RAMPART_PRINTF(4, 5);
#ifdef __clang_analyzer__
/* For clang-tidy only: rrepo_fail returns `code`, which the analyser cannot
 * see (see rerr_set in util/common.h and docs/internals/static-analysis.md). */
#define rrepo_fail(r, code, ...) (rrepo_fail((r), (code), __VA_ARGS__), (code))
#endif
/* "YYYY-MM-DDTHH:MM:SSZ" of now + period into signed.expires. */
int rrepo_set_expires(rampart_repo *r, json_t *sgn, long long period) RAMPART_MUST_USE;
/* A new "signed" skeleton of `type`. */
json_t *rrepo_skeleton(rampart_repo *r, const char *type, long long period);
/* Reads and parses a JSON file below `dirfd`. */
int rrepo_read_json(rampart_repo *r, int dirfd, const char *name, json_t **out) RAMPART_MUST_USE;
/* Writes `v` as rrepo_file_bytes(): atomically with fsync, or without (bulk). */
int rrepo_write_json(rampart_repo *r, int dirfd, const char *name, const json_t *v, bool sync) RAMPART_MUST_USE;
/* The bin names of a bin set: prefix, bit_length, hex width. */
int rrepo_bin_name(const json_t *binset, uint32_t index, char *out, size_t cap);
uint32_t rrepo_bin_count(const json_t *binset);
/* The role a target path belongs to when added to `role` (its bin when
 * `role` delegates to hash bins).  `out` has RREPO_NAME_MAX + 16 bytes. */
int rrepo_route(rampart_repo *r, const char *role, const char *path, char *out, size_t cap) RAMPART_MUST_USE;
/* Makes `path` a public key list entry etc. */
json_t *rrepo_binset_of(rampart_repo *r, const char *delegator);

/* Marks every descriptor of a new handle as not open. */
void rrepo_reset_fds(rampart_repo *r);
/* Creates (for init) and opens the folders, and takes the lock. */
int rrepo_init_dirs(rampart_repo *r) RAMPART_MUST_USE;

/* ---- repo_init.c ---- */
/* Checks keys (at least one, no duplicates) against a threshold.  EINVAL. */
int rrepo_check_keys(rampart_repo *r, const char *what, const rampart_public_key *const *keys, size_t n,
                     unsigned threshold) RAMPART_MUST_USE;
/* Adds keys to `keyobj`; returns {"keyids","threshold"} (new reference) or NULL. */
json_t *rrepo_role_entry(json_t *keyobj, const rampart_public_key *const *keys, size_t n, unsigned threshold);
/* A succinct-bins "delegations" object and the configuration's bin set. */
int rrepo_bins_delegation(rampart_repo *r, const char *delegator, const char *prefix, unsigned bins,
                          const rampart_public_key *const *keys, size_t nkeys, unsigned threshold, json_t **del,
                          json_t **binset) RAMPART_MUST_USE;
/* Creates and writes (without sync) the empty bin roles of a bin set. */
int rrepo_make_bins(rampart_repo *r, json_t *binset) RAMPART_MUST_USE;

/* ---- repo_sign.c ---- */

/* Canonical bytes of a whole metadata file or of its "signed": what
 * signatures cover and what byte comparisons of content use. */
int rrepo_canonical(rampart_repo *r, const json_t *v, rbuf *out) RAMPART_MUST_USE;
/* The bytes metadata is written to disk and served in (rjson_file_form:
 * canonical, control characters escaped, so always valid JSON); hashes and
 * lengths of served files are over these. */
int rrepo_file_bytes(rampart_repo *r, const json_t *v, rbuf *out) RAMPART_MUST_USE;
/* Signs `ro` with signer `s` (replacing an older signature of its key). */
int rrepo_sign_role(rampart_repo *r, rrole *ro, rampart_signer *s) RAMPART_MUST_USE;
/* Signs `ro` with every added signer whose keyid is in `keyids` (a JSON
 * array; a second array may be NULL), unless it already signed. */
int rrepo_autosign(rampart_repo *r, rrole *ro, const json_t *keyids, const json_t *keyids2) RAMPART_MUST_USE;
/* Parses metadata JSON into a tuf_md (via its canonical bytes). */
int rrepo_parse(rampart_repo *r, const json_t *md, tuf_type type, const char *role, tuf_md **out) RAMPART_MUST_USE;
/* Counts valid signatures of `md` for `auth` (distinct keys). */
size_t rrepo_count_valid(tuf_md *md, const tuf_keyset *ks, const tuf_role_auth *auth);

/* The authorisation `del` (a root or targets md) gives `role`.  ENOTFOUND. */
int rrepo_find_auth(const tuf_md *del, const char *role, const tuf_role_auth **auth);
/* Parses the staged delegator of `role` (for root: root itself) and, for
 * a root not yet published, the last published root (*old_root, else NULL). */
int rrepo_delegator_md(rampart_repo *r, const char *role, tuf_md **del, tuf_md **old_root) RAMPART_MUST_USE;

/* ---- repo_deleg.c ---- */
/* A JSON array of the n strings (new reference), or NULL. */
json_t *rrepo_string_array(const char *const *v, size_t n);
/* Checks the paths or hash prefixes of a delegation (one kind, at least
 * one, well formed).  EINVAL. */
int rrepo_check_patterns(rampart_repo *r, const rampart_delegation_options *o) RAMPART_MUST_USE;
/* True when a role of delegator document `sgn` ("signed") lists `keyid`. */
bool rrepo_key_in_use(const json_t *sgn, const char *keyid);
/* Ends an edit that began with `saved` = a copy of the configuration:
 * commits when rc is 0, else puts the saved configuration back.  Takes
 * `saved`; returns the final code. */
int rrepo_finish_config_edit(rampart_repo *r, json_t *saved, int rc) RAMPART_MUST_USE;

/* ---- repo_prov.c ---- */
/* Checks attestation file `att` against the file `src` (an in-toto SLSA v1
 * statement naming its SHA-256) and gives the custom metadata of target
 * `tpath` (`custom` plus the binding, a new reference) and the
 * attestation's own target path (tpath + RAMPART_ATTESTATION_SUFFIX, to
 * free).  EPROVFORMAT, EPROVPREDICATE, EPROVSUBJECT, EFORMAT, ENOTFOUND,
 * ETOOLARGE, EIO, ENOMEM. */
int rrepo_prov_bind(rampart_repo *r, const char *src, const char *tpath, const char *att, const json_t *custom,
                    json_t **new_custom, char **att_tpath) RAMPART_MUST_USE;

/* ---- repo_serve.c: public/ ---- */
#define RREPO_SERVED_COPIES "served-copies"
/* Opens public/, public/metadata and public/targets, creating what is
 * missing (*created, may be NULL, says whether anything was).  EPATH, EIO. */
int rrepo_public_open(rampart_repo *r, bool *created) RAMPART_MUST_USE;
/* How closely a served target already there is checked. */
typedef enum rserve_check {
    RSERVE_SIZE,    /* a single-link regular file of the right length */
    RSERVE_CHANGED, /* and the right hashes, when it changed (ctime) since the last check */
    RSERVE_ALL,     /* and the right hashes, always; blobs copied are checked too */
} rserve_check;
/* Serves every target of `targets` (a role's "targets" object) as
 * public/targets/DIR/HASH.NAME for each of its hashes: a copy of the
 * stored blob (a reflink where the file system can share the blocks).  A
 * served file already there is checked as `mode` says (`since`: the time
 * of the last check, NULL: none) and replaced, with a notice, when it
 * fails.  *replaced and *written (may be NULL) count. */
int rrepo_serve_targets(rampart_repo *r, const char *role, const json_t *targets, rserve_check mode,
                        const struct timespec *since, size_t *replaced, size_t *written) RAMPART_MUST_USE;
/* The time served targets were last checked (from the mark
 * state/served-copies), less a second; false when there is none. */
bool rrepo_served_since(rampart_repo *r, struct timespec *since);
/* Records `start` (taken before a publish served anything) as that time. EIO. */
int rrepo_served_mark(rampart_repo *r, const struct timespec *start) RAMPART_MUST_USE;
/* Checks public/ against the records of the last publish (roots/, state/,
 * staged/, state/kept/, blobs/) and rewrites what is missing or differs,
 * with notices; `full` checks every served file and hash, otherwise only
 * that every served metadata file is there and the small top-level ones
 * are exact (a failed quick check turns into a full one).  *fixed (may be
 * NULL) gets the number of files written.  EIO, ENOTFOUND (a record is
 * missing), EFORMAT (a record is damaged), ENOMEM. */
int rrepo_repair(rampart_repo *r, bool full, size_t *fixed) RAMPART_MUST_USE;
/* The bytes (in `bytes`, initialised here; free them) and the document
 * (*md, new reference) of the published version `v` of role `name`: its
 * staged file when not edited since, else its kept copy.  ENOTFOUND. */
int rrepo_published_role(rampart_repo *r, const char *name, int64_t v, rbuf *bytes, json_t **md) RAMPART_MUST_USE;
/* Links staged/FNAME into state/kept/ (see rrole.bumped).  EIO. */
int rrepo_keep_published(rampart_repo *r, const char *fname) RAMPART_MUST_USE;
/* Forgets the kept copy of role `name` (published again).  EIO. */
int rrepo_drop_kept(rampart_repo *r, const char *name) RAMPART_MUST_USE;
/* Passes a notice line to the handle's notice callback, if any. */
void rrepo_notice(rampart_repo *r, const char *fmt, ...) RAMPART_PRINTF(2, 3);

/* ---- repo_store.c: target contents under blobs/ ---- */
/* Files up to this size are read in one piece; larger ones are streamed. */
#define RSTORE_SMALL ((size_t)4 << 20)
typedef struct rstore_digest {
    uint8_t sha256[RHASH_MAX_LEN]; /* 32 bytes used */
    uint8_t sha512[RHASH_MAX_LEN]; /* only when the repository lists sha512 */
    uint64_t len;
} rstore_digest;
/* Stores the regular file `name` in folder `dirfd` (opened O_NOFOLLOW;
 * `path` is its name for messages and, for a large file, for streaming)
 * as blobs/XX/SHA256 without syncing (the caller syncs the batch), and
 * gives its digests and length.  `buf` (max RSTORE_SMALL + 1) is scratch
 * space reused across calls.  ENOTFOUND, EPATH (not a regular file),
 * ECRYPTO, EIO, ENOMEM. */
int rrepo_store(rampart_repo *r, int dirfd, const char *name, const char *path, bool sha512, rbuf *buf,
                rstore_digest *out) RAMPART_MUST_USE;

/* ---- repo_publish.c ---- */
/* Signs a snapshot/timestamp document with the added keys of its role in
 * `root` and checks the threshold.  EBADSIG. */
int rrepo_pub_sign_online(rampart_repo *r, json_t *md, tuf_md *root, tuf_type type) RAMPART_MUST_USE;
/* The next version of the published snapshot/timestamp (state/FILE), with
 * a fresh expiry date, unsigned; version 1 when none was published. */
int rrepo_pub_next_signed(rampart_repo *r, const char *file, const char *type, json_t **out) RAMPART_MUST_USE;
/* The next timestamp, describing snapshot document `snap`. */
int rrepo_pub_make_timestamp(rampart_repo *r, const json_t *snap, json_t **out) RAMPART_MUST_USE;
/* Carries out (again) the publish plan in state/pending.json; *count (may
 * be NULL) gets the number of metadata files it lists. */
int rrepo_pub_finish(rampart_repo *r, size_t *count) RAMPART_MUST_USE;
/* Publishes exactly the changed roles `roles` (staged, with their markers),
 * signing them with the added keys, then a new snapshot and timestamp;
 * other changed roles stay staged.  The caller made the quick repair and
 * finished any pending publish.  EBADSIG, EIO, ENOMEM. */
int rrepo_publish_roles(rampart_repo *r, const char *const *roles, size_t n,
                        rampart_publish_result *res) RAMPART_MUST_USE;
/* Builds with RAMPART_CRASHPOINTS only: exits the process at crash point `n` when
 * RAMPART_TEST_CRASH_AFTER=n (see docs/repo.md). */
void rrepo_crash_point(int n);

#endif
