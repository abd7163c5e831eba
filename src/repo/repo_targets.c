/* repo_targets.c - adding, removing and listing targets.
 *
 * `repo add` of a folder works in passes sized for a million files
 * (docs/repo.md, "Performance"): the folder is walked through descriptors
 * (openat/fdopendir, nothing followed); every path is checked and routed
 * to its role (its bin) before anything is written; a counting sort groups
 * the files by role; the dirty markers are made durable; the contents are
 * stored folder by folder (repo_store.c), then each role is read, edited
 * and written once; one syncfs ends the call. */
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
#define NO_DIR UINT32_MAX

typedef struct item {
    char *tpath;
    char *src;            /* the path given (a single file), or NULL: in dirs[dir] */
    const json_t *custom; /* its "custom" (borrowed), or NULL */
    uint32_t dir;         /* folder index (NO_DIR with src) */
    uint32_t base;        /* offset of the file's name in tpath (dir items) */
    uint32_t role;        /* role index (see roles) */
    uint8_t sha256[32];
    uint64_t len;
} item;

typedef struct srcdir {
    char *path;
    dev_t dev;
    ino_t ino;
} srcdir;

typedef struct items {
    item *v;
    size_t n, cap;
    srcdir *dirs;
    size_t ndirs, capdirs;
    /* Roles: the bins of `binset`, or the one role `role`. */
    const char *role;
    json_t *binset;
    uint32_t nroles;
    item **order;    /* grouped by role, then by target path */
    size_t *start;   /* group g is order[start[g] .. start[g + 1]] */
    uint8_t *sha512; /* 64 bytes per item when the repository lists sha512 */
} items;

static void items_free(items *it)
{
    for (size_t i = 0; i < it->n; i++) {
        rampart_free(it->v[i].tpath);
        rampart_free(it->v[i].src);
    }
    for (size_t i = 0; i < it->ndirs; i++)
        rampart_free(it->dirs[i].path);
    rampart_free(it->v);
    rampart_free(it->dirs);
    rampart_free(it->order);
    rampart_free(it->start);
    rampart_free(it->sha512);
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

static bool grow(void **v, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap)
        return true;
    size_t ncap = *cap ? *cap * 2 : 64, sz;
    void *nv = rsize_mul(ncap, elem, &sz) ? rampart_realloc(*v, sz) : NULL;
    if (nv == NULL)
        return false;
    *v = nv;
    *cap = ncap;
    return true;
}

/* Adds a file: `src` a path given directly (dir NO_DIR), or NULL for the
 * file named by the end of `tpath` in folder `dir`.  Takes both strings. */
static int push(rampart_repo *r, items *it, char *tpath, char *src, uint32_t dir, size_t namelen)
{
    bool full = it->n >= MAX_ITEMS;
    if (tpath == NULL || (dir == NO_DIR && src == NULL) || full ||
        !grow((void **)&it->v, &it->cap, it->n, sizeof(*it->v))) {
        rampart_free(tpath);
        rampart_free(src);
        return rrepo_fail(r, full ? RAMPART_ETOOLARGE : RAMPART_ENOMEM, NULL,
                          full ? "too many files in one call" : "out of memory");
    }
    item *x = &it->v[it->n++];
    memset(x, 0, sizeof(*x));
    x->tpath = tpath;
    x->src = src;
    x->dir = dir;
    x->base = (uint32_t)(strlen(tpath) - namelen);
    return 0;
}

/* Records folder `fd` (path `path`, copied) and gives its index. */
static int add_dir(rampart_repo *r, items *it, int fd, const char *path, uint32_t *idx)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return rrepo_fail(r, RAMPART_EIO, NULL, "cannot stat %s: %s", path, strerror(errno));
    if (it->ndirs >= NO_DIR || !grow((void **)&it->dirs, &it->capdirs, it->ndirs, sizeof(*it->dirs)))
        return rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    srcdir *d = &it->dirs[it->ndirs];
    if ((d->path = rampart_strndup(path, strlen(path))) == NULL)
        return rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    d->dev = st.st_dev;
    d->ino = st.st_ino;
    *idx = (uint32_t)it->ndirs++;
    return 0;
}

/* Says in which folder a step failed: rfs_* messages name only the entry. */
static int in_folder(rampart_repo *r, int rc, const char *folder)
{
    char msg[sizeof(r->err.message)];
    memcpy(msg, r->err.message, sizeof(msg));
    msg[sizeof(msg) - 1] = '\0';
    return rrepo_fail(r, rc, NULL, "%s: %s", folder, msg);
}

/* The kind of entry `name` of folder `dfd`, as the folder reported it
 * (`k`): RFS_KIND_FOLDER, RFS_KIND_FILE, or RFS_KIND_OTHER for anything
 * else (symlinks, devices, FIFOs and sockets are not added). */
static int kind_of(rampart_repo *r, int dfd, const char *name, rfs_kind k, const char *path, rfs_kind *kind)
{
    if (k == RFS_KIND_UNKNOWN) {
        struct stat st;
        if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
            return rrepo_fail(r, RAMPART_EIO, NULL, "cannot stat %s/%s: %s", path, name, strerror(errno));
        k = S_ISDIR(st.st_mode) ? RFS_KIND_FOLDER : S_ISREG(st.st_mode) ? RFS_KIND_FILE : RFS_KIND_OTHER;
    }
    *kind = k;
    return 0;
}

static int walk(rampart_repo *r, items *it, int fd, const char *src, const char *rel, unsigned depth);

/* The sub-folders of a folder, walked after its files (so that each
 * folder's files are contiguous and it is opened once when storing). */
// NOLINTNEXTLINE(misc-no-recursion): at most RFS_MAX_DEPTH levels
static int walk_subdirs(rampart_repo *r, items *it, int dfd, const char *src, const char *rel, unsigned depth,
                        char **subs, size_t nsubs)
{
    int rc = 0;
    for (size_t i = 0; i < nsubs && rc == 0; i++) {
        char *path = join(src, subs[i]), *tp = join(rel, subs[i]);
        if (path == NULL || tp == NULL) {
            rc = rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
        } else {
            int sub = -1;
            rc = rfs_open_folder(dfd, subs[i], &sub, &r->err);
            if (rc != 0)
                rc = in_folder(r, rc, src);
            else
                rc = walk(r, it, sub, path, tp, depth + 1); /* takes sub */
        }
        rampart_free(path);
        rampart_free(tp);
    }
    return rc;
}

/* Collects the regular files below folder `fd` (taken; path `src`), never
 * following a symlink; `rel` is the target path prefix so far. */
// NOLINTNEXTLINE(misc-no-recursion): at most RFS_MAX_DEPTH levels
static int walk(rampart_repo *r, items *it, int fd, const char *src, const char *rel, unsigned depth)
{
    uint32_t idx = 0;
    int rc = depth > RFS_MAX_DEPTH ? rrepo_fail(r, RAMPART_EPATH, NULL, "%s: folders nested too deep", src)
                                   : add_dir(r, it, fd, src, &idx);
    rfs_dir *d = NULL;
    if (rc != 0)
        close(fd);
    else if ((rc = rfs_dir_open(fd, &d, &r->err)) != 0) /* takes fd */
        return in_folder(r, rc, src);
    char **subs = NULL;
    size_t nsubs = 0, capsubs = 0;
    while (rc == 0) {
        const char *name;
        size_t nl;
        rfs_kind k = RFS_KIND_UNKNOWN, kind = RFS_KIND_OTHER;
        int more = rfs_dir_next(d, &name, &nl, &k, &r->err);
        if (more <= 0) {
            rc = more < 0 ? in_folder(r, more, src) : 0;
            break;
        }
        if ((rc = kind_of(r, rfs_dir_fd(d), name, k, src, &kind)) != 0 || kind == RFS_KIND_OTHER)
            continue;
        if (kind == RFS_KIND_FILE) {
            rc = push(r, it, join(rel, name), NULL, idx, nl);
        } else if (!grow((void **)&subs, &capsubs, nsubs, sizeof(*subs)) ||
                   (subs[nsubs] = rampart_strndup(name, nl)) == NULL) {
            rc = rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
        } else {
            nsubs++;
        }
    }
    if (rc == 0)
        rc = walk_subdirs(r, it, rfs_dir_fd(d), src, rel, depth, subs, nsubs);
    for (size_t i = 0; i < nsubs; i++)
        rampart_free(subs[i]);
    rampart_free(subs);
    rfs_dir_close(d);
    return rc;
}

static int collect(rampart_repo *r, items *it, const char *source, const char *target_path)
{
    struct stat st;
    if (lstat(source, &st) != 0)
        return rrepo_fail(r, errno == ENOENT ? RAMPART_ENOTFOUND : RAMPART_EIO, NULL, "%s: %s", source,
                          strerror(errno));
    if (S_ISDIR(st.st_mode)) {
        int fd = -1;
        int rc = rfs_open_folder(AT_FDCWD, source, &fd, &r->err);
        return rc != 0 ? rc : walk(r, it, fd, source, target_path, 0);
    }
    if (!S_ISREG(st.st_mode))
        return rrepo_fail(r, RAMPART_EPATH, NULL, "%s is not a regular file or a folder", source);
    const char *base = strrchr(source, '/');
    base = base != NULL ? base + 1 : source;
    const char *tp = target_path != NULL ? target_path : base;
    return push(r, it, rampart_strndup(tp, strlen(tp)), rampart_strndup(source, strlen(source)), NO_DIR, 0);
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

/* The name of role group `g`. */
static int role_name(rampart_repo *r, const items *it, uint32_t g, char *out)
{
    if (it->binset == NULL) {
        int n = snprintf(out, ROLE_CAP, "%s", it->role);
        return n > 0 && n < ROLE_CAP ? 0 : rrepo_fail(r, RAMPART_EINVAL, NULL, "role name too long");
    }
    return rrepo_bin_name(it->binset, g, out, ROLE_CAP) == 0
               ? 0
               : rrepo_fail(r, RAMPART_EINVAL, NULL, "role name too long");
}

/* The role group of target path `tpath` (its bin, as rrepo_route). */
static int route(rampart_repo *r, const items *it, const char *tpath, uint32_t *g)
{
    *g = 0;
    if (it->binset == NULL)
        return 0;
    tuf_path_hash ph;
    if (tuf_path_hash_compute(rslice_cstr(tpath), &ph) != 0)
        return rrepo_fail(r, RAMPART_ECRYPTO, NULL, "cannot hash a target path");
    uint32_t first = (uint32_t)ph.digest[0] << 24 | (uint32_t)ph.digest[1] << 16 | (uint32_t)ph.digest[2] << 8 |
                     (uint32_t)ph.digest[3];
    int bits = (int)json_integer_value(json_object_get(it->binset, "bit_length"));
    *g = first >> (32 - bits);
    return *g < it->nroles ? 0 : rrepo_fail(r, RAMPART_EFORMAT, NULL, "the bin set of '%s' is damaged", it->role);
}

static int cmp_tpath(const void *a, const void *b)
{
    return strcmp((*(item *const *)a)->tpath, (*(item *const *)b)->tpath);
}

/* Counting sort by role group, then by path within each group (small
 * groups with bins); a path given twice is refused. */
static int group(rampart_repo *r, items *it)
{
    size_t sz;
    // NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers
    if (!rsize_mul(it->n, sizeof(*it->order), &sz) || (it->order = rampart_malloc(sz)) == NULL ||
        (it->start = rampart_calloc((size_t)it->nroles + 1, sizeof(size_t))) == NULL)
        return rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    for (size_t i = 0; i < it->n; i++)
        it->start[it->v[i].role + 1]++;
    for (uint32_t g = 0; g < it->nroles; g++)
        it->start[g + 1] += it->start[g];
    for (size_t i = 0; i < it->n; i++)
        it->order[it->start[it->v[i].role]++] = &it->v[i];
    for (uint32_t g = it->nroles; g > 0; g--) /* back to the starts */
        it->start[g] = it->start[g - 1];
    it->start[0] = 0;
    for (uint32_t g = 0; g < it->nroles; g++) {
        size_t a = it->start[g], b = it->start[g + 1];
        if (b - a > 1)
            qsort(it->order + a, b - a, sizeof(*it->order), cmp_tpath); // NOLINT(bugprone-sizeof-expression): pointers
        for (size_t i = a + 1; i < b; i++)
            if (strcmp(it->order[i]->tpath, it->order[i - 1]->tpath) == 0)
                return rrepo_fail(r, RAMPART_EEXIST, NULL, "target path given twice: %s", it->order[i]->tpath);
    }
    return 0;
}

/* Pass 1: everything that can be wrong with the input, before any write. */
static int validate(rampart_repo *r, items *it, const rampart_target_options *o)
{
    const char *role = o->role != NULL ? o->role : "targets";
    const char *delegator;
    int rc = rrepo_delegator(r, role, &delegator, NULL);
    if (rc == 0 && (strcmp(role, "root") == 0 || strcmp(role, "snapshot") == 0 || strcmp(role, "timestamp") == 0))
        rc = rrepo_fail(r, RAMPART_EINVAL, role, "targets belong to targets roles, not '%s'", role);
    it->role = role;
    it->binset = rrepo_binset_of(r, role);
    it->nroles = it->binset != NULL ? rrepo_bin_count(it->binset) : 1;
    for (size_t i = 0; i < it->n && rc == 0; i++) {
        rc = check_path(r, it->v[i].tpath);
        if (rc == 0)
            rc = route(r, it, it->v[i].tpath, &it->v[i].role);
    }
    if (rc == 0)
        rc = check_reachable(r, role, it);
    if (rc == 0)
        rc = group(r, it);
    for (uint32_t g = 0; g < it->nroles && rc == 0 && !o->replace; g++) {
        char name[ROLE_CAP];
        rrole *ro = NULL;
        if (it->start[g] == it->start[g + 1])
            continue;
        if ((rc = role_name(r, it, g, name)) != 0 || (rc = rrepo_role(r, name, &ro)) != 0)
            break;
        json_t *tg = json_object_get(rrepo_signed(ro), "targets");
        for (size_t i = it->start[g]; i < it->start[g + 1] && rc == 0 && json_object_size(tg) > 0; i++)
            if (json_object_get(tg, it->order[i]->tpath) != NULL)
                rc = fail_exists(r, it->order[i]->tpath, name);
        int rc2 = rrepo_flush_role(r, ro, false);
        if (rc == 0)
            rc = rc2;
    }
    return rc;
}

/* Stores every file's bytes, folder by folder (each folder opened once,
 * and checked to be the one walked). */
static int store_all(rampart_repo *r, items *it, bool sha512)
{
    rbuf buf, path;
    rbuf_init(&buf, RSTORE_SMALL + 1);
    rbuf_init(&path, (size_t)64 * 1024);
    uint32_t cur = NO_DIR;
    int dfd = -1, rc = 0;
    for (size_t i = 0; i < it->n && rc == 0; i++) {
        item *x = &it->v[i];
        rstore_digest dg;
        if (x->dir != NO_DIR && x->dir != cur) {
            struct stat st;
            if (dfd >= 0)
                close(dfd);
            cur = x->dir;
            if (rfs_open_folder(AT_FDCWD, it->dirs[cur].path, &dfd, NULL) != 0 || fstat(dfd, &st) != 0 ||
                st.st_dev != it->dirs[cur].dev || st.st_ino != it->dirs[cur].ino)
                rc = rrepo_fail(r, RAMPART_EPATH, NULL, "the folder %s changed while it was being added",
                                it->dirs[cur].path);
        }
        rbuf_reset(&path);
        if (rc == 0 && x->dir != NO_DIR &&
            (rbuf_append_str(&path, it->dirs[cur].path) != 0 || rbuf_append_byte(&path, '/') != 0 ||
             rbuf_append_str(&path, x->tpath + x->base) != 0))
            rc = rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
        if (rc == 0)
            rc = x->dir != NO_DIR ? rrepo_store(r, dfd, x->tpath + x->base, (const char *)path.data, sha512, &buf, &dg)
                                  : rrepo_store(r, AT_FDCWD, x->src, x->src, sha512, &buf, &dg);
        if (rc == 0) {
            memcpy(x->sha256, dg.sha256, sizeof(x->sha256));
            x->len = dg.len;
            if (sha512)
                memcpy(it->sha512 + i * 64, dg.sha512, 64);
        }
    }
    if (dfd >= 0)
        close(dfd);
    rbuf_free(&buf);
    rbuf_free(&path);
    return rc;
}

/* The metadata entry of a stored item. */
static int entry_of(rampart_repo *r, const items *it, const item *x, json_t **entry)
{
    char hex256[65];
    rhex_encode(hex256, x->sha256, 32);
    json_t *hashes;
    if (it->sha512 != NULL) {
        char hex512[129];
        rhex_encode(hex512, it->sha512 + (size_t)(x - it->v) * 64, 64);
        hashes = json_pack("{s:s,s:s}", "sha256", hex256, "sha512", hex512);
    } else {
        hashes = json_pack("{s:s}", "sha256", hex256);
    }
    *entry = json_pack("{s:I,s:o}", "length", (json_int_t)x->len, "hashes", hashes);
    if (*entry != NULL && x->custom != NULL && json_object_set(*entry, "custom", (json_t *)x->custom) != 0) {
        json_decref(*entry);
        *entry = NULL;
    }
    return *entry != NULL ? 0 : rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
}

/* An empty dirty marker (created once; its content never matters). */
static int mark(rampart_repo *r, const char *name)
{
    int fd = -1;
    rerr why = {0};
    int rc = rfs_create_new(r->fds[RDIR_DIRTY], name, 0644, &fd, &why);
    if (rc == RAMPART_EEXIST)
        return 0; /* already marked */
    if (rc != 0)
        return rrepo_fail(r, RAMPART_EIO, name, "cannot mark '%s' changed: %s", name, why.message);
    if (close(fd) != 0)
        return rrepo_fail(r, RAMPART_EIO, name, "cannot mark '%s' changed: %s", name, strerror(errno));
    return 0;
}

/* Pass 2: markers first (synced), then the contents, then each role read,
 * edited and written once, then one sync for the whole batch. */
static int apply(rampart_repo *r, items *it)
{
    int rc = 0;
    bool sha512 = json_array_size(json_object_get(r->config, "hashes")) > 1;
    size_t sz;
    if (sha512 && (!rsize_mul(it->n, 64, &sz) || (it->sha512 = rampart_malloc(sz)) == NULL))
        return rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    char name[ROLE_CAP];
    for (uint32_t g = 0; g < it->nroles && rc == 0; g++)
        if (it->start[g] < it->start[g + 1] && (rc = role_name(r, it, g, name)) == 0)
            rc = mark(r, name);
    if (rc == 0)
        rc = rfs_sync_fs(r->dirfd, &r->err);
    if (rc == 0)
        rc = store_all(r, it, sha512);
    for (uint32_t g = 0; g < it->nroles && rc == 0; g++) {
        rrole *ro = NULL;
        if (it->start[g] == it->start[g + 1])
            continue;
        if ((rc = role_name(r, it, g, name)) != 0 || (rc = rrepo_role(r, name, &ro)) != 0)
            break;
        rc = rrepo_touch(r, ro);
        json_t *tg = json_object_get(rrepo_signed(ro), "targets");
        for (size_t i = it->start[g]; i < it->start[g + 1] && rc == 0; i++) {
            json_t *entry = NULL;
            rc = entry_of(r, it, it->order[i], &entry);
            if (rc == 0 && json_object_set_new(tg, it->order[i]->tpath, entry) != 0)
                rc = rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
        }
        int rc2 = rrepo_flush_role(r, ro, false);
        if (rc == 0)
            rc = rc2;
    }
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
        rc = push(r, it, apath, rampart_strndup(att, strlen(att)), NO_DIR, 0);
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
