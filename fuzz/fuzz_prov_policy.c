/*
 * fuzz_prov_policy.c - provenance policies (src/prov/policy.c):
 * rampart_prov_policy_parse, the choice of a rule for a path
 * (rprov_policy_select) and the public accessors.
 *
 * The input is one policy file.  Invariants:
 *  - parsing returns 0, EFORMAT or EUNSUPPORTED (the documented codes;
 *    ENOMEM aside), with the code and a message in `err` and *out untouched
 *    on failure;
 *  - a parsed policy holds what its JSON says, within its bounds: every
 *    top-level member is one of version, keys, default, rules, and every
 *    rule member one of the rule words (unknown members are refused: a
 *    misspelt rule must not weaken a policy); at most RPROV_POLICY_MAX_KEYS
 *    keys, each verifiable, named 1 to 128 bytes, distinct; at most
 *    RPROV_POLICY_MAX_RULES rules, each with paths; lists non-empty, at
 *    most RPROV_POLICY_MAX_LIST non-empty strings; a default provenance;
 *    rule names "default", the rule's "name" or "rules[N]"; thresholds 0
 *    (inherited) to RPROV_POLICY_MAX_KEYS;
 *  - for fixed paths and paths made from the rules' own patterns, the
 *    effective rule is the first matching rule (else the default) with the
 *    default's members where unset, and a rule that evaluates provenance is
 *    satisfiable: keys, builder ids, and a threshold from 1 to its number
 *    of distinct keys (fuzz_check_select); requirement and rule name agree;
 *    NULL arguments give RAMPART_PROV_NONE and NULL.
 */
#include "fuzz_prov.h"
#include "util/banned.h"

static bool one_of(rslice key, const char *const *words, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (rslice_eq_cstr(key, words[i]))
            return true;
    return false;
}

static void check_list(const rprov_list *l)
{
    FUZZ_CHECK(l->set ? l->n >= 1 && l->n <= RPROV_POLICY_MAX_LIST : l->n == 0);
    for (size_t i = 0; i < l->n; i++)
        FUZZ_CHECK(l->v[i] != NULL && l->v[i][0] != '\0' && strlen(l->v[i]) <= RPROV_MAX_STRING);
}

static void check_rule(const rampart_prov_policy *p, const rprov_rule *r, bool is_default)
{
    FUZZ_CHECK(r->name != NULL && strlen(r->name) >= 1 && strlen(r->name) <= 128);
    FUZZ_CHECK(r->provenance >= (is_default ? RAMPART_PROV_NONE : -1) && r->provenance <= RAMPART_PROV_REQUIRED);
    FUZZ_CHECK(r->threshold <= RPROV_POLICY_MAX_KEYS && r->version_tag >= -1 && r->version_tag <= 1);
    FUZZ_CHECK(r->keys_set ? r->nkeys >= 1 && r->nkeys <= RPROV_POLICY_MAX_LIST : r->nkeys == 0);
    for (size_t i = 0; i < r->nkeys; i++)
        FUZZ_CHECK(r->keys[i] < p->nkeys);
    FUZZ_CHECK(is_default ? !r->paths.set : r->paths.set);
    check_list(&r->paths);
    check_list(&r->builder_ids);
    check_list(&r->build_types);
    check_list(&r->source_uris);
}

/* The policy against its JSON. */
static void check_shape(const rampart_prov_policy *p, const uint8_t *data, size_t size)
{
    static const char *const top[] = {"version", "keys", "default", "rules"};
    static const char *const words[] = {"provenance",  "keys",        "threshold", "builder_ids", "build_types",
                                        "source_uris", "version_tag", "paths",     "name"};
    jdoc *d = NULL;
    FUZZ_CHECK(jdoc_parse(&d, data, size, false, NULL, NULL) == 0);
    jd_ref root = jdoc_root(d), keys = jdoc_get(d, root, "keys"), rules = jdoc_get(d, root, "rules");
    for (jd_ref k = jdoc_first(d, root); k != JD_NONE; k = jdoc_next_key(d, k))
        FUZZ_CHECK(one_of(jdoc_str(d, k), top, RAMPART_ARRAY_LEN(top)));
    /* The default takes every rule word but "paths" and "name". */
    jd_ref def = jdoc_get(d, root, "default");
    for (jd_ref k = jdoc_first(d, def); k != JD_NONE; k = jdoc_next_key(d, k))
        FUZZ_CHECK(one_of(jdoc_str(d, k), words, RAMPART_ARRAY_LEN(words) - 2));
    size_t i = 0;
    for (jd_ref r = jdoc_first(d, rules); r != JD_NONE; r = jdoc_next(d, r), i++) {
        for (jd_ref k = jdoc_first(d, r); k != JD_NONE; k = jdoc_next_key(d, k))
            FUZZ_CHECK(one_of(jdoc_str(d, k), words, RAMPART_ARRAY_LEN(words)));
        char label[32];
        snprintf(label, sizeof(label), "rules[%zu]", i);
        rslice name = jdoc_str(d, jdoc_get(d, r, "name"));
        FUZZ_CHECK(name.n > 0 ? rslice_eq_cstr(name, p->rules[i].name) : strcmp(p->rules[i].name, label) == 0);
    }
    FUZZ_CHECK(i == p->nrules && p->nrules <= RPROV_POLICY_MAX_RULES);
    FUZZ_CHECK(p->nkeys == jdoc_count(d, keys) && p->nkeys <= RPROV_POLICY_MAX_KEYS);
    i = 0;
    for (jd_ref k = jdoc_first(d, keys); k != JD_NONE; k = jdoc_next_key(d, k), i++) {
        rslice name = jdoc_str(d, k);
        FUZZ_CHECK(p->keys[i] != NULL && name.n >= 1 && name.n <= 128 && rslice_eq_cstr(name, p->key_names[i]));
        for (size_t j = 0; j < i; j++)
            FUZZ_CHECK(strcmp(p->key_names[i], p->key_names[j]) != 0);
    }
    jdoc_free(d);
    FUZZ_CHECK(strcmp(p->def.name, "default") == 0);
    check_rule(p, &p->def, true);
    for (i = 0; i < p->nrules; i++)
        check_rule(p, &p->rules[i], false);
}

/* A path the pattern matches, when it has no bracket expressions: each
 * '*' and '?' replaced by "x". */
static void path_from_pattern(const char *pat, char *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; pat[i] != '\0' && n + 1 < cap; i++)
        out[n++] = pat[i] == '*' || pat[i] == '?' ? 'x' : pat[i];
    out[n] = '\0';
}

static void check_paths(const rampart_prov_policy *p)
{
    static const char *const fixed[] = {"app/app-1.2.0.tar.gz",
                                        "app/app-1.2.0.tar.gz.intoto.jsonl",
                                        "docs/README.md",
                                        "README.md",
                                        "firmware/fw-3.1.bin",
                                        "plugins/spell-0.9.zip",
                                        "a",
                                        ""};
    rprov_eff f;
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(fixed); i++)
        fuzz_check_select(p, fixed[i], &f);
    char buf[RPROV_MAX_STRING + 1];
    for (size_t i = 0; i < p->nrules && i < 16; i++)
        for (size_t j = 0; j < p->rules[i].paths.n && j < 2; j++) {
            fuzz_check_select(p, p->rules[i].paths.v[j], &f);
            path_from_pattern(p->rules[i].paths.v[j], buf, sizeof(buf));
            fuzz_check_select(p, buf, &f);
        }
    FUZZ_CHECK(rampart_prov_policy_requirement(p, NULL) == RAMPART_PROV_NONE);
    FUZZ_CHECK(rampart_prov_policy_requirement(NULL, "a") == RAMPART_PROV_NONE);
    FUZZ_CHECK(rampart_prov_policy_rule_name(p, NULL) == NULL && rampart_prov_policy_rule_name(NULL, "a") == NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rampart_prov_policy *p = NULL;
    rampart_error err = {0};
    int rc = rampart_prov_policy_parse(&p, data, size, &err);
    FUZZ_CHECK(rc == 0 || rc == RAMPART_EFORMAT || rc == RAMPART_EUNSUPPORTED);
    if (rc != 0) {
        FUZZ_CHECK(p == NULL && err.code == rc && err.message[0] != '\0');
        return 0;
    }
    check_shape(p, data, size);
    check_paths(p);
    rampart_prov_policy_free(p);
    return 0;
}
