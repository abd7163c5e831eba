/* repo_refresh.c - re-signing the timestamp (and snapshot) with fresh
 * expiry dates, for cron. */
#include <stdio.h>
#include <string.h>

#include "repo/repo_internal.h"
#include "util/fs.h"
#include "util/banned.h"

#define PENDING "pending.json"

int rampart_repo_refresh(rampart_repo *r, const char *role, rampart_publish_result *res)
{
    if (r == NULL)
        return RAMPART_EINVAL;
    rerr_clear(&r->err);
    bool snapshot = role != NULL && strcmp(role, "snapshot") == 0;
    if (role == NULL || (!snapshot && strcmp(role, "timestamp") != 0))
        return rrepo_fail(r, RAMPART_EINVAL, role, "only timestamp and snapshot are refreshed");
    int rc = rrepo_public_open(r, NULL);
    if (rc == 0 && rfs_exists_at(r->fds[RDIR_STATE], PENDING))
        rc = rrepo_pub_finish(r, NULL);
    /* A timestamp is of use only with what it points to in place. */
    if (rc == 0)
        rc = rrepo_repair(r, false, NULL);
    if (rc != 0)
        return rc;
    if (!rfs_exists_at(r->fds[RDIR_STATE], "timestamp.json"))
        return rrepo_fail(r, RAMPART_EINVAL, role, "nothing is published yet: run publish first");
    json_t *snap = NULL, *ts = NULL;
    tuf_md *root = NULL;
    char fname[64];
    /* Online roles verify against the root clients have: the published one. */
    int64_t pv = rrepo_published_version(r, "root");
    json_t *rootj = NULL;
    (void)snprintf(fname, sizeof(fname), "%lld.root.json", (long long)pv); /* a number: fits */
    rc = rrepo_read_json(r, r->fds[RDIR_ROOTS], fname, &rootj);
    if (rc == 0)
        rc = rrepo_parse(r, rootj, TUF_ROOT, "root", &root);
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
        rc = rrepo_pub_sign_online(r, ts, root, TUF_TIMESTAMP);
    int64_t sv = json_integer_value(json_object_get(json_object_get(snap, "signed"), "version"));
    if (rc == 0 && snapshot) {
        /* Not referenced until the timestamp below: safe to (re)write. */
        (void)snprintf(fname, sizeof(fname), "%lld.snapshot.json", (long long)sv); /* a number: fits */
        rc = rrepo_write_json(r, r->fds[RDIR_META], fname, snap, true);
        if (rc == 0)
            rc = rrepo_write_json(r, r->fds[RDIR_STATE], "snapshot.json", snap, true);
    }
    /* State first: after a crash in between, the next refresh moves on to
     * a higher version instead of re-using this one with other bytes. */
    if (rc == 0)
        rc = rrepo_write_json(r, r->fds[RDIR_STATE], "timestamp.json", ts, true);
    if (rc == 0)
        rc = rrepo_write_json(r, r->fds[RDIR_META], "timestamp.json", ts, true);
    if (rc == 0 && res != NULL) {
        res->roles_published = snapshot ? 2 : 1;
        res->snapshot_version = sv;
        res->timestamp_version = json_integer_value(json_object_get(json_object_get(ts, "signed"), "version"));
    }
    json_decref(r->published);
    r->published = NULL;
    r->published_loaded = false;
    rrepo_drop_cache(r);
    tuf_md_free(root);
    json_decref(rootj);
    json_decref(snap);
    json_decref(ts);
    return rc;
}
