/*
 * refresh.c - the TUF client workflow, TUF specification §5.1-§5.6: the I/O
 * around the trusted-metadata state machine of src/tuf/trusted.c.  Each
 * role is written to the metadata folder, as the exact bytes received, as
 * soon as it verifies, and never before.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "client/client_internal.h"
#include "client/url.h"
#include "rampart/metadata.h"
#include "util/banned.h"

/* ---- root (§5.2, §5.3) ------------------------------------------------ */

/* -v: a role verified, with its version, expiry and the keys that
 * authorise it (a decision the log callback reports at INFO). */
static void log_verified(rampart_client *c, const char *name, const tuf_md *md, const tuf_role_auth *auth,
                         const char *how)
{
    char when[32] = "?";
    time_t tt = (time_t)md->expires;
    struct tm tm;
    if (gmtime_r(&tt, &tm) == NULL || strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        (void)snprintf(when, sizeof(when), "?"); /* a log line only */
    rclient_log(c, RAMPART_LOG_INFO, "%s version %lld verified (%s): expires %s, threshold %lld of %zu key(s)", name,
                (long long)md->version, how, when, (long long)auth->threshold, auth->nkeyids);
}

static int accept_root(void *ctx, uint8_t *data, size_t len, rerr *e)
{
    return tuf_trusted_update_root(ctx, data, len, e);
}

static int update_root(rampart_client *c, rstore *st, tuf_trusted *t)
{
    /* §5.3: at most max_root_rotations new versions per update (S10). */
    for (unsigned i = 0; i < c->max_root_rotations; i++) {
        char name[48];
        /* Room for any int64 version: never cut. */
        (void)snprintf(name, sizeof(name), "%lld.root.json", (long long)t->root->version + 1);
        bool notfound = false;
        int rc = rclient_fetch_metadata(c, name, c->max_root, false, accept_root, t, &notfound, &c->err);
        /* 404 (and 403/410) for N+1 means there is no newer root.  A mirror
         * that says so outweighs others serving something unverifiable or
         * nothing at all: otherwise one bad or unreachable mirror could stop
         * every update (the timestamp that follows is still verified with
         * the current root).  A local failure still stops the refresh. */
        bool outweighed = rclient_is_security_error(rc) || rampart_error_kind(rc) == RAMPART_KIND_TRANSPORT;
        if (rc == RAMPART_ENOTFOUND || (notfound && outweighed)) {
            if (rc != RAMPART_ENOTFOUND)
                rclient_log(c, RAMPART_LOG_WARN, "ignoring a mirror's failure on %s (another has none): %s", name,
                            c->err.message);
            rerr_clear(&c->err);
            return 0;
        }
        if (rc != 0)
            return rc;
        /* §5.3.8: persist each new root before looking for the next (F8). */
        rc = rstore_write(st, "root.json", tuf_md_bytes(t->root), &c->err);
        if (rc != 0)
            return rc;
        c->status[TUF_ROOT].updated = 1;
        c->status[TUF_ROOT].version = t->root->version;
        c->status[TUF_ROOT].expires = t->root->expires;
        rclient_log(c, RAMPART_LOG_INFO, "root updated to version %lld", (long long)t->root->version);
    }
    return 0;
}

/* ---- timestamp (§5.4) ------------------------------------------------- */

struct ts_ctx {
    tuf_trusted *t;
    bool accepted;
};

static int accept_timestamp(void *ctx, uint8_t *data, size_t len, rerr *e)
{
    struct ts_ctx *x = ctx;
    int rc = tuf_trusted_update_timestamp(x->t, data, len, &x->accepted, e);
    if (rc != 0 || x->accepted)
        return rc;
    /* §5.4.3.1: a timestamp of the trusted version is discarded, without
     * error, and the trusted one stays.  §5.4.4: when the trusted one has
     * expired, that leaves the update frozen, so this mirror's answer is a
     * failure (EEXPIRED) and the next mirror is asked: one that serves a
     * stale copy (a CDN caching timestamp.json) must not stop the update
     * while another has a newer one.  Nothing lower than the trusted
     * version is ever accepted (§5.4.3.1 rejects it above). */
    tuf_metafile next = {0, -1, JD_NONE};
    rc = tuf_trusted_snapshot_meta(x->t, &next, e);
    if (rc == RAMPART_EEXPIRED && e != NULL) {
        char why[sizeof(e->message)];
        memcpy(why, e->message, sizeof(why));
        rerr_set(e, rc, "timestamp", "%s, and the mirror has no newer version", why);
    }
    return rc;
}

/* A local copy that is absent, torn or no longer verifies is not used (F3),
 * but one that cannot be read or loaded for lack of memory or an I/O
 * error stops the refresh: carrying on without it would silently drop the
 * rollback protection it gives (found by tests/unit/test_alloc_fail.c: a
 * failed allocation let a rolled-back timestamp through). */
static bool local_failure_is_fatal(int rc)
{
    return rc == RAMPART_ENOMEM || rc == RAMPART_EIO;
}

static int update_timestamp(rampart_client *c, rstore *st, tuf_trusted *t)
{
    uint8_t *data;
    size_t len;
    /* A local copy that no longer verifies (rotated keys: fast-forward
     * recovery, §5.3.11) or is torn (F3) is simply not used. */
    rerr ignore = {0};
    int rc = rstore_read(st, "timestamp.json", c->max_timestamp * 4, &data, &len, &ignore);
    if (rc == 0) {
        rc = tuf_trusted_load_local_timestamp(t, data, len, &ignore);
        if (rc == 0) {
            c->status[TUF_TIMESTAMP].version_before = t->timestamp->version;
        } else if (!local_failure_is_fatal(rc)) {
            rclient_log(c, RAMPART_LOG_INFO, "local timestamp not used: %s", ignore.message);
        }
    }
    if (local_failure_is_fatal(rc))
        return rerr_set(&c->err, rc, "timestamp", "cannot load the local timestamp: %s", ignore.message);
    struct ts_ctx x = {t, false};
    rc = rclient_fetch_metadata(c, "timestamp.json", c->max_timestamp, false, accept_timestamp, &x, NULL, &c->err);
    if (rc != 0)
        return rc;
    if (x.accepted) {
        rc = rstore_write(st, "timestamp.json", tuf_md_bytes(t->timestamp), &c->err);
        if (rc != 0)
            return rc;
        c->status[TUF_TIMESTAMP].updated = 1;
    }
    c->status[TUF_TIMESTAMP].version = t->timestamp->version;
    c->status[TUF_TIMESTAMP].expires = t->timestamp->expires;
    log_verified(c, "timestamp", t->timestamp, &t->root->roles[TUF_TIMESTAMP], x.accepted ? "downloaded" : "current");
    return 0;
}

/* ---- snapshot (§5.5) -------------------------------------------------- */

static int accept_snapshot(void *ctx, uint8_t *data, size_t len, rerr *e)
{
    return tuf_trusted_update_snapshot(ctx, data, len, e);
}

static uint64_t cap_for(const tuf_metafile *mf, size_t def)
{
    return mf->length >= 0 ? (uint64_t)mf->length : (uint64_t)def;
}

/* The request name of a role's metadata: VERSION.NAME.json under consistent
 * snapshots, NAME.json otherwise (NAME percent-encoded). */
static int role_request_name(const tuf_trusted *t, const char *role, int64_t version, rbuf *out)
{
    int rc = 0;
    if (t->root->consistent_snapshot)
        rc = rbuf_appendf(out, "%lld.", (long long)version);
    if (rc == 0)
        rc = rstore_role_file(out, role);
    return rc;
}

static int update_snapshot(rampart_client *c, rstore *st, tuf_trusted *t)
{
    tuf_metafile want = {0, -1, JD_NONE};
    int rc = tuf_trusted_snapshot_meta(t, &want, &c->err);
    if (rc != 0)
        return rc;
    uint8_t *data;
    size_t len;
    bool final = false;
    size_t localcap = c->max_snapshot * 4;
    if (want.length >= 0 && (uint64_t)want.length > localcap)
        localcap = (size_t)want.length;
    rerr ignore = {0};
    rc = rstore_read(st, "snapshot.json", localcap, &data, &len, &ignore);
    if (rc == 0) {
        rc = tuf_trusted_load_local_snapshot(t, data, len, &final, &ignore);
        if (rc == 0)
            c->status[TUF_SNAPSHOT].version_before = t->snapshot->version;
        else if (!local_failure_is_fatal(rc))
            rclient_log(c, RAMPART_LOG_INFO, "local snapshot not used: %s", ignore.message);
    }
    if (local_failure_is_fatal(rc))
        return rerr_set(&c->err, rc, "snapshot", "cannot load the local snapshot: %s", ignore.message);
    if (!final) {
        rbuf name;
        rbuf_init(&name, 512);
        rc = role_request_name(t, "snapshot", want.version, &name);
        if (rc == 0)
            rc = rclient_fetch_metadata(c, (const char *)name.data, cap_for(&want, c->max_snapshot), want.length >= 0,
                                        accept_snapshot, t, NULL, &c->err);
        else
            rerr_set(&c->err, rc, "snapshot", "cannot build the request name");
        rbuf_free(&name);
        if (rc != 0)
            return rc;
        rc = rstore_write(st, "snapshot.json", tuf_md_bytes(t->snapshot), &c->err);
        if (rc != 0)
            return rc;
        c->status[TUF_SNAPSHOT].updated = 1;
    }
    c->status[TUF_SNAPSHOT].version = t->snapshot->version;
    c->status[TUF_SNAPSHOT].expires = t->snapshot->expires;
    log_verified(c, "snapshot", t->snapshot, &t->root->roles[TUF_SNAPSHOT],
                 c->status[TUF_SNAPSHOT].updated ? "downloaded" : "local copy");
    return 0;
}

/* ---- targets and delegated roles (§5.6) ------------------------------- */

struct tg_ctx {
    tuf_trusted *t;
    const char *name;
    const tuf_md *delegator;
    const tuf_md *md;
};

static int accept_targets(void *ctx, uint8_t *data, size_t len, rerr *e)
{
    struct tg_ctx *x = ctx;
    return tuf_trusted_update_targets(x->t, x->name, x->delegator, data, len, &x->md, e);
}

int rclient_load_targets(rampart_client *c, rstore *st, const char *name, const tuf_md *delegator, const tuf_md **out,
                         bool *downloaded)
{
    if (downloaded != NULL)
        *downloaded = false;
    tuf_trusted *t = c->trusted;
    /* Verified earlier in this process, through this very delegator? */
    const tuf_md *have = tuf_trusted_find_targets(t, name, delegator);
    if (have != NULL) {
        *out = have;
        return 0;
    }
    /* §5.6.1: a role the snapshot does not list is not downloaded (S38). */
    tuf_metafile want = {0, -1, JD_NONE};
    int rc = tuf_trusted_role_meta(t, name, &want, &c->err);
    if (rc != 0)
        return rc;
    const tuf_keyset *ks;
    const tuf_role_auth *auth;
    if (tuf_trusted_delegation_auth(t, delegator, name, &ks, &auth) != 0)
        return rerr_set(&c->err, RAMPART_ENOTFOUND, name, "role '%s' is not delegated by its parent", name);

    rbuf fname;
    rbuf_init(&fname, RSTORE_NAME_MAX);
    rc = rstore_role_file(&fname, name);
    if (rc != 0) {
        rbuf_free(&fname);
        /* EPATH (too long for a file name) or ENOMEM: never one for the other. */
        return rerr_set(&c->err, rc, name, "%s",
                        rc == RAMPART_EPATH ? "role name too long for a file name" : "out of memory");
    }
    /* A local copy is used when it passes every check a download would. */
    uint8_t *data;
    size_t len;
    size_t localcap = want.length >= 0 ? (size_t)want.length : c->max_targets * 4;
    if (rstore_read(st, (const char *)fname.data, localcap, &data, &len, NULL) == 0) {
        rerr ignore = {0};
        const tuf_md *md;
        if (tuf_trusted_update_targets(t, name, delegator, data, len, &md, &ignore) == 0) {
            rbuf_free(&fname);
            log_verified(c, name, md, auth, "local copy");
            *out = md;
            return 0;
        }
        rclient_log(c, RAMPART_LOG_INFO, "local %s not used: %s", name, ignore.message);
    }
    rbuf req;
    rbuf_init(&req, 1 << 16);
    rc = role_request_name(t, name, want.version, &req);
    if (rc != 0) {
        rbuf_free(&req);
        rbuf_free(&fname);
        return rerr_set(&c->err, rc, name, "cannot build the request name");
    }
    struct tg_ctx x = {t, name, delegator, NULL};
    rc = rclient_fetch_metadata(c, (const char *)req.data, cap_for(&want, c->max_targets), want.length >= 0,
                                accept_targets, &x, NULL, &c->err);
    rbuf_free(&req);
    if (rc == 0)
        rc = rstore_write(st, (const char *)fname.data, tuf_md_bytes(x.md), &c->err);
    rbuf_free(&fname);
    if (rc != 0)
        return rc;
    if (downloaded != NULL)
        *downloaded = true;
    log_verified(c, name, x.md, auth, "downloaded");
    *out = x.md;
    return 0;
}

/* ---- the whole refresh ------------------------------------------------ */

/* The version of the role file `fname` trusted before this refresh (for
 * rampart_role_status only; never used to trust anything): *out is 0 when
 * there is none or it is unreadable.  Only ENOMEM fails. */
static int local_version(rampart_client *c, rstore *st, const char *fname, tuf_type type, long long *out)
{
    *out = 0;
    uint8_t *data;
    size_t len;
    int rc = rstore_read(st, fname, c->max_targets * 4, &data, &len, NULL);
    if (rc != 0)
        return rc == RAMPART_ENOMEM ? rerr_set(&c->err, rc, NULL, "out of memory") : 0;
    tuf_md *md = NULL;
    rc = tuf_md_parse(&md, data, len, true, c->max_targets * 4, type, NULL, NULL);
    if (rc != 0)
        return rc == RAMPART_ENOMEM ? rerr_set(&c->err, rc, NULL, "out of memory") : 0;
    *out = md->version;
    tuf_md_free(md);
    return 0;
}

int rclient_refresh_locked(rampart_client *c, rstore *st)
{
    rerr_clear(&c->err);
    memset(c->status, 0, sizeof(c->status));
    c->refreshed = false;
    tuf_trusted_free(c->trusted);
    c->trusted = NULL;

    /* §5.1: one reference time for every expiry check of this update. */
    int64_t now;
    int rc = rclient_now(c, &now);
    if (rc != 0)
        return rc;

    /* §5.2: the trusted root, verified before any network request (S16). */
    uint8_t *data;
    size_t len;
    rc = rstore_read(st, "root.json", RAMPART_METADATA_MAX_FILE, &data, &len, &c->err);
    if (rc == RAMPART_ENOTFOUND)
        return rerr_set(&c->err, rc, "root", "no trusted root in %s (initialise the client first)", c->metadata_dir);
    if (rc != 0)
        return rc;
    tuf_trusted *t = NULL;
    rc = tuf_trusted_new(&t, data, len, now, &c->err);
    if (rc != 0) {
        rerr_set(&c->err, rc, "root", "the trusted root in %s is unusable: %s", c->metadata_dir, c->err.message);
        return rc;
    }
    c->trusted = t;
    c->status[TUF_ROOT].version_before = c->status[TUF_ROOT].version = t->root->version;
    c->status[TUF_ROOT].expires = t->root->expires;

    if ((rc = update_root(c, st, t)) != 0)
        goto fail;
    /* §5.3.10: freeze protection for the final root (after it was persisted). */
    if ((rc = tuf_trusted_check_root(t, &c->err)) != 0)
        goto fail;
    log_verified(c, "root", t->root, &t->root->roles[TUF_ROOT], c->status[TUF_ROOT].updated ? "updated" : "trusted");
    if ((rc = update_timestamp(c, st, t)) != 0)
        goto fail;
    if ((rc = update_snapshot(c, st, t)) != 0)
        goto fail;
    if ((rc = local_version(c, st, "targets.json", TUF_TARGETS, &c->status[TUF_TARGETS].version_before)) != 0)
        goto fail;
    const tuf_md *targets;
    bool downloaded;
    if ((rc = rclient_load_targets(c, st, "targets", NULL, &targets, &downloaded)) != 0)
        goto fail;
    /* Updated: a new version verified (downloaded now, or left by an
     * earlier run whose refresh stopped before reporting it). */
    c->status[TUF_TARGETS].updated = downloaded || c->status[TUF_TARGETS].version_before != targets->version;
    c->status[TUF_TARGETS].version = targets->version;
    c->status[TUF_TARGETS].expires = targets->expires;
    c->refreshed = true;
    return 0;
fail:
    /* Keep nothing in memory that a later call could mistake for a completed refresh. */
    tuf_trusted_free(c->trusted);
    c->trusted = NULL;
    return rc;
}
