/* metadata.c - the public single-file metadata API (rampart/metadata.h). */
#include <fcntl.h>
#include <string.h>

#include "rampart/metadata.h"
#include "keys/keyid.h"
#include "tuf/match.h"
#include "tuf/md.h"
#include "util/fs.h"
#include "util/rtime.h"
#include "util/banned.h"

/* NUL-terminated copies handed to callers, freed with the handle. */
typedef struct strnode {
    struct strnode *next;
    char s[];
} strnode;

struct rampart_metadata {
    tuf_md *md;
    strnode *strings;
};

static const char *keep(rampart_metadata *h, rslice s)
{
    size_t sz;
    if (!rsize_add(sizeof(strnode), s.n, &sz) || !rsize_add(sz, 1, &sz))
        return NULL;
    strnode *n = rampart_malloc(sz);
    if (n == NULL)
        return NULL;
    if (s.n)
        memcpy(n->s, s.p, s.n);
    n->s[s.n] = '\0';
    n->next = h->strings;
    h->strings = n;
    return n->s;
}

int rampart_metadata_parse(rampart_metadata **out, const void *data, size_t len, rampart_error *err)
{
    rerr_clear(err);
    if (out == NULL || (data == NULL && len != 0))
        return rerr_set(err, RAMPART_EINVAL, NULL, "invalid argument");
    if (len > RAMPART_METADATA_MAX_FILE)
        return rerr_set(err, RAMPART_ETOOLARGE, NULL, "metadata is %zu bytes, more than the limit of %zu", len,
                        RAMPART_METADATA_MAX_FILE);
    uint8_t *copy = rampart_malloc(len);
    if (copy == NULL)
        return rerr_set(err, RAMPART_ENOMEM, NULL, "out of memory");
    if (len)
        memcpy(copy, data, len);
    rampart_metadata *h = rampart_calloc(1, sizeof(*h));
    if (h == NULL) {
        rampart_free(copy);
        return rerr_set(err, RAMPART_ENOMEM, NULL, "out of memory");
    }
    int rc = tuf_md_parse(&h->md, copy, len, true, RAMPART_METADATA_MAX_FILE, TUF_TYPE_ANY, NULL, err);
    if (rc != 0) {
        rampart_free(h);
        return rc;
    }
    *out = h;
    return 0;
}

int rampart_metadata_load(rampart_metadata **out, const char *path, rampart_error *err)
{
    rerr_clear(err);
    if (out == NULL || path == NULL)
        return rerr_set(err, RAMPART_EINVAL, NULL, "invalid argument");
    rbuf b;
    rbuf_init(&b, RAMPART_METADATA_MAX_FILE);
    int rc = rfs_read_file(AT_FDCWD, path, &b, NULL);
    if (rc != 0) {
        rbuf_free(&b);
        if (rc == RAMPART_ENOTFOUND)
            return rerr_set(err, rc, NULL, "no such file: %s", path);
        if (rc == RAMPART_ETOOLARGE)
            return rerr_set(err, rc, NULL, "%s is larger than %zu bytes", path, RAMPART_METADATA_MAX_FILE);
        return rerr_set(err, rc, NULL, "cannot read %s", path);
    }
    size_t len;
    uint8_t *data = rbuf_detach(&b, &len);
    if (data == NULL)
        return rerr_set(err, RAMPART_ENOMEM, NULL, "out of memory");
    rampart_metadata *h = rampart_calloc(1, sizeof(*h));
    if (h == NULL) {
        rampart_free(data);
        return rerr_set(err, RAMPART_ENOMEM, NULL, "out of memory");
    }
    rc = tuf_md_parse(&h->md, data, len, true, RAMPART_METADATA_MAX_FILE, TUF_TYPE_ANY, NULL, err);
    if (rc != 0) {
        rampart_free(h);
        return rc;
    }
    *out = h;
    return 0;
}

void rampart_metadata_free(rampart_metadata *h)
{
    if (h == NULL)
        return;
    while (h->strings != NULL) {
        strnode *n = h->strings;
        h->strings = n->next;
        rampart_free(n);
    }
    tuf_md_free(h->md);
    rampart_free(h);
}

int rampart_metadata_summarize(const rampart_metadata *h, rampart_metadata_summary *out)
{
    if (h == NULL || out == NULL)
        return RAMPART_EINVAL;
    const tuf_md *md = h->md;
    rampart_metadata_summary s;
    memset(&s, 0, sizeof(s));
    s.type = (rampart_role_type)md->type;
    s.type_name = tuf_type_name(md->type);
    s.version = md->version;
    s.expires = md->expires;
    if (rtime_format(md->expires, s.expires_text) != 0)
        s.expires_text[0] = '\0';
    /* spec_version points into the document, which is not NUL-terminated
     * there; the summary is const, so hand out a static-lifetime copy via
     * the handle's string list. */
    s.spec_version = keep((rampart_metadata *)h, md->spec_version);
    if (s.spec_version == NULL)
        return RAMPART_ENOMEM;
    s.consistent_snapshot = md->type == TUF_ROOT ? md->consistent_snapshot : -1;
    s.signature_count = md->nsigs;
    s.key_count = md->keys.n;
    if (md->type == TUF_ROOT)
        s.role_count = 4;
    else if (md->type == TUF_TARGETS)
        s.role_count = md->has_succinct ? 1 : md->ndelegations;
    if (md->type == TUF_TARGETS)
        s.target_count = jdoc_count(md->doc, md->targets);
    if (md->meta != JD_NONE)
        s.meta_count = jdoc_count(md->doc, md->meta);
    *out = s;
    return 0;
}

int rampart_metadata_key(rampart_metadata *h, size_t i, rampart_key_info *out)
{
    if (h == NULL || out == NULL || i >= h->md->keys.n)
        return RAMPART_EINVAL;
    const tuf_key *k = &h->md->keys.keys[i];
    rampart_key_info ki;
    ki.keyid = keep(h, k->keyid);
    ki.keytype = keep(h, k->keytype);
    ki.scheme = keep(h, k->scheme);
    ki.public_value = keep(h, k->pub);
    ki.supported = k->key != NULL;
    if (!ki.keyid || !ki.keytype || !ki.scheme || !ki.public_value)
        return RAMPART_ENOMEM;
    *out = ki;
    return 0;
}

int rampart_metadata_key_fingerprint(rampart_metadata *h, size_t i, char *out, int *keyid_matches)
{
    if (h == NULL || out == NULL || i >= h->md->keys.n)
        return RAMPART_EINVAL;
    const tuf_key *k = &h->md->keys.keys[i];
    rbuf whole;
    rbuf_init(&whole, RAMPART_METADATA_MAX_FILE);
    /* The whole object matters only when it has members besides the three. */
    int rc = jdoc_count(h->md->doc, k->obj) > 3 ? jdoc_canonical(h->md->doc, k->obj, &whole) : 0;
    char fp[RAMPART_FINGERPRINT_HEX + 1];
    bool match = false;
    if (rc == 0)
        rc = tuf_key_fingerprint(k->keyid, k->keytype, k->scheme, k->pub, rbuf_slice(&whole), fp, &match);
    rbuf_free(&whole);
    if (rc != 0)
        return rc;
    memcpy(out, fp, sizeof(fp));
    if (keyid_matches != NULL)
        *keyid_matches = match ? 1 : 0;
    return 0;
}

static const tuf_role_auth *role_at(const tuf_md *md, size_t i, const tuf_delegation **dr)
{
    *dr = NULL;
    if (md->type == TUF_ROOT)
        return i < 4 ? &md->roles[i] : NULL;
    if (md->type != TUF_TARGETS)
        return NULL;
    if (md->has_succinct)
        return i == 0 ? &md->succinct.auth : NULL;
    if (i >= md->ndelegations)
        return NULL;
    *dr = &md->delegations[i];
    return &md->delegations[i].auth;
}

int rampart_metadata_role(rampart_metadata *h, size_t i, rampart_role_info *out)
{
    if (h == NULL || out == NULL)
        return RAMPART_EINVAL;
    const tuf_delegation *dr;
    const tuf_role_auth *a = role_at(h->md, i, &dr);
    if (a == NULL)
        return RAMPART_EINVAL;
    rampart_role_info ri;
    memset(&ri, 0, sizeof(ri));
    ri.succinct = h->md->type == TUF_TARGETS && h->md->has_succinct;
    ri.name = keep(h, ri.succinct ? h->md->succinct.name_prefix : a->name);
    if (ri.name == NULL)
        return RAMPART_ENOMEM;
    ri.threshold = a->threshold;
    ri.keyid_count = a->nkeyids;
    ri.terminating = dr != NULL && dr->terminating;
    ri.bit_length = ri.succinct ? h->md->succinct.bit_length : 0;
    *out = ri;
    return 0;
}

const char *rampart_metadata_role_keyid(rampart_metadata *h, size_t i, size_t j)
{
    if (h == NULL)
        return NULL;
    const tuf_delegation *dr;
    const tuf_role_auth *a = role_at(h->md, i, &dr);
    if (a == NULL || j >= a->nkeyids)
        return NULL;
    return keep(h, a->keyids[j]);
}

const char *rampart_sig_status_name(rampart_sig_status s)
{
    switch (s) {
    case RAMPART_SIG_VALID:
        return "valid";
    case RAMPART_SIG_INVALID:
        return "invalid";
    case RAMPART_SIG_UNKNOWN_KEY:
        return "unknown key";
    case RAMPART_SIG_NOT_AUTHORIZED:
        return "key not authorised for this role";
    case RAMPART_SIG_UNSUPPORTED:
        return "unsupported key type";
    case RAMPART_SIG_DUPLICATE_KEY:
        return "duplicate key";
    }
    return "?";
}

/* Finds the keys and the authorisation `delegator` gives `role` (see the header). */
static int resolve(const tuf_md *md, const tuf_md *delegator, const char *role, const tuf_keyset **ks,
                   const tuf_role_auth **auth, const char **rname, rerr *e)
{
    if (delegator->type == TUF_ROOT) {
        const char *want = role != NULL ? role : tuf_type_name(md->type);
        for (int t = 0; t < 4; t++) {
            if (strcmp(want, tuf_type_name((tuf_type)t)) == 0) {
                if (md->type != (tuf_type)t)
                    return rerr_set(e, RAMPART_EFORMAT, want, "the file is %s metadata, not %s",
                                    tuf_type_name(md->type), want);
                *ks = &delegator->keys;
                *auth = &delegator->roles[t];
                *rname = want;
                return 0;
            }
        }
        return rerr_set(e, RAMPART_ENOTFOUND, want, "root does not define role '%s'", want);
    }
    if (delegator->type != TUF_TARGETS || role == NULL)
        return rerr_set(e, RAMPART_EINVAL, NULL, "a delegator must be root, or targets with a role name");
    if (md->type != TUF_TARGETS)
        return rerr_set(e, RAMPART_EFORMAT, role, "the file is %s metadata, not targets", tuf_type_name(md->type));
    rslice name = rslice_cstr(role);
    if (delegator->has_succinct && tuf_succinct_is_role(&delegator->succinct, name)) {
        *ks = &delegator->keys;
        *auth = &delegator->succinct.auth;
        *rname = role;
        return 0;
    }
    for (size_t i = 0; i < delegator->ndelegations; i++) {
        if (rslice_eq(delegator->delegations[i].auth.name, name)) {
            *ks = &delegator->keys;
            *auth = &delegator->delegations[i].auth;
            *rname = role;
            return 0;
        }
    }
    return rerr_set(e, RAMPART_ENOTFOUND, role, "the delegator does not delegate role '%s'", role);
}

int rampart_metadata_signature(rampart_metadata *h, size_t i, rampart_metadata *delegator, const char *role,
                               rampart_signature_info *out)
{
    if (h == NULL || delegator == NULL || out == NULL || i >= h->md->nsigs)
        return RAMPART_EINVAL;
    const tuf_keyset *ks;
    const tuf_role_auth *auth;
    const char *rname;
    int rc = resolve(h->md, delegator->md, role, &ks, &auth, &rname, NULL);
    if (rc != 0)
        return rc;
    tuf_sig_status st;
    rc = tuf_md_sig_status(h->md, i, ks, auth, &st);
    if (rc != 0)
        return rc;
    const char *keyid = keep(h, h->md->sigs[i].keyid);
    if (keyid == NULL)
        return RAMPART_ENOMEM;
    out->keyid = keyid;
    out->status = (rampart_sig_status)st;
    return 0;
}

int rampart_metadata_canonical(rampart_metadata *h, const unsigned char **bytes, size_t *len)
{
    if (h == NULL || bytes == NULL || len == NULL)
        return RAMPART_EINVAL;
    rslice c;
    int rc = tuf_md_canonical(h->md, &c);
    if (rc != 0)
        return rc;
    *bytes = c.p;
    *len = c.n;
    return 0;
}

int rampart_metadata_verify(rampart_metadata *h, rampart_metadata *delegator, const char *role, rampart_error *err)
{
    rerr_clear(err);
    if (h == NULL || delegator == NULL)
        return rerr_set(err, RAMPART_EINVAL, NULL, "invalid argument");
    const tuf_keyset *ks;
    const tuf_role_auth *auth;
    const char *rname;
    int rc = resolve(h->md, delegator->md, role, &ks, &auth, &rname, err);
    if (rc != 0)
        return rc;
    return tuf_md_verify(h->md, ks, auth, rname, err);
}
