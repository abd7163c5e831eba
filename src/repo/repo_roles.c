/* repo_roles.c - staged roles: loading, versions, delegators, commit. */
#include <stdio.h>
#include <string.h>

#include "repo/repo_internal.h"
#include "tuf/match.h"
#include "util/fs.h"
#include "util/banned.h"

bool rrepo_is_toplevel(const char *name)
{
    return strcmp(name, "root") == 0 || strcmp(name, "targets") == 0 || strcmp(name, "snapshot") == 0 ||
           strcmp(name, "timestamp") == 0;
}

int rrepo_check_name(rampart_repo *r, const char *name)
{
    size_t n = strlen(name);
    bool ok = n > 0 && n <= RREPO_NAME_MAX && name[0] != '.' && !rrepo_is_toplevel(name);
    for (size_t i = 0; ok && i < n; i++) {
        char c = name[i];
        ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
             c == '-';
    }
    if (!ok) {
        char safe[80];
        rampart_sanitize(safe, sizeof(safe), name, n);
        return rrepo_fail(r, RAMPART_EINVAL, NULL,
                          "bad role name '%s': use 1-%d characters of A-Z a-z 0-9 . _ -, not starting with '.', "
                          "and not root/targets/snapshot/timestamp",
                          safe, RREPO_NAME_MAX);
    }
    /* The names clients refuse (TUF 4.5 ROLENAME: "ROOT", "2.root", ...). */
    char why[256];
    if (tuf_role_name_check(rslice_cstr(name), why, sizeof(why)) != 0)
        return rrepo_fail(r, RAMPART_EINVAL, NULL, "bad role name '%s': %s", name, why);
    return 0;
}

uint32_t rrepo_bin_count(const json_t *binset)
{
    return (uint32_t)1 << json_integer_value(json_object_get(binset, "bit_length"));
}

int rrepo_bin_name(const json_t *binset, uint32_t index, char *out, size_t cap)
{
    int bits = (int)json_integer_value(json_object_get(binset, "bit_length"));
    int width = (bits + 3) / 4;
    int n = snprintf(out, cap, "%s-%0*x", json_string_value(json_object_get(binset, "name_prefix")), width,
                     (unsigned)index);
    return n > 0 && (size_t)n < cap ? 0 : RAMPART_EINVAL;
}

/* The bin set whose prefix and width `name` fits, with its index. */
static json_t *bin_of(rampart_repo *r, const char *name, uint32_t *index)
{
    size_t i;
    json_t *b;
    json_array_foreach(json_object_get(r->config, "bins"), i, b)
    {
        const char *prefix = json_string_value(json_object_get(b, "name_prefix"));
        size_t pl = strlen(prefix);
        int bits = (int)json_integer_value(json_object_get(b, "bit_length"));
        size_t width = (size_t)(bits + 3) / 4;
        if (strncmp(name, prefix, pl) != 0 || name[pl] != '-' || strlen(name + pl + 1) != width)
            continue;
        uint32_t v = 0;
        bool ok = true;
        for (const char *p = name + pl + 1; *p && ok; p++) {
            int d = (*p >= '0' && *p <= '9') ? *p - '0' : (*p >= 'a' && *p <= 'f') ? *p - 'a' + 10 : -1;
            ok = d >= 0;
            v = (v << 4) | (uint32_t)(d < 0 ? 0 : d);
        }
        if (ok && v < rrepo_bin_count(b)) {
            *index = v;
            return b;
        }
    }
    return NULL;
}

json_t *rrepo_binset_of(rampart_repo *r, const char *delegator)
{
    size_t i;
    json_t *b;
    json_array_foreach(json_object_get(r->config, "bins"), i, b)
    {
        if (strcmp(json_string_value(json_object_get(b, "delegator")), delegator) == 0)
            return b;
    }
    return NULL;
}

int rrepo_delegator(rampart_repo *r, const char *name, const char **delegator, json_t **binset)
{
    if (binset != NULL)
        *binset = NULL;
    if (rrepo_is_toplevel(name)) {
        *delegator = "root";
        return 0;
    }
    json_t *d = json_object_get(json_object_get(r->config, "delegations"), name);
    if (d != NULL) {
        *delegator = json_string_value(d);
        return 0;
    }
    uint32_t idx;
    json_t *b = bin_of(r, name, &idx);
    if (b != NULL) {
        *delegator = json_string_value(json_object_get(b, "delegator"));
        if (binset != NULL)
            *binset = b;
        return 0;
    }
    char safe[80];
    rampart_sanitize(safe, sizeof(safe), name, strlen(name));
    return rrepo_fail(r, RAMPART_ENOTFOUND, NULL, "no role '%s' in this repository", safe);
}

static int file_name(const char *role, char *out, size_t cap)
{
    int n = snprintf(out, cap, "%s.json", role);
    return n > 0 && (size_t)n < cap ? 0 : RAMPART_EINVAL;
}

static int cache_add(rampart_repo *r, rrole *ro)
{
    if (r->nroles == r->caproles) {
        size_t ncap = r->caproles ? r->caproles * 2 : 16, sz;
        if (!rsize_mul(ncap, sizeof(*r->roles), &sz)) // NOLINT(bugprone-sizeof-expression): pointers
            return RAMPART_ENOMEM;
        rrole **n = rampart_realloc(r->roles, sz);
        if (n == NULL)
            return RAMPART_ENOMEM;
        r->roles = n;
        r->caproles = ncap;
    }
    r->roles[r->nroles++] = ro;
    return 0;
}

static void role_free(rrole *ro)
{
    if (ro == NULL)
        return;
    json_decref(ro->md);
    rampart_free(ro->name);
    rampart_free(ro);
}

static int role_wrap(rampart_repo *r, const char *name, json_t *md, rrole **out)
{
    rrole *ro = rampart_calloc(1, sizeof(*ro));
    if (ro == NULL || (ro->name = rampart_strndup(name, strlen(name))) == NULL || cache_add(r, ro) != 0) {
        if (ro != NULL)
            rampart_free(ro->name);
        rampart_free(ro);
        json_decref(md);
        return rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    }
    ro->md = md;
    *out = ro;
    return 0;
}

int rrepo_role(rampart_repo *r, const char *name, rrole **out)
{
    for (size_t i = r->nroles; i-- > 0;) {
        if (strcmp(r->roles[i]->name, name) == 0) {
            *out = r->roles[i];
            return 0;
        }
    }
    const char *delegator;
    int rc = rrepo_delegator(r, name, &delegator, NULL);
    if (rc != 0)
        return rc;
    if (strcmp(name, "snapshot") == 0 || strcmp(name, "timestamp") == 0)
        return rrepo_fail(r, RAMPART_EINVAL, name, "%s metadata is made by publish, not edited", name);
    char fname[RREPO_NAME_MAX + 32];
    if (file_name(name, fname, sizeof(fname)) != 0)
        return rrepo_fail(r, RAMPART_EINVAL, NULL, "role name too long");
    json_t *md = NULL;
    rc = rrepo_read_json(r, r->fds[RDIR_STAGED], fname, &md);
    if (rc == RAMPART_ENOTFOUND)
        return rrepo_fail(r, rc, name, "the staged metadata of '%s' is missing from %s/staged", name, r->dir);
    if (rc != 0)
        return rc;
    if (!json_is_object(md) || !json_is_object(json_object_get(md, "signed")) ||
        !json_is_array(json_object_get(md, "signatures"))) {
        json_decref(md);
        return rrepo_fail(r, RAMPART_EFORMAT, name, "staged/%s is damaged", fname);
    }
    rc = role_wrap(r, name, md, out);
    if (rc == 0)
        (*out)->loaded = true;
    return rc;
}

int rrepo_role_new(rampart_repo *r, const char *name, json_t *signed_part, rrole **out)
{
    json_t *md = signed_part != NULL ? json_pack("{s:[],s:o}", "signatures", "signed", signed_part) : NULL;
    if (md == NULL)
        return rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    int rc = role_wrap(r, name, md, out);
    if (rc == 0)
        (*out)->changed = true;
    return rc;
}

json_t *rrepo_signed(const rrole *ro)
{
    return json_object_get(ro->md, "signed");
}

int64_t rrepo_version(const rrole *ro)
{
    return json_integer_value(json_object_get(rrepo_signed(ro), "version"));
}

static int load_published(rampart_repo *r)
{
    if (r->published_loaded)
        return 0;
    json_t *snap = NULL;
    int rc = rrepo_read_json(r, r->fds[RDIR_STATE], "snapshot.json", &snap);
    if (rc == RAMPART_ENOTFOUND)
        rc = 0;
    if (rc != 0)
        return rc;
    if (snap != NULL) {
        r->published = json_incref(json_object_get(snap, "signed"));
        json_decref(snap);
    }
    r->published_loaded = true;
    return 0;
}

int64_t rrepo_published_version(rampart_repo *r, const char *name)
{
    if (strcmp(name, "root") == 0) {
        rrole *root;
        if (rrepo_role(r, "root", &root) != 0)
            return 0;
        /* Roots are published one version after another. */
        int64_t v = rrepo_version(root);
        char fname[64];
        (void)snprintf(fname, sizeof(fname), "%lld.root.json", (long long)v); /* a number: fits */
        if (rfs_exists_at(r->fds[RDIR_ROOTS], fname))
            return v;
        (void)snprintf(fname, sizeof(fname), "%lld.root.json", (long long)(v - 1)); /* a number: fits */
        if (v > 1 && rfs_exists_at(r->fds[RDIR_ROOTS], fname))
            return v - 1;
        return 0;
    }
    if (load_published(r) != 0 || r->published == NULL)
        return 0;
    char fname[RREPO_NAME_MAX + 32];
    if (file_name(name, fname, sizeof(fname)) != 0)
        return 0;
    json_t *m = json_object_get(json_object_get(r->published, "meta"), fname);
    return json_integer_value(json_object_get(m, "version"));
}

int rrepo_touch(rampart_repo *r, rrole *ro)
{
    json_t *sgn = rrepo_signed(ro);
    int64_t pub = rrepo_published_version(r, ro->name);
    if (rrepo_version(ro) <= pub) {
        if (json_object_set_new(sgn, "version", json_integer(pub + 1)) != 0)
            return rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
        /* The staged file is the published version: kept when replaced. */
        ro->bumped = ro->loaded;
    }
    int rc = rrepo_set_expires(r, sgn, rrepo_period(r, ro->name));
    if (rc == 0 && json_object_set_new(ro->md, "signatures", json_array()) != 0)
        rc = rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    if (rc == 0)
        ro->changed = true;
    return rc;
}

int rrepo_auth(rampart_repo *r, const char *name, json_t **keys, json_t **auth)
{
    const char *delegator;
    json_t *binset;
    rrole *d;
    int rc = rrepo_delegator(r, name, &delegator, &binset);
    if (rc == 0)
        rc = rrepo_role(r, delegator, &d);
    if (rc != 0)
        return rc;
    json_t *sgn = rrepo_signed(d);
    if (strcmp(delegator, "root") == 0) {
        *keys = json_object_get(sgn, "keys");
        *auth = json_object_get(json_object_get(sgn, "roles"), name);
    } else {
        json_t *del = json_object_get(sgn, "delegations");
        *keys = json_object_get(del, "keys");
        *auth = NULL;
        if (binset != NULL) {
            *auth = json_object_get(del, "succinct_roles");
        } else {
            size_t i;
            json_t *v;
            json_array_foreach(json_object_get(del, "roles"), i, v)
            {
                if (strcmp(json_string_value(json_object_get(v, "name")), name) == 0)
                    *auth = v;
            }
        }
    }
    if (!json_is_object(*keys) || !json_is_object(*auth))
        return rrepo_fail(r, RAMPART_EFORMAT, name, "'%s' does not delegate to '%s' as the configuration says",
                          delegator, name);
    return 0;
}

static int write_marker(rampart_repo *r, const char *name)
{
    if (rfs_exists_at(r->fds[RDIR_DIRTY], name))
        return 0;
    return rfs_write_nosync(r->fds[RDIR_DIRTY], name, "", 0, 0644, &r->err);
}

static int write_role(rampart_repo *r, rrole *ro)
{
    char fname[RREPO_NAME_MAX + 32];
    if (file_name(ro->name, fname, sizeof(fname)) != 0)
        return rrepo_fail(r, RAMPART_EINVAL, NULL, "role name too long");
    if (ro->bumped) {
        int rc = rrepo_keep_published(r, fname);
        if (rc != 0)
            return rc;
        ro->bumped = false;
    }
    return rrepo_write_json(r, r->fds[RDIR_STAGED], fname, ro->md, false);
}

int rrepo_flush_role(rampart_repo *r, rrole *ro, bool sync)
{
    int rc = 0;
    if (ro->changed) {
        rc = write_marker(r, ro->name);
        if (rc == 0 && sync)
            rc = rfs_sync_fs(r->dirfd, &r->err);
        if (rc == 0)
            rc = write_role(r, ro);
        if (rc == 0 && sync)
            rc = rfs_sync_fs(r->dirfd, &r->err);
    }
    for (size_t i = 0; i < r->nroles; i++) {
        if (r->roles[i] == ro) {
            r->roles[i] = r->roles[--r->nroles];
            break;
        }
    }
    role_free(ro);
    return rc;
}

void rrepo_drop_cache(rampart_repo *r)
{
    for (size_t i = 0; i < r->nroles; i++)
        role_free(r->roles[i]);
    r->nroles = 0;
}

int rrepo_commit(rampart_repo *r)
{
    int rc = 0;
    for (size_t i = 0; i < r->nroles && rc == 0; i++)
        if (r->roles[i]->changed)
            rc = write_marker(r, r->roles[i]->name);
    /* The markers are durable before the edits they announce. */
    if (rc == 0)
        rc = rfs_sync_fs(r->dirfd, &r->err);
    for (size_t i = 0; i < r->nroles && rc == 0; i++)
        if (r->roles[i]->changed)
            rc = write_role(r, r->roles[i]);
    if (rc == 0 && r->config_changed)
        rc = rrepo_write_json(r, r->dirfd, RREPO_CONFIG, r->config, false);
    if (rc == 0)
        rc = rfs_sync_fs(r->dirfd, &r->err);
    if (rc == 0)
        r->config_changed = false;
    rrepo_drop_cache(r);
    return rc;
}

int rrepo_route(rampart_repo *r, const char *role, const char *path, char *out, size_t cap)
{
    json_t *b = rrepo_binset_of(r, role);
    if (b == NULL) {
        int n = snprintf(out, cap, "%s", role);
        return n > 0 && (size_t)n < cap ? 0 : rrepo_fail(r, RAMPART_EINVAL, NULL, "role name too long");
    }
    tuf_path_hash ph;
    if (tuf_path_hash_compute(rslice_cstr(path), &ph) != 0)
        return rrepo_fail(r, RAMPART_ECRYPTO, NULL, "cannot hash a target path");
    uint32_t first = (uint32_t)ph.digest[0] << 24 | (uint32_t)ph.digest[1] << 16 | (uint32_t)ph.digest[2] << 8 |
                     (uint32_t)ph.digest[3];
    int bits = (int)json_integer_value(json_object_get(b, "bit_length"));
    return rrepo_bin_name(b, first >> (32 - bits), out, cap);
}
