/*
 * agent.c - the update agent's cycle and loop (docs/agent.md): refresh,
 * anomalies, the newest followed release, install and health check, every
 * decision in the audit log; polling with jitter and capped backoff.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agent/agent_internal.h"
#include "rampart/audit.h"
#include "rampart/install.h"
#include "rampart/metadata.h"
#include "rampart/provenance.h"
#include "util/fs.h"
#include "util/jdoc.h"
#include "util/rtime.h"
#include "util/banned.h"

#define STATE_FILE "state.json"

extern char **environ;

struct rampart_agent {
    rerr err;
    agent_config cfg;
    rampart_audit *audit;
    rampart_installer *inst;
    rampart_prov_policy *prov;
    rbuf log_policy; /* the witness policy's bytes (log_policy), when set */
    int statefd;
    agent_state st;
};

/* ---- records ---------------------------------------------------------------------------- */

typedef struct rec_args {
    const char *kind;
    int code;
    const char *target, *version, *previous, *sha256, *message, *anomaly, *id;
} rec_args;

/* Appends one record; an audit failure becomes the agent's error (EIO). */
static int record(rampart_agent *ag, const rec_args *a)
{
    rampart_audit_record r = RAMPART_AUDIT_RECORD_INIT;
    r.kind = a->kind;
    r.code = a->code;
    r.target = a->target;
    r.version = a->version;
    r.previous = a->previous;
    r.sha256 = a->sha256;
    r.message = a->message;
    r.anomaly = a->anomaly;
    r.id = a->id;
    int rc = rampart_audit_append(ag->audit, &r, NULL);
    if (rc != 0)
        return rerr_set(&ag->err, rc, NULL, "cannot write the audit log: %s",
                        rampart_audit_last_error(ag->audit)->message);
    return 0;
}

static int save_state(rampart_agent *ag)
{
    rbuf b;
    rbuf_init(&b, 8u << 20);
    int rc = agent_state_format(&ag->st, &b);
    if (rc == 0)
        rc = rfs_write_atomic(ag->statefd, STATE_FILE, b.data, b.len, 0600, &ag->err);
    else
        rc = rerr_set(&ag->err, rc, NULL, "cannot write the agent's state");
    rbuf_free(&b);
    return rc;
}

/* ---- an install a crash interrupted (docs/agent.md, "Crash safety") ----------------------- */

#define RECOVERED "recovered: "

/* What the log holds of one install's outcome, after the moment it began. */
typedef struct outcome {
    uint64_t after;
    const char *version, *sha256;
    bool done;          /* installed, reverted, hook-failed, refused, error or interrupted */
    bool health_failed; /* health-failed without the reverted that follows it */
} outcome;

static int visit_outcome(void *ctx, const rampart_audit_entry *e)
{
    outcome *o = ctx;
    static const char *const ends[] = {"installed", "reverted", "hook-failed", "refused", "error", "interrupted"};
    if (e->seq <= o->after || e->version == NULL || e->sha256 == NULL || strcmp(e->version, o->version) != 0 ||
        strcmp(e->sha256, o->sha256) != 0)
        return 0;
    if (strcmp(e->kind, "health-failed") == 0)
        o->health_failed = true;
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(ends); i++)
        o->done = o->done || strcmp(e->kind, ends[i]) == 0;
    return 0;
}

/* The record an interrupted install `m` still needs, by what the log and
 * the install folder show, into *r (r->kind NULL: none). */
static int missing_record(rampart_agent *ag, const agent_installing *m, rec_args *r, char *msg, size_t cap)
{
    outcome o = {.version = m->version, .sha256 = m->sha256};
    /* A log with fewer records than when the install began was replaced
     * (moved aside after tampering): all of it comes after. */
    o.after = (uint64_t)m->seq <= rampart_audit_records(ag->audit) ? (uint64_t)m->seq : 0;
    int rc = rampart_audit_read(ag->cfg.audit_dir, visit_outcome, &o, &ag->err);
    if (rc != 0 || o.done)
        return rc; /* its outcome was recorded before the crash: nothing twice */
    *r = (rec_args){.target = m->target, .version = m->version, .sha256 = m->sha256};
    r->previous = m->previous[0] != '\0' ? m->previous : NULL;
    if (o.health_failed) {
        /* The installer reverts before it returns: after health-failed, the
         * revert is done. */
        r->kind = "reverted";
        r->message = RECOVERED "the previous version is active again";
        return 0;
    }
    /* The installer's own recovery runs first: a switch whose checks had
     * not passed is undone, so the new version is active only when it was
     * installed and passed its checks. */
    char *cur = NULL;
    rc = rampart_installer_current(ag->inst, &cur, NULL);
    if (rc != 0 && rc != RAMPART_ENOTFOUND)
        return rerr_set(&ag->err, rc, NULL, "%s", rampart_installer_last_error(ag->inst)->message);
    if (cur != NULL && strcmp(cur, m->version) == 0) {
        r->kind = "installed";
        r->message = RECOVERED "installed before the agent stopped, recorded when it started again";
    } else {
        r->kind = "interrupted";
        (void)snprintf(msg, cap,
                       RECOVERED "the agent stopped during this install, before recording its outcome; %s is active",
                       cur != NULL ? cur : "no version");
        r->message = msg;
    }
    rampart_string_free(cur);
    return 0;
}

/* An install the state still shows under way was interrupted by a crash:
 * its outcome is recorded now, once (never when the log has it already),
 * before anything else happens, and the state cleared. */
static int recover_install(rampart_agent *ag)
{
    agent_installing *m = &ag->st.installing;
    if (m->version[0] == '\0')
        return 0;
    rec_args r = {.kind = NULL};
    char msg[160];
    int rc = missing_record(ag, m, &r, msg, sizeof(msg));
    if (rc == 0 && r.kind != NULL)
        rc = record(ag, &r);
    RFS_CRASHPOINT("agent: recovered record written, before the state");
    if (rc != 0)
        return rc;
    memset(m, 0, sizeof(*m));
    return save_state(ag);
}

/* ---- set-up ------------------------------------------------------------------------------ */

static int read_path(const char *path, size_t max, rbuf *out, rerr *e)
{
    rbuf_init(out, max);
    return rfs_read_file(AT_FDCWD, path, out, e);
}

/* The configuration and the trusted root say what to trust: only from a
 * file no other user can change. */
static int read_private(const char *path, size_t max, rbuf *out, rerr *e)
{
    rbuf_init(out, max);
    return rfs_read_private_file(path, out, e);
}

static int make_installer(rampart_agent *ag)
{
    const agent_config *c = &ag->cfg;
    rampart_install_options o = RAMPART_INSTALL_OPTIONS_INIT;
    o.root_dir = c->install_dir;
    o.keep = c->keep;
    o.allow_downgrade = c->allow_downgrade;
    o.hook_timeout_ms = c->hook_timeout_s * 1000u;
    o.pre_install = c->hooks[HOOK_PRE][0] != NULL ? c->hooks[HOOK_PRE] : NULL;
    o.post_install = c->hooks[HOOK_POST][0] != NULL ? c->hooks[HOOK_POST] : NULL;
    o.health_check = c->hooks[HOOK_HEALTH][0] != NULL ? c->hooks[HOOK_HEALTH] : NULL;
    return rampart_installer_new(&ag->inst, &o, &ag->err);
}

static int load_state(rampart_agent *ag)
{
    int rc = rfs_open_dir(ag->cfg.state_dir, true, true, &ag->statefd, &ag->err);
    rbuf b;
    rbuf_init(&b, 8u << 20);
    if (rc == 0) {
        rc = rfs_read_file(ag->statefd, STATE_FILE, &b, &ag->err);
        if (rc == RAMPART_ENOTFOUND)
            rc = 0;
        else if (rc == 0)
            rc = agent_state_parse(b.data, b.len, &ag->st, &ag->err);
    }
    rbuf_free(&b);
    return rc;
}

static int open_all(rampart_agent *ag, const char *config_path)
{
    rbuf b;
    int rc = read_private(config_path, AGENT_CONF_MAX, &b, &ag->err);
    if (rc == 0)
        rc = agent_config_parse(b.data, b.len, &ag->cfg, &ag->err);
    rbuf_free(&b);
    if (rc == 0) {
        rampart_audit_options o = RAMPART_AUDIT_OPTIONS_INIT;
        o.dir = ag->cfg.audit_dir;
        o.name = ag->cfg.audit_name;
        o.journal = ag->cfg.journal;
        o.journal_socket = ag->cfg.journal_socket;
        rc = rampart_audit_open(&ag->audit, &o, &ag->err);
    }
    if (rc == 0)
        rc = make_installer(ag);
    if (rc == 0 && ag->cfg.provenance_policy != NULL)
        rc = rampart_prov_policy_load(&ag->prov, ag->cfg.provenance_policy, &ag->err);
    /* The witness policy says which log checkpoints to trust: read under
     * the trusted root's rule; the client parses it. */
    if (rc == 0 && ag->cfg.log_policy != NULL) {
        rbuf_free(&ag->log_policy);
        rc = read_private(ag->cfg.log_policy, 64u << 10, &ag->log_policy, &ag->err);
        if (rc == 0 && ag->log_policy.len == 0)
            rc = rerr_set(&ag->err, RAMPART_EFORMAT, NULL, "the log_policy file '%s' is empty", ag->cfg.log_policy);
    }
    if (rc == 0)
        rc = load_state(ag);
    if (rc == 0)
        rc = recover_install(ag);
    return rc;
}

int rampart_agent_new(rampart_agent **out, const char *config_path, rampart_error *err)
{
    if (out == NULL || config_path == NULL)
        return rerr_set(err, RAMPART_EINVAL, NULL, "no configuration file given");
    rampart_agent *ag = rampart_calloc(1, sizeof(*ag));
    if (ag == NULL)
        return rerr_set(err, RAMPART_ENOMEM, NULL, "out of memory");
    ag->statefd = -1;
    rbuf_init(&ag->log_policy, 0);
    int rc = open_all(ag, config_path);
    if (rc != 0) {
        if (err != NULL)
            *err = ag->err;
        rampart_agent_free(ag);
        return rc;
    }
    rerr_clear(err);
    *out = ag;
    return 0;
}

void rampart_agent_free(rampart_agent *ag)
{
    if (ag == NULL)
        return;
    rampart_audit_free(ag->audit);
    rampart_installer_free(ag->inst);
    rampart_prov_policy_free(ag->prov);
    rbuf_free(&ag->log_policy);
    if (ag->statefd >= 0)
        close(ag->statefd);
    agent_config_free(&ag->cfg);
    rampart_free(ag);
}

const rampart_error *rampart_agent_last_error(const rampart_agent *ag)
{
    return ag != NULL ? &ag->err : NULL;
}

/* ---- the client --------------------------------------------------------------------------- */

static int make_client(rampart_agent *ag, rampart_client **out)
{
    const agent_config *c = &ag->cfg;
    char path[4096];
    int n = snprintf(path, sizeof(path), "%s/root.json", c->metadata_dir);
    if (n < 0 || (size_t)n >= sizeof(path))
        return rerr_set(&ag->err, RAMPART_EINVAL, NULL, "metadata_dir is too long");
    if (access(path, F_OK) != 0) {
        /* First run: the trusted root, obtained out of band. */
        if (c->trusted_root == NULL)
            return rerr_set(&ag->err, RAMPART_ENOTFOUND, NULL, "no trusted root in '%s' and no trusted_root set",
                            c->metadata_dir);
        rbuf b;
        int rc = read_private(c->trusted_root, 512000, &b, &ag->err);
        if (rc == 0)
            rc = rampart_client_bootstrap(c->metadata_dir, b.data, b.len, 0, &ag->err);
        rbuf_free(&b);
        if (rc != 0)
            return rc;
    }
    rampart_client_options o = RAMPART_CLIENT_OPTIONS_INIT;
    o.metadata_dir = c->metadata_dir;
    o.metadata_urls = (const char *const *)c->murls;
    o.metadata_url_count = c->nmurls;
    o.target_urls = (const char *const *)c->turls;
    o.target_url_count = c->nturls;
    o.ca_file = c->ca_file;
    o.allow_insecure_http = c->allow_insecure_http;
    if (c->log_policy != NULL) {
        o.log_policy = ag->log_policy.data;
        o.log_policy_len = ag->log_policy.len;
    }
    o.log_max_age = c->log_max_age_s;
    o.log_offline = c->log_offline;
    rampart_client *cl = NULL;
    int rc = rampart_client_new(&cl, &o, &ag->err);
    if (rc == 0 && ag->prov != NULL && (rc = rampart_client_set_provenance_policy(cl, ag->prov)) != 0)
        rerr_set(&ag->err, rc, NULL, "%s", rampart_client_last_error(cl)->message);
    if (rc != 0) {
        rampart_client_free(cl);
        return rc;
    }
    *out = cl;
    return 0;
}

/* ---- the view of the channel ---------------------------------------------------------------- */

static int cmp_key(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

/* The roles of `md` (root: the top-level roles; targets: delegations), their
 * keys as fingerprints. */
static void view_roles(rampart_metadata *md, mon_state *s)
{
    rampart_metadata_summary sum;
    if (rampart_metadata_summarize(md, &sum) != 0)
        return;
    for (size_t i = 0; i < sum.role_count && s->nroles < MON_MAX_ROLES; i++) {
        rampart_role_info ri;
        if (rampart_metadata_role(md, i, &ri) != 0)
            continue;
        mon_role *r = &s->roles[s->nroles++];
        memset(r, 0, sizeof(*r));
        rampart_sanitize(r->name, sizeof(r->name), ri.name, strlen(ri.name));
        r->threshold = ri.threshold;
        for (size_t j = 0; j < ri.keyid_count && r->nkeys < MON_MAX_KEYS; j++) {
            const char *kid = rampart_metadata_role_keyid(md, i, j);
            for (size_t k = 0; kid != NULL && k < sum.key_count; k++) {
                rampart_key_info ki;
                if (rampart_metadata_key(md, k, &ki) != 0 || strcmp(ki.keyid, kid) != 0)
                    continue;
                if (rampart_metadata_key_fingerprint(md, k, r->keys[r->nkeys], NULL) == 0)
                    r->nkeys++;
                break;
            }
        }
        qsort(r->keys, r->nkeys, sizeof(r->keys[0]), cmp_key);
    }
}

static void load_roles(const char *dir, const char *file, mon_state *s)
{
    char path[4096];
    rampart_metadata *md = NULL;
    if (snprintf(path, sizeof(path), "%s/%s", dir, file) < (int)sizeof(path) &&
        rampart_metadata_load(&md, path, NULL) == 0)
        view_roles(md, s);
    rampart_metadata_free(md);
}

static void view_of(rampart_agent *ag, rampart_client *c, long long now, mon_view *v)
{
    mon_state *s = &v->s;
    load_roles(ag->cfg.metadata_dir, "root.json", s);
    size_t top = s->nroles;
    load_roles(ag->cfg.metadata_dir, "targets.json", s);
    static const char *const roles[] = {"root", "timestamp", "snapshot", "targets"};
    for (size_t i = 0; i < RAMPART_ARRAY_LEN(roles); i++) {
        rampart_role_status st;
        if (rampart_client_role_status(c, roles[i], &st) != 0)
            continue;
        if (i == 0)
            s->root_version = st.version;
        if (i == 1)
            s->timestamp_version = st.version;
        for (size_t r = 0; r < top; r++)
            if (strcmp(s->roles[r].name, roles[i]) == 0) {
                s->roles[r].version = st.version;
                s->roles[r].window = st.expires - now;
            }
    }
}

/* ---- the followed release --------------------------------------------------------------------- */

/* The "version" of a target's custom metadata, into out (empty when none). */
static void custom_version(const rampart_target *t, char *out, size_t cap)
{
    out[0] = '\0';
    const char *custom = rampart_target_custom(t);
    jdoc *d = NULL;
    if (custom == NULL || jdoc_parse(&d, (const uint8_t *)custom, strlen(custom), false, NULL, NULL) != 0)
        return;
    jd_ref v = jdoc_get(d, jdoc_root(d), "version");
    if (v != JD_NONE && jdoc_type(d, v) == JD_STRING && jdoc_str(d, v).n < cap) {
        memcpy(out, jdoc_str(d, v).p, jdoc_str(d, v).n);
        out[jdoc_str(d, v).n] = '\0';
    }
    jdoc_free(d);
}

static const char *sha256_of(const rampart_target *t)
{
    for (size_t i = 0; i < rampart_target_hash_count(t); i++) {
        const char *alg = NULL, *hex = NULL;
        if (rampart_target_hash(t, i, &alg, &hex) == 0 && strcmp(alg, "sha256") == 0)
            return hex;
    }
    return "";
}

/* The newest target (SemVer precedence of custom "version") whose path
 * matches `follow` ('*' stays within one path component).  *listing is set
 * when the client refused the listing itself: with a witness policy every
 * target under the prefix must be logged (docs/agent.md, "The transparency
 * log"), so one unlogged release fails the whole listing. */
static int newest(rampart_agent *ag, rampart_client *c, rampart_target **out, char *version, size_t cap, bool *listing)
{
    const char *follow = ag->cfg.follow;
    char prefix[AGENT_VALUE_MAX + 1];
    size_t pn = strcspn(follow, "*?[");
    memcpy(prefix, follow, pn);
    prefix[pn] = '\0';
    rampart_target_iter *it = NULL;
    int rc = rampart_target_iter_new(&it, c, prefix);
    *listing = rc != 0;
    if (rc != 0)
        return rerr_set(&ag->err, rc, NULL, "%s", rampart_client_last_error(c)->message);
    rampart_target *best = NULL, *t = NULL;
    char v[64];
    version[0] = '\0';
    while (rampart_target_iter_next(it, &t) == 0) {
        int cmp = 1;
        custom_version(t, v, sizeof(v));
        if (fnmatch(follow, rampart_target_path(t), FNM_PATHNAME) != 0 || v[0] == '\0' ||
            (best != NULL && (rampart_version_compare(v, version, &cmp) != 0 || cmp <= 0))) {
            rampart_target_free(t);
            continue;
        }
        rampart_target_free(best);
        best = t;
        memcpy(version, v, sizeof(v) < cap ? sizeof(v) : cap);
    }
    rampart_target_iter_free(it);
    if (best == NULL)
        return rerr_set(&ag->err, RAMPART_ENOTFOUND, NULL, "no target with a version matches '%s'", follow);
    *out = best;
    return 0;
}

/* The attestation path bound in the target's custom metadata
 * (custom.rampart.provenance.path, docs/provenance.md), into out. */
static bool attestation_path(const rampart_target *t, char *out, size_t cap)
{
    const char *custom = rampart_target_custom(t);
    jdoc *d = NULL;
    bool found = false;
    if (custom == NULL || jdoc_parse(&d, (const uint8_t *)custom, strlen(custom), false, NULL, NULL) != 0)
        return false;
    jd_ref ns = jdoc_get(d, jdoc_root(d), "rampart");
    jd_ref pv = ns != JD_NONE ? jdoc_get(d, ns, "provenance") : JD_NONE;
    jd_ref path = pv != JD_NONE ? jdoc_get(d, pv, "path") : JD_NONE;
    if (path != JD_NONE && jdoc_type(d, path) == JD_STRING && jdoc_str(d, path).n < cap && !jdoc_str_has_nul(d, path)) {
        memcpy(out, jdoc_str(d, path).p, jdoc_str(d, path).n);
        out[jdoc_str(d, path).n] = '\0';
        found = true;
    }
    jdoc_free(d);
    return found;
}

/* The builder and source named by the release's attestation, for the
 * monitor: the attestation is a target of its own, downloaded and verified
 * by the client (its length and hashes are signed), into state_dir/prov.
 * Best effort: without one, the view has no provenance. */
static void view_provenance(rampart_agent *ag, rampart_client *c, const rampart_target *t, mon_state *s)
{
    char apath[MON_TEXT_MAX], dir[4096];
    rampart_target *at = NULL;
    char *file = NULL;
    if (!attestation_path(t, apath, sizeof(apath)) ||
        snprintf(dir, sizeof(dir), "%s/prov", ag->cfg.state_dir) >= (int)sizeof(dir) ||
        rampart_client_get_target_info(c, apath, &at) != 0 || rampart_client_download_target(c, at, dir, &file) != 0) {
        rampart_target_free(at);
        return;
    }
    rbuf b;
    rampart_dsse *env = NULL;
    rampart_statement *st = NULL;
    size_t plen = 0;
    if (read_path(file, 1u << 20, &b, NULL) == 0 && rampart_dsse_parse(&env, b.data, b.len, NULL) == 0) {
        const unsigned char *payload = rampart_dsse_payload(env, &plen);
        if (rampart_statement_parse(&st, payload, plen, NULL) == 0) {
            const char *builder = rampart_statement_builder_id(st);
            const char *source = rampart_statement_source_uri(st);
            if (builder != NULL)
                rampart_sanitize(s->builder, sizeof(s->builder), builder, strlen(builder));
            if (source != NULL)
                rampart_sanitize(s->source, sizeof(s->source), source, strlen(source));
        }
    }
    rampart_statement_free(st);
    rampart_dsse_free(env);
    rbuf_free(&b);
    rampart_string_free(file);
    rampart_target_free(at);
}

/* ---- anomalies ----------------------------------------------------------------------------- */

static void run_anomaly_hook(rampart_agent *ag, const mon_anomaly *a)
{
    const char *const *argv = ag->cfg.hooks[HOOK_ANOMALY];
    if (argv[0] == NULL)
        return;
    char e1[64], e2[32], e3[MON_TEXT_MAX * 2 + 32];
    (void)snprintf(e1, sizeof(e1), "RAMPART_ANOMALY=%s", mon_kind_name(a->kind));
    (void)snprintf(e2, sizeof(e2), "RAMPART_ANOMALY_ID=%s", a->id);
    (void)snprintf(e3, sizeof(e3), "RAMPART_ANOMALY_DETAIL=%s", a->detail);
    size_t n = 0;
    while (environ[n] != NULL)
        n++;
    char **env = rampart_calloc(n + 4, sizeof(char *));
    if (env == NULL)
        return;
    memcpy(env, environ, n * sizeof(char *));
    env[n] = e1;
    env[n + 1] = e2;
    env[n + 2] = e3;
    pid_t pid;
    if (posix_spawn(&pid, argv[0], NULL, NULL, (char *const *)argv, env) == 0) {
        /* Waited for up to hook_timeout, then killed. */
        for (unsigned long waited = 0;; waited += 50) {
            int status;
            pid_t w = waitpid(pid, &status, WNOHANG);
            if (w == pid || (w < 0 && errno != EINTR))
                break;
            if (waited >= ag->cfg.hook_timeout_s * 1000ul) {
                kill(pid, SIGKILL);
                (void)waitpid(pid, &status, 0);
                break;
            }
            struct timespec ts = {0, 50L * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    rampart_free(env);
}

/* Records each anomaly, runs the hook, holds the blocking ones. */
static int raise_all(rampart_agent *ag, const mon_anomaly *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const mon_anomaly *a = &list[i];
        bool blocking = (ag->cfg.block & (1u << a->kind)) != 0;
        char msg[MON_TEXT_MAX * 2 + 96];
        (void)snprintf(msg, sizeof(msg), "%s%s", a->detail,
                       blocking ? " (blocking: updates held until `rampart agent ack`)" : "");
        rec_args r = {.kind = "anomaly", .anomaly = mon_kind_name(a->kind), .id = a->id, .message = msg};
        int rc = record(ag, &r);
        if (rc != 0)
            return rc;
        run_anomaly_hook(ag, a);
        bool already = false;
        for (size_t h = 0; h < ag->st.nheld; h++)
            already = already || strcmp(ag->st.held[h].id, a->id) == 0;
        if (blocking && !already && ag->st.nheld < AGENT_MAX_HELD) {
            agent_held *h = &ag->st.held[ag->st.nheld++];
            memcpy(h->id, a->id, sizeof(h->id));
            (void)snprintf(h->kind, sizeof(h->kind), "%s", mon_kind_name(a->kind));
            (void)snprintf(h->detail, sizeof(h->detail), "%s", a->detail);
        }
    }
    return 0;
}

/* Compares the view with the state, raises what differs, learns the view. */
static int monitor(rampart_agent *ag, const mon_view *v)
{
    mon_policy p = {ag->cfg.max_version_jump, ag->cfg.freeze_after_s, ag->cfg.expiry_tolerance_s};
    mon_anomaly *list = rampart_calloc(MON_MAX_ANOMALIES, sizeof(*list));
    if (list == NULL)
        return rerr_set(&ag->err, RAMPART_ENOMEM, NULL, "out of memory");
    size_t n = 0;
    int rc = mon_compare(&ag->st.mon, v, &p, list, &n);
    if (rc != 0)
        rc = rerr_set(&ag->err, rc, NULL, "cannot compare the channel's state");
    if (rc == 0)
        rc = raise_all(ag, list, n);
    bool froze = false;
    for (size_t i = 0; i < n; i++)
        froze = froze || list[i].kind == MON_FREEZE;
    rampart_free(list);
    if (rc == 0) {
        mon_update(&ag->st.mon, v, froze);
        rc = save_state(ag);
    }
    return rc;
}

/* ---- one cycle ------------------------------------------------------------------------------ */

static long long now_s(void)
{
    int64_t t = 0;
    return rtime_now(&t) == 0 ? (long long)t : 0;
}

/* A refresh that failed: recorded (a refusal with its attack class, or an
 * error), and the freeze and split-view checks still run. */
static int refresh_failed(rampart_agent *ag, int code, const char *msg)
{
    char m[sizeof(ag->err.message)];
    (void)snprintf(m, sizeof(m), "%s", msg);
    mon_view *v = rampart_calloc(1, sizeof(*v));
    if (v == NULL)
        return rerr_set(&ag->err, RAMPART_ENOMEM, NULL, "out of memory");
    v->now = now_s();
    v->refresh_code = code;
    int rc = monitor(ag, v);
    rampart_free(v);
    bool security = rampart_error_kind(code) == RAMPART_KIND_SECURITY;
    rec_args r = {.kind = security ? "refused" : "error", .code = code, .message = m};
    if (rc == 0)
        rc = record(ag, &r);
    if (rc == 0)
        rerr_set(&ag->err, code, NULL, "refresh: %s", m);
    return rc != 0 ? rc : code;
}

/* The install of `t` and its record. */
static int install(rampart_agent *ag, rampart_client *c, const rampart_target *t, const char *version,
                   const char *current)
{
    const char *path = rampart_target_path(t);
    const char *sha = sha256_of(t);
    char key[sizeof(ag->st.refused)];
    /* The install under way, saved before anything changes: a crash from
     * here until its outcome is recorded leaves it for recover_install. */
    agent_installing *m = &ag->st.installing;
    rampart_sanitize(m->target, sizeof(m->target), path, strlen(path));
    (void)snprintf(m->version, sizeof(m->version), "%s", version);
    (void)snprintf(m->previous, sizeof(m->previous), "%s", current != NULL ? current : "");
    (void)snprintf(m->sha256, sizeof(m->sha256), "%s", sha);
    m->seq = (long long)rampart_audit_records(ag->audit);
    int rc = save_state(ag);
    if (rc != 0) {
        memset(m, 0, sizeof(*m));
        return rc;
    }
    RFS_CRASHPOINT("agent: install under way saved, before the installer");
    rc = rampart_installer_download_install(ag->inst, c, t);
    RFS_CRASHPOINT("agent: installer done, before its record");
    const rampart_error *ie = rampart_installer_last_error(ag->inst);
    char msg[sizeof(ie->message)];
    (void)snprintf(msg, sizeof(msg), "%s", ie->message);
    (void)snprintf(key, sizeof(key), "%d %s %s %s", rc, path, version, sha);
    if (rc != 0 && strcmp(key, ag->st.refused) == 0) { /* recorded already */
        memset(m, 0, sizeof(*m));
        int src = save_state(ag);
        return src != 0 ? src : rerr_set(&ag->err, rc, NULL, "%s", msg);
    }
    rec_args r = {.target = path, .version = version, .previous = current, .sha256 = sha, .code = rc};
    int wrc = 0;
    if (rc == 0) {
        r.kind = "installed";
    } else if (rc == RAMPART_EHEALTH) {
        r.kind = "health-failed";
        r.message = msg;
        wrc = record(ag, &r);
        RFS_CRASHPOINT("agent: health-failed recorded, before reverted");
        r.kind = "reverted";
        r.code = 0;
        r.message = "the previous version is active again";
    } else if (rc == RAMPART_EHOOK) {
        r.kind = "hook-failed";
        r.message = msg;
    } else {
        r.kind = rampart_error_kind(rc) == RAMPART_KIND_SECURITY ? "refused" : "error";
        r.message = msg;
    }
    if (wrc == 0)
        wrc = record(ag, &r);
    if (wrc != 0)
        return wrc;
    RFS_CRASHPOINT("agent: outcome recorded, before the state");
    (void)snprintf(ag->st.refused, sizeof(ag->st.refused), "%s", rc != 0 ? key : "");
    memset(m, 0, sizeof(*m));
    wrc = save_state(ag);
    if (wrc != 0)
        return wrc;
    return rc == 0 ? 0 : rerr_set(&ag->err, rc, NULL, "%s", msg);
}

static int held(rampart_agent *ag)
{
    if (ag->st.nheld == 0)
        return 0;
    return rerr_set(&ag->err, RAMPART_EHELD, NULL,
                    "update held by anomaly %s (%s): %s; acknowledge with `rampart agent ack %s`", ag->st.held[0].id,
                    ag->st.held[0].kind, ag->st.held[0].detail, ag->st.held[0].id);
}

/* After the refresh: the view, the anomalies, the newest release, its install. */
static int after_refresh(rampart_agent *ag, rampart_client *c)
{
    rampart_target *t = NULL;
    char version[64];
    bool listing = false;
    int rc = newest(ag, c, &t, version, sizeof(version), &listing);
    int found = rc;
    char found_msg[sizeof(ag->err.message)];
    (void)snprintf(found_msg, sizeof(found_msg), "%s", ag->err.message);
    mon_view *v = rampart_calloc(1, sizeof(*v));
    if (v == NULL) {
        rampart_target_free(t);
        return rerr_set(&ag->err, RAMPART_ENOMEM, NULL, "out of memory");
    }
    v->now = now_s();
    v->fresh = 1;
    /* docs/transparency.md step 2: the log's split view surfaces in the
     * target search, after a refresh that succeeded. */
    v->refresh_code = found == RAMPART_ESPLITVIEW ? found : 0;
    view_of(ag, c, v->now, v);
    if (found == 0) {
        mon_target *mt = &v->s.targets[v->s.ntargets++];
        rampart_sanitize(mt->path, sizeof(mt->path), rampart_target_path(t), strlen(rampart_target_path(t)));
        (void)snprintf(mt->version, sizeof(mt->version), "%s", version);
        (void)snprintf(mt->sha256, sizeof(mt->sha256), "%s", sha256_of(t));
        view_provenance(ag, c, t, &v->s);
    }
    rc = monitor(ag, v);
    rampart_free(v);
    if (rc == 0 && listing) {
        /* The client refused the listing (a log check, its network): a
         * refusal with its attack class, or an error, like a refresh's. */
        bool security = rampart_error_kind(found) == RAMPART_KIND_SECURITY;
        rec_args r = {.kind = security ? "refused" : "error", .code = found, .message = found_msg};
        rc = record(ag, &r);
        if (rc == 0)
            rc = rerr_set(&ag->err, found, NULL, "%s", found_msg);
    }
    if (rc == 0)
        rc = held(ag);
    if (rc == 0)
        rc = found;
    char *cur = NULL;
    if (rc == 0) {
        int cr = rampart_installer_current(ag->inst, &cur, NULL);
        if (cr != 0 && cr != RAMPART_ENOTFOUND)
            rc = rerr_set(&ag->err, cr, NULL, "%s", rampart_installer_last_error(ag->inst)->message);
    }
    if (rc == 0 && (cur == NULL || strcmp(cur, version) != 0))
        rc = install(ag, c, t, version, cur);
    rampart_string_free(cur);
    rampart_target_free(t);
    return rc;
}

int rampart_agent_run_once(rampart_agent *ag)
{
    if (ag == NULL)
        return RAMPART_EINVAL;
    rerr_clear(&ag->err);
    rampart_client *c = NULL;
    int rc = make_client(ag, &c);
    if (rc != 0) {
        rec_args r = {.kind = "error", .code = rc, .message = ag->err.message};
        char m[sizeof(ag->err.message)];
        (void)snprintf(m, sizeof(m), "%s", ag->err.message);
        r.message = m;
        int wrc = record(ag, &r);
        return wrc != 0 ? wrc : rerr_set(&ag->err, rc, NULL, "%s", m);
    }
    rc = rampart_client_refresh(c);
    if (rc != 0)
        rc = refresh_failed(ag, rc, rampart_client_last_error(c)->message);
    else
        rc = after_refresh(ag, c);
    rampart_client_free(c);
    return rc;
}

/* ---- the loop ------------------------------------------------------------------------------- */

static unsigned random_below(unsigned n)
{
    unsigned r = 0;
    if (n == 0 || getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
        return 0;
    return r % n;
}

/* Waits `ms`, in 100 ms steps, pinging the watchdog; returns early on *stop. */
static void wait_ms(unsigned long long ms, const volatile sig_atomic_t *stop, unsigned long wd_ms)
{
    unsigned long long since_ping = 0;
    for (unsigned long long t = 0; t < ms && !*stop; t += 100, since_ping += 100) {
        if (wd_ms > 0 && since_ping * 2 >= wd_ms) {
            agent_notify("WATCHDOG=1");
            since_ping = 0;
        }
        struct timespec ts = {0, 100L * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

int rampart_agent_run(rampart_agent *ag, volatile sig_atomic_t *stop)
{
    if (ag == NULL || stop == NULL)
        return RAMPART_EINVAL;
    unsigned long wd = agent_watchdog_ms();
    unsigned failures = 0;
    bool ready = false;
    int rc = 0;
    while (!*stop) {
        rc = rampart_agent_run_once(ag);
        if (!ready) {
            agent_notify("READY=1");
            ready = true;
        }
        agent_notify("WATCHDOG=1");
        if (rc == RAMPART_EIO && strncmp(ag->err.message, "cannot write the audit log", 26) == 0)
            break; /* nothing may happen unrecorded */
        const agent_config *c = &ag->cfg;
        unsigned long long delay = c->poll_interval_s;
        if (rc != 0 && rc != RAMPART_EHELD) {
            /* capped exponential backoff from the poll interval */
            failures = failures < 30 ? failures + 1 : failures;
            for (unsigned i = 1; i < failures && delay < c->backoff_max_s; i++)
                delay *= 2;
            if (delay > c->backoff_max_s)
                delay = c->backoff_max_s;
        } else {
            failures = 0;
        }
        wait_ms((delay + random_below(c->jitter_s + 1)) * 1000ull, stop, wd);
        rc = 0;
    }
    agent_notify("STOPPING=1");
    return rc == RAMPART_EIO ? rc : 0;
}

/* Releases held anomaly i: removed from the held list, an "ack" record,
 * the state saved (one anomaly at a time, so that a crash between two
 * leaves each either held or acknowledged and recorded). */
static int ack_index(rampart_agent *ag, size_t i)
{
    agent_held h = ag->st.held[i];
    memmove(&ag->st.held[i], &ag->st.held[i + 1], (ag->st.nheld - i - 1) * sizeof(h));
    ag->st.nheld--;
    char msg[sizeof(h.detail) + 32];
    (void)snprintf(msg, sizeof(msg), "acknowledged: %s", h.detail);
    rec_args r = {.kind = "ack", .anomaly = h.kind, .id = h.id, .message = msg};
    int rc = record(ag, &r);
    return rc != 0 ? rc : save_state(ag);
}

int rampart_agent_ack(rampart_agent *ag, const char *id)
{
    if (ag == NULL || id == NULL)
        return RAMPART_EINVAL;
    rerr_clear(&ag->err);
    for (size_t i = 0; i < ag->st.nheld; i++)
        if (strcmp(ag->st.held[i].id, id) == 0)
            return ack_index(ag, i);
    char safe[64];
    rampart_sanitize(safe, sizeof(safe), id, strlen(id));
    return rerr_set(&ag->err, RAMPART_ENOTFOUND, NULL, "no held anomaly '%s'", safe);
}

int rampart_agent_ack_all(rampart_agent *ag, size_t *count)
{
    if (ag == NULL)
        return RAMPART_EINVAL;
    rerr_clear(&ag->err);
    size_t n = 0;
    int rc = 0;
    while (rc == 0 && ag->st.nheld > 0) {
        rc = ack_index(ag, 0);
        n += rc == 0;
    }
    if (count != NULL)
        *count = n;
    return rc;
}

size_t rampart_agent_held_count(const rampart_agent *ag)
{
    return ag != NULL ? ag->st.nheld : 0;
}

int rampart_agent_held_at(const rampart_agent *ag, size_t i, const char **id, const char **kind, const char **detail)
{
    if (ag == NULL || i >= ag->st.nheld)
        return RAMPART_EINVAL;
    if (id != NULL)
        *id = ag->st.held[i].id;
    if (kind != NULL)
        *kind = ag->st.held[i].kind;
    if (detail != NULL)
        *detail = ag->st.held[i].detail;
    return 0;
}
