/* tuf_kind.c - the TUF kind: detection, the delegation, specification,
 * transport checks, and the order in which every check
 * runs. */
#include <stdio.h>
#include <string.h>

#include "assess/tuf_assess.h"
#include "util/banned.h"

#define KID(s) (int)((s).n < 16 ? (s).n : 16), (const char *)(s).p

static bool is_online_key(const ta_set *s, rslice id)
{
    static const tuf_type online[2] = {TUF_TIMESTAMP, TUF_SNAPSHOT};
    for (size_t i = 0; i < 2; i++) {
        const tuf_role_auth *r = tuf_root_role(s->root, online[i]);
        for (size_t k = 0; k < r->nkeyids; k++)
            if (rslice_eq(r->keyids[k], id))
                return true;
    }
    return false;
}

/* True when the delegation's paths include "*" (every target). */
static bool delegates_all(const tuf_md *md, const tuf_delegation *d)
{
    const jdoc *doc = md->doc;
    if (d->paths == JD_NONE)
        return false;
    for (jd_ref r = jdoc_first(doc, d->paths); r != JD_NONE; r = jdoc_next(doc, r))
        if (rslice_eq_cstr(jdoc_str(doc, r), "*"))
            return true;
    return false;
}

static void auth_keys(const ta_set *s, const tuf_md *by, const tuf_role_auth *au, const char *name, ta_ev *v)
{
    if (au->threshold > (int64_t)au->nkeyids)
        ta_note(v, RAMPART_CHECK_FAIL, "'%s': threshold %lld of %zu key(s) can never be met", name,
                (long long)au->threshold, au->nkeyids);
    for (size_t k = 0; k < au->nkeyids; k++) {
        if (tuf_keyset_find(&by->keys, au->keyids[k]) == NULL)
            ta_note(v, RAMPART_CHECK_FAIL, "'%s': keyid %.*s... is not among the delegator's keys", name,
                    KID(au->keyids[k]));
        if (is_online_key(s, au->keyids[k]))
            ta_note(v, RAMPART_CHECK_FAIL, "'%s': signed by online key %.*s... (timestamp/snapshot)", name,
                    KID(au->keyids[k]));
    }
}

static void delegations_of(const ta_set *s, const tuf_md *by, const char *byname, ta_ev *v, size_t *count)
{
    for (size_t i = 0; i < by->ndelegations; i++) {
        const tuf_delegation *d = &by->delegations[i];
        char name[300];
        (void)snprintf(name, sizeof(name), "%.*s", (int)(d->auth.name.n < 256 ? d->auth.name.n : 256),
                       (const char *)d->auth.name.p); /* truncated on purpose */
        (*count)++;
        auth_keys(s, by, &d->auth, name, v);
        /* A delegation of every path to one key makes that key as strong
         * as targets itself (Rampart's choice: warn). */
        if (delegates_all(by, d) && d->auth.nkeyids <= 1 && d->auth.threshold <= 1)
            ta_note(v, RAMPART_CHECK_WARN, "'%s' (by %s): every path ('*') to a 1-of-1 key", name, byname);
    }
    if (by->has_succinct) {
        (*count)++;
        auth_keys(s, by, &by->succinct.auth, "hash bins", v);
    }
}

static int check_delegations(rampart_assessment *a, const ta_set *s)
{
    ta_ev v;
    ta_ev_init(&v);
    size_t n = 0;
    if (s->targets != NULL)
        delegations_of(s, s->targets, "targets", &v, &n);
    for (size_t i = 0; i < s->nroles; i++)
        if (s->roles[i].md != NULL)
            delegations_of(s, s->roles[i].md, s->roles[i].name, &v, &n);
    if (s->cycle)
        ta_note(&v, RAMPART_CHECK_FAIL, "delegation cycle through '%s'", s->cycle_name);
    if (s->roles_truncated)
        ta_note(&v, RAMPART_CHECK_WARN, "only the first %d delegated roles were read", TA_MAX_ROLES);
    if (s->bins_truncated)
        ta_note(&v, RAMPART_CHECK_WARN, "only the first %d hash bins were read", TA_MAX_BINS);
    if (s->targets == NULL)
        ta_note(&v, RAMPART_CHECK_WARN, "targets could not be read: delegations not assessed");
    else if (n == 0)
        ta_note(&v, RAMPART_CHECK_PASS, "no delegations: targets signs every target itself");
    else if (v.st == RAMPART_CHECK_PASS)
        ta_note(&v, RAMPART_CHECK_PASS, "%zu delegation(s), each with a reachable threshold of known, offline keys", n);
    return ta_emit(a, TA_DELEGATIONS, &v, s->where);
}

static void spec_of(const tuf_md *md, const char *name, ta_ev *v)
{
    if (md == NULL)
        return;
    rslice sv = md->spec_version;
    /* TUF specification, SPEC_VERSION: clients reject a major version they do not support. */
    bool one = sv.n >= 2 && sv.p[0] == '1' && sv.p[1] == '.';
    ta_note(v, one ? RAMPART_CHECK_PASS : RAMPART_CHECK_WARN, "%s: %.*s", name, (int)(sv.n < 32 ? sv.n : 32),
            (const char *)sv.p);
}

static int check_misc(rampart_assessment *a, const ta_set *s)
{
    ta_ev v;
    ta_ev_init(&v);
    ta_note(&v, s->root->consistent_snapshot ? RAMPART_CHECK_PASS : RAMPART_CHECK_WARN, "consistent_snapshot: %s",
            s->root->consistent_snapshot ? "true" : "false");
    int rc = ta_emit(a, TA_CONSISTENT, &v, s->where);
    if (rc != 0)
        return rc;
    ta_ev_init(&v);
    spec_of(s->root, "root", &v);
    spec_of(s->ts, "timestamp", &v);
    spec_of(s->snap, "snapshot", &v);
    spec_of(s->targets, "targets", &v);
    rc = ta_emit(a, TA_SPEC, &v, s->where);
    if (rc != 0 || !s->in->meta->is_url)
        return rc;
    ta_ev_init(&v);
    /* The metadata is signed, but only TLS keeps a network attacker from
     * seeing and steering what a client asks for. */
    if (s->in->meta->https)
        ta_note(&v, RAMPART_CHECK_PASS, "metadata fetched over HTTPS (redirects to http refused)");
    else
        ta_note(&v, RAMPART_CHECK_CRITICAL, "metadata served over plain http");
    return ta_emit(a, TA_HTTPS, &v, s->where);
}

static int check_verify(rampart_assessment *a, ta_set *s)
{
    ta_ev *v = &s->verify;
    if (v->st == RAMPART_CHECK_PASS) {
        size_t ok = 0, bins = 0;
        for (size_t i = 0; i < s->nroles; i++) {
            ok += s->roles[i].md != NULL && !s->roles[i].bin;
            bins += s->roles[i].md != NULL && s->roles[i].bin;
        }
        ta_note(v, RAMPART_CHECK_PASS,
                "root v%lld (%s v%lld), timestamp v%lld, snapshot v%lld, targets v%lld, %zu delegated "
                "role(s) and %zu hash bin(s) verify",
                (long long)s->root->version,
                s->root_given ? "from the given root" : "trust on first use of the repository's root",
                (long long)s->first_root_version, (long long)s->ts->version, (long long)s->snap->version,
                (long long)s->targets->version, ok, bins);
    } else if (!s->root_given) {
        ta_note(v, v->st, "(root trusted on first use: give --root to check it against one obtained out of band)");
    }
    int rc = ta_emit(a, TA_VERIFY, v, s->where);
    ta_ev_init(v);
    return rc;
}

static int tuf_run(rampart_assessment *a, const rassess_input *in, rerr *e)
{
    ta_set *s = rampart_calloc(1, sizeof(*s));
    if (s == NULL)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    s->in = in;
    s->now = a->now;
    (void)snprintf(s->where, sizeof(s->where), "%s", in->meta->base); /* truncated on purpose */
    int rc = ta_load(s, e);
    if (rc == 0)
        rc = check_verify(a, s);
    if (rc == 0)
        rc = ta_check_keys(a, s);
    if (rc == 0)
        rc = ta_check_expiry(a, s);
    if (rc == 0)
        rc = ta_check_hashes(a, s);
    if (rc == 0)
        rc = check_misc(a, s);
    if (rc == 0)
        rc = check_delegations(a, s);
    if (rc == 0)
        rc = ta_check_provenance(a, s);
    if (rc == 0)
        rc = ta_check_tlog(a, s);
    if (rc != 0 && (e == NULL || e->code != rc))
        rc = rerr_set(e, rc, NULL, "cannot record the findings");
    ta_set_free(s);
    rampart_free(s);
    return rc;
}

static bool tuf_detect(const rassess_input *in)
{
    rasrc *meta = in->meta;
    if (meta == NULL)
        return false;
    static const char *const names[] = {"1.root.json", "root.json", "timestamp.json"};
    RAMPART_AUTO(rbuf_free) rbuf b = {0};
    for (size_t i = 0; i < 3; i++)
        if (rasrc_get(meta, names[i], 512000, &b, NULL) == 0)
            return true;
    return false;
}

const rassess_kind rassess_kind_tuf = {
    .name = "tuf",
    .kind = RAMPART_KIND_TUF,
    .detect = tuf_detect,
    .run = tuf_run,
    .rules = ta_rules,
    .nrules = TA_NRULES,
};
