/*
 * trusted.c - the trusted-metadata state machine (see trusted.h).
 * Each check cites the step of the TUF specification §5 it implements.
 */
#include <stdlib.h>
#include <string.h>

#include "tuf/match.h"
#include "tuf/trusted.h"
#include "util/jcanon.h"
#include "util/rtime.h"
#include "util/banned.h"

/* Metadata is expired when T0 >= expires (python-tuf and the spec's "less
 * than or equal to the current time"). */
static bool expired(const tuf_trusted *t, const tuf_md *md)
{
    return t->now >= md->expires;
}

static int expired_error(const tuf_md *md, const char *role, rerr *e)
{
    char when[RTIME_STR_LEN + 1];
    if (rtime_format(md->expires, when) != 0)
        when[0] = '\0';
    return rerr_set(e, RAMPART_EEXPIRED, role, "%s metadata version %lld expired at %s", role, (long long)md->version,
                    when);
}

int tuf_trusted_new(tuf_trusted **out, uint8_t *data, size_t len, int64_t now, rerr *e)
{
    tuf_md *root = NULL;
    /* The local root is not capped by the download cap: it was accepted before. */
    int rc = tuf_md_parse(&root, data, len, true, SIZE_MAX, TUF_ROOT, "root", e);
    if (rc != 0)
        return rc;
    /* §5.2: the trusted root must be signed by a threshold of its own root keys. */
    rc = tuf_md_verify(root, &root->keys, &root->roles[TUF_ROOT], "root", e);
    if (rc != 0) {
        tuf_md_free(root);
        return rc;
    }
    tuf_trusted *t = rampart_calloc(1, sizeof(*t));
    if (t == NULL) {
        tuf_md_free(root);
        return rerr_set(e, RAMPART_ENOMEM, "root", "out of memory");
    }
    t->now = now;
    t->root = root;
    *out = t;
    return 0;
}

void tuf_trusted_free(tuf_trusted *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->ndelegated; i++) {
        rampart_free(t->delegated[i].name);
        tuf_md_free(t->delegated[i].md);
    }
    rampart_free(t->delegated);
    tuf_md_free(t->snapshot);
    tuf_md_free(t->timestamp);
    tuf_md_free(t->root);
    rampart_free(t);
}

int tuf_trusted_update_root(tuf_trusted *t, uint8_t *data, size_t len, rerr *e)
{
    if (t->timestamp != NULL) {
        rampart_free(data);
        return rerr_set(e, RAMPART_EINVAL, "root", "root cannot be updated after the timestamp was loaded");
    }
    tuf_md *nr = NULL;
    int rc = tuf_md_parse(&nr, data, len, true, SIZE_MAX, TUF_ROOT, "root", e);
    if (rc != 0)
        return rc;
    /* §5.3.4: signed by a threshold of the trusted root's root keys ... */
    rc = tuf_md_verify(nr, &t->root->keys, &t->root->roles[TUF_ROOT], "root", e);
    if (rc != 0) {
        rerr_set(e, rc, "root", "root version %lld is not signed by the trusted root version %lld: %s",
                 (long long)nr->version, (long long)t->root->version, e ? e->message : "");
        goto out;
    }
    /* ... and by a threshold of its own root keys. */
    rc = tuf_md_verify(nr, &nr->keys, &nr->roles[TUF_ROOT], "root", e);
    if (rc != 0) {
        rerr_set(e, rc, "root", "root version %lld is not signed by its own root keys: %s", (long long)nr->version,
                 e ? e->message : "");
        goto out;
    }
    /* §5.3.5: the version must be exactly N+1 (TUF_VERSION_MAX keeps N+1 from overflowing). */
    if (nr->version <= t->root->version) {
        rc = rerr_set(e, RAMPART_EROLLBACK, "root", "root version %lld is not newer than the trusted version %lld",
                      (long long)nr->version, (long long)t->root->version);
        goto out;
    }
    if (nr->version != t->root->version + 1) {
        rc = rerr_set(e, RAMPART_EMISMATCH, "root", "root version %lld was served where version %lld was requested",
                      (long long)nr->version, (long long)t->root->version + 1);
        goto out;
    }
    /* §5.3.6: the expiry of an intermediate root is deliberately not checked. */
    tuf_md_free(t->root);
    t->root = nr;
    t->root_updates++;
    return 0;
out:
    tuf_md_free(nr);
    return rc;
}

int tuf_trusted_check_root(const tuf_trusted *t, rerr *e)
{
    /* §5.3.10: freeze protection for the final root. */
    if (expired(t, t->root))
        return expired_error(t->root, "root", e);
    return 0;
}

/* Parses and verifies a timestamp against the current root. */
static int load_timestamp(tuf_trusted *t, uint8_t *data, size_t len, size_t cap, tuf_md **out, rerr *e)
{
    tuf_md *ts = NULL;
    int rc = tuf_md_parse(&ts, data, len, true, cap, TUF_TIMESTAMP, "timestamp", e);
    if (rc != 0)
        return rc;
    rc = tuf_md_verify(ts, &t->root->keys, &t->root->roles[TUF_TIMESTAMP], "timestamp", e);
    if (rc != 0) {
        tuf_md_free(ts);
        return rc;
    }
    *out = ts;
    return 0;
}

int tuf_trusted_load_local_timestamp(tuf_trusted *t, uint8_t *data, size_t len, rerr *e)
{
    if (t->timestamp != NULL) {
        rampart_free(data);
        return rerr_set(e, RAMPART_EINVAL, "timestamp", "a timestamp is already loaded");
    }
    tuf_md *ts;
    int rc = load_timestamp(t, data, len, SIZE_MAX, &ts, e);
    if (rc != 0)
        return rc;
    t->timestamp = ts;
    t->timestamp_is_local = true;
    return 0;
}

int tuf_trusted_update_timestamp(tuf_trusted *t, uint8_t *data, size_t len, bool *accepted, rerr *e)
{
    tuf_md *ts;
    /* §5.4.1-§5.4.2: the caller capped the download; here: P rules and V(timestamp, root). */
    int rc = load_timestamp(t, data, len, SIZE_MAX, &ts, e);
    if (rc != 0)
        return rc;
    const tuf_md *old = t->timestamp;
    if (old != NULL) {
        /* §5.4.3.1: no rollback of the timestamp version, even against an expired local copy. */
        if (ts->version < old->version) {
            rc = rerr_set(e, RAMPART_EROLLBACK, "timestamp",
                          "timestamp version %lld is older than the trusted version %lld", (long long)ts->version,
                          (long long)old->version);
            goto out;
        }
        /* An equal version is not an attack but is not new either: keep the
         * trusted one (whose bytes are on disk) and discard this one. */
        if (ts->version == old->version) {
            tuf_md_free(ts);
            *accepted = false;
            return 0;
        }
        /* §5.4.3.2: no rollback of the snapshot version it names. */
        if (ts->snapshot_meta.version < old->snapshot_meta.version) {
            rc = rerr_set(e, RAMPART_EROLLBACK, "timestamp",
                          "timestamp names snapshot version %lld, older than the trusted %lld",
                          (long long)ts->snapshot_meta.version, (long long)old->snapshot_meta.version);
            goto out;
        }
    }
    /* §5.4.4: freeze protection. */
    if (expired(t, ts)) {
        rc = expired_error(ts, "timestamp", e);
        goto out;
    }
    tuf_md_free(t->timestamp);
    t->timestamp = ts;
    t->timestamp_is_local = false;
    *accepted = true;
    return 0;
out:
    tuf_md_free(ts);
    return rc;
}

int tuf_trusted_snapshot_meta(const tuf_trusted *t, tuf_metafile *out, rerr *e)
{
    if (t->timestamp == NULL)
        return rerr_set(e, RAMPART_EINVAL, "snapshot", "no trusted timestamp");
    /* The timestamp must be final before the snapshot is looked at (a kept
     * equal-version local timestamp may have expired). */
    if (expired(t, t->timestamp))
        return expired_error(t->timestamp, "timestamp", e);
    *out = t->timestamp->snapshot_meta;
    return 0;
}

static int load_snapshot(tuf_trusted *t, uint8_t *data, size_t len, tuf_md **out, rerr *e)
{
    tuf_md *sn = NULL;
    int rc = tuf_md_parse(&sn, data, len, true, SIZE_MAX, TUF_SNAPSHOT, "snapshot", e);
    if (rc != 0)
        return rc;
    rc = tuf_md_verify(sn, &t->root->keys, &t->root->roles[TUF_SNAPSHOT], "snapshot", e);
    if (rc != 0) {
        tuf_md_free(sn);
        return rc;
    }
    *out = sn;
    return 0;
}

int tuf_trusted_load_local_snapshot(tuf_trusted *t, uint8_t *data, size_t len, bool *final, rerr *e)
{
    tuf_metafile want = {0, -1, JD_NONE};
    int rc = tuf_trusted_snapshot_meta(t, &want, e);
    if (rc != 0 || t->snapshot != NULL) {
        rampart_free(data);
        return rc != 0 ? rc : rerr_set(e, RAMPART_EINVAL, "snapshot", "a snapshot is already loaded");
    }
    tuf_md *sn;
    rc = load_snapshot(t, data, len, &sn, e);
    if (rc != 0)
        return rc;
    t->snapshot = sn;
    t->snapshot_is_local = true;
    *final = sn->version == want.version && !expired(t, sn);
    return 0;
}

/* A META entry of a snapshot: its file name and version. */
typedef struct meta_entry {
    rslice name;
    int64_t version;
} meta_entry;

static int meta_entry_cmp(const void *a, const void *b)
{
    const meta_entry *x = a, *y = b;
    return jcanon_keycmp(x->name.p, x->name.n, y->name.p, y->name.n);
}

/* §5.5.5: every role the trusted snapshot lists is still listed, at a
 * version no lower.  The new snapshot's entries are sorted once and each
 * old one is looked up by binary search, so the check is O(n log n): a
 * repository of 65,536 hash bins lists as many roles, and a lookup by
 * linear scan made it quadratic (22 s of CPU per refresh).  The old
 * entries are checked in document order, so the first failure reported is
 * the first one the trusted snapshot lists. */
static int check_snapshot_rollback(const tuf_md *old, const tuf_md *nw, rerr *e)
{
    const jdoc *od = old->doc, *nd = nw->doc;
    size_t n = jdoc_count(nd, nw->meta), i = 0;
    meta_entry *idx = rampart_calloc(n ? n : 1, sizeof(*idx));
    if (idx == NULL)
        return rerr_set(e, RAMPART_ENOMEM, "snapshot", "out of memory");
    /* md_parse_snapshot validated every entry: each has an integer version. */
    for (jd_ref k = jdoc_first(nd, nw->meta); k != JD_NONE && i < n; k = jdoc_next_key(nd, k), i++)
        idx[i] = (meta_entry){jdoc_str(nd, k), jdoc_int(nd, jdoc_get(nd, jdoc_value(k), "version"))};
    qsort(idx, i, sizeof(*idx), meta_entry_cmp);
    int rc = 0;
    for (jd_ref k = jdoc_first(od, old->meta); k != JD_NONE && rc == 0; k = jdoc_next_key(od, k)) {
        meta_entry was = {jdoc_str(od, k), jdoc_int(od, jdoc_get(od, jdoc_value(k), "version"))};
        const meta_entry *now = bsearch(&was, idx, i, sizeof(*idx), meta_entry_cmp);
        int shown = (int)(was.name.n > 64 ? 64 : was.name.n);
        if (now == NULL)
            rc = rerr_set(e, RAMPART_EROLLBACK, "snapshot", "snapshot no longer lists \"%.*s\"", shown,
                          (const char *)was.name.p);
        else if (now->version < was.version)
            rc = rerr_set(e, RAMPART_EROLLBACK, "snapshot", "snapshot rolls \"%.*s\" back from version %lld to %lld",
                          shown, (const char *)was.name.p, (long long)was.version, (long long)now->version);
    }
    rampart_free(idx);
    return rc;
}

int tuf_trusted_update_snapshot(tuf_trusted *t, uint8_t *data, size_t len, rerr *e)
{
    tuf_metafile want = {0, -1, JD_NONE};
    int rc = tuf_trusted_snapshot_meta(t, &want, e);
    if (rc != 0) {
        rampart_free(data);
        return rc;
    }
    /* §5.5.2: length and hashes as the timestamp describes them. */
    rc = tuf_check_hashes(t->timestamp, want.hashes, want.length, data, len, "snapshot", e);
    if (rc != 0) {
        rampart_free(data);
        return rc;
    }
    tuf_md *sn;
    /* §5.5.3: P rules and V(snapshot, root). */
    rc = load_snapshot(t, data, len, &sn, e);
    if (rc != 0)
        return rc;
    /* §5.5.4: the version the timestamp names. */
    if (sn->version != want.version) {
        rc = rerr_set(e, RAMPART_EMISMATCH, "snapshot", "snapshot version %lld, but the timestamp names version %lld",
                      (long long)sn->version, (long long)want.version);
        goto out;
    }
    /* §5.5.5: no role removed or rolled back. */
    if (t->snapshot != NULL && (rc = check_snapshot_rollback(t->snapshot, sn, e)) != 0)
        goto out;
    /* §5.5.6: freeze protection. */
    if (expired(t, sn)) {
        rc = expired_error(sn, "snapshot", e);
        goto out;
    }
    tuf_md_free(t->snapshot);
    t->snapshot = sn;
    t->snapshot_is_local = false;
    return 0;
out:
    tuf_md_free(sn);
    return rc;
}

int tuf_trusted_role_meta(const tuf_trusted *t, const char *name, tuf_metafile *out, rerr *e)
{
    tuf_metafile want = {0, -1, JD_NONE};
    int rc = tuf_trusted_snapshot_meta(t, &want, e);
    if (rc != 0)
        return rc;
    const tuf_md *sn = t->snapshot;
    if (sn == NULL)
        return rerr_set(e, RAMPART_EINVAL, name, "no trusted snapshot");
    /* The snapshot must be final: the version the timestamp names, not expired. */
    if (sn->version != want.version)
        return rerr_set(e, RAMPART_EMISMATCH, "snapshot", "snapshot version %lld, but the timestamp names version %lld",
                        (long long)sn->version, (long long)want.version);
    if (expired(t, sn))
        return expired_error(sn, "snapshot", e);
    rbuf fname;
    rbuf_init(&fname, 65536);
    rc = rbuf_append_str(&fname, name);
    if (rc == 0)
        rc = rbuf_append_str(&fname, ".json");
    if (rc != 0) {
        rbuf_free(&fname);
        return rerr_set(e, rc, name, "role name too long");
    }
    rc = tuf_md_metafile(sn, rbuf_slice(&fname), out);
    rbuf_free(&fname);
    if (rc == RAMPART_ENOTFOUND)
        return rerr_set(e, rc, name, "snapshot does not list role '%s'", name);
    return rc;
}

int tuf_trusted_delegation_auth(const tuf_trusted *t, const tuf_md *delegator, const char *name, const tuf_keyset **ks,
                                const tuf_role_auth **auth)
{
    if (delegator == NULL) {
        if (strcmp(name, "targets") != 0)
            return RAMPART_ENOTFOUND;
        *ks = &t->root->keys;
        *auth = &t->root->roles[TUF_TARGETS];
        return 0;
    }
    rslice nm = rslice_cstr(name);
    for (size_t i = 0; i < delegator->ndelegations; i++) {
        if (rslice_eq(delegator->delegations[i].auth.name, nm)) {
            *ks = &delegator->keys;
            *auth = &delegator->delegations[i].auth;
            return 0;
        }
    }
    if (delegator->has_succinct && tuf_succinct_is_role(&delegator->succinct, nm)) {
        *ks = &delegator->keys;
        *auth = &delegator->succinct.auth;
        return 0;
    }
    return RAMPART_ENOTFOUND;
}

const tuf_md *tuf_trusted_find_targets(const tuf_trusted *t, const char *name, const tuf_md *delegator)
{
    for (size_t i = 0; i < t->ndelegated; i++)
        if (t->delegated[i].delegator == delegator && strcmp(t->delegated[i].name, name) == 0)
            return t->delegated[i].md;
    return NULL;
}

static int remember(tuf_trusted *t, const char *name, const tuf_md *delegator, tuf_md *md)
{
    for (size_t i = 0; i < t->ndelegated; i++) {
        if (t->delegated[i].delegator == delegator && strcmp(t->delegated[i].name, name) == 0) {
            tuf_md_free(t->delegated[i].md);
            t->delegated[i].md = md;
            return 0;
        }
    }
    if (t->ndelegated == t->capdelegated) {
        size_t ncap = t->capdelegated ? t->capdelegated * 2 : 8, bytes;
        if (!rsize_mul(ncap, sizeof(*t->delegated), &bytes))
            return RAMPART_ENOMEM;
        tuf_delegated *nd = rampart_realloc(t->delegated, bytes);
        if (nd == NULL)
            return RAMPART_ENOMEM;
        t->delegated = nd;
        t->capdelegated = ncap;
    }
    char *copy = rampart_strndup(name, strlen(name));
    if (copy == NULL)
        return RAMPART_ENOMEM;
    t->delegated[t->ndelegated++] = (tuf_delegated){copy, delegator, md};
    return 0;
}

int tuf_trusted_update_targets(tuf_trusted *t, const char *name, const tuf_md *delegator, uint8_t *data, size_t len,
                               const tuf_md **out, rerr *e)
{
    tuf_metafile want = {0, -1, JD_NONE};
    const tuf_keyset *ks;
    const tuf_role_auth *auth;
    /* §5.6.1: the role must be listed in the (final) snapshot. */
    int rc = tuf_trusted_role_meta(t, name, &want, e);
    if (rc != 0) {
        rampart_free(data);
        return rc;
    }
    if (tuf_trusted_delegation_auth(t, delegator, name, &ks, &auth) != 0) {
        rampart_free(data);
        return rerr_set(e, RAMPART_ENOTFOUND, name, "role '%s' is not delegated by its parent", name);
    }
    /* §5.6.2: length and hashes as the snapshot describes them. */
    rc = tuf_check_hashes(t->snapshot, want.hashes, want.length, data, len, name, e);
    if (rc != 0) {
        rampart_free(data);
        return rc;
    }
    tuf_md *md = NULL;
    rc = tuf_md_parse(&md, data, len, true, SIZE_MAX, TUF_TARGETS, name, e);
    if (rc != 0)
        return rc;
    /* §5.6.3: signed by the keys the delegator on the current path gives it. */
    rc = tuf_md_verify(md, ks, auth, name, e);
    if (rc != 0)
        goto out;
    /* §5.6.4: the version the snapshot names. */
    if (md->version != want.version) {
        rc = rerr_set(e, RAMPART_EMISMATCH, name, "%s version %lld, but the snapshot names version %lld", name,
                      (long long)md->version, (long long)want.version);
        goto out;
    }
    /* §5.6.5: freeze protection. */
    if (expired(t, md)) {
        rc = expired_error(md, name, e);
        goto out;
    }
    rc = remember(t, name, delegator, md);
    if (rc != 0) {
        rc = rerr_set(e, rc, name, "out of memory");
        goto out;
    }
    *out = md;
    return 0;
out:
    tuf_md_free(md);
    return rc;
}
