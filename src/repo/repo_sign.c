/* repo_sign.c - signing staged metadata, the offline signing round trip
 * (export, rampart_metadata_sign_file, import), and threshold checks. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "repo/repo_internal.h"
#include "repo/rfile.h"
#include "keys/keyid.h"
#include "util/codec.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/banned.h"

int rrepo_canonical(rampart_repo *r, const json_t *v, rbuf *out)
{
    int rc = rjson_canonical(v, out, r != NULL ? &r->err : NULL);
    if (rc != 0 && r != NULL)
        rc = rrepo_fail(r, rc, NULL, "cannot serialise metadata: %s", r->err.message);
    return rc;
}

int rrepo_file_bytes(rampart_repo *r, const json_t *v, rbuf *out)
{
    int rc = rjson_file_form(v, out, r != NULL ? &r->err : NULL);
    if (rc != 0 && r != NULL)
        rc = rrepo_fail(r, rc, NULL, "cannot serialise metadata: %s", r->err.message);
    return rc;
}

/* Adds {"keyid","sig"} to `sigs`, replacing an entry of the same keyid. */
static int put_signature(json_t *sigs, const char *keyid, const unsigned char *sig, size_t siglen)
{
    char hex[2 * RAMPART_SIGNATURE_MAX + 1];
    rhex_encode(hex, sig, siglen);
    json_t *entry = json_pack("{s:s,s:s}", "keyid", keyid, "sig", hex);
    if (entry == NULL)
        return RAMPART_ENOMEM;
    size_t i;
    json_t *v;
    json_array_foreach(sigs, i, v)
    {
        if (strcmp(json_string_value(json_object_get(v, "keyid")), keyid) == 0)
            return json_array_set_new(sigs, i, entry) == 0 ? 0 : RAMPART_ENOMEM;
    }
    return json_array_append_new(sigs, entry) == 0 ? 0 : RAMPART_ENOMEM;
}

/* TUF 4.2: a key id is the SHA-256 of its key.  Clients treat ids as
 * labels, so metadata that puts other key material under an id (a key
 * swapped under a trusted key's id) looks, id by id, like what it replaces:
 * it is never signed.  Checks root "keys" and targets "delegations.keys". */
static int check_keyids(const json_t *sgn, rerr *e)
{
    const json_t *keys = json_object_get(sgn, "keys");
    if (keys == NULL)
        keys = json_object_get(json_object_get(sgn, "delegations"), "keys");
    const char *kid;
    json_t *k;
    int rc = 0;
    json_object_foreach((json_t *)keys, kid, k)
    {
        const char *kt = json_string_value(json_object_get(k, "keytype"));
        const char *sc = json_string_value(json_object_get(k, "scheme"));
        const char *pub = json_string_value(json_object_get(json_object_get(k, "keyval"), "public"));
        if (kt == NULL || sc == NULL || pub == NULL)
            return rerr_set(e, RAMPART_EFORMAT, NULL, "key %.16s... is malformed", kid);
        rbuf whole;
        rbuf_init(&whole, RREPO_MD_MAX);
        if (json_object_size(k) > 3)
            rc = rjson_canonical(k, &whole, e);
        char fp[65];
        bool match = false;
        if (rc == 0 && (rc = tuf_key_fingerprint(rslice_cstr(kid), rslice_cstr(kt), rslice_cstr(sc), rslice_cstr(pub),
                                                 rbuf_slice(&whole), fp, &match)) != 0)
            rc = rerr_set(e, rc, NULL, "cannot compute the fingerprint of key %.16s...", kid);
        rbuf_free(&whole);
        if (rc == 0 && !match)
            rc = rerr_set(e, RAMPART_EMISMATCH, NULL,
                          "key id %s does not match its key (fingerprint %s): refusing to sign metadata that puts "
                          "other key material under a key id",
                          kid, fp);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int sign_json(rampart_repo *r, json_t *md, rampart_signer *s, rerr *e)
{
    rbuf canon;
    rbuf_init(&canon, RREPO_MD_MAX);
    unsigned char sig[RAMPART_SIGNATURE_MAX];
    size_t siglen = 0;
    int rc = check_keyids(json_object_get(md, "signed"), e);
    if (rc == 0)
        rc = rjson_canonical(json_object_get(md, "signed"), &canon, e);
    if (rc == 0)
        rc = rampart_signer_sign(s, canon.data, canon.len, sig, &siglen, e);
    if (rc == 0 && put_signature(json_object_get(md, "signatures"), rampart_signer_keyid(s), sig, siglen) != 0)
        rc = rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    rbuf_free(&canon);
    (void)r;
    return rc;
}

int rrepo_sign_role(rampart_repo *r, rrole *ro, rampart_signer *s)
{
    int rc = sign_json(r, ro->md, s, &r->err);
    if (rc == 0)
        ro->changed = true;
    return rc;
}

static bool in_array(const json_t *arr, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
            return true;
    }
    return false;
}

static bool has_signature(const rrole *ro, const char *keyid)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(ro->md, "signatures"), i, v)
    {
        if (strcmp(json_string_value(json_object_get(v, "keyid")), keyid) == 0)
            return true;
    }
    return false;
}

int rrepo_autosign(rampart_repo *r, rrole *ro, const json_t *keyids, const json_t *keyids2)
{
    for (size_t i = 0; i < r->nsigners; i++) {
        const char *kid = rampart_signer_keyid(r->signers[i]);
        if ((in_array(keyids, kid) || (keyids2 != NULL && in_array(keyids2, kid))) && !has_signature(ro, kid)) {
            int rc = rrepo_sign_role(r, ro, r->signers[i]);
            if (rc != 0)
                return rc;
        }
    }
    return 0;
}

int rrepo_parse(rampart_repo *r, const json_t *md, tuf_type type, const char *role, tuf_md **out)
{
    rbuf b;
    rbuf_init(&b, RREPO_MD_MAX);
    /* The bytes as written and served: what every reader parses. */
    int rc = rrepo_file_bytes(r, md, &b);
    if (rc == 0) {
        size_t len;
        uint8_t *data = rbuf_detach(&b, &len);
        rc = data == NULL ? rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory")
                          : tuf_md_parse(out, data, len, true, RREPO_MD_MAX, type, role, &r->err);
    }
    rbuf_free(&b);
    return rc;
}

size_t rrepo_count_valid(tuf_md *md, const tuf_keyset *ks, const tuf_role_auth *auth)
{
    size_t n = 0;
    for (size_t i = 0; i < md->nsigs; i++) {
        tuf_sig_status st;
        if (tuf_md_sig_status(md, i, ks, auth, &st) == 0 && st == TUF_SIG_VALID)
            n++;
    }
    return n;
}

/* The keyids allowed to sign `name`: its own, and for a root being
 * rotated those of the published root too (*extra, a new reference). */
static int signing_keyids(rampart_repo *r, const char *name, json_t **ids, json_t **extra)
{
    json_t *keys, *auth;
    *extra = NULL;
    int rc = rrepo_auth(r, name, &keys, &auth);
    if (rc != 0)
        return rc;
    *ids = json_object_get(auth, "keyids");
    if (strcmp(name, "root") == 0) {
        int64_t pub = rrepo_published_version(r, "root");
        rrole *root;
        if ((rc = rrepo_role(r, "root", &root)) != 0)
            return rc;
        if (pub > 0 && pub < rrepo_version(root)) {
            char fname[64];
            json_t *old = NULL;
            (void)snprintf(fname, sizeof(fname), "%lld.root.json", (long long)pub); /* a number: fits */
            if ((rc = rrepo_read_json(r, r->fds[RDIR_ROOTS], fname, &old)) != 0)
                return rc == RAMPART_ENOTFOUND ? rrepo_fail(r, rc, "root", "roots/%s is missing", fname) : rc;
            *extra = json_incref(json_object_get(
                json_object_get(json_object_get(json_object_get(old, "signed"), "roles"), "root"), "keyids"));
            json_decref(old);
        }
    }
    return 0;
}

int rampart_repo_sign(rampart_repo *r, const char *role)
{
    if (r == NULL)
        return RAMPART_EINVAL;
    rerr_clear(&r->err);
    if (role == NULL)
        return rrepo_fail(r, RAMPART_EINVAL, NULL, "no role to sign");
    if (r->nsigners == 0)
        return rrepo_fail(r, RAMPART_EINVAL, role, "no key to sign with");
    rrole *ro;
    json_t *ids, *extra = NULL;
    int rc = rrepo_role(r, role, &ro);
    if (rc == 0)
        rc = signing_keyids(r, role, &ids, &extra);
    for (size_t i = 0; i < r->nsigners && rc == 0; i++) {
        const char *kid = rampart_signer_keyid(r->signers[i]);
        if (!in_array(ids, kid) && (extra == NULL || !in_array(extra, kid)))
            rc = rrepo_fail(r, RAMPART_EINVAL, role, "key %.16s... is not a key of role '%s'", kid, role);
    }
    for (size_t i = 0; i < r->nsigners && rc == 0; i++)
        rc = rrepo_sign_role(r, ro, r->signers[i]);
    json_decref(extra);
    if (rc == 0)
        rc = rrepo_commit(r);
    rrepo_drop_cache(r);
    return rc;
}

int rampart_repo_export(rampart_repo *r, const char *role, const char *path)
{
    if (r == NULL)
        return RAMPART_EINVAL;
    rerr_clear(&r->err);
    if (role == NULL || path == NULL)
        return rrepo_fail(r, RAMPART_EINVAL, NULL, "invalid argument");
    rrole *ro;
    int rc = rrepo_role(r, role, &ro);
    char *text = NULL;
    if (rc == 0) {
        /* Pretty-printed for people checking what they sign; the
         * signatures cover the canonical form, whatever the layout. */
        text = json_dumps(ro->md, JSON_INDENT(2) | JSON_SORT_KEYS);
        if (text == NULL)
            rc = rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    }
    if (rc == 0)
        rc = rfs_create_excl_path(path, text, strlen(text), 0644, &r->err);
    free(text);
    rrepo_drop_cache(r);
    return rc;
}

/* Checks one imported signature: a key listed for the role, valid. */
static int check_import(rampart_repo *r, const char *role, tuf_md *md, size_t i, const tuf_keyset *ks,
                        const tuf_role_auth *auth, const tuf_role_auth *auth2, const tuf_keyset *ks2)
{
    tuf_sig_status st, st2 = TUF_SIG_UNKNOWN_KEY;
    int rc = tuf_md_sig_status(md, i, ks, auth, &st);
    if (rc == 0 && st != TUF_SIG_VALID && auth2 != NULL)
        rc = tuf_md_sig_status(md, i, ks2, auth2, &st2);
    if (rc != 0)
        return rrepo_fail(r, rc, role, "cannot check signature %zu", i);
    if (st == TUF_SIG_VALID || st2 == TUF_SIG_VALID || st == TUF_SIG_DUPLICATE_KEY)
        return 0;
    if (st == TUF_SIG_INVALID || st2 == TUF_SIG_INVALID)
        return rrepo_fail(r, RAMPART_EBADSIG, role, "signature %zu (key %.*s) does not verify", i,
                          (int)(md->sigs[i].keyid.n > 16 ? 16 : md->sigs[i].keyid.n),
                          (const char *)md->sigs[i].keyid.p);
    return rrepo_fail(r, RAMPART_EINVAL, role, "signature %zu is by key %.*s, which is not a key of role '%s'", i,
                      (int)(md->sigs[i].keyid.n > 16 ? 16 : md->sigs[i].keyid.n), (const char *)md->sigs[i].keyid.p,
                      role);
}

int rrepo_find_auth(const tuf_md *del, const char *role, const tuf_role_auth **auth)
{
    *auth = NULL;
    if (del->type == TUF_ROOT) {
        for (int t = 0; t < 4; t++)
            if (strcmp(role, tuf_type_name((tuf_type)t)) == 0)
                *auth = &del->roles[t];
    } else if (del->has_succinct) {
        *auth = &del->succinct.auth;
    } else {
        for (size_t i = 0; i < del->ndelegations; i++)
            if (rslice_eq_cstr(del->delegations[i].auth.name, role))
                *auth = &del->delegations[i].auth;
    }
    return *auth != NULL ? 0 : RAMPART_ENOTFOUND;
}

static tuf_type type_of(const char *role)
{
    if (strcmp(role, "root") == 0)
        return TUF_ROOT;
    if (strcmp(role, "snapshot") == 0)
        return TUF_SNAPSHOT;
    if (strcmp(role, "timestamp") == 0)
        return TUF_TIMESTAMP;
    return TUF_TARGETS;
}

int rrepo_delegator_md(rampart_repo *r, const char *role, tuf_md **del, tuf_md **old_root)
{
    const char *delegator;
    rrole *d;
    *del = NULL;
    if (old_root != NULL)
        *old_root = NULL;
    int rc = rrepo_delegator(r, role, &delegator, NULL);
    if (rc == 0)
        rc = rrepo_role(r, strcmp(role, "root") == 0 ? "root" : delegator, &d);
    if (rc == 0)
        rc = rrepo_parse(r, d->md, type_of(d->name), d->name, del);
    if (rc == 0 && old_root != NULL && strcmp(role, "root") == 0) {
        int64_t pub = rrepo_published_version(r, "root");
        if (pub > 0 && pub < rrepo_version(d)) {
            char fname[64];
            json_t *old = NULL;
            (void)snprintf(fname, sizeof(fname), "%lld.root.json", (long long)pub); /* a number: fits */
            rc = rrepo_read_json(r, r->fds[RDIR_ROOTS], fname, &old);
            if (rc == RAMPART_ENOTFOUND)
                rc = rrepo_fail(r, rc, "root", "roots/%s is missing", fname);
            if (rc == 0)
                rc = rrepo_parse(r, old, TUF_ROOT, "root", old_root);
            json_decref(old);
        }
    }
    if (rc != 0) {
        tuf_md_free(*del);
        *del = NULL;
    }
    return rc;
}

static int load_import(rampart_repo *r, const char *path, json_t **out)
{
    rbuf b;
    rbuf_init(&b, RREPO_MD_MAX);
    int rc = rfs_read_file(AT_FDCWD, path, &b, &r->err);
    if (rc == 0 && rjson_parse(b.data, b.len, RREPO_MD_MAX, out, &r->err) != 0)
        rc = rrepo_fail(r, RAMPART_EFORMAT, NULL, "%s is not JSON: %s", path, r->err.message);
    rbuf_free(&b);
    if (rc == 0 &&
        (!json_is_object(json_object_get(*out, "signed")) || !json_is_array(json_object_get(*out, "signatures")))) {
        json_decref(*out);
        rc = rrepo_fail(r, RAMPART_EFORMAT, NULL, "%s is not TUF metadata", path);
    }
    return rc;
}

/* The file's "signed" must be byte for byte (canonically) the staged one. */
static int same_signed(rampart_repo *r, const char *role, const json_t *a, const json_t *b)
{
    rbuf x, y;
    rbuf_init(&x, RREPO_MD_MAX);
    rbuf_init(&y, RREPO_MD_MAX);
    int rc = rrepo_canonical(r, a, &x);
    if (rc == 0)
        rc = rrepo_canonical(r, b, &y);
    if (rc == 0 && !rslice_eq(rbuf_slice(&x), rbuf_slice(&y)))
        rc = rrepo_fail(r, RAMPART_EMISMATCH, role,
                        "the file is not the staged version %lld of '%s' (export it again and re-sign)",
                        (long long)json_integer_value(json_object_get(b, "version")), role);
    rbuf_free(&x);
    rbuf_free(&y);
    return rc;
}

int rampart_repo_import_signatures(rampart_repo *r, const char *role, const char *path, size_t *imported)
{
    if (r == NULL)
        return RAMPART_EINVAL;
    rerr_clear(&r->err);
    if (path == NULL)
        return rrepo_fail(r, RAMPART_EINVAL, NULL, "invalid argument");
    json_t *in = NULL;
    tuf_md *md = NULL, *del = NULL, *old = NULL;
    rrole *ro = NULL;
    size_t added = 0;
    int rc = load_import(r, path, &in);
    if (rc == 0 && role == NULL) {
        const char *t = json_string_value(json_object_get(json_object_get(in, "signed"), "_type"));
        role = t != NULL && (strcmp(t, "root") == 0 || strcmp(t, "targets") == 0) ? t : NULL;
        if (role == NULL)
            rc = rrepo_fail(r, RAMPART_EINVAL, NULL, "say which role %s is for (--role)", path);
    }
    if (rc == 0)
        rc = rrepo_role(r, role, &ro);
    if (rc == 0)
        rc = same_signed(r, role, json_object_get(in, "signed"), rrepo_signed(ro));
    if (rc == 0)
        rc = rrepo_parse(r, in, type_of(role), role, &md);
    if (rc == 0)
        rc = rrepo_delegator_md(r, role, &del, &old);
    const tuf_role_auth *auth = NULL, *auth2 = NULL;
    if (rc == 0 && rrepo_find_auth(del, role, &auth) != 0)
        rc = rrepo_fail(r, RAMPART_EINTERNAL, role, "no delegation of '%s'", role);
    if (rc == 0 && old != NULL)
        auth2 = &old->roles[TUF_ROOT];
    for (size_t i = 0; rc == 0 && i < md->nsigs; i++)
        rc = check_import(r, role, md, i, &del->keys, auth, auth2, old != NULL ? &old->keys : NULL);
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(in, "signatures"), i, v)
    {
        if (rc != 0)
            break;
        const char *kid = json_string_value(json_object_get(v, "keyid"));
        if (has_signature(ro, kid))
            continue;
        if (json_array_append(json_object_get(ro->md, "signatures"), v) != 0)
            rc = rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
        added++;
        ro->changed = true;
    }
    if (rc == 0)
        rc = rrepo_commit(r);
    rrepo_drop_cache(r);
    tuf_md_free(md);
    tuf_md_free(del);
    tuf_md_free(old);
    json_decref(in);
    if (rc == 0 && imported != NULL)
        *imported = added;
    return rc;
}

int rampart_metadata_sign_file(const char *in_path, const char *out_path, rampart_signer *s, rampart_error *err)
{
    rerr_clear(err);
    if (in_path == NULL || s == NULL)
        return rerr_set(err, RAMPART_EINVAL, NULL, "invalid argument");
    rbuf b;
    rbuf_init(&b, RREPO_MD_MAX);
    json_t *md = NULL;
    tuf_md *check = NULL;
    char *text = NULL;
    int rc = rfs_read_file(AT_FDCWD, in_path, &b, err);
    if (rc == 0) {
        /* Strictly valid metadata only: never sign what a client rejects. */
        size_t len;
        const uint8_t *p = b.data;
        len = b.len;
        uint8_t *copy = rampart_malloc(len ? len : 1);
        if (copy == NULL)
            rc = rerr_set(err, RAMPART_ENOMEM, NULL, "out of memory");
        else {
            memcpy(copy, p, len);
            rc = tuf_md_parse(&check, copy, len, true, RREPO_MD_MAX, TUF_TYPE_ANY, NULL, err);
        }
    }
    if (rc == 0 && rjson_parse(b.data, b.len, RREPO_MD_MAX, &md, err) != 0)
        rc = RAMPART_EFORMAT;
    if (rc == 0)
        rc = sign_json(NULL, md, s, err);
    if (rc == 0 && (text = json_dumps(md, JSON_INDENT(2) | JSON_SORT_KEYS)) == NULL)
        rc = rerr_set(err, RAMPART_ENOMEM, NULL, "out of memory");
    if (rc == 0)
        rc = rfs_write_atomic_path(out_path != NULL ? out_path : in_path, text, strlen(text), 0644, err);
    free(text);
    json_decref(md);
    tuf_md_free(check);
    rbuf_free(&b);
    return rc;
}

/* Parses metadata bytes into a rampart_metadata handle. */
static int to_handle(rampart_repo *r, const rbuf *b, rampart_metadata **out)
{
    rampart_error err;
    int rc = rampart_metadata_parse(out, b->data, b->len, &err);
    if (rc != 0)
        rc = rrepo_fail(r, rc, NULL, "%s", err.message);
    return rc;
}

int rampart_repo_review(rampart_repo *r, const char *role, rampart_metadata **staged, rampart_metadata **trusted)
{
    if (r == NULL)
        return RAMPART_EINVAL;
    rerr_clear(&r->err);
    if (role == NULL || staged == NULL || trusted == NULL)
        return rrepo_fail(r, RAMPART_EINVAL, NULL, "invalid argument");
    rrole *ro;
    rbuf b, t;
    rbuf_init(&b, RREPO_MD_MAX);
    rbuf_init(&t, RREPO_MD_MAX);
    rampart_metadata *st = NULL, *tr = NULL;
    int rc = rrepo_role(r, role, &ro);
    if (rc == 0)
        rc = rrepo_file_bytes(r, ro->md, &b);
    if (rc == 0)
        rc = to_handle(r, &b, &st);
    int64_t pub = rc == 0 ? rrepo_published_version(r, role) : 0;
    if (rc == 0 && pub > 0 && strcmp(role, "root") == 0) {
        char fname[64];
        (void)snprintf(fname, sizeof(fname), "%lld.root.json", (long long)pub); /* a number: fits */
        rc = rfs_read_file(r->fds[RDIR_ROOTS], fname, &t, &r->err);
    } else if (rc == 0 && pub > 0) {
        json_t *md = NULL;
        rbuf_free(&t);
        rc = rrepo_published_role(r, role, pub, &t, &md);
        json_decref(md);
    }
    if (rc == 0 && pub > 0)
        rc = to_handle(r, &t, &tr);
    rbuf_free(&b);
    rbuf_free(&t);
    rrepo_drop_cache(r);
    if (rc != 0) {
        rampart_metadata_free(st);
        return rc;
    }
    *staged = st;
    *trusted = tr;
    return 0;
}
