/*
 * client_internal.h - the state of a rampart_client, shared by the files
 * that implement it: client.c (options, handles), refresh.c (§5.1-§5.6),
 * search.c (§5.6.7), download.c (§5.7).
 */
#ifndef RAMPART_CLIENT_INTERNAL_H
#define RAMPART_CLIENT_INTERNAL_H

#include "client/store.h"
#include "client/transport.h"
#include "rampart/client.h"
#include "tuf/trusted.h"

struct rampart_client {
    char *metadata_dir;
    char **murls;
    size_t nmurls;
    char **turls;
    size_t nturls;
    size_t max_root, max_timestamp, max_snapshot, max_targets;
    unsigned max_root_rotations, max_delegations, lock_timeout_ms;
    bool sync_targets; /* fsync each downloaded target (options.sync_targets) */
    rfetch_opts fetch;
    rampart_clock_fn clock;
    void *clock_ctx;
    rampart_log_fn log;
    void *log_ctx;
    rampart_progress_fn progress;
    void *progress_ctx;
    unsigned max_retries, retry_base_ms, retry_max_ms;
    char **headers; /* copies of options.headers (fetch.headers points here) */
    size_t nheaders;

    /* Transparency log (options version 3; tlog_check.c). */
    uint8_t *log_policy; /* a copy of options.log_policy, or NULL: the folder's */
    size_t log_policy_len;
    int64_t log_max_age;       /* seconds */
    bool log_offline;          /* the tlog-proof beside each target instead of tiles */
    struct rclient_tlog *tlog; /* the session's policy, checkpoint and tile reader */
    uint64_t tlog_tiles;       /* tiles fetched from the log by this client */
    uint64_t tlog_bytes;       /* and their bytes */

    const struct rampart_prov_policy *policy; /* provenance policy (borrowed), or NULL */
    rtransport *tp;                           /* created on first use (tests may install their own) */
    tuf_trusted *trusted;                     /* after a successful refresh */
    bool refreshed;
    rampart_role_status status[4];
    rampart_error err;
};

/* Lists every trusted target under a prefix (iter.c). */
struct rampart_target_iter {
    rampart_target **t;
    size_t n, next;
};

struct rampart_target {
    char *path;
    char *role;
    uint64_t length;
    size_t nhashes;
    char *alg[8];
    char *hex[8];
    char *custom;    /* JSON (jdoc_json: canonical order, control characters escaped) or NULL */
    bool consistent; /* root's consistent_snapshot when the target was found */
};

/* Logging through the application's callback (no-op without one). */
void rclient_log(rampart_client *c, int level, const char *fmt, ...) RAMPART_PRINTF(3, 4);
/* The transport, created on first use. */
int rclient_transport(rampart_client *c, rtransport **out) RAMPART_MUST_USE;
/* Installs a transport (tests); the client takes ownership. */
void rclient_set_transport(rampart_client *c, rtransport *tp);
/* T0: the reference time of an update (§5.1). */
int rclient_now(rampart_client *c, int64_t *out) RAMPART_MUST_USE;

/* Fetches `name` below each base URL in turn (metadata or target mirrors),
 * at most `cap` bytes each (`exact`: the parent role states this length),
 * passing each complete body to `accept` until one
 * accepts it.  `accept` takes ownership of the bytes.  The error returned
 * when every mirror fails is the most telling one: a security failure beats
 * a network failure; ENOTFOUND is returned only when no mirror had anything
 * else to say.  *some_notfound (may be NULL) tells whether any mirror
 * answered "not found". */
typedef int (*raccept_fn)(void *ctx, uint8_t *data, size_t len, rerr *e);
int rclient_fetch_metadata(rampart_client *c, const char *name, uint64_t cap, bool exact, raccept_fn accept, void *ctx,
                           bool *some_notfound, rerr *e) RAMPART_MUST_USE;
/* Largest stated length reserved up front (larger ones grow as data arrives). */
#define RCLIENT_MAX_PRESIZE ((uint64_t)256 << 20)

/* Progress of one transfer, wrapped around the sink that stores the bytes:
 * reports to the application's progress callback and turns a non-zero
 * answer into RAMPART_ECANCELED (recorded in `e`). */
typedef struct rprogress {
    rampart_client *c;
    int kind; /* enum rampart_progress_kind */
    const char *name;
    uint64_t done, total;
    const rsink *inner;
    rerr *e;
    const uint64_t *count; /* when set, `done` is read from here (bytes kept from before included) */
} rprogress;
/* Reports pg's state now: 0, or ECANCELED. */
int rclient_progress_report(rprogress *pg) RAMPART_MUST_USE;
/* An rsink over `pg` (which must outlive it): write counts and reports,
 * tick reports, begin and offset pass through to pg->inner. */
rsink rclient_progress_sink(rprogress *pg);
/* True (after waiting the backoff) when attempt `attempt` (0 = the first)
 * that failed with `rc` should be tried again: transient network failures
 * only (ENET, ECONNTIMEOUT), at most max_retries times. */
bool rclient_retry(rampart_client *c, int rc, unsigned attempt, const char *what, const rerr *why);

/* Opens the metadata folder and takes its lock, logging (a warning) what
 * it waits for when another updater holds it. */
int rclient_store_open(rampart_client *c, rstore *st) RAMPART_MUST_USE;

/* refresh.c: the workflow, run with the store open. */
int rclient_refresh_locked(rampart_client *c, rstore *st) RAMPART_MUST_USE;
/* search.c: §5.6.7, with the store open and trusted state loaded. */
int rclient_find_target(rampart_client *c, rstore *st, const char *path, rampart_target **out) RAMPART_MUST_USE;
/* refresh.c: loads (local or downloaded) targets role `name` through `delegator`. */
int rclient_load_targets(rampart_client *c, rstore *st, const char *name, const tuf_md *delegator, const tuf_md **out,
                         bool *downloaded) RAMPART_MUST_USE;

/* download.c: appends the URL of target `t` below mirror base URL `mirror`
 * (§5.7.2: DIR/HASH.BASENAME under consistent snapshots). */
int rclient_target_url(const char *mirror, const rampart_target *t, bool consistent, rbuf *url) RAMPART_MUST_USE;
/* prov_check.c: judges the provenance of `t` by the client's policy before
 * it is downloaded (0 without a policy). */
int rclient_prov_check(rampart_client *c, const rampart_target *t) RAMPART_MUST_USE;

/* tlog_check.c: with a witness policy, refuses a target that is not in a
 * checkpoint the policy accepts (RAMPART_ENOTLOGGED, ENOQUORUM,
 * ESPLITVIEW, ESTALE); 0 without a policy.  Runs with the store open. */
typedef struct rclient_tlog rclient_tlog;
int rclient_tlog_check(rampart_client *c, rstore *st, const rampart_target *t) RAMPART_MUST_USE;
void rclient_tlog_free(rclient_tlog *s);
/* Tiles fetched from the log by this client so far, and their bytes (bench). */
void rclient_tlog_stats(const rampart_client *c, uint64_t *tiles, uint64_t *bytes);

/* Security failures (an attack or a broken repository) as opposed to
 * transport, not-found or local failures: rampart_error_kind() decides. */
bool rclient_is_security_error(int code);
/* Across mirrors, the error to report is the most telling one, by kind: a
 * security failure (the first mirror's, when several give one), then a
 * transport (or local) failure, then "not found".  True when `code` should
 * replace `best` (0: none yet).  A mirror whose answer leaves the update
 * unable to go on (a timestamp of the trusted version after that one
 * expired) fails with a security error, so the loop goes on to the next
 * mirror. */
bool rclient_error_outranks(int code, int best);

#endif
