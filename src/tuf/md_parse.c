/*
 * md_parse.c - the metadata envelope and the fields every role shares
 * (TUF §4.2 and §4.3; docs/security-matrix.md P1-P7), plus the field helpers of
 * md_internal.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tuf/md_internal.h"
#include "util/rtime.h"
#include "util/banned.h"

static const char *const type_names[] = {"root", "timestamp", "snapshot", "targets"};

const char *tuf_type_name(tuf_type t)
{
    return (unsigned)t < 4 ? type_names[t] : "metadata";
}

/* The parentheses keep the analyser's macro (md_internal.h) off the name. */
int(mdp_fail)(const mdp *p, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (n < 0)
        msg[0] = '\0';
    return rerr_set(p->e, RAMPART_EFORMAT, p->role, "malformed %s metadata: %s", p->role, msg);
}

static const char *jd_type_word(jd_type t)
{
    switch (t) {
    case JD_NULL:
        return "null";
    case JD_FALSE:
    case JD_TRUE:
        return "a boolean";
    case JD_INT:
        return "an integer";
    case JD_REAL:
        return "a number";
    case JD_STRING:
        return "a string";
    case JD_ARRAY:
        return "an array";
    case JD_OBJECT:
        return "an object";
    }
    return "?";
}

int mdp_opt(const mdp *p, jd_ref obj, const char *key, jd_type t, const char *where, jd_ref *out)
{
    /* Set on every path, failures included, so that no caller can read an
     * unset ref (and the compiler need not prove it). */
    *out = JD_NONE;
    jd_ref r = jdoc_get(p->d, obj, key);
    if (r == JD_NONE)
        return 0;
    jd_type got = jdoc_type(p->d, r);
    if (got != t)
        return mdp_fail(p, "%s.%s must be %s, not %s", where, key, jd_type_word(t), jd_type_word(got));
    if (t == JD_STRING && jdoc_str_has_nul(p->d, r))
        return mdp_fail(p, "%s.%s" MDP_NUL, where, key);
    *out = r;
    return 0;
}

int mdp_req(const mdp *p, jd_ref obj, const char *key, jd_type t, const char *where, jd_ref *out)
{
    int rc = mdp_opt(p, obj, key, t, where, out);
    if (rc != 0)
        return rc;
    if (*out == JD_NONE)
        return mdp_fail(p, "%s.%s is missing", where, key);
    return 0;
}

int mdp_req_bool(const mdp *p, jd_ref obj, const char *key, const char *where, bool *out)
{
    jd_ref r = jdoc_get(p->d, obj, key);
    if (r == JD_NONE)
        return mdp_fail(p, "%s.%s is missing", where, key);
    jd_type t = jdoc_type(p->d, r);
    if (t != JD_TRUE && t != JD_FALSE)
        return mdp_fail(p, "%s.%s must be a boolean, not %s", where, key, jd_type_word(t));
    *out = t == JD_TRUE;
    return 0;
}

int mdp_req_int(const mdp *p, jd_ref obj, const char *key, int64_t lo, int64_t hi, const char *where, int64_t *out)
{
    jd_ref r;
    int rc = mdp_req(p, obj, key, JD_INT, where, &r);
    if (rc != 0)
        return rc;
    int64_t v = jdoc_int(p->d, r);
    if (v < lo || v > hi)
        return mdp_fail(p, "%s.%s is %lld, outside %lld..%lld", where, key, (long long)v, (long long)lo, (long long)hi);
    *out = v;
    return 0;
}

/* P4: "X.Y" or "X.Y.Z", digits only, major version 1. */
static int check_spec_version(const mdp *p, rslice v)
{
    unsigned parts = 0;
    size_t digits = 0;
    for (size_t i = 0; i <= v.n; i++) {
        if (i == v.n || v.p[i] == '.') {
            if (digits == 0)
                return mdp_fail(p, "spec_version \"%.*s\" is not X.Y or X.Y.Z", (int)(v.n > 32 ? 32 : v.n), v.p);
            parts++;
            digits = 0;
            continue;
        }
        if (v.p[i] < '0' || v.p[i] > '9' || ++digits > 9)
            return mdp_fail(p, "spec_version \"%.*s\" is not X.Y or X.Y.Z", (int)(v.n > 32 ? 32 : v.n), v.p);
    }
    if (parts != 2 && parts != 3)
        return mdp_fail(p, "spec_version \"%.*s\" is not X.Y or X.Y.Z", (int)(v.n > 32 ? 32 : v.n), v.p);
    /* TUF §4.2: a client MUST reject metadata of another major version. */
    size_t k = 0;
    while (k < v.n && v.p[k] == '0')
        k++;
    if (!(v.n > k + 1 && v.p[k] == '1' && v.p[k + 1] == '.'))
        return mdp_fail(p, "spec_version \"%.*s\" has an unsupported major version (1 expected)",
                        (int)(v.n > 32 ? 32 : v.n), v.p);
    return 0;
}

/* P7: signatures is an array of {keyid: string, sig: string}; keyids unique (§4.2.1 MUST). */
static int parse_signatures(const mdp *p, jd_ref arr)
{
    tuf_md *md = p->md;
    size_t n = jdoc_count(p->d, arr);
    if (n > TUF_MAX_KEYS)
        return mdp_fail(p, "%zu signatures is more than the limit of %d", n, TUF_MAX_KEYS);
    md->sigs = rampart_calloc(n ? n : 1, sizeof(*md->sigs));
    if (md->sigs == NULL)
        return rerr_set(p->e, RAMPART_ENOMEM, p->role, "out of memory");
    size_t i = 0;
    for (jd_ref s = jdoc_first(p->d, arr); s != JD_NONE; s = jdoc_next(p->d, s), i++) {
        if (jdoc_type(p->d, s) != JD_OBJECT)
            return mdp_fail(p, "signatures[%zu] must be an object", i);
        jd_ref keyid, sig;
        int rc = mdp_req(p, s, "keyid", JD_STRING, "signature", &keyid);
        if (rc == 0)
            rc = mdp_req(p, s, "sig", JD_STRING, "signature", &sig);
        if (rc != 0)
            return rc;
        md->sigs[i].keyid = jdoc_str(p->d, keyid);
        md->sigs[i].sig_hex = jdoc_str(p->d, sig);
        for (size_t j = 0; j < i; j++)
            if (rslice_eq(md->sigs[j].keyid, md->sigs[i].keyid))
                return mdp_fail(p, "signatures lists keyid \"%.*s\" more than once",
                                (int)(md->sigs[i].keyid.n > 64 ? 64 : md->sigs[i].keyid.n), md->sigs[i].keyid.p);
    }
    md->nsigs = n;
    return 0;
}

static int parse_common(const mdp *p, tuf_type expect)
{
    tuf_md *md = p->md;
    const jdoc *d = p->d;
    jd_ref root = jdoc_root(d);
    /* P2: exact top-level types before anything is read. */
    if (jdoc_type(d, root) != JD_OBJECT)
        return mdp_fail(p, "the document must be a JSON object");
    jd_ref sigs, sgn;
    int rc = mdp_req(p, root, "signatures", JD_ARRAY, "metadata", &sigs);
    if (rc == 0)
        rc = mdp_req(p, root, "signed", JD_OBJECT, "metadata", &sgn);
    if (rc != 0)
        return rc;
    md->signed_ref = sgn;

    /* P3: _type names the expected role. */
    jd_ref type;
    rc = mdp_req(p, sgn, "_type", JD_STRING, "signed", &type);
    if (rc != 0)
        return rc;
    rslice ts = jdoc_str(d, type);
    int found = -1;
    for (int t = 0; t < 4; t++)
        if (rslice_eq_cstr(ts, type_names[t]))
            found = t;
    if (found < 0)
        return mdp_fail(p, "unknown _type \"%.*s\"", (int)(ts.n > 32 ? 32 : ts.n), ts.p);
    if (expect != TUF_TYPE_ANY && (tuf_type)found != expect)
        return mdp_fail(p, "_type is \"%s\", expected \"%s\"", type_names[found], type_names[expect]);
    md->type = (tuf_type)found;

    jd_ref spec;
    rc = mdp_req(p, sgn, "spec_version", JD_STRING, "signed", &spec);
    if (rc != 0)
        return rc;
    md->spec_version = jdoc_str(d, spec);
    rc = check_spec_version(p, md->spec_version);
    if (rc != 0)
        return rc;

    /* P5: an integer version >= 1, bounded so that N+1 cannot wrap. */
    rc = mdp_req_int(p, sgn, "version", 1, TUF_VERSION_MAX, "signed", &md->version);
    if (rc != 0)
        return rc;

    /* P6: expires is exactly YYYY-MM-DDTHH:MM:SSZ (§4.2.3). */
    jd_ref exp;
    rc = mdp_req(p, sgn, "expires", JD_STRING, "signed", &exp);
    if (rc != 0)
        return rc;
    rslice es = jdoc_str(d, exp);
    if (rtime_parse((const char *)es.p, es.n, &md->expires) != 0)
        return mdp_fail(p, "expires \"%.*s\" is not YYYY-MM-DDTHH:MM:SSZ", (int)(es.n > 40 ? 40 : es.n), es.p);

    return parse_signatures(p, sigs);
}

int tuf_md_parse(tuf_md **out, const uint8_t *data, size_t len, bool owned, size_t max_bytes, tuf_type expect,
                 const char *role, rerr *e)
{
    const char *rname = role ? role : (expect != TUF_TYPE_ANY ? tuf_type_name(expect) : "metadata");
    tuf_md *md = rampart_calloc(1, sizeof(*md));
    if (md == NULL) {
        if (owned)
            rampart_free((void *)data);
        return rerr_set(e, RAMPART_ENOMEM, rname, "out of memory");
    }
    rbuf_init(&md->canonical, SIZE_MAX);
    md->targets = md->meta = JD_NONE;
    /* "\u0000" is valid JSON, and "custom" may hold it (python-tuf and
     * tuf-js accept it): the strings read as names are checked one by one. */
    jd_limits lim = {max_bytes, 64, true};
    /* P1: bounded, strict JSON (jdoc enforces UTF-8, depth, duplicate keys). */
    int rc = jdoc_parse(&md->doc, data, len, owned, &lim, e);
    if (rc != 0) {
        if (e != NULL && rc != RAMPART_ENOMEM) {
            char inner[sizeof(e->message)];
            memcpy(inner, e->message, sizeof(inner));
            rerr_set(e, rc, rname, "malformed %s metadata: %s", rname, inner);
        }
        rampart_free(md);
        return rc;
    }
    mdp p = {md, md->doc, rname, e};
    rc = parse_common(&p, expect);
    if (rc == 0) {
        switch (md->type) {
        case TUF_ROOT:
            rc = md_parse_root(&p);
            break;
        case TUF_TIMESTAMP:
            rc = md_parse_timestamp(&p);
            break;
        case TUF_SNAPSHOT:
            rc = md_parse_snapshot(&p);
            break;
        case TUF_TARGETS:
            rc = md_parse_targets(&p);
            break;
        default:
            rc = rerr_set(e, RAMPART_EINTERNAL, rname, "unexpected metadata type");
        }
    }
    if (rc != 0) {
        tuf_md_free(md);
        return rc;
    }
    *out = md;
    return 0;
}

void tuf_md_free(tuf_md *md)
{
    if (md == NULL)
        return;
    for (int i = 0; i < 4; i++)
        tuf_role_auth_clear(&md->roles[i]);
    tuf_keyset_clear(&md->keys);
    for (size_t i = 0; i < md->ndelegations; i++)
        tuf_role_auth_clear(&md->delegations[i].auth);
    rampart_free(md->delegations);
    tuf_role_auth_clear(&md->succinct.auth);
    rampart_free(md->sigs);
    rbuf_free(&md->canonical);
    jdoc_free(md->doc);
    rampart_free(md);
}

rslice tuf_md_bytes(const tuf_md *md)
{
    return jdoc_input(md->doc);
}

int tuf_md_canonical(tuf_md *md, rslice *out)
{
    /* Metadata written in canonical form (as Rampart's repository tooling
     * writes it) is verified over its own bytes, without a copy. */
    if (!md->have_canonical && jdoc_is_canonical(md->doc, md->signed_ref)) {
        md->canonical_view = jdoc_raw(md->doc, md->signed_ref);
        md->have_canonical = true;
    }
    if (md->have_canonical && md->canonical_view.p != NULL) {
        *out = md->canonical_view;
        return 0;
    }
    if (!md->have_canonical) {
        rbuf_reset(&md->canonical);
        /* The canonical form is never longer than the input. */
        int rc = rbuf_reserve(&md->canonical, jdoc_input(md->doc).n);
        if (rc == 0)
            rc = jdoc_canonical(md->doc, md->signed_ref, &md->canonical);
        if (rc != 0)
            return rc;
        md->have_canonical = true;
    }
    *out = rbuf_slice(&md->canonical);
    return 0;
}
