/* signer.c - signers and TUF public keys (rampart/signer.h). */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/key.h"
#include "crypto/privkey.h"
#include "keys/keys.h"
#include "rampart/signer.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/banned.h"

/* A private or public key file is never larger than this. */
#define KEY_FILE_MAX ((size_t)64 * 1024)

struct rampart_signer {
    rampart_signer_ops ops;
    void *ctx;
    rampart_public_key *pub;
};

/* ---- public keys ---------------------------------------------------- */

static char *dup_cstr(const char *s)
{
    return rampart_strndup(s, strlen(s));
}

void rampart_public_key_free(rampart_public_key *k)
{
    if (k == NULL)
        return;
    rampart_free(k->keytype);
    rampart_free(k->scheme);
    rampart_free(k->pub);
    rampart_free(k);
}

int rpub_new(rampart_public_key **out, rslice keytype, rslice scheme, rslice pub, rerr *e)
{
    rkey *key = NULL;
    int rc = rkey_from_tuf(&key, keytype, scheme, pub, e);
    if (rc != 0)
        return rc;
    rkey_free(key);
    rampart_public_key *k = rampart_calloc(1, sizeof(*k));
    if (k == NULL)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    k->keytype = rampart_strndup((const char *)keytype.p, keytype.n);
    k->scheme = rampart_strndup((const char *)scheme.p, scheme.n);
    k->pub = rampart_strndup((const char *)pub.p, pub.n);
    if (k->keytype == NULL || k->scheme == NULL || k->pub == NULL ||
        rkey_compute_keyid(keytype, scheme, pub, k->keyid) != 0) {
        rampart_public_key_free(k);
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    }
    *out = k;
    return 0;
}

int rpub_from_json(rampart_public_key **out, const json_t *o, rerr *e)
{
    const json_t *kt = json_object_get(o, "keytype"), *sc = json_object_get(o, "scheme");
    const json_t *kv = json_object_get(o, "keyval");
    const json_t *pub = json_is_object(kv) ? json_object_get(kv, "public") : NULL;
    if (!json_is_object(o) || !json_is_string(kt) || !json_is_string(sc) || !json_is_string(pub))
        return rerr_set(e, RAMPART_EFORMAT, NULL, "not a TUF key object (keytype, scheme, keyval.public)");
    return rpub_new(out, RSLICE(json_string_value(kt), json_string_length(kt)),
                    RSLICE(json_string_value(sc), json_string_length(sc)),
                    RSLICE(json_string_value(pub), json_string_length(pub)), e);
}

json_t *rpub_to_json(const rampart_public_key *k)
{
    return json_pack("{s:s,s:s,s:{s:s}}", "keytype", k->keytype, "scheme", k->scheme, "keyval", "public", k->pub);
}

int rampart_public_key_load(rampart_public_key **out, const char *path, rampart_error *err)
{
    rerr_clear(err);
    if (out == NULL || path == NULL)
        return rerr_set(err, RAMPART_EINVAL, NULL, "invalid argument");
    rbuf b;
    rbuf_init(&b, KEY_FILE_MAX);
    int rc = rfs_read_file(AT_FDCWD, path, &b, err);
    json_t *j = NULL;
    if (rc == 0 && rjson_parse(b.data, b.len, KEY_FILE_MAX, &j, NULL) != 0)
        rc =
            rerr_set(err, RAMPART_EFORMAT, NULL, "%s: unknown key file format (expected a TUF public key, JSON)", path);
    if (rc == 0) {
        rerr sub = {0};
        rc = rpub_from_json(out, j, &sub);
        if (rc == RAMPART_EFORMAT)
            rc = rerr_set(err, rc, NULL, "%s: unknown key file format (%s)", path, sub.message);
        else if (rc != 0)
            rc = rerr_set(err, rc, NULL, "%s: %s", path, sub.message);
    }
    json_decref(j);
    rbuf_free(&b);
    return rc;
}

int rampart_public_key_dup(rampart_public_key **out, const rampart_public_key *k)
{
    if (out == NULL || k == NULL)
        return RAMPART_EINVAL;
    rampart_public_key *c = rampart_calloc(1, sizeof(*c));
    if (c == NULL)
        return RAMPART_ENOMEM;
    c->keytype = dup_cstr(k->keytype);
    c->scheme = dup_cstr(k->scheme);
    c->pub = dup_cstr(k->pub);
    memcpy(c->keyid, k->keyid, sizeof(c->keyid));
    if (c->keytype == NULL || c->scheme == NULL || c->pub == NULL) {
        rampart_public_key_free(c);
        return RAMPART_ENOMEM;
    }
    *out = c;
    return 0;
}

const char *rampart_public_key_keyid(const rampart_public_key *k)
{
    return k != NULL ? k->keyid : NULL;
}
const char *rampart_public_key_keytype(const rampart_public_key *k)
{
    return k != NULL ? k->keytype : NULL;
}
const char *rampart_public_key_scheme(const rampart_public_key *k)
{
    return k != NULL ? k->scheme : NULL;
}
const char *rampart_public_key_value(const rampart_public_key *k)
{
    return k != NULL ? k->pub : NULL;
}

int rampart_public_key_to_json(const rampart_public_key *k, char **out)
{
    if (k == NULL || out == NULL)
        return RAMPART_EINVAL;
    json_t *j = rpub_to_json(k);
    if (j == NULL)
        return RAMPART_ENOMEM;
    char *s = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(j);
    if (s == NULL)
        return RAMPART_ENOMEM;
    size_t n = strlen(s);
    char *r = rampart_malloc(n + 2);
    if (r != NULL) {
        memcpy(r, s, n);
        r[n] = '\n';
        r[n + 1] = '\0';
    }
    free(s);
    if (r == NULL)
        return RAMPART_ENOMEM;
    *out = r;
    return 0;
}

/* ---- signers -------------------------------------------------------- */

int rampart_signer_new(rampart_signer **out, const rampart_signer_ops *ops, void *ctx, const char *keytype,
                       const char *scheme, const char *public_value, rampart_error *err)
{
    rerr_clear(err);
    if (out == NULL || ops == NULL || ops->version != RAMPART_SIGNER_OPS_VERSION || ops->sign == NULL ||
        keytype == NULL || scheme == NULL || public_value == NULL) {
        if (ops != NULL && ops->destroy != NULL)
            ops->destroy(ctx);
        return rerr_set(err, RAMPART_EINVAL, NULL, "invalid signer");
    }
    rampart_signer *s = rampart_calloc(1, sizeof(*s));
    int rc = s == NULL ? rerr_set(err, RAMPART_ENOMEM, NULL, "out of memory")
                       : rpub_new(&s->pub, rslice_cstr(keytype), rslice_cstr(scheme), rslice_cstr(public_value), err);
    if (rc != 0) {
        rampart_free(s);
        if (ops->destroy != NULL)
            ops->destroy(ctx);
        return rc;
    }
    s->ops = *ops;
    s->ctx = ctx;
    *out = s;
    return 0;
}

const char *rampart_signer_keyid(const rampart_signer *s)
{
    return s != NULL ? s->pub->keyid : NULL;
}

const rampart_public_key *rampart_signer_public_key(const rampart_signer *s)
{
    return s != NULL ? s->pub : NULL;
}

int rampart_signer_sign(rampart_signer *s, const void *msg, size_t len, unsigned char *sig, size_t *siglen,
                        rampart_error *err)
{
    rerr_clear(err);
    if (s == NULL || sig == NULL || siglen == NULL || (msg == NULL && len > 0))
        return rerr_set(err, RAMPART_EINVAL, NULL, "invalid argument");
    size_t n = 0;
    int rc = s->ops.sign(s->ctx, msg, len, sig, &n, err);
    if (rc == 0 && (n == 0 || n > RAMPART_SIGNATURE_MAX))
        rc = rerr_set(err, RAMPART_ECRYPTO, NULL, "the signer returned a signature of %zu bytes", n);
    if (rc == 0)
        *siglen = n;
    return rc;
}

void rampart_signer_free(rampart_signer *s)
{
    if (s == NULL)
        return;
    if (s->ops.destroy != NULL)
        s->ops.destroy(s->ctx);
    rampart_public_key_free(s->pub);
    rampart_free(s);
}

/* ---- the file-backed signer ----------------------------------------- */

static int file_sign(void *ctx, const unsigned char *msg, size_t len, unsigned char *sig, size_t *siglen,
                     rampart_error *err)
{
    rbuf b;
    rbuf_init(&b, RAMPART_SIGNATURE_MAX);
    int rc = rprivkey_sign(ctx, msg, len, &b, err);
    if (rc == 0) {
        memcpy(sig, b.data, b.len);
        *siglen = b.len;
    }
    rbuf_free(&b);
    return rc;
}

static void file_destroy(void *ctx)
{
    rprivkey_free(ctx);
}

static const rampart_signer_ops file_ops = {RAMPART_SIGNER_OPS_VERSION, file_sign, file_destroy};

static bool is_encrypted_pem(const rbuf *b)
{
    static const char tag[] = "-----BEGIN ENCRYPTED PRIVATE KEY-----";
    return b->len >= sizeof(tag) - 1 && memmem(b->data, b->len, tag, sizeof(tag) - 1) != NULL;
}

static bool looks_like_json(const rbuf *b)
{
    for (size_t i = 0; i < b->len; i++) {
        if (b->data[i] == ' ' || b->data[i] == '\n' || b->data[i] == '\r' || b->data[i] == '\t')
            continue;
        return b->data[i] == '{';
    }
    return false;
}

/* Loads the private key, asking for the passphrase only when needed. */
static int load_priv(const char *path, const rbuf *pem, const rampart_key_load_options *o, rprivkey **k, rerr *e)
{
    const char *pass = o != NULL ? o->passphrase : NULL;
    size_t passlen = o != NULL ? o->passphrase_len : 0;
    rbuf asked;
    rbuf_init_secret(&asked, RAMPART_PASSPHRASE_MAX);
    int rc = 0;
    if (pass == NULL && is_encrypted_pem(pem) && o != NULL && o->passphrase_cb != NULL) {
        size_t n = 0;
        if ((rc = rbuf_reserve(&asked, RAMPART_PASSPHRASE_MAX)) != 0)
            rc = rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
        if (rc == 0 &&
            (rc = o->passphrase_cb(o->passphrase_ctx, path, (char *)asked.data, RAMPART_PASSPHRASE_MAX, &n)) != 0)
            rc = rc == RAMPART_EINVAL ? rerr_set(e, rc, NULL, "%s: the passphrase is longer than %u bytes", path,
                                                 (unsigned)RAMPART_PASSPHRASE_MAX)
                                      : rerr_set(e, rc, NULL, "%s: no passphrase for the encrypted key", path);
        if (rc == 0 && n > RAMPART_PASSPHRASE_MAX)
            rc = rerr_set(e, RAMPART_EINVAL, NULL, "passphrase too long");
        asked.len = rc == 0 ? n : 0;
        pass = (const char *)asked.data;
        passlen = asked.len;
    }
    if (rc == 0) {
        rerr sub = {0};
        rc = rprivkey_load_pem(k, pem->data, pem->len, pass, passlen, &sub);
        if (rc == RAMPART_EPASSPHRASE)
            rc = rerr_set(e, rc, NULL, "%s: wrong or missing passphrase", path);
        else if (rc == RAMPART_EFORMAT)
            rc = rerr_set(e, rc, NULL, "%s: unknown key file format (%s)", path, sub.message);
        else if (rc != 0)
            rc = rerr_set(e, rc, NULL, "%s: %s", path, sub.message);
    }
    rbuf_free(&asked);
    return rc;
}

/* Reads and loads a private key file (pem: a secret buffer of the caller's). */
static int read_priv(const char *path, rbuf *pem, const rampart_key_load_options *o, rprivkey **k, rerr *e)
{
    int rc = rfs_read_file(AT_FDCWD, path, pem, e);
    if (rc == 0 && looks_like_json(pem))
        rc = rerr_set(e, RAMPART_EFORMAT, NULL, "%s is a public key: signing needs the private key file", path);
    if (rc == 0)
        rc = load_priv(path, pem, o, k, e);
    return rc;
}

int rprivkey_load_file(rprivkey **out, const char *path, const rampart_key_load_options *o, rerr *e)
{
    if (out == NULL || path == NULL || (o != NULL && o->version != RAMPART_KEY_LOAD_OPTIONS_VERSION))
        return rerr_set(e, RAMPART_EINVAL, NULL, "invalid argument");
    rbuf pem;
    rbuf_init_secret(&pem, KEY_FILE_MAX);
    int rc = read_priv(path, &pem, o, out, e);
    rbuf_free(&pem);
    return rc;
}

int rampart_signer_load_file(rampart_signer **out, const char *path, const rampart_key_load_options *o,
                             rampart_error *err)
{
    rerr_clear(err);
    if (out == NULL || path == NULL || (o != NULL && o->version != RAMPART_KEY_LOAD_OPTIONS_VERSION))
        return rerr_set(err, RAMPART_EINVAL, NULL, "invalid argument");
    rbuf pem, pub;
    rbuf_init_secret(&pem, KEY_FILE_MAX);
    rbuf_init(&pub, KEY_FILE_MAX);
    rprivkey *k = NULL;
    int rc = read_priv(path, &pem, o, &k, err);
    if (rc == 0)
        rc = rprivkey_public_tuf(k, &pub, err);
    if (rc == 0) {
        rkey_scheme sc = rprivkey_scheme(k);
        rc = rampart_signer_new(out, &file_ops, k, rkey_scheme_keytype(sc), rkey_scheme_name(sc),
                                (const char *)pub.data, err);
        k = NULL; /* owned by the signer, or freed by it on failure */
    }
    rprivkey_free(k);
    rbuf_free(&pem);
    rbuf_free(&pub);
    return rc;
}

/* ---- key generation ------------------------------------------------- */

int rampart_key_generate(const rampart_keygen_options *o, const char *private_path, const char *public_path,
                         rampart_public_key **out, rampart_error *err)
{
    rerr_clear(err);
    if (o == NULL || o->version != RAMPART_KEYGEN_OPTIONS_VERSION || private_path == NULL || public_path == NULL)
        return rerr_set(err, RAMPART_EINVAL, NULL, "invalid argument");
    const rkey_scheme_def *d = rscheme_from_api(o->type);
    if (d == NULL)
        return rerr_set(err, RAMPART_EINVAL, NULL, "unknown key type %d", (int)o->type);
    if (rfs_exists_at(AT_FDCWD, private_path) || rfs_exists_at(AT_FDCWD, public_path))
        return rerr_set(err, RAMPART_EEXIST, NULL, "%s already exists (refusing to overwrite it)",
                        rfs_exists_at(AT_FDCWD, private_path) ? private_path : public_path);
    rprivkey *k = NULL;
    rampart_public_key *pk = NULL;
    char *pubjson = NULL;
    rbuf pem, pub;
    rbuf_init_secret(&pem, KEY_FILE_MAX);
    rbuf_init(&pub, KEY_FILE_MAX);
    int rc = rprivkey_generate(&k, rscheme_id(d), o->rsa_bits ? o->rsa_bits : d->gen_bits_default, err);
    if (rc == 0)
        rc = rprivkey_to_pem(k, o->passphrase, o->passphrase != NULL ? o->passphrase_len : 0, &pem, err);
    if (rc == 0)
        rc = rprivkey_public_tuf(k, &pub, err);
    if (rc == 0)
        rc = rpub_new(&pk, rslice_cstr(d->keytype), rslice_cstr(d->scheme), rbuf_slice(&pub), err);
    if (rc == 0 && rampart_public_key_to_json(pk, &pubjson) != 0)
        rc = rerr_set(err, RAMPART_ENOMEM, NULL, "out of memory");
    if (rc == 0)
        rc = rfs_create_excl_path(private_path, pem.data, pem.len, 0600, err);
    if (rc == 0) {
        rc = rfs_create_excl_path(public_path, pubjson, strlen(pubjson), 0644, err);
        if (rc != 0) /* do not leave half a key pair behind */
            rfs_unlink_quiet(AT_FDCWD, private_path);
    }
    if (rc == 0 && out != NULL) {
        *out = pk;
        pk = NULL;
    }
    rampart_free(pubjson);
    rampart_public_key_free(pk);
    rprivkey_free(k);
    rbuf_free(&pem);
    rbuf_free(&pub);
    return rc;
}
