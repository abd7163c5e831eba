/* tuf_load.c - reads a TUF repository's metadata for an assessment, as a
 * client would (TUF specification §5.2-§5.6): the root and its rotations,
 * timestamp, snapshot, targets and the delegated roles and TAP 15 hash bins, each verified
 * against its delegator.  Unlike a client it carries on past a failure, so
 * everything that can be judged is; every failure goes into the evidence
 * of TUF-VERIFY.  Expiry is not a reason to stop here (TUF-EXPIRY judges
 * it). */
#include <stdio.h>
#include <string.h>

#include "assess/tuf_assess.h"
#include "client/url.h"
#include "tuf/match.h"
#include "util/banned.h"

static int fetch(ta_set *s, const char *name, rbuf *out, rerr *e)
{
    return rasrc_get(s->in->meta, name, s->in->max_doc_bytes, out, e);
}

/* Parses `b` (taken over) as metadata of `type`; on failure notes why. */
static tuf_md *parse(ta_set *s, rbuf *b, tuf_type type, const char *name)
{
    size_t len = 0;
    uint8_t *p = rbuf_detach(b, &len);
    if (p == NULL) {
        s->verify.err = RAMPART_ENOMEM;
        return NULL;
    }
    tuf_md *md = NULL;
    rerr e = {0};
    if (tuf_md_parse(&md, p, len, true, s->in->max_doc_bytes, type, name, &e) != 0) {
        if (e.code == RAMPART_ENOMEM)
            s->verify.err = RAMPART_ENOMEM;
        ta_note(&s->verify, RAMPART_CHECK_CRITICAL, "%s: not valid metadata: %s", name, e.message);
        return NULL;
    }
    return md;
}

static bool verify(ta_set *s, tuf_md *md, const tuf_keyset *ks, const tuf_role_auth *auth, const char *name)
{
    rerr e = {0};
    if (tuf_md_verify(md, ks, auth, name, &e) == 0)
        return true;
    if (e.code == RAMPART_ENOMEM)
        s->verify.err = RAMPART_ENOMEM;
    ta_note(&s->verify, RAMPART_CHECK_CRITICAL, "%s: %s", name, e.message);
    return false;
}

static int load_first_root(ta_set *s, rerr *e)
{
    RAMPART_AUTO(rbuf_free) rbuf b = {0};
    const char *name = "1.root.json";
    if (s->in->root != NULL) {
        s->root_given = true;
        rbuf_init(&b, s->in->root_len);
        if (rbuf_append(&b, s->in->root, s->in->root_len) != 0)
            return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
        name = "the given root";
    } else {
        int rc = fetch(s, name, &b, e);
        if (rc == RAMPART_ENOTFOUND) {
            name = "root.json";
            rc = fetch(s, name, &b, e);
        }
        if (rc == RAMPART_ENOTFOUND)
            return rerr_set(e, rc, NULL, "%s: no TUF root (1.root.json or root.json)", s->in->meta->base);
        if (rc != 0)
            return rc;
    }
    rerr pe = {0};
    size_t len = 0;
    uint8_t *p = rbuf_detach(&b, &len);
    if (p == NULL)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    int rc = tuf_md_parse(&s->root, p, len, true, s->in->max_doc_bytes, TUF_ROOT, "root", &pe);
    if (rc != 0)
        return rerr_set(e, rc, NULL, "%s: not valid root metadata: %s", name, pe.message);
    s->first_root_version = s->root->version;
    /* §5.2: the first root is signed by a threshold of its own keys. */
    (void)verify(s, s->root, &s->root->keys, tuf_root_role(s->root, TUF_ROOT), "root");
    return 0;
}

/* §5.3: N+1.root.json, signed by a threshold of root N's keys and of its own. */
static void rotate(ta_set *s)
{
    for (unsigned i = 0; i < TA_MAX_ROOTS; i++) {
        char name[64];
        (void)snprintf(name, sizeof(name), "%lld.root.json", (long long)s->root->version + 1); /* fits */
        RAMPART_AUTO(rbuf_free) rbuf b = {0};
        rerr e = {0};
        int rc = fetch(s, name, &b, &e);
        if (rc == RAMPART_ENOTFOUND)
            return;
        if (rc != 0) {
            ta_note(&s->verify, RAMPART_CHECK_CRITICAL, "%s: %s", name, e.message);
            return;
        }
        tuf_md *nr = parse(s, &b, TUF_ROOT, name);
        if (nr == NULL)
            return;
        if (nr->version != s->root->version + 1) {
            ta_note(&s->verify, RAMPART_CHECK_CRITICAL, "%s holds root version %lld", name, (long long)nr->version);
            tuf_md_free(nr);
            return;
        }
        if (!verify(s, nr, &s->root->keys, tuf_root_role(s->root, TUF_ROOT), name) ||
            !verify(s, nr, &nr->keys, tuf_root_role(nr, TUF_ROOT), name)) {
            tuf_md_free(nr);
            return;
        }
        tuf_md_free(s->root);
        s->root = nr;
    }
    ta_note(&s->verify, RAMPART_CHECK_WARN, "more than %d root versions; stopped following them", TA_MAX_ROOTS);
}

/* Reads role metadata file `name`, checks it against its parent's entry
 * (`mf`, may be NULL) and the signatures of `auth` in `ks`. */
static tuf_md *load_role(ta_set *s, const char *name, tuf_type type, const tuf_metafile *mf, const tuf_keyset *ks,
                         const tuf_role_auth *auth, const char *role)
{
    RAMPART_AUTO(rbuf_free) rbuf b = {0};
    rerr e = {0};
    int rc = fetch(s, name, &b, &e);
    if (rc != 0) {
        if (rc == RAMPART_ENOMEM)
            s->verify.err = rc;
        ta_note(&s->verify, RAMPART_CHECK_CRITICAL, "%s: %s", name, e.message);
        return NULL;
    }
    if (mf != NULL && tuf_check_hashes(s->snap != NULL && type != TUF_SNAPSHOT ? s->snap : s->ts, mf->hashes,
                                       mf->length, b.data, b.len, name, &e) != 0) {
        ta_note(&s->verify, RAMPART_CHECK_CRITICAL, "%s: %s", name, e.message);
        return NULL;
    }
    tuf_md *md = parse(s, &b, type, name);
    if (md == NULL)
        return NULL;
    if (mf != NULL && md->version != mf->version) {
        ta_note(&s->verify, RAMPART_CHECK_CRITICAL, "%s: version %lld where its parent lists %lld", name,
                (long long)md->version, (long long)mf->version);
        tuf_md_free(md);
        return NULL;
    }
    if (!verify(s, md, ks, auth, role)) {
        tuf_md_free(md);
        return NULL;
    }
    return md;
}

static int role_file(rbuf *out, const tuf_md *root, int64_t version, const char *role)
{
    rbuf_reset(out);
    int rc = 0;
    if (root->consistent_snapshot)
        rc = rbuf_appendf(out, "%lld.", (long long)version);
    if (rc == 0)
        rc = rurl_encode_all(out, rslice_cstr(role));
    if (rc == 0)
        rc = rbuf_append_str(out, ".json");
    return rc;
}

static void load_top(ta_set *s)
{
    RAMPART_AUTO(rbuf_free) rbuf name;
    rbuf_init(&name, 1024);
    const tuf_md *r = s->root;
    s->ts = load_role(s, "timestamp.json", TUF_TIMESTAMP, NULL, &r->keys, tuf_root_role(r, TUF_TIMESTAMP), "timestamp");
    if (s->ts == NULL)
        return;
    tuf_metafile mf = s->ts->snapshot_meta;
    if (role_file(&name, r, mf.version, "snapshot") != 0) {
        s->verify.err = RAMPART_ENOMEM;
        return;
    }
    s->snap =
        load_role(s, (const char *)name.data, TUF_SNAPSHOT, &mf, &r->keys, tuf_root_role(r, TUF_SNAPSHOT), "snapshot");
    if (s->snap == NULL)
        return;
    if (tuf_md_metafile(s->snap, rslice_cstr("targets.json"), &mf) != 0) {
        ta_note(&s->verify, RAMPART_CHECK_CRITICAL, "snapshot does not list targets.json");
        return;
    }
    if (role_file(&name, r, mf.version, "targets") != 0) {
        s->verify.err = RAMPART_ENOMEM;
        return;
    }
    s->targets =
        load_role(s, (const char *)name.data, TUF_TARGETS, &mf, &r->keys, tuf_root_role(r, TUF_TARGETS), "targets");
}

static const tuf_md *role_md(const ta_set *s, int i)
{
    return i < 0 ? s->targets : s->roles[i].md;
}

/* True when `name` is role `i` or one of its delegators (a cycle). */
static bool on_path(const ta_set *s, int i, rslice name)
{
    for (; i >= 0; i = s->roles[i].parent)
        if (rslice_eq_cstr(name, s->roles[i].name))
            return true;
    return false;
}

static bool loaded(const ta_set *s, rslice name)
{
    for (size_t i = 0; i < s->nroles; i++)
        if (rslice_eq_cstr(name, s->roles[i].name))
            return true;
    return false;
}

/* Reads role `name` delegated by role `parent` with `auth` (a named
 * delegation, or a hash bin of the delegator's succinct_roles). */
static void load_delegated_role(ta_set *s, int parent, rslice name, const tuf_role_auth *auth, bool bin)
{
    const tuf_md *by = role_md(s, parent);
    if (on_path(s, parent, name)) {
        s->cycle = true;
        (void)snprintf(s->cycle_name, sizeof(s->cycle_name), "%.*s", (int)name.n, name.p);
        return;
    }
    if (loaded(s, name))
        return;
    if (name.n >= sizeof(s->roles[0].name) || (bin ? s->nbins >= TA_MAX_BINS : s->ndelegated >= TA_MAX_ROLES)) {
        if (bin)
            s->bins_truncated = true;
        else
            s->roles_truncated = true;
        return;
    }
    if (bin)
        s->nbins++;
    else
        s->ndelegated++;
    ta_role *r = &s->roles[s->nroles++];
    *r = (ta_role){.parent = parent, .by = by, .bin = bin};
    memcpy(r->name, name.p, name.n);
    RAMPART_AUTO(rbuf_free) rbuf fname;
    rbuf_init(&fname, 2048);
    RAMPART_AUTO(rbuf_free) rbuf meta;
    rbuf_init(&meta, 1024);
    tuf_metafile mf;
    if (rbuf_appendf(&meta, "%s.json", r->name) != 0 || tuf_md_metafile(s->snap, rbuf_slice(&meta), &mf) != 0) {
        ta_note(&s->verify, RAMPART_CHECK_CRITICAL, "snapshot does not list delegated role '%s'", r->name);
        return;
    }
    if (role_file(&fname, s->root, mf.version, r->name) != 0) {
        s->verify.err = RAMPART_ENOMEM;
        return;
    }
    r->md = load_role(s, (const char *)fname.data, TUF_TARGETS, &mf, &by->keys, auth, r->name);
}

/* TAP 15: the bins of `md`'s succinct_roles are the roles "<prefix>-<hex>"
 * below 2^bit_length; the ones the snapshot lists are read (a client finds
 * a target's bin from its path hash and reads it through the snapshot, so a
 * bin the snapshot does not list holds nothing a client would trust). */
static void load_bins(ta_set *s, int parent)
{
    const tuf_md *md = role_md(s, parent);
    const jdoc *d = s->snap->doc;
    if (s->snap->meta == JD_NONE)
        return;
    for (jd_ref k = jdoc_first(d, s->snap->meta); k != JD_NONE; k = jdoc_next_key(d, k)) {
        rslice f = jdoc_str(d, k);
        if (f.n <= 5 || memcmp(f.p + f.n - 5, ".json", 5) != 0 || jdoc_str_has_nul(d, k))
            continue;
        rslice name = RSLICE(f.p, f.n - 5);
        if (tuf_succinct_is_role(&md->succinct, name))
            load_delegated_role(s, parent, name, &md->succinct.auth, true);
    }
}

/* Breadth first over the delegation graph from targets, named delegations
 * and TAP 15 hash bins alike. */
static void load_delegated(ta_set *s)
{
    for (int i = -1; i < (int)s->nroles; i++) {
        const tuf_md *md = role_md(s, i);
        if (md == NULL || !md->has_delegations)
            continue;
        for (size_t k = 0; k < md->ndelegations; k++)
            load_delegated_role(s, i, md->delegations[k].auth.name, &md->delegations[k].auth, false);
        if (md->has_succinct)
            load_bins(s, i);
    }
}

int ta_load(ta_set *s, rerr *e)
{
    ta_ev_init(&s->verify);
    int rc = load_first_root(s, e);
    if (rc != 0)
        return rc;
    rotate(s);
    load_top(s);
    if (s->targets != NULL)
        load_delegated(s);
    if (s->verify.err == RAMPART_ENOMEM)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    return 0;
}

void ta_set_free(ta_set *s)
{
    tuf_md_free(s->root);
    tuf_md_free(s->ts);
    tuf_md_free(s->snap);
    tuf_md_free(s->targets);
    for (size_t i = 0; i < s->nroles; i++)
        tuf_md_free(s->roles[i].md);
    rbuf_free(&s->verify.b);
}
