/*
 * search.c - finding a target (TUF specification §5.6.7): the loop that
 * loads the roles the search in tuf/delegsearch.c asks for and hands them
 * back.  The rules of the search (order, visited roles, max_delegations,
 * terminating delegations, paths every role on the chain must allow) are
 * the iterator's; this file only does the I/O:
 *
 *  - each role is loaded and verified through the delegator the iterator
 *    names, never reused from another delegator (rclient_load_targets keys
 *    its cache by (role, delegator));
 *  - a role that cannot be loaded or verified ends the search with that
 *    failure (§5.6.7: the target cannot be found), reported as it is.
 */
#include <string.h>

#include "client/client_internal.h"
#include "tuf/delegsearch.h"
#include "util/codec.h"
#include "util/json.h"
#include "util/banned.h"

/* Copies a verified target entry into an independent rampart_target. */
static int make_target(const tuf_md *md, const tuf_targetfile *tf, const char *role, bool consistent,
                       rampart_target **out, rerr *e)
{
    tuf_hashlist hl;
    int rc = tuf_hashlist_parse(md, tf->hashes, &hl, role, e);
    if (rc != 0)
        return rc;
    rampart_target *t = rampart_calloc(1, sizeof(*t));
    if (t == NULL)
        return rerr_set(e, RAMPART_ENOMEM, role, "out of memory");
    t->path = rampart_strndup((const char *)tf->path.p, tf->path.n);
    t->role = rampart_strndup(role, strlen(role));
    t->length = (uint64_t)tf->length;
    t->consistent = consistent;
    rc = (t->path && t->role) ? 0 : RAMPART_ENOMEM;
    for (size_t i = 0; rc == 0 && i < hl.n; i++) {
        const char *alg = rhash_alg_name(hl.h[i].alg);
        size_t dl = rhash_len(hl.h[i].alg);
        t->alg[i] = rampart_strndup(alg, strlen(alg));
        t->hex[i] = rampart_malloc(dl * 2 + 1);
        t->nhashes = i + 1;
        if (t->alg[i] == NULL || t->hex[i] == NULL)
            rc = RAMPART_ENOMEM;
        else
            rhex_encode(t->hex[i], hl.h[i].digest, dl);
    }
    if (rc == 0 && tf->custom != JD_NONE) {
        rbuf cj;
        rbuf_init(&cj, SIZE_MAX);
        rc = jdoc_json(md->doc, tf->custom, &cj);
        if (rc == 0 && (t->custom = (char *)rbuf_detach(&cj, NULL)) == NULL)
            rc = RAMPART_ENOMEM;
        rbuf_free(&cj);
    }
    if (rc != 0) {
        rampart_target_free(t);
        return rerr_set(e, rc, role, "out of memory");
    }
    *out = t;
    return 0;
}

/* Slots for the search: one per role it may visit.  No search visits more
 * roles than the trusted snapshot lists (§5.6.1: a role it does not list is
 * never loaded, and the search ends there), so max_delegations beyond that
 * count needs no memory. */
static size_t search_slots(const rampart_client *c)
{
    const tuf_md *snap = c->trusted->snapshot;
    size_t listed = snap != NULL ? jdoc_count(snap->doc, snap->meta) : 0;
    size_t want = (size_t)c->max_delegations;
    return listed < want ? listed + 1 : want;
}

/* Puts the name of the role a step names into `name`. */
static int role_name(rampart_client *c, const tuf_ds_result *r, rbuf *name)
{
    rbuf_reset(name);
    if (tuf_ds_name_append(r->name, name) != 0)
        return rerr_set(&c->err, RAMPART_ENOMEM, NULL, "out of memory");
    return 0;
}

/* Hands the search the role it asked for (`md`, NULL at the start) and
 * takes its next step.  The iterator fails only when used out of order. */
static int search_step(rampart_client *c, tuf_delegsearch *s, const tuf_md *md, tuf_ds_result *r)
{
    int rc = md != NULL ? tuf_delegsearch_give(s, md) : 0;
    if (rc == 0)
        rc = tuf_delegsearch_next(s, r);
    if (rc != 0)
        return rerr_set(&c->err, rc, NULL, "target search used out of order");
    return 0;
}

int rclient_find_target(rampart_client *c, rstore *st, const char *path, rampart_target **out)
{
    size_t nslots = search_slots(c);
    tuf_ds_slot *slots = rampart_calloc(nslots, sizeof(*slots));
    if (slots == NULL)
        return rerr_set(&c->err, RAMPART_ENOMEM, NULL, "out of memory");
    tuf_delegsearch s;
    int rc = tuf_delegsearch_init(&s, rslice_cstr(path), slots, nslots);
    if (rc != 0) {
        rampart_free(slots);
        return rerr_set(&c->err, rc, NULL, "cannot hash the target path");
    }
    rbuf name;
    rbuf_init(&name, SIZE_MAX);
    tuf_ds_result r;
    const tuf_md *md = NULL;
    /* Load every role the search asks for, through the delegator it names. */
    while ((rc = search_step(c, &s, md, &r)) == 0 && r.step == TUF_DS_NEED) {
        rc = role_name(c, &r, &name);
        if (rc != 0)
            break;
        rclient_log(c, RAMPART_LOG_INFO, "target '%s': delegation search asks role '%s'", path,
                    (const char *)name.data);
        rc = rclient_load_targets(c, st, (const char *)name.data, r.delegator, &md, NULL);
        if (rc != 0)
            break;
    }
    if (rc == 0 && r.step == TUF_DS_FOUND) {
        rc = role_name(c, &r, &name);
        if (rc == 0) {
            rclient_log(c, RAMPART_LOG_INFO, "target '%s': found in role '%s'", path, (const char *)name.data);
            rc = make_target(r.md, &r.target, (const char *)name.data, c->trusted->root->consistent_snapshot, out,
                             &c->err);
            /* docs/transparency.md: with a witness policy, no target is
             * handed out before its log entry verified. */
            if (rc == 0 && (rc = rclient_tlog_check(c, st, *out)) != 0) {
                rampart_target_free(*out);
                *out = NULL;
            }
        }
    } else if (rc == 0 && r.reason == TUF_DS_LIMIT) {
        rc = rerr_set(&c->err, RAMPART_ENOTFOUND, NULL,
                      "target '%s' not found within %u delegated roles (max_delegations)", path, c->max_delegations);
    } else if (rc == 0) {
        /* No role lists it, or a terminating delegation's role did not. */
        rc = rerr_set(&c->err, RAMPART_ENOTFOUND, NULL, "no trusted role lists target '%s'", path);
    }
    rbuf_free(&name);
    rampart_free(slots);
    return rc;
}
