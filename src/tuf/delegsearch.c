/*
 * delegsearch.c - the target search of TUF §5.6.7 as a sans-I/O iterator
 * (see delegsearch.h).
 *
 * The slots hold the roles in the order they were asked for; each points to
 * its delegator's slot, so the chain from the role being searched up to the
 * top-level role is the depth-first stack, and the slots are also the set
 * of roles visited.  A slot's `next` is how far its delegations have been
 * walked.  No role is ever queued: a child is considered when the walk of
 * its delegator reaches it, which gives the pre-order of §5.6.7 and bounds
 * the state by the number of roles visited.
 */
#include <string.h>

#include "tuf/delegsearch.h"
#include "util/banned.h"

enum {
    DS_NEED_TOP = 0, /* nothing asked for yet */
    DS_WAIT = 1,     /* a role was asked for and not yet given */
    DS_CHECK = 2,    /* the role just given is to be searched for the target */
    DS_DONE = 3,
};

size_t tuf_ds_name_len(const tuf_ds_name *n)
{
    return n->head.n + n->ntail;
}

/* Byte i of the whole name (i < tuf_ds_name_len). */
static uint8_t name_byte(const tuf_ds_name *n, size_t i)
{
    return i < n->head.n ? n->head.p[i] : (uint8_t)n->tail[i - n->head.n];
}

static bool name_eq(const tuf_ds_name *a, const tuf_ds_name *b)
{
    size_t len = tuf_ds_name_len(a);
    if (len != tuf_ds_name_len(b))
        return false;
    for (size_t i = 0; i < len; i++)
        if (name_byte(a, i) != name_byte(b, i))
            return false;
    return true;
}

bool tuf_ds_name_is(const tuf_ds_name *n, rslice s)
{
    tuf_ds_name flat = {.head = s, .ntail = 0};
    return name_eq(n, &flat);
}

int tuf_ds_name_append(const tuf_ds_name *n, rbuf *out)
{
    int rc = rbuf_append(out, n->head.p, n->head.n);
    if (rc == 0 && n->ntail > 0)
        rc = rbuf_append(out, n->tail, n->ntail);
    return rc;
}

int tuf_delegsearch_init(tuf_delegsearch *s, rslice path, tuf_ds_slot *slots, size_t nslots)
{
    if (s == NULL || slots == NULL || nslots == 0)
        return RAMPART_EINVAL;
    memset(s, 0, sizeof(*s));
    int rc = tuf_path_hash_compute(path, &s->ph);
    if (rc != 0)
        return rc;
    s->path = path;
    s->slot = slots;
    s->nslots = nslots;
    s->state = DS_NEED_TOP;
    return 0;
}

static void finish(tuf_delegsearch *s, tuf_ds_reason why, tuf_ds_result *out)
{
    s->state = DS_DONE;
    s->last = (tuf_ds_result){.step = TUF_DS_NOTFOUND, .reason = why, .visited = s->n};
    *out = s->last;
}

/* A delegation the walk reached: the role it names and how. */
typedef struct child {
    tuf_ds_name name;
    const tuf_delegation *dr;
    bool terminating;
} child;

/* The next delegation of slot[cur] that covers the path, in listed order;
 * false when there is none left. */
static bool next_child(tuf_delegsearch *s, child *c)
{
    tuf_ds_slot *r = &s->slot[s->cur];
    const tuf_md *md = r->md;
    if (!md->has_delegations)
        return false;
    if (md->has_succinct) {
        if (r->next > 0)
            return false;
        r->next = 1;
        /* TAP 15: the one bin the path's hash falls into speaks for it, and
         * a bin delegation is terminating. */
        c->name = (tuf_ds_name){.head = md->succinct.name_prefix};
        c->name.ntail = tuf_succinct_suffix_for(&md->succinct, &s->ph, c->name.tail);
        c->dr = NULL;
        c->terminating = true;
        return true;
    }
    while (r->next < md->ndelegations) {
        const tuf_delegation *dr = &md->delegations[r->next++];
        /* TUF 5.6.7.2: the delegations are searched in order of appearance;
         * TUF 4.5 ("paths", "path_hash_prefixes"): only those whose role is
         * trusted for this path. */
        if (!tuf_delegation_covers(md, dr, s->path, &s->ph))
            continue;
        *c = (child){.name = {.head = dr->auth.name}, .dr = dr, .terminating = dr->terminating};
        return true;
    }
    return false;
}

static bool visited(const tuf_delegsearch *s, const tuf_ds_name *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (name_eq(&s->slot[i].name, name))
            return true;
    return false;
}

/* Takes the next slot for a role and reports it as NEED. */
static void ask(tuf_delegsearch *s, const child *c, size_t parent, tuf_ds_result *out)
{
    bool top = parent == SIZE_MAX;
    tuf_ds_slot *r = &s->slot[s->n];
    *r = (tuf_ds_slot){
        .name = c->name,
        .delegator = top ? NULL : s->slot[parent].md,
        .dr = c->dr,
        .parent = parent,
        .depth = top ? 0 : s->slot[parent].depth + 1,
        .terminating = c->terminating,
    };
    s->n++;
    s->state = DS_WAIT;
    *out = (tuf_ds_result){
        .step = TUF_DS_NEED,
        .name = &r->name,
        .delegator = r->delegator,
        .dr = r->dr,
        .depth = r->depth,
        .visited = s->n,
    };
}

/* TUF 5.6.7.1: the role just given: does it list the target? */
static bool check_role(tuf_delegsearch *s, tuf_ds_result *out)
{
    const tuf_ds_slot *r = &s->slot[s->cur];
    tuf_targetfile tf;
    if (tuf_md_target(r->md, s->path, &tf) != 0)
        return false;
    s->state = DS_DONE;
    s->last = (tuf_ds_result){
        .step = TUF_DS_FOUND,
        .name = &r->name,
        .delegator = r->delegator,
        .dr = r->dr,
        .depth = r->depth,
        .md = r->md,
        .target = tf,
        .visited = s->n,
    };
    *out = s->last;
    return true;
}

/* Walks on from slot[cur] to the next role to ask for, or to the end. */
static void walk(tuf_delegsearch *s, tuf_ds_result *out)
{
    for (;;) {
        child c;
        if (!next_child(s, &c)) {
            const tuf_ds_slot *r = &s->slot[s->cur];
            /* TUF 5.6.7.2.1: a terminating delegation's role has been
             * searched without result: the search ends here. */
            if (r->terminating) {
                finish(s, TUF_DS_TERMINATED, out);
                return;
            }
            /* TUF 5.6.7.2.2: a non-terminating one: back to its delegator's
             * next delegation, if any. */
            if (r->parent == SIZE_MAX) {
                finish(s, TUF_DS_UNLISTED, out);
                return;
            }
            s->cur = r->parent;
            continue;
        }
        /* TUF 5.6.7.1: a role visited before is skipped, so that cycles in
         * the delegation graph end; skipping a terminating delegation's role
         * still ends the search (TUF 5.6.7.2.1). */
        if (visited(s, &c.name)) {
            if (c.terminating) {
                finish(s, TUF_DS_TERMINATED, out);
                return;
            }
            continue;
        }
        /* TUF 5.6.7.1: at the maximum number of roles visited, stop, so
         * that attackers cannot make the client waste bandwidth or time. */
        if (s->n == s->nslots) {
            finish(s, TUF_DS_LIMIT, out);
            return;
        }
        ask(s, &c, s->cur, out);
        return;
    }
}

int tuf_delegsearch_next(tuf_delegsearch *s, tuf_ds_result *out)
{
    if (s == NULL || out == NULL || s->slot == NULL || s->state == DS_WAIT)
        return RAMPART_EINVAL;
    switch (s->state) {
    case DS_NEED_TOP: {
        /* TUF 5.6.7: the search begins with the top-level targets role. */
        child top = {.name = {.head = RSLICE("targets", 7)}};
        ask(s, &top, SIZE_MAX, out);
        return 0;
    }
    case DS_CHECK:
        if (!check_role(s, out))
            walk(s, out); /* ends in DS_WAIT or DS_DONE */
        return 0;
    default:
        *out = s->last;
        return 0;
    }
}

int tuf_delegsearch_give(tuf_delegsearch *s, const tuf_md *md)
{
    if (s == NULL || md == NULL || s->state != DS_WAIT || md->type != TUF_TARGETS)
        return RAMPART_EINVAL;
    s->cur = s->n - 1;
    s->slot[s->cur].md = md;
    s->slot[s->cur].next = 0;
    s->state = DS_CHECK;
    return 0;
}
