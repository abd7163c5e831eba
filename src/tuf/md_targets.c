/* md_targets.c - targets metadata with delegations (TUF §4.5, TAP 15;
 * docs/security-matrix.md P9). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tuf/md_internal.h"
#include "util/banned.h"

#define CLIP(s) (int)((s).n > 64 ? 64 : (s).n), (const char *)(s).p

/* P9: every target has an integer length >= 0 and non-empty hashes;
 * "custom", when present, is an object. */
static int check_target(const mdp *p, rslice path, jd_ref t)
{
    if (jdoc_type(p->d, t) != JD_OBJECT)
        return mdp_fail(p, "target \"%.*s\" must be an object", CLIP(path));
    int64_t length;
    jd_ref hashes, custom;
    int rc = mdp_req_int(p, t, "length", 0, INT64_MAX, "target", &length);
    if (rc == 0)
        rc = mdp_req(p, t, "hashes", JD_OBJECT, "target", &hashes);
    if (rc == 0)
        rc = mdp_hashes(p, hashes, path, true);
    if (rc == 0)
        rc = mdp_opt(p, t, "custom", JD_OBJECT, "target", &custom);
    return rc;
}

static int check_string_array(const mdp *p, jd_ref arr, rslice role, const char *field)
{
    for (jd_ref s = jdoc_first(p->d, arr); s != JD_NONE; s = jdoc_next(p->d, s)) {
        if (jdoc_type(p->d, s) != JD_STRING)
            return mdp_fail(p, "delegated role \"%.*s\": %s must hold strings only", CLIP(role), field);
        if (jdoc_str_has_nul(p->d, s))
            return mdp_fail(p, "delegated role \"%.*s\": a string in %s" MDP_NUL, CLIP(role), field);
    }
    return 0;
}

/* `a` equals the NUL-terminated `b`, ignoring ASCII case. */
static bool eq_ascii_nocase(const uint8_t *a, size_t n, const char *b)
{
    size_t i = 0;
    for (; i < n && b[i] != '\0'; i++) {
        uint8_t x = a[i], y = (uint8_t)b[i];
        if (x >= 'A' && x <= 'Z')
            x = (uint8_t)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (uint8_t)(y - 'A' + 'a');
        if (x != y)
            return false;
    }
    return i == n && b[i] == '\0';
}

/* TUF 4.5 ROLENAME: a delegated role's name becomes the name of its
 * metadata file, NAME.json on the repository (VERSION.NAME.json under
 * consistent snapshots) and in the client's metadata folder.  A name that
 * would take the file of a top-level role is refused, so the repository
 * cannot break every refresh and the client cannot overwrite root.json:
 *   - a top-level role's name, in any ASCII case ("root", "ROOT",
 *     "Timestamp"): NAME.json is that role's file, also on a
 *     case-insensitive file system (python-tuf refuses the exact names);
 *   - VERSION.ROLE, a number, a dot and a top-level role's name in any case
 *     ("2.root"): without consistent snapshots the role's metadata would be
 *     fetched from 2.root.json, the file of root version 2, which every
 *     refresh asks for (and, under consistent snapshots, of snapshot and
 *     targets versions).
 * Rampart's repository tooling refuses the same names (tuf_role_name_check). */
int tuf_role_name_check(rslice nm, char *why, size_t n)
{
    if (nm.n == 0) {
        (void)snprintf(why, n, "a delegated role has an empty name");
        return RAMPART_EFORMAT;
    }
    size_t digits = 0;
    while (digits < nm.n && nm.p[digits] >= '0' && nm.p[digits] <= '9')
        digits++;
    for (int t = 0; t < 4; t++) {
        const char *top = tuf_type_name((tuf_type)t);
        if (rslice_eq_cstr(nm, top)) {
            (void)snprintf(why, n, "a delegated role may not be named \"%s\"", top);
            return RAMPART_EFORMAT;
        }
        if (eq_ascii_nocase(nm.p, nm.n, top)) {
            (void)snprintf(why, n,
                           "a delegated role may not be named \"%.*s\": on a case-insensitive file system its "
                           "metadata would replace %s.json",
                           (int)nm.n, (const char *)nm.p, top);
            return RAMPART_EFORMAT;
        }
        if (digits > 0 && digits + 1 < nm.n && nm.p[digits] == '.' &&
            eq_ascii_nocase(nm.p + digits + 1, nm.n - digits - 1, top)) {
            (void)snprintf(why, n,
                           "a delegated role may not be named \"%.*s\": its metadata file %.*s.json would be that "
                           "of %s version %.*s",
                           (int)(nm.n > 64 ? 64 : nm.n), (const char *)nm.p, (int)(nm.n > 64 ? 64 : nm.n),
                           (const char *)nm.p, top, (int)(digits > 20 ? 20 : digits), (const char *)nm.p);
            return RAMPART_EFORMAT;
        }
    }
    return 0;
}

static int parse_delegated_role(const mdp *p, jd_ref r, tuf_delegation *dr)
{
    jd_ref name;
    int rc;
    if (jdoc_type(p->d, r) != JD_OBJECT)
        return mdp_fail(p, "delegations.roles entries must be objects");
    if ((rc = mdp_req(p, r, "name", JD_STRING, "delegated role", &name)) != 0)
        return rc;
    rslice nm = jdoc_str(p->d, name);
    /* TUF 4.5 ROLENAME: no name that takes a top-level role's file. */
    char why[256];
    if (tuf_role_name_check(nm, why, sizeof(why)) != 0)
        return mdp_fail(p, "%s", why);
    if ((rc = mdp_req_bool(p, r, "terminating", "delegated role", &dr->terminating)) != 0 ||
        (rc = mdp_opt(p, r, "paths", JD_ARRAY, "delegated role", &dr->paths)) != 0 ||
        (rc = mdp_opt(p, r, "path_hash_prefixes", JD_ARRAY, "delegated role", &dr->path_hash_prefixes)) != 0)
        return rc;
    /* P9: at most one of paths / path_hash_prefixes. */
    if (dr->paths != JD_NONE && dr->path_hash_prefixes != JD_NONE)
        return mdp_fail(p, "delegated role \"%.*s\" sets both paths and path_hash_prefixes", CLIP(nm));
    if (dr->paths != JD_NONE && (rc = check_string_array(p, dr->paths, nm, "paths")) != 0)
        return rc;
    if (dr->path_hash_prefixes != JD_NONE &&
        (rc = check_string_array(p, dr->path_hash_prefixes, nm, "path_hash_prefixes")) != 0)
        return rc;
    return mdp_role_auth(p, r, nm, "delegated role", &dr->auth);
}

static int parse_succinct(const mdp *p, jd_ref s)
{
    tuf_md *md = p->md;
    jd_ref prefix;
    int64_t bits;
    int rc = mdp_req_int(p, s, "bit_length", 1, 32, "succinct_roles", &bits);
    if (rc == 0)
        rc = mdp_req(p, s, "name_prefix", JD_STRING, "succinct_roles", &prefix);
    if (rc != 0)
        return rc;
    md->succinct.bit_length = (unsigned)bits;
    md->succinct.name_prefix = jdoc_str(p->d, prefix);
    rc = mdp_role_auth(p, s, RSLICE("", 0), "succinct_roles", &md->succinct.auth);
    if (rc == 0)
        md->has_succinct = true;
    return rc;
}

static int cmp_slice(const void *a, const void *b)
{
    const rslice *x = *(const rslice *const *)a, *y = *(const rslice *const *)b;
    size_t n = x->n < y->n ? x->n : y->n;
    int c = n ? memcmp(x->p, y->p, n) : 0;
    return c != 0 ? c : (x->n > y->n) - (x->n < y->n);
}

/* Sorting keeps this O(n log n) for catalogues with many delegated roles. */
static int check_unique_names(const mdp *p, const tuf_delegation *dr, size_t n)
{
    if (n < 2)
        return 0;
    /* An array of pointers to the names, sorted in place. */
    const rslice **names = rampart_calloc(n, sizeof(*names)); // NOLINT(bugprone-sizeof-expression)
    if (names == NULL)
        return rerr_set(p->e, RAMPART_ENOMEM, p->role, "out of memory");
    for (size_t i = 0; i < n; i++)
        names[i] = &dr[i].auth.name;
    qsort(names, n, sizeof(*names), cmp_slice); // NOLINT(bugprone-sizeof-expression): pointers are sorted
    int rc = 0;
    for (size_t i = 1; i < n && rc == 0; i++)
        if (rslice_eq(*names[i - 1], *names[i]))
            rc = mdp_fail(p, "delegated role \"%.*s\" is listed more than once", CLIP(*names[i]));
    rampart_free(names);
    return rc;
}

static int parse_delegations(const mdp *p, jd_ref del)
{
    tuf_md *md = p->md;
    jd_ref keys, roles, succinct;
    int rc = mdp_req(p, del, "keys", JD_OBJECT, "delegations", &keys);
    if (rc == 0)
        rc = mdp_opt(p, del, "roles", JD_ARRAY, "delegations", &roles);
    if (rc == 0)
        rc = mdp_opt(p, del, "succinct_roles", JD_OBJECT, "delegations", &succinct);
    if (rc != 0)
        return rc;
    /* TAP 15: exactly one of roles / succinct_roles. */
    if ((roles == JD_NONE) == (succinct == JD_NONE))
        return mdp_fail(p, "delegations must set exactly one of roles and succinct_roles");
    if ((rc = mdp_keyset(p, keys, "delegations.keys", &md->keys)) != 0)
        return rc;
    md->has_delegations = true;
    if (succinct != JD_NONE)
        return parse_succinct(p, succinct);

    size_t n = jdoc_count(p->d, roles);
    if (n > TUF_MAX_DELEGATED_ROLES)
        return mdp_fail(p, "%zu delegated roles is more than the limit of %d", n, TUF_MAX_DELEGATED_ROLES);
    md->delegations = rampart_calloc(n ? n : 1, sizeof(*md->delegations));
    if (md->delegations == NULL)
        return rerr_set(p->e, RAMPART_ENOMEM, p->role, "out of memory");
    for (jd_ref r = jdoc_first(p->d, roles); r != JD_NONE; r = jdoc_next(p->d, r)) {
        tuf_delegation *dr = &md->delegations[md->ndelegations];
        dr->paths = dr->path_hash_prefixes = JD_NONE;
        rc = parse_delegated_role(p, r, dr);
        md->ndelegations++; /* counted even on failure, so tuf_md_free releases it */
        if (rc != 0)
            return rc;
    }
    /* P9: delegated role names are unique (a name is a file on the repository). */
    return check_unique_names(p, md->delegations, md->ndelegations);
}

int md_parse_targets(const mdp *p)
{
    tuf_md *md = p->md;
    jd_ref targets, del;
    int rc = mdp_req(p, md->signed_ref, "targets", JD_OBJECT, "signed", &targets);
    if (rc == 0)
        rc = mdp_opt(p, md->signed_ref, "delegations", JD_OBJECT, "signed", &del);
    if (rc != 0)
        return rc;
    for (jd_ref k = jdoc_first(p->d, targets); k != JD_NONE; k = jdoc_next_key(p->d, k)) {
        /* A target path becomes a file name (§5.7): "custom" may hold a NUL, the path may not. */
        if (jdoc_str_has_nul(p->d, k))
            return mdp_fail(p, "a target path" MDP_NUL);
        rc = check_target(p, jdoc_str(p->d, k), jdoc_value(k));
        if (rc != 0)
            return rc;
    }
    md->targets = targets;
    if (del != JD_NONE)
        return parse_delegations(p, del);
    return 0;
}

int tuf_md_target(const tuf_md *md, rslice path, tuf_targetfile *out)
{
    if (md->targets == JD_NONE)
        return RAMPART_ENOTFOUND;
    jd_ref k = JD_NONE;
    for (jd_ref it = jdoc_first(md->doc, md->targets); it != JD_NONE; it = jdoc_next_key(md->doc, it)) {
        if (rslice_eq(jdoc_str(md->doc, it), path)) {
            k = it;
            break;
        }
    }
    if (k == JD_NONE)
        return RAMPART_ENOTFOUND;
    jd_ref t = jdoc_value(k);
    out->path = jdoc_str(md->doc, k);
    out->length = jdoc_int(md->doc, jdoc_get(md->doc, t, "length"));
    out->hashes = jdoc_get(md->doc, t, "hashes");
    out->custom = jdoc_get(md->doc, t, "custom");
    out->entry = t;
    return 0;
}
