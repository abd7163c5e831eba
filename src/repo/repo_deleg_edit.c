/* repo_deleg_edit.c - changing and removing delegations
 * (rampart_repo_edit_delegation, rampart_repo_remove_delegation). */
#include <stdio.h>
#include <string.h>

#include "repo/repo_internal.h"
#include "repo/rfile.h"
#include "tuf/match.h"
#include "util/banned.h"

/* The delegator of named role `name` and its entry in the delegator's
 * "delegations.roles" (borrowed), at *index.  Hash bins are not named
 * roles: their keys and threshold change with rotate. */
static int find_named(rampart_repo *r, const char *name, rrole **d, json_t **entry, size_t *index)
{
    char safe[80];
    rampart_sanitize(safe, sizeof(safe), name, strlen(name));
    json_t *dn = json_object_get(json_object_get(r->config, "delegations"), name);
    if (dn == NULL) {
        size_t i;
        json_t *b;
        json_array_foreach(json_object_get(r->config, "bins"), i, b)
        {
            if (strcmp(json_string_value(json_object_get(b, "name_prefix")), name) == 0)
                return rrepo_fail(r, RAMPART_EINVAL, name,
                                  "'%s' are hash bins: change their keys and threshold with rotate, or remove them",
                                  safe);
        }
        return rrepo_fail(r, rrepo_is_toplevel(name) ? RAMPART_EINVAL : RAMPART_ENOTFOUND, name,
                          "'%s' is not a delegated role of this repository", safe);
    }
    int rc = rrepo_role(r, json_string_value(dn), d);
    if (rc != 0)
        return rc;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(json_object_get(rrepo_signed(*d), "delegations"), "roles"), i, v)
    {
        if (strcmp(json_string_value(json_object_get(v, "name")), name) == 0) {
            *entry = v;
            *index = i;
            return 0;
        }
    }
    return rrepo_fail(r, RAMPART_EFORMAT, name, "'%s' does not delegate to '%s' as the configuration says",
                      json_string_value(dn), safe);
}

/* Removes the keys that no role of delegator document `sgn` lists any more
 * from its "delegations.keys". */
static void drop_unused_keys(json_t *sgn)
{
    json_t *keys = json_object_get(json_object_get(sgn, "delegations"), "keys");
    const char *kid;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(keys, tmp, kid, v)
    {
        if (!rrepo_key_in_use(sgn, kid))
            json_object_del(keys, kid);
    }
}

/* ---- which targets a delegation must keep covering ----------------- */

typedef struct cover {
    const rampart_delegation_edit *o;
    const char *role; /* the edited role */
} cover;

static bool covers(const cover *c, const char *path)
{
    if (c->o->path_count > 0) {
        for (size_t i = 0; i < c->o->path_count; i++)
            if (tuf_glob_match(rslice_cstr(c->o->paths[i]), rslice_cstr(path)))
                return true;
        return false;
    }
    tuf_path_hash ph;
    if (tuf_path_hash_compute(rslice_cstr(path), &ph) != 0)
        return false; /* refused below as not covered: never wrongly kept */
    for (size_t i = 0; i < c->o->prefix_count; i++) {
        const char *p = c->o->path_hash_prefixes[i];
        if (strncmp(ph.hex, p, strlen(p)) == 0)
            return true;
    }
    return false;
}

/* Every target of staged role `name` must lie inside the new patterns. */
static int check_role_targets(rampart_repo *r, const cover *c, const char *name)
{
    char fname[RREPO_NAME_MAX + 32];
    (void)snprintf(fname, sizeof(fname), "%s.json", name); /* names <= RREPO_NAME_MAX */
    json_t *md = NULL;
    int rc = rrepo_read_json(r, r->fds[RDIR_STAGED], fname, &md);
    if (rc == RAMPART_ENOTFOUND)
        rc = rrepo_fail(r, rc, name, "the staged metadata of '%s' is missing", name);
    const char *path;
    json_t *t;
    json_object_foreach(json_object_get(json_object_get(md, "signed"), "targets"), path, t)
    {
        if (rc != 0 || covers(c, path))
            continue;
        char safe[300];
        rampart_sanitize(safe, sizeof(safe), path, strlen(path));
        rc = rrepo_fail(r, RAMPART_EINVAL, c->role,
                        "target '%s' of role '%s' would be outside the new paths of '%s': a target added to a "
                        "delegated role must lie inside the paths that delegation covers (otherwise clients could "
                        "never find it); remove it first",
                        safe, name, c->role);
    }
    json_decref(md);
    return rc;
}

/* The targets of `name` and of every role below it. */
// NOLINTNEXTLINE(misc-no-recursion): at most 64 levels of delegation
static int check_subtree(rampart_repo *r, const cover *c, const char *name, unsigned depth)
{
    if (depth > 64)
        return rrepo_fail(r, RAMPART_EFORMAT, NULL, "delegations nested too deep");
    int rc = check_role_targets(r, c, name);
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(r->config, "delegations"), k, v)
    {
        if (rc == 0 && strcmp(json_string_value(v), name) == 0)
            rc = check_subtree(r, c, k, depth + 1);
    }
    json_t *b = rrepo_binset_of(r, name);
    for (uint32_t i = 0; rc == 0 && b != NULL && i < rrepo_bin_count(b); i++) {
        char bin[RREPO_NAME_MAX + 16];
        rc = rrepo_bin_name(b, i, bin, sizeof(bin));
        if (rc == 0)
            rc = check_role_targets(r, c, bin);
    }
    return rc;
}

/* ---- edit ------------------------------------------------------------- */

static int check_edit(rampart_repo *r, const rampart_delegation_edit *o)
{
    if (o->key_count == 0 && o->threshold == 0 && o->path_count == 0 && o->prefix_count == 0 && o->terminating < 0)
        return rrepo_fail(r, RAMPART_EINVAL, o->name,
                          "nothing to change: give keys, a threshold, paths or hash prefixes, or terminating");
    if (o->terminating > 1)
        return rrepo_fail(r, RAMPART_EINVAL, o->name, "terminating is 0, 1 or -1 (unchanged)");
    if (o->key_count > 0) {
        int rc = rrepo_check_keys(r, o->name, o->keys, o->key_count, o->threshold);
        if (rc != 0)
            return rc;
    }
    if (o->path_count == 0 && o->prefix_count == 0)
        return 0;
    rampart_delegation_options p = RAMPART_DELEGATION_OPTIONS_INIT;
    p.name = o->name;
    p.paths = o->paths;
    p.path_count = o->path_count;
    p.path_hash_prefixes = o->path_hash_prefixes;
    p.prefix_count = o->prefix_count;
    return rrepo_check_patterns(r, &p);
}

/* The new keys replace the old ones (keys no role lists any more leave the
 * delegator's key set). */
static int replace_keys(rampart_repo *r, const rampart_delegation_edit *o, json_t *sgn, json_t *entry)
{
    json_t *keys = json_object_get(json_object_get(sgn, "delegations"), "keys");
    json_t *ids = json_array();
    if (ids == NULL || json_object_set_new(entry, "keyids", ids) != 0)
        return rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    for (size_t i = 0; i < o->key_count; i++)
        if (json_array_append_new(ids, json_string(o->keys[i]->keyid)) != 0 ||
            json_object_set_new(keys, o->keys[i]->keyid, rpub_to_json(o->keys[i])) != 0)
            return rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    drop_unused_keys(sgn);
    return 0;
}

static int apply_edit(rampart_repo *r, const rampart_delegation_edit *o, rrole *d, json_t *entry)
{
    json_t *sgn = rrepo_signed(d);
    int rc = 0;
    if (o->key_count > 0)
        rc = replace_keys(r, o, sgn, entry);
    size_t nkeys = json_array_size(json_object_get(entry, "keyids"));
    json_int_t t =
        o->threshold > 0 ? (json_int_t)o->threshold : json_integer_value(json_object_get(entry, "threshold"));
    if (rc == 0 && (size_t)t > nkeys)
        rc = rrepo_fail(r, RAMPART_EINVAL, o->name,
                        "threshold %lld is larger than the number of keys of '%s' (%zu): it could never be met",
                        (long long)t, o->name, nkeys);
    if (rc == 0 && json_object_set_new(entry, "threshold", json_integer(t)) != 0)
        rc = rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    if (rc == 0 && (o->path_count > 0 || o->prefix_count > 0)) {
        json_t *pats = o->path_count > 0 ? rrepo_string_array(o->paths, o->path_count)
                                         : rrepo_string_array(o->path_hash_prefixes, o->prefix_count);
        json_object_del(entry, "paths");
        json_object_del(entry, "path_hash_prefixes");
        if (pats == NULL || json_object_set_new(entry, o->path_count > 0 ? "paths" : "path_hash_prefixes", pats) != 0)
            rc = rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    }
    if (rc == 0 && o->terminating >= 0 && json_object_set_new(entry, "terminating", json_boolean(o->terminating)) != 0)
        rc = rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    return rc;
}

int rampart_repo_edit_delegation(rampart_repo *r, const rampart_delegation_edit *o)
{
    if (r == NULL)
        return RAMPART_EINVAL;
    rerr_clear(&r->err);
    if (o == NULL || o->version != RAMPART_DELEGATION_EDIT_VERSION || o->name == NULL)
        return rrepo_fail(r, RAMPART_EINVAL, NULL, "invalid argument");
    json_t *saved = json_deep_copy(r->config);
    int rc = saved != NULL ? 0 : rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    rrole *d = NULL, *ro = NULL;
    json_t *entry = NULL;
    size_t index = 0;
    if (rc == 0)
        rc = check_edit(r, o);
    if (rc == 0)
        rc = find_named(r, o->name, &d, &entry, &index);
    cover c = {o, o->name};
    if (rc == 0 && (o->path_count > 0 || o->prefix_count > 0))
        rc = check_subtree(r, &c, o->name, 0);
    /* The delegator gets a new version (rrepo_touch keeps "signed", so
     * `entry` stays valid). */
    if (rc == 0)
        rc = rrepo_touch(r, d);
    if (rc == 0)
        rc = apply_edit(r, o, d, entry);
    /* New keys or a new threshold: the role must be signed again by them. */
    if (rc == 0 && (o->key_count > 0 || o->threshold > 0) && (rc = rrepo_role(r, o->name, &ro)) == 0)
        rc = rrepo_touch(r, ro);
    return rrepo_finish_config_edit(r, saved, rc);
}

/* ---- remove ----------------------------------------------------------- */

/* Deletes the staged files of removed roles, after the commit that stopped
 * naming them (a crash in between leaves only unreferenced files). */
static int delete_staged(rampart_repo *r, const char *name)
{
    char fname[RREPO_NAME_MAX + 32];
    (void)snprintf(fname, sizeof(fname), "%s.json", name); /* names <= RREPO_NAME_MAX */
    int rc = rfs_remove_at(r->fds[RDIR_STAGED], fname, &r->err);
    if (rc == 0)
        rc = rfs_remove_at(r->fds[RDIR_DIRTY], name, &r->err);
    if (rc == 0)
        rc = rrepo_drop_kept(r, name);
    return rc;
}

/* The delegator loses its "delegations" when nothing is left in them, so
 * it may delegate to hash bins later. */
static void drop_empty_delegations(json_t *sgn)
{
    json_t *del = json_object_get(sgn, "delegations");
    if (json_array_size(json_object_get(del, "roles")) == 0 && json_object_get(del, "succinct_roles") == NULL)
        json_object_del(sgn, "delegations");
}

static bool delegates(rampart_repo *r, const char *name)
{
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(r->config, "delegations"), k, v)
    {
        if (strcmp(json_string_value(v), name) == 0)
            return true;
    }
    return rrepo_binset_of(r, name) != NULL;
}

static int remove_bins(rampart_repo *r, json_t *binset, size_t at)
{
    const char *delegator = json_string_value(json_object_get(binset, "delegator"));
    rrole *d;
    int rc = rrepo_role(r, delegator, &d);
    if (rc == 0)
        rc = rrepo_touch(r, d);
    if (rc == 0) {
        json_object_del(json_object_get(rrepo_signed(d), "delegations"), "succinct_roles");
        json_object_del(json_object_get(rrepo_signed(d), "delegations"), "keys");
        drop_empty_delegations(rrepo_signed(d));
        if (json_array_remove(json_object_get(r->config, "bins"), at) != 0)
            rc = rrepo_fail(r, RAMPART_EINTERNAL, NULL, "cannot remove the bin set");
        r->config_changed = true;
    }
    return rc;
}

static int remove_named(rampart_repo *r, const char *name)
{
    rrole *d;
    json_t *entry;
    size_t index;
    int rc = find_named(r, name, &d, &entry, &index);
    if (rc == 0 && delegates(r, name))
        rc = rrepo_fail(r, RAMPART_EINVAL, name, "'%s' delegates to other roles: remove those delegations first", name);
    if (rc == 0)
        rc = rrepo_touch(r, d);
    if (rc == 0) {
        json_t *sgn = rrepo_signed(d);
        json_array_remove(json_object_get(json_object_get(sgn, "delegations"), "roles"), index);
        drop_unused_keys(sgn);
        drop_empty_delegations(sgn);
        json_object_del(json_object_get(r->config, "delegations"), name);
        r->config_changed = true;
    }
    return rc;
}

int rampart_repo_remove_delegation(rampart_repo *r, const char *name)
{
    if (r == NULL)
        return RAMPART_EINVAL;
    rerr_clear(&r->err);
    if (name == NULL)
        return rrepo_fail(r, RAMPART_EINVAL, NULL, "invalid argument");
    json_t *saved = json_deep_copy(r->config);
    if (saved == NULL)
        return rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    json_t *binset = NULL;
    size_t at = 0, i;
    json_t *b;
    json_array_foreach(json_object_get(r->config, "bins"), i, b)
    {
        if (strcmp(json_string_value(json_object_get(b, "name_prefix")), name) == 0) {
            binset = b;
            at = i;
        }
    }
    /* The bin names are needed after the configuration forgot them. */
    json_t *bins = binset != NULL ? json_deep_copy(binset) : NULL;
    int rc = binset != NULL && bins == NULL ? rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory") : 0;
    if (rc == 0)
        rc = binset != NULL ? remove_bins(r, binset, at) : remove_named(r, name);
    rc = rrepo_finish_config_edit(r, saved, rc);
    if (rc == 0 && bins == NULL)
        rc = delete_staged(r, name);
    for (uint32_t k = 0; rc == 0 && bins != NULL && k < rrepo_bin_count(bins); k++) {
        char bin[RREPO_NAME_MAX + 16];
        rc = rrepo_bin_name(bins, k, bin, sizeof(bin));
        if (rc == 0)
            rc = delete_staged(r, bin);
    }
    json_decref(bins);
    return rc;
}
