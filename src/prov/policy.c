/*
 * policy.c - the provenance policy file (docs/provenance.md):
 *
 *   {"version": 1,
 *    "keys": {"NAME": TUF_KEY, ...},
 *    "default": RULE,
 *    "rules": [RULE + {"name", "paths": [GLOB, ...]}, ...]}
 *
 *   RULE: {"provenance": "required" | "optional" | "none",
 *          "keys": [NAME, ...], "threshold": N,
 *          "builder_ids": [...], "build_types": [...], "source_uris": [GLOB, ...],
 *          "version_tag": true | false}
 *
 * A rule's unset members are the default's.  The first rule with a path
 * pattern matching the target path applies (TUF delegation glob semantics,
 * tuf_glob_match), else the default.  The policy is local, trusted
 * configuration, but it is parsed as strictly as metadata, and more: an
 * unknown member is an error, because a misspelt rule would silently
 * weaken the policy.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "prov/prov.h"
#include "tuf/match.h"
#include "util/fs.h"
#include "util/jdoc.h"
#include "util/banned.h"

#define FAIL(e, ...) rerr_set((e), RAMPART_EFORMAT, NULL, "policy: " __VA_ARGS__)

static void list_free(rprov_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        rampart_free(l->v[i]);
    rampart_free(l->v);
}

static void rule_free(rprov_rule *r)
{
    rampart_free(r->name);
    list_free(&r->paths);
    list_free(&r->builder_ids);
    list_free(&r->build_types);
    list_free(&r->source_uris);
    rampart_free(r->keys);
}

void rampart_prov_policy_free(rampart_prov_policy *p)
{
    if (p == NULL)
        return;
    for (size_t i = 0; i < p->nkeys; i++) {
        rampart_free(p->key_names[i]);
        rkey_free(p->keys[i]);
    }
    rampart_free(p->key_names);
    rampart_free(p->keys);
    rule_free(&p->def);
    for (size_t i = 0; i < p->nrules; i++)
        rule_free(&p->rules[i]);
    rampart_free(p->rules);
    rampart_free(p);
}

static char *dup_slice(rslice s)
{
    return rampart_strndup((const char *)s.p, s.n);
}

/* A non-empty array of non-empty strings (at most RPROV_POLICY_MAX_LIST). */
static int parse_list(const jdoc *d, jd_ref r, const char *rule, const char *key, rprov_list *out, rerr *e)
{
    size_t n = jdoc_count(d, r);
    if (jdoc_type(d, r) != JD_ARRAY || n == 0)
        return FAIL(e, "%s.%s must be a non-empty array of strings (leave it out to inherit)", rule, key);
    if (n > RPROV_POLICY_MAX_LIST)
        return FAIL(e, "%s.%s has more than %d entries", rule, key, RPROV_POLICY_MAX_LIST);
    if ((out->v = rampart_calloc(n, sizeof(char *))) == NULL)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    out->set = true;
    for (jd_ref x = jdoc_first(d, r); x != JD_NONE; x = jdoc_next(d, x)) {
        rslice s = jdoc_str(d, x);
        if (jdoc_type(d, x) != JD_STRING || s.n == 0 || s.n > RPROV_MAX_STRING)
            return FAIL(e, "%s.%s entries must be non-empty strings", rule, key);
        if ((out->v[out->n++] = dup_slice(s)) == NULL)
            return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    }
    return 0;
}

static int key_index(const rampart_prov_policy *p, rslice name, size_t *out)
{
    for (size_t i = 0; i < p->nkeys; i++)
        if (rslice_eq_cstr(name, p->key_names[i])) {
            *out = i;
            return 0;
        }
    return RAMPART_ENOTFOUND;
}

static int parse_keys_ref(const rampart_prov_policy *p, const jdoc *d, jd_ref r, rprov_rule *ru, rerr *e)
{
    rprov_list names = {0};
    int rc = parse_list(d, r, ru->name, "keys", &names, e);
    if (rc == 0 && (ru->keys = rampart_calloc(names.n, sizeof(size_t))) == NULL)
        rc = rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    for (size_t i = 0; rc == 0 && i < names.n; i++) {
        if (key_index(p, rslice_cstr(names.v[i]), &ru->keys[i]) != 0)
            rc = FAIL(e, "%s.keys names '%s', which is not in \"keys\"", ru->name, names.v[i]);
        for (size_t j = 0; rc == 0 && j < i; j++)
            if (ru->keys[j] == ru->keys[i])
                rc = FAIL(e, "%s.keys lists '%s' twice", ru->name, names.v[i]);
        ru->nkeys = i + 1;
    }
    ru->keys_set = rc == 0;
    list_free(&names);
    return rc;
}

static int parse_provenance(const jdoc *d, jd_ref r, rprov_rule *ru, rerr *e)
{
    static const char *const words[] = {"none", "optional", "required"};
    for (int i = 0; i < 3; i++)
        if (jdoc_type(d, r) == JD_STRING && rslice_eq_cstr(jdoc_str(d, r), words[i])) {
            ru->provenance = i; /* RAMPART_PROV_NONE, _OPTIONAL, _REQUIRED */
            return 0;
        }
    return FAIL(e, "%s.provenance must be \"required\", \"optional\" or \"none\"", ru->name);
}

/* One member of a rule. */
static int rule_member(const rampart_prov_policy *p, const jdoc *d, jd_ref k, rprov_rule *ru, bool is_default, rerr *e)
{
    rslice key = jdoc_str(d, k);
    jd_ref v = jdoc_value(k);
    if (rslice_eq_cstr(key, "provenance"))
        return parse_provenance(d, v, ru, e);
    if (rslice_eq_cstr(key, "keys"))
        return parse_keys_ref(p, d, v, ru, e);
    if (rslice_eq_cstr(key, "threshold")) {
        if (jdoc_type(d, v) != JD_INT || jdoc_int(d, v) < 1 || jdoc_int(d, v) > RPROV_POLICY_MAX_KEYS)
            return FAIL(e, "%s.threshold must be an integer from 1 to %d", ru->name, RPROV_POLICY_MAX_KEYS);
        ru->threshold = (unsigned)jdoc_int(d, v);
        return 0;
    }
    if (rslice_eq_cstr(key, "version_tag")) {
        if (jdoc_type(d, v) != JD_TRUE && jdoc_type(d, v) != JD_FALSE)
            return FAIL(e, "%s.version_tag must be true or false", ru->name);
        ru->version_tag = jdoc_type(d, v) == JD_TRUE;
        return 0;
    }
    if (rslice_eq_cstr(key, "builder_ids"))
        return parse_list(d, v, ru->name, "builder_ids", &ru->builder_ids, e);
    if (rslice_eq_cstr(key, "build_types"))
        return parse_list(d, v, ru->name, "build_types", &ru->build_types, e);
    if (rslice_eq_cstr(key, "source_uris"))
        return parse_list(d, v, ru->name, "source_uris", &ru->source_uris, e);
    if (!is_default && rslice_eq_cstr(key, "paths"))
        return parse_list(d, v, ru->name, "paths", &ru->paths, e);
    if (!is_default && rslice_eq_cstr(key, "name"))
        return 0; /* read before the others */
    char safe[64];
    rampart_sanitize(safe, sizeof(safe), (const char *)key.p, key.n);
    return FAIL(e, "unknown member '%s' in %s", safe, ru->name);
}

static int parse_rule(const rampart_prov_policy *p, const jdoc *d, jd_ref r, rprov_rule *ru, size_t index,
                      bool is_default, rerr *e)
{
    ru->provenance = -1;
    ru->version_tag = -1;
    char label[32];
    (void)snprintf(label, sizeof(label), is_default ? "default" : "rules[%zu]", index); /* index < 256: fits */
    jd_ref nr = jdoc_get(d, r, "name");
    rslice name = jdoc_str(d, nr);
    if (!is_default && nr != JD_NONE && (jdoc_type(d, nr) != JD_STRING || name.n == 0 || name.n > 128))
        return FAIL(e, "%s.name must be a string of 1 to 128 bytes", label);
    ru->name = (!is_default && name.n > 0) ? dup_slice(name) : rampart_strndup(label, strlen(label));
    if (ru->name == NULL)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    if (jdoc_type(d, r) != JD_OBJECT)
        return FAIL(e, "%s is not an object", label);
    int rc = 0;
    for (jd_ref k = jdoc_first(d, r); rc == 0 && k != JD_NONE; k = jdoc_next_key(d, k))
        rc = rule_member(p, d, k, ru, is_default, e);
    if (rc == 0 && is_default && ru->provenance < 0)
        rc = FAIL(e, "default.provenance is required (\"required\", \"optional\" or \"none\")");
    if (rc == 0 && !is_default && !ru->paths.set)
        rc = FAIL(e, "%s has no \"paths\"", ru->name);
    return rc;
}

int rprov_keys_parse(const jdoc *d, jd_ref r, const char *what, char ***names, rkey ***keys, size_t *nkeys, rerr *e)
{
    size_t n = jdoc_count(d, r);
    if (jdoc_type(d, r) != JD_OBJECT)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "%s: \"keys\" is not an object", what);
    if (n > RPROV_POLICY_MAX_KEYS)
        return rerr_set(e, RAMPART_EFORMAT, NULL, "%s: more than %d keys", what, RPROV_POLICY_MAX_KEYS);
    if (n == 0)
        return 0;
    if ((*keys = rampart_calloc(n, sizeof(rkey *))) == NULL || (*names = rampart_calloc(n, sizeof(char *))) == NULL)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    for (jd_ref k = jdoc_first(d, r); k != JD_NONE; k = jdoc_next_key(d, k)) {
        rslice name = jdoc_str(d, k);
        jd_ref v = jdoc_value(k), kv = jdoc_get(d, v, "keyval");
        jd_ref kt = jdoc_get(d, v, "keytype"), sc = jdoc_get(d, v, "scheme"), pub = jdoc_get(d, kv, "public");
        if (name.n == 0 || name.n > 128)
            return rerr_set(e, RAMPART_EFORMAT, NULL, "%s: key names must have 1 to 128 bytes", what);
        if (((*names)[*nkeys] = dup_slice(name)) == NULL)
            return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
        (*nkeys)++;
        const char *kn = (*names)[*nkeys - 1];
        if (jdoc_type(d, kt) != JD_STRING || jdoc_type(d, sc) != JD_STRING || jdoc_type(d, pub) != JD_STRING)
            return rerr_set(e, RAMPART_EFORMAT, NULL, "%s: key '%s' is not a TUF key (keytype, scheme, keyval.public)",
                            what, kn);
        rerr ke = {0};
        int rc = rkey_from_tuf(&(*keys)[*nkeys - 1], jdoc_str(d, kt), jdoc_str(d, sc), jdoc_str(d, pub), &ke);
        if (rc != 0)
            return rerr_set(e, rc, NULL, "%s: key '%s': %s", what, kn, ke.message);
    }
    return 0;
}

/* The rule `ru` with its unset members taken from the default. */
static void rule_effective(const rampart_prov_policy *p, const rprov_rule *ru, rprov_eff *out)
{
    const rprov_rule *def = &p->def;
    out->name = ru->name;
    out->provenance = ru->provenance >= 0 ? ru->provenance : def->provenance;
    const rprov_rule *kr = ru->keys_set ? ru : def;
    out->keys = kr->keys;
    out->nkeys = kr->nkeys;
    out->threshold = ru->threshold ? ru->threshold : def->threshold ? def->threshold : 1;
    out->builder_ids = ru->builder_ids.set ? &ru->builder_ids : &def->builder_ids;
    out->build_types = ru->build_types.set ? &ru->build_types : &def->build_types;
    out->source_uris = ru->source_uris.set ? &ru->source_uris : &def->source_uris;
    out->version_tag = (ru->version_tag >= 0 ? ru->version_tag : def->version_tag) == 1;
}

void rprov_policy_select(const rampart_prov_policy *p, const char *path, rprov_eff *out)
{
    for (size_t i = 0; path != NULL && i < p->nrules; i++)
        for (size_t j = 0; j < p->rules[i].paths.n; j++)
            if (tuf_glob_match(rslice_cstr(p->rules[i].paths.v[j]), rslice_cstr(path))) {
                rule_effective(p, &p->rules[i], out);
                return;
            }
    rule_effective(p, &p->def, out);
}

/* A rule that evaluates provenance must be satisfiable and name its builders. */
static int check_rule(const rampart_prov_policy *p, const rprov_rule *ru, rerr *e)
{
    rprov_eff f;
    rule_effective(p, ru, &f);
    if (f.provenance == RAMPART_PROV_NONE)
        return 0;
    if (f.nkeys == 0)
        return FAIL(e, "%s evaluates provenance but has no \"keys\"", f.name);
    if (!f.builder_ids->set)
        return FAIL(e, "%s evaluates provenance but has no \"builder_ids\"", f.name);
    size_t distinct = 0;
    for (size_t i = 0; i < f.nkeys; i++) {
        bool dup = false;
        for (size_t j = 0; j < i && !dup; j++)
            dup = rdigest_eq(rkey_fingerprint(p->keys[f.keys[i]]), rkey_fingerprint(p->keys[f.keys[j]]),
                             RKEY_FINGERPRINT_LEN);
        distinct += dup ? 0 : 1;
    }
    if (f.threshold > distinct)
        return FAIL(e, "%s.threshold %u is above its %zu distinct keys", f.name, f.threshold, distinct);
    return 0;
}

static int parse_policy(rampart_prov_policy *p, const jdoc *d, rerr *e)
{
    jd_ref root = jdoc_root(d);
    if (jdoc_type(d, root) != JD_OBJECT)
        return FAIL(e, "not a JSON object");
    jd_ref ver = JD_NONE, keys = JD_NONE, def = JD_NONE, rules = JD_NONE;
    for (jd_ref k = jdoc_first(d, root); k != JD_NONE; k = jdoc_next_key(d, k)) {
        rslice key = jdoc_str(d, k);
        jd_ref *slot = rslice_eq_cstr(key, "version")   ? &ver
                       : rslice_eq_cstr(key, "keys")    ? &keys
                       : rslice_eq_cstr(key, "default") ? &def
                       : rslice_eq_cstr(key, "rules")   ? &rules
                                                        : NULL;
        if (slot == NULL) {
            char safe[64];
            rampart_sanitize(safe, sizeof(safe), (const char *)key.p, key.n);
            return FAIL(e, "unknown member '%s'", safe);
        }
        *slot = jdoc_value(k);
    }
    if (ver != JD_NONE && (jdoc_type(d, ver) != JD_INT || jdoc_int(d, ver) != 1))
        return FAIL(e, "\"version\" must be 1");
    if (def == JD_NONE)
        return FAIL(e, "\"default\" is required");
    int rc = keys != JD_NONE ? rprov_keys_parse(d, keys, "policy", &p->key_names, &p->keys, &p->nkeys, e) : 0;
    if (rc == 0)
        rc = parse_rule(p, d, def, &p->def, 0, true, e);
    if (rc != 0)
        return rc;
    size_t n = jdoc_count(d, rules);
    if (rules != JD_NONE && jdoc_type(d, rules) != JD_ARRAY)
        return FAIL(e, "\"rules\" is not an array");
    if (n > RPROV_POLICY_MAX_RULES)
        return FAIL(e, "more than %d rules", RPROV_POLICY_MAX_RULES);
    if (n > 0 && (p->rules = rampart_calloc(n, sizeof(rprov_rule))) == NULL)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    for (jd_ref r = jdoc_first(d, rules); rc == 0 && r != JD_NONE; r = jdoc_next(d, r)) {
        p->nrules++;
        rc = parse_rule(p, d, r, &p->rules[p->nrules - 1], p->nrules - 1, false, e);
    }
    if (rc == 0)
        rc = check_rule(p, &p->def, e);
    for (size_t i = 0; rc == 0 && i < p->nrules; i++)
        rc = check_rule(p, &p->rules[i], e);
    return rc;
}

int rampart_prov_policy_parse(rampart_prov_policy **out, const void *json, size_t len, rampart_error *err)
{
    if (out == NULL || (json == NULL && len > 0))
        return rerr_set(err, RAMPART_EINVAL, NULL, "invalid argument");
    RAMPART_AUTO(jdoc_free) jdoc *doc = NULL;
    jd_limits lim = {.max_bytes = RPROV_POLICY_MAX};
    rerr pe = {0};
    int rc = jdoc_parse(&doc, json, len, false, &lim, &pe);
    if (rc == RAMPART_ENOMEM)
        return rerr_set(err, rc, NULL, "out of memory");
    if (rc != 0)
        return rerr_set(err, RAMPART_EFORMAT, NULL, "policy: %s", pe.message);
    rampart_prov_policy *p = rampart_calloc(1, sizeof(*p));
    if (p == NULL)
        return rerr_set(err, RAMPART_ENOMEM, NULL, "out of memory");
    rc = parse_policy(p, doc, err);
    if (rc != 0) {
        rampart_prov_policy_free(p);
        return rc;
    }
    *out = p;
    return 0;
}

int rampart_prov_policy_load(rampart_prov_policy **out, const char *path, rampart_error *err)
{
    if (out == NULL || path == NULL)
        return rerr_set(err, RAMPART_EINVAL, NULL, "invalid argument");
    rbuf b;
    rbuf_init(&b, RPROV_POLICY_MAX);
    rerr fe = {0};
    int rc = rfs_read_file(AT_FDCWD, path, &b, &fe);
    if (rc != 0) {
        rbuf_free(&b);
        return rerr_set(err, rc, NULL, "cannot read policy %s: %s", path, fe.message);
    }
    rc = rampart_prov_policy_parse(out, b.data, b.len, err);
    rbuf_free(&b);
    return rc;
}

int rampart_prov_policy_requirement(const rampart_prov_policy *p, const char *target_path)
{
    if (p == NULL || target_path == NULL)
        return RAMPART_PROV_NONE;
    rprov_eff f;
    rprov_policy_select(p, target_path, &f);
    return f.provenance;
}

const char *rampart_prov_policy_rule_name(const rampart_prov_policy *p, const char *target_path)
{
    if (p == NULL || target_path == NULL)
        return NULL;
    rprov_eff f;
    rprov_policy_select(p, target_path, &f);
    return f.name;
}

const char *rampart_prov_policy_dir_pattern(const rampart_prov_policy *p)
{
    for (size_t i = 0; p != NULL && i < p->nrules; i++)
        for (size_t j = 0; j < p->rules[i].paths.n; j++)
            if (strchr(p->rules[i].paths.v[j], '/') != NULL)
                return p->rules[i].paths.v[j];
    return NULL;
}
