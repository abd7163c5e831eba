/* repo_deleg.c - delegations (named roles and succinct hash bins) and key
 * rotation. */
#include <stdio.h>
#include <string.h>

#include "repo/repo_internal.h"
#include "util/codec.h"
#include "util/banned.h"

static bool role_exists(rampart_repo *r, const char *name)
{
    const char *d;
    rerr saved = r->err;
    bool found = rrepo_delegator(r, name, &d, NULL) == 0;
    r->err = saved;
    return found;
}

static int check_delegator(rampart_repo *r, const char *delegator, rrole **out)
{
    if (strcmp(delegator, "root") == 0 || strcmp(delegator, "snapshot") == 0 || strcmp(delegator, "timestamp") == 0)
        return rrepo_fail(r, RAMPART_EINVAL, delegator, "only targets roles delegate, not '%s'", delegator);
    return rrepo_role(r, delegator, out);
}

json_t *rrepo_string_array(const char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a != NULL && i < n; i++) {
        if (v[i] == NULL || json_array_append_new(a, json_string(v[i])) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

int rrepo_check_patterns(rampart_repo *r, const rampart_delegation_options *o)
{
    if (o->path_count > 0 && o->prefix_count > 0)
        return rrepo_fail(r, RAMPART_EINVAL, o->name, "give paths or path hash prefixes, not both");
    if (o->path_count == 0 && o->prefix_count == 0)
        return rrepo_fail(r, RAMPART_EINVAL, o->name,
                          "a delegation needs paths or path hash prefixes (it would cover nothing)");
    for (size_t i = 0; i < o->path_count; i++)
        if (o->paths[i] == NULL || o->paths[i][0] == '\0')
            return rrepo_fail(r, RAMPART_EINVAL, o->name, "empty path pattern");
    for (size_t i = 0; i < o->prefix_count; i++) {
        const char *p = o->path_hash_prefixes[i];
        size_t n = p != NULL ? strlen(p) : 0;
        bool ok = n > 0 && n <= 64;
        for (size_t j = 0; ok && j < n; j++)
            ok = (p[j] >= '0' && p[j] <= '9') || (p[j] >= 'a' && p[j] <= 'f');
        if (!ok)
            return rrepo_fail(r, RAMPART_EINVAL, o->name, "path hash prefixes are 1-64 lower-case hex digits");
    }
    return 0;
}

static int delegate_bins(rampart_repo *r, const rampart_delegation_options *o, const char *delegator, rrole *d)
{
    const char *prefix = o->name != NULL ? o->name : "bins";
    int rc = rrepo_check_name(r, prefix);
    if (rc != 0)
        return rc;
    if (o->bins < 2 || o->bins > RAMPART_REPO_MAX_BINS || (o->bins & (o->bins - 1)) != 0)
        return rrepo_fail(r, RAMPART_EINVAL, NULL, "--bins must be a power of two from 2 to %u, not %u",
                          RAMPART_REPO_MAX_BINS, o->bins);
    if (json_object_get(rrepo_signed(d), "delegations") != NULL)
        return rrepo_fail(r, RAMPART_EINVAL, delegator,
                          "'%s' already delegates; a role delegates either to named roles or to hash bins", delegator);
    size_t i;
    json_t *b;
    json_array_foreach(json_object_get(r->config, "bins"), i, b)
    {
        if (strcmp(json_string_value(json_object_get(b, "name_prefix")), prefix) == 0)
            return rrepo_fail(r, RAMPART_EEXIST, NULL, "hash bins named '%s' exist already", prefix);
    }
    json_t *del = NULL, *binset = NULL;
    rc = rrepo_bins_delegation(r, delegator, prefix, o->bins, o->keys, o->key_count, o->threshold, &del, &binset);
    /* A named role whose name looks like one of the new bins would clash. */
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(r->config, "delegations"), k, v)
    {
        size_t pl = strlen(prefix);
        if (rc == 0 && strncmp(k, prefix, pl) == 0 && k[pl] == '-')
            rc = rrepo_fail(r, RAMPART_EEXIST, NULL, "role '%s' clashes with the bin names %s-*", k, prefix);
    }
    if (rc == 0)
        rc = rrepo_touch(r, d);
    if (rc == 0 && (json_object_set(rrepo_signed(d), "delegations", del) != 0 ||
                    json_array_append(json_object_get(r->config, "bins"), binset) != 0))
        rc = rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    if (rc == 0) {
        r->config_changed = true;
        rc = rrepo_make_bins(r, binset);
    }
    json_decref(del);
    json_decref(binset);
    return rc;
}

static int delegate_role(rampart_repo *r, const rampart_delegation_options *o, const char *delegator, rrole *d)
{
    int rc = o->name != NULL ? rrepo_check_name(r, o->name) : rrepo_fail(r, RAMPART_EINVAL, NULL, "no role name");
    if (rc == 0 && role_exists(r, o->name))
        rc = rrepo_fail(r, RAMPART_EEXIST, o->name, "role '%s' exists already", o->name);
    if (rc == 0)
        rc = rrepo_check_patterns(r, o);
    json_t *sgn = rrepo_signed(d), *del = json_object_get(sgn, "delegations");
    if (rc == 0 && del != NULL && json_object_get(del, "succinct_roles") != NULL)
        rc = rrepo_fail(r, RAMPART_EINVAL, delegator,
                        "'%s' delegates to hash bins; a role delegates either to named roles or to hash bins",
                        delegator);
    if (rc != 0)
        return rc;
    if ((rc = rrepo_touch(r, d)) != 0)
        return rc;
    if (del == NULL) {
        del = json_pack("{s:{},s:[]}", "keys", "roles");
        if (del == NULL || json_object_set_new(sgn, "delegations", del) != 0)
            return rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    }
    json_t *entry = rrepo_role_entry(json_object_get(del, "keys"), o->keys, o->key_count, o->threshold);
    json_t *pats = o->path_count > 0 ? rrepo_string_array(o->paths, o->path_count)
                                     : rrepo_string_array(o->path_hash_prefixes, o->prefix_count);
    json_t *child = rrepo_skeleton(r, "targets", rrepo_period(r, o->name));
    /* A role removed once and delegated again goes on from the version
     * published snapshots list (clients refuse a lower one, TUF 5.5.5). */
    int64_t pub = rrepo_published_version(r, o->name);
    if (child != NULL && pub > 0 && json_object_set_new(child, "version", json_integer(pub + 1)) != 0) {
        json_decref(child);
        child = NULL;
    }
    rrole *ro;
    if (entry == NULL || pats == NULL || child == NULL ||
        json_object_set_new(entry, "name", json_string(o->name)) != 0 ||
        json_object_set_new(entry, "terminating", json_boolean(o->terminating)) != 0 ||
        json_object_set(entry, o->path_count > 0 ? "paths" : "path_hash_prefixes", pats) != 0 ||
        json_array_append(json_object_get(del, "roles"), entry) != 0 ||
        json_object_set_new(json_object_get(r->config, "delegations"), o->name, json_string(delegator)) != 0 ||
        json_object_set_new(child, "targets", json_object()) != 0) {
        rc = rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    }
    json_decref(entry);
    json_decref(pats);
    r->config_changed = true;
    if (rc == 0)
        return rrepo_role_new(r, o->name, child, &ro);
    json_decref(child);
    return rc;
}
/* Ends an edit of the configuration begun with `saved` = a copy of it:
 * commits when everything so far succeeded (rc 0), else puts the saved
 * configuration back.  Takes `saved`; returns the final code. */
int rrepo_finish_config_edit(rampart_repo *r, json_t *saved, int rc)
{
    if (rc == 0)
        rc = rrepo_commit(r);
    if (rc != 0) {
        json_decref(r->config);
        r->config = saved;
        saved = NULL;
        r->config_changed = false;
    }
    json_decref(saved);
    rrepo_drop_cache(r);
    return rc;
}

int rampart_repo_delegate(rampart_repo *r, const rampart_delegation_options *o)
{
    if (r == NULL)
        return RAMPART_EINVAL;
    rerr_clear(&r->err);
    if (o == NULL || o->version != RAMPART_DELEGATION_OPTIONS_VERSION)
        return rrepo_fail(r, RAMPART_EINVAL, NULL, "invalid argument");
    const char *delegator = o->delegator != NULL ? o->delegator : "targets";
    rrole *d;
    json_t *saved = json_deep_copy(r->config);
    int rc = saved != NULL ? 0 : rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    if (rc == 0)
        rc = rrepo_check_keys(r, o->name != NULL ? o->name : "bins", o->keys, o->key_count, o->threshold);
    if (rc == 0)
        rc = check_delegator(r, delegator, &d);
    if (rc == 0)
        rc = o->bins > 0 ? delegate_bins(r, o, delegator, d) : delegate_role(r, o, delegator, d);
    /* Bins are written as they are made; a failure before the commit
     * leaves them unreferenced (no configuration names them). */
    return rrepo_finish_config_edit(r, saved, rc);
}

/* Finds keyid `want` (or a unique prefix of at least 8 digits) in `ids`. */
static int find_keyid(rampart_repo *r, const json_t *ids, const char *want, const char *role, size_t *index)
{
    size_t n = strlen(want), found = 0, i;
    json_t *v;
    json_array_foreach(ids, i, v)
    {
        const char *k = json_string_value(v);
        if (strcmp(k, want) == 0) {
            *index = i;
            return 0;
        }
        if (n >= 8 && strncmp(k, want, n) == 0) {
            *index = i;
            found++;
        }
    }
    if (found == 1)
        return 0;
    char safe[80];
    rampart_sanitize(safe, sizeof(safe), want, n);
    return rrepo_fail(r, found > 1 ? RAMPART_EINVAL : RAMPART_ENOTFOUND, role,
                      found > 1 ? "keyid prefix %s is ambiguous in role '%s'" : "%s is not a key of role '%s'", safe,
                      role);
}

/* True when some role of the delegator still lists `keyid`. */
bool rrepo_key_in_use(const json_t *sgn, const char *keyid)
{
    const char *k;
    json_t *v;
    size_t i, j;
    json_t *id;
    json_object_foreach(json_object_get(sgn, "roles"), k, v)
    {
        json_array_foreach(json_object_get(v, "keyids"), j,
                           id) if (strcmp(json_string_value(id), keyid) == 0) return true;
    }
    json_t *del = json_object_get(sgn, "delegations");
    json_array_foreach(json_object_get(del, "roles"), i, v)
    {
        json_array_foreach(json_object_get(v, "keyids"), j,
                           id) if (strcmp(json_string_value(id), keyid) == 0) return true;
    }
    json_array_foreach(json_object_get(json_object_get(del, "succinct_roles"), "keyids"), j, id)
    {
        if (strcmp(json_string_value(id), keyid) == 0)
            return true;
    }
    return false;
}

static int edit_keys(rampart_repo *r, const rampart_rotate_options *o, const char *role, json_t *sgn, json_t *keys,
                     json_t *auth)
{
    json_t *ids = json_object_get(auth, "keyids");
    int rc = 0;
    for (size_t i = 0; i < o->remove_count && rc == 0; i++) {
        size_t at = 0;
        rc = o->remove_keyids[i] != NULL ? find_keyid(r, ids, o->remove_keyids[i], role, &at)
                                         : rrepo_fail(r, RAMPART_EINVAL, role, "missing keyid");
        if (rc != 0)
            break;
        char kid[65];
        int kn = snprintf(kid, sizeof(kid), "%s", json_string_value(json_array_get(ids, at)));
        if (kn < 0 || (size_t)kn >= sizeof(kid)) {
            rc = rrepo_fail(r, RAMPART_EFORMAT, role, "a keyid of '%s' is longer than 64 characters", role);
            break;
        }
        json_array_remove(ids, at);
        if (!rrepo_key_in_use(sgn, kid))
            json_object_del(keys, kid);
    }
    for (size_t i = 0; i < o->add_count && rc == 0; i++) {
        const rampart_public_key *k = o->add[i];
        size_t j;
        json_t *v;
        if (k == NULL)
            return rrepo_fail(r, RAMPART_EINVAL, role, "missing key");
        json_array_foreach(ids, j, v) if (strcmp(json_string_value(v), k->keyid) == 0) return rrepo_fail(
            r, RAMPART_EINVAL, role, "key %.16s... is already a key of role '%s'", k->keyid, role);
        if (json_array_append_new(ids, json_string(k->keyid)) != 0 ||
            json_object_set_new(keys, k->keyid, rpub_to_json(k)) != 0)
            rc = rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    }
    json_int_t t = o->threshold ? (json_int_t)o->threshold : json_integer_value(json_object_get(auth, "threshold"));
    size_t n = json_array_size(ids);
    if (rc == 0 && n == 0)
        rc = rrepo_fail(r, RAMPART_EINVAL, role, "role '%s' would have no keys left", role);
    if (rc == 0 && (size_t)t > n)
        rc = rrepo_fail(r, RAMPART_EINVAL, role,
                        "threshold %lld is larger than the number of keys of '%s' (%zu): it could never be met",
                        (long long)t, role, n);
    if (rc == 0 && json_object_set_new(auth, "threshold", json_integer(t)) != 0)
        rc = rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    return rc;
}

/* The role must be re-signed by its new keys: a new version of it (all
 * the bins, for a bin set).  Snapshot and timestamp are remade by every
 * publish anyway. */
static int resign(rampart_repo *r, const char *role)
{
    if (strcmp(role, "snapshot") == 0 || strcmp(role, "timestamp") == 0 || strcmp(role, "root") == 0)
        return 0;
    json_t *b = NULL;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(r->config, "bins"), i, v)
    {
        if (strcmp(json_string_value(json_object_get(v, "name_prefix")), role) == 0)
            b = v;
    }
    rrole *ro;
    int rc = 0;
    if (b == NULL) {
        rc = rrepo_role(r, role, &ro);
        return rc == 0 ? rrepo_touch(r, ro) : rc;
    }
    uint32_t n = rrepo_bin_count(b);
    for (uint32_t k = 0; k < n && rc == 0; k++) {
        char name[RREPO_NAME_MAX + 16];
        rc = rrepo_bin_name(b, k, name, sizeof(name));
        if (rc == 0)
            rc = rrepo_role(r, name, &ro);
        if (rc == 0)
            rc = rrepo_touch(r, ro);
        if (rc == 0)
            rc = rrepo_flush_role(r, ro, false);
    }
    return rc;
}

/* The delegator and authorisation entry of `role`, where `role` may also
 * be the name prefix of a bin set. */
static int rotate_target(rampart_repo *r, const char *role, rrole **d, json_t **keys, json_t **auth)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(r->config, "bins"), i, v)
    {
        if (strcmp(json_string_value(json_object_get(v, "name_prefix")), role) == 0) {
            char first[RREPO_NAME_MAX + 16];
            int rc = rrepo_bin_name(v, 0, first, sizeof(first));
            if (rc == 0)
                rc = rrepo_auth(r, first, keys, auth);
            if (rc == 0)
                rc = rrepo_role(r, json_string_value(json_object_get(v, "delegator")), d);
            return rc;
        }
    }
    const char *delegator;
    int rc = rrepo_delegator(r, role, &delegator, NULL);
    if (rc == 0)
        rc = rrepo_auth(r, role, keys, auth);
    if (rc == 0)
        rc = rrepo_role(r, delegator, d);
    return rc;
}

int rampart_repo_rotate(rampart_repo *r, const rampart_rotate_options *o)
{
    if (r == NULL)
        return RAMPART_EINVAL;
    rerr_clear(&r->err);
    if (o == NULL || o->version != RAMPART_ROTATE_OPTIONS_VERSION || o->role == NULL)
        return rrepo_fail(r, RAMPART_EINVAL, NULL, "invalid argument");
    if (o->add_count == 0 && o->remove_count == 0 && o->threshold == 0 && o->expires_seconds == 0)
        return rrepo_fail(r, RAMPART_EINVAL, o->role, "nothing to change: give keys to add or remove, or a threshold");
    if (o->expires_seconds < 0 || (o->expires_seconds > 0 && !rrepo_is_toplevel(o->role)))
        return rrepo_fail(r, RAMPART_EINVAL, o->role, "expiry periods are set for top-level roles only");
    rrole *d;
    json_t *keys, *auth;
    json_t *saved = json_deep_copy(r->config);
    if (saved == NULL)
        return rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    int rc = 0;
    /* An expiry period is a setting of the repository, not content of
     * root: it applies from the role's next signing and needs no root
     * signature.  Only root's own period changes root (re-dated now). */
    if (o->expires_seconds > 0) {
        if (json_object_set_new(json_object_get(r->config, "expires"), o->role, json_integer(o->expires_seconds)) != 0)
            rc = rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
        r->config_changed = true;
        if (rc == 0 && strcmp(o->role, "root") == 0 && (rc = rrepo_role(r, "root", &d)) == 0)
            rc = rrepo_touch(r, d);
    }
    bool keys_change = o->add_count > 0 || o->remove_count > 0 || o->threshold > 0;
    if (rc == 0 && keys_change)
        rc = rotate_target(r, o->role, &d, &keys, &auth);
    if (rc == 0 && keys_change)
        rc = rrepo_touch(r, d);
    /* rrepo_touch may replace nothing but the signatures, so `auth` and
     * `keys` (inside "signed") stay valid. */
    if (rc == 0 && keys_change)
        rc = edit_keys(r, o, o->role, rrepo_signed(d), keys, auth);
    if (rc == 0 && keys_change)
        rc = resign(r, o->role);
    return rrepo_finish_config_edit(r, saved, rc);
}
