/* repo_refresh.c - re-signing online roles with fresh expiry dates, for
 * cron: the timestamp (and snapshot) on demand (rampart_repo_refresh), or
 * every role inside its renewal window (rampart_repo_renew). */
#include <stdio.h>
#include <string.h>

#include "repo/repo_internal.h"
#include "repo/repo_log.h"
#include "util/fs.h"
#include "util/rtime.h"
#include "util/banned.h"

#define PENDING "pending.json"

/* What every refresh does first: finish an interrupted publish and put
 * back whatever public/ lost (a timestamp is of use only with what it
 * points to in place); then there must be something published. */
static int refresh_open(rampart_repo *r, const char *role)
{
    int rc = rrepo_public_open(r, NULL);
    if (rc == 0 && rfs_exists_at(r->fds[RDIR_STATE], PENDING))
        rc = rrepo_pub_finish(r, NULL);
    if (rc == 0)
        rc = rrepo_repair(r, false, NULL);
    if (rc == 0 && !rfs_exists_at(r->fds[RDIR_STATE], "timestamp.json"))
        rc = rrepo_fail(r, RAMPART_EINVAL, role, "nothing is published yet: run publish first");
    return rc;
}

/* Online roles verify against the root clients have: the published one. */
static int published_root(rampart_repo *r, tuf_md **root)
{
    char fname[64];
    json_t *rootj = NULL;
    int64_t pv = rrepo_published_version(r, "root");
    (void)snprintf(fname, sizeof(fname), "%lld.root.json", (long long)pv); /* a number: fits */
    int rc = rrepo_read_json(r, r->fds[RDIR_ROOTS], fname, &rootj);
    if (rc == 0)
        rc = rrepo_parse(r, rootj, TUF_ROOT, "root", root);
    json_decref(rootj);
    return rc;
}

/* The expiry date of a metadata document ({"signed": {"expires": ...}}). */
static int md_expires(rampart_repo *r, const json_t *md, const char *role, int64_t *out)
{
    const char *s = json_string_value(json_object_get(json_object_get(md, "signed"), "expires"));
    if (s == NULL || rtime_parse(s, strlen(s), out) != 0)
        return rrepo_fail(r, RAMPART_EFORMAT, role, "'%s' has no valid expiry date", role);
    return 0;
}

/* A timestamp never outlives the snapshot it points to: clients would
 * take it and then fail on the expired snapshot (TUF 5.5.6).  `snap_new`:
 * the snapshot was just re-signed (then the periods are at fault). */
static int check_outlives(rampart_repo *r, const json_t *snap, bool snap_new, const json_t *ts)
{
    int64_t se = 0, te = 0;
    int rc = md_expires(r, snap, "snapshot", &se);
    if (rc == 0)
        rc = md_expires(r, ts, "timestamp", &te);
    if (rc != 0 || se >= te)
        return rc;
    char sw[RTIME_STR_LEN + 1] = "?", tw[RTIME_STR_LEN + 1] = "?";
    if (rtime_format(se, sw) != 0 || rtime_format(te, tw) != 0)
        sw[0] = tw[0] = '?', sw[1] = tw[1] = '\0';
    long long sv = json_integer_value(json_object_get(json_object_get(snap, "signed"), "version"));
    return rrepo_fail(
        r, RAMPART_EEXPIRED, "snapshot", "snapshot version %lld expires at %s, before the new timestamp would (%s): %s",
        sv, sw, tw,
        snap_new ? "the timestamp's expiry period is longer than the snapshot's (rampart repo rotate --expires)"
                 : "renew the snapshot too (rampart repo refresh with the snapshot key)");
}

/* Writes a new snapshot (when `snap_new`) and timestamp: the repository's
 * record first and the public file last, so that after a crash in between
 * the next refresh moves on to a higher version instead of re-using this
 * one with other bytes. */
static int write_online(rampart_repo *r, const json_t *snap, bool snap_new, const json_t *ts)
{
    int64_t sv = json_integer_value(json_object_get(json_object_get(snap, "signed"), "version"));
    int rc = 0;
    if (snap_new) {
        char fname[64];
        /* Not referenced until the timestamp below: safe to (re)write. */
        (void)snprintf(fname, sizeof(fname), "%lld.snapshot.json", (long long)sv); /* a number: fits */
        rc = rrepo_write_json(r, r->fds[RDIR_META], fname, snap, true);
        if (rc == 0)
            rc = rrepo_write_json(r, r->fds[RDIR_STATE], "snapshot.json", snap, true);
    }
    if (rc == 0)
        rc = rrepo_write_json(r, r->fds[RDIR_STATE], "timestamp.json", ts, true);
    if (rc == 0)
        rc = rrepo_write_json(r, r->fds[RDIR_META], "timestamp.json", ts, true);
    return rc;
}

/* Signs and publishes a new timestamp, over a new snapshot (same contents)
 * when `snapshot`, else over the published one. */
static int refresh_online(rampart_repo *r, bool snapshot, rampart_publish_result *res)
{
    json_t *snap = NULL, *ts = NULL;
    tuf_md *root = NULL;
    int rc = published_root(r, &root);
    if (rc == 0 && snapshot) {
        rc = rrepo_pub_next_signed(r, "snapshot.json", "snapshot", &snap);
        if (rc == 0)
            rc = rrepo_pub_sign_online(r, snap, root, TUF_SNAPSHOT);
    } else if (rc == 0) {
        rc = rrepo_read_json(r, r->fds[RDIR_STATE], "snapshot.json", &snap);
    }
    if (rc == 0)
        rc = rrepo_pub_make_timestamp(r, snap, &ts);
    if (rc == 0)
        rc = check_outlives(r, snap, snapshot, ts);
    if (rc == 0)
        rc = rrepo_pub_sign_online(r, ts, root, TUF_TIMESTAMP);
    if (rc == 0)
        rc = write_online(r, snap, snapshot, ts);
    if (rc == 0 && res != NULL) {
        res->roles_published = snapshot ? 2 : 1;
        res->snapshot_version = json_integer_value(json_object_get(json_object_get(snap, "signed"), "version"));
        res->timestamp_version = json_integer_value(json_object_get(json_object_get(ts, "signed"), "version"));
    }
    json_decref(r->published);
    r->published = NULL;
    r->published_loaded = false;
    rrepo_drop_cache(r);
    tuf_md_free(root);
    json_decref(snap);
    json_decref(ts);
    return rc;
}

int rampart_repo_refresh(rampart_repo *r, const char *role, rampart_publish_result *res)
{
    if (r == NULL)
        return RAMPART_EINVAL;
    rerr_clear(&r->err);
    bool snapshot = role != NULL && strcmp(role, "snapshot") == 0;
    if (role == NULL || (!snapshot && strcmp(role, "timestamp") != 0))
        return rrepo_fail(r, RAMPART_EINVAL, role, "only timestamp and snapshot are refreshed");
    int rc = refresh_open(r, role);
    if (rc == 0)
        rc = refresh_online(r, snapshot, res);
    /* The log's cosignatures age like the timestamp: renewed with it. */
    return rc == 0 ? rrepo_log_recosign(r) : rc;
}

/* ---- rampart_repo_renew: every role inside its renewal window ---- */

/* True when a role expiring at `expires` has less than pct% of its
 * expiry period left (or has expired). */
static bool in_window(rampart_repo *r, const char *role, int64_t expires, unsigned pct)
{
    int64_t left = expires - rrepo_now(r);
    long long period = rrepo_period(r, role);
    return left < (int64_t)(period / 100 * (long long)pct + period % 100 * (long long)pct / 100);
}

/* The number of added signers (distinct key ids) that `keyids` lists. */
static size_t signers_in(rampart_repo *r, const json_t *keyids)
{
    size_t n = 0, i;
    json_t *v;
    for (size_t s = 0; s < r->nsigners; s++) {
        const char *kid = rampart_signer_keyid(r->signers[s]);
        bool listed = false, dup = false;
        json_array_foreach(keyids, i, v)
        {
            listed |= json_is_string(v) && strcmp(json_string_value(v), kid) == 0;
        }
        for (size_t t = 0; t < s; t++)
            dup |= strcmp(rampart_signer_keyid(r->signers[t]), kid) == 0;
        n += listed && !dup;
    }
    return n;
}

/* True when the added keys meet the threshold `name`'s delegator gives it. */
static int can_sign(rampart_repo *r, const char *name, bool *yes)
{
    json_t *keys, *auth;
    int rc = rrepo_auth(r, name, &keys, &auth);
    if (rc == 0) {
        json_int_t t = json_integer_value(json_object_get(auth, "threshold"));
        *yes = t >= 1 && (json_int_t)signers_in(r, json_object_get(auth, "keyids")) >= t;
    }
    return rc;
}

/* The roles this call renewed (names owned). */
typedef struct rlist {
    char **v;
    size_t n, cap;
} rlist;

static void rlist_free(rlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        rampart_free(l->v[i]);
    rampart_free(l->v);
}

static bool rlist_has(const rlist *l, const char *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i], name) == 0)
            return true;
    return false;
}

static int rlist_add(rampart_repo *r, rlist *l, const char *name)
{
    if (l->n == l->cap) {
        size_t ncap = l->cap != 0 ? l->cap * 2 : 16, sz;
        char **n = rsize_mul(ncap, sizeof(*n), &sz) ? rampart_realloc(l->v, sz) : NULL;
        if (n == NULL)
            return rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
        l->v = n;
        l->cap = ncap;
    }
    if ((l->v[l->n] = rampart_strndup(name, strlen(name))) == NULL)
        return rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    l->n++;
    return 0;
}

/* Who has changes that are not published: the role, or its delegator
 * (unless this call renewed it).  Renewing would publish those changes,
 * or sign against keys clients do not trust yet. */
static const char *pending_edit(rampart_repo *r, const char *name, const rlist *done)
{
    const char *del = NULL, *why = NULL;
    rrole *ro;
    if (rrepo_role(r, name, &ro) == 0 && rrepo_version(ro) > rrepo_published_version(r, name))
        why = name;
    else if (rrepo_delegator(r, name, &del, NULL) == 0 && !rlist_has(done, del) && rrepo_role(r, del, &ro) == 0 &&
             rrepo_version(ro) > rrepo_published_version(r, del))
        why = del;
    rerr_clear(&r->err);
    return why;
}

/* Renews targets role `name` when it is inside its window: next version,
 * fresh expiry date, signed by the added keys (left in the cache, written
 * by rrepo_commit). */
static int renew_role(rampart_repo *r, const char *name, unsigned pct, rlist *done)
{
    rrole *ro;
    json_t *keys, *auth;
    int64_t exp = 0;
    int rc = rrepo_role(r, name, &ro);
    if (rc == 0)
        rc = md_expires(r, ro->md, name, &exp);
    if (rc != 0 || !in_window(r, name, exp, pct))
        return rc;
    const char *why = pending_edit(r, name, done);
    if (why != NULL) {
        rrepo_notice(r, "%s: inside its renewal window, but %s has unpublished changes: not renewed (publish them)",
                     name, why);
        return 0;
    }
    rc = rrepo_touch(r, ro);
    if (rc == 0)
        rc = rrepo_auth(r, name, &keys, &auth);
    if (rc == 0)
        rc = rrepo_autosign(r, ro, json_object_get(auth, "keyids"), NULL);
    if (rc == 0)
        rc = rlist_add(r, done, name);
    return rc;
}

/* Renews `name` when the added keys can sign it alone (`checked`: known
 * to).  The cache is written and emptied every 256 roles. */
static int consider(rampart_repo *r, const char *name, bool checked, unsigned pct, rlist *done, size_t *seen)
{
    bool yes = checked;
    int rc = checked ? 0 : can_sign(r, name, &yes);
    if (rc == 0 && yes)
        rc = renew_role(r, name, pct, done);
    if (rc == 0 && ++*seen % 256 == 0)
        rc = rrepo_commit(r);
    return rc;
}

/* Every targets role (targets, delegated roles, bins) inside its window
 * that the added keys can sign is renewed and written (staged). */
static int renew_targets_roles(rampart_repo *r, unsigned pct, rlist *done)
{
    size_t seen = 0, i;
    const char *k;
    json_t *v;
    int rc = consider(r, "targets", false, pct, done, &seen);
    json_object_foreach(json_object_get(r->config, "delegations"), k, v)
    {
        if (rc == 0)
            rc = consider(r, k, false, pct, done, &seen);
    }
    json_array_foreach(json_object_get(r->config, "bins"), i, v)
    {
        char name[RREPO_NAME_MAX + 16];
        bool yes = false;
        uint32_t n = rrepo_bin_count(v);
        /* One delegation (succinct_roles) gives every bin of a set its keys. */
        if (rc == 0)
            rc = rrepo_bin_name(v, 0, name, sizeof(name));
        if (rc == 0)
            rc = can_sign(r, name, &yes);
        for (uint32_t b = 0; rc == 0 && yes && b < n; b++) {
            rc = rrepo_bin_name(v, b, name, sizeof(name));
            if (rc == 0)
                rc = consider(r, name, true, pct, done, &seen);
        }
    }
    if (rc == 0)
        rc = rrepo_commit(r);
    rrepo_drop_cache(r);
    return rc;
}

/* True when the added keys meet the threshold of top-level `type` in `root`. */
static bool online_signable(rampart_repo *r, const tuf_md *root, tuf_type type)
{
    const tuf_role_auth *a = &root->roles[type];
    json_t *ids = json_array();
    for (size_t i = 0; ids != NULL && i < a->nkeyids; i++)
        json_array_append_new(ids, json_stringn((const char *)a->keyids[i].p, a->keyids[i].n));
    bool yes = ids != NULL && (int64_t)signers_in(r, ids) >= a->threshold;
    json_decref(ids);
    return yes;
}

/* The expiry dates of the published snapshot and timestamp. */
static int online_expiry(rampart_repo *r, int64_t *se, int64_t *te, int64_t *sv)
{
    json_t *snap = NULL, *ts = NULL;
    int rc = rrepo_read_json(r, r->fds[RDIR_STATE], "snapshot.json", &snap);
    if (rc == 0)
        rc = rrepo_read_json(r, r->fds[RDIR_STATE], "timestamp.json", &ts);
    if (rc == 0)
        rc = md_expires(r, snap, "snapshot", se);
    if (rc == 0)
        rc = md_expires(r, ts, "timestamp", te);
    *sv = json_integer_value(json_object_get(json_object_get(snap, "signed"), "version"));
    json_decref(snap);
    json_decref(ts);
    return rc;
}

/* Snapshot and timestamp, when inside their windows.  A snapshot that a
 * new timestamp would outlive is due too.  A due snapshot without its key
 * fails (EBADSIG) after the timestamp is renewed, when that is allowed. */
static int renew_online(rampart_repo *r, unsigned pct, rampart_renew_result *out)
{
    int64_t se = 0, te = 0, sv = 0;
    tuf_md *root = NULL;
    int rc = online_expiry(r, &se, &te, &sv);
    if (rc == 0)
        rc = published_root(r, &root);
    if (rc != 0)
        return rc;
    bool snap_key = online_signable(r, root, TUF_SNAPSHOT);
    tuf_md_free(root);
    bool ts_due = in_window(r, "timestamp", te, pct);
    bool snap_due = in_window(r, "snapshot", se, pct) || se < rrepo_now(r) + rrepo_period(r, "timestamp");
    rampart_publish_result p = {0};
    if (snap_due && snap_key)
        rc = refresh_online(r, true, &p);
    else if (ts_due || snap_due)
        rc = refresh_online(r, false, &p);
    if (rc == 0 && (ts_due || snap_due)) {
        out->snapshot_renewed = snap_due && snap_key;
        out->timestamp_renewed = 1;
        out->snapshot_version = p.snapshot_version;
        out->timestamp_version = p.timestamp_version;
    }
    if (rc == 0 && snap_due && !snap_key) {
        char when[RTIME_STR_LEN + 1] = "?";
        if (rtime_format(se, when) != 0)
            when[1] = '\0';
        rc = rrepo_fail(r, RAMPART_EBADSIG, "snapshot",
                        "snapshot version %lld expires at %s, inside its renewal window, and no snapshot key was given",
                        (long long)sv, when);
    }
    return rc;
}

int rampart_repo_renew(rampart_repo *r, const rampart_renew_options *o, rampart_renew_result *res)
{
    if (r == NULL)
        return RAMPART_EINVAL;
    rerr_clear(&r->err);
    if (o != NULL && (o->version != RAMPART_RENEW_OPTIONS_VERSION || o->window_percent > 100))
        return rrepo_fail(r, RAMPART_EINVAL, NULL, "bad renewal options (version, or a window above 100%%)");
    unsigned pct = o != NULL && o->window_percent > 0 ? o->window_percent : RAMPART_REPO_RENEW_PERCENT;
    rampart_renew_result out = {0};
    rlist done = {0};
    int rc = refresh_open(r, NULL);
    if (rc == 0)
        rc = renew_targets_roles(r, pct, &done);
    if (rc == 0 && done.n > 0) {
        /* Exactly the renewed roles, with a new snapshot and timestamp;
         * other staged edits stay staged. */
        rampart_publish_result p = {0};
        rc = rrepo_publish_roles(r, (const char *const *)done.v, done.n, &p);
        out.roles_renewed = done.n;
        out.snapshot_renewed = out.timestamp_renewed = 1;
        out.snapshot_version = p.snapshot_version;
        out.timestamp_version = p.timestamp_version;
    } else if (rc == 0) {
        rc = renew_online(r, pct, &out);
    }
    rlist_free(&done);
    if (rc == 0 && res != NULL)
        *res = out;
    /* The log's cosignatures age like the timestamp: renewed with it (a
     * refusal of the witnesses fails the command after the renewal). */
    if (rc == 0 && out.timestamp_renewed)
        rc = rrepo_log_recosign(r);
    return rc;
}
