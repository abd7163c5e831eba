/*
 * md_keys.c - key sets, role authorisations (keyids + threshold), METAFILES
 * entries and "hashes" objects: the pieces several roles share.
 */
#include <string.h>

#include "keys/keys.h"
#include "tuf/md_internal.h"
#include "util/banned.h"

#define CLIP(s) (int)((s).n > 64 ? 64 : (s).n), (const char *)(s).p

void tuf_keyset_clear(tuf_keyset *ks)
{
    for (size_t i = 0; i < ks->n; i++)
        rkey_free(ks->keys[i].key);
    rampart_free(ks->keys);
    ks->keys = NULL;
    ks->n = 0;
}

const tuf_key *tuf_keyset_find(const tuf_keyset *ks, rslice keyid)
{
    for (size_t i = 0; i < ks->n; i++)
        if (rslice_eq(ks->keys[i].keyid, keyid))
            return &ks->keys[i];
    return NULL;
}

/* P8: each key has string keytype and scheme and keyval.public.  A key we
 * cannot use (unknown type or scheme) is kept but can never sign; key
 * material that is malformed for a type we know rejects the metadata. */
int mdp_keyset(const mdp *p, jd_ref keys, const char *where, tuf_keyset *out)
{
    size_t n = jdoc_count(p->d, keys);
    if (n > TUF_MAX_KEYS)
        return mdp_fail(p, "%s lists %zu keys, more than the limit of %d", where, n, TUF_MAX_KEYS);
    tuf_keyset ks = {0, rampart_calloc(n ? n : 1, sizeof(tuf_key))};
    if (ks.keys == NULL)
        return rerr_set(p->e, RAMPART_ENOMEM, p->role, "out of memory");
    int rc;
    for (jd_ref k = jdoc_first(p->d, keys); k != JD_NONE; k = jdoc_next_key(p->d, k)) {
        tuf_key *key = &ks.keys[ks.n++];
        key->keyid = jdoc_str(p->d, k);
        jd_ref obj = jdoc_value(k), kt, sc, kv, pub;
        if (jdoc_str_has_nul(p->d, k)) {
            rc = mdp_fail(p, "a keyid in %s" MDP_NUL, where);
            goto out;
        }
        key->obj = obj;
        if (jdoc_type(p->d, obj) != JD_OBJECT) {
            rc = mdp_fail(p, "%s[\"%.*s\"] must be an object", where, CLIP(key->keyid));
            goto out;
        }
        if ((rc = mdp_req(p, obj, "keytype", JD_STRING, "key", &kt)) != 0 ||
            (rc = mdp_req(p, obj, "scheme", JD_STRING, "key", &sc)) != 0 ||
            (rc = mdp_req(p, obj, "keyval", JD_OBJECT, "key", &kv)) != 0 ||
            (rc = mdp_req(p, kv, "public", JD_STRING, "key.keyval", &pub)) != 0)
            goto out;
        key->keytype = jdoc_str(p->d, kt);
        key->scheme = jdoc_str(p->d, sc);
        key->pub = jdoc_str(p->d, pub);
        rerr ke = {0};
        int krc = rkey_from_tuf(&key->key, key->keytype, key->scheme, key->pub, &ke);
        if (krc == RAMPART_EUNSUPPORTED) {
            key->key = NULL;
            key->key_error = krc;
        } else if (krc == RAMPART_EFORMAT) {
            rc = mdp_fail(p, "key \"%.*s\": %s", CLIP(key->keyid), ke.message);
            goto out;
        } else if (krc != 0) {
            rc = rerr_set(p->e, krc, p->role, "key \"%.*s\": %s", CLIP(key->keyid), ke.message);
            goto out;
        }
    }
    *out = ks;
    return 0;
out:
    tuf_keyset_clear(&ks);
    return rc;
}

void tuf_role_auth_clear(tuf_role_auth *a)
{
    rampart_free(a->keyids);
    a->keyids = NULL;
    a->nkeyids = 0;
}

/* P8/P9: keyids is an array of unique strings; threshold an integer >= 1
 * (V1: go-tuf CVE-2026-23992 accepted threshold 0 as "no signature needed"). */
int mdp_role_auth(const mdp *p, jd_ref obj, rslice name, const char *where, tuf_role_auth *auth)
{
    jd_ref kids;
    int64_t threshold;
    int rc = mdp_req(p, obj, "keyids", JD_ARRAY, where, &kids);
    if (rc == 0)
        rc = mdp_req_int(p, obj, "threshold", 1, INT64_MAX, where, &threshold);
    if (rc != 0)
        return rc;
    size_t n = jdoc_count(p->d, kids);
    if (n > TUF_MAX_ROLE_KEYIDS)
        return mdp_fail(p, "%s lists %zu keyids, more than the limit of %d", where, n, TUF_MAX_ROLE_KEYIDS);
    rslice *ids = rampart_calloc(n ? n : 1, sizeof(*ids));
    if (ids == NULL)
        return rerr_set(p->e, RAMPART_ENOMEM, p->role, "out of memory");
    size_t i = 0;
    for (jd_ref k = jdoc_first(p->d, kids); k != JD_NONE; k = jdoc_next(p->d, k), i++) {
        if (jdoc_type(p->d, k) != JD_STRING) {
            rampart_free(ids);
            return mdp_fail(p, "%s.keyids[%zu] must be a string", where, i);
        }
        if (jdoc_str_has_nul(p->d, k)) {
            rampart_free(ids);
            return mdp_fail(p, "%s.keyids[%zu]" MDP_NUL, where, i);
        }
        ids[i] = jdoc_str(p->d, k);
        /* S13: a keyid listed twice would let one key count twice. */
        for (size_t j = 0; j < i; j++) {
            if (rslice_eq(ids[j], ids[i])) {
                /* Format the message while ids[i] is still readable. */
                rc = mdp_fail(p, "%s lists keyid \"%.*s\" more than once", where, CLIP(ids[i]));
                rampart_free(ids);
                return rc;
            }
        }
    }
    auth->name = name;
    auth->keyids = ids;
    auth->nkeyids = n;
    auth->threshold = threshold;
    return 0;
}

int mdp_hashes(const mdp *p, jd_ref obj, rslice owner, bool required)
{
    size_t n = jdoc_count(p->d, obj);
    /* P9: an empty hashes object would make any content acceptable (go-tuf 17b4808). */
    if (n == 0 && required)
        return mdp_fail(p, "hashes of \"%.*s\" is empty", CLIP(owner));
    if (n == 0)
        return mdp_fail(p, "hashes of \"%.*s\" is present but empty", CLIP(owner));
    if (n > TUF_MAX_HASHES)
        return mdp_fail(p, "hashes of \"%.*s\" has %zu entries, more than %d", CLIP(owner), n, TUF_MAX_HASHES);
    for (jd_ref k = jdoc_first(p->d, obj); k != JD_NONE; k = jdoc_next_key(p->d, k)) {
        if (jdoc_str_has_nul(p->d, k))
            return mdp_fail(p, "hashes of \"%.*s\": an algorithm name" MDP_NUL, CLIP(owner));
        if (jdoc_type(p->d, jdoc_value(k)) != JD_STRING)
            return mdp_fail(p, "hashes of \"%.*s\": value of \"%.*s\" must be a string", CLIP(owner),
                            CLIP(jdoc_str(p->d, k)));
        if (jdoc_str_has_nul(p->d, jdoc_value(k)))
            return mdp_fail(p, "hashes of \"%.*s\": value of \"%.*s\"" MDP_NUL, CLIP(owner), CLIP(jdoc_str(p->d, k)));
    }
    return 0;
}

/* TUF §4.4/§4.6: METAFILES entries {version, length?, hashes?}. */
int mdp_metafile(const mdp *p, jd_ref obj, rslice name, tuf_metafile *out)
{
    if (jdoc_type(p->d, obj) != JD_OBJECT)
        return mdp_fail(p, "meta entry \"%.*s\" must be an object", CLIP(name));
    tuf_metafile mf = {0, -1, JD_NONE};
    int rc = mdp_req_int(p, obj, "version", 1, TUF_VERSION_MAX, "meta entry", &mf.version);
    if (rc != 0)
        return rc;
    if (jdoc_get(p->d, obj, "length") != JD_NONE) {
        rc = mdp_req_int(p, obj, "length", 0, INT64_MAX, "meta entry", &mf.length);
        if (rc != 0)
            return rc;
    }
    rc = mdp_opt(p, obj, "hashes", JD_OBJECT, "meta entry", &mf.hashes);
    if (rc == 0 && mf.hashes != JD_NONE)
        rc = mdp_hashes(p, mf.hashes, name, false);
    if (rc != 0)
        return rc;
    *out = mf;
    return 0;
}
