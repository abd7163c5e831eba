/*
 * repo_prov.c - binding an attestation to a target (`rampart repo add FILE
 * --provenance ATTESTATION`, docs/provenance.md).  The attestation becomes a
 * target of its own, PATH.intoto.jsonl, and the file's custom metadata
 * records its path, SHA-256 and length, so that the binding is signed by
 * the role that lists the file and covered by TUF's expiry and rollback
 * protection.  The repository has no builder keys and checks no
 * signature; it refuses what can never pass a client's policy: something
 * that is not an in-toto SLSA v1 attestation, or one about other files.
 */
#include <fcntl.h>

#include "prov/prov.h"
#include "repo/repo_internal.h"
#include "util/codec.h"
#include "util/fs.h"
#include "util/banned.h"

/* custom + {"rampart": {"provenance": {...}}} as a new object. */
static int merged_custom(rampart_repo *r, const json_t *custom, const char *apath, const char *hex, size_t len,
                         json_t **out)
{
    json_t *c = custom != NULL ? json_deep_copy(custom) : json_object();
    if (c == NULL)
        return rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    json_t *ns = json_object_get(c, "rampart");
    if (ns != NULL && !json_is_object(ns)) {
        json_decref(c);
        return rrepo_fail(r, RAMPART_EFORMAT, NULL, "custom metadata member \"rampart\" must be an object");
    }
    if (ns == NULL &&
        (json_object_set_new(c, "rampart", json_object()) != 0 || (ns = json_object_get(c, "rampart")) == NULL)) {
        json_decref(c);
        return rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    }
    json_t *b = json_pack("{s:s,s:{s:s},s:I}", "path", apath, "hashes", "sha256", hex, "length", (json_int_t)len);
    if (json_object_set_new(ns, "provenance", b) != 0) {
        json_decref(c);
        return rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    }
    *out = c;
    return 0;
}

int rrepo_prov_bind(rampart_repo *r, const char *src, const char *tpath, const char *att, const json_t *custom,
                    json_t **new_custom, char **att_tpath)
{
    rbuf env;
    rbuf_init(&env, RAMPART_ATTESTATION_MAX);
    rerr fe = {0};
    int rc = rfs_read_file(AT_FDCWD, att, &env, &fe);
    if (rc != 0) {
        rbuf_free(&env);
        return rrepo_fail(r, rc, NULL, "cannot read the attestation %s: %s", att, fe.message);
    }
    rprov_digests d = {0};
    uint8_t ad[RHASH_MAX_LEN];
    char *apath = NULL;
    json_t *c = NULL;
    rbuf ap;
    rbuf_init(&ap, SIZE_MAX - 1);
    if ((rc = rprov_hash_file(src, &d, &r->err)) == 0) {
        rerr pe = {0};
        if ((rc = rprov_check_unsigned(env.data, env.len, &d, &pe)) != 0)
            rrepo_fail(r, rc, NULL, "%s: %s", att, pe.message);
    }
    if (rc == 0 && rhash_digest(RHASH_SHA256, env.data, env.len, ad) != 0)
        rc = rrepo_fail(r, RAMPART_ECRYPTO, NULL, "hashing %s failed", att);
    if (rc == 0 && (rbuf_append_str(&ap, tpath) != 0 || rbuf_append_str(&ap, RAMPART_ATTESTATION_SUFFIX) != 0 ||
                    (apath = (char *)rbuf_detach(&ap, NULL)) == NULL))
        rc = rrepo_fail(r, RAMPART_ENOMEM, NULL, "out of memory");
    rbuf_free(&ap);
    if (rc == 0) {
        char hex[65];
        rhex_encode(hex, ad, 32);
        rc = merged_custom(r, custom, apath, hex, env.len, &c);
    }
    rbuf_free(&env);
    if (rc != 0) {
        rampart_free(apath);
        return rc;
    }
    *new_custom = c;
    *att_tpath = apath;
    return 0;
}
