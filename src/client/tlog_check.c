/*
 * tlog_check.c - the client refuses what is not logged (docs/transparency.md,
 * "What the endpoint checks").  With a witness policy (the client options'
 * or the one stored in the metadata folder by rampart_client_set_log_policy),
 * before a target found by the search is handed out:
 *
 *  1. the log's checkpoint is fetched (once per client handle, byte-capped,
 *     through the client's transport) and verified against the policy at
 *     the reference time: signed by the log, cosigned by the quorum, the
 *     newest cosignature at most log_max_age old (ENOQUORUM, ESTALE);
 *  2. when a checkpoint is stored (tlog/checkpoint), the new one must
 *     extend it: the consistency proof is computed from tiles and checked
 *     (ESPLITVIEW, and an evidence file tlog/split-view-*.txt); only then is
 *     the new checkpoint stored, atomically;
 *  3. the target's log entry is rebuilt from its verified metadata (never
 *     taken from the log) and its inclusion at custom.rampart_log.index is
 *     proven from tiles (ENOTLOGGED).
 *
 * Full tiles never change and are cached in tlog/ between runs; partial
 * tiles are fetched again.  The decisions are src/tlog's (endpoint.h);
 * this file fetches and stores.  Offline (log_offline), the C2SP tlog-proof
 * served beside the target replaces the checkpoint and tile fetches.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "client/client_internal.h"
#include "client/url.h"
#include "tlog/endpoint.h"
#include "util/fs.h"
#include "util/jdoc.h"
#include "util/rtime.h"
#include "util/banned.h"

#define TLOG_DIR "tlog"
#define POLICY_FILE "tlog-policy"
#define CHECKPOINT_FILE "checkpoint"
#define TOUCHED_MAX 32

struct rclient_tlog {
    tlog_policy *pol;
    char *log_url; /* base, ending in '/' */
    bool have_cp;
    tlog_verified cp;
    uint8_t *note; /* the verified checkpoint's bytes */
    size_t note_len;
    tlog_tile_reader rd;
    bool rd_init;
    /* per check */
    rampart_client *c;
    int tdir;
    bool no_disk;
    size_t ntouched;
    char touched[TOUCHED_MAX][TLOG_TILE_PATH_MAX];
    bool from_disk;
};

void rclient_tlog_free(rclient_tlog *s)
{
    if (s == NULL)
        return;
    tlog_policy_free(s->pol);
    rampart_free(s->log_url);
    rampart_free(s->note);
    if (s->rd_init)
        tlog_tile_reader_free(&s->rd);
    rampart_free(s);
}

void rclient_tlog_stats(const rampart_client *c, uint64_t *tiles, uint64_t *bytes)
{
    *tiles = c->tlog_tiles;
    *bytes = c->tlog_bytes;
}

/* The policy: the options', else the one stored in the folder, else none. */
static int load_policy(rampart_client *c, rstore *st, rclient_tlog *s)
{
    if (c->log_policy != NULL)
        return tlog_policy_parse(&s->pol, c->log_policy, c->log_policy_len, &c->err);
    uint8_t *data = NULL;
    size_t len = 0;
    int rc = rstore_read(st, POLICY_FILE, TLOG_POLICY_MAX_BYTES, &data, &len, &c->err);
    if (rc == RAMPART_ENOTFOUND) {
        rerr_clear(&c->err);
        return 0;
    }
    if (rc == 0)
        rc = tlog_policy_parse(&s->pol, data, len, &c->err);
    rampart_free(data);
    return rc;
}

/* docs/transparency.md, "Where": the policy's log URL, else <metadata URL>/../log/. */
static int log_base(rampart_client *c, rclient_tlog *s)
{
    rbuf b;
    rbuf_init(&b, 1 << 16);
    int rc = 0;
    const char *u = NULL;
    for (size_t i = 0; u == NULL && i < s->pol->nlogs; i++)
        u = s->pol->log_url[i];
    if (u != NULL) {
        rc = rurl_check_base(u, c->fetch.allow_insecure_http, &c->err);
        if (rc == 0)
            rc = rbuf_append_str(&b, u);
        if (rc == 0 && b.len > 0 && b.data[b.len - 1] != '/')
            rc = rbuf_append_byte(&b, '/');
    } else if (c->nmurls > 0) {
        const char *m = c->murls[0]; /* ends in '/' */
        const char *host = strstr(m, "://");
        const char *slash = strchr(host != NULL ? host + 3 : m, '/');
        size_t path = slash != NULL ? (size_t)(slash - m) : strlen(m), end = strlen(m) - 1;
        /* The last path segment goes: "http://h/metadata/" -> "http://h/";
         * "http://h/" stays. */
        while (end > path && m[end - 1] != '/')
            end--;
        if (end <= path)
            end = path + 1;
        rc = rbuf_append(&b, m, end);
        if (rc == 0)
            rc = rbuf_append_str(&b, "log/");
    } else {
        rc = rerr_set(&c->err, RAMPART_EINVAL, NULL, "no log URL: the policy names none and no metadata URL is set");
    }
    if (rc == 0 && (s->log_url = (char *)rbuf_detach(&b, NULL)) == NULL)
        rc = RAMPART_ENOMEM;
    rbuf_free(&b);
    if (rc != 0 && c->err.code == 0)
        rc = rerr_set(&c->err, rc, NULL, "log URL too long");
    return rc;
}

/* GETs `url` (at most `cap` bytes) into `out` through the client's transport. */
static int get(rampart_client *c, const char *url, size_t cap, rbuf *out, rerr *e)
{
    rtransport *tp;
    int rc = rclient_transport(c, &tp);
    if (rc != 0)
        return rc;
    rsink sink = {.write = rsink_rbuf_write, .ctx = out};
    rclient_log(c, RAMPART_LOG_DEBUG, "GET %s", url);
    for (unsigned attempt = 0;; attempt++) {
        rbuf_reset(out);
        rc = tp->get(tp, url, cap, &sink, e);
        if (rc == 0 || !rclient_retry(c, rc, attempt, url, e))
            return rc;
    }
}

/* A full tile's file name in tlog/: its path with '/' as '-'. */
static void tile_file(const char *path, char out[TLOG_TILE_PATH_MAX])
{
    size_t i = 0;
    for (; i < TLOG_TILE_PATH_MAX - 1 && path[i]; i++) {
        out[i] = path[i];
        if (out[i] == '/')
            out[i] = '-';
    }
    out[i] = '\0';
}

/* tlog_tile_fetch_fn: a full tile from the disk cache, else from the log. */
static int fetch_tile(void *ctx, const tlog_tile *t, rbuf *out, rerr *e)
{
    rclient_tlog *s = ctx;
    rampart_client *c = s->c;
    char path[TLOG_TILE_PATH_MAX], fname[TLOG_TILE_PATH_MAX];
    int rc = tlog_tile_path(t, path);
    if (rc != 0)
        return rerr_set(e, rc, NULL, "bad tile");
    bool full = t->width == TLOG_TILE_WIDTH;
    tile_file(path, fname);
    if (full && s->ntouched < TOUCHED_MAX)
        memcpy(s->touched[s->ntouched++], fname, sizeof(fname));
    if (full && !s->no_disk) {
        rerr me = {0};
        rc = rfs_read_file(s->tdir, fname, out, &me);
        if (rc == 0 && out->len == (size_t)TLOG_TILE_WIDTH * TLOG_HASH_LEN) {
            s->from_disk = true;
            return 0;
        }
        rbuf_reset(out);
    }
    rbuf url;
    rbuf_init(&url, 1 << 16);
    rc = rbuf_append_str(&url, s->log_url);
    if (rc == 0)
        rc = rbuf_append_str(&url, path);
    if (rc != 0) {
        rbuf_free(&url);
        return rerr_set(e, RAMPART_ENOMEM, NULL, "URL too long");
    }
    rc = get(c, (const char *)url.data, (size_t)TLOG_TILE_WIDTH * TLOG_HASH_LEN, out, e);
    rbuf_free(&url);
    if (rc != 0)
        return rc;
    c->tlog_tiles++;
    c->tlog_bytes += out->len;
    /* C2SP tlog-tiles: full tiles are immutable, so they may be cached.  A
     * tile is never trusted: what it gives is checked against a signed root,
     * and a cached tile that fails a proof is thrown away (purge_touched). */
    if (full && out->len == (size_t)TLOG_TILE_WIDTH * TLOG_HASH_LEN) {
        rerr me = {0};
        if (rfs_write_nosync(s->tdir, fname, out->data, out->len, 0644, &me) != 0)
            rclient_log(c, RAMPART_LOG_WARN, "could not cache log tile %s: %s", path, me.message);
    }
    return 0;
}

static void purge_touched(rclient_tlog *s)
{
    for (size_t i = 0; i < s->ntouched; i++) {
        rerr me = {0};
        if (rfs_remove_at(s->tdir, s->touched[i], &me) != 0)
            rclient_log(s->c, RAMPART_LOG_WARN, "could not remove cached log tile %s: %s", s->touched[i], me.message);
    }
}

static void reader_reset(rclient_tlog *s)
{
    if (s->rd_init)
        tlog_tile_reader_free(&s->rd);
    tlog_tile_reader_init(&s->rd, s->cp.cp.size, fetch_tile, s);
    s->rd_init = true;
}

/* Writes the split-view evidence file: tlog/split-view-<time>[-N].txt,
 * never over an earlier one. */
static void write_evidence(rampart_client *c, rclient_tlog *s, int64_t now, const uint8_t *old, size_t oldn,
                           const uint8_t *cur, size_t curn, const tlog_proof *proof, const char *reason)
{
    rbuf b;
    rbuf_init(&b, (size_t)4 * TLOG_NOTE_MAX);
    tlog_evidence ev = {now, reason, s->log_url, old, oldn, cur, curn, proof};
    rerr me = {0};
    char when[RTIME_STR_LEN + 1], stamp[RTIME_STR_LEN + 1];
    if (tlog_evidence_format(&ev, &b, &me) != 0 || rtime_format(now, when) != 0) {
        rclient_log(c, RAMPART_LOG_WARN, "could not write the split-view evidence: %s", me.message);
        rbuf_free(&b);
        return;
    }
    size_t k = 0;
    for (size_t i = 0; when[i]; i++)
        if (when[i] != '-' && when[i] != ':')
            stamp[k++] = when[i];
    stamp[k] = '\0';
    int rc = RAMPART_EEXIST;
    char name[96];
    for (unsigned n = 1; rc == RAMPART_EEXIST && n < 1000; n++) {
        if (n == 1)
            (void)snprintf(name, sizeof(name), "split-view-%s.txt", stamp);
        else
            (void)snprintf(name, sizeof(name), "split-view-%s-%u.txt", stamp, n);
        me = (rerr){0};
        rc = rfs_create_excl(s->tdir, name, b.data, b.len, 0644, &me);
    }
    if (rc == 0)
        rclient_log(c, RAMPART_LOG_WARN, "split view: evidence written to %s/" TLOG_DIR "/%s", c->metadata_dir, name);
    else
        rclient_log(c, RAMPART_LOG_WARN, "could not write the split-view evidence: %s", me.message);
    rbuf_free(&b);
}

/* Step 2: consistency with the stored checkpoint, then storing the new one. */
static int check_stored(rampart_client *c, rclient_tlog *s, int64_t now)
{
    rbuf old;
    rbuf_init(&old, TLOG_NOTE_MAX);
    int rc = rfs_read_file(s->tdir, CHECKPOINT_FILE, &old, &c->err);
    tlog_checkpoint oc = {0};
    bool have_old = rc == 0;
    if (rc == RAMPART_ENOTFOUND) {
        rerr_clear(&c->err);
        rc = 0;
    }
    if (have_old)
        rc = tlog_stored_checkpoint(old.data, old.len, &oc, &c->err);
    tlog_proof proof = {0};
    s->ntouched = 0;
    s->from_disk = false;
    if (rc == 0 && have_old) {
        reader_reset(s);
        rc = tlog_check_consistency(&oc, &s->cp.cp, tlog_tile_node, &s->rd, &proof, &c->err);
        if (rc == RAMPART_ESPLITVIEW && s->from_disk) {
            /* A cached tile may be wrong: ask the log itself, once. */
            purge_touched(s);
            s->no_disk = true;
            reader_reset(s);
            rerr_clear(&c->err);
            rc = tlog_check_consistency(&oc, &s->cp.cp, tlog_tile_node, &s->rd, &proof, &c->err);
            s->no_disk = false;
        }
        if (rc == RAMPART_ESPLITVIEW) {
            rerr keep = c->err;
            write_evidence(c, s, now, old.data, old.len, s->note, s->note_len, &proof, keep.message);
            c->err = keep;
        }
    }
    /* Stored only after it verified and extends the stored one. */
    if (rc == 0 && !(have_old && old.len == s->note_len && memcmp(old.data, s->note, old.len) == 0))
        rc = rfs_write_atomic(s->tdir, CHECKPOINT_FILE, s->note, s->note_len, 0644, &c->err);
    rbuf_free(&old);
    return rc;
}

/* Step 1: the checkpoint of this client handle, fetched and verified once. */
static int session_checkpoint(rampart_client *c, rclient_tlog *s, int64_t now)
{
    if (s->have_cp)
        return 0;
    rbuf url, body;
    rbuf_init(&url, 1 << 16);
    rbuf_init(&body, TLOG_NOTE_MAX);
    int rc = rbuf_append_str(&url, s->log_url) == 0 && rbuf_append_str(&url, CHECKPOINT_FILE) == 0
                 ? 0
                 : rerr_set(&c->err, RAMPART_ENOMEM, NULL, "URL too long");
    if (rc == 0)
        rc = get(c, (const char *)url.data, TLOG_NOTE_MAX, &body, &c->err);
    if (rc == 0)
        rc = tlog_policy_verify(s->pol, body.data, body.len, now, c->log_max_age, &s->cp, &c->err);
    if (rc == 0) {
        s->note = rbuf_detach(&body, &s->note_len);
        if (s->note == NULL)
            rc = rerr_set(&c->err, RAMPART_ENOMEM, NULL, "out of memory");
    }
    if (rc == 0)
        rc = check_stored(c, s, now);
    if (rc == 0) {
        s->have_cp = true;
        reader_reset(s);
        rclient_log(c, RAMPART_LOG_INFO, "log checkpoint of %llu entries verified (%zu cosignatures)",
                    (unsigned long long)s->cp.cp.size, s->cp.ncosig);
    } else {
        rampart_free(s->note);
        s->note = NULL;
    }
    rbuf_free(&url);
    rbuf_free(&body);
    return rc;
}

/* custom.rampart_log {index, version} of the target (contract). */
/* The entry the verified metadata of `t` implies (tlog/entry.h). */
static int entry_of(const rampart_target *t, int64_t version, rbuf *out, rerr *e)
{
    tlog_entry_hash h[TLOG_ENTRY_MAX_HASHES];
    if (t->nhashes > TLOG_ENTRY_MAX_HASHES)
        return rerr_set(e, RAMPART_EINVAL, NULL, "more than %d hashes", TLOG_ENTRY_MAX_HASHES);
    for (size_t i = 0; i < t->nhashes; i++)
        h[i] = (tlog_entry_hash){t->alg[i], t->hex[i]};
    tlog_entry en = {.path = t->path,
                     .path_len = strlen(t->path),
                     .role = t->role,
                     .length = t->length,
                     .version = version,
                     .hashes = h,
                     .nhashes = t->nhashes};
    return tlog_entry_encode(&en, out, e);
}

static int where_logged(rampart_client *c, const rampart_target *t, uint64_t *index, int64_t *version)
{
    jdoc *doc = NULL;
    jd_limits lim = {.allow_nul = true};
    int rc = t->custom != NULL ? jdoc_parse(&doc, (const uint8_t *)t->custom, strlen(t->custom), false, &lim, NULL)
                               : RAMPART_ENOTFOUND;
    jd_ref l = rc == 0 ? jdoc_get(doc, jdoc_root(doc), "rampart_log") : JD_NONE;
    jd_ref i = jdoc_get(doc, l, "index"), v = jdoc_get(doc, l, "version");
    if (rc == RAMPART_ENOMEM) {
        rc = rerr_set(&c->err, rc, NULL, "out of memory");
    } else if (rc != 0 || l == JD_NONE) {
        rc = rerr_set(&c->err, RAMPART_ENOTLOGGED, t->role,
                      "target '%s' is not logged: its metadata has no custom.rampart_log", t->path);
    } else if (jdoc_type(doc, l) != JD_OBJECT || jdoc_type(doc, i) != JD_INT || jdoc_int(doc, i) < 0 ||
               jdoc_type(doc, v) != JD_INT || jdoc_int(doc, v) < 0) {
        rc = rerr_set(&c->err, RAMPART_ENOTLOGGED, t->role,
                      "target '%s' is not logged: custom.rampart_log is not {\"index\":I,\"version\":V}", t->path);
    } else {
        *index = (uint64_t)jdoc_int(doc, i);
        *version = jdoc_int(doc, v);
    }
    jdoc_free(doc);
    return rc;
}

/* Offline: the tlog-proof beside the target, from the target mirrors. */
static int check_offline(rampart_client *c, rclient_tlog *s, const rampart_target *t, const rbuf *entry, uint64_t index,
                         int64_t now)
{
    int rc = c->nturls == 0 ? rerr_set(&c->err, RAMPART_EINVAL, NULL, "no target mirror for the tlog-proof") : 0;
    rbuf body;
    rbuf_init(&body, TLOG_PROOF_FILE_MAX);
    for (size_t m = 0; rc == 0 && m < c->nturls; m++) {
        rbuf url;
        rbuf_init(&url, 1 << 16);
        rc = rclient_target_url(c->turls[m], t, t->consistent, &url);
        if (rc == 0)
            rc = rbuf_append_str(&url, ".tlog-proof");
        if (rc == 0)
            rc = get(c, (const char *)url.data, TLOG_PROOF_FILE_MAX, &body, &c->err);
        rbuf_free(&url);
        if (rc == 0 || m + 1 == c->nturls)
            break;
        rc = 0;
    }
    tlog_proof_file pf = {0};
    tlog_verified v = {0};
    if (rc == 0)
        rc = tlog_proof_file_parse(body.data, body.len, &pf, &c->err);
    if (rc == 0)
        rc = tlog_policy_verify(s->pol, pf.checkpoint, pf.checkpoint_len, now, c->log_max_age, &v, &c->err);
    if (rc == 0 && pf.index != index)
        rc = rerr_set(&c->err, RAMPART_ENOTLOGGED, t->role,
                      "the tlog-proof of '%s' is for entry %llu, its metadata says %llu", t->path,
                      (unsigned long long)pf.index, (unsigned long long)index);
    if (rc == 0)
        rc = tlog_check_inclusion(&v.cp, entry->data, entry->len, index, &pf.proof, NULL, NULL, &c->err);
    if (rc == 0) {
        /* Without tiles no consistency proof can be computed; one size
         * with two roots is a split view all the same. */
        rbuf old;
        rbuf_init(&old, TLOG_NOTE_MAX);
        tlog_checkpoint oc;
        tlog_proof none = {0};
        if (rfs_read_file(s->tdir, CHECKPOINT_FILE, &old, NULL) == 0 &&
            tlog_stored_checkpoint(old.data, old.len, &oc, NULL) == 0 && oc.size == v.cp.size &&
            memcmp(oc.root.b, v.cp.root.b, TLOG_HASH_LEN) != 0) {
            rc = rerr_set(&c->err, RAMPART_ESPLITVIEW, NULL, "two different roots for a log of %llu entries",
                          (unsigned long long)oc.size);
            rerr keep = c->err;
            write_evidence(c, s, now, old.data, old.len, pf.checkpoint, pf.checkpoint_len, &none, keep.message);
            c->err = keep;
        }
        rbuf_free(&old);
    }
    rbuf_free(&body);
    return rc;
}

static int check_online(rampart_client *c, rclient_tlog *s, const rampart_target *t, const rbuf *entry, uint64_t index,
                        int64_t now)
{
    int rc = session_checkpoint(c, s, now);
    if (rc != 0)
        return rc;
    s->ntouched = 0;
    s->from_disk = false;
    rc = tlog_check_inclusion(&s->cp.cp, entry->data, entry->len, index, NULL, tlog_tile_node, &s->rd, &c->err);
    if (rc == RAMPART_ENOTLOGGED && s->from_disk) {
        /* A cached tile may be wrong: ask the log itself, once. */
        purge_touched(s);
        s->no_disk = true;
        reader_reset(s);
        rerr_clear(&c->err);
        rc = tlog_check_inclusion(&s->cp.cp, entry->data, entry->len, index, NULL, tlog_tile_node, &s->rd, &c->err);
        s->no_disk = false;
    }
    if (rc == RAMPART_ENOTLOGGED) {
        purge_touched(s);
        reader_reset(s);
        rerr_set(&c->err, rc, t->role, "target '%s' is not in the log: %s", t->path, c->err.message);
    }
    return rc;
}

int rclient_tlog_check(rampart_client *c, rstore *st, const rampart_target *t)
{
    rclient_tlog *s = c->tlog;
    int rc = 0;
    if (s == NULL) {
        s = rampart_calloc(1, sizeof(*s));
        if (s == NULL)
            return rerr_set(&c->err, RAMPART_ENOMEM, NULL, "out of memory");
        rc = load_policy(c, st, s);
        if (rc == 0 && s->pol != NULL)
            rc = log_base(c, s);
        if (rc != 0) {
            rclient_tlog_free(s);
            return rc;
        }
        c->tlog = s;
    }
    if (s->pol == NULL)
        return 0; /* no policy: nothing to enforce */
    uint64_t index = 0;
    int64_t version = 0, now = 0;
    rc = where_logged(c, t, &index, &version);
    rbuf entry;
    rbuf_init(&entry, TLOG_ENTRY_MAX);
    /* Never a served entry: the one the verified metadata implies. */
    if (rc == 0)
        rc = entry_of(t, version, &entry, &c->err);
    if (rc == RAMPART_EINVAL || rc == RAMPART_ETOOLARGE)
        rc = rerr_set(&c->err, RAMPART_ENOTLOGGED, t->role, "target '%s' cannot have a log entry: %s", t->path,
                      c->err.message);
    if (rc == 0)
        rc = rclient_now(c, &now);
    int tdir = -1;
    if (rc == 0)
        rc = rfs_open_subdir(st->dirfd, TLOG_DIR, true, 0700, &tdir, &c->err);
    if (rc == 0) {
        s->c = c;
        s->tdir = tdir;
        rc = c->log_offline ? check_offline(c, s, t, &entry, index, now) : check_online(c, s, t, &entry, index, now);
        s->tdir = -1;
        close(tdir);
    }
    if (rc == 0)
        rclient_log(c, RAMPART_LOG_INFO, "target '%s': entry %llu of the log verified", t->path,
                    (unsigned long long)index);
    rbuf_free(&entry);
    return rc;
}

int rampart_client_set_log_policy(const char *metadata_dir, const void *policy, size_t len, rampart_error *err)
{
    rerr_clear(err);
    if (metadata_dir == NULL || policy == NULL || len == 0)
        return rerr_set(err, RAMPART_EINVAL, NULL, "invalid argument");
    tlog_policy *p = NULL;
    int rc = tlog_policy_parse(&p, policy, len, err);
    tlog_policy_free(p);
    if (rc != 0)
        return rc;
    rstore st;
    rc = rstore_open(&st, metadata_dir, true, 10000, err);
    if (rc == 0) {
        rc = rstore_write(&st, POLICY_FILE, RSLICE(policy, len), err);
        rstore_close(&st);
    }
    return rc;
}
