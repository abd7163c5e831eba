/*
 * client.c - the rampart_client handle: options, bootstrap, the mirror
 * loop shared by every metadata fetch, and the public entry points that
 * take the folder lock around the workflow.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client/client_internal.h"
#include "client/url.h"
#include "tlog/policy.h"
#include "util/fs.h"
#include "util/rtime.h"
#include "util/banned.h"

#define DEF(v, d) ((v) ? (v) : (d))

void rclient_log(rampart_client *c, int level, const char *fmt, ...)
{
    if (c->log == NULL)
        return;
    char raw[512], clean[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(raw, sizeof(raw), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    rampart_sanitize(clean, sizeof(clean), raw, strlen(raw));
    c->log(c->log_ctx, level, clean);
}

bool rclient_is_security_error(int code)
{
    return rampart_error_kind(code) == RAMPART_KIND_SECURITY;
}

static void free_list(char **l, size_t n)
{
    for (size_t i = 0; i < n; i++)
        rampart_free(l[i]);
    rampart_free(l);
}

/* Copies base URLs, adding the trailing '/' that request names are appended to. */
static int copy_urls(const char *const *in, size_t n, bool allow_http, char ***out, rerr *e)
{
    char **l = rampart_calloc(n ? n : 1, sizeof(char *));
    if (l == NULL)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    for (size_t i = 0; i < n; i++) {
        if (in[i] == NULL) {
            free_list(l, n);
            return rerr_set(e, RAMPART_EINVAL, NULL, "mirror URL %zu is NULL", i);
        }
        int rc = rurl_check_base(in[i], allow_http, e);
        if (rc != 0) {
            free_list(l, n);
            return rc;
        }
        size_t len = strlen(in[i]);
        bool slash = len > 0 && in[i][len - 1] == '/';
        rbuf b;
        rbuf_init(&b, 65536);
        if (rbuf_append(&b, in[i], len) != 0 || (!slash && rbuf_append_byte(&b, '/') != 0) ||
            (l[i] = (char *)rbuf_detach(&b, NULL)) == NULL) {
            rbuf_free(&b);
            free_list(l, n);
            return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
        }
    }
    *out = l;
    return 0;
}

static char *dup_str(const char *s)
{
    return rampart_strndup(s, strlen(s));
}

/* A header line "Name: value": a token before ':', no control characters. */
static bool header_ok(const char *h)
{
    const char *colon = strchr(h, ':');
    if (colon == NULL || colon == h)
        return false;
    for (const char *p = h; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if ((ch < 0x20 && ch != '\t') || ch == 0x7f || (p < colon && (ch == ' ' || ch == '\t')))
            return false;
    }
    return true;
}

static bool text_ok(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return false;
    return true;
}

/* The options of version 2 (network extras): copied, checked. */
static int copy_v2(rampart_client *c, const rampart_client_options *o, rerr *e)
{
    if (o->header_count > 0 && o->headers == NULL)
        return rerr_set(e, RAMPART_EINVAL, NULL, "header list missing");
    if (o->header_count > 0) {
        c->headers = rampart_calloc(o->header_count, sizeof(char *));
        if (c->headers == NULL)
            return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    }
    for (size_t i = 0; i < o->header_count; i++) {
        if (o->headers[i] == NULL || !header_ok(o->headers[i]))
            return rerr_set(e, RAMPART_EINVAL, NULL, "request header %zu is not \"Name: value\" on one line", i);
        if ((c->headers[i] = dup_str(o->headers[i])) == NULL)
            return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
        c->nheaders = i + 1;
    }
    c->fetch.headers = (const char *const *)c->headers;
    c->fetch.nheaders = c->nheaders;
    if (o->user_agent_suffix != NULL && !text_ok(o->user_agent_suffix))
        return rerr_set(e, RAMPART_EINVAL, NULL, "the User-Agent suffix has control characters");
    rbuf ua;
    rbuf_init(&ua, 4096);
    if (rbuf_append_str(&ua, "rampart/" RAMPART_VERSION_STRING) != 0 ||
        (o->user_agent_suffix != NULL && o->user_agent_suffix[0] != '\0' &&
         (rbuf_append_byte(&ua, ' ') != 0 || rbuf_append_str(&ua, o->user_agent_suffix) != 0)) ||
        (c->fetch.user_agent = (const char *)rbuf_detach(&ua, NULL)) == NULL) {
        rbuf_free(&ua);
        return rerr_set(e, RAMPART_ENOMEM, NULL, "User-Agent too long");
    }
    if ((o->proxy != NULL && (c->fetch.proxy = dup_str(o->proxy)) == NULL) ||
        (o->no_proxy != NULL && (c->fetch.no_proxy = dup_str(o->no_proxy)) == NULL))
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    c->progress = o->progress;
    c->progress_ctx = o->progress_ctx;
    c->max_retries = o->max_retries;
    c->retry_base_ms = DEF(o->retry_base_ms, 500);
    c->retry_max_ms = DEF(o->retry_max_ms, 8000);
    return 0;
}

/* The options of version 3 (the transparency log). */
static int copy_v3(rampart_client *c, const rampart_client_options *o, rerr *e)
{
    if ((o->log_policy == NULL && o->log_policy_len != 0) || o->log_max_age < 0)
        return rerr_set(e, RAMPART_EINVAL, NULL, "invalid log options");
    if (o->log_policy != NULL) {
        /* Checked now, so a bad policy fails here and not at the first target. */
        tlog_policy *p = NULL;
        int rc = tlog_policy_parse(&p, o->log_policy, o->log_policy_len, e);
        tlog_policy_free(p);
        if (rc != 0)
            return rc;
        if ((c->log_policy = rampart_malloc(o->log_policy_len ? o->log_policy_len : 1)) == NULL)
            return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
        memcpy(c->log_policy, o->log_policy, o->log_policy_len);
        c->log_policy_len = o->log_policy_len;
    }
    c->log_max_age = o->log_max_age > 0 ? (int64_t)o->log_max_age : RAMPART_LOG_MAX_AGE_DEFAULT;
    c->log_offline = o->log_offline != 0;
    return 0;
}

int rampart_client_new(rampart_client **out, const rampart_client_options *opts, rampart_error *err)
{
    rerr_clear(err);
    if (out == NULL || opts == NULL || opts->metadata_dir == NULL || opts->metadata_dir[0] == '\0')
        return rerr_set(err, RAMPART_EINVAL, NULL, "a metadata folder is required");
    /* Version 1 callers' structs end before `progress`, version 2 callers'
     * before `log_policy`: read only that much. */
    rampart_client_options v = {0};
    if (opts->version == 1)
        memcpy(&v, opts, offsetof(rampart_client_options, progress));
    else if (opts->version == 2)
        memcpy(&v, opts, offsetof(rampart_client_options, log_policy));
    else if (opts->version == RAMPART_CLIENT_OPTIONS_VERSION)
        v = *opts;
    else
        return rerr_set(err, RAMPART_EINVAL, NULL, "unknown client options version %u", opts->version);
    const rampart_client_options *o = &v;
    if ((o->metadata_url_count > 0 && o->metadata_urls == NULL) || (o->target_url_count > 0 && o->target_urls == NULL))
        return rerr_set(err, RAMPART_EINVAL, NULL, "mirror list missing");
    rampart_client *c = rampart_calloc(1, sizeof(*c));
    if (c == NULL)
        return rerr_set(err, RAMPART_ENOMEM, NULL, "out of memory");
    int rc;
    c->metadata_dir = rampart_strndup(o->metadata_dir, strlen(o->metadata_dir));
    if (c->metadata_dir == NULL) {
        rc = rerr_set(err, RAMPART_ENOMEM, NULL, "out of memory");
        goto fail;
    }
    if ((rc = copy_urls(o->metadata_urls, o->metadata_url_count, o->allow_insecure_http != 0, &c->murls, err)) != 0)
        goto fail;
    c->nmurls = o->metadata_url_count;
    if ((rc = copy_urls(o->target_urls, o->target_url_count, o->allow_insecure_http != 0, &c->turls, err)) != 0)
        goto fail;
    c->nturls = o->target_url_count;
    c->max_root = DEF(o->max_root_bytes, 512000);
    c->max_timestamp = DEF(o->max_timestamp_bytes, 16384);
    c->max_snapshot = DEF(o->max_snapshot_bytes, 2000000);
    c->max_targets = DEF(o->max_targets_bytes, 5000000);
    c->max_root_rotations = DEF(o->max_root_rotations, 256);
    c->max_delegations = DEF(o->max_delegations, 32);
    c->lock_timeout_ms = DEF(o->lock_timeout_ms, 10000);
    c->sync_targets = o->sync_targets != 0;
    c->fetch.connect_timeout_ms = DEF(o->connect_timeout_ms, 10000);
    c->fetch.stall_timeout_ms = DEF(o->stall_timeout_ms, 30000);
    c->fetch.min_bytes_per_sec = DEF(o->min_bytes_per_sec, 1024);
    c->fetch.request_timeout_ms = DEF(o->request_timeout_ms, 600000);
    c->fetch.allow_insecure_http = o->allow_insecure_http != 0;
    c->fetch.max_redirects = 5;
    const char *strs[3] = {o->ca_file, o->ca_path, o->pinned_pubkey};
    const char **dst[3] = {&c->fetch.ca_file, &c->fetch.ca_path, &c->fetch.pinned_pubkey};
    for (int i = 0; i < 3; i++) {
        if (strs[i] == NULL)
            continue;
        char *copy = rampart_strndup(strs[i], strlen(strs[i]));
        if (copy == NULL) {
            rc = rerr_set(err, RAMPART_ENOMEM, NULL, "out of memory");
            goto fail;
        }
        *dst[i] = copy;
    }
    c->clock = o->clock;
    c->clock_ctx = o->clock_ctx;
    c->log = o->log;
    c->log_ctx = o->log_ctx;
    if ((rc = copy_v2(c, o, err)) != 0 || (rc = copy_v3(c, o, err)) != 0)
        goto fail;
    *out = c;
    return 0;
fail:
    rampart_client_free(c);
    return rc;
}

void rampart_client_free(rampart_client *c)
{
    if (c == NULL)
        return;
    if (c->tp != NULL)
        c->tp->free(c->tp);
    tuf_trusted_free(c->trusted);
    rclient_tlog_free(c->tlog);
    rampart_free(c->log_policy);
    free_list(c->murls, c->nmurls);
    free_list(c->turls, c->nturls);
    rampart_free((void *)c->fetch.ca_file);
    rampart_free((void *)c->fetch.ca_path);
    rampart_free((void *)c->fetch.pinned_pubkey);
    rampart_free((void *)c->fetch.user_agent);
    rampart_free((void *)c->fetch.proxy);
    rampart_free((void *)c->fetch.no_proxy);
    free_list(c->headers, c->nheaders);
    rampart_free(c->metadata_dir);
    rampart_free(c);
}

const rampart_error *rampart_client_last_error(const rampart_client *c)
{
    return c != NULL ? &c->err : NULL;
}

int rclient_transport(rampart_client *c, rtransport **out)
{
    if (c->tp == NULL) {
        int rc = rfetch_curl_new(&c->tp, &c->fetch, &c->err);
        if (rc != 0)
            return rc;
    }
    *out = c->tp;
    return 0;
}

void rclient_set_transport(rampart_client *c, rtransport *tp)
{
    if (c->tp != NULL)
        c->tp->free(c->tp);
    c->tp = tp;
}

int rclient_now(rampart_client *c, int64_t *out)
{
    if (c->clock != NULL) {
        *out = c->clock(c->clock_ctx);
        return 0;
    }
    int rc = rtime_now(out);
    if (rc != 0)
        return rerr_set(&c->err, rc, NULL, "cannot read the clock");
    return 0;
}

/* Lower is more telling: what a mirror served that must not be trusted,
 * then what could not be fetched (or failed here), then "not found".
 * (ENOMEM, EIO and EINTERNAL stop the mirror loops at once.)
 * Security failures rank alike, so the first mirror's is kept (mirrors are
 * listed in order of preference): the code alone does not say which of two
 * is the more telling, since a stale cache can show as EEXPIRED (a trusted
 * version that expired, and nothing newer), EMISMATCH or EROLLBACK. */
static int error_rank(int code)
{
    switch (rampart_error_kind(code)) {
    case RAMPART_KIND_SECURITY:
        return 0;
    case RAMPART_KIND_NOTFOUND:
        return 2;
    case RAMPART_KIND_OK:
    case RAMPART_KIND_TRANSPORT:
    case RAMPART_KIND_LOCAL:
        break;
    }
    return 1;
}

bool rclient_error_outranks(int code, int best)
{
    return best == 0 || error_rank(code) < error_rank(best);
}

int rclient_fetch_metadata(rampart_client *c, const char *name, uint64_t cap, bool exact, raccept_fn accept, void *ctx,
                           bool *some_notfound, rerr *e)
{
    if (some_notfound != NULL)
        *some_notfound = false;
    rtransport *tp;
    int rc = rclient_transport(c, &tp);
    if (rc != 0)
        return rc;
    if (c->nmurls == 0)
        return rerr_set(e, RAMPART_EINVAL, NULL, "no metadata mirror configured");
    int best = 0;
    rerr best_err = {0};
    for (size_t m = 0; m < c->nmurls; m++) {
        rbuf url, body;
        rbuf_init(&url, 1 << 16);
        if (rbuf_append_str(&url, c->murls[m]) != 0 || rbuf_append_str(&url, name) != 0) {
            rbuf_free(&url);
            return rerr_set(e, RAMPART_ENOMEM, NULL, "URL too long");
        }
        rbuf_init(&body, cap > SIZE_MAX - 1 ? SIZE_MAX - 1 : (size_t)cap);
        /* A length the parent role states is the exact size (anything else
         * fails verification): take the memory once, instead of growing by
         * copies, and let a large buffer use huge pages. */
        if (exact && cap <= RCLIENT_MAX_PRESIZE && rbuf_reserve(&body, (size_t)cap) == 0)
            rampart_advise_huge(body.data, body.cap);
        rsink inner = {.write = rsink_rbuf_write, .ctx = &body};
        rerr me = {0};
        rprogress pg = {c, RAMPART_PROGRESS_METADATA, name, 0, exact ? cap : 0, &inner, &me, NULL};
        rsink sink = rclient_progress_sink(&pg);
        for (unsigned attempt = 0;; attempt++) {
            rbuf_reset(&body);
            pg.done = 0;
            me = (rerr){0};
            rc = rclient_progress_report(&pg);
            if (rc != 0)
                break;
            rclient_log(c, RAMPART_LOG_DEBUG, "GET %s", (const char *)url.data);
            rc = tp->get(tp, (const char *)url.data, cap, &sink, &me);
            if (rc == 0 || !rclient_retry(c, rc, attempt, (const char *)url.data, &me))
                break;
        }
        rbuf_free(&url);
        if (rc == 0) {
            size_t len;
            uint8_t *data = rbuf_detach(&body, &len);
            if (data == NULL)
                return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
            rc = accept(ctx, data, len, &me);
            if (rc == 0)
                return 0;
        } else {
            rbuf_free(&body);
        }
        if (rc == RAMPART_ENOMEM || rc == RAMPART_EIO || rc == RAMPART_EINTERNAL || rc == RAMPART_ECANCELED) {
            if (e != NULL)
                *e = me;
            return rc;
        }
        if (me.code == 0)
            rerr_set(&me, rc, NULL, "%s", rampart_strerror(rc));
        if (rc == RAMPART_ENOTFOUND && some_notfound != NULL)
            *some_notfound = true;
        if (c->nmurls > 1)
            rclient_log(c, RAMPART_LOG_WARN, "mirror %s: %s: %s", c->murls[m], name, me.message);
        if (rclient_error_outranks(rc, best)) {
            best = rc;
            best_err = me;
        }
    }
    if (e != NULL)
        *e = best_err;
    return best;
}

int rampart_client_bootstrap(const char *metadata_dir, const void *root, size_t len, int replace, rampart_error *err)
{
    rerr_clear(err);
    if (metadata_dir == NULL || (root == NULL && len > 0))
        return rerr_set(err, RAMPART_EINVAL, NULL, "invalid argument");
    uint8_t *copy = rampart_malloc(len);
    if (copy == NULL)
        return rerr_set(err, RAMPART_ENOMEM, NULL, "out of memory");
    if (len)
        memcpy(copy, root, len);
    /* The same checks as every later start (§5.2); the time does not matter. */
    tuf_trusted *t = NULL;
    int rc = tuf_trusted_new(&t, copy, len, 0, err);
    if (rc != 0)
        return rc;
    rstore st;
    rc = rstore_open(&st, metadata_dir, true, 10000, err);
    if (rc == 0) {
        if (!replace && faccessat(st.dirfd, "root.json", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
            rc = rerr_set(err, RAMPART_EEXIST, "root", "%s already holds a trusted root", metadata_dir);
        else
            rc = rstore_write(&st, "root.json", tuf_md_bytes(t->root), err);
        rstore_close(&st);
    }
    tuf_trusted_free(t);
    return rc;
}

int rclient_store_open(rampart_client *c, rstore *st)
{
    int rc = rstore_open(st, c->metadata_dir, false, 0, &c->err);
    if (rc != RAMPART_ELOCKED || c->lock_timeout_ms == 0)
        return rc;
    /* Say what the wait is for before waiting. */
    rclient_log(c, RAMPART_LOG_WARN, "waiting up to %u.%03u s for another updater to release metadata folder %s",
                c->lock_timeout_ms / 1000, c->lock_timeout_ms % 1000, c->metadata_dir);
    rerr_clear(&c->err);
    return rstore_open(st, c->metadata_dir, false, c->lock_timeout_ms, &c->err);
}

int rampart_client_refresh(rampart_client *c)
{
    if (c == NULL)
        return RAMPART_EINVAL;
    rerr_clear(&c->err);
    rstore st;
    int rc = rclient_store_open(c, &st);
    if (rc != 0)
        return rc;
    rc = rclient_refresh_locked(c, &st);
    rstore_close(&st);
    return rc;
}

int rampart_client_role_status(const rampart_client *c, const char *role, rampart_role_status *out)
{
    if (c == NULL || role == NULL || out == NULL)
        return RAMPART_EINVAL;
    for (int t = 0; t < 4; t++) {
        if (strcmp(role, tuf_type_name((tuf_type)t)) == 0) {
            *out = c->status[t];
            return 0;
        }
    }
    return RAMPART_EINVAL;
}

int rampart_client_get_target_info(rampart_client *c, const char *path, rampart_target **out)
{
    if (c == NULL)
        return RAMPART_EINVAL;
    rerr_clear(&c->err);
    if (path == NULL || out == NULL)
        return rerr_set(&c->err, RAMPART_EINVAL, NULL, "invalid argument");
    rstore st;
    int rc = rclient_store_open(c, &st);
    if (rc != 0)
        return rc;
    if (!c->refreshed)
        rc = rclient_refresh_locked(c, &st);
    if (rc == 0)
        rc = rclient_find_target(c, &st, path, out);
    rstore_close(&st);
    return rc;
}

const char *rampart_target_path(const rampart_target *t)
{
    return t ? t->path : NULL;
}

uint64_t rampart_target_length(const rampart_target *t)
{
    return t ? t->length : 0;
}

size_t rampart_target_hash_count(const rampart_target *t)
{
    return t ? t->nhashes : 0;
}

int rampart_target_hash(const rampart_target *t, size_t i, const char **alg, const char **hex)
{
    if (t == NULL || i >= t->nhashes || alg == NULL || hex == NULL)
        return RAMPART_EINVAL;
    *alg = t->alg[i];
    *hex = t->hex[i];
    return 0;
}

const char *rampart_target_custom(const rampart_target *t)
{
    return t ? t->custom : NULL;
}

const char *rampart_target_role(const rampart_target *t)
{
    return t ? t->role : NULL;
}

void rampart_target_free(rampart_target *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->nhashes; i++) {
        rampart_free(t->alg[i]);
        rampart_free(t->hex[i]);
    }
    rampart_free(t->path);
    rampart_free(t->role);
    rampart_free(t->custom);
    rampart_free(t);
}

void rampart_string_free(char *s)
{
    rampart_free(s);
}
