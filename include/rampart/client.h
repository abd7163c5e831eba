/*
 * rampart/client.h - the TUF client: refresh trusted metadata from a
 * repository, find targets, download and verify them.
 *
 * A client works on a metadata folder that holds the trusted metadata of
 * one repository (root.json, timestamp.json, ...; exact bytes as received,
 * each written atomically when it verifies).  The folder must first be
 * initialised with a root obtained out of band (rampart_client_bootstrap).
 *
 * Typical use (compiled by tests/api/check_examples.py):
 *
 *     rampart_client_options o = RAMPART_CLIENT_OPTIONS_INIT;
 *     const char *mirrors[] = {"https://updates.example.com/metadata/"};
 *     const char *tmirrors[] = {"https://updates.example.com/targets/"};
 *     rampart_error err;
 *     rampart_client *c = NULL;
 *     rampart_target *t = NULL;
 *     char *path = NULL;
 *     o.metadata_dir = "/var/lib/app/tuf";
 *     o.metadata_urls = mirrors;  o.metadata_url_count = 1;
 *     o.target_urls = tmirrors;   o.target_url_count = 1;
 *     if (rampart_client_new(&c, &o, &err) != 0) {
 *         fprintf(stderr, "%s\n", err.message);
 *         return 1;
 *     }
 *     int rc = rampart_client_get_target_info(c, "app-1.1.0.tar.gz", &t);   // refreshes first
 *     if (rc == 0)
 *         rc = rampart_client_download_target(c, t, "/var/cache/app", &path);
 *     if (rc != 0)
 *         fprintf(stderr, "%s\n", rampart_client_last_error(c)->message);
 *     rampart_string_free(path);
 *     rampart_target_free(t);
 *     rampart_client_free(c);
 *     return rc == 0 ? 0 : 1;
 *
 * Every function that can fail returns 0 or a negative RAMPART_E* code and
 * records the detail, read with rampart_client_last_error().
 *
 * Thread safety: a rampart_client is used by one thread at a time (calls on
 * one handle must not overlap; handing it to another thread in between is
 * fine); different clients may work in different threads at once.  Clients
 * that share a metadata folder, in one process or several, take turns:
 * rampart_client_refresh and rampart_client_get_target_info hold the
 * folder's lock (waiting up to lock_timeout_ms, then RAMPART_ELOCKED), and
 * so does rampart_client_bootstrap, which has no handle and may run in any
 * thread.  A rampart_target never changes once made and does not depend on
 * its client: its accessors may be called from any number of threads at
 * once; free it once, when no thread uses it.  The log and clock callbacks
 * run on the thread that called into the client, and so does the progress
 * callback.  A rampart_target_iter belongs to the thread that uses it, like
 * its client, and stays valid after the client is freed.  Downloading a large
 * target (8 MiB or more) hashes and writes it on a second thread, started
 * and joined within the call.
 *
 * Global initialisation: a client's first network access calls
 * curl_global_init(CURL_GLOBAL_DEFAULT); librampart never calls
 * curl_global_cleanup.  curl_global_init is thread-safe in libcurl 7.84 and
 * later when built thread-safe (CURL_VERSION_THREADSAFE); with another
 * libcurl, an application that starts clients in several threads calls
 * curl_global_init(CURL_GLOBAL_DEFAULT) itself, once, before starting them.
 * libcurl is told not to use signals.
 */
#ifndef RAMPART_CLIENT_H
#define RAMPART_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rampart_client rampart_client;
typedef struct rampart_target rampart_target;

/** Log levels for the optional log callback. */
enum rampart_log_level { RAMPART_LOG_DEBUG = 0, RAMPART_LOG_INFO = 1, RAMPART_LOG_WARN = 2 };

/** Log callback: `msg` is one sanitised line without a newline. */
typedef void (*rampart_log_fn)(void *ctx, int level, const char *msg);

/** Clock override (tests, or a trusted time source): seconds since the epoch, UTC. */
typedef long long (*rampart_clock_fn)(void *ctx);

/** What a progress report is about. */
enum rampart_progress_kind { RAMPART_PROGRESS_METADATA = 0, RAMPART_PROGRESS_TARGET = 1 };

/**
 * Progress callback: `name` is the metadata file ("timestamp.json") or the
 * target path (untrusted text: sanitise before printing), `done` the bytes
 * of it received so far (for a resumed target download, counting the bytes
 * kept from before), `total` its trusted length, or 0 when no trusted
 * length is known (timestamp, root, or metadata whose parent states none).
 * Called once with done 0 before each request and then as bytes arrive.
 * Returning non-zero cancels: the call in progress returns
 * RAMPART_ECANCELED, no other mirror or retry is tried, and no temporary
 * file remains (a target's bytes received so far are kept for a later
 * resumed download; see rampart_client_download_target).
 */
typedef int (*rampart_progress_fn)(void *ctx, int kind, const char *name, uint64_t done, uint64_t total);

/** Version 1: the fields up to log_ctx; version 2 adds those from progress
 *  to retry_max_ms; version 3 the transparency log's (from log_policy).
 *  All three are accepted; the fields an older version lacks are then 0. */
#define RAMPART_CLIENT_OPTIONS_VERSION 3

/** The default maximum age of a log checkpoint's newest cosignature: 7 days. */
#define RAMPART_LOG_MAX_AGE_DEFAULT 604800

/**
 * Client options.  Start from RAMPART_CLIENT_OPTIONS_INIT and set what you
 * need; 0 / NULL always means "the documented default".  Strings and arrays
 * are copied by rampart_client_new().
 */
typedef struct rampart_client_options {
    unsigned version; /**< RAMPART_CLIENT_OPTIONS_VERSION */

    const char *metadata_dir;         /**< required: folder of trusted metadata (created 0700 if missing) */
    const char *const *metadata_urls; /**< metadata mirrors, tried in order; each a base URL */
    size_t metadata_url_count;
    const char *const *target_urls; /**< target mirrors, tried in order */
    size_t target_url_count;

    /* Byte caps for metadata whose length the parent role does not state. */
    size_t max_root_bytes;       /**< default 512000 */
    size_t max_timestamp_bytes;  /**< default 16384 */
    size_t max_snapshot_bytes;   /**< default 2000000 */
    size_t max_targets_bytes;    /**< default 5000000 (targets and delegated roles) */
    unsigned max_root_rotations; /**< new root versions accepted per refresh; default 256 */
    unsigned max_delegations;    /**< roles visited per target search; default 32 */

    /* Network. */
    long connect_timeout_ms;   /**< default 10000 */
    long stall_timeout_ms;     /**< abort when fewer than min_bytes_per_sec arrive over this window; default 30000 */
    long min_bytes_per_sec;    /**< default 1024 */
    long request_timeout_ms;   /**< total deadline of one request; default 600000; -1 = none */
    const char *ca_file;       /**< CA bundle (PEM) instead of the system store */
    const char *ca_path;       /**< CA folder instead of the system store */
    const char *pinned_pubkey; /**< libcurl pin: "sha256//BASE64[;sha256//...]" or a PEM/DER file */
    int allow_insecure_http;   /**< 1: allow http:// to non-loopback hosts (TUF still verifies
                                    everything, but transport privacy is lost); default 0 */
    unsigned lock_timeout_ms;  /**< wait this long for the folder lock; default 10000 */
    int sync_targets;          /**< 1: fsync each downloaded target (and its folder) before
                                    download_target returns, so the file survives a power
                                    loss; default 0: the file appears atomically and complete
                                    for every process, but a power loss soon after may leave it
                                    empty or torn -- which find_cached_target and
                                    download_target detect by its hashes before any reuse.
                                    Trusted metadata is always written durably. */

    rampart_clock_fn clock; /**< default: the system clock (clock_gettime) */
    void *clock_ctx;
    rampart_log_fn log; /**< default: no logging */
    void *log_ctx;

    /* ---- since version 2 ---- */
    rampart_progress_fn progress; /**< default: none */
    void *progress_ctx;
    /** Extra request headers, each "Name: value" (e.g. "Authorization: Bearer ..."
     *  for a private repository), sent with every request to the host (scheme,
     *  host and port) of the URL asked for, and never after a redirect to another
     *  host.  A header without ':' or with CR/LF is RAMPART_EINVAL. */
    const char *const *headers;
    size_t header_count;
    const char *user_agent_suffix; /**< appended to "rampart/VERSION " in User-Agent */
    /** Proxy.  NULL: libcurl's environment behaviour (http_proxy, https_proxy,
     *  all_proxy and no_proxy, the first two also in upper case except
     *  HTTP_PROXY); "": no proxy at all, whatever the environment; else a proxy
     *  URL ("http://proxy:3128", "socks5h://..."). */
    const char *proxy;
    const char *no_proxy; /**< hosts never proxied ("localhost,.internal"); NULL: environment */
    /** Further attempts on the same mirror after a transient network failure
     *  (RAMPART_ENET: connection refused or reset, HTTP 5xx; RAMPART_ECONNTIMEOUT),
     *  never after a security failure, a "not found", a slow or overlong
     *  transfer, or a cancellation; default 0. */
    unsigned max_retries;
    /** Backoff before retry n (1, 2, ...): retry_base_ms * 2^(n-1), at most
     *  retry_max_ms; defaults 500 and 8000. */
    unsigned retry_base_ms;
    unsigned retry_max_ms;

    /* ---- since version 3 ---- */
    /** Witness policy (C2SP tlog-policy text, `log_policy_len` bytes, copied):
     *  every target must then be an entry of a checkpoint the policy accepts
     *  (docs/transparency.md, "What the endpoint checks").  NULL: the policy
     *  stored in metadata_dir by rampart_client_set_log_policy, if any; with
     *  neither, targets are not checked against a log. */
    const void *log_policy;
    size_t log_policy_len;
    /** Anti-freeze: the newest cosignature of the log's checkpoint must be at
     *  most this many seconds older than the reference time, else
     *  RAMPART_ESTALE; 0: RAMPART_LOG_MAX_AGE_DEFAULT (7 days); negative is
     *  RAMPART_EINVAL. */
    long long log_max_age;
    /** 1: verify each target's inclusion from the C2SP tlog-proof served
     *  beside it ("<target URL>.tlog-proof") instead of fetching the log's
     *  checkpoint and tiles (for endpoints that cannot reach the log); the
     *  stored checkpoint is then neither updated nor proven consistent.
     *  Default 0. */
    int log_offline;
} rampart_client_options;

#define RAMPART_CLIENT_OPTIONS_INIT                                                                                    \
    {                                                                                                                  \
        .version = RAMPART_CLIENT_OPTIONS_VERSION                                                                      \
    }

/**
 * Initialises `metadata_dir` (created 0700 if missing) with a trusted root
 * obtained out of band: the bytes are parsed, must be root metadata signed
 * by a threshold of its own root keys, and are written atomically as
 * root.json.  Refuses to overwrite an existing root.json unless `replace`.
 * No network access.  Errors: RAMPART_EFORMAT, RAMPART_EBADSIG,
 * RAMPART_EEXIST, RAMPART_EIO, RAMPART_EPATH, RAMPART_ENOMEM, RAMPART_EINVAL.
 */
RAMPART_API int rampart_client_bootstrap(const char *metadata_dir, const void *root, size_t len, int replace,
                                         rampart_error *err) RAMPART_MUST_USE;

/**
 * Stores a witness policy (C2SP tlog-policy text, `len` bytes) in
 * `metadata_dir` (created 0700 if missing), atomically, as "tlog-policy"
 * beside the trusted root: every client of the folder then refuses
 * targets that are not logged (docs/transparency.md), unless its options
 * carry a policy of their own.  Replaces a stored policy.  No network
 * access.  Errors: RAMPART_EFORMAT, RAMPART_ETOOLARGE, RAMPART_EUNSUPPORTED
 * (the policy), RAMPART_EIO, RAMPART_EPATH, RAMPART_ELOCKED,
 * RAMPART_ENOMEM, RAMPART_EINVAL.
 */
RAMPART_API int rampart_client_set_log_policy(const char *metadata_dir, const void *policy, size_t len,
                                              rampart_error *err) RAMPART_MUST_USE;

/**
 * Creates a client.  Does no I/O beyond checking the options.
 * Errors: RAMPART_EINVAL (missing metadata_dir, unknown options version, a
 * URL that is not http(s), an http:// URL to a non-loopback host without
 * allow_insecure_http), RAMPART_ENOMEM.  `err` may be NULL.
 */
RAMPART_API int rampart_client_new(rampart_client **out, const rampart_client_options *opts,
                                   rampart_error *err) RAMPART_MUST_USE;

/** Frees a client and everything it owns (targets from it stay valid). NULL-safe. */
RAMPART_API void rampart_client_free(rampart_client *c);

/**
 * Runs the TUF client workflow (specification §5.1-§5.6): loads the trusted
 * root, follows root rotations, then updates timestamp, snapshot and
 * top-level targets, verifying and persisting each.  On failure the folder
 * keeps every file that did verify (e.g. a newer root) and nothing else.
 * Errors: any security code (RAMPART_EBADSIG, RAMPART_EEXPIRED,
 * RAMPART_EROLLBACK, RAMPART_EMISMATCH, RAMPART_ETOOLARGE,
 * RAMPART_EUNSUPPORTED, RAMPART_EFORMAT), network codes (RAMPART_ENET,
 * RAMPART_ENOTFOUND, RAMPART_ECONNTIMEOUT, RAMPART_ESLOW, RAMPART_ETIMEOUT,
 * RAMPART_ETLS, RAMPART_EINSECURE), RAMPART_ELOCKED, RAMPART_EIO, RAMPART_ENOMEM.
 */
RAMPART_API int rampart_client_refresh(rampart_client *c) RAMPART_MUST_USE;

/** What one refresh did to a top-level role. */
typedef struct rampart_role_status {
    long long version_before; /**< trusted version before the refresh; 0 when there was none */
    long long version;        /**< trusted version now; 0 when unknown (refresh failed before it) */
    long long expires;        /**< expiry of the trusted version, seconds since the epoch */
    int updated;              /**< 1 when a new version was verified and written */
} rampart_role_status;

/** Status of a top-level role ("root", "timestamp", "snapshot", "targets")
 *  after the last refresh.  Errors: RAMPART_EINVAL. */
RAMPART_API int rampart_client_role_status(const rampart_client *c, const char *role,
                                           rampart_role_status *out) RAMPART_MUST_USE;

/**
 * Finds trusted information about target `path` (§5.6.7: pre-order
 * depth-first search of the delegations), refreshing first if this client
 * has not refreshed yet.  On success *out is a new rampart_target (free with
 * rampart_target_free), independent of the client.
 * With a witness policy (options log_policy, or rampart_client_set_log_policy)
 * the target is handed out only after its entry in the transparency log
 * verified (docs/transparency.md, "What the endpoint checks"): the log's
 * checkpoint, fetched once per client and verified against the policy;
 * consistency with the checkpoint stored in the folder; the entry rebuilt
 * from the verified metadata and its inclusion at custom.rampart_log.index.
 * Errors: RAMPART_ENOTFOUND (no role lists it), refresh errors, and those of
 * loading a delegated role on the search path; with a policy also
 * RAMPART_ENOTLOGGED (no custom.rampart_log, or the entry is not in the
 * log), RAMPART_ENOQUORUM (the checkpoint is not signed by a policy log and
 * cosigned by its quorum), RAMPART_ESTALE (newest cosignature older than
 * log_max_age), RAMPART_ESPLITVIEW (the log is not an extension of the
 * stored checkpoint; evidence written as tlog/split-view-*.txt in the
 * metadata folder), and network codes for the log's files.
 */
RAMPART_API int rampart_client_get_target_info(rampart_client *c, const char *path,
                                               rampart_target **out) RAMPART_MUST_USE;

/**
 * Looks for a verified copy of `t` in `target_dir` (where
 * rampart_client_download_target puts it: the target path below the folder).
 * Returns 0 and a new path string (free with rampart_string_free) when the
 * file exists with the right length and every hash; RAMPART_ENOTFOUND when it
 * does not or does not match; RAMPART_EPATH when the target path is unsafe.
 */
RAMPART_API int rampart_client_find_cached_target(rampart_client *c, const rampart_target *t, const char *target_dir,
                                                  char **path_out) RAMPART_MUST_USE;

/**
 * Downloads `t` from the target mirrors into `target_dir`, at the target path
 * below it (sub-folders created; the path is confined to the folder: no "..",
 * no absolute names, no symlinked folders).  Bytes are hashed as they arrive
 * into a hidden temporary file that is renamed into place only after the
 * length and every listed hash match; a failed download leaves the folder as
 * it was.  A verified cached copy is reused without network access.
 * `path_out` may be NULL; else it receives the final path (free with
 * rampart_string_free).
 *
 * Resuming: when a transfer fails part-way (a network error, a
 * cancellation), the bytes received so far are kept in the metadata folder,
 * as "partial/<sha256 of the target's path and hashes>.part" (a name no
 * target or metadata file can have), never longer than the target's trusted
 * length.  The next download of the same target asks the mirror for the
 * rest with an HTTP Range request; the kept bytes and the new ones are then
 * hashed together, so the file is still verified over all its bytes before
 * it is renamed into place.  A mirror that ignores the range (200 instead of
 * 206, or another range) sends the whole file, which is taken from the
 * start; a resumed file that does not verify is thrown away and the target
 * downloaded again in full, once.  Nothing of a partial file is ever
 * trusted before the whole target verifies.
 *
 * Errors: RAMPART_EMISMATCH, RAMPART_ETOOLARGE, RAMPART_EUNSUPPORTED
 * (unknown hash algorithm), RAMPART_EPATH, network codes, RAMPART_ECANCELED
 * (the progress callback asked to stop), RAMPART_EIO, RAMPART_ENOMEM.
 */
RAMPART_API int rampart_client_download_target(rampart_client *c, const rampart_target *t, const char *target_dir,
                                               char **path_out) RAMPART_MUST_USE;

typedef struct rampart_target_iter rampart_target_iter;

/**
 * Lists the trusted targets whose path starts with `prefix` (NULL or "":
 * all), refreshing first if this client has not refreshed yet.  Every role
 * reachable from the top-level targets role through delegations (at most
 * max_delegations of them, each listed in the snapshot) is loaded and
 * verified, and a target is listed only when the search of
 * rampart_client_get_target_info for its path would return that very entry
 * (§5.6.7: the first role in pre-order that lists it, within the paths every
 * delegation on the way allows, stopping at terminating delegations).  Each
 * path appears once; targets come sorted by path (bytewise).  The targets
 * of TAP 15 succinct hash bins are not listed (their roles are not walked:
 * one fetch per bin); a warning through the log callback says so, and
 * rampart_client_get_target_info still finds them by path.  The iterator
 * is independent of the client afterwards.  With a witness policy, every
 * listed target is checked against the log as by
 * rampart_client_get_target_info, and one that fails fails the listing
 * with that code.  Errors: refresh errors, those of loading a delegated
 * role, the log codes, RAMPART_ENOMEM, RAMPART_EINVAL.
 */
RAMPART_API int rampart_target_iter_new(rampart_target_iter **out, rampart_client *c,
                                        const char *prefix) RAMPART_MUST_USE;
/** Number of targets the iterator holds in all. */
RAMPART_API size_t rampart_target_iter_count(const rampart_target_iter *it) RAMPART_MUST_USE;
/**
 * The next target: 0 and *out a new rampart_target (free with
 * rampart_target_free); RAMPART_ENOTFOUND after the last one (*out
 * untouched); RAMPART_EINVAL; RAMPART_ENOMEM.
 */
RAMPART_API int rampart_target_iter_next(rampart_target_iter *it, rampart_target **out) RAMPART_MUST_USE;
/** Frees an iterator.  NULL-safe. */
RAMPART_API void rampart_target_iter_free(rampart_target_iter *it);

/** Detail of the last error on this client (code 0 when the last call succeeded). */
RAMPART_API const rampart_error *rampart_client_last_error(const rampart_client *c) RAMPART_MUST_USE;

/** The target path (NUL-terminated UTF-8, untrusted text). */
RAMPART_API const char *rampart_target_path(const rampart_target *t) RAMPART_MUST_USE;
/** The trusted length in bytes. */
RAMPART_API uint64_t rampart_target_length(const rampart_target *t) RAMPART_MUST_USE;
/** Number of hashes, and the i-th as algorithm name and lower-case hex (owned by `t`). */
RAMPART_API size_t rampart_target_hash_count(const rampart_target *t) RAMPART_MUST_USE;
RAMPART_API int rampart_target_hash(const rampart_target *t, size_t i, const char **alg,
                                    const char **hex) RAMPART_MUST_USE;
/** The target's "custom" object as compact JSON with its keys sorted, or NULL when it has none
 *  (owned by `t`).  Control characters in strings, "\u0000" included, are escaped, so the text is
 *  valid JSON and its C string holds all of it. */
RAMPART_API const char *rampart_target_custom(const rampart_target *t) RAMPART_MUST_USE;
/** The name of the role that listed the target (owned by `t`). */
RAMPART_API const char *rampart_target_role(const rampart_target *t) RAMPART_MUST_USE;
/** Frees a target.  NULL-safe. */
RAMPART_API void rampart_target_free(rampart_target *t);

/** Frees a string returned by librampart.  NULL-safe. */
RAMPART_API void rampart_string_free(char *s);

/**
 * One HTTP POST of `len` bytes of `body` to `url`, for the witness requests
 * of a repository publish: pass it to rampart_repo_set_witness_post (its
 * type is rampart_witness_post_fn; `ctx` is unused).  https, or http to a
 * loopback host only; no redirects; 5 s to connect, 20 s in all.  Writes
 * the HTTP status to *status and the answer (at most `cap` bytes) to
 * `resp`, its length to *resp_len.  Errors: RAMPART_EINVAL (another scheme,
 * plain http to another host, NULL arguments), RAMPART_ENET (no answer),
 * RAMPART_ETOOLARGE (an answer over `cap`), RAMPART_ENOMEM,
 * RAMPART_EINTERNAL.  Thread safety: any thread.
 */
RAMPART_API int rampart_witness_post_http(void *ctx, const char *url, const void *body, size_t len, int *status,
                                          void *resp, size_t cap, size_t *resp_len) RAMPART_MUST_USE;

#ifdef __cplusplus
}
#endif
#endif /* RAMPART_CLIENT_H */
