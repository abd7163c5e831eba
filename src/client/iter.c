/*
 * iter.c - listing the trusted targets (rampart_target_iter).
 *
 * Two passes, so that the listing never disagrees with the search:
 *  1. every role reachable from "targets" through delegations is loaded and
 *     verified like the search loads it (through its delegator; at most
 *     max_delegations roles), and the paths they list under the prefix are
 *     collected as candidates;
 *  2. each candidate path, once, goes through the §5.6.7 search itself
 *     (rclient_find_target): a path a role lists outside the paths its
 *     delegation allows, or behind a terminating delegation that does not
 *     list it, or shadowed by an earlier role, comes out as the search says.
 * TAP 15 succinct hash-bin delegations are not walked in pass 1 (2^bit_length
 * bins, up to 4 billion roles, would each be fetched); the listing says so
 * in a warning.
 */
#include <stdlib.h>
#include <string.h>

#include "client/client_internal.h"
#include "util/jdoc.h"
#include "util/banned.h"

typedef struct cands {
    char **p;
    size_t n, cap;
} cands;

static int cands_add(cands *c, rslice s)
{
    if (c->n == c->cap) {
        size_t nc = c->cap ? c->cap * 2 : 64;
        char **np = rampart_realloc(c->p, nc * sizeof(char *));
        if (np == NULL)
            return RAMPART_ENOMEM;
        c->p = np;
        c->cap = nc;
    }
    char *d = rampart_strndup((const char *)s.p, s.n);
    if (d == NULL)
        return RAMPART_ENOMEM;
    c->p[c->n++] = d;
    return 0;
}

static void cands_free(cands *c)
{
    for (size_t i = 0; i < c->n; i++)
        rampart_free(c->p[i]);
    rampart_free(c->p);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The paths `md` lists under `prefix`. */
static int collect(const tuf_md *md, const char *prefix, cands *out)
{
    size_t pl = strlen(prefix);
    for (jd_ref k = jdoc_first(md->doc, md->targets); k != JD_NONE; k = jdoc_next_key(md->doc, k)) {
        rslice p = jdoc_str(md->doc, k);
        if (jdoc_str_has_nul(md->doc, k) || p.n < pl || memcmp(p.p, prefix, pl) != 0)
            continue;
        if (cands_add(out, p) != 0)
            return RAMPART_ENOMEM;
    }
    return 0;
}

/* Pass 1: pre-order walk of the delegations, bounded by max_delegations. */
static int walk(rampart_client *c, rstore *st, const char *prefix, cands *out)
{
    const tuf_md *top;
    int rc = rclient_load_targets(c, st, "targets", NULL, &top, NULL);
    if (rc != 0)
        return rc;
    const tuf_md **stack = rampart_calloc((size_t)c->max_delegations + 1, sizeof(const tuf_md *));
    if (stack == NULL)
        return rerr_set(&c->err, RAMPART_ENOMEM, NULL, "out of memory");
    size_t depth = 0, visited = 0;
    stack[depth++] = top;
    while (rc == 0 && depth > 0) {
        const tuf_md *md = stack[--depth];
        if ((rc = collect(md, prefix, out)) != 0) {
            rerr_set(&c->err, rc, NULL, "out of memory");
            break;
        }
        if (md->has_succinct)
            /* Said, never silent: a listing of a hash-bin repository lacks the
             * targets of its bins (they are still found by name). */
            rclient_log(c, RAMPART_LOG_WARN,
                        "the listing leaves out the targets of %llu TAP 15 hash bins (download them by name)",
                        1ULL << md->succinct.bit_length);
        /* Pushed in reverse, so the first delegation is walked first. */
        for (size_t i = md->ndelegations; rc == 0 && i-- > 0;) {
            if (visited >= c->max_delegations) {
                rclient_log(c, RAMPART_LOG_WARN, "listing stops after %u delegated roles (max_delegations)",
                            c->max_delegations);
                break;
            }
            rslice nm = md->delegations[i].auth.name;
            char *name = rampart_strndup((const char *)nm.p, nm.n);
            if (name == NULL) {
                rc = rerr_set(&c->err, RAMPART_ENOMEM, NULL, "out of memory");
                break;
            }
            const tuf_md *child;
            rc = rclient_load_targets(c, st, name, md, &child, NULL);
            rampart_free(name);
            visited++;
            if (rc == 0 && depth <= c->max_delegations)
                stack[depth++] = child;
        }
    }
    rampart_free(stack);
    return rc;
}

static int build(rampart_client *c, rstore *st, const char *prefix, rampart_target_iter *it)
{
    cands cs = {0};
    int rc = walk(c, st, prefix, &cs);
    if (rc == 0 && cs.n > 0) {
        qsort(cs.p, cs.n, sizeof(char *), cmp_str);
        it->t = rampart_calloc(cs.n, sizeof(rampart_target *));
        if (it->t == NULL)
            rc = rerr_set(&c->err, RAMPART_ENOMEM, NULL, "out of memory");
    }
    /* Pass 2: each path once, as the search finds it. */
    for (size_t i = 0; rc == 0 && i < cs.n; i++) {
        if (i > 0 && strcmp(cs.p[i], cs.p[i - 1]) == 0)
            continue;
        rampart_target *t = NULL;
        rc = rclient_find_target(c, st, cs.p[i], &t);
        if (rc == RAMPART_ENOTFOUND) {
            rclient_log(c, RAMPART_LOG_DEBUG, "'%s' is listed but not trusted: %s", cs.p[i], c->err.message);
            rerr_clear(&c->err);
            rc = 0;
            continue;
        }
        if (rc == 0)
            it->t[it->n++] = t;
    }
    cands_free(&cs);
    return rc;
}

int rampart_target_iter_new(rampart_target_iter **out, rampart_client *c, const char *prefix)
{
    if (c == NULL)
        return RAMPART_EINVAL;
    rerr_clear(&c->err);
    if (out == NULL)
        return rerr_set(&c->err, RAMPART_EINVAL, NULL, "invalid argument");
    rampart_target_iter *it = rampart_calloc(1, sizeof(*it));
    if (it == NULL)
        return rerr_set(&c->err, RAMPART_ENOMEM, NULL, "out of memory");
    rstore st;
    int rc = rclient_store_open(c, &st);
    if (rc == 0) {
        if (!c->refreshed)
            rc = rclient_refresh_locked(c, &st);
        if (rc == 0)
            rc = build(c, &st, prefix != NULL ? prefix : "", it);
        rstore_close(&st);
    }
    if (rc != 0) {
        rampart_target_iter_free(it);
        return rc;
    }
    *out = it;
    return 0;
}

size_t rampart_target_iter_count(const rampart_target_iter *it)
{
    return it != NULL ? it->n : 0;
}

static char *dup_or_null(const char *s, bool *fail)
{
    if (s == NULL)
        return NULL;
    char *d = rampart_strndup(s, strlen(s));
    if (d == NULL)
        *fail = true;
    return d;
}

int rampart_target_iter_next(rampart_target_iter *it, rampart_target **out)
{
    if (it == NULL || out == NULL)
        return RAMPART_EINVAL;
    if (it->next >= it->n)
        return RAMPART_ENOTFOUND;
    const rampart_target *s = it->t[it->next];
    rampart_target *t = rampart_calloc(1, sizeof(*t));
    if (t == NULL)
        return RAMPART_ENOMEM;
    bool fail = false;
    t->path = dup_or_null(s->path, &fail);
    t->role = dup_or_null(s->role, &fail);
    t->custom = dup_or_null(s->custom, &fail);
    t->length = s->length;
    t->consistent = s->consistent;
    for (size_t i = 0; i < s->nhashes; i++) {
        t->alg[i] = dup_or_null(s->alg[i], &fail);
        t->hex[i] = dup_or_null(s->hex[i], &fail);
        t->nhashes = i + 1;
    }
    if (fail) {
        rampart_target_free(t);
        return RAMPART_ENOMEM;
    }
    it->next++;
    *out = t;
    return 0;
}

void rampart_target_iter_free(rampart_target_iter *it)
{
    if (it == NULL)
        return;
    for (size_t i = 0; i < it->n; i++)
        rampart_target_free(it->t[i]);
    rampart_free(it->t);
    rampart_free(it);
}
