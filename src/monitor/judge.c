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
#include "util/jcanon.h"
#include "util/jdoc.h"
#include "util/banned.h"

/* The largest targets metadata file the monitor reads. */
#define MD_MAX ((size_t)256 << 20)
#define ENTRY_TYPE "rampart.log-entry/v1"

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

static int key(rbuf *b, const char *k)
{
    int rc = jcanon_string(b, (const uint8_t *)k, strlen(k));
    return rc == 0 ? rbuf_append_byte(b, ':') : rc;
}

int mrepo_entry(const tuf_md *md, const char *role, int64_t version, rslice path, rbuf *out, rerr *e)
{
    tuf_targetfile t;
    if (tuf_md_target(md, path, &t) != 0)
        return RAMPART_ENOTFOUND;
    /* The contract: canonical JSON of hashes, length, path, role, type,
     * version (keys in this, their byte order), hashes as signed. */
    size_t before = out->len;
    int rc = rbuf_append_byte(out, '{');
    if (rc == 0)
        rc = key(out, "hashes");
    if (rc == 0)
        rc = jdoc_canonical(md->doc, t.hashes, out);
    if (rc == 0)
        rc = rbuf_append_byte(out, ',');
    if (rc == 0)
        rc = key(out, "length");
    if (rc == 0)
        rc = jcanon_int(out, t.length);
    if (rc == 0)
        rc = rbuf_append_byte(out, ',');
    if (rc == 0)
        rc = key(out, "path");
    if (rc == 0)
        rc = jcanon_string(out, path.p, path.n);
    if (rc == 0)
        rc = rbuf_append_byte(out, ',');
    if (rc == 0)
        rc = key(out, "role");
    if (rc == 0)
        rc = jcanon_string(out, (const uint8_t *)role, strlen(role));
    if (rc == 0)
        rc = rbuf_append_str(out, ",\"type\":\"" ENTRY_TYPE "\",");
    if (rc == 0)
        rc = key(out, "version");
    if (rc == 0)
        rc = jcanon_int(out, version);
    if (rc == 0)
        rc = rbuf_append_byte(out, '}');
    if (rc != 0) {
        out->len = before;
        return rerr_set(e, rc, NULL, "cannot build a log entry");
    }
    return 0;
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
