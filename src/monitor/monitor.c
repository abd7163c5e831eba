/*
 * monitor.c - rampart_log_monitor_run: one poll of a transparency log.
 *
 *  1. the checkpoint, verified by the policy (or the log key alone);
 *  2. against the stored state (the checkpoint text of the last poll, as
 *     the witness stores its own): a smaller tree is "log-shrank", another
 *     root for the same size or a consistency proof (computed from the
 *     served tiles) that fails is "split-view"; both stop the poll;
 *  3. every new entry, read from the entry bundles, proved included in the
 *     signed tree (so a served bundle cannot hide or swap an entry), and
 *     judged against the vendor's repository (judge.c);
 *  4. the new state, written atomically.
 */
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "crypto/hash.h"
#include "monitor/monitor_internal.h"
#include "tlog/policy.h"
#include "tlog/tiles.h"
#include "tlog/witness.h"
#include "util/codec.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/rtime.h"
#include "util/banned.h"

#define STATE_MAX 4096
/* A full entry bundle: 256 entries of at most 65,535 bytes, each with its
 * 2-byte length. */
#define BUNDLE_MAX ((size_t)256 * (TLOG_ENTRY_MAX + 2))

typedef struct run {
    const rampart_log_monitor_options *o;
    msrc *src;
    mrepo repo;
    tlog_verified v;
    size_t alerts;
} run;

/* ---- alerts ------------------------------------------------------------------ */

static void emit(run *r, json_t *a)
{
    rbuf b;
    rbuf_init(&b, 1 << 20);
    r->alerts++;
    if (a != NULL && rjson_file_form(a, &b, NULL) == 0 && rbuf_append_byte(&b, 0) == 0 && r->o->alert != NULL)
        r->o->alert(r->o->alert_ctx, (const char *)b.data);
    else if (r->o->alert != NULL)
        r->o->alert(r->o->alert_ctx, "{\"alert\":\"unreportable\"}");
    rbuf_free(&b);
    json_decref(a);
}

static json_t *b64(const uint8_t *p, size_t n)
{
    rbuf b;
    rbuf_init(&b, 128);
    json_t *s = rb64_encode(&b, p, n, RB64_STD) == 0 ? json_stringn((const char *)b.data, b.len) : NULL;
    rbuf_free(&b);
    return s;
}

static json_t *alert_new(run *r, const char *kind, const char *reason)
{
    json_t *a = json_object();
    if (a == NULL)
        return NULL;
    int rc = json_object_set_new(a, "alert", json_string(kind));
    rc |= json_object_set_new(a, "origin", json_stringn(r->v.cp.origin, r->v.cp.origin_len));
    rc |= json_object_set_new(a, "tree_size", json_integer((json_int_t)r->v.cp.size));
    rc |= json_object_set_new(a, "reason", json_string(reason));
    if (rc != 0) {
        json_decref(a);
        return NULL;
    }
    return a;
}

static void alert_view(run *r, const char *kind, const tlog_wstate *old, const char *reason)
{
    json_t *a = alert_new(r, kind, reason);
    if (a != NULL && (json_object_set_new(a, "old_size", json_integer((json_int_t)old->size)) != 0 ||
                      json_object_set_new(a, "old_root", b64(old->root.b, TLOG_HASH_LEN)) != 0 ||
                      json_object_set_new(a, "root", b64(r->v.cp.root.b, TLOG_HASH_LEN)) != 0)) {
        json_decref(a);
        a = NULL;
    }
    emit(r, a);
}

static void alert_entry(run *r, mjudgment j, uint64_t index, const uint8_t *p, size_t n, const char *why)
{
    json_t *a = alert_new(r, j == MJ_MALFORMED ? "malformed-entry" : "unpublished-entry", why);
    uint8_t d[RHASH_MAX_LEN];
    if (a != NULL && rhash_digest(RHASH_SHA256, p, n, d) == 0) {
        char hex[65];
        rhex_encode(hex, d, 32);
        int rc = json_object_set_new(a, "index", json_integer((json_int_t)index));
        rc |= json_object_set_new(a, "entry_sha256", json_string(hex));
        /* The entry itself, when it is JSON (parsed again under our rules). */
        json_t *en = NULL;
        if (j == MJ_UNPUBLISHED && rjson_parse(p, n, TLOG_ENTRY_MAX, &en, NULL) == 0)
            rc |= json_object_set_new(a, "entry", en);
        if (rc != 0) {
            json_decref(a);
            a = NULL;
        }
    } else {
        json_decref(a);
        a = NULL;
    }
    emit(r, a);
}

/* ---- the poll ----------------------------------------------------------------- */

static int fetch_tile(void *ctx, const tlog_tile *t, rbuf *out, rerr *e)
{
    run *r = ctx;
    char path[TLOG_TILE_PATH_MAX];
    int rc = tlog_tile_path(t, path);
    if (rc != 0)
        return rerr_set(e, rc, NULL, "tile path");
    return msrc_get(r->src, path, (size_t)TLOG_TILE_WIDTH * TLOG_HASH_LEN, out, e);
}

static int verify_checkpoint(run *r, rerr *e)
{
    const rampart_log_monitor_options *o = r->o;
    rbuf pol, note;
    rbuf_init(&pol, TLOG_POLICY_MAX_BYTES);
    rbuf_init(&note, TLOG_NOTE_MAX);
    int rc = 0;
    if (o->policy != NULL)
        rc = rbuf_append(&pol, o->policy, o->policy_len);
    else
        rc = rbuf_appendf(&pol, "log %s\nquorum none\n", o->log_vkey);
    tlog_policy *p = NULL;
    if (rc != 0)
        rc = rerr_set(e, RAMPART_ETOOLARGE, NULL, "the policy is over %d bytes", TLOG_POLICY_MAX_BYTES);
    if (rc == 0)
        rc = tlog_policy_parse(&p, pol.data, pol.len, e);
    if (rc == 0)
        rc = msrc_get(r->src, "checkpoint", TLOG_NOTE_MAX, &note, e);
    int64_t now = 0;
    if (rc == 0 && rtime_now(&now) != 0)
        rc = rerr_set(e, RAMPART_EIO, NULL, "cannot read the clock");
    if (rc == 0)
        rc = tlog_policy_verify(p, note.data, note.len, now, o->policy != NULL ? o->max_age : 0, &r->v, e);
    tlog_policy_free(p);
    rbuf_free(&pol);
    rbuf_free(&note);
    return rc;
}

static int read_state(run *r, tlog_wstate *st, rerr *e)
{
    memset(st, 0, sizeof(*st));
    rbuf b;
    rbuf_init(&b, STATE_MAX);
    rerr sub;
    rerr_clear(&sub);
    int rc = rfs_read_file(AT_FDCWD, r->o->state_file, &b, &sub);
    if (rc == RAMPART_ENOTFOUND) {
        rbuf_free(&b);
        return 0; /* the first poll */
    }
    if (rc == 0)
        rc = tlog_wstate_parse(b.data, b.len, r->v.cp.origin, r->v.cp.origin_len, st, &sub);
    rbuf_free(&b);
    if (rc != 0)
        return rerr_set(e, rc, NULL, "state file %s: %s", r->o->state_file, sub.message);
    return 0;
}

/* Step 2: ESPLITVIEW after an alert; 0 when consistent. */
static int check_consistency(run *r, tlog_tile_reader *tr, const tlog_wstate *old, rerr *e)
{
    const tlog_checkpoint *cp = &r->v.cp;
    if (!old->known || old->size == 0)
        return 0;
    /* A log only grows: a smaller tree is a rewritten log. */
    if (cp->size < old->size) {
        alert_view(r, "log-shrank", old, "the log's tree is smaller than at the last poll");
        return rerr_set(e, RAMPART_ESPLITVIEW, NULL, "the log shrank from %llu to %llu entries",
                        (unsigned long long)old->size, (unsigned long long)cp->size);
    }
    if (cp->size == old->size) {
        if (rdigest_eq(old->root.b, cp->root.b, TLOG_HASH_LEN))
            return 0;
        alert_view(r, "split-view", old, "another root hash for the tree size of the last poll");
        return rerr_set(e, RAMPART_ESPLITVIEW, NULL, "two root hashes for tree size %llu",
                        (unsigned long long)cp->size);
    }
    /* RFC 9162 §2.1.4: the proof from the served tiles must join the two
     * signed roots. */
    tlog_proof p;
    int rc = tlog_consistency_proof(tlog_tile_node, tr, old->size, cp->size, &p, e);
    if (rc != 0)
        return rc;
    rerr sub;
    rerr_clear(&sub);
    rc = tlog_verify_consistency(old->size, cp->size, &old->root, &cp->root, p.h, p.n, &sub);
    if (rc == RAMPART_ESPLITVIEW) {
        alert_view(r, "split-view", old, "the log is not an extension of the one seen at the last poll");
        return rerr_set(e, rc, NULL, "the log is inconsistent with the last poll (%llu to %llu entries): %s",
                        (unsigned long long)old->size, (unsigned long long)cp->size, sub.message);
    }
    return rc != 0 ? rerr_set(e, rc, NULL, "%s", sub.message) : 0;
}

/* Step 3 for one entry. */
static int one_entry(run *r, tlog_tile_reader *tr, uint64_t i, const uint8_t *p, size_t n, rerr *e)
{
    tlog_hash leaf;
    tlog_proof pr;
    int rc = tlog_leaf_hash(p, n, &leaf);
    if (rc == 0)
        rc = tlog_inclusion_proof(tlog_tile_node, tr, i, r->v.cp.size, &pr, e);
    if (rc == 0)
        rc = tlog_verify_inclusion(&leaf, i, r->v.cp.size, &r->v.cp.root, pr.h, pr.n, e);
    if (rc != 0)
        return rc;
    mjudgment j;
    char why[256];
    rc = mrepo_judge(&r->repo, p, n, &j, why, sizeof(why), e);
    if (rc == 0 && j != MJ_PUBLISHED)
        alert_entry(r, j, i, p, n, why);
    return rc;
}

static int read_entries(run *r, tlog_tile_reader *tr, uint64_t from, rerr *e)
{
    uint64_t size = r->v.cp.size;
    size_t *off = rampart_calloc(TLOG_TILE_WIDTH, sizeof(size_t));
    size_t *len = rampart_calloc(TLOG_TILE_WIDTH, sizeof(size_t));
    rbuf b;
    rbuf_init(&b, BUNDLE_MAX);
    int rc = off && len ? 0 : rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    for (uint64_t k = from / TLOG_TILE_WIDTH; rc == 0 && k * TLOG_TILE_WIDTH < size; k++) {
        uint64_t left = size - k * TLOG_TILE_WIDTH;
        tlog_tile t = {
            .index = k, .width = left >= TLOG_TILE_WIDTH ? TLOG_TILE_WIDTH : (unsigned)left, .entries = true};
        char path[TLOG_TILE_PATH_MAX];
        rbuf_reset(&b);
        rc = tlog_tile_path(&t, path);
        if (rc == 0)
            rc = msrc_get(r->src, path, BUNDLE_MAX, &b, e);
        if (rc == 0)
            rc = tlog_bundle_split(b.data, b.len, t.width, off, len, e);
        for (unsigned x = 0; rc == 0 && x < t.width; x++) {
            uint64_t i = k * TLOG_TILE_WIDTH + x;
            if (i >= from)
                rc = one_entry(r, tr, i, b.data + off[x], len[x], e);
        }
    }
    rbuf_free(&b);
    rampart_free(off);
    rampart_free(len);
    return rc;
}

static int write_state(run *r, rerr *e)
{
    tlog_wstate st = {.known = true, .size = r->v.cp.size, .root = r->v.cp.root};
    rbuf b;
    rbuf_init(&b, STATE_MAX);
    int rc = tlog_wstate_format(r->v.cp.origin, &st, &b, e);
    if (rc == 0)
        rc = rfs_write_atomic_path(r->o->state_file, b.data, b.len, 0644, e);
    rbuf_free(&b);
    return rc;
}

static int poll_log(run *r, rerr *e)
{
    int rc = verify_checkpoint(r, e);
    if (rc != 0)
        return rc;
    tlog_wstate old;
    rc = read_state(r, &old, e);
    if (rc != 0)
        return rc;
    tlog_tile_reader tr;
    tlog_tile_reader_init(&tr, r->v.cp.size, fetch_tile, r);
    rc = check_consistency(r, &tr, &old, e);
    if (rc == 0 && r->v.cp.size > old.size)
        rc = read_entries(r, &tr, old.size, e);
    tlog_tile_reader_free(&tr);
    if (rc == 0)
        rc = write_state(r, e);
    return rc;
}

int rampart_log_monitor_run(const rampart_log_monitor_options *o, size_t *alerts, rampart_error *err)
{
    rerr_clear(err);
    if (o == NULL || alerts == NULL || o->version != RAMPART_LOG_MONITOR_OPTIONS_VERSION || o->log == NULL ||
        o->state_file == NULL || o->repo_dir == NULL || (o->policy == NULL) == (o->log_vkey == NULL) || o->max_age < 0)
        return rerr_set(err, RAMPART_EINVAL, NULL,
                        "invalid argument (log, state file, repository and a policy or a log key are needed)");
    run r;
    memset(&r, 0, sizeof(r));
    r.o = o;
    int rc = mrepo_open(&r.repo, o->repo_dir, err);
    if (rc != 0)
        return rc;
    rc = msrc_open(&r.src, o->log, o->ca_file, err);
    if (rc == 0)
        rc = poll_log(&r, err);
    msrc_free(r.src);
    mrepo_close(&r.repo);
    *alerts = r.alerts;
    return rc;
}
