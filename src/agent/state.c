/*
 * state.c - the agent's state file (state_dir/state.json): what the monitor
 * saw, the held anomalies, the last refusal and the install under way.
 * Written by the agent only (atomically), read back strictly.  No I/O here.
 */
#include <inttypes.h>
#include <string.h>

#include "agent/agent_internal.h"
#include "util/jdoc.h"
#include "util/banned.h"

#define STATE_MAX (4u << 20)

static int put_str(rbuf *b, const char *name, const char *v)
{
    char clean[1024];
    rampart_sanitize(clean, sizeof(clean), v, strlen(v));
    int rc = rbuf_appendf(b, "\"%s\":\"", name);
    for (const char *p = clean; rc == 0 && *p != '\0'; p++) {
        if (*p == '"' || *p == '\\')
            rc = rbuf_append_byte(b, '\\');
        if (rc == 0)
            rc = rbuf_append_byte(b, (uint8_t)*p);
    }
    return rc == 0 ? rbuf_append_byte(b, '"') : rc;
}

static int put_role(rbuf *b, const mon_role *r)
{
    int rc = rbuf_append_str(b, "{");
    if (rc == 0)
        rc = put_str(b, "name", r->name);
    if (rc == 0)
        rc = rbuf_appendf(b, ",\"version\":%lld,\"threshold\":%lld,\"window\":%lld,\"keys\":[", r->version,
                          r->threshold, r->window);
    for (size_t k = 0; rc == 0 && k < r->nkeys; k++)
        rc = rbuf_appendf(b, "%s\"%s\"", k > 0 ? "," : "", r->keys[k]);
    return rc == 0 ? rbuf_append_str(b, "]}") : rc;
}

/* ,"installing":{...}: present only while an install is under way. */
static int put_installing(rbuf *b, const agent_installing *in)
{
    int rc = rbuf_append_str(b, ",\"installing\":{");
    if (rc == 0)
        rc = put_str(b, "target", in->target);
    if (rc == 0)
        rc = rbuf_append_byte(b, ',');
    if (rc == 0)
        rc = put_str(b, "version", in->version);
    if (rc == 0)
        rc = rbuf_append_byte(b, ',');
    if (rc == 0)
        rc = put_str(b, "previous", in->previous);
    if (rc == 0)
        rc = rbuf_append_byte(b, ',');
    if (rc == 0)
        rc = put_str(b, "sha256", in->sha256);
    if (rc == 0)
        rc = rbuf_appendf(b, ",\"seq\":%lld}", in->seq);
    return rc;
}

int agent_state_format(const agent_state *s, rbuf *b)
{
    const mon_state *m = &s->mon;
    int rc = rbuf_appendf(b,
                          "{\"v\":1,\"known\":%d,\"root_version\":%lld,\"timestamp_version\":%lld,"
                          "\"timestamp_seen\":%lld,\"freeze_raised\":%d,\"roles\":[",
                          m->known, m->root_version, m->timestamp_version, m->timestamp_seen, m->freeze_raised);
    for (size_t i = 0; rc == 0 && i < m->nroles; i++) {
        if (i > 0)
            rc = rbuf_append_byte(b, ',');
        if (rc == 0)
            rc = put_role(b, &m->roles[i]);
    }
    if (rc == 0)
        rc = rbuf_append_str(b, "],\"targets\":[");
    for (size_t i = 0; rc == 0 && i < m->ntargets; i++) {
        rc = rbuf_append_str(b, i > 0 ? ",{" : "{");
        if (rc == 0)
            rc = put_str(b, "path", m->targets[i].path);
        if (rc == 0)
            rc = rbuf_append_byte(b, ',');
        if (rc == 0)
            rc = put_str(b, "version", m->targets[i].version);
        if (rc == 0)
            rc = rbuf_append_byte(b, ',');
        if (rc == 0)
            rc = put_str(b, "sha256", m->targets[i].sha256);
        if (rc == 0)
            rc = rbuf_append_byte(b, '}');
    }
    if (rc == 0)
        rc = rbuf_append_str(b, "],");
    if (rc == 0)
        rc = put_str(b, "builder", m->builder);
    if (rc == 0)
        rc = rbuf_append_byte(b, ',');
    if (rc == 0)
        rc = put_str(b, "source", m->source);
    if (rc == 0)
        rc = rbuf_append_byte(b, ',');
    if (rc == 0)
        rc = put_str(b, "refused", s->refused);
    const agent_installing *in = &s->installing;
    if (rc == 0 && in->version[0] != '\0')
        rc = put_installing(b, in);
    if (rc == 0)
        rc = rbuf_append_str(b, ",\"held\":[");
    for (size_t i = 0; rc == 0 && i < s->nheld; i++) {
        rc = rbuf_append_str(b, i > 0 ? ",{" : "{");
        if (rc == 0)
            rc = put_str(b, "id", s->held[i].id);
        if (rc == 0)
            rc = rbuf_append_byte(b, ',');
        if (rc == 0)
            rc = put_str(b, "kind", s->held[i].kind);
        if (rc == 0)
            rc = rbuf_append_byte(b, ',');
        if (rc == 0)
            rc = put_str(b, "detail", s->held[i].detail);
        if (rc == 0)
            rc = rbuf_append_byte(b, '}');
    }
    return rc == 0 ? rbuf_append_str(b, "]}\n") : rc;
}

/* ---- reading ------------------------------------------------------------------------ */

typedef struct rd {
    const jdoc *d;
    int rc;
    rerr *e;
} rd;

static long long get_int(rd *r, jd_ref obj, const char *name)
{
    jd_ref v = jdoc_get(r->d, obj, name);
    if (r->rc == 0 && (v == JD_NONE || jdoc_type(r->d, v) != JD_INT))
        r->rc = rerr_set(r->e, RAMPART_EFORMAT, NULL, "agent state: \"%s\" is not an integer", name);
    return r->rc == 0 ? jdoc_int(r->d, v) : 0;
}

static void get_str(rd *r, jd_ref obj, const char *name, char *out, size_t cap)
{
    jd_ref v = jdoc_get(r->d, obj, name);
    if (r->rc != 0)
        return;
    if (v == JD_NONE || jdoc_type(r->d, v) != JD_STRING) {
        r->rc = rerr_set(r->e, RAMPART_EFORMAT, NULL, "agent state: \"%s\" is not a string", name);
        return;
    }
    rslice s = jdoc_str(r->d, v);
    if (s.n >= cap) {
        r->rc = rerr_set(r->e, RAMPART_EFORMAT, NULL, "agent state: \"%s\" is too long", name);
        return;
    }
    memcpy(out, s.p, s.n);
    out[s.n] = '\0';
}

static jd_ref get_array(rd *r, jd_ref obj, const char *name, size_t max)
{
    jd_ref v = jdoc_get(r->d, obj, name);
    if (r->rc == 0 && (v == JD_NONE || jdoc_type(r->d, v) != JD_ARRAY || jdoc_count(r->d, v) > max))
        r->rc = rerr_set(r->e, RAMPART_EFORMAT, NULL, "agent state: \"%s\" is not an array of at most %zu", name, max);
    return r->rc == 0 ? v : JD_NONE;
}

static void get_role(rd *r, jd_ref o, mon_role *role)
{
    get_str(r, o, "name", role->name, sizeof(role->name));
    role->version = get_int(r, o, "version");
    role->threshold = get_int(r, o, "threshold");
    role->window = get_int(r, o, "window");
    jd_ref keys = get_array(r, o, "keys", MON_MAX_KEYS);
    for (jd_ref k = keys != JD_NONE ? jdoc_first(r->d, keys) : JD_NONE; r->rc == 0 && k != JD_NONE;
         k = jdoc_next(r->d, k)) {
        rslice s = jdoc_type(r->d, k) == JD_STRING ? jdoc_str(r->d, k) : (rslice){NULL, 0};
        if (s.n != 64) {
            r->rc = rerr_set(r->e, RAMPART_EFORMAT, NULL, "agent state: a key is not 64 hex digits");
            return;
        }
        memcpy(role->keys[role->nkeys], s.p, 64);
        role->keys[role->nkeys++][64] = '\0';
    }
}

int agent_state_parse(const uint8_t *p, size_t n, agent_state *s, rerr *e)
{
    memset(s, 0, sizeof(*s));
    jd_limits lim = {.max_bytes = STATE_MAX, .max_depth = 8};
    jdoc *d = NULL;
    int rc = jdoc_parse(&d, p, n, false, &lim, e);
    if (rc != 0)
        return rc;
    rd r = {d, 0, e};
    jd_ref root = jdoc_root(d);
    mon_state *m = &s->mon;
    if (jdoc_type(d, root) != JD_OBJECT || get_int(&r, root, "v") != 1)
        r.rc = r.rc != 0 ? r.rc : rerr_set(e, RAMPART_EFORMAT, NULL, "agent state: not version 1");
    m->known = (int)get_int(&r, root, "known");
    m->root_version = get_int(&r, root, "root_version");
    m->timestamp_version = get_int(&r, root, "timestamp_version");
    m->timestamp_seen = get_int(&r, root, "timestamp_seen");
    m->freeze_raised = (int)get_int(&r, root, "freeze_raised");
    jd_ref roles = get_array(&r, root, "roles", MON_MAX_ROLES);
    for (jd_ref o = roles != JD_NONE ? jdoc_first(d, roles) : JD_NONE; r.rc == 0 && o != JD_NONE; o = jdoc_next(d, o))
        get_role(&r, o, &m->roles[m->nroles++]);
    jd_ref targets = get_array(&r, root, "targets", MON_MAX_TARGETS);
    for (jd_ref o = targets != JD_NONE ? jdoc_first(d, targets) : JD_NONE; r.rc == 0 && o != JD_NONE;
         o = jdoc_next(d, o)) {
        mon_target *t = &m->targets[m->ntargets++];
        get_str(&r, o, "path", t->path, sizeof(t->path));
        get_str(&r, o, "version", t->version, sizeof(t->version));
        get_str(&r, o, "sha256", t->sha256, sizeof(t->sha256));
    }
    get_str(&r, root, "builder", m->builder, sizeof(m->builder));
    get_str(&r, root, "source", m->source, sizeof(m->source));
    get_str(&r, root, "refused", s->refused, sizeof(s->refused));
    /* "installing": optional (absent when no install is under way, and in
     * the state files of agents that did not write it). */
    jd_ref inst = r.rc == 0 ? jdoc_get(d, root, "installing") : JD_NONE;
    if (inst != JD_NONE && jdoc_type(d, inst) != JD_OBJECT)
        r.rc = rerr_set(e, RAMPART_EFORMAT, NULL, "agent state: \"installing\" is not an object");
    if (r.rc == 0 && inst != JD_NONE) {
        agent_installing *in = &s->installing;
        get_str(&r, inst, "target", in->target, sizeof(in->target));
        get_str(&r, inst, "version", in->version, sizeof(in->version));
        get_str(&r, inst, "previous", in->previous, sizeof(in->previous));
        get_str(&r, inst, "sha256", in->sha256, sizeof(in->sha256));
        in->seq = get_int(&r, inst, "seq");
        if (r.rc == 0 && (in->version[0] == '\0' || in->seq < 0))
            r.rc = rerr_set(e, RAMPART_EFORMAT, NULL, "agent state: \"installing\" has no version or a negative seq");
    }
    jd_ref held = get_array(&r, root, "held", AGENT_MAX_HELD);
    for (jd_ref o = held != JD_NONE ? jdoc_first(d, held) : JD_NONE; r.rc == 0 && o != JD_NONE; o = jdoc_next(d, o)) {
        agent_held *h = &s->held[s->nheld++];
        get_str(&r, o, "id", h->id, sizeof(h->id));
        get_str(&r, o, "kind", h->kind, sizeof(h->kind));
        get_str(&r, o, "detail", h->detail, sizeof(h->detail));
    }
    jdoc_free(d);
    return r.rc;
}
