/* md_root.c - root metadata (TUF §4.3; docs/security-matrix.md P8). */
#include <string.h>

#include "tuf/md_internal.h"
#include "util/banned.h"

int md_parse_root(const mdp *p)
{
    tuf_md *md = p->md;
    jd_ref sgn = md->signed_ref, keys, roles;
    int rc = mdp_req(p, sgn, "keys", JD_OBJECT, "signed", &keys);
    if (rc == 0)
        rc = mdp_req(p, sgn, "roles", JD_OBJECT, "signed", &roles);
    /* consistent_snapshot is optional (absent means false), but must be a boolean. */
    if (rc == 0 && jdoc_get(p->d, sgn, "consistent_snapshot") != JD_NONE)
        rc = mdp_req_bool(p, sgn, "consistent_snapshot", "signed", &md->consistent_snapshot);
    if (rc != 0)
        return rc;
    rc = mdp_keyset(p, keys, "keys", &md->keys);
    if (rc != 0)
        return rc;
    /* P8 / S14: all four top-level roles must be present.  Other roles
     * (e.g. "mirrors") are validated the same way and otherwise ignored. */
    for (int t = 0; t < 4; t++) {
        const char *name = tuf_type_name((tuf_type)t);
        jd_ref r;
        rc = mdp_req(p, roles, name, JD_OBJECT, "roles", &r);
        if (rc != 0)
            return rc;
        rc = mdp_role_auth(p, r, rslice_cstr(name), name, &md->roles[t]);
        if (rc != 0)
            return rc;
    }
    for (jd_ref k = jdoc_first(p->d, roles); k != JD_NONE; k = jdoc_next_key(p->d, k)) {
        jd_ref v = jdoc_value(k);
        if (jdoc_str_has_nul(p->d, k))
            return mdp_fail(p, "a role name in roles" MDP_NUL);
        if (jdoc_type(p->d, v) != JD_OBJECT)
            return mdp_fail(p, "roles.%.*s must be an object",
                            (int)(jdoc_str(p->d, k).n > 64 ? 64 : jdoc_str(p->d, k).n),
                            (const char *)jdoc_str(p->d, k).p);
        tuf_role_auth tmp = {0};
        rc = mdp_role_auth(p, v, jdoc_str(p->d, k), "role", &tmp);
        tuf_role_auth_clear(&tmp);
        if (rc != 0)
            return rc;
    }
    return 0;
}
