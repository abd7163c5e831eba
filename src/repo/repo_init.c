/* repo_init.c - creating a repository (rampart_repo_init). */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "repo/repo_internal.h"
#include "util/fs.h"
#include "util/banned.h"

/* Checks a key list and threshold; `what` names them in messages. */
int rrepo_check_keys(rampart_repo *r, const char *what, const rampart_public_key *const *keys, size_t n,
                     unsigned threshold)
{
    if (n == 0 || keys == NULL)
        return rrepo_fail(r, RAMPART_EINVAL, what, "role '%s' needs at least one key", what);
    unsigned t = threshold ? threshold : 1;
    for (size_t i = 0; i < n; i++) {
        if (keys[i] == NULL)
            return rrepo_fail(r, RAMPART_EINVAL, what, "role '%s': missing key", what);
        for (size_t j = 0; j < i; j++)
            if (strcmp(keys[i]->keyid, keys[j]->keyid) == 0)
                return rrepo_fail(r, RAMPART_EINVAL, what, "role '%s': key %.16s... is given twice", what,
                                  keys[i]->keyid);
    }
    if (t > n)
        return rrepo_fail(r, RAMPART_EINVAL, what,
                          "role '%s': threshold %u is larger than the number of keys (%zu): it could never be met",
                          what, t, n);
    return 0;
}

/* Adds the keys to a "keys" object and returns a role entry
 * {"keyids": [...], "threshold": t} (new reference), or NULL. */
json_t *rrepo_role_entry(json_t *keyobj, const rampart_public_key *const *keys, size_t n, unsigned threshold)
{
    json_t *ids = json_array();
    json_t *entry = json_pack("{s:o,s:I}", "keyids", ids, "threshold", (json_int_t)(threshold ? threshold : 1));
    if (entry == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (json_array_append_new(ids, json_string(keys[i]->keyid)) != 0 ||
            json_object_set_new(keyobj, keys[i]->keyid, rpub_to_json(keys[i])) != 0) {
            json_decref(entry);
            return NULL;
        }
    }
    return entry;
}

static int check_options(rampart_repo *r, const rampart_repo_init_options *o)
{
    static const char *const names[] = {"root", "targets", "snapshot", "timestamp"};
    const rampart_role_keys *rk[] = {&o->root, &o->targets, &o->snapshot, &o->timestamp};
    for (int i = 0; i < 4; i++) {
        int rc = rrepo_check_keys(r, names[i], rk[i]->keys, rk[i]->key_count, rk[i]->threshold);
        if (rc != 0)
            return rc;
        if (rk[i]->expires_seconds < 0)
            return rrepo_fail(r, RAMPART_EINVAL, names[i], "negative expiry period");
    }
    if (o->bins != 0 && (o->bins < 2 || o->bins > RAMPART_REPO_MAX_BINS || (o->bins & (o->bins - 1)) != 0))
        return rrepo_fail(r, RAMPART_EINVAL, NULL, "--bins must be a power of two from 2 to %u, not %u",
                          RAMPART_REPO_MAX_BINS, o->bins);
    if (o->bins != 0 && o->bins_keys.key_count > 0)
        return rrepo_check_keys(r, "bins", o->bins_keys.keys, o->bins_keys.key_count, o->bins_keys.threshold);
    if (o->bins_prefix != NULL)
        return rrepo_check_name(r, o->bins_prefix);
    return 0;
}

static int check_empty_cb(void *ctx, const char *name)
{
    (void)ctx;
    (void)name;
    return RAMPART_EEXIST;
}

static json_t *make_config(const rampart_repo_init_options *o)
{
    long long ex[5] = {o->root.expires_seconds ? o->root.expires_seconds : RAMPART_REPO_ROOT_EXPIRES,
                       o->targets.expires_seconds ? o->targets.expires_seconds : RAMPART_REPO_TARGETS_EXPIRES,
                       o->snapshot.expires_seconds ? o->snapshot.expires_seconds : RAMPART_REPO_SNAPSHOT_EXPIRES,
                       o->timestamp.expires_seconds ? o->timestamp.expires_seconds : RAMPART_REPO_TIMESTAMP_EXPIRES, 0};
    ex[4] = o->delegated_expires_seconds ? o->delegated_expires_seconds : ex[1];
    json_t *hashes = o->sha512 ? json_pack("[s,s]", "sha256", "sha512") : json_pack("[s]", "sha256");
    return json_pack("{s:s,s:i,s:{s:I,s:I,s:I,s:I,s:I},s:o,s:{},s:[]}", "format", RREPO_FORMAT, "format_version", 1,
                     "expires", "root", (json_int_t)ex[0], "targets", (json_int_t)ex[1], "snapshot", (json_int_t)ex[2],
                     "timestamp", (json_int_t)ex[3], "delegated", (json_int_t)ex[4], "hashes", hashes, "delegations",
                     "bins");
}

static int make_root(rampart_repo *r, const rampart_repo_init_options *o)
{
    json_t *sgn = rrepo_skeleton(r, "root", rrepo_period(r, "root"));
    json_t *keys = json_object(), *roles = json_object();
    const rampart_role_keys *rk[] = {&o->root, &o->targets, &o->snapshot, &o->timestamp};
    static const char *const names[] = {"root", "targets", "snapshot", "timestamp"};
    int rc = sgn != NULL && keys != NULL && roles != NULL ? 0 : RAMPART_ENOMEM;
    for (int i = 0; i < 4 && rc == 0; i++)
        if (json_object_set_new(roles, names[i],
                                rrepo_role_entry(keys, rk[i]->keys, rk[i]->key_count, rk[i]->threshold)) != 0)
            rc = RAMPART_ENOMEM;
    if (rc == 0 && (json_object_set_new(sgn, "consistent_snapshot", json_true()) != 0 ||
                    json_object_set(sgn, "keys", keys) != 0 || json_object_set(sgn, "roles", roles) != 0))
        rc = RAMPART_ENOMEM;
    json_decref(keys);
    json_decref(roles);
    rrole *ro;
    if (rc == 0)
        return rrepo_role_new(r, "root", sgn, &ro);
    json_decref(sgn);
    return rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
}

/* Creates bin roles 0..n-1 of `binset`, flushing each (bulk). */
int rrepo_make_bins(rampart_repo *r, json_t *binset)
{
    uint32_t n = rrepo_bin_count(binset);
    for (uint32_t i = 0; i < n; i++) {
        char name[RREPO_NAME_MAX + 16];
        rrole *ro;
        json_t *sgn = rrepo_skeleton(r, "targets", rrepo_period(r, "bins"));
        if (sgn == NULL || json_object_set_new(sgn, "targets", json_object()) != 0) {
            json_decref(sgn);
            return rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
        }
        int rc = rrepo_bin_name(binset, i, name, sizeof(name));
        /* Bins removed once and made again go on from their published
         * versions (clients refuse a lower one, TUF 5.5.5). */
        int64_t pub = rc == 0 ? rrepo_published_version(r, name) : 0;
        if (pub > 0 && json_object_set_new(sgn, "version", json_integer(pub + 1)) != 0)
            rc = rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
        if (rc == 0)
            rc = rrepo_role_new(r, name, sgn, &ro);
        else
            json_decref(sgn);
        if (rc == 0)
            rc = rrepo_flush_role(r, ro, false);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* The "delegations" object for succinct hash bins, and the bin set
 * recorded in the configuration.  *binset is a new reference. */
int rrepo_bins_delegation(rampart_repo *r, const char *delegator, const char *prefix, unsigned bins,
                          const rampart_public_key *const *keys, size_t nkeys, unsigned threshold, json_t **del,
                          json_t **binset)
{
    int bits = 0;
    while ((1u << bits) < bins)
        bits++;
    json_t *keyobj = json_object();
    json_t *entry = keyobj != NULL ? rrepo_role_entry(keyobj, keys, nkeys, threshold) : NULL;
    if (entry == NULL || json_object_set_new(entry, "bit_length", json_integer(bits)) != 0 ||
        json_object_set_new(entry, "name_prefix", json_string(prefix)) != 0) {
        json_decref(entry);
        json_decref(keyobj);
        return rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    }
    *del = json_pack("{s:o,s:o}", "keys", keyobj, "succinct_roles", entry);
    *binset = json_pack("{s:s,s:s,s:i}", "delegator", delegator, "name_prefix", prefix, "bit_length", bits);
    if (*del == NULL || *binset == NULL) {
        json_decref(*del);
        json_decref(*binset);
        return rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    }
    return 0;
}

static int make_targets(rampart_repo *r, const rampart_repo_init_options *o)
{
    json_t *sgn = rrepo_skeleton(r, "targets", rrepo_period(r, "targets"));
    rrole *ro;
    if (sgn == NULL || json_object_set_new(sgn, "targets", json_object()) != 0) {
        json_decref(sgn);
        return rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    }
    int rc = 0;
    if (o->bins != 0) {
        const rampart_role_keys *bk = o->bins_keys.key_count > 0 ? &o->bins_keys : &o->targets;
        json_t *del = NULL, *binset = NULL;
        rc = rrepo_bins_delegation(r, "targets", o->bins_prefix ? o->bins_prefix : "bins", o->bins, bk->keys,
                                   bk->key_count, bk->threshold, &del, &binset);
        if (rc == 0 && (json_object_set_new(sgn, "delegations", del) != 0 ||
                        json_array_append(json_object_get(r->config, "bins"), binset) != 0))
            rc = rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
        if (rc == 0)
            rc = rrepo_make_bins(r, binset);
        json_decref(binset);
    }
    if (rc != 0) {
        json_decref(sgn);
        return rc;
    }
    return rrepo_role_new(r, "targets", sgn, &ro);
}

static void warnings(const rampart_repo_init_options *o, void (*warn)(void *, const char *), void *ctx)
{
    if (warn == NULL)
        return;
    if (o->root.key_count == 1)
        warn(ctx, "root has a single key: losing it loses the repository, and one stolen key is enough to "
                  "take it over; use several root keys with a threshold (e.g. 2 of 3), kept offline");
    else if ((o->root.threshold ? o->root.threshold : 1) == 1)
        warn(ctx, "root threshold is 1: any single root key can take over the repository");
    if (o->targets.key_count == 1 && (o->targets.threshold ? o->targets.threshold : 1) == 1)
        warn(ctx, "targets has a single key: consider a threshold of keys for release signing");
}

int rampart_repo_init(rampart_repo **out, const rampart_repo_init_options *o, void (*warn)(void *ctx, const char *line),
                      void *ctx, rampart_error *err)
{
    rerr_clear(err);
    if (out == NULL || o == NULL || o->version != RAMPART_REPO_INIT_OPTIONS_VERSION || o->dir == NULL)
        return rerr_set(err, RAMPART_EINVAL, NULL, "invalid argument");
    rampart_repo tmp = {.fixed_now = 0};
    int rc = check_options(&tmp, o);
    if (rc != 0) {
        if (err != NULL)
            *err = tmp.err;
        return rc;
    }
    int fd = -1;
    rc = rfs_open_dir(o->dir, true, false, &fd, err);
    if (rc == 0 && rfs_list(fd, check_empty_cb, NULL, NULL) != 0)
        rc = rerr_set(err, RAMPART_EEXIST, NULL, "%s is not empty: a new repository needs an empty folder", o->dir);
    if (fd >= 0)
        close(fd);
    if (rc != 0)
        return rc;
    /* The configuration goes last: until it exists the folder is not a
     * repository, so an interrupted init can simply be run again. */
    json_t *config = make_config(o);
    if (config == NULL)
        return rerr_set(err, RAMPART_ENOMEM, NULL, "out of memory");
    rampart_repo *r = rampart_calloc(1, sizeof(*r));
    if (r != NULL) {
        rrepo_reset_fds(r);
        r->dir = rampart_strndup(o->dir, strlen(o->dir));
    }
    if (r == NULL || r->dir == NULL) {
        rampart_free(r);
        json_decref(config);
        return rerr_set(err, RAMPART_ENOMEM, NULL, "out of memory");
    }
    r->config = config;
    r->config_changed = true;
    r->fixed_now = o->now;
    rc = rrepo_init_dirs(r);
    if (rc == 0)
        rc = make_root(r, o);
    if (rc == 0)
        rc = make_targets(r, o);
    if (rc == 0)
        rc = rrepo_commit(r);
    if (rc != 0) {
        if (err != NULL)
            *err = r->err;
        rampart_repo_free(r);
        return rc;
    }
    warnings(o, warn, ctx);
    *out = r;
    return 0;
}
