/*
 * witness.c - rampart_witness: the witness's key, known logs and state
 * folder around the sans-I/O rules of tlog/witness.h.  The HTTP server is
 * in http.c.
 *
 * State: one file per log in the state folder, "log-<hex SHA-256 of the
 * origin>", holding the checkpoint text (origin, size, root) of the latest
 * checkpoint cosigned; written atomically (temporary file, fsync, rename,
 * fsync of the folder) before the cosignature leaves.  A missing file is
 * "never cosigned"; a file that does not parse stops the witness from
 * cosigning for that log (500) instead of starting again from zero.
 */
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "crypto/hash.h"
#include "keys/keys.h"
#include "rampart/witness.h"
#include "tlog/witness.h"
#include "util/codec.h"
#include "util/fs.h"
#include "util/rtime.h"
#include "witness/witness_internal.h"
#include "util/banned.h"

#define STATE_FILE_MAX 1024

static int64_t system_clock(void *ctx)
{
    (void)ctx;
    int64_t t = 0;
    if (rtime_now(&t) != 0)
        return -1;
    return t;
}

/* The distinct origins of the configuration, each with its lock. */
static int make_logs(rampart_witness *w, rerr *e)
{
    for (size_t i = 0; i < w->cfg->nkeys; i++) {
        const tlog_vkey *k = w->cfg->key[i];
        bool seen = false;
        for (size_t j = 0; j < w->nlogs && !seen; j++)
            seen = strcmp(w->logs[j].origin, k->name) == 0;
        if (seen)
            continue;
        wlog *l = &w->logs[w->nlogs];
        memcpy(l->origin, k->name, k->name_len + 1);
        uint8_t d[RHASH_MAX_LEN];
        int rc = rhash_digest(RHASH_SHA256, k->name, k->name_len, d);
        if (rc != 0)
            return rerr_set(e, rc, NULL, "cannot hash a log origin");
        memcpy(l->file, "log-", 4);
        rhex_encode(l->file + 4, d, 32);
        if (pthread_mutex_init(&l->lock, NULL) != 0)
            return rerr_set(e, RAMPART_ENOMEM, NULL, "cannot create a lock");
        w->nlogs++;
    }
    return 0;
}

static int load_config(rampart_witness *w, const char *path, rerr *e)
{
    RAMPART_AUTO(rbuf_free) rbuf b;
    rbuf_init(&b, TLOG_WITNESS_CONFIG_MAX);
    int rc = rfs_read_file(AT_FDCWD, path, &b, e);
    if (rc == RAMPART_ETOOLARGE)
        return rerr_set(e, rc, NULL, "%s: over %d bytes", path, TLOG_WITNESS_CONFIG_MAX);
    if (rc != 0)
        return rc;
    rerr sub;
    rerr_clear(&sub);
    rc = tlog_wconfig_parse(&w->cfg, b.data, b.len, &sub);
    if (rc != 0)
        return rerr_set(e, rc, NULL, "%s: %s", path, sub.message);
    return 0;
}

static int load_key(rampart_witness *w, const rampart_witness_options *o, rerr *e)
{
    int rc = rprivkey_load_file(&w->key, o->key_file, o->key_options, e);
    if (rc != 0)
        return rc;
    rerr sub;
    rerr_clear(&sub);
    rc = tlog_signer_init(&w->signer, o->name, TLOG_SIG_COSIGN_V1, w->key, &sub);
    if (rc != 0)
        return rerr_set(e, rc, NULL, "%s: %s (an Ed25519 key and a valid key name are needed)", o->key_file,
                        sub.message);
    return 0;
}

int rampart_witness_new(rampart_witness **out, const rampart_witness_options *o, rampart_error *err)
{
    rerr_clear(err);
    if (out == NULL || o == NULL || o->version != RAMPART_WITNESS_OPTIONS_VERSION || o->name == NULL ||
        o->key_file == NULL || o->config_file == NULL || o->state_dir == NULL)
        return rerr_set(err, RAMPART_EINVAL, NULL, "invalid argument (name, key, configuration and state are needed)");
    rampart_witness *w = rampart_calloc(1, sizeof(*w));
    if (w == NULL)
        return rerr_set(err, RAMPART_ENOMEM, NULL, "out of memory");
    w->state_fd = -1;
    w->lock_fd = -1;
    w->clock = o->clock ? o->clock : system_clock;
    w->clock_ctx = o->clock_ctx;
    w->max_connections = o->max_connections ? o->max_connections : 64;
    int rc = rwit_parse_listen(o->listen ? o->listen : "127.0.0.1:7380", &w->addr, &w->addr_len, err);
    if (rc == 0)
        rc = load_key(w, o, err);
    if (rc == 0)
        rc = load_config(w, o->config_file, err);
    if (rc == 0)
        rc = make_logs(w, err);
    if (rc == 0)
        rc = rfs_open_dir(o->state_dir, true, true, &w->state_fd, err);
    if (rc == 0) {
        rc = rfs_lock(w->state_fd, "lock", 0, &w->lock_fd, err);
        if (rc == RAMPART_ELOCKED)
            rc = rerr_set(err, rc, NULL, "%s: another witness uses this state folder", o->state_dir);
    }
    if (rc != 0) {
        rampart_witness_free(w);
        return rc;
    }
    *out = w;
    return 0;
}

void rampart_witness_free(rampart_witness *w)
{
    if (w == NULL)
        return;
    rwit_http_stop(w);
    for (size_t i = 0; i < w->nlogs; i++)
        (void)pthread_mutex_destroy(&w->logs[i].lock); /* unlocked: no request is under way */
    tlog_wconfig_free(w->cfg);
    rprivkey_free(w->key);
    if (w->lock_fd >= 0)
        (void)close(w->lock_fd); /* releases the lock */
    if (w->state_fd >= 0)
        (void)close(w->state_fd); /* read-only use: nothing to lose */
    rampart_free(w);
}

static int vkey_string(const tlog_signer *s, char **out, rerr *e)
{
    tlog_vkey *k = NULL;
    int rc = tlog_signer_vkey(s, &k, e);
    if (rc != 0)
        return rc;
    rbuf b;
    rbuf_init(&b, 1024);
    rc = tlog_vkey_format(k, &b);
    if (rc == 0)
        rc = rbuf_append_byte(&b, 0);
    tlog_vkey_free(k);
    if (rc != 0) {
        rbuf_free(&b);
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    }
    size_t n;
    *out = (char *)rbuf_detach(&b, &n);
    return 0;
}

int rampart_witness_vkey(const rampart_witness *w, char **out, rampart_error *err)
{
    rerr_clear(err);
    if (w == NULL || out == NULL)
        return rerr_set(err, RAMPART_EINVAL, NULL, "invalid argument");
    return vkey_string(&w->signer, out, err);
}

int rampart_witness_key_vkey(const char *key_file, const char *name, const rampart_key_load_options *ko, char **out,
                             rampart_error *err)
{
    rerr_clear(err);
    if (out == NULL || name == NULL || key_file == NULL)
        return rerr_set(err, RAMPART_EINVAL, NULL, "invalid argument");
    rprivkey *k = NULL;
    int rc = rprivkey_load_file(&k, key_file, ko, err);
    if (rc != 0)
        return rc;
    tlog_signer s;
    rerr sub;
    rerr_clear(&sub);
    rc = tlog_signer_init(&s, name, TLOG_SIG_COSIGN_V1, k, &sub);
    if (rc != 0)
        rc = rerr_set(err, rc, NULL, "%s: %s (an Ed25519 key and a valid key name are needed)", key_file, sub.message);
    if (rc == 0)
        rc = vkey_string(&s, out, err);
    rprivkey_free(k);
    return rc;
}

/* Reads the stored state of log `l` (its lock held). */
static int read_state(rampart_witness *w, const wlog *l, tlog_wstate *st, rerr *e)
{
    memset(st, 0, sizeof(*st));
    RAMPART_AUTO(rbuf_free) rbuf b;
    rbuf_init(&b, STATE_FILE_MAX);
    rerr sub;
    rerr_clear(&sub);
    int rc = rfs_read_file(w->state_fd, l->file, &b, &sub);
    if (rc == RAMPART_ENOTFOUND)
        return 0; /* never cosigned for this log */
    if (rc != 0)
        return rerr_set(e, RAMPART_EIO, NULL, "state of log '%s': %s", l->origin, sub.message);
    if (tlog_wstate_parse(b.data, b.len, l->origin, strlen(l->origin), st, &sub) != 0)
        return rerr_set(e, RAMPART_EIO, NULL, "state file %s of log '%s' is damaged: %s", l->file, l->origin,
                        sub.message);
    return 0;
}

static int write_state(rampart_witness *w, const wlog *l, const tlog_wstate *st, rerr *e)
{
    RAMPART_AUTO(rbuf_free) rbuf b;
    rbuf_init(&b, STATE_FILE_MAX);
    rerr sub;
    rerr_clear(&sub);
    int rc = tlog_wstate_format(l->origin, st, &b, &sub);
    if (rc == 0)
        rc = rfs_write_atomic(w->state_fd, l->file, b.data, b.len, 0600, &sub);
    if (rc != 0)
        return rerr_set(e, RAMPART_EIO, NULL, "cannot store the state of log '%s': %s", l->origin, sub.message);
    /* Test builds: a crash after the state is durable, before the reply. */
    RFS_CRASHPOINT("witness: state stored, before the reply");
    return 0;
}

/* Step 2 under the log's lock: read, decide, persist. */
static int decide_locked(rampart_witness *w, wlog *l, const tlog_wsubmit *sub, tlog_wreply *r, rerr *e)
{
    tlog_wstate cur;
    int rc = read_state(w, l, &cur, e);
    if (rc != 0)
        return rc;
    int64_t now = w->clock(w->clock_ctx);
    if (now < 0)
        return rerr_set(e, RAMPART_EIO, NULL, "cannot read the clock");
    const tlog_signer *signers[1] = {&w->signer};
    rc = tlog_witness_decide(sub, &cur, signers, 1, now, r, e);
    /* tlog-witness: the new checkpoint is persisted before the response. */
    if (rc == 0 && r->commit)
        rc = write_state(w, l, &r->next, e);
    return rc;
}

int rwit_handle(rampart_witness *w, const uint8_t *body, size_t n, tlog_wreply *r, rerr *e)
{
    tlog_wsubmit sub;
    int rc = tlog_witness_check(w->cfg, body, n, &sub, r, e);
    if (rc != 0 || r->status != 0)
        return rc;
    wlog *l = NULL;
    for (size_t i = 0; i < w->nlogs && l == NULL; i++)
        if (strlen(w->logs[i].origin) == sub.cp.origin_len &&
            memcmp(w->logs[i].origin, sub.cp.origin, sub.cp.origin_len) == 0)
            l = &w->logs[i];
    if (l == NULL) /* check found a key of this origin: cannot happen */
        return rerr_set(e, RAMPART_EINVAL, NULL, "no lock for the log");
    /* tlog-witness: checking the old size and persisting the new
     * checkpoint are one atomic step per log (the lock). */
    if (pthread_mutex_lock(&l->lock) != 0)
        return rerr_set(e, RAMPART_EIO, NULL, "cannot take the log's lock");
    rc = decide_locked(w, l, &sub, r, e);
    (void)pthread_mutex_unlock(&l->lock); /* held by this thread: cannot fail */
    return rc;
}

int rampart_witness_add_checkpoint(rampart_witness *w, const void *req, size_t len, int *status, char **body,
                                   size_t *body_len, const char **content_type, rampart_error *err)
{
    rerr_clear(err);
    if (w == NULL || (req == NULL && len != 0) || status == NULL || body == NULL || body_len == NULL ||
        content_type == NULL)
        return rerr_set(err, RAMPART_EINVAL, NULL, "invalid argument");
    tlog_wreply r;
    tlog_wreply_init(&r);
    int rc = rwit_handle(w, req, len, &r, err);
    if (rc == 0 && rbuf_append_byte(&r.body, 0) != 0)
        rc = rerr_set(err, RAMPART_ENOMEM, NULL, "out of memory");
    if (rc != 0) {
        tlog_wreply_free(&r);
        return rc;
    }
    size_t n;
    *status = r.status;
    *content_type = r.content_type;
    *body = (char *)rbuf_detach(&r.body, &n);
    *body_len = n - 1;
    return 0;
}
