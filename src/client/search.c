/*
 * search.c - target search, TUF specification §5.6.7: a pre-order
 * depth-first walk of the delegation graph from the top-level targets role.
 *
 *  - delegations are explored in the order listed (pushed in reverse);
 *  - a role already visited in this search is skipped (cycles, diamonds);
 *  - at most max_delegations roles are visited;
 *  - a matching terminating delegation drops every alternative still queued;
 *  - a child is queued only when its delegation covers the path, so a target
 *    is trusted only when every role on the chain allows its path;
 *  - each role is loaded and verified through the delegator on the current
 *    path, never reused from another delegator (rclient_load_targets keys its
 *    cache by (role, delegator)).
 */
#include <string.h>

#include "client/client_internal.h"
#include "tuf/match.h"
#include "util/codec.h"
#include "util/json.h"
#include "util/banned.h"

typedef struct pending {
    char *name;
    const tuf_md *delegator;
} pending;

typedef struct walk {
    pending *stack;
    size_t n, cap;
    char **visited;
    size_t nvisited;
} walk;

static void walk_free(walk *w)
{
    for (size_t i = 0; i < w->n; i++)
        rampart_free(w->stack[i].name);
    for (size_t i = 0; i < w->nvisited; i++)
        rampart_free(w->visited[i]);
    rampart_free(w->stack);
    rampart_free(w->visited);
}

static void clear_stack(walk *w)
{
    for (size_t i = 0; i < w->n; i++)
        rampart_free(w->stack[i].name);
    w->n = 0;
}

static int push(walk *w, rslice name, const tuf_md *delegator)
{
    if (w->n == w->cap) {
        size_t ncap = w->cap ? w->cap * 2 : 16, bytes;
        if (!rsize_mul(ncap, sizeof(pending), &bytes))
            return RAMPART_ENOMEM;
        pending *ns = rampart_realloc(w->stack, bytes);
        if (ns == NULL)
            return RAMPART_ENOMEM;
        w->stack = ns;
        w->cap = ncap;
    }
    char *copy = rampart_strndup((const char *)name.p, name.n);
    if (copy == NULL)
        return RAMPART_ENOMEM;
    w->stack[w->n++] = (pending){copy, delegator};
    return 0;
}

static bool visited(const walk *w, const char *name)
{
    for (size_t i = 0; i < w->nvisited; i++)
        if (strcmp(w->visited[i], name) == 0)
            return true;
    return false;
}

/* Queues the children of `md` that cover `path`, first listed on top. */
static int queue_children(walk *w, const tuf_md *md, rslice path, const tuf_path_hash *ph)
{
    if (!md->has_delegations)
        return 0;
    if (md->has_succinct) {
        /* TAP 15: exactly one bin covers the path, and bins are terminating. */
        rbuf bin;
        rbuf_init(&bin, 512);
        int rc = tuf_succinct_role_for(&md->succinct, ph, &bin);
        if (rc == 0) {
            clear_stack(w);
            rc = push(w, rbuf_slice(&bin), md);
        }
        rbuf_free(&bin);
        return rc;
    }
    size_t first = w->n;
    for (size_t i = 0; i < md->ndelegations; i++) {
        const tuf_delegation *dr = &md->delegations[i];
        if (!tuf_delegation_covers(md, dr, path, ph))
            continue;
        if (dr->terminating) {
            /* Keep the children of this role collected so far, drop everything
             * queued before this role was searched. */
            size_t mine = w->n - first;
            for (size_t k = 0; k < first; k++)
                rampart_free(w->stack[k].name);
            memmove(w->stack, w->stack + first, mine * sizeof(pending));
            w->n = mine;
            first = 0;
        }
        int rc = push(w, dr->auth.name, md);
        if (rc != 0)
            return rc;
        if (dr->terminating)
            break;
    }
    /* Reverse this role's children so the first listed is popped first. */
    for (size_t a = first, b = w->n; a + 1 < b; a++, b--) {
        pending tmp = w->stack[a];
        w->stack[a] = w->stack[b - 1];
        w->stack[b - 1] = tmp;
    }
    return 0;
}

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

int rclient_find_target(rampart_client *c, rstore *st, const char *path, rampart_target **out)
{
    rslice p = rslice_cstr(path);
    tuf_path_hash ph;
    int rc = tuf_path_hash_compute(p, &ph);
    if (rc != 0)
        return rerr_set(&c->err, rc, NULL, "cannot hash the target path");
    walk w = {0};
    rc = push(&w, rslice_cstr("targets"), NULL);
    while (rc == 0 && w.n > 0) {
        pending cur = w.stack[--w.n];
        if (visited(&w, cur.name)) {
            rampart_free(cur.name);
            continue;
        }
        if (w.nvisited >= c->max_delegations) {
            rampart_free(cur.name);
            rc = rerr_set(&c->err, RAMPART_ENOTFOUND, NULL,
                          "target '%s' not found within %u delegated roles (max_delegations)", path,
                          c->max_delegations);
            break;
        }
        const tuf_md *md;
        rc = rclient_load_targets(c, st, cur.name, cur.delegator, &md, NULL);
        if (rc != 0) {
            rampart_free(cur.name);
            break;
        }
        tuf_targetfile tf;
        if (tuf_md_target(md, p, &tf) == 0) {
            rc = make_target(md, &tf, cur.name, c->trusted->root->consistent_snapshot, out, &c->err);
            rampart_free(cur.name);
            walk_free(&w);
            return rc;
        }
        char **nv = rampart_realloc(w.visited, (w.nvisited + 1) * sizeof(char *));
        if (nv == NULL) {
            rampart_free(cur.name);
            rc = rerr_set(&c->err, RAMPART_ENOMEM, NULL, "out of memory");
            break;
        }
        w.visited = nv;
        w.visited[w.nvisited++] = cur.name;
        rc = queue_children(&w, md, p, &ph);
        if (rc != 0)
            rerr_set(&c->err, rc, NULL, "out of memory");
    }
    if (rc == 0)
        rc = rerr_set(&c->err, RAMPART_ENOTFOUND, NULL, "no trusted role lists target '%s'", path);
    walk_free(&w);
    return rc;
}
