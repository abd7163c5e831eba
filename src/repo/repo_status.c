/* repo_status.c - versions, expiry, keys and warnings (rampart_repo_status). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "repo/repo_internal.h"
#include "util/fs.h"
#include "util/rtime.h"
#include "util/banned.h"

typedef struct sctx {
    rampart_repo *r;
    unsigned warn_days;
    void (*role_fn)(void *, const rampart_repo_role_status *);
    void (*warn_fn)(void *, const char *);
    void *ctx;
} sctx;

static void warnf(sctx *s, const char *fmt, ...) RAMPART_PRINTF(2, 3);
static void warnf(sctx *s, const char *fmt, ...)
{
    if (s->warn_fn == NULL)
        return;
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(line, sizeof(line), fmt, ap); /* a warning line: cut to fit */
    va_end(ap);
    s->warn_fn(s->ctx, line);
}

/* Fills version/expiry/signature figures of one metadata document. */
static int measure(sctx *s, const char *name, const json_t *md, tuf_type type, const tuf_md *del,
                   rampart_repo_role_status *st)
{
    tuf_md *m = NULL;
    int rc = rrepo_parse(s->r, md, type, name, &m);
    if (rc != 0)
        return rc;
    const tuf_role_auth *a = NULL;
    st->version = m->version;
    st->expires = m->expires;
    if (rrepo_find_auth(del != NULL ? del : m, name, &a) == 0) {
        st->key_count = a->nkeyids;
        st->threshold = a->threshold;
        st->signatures = rrepo_count_valid(m, del != NULL ? &del->keys : &m->keys, a);
    }
    tuf_md_free(m);
    return 0;
}

/* "Soon" is warn_days, but at most half the role's own period: a
 * timestamp that lives one day is not "expiring soon" right after it was
 * signed, while a root with a year of life left is checked long before. */
static int64_t soon_window(sctx *s, const char *name)
{
    char role[RREPO_NAME_MAX + 8];
    (void)snprintf(role, sizeof(role), "%s", name); /* names <= RREPO_NAME_MAX */
    int64_t w = (int64_t)s->warn_days * 86400, half = (int64_t)rrepo_period(s->r, role) / 2;
    return half < w ? half : w;
}

static void judge(sctx *s, rampart_repo_role_status *st)
{
    int64_t now = rrepo_now(s->r);
    char when[RTIME_STR_LEN + 1] = "?";
    int sev = st->severity;
    if (rtime_format(st->expires, when) != 0)
        when[0] = '?', when[1] = '\0';
    if (st->expires <= now) {
        warnf(s, "%s: EXPIRED at %s%s", st->name, when, st->changed ? "" : " (publish or refresh it)");
        sev = 2;
    } else if (st->expires - now < soon_window(s, st->name)) {
        warnf(s, "%s: expires soon, at %s", st->name, when);
        sev = sev > 1 ? sev : 1;
    }
    if (st->threshold == 1 && (strcmp(st->name, "root") == 0 || strcmp(st->name, "targets") == 0)) {
        warnf(s, "%s: threshold 1: a single stolen key is enough to sign it", st->name);
        sev = sev > 1 ? sev : 1;
    }
    if ((size_t)st->threshold > st->key_count) {
        warnf(s, "%s: threshold %lld can never be met with %zu key(s)", st->name, st->threshold, st->key_count);
        sev = 2;
    }
    if (st->changed && st->signatures < (size_t)st->threshold) {
        warnf(s, "%s: changed, %zu of %lld signature(s): sign it, or give its keys to publish", st->name,
              st->signatures, st->threshold);
        sev = sev > 1 ? sev : 1;
    } else if (!st->changed && st->published_version > 0 && st->signatures < (size_t)st->threshold) {
        warnf(s, "%s: published version %lld has %zu of %lld signature(s): clients refuse it", st->name,
              st->published_version, st->signatures, st->threshold);
        sev = 2;
    }
    st->severity = sev;
    if (s->role_fn != NULL)
        s->role_fn(s->ctx, st);
}

static int staged_role(sctx *s, const char *name, tuf_md *root)
{
    rrole *ro;
    tuf_md *del = NULL;
    rampart_repo_role_status st = {.name = name, .count = 1};
    int rc = rrepo_role(s->r, name, &ro);
    if (rc == 0 && strcmp(name, "root") != 0)
        rc = rrepo_delegator_md(s->r, name, &del, NULL);
    if (rc == 0)
        rc = measure(s, name, ro->md, strcmp(name, "root") == 0 ? TUF_ROOT : TUF_TARGETS,
                     strcmp(name, "root") == 0 ? NULL : del, &st);
    (void)root;
    if (rc == 0) {
        st.published_version = rrepo_published_version(s->r, name);
        st.changed = st.version > st.published_version;
        judge(s, &st);
    }
    tuf_md_free(del);
    rrepo_drop_cache(s->r);
    return rc;
}

static int online_role(sctx *s, const char *name, tuf_type type, tuf_md *root)
{
    json_t *md = NULL;
    char fname[32];
    (void)snprintf(fname, sizeof(fname), "%s.json", name); /* "timestamp" or "snapshot" */
    int rc = rrepo_read_json(s->r, s->r->fds[RDIR_STATE], fname, &md);
    rampart_repo_role_status st = {.name = name, .count = 1};
    if (rc == RAMPART_ENOTFOUND) {
        const tuf_role_auth *a = &root->roles[type];
        st.key_count = a->nkeyids;
        st.threshold = a->threshold;
        st.expires = INT64_MAX / 2;
        st.severity = 1;
        warnf(s, "%s: not published yet", name);
        if (s->role_fn != NULL)
            s->role_fn(s->ctx, &st);
        return 0;
    }
    if (rc == 0)
        rc = measure(s, name, md, type, root, &st);
    if (rc == 0) {
        st.published_version = st.version;
        judge(s, &st);
    }
    json_decref(md);
    return rc;
}

static int bins_status(sctx *s, json_t *b)
{
    char label[RREPO_NAME_MAX + 8], name[RREPO_NAME_MAX + 16];
    /* Bin prefixes are checked at init to leave room for the suffix. */
    (void)snprintf(label, sizeof(label), "%s-*", json_string_value(json_object_get(b, "name_prefix")));
    rampart_repo_role_status agg = {.name = label, .count = rrepo_bin_count(b), .expires = INT64_MAX};
    agg.signatures = (size_t)-1;
    tuf_md *del = NULL;
    int rc = rrepo_bin_name(b, 0, name, sizeof(name));
    if (rc == 0)
        rc = rrepo_delegator_md(s->r, name, &del, NULL);
    for (uint32_t i = 0; i < agg.count && rc == 0; i++) {
        rrole *ro;
        rampart_repo_role_status st = {0};
        rc = rrepo_bin_name(b, i, name, sizeof(name));
        if (rc == 0)
            rc = rrepo_role(s->r, name, &ro);
        if (rc == 0)
            rc = measure(s, name, ro->md, TUF_TARGETS, del, &st);
        if (rc == 0) {
            long long pub = rrepo_published_version(s->r, name);
            agg.version = st.version > agg.version ? st.version : agg.version;
            agg.published_version = pub > agg.published_version ? pub : agg.published_version;
            agg.expires = st.expires < agg.expires ? st.expires : agg.expires;
            agg.changed |= st.version > pub;
            agg.key_count = st.key_count;
            agg.threshold = st.threshold;
            if (st.signatures < agg.signatures && st.version > pub)
                agg.signatures = st.signatures;
        }
        rrepo_drop_cache(s->r);
    }
    if (agg.signatures == (size_t)-1)
        agg.signatures = (size_t)agg.threshold;
    if (rc == 0)
        judge(s, &agg);
    tuf_md_free(del);
    return rc;
}

int rampart_repo_status(rampart_repo *r, unsigned warn_days,
                        void (*role_fn)(void *ctx, const rampart_repo_role_status *s),
                        void (*warn_fn)(void *ctx, const char *line), void *ctx)
{
    if (r == NULL)
        return RAMPART_EINVAL;
    rerr_clear(&r->err);
    sctx s = {r, warn_days, role_fn, warn_fn, ctx};
    tuf_md *root = NULL;
    rrole *ro;
    int rc = rrepo_role(r, "root", &ro);
    if (rc == 0)
        rc = rrepo_parse(r, ro->md, TUF_ROOT, "root", &root);
    if (rc == 0)
        rc = staged_role(&s, "root", root);
    if (rc == 0)
        rc = staged_role(&s, "targets", root);
    if (rc == 0)
        rc = online_role(&s, "snapshot", TUF_SNAPSHOT, root);
    if (rc == 0)
        rc = online_role(&s, "timestamp", TUF_TIMESTAMP, root);
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(r->config, "delegations"), k, v)
    {
        if (rc == 0)
            rc = staged_role(&s, k, root);
    }
    size_t i;
    json_array_foreach(json_object_get(r->config, "bins"), i, v)
    {
        if (rc == 0)
            rc = bins_status(&s, v);
    }
    if (rc == 0 && rfs_exists_at(r->fds[RDIR_STATE], "pending.json"))
        warnf(&s, "an interrupted publish is pending: run publish to finish it");
    tuf_md_free(root);
    rrepo_drop_cache(r);
    return rc;
}
