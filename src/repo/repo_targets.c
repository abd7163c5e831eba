/* repo_targets.c - adding, removing and listing targets. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "repo/repo_internal.h"
#include "repo/rfile.h"
#include "tuf/match.h"
#include "util/codec.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/banned.h"

#define ROLE_CAP (RREPO_NAME_MAX + 16)
/* Most files one call adds (a bound on memory, far above any release). */
#define MAX_ITEMS ((size_t)16 * 1024 * 1024)

typedef struct item {
    char *tpath;
    char *src;
    const json_t *custom; /* its "custom" (borrowed), or NULL */
    char role[ROLE_CAP];
} item;

typedef struct items {
    item *v;
    size_t n, cap;
} items;

static void items_free(items *it)
{
    for (size_t i = 0; i < it->n; i++) {
        rampart_free(it->v[i].tpath);
        rampart_free(it->v[i].src);
    }
    rampart_free(it->v);
}

static char *join(const char *a, const char *b)
{
    size_t la = a != NULL ? strlen(a) : 0, lb = strlen(b), sz;
    if (!rsize_add(la, lb, &sz) || !rsize_add(sz, 2, &sz))
        return NULL;
    char *s = rampart_malloc(sz);
    if (s == NULL)
        return NULL;
    if (la > 0) {
        memcpy(s, a, la); // NOLINT(bugprone-not-null-terminated-result): '/' and b (with its NUL) follow
        s[la++] = '/';
    }
    memcpy(s + la, b, lb + 1);
    return s;
}

static int push(rampart_repo *r, items *it, char *tpath, char *src)
{
    if (tpath == NULL || src == NULL || it->n >= MAX_ITEMS) {
        rampart_free(tpath);
        rampart_free(src);
        return rrepo_fail(r, it->n >= MAX_ITEMS ? RAMPART_ETOOLARGE : RAMPART_ENOMEM, NULL,
                          it->n >= MAX_ITEMS ? "too many files in one call" : "out of memory");
    }
    if (it->n == it->cap) {
        size_t ncap = it->cap ? it->cap * 2 : 64, sz;
        item *n = rsize_mul(ncap, sizeof(*n), &sz) ? rampart_realloc(it->v, sz) : NULL;
        if (n == NULL) {
            rampart_free(tpath);
            rampart_free(src);
            return rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
        }
        it->v = n;
        it->cap = ncap;
    }
    item *x = &it->v[it->n++];
    x->tpath = tpath;
    x->src = src;
    x->custom = NULL;
    x->role[0] = '\0';
    return 0;
}

/* Collects the regular files below folder `src` (symlinks are skipped,
 * never followed); `rel` is the target path prefix so far. */
// NOLINTNEXTLINE(misc-no-recursion): at most RFS_MAX_DEPTH levels
static int walk(rampart_repo *r, items *it, const char *src, const char *rel, unsigned depth)
{
    if (depth > RFS_MAX_DEPTH)
        return rrepo_fail(r, RAMPART_EPATH, NULL, "%s: folders nested too deep", src);
    DIR *d = opendir(src);
    if (d == NULL)
        return rrepo_fail(r, RAMPART_EIO, NULL, "cannot read folder %s: %s", src, strerror(errno));
    int rc = 0;
    for (;;) {
        errno = 0;
        struct dirent *ent = readdir(d);
        if (ent == NULL) {
            if (errno != 0)
                rc = rrepo_fail(r, RAMPART_EIO, NULL, "cannot read folder %s: %s", src, strerror(errno));
            break;
        }
        if (strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0)
            continue;
        char *path = join(src, ent->d_name), *tp = join(rel, ent->d_name);
        struct stat st;
        if (path == NULL || tp == NULL) {
            rc = rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
        } else if (lstat(path, &st) != 0) {
            rc = rrepo_fail(r, RAMPART_EIO, NULL, "cannot stat %s: %s", path, strerror(errno));
        } else if (S_ISDIR(st.st_mode)) {
            rc = walk(r, it, path, tp, depth + 1);
        } else if (S_ISREG(st.st_mode)) {
            rc = push(r, it, tp, path);
            path = tp = NULL;
        }
        rampart_free(path);
        rampart_free(tp);
        if (rc != 0)
            break;
    }
    closedir(d);
    return rc;
}

static int collect(rampart_repo *r, items *it, const char *source, const char *target_path)
{
    struct stat st;
    if (lstat(source, &st) != 0)
        return rrepo_fail(r, errno == ENOENT ? RAMPART_ENOTFOUND : RAMPART_EIO, NULL, "%s: %s", source,
                          strerror(errno));
    if (S_ISDIR(st.st_mode))
        return walk(r, it, source, target_path, 0);
    if (!S_ISREG(st.st_mode))
        return rrepo_fail(r, RAMPART_EPATH, NULL, "%s is not a regular file or a folder", source);
    const char *base = strrchr(source, '/');
    base = base != NULL ? base + 1 : source;
    const char *tp = target_path != NULL ? target_path : base;
    return push(r, it, rampart_strndup(tp, strlen(tp)), rampart_strndup(source, strlen(source)));
}

static int check_path(rampart_repo *r, const char *tpath)
{
    if (rfs_confine_check(tpath, strlen(tpath), RFS_MAX_DEPTH) == 0)
        return 0;
    char safe[300];
    rampart_sanitize(safe, sizeof(safe), tpath, strlen(tpath));
    return rrepo_fail(r, RAMPART_EPATH, NULL,
                      "target path '%s' is not allowed: it must be relative, without '..', '.' or empty components",
                      safe);
}

static int cmp_item(const void *a, const void *b)
{
    const item *x = a, *y = b;
    int c = strcmp(x->role, y->role);
    return c != 0 ? c : strcmp(x->tpath, y->tpath);
}

static int fail_exists(rampart_repo *r, const char *tpath, const char *role)
{
    char safe[300];
    rampart_sanitize(safe, sizeof(safe), tpath, strlen(tpath));
    return rrepo_fail(r, RAMPART_EEXIST, role, "target '%s' already exists in role '%s' (use --replace to update it)",
                      safe, role);
}

/* The words of docs/repo.md that every refusal below quotes. */
#define OUTSIDE_RULE                                                                                                   \
    "a target added to a delegated role must lie inside the paths that delegation covers (otherwise clients could "    \
    "never find it)"

/* TAP 15: a client looks for a path only in the one bin its
 * hash selects, so a target named by hand for another bin (`--role
 * bins-0`) would be published but never found, and could even be listed
 * by several bins.  Refused. */
static int check_bin(rampart_repo *r, const char *bin, const char *delegator, items *it)
{
    for (size_t i = 0; i < it->n; i++) {
        char want[ROLE_CAP];
        int rc = rrepo_route(r, delegator, it->v[i].tpath, want, sizeof(want));
        if (rc != 0)
            return rc;
        if (strcmp(want, bin) != 0) {
            char safe[300];
            rampart_sanitize(safe, sizeof(safe), it->v[i].tpath, strlen(it->v[i].tpath));
            return rrepo_fail(r, RAMPART_EINVAL, bin,
                              "target '%s' hashes to bin '%s', not '%s': " OUTSIDE_RULE
                              "; add it with --role %s to place it in its bin",
                              safe, want, bin, delegator);
        }
    }
    return 0;
}

/* A target listed by `role` is found by clients only when every
 * delegation on the way from targets down to `role` covers its path; a
 * target outside them would be published but never found, so it is
 * refused.  A bin covers exactly the paths whose hash selects it. */
static int check_reachable(rampart_repo *r, const char *role, items *it)
{
    int rc = 0;
    const char *name = role;
    for (unsigned depth = 0; rc == 0 && depth < 64; depth++) {
        const char *delegator;
        json_t *binset;
        if ((rc = rrepo_delegator(r, name, &delegator, &binset)) != 0 || strcmp(delegator, "root") == 0)
            break;
        if (binset != NULL) {
            rc = check_bin(r, name, delegator, it);
        } else {
            tuf_md *del = NULL;
            rc = rrepo_delegator_md(r, name, &del, NULL);
            const tuf_delegation *dr = NULL;
            for (size_t i = 0; rc == 0 && i < del->ndelegations; i++)
                if (rslice_eq_cstr(del->delegations[i].auth.name, name))
                    dr = &del->delegations[i];
            for (size_t i = 0; rc == 0 && dr != NULL && i < it->n; i++) {
                tuf_path_hash ph;
                if (tuf_path_hash_compute(rslice_cstr(it->v[i].tpath), &ph) != 0)
                    rc = rrepo_fail(r, RAMPART_ECRYPTO, NULL, "cannot hash a target path");
                else if (!tuf_delegation_covers(del, dr, rslice_cstr(it->v[i].tpath), &ph)) {
                    char safe[300];
                    rampart_sanitize(safe, sizeof(safe), it->v[i].tpath, strlen(it->v[i].tpath));
                    rc = rrepo_fail(r, RAMPART_EINVAL, name,
                                    "target '%s' is outside the paths '%s' delegates to '%s': " OUTSIDE_RULE, safe,
                                    delegator, name);
                }
            }
            tuf_md_free(del);
            rrepo_drop_cache(r);
        }
        name = delegator;
    }
    return rc;
}

/* Pass 1: everything that can be wrong with the input, before any write. */
static int validate(rampart_repo *r, items *it, const rampart_target_options *o)
{
    const char *role = o->role != NULL ? o->role : "targets";
    const char *delegator;
    int rc = rrepo_delegator(r, role, &delegator, NULL);
    if (rc == 0 && (strcmp(role, "root") == 0 || strcmp(role, "snapshot") == 0 || strcmp(role, "timestamp") == 0))
        rc = rrepo_fail(r, RAMPART_EINVAL, role, "targets belong to targets roles, not '%s'", role);
    for (size_t i = 0; i < it->n && rc == 0; i++) {
        rc = check_path(r, it->v[i].tpath);
        if (rc == 0)
            rc = rrepo_route(r, role, it->v[i].tpath, it->v[i].role, ROLE_CAP);
    }
    if (rc == 0)
        rc = check_reachable(r, role, it);
    if (rc != 0)
        return rc;
    qsort(it->v, it->n, sizeof(item), cmp_item);
    for (size_t i = 1; i < it->n; i++)
        if (strcmp(it->v[i].tpath, it->v[i - 1].tpath) == 0)
            return rrepo_fail(r, RAMPART_EEXIST, NULL, "target path given twice: %s", it->v[i].tpath);
    rrole *ro = NULL;
    for (size_t i = 0; i < it->n && rc == 0; i++) {
        if (ro == NULL || strcmp(ro->name, it->v[i].role) != 0) {
            if (ro != NULL && (rc = rrepo_flush_role(r, ro, false)) != 0)
                break;
            if ((rc = rrepo_role(r, it->v[i].role, &ro)) != 0) {
                ro = NULL;
                break;
            }
        }
        if (!o->replace && json_object_get(json_object_get(rrepo_signed(ro), "targets"), it->v[i].tpath) != NULL)
            rc = fail_exists(r, it->v[i].tpath, it->v[i].role);
    }
    if (ro != NULL && rc == 0)
        rc = rrepo_flush_role(r, ro, false);
    return rc;
}

/* Files up to this size are read into memory, hashed, and written
 * straight into their blobs/XX folder (one rename within a folder); larger
 * ones are streamed. */
#define SMALL_FILE (4u << 20)

static int hash_hex(rampart_repo *r, rhash_alg alg, const uint8_t *d, size_t n, char *hex)
{
    uint8_t out[RHASH_MAX_LEN];
    if (rhash_digest(alg, d, n, out) != 0)
        return rrepo_fail(r, RAMPART_ECRYPTO, NULL, "hashing failed");
    rhex_encode(hex, out, rhash_len(alg));
    return 0;
}

static unsigned first_byte(const char *hex)
{
    unsigned v = 0;
    for (int i = 0; i < 2; i++)
        v = v * 16 + (unsigned)(hex[i] <= '9' ? hex[i] - '0' : hex[i] - 'a' + 10);
    return v;
}

static int store_small(rampart_repo *r, const item *x, bool sha512, char *hex256, char *hex512, uint64_t *len)
{
    rbuf b;
    rbuf_init(&b, SMALL_FILE);
    int subfd = -1, rc = rfs_read_file(AT_FDCWD, x->src, &b, &r->err);
    if (rc == RAMPART_ETOOLARGE) {
        rbuf_free(&b);
        return rc; /* the caller streams it */
    }
    if (rc != 0)
        rc = rrepo_fail(r, rc, NULL, "cannot read %s: %s", x->src, r->err.message);
    if (rc == 0)
        rc = hash_hex(r, RHASH_SHA256, b.data, b.len, hex256);
    if (rc == 0 && sha512)
        rc = hash_hex(r, RHASH_SHA512, b.data, b.len, hex512);
    if (rc == 0)
        rc = rrepo_blobdir(r, first_byte(hex256), &subfd);
    /* Content-addressed: an existing blob already holds these bytes. */
    if (rc == 0 && !rfs_exists_at(subfd, hex256))
        rc = rfs_write_nosync(subfd, hex256, b.data, b.len, 0644, &r->err);
    if (rc == 0)
        *len = b.len;
    rbuf_free(&b);
    return rc;
}

static int store_large(rampart_repo *r, const item *x, bool sha512, char *hex256, char *hex512, uint64_t *len)
{
    rhash h[2] = {{0}, {0}};
    rfs_tmp t = {.fd = -1};
    uint8_t d256[RHASH_MAX_LEN], d512[RHASH_MAX_LEN];
    int subfd = -1, rc = rhash_init(&h[0], RHASH_SHA256);
    if (rc == 0 && sha512)
        rc = rhash_init(&h[1], RHASH_SHA512);
    if (rc != 0)
        rc = rrepo_fail(r, rc, NULL, "cannot start hashing");
    if (rc == 0)
        rc = rfile_copy_hashed(x->src, r->fds[RDIR_BLOBS], &t, h, sha512 ? 2 : 1, len, &r->err);
    if (rc == 0 && (rhash_final(&h[0], d256) != 0 || (sha512 && rhash_final(&h[1], d512) != 0)))
        rc = rrepo_fail(r, RAMPART_ECRYPTO, NULL, "hashing %s failed", x->src);
    rhash_free(&h[0]);
    rhash_free(&h[1]);
    if (rc == 0) {
        rhex_encode(hex256, d256, 32);
        if (sha512)
            rhex_encode(hex512, d512, 64);
        rc = rrepo_blobdir(r, first_byte(hex256), &subfd);
        int fd = t.fd;
        t.fd = -1;
        if (rc == 0 && close(fd) != 0)
            rc = rrepo_fail(r, RAMPART_EIO, NULL, "cannot close a stored copy: %s", strerror(errno));
        if (rc == 0 && renameat(r->fds[RDIR_BLOBS], t.name, subfd, hex256) != 0)
            rc = rrepo_fail(r, RAMPART_EIO, NULL, "cannot store %s: %s", x->src, strerror(errno));
        if (rc == 0)
            t.name[0] = '\0';
    }
    rfs_tmp_discard(&t);
    return rc;
}

/* Stores the file's bytes under blobs/XX/SHA256 and returns its entry. */
static int store(rampart_repo *r, const item *x, json_t **entry)
{
    const json_t *custom = x->custom;
    bool sha512 = json_array_size(json_object_get(r->config, "hashes")) > 1;
    char hex256[65], hex512[129];
    uint64_t len = 0;
    int rc = store_small(r, x, sha512, hex256, hex512, &len);
    if (rc == RAMPART_ETOOLARGE)
        rc = store_large(r, x, sha512, hex256, hex512, &len);
    if (rc != 0)
        return rc;
    json_t *hashes =
        sha512 ? json_pack("{s:s,s:s}", "sha256", hex256, "sha512", hex512) : json_pack("{s:s}", "sha256", hex256);
    *entry = json_pack("{s:I,s:o}", "length", (json_int_t)len, "hashes", hashes);
    if (*entry != NULL && custom != NULL && json_object_set(*entry, "custom", (json_t *)custom) != 0) {
        json_decref(*entry);
        *entry = NULL;
    }
    return *entry != NULL ? 0 : rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
}

/* Pass 2: markers first (synced), then contents and roles, one role at a
 * time so memory stays bounded, then one sync for the whole batch. */
static int apply(rampart_repo *r, items *it)
{
    int rc = 0;
    for (size_t i = 0; i < it->n && rc == 0; i++)
        if (i == 0 || strcmp(it->v[i].role, it->v[i - 1].role) != 0)
            if (!rfs_exists_at(r->fds[RDIR_DIRTY], it->v[i].role))
                rc = rfs_write_nosync(r->fds[RDIR_DIRTY], it->v[i].role, "", 0, 0644, &r->err);
    if (rc == 0)
        rc = rfs_sync_fs(r->dirfd, &r->err);
    rrole *ro = NULL;
    for (size_t i = 0; i < it->n && rc == 0; i++) {
        if (ro == NULL || strcmp(ro->name, it->v[i].role) != 0) {
            if (ro != NULL && (rc = rrepo_flush_role(r, ro, false)) != 0) {
                ro = NULL;
                break;
            }
            ro = NULL;
            if ((rc = rrepo_role(r, it->v[i].role, &ro)) != 0 || (rc = rrepo_touch(r, ro)) != 0)
                break;
        }
        json_t *entry = NULL;
        rc = store(r, &it->v[i], &entry);
        if (rc == 0 && json_object_set_new(json_object_get(rrepo_signed(ro), "targets"), it->v[i].tpath, entry) != 0)
            rc = rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    }
    if (ro != NULL && rc == 0)
        rc = rrepo_flush_role(r, ro, false);
    if (rc == 0)
        rc = rfs_sync_fs(r->dirfd, &r->err);
    rrepo_drop_cache(r);
    return rc;
}

/* --provenance: the attestation becomes a second item, with the binding
 * in the file's custom metadata (*pcustom, released by the caller). */
static int attach_provenance(rampart_repo *r, items *it, const char *source, const char *att, const json_t *custom,
                             json_t **pcustom)
{
    struct stat st;
    if (it->n != 1 || lstat(source, &st) != 0 || !S_ISREG(st.st_mode))
        return rrepo_fail(r, RAMPART_EINVAL, NULL, "an attestation binds one file: give a file, not a folder");
    char *apath = NULL;
    int rc = rrepo_prov_bind(r, it->v[0].src, it->v[0].tpath, att, custom, pcustom, &apath);
    if (rc == 0)
        rc = push(r, it, apath, rampart_strndup(att, strlen(att)));
    if (rc == 0)
        it->v[0].custom = *pcustom;
    return rc;
}

int rampart_repo_add_target(rampart_repo *r, const char *source, const char *target_path,
                            const rampart_target_options *o)
{
    if (r == NULL)
        return RAMPART_EINVAL;
    rerr_clear(&r->err);
    rampart_target_options def = RAMPART_TARGET_OPTIONS_INIT;
    if (o == NULL)
        o = &def;
    if (source == NULL || o->version < 1 || o->version > RAMPART_TARGET_OPTIONS_VERSION)
        return rrepo_fail(r, RAMPART_EINVAL, NULL, "invalid argument");
    const char *provenance = o->version >= 2 ? o->provenance : NULL;
    json_t *custom = NULL;
    if (o->custom_json != NULL) {
        if (rjson_parse((const uint8_t *)o->custom_json, strlen(o->custom_json), 1u << 20, &custom, NULL) != 0 ||
            !json_is_object(custom)) {
            json_decref(custom);
            return rrepo_fail(r, RAMPART_EFORMAT, NULL, "custom metadata must be a JSON object");
        }
    }
    items it = {0};
    json_t *pcustom = NULL;
    int rc = collect(r, &it, source, target_path);
    if (rc == 0 && it.n == 0)
        rc = rrepo_fail(r, RAMPART_ENOTFOUND, NULL, "no files below %s", source);
    for (size_t i = 0; rc == 0 && i < it.n; i++)
        it.v[i].custom = custom;
    if (rc == 0 && provenance != NULL)
        rc = attach_provenance(r, &it, source, provenance, custom, &pcustom);
    if (rc == 0)
        rc = validate(r, &it, o);
    if (rc == 0)
        rc = apply(r, &it);
    rrepo_drop_cache(r);
    items_free(&it);
    json_decref(custom);
    json_decref(pcustom);
    return rc;
}

int rampart_repo_remove_target(rampart_repo *r, const char *target_path, const char *role)
{
    if (r == NULL)
        return RAMPART_EINVAL;
    rerr_clear(&r->err);
    if (target_path == NULL)
        return rrepo_fail(r, RAMPART_EINVAL, NULL, "invalid argument");
    char rname[ROLE_CAP];
    rrole *ro = NULL;
    int rc = check_path(r, target_path);
    if (rc == 0)
        rc = rrepo_route(r, role != NULL ? role : "targets", target_path, rname, sizeof(rname));
    if (rc == 0)
        rc = rrepo_role(r, rname, &ro);
    if (rc == 0 && json_object_get(json_object_get(rrepo_signed(ro), "targets"), target_path) == NULL) {
        char safe[300];
        rampart_sanitize(safe, sizeof(safe), target_path, strlen(target_path));
        rc = rrepo_fail(r, RAMPART_ENOTFOUND, rname, "no target '%s' in role '%s'", safe, rname);
    }
    if (rc == 0)
        rc = rrepo_touch(r, ro);
    if (rc == 0 && json_object_del(json_object_get(rrepo_signed(ro), "targets"), target_path) != 0)
        rc = rrepo_fail(r, RAMPART_EINTERNAL, rname, "cannot remove the target");
    if (rc == 0)
        rc = rrepo_commit(r);
    rrepo_drop_cache(r);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int list_role(rampart_repo *r, const char *name, int (*fn)(void *, const rampart_repo_target *), void *ctx)
{
    rrole *ro;
    int rc = rrepo_role(r, name, &ro);
    if (rc != 0)
        return rc;
    json_t *targets = json_object_get(rrepo_signed(ro), "targets");
    const char **keys = NULL;
    size_t n = json_object_size(targets), i = 0, sz;
    if (n > 0 && (!rsize_mul(n, sizeof(*keys), &sz) || (keys = rampart_malloc(sz)) == NULL))
        rc = rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    const char *k;
    json_t *v;
    if (rc == 0 && n > 0) {
        json_object_foreach(targets, k, v) keys[i++] = k;
        qsort(keys, n, sizeof(*keys), cmp_str);
    }
    for (i = 0; i < n && rc == 0; i++) {
        v = json_object_get(targets, keys[i]);
        rampart_repo_target t = {.role = name, .path = keys[i]};
        t.length = (unsigned long long)json_integer_value(json_object_get(v, "length"));
        t.sha256 = json_string_value(json_object_get(json_object_get(v, "hashes"), "sha256"));
        char *custom = NULL;
        if (json_object_get(v, "custom") != NULL) {
            rbuf b;
            rbuf_init(&b, RREPO_MD_MAX);
            if (rrepo_file_bytes(r, json_object_get(v, "custom"), &b) == 0)
                custom = (char *)rbuf_detach(&b, &sz);
            rbuf_free(&b);
        }
        t.custom_json = custom;
        rc = fn(ctx, &t);
        rampart_free(custom);
    }
    rampart_free(keys);
    rrepo_drop_cache(r);
    return rc;
}

/* Lists `name`, then the roles it delegates to, depth first. */
// NOLINTNEXTLINE(misc-no-recursion): at most 64 levels of delegation
static int list_tree(rampart_repo *r, const char *name, unsigned depth, int (*fn)(void *, const rampart_repo_target *),
                     void *ctx)
{
    if (depth > 64)
        return rrepo_fail(r, RAMPART_EFORMAT, NULL, "delegations nested too deep");
    int rc = list_role(r, name, fn, ctx);
    json_t *b = rrepo_binset_of(r, name);
    if (b != NULL) {
        uint32_t n = rrepo_bin_count(b);
        for (uint32_t i = 0; i < n && rc == 0; i++) {
            char bin[ROLE_CAP];
            rc = rrepo_bin_name(b, i, bin, sizeof(bin));
            if (rc == 0)
                rc = list_role(r, bin, fn, ctx);
        }
    }
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(r->config, "delegations"), k, v)
    {
        if (rc != 0)
            break;
        if (strcmp(json_string_value(v), name) == 0)
            rc = list_tree(r, k, depth + 1, fn, ctx);
    }
    return rc;
}

int rampart_repo_list_targets(rampart_repo *r, const char *role, int (*fn)(void *ctx, const rampart_repo_target *t),
                              void *ctx)
{
    if (r == NULL)
        return RAMPART_EINVAL;
    rerr_clear(&r->err);
    if (fn == NULL)
        return rrepo_fail(r, RAMPART_EINVAL, NULL, "invalid argument");
    if (role != NULL)
        return list_role(r, role, fn, ctx);
    return list_tree(r, "targets", 0, fn, ctx);
}
