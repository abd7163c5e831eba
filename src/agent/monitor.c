/*
 * monitor.c - channel behaviour monitoring (docs/agent.md, "Anomalies"):
 * what one refresh shows compared with what the agent saw before.  No I/O:
 * the state and the view come in, the anomalies go out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/agent_internal.h"
#include "crypto/hash.h"
#include "util/codec.h"
#include "util/banned.h"

static const char *const kind_names[MON_KIND_COUNT] = {
    "new-key",
    "root-rotation",
    "lowered-threshold",
    "expiry-window",
    "version-jump",
    "same-version-new-bytes",
    "provenance-builder",
    "provenance-source",
    "freeze",
    "split-view",
};

const char *mon_kind_name(int k)
{
    return k >= 0 && k < MON_KIND_COUNT ? kind_names[k] : NULL;
}

int mon_kind_from_name(const char *name, size_t n)
{
    for (int k = 0; k < MON_KIND_COUNT; k++)
        if (strlen(kind_names[k]) == n && memcmp(kind_names[k], name, n) == 0)
            return k;
    return -1;
}

typedef struct acc {
    mon_anomaly *out;
    size_t n;
    int rc;
} acc;

static void add(acc *a, int kind, const char *detail)
{
    if (a->rc != 0 || a->n == MON_MAX_ANOMALIES)
        return;
    mon_anomaly *m = &a->out[a->n];
    memset(m, 0, sizeof(*m));
    m->kind = kind;
    (void)snprintf(m->detail, sizeof(m->detail), "%s", detail);
    rbuf b;
    rbuf_init(&b, sizeof(m->detail) + 64);
    uint8_t d[RHASH_MAX_LEN];
    int rc = rbuf_appendf(&b, "%s\n%s", kind_names[kind], m->detail);
    if (rc == 0)
        rc = rhash_digest(RHASH_SHA256, b.data, b.len, d);
    rbuf_free(&b);
    if (rc != 0) {
        a->rc = rc;
        return;
    }
    char hex[65];
    rhex_encode(hex, d, 32);
    memcpy(m->id, hex, 12);
    m->id[12] = '\0';
    a->n++;
}

/* Formats an anomaly's detail and adds it. */
#define ADD(a, kind, ...)                                                                                              \
    do {                                                                                                               \
        char d_[MON_TEXT_MAX * 2];                                                                                     \
        (void)snprintf(d_, sizeof(d_), __VA_ARGS__);                                                                   \
        add((a), (kind), d_);                                                                                          \
    } while (0)

static const mon_role *find_role(const mon_state *s, const char *name)
{
    for (size_t i = 0; i < s->nroles; i++)
        if (strcmp(s->roles[i].name, name) == 0)
            return &s->roles[i];
    return NULL;
}

static bool has_key(const mon_role *r, const char *k)
{
    for (size_t i = 0; i < r->nkeys; i++)
        if (strcmp(r->keys[i], k) == 0)
            return true;
    return false;
}

static void compare_roles(const mon_state *old, const mon_state *cur, const mon_policy *p, acc *a)
{
    for (size_t i = 0; i < cur->nroles; i++) {
        const mon_role *r = &cur->roles[i];
        const mon_role *o = find_role(old, r->name);
        if (o == NULL)
            continue; /* a new delegation: its keys are all new */
        for (size_t k = 0; k < r->nkeys; k++)
            if (!has_key(o, r->keys[k]))
                ADD(a, MON_NEW_KEY, "role '%s' has a new key %.16s", r->name, r->keys[k]);
        if (r->threshold < o->threshold)
            ADD(a, MON_LOWERED_THRESHOLD, "role '%s': threshold lowered from %lld to %lld", r->name, o->threshold,
                r->threshold);
        /* A window is judged when the role's version changed (a fresh
         * signature); the same version keeps the window it had. */
        if (o->window > 0 && r->window > 0 && r->version != o->version) {
            long long d = r->window - o->window;
            if (d < 0)
                d = -d;
            if ((unsigned long long)d > p->expiry_tolerance_s)
                ADD(a, MON_EXPIRY_WINDOW, "role '%s': expiry window changed from %llds to %llds", r->name, o->window,
                    r->window);
        }
    }
}

/* The major number of a semantic version, or -1. */
static long long major(const char *v)
{
    if (v[0] < '0' || v[0] > '9')
        return -1;
    long long m = 0;
    for (; *v >= '0' && *v <= '9' && m < 100000000; v++)
        m = m * 10 + (*v - '0');
    return m;
}

static void compare_targets(const mon_state *old, const mon_state *cur, const mon_policy *p, acc *a)
{
    for (size_t i = 0; i < cur->ntargets; i++) {
        const mon_target *t = &cur->targets[i];
        for (size_t j = 0; j < old->ntargets; j++) {
            const mon_target *o = &old->targets[j];
            if (strcmp(o->path, t->path) == 0 && strcmp(o->version, t->version) == 0 &&
                strcmp(o->sha256, t->sha256) != 0)
                ADD(a, MON_SAME_VERSION_NEW_BYTES, "target '%s' version %s has other bytes than before", t->path,
                    t->version);
        }
        if (p->max_version_jump == 0)
            continue;
        /* the jump is measured from the newest version seen before */
        long long newest = -1;
        for (size_t j = 0; j < old->ntargets; j++) {
            long long m = major(old->targets[j].version);
            if (m > newest)
                newest = m;
        }
        long long m = major(t->version);
        if (newest >= 0 && m > newest + (long long)p->max_version_jump)
            ADD(a, MON_VERSION_JUMP, "target '%s' version %s jumps %lld major versions", t->path, t->version,
                m - newest);
    }
}

int mon_compare(const mon_state *old, const mon_view *v, const mon_policy *p, mon_anomaly *out, size_t *n)
{
    acc a = {out, 0, 0};
    /* A split view is an anomaly whatever was known before. */
    if (v->refresh_code == RAMPART_ESPLITVIEW)
        ADD(&a, MON_SPLIT_VIEW, "the repository showed two views that cannot both be honest");
    if (old->known && p->freeze_after_s > 0 && !old->freeze_raised) {
        bool moved = v->fresh && v->s.timestamp_version > old->timestamp_version;
        if (!moved && v->now - old->timestamp_seen > (long long)p->freeze_after_s)
            ADD(&a, MON_FREEZE, "no new timestamp for %lld seconds (since version %lld)", v->now - old->timestamp_seen,
                old->timestamp_version);
    }
    if (old->known && v->fresh) {
        const mon_state *cur = &v->s;
        if (cur->root_version > old->root_version)
            ADD(&a, MON_ROOT_ROTATION, "root rotated from version %lld to %lld", old->root_version, cur->root_version);
        compare_roles(old, cur, p, &a);
        compare_targets(old, cur, p, &a);
        if (old->builder[0] != '\0' && cur->builder[0] != '\0' && strcmp(old->builder, cur->builder) != 0)
            ADD(&a, MON_PROVENANCE_BUILDER, "provenance names builder '%.200s' instead of '%.200s'", cur->builder,
                old->builder);
        if (old->source[0] != '\0' && cur->source[0] != '\0' && strcmp(old->source, cur->source) != 0)
            ADD(&a, MON_PROVENANCE_SOURCE, "provenance names source '%.200s' instead of '%.200s'", cur->source,
                old->source);
    }
    *n = a.n;
    return a.rc;
}

void mon_update(mon_state *s, const mon_view *v, bool froze)
{
    if (froze)
        s->freeze_raised = 1;
    if (!v->fresh)
        return;
    mon_state old = *s;
    const mon_state *cur = &v->s;
    s->known = 1;
    s->root_version = cur->root_version;
    s->nroles = cur->nroles;
    for (size_t i = 0; i < cur->nroles; i++) {
        s->roles[i] = cur->roles[i];
        const mon_role *o = find_role(&old, cur->roles[i].name);
        if (o != NULL && o->version == cur->roles[i].version && o->window > 0)
            s->roles[i].window = o->window;
    }
    if (!old.known || cur->timestamp_version > old.timestamp_version) {
        s->timestamp_version = cur->timestamp_version;
        s->timestamp_seen = v->now;
        s->freeze_raised = 0; /* the channel moves again */
    }
    /* followed targets: the new ones replace entries of the same path */
    for (size_t i = 0; i < cur->ntargets; i++) {
        size_t j = 0;
        while (j < s->ntargets && strcmp(s->targets[j].path, cur->targets[i].path) != 0)
            j++;
        if (j == s->ntargets) {
            if (s->ntargets == MON_MAX_TARGETS) {
                memmove(&s->targets[0], &s->targets[1], sizeof(s->targets[0]) * (MON_MAX_TARGETS - 1));
                j = MON_MAX_TARGETS - 1;
            } else {
                s->ntargets++;
            }
        }
        s->targets[j] = cur->targets[i];
    }
    if (cur->builder[0] != '\0')
        memcpy(s->builder, cur->builder, sizeof(s->builder));
    if (cur->source[0] != '\0')
        memcpy(s->source, cur->source, sizeof(s->source));
}
