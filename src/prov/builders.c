/*
 * builders.c - the builders file of `rampart assess --builders`
 * (docs/assess.md, "Builders the assessor has reviewed"): the build
 * services the ASSESSING organisation has reviewed itself, the SLSA Build
 * level it grants each, and the keys their attestations must be signed
 * with.
 *
 *   {"version": 1,
 *    "keys": {"NAME": TUF_KEY, ...},
 *    "builders": [{"id": BUILDER_ID, "level": 1 | 2 | 3, "keys": [NAME, ...]}, ...]}
 *
 * "keys" is the provenance policy's (docs/provenance.md), parsed by the
 * same function.  An id ending in '@' is a prefix (it matches every
 * builder.id that starts with it, whatever version follows the '@', as the
 * prefixes of the published table do); any other id matches exactly.  The
 * file is the assessor's trusted configuration, parsed as strictly as a
 * policy: an unknown member is an error (a misspelt member must not
 * silently change what is trusted).
 */
#include <string.h>

#include "prov/prov.h"
#include "util/jdoc.h"
#include "util/banned.h"

#define FAIL(e, ...) rerr_set((e), RAMPART_EFORMAT, NULL, "builders: " __VA_ARGS__)

void rprov_builders_free(rprov_builders *bs)
{
    if (bs == NULL)
        return;
    for (size_t i = 0; i < bs->nkeys; i++) {
        rampart_free(bs->key_names[i]);
        rkey_free(bs->keys[i]);
    }
    rampart_free(bs->key_names);
    rampart_free(bs->keys);
    for (size_t i = 0; i < bs->n; i++) {
        rampart_free(bs->b[i].id);
        rampart_free(bs->b[i].keys);
    }
    rampart_free(bs->b);
    rampart_free(bs);
}

static int builder_id(const jdoc *d, jd_ref v, size_t i, rprov_builder *b, rerr *e)
{
    rslice id = jdoc_str(d, v);
    bool ok = jdoc_type(d, v) == JD_STRING && id.n > 0 && id.n <= RPROV_MAX_STRING;
    for (size_t j = 0; ok && j < id.n; j++)
        ok = id.p[j] >= 0x20 && id.p[j] != 0x7f && id.p[j] != 0;
    if (!ok)
        return FAIL(e, "builders[%zu].id must be a string of 1 to %d bytes without control characters", i,
                    RPROV_MAX_STRING);
    if ((b->id = rampart_strndup((const char *)id.p, id.n)) == NULL)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    b->prefix = id.p[id.n - 1] == '@';
    return 0;
}

static int builder_keys(const rprov_builders *bs, const jdoc *d, jd_ref v, size_t i, rprov_builder *b, rerr *e)
{
    size_t n = jdoc_count(d, v);
    if (jdoc_type(d, v) != JD_ARRAY || n == 0 || n > RPROV_POLICY_MAX_LIST)
        return FAIL(e, "builders[%zu].keys must be an array of 1 to %d key names", i, RPROV_POLICY_MAX_LIST);
    if ((b->keys = rampart_calloc(n, sizeof(size_t))) == NULL)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    for (jd_ref x = jdoc_first(d, v); x != JD_NONE; x = jdoc_next(d, x)) {
        rslice name = jdoc_str(d, x);
        size_t k = 0;
        while (jdoc_type(d, x) == JD_STRING && k < bs->nkeys && !rslice_eq_cstr(name, bs->key_names[k]))
            k++;
        if (jdoc_type(d, x) != JD_STRING || k == bs->nkeys) {
            char safe[64];
            rampart_sanitize(safe, sizeof(safe), (const char *)name.p, name.n);
            return FAIL(e, "builders[%zu].keys names '%s', which is not in \"keys\"", i, safe);
        }
        for (size_t j = 0; j < b->nkeys; j++)
            if (b->keys[j] == k)
                return FAIL(e, "builders[%zu].keys lists '%s' twice", i, bs->key_names[k]);
        b->keys[b->nkeys++] = k;
    }
    return 0;
}

static int parse_builder(rprov_builders *bs, const jdoc *d, jd_ref r, size_t i, rerr *e)
{
    if (jdoc_type(d, r) != JD_OBJECT)
        return FAIL(e, "builders[%zu] is not an object", i);
    rprov_builder *b = &bs->b[i];
    bool have_level = false;
    int rc = 0;
    for (jd_ref k = jdoc_first(d, r); rc == 0 && k != JD_NONE; k = jdoc_next_key(d, k)) {
        rslice key = jdoc_str(d, k);
        jd_ref v = jdoc_value(k);
        if (rslice_eq_cstr(key, "id")) {
            rc = builder_id(d, v, i, b, e);
        } else if (rslice_eq_cstr(key, "keys")) {
            rc = builder_keys(bs, d, v, i, b, e);
        } else if (rslice_eq_cstr(key, "level")) {
            if (jdoc_type(d, v) != JD_INT || jdoc_int(d, v) < 1 || jdoc_int(d, v) > RPROV_BUILDER_MAX_LEVEL)
                return FAIL(e, "builders[%zu].level must be an SLSA Build level from 1 to %d", i,
                            RPROV_BUILDER_MAX_LEVEL);
            b->level = (int)jdoc_int(d, v);
            have_level = true;
        } else {
            char safe[64];
            rampart_sanitize(safe, sizeof(safe), (const char *)key.p, key.n);
            return FAIL(e, "unknown member '%s' in builders[%zu]", safe, i);
        }
    }
    if (rc != 0)
        return rc;
    if (b->id == NULL || !have_level || b->nkeys == 0)
        return FAIL(e, "builders[%zu] needs \"id\", \"level\" and \"keys\"", i);
    for (size_t j = 0; j < i; j++)
        if (strcmp(bs->b[j].id, b->id) == 0)
            return FAIL(e, "builders[%zu].id is also builders[%zu].id", i, j);
    return 0;
}

static int parse_file(rprov_builders *bs, const jdoc *d, rerr *e)
{
    jd_ref root = jdoc_root(d);
    if (jdoc_type(d, root) != JD_OBJECT)
        return FAIL(e, "not a JSON object");
    jd_ref ver = JD_NONE, keys = JD_NONE, list = JD_NONE;
    for (jd_ref k = jdoc_first(d, root); k != JD_NONE; k = jdoc_next_key(d, k)) {
        rslice key = jdoc_str(d, k);
        jd_ref *slot = rslice_eq_cstr(key, "version")    ? &ver
                       : rslice_eq_cstr(key, "keys")     ? &keys
                       : rslice_eq_cstr(key, "builders") ? &list
                                                         : NULL;
        if (slot == NULL) {
            char safe[64];
            rampart_sanitize(safe, sizeof(safe), (const char *)key.p, key.n);
            return FAIL(e, "unknown member '%s'", safe);
        }
        *slot = jdoc_value(k);
    }
    if (jdoc_type(d, ver) != JD_INT || jdoc_int(d, ver) != 1)
        return FAIL(e, "\"version\" must be 1");
    if (keys == JD_NONE || list == JD_NONE)
        return FAIL(e, "\"keys\" and \"builders\" are required");
    int rc = rprov_keys_parse(d, keys, "builders", &bs->key_names, &bs->keys, &bs->nkeys, e);
    if (rc != 0)
        return rc;
    size_t n = jdoc_count(d, list);
    if (jdoc_type(d, list) != JD_ARRAY || n == 0 || n > RPROV_BUILDERS_MAX_BUILDERS)
        return FAIL(e, "\"builders\" must be an array of 1 to %d builders", RPROV_BUILDERS_MAX_BUILDERS);
    if ((bs->b = rampart_calloc(n, sizeof(rprov_builder))) == NULL)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    for (jd_ref r = jdoc_first(d, list); rc == 0 && r != JD_NONE; r = jdoc_next(d, r)) {
        bs->n++;
        rc = parse_builder(bs, d, r, bs->n - 1, e);
    }
    return rc;
}

int rprov_builders_parse(rprov_builders **out, const void *json, size_t len, rerr *e)
{
    if (out == NULL || (json == NULL && len > 0))
        return rerr_set(e, RAMPART_EINVAL, NULL, "invalid argument");
    RAMPART_AUTO(jdoc_free) jdoc *doc = NULL;
    jd_limits lim = {.max_bytes = RPROV_BUILDERS_MAX};
    rerr pe = {0};
    int rc = jdoc_parse(&doc, json, len, false, &lim, &pe);
    if (rc == RAMPART_ENOMEM)
        return rerr_set(e, rc, NULL, "out of memory");
    if (rc != 0)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "builders: %s", pe.message);
    rprov_builders *bs = rampart_calloc(1, sizeof(*bs));
    if (bs == NULL)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    rc = parse_file(bs, doc, e);
    if (rc != 0) {
        rprov_builders_free(bs);
        return rc;
    }
    *out = bs;
    return 0;
}

const rprov_builder *rprov_builders_find(const rprov_builders *bs, const char *builder_id)
{
    if (bs == NULL || builder_id == NULL)
        return NULL;
    const rprov_builder *best = NULL;
    size_t best_len = 0;
    for (size_t i = 0; i < bs->n; i++) {
        const rprov_builder *b = &bs->b[i];
        size_t n = strlen(b->id);
        if (strcmp(b->id, builder_id) == 0)
            return b;
        if (b->prefix && n > best_len && strncmp(b->id, builder_id, n) == 0) {
            best = b;
            best_len = n;
        }
    }
    return best;
}

int rprov_builder_signed(const rprov_builders *bs, const rprov_builder *b, const rampart_dsse *env,
                         const char **key_name)
{
    if (bs == NULL || b == NULL || env == NULL || key_name == NULL)
        return RAMPART_EINVAL;
    /* DSSE protocol: a signature counts when it verifies over
     * PAE(payloadType, payload) with a trusted key; keyids are hints only. */
    for (size_t i = 0; i < b->nkeys; i++) {
        size_t valid = 0;
        int rc = rdsse_count_valid(env, &bs->keys[b->keys[i]], 1, &valid);
        if (rc != 0)
            return rc;
        if (valid == 1) {
            *key_name = bs->key_names[b->keys[i]];
            return 0;
        }
    }
    return RAMPART_EPROVSIG;
}
