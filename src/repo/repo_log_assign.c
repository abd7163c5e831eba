/* repo_log_assign.c - which targets a publish logs, in which order, and
 * their "rampart_log" position in the signed metadata.  See repo_log.h
 * and docs/transparency.md ("Publishing format"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "repo/repo_log.h"
#include "tlog/entry.h"
#include "util/banned.h"

#define CHAIN_MAX 32

/* A role and its place in the delegation search: the positions of the
 * delegations from "targets" down to it (preorder = this order). */
typedef struct placed {
    const char *name;
    uint32_t pos[CHAIN_MAX];
    size_t depth;
} placed;

static int cmp_placed(const void *a, const void *b)
{
    const placed *x = a, *y = b;
    for (size_t i = 0; i < x->depth && i < y->depth; i++)
        if (x->pos[i] != y->pos[i])
            return x->pos[i] < y->pos[i] ? -1 : 1;
    return x->depth < y->depth ? -1 : x->depth > y->depth ? 1 : strcmp(x->name, y->name);
}

/* The position of `name` among the delegations of `dname`. */
static int position(rampart_repo *r, const char *name, const char *dname, const json_t *binset, uint32_t *pos)
{
    if (binset != NULL) {
        /* Bins are searched in index order: the hex after the prefix. */
        const char *dash = strrchr(name, '-');
        *pos = dash != NULL ? (uint32_t)strtoul(dash + 1, NULL, 16) : 0;
        return 0;
    }
    rrole *d;
    int rc = rrepo_role(r, dname, &d);
    if (rc != 0)
        return rc;
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(json_object_get(rrepo_signed(d), "delegations"), "roles"), i, e)
    {
        const char *en = json_string_value(json_object_get(e, "name"));
        if (en != NULL && strcmp(en, name) == 0) {
            *pos = (uint32_t)i;
            return 0;
        }
    }
    return rrepo_fail(r, RAMPART_EFORMAT, name, "'%s' is not among the delegations of '%s'", name, dname);
}

static int place_role(rampart_repo *r, const char *name, placed *out)
{
    uint32_t rev[CHAIN_MAX];
    size_t n = 0;
    const char *at = name;
    out->name = name;
    while (strcmp(at, "targets") != 0) {
        const char *dname;
        json_t *binset = NULL;
        int rc = rrepo_delegator(r, at, &dname, &binset);
        if (rc == 0 && n == CHAIN_MAX)
            rc = rrepo_fail(r, RAMPART_EFORMAT, name, "delegations deeper than %d", CHAIN_MAX);
        if (rc == 0)
            rc = position(r, at, dname, binset, &rev[n]);
        if (rc != 0)
            return rc;
        n++;
        at = dname;
    }
    out->depth = n;
    for (size_t i = 0; i < n; i++)
        out->pos[i] = rev[n - 1 - i];
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int rrepo_log_entry_of(rampart_repo *r, const char *role, const char *path, const json_t *t, int64_t version, rbuf *out)
{
    tlog_entry_hash h[TLOG_ENTRY_MAX_HASHES];
    size_t nh = 0;
    const char *alg;
    json_t *v;
    json_object_foreach(json_object_get((json_t *)t, "hashes"), alg, v)
    {
        if (nh == TLOG_ENTRY_MAX_HASHES || !json_is_string(v))
            return rrepo_fail(r, RAMPART_EFORMAT, role, "staged target entry '%s' is damaged", path);
        h[nh].alg = alg;
        h[nh++].hex = json_string_value(v);
    }
    json_int_t len = json_integer_value(json_object_get(t, "length"));
    tlog_entry en = {.path = path,
                     .path_len = strlen(path),
                     .role = role,
                     .length = (uint64_t)len,
                     .version = version,
                     .hashes = h,
                     .nhashes = nh};
    if (len < 0)
        return rrepo_fail(r, RAMPART_EFORMAT, role, "staged target entry '%s' is damaged", path);
    int rc = tlog_entry_encode(&en, out, &r->err);
    if (rc == RAMPART_ETOOLARGE)
        return rrepo_fail(r, rc, role, "the log entry of target '%s' is over %d bytes", path, TLOG_ENTRY_MAX);
    return rc;
}

/* True when the target's "rampart_log" names an entry of the log equal to
 * the one its metadata gives. */
static int already_logged(rampart_repo *r, const char *role, const char *path, const json_t *t, uint64_t size,
                          bool *yes)
{
    json_t *pos = json_object_get(json_object_get(t, "custom"), RLOG_TYPE_KEY);
    json_int_t idx = json_integer_value(json_object_get(pos, "index"));
    json_int_t ver = json_integer_value(json_object_get(pos, "version"));
    *yes = false;
    if (!json_is_integer(json_object_get(pos, "index")) || idx < 0 || (uint64_t)idx >= size || ver < 1)
        return 0;
    rbuf want, have;
    rbuf_init(&want, TLOG_ENTRY_MAX);
    rbuf_init(&have, TLOG_ENTRY_MAX);
    int rc = rrepo_log_entry_of(r, role, path, t, ver, &want);
    if (rc == 0)
        rc = rrepo_log_entry(r, size, (uint64_t)idx, &have);
    if (rc == 0)
        *yes = want.len == have.len && memcmp(want.data, have.data, want.len) == 0;
    rbuf_free(&want);
    rbuf_free(&have);
    return rc;
}

/* True when `t` is as the published role `pub` ("targets" object) lists it,
 * with the same log position (published: it was checked then). */
static bool unchanged(const json_t *pub, const char *path, const json_t *t)
{
    const json_t *p = json_object_get(pub, path);
    const json_t *pos = json_object_get(json_object_get(t, "custom"), RLOG_TYPE_KEY);
    return p != NULL && pos != NULL && json_equal(json_object_get(p, "hashes"), json_object_get(t, "hashes")) &&
           json_equal(json_object_get(p, "length"), json_object_get(t, "length")) &&
           json_equal(json_object_get(json_object_get(p, "custom"), RLOG_TYPE_KEY), pos);
}

static int set_position(rampart_repo *r, json_t *t, uint64_t index, int64_t version)
{
    json_t *custom = json_object_get(t, "custom");
    if (!json_is_object(custom)) {
        custom = json_object();
        if (custom == NULL || json_object_set_new(t, "custom", custom) != 0)
            return rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    }
    json_t *pos = json_pack("{s:I,s:I}", "index", (json_int_t)index, "version", (json_int_t)version);
    return pos != NULL && json_object_set_new(custom, RLOG_TYPE_KEY, pos) == 0
               ? 0
               : rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
}

/* Logs the targets of one changed role; *next is the next free index. */
static int assign_role(rampart_repo *r, const char *name, uint64_t size, uint64_t *next, rlog_batch *b)
{
    json_t *pub = NULL;
    rbuf pubbytes;
    rbuf_init(&pubbytes, RREPO_MD_MAX);
    int64_t pv = rrepo_published_version(r, name);
    int rc = pv > 0 ? rrepo_published_role(r, name, pv, &pubbytes, &pub) : 0;
    rbuf_free(&pubbytes);
    rrole *ro = NULL;
    if (rc == 0)
        rc = rrepo_role(r, name, &ro);
    if (rc != 0) {
        json_decref(pub);
        return rc;
    }
    json_t *targets = json_object_get(rrepo_signed(ro), "targets");
    const json_t *pubt = json_object_get(json_object_get(pub, "signed"), "targets");
    size_t n = json_object_size(targets), k = 0;
    const char **paths = rampart_calloc(n ? n : 1, sizeof(*paths));
    const char *path;
    json_t *t;
    if (paths == NULL)
        rc = rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    json_object_foreach(targets, path, t)
    {
        if (rc == 0)
            paths[k++] = path;
    }
    /* Publishing format: paths in byte order within a role. */
    if (rc == 0 && k > 1)
        qsort(paths, k, sizeof(*paths), cmp_str);
    bool edited = false;
    rbuf en;
    rbuf_init(&en, TLOG_ENTRY_MAX);
    for (size_t i = 0; i < k && rc == 0; i++) {
        bool yes = false;
        t = json_object_get(targets, paths[i]);
        if (unchanged(pubt, paths[i], t))
            continue;
        rc = already_logged(r, name, paths[i], t, size, &yes);
        if (rc != 0 || yes)
            continue;
        rbuf_reset(&en);
        rc = rrepo_log_entry_of(r, name, paths[i], t, rrepo_version(ro), &en);
        if (rc == 0 && rlog_batch_add(b, en.data, en.len) != 0)
            rc = rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
        if (rc == 0)
            rc = set_position(r, t, (*next)++, rrepo_version(ro));
        edited = true;
    }
    rbuf_free(&en);
    rampart_free(paths);
    json_decref(pub);
    /* The position is part of what the role signs: old signatures no
     * longer fit. */
    if (rc == 0 && edited && json_object_set_new(ro->md, "signatures", json_array()) != 0)
        rc = rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    if (rc == 0 && edited) {
        ro->changed = true;
        return rrepo_flush_role(r, ro, true);
    }
    rrepo_drop_cache(r);
    return rc;
}

int rrepo_log_assign(rampart_repo *r, char *const *roles, size_t n, rlog_batch *b)
{
    tlog_checkpoint cp;
    int rc = rrepo_log_head(r, RLOG_CHECKPOINT, &cp, NULL);
    placed *pl = rampart_calloc(n ? n : 1, sizeof(*pl));
    size_t np = 0;
    if (rc == 0 && pl == NULL)
        rc = rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    for (size_t i = 0; i < n && rc == 0; i++)
        if (strcmp(roles[i], "root") != 0)
            rc = place_role(r, roles[i], &pl[np++]);
    rrepo_drop_cache(r);
    /* Publishing format: roles in the order of the delegation search. */
    if (rc == 0 && np > 1)
        qsort(pl, np, sizeof(*pl), cmp_placed);
    uint64_t next = cp.size;
    for (size_t i = 0; i < np && rc == 0; i++)
        rc = assign_role(r, pl[i].name, cp.size, &next, b);
    rampart_free(pl);
    return rc;
}
