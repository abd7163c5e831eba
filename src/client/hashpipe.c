/*
 * hashpipe.c - see hashpipe.h.  The network thread copies arriving bytes
 * into buffers round robin; a full buffer is queued for the worker thread,
 * which hashes it and then writes it to the temporary file.  A buffer is
 * refilled only after the worker is done with it, so at most RHASHPIPE_BUFS
 * buffers ever exist.  The network thread thus only receives and copies:
 * hashing and the file writes (the page-cache copy, and the writeback kicks
 * of a synced download) run beside it on the second core.
 */
#include <pthread.h>
#include <string.h>

#include "client/client_internal.h"
#include "client/hashpipe.h"
#include "util/codec.h"
#include "util/banned.h"

struct rhashpipe {
    rhashset *hs;
    rfs_tmp *tmp;
    bool threaded, sync_ready, started;
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    uint8_t *buf[RHASHPIPE_BUFS];
    size_t len[RHASHPIPE_BUFS];
    unsigned cur; /* buffer being filled */
    size_t curlen;
    unsigned inflight; /* queued or being hashed; the oldest is (cur - inflight) mod N */
    bool stop;
    int err;   /* first error, from either thread */
    rerr werr; /* detail of the first write error (written by the one thread that writes:
                  the worker when threaded, else the feeding thread) */
};

void rhashset_free(rhashset *hs)
{
    for (size_t i = 0; i < hs->n; i++)
        rhash_free(&hs->h[i]);
    hs->n = 0;
}

int rhashset_init(rhashset *hs, const rampart_target *t, rerr *e)
{
    memset(hs, 0, sizeof(*hs));
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < t->nhashes; i++) {
        rhash_alg alg = rhash_alg_from_name(t->alg[i], strlen(t->alg[i]));
        size_t dl;
        if (alg == RHASH_UNKNOWN)
            rc = rerr_set(e, RAMPART_EUNSUPPORTED, t->role, "unsupported hash algorithm %s", t->alg[i]);
        else if (rhex_decode(hs->want[i], RHASH_MAX_LEN, &dl, t->hex[i], strlen(t->hex[i])) != 0 ||
                 dl != rhash_len(alg))
            rc = rerr_set(e, RAMPART_EFORMAT, t->role, "malformed %s digest", t->alg[i]);
        else if ((rc = rhash_init(&hs->h[i], alg)) != 0)
            rc = rerr_set(e, rc, NULL, "cannot start a %s hash", t->alg[i]);
        else {
            hs->alg[i] = alg;
            hs->n = i + 1;
        }
    }
    if (rc == 0 && hs->n == 0)
        rc = rerr_set(e, RAMPART_EFORMAT, t->role, "target has no hashes");
    if (rc != 0)
        rhashset_free(hs); /* the hashes started before the failing one */
    return rc;
}

int rhashset_update(rhashset *hs, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < hs->n; i++) {
        int rc = rhash_update(&hs->h[i], p, n);
        if (rc != 0)
            return rc;
    }
    return 0;
}

int rhashset_check(rhashset *hs, const rampart_target *t, const char *what, rerr *e)
{
    for (size_t i = 0; i < hs->n; i++) {
        uint8_t got[RHASH_MAX_LEN];
        int rc = rhash_final(&hs->h[i], got);
        if (rc != 0)
            return rerr_set(e, rc, NULL, "hash computation failed");
        if (!rdigest_eq(got, hs->want[i], rhash_len(hs->alg[i])))
            return rerr_set(e, RAMPART_EMISMATCH, t->role, "%s '%s' does not match its %s hash", what, t->path,
                            t->alg[i]);
    }
    return 0;
}

int rhashset_verify_bytes(const rampart_target *t, rslice body, const char *what, rerr *e)
{
    if (body.n != t->length)
        return rerr_set(e, RAMPART_EMISMATCH, t->role, "%s '%s' is %zu bytes, expected %llu", what, t->path, body.n,
                        (unsigned long long)t->length);
    rhashset hs;
    int rc = rhashset_init(&hs, t, e);
    if (rc != 0)
        return rc;
    if ((rc = rhashset_update(&hs, body.p, body.n)) != 0)
        rc = rerr_set(e, rc, NULL, "hash computation failed");
    else
        rc = rhashset_check(&hs, t, what, e);
    rhashset_free(&hs);
    return rc;
}

/* The worker: hashes, then writes, each queued buffer in order. */
static void *hasher(void *arg)
{
    rhashpipe *hp = arg;
    pthread_mutex_lock(&hp->mu);
    for (;;) {
        while (hp->inflight == 0 && !hp->stop)
            pthread_cond_wait(&hp->cv, &hp->mu);
        if (hp->inflight == 0 && hp->stop)
            break;
        unsigned b = (hp->cur + RHASHPIPE_BUFS - hp->inflight) % RHASHPIPE_BUFS;
        pthread_mutex_unlock(&hp->mu);
        int rc = rhashset_update(hp->hs, hp->buf[b], hp->len[b]);
        if (rc == 0)
            rc = rfs_tmp_write(hp->tmp, hp->buf[b], hp->len[b], hp->werr.code == 0 ? &hp->werr : NULL);
        pthread_mutex_lock(&hp->mu);
        if (rc != 0 && hp->err == 0)
            hp->err = rc;
        hp->inflight--;
        pthread_cond_broadcast(&hp->cv);
    }
    pthread_mutex_unlock(&hp->mu);
    return NULL;
}

int rhashpipe_start(rhashpipe **out, rhashset *hs, rfs_tmp *tmp, uint64_t length, rerr *e)
{
    rhashpipe *hp = rampart_calloc(1, sizeof(*hp));
    if (hp == NULL)
        return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
    hp->hs = hs;
    hp->tmp = tmp;
    hp->threaded = length >= RHASHPIPE_THREAD_MIN;
    if (!hp->threaded) {
        *out = hp;
        return 0;
    }
    for (int i = 0; i < RHASHPIPE_BUFS; i++) {
        hp->buf[i] = rampart_malloc(RHASHPIPE_BUF);
        if (hp->buf[i] == NULL) {
            rhashpipe_free(hp);
            return rerr_set(e, RAMPART_ENOMEM, NULL, "out of memory");
        }
    }
    if (pthread_mutex_init(&hp->mu, NULL) != 0) {
        rhashpipe_free(hp);
        return rerr_set(e, RAMPART_EINTERNAL, NULL, "cannot create a mutex");
    }
    if (pthread_cond_init(&hp->cv, NULL) != 0) {
        pthread_mutex_destroy(&hp->mu);
        rhashpipe_free(hp);
        return rerr_set(e, RAMPART_EINTERNAL, NULL, "cannot create a condition variable");
    }
    hp->sync_ready = true;
    if (pthread_create(&hp->th, NULL, hasher, hp) != 0) {
        rhashpipe_free(hp);
        return rerr_set(e, RAMPART_EINTERNAL, NULL, "cannot start the hashing thread");
    }
    hp->started = true;
    *out = hp;
    return 0;
}

/* Queues the buffer being filled and waits until the next buffer is free. */
static int submit(rhashpipe *hp)
{
    unsigned b = hp->cur;
    pthread_mutex_lock(&hp->mu);
    hp->len[b] = hp->curlen;
    hp->inflight++;
    hp->cur = (hp->cur + 1) % RHASHPIPE_BUFS;
    hp->curlen = 0;
    pthread_cond_broadcast(&hp->cv);
    while (hp->inflight == RHASHPIPE_BUFS)
        pthread_cond_wait(&hp->cv, &hp->mu);
    int rc = hp->err;
    pthread_mutex_unlock(&hp->mu);
    return rc;
}

int rhashpipe_feed(rhashpipe *hp, const uint8_t *p, size_t n)
{
    if (!hp->threaded) {
        int rc = rhashset_update(hp->hs, p, n);
        return rc != 0 ? rc : rfs_tmp_write(hp->tmp, p, n, hp->werr.code == 0 ? &hp->werr : NULL);
    }
    while (n > 0) {
        size_t room = RHASHPIPE_BUF - hp->curlen, k = n < room ? n : room;
        memcpy(hp->buf[hp->cur] + hp->curlen, p, k);
        hp->curlen += k;
        p += k;
        n -= k;
        if (hp->curlen == RHASHPIPE_BUF) {
            int rc = submit(hp);
            if (rc != 0)
                return rc;
        }
    }
    return 0;
}

int rhashpipe_finish(rhashpipe *hp)
{
    if (!hp->threaded)
        return 0;
    int rc = hp->curlen > 0 ? submit(hp) : 0;
    pthread_mutex_lock(&hp->mu);
    while (hp->inflight > 0)
        pthread_cond_wait(&hp->cv, &hp->mu);
    hp->stop = true;
    pthread_cond_broadcast(&hp->cv);
    if (rc == 0)
        rc = hp->err;
    pthread_mutex_unlock(&hp->mu);
    if (hp->started && pthread_join(hp->th, NULL) == 0)
        hp->started = false;
    return rc;
}

const rerr *rhashpipe_write_error(const rhashpipe *hp)
{
    return &hp->werr;
}

void rhashpipe_free(rhashpipe *hp)
{
    if (hp == NULL)
        return;
    if (hp->started) {
        pthread_mutex_lock(&hp->mu);
        /* Abandon queued work: the hasher only needs to stop. */
        hp->stop = true;
        pthread_cond_broadcast(&hp->cv);
        while (hp->inflight > 0)
            pthread_cond_wait(&hp->cv, &hp->mu);
        pthread_mutex_unlock(&hp->mu);
        pthread_join(hp->th, NULL);
    }
    if (hp->sync_ready) {
        pthread_cond_destroy(&hp->cv);
        pthread_mutex_destroy(&hp->mu);
    }
    for (int i = 0; i < RHASHPIPE_BUFS; i++)
        rampart_free(hp->buf[i]);
    rampart_free(hp);
}
