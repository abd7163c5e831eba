/*
 * judge.c - was a logged entry published by the vendor's repository?  The
 * entry names a role, its version and a target path; the repository keeps
 * every version of every targets role in its metadata folder
 * ("<version>.<role>.json", consistent snapshots), so the entry publish
 * wrote can be rebuilt and compared byte for byte
 * (docs/transparency.md "Publishing format").
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "monitor/monitor_internal.h"
#include "util/fs.h"
#include "tlog/entry.h"
#include "util/jdoc.h"
#include "util/banned.h"

/* The largest targets metadata file the monitor reads. */
#define MD_MAX ((size_t)256 << 20)

int mrepo_open(mrepo *r, const char *dir, rerr *e)
{
    memset(r, 0, sizeof(*r));
    r->dirfd = -1;
    int top = -1;
    int rc = rfs_open_dir(dir, false, false, &top, e);
    if (rc != 0)
        return rc;
    if (rfs_exists_at(top, "public")) {
        int pub = -1;
        rc = rfs_open_subdir(top, "public", false, 0755, &pub, e);
        if (rc == 0) {
            rc = rfs_open_subdir(pub, "metadata", false, 0755, &r->dirfd, e);
            (void)close(pub); /* read-only */
        }
        (void)close(top);
        return rc;
    }
    r->dirfd = top;
    return 0;
}

void mrepo_close(mrepo *r)
{
    if (r->dirfd >= 0)
        (void)close(r->dirfd); /* read-only */
    tuf_md_free(r->md);
    r->md = NULL;
    r->dirfd = -1;
}

/* The entry publish wrote for `path` in `md` (tlog/entry.h, the encoder
 * the writer and the endpoint share), from the hashes as signed.  Metadata
 * that cannot give an entry (more hashes than an entry holds, a hash that
 * is not a string) gives none: it then differs from the logged bytes. */
int mrepo_entry(const tuf_md *md, const char *role, int64_t version, rslice path, rbuf *out, rerr *e)
{
    tuf_targetfile t;
    if (tuf_md_target(md, path, &t) != 0)
        return RAMPART_ENOTFOUND;
    char alg[TLOG_ENTRY_MAX_HASHES][64], hex[TLOG_ENTRY_MAX_HASHES][260];
    tlog_entry_hash h[TLOG_ENTRY_MAX_HASHES];
    size_t n = 0;
    for (jd_ref k = jdoc_first(md->doc, t.hashes); k != JD_NONE; k = jdoc_next_key(md->doc, k)) {
        jd_ref v = jdoc_value(k);
        rslice ks = jdoc_str(md->doc, k), vs = jdoc_type(md->doc, v) == JD_STRING ? jdoc_str(md->doc, v) : (rslice){0};
        if (n == TLOG_ENTRY_MAX_HASHES || ks.n >= sizeof(alg[0]) || vs.p == NULL || vs.n >= sizeof(hex[0]) ||
            memchr(ks.p, 0, ks.n) != NULL || memchr(vs.p, 0, vs.n) != NULL)
            return 0;
        memcpy(alg[n], ks.p, ks.n);
        alg[n][ks.n] = '\0';
        memcpy(hex[n], vs.p, vs.n);
        hex[n][vs.n] = '\0';
        h[n] = (tlog_entry_hash){alg[n], hex[n]};
        n++;
    }
    tlog_entry en = {.path = (const char *)path.p,
                     .path_len = path.n,
                     .role = role,
                     .length = t.length < 0 ? 0 : (uint64_t)t.length,
                     .version = version,
                     .hashes = h,
                     .nhashes = n};
    rerr sub;
    rerr_clear(&sub);
    int rc = tlog_entry_encode(&en, out, &sub);
    if (rc == RAMPART_EINVAL || rc == RAMPART_ETOOLARGE)
        return 0;
    return rc != 0 ? rerr_set(e, rc, NULL, "cannot build a log entry: %s", sub.message) : 0;
}

/* Loads "<version>.<role>.json" (r->md NULL when the repository has none). */
static int load_role(mrepo *r, const char *role, int64_t version, rerr *e)
{
    if (r->md != NULL && r->version == version && strcmp(r->role, role) == 0)
        return 0;
    tuf_md_free(r->md);
    r->md = NULL;
    (void)snprintf(r->role, sizeof(r->role), "%s", role); /* checked to fit by the caller */
    r->version = version;
    char name[320];
    (void)snprintf(name, sizeof(name), "%lld.%s.json", (long long)version, role); /* fits */
    rbuf b;
    rbuf_init(&b, MD_MAX);
    rerr sub;
    rerr_clear(&sub);
    int rc = rfs_read_file(r->dirfd, name, &b, &sub);
    if (rc == RAMPART_ENOTFOUND || rc == RAMPART_EPATH) {
        rbuf_free(&b);
        return 0;
    }
    if (rc != 0) {
        rbuf_free(&b);
        return rerr_set(e, RAMPART_EIO, NULL, "repository metadata %s: %s", name, sub.message);
    }
    size_t n;
    uint8_t *p = rbuf_detach(&b, &n);
    rc = tuf_md_parse(&r->md, p, n, true, MD_MAX, TUF_TARGETS, role, &sub);
    if (rc == RAMPART_ENOMEM)
        return rerr_set(e, rc, NULL, "out of memory");
    if (rc != 0) /* not targets metadata: the repository published no such role */
        r->md = NULL;
    if (r->md != NULL && r->md->version != version) {
        tuf_md_free(r->md);
        r->md = NULL;
    }
    return 0;
}

/* A role name that names a file in the metadata folder. */
static bool role_ok(rslice role)
{
    if (role.n == 0 || role.n > 200 || memchr(role.p, '/', role.n) != NULL || memchr(role.p, 0, role.n) != NULL)
        return false;
    if (rslice_eq_cstr(role, "targets"))
        return true;
    char why[8];
    return role.p[0] != '.' && tuf_role_name_check(role, why, sizeof(why)) == 0;
}

int mrepo_judge(mrepo *r, const uint8_t *p, size_t n, mjudgment *out, char *why, size_t cap, rerr *e)
{
    jdoc *d = NULL;
    jd_limits lim = {.max_bytes = 65535, .max_depth = 8};
    if (jdoc_parse(&d, p, n, false, &lim, NULL) != 0) {
        *out = MJ_MALFORMED;
        (void)snprintf(why, cap, "the entry is not JSON");
        return 0;
    }
    jd_ref root = jdoc_root(d);
    jd_ref jr = jdoc_get(d, root, "role"), jv = jdoc_get(d, root, "version"), jp = jdoc_get(d, root, "path");
    if (jdoc_type(d, root) != JD_OBJECT || jdoc_type(d, jr) != JD_STRING || jdoc_type(d, jv) != JD_INT ||
        jdoc_type(d, jp) != JD_STRING) {
        jdoc_free(d);
        *out = MJ_MALFORMED;
        (void)snprintf(why, cap, "the entry has no string role and path and integer version");
        return 0;
    }
    rslice role = jdoc_str(d, jr), path = jdoc_str(d, jp);
    int64_t version = jdoc_int(d, jv);
    int rc = 0;
    *out = MJ_UNPUBLISHED;
    if (!role_ok(role) || version < 1) {
        (void)snprintf(why, cap, "the entry's role name or version cannot be the repository's");
        goto out;
    }
    char rname[256];
    memcpy(rname, role.p, role.n);
    rname[role.n] = '\0';
    rc = load_role(r, rname, version, e);
    if (rc != 0)
        goto out;
    if (r->md == NULL) {
        (void)snprintf(why, cap, "the repository has no version %lld of role '%s'", (long long)version, rname);
        goto out;
    }
    rbuf want;
    rbuf_init(&want, 65536);
    rc = mrepo_entry(r->md, rname, version, path, &want, e);
    if (rc == RAMPART_ENOTFOUND) {
        rc = 0;
        (void)snprintf(why, cap, "version %lld of role '%s' does not list the path", (long long)version, rname);
    } else if (rc == 0 && (want.len != n || memcmp(want.data, p, n) != 0)) {
        (void)snprintf(why, cap, "version %lld of role '%s' lists the path with other hashes or length",
                       (long long)version, rname);
    } else if (rc == 0) {
        *out = MJ_PUBLISHED;
        why[0] = '\0';
    }
    rbuf_free(&want);
out:
    jdoc_free(d);
    return rc;
}
