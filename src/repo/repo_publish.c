/* repo_publish.c - signing, checking and publishing changed roles, then
 * snapshot and timestamp; finishing an interrupted publish. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/hash.h"
#include "repo/repo_internal.h"
#include "repo/repo_log.h"
#include "repo/rfile.h"
#include "util/codec.h"
#include "util/fs.h"
#include "util/banned.h"

#define PENDING "pending.json"
#define NEXT_SNAPSHOT "next-snapshot.json"
#define NEXT_TIMESTAMP "next-timestamp.json"

void rrepo_crash_point(int n)
{
#ifdef RAMPART_CRASHPOINTS
    /* Test builds only (RAMPART_CRASHPOINTS, as util/fs.h's crash points):
     * simulate a crash (power loss) right here. */
    const char *v = getenv("RAMPART_TEST_CRASH_AFTER");
    if (v != NULL && strtol(v, NULL, 10) == n)
        _exit(99);
#else
    (void)n;
#endif
}

typedef struct names {
    char **v;
    size_t n, cap;
} names;

static void names_free(names *l)
{
    for (size_t i = 0; i < l->n; i++)
        rampart_free(l->v[i]);
    rampart_free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

static int names_add(void *ctx, const char *name)
{
    names *l = ctx;
    if (l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 64, sz;
        char **n = rsize_mul(ncap, sizeof(*n), &sz) ? rampart_realloc(l->v, sz) : NULL;
        if (n == NULL)
            return RAMPART_ENOMEM;
        l->v = n;
        l->cap = ncap;
    }
    if ((l->v[l->n] = rampart_strndup(name, strlen(name))) == NULL)
        return RAMPART_ENOMEM;
    l->n++;
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A small cache of parsed delegators (root, targets, a few delegated roles). */
typedef struct dcache {
    char *name[16];
    tuf_md *md[16];
    size_t n;
} dcache;

static void dcache_free(dcache *c)
{
    for (size_t i = 0; i < c->n; i++) {
        rampart_free(c->name[i]);
        tuf_md_free(c->md[i]);
    }
    c->n = 0;
}

static int delegator_md(rampart_repo *r, dcache *c, const char *role, tuf_md **out)
{
    const char *dname;
    int rc = rrepo_delegator(r, role, &dname, NULL);
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->name[i], dname) == 0) {
            *out = c->md[i];
            return 0;
        }
    if (c->n == 16)
        dcache_free(c);
    tuf_md *md = NULL;
    if ((rc = rrepo_delegator_md(r, role, &md, NULL)) != 0)
        return rc;
    c->name[c->n] = rampart_strndup(dname, strlen(dname));
    if (c->name[c->n] == NULL) {
        tuf_md_free(md);
        return rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    }
    c->md[c->n++] = md;
    *out = md;
    return 0;
}

static int threshold_fail(rampart_repo *r, const char *role, int64_t version, size_t have, int64_t need, const char *by)
{
    return rrepo_fail(r, RAMPART_EBADSIG, role,
                      "missing signatures: '%s' version %lld has %zu of the %lld valid signature(s) %s needs; "
                      "sign it (rampart repo sign, or offline and import) or give its keys with --key",
                      role, (long long)version, have, (long long)need, by);
}

/* Checks `md` against an authorisation; EBADSIG naming the shortfall. */
static int check(rampart_repo *r, tuf_md *md, const tuf_keyset *ks, const tuf_role_auth *auth, const char *role,
                 const char *by)
{
    size_t have = rrepo_count_valid(md, ks, auth);
    int rc = tuf_md_verify(md, ks, auth, role, NULL);
    if (rc == 0)
        return 0;
    /* Out of memory is not a missing signature (found by test_repo_faults). */
    if (rc != RAMPART_EBADSIG)
        return rrepo_fail(r, rc, role, "cannot verify the signatures of '%s'", role);
    return threshold_fail(r, role, md->version, have, auth->threshold, by);
}

/* Signs the staged `name` with the added keys it lists, checks its
 * threshold, and writes it when `write`.  *version gets its version;
 * *alone whether it had no signatures before (so the added keys alone met
 * the threshold). */
static int prepare_role(rampart_repo *r, dcache *c, const char *name, bool write, int64_t *version, bool *alone)
{
    rrole *ro = NULL; /* read below also when rrepo_role fails (ENOMEM) */
    json_t *ids, *extra = NULL, *keys = NULL, *auth = NULL;
    tuf_md *md = NULL, *del = NULL, *old = NULL;
    bool is_root = strcmp(name, "root") == 0;
    int rc = rrepo_role(r, name, &ro);
    if (rc == 0 && ro == NULL) /* rrepo_role gives a role on success; said for the analyser */
        rc = rrepo_fail(r, RAMPART_EINVAL, name, "no staged role '%s'", name);
    if (rc == 0)
        rc = rrepo_auth(r, name, &keys, &auth);
    if (rc == 0 && is_root)
        rc = rrepo_delegator_md(r, "root", &del, &old);
    ids = auth != NULL ? json_object_get(auth, "keyids") : NULL;
    if (rc == 0 && old != NULL) {
        extra = json_array();
        for (size_t i = 0; extra != NULL && i < old->roles[TUF_ROOT].nkeyids; i++) {
            rslice k = old->roles[TUF_ROOT].keyids[i];
            json_array_append_new(extra, json_stringn((const char *)k.p, k.n));
        }
    }
    bool changed_before = ro != NULL && ro->changed;
    *alone = rc == 0 && ro != NULL && json_array_size(json_object_get(ro->md, "signatures")) == 0;
    if (rc == 0)
        rc = rrepo_autosign(r, ro, ids, extra);
    if (rc == 0)
        rc = rrepo_parse(r, ro->md, is_root ? TUF_ROOT : TUF_TARGETS, name, &md);
    if (rc == 0 && !is_root)
        rc = delegator_md(r, c, name, &del);
    const tuf_role_auth *a = NULL;
    if (rc == 0 && rrepo_find_auth(is_root ? md : del, name, &a) != 0)
        rc = rrepo_fail(r, RAMPART_EINTERNAL, name, "'%s' is not delegated", name);
    if (rc == 0)
        rc = check(r, md, is_root ? &md->keys : &del->keys, a, name, is_root ? "the new root" : "its delegator");
    if (rc == 0 && old != NULL) {
        char by[64];
        (void)snprintf(by, sizeof(by), "root version %lld", (long long)old->version); /* fits in 64 */
        rc = check(r, md, &old->keys, &old->roles[TUF_ROOT], name, by);
    }
    if (rc == 0)
        *version = md->version;
    if (!write && ro != NULL)
        ro->changed = changed_before;
    if (rc == 0 && write)
        rc = rrepo_flush_role(r, ro, false);
    else if (ro != NULL)
        rrepo_drop_cache(r);
    tuf_md_free(md);
    if (is_root)
        tuf_md_free(del);
    tuf_md_free(old);
    json_decref(extra);
    return rc;
}

/* The root a snapshot/timestamp must verify against: the staged root (it
 * is published together with them). */
static int staged_root_md(rampart_repo *r, tuf_md **out)
{
    rrole *root;
    int rc = rrepo_role(r, "root", &root);
    if (rc == 0)
        rc = rrepo_parse(r, root->md, TUF_ROOT, "root", out);
    return rc;
}

/* Signs `md` (a whole snapshot/timestamp document) with the added keys of
 * `role` in `root` and checks the threshold. */
int rrepo_pub_sign_online(rampart_repo *r, json_t *md, tuf_md *root, tuf_type type)
{
    const char *role = tuf_type_name(type);
    rrole tmp = {.name = (char *)role, .md = md};
    json_t *ids = json_array();
    int rc = ids != NULL ? 0 : rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    for (size_t i = 0; rc == 0 && i < root->roles[type].nkeyids; i++) {
        rslice k = root->roles[type].keyids[i];
        if (json_array_append_new(ids, json_stringn((const char *)k.p, k.n)) != 0)
            rc = rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    }
    if (rc == 0)
        rc = rrepo_autosign(r, &tmp, ids, NULL);
    json_decref(ids);
    tuf_md *parsed = NULL;
    if (rc == 0)
        rc = rrepo_parse(r, md, type, role, &parsed);
    if (rc == 0)
        rc = check(r, parsed, &root->keys, &root->roles[type], role, "root");
    tuf_md_free(parsed);
    return rc;
}

/* The next version of a published snapshot/timestamp (or version 1). */
int rrepo_pub_next_signed(rampart_repo *r, const char *file, const char *type, json_t **out)
{
    json_t *old = NULL;
    int rc = rrepo_read_json(r, r->fds[RDIR_STATE], file, &old);
    json_t *sgn;
    if (rc == RAMPART_ENOTFOUND) {
        sgn = rrepo_skeleton(r, type, rrepo_period(r, type));
        if (sgn == NULL || json_object_set_new(sgn, "meta", json_object()) != 0) {
            json_decref(sgn);
            return rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
        }
    } else if (rc != 0) {
        return rc;
    } else {
        sgn = json_deep_copy(json_object_get(old, "signed"));
        json_decref(old);
        if (sgn == NULL)
            return rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
        json_int_t v = json_integer_value(json_object_get(sgn, "version"));
        json_object_set_new(sgn, "version", json_integer(v + 1));
        if ((rc = rrepo_set_expires(r, sgn, rrepo_period(r, type))) != 0) {
            json_decref(sgn);
            return rc;
        }
    }
    *out = json_pack("{s:[],s:o}", "signatures", "signed", sgn);
    return *out != NULL ? 0 : rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
}

/* A timestamp document for snapshot document `snap`. */
int rrepo_pub_make_timestamp(rampart_repo *r, const json_t *snap, json_t **out)
{
    rbuf b;
    rbuf_init(&b, RREPO_MD_MAX);
    uint8_t d[RHASH_MAX_LEN];
    /* TUF 5.5.2: the hash and length clients check are those of the file
     * as served, so they are taken over the bytes written. */
    int rc = rrepo_file_bytes(r, snap, &b);
    if (rc == 0 && rhash_digest(RHASH_SHA256, b.data, b.len, d) != 0)
        rc = rrepo_fail(r, RAMPART_ECRYPTO, NULL, "hashing failed");
    if (rc == 0)
        rc = rrepo_pub_next_signed(r, "timestamp.json", "timestamp", out);
    if (rc == 0) {
        char hex[65];
        rhex_encode(hex, d, 32);
        json_int_t v = json_integer_value(json_object_get(json_object_get(snap, "signed"), "version"));
        json_t *meta = json_pack("{s:{s:I,s:I,s:{s:s}}}", "snapshot.json", "version", v, "length", (json_int_t)b.len,
                                 "hashes", "sha256", hex);
        if (meta == NULL || json_object_set_new(json_object_get(*out, "signed"), "meta", meta) != 0)
            rc = rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    }
    rbuf_free(&b);
    return rc;
}

/* The pending list: roles (name, version) whose files the publish writes. */
static json_t *pending_new(void)
{
    return json_pack("{s:[]}", "roles");
}

static int pending_add(json_t *p, const char *name, int64_t version)
{
    return json_array_append_new(json_object_get(p, "roles"), json_pack("[s,I]", name, (json_int_t)version));
}

static int copy_role_file(rampart_repo *r, const char *name, int64_t version, bool sync)
{
    char src[RREPO_NAME_MAX + 16], dst[RREPO_NAME_MAX + 48];
    /* Role names are at most RREPO_NAME_MAX bytes: the buffers hold both. */
    (void)snprintf(src, sizeof(src), "%s.json", name);
    (void)snprintf(dst, sizeof(dst), "%lld.%s.json", (long long)version, name);
    rbuf b;
    rbuf_init(&b, RREPO_MD_MAX);
    int rc = rfs_read_file(r->fds[RDIR_STAGED], src, &b, &r->err);
    if (rc == 0)
        rc = sync ? rfs_write_atomic(r->fds[RDIR_META], dst, b.data, b.len, 0644, &r->err)
                  : rfs_write_nosync(r->fds[RDIR_META], dst, b.data, b.len, 0644, &r->err);
    if (rc == 0 && strcmp(name, "root") == 0) {
        rc = rfs_write_atomic(r->fds[RDIR_ROOTS], dst, b.data, b.len, 0644, &r->err);
        if (rc == 0)
            rc = rfs_write_atomic(r->fds[RDIR_META], "root.json", b.data, b.len, 0644, &r->err);
    }
    rbuf_free(&b);
    return rc;
}

static int copy_state_file(rampart_repo *r, const char *src, int dstfd, const char *dst)
{
    rbuf b;
    rbuf_init(&b, RREPO_MD_MAX);
    int rc = rfs_read_file(r->fds[RDIR_STATE], src, &b, &r->err);
    if (rc == 0)
        rc = rfs_write_atomic(dstfd, dst, b.data, b.len, 0644, &r->err);
    rbuf_free(&b);
    return rc;
}

/* Phase 2: writes what pending.json lists to public/, in the safe order.
 * Every step can be repeated, so an interrupted publish is finished by
 * running this again. */
/* Step 1: the target files of every role (immutable, content-addressed
 * names); copies, one already there checked against its hashes when it
 * changed since the last publish checked it. */
static int serve_all_targets(rampart_repo *r, json_t *roles)
{
    struct timespec since;
    bool have_since = rrepo_served_since(r, &since);
    json_t *e;
    size_t i;
    int rc = 0;
    json_array_foreach(roles, i, e)
    {
        const char *name = json_string_value(json_array_get(e, 0));
        rrole *ro;
        if (rc != 0 || strcmp(name, "root") == 0)
            continue;
        rc = rrepo_role(r, name, &ro);
        if (rc == 0)
            rc = rrepo_serve_targets(r, name, json_object_get(rrepo_signed(ro), "targets"), RSERVE_CHANGED,
                                     have_since ? &since : NULL, NULL, NULL);
        rrepo_drop_cache(r);
    }
    if (rc == 0)
        rc = rfs_sync_fs(r->dirfd, &r->err);
    return rc;
}

/* Steps 2 to 4: delegated roles and bins, then targets, then root. */
static int serve_role_files(rampart_repo *r, json_t *roles)
{
    json_t *e;
    size_t i;
    int rc = 0;
    for (int step = 2; step <= 4 && rc == 0; step++) {
        json_array_foreach(roles, i, e)
        {
            const char *name = json_string_value(json_array_get(e, 0));
            int kind = strcmp(name, "root") == 0 ? 4 : strcmp(name, "targets") == 0 ? 3 : 2;
            if (rc == 0 && kind == step)
                rc = copy_role_file(r, name, json_integer_value(json_array_get(e, 1)), step != 2);
        }
        if (rc == 0 && step == 2)
            rc = rfs_sync_fs(r->dirfd, &r->err);
        rrepo_crash_point(step);
    }
    return rc;
}

/* Steps 5 to 7: snapshot, then timestamp (from this moment clients see the
 * release), then the repository's own record of what is published. */
static int serve_snapshot_timestamp(rampart_repo *r, json_int_t snapv)
{
    char sname[64];
    (void)snprintf(sname, sizeof(sname), "%lld.snapshot.json", (long long)snapv); /* a number: fits */
    int rc = copy_state_file(r, NEXT_SNAPSHOT, r->fds[RDIR_META], sname);
    rrepo_crash_point(5);
    if (rc == 0)
        rc = copy_state_file(r, NEXT_TIMESTAMP, r->fds[RDIR_META], "timestamp.json");
    rrepo_crash_point(6);
    if (rc == 0)
        rc = copy_state_file(r, NEXT_SNAPSHOT, r->fds[RDIR_STATE], "snapshot.json");
    if (rc == 0)
        rc = copy_state_file(r, NEXT_TIMESTAMP, r->fds[RDIR_STATE], "timestamp.json");
    rrepo_crash_point(7);
    return rc;
}

/* The publish is done: what it needed is removed. */
static int pub_cleanup(rampart_repo *r, json_t *roles)
{
    json_t *e;
    size_t i;
    int rc = 0;
    /* The kept copies of what was just replaced are needed no more. */
    json_array_foreach(roles, i, e)
    {
        if (rc == 0)
            rc = rrepo_drop_kept(r, json_string_value(json_array_get(e, 0)));
    }
    if (rc == 0)
        rc = rfs_remove_at(r->fds[RDIR_STATE], PENDING, &r->err);
    if (rc == 0)
        rc = rfs_remove_at(r->fds[RDIR_STATE], NEXT_SNAPSHOT, &r->err);
    if (rc == 0)
        rc = rfs_remove_at(r->fds[RDIR_STATE], NEXT_TIMESTAMP, &r->err);
    return rc;
}

int rrepo_pub_finish(rampart_repo *r, size_t *count)
{
    json_t *p = NULL;
    int rc = rrepo_read_json(r, r->fds[RDIR_STATE], PENDING, &p);
    if (rc != 0)
        return rc;
    json_t *roles = json_object_get(p, "roles");
    json_int_t snapv = json_integer_value(json_object_get(p, "snapshot"));
    struct timespec start;
    if (clock_gettime(CLOCK_REALTIME, &start) != 0)
        rc = rrepo_fail(r, RAMPART_EIO, NULL, "cannot read the clock");
    /* 0. the log: tiles, proofs, then the checkpoint that covers every
     * entry of this publish, before any target or metadata names them */
    json_t *lg = json_object_get(p, "log");
    if (rc == 0 && lg != NULL)
        rc = rrepo_log_serve(r, roles, (uint64_t)json_integer_value(lg));
    if (rc == 0)
        rc = serve_all_targets(r, roles);
    rrepo_crash_point(1);
    if (rc == 0)
        rc = serve_role_files(r, roles);
    if (rc == 0)
        rc = serve_snapshot_timestamp(r, snapv);
    if (rc == 0)
        rc = rrepo_served_mark(r, &start);
    if (rc == 0)
        rc = pub_cleanup(r, roles);
    if (rc == 0 && count != NULL)
        *count = json_array_size(roles) + 2;
    json_decref(r->published);
    r->published = NULL;
    r->published_loaded = false;
    json_decref(p);
    return rc;
}

/* The version at the end of a staged file: rrepo_file_bytes() writes
 * canonical JSON, whose keys are sorted, so a role's file ends with
 * "version":N}} ("version" is the last key of "signed", "signed" the last
 * of the document).  False when the bytes do not end so. */
static bool tail_version(const uint8_t *d, size_t n, int64_t *v)
{
    static const char key[] = "\"version\":";
    const size_t kl = sizeof(key) - 1;
    if (n > 0 && d[n - 1] == '\n')
        n--;
    if (n < kl + 3 || d[n - 1] != '}' || d[n - 2] != '}')
        return false;
    size_t e = n - 2, b = e;
    while (b > 0 && e - b < 18 && d[b - 1] >= '0' && d[b - 1] <= '9')
        b--;
    if (b == e || b < kl || (d[b] == '0' && e - b > 1) || memcmp(d + b - kl, key, kl) != 0)
        return false;
    int64_t x = 0;
    for (size_t i = b; i < e; i++)
        x = x * 10 + (d[i] - '0');
    *v = x;
    return x >= 1;
}

/* The version of staged role `name`, without parsing it when its file
 * ends as tail_version() expects (else parsed).  Pass B parses every role
 * it publishes and checks this version again. */
static int staged_version(rampart_repo *r, const char *name, int64_t *v)
{
    char fname[RREPO_NAME_MAX + 16];
    (void)snprintf(fname, sizeof(fname), "%s.json", name); /* names <= RREPO_NAME_MAX */
    rbuf b;
    rbuf_init(&b, RREPO_MD_MAX);
    bool ok = rfs_read_file(r->fds[RDIR_STAGED], fname, &b, NULL) == 0 && tail_version(b.data, b.len, v);
    rbuf_free(&b);
    if (ok)
        return 0;
    rrole *ro;
    int rc = rrepo_role(r, name, &ro);
    if (rc == 0)
        *v = rrepo_version(ro);
    rrepo_drop_cache(r);
    return rc;
}

/* The changed roles: dirty markers whose role still exists and whose
 * staged version is above the published one.  Stale markers go to `stale`. */
static int changed_roles(rampart_repo *r, names *out, names *stale)
{
    names all = {0};
    int rc = rfs_list(r->fds[RDIR_DIRTY], names_add, &all, &r->err);
    if (rc == RAMPART_ENOMEM)
        rc = rrepo_fail(r, rc, NULL, "out of memory");
    if (rc == 0 && all.n > 1)
        qsort(all.v, all.n, sizeof(*all.v), cmp_names);
    for (size_t i = 0; i < all.n && rc == 0; i++) {
        const char *d;
        rrole *ro;
        rerr saved = r->err;
        bool exists = rrepo_delegator(r, all.v[i], &d, NULL) == 0 &&
                      !(strcmp(all.v[i], "snapshot") == 0 || strcmp(all.v[i], "timestamp") == 0);
        r->err = saved;
        bool changed = false;
        if (exists && strcmp(all.v[i], "root") == 0) {
            rc = rrepo_role(r, all.v[i], &ro);
            if (rc == 0)
                changed = rrepo_version(ro) > rrepo_published_version(r, all.v[i]);
        } else if (exists) {
            int64_t v = 0;
            rc = staged_version(r, all.v[i], &v);
            if (rc == 0)
                changed = v > rrepo_published_version(r, all.v[i]);
        }
        if (rc == 0)
            rc = names_add(changed ? out : stale, all.v[i]) == 0 ? 0 : rrepo_fail(r, RAMPART_ENOMEM, NULL, "oom");
    }
    names_free(&all);
    return rc;
}

/* Pass A (write == false) signs in memory and checks every threshold,
 * and records each role's version in `snap_meta`; pass B (write == true)
 * signs again, writes the signed roles, and checks that each version is
 * the one recorded.  Once a bin of a bin set had no signatures and the
 * added keys alone met its threshold, the other bins of that set (same
 * keys, same threshold, same delegator) are only looked up in pass A:
 * each is signed and verified once, in pass B. */
static int prepare_all(rampart_repo *r, const names *ch, bool write, json_t *snap_meta, json_t *pending)
{
    dcache c = {0};
    const json_t *proven = NULL;
    int rc = 0;
    for (size_t i = 0; i < ch->n && rc == 0; i++) {
        int64_t v = 0;
        const char *d;
        json_t *binset = NULL;
        bool alone = false, is_root = strcmp(ch->v[i], "root") == 0;
        char fname[RREPO_NAME_MAX + 16];
        (void)snprintf(fname, sizeof(fname), "%s.json", ch->v[i]); /* names <= RREPO_NAME_MAX */
        if (!is_root && (rc = rrepo_delegator(r, ch->v[i], &d, &binset)) != 0)
            break;
        if (!write && binset != NULL && binset == proven) {
            rc = staged_version(r, ch->v[i], &v);
        } else {
            rc = prepare_role(r, &c, ch->v[i], write, &v, &alone);
            if (rc == 0 && !write && alone && binset != NULL)
                proven = binset;
        }
        json_t *m = is_root ? NULL : json_object_get(snap_meta, fname);
        if (rc == 0 && write && !is_root && json_integer_value(json_object_get(m, "version")) != v)
            rc = rrepo_fail(r, RAMPART_EFORMAT, ch->v[i], "staged/%s changed during the publish", fname);
        if (rc == 0 && !write && !is_root &&
            json_object_set_new(snap_meta, fname, json_pack("{s:I}", "version", (json_int_t)v)) != 0)
            rc = rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
        if (rc == 0 && pending != NULL && pending_add(pending, ch->v[i], v) != 0)
            rc = rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    }
    dcache_free(&c);
    return rc;
}

static int write_next(rampart_repo *r, json_t *snap, json_t *ts, json_t *pending)
{
    int rc = rrepo_write_json(r, r->fds[RDIR_STATE], NEXT_SNAPSHOT, snap, true);
    if (rc == 0)
        rc = rrepo_write_json(r, r->fds[RDIR_STATE], NEXT_TIMESTAMP, ts, true);
    if (rc == 0)
        rc = rrepo_write_json(r, r->fds[RDIR_STATE], PENDING, pending, true);
    return rc;
}

/* Publishes the changed roles, or exactly the roles `only` (may be NULL). */
/* The log: entries appended and committed (never rolled back from here),
 * then cosigned by a quorum of the witnesses, or the publish fails with the
 * previous release served; the plan records the size served before. */
static int commit_log(rampart_repo *r, rlog_batch *lb, uint64_t served, json_t *pending, tlog_checkpoint *after)
{
    int rc = lb->n > 0 ? rrepo_log_append(r, lb) : 0;
    if (rc == 0)
        rc = rrepo_log_witness(r);
    if (rc == 0)
        rc = rrepo_log_head(r, RLOG_CHECKPOINT, after, NULL);
    if (rc == 0 && json_object_set_new(pending, "log", json_integer((json_int_t)served)) != 0)
        rc = rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    return rc;
}

static int do_publish(rampart_repo *r, const char *const *only, size_t nonly, rampart_publish_result *res)
{
    names ch = {0}, stale = {0};
    json_t *snap = NULL, *ts = NULL, *pending = pending_new();
    tuf_md *root = NULL;
    rlog_batch lb;
    rlog_batch_init(&lb);
    tlog_checkpoint after = {0};
    bool logging = rrepo_log_enabled(r);
    int rc = pending != NULL ? 0 : rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    for (size_t i = 0; rc == 0 && i < nonly; i++)
        rc = names_add(&ch, only[i]) == 0 ? 0 : rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    if (rc == 0 && only == NULL)
        rc = changed_roles(r, &ch, &stale);
    if (rc == 0 && ch.n == 0)
        goto clean;
    /* The log positions of the targets added or changed are part of what
     * their roles sign: given first. */
    uint64_t served = 0;
    if (rc == 0 && logging)
        rc = rrepo_log_served(r, &served);
    if (rc == 0 && logging)
        rc = rrepo_log_assign(r, ch.v, ch.n, &lb);
    /* Pass A: nothing is written unless every threshold is met. */
    if (rc == 0)
        rc = rrepo_pub_next_signed(r, "snapshot.json", "snapshot", &snap);
    json_t *meta = json_object_get(json_object_get(snap, "signed"), "meta");
    if (rc == 0)
        rc = prepare_all(r, &ch, false, meta, NULL);
    if (rc == 0)
        rc = staged_root_md(r, &root);
    if (rc == 0)
        rc = rrepo_pub_sign_online(r, snap, root, TUF_SNAPSHOT);
    if (rc == 0)
        rc = rrepo_pub_make_timestamp(r, snap, &ts);
    if (rc == 0)
        rc = rrepo_pub_sign_online(r, ts, root, TUF_TIMESTAMP);
    if (rc == 0 && logging)
        rc = commit_log(r, &lb, served, pending, &after);
    /* Pass B: sign and write the roles, then the plan, then carry it out. */
    if (rc == 0)
        rc = prepare_all(r, &ch, true, meta, pending);
    if (rc == 0 && json_object_set_new(pending, "snapshot",
                                       json_incref(json_object_get(json_object_get(snap, "signed"), "version"))) != 0)
        rc = rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    if (rc == 0)
        rc = rfs_sync_fs(r->dirfd, &r->err);
    if (rc == 0)
        rc = write_next(r, snap, ts, pending);
    rrepo_crash_point(0);
    if (rc == 0) {
        for (size_t i = 0; i < ch.n && rc == 0; i++)
            rc = rfs_remove_at(r->fds[RDIR_DIRTY], ch.v[i], &r->err);
        size_t count = 0;
        if (rc == 0)
            rc = rrepo_pub_finish(r, &count);
        if (rc == 0 && res != NULL) {
            res->roles_published = count;
            res->snapshot_version = json_integer_value(json_object_get(json_object_get(snap, "signed"), "version"));
            res->timestamp_version = json_integer_value(json_object_get(json_object_get(ts, "signed"), "version"));
            res->log_entries = lb.n;
            res->log_size = after.size;
        }
    }
clean:
    for (size_t i = 0; i < stale.n && rc == 0; i++)
        rc = rfs_remove_at(r->fds[RDIR_DIRTY], stale.v[i], &r->err);
    rrepo_drop_cache(r);
    tuf_md_free(root);
    json_decref(snap);
    json_decref(ts);
    json_decref(pending);
    names_free(&ch);
    names_free(&stale);
    rlog_batch_free(&lb);
    return rc;
}

int rampart_repo_publish(rampart_repo *r, rampart_publish_result *res)
{
    if (r == NULL)
        return RAMPART_EINVAL;
    rerr_clear(&r->err);
    rampart_publish_result out = {0};
    int rc = rrepo_public_open(r, NULL);
    if (rc == 0 && rfs_exists_at(r->fds[RDIR_STATE], PENDING))
        rc = rrepo_pub_finish(r, &out.roles_published);
    /* Whatever is missing or damaged in public/ comes back first, so the
     * release served until this publish completes is whole. */
    if (rc == 0)
        rc = rrepo_repair(r, false, NULL);
    if (rc == 0) {
        rampart_publish_result more = {0};
        rc = do_publish(r, NULL, 0, &more);
        if (rc == 0 && more.roles_published > 0)
            out = more;
    }
    if (rc == 0 && res != NULL)
        *res = out;
    return rc;
}

int rrepo_publish_roles(rampart_repo *r, const char *const *roles, size_t n, rampart_publish_result *res)
{
    return do_publish(r, roles, n, res);
}
